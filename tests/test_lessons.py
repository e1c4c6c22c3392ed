"""The lesson sequence: every lesson runs headless from a clean kernel and follows the skeleton."""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.notebooks import ROOT, execute, is_clean, problems

LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
EXPECTED = [f"{n:02d}" for n in range(15)]
"""Lessons 00–14, in order."""
WIDGET_CALL = re.compile(
    r"\b(GradingScorecard|CreditScorecard|RelationshipPicker|SpinSorter|SpinScriptCoach|"
    r"ComplaintSorter|Quiz|AssessmentForm|NumberExercise|ReportSorter|ExchangeScoreForm|"
    r"PrivacySorter|ServiceStageSorter)\("
)


def _markdown(notebook) -> str:
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def test_the_lessons_are_there_in_order():
    """Are the course's lessons present, with ASCII file names NN_topic.ipynb?"""
    assert [p.name[:2] for p in LESSONS] == EXPECTED
    assert all(p.name.isascii() for p in LESSONS)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_is_committed_clean(path):
    """Is the lesson saved without outputs or execution counts?"""
    assert is_clean(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("path", [p for p in LESSONS if not p.name.startswith("00")],
                         ids=[p.stem for p in LESSONS if not p.name.startswith("00")])
def test_lesson_follows_the_skeleton(path):
    """Does the lesson have goals, a lead-in, a case, a summary, homework and ≥ 3 exercises?"""
    notebook = nbformat.read(path, as_version=4)
    text = _markdown(notebook)
    for heading in ("学习目标", "课前导入", "案例分析", "小结", "课后作业"):
        assert re.search(rf"^##\s.*{heading}", text, re.M), f"missing section {heading}"
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert len(WIDGET_CALL.findall(code)) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_without_error_or_stderr(path):
    """Does the lesson run top to bottom in a fresh kernel with no error and nothing on stderr?"""
    notebook = execute(path)
    assert problems(notebook) == []
