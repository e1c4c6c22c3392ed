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


BUSY_TIMEOUT_SECONDS = 300
"""How long a SQLite writer waits for another process's lock before giving up."""


def load_nbgrader_config(course_dir: Path):
    """The nbgrader configuration of the course in ``course_dir``, loaded by nbgrader's own
    loader as an ``nbgrader`` command run in that folder loads it: ``nbgrader_config.py`` (or
    ``.json``) from every Jupyter config path (``jupyter --paths``: ``~/.jupyter`` or
    ``$JUPYTER_CONFIG_DIR``, ``<prefix>/etc/jupyter``, ``/usr/local/etc/jupyter``,
    ``/etc/jupyter``, where a hub puts its settings), then the course folder's own
    ``nbgrader_config.py``, which wins. Returns a ``traitlets`` ``Config``."""
    import logging

    from jupyter_core.application import JupyterApp
    from nbgrader.apps.baseapp import NbGrader

    app = NbGrader()
    app.log.setLevel(logging.ERROR)  # "no nbgrader_config.py found" is not news here
    app.load_cwd_config = False
    app.load_config_file()
    # What NbGrader.load_config_file does for the current folder, for the course folder.
    super(JupyterApp, app).load_config_file(app.config_file_name, path=str(Path(course_dir)))
    return app.config


def db_url(course_dir: Path) -> str:
    """The course's gradebook: ``CourseDirectory.db_url`` as nbgrader's configuration sets it
    (:func:`load_nbgrader_config`: e.g. PostgreSQL for a large course or a hub), else ``gradebook.db``
    in the course folder. SQLite gets a busy timeout so that concurrent graders queue instead
    of failing."""
    section = load_nbgrader_config(course_dir).get("CourseDirectory", {})
    url = str(section.get("db_url", "") or "") or f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}"
    if url.startswith("sqlite") and "?" not in url:
        url += f"?timeout={BUSY_TIMEOUT_SECONDS}"
    return url


def sync_due_dates(course_dir: Path, url: str | None = None) -> list[Assignment]:
    """Create or update each assignment in the gradebook with its due date (stored as UTC)."""
    assignments = list(load_assignments(course_dir).values())
    os.environ["PATH"] = environment_path()
    with Gradebook(url or db_url(course_dir)) as gradebook:
        for assignment in assignments:
            due = assignment.due.astimezone(UTC).replace(tzinfo=None)
            gradebook.update_or_create_assignment(assignment.id, duedate=due)
    return assignments


MARK_COLUMNS = ("student_id", "assignment", "notebook", "grade_id", "score")
"""Columns of a marks file (``comment`` is optional)."""


def apply_marks(course_dir: Path, marks_file: Path | str, url: str | None = None, *,
                sheet: str | None = None) -> int:
    """Enter hand-graded marks from a table (CSV or ``.xlsx``) into the gradebook, as Formgrader
    would.

    Each row names a student, an assignment, a notebook, the grade_id of a hand-graded cell and
    the score (with an optional comment). Every row is checked before anything is written: an
    unknown cell or submission, or a score outside 0..max, is refused with a Chinese message
    naming the row and column as Excel shows them. Returns the number of marks entered.
    """
    from nbgrader.api import MissingEntry

    from crmlab.data import cell_name, read_table
    from crmlab.rules.checks import CourseInputError

    name = Path(str(marks_file)).name
    marks = read_table(marks_file, sheet=sheet, text_columns=(*MARK_COLUMNS, "comment"))
    missing = [c for c in MARK_COLUMNS if c not in marks.columns]
    if missing:
        raise CourseInputError(f"{name} 缺少列：{'、'.join(missing)}")
    marks = marks.fillna("")
    os.environ["PATH"] = environment_path()
    with Gradebook(url or db_url(course_dir)) as gradebook:
        entries = []
        for index, row in marks.iterrows():
            where = f"{name} 第 {index + 2} 行"
            try:
                score = float(row["score"])
            except ValueError:
                raise CourseInputError(
                    f"{name} {cell_name(marks, index, 'score')}：分数应为数字，现在是 {row['score']!r}"
                ) from None
            try:
                grade = gradebook.find_grade(row["grade_id"], row["notebook"], row["assignment"],
                                             row["student_id"])
            except MissingEntry:
                raise CourseInputError(
                    f"{where}：找不到 {row['student_id']} 在 "
                    f"{row['assignment']}/{row['notebook']} 中的评分单元格 {row['grade_id']}"
                ) from None
            if not 0 <= score <= grade.max_score:
                raise CourseInputError(
                    f"{name} {cell_name(marks, index, 'score')}：分数 {score:g} 超出 0–{grade.max_score:g}")
            entries.append((grade, row, score))
        for grade, row, score in entries:
            grade.manual_score = score
            grade.needs_manual_grade = False  # as Formgrader does when a score is entered
            comment_text = str(row.get("comment", "") or "")
            if comment_text:
                comment = gradebook.find_comment(row["grade_id"], row["notebook"],
                                                 row["assignment"], row["student_id"])
                comment.manual_comment = comment_text
        gradebook.db.commit()
    return len(entries)
