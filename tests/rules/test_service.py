"""Services before, during and after the sale (crmlab.rules.service) and the ServiceStageSorter."""

from __future__ import annotations

import pytest

from crmlab.rules import service
from crmlab.rules.checks import CourseInputError
from crmlab.widgets import ServiceStageSorter

LABELS = {o.key: o.label for o in service.STAGES}


def test_stages_and_examples():
    """Are the stages 售前, 售中, 售后, each with examples whose reason opens with the stage?"""
    assert list(LABELS.values()) == ["售前", "售中", "售后"]
    assert {e.answer for e in service.EXAMPLES} == set(LABELS)
    assert len({e.id for e in service.EXAMPLES}) == len(service.EXAMPLES)
    for example in service.EXAMPLES:
        assert example.reason.startswith(LABELS[example.answer] + "："), example.id


def test_sorting_is_marked_and_a_wrong_stage_is_not_corrected_outright():
    """Is a right stage correct, and does a wrong one get a question instead of the answer?"""
    first, second = service.EXAMPLES[0], service.EXAMPLES[-1]
    result = service.mark_stages({first.id: LABELS[first.answer], second.id: "售前"},
                                 [first.id, second.id])
    assert [i.outcome for i in result.items] == ["correct", "incorrect"]
    assert result.items[1].message.startswith("不是售前服务")
    assert LABELS[second.answer] not in result.items[1].message
    assert result.summary == "答对 1 / 2 项。"


def test_unknown_service_is_refused():
    """Is an id that is not a service refused with a Chinese message?"""
    with pytest.raises(CourseInputError, match="没有这些服务编号：S0"):
        service.mark_stages({"S0": "售前"})


def test_sorter_marks_what_the_model_marks_and_resets():
    """Does the sorter mark the clicks as the model does, and clear them on 「重新开始」?"""
    sorter = ServiceStageSorter()
    for item in sorter.items:
        sorter.choices[item.id].value = LABELS[item.answer]
    sorter.check()
    assert sorter.result.correct == len(service.EXAMPLES)
    assert f"答对 {len(service.EXAMPLES)} / {len(service.EXAMPLES)} 项" in sorter.output.value
    sorter.reset_button.click()
    assert sorter.result is None and all(c.value is None for c in sorter.choices.values())
