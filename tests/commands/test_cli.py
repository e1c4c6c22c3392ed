"""The `crmlab` command as a user meets it: Chinese help and messages, exit codes, no traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crmlab.commands.cli import main
from crmlab.data import DATA_DIR
from tests.support import ROOT


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own exits (help, usage errors)
        code = exit_.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_help_is_chinese(capsys):
    """Does `crmlab --help` describe the commands in Chinese, with no English boilerplate?"""
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "用法：" in out and "子命令" in out and "显示本帮助并退出" in out
    assert "usage:" not in out and "show this help" not in out
    for command in ("data", "grade", "demo"):
        assert command in out


def test_unknown_command_is_a_usage_error_in_chinese(capsys):
    """Does a mistyped command exit 2 with a Chinese message naming the choices?"""
    code, _, err = run(capsys, "grdae")
    assert code == 2
    assert "无效的选项" in err and "grade" in err and "invalid choice" not in err


def test_missing_required_argument(capsys):
    """Does `data validate` without --schema say in Chinese what is missing?"""
    code, _, err = run(capsys, "data", "validate", "x.csv")
    assert code == 2 and "缺少必需的参数" in err and "--schema" in err


def test_validate_accepts_the_sample(capsys):
    """Does a correct file pass validation with exit code 0?"""
    code, out, _ = run(capsys, "data", "validate", str(DATA_DIR / "orders.csv"), "--schema", "orders")
    assert code == 0 and "符合" in out


def test_validate_names_line_and_column(capsys, tmp_path):
    """Does a negative amount on line 4 of a user's file get named by line and column?"""
    lines = (DATA_DIR / "orders.csv").read_text(encoding="utf-8-sig").splitlines()[:6]
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("amount")] = "-5"
    lines[3] = ",".join(cells)
    path = tmp_path / "我的订单.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "data", "validate", str(path), "--schema", "orders")
    assert code == 1
    assert "第 4 行，D 列「amount」" in err and "-5" in err


def test_validate_reads_a_named_sheet_of_a_workbook(capsys, tmp_path):
    """Does `data validate --sheet` check one sheet of an .xlsx and name Excel's row and letter?"""
    from openpyxl import Workbook

    lines = (DATA_DIR / "orders.csv").read_text(encoding="utf-8-sig").splitlines()[:4]
    book = Workbook()
    book.active.title = "封面"
    sheet = book.create_sheet("订单")
    for line in lines:
        sheet.append(line.split(","))
    sheet["D3"] = -5
    book.save(tmp_path / "订单.xlsx")
    code, _, err = run(capsys, "data", "validate", str(tmp_path / "订单.xlsx"), "--sheet", "订单",
                       "--schema", "orders")
    assert code == 1 and "第 3 行，D 列「amount」" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["data", "validate", "不存在.csv", "--schema", "orders"], "不存在.csv"),
        (["data", "validate", "x.csv", "--schema", "invoices"], "没有名为「invoices」的数据表结构"),
        (["grade", "不存在.csv"], "不存在.csv"),
    ],
)
def test_bad_files_and_names_exit_1(capsys, args, message):
    """Do a missing file and an unknown schema give exit 1 and a Chinese message?"""
    code, _, err = run(capsys, *args)
    assert code == 1 and err.startswith("错误：") and message in err


@pytest.mark.slow
def test_generate_reproduces_the_committed_data(capsys, tmp_path):
    """Does `data generate` with the default seed write exactly the committed CSVs?"""
    code, out, _ = run(capsys, "data", "generate", "--out", str(tmp_path))
    assert code == 0 and "完成" in out
    for committed in DATA_DIR.glob("*.csv"):
        assert (tmp_path / committed.name).read_bytes() == committed.read_bytes(), committed.name


def test_grade_profiles_and_write_results(capsys, tmp_path):
    """Does `grade` grade every customer of the sample and write a CSV with the levels?"""
    out_file = tmp_path / "grades.csv"
    code, out, _ = run(capsys, "grade", str(DATA_DIR / "customers.csv"), "--out", str(out_file))
    assert code == 0 and "已为 320 位客户分级" in out
    import pandas as pd

    assert out_file.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it without garbling
    graded = pd.read_csv(out_file, encoding="utf-8-sig")
    assert set(graded["level"]) <= set("ABCDE") and len(graded) == 320


def test_grade_reads_and_writes_excel(capsys, tmp_path):
    """Does `grade` read an .xlsx and write 分级结果.xlsx when the output is named so?"""
    import pandas as pd
    from openpyxl import load_workbook

    source = tmp_path / "客户.xlsx"
    pd.read_csv(DATA_DIR / "customers.csv").head(25).to_excel(source, index=False)
    out_file = tmp_path / "分级结果.xlsx"
    code, out, _ = run(capsys, "grade", str(source), "--out", str(out_file))
    assert code == 0 and "已为 25 位客户分级" in out
    sheet = load_workbook(out_file)["客户分级"]
    header = [cell.value for cell in sheet[1]]
    levels = [row[header.index("level")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(levels) == 25 and set(levels) <= set("ABCDE")


def test_grade_item_table_with_a_bad_cell(capsys, tmp_path):
    """Does an item score of 7 in a user's table give exit 1 and one line naming the file, the
    row as Excel shows it, the column and its Chinese label?"""
    path = tmp_path / "items.csv"
    path.write_text("customer_id,order_amount,brand\nX1,120,3\nX2,80,7\n", encoding="utf-8")
    code, _, err = run(capsys, "grade", str(path))
    assert code == 1 and len(err.splitlines()) == 1
    assert "items.csv" in err and "第 3 行，C 列「brand」" in err and "品牌影响" in err


def test_demo_refuses_a_class_too_small_for_every_kind_of_work(capsys, tmp_path):
    """The demo needs a student for each kind of work; a smaller class is refused in Chinese
    before anything is written (the demo itself is tested end to end in test_demo.py)."""
    code, _, err = run(capsys, "demo", "--out", str(tmp_path / "demo"), "--class-size", "3")
    assert code == 1 and "班级人数至少为 6" in err
    assert not (tmp_path / "demo").exists()


@pytest.mark.slow  # starts processes (nbgrader, crmlab, a kernel)
def test_installed_command_runs():
    """Does the installed `crmlab` entry point start and exit 0 on --version?"""
    exe = shutil.which("crmlab", path=str(Path(sys.executable).parent))
    assert exe is not None
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "crmlab" in result.stdout


# --- every argparse message in Chinese; the exit codes the README lists; --version ------------

ENGLISH = ("expected", "argument", "invalid", "usage", "error", "required", "unrecognized",
           "ambiguous", "choose from", "allowed", "ignored")


@pytest.mark.parametrize(("args", "words"), [
    (["report", "customer_grading", "-p", "data"], "参数 -p/--param：需要 2 个值"),
    (["report", "customer_grading", "-p"], "需要 2 个值"),
    (["autograde", "hw01", "--jobs"], "参数 --jobs：需要一个值"),
    (["autograde", "hw01", "--jobs", "两个"], "无效的值：'两个'（应为 整数）"),
    (["lab", "--port", "8x"], "无效的值：'8x'（应为 整数）"),
    (["grade"], "缺少必需的参数：file"),
    (["grade", "x.csv", "--colour"], "无法识别的参数：--colour"),
    (["data", "generat"], "无效的选项：'generat'"),
    (["report", "--li"], None),  # a unique prefix is accepted: no error at all
    (["lab", "--no-browser=yes"], "这个选项不接受值：'yes'"),
])
def test_every_argparse_message_is_chinese(capsys, args, words):
    """Does each kind of command-line mistake (a missing -p value too) give a Chinese message,
    with exit code 2 and no English left from argparse?"""
    code, out, err = run(capsys, *args)
    if words is None:
        assert code == 0 and "可用的报告" in out
        return
    assert code == 2, err
    assert words in err and err.startswith("用法：crmlab")
    assert "错误：" in err
    assert not [word for word in ENGLISH if word in err.lower()], err


def test_every_fixed_phrase_argparse_can_show_a_user_is_translated():
    """Is every phrase of argparse that reaches a user (not parser-building mistakes) in the
    Chinese table, including the plural forms of 'expected N arguments'?"""
    import argparse
    import ast
    import inspect

    from crmlab.commands.argparse_zh import ARGPARSE_ZH

    tree = ast.parse(inspect.getsource(argparse))
    phrases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
                "_", "ngettext"):
            phrases |= {a.value for a in node.args if isinstance(a, ast.Constant)
                        and isinstance(a.value, str)}
    internal = {p for p in phrases if any(word in p for word in (
        "callable", "__call__", "dest=", "conflict", "merge actions", "mutually exclusive",
        "'required'", "multiple subparser", 'argument "-"', "deprecated", "invalid nargs",
        "prefix_chars", "%(prog)s: warning", "default")) or p.startswith("conflicting")}
    missing = phrases - internal - set(ARGPARSE_ZH)
    assert missing == set(), missing


def test_exit_codes_are_the_ones_the_readme_lists(capsys, tmp_path, monkeypatch):
    """Do input errors exit 1, usage errors 2, a bug 3, Ctrl+C 130, and does the README list
    exactly these codes?"""
    import re

    from crmlab.commands import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = {int(code) for code in re.findall(r"^\| `(\d+)` \|", readme, re.MULTILINE)}
    assert listed == set(cli.EXIT_CODES)
    assert run(capsys, "grade", str(tmp_path / "无.csv"))[0] == cli.EXIT_INPUT == 1
    assert run(capsys, "grade")[0] == cli.EXIT_USAGE == 2
    assert run(capsys, "data")[0] == cli.EXIT_USAGE

    def broken(_args):
        raise ZeroDivisionError("division by zero")

    def interrupted(_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_grade", broken)
    code, _, err = run(capsys, "grade", "x.csv")
    assert code == cli.EXIT_BUG == 3 and "内部错误" in err and "CRMLAB_DEBUG" in err
    monkeypatch.setattr(cli, "_cmd_grade", interrupted)
    code, _, err = run(capsys, "grade", "x.csv")
    assert code == cli.EXIT_INTERRUPTED == 130 and "已中断" in err


def test_version_comes_from_the_package_metadata(capsys):
    """Is `crmlab --version` the installed distribution's version?"""
    from importlib.metadata import version

    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"crmlab {version('crmlab')}"
