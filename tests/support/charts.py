"""Drawing a figure in the chart tests."""

from __future__ import annotations

import io
import warnings

import matplotlib.pyplot as plt


def render(fig) -> list[str]:
    """Draw a figure to PNG bytes and return the missing-glyph warnings raised meanwhile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    plt.close(fig)
    assert buffer.getbuffer().nbytes > 5_000  # a real picture, not an empty canvas
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]
