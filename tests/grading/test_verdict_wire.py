"""The wire between the grader and a student's kernel: plain data both ways, exactly (types,
nan, dtypes, indexes), anything else refused, and no reply the grader cannot afford to read."""

from __future__ import annotations

import ast
import json

import numpy as np
import pandas as pd
import pytest

from crmlab.course.integrity import source_uses_crmlab
from crmlab.grading.verdict.judge import _points, free_names
from crmlab.grading.verdict.tampering import tampering
from crmlab.grading.verdict.wire import MAX_DEPTH, Decoder, Encoder, Refused, WireError, serve


def _round_trip(value):
    text = json.dumps(Encoder().encode(value), allow_nan=False)
    decoder = Decoder()
    return decoder.decode(decoder.loads(text))


PLAIN = [0, -7, 10 ** 40, 1.5, -0.0, "中文", "", True, False, None, [1, [2, "x"]], (1, (2, 3)), (),
         {"A", "C"}, frozenset({1, 2}), {1: "a", (2, 3): [1, {4}], None: {"k": 1.0}}, b"\x00\xff",
         range(1, 9, 2), 3 + 4j]


@pytest.mark.parametrize("value", PLAIN, ids=repr)
def test_plain_values_come_back_equal_and_of_the_same_type(value):
    back = _round_trip(value)
    assert back == value and type(back) is type(value)


def test_dict_keys_keep_their_types_and_order():
    value = {3: "c", "3": "s", (1, 2): "t", 1.5: "f", True: "b"}
    back = _round_trip(value)
    assert list(back) == list(value) and [type(k) for k in back] == [type(k) for k in value]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats(value):
    back = _round_trip(value)
    assert type(back) is float and (back == value or (back != back and value != value))


def test_numpy_scalars_arrive_as_python_numbers():
    assert [type(_round_trip(v)) for v in (np.float64(2.5), np.int64(3), np.bool_(True), np.str_("a"))] == \
        [float, int, bool, str]
    array = np.arange(6, dtype="int32").reshape(2, 3)
    back = _round_trip(array)
    assert back.dtype == array.dtype and back.shape == (2, 3) and (back == array).all()


def _tables():
    credit = pd.DataFrame({"name": pd.array(["甲", None, "丙"], dtype="str"), "assets": [500, 90, 1000],
                           "ratio": [2.0, np.nan, 2.5]}, index=["x", "y", "z"])
    tally = pd.DataFrame({"count": [1, 2, 3], "percent": [20.0, 40.0, 40.0]},
                         index=pd.Index([4, 5, "未作答"], dtype=object))
    mixed = pd.DataFrame({"a": ["x", None], "b": [(1, 2), "y"], "when": pd.to_datetime(["2026-01-01", None]),
                          "level": pd.Categorical(["A", "B"], categories=["B", "A"], ordered=True),
                          "n": pd.array([1, None], dtype="Int64")})
    multi = pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"]))
    duplicated = pd.DataFrame([[1, 2.5], [3, 4.5]], columns=["x", "x"], index=[7, 7])
    return {"credit": credit, "reversed": credit.iloc[::-1], "tally": tally, "mixed": mixed, "multi": multi,
            "duplicated": duplicated, "int columns": pd.DataFrame({0: [1], 5: [2]}),
            "empty": pd.DataFrame(index=pd.RangeIndex(2, 8, 3)), "no rows": credit.iloc[:0]}


@pytest.mark.parametrize("name", sorted(_tables()))
def test_tables_keep_values_dtypes_index_and_column_names(name):
    table = _tables()[name]
    back = _round_trip(table)
    assert isinstance(back, pd.DataFrame) and back.equals(table)
    assert back.index.equals(table.index) and back.index.dtype == table.index.dtype
    assert type(back.index) is type(table.index) and list(back.index.names) == list(table.index.names)
    assert list(back.columns) == list(table.columns) and back.columns.dtype == table.columns.dtype
    assert list(back.dtypes) == list(table.dtypes)


def test_series_keep_name_index_and_dtype():
    series = pd.Series([1.0, np.nan], index=["甲", "乙"], name="流动比率")
    back = _round_trip(series)
    assert back.equals(series) and back.name == "流动比率" and back.index.equals(series.index)
    assert back.dtype == series.dtype and back.index.dtype == series.index.dtype


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class SneakyText(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


@pytest.mark.parametrize("value", [AlwaysEqual(), SneakyText("B"), [AlwaysEqual()], {"x": SneakyText("A")},
                                   lambda: 1, object()], ids=["object", "str subclass", "in a list",
                                                              "in a dict", "lambda", "plain object"])
def test_other_types_are_refused_and_equal_nothing(value):
    back = _round_trip(value)
    refused = back if isinstance(back, Refused) else (back[0] if isinstance(back, list) else back["x"])
    assert isinstance(refused, Refused)
    assert refused != "B" and refused != refused and refused != AlwaysEqual()  # noqa: PLR0124
    with pytest.raises(TypeError, match="普通数据"):
        bool(refused)


def test_a_depth_bomb_is_refused_not_a_crash():
    nested: list = []
    for _ in range(5000):
        nested = [nested]
    assert isinstance(_round_trip(nested), Refused)
    text = "[" * 100_000 + "]" * 100_000  # what a hostile kernel could send
    with pytest.raises(WireError):
        Decoder().decode(Decoder().loads(text))
    deep = json.dumps(json.loads("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)))
    with pytest.raises(WireError):
        Decoder().decode(Decoder().loads(deep))


@pytest.mark.parametrize("data", [
    {"$": "eval", "v": "__import__('os')"}, {"no": "tag"}, {"$": "float", "v": "1e999x"},
    {"$": "ndarray", "dtype": "object", "shape": [3], "values": [1]},
    {"$": "DataFrame", "index": {"$": "RangeIndex", "v": [0, 2, 1], "name": None},
     "columns": {"$": "Index", "array": {"dtype": "object", "values": ["a"]}, "name": None},
     "data": [{"dtype": "int64", "values": [1]}]},
    {"$": "Series", "index": {"$": "RangeIndex", "v": [0, 1, 1], "name": None},
     "array": {"dtype": "int64; import os", "values": [1]}, "name": None},
    {"$": "set", "v": [[1, 2]]},
    {"$": "range", "v": [0, 10 ** 15, 1]},
    {"$": "DataFrame", "index": {"$": "RangeIndex", "v": [0, 10 ** 15, 1], "name": None},
     "columns": {"$": "RangeIndex", "v": [0, 0, 1], "name": None}, "data": []},
])
def test_garbled_data_is_rejected(data):
    with pytest.raises(WireError):
        Decoder().decode(data)


def test_the_kernel_side_serves_a_fetch_and_a_call_with_write_back():
    def double(table):
        table["twice"] = table["x"] * 2
        print("被丢弃的输出")
        return table["twice"]

    def picky(x):
        raise KeyError("没有这个客户")

    user = {"q1": "B", "frame": pd.DataFrame({"x": [1, 2]}), "double": double, "picky": picky, "pd": pd}
    replies = []
    fetched = json.loads(serve(json.dumps({"id": "1", "op": "fetch", "names": ["q1", "double", "pd", "nope"]}),
                               user, replies.append))
    assert dict(fetched["values"]) == {"q1": "B", "double": {"$": "function", "name": "double"},
                                       "pd": {"$": "module", "name": "pandas"}, "nope": {"$": "missing"}}
    argument = Encoder().encode(pd.DataFrame({"x": [5]}))
    called = json.loads(serve(json.dumps({"id": "2", "op": "call", "name": "double", "args": [argument],
                                          "kwargs": []}), user, replies.append))
    assert Decoder().decode(called["value"]).tolist() == [10]
    assert list(Decoder().decode(called["mutated"][0][1]).columns) == ["x", "twice"]
    raised = json.loads(serve(json.dumps({"id": "3", "op": "call", "name": "picky", "args": [1], "kwargs": []}),
                              user, replies.append))
    assert raised["raised"] == {"type": "KeyError", "message": "'没有这个客户'"}
    assert len(replies) == 3


def test_free_names_include_comprehensions_and_lambdas_but_not_what_the_test_binds():
    tree = ast.parse("import numpy as np\n_r = [f(x) for x in data]\n_g = lambda y: y + k\n"
                     "assert np.isclose(_r[0], len(q1))")
    assert free_names(tree) == {"f", "data", "k", "q1"}


@pytest.mark.parametrize(("value", "points"), [(1.5, 1.5), (9, 3.0), (-1, 0.0), (float("nan"), 0.0),
                                               (np.float64(2.0), 2.0), (True, None), ("2", None)])
def test_numeric_results_are_points_within_the_cell(value, points):
    assert _points(value, 3) == points


@pytest.mark.parametrize(("source", "expected"), [
    ("import crmlab.rules as r\ndef f(x):\n    return r.grade(x)", True),
    ("def _h(x):\n    from crmlab import rules\n    return x\ndef f(x):\n    return _h(x)", True),
    ("import importlib\ndef f(x):\n    return importlib.import_module('crm' + 'lab.rules')", True),
    ("def f(x):\n    return __import__(f'crmlab')", True),
    ("globals()['f'] = __import__('crmlab').rules.grade", True),
    ("class Rules:\n    import crmlab\nhelper = Rules()\ndef f(x):\n    return helper", True),
    ("import numpy as np\ncrmlab_like = 'mine'\ndef f(x):\n    return np.sum(x), 'not crmlab'", False),
    ("%matplotlib inline\ndef f(x):\n    return x", False),
])
def test_the_static_check_of_a_submission_source(source, expected):
    assert source_uses_crmlab([source, "import crmlab  # a scratch cell nobody calls\n_ = 1"][: 1 + (not expected)],
                              "f") is expected


def test_hooks_and_namespaces_in_the_source_are_named():
    signs = tampering(["get_ipython().input_transformers_cleanup.append(lambda lines: [])",
                       "import builtins\nbuiltins.len = lambda x: 0", "print(In[-1])", "q1 = 'B'"])
    assert signs == ["IPython 输入转换器", "内置函数", "已运行单元格的内容（In）"]
    assert tampering(["%matplotlib inline\nimport pandas as pd\nq1 = 'B'"]) == []


def test_what_a_kernel_function_changed_is_written_back_to_the_tests_object():
    """A test keeps its own copy of an argument; when the student's function changed the
    kernel's copy, the test's object changes the same way (so "does not modify its input" holds)."""
    from crmlab.grading.verdict.link import _write_back

    table, changed = pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1, 2], "y": [3, 4]})
    before = table.copy()
    _write_back(table, _round_trip(changed))
    assert table.equals(changed) and not table.equals(before)
    items, marks = [1], {"a": 1}
    _write_back(items, [2, 3])
    _write_back(marks, {"b": 2})
    assert items == [2, 3] and marks == {"b": 2}


def test_a_parameter_named_like_a_tainted_global_is_not_the_global():
    """final_level(score) does not reach crmlab because some cell set a global ``score`` from a
    function that does (its parameter is a local)."""
    cells = ["import crmlab.rules.grading as _r\ndef base_level(a):\n    return _r.base_band(a)",
             "def composite_score(a):\n    return base_level(a)", "score = composite_score(50)",
             "def final_level(score):\n    return 'A' if score >= 80 else 'B'"]
    assert [source_uses_crmlab(cells, f) for f in ("base_level", "composite_score", "final_level")] == \
        [True, True, False]
