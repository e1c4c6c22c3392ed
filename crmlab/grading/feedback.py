"""The feedback a student receives: Chinese, with the scores but not the hidden tests.

nbgrader puts the hidden tests back at autograde and renders them into the feedback a student
receives (nbgrader #917, #1156, #1363). ``HideHiddenTests`` runs in ``GenerateFeedback`` after
``GetGrades``: in each test cell it replaces the hidden region with one line saying whether it
passed, and cuts error tracebacks (whose context lines could quote hidden code) down to the
error message.

nbgrader's own feedback template labels the page in English ("Test cell", "Written response",
"Comment", "Score"). ``FeedbackExporter`` renders it with the course's Chinese template
(``templates/crmlab_feedback``). It is a class of its own so that its config section wins over
``HTMLExporter.template_name = "feedback"``, which Formgrader's "generate feedback" button sets.
"""

from __future__ import annotations

import re
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode, default

from crmlab.grading.notebook import HIDDEN_TESTS, Markers

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "crmlab_feedback"

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# The failing line of a test cell: IPython's traceback (a test run in a kernel) or the verdict's
# own line (crmlab.grading.verdict.judge: 「（测试单元格第 N 行）」).
TRACEBACK_LINE = re.compile(
    r"(?:Cell In\s*\[[^\]]*\],\s*line|<ipython-input-[^>]*> in <module>\(?\)?\s*|测试单元格第)\s*(\d+)")

PASSED = "# 隐藏测试：通过（测试内容不公开）"
FAILED = "# 隐藏测试：未通过（测试内容不公开；请用其他输入检查你的代码）"
NOT_RUN = "# 隐藏测试：未运行（上面的测试没有通过）"
PARTLY = "# 隐藏测试：部分通过，得 {score:g} / {points:g} 分（测试内容不公开；按判断对的项数计分）"


class HideHiddenTests(Preprocessor):
    """Replace hidden-test code in graded cells with a pass / fail line."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when enabled").tag(config=True)
    begin = Unicode(help="Start of a hidden-test region (default: nbgrader's ClearHiddenTests)"
                    ).tag(config=True)
    end = Unicode(help="End of a hidden-test region (default: nbgrader's ClearHiddenTests)"
                  ).tag(config=True)

    @default("begin")
    def _begin_default(self):
        return Markers.from_config(self.config).regions[HIDDEN_TESTS][0]

    @default("end")
    def _end_default(self):
        return Markers.from_config(self.config).regions[HIDDEN_TESTS][1]

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or self.begin not in cell.source:
            return cell, resources
        lines = cell.source.splitlines()
        first = next(i for i, line in enumerate(lines) if self.begin in line)
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        grade = cell.metadata.get("nbgrader", {})
        score, points = grade.get("score"), grade.get("points")
        if not errors and score is not None and points and score < points:
            verdict = PARTLY.format(score=round(score, 2), points=points)
        elif not errors:
            verdict = PASSED
        else:
            failing_line = _failing_line(errors[0])
            visible_failure = failing_line is not None and failing_line <= first
            verdict = NOT_RUN if visible_failure else FAILED
        kept, hidden = [], False
        for line in lines:
            if self.begin in line:
                hidden = True
                kept.append(verdict)
            elif self.end in line:
                hidden = False
            elif not hidden:
                kept.append(line)
        cell.source = "\n".join(kept)
        for output in errors:
            output["traceback"] = [f"{output.get('ename', '错误')}: {output.get('evalue', '')}"]
            if verdict == FAILED:
                output["ename"], output["evalue"] = "隐藏测试未通过", ""
                output["traceback"] = ["隐藏测试未通过：你的代码在另一些输入上的结果不对。"]
        return cell, resources


def _failing_line(error) -> int | None:
    """The 1-based line of the cell where the error was raised, read from the traceback."""
    text = ANSI.sub("", "\n".join(error.get("traceback", [])))
    found = TRACEBACK_LINE.findall(text)
    return int(found[0]) if found else None  # the outermost frame: the test cell itself


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback HTML rendered with the course's Chinese template."""

    @default("template_name")
    def _template_name_default(self):
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES)]
