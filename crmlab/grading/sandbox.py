"""Grade submitted code inside a bubblewrap sandbox.

nbgrader runs a student's notebook in an ordinary Jupyter kernel with the grader's rights. Here
every kernel that autograding starts is launched by :class:`SandboxKernelManager` inside
Debian's ``bwrap`` (bubblewrap, what Flatpak uses), so that the code in a submission:

- sees a read-only system (``/usr``, ``/etc``), the Python environment and the ``crmlab``
  package, a private ``/tmp`` and ``/dev/shm``, and a scratch copy of its own folder
  (read-write; these three are size-limited tmpfs, thrown away afterwards); nothing of the course directory (gradebook, ``source/``, ``submitted/``,
  ``autograded/``, other students), the exchange, ``/home``, ``/root``, ``/srv`` or ``/run``;
- has a network namespace of its own: no interface but its own loopback. The kernel and the
  grader talk over Unix sockets (``transport="ipc"``) that the kernel makes on a small tmpfs of
  the sandbox's own (:data:`IPC_DIR`, :data:`IPC_SIZE`), which the grader reaches through
  ``/proc/<sandbox>/root``: nothing the kernel writes there lands on the grader's disk. Its
  connection file is bound read-only;
- runs as an unprivileged uid in a user namespace of its own, under limits on address space,
  processes (counted per sandbox, since each sandbox has its own user namespace) and file
  size (:class:`SandboxKernelManager`'s settings); when the grader is root and a cgroup
  hierarchy (v1 or v2) with a memory controller is writable, also in a memory (and pids) cgroup
  of its own (:mod:`crmlab.grading.cgroups`), so that the memory limit holds for all its
  processes together (what goes over is OOM-killed and the submission flagged); the cgroup is
  removed when the kernel is shut down;
- lives in its own pid namespace: when the kernel is shut down, every process it started is
  killed with it (``--die-with-parent`` on the outside, the namespace's init on the inside).

Two shapes, one set of walls:

- the grader is root (a single-machine course run as root): ``bwrap`` runs as root to build the
  mounts and namespaces, then ``setpriv`` drops to :attr:`SandboxKernelManager.user` (default
  ``nobody``) with no capabilities, and ``unshare --user`` gives the kernel a user namespace
  of its own (so the process limit counts this sandbox's processes only; root's own uid
  would be exempt from it);
- the grader is an ordinary account (the classroom hub's instructor): ``bwrap`` runs
  unprivileged and creates the user namespace itself; the kernel keeps the grader's uid, so
  the walls are the namespaces (it cannot see, signal or connect to anything outside) rather
  than file permissions.

Besides the limits per process and per cell, a whole submission has limits of its own
(:class:`SandboxedExecute`): a total time for all its cells and a total of output the grader
keeps, so that neither thousands of slow cells nor a flood of output can hold up or fill the
grader; a submission that reaches one keeps the points it earned before.

Interrupts (nbgrader's cell timeout) are sent as ``interrupt_request`` messages: a SIGINT to
the process group would stop ``bwrap`` and with it the whole sandbox.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, List, Unicode

from crmlab.grading import cgroups
from crmlab.grading.sandbox_report import SandboxReport, refusals
from crmlab.rules.checks import CourseInputError

MiB = 1024 * 1024

INSTALL_HINT = ("请安装 bubblewrap（Debian/Ubuntu：apt-get install bubblewrap）并确认系统允许用户命名空间"
                "（sysctl kernel.unprivileged_userns_clone=1）；确需不用沙箱评分时加 --no-sandbox")

CGROUP_PARENT = "crmlab-grading"

# Environment variables the kernel keeps; everything else (tokens, the grader's HOME, ...)
# stays outside. JPY_PARENT_PID (jupyter_client's launcher sets the grader's pid) becomes 1:
# inside its pid namespace the kernel's parent is pid 1, which ipykernel's parent poller would
# take for "the grader has exited"; with 1 it polls nothing (the sandbox dies with the grader).
KEPT_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "NBGRADER_EXECUTION", "PYTHONHASHSEED",
            "PYTHONIOENCODING", "MPLBACKEND", "JPY_SESSION_NAME")

SYSTEM_DIRS = ("usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32")

IPC_DIR = "/run/crmlab-ipc"
"""Where the kernel makes its sockets inside the sandbox: a tmpfs of :data:`IPC_SIZE` bytes."""
IPC_SIZE = 1 * MiB

STAGING = "/tmp/.crmlab-submission"
"""Where the sandbox sees the read-only copy its working folder is filled from."""


class SandboxUnavailable(CourseInputError, RuntimeError):
    """bwrap is missing or cannot build the namespaces; ``str()`` is one Chinese line, which the
    ``crmlab`` command prints like any other problem the user can fix (not as a bug)."""


def _grader_is_root() -> bool:
    return os.geteuid() == 0


def _nested(paths) -> list[str]:
    """Existing folders, each once, none inside another one of the list."""
    found = sorted({os.path.realpath(p) for p in paths if p and os.path.isdir(p)})
    kept: list[str] = []
    for path in found:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def crmlab_folder() -> str:
    """The folder of the crmlab package the grader runs (a checkout's, or site-packages')."""
    import crmlab

    return str(Path(crmlab.__file__).resolve().parent)


def real_program(cmd: list[str]) -> list[str]:
    """``cmd`` with its program's folder resolved: the sandbox binds real paths only, and a venv
    reached through a link (``/opt/venv`` → ``/srv/venv``) names its Python (``sys.executable``,
    what jupyter_client starts) by the link. The name itself stays: a venv's ``bin/python`` is a
    link to the base Python, which would not find the venv."""
    if not cmd or not os.path.isabs(cmd[0]):
        return cmd
    return [os.path.join(os.path.realpath(os.path.dirname(cmd[0])), os.path.basename(cmd[0])), *cmd[1:]]


def python_paths(course_root: str, with_crmlab: bool = False) -> list[str]:
    """What the kernel needs to import: the interpreter's prefixes, the site-packages folders
    on ``sys.path``, and with ``with_crmlab`` the crmlab package.

    The course root itself (or a folder holding it) is never among them: an editable install
    or a test runner may put the repository root on ``sys.path``, and that is the course.
    """
    root = os.path.realpath(course_root)
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  str(Path(os.path.realpath(sys.executable)).parents[1]),
                  *([crmlab_folder()] if with_crmlab else []),
                  *(p for p in sys.path if "site-packages" in p or "dist-packages" in p)]
    keep = []
    for path in candidates:
        real = os.path.realpath(path) if path else ""
        if not real or real == "/" or root == real or root.startswith(real.rstrip("/") + "/"):
            continue
        keep.append(real)
    return _nested(keep)


def kernel_environment(base, with_crmlab: bool = False) -> dict[str, str]:
    """A kernel's environment: :data:`KEPT_ENV` of ``base``; with ``with_crmlab``, PYTHONPATH
    naming the folder the grader's own crmlab was imported from (its package folder is then
    bound read-only at the same place), so that the kernel imports the crmlab the grader runs,
    however it was found: an editable install, a wheel in site-packages, PYTHONPATH."""
    env = {k: v for k, v in base.items() if k in KEPT_ENV or k.startswith("LC_")}
    # One BLAS thread: threads count as processes, and the grader already works in parallel.
    env.update(HOME="/tmp", TMPDIR="/tmp", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    home = str(Path(crmlab_folder()).parent)
    if with_crmlab and not home.endswith(("site-packages", "dist-packages")):  # on sys.path already
        env["PYTHONPATH"] = home
    return env


def sandbox_user(name: str) -> tuple[int, int]:
    """The uid and gid kernels run as when the grader is root."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise SandboxUnavailable(f"评分沙箱要用的系统账户 {name} 不存在（nbgrader_config.py 中的 "
                                 "SandboxKernelManager.user）") from None
    if entry.pw_uid == 0:
        raise SandboxUnavailable(f"评分沙箱不能用 root 账户（{name}）运行学生代码")
    return entry.pw_uid, entry.pw_gid


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that starts each kernel inside bubblewrap (see the module docstring).

    Settings (``c.SandboxKernelManager.<name>`` in ``nbgrader_config.py``) are below.
    """

    enabled = Bool(True, help="Run kernels in the sandbox (False: as plain nbgrader does)."
                   ).tag(config=True)
    bwrap = Unicode("bwrap", help="The bubblewrap command.").tag(config=True)
    user = Unicode("nobody", help="Account the kernel runs as when the grader is root."
                   ).tag(config=True)
    memory_limit = Integer(2048 * MiB, help="Memory of one submission, bytes: all its processes "
                           "together when a cgroup can be made (root grader, cgroup v1 or v2), and the "
                           "address space of each process in any case.").tag(config=True)
    max_processes = Integer(64, help="Processes and threads in one sandbox.").tag(config=True)
    max_file_size = Integer(64 * MiB, help="Largest file the kernel may write, bytes."
                            ).tag(config=True)
    tmp_size = Integer(256 * MiB, help="Size of each writable space of the sandbox (its /tmp, "
                       "/dev/shm and the submission's folder), bytes.").tag(config=True)
    hide_crmlab = Bool(True, help="Keep the crmlab package out of the kernel's reach (test cells "
                       "are judged in the grader: the kernel needs none of it, and a submission "
                       "cannot use the course's rules to compute its answers at run time).").tag(config=True)
    read_only_paths = List(Unicode(), help="More folders the kernel may read (e.g. the course's "
                           "sample data)").tag(config=True)
    course_root = Unicode("", help="The course folder (defaults to CourseDirectory.root or the "
                          "current folder); never visible inside.").tag(config=True)
    report_dir = Unicode("", help="Folder where each kernel leaves its report (JSON, "
                         "crmlab.grading.sandbox_report): processes left running, out-of-memory "
                         "kills, what the sandbox refused. Empty: no report (the log still says "
                         "it).").tag(config=True)

    _runtime: Path | None = None
    _output = None
    _cgroup: cgroups.Cgroup | None = None
    report: SandboxReport

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.report = SandboxReport()

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        if spec is not None and self.enabled:
            # SIGINT to the process group would kill bwrap itself: interrupt by message.
            spec.interrupt_mode = "message"
        return spec

    def _course_root(self) -> str:
        configured = self.course_root or self.config.get("CourseDirectory", {}).get("root", "")
        return os.path.realpath(configured or os.getcwd())

    async def _async_pre_start_kernel(self, **kw):
        if not self.enabled:
            return await super()._async_pre_start_kernel(**kw)
        if not shutil.which(self.bwrap):
            raise SandboxUnavailable(f"找不到 {self.bwrap}：{INSTALL_HINT}")
        workdir = os.path.realpath(kw.get("cwd") or os.getcwd())
        # root-only 0700; named after the grader's pid for remove_orphans()
        self._runtime = Path(tempfile.mkdtemp(prefix=f"crmlab-sandbox-{os.getpid()}-"))
        connection, work = self._runtime / "connection", self._runtime / "work"
        connection.mkdir()
        shutil.copytree(workdir, work, symlinks=True)
        self.transport = "ipc"
        self.ip = f"{IPC_DIR}/k"  # as the kernel sees it; the grader's path is set at launch
        self.connection_file = str(connection / "kernel.json")
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if _grader_is_root():
            uid, gid = sandbox_user(self.user)
            for path in (connection, work, *work.rglob("*"), Path(self.connection_file)):
                os.lchown(path, uid, gid)
        kw["env"] = kernel_environment(kw.get("env") or os.environ, not self.hide_crmlab)
        kw["cwd"] = str(self._runtime)
        # What the kernel writes to its stdout and stderr stays here, off the grader's terminal
        # (where it could pass for lines of the summary).
        kw["stdout"] = kw["stderr"] = self._output = open(self._runtime / "output.log", "wb")  # noqa: SIM115
        return self.enter_cgroups(self._runtime.name) + self.wrap(cmd, workdir, work, connection), kw

    def enter_cgroups(self, name: str) -> list[str]:
        """Make this kernel's cgroup (memory: ``memory_limit`` for the whole sandbox, swap
        included; processes) and return the command prefix that moves the launched process into
        it before it execs ``bwrap``; ``[]`` when none can be made (not root, no writable
        hierarchy with a memory controller)."""
        self._cgroup = None
        if not _grader_is_root():
            return []
        # bwrap's two processes and setpriv's are outside the user namespace's count.
        limits = cgroups.Limits(memory=self.memory_limit, processes=self.max_processes + 4,
                                no_swap=True)
        self._cgroup = cgroups.create(f"{CGROUP_PARENT}/{name}", ("memory", "pids"), limits)
        return self._cgroup.enter_command() if self._cgroup else []

    def out_of_memory_kills(self) -> int:
        """How many processes the memory cgroup has killed for going over the limit."""
        return self._cgroup.out_of_memory_kills() if self._cgroup else 0

    def remove_cgroups(self) -> None:
        """Remove this kernel's cgroup, killing whatever is still in it."""
        if self._cgroup:
            for folder in self._cgroup.remove():
                self.log.warning("评分沙箱的 cgroup %s 无法删除", folder)
        self._cgroup = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            if self.enabled:
                self.ip = f"{await self._sandbox_root()}{IPC_DIR}/k"
        except BaseException:
            self.remove_cgroups()
            raise

    async def _sandbox_root(self, wait: float = 30) -> str:
        """The sandbox's root folder as the grader sees it: ``/proc/<pid>/root`` of the first
        process bwrap starts in the new namespaces (the sockets' tmpfs is mounted there)."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            children = descendants(self.provisioner.pid) if self.provisioner.pid else []
            if children:
                return f"/proc/{min(children)}/root"
            await asyncio.sleep(0.01)
        raise SandboxUnavailable("评分沙箱没有启动（bwrap 没有创建沙箱进程）：" + INSTALL_HINT)

    _launch_kernel = _async_launch_kernel

    def wrap(self, cmd: list[str], workdir: str, scratch: Path, connection: Path) -> list[str]:
        """The full command: bwrap, its mounts, the uid drop and the limits, then ``cmd``."""
        cmd = real_program(cmd)
        args = [self.bwrap, "--die-with-parent", "--unshare-pid", "--unshare-net",
                "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--hostname", "sandbox", "--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(self.tmp_size), "--tmpfs", "/dev/shm",
                "--setenv", "JPY_PARENT_PID", "1", "--unsetenv", "JPY_INTERRUPT_EVENT"]
        for name in SYSTEM_DIRS:
            path = Path("/") / name
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                args += ["--ro-bind", str(path), str(path)]
        args += ["--perms", "1777", "--size", str(self.tmp_size), "--tmpfs", "/tmp"]
        made = {"/", "/tmp"}

        def mount(*how: str) -> None:
            dest = how[-1]
            # bwrap would make the missing parent folders 0700, closed to the kernel's user.
            for parent in reversed(Path(dest).parents):
                if str(parent) not in made:
                    args.extend(["--perms", "0755", "--dir", str(parent)])
                    made.add(str(parent))
            args.extend(how)
            made.add(dest)

        root = self._course_root()
        bound = _nested([*python_paths(root, not self.hide_crmlab), *self.read_only_paths])
        for path in bound:
            if not path.startswith(("/usr/", "/etc/")):
                mount("--ro-bind", path, path)
        package = crmlab_folder()
        if self.hide_crmlab and any(package.startswith(p.rstrip("/") + "/") for p in [*bound, "/usr"]):
            mount("--perms", "0000", "--size", "4096", "--tmpfs", package)  # a wheel's, in site-packages
        mount("--ro-bind", str(connection), str(connection))
        mount("--perms", "1777", "--size", str(IPC_SIZE), "--tmpfs", IPC_DIR)
        # The submission's folder is a size-limited tmpfs filled from a read-only copy, so that
        # writing many files fills neither the disk nor more memory than the limit.
        mount("--ro-bind", str(scratch), STAGING)
        mount("--perms", "0777", "--size", str(self.tmp_size), "--tmpfs", workdir)
        args += ["--remount-ro", "/", "--chdir", workdir]
        fill = ["sh", "-c", 'cp -R "$0"/. . && exec "$@"', STAGING]
        limits = ["prlimit", f"--as={self.memory_limit}", f"--nproc={self.max_processes}",
                  f"--fsize={self.max_file_size}", "--core=0", "--"]
        if _grader_is_root():
            uid, gid = sandbox_user(self.user)
            return [*args, "--", "setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--",
                    "unshare", "--user", "--", *fill, *limits, *cmd]
        return [*args, "--unshare-user", "--disable-userns", "--", *fill, *limits, *cmd]

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        if self.enabled and self.has_kernel and self.provisioner.pid:
            # bwrap, the namespace's init and the kernel itself; anything more was started by
            # the submission and is still running.
            extra = len(descendants(self.provisioner.pid)) - 2
            if extra > 0:
                self.report.leftover_processes += extra
                self.log.warning("评分沙箱：提交的代码留下了 %d 个仍在运行的进程（评分结束时已全部结束）",
                                 extra)
        await super()._async_shutdown_kernel(now=now, restart=restart)

    # AsyncKernelManager binds these public names to the base class's coroutines.
    shutdown_kernel = _async_shutdown_kernel

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        killed = self.out_of_memory_kills()  # also when the kernel itself was killed
        if killed:
            self.report.out_of_memory_kills += killed
            self.log.warning("评分沙箱：提交的代码（连同它启动的进程）用的内存超过了上限，%d 个进程被结束",
                             killed)
        self.remove_cgroups()
        if self.report_dir and not restart:
            self.report.write(Path(self.report_dir))
        if self._output is not None and not restart:
            self._output.close()
            self._output = None
            tail = (self._runtime / "output.log").read_bytes()[-2000:]
            if tail.strip():
                self.log.debug("kernel output (sandbox): %s", tail.decode("utf-8", "replace"))
        if self._runtime is not None and not restart:
            shutil.rmtree(self._runtime, ignore_errors=True)
            self._runtime = None

    cleanup_resources = _async_cleanup_resources


def remove_orphans() -> None:
    """Remove what the kernels of a grading process that was killed (a worker the OOM killer
    took) left behind: their folders in /tmp and their cgroups, named
    ``crmlab-sandbox-<grader pid>-…``, whose grader is no longer alive."""
    for folder in Path(tempfile.gettempdir()).glob("crmlab-sandbox-*-*"):
        pid = folder.name.split("-")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            if _grader_is_root():
                cgroups.existing(f"{CGROUP_PARENT}/{folder.name}", ("memory", "pids")).remove()
            shutil.rmtree(folder, ignore_errors=True)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


WALL_TIME_NOTE = ("这份作业的代码运行总时间超过了上限（{:g} 秒），评分已停止：这个单元格和之后的单元格"
                  "都没有运行，其中的测试计 0 分；之前已得的分数保留。")
OUTPUT_NOTE = "这份作业的输出总量超过了上限（{:g} MB），之后的输出没有保留。\n"
GRADED_OUTPUTS = {"error": ("ename", "evalue"), "execute_result": ("data",), "stream": ("name", "text")}
"""Outputs nbgrader grades by (an error or stderr: the test cell counts 0; a number as the
value: partial credit): past the output limit a short copy of the first of each kind in a cell
is kept, so that dropping output never raises a score."""


class SandboxedExecute(Execute):
    """nbgrader's Execute preprocessor with kernels started by :class:`SandboxKernelManager`,
    and limits on the whole submission, not only on each cell: its total time and the output
    kept of it. A submission that reaches one keeps the points it earned before; the kernel's
    report names the limit (:data:`crmlab.grading.sandbox_report.LIMITS`).

    (Execute passes its own ``kernel_manager_class`` and so ignores that setting in the
    config; the course names this preprocessor in ``Autograde.autograde_preprocessors``.)
    """

    submission_timeout = Integer(600, help="Seconds all the cells of one notebook may run together "
                                 "(Execute.timeout is per cell). When they are used up, the running "
                                 "cell is interrupted and the cells left are not run: their tests "
                                 "count 0.").tag(config=True)
    max_output_bytes = Integer(16 * MiB, help="Output kept of one notebook, all cells together (text and "
                               "rich outputs, bytes); what comes after is dropped with a note.").tag(config=True)

    check_imports = Bool(True, help="Before the first notebook a process grades, check that a kernel "
                         "can import what the code it runs needs (crmlab.grading.kernel_check; stop "
                         "with one line if not); crmlab autograde checks once for all its workers."
                         ).tag(config=True)

    _deadline = 0.0
    _output_left = 0
    _truncated = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.log = self.log  # the sandbox's warnings land in nbgrader's own (captured) log
        return km

    def preprocess(self, nb, resources=None, km=None):
        if self.check_imports:
            from crmlab.grading.kernel_check import check_kernel_imports_once

            check_kernel_imports_once(self.config, nb.metadata.get("kernelspec", {}).get("name") or "python3")
        self._deadline = time.monotonic() + self.submission_timeout
        self._output_left, self._truncated = self.max_output_bytes, False
        raise_on_iopub_timeout = self.raise_on_iopub_timeout
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self.raise_on_iopub_timeout = raise_on_iopub_timeout

    def _limit(self, kind: str) -> None:
        if isinstance(self.km, SandboxKernelManager):
            self.km.report.add_limit(kind)

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        left = max(1, math.ceil(self._deadline - time.monotonic()))
        return left if timeout is None else min(timeout, left)

    def out_of_time(self, cell) -> bool:
        """Whether the submission's total time is used up before ``cell``: then the cell is
        not run and holds an error saying so (a test cell counts 0). A subclass that runs some
        cells its own way asks this first."""
        if cell.cell_type != "code" or not cell.source.strip() or time.monotonic() < self._deadline:
            return False
        self._limit("wall_time")
        note = WALL_TIME_NOTE.format(self.submission_timeout)
        cell.outputs = [nbformat.v4.new_output("error", ename="SubmissionTimeLimit", evalue=note,
                                               traceback=[note])]
        return True

    def preprocess_cell(self, cell, resources, index):
        if self.out_of_time(cell):
            return cell, resources
        cell, resources = super().preprocess_cell(cell, resources, index)
        if time.monotonic() >= self._deadline:
            self._limit("wall_time")
        return cell, resources

    def process_message(self, msg, cell, cell_index):
        kind = msg["msg_type"]
        if kind in ("stream", "display_data", "execute_result", "update_display_data", "error") \
                or kind.startswith("comm"):
            size = len(json.dumps(msg["content"], default=str)) + sum(map(len, msg.get("buffers") or []))
            if size > self._output_left:
                self._output_left = 0
                msg = self._shrunk(msg, cell)
                if msg is None:
                    return None
            else:
                self._output_left -= size
        return super().process_message(msg, cell, cell_index)

    def _shrunk(self, msg, cell):
        """Past the output limit: a short copy of an output nbgrader grades by, the first of its
        kind in the cell; ``None`` for anything else (dropped, with the note once)."""
        if not self._truncated:
            self._truncated = True
            self._limit("output")
            # Output still queued when a cell's reply comes is dropped output: not draining it
            # in time must not fail the notebook (the reply still carries the cell's error).
            self.raise_on_iopub_timeout = False
            self.log.warning("评分：%s", OUTPUT_NOTE.format(self.max_output_bytes / MiB).strip())
            cell.outputs.append(nbformat.v4.new_output(
                "stream", name="stdout", text=OUTPUT_NOTE.format(self.max_output_bytes / MiB)))
        kind, content = msg["msg_type"], msg["content"]
        graded = kind == "error" or kind == "execute_result" or content.get("name") == "stderr"
        if not graded or any(o.output_type == kind and o.get("name") == content.get("name")
                             for o in cell.outputs):
            return None
        short = {key: content.get(key) for key in GRADED_OUTPUTS[kind]}
        if kind == "execute_result":
            short["data"] = {"text/plain": str((content.get("data") or {}).get("text/plain", ""))[:200]}
            short.update(metadata={}, execution_count=content.get("execution_count"))
        else:
            short.update({key: str(short[key])[:500] for key in short})
            if kind == "error":
                short["traceback"] = []
        return {**msg, "content": short}

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        if isinstance(self.km, SandboxKernelManager):  # what the cell met of the sandbox's walls
            self.km.report.add_refusals(refusals(kwargs["cell"].get("outputs", [])))


def sandboxed_preprocessors() -> list:
    """nbgrader's autograde preprocessors with Execute replaced by the verdict's subclass of
    :class:`SandboxedExecute` (:mod:`crmlab.grading.verdict`)."""
    from nbgrader.converters import Autograde

    default = Autograde.class_traits()["autograde_preprocessors"].default()
    from crmlab.grading.verdict import VerdictExecute  # test cells judged outside the kernel

    return [VerdictExecute if step is Execute else step for step in default]


def use_sandbox(config) -> None:
    """Make autograde, with ``config``, start every kernel in the sandbox: the one place that
    says so, for the course's ``nbgrader_config.py`` and for ``crmlab autograde``."""
    from crmlab.grading.kernel_check import check_before_grading

    config.Autograde.autograde_preprocessors = sandboxed_preprocessors()
    config.Autograde.pre_convert_hook = check_before_grading  # kernels can import what they need


def check_sandbox(config=None) -> None:
    """Start a trivial command in the same sandbox; raise :class:`SandboxUnavailable` if it fails."""
    manager = SandboxKernelManager(config=config) if config is not None else SandboxKernelManager()
    if not shutil.which(manager.bwrap):
        raise SandboxUnavailable(f"找不到 bubblewrap（{manager.bwrap}）：{INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="crmlab-sandbox-check-") as scratch:
        folder = Path(scratch)
        (folder / "w").mkdir()
        (folder / "i").mkdir()
        if _grader_is_root():
            uid, gid = sandbox_user(manager.user)
            os.chmod(folder, 0o755)
            for sub in ("w", "i"):
                os.chown(folder / sub, uid, gid)
        command = manager.wrap(["true"], str(folder / "w"), folder / "w", folder / "i")
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["未知原因"])[-1][:160]
        raise SandboxUnavailable(f"评分沙箱无法启动（{detail}）：{INSTALL_HINT}")
