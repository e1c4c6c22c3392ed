"""Customer churn and retention (客户流失与保留): the textbook's chapter 「客户的流失与挽回」;
the churn and retention rates are the field's standard formulas.

The two formulas of the course, for one period:

* churn rate (流失率) = customers lost in the period ÷ customers at its start;
* retention rate (保留率) = (customers at its end − new customers won in it) ÷ customers at start.

Both are returned as fractions (0.25 means 25 %). :func:`period_retention` applies them to an
order table, period by period, with these definitions (this course's choice, stated in the
lesson):

* a customer is **active** in a period when it placed at least one order in it;
* **customers at the start** of a period are those active in the previous period;
* **retained** = active in the previous period and in this one; **lost** = active in the
  previous period but not in this one; **new** = active in this one but not in the previous
  one, so customers at the end (active in this period) = retained + new;
* **reactivated** (回流) counts those of the new customers who had ordered before the previous
  period: customers won back. They are part of ``new``, so the two formulas stay consistent
  (churn rate + retention rate = 1 whenever there are customers at the start).

The first period in the data has no previous period and so no row; a period whose previous
period had no active customer gets rates of NaN (nothing to divide by). Periods without any
order inside the data's range are kept (all their previous customers are lost).
"""

from __future__ import annotations

import pandas as pd

from crmlab.rules.checks import CourseInputError, as_number, date_column, require_columns, row_error

FREQUENCIES: dict[str, str] = {"Y": "年", "Q": "季度", "M": "月"}
"""Accepted ``freq`` of :func:`period_retention` (pandas period aliases) → Chinese name."""

FIELD_LABELS: dict[str, str] = {
    "lost": "流失客户数",
    "at_start": "期初客户数",
    "at_end": "期末客户数",
    "new": "新增客户数",
}
"""Arguments of the scalar functions → Chinese label used in error messages."""

COLUMN_LABELS: dict[str, str] = {
    "period": "期间",
    "at_start": "期初客户数",
    "retained": "保留客户数",
    "lost": "流失客户数",
    "new": "新增客户数",
    "reactivated": "其中：回流客户数",
    "at_end": "期末客户数",
    "churn_rate": "流失率（churn rate）",
    "retention_rate": "保留率（retention rate）",
    "customer_id": "客户编号",
    "order_date": "下单日期",
}
"""Column → Chinese header, for the order table's columns used here and the result's columns."""

RETENTION_COLUMNS: tuple[str, ...] = (
    "period", "at_start", "retained", "lost", "new", "reactivated", "at_end",
    "churn_rate", "retention_rate",
)
"""Columns of :func:`period_retention`, in order."""

ORDERS_LABEL = "订单表"


# ------------------------------------------------------------------ the formulas, once each


def _churn(lost, at_start):
    """lost ÷ at_start (scalars or aligned Series; the callers ensure at_start is usable)."""
    return lost / at_start


def _retention(at_end, new, at_start):
    """(at_end − new) ÷ at_start."""
    return (at_end - new) / at_start


def _count(value: object, key: str) -> int:
    """A customer count: a whole number ≥ 0."""
    label = FIELD_LABELS[key]
    number = as_number(value, label, minimum=0)
    if not number.is_integer():
        raise CourseInputError(f"「{label}」必须是整数（客户的个数），现在是 {number:g}", label)
    return int(number)


def _start(value: object) -> int:
    count = _count(value, "at_start")
    if count == 0:
        label = FIELD_LABELS["at_start"]
        raise CourseInputError(f"「{label}」为 0 时无法计算比率（不能除以 0）", label)
    return count


def churn_rate(lost: int, at_start: int) -> float:
    """Churn rate = lost ÷ customers at start, as a fraction in 0–1.

    Both are whole numbers ≥ 0, ``at_start`` > 0 and ``lost`` ≤ ``at_start`` (only customers
    there at the start can be lost); otherwise :class:`CourseInputError`.
    """
    lost_n, start_n = _count(lost, "lost"), _start(at_start)
    if lost_n > start_n:
        label = FIELD_LABELS["lost"]
        raise CourseInputError(
            f"「{label}」（{lost_n}）不能多于「{FIELD_LABELS['at_start']}」（{start_n}）", label
        )
    return float(_churn(lost_n, start_n))


def retention_rate(at_end: int, new: int, at_start: int) -> float:
    """Retention rate = (customers at end − new customers) ÷ customers at start, in 0–1.

    All whole numbers ≥ 0, ``at_start`` > 0, ``new`` ≤ ``at_end`` (the new customers are among
    those at the end) and ``at_end − new`` ≤ ``at_start`` (no more customers can be kept than
    there were); otherwise :class:`CourseInputError`.
    """
    end_n, new_n, start_n = _count(at_end, "at_end"), _count(new, "new"), _start(at_start)
    if new_n > end_n:
        label = FIELD_LABELS["new"]
        raise CourseInputError(
            f"「{label}」（{new_n}）不能多于「{FIELD_LABELS['at_end']}」（{end_n}）", label
        )
    if end_n - new_n > start_n:
        label = FIELD_LABELS["at_end"]
        raise CourseInputError(
            f"「{label}」减去「{FIELD_LABELS['new']}」（{end_n - new_n}）"
            f"不能多于「{FIELD_LABELS['at_start']}」（{start_n}）：留下的老客户不会比期初还多",
            label,
        )
    return float(_retention(end_n, new_n, start_n))


# --------------------------------------------------------------------- per period, from orders


def period_retention(orders: pd.DataFrame, freq: str = "Y") -> pd.DataFrame:
    """Customers at start, retained, lost, new, churn and retention rate per period.

    ``orders`` needs the columns ``customer_id`` and ``order_date`` (others are ignored);
    ``freq`` is ``"Y"`` (years), ``"Q"`` (quarters) or ``"M"`` (months). Definitions in the
    module docstring. One row per period from the second period in the data to the last, with
    ``RETENTION_COLUMNS``: ``period`` as text (「2024」「2024Q1」「2024-01」), counts as
    integers, rates as fractions (NaN when nobody was active in the previous period).
    A missing column, a blank customer, an unreadable date, an unknown ``freq`` or data from a
    single period raise :class:`CourseInputError`.
    """
    if freq not in FREQUENCIES:
        names = "、".join(f"\"{key}\"（{label}）" for key, label in FREQUENCIES.items())
        raise CourseInputError(f"「统计周期（freq）」只能是 {names}，现在是：{freq!r}", "统计周期")
    require_columns(orders, ("customer_id", "order_date"), ORDERS_LABEL)
    if orders.empty:
        raise CourseInputError(f"「{ORDERS_LABEL}」中没有订单，无法计算流失率。", ORDERS_LABEL)
    customers = orders["customer_id"].astype("string").str.strip().rename("customer_id")
    blank = customers.isna() | customers.eq("")
    if blank.any():
        row_error(customers, blank, COLUMN_LABELS["customer_id"], "不能为空")
    periods = date_column(orders, "order_date", COLUMN_LABELS["order_date"]).dt.to_period(freq)

    span = pd.period_range(periods.min(), periods.max(), freq=periods.dt.freq)
    if len(span) < 2:
        raise CourseInputError(
            f"「{ORDERS_LABEL}」的订单只落在 1 个{FREQUENCIES[freq]}（{span[0]}）内，"
            f"至少要跨两个{FREQUENCIES[freq]}才能比较期初和期末。",
            ORDERS_LABEL,
        )
    # customers × periods: True where the customer ordered at least once in the period
    active = (
        pd.crosstab(customers.to_numpy(), periods.to_numpy())
        .reindex(columns=span, fill_value=0)
        .gt(0)
    )
    previous = active.shift(1, axis=1, fill_value=False)
    before_previous = active.cummax(axis=1).shift(2, axis=1, fill_value=False)

    counts = pd.DataFrame(
        {
            "at_start": previous.sum(),
            "retained": (active & previous).sum(),
            "lost": (previous & ~active).sum(),
            "new": (active & ~previous).sum(),
            "reactivated": (active & ~previous & before_previous).sum(),
            "at_end": active.sum(),
        }
    ).astype("int64").iloc[1:]
    start = counts["at_start"].where(counts["at_start"].gt(0)).astype("float64")
    result = counts.assign(
        churn_rate=_churn(counts["lost"], start),
        retention_rate=_retention(counts["at_end"], counts["new"], start),
    )
    result.insert(0, "period", result.index.astype(str).astype("string"))
    return result.reset_index(drop=True)[list(RETENTION_COLUMNS)]
