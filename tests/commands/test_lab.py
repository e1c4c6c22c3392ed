"""`crmlab lab` (what `make lab` runs): JupyterLab opens on lesson 00 with a Chinese interface,
and a user who picks English keeps it. The browser tests start the real command and open the
address it prints."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from benchmarks.harness import free_port
from crmlab.commands import lab
from tests.support import ROOT
from tests.support.browser import copy_lessons, stop_process

CHINESE_MENUS = ["文件", "编辑", "查看", "运行", "内核", "设置", "帮助"]
ENGLISH_MENUS = ["File", "Edit", "View", "Run", "Kernel", "Settings", "Help"]


# --- the default locale -----------------------------------------------------------------------


NEWS_PLUGIN = "@jupyterlab/apputils-extension:notification"
COURSE_DEFAULTS = {lab.TRANSLATION_PLUGIN: {"locale": "zh_CN"},
                   NEWS_PLUGIN: {"fetchNews": "false", "checkForUpdates": False}}


def test_package_file_sets_chinese_and_no_news_and_every_install_ships_it():
    """Does the package's overrides.json set zh_CN and turn the news pop-up off, and does
    pyproject install it where JupyterLab reads defaults (share/jupyter/lab/settings)?"""
    wanted = json.loads(lab.OVERRIDES_SOURCE.read_text(encoding="utf-8"))
    assert wanted == COURSE_DEFAULTS
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = pyproject["tool"]["setuptools"]["data-files"]
    assert data_files["share/jupyter/lab/settings"] == ["crmlab/jupyter/overrides.json"]
    assert lab.overrides_path("/p") == Path("/p/share/jupyter/lab/settings/overrides.json")


def test_ensure_chinese_default_writes_the_defaults_into_a_fresh_environment(tmp_path):
    """In an environment without overrides.json, are zh_CN and the news setting put in place?"""
    path = lab.ensure_chinese_default(tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == COURSE_DEFAULTS


def test_ensure_chinese_default_keeps_other_defaults_and_an_existing_locale(tmp_path):
    """Are an administrator's other defaults kept, and a locale they chose left alone?"""
    path = lab.overrides_path(tmp_path)
    path.parent.mkdir(parents=True)
    theme = {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}
    path.write_text(json.dumps(theme), encoding="utf-8")
    merged = json.loads(lab.ensure_chinese_default(tmp_path).read_text(encoding="utf-8"))
    assert merged == {**theme, **COURSE_DEFAULTS}

    english = {lab.TRANSLATION_PLUGIN: {"locale": "en"}, NEWS_PLUGIN: {"fetchNews": "true"}}
    path.write_text(json.dumps(english), encoding="utf-8")
    lab.ensure_chinese_default(tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == english


def test_the_environment_running_the_tests_has_the_course_defaults():
    """Does the .venv the Makefile made (an editable install, which setup.py makes install
    data-files) carry the defaults, without any step of its own?"""
    settings = json.loads(lab.overrides_path(sys.prefix).read_text(encoding="utf-8"))
    assert settings == COURSE_DEFAULTS


def write_user_settings(settings_dir: Path, user_settings: dict[str, dict]) -> None:
    """A user's own JupyterLab settings, as 设置 → 设置编辑器 saves them."""
    for plugin, values in user_settings.items():
        package, name = plugin.rsplit(":", 1)
        target = settings_dir / package / f"{name}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")


class PlainJupyterLab:
    """Plain ``jupyter lab`` (not ``crmlab lab``) of this environment, with its own user
    settings folder; ``setting(plugin)`` is the value JupyterLab's settings API gives each key."""

    def __init__(self, scratch: Path, user_settings: dict[str, dict] | None = None):
        settings_dir = scratch / "user-settings"
        write_user_settings(settings_dir, user_settings or {})
        self.port, self.token = free_port(), "plain-lab-test"
        (scratch / "root").mkdir(parents=True)
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
                   JUPYTERLAB_WORKSPACES_DIR=str(scratch / "workspaces"))
        command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={scratch / 'root'}", "--allow-root"]
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                        stderr=(scratch / "lab.log").open("w"))
        if not lab._wait_until_up(self.process, self.port):
            self.stop()
            raise RuntimeError((scratch / "lab.log").read_text()[-3000:])

    def setting(self, plugin: str) -> dict:
        import urllib.request

        url = f"http://127.0.0.1:{self.port}/lab/api/settings/{plugin}?token={self.token}"
        with urllib.request.urlopen(url, timeout=30) as answer:
            served = json.load(answer)
        # What JupyterLab applies: the user's value, else the default (overrides included).
        defaults = {key: spec.get("default") for key, spec in served["schema"]["properties"].items()}
        return {**defaults, **served["settings"]}

    def stop(self) -> None:
        stop_process(self.process, timeout=30)


@pytest.mark.slow
def test_plain_jupyter_lab_is_chinese_without_news_and_a_users_choice_wins(tmp_path):
    """Does plain `jupyter lab` serve zh_CN with the news pop-up off, and does a user who chose
    English and news get them?"""
    server = PlainJupyterLab(tmp_path / "default")
    try:
        assert server.setting(lab.TRANSLATION_PLUGIN)["locale"] == "zh_CN"
        news = server.setting(NEWS_PLUGIN)
        assert (news["fetchNews"], news["checkForUpdates"]) == ("false", False)
    finally:
        server.stop()
    server = PlainJupyterLab(tmp_path / "user", {lab.TRANSLATION_PLUGIN: {"locale": "en"},
                                                 NEWS_PLUGIN: {"fetchNews": "true"}})
    try:
        assert server.setting(lab.TRANSLATION_PLUGIN)["locale"] == "en"
        assert server.setting(NEWS_PLUGIN)["fetchNews"] == "true"
    finally:
        server.stop()


def test_lab_refuses_a_busy_port_and_a_folder_without_lessons(tmp_path, capsys):
    """Does `crmlab lab` explain, in Chinese, a port in use or a folder that is not the course?"""
    from crmlab.commands.cli import main

    assert main(["lab", "--no-browser", "--root", str(tmp_path)]) == 1
    assert "找不到课程导览 lessons/00_guide.ipynb" in capsys.readouterr().err
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["lab", "--no-browser", "--port", str(port), "--root", str(ROOT)]) == 1
    assert f"端口 {port} 已被占用" in capsys.readouterr().err


# --- the real command in a browser ------------------------------------------------------------


class CrmlabLab:
    """`crmlab lab --no-browser --port N` on a scratch copy of the lessons, with its own
    user-settings folder; ``url`` is the address the command printed."""

    def __init__(self, scratch: Path, user_settings: dict[str, dict] | None = None):
        root = scratch / "course"
        copy_lessons(ROOT, root / "lessons")
        settings_dir = scratch / "user-settings"
        write_user_settings(settings_dir, user_settings or {})
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
                   JUPYTERLAB_WORKSPACES_DIR=str(scratch / "workspaces"))
        self.log = scratch / "crmlab-lab.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crmlab.commands.cli", "lab", "--no-browser", "--port", str(free_port()),
             "--root", str(root)],
            env=env, stdout=subprocess.PIPE, stderr=self.log.open("w"), text=True,
        )
        self.output = ""
        self.url = self._read_url()

    def _read_url(self, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        for line in self.process.stdout:
            self.output += line
            found = re.search(r"http://127\.0\.0\.1:\d+/\S+", line)
            if found:
                return found.group(0)
            if time.monotonic() > deadline:
                break
        raise RuntimeError(f"crmlab lab printed no address:\n{self.output}\n"
                           + self.log.read_text()[-3000:])

    def stop(self) -> None:
        stop_process(self.process, timeout=30)


def _menu_labels(page) -> list[str]:
    labels = page.locator("#jp-menu-panel .lm-MenuBar-itemLabel")
    expect(labels.first).to_be_visible(timeout=60_000)
    return labels.all_inner_texts()


def _expect_lesson_00_open(page) -> None:
    current = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    expect(current).to_contain_text("00_guide.ipynb", timeout=60_000)
    expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook h1").first
           ).to_contain_text("课程导览")


@pytest.mark.browser
@pytest.mark.slow
def test_crmlab_lab_opens_lesson_00_in_chinese(tmp_path, page):
    """Does `crmlab lab` print an address that opens lesson 00 under a Chinese menu bar?"""
    server = CrmlabLab(tmp_path)
    try:
        assert "/lab/tree/lessons/00_guide.ipynb" in server.url
        assert "JupyterLab 已启动" in server.output
        page.goto(server.url)
        _expect_lesson_00_open(page)
        labels = _menu_labels(page)
        assert all(menu in labels for menu in CHINESE_MENUS), labels
        assert not any(menu in labels for menu in ENGLISH_MENUS), labels
    finally:
        server.stop()
    assert server.process.returncode is not None


@pytest.mark.browser
@pytest.mark.slow
def test_a_user_who_chose_english_keeps_it(tmp_path, page):
    """Do a user's own language settings (English) win over the course's zh_CN default?"""
    server = CrmlabLab(tmp_path, {lab.TRANSLATION_PLUGIN: {"locale": "en"}})
    try:
        page.goto(server.url)
        _expect_lesson_00_open(page)
        labels = _menu_labels(page)
        assert all(menu in labels for menu in ENGLISH_MENUS), labels
    finally:
        server.stop()
