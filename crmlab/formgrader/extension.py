"""The course's layer over nbgrader's Formgrader: Chinese pages that are safe to open.

A Jupyter Server extension (``crmlab.formgrader``) that runs after nbgrader's formgrader
extension has loaded and changes three things, leaving nbgrader's handlers, API and JavaScript
as they are (same requests, same gradebook rows):

1. Formgrader's Jinja environment becomes one with ``autoescape=True`` whose loader looks in
   the course's templates (``templates/``, Chinese, no inline script) before nbgrader's.
2. The exporter that renders a submission uses the course's ``formgrade`` template: a
   student's markdown through :func:`crmlab.formgrader.sanitize.markdown`, outputs through
   :func:`crmlab.formgrader.sanitize.clean` and ``HTMLExporter.sanitize_html = True`` for the
   rest (JavaScript and widget outputs are dropped). Maths is typeset in the browser by
   MathJax 2 from this same server (the ``jupyter_server_mathjax`` extension), with its Safe
   extension, after the sanitizer has run.
3. Every Formgrader response carries a Content-Security-Policy that allows scripts from the
   server's own files only (no inline script, no event handler attributes), and files of a
   submission (``/formgrader/submissions/<id>/<file>``) are served sandboxed.

The course's scripts (``static/``) are served at ``<base_url>/crmlab-formgrader/``: the
Chinese message table ``zh.js`` that nbgrader's scripts' texts are translated through, and
``page.js``, which reads the page's values from ``<meta>`` data instead of inline script, and
``maths.js``, MathJax's configuration.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from jupyter_server.utils import url_path_join
from nbconvert.exporters import HTMLExporter
from tornado import web
from traitlets.config import Config

from crmlab.formgrader import sanitize

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_URL = "crmlab-formgrader"
"""Where the course's Formgrader scripts are served, under the server's base URL."""

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
               "form-action 'self'; base-uri 'none'; object-src 'none'")
"""Formgrader's pages: scripts only from files the server serves, never inline."""
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
"""A file of a submission opened on its own: no script at all, in an opaque origin."""
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
"""MathJax 2's combined configuration (TeX input, HTML-CSS output) and its Safe extension:
what a student wrote in maths can link to web pages only and sets no class, id or free style."""


def jinja_environment(nbgrader_templates: str | Path) -> Environment:
    """Formgrader's page templates: the course's first, nbgrader's behind, escaped."""
    return Environment(loader=FileSystemLoader([str(TEMPLATES), str(nbgrader_templates)]),
                       autoescape=True)


def mathjax_url(settings: dict) -> str:
    """Where this server serves MathJax (set by the ``jupyter_server_mathjax`` extension), with
    the course's configuration; "" when that extension is off."""
    url = settings.get("mathjax_url") or ""
    if not url:
        return ""
    return f"{url}?config={MATHJAX_CONFIG}&locale=zh-hans"


def submission_exporter(config, mathjax: str = "") -> HTMLExporter:
    """The exporter that renders a submission for grading, with the course's template;
    ``mathjax``: the URL of MathJax.js on this server ("": maths left as typed)."""
    config = Config(config)  # a copy: Formgrader's own configuration is left as it is
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.mathjax_url = mathjax  # never nbconvert's default, a CDN
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.sanitize_html = True
    exporter = HTMLExporter(config=config)
    exporter.register_filter("safe_markdown", sanitize.markdown_filter)
    exporter.register_filter("safe_html", sanitize.html_filter)
    return exporter


def _with_policy(handler: type, policy: str) -> type:
    class Guarded(handler):
        @property
        def content_security_policy(self) -> str:
            return f"{super().content_security_policy}; {policy}"

    Guarded.__name__ = Guarded.__qualname__ = handler.__name__
    return Guarded


def guard_handlers(webapp: web.Application) -> int:
    """Give every Formgrader handler of ``webapp`` its policy; return how many were changed."""
    from nbgrader.server_extensions.formgrader.base import BaseHandler
    from nbgrader.server_extensions.formgrader.handlers import SubmissionFilesHandler

    changed = 0
    for host_rule in webapp.default_router.rules:
        for rule in getattr(host_rule.target, "rules", ()):
            target = rule.target
            if not isinstance(target, type) or not issubclass(target, BaseHandler):
                continue
            if getattr(target, "_crmlab_guarded", False):
                continue
            policy = FILE_POLICY if issubclass(target, SubmissionFilesHandler) else PAGE_POLICY
            rule.target = _with_policy(target, policy)
            rule.target._crmlab_guarded = True
            changed += 1
    return changed


def take_over(serverapp) -> bool:
    """Put the course's environment, exporter and policies in place of nbgrader's; False when
    nbgrader's Formgrader is not on in this server (a student's), which is left alone."""
    from nbgrader.server_extensions.formgrader import handlers

    webapp = serverapp.web_app
    settings = webapp.settings
    formgrader = settings.get("nbgrader_formgrader")
    if formgrader is None:
        return False
    settings["nbgrader_jinja2_env"] = jinja_environment(handlers.template_path)
    settings["nbgrader_exporter"] = submission_exporter(formgrader.config, mathjax_url(settings))
    guard_handlers(webapp)
    return True


def load(serverapp) -> None:
    """The course's Formgrader scripts, and what the Assignment List asks beside nbgrader."""
    from crmlab.formgrader.assignments import AssignmentInfoHandler

    webapp = serverapp.web_app
    base = webapp.settings["base_url"]
    webapp.add_handlers(".*$", [
        (url_path_join(base, STATIC_URL, "(.*)"), web.StaticFileHandler, {"path": str(STATIC)}),
        (url_path_join(base, "crmlab", "assignment-info"), AssignmentInfoHandler),
    ])


async def start(serverapp) -> None:
    # Extensions load in alphabetical order, so nbgrader's formgrader (``nbgrader.…``) loads
    # after this one; the start hooks run once all have loaded, before any request is served.
    if take_over(serverapp):
        serverapp.log.info("crmlab.formgrader: Formgrader in Chinese, escaped and sanitized")
        if not mathjax_url(serverapp.web_app.settings):
            serverapp.log.warning("crmlab.formgrader: jupyter_server_mathjax is off in this "
                                  "server: Formgrader shows maths as LaTeX")
    else:
        serverapp.log.info("crmlab.formgrader: nbgrader's Formgrader is off in this server")
