"""Did an answer call the ``crmlab`` package? The check that hidden tests run.

The coding assignments ask students to implement the course's rules themselves; ``crmlab`` holds
the same rules, importable in the student's kernel. Each hidden test that guards an answer
imports this module and asserts :func:`uses_crmlab` is false for the answer's function, with a
Chinese message of its own.

The hidden test runs in the same kernel as the student's code, so a submission could put a fake
of this module into ``sys.modules`` (or replace :func:`uses_crmlab` on it) before the hidden test
imports it. Hidden tests therefore import it and pass it through ``importlib.reload`` before
calling it: ``reload`` executes this file again into the module that ``sys.modules`` holds (a
stand-in that is not there makes ``reload`` raise, so the test fails rather than passes). The
two lines each hidden test carries are in ``docs/教师指南.md``; they are not repeated in this
package, which students can read.
A submission that rewrites Python's import machinery itself is beyond what a check inside the
kernel can see; the teacher's review of the flagged submissions covers that.
"""

from __future__ import annotations

import types

PACKAGE = "crmlab"


def _in_package(name: object) -> bool:
    return str(name or "").split(".")[0] == PACKAGE


def uses_crmlab(obj: object, _seen: set[int] | None = None) -> bool:
    """True if ``obj`` (a function) reaches the crmlab package, directly or through a helper.

    It follows what the function's code names: global functions it calls (recursively),
    functions nested in it, the variables of its closure, ``import crmlab`` inside it and
    strings such as ``importlib.import_module("crmlab.rules.credit")``. Modules other than crmlab
    (pandas, numpy) end the walk.
    """
    seen = set() if _seen is None else _seen
    if id(obj) in seen:
        return False  # already looked at
    seen.add(id(obj))
    if isinstance(obj, types.ModuleType):
        return _in_package(obj.__name__)
    if _in_package(getattr(obj, "__module__", "")):
        return True  # a function or class of crmlab
    code = getattr(obj, "__code__", None)
    if not isinstance(code, types.CodeType):
        return False  # not a function: the walk ends here
    codes, names = [code], set()
    while codes:
        current = codes.pop()
        names.update(current.co_names)
        codes += [c for c in current.co_consts if isinstance(c, types.CodeType)]
        if any(isinstance(c, str) and c.startswith(PACKAGE) for c in current.co_consts):
            return True  # crmlab imported by a string
    if any(_in_package(name) for name in names):
        return True  # import crmlab inside the function
    namespace = getattr(obj, "__globals__", None) or {}
    related = [namespace[name] for name in names if name in namespace]
    related += [cell.cell_contents for cell in (getattr(obj, "__closure__", None) or ())
                if _filled(cell)]
    return any(uses_crmlab(other, seen) for other in related)


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty closure cell raises ValueError
    except ValueError:
        return False
    return True
