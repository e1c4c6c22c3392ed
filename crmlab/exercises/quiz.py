"""Self-check quizzes (随堂测验): the lesson question banks and one checking engine.

Each lesson has a bank ``banks/lessonNN.yml`` (package data, read with
importlib.resources) of questions of three kinds (``KINDS``): single choice (单项选择),
multiple choice (多项选择) and true/false (判断题). A bank is data only; this module validates
it and checks a student's answer:

* ``load_bank(lesson)`` / ``load_bank_file(path)`` — the questions, validated: an unknown kind,
  an answer letter outside the options, a multiple-choice question with fewer than two correct
  options, a repeated id … raise :class:`CourseInputError` naming the file and the question.
* ``check(question, response)`` — a :class:`Feedback` with one of the outcomes of
  :class:`crmlab.rules.checking.Outcome`: unanswered, invalid (answer not understood),
  correct, partial (multiple choice: only right options chosen, but not all of them),
  incorrect. It never raises for a student's answer: a typo is feedback too.
* ``score(questions, responses)`` — a :class:`crmlab.rules.checking.Marking` over a whole
  quiz.

Answers a student may give (``check`` normalises them):

* single choice: an option letter, ``"B"`` or ``"b"`` (full-width ``"Ｂ"`` too), or the option's
  index in ``question.options`` counted from 0, like a Python list index;
* multiple choice: an iterable of letters or indices (``["A", "C"]``, ``{0, 2}``) or one string
  of letters (``"AC"``, ``"a, c"``, ``"A、C"``);
* true/false: ``True`` / ``False`` or one of the words of ``TRUEFALSE_WORDS``
  (正确/错误, 对/错, √/×, true/false).

A question may carry a ``calculation`` mapping: the inputs of a course model (e.g. the grading
scorecard) from which its answer follows. This module keeps it as data; the tests recompute the
answer from the model so that a question can never drift from the rule.
"""

from __future__ import annotations

import dataclasses
import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from numbers import Integral
from pathlib import Path
from typing import NoReturn

import yaml

from crmlab.rules.checking import Marking, Outcome, Result, explanation_due, is_blank
from crmlab.rules.checks import CourseInputError

BANK_FOLDER = "banks"
"""The banks' folder inside the ``crmlab`` package."""

BANK_NAME = re.compile(r"lesson(\d{2})\.yml")
"""File name of a lesson's bank: ``lesson04.yml`` is lesson 4."""

ID_PATTERN = re.compile(r"L(\d{2})-\d{2}")
"""Question ids: ``L04-07`` is question 7 of lesson 4."""

KINDS: dict[str, str] = {"single": "单项选择", "multiple": "多项选择", "truefalse": "判断题"}
"""Question kinds: key in the bank file → Chinese name."""

LETTERS = string.ascii_uppercase
"""Option letters, in option order: A, B, C, …"""

MIN_OPTIONS = 2

MIN_MULTIPLE_ANSWERS = 2
"""A multiple-choice question has at least this many correct options."""

TRUEFALSE_OPTIONS: tuple[str, str] = ("正确", "错误")
"""What a true/false question offers, in this order (True, False)."""

TRUEFALSE_WORDS: dict[str, bool] = {
    "正确": True, "对": True, "√": True, "✓": True, "✔": True, "true": True,
    "错误": False, "错": False, "×": False, "✗": False, "✘": False, "x": False, "false": False,
}
"""Words accepted as a true/false answer (compared after NFKC, trimming and lower-casing)."""

SEPARATORS = re.compile(r"[\s,，、;；/|]+")
"""What may separate the letters of a multiple-choice answer typed as one string."""

QUESTION_KEYS: dict[str, str] = {
    "id": "题号",
    "kind": "题型",
    "prompt": "题干",
    "options": "选项",
    "answer": "答案",
    "explanation": "解析",
    "hint": "提示",
    "calculation": "计算依据",
}
"""Keys a question may have in a bank file, with their Chinese names."""

TEXT_KEYS = ("prompt", "explanation", "hint")
"""Required text fields of every question."""

BANK_KEYS: dict[str, str] = {"lesson": "课次", "title": "课题", "questions": "题目"}
"""Top-level keys of a bank file."""


# ------------------------------------------------------------------------------ questions


@dataclass(frozen=True)
class Question:
    """One quiz question, as validated from a bank file.

    ``answer`` is a letter (``"B"``) for single choice, a tuple of letters in option order for
    multiple choice, and a bool for true/false. ``options`` is empty for true/false.
    """

    id: str
    kind: str
    prompt: str
    options: tuple[str, ...]
    answer: str | tuple[str, ...] | bool
    explanation: str
    hint: str
    calculation: Mapping[str, object] | None = field(default=None, compare=False)

    @property
    def kind_label(self) -> str:
        """The kind's Chinese name, e.g. ``单项选择``."""
        return KINDS[self.kind]

    @property
    def letters(self) -> tuple[str, ...]:
        """The option letters (A, B, …); empty for true/false."""
        return tuple(LETTERS[: len(self.options)])

    @property
    def choices(self) -> tuple[str, ...]:
        """What to show as choices: the options, or 正确/错误 for true/false."""
        return TRUEFALSE_OPTIONS if self.kind == "truefalse" else self.options

    @property
    def answer_text(self) -> str:
        """The answer as a student reads it: ``B``, ``A、C、D`` or ``正确``/``错误``."""
        if self.kind == "truefalse":
            return TRUEFALSE_OPTIONS[0] if self.answer else TRUEFALSE_OPTIONS[1]
        if self.kind == "multiple":
            return "、".join(self.answer)
        return str(self.answer)


def solution(question: Question) -> str:
    """The worked answer, for a student who asks for it: the answer and the explanation."""
    return f"正确答案：{question.answer_text}。{question.explanation}"


# ---------------------------------------------------------------------------- bank files


_Fail = Callable[[str, str], NoReturn]
"""Raises the error for the question being read: ``fail(problem, key)``."""


def _problem(source: str, number: int, qid: object, problem: str, field_key: str) -> NoReturn:
    """Raise the error for question ``number`` of bank ``source``."""
    who = f"第 {number} 题（{qid}）" if isinstance(qid, str) and qid else f"第 {number} 题（缺少题号）"
    raise CourseInputError(f"题库「{source}」{who}：{problem}", QUESTION_KEYS.get(field_key))


def _text(item: Mapping, key: str, fail: _Fail) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        fail(f"缺少「{key}」（{QUESTION_KEYS[key]}），或它不是文字。", key)
    return value.strip()


def _options(item: Mapping, fail: _Fail) -> tuple[str, ...]:
    options = item.get("options")
    if not isinstance(options, list) or len(options) < MIN_OPTIONS:
        fail(f"「options」（选项）应当是至少 {MIN_OPTIONS} 个选项的列表。", "options")
    if len(options) > len(LETTERS):
        fail(f"选项不能超过 {len(LETTERS)} 个，现在有 {len(options)} 个。", "options")
    texts = []
    for letter, option in zip(LETTERS, options):
        if not isinstance(option, str | int | float) or isinstance(option, bool):
            fail(f"选项 {letter} 应当是文字，现在是：{option!r}。", "options")
        text = str(option).strip()
        if not text:
            fail(f"选项 {letter} 是空的。", "options")
        if text in texts:
            fail(f"选项 {letter}「{text}」与前面的选项重复。", "options")
        texts.append(text)
    return tuple(texts)


def _answer_letter(value: object, letters: str, fail: _Fail) -> str:
    letter = value.strip().upper() if isinstance(value, str) else None
    if not letter or letter not in letters:
        fail(f"答案「{value}」不在选项范围 {letters[0]}–{letters[-1]} 之内（应为其中一个字母）。",
             "answer")
    return letter


def _answer(kind: str, item: Mapping, options: tuple[str, ...], fail: _Fail) -> object:
    value = item.get("answer")
    letters = LETTERS[: len(options)]
    if kind == "single":
        return _answer_letter(value, letters, fail)
    if kind == "multiple":
        if not isinstance(value, list):
            fail("多选题的「answer」应当是字母列表，例如 [A, C]。", "answer")
        chosen = [_answer_letter(v, letters, fail) for v in value]
        if len(set(chosen)) != len(chosen):
            fail(f"答案 {'、'.join(chosen)} 中有重复的字母。", "answer")
        if len(chosen) < MIN_MULTIPLE_ANSWERS:
            fail(f"多选题至少要有 {MIN_MULTIPLE_ANSWERS} 个正确选项，现在只有 {len(chosen)} 个。",
                 "answer")
        return tuple(sorted(chosen))
    if not isinstance(value, bool):
        fail(f"判断题的「answer」只能是 true 或 false，现在是：{value!r}。", "answer")
    return value


def _question(item: object, number: int, source: str, lesson: int) -> Question:
    qid = item.get("id") if isinstance(item, dict) else None

    def fail(problem: str, key: str) -> NoReturn:
        _problem(source, number, qid, problem, key)

    if not isinstance(item, dict):
        fail("格式不对：每道题应当是一个映射（mapping）。", "id")
    unknown = [str(key) for key in item if key not in QUESTION_KEYS]
    if unknown:
        fail(f"有未知的字段：{'、'.join(unknown)}。可用的字段：{'、'.join(QUESTION_KEYS)}。", "id")
    match = ID_PATTERN.fullmatch(qid) if isinstance(qid, str) else None
    if match is None:
        fail("题号「id」应当形如 L04-07（课次两位、题序两位）。", "id")
    if int(match.group(1)) != lesson:
        fail(f"题号的课次与题库的课次（第 {lesson} 课）不一致。", "id")
    kind = item.get("kind")
    if kind not in KINDS:
        names = "、".join(f"{key}（{label}）" for key, label in KINDS.items())
        fail(f"未知的题型「{kind}」，只能是：{names}。", "kind")
    texts = {key: _text(item, key, fail) for key in TEXT_KEYS}
    if kind == "truefalse":
        if "options" in item:
            fail("判断题不写「options」：选项固定为「正确/错误」。", "options")
        options: tuple[str, ...] = ()
    else:
        options = _options(item, fail)
    answer = _answer(kind, item, options, fail)
    calculation = item.get("calculation")
    if calculation is not None and not (
        isinstance(calculation, dict) and isinstance(calculation.get("model"), str)
    ):
        fail("「calculation」（计算依据）应当是含有「model」（模型名）的映射。", "calculation")
    return Question(id=qid, kind=kind, prompt=texts["prompt"], options=options, answer=answer,
                    explanation=texts["explanation"], hint=texts["hint"], calculation=calculation)


@dataclass(frozen=True)
class Bank:
    """A parsed bank file."""

    lesson: int
    title: str
    questions: tuple[Question, ...]


def parse_bank(raw: object, source: str) -> Bank:
    """Validate a bank's parsed YAML; ``source`` names the file in error messages."""
    if not isinstance(raw, dict):
        raise CourseInputError(f"题库「{source}」的格式不对：顶层应当是一个映射（mapping）。", "题库")
    unknown = [str(key) for key in raw if key not in BANK_KEYS]
    if unknown:
        raise CourseInputError(
            f"题库「{source}」有未知的字段：{'、'.join(unknown)}。可用的字段：{'、'.join(BANK_KEYS)}。",
            "题库",
        )
    lesson, title, items = raw.get("lesson"), raw.get("title"), raw.get("questions")
    if isinstance(lesson, bool) or not isinstance(lesson, int) or lesson < 1:
        raise CourseInputError(f"题库「{source}」的「lesson」（课次）应当是正整数。", "课次")
    if not isinstance(title, str) or not title.strip():
        raise CourseInputError(f"题库「{source}」缺少「title」（课题）。", "课题")
    if not isinstance(items, list) or not items:
        raise CourseInputError(f"题库「{source}」缺少「questions」（题目）列表。", "题目")
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        question = _question(item, number, source, lesson)
        if question.id in seen:
            _problem(source, number, question.id,
                     f"题号与第 {seen[question.id]} 题重复。", "id")
        seen[question.id] = number
        questions.append(question)
    return Bank(lesson=lesson, title=title.strip(), questions=tuple(questions))


def read_yaml(text: str, source: str) -> object:
    """A bank file's text parsed as YAML; a syntax error is a :class:`CourseInputError`
    naming the file ``source`` and the line and column."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列附近" if mark is not None else ""
        raise CourseInputError(
            f"题库「{source}」{where}不是合法的 YAML，请检查缩进、冒号后的空格，"
            "以及以特殊字符开头的文字是否加了引号。",
            "题库",
        ) from None


def load_bank_file(path: str | Path) -> list[Question]:
    """The questions of a bank file anywhere on disk (for instructors checking a new bank)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CourseInputError(f"无法读取题库文件「{path}」：文件不存在。", "题库") from None
    except UnicodeDecodeError:
        raise CourseInputError(f"无法读取题库文件「{path}」：它不是 UTF-8 编码的文本。", "题库") from None
    except OSError as error:
        raise CourseInputError(
            f"无法读取题库文件「{path}」（{type(error).__name__}）。", "题库"
        ) from None
    return list(parse_bank(read_yaml(text, path.name), path.name).questions)


def lesson_files(name: re.Pattern[str]) -> dict[int, object]:
    """Files of the banks' folder whose name matches ``name`` (its group 1 is the lesson
    number), by lesson: the quiz banks and the exercise files (:mod:`crmlab.exercises.numeric`)."""
    folder = resources.files(__package__).joinpath(BANK_FOLDER)
    found = {}
    for entry in folder.iterdir():
        match = name.fullmatch(entry.name)
        if match:
            found[int(match.group(1))] = entry
    return dict(sorted(found.items()))


def _bank_files() -> dict[int, object]:
    return lesson_files(BANK_NAME)


def lessons() -> list[int]:
    """The lessons that have a bank, in order."""
    return list(_bank_files())


@cache
def _bank(lesson: int) -> Bank:
    files = _bank_files()
    if isinstance(lesson, bool) or not isinstance(lesson, Integral) or lesson not in files:
        have = "、".join(map(str, files))
        raise CourseInputError(f"没有第 {lesson} 课的题库。有题库的课次：{have}。", "课次")
    entry = files[lesson]
    bank = parse_bank(read_yaml(entry.read_text(encoding="utf-8"), entry.name), entry.name)
    if bank.lesson != lesson:
        raise CourseInputError(
            f"题库「{entry.name}」里写的课次是 {bank.lesson}，与文件名不一致。", "课次"
        )
    return bank


def load_bank(lesson: int) -> list[Question]:
    """The questions of a lesson's bank, in file order (the file is read once, then cached)."""
    return list(_bank(lesson).questions)


def lesson_title(lesson: int) -> str:
    """The title of a lesson's bank, e.g. ``客户分级管理``."""
    return _bank(lesson).title


# -------------------------------------------------------------------------------- checking


@dataclass(frozen=True, kw_only=True)
class Feedback(Result):
    """What a student sees after answering one question (``id`` is the question's id).

    For multiple choice, ``wrong`` holds the chosen letters that are not correct and
    ``missing`` how many correct ones were not chosen.
    """

    wrong: tuple[str, ...] = ()
    missing: int = 0

    @property
    def question_id(self) -> str:
        return self.id


def _feedback(question: Question, outcome: Outcome, message: str, **extra: object) -> Feedback:
    shown = question.explanation if explanation_due(outcome) else None
    return Feedback(outcome=outcome, message=message, explanation=shown, id=question.id,
                    answer=question.answer, **extra)


def _shown(response: object) -> str:
    """A response as quoted back to the student."""
    if isinstance(response, str):
        return response.strip()
    if isinstance(response, set | frozenset):
        return "、".join(sorted(map(str, response)))
    if isinstance(response, list | tuple):
        return "、".join(map(str, response))
    return str(response)


def _letter(item: object, letters: str) -> str | None:
    """One option letter from a letter (any case, half- or full-width) or a 0-based index."""
    if isinstance(item, Integral) and not isinstance(item, bool):
        return letters[item] if 0 <= item < len(letters) else None
    if isinstance(item, str):
        text = unicodedata.normalize("NFKC", item).strip().upper()
        return text if len(text) == 1 and text in letters else None
    return None


def _range(letters: str) -> str:
    return f"{letters[0]}–{letters[-1]}"


def _check_single(question: Question, response: object) -> Feedback:
    letters = "".join(question.letters)
    letter = _letter(response, letters)
    if letter is None:
        return _feedback(
            question, Outcome.INVALID,
            f"无法识别的答案「{_shown(response)}」：请填写 {_range(letters)} 中的一个字母"
            f"（大小写均可），或选项序号 0–{len(letters) - 1}。",
        )
    if letter == question.answer:
        return _feedback(question, Outcome.CORRECT, f"回答正确！答案是 {letter}。")
    return _feedback(question, Outcome.INCORRECT, f"回答错误：{letter} 不是正确答案。")


def _chosen_items(response: object) -> list[object] | None:
    """The separate items of a multiple-choice response, or None if it is not a collection."""
    if isinstance(response, str):
        text = unicodedata.normalize("NFKC", response)
        return list(SEPARATORS.sub("", text))
    if isinstance(response, Mapping) or not isinstance(response, Iterable):
        return None
    return [item for item in response if not is_blank(item)]


def _check_multiple(question: Question, response: object) -> Feedback:
    letters = "".join(question.letters)
    items = _chosen_items(response)
    if items is None:
        return _feedback(
            question, Outcome.INVALID,
            f"无法识别的答案「{_shown(response)}」：多选题请给出选项字母的列表，"
            f"例如 [\"A\", \"C\"] 或 \"AC\"，字母范围 {_range(letters)}。",
        )
    if not items:  # only separators, e.g. " , "
        return _feedback(question, Outcome.UNANSWERED, _UNANSWERED[question.kind])
    chosen = [_letter(item, letters) for item in items]
    bad = [_shown(item) for item, letter in zip(items, chosen) if letter is None]
    if bad:
        return _feedback(
            question, Outcome.INVALID,
            f"无法识别的选项「{'、'.join(bad)}」：本题的选项是 {_range(letters)}"
            f"（也可以用序号 0–{len(letters) - 1}）。",
        )
    picked = set(chosen)
    right = set(question.answer)
    wrong = tuple(sorted(picked - right))
    missing = len(right - picked)
    if not wrong and not missing:
        return _feedback(question, Outcome.CORRECT, f"回答正确！答案是 {question.answer_text}。")
    if not wrong:
        return _feedback(
            question, Outcome.PARTIAL,
            f"部分正确：选的 {len(picked)} 项都对，但还漏选了 {missing} 项，再想想。",
            missing=missing,
        )
    message = f"回答错误：{'、'.join(wrong)} 不是正确选项"
    message += f"；另有 {missing} 个正确选项没有选。" if missing else "。"
    return _feedback(question, Outcome.INCORRECT, message, wrong=wrong, missing=missing)


def _check_truefalse(question: Question, response: object) -> Feedback:
    if isinstance(response, bool):
        value: bool | None = response
    elif isinstance(response, str):
        value = TRUEFALSE_WORDS.get(unicodedata.normalize("NFKC", response).strip().lower())
    else:
        value = None
    if value is None:
        return _feedback(
            question, Outcome.INVALID,
            f"无法识别的答案「{_shown(response)}」：判断题请回答「正确」或「错误」"
            "（也可以用 对/错、√/×、True/False）。",
        )
    if value == question.answer:
        return _feedback(question, Outcome.CORRECT, f"回答正确！这句话是{question.answer_text}的。")
    return _feedback(question, Outcome.INCORRECT, "回答错误：再读一遍这句话，看它和本课讲的是否一致。")


_UNANSWERED: dict[str, str] = {
    "single": "还没有作答：请选择一个选项。",
    "multiple": "还没有作答：请选择一个或多个选项。",
    "truefalse": "还没有作答：请判断这句话是「正确」还是「错误」。",
}
_CHECKERS = {"single": _check_single, "multiple": _check_multiple, "truefalse": _check_truefalse}


def check(question: Question, response: object, wrong_before: int = 0) -> Feedback:
    """Check one answer; never raises for whatever the student gives (see the module doc).

    ``wrong_before`` is the number of wrong tries the student already made at this question:
    the explanation comes with a correct answer, or with a wrong one once it is the
    ``REVEAL_AFTER``-th wrong try (:func:`explanation_due`).
    """
    if not isinstance(question, Question):
        raise CourseInputError(f"「题目」应当是题库中的一道题，现在是：{type(question).__name__}", "题目")
    if is_blank(response):
        return _feedback(question, Outcome.UNANSWERED, _UNANSWERED[question.kind])
    feedback = _CHECKERS[question.kind](question, response)
    if explanation_due(feedback.outcome, wrong_before) and feedback.explanation is None:
        feedback = dataclasses.replace(feedback, explanation=question.explanation)
    return feedback


# --------------------------------------------------------------------------------- scoring


def _responses_in_order(questions: Sequence[Question], responses: object) -> list[object]:
    if isinstance(responses, Mapping):
        ids = {question.id for question in questions}
        unknown = [str(key) for key in responses if key not in ids]
        if unknown:
            raise CourseInputError(f"答案中有本测验没有的题号：{'、'.join(unknown)}。", "答案")
        return [responses.get(question.id) for question in questions]
    if isinstance(responses, Sequence) and not isinstance(responses, str):
        if len(responses) != len(questions):
            raise CourseInputError(
                f"答案有 {len(responses)} 个，题目有 {len(questions)} 道，数目应当相同。", "答案"
            )
        return list(responses)
    raise CourseInputError(
        f"「答案」应当是「题号→答案」的字典或与题目一一对应的列表，现在是：{type(responses).__name__}",
        "答案",
    )


def score(
    questions: Sequence[Question], responses: Mapping[str, object] | Sequence[object]
) -> Marking:
    """Check every answer of a quiz: a :class:`crmlab.rules.checking.Marking` (partly
    correct answers count 0).

    ``responses`` maps question ids to answers (a missing id counts as unanswered) or is a list
    in the order of ``questions``. An empty quiz, an unknown id or a list of the wrong length
    raises :class:`CourseInputError`.
    """
    questions = list(questions) if isinstance(questions, Iterable) else questions
    if not isinstance(questions, list) or not questions:
        raise CourseInputError("「题目」列表是空的，没有可以评分的题。", "题目")
    return Marking(tuple(
        check(question, response)
        for question, response in zip(questions, _responses_in_order(questions, responses))
    ), show_percentage=True)
