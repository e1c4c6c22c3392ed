"""Remake the guides' screenshots from the real pages: JupyterLab (Chinese) and nbgrader's
Assignment List and Formgrader, on the demo's course, in headless Debian Chromium.

    .venv/bin/python docs/screenshots.py                 # builds a small demo course first
    .venv/bin/python docs/screenshots.py --demo out/demo # reuse a course made by `crmlab demo`

Images go to docs/images/ (``--images`` to change). Nothing tracked is touched but the images:
the pages are served from scratch copies. The tests run this script on a small course and
check that every image the guides link to is made.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crmlab.commands.classroom import _inside as _cwd  # noqa: E402
from crmlab.commands.hub.layout import STUDENT_OFF_LAB, STUDENT_OFF_SERVER  # noqa: E402
from crmlab.course.facts import Course  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, LabServer, copy_lessons  # noqa: E402

IMAGES = ROOT / "docs" / "images"
STUDENT = "s006"  # in the demo's class of 6, the student who does everything properly
ASSIGNMENT = "hw01_crm_concepts"
VIEWPORT = {"width": 1280, "height": 800}


@contextlib.contextmanager
def lab_server(root: Path, scratch: Path) -> Iterator[LabServer]:
    """JupyterLab serving ``root`` (started there, so nbgrader reads its nbgrader_config.py)."""
    scratch.mkdir(parents=True, exist_ok=True)
    with _cwd(root):
        server = LabServer(root, scratch)
    try:
        yield server
    finally:
        server.stop()


def make_demo_course(out: Path, class_size: int = 6) -> Path:
    """`crmlab demo` into ``out``: a released, submitted, autograded course with feedback."""
    subprocess.run([sys.executable, "-m", "crmlab.commands.cli", "demo", "--class-size", str(class_size),
                    "--quiet", "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


@contextlib.contextmanager
def as_student(config: Path) -> Iterator[None]:
    """Servers started inside see JupyterLab as a student does on the class hub: nbgrader's
    teacher pages (Formgrader, Create Assignment, Course List) off, as `crmlab hub` sets up."""
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": dict.fromkeys(STUDENT_OFF_LAB, True)}), encoding="utf-8")
    (config / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": dict.fromkeys(STUDENT_OFF_SERVER, False)}}),
        encoding="utf-8")
    before = os.environ.get("JUPYTER_CONFIG_DIR")
    os.environ["JUPYTER_CONFIG_DIR"] = str(config)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("JUPYTER_CONFIG_DIR")
        else:
            os.environ["JUPYTER_CONFIG_DIR"] = before


def student_folder(demo: Path, target: Path, cache: Path) -> Path:
    """A student's home: the lessons, the assignments they fetched (but the last, still to be
    fetched), and an nbgrader config pointing at the demo's exchange. The Assignment List
    shows past submissions from nbgrader's cache: a scratch one holds this demo's only."""
    copy_lessons(ROOT, target / "lessons")
    fetched = sorted(p for p in (demo / "students" / STUDENT).iterdir() if p.is_dir())
    for folder in fetched[:-1]:
        shutil.copytree(folder, target / folder.name)
    exchange = (demo / "exchange").resolve()
    course_id = Course.load(demo / "course").id
    for submission in (exchange / course_id / "inbound").glob(f"{STUDENT}+*"):
        shutil.copytree(submission, cache / course_id / submission.name.rsplit("+", 1)[0])
    (target / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.cache = {str(cache)!r}\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.CourseDirectory.student_id = {STUDENT!r}\n", encoding="utf-8")
    return target


class Shooter:
    def __init__(self, browser, images: Path):
        self.browser = browser
        self.images = images
        self.made: list[Path] = []

    @contextlib.contextmanager
    def page(self) -> Iterator:
        context = self.browser.new_context(viewport=VIEWPORT, locale="zh-CN", device_scale_factor=1)
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            yield page
        finally:
            context.close()

    def shot(self, page, name: str, **kwargs) -> None:
        path = self.images / name
        page.screenshot(path=str(path), **kwargs)
        self.made.append(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)


def _wait_for_kernel(page) -> None:
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel; return k && k.status === 'idle'; }")


def student_pages(shooter: Shooter, server: LabServer) -> None:
    with shooter.page() as page:
        page.goto(f"{server.url}/lab/tree/lessons/00_guide.ipynb?reset")
        page.locator(".jp-Notebook h1").first.wait_for()
        page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").first.wait_for()
        shooter.shot(page, "lab-lesson00.png")

        _wait_for_kernel(page)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        check = page.locator(".jp-OutputArea-output .widget-button").first
        check.wait_for()
        field = page.locator(".jp-OutputArea-output input[type='text'], "
                             ".jp-OutputArea-output input[type='number']").first
        field.fill("42")
        check.click()
        page.wait_for_timeout(500)
        check.evaluate("b => b.closest('.jp-Cell').scrollIntoView({block: 'center'})")
        page.wait_for_timeout(300)
        shooter.shot(page, "lesson-exercise.png")

    with shooter.page() as page:
        page.goto(f"{server.url}/lab?reset")
        page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").first.wait_for()
        page.evaluate("window.jupyterapp.commands.execute('crmlab:open-assignment-list')")
        page.locator(".crmlab-AssignmentList .crmlab-assignment").first.wait_for()
        page.get_by_text(ASSIGNMENT).first.wait_for()
        page.wait_for_timeout(1000)
        shooter.shot(page, "assignment-list.png")

    with shooter.page() as page:
        page.goto(f"{server.url}/lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb?reset")
        page.locator(".jp-Notebook h1").first.wait_for()
        page.wait_for_timeout(1000)
        shooter.shot(page, "assignment-notebook.png")


def feedback_page(shooter: Shooter, course: Path) -> None:
    reports = sorted((course / "feedback" / STUDENT / ASSIGNMENT).glob("*.html"))
    if not reports:
        raise RuntimeError(f"没有找到 {STUDENT} 的 {ASSIGNMENT} 反馈：请先生成反馈")
    with shooter.page() as page:
        page.goto(reports[0].resolve().as_uri())
        page.wait_for_load_state("load")
        shooter.shot(page, "feedback.png")


def formgrader_pages(shooter: Shooter, server: LabServer) -> None:
    base = f"{server.url}/formgrader"

    def visit(page, path: str, ready: str) -> None:
        page.goto(base + path)
        page.locator(ready).first.wait_for()
        page.wait_for_timeout(800)

    with shooter.page() as page:
        visit(page, "", f"tr#{ASSIGNMENT}, tr:has-text('{ASSIGNMENT}')")
        shooter.shot(page, "formgrader-assignments.png")
        visit(page, f"/manage_submissions/{ASSIGNMENT}", "table tbody tr td")
        shooter.shot(page, "formgrader-submissions.png")
        visit(page, f"/gradebook/{ASSIGNMENT}/{ASSIGNMENT}", "table tbody tr td a")
        shooter.shot(page, "formgrader-notebook-submissions.png")
        page.locator("table tbody tr td a").first.click()
        for _ in range(8):  # on to the first submission that ran cleanly
            page.locator("input.score").first.wait_for()
            page.wait_for_timeout(800)
            if not page.get_by_text("Traceback").count():
                break
            page.locator("li.next a").first.click()
            page.wait_for_load_state("load")
        # Formgrader scrolls to its first score box once MathJax has typeset the page; then the
        # shot shows the first written answer with its score box and comment, nothing focused.
        page.wait_for_function("() => window.MathJax && window.MathJax.loaded === true")
        page.wait_for_timeout(800)
        page.locator(".text_cell .nbgrader_cell:has(textarea.comment)").first.evaluate(
            "cell => { document.activeElement.blur();"
            " window.scrollTo(0, cell.getBoundingClientRect().top + window.scrollY - 70); }")
        page.wait_for_timeout(300)
        shooter.shot(page, "formgrader-grade.png")
        visit(page, "/manage_students", "table tbody tr td")
        shooter.shot(page, "formgrader-students.png")


def make_screenshots(demo: Path, images: Path = IMAGES) -> list[Path]:
    """Every screenshot the guides use, from the demo output folder ``demo`` (with course/,
    exchange/ and students/ as `crmlab demo` leaves them)."""
    from playwright.sync_api import sync_playwright

    images.mkdir(parents=True, exist_ok=True)
    course = (demo / "course").resolve()
    with tempfile.TemporaryDirectory(prefix="crmlab-shots-") as tmp, sync_playwright() as pw:
        scratch = Path(tmp)
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        shooter = Shooter(browser, images)
        try:
            home = student_folder(demo, scratch / "student", scratch / "nbgrader-cache")
            with as_student(scratch / "student-config"), \
                    lab_server(home, scratch / "student-lab") as server:
                student_pages(shooter, server)
            feedback_page(shooter, course)
            # nbgrader_config.py takes the exchange from CRMLAB_EXCHANGE (Release, Collect).
            os.environ["CRMLAB_EXCHANGE"] = str((demo / "exchange").resolve())
            with lab_server(course, scratch / "formgrader-lab") as server:
                formgrader_pages(shooter, server)
        finally:
            browser.close()
    return shooter.made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="重新生成指南中的截图（真实的 JupyterLab 与 Formgrader）")
    parser.add_argument("--demo", type=Path,
                        help="已有的 crmlab demo 输出文件夹（含 course/、exchange/、students/）；"
                             "不给出时先生成一个 6 人的演示课程")
    parser.add_argument("--images", type=Path, default=IMAGES, help="图片输出文件夹（默认 docs/images）")
    args = parser.parse_args(argv)
    demo = args.demo or make_demo_course(ROOT / "out" / "screenshots")
    print("生成截图：", flush=True)
    made = make_screenshots(demo, args.images)
    print(f"完成：{len(made)} 张截图。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
