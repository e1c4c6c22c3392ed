"""One glossary: every term is in the lesson that teaches it, with its English at first use; no
lesson or quiz uses a spelling the glossary says to avoid; docs/术语表.md is generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from crmlab.course import glossary
from crmlab.course.manifest import load_course
from crmlab.rules.checks import CourseInputError
from tests.support import ROOT

TERMS = glossary.load_glossary()
COURSE = load_course()
LESSONS = {lesson.id: ROOT / "lessons" / lesson.file for lesson in COURSE.lessons if lesson.part < 2}
PARTS = {lesson.id: [ROOT / "lessons" / p.file for p in COURSE.parts(lesson.number)] for lesson in COURSE.lessons}
"""Lesson id → its notebooks (two for a lesson taught in two parts, read as one text)."""


def _markdown(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def _lesson_markdown(lesson_id: str) -> str:
    return "\n".join(_markdown(path) for path in PARTS[lesson_id])


def _all_text(path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)


def test_every_entry_is_complete_and_names_a_lesson():
    """Has each term Chinese, English, a one-line definition and an existing lesson?"""
    assert len(TERMS) >= 50
    for term in TERMS:
        assert term.lesson in LESSONS, term
        assert "\n" not in term.definition and len(term.definition) <= 80, term.zh
        assert term.english_forms, term.zh
    assert {t.lesson for t in TERMS} == set(LESSONS) - {"00"}  # every lesson teaches some


@pytest.mark.parametrize("term", TERMS, ids=[t.zh for t in TERMS])
def test_term_is_taught_in_its_lesson_with_its_english_at_first_use(term):
    """Does the term appear in its lesson, its English given where the prose first uses it?"""
    assert glossary.first_use_problems(term, _lesson_markdown(term.lesson)) == []


STUDENT_FACING = [
    *(path for paths in PARTS.values() for path in paths),
    *sorted((ROOT / "crmlab" / "exercises" / "banks").glob("*.yml")),
    *sorted((ROOT / "reports").glob("*.ipynb")),
    *sorted(p for p in (ROOT / "crmlab").rglob("*.py") if p.name != "glossary.py"),  # its examples
    *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "术语表.md"),  # lists variants
    ROOT / "data" / "README.md",
    ROOT / "README.md",
]
"""What students and teachers read: lessons, question banks, reports, the rule modules and widgets
(their labels and messages), the guides."""


def _text(path: Path) -> str:
    return _all_text(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", STUDENT_FACING, ids=lambda p: p.name)
def test_nothing_students_read_uses_a_variant_spelling(path):
    """Do lessons (prose and code), quiz banks, reports, rule modules, widgets and guides use
    only the glossary's Chinese terms (基础级别 and 客户级别, never 基础等级 or 最终等级)?"""
    assert glossary.variant_uses(TERMS, _text(path)) == []


@pytest.mark.parametrize("path", STUDENT_FACING, ids=lambda p: p.name)
def test_chinese_quotations_use_corner_brackets(path):
    """Is every quotation 「」 (『』 inside one), never “” or ‘’?"""
    text = _text(path)
    assert [line for line in text.splitlines() if re.search("[“”‘’]", line)] == []


def test_the_scorecard_speaks_the_glossary():
    """Do the grading model's result labels and the NPS groups of the survey model use the
    glossary's terms, and does the glossary define 中立者 the way the survey model counts them
    (in the total, only absent from the formula)?"""
    from crmlab.rules import grading, survey

    names = {t.zh for t in TERMS}
    assert {grading.RESULT_LABELS["base_level"], grading.RESULT_LABELS["level"]} <= names
    assert all(band.label.split("（")[0] in names for band in survey.NPS_BANDS)
    passive = next(t for t in TERMS if t.zh == "中立者")
    assert "不计入" not in passive.definition and "计入" in passive.definition
    everyone = survey.nps(pd.Series([10, 8, 8, 0]))
    assert everyone.nps == pytest.approx(0.0)  # (1 − 1) / 4: the two 中立者 are in the total


def test_the_checks_catch_what_they_are_meant_to():
    """Would a missing English, a missing term or a variant spelling be reported?"""
    term = next(t for t in TERMS if t.zh == "客户终身价值")
    lesson = "## 一、价值\n\n客户终身价值是" + "很长的解释" * 15 + "（Customer Lifetime Value，CLV）"
    assert glossary.first_use_problems(term, lesson)
    assert glossary.first_use_problems(term, "## 一、价值\n\n没有这个术语")
    good = "## 一、价值\n\n$$\\text{客户终身价值}$$\n\n**客户终身价值**（Customer Lifetime Value，CLV）是……"
    assert glossary.first_use_problems(term, good) == []
    partner = next(t for t in TERMS if t.zh == "伙伴型")
    assert glossary.variant_uses(TERMS, "伙伴型的关系") == []
    assert glossary.variant_uses(TERMS, "合作伙伴型的关系") == [
        f"「合作伙伴型」应写作「{partner.zh}」：…合作伙伴型的关系…"]
    assert glossary.variant_uses(TERMS, "它的最终等级是 D") == ["「最终等级」应写作「客户级别」：…它的最终等级是 D…"]
    assert glossary.variant_uses(TERMS, "基础等级为 E") == ["「基础等级」应写作「基础级别」：…基础等级为 E…"]


def test_a_broken_glossary_is_reported_in_chinese(tmp_path):
    """Are a duplicate term and a missing field reported with a Chinese message?"""
    path = tmp_path / "glossary.yml"
    entry = {"zh": "保留率", "en": "retention rate", "definition": "……", "lesson": "08"}
    path.write_text(yaml.safe_dump({"terms": [entry, entry]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CourseInputError, match="重复的术语：保留率"):
        glossary.load_glossary(path)
    path.write_text(yaml.safe_dump({"terms": [{**entry, "en": ""}]}, allow_unicode=True),
                    encoding="utf-8")
    with pytest.raises(CourseInputError, match="缺少 en"):
        glossary.load_glossary(path)


def test_committed_glossary_page_is_the_generated_one():
    """Is docs/术语表.md exactly what `python -m crmlab.course.glossary` generates from the YAML?"""
    expected = glossary.render_markdown(TERMS, COURSE)
    assert (ROOT / "docs" / "术语表.md").read_text(encoding="utf-8") == expected
    assert all(f"| **{t.zh}** | {t.en} |" in expected for t in TERMS)
