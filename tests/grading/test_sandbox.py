"""The grading sandbox: hostile submissions try to climb each wall and fail.

A little nbgrader course is graded first with two honest students; then submissions that read
and write the gradebook, read a classmate's work and ``source/``, write into the course,
connect to a server on loopback, leave processes behind, allocate far past the memory limit,
start many processes, write a huge file or fill the disk are graded in parallel. Each is graded or flagged
with its Chinese reason, while the course folder's files (hashes), the honest students' scores
and the process table stay as they were.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import nbformat
import pytest

from crmlab.commands.cli import main
from crmlab.grading.autograde import NO_SANDBOX, autograde
from crmlab.grading.environment import environment, nbgrader
from tests.support import ROOT
from tests.support.tiny import CONFIG, scores, source_notebook

pytestmark = pytest.mark.slow

MARK = "31337"  # in the command line of every process a hostile submission starts
DOUBLE = "\ndef double(x):\n    return 2 * x\n"


def _attack(code: str) -> str:
    """An answer cell: a correct answer, then the attack (the tests' points stay earned)."""
    return DOUBLE + textwrap.dedent(code).strip() + "\n"


HOSTILE = {  # student → (answer code, expected status, a word the reason must contain)
    "gradebook": ("""
        import sqlite3
        try:
            db = sqlite3.connect("file:{course}/gradebook.db?mode=rw", uri=True)
            print(db.execute("SELECT count(*) FROM grade").fetchall())
            db.execute("UPDATE grade SET manual_score = 99, auto_score = 99")
            db.commit()
            print("WROTE-GRADEBOOK")
        except Exception as error:
            print("gradebook:", error)
        """, "graded", None),
    "peek": ("""
        for path in ["{course}/submitted/good/ps1/ps1.ipynb", "{course}/source/ps1/ps1.ipynb",
                     "{course}/autograded/good/ps1/ps1.ipynb", "/root/.bashrc", "/home"]:
            try:
                open(path).read()
                print("READ-OK", path)
            except OSError as error:
                print("refused:", type(error).__name__)
        """, "graded", None),
    "writer": ("""
        for path in ["{course}/pwned.txt", "{course}/source/ps1/pwned.txt",
                     "{course}/autograded/good/ps1/pwned.txt", "/tmp/../usr/pwned.txt"]:
            try:
                open(path, "w").write("pwned")
                print("WROTE", path)
            except OSError as error:
                print("refused:", error)
        """, "flagged", "只读"),
    "network": ("""
        import socket
        socket.create_connection(("127.0.0.1", {port}), timeout=3)
        """, "flagged", "试图访问网络"),
    "daemon": ("""
        import subprocess
        subprocess.Popen(["sleep", "{mark}"], start_new_session=True)
        subprocess.Popen(["sh", "-c", "sleep {mark}1 & sleep {mark}2"])
        """, "flagged", "进程未结束"),
    "memory": ("""
        hog = bytearray(8 * 1024 ** 3)
        """, "flagged", "内存超限"),
    "forkbomb": ("""
        import subprocess
        children = [subprocess.Popen(["sleep", "{mark}3"]) for _ in range(500)]
        """, "flagged", "进程数超限"),
    "bigfile": ("""
        with open("big.bin", "wb") as out:
            out.write(b"0" * (200 * 1024 ** 2))
        """, "flagged", "文件大小超限"),
    "crmlab": ("""
        try:
            import crmlab.rules
            print("CRMLAB-" + "IMPORTED")  # the word only in what it prints
        except ModuleNotFoundError as error:
            print("hidden:", error)
        """, "graded", None),
    "filler": ("""
        for n in range(100):  # 1 GB in files under the size limit: the folder's space runs out
            with open("fill%d.bin" % n, "wb") as out:
                out.write(b"0" * (10 * 1024 ** 2))
        """, "flagged", "空间超限"),
}
HONEST = {"good": "def double(x):\n    return x + x", "partial": "def double(x):\n    return 2 if x == 1 else x"}


def _submit(root: Path, student: str, answer: str) -> None:
    folder = root / "submitted" / student / "ps1"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2026-01-05 10:00:00.000000 UTC")
    notebook = nbformat.read(root / "release" / "ps1" / "ps1.ipynb", as_version=4)
    notebook.cells[1].source = answer
    nbformat.write(notebook, folder / "ps1.ipynb")


def _tiny_course(root: Path, config: str = CONFIG) -> Path:
    (root / "source" / "ps1").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(config, encoding="utf-8")
    nbformat.write(source_notebook(), root / "source" / "ps1" / "ps1.ipynb")
    nbgrader("generate_assignment", "ps1", cwd=root)
    return root


def _hashes(root: Path, skip: set[str]) -> dict[str, str]:
    """sha256 of every file of the course except those grading may change."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not any(relative.startswith(prefix) for prefix in skip):
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _marked_processes() -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if MARK in cmdline and "pytest" not in cmdline:
            found.append(f"{entry}: {cmdline}")
    return found


def _port_outside_ephemeral_range() -> socket.socket:
    """A listening socket on a loopback port the kernel can never bind itself.

    The kernel has a network namespace of its own, yet it does listen there: ipykernel binds the
    IOPub pipe (``tcp://127.0.0.1:*``) to a port the system picks from the ephemeral range. A
    test server on a port from that same range (port 0) can coincide with it, and then the
    submission's connection succeeds inside its own namespace (seen in CI: 48774 -> 37985), as
    if it had reached the grader. Ports below the range (of the grader's namespace and of a new
    one, whose default is 32768) are never picked by the system, so they cannot collide.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for port in range(min(low, 32768) - 1, 10000, -1):
        with contextlib.suppress(OSError):
            return socket.create_server(("127.0.0.1", port))
    raise RuntimeError("no free loopback port below the ephemeral range")


class _Listener:
    """A TCP server on the grader's loopback that records every connection it accepts."""

    def __init__(self):
        self.server = _port_outside_ephemeral_range()
        self.port = self.server.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self):
        self.server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course after the honest students, then the hostile ones, were graded."""
    root = _tiny_course(tmp_path_factory.mktemp("sandbox") / "course")
    for student, answer in HONEST.items():
        _submit(root, student, answer)
    honest = {o.student: o for o in autograde(root, "ps1", jobs=2, progress=False)}
    listener = _Listener()
    try:
        for student, (code, _, _) in HOSTILE.items():
            _submit(root, student, _attack(code.format(course=root, port=listener.port, mark=MARK)))
        skip = {"gradebook.db", ".crmlab-logs", *(f"autograded/{s}/" for s in HOSTILE)}
        skip |= {f"submitted/{s}/" for s in HOSTILE}
        before = _hashes(root, skip), scores(root)
        outcomes = {o.student: o for o in autograde(root, "ps1", jobs=2, progress=False,
                                                     students=list(HOSTILE))}
        after = _hashes(root, skip), scores(root)
    finally:
        listener.close()
    yield {"root": root, "honest": honest, "outcomes": outcomes, "before": before,
           "after": after, "accepted": listener.accepted}
    for line in _marked_processes():  # never leave a stray process on the shared machine
        os.kill(int(line.split(":")[0]), 9)


def _output(root: Path, student: str) -> str:
    """What a submission's cells printed or raised while graded."""
    graded = nbformat.read(root / "autograded" / student / "ps1" / "ps1.ipynb", as_version=4)
    return json.dumps([cell.get("outputs", []) for cell in graded.cells], ensure_ascii=False)


def _printed(root: Path, student: str) -> str:
    """What a submission's cells printed (stream outputs only: an error's traceback quotes the
    cell's own source, which names what it printed)."""
    graded = nbformat.read(root / "autograded" / student / "ps1" / "ps1.ipynb", as_version=4)
    return "".join(output.get("text", "") for cell in graded.cells for output in cell.get("outputs", [])
                   if output.get("output_type") == "stream")


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_hostile_submission_is_graded_or_flagged_and_keeps_its_score(graded, student):
    """Does each attack end graded or flagged with its reason, keeping the tests' 4 points?"""
    _, status, word = HOSTILE[student]
    outcome = graded["outcomes"][student]
    assert outcome.status == status, outcome.reasons
    if word:
        assert any(word in reason for reason in outcome.reasons), outcome.reasons
    assert outcome.score == 4, (outcome.reasons, _output(graded["root"], student)[-3000:])


def test_course_folder_and_other_scores_unchanged(graded):
    """Are the course's files (hashes) and the honest students' scores exactly as before?"""
    hashes_before, scores_before = graded["before"]
    hashes_after, scores_after = graded["after"]
    assert hashes_after == hashes_before
    assert {s: scores_after[s] for s in HONEST} == {s: scores_before[s] for s in HONEST}
    assert scores_before == {"good": 4, "partial": 1}
    assert not list(graded["root"].rglob("pwned.txt"))


def test_no_secret_was_read_and_nothing_was_written(graded):
    """Did no attempt to read the course, a classmate or a home, or to write the gradebook,
    succeed (the cells' outputs say what each attempt got)?"""
    peek = _output(graded["root"], "peek")
    assert "READ-OK" not in peek and peek.count("refused:") == 5
    assert "WROTE" not in _output(graded["root"], "writer")
    assert "WROTE-GRADEBOOK" not in _output(graded["root"], "gradebook")


def test_crmlab_is_hidden_from_the_kernel(graded):
    """Can a submission not import crmlab (to compute its answers from the course's rules at
    run time, where no static check sees it)? Test cells are judged in the grader."""
    output = _output(graded["root"], "crmlab")
    assert "CRMLAB-IMPORTED" not in output and "No module named 'crmlab" in output


def test_loopback_server_was_never_reached(graded):
    """Did the server on the grader's loopback never accept a connection from a submission?"""
    assert graded["accepted"] == 0
    assert "Connection refused" in _output(graded["root"], "network")


def test_no_process_outlives_its_submission(graded):
    """Is every process a submission started gone once grading has returned?"""
    assert _marked_processes() == []


def test_honest_submissions_graded_plainly(graded):
    assert {s: (o.status, o.score) for s, o in graded["honest"].items()} == {
        "good": ("graded", 4), "partial": ("graded", 1)}


# --- refusing to grade without the sandbox ------------------------------------------------------


@pytest.fixture
def small_course(tmp_path):
    root = _tiny_course(tmp_path / "course")
    _submit(root, "good", HONEST["good"])
    return root


def test_refuses_without_bubblewrap(small_course, capsys):
    """With no bwrap, does `crmlab autograde` refuse in one Chinese line and grade nothing?"""
    with (small_course / "nbgrader_config.py").open("a") as config:
        config.write('c.SandboxKernelManager.bwrap = "/nonexistent/bwrap"\n')
    assert main(["autograde", "ps1", "--course", str(small_course)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bubblewrap" in err and "apt-get install" in err
    assert "Traceback" not in err
    assert not (small_course / "autograded").exists()


def test_refuses_when_namespaces_fail(small_course, tmp_path, capsys):
    """When bwrap exists but cannot make its namespaces, is the refusal one Chinese line?"""
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    with (small_course / "nbgrader_config.py").open("a") as config:
        config.write(f'c.SandboxKernelManager.bwrap = "{fake}"\n')
    assert main(["autograde", "ps1", "--course", str(small_course)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "No permissions" in err and "沙箱" in err


def test_no_sandbox_grades_and_says_so_first(small_course, capsys):
    """Does --no-sandbox grade anyway, with the summary's first line saying so?"""
    with (small_course / "nbgrader_config.py").open("a") as config:
        config.write('c.SandboxKernelManager.bwrap = "/nonexistent/bwrap"\n')
    assert main(["autograde", "ps1", "--course", str(small_course), "--no-sandbox"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == NO_SANDBOX
    assert "已评分 1 份" in out[1]


# What Formgrader's autograde button runs: its app loads nbgrader_config.py from the course
# folder, then NbGraderAPI(coursedir, parent=app).autograde(...) (formgrader/base.py).
FORMGRADER = """
from nbgrader.apps import NbGraderAPI
from nbgrader.apps.baseapp import NbGrader
from nbgrader.coursedir import CourseDirectory
app = NbGrader()
app.load_config_file()
api = NbGraderAPI(CourseDirectory(parent=app), parent=app)
assert api.autograde("ps1", "writer", force=True, create=True)["success"]
"""


@pytest.mark.parametrize("launcher", ["nbgrader autograde", "Formgrader's API"])
def test_plain_nbgrader_autograde_uses_the_course_sandbox(tmp_path, launcher):
    """Do plain `nbgrader autograde` and Formgrader's autograde, in a course whose config is
    this course's, grade in the sandbox (a submission cannot write into the course or reach the
    loopback)?"""
    config = (ROOT / "nbgrader_config.py").read_text()
    root = _tiny_course(tmp_path / "course", config.replace('"crm-lab"', '"tiny"'))
    listener = _Listener()
    try:
        _submit(root, "writer", _attack(f"""
            import socket
            try:
                socket.create_connection(("127.0.0.1", {listener.port}), timeout=3)
            except OSError as error:
                print("refused:", error)
            try:
                import crmlab.rules
                print("CRMLAB-" + "IMPORTED")  # the word only in what it prints
            except ModuleNotFoundError as error:
                print("hidden:", error)
            open("{root}/pwned.txt", "w").write("pwned")
            """))
        env = environment()
        command = ([shutil.which("nbgrader", path=env["PATH"]), "autograde", "ps1"]
                   if launcher == "nbgrader autograde" else [sys.executable, "-c", FORMGRADER])
        result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    finally:
        listener.close()
    assert result.returncode == 0, result.stderr[-2000:]
    assert not (root / "pwned.txt").exists()
    assert listener.accepted == 0
    assert scores(root) == {"writer": 4}
    output = _output(root, "writer")  # crmlab is hidden from the kernel on this path too
    assert "CRMLAB-IMPORTED" not in output and "No module named 'crmlab" in output


# --- the grader is an ordinary account (the classroom hub's instructor) -------------------------


@contextlib.contextmanager
def _reachable_by_others(path: Path):
    """Let other accounts pass through the folders above ``path`` (the test environment, which
    the instructor's Python uses) while the block runs: a checkout may sit in a private folder,
    and `crmlab hub` closes the checkout itself. Each folder's mode is given back afterwards."""
    closed = [(folder, folder.stat().st_mode & 0o7777) for folder in path.resolve().parents
              if not folder.stat().st_mode & 0o001]
    try:
        for folder, mode in closed:
            folder.chmod(mode | 0o001)
        yield
    finally:
        for folder, mode in closed:
            folder.chmod(mode)


@pytest.fixture
def instructor():
    """A throw-away Unix account with a Python environment it may run (removed afterwards)."""
    if os.geteuid() != 0:
        pytest.fail("this test creates a Unix account: run the suite as root (CI does)")
    name = f"crmsbx{os.getpid() % 100000}"
    base = Path(tempfile.mkdtemp(prefix="crmlab-instructor-"))  # pytest's tmp is root-only
    base.chmod(0o755)
    home = base / "instructor"
    home.mkdir()
    subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", str(home),
                    "--shell", "/usr/sbin/nologin", name], check=True)
    try:
        # Debian's python3.11 (any account may run it) seeing this environment's packages.
        venv = home / "venv"
        subprocess.run(["/usr/bin/python3.11", "-m", "venv", "--without-pip", str(venv)], check=True)
        site = next(Path(sys.prefix).glob("lib/python3.11/site-packages"))
        (venv / "lib/python3.11/site-packages/crmlab-env.pth").write_text(
            f"import site; site.addsitedir({str(site)!r})\n")
        (venv / "bin/alembic").write_text(f"#!{venv}/bin/python\nfrom alembic.config import main\nmain()\n")
        (venv / "bin/alembic").chmod(0o755)
        shutil.chown(home, name)
        home.chmod(0o700)
        with _reachable_by_others(Path(sys.prefix)):
            yield name, home, venv / "bin/python"
    finally:
        uid = pwd.getpwnam(name).pw_uid
        for entry in filter(str.isdigit, os.listdir("/proc")):  # this account's processes only
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    os.kill(int(entry), 9)
        subprocess.run(["userdel", name], check=True)
        shutil.rmtree(base, ignore_errors=True)


def test_ordinary_account_grades_in_the_same_walls(instructor):
    """Graded by a non-root instructor, can a submission still not read a classmate or the
    instructor's home, write into the course, or reach the loopback; is the process limit on?"""
    name, home, python = instructor
    root = _tiny_course(home / "course")
    _submit(root, "good", HONEST["good"])
    (home / "secret.txt").write_text("instructor's secret")
    listener = _Listener()
    try:
        _submit(root, "sneak", _attack(f"""
            import socket, subprocess
            for path in ["{root}/submitted/good/ps1/ps1.ipynb", "{home}/secret.txt"]:
                try:
                    print("READ-OK", open(path).read()[:20])
                except OSError as error:
                    print("refused:", type(error).__name__)
            try:
                open("{root}/pwned.txt", "w").write("pwned")
            except OSError as error:
                print("refused:", type(error).__name__)
            try:
                socket.create_connection(("127.0.0.1", {listener.port}), timeout=3)
            except OSError as error:
                print("refused:", error)
            children = [subprocess.Popen(["sleep", "{MARK}4"]) for _ in range(500)]
            """))
        for path in [home, *home.rglob("*")]:
            shutil.chown(path, name)
        result = subprocess.run(["runuser", "-u", name, "--", str(python), "-m", "crmlab.commands.cli",
                                 "autograde", "ps1", "--course", str(root), "--jobs", "2"],
                                capture_output=True, text=True, cwd=home,
                                env={"PATH": os.environ["PATH"], "LANG": "C.UTF-8"})
    finally:
        listener.close()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "已评分 1 份，需查看 1 份" in result.stdout, result.stdout
    assert "进程数超限" in result.stdout and "试图访问网络" in result.stdout
    assert "Ctrl-C" not in result.stdout  # no kernel banner on the instructor's terminal
    printed = _printed(root, "sneak")
    assert "READ-OK" not in printed and printed.count("refused:") == 4, printed
    assert not (root / "pwned.txt").exists()
    assert listener.accepted == 0
    assert scores(root) == {"good": 4, "sneak": 4}
    assert _marked_processes() == []


# --- same scores as plain nbgrader ---------------------------------------------------------------


def test_same_scores_as_plain_serial_nbgrader_on_all_five_assignments(tmp_path):
    """On ordinary submissions (model answers, some parts undone) of each of the course's five
    assignments, does sandboxed `crmlab autograde` give exactly the scores of plain serial
    `nbgrader autograde` run without the sandbox?"""
    from benchmarks.autograde_parallel import build_course
    from crmlab.course.assignments import load_assignments
    from crmlab.grading.autograde import autograde_many

    ids = sorted(load_assignments(ROOT))
    assert len(ids) == 5
    sandboxed = build_course(tmp_path, ids, students=3)
    plain = tmp_path / "plain"
    shutil.copytree(sandboxed, plain)
    outcomes = autograde_many(sandboxed, ids, jobs=2, progress=False)
    for assignment in ids:
        nbgrader("autograde", assignment, "--SandboxKernelManager.enabled=False", cwd=plain)
    for assignment in ids:
        assert {o.student: o.status for o in outcomes[assignment]} == dict.fromkeys(
            ["s000", "s001", "s002"], "graded"), outcomes[assignment]
        expected = scores(plain, assignment)
        assert scores(sandboxed, assignment) == expected
        assert expected["s000"] > expected["s001"]  # model answers beat the partial ones


# --- memory per submission (a cgroup when the grader is root) ------------------------------------

CGROUPS = Path("/sys/fs/cgroup/memory/crmlab-grading")
# Six processes of 300 MiB each: every one under the 768 MiB per-process limit, together 1.8 GiB.
HOGS = """
    import subprocess, sys
    hog = "import time; b = bytearray(300 * 2 ** 20); b[::4096] = b'x' * len(b[::4096]); time.sleep(2)"
    children = [subprocess.Popen([sys.executable, "-c", hog, "{mark}5"]) for _ in range(6)]
    print("exit codes:", [child.wait() for child in children])
    """


def _cgroups() -> set[str]:
    return {p.name for p in CGROUPS.iterdir() if p.is_dir()} if CGROUPS.is_dir() else set()


def test_memory_limit_holds_for_the_whole_submission(tmp_path):
    """Graded by root, do processes that each stay under the per-process limit but together go
    far past the submission's limit get killed (flagged 内存超限, score kept), while the next
    submission is graded plainly, and is each kernel's cgroup made and removed afterwards?"""
    if os.geteuid() != 0:
        pytest.fail("the memory cgroup needs a root grader: run the suite as root (CI does)")
    config = CONFIG + ("c.Execute.timeout = 30\n"
                       "c.SandboxKernelManager.memory_limit = 768 * 1024 ** 2\n")
    root = _tiny_course(tmp_path / "course", config)
    _submit(root, "hogs", _attack(HOGS.format(mark=MARK)))
    _submit(root, "good", HONEST["good"])
    before, seen, done = _cgroups(), set(), threading.Event()

    def watch():
        while not done.wait(0.05):
            seen.update(_cgroups())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        outcomes = {o.student: o for o in autograde(root, "ps1", jobs=1, progress=False,
                                                     students=["hogs", "good"])}
    finally:
        done.set()
        watcher.join()
        for line in _marked_processes():
            os.kill(int(line.split(":")[0]), 9)
    hogs, good = outcomes["hogs"], outcomes["good"]
    assert hogs.status == "flagged" and any("内存超限" in r and "进程被结束" in r
                                            for r in hogs.reasons), hogs.reasons
    assert hogs.score == 4, (hogs.reasons, _output(root, "hogs")[-3000:])
    assert "-9" in _output(root, "hogs")  # the cgroup killed some of the six
    assert (good.status, good.score, good.reasons) == ("graded", 4, [])
    assert len(seen - before) >= 2  # one cgroup per kernel ...
    assert _cgroups() - before == set()  # ... and none left behind
    assert _marked_processes() == []


# --- limits on a whole submission, not one cell ----------------------------------------------------

LIMITED_CONFIG = CONFIG + ("c.SandboxedExecute.submission_timeout = 40\n"
                           "c.SandboxedExecute.max_output_bytes = 1024 ** 2\n")
SLEEPS = 1000  # cells of sleep(29) between the two tests: 8 hours without a total limit


def _with_cells(root: Path, student: str, after: int, sources: list[str]) -> None:
    """Put ``sources`` as new code cells into a submission, after cell ``after``."""
    path = root / "submitted" / student / "ps1" / "ps1.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[after + 1:after + 1] = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(notebook, path)


LIMITED = {  # student → (answer code, expected status, a word the reasons must contain, score)
    # 500 MB printed: the grader keeps 1 MB of it (and the per-cell time limit stops the rest).
    "printer": ("for _ in range(500):\n    print('x' * 2 ** 20)", "flagged", "输出超限", 4),
    # The 3 points of test_double are earned before the sleeping starts; test_zero never runs.
    "sleeper": ("", "flagged", "总时间超限", 3),
    # The kernel fills the folder its sockets are in: a small tmpfs of the sandbox's own.
    "ipcflood": ("""
        import json, os, sys
        connection = json.load(open(sys.argv[sys.argv.index("-f") + 1]))
        folder = os.path.dirname(connection["ip"])  # where the kernel's sockets are
        written = 0
        try:
            for n in range(200):  # 12.5 MB at most, should a regression let it all in
                with open(os.path.join(folder, "flood%d" % n), "wb") as out:
                    out.write(b"0" * 65536)
                written += 1
        except OSError as error:
            print("stopped:", error)
        print("files written:", written)
        """, "flagged", "空间超限", 4),
    # A real fork bomb: every child forks again until the sandbox's process limit says no.
    "forkbomb": ("""
        import os, time
        if os.fork() == 0:
            while True:
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.2)
        time.sleep(2)
        os.fork()
        """, "flagged", "进程数超限", 4),
}


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """A course with small per-submission limits, graded: honest students first (one with a
    hand-entered mark), then the hostile ones, all in one run."""
    root = _tiny_course(tmp_path_factory.mktemp("limited") / "course", LIMITED_CONFIG)
    for student, answer in HONEST.items():
        _submit(root, student, answer)
    autograde(root, "ps1", jobs=2, progress=False)
    _mark_by_hand(root, "good", 2)
    for student, (code, _, _, _) in LIMITED.items():
        _submit(root, student, _attack(code))
    _with_cells(root, "sleeper", 2, ["import time\ntime.sleep(29)"] * SLEEPS)
    before = scores(root)
    outcomes = {o.student: o for o in autograde(root, "ps1", jobs=2, progress=False)}
    yield {"root": root, "outcomes": outcomes, "before": before, "after": scores(root)}
    for line in _marked_processes():
        os.kill(int(line.split(":")[0]), 9)


def _mark_by_hand(root: Path, student: str, points: float) -> None:
    """What a teacher does in Formgrader: a manual score for the written answer."""
    from nbgrader.api import Gradebook

    from crmlab.grading.autograde import db_url

    with Gradebook(db_url(root)) as gradebook:
        grade = gradebook.find_grade("written", "ps1", "ps1", student)
        grade.manual_score = points
        gradebook.db.commit()


@pytest.mark.parametrize("student", sorted(LIMITED))
def test_submission_limits_stop_flag_and_keep_earned_points(limited, student):
    """Is each submission that reaches a limit of its own stopped, flagged with the reason, and
    left with exactly the points it earned before?"""
    _, status, word, score = LIMITED[student]
    outcome = limited["outcomes"][student]
    assert outcome.status == status, outcome.reasons
    assert any(word in reason for reason in outcome.reasons), outcome.reasons
    assert outcome.score == score, (outcome.reasons, _output(limited["root"], student)[-2000:])


def test_kept_output_and_time_are_bounded(limited):
    """Did the grader keep about the output limit of 500 MB printed (not pile it up), and did
    1,000 cells of sleep(29) take the total limit, not hours?"""
    root = limited["root"]
    printed = root / "autograded" / "printer" / "ps1" / "ps1.ipynb"
    assert printed.stat().st_size < 3 * 1024 ** 2
    assert "输出总量超过了上限" in _output(root, "printer")
    sleeper = nbformat.read(root / "autograded" / "sleeper" / "ps1" / "ps1.ipynb", as_version=4)
    skipped = [c for c in sleeper.cells if any(o.get("ename") == "SubmissionTimeLimit"
                                               for o in c.get("outputs", []))]
    assert len(skipped) > SLEEPS - 20  # at most 40 s / 4 s of the sleeping cells ran
    assert limited["outcomes"]["sleeper"].seconds < 300


def test_ipc_flood_stays_in_the_sandbox(limited):
    """Did the files written next to the kernel's sockets land in a small space of the
    sandbox's own (a few MB at most), never in the grader's /tmp?"""
    output = _output(limited["root"], "ipcflood")
    written = int(output.split("files written: ")[1].split("\\")[0])
    assert "No space left on device" in output and written * 65536 <= 8 * 1024 ** 2
    assert not list(Path(tempfile.gettempdir()).glob("crmlab-sandbox-*/*/flood*"))


def test_limits_leave_every_other_grade_and_manual_mark_alone(limited):
    """Are the honest students' scores, the hand-entered mark included, untouched?"""
    assert limited["before"] == {"good": 6, "partial": 1}
    assert {s: limited["after"][s] for s in HONEST} == limited["before"]
    assert {s: limited["outcomes"][s].status for s in HONEST} == {"good": "graded", "partial": "graded"}


# --- a kernel that cannot import what the tests import ---------------------------------------------


@pytest.mark.parametrize("launcher", ["crmlab autograde", "nbgrader autograde"])
def test_a_kernel_that_cannot_start_stops_grading_in_one_line(tmp_path, launcher):
    """When the kernel grading would start cannot run (here the python3 kernel spec names
    Debian's Python, which has no ipykernel: a kernel spec left from another installation),
    does grading stop before anyone is graded, with one Chinese line and no traceback, instead
    of failing or zeroing every student?"""
    config = (ROOT / "nbgrader_config.py").read_text()
    root = _tiny_course(tmp_path / "course", config.replace('"crm-lab"', '"tiny"'))
    _submit(root, "good", HONEST["good"])
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["/usr/bin/python3.11", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python"}))
    env = environment(JUPYTER_PATH=str(tmp_path / "jupyter"))
    command = ([sys.executable, "-m", "crmlab.commands.cli", "autograde", "ps1", "--course", str(root)]
               if launcher == "crmlab autograde"
               else [shutil.which("nbgrader", path=env["PATH"]), "autograde", "ps1"])
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    mine = [line for line in result.stderr.splitlines() if "无法启动或无法导入所需的模块" in line]
    assert len(mine) == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    if launcher == "crmlab autograde":
        assert result.stderr.strip() == mine[0]
    assert not list(root.glob("autograded/*/ps1/*.ipynb"))
    assert scores(root) == {}


# --- every way of grading gives the same score, in a course folder elsewhere -----------------------


def test_a_course_elsewhere_gets_the_same_score_every_way(tmp_path):
    """In a copy of the course outside the checkout (as a teacher keeps one per term), with
    this editable install, do `crmlab autograde` and plain `nbgrader autograde` (both in the
    sandbox) give hw03's model answers the same full score, their hidden tests importing
    crmlab inside the sandbox?"""
    from benchmarks.autograde_parallel import build_course

    assignment = "hw03_customer_grading"
    crmlab_way = build_course(tmp_path, [assignment], students=1)
    assert ROOT not in crmlab_way.parents and crmlab_way not in ROOT.parents
    nbgrader_way = tmp_path / "nbgrader-way"
    shutil.copytree(crmlab_way, nbgrader_way)
    [outcome] = autograde(crmlab_way, assignment, jobs=1, progress=False)
    env = environment()
    result = subprocess.run([shutil.which("nbgrader", path=env["PATH"]), "autograde", assignment],
                            cwd=nbgrader_way, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (outcome.status, outcome.score) == ("graded", 35), outcome.reasons  # all 35 autograded points
    assert scores(nbgrader_way, assignment) == scores(crmlab_way, assignment) == {"s000": 35}
    graded = nbgrader_way / "autograded" / "s000" / assignment / f"{assignment}.ipynb"
    assert "ModuleNotFoundError" not in graded.read_text(encoding="utf-8")
