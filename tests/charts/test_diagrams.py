"""Process diagrams: boxes, arrows, the loop, wrapped Chinese labels, and Chinese errors."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from crmlab.charts.diagrams import (
    LOOP_LABEL,
    MAX_STEPS,
    PAUSE_MARKS,
    WRAP_UNITS,
    display_width,
    flow_diagram,
    wrap_label,
)
from crmlab.rules.checks import CourseInputError
from tests.support.charts import render

CRM_LOOP = ["信息收集", "分析", "市场计划", "客户互动"]
SALES_TO_SERVICE = [
    "客户下单（销售部录入订单）",
    "信用审核",
    "仓库发货并开具发票",
    "客户签收",
    "售后回访与投诉处理（Customer Service）",
]


def _patches(fig, kind) -> list:
    return [p for p in fig.axes[0].patches if isinstance(p, kind)]


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


DIAGRAMS = {
    "vertical": lambda: flow_diagram(SALES_TO_SERVICE, title="销售到服务的业务流程图（TFD）"),
    "horizontal": lambda: flow_diagram(SALES_TO_SERVICE, title="业务流程图",
                                       direction="horizontal"),
    "loop": lambda: flow_diagram(CRM_LOOP, title="CRM 循环", loop=True),
    "loop_horizontal": lambda: flow_diagram(CRM_LOOP, title="CRM 循环", loop=True,
                                            direction="horizontal"),
}


@pytest.mark.parametrize("name", list(DIAGRAMS))
def test_diagram_has_every_glyph(name):
    """Does each kind of diagram render all its Chinese text with the bundled CJK font?"""
    fig = DIAGRAMS[name]()
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in _texts(fig))
    assert render(fig) == []


def test_one_box_per_step_and_one_arrow_between_neighbours():
    """Are there as many boxes as steps and one arrow fewer, without a loop?"""
    fig = flow_diagram(SALES_TO_SERVICE, title="业务流程图")
    boxes, arrows = _patches(fig, FancyBboxPatch), _patches(fig, FancyArrowPatch)
    plt.close(fig)
    assert len(boxes) == len(SALES_TO_SERVICE)
    assert len(arrows) == len(SALES_TO_SERVICE) - 1


def test_loop_adds_one_labelled_arrow_back_to_the_first_box():
    """Does loop=True add exactly one arrow, labelled, that ends at the first box?"""
    plain = flow_diagram(CRM_LOOP, title="CRM 循环")
    looped = flow_diagram(CRM_LOOP, title="CRM 循环", loop=True)
    first_box = _patches(looped, FancyBboxPatch)[0]
    back = _patches(looped, FancyArrowPatch)[-1]
    texts = " ".join(_texts(looped)).replace("\n", "")
    n_plain = len(_patches(plain, FancyArrowPatch))
    n_looped = len(_patches(looped, FancyArrowPatch))
    plt.close(plain)
    plt.close(looped)
    assert n_looped == n_plain + 1
    assert LOOP_LABEL in texts and LOOP_LABEL not in " ".join(_texts(plain))
    path = back.get_path()
    points = path.vertices[path.codes != Path.CLOSEPOLY]
    low, high = first_box.get_y(), first_box.get_y() + first_box.get_height()
    beside_first = points[(points[:, 1] >= low) & (points[:, 1] <= high)]
    # the arrow's tip touches the first box's right side (up to the arrow's small shrink)
    assert beside_first[:, 0].min() == pytest.approx(first_box.get_x() + first_box.get_width(),
                                                     abs=0.05)


def test_vertical_runs_downwards_and_horizontal_to_the_right():
    """Do the boxes follow each other downwards (vertical) or rightwards (horizontal)?"""
    down = flow_diagram(CRM_LOOP, title="纵向")
    across = flow_diagram(CRM_LOOP, title="横向", direction="horizontal")
    ys = [box.get_y() for box in _patches(down, FancyBboxPatch)]
    xs = [box.get_x() for box in _patches(across, FancyBboxPatch)]
    plt.close(down)
    plt.close(across)
    assert ys == sorted(ys, reverse=True) and len(set(ys)) == len(ys)
    assert xs == sorted(xs) and len(set(xs)) == len(xs)


def test_numbered_puts_the_step_numbers_on_the_boxes():
    """Are the numbers 1…n shown with numbered=True and absent with numbered=False?"""
    numbered = flow_diagram(CRM_LOOP, title="CRM 循环")
    plain = flow_diagram(CRM_LOOP, title="CRM 循环", numbered=False)
    with_numbers, without = _texts(numbered), _texts(plain)
    plt.close(numbered)
    plt.close(plain)
    assert [str(i) for i in range(1, 5)] == [t for t in with_numbers if t.isdigit()]
    assert not [t for t in without if t.isdigit()]


def test_title_and_every_label_are_drawn():
    """Is the title drawn, and every step's text (wrapped lines joined) present?"""
    fig = flow_diagram(SALES_TO_SERVICE, title="销售到服务的业务流程图（TFD）")
    texts = _texts(fig)
    plt.close(fig)
    assert "销售到服务的业务流程图（TFD）" in texts
    joined = ["".join(t.split("\n")) for t in texts]
    for step in SALES_TO_SERVICE:
        assert any(step.replace(" ", "") == t.replace(" ", "") for t in joined), step


def test_long_labels_are_wrapped_within_the_width():
    """Is a long Chinese label split into lines no wider than the wrap width, losing nothing?"""
    label = "售后服务部门对客户进行电话回访并记录满意度"
    lines = wrap_label(label)
    assert len(lines) > 1
    assert all(display_width(line) <= WRAP_UNITS for line in lines)
    assert "".join(lines) == label


def test_wrapping_is_balanced():
    """Does a label just over one line split into two similar halves, not 8 + 1 characters?"""
    assert wrap_label("仓库发货并开具发票") == ["仓库发货并", "开具发票"]


def test_lines_break_after_a_pause_mark_when_possible():
    """Does a label break after 「，」 or 「、」 rather than in the middle of a word?"""
    assert wrap_label("客户下单，销售员录入订单") == ["客户下单，", "销售员录入订单"]
    assert wrap_label("仓库备货、发货并开具发票") == ["仓库备货、", "发货并开具发票"]


def test_a_pause_mark_too_early_is_not_used():
    """Is a pause mark near a line's start ignored, so the first line is not left short?"""
    lines = wrap_label("好，客户下单后销售员录入订单")
    assert lines[0] != "好，"
    assert all(display_width(line) <= WRAP_UNITS for line in lines)


def test_a_pause_mark_never_starts_a_line():
    """Does 「、」 stay on the line of the character before it?"""
    lines = wrap_label("坐席在系统中查订单、库存和收款")
    assert not any(line[0] in PAUSE_MARKS for line in lines)
    assert "".join(lines) == "坐席在系统中查订单、库存和收款"


LABEL_PARTS = [*"客户订单服务流程", *"，、：", "CRM", "Web", " "]


@given(st.lists(st.sampled_from(LABEL_PARTS), max_size=30).map("".join))
def test_wrapping_keeps_every_character_and_the_width(text):
    """For any label: is nothing lost, and is every line within the width?"""
    lines = wrap_label(text)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(display_width(line) <= WRAP_UNITS for line in lines)


@given(st.lists(st.sampled_from(LABEL_PARTS), max_size=30).map("".join))
@example("客客客客客 ，客客客")  # a space that does not fit, then a pause mark
@example("客客客客 ，客客客")
def test_a_pause_mark_leads_a_line_only_when_nothing_can_move_down(text):
    """Does a line start with a pause mark only after a line ending in a mark or a letter?"""
    lines = wrap_label(text)
    for previous, line in zip(lines, lines[1:]):
        if line[0] in PAUSE_MARKS:
            assert len(previous) == 1 or previous[-1] in PAUSE_MARKS or previous[-1].isascii()


def test_short_labels_stay_on_one_line():
    """Does a label exactly as wide as a line stay on one line (the boundary)?"""
    exact = "信" * (WRAP_UNITS // 2)
    assert wrap_label(exact) == [exact]
    assert len(wrap_label(exact + "息")) == 2


def test_latin_words_are_not_split():
    """Is an English term kept whole on a line when it fits?"""
    lines = wrap_label("客户关系管理 Customer Relationship Management")
    assert "Customer" in " ".join(lines).split()
    assert all(word in ("Customer", "Relationship", "Management") or not word.isascii()
               for line in lines for word in line.split())


def test_explicit_newline_starts_a_new_line():
    """Does a \\n in a label always start a new line?"""
    assert wrap_label("接单\n审核") == ["接单", "审核"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"steps": []}, "流程步骤"),
        ({"steps": "信息收集"}, "流程步骤"),
        ({"steps": ["信息收集", "  "]}, "流程步骤"),
        ({"steps": ["信息收集", 3]}, "流程步骤"),
        ({"steps": ["步骤"] * (MAX_STEPS + 1)}, "流程步骤"),
        ({"steps": ["信息收集"], "loop": True}, "流程步骤"),
        ({"direction": "diagonal"}, "方向"),
        ({"direction": "纵向"}, "方向"),
        ({"title": ""}, "图标题"),
        ({"title": None}, "图标题"),
        ({"loop": "yes"}, "是否循环"),
        ({"numbered": 1}, "是否编号"),
    ],
)
def test_bad_input_raises_a_chinese_error(kwargs, field):
    """Does bad input (empty steps, unknown direction, …) raise CourseInputError naming it?"""
    arguments = {"steps": CRM_LOOP, "title": "CRM 循环"} | kwargs
    before = plt.get_fignums()
    with pytest.raises(CourseInputError) as error:
        flow_diagram(arguments.pop("steps"), **arguments)
    assert field in str(error.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value))
    assert plt.get_fignums() == before  # nothing half-drawn left open


def test_unknown_direction_lists_the_accepted_ones():
    """Does the error for an unknown direction name vertical and horizontal?"""
    with pytest.raises(CourseInputError, match="vertical.*horizontal"):
        flow_diagram(CRM_LOOP, title="CRM 循环", direction="up")


def test_max_steps_is_accepted():
    """Is a process of exactly MAX_STEPS steps drawn (the upper boundary)?"""
    fig = flow_diagram([f"步骤{i}" for i in range(MAX_STEPS)], title="长流程",
                       direction="horizontal")
    n_boxes = len(_patches(fig, FancyBboxPatch))
    plt.close(fig)
    assert n_boxes == MAX_STEPS


def test_a_single_step_is_drawn_without_arrows():
    """Is a one-step process a single box with no arrow (the lower boundary)?"""
    fig = flow_diagram(["接待客户"], title="单步流程")
    counts = len(_patches(fig, FancyBboxPatch)), len(_patches(fig, FancyArrowPatch))
    plt.close(fig)
    assert counts == (1, 0)
