"""Exercises declared as data (crmlab.exercises.numeric) and the Exercise widget that shows them."""

from __future__ import annotations

import re

import pytest
import yaml

from crmlab.exercises import numeric
from crmlab.rules.checks import CourseInputError
from crmlab.rules.value import business_value, clv
from crmlab.widgets import Exercise

ALL = [e for lesson in numeric.lessons() for e in numeric.load_exercises(lesson)
       if isinstance(e, numeric.NumberExerciseData)]
"""The number exercises (the code exercises are tested in tests/exercises/test_code_exercises.py)."""


def test_the_files_load_and_every_answer_comes_from_a_model():
    """Do the exercise files load, each exercise with a number computed from its model?"""
    assert len(ALL) >= 8
    assert {e.id for e in ALL} >= {"L00-E01", "L02-E02", "L11-E02"}
    assert numeric.exercise("L00-E01").answer == business_value(30, 12)
    assert numeric.exercise("L02-E02").answer == pytest.approx(clv(5, 0.7, 0.1))


@pytest.mark.parametrize("item", ALL, ids=lambda e: e.id)
def test_hint_does_not_state_the_answer(item):
    """Does no hint contain the answer itself (as a number of its own, rounded as asked)?"""
    whole = float(item.answer).is_integer()
    for decimals in ((0,) if whole else (1, 2)):
        shown = f"{round(item.answer, decimals):g}"
        assert not re.search(rf"(?<![\d.]){re.escape(shown)}(?![\d.])", item.hint), shown


def test_exercises_on_the_sample_data_fill_their_prompt_from_it():
    """Do exercises on the sample data name the firm and the figures the answer comes from?"""
    from crmlab.data import load_sample
    from crmlab.rules.credit import ratio_table

    firm = ratio_table(load_sample("credit_files")).iloc[7]  # exercises04.yml: row 7
    first = numeric.exercise("L04-E01")
    assert firm["name"] in first.prompt and "{" not in first.prompt
    assert first.answer == pytest.approx(firm["current_ratio"])


def test_widget_checks_against_the_models_answer():
    """Does Exercise(id) accept the model's answer and refuse another, with no answer shown
    before two wrong tries?"""
    widget = Exercise("L00-E01")
    widget.box.value = "17"
    widget.check()
    assert widget.outcome == "incorrect" and widget.reveal_button.layout.display == "none"
    widget.box.value = "18"
    widget.check()
    assert widget.outcome == "correct"


@pytest.mark.parametrize(("given", "words"), [("L99-E01", "没有练习题库"), ("L00-E09", "没有「L00-E09」"),
                                              ("第一题", "格式")])
def test_unknown_exercise_gets_a_chinese_message(given, words):
    with pytest.raises(CourseInputError, match=words):
        numeric.exercise(given)


@pytest.mark.parametrize(("change", "words"), [
    ({"calculation": {"model": "no_such_model"}}, "计算依据"),
    ({"calculation": {"model": "business_value", "revenue": 1, "cost": 1, "tax": 3}}, "tax"),
    ({"hint": ""}, "缺少「hint」"),
    ({"id": "L03-E01"}, "题号应当形如 L02-E01"),
    ({"answer": 5}, "只写一个"),
    ({"colour": "red"}, "未知的字段"),
])
def test_a_broken_exercise_file_is_reported_in_chinese(change, words):
    """Is each mistake in an exercise file one Chinese message naming the file and the item?"""
    item = {"id": "L02-E01", "kind": "number", "prompt": "题干？", "hint": "提示。",
            "explanation": "解析。", "calculation": {"model": "business_value", "revenue": 3, "cost": 1}}
    data = {"lesson": 2, "exercises": [{**item, **change}]}
    with pytest.raises(CourseInputError, match=words) as raised:
        numeric.parse_file(yaml.safe_load(yaml.safe_dump(data, allow_unicode=True)), "exercises02.yml")
    assert "exercises02.yml" in str(raised.value)
