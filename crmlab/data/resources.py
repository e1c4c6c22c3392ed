"""Where the course's content is, installed or in a checkout, found with ``importlib.resources``.

The lessons, the report templates and the sample data stay at the repository's root
(``lessons/``, ``reports/``, ``data/``) and are shipped inside the
package as ``crmlab.lessons``, ``crmlab.report_templates`` and ``crmlab.sample_data`` (the
mapping is in ``setup.py``). A wheel or ``pip install .`` copies them into site-packages; an
editable install (``pip install -e .``, ``make venv``, ``environment.yml``) points the same
names at the checkout's folders. Either way, :func:`content_dir` gives the folder, so nothing
depends on the current directory or on where the code sits relative to the repository.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

from crmlab.rules.checks import CourseInputError

REPOSITORY = Path(__file__).resolve().parents[2]
"""The folder holding the ``crmlab`` package: the repository in a source checkout (where the
course's files and tools are), site-packages when installed (see :func:`checkout_root`). Every
module that needs the repository takes it from here."""

LESSONS = "crmlab.lessons"
REPORT_TEMPLATES = "crmlab.report_templates"
SAMPLE_DATA = "crmlab.sample_data"


def content_dir(package: str) -> Path:
    """The folder of one of the content packages (``LESSONS``, ``REPORT_TEMPLATES``,
    ``SAMPLE_DATA``) as a real path (papermill, JupyterLab and pandas need one)."""
    try:
        folder = resources.files(package)
    except ModuleNotFoundError:
        raise CourseInputError(
            f"安装不完整：找不到课程内容 {package}。请在项目文件夹中重新安装：pip install .", "安装"
        ) from None
    if not isinstance(folder, os.PathLike):  # e.g. run from a zip archive
        raise CourseInputError(f"课程内容 {package} 不在文件系统中（{folder}），无法使用", "安装")
    return Path(folder)


def checkout_root() -> Path | None:
    """The repository folder when crmlab runs from a source checkout (an editable install),
    else ``None`` (an installed package)."""
    checkout = (REPOSITORY / "pyproject.toml").is_file() and (REPOSITORY / "crmlab").is_dir()
    return REPOSITORY if checkout else None


def copy_lessons(target: Path) -> list[Path]:
    """Copy the shipped lessons (``*.ipynb``) into ``target/lessons``; a file already there is
    kept (it may hold a student's work). Returns the files copied."""
    folder = Path(target) / "lessons"
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for lesson in sorted(content_dir(LESSONS).glob("*.ipynb")):
        destination = folder / lesson.name
        if not destination.exists():
            shutil.copyfile(lesson, destination)
            copied.append(destination)
    return copied
