"""Teachers' Create Assignment toolbar (nbgrader's) shows its cell types and labels in Chinese
(the course's labextension relabels them in place; the values nbgrader stores stay its own)."""

from __future__ import annotations

import pytest

from tests.support.formgrader_pages import english_words

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CELL_TYPES = ["-", "人工评分答案", "人工评分任务", "自动评分答案", "自动评分测试", "只读"]
VALUES = ["", "manual", "task", "solution", "tests", "readonly"]


def test_create_assignment_toolbar_is_chinese(lab, page):
    page.goto(f"{lab.url}/lab/tree/00_guide.ipynb?reset")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('nbgrader:open-create-assignment')")
    # the panel lists every cell of the notebook; a code cell's list has the autograded types
    code_cell = page.locator(".nbgrader-CellWidget",
                             has=page.locator("option[value=solution]")).first
    code_cell.wait_for()
    options = code_cell.locator(".nbgrader-CellType select option")
    assert options.all_inner_texts() == CELL_TYPES
    assert [option.get_attribute("value") for option in options.all()] == VALUES
    code_cell.locator(".nbgrader-CellType select").select_option("solution")
    code_cell.locator(".nbgrader-CellId").wait_for()  # an answer cell has an id
    assert english_words(page, {"nbgrader"}, ".nbgrader-CellWidget, .nbgrader-NotebookWidget") == []
    assert "类型：" in code_cell.inner_text() and "编号：" in code_cell.inner_text()
