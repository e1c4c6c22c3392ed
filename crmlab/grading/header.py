"""Each released assignment's header, written from its YAML at release.

An assignment's title, due date, points and late policy live in ``assignments/<id>.yml`` only;
the source notebook starts with its first paragraph. :class:`AssignmentHeader` takes the place
of nbgrader's ``IncludeHeaderFooter`` in ``GenerateAssignment.preprocessors`` (see
``nbgrader_config.py``) and, as that one puts a header notebook's cells first, puts one
read-only cell first: the title, the lesson it follows (its heading in the course manifest),
the due date in the course's time zone, the points and the late policy. A teacher's own
``IncludeHeaderFooter.header`` / ``footer`` notebooks still come in as nbgrader adds them.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
from nbgrader.preprocessors import IncludeHeaderFooter
from traitlets import Unicode

from crmlab.course.assignments import Assignment, load_assignment
from crmlab.course.facts import COURSE_TIMEZONE
from crmlab.grading.notebook import read_only_markdown

HEADER_ID = "assignment_header"
"""The grade_id of the header cell (read-only, like the notebook's other instructions)."""

WEEKDAYS = "一二三四五六日"
ZONE_NAMES = {"Asia/Shanghai": "北京时间"}


def due_text(assignment: Assignment, zone: str = COURSE_TIMEZONE) -> str:
    """``2026 年 12 月 13 日（周日）23:59（北京时间）``: the due date in the course's zone."""
    due = assignment.due.astimezone(ZoneInfo(zone))
    return (f"{due.year} 年 {due.month} 月 {due.day} 日（周{WEEKDAYS[due.weekday()]}）"
            f"{due:%H:%M}（{ZONE_NAMES.get(zone, zone)}）")


def lesson_heading(lesson: int) -> str:
    """The lesson's heading (``第四课 客户信用评估与控制``), from the course manifest."""
    from crmlab.course.manifest import load_course

    return load_course().lesson(lesson).heading


def header_markdown(assignment: Assignment) -> str:
    """The header cell's Markdown."""
    return "\n".join([
        f"# {assignment.title}",
        "",
        "| | |",
        "|---|---|",
        f"| 配套课程 | {lesson_heading(assignment.lesson)} |",
        f"| 截止时间 | {due_text(assignment)} |",
        f"| 满分 | **{assignment.points:g} 分**：自动评分 {assignment.points_auto:g} 分 + "
        f"教师评阅 {assignment.points_manual:g} 分 |",
        f"| 迟交 | {assignment.late_policy.describe()} |",
    ])


def header_cell(assignment: Assignment) -> nbformat.NotebookNode:
    return read_only_markdown(header_markdown(assignment), HEADER_ID)


def add_header(nb: nbformat.NotebookNode, assignments_dir: Path, assignment_id: str) -> None:
    """Put the header cell of ``assignment_id`` first in ``nb``, as the release does (nothing
    when the assignment has no ``assignments_dir/<id>.yml``)."""
    path = assignments_dir / f"{assignment_id}.yml"
    if assignment_id and path.is_file():
        nb.cells.insert(0, header_cell(load_assignment(path)))


class AssignmentHeader(IncludeHeaderFooter):
    """nbgrader's header/footer preprocessor, plus a header cell made from the assignment's
    YAML (an assignment without one gets none)."""

    assignments_dir = Unicode("assignments", help="The folder of the assignments' YAML files, "
                              "relative to the root of the course directory").tag(config=True)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        add_header(nb, Path(self.assignments_dir), resources.get("nbgrader", {}).get("assignment", ""))
        return nb, resources


def generate_preprocessors() -> list:
    """nbgrader's generate_assignment preprocessors with IncludeHeaderFooter replaced by
    :class:`AssignmentHeader`."""
    from nbgrader.converters import GenerateAssignment

    default = GenerateAssignment.class_traits()["preprocessors"].default()
    return [AssignmentHeader if step is IncludeHeaderFooter else step for step in default]
