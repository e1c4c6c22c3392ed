"""The Chinese Assignment List ships prebuilt, built from the sources in the repository; the
course's Jupyter settings turn it on and nbgrader's own list off; the sanitizer and the due
dates the list shows (no browser: tests/formgrader/test_security.py and
tests/formgrader/test_cycle.py drive the pages)."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from crmlab.formgrader import sanitize, shipped
from crmlab.formgrader.assignments import due_from_header, feedback_score
from crmlab.grading.header import due_text
from tests.support import ROOT

SHARE = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@crmlab" / "assignment-list"


def test_shipped_build_matches_its_sources():
    """Was the shipped build made from the sources as they are (`make labextension`)?"""
    assert shipped.recorded_digest() == shipped.source_digest(ROOT / "labextension"), (
        "labextension/ changed since the build: run `make labextension` and commit the build")
    built = json.loads((shipped.BUILD / "package.json").read_text(encoding="utf-8"))
    source = json.loads((ROOT / "labextension" / "package.json").read_text(encoding="utf-8"))
    assert built["name"] == source["name"] == "@crmlab/assignment-list"
    assert built["version"] == source["version"]
    entry = built["jupyterlab"]["_build"]["load"]
    assert (shipped.BUILD / entry).is_file()


def test_a_changed_source_changes_the_digest(tmp_path):
    copy = tmp_path / "labextension"
    for name in shipped.SOURCES:
        source = ROOT / "labextension" / name
        target = copy / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    assert shipped.source_digest(copy) == shipped.source_digest(ROOT / "labextension")
    (copy / "src" / "texts.js").write_text("// changed\n", encoding="utf-8")
    assert shipped.source_digest(copy) != shipped.source_digest(ROOT / "labextension")


def test_environment_has_the_course_extensions_on_and_nbgraders_list_off():
    """What `pip install` put into this environment: the labextension, the server extension on,
    nbgrader's Assignment List and Validate button off (page_config.d)."""
    package = json.loads((SHARE / "package.json").read_text(encoding="utf-8"))
    assert (SHARE / package["jupyterlab"]["_build"]["load"]).is_file()
    etc = Path(sys.prefix) / "etc" / "jupyter"
    server = json.loads((etc / "jupyter_server_config.d" / "crmlab.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == {"crmlab.formgrader": True}
    pages = json.loads((etc / "labconfig" / "page_config.d" / "crmlab.json").read_text())
    assert pages["disabledExtensions"] == {"@jupyter/nbgrader:assignment-list": True,
                                           "@jupyter/nbgrader:validate-assignment": True}


@pytest.mark.parametrize("payload", [
    '<img src=x onerror="alert(1)">', "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>', '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<iframe src="https://example.org"></iframe>', '<svg onload="alert(1)"></svg>',
    '<form action="/logout"><button>x</button></form>', '<div onmouseover="alert(1)">x</div>',
    '<img src="/logout">', '<img src="../../../api/contents">', '<style>body{display:none}</style>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
])
def test_sanitizer_leaves_nothing_that_runs(payload):
    for html in (sanitize.markdown(payload), sanitize.clean(payload)):
        parser = _Elements()
        parser.feed(str(html))
        assert not parser.tags & {"script", "iframe", "svg", "form", "style", "math", "object"}, html
        for tag, name, value in parser.attributes:
            assert not name.startswith("on"), html
            if name in ("href", "src"):
                assert value.startswith(("https:", "http:", "#", "data:image/")) or (
                    tag == "img" and value == "x"), html


class _Elements(HTMLParser):
    """The elements and attributes of a piece of HTML, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += [(tag, name, (value or "").strip().lower()) for name, value in attrs]


def test_sanitizer_keeps_the_formatting_answers_need():
    html = str(sanitize.markdown(
        "## 小标题\n\n- 一\n- 二\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n*强调* **加粗** `代码`\n\n"
        "> 引用\n\n[课本](https://example.org/crm) ![图](data:image/png;base64,iVBORw0KGgo=)\n\n"
        "<details><summary>提示</summary>内容</details>"))
    for kept in ("<h2>小标题</h2>", "<li>一</li>", "<td>1</td>", "<em>强调</em>",
                 "<strong>加粗</strong>", "<code>代码</code>", "<blockquote>",
                 '<a href="https://example.org/crm">课本</a>',
                 '<img src="data:image/png;base64,iVBORw0KGgo=" alt="图">',
                 "<details><summary>提示</summary>"):
        assert kept in html, (kept, html)


def test_due_date_is_read_back_from_the_released_header():
    due = datetime.fromisoformat("2026-12-13T15:59:00+00:00")
    text = f"| 截止时间 | {due_text(SimpleNamespace(due=due))} |"
    assert due_from_header(text) == "2026-12-13T23:59:00+08:00"
    assert due_from_header("| 截止时间 | 下周 |") is None


def test_feedback_score_sums_the_course_feedback_pages(tmp_path):
    (tmp_path / "a.html").write_text("<h4>作业反馈：a（总分：12.5 / 20）</h4>", encoding="utf-8")
    (tmp_path / "b.html").write_text("<h4>作业反馈：b（总分：7 / 20）</h4>", encoding="utf-8")
    assert feedback_score(tmp_path) == [19.5, 40.0]
    (tmp_path / "c.html").write_text("<p>nbgrader's English page</p>", encoding="utf-8")
    assert feedback_score(tmp_path) is None
