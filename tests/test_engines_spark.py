"""Local-mode Spark computes the same aggregates as DuckDB (and pandas) on the same files.

One SparkSession for the whole file (about 10 s to start), two shuffle partitions. pyspark
comes with the ``spark`` extra, which ``make test`` installs; Java 17 or 21 must be on
the PATH (the test is skipped without it, except in CI, where it must run).
"""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
from test_engines import assert_same, generated, write

from workbench.engines import DuckDBEngine, EngineMemoryError, Source
from workbench.features import bgnbd_summary, customer_features

if shutil.which("java") is None and not os.environ.get("CI"):
    pytest.skip("no Java on the PATH: Spark cannot start", allow_module_level=True)

# pyspark checks the pandas version on import; nothing here converts through pandas
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

spark_engine = pytest.importorskip("workbench.engines.spark_engine")
SparkEngine, LOCAL_DEFAULTS = spark_engine.SparkEngine, spark_engine.LOCAL_DEFAULTS


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("workbench-tests")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("warehouse")))
               .config(map=LOCAL_DEFAULTS)  # the plan of a session the engine starts locally
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    tx = generated()
    path = write(tmp_path_factory.mktemp("spark"), tx)
    return tx, Source("parquet", path=path)


CALLS = [  # every aggregate once, both plans of the summary (the no-returns plan below)
    ("customer_features", ("2024-06-30",), {}),
    ("customer_features", ("2024-06-30",), {"start": "2023-03-01", "frequency": "days", "period": "W"}),
    ("bgnbd_summary", ("2024-03-31", "2024-12-31"), {"start": "2023-02-01", "time_unit": "D"}),
    ("period_spend", (), {"period": "M", "as_of": "2024-06-30"}),
    ("churn_counts", (), {"period": "W", "as_of": "2024-06-30"}),
    ("cohort_counts", (), {"period": "M", "as_of": "2024-06-30", "start": "2023-02-01"}),
    ("abc_totals", (), {"by": "product_id"}),
]
PANDAS = {"customer_features": customer_features, "bgnbd_summary": bgnbd_summary}


def test_spark_equals_duckdb_and_pandas(spark, data):
    tx, source = data
    events = []
    engine = SparkEngine(spark, progress=events.append)
    duck = DuckDBEngine(progress=None)
    try:
        assert engine.transactions(source) == duck.transactions(source)
        for name, args, kwargs in CALLS:
            ours = getattr(engine, name)(*args, **kwargs)
            assert_same(ours, getattr(duck, name)(*args, **kwargs))
            if name in PANDAS:
                assert_same(ours, PANDAS[name](tx, *args, **kwargs))
    finally:
        duck.close()
        engine.close()  # a session passed in stays open for the other tests
    assert events[0].stage == "read" and events[0].rows == len(tx) and events[0].engine == "spark"


def test_spark_without_returns_runs_min_by(spark, tmp_path):
    tx = generated(1500).query("amount >= 0").drop(columns="is_return")
    source = Source("parquet", path=write(tmp_path, tx))
    engine = SparkEngine(spark, progress=None)
    assert not engine.transactions(source).has_returns
    assert "MIN_BY" in engine.sql("bgnbd_summary", calibration_end="2024-03-31")
    assert_same(engine.bgnbd_summary("2024-03-31"), bgnbd_summary(tx, "2024-03-31"))


def test_spark_reads_csv_and_warehouse_tables(spark, tmp_path):
    tx = generated(500)[["customer_id", "date", "amount"]]
    tx = tx.assign(date=tx["date"].dt.normalize())
    csv = tmp_path / "tx.csv"
    tx.assign(date=tx["date"].dt.strftime("%Y%m%d")).rename(columns={"amount": "销售额"}).to_csv(csv, index=False)
    spark.read.parquet(write(tmp_path, tx)).write.mode("overwrite").saveAsTable("orders")
    customers = pd.DataFrame({"id": sorted(tx["customer_id"].unique())})
    customers["industry"] = ["retail", "agent"] * (len(customers) // 2) + ["retail"] * (len(customers) % 2)
    expected = customer_features(tx, "2024-12-31")
    engine, duck = SparkEngine(spark, progress=None), DuckDBEngine(progress=None)
    try:
        for source in (Source("csv", path=str(csv), columns={"amount": "销售额"}, options={"date_format": "%Y%m%d"}),
                       Source("table", table="orders")):
            assert engine.transactions(source).rows == len(tx)
            assert_same(engine.customer_features("2024-12-31"), expected)
        people = Source("parquet", path=write(tmp_path, customers, "c.parquet"), columns={"customer_id": "id"})
        engine.customers(people)
        duck.transactions(Source("parquet", path=write(tmp_path, tx)))
        duck.customers(people)
        assert_same(engine.account_totals(by="industry"), duck.account_totals(by="industry"))
    finally:
        duck.close()


def test_spark_memory_errors_name_the_memory_settings(spark, data, monkeypatch):
    _, source = data
    engine = SparkEngine(spark, progress=None)
    engine.transactions(source)

    class Session:  # the JVM's error as py4j hands it over, without exhausting the JVM
        conf = spark.conf

        def sql(self, text):
            raise RuntimeError("An error occurred while calling o1.collect.\n"
                               ": java.lang.OutOfMemoryError: Java heap space")

    monkeypatch.setattr(engine, "spark", Session())
    with pytest.raises(EngineMemoryError, match="spark.driver.memory=.*Java heap space"):
        engine.customer_features("2024-06-30")


def test_spark_cluster_addresses_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("CRM_SPARK_REMOTE", raising=False)
    with pytest.raises(ValueError, match="'CRM_SPARK_REMOTE' \\(Spark Connect address\\) is not set"):
        SparkEngine(remote_env="CRM_SPARK_REMOTE")


def test_spark_reads_the_counts_of_local_parquet_from_the_footers(spark, tmp_path, monkeypatch):
    """The footers' counts (DuckDB's reading) equal Spark's own scan, days in UTC for
    time-zone-aware timestamps near midnight too; a CSV file is scanned."""
    tx = generated(800)
    shifted = tx.assign(date=(tx["date"] + pd.Timedelta(hours=23, minutes=30)).dt.tz_localize("Asia/Shanghai"))
    queries = []
    engine = SparkEngine(spark, progress=None)
    run = engine._arrow
    monkeypatch.setattr(engine, "_arrow", lambda sql, aggregate: queries.append(aggregate) or run(sql, aggregate))
    for frame, name in ((tx, "naive.parquet"), (shifted, "aware.parquet")):
        source = Source("parquet", path=write(tmp_path, frame, name))
        from_footers = engine.transactions(source)
        assert queries == []  # no pass over the rows
        with monkeypatch.context() as m:
            m.setattr(SparkEngine, "_quick_stats", lambda self, source: None)
            assert engine.transactions(source) == from_footers
        assert queries == ["read"]
        queries.clear()
    days = shifted["date"].dt.tz_convert("UTC").dt.normalize()
    assert (from_footers.first_day, from_footers.last_day) == tuple(
        int((d.tz_localize(None) - pd.Timestamp(0)).days) for d in (days.min(), days.max()))
    csv = tmp_path / "tx.csv"
    tx[["customer_id", "date", "amount"]].to_csv(csv, index=False)
    assert engine.transactions(Source("csv", path=str(csv))).rows == len(tx)
    assert queries == ["read"]


def test_a_local_session_the_engine_starts_skips_partial_aggregation(monkeypatch):
    from pyspark.sql import SparkSession

    built = []

    class Builder:  # records what the engine asks of Spark, without starting a JVM
        def __init__(self):
            self.settings = {}
            built.append(self)

        def appName(self, name):  # noqa: N802 - pyspark's name
            return self

        def master(self, url):
            self.url = url
            return self

        def config(self, key, value):
            self.settings[key] = value
            return self

        def getOrCreate(self):  # noqa: N802
            return type("Session", (), {"stop": lambda self: None})()

    class Fresh:  # SparkSession.builder: a new builder at each access, as pyspark's
        def __get__(self, obj, owner):
            return Builder()

    monkeypatch.setattr(SparkSession, "builder", Fresh())
    SparkEngine(master="local[2]").close()
    assert built[-1].settings["spark.sql.execution.bypassPartialAggregation"] == "true"
    assert built[-1].settings["spark.sql.session.timeZone"] == "UTC"
    SparkEngine(master="local[2]", config={"spark.sql.execution.bypassPartialAggregation": False}).close()
    assert built[-1].settings["spark.sql.execution.bypassPartialAggregation"] == "False"
    monkeypatch.setenv("CRM_SPARK_MASTER", "spark://host:7077")
    SparkEngine(master_env="CRM_SPARK_MASTER").close()
    assert built[-1].url == "spark://host:7077"
    assert "spark.sql.execution.bypassPartialAggregation" not in built[-1].settings  # a cluster: Spark's default


@pytest.mark.parametrize("duplicates, conflicts", [("quarantine", "quarantine"), ("keep", "keep_last")])
def test_cleaning_in_spark_equals_the_pandas_path(spark, tmp_path, duplicates, conflicts):
    """Every reason of the pandas path on the messy fixture of tests/test_engine_cases.py:
    the same log, quarantined rows (position, row, reason, detail word for word) and kept
    rows, the statements run on Spark."""
    from test_engine_cases import COLUMNS, messy_transactions

    from workbench import cleaning, io
    from workbench.engines.cleaning import clean_transactions

    path = tmp_path / "messy.parquet"
    messy_transactions().to_parquet(path)
    window = {"start": "2024-01-01", "end": "2024-12-31", "today": "2024-11-01"}
    raw = io.apply_mapping(io.read_table(path), COLUMNS, "transactions", source=path.name)
    expected = cleaning.clean_transactions(raw, duplicates=duplicates, conflicts=conflicts, **window)
    engine = SparkEngine(spark, progress=None)
    result = clean_transactions(engine, Source("parquet", path=str(path), columns=COLUMNS), duplicates=duplicates,
                                conflicts=conflicts, quarantine_path=tmp_path / "q.parquet", **window)
    kept = spark.sql("SELECT * FROM clean_transactions ORDER BY customer_id, date, pos").toPandas().drop(columns="pos")
    assert result.rows_in == len(raw) == result.kept + result.quarantined
    assert engine.stats_.rows == result.kept == len(expected.clean)
    pd.testing.assert_frame_equal(result.log, expected.log)
    quarantine = pd.read_parquet(result.quarantine_path)
    assert quarantine[["source_row", "row", "reason"]].values.tolist() == \
        expected.quarantine[["source_row", "row", "reason"]].values.tolist()
    assert quarantine["detail"].fillna("").tolist() == expected.quarantine["detail"].fillna("").tolist()
    want = expected.clean
    for col in ["customer_id", "order_id", "product_id"]:
        assert kept[col].astype(object).where(kept[col].notna(), None).tolist() == \
            want[col].astype(object).where(want[col].notna(), None).tolist(), col
    assert kept["date"].dt.tz_localize(None).astype("datetime64[ns]").tolist() == want["date"].tolist()
    assert kept["amount"].tolist() == want["amount"].tolist()
    for flag in ["is_return", "is_outlier", *(["is_duplicate"] if duplicates == "keep" else [])]:
        assert kept[flag].tolist() == want[flag].tolist(), flag
    # the aggregates run on the kept rows, as on DuckDB after its cleaning
    assert_same(engine.customer_features("2024-06-30"), customer_features(expected.clean, "2024-06-30"))


def test_a_spark_case_loads_as_the_duckdb_case_does(spark, tmp_path):
    """engine: spark in a case file: Spark reads and cleans, DuckDB takes the clean rows for
    the report's tables; the load equals the same case on engine: duckdb (cleaning log,
    quarantine, rows after the period, customer features, per-period totals)."""
    import textwrap

    from test_engine_cases import COLUMNS, messy_transactions

    from workbench.cases import load_case
    from workbench.engines import load_case_tables
    from workbench.features import customer_features as features
    from workbench.overview import period_summary

    (tmp_path / "data").mkdir()
    messy_transactions().to_parquet(tmp_path / "data" / "messy.parquet")  # one file, two case folders
    (tmp_path / "data" / "customers.csv").write_text("cid,sector\nC1,retail\nC4,food\nC6,retail\n",
                                                     encoding="utf-8")
    columns = ", ".join(f"{k}: {v}" for k, v in COLUMNS.items())
    loaded = {}
    for name in ("duckdb", "spark"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "shop.yaml").write_text(textwrap.dedent(f"""\
            name: shop
            language: zh
            granularity: M
            start: 2024-01-01
            end: 2024-12-31
            default_period: 2024-06
            engine: {name}
            notebooks: [01_customer_value]
            sources:
              transactions: {{path: ../data/messy.parquet, columns: {{{columns}}}}}
              customers: {{path: ../data/customers.csv, columns: {{customer_id: cid, industry: sector}}}}
            """), encoding="utf-8")
        case = load_case(tmp_path / name / "shop.yaml")
        reader = SparkEngine(spark, progress=None) if name == "spark" else None
        loaded[name] = load_case_tables(case, today="2024-11-01", output_dir=tmp_path / name / "report",
                                        progress=None,
                                        engine=reader)
    duck, sparked = loaded["duckdb"], loaded["spark"]
    try:
        assert sparked.engine.name == "duckdb"  # the report's tables
        pd.testing.assert_frame_equal(sparked.cleaning_log, duck.cleaning_log)
        cols = ["source_row", "row", "reason", "detail"]
        pd.testing.assert_frame_equal(sparked.quarantine["transactions"][cols], duck.quarantine["transactions"][cols])
        assert sparked.rows_after_period == duck.rows_after_period
        pd.testing.assert_frame_equal(sparked.tables["customers"], duck.tables["customers"])  # read by Spark
        assert_same(features(sparked.transactions, "2024-06-30"), features(duck.transactions, "2024-06-30"))
        pd.testing.assert_frame_equal(period_summary(sparked.transactions), period_summary(duck.transactions))
    finally:
        duck.close()
        sparked.close()
