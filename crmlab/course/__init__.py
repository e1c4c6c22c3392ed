"""Course tooling over nbgrader: assignment schedules and rubrics, release with leak check and
headers from the YAML, late penalties, feedback that hides hidden tests, gradebook sync; the
course manifest (``course.yml``: lessons, question banks, assignments) and the glossary; the one
model of a source notebook (``notebook``), nbgrader run with this environment
(``environment``), and the hidden tests' check that an answer does not call crmlab."""
