"""A graded scratch course served by a real JupyterLab with nbgrader's Formgrader (and the
course's layer over it), for the browser tests of Formgrader and the Assignment List."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from crmlab.grading.exchange import id_problem
from tests.support.browser import LabServer
from tests.support.course import ScratchCourse

ASSIGNMENT = "hw01_crm_concepts"
WRITTEN_CELL = "crm_vs_vulgar"
"""A hand-graded markdown answer of hw01."""
CODE_CELL = "q1_answer"
"""A code answer of hw01 (its test q1_test follows it)."""

FLAG = "__crmlab_xss"
"""The page-level flag every payload below would set if it ran."""
ANSWER_TEXT = "客户关系管理重在建立长期的互利关系"
MARKDOWN_PAYLOAD = f"""{ANSWER_TEXT}，**而不是请客送礼**。

| 做法 | 性质 |
|---|---|
| 定期回访 | 客户关系管理 |

<img src=x onerror="window.{FLAG}='markdown img'; console.log('XSS markdown img')">
<script>window.{FLAG}='markdown script'</script>
<iframe srcdoc="<script>parent.{FLAG}='iframe'</script>"></iframe>
<svg onload="window.{FLAG}='svg'"></svg>
<form action="javascript:window.{FLAG}='form'"><button>提交表单</button></form>
[链接](javascript:window.{FLAG}='link')
<a href="#" onclick="window.{FLAG}='onclick'">点这里</a>
<style>body {{ display: none }}</style>
"""
OUTPUT_TEXT = "输出里的粗体"
CODE_PAYLOAD = f"""q1 = "A"
from IPython.display import HTML, Javascript, Markdown, display
display(HTML('<img src=x onerror="window.{FLAG}=\\'output img\\'"><b>{OUTPUT_TEXT}</b>'
             '<script>window.{FLAG}="output script"</script>'))
display(Javascript("window.{FLAG}='output javascript'"))
display(Markdown('<img src=y onerror="window.{FLAG}=\\'output markdown\\'">'))
display({{"image/png": "iVBORw0KGgo="}}, raw=True,
        metadata={{"image/png": {{"width": "1 onerror=window.{FLAG}='png-width'"}}}})
print('<script>window.{FLAG}="printed"</script>')
"""
HOSTILE_FILE = f"<html><head><meta charset='utf-8'></head><body><p>附件</p><script>window.{FLAG}='file'</script></body></html>"


def hostile_notebook(released: Path, target: Path) -> Path:
    """The released hw01 with the payloads in a written answer and a code answer."""
    notebook = nbformat.read(released, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == WRITTEN_CELL:
            cell.source = MARKDOWN_PAYLOAD
        elif grade_id == CODE_CELL:
            cell.source = CODE_PAYLOAD
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


def graded_course(base: Path, students: dict[str, bool]) -> ScratchCourse:
    """hw01 released, submitted by each of ``students`` (True: the hostile notebook and a
    hostile HTML file beside it; False: untouched), collected and autograded by nbgrader."""
    course = ScratchCourse(base)
    course.release(ASSIGNMENT)
    released = course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for student, hostile in students.items():
        answer = None
        if hostile:
            answer = hostile_notebook(released, base / "answers" / student / released.name)
        folder = course.fetch_and_submit(student, ASSIGNMENT, answer)
        if hostile:
            (folder / "附件.html").write_text(HOSTILE_FILE, encoding="utf-8")
            course.student(student, "submit", ASSIGNMENT, f"--student={student}")
    course.instructor("collect", ASSIGNMENT)
    for student in filter(id_problem, students):
        # The course's collect refuses an id like this one; it can still reach the gradebook
        # (nbgrader's own collect, a course copied from an older term), so Formgrader's pages
        # are tested with it: put in place as nbgrader's collect would have.
        submitted = course.root / "submitted" / student / ASSIGNMENT
        assert not submitted.exists(), "the course's collect took a submission under an unsafe id"
        shutil.copytree(course.student_dir(student) / ASSIGNMENT, submitted)
        (submitted / "timestamp.txt").write_text("2026-12-01 08:00:00.000000 UTC")
    course.instructor("autograde", ASSIGNMENT)
    return course


@dataclass(frozen=True)
class CourseFolder:
    """A course folder made some other way than :class:`ScratchCourse` (e.g.
    ``benchmarks.autograde_parallel.build_course``, outside the checkout) and the environment
    its commands run in: what :class:`CourseLab` needs of a course."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)


class CourseLab(LabServer):
    """JupyterLab started in the course folder (where Formgrader reads nbgrader_config.py),
    the exchange in the environment, as ``crmlab lab`` runs it on a teacher's checkout."""

    def __init__(self, course: ScratchCourse | CourseFolder, scratch: Path,
                 course_layer: bool = True):
        self.course, self.env = course, dict(course.env)
        if not course_layer:  # nbgrader's own pages: the course's extension off for this user
            config = scratch / "jupyter-config"
            config.mkdir(parents=True)
            (config / "jupyter_server_config.json").write_text(json.dumps(
                {"ServerApp": {"jpserver_extensions": {"crmlab.formgrader": False}}}))
            self.env["JUPYTER_CONFIG_DIR"] = str(config)
        super().__init__(course.root, scratch)

    def popen(self, command: list[str], env: dict, log) -> subprocess.Popen:
        return subprocess.Popen(command, cwd=self.course.root, env={**env, **self.env},
                                stdout=log, stderr=subprocess.STDOUT)


class StudentLab(LabServer):
    """A student's JupyterLab: their own folder, nbgrader told the course and the exchange
    (as a hub's servers are); nbgrader takes the account running it as the student."""

    def __init__(self, course: ScratchCourse, student: str, scratch: Path):
        self.course, self.student = course, student
        folder = course.student_dir(student)
        (folder / "nbgrader_config.py").write_text(
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.course_id = {course.course_id!r}\n"
            f"c.Exchange.root = {str(course.exchange)!r}\n"
            # the student's own record of their submissions (nbgrader's default is per account)
            f"c.Exchange.cache = {str(scratch / 'nbgrader_cache')!r}\n", encoding="utf-8")
        super().__init__(folder, scratch)

    def popen(self, command: list[str], env: dict, log) -> subprocess.Popen:
        return subprocess.Popen(command, cwd=self.root, env=env, stdout=log,
                                stderr=subprocess.STDOUT)


def click_and_close_modal(page, target, check: Callable[[], None] = lambda: None,
                          timeout_ms: int = 180_000) -> str:
    """Click an action of Formgrader (``target``, a locator), wait for its dialog, run
    ``check`` on the page while the dialog is open, close it; the dialog's title."""
    target.click()
    modal = page.locator(".modal.in")
    modal.wait_for(timeout=timeout_ms)
    title = modal.locator(".modal-title").inner_text()
    check()
    modal.locator(".modal-footer button").first.click()
    modal.wait_for(state="detached")
    return title
