"""Where a lesson's homework is: the hub's Assignment List (the course's 作业列表) in class,
``release/`` in self-study.

A lesson's 「课后作业」 cell calls ``homework("hw02_credit")``. On the class's JupyterHub (``crmlab
hub``, or Zero to JupyterHub) a student has no ``release/`` folder: the assignment is fetched
from the course's Assignment List (nbgrader's endpoints). JupyterHub sets ``JUPYTERHUB_USER`` in every single-user
server it starts, and the kernel inherits the server's environment, so that is how a lesson
knows which of the two it is in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from IPython.display import Markdown

from crmlab.rules.checks import CourseInputError

ASSIGNMENT_ID = re.compile(r"hw\d\d_[a-z0-9_]+")
HUB_VARIABLES = ("JUPYTERHUB_USER", "CRMLAB_HUB_ROOT")
"""Set in the environment of a server JupyterHub started (the second by ``crmlab hub``)."""


def on_hub(environ: Mapping[str, str] | None = None) -> bool:
    """Is this kernel running in a JupyterHub single-user server?"""
    environ = os.environ if environ is None else environ
    return any(environ.get(name) for name in HUB_VARIABLES)


def where_to_find(assignment_id: str, environ: Mapping[str, str] | None = None) -> str:
    """The Chinese sentence saying where to get ``assignment_id`` here."""
    if not isinstance(assignment_id, str) or not ASSIGNMENT_ID.fullmatch(assignment_id):
        raise CourseInputError(f"作业编号应当像 hw02_credit，现在是 {assignment_id!r}")
    if on_hub(environ):
        return (f"在启动页（Launcher）点「作业列表」，在「已发布、可以领取的作业」中找到 "
                f"`{assignment_id}`，点 **领取**；领取后它出现在「已领取的作业」中，"
                f"点笔记本名打开。做完后在同一页点 **提交**。")
    return (f"打开文件夹 `release/{assignment_id}/` 中的作业笔记本（自学时没有老师收作业，"
            f"用其中的测试单元格自查）。")


def homework(assignment_id: str) -> Markdown:
    """Show where to get the assignment, for the class's hub or for self-study."""
    return Markdown(where_to_find(assignment_id))
