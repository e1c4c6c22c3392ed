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
