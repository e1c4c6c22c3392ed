"""Exercise widgets (练习组件): ipywidgets views over the domain models.

Each widget is a small ``VBox`` subclass that holds its controls, calls a crmlab model in one
``update`` method and renders the result; the latest model result is kept on ``.result``. A
wrong input shows a short Chinese message beside the control, never a traceback.
"""

from __future__ import annotations

from crmlab.widgets.assessment import AssessmentForm
from crmlab.widgets.complaints import ComplaintSorter
from crmlab.widgets.credit import CreditScorecard
from crmlab.widgets.exercise import Exercise, NumberExercise
from crmlab.widgets.grading import GradingScorecard
from crmlab.widgets.homework import homework
from crmlab.widgets.practice import ExchangeScoreForm, ReportSorter
from crmlab.widgets.privacy import PrivacySorter
from crmlab.widgets.quiz import Quiz, QuizItem
from crmlab.widgets.relationship import RelationshipPicker
from crmlab.widgets.service import ServiceStageSorter
from crmlab.widgets.spin import SpinScriptCoach, SpinSorter

__all__ = [
    "AssessmentForm",
    "ComplaintSorter",
    "CreditScorecard",
    "Exercise",
    "ExchangeScoreForm",
    "GradingScorecard",
    "homework",
    "NumberExercise",
    "PrivacySorter",
    "Quiz",
    "QuizItem",
    "RelationshipPicker",
    "ReportSorter",
    "ServiceStageSorter",
    "SpinScriptCoach",
    "SpinSorter",
]
