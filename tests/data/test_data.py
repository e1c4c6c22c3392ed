"""Tests of crmlab.data: the sample tables, their generator, schemas and validated loading."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab.data import (
    AS_OF,
    DATA_DIR,
    LABELS,
    SCHEMAS,
    SURVEY_DEFECTS,
    DataValidationError,
    Problem,
    generate_all,
    load_sample,
    load_table,
    read_table,
    validate_file,
    validate_table,
)
from crmlab.data import io as data_io
from crmlab.data.generate import YEARS, generate_customers_and_orders
from crmlab.data.schemas import SURVEY_ANSWERS, SURVEY_ITEMS
from crmlab.rules.checks import CourseInputError
from crmlab.rules.grading import BASE_BANDS
from crmlab.rules.survey import DROP_REASONS, RECOMMEND_SCALE, SATISFACTION_SCALE, clean_survey
from tests.support import ROOT

TABLES = ("customers", "orders", "credit_files", "receivables", "survey")


@pytest.fixture(scope="module")
def samples() -> dict[str, pd.DataFrame]:
    return {name: load_sample(name) for name in TABLES}


@pytest.fixture(scope="module")
def raw_survey() -> pd.DataFrame:
    """The survey as text, exactly as written (empty cells as NaN)."""
    return pd.read_csv(DATA_DIR / "survey.csv", dtype=str, encoding="utf-8-sig")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def sample_lines(name: str, count: int) -> list[str]:
    """The header and the first ``count - 1`` data lines of a bundled table."""
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8-sig") as handle:
        return [next(handle).rstrip("\n") for _ in range(count)]


def set_cell(lines: list[str], line: int, column: str, value: str) -> list[str]:
    """A copy of CSV ``lines`` with one cell replaced (``line`` counts from 1, the header)."""
    header = lines[0].split(",")
    changed = list(lines)
    cells = changed[line - 1].split(",")
    cells[header.index(column)] = value
    changed[line - 1] = ",".join(cells)
    return changed


def problems_of(path: Path, schema: str) -> list[Problem]:
    with pytest.raises(DataValidationError) as caught:
        load_table(path, schema)
    return caught.value.problems


# --- generator -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_regenerating_gives_the_committed_files_byte_for_byte(tmp_path):
    """Does the default seed rebuild exactly the CSVs that are committed in data/?"""
    written = generate_all(tmp_path)
    assert set(written) == set(TABLES)
    for name, path in written.items():
        assert path == tmp_path / f"{name}.csv"
        assert path.read_bytes() == (DATA_DIR / f"{name}.csv").read_bytes(), name


@pytest.mark.slow
def test_another_seed_gives_other_data():
    """Does the seed matter, i.e. is the generator not a constant?"""
    _, default_orders = generate_customers_and_orders()
    _, other_orders = generate_customers_and_orders(seed=7)
    assert not default_orders["amount"].head(100).equals(other_orders["amount"].head(100))


def test_files_are_utf8_with_a_bom_without_index_column():
    """Are the CSVs UTF-8 with a BOM (Excel on a Chinese Windows opens them by double-click
    without garbling), with the schema's columns first and no index column?"""
    for name in TABLES:
        raw = (DATA_DIR / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        header = raw.decode("utf-8-sig").splitlines()[0].split(",")
        assert header == list(SCHEMAS[name].columns)


@pytest.mark.parametrize("name", TABLES)
def test_each_sample_passes_its_schema(name):
    """Does every bundled table validate against its own schema?"""
    assert validate_file(DATA_DIR / f"{name}.csv", name) == []


def test_sizes_and_identifiers(samples):
    """Are there ≥ 300 customers with unique ids and names and ≥ 20,000 orders?"""
    customers, orders = samples["customers"], samples["orders"]
    assert len(customers) >= 300
    assert len(orders) >= 20_000
    assert customers["customer_id"].is_unique and customers["name"].is_unique
    assert customers["customer_id"].str.fullmatch(r"C\d{4}").all()
    assert customers["name"].str.endswith("有限公司").all()
    assert set(orders["customer_id"]) <= set(customers["customer_id"])


def test_orders_span_the_three_years_up_to_as_of(samples):
    """Do orders run from 2023-01-01 to AS_OF, 2025-12-31, with orders in every year?"""
    assert date(2025, 12, 31) == AS_OF
    dates = samples["orders"]["order_date"]
    assert dates.min() >= pd.Timestamp("2023-01-01")
    assert dates.max() <= pd.Timestamp(AS_OF)
    assert sorted(dates.dt.year.unique()) == list(YEARS)


def test_customer_amounts_are_exactly_the_orders_sums(samples):
    """Is each yearly order amount (万元) the orders' sum ÷ 10,000, rounded to 2 decimals?"""
    customers, orders = samples["customers"].set_index("customer_id"), samples["orders"]
    sums = (orders.assign(year=orders["order_date"].dt.year)
            .pivot_table(index="customer_id", columns="year", values="amount", aggfunc="sum")
            .reindex(customers.index).fillna(0.0))
    for column, year in (("order_amount", 2025), ("order_amount_prev1", 2024),
                         ("order_amount_prev2", 2023)):
        expected = (sums[year] / 10_000).round(2)
        assert (customers[column] == expected).all(), column


def test_this_years_amounts_cover_every_grading_band(samples):
    """Does each base band of the grading table hold several customers, most in the lower ones?"""
    amounts = samples["customers"]["order_amount"]
    counts = {}
    for k, band in enumerate(BASE_BANDS):
        upper = BASE_BANDS[k - 1] if k else None
        counts[band.level] = int(amounts.map(lambda x, b=band, u=upper: b.contains(x, u)).sum())
    assert sum(counts.values()) == len(amounts)
    assert all(count >= 5 for count in counts.values()), counts
    assert counts["D"] + counts["E"] > len(amounts) / 2
    assert counts["A"] < counts["B"] < counts["C"] < counts["E"]


def test_a_few_big_customers_dominate(samples):
    """Is the size distribution heavy-tailed (top 20% of customers ≥ 60% of this year's sales)?"""
    amounts = samples["customers"]["order_amount"].sort_values(ascending=False)
    top = amounts.head(len(amounts) // 5).sum()
    assert top / amounts.sum() >= 0.6


def test_some_customers_churn_drop_or_are_new(samples):
    """Are there churned, sharply dropping, and new (2024 and 2025) customers?"""
    c = samples["customers"]
    churned = (c["order_amount"] == 0) & (c["order_amount_prev1"] > 0)
    dropped = (c["order_amount"] > 0) & (c["order_amount"] < 0.5 * c["order_amount_prev1"])
    new_2024 = (c["order_amount_prev2"] == 0) & (c["order_amount_prev1"] > 0)
    new_2025 = (c["order_amount_prev2"] == 0) & (c["order_amount_prev1"] == 0)
    for what, mask in (("churned", churned), ("dropped", dropped), ("new 2024", new_2024),
                       ("new 2025", new_2025)):
        assert 5 <= mask.sum() <= 0.2 * len(c), what
    assert (c.loc[new_2025, "cooperation_years"] == 0).all()
    assert (c.loc[new_2024, "cooperation_years"] == 1).all()


def test_orders_are_seasonal(samples):
    """Are February's orders (Spring Festival) fewer than December's in every year?"""
    dates = samples["orders"]["order_date"]
    counts = dates.groupby([dates.dt.year, dates.dt.month]).size()
    for year in YEARS:
        assert counts[(year, 2)] < 0.7 * counts[(year, 12)]


def test_big_customers_are_more_often_listed_and_refer_more(samples):
    """Are the top quarter by amount more often listed, with more referrals, than the rest?"""
    c = samples["customers"]
    top = c["order_amount"] >= c["order_amount"].quantile(0.75)
    assert c.loc[top, "listed"].mean() > 2 * c.loc[~top, "listed"].mean()
    assert c.loc[top, "referrals"].mean() > c.loc[~top, "referrals"].mean()
    assert c.loc[c["listed"], "name"].str.endswith("股份有限公司").all()


def test_risky_records_go_together(samples):
    """Do arrears come with overdue payments, and do some small customers have all the trouble?"""
    c = samples["customers"]
    assert (c.loc[c["malicious_arrears"], "overdue_count"] > 0).all()
    assert ((c["overdue_count"] == 0) == (c["max_overdue_days"] == 0)).all()
    small = c["order_amount"] <= 50
    assert c.loc[small, ["complaints", "lawsuits", "malicious_arrears"]].astype(bool).any().all()


def test_credit_files_match_their_customers(samples):
    """Do ~120 credit files use real customer ids and names, with receivables_end = open invoices?"""
    files, customers = samples["credit_files"], samples["customers"]
    assert 100 <= len(files) <= 140
    names = customers.set_index("customer_id")["name"]
    assert (files["name"].to_numpy() == names[files["customer_id"]].to_numpy()).all()
    open_items = samples["receivables"].groupby("customer_id")["outstanding"].sum()
    expected = open_items.reindex(files["customer_id"]).fillna(0).round(2).to_numpy()
    assert np.allclose(files["receivables_end"].to_numpy(), expected, atol=0.005)


def test_statements_are_mostly_sound_with_a_few_distressed(samples):
    """Are liabilities below assets for most credit customers, but not for all?"""
    files = samples["credit_files"]
    insolvent = files["total_liabilities"] > files["total_assets"]
    assert 1 <= insolvent.sum() <= 0.1 * len(files)


def test_5c_scores_follow_the_ratios(samples):
    """Does capital fall with the debt ratio and capacity rise with the current ratio?"""
    f = samples["credit_files"]
    debt = f["total_liabilities"] / f["total_assets"]
    current = f["current_assets"] / f["current_liabilities"]
    assert f["capital"].corr(debt) < -0.7
    assert f["capacity"].rank().corr(current.rank()) > 0.6


def test_receivables_terms_and_long_overdue_invoices(samples):
    """Are due dates 30–90 days after invoicing, with some invoices > 180 days overdue at AS_OF?"""
    r = samples["receivables"]
    terms = (r["due_date"] - r["invoice_date"]).dt.days
    assert terms.between(30, 90).all()
    assert (r["invoice_date"] <= pd.Timestamp(AS_OF)).all()
    overdue = (pd.Timestamp(AS_OF) - r["due_date"]).dt.days
    assert (overdue > 180).sum() >= 5
    assert set(r["customer_id"]) <= set(samples["credit_files"]["customer_id"])


# --- survey ----------------------------------------------------------------------------------------


def answer_states(raw: pd.DataFrame) -> pd.DataFrame:
    """Per answer cell: empty, or invalid (not a whole number in its range)."""
    empty = raw[list(SURVEY_ANSWERS)].isna()
    invalid = pd.DataFrame(False, index=raw.index, columns=list(SURVEY_ANSWERS))
    for column in SURVEY_ANSWERS:
        low, high = RECOMMEND_SCALE if column == "recommend" else SATISFACTION_SCALE
        number = pd.to_numeric(raw[column], errors="coerce")
        valid = number.between(low, high) & (number == number.round())
        invalid[column] = ~empty[column] & ~valid
    return pd.concat({"empty": empty, "invalid": invalid}, axis=1)


def test_survey_has_six_groups_and_enough_rows(raw_survey):
    """Are there ≥ 400 questionnaires from 第1组…第6组, each group with several surveyors?"""
    assert len(raw_survey) >= 400
    assert sorted(raw_survey["group"].unique()) == [f"第{k}组" for k in range(1, 7)]
    assert raw_survey.groupby("group")["surveyor"].nunique().between(2, 5).all()
    assert raw_survey["respondent_id"].notna().all()


def test_survey_defects_come_in_the_promised_numbers(raw_survey):
    """Are there exactly the promised blank, invalid, duplicate and partial questionnaires?"""
    states = answer_states(raw_survey)
    empty, invalid = states["empty"], states["invalid"]
    blank = empty.all(axis=1)
    bad = invalid.any(axis=1)
    partial = empty.any(axis=1) & ~blank & ~bad
    duplicate = raw_survey["respondent_id"].duplicated()
    assert blank.sum() == SURVEY_DEFECTS.blank
    assert bad.sum() == SURVEY_DEFECTS.invalid
    assert duplicate.sum() == SURVEY_DEFECTS.duplicate
    assert partial.sum() == SURVEY_DEFECTS.partial
    assert not (blank & bad).any()


def test_the_survey_lesson_drops_the_promised_questionnaires(samples):
    """Does crmlab.rules.survey.clean_survey drop exactly the blank, invalid and duplicate ones?"""
    result = clean_survey(samples["survey"])
    assert result.counts == {
        DROP_REASONS["blank"]: SURVEY_DEFECTS.blank,
        DROP_REASONS["invalid"]: SURVEY_DEFECTS.invalid,
        DROP_REASONS["duplicate"]: SURVEY_DEFECTS.duplicate,
    }


def test_duplicates_repeat_an_earlier_questionnaire(raw_survey):
    """Is each duplicate an exact copy of the earlier row with its respondent_id?"""
    first = raw_survey.drop_duplicates("respondent_id").set_index("respondent_id")
    copies = raw_survey[raw_survey["respondent_id"].duplicated()].set_index("respondent_id")
    assert first.loc[copies.index].fillna("").equals(copies.fillna(""))


def test_invalid_answers_include_text_and_out_of_range_numbers(raw_survey):
    """Are the invalid answers a mix of non-numeric text and numbers out of range?"""
    invalid = answer_states(raw_survey)["invalid"]
    values = raw_survey[list(SURVEY_ANSWERS)].where(invalid).stack()
    numeric = pd.to_numeric(values, errors="coerce")
    assert numeric.isna().sum() >= 3 and numeric.notna().sum() >= 3


def test_clean_answers_hang_together(raw_survey):
    """On valid rows, does overall follow the items and recommend follow overall?"""
    states = answer_states(raw_survey)
    clean = ~states["empty"].any(axis=1) & ~states["invalid"].any(axis=1)
    answers = raw_survey.loc[clean, list(SURVEY_ANSWERS)].astype(int)
    items = answers[list(SURVEY_ITEMS)].mean(axis=1)
    assert answers["overall"].corr(items) > 0.6
    assert answers["recommend"].corr(answers["overall"]) > 0.6


def test_survey_schema_keeps_bad_answers_as_given(samples, raw_survey):
    """Does loading the survey keep out-of-range, text and empty answers instead of rejecting?"""
    loaded = samples["survey"]
    assert len(loaded) == len(raw_survey)
    for column in SURVEY_ANSWERS:
        as_text = loaded[column].map(
            lambda v: "" if pd.isna(v) else str(int(v)) if isinstance(v, float) else str(v))
        assert as_text.tolist() == raw_survey[column].fillna("").tolist(), column


def test_survey_schema_still_needs_the_identifiers(tmp_path):
    """Is a questionnaire without respondent_id reported on its line?"""
    lines = set_cell(sample_lines("survey", 6), 4, "respondent_id", "")
    problems = problems_of(write(tmp_path / "s.csv", "\n".join(lines) + "\n"), "survey")
    assert [(p.row, p.column) for p in problems] == [(4, "respondent_id")]
    assert "不能为空" in problems[0].message


# --- schemas and labels ----------------------------------------------------------------------------


def test_every_column_has_a_chinese_label():
    """Does every column of every schema carry a Chinese display label?"""
    assert set(SCHEMAS) == set(TABLES) == set(LABELS)
    for name, schema in SCHEMAS.items():
        assert list(LABELS[name]) == list(schema.columns)
        for column, label in LABELS[name].items():
            assert re.search(r"[\u4e00-\u9fff]", label), (name, column)
            assert re.fullmatch(r"[a-z][a-z0-9_]*", column)


def test_extra_and_reordered_columns_are_accepted(tmp_path):
    """Does a table with its columns shuffled and an extra column still load?"""
    table = pd.read_csv(DATA_DIR / "credit_files.csv", nrows=20)
    shuffled = table[list(reversed(table.columns))].assign(备注="自带的列")
    path = tmp_path / "credit.csv"
    shuffled.to_csv(path, index=False)
    loaded = load_table(path, "credit_files")
    assert "备注" in loaded.columns
    assert loaded.set_index("customer_id")["inventory"].equals(
        table.set_index("customer_id")["inventory"])


def test_flags_accept_chinese_yes_no(tmp_path):
    """Are 是/否 and 1/0 read as True/False (and 否 not mistaken for True)?"""
    table = pd.read_csv(DATA_DIR / "customers.csv", nrows=4)
    table["listed"] = ["是", "否", "1", "0"]
    table.to_csv(tmp_path / "c.csv", index=False)
    loaded = load_table(tmp_path / "c.csv", "customers")
    assert loaded["listed"].tolist() == [True, False, True, False]


def test_an_unknown_flag_is_reported(tmp_path):
    """Is a flag that is neither yes nor no named with its line?"""
    lines = set_cell(sample_lines("customers", 5), 3, "listed", "也许")
    problems = problems_of(write(tmp_path / "c.csv", "\n".join(lines)), "customers")
    assert [(p.row, p.column) for p in problems] == [(3, "listed")]
    assert "是/否" in problems[0].message


def test_dates_in_slash_format_are_accepted(tmp_path):
    """Is 2025/3/1, as Excel writes it, read as a date?"""
    lines = set_cell(sample_lines("receivables", 4), 2, "due_date", "2025/3/1")
    lines = set_cell(lines, 2, "invoice_date", "2025/1/30")
    loaded = load_table(write(tmp_path / "r.csv", "\n".join(lines)), "receivables")
    assert loaded.loc[0, "due_date"] == pd.Timestamp("2025-03-01")


# --- loading broken files --------------------------------------------------------------------------


def test_a_negative_amount_is_named_by_line_and_column(tmp_path):
    """Does a negative order amount on line 6 give a Chinese message naming line 6 and amount?"""
    lines = set_cell(sample_lines("orders", 9), 6, "amount", "-5")
    path = write(tmp_path / "orders.csv", "\n".join(lines) + "\n")
    with pytest.raises(DataValidationError) as caught:
        load_table(path, "orders")
    error = caught.value
    assert isinstance(error, CourseInputError)
    assert [(p.row, p.column, p.value) for p in error.problems] == [(6, "amount", -5)]
    text = str(error)
    assert "orders.csv" in text and "第 6 行" in text and "amount" in text
    assert "订单金额" in text and "必须大于 0" in text


def test_text_in_a_number_column_is_named(tmp_path):
    """Is 'abc' in a number column reported on its line as not a number?"""
    lines = set_cell(sample_lines("orders", 6), 4, "amount", "abc")
    problems = problems_of(write(tmp_path / "o.csv", "\n".join(lines)), "orders")
    assert [(p.row, p.column, p.value) for p in problems] == [(4, "amount", "abc")]
    assert "应为数字" in problems[0].message


def test_a_missing_column_is_named(tmp_path):
    """Is a missing required column reported as a column problem (row None)?"""
    table = pd.read_csv(DATA_DIR / "orders.csv", nrows=5).drop(columns="amount")
    table.to_csv(tmp_path / "o.csv", index=False)
    problems = problems_of(tmp_path / "o.csv", "orders")
    assert [(p.row, p.column) for p in problems] == [(None, "amount")]
    assert "缺少" in problems[0].message and "订单金额" in problems[0].message


def test_an_empty_cell_and_a_fraction_in_an_integer_column(tmp_path):
    """Are an empty count and a count of 2.5 each reported once, on their own lines?"""
    lines = set_cell(sample_lines("customers", 6), 2, "referrals", "")
    lines = set_cell(lines, 5, "referrals", "2.5")
    problems = problems_of(write(tmp_path / "c.csv", "\n".join(lines)), "customers")
    assert [(p.row, p.column) for p in problems] == [(2, "referrals"), (5, "referrals")]
    assert "不能为空" in problems[0].message and "整数" in problems[1].message


def test_duplicate_ids_name_both_lines(tmp_path):
    """Is a repeated customer_id reported on both lines where it appears?"""
    lines = sample_lines("customers", 6)
    lines = set_cell(lines, 5, "customer_id", lines[2].split(",")[0])
    problems = problems_of(write(tmp_path / "c.csv", "\n".join(lines)), "customers")
    assert [(p.row, p.column) for p in problems] == [(3, "customer_id"), (5, "customer_id")]
    assert "重复" in problems[0].message


def test_out_of_range_choices_and_scores(tmp_path):
    """Are a value outside 高/中/低 and a 5C score of 120 reported with their lines?"""
    customers = set_cell(sample_lines("customers", 4), 3, "valuation", "很高")
    problems = problems_of(write(tmp_path / "c.csv", "\n".join(customers)), "customers")
    assert [(p.row, p.column) for p in problems] == [(3, "valuation")]
    assert "高、中、低" in problems[0].message
    files = set_cell(sample_lines("credit_files", 4), 2, "capital", "120")
    problems = problems_of(write(tmp_path / "f.csv", "\n".join(files)), "credit_files")
    assert [(p.row, p.column) for p in problems] == [(2, "capital")]
    assert "0 到 100" in problems[0].message


def test_statement_items_must_nest(tmp_path):
    """Is inventory above current assets reported against inventory, on its line?"""
    lines = sample_lines("credit_files", 5)
    current = lines[3].split(",")[lines[0].split(",").index("current_assets")]
    lines = set_cell(lines, 4, "inventory", str(float(current) + 1))
    problems = problems_of(write(tmp_path / "f.csv", "\n".join(lines)), "credit_files")
    assert [(p.row, p.column) for p in problems] == [(4, "inventory")]
    assert "不能大于「流动资产（万元）」" in problems[0].message


def test_a_due_date_before_the_invoice_date_is_reported(tmp_path):
    """Is a due date earlier than its invoice date reported against due_date?"""
    lines = sample_lines("receivables", 4)
    invoiced = lines[2].split(",")[2]
    due = (pd.Timestamp(invoiced) - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    lines = set_cell(lines, 3, "due_date", due)
    problems = problems_of(write(tmp_path / "r.csv", "\n".join(lines)), "receivables")
    assert [(p.row, p.column) for p in problems] == [(3, "due_date")]
    assert "不能早于" in problems[0].message


def test_blank_lines_do_not_shift_line_numbers(tmp_path):
    """With a blank line in the middle, is the bad value still reported on its true line?"""
    lines = set_cell(sample_lines("orders", 8), 7, "amount", "0")
    lines.insert(3, "")
    problems = problems_of(write(tmp_path / "o.csv", "\n".join(lines)), "orders")
    assert [(p.row, p.column) for p in problems] == [(8, "amount")]


def test_long_reports_are_cut_after_twenty_problems(tmp_path):
    """Does str(error) list at most 20 problems and then count the rest?"""
    table = pd.read_csv(DATA_DIR / "orders.csv", nrows=30)
    table["amount"] = -1
    table.to_csv(tmp_path / "o.csv", index=False)
    with pytest.raises(DataValidationError) as caught:
        load_table(tmp_path / "o.csv", "orders")
    assert len(caught.value.problems) == 30
    lines = str(caught.value).splitlines()
    assert len(lines) == 1 + 20 + 1
    assert lines[-1].strip() == "……另有 10 处问题"
    assert "共 30 处问题" in lines[0]


def test_validate_file_returns_the_problems(tmp_path):
    """Does validate_file list problems instead of raising?"""
    lines = set_cell(sample_lines("orders", 4), 3, "amount", "-1")
    problems = validate_file(write(tmp_path / "o.csv", "\n".join(lines)), "orders")
    assert [(p.row, p.column) for p in problems] == [(3, "amount")]
    assert str(problems[0]).startswith("第 3 行，D 列「amount」：")


def test_validate_table_checks_a_dataframe():
    """Does validate_table accept a good DataFrame and reject a bad one?"""
    table = pd.read_csv(DATA_DIR / "orders.csv", nrows=5)
    assert len(validate_table(table, "orders")) == 5
    with pytest.raises(DataValidationError, match="第 2 行"):
        validate_table(table.assign(amount=[-1, 1, 1, 1, 1]), "orders")


def test_a_missing_file_is_a_clear_error(tmp_path):
    """Does a missing file raise a CourseInputError that says it was not found?"""
    with pytest.raises(CourseInputError, match="找不到文件"):
        load_table(tmp_path / "nope.csv", "orders")
    with pytest.raises(CourseInputError, match="文件夹"):
        load_table(tmp_path, "orders")


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_a_clear_error(tmp_path, content):
    """Does an empty (or whitespace-only) file say that it is empty?"""
    path = tmp_path / "e.csv"
    path.write_bytes(content)
    with pytest.raises(CourseInputError, match="空的"):
        load_table(path, "orders")


def test_a_header_only_file_is_a_clear_error(tmp_path):
    """Does a file with a header but no rows say so?"""
    path = write(tmp_path / "h.csv", sample_lines("orders", 1)[0] + "\n")
    with pytest.raises(CourseInputError, match="只有表头"):
        load_table(path, "orders")


def test_gbk_files_are_read_like_utf8(tmp_path):
    """Is a GBK-encoded file (Excel on Chinese Windows) read the same as the UTF-8 one?"""
    text = "\n".join(sample_lines("customers", 6)) + "\n"
    from_gbk = load_table(write(tmp_path / "gbk.csv", text, "gbk"), "customers")
    from_utf8 = load_table(write(tmp_path / "utf8.csv", text), "customers")
    from_bom = load_table(write(tmp_path / "bom.csv", text, "utf-8-sig"), "customers")
    pd.testing.assert_frame_equal(from_gbk, from_utf8)
    pd.testing.assert_frame_equal(from_bom, from_utf8)


def test_undecodable_bytes_name_the_line(tmp_path):
    """Do bytes that are neither UTF-8 nor GBK give a message naming the line and UTF-8?"""
    lines = sample_lines("orders", 4)
    raw = ("\n".join(lines[:2]) + "\n").encode() + b"SO1,C1,2025-01-01,5,\xff\xff\n"
    path = tmp_path / "bad.csv"
    path.write_bytes(raw)
    with pytest.raises(CourseInputError, match="第 3 行") as caught:
        load_table(path, "orders")
    assert "UTF-8" in str(caught.value)


@pytest.mark.parametrize("content, words", [
    (b"PK\x03\x04\x14\x00\x06\x00rest-of-a-workbook", "Excel"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "既不是 CSV"),
    (b"order_id;customer_id;order_date;amount;category\nSO1;C1;2025-01-01;5;X\n", "逗号"),
    ((b"order_id,customer_id,order_date,amount,category\nSO1,C1,2025-01-01,5,X\n"
      b"SO2,C1,2025-01-02,5,X,Y,Z\n"), "第 3 行"),
])
def test_a_file_that_is_not_csv_is_a_clear_error(tmp_path, content, words):
    """Do a workbook, a binary file, a semicolon file and a ragged row each get a clear message?"""
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(CourseInputError, match=words):
        load_table(path, "orders")


def test_an_unknown_schema_lists_the_known_ones(tmp_path):
    """Does an unknown table name raise an error that lists the available ones?"""
    path = write(tmp_path / "o.csv", "\n".join(sample_lines("orders", 3)))
    with pytest.raises(CourseInputError, match="没有名为「clients」") as caught:
        load_table(path, "clients")
    assert all(name in str(caught.value) for name in TABLES)
    with pytest.raises(CourseInputError, match="clients"):
        load_sample("clients")


def test_read_table_keeps_line_positions_without_a_schema(tmp_path):
    """Does read_table read a file without validating it, index + 2 being the line number?"""
    path = write(tmp_path / "t.csv", "a,b\n1,x\n\n3,y\n")
    table = read_table(path)
    assert table["a"].tolist() == [1, 3]
    assert (table.index + 2).tolist() == [2, 4]


def test_load_sample_without_the_data_folder(tmp_path, monkeypatch):
    """Is a missing data/ folder a clear error that says how to regenerate it?"""
    monkeypatch.setattr(data_io, "DATA_DIR", tmp_path / "nowhere")
    with pytest.raises(CourseInputError, match="crmlab data generate"):
        data_io.load_sample("orders")


# --- one reader for CSV and Excel, one writer for people --------------------------------------------


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An .xlsx made with openpyxl, as Excel saves one: ``sheets`` maps a title to its rows."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def rows_of(name: str, count: int) -> list[list[object]]:
    """The header and first data rows of a bundled table as typed cells, as Excel holds them."""
    table = pd.read_csv(DATA_DIR / f"{name}.csv", nrows=count - 1, dtype=str)
    rows: list[list[object]] = [list(table.columns)]
    for values in table.itertuples(index=False):
        cells: list[object] = []
        for value in values:
            if isinstance(value, float):  # NaN: an empty cell
                cells.append(None)
            elif re.fullmatch(r"\d{4}-\d\d-\d\d", value):
                cells.append(pd.Timestamp(value).to_pydatetime())
            elif re.fullmatch(r"-?\d+", value):
                cells.append(int(value))
            elif re.fullmatch(r"-?\d+\.\d+", value):
                cells.append(float(value))
            elif value in ("True", "False"):
                cells.append(value == "True")
            else:
                cells.append(value)
        rows.append(cells)
    return rows


@pytest.mark.parametrize("name", TABLES)
def test_a_workbook_reads_like_the_csv(tmp_path, name):
    """Does every sample table saved as an Excel workbook (numbers, dates and yes/no as Excel
    types) validate to the same table as its CSV?"""
    path = workbook(tmp_path / f"{name}.xlsx", {"数据": rows_of(name, 60)})
    from_excel = load_table(path, name)
    text = "\n".join(sample_lines(name, 60)) + "\n"
    from_csv = load_table(write(tmp_path / f"{name}.csv", text), name)
    pd.testing.assert_frame_equal(from_excel, from_csv)


def test_the_first_sheet_or_a_named_one(tmp_path):
    """Is the first sheet read by default, and another by ``sheet=`` or ``文件.xlsx:工作表``?"""
    path = workbook(tmp_path / "两表.xlsx", {
        "说明": [["note"], ["第一个工作表"]],
        "订单": rows_of("orders", 4),
    })
    assert read_table(path)["note"].tolist() == ["第一个工作表"]
    assert len(load_table(path, "orders", sheet="订单")) == 3
    assert len(load_table(f"{path}:订单", "orders")) == 3
    assert validate_file(path, "orders", sheet="订单") == []


def test_a_missing_sheet_lists_the_sheets(tmp_path):
    """Does a sheet name that is not in the workbook name the ones that are?"""
    path = workbook(tmp_path / "a.xlsx", {"一月": [["a"], [1]], "二月": [["a"], [2]]})
    with pytest.raises(CourseInputError, match="没有名为「三月」的工作表，有：一月、二月"):
        read_table(path, sheet="三月")
    with pytest.raises(CourseInputError, match="不是 Excel 工作簿，没有工作表「一月」"):
        read_table(write(tmp_path / "a.csv", "a\n1\n"), sheet="一月")


def test_workbook_problems_name_the_excel_row_and_column_letter(tmp_path):
    """Is a bad cell in a workbook named by its row and column letter as Excel shows them, with
    empty rows between the data not shifting the numbers?"""
    rows = rows_of("orders", 6)
    rows[4][3] = -5  # row 5 of the sheet, column D (amount)
    rows.insert(2, [])  # an empty row 3: the bad cell moves to row 6
    path = workbook(tmp_path / "订单.xlsx", {"Sheet1": rows})
    problems = problems_of(path, "orders")
    assert [(p.row, p.letter, p.column) for p in problems] == [(6, "D", "amount")]
    assert str(problems[0]).startswith("第 6 行，D 列「amount」：")


def test_csv_problems_name_the_column_letter_of_the_file(tmp_path):
    """Is the letter the column's place in the user's file, even with reordered columns?"""
    table = pd.read_csv(DATA_DIR / "orders.csv", nrows=4)
    table = table[["amount", "order_id", "customer_id", "order_date", "category"]]
    table.loc[1, "customer_id"] = " "
    path = tmp_path / "o.csv"
    table.to_csv(path, index=False)
    [problem] = problems_of(path, "orders")
    assert (problem.row, problem.letter) == (3, "C")


def test_identifiers_keep_their_zeros_and_formulas_give_values(tmp_path):
    """Are text columns read as text (00123, a number cell 7 → "7") and formulas as their last
    computed values (what Excel saved)?"""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["customer_id", "order_amount", "total"])
    sheet.append(["00123", 7, "=B2*2"])
    sheet.append([45, 8.5, "=B3*2"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    table = read_table(path, text_columns=["customer_id"])
    assert table["customer_id"].tolist() == ["00123", "45"]
    assert table["order_amount"].tolist() == [7, 8.5]
    # openpyxl saves no computed values: the formula cells are empty, as Excel would show
    # them had it never calculated; a workbook saved by Excel carries the values.
    assert table["total"].isna().all()


def test_gb18030_characters_beyond_gbk(tmp_path):
    """Is a CSV with a character only GB18030 encodes (a rare surname) read?"""
    path = write(tmp_path / "g.csv", "name,score\n𠮷先生,5\n张三,4\n", "gb18030")
    assert read_table(path)["name"].tolist() == ["𠮷先生", "张三"]


@pytest.mark.parametrize("content, words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Excel 97-2003"),
    (b"PK\x03\x04\x14\x00\x06\x00rest-of-a-workbook", "既不是 CSV 文本文件，也不是 Excel"),
])
def test_an_old_or_broken_workbook_is_one_line(tmp_path, content, words):
    """Do an .xls and a broken zip each give one Chinese line?"""
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(CourseInputError, match=words) as caught:
        read_table(path)
    assert "\n" not in str(caught.value)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    """Is a zip of something else (not a workbook) refused in one Chinese line?"""
    import zipfile

    path = tmp_path / "文档.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(CourseInputError, match="也不是 Excel 工作簿"):
        read_table(path)


def test_an_empty_sheet_and_an_empty_header_row(tmp_path):
    """Do an empty sheet and a sheet whose row 1 is empty say so?"""
    path = workbook(tmp_path / "e.xlsx", {"空": [], "无表头": [[], ["a", "b"], [1, 2]]})
    with pytest.raises(CourseInputError, match="工作表「空」是空的"):
        read_table(path)
    with pytest.raises(CourseInputError, match="第 1 行应是表头"):
        read_table(path, sheet="无表头")


def test_write_table_csv_has_a_bom_and_reads_back(tmp_path):
    """Is a CSV for people UTF-8 with a BOM (Excel opens it without garbling), and read back?"""
    table = pd.DataFrame({"客户": ["甲公司", "乙公司"], "得分": [90.5, 70]})
    path = data_io.write_table(table, tmp_path / "out" / "结果.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf\xe5\xae\xa2")
    pd.testing.assert_frame_equal(read_table(path), table)


def test_write_table_xlsx_reads_back_with_chinese_sheet(tmp_path):
    """Is an .xlsx written with its sheet name, a frozen header and wide CJK columns?"""
    from openpyxl import load_workbook

    table = pd.DataFrame({"客户名称": ["无锡丰振医药股份有限公司"], "等级": ["A"]})
    path = data_io.write_table(table, tmp_path / "结果.xlsx", sheet="客户分级")
    sheet = load_workbook(path)["客户分级"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 24
    pd.testing.assert_frame_equal(read_table(path), table)


def test_column_letters():
    """Are column letters Excel's: A, Z, AA, AZ, BA, ZZ, AAA?"""
    letters = [data_io.column_letter(k) for k in (0, 25, 26, 51, 52, 701, 702)]
    assert letters == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_every_csv_the_course_hands_out_has_a_bom():
    """Do the sample data and the assignments' data files (source and release) start with a
    UTF-8 BOM, so that a double-click in Excel shows their Chinese?"""
    root = ROOT
    files = [*(root / "data").glob("*.csv"), *(root / "source").rglob("*.csv"),
             *(root / "release").rglob("*.csv")]
    assert len(files) >= 9
    assert [f for f in files if not f.read_bytes().startswith(b"\xef\xbb\xbf")] == []
