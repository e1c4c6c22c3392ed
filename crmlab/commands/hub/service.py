"""``crmlab hub`` as a system service, and a clean start after a crash.

``install-service`` writes ``/etc/systemd/system/crmlab-hub.service`` that runs ``crmlab hub``
with the options given, restarts it when it fails, starts it at boot and sends its output to
the journal. Whether run by systemd or by hand, a start first finds what a killed predecessor
left running (its JupyterHub, the proxy, people's servers and their processes: recorded in
``<root>/state``) and stops it, so the new hub starts on a free port and people log in again
with their passwords to their files.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

from crmlab.rules.checks import CourseInputError

UNIT_NAME = "crmlab-hub.service"
UNIT_DIR = Path("/etc/systemd/system")
PID_FILE = "crmlab-hub.pid"
CHILD_PID_FILES = ("jupyterhub.pid", "proxy.pid")
"""What JupyterHub writes under ``state/`` (jupyterhub_config.py names them)."""


def unit_text(command: list[str], root: Path) -> str:
    """The systemd unit running ``command`` (``crmlab hub`` with its options)."""
    return f"""# Written by `crmlab hub install-service`; remove with `crmlab hub uninstall-service`.
[Unit]
Description=CRM Lab 课堂 JupyterHub (crmlab hub)
Documentation=file://{root}/app/README.md
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart={shlex.join(command)}
WorkingDirectory={root}
# SIGTERM to crmlab hub only: it stops JupyterHub, which stops every server and the proxy.
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec=120
Restart=on-failure
RestartSec=5
StandardOutput=journal
StandardError=journal
SyslogIdentifier=crmlab-hub
# The hub puts each student's server into its own control group with its limits.
Delegate=yes

[Install]
WantedBy=multi-user.target
"""


def systemd_running() -> bool:
    return Path("/run/systemd/system").is_dir()


def _systemctl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["systemctl", *args], capture_output=True, text=True)


def install(command: list[str], root: Path, unit_dir: Path = UNIT_DIR, say=print) -> Path:
    """Write the unit; with systemd running, enable it and (re)start it now."""
    unit = unit_dir / UNIT_NAME
    unit_dir.mkdir(parents=True, exist_ok=True)
    unit.write_text(unit_text(command, root), encoding="utf-8")
    unit.chmod(0o644)
    if not systemd_running():
        say(f"已写入 {unit}；这台机器的 systemd 没有在运行，开机后由 systemd 启动时才生效"
            f"（也可以直接运行 {shlex.join(command)}）。")
        return unit
    for args in (("daemon-reload",), ("enable", UNIT_NAME), ("restart", UNIT_NAME)):
        done = _systemctl(*args)
        if done.returncode != 0:
            raise CourseInputError(f"systemctl {' '.join(args)} 失败：{done.stderr.strip()}")
    say(f"已安装并启动服务 {UNIT_NAME}（开机自动启动，出错自动重启）。"
        "查看日志：journalctl -u crmlab-hub")
    return unit


def uninstall(unit_dir: Path = UNIT_DIR, say=print) -> bool:
    unit = unit_dir / UNIT_NAME
    if systemd_running():
        _systemctl("disable", "--now", UNIT_NAME)
    if not unit.exists():
        say(f"没有安装 {UNIT_NAME}。")
        return False
    unit.unlink()
    if systemd_running():
        _systemctl("daemon-reload")
    say(f"已停止并删除服务 {UNIT_NAME}；{unit.parent} 中不再有它，数据都还在。")
    return True


def verify(unit: Path) -> subprocess.CompletedProcess:
    """``systemd-analyze verify`` of a unit file (works without systemd running)."""
    return subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)


# --- processes ------------------------------------------------------------------------------------


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        return stat.read_text().split(") ", 1)[1][0] != "Z"  # a zombie has finished
    return False


def _command_line(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    return ""


def running_hub(state: Path) -> int | None:
    """The pid of a ``crmlab hub`` running for this ``--root``, if one is."""
    pid = _pid(state / PID_FILE)
    if pid and pid != os.getpid() and _alive(pid) and "crmlab" in _command_line(pid) \
            and " hub" in _command_line(pid):
        return pid
    return None


def claim(state: Path) -> None:
    """Record this process as the hub of ``state``'s root; refuse when another one runs."""
    other = running_hub(state)
    if other:
        raise CourseInputError(f"这个 --root 的 crmlab hub 已经在运行（进程 {other}）："
                               "请先停止它（作为服务时：systemctl stop crmlab-hub）")
    (state / PID_FILE).write_text(str(os.getpid()))


def release(state: Path) -> None:
    if _pid(state / PID_FILE) == os.getpid():
        (state / PID_FILE).unlink(missing_ok=True)


def _stop(pid: int, timeout: float, say, what: str) -> None:
    say(f"发现上次运行留下的{what}（进程 {pid}），正在停止它……")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def orphaned_services(root: Path) -> list[int]:
    """Processes of JupyterHub services (the idle culler) of this root whose hub is gone."""
    found = []
    marker = f"CRMLAB_HUB_ROOT={root}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            environ = (entry / "environ").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().split(") ", 1)[1].split()[1])
            if marker in environ and any(v.startswith(b"JUPYTERHUB_SERVICE_NAME=") for v in environ) \
                    and not _alive_hub(parent):
                found.append(int(entry.name))
    return found


def _alive_hub(pid: int) -> bool:
    return pid > 1 and _alive(pid) and "jupyterhub" in _command_line(pid)


def stop_leftovers(state: Path, uids: list[int], say=print, timeout: float = 60) -> int:
    """Stop what an earlier hub of this root left running: its JupyterHub (which stops the
    servers it knows of), then the proxy, then any process still running as a class member.
    Returns how many processes were stopped."""
    from crmlab.commands.hub.accounts import processes_of

    stopped = 0
    for name, what in zip(CHILD_PID_FILES, ("JupyterHub", "代理（configurable-http-proxy）"), strict=True):
        pid = _pid(state / name)
        if pid and _alive(pid) and ("jupyterhub" in _command_line(pid)
                                    or "configurable-http-proxy" in _command_line(pid)):
            _stop(pid, timeout, say, what)
            stopped += 1
        (state / name).unlink(missing_ok=True)
    leftover = [pid for uid in uids for pid in processes_of(uid)] + orphaned_services(state.parent)
    for pid in leftover:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if leftover:
        say(f"已结束上次运行留下的 {len(leftover)} 个进程（学生、教师的服务器或 JupyterHub 的服务；文件都在）。")
    return stopped + len(leftover)


def status(root: Path, unit_dir: Path = UNIT_DIR) -> list[str]:
    """Lines for ``crmlab hub status``."""
    from crmlab.commands.hub import backups

    state = root / "state"
    lines = []
    unit = unit_dir / UNIT_NAME
    if unit.exists():
        state_text = ""
        if systemd_running():
            active = _systemctl("is-active", UNIT_NAME).stdout.strip()
            enabled = _systemctl("is-enabled", UNIT_NAME).stdout.strip()
            state_text = f"（{active}，{enabled}）"
        lines.append(f"服务：已安装 {unit}{state_text}")
    else:
        lines.append("服务：未安装（crmlab hub install-service 可安装）")
    hub = running_hub(state)
    lines.append(f"crmlab hub：运行中（进程 {hub}）" if hub else "crmlab hub：没有运行")
    found = backups.snapshots(root)
    lines.append(f"成绩库备份：{len(found)} 份，最新 {found[-1].label}" if found else "成绩库备份：还没有")
    return lines
