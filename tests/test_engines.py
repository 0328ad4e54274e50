"""The engine aggregates on DuckDB: hand-worked tables, parity with the pandas functions,
readers, progress and the out-of-memory message. Spark: tests/test_engines_spark.py."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.datasets import load_cdnow
from workbench.engines import DuckDBEngine, EngineMemoryError, Progress, Source, engine, to_dialect
from workbench.engines.definitions import period_number
from workbench.features import FEATURE_COLUMNS, bgnbd_summary, customer_features
from workbench.lifecycle import churn_rates, cohort_table
from workbench.value import account_analysis, customer_ratios, product_ratios

DATA = Path(__file__).parent / "data"
MONEY = {"rtol": 1e-9, "atol": 1e-9}


def assert_same(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """Counts, ids and dates exactly; money and times to 1e-9."""
    assert list(ours.columns) == list(theirs.columns)
    assert len(ours) == len(theirs)
    for col in ours.columns:
        a, b = ours[col].reset_index(drop=True), theirs[col].reset_index(drop=True)
        if pd.api.types.is_float_dtype(b):
            assert pd.api.types.is_float_dtype(a), col
            np.testing.assert_array_equal(a.isna(), b.isna(), err_msg=col)
            np.testing.assert_allclose(a.fillna(0), b.fillna(0), err_msg=col, **MONEY)
        else:
            pd.testing.assert_series_equal(a, b, check_names=False, obj=col)


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "tx.parquet") -> str:
    path = tmp_path / name
    frame.to_parquet(path)
    return str(path)


@pytest.fixture
def hand(tmp_path):
    """Three customers, worked on paper below: a buys twice on 5 January (one purchase
    day), once on 10 February and returns goods on 1 March; b buys once; c only returns."""
    tx = pd.DataFrame({
        "cid": ["a", "a", "a", "a", "b", "c"],
        "order": ["o1", "o2", "o3", "o4", "o5", "o6"],
        "day": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-02-10", "2024-03-01", "2024-02-01",
                               "2024-01-20"]),
        "sales": [100.0, 20.0, 50.0, -30.0, 30.0, -10.0],
        "cost": [60.0, 12.0, 30.0, -18.0, 15.0, -6.0],
    })
    return Source("parquet", path=write(tmp_path, tx),
                  columns={"customer_id": "cid", "order_id": "order", "date": "day", "amount": "sales"})


def test_customer_features_hand_worked(hand):
    with DuckDBEngine(progress=None) as e:
        e.transactions(hand)
        f = e.customer_features("2024-03-31")
    assert tuple(f.columns) == FEATURE_COLUMNS
    assert f["customer_id"].tolist() == ["a", "b", "c"]
    a, b, c = (f.iloc[i] for i in range(3))
    # a: 3 orders, 140 net; last purchase 10 Feb -> 31 Mar = 50 days, first 5 Jan -> 86 days
    assert (a.frequency, a.monetary_total, a.recency_days, a.tenure_days) == (3, 140.0, 50.0, 86.0)
    assert a.gross_profit == pytest.approx(56.0) and a.margin_rate == pytest.approx(0.4)
    # months Jan..Mar (k = 0, 1, 2): spend 120, 50, -30; slope = (-120 - 30) / 2 = -75
    assert (a.active_periods, a.n_returns, a.spend_trend) == (2, 1, -75.0)
    assert (b.frequency, b.recency_days, b.monetary_mean, b.active_periods) == (1, 59.0, 30.0, 1)
    assert np.isnan(b.spend_trend)
    # c only returned goods: kept, with no purchase dates
    assert c.frequency == 0 and pd.isna(c.first_purchase) and np.isnan(c.monetary_mean) and c.n_returns == 1


def test_bgnbd_summary_hand_worked(hand):
    with DuckDBEngine(progress=None) as e:
        e.transactions(hand)
        s = e.bgnbd_summary("2024-02-29", "2024-03-31", time_unit="D")
    # a: purchase days 5 Jan, 10 Feb -> x = 1, t_x = 36, T = 55, repeat spend 50; the
    # return on 1 March is no holdout purchase. b: x = 0, T = 28. c never bought: absent.
    expected = pd.DataFrame({"customer_id": pd.array(["a", "b"], dtype="str"), "frequency": [1.0, 0.0],
                             "recency": [36.0, 0.0], "T": [55.0, 28.0], "monetary_value": [50.0, 0.0],
                             "frequency_holdout": [0.0, 0.0], "duration_holdout": [31.0, 31.0]})
    assert_same(s, expected)


def test_bgnbd_summary_equals_lifetimes_on_cdnow_sample(tmp_path):
    """The engine against lifetimes 0.11.3 (reference file of benchmarks/lifetimes_reference.py)."""
    ref = pd.read_csv(DATA / "lifetimes_cdnow_sample_summary.csv", dtype={"customer_id": str})
    ref = ref.sort_values("customer_id").reset_index(drop=True)
    with DuckDBEngine(progress=None) as e:
        e.transactions(Source("parquet", path=write(tmp_path, load_cdnow("sample"))))
        s = e.bgnbd_summary("1997-09-30", "1998-06-30")
    assert s["customer_id"].tolist() == ref["customer_id"].tolist()
    for ours, theirs in [("frequency", "frequency_cal"), ("recency", "recency_cal"), ("T", "T_cal"),
                         ("monetary_value", "monetary_value_cal"), ("frequency_holdout", "frequency_holdout")]:
        np.testing.assert_allclose(s[ours], ref[theirs], rtol=0, atol=1e-9, err_msg=ours)


# ----------------------------------------------------------------------------------
# parity with the pandas functions on a few thousand generated rows
# ----------------------------------------------------------------------------------


def generated(n: int = 4000, seed: int = 3) -> pd.DataFrame:
    """Customers with returns (negative amounts and flagged rows), orders spanning rows,
    unknown costs and product ids, over two years with time of day."""
    rng = np.random.default_rng(seed)
    tx = pd.DataFrame({
        "customer_id": pd.Series(rng.integers(0, 300, n)).map("c{:03d}".format).astype("str"),
        "order_id": pd.Series(rng.integers(0, 2500, n)).map("o{}".format).astype("str"),
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730 * 24, n), unit="h"),
        "amount": np.round(rng.lognormal(3, 1, n), 2),
        "product_id": pd.Series(rng.integers(0, 40, n)).map("p{:02d}".format).astype("str"),
    })
    tx.loc[rng.random(n) < 0.06, "amount"] *= -1
    tx["is_return"] = tx["amount"] < 0
    flagged = rng.random(n) < 0.02  # flagged returns with a positive amount exist too
    tx.loc[flagged, "is_return"] = True
    tx["cost"] = np.where(rng.random(n) < 0.01, np.nan, np.round(tx["amount"] * 0.6, 2))
    tx.loc[rng.random(n) < 0.03, "product_id"] = None
    tx["date"] = tx["date"].astype("datetime64[us]")
    return tx


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    tx = generated()
    path = write(tmp_path_factory.mktemp("gen"), tx)
    e = DuckDBEngine(progress=None)
    e.transactions(Source("parquet", path=path))
    yield tx, e
    e.close()


@pytest.mark.parametrize("kwargs", [
    {}, {"start": "2023-03-01"}, {"frequency": "days", "period": "W"}, {"period": "Q"}, {"period": "Y"},
])
def test_customer_features_equal_pandas(gen, kwargs):
    tx, e = gen
    assert_same(e.customer_features("2024-06-30", **kwargs), customer_features(tx, "2024-06-30", **kwargs))


@pytest.mark.parametrize("args, kwargs", [
    (("2024-03-31",), {}),
    (("2024-03-31", "2024-12-31"), {}),
    (("2024-03-31", "2024-09-30"), {"start": "2023-02-01", "time_unit": "D"}),
])
def test_bgnbd_summary_equals_pandas(gen, args, kwargs):
    tx, e = gen
    assert_same(e.bgnbd_summary(*args, **kwargs), bgnbd_summary(tx, *args, **kwargs))


def test_bgnbd_summary_without_returns_takes_the_fast_plan_and_agrees(tmp_path):
    tx = generated().query("amount >= 0").drop(columns="is_return")
    with DuckDBEngine(progress=None) as e:
        assert not e.transactions(Source("parquet", path=write(tmp_path, tx))).has_returns
        duck = e.sql("bgnbd_summary", calibration_end="2024-03-31")
        assert "arg_min(s, d)" in duck and "MIN_BY(s, d)" in to_dialect(duck, "spark")
        for args in (("2024-12-31",), ("2024-03-31", "2024-12-31")):
            assert_same(e.bgnbd_summary(*args), bgnbd_summary(tx, *args))


def test_abc_totals_equal_the_ratio_tables(gen):
    tx, e = gen
    ours = e.abc_totals()
    theirs = customer_ratios(tx)
    assert_same(ours[["customer_id", "sales", "gross_profit"]], theirs[["customer_id", "sales", "gross_profit"]])
    assert ours["rows"].sum() == len(tx)
    by_product = e.abc_totals(by="product_id")
    assert by_product["product_id"].iloc[0] == "(missing)"
    assert_same(by_product[["product_id", "sales", "gross_profit"]],
                product_ratios(tx)[["product_id", "sales", "gross_profit"]])


def test_account_totals_equal_the_subtotals_of_account_analysis(gen, tmp_path):
    tx, e = gen
    ids = np.sort(tx["customer_id"].unique())
    industry = np.array(["retail", "wholesale", "agent"])[np.arange(len(ids)) % 3]
    customers = pd.DataFrame({"id": ids, "industry": industry})
    e.customers(Source("parquet", path=write(tmp_path, customers, "customers.parquet"),
                       columns={"customer_id": "id"}))
    ours = e.account_totals(by="industry")
    features = customer_features(tx, tx["date"].max())
    table = account_analysis(features, customers.rename(columns={"id": "customer_id"}), by="industry")
    sub = table[table["row_type"] == "subtotal"]
    assert_same(ours, sub[["industry", "customers", "sales", "share_of_total"]])


def test_account_totals_refuse_customers_without_class(gen, tmp_path):
    tx, e = gen
    ids = np.sort(tx["customer_id"].unique())[:-5]  # five buyers missing from the table
    e.customers(Source("parquet", path=write(tmp_path, pd.DataFrame({"customer_id": ids, "industry": "x"}),
                                             "c.parquet")))
    with pytest.raises(ValueError, match="5 customer.* have no 'industry'"):
        e.account_totals(by="industry")
    with pytest.raises(ValueError, match="no column 'region'"):
        e.account_totals(by="region")


def test_period_spend_is_what_lifecycle_reads(gen):
    tx, e = gen
    cells = e.period_spend(period="M", as_of="2024-06-30")
    window = tx[tx["date"] < "2024-07-01"]
    ret = window["amount"].lt(0) | window["is_return"]
    ref = (window.assign(p=window["date"].dt.to_period("M").astype(str), buy=~ret, ret=ret)
           .groupby(["customer_id", "p"], sort=True)
           .agg(spend=("amount", "sum"), purchases=("buy", "sum"), returns=("ret", "sum")).reset_index())
    assert cells["customer_id"].tolist() == ref["customer_id"].tolist()
    assert cells["period"].tolist() == ref["p"].tolist()
    np.testing.assert_allclose(cells["spend"], ref["spend"], **MONEY)
    assert cells["purchases"].tolist() == ref["purchases"].tolist()
    assert cells["returns"].tolist() == ref["returns"].tolist()
    # churn rates count, per period, the customers with a purchase in it
    bought = cells[cells["purchases"] > 0]
    churn = churn_rates(tx, period="M", as_of="2024-06-30").set_index("period")
    active = bought.groupby("period").size()
    assert active.to_dict() == churn.loc[active.index, "active"].to_dict()
    # cohorts: the first period with a purchase, and the customers acquired in it
    first = bought.groupby("customer_id")["period"].min().value_counts().sort_index()
    sizes = cohort_table(tx, period="M", as_of="2024-06-30").sizes.set_index("cohort")["customers"]
    assert first.to_dict() == sizes[sizes > 0].to_dict()


def engine_churn_and_cohorts(e, as_of, period):
    """churn_rates' counts and cohort_table's cells from the engine's two aggregates, in
    the shape of the pandas results (periods with a purchase; observed cells with a row)."""
    from workbench.engines.base import period_labels

    counts = e.churn_counts(as_of, period=period)
    counts.insert(0, "period", period_labels(counts.pop("period_number").to_numpy(), period))
    cells = e.cohort_counts(as_of, period=period)
    cells.insert(0, "cohort", period_labels(cells.pop("cohort").to_numpy(), period))
    return counts, cells


@pytest.mark.parametrize("period", ["W", "M", "Q", "Y"])
def test_churn_and_cohort_counts_equal_pandas(gen, period):
    tx, e = gen  # returns of both kinds (negative, flagged with a positive amount), time of day
    counts, cells = engine_churn_and_cohorts(e, "2024-06-30", period)
    rates = churn_rates(tx, "2024-06-30", period=period)
    assert_same(counts, rates.loc[rates["active"] > 0, ["period", "active", "new", "retained"]])
    both = {m: cohort_table(tx, "2024-06-30", period=period, metric=m).to_frame() for m in ("customers", "revenue")}
    ref = both["customers"][["cohort", "periods_since", "value"]].rename(columns={"value": "customers"})
    ref["customers"] = ref["customers"].astype(np.int64)
    ref["revenue"] = both["revenue"]["value"].to_numpy()
    ref = ref[(ref["customers"] > 0) | (ref["revenue"] != 0)].reset_index(drop=True)
    assert_same(cells, ref)
    assert "LAG(period_number) OVER" in to_dialect(e.sql("churn_counts", period=period), "spark")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 200),
                          st.sampled_from([-5.0, 2.5, 10.0, 99.99]), st.booleans()), min_size=1, max_size=30),
       st.sampled_from(["W", "M", "Q"]))
def test_churn_and_cohort_counts_equal_pandas_on_any_small_table(tmp_path, rows, period):
    tx = pd.DataFrame(rows, columns=["customer_id", "day", "amount", "flag"])
    tx = pd.DataFrame({"customer_id": tx["customer_id"].astype("str"),
                       "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(tx["day"], unit="D"),
                       "amount": tx["amount"], "is_return": tx["flag"]})
    with DuckDBEngine(progress=None, threads=1) as e:
        e.transactions(Source("parquet", path=write(tmp_path, tx)))
        try:
            rates = churn_rates(tx, "2024-07-19", period=period)
        except ValueError:  # no purchase: nothing counted
            assert e.churn_counts("2024-07-19", period=period).empty
            assert e.cohort_counts("2024-07-19", period=period)["customers"].sum() == 0
            return
        counts, cells = engine_churn_and_cohorts(e, "2024-07-19", period)
        assert_same(counts, rates.loc[rates["active"] > 0, ["period", "active", "new", "retained"]])
        table = cohort_table(tx, "2024-07-19", period=period).values
        for cohort, k, customers in cells[["cohort", "periods_since", "customers"]].itertuples(index=False):
            assert table.loc[cohort, k] == customers
        assert cells["customers"].sum() == np.nansum(table.to_numpy())


def test_period_spend_codes_are_the_ids_once(gen):
    tx, e = gen
    cells = e.period_spend(period="Q", as_of="2024-06-30", start="2023-02-01")
    coded = e.period_spend(period="Q", as_of="2024-06-30", start="2023-02-01", codes=True)
    assert coded.customer_ids.tolist() == sorted(cells["customer_id"].unique())
    assert coded.customer_ids.iloc[coded.cells["customer"]].tolist() == cells["customer_id"].tolist()
    assert_same(coded.cells.drop(columns="customer"), cells.drop(columns=["customer_id", "period"]))


@pytest.mark.parametrize("period, day, number", [
    ("M", "1970-01-31", 0), ("M", "1969-12-31", -1), ("Q", "1969-12-31", -1), ("Y", "1997-09-30", 27),
    ("W", "1970-01-04", 0), ("W", "1970-01-05", 1), ("W", "1969-12-28", -1)])
def test_period_numbers_in_sql_and_python_agree(period, day, number):
    from workbench.engines.definitions import _period_sql, day_number

    assert period_number(day_number(day, "day"), period) == number
    sql = f"SELECT {_period_sql(period, f'DATE {chr(39)}{day}{chr(39)}')}"
    assert duckdb.sql(sql).fetchall()[0][0] == number


_rows = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 90),
                           st.sampled_from([-5.0, 0.0, 2.5, 10.0, 99.99]), st.booleans()),
                 min_size=1, max_size=30)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_rows)
def test_engine_equals_pandas_on_any_small_table(tmp_path, rows):
    tx = pd.DataFrame(rows, columns=["customer_id", "day", "amount", "flag"])
    tx = pd.DataFrame({"customer_id": tx["customer_id"].astype("str"),
                       "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(tx["day"], unit="D"),
                       "amount": tx["amount"], "is_return": tx["flag"] & (tx["day"] % 3 == 0)})
    with DuckDBEngine(progress=None, threads=1) as e:
        e.transactions(Source("parquet", path=write(tmp_path, tx)))
        assert_same(e.customer_features("2024-03-31", frequency="days"),
                    customer_features(tx, "2024-03-31", frequency="days"))
        try:
            theirs = bgnbd_summary(tx, "2024-02-15", "2024-03-31")
        except ValueError:  # no purchase in the calibration window: the engine says so too
            with pytest.raises(ValueError, match="no purchases"):
                e.bgnbd_summary("2024-02-15", "2024-03-31")
        else:
            assert_same(e.bgnbd_summary("2024-02-15", "2024-03-31"), theirs)


# ----------------------------------------------------------------------------------
# readers
# ----------------------------------------------------------------------------------


def test_csv_parquet_files_and_duckdb_database_read_alike(tmp_path, monkeypatch):
    tx = generated(600)[["customer_id", "date", "amount"]]
    tx = tx.assign(date=tx["date"].dt.normalize())
    csv = tmp_path / "tx.csv"
    tx.assign(date=tx["date"].dt.strftime("%Y%m%d")).rename(columns={"amount": "销售额"}).to_csv(csv, index=False)
    half = len(tx) // 2
    parts = [write(tmp_path, tx.iloc[:half], "p1.parquet"), write(tmp_path, tx.iloc[half:], "p2.parquet")]
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(f"CREATE SCHEMA sales; CREATE TABLE sales.orders AS SELECT * FROM read_parquet({parts})")
    monkeypatch.setenv("CRM_TEST_DB", str(db))
    sources = [
        Source("csv", path=str(csv), columns={"amount": "销售额"}, options={"date_format": "%Y%m%d"}),
        Source("parquet", path=parts),
        Source("parquet", path=str(tmp_path / "p*.parquet")),
        Source("database", table="sales.orders", connection_env="CRM_TEST_DB"),
    ]
    expected = customer_features(tx, "2024-12-31")
    for source in sources:
        with DuckDBEngine(progress=None) as e:
            assert e.transactions(source).rows == len(tx)
            assert_same(e.customer_features("2024-12-31"), expected)
    with DuckDBEngine(database=db, progress=None) as e:  # a table of the engine's own database
        e.transactions(Source("table", table="sales.orders"))
        assert_same(e.customer_features("2024-12-31"), expected)


def test_source_from_a_case_file_mapping(tmp_path):
    s = Source.from_config({"path": "orders.csv", "sep": ";", "date_format": "%Y%m%d",
                            "columns": {"customer_id": "客户编号"}}, base=tmp_path)
    assert (s.format, s.path, s.options) == ("csv", str(tmp_path / "orders.csv"),
                                             {"delimiter": ";", "date_format": "%Y%m%d"})
    assert Source.from_config({"table": "db.orders"}).format == "table"
    with pytest.raises(ValueError, match="unknown key.*'password'"):
        Source.from_config({"table": "t", "password": "x"})


def test_connection_strings_only_from_the_environment(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="name of an environment variable"):
        Source("database", table="t", connection_env="postgresql://user:secret@host/db")
    with pytest.raises(ValueError, match="needs connection_env"):
        Source("database", table="t")
    monkeypatch.delenv("CRM_NOT_SET", raising=False)
    with DuckDBEngine(progress=None) as e, pytest.raises(ValueError, match="'CRM_NOT_SET' is not set"):
        e.transactions(Source("database", table="t", connection_env="CRM_NOT_SET"))
    secret = str(tmp_path / "no-such-dir" / "user-secret.duckdb")
    monkeypatch.setenv("CRM_BAD_DB", secret)
    with DuckDBEngine(progress=None) as e, pytest.raises(ValueError) as info:
        e.transactions(Source("database", table="t", connection_env="CRM_BAD_DB"))
    assert "user-secret" not in str(info.value) and "$CRM_BAD_DB" in str(info.value)


def test_bad_sources_are_named(tmp_path):
    tx = generated(50)[["customer_id", "date", "amount"]]
    path = write(tmp_path, tx.rename(columns={"amount": "sales"}))
    with DuckDBEngine(progress=None) as e:
        with pytest.raises(ValueError, match=r"no column for \['amount'\].*'sales'"):
            e.transactions(Source("parquet", path=path))
        with pytest.raises(ValueError, match="column 'revenue' \\(mapped to amount\\) is not in the source"):
            e.transactions(Source("parquet", path=path, columns={"amount": "revenue"}))
        with pytest.raises(ValueError, match="unknown canonical name"):
            e.transactions(Source("parquet", path=path, columns={"amount": "sales", "profit": "x"}))
        holes = write(tmp_path, tx.assign(customer_id=tx["customer_id"].where(tx.index % 10 > 0)), "holes.parquet")
        with pytest.raises(ValueError, match="'customer_id'.* 5 missing value"):
            e.transactions(Source("parquet", path=holes))
        text = write(tmp_path, tx.assign(date=tx["date"].astype(str)), "text.parquet")
        with pytest.raises(ValueError, match="mapped to date.*VARCHAR"):
            e.transactions(Source("parquet", path=text))
        with pytest.raises(ValueError, match="cannot read it"):
            e.transactions(Source("parquet", path=str(tmp_path / "missing.parquet")))
        with pytest.raises(ValueError, match="call engine.transactions"):
            e.customer_features("2024-01-01")
    with pytest.raises(ValueError, match="format='xlsx' is not supported"):
        Source("xlsx", path="a.xlsx")


def test_bad_arguments_are_named(gen):
    tx, e = gen
    with pytest.raises(ValueError, match="frequency='weeks' is not supported"):
        e.customer_features("2024-06-30", frequency="weeks")
    with pytest.raises(ValueError, match="observation_end.*must be after"):
        e.bgnbd_summary("2024-06-30", "2024-01-01")
    with pytest.raises(ValueError, match="start=.* is after as_of"):
        e.customer_features("2024-01-01", start="2024-06-30")
    with pytest.raises(ValueError, match="no transactions between.*the data run from 2023-01-01"):
        e.customer_features("2020-01-01")
    with pytest.raises(ValueError, match="aggregate='rfm' is not supported"):
        e.sql("rfm")


# ----------------------------------------------------------------------------------
# configuration, progress, memory
# ----------------------------------------------------------------------------------


def test_engine_from_a_case_file_value(tmp_path):
    with engine({"name": "duckdb", "memory_limit": "500MB", "temp_directory": str(tmp_path), "threads": 1},
                progress=None) as e:
        assert e.setting("temp_directory") == str(tmp_path) and e.setting("threads") == "1"
    assert engine("pandas") is None
    with pytest.raises(ValueError, match="name='polars' is not supported"):
        engine("polars")
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['memory'\]"):
        engine({"name": "duckdb", "memory": "1GB"})


def test_progress_reports_rows_read_and_stages(gen, caplog):
    tx, _ = gen
    events: list[Progress] = []
    with DuckDBEngine(progress=events.append) as e:
        e.transactions(Source("parquet", path=_parquet_of(tx)))
        e.customer_features("2024-06-30")
    stages = [(ev.stage, ev.aggregate) for ev in events if ev.fraction is None or ev.fraction == 0]
    assert stages == [("read", "transactions"), ("aggregate", "customer_features"), ("done", "customer_features")]
    assert events[0].rows == len(tx) and events[-1].rows == tx["customer_id"].nunique()
    assert "rows" in str(events[0])
    with caplog.at_level(logging.INFO, logger="workbench.engines"), DuckDBEngine() as e:
        e.transactions(Source("parquet", path=_parquet_of(tx)))
    assert f"duckdb: read, transactions, {len(tx):,} rows" in caplog.text


_PATHS: dict[int, str] = {}


def _parquet_of(tx: pd.DataFrame) -> str:
    import tempfile

    key = id(tx)
    if key not in _PATHS:
        _PATHS[key] = str(Path(tempfile.mkdtemp()) / "tx.parquet")
        tx.to_parquet(_PATHS[key])
    return _PATHS[key]


@pytest.fixture(scope="module")
def many_customers(tmp_path_factory):
    """300,000 rows of 300,000 customers, written by DuckDB (no pandas frame)."""
    path = tmp_path_factory.mktemp("big") / "big.parquet"
    duckdb.sql(f"""COPY (SELECT 'customer-' || lpad(CAST(i AS VARCHAR), 9, '0') AS customer_id,
                        DATE '2024-01-01' + CAST(i % 300 AS INTEGER) AS date, (i % 97) + 0.5 AS amount
                        FROM range(300000) t(i)) TO '{path}' (FORMAT parquet)""")
    return str(path)


def test_out_of_memory_names_the_memory_settings(many_customers):
    with DuckDBEngine(memory_limit="16MB", temp_directory="", threads=1, progress=None) as e:
        e.transactions(Source("parquet", path=many_customers))
        with pytest.raises(EngineMemoryError, match=r"memory_limit=15\.2 MiB.*temp_directory=none"):
            e.customer_features("2024-12-31")


def test_spilling_to_disk_gives_the_same_result(many_customers, tmp_path):
    with DuckDBEngine(progress=None) as e:
        e.transactions(Source("parquet", path=many_customers))
        free = e.bgnbd_summary("2024-12-31")
    with DuckDBEngine(memory_limit="64MB", temp_directory=tmp_path, threads=1, progress=None) as e:
        e.transactions(Source("parquet", path=many_customers))
        assert_same(e.bgnbd_summary("2024-12-31"), free)


def test_spark_sql_is_the_duckdb_text_transpiled(gen):
    _, e = gen
    duck = e.sql("bgnbd_summary", calibration_end="2024-03-31", observation_end="2024-12-31")
    spark = to_dialect(duck, "spark")
    assert "FILTER(WHERE" in spark and "DATEDIFF(DAY" in spark and "DATE_DIFF" not in spark


def test_parquet_statistics_give_the_counts_of_a_full_pass(tmp_path, monkeypatch):
    tx = generated()
    tx.loc[[3, 7], "customer_id"] = None
    path = write(tmp_path, tx)
    with DuckDBEngine(progress=None) as e:
        quick = e.transactions(Source("parquet", path=path), validate=False)
        monkeypatch.setattr(e, "_quick_stats", lambda source: None)
        assert e.transactions(Source("parquet", path=path), validate=False) == quick
        with pytest.raises(ValueError, match="2 missing value"):
            e.transactions(Source("parquet", path=path))
    assert quick.has_returns and quick.rows == len(tx)
    flagged_only = tx.assign(amount=tx["amount"].abs())  # returns known from is_return alone
    with DuckDBEngine(progress=None) as e:
        assert e.transactions(Source("parquet", path=write(tmp_path, flagged_only, "f.parquet")),
                              validate=False).has_returns


def test_parquet_header_as_written_keeps_repeats_and_skips_nested_fields(tmp_path):
    """The top-level names of a Parquet footer in file order (a struct's and a list's
    fields are not columns), a repeated name kept: what the repeated-header check reads."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"a": [1], "s": pa.array([{"x": 1, "y": {"z": 2}}]), "b": [3], "l": pa.array([[1, 2]]),
                      "金额": [1.0]}).rename_columns(["a", "s", "a", "l", "金额"])
    pq.write_table(table, tmp_path / "t.parquet")
    with DuckDBEngine(progress=None) as engine:
        got = engine.header_as_written(Source("parquet", path=str(tmp_path / "t.parquet")))
    assert got == [("t.parquet", ["a", "s", "a", "l", "金额"])]
    assert got[0][1] == pq.read_schema(tmp_path / "t.parquet").names


def test_engine_case_aggregates_are_the_same_bytes_run_after_run(tmp_path):
    """Sums of doubles on two threads depend on which thread adds which rows; the engine's
    money sums are compensated (DuckDB's fsum), so the cleaned rows' summary and features
    come out identical, bit for bit, in every run (with SUM, 3 runs of this gave 3 results)."""
    import hashlib

    from workbench.engines.cleaning import clean_transactions

    rng = np.random.default_rng(7)
    n = 400_000
    frame = pd.DataFrame({"customer_id": pd.Series(rng.integers(0, 40_000, n)).map("c{:05d}".format),
                          "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 540, n), unit="D"),
                          "amount": rng.lognormal(3.0, 0.8, n)})
    path = tmp_path / "tx.parquet"
    frame.to_parquet(path, row_group_size=50_000)
    digests = set()
    for _ in range(3):
        with DuckDBEngine(threads=2, progress=None) as engine:
            clean_transactions(engine, Source("parquet", path=str(path)), start="2023-01-01", end="2024-06-30",
                               today="2024-07-01")
            out = [engine.bgnbd_summary("2024-03-31", "2024-06-30"), engine.customer_features("2024-06-30"),
                   engine.period_spend("2024-06-30", period="M")]
        digests.add(hashlib.sha256(b"".join(pd.util.hash_pandas_object(o).to_numpy().tobytes() for o in out))
                    .hexdigest())
    assert len(digests) == 1
