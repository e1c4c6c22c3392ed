"""Lawful or not (crmlab.rules.privacy), the labelling engine it runs on, and the PrivacySorter."""

from __future__ import annotations

import pytest

from crmlab.rules import labelling, privacy
from crmlab.rules.checks import CourseInputError
from crmlab.widgets import PrivacySorter

LABELS = {o.key: o.label for o in privacy.VERDICTS}


def test_every_practice_has_a_verdict_and_its_reason():
    """Is each practice judged 合规 or 违规, with a reason that opens with that verdict?"""
    ids = [p.id for p in privacy.PRACTICES]
    assert len(ids) == len(set(ids)) >= 8
    assert {p.answer for p in privacy.PRACTICES} == set(LABELS)
    for practice in privacy.PRACTICES:
        assert practice.reason.startswith(LABELS[practice.answer] + "："), practice.id


def test_judgements_are_marked_with_their_outcome():
    """Are a right verdict, a wrong one, a blank and a non-verdict marked as such?"""
    lawful = next(p for p in privacy.PRACTICES if p.answer == "lawful")
    unlawful = next(p for p in privacy.PRACTICES if p.answer == "unlawful")
    other = next(p for p in privacy.PRACTICES if p.id not in (lawful.id, unlawful.id))
    result = privacy.mark_practices({lawful.id: "合规", unlawful.id: "lawful", other.id: "不好说"})
    statuses = {item.id: item.outcome for item in result.items}
    assert statuses[lawful.id] == "correct"
    assert statuses[unlawful.id] == "incorrect"
    assert statuses[other.id] == "invalid"
    assert result.count("unanswered") == len(privacy.PRACTICES) - 3
    assert result.summary == f"答对 1 / {len(privacy.PRACTICES)} 条。"


def test_a_wrong_judgement_does_not_give_the_reason_away():
    """Does a wrong verdict send the student back to think instead of showing the reason?"""
    unlawful = next(p for p in privacy.PRACTICES if p.answer == "unlawful")
    item = privacy.mark_practices({unlawful.id: "合规"}, [unlawful.id]).items[0]
    assert item.outcome == "incorrect"
    assert item.message != unlawful.reason and "违规" not in item.message


@pytest.mark.parametrize("answers, ids, text", [
    ({"P99": "合规"}, None, "没有这些做法编号：P99"),
    ({"P1": "合规"}, ["P2"], "这些做法编号不在本次练习中：P1"),
    ({}, [], "本次练习没有题目"),
    ("P1", None, "以做法编号为键"),
])
def test_bad_input_is_refused_in_chinese(answers, ids, text):
    """Are an unknown practice, one outside the exercise, none at all or a non-mapping refused?"""
    with pytest.raises(CourseInputError, match=text):
        privacy.mark_practices(answers, ids)


def test_options_are_read_by_key_or_label_full_width_too():
    """Are 「unlawful」, 「违规」 and a full-width spaced 「　违规 」 the same answer?"""
    for given in ("unlawful", "违规", "　违规 "):
        assert labelling.normalise(given, privacy.VERDICTS) == "unlawful"
    assert labelling.normalise(3, privacy.VERDICTS) is None


def test_sorter_marks_what_the_model_marks():
    """Does the sorter show every practice, shuffled, and mark the clicks as the model does?"""
    sorter = PrivacySorter()
    assert sorted(i.id for i in sorter.items) == sorted(p.id for p in privacy.PRACTICES)
    assert [i.id for i in sorter.items] != [p.id for p in privacy.PRACTICES]
    for n, item in enumerate(sorter.items):
        right = LABELS[item.answer]
        sorter.choices[item.id].value = right if n % 3 else ({"合规": "违规", "违规": "合规"}[right])
    sorter.check_button.click()
    answers = {i: c.value for i, c in sorter.choices.items()}
    assert sorter.result == privacy.mark_practices(answers, [i.id for i in sorter.items])
    assert f"答对 {sorter.result.correct} / {len(sorter.items)} 条" in sorter.output.value
    first = sorter.items[0]
    assert "错误" in sorter.feedback[first.id].value
    second = sorter.items[1]
    assert second.reason in sorter.feedback[second.id].value
