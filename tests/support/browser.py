"""A real JupyterLab on a loopback port, driven by Playwright in Debian's headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.harness import free_port

CHROMIUM = os.environ.get("CRMLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class LabServer:
    """`jupyter lab` serving ``root`` on 127.0.0.1, no token, app exposed as window.jupyterapp."""

    def __init__(self, root: Path, scratch: Path):
        self.root = root
        self.port = free_port()
        settings = scratch / "lab-settings"
        tracker = settings / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True, exist_ok=True)
        # Keep every cell in the DOM so that tests can find widgets further down the page.
        (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        # No "would you like news?" toast over the page.
        notices = settings / "@jupyterlab" / "apputils-extension"
        notices.mkdir(parents=True, exist_ok=True)
        (notices / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
        self.log_path = scratch / "jupyterlab.log"
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(scratch / "workspaces"))
        self.process = self.popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             f"--port={self.port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
             "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
             "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}"],
            env, self.log_path.open("w"))
        self._wait()

    def popen(self, command: list[str], env: dict, log) -> subprocess.Popen:
        """Start the server (a subclass may change its folder or environment)."""
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("JupyterLab exited:\n" + self.log_path.read_text()[-3000:])
            try:
                urllib.request.urlopen(f"{self.url}/api/status", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError("JupyterLab did not start:\n" + self.log_path.read_text()[-3000:])

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate ``process``; kill it if it has not ended after ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


def copy_lessons(root: Path, target: Path) -> Path:
    """A scratch copy of lessons/ so that autosave never touches a tracked notebook."""
    shutil.copytree(root / "lessons", target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return target


OPEN_NOTEBOOK: dict[int, str] = {}
"""id(page) → the notebook open_and_run_all last opened in it, for the check after each test."""


def open_and_run_all(page, server: LabServer, notebook: str, timeout_ms: int = 120_000) -> None:
    """Open a notebook on a clean workspace, wait for its kernel, run all cells, wait for idle.

    After the test, the ``page`` fixture checks that the notebook's log console is empty (see
    :func:`log_console`); opening another notebook in the same page replaces it.
    """
    OPEN_NOTEBOOK[id(page)] = notebook
    page.goto(f"{server.url}/lab/tree/{notebook}?reset")
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel; return k && k.status === 'idle'; }",
        timeout=timeout_ms,
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        "() => { const prompts = [...document.querySelectorAll('.jp-InputPrompt')];"
        " return prompts.length > 0 && prompts.every(p => !p.textContent.includes('*'))"
        " && prompts.some(p => /\\d/.test(p.textContent)); }",
        timeout=timeout_ms,
    )


def error_outputs(page) -> list[str]:
    """Texts of error outputs and stderr streams shown in the notebook."""
    return page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "nodes => nodes.map(n => n.textContent.slice(0, 300))",
    )


# JupyterLab logs, per notebook, every kernel output that no cell's request asked for (e.g. a
# figure displayed or a line printed by a widget callback outside the widget's own area) at the
# level "warning", and errors in such callbacks at "error"; its Log Console shows them.
LOG_CONSOLE = """async ([path, clear]) => {
  const app = window.jupyterapp;
  const deadline = Date.now() + 30000;
  const until = async (done, what) => {
    while (!done()) {
      if (Date.now() > deadline) throw new Error('log console: waited too long for ' + what);
      await new Promise(r => setTimeout(r, 100));
    }
  };
  const notebook = Array.from(app.shell.widgets('main'))
    .find(w => w.context && w.context.path === path);
  if (!notebook) throw new Error('notebook not open: ' + path);
  const kernel = () => notebook.sessionContext.session && notebook.sessionContext.session.kernel;
  await until(() => !kernel() || kernel().status === 'idle', 'an idle kernel');
  const open = () => document.querySelector('.jp-LogConsole');
  if (open()) await app.commands.execute('logconsole:open');  // the command toggles
  await app.commands.execute('logconsole:open', {source: path, insertMode: 'split-bottom'});
  const panel = open();
  const shown = () => panel.querySelector('.jp-OutputArea-child')
    || [...panel.querySelectorAll('.jp-LogConsoleListPlaceholder')].some(p => p.offsetParent);
  await until(shown, 'the console to show');
  const entries = [...panel.querySelectorAll('.jp-OutputArea-child')].map(entry => {
    const level = entry.querySelector('[data-log-level]');
    const output = entry.querySelector('.jp-OutputArea-output');
    return `${level ? level.dataset.logLevel : '?'} ${output ? output.dataset.mimeType : '?'}: `
      + (output ? output.textContent.trim().slice(0, 200) : '');
  });
  if (clear) await app.commands.execute('logconsole:clear');
  await app.commands.execute('logconsole:open');  // close it again
  return entries;
}"""

def log_console(page, notebook: str, *, clear: bool = False) -> list[str]:
    """The entries of JupyterLab's log console for ``notebook`` (its path in the lab), each as
    "level mime-type: text": what kernel output went to no cell once the kernel is idle.

    Opens the Log Console (command ``logconsole:open``) as a user would, at its default level,
    reads it (and with ``clear`` empties it) and closes it. A widget whose output lands there
    has escaped its own area.
    """
    return page.evaluate(LOG_CONSOLE, [notebook, clear])
