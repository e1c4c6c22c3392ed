"""A simulated class on one machine: students fetch and submit through a real exchange.

Every step runs nbgrader's own command classes (``ReleaseAssignmentApp``, ``FetchAssignmentApp``,
``SubmitApp``, ``CollectApp``, the ones the ``nbgrader`` command starts), in this process, so
that 30 students × 5 assignments take seconds rather than the 2–3 s each command spends on
start-up. Students' work is made from the source notebook: model answers, some parts left
undone, wrong answers, an empty release, broken JSON, an infinite loop.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from crmlab.grading.environment import use_environment
from crmlab.grading.header import add_header
from crmlab.grading.notebook import SOLUTION, Role, SourceNotebook


@contextlib.contextmanager
def _inside(folder: Path):
    old = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def run_app(app_class, argv: list[str], cwd: Path) -> None:
    """Run one nbgrader app in-process, in ``cwd``; its log is shown only when it fails."""
    use_environment()
    log = io.StringIO()
    with _inside(cwd), contextlib.redirect_stderr(log), contextlib.redirect_stdout(log):
        app = app_class()
        try:
            app.initialize(argv)
            app.start()
        except SystemExit as stop:  # nbgrader's apps report failure by exiting
            if stop.code:
                tail = "\n".join(log.getvalue().strip().splitlines()[-8:])
                raise RuntimeError(f"nbgrader {app_class.name} {' '.join(argv)} 失败：\n{tail}") from None


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    skill: float  # 0..1: the share of parts done right
    kind: str = "normal"  # normal / empty / wrong / late / broken / loop


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = ["子涵", "欣怡", "梓萱", "浩然", "宇轩", "雨桐", "思远", "嘉怡", "俊杰", "诗琪", "一诺", "明轩",
         "佳琪", "博文", "若曦", "天佑", "语嫣", "子墨", "梦瑶", "志强"]


def make_class(size: int = 30, seed: int = 7) -> list[Student]:
    """A believable class: mostly mixed skill, plus one empty, wrong, late, broken, looping."""
    rng = random.Random(seed)
    special = {0: "empty", 1: "wrong", 2: "late", 3: "broken", 4: "loop"}
    students = []
    for n in range(size):
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[rng.randrange(len(GIVEN))]
        skill = 1.0 if n in (5, 6, 7) else round(min(1.0, max(0.1, rng.gauss(0.72, 0.2))), 2)
        students.append(Student(f"s{n + 1:03d}", name, skill, special.get(n, "normal")))
    return students


def _wrong(indent: str, lines: list[str]) -> list[str]:
    if indent:  # inside a function: a plausible but wrong body
        return [f"{indent}return None"]
    # top-level answers (q1 = "B"): keep the names, change the values
    names = re.findall(r"^(\w+)\s*=", "\n".join(lines), re.M)
    return [f"{name} = None" for name in names] or ["pass"]


def student_work(source: Path, student: Student, assignment_index: int) -> str | None:
    """The notebook text ``student`` hands in (``None``: nothing handed in for this one)."""
    model = SourceNotebook.read(source)
    markers, notebook = model.markers, model.notebook
    rng = random.Random(f"{student.id}-{assignment_index}")
    answer_cells = model.cells_with(Role.ANSWER, Role.WRITTEN, cell_type="code")
    written = model.cells_with(Role.ANSWER, Role.WRITTEN, cell_type="markdown")
    if student.kind == "broken" and assignment_index == 0:
        return '{"cells": [{"cell_type": "code", "source": "我保存到一半电脑死机了'
    for cell in answer_cells:
        if student.kind == "empty":
            cell.source = markers.stubbed(cell.source, model.language)
        elif student.kind == "wrong":
            cell.source = markers.rewrite(cell.source, SOLUTION, _wrong)
        elif rng.random() > student.skill:  # a part not done
            cell.source = markers.stubbed(cell.source, model.language)
        else:
            cell.source = markers.solved(cell.source)
    if student.kind == "loop" and assignment_index == 0 and answer_cells:
        answer_cells[0].source = "while True:  # 调试时忘了删掉的循环\n    pass\n" + answer_cells[0].source
    for cell in written:
        cell.source = markers.text_stub if student.kind == "empty" else (
            f"（{student.name}的回答）" + cell.source[: max(20, int(len(cell.source) * student.skill))])
    # The student works in the released notebook, which starts with the header from the YAML.
    add_header(notebook, source.parents[2] / "assignments", source.parent.name)
    return nbformat.writes(notebook)


class Classroom:
    """A course directory, an exchange and one working folder per student."""

    def __init__(self, course_dir: Path, exchange: Path, students_dir: Path, course_id: str):
        # Absolute: nbgrader's apps run inside the course or a student's folder.
        self.course_dir = Path(course_dir).resolve()
        self.course_id = course_id  # the exchange's folder of this course
        self.exchange = Path(exchange).resolve()
        self.students_dir = Path(students_dir).resolve()
        self.exchange.mkdir(parents=True, exist_ok=True)

    def _exchange_args(self) -> list[str]:
        # The students' submission cache sits beside the exchange, not in the user's
        # ~/.local/share/jupyter, where it would pile up from run to run.
        return [f"--Exchange.root={self.exchange}", f"--Exchange.cache={self.exchange.parent / 'cache'}",
                f"--course={self.course_id}"]

    def release(self, assignment: str) -> None:
        from nbgrader.apps import ReleaseAssignmentApp

        run_app(ReleaseAssignmentApp, [assignment, "--force", *self._exchange_args()],
                self.course_dir)

    def hand_in(self, student: Student, assignment: str, work: str | None) -> bool:
        """Fetch, replace the notebook with ``work``, submit; False when nothing is handed in."""
        from nbgrader.apps import FetchAssignmentApp, SubmitApp

        folder = self.students_dir / student.id
        folder.mkdir(parents=True, exist_ok=True)
        if (folder / assignment).exists():
            shutil.rmtree(folder / assignment)
        run_app(FetchAssignmentApp, [assignment, *self._exchange_args()], folder)
        if work is None:
            return False
        notebook = next((folder / assignment).glob("*.ipynb"))
        notebook.write_text(work, encoding="utf-8")
        run_app(SubmitApp, [assignment, f"--student={student.id}", *self._exchange_args()], folder)
        return True

    def collect(self, assignment: str) -> None:
        from nbgrader.apps import CollectApp

        # One account plays every student: the course's collect (crmlab.grading.exchange)
        # takes folders the collecting account owns, and nothing another account planted.
        run_app(CollectApp, [assignment, "--update", f"--Exchange.root={self.exchange}"],
                self.course_dir)
