"""argparse in Chinese: :class:`ChineseParser` (an ``ArgumentParser`` whose fixed phrases,
help and error messages are Chinese) and :func:`typed` (a value converter under a Chinese name,
which argparse shows when a value is invalid). The ``crmlab`` command (:mod:`crmlab.commands.cli`)
parses its command line with it."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

# argparse builds its fixed phrases with gettext's ``_`` and ``ngettext``; these are their
# Chinese forms (every message a user can meet; the rest are errors in the parser's own code).
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ignored explicit argument %r": "这个选项不接受值：%r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有子命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开文件「%(filename)s」：%(error)s",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r（应为 %(type)s）",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "subcommands": "子命令",
}


def _zh(text: str) -> str:
    return ARGPARSE_ZH.get(text, text)


def _zh_plural(singular: str, plural: str, count: int) -> str:
    return _zh(singular if count == 1 else plural)


def typed(convert: Callable[[str], object], name: str) -> Callable[[str], object]:
    """``convert`` under a Chinese name, which argparse shows in 无效的值：'x'（应为 整数）."""

    def parse(text: str) -> object:
        return convert(text)

    parse.__name__ = name
    return parse


INTEGER = typed(int, "整数")


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose fixed phrases are Chinese."""

    def __init__(self, *args, **kwargs):
        with _chinese_argparse():  # the -h help text and group titles are made here
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with _chinese_argparse():  # "unrecognized arguments" is phrased here
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with _chinese_argparse():
            return super().parse_known_args(args, namespace)

    def error(self, message):
        with _chinese_argparse():
            super().error(message)

    def format_help(self) -> str:
        with _chinese_argparse():
            text = super().format_help()
        # argparse ends section titles with an ASCII colon ("选项:"); Chinese uses "：".
        return re.sub(r"^(\S.*):$", r"\1：", text, flags=re.MULTILINE)

    def format_usage(self) -> str:
        with _chinese_argparse():
            return super().format_usage()


class _chinese_argparse:
    def __enter__(self):
        self._saved = argparse._, argparse.ngettext
        argparse._, argparse.ngettext = _zh, _zh_plural

    def __exit__(self, *exc):
        argparse._, argparse.ngettext = self._saved
