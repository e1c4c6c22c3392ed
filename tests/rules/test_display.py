"""How results look, kept once (crmlab/rules/display.py): the levels' order and colours that the
charts and the widgets share, and the display width of Chinese text."""

from __future__ import annotations

import re

from crmlab import charts
from crmlab.rules.display import LEVEL_COLORS, LEVEL_ORDER, display_width
from crmlab.rules.grading import FINAL_BANDS, grade_customer
from crmlab.widgets import _base
from tests.support import ROOT


def test_levels_in_order_each_with_a_colour():
    assert LEVEL_ORDER == tuple(band.level for band in FINAL_BANDS) == tuple("ABCDE")
    assert list(LEVEL_COLORS) == list(LEVEL_ORDER)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in LEVEL_COLORS.values())


def test_the_chart_and_the_widget_show_a_level_in_the_same_colour():
    level = grade_customer(45, {}).level
    assert charts.LEVEL_COLORS[level] in _base.level_badge(level)


def test_display_width_counts_chinese_as_two():
    assert display_width("CRM客户") == 3 + 4
    assert display_width("（）") == 4


def test_no_second_list_of_levels_or_their_colours():
    spelled = re.compile(r"""\{\s*["']A["']\s*:\s*["']#|\(\s*["']A["'],\s*["']B["'],\s*["']C["']""")
    assert [p.relative_to(ROOT).as_posix() for p in (ROOT / "crmlab").rglob("*.py")
            if spelled.search(p.read_text(encoding="utf-8"))] == ["crmlab/rules/display.py"]


def test_the_order_amount_label_is_the_rules_one():
    """One Chinese name for order_amount in the package: the schema, the widget, the generated
    tables and the CLI show grading.AMOUNT_LABEL instead of spelling it again."""
    spelled = re.compile(r"本年度?订单金额|list\(\s*[\"']ABCDE[\"']\s*\)")
    assert [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "crmlab").rglob("*.py"))
            if spelled.search(p.read_text(encoding="utf-8"))] == ["crmlab/rules/grading.py"]
