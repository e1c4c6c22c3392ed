"""The house (docs/architecture.md): imports point up the layers, the rules layer reads no file,
modules stay small, notebooks use the public faces, and the checklists for a new lesson and a new assignment work when
followed in a scratch copy of the repository."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from crmlab.course.manifest import chinese_number
from tests.support import ROOT

PACKAGE = ROOT / "crmlab"
LAYERS = {"rules": 0, "charts": 1, "data": 1, "exercises": 2, "course": 2, "widgets": 3,
          "grading": 3, "reports": 4, "formgrader": 4, "commands": 5}
"""Each folder of crmlab/ and its row in docs/architecture.md's table: an import may only
name a folder of a lower row."""
MAX_LINES = 600
PUBLIC_FACES = {"crmlab", "crmlab.rules", "crmlab.widgets", "crmlab.charts", "crmlab.data",
                "crmlab.reports", "crmlab.exercises"}


def _imported(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return [name for name in names if name.split(".")[0] == "crmlab"]


def layer_violations(package: Path) -> list[str]:
    """Every import in ``package`` from one layer folder to a folder that is not below it."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if len(relative.parts) < 2:
            continue  # crmlab/__init__.py: the package's face imports nothing of its own
        layer = relative.parts[0]
        for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            target = name.split(".")[1] if "." in name else None
            if target in LAYERS and target != layer and LAYERS[target] >= LAYERS[layer]:
                found.append(f"crmlab/{relative.as_posix()} imports {name} ({layer} → {target})")
    return sorted(set(found))


def test_every_folder_of_the_package_is_a_layer_of_the_table():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(LAYERS)
    assert not [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"], \
        "a module outside the layer folders"
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {name: int(row) for row, name in re.findall(r"^\| (\d) \| `(\w+)/` \|", text, re.M)}
    assert rows == LAYERS


def test_the_old_names_of_the_grading_modules_still_import_them():
    """A course folder deployed before grading/ existed has an nbgrader_config.py that imports
    crmlab.course.sandbox, .export, .feedback, .header and .late and names
    crmlab.course.sandbox.SandboxedExecute: each old name is the moved module itself (so
    traitlets' classes and ``isinstance`` agree), which keeps its own name."""
    import importlib

    from traitlets.utils.importstring import import_item

    from crmlab.course import MOVED

    old_config = ("from crmlab.course.export import COURSE_TIMEZONE, CourseExportPlugin\n"
                  "from crmlab.course.feedback import TEMPLATE_NAME, TEMPLATES, FeedbackExporter\n"
                  "from crmlab.course.header import generate_preprocessors\n"
                  "from crmlab.course.late import PerDayLatePenalty\n"
                  "from crmlab.course.sandbox import sandboxed_preprocessors\n")
    exec(compile(old_config, "an old nbgrader_config.py", "exec"), {})
    sandbox = importlib.import_module("crmlab.grading.sandbox")
    assert import_item("crmlab.course.sandbox.SandboxedExecute") is sandbox.SandboxedExecute
    assert sorted(MOVED) == sorted(p.stem for p in (PACKAGE / "grading").glob("*.py")
                                   if p.stem in MOVED) and len(MOVED) == 10
    for name in MOVED:
        moved = importlib.import_module("crmlab.grading." + name)
        assert importlib.import_module("crmlab.course." + name) is moved, name
        assert moved.__spec__.name == moved.__name__ == "crmlab.grading." + name
    with pytest.raises(ModuleNotFoundError):
        __import__("crmlab.course.classroom")  # not a grading module: no old name kept


def test_imports_only_point_up_the_layers():
    assert layer_violations(PACKAGE) == []


def test_an_import_down_the_layers_is_caught(tmp_path):
    """The check above can fail: a rule module importing a widget is reported."""
    package = tmp_path / "crmlab"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    grading = package / "rules" / "grading.py"
    grading.write_text(grading.read_text(encoding="utf-8") + "\nfrom crmlab.widgets import Quiz\n",
                       encoding="utf-8")
    assert layer_violations(package) == [
        "crmlab/rules/grading.py imports crmlab.widgets (rules → widgets)",
        "crmlab/rules/grading.py imports crmlab.widgets.Quiz (rules → widgets)",
    ]


FILE_MODULES = {"io", "os", "pathlib", "shutil", "tempfile", "glob", "fileinput", "pkgutil",
                "importlib.resources", "importlib_resources", "zipfile", "tarfile", "sqlite3",
                "pickle", "shelve", "csv", "json", "tomllib", "yaml", "openpyxl"}
"""Modules that reach files or parse them: the rules layer holds its data as Python."""
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "glob",
              "rglob", "load", "safe_load", "loadtxt", "genfromtxt", "fromfile", "tofile", "save",
              "savetxt", "read_csv", "read_excel", "read_json", "read_table", "read_parquet",
              "read_pickle", "to_csv", "to_excel", "to_json", "to_parquet", "to_pickle"}
"""Calls that open, read or write a file, by the called function's (or method's) name."""


def file_access(folder: Path) -> list[str]:
    """Every place in ``folder``'s modules that imports a file module, calls a function that
    opens, reads or writes a file, or locates a file beside itself (``__file__``)."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        where = path.relative_to(folder.parent.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                modules = []
            for module in modules:
                if module in FILE_MODULES or module.split(".")[0] in FILE_MODULES:
                    found.append(f"{where}:{node.lineno} imports {module}")
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in FILE_CALLS:
                    found.append(f"{where}:{node.lineno} calls {name}()")
            if isinstance(node, ast.Name) and node.id == "__file__":
                found.append(f"{where}:{node.lineno} uses __file__")
    return found


def test_the_rules_layer_reads_and_writes_no_files():
    """Layer 0 is pure rules: no module of crmlab/rules opens, reads or writes a file (question
    banks and tables are read in the layers above and handed to the rules), and the folder holds
    no data file for one to read."""
    assert file_access(PACKAGE / "rules") == []
    assert sorted(p.name for p in (PACKAGE / "rules").iterdir()
                  if p.is_file() and p.suffix != ".py") == []


def test_a_rule_reading_a_file_is_caught(tmp_path):
    """The check above can fail: a rule that loads its bank with importlib.resources and yaml,
    or opens a file beside it, is reported line by line."""
    rules = tmp_path / "crmlab" / "rules"
    shutil.copytree(PACKAGE / "rules", rules, ignore=shutil.ignore_patterns("__pycache__"))
    spin = rules / "spin.py"
    lines = len(spin.read_text(encoding="utf-8").splitlines())
    spin.write_text(spin.read_text(encoding="utf-8") + (
        "from importlib import resources\n"
        "import yaml\n"
        "def bank():\n"
        "    text = resources.files(__package__).joinpath('b.yml').read_text(encoding='utf-8')\n"
        "    return yaml.safe_load(text)\n"
        "def notes():\n"
        "    with open(__file__.replace('.py', '.txt'), encoding='utf-8') as f:\n"
        "        return f.read()\n"), encoding="utf-8")
    at = lambda offset: f"crmlab/rules/spin.py:{lines + offset}"  # noqa: E731
    assert file_access(rules) == [
        f"{at(1)} imports importlib.resources", f"{at(2)} imports yaml",
        f"{at(4)} calls read_text()", f"{at(5)} calls safe_load()",
        f"{at(7)} calls open()", f"{at(7)} uses __file__",
    ]


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_tests_share_helpers_through_support_not_each_other():
    """A test module imports no other test module (shared helpers are in tests/support/ or a
    fixture), and the benchmarks import nothing of tests/."""
    found = []
    for path in sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                if name.split(".")[0] != "tests":
                    continue
                if relative.startswith("benchmarks/") or name.split(".")[-1].startswith("test_"):
                    found.append(f"{relative} imports {name}")
    assert found == []


def test_root_is_defined_once_in_the_tests():
    defined = [path.relative_to(ROOT).as_posix() for path in (ROOT / "tests").rglob("*.py")
               if re.search(r"^ROOT = ", path.read_text(encoding="utf-8"), re.M)]
    assert defined == ["tests/support/__init__.py"]


@pytest.mark.parametrize("folder", ["lessons", "reports"])
def test_notebooks_import_crmlab_through_its_public_faces(folder):
    for path in sorted((ROOT / folder).glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            source = "\n".join(line for line in cell.source.splitlines() if not line.startswith(("%", "!")))
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crmlab"):
                    assert node.module in PUBLIC_FACES, f"{path.name}: from {node.module} import …"


# --- the checklists, followed in a scratch copy ---------------------------------------------------

LESSON_TITLE = "检查清单试验课"
ASSIGNMENT = "hw06_checklist_trial"
SOLUTION_LINE = "return round(amount * 0.1, 2)  # 清单试验的参考答案"
HIDDEN_LINE = "assert commission(123) == 12.3, \"隐藏测试：清单试验\""


def _scratch_checkout(target: Path) -> Path:
    """The repository's tracked files (what a fresh clone has), copied to ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _insert_before(path: Path, marker: str, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert marker in content, f"{marker!r} not in {path}"
    path.write_text(content.replace(marker, text + marker, 1), encoding="utf-8")


def _add_lesson(repo: Path, number: int) -> None:
    lesson = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# 第{chinese_number(number)}课 {LESSON_TITLE}\n\n按检查清单加入的一课。"),
        nbformat.v4.new_code_cell("from crmlab.rules import grading\n\n"
                                  "grading.grade_customer(600, {}).level"),
    ])
    nbformat.write(lesson, repo / "lessons" / f"{number:02d}_checklist_trial.ipynb")
    bank = yaml.safe_load((repo / "crmlab/exercises/banks/lesson01.yml").read_text(encoding="utf-8"))
    question = dict(bank["questions"][0], id=f"L{number}-01")
    (repo / f"crmlab/exercises/banks/lesson{number}.yml").write_text(
        yaml.safe_dump({"lesson": number, "title": LESSON_TITLE, "questions": [question]},
                       allow_unicode=True), encoding="utf-8")
    _insert_before(repo / "crmlab/course/course.yml", "\nassignments:", "\n".join([
        f"\n  - number: {number}", f"    file: {number:02d}_checklist_trial.ipynb",
        f"    title: {LESSON_TITLE}", "    topics: 检查清单的每一步",
        f"    banks: [lesson{number}.yml]"]))


def _nbgrader(cell, grade_id: str, **flags) -> None:
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "grade": False,
                                 "solution": False, "locked": False, "task": False, **flags}


def _add_assignment(repo: Path, lesson: int) -> None:
    intro = nbformat.v4.new_markdown_cell("写一个函数 `commission(amount)`：按 10% 计算佣金。")
    _nbgrader(intro, "intro", locked=True)
    answer = nbformat.v4.new_code_cell(
        "def commission(amount):\n    ### BEGIN SOLUTION\n    " + SOLUTION_LINE + "\n    ### END SOLUTION")
    _nbgrader(answer, "commission", solution=True)
    tests = nbformat.v4.new_code_cell(
        "assert commission(100) == 10\n### BEGIN HIDDEN TESTS\n" + HIDDEN_LINE + "\n### END HIDDEN TESTS")
    _nbgrader(tests, "commission_tests", grade=True, locked=True, points=2)
    written = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")
    _nbgrader(written, "why", grade=True, solution=True, points=3)
    folder = repo / "source" / ASSIGNMENT
    folder.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[intro, answer, tests, written],
                                            metadata={"kernelspec": {"name": "python3",
                                                                     "display_name": "Python 3",
                                                                     "language": "python"}}),
                   folder / f"{ASSIGNMENT}.ipynb")
    (repo / "assignments" / f"{ASSIGNMENT}.yml").write_text(yaml.safe_dump({
        "id": ASSIGNMENT, "title": "作业六：检查清单试验", "lesson": lesson, "notebook": ASSIGNMENT,
        "due": "2027-01-10T23:59:00+08:00", "late_policy": {"per_day": 0.1, "max": 0.5},
        "points": {"auto": 2, "manual": 3},
        "rubric": [{"grade_id": "why", "points": 3, "title": "说明佣金的算法",
                    "criteria": ["说出按订单金额的 10% 计算（3 分）"]}],
    }, allow_unicode=True, sort_keys=False), encoding="utf-8")
    course = repo / "crmlab/course/course.yml"
    course.write_text(course.read_text(encoding="utf-8").rstrip("\n") + f"\n  - id: {ASSIGNMENT}\n",
                      encoding="utf-8")


@pytest.mark.slow
def test_a_lesson_and_an_assignment_added_by_the_checklists(tmp_path):
    repo = _scratch_checkout(tmp_path / "repo")
    number = max(int(p.name[:2]) for p in (repo / "lessons").glob("*.ipynb")) + 1
    env = dict(os.environ, PYTHONPATH=str(repo))  # the scratch copy's crmlab, manifest and banks

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=repo, env=env, capture_output=True,
                              text=True, timeout=600)

    _add_lesson(repo, number)
    _add_assignment(repo, number)
    stale = run("-m", "crmlab.course.manifest", "--check")
    assert stale.returncode == 1 and "python -m crmlab.course.manifest" in stale.stderr
    assert run("-m", "crmlab.course.manifest").returncode == 0
    checked = run("-m", "crmlab.course.manifest", "--check")
    assert checked.returncode == 0, checked.stderr

    # The lesson is on the course map, the README's table and the self-study path.
    guide = nbformat.read(repo / "lessons" / "00_guide.ipynb", as_version=4)
    assert LESSON_TITLE in "\n".join(cell.source for cell in guide.cells)
    assert LESSON_TITLE in (repo / "README.md").read_text(encoding="utf-8")
    assert ASSIGNMENT[:4] in (repo / "docs" / "自学指南.md").read_text(encoding="utf-8")
    # Its question bank loads from the scratch copy.
    bank = run("-c", f"from crmlab.exercises import quiz; print(len(quiz.load_bank({number})))")
    assert bank.stdout.split() == ["1"], bank.stderr

    # The assignment is released with its header from the YAML and nothing secret.
    released = run("-m", "crmlab.commands.cli", "release", ASSIGNMENT)
    assert released.returncode == 0, released.stdout + released.stderr
    student = (repo / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8")
    header = nbformat.reads(student, as_version=4).cells[0].source
    assert "作业六：检查清单试验" in header and "2027 年 1 月 10 日" in header
    assert f"第{chinese_number(number)}课 {LESSON_TITLE}" in header
    assert "5 分" in header
    assert SOLUTION_LINE.split("  #")[0] not in student and "12.3" not in student
    assert "def commission(amount):" in student

    # The lesson runs headless from a clean kernel, with the scratch copy's crmlab.
    executed = run("-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--stdout",
                   f"lessons/{number:02d}_checklist_trial.ipynb")
    assert executed.returncode == 0, executed.stderr[-2000:]
    assert '"output_type": "error"' not in executed.stdout

    # The project's own consistency tests pass in the scratch copy.
    own = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/course/test_manifest.py",
              "tests/test_guides.py", "tests/test_project.py", "-k", "not screenshot")
    assert own.returncode == 0, own.stdout[-3000:]
