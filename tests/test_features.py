"""Tests for workbench.features: hand-worked tables, properties, lifetimes on CDNOW."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.datasets import load_cdnow
from workbench.features import (
    FEATURE_COLUMNS,
    bgnbd_summary,
    customer_features,
    split_calibration_holdout,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture
def six_rows() -> pd.DataFrame:
    """Three customers, six rows; every number below is worked out by hand.

    a: two orders on 2024-01-05 (100 + 20) and one on 2024-03-10 (50)
    b: one order on 2024-02-01 (30) and a return on 2024-02-15 (-10)
    c: one order on the analysis date 2024-03-31 (40)
    """
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "a", "b", "a", "c"],
            "order_id": ["o1", "o4", "o2", "o5", "o3", "o6"],
            "date": pd.to_datetime(
                ["2024-01-05", "2024-02-01", "2024-01-05", "2024-02-15", "2024-03-10", "2024-03-31"]
            ),
            "amount": [100.0, 30.0, 20.0, -10.0, 50.0, 40.0],
            "gross_profit": [40.0, 10.0, 10.0, -4.0, 20.0, 15.0],
            "is_return": [False, False, False, True, False, False],
        }
    )


def test_customer_features_hand_worked(six_rows):
    f = customer_features(six_rows, "2024-03-31")
    assert list(f.columns) == list(FEATURE_COLUMNS)
    assert f["customer_id"].tolist() == ["a", "b", "c"]
    assert f["first_purchase"].tolist() == list(pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-31"]))
    assert f["last_purchase"].tolist() == list(pd.to_datetime(["2024-03-10", "2024-02-01", "2024-03-31"]))
    # Mar 10 -> Mar 31 = 21; Feb 1 -> Mar 31 in a leap year = 29 + 30 = 59
    assert f["recency_days"].tolist() == [21.0, 59.0, 0.0]
    # Jan 5 -> Mar 31 = 26 + 29 + 31 = 86
    assert f["tenure_days"].tolist() == [86.0, 59.0, 0.0]
    assert f["frequency"].tolist() == [3, 1, 1]  # the return o5 is not a purchase
    assert f["monetary_total"].tolist() == [170.0, 20.0, 40.0]  # but it nets into revenue
    np.testing.assert_allclose(f["monetary_mean"], [170 / 3, 20.0, 40.0])
    assert f["gross_profit"].tolist() == [70.0, 6.0, 15.0]
    np.testing.assert_allclose(f["margin_rate"], [70 / 170, 0.3, 0.375])
    assert f["active_periods"].tolist() == [2, 1, 1]
    # a: monthly spend Jan..Mar = 120, 0, 50 -> slope -35; one active month -> NaN
    np.testing.assert_allclose(f["spend_trend"], [-35.0, np.nan, np.nan])
    assert np.polyfit([0, 1, 2], [120, 0, 50], 1)[0] == pytest.approx(-35.0)
    assert f["n_returns"].tolist() == [0, 1, 0]


def test_customer_features_days_window_and_cost(six_rows):
    tx = six_rows.drop(columns="gross_profit").assign(cost=[60.0, 20.0, 10.0, -6.0, 30.0, 25.0])
    f = customer_features(tx, "2024-03-31", frequency="days", start="2024-01-06")
    # the window starts after a's first day: a keeps only the 2024-03-10 order
    assert f["frequency"].tolist() == [1, 1, 1]
    assert f["monetary_total"].tolist() == [50.0, 20.0, 40.0]
    assert f["gross_profit"].tolist() == [20.0, 6.0, 15.0]
    g = customer_features(six_rows, "2024-03-31", frequency="days")
    assert g["frequency"].tolist() == [2, 1, 1]  # two orders on one day are one purchase day
    np.testing.assert_allclose(g["monetary_mean"], [85.0, 20.0, 40.0])


def test_customer_features_without_order_id_or_profit(six_rows):
    f = customer_features(six_rows.drop(columns=["order_id", "gross_profit"]), "2024-03-31")
    assert f["frequency"].tolist() == [3, 1, 1]  # each purchase row is an order
    assert f["gross_profit"].isna().all() and f["margin_rate"].isna().all()


def test_customer_features_quarterly_trend_and_as_of(six_rows):
    f = customer_features(six_rows, "2024-02-20", period="Q")
    assert f["customer_id"].tolist() == ["a", "b"]  # c buys after the analysis date
    assert f["active_periods"].tolist() == [1, 1]
    w = customer_features(six_rows, "2024-03-31", period="W")
    # a: ISO weeks of Jan 5 (week 1) and Mar 10 (a Sunday, week 10)
    assert w.loc[0, "active_periods"] == 2


def test_time_of_day_and_time_zones_count_whole_days(six_rows):
    shifted = six_rows.assign(date=six_rows["date"] + pd.Timedelta(hours=15))
    pd.testing.assert_frame_equal(customer_features(shifted, "2024-03-31"), customer_features(six_rows, "2024-03-31"))
    utc = six_rows.assign(date=six_rows["date"].dt.tz_localize("UTC"))
    pd.testing.assert_frame_equal(customer_features(utc, "2024-03-31"), customer_features(six_rows, "2024-03-31"))
    pd.testing.assert_frame_equal(bgnbd_summary(utc, "2024-03-31"), bgnbd_summary(six_rows, "2024-03-31"))


def test_return_only_customer_is_kept_not_dropped(six_rows):
    f = customer_features(six_rows, "2024-03-31", start="2024-02-10")
    b = f.set_index("customer_id").loc["b"]
    assert b["frequency"] == 0 and b["monetary_total"] == -10.0 and b["n_returns"] == 1
    assert pd.isna(b["first_purchase"]) and np.isnan(b["recency_days"]) and np.isnan(b["monetary_mean"])
    assert np.isnan(b["margin_rate"])  # negative revenue has no margin rate


def test_identical_customers_get_identical_features():
    tx = pd.DataFrame(
        {
            "customer_id": ["x", "y", "x", "y"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", "2024-02-01"]),
            "amount": [10.0, 10.0, 5.0, 5.0],
        }
    )
    f = customer_features(tx, "2024-03-01").drop(columns="customer_id")
    pd.testing.assert_series_equal(f.iloc[0], f.iloc[1], check_names=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"as_of": "2023-01-01"}, "no transactions between"),
        ({"as_of": "2024-03-31", "start": "2024-04-01"}, "is after as_of"),
        ({"as_of": "2024-03-31", "frequency": "visits"}, "frequency='visits' is not supported"),
        ({"as_of": "2024-03-31", "period": "D"}, "period='D' is not supported"),
        ({"as_of": "not a date"}, "is not a date"),
    ],
)
def test_customer_features_bad_arguments(six_rows, kwargs, message):
    with pytest.raises(ValueError, match=message):
        customer_features(six_rows, **kwargs)


def test_bad_transactions_are_named():
    with pytest.raises(ValueError, match=r"lack column\(s\) \['amount'\]"):
        customer_features(pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2024-01-01"])}), "2024-02-01")
    tx = pd.DataFrame({"customer_id": ["a", None], "date": pd.to_datetime(["2024-01-01"] * 2), "amount": [1.0, 2.0]})
    with pytest.raises(ValueError, match="'customer_id' has 1 missing"):
        bgnbd_summary(tx, "2024-02-01")
    with pytest.raises(TypeError, match="expected datetime64"):
        customer_features(tx.assign(date="2024-01-01"), "2024-02-01")
    with pytest.raises(TypeError, match="DataFrame"):
        customer_features([1, 2], "2024-02-01")


# ----------------------------------------------------------------------------------
# BG/NBD summary
# ----------------------------------------------------------------------------------


def test_bgnbd_summary_hand_worked(six_rows):
    s = bgnbd_summary(six_rows, "2024-02-29", "2024-03-31", time_unit="D")
    assert s["customer_id"].tolist() == ["a", "b"]  # c's first purchase is in the holdout
    # a: purchase days Jan 5 only in calibration (two orders, one day) -> x = 0
    # b: Feb 1 purchase, Feb 15 return (not a purchase) -> x = 0
    assert s["frequency"].tolist() == [0.0, 0.0]
    assert s["recency"].tolist() == [0.0, 0.0]
    assert s["T"].tolist() == [55.0, 28.0]  # Jan 5 -> Feb 29, Feb 1 -> Feb 29
    assert s["monetary_value"].tolist() == [0.0, 0.0]
    assert s["frequency_holdout"].tolist() == [1.0, 0.0]
    assert s["duration_holdout"].tolist() == [31.0, 31.0]

    w = bgnbd_summary(six_rows, "2024-03-31")
    a = w.set_index("customer_id").loc["a"]
    assert a["frequency"] == 1.0 and a["monetary_value"] == 50.0  # first day (120) excluded
    assert a["recency"] == pytest.approx(65 / 7) and a["T"] == pytest.approx(86 / 7)
    assert "frequency_holdout" not in w.columns

    # a window that starts after a's first purchase day: a's history begins on Mar 10
    late = bgnbd_summary(six_rows, "2024-03-31", start="2024-01-06", time_unit="D")
    assert late["frequency"].tolist() == [0.0, 0.0, 0.0]
    assert late["T"].tolist() == [21.0, 59.0, 0.0]


def test_bgnbd_summary_return_after_first_day_nets_into_monetary():
    tx = pd.DataFrame(
        {
            "customer_id": ["a"] * 4,
            "date": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-01-10", "2024-01-20"]),
            "amount": [10.0, 30.0, -5.0, 15.0],
        }
    )
    s = bgnbd_summary(tx, "2024-01-31", time_unit="D")
    assert s["frequency"].item() == 2.0 and s["recency"].item() == 19.0
    assert s["monetary_value"].item() == pytest.approx((30 - 5 + 15) / 2)


def test_bgnbd_summary_bad_windows(six_rows):
    with pytest.raises(ValueError, match="no purchases between"):
        bgnbd_summary(six_rows, "2023-12-31")
    with pytest.raises(ValueError, match="must be after calibration_end"):
        bgnbd_summary(six_rows, "2024-02-29", "2024-02-01")
    with pytest.raises(ValueError, match="time_unit='M' is not supported"):
        bgnbd_summary(six_rows, "2024-02-29", time_unit="M")


def test_split_calibration_holdout(six_rows):
    cal, hold = split_calibration_holdout(six_rows, "2024-02-29", "2024-03-31")
    assert len(cal) == 4 and len(hold) == 2 and len(cal) + len(hold) == len(six_rows)
    assert cal["date"].max() <= pd.Timestamp("2024-02-29") < hold["date"].min()


def test_bgnbd_summary_equals_lifetimes_on_cdnow_sample():
    """lifetimes 0.11.3 ``calibration_and_holdout_data(freq="D", freq_multiplier=7)``.

    Reference file made by ``benchmarks/lifetimes_reference.py``; CDNOW sample, 2,357
    customers, calibration 1997-01-01..1997-09-30, holdout to 1998-06-30 (Fader, Hardie
    & Lee 2005: 2,357 customers, 39 + 39 weeks).
    """
    ref = pd.read_csv(DATA / "lifetimes_cdnow_sample_summary.csv", dtype={"customer_id": str})
    ref = ref.sort_values("customer_id").reset_index(drop=True)
    s = bgnbd_summary(load_cdnow("sample"), "1997-09-30", "1998-06-30")
    assert len(s) == 2357 and s["customer_id"].tolist() == ref["customer_id"].tolist()
    for ours, theirs in [
        ("frequency", "frequency_cal"),
        ("recency", "recency_cal"),
        ("T", "T_cal"),
        ("monetary_value", "monetary_value_cal"),
        ("frequency_holdout", "frequency_holdout"),
        ("duration_holdout", "duration_holdout"),
    ]:
        np.testing.assert_allclose(s[ours], ref[theirs], rtol=0, atol=1e-9, err_msg=ours)
    assert s["frequency"].sum() == 2457 and s["frequency_holdout"].sum() == 1882


# ----------------------------------------------------------------------------------
# properties against a per-customer reference written the obvious way
# ----------------------------------------------------------------------------------


def _naive_summary(tx: pd.DataFrame, cal_end: pd.Timestamp, obs_end: pd.Timestamp) -> pd.DataFrame:
    rows = []
    for cid, g in tx.groupby("customer_id", sort=True):
        buy = g[g["amount"] >= 0]
        cal_days = sorted(set(buy.loc[buy["date"] <= cal_end, "date"]))
        if not cal_days:
            continue
        first = cal_days[0]
        repeat = g[(g["date"] > first) & (g["date"] <= cal_end)]["amount"].sum()
        x = len(cal_days) - 1
        hold = buy[(buy["date"] > cal_end) & (buy["date"] <= obs_end)]["date"].nunique()
        rows.append((cid, x, (cal_days[-1] - first).days / 7, (cal_end - first).days / 7,
                     repeat / x if x else 0.0, hold))
    return pd.DataFrame(rows, columns=["customer_id", "frequency", "recency", "T", "monetary_value",
                                       "frequency_holdout"])


_tx_rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.integers(0, 60),
        st.sampled_from([-7.5, 0.0, 3.25, 10.0, 99.99]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=30, deadline=None)
@given(_tx_rows)
def test_summary_matches_naive_reference(rows):
    tx = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    tx["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(tx["day"], unit="D")
    cal_end, obs_end = pd.Timestamp("2024-01-31"), pd.Timestamp("2024-03-01")
    # with and without returns (two query plans), with and without a holdout window, in
    # input order (DuckDB) and sorted by customer and date as cleaning leaves it (one pass)
    no_returns = tx.assign(amount=tx["amount"].abs())
    by_customer = ["customer_id", "date"]
    for frame in (tx, no_returns, tx.sort_values(by_customer, kind="stable"),
                  no_returns.sort_values(by_customer, kind="stable")):
        expected = _naive_summary(frame, cal_end, obs_end)
        if expected.empty:
            with pytest.raises(ValueError, match="no purchases"):
                bgnbd_summary(frame, cal_end, obs_end)
            continue
        for s in (bgnbd_summary(frame, cal_end, obs_end), bgnbd_summary(frame, cal_end)):
            assert s["customer_id"].tolist() == expected["customer_id"].tolist()
            for col in ["frequency", "recency", "T", "monetary_value", "frequency_holdout"][: s.shape[1] - 1]:
                np.testing.assert_allclose(s[col], expected[col], atol=1e-9, err_msg=col)
            assert (s["recency"] <= s["T"]).all() and (s["recency"] >= 0).all()
            assert ((s["frequency"] == 0) == (s["recency"] == 0)).all()


@settings(max_examples=40, deadline=None)
@given(_tx_rows, st.integers(0, 40))
def test_sorted_one_pass_equals_the_duckdb_plan(rows, start):
    """The one-pass summary of customer-sorted rows and DuckDB's two aggregations agree."""
    from workbench.features import _day as day_number
    from workbench.features import _summary_sorted, _summary_sql

    def _day(text):
        return day_number(text, "test")

    tx = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    tx["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(tx["day"], unit="D")
    tx = tx.sort_values(["customer_id", "date"], kind="stable", ignore_index=True)
    for frame in (tx, tx.assign(amount=tx["amount"].abs())):  # returns change the plan
        for obs in (None, _day("2024-02-20")):
            for first in (None, _day("2024-01-01") + start):
                args = (_day("2024-01-31"), obs, first, 7.0)
                fast, sql = _summary_sorted(frame, *args), _summary_sql(frame, *args)
                assert fast is not None or len(frame) < 2
                if fast is not None:
                    pd.testing.assert_frame_equal(fast.reset_index(drop=True), sql.reset_index(drop=True),
                                                  check_dtype=False, atol=1e-12, rtol=0)
    # a transaction log in date order is not sorted by customer: the DuckDB plan runs
    shuffled = tx.sort_values(["date", "customer_id"], ascending=[True, False], kind="stable")
    if shuffled["customer_id"].tolist() != tx["customer_id"].tolist():
        assert _summary_sorted(shuffled, _day("2024-12-31"), None, None, 7.0) is None


@settings(max_examples=60, deadline=None)
@given(_tx_rows, st.permutations(range(40)))
def test_features_invariants_and_row_order(rows, perm):
    tx = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    tx["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(tx["day"], unit="D")
    f = customer_features(tx, "2024-03-01", frequency="days")
    order = [i for i in perm if i < len(tx)]
    g = customer_features(tx.iloc[order], "2024-03-01", frequency="days")
    pd.testing.assert_frame_equal(f, g)  # row order of the input does not matter
    np.testing.assert_allclose(f["monetary_total"].sum(), tx["amount"].sum())  # nothing dropped
    assert f["n_returns"].sum() == (tx["amount"] < 0).sum()
    bought = f["frequency"] > 0
    assert (f.loc[bought, "recency_days"] <= f.loc[bought, "tenure_days"]).all()
    assert (f["active_periods"] <= f["frequency"]).all()
    assert f["spend_trend"].isna().eq(f["active_periods"] < 2).all()
