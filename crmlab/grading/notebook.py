"""One model of an nbgrader source notebook: what each cell is and where its secrets are.

Everything nbgrader decides is read from nbgrader itself: a cell's role from its ``nbgrader``
metadata through ``nbgrader.utils`` (as nbgrader's own preprocessors classify cells), and the
region markers and stubs from the traits of nbgrader's ``ClearSolutions``,
``ClearHiddenTests`` and ``ClearMarkScheme`` preprocessors, configured as the course's
``nbgrader_config.py`` (and every Jupyter config path) configures them
(:func:`crmlab.course.facts.load_nbgrader_config`). A region is found as nbgrader finds
it: from the line that contains the begin marker to the line that contains the end marker.

Release (the leak check), autograde (tampered test cells), the classroom simulation (a
student's work), the demo (written answers to mark), the class report (cell kinds) and the
tests use this module instead of typing markers, stubs or metadata keys of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import nbformat
from nbgrader import utils

from crmlab.course.facts import load_nbgrader_config


class Role(StrEnum):
    """What a cell of an nbgrader notebook is for."""

    ANSWER = "answer"  # the student writes code (or text) that tests grade
    WRITTEN = "written"  # the student's answer is graded by hand
    TEST = "test"  # autograded tests (read-only; may hold hidden tests)
    TASK = "task"  # a hand-graded task described in a read-only cell
    READ_ONLY = "read_only"  # instructions and set-up the student cannot change
    FREE = "free"  # an ordinary cell (scratch work, examples)


HAND_GRADED = (Role.WRITTEN, Role.TASK)
"""Roles whose points a teacher gives (Formgrader), the rest of the points being autograded."""


def role_of(*, grade: bool, solution: bool, task: bool = False, locked: bool = False) -> Role:
    """The role of a cell with these nbgrader flags (also as the gradebook stores them)."""
    if task:
        return Role.TASK
    if solution:
        return Role.WRITTEN if grade else Role.ANSWER
    if grade:
        return Role.TEST
    return Role.READ_ONLY if locked else Role.FREE


def role(cell) -> Role:
    """The role of a notebook cell, read from its metadata by nbgrader's own functions."""
    return role_of(grade=utils.is_grade(cell), solution=utils.is_solution(cell),
                   task=utils.is_task(cell), locked=utils.is_locked(cell))


def read_only(cell) -> bool:
    """Whether nbgrader keeps the student from changing the cell (and restores it at grading)."""
    return utils.is_locked(cell)


def grade_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def points(cell) -> float:
    return float(cell.metadata.get("nbgrader", {}).get("points", 0) or 0)


def read_only_markdown(source: str, cell_id: str) -> nbformat.NotebookNode:
    """A Markdown cell a student cannot change (role :attr:`Role.READ_ONLY`)."""
    cell = nbformat.v4.new_markdown_cell(source, id=cell_id)
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": cell_id, "locked": True,
                                 "schema_version": 3, "solution": False, "task": False}
    return cell


# --- markers and stubs ----------------------------------------------------------------------

SOLUTION, HIDDEN_TESTS, MARK_SCHEME = "solution", "hidden_tests", "mark_scheme"
"""The kinds of marked region nbgrader removes from a released notebook."""


@dataclass
class Segment:
    """Lines of a cell outside every region (``kind`` None), or one marked region: the lines
    between its begin and end marker lines."""

    kind: str | None
    lines: list[str]
    begin: str = ""
    end: str = ""

    @property
    def indent(self) -> str:
        """The begin marker line's indent (a stub put in its place is indented the same)."""
        return self.begin[: len(self.begin) - len(self.begin.lstrip())]


@dataclass(frozen=True)
class Markers:
    """nbgrader's region markers and stubs, as configured."""

    regions: dict[str, tuple[str, str]]  # kind → (begin marker, end marker)
    code_stub: dict[str, str]  # language → what replaces a code solution region
    text_stub: str  # what replaces a written answer

    @classmethod
    def from_config(cls, config=None) -> Markers:
        """Read from nbgrader's preprocessors configured by ``config`` (a traitlets Config)."""
        from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearSolutions

        solutions = ClearSolutions(config=config) if config is not None else ClearSolutions()
        hidden = ClearHiddenTests(config=config) if config is not None else ClearHiddenTests()
        scheme = ClearMarkScheme(config=config) if config is not None else ClearMarkScheme()
        return cls(
            regions={SOLUTION: (solutions.begin_solution_delimeter, solutions.end_solution_delimeter),
                     HIDDEN_TESTS: (hidden.begin_test_delimeter, hidden.end_test_delimeter),
                     MARK_SCHEME: (scheme.begin_mark_scheme_delimeter, scheme.end_mark_scheme_delimeter)},
            code_stub=dict(solutions.code_stub),
            text_stub=solutions.text_stub,
        )

    @property
    def all(self) -> tuple[str, ...]:
        """Every marker (none may reach a student)."""
        return tuple(marker for pair in self.regions.values() for marker in pair)

    def stub(self, language: str = "python") -> str:
        return self.code_stub[language]

    def segments(self, source: str) -> Iterator[Segment]:
        """The source cut into the lines outside every region and the regions."""
        lines = source.split("\n")
        public: list[str] = []
        region: Segment | None = None
        for line in lines:
            if region is None:
                kind = next((k for k, (b, _) in self.regions.items() if b in line), None)
                if kind is None:
                    public.append(line)
                    continue
                if public:
                    yield Segment(None, public)
                    public = []
                region = Segment(kind, [], begin=line)
            elif self.regions[region.kind][1] in line:
                region.end = line
                yield region
                region = None
            else:
                region.lines.append(line)
        if region is not None:
            begin, end = self.regions[region.kind]
            raise ValueError(f"{begin} 没有对应的 {end}")
        if public:
            yield Segment(None, public)

    def rewrite(self, source: str, kind: str,
                replace: Callable[[str, list[str]], list[str]]) -> str:
        """``source`` with each region of ``kind`` replaced by ``replace(indent, lines)``
        (its markers go; other regions and the lines outside stay as they are)."""
        out: list[str] = []
        for segment in self.segments(source):
            if segment.kind == kind:
                out += replace(segment.indent, segment.lines)
            elif segment.kind is None:
                out += segment.lines
            else:
                out += [segment.begin, *segment.lines, segment.end]
        return "\n".join(out)

    def without(self, source: str, kind: str) -> str:
        """``source`` without its regions of ``kind``, markers included."""
        return self.rewrite(source, kind, lambda indent, lines: [])

    def stubbed(self, source: str, language: str = "python") -> str:
        """A code cell's source with each solution region replaced by the code stub, indented
        as the region was (what ``ClearSolutions`` gives a student)."""
        stub = self.stub(language).split("\n")
        return self.rewrite(source, SOLUTION, lambda indent, lines: [indent + s for s in stub])

    def solved(self, source: str) -> str:
        """A code cell's source with its solution regions' markers removed (the model answer)."""
        return self.rewrite(source, SOLUTION, lambda indent, lines: lines)


@cache
def course_markers(course_dir: Path) -> Markers:
    """The markers and stubs of the course in ``course_dir`` (its nbgrader configuration)."""
    return Markers.from_config(load_nbgrader_config(Path(course_dir)))


# --- a source notebook --------------------------------------------------------------------------


@dataclass
class SourceNotebook:
    """A notebook of ``source/<assignment>/`` read with the course's markers."""

    path: Path
    notebook: nbformat.NotebookNode
    markers: Markers

    @classmethod
    def read(cls, path: Path, markers: Markers | None = None) -> SourceNotebook:
        """Read ``path``; without ``markers``, those of the course it sits in
        (``<course>/source/<assignment>/<name>.ipynb``)."""
        path = Path(path)
        if markers is None:
            markers = course_markers(path.resolve().parents[2])
        return cls(path, nbformat.read(path, as_version=4), markers)

    @property
    def language(self) -> str:
        return self.notebook.metadata.get("kernelspec", {}).get("language", "python")

    @property
    def cells(self) -> list:
        return self.notebook.cells

    def cells_with(self, *roles: Role, cell_type: str | None = None) -> list:
        """The cells of these roles (and of this cell type, if given), in order."""
        return [c for c in self.cells
                if role(c) in roles and (cell_type is None or c.cell_type == cell_type)]

    def secret_lines(self, kinds: tuple[str, ...] = (SOLUTION, HIDDEN_TESTS, MARK_SCHEME)) -> set[str]:
        """Stripped lines of the regions of ``kinds`` (and, with solutions, of written model
        answers) that appear nowhere outside a region."""
        secret, public = set(), set()
        for cell in self.cells:
            if cell.cell_type == "markdown" and role(cell) in (Role.WRITTEN, Role.ANSWER):
                if SOLUTION in kinds:
                    secret.update(line.strip() for line in cell.source.splitlines())
                continue
            for segment in self.markers.segments(cell.source):
                if segment.kind is None:
                    public.update(line.strip() for line in segment.lines)
                elif segment.kind in kinds:
                    secret.update(line.strip() for line in segment.lines)
        return secret - public
