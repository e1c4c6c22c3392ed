"""计算题: a self-checking numeric exercise.

The expected ``answer`` is computed in the notebook by calling a crmlab model (e.g.
``grading.grade_customer(...).score``), so no notebook types the number by hand. The checking
(:func:`crmlab.rules.checking.check_number`, :func:`crmlab.exercises.coding.check`) and the
counting of tries (:class:`crmlab.rules.checking.Attempts`) happen in the rules; the widgets
only show their results.
"""

from __future__ import annotations

import ipywidgets as widgets

from crmlab.exercises import coding, numeric
from crmlab.rules import checking
from crmlab.rules.checking import ANSWER_LABEL, Attempts
from crmlab.rules.checks import as_number
from crmlab.widgets._base import Checked, esc, guarded, heading, message, outcome_message


def format_number(value: float) -> str:
    """A number as a student would write it: thousands commas, at most 4 decimals."""
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def check_buttons() -> tuple[widgets.Button, widgets.Button, widgets.Button]:
    """The 「核对」, 「提示」 and (hidden until wrong tries) 「查看答案」 buttons of an exercise."""
    return (widgets.Button(description="核对", icon="check", button_style="primary"),
            widgets.Button(description="提示", icon="lightbulb-o"),
            widgets.Button(description="查看答案", icon="eye", layout=widgets.Layout(display="none")))


class NumberExercise(Checked, widgets.VBox):
    """A prompt, a box for the answer, and 「核对」/「提示」 buttons.

    ``.check()`` checks the box with :func:`crmlab.rules.checking.check_number` and sets
    ``.result`` (the :class:`crmlab.rules.checking.Result`), ``.outcome`` and ``.feedback``;
    within ``tolerance`` of ``answer`` is correct (``relative=True``: a fraction of the answer,
    e.g. 0.01 for 1 %). The answer is shown only by ``.reveal()``, whose button appears after
    ``checking.REVEAL_AFTER`` wrong tries.
    """

    def __init__(
        self,
        prompt: str,
        answer: float,
        *,
        unit: str = "",
        tolerance: float = 0.01,
        relative: bool = False,
        hint: str | None = None,
        explanation: str | None = None,
        title: str = "计算题",
    ):
        self.answer = as_number(answer, "标准答案")
        self.tolerance = as_number(tolerance, "允许误差", minimum=0)
        self.relative = bool(relative)
        self.unit = unit
        self.hint_text = hint
        self.explanation = explanation
        self.prompt = widgets.HTML(f"<p>{prompt}</p>")
        self.box = widgets.Text(description=ANSWER_LABEL, placeholder="填写数字",
                                layout=widgets.Layout(width="18em"))
        self.unit_label = widgets.HTML(esc(unit))
        self.check_button, self.hint_button, self.reveal_button = check_buttons()
        self.feedback = widgets.HTML()
        self.hint_html = widgets.HTML()
        self.solution = widgets.HTML()
        self.result: checking.Result | None = None
        self.attempts = Attempts()

        self.check_button.on_click(lambda _: self.check())
        self.hint_button.on_click(lambda _: self.hint())
        self.reveal_button.on_click(lambda _: self.reveal())
        if hint is None:
            self.hint_button.layout.display = "none"
        super().__init__([
            heading(title),
            self.prompt,
            widgets.HBox([self.box, self.unit_label, self.check_button, self.hint_button,
                          self.reveal_button]),
            self.feedback,
            self.hint_html,
            self.solution,
        ])
        self.add_class("crm-number-exercise")

    def _show_error(self, text: str) -> None:
        self.result = None
        self.feedback.value = text

    @guarded(_show_error)
    def update(self, _change=None) -> None:
        """Check the box against the answer and show the verdict."""
        result = checking.check_number(self.box.value, self.answer, tolerance=self.tolerance,
                                       relative=self.relative, unit=self.unit,
                                       explanation=self.explanation)
        self.result = result
        self.attempts.record(result)
        extra = f" {esc(result.explanation)}" if result.explanation else ""
        self.feedback.value = outcome_message(result) + extra
        if self.attempts.reveal_due:
            self.reveal_button.layout.display = None

    def check(self) -> None:
        """The 「核对」 button."""
        self.update()

    def hint(self) -> None:
        """The 「提示」 button."""
        self.hint_html.value = message(self.hint_text or "这道题没有提示。", "info")

    def reveal(self) -> None:
        """The 「查看答案」 button: the answer and the explanation."""
        unit = f" {esc(self.unit)}" if self.unit else ""
        extra = f"<br>{esc(self.explanation)}" if self.explanation else ""
        self.solution.value = (f"<p>参考答案：<b class='crm-answer'>{format_number(self.answer)}"
                               f"</b>{unit}{extra}</p>")


def notebook_namespace() -> dict:
    """The running notebook's variables (IPython's ``user_ns``); outside a kernel, none."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return {}
    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


class CodeExercise(Checked, widgets.VBox):
    """代码题: the prompt and a check of the student's own variable or function.

    Shown right after the student's code cell, it checks at once and again on 「核对」; the
    namespace is the notebook's (or the one given, e.g. ``globals()`` or a test's dict).
    ``.check()`` sets ``.result`` (a :class:`crmlab.rules.checking.Result`) and ``.outcome``
    and returns the widget, ``.hint()`` / ``.hint(2)`` show the tiered hints, ``.solution()``
    the reference code and the explanation; its button appears after
    ``checking.REVEAL_AFTER`` wrong checks.
    """

    def __init__(self, data: coding.CodeExerciseData, namespace: dict | None = None):
        self.data = data
        self.exercise_id = data.id
        self.namespace = namespace
        self.result: checking.Result | None = None
        self.attempts = Attempts()
        self.hints_shown = 0
        self.prompt = widgets.HTML(f"<p>{esc(data.prompt)}</p>")
        self.check_button, self.hint_button, self.reveal_button = check_buttons()
        self.feedback = widgets.HTML()
        self.hint_html = widgets.HTML()
        self.solution_html = widgets.HTML()
        self.check_button.on_click(lambda _: self.check())
        self.hint_button.on_click(lambda _: self.hint())
        self.reveal_button.on_click(lambda _: self.solution())
        super().__init__([
            heading(data.title), self.prompt,
            widgets.HBox([self.check_button, self.hint_button, self.reveal_button]),
            self.feedback, self.hint_html, self.solution_html,
        ])
        self.add_class("crm-code-exercise")
        self.check()

    def _show_error(self, text: str) -> None:
        self.result = None
        self.feedback.value = text

    @guarded(_show_error)
    def check(self, namespace: dict | None = None) -> CodeExercise:
        """Check the student's name in ``namespace`` (default: the notebook's variables)."""
        if namespace is not None:
            self.namespace = namespace
        found = self.namespace if self.namespace is not None else notebook_namespace()
        result = coding.check(self.data, found)
        self.result = result
        self.attempts.record(result)
        self.feedback.value = f"<b>{esc(result.label)}</b>　" + outcome_message(result)
        if self.attempts.reveal_due:
            self.reveal_button.layout.display = None
        return self

    def hint(self, level: int | None = None) -> CodeExercise:
        """The next hint (or hint number ``level``), one tier at a time."""
        self.hints_shown = level if level is not None else self.hints_shown + 1
        self.hint_html.value = message(coding.hint(self.data, self.hints_shown), "info")
        return self

    def solution(self) -> CodeExercise:
        """The reference code and the explanation."""
        self.solution_html.value = (f"<p>参考答案：</p><pre class='crm-answer'>{esc(self.data.solution)}"
                                    f"</pre><p>{esc(self.data.explanation)}</p>")
        self.reveal_button.layout.display = None
        return self


class Exercise(NumberExercise):
    """An exercise of the lesson's exercise file, by id: ``Exercise("L02-E01")``.

    The prompt, unit, hint and explanation come from ``banks/exercisesNN.yml`` and the
    answer from the course model the file names (:mod:`crmlab.exercises.numeric`), so a lesson shows
    one short line and no answer. An unknown id raises a Chinese :class:`CourseInputError`.
    A code exercise's id (``Exercise("L03-C01")``) gives a :class:`CodeExercise` that checks
    the notebook's variables.
    """

    def __new__(cls, exercise_id: str, *args, **kwargs):
        data = numeric.exercise(exercise_id)
        if isinstance(data, coding.CodeExerciseData):
            return CodeExercise(data)
        return super().__new__(cls, exercise_id, *args, **kwargs)

    def __init__(self, exercise_id: str):
        data = numeric.exercise(exercise_id)
        self.exercise_id = data.id
        super().__init__(data.prompt, data.answer, unit=data.unit, tolerance=data.tolerance,
                         relative=data.relative, hint=data.hint, explanation=data.explanation,
                         title=data.title)
