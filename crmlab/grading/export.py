"""nbgrader export plugin: the grades as a table an instructor opens in Excel.

nbgrader's own ``CsvExportPlugin`` writes English headings, UTC times and a plain UTF-8 CSV that
Excel on a Chinese Windows shows garbled. :class:`CourseExportPlugin`, set in
``nbgrader_config.py`` as ``c.ExportApp.plugin_class``, writes one row per student and
assignment with Chinese headings (``EXPORT_HEADINGS``), the student's name, the late penalty
and times in the course's time zone, through :func:`crmlab.data.write_table`: ``nbgrader export
--to=成绩.xlsx`` gives a workbook, any other name a CSV in UTF-8 with a BOM. A text cell that
Excel or LibreOffice would read as a formula (starting with ``=``, ``+``, ``-``, ``@`` or a tab
or carriage return: a 学号 or a name from a roster or the exchange) gets a leading apostrophe and
stays text (:func:`as_text`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

# Also this module's name for it: course folders deployed before the move import it from here.
from crmlab.course.facts import COURSE_TIMEZONE

EXPORT_HEADINGS = {
    "assignment": "作业",
    "duedate": "截止时间",
    "timestamp": "提交时间",
    "student_id": "学号",
    "name": "姓名",
    "email": "邮箱",
    "raw_score": "得分（扣分前）",
    "late_submission_penalty": "迟交扣分",
    "score": "最终得分",
    "max_score": "满分",
}
"""nbgrader's export fields (plus ``name``) → the Chinese headings of the exported table."""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection)."""


def as_text(value: object) -> object:
    """``value``, with an apostrophe before a text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(moment: datetime | None) -> str:
    """A gradebook time (naive UTC) as ``2026-01-10 23:59`` in the course's time zone."""
    if moment is None:
        return ""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(ZoneInfo(COURSE_TIMEZONE)).strftime("%Y-%m-%d %H:%M")


def grade_table(gradebook: Gradebook, assignments: list[str] | None = None,
                students: list[str] | None = None) -> pd.DataFrame:
    """One row per student and assignment, with Chinese headings.

    A student who did not submit gets 0 and an empty submission time, as in nbgrader's export.
    The name is family name then given name, as Chinese writes it.
    """
    rows = []
    for assignment in gradebook.assignments:
        if assignments and assignment.name not in assignments:
            continue
        for student in gradebook.students:
            if students and student.id not in students:
                continue
            row = {
                "assignment": assignment.name,
                "duedate": _local(assignment.duedate),
                "student_id": student.id,
                "name": f"{student.last_name or ''}{student.first_name or ''}",
                "email": student.email or "",
                "max_score": assignment.max_score,
            }
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                row |= {"timestamp": "", "raw_score": 0.0, "late_submission_penalty": 0.0,
                        "score": 0.0}
            else:
                penalty = submission.late_submission_penalty or 0.0
                row |= {"timestamp": _local(submission.timestamp), "raw_score": submission.score,
                        "late_submission_penalty": penalty,
                        "score": max(0.0, submission.score - penalty)}
            rows.append(row)
    table = pd.DataFrame(rows, columns=list(EXPORT_HEADINGS))
    return table.map(as_text).rename(columns=EXPORT_HEADINGS)


class CourseExportPlugin(ExportPlugin):
    """``nbgrader export``: Chinese headings, names and late penalties; ``.xlsx`` or CSV with
    a BOM by the name given with ``--to`` (default ``grades.csv``)."""

    def export(self, gradebook: Gradebook) -> None:
        from crmlab.data import write_table

        dest = self.to or "grades.csv"
        table = grade_table(gradebook, [str(a) for a in self.assignment],
                            [str(s) for s in self.student])
        self.log.info("导出 %d 行成绩到 %s", len(table), dest)
        write_table(table, dest, sheet="成绩")
