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
                       with exchange/crm-lab/ made in advance by the instructors' group so that
                       no student can claim the course's folder first
"""

from __future__ import annotations

import grp
import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from crmlab.commands.classroom import COURSE_ID
from crmlab.commands.hub.accounts import INSTRUCTOR_GROUP
from crmlab.commands.hub.roster import Member
from crmlab.commands.hub.singleuser import copy_new_files
from crmlab.rules.checks import CourseInputError

CHECKOUT = Path(__file__).resolve().parents[3]
"""The project folder ``crmlab hub`` runs from (the instructor's checkout)."""

SERVER_PYTHON = Path(os.environ.get("CRMLAB_SERVER_PYTHON", "/usr/bin/python3.11"))
"""The interpreter of the servers' environment: one every account may execute (a Python under
/root, such as pyenv's, is not)."""

PUBLIC = ("crmlab", "lessons", "data", "reports", "jupyter-config", "pyproject.toml", "setup.py",
          "README.md")
"""What of the project goes into ``app/``: everything a student's server needs, nothing secret."""

COURSE_FILES = ("source", "release", "assignments", "data", "nbgrader_config.py")
"""What of the project makes the course directory."""

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
    if not others_can_reach(checkout / "source") and not others_can_reach(checkout):
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
    for name in ("pyproject.toml", "setup.py"):
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

    Installing happens only when ``pyproject.toml`` changed since the last build; the code of
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
    _run([python, "-m", "pip", "install", "--quiet", "-e", app], log, "安装课程软件包")
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


def write_nbgrader_config(root: Path) -> None:
    """nbgrader settings every server shares: the course and its exchange."""
    path = root / "env" / "etc" / "jupyter" / "nbgrader_config.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by crmlab hub: the course every server of this hub belongs to.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(root / 'exchange')!r}\n"
        "c.Exchange.path_includes_course = True\n",
        encoding="utf-8",
    )
    path.chmod(0o644)


# --- the course and the exchange -------------------------------------------------------------


def _instructors_gid() -> int:
    return grp.getgrnam(INSTRUCTOR_GROUP).gr_gid


def _give_to_instructors(paths: list[Path], gid: int) -> None:
    for path in paths:
        os.chown(path, 0, gid)
        path.chmod(COURSE_DIR_MODE if path.is_dir() else COURSE_FILE_MODE)


def prepare_course(course: Path, checkout: Path = CHECKOUT) -> list[Path]:
    """Make the course directory from the project; files already there are never replaced."""
    gid = _instructors_gid()
    course.mkdir(exist_ok=True)
    made = [course]
    for name in COURSE_FILES:
        source = checkout / name
        if source.is_dir():
            copied = copy_new_files(source, course / name)
            made += sorted({parent for path in copied for parent in path.parents
                            if parent.is_relative_to(course / name)} | set(copied))
        elif source.is_file() and not (course / name).exists():
            shutil.copyfile(source, course / name)
            made.append(course / name)
    gradebook = course / "gradebook.db"
    if not gradebook.exists():
        # nbgrader's generate_assignment puts each assignment's notebooks and cells into the new
        # gradebook (autograde needs them); release/ comes out as committed (crmlab check-release).
        from crmlab.grading.environment import environment
        from crmlab.grading.gradebook import sync_due_dates
        from crmlab.grading.release import assignment_ids

        env = environment()
        for assignment in assignment_ids(course):
            done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment",
                                   assignment, "--force"], cwd=course, env=env,
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise CourseInputError(f"nbgrader generate_assignment {assignment} 失败：\n"
                                       + done.stderr[-1500:])
        sync_due_dates(course)
        made += [path for path in course.rglob("*") if path.stat().st_uid == 0]
    _give_to_instructors(sorted(set(made)), gid)
    return made


def enrol(course: Path, members: list[Member]) -> None:
    """Put the roster's students into the gradebook with their names, so that Formgrader and the
    exported marks show them (nbgrader knows a student by the Unix account that submits)."""
    from nbgrader.api import Gradebook

    from crmlab.grading.gradebook import db_url

    with Gradebook(db_url(course)) as gradebook:
        for member in members:
            if not member.is_instructor:
                gradebook.update_or_create_student(member.unix_name, last_name=member.name)


def prepare_exchange(exchange: Path) -> None:
    """The exchange as nbgrader documents it for one machine, with this course's folder
    already made and owned by the instructors' group."""
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)
    course = exchange / COURSE_ID
    course.mkdir(exist_ok=True)
    os.chown(course, 0, _instructors_gid())
    course.chmod(0o2775)
