"""Customer value (客户价值): business value, composite evaluation, RFM, ABC, CLV and the
Peppers & Rogers value tiers (the textbook's chapters 「客户的识别与选择」 and 「客户分级管理」;
RFM, ABC and CLV are the field's standard frameworks).

Default weights of the composite evaluation, the RFM "high" threshold and segment table, and
the ABC cut-offs are illustrative teaching choices; the formulas (business value, Σ wᵢ·sᵢ,
CLV of Gupta & Lehmann 2003) are the textbook's and the literature's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.rules.checks import (
    CourseInputError,
    as_date,
    as_number,
    check_scores,
    check_weights,
    date_column,
    numeric_column,
    require_columns,
    row_error,
    weighted_score,
)

# --------------------------------------------------------------------------------------------
# Business value
# --------------------------------------------------------------------------------------------

REVENUE_LABEL = "客户带来的收益（万元）"
COST_LABEL = "客户成本（万元）"


def business_value(revenue: float, cost: float) -> float:
    """Customer business value = revenue the customer brings − cost of the customer (attracting,
    acquiring, developing, retaining). Both are non-negative amounts; the result may be < 0."""
    return as_number(revenue, REVENUE_LABEL, minimum=0) - as_number(cost, COST_LABEL, minimum=0)


def business_values(df: pd.DataFrame) -> pd.Series:
    """Vectorised :func:`business_value` over the columns ``revenue`` and ``cost``; returns a
    Series named ``business_value`` with the table's index."""
    require_columns(df, ("revenue", "cost"), "客户收益与成本表")
    revenue = numeric_column(df, "revenue", REVENUE_LABEL, minimum=0)
    cost = numeric_column(df, "cost", COST_LABEL, minimum=0)
    return (revenue - cost).rename("business_value")


# --------------------------------------------------------------------------------------------
# Composite evaluation (综合评价法)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueDimension:
    """One dimension of the composite evaluation, scored 0–100."""

    key: str
    label: str
    description: str
    weight: float


COMPOSITE_DIMENSIONS: tuple[ValueDimension, ...] = (
    ValueDimension("current", "即有价值", "客户目前的购买给企业带来的利润（本课程也称当前价值）", 0.4),
    ValueDimension("potential", "潜在价值", "客户将来追加购买、扩大合作可能带来的利润", 0.3),
    ValueDimension("influence", "影响价值", "客户的口碑和推荐对其他客户购买的带动", 0.2),
    ValueDimension("learning", "学习价值", "客户的意见和需求帮助企业改进产品与服务", 0.1),
)
"""The four dimensions with illustrative default weights (they sum to 1). The names are the
textbook's (即有价值、潜在价值、影响价值、学习价值); 即有价值 is what the course also calls 当前价值."""

DIMENSION_LABELS: dict[str, str] = {d.key: d.label for d in COMPOSITE_DIMENSIONS}
DEFAULT_DIMENSION_WEIGHTS: dict[str, float] = {d.key: d.weight for d in COMPOSITE_DIMENSIONS}


def composite_value(scores: dict, weights: dict | None = None) -> float:
    """Composite value V = Σ wᵢ·sᵢ over the four dimensions (each score 0–100).

    ``weights`` is ``None`` (the defaults) or a mapping with all four keys, non-negative,
    summing to 1.
    """
    checked = check_scores(scores, DIMENSION_LABELS, "客户价值评分")
    if weights is None:
        used = DEFAULT_DIMENSION_WEIGHTS
    else:
        used = check_weights(weights, DIMENSION_LABELS, "综合评价权重")
    return weighted_score(checked, used)


# --------------------------------------------------------------------------------------------
# RFM
# --------------------------------------------------------------------------------------------

RFM_LEVELS = 5
"""R, F and M are each scored 1–5 (quintiles)."""

RFM_HIGH_SCORE = 4
"""A score of at least this (the top two quintiles) counts as 高 (high) for the segment."""

ORDER_COLUMNS: dict[str, str] = {
    "customer_id": "客户编号",
    "order_date": "下单日期",
    "amount": "订单金额（元）",
}

RFM_LABELS: dict[str, str] = {
    "recency": "最近一次购买距今天数",
    "frequency": "购买次数",
    "monetary": "购买总额（元）",
    "r_score": "R 得分",
    "f_score": "F 得分",
    "m_score": "M 得分",
    "rfm_score": "RFM 得分",
    "segment": "客户细分",
}
"""Columns of :func:`rfm_table` with their Chinese display labels."""


@dataclass(frozen=True)
class RfmSegment:
    """One cell of the 2×2×2 RFM segment table (high = score ≥ ``RFM_HIGH_SCORE``)."""

    r_high: bool
    f_high: bool
    m_high: bool
    label: str
    advice: str


RFM_SEGMENTS: tuple[RfmSegment, ...] = (
    RfmSegment(True, True, True, "重要价值客户", "最近买过、常买、花得多：重点维护，提供优质服务"),
    RfmSegment(False, True, True, "重要保持客户", "常买、花得多但近来没买：主动联系，防止流失"),
    RfmSegment(True, False, True, "重要发展客户", "最近买过、花得多但不常买：提高购买频次"),
    RfmSegment(False, False, True, "重要挽留客户", "花得多但少买、近来没买：弄清原因，设法挽回"),
    RfmSegment(True, True, False, "一般价值客户", "最近买过、常买但花得少：引导提高客单价"),
    RfmSegment(False, True, False, "一般保持客户", "常买但花得少、近来没买：适度保持联系"),
    RfmSegment(True, False, False, "一般发展客户", "最近买过但少买、花得少：有潜力，可尝试培养"),
    RfmSegment(False, False, False, "一般挽留客户", "少买、花得少、近来没买：投入从简"),
)
"""The common Chinese eight-segment RFM scheme."""

_SEGMENT_BY_CODE = {4 * s.r_high + 2 * s.f_high + s.m_high: s.label for s in RFM_SEGMENTS}


def quintile_scores(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Score each value 1–5 by the quintile of its mid-rank percentile.

    Rank the n values from worst (1) to best (n), giving ties their average rank r; the score
    is the quintile holding (r − 0.5) ÷ n, i.e. ⌊5·(2r − 1) ÷ (2n)⌋ + 1 (integer arithmetic,
    so exact). Ties always share a score, and a mid-rank exactly on a quintile border counts in
    the higher quintile (two customers tied at the bottom of five both get 2). With n = 5
    distinct values the scores are 1…5; a lone customer, or customers who are all tied, get
    the middle score 3.
    """
    ranks = values.rank(method="average", ascending=higher_is_better)
    twice_rank_minus_one = (2 * ranks - 1).round().astype(int)
    return (RFM_LEVELS * twice_rank_minus_one) // (2 * len(values)) + 1


def rfm_table(orders: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """RFM per customer from ``customer_id, order_date, amount``.

    One row per customer (index ``customer_id``, sorted) with ``recency`` (days from the last
    order to ``as_of``), ``frequency`` (number of orders), ``monetary`` (sum of amounts),
    ``r_score``/``f_score``/``m_score`` (1–5, see :func:`quintile_scores`; more recent, more
    frequent, more spending → higher), ``rfm_score`` (e.g. ``"545"``) and ``segment`` (the
    label from ``RFM_SEGMENTS``).
    """
    require_columns(orders, ORDER_COLUMNS, "订单表")
    if orders.empty:
        raise CourseInputError("「订单表」中没有订单，无法计算 RFM", "订单表")
    day = as_date(as_of, "统计日期")
    customers = orders["customer_id"].rename("customer_id")
    if customers.isna().any():
        row_error(customers, customers.isna(), ORDER_COLUMNS["customer_id"], "不能为空")
    dates = date_column(orders, "order_date", ORDER_COLUMNS["order_date"])
    if (dates > day).any():
        row_error(orders["order_date"].rename("order_date"), dates > day,
                  ORDER_COLUMNS["order_date"], f"不能晚于统计日期 {day.date()}")
    amount = numeric_column(orders, "amount", ORDER_COLUMNS["amount"], minimum=0)
    table = (
        pd.DataFrame({"customer_id": customers, "order_date": dates, "amount": amount})
        .groupby("customer_id", sort=True)
        .agg(last=("order_date", "max"), frequency=("amount", "size"),
             monetary=("amount", "sum"))
    )
    table.insert(0, "recency", (day - table.pop("last")).dt.days)
    table["r_score"] = quintile_scores(table["recency"], higher_is_better=False)
    table["f_score"] = quintile_scores(table["frequency"])
    table["m_score"] = quintile_scores(table["monetary"])
    table["rfm_score"] = (
        table["r_score"].astype(str) + table["f_score"].astype(str) + table["m_score"].astype(str)
    )
    high = (table[["r_score", "f_score", "m_score"]] >= RFM_HIGH_SCORE).astype(int)
    code = 4 * high["r_score"] + 2 * high["f_score"] + high["m_score"]
    table["segment"] = code.map(_SEGMENT_BY_CODE)
    return table


# --------------------------------------------------------------------------------------------
# ABC (Pareto) classification
# --------------------------------------------------------------------------------------------

ABC_CLASSES: dict[str, str] = {
    "A": "A 类：少数客户贡献了大部分价值，重点投入",
    "B": "B 类：贡献居中，保持并适度发展",
    "C": "C 类：人数多而贡献小，以标准化服务为主",
}

ABC_SHARE_DECIMALS = 12
"""Cumulative shares are rounded to this many decimals before comparing with the cut-offs."""


ABC_LABELS: dict[str, str] = {
    "value": "订单金额",
    "share": "金额占比",
    "cum_share": "累计占比",
    "abc_class": "类别",
}
"""Columns of :func:`abc_classes` with their Chinese display labels."""


def abc_classes(values: pd.Series, a_cut: float = 0.8, b_cut: float = 0.95) -> pd.DataFrame:
    """ABC classes by cumulative share of value.

    Customers are sorted by value, highest first (equal values keep their input order). A
    customer is A when the customers ranked above it hold less than ``a_cut`` of the total, B
    when they hold less than ``b_cut``, C otherwise: so the customer whose own value carries
    the cumulative share across a cut-off still belongs to the better class (A rather than B,
    B rather than C). Values must be ≥ 0 with a positive total; 0 < ``a_cut`` < ``b_cut`` ≤ 1.

    Returns a table in that order (the input's index) with ``value``, ``share``,
    ``cum_share`` and ``abc_class``.
    """
    a = as_number(a_cut, "A 类累计占比界限（a_cut）", minimum=0, maximum=1)
    b = as_number(b_cut, "B 类累计占比界限（b_cut）", minimum=0, maximum=1)
    if a == 0:
        raise CourseInputError("「A 类累计占比界限（a_cut）」必须大于 0", "a_cut")
    if not a < b:
        raise CourseInputError(
            f"「B 类累计占比界限（b_cut）」必须大于 A 类界限 {a:g}，现在是 {b:g}", "b_cut"
        )
    value = _value_series(values, minimum=0)
    total = value.sum()
    if total <= 0:
        raise CourseInputError("「客户价值」总和为 0，无法做 ABC 分析", "客户价值")
    ordered = value.sort_values(ascending=False, kind="stable")
    cumulative = ordered.cumsum()
    before = np.round((cumulative - ordered) / total, ABC_SHARE_DECIMALS)
    classes = np.select([before < a, before < b], ["A", "B"], default="C")
    return pd.DataFrame(
        {
            "value": ordered,
            "share": ordered / total,
            "cum_share": np.round(cumulative / total, ABC_SHARE_DECIMALS),
            "abc_class": classes,
        },
        index=ordered.index,
    )


def _value_series(values: object, minimum: float | None = None) -> pd.Series:
    if not isinstance(values, pd.Series):
        raise CourseInputError(
            f"「客户价值」应当是一列数字（Series），现在是：{type(values).__name__}", "客户价值"
        )
    if values.empty:
        raise CourseInputError("「客户价值」中没有客户", "客户价值")
    return numeric_column(values.to_frame("value"), "value", "客户价值", minimum=minimum)


# --------------------------------------------------------------------------------------------
# Customer lifetime value (CLV)
# --------------------------------------------------------------------------------------------

MARGIN_LABEL = "每期利润（margin）"
RETENTION_LABEL = "保留率（retention rate）"
DISCOUNT_LABEL = "折现率（discount rate）"


def clv(margin, retention, discount):
    """CLV = m · r ÷ (1 + d − r) (Gupta & Lehmann, 2003): constant margin m per period,
    retention rate 0 ≤ r < 1, discount rate d ≥ 0, margins at period ends.

    With three numbers returns a float; any argument may instead be a Series (pandas then
    aligns them on the index) and the result is a Series.
    """
    if not any(isinstance(arg, pd.Series) for arg in (margin, retention, discount)):
        m = as_number(margin, MARGIN_LABEL)
        r = as_number(retention, RETENTION_LABEL, minimum=0)
        if r >= 1:
            raise CourseInputError(f"「{RETENTION_LABEL}」必须小于 1，现在是 {r:g}",
                                   RETENTION_LABEL)
        d = as_number(discount, DISCOUNT_LABEL, minimum=0)
    else:
        m = _number_or_column(margin, "margin", MARGIN_LABEL)
        r = _number_or_column(retention, "retention", RETENTION_LABEL, minimum=0, below=1)
        d = _number_or_column(discount, "discount", DISCOUNT_LABEL, minimum=0)
    return m * r / (1 + d - r)


def _number_or_column(value, name: str, label: str, **bounds):
    if isinstance(value, pd.Series):
        return numeric_column(value.to_frame(name), name, label, **bounds)
    number = as_number(value, label, minimum=bounds.get("minimum"))
    if "below" in bounds and number >= bounds["below"]:
        raise CourseInputError(f"「{label}」必须小于 {bounds['below']:g}，现在是 {number:g}", label)
    return number


# --------------------------------------------------------------------------------------------
# Peppers & Rogers value tiers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueTier:
    """A tier of customers by value, and what to do with it.

    ``stance`` and ``strategies`` are the textbook's names (chapter 「客户分类管理」, section
    「制定客户分类发展战略」), the names lessons, quizzes and rubrics use; ``plain`` says each
    strategy in the course's own words, shown only as a labelled second name.
    """

    key: str
    label: str
    english: str
    stance: str
    strategies: tuple[str, ...]
    plain: tuple[str, ...]


VALUE_TIERS: tuple[ValueTier, ...] = (
    ValueTier("MVC", "最有价值客户", "most valuable customers", "锁定（lock in）",
              ("积极倾听客户的意见", "为满意客户提供关怀", "从一线部门获取信息",
               "提供直接有效的客户服务行动", "改变最有价值客户衰退趋势", "制定客户忠诚计划"),
              ("听取客户的意见", "关怀已经满意的客户", "从一线员工那里收集客户信息",
               "直接采取服务行动", "扭转任何下滑的苗头", "推出忠诚计划")),
    ValueTier("STC", "二级客户", "second-tier customers", "获取更多的收入（grow）",
              ("让现有客户买更多的现有产品", "让现有客户购买新产品", "制定交叉价格", "净化沟通过程"),
              ("多卖现有产品", "推荐新产品", "交叉定价", "让沟通更清晰顺畅")),
    ValueTier("BZ", "负值客户", "below zero", "战略性放弃（strategically drop）",
              ("战略性放弃负值客户",),
              ("不再为其额外投入资源，必要时有计划地结束合作",)),
)
"""Peppers & Rogers' three tiers with the textbook's strategy for each."""

MVC, STC, BZ = (tier.key for tier in VALUE_TIERS)


def value_tiers(values: pd.Series, mvc_share: float = 0.2) -> pd.Series:
    """MVC / STC / BZ per customer from its business value.

    Rule: value < 0 → BZ. Among the k non-negative customers, the top ⌈mvc_share · k⌉ by value
    are MVC, and a customer tied in value with the last of them is MVC too; everyone else is
    STC. ``mvc_share`` is in 0–1. Returns the tier keys as a Series named ``value_tier`` with
    the input's index; labels and strategies are in ``VALUE_TIERS``.
    """
    share = as_number(mvc_share, "最有价值客户比例（mvc_share）", minimum=0, maximum=1)
    value = _value_series(values)
    negative = value < 0
    mvc_count = math.ceil(round(share * int((~negative).sum()), 9))
    rank = value.where(~negative).rank(method="min", ascending=False)
    tiers = np.select([negative, rank <= mvc_count], [BZ, MVC], default=STC)
    return pd.Series(tiers, index=values.index, name="value_tier")
