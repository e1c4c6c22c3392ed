"""Charts and diagrams with Chinese text (a view layer: matplotlib figures, no course rules).

``base`` sets up the bundled CJK font in one place and holds one helper per chart; ``diagrams``
draws the course's process diagrams. Each helper returns a :class:`matplotlib.figure.Figure`
and leaves showing or saving it to the caller.
"""

from __future__ import annotations

from crmlab.charts.base import (
    ACCENT,
    LEVEL_COLORS,
    LEVEL_ORDER,
    aging_chart,
    grade_distribution,
    pareto_chart,
    radar_chart,
    score_histograms,
    survey_bars,
    use_chinese_font,
)
from crmlab.charts.diagrams import display_width, flow_diagram, wrap_label

__all__ = [
    "ACCENT",
    "LEVEL_COLORS",
    "LEVEL_ORDER",
    "aging_chart",
    "display_width",
    "flow_diagram",
    "grade_distribution",
    "pareto_chart",
    "radar_chart",
    "score_histograms",
    "survey_bars",
    "use_chinese_font",
    "wrap_label",
]
