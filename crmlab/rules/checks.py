"""Input checks shared by the domain models.

Every model validates what it is given and raises :class:`CourseInputError` (a
``ValueError``) whose message is a short Chinese sentence naming the field, so that a widget,
a report or the CLI can show it to a student as it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import pandas as pd


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


def parse_number(
    text: str,
    label: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    blank_ok: bool = False,
) -> float | None:
    """Read a number typed into a text box; raise CourseInputError with a Chinese message.

    Accepts half- and full-width digits, a thousands comma and surrounding spaces. A blank box
    gives ``None`` when ``blank_ok``, else an error asking for a value.
    """
    cleaned = text.strip().translate(_FULL_WIDTH).replace(",", "")
    if not cleaned:
        if blank_ok:
            return None
        raise CourseInputError(f"请输入「{label}」", label)
    try:
        number = float(cleaned)
    except ValueError:
        raise CourseInputError(f"「{label}」必须是数字，现在是：{text.strip()}", label) from None
    return as_number(number, label, minimum=minimum, maximum=maximum)


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")


def check_keys(given: object, allowed: dict[str, str], what: str) -> dict[str, object]:
    """Check a mapping's keys against ``allowed`` (key → Chinese label).

    ``None`` counts as an empty mapping. An unknown key raises a Chinese error that lists the
    keys that are accepted.
    """
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise CourseInputError(f"「{what}」应当是「项目→分数」的字典，现在是：{type(given).__name__}", what)
    unknown = [key for key in given if key not in allowed]
    if unknown:
        names = "、".join(f"{key}（{label}）" for key, label in allowed.items())
        raise CourseInputError(
            f"「{what}」中有未知的项目：{'、'.join(map(str, unknown))}。可用的项目：{names}", what
        )
    return dict(given)


# --- Weighted scores and tables ---------------------------------------------------------------


WEIGHT_TOLERANCE = 1e-9
"""How far a set of weights may sum away from 1 (floating-point slack)."""

SCORE_DECIMALS = 6
"""Weighted scores are rounded to this many decimals, so that e.g. five factors of 90 give
exactly 90 (and grade AAA) instead of 89.99999999999999."""


def check_weights(weights: object, labels: Mapping[str, str], what: str) -> dict[str, float]:
    """Return ``weights`` as floats keyed like ``labels``, checked.

    Every key of ``labels`` must be present (a partial mapping is refused), each weight is a
    non-negative number, and the weights sum to 1 within ``WEIGHT_TOLERANCE``.
    """
    given = check_keys(weights, dict(labels), what)
    _check_complete(given, labels, what, "要么全部给出，要么都不给（使用默认权重）")
    result = {key: as_number(given[key], f"{what}：{label}", minimum=0) for key, label in
              labels.items()}
    total = math.fsum(result.values())
    if abs(total - 1) > WEIGHT_TOLERANCE:
        raise CourseInputError(f"「{what}」各项之和必须等于 1，现在是 {total:g}", what)
    return result


def check_scores(scores: object, labels: Mapping[str, str], what: str) -> dict[str, float]:
    """Return ``scores`` as floats keyed like ``labels``: all keys present, each in 0–100."""
    given = check_keys(scores, dict(labels), what)
    _check_complete(given, labels, what, "每一项都要打分（0–100）")
    return {key: as_number(given[key], label, minimum=0, maximum=100) for key, label in
            labels.items()}


def _check_complete(given: Mapping, labels: Mapping[str, str], what: str, hint: str) -> None:
    missing = [label for key, label in labels.items() if key not in given]
    if missing:
        raise CourseInputError(f"「{what}」缺少：{'、'.join(missing)}。{hint}", what)


def weighted_score(values: Mapping, weights: Mapping[str, float]):
    """Σ wᵢ·sᵢ over ``weights`` (in its order), rounded to ``SCORE_DECIMALS`` and kept in 0–100.

    ``values`` maps each key to a float or to a Series; scalar and vectorised callers run the
    same arithmetic in the same order, so they agree bit for bit. Each step is monotone, so
    raising one value never lowers the result.
    """
    total = 0.0
    for key, weight in weights.items():
        total = total + weight * values[key]
    result = np.clip(np.round(total, SCORE_DECIMALS), 0.0, 100.0)
    return result if isinstance(result, pd.Series) else float(result)


def require_columns(table: object, columns: Iterable[str], what: str) -> pd.DataFrame:
    """Check that ``table`` is a DataFrame holding every column named in ``columns``."""
    if not isinstance(table, pd.DataFrame):
        raise CourseInputError(
            f"「{what}」应当是一张表格（DataFrame），现在是：{type(table).__name__}", what
        )
    missing = [name for name in columns if name not in table]
    if missing:
        raise CourseInputError(f"「{what}」缺少以下列：{'、'.join(missing)}", what)
    return table


def row_error(series: pd.Series, mask: pd.Series, label: str, problem: str) -> None:
    """Raise for the first row where ``mask`` is true, naming the row and the column.

    The row is counted from 1 (「第 3 条记录」); an index label other than the position is
    added in brackets, so that a table indexed by customer id names the customer.
    """
    position = int(np.flatnonzero(mask.to_numpy(dtype=bool))[0])
    index, value = series.index[position], series.iloc[position]
    if isinstance(value, np.generic):
        value = value.item()
    where = f"第 {position + 1} 条记录" + ("" if index == position else f"（索引 {index}）")
    raise CourseInputError(
        f"{where}的「{label}」（{series.name} 列）{problem}，现在是：{value!r}", label
    )


def numeric_column(
    table: pd.DataFrame,
    column: str,
    label: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    below: float | None = None,
) -> pd.Series:
    """Return ``table[column]`` as floats; a blank, non-numeric or out-of-range cell raises a
    Chinese error naming the row (index) and the column. ``minimum``/``maximum`` are inclusive
    bounds, ``below`` a strict upper bound. Booleans and strings are refused, as in
    :func:`crmlab.rules.checks.as_number`."""
    series = table[column].rename(column)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    ):
        numbers = series.astype(float)
        is_number = pd.Series(True, index=series.index)
    else:  # an element-wise type check: validation, not a course rule
        is_number = series.map(lambda v: isinstance(v, Real) and not isinstance(v, bool))
        numbers = pd.to_numeric(series.where(is_number), errors="coerce").astype(float)
    blank = series.isna()
    if blank.any():
        row_error(series, blank, label, "不能为空")
    invalid = ~is_number.astype(bool) | ~np.isfinite(numbers)
    if invalid.any():
        row_error(series, invalid, label, "必须是数字")
    if minimum is not None and (numbers < minimum).any():
        row_error(series, numbers < minimum, label, f"不能小于 {minimum:g}")
    if maximum is not None and (numbers > maximum).any():
        row_error(series, numbers > maximum, label, f"不能大于 {maximum:g}")
    if below is not None and (numbers >= below).any():
        row_error(series, numbers >= below, label, f"必须小于 {below:g}")
    return numbers


def date_column(table: pd.DataFrame, column: str, label: str) -> pd.Series:
    """Return ``table[column]`` as dates (time of day dropped); a blank or unreadable cell
    raises a Chinese error naming the row (index) and the column."""
    series = table[column].rename(column)
    dates = pd.to_datetime(series, errors="coerce")
    if dates.isna().any():
        row_error(series, dates.isna(), label, "必须是日期（如 2024-03-31）")
    return dates.dt.normalize()


def as_date(value: object, label: str) -> pd.Timestamp:
    """Return ``value`` (a date, datetime, Timestamp or ISO string) as a day, or raise."""
    if isinstance(value, bool) or value is None or isinstance(value, Real):
        raise CourseInputError(f"「{label}」必须是日期（如 2024-03-31），现在是：{value!r}", label)
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise CourseInputError(
            f"「{label}」必须是日期（如 2024-03-31），现在是：{value!r}", label
        ) from None
    if pd.isna(stamp):
        raise CourseInputError(f"「{label}」必须是日期（如 2024-03-31），现在是：{value!r}", label)
    return stamp.normalize()
