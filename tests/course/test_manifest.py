"""The course manifest: it agrees with the folders (lessons, question banks, assignments), the
lessons' own headings and the banks' titles; the course map in lesson 00, the README and the
self-study guide is the one it generates; a broken manifest is reported in Chinese."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
import yaml

from crmlab.course import manifest
from crmlab.course.assignments import load_assignments
from crmlab.exercises import numeric, quiz
from crmlab.rules.checks import CourseInputError
from tests.support import ROOT

COURSE = manifest.load_course()
RAW = yaml.safe_load(manifest.MANIFEST_FILE.read_text(encoding="utf-8"))


def test_the_manifest_agrees_with_the_folders():
    """Is every lesson file, question bank, assignment YAML and source folder listed, does every
    listed one exist, and does each assignment follow a listed lesson, in course order?"""
    assert manifest.problems(ROOT) == []
    assert len(COURSE.lessons) >= 15 and len(COURSE.assignments) >= 5


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=lambda lesson: lesson.stem)
def test_each_lesson_opens_with_the_manifests_heading(lesson):
    """Is the lesson notebook's first line 「# 第N课 title」 with the manifest's title?"""
    notebook = nbformat.read(ROOT / "lessons" / lesson.file, as_version=4)
    assert notebook.cells[0].source.splitlines()[0] == f"# {lesson.heading}"


def test_the_exercise_modules_find_the_manifests_banks():
    """Do the quiz and exercise loaders find exactly the banks the manifest lists, and does each
    quiz bank carry its lesson's title?"""
    assert quiz.lessons() == COURSE.banks("lesson")
    assert numeric.lessons() == COURSE.banks("exercises")
    for number in COURSE.banks("lesson"):
        assert quiz.lesson_title(number) == COURSE.lesson(number).title


def test_the_course_map_is_generated_from_the_manifest():
    """Are lesson 00's map cell, the README's course table and the self-study guide's path
    exactly what `python -m crmlab.course.manifest` makes?"""
    assert manifest.outdated(ROOT) == []
    assert manifest.main(["--check"], ROOT) == 0


def _row_of(lesson, name: str, line: str) -> bool:
    """Is ``line`` the lesson's row of a generated table (the guide numbers its steps from 1, so
    its rows are known by the file name; the notebook's lines are JSON strings)?"""
    if name == "自学指南.md":
        return f"`{lesson.stem}`" in line
    return line.strip().lstrip('"').startswith(f"| {lesson.id} |")


def test_every_assignment_appears_after_its_lesson_in_the_generated_texts():
    """Does each generated text name each assignment in the row of the lesson its YAML says?"""
    assignments = load_assignments(ROOT)
    texts = {path.name: text for path, text in manifest.generated(ROOT).items()}
    for assignment_id in COURSE.assignment_ids:
        lesson = COURSE.lesson(assignments[assignment_id].lesson)
        rows = {name: next(line for line in text.splitlines() if _row_of(lesson, name, line))
                for name, text in texts.items()}
        assert all(assignment_id in row for row in rows.values()), rows


def test_a_lesson_in_two_parts_has_one_number_and_two_headings():
    """Is lesson 03 one number with two notebooks, headed 第三课（上） and 第三课（下）, its banks
    counted once, and does lesson(3) give the first part?"""
    parts = COURSE.parts(3)
    assert [p.heading.split(" ")[0] for p in parts] == ["第三课（上）", "第三课（下）"]
    assert [p.label for p in parts] == ["03（上）", "03（下）"]
    assert COURSE.lesson(3) is parts[0] and COURSE.numbers.count(3) == 1
    assert COURSE.banks("lesson").count(3) == 1


@pytest.mark.parametrize("number", [1, 9, 10, 11, 14, 20, 23, 99])
def test_chinese_numbers(number):
    """Are lesson numbers written the way the lessons' headings write them?"""
    assert manifest.chinese_number(number) == {
        1: "一", 9: "九", 10: "十", 11: "十一", 14: "十四", 20: "二十", 23: "二十三", 99: "九十九",
    }[number]


def _with(change) -> dict:
    data = yaml.safe_load(manifest.MANIFEST_FILE.read_text(encoding="utf-8"))
    change(data)
    return data


BROKEN = [
    (lambda d: d["lessons"][5].pop("title"), "第 4 课（lessons 第 6 项）的「title」应当是一段不空的文字"),
    (lambda d: d["lessons"][5].update(file="04 信用.ipynb"), "课程清单中第 4 课（lessons 第 6 项）的文件名「04 信用.ipynb」"),
    (lambda d: d["lessons"][5].update(file="05_credit.ipynb"), "应当是 04_英文小写名.ipynb"),
    (lambda d: d["lessons"][5].update(banks=["lesson05.yml"]), "题库「lesson05.yml」应当是 lesson04.yml"),
    (lambda d: d["lessons"][5].update(teacher="张"), "第 4 课（lessons 第 6 项）有未知的字段：teacher"),
    (lambda d: d["lessons"][3].update(prepares=["hw09_x"]), "第 3 课的「prepares」中有不在 assignments 里的作业：hw09_x"),
    (lambda d: d["lessons"].pop(7), "第 8 项应当是第 6 课，现在是第 7 课"),
    (lambda d: d["lessons"][2].update(number="二"), "lessons 第 3 项的「number」应当是 0–99 的整数"),
    (lambda d: d["lessons"][4].update(part=3), "第 3 课（lessons 第 5 项）的「part」应当是 1（上）或 2（下）"),
    (lambda d: d["lessons"].pop(3), "第 4 项是第 3 课（下），它的前一项应当是第 3 课（上）"),
    (lambda d: d["lessons"].pop(4), "第 3 课（上）之后应当是第 3 课（下）"),
    (lambda d: d["lessons"][6].update(part=2), "第 7 项是第 5 课（下），它的前一项应当是第 5 课（上）"),
    (lambda d: d["assignments"].append({"id": "hw01_crm_concepts"}), "作业重复出现：hw01_crm_concepts"),
    (lambda d: d["assignments"].append({"id": "作业甲"}),
     f"assignments 第 {len(COURSE.assignments) + 1} 项的作业编号「作业甲」"),
    (lambda d: d.pop("lessons"), "应当有「lessons」"),
]


@pytest.mark.parametrize(("change", "message"), BROKEN, ids=[m for _, m in BROKEN])
def test_a_broken_manifest_is_reported_in_chinese(change, message):
    """Does each mistake give one Chinese message that names the entry?"""
    with pytest.raises(CourseInputError, match=re.escape(message)):
        manifest.parse_course(_with(change))


@pytest.fixture
def scratch(tmp_path):
    """A copy of what the manifest is checked against and generates."""
    for folder in ("lessons", "assignments", "source", "docs", "crmlab/exercises/banks"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("images", "*.csv", "*.py", "__pycache__"))
    (tmp_path / "crmlab" / "course").mkdir(parents=True)
    shutil.copy(manifest.MANIFEST_FILE, tmp_path / "crmlab" / "course" / "course.yml")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    assert manifest.problems(tmp_path) == []
    return tmp_path


def test_folder_mismatches_are_found(scratch):
    """Would an unlisted lesson, a missing bank, a stray source folder and an assignment whose
    lesson is not in the course each be reported?"""
    extra = f"{COURSE.numbers[-1] + 1:02d}_extra.ipynb"  # the lesson after the last one
    shutil.copy(scratch / "lessons" / "14_practice.ipynb", scratch / "lessons" / extra)
    (scratch / "crmlab" / "exercises" / "banks" / "lesson09.yml").unlink()
    (scratch / "source" / "hw06_extra").mkdir()
    assert manifest.problems(scratch) == [
        f"lessons/{extra} 不在课程清单中",
        "课程清单中的 crmlab/exercises/banks/lesson09.yml 不存在",
        "source/hw06_extra 不在课程清单中",
    ]
    (scratch / "lessons" / extra).unlink()
    (scratch / "source" / "hw06_extra").rmdir()
    shutil.copy(ROOT / "crmlab" / "exercises" / "banks" / "lesson09.yml",
                scratch / "crmlab" / "exercises" / "banks")
    hw04 = scratch / "assignments" / "hw04_spin.yml"
    hw04.write_text(hw04.read_text(encoding="utf-8").replace("lesson: 7 ", "lesson: 30 "), encoding="utf-8")
    assert manifest.problems(scratch) == ["assignments/hw04_spin.yml 的「lesson」是 30，课程清单中没有这一课"]
    hw04.write_text(hw04.read_text(encoding="utf-8").replace("lesson: 30 ", "lesson: 2 "), encoding="utf-8")
    ids = COURSE.assignment_ids  # hw04 now follows lesson 2: second, before hw02 (lesson 4)
    order = [ids[0], "hw04_spin", *(i for i in ids[1:] if i != "hw04_spin")]
    assert manifest.problems(scratch) == [f"课程清单中作业的顺序应当按所跟的课排列：{'、'.join(order)}"]


def test_the_command_regenerates_what_was_edited_by_hand(scratch, capsys):
    """After a hand edit of the README's table and a new title in the manifest, does --check
    fail naming the stale files, and does the command bring all three back in line?"""
    readme = scratch / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| 06 | 客户分级管理 |", "| 06 | 分级 |"),
                      encoding="utf-8")
    assert manifest.main(["--check"], scratch) == 1
    assert "README.md 与课程清单不一致" in capsys.readouterr().err
    course_file = scratch / "crmlab" / "course" / "course.yml"
    course_file.write_text(course_file.read_text(encoding="utf-8").replace(
        "topics: 客户拜访、SPIN 四类提问", "topics: 客户拜访、SPIN 四类提问、提问脚本"), encoding="utf-8")
    assert manifest.main([], scratch) == 0
    assert manifest.outdated(scratch) == []
    assert "| 06 | 客户分级管理 |" in readme.read_text(encoding="utf-8")
    guide = nbformat.read(scratch / "lessons" / "00_guide.ipynb", as_version=4)
    assert "SPIN 四类提问、提问脚本" in next(c.source for c in guide.cells if c.id == manifest.MAP_CELL)
    assert (scratch / "README.md").read_text(encoding="utf-8").count(manifest.BEGIN) == 1
