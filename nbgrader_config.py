"""nbgrader configuration of the CRM Lab course (the repository root is the course directory).

Read by every ``nbgrader`` command run from this folder and by Formgrader.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

HERE = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "crm-lab"
c.CourseDirectory.root = str(HERE)

# An exchange directory of the instructor's choosing (a shared folder on a hub); tests and the
# demo point it at a scratch folder.
if os.environ.get("CRMLAB_EXCHANGE"):
    c.Exchange.root = os.environ["CRMLAB_EXCHANGE"]

# A cell that runs longer than this while autograding is interrupted and the grading goes on.
c.Execute.timeout = 30

# What students see in place of a removed solution.
c.ClearSolutions.code_stub = {"python": "# 在这里写你的代码\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "在这里写下你的回答。"
