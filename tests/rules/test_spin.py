"""Tests for crmlab.rules.spin: SPIN types and the three checkers, on questions the tests
give (the course's question bank is tested in tests/exercises/test_spin_bank.py)."""

from __future__ import annotations

import pytest

from crmlab.rules.checks import CourseInputError
from crmlab.rules.spin import (
    MAX_SITUATION_COUNT,
    TYPES,
    SpinQuestion,
    classify_hint,
    review_script,
    score_labelling,
)

QUESTIONS = {q.id: q for q in (
    SpinQuestion("x-s1", "现在每月用多少纸？", "S", "甲", "问的是现状中的事实。"),
    SpinQuestion("x-p1", "打印机常卡纸吗？", "P", "甲", "问的是客户的困难。"),
    SpinQuestion("x-i1", "卡纸会耽误开庭材料吗？", "I", "甲", "问的是困难带来的后果。"),
    SpinQuestion("x-n1", "如果不再卡纸，对您有什么帮助？", "N", "甲", "请客户说出解决问题的好处。"),
)}
"""A small exercise of one question per type: the rules take their questions as an argument."""


def script(types: str) -> list[tuple[str, str]]:
    """A script with the given type letters and distinct placeholder texts."""
    return [(t, f"第 {i} 个问题？") for i, t in enumerate(types, start=1)]


# ------------------------------------------------------------------------------------ types


def test_types_are_spin_in_order_with_standard_chinese_names():
    """Are the four types S, P, I, N in that order, with the book's Chinese names?"""
    assert [(t.key, t.name) for t in TYPES] == [
        ("S", "背景问题"),
        ("P", "难点问题"),
        ("I", "暗示问题"),
        ("N", "需求-效益问题"),
    ]
    assert [t.english for t in TYPES] == ["Situation", "Problem", "Implication", "Need-payoff"]


def test_every_type_has_a_purpose_and_an_opening():
    """Does every type carry a purpose and a typical opening to show students?"""
    assert all(t.purpose.strip() and t.opening.strip() for t in TYPES)


# -------------------------------------------------------------------------------- labelling


@pytest.mark.parametrize("answer", ["s", " S ", "Ｓ", "ｓ"])
def test_labels_are_case_insensitive(answer):
    """Are lower-case, padded and full-width letters accepted?"""
    assert score_labelling({"x-s1": answer}, QUESTIONS).correct == 1


def test_wrong_label_is_incorrect_with_right_type_and_explanation():
    """Does a wrong label show the right type and the explanation?"""
    item = score_labelling({"x-i1": "P"}, QUESTIONS).items[0]
    assert item.outcome == "incorrect"
    assert item.answer == "I"
    assert "暗示问题" in item.message and item.explanation in item.message


@pytest.mark.parametrize("answer", ["背景问题", "X", "SP", 1])
def test_other_values_are_invalid_not_an_exception(answer):
    """Is a typo marked invalid with a Chinese message instead of crashing?"""
    item = score_labelling({"x-s1": answer}, QUESTIONS).items[0]
    assert item.outcome == "invalid"
    assert "不是有效的类型" in item.message and "S、P、I、N" in item.message


@pytest.mark.parametrize("answer", [None, "", "   "])
def test_empty_answers_are_unanswered(answer):
    """Is an empty answer 'unanswered', not wrong or invalid?"""
    result = score_labelling({"x-s1": answer}, QUESTIONS)
    assert result.items[0].outcome == "unanswered"
    assert result.items[0].label == "未作答"


def test_percentage_counts_every_item_of_the_exercise():
    """Do unanswered and invalid items count in the total (2 of 4 right → 50%)?"""
    result = score_labelling({"x-s1": "S", "x-p1": "P", "x-i1": "", "x-n1": "?"}, QUESTIONS)
    assert (result.correct, result.total, result.percentage) == (2, 4, 50)
    assert [result.count(s) for s in ("correct", "unanswered", "invalid")] == [2, 1, 1]


def test_question_ids_missing_from_answers_are_unanswered():
    """With the exercise's ids given, does an id with no answer count as unanswered?"""
    result = score_labelling({"x-s1": "S"}, QUESTIONS, question_ids=["x-s1", "x-p1"])
    assert [i.outcome for i in result.items] == ["correct", "unanswered"]
    assert result.percentage == 50


def test_unknown_question_id_is_an_error():
    """Is an id that is not among the questions refused with a Chinese error?"""
    with pytest.raises(CourseInputError, match="没有这些题号：nope"):
        score_labelling({"nope": "S"}, QUESTIONS)


def test_answer_outside_the_exercise_is_an_error():
    """Is an answer for a question not in the exercise refused?"""
    with pytest.raises(CourseInputError, match="不在本次练习中"):
        score_labelling({"x-p1": "P"}, QUESTIONS, question_ids=["x-s1"])


@pytest.mark.parametrize("questions", [None, list(QUESTIONS.values())])
def test_questions_that_are_not_a_mapping_are_an_error(questions):
    """Are questions given as anything but id → question refused with a Chinese error?"""
    with pytest.raises(CourseInputError, match="以题号为键"):
        score_labelling({"x-s1": "S"}, questions)


def test_empty_exercise_is_an_error():
    """Is an exercise with no questions refused rather than dividing by zero?"""
    with pytest.raises(CourseInputError, match="没有题目"):
        score_labelling({}, QUESTIONS)


# ---------------------------------------------------------------------------------- scripts


def test_counts_include_every_type():
    """Are counts given for all four types, zeros included?"""
    assert review_script(script("SPP")).counts == {"S": 1, "P": 2, "I": 0, "N": 0}


def test_repeated_types_in_order_follow_the_order():
    """Does S S P P I N follow the S→P→I→N order?"""
    assert review_script(script("SSPPIN")).follows_order


def test_a_type_coming_back_breaks_the_order():
    """Does S P S I N break the order at the third question, with a warning naming it?"""
    feedback = review_script(script("SPSIN"))
    assert not feedback.follows_order
    assert feedback.order_breaks == (3,)
    assert any("第 3 个问题是背景问题" in m for m in feedback.messages)


def test_every_break_is_reported():
    """Are both returns within a problem reported in S P I N I S?"""
    assert review_script(script("SPINIS")).order_breaks == (5, 6)


@pytest.mark.parametrize("types", ["SPINPIN", "SPIPIN", "SPNPIN", "SPIPINPN"])
def test_a_new_problem_may_start_again_at_p(types):
    """Does a problem question after I or N start a new problem that again goes P→I→N,
    as the lesson teaches (「每个难点都可以顺着 P→I→N 问下去」)?"""
    feedback = review_script(script(types))
    assert feedback.follows_order and feedback.order_breaks == ()
    assert not any(w.code == "order_break" for w in feedback.warnings)


@pytest.mark.parametrize(("types", "breaks"), [("SPINS", (5,)), ("SPINPNI", (7,)), ("SPNI", (4,))])
def test_going_back_within_one_problem_breaks_the_order(types, breaks):
    """Is a return to S, or to I after N within the same problem, still an order break?"""
    feedback = review_script(script(types))
    assert feedback.order_breaks == breaks
    assert any("同一个难点之内" in m for m in feedback.messages)


def test_skipping_a_type_keeps_the_order_but_warns():
    """Is S I N in order, yet warned for having no problem question?"""
    feedback = review_script(script("SIN"))
    assert feedback.follows_order
    assert feedback.has("missing_problem")


def test_lower_case_types_are_accepted():
    """Are the student's type letters accepted in lower case?"""
    assert review_script(script("spin")).counts == {"S": 1, "P": 1, "I": 1, "N": 1}


def test_situation_count_boundary():
    """Are 4 situation questions fine and 5 too many (shares kept below 40%)?"""
    four = review_script(script("SSSS" + "P" * 4 + "II" + "NN"))
    five = review_script(script("SSSSS" + "P" * 5 + "III" + "NNN"))
    assert not four.has("too_many_situation")
    assert five.has("too_many_situation")
    assert MAX_SITUATION_COUNT == 4


def test_situation_share_boundary():
    """Are 2 situation questions of 5 (40%) fine and 3 of 7 (43%) too many?"""
    assert not review_script(script("SSPIN")).has("too_many_situation")
    assert review_script(script("SSSPPIN")).has("too_many_situation")


def test_missing_implication_and_need_payoff_are_warned():
    """Does a script with only S and P questions get both warnings?"""
    feedback = review_script(script("SPP"))
    assert feedback.has("missing_implication") and feedback.has("missing_need_payoff")


def test_need_payoff_before_any_problem_is_warned():
    """Is a need-payoff question asked before any problem question warned, once?"""
    feedback = review_script(script("SNPIN"))
    assert feedback.has("need_payoff_before_problem")
    assert sum(w.code == "need_payoff_before_problem" for w in feedback.warnings) == 1
    assert any("第 2 个问题是需求-效益问题" in m for m in feedback.messages)


def test_need_payoff_without_problem_is_warned():
    """Is a need-payoff question in a script with no problem question warned?"""
    assert review_script(script("SIN")).has("need_payoff_before_problem")


def test_need_payoff_after_problem_is_not_warned():
    """Is S P N free of the need-payoff-first warning?"""
    assert not review_script(script("SPN")).has("need_payoff_before_problem")


def test_empty_script_is_warned_and_not_in_order():
    """Does an empty script get the empty warning and not count as following the order?"""
    feedback = review_script([])
    assert [w.code for w in feedback.warnings] == ["empty"]
    assert not feedback.follows_order and feedback.total == 0


def test_bad_type_in_a_script_names_its_position():
    """Is a type that is not S/P/I/N refused with the question's position?"""
    with pytest.raises(CourseInputError, match="第 2 个问题的类型「X」无效"):
        review_script([("S", "现在用多少？"), ("X", "怎么样？")])


def test_empty_question_text_is_refused():
    """Is a question with no text refused with its position?"""
    with pytest.raises(CourseInputError, match="第 1 个问题还没有内容"):
        review_script([("S", "  ")])


@pytest.mark.parametrize("bad", ["SPIN", [("S",)], None])
def test_script_of_the_wrong_shape_is_refused(bad):
    """Is a script that is not a list of (type, text) pairs refused?"""
    with pytest.raises(CourseInputError):
        review_script(bad)


def test_script_items_carry_a_hint():
    """Does each script item carry the keyword hint for its wording?"""
    feedback = review_script([("S", "这会导致什么后果？")])
    assert feedback.items[0].hint == "I"


# ------------------------------------------------------------------------------------ hints


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("你们目前每月采购多少条轮胎？", "S"),
        ("现有供应商有没有让您担心的地方？", "P"),
        ("您对交货速度满意吗？", "P"),
        ("这个问题会导致什么后果？", "I"),
        ("如果生产线停下来，会怎么样？", "I"),
        ("如果材料没能按时送到，会怎么样？", "I"),
        ("如果能减少停线，对您有什么帮助？", "N"),
        ("这样做的价值在哪里？", "N"),
    ],
)
def test_hint_examples(text, expected):
    """Does the hint suggest the expected type for typical wordings?"""
    assert classify_hint(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "你好。"])
def test_hint_is_none_without_a_keyword(text):
    """Is there no hint for a blank text or one without any marker?"""
    assert classify_hint(text) is None


def test_hint_refuses_non_text():
    """Is a non-string refused with a Chinese error?"""
    with pytest.raises(CourseInputError, match="应当是文字"):
        classify_hint(42)  # type: ignore[arg-type]
