"""The Python primer (lesson 03, taught in two parts) reaches the homework: every construct a
reference solution in source/ uses is in the primer's code before the assignment's lesson; the
primer and the homework speak one vocabulary; no lesson is longer than one class; a lesson's
homework section says where the assignment is, on the hub and in self-study."""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import nbformat
import pytest

from crmlab.course.assignments import load_assignments
from crmlab.course.manifest import load_course
from crmlab.grading.notebook import Role, role
from tests.support import ROOT

COURSE = load_course()
ASSIGNMENTS = load_assignments(ROOT)
PRIMER = [lesson for lesson in COURSE.lessons if lesson.prepares]
"""The primer: the lessons that prepare assignments (lesson 03's two parts)."""
MAX_CELLS = 55
"""About 50 cells: what one two-hour class can work through."""

# --- the constructs a piece of code uses ----------------------------------------------------------

PLAIN = {"Module", "Expr", "Load", "Store", "Del", "Name", "Constant", "Call", "Attribute",
         "arguments", "arg", "keyword", "alias", "Assign", "comprehension", "Tuple", "List"}
"""Nodes every line has (a name, a call, an assignment): named by what they hold instead."""
BUILTINS = set(dir(builtins))


def constructs(source: str) -> set[str]:
    """What a beginner must have seen to read ``source``: its node types (``For``, ``Not``,
    ``GeneratorExp`` …), chained comparisons, unpacking (and ``_`` for a value not used), methods and attributes (``.all``),
    builtins (``isinstance()``), keyword arguments (``axis=``), item assignment and f-string
    format specs."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        kind = type(node).__name__
        if kind not in PLAIN:
            found.add(kind)
        if isinstance(node, ast.Compare) and len(node.ops) > 1:
            found.add("chained comparison")
        if isinstance(node, ast.Tuple | ast.List) and isinstance(node.ctx, ast.Store):
            found.add("unpacking")
        if isinstance(node, ast.Attribute):
            found.add(f".{node.attr}")
        if isinstance(node, ast.Name) and node.id == "_":
            found.add("_ for an unused value")
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in BUILTINS:
            found.add(f"{node.id}()")
        if isinstance(node, ast.keyword) and node.arg:
            found.add(f"{node.arg}=")
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Subscript) for t in node.targets):
            found.add("item assignment")
        if isinstance(node, ast.FormattedValue) and node.format_spec:
            found.add("format spec")
    return found


def _code(path: Path, keep=lambda cell: True) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "code" and keep(c)]


def taught(before: int) -> set[str]:
    """The constructs in the code cells of the primer lessons numbered below ``before``."""
    return {found for lesson in PRIMER if lesson.number < before
            for source in _code(ROOT / "lessons" / lesson.file) for found in constructs(source)}


def _solutions(assignment_id: str) -> Path:
    return ROOT / "source" / assignment_id / f"{ASSIGNMENTS[assignment_id].notebook}.ipynb"


def untaught(solution_cells: list[str], lesson: int) -> list[str]:
    """Constructs the solutions use that the primer has not taught before ``lesson``."""
    used = {found for source in solution_cells for found in constructs(source)}
    return sorted(used - taught(lesson))


AFTER_PRIMER = [a for a in COURSE.assignment_ids if ASSIGNMENTS[a].lesson > PRIMER[0].number]


def test_the_primer_is_lesson_03_and_prepares_the_coding_assignments():
    """Is the primer found from the manifest (not typed), and do hw02–hw05 follow it?"""
    assert [lesson.file for lesson in PRIMER] == ["03_python_pandas.ipynb", "03_pandas_tables.ipynb"]
    assert AFTER_PRIMER == ["hw02_credit", "hw03_customer_grading", "hw04_spin", "hw05_survey_statistics"]


@pytest.mark.parametrize("assignment_id", AFTER_PRIMER)
def test_every_construct_of_the_reference_solutions_is_taught_before(assignment_id):
    """Does the primer's code, before the assignment's lesson, use every construct the
    assignment's answer cells use (the whole cell a student completes, steps included)?"""
    cells = _code(_solutions(assignment_id), lambda cell: role(cell) == Role.ANSWER)
    assert cells
    assert untaught(cells, ASSIGNMENTS[assignment_id].lesson) == []


def test_hw01_before_the_primer_needs_only_what_its_own_instructions_show():
    """hw01 comes before the primer: do its answers use only what the code its instructions
    show (``q1 = "B"``, ``q7 = {"A", "C"}``, ``q10 = True``) uses?"""
    path = _solutions("hw01_crm_concepts")
    notebook = nbformat.read(path, as_version=4)
    shown = {found for cell in notebook.cells if cell.cell_type == "markdown"
             for span in re.findall(r"`([^`\n]+)`", cell.source) if "=" in span
             for found in constructs(span)}
    used = {found for source in _code(path, lambda cell: role(cell) == Role.ANSWER)
            for found in constructs(source)}
    assert used and used <= shown


def test_the_coverage_check_reports_an_untaught_construct():
    """Would a solution that used a construct the primer never shows (``while``, ``.pivot``,
    ``enumerate``, ``lambda``) be reported, while hw05's own answers pass?"""
    scratch = ("def f(table):\n"
               "    i = 0\n"
               "    while i < 3:\n"
               "        i += 1\n"
               "    for n, row in enumerate(table.pivot(columns='a')):\n"
               "        pass\n"
               "    return sorted(table, key=lambda x: x)\n")
    assert untaught([scratch], 10) == [".pivot", "AugAssign", "Lambda", "Pass", "While", "enumerate()", "key="]
    cells = _code(_solutions("hw05_survey_statistics"), lambda cell: role(cell) == Role.ANSWER)
    assert untaught(cells, 10) == []
    assert ".duplicated" in untaught(cells, 3)  # nothing is taught before the primer itself


# --- every construct the homework needs is practised, not only shown ----------------------------


def primer_code_exercises() -> dict[str, str]:
    """The code exercises a primer lesson shows (``Exercise("L03-C…")`` in its cells): id → the
    reference solution the checker runs."""
    from crmlab.exercises import coding, numeric

    shown = {source.strip() for lesson in PRIMER for source in _code(ROOT / "lessons" / lesson.file)}
    return {item.id: item.solution
            for number in dict.fromkeys(lesson.number for lesson in PRIMER)
            for item in numeric.load_exercises(number)
            if isinstance(item, coding.CodeExerciseData) and f'Exercise("{item.id}")' in shown}


def needed_by_homework() -> set[str]:
    """The constructs the primer teaches that some reference solution after it uses."""
    used = {found for assignment_id in AFTER_PRIMER
            for source in _code(_solutions(assignment_id), lambda cell: role(cell) == Role.ANSWER)
            for found in constructs(source)}
    return used & taught(COURSE.lessons[-1].number + 1)


def unexercised(solutions: dict[str, str]) -> list[str]:
    """Constructs the homework needs that no code exercise's reference solution uses."""
    practised = {found for source in solutions.values() for found in constructs(source)}
    return sorted(needed_by_homework() - practised)


def test_every_construct_the_homework_needs_has_a_code_exercise():
    """Does each construct the primer teaches and a reference solution uses (``pd.concat``,
    ``value_counts``, ``.loc[…] =``, ``zip``, list comprehensions …) appear in the reference code
    of at least one code exercise the primer shows, so a student writes it before the homework?"""
    exercises = primer_code_exercises()
    assert len(exercises) >= 10
    assert {".concat", ".empty", ".reindex", "zip()", "ListComp", "dtype="} <= needed_by_homework()
    assert unexercised(exercises) == []


def test_the_exercise_check_reports_a_construct_left_without_an_exercise():
    """Without the exercise that joins two counts (L03-C13), would ``pd.concat`` and
    ``groupby(level=…, sort=…)`` be reported, and ``zip`` not?"""
    exercises = primer_code_exercises()
    missing = unexercised({i: s for i, s in exercises.items() if i != "L03-C13"})
    assert {".concat", "level=", "sort="} <= set(missing) and "zip()" not in missing


# --- one vocabulary -----------------------------------------------------------------------------

ENGLISH = re.compile(r"(?<![\w.])(Series|DataFrame)(?![\w(])")
FIRST_USE = {"Series": re.compile(r"序列(\*\*)?（Series）"), "DataFrame": re.compile(r"数据表(\*\*)?（DataFrame）")}
VOCABULARY = [*(ROOT / "lessons" / lesson.file for lesson in PRIMER),
              *(_solutions(a) for a in COURSE.assignment_ids)]


def english_words(path: Path) -> list[str]:
    """Where the text of a notebook (prose, comments, messages; not code in backquotes, nor
    ``pd.Series(…)``) says Series or DataFrame other than once, as 「序列（Series）」 or
    「数据表（DataFrame）」 at the first use."""
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    text = re.sub(r"`[^`\n]*`", "", text)
    found, seen = [], set()
    for match in ENGLISH.finditer(text):
        word = match.group(1)
        around = text[max(0, match.start() - 6): match.end() + 1]
        if word not in seen and FIRST_USE[word].search(around):
            seen.add(word)
            continue
        found.append(text[max(0, match.start() - 20): match.end() + 10].replace("\n", " "))
    return found


@pytest.mark.parametrize("path", VOCABULARY, ids=lambda p: p.stem)
def test_series_and_dataframe_are_said_in_chinese_after_their_first_use(path):
    """Do the primer and the homework say 序列 and 数据表, giving the English once, in brackets?"""
    assert english_words(path) == []


def test_the_vocabulary_check_finds_english_after_the_first_use(tmp_path):
    """Would 「返回一个 Series」 in a homework's prose be reported, and 「数据表（DataFrame）」 not?"""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("返回一张数据表（DataFrame）；用 `pd.Series(x)`。"),
                      nbformat.v4.new_markdown_cell("函数返回一个 Series，再拼成 DataFrame。")]
    nbformat.write(notebook, tmp_path / "x.ipynb")
    found = english_words(tmp_path / "x.ipynb")
    assert len(found) == 2 and "一个 Series，再拼成" in found[0] and found[1].endswith("拼成 DataFrame。")


def test_the_glossary_says_return_not_hand_back():
    """Is 交回 a spelling the glossary tells to avoid (the homework and the code say 返回)?"""
    from crmlab.course import glossary

    terms = glossary.load_glossary()
    assert glossary.variant_uses(terms, "函数交回两个值") != []
    assert glossary.variant_uses(terms, "函数返回两个值") == []


# --- one class per notebook -----------------------------------------------------------------------


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=lambda lesson: lesson.stem)
def test_no_lesson_is_longer_than_one_class(lesson):
    """Has every lesson notebook at most about 50 cells (one two-hour class)?"""
    cells = nbformat.read(ROOT / "lessons" / lesson.file, as_version=4).cells
    assert len(cells) <= MAX_CELLS, f"{lesson.file}：{len(cells)} 个单元格"


# --- where the homework is --------------------------------------------------------------------------


def test_homework_is_on_the_assignment_list_on_the_hub_and_in_release_in_self_study():
    """Does the helper send a hub user to the Assignment List and a self-learner to release/?"""
    from crmlab.rules.checks import CourseInputError
    from crmlab.widgets.homework import where_to_find

    hub = where_to_find("hw02_credit", {"JUPYTERHUB_USER": "20230001"})
    alone = where_to_find("hw02_credit", {"HOME": "/home/me"})
    assert "作业列表" in hub and "release/" not in hub and "hw02_credit" in hub
    assert "`release/hw02_credit/`" in alone and "作业列表" not in alone
    assert "作业列表" in where_to_find("hw02_credit", {"CRMLAB_HUB_ROOT": "/srv/crmlab"})
    with pytest.raises(CourseInputError, match="作业编号"):
        where_to_find("../etc")


def test_each_lesson_an_assignment_follows_shows_where_it_is():
    """Does the homework section of each lesson an assignment follows call ``homework(id)``
    instead of telling everyone to open ``release/<id>/``?"""
    for assignment_id in COURSE.assignment_ids:
        lesson = COURSE.parts(ASSIGNMENTS[assignment_id].lesson)[-1]
        cells = nbformat.read(ROOT / "lessons" / lesson.file, as_version=4).cells
        start = next(i for i, c in enumerate(cells) if c.source.startswith("## 课后作业"))
        section = "\n".join(c.source for c in cells[start:])
        assert f'homework("{assignment_id}")' in section, lesson.file
        assert "release/" not in section, lesson.file
