"""Tests for crmlab.rules.assessment: the 考核评价表 and its 20/20/60 weighting."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmlab.rules.assessment import CATEGORIES, ITEMS, RATERS, TOTAL_POINTS, score_form
from crmlab.rules.checks import CourseInputError

FULL = {item.key: item.points for item in ITEMS}
ZERO = dict.fromkeys(FULL, 0)


def losing(points: float, item: str = "slides") -> dict[str, float]:
    """Full marks minus ``points`` on one item."""
    return FULL | {item: FULL[item] - points}


# ------------------------------------------------------------------------------- the form


def test_categories_are_30_30_40():
    """Are the categories the textbook's 知识技能评价 30, 素质评价 30, 成果评价 40, totalling 100?"""
    assert [(c.label, c.points) for c in CATEGORIES] == [
        ("知识技能评价", 30),
        ("素质评价", 30),
        ("成果评价", 40),
    ]
    assert TOTAL_POINTS == 100


def test_items_and_their_points():
    """Are the seven items the brief's, with 15/15/10/10/10/20/20 points?"""
    assert [(i.label, i.points) for i in ITEMS] == [
        ("分级管理基础知识", 15),
        ("各级客户管理策略", 15),
        ("团队合作", 10),
        ("积极参与", 10),
        ("创新与自主学习", 10),
        ("演示文稿", 20),
        ("汇报表现", 20),
    ]


def test_items_add_up_to_their_category():
    """Do each category's items add up to the category's points?"""
    for category in CATEGORIES:
        assert sum(i.points for i in ITEMS if i.category == category.key) == category.points


def test_weights_are_self_20_peer_20_teacher_60():
    """Is the weighting 自评 20% + 互评 20% + 师评 60%?"""
    assert [(r.label, r.weight) for r in RATERS] == [("自评", 20), ("互评", 20), ("师评", 60)]


# ---------------------------------------------------------------------------------- scoring


def test_full_and_zero_marks():
    """Do full marks give 100 and zero marks give 0 (the ends of the range are accepted)?"""
    assert score_form(FULL, FULL, FULL).overall == 100
    assert score_form(ZERO, ZERO, ZERO).overall == 0


def test_overall_is_the_weighted_sum_of_rater_totals():
    """With totals 90, 80, 70, is the overall 18 + 16 + 42 = 76?"""
    result = score_form(losing(10), losing(20, "presentation"), losing(15) | {"basics": 0})
    assert result.totals == {"self": 90, "peer": 80, "teacher": 70}
    assert result.overall == 76


def test_overall_is_exact_and_display_rounds_half_up():
    """Is 87.85 kept exact and shown as 87.9 (where float rounding would give 87.8)?"""
    result = score_form(losing(12.75), losing(12.75), losing(11.75))
    assert result.overall_exact == Fraction(8785, 100)
    assert result.overall_display == "87.9"
    assert round(result.overall, 1) == 87.8  # why the display does not use round()


def test_display_keeps_one_decimal():
    """Are whole marks shown with one decimal (76.0)?"""
    result = score_form(losing(10), losing(20), losing(15) | {"basics": 0})
    assert result.overall_display == "76.0"


def test_category_subtotals_per_rater():
    """Are the subtotals per category given for each rater?"""
    result = score_form(losing(5), FULL, FULL | {"teamwork": 4})
    assert result.category_totals["self"] == {"knowledge": 30, "attitude": 30, "outcome": 35}
    assert result.category_totals["teacher"]["attitude"] == 24


def test_weighted_categories_add_up_to_the_overall():
    """Do the weighted category parts add up to the overall mark?"""
    result = score_form(losing(5), losing(3, "basics"), losing(2, "teamwork"))
    assert sum(result.weighted_categories.values()) == pytest.approx(result.overall)


def test_several_peers_are_averaged_item_by_item():
    """With two peer forms (slides 20 and 15), is the peer slides mark 17.5?"""
    result = score_form(FULL, [FULL, losing(5)], FULL)
    assert result.marks["peer"]["slides"] == 17.5
    assert result.totals["peer"] == 97.5 and result.peer_count == 2


def test_one_peer_in_a_list_equals_a_single_dict():
    """Is a list of one peer form the same as that form on its own?"""
    assert score_form(FULL, [losing(3)], ZERO) == score_form(FULL, losing(3), ZERO)


def test_half_points_are_accepted():
    """Are marks such as 7.5 accepted?"""
    assert score_form(FULL | {"teamwork": 7.5}, FULL, FULL).totals["self"] == 97.5


def test_table_has_one_row_per_item_and_a_column_per_rater():
    """Does the table show items, their maximum and each rater's marks in Chinese?"""
    table = score_form(FULL, ZERO, FULL).to_frame()
    assert list(table.columns) == ["类别", "项目", "满分", "自评", "互评", "师评"]
    assert len(table) == 7 and table["互评"].sum() == 0


@given(
    st.lists(
        st.fixed_dictionaries({i.key: st.integers(0, i.points) for i in ITEMS}),
        min_size=3,
        max_size=5,
    )
)
def test_overall_lies_between_the_rater_totals(forms):
    """For any valid marks, is the overall between the lowest and highest rater total?"""
    result = score_form(forms[0], forms[2:], forms[1])
    assert min(result.totals.values()) <= result.overall <= max(result.totals.values())
    assert 0 <= result.overall <= 100


# ------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("item", "value"), [("slides", 21), ("teamwork", 10.5), ("basics", 16)])
def test_mark_above_its_maximum_names_item_and_maximum(item, value):
    """Is a mark over the item's maximum refused, naming the item and its maximum?"""
    label = next(i.label for i in ITEMS if i.key == item)
    maximum = FULL[item]
    with pytest.raises(CourseInputError, match=f"自评·{label}.*0～{maximum} 分"):
        score_form(FULL | {item: value}, FULL, FULL)


def test_negative_mark_is_refused():
    """Is a mark below 0 refused?"""
    with pytest.raises(CourseInputError, match="师评·团队合作"):
        score_form(FULL, FULL, FULL | {"teamwork": -0.5})


@pytest.mark.parametrize("bad", ["10", None, True, float("nan")])
def test_non_number_is_refused(bad):
    """Is a mark that is not a finite number refused, naming the item?"""
    with pytest.raises(CourseInputError, match="自评·团队合作"):
        score_form(FULL | {"teamwork": bad}, FULL, FULL)


def test_missing_item_is_refused():
    """Is a form without one of the items refused, naming it?"""
    incomplete = {k: v for k, v in FULL.items() if k != "presentation"}
    with pytest.raises(CourseInputError, match="「师评」缺少这些项目的分数：汇报表现"):
        score_form(FULL, FULL, incomplete)


def test_unknown_item_is_refused():
    """Is a form with an unknown item refused, listing the known ones?"""
    with pytest.raises(CourseInputError, match="未知的项目：attendance"):
        score_form(FULL | {"attendance": 5}, FULL, FULL)


def test_empty_peer_list_is_refused():
    """Is a list with no peer forms refused?"""
    with pytest.raises(CourseInputError, match="至少需要一份"):
        score_form(FULL, [], FULL)


def test_bad_peer_form_in_a_list_is_named():
    """Is the faulty form in a list of peer forms named by its position?"""
    with pytest.raises(CourseInputError, match="互评（第 2 份）·演示文稿"):
        score_form(FULL, [FULL, FULL | {"slides": 30}], FULL)


@pytest.mark.parametrize("bad", ["满分", 95])
def test_peer_marks_of_the_wrong_kind_are_refused(bad):
    """Is peer input that is neither a form nor a list of forms refused?"""
    with pytest.raises(CourseInputError, match="互评"):
        score_form(FULL, bad, FULL)  # type: ignore[arg-type]
