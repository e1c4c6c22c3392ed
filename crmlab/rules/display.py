"""How the course's results look wherever they are shown, kept once for charts, widgets, tables
and the command line: text width on screen (a CJK character takes two columns) and the customer
grading's levels in their order with their colours."""

from __future__ import annotations

import unicodedata

from crmlab.rules.grading import FINAL_BANDS

LEVEL_ORDER: tuple[str, ...] = tuple(band.level for band in FINAL_BANDS)
"""The customer levels from best to worst (A … E), as the final-level table lists them."""

LEVEL_COLORS: dict[str, str] = {"A": "#1b7837", "B": "#5aae61", "C": "#d8a400", "D": "#e08214",
                                "E": "#b2182b"}
"""One colour per level, green (A) to red (E), dark enough for white text on it (a widget's
badge) and for a bar of a chart."""


def display_width(text: str) -> int:
    """Width of ``text`` in display units: wide (CJK, full-width) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
