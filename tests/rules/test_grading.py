"""The customer-grading scorecard (the textbook's chapter 「客户分级管理」) at its boundaries and on bad input."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlab.rules import grading
from crmlab.rules.grading import (
    BONUS_ITEMS,
    ITEM_KEYS,
    PENALTY_ITEMS,
    derive_items,
    grade_customer,
    grade_profiles,
    grade_scores,
    grade_table,
    is_profile_table,
)

ALL_BONUS_MAX = {item.key: 5 for item in BONUS_ITEMS}
ALL_PENALTY_MAX = {item.key: 5 for item in PENALTY_ITEMS}


@pytest.mark.parametrize(
    ("amount", "score", "level"),
    [
        (0, 10, "E"),
        (50, 10, "E"),
        (50.5, 20, "D"),
        (51, 20, "D"),
        (100, 20, "D"),
        (100.01, 40, "C"),
        (300, 40, "C"),
        (300.5, 60, "B"),
        (499.99, 60, "B"),
        (500, 80, "A"),
        (12000, 80, "A"),
    ],
)
def test_base_level_boundaries(amount, score, level):
    """Does each order amount, including the gaps of the textbook's table, get the right base?"""
    result = grade_customer(amount)
    assert (result.base_score, result.base_level) == (score, level)
    assert result.score == score  # no items: the composite is the base


def test_textbook_worked_example():
    """Is the textbook's customer A (50 万, +3 +2 +3 +2) scored 20 and graded D from base E?"""
    result = grade_customer(
        50, {"cooperation_years": 3, "brand": 2, "product_needs": 3, "advocacy": 2}
    )
    assert (result.base_score, result.base_level) == (10, "E")
    assert (result.score, result.level) == (20, "D")
    assert result.bonus_total == 10 and result.penalty_total == 0


@pytest.mark.parametrize(
    ("score", "level"), [(0, "E"), (19, "E"), (20, "D"), (39, "D"), (40, "C"), (59, "C"),
                         (60, "B"), (79, "B"), (79.5, "B"), (80, "A"), (100, "A")],
)
def test_final_level_boundaries(score, level):
    """Is every composite score mapped to the level of its band, edges included?"""
    # The highest base not above the score, then bonuses (at most 20 needed) or penalties.
    bases = {10: 10, 60: 20, 150: 40, 400: 60, 600: 80}
    amount, base = max(((a, b) for a, b in bases.items() if b <= score), default=(10, 10),
                       key=lambda pair: pair[1])
    delta = score - base
    bonuses, penalties, remaining = {}, {}, abs(delta)
    target = bonuses if delta > 0 else penalties
    keys = [i.key for i in (BONUS_ITEMS if delta > 0 else PENALTY_ITEMS)]
    for key in keys:
        take = min(5, remaining)
        if take:
            target[key] = take
        remaining -= take
    assert remaining == 0
    result = grade_customer(amount, bonuses, penalties)
    assert result.score == score and result.level == level


def test_composite_is_clamped_above():
    """Is base 80 plus all eight bonuses at 5 (120) clamped to 100, with the raw sum kept?"""
    result = grade_customer(800, ALL_BONUS_MAX)
    assert result.raw_score == 120 and result.score == 100 and result.level == "A"
    assert result.clamped


def test_composite_is_clamped_below():
    """Is a small customer with every penalty at 5 (10 − 20) clamped to 0, level E?"""
    result = grade_customer(10, None, ALL_PENALTY_MAX)
    assert result.raw_score == -10 and result.score == 0 and result.level == "E"


def test_result_names_the_rows_applied():
    """Does the result say which base row and which final row were used?"""
    result = grade_customer(320, {"growth": 5})
    assert result.base_band.label == "超过 300 万元、不足 500 万元"
    assert result.final_band.label == "60–79 分"


@pytest.mark.parametrize("amount", [-1, -0.01, "50", None, float("nan"), float("inf"), True])
def test_bad_amount_is_refused_in_chinese(amount):
    """Does a negative, non-numeric or non-finite amount raise a ValueError naming the field?"""
    with pytest.raises(ValueError, match="订单金额"):
        grade_customer(amount)


@pytest.mark.parametrize("value", [-1, 5.5, 6, "3", None])
def test_item_outside_range_is_refused(value):
    """Does an item outside 0..5, or not a number, raise an error naming the item?"""
    with pytest.raises(ValueError, match="合作年限"):
        grade_customer(100, {"cooperation_years": value})
    with pytest.raises(ValueError, match="违约情况"):
        grade_customer(100, None, {"breach": value})


def test_unknown_item_key_is_refused():
    """Does an unknown key raise an error listing it and the accepted items?"""
    with pytest.raises(ValueError, match="未知的项目：loyalty") as info:
        grade_customer(100, {"loyalty": 3})
    assert "gross_margin（毛利率）" in str(info.value)
    with pytest.raises(ValueError, match="减分项"):
        grade_customer(100, None, {"gross_margin": 3})  # a bonus key among the penalties


def test_fractional_items_are_accepted():
    """Can items be fractional (a grader's 2.5), giving a fractional composite?"""
    assert grade_customer(60, {"communication": 2.5}).score == 22.5


# --- grade_table ------------------------------------------------------------------------------


def test_grade_table_missing_item_columns_count_zero():
    """Does a table with only order_amount grade on the base alone?"""
    out = grade_table(pd.DataFrame({"order_amount": [0, 60, 700]}, index=[7, 8, 9]))
    assert list(out.columns) == ["base_score", "base_level", "score", "level"]
    assert out.index.tolist() == [7, 8, 9]
    assert out["level"].tolist() == ["E", "D", "A"]
    assert out["score"].tolist() == [10, 20, 80]


def test_grade_table_empty_item_cells_count_zero():
    """Does an empty cell in an item column count 0 rather than fail?"""
    out = grade_table(pd.DataFrame({"order_amount": [50, 50], "growth": [np.nan, 5]}))
    assert out["score"].tolist() == [10, 15]


@pytest.mark.slow
@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1000, allow_nan=False),
            st.lists(st.integers(0, 5), min_size=len(ITEM_KEYS), max_size=len(ITEM_KEYS)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_grade_table_agrees_with_grade_customer(rows):
    """Does the vectorised table give, row for row, what grade_customer gives?"""
    table = pd.DataFrame(
        [{"order_amount": amount, **dict(zip(ITEM_KEYS, items))} for amount, items in rows]
    )
    out = grade_table(table)
    n_bonus = len(BONUS_ITEMS)
    for (amount, items), (_, got) in zip(rows, out.iterrows()):
        keys = dict(zip(ITEM_KEYS, items))
        expected = grade_customer(
            amount,
            {k: keys[k] for k in ITEM_KEYS[:n_bonus]},
            {k: keys[k] for k in ITEM_KEYS[n_bonus:]},
        )
        assert (got.base_score, got.base_level, got.score, got.level) == (
            expected.base_score, expected.base_level, expected.score, expected.level
        )


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"amount": [1]}), "「客户表」缺少以下列：order_amount"),
        (pd.DataFrame({"order_amount": [1, -5]}), "第 2 条记录的「本年度订单金额（万元）」"),
        (pd.DataFrame({"order_amount": [1, "很多"]}), "必须是数字，现在是：'很多'"),
        (pd.DataFrame({"order_amount": [1, None]}), "第 2 条记录的「本年度订单金额（万元）」（order_amount 列）不能为空"),
        (pd.DataFrame({"order_amount": [1, 2], "brand": [1, 7]}), "「品牌影响」（brand 列）不能大于 5"),
        (pd.DataFrame({"order_amount": [1, 2], "arrears": [-1, 0]},
                      index=["C1", "C2"]), "第 1 条记录（索引 C1）"),
    ],
)
def test_grade_table_bad_values_name_row_and_column(frame, message):
    """Does a bad cell raise an error naming its row and column in Chinese?"""
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        grade_table(frame)


# --- profiles → items -------------------------------------------------------------------------


def _profile(**overrides):
    base = dict(
        order_amount=50.0, order_amount_prev1=50.0, order_amount_prev2=50.0, gross_margin=0.1,
        product_kinds=3, cooperation_years=3, listed=False, valuation="高", referrals=2,
        communication="困难", reputation="好", overdue_count=1, max_overdue_days=10,
        malicious_arrears=False, complaints=0, lawsuits=0, breaches=0,
    )
    base.update(overrides)
    return pd.DataFrame([base])


def test_derive_items_reproduces_the_textbook_example():
    """Do the scoring guide's rules give the worked example's +3 +2 +3 +2 for that profile?"""
    items = derive_items(_profile(overdue_count=0)).iloc[0]
    assert items["cooperation_years"] == 3 and items["brand"] == 2
    assert items["product_needs"] == 3 and items["advocacy"] == 2
    assert items["payment_record"] == 5  # no overdue payment: this profile earns it too


@pytest.mark.parametrize(
    ("overrides", "key", "points"),
    [
        (dict(gross_margin=0.40), "gross_margin", 5),
        (dict(gross_margin=0.3999), "gross_margin", 2),
        (dict(gross_margin=0.29), "gross_margin", 0),
        (dict(product_kinds=2), "product_needs", 0),
        (dict(product_kinds=9), "product_needs", 5),
        (dict(cooperation_years=1), "cooperation_years", 0),
        (dict(listed=True, valuation="低"), "brand", 5),
        (dict(order_amount=61.7, order_amount_prev1=56, order_amount_prev2=50), "growth", 5),
        (dict(order_amount=61.5, order_amount_prev1=56, order_amount_prev2=50), "growth", 0),
        (dict(order_amount=70, order_amount_prev1=55, order_amount_prev2=55), "growth", 2),
        (dict(breaches=1), "breach", 3),
        (dict(breaches=4), "breach", 5),
        (dict(complaints=1, lawsuits=1), "service_difficulty", 3),
        (dict(complaints=4, lawsuits=2), "service_difficulty", 5),
        (dict(overdue_count=7), "arrears", 3),
        (dict(overdue_count=0, malicious_arrears=True), "arrears", 5),
        (dict(reputation="差"), "reputation", 5),
    ],
)
def test_derive_items_rules(overrides, key, points):
    """Does each illustrative profile rule give the points its guide text promises?"""
    assert derive_items(_profile(**overrides)).iloc[0][key] == points


def test_grade_profiles_adds_items_and_results():
    """Does grading a profile table keep its raw columns and add points and the four results?"""
    out = grade_profiles(_profile(overdue_count=0))
    assert out.columns.is_unique
    assert out.loc[0, "cooperation_years"] == 3  # the profile's years, untouched
    assert out.loc[0, "points_gross_margin"] == 0 and out.loc[0, "points_growth"] == 0
    assert (out.loc[0, "base_level"], out.loc[0, "score"], out.loc[0, "level"]) == ("E", 25, "D")


def test_profiles_are_told_from_item_scores_by_their_columns():
    """Is a table with profile columns graded as profiles, and one of item scores as items?"""
    assert is_profile_table(_profile().columns)
    assert "points_advocacy" in grade_profiles(_profile()).columns
    scores = pd.DataFrame({"order_amount": [50], "cooperation_years": [3]})
    assert not is_profile_table(scores.columns)
    items = grade_scores(scores)
    assert items.loc[0, "score"] == 13 and "points_advocacy" not in items.columns


@pytest.mark.parametrize("column", ["listed", "malicious_arrears"])
@pytest.mark.parametrize("values", [["否", "否"], ["N", "Y"], [0, 1], ["False", "True"],
                                    [True, None]])
def test_a_yes_no_column_that_is_not_boolean_is_refused(column, values):
    """Is a yes/no column of text (「否」 is truthy), numbers or an empty cell refused in Chinese,
    naming the column, instead of being read by its truthiness?"""
    profiles = pd.concat([_profile(), _profile()], ignore_index=True)
    profiles[column] = pd.Series(values, dtype=object)
    with pytest.raises(ValueError, match=f"{column} 列应为 True/False（布尔值）.*load_customers"):
        derive_items(profiles)


def test_booleans_held_as_objects_are_booleans():
    """Is a yes/no column of Python booleans in an object column (a row taken out of a table)
    read as booleans?"""
    profiles = _profile(listed=True, malicious_arrears=True)
    profiles = profiles.astype({"listed": object, "malicious_arrears": object})
    items = derive_items(profiles).iloc[0]
    assert items["brand"] == 5 and items["arrears"] == 5


def test_band_labels_cannot_be_read_two_ways():
    """Is each base band's label explicit about its edges (「超过 300 万元」 beside 「不超过
    300 万元」, never 「300 万元以上」 beside 「300 万元及以下」), and does it agree with the
    band each edge amount falls in?"""
    for band in grading.BASE_BANDS:
        assert not re.search(r"\d 万元以上|\d 万元及以下|\d 万元以下", band.label), band.label
    for upper, lower in zip(grading.BASE_BANDS, grading.BASE_BANDS[1:]):
        edge = upper.lower
        if upper.lower_inclusive:
            assert f"{edge:g} 万元及以上" in upper.label and f"不足 {edge:g} 万元" in lower.label
        else:
            assert f"超过 {edge:g} 万元" in upper.label and f"不超过 {edge:g} 万元" in lower.label
        assert grade_customer(edge).base_band == (upper if upper.lower_inclusive else lower)


def test_growth_of_exactly_ten_percent_counts():
    """「连续两年增长 10% 以上」 includes 10%: do 100 → 110 → 121 万 earn the full 5 points,
    and one year of exactly 10% the course's 2?"""
    profiles = pd.DataFrame({"order_amount": [121.0, 110.0, 109.9],
                             "order_amount_prev1": [110.0, 100.0, 100.0],
                             "order_amount_prev2": [100.0, 100.0, 100.0]})
    assert grading.derive_items(profiles)["growth"].tolist() == [5, 2, 0]


def test_the_textbooks_dimensions_and_the_courses_own_points():
    """Are the items under the textbook's three dimensions, and is every point the guide
    gives where the textbook's condition is not met marked as the course's own choice?"""
    assert {item.dimension for item in (*grading.BONUS_ITEMS, *grading.PENALTY_ITEMS)} == {
        "业务及需求", "客户关系", "经营管理"}
    marked = {rule.key for rule in grading.ITEM_RULES if rule.own_choice}
    assert marked == {"gross_margin", "communication", "brand", "growth", "reputation"}
    assert marked == {rule.key for rule in grading.ITEM_RULES if rule.condition is not None}
    partial = pd.DataFrame({"gross_margin": [0.35], "communication": ["一般"], "listed": [False],
                            "valuation": ["中"], "order_amount": [111.0],
                            "order_amount_prev1": [100.0], "order_amount_prev2": [100.0],
                            "reputation": ["一般"]})
    items = grading.derive_items(partial).iloc[0]
    assert all(items[key] > 0 for key in marked)  # each is a point the textbook would not give
    assert (grading.derive_items(partial, textbook=True).iloc[0][sorted(marked)] == 0).all()


def test_scoring_by_the_textbook_keeps_every_point_whose_condition_is_met():
    """With textbook=True, are the profiles that meet each textbook condition scored as the
    guide scores them, and only the misses set to 0?"""
    met = pd.DataFrame({"gross_margin": [0.40, 0.39], "communication": ["顺畅", "一般"],
                        "listed": [True, False], "valuation": ["中", "中"],
                        "order_amount": [121.0, 111.0], "order_amount_prev1": [110.0, 100.0],
                        "order_amount_prev2": [100.0, 100.0], "reputation": ["差", "一般"],
                        "complaints": [2, 0], "lawsuits": [1, 0]})
    guide, textbook = grading.derive_items(met), grading.derive_items(met, textbook=True)
    assert textbook.iloc[0].equals(guide.iloc[0])
    assert (textbook.iloc[1] == 0).all() and (guide.iloc[1].drop("service_difficulty") > 0).all()


def test_there_is_one_strategy_per_final_level_in_order():
    """Does LEVEL_STRATEGIES suggest a strategy for each final level A–E, every field filled?"""
    assert [s.level for s in grading.LEVEL_STRATEGIES] == [b.level for b in grading.FINAL_BANDS]
    assert all(s.resources and s.focus and s.goal for s in grading.LEVEL_STRATEGIES)
    assert set(grading.STRATEGY_LABELS) == set(grading.LevelStrategy.__dataclass_fields__)


def test_grading_from_totals_is_grading_from_items():
    """Does grade_totals give grade_customer's result for the same sums, and refuse a bonus
    total above 40 or a penalty total above 20 in Chinese?"""
    items = {"gross_margin": 5, "product_needs": 4, "growth": 2}
    assert grading.grade_totals(320, 11, 3) == grade_customer(320, items, {"arrears": 3})
    for bonus, penalty, field in ((40.5, 0, "加分合计"), (0, 21, "减分合计"), (-1, 0, "加分合计")):
        with pytest.raises(grading.CourseInputError) as caught:
            grading.grade_totals(100, bonus, penalty)
        assert caught.value.field == field
