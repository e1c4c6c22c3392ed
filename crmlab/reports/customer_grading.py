"""The customer grading report (``reports/customer_grading.ipynb``): its parameters checked and
its customers loaded and graded with the course's scorecard (:mod:`crmlab.rules.grading`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from crmlab.reports.parameters import (
    ReportParameterError,
    about,
    data_path,
    positive_int,
    report_date,
    required_text,
)


@dataclass
class GradingInputs:
    """Checked parameters and data of the customer grading report."""

    path: Path
    is_sample: bool
    company: str
    as_of: date
    top_n: int
    customers: pd.DataFrame
    graded: pd.DataFrame  # customers + grading columns + ``display_name``
    profiles: bool  # a profile table (else item scores)


def customer_grading_inputs(data: object, company: object, as_of: object,
                            top_n: object) -> GradingInputs:
    """Check the customer grading report's parameters and load and grade the customers.

    ``data`` is a customer table, CSV or ``.xlsx`` (profiles as in ``data/customers.csv``, or
    ``order_amount`` plus item-score columns), or ``""`` for the sample; it is read once, by
    :func:`crmlab.data.load_customers`.
    """
    from crmlab.data import LABELS, load_customers

    path, is_sample = data_path(data, "customers")
    company_name = required_text(company, "company", "公司名称")
    day = report_date(as_of, is_sample)
    top = positive_int(top_n, "top_n", "列出前几位客户")
    with about("data"):
        loaded = load_customers(path)
        graded = loaded.graded()
    if not (graded["order_amount"] > 0).any():
        raise ReportParameterError(
            f"参数 data：{loaded.source} 中所有客户的「{LABELS['customers']['order_amount']}」"
            "都是 0，无法分析客户价值", "data")
    graded["display_name"] = _display_names(graded)
    return GradingInputs(path, is_sample, company_name, day, top, loaded.customers, graded,
                         loaded.profiles)


def _display_names(table: pd.DataFrame) -> pd.Series:
    for column in ("name", "customer_id"):
        if column in table:
            return table[column].astype(str)
    return pd.Series([f"第 {i + 2} 行" for i in range(len(table))], index=table.index)
