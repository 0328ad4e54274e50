"""Cleaning: hand-worked parsing cases and the rows-in invariant as a property."""

import datetime as dt
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.cleaning import (
    clean_customers,
    clean_respondents,
    clean_transactions,
    parse_amounts,
    parse_dates,
)
from workbench.schema import validate_customers, validate_transactions

# every way a cell can be blank: CSV text, Excel and Parquet missing values
BLANKS = [None, np.nan, pd.NA, pd.NaT, "", "  ", "\u3000"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-05", "2024-01-05 00:00"),
        ("2024/1/5", "2024-01-05 00:00"),
        ("2024.1.5", "2024-01-05 00:00"),
        ("2024年1月5日", "2024-01-05 00:00"),
        ("2024年1月5日 13:05", "2024-01-05 13:05"),
        ("20240105", "2024-01-05 00:00"),
        ("45296", "2024-01-05 00:00"),  # Excel serial, 1900 system
        ("1704412800", "2024-01-05 00:00"),  # Unix seconds
        ("1704412800000", "2024-01-05 00:00"),  # Unix milliseconds
        ("2024-01-05T08:00:00+08:00", "2024-01-05 08:00"),  # the wall-clock time as written
        ("２０２４-０１-０５", "2024-01-05 00:00"),  # full-width digits
    ],
)
def test_parse_dates_forms(text, expected):
    parsed = parse_dates(pd.Series([text], dtype=object))
    assert parsed.iloc[0].strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize("text", ["2024-02-30", "yesterday", "05/01/2024", "", "12"])
def test_unparseable_or_ambiguous_dates_are_nat(text):
    assert parse_dates(pd.Series([text], dtype=object)).isna().all()


def test_day_first_dates_need_an_explicit_format():
    parsed = parse_dates(pd.Series(["05/01/2024"]), date_format="%d/%m/%Y")
    assert parsed.iloc[0] == pd.Timestamp("2024-01-05")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("¥1,234.50", 1234.5), ("￥-12", -12.0), ("$1,000", 1000.0), ("RMB 300", 300.0),
     ("1,234元", 1234.0), ("1.2万", 12000.0), ("3亿", 3e8), ("2千", 2000.0),
     ("(12.50)", -12.5), ("１２３", 123.0), ("7", 7.0)],
)
def test_parse_amounts_forms(text, expected):
    assert parse_amounts(pd.Series([text], dtype=object)).iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize("text", ["N/A", "", "12abc", "--"])
def test_unparseable_amounts_are_nan(text):
    assert parse_amounts(pd.Series([text], dtype=object)).isna().all()


def test_hand_worked_quarantine_reasons_and_flags():
    raw = pd.DataFrame({
        "customer_id": ["A", "A", "B", " ", "C", "C", "D", "E", "E"],
        "date": ["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-07", "1998-01-01",
                 "2024-02-30", "2024-01-05", "2024-01-08", "2024-01-08"],
        "amount": ["10", "1.2万", "(12.50)", "5", "3", "4", "N/A", "1", "1"],
    })
    result = clean_transactions(raw, start="2020-01-01", end="2024-12-31")
    assert result.clean["customer_id"].tolist() == ["A", "A", "B", "E"]
    assert result.clean["is_return"].tolist() == [False, False, True, False]
    reasons = dict(zip(result.quarantine["source_row"], result.quarantine["reason"], strict=True))
    assert reasons == {3: "customer_id_missing", 4: "date_out_of_window",
                       5: "date_unparseable", 6: "amount_not_numeric", 8: "duplicate_row"}
    log = result.log.set_index("reason")["rows"]
    assert log["kept"] == 4 and log.sum() == 9


def test_end_date_includes_the_whole_day():
    raw = pd.DataFrame({"customer_id": ["A", "A"], "date": ["2024-01-31 23:59", "2024-02-01"],
                        "amount": ["1", "1"]})
    result = clean_transactions(raw, end="2024-01-31")
    assert len(result.clean) == 1 and result.quarantine["reason"].tolist() == ["date_out_of_window"]


def test_duplicates_can_be_kept_and_flagged():
    raw = pd.DataFrame({"customer_id": ["A", "A"], "date": ["2024-01-01"] * 2, "amount": ["1"] * 2})
    result = clean_transactions(raw, duplicates="keep")
    assert result.clean["is_duplicate"].tolist() == [False, True]
    assert result.quarantine.empty


def test_cost_gives_gross_profit_and_optional_numbers_are_checked():
    raw = pd.DataFrame({"customer_id": ["A", "B"], "date": ["2024-01-01"] * 2,
                        "amount": ["100", "50"], "cost": ["60", "abc"]})
    result = clean_transactions(raw)
    assert result.clean["gross_profit"].tolist() == [40.0]
    assert result.quarantine["reason"].tolist() == ["cost_not_numeric"]


def test_missing_required_column_is_a_clear_error():
    with pytest.raises(ValueError, match=r"lack canonical column\(s\) \['amount'\]"):
        clean_transactions(pd.DataFrame({"customer_id": ["A"], "date": ["2024-01-01"]}))


def test_customers_duplicates_and_bad_values_are_quarantined():
    raw = pd.DataFrame({"customer_id": ["C1", "C1", "C2", ""], "size": ["10", "20", "x", "1"],
                        "first_contact": ["2020-01-01", "2020-01-01", "2021/3/4", ""]})
    result = clean_customers(raw)
    assert result.clean["customer_id"].tolist() == ["C1"]
    assert result.quarantine["reason"].tolist() == [
        "customer_id_duplicate", "size_not_numeric", "customer_id_missing"]



def test_blank_text_cells_are_missing_not_empty_strings():
    """CSV cells come in as "" (read with keep_default_na=False); blank means unknown."""
    customers = clean_customers(pd.DataFrame({
        "customer_id": ["C1", "C2", "C3"], "industry": ["power", " ", "oem"],
        "churn_reason": ["", "price", "  "]})).clean
    assert customers["churn_reason"].isna().tolist() == [True, False, True]
    assert customers["industry"].isna().tolist() == [False, True, False]
    tx = clean_transactions(pd.DataFrame({
        "customer_id": ["A", "A", "A"], "date": ["2024-01-01"] * 3, "amount": ["1", "2", "3"],
        "order_id": ["SO1", "", " "], "product_id": ["MCB", "", "VFD"]})).clean
    # blank order ids are separate orders, not one order ""
    assert tx["order_id"].tolist() == ["SO1", "line-2", "line-3"]
    assert tx["product_id"].isna().tolist() == [False, True, False]


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
def test_blank_cells_of_every_kind_parse_to_missing(blank):
    dates = parse_dates(pd.Series(["2024/1/5", blank, "20240105"], dtype=object))
    assert dates.isna().tolist() == [False, True, False]
    assert dates.iloc[0] == dates.iloc[2] == pd.Timestamp("2024-01-05")
    amounts = parse_amounts(pd.Series(["¥1,234.50", blank], dtype=object))
    assert amounts.iloc[0] == 1234.5 and np.isnan(amounts.iloc[1])
    assert parse_dates(pd.Series([blank, blank], dtype=object)).isna().all()


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
def test_blank_cells_are_quarantined_as_missing_not_crashes(blank):
    tx = clean_transactions(pd.DataFrame({
        "customer_id": ["A", "B", blank, "D"], "date": ["2024-01-05", blank, "2024-01-05", "2024-01-06"],
        "amount": ["1", "2", "3", blank]}, dtype=object))
    assert tx.clean["customer_id"].tolist() == ["A"]
    assert tx.quarantine["reason"].tolist() == ["date_missing", "customer_id_missing",
                                                "amount_missing"]
    customers = clean_customers(pd.DataFrame({
        "customer_id": ["C1", "C2"], "first_contact": [blank, "2024-01-01"],
        "size": [blank, "3"]}, dtype=object))
    assert customers.quarantine.empty  # blank descriptive cells are unknown, not errors
    assert customers.clean["first_contact"].isna().tolist() == [True, False]
    assert customers.clean["size"].isna().tolist() == [True, False]


def test_dates_beyond_datetime64_ns_are_unparseable_not_errors():
    raw = pd.Series(["9999-01-01", dt.datetime(9999, 1, 1), "9999999999999", 9_999_999_999],
                    dtype=object)
    assert parse_dates(raw).isna().all()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("−5", -5.0), ("¥−1,234.50", -1234.5),  # U+2212, which NFKC leaves alone
     ("1,234,567.5", 1234567.5), ("1 234", 1234.0), ("1\u2009234", 1234.0), ("1'234", 1234.0),
     ("RMB300", 300.0), ("1.2 万", 12000.0), ("1,200万", 1.2e7)],
)
def test_parse_amounts_signs_and_thousands_separators(text, expected):
    assert parse_amounts(pd.Series([text], dtype=object)).iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize("text", ["12,34", "1,2345", "1,23,456", "12 34", "1,234 567"])
def test_a_separator_not_followed_by_three_digits_is_ambiguous(text):
    """'12,34' is a decimal comma or a typo, never 1234."""
    assert parse_amounts(pd.Series([text], dtype=object)).isna().all()


def test_infinite_and_ambiguous_amounts_are_quarantined_and_unicode_minus_is_kept():
    raw = pd.DataFrame({"customer_id": list("ABCDEF"), "date": ["2024-01-05"] * 6,
                        "amount": ["inf", "1e400", "−5", "12,34", "1,234", "-Infinity"],
                        "cost": ["1", "1", "inf", "1", "1", "1"]})
    result = clean_transactions(raw)
    assert result.clean["customer_id"].tolist() == ["E"]
    assert result.clean["amount"].tolist() == [1234.0]
    reasons = dict(zip(result.quarantine["source_row"], result.quarantine["reason"], strict=True))
    assert reasons == {0: "amount_not_finite", 1: "amount_not_finite", 2: "cost_not_finite",
                       3: "amount_not_numeric", 5: "amount_not_finite"}
    assert clean_transactions(raw.iloc[[2]].assign(cost="1")).clean["amount"].tolist() == [-5.0]


def test_customer_values_outside_their_range_are_quarantined_not_schema_errors():
    raw = pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C7"],
        "strategic_fit": ["3", "9", "1", "5", "0.5", "4", ""],
        "share_of_wallet": ["0.5", "0.2", "1.5", "0", "1", "-0.1", ""],
        "size": ["10", "20", "30", "-1", "0", "1", "inf"],
        "industry_growth": ["0.05", "-0.3", "0", "2", "1e400", "0", "0"],
    })
    result = clean_customers(raw)
    assert result.clean["customer_id"].tolist() == ["C1"]
    assert result.quarantine["reason"].tolist() == [
        "strategic_fit_out_of_range", "share_of_wallet_out_of_range", "size_out_of_range",
        "strategic_fit_out_of_range", "share_of_wallet_out_of_range", "size_not_finite"]
    assert result.quarantine["detail"].tolist() == ["9", "1.5", "-1", "0.5", "-0.1", "inf"]
    # the audit's example: a strategic fit of 9 on a 1-5 scale
    small = clean_customers(pd.DataFrame({"customer_id": ["C1", "C2"], "strategic_fit": ["3", "9"]}))
    assert small.quarantine["reason"].tolist() == ["strategic_fit_out_of_range"]


def test_whole_number_float_ids_become_integer_text():
    """Excel and Parquet store numeric ids as floats; 1001.0 must join "1001"."""
    tx = clean_transactions(pd.DataFrame({
        "customer_id": [1001.0, 1002, "1003", 1004.5], "date": ["2024-01-05"] * 4,
        "amount": [1.0, 2.0, 3.0, 4.0], "order_id": [7.0, "SO8", 9, np.nan],
        "product_id": [3.0, "P4", None, 5]}, dtype=object)).clean
    assert tx["customer_id"].tolist() == ["1001", "1002", "1003", "1004.5"]
    assert tx["order_id"].tolist() == ["7", "SO8", "9", "line-4"]
    assert tx["product_id"].tolist()[:2] == ["3", "P4"] and tx["product_id"].isna().tolist()[2]
    customers = clean_customers(pd.DataFrame({"customer_id": [1001.0, "1001", 1002.0]}, dtype=object))
    assert customers.clean["customer_id"].tolist() == ["1001", "1002"]
    assert customers.quarantine["reason"].tolist() == ["customer_id_duplicate"]


def test_respondent_ids_missing_or_repeated_are_quarantined():
    raw = pd.DataFrame({"respondent_id": ["R1", "R2", "R1", " ", None, 7.0],
                        "customer_id": ["C1", "", "C1", "C2", "C3", 12.0],
                        "CUSA1": ["5", "x", "4", "3", "2", "1"]}, dtype=object)
    result = clean_respondents(raw)
    assert result.clean["respondent_id"].tolist() == ["R1", "R2", "7"]
    assert result.clean["CUSA1"].tolist() == ["5", "x", "1"]  # items: satisfaction checks them
    assert result.clean["customer_id"].isna().tolist() == [False, True, False]
    assert result.clean["customer_id"].iloc[2] == "12"
    assert dict(zip(result.quarantine["source_row"], result.quarantine["reason"], strict=True)) == {
        2: "respondent_id_duplicate", 3: "respondent_id_missing", 4: "respondent_id_missing"}
    log = result.log.set_index("reason")["rows"]
    assert log.to_dict() == {"kept": 3, "respondent_id_missing": 2, "respondent_id_duplicate": 1}
    with pytest.raises(ValueError, match="survey lacks 'respondent_id'.*'@row'"):
        clean_respondents(pd.DataFrame({"CUSA1": ["5"]}))


# -- the rows-in invariant, on cells of every kind a reader can produce ------------------

text_cell = st.one_of(
    st.sampled_from(["N/A", "2024-01-05", "2024年1月5日", "45296", "¥1,234.5", "1.2万", "-3",
                     "(4)", "1999-12-31", "2030-01-01", "abc", "2024-02-30", "inf", "1e400",
                     "12,34", "−5", "0.5", "3", "9", "9999-01-01", "1704412800000"]),
    st.text(max_size=6),
)
other_cell = st.one_of(
    st.integers(-10**6, 10**14), st.floats(), st.booleans(),
    st.datetimes(min_value=dt.datetime(1600, 1, 1), max_value=dt.datetime(2400, 1, 1),
                 timezones=st.none() | st.just(dt.timezone.utc)),
)
cell = st.one_of(st.sampled_from(BLANKS), text_cell, other_cell)
ids = st.sampled_from(["A", "B", "C", " C ", "1001", 1001, 1001.0, 2.5, *BLANKS])


@st.composite
def raw_tables(draw, columns: list[str], id_cells, tag: str) -> pd.DataFrame:
    """Rows of mixed cells, each with a unique ``tag``, plus exact copies of some rows."""
    rows = draw(st.lists(st.tuples(id_cells, *[cell] * (len(columns) - 1)), max_size=25))
    rows = [(*row, f"t{i}") for i, row in enumerate(rows)]
    if rows:
        rows += [rows[i] for i in draw(st.lists(st.integers(0, len(rows) - 1), max_size=5))]
    return pd.DataFrame(rows, columns=[*columns, tag], dtype=object)


def check_every_row_is_kept_or_quarantined_once(raw, result, tag, reasons):
    assert result.rows_in == len(raw) == len(result.clean) + len(result.quarantine)
    assert int(result.log["rows"].sum()) == len(raw)
    rows = result.quarantine["source_row"]
    assert rows.is_unique and rows.between(0, len(raw) - 1).all()
    # a quarantined row is the input row it names, unchanged ...
    assert result.quarantine[tag].tolist() == raw[tag].iloc[rows.to_numpy()].tolist()
    # ... and kept plus quarantined rows are the input rows, none twice, none lost
    assert Counter(result.clean[tag]) + Counter(result.quarantine[tag]) == Counter(raw[tag])
    unknown = set(result.quarantine["reason"]) - reasons
    assert not unknown, f"undocumented reason codes {unknown}"


TX_REASONS = {"customer_id_missing", "date_missing", "date_unparseable", "amount_missing",
              "amount_not_numeric", "amount_not_finite", "cost_not_numeric", "cost_not_finite",
              "date_out_of_window", "duplicate_row", "blank_row", "date_in_future",
              "order_id_conflict"}


@settings(max_examples=200, deadline=None)
@given(raw_tables(["customer_id", "date", "amount", "cost"], ids, tag="order_id"))
def test_rows_in_equals_rows_kept_plus_rows_quarantined(raw):
    result = clean_transactions(raw, start="2000-01-01", end="2025-12-31")
    check_every_row_is_kept_or_quarantined_once(raw, result, "order_id", TX_REASONS)
    clean = result.clean
    validate_transactions(clean)
    assert (clean["customer_id"].str.len() > 0).all()
    assert clean["date"].between(pd.Timestamp("2000-01-01"), pd.Timestamp("2025-12-31 23:59:59")).all()
    assert np.isfinite(clean["amount"]).all()
    assert (clean["is_return"] == (clean["amount"] < 0)).all()


CUSTOMER_REASONS = {"blank_row", "customer_id_missing", "customer_id_duplicate",
                    "first_contact_unparseable", "first_contact_in_future"} | {
    f"{col}_{what}" for col in ("size", "strategic_fit", "share_of_wallet", "industry_growth")
    for what in ("not_numeric", "not_finite", "out_of_range")}


@settings(max_examples=200, deadline=None)
@given(raw_tables(["customer_id", "first_contact", "size", "strategic_fit", "share_of_wallet",
                   "industry_growth", "industry"], ids, tag="name"))
def test_customers_rows_in_equals_rows_kept_plus_rows_quarantined(raw):
    result = clean_customers(raw)
    check_every_row_is_kept_or_quarantined_once(raw, result, "name", CUSTOMER_REASONS)
    clean = result.clean
    validate_customers(clean)
    assert clean["customer_id"].is_unique and (clean["customer_id"].str.len() > 0).all()
    assert clean["strategic_fit"].dropna().between(1, 5).all()
    assert clean["share_of_wallet"].dropna().between(0, 1).all()


@settings(max_examples=100, deadline=None)
@given(raw_tables(["respondent_id", "CUSA1", "CUSA2"], ids, tag="tag"))
def test_survey_rows_in_equals_rows_kept_plus_rows_quarantined(raw):
    result = clean_respondents(raw)
    check_every_row_is_kept_or_quarantined_once(
        raw, result, "tag", {"blank_row", "respondent_id_missing", "respondent_id_duplicate"})
    assert result.clean["respondent_id"].is_unique


def test_full_width_ids_are_the_ascii_ids_after_nfkc():
    raw = pd.DataFrame({"customer_id": ["Ｋ1", "K1", " ｋ２ ", "客户３"], "order_id": ["Ｏ1", "O2", "O3", "O4"],
                        "date": ["2024-01-05"] * 4, "amount": ["1", "2", "3", "4"],
                        "product_id": ["Ｐ1", "P1", None, "P2"]})
    clean = clean_transactions(raw, today="2025-01-01").clean
    assert clean["customer_id"].tolist() == ["K1", "K1", "k2", "客户3"]
    assert clean["order_id"].tolist() == ["O1", "O2", "O3", "O4"]
    assert clean["product_id"].tolist()[:2] == ["P1", "P1"]
    customers = clean_customers(pd.DataFrame({"customer_id": ["Ｋ1", "K1"]})).quarantine
    assert customers["reason"].tolist() == ["customer_id_duplicate"]  # one customer written two ways


def test_a_conflict_of_one_day_at_two_times_names_the_date():
    raw = pd.DataFrame({"customer_id": ["A", "A", "B", "B"], "order_id": ["O1", "O1", "O2", "O2"],
                        "date": ["2024-01-05 10:00", "2024-01-05 11:00", "2024-01-06", "2024-01-06"],
                        "amount": ["1", "1", "2", "3"]})
    quarantine = clean_transactions(raw, today="2025-01-01").quarantine
    assert quarantine["detail"].tolist() == [
        "order 'O1' is also on row 3 with another date", "order 'O1' is also on row 2 with another date",
        "order 'O2' is also on row 5 with another amount", "order 'O2' is also on row 4 with another amount"]
