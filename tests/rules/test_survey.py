"""Tests for crmlab.rules.survey: cleaning, tallies (person → group → class), means and NPS."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlab.rules.checks import CourseInputError
from crmlab.rules.survey import (
    ANSWER_COLUMNS,
    DROP_REASONS,
    NPS_BANDS,
    QUESTIONS,
    SURVEY_COLUMNS,
    UNANSWERED_LABEL,
    class_table,
    clean_survey,
    group_table,
    group_tally,
    mean_satisfaction,
    most_common,
    nps,
    tally,
    tally_all,
)

ANSWERS = dict.fromkeys(("q1", "q2", "q3", "q4", "q5", "q6", "overall"), 4) | {"recommend": 9}


def row(rid: str = "R0001", **changes: object) -> dict[str, object]:
    """One questionnaire, fully and validly answered unless changed."""
    base = {
        "respondent_id": rid,
        "group": "第1组",
        "surveyor": "张三",
        "gender": "男",
        "age_band": "18-25",
        "channel": "网络",
        **ANSWERS,
    }
    return base | changes


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(SURVEY_COLUMNS))


BLANK = dict.fromkeys(ANSWER_COLUMNS)


def reasons(result) -> list[str]:
    return result.report["reason"].tolist()


# ------------------------------------------------------------------------------ questions


def test_questions_are_the_briefs_items_and_scales():
    """Are the answer columns q1–q6, overall and recommend with their labels and scales?"""
    assert [(q.column, q.label) for q in QUESTIONS[:6]] == [
        ("q1", "产品质量"),
        ("q2", "价格"),
        ("q3", "服务态度"),
        ("q4", "响应速度"),
        ("q5", "售后服务"),
        ("q6", "购物环境"),
    ]
    assert {q.column: q.scale for q in QUESTIONS} == dict.fromkeys(
        ("q1", "q2", "q3", "q4", "q5", "q6", "overall"), (1, 5)
    ) | {"recommend": (0, 10)}


def test_satisfaction_options_run_from_very_unhappy_to_very_happy():
    """Are options 1 and 5 labelled 很不满意 and 很满意?"""
    labels = QUESTIONS[0].option_labels
    assert (labels[1], labels[5]) == ("很不满意", "很满意")
    assert list(labels) == [1, 2, 3, 4, 5]


# ------------------------------------------------------------------------------- cleaning


def test_valid_questionnaire_is_kept_with_integer_answers():
    """Is a valid questionnaire kept, its answers as nullable integers?"""
    result = clean_survey(frame(row()))
    assert len(result.valid) == 1 and result.report.empty
    assert all(result.valid[c].dtype == "Int64" for c in ANSWER_COLUMNS)


def test_blank_questionnaire_is_dropped_with_its_csv_line():
    """Is a questionnaire with every answer empty dropped as 空白问卷 at line index + 2?"""
    result = clean_survey(frame(row("R1"), row("R2", **BLANK)))
    assert result.report.to_dict("records") == [
        {"respondent_id": "R2", "row": 3, "reason_type": "空白问卷", "reason": "空白问卷"}
    ]


def test_blank_cells_may_be_empty_strings():
    """Are empty or whitespace-only strings treated as empty cells?"""
    result = clean_survey(frame(row(**dict.fromkeys(ANSWER_COLUMNS, " "))))
    assert result.counts["空白问卷"] == 1


def test_filled_background_does_not_save_a_blank_questionnaire():
    """Is a questionnaire with only background answers still blank?"""
    result = clean_survey(frame(row(**BLANK, gender="女", channel="路过")))
    assert reasons(result) == ["空白问卷"]


def test_one_answer_is_enough_not_to_be_blank():
    """Is a questionnaire with a single answer kept (not blank)?"""
    result = clean_survey(frame(row(**(BLANK | {"q4": 3}))))
    assert len(result.valid) == 1


@pytest.mark.parametrize(
    ("column", "value", "kept"),
    [
        ("q3", 0, False),
        ("q3", 1, True),
        ("q3", 5, True),
        ("q3", 6, False),
        ("overall", 6, False),
        ("recommend", -1, False),
        ("recommend", 0, True),
        ("recommend", 10, True),
        ("recommend", 11, False),
    ],
)
def test_scale_boundaries(column, value, kept):
    """Are answers at the ends of their scale kept and one step outside dropped?"""
    result = clean_survey(frame(row(**{column: value})))
    assert (len(result.valid) == 1) is kept


def test_out_of_range_reason_names_the_cell():
    """Does the reason read 答案超出范围：q3=6?"""
    assert reasons(clean_survey(frame(row(q3=6)))) == ["答案超出范围：q3=6"]


def test_non_numeric_answer_is_invalid():
    """Is text in an answer cell dropped as 答案不是数字?"""
    result = clean_survey(frame(row(q2="很好")))
    assert result.report["reason_type"].tolist() == ["无效问卷"]
    assert reasons(result) == ["答案不是数字：q2=很好"]


def test_fractional_answer_is_invalid():
    """Is 3.5 on a 1–5 scale dropped as not a whole number?"""
    assert reasons(clean_survey(frame(row(q1=3.5)))) == ["答案不是整数：q1=3.5"]


def test_numeric_text_is_accepted():
    """Is ' 4 ' (a number typed as text) accepted as 4?"""
    result = clean_survey(frame(row(q1=" 4 ", q2="5.0")))
    assert result.valid[["q1", "q2"]].iloc[0].tolist() == [4, 5]


def test_every_problem_of_a_row_is_listed():
    """Are all bad cells of one questionnaire listed in its reason?"""
    result = clean_survey(frame(row(q1="abc", q3=6, q5=0, recommend=11)))
    assert reasons(result) == ["答案不是数字：q1=abc；答案超出范围：q3=6、q5=0、recommend=11"]


def test_unknown_factual_option_is_invalid():
    """Is a channel that is not one of the options dropped as invalid?"""
    assert reasons(clean_survey(frame(row(channel="电视")))) == ["答案不在选项中：channel=电视"]


def test_missing_respondent_id_is_invalid():
    """Is a questionnaire without a number dropped as invalid?"""
    assert reasons(clean_survey(frame(row(None)))) == ["缺少问卷编号（respondent_id）"]


def test_duplicate_keeps_the_first():
    """Is a repeated respondent_id dropped, naming the line of the one kept?"""
    result = clean_survey(frame(row("R1", q1=5), row("R2"), row("R1", q1=1)))
    assert result.valid["q1"].tolist() == [5, 4]
    assert reasons(result) == ["重复问卷：与第 2 行相同编号"]
    assert result.report["row"].tolist() == [4]


def test_duplicate_ids_are_compared_without_spaces():
    """Is ' R1' the same questionnaire as 'R1'?"""
    assert clean_survey(frame(row("R1"), row(" R1"))).counts["重复问卷"] == 1


def test_first_of_a_duplicate_pair_dropped_for_another_reason_keeps_the_second():
    """When the first R1 is invalid, is the second R1 kept (not a duplicate)?"""
    result = clean_survey(frame(row("R1", q1=9), row("R1")))
    assert len(result.valid) == 1
    assert result.report["reason_type"].tolist() == ["无效问卷"]


def test_partial_questionnaire_stays_with_missing_answers():
    """Is a partly answered questionnaire kept, its skipped answers missing?"""
    result = clean_survey(frame(row(q2=None, recommend=None)))
    assert len(result.valid) == 1
    assert result.valid[["q2", "recommend"]].isna().all(axis=None)


def test_counts_list_every_reason():
    """Are counts given for every reason, zeros included?"""
    result = clean_survey(frame(row("R1"), row("R2", **BLANK)))
    assert result.counts == {"空白问卷": 1, "无效问卷": 0, "重复问卷": 0}
    assert list(result.counts) == list(DROP_REASONS.values())


def test_csv_lines_match_the_report():
    """Read from CSV text, do report rows point at the right lines?"""
    text = (
        ",".join(SURVEY_COLUMNS) + "\n"
        "R1,第1组,张三,男,18-25,网络,4,4,4,4,4,4,4,9\n"
        "R2,第1组,张三,,,网络,,,,,,,,\n"
        "R3,第1组,张三,女,60以上,路过,4,4,7,4,4,4,4,9\n"
    )
    result = clean_survey(pd.read_csv(io.StringIO(text)))
    assert result.report[["respondent_id", "row"]].values.tolist() == [["R2", 3], ["R3", 4]]
    assert reasons(result)[1] == "答案超出范围：q3=7"


def test_summary_sentence():
    """Does the summary say how many were read, kept and dropped?"""
    result = clean_survey(frame(row("R1"), row("R2", **BLANK)))
    assert (
        result.summary
        == "共读入 2 份问卷，有效问卷 1 份；剔除空白问卷 1 份、无效问卷 0 份、重复问卷 0 份。"
    )


def test_input_table_is_left_unchanged():
    """Does cleaning leave the caller's table as it was?"""
    raw = frame(row("R1", q1=" 4 "), row("R1"), row("R2", **BLANK))
    before = raw.copy()
    clean_survey(raw)
    pd.testing.assert_frame_equal(raw, before)


def test_empty_table_cleans_to_nothing():
    """Does an empty table give an empty result rather than an error?"""
    result = clean_survey(frame())
    assert result.valid.empty and result.report.empty and result.total == 0


def test_missing_column_is_a_chinese_error():
    """Is a table without the recommend column refused, naming it?"""
    with pytest.raises(CourseInputError, match="recommend（推荐意愿"):
        clean_survey(frame(row()).drop(columns="recommend"))


def test_not_a_table_is_refused():
    """Is something other than a DataFrame refused?"""
    with pytest.raises(CourseInputError, match="DataFrame"):
        clean_survey([row()])  # type: ignore[arg-type]


# --------------------------------------------------------------------------------- tallies


def valid_of(*rows: dict[str, object]) -> pd.DataFrame:
    return clean_survey(frame(*rows)).valid


def test_tally_lists_every_option_and_unanswered():
    """Does a tally have a row for each of 1–5 (zeros too) plus 未作答?"""
    table = tally(valid_of(row("R1", q3=5), row("R2", q3=None)), "q3")
    assert table["label"].tolist() == ["很不满意", "不满意", "一般", "满意", "很满意", "未作答"]
    assert table["count"].tolist() == [0, 0, 0, 0, 1, 1]


def test_tally_percentages_are_over_all_valid_respondents():
    """Is each percentage over all valid respondents, so they add up to 100?"""
    table = tally(valid_of(row("R1", q3=5), row("R2", q3=4), row("R3", q3=None), row("R4")), "q3")
    assert table["percentage"].tolist() == [0, 0, 0, 50, 25, 25]


def test_tally_of_recommend_has_eleven_options():
    """Does the 0–10 question tally 11 options plus 未作答?"""
    assert len(tally(valid_of(row()), "recommend")) == 12


def test_tally_of_a_factual_column():
    """Is a factual column tallied over its named options?"""
    table = tally(valid_of(row("R1", channel="路过"), row("R2", channel=None)), "channel")
    assert dict(zip(table["label"], table["count"], strict=True)) == {
        "朋友推荐": 0,
        "网络": 0,
        "广告": 0,
        "路过": 1,
        "其他": 0,
        UNANSWERED_LABEL: 1,
    }


def test_tally_unknown_column_is_an_error():
    """Is a column that is not a question refused?"""
    with pytest.raises(CourseInputError, match="没有题目「q9」"):
        tally(valid_of(row()), "q9")


def test_tally_of_no_valid_questionnaires_is_an_error():
    """Is an empty valid table refused instead of giving 0/0?"""
    with pytest.raises(CourseInputError, match="没有问卷"):
        tally(valid_of(row(**BLANK)), "q1")


def test_tally_refuses_uncleaned_answers():
    """Is an out-of-scale value (data not cleaned) refused with advice?"""
    with pytest.raises(CourseInputError, match="clean_survey"):
        tally(frame(row(q1=7)), "q1")


def test_tally_all_covers_every_question_each_summing_to_100():
    """Does tally_all include all 11 questions, each adding up to 100%?"""
    table = tally_all(valid_of(row("R1"), row("R2", q1=None, gender=None)))
    sums = table.groupby("column")["percentage"].sum()
    assert len(sums) == 11
    assert sums.tolist() == pytest.approx([100] * 11)


def test_most_common_answer_per_group():
    """Is the most common channel reported per group?"""
    valid = valid_of(
        row("R1", channel="路过"),
        row("R2", channel="路过"),
        row("R3", channel="网络"),
        row("R4", group="第2组", channel="广告"),
    )
    table = most_common(valid, "channel", by="group")
    assert table[["group", "answer", "count"]].values.tolist() == [
        ["第1组", "路过", 2],
        ["第2组", "广告", 1],
    ]


def test_most_common_tie_goes_to_the_first_option():
    """On a tie, is the option listed first reported?"""
    valid = valid_of(row("R1", channel="其他"), row("R2", channel="网络"))
    assert most_common(valid, "channel")["answer"].tolist() == ["网络"]


def test_most_common_when_nobody_answered():
    """Is 未作答 reported when nobody answered?"""
    assert most_common(valid_of(row(gender=None)), "gender")["answer"].tolist() == ["未作答"]


# ---------------------------------------------------------------------- group and class


def test_group_table_counts_and_means():
    """Does the group table give each group's valid count and mean score?"""
    valid = valid_of(row("R1", q1=5), row("R2", q1=3), row("R3", group="第2组", q1=2))
    table = group_table(valid).set_index("group")
    assert table["n_valid"].to_dict() == {"第1组": 2, "第2组": 1}
    assert table.loc["第1组", "q1"] == 4 and table.loc["第2组", "q1"] == 2


def test_group_table_means_leave_out_unanswered():
    """Is a skipped answer left out of the mean, not counted as 0?"""
    table = group_table(valid_of(row("R1", q2=5), row("R2", q2=None)))
    assert table.loc[0, "q2"] == 5


def test_group_table_by_surveyor():
    """Can the table be made per surveyor (the person level)?"""
    valid = valid_of(row("R1"), row("R2", surveyor="李四"))
    assert group_table(valid, by="surveyor")["surveyor"].tolist() == ["张三", "李四"]


def test_group_table_refuses_other_columns():
    """Is grouping by a column other than group or surveyor refused?"""
    with pytest.raises(CourseInputError, match="只能按这些列分组"):
        group_table(valid_of(row()), by="gender")


def test_group_tally_percentages_are_within_each_group():
    """Are group percentages taken over that group's respondents?"""
    valid = valid_of(row("R1", q1=5), row("R2", group="第2组", q1=5), row("R3", group="第2组"))
    table = group_tally(valid, columns=["q1"])
    top = table[table["option"].eq(5)].set_index("group")["percentage"]
    assert top.to_dict() == {"第1组": 100, "第2组": 50}


def test_class_table_sums_counts_before_percentages():
    """With groups of 1 and 3, is the class share 3/4, not the mean of group shares?"""
    valid = valid_of(
        row("R1", q1=5),
        row("R2", group="第2组", q1=5),
        row("R3", group="第2组", q1=5),
        row("R4", group="第2组", q1=1),
    )
    groups = group_tally(valid, columns=["q1"])
    pooled = class_table(groups).set_index("label").loc["很满意"]
    naive = groups[groups["option"].eq(5)]["percentage"].mean()
    assert (pooled["count"], pooled["percentage"]) == (3, 75)
    assert naive == pytest.approx(100 * (1 + 2 / 3) / 2)  # 83.3…: why counts come first


def test_class_table_from_surveyors_equals_class_table_from_groups():
    """Does person → class give the same totals as group → class?"""
    valid = valid_of(row("R1"), row("R2", surveyor="李四", q1=2), row("R3", group="第2组"))
    by_person = class_table(group_tally(valid, by="surveyor"))
    by_group = class_table(group_tally(valid, by="group"))
    pd.testing.assert_frame_equal(by_person, by_group)


def test_class_table_refuses_a_table_without_counts():
    """Is a table without the tally columns refused?"""
    with pytest.raises(CourseInputError, match="count"):
        class_table(pd.DataFrame({"column": ["q1"]}))


answer = st.one_of(st.none(), st.integers(1, 5))
respondent = st.fixed_dictionaries(
    {
        "group": st.sampled_from(["第1组", "第2组", "第3组"]),
        "surveyor": st.sampled_from(["张三", "李四", "王五"]),
        "q1": answer,
        "q3": answer,
        "recommend": st.one_of(st.none(), st.integers(0, 10)),
        "channel": st.sampled_from([None, "朋友推荐", "网络", "路过"]),
    }
)


@pytest.mark.slow
@settings(max_examples=25)
@given(st.lists(respondent, min_size=1, max_size=30))
def test_class_percentages_equal_pooled_percentages(people):
    """For any class, do class percentages from group tallies equal the pooled tally?"""
    rows = [row(f"R{i:04d}", **person) for i, person in enumerate(people)]
    valid = valid_of(*rows)
    columns = ["q1", "q3", "recommend", "channel"]
    from_groups = class_table(group_tally(valid, columns=columns))
    pooled = tally_all(valid)
    pooled = pooled[pooled["column"].isin(columns)].reset_index(drop=True)
    assert from_groups["count"].tolist() == pooled["count"].tolist()
    assert from_groups["percentage"].tolist() == pytest.approx(pooled["percentage"].tolist())
    assert from_groups["label"].tolist() == pooled["label"].tolist()


# ----------------------------------------------------------------------------------- means


def test_mean_satisfaction_per_question_and_overall():
    """Are the means of q1–q6 and overall given with how many answered?"""
    table = mean_satisfaction(valid_of(row("R1", q1=5, overall=3), row("R2", q1=2, overall=None)))
    table = table.set_index("column")
    assert list(table.index) == ["q1", "q2", "q3", "q4", "q5", "q6", "overall"]
    assert (table.loc["q1", "mean"], table.loc["q1", "answered"]) == (3.5, 2)
    assert (table.loc["overall", "mean"], table.loc["overall", "answered"]) == (3, 1)


def test_mean_is_nan_when_nobody_answered():
    """Is the mean missing (not 0) for a question nobody answered?"""
    table = mean_satisfaction(valid_of(row(q6=None))).set_index("column")
    assert pd.isna(table.loc["q6", "mean"]) and table.loc["q6", "answered"] == 0


# ------------------------------------------------------------------------------------- NPS


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "detractors"),
        (6, "detractors"),
        (7, "passives"),
        (8, "passives"),
        (9, "promoters"),
        (10, "promoters"),
    ],
)
def test_nps_band_boundaries(score, band):
    """Do 0–6, 7–8 and 9–10 fall into detractors, passives and promoters?"""
    assert nps(pd.Series([score])).counts[band] == 1


def test_nps_is_promoters_minus_detractors():
    """With 5 promoters, 3 passives, 2 detractors of 10, is NPS 50 − 20 = 30?"""
    result = nps(pd.Series([10, 9, 9, 9, 10, 7, 8, 7, 0, 6]))
    assert result.shares == {"promoters": 50, "passives": 30, "detractors": 20}
    assert result.nps == 30


def test_nps_extremes():
    """Are all promoters 100 and all detractors −100?"""
    assert nps(pd.Series([9, 10])).nps == 100
    assert nps(pd.Series([0, 6])).nps == -100


def test_nps_leaves_out_missing_answers():
    """Are unanswered cells left out of the count?"""
    result = nps(pd.Series([10, None, 0], dtype="Int64"))
    assert (result.n, result.nps) == (2, 0)


def test_nps_bands_are_data():
    """Are the bands the standard 9–10 / 7–8 / 0–6?"""
    assert [(b.key, b.low, b.high) for b in NPS_BANDS] == [
        ("promoters", 9, 10),
        ("passives", 7, 8),
        ("detractors", 0, 6),
    ]


@pytest.mark.parametrize("values", [[], [None, None]])
def test_nps_of_nothing_is_an_error(values):
    """Is NPS of no answers refused?"""
    with pytest.raises(CourseInputError, match="没有任何回答"):
        nps(pd.Series(values, dtype="object"))


@pytest.mark.parametrize("bad", [11, -1, 9.5, "9", True])
def test_nps_refuses_values_outside_0_to_10(bad):
    """Is a value that is not a whole number 0–10 refused, naming the question?"""
    with pytest.raises(CourseInputError, match="推荐意愿"):
        nps(pd.Series([10, bad], dtype="object"))


@given(st.lists(st.integers(0, 10), min_size=1, max_size=50))
def test_nps_stays_within_its_range(scores):
    """For any answers, is NPS in −100..100 and do the three shares add up to 100?"""
    result = nps(pd.Series(scores))
    assert -100 <= result.nps <= 100
    assert sum(result.shares.values()) == pytest.approx(100)
    assert sum(result.counts.values()) == len(scores)
