"""Credit assessment (信用评估): the 5C model, a grade scale with its credit policy, financial
ratios and receivables aging (the textbook's 客户信用评估与控制; 5C, the ratios and aging are the
field's standard frameworks).

The 5C model and the ratio formulas are standard frameworks. The score→grade scale
(``GRADES``), the default 5C weights (``FACTORS``) and the credit policy attached to each grade
(limit in months of purchases, credit period, collection stance) are this course's
illustrative teaching choices, not a national or industry standard: a firm sets its own. So
are the rules that put a customer on the watch list (``WATCH_RULES``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
# 5C credit score and grade
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditFactor:
    """One factor of the 5C model."""

    key: str
    label: str
    english: str
    description: str
    weight: float


FACTORS: tuple[CreditFactor, ...] = (
    CreditFactor("character", "品格", "Character",
                 "还款意愿：过往付款记录、商业信誉和经营者的诚信", 0.30),
    CreditFactor("capacity", "能力", "Capacity",
                 "还款能力：经营状况、现金流和盈利水平", 0.25),
    CreditFactor("capital", "资本", "Capital",
                 "财务实力：净资产规模和资本结构", 0.20),
    CreditFactor("collateral", "抵押", "Collateral",
                 "客户能提供的抵押品或第三方担保", 0.10),
    CreditFactor("conditions", "条件", "Conditions",
                 "经营环境：宏观经济、行业景气和本笔交易的条件", 0.15),
)
"""The 5C factors with their default weights (an illustrative choice; they sum to 1)."""

FACTOR_LABELS: dict[str, str] = {f.key: f"{f.label}（{f.english}）" for f in FACTORS}
DEFAULT_WEIGHTS: dict[str, float] = {f.key: f.weight for f in FACTORS}


@dataclass(frozen=True)
class CreditGrade:
    """One step of the grade scale and the credit policy that goes with it.

    ``min_score`` is inclusive; a grade runs up to (not including) the next grade's floor.
    The credit limit is ``limit_months`` months of the customer's average monthly credit
    purchases (annual credit sales ÷ 12); 0 means no credit: cash on delivery.
    """

    grade: str
    min_score: float
    label: str
    limit_months: float
    period_days: int
    collection: str

    def limit_rule(self) -> str:
        """The limit rule as a Chinese sentence."""
        if self.limit_months == 0:
            return "不给赊销额度，现款现货（cash on delivery）"
        return f"月均赊购额的 {self.limit_months:g} 倍"

    def policy_text(self) -> str:
        """Limit, credit period (信用期限) and collection stance as one Chinese paragraph."""
        period = f"{self.period_days} 天" if self.period_days else "无（不赊销）"
        return f"信用额度：{self.limit_rule()}；信用期限：{period}；收款策略：{self.collection}"


GRADES: tuple[CreditGrade, ...] = (
    CreditGrade("AAA", 90, "信用极好", 3, 60, "常规对账，到期前提醒即可，可优先给予更宽松的条件"),
    CreditGrade("AA", 80, "信用优良", 2, 45, "定期对账，到期前提醒，逾期及时跟进"),
    CreditGrade("A", 70, "信用较好", 1, 30, "按期对账，到期即催收，留意付款习惯的变化"),
    CreditGrade("B", 60, "信用一般", 0.5, 15,
                "严控额度，到期前后密切跟进，逾期立即催收并暂停新的赊销"),
    CreditGrade("C", 0, "信用较差", 0, 0, "只做现款现货，已有欠款列为重点催收对象"),
)
"""Score → grade scale, best first (AAA ≥ 90, AA 80–<90, A 70–<80, B 60–<70, C < 60)."""

_ASCENDING_GRADES = tuple(reversed(GRADES))
_GRADE_FLOORS = np.array([g.min_score for g in _ASCENDING_GRADES], dtype=float)
_GRADE_NAMES = np.array([g.grade for g in _ASCENDING_GRADES], dtype=object)
_GRADE_MONTHS = np.array([g.limit_months for g in _ASCENDING_GRADES], dtype=float)
_GRADE_DAYS = np.array([g.period_days for g in _ASCENDING_GRADES], dtype=int)


def _grade_position(score):
    """Index into ``_ASCENDING_GRADES`` for a score or an array of scores."""
    return np.searchsorted(_GRADE_FLOORS, score, side="right") - 1


def grade_for(score: float) -> CreditGrade:
    """The grade of a score in 0–100."""
    score = as_number(score, "信用评分", minimum=0, maximum=100)
    return _ASCENDING_GRADES[int(_grade_position(score))]


@dataclass(frozen=True)
class CreditResult:
    """The outcome of :func:`assess_credit`. ``limit`` is in 万元, ``None`` without sales."""

    score: float
    grade: str
    grade_label: str
    limit: float | None
    period_days: int
    policy: str


SALES_LABEL = "年赊销额"


def _weights_or_default(weights: object) -> dict[str, float]:
    if weights is None:
        return DEFAULT_WEIGHTS
    return check_weights(weights, FACTOR_LABELS, "5C 权重")


def credit_score(factors: dict, weights: dict | None = None) -> float:
    """Weighted 5C score in 0–100: Σ wᵢ·sᵢ, each factor scored 0–100.

    ``weights`` is ``None`` (the defaults in ``FACTORS``) or a mapping with all five keys,
    non-negative, summing to 1.
    """
    scores = check_scores(factors, FACTOR_LABELS, "5C 因素评分")
    return weighted_score(scores, _weights_or_default(weights))


def _credit_limit(annual_credit_sales, limit_months):
    """万元: months of average monthly credit purchases (annual credit sales ÷ 12)."""
    return annual_credit_sales / 12 * limit_months


def assess_credit(
    factors: dict, weights: dict | None = None, annual_credit_sales: float | None = None
) -> CreditResult:
    """Score the 5C factors, grade the score and state the credit policy for the grade.

    ``annual_credit_sales`` (万元, the customer's yearly purchases on credit) turns the limit
    rule into an amount; without it ``limit`` is ``None``.
    """
    score = credit_score(factors, weights)
    grade = grade_for(score)
    limit = None
    if annual_credit_sales is not None:
        sales = as_number(annual_credit_sales, SALES_LABEL, minimum=0)
        limit = _credit_limit(sales, grade.limit_months)
    return CreditResult(score, grade.grade, grade.label, limit, grade.period_days,
                        grade.policy_text())


def score_table(df: pd.DataFrame, weights: dict | None = None) -> pd.DataFrame:
    """Vectorised :func:`assess_credit` over a table with one column per factor key.

    Returns a copy with ``credit_score``, ``credit_grade``, ``credit_period_days`` and, when
    the table has an ``annual_credit_sales`` column (万元), ``credit_limit`` (万元).
    """
    require_columns(df, FACTOR_LABELS, "信用评分表")
    values = {key: numeric_column(df, key, label, minimum=0, maximum=100)
              for key, label in FACTOR_LABELS.items()}
    scores = weighted_score(values, _weights_or_default(weights))
    position = _grade_position(scores.to_numpy())
    out = df.copy()
    out["credit_score"] = scores
    out["credit_grade"] = _GRADE_NAMES[position]
    if "annual_credit_sales" in df:
        sales = numeric_column(df, "annual_credit_sales", SALES_LABEL, minimum=0)
        out["credit_limit"] = _credit_limit(sales, _GRADE_MONTHS[position])
    out["credit_period_days"] = _GRADE_DAYS[position]
    return out


# --------------------------------------------------------------------------------------------
# Financial ratios
# --------------------------------------------------------------------------------------------

DAYS_PER_YEAR = 365

RATIO_INPUTS: dict[str, str] = {
    "current_assets": "流动资产",
    "inventory": "存货",
    "current_liabilities": "流动负债",
    "total_assets": "资产总额",
    "total_liabilities": "负债总额",
    "annual_credit_sales": SALES_LABEL,
    "receivables_begin": "期初应收账款",
    "receivables_end": "期末应收账款",
}
"""Inputs of :func:`ratios` (any one money unit, e.g. 万元) with their Chinese labels."""


@dataclass(frozen=True)
class Ratio:
    """A financial ratio: formula text, denominator (for messages) and reading."""

    key: str
    label: str
    english: str
    formula: str
    denominator: str
    reference: float | None
    meaning: str


RATIOS: tuple[Ratio, ...] = (
    Ratio("current_ratio", "流动比率", "current ratio", "流动资产 ÷ 流动负债", "流动负债", 2.0,
          "传统上约 2 被视为稳妥：每 1 元短期债务约有 2 元流动资产作保障"),
    Ratio("quick_ratio", "速动比率", "quick ratio", "（流动资产 − 存货）÷ 流动负债", "流动负债",
          1.0,
          "传统上约 1 被视为稳妥：不靠变卖存货也能偿还短期债务"),
    Ratio("debt_to_asset", "资产负债率", "debt-to-asset ratio", "负债总额 ÷ 资产总额", "资产总额",
          None, "越高说明负债经营的程度越高、偿债风险越大；合适水平因行业而异"),
    Ratio("receivables_turnover", "应收账款周转率", "receivables turnover",
          "年赊销额 ÷ 应收账款平均余额，平均余额 =（期初 + 期末）÷ 2", "应收账款平均余额", None,
          "一年内应收账款周转的次数，越高说明收款越快"),
    Ratio("dso", "应收账款周转天数", "DSO, days sales outstanding",
          f"{DAYS_PER_YEAR} ÷ 应收账款周转率", "应收账款周转率", None,
          "平均收回一笔赊销款所需的天数，越短越好，可与给客户的信用期限对比"),
)
"""The ratios taught with credit assessment; ``reference`` is the traditional rule of thumb."""

_RATIO_BY_KEY = {r.key: r for r in RATIOS}


def _ratio_values(v: Mapping, divide) -> dict:
    """The formulas of ``RATIOS``, for floats or Series; ``divide(num, den, key)`` handles 0."""
    average_receivables = (v["receivables_begin"] + v["receivables_end"]) / 2
    turnover = divide(v["annual_credit_sales"], average_receivables, "receivables_turnover")
    return {
        "current_ratio": divide(v["current_assets"], v["current_liabilities"], "current_ratio"),
        "quick_ratio": divide(v["current_assets"] - v["inventory"], v["current_liabilities"],
                              "quick_ratio"),
        "debt_to_asset": divide(v["total_liabilities"], v["total_assets"], "debt_to_asset"),
        "receivables_turnover": turnover,
        "dso": divide(DAYS_PER_YEAR, turnover, "dso"),
    }


def _divide_or_raise(numerator: float, denominator: float, key: str) -> float:
    if denominator == 0:
        ratio = _RATIO_BY_KEY[key]
        raise CourseInputError(
            f"{ratio.denominator}为 0，无法计算{ratio.label}（{ratio.english}）", ratio.label
        )
    return numerator / denominator


def _divide_or_nan(numerator, denominator, key: str):
    return numerator / denominator.where(denominator != 0)


_INVENTORY_PROBLEM = f"不能大于「{RATIO_INPUTS['current_assets']}」（存货是流动资产的一部分）"


def ratios(
    current_assets: float,
    inventory: float,
    current_liabilities: float,
    total_assets: float,
    total_liabilities: float,
    annual_credit_sales: float,
    receivables_begin: float,
    receivables_end: float,
) -> dict[str, float]:
    """The five ratios of ``RATIOS`` as ``{key: value}``; a zero denominator raises."""
    given = dict(locals())
    v = {key: as_number(given[key], label, minimum=0) for key, label in RATIO_INPUTS.items()}
    if v["inventory"] > v["current_assets"]:
        label = RATIO_INPUTS["inventory"]
        raise CourseInputError(f"「{label}」{_INVENTORY_PROBLEM}", label)
    return _ratio_values(v, _divide_or_raise)


def ratio_table(df: pd.DataFrame) -> pd.DataFrame:
    """Vectorised :func:`ratios`: a copy of ``df`` with one column per ratio key; a zero
    denominator gives NaN in that row."""
    require_columns(df, RATIO_INPUTS, "财务数据表")
    v = {key: numeric_column(df, key, label, minimum=0) for key, label in RATIO_INPUTS.items()}
    too_much = v["inventory"] > v["current_assets"]
    if too_much.any():
        row_error(df["inventory"].rename("inventory"), too_much, RATIO_INPUTS["inventory"],
                  _INVENTORY_PROBLEM)
    out = df.copy()
    for key, values in _ratio_values(v, _divide_or_nan).items():
        out[key] = values
    return out


# --------------------------------------------------------------------------------------------
# Receivables aging (账龄分析)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgingBucket:
    """Days overdue (as-of date − due date) from ``min_days`` to ``max_days``, both inclusive;
    ``None`` means unbounded."""

    label: str
    min_days: int | None
    max_days: int | None


AGING_BUCKETS: tuple[AgingBucket, ...] = (
    AgingBucket("未到期", None, 0),
    AgingBucket("1–30天", 1, 30),
    AgingBucket("31–60天", 31, 60),
    AgingBucket("61–90天", 61, 90),
    AgingBucket("91–180天", 91, 180),
    AgingBucket("超过180天", 181, None),
)
"""Aging buckets by days overdue; the first is "not yet due" (due today counts as not due)."""

AGING_TOTAL = "合计"
AGING_OVERDUE_SHARE = "逾期占比"
AGING_AMOUNT = "金额"
AGING_SHARE = "占比"

RECEIVABLE_COLUMNS: dict[str, str] = {
    "invoice_id": "发票号",
    "customer_id": "客户编号",
    "invoice_date": "开票日期",
    "due_date": "到期日",
    "outstanding": "未收金额（万元）",
}

_AGING_EDGES = [-np.inf] + [b.max_days for b in AGING_BUCKETS[:-1]] + [np.inf]
_AGING_LABELS = [b.label for b in AGING_BUCKETS]


def days_overdue(receivables: pd.DataFrame, as_of: object) -> pd.Series:
    """Days from each invoice's due date to ``as_of`` (negative: not yet due), validated."""
    require_columns(receivables, RECEIVABLE_COLUMNS, "应收账款表")
    day = as_date(as_of, "统计日期")
    customers = receivables["customer_id"].rename("customer_id")
    if customers.isna().any():
        row_error(customers, customers.isna(), RECEIVABLE_COLUMNS["customer_id"], "不能为空")
    invoiced = date_column(receivables, "invoice_date", RECEIVABLE_COLUMNS["invoice_date"])
    due = date_column(receivables, "due_date", RECEIVABLE_COLUMNS["due_date"])
    if (due < invoiced).any():
        row_error(receivables["due_date"].rename("due_date"), due < invoiced,
                  RECEIVABLE_COLUMNS["due_date"], "不能早于开票日期")
    return (day - due).dt.days.rename("days_overdue")


def aging_table(receivables: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """Outstanding amount (万元) per customer and aging bucket.

    One row per ``customer_id`` (sorted), one column per bucket label of ``AGING_BUCKETS``
    (every bucket present, 0 when empty), then ``合计`` (total) and ``逾期占比`` (the overdue
    share of the total, 0–1; NaN when the total is 0).
    """
    days = days_overdue(receivables, as_of)
    amount = numeric_column(receivables, "outstanding", RECEIVABLE_COLUMNS["outstanding"],
                            minimum=0)
    bucket = pd.cut(days, bins=_AGING_EDGES, labels=_AGING_LABELS, right=True)
    table = (
        pd.DataFrame({"customer_id": receivables["customer_id"], "bucket": bucket,
                      "amount": amount})
        .pivot_table(index="customer_id", columns="bucket", values="amount", aggfunc="sum",
                     fill_value=0.0, observed=False)
        .reindex(columns=_AGING_LABELS, fill_value=0.0)
        .astype(float)
    )
    table.columns = pd.Index(_AGING_LABELS)
    table[AGING_TOTAL] = table[_AGING_LABELS].sum(axis=1)
    overdue = table[AGING_TOTAL] - table[AGING_BUCKETS[0].label]
    table[AGING_OVERDUE_SHARE] = overdue / table[AGING_TOTAL].where(table[AGING_TOTAL] != 0)
    return table


def aging_summary(receivables: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """The whole book by bucket: one row per bucket label, columns ``金额`` (万元) and
    ``占比`` (share of the total, 0–1; NaN when the total is 0)."""
    amounts = aging_table(receivables, as_of)[_AGING_LABELS].sum(axis=0)
    total = amounts.sum()
    shares = amounts / total if total > 0 else amounts * np.nan
    return pd.DataFrame({AGING_AMOUNT: amounts, AGING_SHARE: shares})


# --------------------------------------------------------------------------------------------
# The watch list (重点关注客户)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchRule:
    """A reason to watch a credit customer closely; ``flags`` marks the rows it applies to."""

    key: str
    label: str
    flags: Callable[[pd.DataFrame], pd.Series]


WATCH_GRADES: tuple[str, ...] = ("B", "C")
WATCH_OVERDUE_SHARE = 0.8
WATCH_CURRENT_RATIO = 1.0

WATCH_RULES: tuple[WatchRule, ...] = (
    WatchRule("grade", f"信用等级为 {' 或 '.join(WATCH_GRADES)}",
              lambda t: t["credit_grade"].isin(WATCH_GRADES)),
    WatchRule("overdue", f"逾期金额占应收账款 {WATCH_OVERDUE_SHARE:.0%} 及以上",
              lambda t: t["overdue_share"].ge(WATCH_OVERDUE_SHARE)),
    WatchRule("current_ratio", f"流动比率低于 {WATCH_CURRENT_RATIO:g}",
              lambda t: t["current_ratio"].lt(WATCH_CURRENT_RATIO)),
)
"""Who goes on the watch list (any one rule is enough); an illustrative teaching choice. The
rules read a table with ``credit_grade``, ``overdue_share`` and ``current_ratio``."""
