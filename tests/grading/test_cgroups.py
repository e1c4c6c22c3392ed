"""Control groups, the one helper the sandbox and the hub's spawner share: real groups on this
machine's hierarchy (as root), made with their limits, entered, emptied and removed; the
cgroup v2 layout is checked on a folder laid out as the kernel's."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crmlab.grading import cgroups
from crmlab.grading.cgroups import Limits

HOG = "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); print('survived')"


@pytest.fixture
def parent():
    """A parent group name of this test's own, whose folders are removed afterwards."""
    if os.geteuid() != 0 or cgroups.version() is None:
        pytest.fail("real control groups need root and a cgroup hierarchy: run the suite as root")
    name = f"crmlab-test-{secrets.token_hex(3)}"
    yield name
    for folder in [cgroups.ROOT / name, *(cgroups.ROOT / c / name for c in ("memory", "cpu", "pids"))]:
        if folder.is_dir():
            for child in folder.iterdir():
                if child.is_dir():
                    cgroups.Cgroup({"x": child}).remove()
            folder.rmdir()


def test_a_group_is_made_with_its_limits_entered_and_removed_with_its_processes(parent):
    group = cgroups.create(f"{parent}/k1", ("memory", "pids"),
                           Limits(memory=256 * 2**20, processes=20))
    assert group
    memory = group.folders.get("memory", group.folders.get("unified"))
    limit = "memory.limit_in_bytes" if "memory" in group.folders else "memory.max"
    assert int((memory / limit).read_text()) == 256 * 2**20
    sleeper = subprocess.Popen(group.enter_command() + ["sleep", "60"])
    try:
        for _ in range(50):
            if sleeper.pid in group.pids():
                break
            time.sleep(0.1)
        assert sleeper.pid in group.pids()
        folders = list(group.folders.values())
        assert group.remove() == []
        assert sleeper.wait(timeout=10) == -9
        assert not any(folder.exists() for folder in folders)
        assert not group
    finally:
        sleeper.kill()


def test_memory_over_the_limit_is_killed_and_counted(parent):
    group = cgroups.create(f"{parent}/hog", ("memory",), Limits(memory=64 * 2**20, no_swap=True))
    assert group and group.out_of_memory_kills() == 0
    done = subprocess.run(group.enter_command() + [sys.executable, "-c", HOG],
                          capture_output=True, text=True)
    assert done.returncode == -9 and "survived" not in done.stdout
    assert group.out_of_memory_kills() >= 1
    assert group.remove() == []


def test_a_group_made_again_takes_new_limits_above_its_old_ones(parent):
    """A hub restarted with a larger --mem-limit finds the group an earlier hub left with a
    smaller one: v1 refuses a memory limit above the old memory-plus-swap limit unless the
    latter is lifted first (the class's servers did not start: 「cgroup 不可写」)."""
    small = cgroups.create(f"{parent}/server", ("memory",), Limits(memory=64 * 2**20, no_swap=True))
    assert small
    large = cgroups.create(f"{parent}/server", ("memory",), Limits(memory=512 * 2**20, no_swap=True))
    assert large, "the larger limits were refused on the existing group"
    folder = large.folders.get("memory", large.folders.get("unified"))
    names = ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes") if "memory" in large.folders \
        else ("memory.max",)
    for name in names:
        if (folder / name).exists():
            assert int((folder / name).read_text()) == 512 * 2**20, name
    assert large.remove() == []


def test_a_process_added_by_pid_and_a_group_found_again_by_name(parent):
    group = cgroups.create(f"{parent}/server", ("memory", "cpu"), Limits(cpu=0.5),
                           required=("memory", "cpu"))
    assert group
    if "cpu" in group.folders:
        assert (group.folders["cpu"] / "cpu.cfs_quota_us").read_text().strip() == "50000"
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        group.add(sleeper.pid)
        assert sleeper.pid in group.pids()
        assert group.memory_used() is not None
        again = cgroups.existing(f"{parent}/server", ("memory", "cpu"))
        assert again.folders == group.folders
        assert again.remove() == [] and sleeper.wait(timeout=10) == -9
        assert cgroups.existing(f"{parent}/server", ("memory", "cpu")).folders == {}
    finally:
        sleeper.kill()


def test_nothing_is_made_where_no_hierarchy_can_take_the_group(tmp_path):
    assert cgroups.version(tmp_path) is None
    assert cgroups.create("crmlab-grading/k", ("memory",), Limits(memory=2**30), root=tmp_path) is None
    # v1 with the memory controller's place taken: the required controller fails, nothing stays.
    (tmp_path / "memory").mkdir()
    (tmp_path / "pids" / "crmlab-grading").mkdir(parents=True)
    (tmp_path / "memory" / "crmlab-grading").write_text("not a folder")
    assert cgroups.create("crmlab-grading/k", ("pids", "memory"), Limits(memory=2**30),
                          root=tmp_path) is None
    assert not (tmp_path / "pids" / "crmlab-grading" / "k").exists()


def test_cgroup_v2_enables_the_controllers_down_the_tree_and_writes_the_limits(tmp_path):
    """On a unified hierarchy (laid out here as the kernel shows it): the controllers are
    handed down from the root to the group's parent, and the limits are v2's files."""
    (tmp_path / "cgroup.controllers").write_text("cpu memory pids\n")
    assert cgroups.version(tmp_path) == 2
    group = cgroups.create("crmlab-hub/jupyter-s01", ("memory", "cpu"),
                           Limits(memory=2**30, cpu=1.5, no_swap=True), root=tmp_path)
    folder = tmp_path / "crmlab-hub" / "jupyter-s01"
    assert group.folders == {"unified": folder}
    for level in (tmp_path, tmp_path / "crmlab-hub"):
        assert (level / "cgroup.subtree_control").read_text() == "+memory +cpu"
    assert not (folder / "cgroup.subtree_control").exists()
    written = {p.name: p.read_text() for p in folder.iterdir()}
    assert written == {"memory.max": str(2**30), "memory.swap.max": "0", "cpu.max": "150000 100000"}
    assert cgroups.existing("crmlab-hub/jupyter-s01", ("memory", "cpu"), root=tmp_path).folders \
        == {"unified": folder}
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n")
    assert group.out_of_memory_kills() == 2


def test_the_sandbox_and_the_spawner_use_the_one_helper():
    """No second kill-and-remove loop or cgroup file name outside crmlab/grading/cgroups.py."""
    package = Path(cgroups.__file__).resolve().parents[1]
    others = [p for p in package.rglob("*.py") if p.name != "cgroups.py"]
    for name in ("cgroup.procs", "memory.limit_in_bytes", "memory.max", "cfs_quota_us", "pids.max",
                 "subtree_control", "oom_kill"):
        assert [p.name for p in others if name in p.read_text(encoding="utf-8")] == [], name
