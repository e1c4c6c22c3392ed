"""Questions and exercises as data (题库与练习), checked by the course's rules.

``quiz`` reads the lessons' self-check question banks (``banks/lessonNN.yml``); ``numeric``
the calculation exercises (``banks/exercisesNN.yml``), whose answers are computed from
:mod:`crmlab.rules` and the sample data; ``coding`` the code exercises, where the student
writes a function that is run against the sample tables. Widgets display them; nothing here
draws.
"""
