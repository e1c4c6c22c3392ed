"""The exchange of a real `crmlab hub` (benchmarks/harness.py): students and a teacher as their own
Unix accounts, nbgrader from the servers' environment, the settings the hub writes.

One short scenario: a classmate plants 2099 submissions under another student's id and under the
ids `..` and `=1+1`, and links to the gradebook, source/, /proc/self/environ and /dev/zero and a
FIFO in their own; the teacher's `nbgrader collect` (not root) keeps the real one, refuses the
unsafe ids and brings nothing of the course in. The detailed cases are in tests/grading/test_exchange.py. Slow
(it starts a hub); run it under `flock /tmp/crmlab-hub-tests.lock`.
"""

from __future__ import annotations

import grp
import stat

import pytest

from benchmarks.harness import Hub, as_account, unique_prefix, write_roster
from crmlab.commands.hub.roster import unix_name

HW = "hw01_crm_concepts"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    prefix = unique_prefix()
    rows = [(f"{prefix}t1", "王老师", "教师"), (f"{prefix}s1", "李雷", "学生"),
            (f"{prefix}s2", "韩梅梅", "学生")]
    roster = write_roster(tmp_path_factory.mktemp("hub-exchange") / "名单.csv", rows)
    server = Hub(roster)
    server.people = {row[0][len(prefix):]: row[0] for row in rows}
    try:
        yield server
    finally:
        server.cleanup()


def _run(hub, who: str, command: str, cwd: str = "~"):
    return as_account(hub.people[who], command, hub.root, cwd=cwd)


@pytest.mark.slow
def test_a_planted_submission_and_a_link_change_nothing_on_the_hub(hub):
    course, exchange = hub.root / "course", hub.root / "exchange" / "crm-lab"
    teachers = grp.getgrnam(hub.group).gr_gid
    for name, mode in (("inbound", 0o3773), ("outbound", 0o2775), ("feedback", 0o2771)):
        status = (exchange / name).stat()
        assert (stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid) == (mode, 0, teachers)
    shared = "--CourseDirectory.groupshared=True"  # as the instructors' servers set it
    done = _run(hub, "t1", f"nbgrader release_assignment {HW} {shared}", cwd=str(course))
    assert done.returncode == 0, done.stdout + done.stderr
    s1, s2 = unix_name(hub.people["s1"]), unix_name(hub.people["s2"])
    for who in ("s1", "s2"):
        assert _run(hub, who, f"nbgrader fetch_assignment {HW}").returncode == 0
    work = f"crm-lab/{HW}/{HW}.ipynb"
    assert _run(hub, "s2", f"sed -i 's/在这里写下你的回答。/S2-REAL/' {work} && "
                           f"nbgrader submit {HW}").returncode == 0
    refused = _run(hub, "s1", f"nbgrader submit {HW} --student={s2}")
    assert refused.returncode != 0 and "只能以自己的账户" in refused.stdout + refused.stderr
    for planted_id in (s2, "..", "=1+1"):
        planted = exchange / "inbound" / f"{planted_id}+{HW}+2099-01-01 00:00:00.000000 UTC"
        done = _run(hub, "s1", f"mkdir '{planted}' && echo '{{}}' > '{planted}/{HW}.ipynb' && "
                               f"echo '2099-01-01 00:00:00.000000 UTC' > '{planted}/timestamp.txt'")
        assert done.returncode == 0, done.stdout + done.stderr
    # s1's own submission, made by hand (nbgrader's submit would not copy a link or a FIFO)
    own = exchange / "inbound" / f"{s1}+{HW}+2026-01-01 00:00:00.000000 UTC"
    links = {"gradebook.db": course / "gradebook.db", "source": course / "source",
             "environ.txt": "/proc/self/environ", "zero.ipynb": "/dev/zero"}
    done = _run(hub, "s1", f"mkdir '{own}' && cp {work} '{own}/' && mkfifo '{own}/pipe.ipynb' && "
                + " && ".join(f"ln -s {target} '{own}/{name}'" for name, target in links.items()))
    assert done.returncode == 0, done.stdout + done.stderr

    collected = _run(hub, "t1", f"nbgrader collect {HW} {shared}", cwd=str(course))
    out = collected.stdout + collected.stderr
    assert collected.returncode == 0, out
    assert f"不是学号「{s2}」本人的账户" in out and "无法从文件夹确认" not in out
    assert "S2-REAL" in (course / "submitted" / s2 / HW / f"{HW}.ipynb").read_text(encoding="utf-8")
    mine = course / "submitted" / s1 / HW
    assert f"{HW}.ipynb" in {p.name for p in mine.iterdir()} <= {
        f"{HW}.ipynb", "submission_secret.txt", "timestamp.txt"}
    assert "2099" not in (course / "submitted" / s2 / HW / "timestamp.txt").read_text()
    for name in links:
        assert f"「{name}」是符号链接" in out, name
    assert "「pipe.ipynb」是管道（FIFO）" in out
    assert not any(secret in p.read_bytes() for p in mine.rglob("*") if p.is_file()
                   for secret in (b"SQLite format 3", b"JUPYTERHUB", b"PATH="))
    for planted_id in ("..", "=1+1"):
        assert f"拒收「{planted_id}+{HW}+" in out
    assert "不是合法的学号" in out
    assert not (course / HW).exists()  # `..` would have written course/<assignment>/
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted([s1, s2])
