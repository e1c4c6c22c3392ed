"""Parallel autograde with nbgrader's own autograder, safe against hostile submissions.

Each worker is a long-lived process that loads the course's ``nbgrader_config.py`` once and then
grades one submission after another through ``NbGraderAPI.autograde`` (what Formgrader calls:
nbgrader's own converter, not a re-implementation). All workers write to the one SQLite
gradebook, opened with a long busy timeout so that SQLite's file lock serialises their short
write transactions instead of failing them.

Before grading, the run checks that a kernel can import what the test cells import (else it
stops in one line: :mod:`crmlab.grading.kernel_check`), and every submission is checked for what
nbgrader would choke on (a missing notebook, a file that is not notebook JSON, JSON nested too
deeply, a huge file); after grading, nbgrader's log and the autograded
notebook are read for what a grader must know (a cell that hit the time limit, a kernel that
died, output cut short, test cells restored or edited). Each submission ends as *graded*,
*flagged* (graded, with a reason to look) or *failed* (not graded, with the reason); one
submission's failure never stops the batch. A worker that dies (the OOM killer) takes the jobs
still pending in the pool with it: they are graded again one at a time in fresh workers, so
only the submission that kills its worker fails; and a failed grading never removes a
gradebook entry that existed before the run or holds a hand-entered mark.

Every kernel runs in the course's sandbox (:mod:`crmlab.grading.sandbox`), even for a course
whose ``nbgrader_config.py`` does not name it; a submission that hits one of its walls or
limits keeps the score its tests earned and is flagged with the reason, read from the report
the sandbox leaves on each kernel (:mod:`crmlab.grading.sandbox_report`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

from crmlab.course.facts import Course, load_nbgrader_config
from crmlab.grading.environment import use_environment
from crmlab.grading.gradebook import db_url
from crmlab.grading.notebook import HIDDEN_TESTS, Markers, grade_id, read_only
from crmlab.grading.sandbox_report import SandboxReport
from crmlab.grading.verdict import TAMPERING_REASON, TAMPERING_SIGN
from crmlab.rules.checks import CourseInputError

LOG_DIR = ".crmlab-logs"
"""Worker logs, inside the course directory (ignored by git)."""

# What nbgrader's log says, and what it means for the grader (checked in this order).
LOG_SIGNS: tuple[tuple[str, str], ...] = (
    ("DeadKernelError", "内核在运行中退出（例如调用了 os._exit），之后的单元格没有运行"),
    ("Kernel died", "内核在运行中退出（例如调用了 os._exit），之后的单元格没有运行"),
    ("CellTimeoutError", "有单元格超过时间限制被中断（可能是死循环）"),
    ("Timeout waiting for", "有单元格超过时间限制被中断（可能是死循环）"),
    ("Missing grade cell", "学生删除了测试单元格，评分时已补回"),
    ("Attribute 'points'", "学生改动了评分元数据（分值），评分时以原始分值为准"),
    ("Attribute 'locked'", "学生改动了评分元数据（只读标记），评分时已恢复"),
    ("Attribute 'cell_type'", "学生改动了单元格类型，评分时已恢复"),
    ("SandboxUnavailable", "评分沙箱无法启动，没有运行学生代码"),
    (TAMPERING_SIGN, TAMPERING_REASON),
)
LEFTOVER = "进程未结束：代码留下了仍在运行的后台进程（评分结束时已全部清除）"
OUT_OF_MEMORY = "内存超限：代码（连同它启动的进程）用的内存超过了评分沙箱的上限，超出时进程被结束"
REFUSED = {  # the sandbox's report (crmlab.grading.sandbox_report.KINDS) → the grader's reason
    "memory": "内存超限：代码申请的内存超过了评分沙箱的上限，申请被拒绝",
    "processes": "进程数超限：代码启动的进程或线程超过了评分沙箱的上限",
    "network": "试图访问网络：评分时没有网络，连接被拒绝",
    "file_size": "文件大小超限：代码写出的文件超过了评分沙箱的上限",
    "disk_space": "空间超限：代码写出的文件总量超过了评分沙箱的上限",
    "read_only": "试图写入评分环境之外的文件（只读，未能写入）",
    "permission": "试图访问评分环境之外的文件或资源（被拒绝）",
}
LIMITED = {  # the submission's own limits (crmlab.grading.sandbox_report.LIMITS) → the reason
    "wall_time": "总时间超限：代码运行的总时间超过了每份作业的上限，之后的单元格没有运行（其中的测试计 0 分），"
                 "之前已得的分数保留",
    "output": "输出超限：输出总量超过了每份作业的上限，多余的输出没有保留",
}
NOTEBOOK_SIGNS: tuple[tuple[str, str], ...] = (
    ("被删除了，评分时由 nbgrader 补回", "学生删除了测试单元格，评分时已补回"),
    ("CellTimeoutError", "有单元格超过时间限制被中断（可能是死循环）"),
    ("DeadKernelError", "内核在运行中退出（例如调用了 os._exit），之后的单元格没有运行"),
    ("Output truncated", "输出过多，已被截断"),
)
TAMPERED = "学生改动了测试单元格 {}，评分时已用原始内容覆盖"


@dataclass
class Outcome:
    """How one submission ended."""

    student: str
    status: str  # graded / flagged / failed
    reasons: list[str] = field(default_factory=list)
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0

    @property
    def label(self) -> str:
        return {"graded": "已评分", "flagged": "已评分·需查看", "failed": "未能评分"}[self.status]


def expected_notebooks(course: Course, assignment: str) -> list[str]:
    source = course.folder("source", assignment)
    names = sorted(p.name for p in source.glob("*.ipynb"))
    if not names:
        raise CourseInputError(f"{source.relative_to(course.root)}/ 中没有作业 notebook：请确认作业编号")
    return names


def submitted_students(course: Course, assignment: str) -> list[str]:
    pattern = course.folder("submitted", assignment, "*").relative_to(course.root)
    return sorted(p.parent.name for p in course.root.glob(str(pattern)) if p.is_dir())


MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
"""A submitted notebook larger than this is not graded (the released ones are a few 100 KB)."""
MAX_NESTING = 64
"""Deepest nesting of lists and objects a submitted notebook may have (a real one has < 10):
deeper JSON would make nbformat and nbgrader recurse until Python's recursion limit."""


def _nesting(data) -> int:
    """How deeply lists and objects nest in ``data`` (iteratively: no recursion to exhaust)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_NESTING:
                break
            todo.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _notebook_problem(path: Path, name: str) -> str | None:
    """Why one submitted notebook cannot be graded (one Chinese line), or None."""
    if not path.is_file():
        return f"缺少作业文件 {name}（可能改了文件名、没有提交或不是普通文件）"
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        return f"{name} 太大（{size / 2**20:.0f} MB，上限 {MAX_NOTEBOOK_BYTES / 2**20:.0f} MB），没有评分"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return f"{name} 不是有效的 notebook（JSON 格式损坏：{error.__class__.__name__}）"
    except RecursionError:
        return f"{name} 不是有效的 notebook（JSON 嵌套层数过多）"
    if _nesting(data) > MAX_NESTING:
        return f"{name} 不是有效的 notebook（JSON 嵌套超过 {MAX_NESTING} 层）"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return f"{name} 不是有效的 notebook（没有单元格列表）"
    try:
        nbformat.reads(json.dumps(data), as_version=4)
    except Exception:  # noqa: BLE001 - whatever nbformat cannot read, nbgrader cannot grade
        return f"{name} 不是有效的 notebook（nbformat 无法读取）"
    return None


def preflight(folder: Path, notebooks: Iterable[str]) -> list[str]:
    """What makes a submission ungradable before nbgrader even starts (one line each)."""
    return [problem for name in notebooks
            if (problem := _notebook_problem(folder / name, name)) is not None]


# --- the worker side ---------------------------------------------------------------------------

_API = None


def course_config(course_dir: str, config_overrides: dict, sandbox: bool = True):
    """The course's nbgrader config, as the workers grade with it: loaded once per run (each
    load executes ``nbgrader_config.py``, imports crmlab and parses every assignment's YAML),
    then handed to every worker.

    With ``sandbox`` every kernel runs in the sandbox whatever the course config says (its
    limits still come from there); without, kernels run as in plain nbgrader.
    """
    from traitlets.config import Config

    from crmlab.grading.sandbox import use_sandbox

    config = load_nbgrader_config(Path(course_dir))  # nbgrader's own loader: every config path
    config.CourseDirectory.root = course_dir
    config.CourseDirectory.db_url = db_url(Path(course_dir), config)
    use_sandbox(config)
    config.SandboxKernelManager.enabled = sandbox
    for dotted, value in config_overrides.items():
        section, name = dotted.split(".", 1)
        config[section][name] = value
    config.merge(Config())
    return config


def _start_worker(course_dir: str, config) -> None:
    """Load nbgrader once per worker process, with the run's config."""
    global _API
    use_environment()
    os.chdir(course_dir)
    # Kernels and nbgrader write warnings to stderr; keep them in a log, off the instructor's
    # terminal (the summary reports what matters).
    logs = Path(course_dir) / LOG_DIR
    logs.mkdir(exist_ok=True)
    log = os.open(logs / f"autograde-worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 2)
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    _API = NbGraderAPI(CourseDirectory(config=config), config=config)


def sandbox_reports(course_dir: Path, assignment: str, student: str) -> Path:
    """The folder where the sandbox leaves its reports on one submission's kernels."""
    return Path(course_dir) / LOG_DIR / "sandbox" / assignment / student


def _grade(assignment: str, student: str) -> tuple[str, bool, str]:
    reports = sandbox_reports(Path.cwd(), assignment, student)  # the worker runs in the course
    shutil.rmtree(reports, ignore_errors=True)
    _API.config.SandboxKernelManager.report_dir = str(reports)
    result = _API.autograde(assignment, student, force=True, create=True)
    return student, bool(result.get("success")), (result.get("log") or "") + (result.get("error") or "")


# --- the coordinator ---------------------------------------------------------------------------


def _reasons_from(text: str, signs) -> list[str]:
    return list(dict.fromkeys(reason for sign, reason in signs if sign in text))


def _locked_sources(notebook: Path) -> dict[str, str]:
    """grade_id → source of the read-only cells (tests, instructions) of a notebook (which may
    be a student's broken one)."""
    try:
        data = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return {}
    found = {}
    for raw in data.get("cells", []) if isinstance(data, dict) else []:
        if not isinstance(raw, dict) or not isinstance(raw.get("metadata", {}), dict):
            continue
        source = raw.get("source", "")
        cell = nbformat.from_dict({"metadata": raw.get("metadata", {}),
                                   "source": "".join(source) if isinstance(source, list) else source})
        if read_only(cell) and grade_id(cell):
            found[grade_id(cell)] = cell.source
    return found


def _visible(source: str, markers: Markers) -> str:
    """A cell's source without hidden-test regions, whitespace-normalised."""
    return "\n".join(line.rstrip() for line in markers.without(source, HIDDEN_TESTS).strip().splitlines())


def tampered_cells(course: Course, assignment: str, student: str, markers: Markers) -> list[str]:
    """Read-only cells whose submitted source differs from the released one.

    nbgrader's own log cannot tell this: every test cell with hidden tests differs from its
    source version, so it reports a changed checksum for every honest student too.
    """
    changed = []
    for released in sorted(course.folder("release", assignment).glob("*.ipynb")):
        submitted = course.folder("submitted", assignment, student) / released.name
        theirs = _locked_sources(submitted)
        for cell_id, source in _locked_sources(released).items():
            if cell_id in theirs and _visible(theirs[cell_id], markers) != _visible(source, markers):
                changed.append(TAMPERED.format(cell_id))
    return changed


def _inspect(course: Course, assignment: str, student: str, log: str,
             markers: Markers) -> list[str]:
    reasons = _reasons_from(log, LOG_SIGNS)
    report = SandboxReport.read_all(sandbox_reports(course.root, assignment, student))
    reasons += [LEFTOVER] * bool(report.leftover_processes)
    reasons += [OUT_OF_MEMORY] * bool(report.out_of_memory_kills)
    reasons += tampered_cells(course, assignment, student, markers)
    for notebook in course.folder("autograded", assignment, student).glob("*.ipynb"):
        reasons += _reasons_from(notebook.read_text(encoding="utf-8"), NOTEBOOK_SIGNS)
    reasons += [LIMITED[kind] for kind in report.limits]
    reasons += [REFUSED[kind] for kind in report.refused]
    return list(dict.fromkeys(reasons))


def _scores(url: str, assignment: str) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook, MissingEntry

    scores = {}
    with Gradebook(url) as gradebook:
        try:
            submissions = gradebook.find_assignment(assignment).submissions
        except MissingEntry:
            return {}
        for submission in submissions:
            scores[submission.student.id] = (submission.score, submission.max_score)
    return scores


def _check_course(course_dir: Path) -> Path:
    course_dir = Path(course_dir).resolve()
    if not (course_dir / "nbgrader_config.py").exists():
        raise CourseInputError(f"{course_dir} 不是 nbgrader 课程目录（缺少 nbgrader_config.py）")
    return course_dir


def _pool(course_dir: Path, jobs: int | None, tasks: int, config):
    workers = max(1, min(jobs or os.cpu_count() or 1, tasks or 1))
    return ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                               initargs=(str(course_dir), config))


def autograde_many(
    course_dir: Path,
    assignments: Iterable[str],
    *,
    jobs: int | None = None,
    students: Iterable[str] = (),
    config_overrides: dict | None = None,
    progress: bool = True,
    sandbox: bool = True,
) -> dict[str, list[Outcome]]:
    """Grade the collected submissions of several assignments in one pool of warm workers.

    With ``sandbox`` (the default) grading refuses to start, raising
    :class:`~crmlab.grading.sandbox.SandboxUnavailable`, when the sandbox cannot start.
    """
    course_dir = _check_course(course_dir)
    config = course_config(str(course_dir), config_overrides or {}, sandbox)
    from crmlab.grading.kernel_check import check_kernel_imports
    from crmlab.grading.sandbox import check_sandbox

    if sandbox:
        check_sandbox(config)
    check_kernel_imports(config)  # before anyone is graded: tests that cannot import score 0
    config.SandboxedExecute.check_imports = False  # checked for all the workers
    course = Course(root=course_dir, config=config)
    url, markers = config.CourseDirectory.db_url, Markers.from_config(config)
    assignments = list(assignments)
    outcomes: dict[tuple[str, str], Outcome] = {}
    order: dict[str, list[str]] = {}
    for assignment in assignments:
        notebooks = expected_notebooks(course, assignment)
        available = submitted_students(course, assignment)
        order[assignment] = list(students) or available
        for student in order[assignment]:
            folder = course.folder("submitted", assignment, student)
            if student not in available:
                outcomes[assignment, student] = Outcome(
                    student, "failed", [f"{folder.relative_to(course_dir)}/ 不存在（没有收取到提交）"])
                continue
            problems = preflight(folder, notebooks)
            if problems:
                outcomes[assignment, student] = Outcome(student, "failed", problems)
    to_grade = [(a, s) for a in assignments for s in order[a] if (a, s) not in outcomes]
    before = {a: _kept_submissions(url, a) for a in assignments}
    started = time.perf_counter()
    bar = tqdm(total=len(to_grade), unit="份", disable=not progress,
               desc="autograde " + (assignments[0] if len(assignments) == 1 else "全部作业"))
    for (assignment, student), success, log in _graded(course_dir, jobs, to_grade, config):
        bar.update()
        reasons = _inspect(course, assignment, student, log, markers)
        if success:
            outcome = Outcome(student, "flagged" if reasons else "graded", reasons)
        else:
            outcome = Outcome(student, "failed", reasons or ["nbgrader 评分失败：" + _last_error(log)])
        outcome.seconds = time.perf_counter() - started
        outcomes[assignment, student] = outcome
    bar.close()
    results = {}
    for assignment in assignments:
        mine = {s: outcomes[assignment, s] for s in order[assignment]}
        _drop_failed(url, assignment, [s for s, o in mine.items()
                                       if o.status == "failed" and s not in before[assignment]])
        for student, (score, max_score) in _scores(url, assignment).items():
            if student in mine and mine[student].status != "failed":
                mine[student].score, mine[student].max_score = score, max_score
        results[assignment] = list(mine.values())
    return results


WORKER_DIED = ("评分进程意外退出（单独重评时仍然如此，多半是这份提交耗尽了评分机的资源）；"
               "成绩册中原有的成绩和手工评分保持不变")


def _graded(course_dir: Path, jobs: int | None, tasks: list[tuple[str, str]], config):
    """Grade ``tasks`` ((assignment, student) pairs) over warm workers, yielding each task with
    nbgrader's success and log as it finishes.

    When a worker process dies (the OOM killer, a crash), Python's pool fails every job still
    pending, most of them other students'. Those jobs are graded again afterwards, one at a
    time, each in a fresh worker of its own: the submission that kills its worker again fails
    alone (:data:`WORKER_DIED`), everyone else is graded.
    """
    retry = []
    if tasks:
        with _pool(course_dir, jobs, len(tasks), config) as pool:
            futures = {pool.submit(_grade, a, s): (a, s) for a, s in tasks}
            for future in as_completed(futures):
                try:
                    _, success, log = future.result()
                except BrokenProcessPool:
                    retry.append(futures[future])
                    continue
                except Exception as error:  # noqa: BLE001 - one failure must not stop the batch
                    success, log = False, f"{type(error).__name__}: {error}"
                yield futures[future], success, log
    if retry:
        from crmlab.grading.sandbox import remove_orphans

        remove_orphans()  # the dead worker's kernels' folders and cgroups
    for task in sorted(retry):
        try:
            with _pool(course_dir, 1, 1, config) as pool:
                _, success, log = pool.submit(_grade, *task).result()
        except BrokenProcessPool:
            success, log = False, WORKER_DIED
            from crmlab.grading.sandbox import remove_orphans

            remove_orphans()
        except Exception as error:  # noqa: BLE001
            success, log = False, f"{type(error).__name__}: {error}"
        yield task, success, log


def autograde(course_dir: Path, assignment: str, **options) -> list[Outcome]:
    """Grade the collected submissions of ``assignment`` over ``jobs`` warm worker processes."""
    return autograde_many(course_dir, [assignment], **options)[assignment]


def _feedback(assignment: str, student: str) -> tuple[str, bool, str]:
    result = _API.generate_feedback(assignment, student, force=True)
    return student, bool(result.get("success")), (result.get("error") or "")


def generate_feedback(course_dir: Path, graded: dict[str, Iterable[str]], *,
                      jobs: int | None = None, progress: bool = True) -> list[str]:
    """nbgrader's feedback for each (assignment → students), spread over warm workers.

    Returns the problems (one Chinese line each); an empty list means every feedback file
    was written.
    """
    course_dir = _check_course(course_dir)
    tasks = [(a, s) for a, students in graded.items() for s in students]
    problems = []
    with _pool(course_dir, jobs, len(tasks), course_config(str(course_dir), {})) as pool:
        futures = {pool.submit(_feedback, a, s): (a, s) for a, s in tasks}
        for future in tqdm(as_completed(futures), total=len(futures), desc="generate_feedback",
                           unit="份", disable=not progress):
            assignment, student = futures[future]
            _, success, error = future.result()
            if not success:
                problems.append(f"{assignment} · {student}：反馈生成失败：{_last_error(error)}")
    return problems


def _kept_submissions(url: str, assignment: str) -> set[str]:
    """Students who have a submission of ``assignment`` in the gradebook (before a run)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(url) as gradebook:
        try:
            return {s.student.id for s in gradebook.find_assignment(assignment).submissions}
        except MissingEntry:
            return set()


def _drop_failed(url: str, assignment: str, students: list[str]) -> None:
    """Remove the gradebook entries that this run created for submissions it could not grade.

    nbgrader creates the submission before running it; when the kernel dies it removes the
    autograded files but keeps that entry, which would export as a misleading score of 0
    (nbgrader #1033). The summary names these students instead. The caller passes only
    students who had no entry before the run, and an entry holding a teacher's hand-entered
    score or comment is kept whatever happens: a failed regrade never deletes a grade.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(url) as gradebook:
        for student in students:
            with contextlib.suppress(MissingEntry):
                submission = gradebook.find_submission(assignment, student)
                marked = any(g.manual_score is not None for n in submission.notebooks for g in n.grades)
                marked |= any(c.manual_comment for n in submission.notebooks for c in n.comments)
                if not marked:
                    gradebook.remove_submission(assignment, student)


def _last_error(log: str) -> str:
    lines = [line.strip() for line in log.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or "error" in line]
    return (errors or lines or ["（没有日志）"])[-1][:200]


NO_SANDBOX = "注意：本次评分没有使用沙箱（--no-sandbox），学生代码以评分者的权限运行。"


def summary_lines(assignment: str, outcomes: list[Outcome], sandbox: bool = True) -> list[str]:
    """The final summary: counts, then one line per flagged or failed submission."""
    counts = {status: sum(o.status == status for o in outcomes)
              for status in ("graded", "flagged", "failed")}
    lines = [] if sandbox else [NO_SANDBOX]
    lines.append(f"{assignment}：共 {len(outcomes)} 份；已评分 {counts['graded']} 份，"
                 f"需查看 {counts['flagged']} 份，未能评分 {counts['failed']} 份。")
    for outcome in outcomes:
        if outcome.status != "graded":
            score = (f"（{outcome.score:g}/{outcome.max_score:g} 分）"
                     if outcome.score is not None else "")
            lines.append(f"  [{outcome.label}] {outcome.student}{score}：{'；'.join(outcome.reasons)}")
    return lines
