"""What the students' Assignment List shows beside nbgrader's own listing: each assignment's
due date (read from the header ``crmlab release`` wrote into the released notebook) and the
score of each feedback page a student fetched.

``GET <base_url>/crmlab/assignment-info?course_id=...`` answers
``{"due": {assignment_id: ISO time with offset}, "scores": {feedback folder: [score, max]}}``,
from nbgrader's own listing of the exchange (the Assignment List server extension's
``assignment_list_manager``). Nothing a student wrote is executed; a file that cannot be read
or parsed is left out.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
from jupyter_server.base.handlers import APIHandler
from tornado import web

from crmlab.course.facts import COURSE_TIMEZONE
from crmlab.grading.header import HEADER_ID, ZONE_NAMES

DUE = re.compile(r"截止时间\s*\|\s*(\d{4}) 年 (\d{1,2}) 月 (\d{1,2}) 日（周.）(\d{1,2}):(\d{2})（(.+?)）")
SCORE = re.compile(r"总分：([\d.]+) / ([\d.]+)")


def due_from_header(text: str) -> str | None:
    """The due date in a released notebook's header (``header.due_text``) as ISO 8601."""
    match = DUE.search(text)
    if not match:
        return None
    year, month, day, hour, minute = map(int, match.groups()[:5])
    zones = {name: zone for zone, name in ZONE_NAMES.items()}
    zone = ZoneInfo(zones.get(match.group(6), COURSE_TIMEZONE))
    return datetime(year, month, day, hour, minute, tzinfo=zone).isoformat()


def notebook_due(path: Path) -> str | None:
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError, KeyError):
        return None
    for cell in notebook.cells[:3]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == HEADER_ID:
            return due_from_header(cell.source)
    return None


def feedback_score(folder: Path) -> list[float] | None:
    """The total of the course's feedback pages in ``folder`` (one per notebook)."""
    score = total = 0.0
    pages = sorted(folder.glob("*.html"))
    for page in pages:
        try:
            match = SCORE.search(page.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None
        if not match:
            return None
        score, total = score + float(match.group(1)), total + float(match.group(2))
    return [score, total] if pages else None


def assignment_info(manager, root: Path, course_id: str) -> dict:
    due, scores = {}, {}
    released = manager.list_released_assignments(course_id=course_id)
    for assignment in released.get("value", []) if released.get("success") else []:
        for notebook in assignment.get("notebooks", []):
            path = Path(notebook["path"])
            when = notebook_due(path if path.is_absolute() else root / path)
            if when:
                due.setdefault(assignment["assignment_id"], when)
    submitted = manager.list_submitted_assignments(course_id=course_id)
    for assignment in submitted.get("value", []) if submitted.get("success") else []:
        for submission in assignment.get("submissions", []):
            folder = submission.get("local_feedback_path")
            if folder and submission.get("has_local_feedback"):
                path = root / folder  # an absolute folder stays itself
                score = feedback_score(path)
                if score:
                    scores[os.path.relpath(path, root)] = score
    return {"due": due, "scores": scores}


class AssignmentInfoHandler(APIHandler):
    @web.authenticated
    def get(self):
        manager = self.settings.get("assignment_list_manager")
        if manager is None:
            raise web.HTTPError(404, "作业列表没有开启")
        course_id = self.get_argument("course_id", "")
        self.finish(json.dumps(assignment_info(manager, Path(self.settings["root_dir"]),
                                               course_id)))
