"""A real `crmlab hub` on a loopback port, its accounts made from a roster with a random prefix
and all removed again (accounts, homes, processes, its own teachers' group, the --root folder).

Used by benchmarks/hub_class.py and tests/hub/test_hub.py. Building the servers' environment takes
a minute or more; while working on the hub, ``CRMLAB_TEST_HUB_ROOT=/some/dir`` keeps one --root
whose env/ is reused from run to run (everything else in it is still removed).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from crmlab.commands.hub import accounts
from crmlab.commands.hub.roster import unix_name
from crmlab.commands.hub.spawner import CONTROLLERS, cgroup_path
from crmlab.data.resources import REPOSITORY
from crmlab.grading import cgroups

ROOT = REPOSITORY
PASSWORD = "crmlab-test-2026"
LOGS = ROOT / "out" / "hub-logs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unique_prefix() -> str:
    """A login prefix no real user and no other run has: letters, then random hex."""
    return f"zt{secrets.token_hex(3)}"


def write_roster(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["学号,姓名,角色", *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Hub:
    """`crmlab hub --roster R --root D --ip 127.0.0.1 --port P` as a child process."""

    def __init__(self, roster: Path, root: Path | None = None, port: int | None = None,
                 extra: tuple[str, ...] = ()):
        kept = os.environ.get("CRMLAB_TEST_HUB_ROOT")
        self.keep_env = bool(kept) and root is None
        self.root = root or (Path(kept) if kept else
                             Path(tempfile.mkdtemp(prefix="crmlab-hub-", dir="/tmp")))
        self.port = port or free_port()
        self.logins: set[str] = set()
        self.group = f"{unique_prefix()}-teachers"  # this run's own: runs never share a group
        self.verify: str | bool = True  # a CA file when the hub speaks HTTPS
        # `crmlab hub` closes the checkout to other accounts; the test gives it back as it was.
        self.checkout_mode = ROOT.stat().st_mode & 0o7777
        try:
            self.start(roster, extra)
        except BaseException:
            self.cleanup()  # the accounts it made, also when it failed to start
            raise

    @property
    def url(self) -> str:
        return f"{'https' if self.https else 'http'}://127.0.0.1:{self.port}"

    def start(self, roster: Path, extra: tuple[str, ...] = ()) -> None:
        import csv

        with roster.open(encoding="utf-8-sig") as rows:
            self.logins |= {row["学号"].lower() for row in csv.DictReader(rows) if row["学号"]}
        self.roster, self.extra = roster, extra
        self.https = "--self-signed" in extra or "--ssl-cert" in extra
        self.output_path = self.root.parent / f"{self.root.name}.out"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crmlab.commands.cli", "hub", "--roster", str(roster), "--root",
             str(self.root), "--ip", "127.0.0.1", "--port", str(self.port), *extra],
            stdout=self.output_path.open("w"), stderr=subprocess.STDOUT, cwd=ROOT,
            env={**os.environ, "CRMLAB_HUB_GROUP": self.group})
        self._wait()

    def initial_password(self, login: str) -> str | None:
        """The initial password ``login`` has not replaced yet (the sheet's, read as root)."""
        path = self.root / "state" / "initial-passwords.json"
        return json.loads(path.read_text(encoding="utf-8")).get(login) if path.exists() else None

    @property
    def output(self) -> str:
        return self.output_path.read_text(encoding="utf-8", errors="replace")

    def log(self, tail: int = 4000) -> str:
        path = self.root / "logs" / "jupyterhub.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def _wait(self, timeout: float = 1500) -> None:  # (a first start builds env/)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "JupyterHub 已启动" in self.output:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        raise RuntimeError(f"crmlab hub did not start:\n{self.output}\n{self.log()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cleanup(self) -> None:
        """Stop the hub and remove everything it made for this run."""
        self.stop()
        log = self.root / "logs" / "jupyterhub.log"
        if log.exists():  # kept for a look after a failure (out/ is not tracked)
            LOGS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log, LOGS / f"{self.root.name}-jupyterhub.log")
            shutil.copyfile(self.output_path, LOGS / f"{self.root.name}-crmlab-hub.out")
        for login in self.logins:
            accounts.remove_account(unix_name(login))
            cgroups.existing(cgroup_path(unix_name(login)), CONTROLLERS).remove()
        if accounts.group_exists(self.group):
            subprocess.run(["groupdel", self.group], capture_output=True)
        if self.keep_env:
            for path in self.root.iterdir():
                if path.name != "env":
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
        else:
            shutil.rmtree(self.root, ignore_errors=True)
        self.output_path.unlink(missing_ok=True)
        ROOT.chmod(self.checkout_mode)

    # --- as a person in a browser-less session ------------------------------------------------

    def login(self, login: str, password: str, **more: str) -> tuple[requests.Session, requests.Response]:
        """Post the login form as a browser does: the session and the hub's answer."""
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would win over session.verify
        session.verify = self.verify
        session.get(f"{self.url}/hub/login", timeout=30)
        answer = session.post(f"{self.url}/hub/login?next=", allow_redirects=False, timeout=60,
                              data={"username": login, "password": password, **more,
                                    "_xsrf": session.cookies.get("_xsrf", "")})
        answer.encoding = "utf-8"  # the hub's pages are UTF-8 (the header does not say so)
        self.refusal = f"{answer.status_code} {answer.text[-500:]}\n{self.log(1500)}"
        return session, answer

    def session(self, login: str, password: str = PASSWORD) -> requests.Session | None:
        """A logged-in session for ``login``, or None when the hub refuses the login. While
        ``login`` still has an initial password, logging in with :data:`PASSWORD` is their
        first login: the initial password, with PASSWORD as the new one."""
        initial = self.initial_password(login)
        if initial and password == PASSWORD:
            session, answer = self.login(login, initial, new_password=PASSWORD,
                                         new_password_repeat=PASSWORD)
        else:
            session, answer = self.login(login, password)
        return session if answer.status_code == 302 else None

    def start_server(self, session: requests.Session, login: str, timeout: float = 300) -> None:
        """Ask the hub for ``login``'s server and wait until it answers through the proxy."""
        answer = session.post(f"{self.url}/hub/api/users/{login}/server", timeout=60,
                              headers={"X-XSRFToken": session.cookies.get("_xsrf", "")})
        assert answer.status_code in (201, 202, 400), answer.text  # 400: already running
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = session.get(f"{self.url}/hub/api/users/{login}", timeout=30,
                                headers={"X-XSRFToken": session.cookies.get("_xsrf", "")})
            if model.ok and (model.json().get("servers", {}).get("", {}).get("ready")):
                # the first visit gives the session its cookie for the server (OAuth)
                session.get(f"{self.url}/user/{login}/lab", timeout=60)
                return
            time.sleep(1)
        raise RuntimeError(f"{login}'s server did not start:\n{self.log()}")


def as_account(login: str, command: str, root: Path, cwd: str = "~",
               ) -> subprocess.CompletedProcess:
    """Run a shell command as ``login``'s Unix account, with the hub's environment on PATH
    (what a terminal in their JupyterLab gives them)."""
    name = unix_name(login)
    home = accounts.home_of(name)
    env = [f"HOME={home}", f"USER={login}", f"LOGNAME={login}", "LANG=C.UTF-8",
           f"PATH={root / 'env' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
           f"CRMLAB_EXCHANGE={root / 'exchange'}"]
    script = f"umask 007; cd {cwd} && {command}"
    return subprocess.run(["runuser", "-u", name, "--", "env", "-i", *env, "sh", "-c", script],
                           capture_output=True, text=True, timeout=900)


def leftover_processes(logins: set[str]) -> list[int]:
    """Processes still running as any of these logins' accounts."""
    pids = []
    for login in logins:
        name = unix_name(login)
        if accounts.account_exists(name):
            import pwd

            pids += accounts.processes_of(pwd.getpwnam(name).pw_uid)
    return pids

