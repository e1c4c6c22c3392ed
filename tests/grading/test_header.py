"""Assignment headers: written from assignments/<id>.yml at release, never typed in a source
notebook."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from crmlab.commands.cli import main
from crmlab.course.assignments import load_assignments
from crmlab.grading.header import HEADER_ID, due_text, header_markdown
from crmlab.grading.notebook import Role, grade_id, role
from tests.support import ROOT

ASSIGNMENTS = load_assignments(ROOT)
IDS = sorted(ASSIGNMENTS)

TYPED_HEADER = [
    re.compile(r"\d+\s*年\s*\d+\s*月\s*\d+\s*日"),  # 2026 年 12 月 13 日
    re.compile(r"\d+\s*月\s*\d+\s*日"),
    re.compile(r"20\d\d-\d\d-\d\d"),
    re.compile(r"截止|迟交|满分|最多扣|北京时间"),
    re.compile(r"^# 作业", re.M),
]


def _notebook(folder: str, assignment_id: str, root=ROOT):
    name = f"{ASSIGNMENTS[assignment_id].notebook}.ipynb"
    return nbformat.read(root / folder / assignment_id / name, as_version=4)


@pytest.mark.parametrize("assignment_id", IDS)
def test_no_source_notebook_types_its_header(assignment_id):
    """Does the source notebook leave the title, due date, points and late policy to the YAML?"""
    text = "\n".join(c.source for c in _notebook("source", assignment_id).cells)
    assert [p.pattern for p in TYPED_HEADER if p.search(text)] == []
    assert ASSIGNMENTS[assignment_id].title not in text


@pytest.mark.parametrize("assignment_id", IDS)
def test_release_starts_with_the_header_from_the_yaml(assignment_id):
    """Does the committed release open with a read-only header saying what the YAML says?"""
    assignment = ASSIGNMENTS[assignment_id]
    first = _notebook("release", assignment_id).cells[0]
    assert first.source == header_markdown(assignment)
    assert grade_id(first) == HEADER_ID and role(first) is Role.READ_ONLY
    assert f"# {assignment.title}\n" in first.source
    assert f"| 截止时间 | {due_text(assignment)} |" in first.source


def test_due_text_in_the_course_time_zone():
    """A due date given in another zone is shown in Beijing time, with the weekday."""
    from dataclasses import replace
    from datetime import datetime

    assignment = replace(ASSIGNMENTS[IDS[0]], due=datetime.fromisoformat("2027-01-03T15:59:00+00:00"))
    assert due_text(assignment) == "2027 年 1 月 3 日（周日）23:59（北京时间）"


@pytest.mark.slow
def test_changing_the_yaml_changes_the_released_header(tmp_path):
    """In a scratch copy, a new due date and late policy in the YAML reach the notebook that
    `crmlab release` writes."""
    assignment_id = "hw01_crm_concepts"
    for name in ("nbgrader_config.py", "assignments"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "source" / assignment_id, tmp_path / "source" / assignment_id)
    yaml_file = tmp_path / "assignments" / f"{assignment_id}.yml"
    text = yaml_file.read_text(encoding="utf-8")
    old_due = ASSIGNMENTS[assignment_id].due.isoformat()
    assert f'due: "{old_due}"' in text
    text = text.replace(f'due: "{old_due}"', 'due: "2027-02-03T18:30:00+08:00"')
    text = text.replace("late_policy: {per_day: 0.1, max: 0.5}", "late_policy: {per_day: 0.2, max: 0.6}")
    yaml_file.write_text(text, encoding="utf-8")

    assert main(["release", assignment_id, "--course", str(tmp_path)]) == 0
    header = _notebook("release", assignment_id, tmp_path).cells[0].source
    assert "| 截止时间 | 2027 年 2 月 3 日（周三）18:30（北京时间） |" in header
    assert "扣该次得分的 20%，最多扣 60%" in header
    assert due_text(ASSIGNMENTS[assignment_id]) not in header


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_a_simulated_students_notebook_starts_with_the_released_header(assignment):
    """The demo's students hand in the released notebook: its first cell is the header cell
    the release wrote, unchanged (a read-only cell nbgrader checks)."""
    from crmlab.commands.classroom import Student, student_work

    source = next((ROOT / "source" / assignment).glob("*.ipynb"))
    handed_in = nbformat.reads(student_work(source, Student("s1", "王子涵", 1.0), 1), as_version=4)
    released = nbformat.read(ROOT / "release" / assignment / source.name, as_version=4)
    assert grade_id(handed_in.cells[0]) == grade_id(released.cells[0]) == HEADER_ID
    assert handed_in.cells[0].source == released.cells[0].source
