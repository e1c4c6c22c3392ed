"""Browser test of lesson 14 (实训): a student in a real JupyterLab sorts the report's paragraphs
and scores an oral exchange; the page must show what crmlab.practice says."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crmlab import practice
from crmlab.widgets import ReportSorter
from tests.browser import error_outputs, open_and_run_all

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_practice_lesson_widgets_in_the_browser(lab, page):
    """Do lesson 14's sorter and score form, with their code folded, mark and total as the
    course's rules do, and does the case keep its reference analysis closed?"""
    paragraphs = ReportSorter().items  # the same seed as the lesson's `ReportSorter()`
    open_and_run_all(page, lab, "14_practice.ipynb")
    assert error_outputs(page) == []
    # Cells that only build a widget or a table show their output, not their code.
    assert page.locator(".jp-InputPlaceholder").count() >= 7
    closed = page.locator("details:not([open])").filter(has_text="参考分析")
    assert closed.count() == 1 and not closed.get_by_text("开头只交代了时间和地点").is_visible()

    sorter = page.locator(".crm-report-sorter").first
    sorter.scroll_into_view_if_needed()
    rows = sorter.locator(".widget-toggle-buttons")
    assert rows.count() == len(paragraphs)
    labels = {p.key: p.label for p in practice.REPORT_PARTS}
    wrong = paragraphs[0]
    for index, paragraph in enumerate(paragraphs):
        choice = labels[paragraph.answer] if index else labels[
            "ending" if wrong.answer != "ending" else "opening"]
        rows.nth(index).get_by_role("button", name=choice, exact=True).click()
    sorter.get_by_role("button", name="检查答案").click()
    expect(sorter.locator(".crm-score")).to_contain_text(
        f"答对 {len(paragraphs) - 1} / {len(paragraphs)} 段")
    assert sorter.locator(".crm-report").count() == 0
    rows.nth(0).get_by_role("button", name=labels[wrong.answer], exact=True).click()
    sorter.get_by_role("button", name="检查答案").click()
    expect(sorter.locator(".crm-score")).to_contain_text(
        f"答对 {len(paragraphs)} / {len(paragraphs)} 段")
    report = sorter.locator(".crm-report").inner_text()
    positions = [report.index(p.text) for p in practice.REPORT_EXAMPLE]
    assert positions == sorted(positions)

    form = page.locator(".crm-exchange-form").first
    form.scroll_into_view_if_needed()
    boxes = form.locator(".widget-text input")
    assert boxes.count() == len(practice.CRITERIA)
    marks = {c.key: c.points for c in practice.CRITERIA}
    marks.update(fluent=3, pace=1.5, expressive=2, inspiring=1)
    for index, criterion in enumerate(practice.CRITERIA):
        boxes.nth(index).fill(f"{marks[criterion.key]:g}")
        boxes.nth(index).press("Tab")
    expected = practice.score_exchange(marks)
    expect(form.locator(".crm-total")).to_have_text(f"{expected.total:g}")

    pace = [c.key for c in practice.CRITERIA].index("pace")
    boxes.nth(pace).fill("很好")
    boxes.nth(pace).press("Tab")
    form.get_by_text("请填 0～3 的分数").wait_for()
    assert form.locator(".crm-total").count() == 0
    assert "Traceback" not in form.inner_text()
