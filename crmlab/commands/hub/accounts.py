"""Unix accounts behind the hub's users, as The Littlest JupyterHub makes them.

Each hub user ``<学号>`` runs their server as the Unix account ``jupyter-<学号>`` with a private
home (mode 0700). Instructors share one Unix group, which owns the course directory.
Accounts have no Unix password: people log in only through the hub.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import signal
import subprocess
from pathlib import Path

from crmlab.commands.hub import safefs
from crmlab.commands.hub.roster import Member
from crmlab.rules.checks import CourseInputError

INSTRUCTOR_GROUP = os.environ.get("CRMLAB_HUB_GROUP") or "crmlab-teachers"
"""The Unix group of the course's instructors: it owns the course directory. ``CRMLAB_HUB_GROUP``
names another one (each test run has its own, so that two runs on one machine never share it)."""

HOME_MODE = 0o700


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise CourseInputError(
            f"系统命令 {' '.join(command)} 失败：{(done.stderr or done.stdout).strip()}")


def account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def ensure_group(name: str = INSTRUCTOR_GROUP) -> int:
    """Create the system group ``name`` if it is missing; return its gid."""
    if not group_exists(name):
        _run(["groupadd", "--system", name])
    return grp.getgrnam(name).gr_gid


def home_of(name: str) -> Path:
    return Path(pwd.getpwnam(name).pw_dir)


def ensure_account(member: Member, group: str = INSTRUCTOR_GROUP) -> bool:
    """Create (or re-open) the Unix account of ``member``; True when it was created.

    An existing account keeps its files; it is unlocked (it may have been blocked when the
    person left an earlier roster) and joins or leaves the instructors' group with its role.
    """
    name = member.unix_name
    created = not account_exists(name)
    if created:
        _run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name])
    else:
        _run(["usermod", "--expiredate", "", name])
    in_group = name in grp.getgrnam(group).gr_mem
    if member.is_instructor and not in_group:
        _run(["usermod", "--append", "--groups", group, name])
    elif not member.is_instructor and in_group:
        _run(["gpasswd", "--delete", name, group])
    home = home_of(name)
    home.mkdir(mode=HOME_MODE, exist_ok=True)
    entry = pwd.getpwnam(name)
    safefs.give(home.parent, home.name, entry.pw_uid, entry.pw_gid, HOME_MODE, HOME_MODE)
    return created


def block_account(name: str) -> None:
    """Lock the account of someone no longer on the roster; their files stay as they are."""
    if account_exists(name):
        _run(["usermod", "--expiredate", "1", name])
        in_group = group_exists(INSTRUCTOR_GROUP) and name in grp.getgrnam(INSTRUCTOR_GROUP).gr_mem
        if in_group:
            _run(["gpasswd", "--delete", name, INSTRUCTOR_GROUP])


def remove_account(name: str) -> None:
    """Delete an account, its home and its processes (used by tests and benchmarks)."""
    if not account_exists(name):
        return
    uid = pwd.getpwnam(name).pw_uid
    for pid in processes_of(uid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    subprocess.run(["userdel", "--remove", "--force", name], capture_output=True)
    if group_exists(name):
        subprocess.run(["groupdel", name], capture_output=True)


def processes_of(uid: int) -> list[int]:
    """The ids of the processes running as ``uid``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except FileNotFoundError:
                continue
    return pids
