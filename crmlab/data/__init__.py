"""Sample data of the course: table schemas, loading with validation, the seeded generator.

``SCHEMAS`` and ``LABELS`` describe the five tables (customers, orders, credit_files,
receivables, survey); ``read_table`` reads a person's CSV or ``.xlsx`` and ``write_table``
writes one for Excel; ``load_table`` / ``validate_file`` read and validate a table and name the
row and column letter of every problem; ``load_customers`` is the one loader of a customer
table (profiles or item scores, decided once, typed by the schema); ``load_sample`` reads a
bundled table from ``data/``; ``generate_all`` rewrites those tables from a seed.
"""

from __future__ import annotations

from crmlab.data.customers import CustomerTable, load_customers
from crmlab.data.generate import AS_OF, SURVEY_DEFECTS, generate_all, generate_tables
from crmlab.data.io import (
    DATA_DIR,
    DataValidationError,
    Problem,
    cell_name,
    load_sample,
    load_table,
    read_table,
    validate_file,
    validate_table,
    write_table,
)
from crmlab.data.schemas import LABELS, SCHEMAS, SURVEY_ITEMS, TABLE_LABELS

__all__ = [
    "AS_OF",
    "DATA_DIR",
    "LABELS",
    "SCHEMAS",
    "SURVEY_DEFECTS",
    "SURVEY_ITEMS",
    "TABLE_LABELS",
    "CustomerTable",
    "DataValidationError",
    "Problem",
    "generate_all",
    "generate_tables",
    "cell_name",
    "load_customers",
    "load_sample",
    "load_table",
    "read_table",
    "validate_file",
    "validate_table",
    "write_table",
]
