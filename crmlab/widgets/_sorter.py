"""What every labelling exercise shares: one row of option buttons per item, 「检查答案」 and
「重新开始」 buttons, a verdict beside each item and a score line.

A subclass names its items and options and marks the answers with its domain model in
``_mark``, into a :class:`crmlab.rules.checking.Marking`: ``items`` (each a
:class:`crmlab.rules.checking.Result` with ``id``, ``outcome``, ``label`` and ``message``),
``correct``, ``total``, ``count(outcome)`` and ``summary``.
"""

from __future__ import annotations

import ipywidgets as widgets

from crmlab.rules.checking import Marking, Outcome
from crmlab.widgets._base import COLORS, TONES, esc, guarded, message, show_in_output

ICONS = {Outcome.CORRECT: "✔", Outcome.INCORRECT: "✘", Outcome.PARTIAL: "⚠",
         Outcome.UNANSWERED: "…", Outcome.INVALID: "✘"}
"""Outcome → the mark beside an item."""


class ChoiceSorter(widgets.VBox):
    """Base of the labelling exercises.

    ``.choices`` maps item id → its ``ToggleButtons`` (``None`` until chosen); ``.check()``
    (the 「检查答案」 button) marks them; ``.result`` holds the model's result (``None`` before
    a check and after any change); ``.feedback`` maps item id → its verdict ``HTML``.
    """

    unit = "题"
    """What one item is called in the score line (题, 段 …)."""

    def _build_choices(self, ids: list[str], options: list[str], *,
                       tooltips: list[str] | None = None, button_width: str = "3em") -> None:
        """Create the controls; the subclass lays them out and calls ``super().__init__``."""
        self.choices: dict[str, widgets.ToggleButtons] = {
            item_id: widgets.ToggleButtons(options=options, value=None, tooltips=tooltips or [],
                                           style={"button_width": button_width})
            for item_id in ids
        }
        self.feedback: dict[str, widgets.HTML] = {item_id: widgets.HTML() for item_id in ids}
        self.check_button = widgets.Button(description="检查答案", icon="check",
                                           button_style="primary")
        self.reset_button = widgets.Button(description="重新开始", icon="refresh")
        self.buttons = widgets.HBox([self.check_button, self.reset_button])
        self.output = widgets.HTML()
        self.result = None
        self.check_button.on_click(lambda _: self.check())
        self.reset_button.on_click(lambda _: self.reset())
        for choice in self.choices.values():
            choice.observe(self._changed, names="value")

    def _mark(self, answers: dict[str, object]) -> Marking:
        """Mark ``answers`` (item id → chosen option or ``None``) with the domain model."""
        raise NotImplementedError

    def _show_error(self, text: str) -> None:
        show_in_output(self, text)

    def _after_check(self, result) -> None:
        """Hook: show more once the answers are marked (nothing by default)."""

    def _after_reset(self) -> None:
        """Hook: clear what ``_after_check`` showed (nothing by default)."""

    def _changed(self, change) -> None:
        """An answer changed after a check: that item's old verdict no longer applies."""
        if self.result is None:
            return
        for item_id, choice in self.choices.items():
            if choice is change["owner"]:
                self.feedback[item_id].value = ""
        self.result = None
        self._after_reset()
        self.output.value = message("答案有改动，请再点一次「检查答案」。", "info")

    @guarded(lambda self, text: self._show_error(text))
    def update(self, _change=None) -> None:
        """Mark the current answers and show a verdict per item and a score line."""
        result = self._mark({item_id: choice.value for item_id, choice in self.choices.items()})
        for item in result.items:
            self.feedback[item.id].value = (
                f'<span style="color:{COLORS[TONES[item.outcome]]}">'
                f"{ICONS[item.outcome]} <b>{esc(item.label)}</b>　"
                f"{esc(item.message)}</span>"
            )
        self.result = result
        self.output.value = self.render(result)
        self._after_check(result)

    def check(self) -> None:
        """The 「检查答案」 button."""
        self.update()

    def render(self, result: Marking) -> str:
        unanswered = result.count(Outcome.UNANSWERED)
        rest = f"还有 {unanswered} {self.unit}未作答。" if unanswered else ""
        kind = "ok" if result.correct == result.total else "info"
        return f"<p class='crm-score'>{message(result.summary + rest, kind)}</p>"

    def reset(self) -> None:
        """The 「重新开始」 button: clear every answer and verdict (same items)."""
        self.result = None
        with self.hold_trait_notifications():
            for choice in self.choices.values():
                choice.value = None
        for html in self.feedback.values():
            html.value = ""
        self.output.value = ""
        self._after_reset()
