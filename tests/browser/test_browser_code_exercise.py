"""Browser test of lesson 03's code exercises in a real JupyterLab: run top to bottom they say
未作答 (no error); once the student's cell holds working code and is run, 「核对」 reads the
notebook's live variables and says 正确, while wrong code gets a Chinese sentence."""

from __future__ import annotations

import nbformat
import pytest
from playwright.sync_api import expect

from crmlab.exercises import numeric
from tests.support import ROOT
from tests.support.browser import error_outputs, open_and_run_all

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SET_AND_RUN = """([start, source]) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const index = panel.content.widgets.findIndex(
    c => c.model.sharedModel.getSource().startsWith(start));
  panel.content.widgets[index].model.sharedModel.setSource(source);
  panel.content.activeCellIndex = index;
  return window.jupyterapp.commands.execute('notebook:run-cell');
}"""


def _run_cell(page, start: str, source: str) -> None:
    page.evaluate(SET_AND_RUN, [start, source])
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-InputPrompt')]"
        ".every(p => !p.textContent.includes('*'))")


def test_code_exercise_checks_the_students_cell(lab, page):
    open_and_run_all(page, lab, "03_python_pandas.ipynb")
    assert error_outputs(page) == []
    checks = page.locator(".crm-code-exercise")
    cells = nbformat.read(ROOT / "lessons" / "03_python_pandas.ipynb", as_version=4).cells
    shown = sum(c.source.startswith('Exercise("L03-C') for c in cells)
    assert shown >= 6 and checks.count() == shown
    for index in range(shown):
        expect(checks.nth(index)).to_contain_text("未作答")

    first = checks.first
    first.scroll_into_view_if_needed()
    _run_cell(page, "def nps_group(", 'def nps_group(score):\n    return "推荐者"')
    first.get_by_role("button", name="核对").click()
    expect(first).to_contain_text("错误")
    expect(first).to_contain_text("nps_group(8) 返回的结果是 '推荐者'，应当是 '中立者'。")
    assert "Traceback" not in first.inner_text()

    _run_cell(page, "def nps_group(", numeric.exercise("L03-C01").solution)
    first.get_by_role("button", name="核对").click()
    expect(first).to_contain_text("正确")
    first.get_by_role("button", name="提示").click()
    expect(first).to_contain_text("提示 1/2")
