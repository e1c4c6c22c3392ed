"""The whole cycle by clicking through the Chinese pages, in real servers as `make lab` runs
them: the teacher's JupyterLab in the course folder (Formgrader), a student's JupyterLab in
their own folder (the course's Assignment List and Validate button), one exchange.

release → fetch → validate → submit → collect → autograde → grade by hand → feedback → fetch
feedback. Every page and dialog on the way shows no English word beyond ids, file names and
product names; the gradebook afterwards holds the same rows as the same clicks on nbgrader's
own English pages give.
"""

from __future__ import annotations

import os
import pwd
import re

import pytest

from tests.support.course import ScratchCourse
from tests.support.formgrader_course import (
    ASSIGNMENT,
    WRITTEN_CELL,
    CourseLab,
    StudentLab,
    click_and_close_modal,
)
from tests.support.formgrader_pages import english_words, open_view

pytestmark = [pytest.mark.slow, pytest.mark.browser]

STUDENT = pwd.getpwuid(os.getuid()).pw_name
"""nbgrader knows a student by the account that submits (the tests run as one account)."""
IDS = {ASSIGNMENT, STUDENT, WRITTEN_CELL, "crm-lab", "hw02_credit", "hw03_customer_grading",
       "hw04_spin", "hw05_survey_statistics", "ipynb", "html"}
MANUAL_SCORE = "5"
COMMENT = "论述清楚，举例恰当。"


LAB_PARTS = ".crmlab-AssignmentList, .jp-Dialog, .crmlab-validate-button"
"""What of JupyterLab's page the course wrote (the rest is JupyterLab's, in its language pack)."""


def _check_chinese(page, where: str, chinese: bool, root: str = "body") -> None:
    if chinese:
        assert english_words(page, IDS, root) == [], where


def _row(page):
    return page.locator("#main-table tr", has=page.locator("td.name", has_text=ASSIGNMENT))


def _click_and_close_modal(page, target, where: str, chinese: bool) -> str:
    """Click an action of Formgrader, check its dialog's page, close it; its title."""
    return click_and_close_modal(page, target, lambda: _check_chinese(page, where, chinese))


def teacher_release(page, teacher, chinese: bool) -> None:
    open_view(page, teacher.url + "/formgrader/manage_assignments")
    _check_chinese(page, "manage assignments", chinese)
    for action in ("assign", "release"):
        title = _click_and_close_modal(page, _row(page).locator(f"td.{action} a"), action, chinese)
        assert title == ("成功" if chinese else "Success"), action
        page.wait_for_function("() => !document.body.innerText.includes('请稍候')"
                               " && !document.body.innerText.includes('Please wait')")


def teacher_collect_and_autograde(page, teacher, chinese: bool) -> None:
    open_view(page, teacher.url + "/formgrader/manage_assignments")
    title = _click_and_close_modal(page, _row(page).locator("td.collect a"), "collect", chinese)
    assert title == ("成功" if chinese else "Success")
    page.wait_for_function("() => /\\b1\\b/.test(document.querySelector("
                           "'#main-table td.num-submissions').innerText)")
    _row(page).locator("td.num-submissions a").click()
    page.wait_for_url(re.compile(f"manage_submissions/{ASSIGNMENT}"))
    open_view(page, page.url)
    _check_chinese(page, "manage submissions", chinese)
    student_row = page.locator("#main-table tr", has_text=STUDENT)
    title = _click_and_close_modal(page, student_row.locator("td.autograde a"), "autograde",
                                   chinese)
    assert title == ("成功" if chinese else "Success")


def teacher_grade_by_hand(page, teacher, chinese: bool) -> None:
    open_view(page, teacher.url + "/formgrader/gradebook")
    _check_chinese(page, "gradebook", chinese)
    page.locator("#main-table a", has_text=ASSIGNMENT).click()
    open_view(page, teacher.url + f"/formgrader/gradebook/{ASSIGNMENT}")
    _check_chinese(page, "gradebook notebooks", chinese)
    page.locator("#main-table a", has_text=ASSIGNMENT).click()
    page.wait_for_url(re.compile(f"gradebook/{ASSIGNMENT}/{ASSIGNMENT}"))
    open_view(page, page.url)
    _check_chinese(page, "gradebook submissions", chinese)
    page.locator("#main-table a.name-hidden").first.click()
    page.wait_for_url(re.compile("/formgrader/submissions/"))
    page.locator(f"input.score#{WRITTEN_CELL}").wait_for()
    page.wait_for_load_state("networkidle")
    _check_chinese(page, "grading view", chinese)
    score = page.locator(f"input.score#{WRITTEN_CELL}")
    score.fill(MANUAL_SCORE)
    score.press("Tab")
    comment = page.locator(f"textarea#{WRITTEN_CELL}-comment")
    comment.fill(COMMENT)
    comment.press("Tab")
    page.wait_for_load_state("networkidle")
    page.reload()
    page.locator(f"input.score#{WRITTEN_CELL}").wait_for()
    page.wait_for_function(f"() => document.querySelector('input.score#{WRITTEN_CELL}').value"
                           f" === '{MANUAL_SCORE}'")


def teacher_feedback(page, teacher, chinese: bool) -> None:
    open_view(page, teacher.url + "/formgrader/manage_assignments")
    for action in ("generate-feedback", "release-feedback"):
        title = _click_and_close_modal(page, _row(page).locator(f"td.{action} a"), action, chinese)
        assert title == ("成功" if chinese else "Success"), action


def open_assignment_list(page, student):
    page.goto(student.url + "/lab?reset")
    page.locator(".jp-LauncherCard", has_text="作业列表").click()
    panel = page.locator(".crmlab-AssignmentList")
    panel.wait_for()
    page.wait_for_function("() => !document.querySelector('.crmlab-AssignmentList')"
                           ".innerText.includes('正在')")
    return panel


def _list_item(panel, section: str):
    return panel.locator(f".crmlab-{section} .crmlab-assignment", has_text=ASSIGNMENT)


def student_fetch_validate_submit(page, student) -> None:
    panel = open_assignment_list(page, student)
    released = _list_item(panel, "released")
    assert "截止：" in released.inner_text() and "（北京时间）" in released.inner_text()
    assert re.search(r"还剩 \d+ 天|今天截止|已迟交", released.inner_text())
    _check_chinese(page, "assignment list", True, LAB_PARTS)
    released.locator("button.crmlab-fetch").click()
    fetched = _list_item(panel, "fetched")
    fetched.wait_for(timeout=60_000)
    fetched.locator("a.crmlab-notebook").click()
    button = page.locator(".crmlab-validate-button")
    button.wait_for()
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel; return k && k.status === 'idle'; }",
        timeout=120_000)
    button.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=180_000)
    assert dialog.locator(".jp-Dialog-header").inner_text() == "还有没通过的测试"
    _check_chinese(page, "validate dialog", True, LAB_PARTS)
    dialog.locator("button", has_text="知道了").click()
    page.locator(".jp-LauncherCard").count()  # the lab is still there
    page.evaluate("window.jupyterapp.commands.execute('crmlab:open-assignment-list')")
    _list_item(panel, "fetched").locator("button.crmlab-submit").click()
    submitted = _list_item(panel, "submitted")
    submitted.wait_for(timeout=60_000)
    assert "提交于" in submitted.inner_text() and "按时提交" in submitted.inner_text()
    _check_chinese(page, "assignment list after submit", True, LAB_PARTS)


def student_fetch_feedback(page, student) -> str:
    panel = open_assignment_list(page, student)
    submitted = _list_item(panel, "submitted")
    submitted.locator("button.crmlab-fetch-feedback").click()
    link = submitted.locator("a.crmlab-feedback-link")
    link.wait_for(timeout=60_000)
    score = submitted.locator(".crmlab-score").inner_text()
    _check_chinese(page, "assignment list with feedback", True, LAB_PARTS)
    with page.context.expect_page() as opened:
        link.click()
    feedback = opened.value
    feedback.wait_for_load_state()
    assert "作业反馈" in feedback.locator("body").inner_text()
    assert COMMENT in feedback.locator("body").inner_text()
    return score


def run_cycle(base, page, chinese: bool) -> list[tuple]:
    course = ScratchCourse(base)
    teacher = CourseLab(course, base / "teacher", course_layer=chinese)
    student = StudentLab(course, STUDENT, base / "student")
    try:
        teacher_release(page, teacher, chinese)
        student_fetch_validate_submit(page, student)
        teacher_collect_and_autograde(page, teacher, chinese)
        teacher_grade_by_hand(page, teacher, chinese)
        teacher_feedback(page, teacher, chinese)
        score = student_fetch_feedback(page, student)
        assert re.fullmatch(r"得分：[\d.]+ / 40", score), score
        assert float(score.split("：")[1].split(" /")[0]) >= float(MANUAL_SCORE)
    finally:
        teacher.stop()
        student.stop()
    return gradebook_rows(course)


def gradebook_rows(course) -> list[tuple]:
    """Every grade and comment in the gradebook, without ids and times."""
    from nbgrader.api import Comment, Grade, Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id=course.course_id) as gb:
        grades = [("grade", g.student.id, g.notebook.name, g.name, g.auto_score, g.manual_score,
                   g.extra_credit, g.needs_manual_grade) for g in gb.db.query(Grade).all()]
        comments = [("comment", c.student.id, c.notebook.name, c.name, c.auto_comment,
                     c.manual_comment) for c in gb.db.query(Comment).all()]
    return sorted(grades + comments, key=repr)


def test_whole_cycle_in_chinese_gives_nbgraders_gradebook(tmp_path, page):
    """The cycle on the course's Chinese pages, then on nbgrader's English ones: same rows."""
    chinese_rows = run_cycle(tmp_path / "zh", page, chinese=True)
    assert ("grade", STUDENT, ASSIGNMENT, WRITTEN_CELL, 0.0, float(MANUAL_SCORE), None,
            False) in chinese_rows
    english_rows = run_cycle(tmp_path / "en", page, chinese=False)
    assert chinese_rows == english_rows
