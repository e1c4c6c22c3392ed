"""Lesson 03 (Python and pandas, taught in two parts): its number exercises' answers are what the
pandas the lesson teaches gives on the course's sample data, so regenerating the data cannot leave
them stale; each part runs with its code exercises unanswered and with their reference code."""

from __future__ import annotations

import re

import pytest

from crmlab.data import load_sample
from crmlab.exercises import numeric

CUSTOMERS = load_sample("customers")
BONUS_B = {"毛利率": 4, "合作年限": 5, "客户沟通": 3, "回款情况": 5, "增长潜力": 2}
"""Customer 乙's bonus items, as the lesson's cell defines them."""

EXPECTED = {
    "L03-E01": sum(BONUS_B.values()),
    "L03-E02": int(((CUSTOMERS["order_amount"] > 30) & (CUSTOMERS["overdue_count"] == 0)).sum()),
}


@pytest.mark.parametrize("exercise_id", sorted(EXPECTED))
def test_exercise_answer_is_what_pandas_gives(exercise_id):
    """Is the answer of the exercise file within its tolerance of the recomputed value?"""
    item = numeric.exercise(exercise_id)
    assert abs(item.answer - EXPECTED[exercise_id]) <= max(item.tolerance, 1e-9)


def test_the_lesson_defines_the_dictionary_of_exercise_1():
    """Does the lesson's cell give customer 乙 the bonus items this test sums?"""
    import nbformat

    from tests.support import ROOT

    cells = nbformat.read(ROOT / "lessons" / "03_python_pandas.ipynb", as_version=4).cells
    assert any(c.source.strip() == f"bonus_b = {BONUS_B!r}".replace("'", '"') for c in cells)


CODE_CHECKS = {item.id: item.name for item in numeric.load_exercises(3) if item.id.startswith("L03-C")}
"""Lesson 03's code exercises → the name the student's cell defines."""
PARTS = ["03_python_pandas.ipynb", "03_pandas_tables.ipynb"]


def _feedback_in_widget_state(notebook) -> list[str]:
    """The 未作答 / 不对 / 正确 labels the code-exercise widgets showed (nbclient keeps the
    widgets' state in the notebook's metadata)."""
    state = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    values = [m["state"].get("value", "") for m in state.values() if m["model_name"] == "HTMLModel"]
    return [re.match(r"<b>(未作答|不对|正确)</b>", v).group(1) for v in values
            if re.match(r"<b>(未作答|不对|正确)</b>", v)]


@pytest.mark.slow
@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("filled", [False, True], ids=["placeholders", "reference-code"])
def test_the_lesson_runs_with_placeholders_and_accepts_the_reference_code(filled, part, tmp_path):
    """Run top to bottom, is each code exercise 未作答 while the placeholder is there (a message,
    no error), and 正确 once the student's cell holds the reference code?"""
    import nbformat

    from tests.support import ROOT
    from tests.support.notebooks import execute, problems

    notebook = nbformat.read(ROOT / "lessons" / part, as_version=4)
    cells = notebook.cells
    checks = {i: n for i, n in CODE_CHECKS.items()
              if any(c.source.strip() == f'Exercise("{i}")' for c in cells)}
    assert len(checks) >= 3
    for exercise_id, name in checks.items():
        [at] = [i for i, c in enumerate(cells) if c.source.strip() == f'Exercise("{exercise_id}")']
        student = cells[at - 1]
        assert re.match(rf"(def {name}\(|{name} = None)", student.source), student.source
        assert "NotImplementedError()" in student.source or "None" in student.source
        if filled:
            student.source = numeric.exercise(exercise_id).solution
    path = tmp_path / part
    nbformat.write(notebook, path)
    ran = execute(path)
    assert problems(ran) == []
    assert _feedback_in_widget_state(ran) == ["正确" if filled else "未作答"] * len(checks)
