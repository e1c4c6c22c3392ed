"""Browser tests of lessons 09, 12 and 14 in a real JupyterLab: their folded cells still show
their widgets, the case keeps its reference analysis closed, and what a student clicks or types
is marked and totalled as crmlab.rules.service, crmlab.rules.privacy and crmlab.rules.practice say."""

from __future__ import annotations

import nbformat
import pytest
from playwright.sync_api import expect

from crmlab.rules import practice, privacy, service
from crmlab.widgets import PrivacySorter, ReportSorter, ServiceStageSorter
from tests.support import ROOT
from tests.support.browser import error_outputs, open_and_run_all

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _hidden_cells(notebook: str) -> int:
    cells = nbformat.read(ROOT / "lessons" / notebook, as_version=4).cells
    return sum(c.metadata.get("jupyter", {}).get("source_hidden", False) for c in cells)


@pytest.mark.parametrize("notebook, sorter_class, widget, labels, mark", [
    ("09_customer_service.ipynb", ServiceStageSorter, ".crm-service-sorter",
     {o.key: o.label for o in service.STAGES}, service.mark_stages),
    ("12_customer_information.ipynb", PrivacySorter, ".crm-privacy-sorter",
     {o.key: o.label for o in privacy.VERDICTS}, privacy.mark_practices),
])
def test_lesson_runs_folded_and_its_sorter_marks_clicks(lab, page, notebook, sorter_class,
                                                        widget, labels, mark):
    """Does the lesson run in JupyterLab with its widget cells folded and the case's analysis
    closed, and does its sorter mark a student's clicks as the course's data says?"""
    items = sorter_class().items  # the same seed as the lesson's call
    open_and_run_all(page, lab, notebook)
    assert error_outputs(page) == []
    assert page.locator(".jp-InputPlaceholder").count() == _hidden_cells(notebook)
    closed = page.locator("details:not([open])").filter(has_text="参考分析")
    assert closed.count() == 1
    assert not closed.locator("p, li").first.is_visible()

    sorter = page.locator(widget).first
    sorter.scroll_into_view_if_needed()
    rows = sorter.locator(".widget-toggle-buttons")
    assert rows.count() == len(items)
    keys = list(labels)
    clicks = {}
    for index, item in enumerate(items):
        key = item.answer if index % 2 == 0 else keys[(keys.index(item.answer) + 1) % len(keys)]
        clicks[item.id] = labels[key]
        rows.nth(index).get_by_role("button", name=labels[key], exact=True).click()
    sorter.get_by_role("button", name="检查答案").click()
    expected = mark(clicks, [i.id for i in items])
    expect(sorter.locator(".crm-score")).to_contain_text(expected.summary.rstrip("。"))
    assert expected.correct == (len(items) + 1) // 2


def test_practice_lesson_widgets_in_the_browser(lab, page):
    """Do lesson 14's sorter and score form, with their code folded, mark and total as the
    course's rules do, and does the case keep its reference analysis closed?"""
    paragraphs = ReportSorter().items  # the same seed as the lesson's `ReportSorter()`
    open_and_run_all(page, lab, "14_practice.ipynb")
    assert error_outputs(page) == []
    # Cells that only build a widget or a table show their output, not their code.
    assert page.locator(".jp-InputPlaceholder").count() == _hidden_cells("14_practice.ipynb")
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
