"""nbgrader run with this environment's commands first on PATH, from any shell."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crmlab.grading.environment import environment, environment_path, nbgrader, use_environment
from crmlab.rules.checks import CourseInputError

BIN = str(Path(sys.executable).parent)


def test_bin_first_and_only_once():
    """Is this environment's bin/ put first, without piling up when called again?"""
    bare = os.pathsep.join(["/usr/bin", "/bin"])
    once = environment_path(bare)
    assert once.split(os.pathsep) == [BIN, "/usr/bin", "/bin"]
    assert environment_path(once) == once
    assert environment_path(os.pathsep.join(["/bin", BIN])).split(os.pathsep) == [BIN, "/bin"]


def test_use_environment_is_idempotent(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin")
    use_environment()
    use_environment()
    assert os.environ["PATH"].split(os.pathsep) == [BIN, "/usr/bin"]


def test_child_environment_finds_alembic_without_activation():
    """From a shell whose PATH lacks the environment (a cron job, a hub service), does a child
    given environment() find the environment's own alembic, which nbgrader runs by name?"""
    env = environment({"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root")},
                      LANG="C.UTF-8")
    assert env["LANG"] == "C.UTF-8"
    found = subprocess.run(["sh", "-c", "command -v alembic"], env=env, capture_output=True, text=True)
    assert found.stdout.strip() == str(Path(BIN) / "alembic")


@pytest.mark.slow  # starts processes (nbgrader, crmlab, a kernel)
def test_a_failing_nbgrader_command_says_so_in_chinese(tmp_path):
    with pytest.raises(CourseInputError, match="nbgrader generate_assignment 没有这份作业 失败（退出码"):
        nbgrader("generate_assignment", "没有这份作业", cwd=tmp_path)
