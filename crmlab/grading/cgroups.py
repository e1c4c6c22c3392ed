"""Control groups (cgroup v1 and v2): a named group of processes with limits on their memory,
CPU and number, which the kernel enforces on all of them together, and which can be emptied
(every process killed) and removed as one.

The grading sandbox puts each kernel in one (``crmlab-grading/<kernel>``) and the hub each
user's server (``crmlab-hub/<account>``). Only root can make them, and only where the
hierarchy is writable; :func:`create` returns ``None`` otherwise and the caller runs without.

- cgroup v1 (one hierarchy per controller, ``/sys/fs/cgroup/memory/…``): a folder per
  controller; memory in ``memory.limit_in_bytes`` (and ``memory.memsw.limit_in_bytes``, memory
  plus swap, where swap accounting is on and ``no_swap`` asks for it), CPU in ``cpu.cfs_quota_us`` over
  ``cpu.cfs_period_us``, processes in ``pids.max``.
- cgroup v2 (one unified hierarchy, ``/sys/fs/cgroup/cgroup.controllers``): one folder; the
  controllers are enabled in the parents' ``cgroup.subtree_control``; ``memory.max``,
  ``memory.swap.max`` (0: no swap beyond the memory limit), ``cpu.max``, ``pids.max``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
"""Where the kernel's cgroup file system is mounted."""

CPU_PERIOD_US = 100_000
"""The period CPU quotas are counted in (0.1 s, the kernel's default)."""


@dataclass(frozen=True)
class Limits:
    """What a group may use, all its processes together; ``None``: not limited."""

    memory: int | None = None
    """Bytes of memory."""
    cpu: float | None = None
    """Cores (1.5: one and a half cores' time)."""
    processes: int | None = None
    """Processes and threads."""
    no_swap: bool = False
    """Memory is memory and swap together (v1 ``memsw``, v2 ``memory.swap.max`` 0), where the
    kernel accounts swap: a process cannot escape the limit into swap."""


def version(root: Path = ROOT) -> int | None:
    """1 or 2: the cgroup hierarchy this machine has at ``root``; ``None``: none mounted. A
    hybrid machine (v1 controllers beside an empty v2 hierarchy) counts as v1."""
    if (root / "memory").is_dir():
        return 1
    if (root / "cgroup.controllers").is_file():
        return 2
    return None


def _v1_settings(controller: str, limits: Limits) -> list[tuple[str, str]]:
    """The files to write, in order. v1 refuses a memory limit above the memory-plus-swap
    limit, so on a group that already has a lower one (made earlier with smaller limits) the
    memory-plus-swap limit is lifted first, then both are set."""
    if controller == "memory" and limits.memory:
        if not limits.no_swap:
            return [("memory.limit_in_bytes", str(limits.memory))]
        return [("memory.memsw.limit_in_bytes", "-1"), ("memory.limit_in_bytes", str(limits.memory)),
                ("memory.memsw.limit_in_bytes", str(limits.memory))]
    if controller == "cpu" and limits.cpu:
        return [("cpu.cfs_period_us", str(CPU_PERIOD_US)),
                ("cpu.cfs_quota_us", str(int(limits.cpu * CPU_PERIOD_US)))]
    if controller == "pids" and limits.processes:
        return [("pids.max", str(limits.processes))]
    return []


def _v2_settings(limits: Limits) -> list[tuple[str, str]]:
    settings = []
    if limits.memory:
        settings.append(("memory.max", str(limits.memory)))
        if limits.no_swap:
            settings.append(("memory.swap.max", "0"))
    if limits.cpu:
        settings.append(("cpu.max", f"{int(limits.cpu * CPU_PERIOD_US)} {CPU_PERIOD_US}"))
    if limits.processes:
        settings.append(("pids.max", str(limits.processes)))
    return settings


OPTIONAL = {"memory.memsw.limit_in_bytes", "memory.swap.max"}
"""Settings the kernel may not offer (no swap accounting): the group works without them."""


class Cgroup:
    """One group: a folder per controller (v1) or one folder (v2, controller ``unified``)."""

    def __init__(self, folders: dict[str, Path]):
        self.folders = dict(folders)

    def __repr__(self) -> str:
        return f"Cgroup({sorted(str(f) for f in self.folders.values())})"

    def __bool__(self) -> bool:
        return bool(self.folders)

    def add(self, pid: int) -> None:
        """Move process ``pid`` (and the children it starts later) into the group."""
        for folder in self.folders.values():
            (folder / "cgroup.procs").write_text(str(pid))

    def enter_command(self) -> list[str]:
        """A command prefix that moves the process into the group, then execs the command
        after it: ``enter_command() + ["bwrap", …]``."""
        moves = " && ".join(f'echo $$ > "{folder}/cgroup.procs"' for folder in self.folders.values())
        return ["sh", "-c", f'{moves} && exec "$@"', "sh"]

    def pids(self) -> set[int]:
        """The processes in the group now."""
        found = set()
        for folder in self.folders.values():
            with contextlib.suppress(OSError, ValueError):
                found.update(int(pid) for pid in (folder / "cgroup.procs").read_text().split())
        return found

    def out_of_memory_kills(self) -> int:
        """How many of the group's processes the kernel has killed for going over its memory
        limit (v1 ``memory.oom_control``, v2 ``memory.events``)."""
        for name in ("memory.oom_control", "memory.events"):
            for folder in self.folders.values():
                with contextlib.suppress(OSError, ValueError):
                    for line in (folder / name).read_text().splitlines():
                        if line.startswith("oom_kill "):
                            return int(line.split()[1])
        return 0

    def memory_used(self) -> int | None:
        """Bytes of memory the group's processes use now (``None``: no memory controller)."""
        for name in ("memory.usage_in_bytes", "memory.current"):
            for folder in self.folders.values():
                with contextlib.suppress(OSError, ValueError):
                    return int((folder / name).read_text())
        return None

    def remove(self, attempts: int = 50, pause: float = 0.1) -> list[Path]:
        """Kill every process in the group and remove its folders, trying ``attempts`` times
        ``pause`` seconds apart (a killed process leaves its group a moment later). Returns the
        folders that could not be removed (``[]``: all gone); the group is then empty of them."""
        left = []
        for folder in self.folders.values():
            for _ in range(attempts):
                with contextlib.suppress(OSError, ValueError):
                    for pid in (folder / "cgroup.procs").read_text().split():
                        with contextlib.suppress(OSError):
                            os.kill(int(pid), signal.SIGKILL)
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(pause)
            else:
                left.append(folder)
        self.folders = {c: f for c, f in self.folders.items() if f in left}
        return left


def existing(path: str, controllers: Iterable[str], root: Path = ROOT) -> Cgroup:
    """The group ``path`` (``crmlab-hub/jupyter-s01``) as far as its folders exist now: to
    empty and remove one that an earlier process made."""
    return Cgroup({c: f for c, f in _folders(path, controllers, root).items() if f.is_dir()})


def _folders(path: str, controllers: Iterable[str], root: Path) -> dict[str, Path]:
    if version(root) == 2:
        return {"unified": root / path}
    return {controller: root / controller / path for controller in controllers}


def create(path: str, controllers: Iterable[str], limits: Limits, root: Path = ROOT,
           required: Iterable[str] = ("memory",)) -> Cgroup | None:
    """Make the group ``path`` (``crmlab-grading/<name>``) with ``controllers`` (``memory``,
    ``cpu``, ``pids``) and ``limits``. ``None`` when it cannot be made with every ``required``
    controller and its limits (not root, a read-only or missing hierarchy); a controller not
    required that cannot be made is left out. Nothing is left behind when it fails."""
    controllers, required = list(controllers), set(required)
    hierarchy = version(root)
    if hierarchy is None:
        return None
    group = Cgroup({})
    try:
        if hierarchy == 2:
            names = " ".join(f"+{controller}" for controller in controllers)
            folder = root
            for part in Path(path).parts:  # each level hands the controllers to the next
                (folder / "cgroup.subtree_control").write_text(names)
                folder = folder / part
                folder.mkdir(exist_ok=True)
            group.folders["unified"] = folder
            _write(folder, _v2_settings(limits))
            return group
        for controller in controllers:
            folder = root / controller / path
            try:
                folder.mkdir(parents=True, exist_ok=True)
                group.folders[controller] = folder
                _write(folder, _v1_settings(controller, limits))
            except OSError:
                if controller in required:
                    raise
                group.folders.pop(controller, None)
                with contextlib.suppress(OSError):
                    folder.rmdir()
        return group
    except OSError:
        group.remove(attempts=1)
        return None


def _write(folder: Path, settings: list[tuple[str, str]]) -> None:
    for name, value in settings:
        try:
            (folder / name).write_text(value)
        except OSError:
            if name not in OPTIONAL:
                raise
