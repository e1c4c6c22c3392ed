"""nbgrader's exchange, trusting nothing a student wrote into it.

nbgrader 0.9's own ``collect`` believes the folder names and files students put in ``inbound``:
anyone can plant ``<classmate>+hw01+2099-…`` (the owner check only logs a warning), the newest
name's date wins, the student's ``timestamp.txt`` decides lateness, and ``shutil.copytree``
follows symbolic links past the size check (a link to the course's ``source/``, the gradebook,
``/proc/self/environ`` or ``/dev/zero``), stops for everyone at a FIFO or a dangling link, and
an id such as ``..`` becomes a path. ``nbgrader_config.py`` replaces the two exchange steps that
meet students' files (``c.ExchangeFactory.collect`` / ``.submit``), so ``nbgrader collect``,
Formgrader's 收取 button and crmlab's commands all go through :class:`SafeCollect`:

- **Whose folder.** A submission is taken only from a folder (not a link) owned by the Unix
  account its id names (on ``crmlab hub`` the student's own ``jupyter-<学号>``), or by the
  collecting account or root (the course's staff, and a class simulated on one machine, where
  one account plays every student). Anything else is refused with one Chinese line; a planted
  folder never competes with the real one. The id must be a safe name
  (:func:`id_problem`) and, where the course keeps a roster (``SafeCollect.roster_only``, as
  ``crmlab hub`` sets it), one of the gradebook's students.
- **When.** The submission time is the exchange's own record: the newest status-change time
  (``ctime``) of the folder and of everything in it, as the collector sees it. No account but
  root can set a ``ctime`` back, so a late change can never look early; the folder's name and
  the student's ``timestamp.txt`` are ignored, and ``submitted/…/timestamp.txt`` is written from
  the record (lateness and Formgrader read it there).
- **What.** Only regular files within nbgrader's ``CourseDirectory.max_file_size`` and, all
  together, ``max_dir_size``, owned by the folder's owner, are copied, each opened relative to
  its folder with ``O_NOFOLLOW`` and read no further than the limit. A link, FIFO, socket,
  device, unreadable or oversized entry is skipped with one line; the others' collect goes on.

Ownership means something only where each student is their own Unix account (``crmlab hub``);
on Kubernetes every server runs as one uid, so there the owner check cannot tell students apart
(docs/deploy.md says what that leaves open).

:class:`SafeSubmit` refuses, on a shared exchange, ``nbgrader submit --student=<someone else>``
and an unsafe id before anything is written; the collect side stays the wall.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import pwd
import re
import shutil
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import get_username
from traitlets import Bool

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
"""A student id that may become a folder name and a spreadsheet cell: letters, digits, ``_``,
``.``, ``-``, starting with a letter or digit (so never ``=``, ``+``, ``-``, ``@``, ``.``)."""

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's own (Exchange.timestamp_format)
MAX_ENTRIES = 10_000
"""Entries looked at in one submission folder; the rest are skipped with one line."""
MAX_DEPTH = 16

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CHUNK = 1 << 20

KINDS = {stat.S_IFLNK: "符号链接", stat.S_IFIFO: "管道（FIFO）", stat.S_IFSOCK: "套接字",
         stat.S_IFCHR: "设备文件", stat.S_IFBLK: "设备文件"}


def shown(text: str, limit: int = 80) -> str:
    """A name from the exchange as one safe line: control characters escaped, cut at ``limit``."""
    safe = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return safe if len(safe) <= limit else safe[:limit] + "…"


def id_problem(student_id: str) -> str | None:
    """Why ``student_id`` cannot be a student's id (a Chinese phrase), or None."""
    if not SAFE_ID.match(student_id) or ".." in student_id:
        return ("不是合法的学号（只能由英文字母、数字、下划线、点和减号组成，以字母或数字开头，"
                "不能含「..」）")
    return None


def account_uid(name: str) -> int | None:
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        return None


def account_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def as_timestamp(seconds: float) -> str:
    """A POSIX time in nbgrader's ``timestamp.txt`` format (UTC)."""
    return datetime.fromtimestamp(seconds, UTC).strftime(TIMESTAMP_FORMAT)


def naive_utc(seconds: float) -> datetime:
    """A POSIX time as the gradebook keeps times (naive UTC)."""
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


@dataclass
class Limits:
    """What one submission may bring into the course."""

    file_bytes: int
    total_bytes: int
    ignore: list[str]
    include: list[str]


@dataclass
class Copy:
    """What copying one submission folder did: the newest change time seen, files copied and
    one line per entry skipped."""

    newest: float = 0.0
    files: int = 0
    bytes: int = 0
    entries: int = 0
    skipped: list[str] = field(default_factory=list)

    def saw(self, status: os.stat_result) -> None:
        self.newest = max(self.newest, status.st_ctime)


def _read_limited(fd: int, limit: int) -> bytes | None:
    """The file's bytes, or None when it holds more than ``limit`` (read no further)."""
    chunks, size = [], 0
    while True:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


class TreeCopier:
    """Copy a folder of the exchange, opened as ``folder_fd``, into ``dest`` without following
    any link; only regular files owned by ``owner`` within ``limits`` (see the module's note).
    With ``dest`` None nothing is written: the walk only records the newest change time."""

    def __init__(self, owner: int, limits: Limits, dest: str | None, file_mode: int,
                 dir_mode: int):
        self.owner, self.limits, self.dest = owner, limits, dest
        self.file_mode, self.dir_mode = file_mode, dir_mode
        self.done = Copy()

    def run(self, folder_fd: int) -> Copy:
        if self.dest is not None:
            os.makedirs(self.dest, exist_ok=True)
            os.chmod(self.dest, self.dir_mode)
        self._walk(folder_fd, "", 0)
        return self.done

    def _skip(self, relative: str, why: str) -> None:
        self.done.skipped.append(f"「{shown(relative)}」{why}，已跳过")

    def _walk(self, fd: int, relative: str, depth: int) -> None:
        try:
            names = sorted(os.listdir(fd))
        except OSError as error:
            self._skip(relative or ".", f"无法读取（{error.strerror}）")
            return
        self.done.saw(os.fstat(fd))
        for name in names:
            path = f"{relative}/{name}" if relative else name
            self.done.entries += 1
            if self.done.entries > MAX_ENTRIES:
                self._skip(path, f"之后的内容超过 {MAX_ENTRIES} 项")
                return
            try:
                status = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except OSError as error:
                self._skip(path, f"无法读取（{error.strerror}）")
                continue
            self.done.saw(status)  # every change counts, also to what is not copied
            if any(fnmatch.fnmatch(name, glob) for glob in self.limits.ignore):
                continue
            kind = stat.S_IFMT(status.st_mode)
            if kind in KINDS:
                self._skip(path, f"是{KINDS[kind]}，不会被跟随或读取")
            elif status.st_uid != self.owner:
                self._skip(path, f"属于另一个账户（{account_name(status.st_uid)}），不是提交者本人的")
            elif kind == stat.S_IFDIR:
                self._folder(fd, name, path, depth)
            elif kind == stat.S_IFREG:
                self._file(fd, name, path, status)
            else:
                self._skip(path, "不是普通文件")

    def _folder(self, parent: int, name: str, path: str, depth: int) -> None:
        if depth + 1 >= MAX_DEPTH:
            self._skip(path, f"的文件夹层级超过 {MAX_DEPTH} 层")
            return
        try:
            fd = os.open(name, _DIR, dir_fd=parent)
        except OSError as error:
            self._skip(path, f"无法打开（{error.strerror}）")
            return
        try:
            if self.dest is not None:
                os.makedirs(os.path.join(self.dest, path), exist_ok=True)
                os.chmod(os.path.join(self.dest, path), self.dir_mode)
            self._walk(fd, path, depth + 1)
        finally:
            os.close(fd)

    def _file(self, parent: int, name: str, path: str, status: os.stat_result) -> None:
        limits = self.limits
        if limits.include and not any(fnmatch.fnmatch(name, glob) for glob in limits.include):
            return
        budget = min(limits.file_bytes, limits.total_bytes - self.done.bytes)
        if status.st_size > limits.file_bytes:
            self._skip(path, f"太大（{status.st_size} 字节，上限 {limits.file_bytes} 字节）")
            return
        if status.st_size > budget:
            self._skip(path, f"超出整份提交的大小上限（{limits.total_bytes} 字节）")
            return
        if self.dest is None:
            return
        try:
            fd = os.open(name, _FILE, dir_fd=parent)
        except OSError as error:
            why = "是符号链接" if error.errno == errno.ELOOP else f"无法读取（{error.strerror}）"
            self._skip(path, why)
            return
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode) or opened.st_uid != self.owner:
                self._skip(path, "在收取时被换成了别的东西")
                return
            data = _read_limited(fd, budget)
            self.done.saw(os.fstat(fd))
        except OSError as error:
            self._skip(path, f"无法读取（{error.strerror}）")
            return
        finally:
            os.close(fd)
        if data is None:
            self._skip(path, "在收取时变得太大")
            return
        target = os.path.join(self.dest, path)
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                      self.file_mode)
        with os.fdopen(out, "wb") as handle:
            handle.write(data)
        os.chmod(target, self.file_mode)
        self.done.files += 1
        self.done.bytes += len(data)


@dataclass
class Candidate:
    """A folder of ``inbound`` that may be a submission of this assignment."""

    name: str
    student_id: str
    owner: int = -1
    newest: float = 0.0  # the exchange's record: newest ctime in the folder


class SafeCollect(ExchangeCollect):
    """``nbgrader collect`` that takes only what the exchange itself can vouch for."""

    roster_only = Bool(False, help=(
        "Take submissions only from students the gradebook already has (the class roster). "
        "crmlab hub enrols its roster and sets this; a course without a roster leaves it off, "
        "since nbgrader adds a student to the gradebook only when first graded.")).tag(config=True)

    # --- finding the submissions ------------------------------------------------------------

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("没有指定课程编号：请用 --course 指定，或在 nbgrader_config.py 中设置 "
                      "CourseDirectory.course_id")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        try:
            self.inbound_fd = os.open(self.inbound_path, _DIR)
        except OSError as error:
            self.fail(f"无法打开交换区的提交文件夹 {self.inbound_path}（{error.strerror}）："
                      "请先发布作业，并确认当前账户能读取它")
        self.refused: list[str] = []
        self.unproven: list[str] = []  # taken from folders the collecting account owns
        roster, self.duedate = self._gradebook_facts()
        staff = {0, os.geteuid()}
        wanted = self.coursedir.student_id or "*"
        by_student: dict[str, list[Candidate]] = {}
        for name in sorted(os.listdir(self.inbound_fd)):
            candidate = self._candidate(name)
            if candidate is None or not fnmatch.fnmatchcase(candidate.student_id, wanted):
                continue
            if self._accepted(candidate, roster, staff):
                by_student.setdefault(candidate.student_id, []).append(candidate)
        for line in self.refused:
            self.log.warning(line)
        if self.unproven:
            self.log.warning(
                "%d 个提交文件夹属于收取者自己的账户（%s），不属于学号所指的账户：在所有人共用一个系统账户的"
                "部署上（如 Kubernetes），无法从文件夹确认是谁提交的，见 docs/deploy.md「交换区」",
                len(self.unproven), account_name(os.geteuid()))
        self.src_records = [self._chosen(found) for found in by_student.values()]

    def _gradebook_facts(self) -> tuple[set[str], datetime | None]:
        """The gradebook's student ids and this assignment's due date."""
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gradebook:
            roster = {student.id for student in gradebook.students}
            try:
                duedate = gradebook.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                duedate = None
        return roster, duedate

    def _candidate(self, name: str) -> Candidate | None:
        """The folder ``name`` read as nbgrader names submissions (``id+assignment+time`` with
        an optional ``+random``); None when it is not one of this assignment."""
        assignment = self.coursedir.assignment_id
        for parts in (name.rsplit("+", 3), name.rsplit("+", 2)):
            if len(parts) >= 3 and parts[1] == assignment:
                return Candidate(name, parts[0])
        return None

    def _refuse(self, candidate: Candidate, why: str) -> bool:
        self.refused.append(f"拒收「{shown(candidate.name)}」：{why}")
        return False

    def _accepted(self, candidate: Candidate, roster: set[str], staff: set[int]) -> bool:
        student_id = candidate.student_id
        problem = id_problem(student_id)
        if problem:
            return self._refuse(candidate, f"学号「{shown(student_id)}」{problem}")
        if self.roster_only and student_id not in roster:
            return self._refuse(candidate, f"学号「{student_id}」不在本课程的名单（成绩库的学生）上")
        try:
            status = os.stat(candidate.name, dir_fd=self.inbound_fd, follow_symlinks=False)
        except OSError as error:
            return self._refuse(candidate, f"无法读取（{error.strerror}）")
        if not stat.S_ISDIR(status.st_mode):
            kind = KINDS.get(stat.S_IFMT(status.st_mode), "文件")
            return self._refuse(candidate, f"这是一个{kind}，不是提交的文件夹")
        own = account_uid(student_id)
        if status.st_uid != own and status.st_uid not in staff:
            owner = account_name(status.st_uid)
            return self._refuse(candidate, f"文件夹属于账户「{owner}」，不是学号「{student_id}」"
                                           "本人的账户：不能替别人提交")
        candidate.owner = status.st_uid
        if status.st_uid != own and status.st_uid == os.geteuid() != 0:
            self.unproven.append(student_id)
        with self._opened(candidate) as fd:
            if fd is None:
                return False
            candidate.newest = TreeCopier(candidate.owner, self._limits(), None, 0, 0).run(fd).newest
        return True

    @contextlib.contextmanager
    def _opened(self, candidate: Candidate):
        try:
            fd = os.open(candidate.name, _DIR, dir_fd=self.inbound_fd)
        except OSError as error:
            self._refuse(candidate, f"无法打开（{error.strerror}）")
            yield None
            return
        try:
            yield fd
        finally:
            os.close(fd)

    def _chosen(self, found: list[Candidate]) -> Candidate:
        """The newest by the exchange's record; with ``--before-duedate``, the newest made
        before the due date if there is one."""
        found = sorted(found, key=lambda c: c.newest, reverse=True)
        if self.before_duedate and self.duedate is not None:
            early = [c for c in found if naive_utc(c.newest) <= self.duedate]
            return (early or found)[0]
        return found[0]

    def _limits(self) -> Limits:
        coursedir = self.coursedir
        return Limits(file_bytes=1000 * coursedir.max_file_size,
                      total_bytes=1000 * coursedir.max_dir_size,
                      ignore=[*coursedir.ignore, "timestamp.txt"], include=list(coursedir.include))

    # --- copying them -----------------------------------------------------------------------

    def copy_files(self):
        assignment = self.coursedir.assignment_id
        try:
            if not self.src_records:
                self.log.warning("作业 %s 没有可以收取的提交", assignment)
            collected = sum(self._collect_one(candidate) for candidate in self.src_records)
            self.log.info("作业 %s：收取 %d 份，拒收 %d 个文件夹", assignment, collected,
                          len(self.refused))
        finally:
            os.close(self.inbound_fd)

    def _collect_one(self, candidate: Candidate) -> bool:
        """Collect one student's submission; a failure is one line, and the others go on."""
        try:
            return self._collect(candidate)
        except OSError as error:
            self.log.error("收取 %s 的提交失败（%s）：其他同学的收取继续", candidate.student_id,
                           error.strerror or error)
            return False

    def _collect(self, candidate: Candidate) -> bool:
        student_id, assignment = candidate.student_id, self.coursedir.assignment_id
        dest = self.coursedir.format_path(self.coursedir.submitted_directory, student_id, assignment)
        if os.path.isdir(dest) and not self._replaces(dest, candidate):
            return False
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        staging = os.path.join(os.path.dirname(dest), f".{assignment}.collecting")
        shutil.rmtree(staging, ignore_errors=True)
        shared = self.coursedir.groupshared
        copier = TreeCopier(candidate.owner, self._limits(), staging,
                            0o664 if shared else 0o644, 0o2775 if shared else 0o755)
        try:
            with self._opened(candidate) as fd:
                if fd is None:
                    self.log.warning(self.refused[-1])
                    return False
                done = copier.run(fd)
            newest = max(candidate.newest, done.newest)
            with open(os.path.join(staging, "timestamp.txt"), "w", encoding="utf-8") as out:
                out.write(as_timestamp(newest))
            for line in done.skipped:
                self.log.warning("%s 的提交中%s", student_id, line)
            if os.path.isdir(dest):
                shutil.rmtree(dest)
            os.rename(staging, dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.log.info("已收取 %s 的 %s（%d 个文件；交换区记录的提交时间 %s）", student_id, assignment,
                      done.files, as_timestamp(newest))
        return True

    def _replaces(self, dest: str, candidate: Candidate) -> bool:
        """Whether an already collected submission gives way, as nbgrader's ``--update`` and
        ``--before-duedate`` decide, by the times this exchange recorded."""
        existing = self.coursedir.get_existing_timestamp(dest)
        new = naive_utc(candidate.newest)
        if existing is not None and existing.tzinfo is not None:
            existing = existing.astimezone(UTC).replace(tzinfo=None)
        if self.update and (existing is None or new > existing):
            return True
        if self.before_duedate and existing != new:
            return True
        hint = "没有更新的提交" if self.update else "已经收取过（加 --update 收取更新的提交）"
        self.log.info("%s 的 %s %s", candidate.student_id, self.coursedir.assignment_id, hint)
        return False


class SafeSubmit(ExchangeSubmit):
    """``nbgrader submit`` that will not submit under a classmate's id on a shared exchange,
    nor under an id that is unsafe as a path or a spreadsheet cell."""

    def init_dest(self):
        requested = self.coursedir.student_id
        student_id = requested if requested and requested != "*" else get_username()
        problem = id_problem(student_id)
        if problem:
            self.fail(f"学号「{shown(student_id)}」{problem}，不能提交")
        own = get_username()
        if student_id != own and not self._own_exchange():
            self.fail(f"只能以自己的账户（{own}）提交作业，不能用 --student={shown(student_id)} "
                      "替别人提交")
        super().init_dest()

    def _own_exchange(self) -> bool:
        """Root, or an exchange this account made (a class played on one machine)."""
        inbound = os.path.join(self.root, self.coursedir.course_id, "inbound")
        try:
            return os.geteuid() == 0 or os.stat(inbound).st_uid == os.geteuid()
        except OSError:
            return False

    def copy_files(self):
        super().copy_files()
        # nbgrader leaves the submission 0777 "so the instructor can delete it": in a setgid
        # inbound (crmlab hub) the instructors' group can do that with 2775, and classmates
        # cannot write into it.
        if os.stat(self.inbound_path).st_mode & stat.S_ISGID:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(self.inbound_path, self.assignment_filename), 0o2775)
