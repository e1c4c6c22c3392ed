"""The credit review report (``reports/credit_review.ipynb``): its parameters checked, the
credit files and open invoices loaded, and one table per customer with the 5C score, ratios,
aging and the watch list (:mod:`crmlab.rules.credit`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.reports.parameters import (
    ReportParameterError,
    about,
    coerce_value,
    data_path,
    load_data,
    report_date,
)
from crmlab.rules.checks import check_weights

WEAKEST_SHOWN = 3
"""How many of the lowest-scoring customers get a 5C radar chart."""


@dataclass
class CreditInputs:
    """Checked parameters and data of the credit review report."""

    files: pd.DataFrame  # the selected customers' credit files
    receivables: pd.DataFrame  # their open invoices
    weights: dict[str, float]
    custom_weights: bool
    customer_ids: list[str]
    as_of: date
    sources: tuple[Path, Path]
    is_sample: bool


def credit_review_inputs(data: object, receivables: object, customer_ids: object,
                         weights: object, as_of: object) -> CreditInputs:
    """Check the credit review report's parameters and load the credit files and invoices."""
    from crmlab.rules.credit import DEFAULT_WEIGHTS, FACTOR_LABELS

    data_path(data, "credit_files")
    recv_path, recv_sample = data_path(receivables, "receivables", "receivables")
    ids = [str(item).strip() for item in coerce_value("customer_ids", customer_ids, "list")]
    given = coerce_value("weights", weights, "dict")
    with about("weights"):
        used = (dict(DEFAULT_WEIGHTS) if not given
                else check_weights(given, FACTOR_LABELS, "5C 权重（weights）"))
    day = report_date(as_of, recv_sample)
    files, files_path, files_sample = load_data(data, "credit_files")
    invoices, _, _ = load_data(receivables, "receivables", "receivables")
    if ids:
        known = set(files["customer_id"])
        unknown = [item for item in dict.fromkeys(ids) if item not in known]
        if unknown:
            shown = "、".join(files["customer_id"].head(8))
            raise ReportParameterError(
                f"参数 customer_ids：信用档案中没有这些客户：{'、'.join(unknown)}。"
                f"档案中的客户编号如：{shown}……", "customer_ids")
        files = files[files["customer_id"].isin(ids)]
    invoices = invoices[invoices["customer_id"].isin(files["customer_id"])]
    return CreditInputs(files.reset_index(drop=True), invoices.reset_index(drop=True), used,
                        bool(given), ids, day, (files_path, recv_path),
                        files_sample and recv_sample)


def credit_review_table(inputs: CreditInputs) -> pd.DataFrame:
    """One row per selected customer: 5C score and grade, limit and period, ratios, aging
    totals (``outstanding``, ``overdue_share``), ``watch`` (the watch reasons, joined) and
    ``watch_count`` (how many of ``credit.WATCH_RULES`` apply)."""
    from crmlab.rules import credit

    scored = credit.score_table(credit.ratio_table(inputs.files), inputs.weights)
    aging = credit.aging_table(inputs.receivables, inputs.as_of) if len(inputs.receivables) else None
    if aging is None:
        outstanding = pd.Series(0.0, index=scored.index)
        share = pd.Series(np.nan, index=scored.index)
    else:
        by_id = scored["customer_id"]
        outstanding = by_id.map(aging[credit.AGING_TOTAL]).fillna(0.0)
        share = by_id.map(aging[credit.AGING_OVERDUE_SHARE])
    scored["outstanding"] = outstanding.to_numpy()
    scored["overdue_share"] = share.to_numpy()
    flags = pd.DataFrame({rule.label: rule.flags(scored).fillna(False).astype(bool)
                          for rule in credit.WATCH_RULES})
    scored["watch"] = flags.apply(lambda row: "；".join(row.index[row.to_numpy()]), axis=1)
    scored["watch_count"] = flags.sum(axis=1).astype(int)
    return scored
