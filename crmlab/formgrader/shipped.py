"""The prebuilt JupyterLab extension shipped in the package, and the sources it was built from.

``make labextension`` builds ``labextension/`` (the sources, at the repository's root) into
``crmlab/formgrader/labextension/`` and then runs ``python -m crmlab.formgrader.shipped`` to
record the digest of the sources it was built from; a test compares that record with the
sources as they are, so a change to the sources without a rebuild fails.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

BUILD = Path(__file__).resolve().parent / "labextension"
RECORD = BUILD / "source.sha256"
SOURCES = ("package.json", "package-lock.json", "src", "style")
"""What of ``labextension/`` the build is made from (``node_modules`` follows the lock file)."""


def source_digest(folder: Path) -> str:
    """SHA-256 over the names and bytes of the extension's source files, in a fixed order."""
    digest = hashlib.sha256()
    for name in SOURCES:
        path = folder / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                digest.update(file.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def recorded_digest() -> str | None:
    return RECORD.read_text(encoding="utf-8").strip() if RECORD.is_file() else None


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path.cwd() / "labextension"
    RECORD.write_text(source_digest(folder) + "\n", encoding="utf-8")
    print(f"已记录扩展源文件的摘要：{RECORD}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
