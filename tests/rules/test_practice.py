"""实训 rules (crmlab.rules.practice) and their two widgets, driven without a browser."""

from __future__ import annotations

import re

import pytest

from crmlab.rules import practice
from crmlab.rules.checks import CourseInputError
from crmlab.rules.labelling import Item
from crmlab.widgets import ExchangeScoreForm, ReportSorter
from crmlab.widgets.labelling import shuffled
from tests.support import ROOT

FULL = {c.key: c.points for c in practice.CRITERIA}
ENGLISH_ERROR = re.compile(r"Traceback|[A-Za-z]+(Error|Exception)\b")


def _right(paragraph: Item) -> str:
    return practice.PART_BY_KEY[paragraph.answer].label


# ------------------------------------------------------------------------------ the report


def test_report_has_the_three_parts_in_order():
    """Are the parts 开头, 正文, 结尾 in that order, each with its task and requirements?"""
    assert [p.label for p in practice.REPORT_PARTS] == ["开头", "正文", "结尾"]
    assert all(p.task and p.requirements for p in practice.REPORT_PARTS)
    body = practice.PART_BY_KEY["body"]
    assert [r[:4] for r in body.requirements] == ["紧扣主题", "言之有序", "言之有理", "言之有据"]


def test_example_report_reads_opening_body_ending():
    """Does the example report have every part, in the order a report is read?"""
    order = [p.answer for p in practice.REPORT_EXAMPLE]
    assert order == sorted(order, key=[p.key for p in practice.REPORT_PARTS].index)
    assert set(order) == set(practice.PART_BY_KEY)
    assert len({p.id for p in practice.REPORT_EXAMPLE}) == len(order)


def test_sorting_marks_right_wrong_blank_and_invalid():
    """Is each paragraph marked correct, incorrect, unanswered or invalid, with a message?"""
    first, second, third, fourth = practice.REPORT_EXAMPLE[:4]
    result = practice.mark_structure(
        {first.id: "开头", second.id: "结尾", third.id: "  ", fourth.id: "摘要"},
        paragraph_ids=[p.id for p in practice.REPORT_EXAMPLE[:4]],
    )
    assert [i.outcome for i in result.items] == ["correct", "incorrect", "unanswered", "invalid"]
    assert (result.correct, result.total) == (1, 4)
    assert result.items[0].message == first.reason
    assert "不是结尾" in result.items[1].message
    assert "只能选 开头、正文、结尾" in result.items[3].message


def test_a_wrong_answer_does_not_name_the_right_part():
    """Does the message for a wrong choice leave the right part for the student to find?"""
    body = next(p for p in practice.REPORT_EXAMPLE if p.answer == "body")
    item = practice.mark_structure({body.id: "开头"}, paragraph_ids=[body.id]).items[0]
    assert item.outcome == "incorrect"
    assert "正文" not in item.message.replace("不是开头", "")


def test_parts_are_accepted_as_keys_or_labels_full_width_too():
    """Are 「body」, 「正文」 and 「 正文 」 all read as the body?"""
    body = next(p for p in practice.REPORT_EXAMPLE if p.answer == "body")
    for given in ("body", "正文", " 正文 "):
        assert practice.mark_structure({body.id: given}, paragraph_ids=[body.id]).correct == 1


def test_unanswered_paragraphs_of_the_exercise_are_counted():
    """Do paragraphs left out of the answers count as unanswered, not as missing?"""
    result = practice.mark_structure({})
    assert result.count("unanswered") == len(practice.REPORT_EXAMPLE)
    assert result.correct == 0


@pytest.mark.parametrize("answers, ids, text", [
    ({"R99": "开头"}, None, "没有这些段落编号：R99"),
    ({"R1": "开头"}, ["R2"], "这些段落编号不在本次练习中：R1"),
    ({}, [], "本次练习没有题目"),
    (["R1"], None, "应当是以段落编号为键"),
])
def test_bad_sorting_input_is_refused_in_chinese(answers, ids, text):
    """Are an unknown paragraph, one outside the exercise, none at all or a non-mapping refused?"""
    with pytest.raises(CourseInputError, match=text):
        practice.mark_structure(answers, paragraph_ids=ids)


def test_report_in_order_after_marking():
    """Does a marked exercise give back its paragraphs in the report's order?"""
    ids = ["R8", "R3", "R1"]
    assert [p.id for p in practice.report_in_order(ids)] == ["R1", "R3", "R8"]


# ----------------------------------------------------------------------- the oral exchange


def test_rubric_dimensions_and_points_agree():
    """Do the four dimensions carry 50/30/10/10 points, each the sum of its criteria, total 100?"""
    assert [(d.label, d.points) for d in practice.DIMENSIONS] == [
        ("交流内容", 50), ("交流表述", 30), ("交流表情", 10), ("交流姿态", 10)]
    for dimension in practice.DIMENSIONS:
        criteria = [c for c in practice.CRITERIA if c.dimension == dimension.key]
        assert sum(c.points for c in criteria) == dimension.points
        assert {c.tier for c in criteria} == set(practice.TIERS)
    assert practice.TOTAL_POINTS == 100
    assert practice.TIER_POINTS == {"basic": 55, "outstanding": 45}


def test_full_marks_score_100():
    """Does a speaker who meets every criterion get 100?"""
    result = practice.score_exchange(FULL)
    assert result.total == 100
    assert result.dimension_totals == {d.key: d.points for d in practice.DIMENSIONS}
    assert result.lost() == {}


def test_deductions_add_up_by_dimension_and_tier():
    """Are points lost on a few criteria taken off their dimension, their tier and the total?"""
    marks = {**FULL, "own_view": 10, "pace": 1.5, "appealing": 0}
    result = practice.score_exchange(marks)
    assert result.total == 100 - 5 - 1.5 - 2
    assert result.dimension_totals["content"] == 45
    assert result.dimension_totals["delivery"] == 28.5
    assert result.dimension_totals["expression"] == 8
    assert result.tier_totals == {"basic": 50, "outstanding": 41.5}
    assert result.lost() == {"own_view": 5, "pace": 1.5, "appealing": 2}


def test_decimal_marks_add_exactly():
    """Do marks such as 0.1 + 0.2 add up to exactly what a teacher adds by hand?"""
    marks = {**dict.fromkeys(FULL, 0), "pace": 0.1, "voice": 0.2}
    assert practice.score_exchange(marks).total == 0.3


@pytest.mark.parametrize("marks, text", [
    ({**FULL, "pace": 4}, "「善于控制语速」应在 0～3 分之间"),
    ({**FULL, "pace": -1}, "「善于控制语速」应在 0～3 分之间"),
    ({**FULL, "pace": "3"}, "「善于控制语速」必须是数字"),
    ({k: v for k, v in FULL.items() if k != "voice"}, "还没有打分：语音动听"),
    ({**FULL, "smile": 3}, "未知的项目：smile"),
])
def test_bad_marks_are_refused_in_chinese(marks, text):
    """Is a mark out of range, not a number, missing or unknown refused with a Chinese message?"""
    with pytest.raises(CourseInputError, match=text):
        practice.score_exchange(marks)


# ------------------------------------------------------------------------------ the widgets


def test_sorter_shuffles_the_paragraphs_reproducibly():
    """Does the sorter show every paragraph, shuffled, in the same order for the same seed?"""
    order = [p.id for p in ReportSorter(seed=3).items]
    assert order == [p.id for p in shuffled(practice.REPORT_EXAMPLE, 3)]
    assert sorted(order) == sorted(p.id for p in practice.REPORT_EXAMPLE)
    assert order != [p.id for p in practice.REPORT_EXAMPLE]


def test_sorter_marks_what_the_model_marks_and_shows_the_report_when_all_right():
    """Does the sorter show the model's verdicts, and the ordered report only when all is right?"""
    sorter = ReportSorter()
    for n, paragraph in enumerate(sorter.items):
        wrong = "结尾" if paragraph.answer != "ending" else "开头"
        sorter.choices[paragraph.id].value = _right(paragraph) if n else wrong
    sorter.check_button.click()
    expected = practice.mark_structure({pid: c.value for pid, c in sorter.choices.items()},
                                       paragraph_ids=[p.id for p in sorter.items])
    assert sorter.result == expected
    assert f"答对 {expected.correct} / {expected.total} 段" in sorter.output.value
    assert sorter.report.value == ""
    sorter.choices[sorter.items[0].id].value = _right(sorter.items[0])
    assert sorter.result is None and "再点一次" in sorter.output.value
    sorter.check()
    assert sorter.result.correct == len(practice.REPORT_EXAMPLE)
    report = sorter.report.value
    positions = [report.index(p.text) for p in practice.REPORT_EXAMPLE]
    assert positions == sorted(positions)


def test_sorter_reset_clears_answers_and_verdicts():
    """Does 「重新开始」 clear every choice, verdict and the score?"""
    sorter = ReportSorter()
    first = sorter.items[0]
    sorter.choices[first.id].value = _right(first)
    sorter.check()
    sorter.reset_button.click()
    assert all(c.value is None for c in sorter.choices.values())
    assert all(f.value == "" for f in sorter.feedback.values())
    assert (sorter.result, sorter.output.value, sorter.report.value) == (None, "", "")


def test_form_totals_come_from_the_model():
    """Does the form show the dimension subtotals and total that score_exchange gives?"""
    marks = {**FULL, "theory_practice": 12, "fluent": 3.5}
    form = ExchangeScoreForm()
    assert form.result is None and "还有 15 项未填写" in form.output.value
    form.fill(marks)
    expected = practice.score_exchange(marks)
    assert form.result == expected
    assert f"<b class='crm-total'>{expected.total:g}</b>" in form.output.value
    assert "基本要求 52 / 55 分" in form.output.value


def test_form_bad_box_gets_a_chinese_message_beside_it():
    """Does a mark out of range or not a number get a message beside its box, no traceback?"""
    form = ExchangeScoreForm(marks=FULL)
    assert form.result is not None
    for typed in ("4", "很好"):
        form.boxes["pace"].value = typed
        assert "请填 0～3 的分数" in form.errors["pace"].value
        assert form.result is None and "有 1 个分数不对" in form.output.value
        assert not ENGLISH_ERROR.search(form.output.value + form.errors["pace"].value)
    form.boxes["pace"].value = "３"  # full width is fine
    assert form.errors["pace"].value == "" and form.result.total == 100


# ------------------------------------------------------------------- the texts that quote it


def test_teacher_guide_table_is_the_rubric():
    """Does the 教师指南's score sheet give every criterion with its points in its dimension's
    row, and the tier totals the course computes?"""

    text = (ROOT / "docs" / "教师指南.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in text.splitlines()
            if line.startswith("| 交流")}
    for dimension in practice.DIMENSIONS:
        row = rows[dimension.label]
        assert row.rstrip(" |").endswith(str(dimension.points))
        for c in (c for c in practice.CRITERIA if c.dimension == dimension.key):
            short = c.label.removeprefix("表述").removeprefix("表情").removeprefix("姿态")
            assert f"{short} {c.points}" in row, (dimension.label, c.label)
    basic, outstanding = practice.TIER_POINTS["basic"], practice.TIER_POINTS["outstanding"]
    assert f"基本要求 {basic} 分、突出表现\n{outstanding} 分" in text


def test_lesson_14_quiz_quotes_the_rubric_points():
    """Do the lesson 14 questions that quote points agree with crmlab.rules.practice?"""
    from crmlab.exercises import quiz

    bank = {q.id: q for q in quiz.load_bank(14)}
    points = {d.label: d.points for d in practice.DIMENSIONS}
    assert (f"交流内容占 {points['交流内容']} 分，交流表述 {points['交流表述']} 分，"
            f"表情和姿态各 {points['交流表情']} 分") in bank["L14-03"].explanation
    assert points["交流表情"] == points["交流姿态"]
    assert (f"分别加起来，是 {practice.TIER_POINTS['basic']} 分和 "
            f"{practice.TIER_POINTS['outstanding']} 分") in bank["L14-09"].explanation
    assert f"内容一项就占 {points['交流内容']} 分" in bank["L14-08"].explanation


def test_form_shows_each_dimensions_advice_on_its_name():
    """Does the form show, over each dimension's name, what the speaker should attend to?"""
    from crmlab.widgets._base import esc

    shown = "\n".join(child.value for child in ExchangeScoreForm().grid.children
                      if hasattr(child, "value"))
    for dimension in practice.DIMENSIONS:
        assert f"title='{esc('；'.join(dimension.advice))}'>{dimension.label}" in shown


def test_teacher_guide_hours_add_up_for_the_lessons_there_are():
    """Does the 教师指南's suggested plan (00 and 01 share 2 hours, 08 and 09 share 2, 10 and 14
    get 4 each, every other lesson notebook 2, so lesson 03's two parts 4) fill exactly the 32
    hours it is for, with the course manifest's lessons?"""

    from crmlab.course.manifest import load_course

    root = ROOT
    text = (root / "docs" / "教师指南.md").read_text(encoding="utf-8")
    assert "32 学时时，第〇课和第一课合用 2 学时，第八课和第九课" in text
    assert "第三课（Python 入门）分上、下两次课，第十课（满意度调研与统计）和第十四课（实训）各 4 学时" in text
    lessons = [lesson.id for lesson in load_course().lessons]  # a lesson in two parts: twice
    assert {"00", "01", "08", "09", "10", "14"} <= set(lessons)
    hours = 2 + 2 + sum(4 if n in ("10", "14") else 2 for n in lessons if n not in ("00", "01", "08", "09"))
    assert hours == 32
