"""The answer keys of hw02, hw03 and hw05 follow crmlab.rules, the rules the lessons teach.

Model answers and written model answers agree with the rule modules; hw03's two customer
profiles are records whose facts the prose, the released CSV and the hidden tests share; and
no hidden test types an expected value that the rules could compute (an AST check)."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab.course.assignments import load_assignments
from crmlab.grading.notebook import HIDDEN_TESTS, Role, SourceNotebook, grade_id, role
from crmlab.rules import credit, grading, survey
from tests.support import ROOT

ASSIGNMENTS = load_assignments(ROOT)
RULED = ("hw02_credit", "hw03_customer_grading", "hw05_survey_statistics")
"""The assignments whose every hidden expectation comes from crmlab.rules."""


def _notebook(assignment_id: str) -> SourceNotebook:
    return SourceNotebook.read(ROOT / "source" / assignment_id
                               / f"{ASSIGNMENTS[assignment_id].notebook}.ipynb")


def _cell(assignment_id: str, cell_id: str):
    return next(c for c in _notebook(assignment_id).cells if grade_id(c) == cell_id)


def _model(assignment_id: str) -> dict:
    """The model answers' namespace (setup and answer cells run in the assignment's folder)."""
    notebook = _notebook(assignment_id)
    namespace: dict = {}
    here = Path.cwd()
    os.chdir(notebook.path.parent)
    try:
        for cell in notebook.cells:
            if cell.cell_type == "code" and (grade_id(cell) in ("setup", "weights")
                                             or role(cell) is Role.ANSWER):
                exec(notebook.markers.solved(cell.source), namespace)  # noqa: S102 - the course's own
    finally:
        os.chdir(here)
    return namespace


# --- hw02: the model answers and the written advice follow crmlab.rules.credit ----------------


@pytest.fixture(scope="module")
def hw02():
    return _model("hw02_credit")


def test_hw02_weights_and_grade_scale_are_the_rules(hw02):
    """Are the notebook's 5C weights the rules' defaults, and its grade table the rules' scale?"""
    assert hw02["WEIGHTS"] == credit.DEFAULT_WEIGHTS
    text = _cell("hw02_credit", "grade_text").source
    floors = re.findall(r"\| (\d+) 分及以上[^|]*\| (\w+) \|", text)
    assert [(float(low), g) for low, g in floors] == [(g.min_score, g.grade) for g in credit.GRADES
                                                     if g.min_score > 0]
    lowest = credit.GRADES[-1]
    assert f"| 不足 {credit.GRADES[-2].min_score:g} 分（最低 0 分） | {lowest.grade} |" in text


def test_hw02_model_functions_agree_with_the_rules(hw02):
    """Do the model ratios, scores and grades equal crmlab.rules.credit's on the course file
    and on every half point of the scale?"""
    ruled = credit.score_table(credit.ratio_table(hw02["credit"]))
    table = hw02["credit_table"](hw02["credit"], hw02["WEIGHTS"])
    for column in ("current_ratio", "quick_ratio", "debt_to_asset", "dso"):
        assert np.allclose(table[column], ruled[column], equal_nan=True), column
    assert np.allclose(table["score"], ruled["credit_score"])
    assert list(table["grade"]) == list(ruled["credit_grade"])
    for score in np.arange(0, 100.5, 0.5):
        assert hw02["credit_grade"](score) == credit.grade_for(score).grade


def test_hw02_model_advice_follows_the_credit_policy(hw02):
    """Does the model advice grade the best and the worst customer as the rules do, and grant
    exactly the rules' limit and term: a multiple of monthly purchases for AAA, no credit and
    cash on delivery for C?"""
    text = _cell("hw02_credit", "credit_policy_advice").source
    ruled = credit.score_table(hw02["credit"]).set_index("name")
    best, worst = text.split("**评分最低")
    for part, name in ((best, ruled["credit_score"].idxmax()), (worst, ruled["credit_score"].idxmin())):
        row = ruled.loc[name]
        grade = credit.grade_for(row["credit_score"])
        heading = re.search(r"：(.+?)（([\d.]+) 分，(\w+) 级）", part)
        assert heading.groups() == (name, f"{row['credit_score']:g}", grade.grade)
        limits = re.findall(r"信用额度 ([\d.]+) 万元", part)
        terms = re.findall(r"信用期限 (\d+) 天", part)
        if grade.limit_months == 0:
            assert "现款现货" in part and limits == [] and terms == [], name
        else:
            assert limits == [f"{row['credit_limit']:g}"] and terms == [str(grade.period_days)], name
            assert f"月均赊购额的 {grade.limit_months:g} 倍" in part


def test_hw02_rubric_states_the_policy():
    """Does the rubric grade the limits by the rules' policy (AAA's multiple, C's cash)?"""
    rubric = (ROOT / "assignments" / "hw02_credit.yml").read_text(encoding="utf-8")
    top, bottom = credit.GRADES[0], credit.GRADES[-1]
    assert f"{top.grade} 级为月均赊购额的 {top.limit_months:g} 倍、{top.period_days} 天" in rubric
    assert f"{bottom.grade} 级按信用政策表不给赊销额度、只做现款现货" in rubric


# --- hw03: the profiles are records, graded by the textbook's conditions ----------------------

HW03 = "hw03_customer_grading"
LABELS = {item.key: item.label for item in (*grading.BONUS_ITEMS, *grading.PENALTY_ITEMS)}


def _records() -> pd.DataFrame:
    return pd.read_csv(ROOT / "source" / HW03 / "customer_profiles.csv", index_col="customer_id")


def _taught_points() -> pd.DataFrame:
    """Each customer's twelve items as lesson 05 teaches to score by the textbook."""
    return grading.derive_items(_records(), textbook=True).rename(columns=LABELS).astype(int)


def test_hw03_setup_and_scorecard_are_the_rules():
    """Are the notebook's item names, and its scorecard's (category, dimension, item) rows,
    those of crmlab.rules.grading (服务难度 a 客户关系 penalty, as in lesson 05)?"""
    namespace: dict = {}
    exec(_cell(HW03, "setup").source, namespace)  # noqa: S102 - the course's own setup
    assert namespace["BONUS_ITEMS"] == [item.label for item in grading.BONUS_ITEMS]
    assert namespace["PENALTY_ITEMS"] == [item.label for item in grading.PENALTY_ITEMS]
    rows = re.findall(r"^\| (加分|减分) \| (\S+) \| (\S+) \|", _cell(HW03, "rules_text").source, re.M)
    assert rows == [("加分", i.dimension, i.label) for i in grading.BONUS_ITEMS] + [
        ("减分", i.dimension, i.label) for i in grading.PENALTY_ITEMS]


def test_hw03_model_scores_are_the_taught_method():
    """Are the model dictionaries exactly the lesson's scoring (textbook=True) of the records?"""
    namespace = _model(HW03)
    taught = _taught_points()
    for key in taught.index:
        assert namespace[key] == taught.loc[key].to_dict(), key


def _hidden_record(cell_id: str) -> dict:
    """The profile a hidden test builds for itself: the dict literal given to ``_record``."""
    notebook = _notebook(HW03)
    hidden = "\n".join(line for segment in notebook.markers.segments(_cell(HW03, cell_id).source)
                       if segment.kind == HIDDEN_TESTS for line in segment.lines)
    assign = next(node for node in ast.walk(ast.parse(hidden)) if isinstance(node, ast.Assign)
                  and getattr(node.targets[0], "id", "") == "_record")
    return ast.literal_eval(assign.value.args[0].elts[0])


@pytest.mark.parametrize("key", ["hengda", "jiahe"])
def test_hw03_hidden_test_judges_the_released_record(key):
    """Does each hidden test grade the very facts the released CSV (and the prose) give?"""
    record = _hidden_record(f"profile_scores_{key}")
    released = _records().loc[key, list(record)].to_dict()
    assert record == released


def test_hw03_prose_tells_the_records_facts():
    """Does the question's prose give each record's amounts, margin and years?"""
    parts = _cell(HW03, "profiles_text").source.split("**客户")
    for key, row in _records().iterrows():
        part = next(part for part in parts if part.split("**")[0].endswith(row["name"]))
        assert f"本年度订单 {row['order_amount']:g} 万元" in part
        assert f"毛利率约 {row['gross_margin'] * 100:.0f}%" in part
        assert (f"{row['order_amount_prev2']:g} 万元，去年 {row['order_amount_prev1']:g} 万元，"
                f"今年 {row['order_amount']:g} 万元") in part
        assert f"{row['cooperation_years']:g} 年" in part, key


def test_hw03_written_reasons_total_as_the_rules_do():
    """Does the model written answer state each customer's totals, score and level as
    crmlab.rules.grading computes them from the taught points?"""
    text = _cell(HW03, "profile_reasons").source
    records, points = _records(), _taught_points()
    for key, row in records.iterrows():
        items = points.loc[key].rename(index={v: k for k, v in LABELS.items()})
        bonus = items[list(grading.BONUS_LABELS)].to_dict()
        penalty = items[list(grading.PENALTY_LABELS)].to_dict()
        result = grading.grade_customer(row["order_amount"], bonus, penalty)
        summary = (f"**{row['name']}**（加分 {result.bonus_total:g}，减分 {result.penalty_total:g}，"
                   f"综合得分 {result.score:g}，{result.level} 级）")
        assert summary in text


# --- no hidden expectation typed where the rules compute it ---------------------------------

CLOSE = ("isclose", "allclose", "array_equal", "approx")


def _literal(node: ast.AST) -> bool:
    """A typed value: a number or string, or a list/tuple/set of typed values."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float | str) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _literal(node.operand)
    if isinstance(node, ast.BinOp):
        return _literal(node.left) and _literal(node.right)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return bool(node.elts) and all(_literal(e) for e in node.elts)
    return False


def _checked(tree: ast.AST) -> list[ast.AST]:
    """What a test compares its results with: == / != operands and isclose-like arguments."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
            found += [node.left, *node.comparators]
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in CLOSE:
                found += node.args
    return found


def typed_expectations(source: str) -> list[str]:
    """Expected values typed into test code: a literal compared with ==, given to isclose or
    allclose, or fed to such a comparison from a loop over a literal list of cases."""
    tree = ast.parse(source)
    checked = _checked(tree)
    problems = [ast.unparse(node) for node in checked if _literal(node)]
    names = {node.id for node in checked if isinstance(node, ast.Name)}
    for loop in ast.walk(tree):
        if (isinstance(loop, ast.For) and isinstance(loop.iter, ast.List | ast.Tuple)
                and isinstance(loop.target, ast.Tuple)):
            for position, target in enumerate(loop.target.elts):
                typed = [case for case in loop.iter.elts if isinstance(case, ast.Tuple)
                         and len(case.elts) > position and _literal(case.elts[position])]
                if isinstance(target, ast.Name) and target.id in names and typed:
                    problems.append(f"{target.id} ← {ast.unparse(typed[0].elts[position])}")
    return problems


def _hidden_tests(assignment_id: str) -> list[tuple[str, str]]:
    notebook = _notebook(assignment_id)
    return [(grade_id(cell), "\n".join(segment.lines))
            for cell in notebook.cells_with(Role.TEST)
            for segment in notebook.markers.segments(cell.source) if segment.kind == HIDDEN_TESTS]


@pytest.mark.parametrize("assignment_id", RULED)
def test_no_hidden_expectation_is_typed(assignment_id):
    """Does every hidden test of hw02, hw03 and hw05 compute what it expects from crmlab.rules
    (typed values are only the cases' inputs)?"""
    hidden = _hidden_tests(assignment_id)
    assert hidden
    assert {cell: typed_expectations(source) for cell, source in hidden
            if typed_expectations(source)} == {}


@pytest.mark.parametrize("source", [
    'assert base_level(50.5) == (20, "D")',
    "assert np.allclose(r.to_numpy(), [2.0, 0.75])",
    'for _a, _e in [(1, "A"), (2, "B")]:\n    assert f(_a) == _e',
    "for _v, _e in [([9, 6], -100 / 3)]:\n    assert np.isclose(nps(_v), _e)",
    "assert len(clean(survey)) == 34",
])
def test_typed_expectations_are_found(source):
    """Would the check catch the ways the hidden tests used to type their expectations?"""
    assert typed_expectations(source)


@pytest.mark.parametrize("source", [
    "for _a in [1, 2]:\n    assert f(_a) == _band(_a).level",
    'for _w, _m in [({"a": 1}, "消息")]:\n    assert np.isclose(g(_w), rule(_w)), _m',
    "assert _table.index.equals(_other.index)",
])
def test_computed_expectations_pass(source):
    """Are expectations computed from the rules, and inputs typed as cases, left alone?"""
    assert typed_expectations(source) == []


def test_hw05_model_functions_agree_with_the_rules():
    """Do hw05's model clean and nps keep and score what crmlab.rules.survey does on the
    course file?"""
    hw05 = _model("hw05_survey_statistics")
    data = hw05["survey"]
    kept = survey.clean_survey(data.reindex(columns=list(dict.fromkeys([*survey.SURVEY_COLUMNS,
                                                                       *data.columns])))).valid
    valid = hw05["clean"](data)
    assert valid.index.equals(kept.index)
    assert hw05["nps"](valid["recommend"]) == pytest.approx(survey.nps(valid["recommend"]).nps)
