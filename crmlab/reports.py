"""Parameterized reports (papermill): the registry, the runner, and what the templates share.

Four templates live in ``reports/``: ``customer_grading``, ``credit_review``, ``survey_summary``
and ``class_results`` (``REPORTS``). Each has a cell tagged ``parameters`` with plain defaults;
the first code cell after it calls one of the ``*_inputs`` functions below, which checks every
parameter, loads the data and raises :class:`ReportParameterError` (one Chinese sentence) on a
bad one. The templates need nothing from the runner, so plain ``papermill`` runs them too.

:func:`run_report` is what ``crmlab report`` calls: it checks the report's name and the
parameters' names against the template (``papermill.inspect_notebook``), turns command-line
strings into the declared types, executes the template with papermill and writes
``DIR/NAME.ipynb`` plus ``DIR/NAME.html`` (no code, charts embedded), and the report's main
table as ``DIR/NAME.xlsx`` (each template hands it to :func:`save_table`). A failing run leaves
only ``DIR/NAME.failed.ipynb`` and raises :class:`~crmlab.rules.checks.CourseInputError`.

Course content used only by the reports is kept here as data: a suggested strategy per
customer level (``LEVEL_STRATEGIES``), the credit watch rules (``WATCH_RULES``) and the survey
title limit (``SURVEY_TITLE_MAX``).
"""

from __future__ import annotations

import ast
import io
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import yaml

from crmlab.data.resources import REPORT_TEMPLATES, content_dir
from crmlab.rules.checks import CourseInputError, as_date, as_number, check_weights

if TYPE_CHECKING:
    from crmlab.rules.survey import CleanResult


DEFAULT_OUT = Path("out/reports")
KERNEL = "python3"
FIGURE_DPI = 100


class ReportParameterError(CourseInputError):
    """A report parameter, or the file it names, cannot be used; ``str(error)`` is for the user.

    Raised by the templates' validation cell. In a notebook it shows as one line instead of a
    traceback; :func:`run_report` passes its message on unchanged.
    """

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return [str(self)]


@contextmanager
def _about(parameter: str) -> Iterator[None]:
    """Turn a model's CourseInputError into a ReportParameterError that names ``parameter``."""
    try:
        yield
    except ReportParameterError:
        raise
    except CourseInputError as error:
        raise ReportParameterError(f"参数 {parameter}：{error}", parameter) from None


# --------------------------------------------------------------------------------------------
# Parameters: types and values
# --------------------------------------------------------------------------------------------

_TYPE_WORDS = {"str": "文本", "int": "整数", "float": "数字", "list": "列表", "dict": "字典"}


def coerce_value(name: str, value: object, type_name: str) -> object:
    """``value`` as the parameter's declared type (``str``, ``int``, ``float``, ``list``,
    ``dict``); strings from a command line are parsed (lists and dicts as YAML or JSON, a list
    also as comma-separated text). A value that does not fit raises ReportParameterError."""
    if type_name == "str":
        return _as_text(name, value)
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
        f"参数 {name} 应为{_TYPE_WORDS[type_name]}{hint}，现在是：{value!r}", name)


def _as_text(name: str, value: object) -> str:
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

    text = _as_text(parameter, value)
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


def _load(value: object, schema: str, parameter: str = "data") -> tuple[pd.DataFrame, Path, bool]:
    from crmlab.data import load_table

    path, is_sample = data_path(value, schema, parameter)
    with _about(parameter):
        return load_table(path, schema), path, is_sample


def report_date(value: object, sample: bool, parameter: str = "as_of") -> date:
    """``as_of`` as a date; empty means the sample's as-of date for the sample, else today."""
    from crmlab.data import AS_OF

    text = _as_text(parameter, value)
    if not text:
        return AS_OF if sample else date.today()
    with _about(parameter):
        return as_date(text, f"统计日期（{parameter}）").date()


def _required_text(value: object, parameter: str, label: str) -> str:
    text = _as_text(parameter, value)
    if not text:
        raise ReportParameterError(f"参数 {parameter}（{label}）不能为空", parameter)
    return text


def _positive_int(value: object, parameter: str, label: str) -> int:
    number = coerce_value(parameter, value, "int")
    if number < 1:
        raise ReportParameterError(f"参数 {parameter}（{label}）必须是正整数，现在是 {number}",
                                   parameter)
    return number


# --------------------------------------------------------------------------------------------
# Charts in a report
# --------------------------------------------------------------------------------------------


def show(fig, alt: str | None = None) -> None:
    """Display a matplotlib figure as a PNG with a text alternative (its title), and close it.

    Closing keeps the inline backend from drawing it a second time.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    if alt is None:
        titles = [fig.get_suptitle()] if fig.get_suptitle() else []
        titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
        alt = "；".join(titles) or "图表"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png", alt=alt))


def show_markdown(text: str) -> None:
    """Display Markdown text (the parts of a report that depend on the data)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def show_details(summary: str, table: pd.DataFrame) -> None:
    """A table folded under a one-line summary (``<details>``): long lists stay readable."""
    from html import escape

    from IPython.display import HTML, display

    display(HTML(f"<details><summary>{escape(summary)}</summary>"
                 f"{table.to_html(index=False, border=0, na_rep='—')}</details>"))


def table(frame: pd.DataFrame, digits: int = 2):
    """``frame`` for display without its row numbers, numbers to ``digits`` decimals."""
    return (frame.style.hide(axis="index").format(precision=digits, na_rep="—")
            .set_table_attributes('class="dataframe"'))


MAIN_TABLE_ENV = "CRMLAB_REPORT_TABLE"
"""Set by :func:`run_report` for the kernel: where :func:`save_table` writes the main table."""


def save_table(frame: pd.DataFrame, sheet: str) -> None:
    """Save the report's main table (as shown, Chinese headings) for Excel.

    Written to the ``.xlsx`` named by the environment variable ``CRMLAB_REPORT_TABLE``, which
    ``crmlab report`` sets to ``DIR/NAME.xlsx`` beside the HTML; without it (plain papermill,
    JupyterLab) nothing is written.
    """
    import os

    from crmlab.data import write_table

    target = os.environ.get(MAIN_TABLE_ENV)
    if target:
        write_table(frame, target, sheet=sheet)


def format_percent(values: pd.Series, digits: int = 1) -> pd.Series:
    """Shares (0–1) as text such as ``42.5%``; a missing value as ``—``."""
    return values.map(lambda v: "—" if pd.isna(v) else f"{v:.{digits}%}")


def _bar_figure(width: float, height: float):
    import matplotlib.pyplot as plt

    from crmlab.charts import use_chinese_font

    use_chinese_font()
    return plt.subplots(figsize=(width, height), layout="constrained")


# --------------------------------------------------------------------------------------------
# Customer grading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelStrategy:
    """A suggested management strategy for customers of one final level (A–E)."""

    level: str
    stance: str
    strategy: str


LEVEL_STRATEGIES: tuple[LevelStrategy, ...] = (
    LevelStrategy("A", "重点投入、锁定",
                  "专人负责，定期拜访并安排高层互访；倾听意见，优先供货、快速响应，"
                  "提供个性化方案，推出忠诚计划，及早扭转任何下滑的苗头"),
    LevelStrategy("B", "保持并发展",
                  "定期联系和回访；多卖现有产品、推荐新产品（交叉销售），"
                  "了解其增长需求，争取升为 A 级"),
    LevelStrategy("C", "标准化服务、挖掘潜力",
                  "按规范流程提供标准化服务；对有潜力的客户用达到采购额给予奖励、"
                  "一站式服务等办法培养"),
    LevelStrategy("D", "控制服务成本",
                  "不必每周电话、每月拜访，多用电话、网络等低成本渠道；"
                  "可提供咨询、培训和经营指导，帮助其成长"),
    LevelStrategy("E", "审慎投入，必要时放弃",
                  "评估利润和回款风险：有潜力的维持基本服务；长期亏损、信用差的减少投入，"
                  "必要时有计划地结束合作"),
)
"""One short strategy per final level: an illustrative example drawn from the course's
points on serving customers by level (COURSE_BRIEF §4); the group activity asks students to
write their own."""


@dataclass
class GradingInputs:
    """Checked parameters and data of the customer grading report."""

    path: Path
    is_sample: bool
    company: str
    as_of: date
    top_n: int
    customers: pd.DataFrame
    graded: pd.DataFrame  # customers + grading columns + ``display_name``
    profiles: bool  # a profile table (else item scores)


def customer_grading_inputs(data: object, company: object, as_of: object,
                            top_n: object) -> GradingInputs:
    """Check the customer grading report's parameters and load and grade the customers.

    ``data`` is a customers CSV (profiles as in ``data/customers.csv``, or ``order_amount``
    plus item-score columns) or ``""`` for the sample.
    """
    from crmlab.data import read_table
    from crmlab.rules.grading import grade_any, is_profile_table

    path, is_sample = data_path(data, "customers")
    company_name = _required_text(company, "company", "公司名称")
    day = report_date(as_of, is_sample)
    top = _positive_int(top_n, "top_n", "列出前几位客户")
    with _about("data"):
        header = read_table(path, text_columns=("customer_id", "name"))
    profiles = is_profile_table(header.columns)
    if profiles:
        customers, _, _ = _load(data, "customers")
    else:
        customers = header
        if "order_amount" not in customers:
            raise ReportParameterError(
                f"参数 data：文件 {path.name} 缺少「本年订单金额（万元）」这一列（列名应为 "
                "order_amount）；客户档案或加减分项表都需要它", "data")
        customers = customers.reset_index(drop=True)
    with _about("data"):
        graded = grade_any(customers)
    if not (graded["order_amount"] > 0).any():
        raise ReportParameterError(
            f"参数 data：文件 {path.name} 中所有客户的本年订单金额都是 0，无法分析客户价值", "data")
    graded["display_name"] = _display_names(graded)
    return GradingInputs(path, is_sample, company_name, day, top, customers, graded, profiles)


def _display_names(table: pd.DataFrame) -> pd.Series:
    for column in ("name", "customer_id"):
        if column in table:
            return table[column].astype(str)
    return pd.Series([f"第 {i + 2} 行" for i in range(len(table))], index=table.index)


# --------------------------------------------------------------------------------------------
# Credit review
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchRule:
    """A reason to watch a credit customer closely; ``flags`` marks the rows it applies to."""

    key: str
    label: str
    flags: Callable[[pd.DataFrame], pd.Series]


WATCH_GRADES: tuple[str, ...] = ("B", "C")
WATCH_OVERDUE_SHARE = 0.8
WATCH_CURRENT_RATIO = 1.0

WATCH_RULES: tuple[WatchRule, ...] = (
    WatchRule("grade", f"信用等级为 {' 或 '.join(WATCH_GRADES)}",
              lambda t: t["credit_grade"].isin(WATCH_GRADES)),
    WatchRule("overdue", f"逾期金额占应收账款 {WATCH_OVERDUE_SHARE:.0%} 及以上",
              lambda t: t["overdue_share"].ge(WATCH_OVERDUE_SHARE)),
    WatchRule("current_ratio", f"流动比率低于 {WATCH_CURRENT_RATIO:g}",
              lambda t: t["current_ratio"].lt(WATCH_CURRENT_RATIO)),
)
"""Who goes on the watch list (any one rule is enough); an illustrative teaching choice."""

WEAKEST_SHOWN = 3
"""How many of the lowest-scoring customers get a 5C radar chart."""


@dataclass
class CreditInputs:
    """Checked parameters and data of the credit review report."""

    files: pd.DataFrame  # the selected customers' credit files
    receivables: pd.DataFrame  # their open invoices
    weights: dict[str, float]
    custom_weights: bool
    customer_ids: list[str]
    as_of: date
    sources: tuple[Path, Path]
    is_sample: bool


def credit_review_inputs(data: object, receivables: object, customer_ids: object,
                         weights: object, as_of: object) -> CreditInputs:
    """Check the credit review report's parameters and load the credit files and invoices."""
    from crmlab.rules.credit import DEFAULT_WEIGHTS, FACTOR_LABELS

    data_path(data, "credit_files")
    recv_path, recv_sample = data_path(receivables, "receivables", "receivables")
    ids = [str(item).strip() for item in coerce_value("customer_ids", customer_ids, "list")]
    given = coerce_value("weights", weights, "dict")
    with _about("weights"):
        used = (dict(DEFAULT_WEIGHTS) if not given
                else check_weights(given, FACTOR_LABELS, "5C 权重（weights）"))
    day = report_date(as_of, recv_sample)
    files, files_path, files_sample = _load(data, "credit_files")
    invoices, _, _ = _load(receivables, "receivables", "receivables")
    if ids:
        known = set(files["customer_id"])
        unknown = [item for item in dict.fromkeys(ids) if item not in known]
        if unknown:
            shown = "、".join(files["customer_id"].head(8))
            raise ReportParameterError(
                f"参数 customer_ids：信用档案中没有这些客户：{'、'.join(unknown)}。"
                f"档案中的客户编号如：{shown}……", "customer_ids")
        files = files[files["customer_id"].isin(ids)]
    invoices = invoices[invoices["customer_id"].isin(files["customer_id"])]
    return CreditInputs(files.reset_index(drop=True), invoices.reset_index(drop=True), used,
                        bool(given), ids, day, (files_path, recv_path),
                        files_sample and recv_sample)


def credit_review_table(inputs: CreditInputs) -> pd.DataFrame:
    """One row per selected customer: 5C score and grade, limit and period, ratios, aging
    totals (``outstanding``, ``overdue_share``), ``watch`` (the watch reasons, joined) and
    ``watch_count`` (how many of ``WATCH_RULES`` apply)."""
    from crmlab.rules import credit

    scored = credit.score_table(credit.ratio_table(inputs.files), inputs.weights)
    aging = credit.aging_table(inputs.receivables, inputs.as_of) if len(inputs.receivables) else None
    if aging is None:
        outstanding = pd.Series(0.0, index=scored.index)
        share = pd.Series(np.nan, index=scored.index)
    else:
        by_id = scored["customer_id"]
        outstanding = by_id.map(aging[credit.AGING_TOTAL]).fillna(0.0)
        share = by_id.map(aging[credit.AGING_OVERDUE_SHARE])
    scored["outstanding"] = outstanding.to_numpy()
    scored["overdue_share"] = share.to_numpy()
    flags = pd.DataFrame({rule.label: rule.flags(scored).fillna(False).astype(bool)
                          for rule in WATCH_RULES})
    scored["watch"] = flags.apply(lambda row: "；".join(row.index[row.to_numpy()]), axis=1)
    scored["watch_count"] = flags.sum(axis=1).astype(int)
    return scored


def aging_chart(summary: pd.DataFrame, title: str = "应收账款账龄分布"):
    """Bars of the outstanding amount per aging bucket (``credit.aging_summary``)."""
    from crmlab.rules import credit

    fig, ax = _bar_figure(7, 3.8)
    amounts = summary[credit.AGING_AMOUNT]
    colors = ["#1b7837"] + ["#f6c141", "#f1a340", "#e08214", "#d73027", "#a50026"]
    bars = ax.bar(list(summary.index), amounts.to_numpy(), color=colors[: len(amounts)])
    shares = summary[credit.AGING_SHARE].fillna(0)
    ax.bar_label(bars, labels=[f"{a:,.1f}\n({s:.0%})" for a, s in zip(amounts, shares)],
                 fontsize=8)
    ax.set_ylabel("未收金额（万元）")
    ax.set_title(title)
    ax.margins(y=0.2)
    return fig


# --------------------------------------------------------------------------------------------
# Survey summary
# --------------------------------------------------------------------------------------------

SURVEY_TITLE_MAX = 15
"""A survey's title has at most this many characters (the course's practical training)."""


@dataclass
class SurveyInputs:
    """Checked parameters and data of the survey summary report."""

    path: Path
    is_sample: bool
    title: str
    group_by: str
    table: pd.DataFrame
    cleaned: CleanResult = field(repr=False)


def survey_inputs(data: object, title: object, group_by: object) -> SurveyInputs:
    """Check the survey summary report's parameters and load the questionnaires."""
    from crmlab.rules.survey import COLUMN_LABELS, GROUP_COLUMNS, clean_survey

    path, is_sample = data_path(data, "survey")
    heading = _required_text(title, "title", "调查题目")
    if len(heading) > SURVEY_TITLE_MAX:
        raise ReportParameterError(
            f"参数 title（调查题目）不能超过 {SURVEY_TITLE_MAX} 个字，现在是 {len(heading)} 个字："
            f"{heading}", "title")
    by = _as_text("group_by", group_by)
    aliases = {COLUMN_LABELS[c]: c for c in GROUP_COLUMNS}
    by = aliases.get(by, by)
    if by not in GROUP_COLUMNS:
        names = "、".join(f"{c}（{COLUMN_LABELS[c]}）" for c in GROUP_COLUMNS)
        raise ReportParameterError(f"参数 group_by 只能是这些列：{names}；现在是：{by!r}",
                                   "group_by")
    table, _, _ = _load(data, "survey")
    cleaned = clean_survey(table)
    if cleaned.valid.empty:
        raise ReportParameterError(
            f"参数 data：文件 {path.name} 中没有有效问卷（{cleaned.summary}）", "data")
    return SurveyInputs(path, is_sample, heading, by, table, cleaned)


# --------------------------------------------------------------------------------------------
# Class results (nbgrader gradebook)
# --------------------------------------------------------------------------------------------

GRADEBOOK_FILE = "gradebook.db"
AUTO, MANUAL = "auto", "manual"
KIND_LABELS = {AUTO: "自动评分测试", MANUAL: "人工评分"}
NOT_SUBMITTED = "未提交"


@dataclass
class ClassRecords:
    """A gradebook read into tables (nothing is written to it).

    ``assignments``: assignment, duedate, max_score. ``students``: student_id, name.
    ``submissions``: assignment, student_id, timestamp, seconds_late, raw_score, penalty,
    score (raw − penalty, not below 0), max_score, percent. ``grades``: assignment, notebook,
    cell, kind (``auto`` / ``manual``), cell_type, student_id, score, max_score, graded.
    """

    assignments: pd.DataFrame
    students: pd.DataFrame
    submissions: pd.DataFrame
    grades: pd.DataFrame


@dataclass
class ClassInputs:
    """Checked parameters and the gradebook of the class results report."""

    course_dir: Path
    database: Path | str  # the SQLite file, or the database URL without its password
    assignments: list[str]  # the assignments reported on
    threshold: float
    records: ClassRecords = field(repr=False)


def gradebook_path(course_dir: object) -> Path | str:
    """The course's gradebook as its nbgrader configuration names it (``CourseDirectory.db_url``
    read by nbgrader's own loader, so a database set in ``~/.jupyter`` or on a hub, PostgreSQL
    included, counts): the SQLite file (``""``: the current folder), or the database's URL. A
    missing SQLite file raises with what to do."""
    from crmlab.course.gradebook import db_url

    text = _as_text("course_dir", course_dir) or "."
    folder = Path(text).expanduser()
    url = db_url(folder) if folder.is_dir() else ""
    if url and not url.startswith("sqlite:///"):
        return url
    database = Path(url.removeprefix("sqlite:///").split("?", 1)[0]) if url else folder / GRADEBOOK_FILE
    if not database.is_file():
        raise ReportParameterError(
            f"找不到成绩库 {database}（nbgrader 的 {GRADEBOOK_FILE}）：请先运行 make demo "
            "或指定 course_dir（nbgrader 课程目录）", "course_dir")
    return database


def _without_password(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def class_results_inputs(course_dir: object, assignment: object,
                         threshold: object) -> ClassInputs:
    """Check the class results report's parameters and read the gradebook."""
    database = gradebook_path(course_dir)
    shown = database if isinstance(database, Path) else _without_password(database)
    pass_mark = coerce_value("threshold", threshold, "float")
    with _about("threshold"):
        as_number(pass_mark, "及格线（threshold，百分制）", minimum=0, maximum=100)
    wanted = _as_text("assignment", assignment)
    records = read_gradebook(database)
    known = list(records.assignments["assignment"])
    if not known:
        raise ReportParameterError(f"成绩库 {shown} 中还没有任何作业", "assignment")
    if wanted and wanted not in known:
        raise ReportParameterError(
            f"参数 assignment：成绩库中没有作业「{wanted}」。已有的作业：{'、'.join(known)}",
            "assignment")
    folder = Path(_as_text("course_dir", course_dir) or ".").expanduser()
    return ClassInputs(folder, shown, [wanted] if wanted else known, pass_mark, records)


def read_gradebook(database: Path | str) -> ClassRecords:
    """Read an nbgrader gradebook through ``nbgrader.api.Gradebook``: a SQLite file (opened
    read-only) or a database URL such as ``postgresql://...``."""
    from nbgrader.api import Gradebook

    if isinstance(database, Path):
        url = f"sqlite:///file:{database.resolve()}?mode=ro&uri=true"
        shown = str(database)
    else:
        url, shown = database, _without_password(database)
    try:
        # course_id "" makes Gradebook look the course up without ever adding one
        with Gradebook(url, course_id="") as gradebook:
            return _records(gradebook)
    except Exception as error:  # noqa: BLE001 - a damaged or foreign file: say so, in Chinese
        if isinstance(error, CourseInputError):
            raise
        raise ReportParameterError(
            f"无法读取成绩库 {shown}：{type(error).__name__}: {error}", "course_dir") from None


def _records(gradebook) -> ClassRecords:
    assignments, submissions, grades = [], [], []
    for assignment in gradebook.assignments:
        kinds, maxima = {}, {}
        for notebook in assignment.notebooks:
            answers = {cell.name for cell in notebook.solution_cells}
            for cell in notebook.grade_cells:
                kinds[cell.id] = (MANUAL if cell.name in answers else AUTO, cell.cell_type)
                maxima[cell.id] = float(cell.max_score)
            for cell in notebook.task_cells:
                kinds[cell.id] = (MANUAL, cell.cell_type)
                maxima[cell.id] = float(cell.max_score)
        assignments.append({"assignment": assignment.name, "duedate": assignment.duedate,
                            "max_score": sum(maxima.values())})
        for submission in assignment.submissions:
            submissions.append({
                "assignment": assignment.name, "student_id": submission.student_id,
                "timestamp": submission.timestamp,
                "seconds_late": float(submission.total_seconds_late),
                "raw_score": float(submission.score or 0.0),
                "penalty": float(submission.late_submission_penalty or 0.0)})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    kind, cell_type = kinds[grade.cell_id]
                    graded = grade.manual_score is not None or (
                        grade.auto_score is not None and not grade.needs_manual_grade)
                    grades.append({
                        "assignment": assignment.name, "notebook": notebook.name,
                        "cell": grade.cell.name, "kind": kind, "cell_type": cell_type,
                        "student_id": submission.student_id, "score": float(grade.score or 0.0),
                        "max_score": maxima[grade.cell_id], "graded": graded})
    students = pd.DataFrame(
        [{"student_id": s.id, "name": " ".join(p for p in (s.last_name, s.first_name) if p)}
         for s in gradebook.students], columns=["student_id", "name"]).sort_values("student_id")
    table = pd.DataFrame(assignments, columns=["assignment", "duedate", "max_score"])
    subs = pd.DataFrame(submissions, columns=["assignment", "student_id", "timestamp",
                                              "seconds_late", "raw_score", "penalty"])
    subs["max_score"] = subs["assignment"].map(table.set_index("assignment")["max_score"])
    subs["score"] = (subs["raw_score"] - subs["penalty"]).clip(lower=0)
    subs["percent"] = 100 * subs["score"] / subs["max_score"].where(subs["max_score"] > 0)
    columns = ["assignment", "notebook", "cell", "kind", "cell_type", "student_id", "score",
               "max_score", "graded"]
    return ClassRecords(table, students, subs, pd.DataFrame(grades, columns=columns))


def results_table(inputs: ClassInputs) -> pd.DataFrame:
    """Every student × reported assignment: score, percent and status (a missing submission
    counts 0, as nbgrader's export does); ``below`` marks a percent under the threshold."""
    records = inputs.records
    grid = pd.MultiIndex.from_product(
        [inputs.assignments, records.students["student_id"]], names=["assignment", "student_id"])
    subs = records.submissions.set_index(["assignment", "student_id"])
    table = subs.reindex(grid)[["score", "max_score", "percent", "seconds_late", "penalty"]]
    submitted = table["percent"].notna() | table["max_score"].notna()
    maxima = records.assignments.set_index("assignment")["max_score"]
    table["max_score"] = grid.get_level_values("assignment").map(maxima).to_numpy()
    table[["score", "percent", "penalty", "seconds_late"]] = (
        table[["score", "percent", "penalty", "seconds_late"]].fillna(0.0))
    waiting = (records.grades[(records.grades["kind"] == MANUAL) & ~records.grades["graded"]]
               .groupby(["assignment", "student_id"]).size().reindex(grid, fill_value=0))
    status = np.where(table["seconds_late"] > 0, "迟交", "按时")
    status = np.where(waiting.to_numpy() > 0, np.char.add(status.astype(str), "，有题待人工评分"),
                      status)
    table["status"] = np.where(submitted, status, NOT_SUBMITTED)
    table["below"] = table["percent"] < inputs.threshold
    table = table.reset_index()
    names = records.students.set_index("student_id")["name"]
    table.insert(2, "name", table["student_id"].map(names).fillna(""))
    return table


def cell_difficulty(inputs: ClassInputs) -> pd.DataFrame:
    """Per grade cell: submissions, mean score, max and difficulty (mean ÷ max; lower is
    harder), hardest first."""
    grades = _selected(inputs.records.grades, inputs)
    grades = grades[grades["graded"]]
    table = (grades.groupby(["assignment", "notebook", "cell", "kind"], sort=False)
             .agg(n=("score", "size"), mean=("score", "mean"), max_score=("max_score", "first"))
             .reset_index())
    table["difficulty"] = table["mean"] / table["max_score"].where(table["max_score"] > 0)
    table["kind"] = table["kind"].map(KIND_LABELS)
    return table.sort_values("difficulty", kind="stable").reset_index(drop=True)


def item_analysis(inputs: ClassInputs) -> pd.DataFrame:
    """Pass rate of each autograded test cell: the share of submissions with full marks."""
    grades = _selected(inputs.records.grades, inputs)
    tests = grades[(grades["kind"] == AUTO) & grades["graded"]].copy()
    tests["passed"] = tests["score"] >= tests["max_score"] - 1e-9
    table = (tests.groupby(["assignment", "notebook", "cell"], sort=False)
             .agg(n=("passed", "size"), passed=("passed", "sum"), max_score=("max_score", "first"))
             .reset_index())
    table["pass_rate"] = table["passed"] / table["n"]
    return table.sort_values("pass_rate", kind="stable").reset_index(drop=True)


def written_marks(inputs: ClassInputs) -> pd.DataFrame:
    """Manually graded cells: how many are graded and still waiting, and the marks' mean,
    standard deviation, minimum and maximum."""
    grades = _selected(inputs.records.grades, inputs)
    manual = grades[grades["kind"] == MANUAL]
    graded = manual["score"].where(manual["graded"])
    table = (manual.assign(mark=graded)
             .groupby(["assignment", "notebook", "cell"], sort=False)
             .agg(graded=("mark", "count"), waiting=("graded", lambda g: int((~g).sum())),
                  max_score=("max_score", "first"), mean=("mark", "mean"),
                  std=("mark", "std"), low=("mark", "min"), high=("mark", "max"))
             .reset_index())
    return table


def late_submissions(inputs: ClassInputs) -> pd.DataFrame:
    """Submissions after the due date: days late and the late penalty, latest first."""
    subs = _selected(inputs.records.submissions, inputs)
    late = subs[subs["seconds_late"] > 0].copy()
    late["days_late"] = late["seconds_late"] / 86_400
    names = inputs.records.students.set_index("student_id")["name"]
    late["name"] = late["student_id"].map(names).fillna("")
    columns = ["assignment", "student_id", "name", "timestamp", "days_late", "raw_score",
               "penalty", "score"]
    return late.sort_values("seconds_late", ascending=False)[columns].reset_index(drop=True)


def _selected(table: pd.DataFrame, inputs: ClassInputs) -> pd.DataFrame:
    return table[table["assignment"].isin(inputs.assignments)]


def score_histograms(results: pd.DataFrame, threshold: float,
                     title: str = "各作业成绩分布（百分制）"):
    """One histogram of the submitted scores (percent) per assignment, with the pass line."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from crmlab.charts import ACCENT, use_chinese_font

    use_chinese_font()
    names = list(dict.fromkeys(results["assignment"]))
    columns = min(3, len(names))
    rows = math.ceil(len(names) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows),
                             layout="constrained", squeeze=False, sharey=True)
    bins = np.linspace(0, 100, 11)
    for ax, name in zip(axes.flat, names):
        part = results[(results["assignment"] == name) & (results["status"] != NOT_SUBMITTED)]
        ax.hist(part["percent"].to_numpy(), bins=bins, color=ACCENT, alpha=0.85,
                edgecolor="white")
        ax.axvline(threshold, color="#b2182b", linestyle="--", linewidth=1)
        ax.set_title(f"{name}（{len(part)} 份）", fontsize=10)
        ax.set_xlabel("得分（%）")
        ax.set_xlim(0, 100)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("人数")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(f"{title}，虚线为及格线 {threshold:g} 分")
    return fig


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """A report template and what can be checked before a kernel starts."""

    name: str
    title: str
    description: str
    precheck: Callable[[Mapping[str, object]], None] = lambda values: None

    @property
    def template(self) -> Path:
        # The repository's reports/, shipped as crmlab.report_templates (looked up when used,
        # so that importing this module needs no templates, e.g. in the grading sandbox).
        return content_dir(REPORT_TEMPLATES) / f"{self.name}.ipynb"


REPORTS: dict[str, Report] = {report.name: report for report in (
    Report("customer_grading", "客户分级报告",
           "按课程评分卡为每位客户分级，附各级客户名单与策略、前 N 位客户、ABC 与 MVC/STC/BZ 分析",
           lambda v: data_path(v.get("data"), "customers")),
    Report("credit_review", "客户信用评估报告",
           "5C 信用评分与等级、财务比率、账龄分析、建议额度与期限、重点关注客户",
           lambda v: (data_path(v.get("data"), "credit_files"),
                      data_path(v.get("receivables"), "receivables", "receivables"))),
    Report("survey_summary", "满意度调查统计报告",
           "有效问卷统计、各题选项百分比、分组与全班汇总、平均满意度与净推荐值（NPS）",
           lambda v: data_path(v.get("data"), "survey")),
    Report("class_results", "班级成绩分析报告",
           "读取 nbgrader 成绩库：成绩分布、各题难度、测试通过率、迟交、未达及格线的学生、主观题评分",
           lambda v: gradebook_path(v.get("course_dir"))),
)}
"""Report name → its template (``reports/NAME.ipynb``) and Chinese title."""


def get_report(name: object) -> Report:
    """The registered report ``name``, or a Chinese error listing the reports."""
    if name not in REPORTS:
        known = "、".join(f"{r.name}（{r.title}）" for r in REPORTS.values())
        raise CourseInputError(f"没有名为「{name}」的报告。可用的报告：{known}", "报告")
    return REPORTS[name]


@dataclass(frozen=True)
class Parameter:
    """A template parameter as declared in its ``parameters`` cell."""

    name: str
    type_name: str
    default: object
    help: str


def report_parameters(name: str) -> dict[str, Parameter]:
    """The parameters of report ``name``, read from its template with papermill."""
    import papermill

    report = get_report(name)
    declared = papermill.inspect_notebook(str(report.template))
    return {key: Parameter(key, p["inferred_type_name"], ast.literal_eval(p["default"]),
                           p["help"]) for key, p in declared.items()}


def check_parameters(name: str, given: Mapping[str, object] | None) -> dict[str, object]:
    """``given`` with each name checked against the template and each value in its type."""
    declared = report_parameters(name)
    values = {}
    for key, value in (given or {}).items():
        if key not in declared:
            raise CourseInputError(
                f"报告 {name} 没有参数「{key}」。可用的参数：{'、'.join(declared)}", "参数")
        values[key] = coerce_value(key, value, declared[key].type_name)
    return values


@dataclass(frozen=True)
class ReportResult:
    """The files a successful run wrote."""

    notebook: Path
    html: Path
    table: Path


def run_report(name: str, parameters: Mapping[str, object] | None = None,
               out_dir: Path = DEFAULT_OUT, progress: bool = True) -> ReportResult:
    """Execute report ``name`` with papermill and write ``out_dir/NAME.ipynb`` and ``.html``.

    The kernel runs in the current working directory, so relative paths in parameters work.
    Bad names, types, files and values raise :class:`CourseInputError` with one Chinese
    message; a failed run leaves ``NAME.failed.ipynb`` (for debugging) and no HTML.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    report = get_report(name)
    values = check_parameters(name, parameters)
    defaults = {key: p.default for key, p in report_parameters(name).items()}
    out_dir = Path(out_dir)
    notebook, html = out_dir / f"{name}.ipynb", out_dir / f"{name}.html"
    failed, running = out_dir / f"{name}.failed.ipynb", out_dir / f".{name}.running.ipynb"
    workbook = out_dir / f"{name}.xlsx"
    for stale in (notebook, html, failed, workbook):
        stale.unlink(missing_ok=True)
    report.precheck({**defaults, **values})
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with _kernel_stderr_hidden() as terminal, _environment(MAIN_TABLE_ENV, workbook.resolve()):
            bar = {"desc": f"运行报告 {name}", "unit": "个单元格", "file": terminal} if progress else False
            papermill.execute_notebook(
                str(report.template), str(running), parameters=values, kernel_name=KERNEL,
                language="python", progress_bar=bar, log_output=False, cwd=str(Path.cwd()),
                config=_kernel_config())
    except PapermillExecutionError as error:
        _keep_failed(running, failed)
        workbook.unlink(missing_ok=True)
        raise CourseInputError(_failure_message(error, failed), "报告") from None
    except BaseException:
        _keep_failed(running, failed)
        workbook.unlink(missing_ok=True)
        raise
    partial = out_dir / f".{name}.html.part"
    try:
        partial.write_text(_to_html(running, report.title), encoding="utf-8")
        partial.replace(html)
        running.replace(notebook)
    finally:
        partial.unlink(missing_ok=True)
        if running.exists():
            _keep_failed(running, failed)
            workbook.unlink(missing_ok=True)
    return ReportResult(notebook, html, workbook)


@contextmanager
def _environment(name: str, value: object) -> Iterator[None]:
    """``os.environ[name] = value`` while the block runs (the kernel inherits it)."""
    import os

    saved = os.environ.get(name)
    os.environ[name] = str(value)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


@contextmanager
def _kernel_stderr_hidden() -> Iterator[io.TextIOBase]:
    """Keep the kernel's own stderr off the user's terminal; yield the terminal's stderr.

    The kernel inherits file descriptor 2. When a template stops on a bad parameter, ipykernel
    can log a ZMQ shutdown race there as a Python traceback, which the user must never see (the
    report's own message says what went wrong). The progress bar writes to the real stderr.
    """
    import os
    import sys
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w", encoding="utf-8", errors="replace")
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            terminal.close()


def _kernel_config():
    """Encrypt the kernel's connection (CurveZMQ) where pyzmq can: ipykernel warns on stderr
    about a plain TCP connection otherwise."""
    import zmq
    from traitlets.config import Config

    if not zmq.has("curve"):
        return Config()
    return Config({"KernelManager": {"transport_encryption": "auto"}})


def _keep_failed(running: Path, failed: Path) -> None:
    if running.exists():
        running.replace(failed)


_USER_ERRORS = {"CourseInputError", "DataValidationError", ReportParameterError.__name__}


def _failure_message(error, failed: Path) -> str:
    if error.ename == ReportParameterError.__name__:
        return error.evalue
    detail = error.evalue if error.ename in _USER_ERRORS else f"{error.ename}: {error.evalue}"
    return (f"报告在第 {error.cell_index + 1} 个单元格出错：{detail}"
            f"（出错的笔记本已保存为 {failed}）")


_HTML_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{% block data_png scoped %}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="{{ (alt or '图表') | escape_html }}">
</div>
{%- endblock data_png %}
"""
"""nbconvert's lab template, with each chart's text alternative (``show(fig, alt)``) kept."""


def _to_html(path: Path, title: str) -> str:
    """The executed notebook as one HTML page: no code, prompts or inputs; charts inline."""
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="lab", template_file="crmlab_report.html.j2",
        extra_loaders=[DictLoader({"crmlab_report.html.j2": _HTML_TEMPLATE})],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        language_code="zh")
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    return body


def describe_reports() -> list[str]:
    """Lines for ``crmlab report --list``: each report, then its parameters and defaults."""
    lines = []
    for report in REPORTS.values():
        lines.append(f"{report.name}  {report.title}：{report.description}")
        for parameter in report_parameters(report.name).values():
            default = json.dumps(parameter.default, ensure_ascii=False)
            lines.append(f"    {parameter.name:<13} {_TYPE_WORDS.get(parameter.type_name, '值')}"
                         f"，默认 {default}  {parameter.help}")
    return lines

