"""Run one test cell in the grader and turn what happened into the outputs nbgrader scores.

The cell's whole source (visible and hidden tests, the teacher's version that nbgrader's
``OverwriteCells`` put back) runs in a namespace kept per notebook. Every name it loads but never
binds, that is not a builtin and that no earlier test cell of the notebook bound, is fetched
from the student's kernel just before the cell runs. nbgrader then scores the outputs as it
always does (``nbgrader.utils.determine_grade``): an error is 0 points, a numeric result the
points (nbgrader's partial credit), nothing at all full points.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import numbers
import warnings
from time import monotonic

from nbformat import NotebookNode

from crmlab.grading.verdict.link import KernelDied, KernelLink, KernelTimeout

BUILTINS = frozenset(dir(builtins))
MAX_PRINTED = 20_000
FILENAME = "<测试单元格>"


def bound_names(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere (assignments, loops, imports, definitions, arguments,
    comprehensions, ``except ... as``, patterns)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.alias):
            found.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            found.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            found.add(node.rest)
    return found


def free_names(tree: ast.AST) -> set[str]:
    """Names the code loads (also inside comprehensions, lambdas and nested functions) but never
    binds itself, builtins left out."""
    loaded = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return loaded - bound_names(tree) - BUILTINS


def _error(ename: str, evalue: str, line: int | None = None) -> NotebookNode:
    traceback = [f"{ename}: {evalue}"]
    if line:
        traceback.append(f"（测试单元格第 {line} 行）")
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=traceback)


def _line(error: BaseException) -> int | None:
    """The line of the test cell the error came from (its innermost frame in the cell)."""
    line, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return getattr(error, "lineno", None) if line is None and isinstance(error, SyntaxError) else line


def describe(error: BaseException, missing: set[str]) -> tuple[str, str]:
    """(ename, evalue) of an error, in Chinese where the grader words it."""
    ename = getattr(error, "crmlab_kind", None) or type(error).__name__
    message = str(error)
    function = getattr(error, "crmlab_function", None)
    if isinstance(error, NameError) and getattr(error, "name", None) in missing:
        return "NameError", (f"没有找到 {error.name}：定义它的单元格没有运行成功，或者它的值不是评分能接受的"
                             "普通数据（数字、字符串、列表、字典、表格等）")
    if function:
        return ename, f"{function}() 运行时出错：{message}" if message else f"{function}() 运行时出错"
    if isinstance(error, AssertionError):
        return ename, message or "测试没有通过。"
    if isinstance(error, SyntaxError):
        return ename, f"测试单元格有语法错误：{error.msg}"
    return ename, f"测试没有通过（{message}）" if message else "测试没有通过。"


class Judge:
    """The grader's side of one notebook's test cells."""

    def __init__(self, link: KernelLink):
        self.link = link
        self.namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
        self.test_bound: set[str] = set()

    def judge(self, cell: NotebookNode, timeout: int | None, max_points: float) -> NotebookNode:
        """Run ``cell`` (a test cell) here and set its outputs; returns the cell."""
        printed = io.StringIO()
        outputs: list[NotebookNode] = []
        self.link.cell, self.link.timed_out = cell, False
        self.link.deadline = monotonic() + timeout if timeout else None
        missing: set[str] = set()
        try:
            tree = ast.parse(cell.source, FILENAME)
            wanted = free_names(tree) - self.test_bound
            self.test_bound |= bound_names(tree)
            fetched = self.link.fetch(wanted) if wanted else {}
            missing = wanted - set(fetched)
            for name in missing:
                self.namespace.pop(name, None)
            self.namespace.update(fetched)
            with contextlib.redirect_stdout(printed), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = self._run(tree)
        except KernelTimeout:
            outputs.append(self._timeout())
        except KernelDied:
            raise
        except Exception as error:  # noqa: BLE001 - every failure of a test is its verdict
            outputs.append(_error(*describe(error, missing), _line(error)))
        else:
            points = _points(value, max_points)
            if points is not None:
                outputs.append(NotebookNode(output_type="execute_result", execution_count=None,
                                            metadata={}, data={"text/plain": repr(points)}))
        finally:
            self.link.deadline = None
        text = printed.getvalue()
        if text:
            outputs.insert(0, NotebookNode(output_type="stream", name="stdout", text=text[:MAX_PRINTED]))
        cell.outputs = outputs
        cell.execution_count = None
        return cell

    def _run(self, tree: ast.Module):
        body, last = tree.body, None
        if body and isinstance(body[-1], ast.Expr):
            body, last = body[:-1], body[-1]
        exec(compile(ast.Module(body=body, type_ignores=[]), FILENAME, "exec"), self.namespace)  # noqa: S102 - the teacher's test
        if last is None:
            return None
        return eval(compile(ast.Expression(last.value), FILENAME, "eval"), self.namespace)  # noqa: S307

    def _timeout(self) -> NotebookNode:
        settings = self.link.client.error_on_timeout or {}
        return _error(settings.get("ename", "CellTimeoutError"),
                      "学生的代码运行超过了时间限制，被中断（可能是死循环）")


def _points(value, max_points: float) -> float | None:
    """The points a numeric last value gives (nbgrader's partial credit), within 0 and the cell's
    points; None for any other value (full points, as nbgrader gives)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    points = float(value)
    if points != points:  # nan
        return 0.0
    return min(max(points, 0.0), float(max_points))
