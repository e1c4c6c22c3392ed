"""Customer grading (客户分级管理): the course's scorecard, as data plus two functions.

The rules come from the textbook's group activity 「制订客户分级管理策略」 (《客户关系管理
（第 2 版）》, lesson 16, chapter 「客户分级管理」); ``TERMS`` holds the textbook's names for its parts:

1. A **base score and level** (基础分值、基础级别) from the 定量指标, this year's order amount in
   万元 (``BASE_BANDS``).
2. The 变量指标: up to eight **bonus items** (可选加分项) and four **penalty items** (可选减分项),
   each scored 0–5 (``BONUS_ITEMS``, ``PENALTY_ITEMS``).
3. The **composite score** = base + Σ bonuses − Σ penalties, clamped to 0..100, and the
   **final level** read from ``FINAL_BANDS``.

Two gaps in the textbook are closed here, and lessons say so:

* The source gives whole-万 ranges with gaps (…–50, 51–…, 300, 301–499, 500–…). This course
  reads them as: E 0 ≤ x ≤ 50; D 50 < x ≤ 100; C 100 < x ≤ 300; B 300 < x < 500; A x ≥ 500, so
  that 50.5 万 is level D and 499.9 万 is level B.
* Base 80 plus eight bonuses of 5 reaches 120 and penalties can push a small customer below 0:
  the composite is clamped to 0..100 before the level is read (``raw_score`` keeps the sum).

``grade_customer`` grades one customer; ``grade_table`` applies the same rules to a whole
DataFrame without a row loop and agrees with it row for row. ``derive_items`` turns a customer
profile (the columns of ``data/customers.csv``) into item scores with this course's
illustrative scoring guide (``ITEM_RULES``); the textbook leaves that judgement to the grader.
``LEVEL_STRATEGIES`` suggests how to manage the customers of each final level.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.rules.checks import (
    CourseInputError,
    as_number,
    check_keys,
    numeric_column,
    require_columns,
)

ITEM_MAX = 5
"""Every bonus and penalty item is scored from 0 to this value."""

SCORE_MIN, SCORE_MAX = 0, 100
"""The composite score is clamped to this range before the final level is read."""

TERMS: dict[str, str] = {
    "quantitative": "定量指标",
    "base_score": "基础分值",
    "base_level": "基础级别",
    "variable": "变量指标",
    "bonus": "可选加分项",
    "penalty": "可选减分项",
    "final": "客户级别表",
}
"""The textbook's names for the parts of the scorecard: the 定量指标 (this year's order amount)
gives the 基础分值 and 基础级别; the 变量指标 are the 可选加分项 and 可选减分项; the composite
score is read in the 客户级别表. Where a grade depends on words, lessons use these."""


@dataclass(frozen=True)
class BaseBand:
    """One row of the base table: amounts above ``lower`` (or equal, if inclusive)."""

    level: str
    score: int
    lower: float
    lower_inclusive: bool
    label: str  # the row as a student reads it in the table

    def contains(self, amount: float, upper: BaseBand | None) -> bool:
        above = amount >= self.lower if self.lower_inclusive else amount > self.lower
        if upper is None:
            return above
        below = amount < upper.lower if upper.lower_inclusive else amount <= upper.lower
        return above and below


# Highest band first; each band ends where the one above it starts.
BASE_BANDS: tuple[BaseBand, ...] = (
    BaseBand("A", 80, 500, True, "500 万元及以上"),
    BaseBand("B", 60, 300, False, "超过 300 万元、不足 500 万元"),
    BaseBand("C", 40, 100, False, "超过 100 万元、不超过 300 万元"),
    BaseBand("D", 20, 50, False, "超过 50 万元、不超过 100 万元"),
    BaseBand("E", 10, 0, True, "不超过 50 万元"),
)


@dataclass(frozen=True)
class FinalBand:
    """One row of the final-level table: composite scores from ``lower`` up to the next band."""

    level: str
    lower: int
    label: str


FINAL_BANDS: tuple[FinalBand, ...] = (
    FinalBand("A", 80, "80–100 分"),
    FinalBand("B", 60, "60–79 分"),
    FinalBand("C", 40, "40–59 分"),
    FinalBand("D", 20, "20–39 分"),
    FinalBand("E", 0, "0–19 分"),
)


@dataclass(frozen=True)
class ScoreItem:
    """A bonus or penalty item of the scorecard."""

    key: str
    label: str  # short Chinese name, as on the textbook's form
    dimension: str  # the textbook's dimension: 业务及需求 / 客户关系 / 经营管理
    meaning: str  # the textbook's explanation: what earns the points
    reading: str = ""  # the course's reading, where the textbook's words leave a choice

    @property
    def explained(self) -> str:
        """The textbook's explanation, with the course's reading in brackets where it has one."""
        return f"{self.meaning}（{self.reading}）" if self.reading else self.meaning


BONUS_ITEMS: tuple[ScoreItem, ...] = (
    ScoreItem("gross_margin", "毛利率", "业务及需求", "年毛利率 ≥ 40%"),
    ScoreItem("product_needs", "产品需求", "业务及需求", "有 3 种以上的产品需求",
              "本课程把「3 种以上」读作 3 种及以上，正好 3 种也加分"),
    ScoreItem("cooperation_years", "合作年限", "客户关系", "合作 2 年及以上"),
    ScoreItem("communication", "客户沟通", "客户关系", "沟通顺畅、无障碍"),
    ScoreItem("advocacy", "客户宣传", "客户关系", "成功推荐过 1 位及以上客户"),
    ScoreItem("brand", "品牌影响", "经营管理", "上市企业或非上市但估值较高的企业"),
    ScoreItem("payment_record", "回款情况（加分）", "经营管理", "1 年内无逾期付款记录"),
    ScoreItem("growth", "增长潜力", "经营管理", "订单总额连续两年增长 10% 以上",
              "本课程把「10% 以上」读作每年增长 10% 及以上，正好 10% 也加分"),
)

PENALTY_ITEMS: tuple[ScoreItem, ...] = (
    ScoreItem("reputation", "合作口碑", "客户关系", "在行业内口碑较差"),
    ScoreItem("breach", "违约情况", "客户关系", "单方面中途终止合同"),
    ScoreItem("service_difficulty", "服务难度", "客户关系", "沟通难度大，存在投诉、诉讼等纠纷"),
    ScoreItem("arrears", "回款情况（减分）", "经营管理", "1 年内有逾期或恶意拖欠款项记录"),
)

DIMENSIONS: tuple[str, ...] = tuple(
    dict.fromkeys(item.dimension for item in BONUS_ITEMS + PENALTY_ITEMS)
)
"""The textbook's dimensions of the 变量指标, in the order of its tables."""

BONUS_LABELS = {item.key: item.label for item in BONUS_ITEMS}
PENALTY_LABELS = {item.key: item.label for item in PENALTY_ITEMS}
ITEM_KEYS = tuple(BONUS_LABELS) + tuple(PENALTY_LABELS)

AMOUNT_LABEL = "本年度订单金额（万元）"
RESULT_COLUMNS = ("base_score", "base_level", "score", "level")
RESULT_LABELS = {
    "base_score": "基础分值",
    "base_level": "基础级别",
    "score": "综合得分",
    "level": "客户级别",
}


@dataclass(frozen=True)
class LevelStrategy:
    """The course's suggested management of the customers of one final level (A–E)."""

    level: str
    resources: str  # 资源投入: how much is invested, and through which channels
    focus: str  # 管理重点: what the firm does for these customers
    goal: str  # 目标


LEVEL_STRATEGIES: tuple[LevelStrategy, ...] = (
    LevelStrategy("A", "最多：专人负责，高层定期拜访",
                  "倾听意见、优先供货、及时处理问题，发现下滑苗头立即挽回", "保持，锁定关系"),
    LevelStrategy("B", "较多：客户经理定期联系",
                  "让客户买更多的现有产品、购买新产品，制定交叉价格，净化沟通过程", "提升为 A 级"),
    LevelStrategy("C", "适中：标准化服务",
                  "达标奖励、一站式服务、咨询培训，培养有潜力的客户", "维持并培育"),
    LevelStrategy("D", "较少：电话、网络服务为主",
                  "控制服务成本，留意成长潜力，控制赊销风险", "低成本维持"),
    LevelStrategy("E", "最少：标准产品、现款现货", "识别负值客户，减少额外投入",
                  "必要时战略性放弃"),
)
"""One suggested strategy per final level, in line with the MVC / STC / BZ strategies
(``crmlab.rules.value.VALUE_TIERS``): an illustrative example for the group activity, in which
students write their own. Lesson 06 and the customer grading report show this table."""

STRATEGY_LABELS = {"level": "客户级别", "resources": "资源投入", "focus": "管理重点",
                   "goal": "目标"}
"""The Chinese headings of ``LEVEL_STRATEGIES``' fields."""


@dataclass(frozen=True)
class GradeResult:
    """The grading of one customer, with the table rows that were applied."""

    base_score: int
    base_level: str
    score: float  # composite after clamping to 0..100
    level: str
    raw_score: float  # base + bonuses − penalties before clamping
    bonus_total: float
    penalty_total: float
    base_band: BaseBand
    final_band: FinalBand

    @property
    def clamped(self) -> bool:
        """Did the 0..100 clamp change the composite?"""
        return self.raw_score != self.score


def base_band(order_amount: object) -> BaseBand:
    """The base-table row for an order amount in 万元 (a non-negative number)."""
    amount = as_number(order_amount, AMOUNT_LABEL, minimum=0)
    for band, upper in zip(BASE_BANDS, (None, *BASE_BANDS[:-1])):
        if band.contains(amount, upper):
            return band
    raise AssertionError(f"no base band for {amount}")  # BASE_BANDS covers [0, inf)


def final_band(score: float) -> FinalBand:
    """The final-level row for a composite score already clamped to 0..100."""
    return next(band for band in FINAL_BANDS if score >= band.lower)


def _item_total(items: object, labels: Mapping[str, str], what: str) -> float:
    checked = check_keys(items, dict(labels), what)
    return sum(
        as_number(value, f"{what}·{labels[key]}", minimum=0, maximum=ITEM_MAX)
        for key, value in checked.items()
    )


def grade_customer(
    order_amount: object,
    bonuses: Mapping[str, float] | None = None,
    penalties: Mapping[str, float] | None = None,
) -> GradeResult:
    """Grade one customer with the course's scorecard.

    ``order_amount`` is this year's order amount in 万元; ``bonuses`` and ``penalties`` map
    item keys (``BONUS_ITEMS`` / ``PENALTY_ITEMS``) to a number from 0 to 5; items left out
    count 0. Raises :class:`CourseInputError` (a ``ValueError``) with a Chinese message that
    names the field for a negative or non-numeric amount, an item outside 0..5 or an unknown
    key.

    >>> grade_customer(50, {"cooperation_years": 3, "brand": 2,
    ...                     "product_needs": 3, "advocacy": 2}).level
    'D'
    """
    bonus = _item_total(dict(bonuses) if bonuses is not None else None, BONUS_LABELS, "加分项")
    penalty = _item_total(
        dict(penalties) if penalties is not None else None, PENALTY_LABELS, "减分项"
    )
    return grade_totals(order_amount, bonus, penalty)


def grade_totals(order_amount: object, bonus_total: object, penalty_total: object) -> GradeResult:
    """Grade one customer from the sums of its items: bonuses 0–40, penalties 0–20.

    The same scorecard as :func:`grade_customer`, for a table that keeps only the totals
    (作业三's customers); a total outside its range raises :class:`CourseInputError`.

    >>> grade_totals(50, 10, 0).score
    20.0
    """
    band = base_band(order_amount)
    bonus = as_number(bonus_total, "加分合计", minimum=0, maximum=ITEM_MAX * len(BONUS_ITEMS))
    penalty = as_number(penalty_total, "减分合计", minimum=0,
                        maximum=ITEM_MAX * len(PENALTY_ITEMS))
    raw = band.score + bonus - penalty
    score = float(min(max(raw, SCORE_MIN), SCORE_MAX))
    final = final_band(score)
    return GradeResult(
        base_score=band.score,
        base_level=band.level,
        score=score,
        level=final.level,
        raw_score=float(raw),
        bonus_total=float(bonus),
        penalty_total=float(penalty),
        base_band=band,
        final_band=final,
    )


def grade_table(df: pd.DataFrame) -> pd.DataFrame:
    """Grade every row of ``df`` at once; the same rules as :func:`grade_customer`.

    ``df`` needs the column ``order_amount`` (万元) and may have any of the item columns
    (``ITEM_KEYS``); a missing item column, or an empty cell in one, counts 0. Returns a
    DataFrame with the index of ``df`` and the columns ``base_score``, ``base_level``,
    ``score`` and ``level``. A bad value raises :class:`CourseInputError` naming the row
    (the DataFrame's index) and the column.
    """
    require_columns(df, ["order_amount"], "客户表")
    amount = numeric_column(df, "order_amount", AMOUNT_LABEL, minimum=0)

    def item_sum(labels: Mapping[str, str]) -> np.ndarray:
        total = np.zeros(len(df))
        for key, label in labels.items():
            if key in df.columns:
                items = df[[key]].fillna(0)  # an empty cell: the item was not scored
                total += numeric_column(items, key, label, minimum=0, maximum=ITEM_MAX).to_numpy()
        return total

    values = amount.to_numpy()
    uppers = (None, *BASE_BANDS[:-1])
    in_band = [
        (values >= b.lower if b.lower_inclusive else values > b.lower)
        & (True if u is None else (values < u.lower if u.lower_inclusive else values <= u.lower))
        for b, u in zip(BASE_BANDS, uppers)
    ]
    base_score = np.select(in_band, [b.score for b in BASE_BANDS], default=0)
    base_level = np.select(in_band, [b.level for b in BASE_BANDS], default=BASE_BANDS[-1].level)

    raw = base_score + item_sum(BONUS_LABELS) - item_sum(PENALTY_LABELS)
    score = np.clip(raw, SCORE_MIN, SCORE_MAX).astype(float)
    level = np.select(
        [score >= band.lower for band in FINAL_BANDS],
        [band.level for band in FINAL_BANDS],
        default=FINAL_BANDS[-1].level,
    )
    return pd.DataFrame(
        {
            "base_score": base_score.astype(int),
            "base_level": base_level,
            "score": score,
            "level": level,
        },
        index=df.index,
    )


# --- From a customer profile to item scores ---------------------------------------------------


@dataclass(frozen=True)
class ItemRule:
    """How this course turns a profile column into an item score (0–5).

    ``own_choice`` names, in Chinese, the points this guide gives although the textbook's
    condition for the item is not met (empty when every point needs the condition): lessons
    and reports show it beside the rule so that students can tell the course's choice from
    the textbook's scorecard. ``condition`` is then the textbook's condition itself (True
    where it is met), which :func:`derive_items` applies when asked to score by the textbook.
    """

    key: str
    guide: str  # the rule in Chinese, as the lesson shows it
    columns: tuple[str, ...]
    score: Callable[[pd.DataFrame], pd.Series]
    own_choice: str = ""
    condition: Callable[[pd.DataFrame], pd.Series] | None = None


def _steps(values: pd.Series, steps: tuple[tuple[float, int], ...]) -> pd.Series:
    """Points of the first (threshold, points) step that ``values`` reaches, else 0."""
    return pd.Series(
        np.select([values >= low for low, _ in steps], [p for _, p in steps], default=0),
        index=values.index,
    )


def _yes(profiles: pd.DataFrame, column: str) -> np.ndarray:
    """A yes/no profile column as booleans; text such as 是/否 is refused, never read by its
    truthiness (「否」 is a non-empty string, so ``astype(bool)`` would make it True)."""
    values = profiles[column]
    typed = (pd.api.types.is_bool_dtype(values)
             or values.map(lambda value: isinstance(value, bool | np.bool_)).all())
    if not typed or values.isna().any():
        shown = "、".join(f"「{value}」" for value in values.drop_duplicates().head(3))
        raise CourseInputError(
            f"客户档案的 {column} 列应为 True/False（布尔值），现在是 {shown}：请用 "
            "crmlab.data.load_customers 读入客户表，它把 是/否、Y/N、1/0 等写法转换成 True/False",
            column)
    return values.to_numpy(dtype=bool)


def _capped(values: pd.Series, minimum: float) -> pd.Series:
    """The count itself, capped at ITEM_MAX, when it reaches ``minimum``; else 0."""
    return values.where(values >= minimum, 0).clip(upper=ITEM_MAX)


GROWTH_RATE = 0.10
"""「订单总额连续两年增长 10% 以上」: a year counts when it grew by this rate or more."""


def _grew(now: pd.Series, before: pd.Series) -> pd.Series:
    """Did the amount grow by at least ``GROWTH_RATE`` (10% itself included, with no float
    rounding excluding an exact 10%)?"""
    target = before * (1 + GROWTH_RATE)
    return (before > 0) & ((now >= target) | np.isclose(now, target, rtol=1e-9, atol=0))


def _grew_twice(df: pd.DataFrame) -> pd.Series:
    """The textbook's 「连续两年增长」: this year and last year both grew by ``GROWTH_RATE``."""
    return (_grew(df["order_amount"], df["order_amount_prev1"])
            & _grew(df["order_amount_prev1"], df["order_amount_prev2"]))


def _growth(df: pd.DataFrame) -> pd.Series:
    last = _grew(df["order_amount"], df["order_amount_prev1"])
    return pd.Series(np.select([_grew_twice(df), last], [ITEM_MAX, 2], default=0), index=df.index)


ITEM_RULES: tuple[ItemRule, ...] = (
    ItemRule("gross_margin", "毛利率 40% 及以上得 5 分，30% 及以上、不足 40% 得 2 分", ("gross_margin",),
             lambda d: _steps(d["gross_margin"], ((0.40, 5), (0.30, 2))),
             own_choice="毛利率不足 40% 时仍给 2 分",
             condition=lambda d: d["gross_margin"] >= 0.40),
    ItemRule("product_needs", "需要 3 种及以上产品时，每种 1 分，最多 5 分", ("product_kinds",),
             lambda d: _capped(d["product_kinds"], 3)),
    ItemRule("cooperation_years", "合作 2 年及以上时，每年 1 分，最多 5 分", ("cooperation_years",),
             lambda d: _capped(d["cooperation_years"], 2)),
    ItemRule("communication", "沟通顺畅 5 分，一般 2 分，困难 0 分", ("communication",),
             lambda d: d["communication"].map({"顺畅": 5, "一般": 2}).fillna(0),
             own_choice="沟通「一般」时仍给 2 分",
             condition=lambda d: d["communication"] == "顺畅"),
    ItemRule("advocacy", "每介绍 1 位客户得 1 分，最多 5 分", ("referrals",),
             lambda d: _capped(d["referrals"], 1)),
    ItemRule("brand", "上市公司 5 分；非上市公司估值高 2 分、估值中 1 分", ("listed", "valuation"),
             lambda d: pd.Series(np.where(_yes(d, "listed"), 5,
                                          d["valuation"].map({"高": 2, "中": 1}).fillna(0)),
                                 index=d.index),
             own_choice="非上市公司估值中等时仍给 1 分",
             condition=lambda d: pd.Series(_yes(d, "listed"), index=d.index) | (d["valuation"] == "高")),
    ItemRule("payment_record", "一年内没有逾期回款得 5 分", ("overdue_count",),
             lambda d: pd.Series(np.where(d["overdue_count"] == 0, 5, 0), index=d.index)),
    ItemRule("growth", "连续两年每年增长 10% 及以上得 5 分，只有本年增长 10% 及以上得 2 分",
             ("order_amount", "order_amount_prev1", "order_amount_prev2"), _growth,
             own_choice="只有一年增长时仍给 2 分", condition=_grew_twice),
    ItemRule("reputation", "行业口碑差扣 5 分，一般扣 2 分", ("reputation",),
             lambda d: d["reputation"].map({"差": 5, "一般": 2}).fillna(0),
             own_choice="行业口碑一般时仍扣 2 分", condition=lambda d: d["reputation"] == "差"),
    ItemRule("breach", "单方面终止合同 1 次扣 3 分，2 次及以上扣 5 分", ("breaches",),
             lambda d: _steps(d["breaches"], ((2, 5), (1, 3)))),
    ItemRule("service_difficulty", "每次投诉扣 1 分、每起诉讼扣 2 分，最多扣 5 分",
             ("complaints", "lawsuits"),
             lambda d: (d["complaints"] + 2 * d["lawsuits"]).clip(upper=ITEM_MAX)),
    ItemRule("arrears", "恶意拖欠扣 5 分；否则每次逾期扣 1 分，最多扣 3 分",
             ("malicious_arrears", "overdue_count"),
             lambda d: pd.Series(np.where(_yes(d, "malicious_arrears"), 5,
                                          d["overdue_count"].clip(upper=3)), index=d.index)),
)


PROFILE_COLUMNS: frozenset[str] = frozenset(
    column for rule in ITEM_RULES for column in rule.columns
) - set(ITEM_KEYS) - {"order_amount"}
"""Columns that only a customer profile has (``product_kinds``, ``referrals`` …): a table with
any of them is read as profiles, not as item scores (some names, such as ``gross_margin``, are
both a profile column and an item key)."""

POINTS_PREFIX = "points_"
"""Prefix of the item-score columns that :func:`grade_profiles` adds beside the profile."""


def _item_score(rule: ItemRule, profiles: pd.DataFrame, textbook: bool) -> pd.Series:
    score = rule.score(profiles).astype(float)
    if textbook and rule.condition is not None:
        score = score.where(rule.condition(profiles).astype(bool), 0.0)
    return score


def derive_items(profiles: pd.DataFrame, textbook: bool = False) -> pd.DataFrame:
    """Item scores (0–5, one column per item key) from customer profiles.

    Uses ``ITEM_RULES``, this course's illustrative scoring guide; an item whose profile
    columns are missing is left out (and so counts 0 in :func:`grade_table`). With
    ``textbook=True`` an item whose textbook condition is not met scores 0 (the guide's
    own-choice points are dropped), as 作业三 grades the reading of a profile.
    """
    scores = {
        rule.key: _item_score(rule, profiles, textbook)
        for rule in ITEM_RULES
        if all(column in profiles.columns for column in rule.columns)
    }
    return pd.DataFrame(scores, index=profiles.index)


def is_profile_table(columns) -> bool:
    """Does a table with these columns hold customer profiles rather than item scores?"""
    return bool(PROFILE_COLUMNS & set(columns))


def grade_profiles(profiles: pd.DataFrame) -> pd.DataFrame:
    """Profiles → item scores → grading.

    Returns ``profiles`` with the item scores added as ``points_<item>`` columns and the four
    result columns of :func:`grade_table`.
    """
    items = derive_items(profiles)
    graded = grade_table(items.assign(order_amount=profiles["order_amount"]))
    return pd.concat([profiles, items.add_prefix(POINTS_PREFIX), graded], axis=1)


def grade_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Item scores → grading: ``scores`` with the four result columns of :func:`grade_table`.

    Which of the two a person's table holds is decided once, when it is read
    (``crmlab.data.load_customers``, with :func:`is_profile_table`)."""
    return pd.concat([scores, grade_table(scores)], axis=1)
