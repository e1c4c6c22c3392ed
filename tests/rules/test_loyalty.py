"""Churn and retention: the two formulas, and the period table built from orders."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlab.rules.checks import CourseInputError
from crmlab.rules.loyalty import (
    COLUMN_LABELS,
    FREQUENCIES,
    RETENTION_COLUMNS,
    churn_rate,
    period_retention,
    retention_rate,
)


def _orders(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "order_date"])


# ------------------------------------------------------------------------------ churn_rate


def test_churn_rate_is_lost_over_customers_at_start():
    """Is the churn rate lost ÷ customers at start, as a fraction?"""
    assert churn_rate(20, 200) == pytest.approx(0.10)


@pytest.mark.parametrize(("lost", "at_start", "expected"), [(0, 50, 0.0), (50, 50, 1.0),
                                                            (1, 1, 1.0)])
def test_churn_rate_at_its_boundaries(lost, at_start, expected):
    """Is nobody lost 0 and everybody lost 1?"""
    assert churn_rate(lost, at_start) == expected


@pytest.mark.parametrize(
    ("lost", "at_start", "field"),
    [
        (51, 50, "流失客户数"),
        (-1, 50, "流失客户数"),
        (2.5, 50, "流失客户数"),
        ("5", 50, "流失客户数"),
        (True, 50, "流失客户数"),
        (0, 0, "期初客户数"),
        (1, float("nan"), "期初客户数"),
        (1, None, "期初客户数"),
    ],
)
def test_churn_rate_refuses_bad_input(lost, at_start, field):
    """Does a count that is negative, fractional, text, or impossible raise a Chinese error?"""
    with pytest.raises(CourseInputError, match=field) as error:
        churn_rate(lost, at_start)
    assert error.value.field == field


def test_churn_rate_accepts_whole_floats():
    """Is 20.0 accepted as the whole number 20?"""
    assert churn_rate(20.0, 200.0) == pytest.approx(0.10)


# --------------------------------------------------------------------------- retention_rate


def test_retention_rate_leaves_new_customers_out():
    """Is the retention rate (at end − new) ÷ at start?"""
    assert retention_rate(at_end=230, new=50, at_start=200) == pytest.approx(0.90)


@pytest.mark.parametrize(
    ("at_end", "new", "at_start", "expected"),
    [(50, 50, 40, 0.0), (40, 0, 40, 1.0), (0, 0, 40, 0.0), (45, 5, 40, 1.0)],
)
def test_retention_rate_at_its_boundaries(at_end, new, at_start, expected):
    """Are "only new customers left" 0 and "every old customer kept" 1?"""
    assert retention_rate(at_end, new, at_start) == expected


@pytest.mark.parametrize(
    ("at_end", "new", "at_start", "field"),
    [
        (40, 41, 100, "新增客户数"),
        (150, 10, 100, "期末客户数"),
        (100, 0, 0, "期初客户数"),
        (-1, 0, 10, "期末客户数"),
        (10, 1.5, 10, "新增客户数"),
        (10, 0, "10", "期初客户数"),
    ],
)
def test_retention_rate_refuses_bad_input(at_end, new, at_start, field):
    """Do impossible or non-numeric counts raise a Chinese error naming the field?"""
    with pytest.raises(CourseInputError, match=field):
        retention_rate(at_end, new, at_start)


@given(
    at_start=st.integers(1, 10_000),
    kept_share=st.floats(0, 1),
    new=st.integers(0, 10_000),
)
def test_churn_and_retention_add_up_to_one(at_start, kept_share, new):
    """With at_end = kept + new, do churn and retention rate add up to 1?"""
    kept = round(kept_share * at_start)
    lost = at_start - kept
    total = churn_rate(lost, at_start) + retention_rate(kept + new, new, at_start)
    assert total == pytest.approx(1.0)


# ------------------------------------------------------------------------- period_retention


def test_period_retention_counts_a_small_example():
    """Are start, retained, lost, new, reactivated and end counted as defined?"""
    orders = _orders([
        ("A", "2023-03-01"), ("B", "2023-05-01"), ("C", "2023-07-01"),  # 2023: A B C
        ("A", "2024-01-10"), ("A", "2024-06-01"), ("D", "2024-02-02"),  # 2024: A D
        ("A", "2025-01-01"), ("B", "2025-04-01"), ("E", "2025-12-31"),  # 2025: A B E
    ])
    table = period_retention(orders).set_index("period")
    assert list(table.index) == ["2024", "2025"]
    assert table.loc["2024", ["at_start", "retained", "lost", "new", "reactivated", "at_end"]
                     ].tolist() == [3, 1, 2, 1, 0, 2]
    assert table.loc["2025", ["at_start", "retained", "lost", "new", "reactivated", "at_end"]
                     ].tolist() == [2, 1, 1, 2, 1, 3]  # B came back: new and reactivated
    assert table.loc["2024", "churn_rate"] == pytest.approx(2 / 3)
    assert table.loc["2025", "retention_rate"] == pytest.approx((3 - 2) / 2)


def test_rates_agree_with_the_scalar_formulas():
    """Does every row's rate equal churn_rate / retention_rate on that row's counts?"""
    orders = _orders([("A", "2024-01-05"), ("B", "2024-02-05"), ("A", "2024-04-01"),
                      ("C", "2024-05-01"), ("B", "2024-08-01"), ("D", "2024-11-30")])
    table = period_retention(orders, freq="Q")
    for row in table.itertuples():
        if row.at_start:
            assert row.churn_rate == churn_rate(row.lost, row.at_start)
            assert row.retention_rate == retention_rate(row.at_end, row.new, row.at_start)


def test_one_order_or_many_make_a_customer_equally_active():
    """Does a customer with five orders in a period count once, like one with one order?"""
    few = _orders([("A", "2024-01-01"), ("A", "2025-01-01")])
    many = _orders([("A", "2024-01-01")] * 5 + [("A", "2025-03-01")])
    assert period_retention(few).equals(period_retention(many))


def test_period_boundaries_follow_the_calendar():
    """Do 31 December and 1 January fall into different years (and quarters)?"""
    orders = _orders([("A", "2024-12-31"), ("A", "2025-01-01")])
    yearly = period_retention(orders)
    assert yearly["retained"].tolist() == [1]
    quarterly = period_retention(_orders([("A", "2024-03-31"), ("B", "2024-04-01")]), freq="Q")
    assert quarterly.loc[0, ["period", "lost", "new"]].tolist() == ["2024Q2", 1, 1]


def test_a_gap_period_is_kept_and_loses_everyone():
    """Is a year without orders inside the range shown, with all its customers lost?"""
    orders = _orders([("A", "2023-05-01"), ("B", "2023-06-01"), ("A", "2025-05-01")])
    table = period_retention(orders).set_index("period")
    assert table.loc["2024", ["at_start", "lost", "at_end"]].tolist() == [2, 2, 0]
    assert table.loc["2024", "churn_rate"] == 1.0
    assert math.isnan(table.loc["2025", "churn_rate"])  # nobody at the start of 2025
    assert table.loc["2025", ["new", "reactivated"]].tolist() == [1, 1]


def test_the_result_has_the_documented_columns_and_labels():
    """Are the columns RETENTION_COLUMNS, each with a Chinese label, counts as integers?"""
    table = period_retention(_orders([("A", "2024-01-01"), ("B", "2025-01-01")]), freq="M")
    assert tuple(table.columns) == RETENTION_COLUMNS
    assert all(column in COLUMN_LABELS for column in RETENTION_COLUMNS)
    assert table["period"].iloc[0] == "2024-02" and len(table) == 12
    assert all(pd.api.types.is_integer_dtype(table[c]) for c in ("at_start", "lost", "new"))


def test_extra_columns_and_text_dates_are_accepted():
    """Are other columns ignored and ISO date strings read?"""
    orders = _orders([("A", "2024-01-01"), ("A", "2025-06-30")]).assign(amount=[1.0, 2.0])
    assert period_retention(orders)["retained"].tolist() == [1]


@pytest.mark.slow
@settings(max_examples=50)
@given(
    st.lists(
        st.tuples(st.sampled_from(list("ABCDEFG")), st.dates(pd.Timestamp("2022-01-01").date(),
                                                            pd.Timestamp("2025-12-31").date())),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(list(FREQUENCIES)),
)
def test_period_table_is_consistent(rows, freq):
    """Do start = retained + lost, end = retained + new, and each start = the previous end?"""
    orders = _orders([(c, d.isoformat()) for c, d in rows])
    periods = pd.to_datetime(orders["order_date"]).dt.to_period(freq)
    if periods.nunique() == 1:
        with pytest.raises(CourseInputError):
            period_retention(orders, freq)
        return
    table = period_retention(orders, freq)
    assert (table["at_start"] == table["retained"] + table["lost"]).all()
    assert (table["at_end"] == table["retained"] + table["new"]).all()
    assert (table["at_start"].iloc[1:].to_numpy() == table["at_end"].iloc[:-1].to_numpy()).all()
    assert (table["reactivated"] <= table["new"]).all()
    has_start = table["at_start"] > 0
    rates = table.loc[has_start, "churn_rate"] + table.loc[has_start, "retention_rate"]
    assert rates.sub(1).abs().lt(1e-12).all()
    assert table.loc[~has_start, ["churn_rate", "retention_rate"]].isna().all().all()


def test_the_sample_orders_give_a_believable_table():
    """On the sample orders, are there rows for 2024 and 2025 with rates in 0–1?"""
    from crmlab.data import load_sample

    table = period_retention(load_sample("orders"))
    assert table["period"].tolist() == ["2024", "2025"]
    assert table[["churn_rate", "retention_rate"]].stack().between(0, 1).all()
    assert (table["at_start"] > 100).all()


@pytest.mark.parametrize(
    ("orders", "freq", "message"),
    [
        (pd.DataFrame({"customer_id": ["A"]}), "Y", "order_date"),
        ("orders.csv", "Y", "订单表"),
        (pd.DataFrame({"customer_id": [], "order_date": []}), "Y", "没有订单"),
        (_orders([("A", "2024-01-01"), ("A", "2024-12-31")]), "Y", "至少要跨两个年"),
        (_orders([("A", "2024-01-01"), ("B", "2024-13-01")]), "Y", "第 2 条记录.*下单日期"),
        (_orders([("A", "2024-01-01"), (" ", "2025-01-01")]), "Y", "第 2 条记录.*客户编号"),
        (_orders([("A", "2024-01-01"), (None, "2025-01-01")]), "Y", "客户编号.*不能为空"),
        (_orders([("A", "2024-01-01"), ("A", "2025-01-01")]), "W", "统计周期"),
        (_orders([("A", "2024-01-01"), ("A", "2025-01-01")]), "年", "统计周期"),
    ],
)
def test_period_retention_refuses_bad_input(orders, freq, message):
    """Do a missing column, no orders, one period, bad rows or a bad freq raise in Chinese?"""
    with pytest.raises(CourseInputError, match=message):
        period_retention(orders, freq)
