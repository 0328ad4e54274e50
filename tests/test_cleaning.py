"""Cleaning: hand-worked parsing cases and the rows-in invariant as a property."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.cleaning import clean_customers, clean_transactions, parse_amounts, parse_dates


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
        ("2024-01-05T08:00:00+08:00", "2024-01-05 00:00"),  # to UTC, then naive
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


cell = st.one_of(
    st.sampled_from(["", " ", "N/A", "2024-01-05", "2024年1月5日", "45296", "¥1,234.5",
                     "1.2万", "-3", "(4)", "1999-12-31", "2030-01-01", "abc", "2024-02-30"]),
    st.text(max_size=6),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "", "C"]), cell, cell, cell),
                max_size=30))
def test_rows_in_equals_rows_kept_plus_rows_quarantined(rows):
    raw = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "cost"], dtype=object)
    result = clean_transactions(raw, start="2000-01-01", end="2025-12-31")
    assert len(result.clean) + len(result.quarantine) == len(raw) == result.rows_in
    assert int(result.log["rows"].sum()) == len(raw)
    assert set(result.quarantine["source_row"]).isdisjoint(set())  # ids are real rows
    assert result.quarantine["reason"].notna().all()
    kept_rows = len(raw) - len(result.quarantine)
    assert kept_rows == len(result.clean)
    assert (result.clean["is_return"] == (result.clean["amount"] < 0)).all()
