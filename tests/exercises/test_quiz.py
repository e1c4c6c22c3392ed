"""The quiz engine (crmlab.exercises.quiz) and the lesson banks it reads."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmlab.course.manifest import load_course
from crmlab.exercises import numeric, quiz
from crmlab.rules import checking
from crmlab.rules.checking import Outcome
from crmlab.rules.checks import CourseInputError

COURSE = load_course()
LESSONS = COURSE.banks("lesson")
"""The lessons with a quiz bank, as the course manifest lists them."""
MIN_QUESTIONS = 10
MIN_PER_KIND = 2
ALL_QUESTIONS = [q for lesson in LESSONS for q in quiz.load_bank(lesson)]
CALCULATIONS = [q for q in ALL_QUESTIONS if q.calculation is not None]


def _bank(*questions: dict, lesson: int = 1) -> dict:
    return {"lesson": lesson, "title": "测试", "questions": list(questions)}


def _single(**overrides) -> dict:
    item = {
        "id": "L01-01", "kind": "single", "prompt": "题干？",
        "options": ["甲", "乙", "丙", "丁"], "answer": "B",
        "explanation": "解析。", "hint": "提示。",
    }
    return {**item, **overrides}


def _multiple(**overrides) -> dict:
    return _single(**{"id": "L01-02", "kind": "multiple", "answer": ["A", "B", "C"], **overrides})


def _truefalse(**overrides) -> dict:
    item = _single(id="L01-03", kind="truefalse", answer=True)
    del item["options"]
    return {**item, **overrides}


def _question(item: dict) -> quiz.Question:
    return quiz.parse_bank(_bank(item), "测试.yml").questions[0]


SINGLE = _question(_single())
MULTIPLE = _question(_multiple())
TRUEFALSE = _question(_truefalse())


# ------------------------------------------------------------------------------ the banks


def test_every_lesson_has_a_bank():
    """Does every lesson after the guide (00) have a bank, and does lessons() list exactly them?"""
    assert COURSE.numbers[1:] == LESSONS
    assert quiz.lessons() == LESSONS


@pytest.mark.parametrize("lesson", LESSONS)
def test_bank_has_enough_questions_of_every_kind(lesson):
    """Does each bank have at least 10 questions and at least 2 of each kind?"""
    questions = quiz.load_bank(lesson)
    kinds = Counter(q.kind for q in questions)
    assert len(questions) >= MIN_QUESTIONS
    assert all(kinds[kind] >= MIN_PER_KIND for kind in quiz.KINDS)


@pytest.mark.parametrize("lesson", LESSONS)
def test_bank_title_is_chinese(lesson):
    """Does each bank carry a Chinese title for its lesson?"""
    assert re.search(r"[\u4e00-\u9fff]", quiz.lesson_title(lesson))


def test_ids_are_unique_across_banks():
    """Is every question id used once in all nine banks together?"""
    ids = [q.id for q in ALL_QUESTIONS]
    assert len(ids) == len(set(ids))


def test_choice_questions_offer_distractors():
    """Does every choice question offer at least three options?"""
    assert all(len(q.options) >= 3 for q in ALL_QUESTIONS if q.kind != "truefalse")


def test_explanations_are_one_to_three_sentences():
    """Is every explanation one to three sentences long?"""
    for q in ALL_QUESTIONS:
        sentences = [s for s in re.split(r"[。！？]", q.explanation) if s.strip()]
        assert 1 <= len(sentences) <= 3, q.id


def test_hints_do_not_give_the_answer_away():
    """Does no hint quote the text of a correct option?"""
    for q in ALL_QUESTIONS:
        answers = q.answer if q.kind == "multiple" else (q.answer,) if q.kind == "single" else ()
        for letter in answers:
            assert q.options[quiz.LETTERS.index(letter)] not in q.hint, q.id


def test_single_answers_are_spread_over_letters():
    """Is no option letter the answer of more than half the single-choice questions?"""
    answers = Counter(q.answer for q in ALL_QUESTIONS if q.kind == "single")
    assert max(answers.values()) <= sum(answers.values()) / 2


def test_load_bank_returns_a_fresh_list():
    """Does changing the list load_bank returned leave the next call untouched?"""
    first = quiz.load_bank(1)
    first.clear()
    assert len(quiz.load_bank(1)) >= MIN_QUESTIONS


@pytest.mark.parametrize("lesson", [0, 99, "1", True, 1.0])
def test_unknown_lesson_is_refused(lesson):
    """Is a lesson without a bank refused with a Chinese message listing the lessons?"""
    with pytest.raises(CourseInputError, match="没有第 .* 课的题库.*1、2"):
        quiz.load_bank(lesson)


# ---------------------------------------------- calculation questions agree with the models

MODELS = numeric.MODELS
COMMON_KEYS = numeric.COMMON_KEYS


def _model_value(c: Mapping) -> object:
    return numeric.calculate(c)


def _first_number(text: str) -> float | None:
    found = re.search(r"[-−]?\d+(?:\.\d+)?", text)
    return float(found.group().replace("−", "-")) if found else None


def _agrees(shown: object, value: object, decimals: int | None) -> bool:
    """Does an option's text (or a true/false claim) state the model's value?"""
    if isinstance(value, str):
        return re.sub(r"\s", "", str(shown)).startswith(re.sub(r"\s", "", value))
    number = shown if isinstance(shown, int | float) else _first_number(str(shown))
    tolerance = 0.5 * 10 ** -decimals if decimals is not None else 1e-9
    return number is not None and abs(number - value) <= tolerance


def test_grading_questions_are_checked_by_the_model():
    """Are there grading calculations for the scorecard check to run on (single and true/false)?"""
    grading = [q for q in CALCULATIONS if q.calculation["model"] == "grading"]
    assert len(grading) >= 4
    assert {q.kind for q in grading} == {"single", "truefalse"}


@pytest.mark.parametrize("question", CALCULATIONS, ids=lambda q: q.id)
def test_calculation_names_a_known_model_and_its_inputs(question):
    """Does each calculation name a model the tests know, with only that model's inputs?"""
    c = question.calculation
    assert c["model"] in MODELS
    assert set(c) <= MODELS[c["model"]][0] | COMMON_KEYS
    assert ("claim" in c) == (question.kind == "truefalse")
    assert question.kind in ("single", "truefalse")


@pytest.mark.parametrize("question", CALCULATIONS, ids=lambda q: q.id)
def test_calculation_answer_agrees_with_the_model(question):
    """Is the keyed answer the one the course model computes, and no other option?"""
    c = question.calculation
    value = _model_value(c)
    decimals = c.get("decimals")
    if question.kind == "truefalse":
        assert _agrees(c["claim"], value, decimals) == question.answer
        return
    agreeing = [letter for letter, option in zip(question.letters, question.options)
                if _agrees(option, value, decimals)]
    assert agreeing == [question.answer]


def test_bank_does_not_repeat_the_textbooks_worked_example():
    """Lesson 05 works the textbook's example (50 万, +10 in bonuses → D) itself
    (tests/test_grading.py checks it); no grading question asks that same case again."""
    example = {"order_amount": 50,
               "bonuses": {"cooperation_years": 3, "brand": 2, "product_needs": 3, "advocacy": 2}}
    grading = [q for q in CALCULATIONS if q.calculation["model"] == "grading"]
    assert [q.id for q in grading
            if all(q.calculation.get(key) == value for key, value in example.items())] == []


# ------------------------------------------------------------------------- single choice


@pytest.mark.parametrize("response", ["B", "b", " b ", "Ｂ", 1])
def test_single_accepts_letter_any_case_or_index(response):
    """Is the right option accepted as a letter in any case, full-width, or a 0-based index?"""
    feedback = quiz.check(SINGLE, response)
    assert feedback.outcome == "correct"
    assert feedback.correct


def test_single_correct_shows_explanation():
    """Does a correct answer come with the explanation?"""
    feedback = quiz.check(SINGLE, "B")
    assert feedback.explanation == SINGLE.explanation
    assert "正确" in feedback.message


@pytest.mark.parametrize("response", ["A", "d", 0, 3])
def test_single_wrong_option_is_incorrect_explained_at_the_second_try(response):
    """Is another option incorrect, naming the chosen letter, with the explanation held back
    at the first wrong try and shown at the second?"""
    feedback = quiz.check(SINGLE, response)
    assert feedback.outcome == "incorrect"
    assert feedback.explanation is None
    assert quiz.check(SINGLE, response, wrong_before=1).explanation == SINGLE.explanation
    assert "错误" in feedback.message


@pytest.mark.parametrize("response", [None, "", "   ", [], ()])
def test_single_blank_is_unanswered(response):
    """Is no answer 'unanswered', without the explanation?"""
    feedback = quiz.check(SINGLE, response)
    assert feedback.outcome == "unanswered"
    assert feedback.explanation is None
    assert "还没有作答" in feedback.message


@pytest.mark.parametrize("response", ["E", "Z", "AB", "乙", 4, -1, True, 1.0, ["B"], {"B": 1}])
def test_single_unreadable_answer_is_invalid(response):
    """Is an answer that is not one option 'invalid' with a Chinese message giving the range?"""
    feedback = quiz.check(SINGLE, response)
    assert feedback.outcome == "invalid"
    assert feedback.explanation is None
    assert "A–D" in feedback.message


# ----------------------------------------------------------------------- multiple choice


@pytest.mark.parametrize("response", [["A", "B", "C"], ("c", "a", "b"), {"A", "B", "C"},
                                      "ABC", "a, b, c", "A、B、C", [0, 1, 2], ["A", "A", "B", "C"]])
def test_multiple_accepts_letters_in_any_form(response):
    """Is the exact set of right options accepted, whatever its order, case or separators?"""
    assert quiz.check(MULTIPLE, response).outcome == "correct"


def test_multiple_subset_is_partial_without_naming_missing():
    """Is a subset of the right options 'partial', saying how many are missing but not which?"""
    feedback = quiz.check(MULTIPLE, ["A"])
    assert feedback.outcome == "partial"
    assert feedback.missing == 2
    assert feedback.wrong == ()
    assert "2 项" in feedback.message
    assert "B" not in feedback.message and "C" not in feedback.message
    assert feedback.explanation is None
    assert not feedback.correct


def test_multiple_with_wrong_choice_names_it_and_counts_missing():
    """Is a wrong choice named, and the number of missing right options given?"""
    feedback = quiz.check(MULTIPLE, ["A", "D"])
    assert feedback.outcome == "incorrect"
    assert feedback.wrong == ("D",)
    assert feedback.missing == 2
    assert "D" in feedback.message and "2 个" in feedback.message
    assert "B" not in feedback.message and "C" not in feedback.message
    assert feedback.explanation is None
    assert quiz.check(MULTIPLE, ["A", "D"], wrong_before=1).explanation == MULTIPLE.explanation


def test_multiple_superset_is_incorrect_with_nothing_missing():
    """Is choosing every option (one too many) incorrect, with no option missing?"""
    feedback = quiz.check(MULTIPLE, "ABCD")
    assert feedback.outcome == "incorrect"
    assert feedback.wrong == ("D",)
    assert feedback.missing == 0


@pytest.mark.parametrize("response", [None, "", [], set(), ["", " "], " , "])
def test_multiple_blank_is_unanswered(response):
    """Is an empty choice 'unanswered'?"""
    assert quiz.check(MULTIPLE, response).outcome == "unanswered"


@pytest.mark.parametrize("response", [["A", "F"], "ABX", [0, 9], 2, {"A": True}, [3.5, "A"]])
def test_multiple_unreadable_answer_is_invalid(response):
    """Is a letter outside the options, or a non-collection, 'invalid' with a Chinese message?"""
    feedback = quiz.check(MULTIPLE, response)
    assert feedback.outcome == "invalid"
    assert "A–D" in feedback.message


# ---------------------------------------------------------------------------- true/false


@pytest.mark.parametrize("word,value", sorted(quiz.TRUEFALSE_WORDS.items()))
def test_truefalse_accepts_every_listed_word(word, value):
    """Is each accepted word read as the truth value it stands for?"""
    expected = "correct" if value else "incorrect"
    assert quiz.check(TRUEFALSE, word).outcome == expected


@pytest.mark.parametrize("response,outcome", [(True, "correct"), (False, "incorrect"),
                                              ("TRUE", "correct"), (" 错 ", "incorrect")])
def test_truefalse_accepts_booleans_and_words(response, outcome):
    """Are True/False and words with stray spaces or capitals read correctly?"""
    assert quiz.check(TRUEFALSE, response).outcome == outcome


def test_truefalse_incorrect_does_not_give_the_answer_away():
    """Does a wrong true/false answer ask to read again (without saying which way the statement
    goes), the explanation coming with the second wrong try?"""
    feedback = quiz.check(TRUEFALSE, "×")
    assert feedback.outcome == "incorrect"
    assert "正确" not in feedback.message and feedback.explanation is None
    assert quiz.check(TRUEFALSE, "×", wrong_before=1).explanation == TRUEFALSE.explanation


@pytest.mark.parametrize("response", ["是", "yes", 1, 0, ["对"]])
def test_truefalse_unreadable_answer_is_invalid(response):
    """Is anything but a truth value or an accepted word 'invalid' with a Chinese message?"""
    feedback = quiz.check(TRUEFALSE, response)
    assert feedback.outcome == "invalid"
    assert "正确" in feedback.message and "错误" in feedback.message


@pytest.mark.parametrize("response", [None, "", "  "])
def test_truefalse_blank_is_unanswered(response):
    """Is no answer to a true/false question 'unanswered'?"""
    assert quiz.check(TRUEFALSE, response).outcome == "unanswered"


# ------------------------------------------------------------------ any response, any kind

RESPONSES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.sets(st.text(max_size=2), max_size=4)
    | st.dictionaries(st.text(max_size=2), inner, max_size=2),
    max_leaves=8,
)


@given(response=RESPONSES)
def test_check_never_raises_and_shows_explanation_only_when_due(response):
    """Does any response at all give feedback (never an exception), with the explanation only
    when due: with a correct answer, or with the second wrong try, never with the first?"""
    for question in (SINGLE, MULTIPLE, TRUEFALSE):
        for wrong_before in range(checking.REVEAL_AFTER + 1):
            feedback = quiz.check(question, response, wrong_before=wrong_before)
            outcome = feedback.outcome
            assert feedback.message
            due = outcome is Outcome.CORRECT or (
                outcome.wrong_try and wrong_before + 1 >= checking.REVEAL_AFTER)
            assert (feedback.explanation is not None) == due


def test_check_refuses_something_that_is_not_a_question():
    """Is checking against a non-question a Chinese error (a programming mistake)?"""
    with pytest.raises(CourseInputError, match="题目"):
        quiz.check({"id": "L01-01"}, "A")


def test_solution_gives_answer_and_explanation():
    """Does solution() give the answer letters and the explanation?"""
    assert quiz.solution(MULTIPLE) == f"正确答案：A、B、C。{MULTIPLE.explanation}"
    assert quiz.solution(TRUEFALSE).startswith("正确答案：正确。")


# ------------------------------------------------------------------------------- scoring


def test_score_from_mapping_counts_partial_as_zero():
    """Does score() count only fully correct answers, partial and missing ones as 0?"""
    result = quiz.score([SINGLE, MULTIPLE, TRUEFALSE], {"L01-01": "b", "L01-02": "A"})
    assert (result.correct, result.total) == (1, 3)
    assert result.percentage == pytest.approx(100 / 3)
    assert result.outcomes == {"L01-01": "correct", "L01-02": "partial", "L01-03": "unanswered"}
    assert result.counts["partial"] == 1 and result.counts["incorrect"] == 0
    assert result.summary == "答对 1 / 3 题（33%）。"


def test_score_from_list_in_quiz_order():
    """Does score() accept a list of answers in question order?"""
    result = quiz.score([SINGLE, MULTIPLE, TRUEFALSE], ["B", "ABC", "对"])
    assert result.correct == 3
    assert result.percentage == 100


def test_score_refuses_unknown_id():
    """Is an answer for a question that is not in the quiz a Chinese error naming it?"""
    with pytest.raises(CourseInputError, match="L09-99"):
        quiz.score([SINGLE], {"L09-99": "A"})


def test_score_refuses_list_of_wrong_length():
    """Is a list with more or fewer answers than questions refused?"""
    with pytest.raises(CourseInputError, match="数目应当相同"):
        quiz.score([SINGLE, TRUEFALSE], ["B"])


@pytest.mark.parametrize("responses", ["B", 3])
def test_score_refuses_responses_that_are_not_a_mapping_or_list(responses):
    """Is a bare string or number given as all the answers refused?"""
    with pytest.raises(CourseInputError, match="答案"):
        quiz.score([SINGLE], responses)


def test_score_refuses_empty_quiz():
    """Is a quiz without questions refused?"""
    with pytest.raises(CourseInputError, match="空"):
        quiz.score([], {})


def test_score_of_a_real_bank_all_correct():
    """Does answering a real bank with its own keys score 100%?"""
    questions = quiz.load_bank(4)
    result = quiz.score(questions, {q.id: q.answer for q in questions})
    assert result.percentage == 100


# -------------------------------------------------------------------------- bad bank files


def _load(tmp_path, text: str) -> list[quiz.Question]:
    path = tmp_path / "lesson01.yml"
    path.write_text(text, encoding="utf-8")
    return quiz.load_bank_file(path)


GOOD_FILE = """\
lesson: 1
title: 测试
questions:
  - id: L01-01
    kind: single
    prompt: 题干？
    options: [甲, 乙, 丙]
    answer: "C"
    explanation: 解析。
    hint: 提示。
  - id: L01-02
    kind: truefalse
    prompt: 判断？
    answer: false
    explanation: 解析。
    hint: 提示。
"""


def test_good_bank_file_loads(tmp_path):
    """Does a well-formed bank file load into questions?"""
    questions = _load(tmp_path, GOOD_FILE)
    assert [(q.id, q.answer) for q in questions] == [("L01-01", "C"), ("L01-02", False)]
    assert questions[1].choices == quiz.TRUEFALSE_OPTIONS


def _broken(tmp_path, old: str, new: str) -> str:
    """Load GOOD_FILE with ``old`` replaced by ``new``; return the error message."""
    assert old in GOOD_FILE
    with pytest.raises(CourseInputError) as caught:
        _load(tmp_path, GOOD_FILE.replace(old, new, 1))
    return str(caught.value)


@pytest.mark.parametrize("old,new,expected", [
    ("kind: single", "kind: essay", "未知的题型「essay」"),
    ('answer: "C"', 'answer: "E"', "答案「E」不在选项范围 A–C"),
    ('answer: "C"', "answer: 2", "不在选项范围 A–C"),
    ("answer: false", "answer: 正确", "只能是 true 或 false"),
    ("    explanation: 解析。\n    hint: 提示。\n  - id: L01-02",
     "    hint: 提示。\n  - id: L01-02", "缺少「explanation」"),
    ("    hint: 提示。\n  - id: L01-02",
     "    hint: 提示。\n    explaination: 解析。\n  - id: L01-02", "未知的字段：explaination"),
    ("options: [甲, 乙, 丙]", "options: [甲, 乙, 甲]", "与前面的选项重复"),
    ("options: [甲, 乙, 丙]", "options: [甲]", "至少 2 个选项"),
    ("answer: false", "answer: false\n    options: [是, 否]", "判断题不写「options」"),
    ("answer: false", "answer: false\n    calculation: 50", "「calculation」"),
])
def test_bad_question_is_refused_naming_file_and_question(tmp_path, old, new, expected):
    """Is each kind of broken question refused with a message naming the file and the id?"""
    message = _broken(tmp_path, old, new)
    assert expected in message
    assert "lesson01.yml" in message
    assert re.search(r"第 \d 题（L01-0\d）", message)


def test_multiple_with_one_correct_option_is_refused(tmp_path):
    """Is a multiple-choice question with a single correct option refused, naming it?"""
    message = _broken(tmp_path, 'kind: single\n    prompt: 题干？\n    options: [甲, 乙, 丙]\n'
                      '    answer: "C"',
                      'kind: multiple\n    prompt: 题干？\n    options: [甲, 乙, 丙]\n'
                      '    answer: ["C"]')
    assert "L01-01" in message and "至少要有 2 个正确选项" in message


def test_multiple_with_repeated_letter_is_refused(tmp_path):
    """Is a multiple-choice answer that repeats a letter refused?"""
    message = _broken(tmp_path, 'kind: single', 'kind: multiple')
    assert "字母列表" in message
    message = _broken(tmp_path, 'kind: single\n    prompt: 题干？\n    options: [甲, 乙, 丙]\n'
                      '    answer: "C"',
                      'kind: multiple\n    prompt: 题干？\n    options: [甲, 乙, 丙]\n'
                      '    answer: [A, A]')
    assert "重复的字母" in message


def test_duplicate_id_is_refused_naming_it(tmp_path):
    """Is an id used twice in one bank refused, naming the id and both positions?"""
    message = _broken(tmp_path, "id: L01-02", "id: L01-01")
    assert "第 2 题（L01-01）" in message and "第 1 题重复" in message


@pytest.mark.parametrize("new_id", ["L02-01", "Q1", "L1-1"])
def test_id_must_name_the_bank_lesson(tmp_path, new_id):
    """Is an id of another lesson, or of the wrong shape, refused?"""
    message = _broken(tmp_path, "id: L01-02", f"id: {new_id}")
    assert "题号" in message and "第 2 题" in message


def test_question_without_id_is_named_by_position(tmp_path):
    """Is a question with no id named by its position?"""
    message = _broken(tmp_path, "  - id: L01-02\n    kind", "  - kind")
    assert "第 2 题（缺少题号）" in message


@pytest.mark.parametrize("old,new,expected", [
    ("lesson: 1", "lesson: 一", "「lesson」"),
    ("title: 测试", "title: ''", "「title」"),
    ("questions:", "quest:", "未知的字段：quest"),
    ("    prompt: 题干？", "    prompt: [题干", "列附近不是合法的 YAML"),
])
def test_bad_bank_structure_is_refused(tmp_path, old, new, expected):
    """Is a bank file with a broken top level or broken YAML refused with a Chinese message?"""
    assert expected in _broken(tmp_path, old, new)


def test_bank_that_is_a_list_is_refused(tmp_path):
    """Is a bank whose top level is a list, not a mapping, refused?"""
    with pytest.raises(CourseInputError, match="顶层应当是一个映射"):
        _load(tmp_path, "- L01-01\n- L01-02\n")


def test_missing_bank_file_is_refused(tmp_path):
    """Is a file that does not exist a Chinese error naming it?"""
    with pytest.raises(CourseInputError, match="无法读取题库文件.*nope.yml.*不存在"):
        quiz.load_bank_file(tmp_path / "nope.yml")


def test_bank_file_not_in_utf8_is_refused(tmp_path):
    """Is a bank saved in another encoding (e.g. GBK) refused with a Chinese message?"""
    path = tmp_path / "lesson01.yml"
    path.write_bytes(GOOD_FILE.encode("gbk"))
    with pytest.raises(CourseInputError, match="UTF-8"):
        quiz.load_bank_file(path)


@pytest.mark.parametrize("question", [q for q in ALL_QUESTIONS if q.kind != "truefalse"],
                         ids=lambda q: q.id)
def test_hint_does_not_contain_a_correct_option(question):
    """Does the hint point a direction without quoting a correct option?"""
    answers = [question.answer] if question.kind == "single" else list(question.answer)
    correct = [question.options[question.letters.index(a)] for a in answers]
    assert [text for text in correct if len(text) >= 4 and text in question.hint] == []
