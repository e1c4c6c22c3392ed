"""Customer value (the textbook's chapters 「客户识别与商业价值」 and 「客户分级管理」): business value, composite, RFM, ABC, CLV,
MVC/STC/BZ tiers."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlab.rules import value
from crmlab.rules.checks import CourseInputError
from crmlab.rules.value import (
    COMPOSITE_DIMENSIONS,
    RFM_HIGH_SCORE,
    RFM_SEGMENTS,
    VALUE_TIERS,
    abc_classes,
    business_value,
    business_values,
    clv,
    composite_value,
    quintile_scores,
    rfm_table,
    value_tiers,
)

# --- business value ------------------------------------------------------------------------


def test_business_value_is_revenue_minus_cost():
    """Is business value 收益 − 客户成本, negative when the customer costs more?"""
    assert business_value(100, 30) == 70
    assert business_value(20, 35) == -15


@pytest.mark.parametrize(("revenue", "cost", "label"),
                         [(-1, 0, "收益"), (10, -1, "成本"), ("10", 1, "收益")])
def test_business_value_bad_input(revenue, cost, label):
    """Are negative or non-numeric amounts refused, naming the field?"""
    with pytest.raises(CourseInputError, match=label):
        business_value(revenue, cost)


def test_business_values_over_columns():
    """Does the vectorised version agree with the scalar one, row by row?"""
    df = pd.DataFrame({"revenue": [100, 20, 0], "cost": [30, 35, 0]}, index=["a", "b", "c"])
    result = business_values(df)
    assert result.name == "business_value"
    assert result.to_dict() == {"a": 70, "b": -15, "c": 0}


def test_business_values_names_bad_row():
    """Does a bad cell name the row and the column?"""
    df = pd.DataFrame({"revenue": [100, 20], "cost": [30, "多"]}, index=["a", "b"])
    with pytest.raises(CourseInputError, match=r"（索引 b）.*cost"):
        business_values(df)


# --- composite evaluation ------------------------------------------------------------------

DIMENSION_KEYS = [d.key for d in COMPOSITE_DIMENSIONS]


def test_composite_dimensions():
    """Are the four dimensions the textbook's (即有价值 as it writes it), with default weights
    summing to 1?"""
    assert [d.label for d in COMPOSITE_DIMENSIONS] == ["即有价值", "潜在价值", "影响价值",
                                                       "学习价值"]
    assert math.fsum(d.weight for d in COMPOSITE_DIMENSIONS) == pytest.approx(1, abs=1e-12)


def test_composite_value_is_weighted_sum():
    """Is V = Σ wᵢ·sᵢ with the default weights?"""
    scores = {"current": 80, "potential": 60, "influence": 50, "learning": 40}
    expected = sum(d.weight * scores[d.key] for d in COMPOSITE_DIMENSIONS)
    assert composite_value(scores) == pytest.approx(expected)


def test_composite_value_custom_weights():
    """Are custom weights used?"""
    scores = {"current": 80, "potential": 60, "influence": 50, "learning": 40}
    weights = {"current": 0.5, "potential": 0.5, "influence": 0, "learning": 0}
    assert composite_value(scores, weights) == 70


def test_composite_weights_must_sum_to_one():
    """Are weights that do not sum to 1 refused?"""
    scores = dict.fromkeys(DIMENSION_KEYS, 50)
    with pytest.raises(CourseInputError, match="之和必须等于 1"):
        composite_value(scores, dict.fromkeys(DIMENSION_KEYS, 0.3))


def test_composite_missing_score_is_named():
    """Is a missing dimension named in the error?"""
    with pytest.raises(CourseInputError, match="学习价值"):
        composite_value({"current": 80, "potential": 60, "influence": 50})


def test_composite_score_out_of_range():
    """Is a score above 100 refused, naming the dimension?"""
    with pytest.raises(CourseInputError, match="潜在价值"):
        composite_value(dict.fromkeys(DIMENSION_KEYS, 50) | {"potential": 101})


# --- RFM -----------------------------------------------------------------------------------


def test_quintiles_of_ten_distinct_values():
    """Do ten distinct values get two of each score 1–5, larger values higher?"""
    assert quintile_scores(pd.Series(range(10))).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_quintiles_of_five_values():
    """Do five distinct values get the scores 1 to 5?"""
    assert quintile_scores(pd.Series([50, 10, 40, 20, 30])).tolist() == [5, 1, 4, 2, 3]


def test_quintiles_lower_is_better():
    """With higher_is_better=False, does the smallest value get the top score?"""
    assert quintile_scores(pd.Series([1, 2, 3, 4, 5]), higher_is_better=False).tolist() == [
        5, 4, 3, 2, 1]


@pytest.mark.parametrize(
    ("values", "scores"),
    [([7], [3]), ([4, 4, 4], [3, 3, 3]), ([1, 2], [2, 4]), ([1, 1, 2, 3, 3], [2, 2, 3, 5, 5])],
)
def test_quintiles_few_customers_and_ties(values, scores):
    """With fewer than five customers or ties, are scores sensible (ties share a score, and a
    mid-rank exactly on a quintile border counts in the higher quintile)?"""
    assert quintile_scores(pd.Series(values)).tolist() == scores


@settings(max_examples=100)
@given(st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=40))
def test_quintiles_are_monotone_and_in_range(values):
    """Are scores always 1–5 and never lower for a larger value?"""
    series = pd.Series(values)
    scores = quintile_scores(series)
    assert scores.between(1, 5).all()
    order = series.sort_values(kind="stable").index
    assert scores[order].is_monotonic_increasing


AS_OF = "2024-06-30"
# target (R, F, M) scores per customer; each dimension is a permutation of 1..5
TARGETS = {"c1": (5, 5, 5), "c2": (1, 4, 4), "c3": (4, 1, 3), "c4": (2, 2, 1), "c5": (3, 3, 2)}


def orders_for(targets: dict[str, tuple[int, int, int]]) -> pd.DataFrame:
    """Orders giving each customer the target scores: recency (6 − R)·10 days, F orders,
    M·100 万元 in total."""
    rows = []
    for customer, (r, f, m) in targets.items():
        last = pd.Timestamp(AS_OF) - pd.Timedelta(days=(6 - r) * 10)
        for k in range(f):
            rows.append({"customer_id": customer, "order_date": last - pd.Timedelta(days=100 * k),
                         "amount": m * 100 / f})
    return pd.DataFrame(rows)


def test_rfm_raw_values():
    """Are recency, frequency and monetary computed from the orders?"""
    table = rfm_table(orders_for(TARGETS), AS_OF)
    assert list(table.index) == sorted(TARGETS)
    assert table.loc["c2", "recency"] == 50
    assert table.loc["c2", "frequency"] == 4
    assert table.loc["c2", "monetary"] == pytest.approx(400)


def test_rfm_scores_and_segments():
    """Do R/F/M scores, the rfm_score string and the segment labels follow the rules?"""
    table = rfm_table(orders_for(TARGETS), AS_OF)
    assert table["rfm_score"].to_dict() == {"c1": "555", "c2": "144", "c3": "413",
                                            "c4": "221", "c5": "332"}
    assert table["segment"].to_dict() == {
        "c1": "重要价值客户", "c2": "重要保持客户", "c3": "一般发展客户",
        "c4": "一般挽留客户", "c5": "一般挽留客户",
    }


def test_rfm_high_threshold_is_inclusive():
    """Does a score of exactly RFM_HIGH_SCORE count as high and one less as low?"""
    targets = {f"c{i}": (i, i, i) for i in range(1, 6)}
    table = rfm_table(orders_for(targets), AS_OF)
    assert table.loc[f"c{RFM_HIGH_SCORE}", "segment"] == "重要价值客户"
    assert table.loc[f"c{RFM_HIGH_SCORE - 1}", "segment"] == "一般挽留客户"


def test_rfm_segment_table_is_complete():
    """Does the segment table cover all eight high/low combinations exactly once?"""
    combos = {(s.r_high, s.f_high, s.m_high) for s in RFM_SEGMENTS}
    assert len(RFM_SEGMENTS) == 8
    assert len(combos) == 8
    assert len({s.label for s in RFM_SEGMENTS}) == 8


def test_rfm_single_customer():
    """Does a lone customer get the middle score 333?"""
    orders = pd.DataFrame({"customer_id": ["c1"], "order_date": ["2024-06-01"], "amount": [5]})
    assert rfm_table(orders, AS_OF)["rfm_score"].tolist() == ["333"]


def test_rfm_future_order_is_refused():
    """Is an order dated after the as-of date refused, naming the row?"""
    orders = orders_for(TARGETS)
    orders.loc[3, "order_date"] = pd.Timestamp("2024-07-01")
    with pytest.raises(CourseInputError, match=r"第 4 条记录.*order_date"):
        rfm_table(orders, AS_OF)


@pytest.mark.parametrize(("column", "bad"), [("amount", -5), ("amount", "x"),
                                             ("customer_id", None), ("order_date", "昨天")])
def test_rfm_bad_cells_are_named(column, bad):
    """Are bad amounts, blank customers and unreadable dates refused, naming row and column?"""
    orders = orders_for(TARGETS)
    orders[column] = orders[column].astype(object)
    orders.loc[2, column] = bad
    with pytest.raises(CourseInputError, match=rf"第 3 条记录.*{column}"):
        rfm_table(orders, AS_OF)


def test_rfm_empty_or_incomplete_table():
    """Are an empty order table and a missing column refused?"""
    with pytest.raises(CourseInputError, match="没有订单"):
        rfm_table(orders_for(TARGETS).iloc[:0], AS_OF)
    with pytest.raises(CourseInputError, match="amount"):
        rfm_table(orders_for(TARGETS).drop(columns="amount"), AS_OF)


# --- ABC -----------------------------------------------------------------------------------


def test_abc_ranks_and_accumulates():
    """Are customers sorted by value, highest first, with shares and cumulative shares?"""
    table = abc_classes(pd.Series({"x": 30, "w": 50, "z": 0, "y": 20}))
    assert list(table.index) == ["w", "x", "y", "z"]
    assert table["share"].tolist() == pytest.approx([0.5, 0.3, 0.2, 0])
    assert table["cum_share"].tolist() == pytest.approx([0.5, 0.8, 1, 1])
    assert table["abc_class"].tolist() == ["A", "A", "B", "C"]


def test_abc_crossing_customer_takes_the_better_class():
    """Does the customer that carries the cumulative share across 80% still count as A?"""
    table = abc_classes(pd.Series([70, 20, 6, 4]))
    assert table["abc_class"].tolist() == ["A", "A", "B", "C"]


def test_abc_exact_cut_is_not_exceeded_by_rounding():
    """With ten customers of 0.1 and cuts 0.8/0.9, are exactly 8 A, 1 B, 1 C (no float drift)?"""
    table = abc_classes(pd.Series([0.1] * 10), a_cut=0.8, b_cut=0.9)
    assert table["abc_class"].value_counts().to_dict() == {"A": 8, "B": 1, "C": 1}


@pytest.mark.parametrize(("a_cut", "b_cut", "field"),
                         [(0, 0.9, "a_cut"), (0.9, 0.9, "b_cut"), (0.8, 0.7, "b_cut"),
                          (0.8, 1.01, "b_cut"), ("0.8", 0.9, "a_cut")])
def test_abc_cutoffs_are_validated(a_cut, b_cut, field):
    """Are cut-offs outside 0 < a < b ≤ 1 refused, naming the field?"""
    with pytest.raises(CourseInputError, match=field):
        abc_classes(pd.Series([3, 2, 1]), a_cut, b_cut)


@pytest.mark.parametrize(
    "values", [pd.Series([5, -1]), pd.Series([0, 0]), pd.Series([], dtype=float), [5, 3]]
)
def test_abc_bad_values(values):
    """Are negative values, a zero total, no customers or a non-Series refused?"""
    with pytest.raises(CourseInputError, match="客户价值"):
        abc_classes(values)


# --- CLV -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("m", "r", "d", "expected"),
                         [(100, 0.8, 0.1, 80 / 0.3), (10, 0.5, 0, 10), (100, 0, 0.1, 0),
                          (-20, 0.5, 0.1, -10 / 0.6)])
def test_clv_formula(m, r, d, expected):
    """Is CLV = m·r ÷ (1 + d − r)?"""
    assert clv(m, r, d) == pytest.approx(expected)


@pytest.mark.parametrize(("m", "r", "d", "label"),
                         [(100, 1, 0.1, "保留率"), (100, -0.1, 0.1, "保留率"),
                          (100, 0.5, -0.01, "折现率"), ("100", 0.5, 0.1, "每期利润")])
def test_clv_ranges(m, r, d, label):
    """Are r outside [0, 1), d < 0 and non-numbers refused, naming the field?"""
    with pytest.raises(CourseInputError, match=label):
        clv(m, r, d)


def test_clv_vectorised():
    """With Series arguments, does clv return each row's scalar result?"""
    margin = pd.Series([100, 10, 50], index=["a", "b", "c"])
    retention = pd.Series([0.8, 0.5, 0.9], index=["a", "b", "c"])
    result = clv(margin, retention, 0.1)
    assert isinstance(result, pd.Series)
    for key in margin.index:
        assert result[key] == pytest.approx(clv(margin[key], retention[key], 0.1))


def test_clv_vectorised_bad_row_is_named():
    """Does a retention of 1 in a Series name its row?"""
    with pytest.raises(CourseInputError, match=r"（索引 b）.*保留率"):
        clv(100, pd.Series([0.5, 1.0], index=["a", "b"]), 0.1)


# --- MVC / STC / BZ ------------------------------------------------------------------------


def test_value_tier_data():
    """Are the three tiers Peppers & Rogers', with the textbook's strategies and one plain
    wording for each?"""
    assert [(t.key, t.label) for t in VALUE_TIERS] == [
        ("MVC", "最有价值客户"), ("STC", "二级客户"), ("BZ", "负值客户")]
    assert all(t.strategies and len(t.plain) == len(t.strategies) for t in VALUE_TIERS)
    stc, bz = VALUE_TIERS[1], VALUE_TIERS[2]
    assert {"制定交叉价格", "净化沟通过程"} <= set(stc.strategies)
    assert bz.stance.startswith("战略性放弃")


def test_value_tiers_rule():
    """Negative → BZ; top 20% of the non-negative → MVC; the rest → STC (0 is not BZ)?"""
    values = pd.Series([10, -5, 3, 0, 7, 1, 2, 4, 9, 8, 5, -0.01], index=list("abcdefghijkl"))
    tiers = value_tiers(values)
    assert tiers.name == "value_tier"
    assert sorted(tiers[tiers == "BZ"].index) == ["b", "l"]
    assert sorted(tiers[tiers == "MVC"].index) == ["a", "i"]  # ⌈0.2 × 10⌉ = 2
    assert tiers["d"] == "STC"


def test_value_tiers_ties_at_the_cut_are_all_mvc():
    """Is a customer tied with the last MVC also MVC?"""
    tiers = value_tiers(pd.Series([9, 8, 8, 1, 1]), mvc_share=0.4)
    assert tiers.tolist() == ["MVC", "MVC", "MVC", "STC", "STC"]


@pytest.mark.parametrize(("n", "share", "mvc"), [(3, 0.2, 1), (25, 0.28, 7), (10, 0, 0),
                                                 (4, 1, 4)])
def test_value_tiers_mvc_count(n, share, mvc):
    """Is the MVC count ⌈share × non-negative customers⌉, without float drift?"""
    tiers = value_tiers(pd.Series(range(n, 0, -1), dtype=float), mvc_share=share)
    assert (tiers == "MVC").sum() == mvc


@pytest.mark.parametrize(
    ("values", "share", "label"),
    [(pd.Series([1, 2]), 1.5, "mvc_share"), (pd.Series([1, 2]), -0.1, "mvc_share"),
     (pd.Series([1, None]), 0.2, "客户价值"), ([1, 2], 0.2, "客户价值")],
)
def test_value_tiers_bad_input(values, share, label):
    """Are a share outside 0–1 and bad values refused, naming the field?"""
    with pytest.raises(CourseInputError, match=label):
        value_tiers(values, share)


def test_order_labels_give_the_unit_the_data_is_in():
    """The orders table is in 元 (its schema says so): do the labels value.py shows for order
    amounts say 元 too, never 万元?"""
    from crmlab.data import LABELS

    assert value.ORDER_COLUMNS["amount"] == LABELS["orders"]["amount"]
    assert "（元）" in value.ORDER_COLUMNS["amount"] and "元" in value.RFM_LABELS["monetary"]
    assert "万元" not in value.RFM_LABELS["monetary"]
