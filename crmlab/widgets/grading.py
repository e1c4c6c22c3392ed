"""分级评分卡: the course's customer-grading scorecard as a live widget."""

from __future__ import annotations

import ipywidgets as widgets

from crmlab.rules import grading
from crmlab.rules.checks import CourseInputError, parse_number
from crmlab.widgets._base import (
    esc,
    guarded,
    heading,
    level_badge,
    message,
    show_in_output,
    table_html,
)

# The textbook's worked example (lesson 16's group activity): customer A, 50 万元 this year.
TEXTBOOK_EXAMPLE = {
    "order_amount": "50",
    "bonuses": {"cooperation_years": 3, "brand": 2, "product_needs": 3, "advocacy": 2},
    "penalties": {},
}


def _slider(item: grading.ScoreItem) -> widgets.IntSlider:
    return widgets.IntSlider(
        value=0, min=0, max=grading.ITEM_MAX, description=item.label,
        tooltip=item.explained, style={"description_width": "9em"},
        layout=widgets.Layout(width="95%"),
    )


class GradingScorecard(widgets.VBox):
    """Type an order amount, move the 8 bonus and 4 penalty sliders, read the level live.

    ``GradingScorecard()`` in a cell shows it; ``.result`` holds the latest
    :class:`crmlab.rules.grading.GradeResult` (``None`` while the amount is invalid).
    """

    def __init__(self, order_amount: float | str = ""):
        self.amount = widgets.Text(
            value=str(order_amount), description=grading.AMOUNT_LABEL, placeholder="例如 320",
            style={"description_width": "11em"}, layout=widgets.Layout(width="24em"),
        )
        self.amount_error = widgets.HTML()
        self.bonus = {item.key: _slider(item) for item in grading.BONUS_ITEMS}
        self.penalty = {item.key: _slider(item) for item in grading.PENALTY_ITEMS}
        self.example_button = widgets.Button(description="载入教材例题", icon="book")
        self.reset_button = widgets.Button(description="全部清零", icon="eraser")
        self.output = widgets.HTML()
        self.result: grading.GradeResult | None = None

        self.example_button.on_click(lambda _: self.load_example())
        self.reset_button.on_click(lambda _: self.reset())
        for control in (self.amount, *self.bonus.values(), *self.penalty.values()):
            control.observe(self.update, names="value")

        def column(title: str, sliders: dict[str, widgets.IntSlider], items) -> widgets.VBox:
            hints = "；".join(f"{i.label}：{i.explained}" for i in items)
            return widgets.VBox(
                [heading(title), *sliders.values(),
                 widgets.HTML(f"<small style='color:#555'>{esc(hints)}</small>")],
                layout=widgets.Layout(width="50%"),
            )

        super().__init__([
            heading("客户分级评分卡"),
            widgets.HBox([self.amount, self.amount_error]),
            widgets.HBox([
                column(f"{grading.TERMS['bonus']}（每项 0–5 分）", self.bonus, grading.BONUS_ITEMS),
                column(f"{grading.TERMS['penalty']}（每项 0–5 分）", self.penalty, grading.PENALTY_ITEMS),
            ]),
            widgets.HBox([self.example_button, self.reset_button]),
            self.output,
        ])
        self.add_class("crm-grading-scorecard")  # a stable hook for browser tests and styling
        self.update()

    _show_error = show_in_output

    @guarded(_show_error)
    def update(self, _change=None) -> None:
        try:
            amount = parse_number(self.amount.value, grading.AMOUNT_LABEL, minimum=0)
        except CourseInputError as error:
            self.amount_error.value = message(str(error)) if self.amount.value.strip() else ""
            self._show_error(message(f"请先输入{grading.AMOUNT_LABEL}，再调整加分项和减分项。", "info"))
            return
        self.amount_error.value = ""
        result = grading.grade_customer(
            amount,
            {key: s.value for key, s in self.bonus.items()},
            {key: s.value for key, s in self.penalty.items()},
        )
        self.result = result
        self.output.value = self.render(result)

    @staticmethod
    def render(result: grading.GradeResult) -> str:
        base_rows = [[b.label, str(b.score), b.level] for b in grading.BASE_BANDS]
        final_rows = [[b.label, b.level] for b in grading.FINAL_BANDS]
        clamp = ""
        if result.clamped:
            clamp = message(
                f"加减分后为 {result.raw_score:g} 分，超出 0–100 分，按规则取 {result.score:g} 分。",
                "warn",
            )
        summary = (
            f"<p>{grading.TERMS['base_score']} <b>{result.base_score}</b>（{level_badge(result.base_level)}）"
            f" ＋ 加分 <b>{result.bonus_total:g}</b> － 减分 <b>{result.penalty_total:g}</b>"
            f" ＝ 综合得分 <b class='crm-score'>{result.score:g}</b> 分 → 客户级别 "
            f"<span class='crm-level'>{level_badge(result.level)}</span></p>{clamp}"
        )
        tables = (
            "<div style='display:flex;gap:2em'>"
            f"<div><b>① {grading.TERMS['quantitative']}：{grading.AMOUNT_LABEL}</b>{table_html([grading.AMOUNT_LABEL, grading.TERMS['base_score'], grading.TERMS['base_level']], base_rows, grading.BASE_BANDS.index(result.base_band))}</div>"
            f"<div><b>② 客户级别表</b>{table_html(['综合得分', '客户级别'], final_rows, grading.FINAL_BANDS.index(result.final_band))}</div>"
            "</div>"
        )
        return summary + tables

    def load_example(self) -> None:
        """Fill in the textbook's worked example (50 万元, +3 +2 +3 +2 → 20 分, D 级)."""
        self._set(TEXTBOOK_EXAMPLE["order_amount"], TEXTBOOK_EXAMPLE["bonuses"],
                  TEXTBOOK_EXAMPLE["penalties"])

    def reset(self) -> None:
        self._set("", {}, {})

    def _set(self, amount: str, bonuses: dict, penalties: dict) -> None:
        with self.hold_trait_notifications():
            for key, slider in self.bonus.items():
                slider.value = bonuses.get(key, 0)
            for key, slider in self.penalty.items():
                slider.value = penalties.get(key, 0)
            self.amount.value = amount
        self.update()
