"""Cleaning the opportunities table: every bad input ends in a quarantine row with a reason."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.cleaning import clean_opportunities

STAGES = ("lead", "qualified", "proposal")


def table(*rows, **extra):
    """Rows (opportunity, stage, date[, customer]) as a raw text table, as read from a CSV."""
    frame = pd.DataFrame([dict(zip(("opportunity_id", "stage", "stage_date", "customer_id"), r, strict=False))
                          for r in rows]).fillna("")
    for key, values in extra.items():
        frame[key] = values
    return frame


def reasons(result) -> dict:
    return dict(zip(result.quarantine["source_row"], result.quarantine["reason"], strict=True))


GOOD = [("O1", "lead", "2024-01-02", "C1"), ("O1", "qualified", "2024-01-10", "C1"),
        ("O1", "closed_won", "2024-02-01", "C1")]
ORDERS = pd.DataFrame({"customer_id": ["C1", "C2"], "date": pd.to_datetime(["2024-02-05", "2023-01-01"])})


def test_a_clean_history_is_kept_typed_and_sorted():
    raw = table(GOOD[2], GOOD[0], GOOD[1], expected_value=["¥1,200", "1200", "1.2千"], money=["是", "yes", "1"])
    result = clean_opportunities(raw, stages=STAGES, orders=ORDERS)
    assert result.quarantine.empty and result.rows_in == 3
    clean = result.clean
    assert clean["stage"].tolist() == ["lead", "qualified", "closed_won"]
    assert clean["created"].unique().tolist() == [pd.Timestamp("2024-01-02")]
    assert clean["expected_value"].tolist() == [1200.0] * 3
    assert clean["money"].tolist() == [1.0] * 3


def test_stage_dates_out_of_order_quarantine_the_opportunity():
    raw = table(("O1", "lead", "2024-03-01"), ("O1", "qualified", "2024-02-01"), ("O2", "lead", "2024-01-01"))
    result = clean_opportunities(raw, stages=STAGES)
    assert reasons(result) == {0: "stage_dates_out_of_order", 1: "stage_dates_out_of_order"}
    assert "qualified 2024-02-01 before an earlier stage" in result.quarantine["detail"].iloc[0]
    assert result.clean["opportunity_id"].tolist() == ["O2"]
    late_close = table(("O3", "lead", "2024-03-01"), ("O3", "closed_lost", "2024-02-01"))
    assert set(reasons(clean_opportunities(late_close, stages=STAGES)).values()) == {"stage_dates_out_of_order"}
    created = table(("O4", "lead", "2024-03-01"), created=["2024-04-01"])
    assert reasons(clean_opportunities(created, stages=STAGES)) == {0: "stage_dates_out_of_order"}


def test_unknown_stage_quarantines_its_row_and_flags_the_rest():
    raw = table(("O1", "lead", "2024-01-01"), ("O1", "Verhandlung", "2024-01-05"), ("O2", "LEAD ", "2024-01-01"))
    result = clean_opportunities(raw, stages=STAGES)
    assert reasons(result) == {1: "stage_unknown", 0: "opportunity_has_bad_row"}
    assert result.quarantine.set_index("source_row").loc[1, "detail"] == "Verhandlung"
    assert result.quarantine.set_index("source_row").loc[0, "detail"] == "row 1: stage_unknown"
    assert result.clean["stage"].tolist() == ["lead"]  # 'LEAD ' is the stage lead


def test_an_opportunity_won_twice_or_won_and_lost():
    won_twice = table(("O1", "lead", "2024-01-01"), ("O1", "closed_won", "2024-02-01"),
                      ("O1", "closed_won", "2024-03-01"))
    result = clean_opportunities(won_twice, stages=STAGES)
    assert set(reasons(result).values()) == {"closed_twice"} and len(result.quarantine) == 3
    assert result.quarantine["detail"].iloc[0] == "closed_won 2024-02-01; closed_won 2024-03-01"
    both = table(("O2", "lead", "2024-01-01"), ("O2", "closed_won", "2024-02-01"), ("O2", "closed_lost", "2024-02-01"))
    assert set(reasons(clean_opportunities(both, stages=STAGES)).values()) == {"closed_twice"}


def test_a_won_opportunity_needs_a_later_order():
    no_order = table(("O2", "lead", "2023-05-01", "C2"), ("O2", "closed_won", "2023-06-01", "C2"))
    result = clean_opportunities(no_order, stages=STAGES, orders=ORDERS)  # C2's only order is older
    assert set(reasons(result).values()) == {"won_without_order"}
    assert "customer C2 has no order on or after it" in result.quarantine["detail"].iloc[0]
    recent = table(("O3", "lead", "2024-01-01", "C9"), ("O3", "closed_won", "2024-01-20", "C9"))
    assert clean_opportunities(recent, stages=STAGES, orders=ORDERS).quarantine.empty  # within 90 days of the data end
    strict = clean_opportunities(recent, stages=STAGES, orders=ORDERS, order_grace_days=0)
    assert set(reasons(strict).values()) == {"won_without_order"}
    nameless = table(("O4", "lead", "2024-01-01", ""), ("O4", "closed_won", "2024-01-20", ""))
    assert set(reasons(clean_opportunities(nameless, stages=STAGES)).values()) == {"won_without_customer_id"}


def test_customer_ids_fill_in_and_must_agree():
    filled = clean_opportunities(table(("O1", "lead", "2024-01-01", ""), ("O1", "qualified", "2024-01-05", "P7")),
                                 stages=STAGES)
    assert filled.clean["customer_id"].tolist() == ["P7", "P7"]
    conflict = clean_opportunities(table(("O1", "lead", "2024-01-01", "P7"), ("O1", "qualified", "2024-01-05", "P8")),
                                   stages=STAGES)
    assert set(reasons(conflict).values()) == {"customer_id_conflict"}
    assert conflict.quarantine["detail"].iloc[0] == "P7, P8"


def test_row_level_reasons():
    raw = table(("", "lead", "2024-01-01"), ("O2", "", "2024-01-01"), ("O3", "lead", ""),
                ("O4", "lead", "soon"), ("O5", "lead", "2024-01-01"), ("O6", "lead", "2024-01-01"),
                ("O7", "lead", "2024-01-01"), ("O8", "lead", "2025-03-01"), ("O9", "lead", "2024-01-01"),
                ("O9", "lead", "2024-01-01"), ("O10", "lead", "2024-01-01"), ("O10", "lead", "2024-02-01"),
                expected_value=["", "", "", "", "lots", "-5", "", "", "", "", "", ""],
                need=["", "", "", "", "", "", "maybe", "", "", "", "", ""],
                sales_expense=["", "", "", "", "", "", "", "", "", "", "", "inf"])
    result = clean_opportunities(raw, stages=STAGES, end="2024-12-31")
    assert reasons(result) == {
        0: "opportunity_id_missing", 1: "stage_missing", 2: "stage_date_missing", 3: "stage_date_unparseable",
        4: "expected_value_not_numeric", 5: "expected_value_negative", 6: "need_not_valid",
        7: "stage_date_out_of_window", 9: "duplicate_row", 11: "sales_expense_not_finite",
        10: "opportunity_has_bad_row"}
    assert result.clean["opportunity_id"].tolist() == ["O9"]  # the copy goes, the opportunity stays
    assert len(result.clean) + len(result.quarantine) == result.rows_in


def test_a_stage_entered_twice_and_out_of_range_answers():
    repeated = table(("O1", "lead", "2024-01-01"), ("O1", "qualified", "2024-01-05"), ("O1", "qualified", "2024-01-09"))
    assert set(reasons(clean_opportunities(repeated, stages=STAGES)).values()) == {"stage_repeated"}
    rating = table(("O1", "lead", "2024-01-01"), money=["7"])
    assert reasons(clean_opportunities(rating, stages=STAGES)) == {0: "money_out_of_range"}


def test_missing_columns_and_clashing_stage_names_are_errors():
    with pytest.raises(ValueError, match=r"lack canonical column\(s\) \['stage_date'\]"):
        clean_opportunities(pd.DataFrame({"opportunity_id": ["O1"], "stage": ["lead"]}), stages=STAGES)
    with pytest.raises(ValueError, match="distinct"):
        clean_opportunities(table(GOOD[0]), stages=("lead", "Closed_Won"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["O1", "O2", "O3", "", "O4"]),
                          st.sampled_from(["lead", "qualified", "proposal", "closed_won", "closed_lost", "x", ""]),
                          st.sampled_from(["2024-01-01", "2024-02-01", "2024-03-01", "", "bad", "2023-12-31"]),
                          st.sampled_from(["C1", "C2", "", "P1"])), max_size=25))
def test_rows_in_equal_rows_kept_plus_quarantined(rows):
    raw = table(*rows) if rows else pd.DataFrame(columns=["opportunity_id", "stage", "stage_date", "customer_id"])
    result = clean_opportunities(raw, stages=STAGES, orders=ORDERS)
    assert len(result.clean) + len(result.quarantine) == result.rows_in == len(raw)
    assert result.quarantine["reason"].notna().all()
    # a kept opportunity has a consistent history
    for _, history in result.clean.groupby("opportunity_id"):
        assert history["stage"].is_unique
        assert (history["stage"].isin(["closed_won", "closed_lost"])).sum() <= 1
