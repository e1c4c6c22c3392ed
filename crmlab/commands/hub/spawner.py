"""JupyterHub's LocalProcessSpawner with The Littlest JupyterHub's account naming and limits.

The hub runs as root; each user's server runs as the Unix account ``jupyter-<name>``, from the
hub's own Python environment under ``--root`` (one every account can execute), in the user's
home. Memory and CPU limits are set with the kernel's control groups (cgroup v1 or v2, what
systemd does for TLJH's SystemdSpawner) when this machine lets the hub create them; every
process of a server, its kernels included, is in its group and is stopped with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import signal
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Dict, Unicode

from crmlab.commands.hub.roster import unix_name

CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_PARENT = "crmlab-hub"
CPU_PERIOD_US = 100_000


def _writable(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK)


def cgroup_dirs(unix_user: str) -> dict[str, Path]:
    """The control groups a server of ``unix_user`` goes into, by controller."""
    if _writable(CGROUP_ROOT / "memory") and _writable(CGROUP_ROOT / "cpu"):  # cgroup v1
        return {controller: CGROUP_ROOT / controller / CGROUP_PARENT / unix_user
                for controller in ("memory", "cpu")}
    if (CGROUP_ROOT / "cgroup.controllers").exists() and os.access(CGROUP_ROOT, os.W_OK):  # v2
        return {"unified": CGROUP_ROOT / CGROUP_PARENT / unix_user}
    return {}


def _procs(group: Path) -> list[int]:
    try:
        return [int(pid) for pid in (group / "cgroup.procs").read_text().split()]
    except OSError:
        return []


class CrmlabSpawner(LocalProcessSpawner):
    """A local server per user, run as ``jupyter-<name>``, in a cgroup with its limits."""

    roles = Dict(help="Hub user name → 'student' or 'instructor'.").tag(config=True)
    hub_root = Unicode(help="The hub's --root folder.").tag(config=True)

    @property
    def unix_user(self) -> str:
        return unix_name(self.user.name)

    @property
    def role(self) -> str:
        return self.roles.get(self.user.name, "student")

    # --- the account ---------------------------------------------------------------------

    def make_preexec_fn(self, name):
        become = set_user_setuid(unix_name(name))
        groups = list(self._groups.values())
        # Instructors share the course directory through their group; students keep to themselves.
        umask = 0o007 if self.role == "instructor" else 0o077

        def preexec():
            for group in groups:
                with open(group / "cgroup.procs", "w") as procs:
                    procs.write(str(os.getpid()))
            os.umask(umask)
            become()

        return preexec

    def user_env(self, env):
        entry = pwd.getpwnam(self.unix_user)
        # USER is the hub name (the 学号), as LocalProcessSpawner sets it: nbgrader takes the
        # student id of a submission from it, and the gradebook knows students by 学号.
        env.update(USER=self.user.name, LOGNAME=self.user.name, HOME=entry.pw_dir,
                   SHELL=entry.pw_shell or "/bin/bash")
        return env

    def get_env(self):
        env = super().get_env()
        for name in ("VIRTUAL_ENV", "PYTHONPATH", "CRMLAB_DEBUG"):
            env.pop(name, None)
        root = Path(self.hub_root)
        env.update(
            PATH=os.pathsep.join([str(root / "env" / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
            CRMLAB_HUB_ROOT=str(root), CRMLAB_ROLE=self.role,
            CRMLAB_EXCHANGE=str(root / "exchange"), LANG="C.UTF-8",
        )
        return env

    # --- limits --------------------------------------------------------------------------

    @property
    def _groups(self) -> dict[str, Path]:
        return getattr(self, "_cgroups", {})

    def _make_groups(self) -> None:
        groups = cgroup_dirs(self.unix_user)
        made = {}
        try:
            for controller, group in groups.items():
                group.mkdir(parents=True, exist_ok=True)
                if controller == "memory" and self.mem_limit:
                    (group / "memory.limit_in_bytes").write_text(str(self.mem_limit))
                if controller == "cpu" and self.cpu_limit:
                    (group / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
                    (group / "cpu.cfs_quota_us").write_text(str(int(self.cpu_limit * CPU_PERIOD_US)))
                if controller == "unified":
                    parent = group.parent
                    for level in (CGROUP_ROOT, parent):
                        (level / "cgroup.subtree_control").write_text("+memory +cpu")
                    if self.mem_limit:
                        (group / "memory.max").write_text(str(self.mem_limit))
                    if self.cpu_limit:
                        (group / "cpu.max").write_text(
                            f"{int(self.cpu_limit * CPU_PERIOD_US)} {CPU_PERIOD_US}")
                made[controller] = group
        except OSError as error:
            self.log.warning("No cgroup limits for %s (%s): the server runs without them",
                             self.unix_user, error)
            made = {}
        self._cgroups = made

    async def start(self):
        self._make_groups()
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        groups = self._groups or {k: v for k, v in cgroup_dirs(self.unix_user).items()
                                  if v.is_dir()}
        await self._empty(groups)
        self._cgroups = {}

    async def _empty(self, groups: dict[str, Path]) -> None:
        """Kill what is left of the server (kernels, terminals) and remove its groups."""
        for _ in range(50):
            pids = {pid for group in groups.values() for pid in _procs(group)}
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.1)
        for group in groups.values():
            with contextlib.suppress(OSError):
                group.rmdir()
