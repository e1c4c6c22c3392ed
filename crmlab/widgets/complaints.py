"""投诉处理排序: put the eight complaint-handling steps in order with ↑/↓ buttons."""

from __future__ import annotations

import random
from numbers import Integral

import ipywidgets as widgets

from crmlab.rules import complaints
from crmlab.rules.checks import CourseInputError
from crmlab.widgets._base import esc, guarded, heading, message, show_in_output, table_html


def shuffled_steps(seed: int) -> list[str]:
    """The step keys shuffled by ``seed``; never already in the right order."""
    rng = random.Random(seed)
    order = list(complaints.CORRECT_ORDER)
    while tuple(order) == complaints.CORRECT_ORDER:
        rng.shuffle(order)
    return order


class ComplaintSorter(widgets.VBox):
    """The steps shuffled (by ``seed``), one row each with ↑ and ↓; 「检查顺序」 marks the
    order with :func:`crmlab.rules.complaints.check_order`.

    ``.order`` is the current list of step keys, ``.move_up(i)`` / ``.move_down(i)`` move row
    ``i`` (from 0), ``.check()`` fills ``.output`` and ``.result`` (the
    :class:`crmlab.rules.complaints.OrderFeedback`; ``None`` before a check and after any move).
    """

    def __init__(self, seed: int = 0):
        self.start = shuffled_steps(seed)
        self.order: list[str] = list(self.start)
        size = len(self.order)
        self.titles = [widgets.HTML(layout=widgets.Layout(width="16em")) for _ in range(size)]
        self.marks = [widgets.HTML(layout=widgets.Layout(width="2em")) for _ in range(size)]
        self.up_buttons = [widgets.Button(description="↑", tooltip="上移",
                                          layout=widgets.Layout(width="3em"))
                           for _ in range(size)]
        self.down_buttons = [widgets.Button(description="↓", tooltip="下移",
                                            layout=widgets.Layout(width="3em"))
                             for _ in range(size)]
        for i in range(size):
            self.up_buttons[i].on_click(lambda _, i=i: self.move_up(i))
            self.down_buttons[i].on_click(lambda _, i=i: self.move_down(i))
        self.up_buttons[0].disabled = True
        self.down_buttons[-1].disabled = True
        self.check_button = widgets.Button(description="检查顺序", icon="check",
                                           button_style="primary")
        self.reset_button = widgets.Button(description="重新开始", icon="refresh")
        self.output = widgets.HTML()
        self.result: complaints.OrderFeedback | None = None
        self.check_button.on_click(lambda _: self.check())
        self.reset_button.on_click(lambda _: self.reset())

        rows = [
            widgets.HBox([widgets.HTML(f"<b>{i + 1}.</b>", layout=widgets.Layout(width="2em")),
                          self.titles[i], self.up_buttons[i], self.down_buttons[i],
                          self.marks[i]])
            for i in range(size)
        ]
        super().__init__([
            heading("客户投诉处理步骤排序"),
            widgets.HTML(f"<p>下面是处理客户投诉的 {size} 个步骤，顺序被打乱了。"
                         "用 ↑ ↓ 按钮把它们排成正确的先后顺序，再点「检查顺序」。</p>"),
            *rows,
            widgets.HBox([self.check_button, self.reset_button]),
            self.output,
        ])
        self.add_class("crm-complaint-sorter")
        self._show_rows()

    def _show_rows(self) -> None:
        for title, key in zip(self.titles, self.order):
            title.value = esc(complaints.STEP_BY_KEY[key].title)
        for mark in self.marks:
            mark.value = ""

    _show_error = show_in_output

    def _row(self, i: object) -> int:
        if isinstance(i, bool) or not isinstance(i, Integral) or not 0 <= i < len(self.order):
            raise CourseInputError(
                f"「行号」应为 0～{len(self.order) - 1} 之间的整数，现在是：{i!r}", "行号"
            )
        return int(i)

    def _swap(self, i: int, j: int) -> None:
        if 0 <= j < len(self.order):
            self.order[i], self.order[j] = self.order[j], self.order[i]
        self.result = None
        self.output.value = ""
        self._show_rows()

    @guarded(_show_error)
    def move_up(self, i: int) -> None:
        """Swap row ``i`` with the row above it (the first row stays)."""
        row = self._row(i)
        self._swap(row, row - 1)

    @guarded(_show_error)
    def move_down(self, i: int) -> None:
        """Swap row ``i`` with the row below it (the last row stays)."""
        row = self._row(i)
        self._swap(row, row + 1)

    @guarded(_show_error)
    def update(self, _change=None) -> None:
        """Mark the current order."""
        feedback = complaints.check_order(self.order)
        for mark, ok in zip(self.marks, feedback.position_correct):
            mark.value = "<span style='color:#1b7837'>✔</span>" if ok else (
                "<span style='color:#b2182b'>✘</span>")
        self.result = feedback
        self.output.value = self.render(feedback)

    def check(self) -> None:
        """The 「检查顺序」 button."""
        self.update()

    @staticmethod
    def render(feedback: complaints.OrderFeedback) -> str:
        if feedback.correct:
            rows = [[str(s.order), esc(s.title), esc(s.explanation)] for s in complaints.STEPS]
            return (f"<p class='crm-summary'>{message(feedback.summary, 'ok')}</p>"
                    + table_html(["步骤", "做什么", "要点"], rows))
        run = ""
        if len(feedback.longest_run) > 1:
            steps = " → ".join(complaints.STEP_BY_KEY[key].title for key in feedback.longest_run)
            run = f"<p>已经排对的一段：{esc(steps)}</p>"
        hints = "".join(f"<li>{esc(hint)}</li>" for hint in feedback.hints)
        return (f"<p class='crm-summary'>{message(feedback.summary, 'info')}</p>{run}"
                f"<p><b>提示</b></p><ul>{hints}</ul>")

    def reset(self) -> None:
        """The 「重新开始」 button: back to the starting shuffle."""
        self.order = list(self.start)
        self.result = None
        self.output.value = ""
        self._show_rows()
