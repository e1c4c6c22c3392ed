"""关系类型选择: customers × unit margin → Kotler's relationship level, with the reason."""

from __future__ import annotations

import ipywidgets as widgets

from crmlab.rules import relationship
from crmlab.widgets._base import esc, guarded, heading, message, show_in_output, table_html


class RelationshipPicker(widgets.VBox):
    """Pick 客户数量 and 边际利润水平; see the suggested level, why, and the whole 3×3 matrix."""

    def __init__(self):
        counts = [(word, key) for key, word in relationship.CUSTOMER_COUNTS.items()]
        margins = [(word, key) for key, word in relationship.MARGINS.items()]
        self.customers = widgets.ToggleButtons(options=counts, value=None,
                                               description="客户数量")
        self.margin = widgets.ToggleButtons(options=margins, value=None, description="边际利润水平")
        self.output = widgets.HTML()
        self.result: relationship.RelationshipAdvice | None = None
        for control in (self.customers, self.margin):
            control.observe(self.update, names="value")
        super().__init__([heading("选择客户关系类型"), self.customers, self.margin, self.output])
        self.add_class("crm-relationship-picker")  # a stable hook for browser tests and styling
        self.update()

    _show_error = show_in_output

    @guarded(_show_error)
    def update(self, _change=None) -> None:
        if self.customers.value is None or self.margin.value is None:
            self._show_error(message("请选择客户数量和边际利润水平。", "info"))
            return
        advice = relationship.relationship_level(self.customers.value, self.margin.value)
        self.result = advice
        self.output.value = (
            f"<p>建议的关系类型：<b class='crm-relationship'>{esc(advice.label)}</b>"
            f"（{esc(advice.english)}）</p><p>{esc(advice.reason)}</p>" + self._matrix()
        )

    def _matrix(self) -> str:
        header = ["客户数量 \\ 边际利润水平", *relationship.MARGINS.values()]
        rows, chosen = [], None
        for i, (count_key, count_word) in enumerate(relationship.CUSTOMER_COUNTS.items()):
            cells = []
            for margin_key in relationship.MARGINS:
                level = relationship.LEVEL_BY_KEY[relationship.RELATIONSHIP_MATRIX[count_key][margin_key]]
                text = esc(level.label)
                if (count_key, margin_key) == (self.customers.value, self.margin.value):
                    text = f"<mark><b>{text}</b></mark>"
                    chosen = i
                cells.append(text)
            rows.append([count_word, *cells])
        return table_html(header, rows, chosen)
