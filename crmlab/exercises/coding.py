"""Code exercises (代码题): the student writes a variable or a function, the course checks it.

The Kaggle learntools model (``q1.check()``, ``q1.hint()``, ``q1.solution()``), declared as data
in the lesson's exercise file next to the number exercises (:mod:`crmlab.exercises.numeric`)::

    - id: L03-C02                 # L<lesson>-C<number>
      kind: code
      name: big_makers            # the variable (or function) the student defines
      prompt: 挑出……存进 big_makers。
      tables: [customers]         # sample tables the solution (and the cases) may use
      solution: |                 # the reference code: run on the sample data to get the
        big_makers = customers[...]   # expected value, shown only by .solution()
      cases: ["customers.head(3)"]    # only for a function: the calls that test it
      hints: [第一层提示, 第二层提示]   # tiered: .hint(), .hint(2)
      explanation: 答对之后显示。
      tolerance: 0.01             # optional, for numbers
      ordered: true               # optional: a table's rows must come in the expected order

No answer is typed in the file or in the lesson: the expected value is what the reference code
gives on the course's sample data. :func:`check` compares the student's namespace with it and
returns a :class:`crmlab.rules.checking.Result` with one of three outcomes and a Chinese
sentence: 未作答 (the name is undefined, still ``None``, or the function still raises
``NotImplementedError``), 错误 (what is wrong and for which input: the type, the columns, a
few rows, one differing value; never the whole answer), 正确. An exception in the student's
code becomes a sentence naming the call.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from crmlab.rules.checking import Outcome, Result, within_tolerance

CODE_KEYS: dict[str, str] = {
    "name": "要定义的名字", "tables": "示例数据表", "solution": "参考代码", "cases": "测试调用",
    "hints": "分层提示", "ordered": "按顺序核对",
}
"""Keys only a code exercise has, with their Chinese names (for error messages)."""

SHOWN = 3
"""At most this many missing or extra rows or columns are named in a message."""


@dataclass(frozen=True)
class CodeExerciseData:
    """One code exercise, with its expected value (or per-call results) already computed."""

    id: str
    prompt: str
    name: str
    solution: str
    hints: tuple[str, ...]
    explanation: str
    tables: tuple[str, ...] = ()
    expected: object = None
    cases: tuple[tuple[str, object, object], ...] = ()
    """For a function: (call text, argument, expected result or the exception class)."""
    tolerance: float = 0.01
    title: str = "代码题"
    ordered: bool = False
    """Rows (of a table or a series) must come in the reference's order, not only hold its values."""

    @property
    def is_function(self) -> bool:
        return bool(self.cases)


def sample_namespace(tables: tuple[str, ...]) -> dict[str, object]:
    """What reference code and test calls see: pandas as ``pd`` and the named sample tables."""
    from crmlab.data import load_sample

    return {"pd": pd, **{table: load_sample(table) for table in tables}}


class _Raised:
    """The expected result of a call that must raise ``kind`` (e.g. ``ValueError``)."""

    def __init__(self, kind: type[BaseException]):
        self.kind = kind


def build(item: Mapping, exercise_id: str, fail: Callable[[str], None]) -> CodeExerciseData:
    """Validate a ``kind: code`` mapping and run its reference code on the sample data."""
    name = item.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        fail("「name」应当是学生要定义的变量名或函数名")
    hints = item.get("hints")
    if not isinstance(hints, list) or not hints or not all(isinstance(h, str) and h.strip()
                                                           for h in hints):
        fail("「hints」应当是一条或几条提示的列表（由浅入深）")
    for key in ("prompt", "explanation", "solution"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            fail(f"缺少「{key}」")
    tables = item.get("tables", [])
    if not isinstance(tables, list):
        fail("「tables」应当是示例数据表名的列表")
    if not isinstance(item.get("ordered", False), bool):
        fail("「ordered」应当是 true 或 false")
    namespace = sample_namespace(tuple(tables))
    try:
        exec(compile(item["solution"], f"<{exercise_id}>", "exec"), namespace)  # course data
    except Exception as error:  # noqa: BLE001 - reported as the file's mistake
        fail(f"参考代码运行出错：{type(error).__name__}：{error}")
    if name not in namespace:
        fail(f"参考代码没有定义「{name}」")
    expected, cases = namespace[name], []
    calls = item.get("cases", [])
    if callable(expected) != bool(calls):
        fail("函数题要写「cases」（测试调用），变量题不写")
    for text in calls:
        argument = eval(str(text), sample_namespace(tuple(tables)))  # noqa: S307 - course data
        try:
            result = expected(copy.deepcopy(argument))
        except Exception as error:  # noqa: BLE001 - the reference may raise on purpose
            result = _Raised(type(error))
        cases.append((f"{name}({text})", argument, result))
    return CodeExerciseData(
        id=exercise_id, prompt=item["prompt"].strip(), name=name,
        solution=item["solution"].strip(), hints=tuple(h.strip() for h in hints),
        explanation=item["explanation"].strip(), tables=tuple(tables),
        expected=None if cases else expected, cases=tuple(cases),
        tolerance=float(item.get("tolerance", 0.01)), title=str(item.get("title", "代码题")),
        ordered=item.get("ordered", False),
    )


# --- comparing ---------------------------------------------------------------------------------

TYPE_NAMES: list[tuple[type, str]] = [
    (pd.DataFrame, "一张数据表（DataFrame）"), (pd.Series, "一个序列（Series）"),
    (bool, "一个真假值"), (int, "一个整数"), (float, "一个数"), (str, "一段文字"),
    (list, "一个列表"), (tuple, "一组值（tuple）"), (dict, "一个字典"), (type(None), "空值 None"),
]


def type_name(value: object) -> str:
    """A value's kind in Chinese, as a student would say it."""
    if callable(value) and not isinstance(value, type):
        return "一个函数"
    return next((text for kind, text in TYPE_NAMES if isinstance(value, kind)),
                f"{type(value).__name__} 类型的值")


def _short(value: object) -> str:
    if isinstance(value, float):
        return "空值 NaN" if math.isnan(value) else f"{value:.6g}"
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                         and pd.isna(value)):
        return "空值 NaN"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:40] + "……"


def _same(given: object, expected: object, tolerance: float) -> bool:
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in (given, expected)]
    if any(missing):
        return all(missing)
    if isinstance(expected, bool) or isinstance(given, bool):
        return given == expected
    if isinstance(expected, int | float) and isinstance(given, int | float):
        return within_tolerance(given, expected, tolerance)
    return given == expected


def _plain(value: object) -> object:
    """A pandas/numpy scalar as a Python one (``pd.NA`` and ``NaT`` as ``None``)."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is not None and not isinstance(value, str | float) and pd.api.types.is_scalar(
            value) and pd.isna(value):
        return None
    return value


def _labels(labels: list, frame: pd.DataFrame | None = None) -> str:
    def one(label: object) -> str:
        if frame is not None and "name" in frame.columns and label in frame.index:
            return f"{label}（{frame.at[label, 'name']}）"
        return str(label)

    shown = "、".join(one(label) for label in labels[:SHOWN])
    return shown + (f" 等 {len(labels)} 个" if len(labels) > SHOWN else "")


def _index_difference(what: str, given: pd.Index, expected: pd.Index,
                      given_frame: pd.DataFrame | None, expected_frame: pd.DataFrame | None,
                      kind: str) -> str | None:
    missing = [label for label in expected if label not in set(given)]
    extra = [label for label in given if label not in set(expected)]
    if missing:
        return f"{what}少了这些{kind}：{_labels(missing, expected_frame)}。"
    if extra:
        return f"{what}多了这些{kind}：{_labels(extra, given_frame)}。"
    if given.has_duplicates:
        return f"{what}有重复的{kind}：{_labels(list(given[given.duplicated()].unique()))}。"
    return None


def _frame_difference(what: str, given: pd.DataFrame, expected: pd.DataFrame,
                      tolerance: float) -> str | None:
    names = [n for n in expected.index.names if n is not None]
    if names and all(n in given.columns for n in names) and not set(names) <= set(
            given.index.names):
        given = given.set_index(names)  # a grouped table written with as_index=False
    columns = _index_difference(what, pd.Index(given.columns), expected.columns, None, None, "列")
    if columns:
        return columns
    rows = _index_difference(what, given.index, expected.index, given, expected, "行（行索引）")
    if rows and isinstance(given.index, pd.RangeIndex) and len(given) == len(expected):
        return rows + "选出的行要保留原来的行索引，不要重新编号。"
    if rows:
        return rows
    for column in expected.columns:
        for label in expected.index:
            mine, right = _plain(given.at[label, column]), _plain(expected.at[label, column])
            if not _same(mine, right, tolerance):
                row = _labels([label], expected)
                return (f"{what}中行索引为 {row}的那一行，「{column}」是 {_short(mine)}，"
                        f"应当是 {_short(right)}。")
    return None


def difference(what: str, given: object, expected: object, tolerance: float,
               reveal: bool = False) -> str | None:
    """What is wrong with ``given`` (named ``what`` in the sentence), or ``None`` if right.

    A wrong single value names the right one only when ``reveal`` (one call of a function: a
    small difference; a variable's value would be the whole answer)."""
    if isinstance(expected, pd.DataFrame | pd.Series):
        kind = type(expected)
        if not isinstance(given, kind):
            return f"{what}应当是{type_name(expected)}，现在是{type_name(given)}。"
        if isinstance(expected, pd.Series):
            given, expected = given.to_frame("值"), expected.to_frame("值")
        return _frame_difference(what, given, expected, tolerance)
    given, expected = _plain(given), _plain(expected)
    numbers = (int, float)
    if isinstance(expected, numbers) and not isinstance(expected, bool):
        if isinstance(given, bool) or not isinstance(given, numbers):
            return f"{what}应当是一个数，现在是{type_name(given)}。"
    elif expected is not None and type(given) is not type(expected):
        return f"{what}应当是{type_name(expected)}，现在是{type_name(given)}。"
    if not _same(given, expected, tolerance):
        right = f"应当是 {_short(expected)}" if reveal else "不对"
        return f"{what}是 {_short(given)}，{right}。"
    return None


def order_difference(what: str, given: object, expected: object) -> str | None:
    """For rows that must come in order: the first row out of place, or ``None``. Called once
    :func:`difference` found the same rows and values, so only the order can differ."""
    if not isinstance(expected, pd.DataFrame | pd.Series):
        return None
    for position, (mine, right) in enumerate(zip(given.index, expected.index), start=1):
        if mine != right:
            return (f"{what}的每一行都对了，顺序却不对：第 {position} 行是 {_labels([mine])}。"
                    "请按题目要求的顺序排列。")
    return None


# --- checking -----------------------------------------------------------------------------------


def _error_text(error: BaseException) -> str:
    detail = str(error).strip()
    return f"{type(error).__name__}：{detail}" if detail else type(error).__name__


def _result(outcome: Outcome, message: str, explanation: str | None = None) -> Result:
    return Result(outcome=outcome, message=message, explanation=explanation)


def _check_function(data: CodeExerciseData, function: object) -> Result:
    if not callable(function):
        return _result(Outcome.INCORRECT, f"「{data.name}」应当是一个函数（用 def 定义），"
                                          f"现在是{type_name(function)}。")
    returned_none = 0
    for call, argument, expected in data.cases:
        given_argument = copy.deepcopy(argument)
        try:
            result = function(given_argument)
        except NotImplementedError:
            return _result(Outcome.UNANSWERED, f"函数「{data.name}」里还是 raise NotImplementedError()："
                                               "删去这一行，写上你的代码，运行后再核对。")
        except Exception as error:  # noqa: BLE001 - the student's code: becomes a sentence
            if isinstance(expected, _Raised) and isinstance(error, expected.kind):
                continue
            return _result(Outcome.INCORRECT, f"用 {call} 调用你的函数时出错：{_error_text(error)}。")
        if isinstance(expected, _Raised):
            return _result(Outcome.INCORRECT, f"{call} 应当用 raise {expected.kind.__name__}(……) "
                                              f"拒绝这个输入，你的函数却返回了 {_short(result)}。")
        if isinstance(argument, pd.DataFrame | pd.Series) and not given_argument.equals(argument):
            return _result(Outcome.INCORRECT, f"{call} 修改了传进来的表。请先用 copy() 复制一份，"
                                              "在副本上改。")
        returned_none += result is None
        wrong = difference(f"{call} 返回的结果", result, expected, data.tolerance, reveal=True)
        if not wrong and data.ordered:
            wrong = order_difference(f"{call} 返回的结果", result, expected)
        if wrong:
            if result is None:
                wrong += "函数没有返回结果，是不是忘了写 return？"
            return _result(Outcome.INCORRECT, wrong)
    return _result(Outcome.CORRECT, f"正确！{data.explanation}", data.explanation)


def check(data: CodeExerciseData, namespace: Mapping[str, object]) -> Result:
    """Check the name the exercise asks for in ``namespace`` (the notebook's ``globals()``)."""
    value = namespace.get(data.name)
    if value is None:
        return _result(Outcome.UNANSWERED, f"还没有定义「{data.name}」：在上面的单元格里写好代码，"
                                           "运行它，再来核对。")
    try:
        if data.is_function:
            return _check_function(data, value)
        wrong = difference(f"「{data.name}」", value, data.expected, data.tolerance)
        if not wrong and data.ordered:
            wrong = order_difference(f"「{data.name}」", value, data.expected)
    except Exception as error:  # noqa: BLE001 - never a traceback for the student
        return _result(Outcome.INCORRECT, f"核对「{data.name}」时出错：{_error_text(error)}。")
    if wrong:
        return _result(Outcome.INCORRECT, wrong)
    return _result(Outcome.CORRECT, f"正确！{data.explanation}", data.explanation)


def hint(data: CodeExerciseData, level: int = 1) -> str:
    """Hint number ``level`` (from 1); past the last one, the last with a pointer to the answer."""
    level = max(1, int(level))
    if level <= len(data.hints):
        return f"提示 {level}/{len(data.hints)}：{data.hints[level - 1]}"
    return f"提示 {len(data.hints)}/{len(data.hints)}：{data.hints[-1]}（没有更多提示了，可以查看参考答案。）"
