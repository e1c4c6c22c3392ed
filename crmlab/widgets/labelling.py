"""归类练习: a labelling exercise from :mod:`crmlab.rules.labelling` data, one row of option buttons
per item, marked by the topic module's ``mark`` function."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import ipywidgets as widgets

from crmlab.rules.checking import Marking
from crmlab.rules.labelling import Item, Option
from crmlab.widgets._base import esc, heading
from crmlab.widgets._sorter import ChoiceSorter


def shuffled(items: Sequence[Item], seed: int) -> list[Item]:
    """The items in an order fixed by ``seed``, never their own order (when there are two or
    more different items)."""
    order = list(items)
    rng = random.Random(seed)
    while len(order) > 1 and order == list(items):
        rng.shuffle(order)
    return order


class LabelSorter(ChoiceSorter):
    """Label each item with one of ``options``, then 「检查答案」.

    ``.items`` are the items as shown (shuffled by ``seed``); ``.choices`` maps item id → its
    ``ToggleButtons``; ``.check()`` marks them with ``mark(answers, ids)`` into ``.result`` (a
    :class:`crmlab.rules.checking.Marking`).
    """

    def __init__(
        self,
        items: Sequence[Item],
        options: Sequence[Option],
        mark: Callable[[dict[str, object], list[str]], Marking],
        *,
        title: str,
        intro: str,
        item_name: str = "第 {n} 题",
        seed: int = 0,
        button_width: str = "4em",
        extra: Sequence[widgets.Widget] = (),
    ):
        self.items = shuffled(items, seed)
        self.mark = mark
        self._build_choices([item.id for item in self.items], [o.label for o in options],
                            button_width=button_width)
        rows = [
            widgets.VBox([
                widgets.HTML(f"<p style='margin:0.2em 0'><b>{esc(item_name.format(n=n))}</b>"
                             f"　{esc(item.text)}</p>"),
                widgets.HBox([self.choices[item.id], self.feedback[item.id]]),
            ], layout=widgets.Layout(margin="0 0 0.6em 0"))
            for n, item in enumerate(self.items, start=1)
        ]
        super().__init__([heading(title), widgets.HTML(intro), *rows, self.buttons,
                          self.output, *extra])

    def _mark(self, answers: dict[str, object]) -> Marking:
        return self.mark(answers, list(self.choices))
