"""Code exercises (crmlab.exercises.coding): the student's own variable or function is checked
against what the reference code gives on the sample data, with named outcomes and Chinese
sentences, never a traceback."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from crmlab.data import load_sample
from crmlab.exercises import coding, numeric
from crmlab.rules.checking import REVEAL_AFTER
from crmlab.rules.checks import CourseInputError
from crmlab.widgets import Exercise
from crmlab.widgets.exercise import CodeExercise

CUSTOMERS = load_sample("customers")
MAKERS = CUSTOMERS[(CUSTOMERS["industry"] == "制造") & (CUSTOMERS["order_amount"] > 100)
                   & (CUSTOMERS["overdue_count"] == 0)]


def nps_right(score):
    if score < 0 or score > 10:
        raise ValueError("超出范围")
    return "推荐者" if score >= 9 else "中立者" if score >= 7 else "贬损者"


def growth_right(table):
    result = table.copy()
    before = result["order_amount_prev1"]
    result["growth"] = (result["order_amount"] - before) / before.where(before != 0)
    return result


def check(exercise_id, **namespace):
    return coding.check(numeric.exercise(exercise_id), namespace)


@pytest.mark.slow
def test_every_code_exercise_accepts_its_own_reference_code():
    """Does each code exercise of lesson 03 call its reference code correct (the expected
    value is what that code gives on the sample data, so the check can be satisfied)?"""
    code = [e for e in numeric.load_exercises(3) if isinstance(e, coding.CodeExerciseData)]
    assert [e.id for e in code] == [f"L03-C{n:02d}" for n in range(1, 15)]
    for item in code:
        namespace = coding.sample_namespace(item.tables)
        exec(item.solution, namespace)
        result = coding.check(item, namespace)
        assert (result.outcome, result.label) == ("correct", "正确"), (item.id, result.message)
        assert item.explanation in result.message


@pytest.mark.parametrize(("namespace", "words"), [
    ({}, "还没有定义「big_makers」"),
    ({"big_makers": None}, "还没有定义「big_makers」"),
])
def test_an_undefined_or_placeholder_variable_is_not_attempted(namespace, words):
    result = check("L03-C02", **namespace)
    assert (result.outcome, result.label) == ("unanswered", "未作答") and words in result.message


def test_a_function_stub_is_not_attempted():
    """Is the lesson's stub (raise NotImplementedError()) 未作答, not 错误?"""
    def nps_group(score):
        raise NotImplementedError()

    result = check("L03-C01", nps_group=nps_group)
    assert result.outcome == "unanswered" and "NotImplementedError" in result.message


@pytest.mark.parametrize(("given", "words"), [
    (MAKERS["name"], "应当是一张数据表（DataFrame），现在是一个序列（Series）"),
    (len(MAKERS), "现在是一个整数"),
    (MAKERS[["name", "order_amount", "region"]], "多了这些列：region"),
    (MAKERS[["name"]], "少了这些列：order_amount"),
    (CUSTOMERS[(CUSTOMERS["industry"] == "制造") & (CUSTOMERS["order_amount"] >= 50)][
        ["name", "order_amount"]], "多了这些行"),
    (MAKERS[["name", "order_amount"]].iloc[1:], "少了这些行"),
    (MAKERS[["name", "order_amount"]].reset_index(drop=True), "不要重新编号"),
    (MAKERS[["name", "order_amount"]].assign(order_amount=lambda t: t["order_amount"] / 10),
     "「order_amount」是"),
])
def test_a_wrong_table_says_what_is_wrong(given, words):
    """Does a wrong type, wrong columns, wrong rows or a wrong value each get its own sentence,
    showing a little of the difference and never the whole answer?"""
    result = check("L03-C02", big_makers=given)
    assert (result.outcome, result.label) == ("incorrect", "错误")
    assert words in result.message, result.message
    shown = [name for name in MAKERS["name"] if name in result.message]
    assert len(shown) <= coding.SHOWN


def test_a_wrong_value_names_the_row_and_both_values():
    wrong = MAKERS[["name", "order_amount"]].copy()
    first = wrong.index[0]
    wrong.loc[first, "order_amount"] = 1.0
    message = check("L03-C02", big_makers=wrong).message
    assert str(first) in message and MAKERS.at[first, "name"] in message
    assert "是 1，应当是" in message and f"{MAKERS.at[first, 'order_amount']:.6g}" in message


def test_a_grouped_table_may_keep_the_group_as_a_column_but_not_miss_a_group():
    table = CUSTOMERS.groupby("region").agg(客户数=("customer_id", "count"),
                                            订单总额=("order_amount", "sum"))
    assert check("L03-C04", by_region=table.reset_index()).outcome == "correct"
    result = check("L03-C04", by_region=table.iloc[1:])
    assert result.outcome == "incorrect" and table.index[0] in result.message
    means = CUSTOMERS.groupby("region").agg(客户数=("customer_id", "count"),
                                            订单总额=("order_amount", "mean"))
    assert "「订单总额」是" in check("L03-C04", by_region=means).message


@pytest.mark.parametrize(("function", "words"), [
    (lambda score: "推荐者" if score >= 9 else "中立者" if score > 7 else "贬损者",
     "nps_group(7) 返回的结果是 '贬损者'，应当是 '中立者'。"),
    (lambda score: "推荐者" if score >= 9 else "中立者" if score >= 7 else "贬损者",
     "nps_group(-1) 应当用 raise ValueError"),
    (lambda score: {"推荐": 1}[score], "用 nps_group(10) 调用你的函数时出错：KeyError：10"),
    (lambda score: None, "忘了写 return"),
    (lambda score: 9, "应当是一段文字，现在是一个整数"),
    ("推荐者", "应当是一个函数"),
])
def test_a_wrong_function_names_the_call_that_failed(function, words):
    """Does a wrong result, a missing raise, an exception (as a sentence, not a traceback), a
    missing return and a non-function each name the call?"""
    result = check("L03-C01", nps_group=function)
    assert result.outcome == "incorrect" and words in result.message, result.message
    assert "Traceback" not in result.message


def test_a_wrong_single_value_of_a_variable_does_not_give_the_answer():
    """Does a wrong number in a variable say 不对 without the right number (that would be the
    whole answer), while a function's wrong call names the right result for that one input?"""
    item = coding.build({**CODE_ITEM, "id": "L02-C01"}, "L02-C01", pytest.fail)
    result = coding.check(item, {"total": 1.5})
    assert result.message == "「total」是 1.5，不对。"
    assert f"{item.expected:.6g}" not in result.message


def test_a_function_must_not_change_the_table_it_is_given():
    def in_place(table):
        table["growth"] = 0.0
        return growth_right(table.drop(columns="growth"))

    assert check("L03-C03", add_growth=growth_right).outcome == "correct"
    result = check("L03-C03", add_growth=in_place)
    assert result.outcome == "incorrect" and "修改了传进来的表" in result.message


def test_division_by_zero_is_a_wrong_value_for_a_new_customer():
    def no_where(table):
        result = table.copy()
        result["growth"] = (result["order_amount"] - result["order_amount_prev1"]) / result[
            "order_amount_prev1"]
        return result

    message = check("L03-C03", add_growth=no_where).message
    assert "inf" in message and "应当是 空值 NaN" in message and "order_amount_prev1\"] == 0" in message


def test_hints_come_in_tiers_and_the_solution_on_request():
    item = numeric.exercise("L03-C04")
    assert coding.hint(item).startswith("提示 1/2：") and item.hints[0] in coding.hint(item)
    assert item.hints[1] in coding.hint(item, 2)
    assert "没有更多提示" in coding.hint(item, 3)
    widget = Exercise("L03-C04")
    assert isinstance(widget, CodeExercise) and widget.solution_html.value == ""
    widget.hint()
    assert "提示 1/2" in widget.hint_html.value
    widget.hint()
    assert "提示 2/2" in widget.hint_html.value
    widget.hint(1)
    assert "提示 1/2" in widget.hint_html.value
    widget.solution()
    assert "groupby(&quot;region&quot;)" in widget.solution_html.value
    assert item.explanation in widget.solution_html.value


def test_the_widget_checks_a_namespace_and_offers_the_answer_after_wrong_tries():
    """Does Exercise("L03-C01") read the given namespace on each check (like globals() in a
    notebook), show the outcome, and show 「查看答案」 only after REVEAL_AFTER wrong checks?"""
    namespace: dict = {}
    widget = Exercise("L03-C01").check(namespace)
    assert widget.outcome == "unanswered" and "未作答" in widget.feedback.value
    namespace["nps_group"] = lambda score: "推荐者"
    for _ in range(REVEAL_AFTER):
        assert widget.reveal_button.layout.display == "none"
        widget.check_button.click()
        assert widget.outcome == "incorrect" and "<b>错误</b>" in widget.feedback.value
    assert widget.reveal_button.layout.display is None
    namespace["nps_group"] = nps_right
    widget.check_button.click()
    assert widget.outcome == "correct" and "正确" in widget.feedback.value


def test_the_widget_outside_a_notebook_is_not_attempted():
    """Outside a kernel (no IPython shell) is the exercise shown as 未作答, with no error?"""
    assert Exercise("L03-C02").outcome == "unanswered"


def test_the_nps_exercise_agrees_with_the_course_model():
    """Does the reference function of L03-C01 give the survey model's band for every score?"""
    from crmlab.rules.survey import NPS_BANDS

    item = numeric.exercise("L03-C01")
    namespace: dict = {}
    exec(item.solution, namespace)
    for band in NPS_BANDS:
        for score in range(band.low, band.high + 1):
            assert namespace["nps_group"](score) == band.label


CODE_ITEM = {"id": "L02-C01", "kind": "code", "name": "total", "prompt": "题干？",
             "tables": ["customers"], "solution": "total = customers['order_amount'].sum()",
             "hints": ["提示。"], "explanation": "解析。"}


@pytest.mark.parametrize(("change", "words"), [
    ({"id": "L02-E01"}, "代码题的题号用字母 C"),
    ({"name": "1x"}, "「name」"),
    ({"hints": []}, "「hints」"),
    ({"solution": "total = 1 / 0"}, "参考代码运行出错"),
    ({"name": "other"}, "没有定义「other」"),
    ({"cases": ["1"]}, "函数题要写「cases」"),
])
def test_a_broken_code_exercise_is_reported_in_chinese(change, words):
    data = {"lesson": 2, "exercises": [{**CODE_ITEM, **change}]}
    with pytest.raises(CourseInputError, match=words) as raised:
        numeric.parse_file(yaml.safe_load(yaml.safe_dump(data, allow_unicode=True)),
                             "exercises02.yml")
    assert "exercises02.yml" in str(raised.value)


SURVEY = load_sample("survey")
CHANNELS = pd.concat([SURVEY[SURVEY["group"] == g]["channel"].value_counts() for g in ("第1组", "第2组")])


def _without_abs(table):
    plan = table[["name"]].copy()
    plan["way"] = table["communication"].map({"顺畅": "电话回访", "一般": "电话回访", "困难": "上门拜访"})
    plan["swing"] = table["order_amount"] - table["order_amount_prev1"] > 20  # only increases
    return plan


def _share(answers, rounded=True, ordered=True, reject=True):
    given = pd.Series(answers, dtype=float).dropna()
    if reject and given.empty:
        raise ValueError("空")
    share = given.value_counts() / len(given) * 100
    share = share.sort_index() if ordered else share.sort_index(ascending=False)
    return share.round(1) if rounded else share


@pytest.mark.parametrize(("exercise_id", "name", "wrong", "words"), [
    ("L03-C10", "spin_check", lambda q: (sum(k == "S" for k, _ in q) / len(q), sum(k == "I" for k, _ in q)),
     "返回的结果是 ("),
    ("L03-C10", "spin_check", lambda q: (sum(k == "S" for k, _ in q) / max(len(q), 1),
                                         sum(k in "IN" for k, _ in q)), "应当用 raise ValueError"),
    ("L03-C11", "overall_mark", lambda t: (round(t["自评"] * 0.2 + t["互评"] * 0.2 + t["师评"] * 0.6, 1),
                                           t["自评"] - t["师评"] > 10), "返回的结果是 ("),
    ("L03-C12", "follow_up", _without_abs, "「swing」是 False，应当是 True"),
    ("L03-C13", "channel_total", CHANNELS.groupby(level=0).sum(), "少了这些行（行索引）：合计"),
    ("L03-C13", "channel_total", pd.concat([CHANNELS.groupby(level=0).sum(),
                                            pd.Series({"合计": CHANNELS.sum()})]), "顺序却不对：第 1 行是"),
    ("L03-C14", "score_share", lambda a: _share(a, ordered=False), "顺序却不对：第 1 行是 5.0"),
    ("L03-C14", "score_share", lambda a: _share(a, rounded=False), "应当是"),
    ("L03-C14", "score_share", lambda a: _share(a, reject=False), "应当用 raise ValueError"),
])
def test_an_answer_that_skips_what_the_exercise_practises_is_wrong(exercise_id, name, wrong, words):
    """Is an answer that leaves out the construct an exercise is for (abs, the I and N types,
    the 「合计」 row and the order of reindex or sort_index, rounding, rejecting no answers)
    called wrong, with a sentence that says where?"""
    result = check(exercise_id, **{name: wrong})
    assert result.outcome == "incorrect", result.message
    assert words in result.message, result.message


def test_the_order_check_names_a_row_without_giving_the_order():
    """Does the order message name the first row out of place but not the order asked for?"""
    item = numeric.exercise("L03-C13")
    reordered = item.expected.iloc[::-1]
    message = coding.order_difference("「channel_total」", reordered, item.expected)
    assert message.startswith("「channel_total」的每一行都对了，顺序却不对：第 1 行是 合计")
    assert "朋友推荐" not in message
    assert coding.order_difference("「x」", item.expected, item.expected) is None
