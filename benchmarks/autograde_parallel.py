"""Benchmark: serial `nbgrader autograde` against `crmlab autograde --jobs 2`, in one run.

Builds a scratch copy of the course, generates 40 submissions of one assignment (model
answers, partly right ones, untouched releases), copies the course twice and grades one copy
with each tool. Prints both times, the ratio and whether the scores are identical.
Target on 2 cores (issue #6): at least 1.8× faster with identical scores.

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

from crmlab.course.autograde import db_url
from crmlab.course.gradebook import environment_path
from crmlab.course.release import nbgrader

ROOT = Path(__file__).resolve().parents[1]
STUB = "# 在这里写你的代码\nraise NotImplementedError()"


def build_course(base: Path, assignment: str, students: int) -> Path:
    course = base / "course"
    course.mkdir()
    for name in ("nbgrader_config.py", "source", "assignments"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, course / name)
    nbgrader("generate_assignment", assignment, "--force", cwd=course)
    notebook_name = next((course / "source" / assignment).glob("*.ipynb")).name
    model = nbformat.read(course / "source" / assignment / notebook_name, as_version=4)
    answers = [i for i, c in enumerate(model.cells)
               if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    for n in range(students):
        work = nbformat.read(course / "source" / assignment / notebook_name, as_version=4)
        for k, index in enumerate(answers):  # every third student leaves some parts undone
            if n % 3 == 1 and k % 2 == 0 or n % 3 == 2 and k % 3 == 0:
                work.cells[index].source = STUB
        folder = course / "submitted" / f"s{n:03d}" / assignment
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
        nbformat.write(work, folder / notebook_name)
    return course


def scores(course: Path, assignment: str) -> dict[str, float]:
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
        original = build_course(base / "a", args.assignment, args.students)
        serial_course = base / "serial"
        parallel_course = base / "parallel"
        shutil.copytree(original, serial_course)
        shutil.copytree(original, parallel_course)

        serial = timed([str(bin_dir / "nbgrader"), "autograde", args.assignment], serial_course)
        parallel = timed([str(bin_dir / "crmlab"), "autograde", args.assignment,
                          "--jobs", str(args.jobs)], parallel_course)
        same = scores(serial_course, args.assignment) == scores(parallel_course, args.assignment)
        graded = len(scores(parallel_course, args.assignment))
    print(f"serial   nbgrader autograde          : {serial:7.1f} s  ({serial / args.students:.2f} s/份)")
    print(f"parallel crmlab autograde --jobs {args.jobs}    : {parallel:7.1f} s  "
          f"({parallel / args.students:.2f} s/份)")
    print(f"speed-up: {serial / parallel:.2f}×   (target ≥ 1.8×)   "
          f"scores identical: {'yes' if same else 'NO'} ({graded} graded)")


if __name__ == "__main__":
    main()
