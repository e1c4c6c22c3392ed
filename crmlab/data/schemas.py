"""Table schemas of the course's data files, with their Chinese display labels.

Five tables (``SCHEMAS``): ``customers`` (客户档案), ``orders`` (订单), ``credit_files``
(信用档案), ``receivables`` (应收账款) and ``survey`` (满意度问卷). Each column is a pandera
``Column`` whose ``title`` is its Chinese label (with the unit in brackets where it has one);
``LABELS`` and ``TABLE_LABELS`` are read from the schemas, so a label lives in one place.

The schemas accept extra columns and any column order (students bring their own files) and
coerce numbers, integers, dates and yes/no flags, as a CSV needs. Every check carries a
Chinese ``error`` text that :mod:`crmlab.data.io` turns into a message naming row and column.

The survey schema checks only that its columns are there and that each row names its
respondent, group and surveyor: out-of-range, non-numeric and empty answers are kept as they
are, because cleaning them is the lesson. Its columns, labels and scales are those of
``crmlab.rules.survey``, read from there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine

from crmlab.rules import survey
from crmlab.rules.grading import AMOUNT_LABEL, BONUS_LABELS, ITEM_MAX, PENALTY_LABELS
from crmlab.rules.survey import ANSWER_COLUMNS, FACT_COLUMNS, GROUP_COLUMNS, ID_COLUMN, QUESTIONS

# --- value sets --------------------------------------------------------------------------------

VALUATIONS: tuple[str, ...] = ("高", "中", "低")
"""Market valuation of a customer (for unlisted companies the one that counts)."""

COMMUNICATION_LEVELS: tuple[str, ...] = ("顺畅", "一般", "困难")
REPUTATION_LEVELS: tuple[str, ...] = ("好", "一般", "差")

YES_NO: tuple[tuple[str, str], ...] = (
    ("是", "否"), ("对", "错"), ("有", "无"), ("Y", "N"), ("yes", "no"), ("1", "0"),
    ("TRUE", "FALSE"),
)
"""The (yes, no) spellings a yes/no column accepts, in any case; an Excel workbook's own
TRUE/FALSE cells are booleans already."""

BOOL_WORDS: dict[str, bool] = {
    **{word.lower(): value for pair in YES_NO for word, value in zip(pair, (True, False))},
    "1.0": True, "0.0": False,  # 1/0 in a column that also holds a decimal or an empty cell
}
"""Each yes/no spelling (``YES_NO``), lower-cased, → its boolean (cells are compared trimmed
and lower-cased)."""

SURVEY_ITEMS: dict[str, str] = {q.column: q.label for q in QUESTIONS if q.kind == "item"}
"""The satisfaction items q1…q6 (column → Chinese label), as ``crmlab.rules.survey`` defines them."""

SURVEY_ANSWERS: tuple[str, ...] = ANSWER_COLUMNS
"""Answer columns of the survey table: kept as given by the schema, cleaned by the lesson."""


# --- column builders ---------------------------------------------------------------------------


def _parse_flag(values: pd.Series) -> pd.Series:
    """Map yes/no spellings (``BOOL_WORDS``) to booleans; unknown text is left for the check."""
    if pd.api.types.is_bool_dtype(values):
        return values
    words = values.astype("str").str.strip().str.lower()
    mapped = words.map(BOOL_WORDS)
    if mapped.notna().all():
        return mapped.astype(bool)
    return values.astype(object).where(mapped.isna(), mapped.astype(object))


def _text(label: str, *, unique: bool = False, choices: tuple[str, ...] | None = None) -> pa.Column:
    """A non-empty text column; ``choices`` restricts it to a value set."""
    checks = [pa.Check.str_length(min_value=1, error="不能是空白")]
    if choices:
        checks.append(pa.Check.isin(choices, error=f"只能是 {'、'.join(choices)} 之一"))
    return pa.Column(str, checks, unique=unique, coerce=True, title=label)


def _amount(label: str, *, positive: bool = False) -> pa.Column:
    """A money amount: a number, ≥ 0 (or > 0 when ``positive``)."""
    check = (pa.Check.gt(0, error="必须大于 0") if positive
             else pa.Check.ge(0, error="不能是负数"))
    return pa.Column(float, check, coerce=True, title=label)


def _parse_whole(values: pd.Series) -> pd.Series:
    """Whole numbers as int64; anything else is left as it is for the checks to name.

    (pandera's own int coercion would silently cut 2.5 to 2.)
    """
    if pd.api.types.is_integer_dtype(values):
        return values
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all() and (numbers == numbers.round()).all():
        return numbers.astype("int64")
    return values


def _is_whole(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers.notna() & (numbers == numbers.round())


def _whole(label: str, low: int, high: float, error: str) -> pa.Column:
    """A whole number from ``low`` to ``high``."""

    def within_bounds(values: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(values, errors="coerce")
        return ~((numbers < low) | (numbers > high))  # text and empty cells are named elsewhere

    return pa.Column(checks=[pa.Check(_is_whole, error="应为整数"), pa.Check(within_bounds, error=error)],
                     parsers=pa.Parser(_parse_whole), title=label)


def _count(label: str) -> pa.Column:
    """A whole number ≥ 0."""
    return _whole(label, 0, math.inf, "不能是负数")


def _score(label: str) -> pa.Column:
    """A whole-number score from 0 to 100."""
    return _whole(label, 0, 100, "必须在 0 到 100 之间")


def _flag(label: str) -> pa.Column:
    """A yes/no column: 是/否, Y/N, 1/0, TRUE/FALSE and the other spellings of ``YES_NO``."""
    spellings = "、".join(f"{yes}/{no}" for yes, no in YES_NO)
    return pa.Column(checks=pa.Check.isin([True, False], error=f"只能是 {spellings}（不分大小写）之一"),
                     parsers=pa.Parser(_parse_flag), title=label)


def _date(label: str) -> pa.Column:
    """A calendar date; 2025-03-01 and 2025/3/1 are both accepted."""
    dtype = pandas_engine.DateTime(to_datetime_kwargs={"format": "mixed"})
    return pa.Column(dtype, coerce=True, title=label)


def _answer(label: str) -> pa.Column:
    """A survey answer: kept as given (any type, may be empty), cleaned later."""
    return pa.Column(nullable=True, title=label)


# --- cross-column rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRule:
    """Within one row, ``column`` must not exceed (``"le"``) or fall below (``"ge"``) ``other``.

    A failure is reported against ``column``; a row where either value is empty passes (the
    empty cell is reported on its own).
    """

    column: str
    op: str  # "le" or "ge"
    other: str
    verb: str  # the Chinese phrase for the rule, e.g. 不能大于

    def error(self, labels: dict[str, str]) -> str:
        """The Chinese sentence shown for a failing row."""
        return f"{self.verb}「{labels[self.other]}」"

    def check(self, labels: dict[str, str]) -> pa.Check:
        """The rule as a pandera wide check."""
        column, other, op = self.column, self.other, self.op

        def holds(df: pd.DataFrame) -> pd.Series:
            left, right = df[column], df[other]
            ok = left <= right if op == "le" else left >= right
            return ok | left.isna() | right.isna()

        return pa.Check(holds, name=f"{column}_{op}_{other}", error=self.error(labels))


ORDER_RULES: dict[str, tuple[OrderRule, ...]] = {
    "credit_files": (
        OrderRule("inventory", "le", "current_assets", "不能大于"),
        OrderRule("current_assets", "le", "total_assets", "不能大于"),
        OrderRule("current_liabilities", "le", "total_liabilities", "不能大于"),
    ),
    "receivables": (OrderRule("due_date", "ge", "invoice_date", "不能早于"),),
}
"""Row-wise consistency rules per table (statement items, dates)."""


# --- the five tables ---------------------------------------------------------------------------

_COLUMNS: dict[str, dict[str, pa.Column]] = {
    "customers": {
        "customer_id": _text("客户编号", unique=True),
        "name": _text("客户名称", unique=True),
        "industry": _text("所属行业"),
        "region": _text("所在地区"),
        "order_amount": _amount(AMOUNT_LABEL),
        "order_amount_prev1": _amount("上年订单金额（万元）"),
        "order_amount_prev2": _amount("前年订单金额（万元）"),
        "gross_margin": pa.Column(float, pa.Check.in_range(0, 1, error="应是 0 到 1 之间的小数"),
                                  coerce=True, title="毛利率（小数，0.35 即 35%）"),
        "product_kinds": _count("需要的产品种类数"),
        "cooperation_years": _count("合作年限（年）"),
        "listed": _flag("是否上市公司"),
        "valuation": _text("市场估值（高/中/低）", choices=VALUATIONS),
        "referrals": _count("介绍的新客户数"),
        "communication": _text("沟通情况（顺畅/一般/困难）", choices=COMMUNICATION_LEVELS),
        "reputation": _text("行业口碑（好/一般/差）", choices=REPUTATION_LEVELS),
        "overdue_count": _count("近一年逾期回款次数"),
        "max_overdue_days": _count("近一年最长逾期天数"),
        "malicious_arrears": _flag("是否恶意拖欠"),
        "complaints": _count("近一年投诉次数"),
        "lawsuits": _count("诉讼次数"),
        "breaches": _count("单方面终止合同次数"),
    },
    "orders": {
        "order_id": _text("订单编号", unique=True),
        "customer_id": _text("客户编号"),
        "order_date": _date("下单日期"),
        "amount": _amount("订单金额（元）", positive=True),
        "category": _text("产品类别"),
    },
    "credit_files": {
        "customer_id": _text("客户编号", unique=True),
        "name": _text("客户名称"),
        "industry": _text("所属行业"),
        "current_assets": _amount("流动资产（万元）"),
        "inventory": _amount("存货（万元）"),
        "current_liabilities": _amount("流动负债（万元）"),
        "total_assets": _amount("资产总额（万元）"),
        "total_liabilities": _amount("负债总额（万元）"),
        "annual_credit_sales": _amount("年赊销额（万元）"),
        "receivables_begin": _amount("期初应收账款（万元）"),
        "receivables_end": _amount("期末应收账款（万元）"),
        "character": _score("品格（Character）得分"),
        "capacity": _score("能力（Capacity）得分"),
        "capital": _score("资本（Capital）得分"),
        "collateral": _score("抵押（Collateral）得分"),
        "conditions": _score("条件（Conditions）得分"),
    },
    "receivables": {
        "invoice_id": _text("发票号", unique=True),
        "customer_id": _text("客户编号"),
        "invoice_date": _date("开票日期"),
        "due_date": _date("到期日"),
        "outstanding": _amount("未收金额（万元）", positive=True),
    },
    "survey": {
        ID_COLUMN: _text(survey.COLUMN_LABELS[ID_COLUMN]),
        **{key: _text(survey.COLUMN_LABELS[key]) for key in GROUP_COLUMNS},
        **{key: _answer(survey.COLUMN_LABELS[key]) for key in (*FACT_COLUMNS, *ANSWER_COLUMNS)},
    },
}

TABLE_LABELS: dict[str, str] = {
    "customers": "客户档案表",
    "orders": "订单表",
    "credit_files": "信用档案表",
    "receivables": "应收账款表",
    "survey": "满意度问卷表",
}
"""Chinese name of each table, as a user reads it."""


def _build(name: str) -> pa.DataFrameSchema:
    columns = _COLUMNS[name]
    labels = {key: column.title for key, column in columns.items()}
    return pa.DataFrameSchema(
        columns,
        checks=[rule.check(labels) for rule in ORDER_RULES.get(name, ())],
        strict=False,
        ordered=False,
        name=name,
        title=TABLE_LABELS[name],
    )


SCHEMAS: dict[str, pa.DataFrameSchema] = {name: _build(name) for name in _COLUMNS}
"""Schema name → pandera schema: customers, orders, credit_files, receivables, survey."""

LABELS: dict[str, dict[str, str]] = {
    name: {key: column.title for key, column in schema.columns.items()}
    for name, schema in SCHEMAS.items()
}
"""Table → column → Chinese display label (unit in brackets where the column has one)."""

TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(key for key, column in schema.columns.items()
                if str(column.dtype).startswith(("str", "string")))
    for name, schema in SCHEMAS.items()
}
"""Columns read as text from a CSV (identifiers keep their leading zeros)."""


# --- a customer table of item scores instead of profiles ---------------------------------------

IDENTITY_COLUMNS: tuple[str, ...] = ("customer_id", "name", "industry", "region")
"""Columns of ``customers`` that a table of item scores may have too (each is optional there)."""


def _points(what: str, label: str) -> pa.Column:
    """An item of the grading scorecard, scored 0 to ``ITEM_MAX``; empty means not scored (0)."""
    return pa.Column(float, pa.Check.in_range(0, ITEM_MAX, error=f"应在 0 到 {ITEM_MAX} 分之间"),
                     nullable=True, coerce=True, required=False,
                     title=f"{what}·{label}（0–{ITEM_MAX} 分）")


def _optional(column: pa.Column) -> pa.Column:
    return pa.Column(**{**column.properties, "required": False})


_customers = SCHEMAS["customers"].columns
CUSTOMER_SCORES: pa.DataFrameSchema = pa.DataFrameSchema(
    {
        **{key: _optional(_customers[key]) for key in IDENTITY_COLUMNS},
        "order_amount": _customers["order_amount"],
        **{key: _points("加分项", label) for key, label in BONUS_LABELS.items()},
        **{key: _points("减分项", label) for key, label in PENALTY_LABELS.items()},
    },
    strict=False,
    ordered=False,
    name="customer_scores",
    title="客户加减分表",
)
"""A customer table that gives ``order_amount`` and the scorecard's item scores
(``crmlab.rules.grading.ITEM_KEYS``) instead of profiles: the identity columns of ``customers``
with their checks, each item a score from 0 to 5. Not one of the sample tables (``SCHEMAS``):
:func:`crmlab.data.load_customers` picks it for a table without profile columns."""
