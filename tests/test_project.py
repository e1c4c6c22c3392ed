"""The project's set-up files agree with each other and load as their tools expect."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]


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
    """Are the runtime folders of DESIGN.md ignored by git?"""
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for folder in (".venv/", "out/", "submitted/", "autograded/", "feedback/", "gradebook.db"):
        assert folder in ignored


def test_readme_starts_with_the_two_commands():
    """Are `make demo` and `make test` the README's first commands?"""
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
             if line.startswith("make ")]
    assert [line.split("#")[0].strip() for line in lines[:2]] == ["make demo", "make test"]
