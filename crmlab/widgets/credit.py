"""信用评分卡: the 5C credit scorecard with a radar chart."""

from __future__ import annotations

import ipywidgets as widgets

from crmlab import charts
from crmlab.rules import credit
from crmlab.rules.checks import CourseInputError, parse_number
from crmlab.widgets._base import (
    badge,
    chart_png,
    esc,
    guarded,
    heading,
    message,
    show_in_output,
    table_html,
)

GRADE_COLORS = {"AAA": "#1b7837", "AA": "#5aae61", "A": "#a6a600", "B": "#e08214", "C": "#b2182b"}


class CreditScorecard(widgets.VBox):
    """Five 0–100 sliders (品格 … 条件) and an optional annual credit sales box →
    score, credit grade, suggested limit and credit period, and a 5C radar chart.

    ``.result`` holds the latest :class:`crmlab.rules.credit.CreditResult`.
    """

    def __init__(self, factors: dict[str, float] | None = None, annual_credit_sales: str = ""):
        start = factors or {}
        self.factors = {
            f.key: widgets.IntSlider(
                value=int(start.get(f.key, 60)), min=0, max=100, step=1,
                description=f"{f.label}（{f.english}）", tooltip=f.description,
                style={"description_width": "10em"}, layout=widgets.Layout(width="30em"),
            )
            for f in credit.FACTORS
        }
        self.sales = widgets.Text(
            value=str(annual_credit_sales), description="年赊销额（万元）", placeholder="可不填",
            style={"description_width": "10em"}, layout=widgets.Layout(width="22em"),
        )
        self.sales_error = widgets.HTML()
        self.output = widgets.HTML()
        self.chart = widgets.Image(format="png", layout=widgets.Layout(width="330px"))
        self.result: credit.CreditResult | None = None
        for control in (*self.factors.values(), self.sales):
            control.observe(self.update, names="value")

        weights = "、".join(f"{f.label} {f.weight:.0%}" for f in credit.FACTORS)
        super().__init__([
            heading("信用评分卡（5C 模型）"),
            widgets.HTML(f"<small>每项 0–100 分；默认权重：{esc(weights)}</small>"),
            widgets.HBox([
                widgets.VBox([*self.factors.values(),
                              widgets.HBox([self.sales, self.sales_error]), self.output]),
                self.chart,
            ]),
        ])
        self.add_class("crm-credit-scorecard")  # a stable hook for browser tests and styling
        self.update()

    _show_error = show_in_output

    @guarded(_show_error)
    def update(self, _change=None) -> None:
        try:
            sales = parse_number(self.sales.value, credit.SALES_LABEL, minimum=0, blank_ok=True)
            self.sales_error.value = ""
        except CourseInputError as error:
            self.sales_error.value = message(str(error))
            sales = None
        values = {key: slider.value for key, slider in self.factors.items()}
        result = credit.assess_credit(values, annual_credit_sales=sales)
        self.result = result
        self.output.value = self.render(result)
        self.chart.value = chart_png(
            charts.radar_chart, {f.label: values[f.key] for f in credit.FACTORS}, title="5C 雷达图",
        )

    @staticmethod
    def render(result: credit.CreditResult) -> str:
        limit = ("（填写年赊销额后计算具体金额）" if result.limit is None
                 else f"<b class='crm-limit'>{result.limit:,.1f}</b> 万元")
        rows = [[g.grade, f"{g.min_score:g} 分及以上" if g.min_score else "不足 60 分", g.label,
                 esc(g.limit_rule()), f"{g.period_days} 天" if g.period_days else "—"]
                for g in credit.GRADES]
        current = [g.grade for g in credit.GRADES].index(result.grade)
        return (
            f"<p>加权得分 <b class='crm-score'>{result.score:.1f}</b> 分 → 信用等级 "
            f"<span class='crm-grade'>{badge(result.grade, GRADE_COLORS[result.grade])}</span>"
            f"（{esc(result.grade_label)}）<br>建议信用额度：{limit}；"
            f"信用期限：{result.period_days or '无（现款现货）'}"
            f"{' 天' if result.period_days else ''}</p>"
            + table_html(["等级", "得分", "含义", "信用额度", "信用期限"], rows, current)
            + "<p><small>等级划分与政策是本课程的教学示例，企业可按自身情况设定。</small></p>"
        )
