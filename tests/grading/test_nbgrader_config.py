"""nbgrader configured the way nbgrader reads it: crmlab's commands and the class_results
report load the configuration with nbgrader's own loader (every Jupyter config path, then the
course folder), so a ``db_url`` set in ``~/.jupyter`` (``JUPYTER_CONFIG_DIR``) or on a hub
(``/etc/jupyter``) is the gradebook they use; Formgrader shows Beijing time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crmlab import reports
from crmlab.course.facts import load_nbgrader_config
from crmlab.grading.environment import environment, environment_path
from crmlab.grading.gradebook import db_url, gradebook_location, read_gradebook
from crmlab.rules.checks import CourseInputError
from tests.support import ROOT
from tests.support.gradebook import build_gradebook


def user_config(folder: Path, url: str) -> Path:
    """A user's own ``nbgrader_config.py`` (what ~/.jupyter holds) naming a gradebook."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.db_url = {url!r}\n", encoding="utf-8")
    return folder


def course(folder: Path) -> Path:
    """A course folder with the project's nbgrader_config.py and assignments."""
    folder.mkdir(parents=True)
    shutil.copy2(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(ROOT / "assignments", folder / "assignments")
    return folder


def test_a_db_url_in_the_users_jupyter_config_is_honoured(tmp_path, monkeypatch):
    """Is a db_url from JUPYTER_CONFIG_DIR's nbgrader_config.py (PostgreSQL too) the course's
    gradebook, as nbgrader itself would use it, while the course's own file keeps its keys?"""
    url = "postgresql://grader:secret@127.0.0.1:5432/crmlab"
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(user_config(tmp_path / "jupyter", url)))
    folder = course(tmp_path / "course")
    config = load_nbgrader_config(folder)
    assert config.CourseDirectory.db_url == url and config.CourseDirectory.course_id == "crm-lab"
    assert db_url(folder) == url  # no SQLite timeout appended to a server's URL
    assert reports.gradebook_path(str(folder)) == url


def test_the_course_folders_own_setting_wins(tmp_path, monkeypatch):
    """Does a db_url in the course's nbgrader_config.py win over the user's, as in nbgrader?"""
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(user_config(tmp_path / "jupyter", "sqlite:////nope.db")))
    folder = course(tmp_path / "course")
    with (folder / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write(f"\nc.CourseDirectory.db_url = 'sqlite:///{tmp_path}/own.db'\n")
    assert db_url(folder) == f"sqlite:///{tmp_path}/own.db?timeout=300"


def test_without_any_setting_the_gradebook_is_in_the_course_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "empty"))
    folder = course(tmp_path / "course")
    assert db_url(folder) == f"sqlite:///{folder.resolve() / 'gradebook.db'}?timeout=300"


@pytest.mark.slow
def test_sync_due_dates_and_marks_use_the_configured_gradebook(tmp_path):
    """Do `crmlab sync-due-dates` and `crmlab marks` write to the gradebook a user's Jupyter
    config names, and not to gradebook.db in the course folder?"""
    elsewhere = tmp_path / "shared" / "成绩库.db"
    elsewhere.parent.mkdir()
    env = environment(JUPYTER_CONFIG_DIR=str(user_config(tmp_path / "jupyter", f"sqlite:///{elsewhere}")))
    folder = course(tmp_path / "course")
    done = subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "sync-due-dates", "--course",
                           str(folder)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert elsewhere.is_file() and not (folder / "gradebook.db").exists()
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{elsewhere}") as gradebook:
        assert {a.name for a in gradebook.assignments} == {p.stem for p in (ROOT / "assignments").glob("*.yml")}
    marks = tmp_path / "评分.csv"
    marks.write_text("student_id,assignment,notebook,grade_id,score\ns1,hw01_crm_concepts,"
                     "hw01_crm_concepts,no_cell,1\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "marks", str(marks), "--course",
                           str(folder)], env=env, capture_output=True, text=True, cwd=tmp_path)
    # The gradebook it opened is the configured one: it has the assignment but not the student.
    assert done.returncode == 1 and "找不到 s1 在 hw01_crm_concepts" in done.stderr
    assert not (folder / "gradebook.db").exists()


@pytest.mark.slow  # starts processes (nbgrader, crmlab, a kernel)
def test_class_results_reads_the_configured_gradebook(tmp_path, monkeypatch):
    """Does the class_results report read the gradebook the configuration names?"""
    elsewhere = build_gradebook(tmp_path / "shared")
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(user_config(tmp_path / "jupyter", f"sqlite:///{elsewhere}")))
    folder = course(tmp_path / "course")
    inputs = reports.class_results_inputs(str(folder), "", 60)
    assert inputs.database == elsewhere and inputs.assignments == ["hw01", "hw02"]


def course_with_own_gradebook(tmp_path: Path) -> tuple[Path, Path]:
    """A course whose own nbgrader_config.py sets db_url to a SQLite file outside the folder
    (the small gradebook of test_reports), with a decoy gradebook.db without assignments in the
    folder, where the gradebook would be without the setting. Returns (course, configured)."""
    from nbgrader.api import Gradebook

    configured = build_gradebook(tmp_path / "shared" / "成绩")
    folder = course(tmp_path / "course")
    with (folder / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write(f"\nc.CourseDirectory.db_url = 'sqlite:///{configured}'\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", environment_path())  # nbgrader runs `alembic` for a new database
        with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as decoy:
            decoy.add_student("decoy")
    return folder, configured


@pytest.mark.slow  # starts processes (nbgrader, crmlab, a kernel)
def test_the_gradebook_reader_follows_the_courses_db_url(tmp_path, monkeypatch):
    """With db_url in the course's nbgrader_config.py naming a SQLite file elsewhere: do the
    course's gradebook reader and the class_results report read that file, not the decoy
    gradebook.db in the course folder, and leave it unchanged?"""
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "empty"))
    folder, configured = course_with_own_gradebook(tmp_path)
    before = configured.read_bytes()
    assert gradebook_location(folder) == configured
    records = read_gradebook(folder)
    assert list(records.assignments["assignment"]) == ["hw01", "hw02"]
    assert list(records.students["student_id"]) == ["s01", "s02", "s03", "s04"]
    inputs = reports.class_results_inputs(str(folder), "", 60)
    assert inputs.database == configured and len(inputs.records.submissions) == 7
    assert configured.read_bytes() == before


def test_a_configured_gradebook_that_is_missing_or_not_a_gradebook_is_named(tmp_path, monkeypatch):
    """Does a db_url naming a SQLite file that is missing, or is not a gradebook, stop the
    reader and the report with one Chinese message naming the file?"""
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(user_config(tmp_path / "jupyter",
                                                            f"sqlite:///{tmp_path / 'nope.db'}")))
    folder = course(tmp_path / "course")
    with pytest.raises(CourseInputError, match=f"找不到成绩库 {tmp_path / 'nope.db'}"):
        read_gradebook(folder)
    with pytest.raises(reports.ReportParameterError, match="请先运行 make demo 或指定 course_dir"):
        reports.class_results_inputs(str(folder), "", 60)
    (tmp_path / "nope.db").write_text("不是成绩库", encoding="utf-8")
    with pytest.raises(CourseInputError, match=f"无法读取成绩库 {tmp_path / 'nope.db'}："):
        read_gradebook(folder)
    with pytest.raises(reports.ReportParameterError, match="无法读取成绩库"):
        reports.class_results_inputs(str(folder), "", 60)


@pytest.mark.slow
def test_crmlab_report_class_results_reads_the_courses_db_url(tmp_path):
    """Does `crmlab report class_results -p course_dir COURSE` report on the gradebook the
    course's db_url names: its path, its students and its late submission?"""
    folder, configured = course_with_own_gradebook(tmp_path)
    env = environment(JUPYTER_CONFIG_DIR=str(tmp_path / "empty"))
    done = subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "report", "class_results",
                           "-p", "course_dir", str(folder), "--out", str(tmp_path / "out")],
                          env=env, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "class_results.html").read_text(encoding="utf-8")
    assert f"成绩库：{configured}" in text and "刘 洋" in text and "decoy" not in text
    assert "共 <strong>1</strong> 份迟交" in text


def test_formgrader_shows_beijing_time():
    """Does nbgrader's API, configured by the course, format times in Asia/Shanghai?"""
    from datetime import datetime

    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import as_timezone

    config = load_nbgrader_config(ROOT)
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    assert api.timezone == "Asia/Shanghai"
    assert as_timezone(datetime(2026, 1, 10, 15, 59), api.timezone).strftime("%H:%M %z") == "23:59 +0800"


@pytest.mark.slow  # starts processes (nbgrader, crmlab, a kernel)
def test_the_teacher_guide_says_where_the_exchange_is_and_how_to_move_it():
    """Does 教师指南 give nbgrader's real default exchange and the three ways to move it, and
    does its command for the configured place work?"""
    from nbgrader.exchange.default.exchange import Exchange

    text = (ROOT / "docs" / "教师指南.md").read_text(encoding="utf-8")
    default = Exchange.class_traits()["root"].default_value
    assert f"`{default}`" in text
    for way in ('c.Exchange.root = "', "CRMLAB_EXCHANGE=", "/etc/jupyter/nbgrader_config.py"):
        assert way in text, way
    done = subprocess.run([sys.executable, "-c", "from crmlab.course.facts import load_nbgrader_config;"
                           " print(load_nbgrader_config('.').Exchange)"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "CRMLAB_EXCHANGE": "/data/exchange"})
    assert done.stdout.strip() == "{'root': '/data/exchange'}"


# --- a real PostgreSQL gradebook ------------------------------------------------------------------


def _postgres_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    assert found, f"PostgreSQL's {name} is missing: install the Debian package postgresql (`make test` does)"
    return str(found)


@pytest.fixture
def postgres(tmp_path):
    """A throwaway PostgreSQL server on a Unix socket only (no TCP), as its own system user when
    the tests run as root; yields the SQLAlchemy URL of an empty database ``crmlab``."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="crmlab-pg-"))  # outside root's private pytest folder
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    data, port = folder / "data", 50000 + os.getpid() % 10000
    run = lambda *argv: subprocess.run([*as_user, *argv], check=True, capture_output=True,  # noqa: E731
                                       text=True, cwd=folder, timeout=120)
    run(_postgres_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust")
    run(_postgres_bin("pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "server.log"), "-o",
        f"-k {folder} -p {port} -c listen_addresses=''", "start")
    try:
        run(_postgres_bin("createdb"), "-h", str(folder), "-p", str(port), "-U", "postgres", "crmlab")
        yield f"postgresql+psycopg://postgres:geheim@/crmlab?host={folder}&port={port}"
    finally:
        run(_postgres_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_a_postgresql_gradebook_set_in_the_users_config_is_used(tmp_path, postgres, monkeypatch):
    """With a PostgreSQL db_url in the user's Jupyter config: does `crmlab sync-due-dates`
    create the assignments there (nothing in the course folder), does `crmlab marks` look
    submissions up there, and does class_results read it (the password not shown)?"""
    env = environment(JUPYTER_CONFIG_DIR=str(user_config(tmp_path / "jupyter", postgres)))
    folder = course(tmp_path / "course")
    done = subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "sync-due-dates", "--course",
                           str(folder)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (folder / "gradebook.db").exists()
    from nbgrader.api import Gradebook

    wanted = {p.stem for p in (ROOT / "assignments").glob("*.yml")}
    with Gradebook(postgres) as gradebook:
        assert {a.name for a in gradebook.assignments} == wanted
        gradebook.add_student("s1", last_name="张", first_name="伟")
    marks = tmp_path / "评分.csv"
    marks.write_text("student_id,assignment,notebook,grade_id,score\ns1,hw01_crm_concepts,"
                     "hw01_crm_concepts,crm_vs_vulgar,1\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "marks", str(marks), "--course",
                           str(folder)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1 and "找不到 s1 在 hw01_crm_concepts" in done.stderr  # no submission yet
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", env["JUPYTER_CONFIG_DIR"])
    inputs = reports.class_results_inputs(str(folder), "", 60)
    assert set(inputs.assignments) == wanted and len(inputs.records.students) == 1
    assert "geheim" not in str(inputs.database) and "postgres:***@" in str(inputs.database)
