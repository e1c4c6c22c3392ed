"""Satisfaction surveys (客户满意度调研): the questionnaire, cleaning, tallies and NPS.

The practical training 「客户满意度调研」 (the practical-training guide, 实训3) ends with statistics: discard blank
and invalid questionnaires; each student tallies their own questionnaires, then the group,
then the class, always adding **absolute counts** first; finally counts become **relative
figures**: respondents choosing an option ÷ all valid respondents → a percentage. For factual
questions the most common answer is reported.

The sample table (``data/survey.csv``) has the columns in ``SURVEY_COLUMNS``. Rules fixed here:

* **Blank** questionnaire: every answer column (q1–q6, overall, recommend) is empty.
* **Invalid** questionnaire: some answer is present but is not a number, not a whole number,
  or outside its scale; or a factual answer (gender, age band, channel) is not one of its
  options; or the questionnaire number is missing. All problems of a row are listed.
* **Duplicate** questionnaire: a blank or invalid row is dropped for that reason; among the
  remaining rows, the first with each ``respondent_id`` is kept and later ones are dropped as
  duplicates of it.
* Row numbers in the report are CSV line numbers: position in the table + 2 (the header is
  line 1), i.e. ``index + 2`` for a table read with ``crmlab.data.read_table``.
* A partially answered valid questionnaire stays; a skipped question counts as 未作答 and
  percentages are taken over **all** valid respondents, so each question's add up to 100.

NPS (Reichheld, 2003) reads the 0–10 ``recommend`` question: promoters 9–10, passives 7–8,
detractors 0–6; NPS = % promoters − % detractors, from −100 to 100.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from crmlab.rules.checks import CourseInputError

TITLE_MAX = 15
"""A survey's title (课题名称) has at most this many characters (the practical training's first
step, 立题)."""

UNANSWERED_LABEL = "未作答"
"""Label of the tally row for respondents who skipped the question."""

MISSING_KEY_LABEL = "（未填写）"
"""Group or surveyor shown for rows where that column is empty."""


@dataclass(frozen=True)
class SurveyQuestion:
    """One question of the questionnaire.

    ``options`` lists (value, Chinese label) in display order. ``scale`` is (min, max) for a
    numeric rating question and ``None`` for a factual question with named options.
    """

    column: str
    label: str
    kind: str  # "item" (q1–q6), "overall", "recommend" or "fact"
    options: tuple[tuple[object, str], ...]
    scale: tuple[int, int] | None = None

    @property
    def option_labels(self) -> dict[object, str]:
        """Option value → Chinese label."""
        return dict(self.options)

    @property
    def values(self) -> tuple[object, ...]:
        """The option values in display order."""
        return tuple(value for value, _ in self.options)


SATISFACTION_SCALE = (1, 5)
RECOMMEND_SCALE = (0, 10)

SATISFACTION_OPTIONS: tuple[tuple[object, str], ...] = (
    (1, "很不满意"),
    (2, "不满意"),
    (3, "一般"),
    (4, "满意"),
    (5, "很满意"),
)
RECOMMEND_OPTIONS: tuple[tuple[object, str], ...] = (
    (RECOMMEND_SCALE[0], f"{RECOMMEND_SCALE[0]} 分（绝不会推荐）"),
    *((score, f"{score} 分") for score in range(RECOMMEND_SCALE[0] + 1, RECOMMEND_SCALE[1])),
    (RECOMMEND_SCALE[1], f"{RECOMMEND_SCALE[1]} 分（一定会推荐）"),
)


def _satisfaction(column: str, label: str, kind: str = "item") -> SurveyQuestion:
    return SurveyQuestion(column, label, kind, SATISFACTION_OPTIONS, SATISFACTION_SCALE)


def _fact(column: str, label: str, values: Iterable[str]) -> SurveyQuestion:
    return SurveyQuestion(column, label, "fact", tuple((v, v) for v in values))


# The answer columns: rated on a scale; blank / invalid questionnaires are judged on these.
QUESTIONS: tuple[SurveyQuestion, ...] = (
    _satisfaction("q1", "产品质量"),
    _satisfaction("q2", "价格"),
    _satisfaction("q3", "服务态度"),
    _satisfaction("q4", "响应速度"),
    _satisfaction("q5", "售后服务"),
    _satisfaction("q6", "购物环境"),
    _satisfaction("overall", "总体满意度", kind="overall"),
    SurveyQuestion(
        "recommend", "推荐意愿（0–10 分）", "recommend", RECOMMEND_OPTIONS, RECOMMEND_SCALE
    ),
)

# Factual (background) questions with named options.
FACT_QUESTIONS: tuple[SurveyQuestion, ...] = (
    _fact("gender", "性别", ("男", "女")),
    _fact("age_band", "年龄段", ("18-25", "26-35", "36-45", "46-60", "60以上")),
    _fact("channel", "了解本店的渠道", ("朋友推荐", "网络", "广告", "路过", "其他")),
)

ALL_QUESTIONS: tuple[SurveyQuestion, ...] = QUESTIONS + FACT_QUESTIONS
QUESTION_BY_COLUMN: dict[str, SurveyQuestion] = {q.column: q for q in ALL_QUESTIONS}
ANSWER_COLUMNS: tuple[str, ...] = tuple(q.column for q in QUESTIONS)
FACT_COLUMNS: tuple[str, ...] = tuple(q.column for q in FACT_QUESTIONS)
SATISFACTION_COLUMNS: tuple[str, ...] = tuple(
    q.column for q in QUESTIONS if q.kind in ("item", "overall")
)

ID_COLUMN = "respondent_id"
GROUP_COLUMNS: tuple[str, ...] = ("group", "surveyor")  # class → group → person
SURVEY_COLUMNS: tuple[str, ...] = (ID_COLUMN, *GROUP_COLUMNS, *FACT_COLUMNS, *ANSWER_COLUMNS)

COLUMN_LABELS: dict[str, str] = {
    ID_COLUMN: "问卷编号",
    "group": "组别",
    "surveyor": "调查员",
    **{q.column: q.label for q in ALL_QUESTIONS},
    # columns of the tables this module returns
    "row": "行号",
    "reason_type": "剔除类别",
    "reason": "剔除原因",
    "n_valid": "有效问卷数",
    "column": "题号",
    "question": "题目",
    "option": "选项",
    "label": "选项说明",
    "count": "人数",
    "percentage": "百分比（%）",
    "answered": "作答人数",
    "mean": "平均分",
    "answer": "最多的回答",
}
"""Column → Chinese header, for the survey table and every table returned here."""

DROP_REASONS: dict[str, str] = {
    "blank": "空白问卷",
    "invalid": "无效问卷",
    "duplicate": "重复问卷",
}
"""Why a questionnaire was dropped → its Chinese name (also the keys of ``counts``)."""

# Detail of an invalid row: (mask name, message prefix); a row lists every problem it has.
INVALID_DETAILS: tuple[tuple[str, str], ...] = (
    ("not_a_number", "答案不是数字："),
    ("not_integer", "答案不是整数："),
    ("out_of_range", "答案超出范围："),
    ("not_an_option", "答案不在选项中："),
)
MISSING_ID_REASON = "缺少问卷编号（respondent_id）"
DUPLICATE_REASON = "重复问卷：与第 {row} 行相同编号"


@dataclass(frozen=True)
class NpsBand:
    """One band of the 0–10 recommend scale."""

    key: str
    label: str
    low: int
    high: int


NPS_BANDS: tuple[NpsBand, ...] = (
    NpsBand("promoters", "推荐者", 9, 10),
    NpsBand("passives", "中立者", 7, 8),
    NpsBand("detractors", "贬损者", 0, 6),
)


# ------------------------------------------------------------------------------- cleaning


@dataclass(frozen=True)
class CleanResult:
    """The cleaned survey.

    ``valid``: the kept questionnaires (original index; answers as nullable ``Int64``, text
    columns stripped, empty cells as missing). ``report``: one row per dropped questionnaire
    with ``respondent_id``, ``row`` (CSV line), ``reason_type`` (a ``DROP_REASONS`` label)
    and ``reason`` (Chinese detail), in file order. ``counts``: ``DROP_REASONS`` label →
    number dropped (zeros included).
    """

    valid: pd.DataFrame
    report: pd.DataFrame
    counts: dict[str, int]
    total: int  # questionnaires read

    @property
    def summary(self) -> str:
        """One Chinese sentence: how many were read, kept and dropped for each reason."""
        dropped = "、".join(f"{label} {n} 份" for label, n in self.counts.items())
        return f"共读入 {self.total} 份问卷，有效问卷 {len(self.valid)} 份；剔除{dropped}。"


def _require_frame(df: object, columns: Iterable[str], what: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise CourseInputError(f"「{what}」应当是一张表（DataFrame）。", what)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        names = "、".join(f"{c}（{COLUMN_LABELS.get(c, c)}）" for c in missing)
        raise CourseInputError(f"「{what}」缺少这些列：{names}。", what)
    return df


def _stripped(df: pd.DataFrame) -> pd.DataFrame:
    """Cells as trimmed text; empty text becomes missing."""
    text = df.apply(lambda s: s.astype("string").str.strip())
    return text.mask(text.eq(""))


def _cells(mask: pd.DataFrame, shown: pd.DataFrame) -> pd.Series:
    """For each row with a True cell: "col=value、col=value" (columns in table order)."""
    hits = mask.stack()
    hits = hits[hits.astype(bool)]
    if hits.empty:
        return pd.Series(dtype="string")
    values = shown.stack().reindex(hits.index).fillna("").astype("string")
    columns = pd.Series(hits.index.get_level_values(1), index=hits.index, dtype="string")
    pairs = (columns + "=" + values).droplevel(1)
    return pairs.groupby(level=0, sort=False).agg("、".join)


def clean_survey(df: pd.DataFrame) -> CleanResult:
    """Drop blank, invalid and duplicate questionnaires (rules in the module docstring).

    ``df`` must have the columns of ``SURVEY_COLUMNS`` (others are kept as they are). Answer
    cells may hold numbers or text. A missing column raises :class:`CourseInputError`.
    """
    df = _require_frame(df, SURVEY_COLUMNS, "问卷表")
    data = df.reset_index(drop=True)
    rows = pd.Series(np.arange(len(data)) + 2, index=data.index)
    text = _stripped(data[list(SURVEY_COLUMNS)])

    answers = text[list(ANSWER_COLUMNS)].astype("string")
    numbers = answers.apply(lambda s: pd.to_numeric(s, errors="coerce")).astype("float64")
    present = answers.notna()
    finite = pd.DataFrame(
        np.isfinite(numbers.to_numpy()), index=data.index, columns=answers.columns
    )
    integral = finite & numbers.mod(1).eq(0)
    low = pd.Series({q.column: q.scale[0] for q in QUESTIONS if q.scale})
    high = pd.Series({q.column: q.scale[1] for q in QUESTIONS if q.scale})
    in_range = numbers.ge(low) & numbers.le(high)
    facts = text[list(FACT_COLUMNS)].astype("string")
    options = {q.column: list(q.values) for q in FACT_QUESTIONS}

    masks = {
        "not_a_number": present & ~finite,
        "not_integer": finite & ~integral,
        "out_of_range": integral & ~in_range,
        "not_an_option": facts.notna() & ~facts.isin(options),
    }
    shown_answers = answers.mask(integral, numbers.where(integral).astype("Int64").astype("string"))
    shown = dict.fromkeys(masks, shown_answers) | {"not_an_option": facts}

    ids = text[ID_COLUMN].astype("string")
    blank = ~present.any(axis=1)
    problem = pd.concat([m.any(axis=1) for m in masks.values()], axis=1).any(axis=1)
    invalid = ~blank & (problem | ids.isna())
    candidate = ~blank & ~invalid
    duplicate = candidate & ids.where(candidate).duplicated(keep="first")
    first_row = rows.where(candidate).groupby(ids.where(candidate)).transform("first")

    details = [
        prefix + _cells(masks[name].loc[invalid], shown[name].loc[invalid])
        for name, prefix in INVALID_DETAILS
    ]
    details.append(pd.Series(MISSING_ID_REASON, index=data.index[invalid & ids.isna()]))
    invalid_reason = pd.concat(details).groupby(level=0).agg("；".join)

    reason = pd.Series(pd.NA, index=data.index, dtype="string")
    reason[blank] = DROP_REASONS["blank"]
    reason[invalid] = invalid_reason.reindex(data.index[invalid])
    reason[duplicate] = (
        first_row[duplicate].astype("int64").map(lambda n: DUPLICATE_REASON.format(row=n))
    )

    kind = pd.Series(pd.NA, index=data.index, dtype="string")
    kind[blank] = DROP_REASONS["blank"]
    kind[invalid] = DROP_REASONS["invalid"]
    kind[duplicate] = DROP_REASONS["duplicate"]
    dropped = kind.notna()

    report = pd.DataFrame(
        {
            ID_COLUMN: ids[dropped],
            "row": rows[dropped].astype("int64"),
            "reason_type": kind[dropped],
            "reason": reason[dropped],
        }
    ).reset_index(drop=True)

    valid = df.copy()
    valid[list(SURVEY_COLUMNS)] = text.astype("string").set_axis(df.index)
    valid[list(ANSWER_COLUMNS)] = numbers.where(integral).astype("Int64").set_axis(df.index)
    valid = valid[~dropped.to_numpy()]
    counts = {label: int(kind.eq(label).sum()) for label in DROP_REASONS.values()}
    return CleanResult(valid=valid, report=report, counts=counts, total=len(df))


# -------------------------------------------------------------------------------- tallies

TALLY_COLUMNS: tuple[str, ...] = ("column", "question", "option", "label", "count", "percentage")


def _question(column: object) -> SurveyQuestion:
    if column not in QUESTION_BY_COLUMN:
        names = "、".join(f"{q.column}（{q.label}）" for q in ALL_QUESTIONS)
        raise CourseInputError(f"没有题目「{column}」。可统计的题目：{names}", "题目")
    return QUESTION_BY_COLUMN[column]


def _require_valid(valid: object, columns: Iterable[str]) -> pd.DataFrame:
    frame = _require_frame(valid, columns, "有效问卷表")
    if frame.empty:
        raise CourseInputError("「有效问卷表」中没有问卷，无法统计。", "有效问卷表")
    return frame


def _option_codes(valid: pd.DataFrame, question: SurveyQuestion) -> pd.Series:
    """Position of each answer among the options; unanswered → len(options)."""
    values = valid[question.column]
    answered = values.notna()
    codes = values.map({value: code for code, value in enumerate(question.values)})
    stray = answered & codes.isna()
    if stray.any():
        shown = "、".join(dict.fromkeys(map(str, values[stray])))
        raise CourseInputError(
            f"「{question.label}」中有不在选项内的答案：{shown}。请先用 clean_survey 清洗数据。",
            question.label,
        )
    return codes.fillna(len(question.options)).astype("int64")


def _group_keys(valid: pd.DataFrame, by: str | None) -> pd.Series:
    if by is None:
        return pd.Series("全班", index=valid.index)
    if by not in GROUP_COLUMNS:
        names = "、".join(f"{c}（{COLUMN_LABELS[c]}）" for c in GROUP_COLUMNS)
        raise CourseInputError(f"只能按这些列分组：{names}；现在是「{by}」。", "分组")
    return valid[by].astype("string").fillna(MISSING_KEY_LABEL)


def _tally(valid: pd.DataFrame, columns: Iterable[str], by: str | None) -> pd.DataFrame:
    """Long-format tally of ``columns``, per value of ``by`` (or the whole table)."""
    questions = [_question(c) for c in columns]
    valid = _require_valid(valid, [q.column for q in questions] + ([by] if by else []))
    keys = _group_keys(valid, by).rename("key")
    parts = []
    for question in questions:  # one crosstab per question, never a loop over rows
        n_codes = len(question.options) + 1
        counts = (
            pd.crosstab(keys, _option_codes(valid, question).rename("code"))
            .reindex(columns=range(n_codes), fill_value=0)
            .stack()
            .rename("count")
            .reset_index()
        )
        option_values = pd.Series([*question.values, pd.NA], dtype="object")
        option_labels = pd.Series([label for _, label in question.options] + [UNANSWERED_LABEL])
        counts["column"] = question.column
        counts["question"] = question.label
        counts["option"] = pd.Series(
            option_values[counts["code"]].to_numpy(), index=counts.index, dtype="object"
        )
        counts["label"] = option_labels[counts["code"]].to_numpy()
        parts.append(counts)
    long = pd.concat(parts, ignore_index=True)
    long["count"] = long["count"].astype("int64")
    totals = long.groupby(["key", "column"], sort=False)["count"].transform("sum")
    long["percentage"] = 100 * long["count"] / totals
    return long


def tally(valid: pd.DataFrame, column: str) -> pd.DataFrame:
    """Counts per option of one question over all valid questionnaires.

    One row per option of the scale or list (zero counts included) plus 未作答; columns
    ``TALLY_COLUMNS``; ``percentage`` = count ÷ all valid respondents × 100, so a question's
    percentages add up to 100. Works for the factual columns too.
    """
    return _tally(valid, [column], None)[list(TALLY_COLUMNS)]


def tally_all(valid: pd.DataFrame) -> pd.DataFrame:
    """``tally`` of every question (answers, then factual columns), stacked (long format)."""
    return _tally(valid, [q.column for q in ALL_QUESTIONS], None)[list(TALLY_COLUMNS)]


def group_tally(
    valid: pd.DataFrame, by: str = "group", columns: Iterable[str] | None = None
) -> pd.DataFrame:
    """Tally per group (``by="group"``) or per surveyor (``by="surveyor"``), long format.

    Columns: ``by`` then ``TALLY_COLUMNS``; percentages are within each group. ``columns``
    defaults to every question. This is the middle step of person → group → class.
    """
    columns = [q.column for q in ALL_QUESTIONS] if columns is None else list(columns)
    long = _tally(valid, columns, by).rename(columns={"key": by})
    return long[[by, *TALLY_COLUMNS]]


def class_table(group_tallies: pd.DataFrame) -> pd.DataFrame:
    """Add group (or surveyor) tallies into class totals, then turn counts into percentages.

    ``group_tallies`` is a ``group_tally`` result. Absolute counts are summed per question
    and option first; the percentage is then count ÷ the class's valid respondents × 100.
    (Averaging the groups' percentages instead would be wrong when groups differ in size.)
    The result has ``TALLY_COLUMNS`` and equals ``tally_all`` on the pooled data.
    """
    _require_frame(group_tallies, TALLY_COLUMNS, "各组统计表")
    keys = ["column", "question", "option", "label"]
    totals = group_tallies.groupby(keys, sort=False, dropna=False)["count"].sum().reset_index()
    totals["count"] = totals["count"].astype("int64")
    options = totals["option"].astype("object")
    totals["option"] = options.where(options.notna(), pd.NA)
    respondents = totals.groupby("column", sort=False)["count"].transform("sum")
    if respondents.eq(0).any():
        raise CourseInputError(
            "「各组统计表」中有题目的人数合计为 0，无法计算百分比。", "各组统计表"
        )
    totals["percentage"] = 100 * totals["count"] / respondents
    return totals[list(TALLY_COLUMNS)]


def most_common(valid: pd.DataFrame, column: str, by: str | None = None) -> pd.DataFrame:
    """The most common answer to a (factual) question, overall or per group / surveyor.

    The textbook's rule for factual questions. Unanswered is ignored; a tie goes to the
    option listed first; a group where nobody answered gets 未作答 with count 0. Columns:
    ``by`` (when given), ``column``, ``question``, ``answer`` (label), ``count``,
    ``percentage`` (of the group's valid respondents).
    """
    long = _tally(valid, [column], by)
    answered = long[long["label"].ne(UNANSWERED_LABEL)]
    top = answered.sort_values("count", ascending=False, kind="stable").groupby("key").head(1)
    top = top.set_index("key").reindex(long["key"].drop_duplicates()).reset_index()
    top["answer"] = top["label"].where(top["count"].gt(0), UNANSWERED_LABEL)
    result = top.rename(columns={"key": by or "key"})
    return result[[*([by] if by else []), "column", "question", "answer", "count", "percentage"]]


def group_table(valid: pd.DataFrame, by: str = "group") -> pd.DataFrame:
    """Per group (or surveyor): number of valid questionnaires and mean of every answer column.

    Columns: ``by``, ``n_valid``, then one mean per ``ANSWER_COLUMNS`` column (unanswered
    cells are left out of the mean; a question nobody in the group answered gives NaN).
    """
    valid = _require_valid(valid, [*ANSWER_COLUMNS, by] if by else ANSWER_COLUMNS)
    keys = _group_keys(valid, by).rename(by)
    answers = valid[list(ANSWER_COLUMNS)].astype("Float64")
    grouped = answers.groupby(keys)
    table = grouped.mean().astype("float64")
    table.insert(0, "n_valid", grouped.size().astype("int64"))
    return table.reset_index()


def mean_satisfaction(valid: pd.DataFrame) -> pd.DataFrame:
    """Mean score of q1–q6 and of the overall question (1–5 scales).

    One row per question: ``column``, ``question``, ``answered`` (respondents who answered),
    ``mean`` (over those; NaN when nobody answered).
    """
    valid = _require_valid(valid, SATISFACTION_COLUMNS)
    answers = valid[list(SATISFACTION_COLUMNS)].astype("Float64")
    return pd.DataFrame(
        {
            "column": list(SATISFACTION_COLUMNS),
            "question": [QUESTION_BY_COLUMN[c].label for c in SATISFACTION_COLUMNS],
            "answered": answers.notna().sum().astype("int64").to_numpy(),
            "mean": answers.mean().astype("float64").to_numpy(),
        }
    )


# ------------------------------------------------------------------------------------ NPS


@dataclass(frozen=True)
class NpsResult:
    """Net Promoter Score of a set of 0–10 answers. Shares are percentages (0–100)."""

    n: int  # answers counted (unanswered left out)
    counts: dict[str, int]  # NPS_BANDS key → count
    shares: dict[str, float]  # NPS_BANDS key → % of n
    nps: float  # % promoters − % detractors, in −100..100

    @property
    def summary(self) -> str:
        """One Chinese sentence with the shares and the score."""
        parts = "、".join(f"{b.label} {self.shares[b.key]:.1f}%" for b in NPS_BANDS)
        return f"共 {self.n} 人作答：{parts}；净推荐值（NPS）= {self.nps:.1f}。"


def nps(recommend: pd.Series) -> NpsResult:
    """Net Promoter Score of the ``recommend`` answers (missing answers are left out).

    Answers must be whole numbers 0–10; anything else, or no answer at all, raises
    :class:`CourseInputError`.
    """
    question = QUESTION_BY_COLUMN["recommend"]
    label = question.label
    low, high = RECOMMEND_SCALE
    rule = f"只能是 {low}–{high} 的整数"
    if not isinstance(recommend, pd.Series):
        recommend = pd.Series(list(recommend) if isinstance(recommend, Iterable) else [recommend])
    answered = recommend.dropna()
    if answered.empty:
        raise CourseInputError(f"「{label}」没有任何回答，无法计算 NPS。", label)
    if pd.api.types.is_bool_dtype(answered) or not pd.api.types.is_numeric_dtype(answered):
        is_number = answered.map(lambda v: isinstance(v, Real) and not isinstance(v, bool))
        if not is_number.astype(bool).all():
            shown = "、".join(dict.fromkeys(map(repr, answered[~is_number.astype(bool)])))
            raise CourseInputError(f"「{label}」{rule}（数字），现在有：{shown}", label)
    numbers = pd.to_numeric(answered, errors="coerce").astype("float64")
    bad = answered[~(numbers.mod(1).eq(0) & numbers.between(low, high))]
    if not bad.empty:
        shown = "、".join(dict.fromkeys(map(str, bad)))
        raise CourseInputError(f"「{label}」{rule}，现在有：{shown}", label)
    counts = {b.key: int(numbers.between(b.low, b.high).sum()) for b in NPS_BANDS}
    n = len(numbers)
    shares = {key: 100 * count / n for key, count in counts.items()}
    return NpsResult(n, counts, shares, shares["promoters"] - shares["detractors"])
