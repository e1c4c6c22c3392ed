"""JupyterHub's LocalProcessSpawner with The Littlest JupyterHub's account naming and limits.

The hub runs as root; each user's server runs as the Unix account ``jupyter-<name>``, from the
hub's own Python environment under ``--root`` (one every account can execute), in the user's
home. Memory, CPU and process-count limits are set with the kernel's control groups (cgroup v1
or v2, what systemd does for TLJH's SystemdSpawner); every process of a server, its kernels
included, is in its group and is stopped with it. A server whose group cannot be made with all
its limits does not start: one Chinese line in the log and on the spawn page says why.
"""

from __future__ import annotations

import asyncio
import os
import pwd
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Dict, Integer, Unicode

from crmlab.commands.hub.roster import unix_name
from crmlab.grading import cgroups

CGROUP_PARENT = "crmlab-hub"
CONTROLLERS = ("memory", "cpu", "pids")
NO_LIMITS = ("没有启动 {user} 的服务器：无法为它设置内存、CPU 和进程数的上限（控制组 cgroup 不可写）。"
             "请在 root 下运行 crmlab hub，并确认 /sys/fs/cgroup 可写。")


class LimitsUnavailable(RuntimeError):
    """A server refused because its limits cannot be set (its message is the spawn page's)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.jupyterhub_message = message


def cgroup_path(unix_user: str) -> str:
    """The control group a server of ``unix_user`` goes into (:mod:`crmlab.grading.cgroups`)."""
    return f"{CGROUP_PARENT}/{unix_user}"


class CrmlabSpawner(LocalProcessSpawner):
    """A local server per user, run as ``jupyter-<name>``, in a cgroup with its limits."""

    roles = Dict(help="Hub user name → 'student' or 'instructor'.").tag(config=True)
    hub_root = Unicode(help="The hub's --root folder.").tag(config=True)
    pids_limit = Integer(512, help="Most processes (and threads) a server may run at once.").tag(
        config=True)
    cgroup_root = Unicode(str(cgroups.ROOT), help="Where the control groups are mounted.").tag(
        config=True)

    @property
    def unix_user(self) -> str:
        return unix_name(self.user.name)

    @property
    def role(self) -> str:
        return self.roles.get(self.user.name, "student")

    # --- the account ---------------------------------------------------------------------

    def make_preexec_fn(self, name):
        become = set_user_setuid(unix_name(name))
        group = self._cgroup
        # Instructors share the course directory through their group; students keep to themselves.
        umask = 0o007 if self.role == "instructor" else 0o077

        def preexec():
            if group:
                group.add(os.getpid())
            os.umask(umask)
            become()

        return preexec

    def user_env(self, env):
        entry = pwd.getpwnam(self.unix_user)
        # USER is the hub name (the 学号), as LocalProcessSpawner sets it. nbgrader does not read
        # it: a submission's student id is the Unix account (jupyter-<学号>), the name the hub
        # enrols in the gradebook.
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

    _cgroup: cgroups.Cgroup | None = None

    def _make_group(self) -> None:
        """The server's control group with all its limits, or :class:`LimitsUnavailable`."""
        limits = cgroups.Limits(memory=self.mem_limit or None, cpu=self.cpu_limit or None,
                                processes=self.pids_limit or None, no_swap=True)
        # What an earlier hub left of this account's group (a server it did not stop, other
        # limits) goes first: the new server's group holds the new server alone.
        path, root = cgroup_path(self.unix_user), Path(self.cgroup_root)
        cgroups.existing(path, CONTROLLERS, root=root).remove()
        self._cgroup = cgroups.create(path, CONTROLLERS, limits, root=root, required=CONTROLLERS)
        if self._cgroup is None:
            message = NO_LIMITS.format(user=self.user.name)
            self.log.error(message)
            raise LimitsUnavailable(message)

    async def start(self):
        self._make_group()
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        # Kill what is left of the server (kernels, terminals) and remove its group; after a
        # hub restart, the group an earlier hub made.
        group = self._cgroup or cgroups.existing(cgroup_path(self.unix_user), CONTROLLERS,
                                                 root=Path(self.cgroup_root))
        await asyncio.to_thread(group.remove)
        self._cgroup = None
