"""Browser tests: a student in a real JupyterLab (headless Chromium) runs a lesson and uses its
widgets; what the page shows is checked against the course's rules."""

from __future__ import annotations

import base64
import re
import time

import nbformat
import pytest
from playwright.sync_api import expect

from crmlab import charts
from crmlab.rules import credit
from crmlab.rules.grading import grade_customer
from crmlab.widgets._base import chart_png
from tests.support.browser import error_outputs, log_console, open_and_run_all

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _set_slider(scorecard, label: str, value: int) -> None:
    """Type a value into the editable readout of the slider whose description is ``label``."""
    slider = scorecard.locator(".widget-slider").filter(has_text=label).first
    readout = slider.locator(".widget-readout")
    readout.click()
    readout.press("Control+A")
    readout.type(str(value))
    readout.press("Enter")


IMAGE_BYTES = """img => fetch(img.src).then(r => r.arrayBuffer()).then(buffer => {
  let text = ''; new Uint8Array(buffer).forEach(b => { text += String.fromCharCode(b); });
  return btoa(text);
})"""


def _shown_png(image) -> bytes:
    """The PNG an ``<img>`` of a widget shows (ipywidgets serves it as a blob: URL)."""
    return base64.b64decode(image.evaluate(IMAGE_BYTES))


def test_log_console_shows_a_figure_a_widget_callback_displays(lab, page):
    """Does the log console check see a figure that a widget callback displays outside any
    output area, as JupyterLab logs it? (The check the other tests rely on, on a probe.)"""
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import ipywidgets as widgets\n"
        "import matplotlib.pyplot as plt\n\n"
        "probe = widgets.IntSlider(description='探针')\n\n\n"
        "def show_outside(change):\n"
        "    fig, ax = plt.subplots()\n"
        "    ax.plot([0, change['new']])\n"
        "    plt.show()  # in a callback: no cell owns this output\n\n\n"
        "probe.observe(show_outside, names='value')\n"
        "probe"
    )], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})
    path = lab.root / "log_console_probe.ipynb"
    nbformat.write(probe, path)
    try:
        open_and_run_all(page, lab, path.name)
        assert log_console(page, path.name) == []
        _set_slider(page.locator(".jp-Notebook"), "探针", 5)
        # The change reaches the kernel after the slider moves, and the callback's first figure
        # can take seconds on a cold machine (matplotlib's font cache): read until it is logged.
        deadline = time.monotonic() + 90
        while not (logged := log_console(page, path.name, clear=True)) and time.monotonic() < deadline:
            page.wait_for_timeout(500)
        assert [entry.split(":")[0] for entry in logged] == ["warning image/png"]
    finally:
        path.unlink()


def test_credit_scorecard_in_lesson_04_draws_its_radar_in_its_own_area(lab, page):
    """Does lesson 04's scorecard grade a student's inputs as crmlab.credit does and redraw
    its 5C radar inside the widget, with nothing sent to JupyterLab's log console?"""
    open_and_run_all(page, lab, "04_credit.ipynb")
    assert error_outputs(page) == []
    cell = page.locator(".jp-Cell").filter(has=page.locator(".crm-credit-scorecard")).first
    card = cell.locator(".crm-credit-scorecard")
    card.scroll_into_view_if_needed()
    radar = card.locator("img")
    start = _shown_png(radar)

    factors = {"character": 90, "capacity": 40, "capital": 55, "collateral": 20,
               "conditions": 75}
    for factor in credit.FACTORS:
        _set_slider(card, factor.label, factors[factor.key])
    sales = card.locator(".widget-text input").first
    sales.fill("240")
    sales.press("Tab")
    expected = credit.assess_credit(factors, annual_credit_sales=240)
    expect(card.locator(".crm-score")).to_have_text(f"{expected.score:.1f}")
    expect(card.locator(".crm-grade")).to_have_text(expected.grade)
    expect(card.locator(".crm-limit")).to_have_text(f"{expected.limit:,.1f}")

    # The widget's own image shows the radar of these inputs, and the cell shows one output.
    radar_png = chart_png(charts.radar_chart,
                          {f.label: factors[f.key] for f in credit.FACTORS}, title="5C 雷达图")
    expect(radar).to_have_count(1)
    expect(radar).to_be_visible()
    assert _shown_png(radar) == radar_png != start
    expect(cell.locator(".jp-OutputArea-output")).to_have_count(1)

    sales.fill("一百")
    sales.press("Tab")
    card.get_by_text("必须是数字").wait_for()
    expect(card.locator(".crm-grade")).to_have_text(expected.grade)
    assert "Traceback" not in card.inner_text()
    assert log_console(page, "04_credit.ipynb") == []


def test_grading_scorecard_in_lesson_05(lab, page):
    """Does the scorecard of lesson 05 show, live, the level the course's rules give?"""
    open_and_run_all(page, lab, "05_customer_grading.ipynb")
    assert error_outputs(page) == []
    card = page.locator(".crm-grading-scorecard").first
    card.scroll_into_view_if_needed()

    amount = card.locator(".widget-text input").first
    amount.fill("320")
    amount.press("Tab")
    _set_slider(card, "合作年限", 4)
    _set_slider(card, "增长潜力", 5)
    _set_slider(card, "违约情况", 3)
    expected = grade_customer(320, {"cooperation_years": 4, "growth": 5}, {"breach": 3})
    # The page updates as each control changes: wait for the final state, then read it.
    expect(card.locator(".crm-score")).to_have_text(f"{expected.score:g}")
    expect(card.locator(".crm-level")).to_have_text(f"{expected.level} 级")

    amount.fill("一百")
    amount.press("Tab")
    card.get_by_text("必须是数字").wait_for()
    assert "Traceback" not in card.inner_text()

    card.get_by_role("button", name="载入教材例题").click()
    expect(card.locator(".crm-score")).to_have_text("20")
    expect(card.locator(".crm-level")).to_have_text("D 级")


def test_spin_sorter_in_lesson_07(lab, page):
    """Does the SPIN sorter of lesson 07 mark a student's clicks as the question bank says?"""
    from crmlab.exercises import spin_bank
    from crmlab.rules import spin
    from crmlab.widgets import SpinSorter

    questions = SpinSorter().questions  # the same seed as the lesson's `SpinSorter()`
    keys = [t.key for t in spin.TYPES]
    clicks = [q.type if i % 2 == 0 else keys[(keys.index(q.type) + 1) % 4]
              for i, q in enumerate(questions)]
    open_and_run_all(page, lab, "07_spin.ipynb")
    assert error_outputs(page) == []
    sorter = page.locator(".crm-spin-sorter").first
    sorter.scroll_into_view_if_needed()
    rows = sorter.locator(".widget-toggle-buttons")
    assert rows.count() == len(questions)
    for index, label in enumerate(clicks):
        rows.nth(index).get_by_role("button", name=label, exact=True).click()
    sorter.get_by_role("button", name="检查答案").click()
    expected = spin.score_labelling({q.id: c for q, c in zip(questions, clicks)}, spin_bank.questions())
    expect(sorter.locator(".crm-score")).to_contain_text(f"答对 {expected.correct} / {expected.total} 题")
    assert expected.correct == (len(questions) + 1) // 2


def test_quiz_in_lesson_07(lab, page):
    """Does a quiz give instant feedback, explain after a right answer or a second wrong try,
    and score first tries as a student answers?"""
    from crmlab.exercises import quiz

    open_and_run_all(page, lab, "07_spin.ipynb")
    first_quiz = page.locator(".crm-quiz").first
    first_quiz.scroll_into_view_if_needed()
    items = first_quiz.locator(".crm-quiz-item")
    bank = {q.id: q for q in quiz.load_bank(7)}
    questions = [bank[i] for i in ("L07-12", "L07-09", "L07-10")]
    assert items.count() == len(questions)

    def answer(index: int, right: bool) -> None:
        question = questions[index]
        assert question.kind == "truefalse"  # the lesson's first quiz is true/false
        choice = "正确" if question.answer == right else "错误"
        item = items.nth(index)
        item.get_by_role("button", name=choice, exact=True).click()
        item.get_by_role("button", name="提交").click()

    answer(0, right=True)
    expect(items.nth(0)).to_contain_text("解析")  # explained with a right answer
    expect(first_quiz.locator(".crm-quiz-score")).to_contain_text("首次答对 1 / 3 题")
    answer(1, right=False)
    expect(items.nth(1)).to_contain_text("再试一次")
    assert "解析" not in items.nth(1).inner_text()  # not after one wrong try
    answer(1, right=False)
    expect(items.nth(1)).to_contain_text("解析")  # after the second
    answer(1, right=True)
    expect(first_quiz.locator(".crm-quiz-score")).to_contain_text("首次答对 1 / 3 题")
    assert "Traceback" not in first_quiz.inner_text()

    # A choice question shows the options in this student's order: clicking the right text,
    # whatever letter it sits at, is right.
    order_quiz = page.locator(".crm-quiz").nth(1)  # 练习 3: L07-05, L07-06, L07-08
    order_quiz.scroll_into_view_if_needed()
    item = order_quiz.locator(".crm-quiz-item").first
    keyed = bank["L07-05"]
    right = keyed.options[quiz.LETTERS.index(keyed.answer)]
    item.get_by_text(re.compile(rf"^[A-F]\. {re.escape(right)}$")).click()
    item.get_by_role("button", name="提交").click()
    expect(item).to_contain_text("回答正确")
    expect(order_quiz.locator(".crm-quiz-score")).to_contain_text("首次答对 1 / 3 题")
