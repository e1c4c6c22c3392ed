"""Assignments: schedules and rubrics agree with the notebooks, the release leaks nothing, and the
whole instructor cycle runs with the real nbgrader commands."""

from __future__ import annotations

import html
import json
import shutil
from datetime import UTC, timedelta
from pathlib import Path

import nbformat
import pytest

from crmlab.commands.cli import main
from crmlab.course.assignments import LatePolicy, load_assignments
from crmlab.course.manifest import load_course
from crmlab.grading import release
from crmlab.grading.feedback import FAILED, NOT_RUN, PARTLY, PASSED, HideHiddenTests
from crmlab.grading.notebook import (
    HAND_GRADED,
    HIDDEN_TESTS,
    Markers,
    Role,
    SourceNotebook,
    grade_id,
    points,
    role,
)
from tests.support import ROOT
from tests.support.course import ScratchCourse

ASSIGNMENTS = load_assignments(ROOT)
IDS = sorted(ASSIGNMENTS)
REQUIRED = load_course().assignment_ids
"""The course's assignments, as the course manifest lists them."""


def _source_notebook(assignment_id: str) -> Path:
    return ROOT / "source" / assignment_id / f"{ASSIGNMENTS[assignment_id].notebook}.ipynb"


def _points(notebook: Path) -> tuple[float, float, set[str]]:
    auto = manual = 0.0
    manual_ids = set()
    for cell in SourceNotebook.read(notebook).cells:
        if role(cell) in HAND_GRADED:
            manual += points(cell)
            manual_ids.add(grade_id(cell))
        elif role(cell) is Role.TEST:
            auto += points(cell)
    return auto, manual, manual_ids


def test_the_assignments_exist():
    """Does the course have the manifest's assignments (five or more), each with a source
    notebook, a YAML file and a released folder?"""
    assert len(REQUIRED) >= 5 and set(REQUIRED) == set(IDS)
    for assignment_id in REQUIRED:
        assert _source_notebook(assignment_id).exists()
        assert (ROOT / "release" / assignment_id).is_dir()


@pytest.mark.parametrize("assignment_id", IDS)
def test_yaml_points_and_rubric_match_the_notebook(assignment_id):
    """Do the YAML's points and rubric cells agree with the notebook's nbgrader metadata?"""
    assignment = ASSIGNMENTS[assignment_id]
    auto, manual, manual_ids = _points(_source_notebook(assignment_id))
    assert (auto, manual) == (assignment.points_auto, assignment.points_manual)
    assert {item.grade_id for item in assignment.rubric} == manual_ids
    assert auto > 0 and manual > 0


@pytest.mark.parametrize(
    ("seconds", "fraction"),
    [(0, 0), (1, 0.1), (86_400, 0.1), (86_401, 0.2), (4 * 86_400, 0.4), (30 * 86_400, 0.5)],
)
def test_late_policy_per_started_day_capped(seconds, fraction):
    """Is a started day counted as a whole day, and the penalty capped?"""
    assert LatePolicy(per_day=0.1, max=0.5).fraction(seconds) == pytest.approx(fraction)


def _graded_cell(outputs, failing_line=None):
    begin, end = Markers.from_config().regions[HIDDEN_TESTS]  # HideHiddenTests() without config
    source = f"assert f(1) == 2, '可见测试'\n### {begin}\nassert f(7) == 14\n### {end}"
    if failing_line is not None:
        outputs = [{"output_type": "error", "ename": "AssertionError", "evalue": "可见测试",
                    "traceback": ["\x1b[0;31mAssertionError\x1b[0m", f"Cell In[5], line {failing_line}",
                                  "assert f(7) == 14"]}]
    return nbformat.v4.new_code_cell(source, outputs=outputs,
                                     metadata={"nbgrader": {"grade": True, "grade_id": "t"}})


@pytest.mark.parametrize(
    ("failing_line", "verdict"), [(None, PASSED), (3, FAILED), (1, NOT_RUN)],
)
def test_feedback_hides_hidden_tests(failing_line, verdict):
    """Is the hidden code replaced by pass / fail / not run, and no traceback left to quote it?"""
    cell, _ = HideHiddenTests().preprocess_cell(_graded_cell([], failing_line), {}, 0)
    assert "f(7)" not in cell.source and verdict in cell.source
    assert "f(1) == 2" in cell.source
    assert "f(7)" not in json.dumps(cell.outputs)


def test_feedback_says_a_partly_earned_cell_is_partly_passed():
    """A cell that earned part of its points (hw03's item-by-item credit) does not read 「通过」."""
    partly = _graded_cell([])
    partly.metadata.nbgrader.update(score=11 / 6, points=2)
    cell, _ = HideHiddenTests().preprocess_cell(partly, {}, 0)
    assert PARTLY.format(score=1.83, points=2) in cell.source and PASSED not in cell.source
    assert "得 1.83 / 2 分" in cell.source
    full = _graded_cell([])
    full.metadata.nbgrader.update(score=2, points=2)
    assert PASSED in HideHiddenTests().preprocess_cell(full, {}, 0)[0].source


@pytest.mark.slow  # nbgrader generate_assignment on every assignment: ~16 s of CPU
def test_check_release_passes(capsys):
    """Is the committed release identical to a fresh generation, with no leak (`check-release`)?"""
    code = main(["check-release", "--course", str(ROOT)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "没有外泄" in out


def test_leak_check_finds_a_solution_line(tmp_path):
    """Would a solution line copied into a released notebook be found?"""
    course = tmp_path / "course"
    for name in ("source", "release", "assignments", "crmlab", "data"):
        if name in ("crmlab", "data"):
            (course / name).mkdir(parents=True)
        else:
            shutil.copytree(ROOT / name, course / name)
    assignment_id = "hw03_customer_grading"
    secret = sorted(release.secret_lines(_source_notebook(assignment_id)), key=len)[-1]
    released = next((course / "release" / assignment_id).glob("*.ipynb"))
    notebook = nbformat.read(released, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(secret))
    nbformat.write(notebook, released)
    found = release.leaks(course, course / "release", [assignment_id])
    assert any(secret[:40] in str(leak) for leak in found)


def test_no_answer_in_what_a_student_can_import():
    """Do crmlab/ and data/ hold no solution or hidden-test line of any assignment?"""
    problems = [leak for leak in release.leaks(ROOT, ROOT / "release", IDS)
                if not leak.where.startswith("release/")]
    assert problems == []


# --- the instructor's whole cycle ---------------------------------------------------------


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """Release every assignment, have students submit, collect, autograde, feedback, export."""
    course = ScratchCourse(tmp_path_factory.mktemp("nbgrader"))
    tamper_id = "hw03_customer_grading"
    for assignment_id in IDS:
        course.release(assignment_id)
        source = _source_notebook(assignment_id)
        course.fetch_and_submit("alice", assignment_id, source)  # the model answers
        course.fetch_and_submit("bob", assignment_id, None)  # the untouched release
    course.fetch_and_submit("carol", tamper_id, _source_notebook(tamper_id))  # late, see below
    tampered = course.root / "tampered" / _source_notebook(tamper_id).name
    dave = course.fetch_and_submit("dave", tamper_id, _tampered(_source_notebook(tamper_id), tampered))
    for assignment_id in IDS:
        course.instructor("collect", assignment_id)
    due = ASSIGNMENTS[tamper_id].due
    late = course.root / "submitted" / "carol" / tamper_id / "timestamp.txt"
    late.write_text((due + timedelta(days=2, hours=3)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    for assignment_id in IDS:
        course.instructor("autograde", assignment_id)
        course.instructor("generate_feedback", assignment_id)
    return course, course.grades(), dave


def _tampered(source: Path, out: Path) -> Path:
    """The model answers with one test cell deleted and another one's asserts removed."""
    notebook = nbformat.read(source, as_version=4)
    tests = [i for i, c in enumerate(notebook.cells) if role(c) is Role.TEST]
    notebook.cells[tests[1]].source = "pass  # 测试被改掉了"
    del notebook.cells[tests[0]]
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out)
    return out


def _row(grades, student, assignment_id):
    rows = [r for r in grades if r["student_id"] == student and r["assignment"] == assignment_id]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.slow
def test_export_has_one_row_per_student_and_assignment(cycle):
    """Does the exported CSV have exactly one row per student and assignment?"""
    _, grades, _ = cycle
    pairs = [(r["student_id"], r["assignment"]) for r in grades]
    assert len(pairs) == len(set(pairs))
    assert {("alice", a) for a in IDS} | {("bob", a) for a in IDS} <= set(pairs)


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", IDS)
def test_model_answers_get_every_autograded_point(cycle, assignment_id):
    """Does the source notebook, submitted as an answer, get every autograded point?"""
    _, grades, _ = cycle
    row = _row(grades, "alice", assignment_id)
    assert float(row["raw_score"]) == ASSIGNMENTS[assignment_id].points_auto


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", IDS)
def test_untouched_release_gets_zero(cycle, assignment_id):
    """Does the untouched release score zero?"""
    _, grades, _ = cycle
    assert float(_row(grades, "bob", assignment_id)["raw_score"]) == 0


@pytest.mark.slow
def test_late_submission_is_penalised_by_policy(cycle):
    """Is a submission 2 days 3 hours late penalised by 3 started days of the policy?"""
    _, grades, _ = cycle
    assignment = ASSIGNMENTS["hw03_customer_grading"]
    row = _row(grades, "carol", assignment.id)
    raw = float(row["raw_score"])
    expected = assignment.late_policy.penalty(raw, (2 * 24 + 3) * 3600)
    assert raw == assignment.points_auto
    assert float(row["late_submission_penalty"]) == pytest.approx(expected)
    assert float(row["score"]) == pytest.approx(raw - expected)


@pytest.mark.slow
def test_tampered_tests_still_run(cycle):
    """Does a student who deleted one test cell and emptied another get the real tests' score?"""
    course, grades, _ = cycle
    assignment = ASSIGNMENTS["hw03_customer_grading"]
    assert float(_row(grades, "dave", assignment.id)["raw_score"]) == assignment.points_auto
    graded = course.root / "autograded" / "dave" / assignment.id / f"{assignment.notebook}.ipynb"
    text = graded.read_text(encoding="utf-8")
    assert "测试被改掉了" not in text and "评分时由 nbgrader 补回" in text


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", IDS)
def test_feedback_hides_hidden_test_code(cycle, assignment_id):
    """Does the feedback HTML keep the scores but none of the hidden tests' code?"""
    course, _, _ = cycle
    hidden = release.secret_lines(_source_notebook(assignment_id), (HIDDEN_TESTS,))
    assert hidden
    for student in ("alice", "bob"):
        folder = course.root / "feedback" / student / assignment_id
        text = html.unescape(next(folder.glob("*.html")).read_text(encoding="utf-8"))
        assert "隐藏测试" in text
        assert [line for line in hidden if line in text] == []


@pytest.mark.slow  # starts `jupyter server extension list`
def test_formgrader_extension_is_enabled():
    """Is nbgrader's Formgrader server extension enabled in this environment?"""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"],
                            capture_output=True, text=True, check=False)
    listing = result.stdout + result.stderr
    line = next(line for line in listing.splitlines() if "nbgrader.server_extensions.formgrader" in line)
    assert "enabled" in line and "disabled" not in line
