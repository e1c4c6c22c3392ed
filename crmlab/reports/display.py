"""What the templates use to show their results: charts as PNG with a text alternative,
Markdown, folded tables, tables without row numbers, shares as percentages, and the report's
main table saved for Excel."""

from __future__ import annotations

import io

import pandas as pd

FIGURE_DPI = 100


def show(fig, alt: str | None = None) -> None:
    """Display a matplotlib figure as a PNG with a text alternative (its title), and close it.

    Closing keeps the inline backend from drawing it a second time.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    if alt is None:
        titles = [fig.get_suptitle()] if fig.get_suptitle() else []
        titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
        alt = "；".join(titles) or "图表"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png", alt=alt))


def show_markdown(text: str) -> None:
    """Display Markdown text (the parts of a report that depend on the data)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def show_details(summary: str, table: pd.DataFrame) -> None:
    """A table folded under a one-line summary (``<details>``): long lists stay readable."""
    from html import escape

    from IPython.display import HTML, display

    display(HTML(f"<details><summary>{escape(summary)}</summary>"
                 f"{table.to_html(index=False, border=0, na_rep='—')}</details>"))


def table(frame: pd.DataFrame, digits: int = 2):
    """``frame`` for display without its row numbers, numbers to ``digits`` decimals."""
    return (frame.style.hide(axis="index").format(precision=digits, na_rep="—")
            .set_table_attributes('class="dataframe"'))


MAIN_TABLE_ENV = "CRMLAB_REPORT_TABLE"
"""Set by :func:`crmlab.reports.run_report` for the kernel: where :func:`save_table` writes the
main table."""


def save_table(frame: pd.DataFrame, sheet: str) -> None:
    """Save the report's main table (as shown, Chinese headings) for Excel.

    Written to the ``.xlsx`` named by the environment variable ``CRMLAB_REPORT_TABLE``, which
    ``crmlab report`` sets to ``DIR/NAME.xlsx`` beside the HTML; without it (plain papermill,
    JupyterLab) nothing is written.
    """
    import os

    from crmlab.data import write_table

    target = os.environ.get(MAIN_TABLE_ENV)
    if target:
        write_table(frame, target, sheet=sheet)


def format_percent(values: pd.Series, digits: int = 1) -> pd.Series:
    """Shares (0–1) as text such as ``42.5%``; a missing value as ``—``."""
    return values.map(lambda v: "—" if pd.isna(v) else f"{v:.{digits}%}")
