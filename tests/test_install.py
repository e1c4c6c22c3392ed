"""An install that works anywhere: the wheel and an editable install, used from outside the
checkout; the packaging metadata a 2027 setuptools accepts; the declared dependencies.

The wheel is built from a copy of the project's files (``git ls-files``), installed into a
scratch virtual environment with ``--no-deps``; the dependencies are this environment's, made
visible by a ``.pth`` file, their commands (``jupyter-lab``...) rewritten for the scratch
Python, and links to their Jupyter data (JupyterLab's static files, kernels, server
extensions), so that the test downloads nothing. The lab settings folder
(``share/jupyter/lab/settings``) is not linked: only the wheel's own data-files fill it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from benchmarks.harness import free_port
from crmlab.commands.lab import _wait_until_up
from tests.support import ROOT
from tests.support.browser import stop_process

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCALE_PLUGIN = "@jupyterlab/translation-extension:plugin"
NEWS_PLUGIN = "@jupyterlab/apputils-extension:notification"


def run(command: list[str], cwd: Path, env: dict | None = None, timeout: float = 600,
        ) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def scratch_venv(path: Path) -> Path:
    """A virtual environment whose dependencies are this environment's; returns its bin/."""
    run([sys.executable, "-m", "venv", "--without-pip", str(path)], cwd=path.parent)
    purelib = Path(run([str(path / "bin" / "python"), "-c",
                        "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       cwd=path.parent).stdout.strip())
    (purelib / "_crmlab_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    for script in (Path(sys.prefix) / "bin").iterdir():  # the dependencies' commands (jupyter-lab)
        target = path / "bin" / script.name
        text = script.read_bytes()
        if not target.exists() and text.startswith(f"#!{sys.prefix}/bin/python".encode()):
            target.write_bytes(b"#!" + str(path / "bin" / "python").encode()
                               + text[text.index(b"\n"):])
            target.chmod(0o755)
    for shared in ("share/jupyter", "etc/jupyter"):  # the dependencies' Jupyter data files
        source = Path(sys.prefix) / shared
        for entry in source.rglob("*"):
            relative = entry.relative_to(source)
            if entry.is_dir() or relative.parts[:2] == ("lab", "settings"):
                continue
            target = path / shared / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(entry)
    return path / "bin"


def pip(bin_dir: Path, *args: str, cwd: Path) -> None:
    run([sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install",
         "--no-deps", "--no-index", "--no-build-isolation", "--disable-pip-version-check",
         "--quiet", *args], cwd=cwd)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the project's files (the checkout stays untouched)."""
    files = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                cwd=ROOT).stdout.split("\0")
    source = tmp_path_factory.mktemp("source")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheelhouse")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--quiet", "-w", str(out), str(source)], cwd=source)
    [built] = out.glob("crmlab-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, Path]:
    """``(bin/, a folder outside the checkout)`` of a scratch venv with the wheel installed."""
    bin_dir = scratch_venv(tmp_path_factory.mktemp("wheel-env") / "venv")
    pip(bin_dir, str(wheel), cwd=wheel.parent)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    return bin_dir, elsewhere


# --- the wheel ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_wheel_carries_every_lesson_report_sample_bank_and_the_license(wheel):
    """Does the wheel hold whatever lessons/*.ipynb, reports/*.ipynb and data/*.csv the checkout
    has, the quiz banks, the JupyterLab defaults as data-files, and the LICENSE?"""
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, package, pattern in (("lessons", "lessons", "*.ipynb"),
                                     ("reports", "report_templates", "*.ipynb"),
                                     ("data", "sample_data", "*.csv"),
                                     ("crmlab/exercises/banks", "exercises/banks", "*.yml"),
                                     ("crmlab/commands/hub/templates", "commands/hub/templates", "*.html")):
        wanted = {f"crmlab/{package}/{p.name}" for p in (ROOT / folder).glob(pattern)}
        assert wanted and wanted <= names, folder
    assert any(n.endswith(".data/data/share/jupyter/lab/settings/overrides.json") for n in names)
    assert any(re.search(r"\.dist-info/licenses/LICENSE$", n) for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text and "License-File: LICENSE" in text


@pytest.mark.slow
def test_commands_work_from_another_folder(installed):
    """From a folder outside the checkout: `crmlab grade` on the sample, `crmlab report
    customer_grading`, `crmlab.data.load_sample`, `crmlab --version`, all from the wheel."""
    bin_dir, elsewhere = installed
    python = str(bin_dir / "python")
    where = run([python, "-c", "import crmlab, crmlab.data as d; print(crmlab.__file__); "
                 "print(d.DATA_DIR); print(len(d.load_sample('customers')))"], cwd=elsewhere)
    module, data_dir, rows = where.stdout.split()
    assert not module.startswith(str(ROOT)) and not data_dir.startswith(str(ROOT))
    assert rows == "320"
    sample = Path(data_dir) / "customers.csv"
    run([str(bin_dir / "crmlab"), "grade", str(sample), "--out", "分级结果.xlsx"], cwd=elsewhere)
    assert (elsewhere / "分级结果.xlsx").stat().st_size > 0
    report = run([str(bin_dir / "crmlab"), "report", "customer_grading", "--out", "报告"],
                 cwd=elsewhere, env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert "报告已生成" in report.stdout
    for suffix in (".html", ".ipynb", ".xlsx"):
        assert (elsewhere / "报告" / f"customer_grading{suffix}").exists()
    executed = nbformat.read(elsewhere / "报告" / "customer_grading.ipynb", as_version=4)
    assert not any(o.get("output_type") == "error" for c in executed.cells
                   for o in c.get("outputs", []))
    version = run([str(bin_dir / "crmlab"), "--version"], cwd=elsewhere).stdout
    assert version.strip() == f"crmlab {importlib.metadata.version('crmlab')}"


def _setting(port: int, token: str, plugin: str) -> dict:
    url = f"http://127.0.0.1:{port}/lab/api/settings/{plugin}?token={token}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        served = json.load(answer)
    defaults = {key: spec.get("default") for key, spec in served["schema"]["properties"].items()}
    return {**defaults, **served["settings"]}


@pytest.mark.slow
def test_crmlab_lab_from_the_wheel_opens_the_lessons_in_chinese(installed, tmp_path):
    """Does `crmlab lab` of the installed wheel, started in another folder, copy the lessons to
    ~/crmlab, serve lesson 00, and default to Chinese with the news pop-up off?"""
    bin_dir, elsewhere = installed
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    port = free_port()
    process = subprocess.Popen([str(bin_dir / "crmlab"), "lab", "--no-browser", "--port", str(port)],
                               cwd=elsewhere, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        output = ""
        for line in process.stdout:
            output += line
            if "http://127.0.0.1" in line:
                break
        found = re.search(r"token=(\w+)", output)
        assert found, output
        assert _wait_until_up(process, port)
        lessons = sorted(p.name for p in (home / "crmlab" / "lessons").glob("*.ipynb"))
        assert lessons == sorted(p.name for p in (ROOT / "lessons").glob("*.ipynb"))
        url = f"http://127.0.0.1:{port}/api/contents/lessons/00_guide.ipynb?token={found[1]}"
        with urllib.request.urlopen(url, timeout=30) as answer:
            assert json.load(answer)["type"] == "notebook"
        assert _setting(port, found[1], LOCALE_PLUGIN)["locale"] == "zh_CN"
        assert _setting(port, found[1], NEWS_PLUGIN)["fetchNews"] == "false"
    finally:
        stop_process(process, timeout=30)


GRADER_PROBE = """
# test probe: where the process that loads this configuration (the grader) imports crmlab from
import crmlab as _crmlab
with open(HERE / "crmlab-imported-from.txt", "a", encoding="utf-8") as _probe:
    print(_crmlab.__file__, file=_probe)
"""
KERNEL_PROBE = """
import os, sys, tempfile
from pathlib import Path
from jupyter_core.utils import run_sync
from crmlab.course.facts import load_nbgrader_config
from crmlab.grading.kernel_check import _kernel_import_error
from crmlab.grading.sandbox import SandboxKernelManager
manager = SandboxKernelManager(config=load_nbgrader_config(Path.cwd()))
with tempfile.TemporaryDirectory() as folder:
    os.chmod(folder, 0o755)
    print(run_sync(_kernel_import_error)(manager, folder, sys.argv[1]))
"""


def _teachers_shell(bin_dir: Path) -> dict[str, str]:
    """A shell with the scratch venv's commands first on PATH and no PYTHONPATH (nothing of
    the checkout)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return {**env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.slow
def test_a_course_graded_with_the_wheel_gets_the_same_score_every_way(installed, tmp_path):
    """In a course folder outside the checkout, do the wheel's `crmlab autograde` and plain
    `nbgrader autograde` (the course's sandbox, verdicts judged by the wheel's crmlab) give
    each of the five assignments' model answers full marks and a partly undone submission
    less, the same both ways, while the sandboxed kernel cannot import crmlab?"""
    from benchmarks.autograde_parallel import build_course, scores
    from crmlab.course.assignments import load_assignments

    bin_dir, _ = installed
    assignments = load_assignments(ROOT)
    assert len(assignments) == 5
    original = build_course(tmp_path, sorted(assignments), students=2)
    assert ROOT not in original.parents
    env = _teachers_shell(bin_dir)
    courses = {way: tmp_path / way for way in ("crmlab", "nbgrader")}
    for course in courses.values():
        shutil.copytree(original, course)
        with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
            config.write(GRADER_PROBE)
    for assignment in assignments:
        done = run([str(bin_dir / "crmlab"), "autograde", assignment], cwd=courses["crmlab"], env=env)
        assert "已评分 2 份，需查看 0 份，未能评分 0 份" in done.stdout, done.stdout
        run([str(bin_dir / "nbgrader"), "autograde", assignment], cwd=courses["nbgrader"], env=env)
    wheel_package = run([str(bin_dir / "python"), "-c", "import crmlab; print(crmlab.__file__)"],
                        cwd=tmp_path, env=env).stdout.strip()
    assert wheel_package.startswith(str(bin_dir.parent)), wheel_package
    for course in courses.values():
        imported = (course / "crmlab-imported-from.txt").read_text(encoding="utf-8").split()
        assert imported and set(imported) == {wheel_package}, imported
        graded = list(course.glob("autograded/*/*/*.ipynb"))
        assert len(graded) == 2 * len(assignments)
        for notebook in graded:
            assert "ModuleNotFoundError" not in notebook.read_text(encoding="utf-8"), notebook
    for assignment, facts in assignments.items():
        got = scores(courses["crmlab"], assignment)
        assert got == scores(courses["nbgrader"], assignment), assignment
        assert got["s000"] == facts.points_auto and got["s001"] < facts.points_auto, (assignment, got)
    # crmlab.rules, not crmlab: over a wheel's package folder the sandbox mounts an empty,
    # unreadable folder, which Python takes for an empty namespace package named crmlab.
    hidden = run([str(bin_dir / "python"), "-c", KERNEL_PROBE, "import crmlab.rules"],
                 cwd=courses["nbgrader"], env=env).stdout
    assert "ModuleNotFoundError" in hidden and "crmlab" in hidden, hidden


@pytest.mark.slow
def test_a_venv_reached_through_a_link_grades_in_the_sandbox(installed, tmp_path):
    """With the wheel's venv reached through a symbolic link (``/opt/venv`` -> ``/srv/venv``),
    do `python -m crmlab.commands.cli autograde` and `python -m nbgrader autograde`, started by
    the link, grade the model answers in the sandbox (which binds the real folders) with full
    marks, instead of refusing because the kernel's Python is not found there?"""
    from benchmarks.autograde_parallel import build_course, scores
    from crmlab.course.assignments import load_assignments

    bin_dir, _ = installed
    linked = tmp_path / "linked-venv"
    linked.symlink_to(bin_dir.parent)
    assignment = "hw01_crm_concepts"
    original = build_course(tmp_path, [assignment], students=1)
    python = str(linked / "bin" / "python")
    for way in ("crmlab.commands.cli", "nbgrader"):
        course = tmp_path / way
        shutil.copytree(original, course)
        run([python, "-m", way, "autograde", assignment], cwd=course, env=_teachers_shell(linked / "bin"))
        assert scores(course, assignment) == {"s000": load_assignments(ROOT)[assignment].points_auto}, way


# --- an editable install (pip install -e ., environment.yml) -------------------------------------


@pytest.mark.slow
def test_an_editable_install_finds_the_checkouts_content_and_installs_the_defaults(tmp_path):
    """Does `pip install -e .` (what environment.yml and the Makefile do) map the lessons,
    reports and data to the checkout and install JupyterLab's defaults (data-files)?"""
    bin_dir = scratch_venv(tmp_path / "venv")
    pip(bin_dir, "-e", str(ROOT), cwd=tmp_path)
    found = run([str(bin_dir / "python"), "-c",
                 "from crmlab.data.resources import *; "
                 "print(*(content_dir(p) for p in (LESSONS, REPORT_TEMPLATES, SAMPLE_DATA)))"],
                cwd=tmp_path).stdout.split()
    assert found == [str(ROOT / "lessons"), str(ROOT / "reports"), str(ROOT / "data")]
    settings = json.loads((tmp_path / "venv" / "share/jupyter/lab/settings/overrides.json")
                          .read_text(encoding="utf-8"))
    assert settings[LOCALE_PLUGIN] == {"locale": "zh_CN"}
    assert settings[NEWS_PLUGIN]["fetchNews"] == "false"
    environment = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+- -e \.$", environment, re.MULTILINE)  # the same editable install


# --- metadata and dependencies ------------------------------------------------------------------


def test_license_is_an_spdx_expression_with_its_file_and_a_backend_that_accepts_it():
    """Is the license an SPDX string with a LICENSE file (not the `{text = ...}` table that
    setuptools refuses after 2027-02-18), built by a setuptools that supports it (77+)?"""
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    [backend] = PYPROJECT["build-system"]["requires"]
    requirement = Requirement(backend)
    assert requirement.name == "setuptools" and requirement.specifier.contains("77")
    assert not requirement.specifier.contains("76.9")


def _imported_top_level_modules() -> set[str]:
    """Top-level modules imported by the package, the lessons, reports and assignments."""
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "crmlab").rglob("*.py")]
    sources.append((ROOT / "nbgrader_config.py").read_text(encoding="utf-8"))
    for folder in ("lessons", "reports", "source"):
        for notebook in (ROOT / folder).rglob("*.ipynb"):
            cells = nbformat.read(notebook, as_version=4).cells
            sources += [c.source for c in cells if c.cell_type == "code"]
    modules = set()
    for source in sources:
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"crmlab"}


KNOWN_MINIMUMS = {"pandera": "0.24", "ipython": "8.0", "openpyxl": "3.1"}
"""Versions the code needs at least: ``pandera.pandas`` is new in 0.24; ``Image(alt=...)`` in
IPython 8.0; pandas' ``ExcelWriter`` needs openpyxl 3.1."""


def test_every_imported_package_is_declared_with_a_true_lower_bound():
    """Is every third-party package the code imports a declared dependency with a `>=` lower
    bound, and no lower than what the code is known to need?"""
    def normalised(name: str) -> str:
        return name.lower().replace("_", "-")

    declared = {}
    for spec in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(spec)
        declared[normalised(requirement.name)] = requirement
    distributions = importlib.metadata.packages_distributions()
    for module in sorted(_imported_top_level_modules()):
        names = {normalised(d) for d in distributions.get(module, [])}
        assert names, f"{module} is imported but no installed distribution provides it"
        requirement = next((declared[n] for n in names if n in declared), None)
        assert requirement is not None, f"{module} ({names}) is not a declared dependency"
        lower = [s for s in requirement.specifier if s.operator == ">="]
        assert lower, f"{requirement} has no lower bound"
    for name, minimum in KNOWN_MINIMUMS.items():
        [bound] = [s for s in declared[name].specifier if s.operator == ">="]
        assert Version(bound.version) >= Version(minimum), declared[name]


def test_constraints_pin_the_tested_versions_and_the_makefile_uses_them():
    """Does constraints.txt pin every declared dependency to the version installed here, and do
    the Makefile (hence .ci/run's `make test`) and the README use it?"""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            pin = Requirement(line)  # a pin may hold for some Pythons only (a marker)
            if pin.marker is None or pin.marker.evaluate():
                pins[pin.name.lower().replace("_", "-")] = str(pin.specifier).removeprefix("==")
    specs = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["dev"]
    for spec in map(Requirement, specs):
        if spec.marker and not spec.marker.evaluate():
            continue
        name = spec.name.lower().replace("_", "-")
        if name == "setuptools":  # pip freeze leaves it out; the build backend pins its own
            continue
        assert name in pins, f"{name} is not in constraints.txt: run make constraints"
        assert spec.specifier.contains(pins[name], prereleases=True), (name, pins[name])
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-c $(CONSTRAINTS)" in makefile and "CONSTRAINTS := constraints.txt" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make constraints" in (ROOT / "README.md").read_text(encoding="utf-8")


DEBIAN_PYTHON = Path("/usr/bin/python3.11")


@pytest.mark.slow
@pytest.mark.skipif(not DEBIAN_PYTHON.exists(), reason="no Debian python3.11 on this machine")
def test_debians_python_installs_the_pinned_set(tmp_path):
    """Does a venv made from Debian 12's own /usr/bin/python3.11 (3.11.2, older than some pins
    want) install the project with constraints.txt, as the hub's servers' environment does, and
    does every installed pin that applies to it match?"""
    venv = tmp_path / "debian-venv"
    run([str(DEBIAN_PYTHON), "-m", "venv", str(venv)], cwd=tmp_path)
    python = str(venv / "bin" / "python")
    version = run([python, "-c", "import platform; print(platform.python_version())"],
                  cwd=tmp_path).stdout.strip()
    run([python, "-m", "pip", "install", "--quiet", "-c", str(ROOT / "constraints.txt"),
         f"{ROOT}[dev]"], cwd=tmp_path, timeout=1500)
    run([python, "-m", "pip", "check"], cwd=tmp_path)
    frozen = dict(line.split("==", 1) for line in run(
        [python, "-m", "pip", "freeze", "--exclude-editable"], cwd=tmp_path).stdout.splitlines()
        if "==" in line)
    frozen = {name.lower().replace("_", "-"): v for name, v in frozen.items()}
    environment = {"python_full_version": version, "python_version": version.rsplit(".", 1)[0]}
    checked = 0
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        pin = Requirement(line)
        name = pin.name.lower().replace("_", "-")
        if name in frozen and (pin.marker is None or pin.marker.evaluate(environment)):
            assert pin.specifier.contains(frozen[name], prereleases=True), (name, frozen[name])
            checked += 1
    assert checked > 100, checked
