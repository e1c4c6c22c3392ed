"""Checking an answer (答案核对): one vocabulary of outcomes for every exercise of the course.

Quizzes (:mod:`crmlab.exercises.quiz`), number and code exercises
(:mod:`crmlab.exercises.numeric`, :mod:`crmlab.exercises.coding`), the SPIN labelling
(:mod:`crmlab.rules.spin`) and the labelling exercises (:mod:`crmlab.rules.labelling`) all
check a student's answer into a :class:`Result` with one :class:`Outcome`:

* ``UNANSWERED`` 未作答 — nothing given yet (``None``, a blank, an empty list);
* ``INVALID`` 无效答案 — something given that cannot be read as an answer (a word where a
  number belongs, a letter that is no option);
* ``PARTIAL`` 部分正确 — only part of a multi-part answer (a multiple-choice question with
  only right options chosen, but not all of them);
* ``INCORRECT`` 错误 and ``CORRECT`` 正确.

A partly correct or incorrect answer is a *wrong try*; the explanation of an exercise comes
with a correct answer, or with the ``REVEAL_AFTER``-th wrong try (:func:`explanation_due`),
never with the first, so that a student thinks again before reading why. :class:`Attempts`
counts the tries of one exercise. :class:`Marking` is the result of a set of items (a quiz,
a labelling exercise). :func:`check_number` checks a number within a tolerance.

Widgets only display these results; no widget compares an answer itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from crmlab.rules.checks import CourseInputError, parse_number


class Outcome(StrEnum):
    """The outcome of checking one answer. A member equals its key (``Outcome.CORRECT ==
    "correct"``), so results compare and serialise as plain text."""

    UNANSWERED = "unanswered"
    INVALID = "invalid"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    CORRECT = "correct"

    @property
    def label(self) -> str:
        """The outcome's Chinese name, as shown to the student."""
        return LABELS[self]

    @property
    def wrong_try(self) -> bool:
        """Does it count as a wrong try (towards ``REVEAL_AFTER``)?"""
        return self in (Outcome.PARTIAL, Outcome.INCORRECT)

    @property
    def attempted(self) -> bool:
        """Was it a real try: an answer that could be read, right or wrong?"""
        return self.wrong_try or self is Outcome.CORRECT


LABELS: dict[Outcome, str] = {
    Outcome.UNANSWERED: "未作答",
    Outcome.INVALID: "无效答案",
    Outcome.PARTIAL: "部分正确",
    Outcome.INCORRECT: "错误",
    Outcome.CORRECT: "正确",
}
"""Outcome → its Chinese name."""

REVEAL_AFTER = 2
"""Wrong tries after which an exercise's explanation (and its 「查看答案」 button) is shown."""

FLOAT_SLACK = 1e-9
"""Relative slack so that 20.01 typed for 20 ± 0.01 counts as within (binary floats)."""


def explanation_due(outcome: str, wrong_before: int = 0) -> bool:
    """Is the explanation shown with this outcome, after ``wrong_before`` earlier wrong tries?"""
    outcome = Outcome(outcome)
    return outcome is Outcome.CORRECT or (outcome.wrong_try and wrong_before + 1 >= REVEAL_AFTER)


def is_blank(answer: object) -> bool:
    """Is ``answer`` no answer at all: ``None``, blank text, or a collection of blanks?"""
    if answer is None:
        return True
    if isinstance(answer, str):
        return not answer.strip()
    if isinstance(answer, list | tuple | set | frozenset):
        return all(is_blank(item) for item in answer)
    return False


@dataclass(frozen=True, kw_only=True)
class Result:
    """The check of one answer.

    ``message`` is the Chinese sentence for the student; ``explanation`` the exercise's
    explanation when it is due (else ``None``); ``hint`` a pointer for the next try, when the
    check has one. For an item of a set, ``id`` names the item, ``given`` is the answer as
    given and ``answer`` the right one (as the exercise stores it).
    """

    outcome: Outcome
    message: str
    explanation: str | None = None
    hint: str | None = None
    id: str = ""
    given: object = field(default=None, compare=False)
    answer: object = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", Outcome(self.outcome))

    @property
    def correct(self) -> bool:
        """Was the answer fully correct?"""
        return self.outcome is Outcome.CORRECT

    @property
    def label(self) -> str:
        """The outcome's Chinese name."""
        return self.outcome.label

    @property
    def points(self) -> int:
        """What the answer earns in a :class:`Marking`: 1 if correct, else 0."""
        return int(self.correct)


@dataclass(frozen=True)
class Marking:
    """The check of a set of items (a quiz, a labelling exercise): one :class:`Result` per
    item, in the exercise's order. Only correct items count (a partial answer earns 0).

    ``unit`` is what one item is called in the summary (题, 段, 条 …); ``show_percentage``
    adds the percentage to it.
    """

    items: tuple[Result, ...]
    unit: str = "题"
    show_percentage: bool = False

    @property
    def correct(self) -> int:
        return sum(item.points for item in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def percentage(self) -> float:
        """Correct ÷ total × 100 (0 for an empty set)."""
        return 100 * self.correct / self.total if self.items else 0.0

    def count(self, outcome: str) -> int:
        """How many items have this outcome."""
        return sum(item.outcome == outcome for item in self.items)

    @property
    def counts(self) -> dict[str, int]:
        """Outcome → number of items, for every outcome, zeros included."""
        return {outcome.value: self.count(outcome) for outcome in Outcome}

    @property
    def outcomes(self) -> dict[str, str]:
        """Item id → outcome key, in the exercise's order."""
        return {item.id: item.outcome.value for item in self.items}

    @property
    def summary(self) -> str:
        """One Chinese sentence for the top of the feedback, e.g. 「答对 5 / 8 题。」."""
        share = f"（{self.percentage:.0f}%）" if self.show_percentage else ""
        return f"答对 {self.correct} / {self.total} {self.unit}{share}。"


@dataclass
class Attempts:
    """The tries at one exercise: how many were wrong, and the first real try (not blank, not
    unreadable), which a quiz scores."""

    wrong: int = 0
    first: object = None
    tried: bool = False

    def record(self, result: Result, answer: object = None) -> None:
        """Count ``result``, the check of ``answer``."""
        if result.outcome.attempted and not self.tried:
            self.tried, self.first = True, answer
        self.wrong += result.outcome.wrong_try

    @property
    def reveal_due(self) -> bool:
        """May the answer be shown now (``REVEAL_AFTER`` wrong tries made)?"""
        return self.wrong >= REVEAL_AFTER


# ------------------------------------------------------------------------------- numbers


def within_tolerance(given: float, answer: float, tolerance: float, relative: bool = False) -> bool:
    """Is ``given`` within ``tolerance`` of ``answer`` (a fraction of it when ``relative``)?

    The bound is inclusive, with a ``FLOAT_SLACK`` so that a value typed exactly on it counts.
    """
    allowed = tolerance * abs(answer) if relative else tolerance
    return abs(given - answer) <= allowed + FLOAT_SLACK * max(1.0, abs(answer))


ANSWER_LABEL = "你的答案"
"""How a number exercise's answer box is named in messages."""


def read_number(text: str, unit: str = "") -> float | None:
    """A number typed for an exercise (``unit`` may follow it); ``None`` when blank; a
    :class:`CourseInputError` with a Chinese message when it is not a number."""
    text = text.strip()
    if unit and text.endswith(unit):
        text = text[: -len(unit)]
    return parse_number(text, ANSWER_LABEL, blank_ok=True)


def check_number(given: object, answer: float, *, tolerance: float = 0.01,
                 relative: bool = False, unit: str = "",
                 explanation: str | None = None) -> Result:
    """Check a number exercise: ``given`` is the text typed (or a number).

    Blank is unanswered, text that is no number invalid (with the reading's message),
    within :func:`within_tolerance` correct (with the explanation), else incorrect, saying
    whether the number is too high or too low but not what it should be.
    """
    if isinstance(given, str) or given is None:
        try:
            number = read_number(given or "", unit)
        except CourseInputError as error:
            return Result(outcome=Outcome.INVALID, message=str(error), given=given, answer=answer)
    else:
        number = given
    if number is None:
        return Result(outcome=Outcome.UNANSWERED, message="请先填写答案。", given=given,
                      answer=answer)
    if within_tolerance(number, answer, tolerance, relative):
        return Result(outcome=Outcome.CORRECT, message="回答正确！", explanation=explanation,
                      given=number, answer=answer)
    side = "偏大" if number > answer else "偏小"
    return Result(outcome=Outcome.INCORRECT, message=f"还不对，再算一算：你的结果{side}了。",
                  given=number, answer=answer)
