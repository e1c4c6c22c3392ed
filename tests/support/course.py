"""A scratch nbgrader course with a scratch exchange, driven by the real `nbgrader` commands."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from crmlab.course.facts import COURSE_FILES, Course
from crmlab.grading.environment import nbgrader
from crmlab.grading.gradebook import sync_due_dates
from tests.support import ROOT


class ScratchCourse:
    """A copy of the course (config, source, release, assignments) in ``base``."""

    def __init__(self, base: Path):
        self.root = base / "course"
        self.exchange = base / "exchange"
        self.students = base / "students"
        self.root.mkdir(parents=True)
        self.exchange.mkdir()
        for name in COURSE_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, self.root / name)
            else:
                shutil.copy2(source, self.root / name)
        self.env = {"CRMLAB_EXCHANGE": str(self.exchange)}
        self.course_id = Course.load(self.root).id
        sync_due_dates(self.root)

    def release(self, assignment: str):
        """What an instructor does: generate (fills the gradebook), then release to the exchange."""
        self.instructor("generate_assignment", assignment, "--force")
        self.instructor("release_assignment", assignment)

    def instructor(self, *args: str):
        return nbgrader(*args, cwd=self.root, env=self.env)

    def enrol(self, students) -> None:
        """Put ``students`` in the gradebook, as a roster does (``crmlab hub``'s collect takes
        rostered students only)."""
        from nbgrader.api import Gradebook

        from crmlab.grading.gradebook import db_url

        with Gradebook(db_url(self.root)) as gradebook:
            for student in students:
                gradebook.update_or_create_student(student)

    def student_dir(self, student: str) -> Path:
        folder = self.students / student
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def student(self, student: str, *args: str):
        exchange = [f"--Exchange.root={self.exchange}", f"--course={self.course_id}"]
        return nbgrader(*args, *exchange, cwd=self.student_dir(student))

    def fetch_and_submit(self, student: str, assignment: str, answer: Path | None) -> Path:
        """Fetch the released assignment as ``student``, put ``answer`` in place, submit."""
        self.student(student, "fetch_assignment", assignment)
        folder = self.student_dir(student) / assignment
        if answer is not None:
            shutil.copy2(answer, folder / answer.name)
        # One machine plays every student: name the submitter (nbgrader's --student).
        self.student(student, "submit", assignment, f"--student={student}")
        return folder

    def grades(self) -> list[dict]:
        """``nbgrader export`` (the course's plugin: Chinese headings, CSV with a BOM), each row
        keyed by nbgrader's own field names (``student_id``, ``raw_score``...)."""
        from crmlab.grading.export import EXPORT_HEADINGS

        out = self.root / "grades.csv"
        self.instructor("export", f"--to={out}")
        field = {heading: key for key, heading in EXPORT_HEADINGS.items()}
        with out.open(encoding="utf-8-sig", newline="") as handle:
            return [{field[k]: v for k, v in row.items()} for row in csv.DictReader(handle)]
