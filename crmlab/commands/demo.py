"""``crmlab demo`` (``make demo``): the whole course at work, end to end, on one machine.

In a scratch course under ``out/demo/`` (emptied first, so a second run starts clean; tracked
files are never touched): check the sample data; regenerate and leak-check the releases;
release them through a scratch exchange; a class of 30 simulated students fetches and submits
believable work (model answers, parts left undone, wrong answers, an empty notebook, a late
one, broken JSON, an infinite loop); collect; autograde in parallel; enter the written-answer
marks from a marks file; generate feedback; export the grades; run the class-results and
customer-grading reports. Prints progress, a summary table per assignment and the paths.
"""

from __future__ import annotations

import csv
import shutil
import time
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook
from nbgrader.apps import GenerateAssignmentApp
from tqdm.auto import tqdm

from crmlab.commands.classroom import Classroom, Student, make_class, run_app, student_work
from crmlab.course.facts import SOURCE_FILES, Course
from crmlab.data import DATA_DIR, SCHEMAS, generate_all, load_table, write_table
from crmlab.data.resources import REPOSITORY
from crmlab.grading import release as releases
from crmlab.grading.autograde import Outcome, autograde_many, generate_feedback
from crmlab.grading.environment import nbgrader
from crmlab.grading.export import EXPORT_HEADINGS as HEADING
from crmlab.grading.gradebook import apply_marks, db_url, sync_due_dates
from crmlab.grading.notebook import HAND_GRADED, SourceNotebook, grade_id, points
from crmlab.grading.sandbox import check_sandbox
from crmlab.rules.checks import CourseInputError
from crmlab.rules.display import display_width

ROOT = REPOSITORY
DEMO_TIMEOUT = 5  # seconds per cell while autograding the demo (the course default is 30)


class Demo:
    def __init__(self, out: Path, class_size: int = 30):
        self.out = out.resolve()  # nbgrader's commands run inside the course folder
        self.course = self.out / "course"
        self.students = make_class(class_size)
        self.facts = Course.load(ROOT)  # the course's id and assignments, from its config once
        self.copy = Course(root=self.course, config=self.facts.config)  # the class's course folder
        self.classroom = Classroom(self.course, self.out / "exchange", self.out / "students",
                                   self.facts.id)
        self.assignments = self.facts.assignments
        self.outcomes: dict[str, list[Outcome]] = {}
        self.lines: list[str] = []
        self.files: list[Path] = []

    # -- steps --------------------------------------------------------------------------------

    def sample_data(self) -> None:
        paths = generate_all(self.out / "data")
        same = all((DATA_DIR / p.name).read_bytes() == p.read_bytes() for p in paths.values())
        for name in SCHEMAS:
            load_table(paths[name], name)
        self.lines.append(f"示例数据：按种子重新生成 {len(paths)} 个表并全部通过表结构校验，"
                          f"{'与仓库 data/ 完全一致' if same else '与仓库 data/ 不一致！'}")

    def prepare_course(self) -> None:
        self.course.mkdir(parents=True)
        for name in SOURCE_FILES:
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, self.course / name)
        for assignment in self.assignments:  # as an instructor would: fills the gradebook too
            run_app(GenerateAssignmentApp, [assignment, "--force"], self.course)
        leaks = releases.leaks(ROOT, self.copy.folder("release", "."), self.assignments)
        stale = [f"{a}/{d}" for a in self.assignments
                 for d in releases.differences(self.copy.folder("release", a),
                                               self.facts.folder("release", a))]
        if leaks or stale:
            problems = [str(leak) for leak in leaks] + [f"{item} 与仓库 release/ 不一致" for item in stale]
            raise CourseInputError("学生版检查未通过：" + "；".join(problems))
        sync_due_dates(self.course)
        with Gradebook(db_url(self.course)) as gradebook:  # the roster, so pages show names
            for student in self.students:
                gradebook.update_or_create_student(student.id, last_name=student.name[0],
                                                   first_name=student.name[1:])
        self.lines.append(f"学生版：{len(self.assignments)} 份作业重新生成，无答案或隐藏测试外泄，"
                          "与仓库 release/ 一致")

    def release(self) -> None:
        for assignment in self.assignments:
            self.classroom.release(assignment)

    def hand_in(self) -> None:
        for index, assignment in enumerate(self.assignments):
            source = next(self.copy.folder("source", assignment).glob("*.ipynb"))
            for student in self.students:
                self.classroom.hand_in(student, assignment, student_work(source, student, index))
            self.classroom.collect(assignment)
            self._make_late(assignment)

    def _make_late(self, assignment: str) -> None:
        """The late student hands in a day and a half after the due date."""
        due = self.assignments[assignment].due.astimezone(UTC)
        for student in self.students:
            if student.kind == "late":
                stamp = self.copy.folder("submitted", assignment, student.id) / "timestamp.txt"
                stamp.write_text((due + timedelta(hours=36)).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))

    def grade(self) -> None:
        self.outcomes = autograde_many(self.course, self.assignments, progress=False,
                                       config_overrides={"Execute.timeout": DEMO_TIMEOUT})

    def written_marks(self) -> None:
        """The instructor's marks for the written answers, in a CSV, entered into the gradebook."""
        marks = self.out / "marks.csv"
        rows = []
        for assignment, outcomes in self.outcomes.items():
            graded = {o.student for o in outcomes if o.status != "failed"}
            notebook_path = next(self.copy.folder("source", assignment).glob("*.ipynb"))
            cells = SourceNotebook.read(notebook_path).cells_with(*HAND_GRADED)
            for student in self.students:
                if student.id not in graded:
                    continue
                for cell in cells:
                    rows.append({
                        "student_id": student.id, "assignment": assignment,
                        "notebook": notebook_path.stem, "grade_id": grade_id(cell),
                        "score": _written_score(student, points(cell)),
                        "comment": _comment(student),
                    })
        write_table(pd.DataFrame(rows), marks)  # UTF-8 with a BOM: the instructor opens it in Excel
        count = apply_marks(self.course, marks)
        self.files.append(marks)
        self.lines.append(f"教师评阅：从 {marks.name} 录入 {count} 条书面回答的分数与评语")

    def feedback_and_export(self) -> None:
        graded = {a: [o.student for o in outcomes if o.status != "failed"]
                  for a, outcomes in self.outcomes.items()}
        problems = generate_feedback(self.course, graded, progress=False)
        if problems:
            raise RuntimeError("；".join(problems))
        grades = self.out / "grades.csv"
        for export in (grades, grades.with_suffix(".xlsx")):  # CSV with a BOM, and for Excel
            nbgrader("export", f"--to={export}", "--log-level=WARN", cwd=self.course)
            self.files.append(export)
        self.grades = list(csv.DictReader(grades.open(encoding="utf-8-sig")))

    def reports(self) -> None:
        from crmlab.reports import run_report

        reports = self.out / "reports"
        for name, parameters in (
            ("class_results", {"course_dir": str(self.course)}),
            ("customer_grading", {}),
        ):
            result = run_report(name, parameters, reports, progress=False)
            self.files.append(Path(result.html))

    # -- summary ------------------------------------------------------------------------------

    def summary(self) -> list[str]:
        rows = [("作业", "提交", "已评分", "需查看", "未能评分", "平均分", "满分", "迟交")]
        for assignment, outcomes in self.outcomes.items():
            graded = [r for r in self.grades if r[HEADING["assignment"]] == assignment
                      and r[HEADING["timestamp"]]]
            scores = [float(r[HEADING["score"]]) for r in graded]
            late = sum(float(r[HEADING["late_submission_penalty"]] or 0) > 0 for r in graded)
            counts = [sum(o.status == s for o in outcomes) for s in ("graded", "flagged", "failed")]
            mean = sum(scores) / len(scores) if scores else 0
            rows.append((assignment, len(outcomes), *counts, f"{mean:.1f}",
                         f"{self.assignments[assignment].points:g}", late))
        lines = ["", "== 各次作业 ==", *_columns(rows)]
        problems = [f"  {a} · {o.student}：{o.label}：{'；'.join(o.reasons)}"
                    for a, outcomes in self.outcomes.items() for o in outcomes if o.reasons]
        if problems:
            lines += ["", "需要老师查看的提交：", *problems]
        return lines


def _columns(rows: list[tuple]) -> list[str]:
    """Rows as aligned text (first column left, the others right), counting a Chinese
    character as two columns as a terminal shows it."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = []
    for row in cells:
        first = row[0] + " " * (widths[0] - display_width(row[0]))
        rest = ("  " + " " * (w - display_width(v)) + v for v, w in zip(row[1:], widths[1:]))
        lines.append(first + "".join(rest))
    return lines


def _written_score(student: Student, points: float) -> float:
    if student.kind in ("empty", "wrong"):
        return 0.0
    return round(points * min(1.0, 0.35 + 0.6 * student.skill) * 2) / 2


def _comment(student: Student) -> str:
    if student.kind == "empty":
        return "没有作答。"
    return "观点清楚，论证充分。" if student.skill >= 0.8 else "要点基本覆盖，可再结合案例展开。"


def _shown(path: Path) -> Path:
    """``path`` relative to the current folder when it lies below it."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def run_demo(out: Path, progress: bool = True, class_size: int = 30) -> int:
    """Run every step; print a summary and the files written. Returns the exit code."""
    if not Course.load(ROOT).folder("source", ".").is_dir():
        raise CourseInputError("演示要用到项目源码中的作业（source/、assignments/），安装后的 crmlab 中没有："
                               "请在克隆的项目文件夹中运行 make demo")
    check_sandbox()  # before any step: the demo grades in the sandbox, as a class would
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    demo = Demo(out, class_size)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("检查示例数据", demo.sample_data),
        ("生成并检查学生版", demo.prepare_course),
        ("发布作业", demo.release),
        (f"{class_size} 名学生领取并提交，收取", demo.hand_in),
        ("并行自动评分", demo.grade),
        ("录入书面回答的分数", demo.written_marks),
        ("生成反馈并导出成绩", demo.feedback_and_export),
        ("运行报告", demo.reports),
    ]
    started = time.perf_counter()
    with tqdm(steps, desc="CRM Lab 演示", unit="步", disable=not progress) as bar:
        for title, step in bar:
            bar.set_postfix_str(title)
            step()
    print("\n".join(["", "== CRM Lab 演示结果 ==", *demo.lines, *demo.summary(), "", "生成的文件："]))
    for path in demo.files:
        print(f"  {_shown(path)}")
    print(f"  {_shown(demo.copy.folder('feedback', '.'))}/（每位学生的反馈）")
    print(f"完成：{len(steps)} 步，用时 {time.perf_counter() - started:.0f} 秒。")
    return 0
