"""The grade export an instructor opens in Excel: nbgrader's own ``export`` command with the
course's plugin (Chinese headings, names, late penalties, local times; CSV with a BOM or .xlsx),
and the Formgrader time zone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from traitlets.config.loader import PyFileConfigLoader

from crmlab.course.facts import COURSE_TIMEZONE
from crmlab.data import read_table
from crmlab.grading.environment import environment
from crmlab.grading.export import EXPORT_HEADINGS, CourseExportPlugin
from tests.support import ROOT
from tests.support.gradebook import STUDENTS, build_gradebook


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory) -> Path:
    return build_gradebook(tmp_path_factory.mktemp("export") / "course")


def export(database: Path, dest: Path) -> pd.DataFrame:
    """Run the real ``nbgrader export`` with the course's plugin; read back what it wrote."""
    command = [sys.executable, "-m", "nbgrader", "export", f"--to={dest}",
               f"--CourseDirectory.db_url=sqlite:///{database}",
               "--ExportApp.plugin_class=crmlab.grading.export.CourseExportPlugin",
               "--CourseDirectory.course_id=crm-lab", "--log-level=WARN"]
    done = subprocess.run(command, cwd=database.parent, capture_output=True, text=True,
                          env=environment())
    assert done.returncode == 0, done.stderr
    return read_table(dest, text_columns=[EXPORT_HEADINGS["student_id"]])


def test_the_course_config_sets_the_plugin_and_timezone():
    """Does nbgrader_config.py name the export plugin and Asia/Shanghai for Formgrader?"""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.ExportApp.plugin_class is CourseExportPlugin
    assert config.NbGraderAPI.timezone == COURSE_TIMEZONE == "Asia/Shanghai"


@pytest.mark.parametrize("name", ["成绩.csv", "成绩.xlsx"])
@pytest.mark.slow  # builds a gradebook, runs `nbgrader export`
def test_export_has_chinese_headings_names_penalties_and_local_times(gradebook, tmp_path, name):
    """Does `nbgrader export` write one row per student and assignment with Chinese headings,
    the students' names, the late penalty and Beijing times, as CSV with a BOM or a workbook?"""
    table = export(gradebook, tmp_path / name)
    assert list(table.columns) == list(EXPORT_HEADINGS.values())
    assert len(table) == 2 * len(STUDENTS)
    rows = {(r["学号"], r["作业"]): r for r in table.to_dict("records")}
    late = rows[("s04", "hw01")]
    assert late["姓名"] == "刘洋"
    assert (late["得分（扣分前）"], late["迟交扣分"], late["最终得分"], late["满分"]) == (9, 2, 7, 10)
    assert late["截止时间"] == "2026-01-10 23:59"  # 15:59 UTC in the gradebook
    assert late["提交时间"] == "2026-01-12 03:59"  # 28 hours late
    missing = rows[("s04", "hw02")]
    assert pd.isna(missing["提交时间"]) and missing["最终得分"] == 0
    if name.endswith(".csv"):
        assert (tmp_path / name).read_bytes().startswith("\ufeff作业".encode())
    else:
        from openpyxl import load_workbook

        assert load_workbook(tmp_path / name).sheetnames == ["成绩"]


@pytest.mark.slow
def test_export_of_one_assignment_and_student(gradebook, tmp_path):
    """Are nbgrader's --assignment and --student choices honoured?"""
    command = [sys.executable, "-m", "nbgrader", "export", f"--to={tmp_path / 'hw02.csv'}",
               f"--CourseDirectory.db_url=sqlite:///{gradebook}", "--assignment=hw02",
               "--student=s01", "--student=s02",
               "--ExportApp.plugin_class=crmlab.grading.export.CourseExportPlugin"]
    subprocess.run(command, cwd=gradebook.parent, check=True, capture_output=True,
                   env=environment())
    chosen = read_table(tmp_path / "hw02.csv", text_columns=["学号"])
    assert sorted(chosen["学号"]) == ["s01", "s02"] and set(chosen["作业"]) == {"hw02"}
