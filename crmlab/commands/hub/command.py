"""``crmlab hub``: set up the class from its roster and run JupyterHub until Ctrl+C or SIGTERM
(by hand, or as the system service ``service`` installs)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import MISSING, dataclass, field
from pathlib import Path

from crmlab.commands.hub import accounts, backups, layout, service, tls
from crmlab.commands.hub.passwords import PasswordStore, write_sheet
from crmlab.commands.hub.roster import Member, read_roster, unix_name
from crmlab.course.facts import Course
from crmlab.grading.environment import environment
from crmlab.rules.checks import CourseInputError

DEFAULT_ROOT = Path("/srv/crmlab")
DEFAULT_PORT = 8000
CONFIG = Path(__file__).with_name("jupyterhub_config.py")


def _flag(default=MISSING, help: str = "", **argparse_options):
    """A field that ``crmlab hub`` offers as ``--name``: its default and help are stated here only.

    The help may name the default as ``%(default)s`` (argparse fills it in).
    """
    return field(default=default, metadata={"help": help, **argparse_options})


@dataclass
class HubOptions:
    """The hub's options; the CLI takes each flag's default, type and help from these fields."""

    roster: Path = _flag(help="班级名单（CSV 或 .xlsx），列为 学号,姓名,角色（学生/教师）", metavar="名单")
    root: Path = _flag(DEFAULT_ROOT, "存放 JupyterHub 全部数据的文件夹（默认 %(default)s）", metavar="文件夹")
    ip: str = _flag("", "监听的地址（默认所有网络接口；不是本机回环地址时必须用 HTTPS）")
    port: int = _flag(DEFAULT_PORT, "端口号（默认 %(default)s）", metavar="端口")
    ssl_cert: Path | None = _flag(None, "学校的 HTTPS 证书（PEM，含中间证书）", metavar="证书")
    ssl_key: Path | None = _flag(None, "证书的私钥（PEM）", metavar="私钥")
    self_signed: bool = _flag(False, "为本机的名称和地址生成自签名证书，并显示它的 SHA-256 指纹供学生核对")
    no_https: bool = _flag(False, "前面已有做 HTTPS 的反向代理：允许在网络地址上用 HTTP（会给出警告）")
    teachers_can_open_servers: bool = _flag(
        False, "允许教师打开学生的服务器（默认不允许：学生服务器上的网页会以教师身份运行）")
    idle_minutes: float = _flag(60.0, "服务器空闲多少分钟后自动停止（默认 %(default)g，可以是小数，文件保留）",
                                metavar="分钟")
    backup_minutes: float = _flag(
        60.0, "每隔多少分钟备份一次成绩库和 JupyterHub 的数据库（默认 %(default)g；评分后也会备份）",
        metavar="分钟")
    mem_limit: str = _flag("2G", "每人服务器的内存上限（默认 %(default)s）", metavar="内存")
    cpu_limit: float = _flag(1.0, "每人服务器最多使用的 CPU 核数（默认 %(default)g）", metavar="核数")
    pids_limit: int = _flag(512, "每人服务器最多同时运行的进程（含线程）数（默认 %(default)s）", metavar="个数")
    cgroup_root: Path = _flag(Path("/sys/fs/cgroup"), argparse.SUPPRESS)
    min_password_length: int = 8  # not a flag

    @property
    def idle_timeout(self) -> int:
        """Seconds a server may stay idle (at least one)."""
        return max(1, round(self.idle_minutes * 60))

    @property
    def https(self) -> bool:
        return bool(self.ssl_cert or self.self_signed)


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
        "ssl_cert": str(options.ssl_cert or ""), "ssl_key": str(options.ssl_key or ""),
        "teachers_can_open_servers": options.teachers_can_open_servers,
        "pids_limit": options.pids_limit, "cgroup_root": str(options.cgroup_root),
    }
    path = state / "hub.json"
    path.write_text(json.dumps(settings, ensure_ascii=False, indent=2), encoding="utf-8")
    path.chmod(0o600)
    token = state / "service-token"
    if not token.is_file():
        token.write_text(secrets.token_hex(32))
    token.chmod(0o600)
    return path


def check_https(options: HubOptions, say=print) -> None:
    """Refuse plain HTTP off loopback; check the school's certificate, or make one."""
    if options.ssl_cert or options.ssl_key:
        if not (options.ssl_cert and options.ssl_key):
            raise CourseInputError("--ssl-cert 和 --ssl-key 要一起给出（证书和它的私钥）")
        options.ssl_cert, options.ssl_key = Path(options.ssl_cert).absolute(), Path(options.ssl_key).absolute()
        tls.check_files(options.ssl_cert, options.ssl_key)
    tls.check_listen(options.ip, options.https, options.no_https, say)


def issue_passwords(options: HubOptions, members: list[Member], say=print) -> list[Path]:
    """An initial password for everyone who has none; the sheet of those not used yet."""
    store = PasswordStore(options.root / "state")
    new = store.issue_missing([member.id for member in members])
    pending = store.initial_passwords()
    rows = [(m.name, m.id, "教师" if m.is_instructor else "学生", pending[m.id])
            for m in members if m.id in pending]
    sheet = write_sheet(options.root / "passwords", rows, public_urls(options)) if rows else []
    if new:
        say(f"已为 {len(new)} 人生成初始密码。")
    return sheet


def set_up(options: HubOptions, say=print) -> tuple[list[Member], str]:
    """Everything before JupyterHub starts; nothing is created when the roster is bad."""
    proxy = check_machine()
    members = read_roster(options.roster)  # every row checked before anything is made
    if not 1 <= options.port <= 65535:
        raise CourseInputError(f"端口号应在 1–65535 之间，现在是 {options.port}")
    check_https(options, say)
    root = options.root
    layout.make_root(root)
    state = root / "state"
    service.claim(state)
    service.stop_leftovers(state, _member_uids(members), say)
    if not _port_is_free(options.ip, options.port):
        raise CourseInputError(f"端口 {options.port} 已被占用：请用 --port 换一个端口")
    if options.self_signed:
        options.ssl_cert, options.ssl_key = tls.self_signed(state / "tls", options.ip)
    if layout.make_checkout_private():
        say(f"已把项目文件夹 {layout.CHECKOUT} 设为其他账户不可访问（其中有答案和隐藏测试）。")
    blocked = apply_roster(members, state, say)
    layout.sync_app(root / "app")
    layout.build_environment(root, say)
    course_id = Course.load(layout.CHECKOUT).id  # as the course's nbgrader_config.py names it
    layout.write_nbgrader_config(root, course_id)
    layout.prepare_course(root, members)
    layout.prepare_exchange(root / "exchange", course_id)
    write_settings(options, members, blocked, proxy)
    issue_passwords(options, members, say)
    return members, proxy


def _member_uids(members: list[Member]) -> list[int]:
    uids = []
    for member in members:
        with contextlib.suppress(KeyError):
            uids.append(pwd.getpwnam(member.unix_name).pw_uid)
    return uids


# --- running ---------------------------------------------------------------------------------


def _scheme(options: HubOptions) -> str:
    return "https" if options.https else "http"


def local_url(options: HubOptions) -> str:
    host = options.ip if options.ip not in ("", "0.0.0.0") else "127.0.0.1"
    return f"{_scheme(options)}://{host}:{options.port}"


def public_urls(options: HubOptions) -> list[str]:
    if options.ip not in ("", "0.0.0.0"):
        return [local_url(options)]
    return [f"{_scheme(options)}://{socket.gethostname()}:{options.port}", local_url(options)]


def _no_parent_left() -> None:
    """In JupyterHub's process: unblock the signals run_hub waits for, and get SIGTERM (a clean
    stop of every server and the proxy) when crmlab hub itself dies, even by kill -9."""
    import ctypes

    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_hub(options: HubOptions) -> subprocess.Popen:
    log = options.root / "logs" / "jupyterhub.log"
    env = environment(CRMLAB_HUB_ROOT=str(options.root), PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=options.root / "state",
        env=env, stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=_no_parent_left)


def _open(url: str, timeout: float = 2, **kwargs):
    """urlopen of the hub's own loopback address (its certificate is not checked here)."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return urllib.request.urlopen(url, timeout=timeout, context=context, **kwargs)


def wait_until_up(process: subprocess.Popen, options: HubOptions, timeout: float = 120) -> None:
    url = f"{local_url(options)}/hub/api/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:  # 200 only once the proxy routes to the hub (before that it answers 404)
            with _open(url) as answer:
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
    sheet = options.root / "passwords"
    lines = [f"\nJupyterHub 已启动。学生在浏览器中打开：\n\n{urls}\n"]
    if options.self_signed:
        lines.append("这是自签名证书：浏览器会提示「不安全」，请让学生核对证书的 SHA-256 指纹与下面一致后再继续：\n"
                     f"    {tls.fingerprint(options.ssl_cert)}\n")
    lines += [
        "接下来：",
        f"  1. 打印初始密码单 {sheet / '初始密码.html'}（或 {sheet / '初始密码.xlsx'}，只有 root 能读），"
        "剪开发给每个人；第一次登录时用初始密码，并设置自己的新密码（至少 "
        f"{options.min_password_length} 位）。",
        f"  2. 教师（{teachers}）登录后在「Formgrader」中发布作业、收作业、评分；"
        "终端里的课程文件夹是 ~/course（可运行 crmlab autograde 等命令）。",
        "  3. 忘记密码：crmlab hub --reset-password 学号（发给他一个新的初始密码，他已登录的会话随即失效）。",
        f"  4. 成绩库每 {options.backup_minutes:g} 分钟和每次评分后自动备份到 {options.root / 'backups'}；"
        "恢复：crmlab hub restore-gradebook。",
        "按 Ctrl+C 停止（所有人的服务器随之停止，文件保留）；长期开课请用 crmlab hub install-service。",
    ]
    return "\n".join(lines)


def run_hub(options: HubOptions) -> int:
    """Set up and run the hub until Ctrl+C or SIGTERM, snapshotting the gradebook meanwhile."""
    options.root = options.root.resolve() if options.root.exists() else options.root.absolute()
    state = options.root / "state"
    try:
        members, _ = set_up(options)
    except BaseException:
        if state.is_dir():
            service.release(state)
        raise
    stops = {signal.SIGINT, signal.SIGTERM}  # Ctrl+C, or kill / a closed terminal / systemd
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    process = start_hub(options)
    watcher = backups.Watcher(options.root, options.backup_minutes)
    try:
        wait_until_up(process, options)
        print(next_steps(options, members), flush=True)
        while process.poll() is None:
            if signal.sigtimedwait(stops, 1):
                break
            try:
                watcher.tick()
            except (OSError, CourseInputError, backups.sqlite3.Error) as error:
                print(f"备份成绩库失败：{error}", flush=True)
        return 0 if process.returncode in (None, 0) else 1
    finally:
        stop_hub(process)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
        service.release(state)
        print("JupyterHub 已停止。", flush=True)


# --- a forgotten password ------------------------------------------------------------------------


def _api(root: Path, method: str, path: str, api: bool = True) -> tuple[int, object]:
    """Call the running hub's REST API as the crmlab-hub service: the HTTP status (0: no hub
    answered) and the answer's JSON."""
    state = root / "state"
    try:
        settings = json.loads((state / "hub.json").read_text(encoding="utf-8"))
        token = (state / "service-token").read_text().strip()
    except OSError:
        return 0, None
    url = f"http://127.0.0.1:{settings['hub_port']}/hub{'/api' if api else ''}{path}"
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"})
    try:
        with _open(request, timeout=60) as answer:
            body = answer.read()
            return answer.status, json.loads(body) if body else None
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None


def reset_password(root: Path, login: str) -> str:
    """Give ``login`` a new initial password (returned), end their sessions, stop their server."""
    login = login.strip().lower()
    state = root / "state"
    try:
        settings = json.loads((state / "hub.json").read_text(encoding="utf-8"))
    except OSError:
        raise CourseInputError(f"在 {root} 中找不到这个班的设置：请确认 --root 与启动时相同") from None
    if login not in settings["members"]:
        raise CourseInputError(f"{login} 不在这个班的名单上")
    password = PasswordStore(state).issue(login)
    _api(root, "POST", f"/auth/end-sessions/{login}", api=False)
    status, tokens = _api(root, "GET", f"/users/{login}/tokens")
    for token in (tokens or {}).get("api_tokens", []) if status == 200 else []:
        _api(root, "DELETE", f"/users/{login}/tokens/{token['id']}")
    _api(root, "DELETE", f"/users/{login}/server")
    return password
