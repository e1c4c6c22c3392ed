"""Exercises declared as data (练习题库): number exercises whose answers come from the models.

A lesson shows one short line per exercise, ``Exercise("L02-E01")``; the prompt, unit, hint,
explanation and the *inputs* of the answer live in ``banks/exercisesNN.yml`` (package
data, next to the quiz banks), and the answer is computed here from a course model, so it is
neither typed by hand nor visible in the lesson's code.

An exercise file::

    lesson: 2
    exercises:
      - id: L02-E01               # L<lesson>-E<number>, unique
        kind: number              # or code: see crmlab.exercises.coding
        prompt: 某客户……是多少万元？
        calculation: {model: business_value, revenue: 30, cost: 12}
        facts: {table: credit_files, row: 0}   # optional: fills {name} … in the prompt
        unit: 万元                # optional
        tolerance: 0.01           # optional (absolute; relative: true for a fraction)
        decimals: 1               # optional: the answer rounded, as the prompt asks
        hint: 给方向，不给答案。
        explanation: 答对之后或查看答案时显示。

``MODELS`` is the one registry of course models that both exercises and quiz-bank
``calculation`` entries name (``tests/exercises/test_quiz.py`` recomputes every keyed answer with it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

import pandas as pd
import yaml

from crmlab.exercises import coding, quiz
from crmlab.rules.checks import CourseInputError

FILE_NAME = re.compile(r"exercises(\d{2})\.yml")
"""File name of a lesson's exercises: ``exercises02.yml`` is lesson 2."""

ID_PATTERN = re.compile(r"L(\d{2})-([EC])\d{2}")
"""Exercise ids: ``L02-E01`` is number exercise 1 of lesson 2, ``L03-C01`` code exercise 1."""

KINDS = {"number": "计算题", "code": "代码题"}
"""Exercise kinds → the widget's title (code exercises: :mod:`crmlab.exercises.coding`)."""

ID_LETTERS = {"number": "E", "code": "C"}

EXERCISE_KEYS: dict[str, str] = {
    "id": "题号", "kind": "题型", "prompt": "题干", "calculation": "计算依据", "answer": "答案",
    "unit": "单位", "tolerance": "允许误差", "relative": "按比例计算误差", "decimals": "保留小数位数",
    "hint": "提示", "explanation": "解析", "title": "标题", "facts": "题目数据",
    **coding.CODE_KEYS,
}
"""Keys an exercise may have, with their Chinese names (for error messages)."""


# --- the models ------------------------------------------------------------------------------


def _grading(c: Mapping) -> object:
    from crmlab.rules.grading import grade_customer

    return getattr(grade_customer(c["order_amount"], c.get("bonuses"), c.get("penalties")),
                   c["result"])


def _aging(c: Mapping) -> str:
    from crmlab.rules.credit import AGING_BUCKETS

    days = c["days"]
    return next(b.label for b in AGING_BUCKETS
                if (b.min_days is None or days >= b.min_days)
                and (b.max_days is None or days <= b.max_days))


def _nps(c: Mapping) -> float:
    from crmlab.rules.survey import nps

    return nps(pd.Series([score for score, n in c["answers"].items() for _ in range(n)])).nps


def _ratio(c: Mapping) -> float:
    from crmlab.rules.credit import RATIO_INPUTS, ratios

    defaults = {**dict.fromkeys(RATIO_INPUTS, 1.0), "inventory": 0.0, "total_liabilities": 0.0}
    return ratios(**{**defaults, **c["inputs"]})[c["result"]]


def _relationship(c: Mapping) -> str:
    from crmlab.rules.relationship import relationship_level

    return relationship_level(c["customers"], c["margin"]).label


def _business_value(c: Mapping) -> float:
    from crmlab.rules.value import business_value

    return business_value(c["revenue"], c["cost"])


def _composite_value(c: Mapping) -> float:
    from crmlab.rules.value import composite_value

    return composite_value(c["scores"], c.get("weights"))


def _clv(c: Mapping) -> float:
    from crmlab.rules.value import clv

    return clv(c["margin"], c["retention"], c["discount"])


def _complaint_step(c: Mapping) -> str:
    from crmlab.rules.complaints import STEPS

    return STEPS[c["order"] - 1].title


def _churn(c: Mapping) -> float:
    from crmlab.rules.loyalty import churn_rate

    return churn_rate(c["lost"], c["at_start"])


def _retention(c: Mapping) -> float:
    from crmlab.rules.loyalty import retention_rate

    return retention_rate(c["at_end"], c["new"], c["at_start"])


def _clv_change(c: Mapping) -> float:
    from crmlab.rules.value import clv

    return clv(c["margin"], c["retention_after"], c["discount"]) - clv(
        c["margin"], c["retention_before"], c["discount"])


def _assessment(c: Mapping) -> float:
    from crmlab.rules.assessment import score_form

    return score_form(c["self"], c["peer"], c["teacher"]).overall


def sample_row(c: Mapping) -> pd.Series:
    """One row of a sample table (``crmlab.data.load_sample``): the row with the largest
    ``sort_by`` value, or row number ``row`` (from 0). The credit files come with their ratios
    (``credit.ratio_table``), so a result may name a ratio."""
    from crmlab.data import load_sample
    from crmlab.rules.credit import ratio_table

    table = load_sample(c["table"])
    if c["table"] == "credit_files":
        table = ratio_table(table)
    if "sort_by" in c:
        return table.loc[table[c["sort_by"]].idxmax()]
    return table.iloc[int(c.get("row", 0))]


def _sample_value(c: Mapping) -> object:
    value = sample_row(c)[c["result"]]
    return value if isinstance(value, str) else float(value)


def _sample_item(c: Mapping) -> float:
    from crmlab.rules.grading import derive_items

    return float(derive_items(sample_row(c).to_frame().T.infer_objects())[c["result"]].iloc[0])


def _survey_share(c: Mapping) -> float:
    from crmlab.data import load_sample
    from crmlab.rules import survey

    valid = survey.clean_survey(load_sample("survey")).valid
    tally = survey.tally(valid, c["column"]).set_index("label")
    return float(tally.loc[list(c["labels"]), "percentage"].sum())


SAMPLE_KEYS = frozenset({"table", "row", "sort_by", "result"})

MODELS: dict[str, tuple[frozenset[str], Callable[[Mapping], object]]] = {
    "grading": (frozenset({"order_amount", "bonuses", "penalties", "result"}), _grading),
    "relationship": (frozenset({"customers", "margin"}), _relationship),
    "business_value": (frozenset({"revenue", "cost"}), _business_value),
    "composite_value": (frozenset({"scores", "weights"}), _composite_value),
    "clv": (frozenset({"margin", "retention", "discount"}), _clv),
    "ratio": (frozenset({"inputs", "result"}), _ratio),
    "nps": (frozenset({"answers"}), _nps),
    "aging": (frozenset({"days"}), _aging),
    "complaint_step": (frozenset({"order"}), _complaint_step),
    "clv_change": (frozenset({"margin", "retention_before", "retention_after", "discount"}),
                   _clv_change),
    "churn": (frozenset({"lost", "at_start"}), _churn),
    "retention": (frozenset({"at_end", "new", "at_start"}), _retention),
    "sample_value": (SAMPLE_KEYS, _sample_value),
    "sample_item": (SAMPLE_KEYS, _sample_item),
    "survey_share": (frozenset({"column", "labels"}), _survey_share),
    "assessment": (frozenset({"self", "peer", "teacher"}), _assessment),
}
"""Model name → (the input keys a calculation may give, the function computing the value)."""

COMMON_KEYS = frozenset({"model", "claim", "scale", "decimals"})
"""Keys any calculation may have besides its model's inputs (``claim`` for true/false quiz
questions, ``scale`` to multiply, ``decimals`` to round)."""


def calculate(calculation: Mapping) -> object:
    """The value a calculation names: the model's result, times ``scale``; text stays text.

    An unknown model or an input the model does not take raises :class:`CourseInputError`.
    """
    if not isinstance(calculation, Mapping) or calculation.get("model") not in MODELS:
        names = "、".join(MODELS)
        raise CourseInputError(f"「计算依据」应当写明模型（model），可选：{names}。", "计算依据")
    inputs, function = MODELS[calculation["model"]]
    extra = sorted(set(calculation) - inputs - COMMON_KEYS)
    if extra:
        raise CourseInputError(
            f"模型「{calculation['model']}」不接受这些输入：{'、'.join(extra)}。", "计算依据")
    value = function(calculation)
    return value if isinstance(value, str) else float(value) * calculation.get("scale", 1)


# --- the exercise files ----------------------------------------------------------------------


@dataclass(frozen=True)
class NumberExerciseData:
    """One number exercise, its answer already computed from the model."""

    id: str
    prompt: str
    answer: float
    hint: str
    explanation: str
    unit: str = ""
    tolerance: float = 0.01
    relative: bool = False
    title: str = KINDS["number"]


def _fail(source: str, where: str, text: str) -> None:
    raise CourseInputError(f"练习题库「{source}」{where}：{text}", "练习题库")


def parse_exercise(item: object, lesson: int,
                   source: str) -> NumberExerciseData | coding.CodeExerciseData:
    """Validate one exercise mapping and compute its answer (a code exercise: its expected
    value, by :func:`crmlab.exercises.coding.build`)."""
    if not isinstance(item, Mapping):
        _fail(source, "中有一项不是「键: 值」的映射", "请检查缩进")
    where = f"的 {item.get('id', '（没有题号）')}"
    unknown = sorted(set(item) - set(EXERCISE_KEYS))
    if unknown:
        _fail(source, where, f"未知的字段：{'、'.join(map(str, unknown))}")
    match = ID_PATTERN.fullmatch(str(item.get("id", "")))
    if not match or int(match.group(1)) != lesson:
        _fail(source, where, f"题号应当形如 L{lesson:02d}-E01（代码题 L{lesson:02d}-C01）")
    if item.get("kind") not in KINDS:
        _fail(source, where, f"题型应当是 {'、'.join(KINDS)} 之一")
    if match.group(2) != ID_LETTERS[item["kind"]]:
        _fail(source, where, f"{KINDS[item['kind']]}的题号用字母 {ID_LETTERS[item['kind']]}")
    if item["kind"] == "code":
        return coding.build(item, match.group(0), lambda text: _fail(source, where, text))
    for key in ("prompt", "hint", "explanation"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            _fail(source, where, f"缺少「{key}」（{EXERCISE_KEYS[key]}）")
    if ("calculation" in item) == ("answer" in item):
        _fail(source, where, "「calculation」（由模型算出答案）和「answer」要写且只写一个")
    if "calculation" in item:
        try:
            value = calculate(item["calculation"])
        except CourseInputError as error:
            _fail(source, where, str(error))
    else:
        value = item["answer"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(source, where, "计算题的答案必须是数字")
    if "decimals" in item:
        value = round(float(value), int(item["decimals"]))
    prompt = item["prompt"].strip()
    if "facts" in item:
        facts = item["facts"]
        if not isinstance(facts, Mapping) or not set(facts) <= SAMPLE_KEYS - {"result"}:
            _fail(source, where, "「facts」应当写明示例数据表（table）和行（row 或 sort_by）")
        try:
            prompt = prompt.format(**sample_row(facts).to_dict())
        except (KeyError, IndexError, ValueError) as error:
            _fail(source, where, f"题干中的占位符无法用示例数据填写：{error}")
    return NumberExerciseData(
        id=match.group(0), prompt=prompt, answer=float(value),
        hint=item["hint"].strip(), explanation=item["explanation"].strip(),
        unit=str(item.get("unit", "")), tolerance=float(item.get("tolerance", 0.01)),
        relative=bool(item.get("relative", False)),
        title=str(item.get("title", KINDS[item["kind"]])),
    )


def parse_file(data: object, source: str) -> list[NumberExerciseData | coding.CodeExerciseData]:
    """Validate an exercise file's content (already read from YAML)."""
    match = FILE_NAME.fullmatch(source)
    if not isinstance(data, Mapping) or not isinstance(data.get("exercises"), list):
        _fail(source, "", "应当有「lesson」和「exercises」两项，exercises 是练习的列表")
    lesson = data.get("lesson")
    if isinstance(lesson, bool) or not isinstance(lesson, int) or (match and int(match.group(1)) != lesson):
        _fail(source, "", "「lesson」应当是与文件名一致的课次数字")
    exercises = [parse_exercise(item, lesson, source) for item in data["exercises"]]
    ids = [e.id for e in exercises]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        _fail(source, "", f"题号重复：{'、'.join(twice)}")
    return exercises


def _files() -> dict[int, object]:
    return quiz.lesson_files(FILE_NAME)


def lessons() -> list[int]:
    """The lessons that have an exercise file, in order."""
    return list(_files())


@cache
def load_exercises(lesson: int) -> tuple[NumberExerciseData | coding.CodeExerciseData, ...]:
    """The exercises of a lesson, validated and with their answers computed (read once)."""
    files = _files()
    if lesson not in files:
        have = "、".join(map(str, files))
        raise CourseInputError(f"第 {lesson} 课没有练习题库。有练习题库的课次：{have}。", "课次")
    entry = files[lesson]
    try:
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CourseInputError(f"练习题库「{entry.name}」不是合法的 YAML：{error}", "练习题库") from error
    return tuple(parse_file(data, entry.name))


def exercise(exercise_id: str) -> NumberExerciseData | coding.CodeExerciseData:
    """One exercise by its id (``"L02-E01"``, ``"L03-C01"``); an unknown id gets a Chinese
    message."""
    match = ID_PATTERN.fullmatch(str(exercise_id))
    if not match:
        raise CourseInputError(f"练习题号「{exercise_id}」的格式应当形如 L02-E01。", "题号")
    found = {e.id: e for e in load_exercises(int(match.group(1)))}
    if exercise_id not in found:
        raise CourseInputError(
            f"练习题库中没有「{exercise_id}」。这一课的练习：{'、'.join(found)}。", "题号")
    return found[exercise_id]
