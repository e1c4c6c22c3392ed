"""The lesson sequence: every lesson runs headless from a clean kernel and follows the skeleton."""

from __future__ import annotations

import re

import nbformat
import pytest

from crmlab.course.manifest import load_course
from crmlab.exercises import numeric, quiz
from tests.support import ROOT
from tests.support.notebooks import execute, is_clean, problems

COURSE = load_course()
LESSONS = [ROOT / "lessons" / lesson.file for lesson in COURSE.lessons]
"""The lessons in course order, as the course manifest lists them (tests/course/test_manifest.py holds
the manifest against lessons/)."""
WIDGET_CALL = re.compile(
    r"\b(GradingScorecard|CreditScorecard|RelationshipPicker|SpinSorter|SpinScriptCoach|"
    r"ComplaintSorter|Quiz|AssessmentForm|NumberExercise|Exercise|ReportSorter|ExchangeScoreForm|"
    r"PrivacySorter|ServiceStageSorter)\("
)


def _markdown(notebook) -> str:
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


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


def test_lesson_07_does_not_show_the_homework_model_script():
    """hw04 asks for a Goodyear → Volkswagen script: does lesson 07 keep the model one out of
    sight (no question of it in the lesson's text, no model button in its coach)?"""
    from crmlab.exercises import spin_bank

    notebook = nbformat.read(ROOT / "lessons" / "07_spin.ipynb", as_version=4)
    text = "\n".join(c.source for c in notebook.cells)
    assert not [q.text for q in spin_bank.model_script() if q.text in text]
    assert "show_model=True" not in text


def test_lesson_11_gives_the_supermarket_reports_six_problems():
    """Does the supermarket report's summary list all six problems the report names (the fifth,
    missing management measures, was once left out)?"""
    notebook = nbformat.read(ROOT / "lessons" / "11_loyalty_churn.ipynb", as_version=4)
    text = _markdown(notebook)
    problems = re.search(r"存在的问题.*", text).group(0)
    assert re.findall(r"（(\d)）", problems) == ["1", "2", "3", "4", "5", "6"]
    for words in ("促销", "数据", "沟通渠道", "个性化", "管理措施", "CRM 部门"):
        assert words in problems


def _code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _folded(cell) -> bool:
    return bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


def _lesson_code(number: int) -> list[str]:
    """The code cells of lesson ``number``, both parts of a lesson taught in two."""
    return [c.source.strip() for part in COURSE.parts(number)
            for c in _code_cells(ROOT / "lessons" / part.file)]


@pytest.mark.parametrize("lesson", COURSE.banks("lesson"))
def test_lesson_uses_its_whole_question_bank(lesson):
    """Does the lesson ask every question of its bank (a bank holds no unused questions)?"""
    code = "\n".join(_lesson_code(lesson))
    if re.search(rf"\bQuiz\({lesson}\)", code):
        return
    asked = set(re.findall(rf"\bL{lesson:02d}-\d\d\b", code))
    assert [q.id for q in quiz.load_bank(lesson) if q.id not in asked] == []


def test_every_declared_exercise_is_in_its_lesson():
    """Is each exercise of the exercise files shown by its lesson, with one short line?"""
    for lesson in numeric.lessons():
        code = _lesson_code(lesson)
        for item in numeric.load_exercises(lesson):
            assert f'Exercise("{item.id}")' in code, item.id


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_widget_and_answer_cells_are_folded(path):
    """Is the code of every cell that only builds a widget folded (JupyterLab's source_hidden),
    and does no visible cell hold an exercise's answer (``answer=``)?"""
    for cell in _code_cells(path):
        if re.fullmatch(rf"\s*{WIDGET_CALL.pattern}.*\)\s*", cell.source, re.S):
            assert _folded(cell), cell.source[:60]
        if "NumberExercise(" in cell.source or "answer=" in cell.source:
            assert _folded(cell), cell.source[:60]


SOURCE_NOTES = re.compile(r"原始资料|资料中残缺|为本课改写|本课程改写|COURSE_BRIEF|seeds")
NESTED_BRACKETS = re.compile(r"（[^（）\n]*（")


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_text_has_no_source_notes_or_nested_brackets(path):
    """Does the student text say nothing about where the material came from (「原始资料中残缺
    不全」) and never nest brackets (「（内部客户（internal customer））」)?"""
    text = _markdown(nbformat.read(path, as_version=4))
    assert SOURCE_NOTES.findall(text) == []
    assert [text[m.start(): m.start() + 40] for m in NESTED_BRACKETS.finditer(text)] == []


@pytest.mark.parametrize("path", [p for p in LESSONS if not p.name.startswith("00")],
                         ids=[p.stem for p in LESSONS if not p.name.startswith("00")])
def test_case_questions_come_before_a_folded_analysis(path):
    """Does a case with a reference analysis ask its questions first and keep the analysis
    folded (``<details>``) until the student opens it?"""
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "markdown" or "参考分析" not in cell.source:
            continue
        details = cell.source.find("<details>")
        assert details != -1 and "参考分析" in cell.source[details:]
        questions = re.search(r"\*\*讨论|^1\. ", cell.source, re.M)
        assert questions and questions.start() < details
