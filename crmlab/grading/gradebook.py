"""The course's nbgrader gradebook: where it is, what goes in, and reading it back.

Where: :func:`db_url` and :func:`gradebook_location` follow nbgrader's own configuration
(``CourseDirectory.db_url``, e.g. PostgreSQL on a hub), else ``gradebook.db`` in the course
folder. In: nbgrader 0.9 keeps due dates only in the gradebook (``nbgrader db assignment add
--duedate``) and computes late penalties from them; :func:`sync_due_dates` does the same for
every ``assignments/*.yml`` at once, and :func:`apply_marks` enters hand-graded marks from a
table. Out: :func:`read_gradebook` reads the whole gradebook into tables without changing it
(the class results report uses it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook

from crmlab.course.assignments import Assignment, load_assignments
from crmlab.course.facts import load_nbgrader_config
from crmlab.grading.environment import use_environment
from crmlab.grading.notebook import HAND_GRADED, role_of
from crmlab.rules.checks import CourseInputError

GRADEBOOK_FILE = "gradebook.db"
"""nbgrader's gradebook in the course folder, unless ``CourseDirectory.db_url`` says otherwise."""

BUSY_TIMEOUT_SECONDS = 300
"""How long a SQLite writer waits for another process's lock before giving up."""


def db_url(course_dir: Path, config=None) -> str:
    """The course's gradebook: ``CourseDirectory.db_url`` as nbgrader's configuration sets it
    (``config``, else :func:`load_nbgrader_config`: e.g. PostgreSQL for a large course or a hub),
    else ``gradebook.db`` in the course folder. SQLite gets a busy timeout so that concurrent
    graders queue instead of failing."""
    config = load_nbgrader_config(course_dir) if config is None else config
    section = config.get("CourseDirectory", {})
    url = str(section.get("db_url", "") or "") or f"sqlite:///{Path(course_dir).resolve() / GRADEBOOK_FILE}"
    if url.startswith("sqlite") and "?" not in url:
        url += f"?timeout={BUSY_TIMEOUT_SECONDS}"
    return url


def sync_due_dates(course_dir: Path, url: str | None = None) -> list[Assignment]:
    """Create or update each assignment in the gradebook with its due date (stored as UTC)."""
    assignments = list(load_assignments(course_dir).values())
    use_environment()
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

    name = Path(str(marks_file)).name
    marks = read_table(marks_file, sheet=sheet, text_columns=(*MARK_COLUMNS, "comment"))
    missing = [c for c in MARK_COLUMNS if c not in marks.columns]
    if missing:
        raise CourseInputError(f"{name} 缺少列：{'、'.join(missing)}")
    marks = marks.fillna("")
    use_environment()
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


# --------------------------------------------------------------------------------------------
# Reading the gradebook
# --------------------------------------------------------------------------------------------

AUTO, MANUAL = "auto", "manual"
"""How a grade cell is graded: by its tests (nbgrader autograde) or by hand (Formgrader)."""
KIND_LABELS = {AUTO: "自动评分测试", MANUAL: "人工评分"}


def gradebook_location(course_dir: Path) -> Path | str:
    """The course's gradebook as its nbgrader configuration names it (:func:`db_url`, so a
    database set in ``~/.jupyter`` or on a hub, PostgreSQL included, counts): the SQLite file,
    or a database server's URL. A folder that does not exist has no configuration: its
    ``gradebook.db`` is named. A SQLite file that does not exist raises CourseInputError."""
    folder = Path(course_dir)
    url = db_url(folder) if folder.is_dir() else ""
    if url and not url.startswith("sqlite:///"):
        return url
    database = Path(url.removeprefix("sqlite:///").split("?", 1)[0]) if url else folder / GRADEBOOK_FILE
    if not database.is_file():
        raise CourseInputError(f"找不到成绩库 {database}（nbgrader 的 {GRADEBOOK_FILE}）", "成绩库")
    return database


def without_password(url: str) -> str:
    """A database URL as it may be shown: ``postgresql://grader:***@host/db``."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


@dataclass
class GradebookRecords:
    """A gradebook read into tables (nothing is written to it).

    ``assignments``: assignment, duedate, max_score. ``students``: student_id, name.
    ``submissions``: assignment, student_id, timestamp, seconds_late, raw_score, penalty,
    score (raw − penalty, not below 0), max_score, percent. ``grades``: assignment, notebook,
    cell, kind (``AUTO`` / ``MANUAL``), cell_type, student_id, score, max_score, graded.
    """

    assignments: pd.DataFrame
    students: pd.DataFrame
    submissions: pd.DataFrame
    grades: pd.DataFrame


def read_gradebook(course_dir: Path | None = None, *,
                   database: Path | str | None = None) -> GradebookRecords:
    """Read the course's gradebook through ``nbgrader.api.Gradebook``, without changing it.

    ``database`` is a SQLite file (opened read-only) or a database URL such as
    ``postgresql://...``; by default the one the configuration of ``course_dir`` names
    (:func:`gradebook_location`). A missing, damaged or foreign database raises
    CourseInputError."""
    if database is None:
        database = gradebook_location(Path(course_dir or "."))
    if isinstance(database, Path):
        url = f"sqlite:///file:{database.resolve()}?mode=ro&uri=true"
        shown = str(database)
    else:
        url, shown = database, without_password(database)
    try:
        # course_id "" makes Gradebook look the course up without ever adding one
        with Gradebook(url, course_id="") as gradebook:
            return _records(gradebook)
    except Exception as error:  # noqa: BLE001 - a damaged or foreign file: say so, in Chinese
        if isinstance(error, CourseInputError):
            raise
        raise CourseInputError(
            f"无法读取成绩库 {shown}：{type(error).__name__}: {error}", "成绩库") from None


def _records(gradebook: Gradebook) -> GradebookRecords:
    assignments, submissions, grades = [], [], []
    for assignment in gradebook.assignments:
        kinds, maxima = {}, {}
        for notebook in assignment.notebooks:
            answers = {cell.name for cell in notebook.solution_cells}
            for cell in notebook.grade_cells:
                role = role_of(grade=True, solution=cell.name in answers)
                kinds[cell.id] = (MANUAL if role in HAND_GRADED else AUTO, cell.cell_type)
                maxima[cell.id] = float(cell.max_score)
            for cell in notebook.task_cells:
                role = role_of(grade=False, solution=False, task=True)
                kinds[cell.id] = (MANUAL if role in HAND_GRADED else AUTO, cell.cell_type)
                maxima[cell.id] = float(cell.max_score)
        assignments.append({"assignment": assignment.name, "duedate": assignment.duedate,
                            "max_score": sum(maxima.values())})
        for submission in assignment.submissions:
            submissions.append({
                "assignment": assignment.name, "student_id": submission.student_id,
                "timestamp": submission.timestamp,
                "seconds_late": float(submission.total_seconds_late),
                "raw_score": float(submission.score or 0.0),
                "penalty": float(submission.late_submission_penalty or 0.0)})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    kind, cell_type = kinds[grade.cell_id]
                    graded = grade.manual_score is not None or (
                        grade.auto_score is not None and not grade.needs_manual_grade)
                    grades.append({
                        "assignment": assignment.name, "notebook": notebook.name,
                        "cell": grade.cell.name, "kind": kind, "cell_type": cell_type,
                        "student_id": submission.student_id, "score": float(grade.score or 0.0),
                        "max_score": maxima[grade.cell_id], "graded": graded})
    students = pd.DataFrame(
        [{"student_id": s.id, "name": " ".join(p for p in (s.last_name, s.first_name) if p)}
         for s in gradebook.students], columns=["student_id", "name"]).sort_values("student_id")
    table = pd.DataFrame(assignments, columns=["assignment", "duedate", "max_score"])
    subs = pd.DataFrame(submissions, columns=["assignment", "student_id", "timestamp",
                                              "seconds_late", "raw_score", "penalty"])
    subs["max_score"] = subs["assignment"].map(table.set_index("assignment")["max_score"])
    subs["score"] = (subs["raw_score"] - subs["penalty"]).clip(lower=0)
    subs["percent"] = 100 * subs["score"] / subs["max_score"].where(subs["max_score"] > 0)
    columns = ["assignment", "notebook", "cell", "kind", "cell_type", "student_id", "score",
               "max_score", "graded"]
    return GradebookRecords(table, students, subs, pd.DataFrame(grades, columns=columns))
