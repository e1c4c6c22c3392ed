"""Snapshots of the gradebook and of the hub's database, and putting a gradebook back.

While ``crmlab hub`` runs it copies ``course/gradebook.db`` and ``state/jupyterhub.sqlite`` with
SQLite's online backup API (a consistent copy even while someone writes) into
``<root>/backups/`` (root only): every ``--backup-minutes`` and shortly after each change of the
gradebook (a collect, an autograde, a mark typed in Formgrader). Snapshots are thinned out as
they age: all of the last hour, one per hour for a day, one per day for a semester.
``crmlab hub restore-gradebook [时间]`` shows what differs and puts one back.

The gradebook lies in a folder the instructors' group can write: it is opened without following
links (``safefs``) and written back by renaming a new file over it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from crmlab.commands.hub import safefs
from crmlab.grading.gradebook import GRADEBOOK_FILE as GRADEBOOK
from crmlab.rules.checks import CourseInputError

HUB_DATABASE = "jupyterhub.sqlite"
STAMP = "%Y%m%d-%H%M%S"
KEEP_ALL = timedelta(hours=1)
KEEP_HOURLY = timedelta(days=1)
KEEP_DAILY = timedelta(days=180)


@dataclass(frozen=True)
class Snapshot:
    path: Path
    kind: str  # "gradebook" or "jupyterhub"
    taken: datetime

    @property
    def label(self) -> str:
        return self.taken.strftime("%Y-%m-%d %H:%M:%S")


def _copy(source: str, target: Path, *, uri: bool = False) -> None:
    temporary = target.with_name(f".{target.name}.part")
    temporary.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(source, uri=uri, timeout=30)) as db, \
            contextlib.closing(sqlite3.connect(temporary)) as copy:
        db.backup(copy)
    temporary.chmod(0o600)
    temporary.rename(target)


def snapshot(root: Path, now: datetime | None = None) -> list[Snapshot]:
    """Copy the gradebook and the hub's database (those that exist) into ``<root>/backups``."""
    now = now or datetime.now()
    folder = root / "backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    folder.chmod(0o700)
    taken = []
    course = root / "course"
    if (course / GRADEBOOK).is_file() and not (course / GRADEBOOK).is_symlink():
        target = folder / f"gradebook-{now.strftime(STAMP)}.db"
        with safefs.open_regular(course, GRADEBOOK) as path:
            _copy(f"file:{path}?mode=ro", target, uri=True)
        taken.append(Snapshot(target, "gradebook", now))
    hub_db = root / "state" / HUB_DATABASE
    if hub_db.is_file():
        target = folder / f"jupyterhub-{now.strftime(STAMP)}.sqlite"
        _copy(f"file:{hub_db}?mode=ro", target, uri=True)
        taken.append(Snapshot(target, "jupyterhub", now))
    return taken


def snapshots(root: Path, kind: str = "gradebook") -> list[Snapshot]:
    """The snapshots of ``kind`` in ``<root>/backups``, oldest first."""
    found = []
    for path in (root / "backups").glob(f"{kind}-*"):
        try:
            taken = datetime.strptime(path.stem.split("-", 1)[1], STAMP)
        except ValueError:
            continue
        found.append(Snapshot(path, kind, taken))
    return sorted(found, key=lambda s: s.taken)


def rotate(root: Path, now: datetime | None = None) -> list[Path]:
    """Thin the snapshots out (all of the last hour, hourly for a day, daily for a semester);
    returns the files removed."""
    now = now or datetime.now()
    removed = []
    for kind in ("gradebook", "jupyterhub"):
        kept_buckets: set = set()
        for snap in reversed(snapshots(root, kind)):  # newest first: each bucket keeps its newest
            age = now - snap.taken
            if age <= KEEP_ALL:
                continue
            if age <= KEEP_HOURLY:
                bucket = ("hour", snap.taken.strftime("%Y%m%d%H"))
            elif age <= KEEP_DAILY:
                bucket = ("day", snap.taken.strftime("%Y%m%d"))
            else:
                bucket = None
            if bucket is not None and bucket not in kept_buckets:
                kept_buckets.add(bucket)
                continue
            snap.path.unlink(missing_ok=True)
            removed.append(snap.path)
    return removed


class Watcher:
    """Takes snapshots while the hub runs: every ``minutes``, and when the gradebook has
    changed and then stayed unchanged for ``settle`` seconds."""

    def __init__(self, root: Path, minutes: float, settle: float = 5.0):
        self.root, self.every, self.settle = root, timedelta(minutes=minutes), timedelta(seconds=settle)
        self.last = datetime.min
        self.seen = self._signature()

    def _signature(self) -> tuple | None:
        with contextlib.suppress(OSError):
            info = (self.root / "course" / GRADEBOOK).lstat()
            return info.st_mtime_ns, info.st_size, info.st_ino
        return None

    def tick(self, now: datetime | None = None) -> list[Snapshot]:
        now = now or datetime.now()
        signature = self._signature()
        changed = signature != self.seen and signature is not None
        settled = changed and datetime.fromtimestamp(signature[0] / 1e9) <= now - self.settle
        if not (settled or now - self.last >= self.every):
            return []
        self.seen, self.last = signature, now
        taken = snapshot(self.root, now)
        rotate(self.root, now)
        return taken


# --- what a snapshot holds, and putting one back ------------------------------------------------

_SUBMITTED = """
FROM submitted_notebook sn
JOIN submitted_assignment s ON sn.assignment_id = s.id
JOIN assignment a ON s.assignment_id = a.id
JOIN notebook n ON sn.notebook_id = n.id
"""
def marks(path: str, *, uri: bool = False) -> dict[tuple, tuple]:
    """Every grade and comment of a gradebook: (student, assignment, notebook, cell) → (auto
    score, manual score, extra credit, comment)."""
    grades = ("SELECT s.student_id, a.name, n.name, c.name, g.auto_score, g.manual_score, "
              "g.extra_credit" + _SUBMITTED + "JOIN grade g ON g.notebook_id = sn.id "
              "JOIN base_cell c ON g.cell_id = c.id")
    comments = ("SELECT s.student_id, a.name, n.name, c.name, m.manual_comment" + _SUBMITTED
                + "JOIN comment m ON m.notebook_id = sn.id JOIN base_cell c ON m.cell_id = c.id")
    found: dict[tuple, list] = {}
    with contextlib.closing(sqlite3.connect(path, uri=uri)) as db:
        try:
            for *key, auto, manual, extra in db.execute(grades):
                found.setdefault(tuple(key), [None] * 4)[:3] = [auto, manual, extra]
            for *key, comment in db.execute(comments):
                found.setdefault(tuple(key), [None] * 4)[3] = comment
        except sqlite3.DatabaseError:
            return {}
    return {key: tuple(values) for key, values in found.items()}


def _score(values: tuple | None) -> str:
    if values is None:
        return "（无）"
    auto, manual, extra, comment = values
    score = manual if manual is not None else auto
    text = "未评分" if score is None else f"{score:g} 分"
    if extra:
        text += f"（加分 {extra:g}）"
    return text + (f"，评语「{comment}」" if comment else "")


def differences(current: dict, saved: dict, limit: int = 30) -> list[str]:
    """What restoring ``saved`` over ``current`` would change, one Chinese line each."""
    lines = []
    for key in sorted(set(current) | set(saved)):
        if current.get(key) != saved.get(key):
            student, assignment, notebook, cell = key
            lines.append(f"  {student} · {assignment} · {cell}：现在 {_score(current.get(key))}"
                         f" → 恢复后 {_score(saved.get(key))}")
    if len(lines) > limit:
        lines = [*lines[:limit], f"  ……另有 {len(lines) - limit} 处不同"]
    return lines


def choose(root: Path, when: str | None) -> Snapshot:
    """The newest gradebook snapshot taken at or before ``when`` (``YYYY-MM-DD HH:MM[:SS]``, or
    a date), or the newest of all."""
    found = snapshots(root)
    if not found:
        raise CourseInputError(f"{root / 'backups'} 中还没有成绩库的备份")
    if not when:
        return found[-1]
    moment = None
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", STAMP):
        with contextlib.suppress(ValueError):
            moment = datetime.strptime(when.strip(), pattern)
            if pattern == "%Y-%m-%d":
                moment += timedelta(days=1, microseconds=-1)
            break
    if moment is None:
        raise CourseInputError(f"看不懂时间「{when}」：请写成 2026-03-01 14:30 或 2026-03-01")
    earlier = [snap for snap in found if snap.taken <= moment]
    if not earlier:
        raise CourseInputError(f"{when} 之前没有备份：最早的一份是 {found[0].label}")
    return earlier[-1]


def describe(root: Path, chosen: Snapshot) -> list[str]:
    """Lines telling which snapshot this is and how it differs from the gradebook now."""
    course = root / "course"
    if (course / GRADEBOOK).is_file() and not (course / GRADEBOOK).is_symlink():
        with safefs.open_regular(course, GRADEBOOK) as path:
            current = marks(f"file:{path}?mode=ro", uri=True)
        now_text = f"现在的成绩库有 {len(current)} 项成绩"
    else:
        current, now_text = {}, "现在没有成绩库（已被删除或移走）"
    saved = marks(f"file:{chosen.path}?mode=ro", uri=True)
    head = [f"备份时间 {chosen.label}，其中有 {len(saved)} 项成绩；{now_text}。"]
    changes = differences(current, saved)
    return head + (["恢复后会有这些变化："] + changes if changes else ["两者的成绩完全相同。"])


def restore(root: Path, chosen: Snapshot, gid: int) -> Path:
    """Put ``chosen`` back as ``course/gradebook.db`` (the gradebook now is snapshotted first);
    returns that pre-restore snapshot's path, or the gradebook's when there was nothing."""
    before = snapshot(root)
    data = chosen.path.read_bytes()
    safefs.replace(root / "course", GRADEBOOK, data, 0, gid, 0o660)
    return next((snap.path for snap in before if snap.kind == "gradebook"),
                root / "course" / GRADEBOOK)
