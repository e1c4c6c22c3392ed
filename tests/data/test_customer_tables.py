"""A customer table a person gives: every yes/no spelling, CSV (UTF-8, BOM, GBK) and .xlsx,
graded the same by `crmlab grade` and by the customer grading report as the True/False table;
a bad value refused in one Chinese line with its row and column and no output; the file read
once (opens counted with an audit hook, in the kernel too)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from openpyxl import Workbook

from crmlab import reports
from crmlab.commands.cli import main
from crmlab.data import (
    DATA_DIR,
    CustomerTable,
    DataValidationError,
    load_customers,
    read_table,
    write_table,
)
from crmlab.reports import ReportParameterError
from tests.support.notebooks import problems

FLAGS = ("listed", "malicious_arrears")
FIRST = 40
"""The first 40 sample customers: 37 neither listed nor in malicious arrears, 2 listed, 1 in
malicious arrears, so that every spelling of 否 and of 是 occurs."""

SPELLINGS = (("是", "否"), ("对", "错"), ("有", "无"), ("Y", "N"), ("y", "n"), ("yes", "no"),
             ("Yes", "NO"), ("1", "0"), ("TRUE", "FALSE"), ("true", "false"), ("True", "False"),
             ("tRuE", "fAlSe"))
EXCEL_BOOLEANS = (True, False)
"""An Excel workbook's own TRUE/FALSE cells (booleans, as openpyxl writes them)."""

FORMATS = ("utf-8", "utf-8-sig", "gbk", "xlsx")


def sample_typed(count: int = FIRST) -> pd.DataFrame:
    """The first ``count`` sample customers, numbers as numbers, the yes/no columns as bool."""
    table = pd.read_csv(DATA_DIR / "customers.csv", encoding="utf-8-sig",
                        dtype={"customer_id": str}).head(count)
    assert all(table[column].dtype == bool for column in FLAGS)
    assert all(table[column].any() and not table[column].all() for column in FLAGS)
    return table


def spelled(yes: object, no: object) -> pd.DataFrame:
    """The sample's first customers with the yes/no columns spelled ``yes`` / ``no``."""
    table = sample_typed()
    for column in FLAGS:
        table[column] = table[column].map({True: yes, False: no}).astype(object)
    return table


def save(table: pd.DataFrame, path: Path, form: str) -> Path:
    """``table`` as a person's file: CSV in encoding ``form``, or an .xlsx written cell by cell
    with openpyxl (a yes/no word as text, 1/0 as numbers, Excel booleans as booleans)."""
    if form != "xlsx":
        table.to_csv(path, index=False, encoding=form)
        return path
    book = Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(list(table.columns))
    for record in table.to_dict("records"):
        sheet.append([int(value) if value in ("1", "0") else value for value in record.values()])
    book.save(path)
    return path


def customer_file(folder: Path, form: str, table: pd.DataFrame, stem: str = "客户") -> Path:
    return save(table, folder / f"{stem}.{'xlsx' if form == 'xlsx' else 'csv'}", form)


def grade(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["grade", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def cli_levels(capsys, path: Path, out: Path) -> list[str]:
    code, _, err = grade(capsys, str(path), "--out", str(out))
    assert code == 0, err
    return read_table(out)["level"].tolist()


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> list[str]:
    """The levels of the first 40 sample customers from the True/False table, by `crmlab
    grade` (and the same as grading the validated sample directly)."""
    folder = tmp_path_factory.mktemp("true_false")
    path = save(spelled("True", "False"), folder / "tf.csv", "utf-8")
    assert main(["grade", str(path), "--out", str(folder / "out.csv")]) == 0
    levels = read_table(folder / "out.csv")["level"].tolist()
    assert levels == load_customers(DATA_DIR / "customers.csv").graded()["level"][:FIRST].tolist()
    assert len(set(levels)) >= 3
    return levels


def test_cli_grades_chinese_yes_no_as_the_true_false_table(capsys, tmp_path):
    """The measured bug: with 是/否 instead of True/False, `crmlab grade` read every 否 as 是
    and gave 3 of the first 40 sample customers another level. Are the levels now equal?"""
    save(spelled("True", "False"), tmp_path / "tf.csv", "utf-8")
    save(spelled("是", "否"), tmp_path / "yn.csv", "utf-8")
    levels = cli_levels(capsys, tmp_path / "tf.csv", tmp_path / "tf_out.csv")
    assert cli_levels(capsys, tmp_path / "yn.csv", tmp_path / "yn_out.csv") == levels


def every_spelling(form: str) -> pd.DataFrame:
    """The first 40 sample customers once per spelling (ids and names made unique per copy)."""
    spellings = [*SPELLINGS, EXCEL_BOOLEANS] if form == "xlsx" else SPELLINGS
    copies = []
    for k, (yes, no) in enumerate(spellings):
        copy = spelled(yes, no)
        copy["customer_id"] += f"-{k}"
        copy["name"] += f"（{k}）"
        copies.append(copy)
    return pd.concat(copies, ignore_index=True)


def assert_true_false_levels(capsys, path: Path, table: pd.DataFrame, expected: list[str]):
    """`crmlab grade` and the report's loading give ``table`` (copies of the first 40 sample
    customers in ``path``) the True/False table's levels, every yes/no cell read as meant."""
    copies = len(table) // FIRST
    loaded = load_customers(path)
    assert loaded.profiles
    typed = pd.concat([sample_typed()[list(FLAGS)]] * copies, ignore_index=True)
    assert loaded.customers[list(FLAGS)].equals(typed)
    assert cli_levels(capsys, path, path.with_name("分级结果.csv")) == expected * copies
    inputs = reports.customer_grading_inputs(str(path), "甲公司", "2025-12-31", 5)
    assert inputs.graded["level"].tolist() == expected * copies


@pytest.mark.parametrize("form", FORMATS)
def test_every_spelling_in_one_file_gives_the_true_false_levels(capsys, tmp_path, expected,
                                                                 form):
    """Does a file holding every yes/no spelling (and, in .xlsx, Excel's own TRUE/FALSE cells)
    get the True/False table's levels from `crmlab grade` and from the report?"""
    table = every_spelling(form)
    assert_true_false_levels(capsys, customer_file(tmp_path, form, table), table, expected)


def one_spelling_cases(every: bool) -> list[tuple[str, object, object]]:
    if not every:  # a column of one spelling that the reader types before the schema does
        return [("utf-8", "1", "0"), ("gbk", "TRUE", "FALSE"), ("utf-8-sig", "是", "否"),
                ("xlsx", *EXCEL_BOOLEANS)]
    return [*((form, yes, no) for form in FORMATS for yes, no in SPELLINGS),
            ("xlsx", *EXCEL_BOOLEANS)]


def check_one_spelling(capsys, tmp_path, expected, form, yes, no):
    table = spelled(yes, no)
    assert_true_false_levels(capsys, customer_file(tmp_path, form, table), table, expected)


@pytest.mark.parametrize(("form", "yes", "no"), one_spelling_cases(every=False))
def test_a_column_of_one_spelling_gives_the_true_false_levels(capsys, tmp_path, expected,
                                                              form, yes, no):
    """Does a yes/no column of only 1/0, only TRUE/FALSE, only 是/否 or only Excel booleans
    (which the reader may already type as numbers or booleans) get the same levels?"""
    check_one_spelling(capsys, tmp_path, expected, form, yes, no)


@pytest.mark.slow
@pytest.mark.parametrize(("form", "yes", "no"), one_spelling_cases(every=True))
def test_each_spelling_in_each_format_gives_the_true_false_levels(capsys, tmp_path, expected,
                                                                  form, yes, no):
    """Every spelling alone, in every format: the same levels from the CLI and the report?"""
    check_one_spelling(capsys, tmp_path, expected, form, yes, no)


@pytest.mark.parametrize(("form", "flag"), [
    ("utf-8", "listed"), ("utf-8-sig", "malicious_arrears"), ("gbk", "listed"),
    ("xlsx", "listed"), ("xlsx", "malicious_arrears")])
def test_maybe_is_refused_in_one_line_with_row_and_column_and_no_output(capsys, tmp_path,
                                                                        form, flag):
    """Is 「也许」 in a yes/no column refused by `crmlab grade` with exit 1, one Chinese line
    naming the file, the row as Excel shows it, the column's letter and its Chinese label, and
    no output file (nor a half-written one)?"""
    table = spelled("是", "否")
    table.loc[5, flag] = "也许"  # the sixth customer: row 7 in Excel (the header is row 1)
    path = customer_file(tmp_path, form, table)
    letter = "K" if flag == "listed" else "R"
    label = "是否上市公司" if flag == "listed" else "是否恶意拖欠"
    code, out, err = grade(capsys, str(path), "--out", str(tmp_path / "结果.xlsx"))
    assert code == 1 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"错误：文件 {path.name}")
    assert f"第 7 行，{letter} 列「{flag}」" in line and f"「{label}」" in line and "「也许」" in line
    assert "是/否" in line and "Y/N" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]

    with pytest.raises(ReportParameterError) as caught:
        reports.customer_grading_inputs(str(path), "甲公司", "", 5)
    assert str(caught.value) == f"参数 data：{line.removeprefix('错误：')}"


def test_an_existing_result_is_kept_when_the_input_is_bad(capsys, tmp_path):
    """Does a refused table leave an earlier result file as it was (nothing lost)?"""
    out = tmp_path / "结果.csv"
    out.write_bytes(b"earlier")
    table = spelled("Y", "N")
    table.loc[0, "listed"] = "也许"
    code, _, _ = grade(capsys, str(customer_file(tmp_path, "utf-8", table)), "--out", str(out))
    assert code == 1 and out.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["客户.csv", "结果.csv"]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_failed_write_leaves_no_half_written_file(tmp_path, suffix):
    """Does a result that cannot be written (Excel has no time zones) leave no file behind,
    where pandas' Excel writer used to close a half-written workbook under the name?"""
    table = pd.DataFrame({"level": ["A", "B"],
                          "when": pd.Timestamp("2025-12-31", tz="Asia/Shanghai")})
    if suffix == ".csv":
        table = table.assign(level=[object(), "\udcff"])  # not encodable as UTF-8
    with pytest.raises((ValueError, UnicodeError)):
        write_table(table, tmp_path / f"结果{suffix}")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_yes_no_cell_is_named(tmp_path):
    """Is an empty yes/no cell named with its row and label rather than read as 否?"""
    table = spelled("是", "否")
    table.loc[2, "malicious_arrears"] = ""
    with pytest.raises(DataValidationError, match="第 4 行，R 列「malicious_arrears」：「是否恶意拖欠」不能为空"):
        load_customers(customer_file(tmp_path, "utf-8", table))


def test_a_table_of_item_scores_is_typed_by_its_own_schema(tmp_path):
    """Is a table of order amounts and item scores (no profile columns) read as scores, an
    empty score counted 0, and a score that is not 0–5 named with row, column and label?"""
    path = tmp_path / "加减分.csv"
    path.write_text("name,order_amount,brand,cooperation_years,advocacy,product_needs\n"
                    "甲,50,2,3,2,3\n乙,600,,,,\n", encoding="gbk")
    scores = load_customers(path)
    assert not scores.profiles and scores.graded()["level"].tolist() == ["D", "A"]
    path.write_text("name,order_amount,brand\n甲,50,2\n乙,600,高\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="第 3 行，C 列「brand」：「加分项·品牌影响（0–5 分）」应为数字"):
        load_customers(path)


def test_a_missing_order_amount_is_named_once_with_the_schemas_label(tmp_path):
    """Is a table without order_amount refused in one line, with the schema's label?"""
    path = tmp_path / "c.csv"
    path.write_text("name,brand\n甲,2\n", encoding="utf-8")
    with pytest.raises(ReportParameterError) as caught:
        reports.customer_grading_inputs(str(path), "甲公司", "", 5)
    assert str(caught.value) == ("参数 data：文件 c.csv（客户加减分表）表头，列「order_amount」："
                                 "缺少「本年度订单金额（万元）」这一列（列名应为 order_amount）")


def test_bytes_and_an_open_file_are_read_like_a_path(tmp_path):
    """Does the loader take the file's bytes or an open file (an upload) as well as a path,
    naming it in messages?"""
    path = customer_file(tmp_path, "xlsx", spelled("是", "否"))
    from_path = load_customers(path)
    with path.open("rb") as handle:
        from_file = load_customers(handle)
    from_bytes = load_customers(path.read_bytes(), name="上传.xlsx")
    assert isinstance(from_bytes, CustomerTable) and from_bytes.source == "文件 上传.xlsx"
    assert from_file.source == f"文件 {path.name}"
    assert from_path.customers.equals(from_file.customers)
    assert from_path.customers.equals(from_bytes.customers)


# --- the file is read once: opens counted by an audit hook --------------------------------------

_WATCHED: dict[str, int] = {}


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and isinstance(args[0], str | bytes | os.PathLike):
        path = os.path.abspath(os.fsdecode(args[0]))
        if path in _WATCHED:
            _WATCHED[path] += 1


sys.addaudithook(_audit)


@contextmanager
def opens_of(path: Path) -> Iterator[dict[str, int]]:
    """Count the times this process opens ``path`` while the block runs."""
    key = os.path.abspath(path)
    _WATCHED[key] = 0
    try:
        yield _WATCHED
    finally:
        _WATCHED.pop(key, None)


@pytest.mark.parametrize("form", ["utf-8", "xlsx"])
def test_the_report_and_the_cli_open_the_file_once(capsys, tmp_path, form):
    """Does the report's loading, and `crmlab grade`, open the customer file exactly once
    (it was opened four times on the report's route)?"""
    path = customer_file(tmp_path, form, spelled("是", "否"))
    with opens_of(path) as opened:
        reports.customer_grading_inputs(str(path), "甲公司", "", 5)
        assert opened[os.path.abspath(path)] == 1
    with opens_of(path) as opened:
        assert grade(capsys, str(path))[0] == 0
        assert opened[os.path.abspath(path)] == 1


# --- slow: the real report, through the project's runner ----------------------------------------

KERNEL_STARTUP = '''
import os, sys
_target, _log = os.environ["CRMLAB_TEST_WATCH"], os.environ["CRMLAB_TEST_OPENS"]
def _count_opens(event, args):
    if (event == "open" and isinstance(args[0], (str, bytes, os.PathLike))
            and os.path.abspath(os.fsdecode(args[0])) == _target):
        with open(_log, "a", encoding="utf-8") as log:
            log.write("open\\n")
sys.addaudithook(_count_opens)
'''


@pytest.mark.slow
@pytest.mark.parametrize("form", FORMATS)
def test_the_report_run_gives_the_true_false_levels_and_reads_the_file_once(
        tmp_path, monkeypatch, expected, form):
    """Does a real report run (papermill, through `crmlab report`'s runner) on a file holding
    every spelling give each customer the level of the True/False table, with the file opened
    once in the kernel and never by the runner?"""
    table = every_spelling(form)
    path = customer_file(tmp_path, form, table, stem="我的客户")
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-count-opens.py").write_text(KERNEL_STARTUP, encoding="utf-8")
    log = tmp_path / "kernel-opens.log"
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("CRMLAB_TEST_WATCH", os.path.abspath(path))
    monkeypatch.setenv("CRMLAB_TEST_OPENS", str(log))

    with opens_of(path) as opened:
        result = reports.run_report("customer_grading", {"data": str(path), "company": "甲公司"},
                                    tmp_path / "out", progress=False)
        assert opened[os.path.abspath(path)] == 0
    assert log.read_text(encoding="utf-8").splitlines() == ["open"]
    assert problems(nbformat.read(result.notebook, as_version=4)) == []

    saved = read_table(result.table)  # the report's main table: every customer and its level
    level = dict(zip(saved["客户"], saved["客户级别"], strict=True))
    copies = len(table) // FIRST
    assert [level[name] for name in table["name"]] == expected * copies


@pytest.mark.slow
def test_the_report_refuses_maybe_in_one_line_and_writes_nothing(capfd, tmp_path):
    """Does `crmlab report customer_grading` on a file with 「也许」 exit 1 with the loader's
    one line (file, row, column, label) and leave no notebook, HTML or table?"""
    table = spelled("是", "否")
    table.loc[5, "listed"] = "也许"
    path = customer_file(tmp_path, "xlsx", table)
    out = tmp_path / "out"
    code = main(["report", "customer_grading", "-p", "data", str(path), "--out", str(out)])
    _, err = capfd.readouterr()
    assert code == 1
    [line] = [line for line in err.replace("\r", "\n").splitlines()
              if line.strip() and not line.startswith("运行报告 customer_grading:")]  # progress
    assert line.startswith(f"错误：参数 data：文件 {path.name}（客户档案表）第 7 行，K 列「listed」：")
    assert "「是否上市公司」" in line and "「也许」" in line
    assert not [p for p in out.iterdir() if p.suffix in (".html", ".xlsx")]
    assert not (out / "customer_grading.ipynb").exists()
