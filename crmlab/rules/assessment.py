"""The customer-grading group activity 「制订客户分级管理策略」 (《客户关系管理（第 2 版）》, lesson
16): its steps (``ACTIVITY_STEPS``), its 任务笔记记录表 (``TASK_NOTES``) and its assessment form
(考核评价表).

100 points in the textbook's three categories: 知识技能评价 30, 素质评价 30, 成果评价 40, each
split into items
(``ITEMS``). Three raters fill the same form: the group itself (自评), the other groups (互评)
and the teacher (师评); the overall mark = 自评 20% + 互评 20% + 师评 60% (``RATERS``).

``score_form`` takes the three sets of marks. ``peer_marks`` may be one dict or a list of
dicts, one per peer group: then each item's marks are averaged first, and the averaged form is
the peer form. The overall mark is kept exact (computed with fractions, returned as the
nearest float); ``overall_display`` rounds it half up to one decimal for display.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from crmlab.rules.checks import CourseInputError, as_number, check_keys


@dataclass(frozen=True)
class Category:
    """A category of the form."""

    key: str
    label: str
    points: int


@dataclass(frozen=True)
class Item:
    """An item of the form: a short label and the criterion as worded on the form."""

    key: str
    category: str  # a Category key
    label: str
    criterion: str
    points: int  # maximum


@dataclass(frozen=True)
class Rater:
    """Who fills in a form, and the weight of their marks in the overall mark (in %)."""

    key: str
    label: str
    weight: int  # percent


CATEGORIES: tuple[Category, ...] = (
    Category("knowledge", "知识技能评价", 30),
    Category("attitude", "素质评价", 30),
    Category("outcome", "成果评价", 40),
)

ITEMS: tuple[Item, ...] = (
    Item("basics", "knowledge", "分级管理基础知识", "掌握客户分级管理的基础知识", 15),
    Item("strategies", "knowledge", "各级客户管理策略", "能够为不同级别的客户制订管理策略", 15),
    Item("teamwork", "attitude", "团队合作", "有团队精神，积极与他人合作", 10),
    Item("participation", "attitude", "积极参与", "认真参加实训任务", 10),
    Item("innovation", "attitude", "创新与自主学习", "有创新思维和自主探究学习的意识", 10),
    Item("slides", "outcome", "演示文稿", "演示文稿重点突出、详略得当", 20),
    Item("presentation", "outcome", "汇报表现", "小组代表表达清楚、逻辑清晰，讲述有说服力", 20),
)

RATERS: tuple[Rater, ...] = (
    Rater("self", "自评", 20),
    Rater("peer", "互评", 20),
    Rater("teacher", "师评", 60),
)

ACTIVITY_GROUPING = "全班学生以 4～6 人为一组进行分组，各组选出组长并进行任务分工"
"""任务分组: done before the steps."""

ACTIVITY_STEPS: tuple[str, ...] = (
    "以小组为单位，模拟设立一家公司，设计公司名称、业务范围、产品及服务等",
    "设计 6 位具有不同特点的客户",
    "根据定量指标中的客户订单金额评定客户的基础级别",
    "根据变量指标中的加分项及减分项进行整体评定，确定客户级别",
    "为不同级别的客户制订不同的管理策略",
    "将活动过程制作成 PPT，在全班同学面前进行展示",
    "将实践过程中遇到的问题、解决方法、心得感悟等记录到任务笔记记录表中",
)
"""任务实施: the textbook's seven steps of the activity, in its words."""

TASK_NOTES_TITLE = "任务笔记记录表"
TASK_NOTES: tuple[str, ...] = ("问题记录", "解决方法", "心得感悟")
"""The rows of the textbook's 任务笔记记录表; each has room for entries (1), (2), …"""

TOTAL_POINTS = sum(category.points for category in CATEGORIES)
ITEM_BY_KEY: dict[str, Item] = {item.key: item for item in ITEMS}
ITEM_LABELS: dict[str, str] = {item.key: item.label for item in ITEMS}
RATER_BY_KEY: dict[str, Rater] = {rater.key: rater for rater in RATERS}
DISPLAY_DECIMALS = 1


@dataclass(frozen=True)
class AssessmentResult:
    """The scored form. Every number is exact (not rounded); see ``overall_display``."""

    marks: dict[str, dict[str, float]]  # rater key → item key → points (peers averaged)
    totals: dict[str, float]  # rater key → total out of 100
    category_totals: dict[str, dict[str, float]]  # rater key → category key → subtotal
    weighted_categories: dict[str, float]  # category key → its share of the overall mark
    overall: float  # Σ weight × rater total (the float nearest to overall_exact)
    overall_exact: Fraction  # the same, as an exact fraction
    peer_count: int  # peer forms averaged

    @property
    def overall_display(self) -> str:
        """The overall mark rounded half up to one decimal, e.g. ``"87.8"``."""
        return _round_half_up(self.overall_exact, DISPLAY_DECIMALS)

    def to_frame(self) -> pd.DataFrame:
        """The form as a table: one row per item, one column per rater, Chinese headers."""
        table = pd.DataFrame(
            {
                "类别": [_category_label(item.category) for item in ITEMS],
                "项目": [item.label for item in ITEMS],
                "满分": [item.points for item in ITEMS],
                **{r.label: [self.marks[r.key][item.key] for item in ITEMS] for r in RATERS},
            }
        )
        return table


def _category_label(key: str) -> str:
    return next(category.label for category in CATEGORIES if category.key == key)


def _round_half_up(value: Fraction, decimals: int) -> str:
    scaled = math.floor(value * 10**decimals + Fraction(1, 2))
    return str(Decimal(scaled).scaleb(-decimals))


def _form(marks: object, rater: str) -> dict[str, Fraction]:
    """One rater's marks, checked: every item present, each within 0..its maximum."""
    checked = check_keys(marks, ITEM_LABELS, rater)
    missing = [ITEM_LABELS[key] for key in ITEM_LABELS if key not in checked]
    if missing:
        raise CourseInputError(f"「{rater}」缺少这些项目的分数：{'、'.join(missing)}。", rater)
    form = {}
    for key, item in ITEM_BY_KEY.items():
        label = f"{rater}·{item.label}"
        value = as_number(checked[key], label)
        if not 0 <= value <= item.points:
            raise CourseInputError(
                f"「{label}」应在 0～{item.points} 分之间（满分 {item.points} 分），"
                f"现在是 {value:g}。",
                label,
            )
        form[key] = Fraction(repr(value))  # 7.3 → 73/10, as typed
    return form


def _peer_form(peer_marks: object) -> tuple[dict[str, Fraction], int]:
    label = RATER_BY_KEY["peer"].label
    if isinstance(peer_marks, Mapping):
        return _form(dict(peer_marks), label), 1
    if not isinstance(peer_marks, Sequence) or isinstance(peer_marks, str):
        raise CourseInputError(f"「{label}」应当是一份评分字典，或几份评分字典组成的列表。", label)
    if not peer_marks:
        raise CourseInputError(f"「{label}」至少需要一份评分。", label)
    forms = [
        _form(dict(m) if isinstance(m, Mapping) else m, f"{label}（第 {i} 份）")
        for i, m in enumerate(peer_marks, start=1)
    ]
    return {key: sum(f[key] for f in forms) / len(forms) for key in ITEM_BY_KEY}, len(forms)


def score_form(
    self_marks: Mapping[str, float],
    peer_marks: Mapping[str, float] | Sequence[Mapping[str, float]],
    teacher_marks: Mapping[str, float],
) -> AssessmentResult:
    """Score the assessment form.

    Each marks dict maps every item key of ``ITEMS`` to points within 0..the item's maximum.
    ``peer_marks`` may be a list of such dicts (several peer groups): each item is averaged
    over them first. A missing or unknown item, a mark that is not a number or is outside its
    range raises :class:`CourseInputError` naming the rater and the item (and its maximum).
    """
    forms = {
        rater: _form(
            dict(marks) if isinstance(marks, Mapping) else marks, RATER_BY_KEY[rater].label
        )
        for rater, marks in (("self", self_marks), ("teacher", teacher_marks))
    }
    forms["peer"], peer_count = _peer_form(peer_marks)
    totals = {rater: sum(form.values()) for rater, form in forms.items()}
    by_category = {
        rater: {c.key: sum(form[i.key] for i in ITEMS if i.category == c.key) for c in CATEGORIES}
        for rater, form in forms.items()
    }
    weights = {r.key: Fraction(r.weight, 100) for r in RATERS}
    weighted = {c.key: sum(weights[r] * by_category[r][c.key] for r in weights) for c in CATEGORIES}
    overall = sum(weights[r] * totals[r] for r in weights)
    order = [r.key for r in RATERS]
    return AssessmentResult(
        marks={r: {k: float(v) for k, v in forms[r].items()} for r in order},
        totals={r: float(totals[r]) for r in order},
        category_totals={r: {k: float(v) for k, v in by_category[r].items()} for r in order},
        weighted_categories={k: float(v) for k, v in weighted.items()},
        overall=float(overall),
        overall_exact=Fraction(overall),
        peer_count=peer_count,
    )
