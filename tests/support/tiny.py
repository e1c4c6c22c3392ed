"""A tiny nbgrader course of one assignment (``ps1``: a function to write, a visible and a hidden
test, a written answer), independent of the course's own notebooks and configuration."""

from __future__ import annotations

from pathlib import Path

import nbformat

from benchmarks.autograde_parallel import scores as assignment_scores
from crmlab.grading.notebook import HIDDEN_TESTS, SOLUTION, Markers

CONFIG = """c = get_config()
c.CourseDirectory.course_id = "tiny"
c.Execute.timeout = 4
c.OverwriteCells.add_missing_cells = True
"""


MARKERS = Markers.from_config()
"""nbgrader's own markers: the little course's config leaves them as they are."""
(BEGIN, END), (BEGIN_HIDDEN, END_HIDDEN) = MARKERS.regions[SOLUTION], MARKERS.regions[HIDDEN_TESTS]


def _cell(kind, source, **meta):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    return make(source, metadata={"nbgrader": {"schema_version": 3, **meta}})


def source_notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [
        _cell("markdown", "# 小练习", locked=True, solution=False, grade=False, grade_id="intro"),
        _cell("code", f"def double(x):\n    ### {BEGIN}\n    return 2 * x\n    ### {END}",
              solution=True, grade=False, locked=False, grade_id="answer", task=False),
        _cell("code", '"""double(1) 是 2 吗？"""\nassert double(1) == 2, "double(1) 应为 2"\n'
                      f"### {BEGIN_HIDDEN}\nassert double(21) == 42\n### {END_HIDDEN}",
              grade=True, solution=False, locked=True, points=3, grade_id="test_double"),
        _cell("code", '"""double(0) 是 0 吗？"""\nassert double(0) == 0',
              grade=True, solution=False, locked=True, points=1, grade_id="test_zero"),
        _cell("markdown", "说明：乘以二。", solution=True, grade=True, locked=False, points=2,
              grade_id="written"),
    ]
    return notebook


def scores(root: Path, assignment: str = "ps1") -> dict[str, float]:
    """student → score of ``assignment`` (the tiny course's ps1), from the course's gradebook."""
    return assignment_scores(root, assignment)
