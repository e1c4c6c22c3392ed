"""Grading over nbgrader: release with headers from the YAML and a leak check, sandboxed
parallel autograde, the gradebook, late penalties, feedback that hides hidden tests, export, the
one model of a source notebook (``notebook``) and nbgrader run with this environment
(``environment``). It works on the course that :mod:`crmlab.course` describes."""
