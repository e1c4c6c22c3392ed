"""Does a submission's source reach into the machinery that used to decide its grade?

Read statically from the student's code cells: IPython's input and AST transformers, its hooks and
namespaces (``In``, ``user_ns``), replaced builtins or modules. Since test cells no longer run in
the kernel none of it changes a score; the grader is only told to look.
"""

from __future__ import annotations

import ast

from crmlab.course.integrity import parse_cell

TAMPERING_SIGN = "评分发现提交的代码改动了评分环境"
"""The start of the log line written for such a submission (``crmlab autograde`` reads it)."""
TAMPERING_REASON = ("改动评分环境：代码改动了 IPython 的钩子、内置函数或模块表（例如想让测试失效），"
                    "分数只按它真正交出的答案计算")

HOOKS = {
    "input_transformers_cleanup": "IPython 输入转换器", "input_transformers_post": "IPython 输入转换器",
    "input_transformer_manager": "IPython 输入转换器", "ast_transformers": "IPython 语法树转换器",
    "register_transformer": "IPython 输入转换器", "events": "IPython 事件钩子",
    "set_custom_exc": "IPython 异常钩子", "user_ns": "IPython 命名空间", "user_global_ns": "IPython 命名空间",
    "user_expressions": "IPython 内核接口", "display_pub": "IPython 输出接口",
    "display_formatter": "IPython 输出接口", "run_cell": "IPython 内核接口", "excepthook": "异常钩子",
    "settrace": "跟踪钩子", "setprofile": "跟踪钩子", "modules": "模块表（sys.modules）",
    "reload": "importlib.reload", "meta_path": "导入机制", "path_hooks": "导入机制",
}
NAMES = {"builtins": "内置函数", "__builtins__": "内置函数", "In": "已运行单元格的内容（In）",
         "_ih": "已运行单元格的内容（In）", "Out": "单元格输出（Out）", "_oh": "单元格输出（Out）"}


def tampering(sources) -> list[str]:
    """What the code reaches of the grading machinery (Chinese names, each once; empty: nothing)."""
    found: list[str] = []
    for source in sources:
        tree = parse_cell(source)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in HOOKS:
                if node.attr == "modules" and not (isinstance(node.value, ast.Name) and node.value.id == "sys"):
                    continue
                found.append(HOOKS[node.attr])
            elif isinstance(node, ast.Name) and node.id in NAMES:
                found.append(NAMES[node.id])
            elif isinstance(node, ast.alias) and node.name.split(".")[0] == "builtins":
                found.append(NAMES["builtins"])
    return list(dict.fromkeys(found))
