"""Labelling exercises (归类练习): each item of an exercise gets one of a few options, and is
marked against the option the course's data gives it.

A topic module declares its options and items as data (e.g. the parts of a report in
:mod:`crmlab.rules.practice`, lawful or unlawful ways of handling customer information in
:mod:`crmlab.rules.privacy`) and marks a student's answers with :func:`mark`. Outcomes are distinct
and named (``STATUSES``); a wrong answer gets a sentence that sends the student back to think
without naming the right option.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from crmlab.rules.checks import CourseInputError

STATUSES: dict[str, str] = {
    "correct": "正确",
    "incorrect": "错误",
    "unanswered": "未作答",
    "invalid": "无效答案",
}
"""Outcome of one labelled item → its Chinese label."""


@dataclass(frozen=True)
class Option:
    """One option an item may be given: a key for the code, a Chinese label for people."""

    key: str
    label: str


@dataclass(frozen=True)
class Item:
    """One item of an exercise: the right option's key, the item's text, and why the option
    is right."""

    id: str
    answer: str  # an Option key
    text: str
    reason: str


@dataclass(frozen=True)
class MarkedItem:
    """One item as marked."""

    id: str
    given: object  # what the student chose, as given
    status: str  # a key of STATUSES
    answer: str  # the right Option key
    message: str  # Chinese feedback sentence

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


@dataclass(frozen=True)
class LabellingResult:
    """The marking of a labelling exercise."""

    items: tuple[MarkedItem, ...]
    correct: int
    total: int
    unit: str = "题"  # what one item is called: 题, 段, 条 …

    def count(self, status: str) -> int:
        """How many items have this outcome (a key of ``STATUSES``)."""
        return sum(item.status == status for item in self.items)

    @property
    def summary(self) -> str:
        return f"答对 {self.correct} / {self.total} {self.unit}。"


def normalise(value: object, options: Sequence[Option]) -> str | None:
    """An option given as its key or its label (full-width characters and surrounding spaces
    allowed) → its key; anything else → ``None``."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    return next((o.key for o in options if text in (o.key, o.label)), None)


def _mark_one(item: Item, given: object, options: Sequence[Option], retry: str) -> MarkedItem:
    if given is None or (isinstance(given, str) and not given.strip()):
        return MarkedItem(item.id, given, "unanswered", item.answer, "还没有选择。")
    key = normalise(given, options)
    if key is None:
        allowed = "、".join(o.label for o in options)
        return MarkedItem(item.id, given, "invalid", item.answer,
                          f"「{given}」不是可选的答案：只能选 {allowed}。")
    if key == item.answer:
        return MarkedItem(item.id, given, "correct", item.answer, item.reason)
    chosen = next(o.label for o in options if o.key == key)
    return MarkedItem(item.id, given, "incorrect", item.answer, retry.format(chosen=chosen))


def mark(
    answers: Mapping[str, object],
    items: Sequence[Item],
    options: Sequence[Option],
    ids: Iterable[str] | None = None,
    *,
    retry: str,
    unit: str = "题",
    what: str = "编号",
) -> LabellingResult:
    """Mark ``answers`` (item id → the option chosen, by key or label) for the items ``ids``
    of ``items`` (by default all of them; ids missing from ``answers`` count as unanswered).

    ``None`` or a blank is *unanswered*; a value that is no option is *invalid* (a Chinese
    message, not an exception); a wrong option gets ``retry`` (formatted with ``chosen``, the
    label the student chose). An unknown id, an answer for an item outside the exercise, an
    empty exercise or answers that are not a mapping raise :class:`CourseInputError` naming
    ``what`` the ids are.
    """
    if not isinstance(answers, Mapping):
        raise CourseInputError(f"「答案」应当是以{what}为键、以所选答案为值的字典。", "答案")
    by_id = {item.id: item for item in items}
    chosen_ids = list(by_id) if ids is None else list(ids)
    unknown = [str(i) for i in [*chosen_ids, *answers] if i not in by_id]
    if unknown:
        raise CourseInputError(f"没有这些{what}：{'、'.join(dict.fromkeys(unknown))}。", what)
    extra = [str(i) for i in answers if i not in set(chosen_ids)]
    if extra:
        raise CourseInputError(f"这些{what}不在本次练习中：{'、'.join(extra)}。", what)
    if not chosen_ids:
        raise CourseInputError("本次练习没有题目，无法评分。", what)
    marked = tuple(_mark_one(by_id[i], answers.get(i), options, retry)
                   for i in dict.fromkeys(chosen_ids))
    return LabellingResult(marked, sum(m.status == "correct" for m in marked), len(marked), unit)
