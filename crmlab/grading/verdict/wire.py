"""Plain data across the wall between the grader and a student's kernel, both ways.

Self-contained on purpose: the grader imports this module, and sends its source text with every
request to the kernel, which runs :func:`serve` (the kernel needs nothing of crmlab). Values travel
as JSON: ``None``, booleans, integers, finite floats, strings and lists as themselves; everything
else as an object tagged ``"$"`` (tuples, sets, dicts with keys of any plain type, non-finite
floats, dates, numpy arrays, pandas tables, series and indexes with their dtypes and names).
Anything else is *refused*: it arrives as a :class:`Refused` value, which equals nothing, so an
object whose ``__eq__`` always says True earns nothing. A function of the kernel's namespace
travels as a reference by name; modules and classes as their dotted name (the grader maps an
allowed one to its own import).

The decoder is what guards the grader: it accepts only the shapes above, within
:data:`MAX_DEPTH` levels of nesting, :data:`MAX_ITEMS` values and :data:`MAX_TEXT` characters.
"""

from __future__ import annotations

import builtins
import datetime
import io
import json
import math
import re
import sys

MIME = "application/vnd.crmlab.verdict+json"
"""The display-data type of a reply (never shown: the grader reads it off the kernel's channel)."""
MAX_DEPTH = 32
MAX_ITEMS = 1_000_000
MAX_TEXT = 32 * 1024 * 1024
MAX_MESSAGE = 2000

NUMPY_DTYPE = re.compile(r"(bool|u?int(8|16|32|64)|float(16|32|64)|complex(64|128)|object"
                         r"|(datetime|timedelta)64\[(s|ms|us|ns)\]|<U\d{1,6})")
EXTENSION_DTYPE = re.compile(r"str|string|string\[(python|pyarrow)\]|U?Int(8|16|32|64)|Float(32|64)|boolean")
EXCEPTIONS = ("ValueError", "KeyError", "TypeError", "IndexError", "ZeroDivisionError", "AttributeError",
              "AssertionError", "NameError", "UnboundLocalError", "RuntimeError", "ArithmeticError",
              "LookupError", "OverflowError", "NotImplementedError", "RecursionError", "FloatingPointError")
"""Built-in exception classes a kernel function may raise in the grader; any other is a failure."""


class WireError(ValueError):
    """Data that is not what this format allows (too deep, too big, or of a shape it does not know)."""


class Refused:
    """A value of a type the grader does not accept: it equals nothing and cannot be used."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str):
        self.type_name = str(type_name)[:80]

    def __repr__(self):
        return f"<无法评分的值：{self.type_name} 类型>"

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return True

    def __hash__(self):
        return id(self)

    def _refuse(self, *args, **kwargs):
        raise TypeError(f"这个值是 {self.type_name} 类型，评分只接受数字、字符串、布尔值、None、列表、元组、"
                        "集合、字典和 pandas 表格等普通数据")

    __bool__ = __len__ = __iter__ = __getitem__ = __contains__ = __call__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __add__ = __radd__ = __sub__ = __rsub__ = _refuse
    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __float__ = __int__ = __index__ = _refuse

    def __getattr__(self, name):
        self._refuse()


class _TooMuch(Exception):
    pass


def _modules():
    return sys.modules.get("numpy"), sys.modules.get("pandas")


# --- encoding ----------------------------------------------------------------------------------


class Encoder:
    """Python values to JSON-ready data. ``reference(value)`` may return a tagged reference for a
    value that is not data (a function, module or class); None refuses it."""

    def __init__(self, reference=None, max_items: int = MAX_ITEMS):
        self.reference = reference
        self.items = 0
        self.max_items = max_items

    def encode(self, value, depth: int = 0):
        try:
            return self._value(value, depth)
        except (_TooMuch, RecursionError):
            return {"$": "refused", "type": "（过大或嵌套过深的数据）"}

    def _count(self, n: int = 1) -> None:
        self.items += n
        if self.items > self.max_items:
            raise _TooMuch

    def _value(self, value, depth):  # noqa: C901 - one branch per accepted type
        self._count()
        if depth > MAX_DEPTH:
            raise _TooMuch
        kind = type(value)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            return value if abs(value) < 10 ** 300 else {"$": "refused", "type": "int"}
        if kind is float:
            return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
        if kind is list:
            return [self._value(item, depth + 1) for item in value]
        if kind in (tuple, set, frozenset):
            return {"$": kind.__name__, "v": [self._value(item, depth + 1) for item in value]}
        if kind is dict:
            return {"$": "dict", "v": [[self._value(k, depth + 1), self._value(v, depth + 1)]
                                       for k, v in value.items()]}
        if kind is complex:
            return {"$": "complex", "v": [self._value(value.real, depth), self._value(value.imag, depth)]}
        if kind is bytes:
            return {"$": "bytes", "v": value.hex()}
        if kind is range:
            return {"$": "range", "v": [value.start, value.stop, value.step]}
        if kind in (datetime.datetime, datetime.date, datetime.time) and getattr(value, "tzinfo", None) is None:
            return {"$": kind.__name__, "v": value.isoformat()}
        if kind is datetime.timedelta:
            return {"$": "timedelta", "v": [value.days, value.seconds, value.microseconds]}
        np, pd = _modules()
        if (np is not None and isinstance(value, (np.bool_, np.integer, np.floating, np.str_))
                and kind.__module__ == "numpy"):
            return self._value(value.item(), depth)
        if np is not None and kind is np.ndarray:
            return self._ndarray(value, depth)
        if pd is not None:
            found = self._pandas(pd, value, kind, depth)
            if found is not None:
                return found
        reference = self.reference(value) if self.reference else None
        if reference is not None:
            return reference
        return {"$": "refused", "type": _type_name(kind)}

    def _pandas(self, pd, value, kind, depth):
        if value is pd.NaT:
            return {"$": "NaT"}
        if value is pd.NA:
            return {"$": "NA"}
        if kind is pd.Timestamp and value.tzinfo is None:
            return {"$": "Timestamp", "v": value.isoformat(), "unit": value.unit}
        if kind is pd.Timedelta:
            return {"$": "Timedelta", "v": int(value.as_unit("ns").value), "unit": value.unit}
        if kind is pd.DataFrame:
            try:
                return {"$": "DataFrame", "index": self._index(pd, value.index, depth + 1),
                        "columns": self._index(pd, value.columns, depth + 1),
                        "data": [self._array(pd, value.iloc[:, i], depth + 1) for i in range(value.shape[1])]}
            except WireError as error:
                return {"$": "refused", "type": f"DataFrame（{error}）"}
        if kind is pd.Series:
            try:
                return {"$": "Series", "index": self._index(pd, value.index, depth + 1),
                        "array": self._array(pd, value, depth + 1), "name": self._value(value.name, depth + 1)}
            except WireError as error:
                return {"$": "refused", "type": f"Series（{error}）"}
        if isinstance(value, pd.Index) and _of_pandas(kind):
            try:
                return self._index(pd, value, depth)
            except WireError as error:
                return {"$": "refused", "type": f"Index（{error}）"}
        return None

    def _index(self, pd, index, depth):
        kind = type(index)
        if kind is pd.RangeIndex:
            return {"$": "RangeIndex", "v": [index.start, index.stop, index.step],
                    "name": self._value(index.name, depth + 1)}
        if kind is pd.MultiIndex:
            return {"$": "MultiIndex", "levels": [self._index(pd, level, depth + 1) for level in index.levels],
                    "codes": [[int(c) for c in codes] for codes in index.codes],
                    "names": [self._value(name, depth + 1) for name in index.names]}
        if not _of_pandas(kind):
            raise WireError(_type_name(kind))
        return {"$": "Index", "array": self._array(pd, index, depth + 1), "name": self._value(index.name, depth + 1)}

    def _array(self, pd, values, depth):
        """The values of a Series or Index with their dtype."""
        dtype = values.dtype
        name = str(dtype)
        self._count(len(values))
        if name == "category":
            array = values.array
            return {"dtype": name, "categories": self._index(pd, array.categories, depth + 1),
                    "codes": [int(c) for c in array.codes], "ordered": bool(array.ordered)}
        if EXTENSION_DTYPE.fullmatch(name):
            return {"dtype": name, "values": [self._value(v, depth + 1) for v in values.astype(object).tolist()]}
        np = sys.modules["numpy"]
        if not NUMPY_DTYPE.fullmatch(name) or not isinstance(dtype, np.dtype):
            raise WireError(f"不支持的列类型 {name}")
        return {"dtype": name, **self._numpy_values(values.to_numpy(), depth)}

    def _numpy_values(self, array, depth):
        kind = array.dtype.kind
        if kind in "Mm":
            return {"ints": array.view("int64").tolist()}
        return {"values": [self._value(v, depth + 1) for v in array.tolist()]}

    def _ndarray(self, array, depth):
        name = str(array.dtype)
        if not NUMPY_DTYPE.fullmatch(name):
            return {"$": "refused", "type": f"ndarray（{name}）"}
        self._count(array.size)
        return {"$": "ndarray", "dtype": name, "shape": list(array.shape),
                **self._numpy_values(array.reshape(-1), depth)}


def _of_pandas(kind) -> bool:
    module = str(getattr(kind, "__module__", ""))
    return module == "pandas" or module.startswith("pandas.")


def _type_name(kind) -> str:
    try:
        return str(kind.__name__)[:80]
    except Exception:  # noqa: BLE001 - a hostile metaclass
        return "?"


# --- decoding ----------------------------------------------------------------------------------


class Decoder:
    """JSON data back to Python values. ``resolve(tag)`` turns a function, module or class reference
    into a value (None refuses it)."""

    def __init__(self, resolve=None, max_items: int = MAX_ITEMS):
        self.resolve = resolve
        self.items = 0
        self.max_items = max_items

    def loads(self, text):
        """Parse a reply's JSON text (bounded) and decode it."""
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise WireError("reply too large")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise WireError("not JSON") from error
        return data

    def decode(self, data, depth: int = 0):  # noqa: C901 - one branch per tag
        self.items += 1
        if depth > MAX_DEPTH or self.items > self.max_items:
            raise WireError("too deep or too big")
        if data is None or type(data) in (bool, int, float, str):
            return data
        if type(data) is list:
            return [self.decode(item, depth + 1) for item in data]
        if type(data) is not dict or not isinstance(data.get("$"), str):
            raise WireError("unknown shape")
        tag = data["$"]
        try:
            if tag in ("tuple", "set", "frozenset"):
                return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](self._list(data["v"], depth))
            if tag == "dict":
                return {self.decode(k, depth + 1): self.decode(v, depth + 1) for k, v in self._pairs(data["v"])}
            if tag == "float":
                if data["v"] not in ("nan", "inf", "-inf"):
                    raise WireError("float")
                return float(data["v"])
            if tag == "complex":
                real, imag = self._list(data["v"], depth)
                return complex(_number(real), _number(imag))
            if tag == "bytes":
                return bytes.fromhex(_text(data["v"]))
            if tag == "range":
                return _bounded(range(*[_integer(v) for v in data["v"]]))
            if tag in ("datetime", "date", "time"):
                return getattr(datetime, tag).fromisoformat(_text(data["v"]))
            if tag == "timedelta":
                return datetime.timedelta(*[_integer(v) for v in data["v"]])
            if tag == "refused":
                return Refused(_text(data.get("type", "?")))
            if tag in ("function", "module", "class"):
                found = self.resolve(data) if self.resolve else None
                return Refused(tag) if found is None else found
            if tag == "ndarray":
                return self._ndarray(data, depth)
            return self._pandas(tag, data, depth)
        except WireError:
            raise
        except (KeyError, TypeError, ValueError, OverflowError, IndexError) as error:
            raise WireError(f"bad {tag}") from error

    def _list(self, data, depth):
        if type(data) is not list:
            raise WireError("list expected")
        return [self.decode(item, depth + 1) for item in data]

    def _pairs(self, data):
        if type(data) is not list or not all(type(p) is list and len(p) == 2 for p in data):
            raise WireError("pairs expected")
        return data

    def _pandas(self, tag, data, depth):
        import pandas as pd

        if tag == "NaT":
            return pd.NaT
        if tag == "NA":
            return pd.NA
        if tag == "Timestamp":
            return pd.Timestamp(_text(data["v"])).as_unit(_unit(data["unit"]))
        if tag == "Timedelta":
            return pd.Timedelta(_integer(data["v"]), unit="ns").as_unit(_unit(data["unit"]))
        if tag == "Series":
            index = self._index(data["index"], depth + 1)
            array = self._array(data["array"], depth + 1, len(index))
            return pd.Series(array, index=index, name=self._name(data["name"], depth), copy=False,
                             dtype=array.dtype)
        if tag == "DataFrame":
            index = self._index(data["index"], depth + 1)
            columns = self._index(data["columns"], depth + 1)
            if type(data["data"]) is not list or len(data["data"]) != len(columns):
                raise WireError("columns")
            arrays = [self._array(a, depth + 1, len(index)) for a in data["data"]]
            if arrays:
                frame = pd.concat([pd.Series(a, dtype=a.dtype, copy=False) for a in arrays], axis=1,
                                  ignore_index=True)
                frame.index = index
            else:
                frame = pd.DataFrame(index=index)
            frame.columns = columns
            return frame
        if tag in ("Index", "RangeIndex", "MultiIndex"):
            return self._index(data, depth)
        raise WireError(f"unknown tag {tag}")

    def _name(self, data, depth):
        name = self.decode(data, depth + 1)
        try:
            hash(name)
        except TypeError:
            raise WireError("name") from None
        return name

    def _index(self, data, depth):
        import pandas as pd

        if type(data) is not dict:
            raise WireError("index")
        self.items += 1
        if depth > MAX_DEPTH:
            raise WireError("too deep")
        tag = data.get("$")
        if tag == "RangeIndex":
            start, stop, step = (_integer(v) for v in data["v"])
            _bounded(range(start, stop, step))
            return pd.RangeIndex(start, stop, step, name=self._name(data["name"], depth))
        if tag == "MultiIndex":
            levels = [self._index(level, depth + 1) for level in data["levels"]]
            codes = [[_integer(c) for c in codes] for codes in data["codes"]]
            names = [self._name(n, depth) for n in data["names"]]
            return pd.MultiIndex(levels=levels, codes=codes, names=names, verify_integrity=True)
        if tag == "Index":
            array = self._array(data["array"], depth + 1, None)
            return pd.Index(array, name=self._name(data["name"], depth), dtype=array.dtype, copy=False)
        raise WireError("index")

    def _array(self, data, depth, length):
        import numpy as np
        import pandas as pd

        name = _text(data["dtype"])
        if name == "category":
            categories = self._index(data["categories"], depth + 1)
            codes = [_integer(c) for c in data["codes"]]
            array = pd.Categorical.from_codes(codes, categories=categories, ordered=bool(data["ordered"]))
        elif EXTENSION_DTYPE.fullmatch(name):
            array = pd.array(self._list(data["values"], depth), dtype=name)
        elif NUMPY_DTYPE.fullmatch(name):
            array = self._numpy(np, name, data, depth)
        else:
            raise WireError(f"dtype {name}")
        if length is not None and len(array) != length:
            raise WireError("length")
        return array

    def _numpy(self, np, name, data, depth):
        dtype = np.dtype(name)
        if dtype.kind in "Mm":
            ints = [_integer(v) for v in data["ints"]]
            self.items += len(ints)
            return np.array(ints, dtype="int64").view(dtype)
        values = self._list(data["values"], depth)
        if dtype.kind == "O":
            array = np.empty(len(values), dtype=object)
            for i, value in enumerate(values):
                array[i] = value
            return array
        if not all(type(v) in (bool, int, float, complex, str) for v in values):
            raise WireError("numeric values")
        return np.array(values, dtype=dtype)

    def _ndarray(self, data, depth):
        import numpy as np

        name = _text(data["dtype"])
        if not NUMPY_DTYPE.fullmatch(name):
            raise WireError("dtype")
        shape = [_integer(n) for n in data["shape"]]
        if len(shape) > 8 or any(n < 0 for n in shape):
            raise WireError("shape")
        flat = self._numpy(np, name, data, depth)
        if math.prod(shape) != len(flat):
            raise WireError("shape")
        return flat.reshape(shape)


def _bounded(span: range) -> range:
    """A range no longer than the data a reply may hold (a test could list it)."""
    if len(span) > MAX_ITEMS:
        raise WireError("range too long")
    return span


def _text(value) -> str:
    if type(value) is not str or len(value) > 100_000:
        raise WireError("text")
    return value


def _integer(value) -> int:
    if type(value) is not int:
        raise WireError("integer")
    return value


def _number(value):
    if type(value) not in (int, float):
        raise WireError("number")
    return value


def _unit(value) -> str:
    if value not in ("s", "ms", "us", "ns"):
        raise WireError("unit")
    return value


# --- the kernel's side -------------------------------------------------------------------------


class _Sink(io.TextIOBase):
    """Where a student's prints go during a request: nowhere (they never reach a notebook)."""

    def write(self, text):
        return len(text)


def _kernel_reference(value):
    import types

    if isinstance(value, types.ModuleType):
        return {"$": "module", "name": str(getattr(value, "__name__", ""))[:200]}
    if isinstance(value, type):
        return {"$": "class", "module": str(value.__module__)[:200], "name": str(value.__qualname__)[:200]}
    return None


def _builtin_exception(error: BaseException) -> str:
    for klass in type(error).__mro__:
        if getattr(builtins, klass.__name__, None) is klass:
            return klass.__name__
    return "Exception"


def _message(error: BaseException) -> str:
    try:
        return str(error)[:MAX_MESSAGE]
    except Exception:  # noqa: BLE001 - a hostile __str__
        return ""


def _snapshot(value) -> str | None:
    """JSON text of an argument a function could change in place (None for the others)."""
    np, pd = _modules()
    mutable = (list, dict, set) + ((pd.DataFrame, pd.Series) if pd else ()) + ((np.ndarray,) if np else ())
    if type(value) not in mutable:
        return None
    return json.dumps(Encoder(_kernel_reference).encode(value), sort_keys=True)


def _fetch(user: dict, name: str):
    if name not in user:
        return {"$": "missing"}
    value = user[name]
    if callable(value) and not isinstance(value, type):
        return {"$": "function", "name": name}
    return Encoder(_kernel_reference).encode(value)


def _call(user: dict, request: dict) -> dict:
    function = user.get(request["name"])
    if not callable(function):
        return {"raised": {"type": "NameError", "message": request["name"]}}
    decoder = Decoder(lambda ref: user.get(ref["name"]) if ref["$"] == "function" else None)
    args = [decoder.decode(arg) for arg in request["args"]]
    kwargs = {str(k): decoder.decode(v) for k, v in decoder._pairs(request["kwargs"])}
    keys = [*range(len(args)), *kwargs]
    values = [*args, *kwargs.values()]
    before = [_snapshot(value) for value in values]
    sink = _Sink()
    old = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = sink
    try:
        result = function(*args, **kwargs)
        raised = None
    except BaseException as error:  # noqa: BLE001 - whatever the student's code raises
        raised = {"type": _builtin_exception(error), "message": _message(error)}
    finally:
        sys.stdout, sys.stderr = old
    reply = {"raised": raised} if raised else {"value": Encoder(_kernel_reference).encode(result)}
    changed = [[str(key), Encoder(_kernel_reference).encode(value)]
               for key, value, snapshot in zip(keys, values, before, strict=True)
               if snapshot is not None and _snapshot(value) != snapshot]
    if changed:
        reply["mutated"] = changed
    return reply


def serve(request_text: str, user: dict, publish=None) -> str:
    """Answer one request of the grader in the kernel (``user``: the kernel's namespace) and
    publish the reply as display data of type :data:`MIME`; returns the reply's text."""
    reply: dict = {}
    try:
        request = json.loads(request_text)
        reply["id"] = request["id"]
        if request["op"] == "fetch":
            reply["values"] = [[name, _fetch(user, name)] for name in request["names"]]
        elif request["op"] == "call":
            reply.update(_call(user, request))
    except Exception as error:  # noqa: BLE001 - the grader reads a fault as no answer
        reply["fault"] = type(error).__name__
    text = json.dumps(reply, allow_nan=False)
    if publish is None:
        from IPython import get_ipython

        get_ipython().display_pub.publish(data={MIME: text}, metadata={})
    else:
        publish(text)
    return text
