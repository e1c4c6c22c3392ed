"""The project's set-up files agree with each other and load as their tools expect."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from traitlets.config.loader import PyFileConfigLoader

from tests.support import ROOT


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {_normalise(r.name): str(r.specifier) for r in map(Requirement, specs)}


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    entries: list[str] = []
    for dep in env["dependencies"]:
        entries += dep["pip"] if isinstance(dep, dict) else [dep]
    found = {}
    for entry in entries:
        if entry.startswith("-e ") or entry.startswith("python=") or entry == "pip":
            continue
        requirement = Requirement(entry.replace(" ", ""))
        found[_normalise(requirement.name)] = str(requirement.specifier)
    return found


def test_environment_yml_agrees_with_pyproject():
    """Does environment.yml list exactly pyproject's packages, with the same version ranges?"""
    assert _environment_requirements() == _pyproject_requirements()


def test_nbgrader_config_loads_with_course_settings(tmp_path, monkeypatch):
    """Does nbgrader_config.py load with traitlets and set the course id, timeout and stubs?"""
    monkeypatch.setenv("CRMLAB_EXCHANGE", str(tmp_path / "exchange"))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.CourseDirectory.course_id == "crm-lab"
    assert config.CourseDirectory.root == str(ROOT)
    assert config.Exchange.root == str(tmp_path / "exchange")
    assert config.Execute.timeout == 30
    assert "在这里写你的代码" in config.ClearSolutions.code_stub["python"]
    assert "NotImplementedError" in config.ClearSolutions.code_stub["python"]


def test_runtime_folders_are_ignored():
    """Are the runtime folders (out/, .crmlab-logs/, …) ignored by git?"""
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for folder in (".venv/", "out/", "submitted/", "autograded/", "feedback/", "gradebook.db"):
        assert folder in ignored


def test_readme_starts_with_the_two_commands():
    """Are `make demo` and `make test` the README's first commands?"""
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
             if line.startswith("make ")]
    assert [line.split("#")[0].strip() for line in lines[:2]] == ["make demo", "make test"]


def _minimal_path(tmp_path: Path) -> str:
    """A PATH holding only the commands scripts/system-packages.sh needs to look around: no
    apt-get, npm, bubblewrap, Chromium or proxy."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("bash", "dpkg", "dpkg-query", "id", "env"):
        (folder / tool).symlink_to(shutil.which(tool))
    return str(folder)


def test_make_demo_and_test_install_their_system_packages():
    """Do `make demo` and `make test` (hence CI) run the system-package step first?"""
    for target in ("demo", "test"):
        plan = subprocess.run(["make", "-n", "-W", "pyproject.toml", target], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout
        assert f"scripts/system-packages.sh {target}" in plan


def test_system_packages_without_apt_says_what_to_install(tmp_path):
    """Without bubblewrap and without apt-get, does the step name the package in one Chinese
    line and stop, instead of letting the demo fail later?"""
    path = _minimal_path(tmp_path)
    done = subprocess.run(["bash", str(ROOT / "scripts/system-packages.sh"), "demo"],
                          env={"PATH": path}, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "bubblewrap" in done.stderr and "apt-get" in done.stderr
    assert "make demo" in done.stderr


def test_system_packages_with_everything_present_installs_nothing(tmp_path):
    """With every package present, does the step change nothing and say nothing?"""
    path = _minimal_path(tmp_path)
    for tool in ("bwrap", "chromium", "configurable-http-proxy"):
        (Path(path) / tool).symlink_to(shutil.which(tool) or "/bin/true")
    done = subprocess.run(["bash", str(ROOT / "scripts/system-packages.sh"), "test"],
                          env={"PATH": path}, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
