"""Parameterized reports (papermill): the public face of the templates in ``reports/``.

Four templates live in ``reports/``: ``customer_grading``, ``credit_review``, ``survey_summary``
and ``class_results`` (``REPORTS``). Each has a cell tagged ``parameters`` with plain defaults;
the first code cell after it calls one of the ``*_inputs`` functions, which checks every
parameter, loads the data and raises :class:`ReportParameterError` (one Chinese sentence) on a
bad one. The templates need nothing from the runner, so plain ``papermill`` runs them too.

The package, by concern:

* :mod:`~crmlab.reports.runner`: the registry ``REPORTS`` and :func:`run_report` (what
  ``crmlab report`` calls), :func:`describe_reports`;
* :mod:`~crmlab.reports.parameters`: parameter types and the checks the templates share;
* :mod:`~crmlab.reports.display`: what the templates show with (``show``, ``table``, ...);
* one module per report: :mod:`~crmlab.reports.customer_grading`,
  :mod:`~crmlab.reports.credit_review`, :mod:`~crmlab.reports.survey_summary`,
  :mod:`~crmlab.reports.class_results`.

The course content the reports show stays with the rules (``crmlab.rules.grading.LEVEL_STRATEGIES``,
``crmlab.rules.credit.WATCH_RULES``, ``crmlab.rules.survey.TITLE_MAX``), the charts in
:mod:`crmlab.charts`, and the gradebook is read by the course tooling
(:func:`crmlab.grading.gradebook.read_gradebook`). Templates import the names below from here
(``from crmlab import reports``, ``from crmlab.reports import show``).
"""

from __future__ import annotations

from crmlab.reports.class_results import (
    NOT_SUBMITTED,
    ClassInputs,
    cell_difficulty,
    class_results_inputs,
    gradebook_path,
    item_analysis,
    late_submissions,
    results_table,
    written_marks,
)
from crmlab.reports.credit_review import (
    WEAKEST_SHOWN,
    CreditInputs,
    credit_review_inputs,
    credit_review_table,
)
from crmlab.reports.customer_grading import GradingInputs, customer_grading_inputs
from crmlab.reports.display import (
    MAIN_TABLE_ENV,
    format_percent,
    save_table,
    show,
    show_details,
    show_markdown,
    table,
)
from crmlab.reports.parameters import ReportParameterError, coerce_value, data_path, report_date
from crmlab.reports.runner import (
    DEFAULT_OUT,
    REPORTS,
    Report,
    ReportResult,
    check_parameters,
    describe_reports,
    get_report,
    report_parameters,
    run_report,
)
from crmlab.reports.survey_summary import SurveyInputs, survey_inputs

__all__ = [
    "DEFAULT_OUT",
    "MAIN_TABLE_ENV",
    "NOT_SUBMITTED",
    "REPORTS",
    "WEAKEST_SHOWN",
    "ClassInputs",
    "CreditInputs",
    "GradingInputs",
    "Report",
    "ReportParameterError",
    "ReportResult",
    "SurveyInputs",
    "cell_difficulty",
    "check_parameters",
    "class_results_inputs",
    "coerce_value",
    "credit_review_inputs",
    "credit_review_table",
    "customer_grading_inputs",
    "data_path",
    "describe_reports",
    "format_percent",
    "get_report",
    "gradebook_path",
    "item_analysis",
    "late_submissions",
    "report_date",
    "report_parameters",
    "results_table",
    "run_report",
    "save_table",
    "show",
    "show_details",
    "show_markdown",
    "survey_inputs",
    "table",
    "written_marks",
]
