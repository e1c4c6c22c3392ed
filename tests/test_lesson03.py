"""Lesson 03 (Python and pandas): its number exercises' answers are what the pandas the lesson
teaches gives on the course's sample data, so regenerating the data cannot leave them stale."""

from __future__ import annotations

import pytest

from crmlab import exercises
from crmlab.data import load_sample

CUSTOMERS = load_sample("customers")
BONUS_B = {"毛利率": 4, "合作年限": 5, "客户沟通": 3, "回款情况": 5, "增长潜力": 2}
"""Customer 乙's bonus items, as the lesson's cell defines them."""

EXPECTED = {
    "L03-E01": sum(BONUS_B.values()),
    "L03-E02": int(((CUSTOMERS["order_amount"] > 30) & (CUSTOMERS["overdue_count"] == 0)).sum()),
    "L03-E03": float((CUSTOMERS["order_amount"] * CUSTOMERS["gross_margin"]).round(2).max()),
    "L03-E04": float(CUSTOMERS.groupby("region")["order_amount"].sum().max()),
}


@pytest.mark.parametrize("exercise_id", sorted(EXPECTED))
def test_exercise_answer_is_what_pandas_gives(exercise_id):
    """Is the answer of the exercise file within its tolerance of the recomputed value?"""
    item = exercises.exercise(exercise_id)
    assert abs(item.answer - EXPECTED[exercise_id]) <= max(item.tolerance, 1e-9)


def test_the_lesson_defines_the_dictionary_of_exercise_1():
    """Does the lesson's cell give customer 乙 the bonus items this test sums?"""
    import nbformat

    from tests.notebooks import ROOT

    cells = nbformat.read(ROOT / "lessons" / "03_python_pandas.ipynb", as_version=4).cells
    assert any(c.source.strip() == f"bonus_b = {BONUS_B!r}".replace("'", '"') for c in cells)
