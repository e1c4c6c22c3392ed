"""Reading the tables people give the course, writing the ones it gives back, validation.

:func:`read_table` is the one reader of a person's table: a CSV (UTF-8, UTF-8 with a BOM as
Excel's "CSV UTF-8" saves it, or GBK/GB18030 as Excel saves "CSV" on a Chinese Windows) or an
Excel workbook (``.xlsx``/``.xlsm``: the first sheet, or the one named by ``sheet=`` or by
``文件.xlsx:工作表`` in the path). The format is told from the file's bytes, not its name. The
header is row 1 and every data row keeps its position, so a row's number as Excel shows it is
``index + 2`` (fully empty rows are dropped without shifting the others).

``load_table(path, schema_name)`` reads a table and validates it against
``SCHEMAS[schema_name]``; a file that fails raises :class:`DataValidationError`, whose
``problems`` list each bad cell as a :class:`Problem` (row number and column letter as Excel
shows them) and whose text is a short Chinese summary. ``validate_file`` returns the problems
instead of raising.

:func:`write_table` writes a table for people: ``.xlsx`` when the name says so, else CSV as
UTF-8 with a BOM, which Excel opens by double-click without garbling Chinese.

An old ``.xls`` workbook or another binary file, a missing, empty or header-only file, a
malformed CSV, a missing sheet and an unknown table name each give a
:class:`~crmlab.rules.checks.CourseInputError` with one Chinese sentence.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pandera.pandas as pa

from crmlab.data.resources import SAMPLE_DATA, content_dir
from crmlab.data.schemas import ORDER_RULES, SCHEMAS, TABLE_LABELS, TEXT_COLUMNS
from crmlab.rules.checks import CourseInputError

DATA_DIR = content_dir(SAMPLE_DATA)
"""The bundled sample tables: the repository's ``data/``, shipped as ``crmlab.sample_data``."""

MAX_LISTED = 20
"""``str(DataValidationError)`` lists at most this many problems, then counts the rest."""

FALLBACK_ENCODING = "gb18030"
"""Tried when a file is not UTF-8: a superset of GBK, Excel's CSV encoding on Chinese Windows."""

_RESAVE_HINT = "请在 Excel 中用「另存为」→「CSV UTF-8（逗号分隔）」或「Excel 工作簿（.xlsx）」保存后再试"

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
"""Output names that :func:`write_table` writes as a workbook (anything else is CSV)."""

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls), or an encrypted workbook
_SHEET_SPEC = re.compile(r"^(?P<path>.+\.xls[xm]):(?P<sheet>[^:/\\]+)$", re.IGNORECASE)


def column_letter(position: int) -> str:
    """Excel's letter for the column at 0-based ``position``: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_name(table: pd.DataFrame, index: object, column: str) -> str:
    """Where a cell of a table read by :func:`read_table` is, as Excel shows it.

    ``第 5 行，C 列「score」``: the row number (header = row 1) and the column letter.
    """
    row = int(index) + 2  # type: ignore[call-overload]
    if column in table.columns:
        return f"第 {row} 行，{column_letter(table.columns.get_loc(column))} 列「{column}」"
    return f"第 {row} 行，列「{column}」"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file.

    ``row`` is the CSV line number (header = line 1, first data row = line 2), or ``None`` for
    a problem with a whole column (e.g. a missing one); ``column`` is the column name (English,
    as in the file); ``value`` the offending value as read; ``message`` a Chinese sentence.
    """

    row: int | None
    column: str | None
    value: object
    message: str
    letter: str | None = None
    """The column's letter as Excel shows it (``None`` for a missing column)."""

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row is not None else "表头"
        letter = f"{self.letter} " if self.letter else ""
        column = f"，{letter}列「{self.column}」" if self.column else ""
        return f"{where}{column}：{self.message}"


class DataValidationError(CourseInputError):
    """A data file does not fit its table schema; ``problems`` lists every bad cell."""

    def __init__(self, source: str, schema_name: str, problems: list[Problem],
                 table: str | None = None):
        self.source = source
        self.schema_name = schema_name
        self.problems = problems
        table = table or TABLE_LABELS.get(schema_name, schema_name)
        if len(problems) == 1:  # one line: the file, then the row, column and what is wrong
            super().__init__(f"{source}（{table}）{problems[0]}")
            return
        lines = [f"{source} 不符合「{table}」（{schema_name}）的要求，共 {len(problems)} 处问题："]
        lines += [f"  {problem}" for problem in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(f"  ……另有 {len(problems) - MAX_LISTED} 处问题")
        super().__init__("\n".join(lines))


# --- reading -------------------------------------------------------------------------------------


def _schema(schema_name: object) -> pa.DataFrameSchema:
    if schema_name not in SCHEMAS:
        known = "、".join(f"{name}（{TABLE_LABELS[name]}）" for name in SCHEMAS)
        raise CourseInputError(f"没有名为「{schema_name}」的数据表，可选的有：{known}", "数据表")
    return SCHEMAS[schema_name]


def _read_text(name: str, raw: bytes) -> str:
    """The file's text, decoded as UTF-8 (BOM or not) or else GBK; clear errors otherwise."""
    if raw.startswith((_ZIP_MAGIC, _OLE_MAGIC)) or b"\x00" in raw[:4096]:
        raise CourseInputError(_not_a_table(name, raw), "文件")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = raw.decode(FALLBACK_ENCODING)
        except UnicodeDecodeError:
            line = raw[: utf8_error.start].count(b"\n") + 1
            raise CourseInputError(
                f"文件 {name} 第 {line} 行有无法识别的字符：它既不是 UTF-8 也不是 GBK 编码。"
                f"{_RESAVE_HINT}", "文件") from None
    if not text.strip():
        raise CourseInputError(f"文件 {name} 是空的，没有任何内容", "文件")
    return text


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise CourseInputError(f"找不到文件：{path}", "文件")
    if path.is_dir():
        raise CourseInputError(f"{path} 是一个文件夹，不是表格文件", "文件")
    return path.read_bytes()


def _not_a_table(name: str, raw: bytes) -> str:
    if raw.startswith(_OLE_MAGIC):
        return (f"文件 {name} 是旧版 Excel 97-2003 工作簿（.xls）或加了密码的工作簿，无法读取："
                f"{_RESAVE_HINT}")
    return f"文件 {name} 既不是 CSV 文本文件，也不是 Excel 工作簿（.xlsx）：{_RESAVE_HINT}"


def _cell_text(value: object) -> str:
    """A workbook cell as Excel writes it into a CSV (so both formats parse the same way)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _workbook_text(name: str, raw: bytes, sheet: str | None) -> str:
    """One sheet of an ``.xlsx`` workbook as CSV text; row n of the sheet is line n."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise CourseInputError(_not_a_table(name, raw), "文件") from None
    try:
        names = book.sheetnames
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in names:
            worksheet = book[sheet]
        else:
            raise CourseInputError(
                f"工作簿 {name} 中没有名为「{sheet}」的工作表，有：{'、'.join(names)}", "工作表")
        if not hasattr(worksheet, "iter_rows"):
            raise CourseInputError(f"工作簿 {name} 的「{worksheet.title}」是图表，不是工作表", "工作表")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        # From A1 on, so that the sheet's row numbers are the text's line numbers.
        for row in worksheet.iter_rows(min_row=1, min_col=1, values_only=True):
            cells = [_cell_text(value) for value in row]
            while cells and not cells[-1].strip():
                cells.pop()
            writer.writerow(cells)
        title = worksheet.title
    finally:
        book.close()
    text = out.getvalue()
    first = text.split("\n", 1)[0]
    if text.strip() and not first.strip(", "):
        raise CourseInputError(
            f"工作簿 {name} 的工作表「{title}」第 1 行应是表头（各列的名称），现在是空的", "工作表")
    if not text.strip():
        raise CourseInputError(f"工作簿 {name} 的工作表「{title}」是空的，没有任何内容", "工作表")
    return text


def table_source(path: Path | str, sheet: str | None = None) -> tuple[Path, str | None]:
    """``(path, sheet)``: a ``文件.xlsx:工作表`` spelling is split when no such file exists."""
    spec = _SHEET_SPEC.match(str(path))
    if sheet is None and spec and not Path(path).exists():
        return Path(spec["path"]).expanduser(), spec["sheet"]
    return Path(path).expanduser(), sheet


def _parse(text: str, name: str, text_columns: Iterable[str]) -> pd.DataFrame:
    """Parse CSV text; the index stays the row's position so that line = index + 2."""
    try:
        df = pd.read_csv(io.StringIO(text), dtype=dict.fromkeys(text_columns, str),
                         skip_blank_lines=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise CourseInputError(f"文件 {name} 是空的，没有任何内容", "文件") from None
    except pd.errors.ParserError as error:
        raise CourseInputError(_parser_message(str(error), name), "文件") from None
    df.columns = [str(column).strip() for column in df.columns]
    if len(df.columns) == 1 and any(mark in df.columns[0] for mark in (";", "\t", "；")):
        raise CourseInputError(
            f"文件 {name} 的各列似乎不是用英文逗号分隔的（表头是「{df.columns[0]}」）：{_RESAVE_HINT}",
            "文件")
    df = df.dropna(how="all")
    if df.empty:
        raise CourseInputError(f"文件 {name} 只有表头，没有数据行", "文件")
    return df


def _parser_message(detail: str, name: str) -> str:
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", detail)
    if fields:
        expected, line, saw = fields.groups()
        return (f"文件 {name} 第 {line} 行有 {saw} 个值，而表头只有 {expected} 列："
                "可能是某个值里含有英文逗号却没有加引号")
    if "EOF inside string" in detail:
        row = re.search(r"row (\d+)", detail)
        where = f"第 {int(row.group(1)) + 1} 行起" if row else "某处"
        return f"文件 {name} {where}的引号没有配对（一个 \" 开始的值一直没有结束）"
    return f"文件 {name} 无法按 CSV 格式读取，请确认它是逗号分隔的 CSV 文本文件"


TableSource = Path | str | bytes | BinaryIO
"""A table to read: a path (``文件.xlsx:工作表`` names a sheet), or the file's bytes, or an open
binary file (e.g. an upload), whose ``name`` is then given to the reader for messages."""


def _source_bytes(source: TableSource, sheet: str | None, name: str | None,
                  ) -> tuple[bytes, str, str | None]:
    """The bytes of a table, read once; the file name messages use; the sheet to read."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), name or "上传的表格", sheet
    if hasattr(source, "read"):
        raw = source.read()
        default = Path(str(getattr(source, "name", "") or "上传的表格")).name
        return (raw.encode("utf-8") if isinstance(raw, str) else raw), name or default, sheet
    path, sheet = table_source(source, sheet)
    return _read_bytes(path), name or path.name, sheet


def read_source(source: TableSource, *, sheet: str | None = None,
                text_columns: Iterable[str] = (), name: str | None = None,
                ) -> tuple[pd.DataFrame, str]:
    """:func:`read_table`, and where the table came from as a validation message names it
    (``文件 客户.xlsx 的工作表「客户」``)."""
    raw, name, sheet = _source_bytes(source, sheet, name)
    if raw.startswith(_ZIP_MAGIC):
        text = _workbook_text(name, raw, sheet)
        shown = f"{name}（工作表「{sheet}」）" if sheet else name
    else:
        if sheet is not None:
            raise CourseInputError(
                f"文件 {name} 不是 Excel 工作簿，没有工作表「{sheet}」可选", "工作表")
        text, shown = _read_text(name, raw), name
    where = f"文件 {name}" + (f" 的工作表「{sheet}」" if sheet else "")
    return _parse(text, shown, text_columns), where


def read_table(source: TableSource, *, sheet: str | None = None,
               text_columns: Iterable[str] = (), name: str | None = None) -> pd.DataFrame:
    """Read a person's table, CSV or ``.xlsx``, without validating it against a schema.

    ``source`` is a path, the file's bytes or an open binary file (``name`` then names it in
    messages); the file is read once. A workbook is read from its first sheet, or from
    ``sheet`` (also given as ``文件.xlsx:工作表``); formulas give their last computed values.
    ``text_columns`` are read as text (identifiers keep leading zeros). Fully empty rows are
    dropped but the index keeps each row's position: its row number as Excel shows it is
    ``index + 2`` (:func:`cell_name`). Raises ``CourseInputError`` with one Chinese sentence
    for a file that cannot be read as a table.
    """
    return read_source(source, sheet=sheet, text_columns=text_columns, name=name)[0]


def write_table(table: pd.DataFrame, path: Path | str, *, sheet: str = "Sheet1") -> Path:
    """Write ``table`` (without its index) for people to open in Excel; returns the path.

    ``.xlsx``/``.xlsm`` names get a workbook (header row frozen, columns wide enough for
    Chinese); any other name a CSV in UTF-8 with a BOM, which Excel on a Chinese Windows opens
    by double-click without garbling. Parent folders are created. The file appears whole or not
    at all: it is written beside its name first and renamed when complete.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.part{path.suffix}")
    try:
        _write(table, partial, sheet)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _write(table: pd.DataFrame, path: Path, sheet: str) -> None:
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        table.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
        return
    from crmlab.rules.display import display_width  # CJK characters are two columns wide

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name=sheet[:31], index=False)
        worksheet = writer.sheets[sheet[:31]]
        worksheet.freeze_panes = "A2"
        for position, column in enumerate(table.columns):
            cells = [str(column), *(str(value) for value in table[column].head(200))]
            width = max(display_width(cell) for cell in cells)
            worksheet.column_dimensions[column_letter(position)].width = min(max(width + 2, 6), 60)


# --- validation ----------------------------------------------------------------------------------


def _show(value: object) -> str:
    """A value as a student would recognise it in the file."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return f"「{value}」"


def _is_empty(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


_EMPTY_CHECKS = ("not_nullable", "coerce_dtype", "dtype(")
"""Checks whose failure on an empty cell is reported (as 不能为空); value checks are not."""

_EXPECTED_TYPE = {"float64": "数字", "int64": "整数", "datetime64[ns]": "日期（如 2025-03-01）"}


def _cell_message(check: str, label: str, value: object) -> str | None:
    """The Chinese message for one failing cell, or None if it repeats another one."""
    if check == "not_nullable" or (check.startswith("coerce_dtype") and _is_empty(value)):
        return f"「{label}」不能为空"
    if check.startswith("coerce_dtype"):
        target = re.search(r"'(.*)'", check)
        wanted = _EXPECTED_TYPE.get(target.group(1) if target else "", "正确的类型")
        return f"「{label}」应为{wanted}，现在是 {_show(value)}"
    if check.startswith("dtype("):
        return None  # a coercion failure on the same cell says it better
    if check == "field_uniqueness":
        return f"「{label}」的值 {_show(value)} 重复出现，每一行应各不相同"
    return f"「{label}」{check}，现在是 {_show(value)}"


def _problems(errors: pa.errors.SchemaErrors, df: pd.DataFrame, schema: pa.DataFrameSchema,
              ) -> list[Problem]:
    labels = {key: column.title for key, column in schema.columns.items()}
    cases = errors.failure_cases
    found: dict[tuple, Problem] = {}

    missing = cases.loc[cases["check"] == "column_in_dataframe", "failure_case"]
    for column in missing:
        label = labels.get(column, column)
        found[(None, column, "missing")] = Problem(
            None, column, None, f"缺少「{label}」这一列（列名应为 {column}）")

    cells = cases[(cases["schema_context"] == "Column") & cases["index"].notna()]
    for case in cells.itertuples(index=False):
        check = str(case.check)
        if _is_empty(case.failure_case) and not check.startswith(_EMPTY_CHECKS):
            continue  # an empty cell fails its value checks too: "不能为空" says it once
        label = labels.get(case.column, case.column)
        message = _cell_message(check, label, case.failure_case)
        if message is not None:
            row = int(case.index) + 2
            found.setdefault((row, case.column, message),
                             Problem(row, case.column, case.failure_case, message))

    untyped = set(missing) | {
        column for column, check in zip(cells["column"], cells["check"], strict=True)
        if str(check).startswith(("coerce_dtype", "dtype("))
    }
    rules = {rule.error(labels): rule for rule in ORDER_RULES.get(schema.name, ())}
    wide = cases[(cases["schema_context"] == "DataFrameSchema") & cases["index"].notna()]
    for (check, index), _ in wide.groupby(["check", "index"], sort=False):
        rule = rules.get(check)
        if rule is None or {rule.column, rule.other} & untyped:
            continue
        row = int(index) + 2
        value, other = df.at[index, rule.column], df.at[index, rule.other]
        message = (f"「{labels[rule.column]}」{check}，现在分别是 {_show(value)} 和 {_show(other)}")
        found.setdefault((row, rule.column, message), Problem(row, rule.column, value, message))

    if not found:  # a failure the translations above do not cover: say so rather than pass
        for case in cases.itertuples(index=False):
            column = case.column if isinstance(case.column, str) else None
            label = labels.get(column, column) if column else "表格"
            found[(None, column, str(case.check))] = Problem(
                None, column, None, f"「{label}」未通过检查 {case.check}")

    position = {column: k for k, column in enumerate(df.columns)}
    found = {key: (problem if problem.column not in position else Problem(
        problem.row, problem.column, problem.value, problem.message,
        column_letter(position[problem.column]))) for key, problem in found.items()}
    order = {column: k for k, column in enumerate(labels)}
    return sorted(found.values(), key=lambda p: (
        p.row is not None, p.row or 0, order.get(p.column, len(order)), p.message))


def validate_table(df: pd.DataFrame, schema_name: str, source: str = "表格") -> pd.DataFrame:
    """Validate (and coerce) a DataFrame against ``SCHEMAS[schema_name]``.

    Row numbers in problems are ``index + 2``, the row of a table read by :func:`read_table`,
    and column letters follow ``df``'s column order.
    Returns the coerced table with a fresh index; raises :class:`DataValidationError`.
    """
    return validate_with(df, _schema(schema_name), source)


def validate_with(df: pd.DataFrame, schema: pa.DataFrameSchema, source: str) -> pd.DataFrame:
    """:func:`validate_table` with a schema object (its ``name`` and ``title`` name the table)."""
    try:
        valid = schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise DataValidationError(source, schema.name, _problems(errors, df, schema),
                                  schema.title) from None
    return valid.reset_index(drop=True)


def load_table(source: TableSource, schema_name: str, *, sheet: str | None = None,
               name: str | None = None) -> pd.DataFrame:
    """Read a table (CSV or ``.xlsx``, a path or the file's bytes, see :func:`read_table`) and
    validate it as table ``schema_name`` (see ``SCHEMAS``).

    Extra columns and any column order are accepted. Raises :class:`DataValidationError`
    (row, column letter and a Chinese message per problem) or a ``CourseInputError`` for a file
    that cannot be read as a table at all.
    """
    schema = _schema(schema_name)
    df, where = read_source(source, sheet=sheet, text_columns=TEXT_COLUMNS[schema_name], name=name)
    return validate_with(df, schema, where)


def validate_file(path: Path | str, schema_name: str, *, sheet: str | None = None,
                  ) -> list[Problem]:
    """The problems of a table file as table ``schema_name``: an empty list when it is fine.

    A file that cannot be read at all still raises ``CourseInputError``.
    """
    try:
        load_table(path, schema_name, sheet=sheet)
    except DataValidationError as error:
        return error.problems
    return []


def load_sample(name: str) -> pd.DataFrame:
    """The bundled sample table ``name`` (the repository's ``data/``, installed with the
    package), validated."""
    _schema(name)
    path = DATA_DIR / f"{name}.csv"
    if not path.is_file():
        raise CourseInputError(
            f"找不到示例数据文件 {path}：请在仓库根目录运行 crmlab data generate 重新生成", "示例数据")
    if name == "customers":  # the one loader of a customer table
        from crmlab.data.customers import load_customers

        return load_customers(path).customers
    return load_table(path, name)
