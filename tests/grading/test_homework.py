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
from crmlab.rules import survey
from tests.support import ROOT

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
