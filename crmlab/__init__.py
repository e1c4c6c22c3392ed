"""CRM Lab: interactive courseware for 客户关系管理 (Customer Relationship Management).

The folders are the layers, and an import only points down this list (docs/architecture.md):

1. ``rules``: the course's rules, pure functions and data, no I/O.
2. ``exercises`` (question banks and exercises as data), ``data`` (schemas, loading, the
   sample-data generator), ``charts`` (figures with Chinese text), ``widgets`` (ipywidgets
   views over the rules).
3. ``course`` (the nbgrader course tooling) and ``reports`` (papermill reports).
4. ``commands``: ``crmlab`` (cli), ``lab``, ``demo`` and the classroom ``hub``.
"""

import logging

__version__ = "0.1.0"

# Library logging stays silent unless the application configures it: a student must not see
# a logged traceback in a notebook's output.
logging.getLogger("crmlab").addHandler(logging.NullHandler())
