"""Can the kernels grading starts import what the code they run imports?

A kernel that cannot import pandas (a kernel spec naming another Python, an environment where
the project's dependencies are not installed), or crmlab where it is not hidden from the kernel
(``SandboxKernelManager.hide_crmlab``: test cells that import it then run in the kernel), would
fail tests and hand out zeros, differently from one way of grading to another. So every way of
grading checks first, with a real kernel started exactly as grading starts it (in the sandbox
unless that is disabled), and stops with one Chinese line: ``crmlab autograde`` before its
workers start, plain ``nbgrader autograde`` through nbgrader's pre-convert hook (before the
first submission is touched), and :class:`~crmlab.grading.sandbox.SandboxedExecute` once per
process wherever no hook runs.
"""

from __future__ import annotations

import logging
import os
import tempfile
from queue import Empty

from jupyter_core.utils import run_sync

from crmlab.grading.sandbox import SandboxKernelManager, SandboxUnavailable

KERNEL_NEEDS = ("sys",)
"""What every kernel must import (the kernel starting and answering is the point: a kernel
spec naming a Python without ipykernel fails here). Heavier modules are not asked for: under a
course's small memory limit a kernel may not load pandas, which only matters to code using it."""
CRMLAB_NEEDS = ("crmlab.rules", "crmlab.course.integrity")
"""What test cells import: needed in the kernel only where crmlab is not hidden from it
(``SandboxKernelManager.hide_crmlab``; test cells are judged in the grader)."""
NOT_IMPORTABLE = ("评分用的内核无法启动或无法导入所需的模块（{}），用到它们的代码和测试会出错、被判 0 分，因此没有给"
                  "任何人评分：请检查评分所用的 Python 环境和内核设置（安装本项目及其依赖：pip install -e 项目文件夹，"
                  "或安装 crmlab 的 wheel）后重新评分")

_SILENT = logging.getLogger("crmlab.grading.kernel_check")
_SILENT.addHandler(logging.NullHandler())
_SILENT.propagate = False


async def _kernel_import_error(manager: SandboxKernelManager, cwd: str, code: str) -> str | None:
    """Start a kernel with ``manager``, run ``code``; the error, or None."""
    await manager.start_kernel(cwd=cwd)
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
        msg_id = client.execute(code, silent=True)
        while (reply := await client.get_shell_msg(timeout=120))["parent_header"].get("msg_id") != msg_id:
            pass
        content = reply["content"]
        return None if content["status"] == "ok" else f"{content.get('ename')}: {content.get('evalue')}"
    except RuntimeError as error:  # the kernel died before it was ready
        return str(error)
    except (Empty, TimeoutError):
        return "内核没有回应，可能已经退出"
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


def check_kernel_imports(config=None, kernel_name: str = "python3") -> None:
    """Raise :class:`SandboxUnavailable` (one Chinese line) unless a kernel of ``kernel_name``,
    started as grading starts it (in the sandbox unless that is disabled), can import what the
    code it runs imports (:data:`KERNEL_NEEDS`, and :data:`CRMLAB_NEEDS` unless crmlab is
    hidden from it)."""
    options = {"config": config} if config is not None else {}
    manager = SandboxKernelManager(kernel_name=kernel_name, **options)
    # A kernel that fails to start is reported below in one line; jupyter_client would first log
    # it with a traceback on the grading command's own log.
    manager.log = _SILENT
    modules = [*KERNEL_NEEDS, *(CRMLAB_NEEDS if not manager.hide_crmlab else ())]
    with tempfile.TemporaryDirectory(prefix="crmlab-kernel-check-") as folder:
        os.chmod(folder, 0o755)
        error = run_sync(_kernel_import_error)(manager, folder, "import " + ", ".join(modules))
    if error:
        raise SandboxUnavailable(NOT_IMPORTABLE.format(error.strip().splitlines()[-1][:160]))


_IMPORTS_CHECKED: set[tuple] = set()


def check_kernel_imports_once(config, kernel_name: str) -> None:
    """:func:`check_kernel_imports` once per process, kernel and sandbox setting; on failure the
    grading command stops with the one line (plain ``nbgrader autograde`` would otherwise log a
    traceback for every student, or hand out zeros)."""
    key = (kernel_name, SandboxKernelManager(config=config).enabled)
    if key in _IMPORTS_CHECKED:
        return
    try:
        check_kernel_imports(config, kernel_name)
    except SandboxUnavailable as error:
        raise SystemExit(str(error)) from None
    _IMPORTS_CHECKED.add(key)


def check_before_grading(**_) -> None:
    """nbgrader's pre-convert hook: before the first submission a grading command (``nbgrader
    autograde``) touches, stop it with one line if its kernels cannot import crmlab, with the
    command's whole configuration (command-line options included). Without a running nbgrader
    application (``crmlab autograde``'s workers: their coordinator checked) it does nothing;
    :class:`SandboxedExecute` checks again where a hook cannot."""
    from traitlets.config import Application

    if Application.initialized():
        config = Application.instance().config
        if config.get("SandboxedExecute", {}).get("check_imports", True):
            check_kernel_imports_once(config, "python3")
