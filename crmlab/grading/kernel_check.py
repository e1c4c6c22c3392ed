"""Can the kernels grading starts import what the course's test cells import?

The test cells import ``crmlab`` (their expectations come from ``crmlab.rules``). A kernel that
cannot (a kernel spec naming another Python, an environment where the project is not
installed) would fail those tests and hand out zeros, differently from one way of grading to
another. So every way of grading checks first, with a real kernel started exactly as grading
starts it (in the sandbox unless that is disabled), and stops with one Chinese line:
``crmlab autograde`` before its workers start, plain ``nbgrader autograde`` through nbgrader's
pre-convert hook (before the first submission is touched), and
:class:`~crmlab.grading.sandbox.SandboxedExecute` once per process wherever no hook runs.
"""

from __future__ import annotations

import os
import tempfile

from jupyter_core.utils import run_sync

from crmlab.grading.sandbox import SandboxKernelManager, SandboxUnavailable

KERNEL_IMPORTS = "import crmlab.rules, crmlab.course.integrity"
"""What the course's test cells import (their expectations come from the rules)."""
NO_CRMLAB = ("评分用的内核无法导入 crmlab（{}），用到它的测试会被判 0 分，因此没有给任何人评分：请在评分所用的 "
             "Python 环境中安装本项目（pip install -e 项目文件夹，或安装 crmlab 的 wheel）后重新评分")


async def _kernel_import_error(manager: SandboxKernelManager, cwd: str) -> str | None:
    """Start a kernel with ``manager``, run :data:`KERNEL_IMPORTS`; the error, or None."""
    await manager.start_kernel(cwd=cwd)
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
        msg_id = client.execute(KERNEL_IMPORTS, silent=True)
        while (reply := await client.get_shell_msg(timeout=120))["parent_header"].get("msg_id") != msg_id:
            pass
        content = reply["content"]
        return None if content["status"] == "ok" else f"{content.get('ename')}: {content.get('evalue')}"
    except RuntimeError as error:  # the kernel died before it was ready
        return str(error)
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


def check_kernel_imports(config=None, kernel_name: str = "python3") -> None:
    """Raise :class:`SandboxUnavailable` (one Chinese line) unless a kernel of ``kernel_name``,
    started as grading starts it (in the sandbox unless that is disabled), can import what the
    test cells import."""
    options = {"config": config} if config is not None else {}
    manager = SandboxKernelManager(kernel_name=kernel_name, **options)
    with tempfile.TemporaryDirectory(prefix="crmlab-kernel-check-") as folder:
        os.chmod(folder, 0o755)
        error = run_sync(_kernel_import_error)(manager, folder)
    if error:
        raise SandboxUnavailable(NO_CRMLAB.format(error.strip().splitlines()[-1][:160]))


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
