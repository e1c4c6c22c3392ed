"""The check "the answer must not call crmlab": what it flags, what it leaves alone, how the
hidden tests call it, and a submission that swaps the check for a fake before it runs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from crmlab.course.assignments import load_assignments
from crmlab.course.integrity import uses_crmlab
from crmlab.grading.gradebook import db_url
from crmlab.grading.notebook import HIDDEN_TESTS, course_markers, grade_id
from tests.support import ROOT
from tests.support.course import ScratchCourse

ASSIGNMENTS = load_assignments(ROOT)

HIDDEN_TEST_IMPORT = "import importlib, crmlab.course.integrity as _integrity"
"""How a hidden test imports the check (docs/教师指南.md shows it to teachers)."""


def hidden_test_lines(function: str, message: str) -> list[str]:
    """The lines of a hidden test asserting that ``function`` (a name) does not use crmlab."""
    return [HIDDEN_TEST_IMPORT,
            f"assert not importlib.reload(_integrity).uses_crmlab({function}), (",
            f"    {json.dumps(message, ensure_ascii=False)}",
            ")"]


def _student(code: str) -> dict:
    """The globals of a notebook kernel after running ``code`` (as a student's cells would)."""
    namespace: dict = {"__name__": "__main__"}
    exec(textwrap.dedent(code), namespace)  # noqa: S102 - test code written here
    return namespace


CHEATS = {
    "direct": """
        from crmlab.course import assignments
        def answer(days):
            return assignments.LatePolicy(0.1, 0.5).fraction(days * 86400)
    """,
    "imported function": """
        from crmlab.course.assignments import LatePolicy
        def answer(days):
            return LatePolicy(0.1, 0.5).fraction(days * 86400)
    """,
    "through a helper": """
        import crmlab.course.assignments as rules
        def _helper(days):
            return rules.LatePolicy(0.1, 0.5).fraction(days * 86400)
        def _middle(days):
            return _helper(days)
        def answer(days):
            return _middle(days)
    """,
    "through a closure": """
        def make():
            from crmlab.course.assignments import LatePolicy
            policy = LatePolicy(0.1, 0.5)
            def answer(days):
                return policy.fraction(days * 86400)
            return answer
        answer = make()
    """,
    "importlib string": """
        import importlib
        def answer(days):
            rules = importlib.import_module("crmlab.course.assignments")
            return rules.LatePolicy(0.1, 0.5).fraction(days * 86400)
    """,
    "import inside": """
        def answer(days):
            import crmlab.course.assignments
            return crmlab.course.assignments.LatePolicy(0.1, 0.5).fraction(days * 86400)
    """,
    "nested function": """
        def answer(days):
            def inner():
                from crmlab.course.assignments import LatePolicy
                return LatePolicy(0.1, 0.5)
            return inner().fraction(days * 86400)
    """,
}

HONEST = {
    "pandas only": """
        import numpy as np
        import pandas as pd
        def answer(df):
            liabilities = df["current_liabilities"].where(df["current_liabilities"] != 0)
            return pd.Series(df["current_assets"] / liabilities, index=df.index).fillna(np.nan)
    """,
    "helpers and recursion": """
        import math
        import pandas as pd
        def _days(seconds):
            return math.ceil(seconds / 86400)
        def _fact(n):
            return 1 if n <= 1 else n * _fact(n - 1)
        def answer(seconds):
            return pd.Series([min(0.1 * _days(seconds), 0.5), _fact(3)])
    """,
    "closure over data": """
        def make(rate):
            def answer(days):
                return min(rate * days, 0.5)
            return answer
        answer = make(0.1)
    """,
    "names that only look alike": """
        crmlab_style = "my own"
        def answer(x):
            text = "not crmlab here"
            return crmlab_style, text, x
    """,
}


@pytest.mark.parametrize("case", sorted(CHEATS))
def test_an_answer_reaching_crmlab_is_flagged(case):
    assert uses_crmlab(_student(CHEATS[case])["answer"]) is True


@pytest.mark.parametrize("case", sorted(HONEST))
def test_an_honest_answer_is_not_flagged(case):
    assert uses_crmlab(_student(HONEST[case])["answer"]) is False


def test_crmlab_itself_and_plain_values():
    """A crmlab function, class or module is flagged; numbers, strings and pandas are not."""
    import pandas as pd

    from crmlab.course import assignments

    assert uses_crmlab(assignments.load_assignments) and uses_crmlab(assignments.LatePolicy)
    assert uses_crmlab(assignments)
    assert not any(uses_crmlab(x) for x in (1, "crmlab", None, pd, pd.DataFrame, len))


# --- the hidden tests ---------------------------------------------------------------------------


def _integrity_checks() -> list[tuple[str, str, str]]:
    """(assignment, grade_id, cell source) of every hidden test that calls the check."""
    found = []
    for assignment in ASSIGNMENTS.values():
        path = ROOT / "source" / assignment.id / f"{assignment.notebook}.ipynb"
        for cell in nbformat.read(path, as_version=4).cells:
            if "uses_crmlab" in cell.source:
                found.append((assignment.id, grade_id(cell), cell.source))
    return found


def test_hidden_tests_call_the_one_check():
    """Does each hidden test that guards an answer call the check in the one way (and none
    carry a pasted copy of it)?"""
    checks = _integrity_checks()
    assert len(checks) == 15
    for assignment, cell_id, source in checks:
        hidden = source.split(f"{course_markers(ROOT).regions[HIDDEN_TESTS][0]}\n", 1)[1]
        assert "def _uses_crmlab" not in source, cell_id
        function = hidden.split(".uses_crmlab(", 1)[1].split(")", 1)[0]
        message = hidden.split(f".uses_crmlab({function}), (\n    ", 1)[1].split("\n)", 1)[0]
        expected = hidden_test_lines(function, json.loads(message))
        end = course_markers(ROOT).regions[HIDDEN_TESTS][1]
        assert hidden.endswith("\n".join(expected) + f"\n### {end}"), (assignment, cell_id)
        assert json.loads(message).startswith(f"{function} 调用了 crmlab 包里的代码")


TAMPER = """
import sys, types
fake = types.ModuleType("crmlab.course.integrity")
fake.uses_crmlab = lambda obj: False
sys.modules["crmlab.course.integrity"] = fake
import crmlab.course
crmlab.course.integrity = fake
"""


def _kernel(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("imported_first", [False, True])
def test_a_fake_in_sys_modules_does_not_pass_the_hidden_test(imported_first):
    """A student's cell swaps the check for a fake (before or after the genuine one was
    imported): the naive import is fooled, the hidden test's way of loading it is not."""
    cheat = textwrap.dedent(CHEATS["direct"])
    first = "import crmlab.course.integrity\n" if imported_first else ""
    naive = _kernel(first + TAMPER + cheat + "from crmlab.course.integrity import uses_crmlab\n"
                    "assert not uses_crmlab(answer)\n")
    assert naive.returncode == 0, naive.stderr  # the attack works on a plain import
    hidden = "\n".join(hidden_test_lines("answer", "answer 调用了 crmlab 包里的代码"))
    graded = _kernel(first + TAMPER + cheat + hidden + "\n")
    assert graded.returncode != 0
    assert "AssertionError: answer 调用了 crmlab 包里的代码" in graded.stderr
    honest = _kernel(first + TAMPER + textwrap.dedent(HONEST["pandas only"]) + hidden + "\n")
    assert honest.returncode == 0, honest.stderr


def test_the_hidden_test_lines_are_documented_but_not_in_the_package():
    """Do the teachers' guide show the two lines, and does no hidden-test line appear (even
    inside another line) in crmlab/, which students can read?"""
    guide = (ROOT / "docs" / "教师指南.md").read_text(encoding="utf-8")
    assert HIDDEN_TEST_IMPORT in guide and "assert not importlib.reload(_integrity).uses_crmlab(" in guide
    hidden = {line.strip() for _, _, source in _integrity_checks()
              for line in source.split("BEGIN HIDDEN TESTS", 1)[1].splitlines()[1:-1]
              if len(line.strip()) > 24}
    package = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "crmlab").rglob("*.py"))
    assert hidden and [line for line in hidden if line in package] == []


# --- graded by the real nbgrader autograde ------------------------------------------------------

EVE = "eve"
ASSIGNMENT = "hw02_credit"
CHEATING_FUNCTION = "current_ratio"
CALLERS = {"credit_table"}
"""The answers that call current_ratio, and so reach crmlab through it."""


KERNEL_TAMPER = "try:\n" + textwrap.indent(TAMPER, "    ") + "\nexcept ImportError:\n    pass\n"
"""The fake, put in place where the kernel can import crmlab (the sandbox hides it)."""
BORROW = ("try:\n    from crmlab.course import assignments as _borrowed\n"
          "except ImportError:  # crmlab is hidden from the sandboxed kernel\n    _borrowed = None\n")


def _eves_work(out_dir: Path) -> Path:
    """hw02's model answers, with current_ratio borrowing from crmlab (in its source: the
    sandboxed kernel may not even find it) and the first answer cell swapping the integrity
    check for a fake first."""
    source = ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENTS[ASSIGNMENT].notebook}.ipynb"
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if grade_id(cell) == f"{CHEATING_FUNCTION}_answer":
            borrowed = cell.source.replace(
                "    # 第 1 步", "    _borrowed  # 借用 crmlab\n    # 第 1 步", 1)
            assert borrowed != cell.source
            cell.source = KERNEL_TAMPER + BORROW + "\n" + borrowed
    out = out_dir / source.name
    nbformat.write(notebook, out)
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Eve's tampering submission, released, submitted, collected and autograded by nbgrader."""
    course = ScratchCourse(tmp_path_factory.mktemp("integrity"))
    course.release(ASSIGNMENT)
    course.fetch_and_submit(EVE, ASSIGNMENT, _eves_work(course.root.parent))
    course.instructor("collect", ASSIGNMENT)
    course.instructor("autograde", ASSIGNMENT)
    with Gradebook(db_url(course.root)) as gradebook:
        submission = gradebook.find_submission_notebook(
            ASSIGNMENTS[ASSIGNMENT].notebook, ASSIGNMENT, EVE)
        scores = {grade.name: (grade.score, grade.max_score) for grade in submission.grades
                  if grade.cell.cell_type == "code"}
    text = (course.root / "autograded" / EVE / ASSIGNMENT
            / f"{ASSIGNMENTS[ASSIGNMENT].notebook}.ipynb").read_text(encoding="utf-8")
    return scores, text


@pytest.mark.slow
def test_tampering_submission_loses_the_integrity_points(graded):
    """Graded by nbgrader autograde, does Eve lose exactly the test cells whose hidden test
    checks current_ratio or an answer calling it, and keep every other point?"""
    scores, text = graded
    lost = {name for name, (score, top) in scores.items() if score < top}
    guarded = {f"{CHEATING_FUNCTION}_values"} | {f"{name}_values" for name in CALLERS}
    assert lost == guarded
    assert sum(score for score, _ in scores.values()) == (
        ASSIGNMENTS[ASSIGNMENT].points_auto - sum(scores[name][1] for name in guarded))
    assert f"{CHEATING_FUNCTION} 调用了 crmlab 包里的代码" in text
