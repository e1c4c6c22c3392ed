"""A hub user's server: prepare the home, then become ``jupyterhub-singleuser``.

Runs as the user (``python -m crmlab.commands.hub.singleuser ARGS``, the hub's ``Spawner.cmd``), so
everything it writes in the home is the user's own:

- the lessons (every notebook of ``lessons/``) and the data they read are copied in on the
  first start; later starts add what is new and never overwrite what the user changed;
- an instructor gets nbgrader's instructor pages back for themself (the environment turns
  Formgrader, Create Assignment and Course List off for everyone: nbgrader's documented way
  to switch extensions per user) and ``~/course``, a link to the course directory, which
  Formgrader needs under the server's root folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from crmlab.data.resources import REPOSITORY

PROJECT = REPOSITORY
"""The hub's copy of the project (``<root>/app``): lessons, data, the crmlab package."""

COPIED = ("lessons", "data")
"""Folders of the project every user gets a copy of."""

INSTRUCTOR_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                          "@jupyter/nbgrader:course-list")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader",
                                "nbgrader.server_extensions.course_list")
COURSE_LINK = "course"


def project_files(source: Path) -> list[Path]:
    """The files of ``source`` a copy takes, relative to it (hidden files and Python package
    files such as ``__init__.py`` stay behind)."""
    return [path.relative_to(source) for path in sorted(source.rglob("*"))
            if not path.is_dir()
            and not any(part.startswith((".", "__")) for part in path.relative_to(source).parts)]


def copy_new_files(source: Path, target: Path) -> list[Path]:
    """Copy each file of ``source`` missing from ``target``; return what was copied."""
    copied = []
    for relative in project_files(source):
        destination = target / relative
        if destination.exists() or destination.is_symlink():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, destination)
        copied.append(destination)
    return copied


def copy_lessons(home: Path, project: Path = PROJECT) -> list[Path]:
    """Give ``home`` the lessons and data it does not have yet."""
    copied = []
    for folder in COPIED:
        if (project / folder).is_dir():
            copied += copy_new_files(project / folder, home / folder)
    return copied


def _merge_json(path: Path, update: dict) -> None:
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}

    def merge(into: dict, new: dict) -> dict:
        for key, value in new.items():
            into[key] = merge(into.get(key) or {}, value) if isinstance(value, dict) else value
        return into

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merge(current, update), indent=2) + "\n", encoding="utf-8")


def set_up_instructor(home: Path, course: Path) -> None:
    """Formgrader over the course directory, in this instructor's server only."""
    link = home / COURSE_LINK
    if not link.is_symlink() and not link.exists():
        link.symlink_to(course)
    jupyter = home / ".jupyter"
    _merge_json(jupyter / "labconfig" / "page_config.json",
                {"disabledExtensions": dict.fromkeys(INSTRUCTOR_LAB_PLUGINS, False)})
    _merge_json(jupyter / "jupyter_server_config.json",
                {"ServerApp": {"jpserver_extensions": dict.fromkeys(INSTRUCTOR_SERVER_EXTENSIONS,
                                                                    True)}})
    # The course's own configuration, with the course seen through ~/course (Formgrader wants
    # the course under the server's root folder).
    (jupyter / "nbgrader_config.py").write_text(
        "# Written by crmlab hub at each start of this server.\n"
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig('nbgrader_config.py', path={str(course)!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(link)!r}\n"
        "c.CourseDirectory.groupshared = True  # files the other instructors can change too\n",
        encoding="utf-8",
    )


def main(argv: list[str]) -> None:
    home = Path.home()
    os.chdir(home)
    copy_lessons(home)
    if os.environ.get("CRMLAB_ROLE") == "instructor":
        set_up_instructor(home, Path(os.environ["CRMLAB_HUB_ROOT"]) / "course")
    server = Path(sys.executable).parent / "jupyterhub-singleuser"
    os.execv(server, [str(server), *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
