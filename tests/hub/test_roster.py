"""`crmlab hub`'s roster and its refusals before anything is set up: no running hub needed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from benchmarks.harness import unique_prefix, write_roster
from crmlab.commands.hub import accounts
from crmlab.commands.hub.roster import members_from_table, read_roster, unix_name
from crmlab.rules.checks import CourseInputError
from tests.support import ROOT

# --- the roster ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_roster_reads_the_encodings_excel_saves(tmp_path, encoding):
    """Is a roster read alike from UTF-8, UTF-8 with BOM and GBK, 学号 kept as text?"""
    path = tmp_path / "名单.csv"
    path.write_text("学号,姓名,角色\n007,王老师,教师\n2023001,李雷,学生\nAB12,韩梅梅,student\n",
                    encoding=encoding)
    members = read_roster(path)
    assert [(m.id, m.name, m.role) for m in members] == [
        ("007", "王老师", "instructor"), ("2023001", "李雷", "student"),
        ("ab12", "韩梅梅", "student")]
    assert members[0].unix_name == "jupyter-007"


def test_roster_reads_an_excel_workbook(tmp_path):
    """Is an .xlsx roster read, with a bad row named by the row number Excel shows?"""
    import pandas as pd

    from crmlab.data.io import write_table

    table = pd.DataFrame({"学号": ["007", "2023001"], "姓名": ["王老师", "李雷"], "角色": ["教师", "学生"]})
    path = write_table(table, tmp_path / "名单.xlsx")
    assert [(m.id, m.role) for m in read_roster(path)] == [("007", "instructor"), ("2023001", "student")]
    table.loc[2] = ["2023002", "韩梅梅", "旁听"]
    with pytest.raises(CourseInputError, match="第 4 行的角色「旁听」"):
        read_roster(write_table(table, tmp_path / "名单2.xlsx"))


@pytest.mark.parametrize(("rows", "message"), [
    ("2023001,李雷,学生\n,韩梅梅,学生\n", "第 4 行的学号是空的"),
    ("2023001,李雷,学生\n2023001,韩梅梅,学生\n", "第 4 行的学号「2023001」与第 3 行重复"),
    ("2023001,李雷,学生\n2023002,韩梅梅,助教\n", "第 4 行的角色「助教」：应为「学生」或「教师」"),
    ("2023001,李雷,学生\n李 雷,韩梅梅,学生\n", "第 4 行的学号「李 雷」不能用作登录名"),
    ("2023001,李雷,学生\n" + "9" * 30 + ",韩梅梅,学生\n", "太长"),
])
def test_a_bad_row_is_named_by_its_line(tmp_path, rows, message):
    """Does each kind of bad row give one Chinese sentence with the row number?"""
    path = tmp_path / "名单.csv"
    path.write_text("学号,姓名,角色\n001,王老师,教师\n" + rows, encoding="utf-8")
    with pytest.raises(CourseInputError, match=message.replace("(", r"\(")):
        read_roster(path)


def test_a_roster_needs_its_columns_and_a_teacher():
    """Are a missing column and a class without any 教师 refused?"""
    import pandas as pd

    with pytest.raises(CourseInputError, match="缺少「角色」列"):
        members_from_table(pd.DataFrame({"学号": ["1"], "姓名": ["李雷"]}), "名单")
    with pytest.raises(CourseInputError, match="没有教师"):
        members_from_table(pd.DataFrame({"学号": ["1"], "姓名": ["李雷"], "角色": ["学生"]}), "名单")


def test_cli_refuses_a_bad_roster_and_creates_nothing(tmp_path, capsys):
    """Does `crmlab hub` with a bad row exit 1 with one Chinese line, making no account and
    no --root folder?"""
    from crmlab.commands.cli import main

    prefix = unique_prefix()
    roster = write_roster(tmp_path / "名单.csv", [(f"{prefix}t", "王老师", "教师"),
                                                  (f"{prefix}s", "李雷", "旁听")])
    root = tmp_path / "hub-root"
    assert main(["hub", "--roster", str(roster), "--root", str(root)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "第 3 行" in err and "旁听" in err, err
    assert not root.exists()
    assert not accounts.account_exists(unix_name(f"{prefix}t"))


@pytest.mark.slow  # starts processes (nbgrader, crmlab, a kernel)
def test_without_node_the_command_says_what_to_install(tmp_path):
    """Without node/npm on PATH, does `crmlab hub` say in one Chinese line what to install?"""
    roster = write_roster(tmp_path / "名单.csv", [("t1", "王老师", "教师")])
    done = subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "hub", "--roster", str(roster),
                           "--root", str(tmp_path / "r")], capture_output=True, text=True,
                          env=dict(os.environ, PATH=str(tmp_path)), cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert "Node.js" in done.stderr and "npm install -g configurable-http-proxy" in done.stderr
