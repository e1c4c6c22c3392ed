"""Formgrader shows a student's maths typeset, and the maths stays inert: MathJax 2 served by the
Jupyter server itself (jupyter_server_mathjax), configured from a served file (maths.js) under
the page's unchanged Content-Security-Policy, with MathJax's Safe extension. Real nbgrader, a
real JupyterLab in the course folder, Debian's Chromium."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import urllib.request

import nbformat
import pytest
from traitlets.config import Config

from crmlab.formgrader.extension import mathjax_url, submission_exporter
from tests.support.course import ScratchCourse
from tests.support.formgrader_course import (
    ANSWER_TEXT,
    ASSIGNMENT,
    FLAG,
    WRITTEN_CELL,
    CourseLab,
)
from tests.support.formgrader_pages import Console, flag, open_view

STUDENT = "carol"
LINK = "https://example.org/crm"
MATHS_ANSWER = (
    f"{ANSWER_TEXT}。留存率提高时，利润按 $x^2$ 增长：\n\n"
    "$$\\frac{a}{b}$$\n\n"
    f"课本：$\\href{{{LINK}}}{{\\text{{课本}}}}$；"
    f"点这里：$\\href{{javascript:window.{FLAG}='href'}}{{\\text{{点这里}}}}$；"
    "$\\class{navbar-fixed-top}{\\text{类}}$；$\\cssId{notebook}{\\text{编号}}$；"
    "$\\style{position:fixed;top:0;left:0;width:100%;height:100%}{\\text{盖住}}$\n"
)
"""A written answer with inline and display maths, a link in maths to a web page, and maths
that would run script, take a page class or id, or cover the page if MathJax let it."""
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
               "form-action 'self'; base-uri 'none'; object-src 'none'")
"""Formgrader's pages' policy as it was before MathJax came back: it must not be loosened."""


def maths_course(base):
    """hw01 released, submitted by STUDENT with MATHS_ANSWER as the written answer, collected
    and autograded by nbgrader."""
    course = ScratchCourse(base)
    course.release(ASSIGNMENT)
    notebook = nbformat.read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                             as_version=4)
    [cell] = [c for c in notebook.cells
              if c.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN_CELL]
    cell.source = MATHS_ANSWER
    answer = base / "answers" / f"{ASSIGNMENT}.ipynb"
    answer.parent.mkdir()
    nbformat.write(notebook, answer)
    course.enrol([STUDENT])
    course.fetch_and_submit(STUDENT, ASSIGNMENT, answer)
    course.instructor("collect", ASSIGNMENT)
    course.instructor("autograde", ASSIGNMENT)
    return course


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("formgrader-maths")
    course = maths_course(base)
    server = CourseLab(course, base / "lab")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id=course.course_id) as gb:
        [submission] = gb.notebook_submissions(ASSIGNMENT, ASSIGNMENT)
        path = f"/formgrader/submissions/{submission.id}/"
    yield server, path
    server.stop()


def open_typeset(page, url: str) -> Console:
    """Open the grading page and wait until MathJax has typeset it (formgrade.js sets
    MathJax.loaded on MathJax's start-up signal "End")."""
    console = Console(page)
    open_view(page, url)
    page.wait_for_function("() => window.MathJax && window.MathJax.loaded === true")
    return console


@pytest.mark.slow
@pytest.mark.browser
def test_maths_is_typeset_by_mathjax_from_this_server(served, page):
    """Is the answer's maths typeset by MathJax 2 from the Jupyter server (not a CDN), with no
    raw LaTeX left and nothing refused by the Content-Security-Policy?"""
    server, path = served
    console = open_typeset(page, server.url + path)
    scripts = page.evaluate("() => [...document.scripts].map(s => s.src)")
    mathjax = [s for s in scripts if "MathJax.js" in s]
    assert mathjax == [f"{server.url}/static/jupyter_server_mathjax/MathJax.js"
                       "?config=TeX-AMS-MML_HTMLorMML-full,Safe&locale=zh-hans"], scripts
    assert page.evaluate("() => MathJax.version").startswith("2.7")
    assert page.evaluate("() => MathJax.Extension.Safe !== undefined")
    answer = page.locator(".nbgrader_cell", has_text=ANSWER_TEXT)
    assert answer.locator(".MathJax_Display").count() == 1  # $$\frac{a}{b}$$
    assert answer.locator("span.MathJax").count() == 7  # x^2, the display's, and five more
    text = answer.inner_text()
    assert ANSWER_TEXT in text
    for raw in ("$x^2$", "x^2", "\\frac", "$$", "\\href", "\\class", "\\style"):
        assert raw not in text, (raw, text)
    fonts = page.evaluate("() => [...document.fonts].filter(f => f.status === 'loaded')"
                          ".map(f => f.family)")
    assert any("STIXMathJax" in family for family in fonts), fonts  # served beside MathJax.js
    assert console.problems() == []
    assert not [m for m in console.messages if "Content Security Policy" in m]


@pytest.mark.slow
@pytest.mark.browser
def test_maths_runs_no_script_and_takes_nothing_of_the_page(served, page):
    """Does MathJax's Safe extension keep the link to a web page and drop the javascript: link,
    the class, the id and the covering style, so that clicking the maths runs nothing?"""
    server, path = served
    console = open_typeset(page, server.url + path)
    answer = page.locator(".nbgrader_cell", has_text=ANSWER_TEXT)
    links = answer.locator(".MathJax a")
    assert links.count() == 1 and links.get_attribute("href") == LINK
    for maths in answer.locator("span.MathJax:not(:has(a))").all():  # not the web page's link
        maths.click()
    page.wait_for_timeout(300)
    assert flag(page) is None
    assert page.locator(".MathJax .navbar-fixed-top, .MathJax [id='notebook']").count() == 0
    fixed = page.evaluate("() => [...document.querySelectorAll('.MathJax *')]"
                          ".filter(e => getComputedStyle(e).position === 'fixed').length")
    assert fixed == 0
    assert page.url.startswith(server.url + path)  # no click went anywhere
    # Safe held alone: had a javascript: link been made and clicked, the policy would have
    # refused it and said so in the console.
    assert console.problems() == []


@pytest.mark.slow
@pytest.mark.browser
def test_policy_is_unchanged(served):
    """Does the grading page still carry the same policy: scripts from the server's own files
    only, no 'unsafe-eval', no 'unsafe-inline' for script?"""
    server, path = served
    with urllib.request.urlopen(server.url + path) as response:
        policy = response.headers["Content-Security-Policy"]
    assert policy.endswith(PAGE_POLICY), policy
    assert "unsafe-eval" not in policy
    assert re.findall(r"script-src[^;]*", policy) == ["script-src 'self'"]


def test_mathjax_is_on_in_this_environments_servers():
    """Does every Jupyter server of this environment (crmlab lab, the hub's servers) load
    jupyter_server_mathjax beside crmlab.formgrader?"""
    listing = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"],
                             capture_output=True, text=True, check=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    for extension in ("jupyter_server_mathjax", "crmlab.formgrader"):
        assert re.search(rf"^\s*{re.escape(extension)} enabled$", text, re.M), text


def _grading_page(mathjax: str) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("$x^2$")])
    page, _ = submission_exporter(Config(), mathjax).from_notebook_node(
        notebook, resources={"base_url": "/user/t", "index": 0, "total": 1,
                             "notebook_id": ASSIGNMENT, "assignment_id": ASSIGNMENT})
    return page


def test_grading_page_loads_mathjax_only_from_the_server():
    """With the server's MathJax: maths.js, then MathJax.js, then page.js, and no inline
    MathJax configuration; without it: no MathJax at all (never nbconvert's CDN)."""
    url = mathjax_url({"mathjax_url": "/user/t/static/jupyter_server_mathjax/MathJax.js"})
    assert url.endswith("MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe&locale=zh-hans")
    scripts = re.findall(r"<script([^>]*)>", _grading_page(url))
    sources = [html.unescape(re.search(r'src="([^"]*)"', s).group(1)) for s in scripts]
    assert len(sources) == len(scripts)  # no inline script (text/x-mathjax-config included)
    assert sources[:3] == ["/user/t/crmlab-formgrader/maths.js", url,
                           "/user/t/crmlab-formgrader/page.js"]
    assert mathjax_url({}) == ""
    plain = _grading_page("")
    assert "MathJax" not in plain and "maths.js" not in plain and "cdnjs" not in plain
    assert "$x^2$" in plain
