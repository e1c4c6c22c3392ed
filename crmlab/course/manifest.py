"""The course manifest: the lessons in course order, with their titles and question banks, and
the course's assignments (``crmlab/course/course.yml``).

Every other list of lessons or assignments is generated from it or checked against it.
``python -m crmlab.course.manifest`` regenerates lesson 00's course map, the README's course
table and the self-study guide's path (``--check`` only compares, and also runs
:func:`problems`, which holds the manifest against the folders). Which lesson an assignment
follows is the ``lesson`` of its ``assignments/<id>.yml`` (:mod:`crmlab.course.assignments`),
the file that travels with a course directory; the manifest lists the assignments' ids in
course order.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from crmlab.course.assignments import Assignment, load_assignments
from crmlab.data.resources import REPOSITORY
from crmlab.rules.checks import CourseInputError

MANIFEST_FILE = Path(__file__).resolve().with_name("course.yml")
ROOT = REPOSITORY
BANKS = Path("crmlab") / "exercises" / "banks"
BANK_NAME = re.compile(r"(lesson|exercises|spin)(\d\d)\.yml")
"""A bank's file name: a quiz (lessonNN), number and code exercises (exercisesNN), the SPIN
question bank (spinNN, :mod:`crmlab.exercises.spin_bank`), each named after its lesson."""
LESSON_FILE = re.compile(r"(\d\d)_[a-z0-9_]+\.ipynb")
ASSIGNMENT_ID = re.compile(r"hw\d\d_[a-z0-9_]+")
LESSON_KEYS = {"number", "part", "file", "title", "topics", "tasks", "banks", "prepares"}
ASSIGNMENT_KEYS = {"id", "note"}
DIGITS = "零一二三四五六七八九"
PARTS = {1: "上", 2: "下"}
"""A lesson too long for one class is taught in two parts: two entries with one number."""


def chinese_number(number: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 20 → 二十, 23 → 二十三 (0–99)."""
    tens, ones = divmod(number, 10)
    if tens == 0:
        return DIGITS[ones]
    return f"{DIGITS[tens] if tens > 1 else ''}十{DIGITS[ones] if ones else ''}"


@dataclass(frozen=True)
class Lesson:
    number: int
    file: str
    title: str
    topics: str
    tasks: str = ""
    banks: tuple[str, ...] = ()
    prepares: tuple[str, ...] = ()
    part: int = 0
    """1 or 2 for a lesson taught in two parts (第三课（上）, 第三课（下）), else 0."""

    @property
    def id(self) -> str:
        """The two-digit number the file name starts with (``04``)."""
        return f"{self.number:02d}"

    @property
    def stem(self) -> str:
        return Path(self.file).stem

    @property
    def label(self) -> str:
        """The lesson's number as tables show it: ``04``, or ``03（上）`` for a part."""
        return self.id + (f"（{PARTS[self.part]}）" if self.part else "")

    @property
    def heading(self) -> str:
        """The notebook's own heading: ``第四课 客户信用评估与控制``, ``第三课（上） …`` for a
        part (lesson 0: its title)."""
        if self.number == 0:
            return self.title
        part = f"（{PARTS[self.part]}）" if self.part else ""
        return f"第{chinese_number(self.number)}课{part} {self.title}"


@dataclass(frozen=True)
class CourseAssignment:
    id: str
    note: str = ""


@dataclass(frozen=True)
class Manifest:
    lessons: tuple[Lesson, ...]
    assignments: tuple[CourseAssignment, ...]

    def lesson(self, number: int) -> Lesson:
        """The lesson with this number (its first part, for a lesson taught in two parts)."""
        return self.parts(number)[0]

    def parts(self, number: int) -> list[Lesson]:
        """The notebooks of lesson ``number``: one, or its two parts in order."""
        found = [lesson for lesson in self.lessons if lesson.number == number]
        if not found:
            raise CourseInputError(f"课程清单中没有第 {number} 课（有第 0–{self.lessons[-1].number} 课）")
        return found

    @property
    def numbers(self) -> list[int]:
        """The lesson numbers in order, each once (a lesson in two parts has one number)."""
        return list(dict.fromkeys(lesson.number for lesson in self.lessons))

    @property
    def assignment_ids(self) -> list[str]:
        return [a.id for a in self.assignments]

    def banks(self, kind: str) -> list[int]:
        """The lessons that have a bank of this kind (``lesson`` or ``exercises``), in order."""
        return list(dict.fromkeys(lesson.number for lesson in self.lessons
                                  if f"{kind}{lesson.id}.yml" in lesson.banks))


# --- reading and checking the manifest --------------------------------------------------------


def _text(entry: dict, key: str, where: str, required: bool = True) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise CourseInputError(f"{where}的「{key}」应当是一段不空的文字")
    return value.strip()


def _names(entry: dict, key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise CourseInputError(f"{where}的「{key}」应当是文件名或编号的列表")
    return tuple(value)


def _lesson(entry: object, index: int) -> Lesson:
    where = f"课程清单中 lessons 第 {index} 项"
    if not isinstance(entry, dict):
        raise CourseInputError(f"{where}应当是键值对（number、file、title……）")
    number = entry.get("number")
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 99:
        raise CourseInputError(f"{where}的「number」应当是 0–99 的整数，现在是 {number!r}")
    where = f"课程清单中第 {number} 课（lessons 第 {index} 项）"
    unknown = sorted(set(entry) - LESSON_KEYS)
    if unknown:
        raise CourseInputError(f"{where}有未知的字段：{'、'.join(map(str, unknown))}；"
                               f"可用的字段：{'、'.join(sorted(LESSON_KEYS))}")
    part = entry.get("part", 0)
    if part not in (0, *PARTS) or isinstance(part, bool):
        raise CourseInputError(f"{where}的「part」应当是 1（上）或 2（下），现在是 {part!r}")
    lesson = Lesson(number=number, file=_text(entry, "file", where), title=_text(entry, "title", where),
                    topics=_text(entry, "topics", where), tasks=_text(entry, "tasks", where, False),
                    banks=_names(entry, "banks", where), prepares=_names(entry, "prepares", where),
                    part=part)
    match = LESSON_FILE.fullmatch(lesson.file)
    if not match or int(match.group(1)) != number:
        raise CourseInputError(f"{where}的文件名「{lesson.file}」应当是 {lesson.id}_英文小写名.ipynb")
    for bank in lesson.banks:
        found = BANK_NAME.fullmatch(bank)
        if not found or int(found.group(2)) != number:
            raise CourseInputError(f"{where}的题库「{bank}」应当是 lesson{lesson.id}.yml、"
                                   f"exercises{lesson.id}.yml 或 spin{lesson.id}.yml")
    return lesson


def _assignment(entry: object, index: int) -> CourseAssignment:
    where = f"课程清单中 assignments 第 {index} 项"
    if not isinstance(entry, dict):
        raise CourseInputError(f"{where}应当是键值对（id，可选 note）")
    unknown = sorted(set(entry) - ASSIGNMENT_KEYS)
    if unknown:
        raise CourseInputError(f"{where}有未知的字段：{'、'.join(map(str, unknown))}；"
                               f"可用的字段：{'、'.join(sorted(ASSIGNMENT_KEYS))}")
    assignment = CourseAssignment(id=_text(entry, "id", where), note=_text(entry, "note", where, False))
    if not ASSIGNMENT_ID.fullmatch(assignment.id):
        raise CourseInputError(f"{where}的作业编号「{assignment.id}」应当像 hw06_topic")
    return assignment


def parse_course(data: object) -> Manifest:
    """Build a :class:`Manifest` from the parsed YAML; a Chinese error names the entry at fault."""
    if not isinstance(data, dict) or not isinstance(data.get("lessons"), list):
        raise CourseInputError("课程清单应当有「lessons」（课的列表）和「assignments」（作业的列表）两项")
    lessons = tuple(_lesson(entry, index) for index, entry in enumerate(data["lessons"], start=1))
    assignments = tuple(_assignment(entry, index)
                        for index, entry in enumerate(data.get("assignments") or [], start=1))
    expected = 0
    for index, lesson in enumerate(lessons):
        if lesson.part == 2:  # the second part of the lesson before it
            before = lessons[index - 1] if index else None
            if before is None or before.number != lesson.number or before.part != 1:
                raise CourseInputError(f"课程清单第 {index + 1} 项是第 {lesson.number} 课（下），"
                                       f"它的前一项应当是第 {lesson.number} 课（上）（part: 1）")
            continue
        if lesson.number != expected:
            raise CourseInputError(f"课程清单的课应当从第 0 课起按顺序排列、不留空号：第 {index + 1} 项"
                                   f"应当是第 {expected} 课，现在是第 {lesson.number} 课")
        if lesson.part == 1 and (index + 1 == len(lessons) or lessons[index + 1].part != 2):
            raise CourseInputError(f"课程清单中第 {lesson.number} 课（上）之后应当是第 {lesson.number} 课（下）（part: 2）")
        expected += 1
    ids = [a.id for a in assignments]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise CourseInputError(f"课程清单中作业重复出现：{'、'.join(twice)}")
    for lesson in lessons:
        unknown = [i for i in lesson.prepares if i not in ids]
        if unknown:
            raise CourseInputError(f"课程清单第 {lesson.number} 课的「prepares」中有不在 assignments 里的作业："
                                   f"{'、'.join(unknown)}")
    return Manifest(lessons=lessons, assignments=assignments)


def load_course(path: Path = MANIFEST_FILE) -> Manifest:
    """Read and check the manifest."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseInputError(f"找不到课程清单：{path}") from None
    except yaml.YAMLError as error:
        raise CourseInputError(f"课程清单 {Path(path).name} 不是有效的 YAML：{error}") from None
    return parse_course(data)


def following(course: Manifest, assignments: dict[str, Assignment]) -> dict[int, list[Assignment]]:
    """Lesson number → the course's assignments that follow it, in the manifest's order."""
    found: dict[int, list[Assignment]] = {n: [] for n in course.numbers}
    for assignment_id in course.assignment_ids:
        assignment = assignments.get(assignment_id)
        if assignment is None:
            raise CourseInputError(f"课程清单中的作业 {assignment_id} 没有 assignments/{assignment_id}.yml")
        if assignment.lesson not in found:
            raise CourseInputError(f"assignments/{assignment_id}.yml 的「lesson」是 {assignment.lesson}，"
                                   f"课程清单中没有这一课")
        found[assignment.lesson].append(assignment)
    return found


def _differences(listed: set[str], there: set[str], folder: str, suffix: str = "") -> list[str]:
    """What a folder holds that the manifest does not list, and what it lists that is not there."""
    return ([f"{folder}/{name}{suffix} 不在课程清单中" for name in sorted(there - listed)]
            + [f"课程清单中的 {folder}/{name}{suffix} 不存在" for name in sorted(listed - there)])


def _sources(root: Path) -> Path:
    """The course's ``source/`` folder, as nbgrader's configuration of the course names it."""
    from crmlab.course.facts import Course  # facts builds on this module, so import it here

    return Course.load(root).folder("source", ".")


def problems(root: Path = ROOT, course: Manifest | None = None) -> list[str]:
    """Where the manifest and the course's folders disagree (an empty list when they agree)."""
    course = course or load_course(root / "crmlab" / "course" / "course.yml")
    ids = set(course.assignment_ids)
    found = [
        *_differences({lesson.file for lesson in course.lessons},
                      {p.name for p in (root / "lessons").glob("*.ipynb")}, "lessons"),
        *_differences({bank for lesson in course.lessons for bank in lesson.banks},
                      {p.name for p in (root / BANKS).glob("*.yml")}, BANKS.as_posix()),
        *_differences(ids, {p.stem for p in (root / "assignments").glob("*.yml")}, "assignments", ".yml"),
        *_differences(ids, {p.name for p in _sources(root).glob("*") if p.is_dir()}, "source"),
    ]
    if found:
        return found
    try:
        by_lesson = following(course, load_assignments(root))
    except CourseInputError as error:
        return [str(error)]
    order = [a.id for number in course.numbers for a in by_lesson[number]]
    if order != course.assignment_ids:
        found.append(f"课程清单中作业的顺序应当按所跟的课排列：{'、'.join(order)}")
    return found


# --- the generated texts ------------------------------------------------------------------------


def _short(assignment: Assignment) -> str:
    """``作业二`` from the title ``作业二：客户信用评估``."""
    return assignment.title.split("：")[0]


def _prepares(lesson: Lesson, assignments: dict[str, Assignment]) -> str:
    if not lesson.prepares:
        return ""
    return f"（为{'、'.join(_short(assignments[i]) for i in lesson.prepares)}做准备）"


def _follows(lesson: Lesson, by_lesson: dict[int, list[Assignment]]) -> list[Assignment]:
    """The assignments after this notebook: a lesson's assignments follow its last part."""
    return [] if lesson.part == 1 else by_lesson[lesson.number]


def _after(lesson: Lesson, follow: list[Assignment], assignments: dict[str, Assignment],
           notes: dict[str, str]) -> str:
    """What to do after a lesson: its assignments' folders, or its tasks."""
    if follow:
        return "；".join(f"`release/{a.id}/`" + (f"（{notes[a.id]}）" if notes.get(a.id) else "")
                        for a in follow)
    return (lesson.tasks or "—") + _prepares(lesson, assignments)


def lesson_map(course: Manifest, assignments: dict[str, Assignment]) -> str:
    """Lesson 00's 「课程地图」 cell: every lesson after 00, what it covers, what follows it."""
    by_lesson = following(course, assignments)
    notes = {a.id: a.note for a in course.assignments}
    lines = ["## 课程地图", "", "| 课次 | 主题 | 主要内容 | 课后作业 |", "|---|---|---|---|"]
    for lesson in course.lessons[1:]:
        after = _after(lesson, _follows(lesson, by_lesson), assignments, notes)
        lines.append(f"| {lesson.label} | {lesson.title} | {lesson.topics} | {after} |")
    return "\n".join(lines)


def readme_table(course: Manifest, assignments: dict[str, Assignment]) -> str:
    """The README's course table: every lesson and the assignments that follow it."""
    by_lesson = following(course, assignments)
    lines = ["| 课 | 内容 | 作业 |", "|---|---|---|"]
    for lesson in course.lessons:
        homework = "、".join(a.id for a in _follows(lesson, by_lesson))
        if lesson.prepares:
            homework = f"为 {'、'.join(lesson.prepares)} 做准备"
        lines.append(f"| {lesson.label} | {lesson.title} | {homework} |".replace("|  |", "| |"))
    return "\n".join(lines)


def study_path(course: Manifest, assignments: dict[str, Assignment]) -> str:
    """The self-study guide's path: the lessons in order and what to do after each."""
    by_lesson = following(course, assignments)
    notes = {a.id: a.note for a in course.assignments}
    lines = ["| 顺序 | 课件 | 学完后做 |", "|---|---|---|"]
    for step, lesson in enumerate(course.lessons, start=1):
        after = _after(lesson, _follows(lesson, by_lesson), assignments, notes)
        part = f"（{PARTS[lesson.part]}）" if lesson.part else ""
        lines.append(f"| {step} | `{lesson.stem}` {lesson.title}{part} | {after} |")
    return "\n".join(lines)


# --- writing them in place ------------------------------------------------------------------------

BEGIN = "<!-- generated by python -m crmlab.course.manifest from crmlab/course/course.yml: do not edit -->"
END = "<!-- end of generated text -->"
MAP_CELL = "course-map"
"""The id of lesson 00's course-map cell."""


def between_markers(text: str, body: str, where: str, begin: str = BEGIN, end: str = END) -> str:
    start = text.find(begin)
    stop = text.find(end, start)
    if start == -1 or stop < start:
        raise CourseInputError(f"{where} 中找不到生成内容的起止标记（{begin} … {end}）")
    return f"{text[:start]}{begin}\n{body}\n{text[stop:]}"


def _lesson_map_notebook(path: Path, body: str):
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    cell = next((c for c in notebook.cells if c.get("id") == MAP_CELL), None)
    if cell is None or cell.cell_type != "markdown":
        raise CourseInputError(f"{path.name} 中找不到 id 为「{MAP_CELL}」的文字单元格（课程地图）")
    cell.source = body
    return nbformat.writes(notebook) + "\n"


def generated(root: Path = ROOT) -> dict[Path, str]:
    """Each generated file's path → its text as the manifest makes it."""
    course = load_course(root / "crmlab" / "course" / "course.yml")
    assignments = load_assignments(root)
    readme, guide = root / "README.md", root / "docs" / "自学指南.md"
    lesson = root / "lessons" / course.lesson(0).file
    return {
        readme: between_markers(readme.read_text(encoding="utf-8"),
                                 readme_table(course, assignments), "README.md"),
        guide: between_markers(guide.read_text(encoding="utf-8"),
                                study_path(course, assignments), guide.name),
        lesson: _lesson_map_notebook(lesson, lesson_map(course, assignments)),
    }


def outdated(root: Path = ROOT, files: dict[Path, str] | None = None) -> list[Path]:
    """The generated files whose committed text differs from what is generated (by default,
    what the manifest makes)."""
    files = generated(root) if files is None else files
    return [path for path, text in files.items() if path.read_text(encoding="utf-8") != text]


def write(files: dict[Path, str], root: Path) -> None:
    """Write each generated file whose text changed, and say which."""
    for path in outdated(root, files):
        path.write_text(files[path], encoding="utf-8")
        print(f"已更新 {path.relative_to(root)}")


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if "--check" in argv:
            found = problems(root) + [f"{p.relative_to(root)} 与课程清单不一致：请运行 "
                                      f"python -m crmlab.course.manifest 重新生成" for p in outdated(root)]
            for problem in found:
                print(problem, file=sys.stderr)
            if not found:
                print("课程清单与课件、题库、作业一致，生成的课程表都是最新的。")
            return 1 if found else 0
        write(generated(root), root)
        return 0
    except CourseInputError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
