"""The ``crmlab`` command: Chinese help and messages, exit codes, never a traceback.

Exit codes (``EXIT_CODES``, listed in the README): 0 success, 1 a problem with the user's
input or files (a Chinese message on stderr says what and where), 2 a malformed command line,
3 an internal error (a bug: a Chinese line asks to report it), 130 interrupted with Ctrl+C.
``CRMLAB_DEBUG=1`` shows the traceback of an unexpected error for bug reports. ``--version``
is the installed package's version.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from crmlab.commands.argparse_zh import INTEGER, ChineseParser
from crmlab.rules.checks import CourseInputError

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_CODES = {
    EXIT_OK: "成功",
    EXIT_INPUT: "输入或文件有误（错误信息说明是什么、在哪里）",
    EXIT_USAGE: "命令行写法有误（如缺少参数、未知选项）",
    EXIT_BUG: "crmlab 内部错误（请报告）",
    EXIT_INTERRUPTED: "被 Ctrl+C 中断",
}
"""Every exit code the command uses, with its meaning (the README lists the same)."""

def _print(message: str = "") -> None:
    print(message, flush=True)


# --- commands ---------------------------------------------------------------------------------


def _cmd_data_generate(args: argparse.Namespace) -> int:
    from crmlab.data import generate_all

    out = Path(args.out)
    _print(f"正在生成示例数据（随机种子 seed={args.seed}）→ {out}/")
    paths = generate_all(out, seed=args.seed)
    for name, path in paths.items():
        rows = sum(1 for _ in path.open(encoding="utf-8-sig")) - 1
        _print(f"  {name:<13} {rows:>6} 行  {path}")
    _print(f"完成：共 {len(paths)} 个数据表。")
    return 0


def _cmd_data_validate(args: argparse.Namespace) -> int:
    from crmlab.data import SCHEMAS, validate_file

    if args.schema not in SCHEMAS:
        raise CourseInputError(
            f"没有名为「{args.schema}」的数据表结构（schema），可选：{'、'.join(SCHEMAS)}"
        )
    problems = validate_file(args.file, args.schema, sheet=args.sheet)
    if not problems:
        _print(f"✓ {args.file} 符合「{args.schema}」表结构。")
        return 0
    print(f"✗ {args.file} 有 {len(problems)} 处不符合「{args.schema}」表结构：", file=sys.stderr)
    for problem in problems[: args.limit]:
        print(f"  {problem}", file=sys.stderr)
    if len(problems) > args.limit:
        print(f"  ……另有 {len(problems) - args.limit} 处问题", file=sys.stderr)
    return 1


def _cmd_grade(args: argparse.Namespace) -> int:
    from crmlab.data import load_customers, write_table
    from crmlab.rules.display import LEVEL_ORDER
    from crmlab.rules.grading import RESULT_LABELS

    graded = load_customers(args.file, sheet=args.sheet).graded()
    counts = graded["level"].value_counts().reindex(LEVEL_ORDER, fill_value=0)
    _print(f"已为 {len(graded)} 位客户分级（{RESULT_LABELS['level']}）：")
    _print("  " + "  ".join(f"{level} 级 {n} 位" for level, n in counts.items()))
    if args.out:
        write_table(graded, args.out, sheet="客户分级")
        _print(f"结果已写入 {args.out}")
    return 0


def _report_release(problems: list[str], ok_text: str) -> int:
    if not problems:
        _print(ok_text)
        return 0
    print(f"✗ 发现 {len(problems)} 处问题：", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def _cmd_release(args: argparse.Namespace) -> int:
    from crmlab.grading import release
    from crmlab.grading.gradebook import sync_due_dates

    course = Path(args.course)
    ids = release.assignment_ids(course, args.ids)
    problems = release.release(course, ids)
    if not problems:
        sync_due_dates(course)
    return _report_release(
        problems, f"✓ 已重新生成 {len(ids)} 份作业的学生版（release/），未发现答案或隐藏测试外泄。"
    )


def _cmd_check_release(args: argparse.Namespace) -> int:
    from crmlab.grading import release

    course = Path(args.course)
    ids = release.assignment_ids(course, args.ids)
    return _report_release(
        release.check(course, ids),
        f"✓ {len(ids)} 份作业的学生版与 source/ 重新生成的结果一致，没有外泄。",
    )


def _cmd_sync(args: argparse.Namespace) -> int:
    from crmlab.grading.gradebook import sync_due_dates

    for assignment in sync_due_dates(Path(args.course)):
        _print(f"  {assignment.id}：截止 {assignment.due:%Y-%m-%d %H:%M %z}（{assignment.title}）")
    _print("✓ 已把各作业的截止时间写入成绩库（gradebook）。")
    return 0


def _cmd_marks(args: argparse.Namespace) -> int:
    from crmlab.grading.gradebook import apply_marks

    count = apply_marks(Path(args.course), args.file, sheet=args.sheet)
    _print(f"✓ 已把 {count} 条人工评分（及评语）录入成绩库；可在 Formgrader 中查看或修改。")
    return 0


def _cmd_autograde(args: argparse.Namespace) -> int:
    from crmlab.grading.autograde import autograde, summary_lines

    if args.jobs is not None and args.jobs < 1:
        raise CourseInputError("--jobs 必须是正整数")
    overrides = {"Execute.timeout": args.timeout} if args.timeout else {}
    outcomes = autograde(Path(args.course), args.assignment, jobs=args.jobs,
                         students=args.student or (), config_overrides=overrides,
                         sandbox=not args.no_sandbox)
    if not outcomes:
        raise CourseInputError(f"没有找到作业 {args.assignment} 的提交：请先运行 nbgrader collect")
    for line in summary_lines(args.assignment, outcomes, sandbox=not args.no_sandbox):
        _print(line)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from crmlab.reports import REPORTS, describe_reports, run_report

    if args.list:
        _print("可用的报告及其参数（用 -p 名称 值 修改）：")
        for line in describe_reports():
            _print(f"  {line}")
        return 0
    if not args.name:
        known = "、".join(REPORTS)
        raise CourseInputError(f"请给出报告名称（可用的报告：{known}），或用 --list 查看各报告的参数")
    result = run_report(args.name, dict(args.param or []), Path(args.out))
    _print(f"✓ 报告已生成：\n  笔记本：{result.notebook}\n  网页：  {result.html}\n  表格：  {result.table}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from crmlab.commands.demo import run_demo

    if args.class_size < 6:
        raise CourseInputError(f"班级人数至少为 6（每种作答情况至少一人），现在是 {args.class_size}")
    return run_demo(Path(args.out), progress=not args.quiet, class_size=args.class_size)


def _cmd_lab(args: argparse.Namespace) -> int:
    from crmlab.commands.lab import run_lab

    return run_lab(args.root, port=args.port, open_browser=not args.no_browser)


def _hub_options(args: argparse.Namespace):
    from crmlab.commands.hub.command import HubOptions

    if not args.roster:
        raise CourseInputError("请用 --roster 给出班级名单（学号,姓名,角色）")
    if not args.idle_minutes > 0:
        raise CourseInputError("--idle-minutes 必须是正数")
    if args.pids_limit < 16:
        raise CourseInputError("--pids-limit 至少为 16（JupyterLab 和内核本身就要十几个进程）")
    if not args.backup_minutes > 0:
        raise CourseInputError("--backup-minutes 必须是正数")
    return HubOptions(
        roster=Path(args.roster).absolute(), root=Path(args.root).absolute(), ip=args.ip,
        port=args.port, idle_minutes=args.idle_minutes,
        mem_limit=args.mem_limit, cpu_limit=args.cpu_limit,
        ssl_cert=Path(args.ssl_cert) if args.ssl_cert else None,
        ssl_key=Path(args.ssl_key) if args.ssl_key else None, self_signed=args.self_signed,
        no_https=args.no_https, teachers_can_open_servers=args.teachers_can_open_servers,
        backup_minutes=args.backup_minutes, pids_limit=args.pids_limit,
        cgroup_root=Path(args.cgroup_root))


def _add_hub_options(hub: argparse.ArgumentParser) -> None:
    """``crmlab hub``'s flags, one per HubOptions field with help: default, type and help come from there."""
    from dataclasses import MISSING, fields

    from crmlab.commands.hub.command import HubOptions

    for option in fields(HubOptions):
        if "help" not in option.metadata:
            continue
        settings = dict(option.metadata)
        if isinstance(option.default, bool):
            settings["action"] = "store_true"
        elif option.default is not MISSING:
            settings["default"] = option.default
            if isinstance(option.default, (int, float)):
                settings["type"] = type(option.default)
        hub.add_argument("--" + option.name.replace("_", "-"), **settings)


def _service_command(options) -> list[str]:
    """The ``crmlab hub`` command line a service runs: these options, paths made absolute."""
    command = [sys.executable, "-m", "crmlab.commands.cli", "hub", "--roster", str(options.roster),
               "--root", str(options.root), "--port", str(options.port),
               "--idle-minutes", f"{options.idle_minutes:g}", "--backup-minutes", f"{options.backup_minutes:g}",
               "--mem-limit", options.mem_limit, "--cpu-limit", f"{options.cpu_limit:g}",
               "--pids-limit", str(options.pids_limit)]
    if options.ip:
        command += ["--ip", options.ip]
    if options.ssl_cert:
        command += ["--ssl-cert", str(options.ssl_cert), "--ssl-key", str(options.ssl_key)]
    for flag in ("self_signed", "no_https", "teachers_can_open_servers"):
        if getattr(options, flag):
            command.append("--" + flag.replace("_", "-"))
    return command


def _cmd_hub(args: argparse.Namespace) -> int:
    from crmlab.commands.hub import service
    from crmlab.commands.hub.command import check_https, reset_password, run_hub

    root = Path(args.root).absolute()
    unit_dir = Path(args.unit_dir) if args.unit_dir else service.UNIT_DIR
    if args.reset_password:
        password = reset_password(root, args.reset_password)
        _print(f"✓ {args.reset_password} 的新初始密码：{password}\n"
               "  他已登录的会话和服务器已结束；第一次用它登录时要设置自己的新密码。")
        return 0
    if args.action == "status":
        _print("\n".join(service.status(root, unit_dir)))
        return 0
    if args.action == "uninstall-service":
        service.uninstall(unit_dir, say=_print)
        return 0
    if args.action == "restore-gradebook":
        return _restore_gradebook(root, args.when, args.yes)
    options = _hub_options(args)
    if args.action == "install-service":
        from crmlab.commands.hub.roster import read_roster

        read_roster(options.roster)  # a bad roster is said now, not in the journal later
        check_https(options, say=_print)
        service.install(_service_command(options), root, unit_dir, say=_print)
        return 0
    return run_hub(options)


def _restore_gradebook(root: Path, when: str | None, yes: bool) -> int:
    from crmlab.commands.hub import backups

    chosen = backups.choose(root, when)
    _print("\n".join(backups.describe(root, chosen)))
    if not yes:
        answer = input("确定用这份备份替换现在的成绩库吗？输入 y 确认：").strip().lower()
        if answer not in ("y", "yes", "是"):
            _print("没有恢复，成绩库保持原样。")
            return 1
    before = backups.restore(root, chosen, (root / "course").stat().st_gid)  # the teachers' group
    _print(f"✓ 已恢复 {chosen.label} 的成绩库；恢复前的成绩库另存为 {before}。")
    return 0


# --- parser -----------------------------------------------------------------------------------


def _version() -> str:
    """The installed package's version (its metadata), as pip shows it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("crmlab")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "（未安装，版本未知）"


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with Chinese help."""
    parser = ChineseParser(
        prog="crmlab",
        description="CRM Lab 客户关系管理课程工具：课程、作业评分、报告与演示。",
        epilog="每个子命令都有自己的帮助，例如：crmlab data validate -h",
    )
    parser.add_argument("--version", action="version", version=f"crmlab {_version()}",
                        help="显示版本号并退出")
    commands = parser.add_subparsers(title="子命令", dest="command", metavar="命令",
                                     parser_class=ChineseParser)

    def command(name: str, help_text: str, func: Callable[[argparse.Namespace], int], **kw):
        sub = commands.add_parser(name, help=help_text, description=help_text, **kw)
        sub.set_defaults(func=func)
        return sub

    data = commands.add_parser("data", help="示例数据：生成与校验", description="示例数据：生成与校验")
    data_commands = data.add_subparsers(title="子命令", dest="data_command", metavar="命令",
                                        parser_class=ChineseParser)
    data.set_defaults(func=lambda _args: (data.print_help(), EXIT_USAGE)[1])
    generate = data_commands.add_parser("generate", help="用固定随机种子重新生成 data/ 下的示例数据",
                                        description="用固定随机种子重新生成示例数据（结果可复现）")
    generate.add_argument("--seed", type=INTEGER, default=2025, help="随机种子（默认 2025）")
    generate.add_argument("--out", default="data", help="输出文件夹（默认 data）")
    generate.set_defaults(func=_cmd_data_generate)
    validate = data_commands.add_parser(
        "validate", help="按表结构校验一个 CSV 或 Excel 文件，指出出错的行和列",
        description="按表结构校验一个 CSV 或 Excel（.xlsx）文件，按 Excel 的行号和列字母指出出错之处")
    validate.add_argument("file", help="要校验的文件：CSV（UTF-8 或 GBK 编码）或 Excel 工作簿（.xlsx）")
    validate.add_argument("--sheet", metavar="工作表", help="Excel 工作簿中的工作表名称（默认第一个）")
    validate.add_argument("--schema", required=True,
                          help="表结构名称：customers、orders、credit_files、receivables、survey")
    validate.add_argument("--limit", type=INTEGER, default=30, help="最多列出多少处问题（默认 30）")
    validate.set_defaults(func=_cmd_data_validate)

    grade = command("grade", "按课程的客户分级评分卡为客户表中的每位客户分级", _cmd_grade)
    grade.add_argument("file", help="客户表（CSV 或 .xlsx）：含 order_amount 列，以及加减分项列或客户档案列")
    grade.add_argument("--sheet", metavar="工作表", help="Excel 工作簿中的工作表名称（默认第一个）")
    grade.add_argument("--out", metavar="文件",
                       help="把分级结果写入这个文件：以 .xlsx 结尾时写 Excel 工作簿，否则写 CSV（带 BOM 的 UTF-8）")

    for name, help_text, func in (
        ("release", "用 nbgrader 重新生成学生版作业（release/），并检查答案与隐藏测试是否外泄",
         _cmd_release),
        ("check-release", "不写文件，只检查 release/ 是否与 source/ 一致、有无外泄（出错时退出码非零）",
         _cmd_check_release),
    ):
        sub = command(name, help_text, func)
        sub.add_argument("ids", nargs="*", metavar="作业编号", help="只处理这些作业（默认全部）")
        sub.add_argument("--course", default=".", help="课程目录（默认当前目录）")
    grade_all = command("autograde", "并行自动评分：用 nbgrader 自己的评分器，多个进程同时评分，"
                        "每份提交在沙箱中运行；死循环、崩溃、超限、被改动的提交都会被标出而不会中断",
                        _cmd_autograde)
    grade_all.add_argument("assignment", metavar="作业编号", help="要评分的作业，例如 hw03_customer_grading")
    grade_all.add_argument("--course", default=".", help="nbgrader 课程目录（默认当前目录）")
    grade_all.add_argument("--jobs", type=INTEGER, help="并行进程数（默认等于 CPU 核数）")
    grade_all.add_argument("--student", action="append", metavar="学号", help="只评这些学生（可重复）")
    grade_all.add_argument("--timeout", type=INTEGER, help="每个单元格的最长运行秒数（默认按 nbgrader_config.py）")
    grade_all.add_argument("--no-sandbox", action="store_true",
                           help="不用沙箱评分（学生代码将以评分者的权限运行；仅在无法安装 bubblewrap 时使用）")
    sync = command("sync-due-dates", "把 assignments/*.yml 中的截止时间写入 nbgrader 成绩库", _cmd_sync)
    sync.add_argument("--course", default=".", help="课程目录（默认当前目录）")

    marks = command("marks", "把人工评分表（CSV 或 .xlsx：student_id, assignment, notebook, grade_id, "
                    "score[, comment]）录入成绩库，与在 Formgrader 中逐题打分效果相同", _cmd_marks)
    marks.add_argument("file", metavar="评分表", help="人工评分表（CSV 或 .xlsx），一行一个评分单元格")
    marks.add_argument("--sheet", metavar="工作表", help="Excel 工作簿中的工作表名称（默认第一个）")
    marks.add_argument("--course", default=".", help="课程目录（默认当前目录）")

    report = command("report", "生成参数化报告（papermill）：执行报告笔记本，输出 .ipynb、不含代码的 .html "
                     "和主表的 Excel 文件（.xlsx）",
                     _cmd_report)
    report.add_argument("name", nargs="?", metavar="报告名称",
                        help="customer_grading、credit_review、survey_summary 或 class_results")
    report.add_argument("-p", "--param", nargs=2, action="append", metavar=("名称", "值"),
                        help="报告参数，可重复，例如 -p data 我的客户.csv -p top_n 20")
    report.add_argument("--out", default="out/reports", metavar="文件夹",
                        help="输出文件夹（默认 out/reports）")
    report.add_argument("--list", action="store_true", help="列出所有报告及其参数和默认值")

    demo = command("demo", "演示完整的课程流程：发布作业、全班提交、并行自动评分、反馈、导出成绩、运行报告",
                   _cmd_demo)
    demo.add_argument("--out", default="out/demo", help="输出文件夹（默认 out/demo，每次运行前清空）")
    demo.add_argument("--class-size", type=INTEGER, default=30, metavar="人数",
                      help="模拟的班级人数（默认 30，至少 6）")
    demo.add_argument("--quiet", action="store_true", help="不显示进度条")

    lab = command("lab", "启动中文界面的 JupyterLab 并打开课程导览（第 00 课），显示访问地址", _cmd_lab)
    lab.add_argument("--port", type=INTEGER, metavar="端口", help="端口号（默认从 8888 起找一个空闲端口）")
    lab.add_argument("--no-browser", action="store_true", help="不自动打开浏览器（在服务器上使用时）")
    lab.add_argument("--root", metavar="文件夹",
                     help="课程文件夹（默认：项目源码文件夹；安装版则为 ~/crmlab，首次运行时复制课件进去）")
    hub = command("hub", "在本机开一个班：按名单为每人建账户，启动 JupyterHub（需 root，Linux）", _cmd_hub)
    hub.add_argument("action", nargs="?", default="run",
                     choices=["run", "install-service", "uninstall-service", "status",
                              "restore-gradebook"],
                     help="run（默认）：开课，直到 Ctrl+C；install-service：安装为开机自动启动、出错自动重启的"
                          "系统服务（其余选项同 run）；uninstall-service；status；"
                          "restore-gradebook [时间]：从备份恢复成绩库")
    hub.add_argument("when", nargs="?", metavar="时间",
                     help="restore-gradebook 用这个时间之前最近的一份备份（如 2026-03-01 14:30，默认最新）")
    _add_hub_options(hub)
    hub.add_argument("--reset-password", metavar="学号",
                     help="给这位用户一个新的初始密码，结束他已登录的会话和服务器，然后退出")
    hub.add_argument("--yes", action="store_true", help="restore-gradebook 不再询问，直接恢复")
    hub.add_argument("--unit-dir", help=argparse.SUPPRESS)  # tests write the unit elsewhere
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except CourseInputError as error:
        print(f"错误：{error}", file=sys.stderr)
        return EXIT_INPUT
    except (FileNotFoundError, PermissionError, IsADirectoryError) as error:
        print(f"错误：无法读写文件 {error.filename}（{error.strerror}）", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - a bug: say so in Chinese, keep the details one flag away
        if os.environ.get("CRMLAB_DEBUG"):
            traceback.print_exc()
        print(
            f"内部错误（{type(error).__name__}: {error}）。这是 crmlab 的缺陷，请报告；"
            "设置环境变量 CRMLAB_DEBUG=1 可看到详细信息。",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
