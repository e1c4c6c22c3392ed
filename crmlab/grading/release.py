"""Release the assignments with nbgrader and check that nothing secret leaks.

``generate`` runs the real ``nbgrader generate_assignment`` in a scratch copy of the course
(so the repository's gradebook is never touched) and returns the fresh release folders.
``check`` compares them with the committed ``release/`` and looks, in every released file and
in what every student may have (the package, lessons, reports, data), for nbgrader's
markers and for any line of a solution or of a hidden test.
"""

from __future__ import annotations

import filecmp
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from crmlab.course.facts import PUBLIC, SOURCE_FILES, Course
from crmlab.grading.environment import nbgrader
from crmlab.grading.notebook import SourceNotebook, course_markers
from crmlab.rules.checks import CourseInputError

MIN_SECRET_LENGTH = 8
"""Shorter lines (``return x``, ``pass``) are too common to count as a leak."""



@dataclass(frozen=True)
class Leak:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}：{self.what}"


def _folder(course: Course | Path, step: str, assignment: str = ".") -> Path:
    """``step``'s folder (``source``, ``release``) of ``assignment``, or of all assignments, as
    the course's nbgrader configuration names it (``course`` a :class:`Course` or its folder)."""
    course = course if isinstance(course, Course) else Course.load(course)
    return course.folder(step, assignment)


def assignment_ids(course_dir: Path, wanted: Iterable[str] = ()) -> list[str]:
    """The assignments under ``source/``, or the ``wanted`` ones after checking they exist."""
    available = sorted(p.name for p in _folder(course_dir, "source").iterdir() if p.is_dir()
                       and not p.name.startswith("."))
    wanted = list(wanted)
    unknown = [a for a in wanted if a not in available]
    if unknown:
        raise CourseInputError(
            f"没有这些作业：{'、'.join(unknown)}。source/ 下有：{'、'.join(available) or '（空）'}"
        )
    return wanted or available


def generate(course_dir: Path, ids: Iterable[str], scratch: Path, progress: bool = True) -> Path:
    """Generate the release of ``ids`` in a scratch copy of the course; returns its release/."""
    course_dir = Path(course_dir)
    for name in SOURCE_FILES:
        source = course_dir / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, scratch / name)
    ids = list(ids)
    for assignment in tqdm(ids, desc="nbgrader generate_assignment", unit="份", disable=not progress):
        nbgrader("generate_assignment", assignment, "--force", "--log-level=WARN",
                 f"--CourseDirectory.db_url=sqlite:///{scratch / 'scratch.db'}", cwd=scratch)
    return _folder(scratch, "release")


def secret_lines(source_notebook: Path, kinds: tuple[str, ...] | None = None) -> set[str]:
    """Lines that must never reach a student: of solutions, hidden tests and model answers.

    ``kinds`` limits it to some kinds of marked region (e.g. only ``notebook.HIDDEN_TESTS``);
    lines that also stand outside every region, very short lines and lines of punctuation only
    (a Markdown table's ``|---|---|``) are left out.
    """
    notebook = SourceNotebook.read(source_notebook)
    found = notebook.secret_lines(kinds) if kinds is not None else notebook.secret_lines()
    return {line for line in found
            if len(line) >= MIN_SECRET_LENGTH and any(ch.isalnum() for ch in line)}


def _texts(folder: Path) -> Iterator[tuple[Path, str]]:
    """Each text file of ``folder`` (or the file ``folder`` itself) and its content."""
    for path in [folder] if folder.is_file() else sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def leaks(course_dir: Path, release_dir: Path, ids: Iterable[str]) -> list[Leak]:
    """Markers and secret lines found in the release, or in what every student may have
    (:data:`~crmlab.course.facts.PUBLIC`: the package, lessons, reports, data)."""
    course_dir = Path(course_dir)
    course = Course.load(course_dir)
    found: list[Leak] = []
    readable = [course_dir / name for name in PUBLIC if (course_dir / name).exists()]
    markers = course_markers(course_dir).all
    for assignment in ids:
        secrets: set[str] = set()
        for notebook in sorted(_folder(course, "source", assignment).glob("*.ipynb")):
            secrets |= secret_lines(notebook)
        released = release_dir / assignment
        if not released.is_dir():
            found.append(Leak(f"release/{assignment}", "缺少发布版本"))
            continue
        for path, text in _texts(released):
            where = f"release/{assignment}/{path.relative_to(released)}"
            found += [Leak(where, f"含有 nbgrader 标记「{m}」") for m in markers if m in text]
            lines = _released_lines(path, text)
            found += [Leak(where, f"含有答案或隐藏测试的内容：{s[:60]}") for s in sorted(secrets & lines)]
        for folder in readable:
            for path, text in _texts(folder):
                for line in sorted(secrets & _released_lines(path, text)):
                    found.append(Leak(str(path.relative_to(course_dir)),
                                      f"含有作业 {assignment} 的答案或隐藏测试内容：{line[:60]}"))
    return found


def _released_lines(path: Path, text: str) -> set[str]:
    """Stripped lines of a released file; for a notebook, of every cell and of its metadata."""
    if path.suffix != ".ipynb":
        return {line.strip() for line in text.splitlines()}
    notebook = json.loads(text)
    lines = set()
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        lines |= {line.strip() for line in source.splitlines()}
        lines |= {line.strip() for line in json.dumps(cell.get("metadata", {}),
                                                     ensure_ascii=False).split("\\n")}
    return lines


def differences(expected: Path, actual: Path) -> list[str]:
    """Files that differ between two release trees (relative paths, with what is wrong)."""
    problems = []
    comparison = filecmp.dircmp(expected, actual)

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        problems.extend(f"{prefix}{name}：仓库的 release/ 中缺少" for name in cmp.left_only)
        problems.extend(f"{prefix}{name}：不应存在（source/ 中没有）" for name in cmp.right_only)
        problems.extend(f"{prefix}{name}：与重新生成的版本不同" for name in cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(comparison, "")
    return problems


def check(course_dir: Path, ids: Iterable[str] = (), progress: bool = True) -> list[str]:
    """Every problem of the committed release: leaks, and differences from a fresh generation."""
    course_dir = Path(course_dir)
    ids = assignment_ids(course_dir, ids)
    with tempfile.TemporaryDirectory(prefix="crmlab-release-") as scratch:
        fresh = generate(course_dir, ids, Path(scratch), progress)
        problems = [str(leak) for leak in leaks(course_dir, fresh, ids)]
        course = Course.load(course_dir)
        problems += [str(leak) for leak in leaks(course_dir, _folder(course, "release"), ids)]
        for assignment in ids:
            committed = _folder(course, "release", assignment)
            if committed.is_dir():
                problems += [f"release/{assignment}/{p}" for p in
                             differences(fresh / assignment, committed)]
    return sorted(set(problems))


def release(course_dir: Path, ids: Iterable[str] = (), progress: bool = True) -> list[str]:
    """Regenerate ``release/<id>`` for ``ids`` (all by default) and check it for leaks.

    The new release replaces the old one only when it has no leak; returns the problems.
    """
    course_dir = Path(course_dir)
    ids = assignment_ids(course_dir, ids)
    with tempfile.TemporaryDirectory(prefix="crmlab-release-") as scratch:
        fresh = generate(course_dir, ids, Path(scratch), progress)
        problems = [str(leak) for leak in leaks(course_dir, fresh, ids)]
        if problems:
            return problems
        committed = _folder(course_dir, "release")
        for assignment in ids:
            target = committed / assignment
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(fresh / assignment, target)
    return [str(leak) for leak in leaks(course_dir, committed, ids)]
