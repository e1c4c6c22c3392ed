"""Every chart helper renders Chinese text with real glyphs (no □, no missing-glyph warning)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlab import charts
from tests.support.charts import render


def _chart_factories():
    """Name → a function drawing that chart on believable data."""
    rng = np.random.default_rng(1)
    sales = pd.Series(rng.pareto(1.2, 120) * 10 + 1, index=[f"客户{i:03d}" for i in range(120)])
    levels = pd.DataFrame({"基础级别": list("AABCCDDDEEEE"), "客户级别": list("ABBCCCDDDEEE")})
    survey = pd.DataFrame(
        [[5, 10, 20, 40, 20, 5], [2, 8, 30, 30, 28, 2]],
        index=["产品质量", "服务态度"],
        columns=["很不满意", "不满意", "一般", "满意", "很满意", "未作答"],
    )
    five_c = {"品格": 85, "能力": 70, "资本": 60, "担保": 40, "经营环境": 75}
    aging = pd.DataFrame({"金额": [120.0, 40.5, 12.0, 0.0, 8.25, 3.0]},
                         index=["未到期", "1–30天", "31–60天", "61–90天", "91–180天", "超过180天"])
    aging["占比"] = aging["金额"] / aging["金额"].sum()
    scores = pd.DataFrame({"assignment": ["hw01"] * 5 + ["hw02"] * 3,
                           "percent": [95, 82, 61, 40, 100, 70, 55, 88]})
    return {
        "pareto": lambda: charts.pareto_chart(sales, value_label="销售额（万元）"),
        "grades": lambda: charts.grade_distribution(levels["客户级别"]),
        "grades_compare": lambda: charts.grade_distribution(levels),
        "radar": lambda: charts.radar_chart(five_c, compare=dict.fromkeys(five_c, 60),
                                            compare_label="平均"),
        "survey": lambda: charts.survey_bars(survey),
        "aging": lambda: charts.aging_chart(aging),
        "scores": lambda: charts.score_histograms(scores, 60),
    }


@pytest.mark.parametrize("name", list(_chart_factories()))
def test_chart_has_every_glyph(name):
    """Does each helper's chart render all its Chinese text with the bundled CJK font?"""
    fig = _chart_factories()[name]()
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in texts)
    assert render(fig) == []


def test_glyph_check_can_fail():
    """Would the check above notice Chinese drawn in a font without CJK glyphs?"""
    fig, ax = plt.subplots()
    ax.set_title("客户等级", fontfamily="DejaVu Sans")
    assert render(fig) != []


def test_font_is_the_bundled_cjk_font():
    """Is matplotlib's default sans-serif the Noto Sans CJK SC shipped inside mplfonts?"""
    name = charts.use_chinese_font()
    assert "CJK" in name
    assert matplotlib.rcParams["font.sans-serif"][0] == name
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_pareto_groups_the_long_tail():
    """Does a Pareto chart of many customers group the tail into one labelled bar?"""
    sales = pd.Series(np.arange(100, 0, -1), index=[f"C{i}" for i in range(100)], dtype=float)
    fig = charts.pareto_chart(sales, top=10)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    plt.close(fig)
    assert len(labels) == 11 and labels[-1] == "其余 90 位客户"


def test_aging_chart_labels_each_bucket_with_amount_and_share():
    """Does each aging bar carry its amount (万元) and its share of the total?"""
    summary = pd.DataFrame({"金额": [30.0, 10.0], "占比": [0.75, 0.25]}, index=["未到期", "1–30天"])
    fig = charts.aging_chart(summary, title="账龄")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    plt.close(fig)
    assert labels == ["30.0\n(75%)", "10.0\n(25%)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["未到期", "1–30天"]


def test_score_histograms_draw_one_panel_per_assignment_with_the_pass_line():
    """One panel per assignment in the order given, an empty one for an assignment nobody
    submitted, each counting its submissions and marking the pass line?"""
    scores = pd.DataFrame({"assignment": ["hw02", "hw01", "hw01"], "percent": [50, 90, 30]})
    fig = charts.score_histograms(scores, 60, assignments=["hw01", "hw02", "hw03"])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    plt.close(fig)
    assert [ax.get_title() for ax in visible] == ["hw01（2 份）", "hw02（1 份）", "hw03（0 份）"]
    assert [sum(p.get_height() for p in ax.patches) for ax in visible] == [2, 1, 0]
    assert all(ax.lines[0].get_xdata()[0] == 60 for ax in visible)
    assert fig.get_suptitle().endswith("虚线为及格线 60 分")
