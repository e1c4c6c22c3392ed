"""``crmlab lab`` (``make lab``): JupyterLab on the course, in Chinese, with lesson 00 open.

JupyterLab takes its default settings from ``<sys.prefix>/share/jupyter/lab/settings/
overrides.json``; the package's ``crmlab/jupyter/overrides.json`` makes ``zh_CN`` the default
locale there and turns off the news pop-up (which asks every first-time user whether to fetch
Jupyter news from the internet). Every install puts that file in place
(``[tool.setuptools.data-files]`` in ``pyproject.toml``; ``setup.py`` makes editable installs do
it too), so plain ``jupyter lab`` is Chinese as well; :func:`ensure_chinese_default` adds what is
missing in an environment made otherwise, without touching any other default in that file.
These are only defaults: a user who picks English in 设置 → 语言 (Settings → Language) has it
saved in their own user settings, which win.

The course folder JupyterLab opens: the repository itself for an editable install, else the
user's own copy of the lessons in ``~/crmlab`` (``DEFAULT_COURSE``), made on first use; a
lesson already there is never overwritten.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from importlib import resources
from pathlib import Path

from crmlab.course.manifest import load_course
from crmlab.data.resources import checkout_root, copy_lessons
from crmlab.rules.checks import CourseInputError

OVERRIDES_SOURCE = Path(str(resources.files("crmlab") / "jupyter" / "overrides.json"))
DEFAULT_COURSE = Path("~/crmlab")
"""Where an installed (not editable) crmlab puts the user's copy of the lessons."""
FIRST_LESSON = f"lessons/{load_course().lesson(0).file}"
"""Lesson 00, the course guide, as the course manifest names it."""
DEFAULT_PORT = 8888
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"


def overrides_path(prefix: str | Path = sys.prefix) -> Path:
    """Where JupyterLab of the environment ``prefix`` reads its default settings."""
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def ensure_chinese_default(prefix: str | Path = sys.prefix) -> Path:
    """Make the course's defaults (zh_CN, no news pop-up) those of the JupyterLab in ``prefix``;
    return the file's path.

    Plugins already in an existing overrides.json are kept as they are; only plugins the
    package's file sets and the file lacks are added. Nothing is written when none is missing.
    """
    target = overrides_path(prefix)
    current = _read_json(target) if target.exists() else {}
    if not OVERRIDES_SOURCE.exists():
        raise CourseInputError(
            f"找不到 {OVERRIDES_SOURCE}，无法把界面设为中文；请在项目文件夹中重新安装：pip install .")
    wanted = _read_json(OVERRIDES_SOURCE)
    if set(wanted) <= set(current):
        return target
    merged = {**wanted, **current}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CourseInputError(f"JupyterLab 设置文件 {path} 无法读取：{error}") from error
    if not isinstance(data, dict):
        raise CourseInputError(f"JupyterLab 设置文件 {path} 的内容应当是一个 JSON 对象")
    return data


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_port(start: int = DEFAULT_PORT, tries: int = 50) -> int:
    """The first free port from ``start`` on (JupyterLab's own habit, but chosen up front so
    that the address printed is the address served)."""
    for port in range(start, start + tries):
        if port_is_free(port):
            return port
    raise CourseInputError(f"端口 {start}–{start + tries - 1} 都被占用了，请用 --port 指定一个空闲端口")


def lab_command(root: Path, port: int, token: str) -> list[str]:
    """The ``jupyter lab`` command line: loopback only, our port and token, no browser of its
    own (we open it once the server answers)."""
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
        command.append("--allow-root")
    return command


def lesson_url(port: int, token: str, notebook: str = FIRST_LESSON) -> str:
    return f"http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}"


def _wait_until_up(process: subprocess.Popen, port: int, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=2)
        except urllib.error.HTTPError:
            return True  # 403 without the token: the server is up
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
        else:
            return True
    return False


def course_folder() -> Path:
    """The folder ``crmlab lab`` opens without ``--root``: the checkout of an editable install,
    else ``~/crmlab`` with the shipped lessons copied in (existing files kept)."""
    root = checkout_root()
    if root is not None:
        return root
    target = DEFAULT_COURSE.expanduser()
    copied = copy_lessons(target)
    if copied:
        print(f"已把 {len(copied)} 个课件复制到 {target / 'lessons'}（已有的文件不会被覆盖）", flush=True)
    return target


def run_lab(root: Path | None = None, port: int | None = None, open_browser: bool = True) -> int:
    """Start JupyterLab on ``root`` (default :func:`course_folder`) with lesson 00 open; print
    the address; run until Ctrl+C."""
    root = Path(root).expanduser().resolve() if root is not None else course_folder()
    if not (root / FIRST_LESSON).exists():
        raise CourseInputError(f"在 {root} 中找不到课程导览 {FIRST_LESSON}：请在课程文件夹中运行，或用 --root 指定")
    if port is None:
        port = pick_port()
    elif not 1 <= port <= 65535:
        raise CourseInputError(f"端口号应在 1–65535 之间，现在是 {port}")
    elif not port_is_free(port):
        raise CourseInputError(f"端口 {port} 已被占用，请换一个端口（--port）或不指定端口")
    settings = ensure_chinese_default()
    token = secrets.token_hex(24)
    url = lesson_url(port, token)
    print(f"界面语言：中文（默认设置 {settings}；在「设置 → 语言」中可改为英文）", flush=True)
    print(f"正在启动 JupyterLab（课程文件夹 {root}）……", flush=True)
    process = subprocess.Popen(lab_command(root, port, token), cwd=root,
                               env=dict(os.environ, PYTHONUNBUFFERED="1"))
    # `kill`, a closed terminal or a CI timeout stops JupyterLab too, not only Ctrl+C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if not _wait_until_up(process, port):
            raise CourseInputError("JupyterLab 没有启动成功，请查看上面的日志")
        print(f"\nJupyterLab 已启动，课程导览已打开。在浏览器中访问：\n\n    {url}\n\n"
              "按 Ctrl+C 停止。", flush=True)
        if open_browser:
            webbrowser.open(url)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGINT)  # JupyterLab asks for confirmation after the first
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    print("JupyterLab 已停止。", flush=True)


if __name__ == "__main__":  # `python -m crmlab.commands.lab`: put the defaults into this environment
    print(f"JupyterLab 默认界面语言：中文（{ensure_chinese_default()}）")
