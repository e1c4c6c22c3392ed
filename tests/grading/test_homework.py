"""Homework as a teacher would set it: each names the lesson it follows, speaks the glossary's
terms in 「」 quotes, and hw05 counts a survey the way lesson 10 and crmlab.rules.survey do."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from crmlab.course import glossary
from crmlab.course.assignments import load_assignments
from crmlab.course.manifest import load_course
from crmlab.grading.notebook import Role, SourceNotebook, grade_id, role
from crmlab.rules import grading, survey
from tests.support import ROOT
from tests.support.course import ScratchCourse

ASSIGNMENTS = load_assignments(ROOT)
COURSE = load_course()
LESSONS = {lesson.number: ROOT / "lessons" / lesson.file for lesson in COURSE.lessons}
TERMS = glossary.load_glossary()


def _source(assignment_id: str) -> Path:
    return ROOT / "source" / assignment_id / f"{ASSIGNMENTS[assignment_id].notebook}.ipynb"


def _text(assignment_id: str) -> str:
    return "\n".join(c.source for c in nbformat.read(_source(assignment_id), as_version=4).cells)


@pytest.mark.parametrize("assignment_id", sorted(ASSIGNMENTS))
def test_homework_names_the_lesson_it_follows(assignment_id):
    """Does the released notebook's 配套课程 line (written from the YAML at release) give the
    first line of the YAML's lesson notebook, and does that lesson exist?"""
    lesson = ASSIGNMENTS[assignment_id].lesson
    assert lesson in LESSONS
    heading = nbformat.read(LESSONS[lesson], as_version=4).cells[0].source.splitlines()[0]
    released = ROOT / "release" / assignment_id / _source(assignment_id).name
    header = nbformat.read(released, as_version=4).cells[0].source
    assert f"| 配套课程 | {heading.lstrip('# ')} |" in header.splitlines()


@pytest.mark.parametrize("assignment_id", sorted(ASSIGNMENTS))
def test_homework_uses_the_glossary_terms_and_corner_quotes(assignment_id):
    """No spelling the glossary says to avoid (被动者, 基础等级 …) and no “” quotes in the
    notebook or its YAML rubric."""
    text = _text(assignment_id)
    rubric = (ROOT / "assignments" / f"{assignment_id}.yml").read_text(encoding="utf-8")
    assert glossary.variant_uses(TERMS, text + rubric) == []
    assert re.findall("[“”‘’]", text + rubric) == []


PREPARED = [(lesson.number, i) for lesson in COURSE.lessons for i in lesson.prepares]


@pytest.mark.parametrize(("lesson", "assignment_id"), PREPARED)
def test_homework_points_to_the_lessons_that_prepare_it(lesson, assignment_id):
    """Does each assignment send students to the earlier lesson the manifest says prepares it
    (the coding assignments to lesson 03, Python and pandas)?"""
    assert lesson < ASSIGNMENTS[assignment_id].lesson
    assert f"第 {lesson} 课" in _text(assignment_id), assignment_id


@pytest.fixture(scope="module")
def hw05():
    """The model answers of hw05, run in its own folder (where its CSV file is)."""
    source = _source("hw05_survey_statistics")
    namespace: dict = {}
    here = Path.cwd()
    os.chdir(source.parent)
    try:
        for cell in SourceNotebook.read(source).cells:
            if cell.cell_type == "code" and (grade_id(cell) == "setup"
                                             or role(cell) in (Role.ANSWER, Role.WRITTEN)):
                exec(cell.source, namespace)  # noqa: S102 - the course's own model answers
    finally:
        os.chdir(here)
    return namespace


def test_hw05_keeps_partly_answered_questionnaires(hw05):
    """Is a questionnaire with one question skipped valid, and a 废卷 out-of-range one not?"""
    frame = pd.DataFrame([["A1", "第1组", 4, np.nan, 4, 8], ["A2", "第1组", 6, 4, 4, 8]],
                         columns=["respondent_id", "group", "q1", "q2", "overall", "recommend"])
    assert list(hw05["clean"](frame)["respondent_id"]) == ["A1"]


def test_hw05_tally_counts_unanswered_over_all_valid(hw05):
    """Does a question's table add up to every valid questionnaire, skipped ones as 未作答,
    as crmlab.rules.survey's rule says?"""
    valid = hw05["clean"](hw05["survey"])
    table = hw05["tally"](valid, "q2")
    assert table.index[-1] == survey.UNANSWERED_LABEL
    assert table["count"].sum() == len(valid)
    assert table["percent"].sum() == pytest.approx(100, abs=0.5)


def test_hw05_nps_agrees_with_crmlab(hw05):
    """Does hw05's NPS (中立者 in the total, skipped answers left out) equal crmlab.rules.survey.nps?"""
    valid = hw05["clean"](hw05["survey"])
    answers = pd.concat([valid["recommend"], pd.Series([np.nan])], ignore_index=True)
    assert hw05["nps"](answers) == pytest.approx(survey.nps(answers).nps)


# --- the taught method under the real `nbgrader autograde` ----------------------------------

TAUGHT_IDS = ("hw02_credit", "hw03_customer_grading", "hw05_survey_statistics")
ITEM_LABELS = {item.key: item.label for item in (*grading.BONUS_ITEMS, *grading.PENALTY_ITEMS)}


def _taught_scores() -> str:
    """hw03's two dictionaries as lesson 05 teaches: its scoring guide applied to the released
    records with the setting 作业三 grades by (textbook=True)."""
    records = pd.read_csv(_source("hw03_customer_grading").parent / "customer_profiles.csv",
                          index_col="customer_id")
    points = grading.derive_items(records, textbook=True).rename(columns=ITEM_LABELS)
    return "\n".join(f"{key} = {points.loc[key].astype(int).to_dict()!r}" for key in points.index)


def _answers(assignment_id: str, slip: tuple[str, str, str] | None = None) -> nbformat.NotebookNode:
    """The assignment answered by the taught method (the model functions implement the rules
    the lessons teach; hw03's scores come from crmlab.rules), with ``slip`` = (answer cell,
    text, replacement) one deliberately wrong item."""
    notebook = nbformat.read(_source(assignment_id), as_version=4)
    for cell in notebook.cells:
        if grade_id(cell) == "profile_scores_answer":
            cell.source = _taught_scores()
        if slip is not None and grade_id(cell) == slip[0]:
            assert slip[1] in cell.source, slip
            cell.source = cell.source.replace(slip[1], slip[2], 1)
    return notebook


SLIPS = {
    # one item of the twelve judged wrong: a met condition scored 0 …
    ("hw03_customer_grading", "met_as_unmet"): (
        "profile_scores_answer", "'毛利率': 5", "'毛利率': 0"),
    # … and the guide's own-choice point for 佳禾's 32 % margin, which the question excludes
    ("hw03_customer_grading", "almost_as_met"): (
        "profile_scores_answer", "jiahe = {'毛利率': 0", "jiahe = {'毛利率': 2"),
    ("hw02_credit", "boundary"): ("credit_grade_answer", "if score >= 90:", "if score > 90:"),
    ("hw05_survey_statistics", "band"): ("nps_answer", "(scores <= 6)", "(scores < 6)"),
}
"""One deliberately wrong item per student → (answer cell, text, wrong text)."""

LOST = {
    ("hw03_customer_grading", "met_as_unmet"): {"profile_scores_hengda": 2 / 12},
    ("hw03_customer_grading", "almost_as_met"): {"profile_scores_jiahe": 2 / 12},
    ("hw02_credit", "boundary"): {"credit_grade_values": 4},
    ("hw05_survey_statistics", "band"): {"nps_values": 5},
}
"""What each slip may cost: that item's share of its cell, nothing elsewhere."""


@pytest.fixture(scope="module")
def taught(tmp_path_factory):
    """hw02, hw03 and hw05 released in a scratch course; student ``taught`` submits the taught
    method's answers, one student per slip the same with one item wrong; real `nbgrader
    collect` and `nbgrader autograde`. Returns {(assignment, student): {grade cell: (score,
    max score)}} read from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    course = ScratchCourse(tmp_path_factory.mktemp("taught"))
    answers = tmp_path_factory.mktemp("answers")
    for assignment_id in TAUGHT_IDS:
        course.release(assignment_id)
        students = {"taught": None} | {student: slip for (a, student), slip in SLIPS.items()
                                       if a == assignment_id}
        for student, slip in students.items():
            path = answers / student / _source(assignment_id).name
            path.parent.mkdir(exist_ok=True)
            nbformat.write(_answers(assignment_id, slip), path)
            course.fetch_and_submit(student, assignment_id, path)
        course.instructor("collect", assignment_id)
        course.instructor("autograde", assignment_id)
    scores = {}
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gradebook:
        for assignment_id in TAUGHT_IDS:
            for submission in gradebook.assignment_submissions(assignment_id):
                notebook = submission.notebooks[0]
                scores[assignment_id, submission.student.id] = {
                    grade.name: (grade.score, grade.max_score)
                    for grade in notebook.grades if grade.cell.cell_type == "code"}
    return scores


@pytest.mark.slow  # three releases and seven real autogrades: 2–7 minutes, by the load
@pytest.mark.parametrize("assignment_id", TAUGHT_IDS)
def test_the_taught_method_gets_full_marks(taught, assignment_id):
    """Do answers made exactly as the lessons teach get every autograded point?"""
    cells = taught[assignment_id, "taught"]
    assert {name: score for name, (score, top) in cells.items() if score != top} == {}
    assert sum(top for _, top in cells.values()) == ASSIGNMENTS[assignment_id].points_auto


@pytest.mark.slow
@pytest.mark.parametrize(("assignment_id", "student"), sorted(SLIPS))
def test_one_wrong_item_loses_only_its_share(taught, assignment_id, student):
    """Does one deliberately wrong item cost its own share and nothing else?"""
    cells = taught[assignment_id, student]
    lost = {name: top - score for name, (score, top) in cells.items() if score != top}
    assert lost.keys() == LOST[assignment_id, student].keys()
    for name, share in LOST[assignment_id, student].items():
        assert lost[name] == pytest.approx(share)
