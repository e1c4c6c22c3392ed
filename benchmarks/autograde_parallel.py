"""Benchmark: serial `nbgrader autograde` against `crmlab autograde --jobs 2`, in one run.

Builds a scratch copy of the course, generates 40 submissions of one assignment (model
answers, partly right ones, untouched releases), copies the course three times and grades
them with plain serial nbgrader (no sandbox, as nbgrader ships), with `crmlab autograde`
(every kernel in the bubblewrap sandbox) and with `crmlab autograde --no-sandbox`. Prints the
times, the ratio, whether the scores are identical, and the sandbox's own cost per submission.
Targets on 2 cores (issues #6, #13): at least 1.8× faster, sandbox on, with identical scores.

    python benchmarks/autograde_parallel.py [--assignment hw03_customer_grading] [--students 40]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from crmlab.course.facts import SOURCE_FILES
from crmlab.data.resources import REPOSITORY
from crmlab.grading.autograde import db_url
from crmlab.grading.environment import environment_path, nbgrader
from crmlab.grading.notebook import Role, SourceNotebook, role

ROOT = REPOSITORY


def build_course(base: Path, assignments: list[str], students: int) -> Path:
    """A scratch copy of the course with ``students`` submissions of each assignment: model
    answers, and answers with some parts left undone (every third student each way)."""
    course = base / "course"
    course.mkdir()
    for name in SOURCE_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, course / name)
    for assignment in assignments:
        nbgrader("generate_assignment", assignment, "--force", cwd=course)
        source = course / "source" / assignment
        notebook_name = next(source.glob("*.ipynb")).name
        model = SourceNotebook.read(source / notebook_name)
        answers = [i for i, c in enumerate(model.cells)
                   if role(c) in (Role.ANSWER, Role.WRITTEN) and c.cell_type == "code"]
        for n in range(students):
            work = nbformat.read(source / notebook_name, as_version=4)
            for k, index in enumerate(answers):
                if n % 3 == 1 and k % 2 == 0 or n % 3 == 2 and k % 3 == 0:
                    work.cells[index].source = model.markers.stub(model.language)
            folder = course / "submitted" / f"s{n:03d}" / assignment
            shutil.copytree(source, folder, ignore=shutil.ignore_patterns("*.ipynb"))
            (folder / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
            nbformat.write(work, folder / notebook_name)
    return course


def scores(course: Path, assignment: str) -> dict[str, float]:
    """student → score of one assignment, from the course's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course)) as gradebook:
        return {s.student.id: s.score for s in gradebook.find_assignment(assignment).submissions}


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True,
                   env={"PATH": environment_path(), "HOME": str(Path.home())})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="hw03_customer_grading")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="crmlab-bench-") as scratch:
        base = Path(scratch)
        print(f"building {args.students} submissions of {args.assignment} …", flush=True)
        (base / "a").mkdir()
        original = build_course(base / "a", [args.assignment], args.students)
        courses = {name: base / name for name in ("serial", "parallel", "unsandboxed")}
        for course in courses.values():
            shutil.copytree(original, course)

        serial = timed([str(bin_dir / "nbgrader"), "autograde", args.assignment,
                        "--SandboxKernelManager.enabled=False"], courses["serial"])
        crmlab = [str(bin_dir / "crmlab"), "autograde", args.assignment, "--jobs", str(args.jobs)]
        parallel = timed(crmlab, courses["parallel"])
        unsandboxed = timed([*crmlab, "--no-sandbox"], courses["unsandboxed"])
        results = {name: scores(course, args.assignment) for name, course in courses.items()}
        same = results["serial"] == results["parallel"] == results["unsandboxed"]
        graded = len(results["parallel"])
    per = args.students
    print(f"serial   nbgrader autograde (no sandbox)      : {serial:7.1f} s  ({serial / per:.2f} s/份)")
    print(f"parallel crmlab autograde --jobs {args.jobs} (sandbox) : {parallel:7.1f} s  "
          f"({parallel / per:.2f} s/份)")
    print(f"parallel crmlab autograde --jobs {args.jobs} --no-sandbox: {unsandboxed:7.1f} s  "
          f"({unsandboxed / per:.2f} s/份)")
    print(f"speed-up with the sandbox: {serial / parallel:.2f}×   (target ≥ 1.8×)   "
          f"scores identical: {'yes' if same else 'NO'} ({graded} graded)")
    print(f"sandbox cost per submission: {(parallel - unsandboxed) * args.jobs / per:+.2f} s "
          f"of a worker's time ({(parallel - unsandboxed) / per:+.2f} s wall clock)")


if __name__ == "__main__":
    main()
