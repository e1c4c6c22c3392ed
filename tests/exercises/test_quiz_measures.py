"""Quizzes that measure (issue 23 §2): no answer readable above the question, hints that point
without telling, answer positions spread and shuffled per student, end-of-lesson quizzes of new
questions, and lessons 00/01 describing the quiz widget as it behaves.

It reads the lessons' quiz cells and the banks itself.
"""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from functools import cache
from pathlib import Path

import nbformat
import pytest

from crmlab.exercises import numeric, order, quiz
from crmlab.rules import grading, practice
from crmlab.rules.checking import REVEAL_AFTER, Outcome
from tests.support import ROOT
from tests.support.notebooks import execute

LESSON_FILES = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
BANK_LESSONS = quiz.lessons()
QUESTIONS = [q for lesson in BANK_LESSONS for q in quiz.load_bank(lesson)]
CHOICE = [q for q in QUESTIONS if q.kind != "truefalse"]

# --------------------------------------------------------------------- lessons' quiz cells


def _embedded(source: str) -> list[str] | int | None:
    """What a code cell shows: the ids of ``Quiz(n, ids=[...])`` / ``Exercise("id")``, the
    lesson number of a whole-bank ``Quiz(n)``, or None for any other cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id == "Exercise":
            return [node.args[0].value]
        if node.func.id == "Quiz":
            ids = [kw.value for kw in node.keywords if kw.arg == "ids"]
            if ids:
                return [element.value for element in ids[0].elts]
            return node.args[0].value
    return None


@cache
def _cells(path: Path) -> tuple:
    return tuple(nbformat.read(path, as_version=4).cells)


def _shown(path: Path) -> list[tuple[int, list[str]]]:
    """(cell index, item ids) of every quiz or exercise cell of a lesson, in order."""
    found = []
    for index, cell in enumerate(_cells(path)):
        if cell.cell_type != "code":
            continue
        what = _embedded(cell.source)
        if isinstance(what, int):
            what = [q.id for q in quiz.load_bank(what)]
        if what:
            found.append((index, what))
    return found


def _homework_start(path: Path) -> int:
    """The index of the lesson's 「## 课后作业」 heading (past the end when it has none, as the
    guide)."""
    for index, cell in enumerate(_cells(path)):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## 课后作业"):
            return index
    return len(_cells(path))


def _lesson_file(number: int) -> Path:
    return next(p for p in LESSON_FILES if p.name.startswith(f"{number:02d}_"))


# ----------------------------------------------------------- no answer in the cells above

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def _numbers(text: str) -> set[float]:
    return {float(n) for n in NUMBER.findall(text.replace(",", ""))}


def _item(item_id: str):
    """A quiz question or a number exercise, by id."""
    if re.fullmatch(r"L\d\d-[EC]\d\d", item_id):
        return numeric.exercise(item_id)
    return next(q for q in QUESTIONS if q.id == item_id)


SAMPLE_MODELS = {"sample_value", "sample_item", "survey_share"}
"""Models whose answer is read from the sample tables a lesson may display."""


def _sample_exercises(path: Path) -> dict[str, dict]:
    """The lesson's exercises on the sample data: id → its ``facts`` (the row it asks about;
    empty when it asks about a whole table)."""
    number = int(path.name[:2])
    if number not in numeric.lessons():
        return {}
    raw = numeric.yaml.safe_load(numeric._files()[number].read_text(encoding="utf-8"))
    return {item["id"]: item.get("facts", {}) for item in raw["exercises"]
            if item.get("calculation", {}).get("model") in SAMPLE_MODELS}


def test_the_quiz_cell_finder_reads_the_lessons():
    """Does the finder see the quiz and exercise cells of a lesson (not an empty list that would
    make the checks below pass vacuously)?"""
    shown = _shown(_lesson_file(5))
    assert any("L05-03" in ids for _, ids in shown)
    assert sum(len(ids) for _, ids in _shown(_lesson_file(4))) >= 15


def _computed_answer(item) -> float | None:
    """The number a computed item's answer is (a number exercise, or a quiz question with a
    ``calculation`` whose model gives a number); None for any other item."""
    if isinstance(item, numeric.NumberExerciseData):
        return item.answer
    if isinstance(item, quiz.Question) and item.calculation is not None:
        value = numeric.calculate(item.calculation)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


SMALL = 10
"""Whole numbers up to this are too common in text to identify a case."""


def _works_out(cell, wanted: set[float], answer: float | None) -> bool:
    """Does this cell work out the case whose numbers are ``wanted``: all of them in one cell,
    computed by its code, or with the answer written beside them?"""
    if not wanted <= _numbers(cell.source):
        return False
    if cell.cell_type == "code":
        return True
    # In text, small whole numbers (step numbers, counts) meet by chance: a worked example
    # there states at least two other figures of the case and its answer.
    telling = {n for n in wanted if not (n.is_integer() and n <= SMALL)}
    return len(telling) >= 2 and answer is not None and any(
        math.isclose(n, answer, abs_tol=0.005) for n in _numbers(cell.source))


@pytest.mark.parametrize("path", LESSON_FILES, ids=[p.stem for p in LESSON_FILES])
def test_no_quiz_repeats_a_case_the_lesson_computed(path):
    """Does no computed question or exercise (its answer follows from a course model) ask a case
    an earlier cell already worked out: all of the prompt's numbers in one cell, computed by its
    code or written with the answer? A case the lesson computed is a worked example; the
    question must ask about another one. (A cell that only states the exercise is not one.)"""
    cells = _cells(path)
    repeats = []
    for index, ids in _shown(path):
        for item_id in ids:
            item = _item(item_id)
            computed = isinstance(item, numeric.NumberExerciseData) or (
                isinstance(item, quiz.Question) and item.calculation is not None)
            if not computed:  # a concept question or a code exercise
                continue
            wanted = _numbers(item.prompt)
            if len(wanted) < 2:
                continue
            answer = _computed_answer(item)
            repeats += [f"{item_id} ↔ cell {before}" for before in range(index)
                        if _works_out(cells[before], wanted, answer)]
    assert repeats == []


def test_the_repeat_check_catches_a_worked_example():
    """The check above on a case worked out in code, one worked out in text, a cell that only
    states an exercise, and small numbers that meet by chance in a table of steps."""
    code = nbformat.v4.new_code_cell("value.business_value(86, 31)")
    stated = nbformat.v4.new_markdown_cell("某客户带来收益 86 万元，客户成本 31 万元。它的商业价值是多少？")
    worked = nbformat.v4.new_markdown_cell(stated.source + "86 − 31 = 55（万元）。")
    steps = nbformat.v4.new_markdown_cell("| 1 | 记录投诉内容 |\n| 5 | 提出处理方案 |")
    assert _works_out(code, {86.0, 31.0}, 55.0)
    assert _works_out(worked, {86.0, 31.0}, 55.0)
    assert not _works_out(stated, {86.0, 31.0}, 55.0)
    assert not _works_out(steps, {1.0, 5.0}, 5.0)


TYPED_NUMBER = re.compile(r"\s*[-−]?\d+(?:\.\d+)?\s*(%|分|元|万元|天|位|家)?\s*")


TYPED_ALLOWED = {"L10-06"}
"""Numbers no course model takes as given: L10-06's share of valid questionnaires is
``survey.tally`` over a whole table of answers, not over three counts."""


def test_numeric_answers_are_computed_by_the_rules():
    """A single-choice question whose options are all numbers computes its key with a course
    model (``calculation``), never a typed number."""
    typed = {q.id for q in CHOICE
             if q.kind == "single" and all(TYPED_NUMBER.fullmatch(o) for o in q.options)
             and q.calculation is None}
    assert typed == TYPED_ALLOWED


SAMPLE_LESSONS = [p for p in LESSON_FILES if _sample_exercises(p)]
MIN_DIGITS = 3
"""An answer is looked for in the outputs when it has this many significant digits (1.21,
45.6, 62.5); shorter numbers appear everywhere."""


def _output_text(output) -> str:
    """What a cell's output shows: its plain text, HTML or stream text."""
    data = output.get("data", {})
    return f"{data.get('text/plain', '')} {data.get('text/html', '')} {output.get('text', '')}"


@pytest.mark.slow  # starts processes (nbgrader, crmlab, a kernel)
@pytest.mark.parametrize("path", SAMPLE_LESSONS, ids=[p.stem for p in SAMPLE_LESSONS])
def test_no_sample_data_answer_is_printed_above_its_exercise(path):
    """Run the lesson: does no output above an exercise on the sample data show the customer it
    asks about (whose figures could be read off the table), or, for an exercise over a whole
    table, its answer?"""
    executed = execute(path)
    wanted = _sample_exercises(path)
    found = []
    for index, ids in _shown(path):
        for item_id in (i for i in ids if i in wanted):
            shown = [" ".join(_output_text(o) for o in executed.cells[before].get("outputs", []))
                     for before in range(index)]
            if wanted[item_id]:
                name = str(numeric.sample_row(wanted[item_id])["name"])
                found += [f"{item_id}: {name} in cell {i}" for i, text in enumerate(shown)
                          if name in text]
                continue
            answer = numeric.exercise(item_id).answer
            if len(f"{abs(answer):g}".replace(".", "").strip("0")) < MIN_DIGITS:
                continue  # a number like 5 is on every page: seeing one says nothing
            found += [f"{item_id}: {answer:g} in cell {i}" for i, text in enumerate(shown)
                      if any(math.isclose(n, answer, abs_tol=0.005) for n in _numbers(text))]
    assert found == []


# -------------------------------------------------------------------------------- hints

COUNT_PHRASE = re.compile(
    r"(只有|(?<!没)有|其中|另有|还有)\s*[一二两三四五六1-6]\s*个"
    r"|列出了.{0,8}[一二两三四五六1-6]\s*个|[一二两三四五六1-6]\s*个选项|另一个是|漏了[一两二]?个"
)
"""Phrases that tell how many options are right or wrong (「只有一个」「有两个选项不对」…)."""


def _correct_texts(q: quiz.Question) -> list[str]:
    if q.kind == "single":
        return [q.options[quiz.LETTERS.index(q.answer)]]
    if q.kind == "multiple":
        return [q.options[quiz.LETTERS.index(letter)] for letter in q.answer]
    return []


def _answer_numbers(q: quiz.Question) -> set[float]:
    """The numbers a correct choice states (a hint must not state them)."""
    found: set[float] = set()
    for text in _correct_texts(q):
        found |= _numbers(text)
    return found - _numbers(q.prompt)


def test_count_phrases_are_recognised():
    """Does the count check catch the phrasings the issue quoted, and pass a plain pointer?"""
    for bad in ("本题列出了 5C 中的四个", "有一个选项与「差异化」相矛盾", "有两个选项看似维护了企业",
                "只有一个是对的", "四个「言之……」里漏了一个"):
        assert COUNT_PHRASE.search(bad), bad
    for fine in ("回看本课「5C 信用模型」一节的表格。", "如果没有一个推荐者，NPS 会是多少？",
                 "回看本课对正文的要求：紧扣主题和三个「言之……」。"):
        assert not COUNT_PHRASE.search(fine), fine


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_hint_points_without_giving_the_answer(q):
    """Does the hint hold no correct option's text, no number a correct option states, and no
    count of right or wrong options?"""
    assert [t for t in _correct_texts(q) if t in q.hint] == []
    assert _answer_numbers(q) & _numbers(q.hint) == set()
    assert not COUNT_PHRASE.search(q.hint), q.hint


EXERCISES = [e for lesson in numeric.lessons() for e in numeric.load_exercises(lesson)
             if isinstance(e, numeric.NumberExerciseData)]


@pytest.mark.parametrize("e", EXERCISES, ids=[e.id for e in EXERCISES])
def test_exercise_hint_does_not_state_the_answer(e):
    """Does no number exercise's hint state its answer?"""
    assert not any(math.isclose(n, e.answer, abs_tol=e.tolerance) for n in _numbers(e.hint))


LETTER_CITATION = re.compile(r"选项\s*[A-F]|(?<![A-Za-z])[A-F]\s*项|(?<![A-Za-z])[A-F]、[A-F](?![A-Za-z级类])")


@pytest.mark.parametrize("q", CHOICE, ids=[q.id for q in CHOICE])
def test_explanation_and_hint_never_cite_an_option_letter(q):
    """Options are shuffled per student, so no text may refer to an option by its letter."""
    for text in (q.explanation, q.hint, q.prompt):
        assert not LETTER_CITATION.search(text), text


# ------------------------------------------------------------------ answer positions

SINGLE_SPREAD = 1
"""In each bank, the letters keyed in single-choice questions differ in count by at most this
(as even as the number of questions allows)."""
MULTIPLE_SPREAD = 2
"""In each bank, how often each letter is a correct option of a multiple-choice question differs
by at most this."""


def _spread(counter: Counter, letters: str) -> int:
    counts = [counter[letter] for letter in letters]
    return max(counts) - min(counts)


@pytest.mark.parametrize("lesson", BANK_LESSONS)
def test_keyed_positions_are_near_uniform_in_every_bank(lesson):
    """Is every bank's key spread evenly over the letters A–D: single-choice answers within one
    of each other, multiple-choice correct letters within two, and true/false balanced?"""
    questions = quiz.load_bank(lesson)
    single = Counter(q.answer for q in questions if q.kind == "single")
    multiple = Counter(letter for q in questions if q.kind == "multiple" for letter in q.answer)
    assert _spread(single, "ABCD") <= SINGLE_SPREAD, dict(single)
    assert _spread(multiple, "ABCD") <= MULTIPLE_SPREAD, dict(multiple)
    truth = Counter(q.answer for q in questions if q.kind == "truefalse")
    assert abs(truth[True] - truth[False]) <= 2, dict(truth)


def test_multiple_choice_questions_vary_how_many_options_are_right():
    """Does a student learn nothing from "one option is always wrong"? No number of correct
    options covers more than half of the multiple-choice questions, each bank with three or more
    uses at least two numbers, and some questions have every option right or only two."""
    multiple = [q for q in QUESTIONS if q.kind == "multiple"]
    wrong_counts = Counter(len(q.options) - len(q.answer) for q in multiple)
    assert max(wrong_counts.values()) <= len(multiple) / 2, dict(wrong_counts)
    assert wrong_counts[0] >= 3 and wrong_counts[2] >= 3, dict(wrong_counts)
    for lesson in BANK_LESSONS:
        bank = [q for q in quiz.load_bank(lesson) if q.kind == "multiple"]
        if len(bank) >= 3:
            assert len({len(q.options) - len(q.answer) for q in bank}) >= 2, lesson


STUDENTS = [f"hub:2023{n:04d}" for n in range(400)]


def test_shuffle_keeps_the_question_and_reletters_the_answer():
    """Does a shuffled question hold the same options and the same correct texts, and does
    check() accept the new letters and refuse the old position when it moved?"""
    for q in CHOICE:
        seen = order.shuffled(q, "hub:20230001")
        assert sorted(seen.options) == sorted(q.options)
        assert sorted(_correct_texts(seen)) == sorted(_correct_texts(q))
        right = list(seen.answer) if q.kind == "multiple" else seen.answer
        assert quiz.check(seen, right).outcome is Outcome.CORRECT
        assert (seen.id, seen.prompt, seen.explanation, seen.hint) == (q.id, q.prompt,
                                                                       q.explanation, q.hint)


def test_shuffle_is_stable_for_a_student_and_differs_between_students():
    """The same student always sees the same order (a reload moves nothing); across students the
    orders differ."""
    q = next(q for q in CHOICE if len(q.options) == 4 and not order.keeps_order(q))
    first = order.shuffled(q, "hub:20230001").options
    assert all(order.shuffled(q, "hub:20230001").options == first for _ in range(5))
    orders = {order.shuffled(q, student).options for student in STUDENTS}
    assert len(orders) == 24  # every ordering of four options occurs among 400 students


def test_true_false_questions_are_not_reordered():
    q = next(q for q in QUESTIONS if q.kind == "truefalse")
    assert order.shuffled(q, "hub:20230001") is q


def test_letter_named_options_keep_the_banks_letter_order():
    """Options that are levels or classes (「B 级」「C 类（中型客户）」) are not shuffled, so a
    student never reads 「A. C 级」; the bank keeps each at its own letter, so the key's position
    tells nothing beyond the option itself."""
    kept = [q for q in CHOICE if order.keeps_order(q)]
    assert {q.id for q in kept} >= {"L05-02", "L06-03"}
    assert all(order.shuffled(q, student) is q for q in kept for student in STUDENTS[:20])
    for q in kept:
        named = [(i, o) for i, o in enumerate(q.options) if order.LETTER_NAMED.fullmatch(o)]
        assert all(o.startswith(quiz.LETTERS[i]) for i, o in named), q.id


CHI2_95_3DF = 7.815
"""The 95 % point of the chi-square distribution with 3 degrees of freedom."""


@pytest.mark.slow
def test_shuffled_key_is_uniform_over_positions_across_students():
    """Over 400 students, is each single-choice question's key equally likely at A, B, C and D?
    Chi-square against uniform, per question, at the 95 % point; allowing for the expected 5 %
    of false alarms, at most one question in ten may exceed it."""
    singles = [q for q in CHOICE
               if q.kind == "single" and len(q.options) == 4 and not order.keeps_order(q)]
    expected = len(STUDENTS) / 4
    over = 0
    for q in singles:
        counts = Counter(order.shuffled(q, s).answer for s in STUDENTS)
        chi2 = sum((counts[letter] - expected) ** 2 / expected for letter in "ABCD")
        over += chi2 > CHI2_95_3DF
    assert over <= len(singles) / 10, f"{over} of {len(singles)}"


def test_student_key_on_the_hub_is_the_hub_user(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(order.HUB_USER_VARIABLE, "20230007")
    assert order.student_key() == "hub:20230007"
    assert not (tmp_path / order.ID_FILE).exists()


def test_student_key_elsewhere_is_a_kept_install_id(monkeypatch, tmp_path):
    """Off the hub: a random id is kept in the home folder, so the order survives a restart and
    two installs with the same Unix name still differ."""
    monkeypatch.delenv(order.HUB_USER_VARIABLE, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "one"))
    first = order.student_key()
    assert first.startswith("install:") and first == order.student_key()
    assert (tmp_path / "one" / order.ID_FILE).read_text().strip() == first.removeprefix("install:")
    monkeypatch.setenv("HOME", str(tmp_path / "two"))
    assert order.student_key() != first


def test_student_key_without_a_writable_home_is_the_user_name(monkeypatch, tmp_path):
    monkeypatch.delenv(order.HUB_USER_VARIABLE, raising=False)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HOME", str(blocker))
    assert order.student_key().startswith("user:")


def test_quiz_widget_shows_the_students_order_and_checks_it(monkeypatch):
    """Does the widget show a student's own order, the same on a reload, and score a click on
    the right text as correct?"""
    from crmlab.widgets import Quiz

    monkeypatch.setenv(order.HUB_USER_VARIABLE, "20230001")
    first, again = Quiz(5), Quiz(5)
    other = Quiz(5, student="hub:20230002")
    texts = [item.question.options for item in first.items]
    assert texts == [item.question.options for item in again.items]
    assert texts != [item.question.options for item in other.items]
    item = next(i for i in first.items if i.question.kind == "single")
    keyed = next(q for q in quiz.load_bank(5) if q.id == item.question.id)
    right_text = _correct_texts(keyed)[0]
    item.control.value = quiz.LETTERS[item.question.options.index(right_text)]
    item.submit()
    assert item.result.outcome is Outcome.CORRECT


# ------------------------------------------------------------- end-of-lesson quizzes

END_QUIZ_LESSONS = [p for p in LESSON_FILES if any(i > _homework_start(p) for i, _ in _shown(p))]


def test_some_lessons_end_with_a_quiz():
    assert {p.name[:2] for p in END_QUIZ_LESSONS} >= {"09", "12", "14"}


@pytest.mark.parametrize("path", END_QUIZ_LESSONS, ids=[p.stem for p in END_QUIZ_LESSONS])
def test_end_of_lesson_quiz_asks_new_questions(path):
    """Does the 「课后作业」 quiz ask questions the lesson did not ask in class, neither by id
    nor by the same prompt?"""
    start = _homework_start(path)
    in_class = [i for index, ids in _shown(path) if index < start for i in ids]
    after = [i for index, ids in _shown(path) if index > start for i in ids]
    assert len(after) >= 3
    assert set(after) & set(in_class) == set()
    prompts = {_item(i).prompt for i in in_class}
    assert [i for i in after if _item(i).prompt in prompts] == []


# -------------------------------------------------- what lessons 00 and 01 say of the widget


def _markdown(number: int) -> str:
    return "\n".join(c.source for c in _cells(_lesson_file(number)) if c.cell_type == "markdown")


def test_guide_describes_the_quiz_widget_as_it_behaves():
    """Lesson 00 says what the widget does: the explanation after a right answer or the second
    wrong try, and a count of 「首次答对」; never 「已答对」 or an explanation on every submit."""
    text = _markdown(0)
    assert REVEAL_AFTER == 2  # the sentences below speak of the second wrong try
    assert "首次答对" in text and "已答对" not in text
    assert re.search(r"答对.{0,20}(或|或者).{0,12}第二次答错.{0,20}解析", text)
    assert not re.search(r"提交.{0,6}马上显示对错和解析", text)


def test_lesson_01_does_not_promise_an_explanation_after_every_submit():
    text = _markdown(1)
    assert not re.search(r"每题提交后立即显示对错和解析", text)
    assert "已答对" not in text


def test_the_widget_counts_first_tries_and_explains_as_the_guide_says(monkeypatch):
    """The widget side of the guide's sentences: one wrong try → no explanation; the second →
    explanation; the score says 「首次答对」 and counts only first tries."""
    from crmlab.widgets import Quiz

    q = Quiz(1, ids=["L01-10"], student="hub:20230001")
    item = q.items[0]
    item.control.value = not item.question.answer
    item.submit()
    assert "解析" not in item.feedback.value
    item.submit()
    assert "解析" in item.feedback.value
    item.control.value = item.question.answer
    item.submit()
    assert "首次答对 0 / 1 题" in q.score_html.value


# --------------------------------------------------- facts the banks share with the rules


def test_penalty_items_named_in_explanations_are_the_rules_items():
    """Does L05-09's explanation name the scorecard's penalty items by their rule names?"""
    q = next(q for q in QUESTIONS if q.id == "L05-09")
    named = set(re.findall(r"「([^」]+)」", q.explanation))
    labels = {item.label for item in grading.PENALTY_ITEMS + grading.BONUS_ITEMS}
    assert named and named <= labels, named - labels


def test_exchange_sheet_split_is_keyed_to_the_sheet():
    """L14-09 is keyed to what the exchange sheet says (60/40) and says its items add to
    55/45, as crmlab.rules.practice holds."""
    q = next(q for q in QUESTIONS if q.id == "L14-09")
    text = q.prompt + q.explanation
    basic, outstanding = practice.TIER_POINTS["basic"], practice.TIER_POINTS["outstanding"]
    assert (basic, outstanding) == (55, 45)
    assert str(basic) in text and str(outstanding) in text
    assert "60" in q.prompt and "40" in q.prompt and q.answer is True


def test_bank_headers_cite_the_textbook_not_internal_notes():
    for path in (ROOT / "crmlab" / "exercises" / "banks").glob("*.yml"):
        if path.name in {"lesson03.yml", "exercises03.yml"}:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"COURSE_BRIEF|DESIGN\.md", text), path.name
