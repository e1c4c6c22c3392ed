"""The SPIN question bank (crmlab.exercises.spin_bank): the course's bank file, its checks for
a malformed bank, and the rules of crmlab.rules.spin run over its questions."""

from __future__ import annotations

import dataclasses

import pytest

from crmlab.course.manifest import load_course
from crmlab.exercises import spin_bank
from crmlab.exercises.spin_bank import (
    BANK_FILE,
    GOODYEAR_SCENARIO,
    load_bank,
    model_script,
    parse_bank,
    read_bank,
    scenarios,
)
from crmlab.rules.checks import CourseInputError
from crmlab.rules.spin import SpinQuestion, classify_hint, review_script, score_labelling


def raw_bank(**changes: object) -> dict:
    """A small valid bank in the YAML's shape, with one question changed."""
    question = {
        "id": "x-s1",
        "text": "现在用多少？",
        "type": "S",
        "scenario": "甲",
        "explanation": "事实。",
    }
    question.update(changes)
    return {"scenarios": {"甲": "说明"}, "questions": [question], "model_script": []}


# ------------------------------------------------------------------------------ the bank


def test_bank_has_at_least_forty_questions():
    """Does the bank hold at least 40 questions?"""
    assert len(load_bank()) >= 40


def test_goodyear_scenario_has_at_least_sixteen_questions():
    """Does the homework scenario (Goodyear → Volkswagen) have at least 16 questions?"""
    assert len(load_bank(GOODYEAR_SCENARIO)) >= 16


def test_bank_has_goodyear_plus_two_or_three_other_scenarios():
    """Are there 3 or 4 scenarios, one of them the Goodyear homework?"""
    names = {q.scenario for q in load_bank()}
    assert GOODYEAR_SCENARIO in names
    assert 3 <= len(names) <= 4
    assert names == set(scenarios())


def test_bank_ids_are_unique():
    """Is every question id used once?"""
    ids = [q.id for q in load_bank()]
    assert len(ids) == len(set(ids))


def test_bank_has_no_duplicate_texts():
    """Is every question text different from the others?"""
    texts = [q.text for q in load_bank()]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("scenario", list(scenarios()))
def test_every_scenario_has_all_four_types(scenario):
    """Does each scenario have at least one question of each type?"""
    assert {q.type for q in load_bank(scenario)} == {"S", "P", "I", "N"}


def test_questions_are_questions_with_one_sentence_explanations():
    """Does every text end with a question mark and every explanation read as one sentence?"""
    for q in load_bank():
        assert q.text.endswith("？"), q.id
        assert q.explanation.endswith("。") and q.explanation.count("。") == 1, q.id


def test_load_bank_filters_by_scenario():
    """Does load_bank(scenario) return only that scenario's questions, in file order?"""
    questions = load_bank(GOODYEAR_SCENARIO)
    assert all(q.scenario == GOODYEAR_SCENARIO for q in questions)
    assert questions == [q for q in load_bank() if q.scenario == GOODYEAR_SCENARIO]


def test_load_bank_unknown_scenario_is_a_chinese_error():
    """Is an unknown scenario refused with a message listing the scenarios?"""
    with pytest.raises(CourseInputError, match="没有情境「火星」") as error:
        load_bank("火星")
    assert GOODYEAR_SCENARIO in str(error.value)


def test_questions_are_frozen():
    """Can a loaded question not be changed by accident?"""
    question = load_bank()[0]
    assert isinstance(question, SpinQuestion)
    with pytest.raises(dataclasses.FrozenInstanceError):
        question.type = "N"  # type: ignore[misc]


def test_parse_bank_accepts_a_valid_bank():
    """Does a well-formed bank parse into questions?"""
    parsed = parse_bank(raw_bank())
    assert [q.id for q in parsed.questions] == ["x-s1"]


def test_parse_bank_rejects_an_unknown_type():
    """Is a question whose type is not S/P/I/N refused?"""
    with pytest.raises(CourseInputError, match="类型「X」未知"):
        parse_bank(raw_bank(type="X"))


def test_parse_bank_rejects_a_missing_field():
    """Is a question without an explanation refused?"""
    with pytest.raises(CourseInputError, match="explanation"):
        parse_bank(raw_bank(explanation=""))


def test_parse_bank_rejects_an_unknown_scenario():
    """Is a question pointing at a scenario that is not declared refused?"""
    with pytest.raises(CourseInputError, match="情境「乙」"):
        parse_bank(raw_bank(scenario="乙"))


def test_parse_bank_rejects_repeated_ids_and_texts():
    """Are a repeated id and a repeated text both refused?"""
    bank = raw_bank()
    twin = dict(bank["questions"][0], text="另一个问题？")
    with pytest.raises(CourseInputError, match="题号 x-s1 重复"):
        parse_bank({**bank, "questions": [*bank["questions"], twin]})
    same_text = dict(bank["questions"][0], id="x-s2")
    with pytest.raises(CourseInputError, match="题干与前面的题目重复"):
        parse_bank({**bank, "questions": [*bank["questions"], same_text]})


def test_parse_bank_rejects_a_model_script_with_unknown_ids():
    """Is a model script naming a question that does not exist refused?"""
    with pytest.raises(CourseInputError, match="x-n9"):
        parse_bank({**raw_bank(), "model_script": ["x-s1", "x-n9"]})


@pytest.mark.parametrize("raw", [None, [], {"scenarios": {"甲": "说明"}}, {"questions": [{}]}])
def test_parse_bank_rejects_a_malformed_file(raw):
    """Is a file without the expected sections refused with a Chinese error?"""
    with pytest.raises(CourseInputError):
        parse_bank(raw)


def test_the_manifest_lists_the_bank_under_lesson_07():
    """Is the bank file the one the course manifest lists for lesson 07, the lesson that uses it?"""
    assert load_course().banks("spin") == [7]
    assert BANK_FILE == "spin07.yml"


def test_the_bank_is_read_once():
    """Is the file read once and the same questions handed out after that?"""
    assert spin_bank.bank() is spin_bank.bank()
    assert spin_bank.questions() == {q.id: q for q in load_bank()}


def test_errors_name_the_bank_file():
    """Does a malformed bank's message name the file to open?"""
    with pytest.raises(CourseInputError, match=f"SPIN 题库「{BANK_FILE}」中题目 x-s1 的类型"):
        parse_bank(raw_bank(type="X"))
    with pytest.raises(CourseInputError, match="SPIN 题库「新题库.yml」缺少「scenarios」"):
        parse_bank({"questions": []}, "新题库.yml")


def test_yaml_that_does_not_parse_is_a_chinese_error_with_its_line():
    """Is a bank whose YAML is broken refused with the line to look at, not a yaml traceback?"""
    text = "scenarios:\n  甲: 说明\nquestions:\n  - id: x-s1\n    text: [没有合上\n"
    with pytest.raises(CourseInputError, match=f"题库「{BANK_FILE}」第 \\d+ 行第 \\d+ 列附近不是合法的 YAML"):
        read_bank(text)


def test_read_bank_reads_a_well_formed_text():
    """Does a bank written as YAML text give its questions and model script?"""
    text = ("scenarios:\n  甲: 说明\nquestions:\n  - {id: x-s1, text: 现在用多少？, type: S, "
            "scenario: 甲, explanation: 事实。}\nmodel_script: [x-s1]\n")
    parsed = read_bank(text)
    assert parsed.model_script == ("x-s1",) and parsed.by_id()["x-s1"].type == "S"


@pytest.mark.parametrize("description", [None, "", 3])
def test_a_scenario_without_a_description_is_refused(description):
    """Is a scenario whose description is missing or not text refused, naming the scenario?"""
    with pytest.raises(CourseInputError, match="情境「甲」应当有一段文字说明"):
        parse_bank({**raw_bank(), "scenarios": {"甲": description}})


@pytest.mark.parametrize("entry", [["x-s1"], {"id": "x-s1"}, 7])
def test_a_model_script_entry_that_is_not_an_id_is_refused(entry):
    """Is a model-script entry that is a list, a mapping or a number refused in Chinese?"""
    with pytest.raises(CourseInputError, match="示范脚本中有不存在的题号"):
        parse_bank({**raw_bank(), "model_script": [entry]})


# ------------------------------------------------------------------ the rules on the bank


def test_all_correct_labels_score_full_marks():
    """Does labelling every question of the homework's scenario right give 100%?"""
    questions = load_bank(GOODYEAR_SCENARIO)
    result = score_labelling({q.id: q.type for q in questions}, spin_bank.questions())
    assert (result.correct, result.total, result.percentage) == (
        len(questions),
        len(questions),
        100,
    )
    assert {item.outcome for item in result.items} == {"correct"}


def test_model_script_draws_no_warning():
    """Does the model script follow S→P→I→N and draw no warning?"""
    feedback = review_script([(q.type, q.text) for q in model_script()])
    assert feedback.follows_order and feedback.warnings == ()


def test_model_script_is_goodyear_and_uses_all_four_types():
    """Is the model script from the homework scenario, with every type?"""
    questions = model_script()
    assert {q.scenario for q in questions} == {GOODYEAR_SCENARIO}
    assert {q.type for q in questions} == {"S", "P", "I", "N"}


def test_hint_agrees_with_the_bank_mostly():
    """Does the hint agree with the bank's type for at least 80% of its questions?"""
    bank = load_bank()
    agree = sum(classify_hint(q.text) == q.type for q in bank)
    assert agree / len(bank) >= 0.8
