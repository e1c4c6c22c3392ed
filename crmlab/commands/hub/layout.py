"""What ``crmlab hub`` keeps under ``--root``, and how it is made.

::

    <root>/            root, 0755
      state/           root only (0700): hub.json, JupyterHub's database, cookie secret,
                       the password file
      logs/            root only: jupyterhub.log, install.log
      app/             the public part of the project (crmlab, lessons, data, reports):
                       no source/, no tests, nothing secret; readable by everyone
      env/             the servers' Python environment, made from /usr/bin/python3.11
                       (executable by every account), with app/ installed in it
      course/          the nbgrader course directory: source/, release/, assignments/,
                       nbgrader_config.py, gradebook.db; owned by root and the instructors'
                       group, mode 2770: no student can open it
      exchange/        nbgrader's exchange (1777, as nbgrader documents for a shared machine),
                       with exchange/<course id>/ and its outbound/ (2775), feedback/ (2771) and
                       inbound/ (3773: nbgrader's modes for a group-shared course, inbound with the
                       sticky bit) made in advance, root's and the instructors' group's, so that
                       no student can claim a folder first, write into outbound or feedback, list
                       feedback or inbound, or remove or rename a classmate's submission
"""

from __future__ import annotations

import contextlib
import grp
import hashlib
import json
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from crmlab.commands.hub import safefs
from crmlab.commands.hub.accounts import INSTRUCTOR_GROUP
from crmlab.commands.hub.roster import Member
from crmlab.commands.hub.singleuser import project_files
from crmlab.course.facts import COURSE_FILES, PUBLIC, SOURCE_FILES
from crmlab.data.resources import REPOSITORY
from crmlab.grading.gradebook import GRADEBOOK_FILE
from crmlab.rules.checks import CourseInputError

CHECKOUT = REPOSITORY
"""The project folder ``crmlab hub`` runs from (the instructor's checkout)."""

SERVER_PYTHON = Path(os.environ.get("CRMLAB_SERVER_PYTHON", "/usr/bin/python3.11"))
"""The interpreter of the servers' environment: one every account may execute (a Python under
/root, such as pyenv's, is not)."""

STUDENT_OFF_LAB = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                   "@jupyter/nbgrader:course-list")
STUDENT_OFF_SERVER = ("nbgrader.server_extensions.formgrader",
                      "nbgrader.server_extensions.course_list")

COURSE_DIR_MODE = 0o2770
COURSE_FILE_MODE = 0o660
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")


def folders(root: Path) -> dict[str, Path]:
    return {name: root / name for name in ("state", "logs", "app", "env", "course", "exchange")}


def make_root(root: Path) -> None:
    """Create ``root`` and its private folders."""
    if root.resolve().is_relative_to(CHECKOUT):
        raise CourseInputError(f"--root 不能放在项目文件夹 {CHECKOUT} 里面（那里有答案，学生不能进入），"
                               "请换一个位置，例如默认的 /srv/crmlab")
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    for name in ("state", "logs"):
        (root / name).mkdir(exist_ok=True)
        (root / name).chmod(0o700)


# --- the checkout ---------------------------------------------------------------------------


def others_can_reach(path: Path) -> bool:
    """Whether an account that is neither the owner nor in the group can open ``path``."""
    path = path.resolve()
    for folder in [*reversed(path.parents), path]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            return False
    return bool(path.stat().st_mode & stat.S_IROTH)


def make_checkout_private(checkout: Path = CHECKOUT) -> bool:
    """Close the project folder (it holds every solution and hidden test) to other accounts.

    Returns True when its permissions were changed. Only "others" lose access; the owner and
    the folder's group keep theirs.
    """
    written = [checkout / name for name in SOURCE_FILES if (checkout / name).exists()]
    if not any(others_can_reach(path) for path in written) and not others_can_reach(checkout):
        return False
    checkout.chmod(checkout.stat().st_mode & ~0o007)
    return True


# --- the servers' environment ----------------------------------------------------------------


def sync_app(app: Path, checkout: Path = CHECKOUT) -> None:
    """Make ``app`` the public part of the project, as it is in the checkout now."""
    app.mkdir(exist_ok=True)
    for name in PUBLIC:
        source, target = checkout / name, app / name
        if target.is_dir():
            shutil.rmtree(target)
        if source.is_dir():
            shutil.copytree(source, target, ignore=IGNORED)
        elif source.exists():
            shutil.copyfile(source, target)
    _open_to_all(app)


def _open_to_all(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if path.is_symlink():
            continue
        path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)


def _stamp(app: Path) -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "setup.py", "constraints.txt"):
        if (app / name).is_file():
            digest.update((app / name).read_bytes())
    digest.update(str(SERVER_PYTHON).encode())
    return digest.hexdigest()


def _run(command: list, log: Path, what: str) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(map(str, command))}\n")
        out.flush()
        done = subprocess.run([str(part) for part in command], stdout=out,
                              stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise CourseInputError(f"{what}失败，详情见 {log}")


def build_environment(root: Path, say=print) -> bool:
    """Make (or refresh) the servers' environment ``env/`` from ``app/``; True when (re)built.

    Installing happens only when ``pyproject.toml`` or ``constraints.txt`` changed since the last
    build, with the versions ``constraints.txt`` pins; the code of
    ``app/`` is installed in editable mode, so a refreshed ``app/`` is used at once.
    """
    app, env, log = root / "app", root / "env", root / "logs" / "install.log"
    stamp_file = env / ".crmlab-stamp"
    stamp = _stamp(app)
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        return False
    if not os.access(SERVER_PYTHON, os.X_OK):
        raise CourseInputError(
            f"找不到 {SERVER_PYTHON}：学生的服务器需要一个所有账户都能运行的 Python 3.11，"
            "请先安装：apt-get install python3.11 python3.11-venv")
    say(f"正在为学生的服务器安装 Python 环境（{env}，约 1–2 分钟，日志 {log}）……")
    if env.exists():
        shutil.rmtree(env)
    _run([SERVER_PYTHON, "-m", "venv", env], log, "创建 Python 环境")
    python = env / "bin" / "python"
    # the versions the suite was tested with (constraints.txt), as make venv installs them
    _run([python, "-m", "pip", "install", "--quiet", "-c", app / "constraints.txt", "-e", app], log,
         "安装课程软件包")
    _run([python, "-m", "crmlab.commands.lab"], log, "设置中文界面")
    for plugin in STUDENT_OFF_LAB:
        _run([env / "bin" / "jupyter", "labextension", "disable", "--level=sys_prefix", plugin],
             log, "关闭学生的 nbgrader 教师扩展")
    for extension in STUDENT_OFF_SERVER:
        _run([env / "bin" / "jupyter", "server", "extension", "disable", "--sys-prefix",
              extension], log, "关闭学生的 nbgrader 教师扩展")
    _open_to_all(env)
    stamp_file.write_text(stamp)
    return True


def write_nbgrader_config(root: Path, course_id: str) -> None:
    """nbgrader settings every server shares: the course and its exchange."""
    path = root / "env" / "etc" / "jupyter" / "nbgrader_config.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by crmlab hub: the course every server of this hub belongs to.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.Exchange.root = {str(root / 'exchange')!r}\n"
        "c.Exchange.path_includes_course = True\n"
        "# submit refuses a classmate's id; collect trusts no student-written fact\n"
        "c.ExchangeFactory.collect = 'crmlab.grading.exchange.SafeCollect'\n"
        "c.ExchangeFactory.submit = 'crmlab.grading.exchange.SafeSubmit'\n"
        "# the hub enrols its roster in the gradebook: collect takes no one else\n"
        "c.SafeCollect.roster_only = True\n",
        encoding="utf-8",
    )
    path.chmod(0o644)


# --- the course and the exchange -------------------------------------------------------------


def instructors_gid() -> int:
    return grp.getgrnam(INSTRUCTOR_GROUP).gr_gid


def _give_to_instructors(course: Path, relative: list[Path], gid: int) -> None:
    for path in relative:
        safefs.give(course, path, 0, gid, COURSE_DIR_MODE, COURSE_FILE_MODE)


def copy_course_files(course: Path, checkout: Path = CHECKOUT, say=print) -> list[Path]:
    """Copy the course's files from the project into ``course`` where missing (never replacing
    a file, never following a link a teacher's account put there); returns what was made,
    relative to ``course``, with the folders made on the way."""
    made: set[Path] = set()
    for name in COURSE_FILES:
        source = checkout / name
        if source.is_dir():
            files = [(Path(name) / relative, source / relative) for relative in project_files(source)]
        elif source.is_file():
            files = [(Path(name), source)]
        else:
            files = []
        try:
            for relative, path in files:
                if safefs.write_new(course, relative, path.read_bytes(), COURSE_FILE_MODE):
                    made |= {relative, *relative.parents}
        except CourseInputError as refused:
            say(f"跳过 {name}：{refused}")
    made.discard(Path("."))
    return sorted(made)


def prepare_course(root: Path, members: list[Member], checkout: Path = CHECKOUT, say=print
                   ) -> list[Path]:
    """Make the course directory from the project and its gradebook; files already there are
    never replaced. What runs the course's ``nbgrader_config.py`` (generating the assignments
    into a new gradebook, its due dates, enrolling the roster) runs as an instructor's account,
    never as root: that file is the instructors' to edit."""
    gid = instructors_gid()
    course = root / "course"
    course.mkdir(exist_ok=True)
    safefs.give(root, "course", 0, gid, COURSE_DIR_MODE, COURSE_FILE_MODE)
    made = copy_course_files(course, checkout, say)
    _give_to_instructors(course, made, gid)
    as_instructor(root, members, [
        {"id": member.unix_name, "name": member.name} for member in members
        if not member.is_instructor])
    # SQLite makes a new database 0644 whatever the umask: every instructor writes the gradebook
    _give_to_instructors(course, [Path(GRADEBOOK_FILE)], gid)
    return made


def as_instructor(root: Path, members: list[Member], students: list[dict]) -> None:
    """Run ``crmlab.commands.hub.coursework`` in the servers' environment as the roster's first
    instructor (with the instructors' group, umask 007), ``students`` on its input."""
    teacher = pwd.getpwnam(next(m for m in members if m.is_instructor).unix_name)
    env = {"HOME": teacher.pw_dir, "USER": teacher.pw_name, "LOGNAME": teacher.pw_name,
           "LANG": "C.UTF-8", "PATH": f"{root / 'env' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
           "CRMLAB_HUB_ROOT": str(root)}
    log = root / "logs" / "course.log"
    with log.open("a", encoding="utf-8") as out:
        done = subprocess.run(
            [str(root / "env" / "bin" / "python"), "-m", "crmlab.commands.hub.coursework",
             str(root / "course")], input=json.dumps(students), text=True, cwd=root / "course",
            env=env, stdout=out, stderr=subprocess.STDOUT, user=teacher.pw_uid,
            group=teacher.pw_gid, extra_groups=[instructors_gid()], umask=0o007)
    if done.returncode != 0:
        lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        raise CourseInputError(f"准备课程（成绩库、截止时间、名单）失败，详情见 {log}：\n"
                               + "\n".join(lines[-8:]))


EXCHANGE_MODES = {"outbound": 0o2775, "feedback": 0o2771, "inbound": 0o3773}
"""The course's exchange folders: nbgrader's modes with ``CourseDirectory.groupshared`` (which
the instructors' servers set), and the sticky bit on inbound, where every student writes: only
a folder's owner (or an instructor, or root) may remove or rename it."""


def prepare_exchange(exchange: Path, course_id: str) -> None:
    """The exchange as nbgrader documents it for one machine, with this course's folders
    already made and owned by root and the instructors' group (an existing hub's folders get
    these modes again, never following a link)."""
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)
    gid = instructors_gid()
    with contextlib.suppress(FileExistsError):
        (exchange / course_id).mkdir()
    safefs.give(exchange, course_id, 0, gid, 0o2775, 0o2775)
    for name, mode in EXCHANGE_MODES.items():
        relative = Path(course_id) / name
        with contextlib.suppress(FileExistsError):
            (exchange / relative).mkdir()
        safefs.give(exchange, relative, 0, gid, mode, mode)
