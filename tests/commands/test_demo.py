"""`crmlab demo` end to end on a small class, run as a user runs it: a fresh process, real
nbgrader, real papermill. One run serves every test; a stale file placed in the output folder
beforehand shows that a run starts clean."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from crmlab.course.assignments import load_assignments
from crmlab.data import read_table
from crmlab.grading.environment import environment
from crmlab.grading.notebook import course_markers
from crmlab.grading.release import leaks
from tests.support import ROOT

pytestmark = pytest.mark.slow

CLASS_SIZE = 6


def _tracked_state() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--", "source", "release", "assignments",
                           "data", "reports", "nbgrader_config.py"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    here = tmp_path_factory.mktemp("demo")
    out = here / "out"
    (out / "course").mkdir(parents=True)
    (out / "stale.txt").write_text("上一次运行留下的文件")
    before = _tracked_state()
    result = subprocess.run(
        # a relative --out, from another folder, as `make demo` gives it
        [sys.executable, "-m", "crmlab.commands.cli", "demo", "--out", "out",
         "--class-size", str(CLASS_SIZE), "--quiet"],
        cwd=here, capture_output=True, text=True, timeout=900,
        env=environment(),
    )
    return out, result, before


def test_demo_succeeds_and_starts_clean(demo):
    out, result, _ = demo
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (out / "stale.txt").exists()
    assert (out / "cache").is_dir()  # the simulated students' nbgrader cache stays in the demo
    assert "Traceback" not in result.stdout + result.stderr


def test_tracked_files_are_untouched(demo):
    _, result, before = demo
    assert result.returncode == 0
    assert _tracked_state() == before


def test_summary_has_a_row_per_assignment_and_names_the_files(demo):
    out, result, _ = demo
    for assignment in load_assignments(ROOT):
        assert any(line.startswith(assignment) for line in result.stdout.splitlines()), assignment
    for path in (out / "grades.csv", out / "marks.csv", out / "reports" / "class_results.html",
                 out / "reports" / "customer_grading.html"):
        assert path.is_file(), path
        assert str(path.relative_to(out.parent)) in result.stdout


def test_broken_and_looping_work_is_reported_with_a_reason(demo):
    _, result, _ = demo
    problems = result.stdout.split("需要老师查看的提交：", 1)[1]
    assert "s004" in problems and "不是有效的 notebook" in problems  # broken JSON
    assert "s005" in problems and "时间限制" in problems  # the infinite loop


def test_grades_cover_every_student_and_assignment(demo):
    out, _, _ = demo
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8-sig")))
    assignments = load_assignments(ROOT)
    assert len(rows) == CLASS_SIZE * len(assignments)
    by_student = {(r["学号"], r["作业"]): r for r in rows}
    for assignment, info in assignments.items():
        top = float(by_student[("s006", assignment)]["最终得分"])  # skill 1.0: model answers
        assert top == pytest.approx(info.points, abs=info.points * 0.2), assignment
        assert float(by_student[("s001", assignment)]["最终得分"]) == 0  # the empty notebook
        assert float(by_student[("s003", assignment)]["迟交扣分"]) > 0
    assert all(len(r["姓名"]) >= 2 for r in rows)  # the roster has names
    assert read_table(out / "grades.xlsx", text_columns=["学号"]).shape == (len(rows), 10)


def test_feedback_exists_for_graded_students_and_shows_no_hidden_test(demo):
    out, _, _ = demo
    pages = list((out / "course" / "feedback").rglob("*.html"))
    assert len(pages) >= (CLASS_SIZE - 2) * 5
    markers = course_markers(ROOT).all
    assert not any(m in p.read_text(encoding="utf-8") for p in pages for m in markers)


def test_the_demo_course_releases_leak_nothing(demo):
    out, _, _ = demo
    assert leaks(ROOT, out / "course" / "release", load_assignments(ROOT)) == []


def _marks(out: Path, text: str) -> Path:
    path = out / "更正.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _written(out: Path, student: str, grade_id: str) -> tuple[float | None, bool]:
    """The manual score of a written answer and whether it still waits for grading."""
    from nbgrader.api import Gradebook

    from crmlab.grading.gradebook import db_url

    with Gradebook(db_url(out / "course")) as gradebook:
        grade = gradebook.find_grade(grade_id, "hw01_crm_concepts", "hw01_crm_concepts", student)
        return grade.manual_score, grade.needs_manual_grade


HEADER = "student_id,assignment,notebook,grade_id,score,comment\n"


@pytest.mark.parametrize(("row", "message"), [
    ("s006,hw01_crm_concepts,hw01_crm_concepts,crm_vs_vulgar,七分,\n", "第 3 行，E 列「score」：分数应为数字"),
    ("s006,hw01_crm_concepts,hw01_crm_concepts,crm_vs_vulgar,9,\n", "第 3 行，E 列「score」：分数 9 超出 0–7"),
    ("s006,hw01_crm_concepts,hw01_crm_concepts,no_such_cell,1,\n", "找不到 s006"),
])
def test_a_bad_marks_file_is_refused_whole_and_changes_nothing(demo, capfd, row, message):
    from crmlab.commands.cli import main

    out, _, _ = demo
    before = _written(out, "s006", "crm_vs_vulgar")
    good = "s006,hw01_crm_concepts,hw01_crm_concepts,crm_vs_vulgar,1,先写对的一行\n"
    assert main(["marks", str(_marks(out, HEADER + good + row)), "--course", str(out / "course")]) == 1
    assert message in capfd.readouterr().err
    assert _written(out, "s006", "crm_vs_vulgar") == before


def test_a_marks_file_without_its_columns_is_named(demo, capfd):
    from crmlab.commands.cli import main

    out, _, _ = demo
    assert main(["marks", str(_marks(out, "学号,分数\ns006,5\n")), "--course", str(out / "course")]) == 1
    assert "缺少列：student_id、assignment、notebook、grade_id、score" in capfd.readouterr().err


def test_marks_are_entered_with_their_comment(demo, capfd):
    from crmlab.commands.cli import main

    out, _, _ = demo
    row = "s002,hw01_crm_concepts,hw01_crm_concepts,crm_vs_vulgar,3.5,请补充案例\n"
    assert main(["marks", str(_marks(out, HEADER + row)), "--course", str(out / "course")]) == 0
    assert "1 条人工评分" in capfd.readouterr().out
    assert _written(out, "s002", "crm_vs_vulgar") == (3.5, False)


@pytest.mark.parametrize("kind", ["xlsx", "gbk"])
def test_marks_from_excel_or_a_gbk_csv(demo, capfd, kind):
    """Is a marks table saved by Excel (a workbook's named sheet, or a GBK CSV) entered too?"""
    import pandas as pd

    from crmlab.commands.cli import main

    out, _, _ = demo
    row = ["s003", "hw01_crm_concepts", "hw01_crm_concepts", "crm_vs_vulgar", 4, "论述清楚"]
    table = pd.DataFrame([row], columns=HEADER.strip().split(","))
    if kind == "xlsx":
        path = out / "评分.xlsx"
        with pd.ExcelWriter(path) as writer:
            table.head(0).to_excel(writer, sheet_name="说明", index=False)
            table.to_excel(writer, sheet_name="书面题", index=False)
        args = ["marks", str(path), "--sheet", "书面题"]
    else:
        path = out / "评分_gbk.csv"
        table.to_csv(path, index=False, encoding="gbk")
        args = ["marks", str(path)]
    assert main([*args, "--course", str(out / "course")]) == 0
    assert "1 条人工评分" in capfd.readouterr().out
    assert _written(out, "s003", "crm_vs_vulgar") == (4.0, False)


def test_without_bubblewrap_the_demo_says_what_to_install(tmp_path, monkeypatch, capsys):
    """No bwrap on PATH: one Chinese line naming bubblewrap, exit 1, nothing made, no 内部错误."""
    from crmlab.commands.cli import main

    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert main(["demo", "--out", str(tmp_path / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bubblewrap" in err and "内部错误" not in err
    assert not (tmp_path / "out").exists()
