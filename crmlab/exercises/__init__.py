"""Questions and exercises as data (题库与练习), checked by the course's rules.

``quiz`` reads the lessons' self-check question banks (``banks/lessonNN.yml``); ``numeric``
the calculation exercises (``banks/exercisesNN.yml``), whose answers are computed from
:mod:`crmlab.rules` and the sample data; ``coding`` the code exercises, where the student
writes a function that is run against the sample tables; ``spin_bank`` the SPIN question bank
(``banks/spin07.yml``) whose questions :mod:`crmlab.rules.spin` marks. Widgets display them;
nothing here draws.
"""
