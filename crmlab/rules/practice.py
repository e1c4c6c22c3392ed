"""实训 (practical training): the company-visit report and the oral exchange (the practical-training
guide 《客户关系处理》实训指导书, 实训1 and 实训2).

Two rules of the course's practical-training guide, as data:

- The report a group writes after visiting a company has three parts (``REPORT_PARTS``):
  开头 (raise the question and state the thesis), 正文 (argue it with theory and facts) and
  结尾 (conclude with the writer's own view, briefly). ``REPORT_EXAMPLE`` is a short report
  written for this course, paragraph by paragraph, each with the part it belongs to and why;
  :func:`mark_structure` marks a student's sorting of those paragraphs (a
  :mod:`crmlab.rules.labelling` exercise).
- The oral exchange (交流训练) is scored on four dimensions (``DIMENSIONS``): 交流内容 50,
  交流表述 30, 交流表情 10, 交流姿态 10 points. Each dimension has criteria a speaker meets
  when the task is basically done (基本要求) and criteria for an outstanding performance
  (突出表现), each worth the points in ``CRITERIA``; a criterion not fully met loses points at
  the rater's judgement. :func:`score_exchange` totals one rater's form.

The guide's score sheet heads its two tiers "60 points" and "40 points" (``SHEET_TIER_POINTS``),
but the criteria it lists under them add up to 55 and 45 (the dimension totals 50/30/10/10 and
the sum 100 agree with the criteria). The course scores by the criteria; ``TIER_POINTS`` is
computed from them, and lesson 14 states both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from crmlab.rules import labelling
from crmlab.rules.checking import Marking
from crmlab.rules.checks import CourseInputError, as_number, check_keys
from crmlab.rules.labelling import Item, Option

# ------------------------------------------------------------------------------ the report


@dataclass(frozen=True)
class ReportPart:
    """One part of the report: what it does and what a good one looks like."""

    key: str
    label: str
    task: str
    requirements: tuple[str, ...]


REPORT_PARTS: tuple[ReportPart, ...] = (
    ReportPart(
        "opening", "开头",
        "提出问题：说明这篇报告要回答什么问题，亮出作者的观点（论点）。",
        ("概念用得准确", "判断符合事物的实际，也符合人们通常的认识"),
    ),
    ReportPart(
        "body", "正文",
        "分析问题：用理论和调查到的事实，说明这个观点为什么成立（论证）。",
        ("紧扣主题：每一段都为论点服务", "言之有序：先说什么、后说什么，条理分明",
         "言之有理：分析正确，合乎逻辑", "言之有据：有理论依据，有实例和数据"),
    ),
    ReportPart(
        "ending", "结尾",
        "解决问题：从正文归纳出结论，提出作者自己的见解和建议。",
        ("上升为自己的认识，而不是重复材料", "观点和建议鲜明", "概括、简短"),
    ),
)
PART_BY_KEY: dict[str, ReportPart] = {part.key: part for part in REPORT_PARTS}
PART_KEYS_TEXT = "、".join(part.label for part in REPORT_PARTS)


REPORT_TITLE = "某社区连锁药店客户关系管理调查报告"
REPORT_EXAMPLE: tuple[Item, ...] = (
    Item(
        "R1", "opening",
        "我们小组走访了本市一家有 12 家门店的社区连锁药店。这次调查想回答一个问题："
        "一家规模不大的药店，靠什么留住周边的老顾客？",
        "交代调查对象和报告要回答的问题，属于开头。",
    ),
    Item(
        "R2", "opening",
        "我们的看法是：这家药店留住顾客，靠的不是打折，而是把每位常客的用药需求记在心上；"
        "它的不足也恰恰在于这些信息还没有被系统地管理起来。",
        "亮出全文的论点，后面的正文都围绕它展开，属于开头。",
    ),
    Item(
        "R3", "body",
        "先看现状。药店为办了会员卡的顾客建立了简单的档案，记录常买的药品和购买日期。"
        "店员会在慢性病顾客的药快用完时打电话提醒，店长说，这项服务让很多老人每月固定来店里。",
        "用走访看到、听到的事实说明现状，是论证的依据，属于正文。",
    ),
    Item(
        "R4", "body",
        "这种做法符合客户关怀的道理：主动了解客户的需要，持续地、有区别地为客户服务，"
        "最终提高满意度、培养忠诚。药店 12 家门店会员的复购比例明显高于非会员，也印证了这一点。",
        "用课程学过的理论解释事实，理论和实例相结合，属于正文。",
    ),
    Item(
        "R5", "body",
        "再看问题。顾客档案分散在各门店的纸质登记本和收银系统里，换一家门店就查不到；"
        "登记本放在柜台上，谁都能翻看，顾客的用药信息缺少保护。",
        "分析存在的问题，紧扣论点中「信息没有被系统地管理」一句，属于正文。",
    ),
    Item(
        "R6", "body",
        "问题的根源在于药店把客户管理看成店员的个人经验，而不是企业的工作："
        "没有专人负责，也没有统一的信息系统和保密制度。",
        "从现象追到原因，层层推进，言之有理，属于正文。",
    ),
    Item(
        "R7", "ending",
        "综上所述，我们认为：小药店同样需要客户关系管理，它的起点是把分散的顾客信息管起来、用起来、保护好。",
        "从正文归纳出结论，上升为小组自己的认识，属于结尾。",
    ),
    Item(
        "R8", "ending",
        "为此建议：统一建立会员档案，只登记服务需要的信息并取得顾客同意；指定一名店长负责客户服务；"
        "每季度回访一次慢性病顾客。",
        "在结论之后提出简短、鲜明的建议，属于结尾。",
    ),
)
PART_OPTIONS: tuple[Option, ...] = tuple(Option(p.key, p.label) for p in REPORT_PARTS)
PARAGRAPH_BY_ID: dict[str, Item] = {p.id: p for p in REPORT_EXAMPLE}
RETRY = "不是{chosen}。再读一遍这一段：它是在提出问题、分析问题，还是在得出结论？"


def mark_structure(
    answers: Mapping[str, object], paragraph_ids: Iterable[str] | None = None
) -> Marking:
    """Mark a student's sorting of example paragraphs into 开头 / 正文 / 结尾.

    ``answers`` maps paragraph id → the part chosen (its key or its Chinese label);
    ``paragraph_ids`` is the exercise's full list, by default every paragraph of
    ``REPORT_EXAMPLE``. See :func:`crmlab.rules.labelling.mark` for the outcomes and the errors.
    """
    return labelling.mark(answers, REPORT_EXAMPLE, PART_OPTIONS, paragraph_ids,
                          retry=RETRY, unit="段", what="段落编号")


def report_in_order(paragraph_ids: Iterable[str]) -> list[Item]:
    """The given paragraphs rearranged as the report reads: 开头, 正文, 结尾, each part keeping
    the example's order."""
    ids = set(paragraph_ids)
    return [p for p in REPORT_EXAMPLE if p.id in ids]


# ----------------------------------------------------------------------- the oral exchange


@dataclass(frozen=True)
class Dimension:
    """A dimension of the exchange's score sheet and what the speaker should attend to."""

    key: str
    label: str
    points: int
    advice: tuple[str, ...]


@dataclass(frozen=True)
class Criterion:
    """A scored criterion: its dimension, its tier (basic or outstanding) and its points."""

    key: str
    dimension: str  # a Dimension key
    tier: str  # a key of TIERS
    label: str
    points: int


TIERS: dict[str, str] = {"basic": "基本要求", "outstanding": "突出表现"}
"""Tier key → Chinese label: 基本要求 when the task is basically done, 突出表现 beyond it."""

DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("content", "交流内容", 50,
              ("理论联系实际", "观点上升为自己的认识", "内容完整", "观点表达准确、鲜明")),
    Dimension("delivery", "交流表述", 30,
              ("说得清楚、响亮", "流畅、熟练", "控制好语速", "声音悦耳")),
    Dimension("expression", "交流表情", 10, ("自然、舒展", "富有表情", "有吸引力")),
    Dimension("posture", "交流姿态", 10, ("大方、得体", "善于表现自己", "有感染力")),
)

CRITERIA: tuple[Criterion, ...] = (
    Criterion("theory_practice", "content", "basic", "理论联系实际", 15),
    Criterion("own_view", "content", "basic", "上升为自我认识", 15),
    Criterion("complete", "content", "outstanding", "内容完整", 10),
    Criterion("clear_view", "content", "outstanding", "观点鲜明", 10),
    Criterion("clear_loud", "delivery", "basic", "表述清楚、响亮", 15),
    Criterion("organised", "delivery", "outstanding", "表述有条理", 5),
    Criterion("fluent", "delivery", "outstanding", "流畅、熟练", 5),
    Criterion("pace", "delivery", "outstanding", "善于控制语速", 3),
    Criterion("voice", "delivery", "outstanding", "语音动听", 2),
    Criterion("natural", "expression", "basic", "表情自然、舒展", 5),
    Criterion("expressive", "expression", "outstanding", "富有表情", 3),
    Criterion("appealing", "expression", "outstanding", "具有吸引力", 2),
    Criterion("poised", "posture", "basic", "姿态大方、得体", 5),
    Criterion("self_presenting", "posture", "outstanding", "善于表现", 3),
    Criterion("inspiring", "posture", "outstanding", "具有感染力", 2),
)

DIMENSION_BY_KEY: dict[str, Dimension] = {d.key: d for d in DIMENSIONS}
CRITERION_BY_KEY: dict[str, Criterion] = {c.key: c for c in CRITERIA}
CRITERION_LABELS: dict[str, str] = {c.key: c.label for c in CRITERIA}
TOTAL_POINTS = sum(d.points for d in DIMENSIONS)
TIER_POINTS: dict[str, int] = {
    tier: sum(c.points for c in CRITERIA if c.tier == tier) for tier in TIERS
}
"""Each tier's points as its criteria add up (55 and 45)."""
SHEET_TIER_POINTS: dict[str, int] = {"basic": 60, "outstanding": 40}
"""Each tier's points as the score sheet's heading states them (考评总分 60 分 / 40 分)."""


@dataclass(frozen=True)
class ExchangeResult:
    """One rater's scored form; every number exact as typed (no rounding)."""

    marks: dict[str, float]  # criterion key → points
    dimension_totals: dict[str, float]  # dimension key → subtotal
    tier_totals: dict[str, float]  # tier key → subtotal
    total: float  # out of TOTAL_POINTS

    def lost(self) -> dict[str, float]:
        """Criterion key → points lost, for the criteria not fully met."""
        return {key: CRITERION_BY_KEY[key].points - mark for key, mark in self.marks.items()
                if mark < CRITERION_BY_KEY[key].points}


def check_mark(value: object, key: str) -> float:
    """One criterion's mark, checked: a number within 0..the criterion's points."""
    criterion = CRITERION_BY_KEY[key]
    label = criterion.label
    number = as_number(value, label)
    if not 0 <= number <= criterion.points:
        raise CourseInputError(
            f"「{label}」应在 0～{criterion.points} 分之间（满分 {criterion.points} 分），"
            f"现在是 {number:g}。",
            label,
        )
    return number


def score_exchange(marks: Mapping[str, object]) -> ExchangeResult:
    """Total one rater's marks for the oral exchange.

    ``marks`` maps every criterion key of ``CRITERIA`` to points within 0..its maximum. A
    missing or unknown criterion, or a mark that is not a number or is out of range, raises
    :class:`CourseInputError` naming the criterion (and its maximum).
    """
    given = check_keys(dict(marks) if isinstance(marks, Mapping) else marks, CRITERION_LABELS,
                       "评分")
    missing = [c.label for c in CRITERIA if c.key not in given]
    if missing:
        raise CourseInputError(f"这些项目还没有打分：{'、'.join(missing)}。", "评分")
    exact = {c.key: Fraction(repr(check_mark(given[c.key], c.key))) for c in CRITERIA}
    by_dimension = {d.key: sum(exact[c.key] for c in CRITERIA if c.dimension == d.key)
                    for d in DIMENSIONS}
    by_tier = {tier: sum(exact[c.key] for c in CRITERIA if c.tier == tier) for tier in TIERS}
    return ExchangeResult(
        marks={key: float(value) for key, value in exact.items()},
        dimension_totals={key: float(value) for key, value in by_dimension.items()},
        tier_totals={key: float(value) for key, value in by_tier.items()},
        total=float(sum(exact.values())),
    )
