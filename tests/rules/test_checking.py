"""The checking engine (crmlab.rules.checking): outcomes, results, tries and number tolerance."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmlab.exercises import coding, numeric, quiz, spin_bank
from crmlab.rules import checking, labelling, spin
from crmlab.rules.checking import (
    REVEAL_AFTER,
    Attempts,
    Marking,
    Outcome,
    Result,
    check_number,
    explanation_due,
    is_blank,
    within_tolerance,
)


def result(outcome: Outcome, item_id: str = "") -> Result:
    return Result(outcome=outcome, message="…", id=item_id)


def test_every_outcome_has_its_chinese_label_and_equals_its_key():
    """Is there one Chinese label per outcome, and does each outcome compare as its key?"""
    assert {o.value: o.label for o in Outcome} == {
        "unanswered": "未作答", "invalid": "无效答案", "partial": "部分正确",
        "incorrect": "错误", "correct": "正确",
    }
    assert Outcome.CORRECT == "correct" and Outcome("incorrect") is Outcome.INCORRECT
    assert result("correct").outcome is Outcome.CORRECT  # a key given is read as the outcome


def test_wrong_tries_and_real_tries():
    """Are partial and incorrect wrong tries, and only they and correct real tries?"""
    assert {o for o in Outcome if o.wrong_try} == {Outcome.PARTIAL, Outcome.INCORRECT}
    assert {o for o in Outcome if o.attempted} == {Outcome.PARTIAL, Outcome.INCORRECT,
                                                   Outcome.CORRECT}


@pytest.mark.parametrize(("outcome", "wrong_before", "due"), [
    (Outcome.CORRECT, 0, True),
    (Outcome.INCORRECT, 0, False),
    (Outcome.INCORRECT, REVEAL_AFTER - 1, True),
    (Outcome.PARTIAL, 0, False),
    (Outcome.PARTIAL, REVEAL_AFTER - 1, True),
    (Outcome.UNANSWERED, 5, False),
    (Outcome.INVALID, 5, False),
])
def test_explanation_comes_with_a_correct_answer_or_the_second_wrong_try(outcome, wrong_before,
                                                                         due):
    assert explanation_due(outcome, wrong_before) is due


@pytest.mark.parametrize(("answer", "blank"), [
    (None, True), ("", True), ("  \n", True), ([], True), (["", None], True), (set(), True),
    ("A", False), (0, False), (False, False), (["", "A"], False),
])
def test_is_blank(answer, blank):
    assert is_blank(answer) is blank


def test_attempts_count_wrong_tries_and_keep_the_first_real_try():
    """Do blank and unreadable answers leave the tries alone, wrong ones count, and the first
    real try stay the first?"""
    attempts = Attempts()
    attempts.record(result(Outcome.UNANSWERED), None)
    attempts.record(result(Outcome.INVALID), "?")
    assert (attempts.wrong, attempts.tried, attempts.first) == (0, False, None)
    attempts.record(result(Outcome.INCORRECT), "A")
    assert not attempts.reveal_due
    attempts.record(result(Outcome.PARTIAL), "AB")
    attempts.record(result(Outcome.CORRECT), "ABC")
    assert (attempts.wrong, attempts.first) == (REVEAL_AFTER, "A")
    assert attempts.reveal_due


def test_marking_counts_only_correct_items():
    """Does a marking count correct items only (partial earns 0), per outcome and by id?"""
    marking = Marking((result(Outcome.CORRECT, "a"), result(Outcome.PARTIAL, "b"),
                       result(Outcome.UNANSWERED, "c"), result(Outcome.CORRECT, "d")), unit="段")
    assert (marking.correct, marking.total, marking.percentage) == (2, 4, 50)
    assert marking.counts == {"unanswered": 1, "invalid": 0, "partial": 1, "incorrect": 0,
                              "correct": 2}
    assert marking.outcomes == {"a": "correct", "b": "partial", "c": "unanswered",
                                "d": "correct"}
    assert marking.summary == "答对 2 / 4 段。"
    assert Marking(marking.items, show_percentage=True).summary == "答对 2 / 4 题（50%）。"
    assert Marking(()).percentage == 0


# ------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("given", "inside"), [
    (20.01, True), (19.99, True), (20.0100001, False), (20.02, False), (19.98, False),
])
def test_absolute_tolerance_is_inclusive(given, inside):
    """Is a value exactly on the tolerance's edge within it (despite binary floats), and one
    just beyond it not?"""
    assert within_tolerance(given, 20, 0.01) is inside


@pytest.mark.parametrize(("given", "inside"), [(1010, True), (990, True), (1010.5, False),
                                               (-1010, False)])
def test_relative_tolerance_is_a_share_of_the_answer(given, inside):
    assert within_tolerance(given, 1000, 0.01, relative=True) is inside


def test_zero_tolerance_still_accepts_the_answer_itself():
    assert within_tolerance(0.1 + 0.2, 0.3, 0)
    assert not within_tolerance(0.31, 0.3, 0)


@pytest.mark.parametrize(("typed", "outcome", "words"), [
    ("", Outcome.UNANSWERED, "请先填写答案"),
    ("  ", Outcome.UNANSWERED, "请先填写答案"),
    ("二十", Outcome.INVALID, "「你的答案」必须是数字"),
    ("nan", Outcome.INVALID, "有限的数字"),
    ("２０ 分", Outcome.CORRECT, "回答正确"),
    ("1,000", Outcome.INCORRECT, "偏大"),
    ("19.5", Outcome.INCORRECT, "偏小"),
])
def test_check_number_outcomes(typed, outcome, words):
    """Is each typed answer (full-width digits, a unit, a thousands comma) given its outcome
    and the message the widget shows?"""
    checked = check_number(typed, 20, tolerance=0.01, unit="分", explanation="解析。")
    assert checked.outcome is outcome
    assert words in checked.message
    assert (checked.explanation == "解析。") is (outcome is Outcome.CORRECT)
    assert "20" not in checked.message  # the answer is never in the message


def test_check_number_accepts_a_number_as_well_as_text():
    assert check_number(18.0, 18).correct
    assert check_number(None, 18).outcome is Outcome.UNANSWERED


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
def test_check_number_agrees_with_the_tolerance(value):
    """Is a number correct exactly when it is within the tolerance, and never an exception?"""
    checked = check_number(str(value), 12.5, tolerance=0.1)
    assert checked.correct is within_tolerance(float(str(value)), 12.5, 0.1)


# ------------------------------------------------------------------ one vocabulary for all


def test_quiz_labelling_spin_and_code_exercises_share_the_outcomes():
    """Do a quiz question, a labelling item, a SPIN label and a code exercise all answer with
    the engine's Result and Outcome (one vocabulary, one label per outcome)?"""
    question = quiz.load_bank(1)[0]
    item = labelling.Item("x1", "a", "文字", "理由。")
    options = [labelling.Option("a", "甲"), labelling.Option("b", "乙")]
    code = next(e for lesson in numeric.lessons() for e in numeric.load_exercises(lesson)
                if isinstance(e, coding.CodeExerciseData))
    results = [
        quiz.check(question, None),
        labelling.mark({"x1": "乙"}, [item], options, retry="不是{chosen}。").items[0],
        spin.score_labelling({"gy-s01": "S"}, spin_bank.questions()).items[0],
        coding.check(code, {}),
    ]
    assert all(isinstance(r, Result) for r in results)
    assert [r.outcome for r in results] == ["unanswered", "incorrect", "correct", "unanswered"]
    assert [r.label for r in results] == ["未作答", "错误", "正确", "未作答"]


def test_the_engine_is_in_the_rules_layer():
    """Does the engine import nothing from the layers above the rules?"""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(checking))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert all(name == "__future__" or not name.startswith("crmlab")
               or name.startswith("crmlab.rules") for name in imported), imported
