"""Input checks shared by the domain models.

Every model validates what it is given and raises :class:`CourseInputError` (a
``ValueError``) whose message is a short Chinese sentence naming the field, so that a widget,
a report or the CLI can show it to a student as it is.
"""

from __future__ import annotations

import math
from numbers import Real


class CourseInputError(ValueError):
    """A bad input; ``str(error)`` is a Chinese message meant for the user.

    ``field`` names the offending field (its Chinese label) when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def as_number(
    value: object,
    label: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """Return ``value`` as a finite float, or raise a Chinese error that names ``label``.

    Booleans and strings are refused (``"50"`` typed where a number belongs is a mistake a
    student should see, not something to guess at).
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise CourseInputError(f"「{label}」必须是数字，现在是：{value!r}", label)
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise CourseInputError(f"「{label}」必须是有限的数字，现在是：{value!r}", label)
    if minimum is not None and number < minimum:
        raise CourseInputError(f"「{label}」不能小于 {minimum:g}，现在是 {number:g}", label)
    if maximum is not None and number > maximum:
        raise CourseInputError(f"「{label}」不能大于 {maximum:g}，现在是 {number:g}", label)
    return number


def check_keys(given: object, allowed: dict[str, str], what: str) -> dict[str, object]:
    """Check a mapping's keys against ``allowed`` (key → Chinese label).

    ``None`` counts as an empty mapping. An unknown key raises a Chinese error that lists the
    keys that are accepted.
    """
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise CourseInputError(f"「{what}」应当是“项目→分数”的字典，现在是：{type(given).__name__}", what)
    unknown = [key for key in given if key not in allowed]
    if unknown:
        names = "、".join(f"{key}（{label}）" for key, label in allowed.items())
        raise CourseInputError(
            f"「{what}」中有未知的项目：{'、'.join(map(str, unknown))}。可用的项目：{names}", what
        )
    return dict(given)
