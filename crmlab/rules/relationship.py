"""Kotler's five levels of customer relationship (客户关系的五种类型) and how to choose one
from the number of customers and the unit margin (the textbook's chapter 「客户关系管理概述」).
"""

from __future__ import annotations

from dataclasses import dataclass

from crmlab.rules.checks import CourseInputError


@dataclass(frozen=True)
class RelationshipLevel:
    """One of Kotler's relationship levels, from the loosest to the closest; ``why`` says when
    the level pays off."""

    key: str
    label: str
    english: str
    description: str
    why: str


LEVELS: tuple[RelationshipLevel, ...] = (
    RelationshipLevel("basic", "基本型", "basic",
                      "把产品卖出去之后，就不再与客户联系",
                      "每位客户带来的利润薄，逐一跟进得不偿失"),
    RelationshipLevel("reactive", "被动型", "reactive",
                      "卖出产品时请客户在遇到问题或有意见时主动打电话来",
                      "投入宜少，留好让客户找上门的渠道即可"),
    RelationshipLevel("accountable", "负责型", "accountable",
                      "售后不久主动致电客户，了解产品是否合用，并收集改进建议",
                      "售后主动回访一次，成本可控，又能及时发现问题"),
    RelationshipLevel("proactive", "能动型", "proactive",
                      "售后持续联系客户，提供改进产品的建议和新产品的信息",
                      "每位客户都较有分量，值得持续主动联系"),
    RelationshipLevel("partnership", "伙伴型", "partnership",
                      "与客户持续合作，帮助客户解决问题、支持客户成功，共同发展",
                      "每位客户都举足轻重，值得长期深度投入"),
)
"""The five levels, loosest first."""

LEVEL_BY_KEY: dict[str, RelationshipLevel] = {level.key: level for level in LEVELS}

CUSTOMER_COUNTS: dict[str, str] = {"many": "多", "medium": "中", "few": "少"}
"""Number of customers: key → Chinese word."""

MARGINS: dict[str, str] = {"low": "低", "medium": "中", "high": "高"}
"""Unit (marginal) profit per customer: key → Chinese word."""

RELATIONSHIP_MATRIX: dict[str, dict[str, str]] = {
    "many": {"low": "basic", "medium": "reactive", "high": "accountable"},
    "medium": {"low": "reactive", "medium": "accountable", "high": "proactive"},
    "few": {"low": "accountable", "medium": "proactive", "high": "partnership"},
}
"""Rows: number of customers; columns: unit margin; cells: level key (Kotler's table)."""


@dataclass(frozen=True)
class RelationshipAdvice:
    """The level suggested for one cell of the matrix, with the reason in Chinese."""

    level: str
    label: str
    english: str
    reason: str


def _choice(value: object, accepted: dict[str, str], field: str) -> str:
    """Return the English key for ``value`` given as a key or as its Chinese word."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in accepted:
            return text.lower()
        for key, word in accepted.items():
            if text == word:
                return key
    keys, words = "/".join(accepted), "/".join(accepted.values())
    raise CourseInputError(f"「{field}」只能是 {keys} 或 {words}，现在是：{value!r}", field)


def _spoken(word: str) -> str:
    """中 reads as 中等 in a sentence (客户数量中等)."""
    return "中等" if word == "中" else word


def relationship_level(customers: str, margin: str) -> RelationshipAdvice:
    """The relationship level for a number of customers (many/medium/few or 多/中/少) and a
    unit margin (low/medium/high or 低/中/高), read from ``RELATIONSHIP_MATRIX``."""
    count_key = _choice(customers, CUSTOMER_COUNTS, "客户数量")
    margin_key = _choice(margin, MARGINS, "边际利润水平")
    level = LEVEL_BY_KEY[RELATIONSHIP_MATRIX[count_key][margin_key]]
    reason = (
        f"客户数量{_spoken(CUSTOMER_COUNTS[count_key])}、边际利润水平{_spoken(MARGINS[margin_key])}："
        f"{level.why}，"
        f"宜建立{level.label}关系（{level.english}），即{level.description}。"
    )
    return RelationshipAdvice(level.key, level.label, level.english, reason)
