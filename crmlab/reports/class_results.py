"""The class results report (``reports/class_results.ipynb``): the course's nbgrader gradebook,
read by the course tooling (:func:`crmlab.grading.gradebook.read_gradebook`, which follows the
configured ``db_url``), turned into the report's tables: results, cell difficulty, test pass
rates, written marks and late submissions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crmlab.reports.parameters import ReportParameterError, about, as_text, coerce_value
from crmlab.rules.checks import CourseInputError, as_number

if TYPE_CHECKING:
    from crmlab.grading.gradebook import GradebookRecords

NOT_SUBMITTED = "未提交"
"""The status of a student who did not submit an assignment (scored 0)."""


@dataclass
class ClassInputs:
    """Checked parameters and the gradebook of the class results report."""

    course_dir: Path
    database: Path | str  # the SQLite file, or the database URL without its password
    assignments: list[str]  # the assignments reported on
    threshold: float
    records: GradebookRecords = field(repr=False)


def gradebook_path(course_dir: object) -> Path | str:
    """The gradebook of the course in ``course_dir`` (``""``: the current folder), as its
    nbgrader configuration names it (:func:`crmlab.grading.gradebook.gradebook_location`): the
    SQLite file, or the database's URL. A missing SQLite file raises with what to do."""
    from crmlab.grading.gradebook import gradebook_location

    folder = Path(as_text("course_dir", course_dir) or ".").expanduser()
    try:
        return gradebook_location(folder)
    except CourseInputError as error:
        raise ReportParameterError(
            f"{error}：请先运行 make demo 或指定 course_dir（nbgrader 课程目录）", "course_dir"
        ) from None


def class_results_inputs(course_dir: object, assignment: object,
                         threshold: object) -> ClassInputs:
    """Check the class results report's parameters and read the gradebook."""
    from crmlab.grading.gradebook import read_gradebook, without_password

    database = gradebook_path(course_dir)
    shown = database if isinstance(database, Path) else without_password(database)
    pass_mark = coerce_value("threshold", threshold, "float")
    with about("threshold"):
        as_number(pass_mark, "及格线（threshold，百分制）", minimum=0, maximum=100)
    wanted = as_text("assignment", assignment)
    try:
        records = read_gradebook(database=database)
    except CourseInputError as error:
        raise ReportParameterError(str(error), "course_dir") from None
    known = list(records.assignments["assignment"])
    if not known:
        raise ReportParameterError(f"成绩库 {shown} 中还没有任何作业", "assignment")
    if wanted and wanted not in known:
        raise ReportParameterError(
            f"参数 assignment：成绩库中没有作业「{wanted}」。已有的作业：{'、'.join(known)}",
            "assignment")
    folder = Path(as_text("course_dir", course_dir) or ".").expanduser()
    return ClassInputs(folder, shown, [wanted] if wanted else known, pass_mark, records)


def results_table(inputs: ClassInputs) -> pd.DataFrame:
    """Every student × reported assignment: score, percent and status (a missing submission
    counts 0, as nbgrader's export does); ``below`` marks a percent under the threshold."""
    from crmlab.grading.gradebook import MANUAL

    records = inputs.records
    grid = pd.MultiIndex.from_product(
        [inputs.assignments, records.students["student_id"]], names=["assignment", "student_id"])
    subs = records.submissions.set_index(["assignment", "student_id"])
    table = subs.reindex(grid)[["score", "max_score", "percent", "seconds_late", "penalty"]]
    submitted = table["percent"].notna() | table["max_score"].notna()
    maxima = records.assignments.set_index("assignment")["max_score"]
    table["max_score"] = grid.get_level_values("assignment").map(maxima).to_numpy()
    table[["score", "percent", "penalty", "seconds_late"]] = (
        table[["score", "percent", "penalty", "seconds_late"]].fillna(0.0))
    waiting = (records.grades[(records.grades["kind"] == MANUAL) & ~records.grades["graded"]]
               .groupby(["assignment", "student_id"]).size().reindex(grid, fill_value=0))
    status = np.where(table["seconds_late"] > 0, "迟交", "按时")
    status = np.where(waiting.to_numpy() > 0, np.char.add(status.astype(str), "，有题待人工评分"),
                      status)
    table["status"] = np.where(submitted, status, NOT_SUBMITTED)
    table["below"] = table["percent"] < inputs.threshold
    table = table.reset_index()
    names = records.students.set_index("student_id")["name"]
    table.insert(2, "name", table["student_id"].map(names).fillna(""))
    return table


def cell_difficulty(inputs: ClassInputs) -> pd.DataFrame:
    """Per grade cell: submissions, mean score, max and difficulty (mean ÷ max; lower is
    harder), hardest first."""
    from crmlab.grading.gradebook import KIND_LABELS

    grades = _selected(inputs.records.grades, inputs)
    grades = grades[grades["graded"]]
    table = (grades.groupby(["assignment", "notebook", "cell", "kind"], sort=False)
             .agg(n=("score", "size"), mean=("score", "mean"), max_score=("max_score", "first"))
             .reset_index())
    table["difficulty"] = table["mean"] / table["max_score"].where(table["max_score"] > 0)
    table["kind"] = table["kind"].map(KIND_LABELS)
    return table.sort_values("difficulty", kind="stable").reset_index(drop=True)


def item_analysis(inputs: ClassInputs) -> pd.DataFrame:
    """Pass rate of each autograded test cell: the share of submissions with full marks."""
    from crmlab.grading.gradebook import AUTO

    grades = _selected(inputs.records.grades, inputs)
    tests = grades[(grades["kind"] == AUTO) & grades["graded"]].copy()
    tests["passed"] = tests["score"] >= tests["max_score"] - 1e-9
    table = (tests.groupby(["assignment", "notebook", "cell"], sort=False)
             .agg(n=("passed", "size"), passed=("passed", "sum"), max_score=("max_score", "first"))
             .reset_index())
    table["pass_rate"] = table["passed"] / table["n"]
    return table.sort_values("pass_rate", kind="stable").reset_index(drop=True)


def written_marks(inputs: ClassInputs) -> pd.DataFrame:
    """Manually graded cells: how many are graded and still waiting, and the marks' mean,
    standard deviation, minimum and maximum."""
    from crmlab.grading.gradebook import MANUAL

    grades = _selected(inputs.records.grades, inputs)
    manual = grades[grades["kind"] == MANUAL]
    graded = manual["score"].where(manual["graded"])
    table = (manual.assign(mark=graded)
             .groupby(["assignment", "notebook", "cell"], sort=False)
             .agg(graded=("mark", "count"), waiting=("graded", lambda g: int((~g).sum())),
                  max_score=("max_score", "first"), mean=("mark", "mean"),
                  std=("mark", "std"), low=("mark", "min"), high=("mark", "max"))
             .reset_index())
    return table


def late_submissions(inputs: ClassInputs) -> pd.DataFrame:
    """Submissions after the due date: days late and the late penalty, latest first."""
    subs = _selected(inputs.records.submissions, inputs)
    late = subs[subs["seconds_late"] > 0].copy()
    late["days_late"] = late["seconds_late"] / 86_400
    names = inputs.records.students.set_index("student_id")["name"]
    late["name"] = late["student_id"].map(names).fillna("")
    columns = ["assignment", "student_id", "name", "timestamp", "days_late", "raw_score",
               "penalty", "score"]
    return late.sort_values("seconds_late", ascending=False)[columns].reset_index(drop=True)


def _selected(table: pd.DataFrame, inputs: ClassInputs) -> pd.DataFrame:
    return table[table["assignment"].isin(inputs.assignments)]
