"""Hostile students against the verdict, graded by the real `nbgrader autograde` and by
`crmlab autograde` in the same course: a submission that tries to decide its own grade gets what
its real answers earn, and no hidden test reaches anything the sandbox could read."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from benchmarks.autograde_parallel import scores
from crmlab.course.assignments import load_assignments
from crmlab.grading.autograde import autograde
from crmlab.grading.notebook import HIDDEN_TESTS, Role, SourceNotebook, grade_id, role
from crmlab.grading.verdict import TAMPERING_SIGN, is_test_cell
from tests.support import ROOT
from tests.support.course import ScratchCourse

pytestmark = pytest.mark.slow

ASSIGNMENTS = load_assignments(ROOT)

BLANK_LATER_CELLS = "get_ipython().input_transformers_cleanup.append(lambda lines: [])\n"
REMOVE_ASSERTS = """import ast
class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_NoAsserts())
"""
ALWAYS_EQUAL = """class _Yes:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = object.__hash__
    def __bool__(self):
        return True
    def __iter__(self):
        return iter(())
    def __getitem__(self, key):
        return self
"""
FAKE_INTEGRITY = """import importlib, sys, types
_fake = types.ModuleType("crmlab.course.integrity")
_fake.uses_crmlab = lambda obj: False
sys.modules["crmlab.course.integrity"] = _fake
importlib.reload = lambda module: _fake
"""
READ_EVERYTHING = """import os
print(get_ipython().user_ns["In"])
for _root in (".", "/tmp"):
    for _folder, _dirs, _files in os.walk(_root):
        for _name in _files:
            try:
                print(open(os.path.join(_folder, _name), encoding="utf-8", errors="replace").read()[:200000])
            except OSError:
                pass
"""


def _source(assignment: str) -> SourceNotebook:
    return SourceNotebook.read(ROOT / "source" / assignment / f"{ASSIGNMENTS[assignment].notebook}.ipynb")


def _work(assignment: str, *, solved: bool, first: str = "", last: str = "", answers=None) -> nbformat.NotebookNode:
    """The released notebook with model answers (or the stubs), ``first`` put before the first
    answer, ``last`` as a last cell, and ``answers`` (grade_id → source) in place."""
    model = _source(assignment)
    notebook = model.notebook
    cells = [c for c in notebook.cells if role(c) == Role.ANSWER and c.cell_type == "code"]
    for cell in cells:
        cell.source = model.markers.solved(cell.source) if solved else model.markers.stubbed(cell.source)
        cell.source = (answers or {}).get(grade_id(cell), cell.source)
    cells[0].source = first + cells[0].source
    if last:
        notebook.cells.append(nbformat.v4.new_code_cell(last))
    for cell in notebook.cells:  # the student's copy holds no hidden test
        if cell.cell_type == "code":
            cell.source = model.markers.without(cell.source, HIDDEN_TESTS)
    return notebook


def _hw01_always_equal():
    return {f"q{n}_answer": f"q{n} = _Yes()" for n in range(1, 14)}


HW03_BORROWING = {  # base_level reaches for crmlab's own rule (crmlab is hidden from the kernel,
    # so the import fails there and the answer still runs: only the static check can see it)
    "base_level_answer": _source("hw03_customer_grading").markers.solved(
        next(c.source for c in _source("hw03_customer_grading").cells if grade_id(c) == "base_level_answer")
    ).replace("    # 第 1 步", "    try:  # 借用 crmlab\n        import crmlab.rules.grading as _rules\n"
                                "    except ImportError:\n        _rules = None\n    # 第 1 步", 1),
}


def _hw03_always_equal():
    functions = ["base_level", "final_level", "composite_score", "grade_table"]
    answers = {f"{'composite' if f == 'composite_score' else f}_answer": f"def {f}(*args):\n    return _Yes()"
               for f in functions}
    answers["profile_scores_answer"] = "hengda = _Yes()\njiahe = _Yes()"
    answers["my_customers_answer"] = "my_customers = _Yes()"
    return answers


STUDENTS = {  # (assignment, student) → (work, expected score: None = full marks)
    ("hw01_crm_concepts", "blanker"): (lambda: _work("hw01_crm_concepts", solved=False, first=BLANK_LATER_CELLS), 0),
    ("hw01_crm_concepts", "asserts"): (lambda: _work("hw01_crm_concepts", solved=False, first=REMOVE_ASSERTS), 0),
    ("hw01_crm_concepts", "equal"): (lambda: _work("hw01_crm_concepts", solved=False, first=ALWAYS_EQUAL,
                                                   answers=_hw01_always_equal()), 0),
    ("hw01_crm_concepts", "reload"): (lambda: _work("hw01_crm_concepts", solved=False, first=FAKE_INTEGRITY), 0),
    ("hw01_crm_concepts", "reader"): (lambda: _work("hw01_crm_concepts", solved=True, last=READ_EVERYTHING), None),
    ("hw01_crm_concepts", "partial"): (lambda: _work("hw01_crm_concepts", solved=True, answers={
        "q7_answer": 'q7 = {"A", "C"}', "q8_answer": 'q8 = {"B", "C", "D"}'}), 25 - 1 - 3),
    ("hw03_customer_grading", "blanker"): (
        lambda: _work("hw03_customer_grading", solved=False, first=BLANK_LATER_CELLS), 0),
    ("hw03_customer_grading", "asserts"): (
        lambda: _work("hw03_customer_grading", solved=False, first=REMOVE_ASSERTS), 0),
    # 1: grade_table_unchanged passes for any function that leaves its input alone, as it should
    ("hw03_customer_grading", "equal"): (lambda: _work("hw03_customer_grading", solved=False, first=ALWAYS_EQUAL,
                                                       answers=_hw03_always_equal()), 1),
    # base_level_middle, composite_example and grade_table_values guard base_level and its callers
    ("hw03_customer_grading", "reload"): (lambda: _work("hw03_customer_grading", solved=True, first=FAKE_INTEGRITY,
                                                        answers=HW03_BORROWING), 35 - 2 - 3 - 3),
    ("hw03_customer_grading", "reader"): (
        lambda: _work("hw03_customer_grading", solved=True, last=READ_EVERYTHING), None),
    ("hw03_customer_grading", "model"): (lambda: _work("hw03_customer_grading", solved=True), None),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Every hostile submission, released, submitted and collected; then graded by plain
    `nbgrader autograde` (scores and log kept) and again by `crmlab autograde`."""
    course = ScratchCourse(tmp_path_factory.mktemp("verdict"))
    course.enrol({student for _, student in STUDENTS})
    results = {}
    for assignment in sorted({a for a, _ in STUDENTS}):
        course.release(assignment)
        for (which, student), (work, _) in STUDENTS.items():
            if which == assignment:
                path = course.root.parent / f"{student}-{assignment}.ipynb"
                nbformat.write(work(), path.with_name(f"{ASSIGNMENTS[assignment].notebook}.ipynb"))
                course.fetch_and_submit(student, assignment, path.with_name(f"{ASSIGNMENTS[assignment].notebook}.ipynb"))
        course.instructor("collect", assignment)
        log = course.instructor("autograde", assignment)
        plain = scores(course.root, assignment)
        outputs = {s: _outputs(course.root, assignment, s) for w, s in STUDENTS if w == assignment}
        outcomes = {o.student: o for o in autograde(course.root, assignment, jobs=2, progress=False)}
        results[assignment] = {"plain": plain, "log": log.stdout + log.stderr, "outputs": outputs,
                               "crmlab": {s: o.score for s, o in outcomes.items()}}
    return course, results


def _outputs(root: Path, assignment: str, student: str) -> dict[str, str]:
    """What the graded notebook shows: of the cells the kernel ran ("kernel"; a test cell's
    output is the grader's verdict, not the kernel's) and of all cells ("all")."""
    graded = root / "autograded" / student / assignment / f"{ASSIGNMENTS[assignment].notebook}.ipynb"
    cells = nbformat.read(graded, as_version=4).cells
    shown = lambda chosen: json.dumps([c.get("outputs", []) for c in chosen], ensure_ascii=False)  # noqa: E731
    return {"kernel": shown([c for c in cells if not is_test_cell(c)]), "all": shown(cells)}


@pytest.mark.parametrize(("assignment", "student"), sorted(STUDENTS))
def test_score_is_what_the_real_answers_earn_under_both_graders(course, assignment, student):
    _, results = course
    expected = STUDENTS[assignment, student][1]
    if expected is None:
        expected = ASSIGNMENTS[assignment].points_auto
    assert results[assignment]["plain"][student] == expected
    assert results[assignment]["crmlab"][student] == expected


@pytest.mark.parametrize("assignment", ["hw01_crm_concepts", "hw03_customer_grading"])
def test_no_hidden_test_reaches_anything_the_submission_could_read(course, assignment):
    """The reader prints every file of its folder and /tmp and the kernel's In[]: none of the
    hidden tests' lines is among what it saw (nor among what any other submission's cells
    showed). A failing test's own message is in its verdict, written by the grader."""
    _, results = course
    hidden = {line for line in _source(assignment).secret_lines((HIDDEN_TESTS,)) if len(line) > 12}
    assert hidden
    outputs = results[assignment]["outputs"]
    assert "get_ipython" in outputs["reader"]["kernel"]  # it did print In[] (its own cells)
    for student, shown in outputs.items():
        assert [line for line in hidden if line in shown["kernel"]] == [], student


def test_test_failures_read_in_chinese_with_the_tests_own_message(course):
    _, results = course
    text = results["hw03_customer_grading"]["outputs"]["reload"]["all"]
    assert "base_level 调用了 crmlab 包里的代码" in text
    assert "Traceback" not in text and "File \"" not in text


def test_a_tampering_source_is_named_in_the_log(course):
    """The submissions that install hooks leave the verdict's warning in nbgrader's log (only a
    flag: their scores are above)."""
    _, results = course
    assert TAMPERING_SIGN in results["hw01_crm_concepts"]["log"]


@pytest.fixture(scope="module")
def model_answers(tmp_path_factory):
    """The five assignments' model answers, graded by `nbgrader autograde` and by `crmlab
    autograde` (whose workers call NbGraderAPI.autograde, what Formgrader's button calls)."""
    course = ScratchCourse(tmp_path_factory.mktemp("models"))
    course.enrol(["model"])
    graded = {}
    for assignment in sorted(ASSIGNMENTS):
        course.release(assignment)
        path = course.root.parent / assignment / f"{ASSIGNMENTS[assignment].notebook}.ipynb"
        path.parent.mkdir()
        nbformat.write(_work(assignment, solved=True), path)
        course.fetch_and_submit("model", assignment, path)
        course.instructor("collect", assignment)
        course.instructor("autograde", assignment)
        plain = scores(course.root, assignment)["model"]
        crmlab = autograde(course.root, assignment, jobs=1, progress=False)[0]
        graded[assignment] = (plain, crmlab.score, crmlab.status)
    return graded


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_model_answers_score_full_marks_both_ways(model_answers, assignment):
    full = ASSIGNMENTS[assignment].points_auto
    assert model_answers[assignment] == (full, full, "graded")
