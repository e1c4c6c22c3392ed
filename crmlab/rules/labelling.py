"""Labelling exercises (归类练习): each item of an exercise gets one of a few options, and is
marked against the option the course's data gives it.

A topic module declares its options and items as data (e.g. the parts of a report in
:mod:`crmlab.rules.practice`, lawful or unlawful ways of handling customer information in
:mod:`crmlab.rules.privacy`) and marks a student's answers with :func:`mark`, into a
:class:`crmlab.rules.checking.Marking` of :class:`crmlab.rules.checking.Result` s with the
course's one vocabulary of outcomes; a wrong answer gets a sentence that sends the student
back to think without naming the right option. :func:`mark_items` is the marking loop with
its checks of the exercise's ids, which the SPIN labelling (:mod:`crmlab.rules.spin`) shares.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from crmlab.rules.checking import Marking, Outcome, Result, is_blank
from crmlab.rules.checks import CourseInputError


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


def normalise(value: object, options: Sequence[Option]) -> str | None:
    """An option given as its key or its label (full-width characters and surrounding spaces
    allowed) → its key; anything else → ``None``."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    return next((o.key for o in options if text in (o.key, o.label)), None)


def _mark_one(item: Item, given: object, options: Sequence[Option], retry: str) -> Result:
    def result(outcome: Outcome, message: str) -> Result:
        return Result(outcome=outcome, message=message, id=item.id, given=given,
                      answer=item.answer)

    if is_blank(given):
        return result(Outcome.UNANSWERED, "还没有选择。")
    key = normalise(given, options)
    if key is None:
        allowed = "、".join(o.label for o in options)
        return result(Outcome.INVALID, f"「{given}」不是可选的答案：只能选 {allowed}。")
    if key == item.answer:
        return result(Outcome.CORRECT, item.reason)
    chosen = next(o.label for o in options if o.key == key)
    return result(Outcome.INCORRECT, retry.format(chosen=chosen))


def mark_items(
    answers: Mapping[str, object],
    known: Iterable[str],
    ids: Iterable[str] | None,
    mark_one: Callable[[str, object], Result],
    *,
    unit: str = "题",
    what: str = "编号",
    show_percentage: bool = False,
) -> Marking:
    """Mark ``answers`` (item id → the answer given) for the items ``ids`` (by default all
    ``known`` ids), one by ``mark_one(id, answer)``; ids missing from ``answers`` are given
    ``None``. An unknown id, an answer for an item outside the exercise, an empty exercise or
    answers that are not a mapping raise :class:`CourseInputError` naming ``what`` the ids
    are."""
    if not isinstance(answers, Mapping):
        raise CourseInputError(f"「答案」应当是以{what}为键、以所选答案为值的字典。", "答案")
    known = list(known)
    chosen_ids = known if ids is None else list(ids)
    known_ids, exercise = set(known), set(chosen_ids)
    unknown = [str(i) for i in [*chosen_ids, *answers] if i not in known_ids]
    if unknown:
        raise CourseInputError(f"没有这些{what}：{'、'.join(dict.fromkeys(unknown))}。", what)
    extra = [str(i) for i in answers if i not in exercise]
    if extra:
        raise CourseInputError(f"这些{what}不在本次练习中：{'、'.join(extra)}。", what)
    if not chosen_ids:
        raise CourseInputError("本次练习没有题目，无法评分。", what)
    return Marking(tuple(mark_one(i, answers.get(i)) for i in dict.fromkeys(chosen_ids)),
                   unit, show_percentage)


def mark(
    answers: Mapping[str, object],
    items: Sequence[Item],
    options: Sequence[Option],
    ids: Iterable[str] | None = None,
    *,
    retry: str,
    unit: str = "题",
    what: str = "编号",
) -> Marking:
    """Mark ``answers`` (item id → the option chosen, by key or label) for the items ``ids``
    of ``items`` (by default all of them; ids missing from ``answers`` count as unanswered).

    ``None`` or a blank is *unanswered*; a value that is no option is *invalid* (a Chinese
    message, not an exception); a wrong option gets ``retry`` (formatted with ``chosen``, the
    label the student chose). The errors are those of :func:`mark_items`.
    """
    by_id = {item.id: item for item in items}
    return mark_items(answers, by_id, ids,
                      lambda i, given: _mark_one(by_id[i], given, options, retry),
                      unit=unit, what=what)
