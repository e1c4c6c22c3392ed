"""The one loader of a customer table: :func:`load_customers`.

A customer table comes in one of two kinds, told apart once, here, by its header
(:func:`crmlab.rules.grading.is_profile_table`):

* **profiles**, as ``data/customers.csv``: validated against ``SCHEMAS["customers"]``, which
  gives every column its type (yes/no columns become booleans from 是/否, 对/错, 有/无, Y/N,
  yes/no, 1/0, TRUE/FALSE in any case, or an Excel workbook's own TRUE/FALSE cells);
* **item scores**: ``order_amount`` plus the scorecard's items scored 0–5
  (``CUSTOMER_SCORES``).

The file is read once (CSV in UTF-8, UTF-8 with a BOM or GBK, or ``.xlsx``; see
:func:`crmlab.data.read_table`). A bad cell raises :class:`~crmlab.data.io.DataValidationError`
naming the file, the row as Excel shows it (header = row 1), the column and its Chinese label.
``crmlab grade``, the customer grading report and the sample loader all come through here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crmlab.data.io import TableSource, read_source, validate_with
from crmlab.data.schemas import CUSTOMER_SCORES, SCHEMAS, TEXT_COLUMNS
from crmlab.rules.grading import grade_profiles, grade_scores, is_profile_table


@dataclass(frozen=True)
class CustomerTable:
    """A customer table, read and typed: ``customers`` (fresh index; row ``i`` is the file's
    row ``i + 2`` after empty rows), whether it holds ``profiles`` (else item scores) and
    ``source``, the file as messages name it."""

    customers: pd.DataFrame
    profiles: bool
    source: str

    def graded(self) -> pd.DataFrame:
        """The customers with the scorecard's results (:func:`~crmlab.rules.grading.grade_profiles`
        for profiles, adding the item scores as ``points_<item>``; else
        :func:`~crmlab.rules.grading.grade_scores`)."""
        if self.profiles:
            return grade_profiles(self.customers)
        return grade_scores(self.customers)


def load_customers(source: TableSource, *, sheet: str | None = None,
                   name: str | None = None) -> CustomerTable:
    """Read a customer table once, decide whether it holds profiles or item scores, and validate
    it against that schema.

    ``source`` is a path (``客户.xlsx:工作表`` names a sheet), the file's bytes or an open binary
    file (``name`` names it in messages). Raises ``DataValidationError`` for bad cells or a
    missing column, ``CourseInputError`` for a file that is not a table.
    """
    table, where = read_source(source, sheet=sheet, text_columns=TEXT_COLUMNS["customers"],
                               name=name)
    profiles = is_profile_table(table.columns)
    schema = SCHEMAS["customers"] if profiles else CUSTOMER_SCORES
    return CustomerTable(validate_with(table, schema, where), profiles, where)
