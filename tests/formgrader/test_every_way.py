"""Formgrader's autograde button, `crmlab autograde` and plain `nbgrader autograde` give the same
scores on all five assignments, in a course folder outside the checkout (as a teacher keeps one
per term).

One course with two submissions of each assignment (s000: the model answers; s001: some parts
left undone) is copied twice before anything is graded. The first copy is graded by clicking
自动评分 for every submission on Formgrader's submissions page (the course's Chinese layer on),
in a teacher's JupyterLab started in that folder and headless Chromium; the second by `crmlab
autograde`, the third by plain `nbgrader autograde`. All three go through the course's
nbgrader_config.py: every kernel in the sandbox, verdicts decided in the grader.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks.autograde_parallel import build_course, scores
from crmlab.course.assignments import load_assignments
from crmlab.course.facts import Course
from crmlab.grading.environment import environment
from tests.support import ROOT
from tests.support.formgrader_course import CourseFolder, CourseLab, click_and_close_modal
from tests.support.formgrader_pages import Console, english_words, open_view

pytestmark = [pytest.mark.slow, pytest.mark.browser]

STUDENTS = ("s000", "s001")
"""build_course's submissions: the model answers, and answers with some parts left undone."""
SERVER_ERROR = re.compile(r"^\[[EC] .*|.*Traceback.*", re.MULTILINE)
"""A line of Jupyter Server's log at level error or critical, or a traceback."""


def autograde_button(page, row, ids: set[str]) -> tuple[str, list[str]]:
    """Click the 自动评分 button of a row of Formgrader's submissions page and close the dialog
    it shows; the dialog's title, and the Latin words of the page beyond ``ids`` meanwhile."""
    words: list[str] = []
    title = click_and_close_modal(page, row.locator("td.autograde a"),
                                  lambda: words.extend(english_words(page, ids)))
    return title, words


def click_autograde(page, teacher: CourseLab, assignment: str, ids: set[str]) -> dict[str, float]:
    """Autograde every student with Formgrader's button on the page of ``assignment``, waiting
    for the dialog's 成功 each time (the page in Chinese but for ``ids``); the scores the page
    shows afterwards."""
    open_view(page, f"{teacher.url}/formgrader/manage_submissions/{assignment}")
    shown = {}
    for student in STUDENTS:
        row = page.locator("#main-table tr", has=page.locator("td.student-id", has_text=student))
        assert autograde_button(page, row, ids) == ("成功", []), (assignment, student)
        page.wait_for_function("() => !document.body.innerText.includes('请稍候')"
                               " && !document.body.innerText.includes('Please wait')")
        shown[student] = float(row.locator("td.score").inner_text().split("/")[0])
    return shown


def run(command: str, *args: str, course: Path) -> str:
    """A command of this environment, run in ``course`` as a teacher runs it; its output."""
    env = environment()
    result = subprocess.run([shutil.which(command, path=env["PATH"]), *args], cwd=course,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, (command, args, (result.stdout + result.stderr)[-3000:])
    return result.stdout + result.stderr


def test_button_crmlab_and_nbgrader_give_the_same_scores_on_all_five(tmp_path, page):
    """Do the model answers get every autograded point and the partly undone ones fewer, the
    same to the point whichever of the three ways grades them, with no error in Formgrader's
    page or JupyterLab's log?"""
    assignments = load_assignments(ROOT)
    ids = sorted(assignments)
    assert len(ids) == 5
    (tmp_path / "built").mkdir()
    button = build_course(tmp_path / "built", ids, students=len(STUDENTS))
    assert ROOT not in button.parents and button not in ROOT.parents
    courses = {"button": button}
    for way in ("crmlab", "nbgrader"):  # copies made before anything is graded
        courses[way] = shutil.copytree(button, tmp_path / way / "course")

    console = Console(page)
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    teacher = CourseLab(CourseFolder(button, {"CRMLAB_EXCHANGE": str(exchange)}),
                        tmp_path / "teacher")
    try:
        known = {*ids, Course.load(button).id}  # words the page may show untranslated
        shown = {assignment: click_autograde(page, teacher, assignment, known)
                 for assignment in ids}
        server_log = teacher.log_path.read_text(encoding="utf-8")  # before its "stopping"
    finally:
        teacher.stop()
    assert console.problems() == []
    assert SERVER_ERROR.findall(server_log) == []

    for assignment in ids:
        out = run("crmlab", "autograde", assignment, course=courses["crmlab"])
        assert "需查看 0 份，未能评分 0 份" in out, out
        run("nbgrader", "autograde", assignment, course=courses["nbgrader"])

    for assignment in ids:
        got = {way: scores(course, assignment) for way, course in courses.items()}
        assert got["button"] == got["crmlab"] == got["nbgrader"], (assignment, got)
        full = assignments[assignment].points_auto
        assert full > 0
        assert got["button"]["s000"] == full, (assignment, got["button"], full)
        assert got["button"]["s001"] < full, (assignment, got["button"])
        assert shown[assignment] == {s: round(score, 2) for s, score in got["button"].items()}
