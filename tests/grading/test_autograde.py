"""`crmlab autograde` on an independent little nbgrader course full of hostile submissions:
every submission is graded or flagged with a reason, scores equal serial `nbgrader autograde`,
and a second run gives the same result."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from pathlib import Path

import nbformat
import pytest

from crmlab.commands.cli import main
from crmlab.grading.autograde import autograde, db_url
from crmlab.grading.environment import nbgrader
from tests.support.tiny import CONFIG, scores, source_notebook

pytestmark = pytest.mark.slow

def _answer(code: str):
    def change(notebook):
        notebook.cells[1].source = code
    return change


def _delete_test(notebook):
    del notebook.cells[2]


def _edit_points(notebook):
    notebook.cells[2].metadata["nbgrader"]["points"] = 100


def _edit_test(notebook):
    notebook.cells[2].source = "pass"


SUBMISSIONS = {
    "good": _answer("def double(x):\n    return x + x"),
    "partial": _answer("def double(x):\n    return 2 if x == 1 else x"),
    "empty": None,
    "loop": _answer("def double(x):\n    while True:\n        pass"),
    "crash": _answer("import os\nos._exit(1)"),
    "syntax": _answer("def double(x) return 2 * x"),
    "deleted": _delete_test,
    "points": _edit_points,
    "edited": _edit_test,
    "flood": _answer("for i in range(3000):\n    print('刷屏' * 20, i)\ndef double(x):\n    return 2 * x"),
    "wiper": _answer("import os\nfor name in os.listdir('.'):\n    os.remove(name) if os.path.isfile(name) else None\n"
                     "def double(x):\n    return 2 * x"),
}
EXPECTED = {  # student → (status, a word the reason must contain, score)
    "good": ("graded", None, 4), "partial": ("graded", None, 1), "empty": ("graded", None, 0),
    "syntax": ("graded", None, 0), "wiper": ("graded", None, 4),
    "loop": ("flagged", "时间限制", 0), "flood": ("flagged", "截断", 4),
    "deleted": ("flagged", "删除了测试单元格", 4), "points": ("flagged", "分值", 4),
    "edited": ("flagged", "改动了测试单元格", 4),
    "crash": ("failed", "内核", None), "badjson": ("failed", "JSON", None),
    "missing": ("failed", "缺少作业文件", None),
    "nested": ("failed", "嵌套", None),  # 200 KB of nested JSON: refused, not a RecursionError
}
NESTED = '{"cells": [], "metadata": {"x": ' + "[" * 100_000 + "]" * 100_000 + '}, "nbformat": 4}'



@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny") / "course"
    (root / "source" / "ps1").mkdir(parents=True)
    # Each load of the configuration leaves a line in config-loads.txt beside the course.
    loads = root.parent / "config-loads.txt"
    (root / "nbgrader_config.py").write_text(
        CONFIG + f"open({str(loads)!r}, 'a').write('load\\n')\n", encoding="utf-8")
    nbformat.write(source_notebook(), root / "source" / "ps1" / "ps1.ipynb")
    nbgrader("generate_assignment", "ps1", cwd=root)
    released = root / "release" / "ps1" / "ps1.ipynb"
    for student in EXPECTED:
        folder = root / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text("2026-01-05 10:00:00.000000 UTC")
        if student == "badjson":
            (folder / "ps1.ipynb").write_text('{"cells": [', encoding="utf-8")
        elif student == "nested":
            (folder / "ps1.ipynb").write_text(NESTED, encoding="utf-8")
        elif student != "missing":
            notebook = nbformat.read(released, as_version=4)
            change = SUBMISSIONS[student]
            if student in ("deleted", "points", "edited", "good"):
                notebook.cells[1].source = "def double(x):\n    return 2 * x"
            if change is not None:
                change(notebook)
            nbformat.write(notebook, folder / "ps1.ipynb")
    return root


@pytest.fixture(scope="module")
def serial_scores(course, tmp_path_factory) -> dict[str, float]:
    """The same submissions graded by plain, serial `nbgrader autograde` in a copy."""
    copy = tmp_path_factory.mktemp("serial") / "course"
    shutil.copytree(course, copy)
    for unreadable in ("badjson", "nested"):  # nbgrader cannot read them
        (copy / "submitted" / unreadable).rename(copy / f"{unreadable}-aside")
    # nbgrader exits 1 when any student failed (the crashing kernel); the rest is graded.
    with contextlib.suppress(ValueError):
        nbgrader("autograde", "ps1", cwd=copy)
    return scores(copy)


@pytest.fixture(scope="module")
def run(course) -> tuple[dict, int]:
    """The submissions graded over two workers, and how often the config was loaded for it."""
    loads = course.parent / "config-loads.txt"
    loads.unlink(missing_ok=True)
    graded = {o.student: o for o in autograde(course, "ps1", jobs=2, progress=False)}
    return graded, len(loads.read_text().splitlines())


@pytest.fixture(scope="module")
def outcomes(run):
    return run[0]


def test_the_course_config_is_loaded_once_per_run(run):
    """nbgrader_config.py runs once for a whole `crmlab autograde` run (two workers included):
    each load imports crmlab and parses every assignment's YAML."""
    assert run[1] == 1


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_submission_is_graded_or_flagged_with_a_reason(outcomes, student):
    """Does every submission end as expected, with a reason whenever it is not plainly graded?"""
    status, word, score = EXPECTED[student]
    outcome = outcomes[student]
    assert outcome.status == status, outcome.reasons
    if word:
        assert any(word in reason for reason in outcome.reasons), outcome.reasons
    else:
        assert outcome.reasons == []
    assert outcome.score == score


def test_scores_equal_serial_nbgrader(outcomes, serial_scores):
    """Are the parallel scores identical to those of a serial `nbgrader autograde`?"""
    parallel = {s: o.score for s, o in outcomes.items() if o.status != "failed"}
    assert parallel == {s: v for s, v in serial_scores.items() if s in parallel}
    assert set(parallel) <= set(serial_scores)


def test_gradebook_lost_no_write(course, outcomes):
    """Does the gradebook hold one submission for every graded student, none for failed ones?"""
    graded = {s for s, o in outcomes.items() if o.status != "failed"}
    assert set(scores(course)) == graded


def test_rerun_is_safe_and_identical(course, outcomes, capsys):
    """Does running `crmlab autograde` again give the same scores and statuses?"""
    assert main(["autograde", "ps1", "--course", str(course), "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert "已评分 5 份，需查看 5 份，未能评分 4 份" in out
    again = {o.student: (o.status, o.score) for o in autograde(course, "ps1", jobs=1,
                                                                 progress=False)}
    assert again == {s: (o.status, o.score) for s, o in outcomes.items()}


def test_not_a_course_directory(tmp_path, capsys):
    """Does a folder without nbgrader_config.py give a clear Chinese error and exit 1?"""
    assert main(["autograde", "ps1", "--course", str(tmp_path)]) == 1
    assert "不是 nbgrader 课程目录" in capsys.readouterr().err


def test_gradebook_is_the_one_the_course_config_names(tmp_path):
    """A large course's PostgreSQL gradebook (set in its nbgrader_config.py) is the one used;
    without one, gradebook.db in the course folder, with a busy timeout for parallel writers."""
    assert db_url(tmp_path) == f"sqlite:///{tmp_path.resolve() / 'gradebook.db'}?timeout=300"
    (tmp_path / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.db_url = "postgresql://grader@db/crm"\n')
    assert db_url(tmp_path) == "postgresql://grader@db/crm"


# --- a submission that kills its worker ----------------------------------------------------------

KILL_MARK = "424242"  # in the command line of the process the worker-killing submission starts


def _kill_workers_of(mark: str, done: threading.Event, killed: list[int]) -> None:
    """What the system's OOM killer does to a grader that a submission ran out of memory: kill
    (SIGKILL) the worker process grading the submission that started a process with ``mark``."""
    me = os.getpid()
    while not done.wait(0.05):
        for entry in filter(str.isdigit, os.listdir("/proc")):
            with contextlib.suppress(OSError, ValueError):
                if mark not in Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace"):
                    continue
                pid = int(entry)
                while (parent := int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])) != me:
                    pid = parent
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)


def test_a_dead_worker_deletes_no_other_grade_or_manual_mark(tmp_path):
    """When a submission's worker is killed mid-run, are the students whose jobs were pending
    graded again (serially, in fresh workers) instead of dropped, is a hand-entered mark of an
    unrelated student kept, and is only the killer reported as not graded?"""
    from nbgrader.api import Gradebook

    root = tmp_path / "course"
    (root / "source" / "ps1").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    nbformat.write(source_notebook(), root / "source" / "ps1" / "ps1.ipynb")
    nbgrader("generate_assignment", "ps1", cwd=root)
    honest = [f"s{n}" for n in range(4)]
    for student in ["a-killer", *honest]:
        folder = root / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        notebook = nbformat.read(root / "release" / "ps1" / "ps1.ipynb", as_version=4)
        notebook.cells[1].source = "def double(x):\n    return 2 * x"
        if student == "a-killer":
            notebook.cells[1].source += (f"\nimport subprocess, time\nsubprocess.Popen(['sleep', '{KILL_MARK}'])"
                                         "\ntime.sleep(3)")
        nbformat.write(notebook, folder / "ps1.ipynb")
    assert {o.student: o.status for o in autograde(root, "ps1", jobs=2, progress=False,
                                                   students=honest)} == dict.fromkeys(honest, "graded")
    with Gradebook(db_url(root)) as gradebook:  # the teacher marks s3's written answer by hand
        gradebook.find_grade("written", "ps1", "ps1", "s3").manual_score = 2
        gradebook.db.commit()
    done, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_workers_of, args=(KILL_MARK, done, killed), daemon=True)
    killer.start()
    try:
        outcomes = {o.student: o for o in autograde(root, "ps1", jobs=2, progress=False)}
    finally:
        done.set()
        killer.join()
    assert len(killed) == 2  # in the shared pool, then again when graded alone
    assert outcomes["a-killer"].status == "failed"
    assert any("评分进程意外退出" in r for r in outcomes["a-killer"].reasons)
    assert {s: (outcomes[s].status, outcomes[s].score) for s in honest} == {
        "s0": ("graded", 4), "s1": ("graded", 4), "s2": ("graded", 4), "s3": ("graded", 6)}
    assert scores(root) == {"s0": 4, "s1": 4, "s2": 4, "s3": 6}
