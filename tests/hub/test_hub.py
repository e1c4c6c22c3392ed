"""`crmlab hub`: a class on one machine with real accounts, a real JupyterHub and Chromium.

Every test here needs the one hub they share (started
once for this module with the real command, on a free loopback port, for a roster whose 学号
carry a random prefix); its accounts, homes, processes and folders are removed at the end,
also when a test fails. They are all slow, and the module imports Playwright, so `make test-fast`
does not collect it; the quick tests of the hub's parts are in the other modules of tests/hub/.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from benchmarks.harness import (
    PASSWORD,
    Hub,
    as_account,
    leftover_processes,
    unique_prefix,
    write_roster,
)
from crmlab.commands.hub import accounts
from crmlab.commands.hub.roster import unix_name
from crmlab.grading.notebook import HIDDEN_TESTS, SOLUTION, Role, course_markers, grade_id, role
from tests.support import ROOT

HW = "hw01_crm_concepts"
CHINESE_MENUS = ["文件", "编辑", "查看", "运行", "内核", "设置", "帮助"]


# --- one hub for the rest of the module -------------------------------------------------------


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    prefix = unique_prefix()
    people = {"t1": (f"{prefix}t1", "王老师", "教师"), "t2": (f"{prefix}t2", "赵老师", "教师"),
              "s1": (f"{prefix}s1", "李雷", "学生"), "s2": (f"{prefix}s2", "韩梅梅", "学生")}
    scratch = tmp_path_factory.mktemp("hub")
    roster = write_roster(scratch / "名单.csv", list(people.values()))
    server = Hub(roster)
    server.people = {key: row[0] for key, row in people.items()}
    server.scratch = scratch
    try:
        yield server
    finally:
        logins = set(server.logins)
        server.cleanup()
        assert not leftover_processes(logins)
        assert not any(accounts.account_exists(unix_name(login)) for login in logins)


def _logins(hub):
    p = hub.people
    return p["t1"], p["t2"], p["s1"], p["s2"]


@pytest.mark.slow
def test_the_hub_lays_out_root_and_private_homes(hub):
    """Does the command print the address and keep the course the instructors' own, the
    exchange shared as nbgrader documents, the hub's state root's alone and each home 0700?"""
    assert hub.url in hub.output and "Ctrl+C" in hub.output
    teachers = grp.getgrnam(hub.group)
    course = (hub.root / "course").stat()
    assert course.st_gid == teachers.gr_gid and stat.S_IMODE(course.st_mode) == 0o2770
    assert stat.S_IMODE((hub.root / "exchange").stat().st_mode) == 0o1777
    assert stat.S_IMODE((hub.root / "state").stat().st_mode) == 0o700
    t1, t2, s1, _ = _logins(hub)
    assert {unix_name(t1), unix_name(t2)} <= set(teachers.gr_mem)
    assert unix_name(s1) not in teachers.gr_mem
    home = accounts.home_of(unix_name(s1))
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert home.stat().st_uid == pwd.getpwnam(unix_name(s1)).pw_uid


@pytest.mark.slow
def test_everyone_has_an_initial_password_on_a_sheet_only_root_reads(hub):
    """Before anyone logged in: does every roster row have an initial password, listed with
    姓名, 学号 and the address on the printable sheet (.xlsx and HTML slips), readable by root
    only?"""
    import pandas as pd

    sheet = hub.root / "passwords"
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o700 and sheet.stat().st_uid == 0
    workbook, page = sheet / "初始密码.xlsx", sheet / "初始密码.html"
    for path in (workbook, page):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.stat().st_uid == 0, path
    rows = pd.read_excel(workbook, dtype=str)
    assert list(rows.columns) == ["姓名", "学号", "角色", "地址", "初始密码"]
    assert set(rows["学号"]) == set(hub.people.values())
    slips = page.read_text(encoding="utf-8")
    for _, row in rows.iterrows():
        assert row["初始密码"] == hub.initial_password(row["学号"])
        assert row["地址"] == hub.url
        assert all(value in slips for value in (row["姓名"], row["学号"], row["初始密码"]))
    assert "初始密码.html" in hub.output
    for login in hub.people.values():  # the sheet is nothing a student's account can open
        assert as_account(login, f"cat {page}", hub.root).returncode != 0


@pytest.mark.slow
def test_nobody_can_claim_an_account(hub):
    """Is a teacher's or a classmate's 学号 refused with any password but the initial one, does
    the initial password open the account only together with a new password (typed twice), and
    is the initial password void afterwards?"""
    t1, t2, s1, s2 = _logins(hub)
    assert hub.session("nobody-here") is None
    for login in (t2, s2):  # no first-use window: a made-up password is just wrong
        _, answer = hub.login(login, PASSWORD)
        assert answer.status_code == 403 and "学号或密码不对" in answer.text
        _, answer = hub.login(login, PASSWORD, new_password=PASSWORD, new_password_repeat=PASSWORD)
        assert answer.status_code == 403
    initial = hub.initial_password(s2)
    _, answer = hub.login(s2, initial)
    assert answer.status_code == 403 and "这是初始密码：请再设置一个你自己的新密码" in answer.text
    assert 'name="new_password"' in answer.text and 'name="new_password_repeat"' in answer.text
    _, answer = hub.login(s2, initial, new_password=PASSWORD, new_password_repeat=PASSWORD + "x")
    assert answer.status_code == 403 and "两次输入的新密码不一样" in answer.text
    _, answer = hub.login(s2, initial, new_password="short", new_password_repeat="short")
    assert answer.status_code == 403 and "新密码太短：请设置至少 8 位的密码" in answer.text
    _, answer = hub.login(s2, initial, new_password=PASSWORD, new_password_repeat=PASSWORD)
    assert answer.status_code == 302, hub.refusal
    assert hub.initial_password(s2) is None
    assert hub.login(s2, initial)[1].status_code == 403  # the initial password is void
    assert hub.session(s2, PASSWORD + "!") is None
    assert hub.session(s2) is not None, hub.refusal


@pytest.mark.slow
def test_changing_a_password_asks_for_the_current_one_and_ends_other_sessions(hub):
    """Does /hub/auth/change-password refuse a wrong current password, change it with the right
    one, and end the account's other login sessions?"""
    _, _, _, s2 = _logins(hub)
    here, elsewhere = hub.session(s2), hub.session(s2)
    url = f"{hub.url}/hub/auth/change-password"

    def change(current: str, new: str) -> str:
        answer = here.post(url, timeout=30, data={
            "current_password": current, "password": new, "password_repeat": new,
            "_xsrf": here.cookies.get("_xsrf", "")})
        answer.encoding = "utf-8"
        return answer.text

    assert "原来的密码不对" in change("not-my-password", "另一个密码-2026")
    assert hub.session(s2) is not None  # unchanged
    try:
        assert "密码已修改" in change(PASSWORD, "另一个密码-2026")
        assert hub.session(s2) is None and hub.session(s2, "另一个密码-2026") is not None
        assert here.get(f"{hub.url}/hub/home", timeout=30, allow_redirects=False).status_code == 200
        gone = elsewhere.get(f"{hub.url}/hub/home", timeout=30, allow_redirects=False)
        assert gone.status_code == 302 and "/hub/login" in gone.headers["Location"]
    finally:
        assert "密码已修改" in change("另一个密码-2026", PASSWORD)


def _reset_password(hub, login: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "hub", "--reset-password", login,
                           "--root", str(hub.root)], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.slow
def test_a_reset_issues_a_new_initial_password_and_ends_the_session(hub):
    """After `crmlab hub --reset-password 学号` (the hub running), is the old password refused,
    the logged-in session sent back to the login page, the server stopped, and does the new
    initial password (printed once) open the account with a new password?"""
    _, _, _, s2 = _logins(hub)
    session = hub.session(s2)
    assert session is not None, hub.refusal
    hub.start_server(session, s2)
    assert session.get(f"{hub.url}/user/{s2}/api/contents", timeout=30).ok
    done = _reset_password(hub, s2)
    assert done.returncode == 0, done.stderr
    initial = hub.initial_password(s2)
    assert initial and f"{s2} 的新初始密码：{initial}" in done.stdout
    assert hub.session(s2, PASSWORD + "-x") is None
    assert hub.login(s2, PASSWORD)[1].status_code == 403  # the old password is gone
    home = session.get(f"{hub.url}/hub/home", timeout=30, allow_redirects=False)
    assert home.status_code == 302 and "/hub/login" in home.headers["Location"]
    files = session.get(f"{hub.url}/user/{s2}/api/contents", timeout=30, allow_redirects=False)
    assert files.status_code != 200
    deadline = time.monotonic() + 60
    while leftover_processes({s2}) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not leftover_processes({s2})  # the server was stopped
    assert hub.session(s2) is not None, hub.refusal  # initial + PASSWORD as the new one
    unknown = _reset_password(hub, "nobody-here")
    assert unknown.returncode == 1 and unknown.stderr.strip().count("\n") == 0
    assert "不在这个班的名单上" in unknown.stderr


@pytest.mark.slow
@pytest.mark.browser
def test_the_login_page_speaks_chinese(hub, page):
    """Does the hub's login page show Chinese labels and no English word in its visible form,
    is a wrong password answered in Chinese, and does the change-password page speak Chinese
    (a too-short password, a changed one)?"""
    import re

    _, _, s1, _ = _logins(hub)
    assert hub.session(s1) is not None, hub.refusal  # s1 has a password
    page.goto(f"{hub.url}/hub/login")
    expect(page).to_have_title("CRM Lab 客户关系管理课程")
    form = page.locator("#login-main form")
    expect(form.locator("h1")).to_have_text("登录 CRM Lab")
    expect(form.locator("label[for=username_input]")).to_have_text("学号：")
    expect(form.locator("label[for=password_input]")).to_have_text("密码：")
    expect(form.locator("#login_submit")).to_have_value("登录")
    expect(form.locator("#toggle_password_visibility")).to_have_attribute("title", "显示密码")

    def english_words() -> list[str]:
        visible = form.inner_text() + " " + form.locator("#login_submit").input_value()
        return [word for word in re.findall(r"[A-Za-z]{2,}", visible) if word not in {"CRM", "Lab"}]

    assert "第一次登录时" in form.inner_text()
    assert english_words() == []
    page.locator("input[name=username]").fill(s1)
    page.locator("input[name=password]").fill(PASSWORD + "!")
    page.locator("#login_submit").click()
    expect(page.locator(".login_error")).to_have_text("学号或密码不对。忘记密码请找老师重置。")
    expect(page.locator("input[name=username]")).to_have_value(s1)
    assert english_words() == []

    # logged in, the first-use authenticator's change-password page (named in the nav bar)
    page.goto(f"{hub.url}/hub/login?next=/hub/auth/change-password")
    page.locator("input[name=username]").fill(s1)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("#login_submit").click()
    page.wait_for_url("**/hub/auth/change-password")
    for field in ("#current_password_input", "#password_repeat_input"):
        page.locator(field).fill(PASSWORD)
    nav = page.locator("nav").inner_text()
    assert "主页" in nav and "修改密码" in nav and "退出" in nav and "Logout" not in nav
    main = page.locator("#password_input").locator("xpath=ancestor::div[contains(@class, 'container')][1]")
    expect(main.locator("h2")).to_have_text("修改密码")
    page.locator("#password_input").fill("abc")
    page.locator("#login_submit").click()
    expect(page.locator(".alert.alert-danger[role=alert]")).to_have_text("新密码太短：请设置至少 8 位的密码。")
    page.locator("#current_password_input").fill(PASSWORD)
    page.locator("#password_input").fill(PASSWORD)  # the same password again: refused
    page.locator("#password_repeat_input").fill(PASSWORD)
    page.locator("#login_submit").click()
    expect(page.locator(".alert.alert-danger[role=alert]")).to_have_text("新密码不能与原来的密码相同。")
    assert not re.findall(r"[A-Za-z]{2,}", main.inner_text() + page.locator("#login_submit").input_value())
    assert hub.session(s1) is not None, hub.refusal


@pytest.mark.slow
def test_a_students_server_has_the_lessons_in_chinese_and_no_instructor_pages(hub):
    """Does a student's server start as their account with every lesson copied in as their
    own files, JupyterLab in Chinese, and no Formgrader or course list?"""
    _, _, s1, _ = _logins(hub)
    session = hub.session(s1)
    hub.start_server(session, s1)
    base = f"{hub.url}/user/{s1}"
    listing = session.get(f"{base}/api/contents/lessons", timeout=30).json()
    assert sorted(item["name"] for item in listing["content"]) == sorted(
        path.name for path in (ROOT / "lessons").glob("*.ipynb"))
    data = session.get(f"{base}/api/contents/data", timeout=30).json()
    assert {path.name for path in (ROOT / "data").glob("*.csv")} <= {i["name"] for i in data["content"]}
    lesson = accounts.home_of(unix_name(s1)) / "lessons" / "00_guide.ipynb"
    assert lesson.stat().st_uid == pwd.getpwnam(unix_name(s1)).pw_uid
    settings = session.get(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin",
                           timeout=30).json()
    # the environment's overrides.json makes zh_CN the default (the browser test sees the menus)
    assert settings["schema"]["properties"]["locale"]["default"] == "zh_CN"
    assert session.get(f"{base}/formgrader", timeout=30).status_code == 404
    assert session.get(f"{base}/formgraders", timeout=30).status_code == 404
    page = session.get(f"{base}/lab", timeout=30).text
    disabled = json.loads(page.split('"disabledExtensions": ', 1)[1].split("]", 1)[0] + "]")
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
            "@jupyter/nbgrader:course-list"} <= set(disabled)


@pytest.mark.slow
def test_a_student_gets_nothing_from_another_students_server(hub):
    """With both servers running, does a student's session get no content from
    /user/<classmate>/?"""
    _, _, s1, s2 = _logins(hub)
    other = hub.session(s2)
    hub.start_server(other, s2)
    assert other.get(f"{hub.url}/user/{s2}/api/contents/lessons", timeout=30).ok
    mine = hub.session(s1)
    for path in ("api/contents/lessons", "api/contents", "lab", "files/lessons/00_guide.ipynb"):
        answer = mine.get(f"{hub.url}/user/{s2}/{path}", timeout=30)
        assert answer.status_code in (403, 404) or "00_guide" not in answer.text, (path, answer.url)
        assert "00_guide.ipynb" not in answer.text


def _secret_lines() -> list[str]:
    """Lines of solutions and hidden tests of every source notebook (long enough to be unique)."""
    markers = course_markers(ROOT)
    lines = set()
    for path in (ROOT / "source").glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for segment in markers.segments(cell.source):
                if segment.kind in (SOLUTION, HIDDEN_TESTS):
                    lines |= {line.strip() for line in segment.lines if len(line.strip()) > 24}
    return sorted(lines)


@pytest.mark.slow
def test_a_teacher_manages_the_class_but_does_not_open_a_students_server(hub):
    """Does a teacher (a role without access:servers) see the class on the admin page and the
    API, but get nothing from a student's running server?"""
    t1, _, _, s2 = _logins(hub)
    student = hub.session(s2)
    hub.start_server(student, s2)
    teacher = hub.session(t1)
    assert teacher.get(f"{hub.url}/hub/admin", timeout=30).status_code == 200
    users = teacher.get(f"{hub.url}/hub/api/users", timeout=30,
                        headers={"X-XSRFToken": teacher.cookies.get("_xsrf", "")})
    assert users.ok and s2 in {user["name"] for user in users.json()}
    for path in ("api/contents", "lab", "files/lessons/00_guide.ipynb"):
        answer = teacher.get(f"{hub.url}/user/{s2}/{path}", timeout=30)
        assert "00_guide" not in answer.text and answer.url.startswith(f"{hub.url}/"), path
        assert answer.status_code in (403, 404) or "/user/" not in answer.url, (path, answer.url)
    assert student.get(f"{hub.url}/user/{s2}/api/contents", timeout=30).ok


@pytest.mark.slow
@pytest.mark.browser
def test_the_hubs_other_pages_speak_chinese(hub, page):
    """Are the admin page's labels, the token page, a missing page, the logout page and the
    spawn page's event log in Chinese?"""
    import re

    t1, *_ = _logins(hub)
    _log_in(page, hub, t1)
    page.goto(f"{hub.url}/hub/admin")
    expect(page.get_by_text("全部启动")).to_be_visible(timeout=60_000)
    for label in ("全部停止", "关闭 JupyterHub", "添加用户", "最近活动"):
        expect(page.get_by_text(label).first).to_be_visible()
    assert not {"Start All", "Stop All", "Add Users", "Shutdown Hub"} & set(
        re.findall(r"[A-Z][a-z]+ [A-Z][a-z]+", page.locator("#react-admin-hook").inner_text()))
    page.goto(f"{hub.url}/hub/token")
    form = page.locator("#request-token-form")
    expect(form.locator("button[type=submit]")).to_have_text("申请新的访问令牌")
    assert re.findall(r"[A-Za-z]{3,}", form.inner_text()) == []
    page.goto(f"{hub.url}/hub/no-such-page")
    expect(page.locator("h1")).to_contain_text("404：找不到这个页面")
    assert "moons" not in page.content()
    # the spawn page's event log, while the server starts again
    session = hub.session(t1)
    stopped = session.delete(f"{hub.url}/hub/api/users/{t1}/server", timeout=120,
                             headers={"X-XSRFToken": session.cookies.get("_xsrf", "")})
    assert stopped.status_code in (202, 204), stopped.text
    page.goto(f"{hub.url}/hub/spawn/{t1}")
    expect(page.locator("#progress-log")).to_contain_text("已请求启动服务器", timeout=60_000)
    assert "Server requested" not in page.locator("#progress-log").inner_text()
    expect(page.locator("#stop-server-btn")).to_have_text("停止服务器")
    page.wait_for_url(f"**/user/{t1}/**", timeout=240_000)
    page.goto(f"{hub.url}/hub/logout")
    expect(page.locator("#logout-main")).to_contain_text("你已退出 CRM Lab")


@pytest.mark.slow
def test_a_students_account_reaches_no_secret(hub):
    """Can the student's Unix account read the course (solutions, hidden tests, gradebook),
    another student's home or the checkout? Does the servers' environment hold any solution
    or hidden test?"""
    _, _, s1, s2 = _logins(hub)
    course = hub.root / "course"
    source = next((course / "source" / HW).glob("*.ipynb"))
    for command in (f"cat {source}", f"ls {course}", f"cat {course / 'gradebook.db'}",
                    f"cat {course / 'nbgrader_config.py'}",
                    f"ls {accounts.home_of(unix_name(s2))}",
                    f"cat {ROOT / 'source' / HW / source.name}", f"ls {ROOT}",
                    f"cat {hub.root / 'state' / 'hub.json'}"):
        done = as_account(s1, command, hub.root)
        assert done.returncode != 0 and "Permission denied" in done.stderr, command
    # what the student may read: the environment and the public project copy
    assert as_account(s1, f"ls {hub.root / 'env' / 'bin' / 'python'}", hub.root).returncode == 0
    secrets_file = hub.scratch / "secret-lines.txt"
    lines = _secret_lines()
    assert len(lines) > 20
    secrets_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = subprocess.run(["grep", "-rlF", "-f", str(secrets_file), str(hub.root / "env"),
                            str(hub.root / "app")], capture_output=True, text=True)
    assert found.returncode == 1 and not found.stdout, found.stdout


# --- the whole cycle in a browser -------------------------------------------------------------


def _log_in(page, hub, login: str) -> None:
    assert hub.session(login) is not None, hub.refusal  # (their first login done, if not yet)
    page.goto(f"{hub.url}/hub/login")
    page.locator("input[name=username]").fill(login)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form [type=submit]").click()
    page.wait_for_url(f"**/user/{login}/lab**", timeout=240_000)


def _open_assignment_list(page):
    menus = page.locator("#jp-menu-panel .lm-MenuBar-itemLabel")
    expect(menus.first).to_be_visible(timeout=120_000)
    assert all(menu in menus.all_inner_texts() for menu in CHINESE_MENUS)
    # the course's Chinese Assignment List (crmlab/formgrader), from JupyterLab's launcher
    page.locator(".jp-LauncherCard", has_text="作业列表").click()
    expect(page.locator(".crmlab-AssignmentList .crmlab-message")).to_have_text("", timeout=60_000)
    return page.locator(".crmlab-AssignmentList")


def _instructor(hub, login: str, command: str) -> str:
    done = as_account(login, command, hub.root, cwd="~/course")
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow
@pytest.mark.browser
def test_the_whole_cycle_through_the_hub(hub, page):
    """Release → a student logs in on the login page, fetches in the Assignment List, answers,
    submits → collect, crmlab autograde, feedback by the second instructor → the student
    fetches the feedback and sees the score."""
    from crmlab.commands.classroom import Student, student_work

    t1, t2, s1, _ = _logins(hub)
    for teacher in (t1, t2):  # their servers set up ~/course and their nbgrader settings
        hub.start_server(hub.session(teacher), teacher)
    _instructor(hub, t1, f"nbgrader release_assignment {HW}")

    _log_in(page, hub, s1)
    panel = _open_assignment_list(page)
    released = panel.locator(".crmlab-released")
    expect(released).to_contain_text(HW, timeout=60_000)
    released.get_by_role("button", name="领取").click()
    fetched = panel.locator(".crmlab-fetched")
    expect(fetched).to_contain_text(HW, timeout=60_000)

    # the student's answers: the model answers, saved into the fetched notebook as the student
    answered = hub.root.parent / f"{hub.root.name}-answer.ipynb"  # a folder the student can read
    source = ROOT / "source" / HW / f"{HW}.ipynb"
    answered.write_text(student_work(source, Student(s1, "李雷", 1.0), 0), encoding="utf-8")
    answered.chmod(0o644)
    try:
        # with Exchange.path_includes_course, nbgrader fetches into <course id>/<assignment>
        done = as_account(s1, f"cp {answered} crm-lab/{HW}/{HW}.ipynb", hub.root)
    finally:
        answered.unlink()
    assert done.returncode == 0, done.stderr

    fetched.get_by_role("button", name="提交").click()
    submitted = panel.locator(".crmlab-submitted")
    expect(submitted).to_contain_text(HW, timeout=60_000)
    peek = as_account(s1, f"ls {hub.root / 'exchange' / 'crm-lab' / 'inbound'}", hub.root)
    assert peek.returncode != 0, "a student can list the classmates' submissions"

    _instructor(hub, t1, f"nbgrader collect {HW}")
    graded = _instructor(hub, t2, f"crmlab autograde {HW} --jobs 1")
    assert "共 1 份；已评分 1 份" in graded, graded  # in the grading sandbox of nbgrader_config.py
    _instructor(hub, t2, f"nbgrader generate_feedback {HW} && nbgrader release_feedback {HW}")

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{hub.root / 'course' / 'gradebook.db'}") as gradebook:
        # nbgrader knows a student by the Unix account that submitted (as on TLJH)
        assert gradebook.find_student(unix_name(s1)).last_name == "李雷"
        submission = gradebook.find_submission(HW, unix_name(s1))
        score, max_score = submission.score, submission.max_score
    assert score > 0

    page.reload()
    submitted = _open_assignment_list(page).locator(".crmlab-submitted")
    submitted.get_by_role("button", name="领取反馈").click()
    expect(submitted.locator(".crmlab-feedback-link")).to_have_text("查看反馈", timeout=60_000)
    expect(submitted.locator(".crmlab-score")).to_have_text(f"得分：{score:g} / {max_score:g}")
    home = accounts.home_of(unix_name(s1))
    feedback = sorted(path for path in home.rglob(f"{HW}.html") if "feedback" in path.parts)
    assert feedback, "no feedback in the student's folder"
    relative = feedback[-1].relative_to(home)
    page.goto(f"{hub.url}/user/{s1}/files/{relative}")
    expect(page.locator("body")).to_contain_text(f"{score:g}", timeout=30_000)
    expect(page.locator("body")).to_contain_text(f"{max_score:g}")


# --- every assignment, graded by crmlab and by plain nbgrader on the hub ----------------------
# (here, while the hub runs with its first options: the tests further down restart it in ways
# where servers do not start)


def _answer_cells(notebook) -> list[int]:
    return [i for i, cell in enumerate(notebook.cells)
            if role(cell) is Role.ANSWER and cell.cell_type == "code"]


def _hand_in(login: str, name: str, assignment: str, index: int, whole: bool) -> str:
    """The notebook a student hands in: the model answers, or (``whole`` False) the model
    answers with the last answer as the release has it."""
    from crmlab.commands.classroom import Student, student_work

    source = ROOT / "source" / assignment / f"{assignment}.ipynb"
    work = nbformat.reads(student_work(source, Student(login, name, 1.0), index), as_version=4)
    if not whole:
        released = nbformat.read(ROOT / "release" / assignment / source.name, as_version=4)
        last = _answer_cells(work)[-1]
        work.cells[last] = next(cell for cell in released.cells
                                if grade_id(cell) == grade_id(work.cells[last]))
    return nbformat.writes(work)


def _gradebook_scores(hub, assignments: list[str], students: list[str], wipe: bool = False
                      ) -> dict[tuple[str, str], tuple[float, dict[str, float | None]]]:
    """(assignment, student) → the submission's score and each grade cell's autograded score,
    from the course's gradebook; ``wipe`` then clears the autograded scores, so that the next
    grading must write its own."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{hub.root / 'course' / 'gradebook.db'}") as gradebook:
        for assignment in assignments:
            for student in students:
                submission = gradebook.find_submission(assignment, student)
                grades = [grade for notebook in submission.notebooks for grade in notebook.grades]
                found[assignment, student] = (submission.score,
                                              {grade.name: grade.auto_score for grade in grades})
                if wipe:
                    for grade in grades:
                        grade.auto_score = None
        gradebook.db.commit()
    return found


@pytest.mark.slow
def test_every_assignment_scores_the_same_by_crmlab_and_by_plain_nbgrader(hub):
    """With each person's own account: a teacher releases all five assignments; a student
    fetches and submits the model answers, a classmate the model answers with the last answer
    left as released (nbgrader's commands); a teacher collects and grades with `crmlab
    autograde`, the other teacher grades again with plain `nbgrader autograde --force`. Are the
    scores the same cell by cell, the model answers' the assignment's full autograded points and
    the classmate's lower?"""
    from crmlab.course.assignments import load_assignments

    t1, t2, s1, s2 = _logins(hub)
    assignments = load_assignments(ROOT)
    ids = list(assignments)
    assert len(ids) == 5
    for teacher in (t1, t2):  # their servers set up ~/course and their nbgrader settings
        hub.start_server(hub.session(teacher), teacher)
    _instructor(hub, t1, " && ".join(f"nbgrader release_assignment {a} --force" for a in ids))

    answers = Path(tempfile.mkdtemp(prefix=f"{hub.root.name}-answers-", dir=hub.root.parent))
    try:
        answers.chmod(0o755)  # (a folder the students can read)
        for login, name, whole in ((s1, "李雷", True), (s2, "韩梅梅", False)):
            steps = []
            for index, assignment in enumerate(ids):
                notebook = f"{assignment}.ipynb"
                path = answers / f"{login}-{notebook}"
                path.write_text(_hand_in(login, name, assignment, index, whole), encoding="utf-8")
                path.chmod(0o644)
                steps.append(f"nbgrader fetch_assignment {assignment} && "
                             f"cp {path} crm-lab/{assignment}/{notebook} && "
                             f"nbgrader submit {assignment}")
            # a folder of its own: the whole-cycle test fetched hw01 into the home already
            done = as_account(login, "mkdir -p all-five && cd all-five && " + " && ".join(steps),
                              hub.root)
            assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    finally:
        shutil.rmtree(answers)

    _instructor(hub, t1, " && ".join(f"nbgrader collect --update {a}" for a in ids))
    for assignment in ids:
        graded = _instructor(hub, t1, f"crmlab autograde {assignment}")
        assert f"{assignment}：共 2 份；已评分 2 份" in graded, graded
    students = [unix_name(s1), unix_name(s2)]
    by_crmlab = _gradebook_scores(hub, ids, students, wipe=True)
    _instructor(hub, t2, " && ".join(f"nbgrader autograde {a} --force" for a in ids))
    by_nbgrader = _gradebook_scores(hub, ids, students)
    assert by_nbgrader == by_crmlab
    for assignment in ids:
        (model, _), (partial, _) = (by_crmlab[assignment, student] for student in students)
        assert model == assignments[assignment].points_auto, (assignment, model)
        released = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        # (with one answer, as hw04 has, leaving it undone leaves nothing to score)
        assert 0 < partial < model or len(_answer_cells(released)) == 1 and partial == 0, (
            assignment, partial)


@pytest.mark.slow
def test_a_deleted_gradebook_is_restored_with_every_grade_and_mark(hub):
    """While the hub runs: is a gradebook changed by a teacher (a manual mark and a comment)
    snapshotted within seconds, and after the gradebook is deleted mid-term, does
    `crmlab hub restore-gradebook` put back every grade and mark?"""
    from nbgrader.api import Gradebook

    from crmlab.commands.hub import backups
    from crmlab.grading.environment import use_environment

    gradebook_path = hub.root / "course" / "gradebook.db"
    use_environment()
    with Gradebook(f"sqlite:///{gradebook_path}") as gradebook:
        gradebook.update_or_create_student("jupyter-late-joiner", last_name="迟到的同学")
        submission = gradebook.update_or_create_submission(HW, unix_name(hub.people["s2"]))
        notebook = submission.notebooks[0]
        notebook.grades[0].manual_score = 0.5
        notebook.comments[0].manual_comment = "第二题的分析再具体一些。"
        gradebook.db.commit()
    marks = backups.marks(str(gradebook_path))
    assert any(value[1] == 0.5 for value in marks.values())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        snaps = backups.snapshots(hub.root)
        if snaps and backups.marks(str(snaps[-1].path)) == marks:
            break
        time.sleep(1)
    else:
        raise AssertionError("the changed gradebook was not snapshotted")
    gradebook_path.unlink()
    done = subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "hub", "restore-gradebook",
                           "--root", str(hub.root), "--yes"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "现在没有成绩库" in done.stdout and "已恢复" in done.stdout
    assert backups.marks(str(gradebook_path)) == marks
    info = gradebook_path.stat()
    assert info.st_gid == grp.getgrnam(hub.group).gr_gid and stat.S_IMODE(info.st_mode) == 0o660
    t1, *_ = _logins(hub)
    listed = as_account(t1, "nbgrader db student list", hub.root, cwd=str(hub.root / "course"))
    assert listed.returncode == 0 and "迟到的同学" in listed.stdout, listed.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.browser
def test_instructors_have_formgrader_over_the_shared_course(hub, page):
    """Does an instructor's server show Formgrader with the course's assignments?"""
    t1, *_ = _logins(hub)
    _log_in(page, hub, t1)
    page.goto(f"{hub.url}/user/{t1}/formgrader")
    expect(page.locator("body")).to_contain_text(HW, timeout=60_000)


def _plant(hub, teacher: str, victim: Path, proof: Path) -> str:
    """As a teacher's account: a line in the course's nbgrader_config.py that records who runs
    it, and course/data replaced by a link to a folder only root may write. Returns the
    config's original text."""
    config = hub.root / "course" / "nbgrader_config.py"
    original = config.read_text(encoding="utf-8")
    line = f"import os; open({str(proof)!r}, 'a').write(f'{{os.geteuid()}}\\n')"
    done = as_account(teacher, f"printf '%s\\n' {shlex.quote(line)} >> nbgrader_config.py && "
                      f"mv data data.moved && ln -s {victim} data", hub.root,
                      cwd=str(hub.root / "course"))
    assert done.returncode == 0, done.stderr
    return original


@pytest.mark.slow
def test_a_killed_hub_is_replaced_and_root_runs_nothing_a_teacher_wrote(hub):
    """kill -9 of crmlab hub and of JupyterHub (what a crash, or systemd's restart, leaves):
    does a new start stop what was left (the proxy, the servers), come up, and let the student
    log in with their password to their files? Across that start, is the teachers' planted
    config run only by a teacher's account, never by root, and is a planted link not
    followed?"""
    import signal

    t1, _, s1, _ = _logins(hub)
    session = hub.session(s1)
    hub.start_server(session, s1)
    assert as_account(s1, "echo 期中笔记 > notes-midterm.txt", hub.root).returncode == 0
    old_server = set(leftover_processes({s1}))
    assert old_server
    victim = Path(tempfile.mkdtemp(prefix="crmlab-victim-", dir="/tmp"))
    (victim / "only-root").write_text("root's")
    proof = Path(tempfile.mkstemp(prefix="crmlab-proof-", dir="/tmp")[1])
    proof.chmod(0o666)
    original = _plant(hub, t1, victim, proof)
    try:
        jupyterhub = int((hub.root / "state" / "jupyterhub.pid").read_text())
        proxy = int((hub.root / "state" / "proxy.pid").read_text())
        os.kill(hub.process.pid, signal.SIGKILL)
        os.kill(jupyterhub, signal.SIGKILL)
        hub.process.wait()
        time.sleep(1)
        assert os.path.exists(f"/proc/{proxy}") and old_server & set(leftover_processes({s1}))
        hub.start(hub.roster, LIMITS)
        assert "发现上次运行留下的代理" in hub.output
        assert not old_server & set(leftover_processes({s1}))
        session = hub.session(s1)
        assert session is not None, hub.refusal
        hub.start_server(session, s1)
        notes = session.get(f"{hub.url}/user/{s1}/api/contents/notes-midterm.txt", timeout=30)
        assert notes.ok and notes.json()["content"] == "期中笔记\n"
        # the planted config ran (enrolling the roster), as the teacher only
        runners = proof.read_text().split()
        assert runners and set(runners) == {str(pwd.getpwnam(unix_name(t1)).pw_uid)}, runners
        assert "跳过 data" in hub.output and "符号链接" in hub.output
        assert sorted(p.name for p in victim.iterdir()) == ["only-root"]
        assert victim.stat().st_uid == 0 and victim.stat().st_gid == 0
        assert stat.S_IMODE(victim.stat().st_mode) == 0o700
    finally:
        as_account(t1, "rm -f data && mv data.moved data", hub.root, cwd=str(hub.root / "course"))
        (hub.root / "course" / "nbgrader_config.py").write_text(original, encoding="utf-8")
        shutil.rmtree(victim, ignore_errors=True)
        proof.unlink(missing_ok=True)


LIMITS = ("--mem-limit", "300M", "--cpu-limit", "0.5", "--pids-limit", "96")


def _in_server_group(hub, login: str, code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run Python ``code`` as ``login``'s account inside their running server's control group."""
    from crmlab.commands.hub.spawner import CONTROLLERS, cgroup_path
    from crmlab.grading import cgroups

    group = cgroups.existing(cgroup_path(unix_name(login)), CONTROLLERS)
    assert set(group.folders) >= {"memory", "cpu", "pids"} or "unified" in group.folders, group
    return subprocess.run([*group.enter_command(), "runuser", "-u", unix_name(login), "--",
                           str(hub.root / "env" / "bin" / "python"), "-c", code],
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_a_servers_limits_hold_when_exceeded(hub):
    """With --mem-limit 300M --cpu-limit 0.5 --pids-limit 96: inside a student's server's
    control group, does starting processes stop at the limit, is a process going over the
    memory limit killed, and does busy work on two cores get half a core?"""
    from crmlab.commands.hub.spawner import CONTROLLERS, cgroup_path
    from crmlab.grading import cgroups

    _, _, s1, _ = _logins(hub)
    if hub.extra != LIMITS:
        hub.stop()
        hub.start(hub.roster, LIMITS)
    hub.start_server(hub.session(s1), s1)
    group = cgroups.existing(cgroup_path(unix_name(s1)), CONTROLLERS)
    running = len(group.pids())
    forks = _in_server_group(hub, s1, """
import os, signal, time
children = []
try:
    for _ in range(200):
        pid = os.fork()
        if pid == 0:
            time.sleep(60); os._exit(0)
        children.append(pid)
except OSError as error:
    print("refused", error.errno)
for pid in children:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
print("made", len(children))
""")
    assert "refused 11" in forks.stdout, forks.stdout + forks.stderr  # EAGAIN
    made = int(forks.stdout.split("made")[1])
    assert 0 < made <= 96 - running, (made, running)
    kills = group.out_of_memory_kills()
    memory = _in_server_group(hub, s1, "block = bytearray(600 * 1024 * 1024); print('survived')")
    assert memory.returncode != 0 and "survived" not in memory.stdout
    assert group.out_of_memory_kills() > kills
    cpu = _in_server_group(hub, s1, """
import os, time
from concurrent.futures import ProcessPoolExecutor
def burn(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
start, before = time.monotonic(), os.times()
with ProcessPoolExecutor(2) as pool:
    list(pool.map(burn, [4, 4]))
after = os.times()
print((after.children_user + after.children_system - before.children_user
       - before.children_system) / (time.monotonic() - start))
""")
    assert cpu.returncode == 0, cpu.stderr[-2000:]
    share = float(cpu.stdout.strip().splitlines()[-1])
    assert share < 0.5 * 1.25, share  # two busy processes get about half a core together


@pytest.mark.slow
def test_a_changed_roster_adds_and_blocks_without_touching_files(hub):
    """Run again with one student removed and one added: is the new one let in, the removed
    one refused (their files kept), and the others' passwords still theirs?"""
    t1, t2, s1, s2 = _logins(hub)
    newcomer = f"{s1[:-2]}s3"
    assert hub.session(s1) is not None, hub.refusal  # (sets the password if not done yet)
    assert as_account(s2, "echo 我的笔记 > notes.txt", hub.root).returncode == 0
    hub.stop()
    assert not leftover_processes(hub.logins)
    roster = write_roster(hub.scratch / "名单2.csv", [(t1, "王老师", "教师"), (t2, "赵老师", "教师"),
                                                     (s1, "李雷", "学生"), (newcomer, "新同学", "学生")])
    hub.start(roster)
    assert "停用 1 个" in hub.output
    assert hub.session(s2) is None
    assert (accounts.home_of(unix_name(s2)) / "notes.txt").read_text(encoding="utf-8") == "我的笔记\n"
    assert hub.session(s1, PASSWORD + "!") is None and hub.session(s1) is not None
    assert hub.session(newcomer) is not None


@pytest.mark.slow
def test_an_idle_server_is_stopped_by_the_culler(hub):
    """With `--idle-minutes 0.25`, is a student's server left idle stopped by the idle culler
    (the hub's service) within the next check, its processes gone? (Restarts the module's hub
    with the short timeout: keep this the last test using it.)"""
    import time

    t1, t2, s1, s2 = _logins(hub)
    hub.stop()
    roster = write_roster(hub.scratch / "名单3.csv", [(t1, "王老师", "教师"), (t2, "赵老师", "教师"),
                                                     (s1, "李雷", "学生"), (s2, "韩梅梅", "学生")])
    hub.start(roster, ("--idle-minutes", "0.25"))
    session = hub.session(s1)
    assert session is not None, hub.refusal
    headers = {"X-XSRFToken": session.cookies.get("_xsrf", "")}
    answer = session.post(f"{hub.url}/hub/api/users/{s1}/server", headers=headers, timeout=60)
    assert answer.status_code in (201, 202), answer.text
    seen_ready, started = False, time.monotonic()
    while time.monotonic() - started < 150:
        servers = session.get(f"{hub.url}/hub/api/users/{s1}", headers=headers,
                              timeout=30).json().get("servers", {})
        if servers.get("", {}).get("ready"):
            seen_ready = True
        elif seen_ready and not servers:
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"the idle server was not stopped (ready: {seen_ready}):\n{hub.log()}")
    assert f"Culling server {s1}" in hub.log(200_000)
    deadline = time.monotonic() + 30
    while leftover_processes({s1}) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not leftover_processes({s1})


def _served_certificate(port: int) -> bytes:
    import socket
    import ssl

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls_socket:
        return tls_socket.getpeercert(binary_form=True)


def _secure_login_in_chromium(hub, chromium, login: str) -> list[dict]:
    """Log in over HTTPS in Chromium; the cookies it was given."""
    context = chromium.new_context(ignore_https_errors=True, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{hub.url}/hub/login")
        expect(page.locator("#insecure-login-warning")).to_be_hidden()
        page.locator("input[name=username]").fill(login)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("#login_submit").click()
        page.wait_for_url("**/hub/**")
        page.goto(f"{hub.url}/hub/home")
        expect(page.locator("#logout")).to_be_visible(timeout=60_000)
        return context.cookies()
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.browser
def test_https_with_a_self_signed_certificate(hub, chromium):
    """With --self-signed: is the fingerprint printed the one the hub serves, does a client that
    trusts that certificate log in, and are the login cookies Secure?"""
    import hashlib

    from crmlab.commands.hub import tls

    _, _, s1, _ = _logins(hub)
    hub.stop()
    hub.start(hub.roster, ("--self-signed",))
    assert hub.url.startswith("https://")
    cert = hub.root / "state" / "tls" / "hub.crt"
    fingerprint = tls.fingerprint(cert)
    assert f"    {fingerprint}" in hub.output
    served = hashlib.sha256(_served_certificate(hub.port)).hexdigest().upper()
    assert ":".join(served[i:i + 2] for i in range(0, 64, 2)) == fingerprint
    hub.verify = str(cert)
    assert hub.session(s1) is not None, hub.refusal
    cookies = _secure_login_in_chromium(hub, chromium, s1)
    login_cookies = [c for c in cookies if c["name"].startswith("jupyterhub-")]
    assert login_cookies and all(c["secure"] for c in login_cookies), cookies


@pytest.mark.slow
@pytest.mark.browser
def test_https_with_the_schools_certificate(hub, chromium, tmp_path):
    """With --ssl-cert/--ssl-key signed by a (test) school CA: does a client trusting that CA
    verify the hub and log in, with Secure cookies; is plain HTTP on the port refused?"""
    import requests

    _, _, s1, _ = _logins(hub)
    ca_key, ca, key, request, cert = (tmp_path / n for n in ("ca.key", "ca.crt", "hub.key",
                                                               "hub.csr", "hub.crt"))
    openssl = ["openssl"]
    for command in (
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", ca_key, "-out", ca, "-days", "30", "-subj", "/CN=School test CA"],
        ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", request, "-subj", "/CN=127.0.0.1"],
    ):
        subprocess.run(openssl + [str(part) for part in command], check=True, capture_output=True)
    extensions = tmp_path / "san.cnf"
    extensions.write_text("subjectAltName=IP:127.0.0.1\n")
    subprocess.run(openssl + ["x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey",
                              str(ca_key), "-CAcreateserial", "-out", str(cert), "-days", "30",
                              "-extfile", str(extensions)], check=True, capture_output=True)
    hub.stop()
    hub.start(hub.roster, ("--ssl-cert", str(cert), "--ssl-key", str(key)))
    import ssl

    served = _served_certificate(hub.port)
    assert served == ssl.PEM_cert_to_DER_cert(cert.read_text()), "the hub serves another certificate"
    hub.verify = str(ca)
    assert hub.session(s1) is not None, hub.refusal
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{hub.url}/hub/login", timeout=30)  # the system does not trust this CA
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{hub.port}/hub/login", timeout=30)
    cookies = _secure_login_in_chromium(hub, chromium, s1)
    assert all(c["secure"] for c in cookies if c["name"].startswith("jupyterhub-")), cookies


@pytest.mark.slow
def test_a_server_whose_limits_cannot_be_set_does_not_start(hub, tmp_path):
    """Where the control groups cannot be written, is a server refused (no process of its
    account runs) with one Chinese line in the log and on the spawn page?"""
    from crmlab.commands.hub.spawner import NO_LIMITS

    _, _, s1, _ = _logins(hub)
    hub.stop()
    hub.verify = True
    hub.start(hub.roster, ("--cgroup-root", str(tmp_path)))
    session = hub.session(s1)
    headers = {"X-XSRFToken": session.cookies.get("_xsrf", "")}
    message = NO_LIMITS.format(user=s1)
    answer = session.post(f"{hub.url}/hub/api/users/{s1}/server", headers=headers, timeout=60)
    assert answer.status_code != 201, answer.text
    progress = session.get(f"{hub.url}/hub/api/users/{s1}/server/progress", headers=headers,
                           timeout=60)
    events = [json.loads(line[len("data: "):]) for line in progress.text.splitlines()
              if line.startswith("data: ")]
    assert answer.json()["message"] == message, answer.text
    assert events[-1]["failed"] and events[-1]["message"].endswith(message), events
    assert message in hub.log(100_000)
    assert not leftover_processes({s1})
    assert not session.get(f"{hub.url}/hub/api/users/{s1}", headers=headers,
                           timeout=30).json()["servers"]
