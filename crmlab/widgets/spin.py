"""SPIN 提问练习: sort bank questions into S/P/I/N, and get a review of your own script.

Both widgets wrap :mod:`crmlab.rules.spin` and the question bank of
:mod:`crmlab.exercises.spin_bank`: the types, the questions, the choice of questions, the
marking, the reading of a typed script and its review all come from there.
"""

from __future__ import annotations

from numbers import Integral

import ipywidgets as widgets

from crmlab.exercises import spin_bank
from crmlab.rules import spin
from crmlab.rules.checking import Marking
from crmlab.rules.checks import CourseInputError
from crmlab.widgets._base import (
    badge,
    esc,
    guarded,
    heading,
    message,
    show_in_output,
    table_html,
)
from crmlab.widgets._sorter import ChoiceSorter

TYPE_COLORS = {"S": "#2166ac", "P": "#b35806", "I": "#b2182b", "N": "#1b7837"}


def type_badge(key: str) -> str:
    """A coloured pill with the type letter and its Chinese name, e.g. ``S 背景问题``."""
    return badge(f"{key} {spin.TYPE_BY_KEY[key].name}", TYPE_COLORS[key])


def types_legend() -> str:
    """The four types, their purpose and a typical opening, as a small table."""
    rows = [[type_badge(t.key), esc(t.purpose), esc(t.opening)] for t in spin.TYPES]
    return table_html(["类型", "目的", "典型问法"], rows)


class SpinSorter(ChoiceSorter):
    """分类练习: label ``count`` bank questions as S/P/I/N, then check them.

    ``.choices`` maps question id → its ``ToggleButtons`` (``None`` until chosen);
    ``.check()`` (the 「检查答案」 button) marks them with :func:`crmlab.rules.spin.score_labelling`;
    ``.result`` holds the :class:`crmlab.rules.checking.Marking` (``None`` before a check and
    after any change); ``.feedback`` maps question id → its feedback ``HTML``.
    """

    def __init__(self, scenario: str | None = None, count: int = 8, seed: int = 0):
        self.scenario = spin_bank.GOODYEAR_SCENARIO if scenario is None else scenario
        bank = spin_bank.load_bank(self.scenario)
        if isinstance(count, bool) or not isinstance(count, Integral) or not 1 <= count <= len(
            bank
        ):
            raise CourseInputError(
                f"「题数」应为 1～{len(bank)} 之间的整数，现在是：{count!r}", "题数"
            )
        self.questions = spin.pick_questions(bank, int(count), seed)
        self._build_choices([q.id for q in self.questions], [t.key for t in spin.TYPES],
                            tooltips=[t.label for t in spin.TYPES])
        rows = [
            widgets.VBox([
                widgets.HTML(f"<b>{number}.</b> {esc(q.text)}"),
                widgets.HBox([self.choices[q.id], self.feedback[q.id]]),
            ], layout=widgets.Layout(margin="0 0 0.6em 0"))
            for number, q in enumerate(self.questions, start=1)
        ]
        description = spin_bank.scenarios()[self.scenario]
        super().__init__([
            heading("SPIN 分类练习"),
            widgets.HTML(f"<p>情境：{esc(description)}</p>"
                         f"<p>判断下面每个问题属于哪一类，点选 S、P、I 或 N。</p>"
                         f"<details><summary>四类问题是什么？</summary>{types_legend()}</details>"),
            *rows,
            self.buttons,
            self.output,
        ])
        self.add_class("crm-spin-sorter")

    def _mark(self, answers: dict[str, object]) -> Marking:
        return spin.score_labelling(answers, spin_bank.questions(), question_ids=list(self.choices))


# ------------------------------------------------------------------------------ the coach

class SpinScriptCoach(widgets.VBox):
    """SPIN 提问脚本: write one question a line (``S：…``), get it reviewed by
    :func:`crmlab.rules.spin.review_script`.

    ``.script`` is the ``Textarea``; ``.review()`` fills ``.output`` and ``.result`` (a
    :class:`crmlab.rules.spin.ScriptFeedback`, ``None`` while a line is unreadable);
    ``.show_model()`` fills ``.model_output``. The model script is the one hw04 asks students
    to write, so its button is shown only with ``show_model=True`` (for a teacher after the
    homework is in), never in the lesson.
    """

    def __init__(self, script: str = "", show_model: bool = False):
        self.script = widgets.Textarea(
            value=script,
            placeholder="S：贵公司目前……？\nP：在……方面有没有遇到困难？\nI：这会对……造成什么影响？\n"
                        "N：如果能……，对您有什么帮助？",
            layout=widgets.Layout(width="95%", height="12em"),
        )
        self.script_error = widgets.HTML()
        self.review_button = widgets.Button(description="点评我的脚本", icon="comments",
                                            button_style="primary")
        self.model_button = widgets.Button(description="查看示范脚本", icon="eye")
        self.output = widgets.HTML()
        self.model_output = widgets.HTML()
        self.result: spin.ScriptFeedback | None = None

        self.review_button.on_click(lambda _: self.review())
        self.model_button.on_click(lambda _: self.show_model())

        description = spin_bank.scenarios()[spin_bank.GOODYEAR_SCENARIO]
        super().__init__([
            heading("SPIN 提问脚本"),
            widgets.HTML(
                f"<p>{esc(description)}</p><p>把你准备在拜访中提出的问题按顺序写下来："
                f"每行一个问题，行首写类型字母和冒号，例如「S：……」"
                f"（S、P、I、N 大小写均可，冒号用中文或英文都行）。</p>"
                f"<details><summary>四类问题是什么？</summary>{types_legend()}</details>"
            ),
            self.script,
            self.script_error,
            widgets.HBox([self.review_button, *([self.model_button] if show_model else [])]),
            self.output,
            self.model_output,
        ])
        self.add_class("crm-spin-script")

    _show_error = show_in_output

    def _show_model_error(self, text: str) -> None:
        self.model_output.value = text

    @guarded(_show_error)
    def update(self, _change=None) -> None:
        """Review the script in the box."""
        pairs, problems = spin.parse_script(self.script.value)
        if problems:
            self.script_error.value = "<br>".join(message(p) for p in problems)
            self._show_error(message("请先改正上面标出的行，再点评。", "info"))
            return
        self.script_error.value = ""
        feedback = spin.review_script(pairs)
        self.result = feedback
        self.output.value = self.render(feedback)

    def review(self) -> None:
        """The 「点评我的脚本」 button."""
        self.update()

    @staticmethod
    def render(feedback: spin.ScriptFeedback) -> str:
        counts = table_html(
            ["类型", "数量"],
            [[type_badge(t.key), f"<span class='crm-count-{t.key}'>{feedback.counts[t.key]}"
              "</span>"] for t in spin.TYPES]
            + [["合计", str(feedback.total)]],
        )
        parts = [f"<p><b>各类问题的数量</b></p>{counts}"]
        if feedback.total:
            if feedback.follows_order:
                verdict = message("提问顺序符合 S→P→I→N。", "ok")
            else:
                where = "、".join(str(p) for p in feedback.order_breaks)
                verdict = message(f"提问顺序有 {len(feedback.order_breaks)} 处颠倒"
                                  f"（第 {where} 个问题）。", "error")
            parts.append(f"<p class='crm-order'>{verdict}</p>")
        if feedback.warnings:
            items = "".join(f"<li>{message(text, 'warn')}</li>" for text in feedback.messages)
            parts.append(f"<p><b>建议</b></p><ul class='crm-warnings'>{items}</ul>")
        elif feedback.total:
            parts.append(f"<p>{message('没有发现问题，脚本结构很好。', 'ok')}</p>")
        hints = [
            f"<li>第 {item.position} 个问题你标为 {item.type}，从措辞看更像"
            f"{esc(spin.TYPE_BY_KEY[item.hint].name)}：{esc(item.text)}</li>"
            for item in feedback.items
            if item.hint is not None and item.hint != item.type
        ]
        if hints:
            parts.append(
                "<p><b>措辞提示</b>（按关键词推测，仅供参考，不算错）</p>"
                f"<ul style='color:#555'>{''.join(hints)}</ul>"
            )
        return "".join(parts)

    @guarded(_show_model_error)
    def show_model(self) -> None:
        """The 「查看示范脚本」 button: the bank's model script, each question with its type."""
        rows = [[str(number), type_badge(q.type), esc(q.text)]
                for number, q in enumerate(spin_bank.model_script(), start=1)]
        self.model_output.value = (
            f"<p><b>示范脚本</b>（{esc(spin_bank.GOODYEAR_SCENARIO)}）</p>"
            + table_html(["序号", "类型", "问题"], rows)
        )
