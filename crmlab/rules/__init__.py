"""The course's rules (课程规则): pure functions and small dataclasses, no widgets, no file I/O.

One module per topic of the course, each holding its tables, thresholds and weights once, as
data: ``grading`` (customer grading scorecard), ``credit`` (5C credit scorecard, ratios, aging),
``value`` (business value, RFM, ABC, CLV), ``relationship`` (Kotler's five levels), ``spin``
(SPIN questioning), ``survey`` (satisfaction surveys, NPS), ``complaints``, ``service``,
``loyalty`` (churn and retention), ``privacy``, ``practice`` (the practical training),
``assessment`` (the group assessment form), ``labelling`` (sorting items into labels),
``checking`` (the one checking engine: outcomes 未作答/无效答案/部分正确/错误/正确, results,
tries, number tolerance) and ``checks`` (input checks shared by all of them, and
:class:`CourseInputError`).

Everything above this layer (exercises, widgets, data, course tooling, reports, commands)
reads the rules from here; nothing here imports from above.
"""
