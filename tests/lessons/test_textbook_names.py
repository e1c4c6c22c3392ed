"""Where a grade depends on words, the course uses the textbook's: every scorecard item,
dimension and strategy name in lessons, question banks, homework, rubrics and reports is one of
the rule modules' names (the course's own wording only as a labelled second name)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from crmlab.course.manifest import ROOT
from crmlab.course.tables import GENERATED
from crmlab.rules import assessment, grading, value


def _strings(node: object):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for item in node.values():
            yield from _strings(item)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _chunks(path: Path) -> list[str]:
    """The texts of one file a reader meets together: a notebook's cells, a bank's questions,
    a rubric's criteria."""
    if path.suffix == ".ipynb":  # a generated table labels its second names by their column
        return [GENERATED.sub("", cell.source) for cell in nbformat.read(path, as_version=4).cells]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("questions") or data.get("exercises") or data.get("rubric") or [data]
    return ["\n".join(_strings(item)) for item in items]


FILES = sorted([*ROOT.glob("lessons/*.ipynb"), *ROOT.glob("source/*/*.ipynb"),
                *ROOT.glob("reports/*.ipynb"), *ROOT.glob("crmlab/exercises/banks/*.yml"),
                *ROOT.glob("assignments/*.yml")])
IDS = [path.relative_to(ROOT).as_posix() for path in FILES]

ITEMS = {item.label for item in (*grading.BONUS_ITEMS, *grading.PENALTY_ITEMS)}
ITEM_NAMES = ITEMS | {re.sub(r"（.+）$", "", label) for label in ITEMS}
NAMES = ITEM_NAMES | set(grading.DIMENSIONS) | set(grading.TERMS.values()) | {"订单金额", "本年度订单金额"}
"""Every name a scorecard sentence may quote as an item: the items (with or without their
（加分）/（减分）), the dimensions, the textbook's terms and the 定量指标 itself."""

QUOTED_ITEM = re.compile(r"(?:加分项|减分项|属于)「([^」]{2,10})」"
                         r"|「([^」]{2,10})」(?:这一项|一项|这个加分项|这个减分项|加分项|减分项|项)")
"""A quoted name that a sentence calls a bonus or penalty item."""

STRATEGY_VARIANTS = re.compile(r"(?:有策略地|有计划地|战略性地|策略性地?)放弃|交叉定价|组合定价"
                               r"|让?沟通更(?:清晰|顺畅|清楚)|更顺畅的沟通")
"""The course's former names of the textbook's 战略性放弃, 制定交叉价格 and 净化沟通过程."""
LABELLED = re.compile(r"本课程(?:也说|也称|的通俗说法)|通俗地说")


def _table_rows(text: str):
    """(header, cells) of every markdown table row in a text."""
    header = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not set("".join(cells)) <= set("-: "):
            yield header, cells


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_scorecard_items_and_dimensions_are_the_rules_names(path):
    """Is every item a scorecard sentence quotes, and every 维度/项目/指标 cell of a scorecard
    table, one of crmlab.rules.grading's names?"""
    wrong = []
    for text in _chunks(path):
        if "加分项" in text or "减分项" in text:
            wrong += [name for match in QUOTED_ITEM.finditer(text)
                      for name in match.groups() if name and name not in NAMES]
        for header, cells in _table_rows(text):
            if "维度" in header and ({"项目", "指标"} & set(header)):
                column = dict(zip(header, cells))
                wrong += [column["维度"]] if column["维度"] not in grading.DIMENSIONS else []
                item = column.get("项目") or column.get("指标")
                wrong += [item] if item not in ITEM_NAMES else []
    assert wrong == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_strategy_names_are_the_textbooks(path):
    """Does no text call a strategy by the course's former names (有策略地放弃, 交叉定价,
    让沟通更清晰顺畅…) unless it labels them as the course's second name?"""
    found = [match.group(0) for text in _chunks(path) for match in STRATEGY_VARIANTS.finditer(text)
             if not LABELLED.search(text[max(0, match.start() - 16): match.start()])]
    assert found == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_composite_value_is_called_as_the_textbook_calls_it(path):
    """Does a text that says 当前价值 for the composite evaluation's first dimension also give
    the textbook's 即有价值?"""
    assert [text[:60] for text in _chunks(path) if "当前价值" in text and "即有价值" not in text] == []


def test_the_rules_hold_the_textbooks_names():
    """Do the rule modules carry the textbook's names, so that the checks above hold the
    course to them?"""
    stc, bz = value.VALUE_TIERS[1], value.VALUE_TIERS[2]
    assert {"制定交叉价格", "净化沟通过程"} <= set(stc.strategies)
    assert bz.stance.startswith("战略性放弃") and "战略性放弃负值客户" in bz.strategies
    assert value.COMPOSITE_DIMENSIONS[0].label == "即有价值"
    assert {"定量指标", "变量指标", "基础分值", "可选加分项", "可选减分项"} <= set(grading.TERMS.values())
    assert grading.RESULT_LABELS["base_score"] == grading.TERMS["base_score"]
    assert assessment.TASK_NOTES_TITLE in assessment.ACTIVITY_STEPS[-1]
    assert len(assessment.ACTIVITY_STEPS) == 7
    assert grading.DIMENSIONS == ("业务及需求", "客户关系", "经营管理")


def test_lesson_05_uses_the_scorecards_terms():
    """Does lesson 05 teach the scorecard in the textbook's terms, and say how the course reads
    「以上」 in the two items where it decides a grade?"""
    text = "\n".join(c.source for c in nbformat.read(ROOT / "lessons" / "05_customer_grading.ipynb",
                                                     as_version=4).cells)
    assert all(term in text for term in grading.TERMS.values())
    readings = [item for item in grading.BONUS_ITEMS if item.reading]
    assert {item.key for item in readings} == {"product_needs", "growth"}
    assert all(item.reading in text for item in readings)
    assert "累计销售额" in text and "年度平均销售额" in text and "销售额增长率" in text


def _lesson_text(stem: str) -> str:
    path = next((ROOT / "lessons").glob(f"{stem}*.ipynb"))
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def test_lesson_14_gives_the_sheets_split_and_what_its_items_add_up_to():
    """Does lesson 14 say both: the exchange sheet heads its tiers 60 and 40 points, and its
    items add up to 55 and 45 (practice.SHEET_TIER_POINTS, practice.TIER_POINTS)?"""
    from crmlab.rules import practice

    text = _lesson_text("14_")
    sheet, items = practice.SHEET_TIER_POINTS, practice.TIER_POINTS
    assert sum(sheet.values()) == sum(items.values()) == practice.TOTAL_POINTS
    assert f"基本要求 {sheet['basic']} 分、突出表现 {sheet['outstanding']} 分" in text
    assert f"基本要求只有 {items['basic']} 分，突出表现有 {items['outstanding']} 分" in text


TEXTBOOK_FACTS = [
    ("02_", "中小型批发零售商"),
    ("06_", "对员工进行新技术培训"),
    ("06_", "在兴业银行所有个人账户中的金额折合人民币总额达到 100 万元"),
    ("07_", "你是固特异轮胎（Goodyear）的业务代表"),
    ("07_", "分组讨论"),
    ("07_", "角色扮演"),
    ("08_", "角色扮演"),
    ("10_", "「用户满意度就是检验一切工作的唯一标准」"),
    ("10_", "**构建服务的客户满意**"),
    ("10_", "格洛鲁斯（Grönroos，也译作格罗鲁斯）"),
    ("10_", "**调研立项表**、**调研计划表**、**客户满意度调查表**"),
    ("10_", "客户满意管理研究报告"),
    ("11_", "**转变宣传方式**"),
    ("11_", "**建立利基俱乐部**"),
    ("11_", "**和供应商联手降低成本**"),
    ("11_", "**业务延伸**"),
    ("11_", "为顾客创造差异化价值"),
    ("11_", "优化调整组织运行机制"),
    ("01_", "接触管理"),
    ("01_", "组建、培训和激励 CRM 团队"),
]


@pytest.mark.parametrize(("stem", "words"), TEXTBOOK_FACTS, ids=[w for _, w in TEXTBOOK_FACTS])
def test_lesson_states_the_textbooks_fact_in_its_words(stem, words):
    """Does the lesson say it as the textbook (《客户关系管理（第 2 版）》, its answer keys and the
    practical-training guide) says it?"""
    assert words in _lesson_text(stem)


def test_lessons_no_longer_state_what_the_textbook_does_not_say():
    """Are the course's former wordings gone: the black card's 日均, Huawei's shortened slogan,
    Metro's customers without 批发, the merged seven-step list with a 任务日志?"""
    assert "| 黑金卡 | 日均" not in _lesson_text("06_")
    assert "任务日志" not in _lesson_text("06_")
    assert "用户满意是检验一切工作的唯一标准" not in _lesson_text("10_")
    assert "目标客户是中小型零售商" not in _lesson_text("02_")


def test_the_glossary_lists_both_spellings_of_groenroos():
    """Does the glossary give the textbook's 格洛鲁斯 and the other common 格罗鲁斯?"""
    from crmlab.course.glossary import load_glossary

    term = next(t for t in load_glossary() if t.zh == "格洛鲁斯")
    assert "Grönroos" in term.en and "格罗鲁斯" in term.definition
