"""nbgrader configuration of the CRM Lab course (the repository root is the course directory).

Read by every ``nbgrader`` command run from this folder and by Formgrader. Each assignment's
title, due date, points, late policy and rubric live in ``assignments/<id>.yml``: release
writes the released notebook's header from it, and ``crmlab release`` and
``crmlab sync-due-dates`` put the due dates into the gradebook, where nbgrader reads them.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

HERE = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "crm-lab"
c.CourseDirectory.root = str(HERE)

# An exchange directory of the instructor's choosing (a shared folder on a hub); tests and the
# demo point it at a scratch folder.
if os.environ.get("CRMLAB_EXCHANGE"):
    c.Exchange.root = os.environ["CRMLAB_EXCHANGE"]

# The exchange steps that meet students' files (crmlab/grading/exchange.py): collect takes a
# submission only from its owner's folder, never follows a link, copies regular files within the
# size limits and dates it by the exchange's own record, not the student's timestamp.txt; submit
# refuses another student's id. Without crmlab importable, collect stops instead of trusting.
c.ExchangeFactory.collect = "crmlab.grading.exchange.SafeCollect"
c.ExchangeFactory.submit = "crmlab.grading.exchange.SafeSubmit"

# A cell that runs longer than this while autograding is interrupted and the grading goes on.
c.Execute.timeout = 30

# What students see in place of a removed solution.
c.ClearSolutions.code_stub = {"python": "# 在这里写你的代码\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "在这里写下你的回答。"

# A test cell a student deleted is put back before grading, so the real tests always run.
c.OverwriteCells.add_missing_cells = True
c.OverwriteCells.missing_cell_notification = (
    "这个单元格（{cell_id}）在提交的作业中被删除了，评分时由 nbgrader 补回。\n\n"
)

try:  # the course's own pieces; nbgrader still works (with its defaults) where crmlab is absent
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from crmlab.course.assignments import load_assignments
    from crmlab.course.facts import COURSE_TIMEZONE
    from crmlab.grading.export import CourseExportPlugin
    from crmlab.grading.feedback import TEMPLATE_NAME, TEMPLATES, FeedbackExporter, HideHiddenTests
    from crmlab.grading.header import generate_preprocessors
    from crmlab.grading.late import PerDayLatePenalty
except ImportError:
    pass
else:
    # Each released notebook starts with a header (title, due date, points, late policy)
    # written from its assignments/<id>.yml, never typed in the source notebook.
    c.GenerateAssignment.preprocessors = generate_preprocessors()
    # Late work loses a share of its score per day, as each assignment's YAML says.
    c.AssignLatePenalties.plugin_class = PerDayLatePenalty
    # `nbgrader export`: Chinese headings, names, late penalties; .xlsx or CSV with a BOM.
    c.ExportApp.plugin_class = CourseExportPlugin
    # Formgrader shows due dates and submission times in China's time zone, not UTC.
    c.NbGraderAPI.timezone = COURSE_TIMEZONE
    # Feedback keeps the scores but shows hidden tests only as "passed / failed".
    c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
    # The feedback page in Chinese: the course's template instead of nbgrader's English one
    # (its own config section, so Formgrader's button cannot switch it back).
    c.GenerateFeedback.exporter_class = FeedbackExporter
    c.FeedbackExporter.template_name = TEMPLATE_NAME
    c.FeedbackExporter.extra_template_basedirs = [str(TEMPLATES)]
    # The assignments this course has; a broken YAML file is reported, not fatal.
    from crmlab.rules.checks import CourseInputError

    try:
        ASSIGNMENTS = load_assignments(HERE)
    except CourseInputError as error:
        import sys

        print(f"警告：作业配置有误：{error}", file=sys.stderr)
        ASSIGNMENTS = {}

# Grading sandbox (crmlab/grading/sandbox.py): every kernel that autograding starts, from
# `crmlab autograde`, plain `nbgrader autograde` or Formgrader, runs in bubblewrap: no network,
# nothing of this folder but the submission's scratch copy, an unprivileged user, and limits
# (memory, processes, file size: SandboxKernelManager's settings, whose defaults and help are in
# that module; set one here only to change it). Without crmlab importable, autograde stops
# instead of grading unsandboxed.
try:
    from crmlab.grading.sandbox import use_sandbox
except ImportError:
    c.Autograde.autograde_preprocessors = ["crmlab.grading.sandbox.SandboxedExecute"]
else:
    use_sandbox(c)
c.SandboxKernelManager.read_only_paths = [str(HERE / "data")]  # the course's sample data
