"""The course as one object (crmlab/course/facts.py), and the facts it holds kept once: the
course id lives in nbgrader_config.py and nowhere else in the code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import yaml

from crmlab.course.facts import COURSE_FILES, COURSE_TIMEZONE, PUBLIC, Course
from crmlab.course.manifest import load_course
from tests.support import ROOT


def test_the_course_as_nbgrader_configures_it():
    course = Course.load(ROOT)
    assert course.root == ROOT
    assert course.id == course.config.CourseDirectory.course_id != ""
    assert course.timezone == COURSE_TIMEZONE == "Asia/Shanghai"
    assert Path(course.directory.root) == ROOT
    assert course.directory.format_path(course.directory.submitted_directory, "s01", "hw01") == \
        str(ROOT / "submitted" / "s01" / "hw01")
    assert list(course.assignments) == course.manifest.assignment_ids == \
        load_course().assignment_ids


def test_the_deployed_hub_names_the_same_course():
    """deploy/z2jh/values.yaml cannot import crmlab: its course id must be the course's."""
    values = yaml.safe_load((ROOT / "deploy" / "z2jh" / "values.yaml").read_text(encoding="utf-8"))
    config = values["singleuser"]["extraFiles"]["nbgrader-config"]["stringData"]
    assert re.findall(r'course_id = "([^"]+)"', config) == [Course.load(ROOT).id]


def test_the_course_id_is_spelled_only_in_the_course_config():
    course_id = Course.load(ROOT).id
    code = [*(ROOT / "crmlab").rglob("*.py"), *(ROOT / "benchmarks").glob("*.py"),
            *(ROOT / "docs").glob("*.py"), *(ROOT / "tests" / "support").glob("*.py")]
    assert [p.relative_to(ROOT).as_posix() for p in code
            if course_id in p.read_text(encoding="utf-8")] == []


def test_every_file_the_course_and_the_public_lists_name_is_there():
    for name in (*COURSE_FILES, *PUBLIC):
        assert (ROOT / name).exists(), name
    assert not set(PUBLIC) & {"source", "assignments", "nbgrader_config.py"}


def test_the_lists_of_files_are_spelled_once():
    """No other module lists the course's files again (as release.py, the hub, the demo, the
    benchmark and the tests each did)."""
    names = r"(?:nbgrader_config\.py|source|release|assignments|crmlab|lessons|reports)"
    listed = re.compile(rf"""\(\s*["']{names}["'],\s*["']{names}["']""")
    code = [*(ROOT / "crmlab").rglob("*.py"), *(ROOT / "benchmarks").glob("*.py"),
            *(ROOT / "tests" / "support").glob("*.py"), *(ROOT / "docs").glob("*.py")]
    assert [p.relative_to(ROOT).as_posix() for p in code
            if listed.search(p.read_text(encoding="utf-8"))] == ["crmlab/course/facts.py"]


def test_the_leak_check_reads_everything_students_may_have(tmp_path):
    """A hidden test's line copied into a lesson, a report template or the README is a leak."""
    from crmlab.grading.release import leaks, secret_lines

    assignment = "hw02_credit"
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    shutil.copy2(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
    secret = sorted(secret_lines(next((course / "source" / assignment).glob("*.ipynb"))))[0]
    for folder, name in (("lessons", "99_x.ipynb"), ("reports", "x.ipynb")):
        (course / folder).mkdir()
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = 1\n{secret}")]),
                       course / folder / name)
    (course / "README.md").write_text(f"说明\n\n    {secret}\n", encoding="utf-8")
    found = {leak.where for leak in leaks(course, ROOT / "release", [assignment])}
    assert found == {"lessons/99_x.ipynb", "reports/x.ipynb", "README.md"}


def test_folders_are_where_the_course_directory_puts_them(tmp_path):
    """Course.folder follows nbgrader's CourseDirectory, also when a course renames a folder."""
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.submitted_directory = "handed_in"
    course = Course(root=tmp_path, config=config)
    assert course.folder("submitted", "hw01", "s01") == tmp_path / "handed_in" / "s01" / "hw01"
    assert course.folder("source", "hw01") == tmp_path / "source" / "hw01"
    assert course.folder("autograded", "hw01", "s01") == tmp_path / "autograded" / "s01" / "hw01"


def test_autograde_types_no_folder_name():
    text = (ROOT / "crmlab" / "grading" / "autograde.py").read_text(encoding="utf-8")
    assert re.findall(r"""/ ["'](?:source|release|submitted|autograded|feedback)["']""", text) == []


def test_course_folders_are_named_by_nbgrader_not_typed():
    """A course folder (source, release, submitted, autograded, feedback) is reached through
    Course.folder, i.e. nbgrader's CourseDirectory, never by joining its name to a path."""
    typed = re.compile(r"""/\s*["'](source|release|submitted|autograded|feedback)["']""")
    assert [f"{p.relative_to(ROOT).as_posix()}:{m.group(0)}"
            for p in sorted((ROOT / "crmlab").rglob("*.py"))
            for m in typed.finditer(p.read_text(encoding="utf-8"))] == []
