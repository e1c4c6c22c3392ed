"""Charts with Chinese text: the one place that sets up the CJK font, and one helper per chart.

The font is Noto Sans CJK SC as shipped inside the ``mplfonts`` wheel, registered with
matplotlib by file path: nothing is downloaded and no system font is needed. Every helper
returns a :class:`matplotlib.figure.Figure` and leaves showing or saving it to the caller.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from crmlab.rules.display import LEVEL_COLORS, LEVEL_ORDER

FONT_FILE = "NotoSansCJKsc-Regular.otf"
ACCENT = "#2166ac"


@cache
def use_chinese_font() -> str:
    """Register the bundled CJK font and make it matplotlib's default; returns its name.

    Safe to call many times. Also turns off the Unicode minus sign, which CJK fonts lack.
    """
    path = resources.files("mplfonts") / "fonts" / FONT_FILE
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name


def _figure(width: float = 7.5, height: float = 4.5, **kwargs) -> tuple[Figure, plt.Axes]:
    use_chinese_font()
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained", **kwargs)
    return fig, ax


def pareto_chart(
    values: pd.Series,
    *,
    title: str = "客户贡献帕累托图",
    value_label: str = "销售额",
    cuts: tuple[float, ...] = (0.8, 0.95),
    top: int | None = 40,
) -> Figure:
    """Bars of each customer's value (largest first) with the cumulative share as a line.

    ``values`` is indexed by customer (name or id). With more than ``top`` customers the rest
    are drawn as one bar 「其余 N 位客户」 while the cumulative line still counts them all.
    Dashed lines mark the ABC cut-offs in ``cuts``.
    """
    ordered = values.astype(float).sort_values(ascending=False)
    total = ordered.sum()
    cumulative = ordered.cumsum() / total if total else ordered * 0
    shown = ordered
    if top is not None and len(ordered) > top:
        rest = ordered.iloc[top:]
        shown = pd.concat([ordered.iloc[:top], pd.Series({f"其余 {len(rest)} 位客户": rest.sum()})])
        cumulative = pd.concat([cumulative.iloc[:top], pd.Series({shown.index[-1]: 1.0})])

    fig, ax = _figure(9, 4.8)
    positions = np.arange(len(shown))
    bars = ax.bar(positions, shown.to_numpy(), color=ACCENT, alpha=0.85)
    if len(shown) < len(ordered):  # the grouped tail: grey and labelled, not one more customer
        tail = bars.patches[-1]
        tail.set_color("#bdbdbd")
        tail.set_hatch("//")
        ax.annotate(f"合计 {shown.iloc[-1]:,.0f}", (positions[-1], shown.iloc[-1]),
                    ha="center", va="bottom", fontsize=8)
    ax.set_ylabel(value_label)
    ax.set_xticks(positions, [str(label) for label in shown.index], rotation=60, ha="right",
                  fontsize=7)
    line_ax = ax.twinx()
    line_ax.plot(positions, cumulative.to_numpy(), color="#b2182b", marker=".", label="累计占比")
    line_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    line_ax.set_ylim(0, 1.05)
    line_ax.set_ylabel("累计占比")
    for cut in cuts:
        line_ax.axhline(cut, color="grey", linestyle="--", linewidth=0.8)
        line_ax.annotate(f"{cut:.0%}", (positions[-1], cut), fontsize=8, va="bottom", ha="right")
    ax.set_title(title)
    return fig


def grade_distribution(
    levels: pd.Series | pd.DataFrame,
    *,
    title: str = "客户等级分布",
) -> Figure:
    """Customers per level A–E; a DataFrame of level columns draws grouped bars to compare.

    For example ``grade_distribution(table[["base_level", "level"]].rename(columns=...))``
    shows how bonuses and penalties moved customers between levels.
    """
    frame = levels.to_frame() if isinstance(levels, pd.Series) else levels
    counts = pd.DataFrame(
        {column: frame[column].value_counts().reindex(LEVEL_ORDER, fill_value=0)
         for column in frame.columns}
    )
    fig, ax = _figure(7, 4.2)
    width = 0.8 / len(counts.columns)
    positions = np.arange(len(LEVEL_ORDER))
    for i, column in enumerate(counts.columns):
        offset = (i - (len(counts.columns) - 1) / 2) * width
        colors = [LEVEL_COLORS[level] for level in LEVEL_ORDER] if len(counts.columns) == 1 else None
        bars = ax.bar(positions + offset, counts[column], width, label=str(column), color=colors,
                      alpha=1.0 if i == len(counts.columns) - 1 else 0.55)
        ax.bar_label(bars, fontsize=8)
    ax.set_xticks(positions, [f"{level} 级" for level in LEVEL_ORDER])
    ax.set_ylabel("客户数")
    ax.set_title(title)
    if len(counts.columns) > 1:
        ax.legend()
    return fig


def radar_chart(
    scores: Mapping[str, float],
    *,
    compare: Mapping[str, float] | None = None,
    title: str = "信用 5C 雷达图",
    label: str = "本客户",
    compare_label: str = "对比",
    maximum: float = 100,
) -> Figure:
    """A radar (spider) chart of factor scores, e.g. the 5C credit factors on 0–100.

    ``scores`` maps the factors' Chinese labels to values; ``compare`` adds a second outline
    (a class average, another customer) with the same keys.
    """
    labels = list(scores)
    angles = np.linspace(0, 2 * np.pi, len(labels), endpoint=False)
    closed = np.concatenate([angles, angles[:1]])
    fig, ax = _figure(5, 5, subplot_kw={"projection": "polar"})
    for values, name, color in ((scores, label, ACCENT), (compare, compare_label, "#b2182b")):
        if values is None:
            continue
        data = np.array([values[key] for key in labels], dtype=float)
        ring = np.concatenate([data, data[:1]])
        ax.plot(closed, ring, color=color, label=name)
        ax.fill(closed, ring, color=color, alpha=0.2)
    ax.set_xticks(angles, labels)
    ax.set_ylim(0, maximum)
    ax.set_title(title, pad=18)
    if compare is not None:
        ax.legend(loc="upper right", bbox_to_anchor=(1.25, 1.1))
    return fig


def survey_bars(
    percentages: pd.DataFrame,
    *,
    title: str = "满意度调查：各题选项占比",
) -> Figure:
    """100 % stacked horizontal bars: one bar per question, one segment per option.

    ``percentages`` has the questions' labels as index and the options' labels as columns
    (in scale order, e.g. 很不满意 … 很满意, then 未作答), values in percent.
    """
    fig, ax = _figure(8, 0.6 * len(percentages) + 1.8)
    palette = plt.get_cmap("RdYlGn")(np.linspace(0.1, 0.9, len(percentages.columns)))
    left = np.zeros(len(percentages))
    for color, option in zip(palette, percentages.columns):
        widths = percentages[option].to_numpy(dtype=float)
        if str(option) == "未作答":
            color = "#bdbdbd"
        bars = ax.barh(percentages.index.astype(str), widths, left=left, color=color,
                       label=str(option))
        ax.bar_label(bars, labels=[f"{w:.0f}%" if w >= 6 else "" for w in widths],
                     label_type="center", fontsize=7)
        left += widths
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.set_title(title)
    ax.legend(ncols=min(6, len(percentages.columns)), loc="upper center",
              bbox_to_anchor=(0.5, -0.08), fontsize=8, frameon=False)
    return fig


AGING_COLORS = ("#1b7837", "#f6c141", "#f1a340", "#e08214", "#d73027", "#a50026")
"""Not yet due in green, then warmer and darker the longer an invoice is overdue."""


def aging_chart(summary: pd.DataFrame, *, title: str = "应收账款账龄分布") -> Figure:
    """Bars of the outstanding amount per aging bucket, labelled with amount and share.

    ``summary`` is :func:`crmlab.rules.credit.aging_summary`: one row per bucket, columns
    ``金额`` (万元) and ``占比`` (0–1).
    """
    from crmlab.rules.credit import AGING_AMOUNT, AGING_SHARE

    fig, ax = _figure(7, 3.8)
    amounts = summary[AGING_AMOUNT]
    bars = ax.bar(list(summary.index), amounts.to_numpy(), color=AGING_COLORS[: len(amounts)])
    shares = summary[AGING_SHARE].fillna(0)
    ax.bar_label(bars, labels=[f"{a:,.1f}\n({s:.0%})" for a, s in zip(amounts, shares)],
                 fontsize=8)
    ax.set_ylabel("未收金额（万元）")
    ax.set_title(title)
    ax.margins(y=0.2)
    return fig


def score_histograms(
    scores: pd.DataFrame,
    threshold: float,
    *,
    assignments: Sequence[str] | None = None,
    title: str = "各作业成绩分布（百分制）",
) -> Figure:
    """One histogram of the scores (percent, 0–100) per assignment, with the pass line dashed.

    ``scores`` has one row per submission, with the columns ``assignment`` and ``percent``.
    ``assignments`` names the panels in order (default: those in ``scores``), so an assignment
    nobody submitted still gets its empty panel.
    """
    from matplotlib.ticker import MaxNLocator

    names = list(dict.fromkeys(scores["assignment"] if assignments is None else assignments))
    columns = min(3, len(names))
    rows = math.ceil(len(names) / columns)
    use_chinese_font()
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows),
                             layout="constrained", squeeze=False, sharey=True)
    bins = np.linspace(0, 100, 11)
    for ax, name in zip(axes.flat, names):
        part = scores[scores["assignment"] == name]
        ax.hist(part["percent"].to_numpy(), bins=bins, color=ACCENT, alpha=0.85,
                edgecolor="white")
        ax.axvline(threshold, color="#b2182b", linestyle="--", linewidth=1)
        ax.set_title(f"{name}（{len(part)} 份）", fontsize=10)
        ax.set_xlabel("得分（%）")
        ax.set_xlim(0, 100)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("人数")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(f"{title}，虚线为及格线 {threshold:g} 分")
    return fig
