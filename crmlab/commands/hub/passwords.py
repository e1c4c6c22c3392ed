"""The hub's passwords: nobody can claim an account by logging in first.

Every person on the roster gets a random initial password when ``crmlab hub`` sets the class up
(and a new one at ``--reset-password``); the teacher hands it out on a printed slip. It opens
the account once: the first login with it must choose a new password, and the initial one is
then void. Passwords are stored as scrypt hashes (salted, from the standard library) in
``<root>/state/passwords.json`` (root only); the initial passwords not used yet are kept in plain text beside it, in
``initial-passwords.json`` (root only), until their owner replaces them, so that the printable
sheet (``<root>/passwords/``) can be written again at every start.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""Letters and digits that cannot be mistaken for one another on paper (no 0/o, 1/l/i)."""

INITIAL_LENGTH = 10


def new_initial_password() -> str:
    """Ten characters of :data:`ALPHABET` (about 49 bits), shown as ``xxxxx-xxxxx``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(INITIAL_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
"""scrypt's cost: 16 MiB and some 50 ms per check, as OWASP suggests for scrypt."""


def _hash(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _matches(password: str, hashed: str) -> bool:
    kind, _, rest = hashed.partition("$")
    salt, _, digest = rest.partition("$")
    if kind != "scrypt" or not salt or not digest:
        return False
    computed = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), **SCRYPT)
    return hmac.compare_digest(computed.hex(), digest)


def _write_private(path: Path, data: dict) -> None:
    """Write ``data`` as JSON in one step (a new file renamed over the old), mode 0600."""
    temporary = path.with_name(f".{path.name}.new")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


@dataclass
class Account:
    hash: str
    must_change: bool


class PasswordStore:
    """The passwords of one hub (``<root>/state``)."""

    def __init__(self, state: Path):
        self.path = Path(state) / "passwords.json"
        self.initial_path = Path(state) / "initial-passwords.json"

    def _accounts(self) -> dict[str, dict]:
        return _read(self.path)

    def account(self, login: str) -> Account | None:
        entry = self._accounts().get(login)
        return Account(**entry) if entry else None

    def initial_passwords(self) -> dict[str, str]:
        """The initial passwords nobody has replaced yet, by login."""
        return _read(self.initial_path)

    def issue(self, login: str) -> str:
        """A new initial password for ``login`` (their old password stops working)."""
        password = new_initial_password()
        accounts = self._accounts()
        accounts[login] = {"hash": _hash(password), "must_change": True}
        initial = self.initial_passwords()
        initial[login] = password
        _write_private(self.path, accounts)
        _write_private(self.initial_path, initial)
        return password

    def issue_missing(self, logins: list[str]) -> list[str]:
        """Give an initial password to each login that has no password yet; returns them."""
        known = self._accounts()
        missing = [login for login in logins if login not in known]
        for login in missing:
            self.issue(login)
        return missing

    def check(self, login: str, password: str) -> Account | None:
        """The account when ``password`` is its password, else None."""
        account = self.account(login)
        return account if account and _matches(password, account.hash) else None

    def change(self, login: str, password: str) -> None:
        """Make ``password`` the password of ``login`` (no longer an initial one)."""
        accounts = self._accounts()
        accounts[login] = {"hash": _hash(password), "must_change": False}
        _write_private(self.path, accounts)
        initial = self.initial_passwords()
        if initial.pop(login, None) is not None:
            _write_private(self.initial_path, initial)


MIN_LENGTH = 8


def problem_with(new: str, repeated: str, current: str, min_length: int) -> str | None:
    """Why ``new`` cannot become the password (in Chinese), or None."""
    if len(new) < min_length:
        return f"新密码太短：请设置至少 {min_length} 位的密码。"
    if new != repeated:
        return "两次输入的新密码不一样，请重新输入。"
    if new == current:
        return "新密码不能与原来的密码相同。"
    return None


# --- the sheet the teacher prints ---------------------------------------------------------------

SHEET_NAME = "初始密码"


def write_sheet(folder: Path, rows: list[tuple[str, str, str, str]], urls: list[str]) -> list[Path]:
    """Write the initial passwords (姓名, 学号, 角色, 密码) as ``初始密码.xlsx`` and
    ``初始密码.html`` (cut-out slips) in ``folder``, readable by root only; returns the files."""
    import html

    import pandas as pd

    from crmlab.data.io import write_table

    folder.mkdir(mode=0o700, exist_ok=True)
    folder.chmod(0o700)
    address = urls[0] if urls else ""
    table = pd.DataFrame(rows, columns=["姓名", "学号", "角色", "初始密码"])
    table.insert(3, "地址", address)
    workbook = write_table(table, folder / f"{SHEET_NAME}.xlsx", sheet=SHEET_NAME)
    slips = "\n".join(
        f"""<div class="slip"><h2>CRM Lab 客户关系管理课程</h2>
<p>姓名：<b>{html.escape(name)}</b>　学号：<b>{html.escape(login)}</b>（{html.escape(role)}）</p>
<p>地址：<span class="mono">{html.escape(address)}</span></p>
<p>初始密码：<span class="mono password">{html.escape(password)}</span></p>
<p class="note">第一次登录时输入学号和初始密码，然后设置你自己的新密码；初始密码随即作废。</p></div>"""
        for name, login, role, password in rows)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{SHEET_NAME}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 1cm; }}
.slip {{ border: 1px dashed #555; padding: 0.4cm 0.6cm; margin-bottom: 0.3cm; page-break-inside: avoid; }}
.slip h2 {{ font-size: 12pt; margin: 0 0 0.2cm; }}
.mono {{ font-family: "DejaVu Sans Mono", monospace; font-size: 13pt; }}
.password {{ font-weight: bold; letter-spacing: 1px; }}
.note {{ font-size: 9pt; color: #333; }}
</style></head><body>
<p>沿虚线剪开，每人一张。请妥善保管本页，发完后销毁。</p>
{slips}
</body></html>
"""
    page_path = folder / f"{SHEET_NAME}.html"
    page_path.write_text(page, encoding="utf-8")
    for path in (workbook, page_path):
        path.chmod(0o600)
    return [workbook, page_path]
