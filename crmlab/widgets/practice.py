"""实训练习: sort a report's paragraphs into 开头 / 正文 / 结尾, and score an oral exchange.

Both widgets are views over :mod:`crmlab.rules.practice`: the parts of a report, the example
paragraphs, the rubric's criteria and points, the marking and the totals all come from there.
"""

from __future__ import annotations

import ipywidgets as widgets

from crmlab.rules import practice
from crmlab.rules.checking import Marking
from crmlab.rules.checks import CourseInputError, parse_number
from crmlab.widgets._base import (
    COLORS,
    esc,
    guarded,
    heading,
    message,
    show_in_output,
    table_html,
)
from crmlab.widgets.labelling import LabelSorter

CELL = widgets.Layout(padding="2px 6px")


def parts_legend() -> str:
    """The three parts of a report, their task and requirements, as a small table."""
    rows = [[f"<b>{esc(p.label)}</b>", esc(p.task), esc("；".join(p.requirements))]
            for p in practice.REPORT_PARTS]
    return table_html(["部分", "做什么", "写好的要求"], rows)


class ReportSorter(LabelSorter):
    """报告结构练习: mark each paragraph of the example report 开头, 正文 or 结尾, then check.

    ``.items`` are the paragraphs as shown; ``.check()`` marks them with
    :func:`crmlab.rules.practice.mark_structure`; when every paragraph is right, ``.report`` shows
    the report in order.
    """

    unit = "段"

    def __init__(self, seed: int = 0):
        self.report = widgets.HTML()
        super().__init__(
            practice.REPORT_EXAMPLE, practice.PART_OPTIONS,
            lambda answers, ids: practice.mark_structure(answers, paragraph_ids=ids),
            title=f"报告结构练习：《{practice.REPORT_TITLE}》",
            intro=("<p>下面是一篇走访报告，段落被打乱了。判断每一段属于报告的哪一部分，"
                   "点选「开头」「正文」或「结尾」，再点「检查答案」。</p>"
                   f"<details><summary>三个部分各做什么？</summary>{parts_legend()}</details>"),
            item_name="第 {n} 段", seed=seed, extra=[self.report],
        )
        self.add_class("crm-report-sorter")

    def _show_error(self, text: str) -> None:
        super()._show_error(text)
        self.report.value = ""

    def _after_check(self, result: Marking) -> None:
        self.report.value = self.render_report(result) if result.correct == result.total else ""

    def _after_reset(self) -> None:
        self.report.value = ""

    @staticmethod
    def render_report(result: Marking) -> str:
        """The marked paragraphs in the report's order, under their part's name."""
        paragraphs = practice.report_in_order(item.id for item in result.items)
        blocks = []
        for part in practice.REPORT_PARTS:
            texts = "".join(f"<p>{esc(p.text)}</p>" for p in paragraphs if p.answer == part.key)
            blocks.append(f"<h5 style='margin:0.4em 0 0.2em'>{esc(part.label)}</h5>{texts}")
        return (f"<div class='crm-report' style='border-left:3px solid {COLORS['ok']};"
                f"padding-left:0.8em'><h4>{esc(practice.REPORT_TITLE)}</h4>{''.join(blocks)}</div>")


def _cell(text: str, bold: bool = False) -> widgets.HTML:
    return widgets.HTML(f"<b>{esc(text)}</b>" if bold else esc(text), layout=CELL)


class ExchangeScoreForm(widgets.VBox):
    """交流训练评分表: one box per criterion of :data:`crmlab.rules.practice.CRITERIA` (dimension,
    tier, criterion, maximum); the totals come from :func:`crmlab.rules.practice.score_exchange` once
    every box holds a valid mark.

    ``.boxes[key]`` is each criterion's ``Text`` box and ``.errors[key]`` the message beside
    it; ``.result`` holds the :class:`crmlab.rules.practice.ExchangeResult` (``None`` until the form
    is complete and valid).
    """

    def __init__(self, marks: dict[str, float] | None = None, title: str = "交流训练评分表"):
        start = marks or {}
        self.boxes: dict[str, widgets.Text] = {}
        self.errors: dict[str, widgets.HTML] = {}
        for criterion in practice.CRITERIA:
            self.boxes[criterion.key] = widgets.Text(
                value=str(start.get(criterion.key, "")), placeholder=f"0–{criterion.points}",
                layout=widgets.Layout(width="5.5em"),
            )
            self.errors[criterion.key] = widgets.HTML()
        self.output = widgets.HTML()
        self.result: practice.ExchangeResult | None = None
        for box in self.boxes.values():
            box.observe(self.update, names="value")

        cells: list[widgets.Widget] = [_cell(text, bold=True)
                                       for text in ("维度", "层次", "评价标准", "满分", "得分")]
        shown = None
        for c in practice.CRITERIA:
            dimension = practice.DIMENSION_BY_KEY[c.dimension]
            label = f"{dimension.label}（{dimension.points} 分）" if c.dimension != shown else ""
            shown = c.dimension
            advice = esc("；".join(dimension.advice))
            cells += [widgets.HTML(f"<span title='{advice}'>{esc(label)}</span>", layout=CELL),
                      _cell(practice.TIERS[c.tier]), _cell(c.label),
                      _cell(str(c.points)),
                      widgets.HBox([self.boxes[c.key], self.errors[c.key]])]
        self.grid = widgets.GridBox(cells, layout=widgets.Layout(
            grid_template_columns="11em 6em 10em 4em 18em"))
        super().__init__([
            heading(title),
            widgets.HTML("<p>每项按表现打分：完全做到给满分，没有完全做到的酌情扣分。"
                         "全部填完后显示各维度小计和总分。把鼠标停在维度名上，"
                         "可以看到这个维度要注意什么。</p>"),
            self.grid,
            self.output,
        ])
        self.add_class("crm-exchange-form")
        self.update()

    _show_error = show_in_output

    def _read(self) -> tuple[dict[str, float], int, int]:
        """The valid marks, the number of blank boxes, and how many boxes hold something that
        is not a valid mark (each gets its message beside it)."""
        marks: dict[str, float] = {}
        blanks = invalid = 0
        for key, box in self.boxes.items():
            criterion = practice.CRITERION_BY_KEY[key]
            try:
                value = parse_number(box.value, criterion.label, blank_ok=True)
                if value is not None:
                    marks[key] = practice.check_mark(value, key)
            except CourseInputError:
                self.errors[key].value = message(f"请填 0～{criterion.points} 的分数")
                invalid += 1
                continue
            self.errors[key].value = ""
            blanks += value is None
        return marks, blanks, invalid

    @guarded(_show_error)
    def update(self, _change=None) -> None:
        marks, blanks, invalid = self._read()
        if invalid:
            self._show_error(message(f"有 {invalid} 个分数不对，请按提示改正。"))
            return
        if blanks:
            self._show_error(message(f"还有 {blanks} 项未填写，填完后计算总分。", "info"))
            return
        result = practice.score_exchange(marks)
        self.result = result
        self.output.value = self.render(result)

    def fill(self, marks: dict[str, float]) -> None:
        """Put a whole form's marks into the boxes (e.g. a reference scoring), then total it."""
        for key, value in marks.items():
            self.boxes[key].value = f"{value:g}"
        self.update()

    @staticmethod
    def render(result: practice.ExchangeResult) -> str:
        rows = [[esc(d.label), f"{result.dimension_totals[d.key]:g}", str(d.points)]
                for d in practice.DIMENSIONS]
        tiers = "，".join(f"{label} {result.tier_totals[key]:g} / {practice.TIER_POINTS[key]} 分"
                         for key, label in practice.TIERS.items())
        return (table_html(["维度", "得分", "满分"], rows)
                + f"<p>总分：<b class='crm-total'>{result.total:g}</b> 分"
                  f"（满分 {practice.TOTAL_POINTS} 分；其中{esc(tiers)}）</p>")
