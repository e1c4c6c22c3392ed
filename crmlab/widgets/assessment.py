"""考核评价表: the group assessment form with 自评、互评、师评 and a live weighted total."""

from __future__ import annotations

import ipywidgets as widgets

from crmlab.rules import assessment
from crmlab.rules.checks import CourseInputError, as_number, parse_number
from crmlab.widgets._base import esc, guarded, heading, message, show_in_output

CELL = widgets.Layout(padding="2px 6px")


def _cell(text: str, bold: bool = False) -> widgets.HTML:
    body = f"<b>{esc(text)}</b>" if bold else esc(text)
    return widgets.HTML(body, layout=CELL)


class AssessmentForm(widgets.VBox):
    """One row per item of :data:`crmlab.rules.assessment.ITEMS` (category, item, maximum) and one
    box per rater of :data:`crmlab.rules.assessment.RATERS`; totals per rater and the overall mark
    come from :func:`crmlab.rules.assessment.score_form` as the boxes are filled.

    ``.boxes[(rater_key, item_key)]`` is each ``Text`` box, ``.errors[...]`` the message
    beside it; ``.result`` holds the :class:`crmlab.rules.assessment.AssessmentResult` once every
    box holds a valid mark (``None`` before).
    """

    def __init__(self, marks: dict[str, dict[str, float]] | None = None):
        start = marks or {}
        self.boxes: dict[tuple[str, str], widgets.Text] = {}
        self.errors: dict[tuple[str, str], widgets.HTML] = {}
        for rater in assessment.RATERS:
            for item in assessment.ITEMS:
                value = start.get(rater.key, {}).get(item.key, "")
                self.boxes[rater.key, item.key] = widgets.Text(
                    value=str(value), placeholder=f"0–{item.points}",
                    layout=widgets.Layout(width="5.5em"),
                )
                self.errors[rater.key, item.key] = widgets.HTML()
        self.totals = {rater.key: widgets.HTML(layout=CELL) for rater in assessment.RATERS}
        self.output = widgets.HTML()
        self.result: assessment.AssessmentResult | None = None
        for box in self.boxes.values():
            box.observe(self.update, names="value")

        categories = {c.key: c for c in assessment.CATEGORIES}
        cells: list[widgets.Widget] = [
            _cell(text, bold=True)
            for text in ("类别", "项目", "满分", *(r.label for r in assessment.RATERS))
        ]
        shown_category = None
        for item in assessment.ITEMS:
            category = categories[item.category]
            label = (f"{category.label}（{category.points} 分）"
                     if category.key != shown_category else "")
            shown_category = category.key
            cells += [_cell(label), widgets.HTML(
                f"<span title='{esc(item.criterion)}'>{esc(item.label)}</span>", layout=CELL,
            ), _cell(str(item.points))]
            cells += [widgets.VBox([self.boxes[r.key, item.key], self.errors[r.key, item.key]])
                      for r in assessment.RATERS]
        cells += [_cell("合计", bold=True), _cell(""),
                  _cell(str(assessment.TOTAL_POINTS), bold=True),
                  *(self.totals[r.key] for r in assessment.RATERS)]
        self.grid = widgets.GridBox(cells, layout=widgets.Layout(
            grid_template_columns=f"9em 9em 3em repeat({len(assessment.RATERS)}, 11em)",
        ))
        weights = " ＋ ".join(f"{r.label} × {r.weight}%" for r in assessment.RATERS)
        super().__init__([
            heading("考核评价表"),
            widgets.HTML(f"<p>每项填写得分（不超过该项满分）。综合得分 ＝ {esc(weights)}。"
                         "把鼠标停在项目名上可以看到评价标准。</p>"),
            self.grid,
            self.output,
        ])
        self.add_class("crm-assessment-form")
        self.update()

    _show_error = show_in_output

    def _read(self) -> tuple[dict[str, dict[str, float]], dict[str, int], int]:
        """The valid marks per rater, the number of blank boxes per rater, and how many boxes
        hold something that is not a valid mark (each gets its message beside it)."""
        marks: dict[str, dict[str, float]] = {r.key: {} for r in assessment.RATERS}
        blanks = dict.fromkeys(marks, 0)
        invalid = 0
        for (rater, key), box in self.boxes.items():
            item = assessment.ITEM_BY_KEY[key]
            label = f"{assessment.RATER_BY_KEY[rater].label}·{item.label}"
            try:
                value = parse_number(box.value, label, blank_ok=True)
            except CourseInputError:
                self.errors[rater, key].value = message(f"请填数字（满分 {item.points} 分）")
                invalid += 1
                continue
            try:
                if value is not None:
                    as_number(value, label, minimum=0, maximum=item.points)
            except CourseInputError:
                self.errors[rater, key].value = message(
                    f"应在 0～{item.points} 分之间（满分 {item.points} 分）")
                invalid += 1
                continue
            self.errors[rater, key].value = ""
            if value is None:
                blanks[rater] += 1
            else:
                marks[rater][key] = value
        return marks, blanks, invalid

    @guarded(_show_error)
    def update(self, _change=None) -> None:
        marks, blanks, invalid = self._read()
        for rater in assessment.RATERS:
            form = marks[rater.key]
            if len(form) == len(assessment.ITEMS):
                # One complete form scored on its own: its total is that form's total.
                total = assessment.score_form(form, form, form).totals[rater.key]
                self.totals[rater.key].value = f"<b class='crm-total'>{total:g}</b> 分"
            elif blanks[rater.key]:
                self.totals[rater.key].value = message(f"还有 {blanks[rater.key]} 项未填写", "info")
            else:
                self.totals[rater.key].value = message("请改正标出的分数")
        missing = sum(blanks.values())
        if invalid:
            self._show_error(message(f"有 {invalid} 个分数不对，请按提示改正。"))
            return
        if missing:
            self._show_error(message(f"还有 {missing} 项未填写，填完后计算综合得分。", "info"))
            return
        result = assessment.score_form(marks["self"], marks["peer"], marks["teacher"])
        self.result = result
        self.output.value = self.render(result)

    @staticmethod
    def render(result: assessment.AssessmentResult) -> str:
        parts = " ＋ ".join(
            f"{r.label} {result.totals[r.key]:g} × {r.weight}%" for r in assessment.RATERS
        )
        return (f"<p>综合得分 ＝ {esc(parts)} ＝ "
                f"<b class='crm-overall'>{result.overall_display}</b> 分"
                f"（满分 {assessment.TOTAL_POINTS} 分）</p>")
