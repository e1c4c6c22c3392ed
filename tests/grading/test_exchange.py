"""The exchange trusts no student-written fact (crmlab/grading/exchange.py), tried as students
would with nothing but their own Unix account and nbgrader's commands.

The class test makes real accounts (``jupyter-<random>s1`` …, removed at the end, also on
failure), an exchange laid out as ``crmlab hub`` lays it out, and runs the real ``nbgrader
fetch_assignment``/``submit`` as each student (``runuser``, Debian's Python with this checkout's
packages) and the real ``nbgrader collect`` as the instructor. Everything sits in a 20 MB tmpfs,
so a collect that followed ``/dev/zero`` fails here instead of filling the machine. Run it under
``flock /tmp/crmlab-hub-tests.lock`` (it creates accounts and a group).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import stat
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from crmlab.commands.hub import accounts, layout
from crmlab.commands.hub.roster import Member, unix_name
from crmlab.grading.environment import environment, use_environment
from crmlab.grading.exchange import as_timestamp, id_problem
from crmlab.grading.notebook import HIDDEN_TESTS, SOLUTION, course_markers
from tests.support import ROOT

HW = "hw01_crm_concepts"
SITE = Path(sys.prefix) / "lib" / "python3.11" / "site-packages"
STUDENT_PYTHON = "/usr/bin/python3.11"  # one every account may run (the venv's may be under /root)
FLOOD_LIMIT = "20m"


@pytest.mark.parametrize("student_id", ["..", ".", "a/b", "=1+1", "+1", "-x", "@SUM(A1)", "",
                                        "a..b", "名字", "a b", "a\nb", "x" * 65])
def test_unsafe_ids_are_refused(student_id):
    assert id_problem(student_id)


@pytest.mark.parametrize("student_id", ["jupyter-2025001", "s001", "Alice_1", "a.b-c"])
def test_ordinary_ids_pass(student_id):
    assert id_problem(student_id) is None


def test_every_way_to_collect_and_submit_uses_the_safe_exchange(tmp_path, monkeypatch):
    """Formgrader's 收取 button (nbgrader's API), `nbgrader collect` and crmlab's classroom all
    take the exchange classes from the course's nbgrader_config.py; students' servers on the
    hub from the settings crmlab hub writes for them."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.exchange import ExchangeFactory
    from traitlets.config.loader import PyFileConfigLoader

    from crmlab.course.facts import load_nbgrader_config
    from crmlab.grading.exchange import SafeCollect, SafeSubmit

    monkeypatch.setenv("CRMLAB_EXCHANGE", str(tmp_path / "exchange"))
    api = NbGraderAPI(config=load_nbgrader_config(ROOT))
    assert api.exchange.collect is SafeCollect and api.exchange.submit is SafeSubmit
    layout.write_nbgrader_config(tmp_path, "crm-lab")
    folder = tmp_path / "env" / "etc" / "jupyter"
    students = ExchangeFactory(config=PyFileConfigLoader("nbgrader_config.py", str(folder)).load_config())
    assert students.collect is SafeCollect and students.submit is SafeSubmit


# --- the export -----------------------------------------------------------------------------


HOSTILE = {"=1+1": "=HYPERLINK(\"http://example.com\",\"点我\")", "+cmd": "@SUM(A1:A2)",
           "-2": "-甲", "s01": "\t=1"}


@pytest.mark.slow  # runs `nbgrader export`
@pytest.mark.parametrize("name", ["成绩.xlsx", "成绩.csv"])
def test_the_export_holds_no_formula(tmp_path, name):
    """Ids and names a roster or the gradebook got from anywhere come out as text: read back
    with openpyxl no cell is a formula, and the text is there after an apostrophe."""
    from nbgrader.api import Gradebook

    use_environment()  # (a new gradebook runs alembic)
    database = tmp_path / "gradebook.db"
    with Gradebook(f"sqlite:///{database}", "crm-lab") as gradebook:
        gradebook.update_or_create_assignment("hw01")
        for student_id, student_name in HOSTILE.items():
            gradebook.update_or_create_student(student_id, last_name=student_name)
    dest = tmp_path / name
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", f"--to={dest}",
         f"--CourseDirectory.db_url=sqlite:///{database}", "--CourseDirectory.course_id=crm-lab",
         "--ExportApp.plugin_class=crmlab.grading.export.CourseExportPlugin", "--log-level=WARN"],
        cwd=tmp_path, capture_output=True, text=True, env=environment())
    assert done.returncode == 0, done.stderr
    if dest.suffix == ".csv":
        import csv

        with dest.open(encoding="utf-8-sig", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
    else:
        sheet = openpyxl.load_workbook(dest).active
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for student_id, student_name in HOSTILE.items():
        assert ("'" + student_id if student_id[0] in "=+-@" else student_id) in cells
        assert "'" + student_name in cells


# --- a class with real accounts -------------------------------------------------------------


class Class:
    """Three students' accounts, a course and an exchange in a small tmpfs."""

    def __init__(self, base: Path, prefix: str):
        from tests.support.course import ScratchCourse

        self.base, self.prefix = base, prefix
        self.ids = {key: unix_name(f"{prefix}{key}") for key in ("s1", "s2")}
        accounts.ensure_group(layout.INSTRUCTOR_GROUP)
        for key in self.ids:
            accounts.ensure_account(Member(f"{prefix}{key}", key, "student"), layout.INSTRUCTOR_GROUP)
        self.course = ScratchCourse(base)
        self.course.enrol(self.ids.values())  # the roster, as crmlab hub enrols it
        layout.prepare_exchange(self.course.exchange, self.course.course_id)
        layout.write_nbgrader_config(base, self.course.course_id)  # what every student's server reads
        self.course.instructor("release_assignment", HW)
        self.inbound = self.course.exchange / self.course.course_id / "inbound"

    def run(self, key: str, command: str) -> subprocess.CompletedProcess:
        """A shell command as the student ``key``, in their home, with nbgrader on hand."""
        name = self.ids[key]
        home = accounts.home_of(name)
        env = [f"HOME={home}", f"USER={name}", f"LOGNAME={name}", "LANG=C.UTF-8",
               "PATH=/usr/bin:/bin", f"PYTHONPATH={SITE}:{ROOT}",
               f"JUPYTER_CONFIG_PATH={self.base / 'env' / 'etc' / 'jupyter'}"]
        return subprocess.run(["runuser", "-u", name, "--", "env", "-i", *env, "sh", "-c",
                               f"umask 022; cd && {command}"],
                              capture_output=True, text=True, timeout=300)

    def nbgrader(self, key: str, arguments: str) -> subprocess.CompletedProcess:
        return self.run(key, f"{STUDENT_PYTHON} -m nbgrader {arguments}")

    def folder_of(self, key: str) -> Path:
        """The student's own submission folder (looked up as root: students cannot list)."""
        found = [p for p in self.inbound.iterdir() if p.name.startswith(self.ids[key] + "+")
                 and pwd.getpwuid(p.lstat().st_uid).pw_name == self.ids[key]]
        assert len(found) == 1, found
        return found[0]

    def remove(self) -> None:
        for name in self.ids.values():
            accounts.remove_account(name)
        if accounts.group_exists(layout.INSTRUCTOR_GROUP):
            subprocess.run(["groupdel", layout.INSTRUCTOR_GROUP], capture_output=True)


@contextlib.contextmanager
def small_tmpfs():
    base = Path(tempfile.mkdtemp(prefix="crmlab-exchange-", dir="/tmp"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FLOOD_LIMIT},mode=0755",
                              "tmpfs", str(base)], capture_output=True, text=True)
    assert mounted.returncode == 0, f"cannot mount a tmpfs (root needed): {mounted.stderr}"
    try:
        yield base
    finally:
        subprocess.run(["umount", "--lazy", str(base)], capture_output=True)
        base.rmdir()


@pytest.fixture(scope="module")
def collected():
    """The class submits (one honestly, one as a cheat), then the instructor collects."""
    if os.geteuid() != 0:
        pytest.fail("the exchange tests make Unix accounts: run them as root")
    from benchmarks.harness import unique_prefix

    use_environment()
    prefix = unique_prefix()
    with small_tmpfs() as base, pytest.MonkeyPatch.context() as patch:
        patch.setattr(layout, "INSTRUCTOR_GROUP", f"{prefix}-teachers")
        made = None
        try:
            made = Class(base, prefix)
            yield _play(made)
        finally:
            if made is not None:
                made.remove()
            else:  # accounts made before the class failed to set up
                for key in ("s1", "s2"):
                    accounts.remove_account(unix_name(f"{prefix}{key}"))
                subprocess.run(["groupdel", f"{prefix}-teachers"], capture_output=True)


def _play(made: Class) -> dict:
    """s2 answers and submits; s1 (collected first) tries every trick; the instructor collects."""
    course, s2 = made.course, made.ids["s2"]
    seen: dict = {"class": made}
    for key in ("s1", "s2"):
        done = made.nbgrader(key, f"fetch_assignment {HW}")
        assert done.returncode == 0, done.stdout + done.stderr
    work = f"crm-lab/{HW}/{HW}.ipynb"
    assert made.run("s2", f"sed -i 's/在这里写下你的回答。/S2-REAL-ANSWER/' {work}").returncode == 0
    seen["s2_before"] = time.time()
    done = made.nbgrader("s2", f"submit {HW}")
    assert done.returncode == 0, done.stdout + done.stderr
    seen["s2_folder"] = made.folder_of("s2")

    # s1 submits under s2's id, and under unsafe ids, with nbgrader's own command
    seen["impersonate"] = made.nbgrader("s1", f"submit {HW} --student={s2}")
    seen["dotdot"] = made.nbgrader("s1", f"submit {HW} --student=..")
    seen["formula"] = made.nbgrader("s1", f"submit {HW} --student==1+1")
    # ... and plants folders with mkdir, a 2099 date and an empty notebook
    plant = f"{made.inbound}/{{}}+{HW}+2099-01-01 00:00:00.000000 UTC"
    for planted in (s2, "..", "=1+1", f"{made.prefix}-not-enrolled"):
        folder = plant.format(planted)
        made.run("s1", f"mkdir '{folder}' && echo '{{}}' > '{folder}/{HW}.ipynb' && "
                       f"echo '2099-01-01 00:00:00.000000 UTC' > '{folder}/timestamp.txt'")
    # ... tries to move, remove or write into s2's real folder (the sticky bit, 0775)
    victim = seen["s2_folder"]
    seen["mv"] = made.run("s1", f"mv '{victim}' '{made.inbound}/moved'")
    seen["rm"] = made.run("s1", f"rm -rf '{victim}'")
    seen["write"] = made.run("s1", f"echo x > '{victim}/extra.ipynb'")

    # s1's own submission, with links to the course, the gradebook, secrets and /dev/zero
    done = made.nbgrader("s1", f"submit {HW}")
    assert done.returncode == 0, done.stdout + done.stderr
    own = made.folder_of("s1")
    seen["s1_before"] = time.time()
    root = course.root
    tricks = [f"ln -s '{root / 'source' / HW / (HW + '.ipynb')}' answers.ipynb",
              f"ln -s '{root / 'source'}' source", f"ln -s '{root / 'gradebook.db'}' gradebook.db",
              "ln -s /proc/self/environ environ.txt", "ln -s /dev/zero zero.ipynb",
              "ln -s /nonexistent/nothing dangling.ipynb", "mkfifo pipe.ipynb",
              "truncate -s 1G sparse.ipynb", "head -c 3000000 /dev/urandom > large.bin",
              "echo '2000-01-01 00:00:00.000000 UTC' > timestamp.txt"]
    done = made.run("s1", f"cd '{own}' && " + " && ".join(tricks))
    assert done.returncode == 0, done.stderr
    # a hard link to the gradebook, as a machine without protected_hardlinks would allow
    os.link(root / "gradebook.db", own / "grades.ipynb")
    seen["s1_folder"] = own

    seen["collect"] = course.instructor("collect", HW, "--CourseDirectory.max_file_size=2000",
                                          "--SafeCollect.roster_only=True")  # as crmlab hub sets it
    seen["after"] = time.time()
    return seen


def _output(done: subprocess.CompletedProcess) -> str:
    return done.stdout + done.stderr


@pytest.mark.slow
def test_submitting_under_a_classmates_or_an_unsafe_id_is_refused(collected):
    """`nbgrader submit --student=<classmate>` / `..` / `=1+1` stop with a Chinese line."""
    assert collected["impersonate"].returncode != 0
    assert "只能以自己的账户" in _output(collected["impersonate"])
    for key in ("dotdot", "formula"):
        assert collected[key].returncode != 0 and "不是合法的学号" in _output(collected[key])


@pytest.mark.slow
def test_no_student_can_move_remove_or_write_into_a_classmates_folder(collected):
    made = collected["class"]
    assert stat.S_IMODE(made.inbound.stat().st_mode) == 0o3773  # nbgrader's, with the sticky bit
    for key in ("mv", "rm", "write"):
        assert collected[key].returncode != 0, key
    assert collected["s2_folder"].is_dir()
    for name in ("outbound", "feedback"):
        mode = (made.inbound.parent / name).stat().st_mode
        assert not mode & stat.S_IWOTH and not (name == "feedback" and mode & stat.S_IROTH)


@pytest.mark.slow
def test_a_planted_submission_changes_nothing_for_the_classmate(collected):
    """The folder s1 planted under s2's name with a 2099 date is refused; s2's own answers are
    collected, dated by the exchange's record, not by any name or timestamp.txt."""
    made, s2 = collected["class"], collected["class"].ids["s2"]
    out = _output(collected["collect"])
    assert collected["collect"].returncode == 0, out
    assert f"不是学号「{s2}」本人的账户" in out
    submitted = made.course.root / "submitted" / s2 / HW
    assert "S2-REAL-ANSWER" in (submitted / f"{HW}.ipynb").read_text(encoding="utf-8")
    stamp = (submitted / "timestamp.txt").read_text().strip()
    from nbgrader.utils import parse_utc

    when = parse_utc(stamp).replace(tzinfo=UTC).timestamp()
    assert collected["s2_before"] - 1 <= when <= collected["after"] + 1, stamp


@pytest.mark.slow
def test_a_student_written_timestamp_decides_nothing(collected):
    """s1 wrote 2000-01-01 into their timestamp.txt after submitting: the collected time is
    when their folder last changed, as the collector saw it."""
    s1 = collected["class"].ids["s1"]
    submitted = collected["class"].course.root / "submitted" / s1 / HW
    stamp = (submitted / "timestamp.txt").read_text().strip()
    assert not stamp.startswith("2000")
    newest = max(p.lstat().st_ctime for p in [collected["s1_folder"], *collected["s1_folder"].iterdir()])
    assert stamp == as_timestamp(newest)
    assert collected["s1_before"] - 1 <= newest <= collected["after"] + 1


@pytest.mark.slow
def test_links_fifos_and_oversized_files_bring_nothing_into_the_course(collected):
    """The links to source/, the gradebook, /proc/self/environ and /dev/zero, a hard link, a
    FIFO, a dangling link, a 1 GB sparse file and a file over the limit are each skipped with
    one line; the notebook s1 really wrote is collected, and s2's collect (after s1's) too."""
    made, s1 = collected["class"], collected["class"].ids["s1"]
    out = _output(collected["collect"])
    submitted = made.course.root / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(made.ids.values())
    assert sorted(p.name for p in (submitted / s1 / HW).iterdir()) == \
        sorted([f"{HW}.ipynb", "submission_secret.txt", "timestamp.txt"])
    for name in ("answers.ipynb", "source", "gradebook.db", "environ.txt", "zero.ipynb",
                 "dangling.ipynb"):
        assert f"「{name}」是符号链接" in out, name
    assert "「pipe.ipynb」是管道（FIFO）" in out
    assert "「grades.ipynb」属于另一个账户（root）" in out
    assert "「sparse.ipynb」太大" in out and "「large.bin」太大" in out
    markers = course_markers(made.course.root)
    secrets = [markers.regions[SOLUTION][0], markers.regions[HIDDEN_TESTS][0], "SQLite format 3",
               "JUPYTERHUB", "PATH="]
    for path in submitted.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            assert not [s for s in secrets if s in text], path
    assert sum(p.stat().st_size for p in submitted.rglob("*") if p.is_file()) < 1_000_000


@pytest.mark.slow
def test_unsafe_and_unknown_ids_never_become_paths(collected):
    made = collected["class"]
    out = _output(collected["collect"])
    for planted in ("..", "=1+1"):
        assert f"拒收「{planted}+{HW}+" in out and "不是合法的学号" in out
    assert f"学号「{made.prefix}-not-enrolled」不在本课程的名单" in out
    assert not (made.course.root / HW).exists()  # `..` would have written course/<assignment>/
    assert not (made.course.root / "submitted" / "=1+1").exists()


# --- which submission, and when (one account plays the class, as in crmlab demo) --------------


@pytest.mark.slow  # real nbgrader release, submit and collect
def test_the_newest_change_wins_not_the_newest_name(tmp_path):
    """A folder named 2099 made before the real submission loses to it; `--update` takes a
    later submission, a plain collect keeps the one it has; the name's date is never used."""
    from nbgrader.utils import parse_utc

    from tests.support.course import ScratchCourse

    course = ScratchCourse(tmp_path)
    course.release(HW)
    inbound = course.exchange / course.course_id / "inbound"
    early = inbound / f"s1+{HW}+2099-01-01 00:00:00.000000 UTC"
    early.mkdir(parents=True)
    (early / f"{HW}.ipynb").write_text("{}", encoding="utf-8")
    time.sleep(1.1)
    course.fetch_and_submit("s1", HW, None)
    course.instructor("collect", HW)
    submitted = course.root / "submitted" / "s1" / HW
    first = parse_utc((submitted / "timestamp.txt").read_text().strip())
    assert (submitted / f"{HW}.ipynb").read_text(encoding="utf-8") != "{}"
    assert first.year < 2099 and first > datetime.fromtimestamp(early.stat().st_ctime, UTC).replace(tzinfo=None)

    time.sleep(1.1)
    later = inbound / f"s1+{HW}+2000-01-01 00:00:00.000000 UTC"  # an early name, made last
    later.mkdir()
    (later / f"{HW}.ipynb").write_text('{"later": 1}', encoding="utf-8")
    out = course.instructor("collect", HW)
    assert "已经收取过" in out.stdout + out.stderr
    assert parse_utc((submitted / "timestamp.txt").read_text().strip()) == first
    course.instructor("collect", HW, "--update")
    assert (submitted / f"{HW}.ipynb").read_text(encoding="utf-8") == '{"later": 1}'
    assert parse_utc((submitted / "timestamp.txt").read_text().strip()) > first


def test_names_are_shown_on_one_line():
    from crmlab.grading.exchange import shown

    assert shown("a\nb\x1b[31m") == "a\\x0ab\\x1b[31m"
    assert len(shown("x" * 500)) == 81
