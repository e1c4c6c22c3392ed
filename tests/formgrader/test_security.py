"""Formgrader opens hostile submissions safely (crmlab.formgrader): real nbgrader, a real
JupyterLab in the course folder, Debian's Chromium.

A student's written answer holds script in every shape markdown lets through, the student's
code prints HTML and JavaScript while it is autograded, a file of HTML sits beside the notebook,
and one student's id is itself a payload. Each Formgrader view is opened as the teacher opens
it: no payload may run (the page-level flag it would set stays unset, the console shows nothing
of it, and the Content-Security-Policy is never what stopped it: the sanitizer holds alone),
and the answer's text and formatting are still there to grade.
"""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from tests.support.formgrader_course import (
    ANSWER_TEXT,
    ASSIGNMENT,
    FLAG,
    OUTPUT_TEXT,
    CourseLab,
    graded_course,
)
from tests.support.formgrader_pages import PLANTED_ID, Console, flag, formgrader_views, open_view

pytestmark = [pytest.mark.slow, pytest.mark.browser]

STUDENTS = {"alice": True, "bob": False, PLANTED_ID: True}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("formgrader-security")
    course = graded_course(base, STUDENTS)
    server = CourseLab(course, base / "lab")
    yield course, server
    server.stop()


def _submission_ids(course) -> dict[str, str]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id=course.course_id) as gb:
        return {submission.student.id: submission.id
                for submission in gb.notebook_submissions(ASSIGNMENT, ASSIGNMENT)}


def _views(course):
    ids = _submission_ids(course)
    return formgrader_views([ids[student] for student in STUDENTS], list(STUDENTS))


def test_every_view_runs_no_payload(served, page):
    """Is every Formgrader view of the hostile submissions free of running script?"""
    course, server = served
    views = _views(course)
    assert len(views) == 6 + 2 * len(STUDENTS) + len(STUDENTS)
    for name, path in views.items():
        console = Console(page)
        open_view(page, server.url + path)
        assert flag(page) is None, f"{name}: a payload ran ({flag(page)})"
        assert console.problems() == [], name


def test_planted_student_id_is_shown_as_text(served, page):
    """Does a student id holding markup (from the exchange, or typed in a URL) show as text?"""
    course, server = served
    views = _views(course)
    open_view(page, server.url + views[f"student {PLANTED_ID}"])
    assert page.locator(".breadcrumb li.active").inner_text() == PLANTED_ID
    open_view(page, server.url + views["students"])
    assert PLANTED_ID in page.locator("#main-table").inner_text()
    # a student who does not exist: the table stays empty, the header shows the id as text
    open_view(page, server.url + "/formgrader/manage_students/" + "%3Cscript%3Ewindow."
              + FLAG + "%3D1%3C%2Fscript%3E", filled=False)
    assert page.locator(".breadcrumb li.active").inner_text() == f"<script>window.{FLAG}=1</script>"
    assert flag(page) is None


def test_answer_is_still_readable(served, page):
    """Does the teacher still see the hostile answer's text and formatting, and the output?"""
    course, server = served
    open_view(page, server.url + _views(course)["submission 0"])
    answer = page.locator(".nbgrader_cell", has_text=ANSWER_TEXT)
    assert answer.locator("strong").inner_text() == "而不是请客送礼"
    assert answer.locator("td").first.inner_text() == "定期回访"
    text = answer.inner_text()
    assert f"<script>window.{FLAG}='markdown script'</script>" in text  # shown as typed
    assert "<iframe" in text and "<form" in text
    assert answer.locator("img[onerror], iframe, script, form, svg, a[onclick]").count() == 0
    assert answer.locator("a[href*='javascript' i]").count() == 0
    assert page.locator(".output_html b", has_text=OUTPUT_TEXT).count() == 1
    assert page.locator("img[onerror], .output_javascript script").count() == 0
    assert page.evaluate("getComputedStyle(document.body).display") != "none"  # <style> gone
    # the grading controls work as nbgrader's: the score box of the written answer is there
    assert page.locator("input.score#crm_vs_vulgar").count() == 1


def test_policy_forbids_inline_script_and_sandboxes_files(served, page):
    """The second wall: Formgrader's pages allow no inline script; a file of a submission is
    served sandboxed, so even a student's own HTML page runs nothing."""
    course, server = served
    views = _views(course)
    for path in (views["assignments"], views["submission 0"]):
        with urllib.request.urlopen(server.url + path) as response:
            policy = response.headers["Content-Security-Policy"]
        script = next(part for part in policy.split(";") if "script-src" in part)
        assert "'self'" in script and "unsafe-inline" not in script and "unsafe-eval" not in script
    attachment = views["submission 0"] + urllib.parse.quote("附件.html")
    with urllib.request.urlopen(server.url + attachment) as response:
        assert "sandbox" in response.headers["Content-Security-Policy"]
    console = Console(page)
    page.goto(server.url + attachment)
    page.wait_for_load_state("networkidle")
    assert page.locator("p").inner_text() == "附件"  # shown, as a page that runs nothing
    assert flag(page) is None
    assert any("sandbox" in message or "Content Security Policy" in message
               for message in console.messages), console.messages
