"""The model of an nbgrader source notebook agrees with nbgrader: roles from its metadata, markers
and stubs from its configuration, and regions cut the way generate_assignment cuts them."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from crmlab.course.assignments import load_assignments
from crmlab.course.facts import load_nbgrader_config
from crmlab.grading.notebook import (
    HAND_GRADED,
    HIDDEN_TESTS,
    SOLUTION,
    Markers,
    Role,
    SourceNotebook,
    course_markers,
    grade_id,
    role,
    role_of,
)
from tests.support import ROOT

ASSIGNMENTS = load_assignments(ROOT)
IDS = sorted(ASSIGNMENTS)


def _pair(assignment_id: str) -> tuple[SourceNotebook, dict]:
    """The source notebook and its released cells by grade_id."""
    name = f"{ASSIGNMENTS[assignment_id].notebook}.ipynb"
    source = SourceNotebook.read(ROOT / "source" / assignment_id / name)
    released = nbformat.read(ROOT / "release" / assignment_id / name, as_version=4)
    return source, {grade_id(c): c for c in released.cells if grade_id(c)}


def test_roles_from_nbgrader_flags():
    assert role_of(grade=True, solution=False) is Role.TEST
    assert role_of(grade=False, solution=True) is Role.ANSWER
    assert role_of(grade=True, solution=True) is Role.WRITTEN
    assert role_of(grade=False, solution=False, task=True) is Role.TASK
    assert role_of(grade=False, solution=False, locked=True) is Role.READ_ONLY
    assert role_of(grade=False, solution=False) is Role.FREE
    assert set(HAND_GRADED) == {Role.WRITTEN, Role.TASK}
    assert role(nbformat.v4.new_code_cell("x = 1")) is Role.FREE


def test_markers_and_stubs_are_the_course_configuration():
    """Are the stubs the ones nbgrader_config.py sets, and the markers nbgrader's?"""
    config = load_nbgrader_config(ROOT)
    markers = course_markers(ROOT)
    assert markers.code_stub["python"] == config.ClearSolutions.code_stub["python"]
    assert markers.text_stub == config.ClearSolutions.text_stub
    assert markers.regions == Markers.from_config().regions  # the course keeps nbgrader's markers
    assert len(markers.all) == 6


def test_markers_follow_a_changed_configuration(tmp_path):
    """A course that renames the markers and the stub: the model reads the new ones."""
    shutil.copy2(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    with (tmp_path / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write('\nc.ClearSolutions.begin_solution_delimeter = "答案开始"\n'
                     'c.ClearSolutions.end_solution_delimeter = "答案结束"\n'
                     'c.ClearSolutions.code_stub = {"python": "pass  # 待完成"}\n')
    markers = course_markers(tmp_path)
    assert markers.regions[SOLUTION] == ("答案开始", "答案结束")
    source = "def f():\n    # 答案开始\n    return 1\n    # 答案结束\n\nf()"
    assert markers.stubbed(source) == "def f():\n    pass  # 待完成\n\nf()"
    assert markers.solved(source) == "def f():\n    return 1\n\nf()"


@pytest.mark.parametrize("assignment_id", IDS)
def test_regions_are_cut_as_nbgrader_cuts_them(assignment_id):
    """For every answer and test cell, does the model's stubbed / hidden-free source equal what
    nbgrader generate_assignment wrote into release/?"""
    source, released = _pair(assignment_id)
    checked = 0
    for cell in source.cells:
        if role(cell) is Role.ANSWER and cell.cell_type == "code":
            assert source.markers.stubbed(cell.source, source.language) == released[grade_id(cell)].source
            checked += 1
        elif role(cell) is Role.WRITTEN and cell.cell_type == "markdown":
            assert released[grade_id(cell)].source == source.markers.text_stub
            checked += 1
        elif role(cell) is Role.TEST:
            assert source.markers.without(cell.source, HIDDEN_TESTS) == released[grade_id(cell)].source
            checked += 1
    assert checked == len(source.cells_with(Role.ANSWER, Role.WRITTEN, Role.TEST))


@pytest.mark.parametrize("assignment_id", IDS)
def test_secret_lines_are_the_regions_and_written_answers(assignment_id):
    """Are a notebook's secrets its solution and hidden-test lines and its written model
    answers, none of which is in the release?"""
    source, released = _pair(assignment_id)
    secrets = source.secret_lines()
    hidden = source.secret_lines((HIDDEN_TESTS,))
    assert hidden and hidden < secrets
    written = {line.strip() for c in source.cells_with(Role.WRITTEN, cell_type="markdown")
               for line in c.source.splitlines()}
    assert written & secrets and not written & hidden
    released_lines = {line.strip() for c in released.values() for line in c.source.splitlines()}
    assert {s for s in secrets & released_lines if len(s) >= 8} == set()


def test_an_unclosed_region_is_refused():
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        list(Markers.from_config().segments("### BEGIN SOLUTION\nx = 1"))
