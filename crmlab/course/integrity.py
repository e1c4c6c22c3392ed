"""Did an answer call the ``crmlab`` package? The check that hidden tests run.

The coding assignments ask students to implement the course's rules themselves; ``crmlab`` holds
the same rules. Each hidden test that guards an answer imports this module and asserts
:func:`uses_crmlab` is false for the answer's function, with a Chinese message of its own (the
two lines each hidden test carries are in ``docs/教师指南.md``; they are not repeated in this
package, which students can read).

At autograde the hidden tests run in the grader, outside the student's kernel
(:mod:`crmlab.grading.verdict`): the function a test holds stands for one in the kernel, and the
check reads the submission's SOURCE statically (:func:`source_uses_crmlab`): the function's
definition, the helpers and globals it names (recursively), for an import of crmlab, the name
``crmlab``, ``__import__``/``importlib.import_module`` or any string constant starting with
"crmlab". Nothing the submission does in its kernel (a fake of this module in ``sys.modules``, a
replaced ``importlib.reload``) reaches the grader. A name built at run time from pieces (character
codes, ``exec`` of computed text) is beyond a static check; the teacher's review of flagged
submissions covers that.

Called on a real function (a student running the tests in their own kernel), the check walks the
function's code objects, globals and closure as before; ``importlib.reload`` in the hidden test
makes a stand-in put into ``sys.modules`` fail rather than pass.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Sequence

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
    located = _kernel_definition(obj)
    if located is not None:
        return source_uses_crmlab(*located)
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


def _kernel_definition(obj: object) -> tuple[Sequence[str], str] | None:
    """(the submission's code cells, the name) of a function that stands for one in the
    student's kernel (the verdict's proxy); None for anything else."""
    method = getattr(type(obj), "kernel_definition", None)
    if not callable(method):
        return None
    sources, name = method(obj)
    return tuple(str(s) for s in sources), str(name)


# --- the submission's source, read statically ---------------------------------------------------

IMPORTERS = {"__import__", "import_module"}


def parse_cell(source: str) -> ast.AST | None:
    """A notebook cell's syntax tree (IPython magics turned into Python first); None if it is not
    Python (such a cell ran nothing)."""
    try:
        return ast.parse(source)
    except SyntaxError:
        try:
            from IPython.core.inputtransformer2 import TransformerManager

            return ast.parse(TransformerManager().transform_cell(source))
        except Exception:  # noqa: BLE001 - a cell that is not Python defined nothing
            return None


def _constant_text(node: ast.AST) -> str | None:
    """The value of a string constant, also one glued from pieces with ``+`` or an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_text(node.left), _constant_text(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = [_constant_text(v) if not isinstance(v, ast.FormattedValue) else None for v in node.values]
        return "".join(parts) if all(p is not None for p in parts) else None
    return None


def _names_crmlab(node: ast.AST) -> bool:
    """Does this node itself import or name crmlab?"""
    if isinstance(node, ast.Import):
        return any(_in_package(alias.name) for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and _in_package(node.module)
    if isinstance(node, ast.Name):
        return node.id == PACKAGE
    text = _constant_text(node)
    return text is not None and text.startswith(PACKAGE)


class _Source:
    """Where each name of a submission is bound, and what each binding holds."""

    def __init__(self, sources: Sequence[str]):
        self.bindings: dict[str, list[ast.AST]] = {}
        self.trees = [tree for tree in map(parse_cell, sources) if tree is not None]
        for tree in self.trees:
            self._collect(tree)

    def _bind(self, name: str, node: ast.AST) -> None:
        self.bindings.setdefault(name, []).append(node)

    def _collect(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._bind(node.name, node)
            elif isinstance(node, ast.Import):  # each name with its own import only
                for alias in node.names:
                    self._bind((alias.asname or alias.name).split(".")[0], ast.Import(names=[alias]))
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    self._bind(alias.asname or alias.name,
                               ast.ImportFrom(module=node.module, names=[alias], level=node.level))
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            self._bind(name.id, node.value)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                for name in ast.walk(node.target):
                    if isinstance(name, ast.Name):
                        self._bind(name.id, node.iter)
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                for name in ast.walk(node.optional_vars):
                    if isinstance(name, ast.Name):
                        self._bind(name.id, node.context_expr)

    def reaches(self, name: str) -> bool:
        """Does anything bound to ``name``, or a name it uses (recursively), reach crmlab?"""
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            for binding in self.bindings.get(current, []):
                if any(_names_crmlab(node) for node in ast.walk(binding)):
                    return True
                todo += _globals_loaded(binding)
        return False


def _globals_loaded(node: ast.AST) -> set[str]:
    """Names ``node`` loads that it does not bind itself (its arguments, local variables,
    comprehension variables, nested definitions and imports are not globals)."""
    loaded, local = set(), set()
    for part in ast.walk(node):
        if isinstance(part, ast.Name):
            (loaded if isinstance(part.ctx, ast.Load) else local).add(part.id)
        elif isinstance(part, ast.arg):
            local.add(part.arg)
        elif isinstance(part, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and part is not node:
            local.add(part.name)
        elif isinstance(part, ast.alias):
            local.add((part.asname or part.name).split(".")[0])
        elif isinstance(part, ast.Global):
            loaded.update(part.names)
    globals_ = {name for part in ast.walk(node) if isinstance(part, ast.Global) for name in part.names}
    return loaded - (local - globals_)


def source_uses_crmlab(sources: Sequence[str], name: str) -> bool:
    """Does the function ``name`` of a submission (its code cells ``sources``) reach crmlab: its
    definition, or a helper or global it names, recursively, imports or names crmlab? A name the
    source never binds (set through ``globals()``, ``exec`` …) counts as reaching crmlab when the
    submission mentions crmlab anywhere."""
    source = _Source(sources)
    if name not in source.bindings:
        return any(_names_crmlab(node) for tree in source.trees for node in ast.walk(tree))
    return source.reaches(name)
