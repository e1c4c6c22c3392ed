"""Verdicts decided outside the student's code.

nbgrader runs test cells in the student's kernel, where everything the submission did before
(IPython's input and AST transformers, objects whose ``__eq__`` always says True, replaced
builtins, ``In[]`` holding the hidden tests) can decide its own grade. :class:`VerdictExecute`
(nbgrader's Execute with the course's sandboxed kernels, put in place by
:func:`crmlab.grading.sandbox.use_sandbox`, so ``crmlab autograde``, ``nbgrader autograde`` and
Formgrader's button all grade this way) executes the student's cells in the kernel as before, but
never sends it a test cell: the test cell runs in the grader (:mod:`.judge`), fetching the names it
needs from the kernel as plain data or as functions called there (:mod:`.link`, :mod:`.wire`).
The design follows PrairieLearn's pytest-prairielearn-grader (student code in its own process, the
harness calls it and gets plain values back), built into nbgrader's own flow.

The kernel's working folder is a copy of the submission's folder without notebooks, so that the
autograded notebook (which holds the hidden tests) is never within its reach.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from jupyter_core.utils import run_sync

from crmlab.grading.notebook import Role, role
from crmlab.grading.sandbox import SandboxedExecute
from crmlab.grading.verdict.judge import Judge
from crmlab.grading.verdict.link import KernelDied, KernelLink
from crmlab.grading.verdict.tampering import TAMPERING_REASON, TAMPERING_SIGN, tampering

__all__ = ["TAMPERING_REASON", "TAMPERING_SIGN", "VerdictExecute", "is_test_cell", "student_sources"]


def is_test_cell(cell) -> bool:
    """A code cell nbgrader grades by running it."""
    return cell.cell_type == "code" and role(cell) is Role.TEST


def student_sources(notebook) -> tuple[str, ...]:
    """The code the kernel runs: every code cell but the test cells, in order."""
    return tuple(c.source for c in notebook.cells if c.cell_type == "code" and not is_test_cell(c))


class VerdictExecute(SandboxedExecute):
    """nbgrader's Execute (sandboxed kernels) with test cells judged in the grader."""

    _judge: Judge | None = None
    _staging: str | None = None

    def preprocess(self, nb, resources=None, km=None):
        sources = student_sources(nb)
        signs = tampering(sources)
        if signs:
            self.log.warning("%s：%s", TAMPERING_SIGN, "、".join(signs))
        self._judge = Judge(KernelLink(self, sources))
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self._judge = None
            if self._staging:
                shutil.rmtree(self._staging, ignore_errors=True)
                self._staging = None

    async def async_start_new_kernel(self, **kwargs):
        """Start the kernel in a copy of the notebook's folder without any notebook."""
        folder = (self.resources or {}).get("metadata", {}).get("path") or None
        if folder and "cwd" not in kwargs and Path(folder).is_dir():
            self._staging = tempfile.mkdtemp(prefix="crmlab-verdict-")
            shutil.copytree(folder, self._staging, symlinks=True, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
            kwargs["cwd"] = self._staging
        return await super().async_start_new_kernel(**kwargs)

    # nbclient binds the synchronous name to its own coroutine: point it at this one.
    start_new_kernel = run_sync(async_start_new_kernel)

    def preprocess_cell(self, cell, resources, index):
        if self._judge is None or not is_test_cell(cell):
            return super().preprocess_cell(cell, resources, index)
        if self.out_of_time(cell):  # the submission's total time is used up
            return cell, resources
        self._check_assign_resources(resources)
        try:
            self._judge.judge(cell, self._get_timeout(cell), float(cell.metadata["nbgrader"].get("points", 0)))
        except KernelDied:
            from nbclient.exceptions import DeadKernelError

            self.log.error("Kernel died while waiting for the verdict's reply.")
            raise DeadKernelError("Kernel died") from None
        return cell, self.resources
