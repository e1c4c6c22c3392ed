"""The report runner: the registry of templates (``REPORTS``), their parameters as papermill
reads them, and :func:`run_report`, which ``crmlab report`` calls.

:func:`run_report` checks the report's name and the parameters' names against the template
(``papermill.inspect_notebook``), turns command-line strings into the declared types, executes
the template with papermill and writes ``DIR/NAME.ipynb`` plus ``DIR/NAME.html`` (no code,
charts embedded), and the report's main table as ``DIR/NAME.xlsx`` (each template hands it to
:func:`crmlab.reports.display.save_table`). A failing run leaves only ``DIR/NAME.failed.ipynb``
and raises :class:`~crmlab.rules.checks.CourseInputError`.
"""

from __future__ import annotations

import ast
import io
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from crmlab.data.resources import REPORT_TEMPLATES, content_dir
from crmlab.reports.class_results import gradebook_path
from crmlab.reports.display import MAIN_TABLE_ENV
from crmlab.reports.parameters import TYPE_WORDS, ReportParameterError, coerce_value, data_path
from crmlab.rules.checks import CourseInputError

DEFAULT_OUT = Path("out/reports")
KERNEL = "python3"



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
            lines.append(f"    {parameter.name:<13} {TYPE_WORDS.get(parameter.type_name, '值')}"
                         f"，默认 {default}  {parameter.help}")
    return lines

