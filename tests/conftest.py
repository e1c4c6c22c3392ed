"""Shared fixtures: a real JupyterLab and a headless Chromium page for the browser tests, and\nHypothesis without deadlines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support import ROOT
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    OPEN_NOTEBOOK,
    LabServer,
    copy_lessons,
    log_console,
)

FAILURE_SHOTS = ROOT / "out" / "browser-failures"

# Property tests check behaviour, not speed: no per-example deadline, which a loaded CI machine
# would otherwise turn into random failures (speed is measured by benchmarks/).
settings.register_profile("crmlab", deadline=None)
settings.load_profile("crmlab")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab serving a scratch copy of lessons/."""
    scratch = tmp_path_factory.mktemp("lab")
    server = LabServer(copy_lessons(ROOT, scratch / "lessons"), scratch)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's `chromium` (`make test` does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    """A fresh browser page; a screenshot goes to out/browser-failures/ when the test fails.

    After a passing test, the log console of the notebook it ran (``open_and_run_all``) must be
    empty: a widget's output belongs in its own area, and an error in a callback is logged
    there too.
    """
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            FAILURE_SHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            page.screenshot(path=str(FAILURE_SHOTS / f"{name}.png"), full_page=True)
        elif report is not None and id(page) in OPEN_NOTEBOOK:
            notebook = OPEN_NOTEBOOK[id(page)]
            assert log_console(page, notebook) == [], f"{notebook}: output in the log console"
    finally:
        OPEN_NOTEBOOK.pop(id(page), None)
        context.close()
