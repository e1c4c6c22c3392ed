"""``crmlab hub``: set up the class from its roster and run JupyterHub until Ctrl+C."""

from __future__ import annotations

import dbm
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from crmlab.commands.hub import accounts, layout
from crmlab.commands.hub.roster import Member, read_roster, unix_name
from crmlab.grading.environment import environment
from crmlab.rules.checks import CourseInputError

DEFAULT_ROOT = Path("/srv/crmlab")
DEFAULT_PORT = 8000
CONFIG = Path(__file__).with_name("jupyterhub_config.py")


@dataclass
class HubOptions:
    roster: Path
    root: Path = DEFAULT_ROOT
    ip: str = ""
    port: int = DEFAULT_PORT
    idle_timeout: int = 3600  # seconds
    mem_limit: str = "2G"
    cpu_limit: float = 1.0
    min_password_length: int = 8


def check_machine() -> str:
    """Root on Linux, with configurable-http-proxy; returns the proxy's path."""
    if not sys.platform.startswith("linux"):
        raise CourseInputError("crmlab hub 只能在 Linux 上运行（它为每位学生建立一个系统账户）")
    if os.geteuid() != 0:
        raise CourseInputError("crmlab hub 需要 root 权限（它要建立系统账户）：请用 sudo 运行")
    proxy = shutil.which("configurable-http-proxy")
    if proxy:
        return proxy
    if not shutil.which("node") or not shutil.which("npm"):
        raise CourseInputError("缺少 Node.js：请先安装 apt-get install nodejs npm，"
                               "再运行 npm install -g configurable-http-proxy（或在项目文件夹中运行 make hub）")
    raise CourseInputError("缺少 configurable-http-proxy：请运行 npm install -g configurable-http-proxy"
                           "（或在项目文件夹中运行 make hub）")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_is_free(ip: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ip or "0.0.0.0", port))
        except OSError:
            return False
    return True


# --- the class -------------------------------------------------------------------------------


def _previous(state: Path) -> dict:
    path = state / "hub.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def apply_roster(members: list[Member], state: Path, say=print) -> list[str]:
    """Create or re-open the members' accounts, block those gone from the roster.

    Returns the login names that are blocked.
    """
    previous = _previous(state)
    known = set(previous.get("members", {})) | set(previous.get("blocked", []))
    current = {member.id for member in members}
    accounts.ensure_group()
    created = sum(accounts.ensure_account(member) for member in members)
    blocked = sorted(known - current)
    for login in blocked:
        accounts.block_account(unix_name(login))
    teachers = sum(member.is_instructor for member in members)
    say(f"名单：{len(members) - teachers} 位学生、{teachers} 位教师"
        f"（新建系统账户 {created} 个" + (f"，停用 {len(blocked)} 个已不在名单上的账户" if blocked else "")
        + "）")
    return blocked


def write_settings(options: HubOptions, members: list[Member], blocked: list[str],
                   proxy: str) -> Path:
    state = options.root / "state"
    settings = {
        "members": {member.id: member.role for member in members},
        "names": {member.id: member.name for member in members},
        "blocked": blocked,
        "ip": options.ip, "port": options.port,
        "hub_port": _free_port(), "proxy_api_port": _free_port(), "proxy": proxy,
        "idle_timeout": options.idle_timeout, "mem_limit": options.mem_limit,
        "cpu_limit": options.cpu_limit, "min_password_length": options.min_password_length,
    }
    path = state / "hub.json"
    path.write_text(json.dumps(settings, ensure_ascii=False, indent=2), encoding="utf-8")
    path.chmod(0o600)
    return path


def set_up(options: HubOptions, say=print) -> tuple[list[Member], str]:
    """Everything before JupyterHub starts; nothing is created when the roster is bad."""
    proxy = check_machine()
    members = read_roster(options.roster)  # every row checked before anything is made
    if not 1 <= options.port <= 65535:
        raise CourseInputError(f"端口号应在 1–65535 之间，现在是 {options.port}")
    if not _port_is_free(options.ip, options.port):
        raise CourseInputError(f"端口 {options.port} 已被占用：请用 --port 换一个端口")
    root = options.root
    layout.make_root(root)
    if layout.make_checkout_private():
        say(f"已把项目文件夹 {layout.CHECKOUT} 设为其他账户不可访问（其中有答案和隐藏测试）。")
    blocked = apply_roster(members, root / "state", say)
    layout.sync_app(root / "app")
    layout.build_environment(root, say)
    layout.write_nbgrader_config(root)
    layout.prepare_course(root / "course")
    layout.enrol(root / "course", members)
    layout.prepare_exchange(root / "exchange")
    write_settings(options, members, blocked, proxy)
    return members, proxy


# --- running ---------------------------------------------------------------------------------


def local_url(options: HubOptions) -> str:
    host = options.ip if options.ip not in ("", "0.0.0.0") else "127.0.0.1"
    return f"http://{host}:{options.port}"


def public_urls(options: HubOptions) -> list[str]:
    if options.ip not in ("", "0.0.0.0"):
        return [local_url(options)]
    return [f"http://{socket.gethostname()}:{options.port}", local_url(options)]


def start_hub(options: HubOptions) -> subprocess.Popen:
    log = options.root / "logs" / "jupyterhub.log"
    env = environment(CRMLAB_HUB_ROOT=str(options.root), PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=options.root / "state",
        env=env, stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True,
        # run_hub waits for Ctrl+C with the signals blocked; JupyterHub must receive them
        preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_SETMASK, set()))


def wait_until_up(process: subprocess.Popen, options: HubOptions, timeout: float = 120) -> None:
    url = f"{local_url(options)}/hub/api/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:  # 200 only once the proxy routes to the hub (before that it answers 404)
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    log = options.root / "logs" / "jupyterhub.log"
    raise CourseInputError(f"JupyterHub 没有启动成功，请查看日志 {log}")


def stop_hub(process: subprocess.Popen, timeout: float = 60) -> None:
    """Stop JupyterHub as Ctrl+C does: it stops every server and the proxy first."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def next_steps(options: HubOptions, members: list[Member]) -> str:
    teachers = "、".join(m.id for m in members if m.is_instructor)
    urls = "\n".join(f"    {url}" for url in public_urls(options))
    return (
        f"\nJupyterHub 已启动。把这个地址发给学生：\n\n{urls}\n\n"
        "接下来：\n"
        "  1. 每个人用自己的学号登录；第一次登录时输入的密码就成为他的密码（至少 "
        f"{options.min_password_length} 位）。\n"
        f"  2. 教师（{teachers}）登录后在「Formgrader」中发布作业、收作业、评分；"
        "终端里的课程文件夹是 ~/course（可运行 crmlab autograde 等命令）。\n"
        "  3. 学生忘记密码：crmlab hub --reset-password 学号（他下次登录时重新设定）。\n"
        f"  4. 所有数据都在 {options.root}，请定期备份。\n"
        "按 Ctrl+C 停止（所有人的服务器随之停止，文件保留）。"
    )


def run_hub(options: HubOptions) -> int:
    """Set up and run the hub until Ctrl+C or SIGTERM."""
    options.root = options.root.resolve() if options.root.exists() else options.root.absolute()
    members, _ = set_up(options)
    stops = {signal.SIGINT, signal.SIGTERM}  # Ctrl+C, or kill / a closed terminal
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    process = start_hub(options)
    try:
        wait_until_up(process, options)
        print(next_steps(options, members), flush=True)
        while process.poll() is None:
            received = signal.sigtimedwait(stops, 1)
            if received:
                if os.environ.get("CRMLAB_DEBUG"):
                    sender = Path(f"/proc/{received.si_pid}/cmdline")
                    who = sender.read_bytes().replace(b"\0", b" ")[:200] if sender.exists() else b"?"
                    print(f"signal {received.si_signo} from pid {received.si_pid}: {who!r}", flush=True)
                break
        return 0 if process.returncode in (None, 0) else 1
    finally:
        stop_hub(process)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
        print("JupyterHub 已停止。", flush=True)


def reset_password(root: Path, login: str) -> None:
    """Forget ``login``'s password: they choose a new one at their next login."""
    path = root / "state" / "passwords.dbm"
    login = login.strip().lower()
    try:
        with dbm.open(str(path), "w") as db:
            del db[login]
    except KeyError:
        raise CourseInputError(f"{login} 还没有设置过密码（或不在名单上）：他第一次登录时输入的密码即为新密码") from None
    except dbm.error:
        raise CourseInputError(f"在 {root} 中找不到 JupyterHub 的密码文件：请确认 --root 与启动时相同") from None
