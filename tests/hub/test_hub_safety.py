"""The hub's safety parts without a running hub: links never followed by root, HTTPS refusals
and certificates, the passwords and their sheet, the service unit, gradebook snapshots and
restore (a real nbgrader gradebook)."""

from __future__ import annotations

import os
import shlex
import socket
import ssl
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from benchmarks.harness import unique_prefix, write_roster
from crmlab.commands.hub import backups, safefs, service, tls
from crmlab.commands.hub.passwords import ALPHABET, PasswordStore, problem_with, write_sheet
from crmlab.rules.checks import CourseInputError
from tests.support import ROOT

# --- links ----------------------------------------------------------------------------------


@pytest.fixture
def planted(tmp_path):
    """A folder a teacher's account could write, with links to a root-only victim in it."""
    victim = tmp_path / "victim"
    victim.mkdir(mode=0o700)
    (victim / "secret").write_text("root's")
    (victim / "secret").chmod(0o600)
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    (course / "source" / "a.ipynb").write_text("{}")
    (course / "release").symlink_to(victim)
    (course / "gradebook.db").symlink_to(victim / "secret")
    return course, victim


def _unchanged(victim: Path) -> bool:
    return (sorted(p.name for p in victim.iterdir()) == ["secret"]
            and oct(victim.stat().st_mode & 0o7777) == oct(0o700)
            and oct((victim / "secret").stat().st_mode & 0o7777) == oct(0o600)
            and (victim / "secret").read_text() == "root's"
            and victim.stat().st_gid == 0 and (victim / "secret").stat().st_gid == 0)


def test_root_changes_nothing_through_a_planted_link(planted):
    """Are chown/chmod, creating a file and walking the tree refused or skipped at a link, the
    link's target left exactly as it was, while real files are changed?"""
    course, victim = planted
    gid = os.getgid() + 4242
    for relative in ("release", "gradebook.db", "release/secret"):
        with pytest.raises(CourseInputError, match="符号链接"):
            safefs.give(course, relative, 0, gid, 0o2770, 0o660)
    with pytest.raises(CourseInputError, match="符号链接"):
        safefs.write_new(course, "release/new.ipynb", b"x")
    assert safefs.write_new(course, "gradebook.db", b"x") is False  # a link is "already there"
    assert safefs.give_tree(course, 0, gid, 0o2770, 0o660) == 3  # course, source, a.ipynb
    assert (course / "source" / "a.ipynb").stat().st_gid == gid
    assert _unchanged(victim)


@pytest.mark.slow
def test_copying_the_course_in_skips_a_linked_folder(planted, capsys):
    """Does copying the project's course files into a course whose release/ is a link to
    elsewhere write nothing there, say so, and still copy the rest?"""
    from crmlab.commands.hub.layout import copy_course_files

    course, victim = planted
    made = copy_course_files(course, ROOT)
    assert "跳过 release" in capsys.readouterr().out
    assert Path("source") in made and Path("nbgrader_config.py") in made
    assert not any(path.parts[0] == "release" for path in made)
    assert _unchanged(victim)


def test_a_gradebook_is_replaced_not_written_through_a_link(planted):
    """Does restoring over a gradebook that is a link replace the link itself?"""
    course, victim = planted
    safefs.replace(course, "gradebook.db", b"restored", 0, 0, 0o660)
    assert not (course / "gradebook.db").is_symlink()
    assert (course / "gradebook.db").read_bytes() == b"restored"
    assert _unchanged(victim)


# --- HTTPS ----------------------------------------------------------------------------------


def _machine_address() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # no packet is sent: picks the outgoing interface
            return sock.getsockname()[0]
        except OSError:
            return "192.0.2.2"


@pytest.mark.slow
@pytest.mark.parametrize("ip", ["", "0.0.0.0", "::", "MACHINE"])
def test_plain_http_off_loopback_is_refused_in_one_chinese_line(tmp_path, ip):
    """Does `crmlab hub` asked to listen off loopback without a certificate exit 1 with one
    Chinese line before making anything or binding the port, and accept --no-https with a
    warning only?"""
    from tests.support.browser import free_port

    ip = _machine_address() if ip == "MACHINE" else ip
    prefix = unique_prefix()
    roster = write_roster(tmp_path / "名单.csv", [(f"{prefix}t", "王老师", "教师")])
    root, port = tmp_path / "hub-root", free_port()
    done = subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "hub", "--roster", str(roster),
                           "--root", str(root), "--ip", ip, "--port", str(port)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "不能在" in done.stderr
    assert "--ssl-cert" in done.stderr and "--self-signed" in done.stderr
    assert not root.exists()
    with socket.socket() as sock:  # nothing listens there
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    said = []
    tls.check_listen(ip, has_certificate=False, no_https=True, say=said.append)
    assert said and said[0].startswith("警告：--no-https")
    tls.check_listen(ip, has_certificate=True, no_https=False)  # with a certificate: fine


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_may_speak_plain_http(ip):
    tls.check_listen(ip, has_certificate=False, no_https=False)


def test_a_self_signed_certificate_covers_the_machine_and_is_kept(tmp_path):
    """Does --self-signed make a certificate for the machine's names and addresses (loopback
    too), with a key only root reads, a fingerprint as openssl prints it, and the same
    certificate at the next start?"""
    cert, key = tls.self_signed(tmp_path / "tls", "")
    assert oct(key.stat().st_mode & 0o777) == oct(0o600)
    text = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-text", "-fingerprint",
                           "-sha256"], capture_output=True, text=True, check=True).stdout
    names, addresses = tls.machine_names("")
    for name in names:
        assert f"DNS:{name}" in text
    assert "IP Address:127.0.0.1" in text and _machine_address() in text
    assert f"Fingerprint={tls.fingerprint(cert)}" in text
    before = cert.read_bytes()
    assert tls.self_signed(tmp_path / "tls", "")[0].read_bytes() == before
    tls.check_files(cert, key)
    other_key = tmp_path / "other.key"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-out", str(other_key)], check=True,
                   capture_output=True)
    with pytest.raises(CourseInputError, match="无法一起使用"):
        tls.check_files(cert, other_key)
    ssl.create_default_context(cafile=str(cert))  # a valid PEM certificate


# --- passwords ------------------------------------------------------------------------------


def test_initial_passwords_are_random_one_time_and_kept_hashed(tmp_path):
    """Is each initial password random from the unambiguous alphabet, stored hashed, void once
    replaced, and is every new password checked (length, repeated, not the old one)?"""
    store = PasswordStore(tmp_path)
    issued = store.issue_missing(["a", "b"])
    assert issued == ["a", "b"] and store.issue_missing(["a", "b", "c"]) == ["c"]
    initial = store.initial_passwords()
    assert len(set(initial.values())) == 3
    for password in initial.values():
        assert len(password) == 11 and set(password.replace("-", "")) <= set(ALPHABET)
        assert password not in store.path.read_text()
    assert oct(store.path.stat().st_mode & 0o777) == oct(0o600)
    assert store.check("a", initial["a"]).must_change
    assert store.check("a", initial["b"]) is None and store.check("zz", initial["a"]) is None
    store.change("a", "my-own-password")
    assert store.check("a", initial["a"]) is None and not store.check("a", "my-own-password").must_change
    assert "a" not in store.initial_passwords()
    again = store.issue("a")
    assert store.check("a", "my-own-password") is None
    assert store.check("a", again).must_change
    assert problem_with("short", "short", "x", 8) == "新密码太短：请设置至少 8 位的密码。"
    assert "不一样" in problem_with("long-enough-1", "long-enough-2", "x", 8)
    assert "相同" in problem_with("long-enough-1", "long-enough-1", "long-enough-1", 8)
    assert problem_with("long-enough-1", "long-enough-1", "x", 8) is None


def test_the_sheet_has_a_slip_per_person_and_escapes_names(tmp_path):
    import pandas as pd

    rows = [("王老师", "t1", "教师", "abcde-fghjk"), ("<b>李雷</b>", "s1", "学生", "mnpqr-stuvw")]
    workbook, page = write_sheet(tmp_path / "passwords", rows, ["https://hub.example:8000"])
    table = pd.read_excel(workbook, dtype=str)
    assert table.to_dict("records")[1] == {"姓名": "<b>李雷</b>", "学号": "s1", "角色": "学生",
                                          "地址": "https://hub.example:8000", "初始密码": "mnpqr-stuvw"}
    html = page.read_text(encoding="utf-8")
    assert html.count('class="slip"') == 2 and "&lt;b&gt;李雷&lt;/b&gt;" in html
    assert "<b>李雷</b>" not in html
    assert all(oct(p.stat().st_mode & 0o777) == oct(0o600) for p in (workbook, page))


# --- the service ----------------------------------------------------------------------------


def test_install_service_writes_a_unit_systemd_accepts(tmp_path):
    """Does `crmlab hub install-service` write a unit that restarts on failure, logs to the
    journal, runs this crmlab hub with the given options, and that `systemd-analyze verify`
    accepts (while a broken one is rejected)? Does uninstall-service remove it?"""
    from crmlab.commands.cli import main

    roster = write_roster(tmp_path / "名单.csv", [("t1", "王老师", "教师")])
    units = tmp_path / "units"
    assert main(["hub", "install-service", "--roster", str(roster), "--root", str(tmp_path / "r"),
                 "--ip", "127.0.0.1", "--port", "8123", "--unit-dir", str(units)]) == 0
    unit = units / service.UNIT_NAME
    text = unit.read_text(encoding="utf-8")
    assert "Restart=on-failure" in text and "StandardOutput=journal" in text
    assert "WantedBy=multi-user.target" in text and "KillMode=mixed" in text
    exec_start = shlex.split(next(line for line in text.splitlines()
                                  if line.startswith("ExecStart=")).removeprefix("ExecStart="))
    assert exec_start[:6] == [sys.executable, "-m", "crmlab.commands.cli", "hub", "--roster", str(roster)]
    assert " --port 8123 " in shlex.join(exec_start) and " --ip 127.0.0.1" in shlex.join(exec_start)
    done = service.verify(unit)
    assert done.returncode == 0, done.stderr
    broken = tmp_path / "broken" / service.UNIT_NAME
    broken.parent.mkdir()
    broken.write_text(text.replace(f"ExecStart={sys.executable}", "ExecStart=/nonexistent/python"))
    assert service.verify(broken).returncode != 0
    assert main(["hub", "uninstall-service", "--unit-dir", str(units)]) == 0
    assert not unit.exists()


def test_install_service_refuses_what_run_refuses(tmp_path, capsys):
    from crmlab.commands.cli import main

    roster = write_roster(tmp_path / "名单.csv", [("t1", "王老师", "教师")])
    assert main(["hub", "install-service", "--roster", str(roster), "--root", str(tmp_path / "r"),
                 "--unit-dir", str(tmp_path / "units")]) == 1
    assert "不能在所有网络接口上用不加密的 HTTP 开课" in capsys.readouterr().err
    assert not (tmp_path / "units").exists()


# --- gradebook snapshots --------------------------------------------------------------------


def _gradebook(path: Path) -> None:
    """A small real nbgrader gradebook: two students, an assignment, a graded submission with a
    manual score, extra credit and a comment."""
    from nbgrader.api import Gradebook

    from crmlab.grading.environment import use_environment

    use_environment()  # nbgrader runs alembic by name when it creates a gradebook
    with Gradebook(f"sqlite:///{path}") as gradebook:
        gradebook.add_assignment("hw01")
        gradebook.add_notebook("hw01", "hw01")
        gradebook.add_grade_cell("q1", "hw01", "hw01", max_score=5, cell_type="code")
        gradebook.add_grade_cell("q2", "hw01", "hw01", max_score=5, cell_type="markdown")
        gradebook.add_solution_cell("q2", "hw01", "hw01")
        for student in ("s1", "s2"):
            gradebook.add_student(student, last_name=f"同学{student}")
            gradebook.add_submission("hw01", student)
        grade = gradebook.find_grade("q1", "hw01", "hw01", "s1")
        grade.auto_score = 4
        written = gradebook.find_grade("q2", "hw01", "hw01", "s1")
        written.manual_score, written.extra_credit = 3.5, 1
        comment = gradebook.find_comment("q2", "hw01", "hw01", "s1")
        comment.manual_comment = "论述清楚，但缺少例子。"
        gradebook.db.commit()


@pytest.mark.slow
def test_a_deleted_gradebook_is_restored_with_every_grade_and_mark(tmp_path, capsys):
    """Snapshot a gradebook, delete it mid-term, restore it: are every score, manual mark, extra
    credit and comment back, is the difference shown first, and is the file the teachers'?"""
    from crmlab.commands.cli import main

    root = tmp_path / "hub"
    (root / "course").mkdir(parents=True)
    (root / "state").mkdir()
    gradebook = root / "course" / backups.GRADEBOOK
    _gradebook(gradebook)
    before = backups.marks(str(gradebook))
    assert before[("s1", "hw01", "hw01", "q2")] == (None, 3.5, 1.0, "论述清楚，但缺少例子。")
    watcher = backups.Watcher(root, minutes=60, settle=0)
    [taken] = watcher.tick()
    assert taken.kind == "gradebook" and oct((root / "backups").stat().st_mode & 0o777) == oct(0o700)
    gradebook.unlink()
    assert main(["hub", "restore-gradebook", "--root", str(root), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "现在没有成绩库" in out and "s1 · hw01 · q2：现在 （无） → 恢复后 3.5 分（加分 1），评语「论述清楚，但缺少例子。」" in out
    assert backups.marks(str(gradebook)) == before
    assert oct(gradebook.stat().st_mode & 0o777) == oct(0o660)


@pytest.mark.slow
def test_a_changed_gradebook_is_snapshotted_and_old_snapshots_thinned(tmp_path):
    """Is a gradebook snapshotted again once it changed and settled (not before), and are
    snapshots kept all for an hour, hourly for a day, daily for a semester?"""
    root = tmp_path / "hub"
    (root / "course").mkdir(parents=True)
    _gradebook(root / "course" / backups.GRADEBOOK)
    watcher = backups.Watcher(root, minutes=60, settle=5)
    start = datetime.now()
    assert len(watcher.tick(start)) == 1
    assert watcher.tick(start + timedelta(seconds=10)) == []  # nothing changed
    os.utime(root / "course" / backups.GRADEBOOK)
    changed = datetime.now()
    assert watcher.tick(changed + timedelta(seconds=1)) == []  # not settled yet
    assert len(watcher.tick(changed + timedelta(seconds=6))) == 1

    source = backups.snapshots(root)[0].path
    now = datetime(2026, 6, 30, 12, 0, 0)
    ages = [timedelta(minutes=m) for m in (5, 30, 70, 80, 130)] + \
        [timedelta(hours=h) for h in (30, 31, 50)] + [timedelta(days=200)]
    for age in ages:
        (root / "backups" / f"gradebook-{(now - age).strftime(backups.STAMP)}.db").write_bytes(
            source.read_bytes())
    for snap in backups.snapshots(root):
        if snap.taken > now:
            snap.path.unlink()
    backups.rotate(root, now)
    kept = [now - snap.taken for snap in backups.snapshots(root)]
    assert sorted(kept) == sorted(timedelta(minutes=m) for m in (5, 30, 70, 130)) + [
        timedelta(hours=30), timedelta(hours=50)]
    assert backups.choose(root, (now - timedelta(minutes=20)).strftime("%Y-%m-%d %H:%M")).taken == \
        now - timedelta(minutes=30)
    with pytest.raises(CourseInputError, match="看不懂时间"):
        backups.choose(root, "昨天下午")


def test_a_service_left_by_a_killed_hub_is_found_for_its_root_only(tmp_path):
    """Is a JupyterHub service process of this --root whose hub is gone (its parent is no
    JupyterHub) found for stopping, and one of another root left alone?"""
    mine, other = tmp_path / "mine", tmp_path / "other"
    started = [subprocess.Popen(["sleep", "60"], env={"PATH": os.environ["PATH"],
                                                     "CRMLAB_HUB_ROOT": str(root),
                                                     "JUPYTERHUB_SERVICE_NAME": "idle-culler"})
               for root in (mine, other)]
    try:
        found = service.orphaned_services(mine)
        assert started[0].pid in found and started[1].pid not in found
    finally:
        for process in started:
            process.kill()
            process.wait()
