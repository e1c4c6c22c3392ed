"""Kotler's five relationship levels and the customers × margin matrix (the textbook's chapter 「客户关系管理概述」)."""

from __future__ import annotations

import pytest

from crmlab.rules.checks import CourseInputError
from crmlab.rules.relationship import LEVELS, RELATIONSHIP_MATRIX, relationship_level

# The brief's table, typed out independently of the module: customers → (low, medium, high).
BRIEF_TABLE = {
    "many": ("basic", "reactive", "accountable"),
    "medium": ("reactive", "accountable", "proactive"),
    "few": ("accountable", "proactive", "partnership"),
}
CELLS = [
    (customers, margin, level)
    for customers, row in BRIEF_TABLE.items()
    for margin, level in zip(("low", "medium", "high"), row, strict=True)
]
ZH_COUNT = {"many": "多", "medium": "中", "few": "少"}
ZH_MARGIN = {"low": "低", "medium": "中", "high": "高"}


def test_levels_are_kotlers_five_in_order():
    """Are the five levels Kotler's, loosest first, with English names and descriptions?"""
    assert [(lv.label, lv.english) for lv in LEVELS] == [
        ("基本型", "basic"), ("被动型", "reactive"), ("负责型", "accountable"),
        ("能动型", "proactive"), ("伙伴型", "partnership"),
    ]
    assert all(lv.description and lv.why for lv in LEVELS)


@pytest.mark.parametrize(("customers", "margin", "level"), CELLS)
def test_matrix_cell_matches_the_brief(customers, margin, level):
    """Does each of the nine cells give the brief's level, by key and by Chinese words?"""
    assert RELATIONSHIP_MATRIX[customers][margin] == level
    assert relationship_level(customers, margin).level == level
    assert relationship_level(ZH_COUNT[customers], ZH_MARGIN[margin]).level == level


def test_advice_names_level_and_reason():
    """Does the advice carry the Chinese name and a reason starting with the cell's words?"""
    advice = relationship_level("many", "low")
    assert (advice.label, advice.english) == ("基本型", "basic")
    assert advice.reason.startswith("客户数量多、边际利润水平低：")
    assert "基本型" in advice.reason
    assert relationship_level("few", "中").reason.startswith("客户数量少、边际利润水平中等：")


def test_keys_ignore_case_and_spaces():
    """Are English keys accepted regardless of case and surrounding spaces?"""
    assert relationship_level(" Few ", "HIGH").level == "partnership"


@pytest.mark.parametrize(
    ("customers", "margin", "field", "accepted"),
    [("lots", "low", "客户数量", "many/medium/few 或 多/中/少"),
     ("", "low", "客户数量", "多/中/少"),
     (None, "low", "客户数量", "多/中/少"),
     ("many", "很高", "边际利润水平", "low/medium/high 或 低/中/高"),
     ("many", 3, "边际利润水平", "低/中/高")],
)
def test_bad_choice_names_field_and_accepted_values(customers, margin, field, accepted):
    """Is any other value refused, naming the field and the accepted values?"""
    with pytest.raises(CourseInputError, match=field) as caught:
        relationship_level(customers, margin)
    assert accepted in str(caught.value)
    assert caught.value.field == field
