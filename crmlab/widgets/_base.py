"""What every exercise widget shares: message and badge HTML, how an outcome of
:mod:`crmlab.rules.checking` is shown, and a guard that turns any error in a callback into a
message instead of a traceback.

A widget class holds its controls, calls a domain model in one ``update`` method and renders
the result; no course arithmetic lives here.
"""

from __future__ import annotations

import functools
import html
import io
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as widgets

from crmlab.rules.checking import Attempts, Outcome, Result
from crmlab.rules.checks import CourseInputError
from crmlab.rules.display import LEVEL_COLORS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger("crmlab.widgets")

COLORS = {"ok": "#1b7837", "error": "#b2182b", "info": "#2166ac", "warn": "#b35806"}
TONES: dict[Outcome, str] = {Outcome.UNANSWERED: "info", Outcome.INVALID: "error",
                             Outcome.PARTIAL: "warn", Outcome.INCORRECT: "error",
                             Outcome.CORRECT: "ok"}
"""Outcome → the kind of :func:`message` (its colour and icon) that shows it."""


def esc(text: object) -> str:
    """HTML-escape anything shown to the student."""
    return html.escape(str(text))


def message(text: str, kind: str = "error") -> str:
    """A short coloured line of text, e.g. beside a control; empty text gives empty HTML."""
    if not text:
        return ""
    icon = {"ok": "✔", "error": "✘", "info": "ℹ", "warn": "⚠"}[kind]
    return f'<span style="color:{COLORS[kind]}">{icon} {esc(text)}</span>'


def outcome_message(result) -> str:
    """A checked answer's message (a :class:`crmlab.rules.checking.Result`) in its outcome's
    colour."""
    return message(result.message, TONES[result.outcome])


class Checked:
    """What a widget checking one answer shares (mixed in before ``widgets.VBox``): the last
    :class:`crmlab.rules.checking.Result` in ``.result`` (``None`` before the first check) and
    the :class:`crmlab.rules.checking.Attempts` in ``.attempts``."""

    result: Result | None = None
    attempts: Attempts

    @property
    def outcome(self) -> Outcome | None:
        """The outcome of the last check (``None`` before the first)."""
        return None if self.result is None else self.result.outcome

    @property
    def wrong_tries(self) -> int:
        return self.attempts.wrong


def badge(text: str, color: str) -> str:
    """A coloured pill, e.g. a level letter."""
    return (f'<span style="background:{color};color:white;border-radius:0.8em;'
            f'padding:0.1em 0.7em;font-weight:bold">{esc(text)}</span>')


def level_badge(level: str) -> str:
    return badge(f"{level} 级", LEVEL_COLORS.get(level[:1], COLORS["info"]))


def show_in_output(widget, text: str) -> None:
    """The usual error display of a widget: no result, and ``text`` in its ``output``."""
    widget.result = None
    widget.output.value = text


def guarded(show: Callable[[object, str], None]):
    """Decorate an update method: a CourseInputError is shown as its message; any other error
    as a Chinese apology (logged for the instructor), never as a traceback.

    ``show(self, html)`` receives the message HTML.
    """

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except CourseInputError as error:
                show(self, message(str(error)))
            except Exception as error:  # noqa: BLE001 - a student must never see a traceback
                self.last_error = error
                log.debug("widget update failed", exc_info=True)
                show(self, message("出了点意外，这一步没有完成。请重新运行本单元格；"
                                   "如果问题仍在，请告诉老师。"))
            return None

        return wrapper

    return decorate


def chart_png(draw: Callable[..., Figure], *args, **kwargs) -> bytes:
    """Draw a chart with ``draw(*args, **kwargs)`` and return it as PNG bytes for an
    ``ipywidgets.Image``: the one way a widget shows a chart.

    A widget never displays a figure itself: in a callback that would put the figure in
    JupyterLab's log console, since no cell owns the output. Every figure opened while drawing
    is closed again, also when drawing fails, so that no half-drawn chart is left in pyplot
    for the next ``plt.show()`` or the inline backend to show in some later cell.
    """
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    try:
        fig = draw(*args, **kwargs)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90)
        plt.close(fig)
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
    return buffer.getvalue()


def heading(text: str) -> widgets.HTML:
    return widgets.HTML(f"<h4 style='margin:0.3em 0'>{esc(text)}</h4>")


def table_html(header: list[str], rows: list[list[str]], highlight: int | None = None) -> str:
    """A small HTML table; cells are already-safe HTML; row ``highlight`` is marked."""
    head = "".join(f"<th style='padding:2px 8px;text-align:left'>{h}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        style = " style='background:#fff3bf;font-weight:bold'" if i == highlight else ""
        cells = "".join(f"<td style='padding:2px 8px'>{c}</td>" for c in row)
        body.append(f"<tr{style}>{cells}</tr>")
    return (f"<table style='border-collapse:collapse;font-size:0.92em'><thead><tr>{head}</tr>"
            f"</thead><tbody>{''.join(body)}</tbody></table>")
