"""Put the assignments of ``assignments/*.yml``, with their due dates, into nbgrader's gradebook.

nbgrader 0.9 keeps due dates only in the gradebook (``nbgrader db assignment add --duedate``);
late penalties are computed from them. This does the same for every YAML file at once.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC
from pathlib import Path

from nbgrader.api import Gradebook

from crmlab.course.assignments import Assignment, load_assignments


def environment_path() -> str:
    """PATH with this environment's bin/ first.

    nbgrader runs the ``alembic`` command of its environment when it creates a gradebook, so
    that command must be found even when the environment is not activated.
    """
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def default_db_url(course_dir: Path) -> str:
    return f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}"


def sync_due_dates(course_dir: Path, db_url: str | None = None) -> list[Assignment]:
    """Create or update each assignment in the gradebook with its due date (stored as UTC)."""
    assignments = list(load_assignments(course_dir).values())
    os.environ["PATH"] = environment_path()
    with Gradebook(db_url or default_db_url(course_dir)) as gradebook:
        for assignment in assignments:
            due = assignment.due.astimezone(UTC).replace(tzinfo=None)
            gradebook.update_or_create_assignment(assignment.id, duedate=due)
    return assignments


MARK_COLUMNS = ("student_id", "assignment", "notebook", "grade_id", "score")
"""Columns of a marks file (``comment`` is optional)."""


def apply_marks(course_dir: Path, marks_csv: Path, db_url: str | None = None) -> int:
    """Enter hand-graded marks from a CSV into the gradebook, as Formgrader would.

    Each row names a student, an assignment, a notebook, the grade_id of a hand-graded cell and
    the score (with an optional comment). Every row is checked before anything is written: an
    unknown cell or submission, or a score outside 0..max, is refused with a Chinese message
    naming the CSV line. Returns the number of marks entered.
    """
    import pandas as pd
    from nbgrader.api import MissingEntry

    from crmlab.checks import CourseInputError

    marks = pd.read_csv(marks_csv, dtype={"student_id": str, "score": float}, keep_default_na=False)
    missing = [c for c in MARK_COLUMNS if c not in marks.columns]
    if missing:
        raise CourseInputError(f"{Path(marks_csv).name} 缺少列：{'、'.join(missing)}")
    os.environ["PATH"] = environment_path()
    with Gradebook(db_url or default_db_url(course_dir)) as gradebook:
        entries = []
        for index, row in marks.iterrows():
            line = index + 2
            try:
                grade = gradebook.find_grade(row["grade_id"], row["notebook"], row["assignment"],
                                             row["student_id"])
            except MissingEntry:
                raise CourseInputError(
                    f"{Path(marks_csv).name} 第 {line} 行：找不到 {row['student_id']} 在 "
                    f"{row['assignment']}/{row['notebook']} 中的评分单元格 {row['grade_id']}"
                ) from None
            if not 0 <= row["score"] <= grade.max_score:
                raise CourseInputError(
                    f"{Path(marks_csv).name} 第 {line} 行：分数 {row['score']:g} 超出 0–{grade.max_score:g}"
                )
            entries.append((grade, row))
        for grade, row in entries:
            grade.manual_score = float(row["score"])
            comment_text = str(row.get("comment", "") or "")
            if comment_text:
                comment = gradebook.find_comment(row["grade_id"], row["notebook"],
                                                 row["assignment"], row["student_id"])
                comment.manual_comment = comment_text
        gradebook.db.commit()
    return len(entries)
