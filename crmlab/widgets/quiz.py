"""测验: a lesson's self-check questions, each with 「提交」 and 「提示」, and a running score.

Questions, answers and the checking all come from :mod:`crmlab.exercises.quiz`; each student
sees the options in an order of their own (:mod:`crmlab.exercises.order`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets

from crmlab.exercises import order, quiz
from crmlab.rules.checking import Attempts, Marking, Outcome
from crmlab.rules.checks import CourseInputError
from crmlab.widgets._base import Checked, esc, guarded, heading, message, outcome_message

UNANSWERED_TEXT = "请先作答。"


class QuizItem(Checked, widgets.VBox):
    """One question: its control, 「提交」 and 「提示」, and the feedback beside them.

    ``.control`` is a ``RadioButtons`` (single choice), a ``VBox`` of the ``Checkbox`` es in
    ``.checkboxes`` (multiple choice; letter → checkbox) or a ``ToggleButtons`` 正确/错误
    (true/false); ``.response`` reads it. ``.submit()`` checks it with
    :func:`crmlab.exercises.quiz.check` and sets ``.result`` (the
    :class:`crmlab.exercises.quiz.Feedback`), ``.outcome`` and ``.feedback``; ``.submitted`` is
    the response last submitted. ``.attempts`` (a :class:`crmlab.rules.checking.Attempts`)
    keeps ``.first_submitted``, the first real try (not blank, not unreadable), which the quiz
    scores, and ``.wrong_tries``; the explanation shows with a correct answer or with the
    ``checking.REVEAL_AFTER``-th wrong try.
    """

    def __init__(self, question: quiz.Question, number: int,
                 on_submit: Callable[[], None] | None = None):
        self.question = question
        self.on_submit = on_submit
        self.checkboxes: dict[str, widgets.Checkbox] = {}
        if question.kind == "single":
            self.control: widgets.Widget = widgets.RadioButtons(
                options=[(f"{letter}. {text}", letter)
                         for letter, text in zip(question.letters, question.options)],
                value=None, layout=widgets.Layout(width="auto"),
            )
        elif question.kind == "multiple":
            self.checkboxes = {
                letter: widgets.Checkbox(value=False, description=f"{letter}. {text}",
                                         indent=False, layout=widgets.Layout(width="auto"))
                for letter, text in zip(question.letters, question.options)
            }
            self.control = widgets.VBox(list(self.checkboxes.values()))
        else:
            self.control = widgets.ToggleButtons(
                options=list(zip(quiz.TRUEFALSE_OPTIONS, (True, False))), value=None,
            )
        self.submit_button = widgets.Button(description="提交", icon="check",
                                            button_style="primary")
        self.hint_button = widgets.Button(description="提示", icon="lightbulb-o")
        self.feedback = widgets.HTML()
        self.hint_html = widgets.HTML()
        self.result: quiz.Feedback | None = None
        self.submitted: object = None
        self.attempts = Attempts()
        self.submit_button.on_click(lambda _: self.submit())
        self.hint_button.on_click(lambda _: self.hint())
        kind = "（可多选）" if question.kind == "multiple" else ""
        super().__init__([
            widgets.HTML(f"<p><b>第 {number} 题</b>　<small>[{esc(question.kind_label)}]"
                         f"{kind}</small><br>{esc(question.prompt)}</p>"),
            self.control,
            widgets.HBox([self.submit_button, self.hint_button, self.feedback]),
            self.hint_html,
        ], layout=widgets.Layout(margin="0 0 1em 0"))
        self.add_class("crm-quiz-item")

    @property
    def first_submitted(self) -> object:
        return self.attempts.first

    @property
    def response(self) -> object:
        """What the control holds now, in the form :func:`crmlab.exercises.quiz.check` accepts."""
        if self.question.kind == "multiple":
            return [letter for letter, box in self.checkboxes.items() if box.value]
        return self.control.value

    def _show_error(self, text: str) -> None:
        self.result = None
        self.feedback.value = text

    @guarded(_show_error)
    def update(self, _change=None) -> None:
        """Check the current response and show the verdict."""
        response = self.response
        result = quiz.check(self.question, response, wrong_before=self.wrong_tries)
        self.result = result
        self.submitted = response
        self.attempts.record(result, response)
        self.feedback.value = self.render(result)
        if self.on_submit is not None:
            self.on_submit()

    def submit(self) -> None:
        """The 「提交」 button."""
        self.update()

    def hint(self) -> None:
        """The 「提示」 button."""
        self.hint_html.value = message(f"提示：{self.question.hint}", "info")

    @staticmethod
    def render(result: quiz.Feedback) -> str:
        if result.outcome is Outcome.UNANSWERED:
            return message(UNANSWERED_TEXT, "info")
        text = outcome_message(result)
        if result.outcome.wrong_try and not result.explanation:
            text += "<div style='color:#555'>想一想再试一次，也可以先点「提示」。</div>"
        if result.explanation:
            text += f"<div style='color:#333'>解析：{esc(result.explanation)}</div>"
        return f"<div class='crm-feedback'>{text}</div>"


class Quiz(widgets.VBox):
    """The questions of ``quiz.load_bank(lesson)`` (or only ``ids``, in that order).

    ``.items`` are the :class:`QuizItem` s; ``.score_html`` shows 「首次答对 x / n 题」 and
    ``.result`` the :class:`crmlab.rules.checking.Marking` over each question's first try.
    Choice options come in the order of ``student`` (by default
    :func:`crmlab.exercises.order.student_key`): stable for one student, different between
    students; ``.questions`` are the questions as shown, with their answers re-lettered.
    """

    def __init__(self, lesson: int, ids: Sequence[str] | None = None,
                 student: str | None = None):
        bank = quiz.load_bank(lesson)
        if ids is None:
            questions = bank
        else:
            by_id = {q.id: q for q in bank}
            if isinstance(ids, str) or not isinstance(ids, Sequence):
                raise CourseInputError("「题号」应当是题号的列表，例如 [\"L01-01\"]。", "题号")
            unknown = [str(qid) for qid in ids if qid not in by_id]
            if unknown:
                raise CourseInputError(
                    f"第 {lesson} 课的题库中没有这些题号：{'、'.join(unknown)}。", "题号")
            if not ids:
                raise CourseInputError("「题号」列表是空的，请至少选一道题。", "题号")
            questions = [by_id[qid] for qid in dict.fromkeys(ids)]
        self.student = order.student_key() if student is None else str(student)
        self.questions = [order.shuffled(q, self.student) for q in questions]
        self.items = [QuizItem(q, number, self.update)
                      for number, q in enumerate(self.questions, start=1)]
        self.score_html = widgets.HTML()
        self.result: Marking | None = None
        super().__init__([
            heading(f"随堂测验：{quiz.lesson_title(lesson)}"),
            *self.items,
            self.score_html,
        ])
        self.add_class("crm-quiz")
        self.update()

    def _show_error(self, text: str) -> None:
        self.result = None
        self.score_html.value = text

    @guarded(_show_error)
    def update(self, _change=None) -> None:
        """Recount the score from every item's first try."""
        responses = {item.question.id: item.first_submitted for item in self.items}
        result = quiz.score(self.questions, responses)
        self.result = result
        self.score_html.value = (f"<p class='crm-quiz-score'><b>首次答对 {result.correct} / "
                                 f"{result.total} 题</b></p>")
