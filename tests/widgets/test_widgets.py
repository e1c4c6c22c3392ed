"""The exercise widgets, driven without a browser: set control values or call the button
methods, then read what the widget shows and compare it with the domain model."""

from __future__ import annotations

import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crmlab.widgets as crm_widgets
from crmlab import charts
from crmlab.exercises import order, quiz, spin_bank
from crmlab.rules import assessment, checking, complaints, credit, grading, relationship, spin
from crmlab.rules.checks import CourseInputError
from crmlab.widgets import (
    AssessmentForm,
    ComplaintSorter,
    CreditScorecard,
    GradingScorecard,
    NumberExercise,
    Quiz,
    RelationshipPicker,
    SpinScriptCoach,
    SpinSorter,
)
from crmlab.widgets._base import chart_png
from crmlab.widgets.complaints import shuffled_steps

WIDGET_CLASSES = ("GradingScorecard", "CreditScorecard", "RelationshipPicker", "SpinSorter",
                  "SpinScriptCoach", "ComplaintSorter", "Quiz", "AssessmentForm",
                  "NumberExercise", "ReportSorter", "ExchangeScoreForm", "PrivacySorter",
                  "ServiceStageSorter")
APOLOGY = "出了点意外"
ENGLISH_ERROR = re.compile(r"Traceback|[A-Za-z]+(Error|Exception)\b")


def shown(widget: widgets.Widget) -> str:
    """All HTML a widget shows, its children's included, joined."""
    parts = []
    if isinstance(widget, widgets.HTML):
        parts.append(widget.value)
    for child in getattr(widget, "children", ()):
        parts.append(shown(child))
    return "\n".join(parts)


def text_of(html: str) -> str:
    """The visible text of some HTML (tags removed)."""
    return re.sub(r"<[^>]+>", "", html)


# ---------------------------------------------------------------------------- the package


def test_package_exports_every_widget_class():
    """Does ``crmlab.widgets`` export every widget class, each a VBox?"""
    for name in WIDGET_CLASSES:
        assert name in crm_widgets.__all__
        assert issubclass(getattr(crm_widgets, name), widgets.VBox)


# ------------------------------------------------------------------------ GradingScorecard


def test_grading_textbook_example_shows_level_d():
    """Does 「载入教材例题」 show the textbook's 20 points and level D?"""
    card = GradingScorecard()
    card.load_example()
    assert card.result.score == 20
    assert card.result.level == "D"
    assert "D 级" in card.output.value
    assert "20" in text_of(card.output.value)


@pytest.mark.parametrize(("amount", "bonuses", "penalties"), [
    ("50", {}, {}),
    ("50.01", {}, {}),
    ("100", {"gross_margin": 5}, {}),
    ("300", {"growth": 5, "brand": 4}, {"arrears": 3}),
    ("300.5", {}, {"reputation": 5}),
    ("500", {"gross_margin": 5, "product_needs": 5, "cooperation_years": 5}, {}),
    ("0", {}, {"breach": 5, "arrears": 5}),
    ("1,200", {}, {}),
])
def test_grading_shows_the_models_level(amount, bonuses, penalties):
    """For several amounts and slider settings, is the level shown the one grade_customer
    gives (boundary amounts included)?"""
    card = GradingScorecard()
    for key, value in bonuses.items():
        card.bonus[key].value = value
    for key, value in penalties.items():
        card.penalty[key].value = value
    card.amount.value = amount
    expected = grading.grade_customer(float(amount.replace(",", "")), bonuses, penalties)
    assert card.result == expected
    level = re.search(r"class='crm-level'>(.*?)</span></span>", card.output.value)
    assert text_of(level.group(1)) == f"{expected.level} 级"


def test_grading_accepts_full_width_digits():
    """Is an amount typed with full-width digits (５０) read as 50?"""
    card = GradingScorecard("５０")
    assert card.result == grading.grade_customer(50)


@pytest.mark.parametrize(("typed", "words"), [("abc", "必须是数字"), ("-5", "不能小于 0")])
def test_grading_bad_amount_shows_chinese_message_and_no_result(typed, words):
    """Does a typed word or a negative amount show a Chinese message beside the box and
    leave no result?"""
    card = GradingScorecard()
    card.amount.value = typed
    assert card.result is None
    assert words in card.amount_error.value
    assert grading.AMOUNT_LABEL in card.amount_error.value


def test_grading_empty_amount_waits_without_an_error():
    """Does an empty amount ask for a value instead of showing an error?"""
    card = GradingScorecard()
    assert card.result is None
    assert card.amount_error.value == ""
    assert "请先输入" in card.output.value


def test_grading_reset_clears_everything():
    """Does 「全部清零」 empty the amount and put every slider back to 0?"""
    card = GradingScorecard()
    card.load_example()
    card.reset()
    assert card.amount.value == ""
    assert all(s.value == 0 for s in (*card.bonus.values(), *card.penalty.values()))
    assert card.result is None


# ------------------------------------------------------------------------- CreditScorecard


FACTORS = {"character": 90, "capacity": 80, "capital": 70, "collateral": 60, "conditions": 95}


def test_credit_shows_the_models_grade_and_a_png_radar():
    """Are the score and grade those of assess_credit, and is the radar chart a PNG?"""
    card = CreditScorecard(FACTORS)
    expected = credit.assess_credit(FACTORS)
    assert card.result == expected
    assert f">{expected.grade}</span>" in card.output.value
    assert bytes(card.chart.value).startswith(b"\x89PNG\r\n\x1a\n")


def test_credit_sales_gives_the_models_limit():
    """Does a typed annual credit sales give the limit assess_credit computes?"""
    card = CreditScorecard(FACTORS, annual_credit_sales="120")
    expected = credit.assess_credit(FACTORS, annual_credit_sales=120)
    assert card.result.limit == pytest.approx(expected.limit)
    assert f"{expected.limit:,.1f}" in card.output.value


def test_credit_bad_sales_shows_message_and_still_grades():
    """Does a word typed as sales show a message beside the box while the grade still shows
    (without a limit)?"""
    card = CreditScorecard(FACTORS, annual_credit_sales="很多")
    assert "必须是数字" in card.sales_error.value
    assert card.result == credit.assess_credit(FACTORS)
    assert card.result.limit is None


def test_credit_slider_change_updates_grade():
    """Does moving a slider re-grade at once?"""
    card = CreditScorecard(dict.fromkeys(FACTORS, 100))
    card.factors["character"].value = 0
    expected = credit.assess_credit({**dict.fromkeys(FACTORS, 100), "character": 0})
    assert card.result == expected


def test_credit_change_redraws_the_radar_and_leaves_no_figure_open():
    """Does a change draw a new radar PNG for the widget's own image, with no figure left in
    pyplot for a later cell or ``plt.show()`` to display outside the widget?"""
    open_before = set(plt.get_fignums())
    card = CreditScorecard(FACTORS)
    first = bytes(card.chart.value)
    card.factors["capital"].value = 10
    assert bytes(card.chart.value).startswith(b"\x89PNG") and bytes(card.chart.value) != first
    assert set(plt.get_fignums()) == open_before


def test_a_chart_failing_half_drawn_shows_the_apology_and_leaves_no_figure_open(monkeypatch):
    """Does a chart that fails after opening its figure give the widget's Chinese apology, and
    is the half-drawn figure closed rather than left for a later cell to show?"""
    def half_drawn(*_args, **_kwargs):
        plt.subplots()
        raise RuntimeError("the drawing broke")

    open_before = set(plt.get_fignums())
    card = CreditScorecard(FACTORS)
    monkeypatch.setattr(charts, "radar_chart", half_drawn)
    card.factors["capital"].value = 10
    assert APOLOGY in card.output.value and card.result is None
    assert set(plt.get_fignums()) == open_before
    with pytest.raises(RuntimeError):
        chart_png(half_drawn)
    assert set(plt.get_fignums()) == open_before


# ---------------------------------------------------------------------- RelationshipPicker


@pytest.mark.parametrize("customers", list(relationship.CUSTOMER_COUNTS))
@pytest.mark.parametrize("margin", list(relationship.MARGINS))
def test_relationship_picker_cell(customers, margin):
    """Does each of the nine cells show the model's level, marked in the matrix?"""
    picker = RelationshipPicker()
    picker.customers.value = customers
    picker.margin.value = margin
    expected = relationship.relationship_level(customers, margin)
    assert picker.result == expected
    assert f"<mark><b>{expected.label}</b></mark>" in picker.output.value
    assert picker.output.value.count("<mark>") == 1


def test_relationship_picker_waits_for_both_choices():
    """With only one choice made, does it ask for the other and show no level?"""
    picker = RelationshipPicker()
    picker.customers.value = "few"
    assert picker.result is None
    assert "请选择" in picker.output.value


# ------------------------------------------------------------------------------ SpinSorter


def test_spin_sorter_is_deterministic_by_seed():
    """Does the same seed give the same questions in the same order, and another seed a
    different order?"""
    ids = [q.id for q in SpinSorter(seed=3).questions]
    assert ids == [q.id for q in SpinSorter(seed=3).questions]
    assert ids != [q.id for q in SpinSorter(seed=4).questions]


def test_spin_sorter_draws_from_the_goodyear_scenario_by_default():
    """Are the default questions `count` distinct Goodyear → Volkswagen questions covering
    all four types?"""
    sorter = SpinSorter(count=8)
    bank = {q.id for q in spin_bank.load_bank(spin_bank.GOODYEAR_SCENARIO)}
    ids = [q.id for q in sorter.questions]
    assert len(set(ids)) == 8
    assert set(ids) <= bank
    assert {q.type for q in sorter.questions} == {t.key for t in spin.TYPES}
    assert list(sorter.choices) == ids


def test_spin_sorter_other_scenario():
    """Does another scenario of the bank load its own questions?"""
    scenario = next(name for name in spin_bank.scenarios() if name != spin_bank.GOODYEAR_SCENARIO)
    sorter = SpinSorter(scenario=scenario, count=4)
    assert all(q.scenario == scenario for q in sorter.questions)


def test_spin_sorter_choices_start_empty_with_chinese_tooltips():
    """Does every choice start unselected, offering S/P/I/N with the Chinese type names?"""
    sorter = SpinSorter()
    for choice in sorter.choices.values():
        assert choice.value is None
        assert list(choice.options) == ["S", "P", "I", "N"]
        assert [t.name in tip for t, tip in zip(spin.TYPES, choice.tooltips)] == [True] * 4


@pytest.mark.parametrize("count", [0, 21, 2.5, "8", True])
def test_spin_sorter_refuses_a_bad_count(count):
    """Is a question count outside 1..bank size refused with a Chinese message?"""
    with pytest.raises(CourseInputError, match="题数"):
        SpinSorter(count=count)


def test_spin_sorter_score_counts():
    """With 3 right, 2 wrong and 3 blank, does the score line say 3 / 8 and 3 unanswered,
    as score_labelling does?"""
    sorter = SpinSorter(count=8, seed=1)
    questions = sorter.questions
    for q in questions[:3]:
        sorter.choices[q.id].value = q.type
    for q in questions[3:5]:
        sorter.choices[q.id].value = next(t.key for t in spin.TYPES if t.key != q.type)
    sorter.check()
    answers = {q.id: sorter.choices[q.id].value for q in questions}
    expected = spin.score_labelling(answers, spin_bank.questions(), [q.id for q in questions])
    assert sorter.result == expected
    assert (sorter.result.correct, sorter.result.count("unanswered")) == (3, 3)
    assert "答对 3 / 8 题" in sorter.output.value
    assert "还有 3 题未作答" in sorter.output.value


def test_spin_sorter_item_feedback_names_the_right_type():
    """Does each item show ✔ or ✘, and for a wrong answer the right type and explanation?"""
    sorter = SpinSorter(count=4, seed=2)
    right, wrong = sorter.questions[0], sorter.questions[1]
    sorter.choices[right.id].value = right.type
    sorter.choices[wrong.id].value = next(t.key for t in spin.TYPES if t.key != wrong.type)
    sorter.check()
    assert "✔" in sorter.feedback[right.id].value
    assert "✘" in sorter.feedback[wrong.id].value
    assert spin.TYPE_BY_KEY[wrong.type].name in sorter.feedback[wrong.id].value
    assert wrong.explanation in sorter.feedback[wrong.id].value
    assert "未作答" in sorter.feedback[sorter.questions[2].id].value


def test_spin_sorter_all_right_and_button():
    """Does the 「检查答案」 button mark a fully right sheet as 100 %?"""
    sorter = SpinSorter(count=6)
    for q in sorter.questions:
        sorter.choices[q.id].value = q.type
    sorter.check_button.click()
    assert sorter.result.correct == 6
    assert "100%" in sorter.output.value


def test_spin_sorter_change_after_check_drops_the_old_verdict():
    """Does changing an answer after a check clear that item's verdict and the result?"""
    sorter = SpinSorter(count=4)
    first = sorter.questions[0]
    sorter.choices[first.id].value = first.type
    sorter.check()
    sorter.choices[first.id].value = None
    assert sorter.result is None
    assert sorter.feedback[first.id].value == ""
    assert "再点一次" in sorter.output.value


def test_spin_sorter_reset():
    """Does 「重新开始」 clear every answer and verdict but keep the questions?"""
    sorter = SpinSorter(count=4)
    ids = list(sorter.choices)
    for q in sorter.questions:
        sorter.choices[q.id].value = "S"
    sorter.check()
    sorter.reset_button.click()
    assert list(sorter.choices) == ids
    assert all(c.value is None for c in sorter.choices.values())
    assert all(f.value == "" for f in sorter.feedback.values())
    assert sorter.result is None


# ------------------------------------------------------------------------- SpinScriptCoach


GOOD_SCRIPT = """S：贵厂现在每个月大概用多少条轮胎？
s 目前有几家轮胎供应商？

P: 现在的供应商在交货上有没有让您不放心的地方？
Ｉ：交货一旦延误，会对总装线造成什么影响？
n、如果能保证准时供货，对您有什么帮助？"""


def test_spin_coach_reads_every_prefix_form():
    """Are S：, S:, 「s 」, full-width letters and 、 all read as types (blank lines
    skipped)?"""
    pairs, problems = spin.parse_script(GOOD_SCRIPT)
    assert problems == []
    assert [key for key, _ in pairs] == ["S", "S", "P", "I", "N"]
    assert pairs[0][1] == "贵厂现在每个月大概用多少条轮胎？"


def test_spin_coach_review_counts_match_the_model():
    """Do the counts and the order verdict shown equal review_script's?"""
    coach = SpinScriptCoach(GOOD_SCRIPT)
    coach.review()
    expected = spin.review_script(spin.parse_script(GOOD_SCRIPT)[0])
    assert coach.result == expected
    for key, count in expected.counts.items():
        assert f"class='crm-count-{key}'>{count}</span>" in coach.output.value
    assert "符合 S→P→I→N" in coach.output.value


def test_spin_coach_line_without_type_names_the_line():
    """Does a line without a valid type prefix get a message naming its line number, and
    no review?"""
    coach = SpinScriptCoach("S：目前用量多少？\n现在满意吗？\nX：什么？\nP：")
    coach.review_button.click()
    assert coach.result is None
    assert "第 2 行没有写类型" in coach.script_error.value
    assert "第 3 行的类型「X」无效" in coach.script_error.value
    assert "第 4 行只写了类型 P" in coach.script_error.value


def test_spin_coach_fixed_script_clears_the_line_messages():
    """Once the bad line is fixed, do the line messages go and the review show?"""
    coach = SpinScriptCoach("现在满意吗？")
    coach.review()
    coach.script.value = "P：现在满意吗？"
    coach.review()
    assert coach.script_error.value == ""
    assert coach.result is not None


def test_spin_coach_shows_order_breaks_and_warnings():
    """Does a script that goes back to S after I show the break and the model's warnings?"""
    script = "S：用量多少？\nI：这会造成什么影响？\nS：有几家供应商？"
    coach = SpinScriptCoach(script)
    coach.review()
    assert coach.result.order_breaks == (3,)
    assert "第 3 个问题" in coach.output.value
    for text in coach.result.messages:
        assert text in text_of(coach.output.value)


def test_spin_coach_empty_script_gets_the_empty_warning():
    """Does reviewing an empty box give the model's empty-script advice, not an error?"""
    coach = SpinScriptCoach()
    coach.review()
    assert coach.result.total == 0
    assert spin.SCRIPT_WARNINGS["empty"] in coach.output.value


def test_spin_coach_hides_the_model_script_unless_asked():
    """Is the homework's model script out of reach in the coach a lesson builds by default?"""
    coach = SpinScriptCoach()
    buttons = [w for box in coach.children if isinstance(box, widgets.HBox) for w in box.children]
    assert coach.model_button not in buttons
    assert coach.model_output.value == ""


def test_spin_coach_model_script_shows_every_question_with_its_type():
    """Does 「查看示范脚本」 list the model script in order, each with its type name?"""
    coach = SpinScriptCoach(show_model=True)
    coach.model_button.click()
    html = coach.model_output.value
    positions = [html.index(q.text) for q in spin_bank.model_script()]
    assert positions == sorted(positions)
    for q in spin_bank.model_script():
        assert q.type_name in html


# ------------------------------------------------------------------------ ComplaintSorter


@settings(max_examples=200)
@given(st.integers())
def test_complaint_start_is_shuffled_never_in_order(seed):
    """For any seed, is the start a permutation of the steps, never already in order?"""
    order = shuffled_steps(seed)
    assert sorted(order) == sorted(complaints.CORRECT_ORDER)
    assert tuple(order) != complaints.CORRECT_ORDER


def test_complaint_sorter_starts_from_the_seeded_shuffle():
    """Does the widget start from shuffled_steps(seed)?"""
    assert ComplaintSorter(9).order == shuffled_steps(9)


def test_complaint_sorter_is_deterministic_by_seed():
    """Does the same seed give the same start?"""
    assert ComplaintSorter(7).order == ComplaintSorter(7).order
    assert ComplaintSorter(7).order != ComplaintSorter(8).order


def test_complaint_sorter_rows_show_the_current_order():
    """Do the rows show the step titles in the current order, also after a move?"""
    sorter = ComplaintSorter()
    sorter.move_down(0)
    titles = [text_of(t.value) for t in sorter.titles]
    assert titles == [complaints.STEP_BY_KEY[key].title for key in sorter.order]


def test_complaint_sorter_check_matches_the_model():
    """Does 「检查顺序」 show check_order's count and hints for the current order?"""
    sorter = ComplaintSorter(seed=5)
    sorter.check_button.click()
    expected = complaints.check_order(sorter.order)
    assert sorter.result == expected
    assert f"有 {expected.n_correct} 个步骤的位置正确" in sorter.output.value
    for hint in expected.hints:
        assert hint in sorter.output.value
    assert [("✔" in m.value) for m in sorter.marks] == list(expected.position_correct)


def test_complaint_sorter_reaches_all_correct_by_moving_rows():
    """Moving rows with ↑/↓ into the textbook order, does the check say all correct?"""
    sorter = ComplaintSorter(seed=11)
    target = list(complaints.CORRECT_ORDER)
    for position, key in enumerate(target):
        while sorter.order.index(key) > position:
            sorter.up_buttons[sorter.order.index(key)].click()
    sorter.check()
    assert sorter.result.correct
    assert "完全正确" in sorter.output.value
    assert all(step.explanation in sorter.output.value for step in complaints.STEPS)


def test_complaint_sorter_edges_do_not_move():
    """Does ↑ on the first row or ↓ on the last leave the order unchanged?"""
    sorter = ComplaintSorter()
    start = list(sorter.order)
    sorter.move_up(0)
    sorter.move_down(len(start) - 1)
    assert sorter.order == start
    assert sorter.up_buttons[0].disabled and sorter.down_buttons[-1].disabled


def test_complaint_sorter_bad_row_shows_message():
    """Does moving a row that does not exist show a Chinese message, not raise?"""
    sorter = ComplaintSorter()
    sorter.move_up(99)
    assert "行号" in sorter.output.value


def test_complaint_sorter_move_after_check_drops_the_result():
    """After a check, does a move clear the old verdict?"""
    sorter = ComplaintSorter()
    sorter.check()
    sorter.move_down(0)
    assert sorter.result is None
    assert sorter.output.value == ""
    assert all(m.value == "" for m in sorter.marks)


def test_complaint_sorter_reset_goes_back_to_the_start():
    """Does 「重新开始」 restore the starting shuffle?"""
    sorter = ComplaintSorter(seed=2)
    start = list(sorter.order)
    sorter.move_down(0)
    sorter.reset_button.click()
    assert sorter.order == start


# ------------------------------------------------------------------------------------ Quiz


def first_of(kind: str, lesson: int = 1) -> str:
    return next(q.id for q in quiz.load_bank(lesson) if q.kind == kind)


def answer(item, response) -> None:
    """Set an item's control to ``response`` (a letter, letters, or a bool)."""
    if item.question.kind == "multiple":
        for letter, box in item.checkboxes.items():
            box.value = letter in response
    else:
        item.control.value = response


def wrong_letter(question: quiz.Question) -> str:
    return next(letter for letter in question.letters if letter not in question.answer)


def test_quiz_loads_the_lesson_bank_in_order():
    """Does Quiz(lesson) hold every question of the bank, in file order, each with the bank's
    options in this student's order?"""
    q = Quiz(1, student="hub:20230001")
    bank = quiz.load_bank(1)
    assert [item.question.id for item in q.items] == [question.id for question in bank]
    assert [sorted(item.question.options) for item in q.items] == [sorted(b.options) for b in bank]
    assert [item.question for item in q.items] == [order.shuffled(b, "hub:20230001") for b in bank]


def test_quiz_ids_pick_questions_in_the_given_order():
    """Does Quiz(lesson, ids) hold only those questions, in that order?"""
    ids = [q.id for q in quiz.load_bank(2)][::-1][:3]
    assert [item.question.id for item in Quiz(2, ids).items] == ids


@pytest.mark.parametrize("ids", [["L01-99"], [], "L01-01"])
def test_quiz_refuses_bad_ids(ids):
    """Is an unknown id, an empty list or a bare string refused with a Chinese message?"""
    with pytest.raises(CourseInputError, match="题号"):
        Quiz(1, ids)


def test_quiz_controls_per_kind_start_empty():
    """Single → RadioButtons (None), multiple → one Checkbox per option (all off),
    true/false → ToggleButtons 正确/错误 (None)?"""
    q = Quiz(1, [first_of("single"), first_of("multiple"), first_of("truefalse")])
    single, multiple, truefalse = q.items
    assert isinstance(single.control, widgets.RadioButtons)
    assert single.control.value is None
    assert len(single.control.options) == len(single.question.options)
    assert list(multiple.checkboxes) == list(multiple.question.letters)
    assert all(isinstance(b, widgets.Checkbox) and not b.value
               for b in multiple.checkboxes.values())
    assert isinstance(truefalse.control, widgets.ToggleButtons)
    assert list(truefalse.control._options_labels) == list(quiz.TRUEFALSE_OPTIONS)
    assert truefalse.control.value is None


@pytest.mark.parametrize("kind", list(quiz.KINDS))
def test_quiz_unanswered_asks_to_answer_first(kind):
    """Does submitting with nothing chosen say 请先作答?"""
    item = Quiz(1, [first_of(kind)]).items[0]
    item.submit_button.click()
    assert item.outcome == "unanswered"
    assert "请先作答" in item.feedback.value


@pytest.mark.parametrize("kind", list(quiz.KINDS))
def test_quiz_correct_shows_explanation(kind):
    """Does the right answer show 回答正确 with the explanation?"""
    item = Quiz(1, [first_of(kind)]).items[0]
    answer(item, item.question.answer)
    item.submit()
    assert item.outcome == "correct"
    assert item.result == quiz.check(item.question, item.response)
    assert "回答正确" in item.feedback.value
    assert item.question.explanation in item.feedback.value


def _answer_wrongly(item) -> None:
    question = item.question
    if question.kind == "truefalse":
        answer(item, not question.answer)
    elif question.kind == "single":
        answer(item, wrong_letter(question))
    else:
        answer(item, [wrong_letter(question), *question.answer])


@pytest.mark.parametrize("kind", list(quiz.KINDS))
def test_quiz_explanation_waits_for_the_second_wrong_try(kind):
    """Does a first wrong answer say 回答错误 and ask to think again, keeping the explanation
    back, and the second wrong try show it?"""
    item = Quiz(1, [first_of(kind)]).items[0]
    _answer_wrongly(item)
    item.submit()
    assert item.outcome == "incorrect"
    assert "回答错误" in item.feedback.value and "再试一次" in item.feedback.value
    assert item.question.explanation not in item.feedback.value
    item.submit()
    assert item.wrong_tries == checking.REVEAL_AFTER
    assert item.question.explanation in item.feedback.value


def test_quiz_multiple_partial():
    """Does choosing only some right options of a multiple-choice question say 部分正确,
    without giving the explanation away?"""
    item = Quiz(1, [first_of("multiple")]).items[0]
    answer(item, item.question.answer[:1])
    item.submit()
    assert item.outcome == "partial"
    assert "部分正确" in item.feedback.value
    assert item.question.explanation not in item.feedback.value


def test_quiz_hint_shows_the_questions_hint():
    """Does 「提示」 show the question's hint?"""
    item = Quiz(1).items[0]
    item.hint_button.click()
    assert item.question.hint in item.hint_html.value


def test_quiz_running_score_counts_first_tries():
    """Does the score line count questions answered right at the first real try (a blank
    submission is not a try), as quiz.score does over the first tries?"""
    q = Quiz(4)
    n = len(q.items)
    assert f"首次答对 0 / {n} 题" in q.score_html.value
    q.items[0].submit()  # blank: not a try
    for item in q.items[:3]:
        answer(item, item.question.answer)
        item.submit()
    _answer_wrongly(q.items[3])
    q.items[3].submit()
    answer(q.items[3], q.items[3].question.answer)
    q.items[3].submit()  # right at the second try: not counted
    assert f"首次答对 3 / {n} 题" in q.score_html.value
    first = {item.question.id: item.first_submitted for item in q.items}
    assert q.result == quiz.score(q.questions, first)


def test_quiz_score_keeps_the_first_try():
    """Does a later change, right or wrong, leave the first-try score as it was?"""
    q = Quiz(1, [first_of("single")])
    item = q.items[0]
    answer(item, item.question.answer)
    item.submit()
    answer(item, wrong_letter(item.question))
    item.submit()
    assert q.result.correct == 1
    assert "首次答对 1 / 1 题" in q.score_html.value


# -------------------------------------------------------------------------- AssessmentForm


def sample_marks(offset: float = 0) -> dict[str, dict[str, float]]:
    """A full form: each rater gives each item its maximum minus a rater-specific amount."""
    cut = {"self": 1, "peer": 2.5, "teacher": 3}
    return {rater.key: {item.key: item.points - cut[rater.key] - offset
                        for item in assessment.ITEMS}
            for rater in assessment.RATERS}


def fill(form: AssessmentForm, marks: dict[str, dict[str, float]]) -> None:
    for (rater, key), box in form.boxes.items():
        box.value = f"{marks[rater][key]:g}"


def test_assessment_grid_has_a_box_per_rater_and_item():
    """Is there one box for every (rater, item), with the item's maximum as placeholder?"""
    form = AssessmentForm()
    assert set(form.boxes) == {(r.key, i.key) for r in assessment.RATERS
                               for i in assessment.ITEMS}
    assert form.boxes["teacher", "slides"].placeholder == "0–20"
    html = shown(form)
    for item in assessment.ITEMS:
        assert item.label in html


def test_assessment_overall_equals_score_form():
    """With every box filled, are the totals and overall those of score_form?"""
    form = AssessmentForm()
    marks = sample_marks()
    fill(form, marks)
    expected = assessment.score_form(marks["self"], marks["peer"], marks["teacher"])
    assert form.result == expected
    assert f"class='crm-overall'>{expected.overall_display}</b>" in form.output.value
    for rater in assessment.RATERS:
        assert f"{expected.totals[rater.key]:g}</b> 分" in form.totals[rater.key].value


def test_assessment_empty_box_makes_the_total_wait():
    """With one box empty, does the total wait and say 还有 1 项未填写?"""
    form = AssessmentForm(sample_marks())
    assert form.result is not None
    form.boxes["peer", "teamwork"].value = ""
    assert form.result is None
    assert "还有 1 项未填写" in form.output.value
    assert "还有 1 项未填写" in form.totals["peer"].value
    assert "还有" not in form.totals["self"].value


def test_assessment_empty_form_counts_every_box():
    """Does a fresh form say how many boxes are still empty?"""
    form = AssessmentForm()
    boxes = len(assessment.ITEMS) * len(assessment.RATERS)
    assert f"还有 {boxes} 项未填写" in form.output.value
    assert form.result is None


@pytest.mark.parametrize("typed", ["很好", "11", "-1"])
def test_assessment_bad_mark_shows_message_beside_the_box(typed):
    """Does text or an out-of-range mark show a message naming the maximum beside that box
    only, and no overall?"""
    form = AssessmentForm(sample_marks())
    form.boxes["self", "teamwork"].value = typed
    assert "满分 10 分" in form.errors["self", "teamwork"].value
    others = [e.value for k, e in form.errors.items() if k != ("self", "teamwork")]
    assert others == [""] * len(others)
    assert form.result is None
    assert "crm-overall" not in form.output.value


def test_assessment_accepts_maximum_and_zero():
    """Are 0 and each item's maximum accepted (the range is inclusive)?"""
    marks = {r.key: {i.key: (i.points if r.key == "self" else 0) for i in assessment.ITEMS}
             for r in assessment.RATERS}
    form = AssessmentForm(marks)
    assert form.result.totals["self"] == assessment.TOTAL_POINTS
    assert form.result == assessment.score_form(marks["self"], marks["peer"], marks["teacher"])


# -------------------------------------------------------------------------- NumberExercise


def exercise(**options) -> NumberExercise:
    """A question whose answer comes from the grading model (the textbook example)."""
    result = grading.grade_customer(50, {"cooperation_years": 3, "brand": 2,
                                         "product_needs": 3, "advocacy": 2})
    return NumberExercise("客户 A 的综合得分是多少？", result.score, unit="分",
                          hint="基础分加上各项加分。", explanation="10 ＋ 10 ＝ 20 分。", **options)


def submit(ex: NumberExercise, typed: str) -> str:
    ex.box.value = typed
    ex.check_button.click()
    return ex.outcome


def test_number_exercise_blank_asks_to_fill_in():
    """Does checking an empty box say 请先填写?"""
    ex = exercise()
    assert submit(ex, "  ") == "unanswered"
    assert "请先填写" in ex.feedback.value


def test_number_exercise_text_is_not_a_number():
    """Does a word typed in the box get a Chinese not-a-number message?"""
    ex = exercise()
    assert submit(ex, "二十") == "invalid"
    assert "必须是数字" in ex.feedback.value


@pytest.mark.parametrize("typed", ["20", "20.01", "19.99", "２０", "20分", "20 分"])
def test_number_exercise_correct_within_tolerance(typed):
    """Is an answer within the tolerance (unit typed or not) correct, with the
    explanation?"""
    ex = exercise()
    assert submit(ex, typed) == "correct"
    assert "回答正确" in ex.feedback.value
    assert "10 ＋ 10 ＝ 20 分" in ex.feedback.value


@pytest.mark.parametrize(("typed", "side"), [("20.02", "偏大"), ("19.98", "偏小"),
                                             ("30", "偏大")])
def test_number_exercise_incorrect_says_too_high_or_low(typed, side):
    """Is an answer just outside the tolerance incorrect, saying whether it is too high or
    too low, without showing the answer?"""
    ex = exercise()
    assert submit(ex, typed) == "incorrect"
    assert "还不对，再算一算" in ex.feedback.value
    assert side in ex.feedback.value
    assert "参考答案" not in shown(ex)


def test_number_exercise_relative_tolerance():
    """With relative=True, is the tolerance a fraction of the answer?"""
    ex = NumberExercise("多少？", 1000, tolerance=0.01, relative=True)
    assert submit(ex, "1009") == "correct"
    assert submit(ex, "1011") == "incorrect"


def test_number_exercise_reveal_appears_after_two_wrong_tries():
    """Does 「查看答案」 appear only after two wrong tries (invalid input not counted), and
    show the answer when pressed?"""
    ex = exercise()
    submit(ex, "abc")
    submit(ex, "10")
    assert ex.reveal_button.layout.display == "none"
    submit(ex, "30")
    assert ex.reveal_button.layout.display != "none"
    ex.reveal_button.click()
    assert "参考答案" in ex.solution.value
    assert ">20</b>" in ex.solution.value


def test_number_exercise_hint():
    """Does 「提示」 show the hint, and is the button hidden when there is none?"""
    ex = exercise()
    ex.hint_button.click()
    assert "基础分加上各项加分" in ex.hint_html.value
    assert NumberExercise("多少？", 1).hint_button.layout.display == "none"


@pytest.mark.parametrize(("answer_value", "tolerance"), [("20", 0.01), (float("nan"), 0.01),
                                                         (20, -1)])
def test_number_exercise_refuses_a_bad_setup(answer_value, tolerance):
    """Is a non-numeric answer or a negative tolerance refused when the exercise is made?"""
    with pytest.raises(CourseInputError):
        NumberExercise("多少？", answer_value, tolerance=tolerance)


# ----------------------------------------------------------------- never a traceback


def _bad_grading():
    card = GradingScorecard()
    for typed in ("abc", "-1", "", "1e999", "五十"):
        card.amount.value = typed
        yield card


def _bad_credit():
    card = CreditScorecard(FACTORS)
    for typed in ("abc", "-3", "∞"):
        card.sales.value = typed
        yield card


def _bad_relationship():
    picker = RelationshipPicker()
    picker.margin.value = "high"
    yield picker


def _bad_sorter():
    sorter = SpinSorter()
    sorter.check()
    yield sorter


def _bad_coach():
    coach = SpinScriptCoach()
    for script in ("没有类型的问题", "Q：什么？\nS：", "S", "Ｘ 问题"):
        coach.script.value = script
        coach.review()
        yield coach


def _bad_complaints():
    sorter = ComplaintSorter()
    for row in (-1, 8, "上", None):
        sorter.move_down(row)
        yield sorter


def _bad_quiz():
    q = Quiz(1, [first_of("single"), first_of("multiple"), first_of("truefalse")])
    for item in q.items:
        item.submit()
    yield q


def _bad_assessment():
    form = AssessmentForm(sample_marks())
    for typed in ("abc", "99", "-1", "", "NaN"):
        form.boxes["teacher", "slides"].value = typed
        yield form


def _bad_exercise():
    ex = exercise()
    for typed in ("", "abc", "nan", "1e999", "1,2,3"):
        submit(ex, typed)
        yield ex


BAD_INPUTS = {
    "grading": _bad_grading, "credit": _bad_credit, "relationship": _bad_relationship,
    "spin_sorter": _bad_sorter, "spin_coach": _bad_coach, "complaints": _bad_complaints,
    "quiz": _bad_quiz, "assessment": _bad_assessment, "exercise": _bad_exercise,
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_never_shows_a_traceback(name):
    """After each bad input, is every message Chinese, with no traceback and no English
    exception name?"""
    for widget in BAD_INPUTS[name]():
        html = shown(widget)
        found = ENGLISH_ERROR.search(text_of(html))
        assert found is None, found
        assert APOLOGY not in html


def _explode(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.parametrize(("module", "function", "make", "act"), [
    (grading, "grade_customer", lambda: GradingScorecard(),
     lambda w: setattr(w.amount, "value", "50")),
    (spin, "score_labelling", lambda: SpinSorter(count=4), lambda w: w.check()),
    (spin, "review_script", lambda: SpinScriptCoach("S：多少？"), lambda w: w.review()),
    (complaints, "check_order", lambda: ComplaintSorter(), lambda w: w.check()),
    (quiz, "check", lambda: Quiz(1, [first_of("single")]), lambda w: w.items[0].submit()),
    (assessment, "score_form", lambda: AssessmentForm(),
     lambda w: fill(w, sample_marks())),
])
def test_unexpected_error_becomes_a_chinese_apology(monkeypatch, module, function, make, act):
    """If a model fails unexpectedly, does the widget show a Chinese apology instead of
    raising or showing a traceback?"""
    widget = make()
    monkeypatch.setattr(module, function, _explode)
    act(widget)
    html = shown(widget)
    assert APOLOGY in html
    assert "boom" not in html and ENGLISH_ERROR.search(text_of(html)) is None
