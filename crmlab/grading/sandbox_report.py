"""What the grading sandbox saw of one kernel, as data: the report each sandboxed kernel leaves
(JSON, one file per kernel) for ``crmlab autograde`` to read, instead of markers in nbgrader's
log and phrases searched for in the graded notebook.

- ``leftover_processes``: processes the submission started and left running when its kernel
  was shut down (the sandbox ended them);
- ``out_of_memory_kills``: processes the kernel's memory cgroup killed for going over the
  submission's memory limit;
- ``refused``: what the sandbox said no to, by kind (:data:`KINDS`), as the executed cells
  reported it: an error a cell raised (its exception and ``errno``) or printed after catching it;
- ``limits``: the submission's own limits it reached (:data:`LIMITS`): its total time (the cells
  left were not run and count 0) or the output it may keep (the rest was not kept).
"""

from __future__ import annotations

import errno
import json
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

KINDS = ("memory", "processes", "network", "file_size", "disk_space", "read_only", "permission")
"""What the sandbox can refuse, in the order a grader reads about them."""

LIMITS = ("wall_time", "output")
"""Limits on a whole submission (not a cell) that grading enforces."""

ERRNO_KINDS = {
    errno.ENOMEM: "memory",  # Cannot allocate memory
    errno.EAGAIN: "processes",  # Resource temporarily unavailable (fork over the process limit)
    errno.ENETUNREACH: "network",  # Network is unreachable
    errno.ECONNREFUSED: "network",  # Connection refused
    errno.EFBIG: "file_size",  # File too large
    errno.ENOSPC: "disk_space",  # No space left on device
    errno.EROFS: "read_only",  # Read-only file system
    errno.EACCES: "permission",  # Permission denied
}
"""The system's refusals (an ``OSError``'s ``errno``) and what each means in the sandbox."""

EXCEPTION_KINDS = {"MemoryError": "memory", "_ArrayMemoryError": "memory", "gaierror": "network"}
"""Exceptions that mean a refusal whatever their message (numpy's is ``_ArrayMemoryError``,
a name lookup without network a ``socket.gaierror``)."""

MESSAGE_KINDS = {
    "Unable to allocate": "memory",  # numpy
    "can't start new thread": "processes",
    "Temporary failure in name resolution": "network",
    "Name or service not known": "network",
}
"""Refusals reported without an ``errno``, by the words of their message."""

_ERRNO = re.compile(r"\[Errno (\d+)\]")
_WORDS = {**{os.strerror(code): kind for code, kind in ERRNO_KINDS.items()}, **MESSAGE_KINDS}


def refusals(outputs: Iterable[dict]) -> list[str]:
    """The kinds of refusal the outputs of one executed cell report, in :data:`KINDS` order: an
    error output by its exception and ``errno`` (and the words of the errors chained in its
    traceback), printed or displayed text (a caught error) by its words."""
    found = set()
    for output in outputs:
        if output.get("output_type") == "error":
            ename, evalue = str(output.get("ename", "")), str(output.get("evalue", ""))
            found.update(kind for name, kind in EXCEPTION_KINDS.items() if ename == name)
            found.update(ERRNO_KINDS[int(code)] for code in _ERRNO.findall(evalue)
                         if int(code) in ERRNO_KINDS)
            text = "\n".join([evalue, *map(str, output.get("traceback") or [])])
        elif output.get("output_type") == "stream":
            text = str(output.get("text", ""))
        else:  # an execute_result or display_data: a caught error shown as the cell's value
            text = str((output.get("data") or {}).get("text/plain", ""))
        found.update(kind for words, kind in _WORDS.items() if words in text)
    return [kind for kind in KINDS if kind in found]


@dataclass
class SandboxReport:
    """One kernel's report."""

    leftover_processes: int = 0
    out_of_memory_kills: int = 0
    refused: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)

    def add_limit(self, kind: str) -> None:
        met = {*self.limits, kind}
        self.limits = [k for k in LIMITS if k in met]

    def add_refusals(self, kinds: Iterable[str]) -> None:
        met = {*self.refused, *kinds}
        self.refused = [kind for kind in KINDS if kind in met]

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"kernel-{uuid.uuid4().hex}.json"
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")
        return path

    @classmethod
    def read_all(cls, folder: Path) -> SandboxReport:
        """Every kernel's report in ``folder`` (one submission's), added up; an unreadable
        report counts as none (the grader never trusts its shape)."""
        total = cls()
        for path in sorted(Path(folder).glob("kernel-*.json")) if Path(folder).is_dir() else []:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                total.leftover_processes += int(data.get("leftover_processes", 0))
                total.out_of_memory_kills += int(data.get("out_of_memory_kills", 0))
                total.add_refusals(k for k in data.get("refused", []) if k in KINDS)
                for kind in data.get("limits", []):
                    if kind in LIMITS:
                        total.add_limit(kind)
            except (OSError, ValueError, TypeError, AttributeError):
                continue
        return total
