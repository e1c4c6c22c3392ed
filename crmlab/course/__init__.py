"""Course tooling over nbgrader: assignment schedules and rubrics, release with leak check,
late penalties, feedback that hides hidden tests, gradebook sync; the course manifest
(``course.yml``: lessons, question banks, assignments) and the glossary; and the hidden tests'
check that an answer does not call crmlab."""
