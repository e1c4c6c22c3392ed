"""The lessons' core tables: markdown generated from crmlab/rules, readable without running a cell."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from crmlab.course import tables
from crmlab.course.manifest import ROOT
from crmlab.rules import complaints, grading, practice, value

LESSON_05 = ROOT / "lessons" / "05_customer_grading.ipynb"


def _markdown(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def _scratch(target: Path) -> Path:
    """The tracked files of crmlab/ and lessons/ (all the generator reads), copied to target."""
    listed = subprocess.run(["git", "ls-files", "-z", "crmlab", "lessons"], cwd=ROOT,
                            capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target


def _run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(repo))  # the scratch copy's crmlab and rules
    return subprocess.run([sys.executable, "-m", "crmlab.course.tables", *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=120)


def test_every_core_table_is_in_its_lesson_and_up_to_date(capsys):
    """Does `python -m crmlab.course.tables --check` pass: every table of TABLES stands in its
    lesson's markdown exactly as the rules make it?"""
    assert tables.main(["--check"]) == 0, capsys.readouterr().err
    assert {number for number, _ in tables.TABLES.values()} >= {1, 4, 5, 6, 7, 8, 14}


def test_the_stored_lessons_show_the_rules_without_running():
    """Are the rules' values in the stored markdown itself: each base band, each bonus and
    penalty item with its textbook explanation, each complaint step, the textbook's strategies?"""
    text = _markdown(LESSON_05)
    for band in grading.BASE_BANDS:
        assert f"| {band.label} | {band.score} | {band.level} |" in text
    for item in (*grading.BONUS_ITEMS, *grading.PENALTY_ITEMS):
        assert f"| {item.dimension} | {item.label} | {item.meaning}" in text
    steps = _markdown(ROOT / "lessons" / "08_complaints.ipynb")
    assert all(f"| {step.order} | {step.title} |" in steps for step in complaints.STEPS)
    tiers = _markdown(ROOT / "lessons" / "06_grade_management.ipynb")
    assert all("；".join(tier.strategies) in tiers for tier in value.VALUE_TIERS)


def test_lesson_14_shows_the_exchange_sheet_and_both_splits_without_running():
    """Does lesson 14's stored markdown hold each criterion of the exchange sheet with its tier
    and points, and both splits: the sheet's heading (60/40) and what its items add up to (55/45)?"""
    text = _markdown(ROOT / "lessons" / "14_practice.ipynb")
    for criterion in practice.CRITERIA:
        assert f"| {practice.TIERS[criterion.tier]} | {criterion.label} | {criterion.points} |" in text
    for tier, label in practice.TIERS.items():
        assert (f"| {label} | {practice.SHEET_TIER_POINTS[tier]} | {practice.TIER_POINTS[tier]} |"
                in text)
    assert all(f"| {part.label} | {part.task} |" in text for part in practice.REPORT_PARTS)


def test_no_lesson_prints_a_core_table_from_a_code_cell():
    """Do the lessons no longer build the core tables in code cells (a stored notebook has no
    outputs, so such a table is invisible until the cell runs)?"""
    printed = ("pd.DataFrame(grading.BASE_BANDS)", "pd.DataFrame(grading.BONUS_ITEMS)",
               "pd.DataFrame(relationship.LEVELS)", "pd.DataFrame(credit.FACTORS)",
               "pd.DataFrame(complaints.STEPS)", "value.VALUE_TIERS]", "grading.LEVEL_STRATEGIES)",
               "assessment.ITEMS]", "spin.TYPES]", "practice.REPORT_PARTS]", "practice.DIMENSIONS]",
               "practice.CRITERIA]")
    for number in {number for number, _ in tables.TABLES.values()}:
        path = next((ROOT / "lessons").glob(f"{number:02d}_*.ipynb"))
        code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert [p for p in printed if any(p in source for source in code)] == [], path.name


@pytest.mark.slow
def test_check_fails_when_a_rule_changes_until_the_lessons_are_regenerated(tmp_path):
    """In a scratch copy, change a value in the rules: does --check fail and name lesson 05, and
    does regenerating write the new value into the lesson and make --check pass again?"""
    repo = _scratch(tmp_path / "repo")
    rules = repo / "crmlab" / "rules" / "grading.py"
    source = rules.read_text(encoding="utf-8")
    assert 'BaseBand("A", 80, 500, True, "500 万元及以上")' in source
    rules.write_text(source.replace('BaseBand("A", 80, 500, True, "500 万元及以上")',
                                    'BaseBand("A", 85, 500, True, "500 万元及以上")'), encoding="utf-8")

    checked = _run(repo, "--check")
    assert checked.returncode == 1
    assert "lessons/05_customer_grading.ipynb 中的表与 crmlab/rules 不一致" in checked.stderr
    assert "| 500 万元及以上 | 85 | A |" not in _markdown(repo / "lessons" / LESSON_05.name)

    assert _run(repo).returncode == 0
    assert "| 500 万元及以上 | 85 | A |" in _markdown(repo / "lessons" / LESSON_05.name)
    assert _run(repo, "--check").returncode == 0


def test_check_fails_when_a_table_is_missing_or_unknown(tmp_path, capsys):
    """Does --check name a lesson whose table was deleted, and a marker naming no table?"""
    repo = _scratch(tmp_path / "repo")
    path = repo / "lessons" / "08_complaints.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if tables.begin("complaints.steps") in c.source)
    cell.source = cell.source.replace("complaints.steps", "complaints.stages")
    nbformat.write(notebook, path)

    assert tables.main(["--check"], root=repo) == 1
    error = capsys.readouterr().err
    assert "08_complaints.ipynb" in error and "complaints.stages" in error

    nbformat.write(nbformat.read(ROOT / "lessons" / path.name, as_version=4), path)
    path = repo / "lessons" / "04_credit.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if tables.begin("credit.grades") in c.source)
    cell.source = cell.source[:cell.source.index(tables.begin("credit.grades"))]
    nbformat.write(notebook, path)
    assert tables.main(["--check"], root=repo) == 1
    assert "04_credit.ipynb 中没有表「credit.grades」" in capsys.readouterr().err


def test_markdown_table_escapes_what_would_break_a_row():
    """Does a cell holding | or a line break stay one cell of one row?"""
    assert tables.markdown_table(["甲", "乙"], [["a|b", "c\nd"]]).splitlines()[-1] == "| a\\|b | c d |"
