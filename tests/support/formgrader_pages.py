"""Opening Formgrader's pages in Chromium and reading what a teacher sees there."""

from __future__ import annotations

import re
import urllib.parse

from tests.support.formgrader_course import ASSIGNMENT, FLAG

PLANTED_ID = f"<img src=x onerror=window.{FLAG}='student id'>"
"""A student id with a payload in it: planted through the exchange, or typed into a URL."""


def formgrader_views(submission_ids: list[str], students: list[str]) -> dict[str, str]:
    """Every Formgrader view of the course's submissions: name → path under the server."""
    quote = urllib.parse.quote
    views = {
        "assignments": "/formgrader/manage_assignments",
        "submissions": f"/formgrader/manage_submissions/{ASSIGNMENT}",
        "grading": "/formgrader/gradebook",
        "grading notebooks": f"/formgrader/gradebook/{ASSIGNMENT}",
        "grading submissions": f"/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}",
        "students": "/formgrader/manage_students",
    }
    for student in students:
        views[f"student {student}"] = f"/formgrader/manage_students/{quote(student, safe='')}"
        views[f"student {student} {ASSIGNMENT}"] = (
            f"/formgrader/manage_students/{quote(student, safe='')}/{ASSIGNMENT}")
    for number, submission in enumerate(submission_ids):
        views[f"submission {number}"] = f"/formgrader/submissions/{submission}/"
    return views


class Console:
    """Console messages, page errors and failed requests of one page."""

    def __init__(self, page):
        self.messages: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda message: self.messages.append(
            f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))
        page.on("response", lambda response: response.status >= 400 and self.failed.append(
            f"{response.status} {response.request.resource_type} {response.url}"))

    def problems(self) -> list[str]:
        """Errors, CSP violations and anything a payload logged; failed requests other than
        the images a payload points at a missing file (``<img src=x>``)."""
        messages = [m for m in self.messages
                    if ("XSS" in m or "Content Security Policy" in m
                        or m.startswith(("error", "pageerror")))
                    and "Failed to load resource" not in m]
        return messages + [f for f in self.failed if " image " not in f]


def open_view(page, url: str, filled: bool = True) -> None:
    """Open a Formgrader page and wait until nbgrader's scripts have filled it in."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if filled:
        page.wait_for_function(
            "() => !document.body.innerText.includes('正在加载') "
            "&& !document.body.innerText.includes('请稍候')", timeout=30_000)
    page.wait_for_timeout(300)  # an <img onerror> fires after its failed load


def flag(page):
    return page.evaluate(f"() => window.{FLAG}")


ALLOWED_LATIN = {
    "nbgrader", "Formgrader", "Markdown", "UTC", "ID", "JupyterHub", "JupyterLab", "Python",
    "CRM",
}
"""Latin words a Chinese page may show: product names and abbreviations the course uses."""

UI_TEXT = """(root) => {
  const skip = '#notebook-container, pre, code, script, style';
  const texts = [];
  for (const top of document.querySelectorAll(root)) {
    const walker = document.createTreeWalker(top, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const element = walker.currentNode.parentElement;
      if (element && !element.closest(skip) && element.offsetParent) {
        texts.push(walker.currentNode.nodeValue);
      }
    }
    for (const element of top.querySelectorAll('[title], [placeholder]')) {
      if (!element.closest('#notebook-container')) {
        texts.push(element.getAttribute('title') || '', element.getAttribute('placeholder') || '');
      }
    }
  }
  return texts.join('\\n');
}"""


def english_words(page, ids: set[str], root: str = "body") -> list[str]:
    """Latin words shown in ``root`` (a selector; not in the notebook or code) that are
    neither part of an id nor an allowed product name."""
    text = page.evaluate(UI_TEXT, root)
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    allowed = ALLOWED_LATIN | {part for item in ids for part in re.split(r"[^A-Za-z]+", item)}
    return sorted(words - allowed)
