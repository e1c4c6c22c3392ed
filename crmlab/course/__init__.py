"""The course's facts: the course as one object (``facts``: id, time zone, folder layout from
nbgrader's ``CourseDirectory``, lessons and assignments), the manifest (``course.yml``: lessons,
question banks, assignments), each assignment's schedule and rubric (``assignments``), the
glossary, and the check hidden tests call that an answer does not use crmlab (``integrity``).
The nbgrader machinery that works on them is :mod:`crmlab.grading`.

The grading modules lived here before (``crmlab.course.sandbox`` …), and a course folder
deployed then keeps its ``nbgrader_config.py``, which imports them by those names (and names
``crmlab.course.sandbox.SandboxedExecute`` as a string). :data:`MOVED` keeps every old name
working: importing it gives the module of :mod:`crmlab.grading` itself, not a copy.
"""

import importlib
import importlib.abc
import importlib.util
import sys

MOVED = ("autograde", "environment", "export", "feedback", "gradebook", "header", "late",
         "notebook", "release", "sandbox")
"""Modules of :mod:`crmlab.grading` that an old ``crmlab.course.<name>`` still imports."""


class _OldNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``crmlab.course.<name>`` for a name in :data:`MOVED` is ``crmlab.grading.<name>``."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package == __name__ and name in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module(f"crmlab.grading.{spec.name.rpartition('.')[2]}")
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module):
        # The import system labelled the module with the old name's spec: give it back its own.
        module.__spec__ = module.__spec__.loader_state


sys.meta_path.append(_OldNames())
