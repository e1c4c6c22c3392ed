"""Complaint handling (客户投诉处理): the textbook's eight steps and an ordering exercise.

The steps (the textbook's procedure of 客户投诉处理) run from recording the complaint to
summarising the case. The exercise gives students the steps shuffled; ``check_order`` marks
the order they put them in.

Feedback rules:

* a position is right when the step there has that order number;
* the **longest correctly ordered run** is the longest stretch of adjacent positions in the
  student's list where every step is directly followed by its true successor (e.g. ``记录 →
  判定 → 确定部门`` anywhere in the list is a run of 3); the first such stretch on a tie;
* each misplaced step gets one hint, the most telling of: step 1 must come first; the step
  is placed before its true predecessor ("…应在…之后"); it is placed after its true successor
  ("…应在…之前"); otherwise, which step number it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crmlab.rules.checking import Outcome
from crmlab.rules.checks import CourseInputError


@dataclass(frozen=True)
class ComplaintStep:
    """One step of the complaint process."""

    order: int  # 1-based
    key: str
    title: str
    explanation: str


STEPS: tuple[ComplaintStep, ...] = (
    ComplaintStep(1, "record", "记录投诉内容", "把客户投诉的时间、对象、事由和要求完整记下来。"),
    ComplaintStep(
        2, "validate", "判定投诉是否成立", "对照事实、合同和规定，判断客户的投诉是否成立。"
    ),
    ComplaintStep(
        3, "assign", "确定投诉处理责任部门", "根据投诉涉及的内容，确定由哪个部门负责处理。"
    ),
    ComplaintStep(4, "analyse", "责任部门分析投诉原因", "责任部门查明问题出在哪里、为什么会发生。"),
    ComplaintStep(5, "propose", "提出处理方案", "根据原因和客户的要求，拟定具体的解决办法。"),
    ComplaintStep(6, "approve", "提交主管领导批示", "把处理方案报给主管领导审批。"),
    ComplaintStep(
        7,
        "implement",
        "实施处理方案",
        "落实方案，处罚直接责任者，通知客户，并尽快收集客户的反馈意见。",
    ),
    ComplaintStep(8, "review", "总结评价", "总结这次投诉的处理经过，评价效果，改进今后的工作。"),
)

STEP_BY_KEY: dict[str, ComplaintStep] = {step.key: step for step in STEPS}
CORRECT_ORDER: tuple[str, ...] = tuple(step.key for step in STEPS)
WHAT = "投诉处理步骤"


@dataclass(frozen=True)
class OrderFeedback:
    """Feedback on a student's ordering of the steps."""

    given: tuple[str, ...]
    correct: bool  # every step in its place
    position_correct: tuple[bool, ...]  # per position of the student's list
    longest_run: tuple[str, ...]  # keys of the longest correctly ordered run
    hints: tuple[str, ...]  # one Chinese sentence per misplaced step, in list order

    @property
    def outcome(self) -> Outcome:
        """The order's outcome in the course's one vocabulary (correct or incorrect)."""
        return Outcome.CORRECT if self.correct else Outcome.INCORRECT

    @property
    def n_correct(self) -> int:
        """How many steps are in their right position."""
        return sum(self.position_correct)

    @property
    def summary(self) -> str:
        """One Chinese sentence for the top of the feedback."""
        if self.correct:
            return f"完全正确！{len(STEPS)} 个步骤的顺序都对了。"
        return (
            f"有 {self.n_correct} 个步骤的位置正确；最长的一段连续正确顺序有 "
            f"{len(self.longest_run)} 步。请看下面的提示再试一次。"
        )


def _checked(student_order: object) -> tuple[str, ...]:
    if not isinstance(student_order, Sequence) or isinstance(student_order, str):
        raise CourseInputError(f"「{WHAT}」应当是步骤代号的列表。", WHAT)
    given = tuple(student_order)
    unknown = [str(key) for key in given if key not in STEP_BY_KEY]
    if unknown:
        names = "、".join(f"{step.key}（{step.title}）" for step in STEPS)
        raise CourseInputError(
            f"「{WHAT}」中有未知的步骤：{'、'.join(unknown)}。可用的步骤：{names}", WHAT
        )
    repeated = [key for i, key in enumerate(given) if key in given[:i]]
    if repeated:
        titles = "、".join(f"「{STEP_BY_KEY[key].title}」" for key in dict.fromkeys(repeated))
        raise CourseInputError(f"「{WHAT}」中这些步骤出现了不止一次：{titles}。", WHAT)
    if len(given) != len(STEPS):
        raise CourseInputError(
            f"「{WHAT}」应当包括全部 {len(STEPS)} 个步骤，现在有 {len(given)} 个。", WHAT
        )
    return given


def _longest_run(given: tuple[str, ...]) -> tuple[str, ...]:
    orders = [STEP_BY_KEY[key].order for key in given]
    best_start, best_length, start = 0, 1, 0
    for i in range(1, len(orders) + 1):
        if i == len(orders) or orders[i] != orders[i - 1] + 1:
            if i - start > best_length:
                best_start, best_length = start, i - start
            start = i
    return given[best_start : best_start + best_length]


def _hint(step: ComplaintStep, position: dict[str, int]) -> str:
    """A direction to think in, never the step's place: which neighbour it should follow or
    precede, or whether it sits too early or too late."""
    if step.order == 1:
        return f"「{step.title}」放得太靠后了：后面的步骤都要用到它的结果。"
    before = STEPS[step.order - 2]
    if position[step.key] < position[before.key]:
        return f"「{step.title}」应在「{before.title}」之后。"
    if step.order < len(STEPS):
        after = STEPS[step.order]
        if position[step.key] > position[after.key]:
            return f"「{step.title}」应在「{after.title}」之前。"
    direction = "靠前" if position[step.key] < step.order - 1 else "靠后"
    return f"「{step.title}」放得太{direction}了：再对照它前后相邻的步骤想一想。"


def check_order(student_order: list[str]) -> OrderFeedback:
    """Mark a student's order of the eight steps, given as step keys (``STEPS[i].key``).

    A list of the wrong length, a repeated step or an unknown key raises
    :class:`CourseInputError` with a Chinese message.
    """
    given = _checked(student_order)
    position = {key: i for i, key in enumerate(given)}
    right = tuple(STEP_BY_KEY[key].order == i + 1 for i, key in enumerate(given))
    hints = tuple(
        _hint(STEP_BY_KEY[key], position) for key, ok in zip(given, right, strict=True) if not ok
    )
    return OrderFeedback(given, all(right), right, _longest_run(given), hints)
