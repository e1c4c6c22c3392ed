"""A small real gradebook, as nbgrader leaves it after autograde and some manual grading: two
assignments, four students, one late submission, one written answer not graded yet."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crmlab.course.facts import Course
from crmlab.grading.environment import environment_path
from tests.support import ROOT

DUE = {"hw01": datetime(2026, 1, 10, 15, 59), "hw02": datetime(2026, 1, 20, 15, 59)}
CELLS = {  # assignment → (grade cell, points, graded by)
    "hw01": [("q1_test", 2, "auto"), ("q2_test", 3, "auto"), ("q3_written", 5, "manual")],
    "hw02": [("p1_test", 4, "auto"), ("p2_test", 6, "auto")],
}
STUDENTS = {"s01": ("张", "伟"), "s02": ("李", "娜"), "s03": ("王", "芳"), "s04": ("刘", "洋")}
SUBMISSIONS = {  # (assignment, student) → (scores; None = not graded yet, hours after due)
    ("hw01", "s01"): ({"q1_test": 2, "q2_test": 3, "q3_written": 5}, -2),
    ("hw01", "s02"): ({"q1_test": 2, "q2_test": 0, "q3_written": 3}, -2),
    ("hw01", "s03"): ({"q1_test": 0, "q2_test": 0, "q3_written": None}, -2),
    ("hw01", "s04"): ({"q1_test": 2, "q2_test": 3, "q3_written": 4}, 28),
    ("hw02", "s01"): ({"p1_test": 4, "p2_test": 6}, -1),
    ("hw02", "s02"): ({"p1_test": 4, "p2_test": 0}, -1),
    ("hw02", "s03"): ({"p1_test": 0, "p2_test": 0}, -1),
}  # s04 never submitted hw02
LATE_PENALTY = {("hw01", "s04"): 2.0}


def build_gradebook(course: Path) -> Path:
    """A gradebook as nbgrader leaves it after autograde and some manual grading."""
    from nbgrader.api import Gradebook

    course.mkdir(parents=True)
    database = course / "gradebook.db"
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        patch.setenv("PATH", environment_path())  # nbgrader runs `alembic` for a new database
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes inside add_submission
        with Gradebook(f"sqlite:///{database}", course_id=Course.load(ROOT).id) as gradebook:
            for student, (last, first) in STUDENTS.items():
                gradebook.add_student(student, last_name=last, first_name=first)
            for name, cells in CELLS.items():
                gradebook.add_assignment(name, duedate=DUE[name])
                gradebook.add_notebook(name, name)
                for cell, points, by in cells:
                    gradebook.add_grade_cell(cell, name, name, max_score=points,
                                             cell_type="markdown" if by == "manual" else "code")
                    if by == "manual":
                        gradebook.add_solution_cell(cell, name, name)
            for (name, student), (scores, hours) in SUBMISSIONS.items():
                gradebook.add_submission(name, student, timestamp=DUE[name] + timedelta(hours=hours))
                for cell, _, by in CELLS[name]:
                    grade = gradebook.find_grade(cell, name, name, student)
                    if by == "auto":
                        grade.auto_score, grade.needs_manual_grade = scores[cell], False
                    else:
                        grade.manual_score = scores[cell]
                        grade.needs_manual_grade = scores[cell] is None
                submitted = gradebook.find_submission_notebook(name, name, student)
                submitted.late_submission_penalty = LATE_PENALTY.get((name, student), 0.0)
            gradebook.db.commit()
    return database
