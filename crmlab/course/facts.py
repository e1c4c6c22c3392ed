"""The course as one object: :class:`Course`, built once from one load of nbgrader's
configuration and passed to whatever works on the course.

It holds the course's id and time zone, its folder layout as nbgrader's own
``CourseDirectory`` computes it (``source/``, ``release/``, ``submitted/``, ``autograded/``,
``feedback/`` and the gradebook, wherever the configuration puts them), the manifest's lessons
and assignments, and each assignment's schedule and rubric (``assignments/<id>.yml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from crmlab.course.assignments import Assignment, load_assignments
from crmlab.course.manifest import Manifest, load_course

COURSE_TIMEZONE = "Asia/Shanghai"
"""The course's time zone: due dates, submission times and exports are shown in it."""

SOURCE_FILES = ("nbgrader_config.py", "source", "assignments")
"""What the instructors write and nbgrader generates a release from: the configuration, the
source notebooks and each assignment's YAML (a scratch course for a fresh release is these)."""

COURSE_FILES = (*SOURCE_FILES, "release", "data")
"""What of the repository makes a course folder: the above, the committed release and the
sample data the graded notebooks read."""

PUBLIC = ("crmlab", "lessons", "data", "reports", "pyproject.toml", "setup.py", "README.md",
          "LICENSE", "constraints.txt")
"""What of the repository every student may have (a hub's servers install it): the package and
the content it ships, nothing of ``source/`` or ``assignments/``. The release's leak check
reads all of it for solutions and hidden tests."""


def load_nbgrader_config(course_dir: Path):
    """The nbgrader configuration of the course in ``course_dir``, loaded by nbgrader's own
    loader as an ``nbgrader`` command run in that folder loads it: ``nbgrader_config.py`` (or
    ``.json``) from every Jupyter config path (``jupyter --paths``: ``~/.jupyter`` or
    ``$JUPYTER_CONFIG_DIR``, ``<prefix>/etc/jupyter``, ``/usr/local/etc/jupyter``,
    ``/etc/jupyter``, where a hub puts its settings), then the course folder's own
    ``nbgrader_config.py``, which wins. Returns a ``traitlets`` ``Config``."""
    import logging

    from jupyter_core.application import JupyterApp
    from nbgrader.apps.baseapp import NbGrader

    app = NbGrader()
    app.log.setLevel(logging.ERROR)  # "no nbgrader_config.py found" is not news here
    app.load_cwd_config = False
    app.load_config_file()
    # What NbGrader.load_config_file does for the current folder, for the course folder.
    super(JupyterApp, app).load_config_file(app.config_file_name, path=str(Path(course_dir)))
    return app.config


@dataclass(frozen=True)
class Course:
    """One course folder and its configuration, loaded once (:meth:`load`)."""

    root: Path
    config: object = field(repr=False)
    """nbgrader's ``traitlets`` ``Config`` for this course (:func:`load_nbgrader_config`)."""

    @classmethod
    def load(cls, root: Path | str) -> Course:
        root = Path(root).resolve()
        return cls(root=root, config=load_nbgrader_config(root))

    @cached_property
    def directory(self):
        """nbgrader's ``CourseDirectory`` for this course: every folder name and path comes
        from it, as nbgrader's own commands compute them."""
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config, root=str(self.root))

    def folder(self, step: str, assignment: str, student: str = ".") -> Path:
        """Where nbgrader keeps one assignment's ``step`` (``source``, ``release``,
        ``submitted``, ``autograded``, ``feedback``; of ``student`` for the last three), as this
        course's ``CourseDirectory`` names and lays out its folders."""
        directory = getattr(self.directory, f"{step}_directory")
        return Path(self.directory.format_path(directory, student, assignment))

    @property
    def id(self) -> str:
        return self.directory.course_id

    @property
    def timezone(self) -> str:
        return self.config.get("NbGraderAPI", {}).get("timezone", COURSE_TIMEZONE)

    @cached_property
    def manifest(self) -> Manifest:
        """The lessons and assignment ids in course order (``crmlab/course/course.yml``)."""
        return load_course()

    @cached_property
    def assignments(self) -> dict[str, Assignment]:
        """Each assignment's schedule and rubric, from the course folder's ``assignments/``."""
        return load_assignments(self.root)
