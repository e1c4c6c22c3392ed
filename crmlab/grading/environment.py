"""nbgrader as this course runs it: this Python environment's commands first on PATH (the
configuration its commands load is :func:`crmlab.course.facts.load_nbgrader_config`).

nbgrader starts commands of its environment by name (``alembic`` when it creates a gradebook;
kernels, ``jupyter``), so they must be found even when the environment is not activated: a
venv's Python called by its full path, ``make``, a hub service, a test. Every place that runs
nbgrader, as a command or in this process, goes through here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crmlab.rules.checks import CourseInputError


def environment_path(path: str | None = None) -> str:
    """``path`` (default: this process's PATH) with this environment's bin/ first, once."""
    bin_dir = str(Path(sys.executable).parent)
    rest = [p for p in (os.environ.get("PATH", "") if path is None else path).split(os.pathsep)
            if p and p != bin_dir]
    return os.pathsep.join([bin_dir, *rest])


def environment(base: dict | None = None, **extra: str) -> dict[str, str]:
    """Environment variables for a child process: ``base`` (default ``os.environ``) with
    :func:`environment_path` as PATH, and ``extra``."""
    base = dict(os.environ if base is None else base)
    return {**base, "PATH": environment_path(base.get("PATH", "")), **extra}


def use_environment() -> None:
    """Put this environment's bin/ first on this process's PATH, for nbgrader run in-process."""
    os.environ["PATH"] = environment_path()


def nbgrader(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a real ``nbgrader`` command of this environment; raise a Chinese error on failure."""
    command = [sys.executable, "-m", "nbgrader", *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                            env=environment(**(env or {})), check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise CourseInputError(f"nbgrader {' '.join(args)} 失败（退出码 {result.returncode}）：\n{tail}")
    return result
