"""Parameterized reports: each template runs on the sample data and on files like a user's, the
HTML has charts and no code, and every bad parameter ends in one Chinese message and no HTML.

The slow tests execute the real templates with papermill; each run happens once per module
(the ``sample`` and ``user`` fixtures cache them) and the tests read its outputs.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from papermill.exceptions import PapermillExecutionError

from crmlab import reports
from crmlab.commands.cli import main
from crmlab.data import DATA_DIR, read_table
from crmlab.grading.gradebook import read_gradebook
from crmlab.reports import REPORTS, ReportParameterError, coerce_value, runner
from crmlab.rules.checks import CourseInputError
from tests.support import ROOT
from tests.support.gradebook import build_gradebook
from tests.support.notebooks import is_clean, problems

NAMES = tuple(REPORTS)
CHARTS = {"customer_grading": 2, "credit_review": 4, "survey_summary": 1, "class_results": 1}
"""Charts each report draws on the sample data (credit: aging + three radars)."""


def cli(capfd, *argv: str) -> tuple[int, str, str]:
    """Run ``crmlab`` in-process; stdout and stderr as a user sees them (kernel's included)."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture(scope="module")
def course_root(tmp_path_factory) -> Path:
    """A folder whose ``out/demo/course`` holds the small gradebook (class_results' default)."""
    root = tmp_path_factory.mktemp("course_root")
    build_gradebook(root / "out" / "demo" / "course")
    return root


@pytest.fixture(scope="module")
def class_inputs(course_root):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(course_root)
        return reports.class_results_inputs("out/demo/course", "", 60)


# --- files like a user's ------------------------------------------------------------------------


def user_customers(path: Path) -> Path:
    """40 customers, columns reversed, an extra column, Chinese place names, saved by Excel."""
    table = pd.read_csv(DATA_DIR / "customers.csv", dtype=str).head(40)
    table.loc[::3, "region"] = "广东省深圳市"
    table.loc[1::3, "region"] = "新疆维吾尔自治区"
    table["备注"] = "老客户"
    table[table.columns[::-1]].to_csv(path, index=False, encoding="utf-8-sig")
    return path


def user_credit(folder: Path) -> tuple[Path, Path]:
    files = pd.read_csv(DATA_DIR / "credit_files.csv", dtype=str).head(30)
    files["联系人"] = "王经理"
    receivables = pd.read_csv(DATA_DIR / "receivables.csv", dtype=str)
    receivables["备注"] = "对账中"
    paths = folder / "我的信用档案.csv", folder / "我的应收账款.csv"
    files[files.columns[::-1]].to_csv(paths[0], index=False, encoding="utf-8")
    receivables[receivables.columns[::-1]].to_csv(paths[1], index=False, encoding="utf-8")
    return paths


def user_survey(path: Path) -> Path:
    table = pd.read_csv(DATA_DIR / "survey.csv", dtype=str)
    table["group"] = table["group"].str.replace("第", "").str.replace("组", "") + "号小组"
    table["调查地点"] = "西湖店"
    table[table.columns[::-1]].to_csv(path, index=False, encoding="utf-8")
    return path


def bad_customers(path: Path) -> Path:
    """The sample's first five customers with a negative order amount on CSV line 4."""
    table = pd.read_csv(DATA_DIR / "customers.csv", dtype=str).head(5)
    table.loc[2, "order_amount"] = "-5"
    table.to_csv(path, index=False)
    return path


# --- fast: templates and registry ---------------------------------------------------------------


def template(name: str) -> nbformat.NotebookNode:
    return nbformat.read(REPORTS[name].template, as_version=4)


@pytest.mark.parametrize("name", NAMES)
def test_template_is_committed_without_outputs(name):
    """Is each report notebook committed with no outputs and no execution counts?"""
    assert is_clean(template(name))


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell_has_plain_defaults_and_is_followed_by_validation(name):
    """Does each template have one `parameters` cell of plain literals, and is the next code
    cell the one that validates them through crmlab.reports?"""
    cells = [c for c in template(name).cells if c.cell_type == "code"]
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse(cells[tagged[0]].source)
    assert all(isinstance(node, ast.AnnAssign) for node in tree.body)
    for node in tree.body:
        ast.literal_eval(node.value)  # raises on anything but a plain default
    names = [node.target.id for node in tree.body]
    assert set(names) == set(reports.report_parameters(name))
    validation = cells[tagged[0] + 1].source
    assert "_inputs(" in validation and all(f"{n}={n}" in validation for n in names)


def test_every_data_file_parameter_is_named_data():
    """Is the main data file of every report that reads one passed as `data`?"""
    for name in ("customer_grading", "credit_review", "survey_summary"):
        assert "data" in reports.report_parameters(name)


def test_registry_lists_exactly_the_templates():
    """Does REPORTS name every notebook in reports/ and nothing else, each with a title?"""
    assert {p.stem for p in (ROOT / "reports").glob("*.ipynb")} == set(REPORTS)
    assert all(report.title and report.template.exists() for report in REPORTS.values())


def test_list_shows_every_report_with_parameters_and_defaults(capfd):
    """Does `crmlab report --list` show each report, its parameters and their defaults?"""
    code, out, _ = cli(capfd, "report", "--list")
    assert code == 0
    for name, report in REPORTS.items():
        assert name in out and report.title in out
    assert "top_n" in out and "默认 10" in out and "默认 \"out/demo/course\"" in out


# --- fast: parameter types -------------------------------------------------------------------


@pytest.mark.parametrize(("value", "type_name", "expected"), [
    ("20", "int", 20),
    ("7.0", "int", 7),
    ("55.5", "float", 55.5),
    ("C0006,C0007", "list", ["C0006", "C0007"]),
    ("C0006，C0007、C0008", "list", ["C0006", "C0007", "C0008"]),
    ("[C0006, C0007]", "list", ["C0006", "C0007"]),
    ("", "list", []),
    ("{character: 0.5, capacity: 0.5}", "dict", {"character": 0.5, "capacity": 0.5}),
    ('{"character": 1}', "dict", {"character": 1}),
    ("", "dict", {}),
    ("  报告.csv ", "str", "报告.csv"),
    (None, "str", ""),
])
def test_command_line_strings_become_the_declared_type(value, type_name, expected):
    """Is a command-line string turned into the type the template declares?"""
    assert coerce_value("p", value, type_name) == expected


@pytest.mark.parametrize(("value", "type_name"), [
    ("abc", "int"), ("2.5", "int"), (True, "int"), ("nan", "float"), ("inf", "float"),
    ("[1, 2", "dict"), ("[1, 2]", "dict"), ("{a: 1}", "list"), (["a"], "str"),
])
def test_a_value_of_the_wrong_type_is_refused_in_chinese(value, type_name):
    """Does a value that cannot be the declared type give a Chinese message naming it?"""
    with pytest.raises(ReportParameterError, match="参数 p 应为"):
        coerce_value("p", value, type_name)


# --- fast: bad parameters stop before a kernel starts ---------------------------------------------


def assert_no_report(out_dir: Path, name: str) -> None:
    assert not (out_dir / f"{name}.html").exists()
    assert not (out_dir / f"{name}.ipynb").exists()
    assert not (out_dir / f"{name}.xlsx").exists()


def test_unknown_report_is_refused_with_the_list(capfd, tmp_path):
    """Does an unknown report name exit 1 with a Chinese message listing the reports?"""
    code, _, err = cli(capfd, "report", "sales_forecast", "--out", str(tmp_path))
    assert code == 1 and "错误：没有名为「sales_forecast」的报告" in err
    assert all(name in err for name in NAMES)
    assert not list(tmp_path.iterdir())


def test_missing_report_name_says_what_to_give(capfd):
    """Does `crmlab report` without a name exit 1 and name the reports?"""
    code, _, err = cli(capfd, "report")
    assert code == 1 and "请给出报告名称" in err and "customer_grading" in err


def test_unknown_parameter_is_named_with_the_valid_ones(capfd, tmp_path):
    """Does a misspelt parameter exit 1, naming it and listing the report's parameters?"""
    code, _, err = cli(capfd, "report", "customer_grading", "-p", "topn", "5",
                       "--out", str(tmp_path))
    assert code == 1 and "没有参数「topn」" in err
    assert "data、company、as_of、top_n" in err
    assert_no_report(tmp_path, "customer_grading")


def test_a_non_numeric_top_n_is_refused(capfd, tmp_path):
    """Does `-p top_n abc` exit 1 saying top_n must be a whole number?"""
    code, _, err = cli(capfd, "report", "customer_grading", "-p", "top_n", "abc",
                       "--out", str(tmp_path))
    assert code == 1 and "参数 top_n 应为整数" in err
    assert_no_report(tmp_path, "customer_grading")


@pytest.mark.parametrize(("name", "parameter"), [
    ("customer_grading", "data"), ("credit_review", "receivables"), ("survey_summary", "data"),
])
def test_a_missing_file_is_named(capfd, tmp_path, name, parameter):
    """Does a data file that does not exist exit 1 naming the parameter and the file?"""
    code, _, err = cli(capfd, "report", name, "-p", parameter, "没有这个文件.csv",
                       "--out", str(tmp_path))
    assert code == 1 and f"参数 {parameter}：找不到文件 没有这个文件.csv" in err
    assert_no_report(tmp_path, name)


def test_a_missing_gradebook_says_to_run_the_demo(capfd, tmp_path, monkeypatch):
    """Without out/demo/course/gradebook.db, does class_results say to run make demo?"""
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capfd, "report", "class_results", "--out", str(tmp_path / "out"))
    assert code == 1 and "找不到成绩库" in err and "请先运行 make demo 或指定 course_dir" in err
    assert_no_report(tmp_path / "out", "class_results")


def test_an_old_report_does_not_survive_a_failed_run(capfd, tmp_path):
    """After a failed run, is a previous run's HTML gone, so nothing looks like success?"""
    (tmp_path / "survey_summary.html").write_text("旧的报告", encoding="utf-8")
    (tmp_path / "survey_summary.ipynb").write_text("{}", encoding="utf-8")
    code, _, _ = cli(capfd, "report", "survey_summary", "-p", "data", "nope.csv",
                     "--out", str(tmp_path))
    assert code == 1
    assert_no_report(tmp_path, "survey_summary")


def failure(ename: str, evalue: str) -> PapermillExecutionError:
    return PapermillExecutionError(cell_index=6, exec_count=3, source="x", ename=ename,
                                   evalue=evalue, traceback=[])


def test_a_validation_failure_is_passed_on_as_it_is(tmp_path):
    """Is the template's own ReportParameterError message the whole message?"""
    message = runner._failure_message(failure("ReportParameterError", "参数 data：找不到文件 x.csv"),
                                       tmp_path / "r.failed.ipynb")
    assert message == "参数 data：找不到文件 x.csv"


def test_an_unexpected_failure_names_the_cell(tmp_path):
    """Does any other error say which cell failed, what it was and where the notebook is?"""
    failed = tmp_path / "r.failed.ipynb"
    message = runner._failure_message(failure("KeyError", "'amount'"), failed)
    assert message.startswith("报告在第 7 个单元格出错：KeyError: 'amount'")
    assert str(failed) in message


# --- fast: the validation functions the templates call ---------------------------------------------


def test_weights_that_are_not_numbers_are_refused():
    """Does a 5C weight that is not a number stop the credit review with a Chinese message?"""
    weights = {"character": "abc", "capacity": 0.25, "capital": 0.2, "collateral": 0.1,
               "conditions": 0.15}
    with pytest.raises(ReportParameterError, match="参数 weights：.*品格.*必须是数字"):
        reports.credit_review_inputs("", "", [], weights, "")


def test_weights_must_sum_to_one():
    """Do weights summing to 1.2 stop the credit review?"""
    weights = "{character: 0.5, capacity: 0.25, capital: 0.2, collateral: 0.1, conditions: 0.15}"
    with pytest.raises(ReportParameterError, match="之和必须等于 1，现在是 1.2"):
        reports.credit_review_inputs("", "", [], weights, "")


def test_weights_given_as_text_and_customer_ids_as_a_comma_list_work():
    """Does plain papermill's text for weights and ids give the intended selection?"""
    inputs = reports.credit_review_inputs(
        "", "", "C0006, C0007",
        "{character: 0.2, capacity: 0.2, capital: 0.2, collateral: 0.2, conditions: 0.2}", "")
    assert list(inputs.files["customer_id"]) == ["C0006", "C0007"]
    assert inputs.custom_weights and inputs.weights["collateral"] == 0.2
    assert set(inputs.receivables["customer_id"]) <= {"C0006", "C0007"}


def test_unknown_customer_ids_are_named():
    """Does an id missing from the credit files stop the report, naming it?"""
    with pytest.raises(ReportParameterError, match="没有这些客户：X999"):
        reports.credit_review_inputs("", "", ["C0006", "X999"], {}, "")


def test_an_empty_as_of_means_the_samples_date():
    """Does as_of="" give the sample's as-of date for the sample, and a bad date a message?"""
    from crmlab.data import AS_OF

    assert reports.report_date("", sample=True) == AS_OF
    with pytest.raises(ReportParameterError, match="as_of"):
        reports.report_date("2025-13-45", sample=True)


@pytest.mark.parametrize(("title", "group_by", "problem"), [
    ("门店顾客满意度调查与服务质量改进研究", "group", "不能超过 15 个字"),
    ("", "group", "不能为空"),
    ("门店调查", "gender", "group_by 只能是"),
])
def test_survey_title_and_grouping_are_checked(title, group_by, problem):
    """Are a title over 15 characters, an empty one and a grouping column other than group /
    surveyor refused?"""
    with pytest.raises(ReportParameterError, match=problem):
        reports.survey_inputs("", title, group_by)


def test_survey_grouping_accepts_the_chinese_column_name():
    """Does group_by=调查员 mean the surveyor column?"""
    assert reports.survey_inputs("", "门店调查", "调查员").group_by == "surveyor"


def test_a_file_failing_its_schema_names_row_and_column(tmp_path):
    """Does a customer file with a negative amount on line 4 name the line and the column?"""
    with pytest.raises(ReportParameterError, match="第 4 行，E 列「order_amount」"):
        reports.customer_grading_inputs(str(bad_customers(tmp_path / "c.csv")), "甲公司", "", 5)


def test_a_workbook_sheet_is_a_data_file_too(tmp_path):
    """Does a report parameter naming ``客户.xlsx:工作表`` read that sheet, and a sheet that is
    not there give one Chinese line naming the sheets?"""
    path = tmp_path / "客户.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"说明": ["封面"]}).to_excel(writer, sheet_name="封面", index=False)
        pd.read_csv(DATA_DIR / "customers.csv").head(30).to_excel(writer, sheet_name="客户",
                                                                   index=False)
    inputs = reports.customer_grading_inputs(f"{path}:客户", "甲公司", "", 5)
    assert len(inputs.graded) == 30 and inputs.profiles
    with pytest.raises(ReportParameterError, match="没有名为「客户表」的工作表，有：封面、客户"):
        reports.customer_grading_inputs(f"{path}:客户表", "甲公司", "", 5)


def test_top_n_must_be_positive():
    """Is top_n = 0 refused?"""
    with pytest.raises(ReportParameterError, match="top_n（列出前几位客户）必须是正整数"):
        reports.customer_grading_inputs("", "甲公司", "", 0)


def test_item_score_tables_are_graded_too(tmp_path):
    """Does a table of order amounts and item scores (no profile columns) get graded?"""
    path = tmp_path / "items.csv"
    pd.DataFrame({"name": ["甲", "乙"], "order_amount": [50, 600],
                  "cooperation_years": [3, 0], "brand": [2, 0], "product_needs": [3, 0],
                  "advocacy": [2, 0]}).to_csv(path, index=False)
    inputs = reports.customer_grading_inputs(str(path), "甲公司", "2025-12-31", 5)
    assert not inputs.profiles
    assert list(inputs.graded["level"]) == ["D", "A"]  # the textbook's worked example first


# --- fast: the class results read from a real gradebook -------------------------------------------


def test_gradebook_is_read_without_being_changed(course_root):
    """Does reading the gradebook leave the file byte for byte as it was?"""
    database = course_root / "out" / "demo" / "course" / "gradebook.db"
    before = database.read_bytes()
    assert len(read_gradebook(database.parent).students) == 4
    assert database.read_bytes() == before


def test_unknown_assignment_lists_the_known_ones(course_root, monkeypatch):
    """Does an assignment id not in the gradebook stop the report, listing hw01 and hw02?"""
    monkeypatch.chdir(course_root)
    with pytest.raises(ReportParameterError, match="没有作业「hw09」。已有的作业：hw01、hw02"):
        reports.class_results_inputs("out/demo/course", "hw09", 60)


@pytest.mark.parametrize("threshold", ["-1", "101", "及格"])
def test_threshold_must_be_a_percentage(course_root, threshold):
    """Is a pass mark outside 0–100, or not a number, refused?"""
    with pytest.raises(ReportParameterError, match="threshold"):
        reports.class_results_inputs(course_root / "out" / "demo" / "course", "", threshold)


def test_item_analysis_gives_each_tests_pass_rate(class_inputs):
    """Is a test's pass rate the share of submissions with full marks?"""
    rates = reports.item_analysis(class_inputs).set_index("cell")["pass_rate"]
    assert rates.to_dict() == {"p2_test": 1 / 3, "q2_test": 0.5, "p1_test": 2 / 3,
                               "q1_test": 0.75}


def test_difficulty_is_mean_over_max_and_skips_ungraded_work(class_inputs):
    """Is the written answer's difficulty the mean of its three graded marks over 5?"""
    table = reports.cell_difficulty(class_inputs).set_index("cell")
    assert table.loc["q3_written", "n"] == 3
    assert table.loc["q3_written", "difficulty"] == pytest.approx(0.8)


def test_written_marks_show_mean_spread_and_waiting(class_inputs):
    """Do the manually graded marks give mean 4, standard deviation 1 and one still waiting?"""
    row = reports.written_marks(class_inputs).iloc[0]
    assert (row["graded"], row["waiting"], row["mean"], row["std"]) == (3, 1, 4.0, 1.0)


def test_late_submission_is_listed_with_its_penalty(class_inputs):
    """Is s04's late hw01 listed with its penalty and the score after it?"""
    late = reports.late_submissions(class_inputs)
    assert list(late["student_id"]) == ["s04"]
    assert late.iloc[0][["raw_score", "penalty", "score"]].tolist() == [9.0, 2.0, 7.0]
    assert late.iloc[0]["days_late"] == pytest.approx(28 / 24)


def test_students_below_the_threshold_include_those_who_did_not_submit(class_inputs):
    """Below 60 %: the scores under it, the late score after its penalty counted, and s04's
    missing hw02 as 0?"""
    results = reports.results_table(class_inputs)
    below = results[results["below"]].set_index(["assignment", "student_id"])
    assert set(below.index) == {("hw01", "s02"), ("hw01", "s03"), ("hw02", "s02"),
                                ("hw02", "s03"), ("hw02", "s04")}
    assert below.loc[("hw02", "s04"), "status"] == reports.NOT_SUBMITTED


# --- slow: real papermill runs --------------------------------------------------------------------


def run_in(cwd: Path, name: str, parameters: dict, out: Path) -> reports.ReportResult:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        return reports.run_report(name, parameters, out, progress=False)


@pytest.fixture(scope="module")
def sample(tmp_path_factory, course_root):
    """Each report run once with no parameters (survey_summary through the `crmlab` command
    in a fresh process, to see its stderr). Returns name → (result, stderr)."""
    out = tmp_path_factory.mktemp("sample_reports")
    cache: dict[str, tuple[reports.ReportResult, str]] = {}

    def get(name: str) -> tuple[reports.ReportResult, str]:
        if name not in cache:
            if name == "survey_summary":
                done = subprocess.run(
                    [sys.executable, "-m", "crmlab.commands.cli", "report", name, "--out", str(out)],
                    cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
                    env={**os.environ, "PYTHONWARNINGS": "default"})
                assert done.returncode == 0, done.stderr
                result = reports.ReportResult(out / f"{name}.ipynb", out / f"{name}.html",
                                              out / f"{name}.xlsx")
                cache[name] = result, done.stderr
            else:
                cwd = course_root if name == "class_results" else ROOT
                cache[name] = run_in(cwd, name, {}, out), ""
        return cache[name]

    return get


@pytest.fixture(scope="module")
def user(tmp_path_factory):
    """Reports on files like a user's; returns name → executed notebook path."""
    folder = tmp_path_factory.mktemp("user_files")
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name in cache:
            return cache[name]
        if name == "customer_grading":
            data = user_customers(folder / "我的客户.csv")
            result = run_in(folder, name, {"data": data.name, "company": "杭州某某工贸有限公司",
                                           "as_of": "2025-06-30", "top_n": "5"}, folder / "out")
            cache[name] = result.notebook
        elif name == "credit_review":
            files, receivables = user_credit(folder)
            result = run_in(folder, name, {
                "data": str(files), "receivables": str(receivables),
                "customer_ids": "C0006,C0007,C0013,C0020",
                "weights": "{character: 0.4, capacity: 0.2, capital: 0.2, collateral: 0.1, "
                           "conditions: 0.1}",
                "as_of": "2025-12-31"}, folder / "out")
            cache[name] = result.notebook
        elif name == "survey_summary":  # plain papermill, no crmlab runner
            data = user_survey(folder / "问卷.csv")
            target = folder / "survey_by_papermill.ipynb"
            subprocess.run(
                [sys.executable, "-m", "papermill", "--no-progress-bar",
                 str(REPORTS[name].template), str(target), "-p", "data", str(data),
                 "-p", "group_by", "surveyor", "-p", "title", "西湖店顾客调查"],
                cwd=folder, capture_output=True, text=True, timeout=300, check=True)
            cache[name] = target
        return cache[name]

    return get


def text_of(notebook: nbformat.NotebookNode) -> str:
    """Every text output of an executed notebook (markdown, HTML tables, plain text)."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts += [data.get("text/markdown", ""), data.get("text/html", ""),
                      data.get("text/plain", ""), output.get("text", "")]
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_report_runs_on_the_sample_without_errors_or_warnings(sample, name):
    """Does each report run with no parameters, writing its notebook and HTML, with no error
    and nothing on stderr inside the notebook?"""
    result, _ = sample(name)
    assert result.notebook.exists() and result.html.exists()
    assert not result.notebook.with_suffix(".failed.ipynb").exists()
    assert problems(nbformat.read(result.notebook, as_version=4)) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_report_saves_its_main_table_for_excel(sample, name):
    """Is the report's main table saved as NAME.xlsx beside the HTML, with Chinese headings?"""
    from openpyxl import load_workbook

    result, _ = sample(name)
    assert result.table == result.html.with_suffix(".xlsx") and result.table.exists()
    [sheet] = load_workbook(result.table, read_only=True).worksheets
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(title)) for title in header), header
    assert len(read_table(result.table)) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_html_has_the_charts_and_no_code(sample, name):
    """Does the HTML embed each chart as a PNG with a Chinese text alternative, and show no
    code cell's input?"""
    result, _ = sample(name)
    soup = BeautifulSoup(result.html.read_text(encoding="utf-8"), "html.parser")
    images = soup.select("img")
    assert len(images) == CHARTS[name]
    assert all(img["src"].startswith("data:image/png;base64,") for img in images)
    assert all(img.get("alt") and "No description" not in img["alt"] for img in images)
    assert soup.select(".jp-CodeCell .jp-InputArea") == []
    assert soup.select(".highlight") == []
    assert "_inputs(" not in soup.get_text()
    assert soup.title.get_text() == REPORTS[name].title


@pytest.mark.slow
def test_a_report_run_prints_no_warnings(sample):
    """Does a `crmlab report` run print nothing on stderr but its progress bar?"""
    _, stderr = sample("survey_summary")
    lines = [line for line in stderr.replace("\r", "\n").splitlines()
             if line.strip() and not line.startswith("运行报告 survey_summary:")]
    assert lines == []


@pytest.mark.slow
def test_class_results_shows_the_gradebooks_facts(sample):
    """Does the class report show the late submission, the missing one and the pending mark?"""
    result, _ = sample("class_results")
    text = text_of(nbformat.read(result.notebook, as_version=4))
    assert "共 **1** 份迟交，合计扣分 **2** 分" in text
    assert reports.NOT_SUBMITTED in text and "刘 洋" in text
    assert "还有 **1** 份主观题等待人工评分" in text


@pytest.mark.slow
def test_customer_grading_on_a_users_file(user):
    """Does a user's file (reversed columns, extra column, BOM, Chinese place names) give a
    report with their company, their 40 customers and the place names?"""
    notebook = nbformat.read(user("customer_grading"), as_version=4)
    assert problems(notebook) == []
    text = text_of(notebook)
    assert "杭州某某工贸有限公司客户分级报告" in text and "共 40 位客户" in text
    assert "广东省深圳市" in text and "新疆维吾尔自治区" in text
    assert "综合得分最高的前 5 位客户" in text


@pytest.mark.slow
def test_credit_review_on_users_files_with_chosen_customers_and_weights(user):
    """Do the user's files, four chosen customers and custom weights all reach the report?"""
    notebook = nbformat.read(user("credit_review"), as_version=4)
    assert problems(notebook) == []
    text = text_of(notebook)
    assert "指定的 4 位客户" in text and "报告运行时指定" in text
    assert "我的信用档案.csv" in text


@pytest.mark.slow
def test_plain_papermill_runs_a_template_on_a_users_survey(user):
    """Does `papermill` alone run the survey template on a user's file, grouped by surveyor?"""
    notebook = nbformat.read(user("survey_summary"), as_version=4)
    assert problems(notebook) == []
    text = text_of(notebook)
    assert "西湖店顾客调查" in text and "按调查员（surveyor）" in text


@pytest.mark.slow
@pytest.mark.parametrize(("name", "params", "message"), [
    ("customer_grading", ("-p", "data", "BAD_FILE"), "第 4 行，E 列「order_amount」"),
    ("class_results", ("-p", "course_dir", "COURSE_DIR", "-p", "assignment", "hw09"),
     "已有的作业：hw01、hw02"),
    ("credit_review", ("-p", "weights", "{character: abc, capacity: 0.25, capital: 0.2, "
                                        "collateral: 0.1, conditions: 0.15}"), "必须是数字"),
])
def test_bad_parameter_found_by_the_template_exits_1_without_html(
        capfd, tmp_path, course_root, name, params, message):
    """Does a problem the template's validation cell finds (a schema failure, an unknown
    assignment, a weight that is not a number) exit 1 with that one Chinese message, leave
    no HTML and keep the failed notebook for debugging?"""
    bad = bad_customers(tmp_path / "bad.csv")
    course = course_root / "out" / "demo" / "course"
    argv = [{"BAD_FILE": str(bad), "COURSE_DIR": str(course)}.get(p, p) for p in params]
    out = tmp_path / "out"
    code, _, err = cli(capfd, "report", name, *argv, "--out", str(out))
    assert code == 1
    assert f"错误：参数 {argv[-2]}" in err
    assert message in err and "出错" not in err
    assert_no_report(out, name)
    assert (out / f"{name}.failed.ipynb").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_run_report_refuses_an_unknown_name_before_anything_else(tmp_path):
    """Is an unknown report name a CourseInputError from run_report itself?"""
    with pytest.raises(CourseInputError, match="可用的报告"):
        reports.run_report("nope", {}, tmp_path)
    assert not list(tmp_path.iterdir())


def test_the_kernels_stderr_never_reaches_the_terminal_but_the_progress_bar_does(capfd):
    """The kernel inherits stderr; ipykernel may log a shutdown race there as a traceback after a
    template stops on a bad parameter. A child process stands in for the kernel here."""
    import subprocess
    import sys

    with runner._kernel_stderr_hidden() as terminal:
        subprocess.run([sys.executable, "-c", "import sys; sys.stderr.write('Traceback (kernel)')"],
                       check=True)
        terminal.write("运行报告 进度")
        terminal.flush()
    print("之后的错误信息", file=sys.stderr)
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "运行报告 进度" in err and "之后的错误信息" in err
