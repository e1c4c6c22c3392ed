"""CRM Lab: interactive courseware for 客户关系管理 (Customer Relationship Management).

The folders are the layers, and an import only points to a lower row (docs/architecture.md,
enforced by tests/test_architecture.py):

0. ``rules``: the course's rules, pure functions and data, no I/O.
1. ``charts`` (figures with Chinese text) and ``data`` (schemas, the one table reader and
   writer, the sample-data generator).
2. ``exercises`` (question banks and exercises as data) and ``course`` (the course's facts: the
   manifest, assignments' YAML, the glossary, the integrity check hidden tests call).
3. ``widgets`` (ipywidgets views over the rules) and ``grading`` (nbgrader: release, sandboxed
   autograde, gradebook, feedback, export).
4. ``reports``: papermill reports.
5. ``commands``: ``crmlab`` (cli), ``lab``, ``demo`` with its simulated class, and the
   classroom ``hub``.
"""

import logging

__version__ = "0.1.0"

# Library logging stays silent unless the application configures it: a student must not see
# a logged traceback in a notebook's output.
logging.getLogger("crmlab").addHandler(logging.NullHandler())
