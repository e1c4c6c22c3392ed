"""Process diagrams: rounded boxes joined by arrows, with Chinese text.

Lesson 09 draws a transaction flow diagram (业务流程图，TFD) of a sales-to-service process and the
CRM loop (信息收集 → 分析 → 市场计划 → 客户互动 → back to 信息收集) with :func:`flow_diagram`.
Layout is computed in inches: every box has the same size (the widest and tallest wrapped label
decide it), so the figure grows with the number of steps and never squeezes the text. Long
labels are wrapped by display width (a Chinese character counts two units, a Latin letter one;
a Latin word is not split unless it is longer than a line).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from crmlab.charts.base import ACCENT, use_chinese_font
from crmlab.rules.checks import CourseInputError
from crmlab.rules.display import display_width

DIRECTIONS: dict[str, str] = {"vertical": "纵向（自上而下）", "horizontal": "横向（从左到右）"}
"""Accepted ``direction`` values → Chinese description (used in the error message)."""

MAX_STEPS = 20
"""More steps than this would not fit on a page; split the process instead."""

WRAP_UNITS = 16
"""Line width of a box label in display units: 8 Chinese characters or 16 Latin letters."""

LOOP_LABEL = "循环往复"
"""Text on the arrow that leads from the last step back to the first."""

STEPS_LABEL = "流程步骤（steps）"
TITLE_LABEL = "图标题（title）"
DIRECTION_LABEL = "方向（direction）"


@dataclass(frozen=True)
class _Style:
    """Sizes (inches, points) and colours of the drawing; one place for the look."""

    font_size: float = 11.0
    title_size: float = 13.0
    line_spacing: float = 1.3
    pad_x: float = 0.22
    pad_y: float = 0.16
    gap: float = 0.5  # between boxes: the arrow's length
    lane: float = 0.45  # distance of the loop's return path from the boxes
    margin: float = 0.3
    title_height: float = 0.55
    rounding: float = 0.1
    face: str = "#eaf2fb"
    edge: str = ACCENT
    arrow: str = "#4d4d4d"
    loop: str = "#b2182b"
    badge: str = ACCENT


STYLE = _Style()
PAUSE_MARKS = "，、；：。！？）」』"
"""Characters after which a label line preferably breaks."""
POINTS_PER_INCH = 72.0
_TOKENS = re.compile(r"[A-Za-z0-9_.%+-]+|\s+|.", re.S)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF" and ch not in PAUSE_MARKS


def wrap_label(text: str, width: int = WRAP_UNITS) -> list[str]:
    """Split ``text`` into lines of at most ``width`` display units, balanced in length.

    Chinese text may break between any two characters, but a break right after a pause mark
    (「，」「、」「；」…) is preferred when it keeps at least half of the line; a Latin word or
    number is kept whole unless it alone is wider than a line. Spaces at a line's start are
    dropped and an explicit ``\\n`` always starts a new line. Among the widths that need no
    more lines than ``width`` does, the narrowest is used, so that 「仓库发货并开具发票」
    becomes two lines of 5 and 4 characters rather than 8 and 1.
    """
    greedy = _wrap(text, width)
    words = [display_width(token) for token in _TOKENS.findall(text) if not token.isspace()]
    total = display_width(text.replace("\n", ""))
    shortest = min(width, max(1, -(-total // len(greedy)), *words))
    for narrower in range(shortest, width):
        lines = _wrap(text, narrower)
        if len(lines) <= len(greedy):
            return lines
    return greedy


def _wrap(text: str, width: int) -> list[str]:
    """Greedy line filling for :func:`wrap_label`."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        tokens = _TOKENS.findall(paragraph)
        while tokens:
            token = tokens.pop(0)
            if token.isspace() and not line:
                continue
            if display_width(line + token) <= width:
                line += token
                continue
            if token.isspace():  # a space that does not fit is dropped at the break
                continue
            if token[0] in PAUSE_MARKS:
                line = line.rstrip()  # a space before the mark goes with the break
            if token[0] in PAUSE_MARKS and len(line) > 1 and _is_wide(line[-1]):
                # a pause mark never starts a line: the character before it moves down too
                tokens[:0] = [line[-1], token]
                line = line[:-1]
                token = ""
            if line.strip():
                head, tail = _split_at_pause(line)
                lines.append(head.rstrip())
                line = ""
                if tail:  # the words after the pause mark start the next line
                    tokens[:0] = [*_TOKENS.findall(tail), *([token] if token else [])]
                    continue
            if not token or token.isspace():
                continue
            while display_width(token) > width:  # a word longer than a whole line
                cut = _fit(token, width)
                lines.append(token[:cut])
                token = token[cut:]
            line = token
        lines.append(line.rstrip())
    return lines


def _split_at_pause(line: str) -> tuple[str, str]:
    """``line`` cut after its last pause mark if that keeps at least half of it, else whole."""
    last = max(line.rfind(mark) for mark in PAUSE_MARKS)
    if last + 1 >= max(1, len(line) / 2) and last + 1 < len(line):
        return line[: last + 1], line[last + 1:]
    return line, ""


def _fit(token: str, width: int) -> int:
    """How many leading characters of ``token`` fit into ``width`` units (at least one)."""
    used = 0
    for count, ch in enumerate(token):
        used += display_width(ch)
        if used > width:
            return max(count, 1)
    return len(token)


def _check_steps(steps: object, loop: bool) -> list[str]:
    if isinstance(steps, str) or not isinstance(steps, Sequence):
        raise CourseInputError(
            f"「{STEPS_LABEL}」应当是由文字组成的列表，例如 [\"信息收集\", \"分析\"]，"
            f"现在是：{type(steps).__name__}",
            STEPS_LABEL,
        )
    if not steps:
        raise CourseInputError(f"「{STEPS_LABEL}」不能为空，至少要有一个步骤。", STEPS_LABEL)
    if len(steps) > MAX_STEPS:
        raise CourseInputError(
            f"「{STEPS_LABEL}」最多 {MAX_STEPS} 步，现在有 {len(steps)} 步；请把流程拆成几张图。",
            STEPS_LABEL,
        )
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, str) or not step.strip():
            raise CourseInputError(
                f"「{STEPS_LABEL}」的第 {number} 步必须是非空的文字，现在是：{step!r}", STEPS_LABEL
            )
    if loop and len(steps) < 2:
        raise CourseInputError(
            f"画循环（loop=True）时「{STEPS_LABEL}」至少要有两步。", STEPS_LABEL
        )
    return [step.strip() for step in steps]


def _check_options(title: object, direction: object, loop: object, numbered: object) -> str:
    if not isinstance(title, str) or not title.strip():
        raise CourseInputError(f"「{TITLE_LABEL}」必须是非空的文字，现在是：{title!r}", TITLE_LABEL)
    if direction not in DIRECTIONS:
        names = "或".join(f"\"{key}\"（{label}）" for key, label in DIRECTIONS.items())
        raise CourseInputError(
            f"「{DIRECTION_LABEL}」只能是 {names}，现在是：{direction!r}", DIRECTION_LABEL
        )
    for value, label in ((loop, "是否循环（loop）"), (numbered, "是否编号（numbered）")):
        if not isinstance(value, bool):
            raise CourseInputError(f"「{label}」必须是 True 或 False，现在是：{value!r}", label)
    return title.strip()


def flow_diagram(
    steps: list[str],
    *,
    title: str,
    loop: bool = False,
    direction: str = "vertical",
    numbered: bool = True,
) -> Figure:
    """Draw ``steps`` as rounded boxes joined by arrows and return the figure.

    ``direction`` is ``"vertical"`` (top to bottom) or ``"horizontal"`` (left to right).
    ``loop=True`` adds an arrow from the last box back to the first, labelled 「循环往复」
    (at least two steps). ``numbered`` puts the step number in a badge on each box's corner.
    Bad input raises :class:`~crmlab.rules.checks.CourseInputError` with a Chinese message.
    """
    labels = _check_steps(steps, loop)
    title = _check_options(title, direction, loop, numbered)
    use_chinese_font()
    s = STYLE
    em = s.font_size / POINTS_PER_INCH
    wrapped = [wrap_label(label) for label in labels]
    units = max(display_width(line) for lines in wrapped for line in lines)
    n_lines = max(len(lines) for lines in wrapped)
    box_w = max(units, 6) * em / 2 + 2 * s.pad_x
    box_h = n_lines * em * s.line_spacing + 2 * s.pad_y
    vertical = direction == "vertical"
    lane = s.lane if loop else 0.0
    title_w = display_width(title) * s.title_size / POINTS_PER_INCH / 2

    n = len(labels)
    if vertical:
        content_w, content_h = box_w + 2 * lane, n * box_h + (n - 1) * s.gap
    else:
        content_w, content_h = n * box_w + (n - 1) * s.gap, box_h + lane
    width = max(content_w, title_w) + 2 * s.margin
    height = content_h + s.title_height + 2 * s.margin

    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    ax.text(width / 2, height - s.margin - s.title_height / 2 + 0.05, title,
            ha="center", va="center", fontsize=s.title_size)

    left = (width - content_w) / 2 + (lane if vertical else 0.0)
    top = height - s.margin - s.title_height
    boxes = []  # (x, y) of each box's lower-left corner
    for i in range(n):
        if vertical:
            boxes.append((left, top - box_h - i * (box_h + s.gap)))
        else:
            boxes.append((left + i * (box_w + s.gap), top - box_h))

    for number, ((x, y), lines) in enumerate(zip(boxes, wrapped), start=1):
        ax.add_patch(FancyBboxPatch((x, y), box_w, box_h,
                                    boxstyle=f"round,pad=0,rounding_size={s.rounding}",
                                    facecolor=s.face, edgecolor=s.edge, linewidth=1.4))
        ax.text(x + box_w / 2, y + box_h / 2, "\n".join(lines), ha="center", va="center",
                fontsize=s.font_size, linespacing=s.line_spacing)
        if numbered:
            ax.text(x, y + box_h, str(number), ha="center", va="center", color="white",
                    fontsize=s.font_size * 0.75,
                    bbox={"boxstyle": "circle,pad=0.25", "facecolor": s.badge, "edgecolor": "none"})

    for (x0, y0), (x1, y1) in zip(boxes, boxes[1:]):
        if vertical:
            start, end = (x0 + box_w / 2, y0), (x1 + box_w / 2, y1 + box_h)
        else:
            start, end = (x0 + box_w, y0 + box_h / 2), (x1, y1 + box_h / 2)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=16,
                                     color=s.arrow, linewidth=1.4, shrinkA=0, shrinkB=0))

    if loop:
        _draw_loop(ax, boxes, box_w, box_h, vertical)
    return fig


def _draw_loop(ax, boxes, box_w: float, box_h: float, vertical: bool) -> None:
    """The return arrow from the last box to the first, outside the row or column of boxes."""
    s = STYLE
    (x_first, y_first), (x_last, y_last) = boxes[0], boxes[-1]
    if vertical:
        x_side = x_first + box_w
        lane = x_side + s.lane * 0.8
        points = [(x_side, y_last + box_h / 2), (lane, y_last + box_h / 2),
                  (lane, y_first + box_h / 2), (x_side, y_first + box_h / 2)]
        label_at, label = (lane, (y_first + y_last + box_h) / 2), "\n".join(LOOP_LABEL)
    else:
        y_side = y_first
        lane = y_side - s.lane * 0.8
        points = [(x_last + box_w / 2, y_side), (x_last + box_w / 2, lane),
                  (x_first + box_w / 2, lane), (x_first + box_w / 2, y_side)]
        label_at, label = ((x_first + x_last + box_w) / 2, lane), LOOP_LABEL
    codes = [Path.MOVETO] + [Path.LINETO] * (len(points) - 1)
    ax.add_patch(FancyArrowPatch(path=Path(points, codes), arrowstyle="-|>", mutation_scale=16,
                                 color=s.loop, linewidth=1.4, linestyle="--"))
    ax.text(*label_at, label, ha="center", va="center", color=s.loop, linespacing=1.0,
            fontsize=s.font_size * 0.85,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"})
