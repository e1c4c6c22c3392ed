"""Credit assessment (the textbook's chapter 「客户信息与信用评估」, the standard 5C model): 5C score, grades, ratios and aging."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlab.rules.checks import CourseInputError
from crmlab.rules.credit import (
    AGING_BUCKETS,
    AGING_OVERDUE_SHARE,
    AGING_TOTAL,
    FACTORS,
    GRADES,
    RATIOS,
    aging_summary,
    aging_table,
    assess_credit,
    credit_score,
    grade_for,
    ratio_table,
    ratios,
    score_table,
)

KEYS = [f.key for f in FACTORS]
GRADE_RANK = {g.grade: rank for rank, g in enumerate(reversed(GRADES))}  # C = 0 … AAA = 4


def uniform(score: float) -> dict[str, float]:
    return dict.fromkeys(KEYS, score)


factor_scores = st.floats(min_value=0, max_value=100, allow_nan=False)
factor_sets = st.fixed_dictionaries(dict.fromkeys(KEYS, factor_scores))


# --- the 5C factors as data ---------------------------------------------------------------


def test_factors_are_the_five_cs_in_order():
    """Are the factors the 5C model's, in the usual order, each with a Chinese label?"""
    assert KEYS == ["character", "capacity", "capital", "collateral", "conditions"]
    assert [f.label for f in FACTORS] == ["品格", "能力", "资本", "抵押", "条件"]
    assert all(f.description for f in FACTORS)


def test_default_weights_sum_to_one():
    """Do the default 5C weights sum to 1?"""
    assert math.fsum(f.weight for f in FACTORS) == pytest.approx(1, abs=1e-12)


# --- credit_score --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 37.5, 60, 90, 100])
def test_equal_factors_score_that_value(value):
    """When every factor has the same score, is the weighted score exactly that score?"""
    assert credit_score(uniform(value)) == value


def test_score_exactly_on_a_floor_is_not_lost_to_float_error():
    """Do factors whose weighted sum is exactly 60 score 60 and grade B (not 59.999…, C)?"""
    factors = dict(zip(KEYS, [38, 90, 82, 73, 16], strict=True))  # 11.4+22.5+16.4+7.3+2.4
    result = assess_credit(factors)
    assert (result.score, result.grade) == (60, "B")
    assert score_table(pd.DataFrame([factors]))["credit_grade"].tolist() == ["B"]


def test_default_weights_weigh_each_factor():
    """Does each factor count with its default weight (e.g. character alone at 100 → 30)?"""
    for factor in FACTORS:
        scores = uniform(0) | {factor.key: 100}
        assert credit_score(scores) == pytest.approx(100 * factor.weight)


def test_custom_weights_are_used():
    """Do given weights replace the defaults?"""
    weights = {"character": 1, "capacity": 0, "capital": 0, "collateral": 0, "conditions": 0}
    assert credit_score(uniform(10) | {"character": 75}, weights) == 75


def test_weights_within_tolerance_are_accepted():
    """Is a weight sum off by less than 1e-9 accepted?"""
    weights = {"character": 0.3 + 5e-10, "capacity": 0.25, "capital": 0.2, "collateral": 0.1,
               "conditions": 0.15}
    assert credit_score(uniform(50), weights) == pytest.approx(50)


@pytest.mark.parametrize("excess", [2e-9, 0.1, -0.1])
def test_weights_not_summing_to_one_are_refused(excess):
    """Are weights that do not sum to 1 refused with a Chinese message?"""
    weights = {"character": 0.3 + excess, "capacity": 0.25, "capital": 0.2, "collateral": 0.1,
               "conditions": 0.15}
    with pytest.raises(CourseInputError, match="之和必须等于 1"):
        credit_score(uniform(50), weights)


def test_partial_weights_are_refused():
    """Is a weights mapping without all five factors refused, naming what is missing?"""
    with pytest.raises(CourseInputError, match=r"缺少.*资本"):
        credit_score(uniform(50), {"character": 0.5, "capacity": 0.5})


def test_negative_weight_is_refused():
    """Is a negative weight refused, naming the factor?"""
    weights = {"character": 0.5, "capacity": -0.1, "capital": 0.3, "collateral": 0.2,
               "conditions": 0.1}
    with pytest.raises(CourseInputError, match="能力"):
        credit_score(uniform(50), weights)


def test_missing_factor_is_named():
    """Does a missing factor raise an error naming it in Chinese?"""
    scores = uniform(50)
    del scores["collateral"]
    with pytest.raises(CourseInputError, match="抵押"):
        credit_score(scores)


def test_unknown_factor_is_refused():
    """Is an unknown factor key refused?"""
    with pytest.raises(CourseInputError, match="未知"):
        credit_score(uniform(50) | {"cash": 50})


@pytest.mark.parametrize("bad", [-0.01, 100.01, "80", True, float("nan"), None])
def test_factor_out_of_range_or_not_a_number_is_refused(bad):
    """Is a factor score outside 0–100, or not a number, refused, naming the factor?"""
    with pytest.raises(CourseInputError, match="品格"):
        credit_score(uniform(50) | {"character": bad})


# --- grades --------------------------------------------------------------------------------


def test_grade_scale_is_ordered_and_policy_tightens():
    """Do grade floors fall from AAA to C while limits and credit periods never grow?"""
    assert [g.grade for g in GRADES] == ["AAA", "AA", "A", "B", "C"]
    floors = [g.min_score for g in GRADES]
    assert floors == sorted(floors, reverse=True)
    assert floors[-1] == 0
    months = [g.limit_months for g in GRADES]
    days = [g.period_days for g in GRADES]
    assert months == sorted(months, reverse=True)
    assert days == sorted(days, reverse=True)


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "AAA"), (90, "AAA"), (89.99, "AA"), (80, "AA"), (79.99, "A"), (70, "A"),
     (69.99, "B"), (60, "B"), (59.99, "C"), (0, "C")],
)
def test_grade_boundaries(score, grade):
    """Is each grade boundary inclusive at its floor (90, 80, 70, 60)?"""
    assert grade_for(score).grade == grade
    assert assess_credit(uniform(score)).grade == grade


def test_assess_credit_limit_is_months_of_monthly_purchases():
    """Is the limit the grade's months of average monthly credit purchases (万元)?"""
    result = assess_credit(uniform(95), annual_credit_sales=120)
    assert (result.grade, result.limit, result.period_days) == ("AAA", 30, 60)
    assert assess_credit(uniform(65), annual_credit_sales=120).limit == 5


def test_grade_c_is_cash_on_delivery():
    """Does grade C get no credit: limit 0, period 0 and 现款现货 in the policy?"""
    result = assess_credit(uniform(30), annual_credit_sales=120)
    assert (result.grade, result.limit, result.period_days) == ("C", 0, 0)
    assert "现款现货" in result.policy


def test_assess_credit_without_sales_has_no_limit():
    """Without annual credit sales, is the limit None while the policy is still stated?"""
    result = assess_credit(uniform(85))
    assert result.limit is None
    assert result.grade_label == "信用优良"
    assert "45 天" in result.policy


def test_negative_sales_are_refused():
    """Are negative annual credit sales refused, naming the field?"""
    with pytest.raises(CourseInputError, match="年赊销额"):
        assess_credit(uniform(85), annual_credit_sales=-1)


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=200)
@given(factor_sets)
def test_score_stays_in_range(factors):
    """Does the score always stay within 0–100?"""
    assert 0 <= credit_score(factors) <= 100


@settings(max_examples=200)
@given(factor_sets, st.sampled_from(KEYS), factor_scores)
def test_raising_a_factor_never_lowers_score_or_grade(factors, key, other):
    """Does raising any one factor never lower the score nor the grade?"""
    low, high = sorted([factors[key], other])
    before = assess_credit(factors | {key: low})
    after = assess_credit(factors | {key: high})
    assert after.score >= before.score
    assert GRADE_RANK[after.grade] >= GRADE_RANK[before.grade]


@settings(max_examples=200)
@given(factor_sets, factor_sets)
def test_grade_order_follows_score_order(first, second):
    """Does a higher score never get a lower grade?"""
    a, b = sorted([assess_credit(first), assess_credit(second)], key=lambda r: r.score)
    assert GRADE_RANK[a.grade] <= GRADE_RANK[b.grade]


# --- score_table ---------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=50)
@given(st.lists(factor_sets, min_size=1, max_size=8),
       st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=8,
                max_size=8))
def test_score_table_agrees_with_assess_credit(rows, sales):
    """Does score_table give, row for row, what assess_credit gives?"""
    df = pd.DataFrame(rows)
    df["annual_credit_sales"] = sales[: len(rows)]
    table = score_table(df)
    for i, row in enumerate(rows):
        result = assess_credit(row, annual_credit_sales=sales[i])
        assert table["credit_score"].iloc[i] == result.score
        assert table["credit_grade"].iloc[i] == result.grade
        assert table["credit_limit"].iloc[i] == result.limit
        assert table["credit_period_days"].iloc[i] == result.period_days


def test_score_table_boundary_rows_and_custom_weights():
    """On boundary scores with custom weights, does score_table agree with assess_credit?"""
    weights = {"character": 0.2, "capacity": 0.2, "capital": 0.2, "collateral": 0.2,
               "conditions": 0.2}
    values = [90, 89.99, 80, 70, 60, 59.99]
    table = score_table(pd.DataFrame([uniform(v) for v in values]), weights)
    expected = [assess_credit(uniform(v), weights).grade for v in values]
    assert table["credit_grade"].tolist() == expected == ["AAA", "AA", "AA", "A", "B", "C"]


def test_score_table_without_sales_has_no_limit_column():
    """Without an annual_credit_sales column, is there no credit_limit column?"""
    table = score_table(pd.DataFrame([uniform(75)]))
    assert "credit_limit" not in table
    assert table["credit_period_days"].tolist() == [30]


def test_score_table_leaves_input_unchanged():
    """Does score_table return a new table and leave the caller's table as it was?"""
    df = pd.DataFrame([uniform(75)])
    score_table(df)
    assert list(df.columns) == KEYS


def test_score_table_names_bad_row_and_column():
    """Does a bad value name the row's index and the column?"""
    df = pd.DataFrame([uniform(70), uniform(80) | {"capital": 120}], index=["K01", "K02"])
    with pytest.raises(CourseInputError, match=r"K02.*资本.*capital"):
        score_table(df)


def test_score_table_refuses_text_and_blanks():
    """Are text and blank cells refused, naming the row?"""
    df = pd.DataFrame([uniform(70), uniform(80) | {"capacity": "高"}])
    with pytest.raises(CourseInputError, match=r"第 2 条记录.*capacity"):
        score_table(df)
    with pytest.raises(CourseInputError, match=r"第 1 条记录.*conditions"):
        score_table(pd.DataFrame([uniform(70) | {"conditions": None}]))


def test_score_table_missing_column_is_named():
    """Is a missing factor column named?"""
    with pytest.raises(CourseInputError, match="collateral"):
        score_table(pd.DataFrame([uniform(70)]).drop(columns="collateral"))


# --- ratios --------------------------------------------------------------------------------

EXAMPLE = {"current_assets": 200, "inventory": 50, "current_liabilities": 100,
           "total_assets": 500, "total_liabilities": 250, "annual_credit_sales": 365,
           "receivables_begin": 40, "receivables_end": 60}


def test_ratios_worked_example():
    """Are the five ratios right on a hand-worked example?"""
    assert ratios(**EXAMPLE) == pytest.approx(
        {"current_ratio": 2, "quick_ratio": 1.5, "debt_to_asset": 0.5,
         "receivables_turnover": 7.3, "dso": 50}
    )


def test_ratio_data_matches_the_function():
    """Does RATIOS describe exactly the ratios computed, with the traditional references?"""
    assert [r.key for r in RATIOS] == list(ratios(**EXAMPLE))
    reference = {r.key: r.reference for r in RATIOS}
    assert reference["current_ratio"] == 2
    assert reference["quick_ratio"] == 1


@pytest.mark.parametrize(
    ("zeroed", "message"),
    [({"current_liabilities": 0}, "流动负债为 0"),
     ({"total_assets": 0, "total_liabilities": 0}, "资产总额为 0"),
     ({"receivables_begin": 0, "receivables_end": 0}, "应收账款平均余额为 0"),
     ({"annual_credit_sales": 0}, "应收账款周转率为 0")],
)
def test_ratios_zero_denominator_is_an_error(zeroed, message):
    """Does a zero denominator raise a Chinese error saying which one?"""
    with pytest.raises(CourseInputError, match=message):
        ratios(**EXAMPLE | zeroed)


@pytest.mark.parametrize(
    ("field", "bad", "label"),
    [("inventory", -1, "存货"), ("total_assets", "500", "资产总额"),
     ("inventory", 201, "存货")],
)
def test_ratios_bad_input_is_named(field, bad, label):
    """Are negative, non-numeric or impossible inputs (inventory > current assets) refused?"""
    with pytest.raises(CourseInputError, match=label):
        ratios(**EXAMPLE | {field: bad})


def test_ratio_table_agrees_with_ratios_and_gives_nan_on_zero():
    """Does ratio_table match ratios() row by row, with NaN only where a denominator is 0?"""
    second = EXAMPLE | {"current_assets": 90, "inventory": 30, "current_liabilities": 60,
                        "receivables_begin": 10, "receivables_end": 30}
    zero = EXAMPLE | {"current_liabilities": 0, "annual_credit_sales": 0}
    table = ratio_table(pd.DataFrame([EXAMPLE, second, zero]))
    for i, row in enumerate([EXAMPLE, second]):
        assert table.iloc[i][list(ratios(**row))].to_dict() == pytest.approx(ratios(**row))
    last = table.iloc[2]
    assert np.isnan(last["current_ratio"])
    assert np.isnan(last["quick_ratio"])
    assert np.isnan(last["dso"])
    assert last["debt_to_asset"] == 0.5
    assert last["receivables_turnover"] == 0


def test_ratio_table_names_bad_row():
    """Does a bad cell in ratio_table name the row and the column?"""
    df = pd.DataFrame([EXAMPLE, EXAMPLE | {"inventory": 300}], index=["甲", "乙"])
    with pytest.raises(CourseInputError, match=r"乙.*inventory"):
        ratio_table(df)


# --- aging ---------------------------------------------------------------------------------

AS_OF = "2024-06-30"


def receivables(days_overdue, amounts=None, customers=None) -> pd.DataFrame:
    n = len(days_overdue)
    due = pd.Timestamp(AS_OF) - pd.to_timedelta(days_overdue, unit="D")
    return pd.DataFrame({
        "invoice_id": [f"INV{i}" for i in range(n)],
        "customer_id": customers or ["K01"] * n,
        "invoice_date": due - pd.Timedelta(days=30),
        "due_date": due,
        "outstanding": amounts or [1.0] * n,
    })


def test_aging_buckets_are_contiguous():
    """Does each bucket start the day after the previous one ends, with no gap or overlap?"""
    for previous, bucket in itertools.pairwise(AGING_BUCKETS):
        assert bucket.min_days == previous.max_days + 1
    assert AGING_BUCKETS[0].min_days is None
    assert AGING_BUCKETS[-1].max_days is None


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(-10, "未到期"), (0, "未到期"), (1, "1–30天"), (30, "1–30天"), (31, "31–60天"),
     (60, "31–60天"), (61, "61–90天"), (90, "61–90天"), (91, "91–180天"), (180, "91–180天"),
     (181, "超过180天"), (1000, "超过180天")],
)
def test_aging_bucket_edges(days, bucket):
    """Does an invoice this many days overdue land in the right bucket (edges exact)?"""
    row = aging_table(receivables([days], [2.5]), AS_OF).iloc[0]
    assert row[bucket] == 2.5
    assert row[[b.label for b in AGING_BUCKETS]].sum() == 2.5


def test_aging_table_per_customer():
    """Does the table give one row per customer, every bucket, the total and overdue share?"""
    table = aging_table(
        receivables([0, 45, 200, 10], [6, 2, 2, 0], ["K02", "K02", "K02", "K01"]), AS_OF
    )
    assert list(table.index) == ["K01", "K02"]
    assert list(table.columns) == [b.label for b in AGING_BUCKETS] + [AGING_TOTAL,
                                                                      AGING_OVERDUE_SHARE]
    assert table.loc["K02", AGING_TOTAL] == 10
    assert table.loc["K02", AGING_OVERDUE_SHARE] == pytest.approx(0.4)
    assert table.loc["K02", "61–90天"] == 0
    assert np.isnan(table.loc["K01", AGING_OVERDUE_SHARE])  # nothing outstanding


def test_aging_ignores_time_of_day():
    """Is an invoice due later on the as-of day still counted as not yet due?"""
    book = receivables([0])
    book["due_date"] = ["2024-06-30 18:00"]
    assert aging_table(book, AS_OF).iloc[0]["未到期"] == 1


def test_aging_summary_shares():
    """Does the summary give the book's amount and share per bucket, shares summing to 1?"""
    summary = aging_summary(receivables([0, 20, 20, 100], [5, 2, 1, 2]), AS_OF)
    assert list(summary.index) == [b.label for b in AGING_BUCKETS]
    assert summary.loc["1–30天", "金额"] == 3
    assert summary.loc["未到期", "占比"] == pytest.approx(0.5)
    assert summary["占比"].sum() == pytest.approx(1)


def test_aging_due_before_invoice_names_row():
    """Is a due date before the invoice date refused, naming the row?"""
    book = receivables([5, 5])
    book.loc[1, "due_date"] = book.loc[1, "invoice_date"] - pd.Timedelta(days=1)
    with pytest.raises(CourseInputError, match=r"第 2 条记录.*due_date"):
        aging_table(book, AS_OF)


@pytest.mark.parametrize(
    ("column", "bad", "label"),
    [("due_date", "下月", "到期日"), ("outstanding", -1, "未收金额"),
     ("customer_id", None, "客户编号")],
)
def test_aging_bad_cells_are_named(column, bad, label):
    """Are an unreadable date, a negative amount and a blank customer refused by name?"""
    book = receivables([5, 5])
    book[column] = book[column].astype(object)
    book.loc[1, column] = bad
    with pytest.raises(CourseInputError, match=rf"第 2 条记录.*{label}"):
        aging_table(book, AS_OF)


@pytest.mark.parametrize("bad", ["not a date", None, 20240630])
def test_aging_bad_as_of_is_refused(bad):
    """Is an as-of value that is not a date refused?"""
    with pytest.raises(CourseInputError, match="统计日期"):
        aging_table(receivables([5]), bad)


def test_aging_missing_column_is_named():
    """Is a missing column named?"""
    with pytest.raises(CourseInputError, match="due_date"):
        aging_table(receivables([5]).drop(columns="due_date"), AS_OF)


def test_aging_labels_cannot_be_read_two_ways():
    """Does the oldest bucket read 「超过180天」 beside 「91–180天」, never 「180天以上」?"""
    labels = [bucket.label for bucket in AGING_BUCKETS]
    assert labels[-2:] == ["91–180天", "超过180天"]
    assert not any("以上" in label for label in labels)


# --- the watch list -------------------------------------------------------------------------------


def test_each_watch_rule_flags_its_own_customers():
    """Does each watch rule flag exactly the rows past its threshold (grade B or C, overdue share
    of 80 % or more, current ratio under 1), with a missing value never flagged?"""
    from crmlab.rules.credit import WATCH_RULES

    table = pd.DataFrame({"credit_grade": ["AAA", "B", "C", "A", "A", "A"],
                          "overdue_share": [0.1, 0.0, np.nan, 0.8, 0.79, 0.0],
                          "current_ratio": [2.0, 1.5, 1.0, 3.0, 1.2, 0.99]})
    flagged = {rule.key: list(rule.flags(table).fillna(False).astype(bool)) for rule in WATCH_RULES}
    assert flagged == {"grade": [False, True, True, False, False, False],
                       "overdue": [False, False, False, True, False, False],
                       "current_ratio": [False, False, False, False, False, True]}
    assert [rule.label for rule in WATCH_RULES] == [
        "信用等级为 B 或 C", "逾期金额占应收账款 80% 及以上", "流动比率低于 1"]


def test_the_watched_grades_are_grades_of_the_scale():
    from crmlab.rules.credit import WATCH_GRADES

    assert set(WATCH_GRADES) <= {grade.grade for grade in GRADES}
