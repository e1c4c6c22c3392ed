"""The course steps of ``crmlab hub`` that read the course's ``nbgrader_config.py``, run as an
instructor's account (``layout.as_instructor``), never as root.

``python -m crmlab.commands.hub.coursework COURSE`` with the students as JSON on its input
(``[{"id": "jupyter-<学号>", "name": "姓名"}, …]``): a new gradebook gets each assignment
(nbgrader's ``generate_assignment``) and its due date; every start enrols the roster's students
with their names, so that Formgrader and the exported marks show them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def prepare(course: Path, students: list[dict]) -> None:
    from nbgrader.api import Gradebook

    from crmlab.grading.environment import nbgrader
    from crmlab.grading.gradebook import GRADEBOOK_FILE, db_url, sync_due_dates
    from crmlab.grading.release import assignment_ids

    if not (course / GRADEBOOK_FILE).exists():
        # release/ comes out as committed (crmlab check-release); the gradebook gets each
        # assignment's notebooks and cells, which autograde needs.
        for assignment in assignment_ids(course):
            nbgrader("generate_assignment", assignment, "--force", cwd=course)
        sync_due_dates(course)
    with Gradebook(db_url(course)) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student["id"], last_name=student["name"])


if __name__ == "__main__":
    from crmlab.rules.checks import CourseInputError

    try:
        prepare(Path(sys.argv[1]), json.load(sys.stdin))
    except CourseInputError as error:
        print(error)
        sys.exit(1)
