"""File operations root makes inside folders other accounts can write, without following links.

The course directory belongs to the instructors' group and the exchange to everyone: whatever
root changes there (copying the course in, giving files to the instructors, restoring the
gradebook) goes through these functions. Each walks the path one component at a time from a
folder root trusts, opening every component with ``O_NOFOLLOW`` relative to the folder above
it, so a symbolic link planted anywhere along the way is refused instead of followed, and no
path is looked up twice (nothing can be swapped between a check and its use).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from crmlab.rules.checks import CourseInputError

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_ANY = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _refused(path: Path) -> CourseInputError:
    return CourseInputError(f"{path} 是一个符号链接（或其中某一级文件夹是）：出于安全考虑不会跟随它，"
                            "请删除这个链接后再运行")


@contextlib.contextmanager
def _opened(base: Path, relative: Path, flags: int = _ANY, *, create_dirs: bool = False
            ) -> Iterator[int]:
    """A descriptor of ``base / relative``, reached without following any link below ``base``
    (``create_dirs``: ``relative`` is a folder, made where missing)."""
    parts = Path(relative).parts
    fd = os.open(base, _DIR)
    try:
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if create_dirs:  # (every component is a folder then)
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o700, dir_fd=fd)
            try:
                following = os.open(part, flags if last else _DIR, dir_fd=fd)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _refused(base / relative) from None
                raise
            os.close(fd)
            fd = following
        yield fd
    finally:
        os.close(fd)


def give(base: Path, relative: Path | str, uid: int, gid: int, dir_mode: int, file_mode: int) -> None:
    """``chown`` and ``chmod`` ``base / relative`` (a folder or a regular file) without following
    a link; anything else there (a link, a device, a FIFO) is refused."""
    with _opened(base, Path(relative)) as fd:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
            raise _refused(base / relative)
        os.fchown(fd, uid, gid)
        os.fchmod(fd, dir_mode if stat.S_ISDIR(mode) else file_mode)


def give_tree(base: Path, uid: int, gid: int, dir_mode: int, file_mode: int) -> int:
    """:func:`give` ``base`` and everything below it; links are left alone (never followed,
    never changed). Returns how many entries were changed."""
    entries = [Path(".")]
    for folder, dirs, files in os.walk(base):
        here = Path(folder)
        entries += [(here / name).relative_to(base) for name in (*dirs, *files)
                    if not (here / name).is_symlink()]
    for entry in entries:
        give(base, entry, uid, gid, dir_mode, file_mode)
    return len(entries)


def write_new(base: Path, relative: Path | str, data: bytes, mode: int = 0o600) -> bool:
    """Create the file ``base / relative`` with ``data`` (folders made on the way); False when
    something is already there (never replaced). A link anywhere on the way is refused."""
    relative = Path(relative)
    with _opened(base, relative.parent, _DIR, create_dirs=True) as folder:
        try:
            fd = os.open(relative.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, mode, dir_fd=folder)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    return True


def replace(base: Path, relative: Path | str, data: bytes, uid: int, gid: int, mode: int) -> None:
    """Put ``data`` at ``base / relative`` in one step (a new file renamed over the old entry:
    a link there is replaced, not followed)."""
    relative = Path(relative)
    temporary = f".{relative.name}.crmlab-new"
    with _opened(base, relative.parent, _DIR) as folder:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=folder)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600, dir_fd=folder)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            os.fchown(out.fileno(), uid, gid)
            os.fchmod(out.fileno(), mode)
        os.rename(temporary, relative.name, src_dir_fd=folder, dst_dir_fd=folder)


@contextlib.contextmanager
def open_regular(base: Path, relative: Path | str) -> Iterator[str]:
    """A path (``/proc/self/fd/N``) to the regular file ``base / relative`` as it was opened
    without following links, for libraries that want a file name (SQLite)."""
    with _opened(base, Path(relative)) as fd:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _refused(base / relative)
        yield f"/proc/self/fd/{fd}"
