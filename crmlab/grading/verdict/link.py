"""The grader's end of the wire: fetch names from the student's kernel, call its functions.

Each request is one ``execute_request`` with empty code and a single user expression that runs
:func:`crmlab.grading.verdict.wire.serve` from its source text (the kernel needs nothing of crmlab).
IPython does not pass user expressions through its input or AST transformers, so a submission
that blanks or rewrites its later cells does not blank the hand-in; a submission that breaks the
kernel itself (replaced builtins, a dead display publisher) simply hands in nothing. The reply is
display data of its own type, read off the kernel's IOPub channel; a missing, garbled or oversized
reply is *no answer*, never a pass.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib
import secrets
import sys
from pathlib import Path
from queue import Empty
from time import monotonic

from jupyter_core.utils import ensure_async, run_sync

from crmlab.grading.verdict import wire

SOURCE = Path(wire.__file__).read_text(encoding="utf-8")
CACHE = "_crmlab_verdict_" + hashlib.sha256(SOURCE.encode()).hexdigest()[:16]
# The wire module is sent with every request and run once per kernel (kept on ``sys``, so that
# later requests need not compile it again); a kernel that tampers with it only forges its own
# hand-in, which it could do anyway.
EXPRESSION = ("(lambda user, sys: (sys.__dict__.get({cache!r}) or sys.__dict__.setdefault({cache!r}, "
              "(lambda env: exec({source!r}, env) or env)({{'__name__': 'crmlab_verdict'}})))"
              "['serve']({request!r}, user))(globals(), __import__('sys'))")

MODULES = frozenset({"pandas", "numpy", "math", "cmath", "statistics", "collections", "itertools",
                     "functools", "operator", "re", "string", "datetime", "decimal", "fractions",
                     "json", "copy", "random", "builtins"})
"""Modules (and their submodules) the grader takes its own import of when the kernel holds one."""

MISSING = object()


class KernelTimeout(BaseException):
    """The kernel did not answer before the test cell's time ran out (a BaseException, so that no
    ``except Exception`` in a test swallows it)."""


class KernelDied(BaseException):
    """The kernel exited while the grader waited for it."""


class StudentCodeError(Exception):
    """The student's function raised something other than a built-in exception the grader
    passes on, or handed in no answer."""


class KernelFunction:
    """A function of the student's kernel, seen from the grader: calling it runs it there with
    the arguments as plain data and returns its result as plain data."""

    def __init__(self, link: KernelLink, name: str):
        self._link = link
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args, **kwargs):
        return self._link.call(self, args, kwargs)

    def __repr__(self):
        return f"<学生的函数 {self.__name__}>"

    def kernel_definition(self) -> tuple[tuple[str, ...], str]:
        """The submission's code cells and this function's name, for a static check of its source
        (:func:`crmlab.course.integrity.uses_crmlab`)."""
        return self._link.sources, self.__name__


class KernelLink:
    """Requests to the kernel of one notebook being graded by ``client`` (nbclient's
    NotebookClient, already running the kernel)."""

    def __init__(self, client, sources: tuple[str, ...]):
        self.client = client
        self.sources = sources
        self.deadline: float | None = None
        self.timed_out = False
        self.cell = None

    # -- what tests use ---------------------------------------------------------------------

    def fetch(self, names) -> dict:
        """name → value for each name the kernel could hand in (the others are left out)."""
        reply = self._request({"op": "fetch", "names": sorted(names)})
        found = {}
        pairs = reply.get("values") if reply else None
        if type(pairs) is not list:
            return found
        decoder = wire.Decoder(self._resolve)
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2 or pair[0] not in names:
                continue
            name, data = pair
            if type(data) is dict and data.get("$") == "missing":
                continue
            try:
                found[name] = decoder.decode(data)
            except wire.WireError:
                continue
        return found

    def call(self, function: KernelFunction, args: tuple, kwargs: dict):
        encoder = wire.Encoder(self._reference)
        name = function.__name__
        request = {"op": "call", "name": name, "args": [encoder.encode(a) for a in args],
                   "kwargs": [[k, encoder.encode(v)] for k, v in kwargs.items()]}
        reply = self._request(request)
        if not reply or ("raised" not in reply and "value" not in reply):
            raise _from(StudentCodeError(f"{name}() 没有返回结果"), name)
        decoder = wire.Decoder(self._resolve)
        try:
            for key, data in decoder._pairs(reply.get("mutated", [])):
                target = args[int(key)] if str(key).isdigit() else kwargs.get(key)
                _write_back(target, decoder.decode(data))
            if reply.get("raised"):
                raised = reply["raised"]
                kind = raised.get("type") if isinstance(raised.get("type"), str) else ""
                message = raised.get("message") if isinstance(raised.get("message"), str) else ""
                klass = getattr(builtins, kind) if kind in wire.EXCEPTIONS else StudentCodeError
                raise _from(klass(message[:wire.MAX_MESSAGE]), name, kind)
            return decoder.decode(reply["value"])
        except (wire.WireError, IndexError, ValueError) as error:
            if getattr(error, "crmlab_function", None):
                raise
            raise _from(StudentCodeError(f"{name}() 返回的结果无法读取"), name) from None

    # -- references between the two sides ----------------------------------------------------

    def _resolve(self, ref: dict):
        kind = ref.get("$")
        if kind == "function" and isinstance(ref.get("name"), str):
            return KernelFunction(self, ref["name"])
        if kind == "module" and _allowed(ref.get("name")):
            return _module(ref["name"])
        if kind == "class" and _allowed(ref.get("module")) and isinstance(ref.get("name"), str):
            found = _module(ref["module"])
            for part in ref["name"].split("."):
                found = getattr(found, part, None) if found is not None and not part.startswith("_") else None
            return found if isinstance(found, type) else None
        return None

    @staticmethod
    def _reference(value):
        if isinstance(value, KernelFunction):
            return {"$": "function", "name": value.__name__}
        if isinstance(value, wire.Refused):
            return {"$": "refused", "type": value.type_name}
        raise TypeError(f"测试把 {type(value).__name__} 类型的值传给了学生的函数：只能传普通数据")

    # -- the request itself -------------------------------------------------------------------

    def _request(self, request: dict) -> dict | None:
        if self.timed_out:
            raise KernelTimeout
        request["id"] = nonce = secrets.token_hex(8)
        reply_text = run_sync(self._exchange)(wire.json.dumps(request, allow_nan=False))
        if reply_text is None:
            return None
        try:
            reply = wire.Decoder().loads(reply_text)
        except wire.WireError:
            return None
        return reply if type(reply) is dict and reply.get("id") == nonce and "fault" not in reply else None

    async def _exchange(self, request_text: str) -> str | None:
        client = self.client
        expression = EXPRESSION.format(cache=CACHE, source=SOURCE, request=request_text)
        msg_id = await ensure_async(client.kc.execute(
            "", silent=True, store_history=False, user_expressions={"crmlab": expression},
            stop_on_error=False))
        while True:  # the execute reply (the kernel has finished the request)
            try:
                msg = await ensure_async(client.kc.shell_channel.get_msg(timeout=self._wait()))
            except Empty:
                await self._check(client)
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                break
        found = None
        while True:  # its outputs, up to the kernel going idle
            try:
                msg = await ensure_async(client.kc.iopub_channel.get_msg(timeout=max(self._wait(), 0.5)))
            except Empty:
                await self._check(client)
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if msg["msg_type"] == "display_data" and found is None:
                data = content.get("data") or {}
                found = data.get(wire.MIME) if isinstance(data.get(wire.MIME), str) else None
            elif msg["msg_type"] == "status" and content.get("execution_state") == "idle":
                return found

    def _wait(self) -> float:
        if self.deadline is None:
            return 1.0
        return max(0.0, min(1.0, self.deadline - monotonic()))

    async def _check(self, client) -> None:
        """Between messages: has the kernel died, or the test cell's time run out?"""
        if not await ensure_async(client.kc.is_alive()):
            raise KernelDied
        if self.deadline is not None and monotonic() >= self.deadline:
            self.timed_out = True
            await client._async_handle_timeout(client._get_timeout(self.cell), self.cell)
            raise KernelTimeout


def _from(error: Exception, function: str, kind: str = "") -> Exception:
    """``error`` marked as raised by the student's ``function`` (the verdict says so)."""
    error.crmlab_function = function
    error.crmlab_kind = kind or type(error).__name__
    return error


def _allowed(name) -> bool:
    return isinstance(name, str) and name.split(".")[0] in MODULES


def _module(name: str):
    if name in sys.modules:
        return sys.modules[name]
    if "." in name:
        return None  # only top-level modules are imported on the kernel's word
    return importlib.import_module(name)


def _write_back(target, value) -> None:
    """Make ``target`` (the grader's argument) what the kernel's function left of it."""
    import pandas as pd

    if type(target) is list and type(value) is list:
        target[:] = value
    elif type(target) in (dict, set) and type(value) is type(target):
        target.clear()
        target.update(value)
    elif type(target) in (pd.DataFrame, pd.Series) and type(value) is type(target):
        target._update_inplace(value)
    elif type(target).__name__ == "ndarray" and type(value) is type(target) and value.shape == target.shape:
        target[...] = value
