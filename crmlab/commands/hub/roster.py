"""The class list a teacher gives ``crmlab hub``: one row per person, 学号, 姓名 and 角色.

The table is read with the course's one reader for tables people give it (CSV in UTF-8, UTF-8
with BOM or GBK, and Excel workbooks). Every row is checked before anything is created: the
first bad row raises a :class:`~crmlab.rules.checks.CourseInputError` naming its row number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crmlab.rules.checks import CourseInputError

COLUMNS = {"学号": "id", "姓名": "name", "角色": "role"}
"""The roster's columns (Chinese header → field)."""

ALIASES = {"student_id": "学号", "id": "学号", "name": "姓名", "role": "角色"}
"""English headers accepted for the same columns."""

ROLES = {"学生": "student", "student": "student", "教师": "instructor", "老师": "instructor",
         "instructor": "instructor", "teacher": "instructor"}
"""What the 角色 column may say, and the role it means."""

ROLE_LABELS = {"student": "学生", "instructor": "教师"}

USER_PREFIX = "jupyter-"
"""Each hub user is backed by the Unix account ``jupyter-<学号>`` (The Littlest JupyterHub's
naming)."""

MAX_ID_LENGTH = 32 - len(USER_PREFIX)
"""Linux user names have at most 32 characters."""

_VALID_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Member:
    """One person of the class: ``id`` is the login name (the 学号, lower case)."""

    id: str
    name: str
    role: str  # "student" or "instructor"

    @property
    def unix_name(self) -> str:
        return unix_name(self.id)

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"


def unix_name(login: str) -> str:
    """The Unix account behind the hub user ``login``."""
    return f"{USER_PREFIX}{login}"


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a 学号 a spreadsheet stored as a number
    return str(value).strip()


def check_id(raw: str, where: str) -> str:
    """The login name for a 学号, or a Chinese error saying why it cannot be one."""
    login = raw.lower()
    if not raw:
        raise CourseInputError(f"{where}的学号是空的：每一行都要有学号")
    if len(login) > MAX_ID_LENGTH:
        raise CourseInputError(
            f"{where}的学号「{raw}」太长：最多 {MAX_ID_LENGTH} 个字符（它要用作系统用户名）")
    if not _VALID_ID.match(login):
        raise CourseInputError(
            f"{where}的学号「{raw}」不能用作登录名：只能包含英文字母、数字、下划线和减号，"
            "并以字母或数字开头")
    return login


def members_from_table(table: pd.DataFrame, source: str, first_line: int = 2) -> list[Member]:
    """Check a roster table whose index is each row's position in the file: index ``k`` is
    line ``k + first_line`` (the header being line 1)."""
    table = table.rename(columns=lambda c: ALIASES.get(str(c).strip().lower(), str(c).strip()))
    missing = [column for column in COLUMNS if column not in table.columns]
    if missing:
        raise CourseInputError(
            f"{source} 缺少「{'」「'.join(missing)}」列：名单的表头应为 学号,姓名,角色")
    members: list[Member] = []
    seen: dict[str, int] = {}
    for position, *row in table[list(COLUMNS)].itertuples():
        line = int(position) + first_line
        where = f"{source} 第 {line} 行"
        raw_id, name, raw_role = (_text(value) for value in row)
        if not (raw_id or name or raw_role):
            continue  # an empty line
        login = check_id(raw_id, where)
        if login in seen:
            raise CourseInputError(f"{where}的学号「{raw_id}」与第 {seen[login]} 行重复")
        role = ROLES.get(raw_role.lower())
        if role is None:
            shown = f"「{raw_role}」" if raw_role else "是空的"
            raise CourseInputError(f"{where}的角色{shown}：应为「学生」或「教师」")
        seen[login] = line
        members.append(Member(login, name, role))
    if not members:
        raise CourseInputError(f"{source} 中没有任何人：请每行写一位学生或教师")
    if not any(member.is_instructor for member in members):
        raise CourseInputError(f"{source} 中没有教师：至少要有一行的角色是「教师」，由他发布作业和评分")
    return members


def read_roster(path: Path | str) -> list[Member]:
    """Read and check the roster file at ``path`` (CSV or .xlsx; row numbers as Excel shows
    them)."""
    from crmlab.data.io import read_table

    path = Path(path)
    table = read_table(path, text_columns=(*COLUMNS, *ALIASES))
    return members_from_table(table, f"名单 {path.name}")
