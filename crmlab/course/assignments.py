"""Each assignment's schedule and rubric, read from ``assignments/<id>.yml``.

The YAML file is the one place that says when an assignment is due, what lateness costs and
how its written answers are marked; nbgrader's config, the late-penalty plugin, the gradebook
sync, the released notebook's header (:mod:`crmlab.grading.header`) and the guides read it from
here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from crmlab.rules.checks import CourseInputError

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class LatePolicy:
    """A fraction of the score lost per started day late, capped."""

    per_day: float
    max: float

    def fraction(self, seconds_late: float) -> float:
        """The share of the score taken for a submission ``seconds_late`` after the due date."""
        if seconds_late <= 0:
            return 0.0
        days = math.ceil(seconds_late / SECONDS_PER_DAY)
        return min(self.per_day * days, self.max)

    def penalty(self, score: float, seconds_late: float) -> float:
        return score * self.fraction(seconds_late)

    def describe(self) -> str:
        return f"每迟交一天（不足一天按一天计）扣该次得分的 {self.per_day:.0%}，最多扣 {self.max:.0%}"


@dataclass(frozen=True)
class RubricItem:
    """How one hand-graded cell is marked."""

    grade_id: str
    points: float
    title: str
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    lesson: int
    notebook: str
    due: datetime
    late_policy: LatePolicy
    points_auto: float
    points_manual: float
    rubric: tuple[RubricItem, ...]

    @property
    def points(self) -> float:
        return self.points_auto + self.points_manual


def _require(data: dict, key: str, source: str):
    if key not in data:
        raise CourseInputError(f"{source} 缺少字段「{key}」")
    return data[key]


def _number(value: object, field: str, source: str, low: float = 0, high: float | None = None):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CourseInputError(f"{source} 的「{field}」必须是数字，现在是：{value!r}")
    if value < low or (high is not None and value > high):
        limit = f"{low:g}–{high:g}" if high is not None else f"不小于 {low:g}"
        raise CourseInputError(f"{source} 的「{field}」应为 {limit}，现在是 {value:g}")
    return float(value)


def parse_assignment(data: object, source: str) -> Assignment:
    """Build an :class:`Assignment` from parsed YAML; Chinese errors name the file and field."""
    if not isinstance(data, dict):
        raise CourseInputError(f"{source} 的内容应当是键值对（YAML 映射）")
    due_text = str(_require(data, "due", source))
    try:
        due = datetime.fromisoformat(due_text)
    except ValueError:
        raise CourseInputError(
            f"{source} 的「due」不是日期时间：{due_text!r}（示例：2026-12-20T23:59:00+08:00）"
        ) from None
    if due.tzinfo is None:
        raise CourseInputError(f"{source} 的「due」缺少时区，例如 +08:00：{due_text!r}")
    late = _require(data, "late_policy", source)
    points = _require(data, "points", source)
    if not isinstance(late, dict) or not isinstance(points, dict):
        raise CourseInputError(f"{source} 的「late_policy」和「points」应当是键值对")
    rubric = []
    for index, item in enumerate(data.get("rubric") or [], start=1):
        where = f"{source} 的评分细则第 {index} 项"
        if not isinstance(item, dict):
            raise CourseInputError(f"{where}应当是键值对")
        rubric.append(RubricItem(
            grade_id=str(_require(item, "grade_id", where)),
            points=_number(_require(item, "points", where), "points", where),
            title=str(_require(item, "title", where)),
            criteria=tuple(str(c) for c in item.get("criteria") or ()),
        ))
    assignment = Assignment(
        id=str(_require(data, "id", source)),
        title=str(_require(data, "title", source)),
        lesson=int(_number(_require(data, "lesson", source), "lesson", source, 0, 99)),
        notebook=str(_require(data, "notebook", source)),
        due=due,
        late_policy=LatePolicy(
            per_day=_number(_require(late, "per_day", source), "late_policy.per_day", source, 0, 1),
            max=_number(_require(late, "max", source), "late_policy.max", source, 0, 1),
        ),
        points_auto=_number(_require(points, "auto", source), "points.auto", source),
        points_manual=_number(_require(points, "manual", source), "points.manual", source),
        rubric=tuple(rubric),
    )
    rubric_total = sum(item.points for item in assignment.rubric)
    if not math.isclose(rubric_total, assignment.points_manual):
        raise CourseInputError(
            f"{source}：评分细则合计 {rubric_total:g} 分，与 points.manual（{assignment.points_manual:g} 分）不一致"
        )
    return assignment


def load_assignment(path: Path) -> Assignment:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseInputError(f"找不到作业配置文件：{path}") from None
    except yaml.YAMLError as error:
        raise CourseInputError(f"{path.name} 不是有效的 YAML：{error}") from None
    assignment = parse_assignment(data, path.name)
    if assignment.id != path.stem:
        raise CourseInputError(f"{path.name} 中的 id「{assignment.id}」应与文件名一致")
    return assignment


def load_assignments(course_dir: Path) -> dict[str, Assignment]:
    """Every ``assignments/*.yml`` of a course directory, by id, in file-name order."""
    folder = Path(course_dir) / "assignments"
    return {a.id: a for a in map(load_assignment, sorted(folder.glob("*.yml")))}
