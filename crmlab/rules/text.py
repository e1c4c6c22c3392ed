"""Text as a reader sees it: how wide a string is on screen, where CJK and full-width characters
take two columns. Tables printed in a terminal, ``.xlsx`` column widths and the labels of
process diagrams are all measured by :func:`display_width`."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Width of ``text`` in display units: wide (CJK, full-width) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
