"""Report parameters: their types, turning command-line text into them, and the checks the
templates share (a data file, the as-of date, required text, a positive whole number).

Every problem raises :class:`ReportParameterError` with one Chinese sentence that names the
parameter; a notebook shows it as one line instead of a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from crmlab.rules.checks import CourseInputError, as_date


class ReportParameterError(CourseInputError):
    """A report parameter, or the file it names, cannot be used; ``str(error)`` is for the user.

    Raised by the templates' validation cell. In a notebook it shows as one line instead of a
    traceback; :func:`crmlab.reports.run_report` passes its message on unchanged.
    """

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return [str(self)]


@contextmanager
def about(parameter: str) -> Iterator[None]:
    """Turn a model's CourseInputError into a ReportParameterError that names ``parameter``."""
    try:
        yield
    except ReportParameterError:
        raise
    except CourseInputError as error:
        raise ReportParameterError(f"参数 {parameter}：{error}", parameter) from None


# --------------------------------------------------------------------------------------------
# Types and values
# --------------------------------------------------------------------------------------------

TYPE_WORDS = {"str": "文本", "int": "整数", "float": "数字", "list": "列表", "dict": "字典"}
"""The declared types of the templates' parameters, in Chinese."""


def coerce_value(name: str, value: object, type_name: str) -> object:
    """``value`` as the parameter's declared type (``str``, ``int``, ``float``, ``list``,
    ``dict``); strings from a command line are parsed (lists and dicts as YAML or JSON, a list
    also as comma-separated text). A value that does not fit raises ReportParameterError."""
    if type_name == "str":
        return as_text(name, value)
    if type_name == "int":
        return _as_int(name, value)
    if type_name == "float":
        return _as_float(name, value)
    if type_name == "list":
        return _as_list(name, value)
    if type_name == "dict":
        return _as_dict(name, value)
    return value


def _bad(name: str, type_name: str, value: object, example: str = "") -> ReportParameterError:
    hint = f"，例如 {example}" if example else ""
    return ReportParameterError(
        f"参数 {name} 应为{TYPE_WORDS[type_name]}{hint}，现在是：{value!r}", name)


def as_text(name: str, value: object) -> str:
    """A text parameter, stripped; ``None`` is ``""``."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict | set):
        raise _bad(name, "str", value)
    return str(value).strip()


def _as_int(name: str, value: object) -> int:
    number = _as_float(name, value, "int", "10")
    if not number.is_integer():
        raise _bad(name, "int", value, "10")
    return int(number)


def _as_float(name: str, value: object, type_name: str = "float", example: str = "60") -> float:
    original = value
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _bad(name, type_name, original, example) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(name, type_name, original, example)
    return float(value)


def _parse(name: str, text: str, type_name: str, example: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise _bad(name, type_name, text, example) from None


def _as_list(name: str, value: object) -> list:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    if not isinstance(value, str):
        raise _bad(name, "list", value, "C0006,C0007")
    text = value.strip()
    if text.startswith("{"):
        raise _bad(name, "list", value, "C0006,C0007")
    if text.startswith("["):
        parsed = _parse(name, text, "list", "[C0006, C0007]")
        if isinstance(parsed, list):
            return parsed
        raise _bad(name, "list", value, "[C0006, C0007]")
    parts = text.replace("，", ",").replace("、", ",").split(",")
    return [part.strip() for part in parts if part.strip()]


def _as_dict(name: str, value: object) -> dict:
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    example = "{character: 0.3, capacity: 0.25, ...}"
    parsed = _parse(name, value, "dict", example) if isinstance(value, str) else value
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise _bad(name, "dict", value, example)
    return parsed


# --------------------------------------------------------------------------------------------
# Shared checks of the templates
# --------------------------------------------------------------------------------------------


def data_path(value: object, sample: str, parameter: str = "data") -> tuple[Path, bool]:
    """The table a file parameter names, and whether it is the bundled sample (``""``).

    CSV or ``.xlsx``; ``文件.xlsx:工作表`` names a sheet (the path keeps that spelling for
    :func:`crmlab.data.read_table`)."""
    from crmlab.data import DATA_DIR
    from crmlab.data.io import table_source

    text = as_text(parameter, value)
    if not text:
        return DATA_DIR / f"{sample}.csv", True
    path, _ = table_source(text)
    if not path.exists():
        where = "" if path.is_absolute() else f"（相对于当前文件夹 {Path.cwd()}）"
        raise ReportParameterError(f"参数 {parameter}：找不到文件 {text}{where}", parameter)
    if path.is_dir():
        raise ReportParameterError(f"参数 {parameter}：{text} 是一个文件夹，不是表格文件",
                                   parameter)
    return Path(text).expanduser(), False


def load_data(value: object, schema: str,
              parameter: str = "data") -> tuple[pd.DataFrame, Path, bool]:
    """The table a file parameter names (:func:`data_path`), loaded and checked against
    ``schema`` (:func:`crmlab.data.load_table`), with its path and whether it is the sample."""
    from crmlab.data import load_table

    path, is_sample = data_path(value, schema, parameter)
    with about(parameter):
        return load_table(path, schema), path, is_sample


def report_date(value: object, sample: bool, parameter: str = "as_of") -> date:
    """``as_of`` as a date; empty means the sample's as-of date for the sample, else today."""
    from crmlab.data import AS_OF

    text = as_text(parameter, value)
    if not text:
        return AS_OF if sample else date.today()
    with about(parameter):
        return as_date(text, f"统计日期（{parameter}）").date()


def required_text(value: object, parameter: str, label: str) -> str:
    """A text parameter that must not be empty (``label`` says what it is)."""
    text = as_text(parameter, value)
    if not text:
        raise ReportParameterError(f"参数 {parameter}（{label}）不能为空", parameter)
    return text


def positive_int(value: object, parameter: str, label: str) -> int:
    """A whole number of at least 1 (``label`` says what it counts)."""
    number = coerce_value(parameter, value, "int")
    if number < 1:
        raise ReportParameterError(f"参数 {parameter}（{label}）必须是正整数，现在是 {number}",
                                   parameter)
    return number
