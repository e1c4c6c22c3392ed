"""nbgrader late-submission plugin: a per-day penalty, capped, read from each assignment's YAML.

nbgrader's own ``LateSubmissionPlugin`` offers only "none" or "zero". Configured in
``nbgrader_config.py`` as ``c.AssignLatePenalties.plugin_class``. The plugin is created by
nbgrader's ``AssignLatePenalties`` preprocessor, which knows the assignment being graded; the
course directory comes from nbgrader's own ``CourseDirectory`` config.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import LateSubmissionPlugin

from crmlab.course.assignments import load_assignment


class PerDayLatePenalty(LateSubmissionPlugin):
    """Take ``late_policy.per_day`` of the notebook's score per started day late, capped at
    ``late_policy.max`` (``assignments/<id>.yml``). An assignment without a YAML file falls
    back to nbgrader's configured ``penalty_method``."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        assignment_id = getattr(self.parent, "assignment_id", None)
        root = Path(CourseDirectory(parent=self).root)
        path = root / "assignments" / f"{assignment_id}.yml"
        if not assignment_id or not path.exists():
            return super().late_submission_penalty(student_id, score, total_seconds_late)
        policy = load_assignment(path).late_policy
        penalty = policy.penalty(score, total_seconds_late)
        self.log.info("%s 迟交 %.0f 秒：扣 %.2f 分（%s）", student_id, total_seconds_late,
                      penalty, policy.describe())
        return penalty
