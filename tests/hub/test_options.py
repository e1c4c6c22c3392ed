"""`crmlab hub`'s options: each default stated once, in HubOptions, and the CLI's help in Chinese."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from crmlab.commands import cli
from crmlab.commands.hub.command import DEFAULT_ROOT, HubOptions

FLAGS = [option for option in dataclasses.fields(HubOptions) if "help" in option.metadata]


def _parse(*argv: str):
    return cli.build_parser().parse_args(["hub", *argv])


def test_the_cli_defaults_are_the_options_defaults(tmp_path):
    """Does `crmlab hub` with only --roster give exactly HubOptions' defaults, flag by flag?"""
    args = _parse("--roster", str(tmp_path / "名单.csv"))
    for option in FLAGS:
        if option.default is not dataclasses.MISSING:
            assert getattr(args, option.name) == option.default, option.name
    expected = HubOptions(roster=tmp_path / "名单.csv", root=DEFAULT_ROOT.absolute())
    assert cli._hub_options(args) == expected
    assert expected.idle_timeout == 3600


def test_a_given_flag_reaches_the_options(tmp_path):
    """Are typed values converted as the default's type says, and minutes turned into seconds?"""
    options = cli._hub_options(_parse("--roster", "r.csv", "--port", "8123", "--idle-minutes", "0.5",
                                      "--cpu-limit", "2", "--pids-limit", "64", "--self-signed"))
    assert (options.port, options.idle_timeout, options.cpu_limit, options.pids_limit) == (8123, 30, 2.0, 64)
    assert options.self_signed and not options.no_https


def test_no_hub_default_is_typed_in_the_cli_again():
    """Does cli.py pass no default= to a hub flag, and spell none of HubOptions' defaults?"""
    source = Path(cli.__file__).read_text(encoding="utf-8")
    for call in ast.walk(ast.parse(source)):
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "add_argument" and getattr(call.func.value, "id", "") == "hub"):
            positional = [arg.value for arg in call.args if isinstance(arg, ast.Constant)]
            assert positional == ["action"] or "default" not in {k.arg for k in call.keywords}, positional
    for option in FLAGS:
        if isinstance(option.default, bool) or option.default in (None, "", dataclasses.MISSING):
            continue
        forms = {str(option.default)} | ({f"{option.default:g}"} if isinstance(option.default, float) else set())
        for form in (form for form in forms if len(form) > 1):
            assert not re.search(rf"(?<![\w.-]){re.escape(form)}(?![\w.])", source), (option.name, form)


def test_the_hub_help_shows_the_defaults_in_chinese(capsys):
    """Does `crmlab hub --help` show each default where it did before, in Chinese?"""
    try:
        cli.main(["hub", "--help"])
    except SystemExit as exit_:
        assert exit_.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for shown in ["（默认 /srv/crmlab）", "端口号（默认 8000）", "（默认 60，可以是小数，文件保留）",
                  "（默认 60；评分后也会备份）", "内存上限（默认 2G）", "CPU 核数（默认 1）",
                  "（含线程）数（默认 512）", "选项：", "显示本帮助并退出"]:
        assert shown in out, shown
    assert "%(default)" not in out and "cgroup" not in out
