"""The SPIN question bank (SPIN 提问题库) of lesson 07: ``banks/spin07.yml``, read and validated.

The bank holds a few sales scenarios (情境), questions written for them, each with its type
(S/P/I/N, :data:`crmlab.rules.spin.TYPES`) and a one-sentence explanation, and the model script
of the homework's scenario (Goodyear → Volkswagen). The rules that work on the questions (marking
a student's labels, picking a short exercise, reviewing a script) are in
:mod:`crmlab.rules.spin` and take the questions as arguments; this module only reads the file:

* ``bank()`` — the whole bank (read once, then cached); ``read_bank(text)`` / ``parse_bank(raw)``
  check a bank's text or parsed YAML and raise :class:`CourseInputError` in Chinese, naming the
  file and the question, for a malformed bank.
* ``scenarios()``, ``load_bank(scenario)``, ``questions()`` (id → question, what
  :func:`crmlab.rules.spin.score_labelling` takes) and ``model_script()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NoReturn

from crmlab.exercises.quiz import BANK_FOLDER, read_yaml
from crmlab.rules.checks import CourseInputError
from crmlab.rules.spin import TYPE_BY_KEY, TYPE_KEYS_TEXT, SpinQuestion

BANK_FILE = "spin07.yml"
"""The bank's file name in the banks' folder (``crmlab/exercises/banks``)."""

GOODYEAR_SCENARIO = "固特异轮胎 → 大众汽车"
"""The homework's scenario, the one of the model script."""

_QUESTION_FIELDS = ("id", "text", "type", "scenario", "explanation")


@dataclass(frozen=True)
class QuestionBank:
    """The parsed bank file."""

    scenarios: dict[str, str]  # name → description
    questions: tuple[SpinQuestion, ...]
    model_script: tuple[str, ...]  # question ids in order

    def by_id(self) -> dict[str, SpinQuestion]:
        """Questions keyed by id."""
        return {q.id: q for q in self.questions}


def _fail(source: str, text: str, field: str) -> NoReturn:
    raise CourseInputError(f"SPIN 题库「{source}」{text}", field)


def _text_field(item: Mapping[object, object], field: str, where: str, source: str) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value.strip():
        _fail(source, f"中{where}缺少「{field}」或它不是文字。", field)
    return value.strip()


def _scenarios(raw: object, source: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw:
        _fail(source, "缺少「scenarios」（情境）部分。", "scenarios")
    for name, description in raw.items():
        if not isinstance(name, str) or not isinstance(description, str) or not description.strip():
            _fail(source, f"中情境「{name}」应当有一段文字说明。", "scenarios")
    return {name: description.strip() for name, description in raw.items()}


def _questions(items: object, scenarios: dict[str, str], source: str) -> list[SpinQuestion]:
    if not isinstance(items, list) or not items:
        _fail(source, "缺少「questions」（题目）部分。", "questions")
    questions: list[SpinQuestion] = []
    seen_ids: set[str] = set()
    seen_texts: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"第 {number} 题"
        if not isinstance(item, dict):
            _fail(source, f"中{where}的格式不对：应当是一个映射。", "questions")
        fields = {name: _text_field(item, name, where, source) for name in _QUESTION_FIELDS}
        qid = fields["id"]
        if fields["type"] not in TYPE_BY_KEY:
            _fail(source, f"中题目 {qid} 的类型「{fields['type']}」未知，只能是 {TYPE_KEYS_TEXT}。",
                  "type")
        if fields["scenario"] not in scenarios:
            _fail(source, f"中题目 {qid} 的情境「{fields['scenario']}」不在 scenarios 中。", "scenario")
        if qid in seen_ids:
            _fail(source, f"中的题号 {qid} 重复了。", "id")
        if fields["text"] in seen_texts:
            _fail(source, f"中题目 {qid} 的题干与前面的题目重复。", "text")
        seen_ids.add(qid)
        seen_texts.add(fields["text"])
        questions.append(SpinQuestion(**fields))
    return questions


def parse_bank(raw: object, source: str = BANK_FILE) -> QuestionBank:
    """Validate a bank's parsed YAML and build a :class:`QuestionBank`.

    Raises :class:`CourseInputError`, naming the file ``source``, for a missing section or
    field, a scenario without a description, an unknown type or scenario, a repeated id or
    text, or a model-script entry that is not an id of the bank.
    """
    if not isinstance(raw, dict):
        _fail(source, "的格式不对：顶层应当是一个映射（mapping）。", "题库")
    scenarios = _scenarios(raw.get("scenarios"), source)
    questions = _questions(raw.get("questions"), scenarios, source)
    script = raw.get("model_script") or []
    if not isinstance(script, list):
        _fail(source, "中的「model_script」应当是题号列表。", "model_script")
    ids = {q.id for q in questions}
    unknown = [str(qid) for qid in script if not isinstance(qid, str) or qid not in ids]
    if unknown:
        _fail(source, f"的示范脚本中有不存在的题号：{'、'.join(unknown)}。", "model_script")
    return QuestionBank(scenarios=scenarios, questions=tuple(questions), model_script=tuple(script))


def read_bank(text: str, source: str = BANK_FILE) -> QuestionBank:
    """A bank from its file's text: YAML that does not parse is a Chinese error naming the
    line, then :func:`parse_bank`."""
    return parse_bank(read_yaml(text, source), source)


@cache
def bank() -> QuestionBank:
    """The course's bank, ``banks/spin07.yml`` (read once, then cached)."""
    entry = resources.files(__package__).joinpath(BANK_FOLDER, BANK_FILE)
    return read_bank(entry.read_text(encoding="utf-8"))


def scenarios() -> dict[str, str]:
    """Scenario name → description, in the bank's order."""
    return dict(bank().scenarios)


def questions() -> dict[str, SpinQuestion]:
    """Every question of the bank keyed by id: the ``questions`` that
    :func:`crmlab.rules.spin.score_labelling` marks against."""
    return bank().by_id()


def load_bank(scenario: str | None = None) -> list[SpinQuestion]:
    """The bank's questions, all of them or those of one scenario, in file order.

    An unknown scenario raises :class:`CourseInputError` listing the scenarios there are.
    """
    every = bank().questions
    if scenario is None:
        return list(every)
    if scenario not in bank().scenarios:
        names = "、".join(bank().scenarios)
        raise CourseInputError(f"没有情境「{scenario}」。可选的情境：{names}", "情境")
    return [q for q in every if q.scenario == scenario]


def model_script() -> list[SpinQuestion]:
    """The model Goodyear → Volkswagen script: bank questions in the order they are asked."""
    by_id = questions()
    return [by_id[qid] for qid in bank().model_script]
