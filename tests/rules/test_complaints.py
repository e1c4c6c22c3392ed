"""Tests for crmlab.rules.complaints: the eight complaint-handling steps and the ordering exercise."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmlab.rules.checks import CourseInputError
from crmlab.rules.complaints import CORRECT_ORDER, STEPS, check_order


def swapped(i: int, j: int) -> list[str]:
    """The correct order with positions i and j (0-based) exchanged."""
    order = list(CORRECT_ORDER)
    order[i], order[j] = order[j], order[i]
    return order


def test_steps_are_the_textbooks_eight_in_order():
    """Are there eight steps numbered 1–8 with the textbook's titles?"""
    assert [s.order for s in STEPS] == list(range(1, 9))
    assert [s.title for s in STEPS] == [
        "记录投诉内容",
        "判定投诉是否成立",
        "确定投诉处理责任部门",
        "责任部门分析投诉原因",
        "提出处理方案",
        "提交主管领导批示",
        "实施处理方案",
        "总结评价",
    ]


def test_step_keys_are_unique_and_explained():
    """Is every key unique and every step explained in one line?"""
    assert len({s.key for s in STEPS}) == 8
    assert all(s.explanation and "\n" not in s.explanation for s in STEPS)


def test_implementation_step_keeps_its_three_duties():
    """Does step 7 mention penalising, notifying the customer and collecting feedback?"""
    explanation = STEPS[6].explanation
    assert all(word in explanation for word in ("处罚直接责任者", "通知客户", "反馈"))


def test_correct_order_is_fully_right():
    """Is the correct order marked fully right, with no hints and a run of 8?"""
    feedback = check_order(list(CORRECT_ORDER))
    assert feedback.correct and feedback.n_correct == 8
    assert feedback.hints == () and len(feedback.longest_run) == 8
    assert feedback.summary.startswith("完全正确")
    assert feedback.outcome == "correct"


def test_swapping_the_first_two_steps():
    """With 判定 placed before 记录, are both hints given as in the brief?"""
    feedback = check_order(swapped(0, 1))
    assert not feedback.correct and feedback.outcome == "incorrect"
    assert feedback.position_correct == (False, False, True, True, True, True, True, True)
    assert feedback.hints == (
        "「判定投诉是否成立」应在「记录投诉内容」之后。",
        "「记录投诉内容」放得太靠后了：后面的步骤都要用到它的结果。",
    )


def test_step_after_its_successor_gets_a_before_hint():
    """Is a step placed after its true successor told to come before it?"""
    feedback = check_order(swapped(1, 2))  # record, assign, validate, …
    assert feedback.hints == (
        "「确定投诉处理责任部门」应在「判定投诉是否成立」之后。",
        "「判定投诉是否成立」应在「确定投诉处理责任部门」之前。",
    )


def test_misplaced_step_in_right_relative_order_gets_a_direction_not_its_number():
    """Is a step that is after its predecessor and before its successor told which way it is
    off, never its step number (the hint must not give the answer away)?"""
    order = ["validate", "assign", "record", *CORRECT_ORDER[3:]]
    hints = check_order(order).hints
    assert hints[1] == "「确定投诉处理责任部门」放得太靠前了：再对照它前后相邻的步骤想一想。"


@pytest.mark.parametrize("seed", range(40))
def test_no_hint_names_a_step_number(seed):
    """For shuffled orders, does no hint say which step number a step is (「第 n 步」, 「第一步」)?"""
    import random

    order = list(CORRECT_ORDER)
    random.Random(seed).shuffle(order)
    for hint in check_order(order).hints:
        assert not re.search(r"第\s*[0-9一二三四五六七八]+\s*步", hint), hint


def test_one_hint_per_misplaced_step():
    """Is there exactly one hint for each step out of place?"""
    feedback = check_order(list(reversed(CORRECT_ORDER)))
    assert len(feedback.hints) == 8 - feedback.n_correct == 8


def test_longest_run_is_contiguous_consecutive_steps():
    """In record, assign, validate, analyse…review, is the longest run analyse → review?"""
    feedback = check_order(swapped(1, 2))
    assert feedback.longest_run == ("analyse", "propose", "approve", "implement", "review")


def test_longest_run_counts_runs_out_of_place():
    """Is a correct sequence counted as a run even when shifted from its positions?"""
    order = ["review", *CORRECT_ORDER[:7]]
    feedback = check_order(order)
    assert feedback.n_correct == 0
    assert feedback.longest_run == CORRECT_ORDER[:7]


def test_longest_run_tie_goes_to_the_first():
    """With only runs of length 1 (reversed order), is the first step the run?"""
    assert check_order(list(reversed(CORRECT_ORDER))).longest_run == ("review",)


@pytest.mark.parametrize("length", [0, 1, 7])
def test_too_few_steps_are_refused(length):
    """Is a list of fewer than 8 steps refused, saying how many there are?"""
    with pytest.raises(CourseInputError, match=f"全部 8 个步骤，现在有 {length} 个"):
        check_order(list(CORRECT_ORDER[:length]))


def test_nine_steps_are_refused():
    """Is a ninth step (necessarily a repeat) refused?"""
    with pytest.raises(CourseInputError, match="出现了不止一次"):
        check_order([*CORRECT_ORDER, "record"])


def test_duplicate_step_is_refused_with_its_title():
    """Is a step given twice refused, naming it in Chinese?"""
    with pytest.raises(CourseInputError, match="「记录投诉内容」"):
        check_order(["record", *CORRECT_ORDER[:7]])


def test_unknown_key_is_refused_with_the_allowed_keys():
    """Is an unknown key refused, listing the keys there are?"""
    with pytest.raises(CourseInputError, match="未知的步骤：apologise") as error:
        check_order([*CORRECT_ORDER[:7], "apologise"])
    assert "record（记录投诉内容）" in str(error.value)


@pytest.mark.parametrize("bad", ["record", None, 8])
def test_not_a_list_is_refused(bad):
    """Is something other than a list of keys refused?"""
    with pytest.raises(CourseInputError, match="列表"):
        check_order(bad)  # type: ignore[arg-type]


@given(st.permutations(CORRECT_ORDER))
def test_any_permutation_is_marked_consistently(order):
    """For any order, do correctness, positions and hints agree with each other?"""
    feedback = check_order(list(order))
    expected = tuple(a == b for a, b in zip(order, CORRECT_ORDER, strict=True))
    assert feedback.position_correct == expected
    assert feedback.correct is all(expected)
    assert len(feedback.hints) == 8 - feedback.n_correct
    assert 1 <= len(feedback.longest_run) <= 8
