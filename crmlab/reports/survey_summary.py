"""The survey summary report (``reports/survey_summary.ipynb``): its parameters checked and
the questionnaires loaded and cleaned (:mod:`crmlab.rules.survey`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from crmlab.reports.parameters import (
    ReportParameterError,
    as_text,
    data_path,
    load_data,
    required_text,
)

if TYPE_CHECKING:
    from crmlab.rules.survey import CleanResult


@dataclass
class SurveyInputs:
    """Checked parameters and data of the survey summary report."""

    path: Path
    is_sample: bool
    title: str
    group_by: str
    table: pd.DataFrame
    cleaned: CleanResult = field(repr=False)


def survey_inputs(data: object, title: object, group_by: object) -> SurveyInputs:
    """Check the survey summary report's parameters and load the questionnaires."""
    from crmlab.rules.survey import COLUMN_LABELS, GROUP_COLUMNS, TITLE_MAX, clean_survey

    path, is_sample = data_path(data, "survey")
    heading = required_text(title, "title", "调查题目")
    if len(heading) > TITLE_MAX:
        raise ReportParameterError(
            f"参数 title（调查题目）不能超过 {TITLE_MAX} 个字，现在是 {len(heading)} 个字："
            f"{heading}", "title")
    by = as_text("group_by", group_by)
    aliases = {COLUMN_LABELS[c]: c for c in GROUP_COLUMNS}
    by = aliases.get(by, by)
    if by not in GROUP_COLUMNS:
        names = "、".join(f"{c}（{COLUMN_LABELS[c]}）" for c in GROUP_COLUMNS)
        raise ReportParameterError(f"参数 group_by 只能是这些列：{names}；现在是：{by!r}",
                                   "group_by")
    table, _, _ = load_data(data, "survey")
    cleaned = clean_survey(table)
    if cleaned.valid.empty:
        raise ReportParameterError(
            f"参数 data：文件 {path.name} 中没有有效问卷（{cleaned.summary}）", "data")
    return SurveyInputs(path, is_sample, heading, by, table, cleaned)
