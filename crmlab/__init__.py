"""CRM Lab: interactive courseware for 客户关系管理 (Customer Relationship Management).

Layers (see DESIGN.md): domain models (``grading``, ``credit``, ``value``, ``relationship``,
``spin``, ``survey``, ``complaints``, ``assessment``), then views and I/O (``data``,
``charts``), then course tooling (``cli``).
"""

import logging

__version__ = "0.1.0"

# Library logging stays silent unless the application configures it: a student must not see
# a logged traceback in a notebook's output.
logging.getLogger("crmlab").addHandler(logging.NullHandler())
