"""An engine case (engine: duckdb) loaded by workbench.engines.load_case_tables equals the
same case loaded by pandas: the cleaning log, the period cut and every customer-level
table the notebooks compute from transactions."""

import json
import textwrap

import numpy as np
import pandas as pd
import pytest

from workbench import clv, overview, quality
from workbench import value as wv
from workbench.cases import CaseError, load_case
from workbench.engines import load_case_tables
from workbench.features import bgnbd_summary, customer_features
from workbench.lifecycle import churn_rates, cohort_table, lifecycle_stages

TODAY = "2025-01-15"


def messy_transactions(seed: int = 7, customers: int = 120) -> pd.DataFrame:
    """CDNOW-like orders over two years with returns, costs, products and a few bad rows."""
    rng = np.random.default_rng(seed)
    rows = []
    order = 0
    for c in range(customers):
        first = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 500)))
        for _ in range(int(rng.geometric(0.35))):
            day = first + pd.Timedelta(days=int(rng.integers(0, 240)))
            order += 1
            for _line in range(int(rng.integers(1, 3))):
                amount = float(np.round(rng.gamma(2.0, 20.0), 2))
                rows.append({"cid": f"C{c:04d}", "day": day + pd.Timedelta(hours=int(rng.integers(0, 20))),
                             "sales": amount, "order": f"O{order}", "sku": f"P{int(rng.integers(0, 9))}",
                             "cost": float(np.round(amount * 0.6, 2))})
            if rng.random() < 0.08:
                rows.append({"cid": f"C{c:04d}", "day": day + pd.Timedelta(days=3), "sales": -10.0,
                             "order": f"R{order}", "sku": "P1", "cost": -6.0})
    frame = pd.DataFrame(rows)
    bad = [
        {"cid": None, "day": pd.Timestamp("2023-05-01"), "sales": 5.0, "order": "X1", "sku": "P1", "cost": 1.0},
        {"cid": "C0001", "day": pd.NaT, "sales": 5.0, "order": "X2", "sku": "P1", "cost": 1.0},
        {"cid": "C0002", "day": pd.Timestamp("2023-06-01"), "sales": np.nan, "order": "X3", "sku": "P1",
         "cost": 1.0},
        {"cid": "C0003", "day": pd.Timestamp("2026-06-01"), "sales": 7.0, "order": "X4", "sku": "P1", "cost": 1.0},
    ]
    frame = pd.concat([frame, pd.DataFrame(bad), frame.iloc[[3, 10]]], ignore_index=True)
    return frame


def write_cases(tmp_path, notebooks=("00_data_overview",)):
    folder = tmp_path / "cases"
    folder.mkdir(exist_ok=True)
    messy_transactions().to_parquet(tmp_path / "tx.parquet", index=False)
    ids = [f"C{c:04d}" for c in range(120)]
    pd.DataFrame({"id": ids, "sector": [["retail", "food", "tech"][i % 3] for i in range(120)],
                  "kind": [["A", "B"][i % 2] for i in range(120)]}).to_parquet(tmp_path / "customers.parquet")
    paths = {}
    for engine in ("pandas", "duckdb"):
        name = f"shop_{engine}"
        body = f"""\
            name: {name}
            language: en
            currency: USD
            granularity: M
            start: 2023-01-01
            end: 2024-12-31
            default_period: 2024-06
            engine: {engine}
            sources:
              transactions:
                path: ../tx.parquet
                columns: {{customer_id: cid, date: day, amount: sales, order_id: order, product_id: sku, cost: cost}}
              customers:
                path: ../customers.parquet
                columns: {{customer_id: id, industry: sector, customer_type: kind}}
            notebooks: [{", ".join(notebooks)}]
        """
        paths[engine] = folder / f"{name}.yaml"
        paths[engine].write_text(textwrap.dedent(body), encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("engine_case")
    paths = write_cases(tmp_path)
    pandas_case = load_case(paths["pandas"]).load(today=TODAY)
    engine_case = load_case_tables(load_case(paths["duckdb"]), today=TODAY, output_dir=tmp_path / "report",
                                   progress=None)
    yield pandas_case, engine_case, tmp_path
    engine_case.close()


def frames_equal(left: pd.DataFrame, right: pd.DataFrame):
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True), check_exact=False,
                                  rtol=1e-12, atol=1e-9)


def test_a_pandas_case_has_no_engine_tables(loaded, tmp_path):
    _, _, folder = loaded
    with pytest.raises(CaseError, match="runs on pandas"):
        load_case_tables(load_case(folder / "cases" / "shop_pandas.yaml"))
    with pytest.raises(CaseError, match=r"workbench\.engines\.load_data\(case, period\)"):
        load_case(folder / "cases" / "shop_duckdb.yaml").load()


def test_cleaning_log_quarantine_and_period_cut_equal_pandas(loaded):
    pandas_case, engine_case, folder = loaded
    frames_equal(pandas_case.cleaning_log, engine_case.cleaning_log)
    assert engine_case.rows_after_period == pandas_case.rows_after_period > 0
    frames_equal(pandas_case.sources_table().drop(columns="file"), engine_case.sources_table().drop(columns="file"))
    assert len(engine_case.transactions) == len(pandas_case.transactions)
    log = engine_case.cleaning_log.set_index(["table", "reason"])["rows"]
    assert log["transactions"].sum() == len(messy_transactions())
    written = pd.read_parquet(folder / "report" / "quarantine.parquet")
    assert written["reason"].value_counts().to_dict() == \
        pandas_case.quarantine["transactions"]["reason"].value_counts().to_dict()
    assert sorted(engine_case.quarantine["transactions"]["row"]) == \
        sorted(pandas_case.quarantine["transactions"]["row"])
    frames_equal(pandas_case.customers, engine_case.customers)
    frames_equal(quality.join_match_rates(pandas_case), quality.join_match_rates(engine_case))
    summary = overview.quarantine_summary(pandas_case.quarantine)
    frames_equal(summary[["table", "reason", "rows"]],
                 overview.quarantine_summary(engine_case.quarantine)[["table", "reason", "rows"]])


def test_validation_report_of_an_engine_case_equals_pandas(loaded):
    """validate's report of the engine case, counted in DuckDB from its quarantine file,
    is the pandas case's: sources, reasons with their examples and next steps, joins."""
    pandas_case, engine_case, _ = loaded
    expected, report = quality.validation_report(pandas_case), quality.validation_report(engine_case)
    frames_equal(expected.sources, report.sources)
    frames_equal(expected.problems, report.problems)
    frames_equal(expected.joins, report.joins)
    assert report.warnings == expected.warnings and report.ok
    assert "date_in_future" in set(report.problems["reason"]) and "row 618: '2026-06-01'" in report.to_text()
    assert report.to_text() == expected.to_text()


def test_validate_reads_the_engine_quarantine_in_the_engine_only(loaded, tmp_path):
    """quarantine_in_memory=False (what validate loads): no quarantined row in pandas, the
    same report and quarantine file."""
    pandas_case, engine_case, folder = loaded
    with load_case_tables(load_case(folder / "cases" / "shop_duckdb.yaml"), today=TODAY, progress=None,
                          output_dir=tmp_path / "scratch", quarantine_in_memory=False) as lean:
        assert "transactions" not in lean.quarantine and "customers" in lean.quarantine
        assert quality.validation_report(lean).to_text() == quality.validation_report(engine_case).to_text()
        written = quality.write_quarantine(lean, tmp_path / "lean")
    assert written.read_bytes() == quality.write_quarantine(engine_case, tmp_path / "full").read_bytes()


def test_an_engine_case_writes_the_quarantine_table_of_pandas_as_csv_or_parquet(loaded, tmp_path):
    pandas_case, engine_case, _ = loaded
    expected = pd.read_csv(quality.write_quarantine(pandas_case, tmp_path / "pandas"), encoding="utf-8-sig",
                           dtype=str, keep_default_na=False)
    written = quality.write_quarantine(engine_case, tmp_path / "engine")
    assert written.name == "quarantine.csv" and written.read_bytes().startswith("\ufeff".encode())
    table = pd.read_csv(written, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["source", "file", "row", "reason", "detail", "values"]
    frames_equal(expected.drop(columns="values"), table.drop(columns="values"))
    for want, got in zip(expected["values"], table["values"], strict=True):  # the same cells, as JSON
        assert json.loads(want) == json.loads(got)
    # more rows than a spreadsheet opens (here: more than 1): Parquet, same columns, no stale CSV
    big = quality.write_quarantine(engine_case, tmp_path / "engine", csv_rows=1)
    assert big.name == "quarantine.parquet" and not written.exists()
    frames_equal(pd.read_parquet(big).fillna("").astype(str), table)


def test_join_match_rates_of_an_engine_case_are_counted_in_the_engine(tmp_path, monkeypatch):
    """Ids `1` against a master's `00001`: the same counts, examples and hint as pandas,
    without the transactions' ids coming out of the engine; and the same warnings (one
    customer returned more than they bought)."""
    from workbench.engines import EngineTransactions

    tx = pd.DataFrame({"cid": ["1", "2", "3", "00004", "3"],
                       "day": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-03-05", "2024-03-06",
                                              "2024-03-07"]),
                       "sales": [10.0, 20.0, 5.0, 1.0, -7.5]})
    paths = _small_engine_cases(tmp_path, tx, "id,sector\n00001,a\n00002,b\n00003,c\n00004,d\n",
                                "{customer_id: cid, date: day, amount: sales}", "{customer_id: id, industry: sector}")
    pandas_case = load_case(paths["pandas"]).load(today=TODAY)
    expected = quality.join_match_rates(pandas_case)

    def refused(self):
        raise AssertionError("the ids were pulled into pandas")

    monkeypatch.setattr(EngineTransactions, "customer_ids", refused)
    with load_case_tables(load_case(paths["duckdb"]), today=TODAY, progress=None) as engine_case:
        joins = quality.join_match_rates(engine_case)
        warnings = quality.validation_report(engine_case).warnings
    frames_equal(expected, joins)
    assert warnings == quality.validation_report(pandas_case).warnings and len(warnings) == 2
    assert "1 customer(s) returned more than they bought (net revenue < 0), e.g. 3 (-2.50)" in warnings[1]
    assert joins.loc[0, ["keys", "matched"]].tolist() == [4, 1]
    assert joins.loc[0, "unmatched_examples"] == "1, 2, 3" and joins.loc[0, "hint"].startswith("ids differ in leading")


def test_customer_tables_equal_pandas(loaded):
    pandas_case, engine_case, _ = loaded
    tx, etx, as_of = pandas_case.transactions, engine_case.transactions, pandas_case.as_of
    frames_equal(customer_features(tx, as_of), customer_features(etx, as_of))
    frames_equal(customer_features(tx, as_of, start="2024-01-01"), customer_features(etx, as_of, start="2024-01-01"))
    frames_equal(wv.value_indicators(tx, as_of, pandas_case.customers),
                 wv.value_indicators(etx, as_of, engine_case.customers))
    windows = wv.clv_windows(tx, as_of)
    assert wv.clv_windows(etx, as_of) == windows
    summary = bgnbd_summary(tx, windows["calibration_end"], windows["observation_end"], start=windows["start"])
    frames_equal(summary, bgnbd_summary(etx, windows["calibration_end"], windows["observation_end"],
                                        start=windows["start"]))
    model = clv.BetaGeoModel().fit(summary)
    tracking = [clv.repeat_purchase_tracking(model, t, windows["calibration_end"], windows["observation_end"],
                                             start=windows["start"]).table for t in (tx, etx)]
    frames_equal(*tracking)
    for granularity in ("D", "W", "M", "Q", "Y"):
        frames_equal(overview.period_summary(tx, granularity=granularity),
                     overview.period_summary(etx, granularity=granularity))
    frames_equal(overview.customer_totals(tx), overview.customer_totals(etx))


def test_column_reductions_run_in_the_engine_and_rows_are_refused(loaded):
    pandas_case, engine_case, _ = loaded
    tx, etx = pandas_case.transactions, engine_case.transactions
    assert etx["customer_id"].nunique() == tx["customer_id"].nunique()
    assert etx["order_id"].nunique() == tx["order_id"].nunique()
    assert etx["amount"].sum() == pytest.approx(tx["amount"].sum(), abs=1e-9)
    assert etx["amount"].median() == pytest.approx(tx["amount"].median(), abs=1e-12)
    assert etx["is_return"].sum() == int(tx["is_return"].sum())
    assert etx["is_outlier"].sum() == int(tx["is_outlier"].sum())
    assert etx["date"].min() == tx["date"].min() and etx["date"].max() == tx["date"].max()
    assert "product_id" in etx and "survey" not in etx
    with pytest.raises(ValueError, match="needs the transactions row by row.*duckdb"):
        _ = etx["date"].dt
    with pytest.raises(ValueError, match="needs the transactions row by row"):
        etx.groupby("customer_id")
    with pytest.raises(ValueError, match=r"product_ratios.*needs the transactions row by row"):
        wv.product_ratios(etx)


def test_lifecycle_stages_cohorts_and_churn_rates_equal_pandas(loaded):
    from workbench import lifecycle as lc

    pandas_case, engine_case, _ = loaded
    tx, etx, as_of = pandas_case.transactions, engine_case.transactions, pandas_case.as_of
    for weighting in ("customer", "gap"):
        for quantile in (0.5, 0.9, 1.0):
            assert lc.inter_purchase_horizon(etx, as_of, quantile=quantile, weighting=weighting) == \
                lc.inter_purchase_horizon(tx, as_of, quantile=quantile, weighting=weighting)
    for options in ({}, {"period": "Q", "p_alive_threshold": 0.3}, {"churn_horizon": 90, "recent_periods": 2}):
        frames_equal(lc.lifecycle_stages(tx, as_of, **options), lc.lifecycle_stages(etx, as_of, **options))
    frames_equal(lc.lifecycle_stages(tx, "2023-12-31"), lc.lifecycle_stages(etx, "2023-12-31"))
    for period in ("M", "Q", "W"):
        for metric in ("customers", "revenue"):
            left = lc.cohort_table(tx, period=period, metric=metric, as_of=as_of)
            right = lc.cohort_table(etx, period=period, metric=metric, as_of=as_of)
            for part in ("values", "rates", "sizes"):
                pd.testing.assert_frame_equal(getattr(left, part), getattr(right, part), rtol=1e-12, atol=1e-9)
        frames_equal(lc.churn_rates(tx, period=period, as_of=as_of), lc.churn_rates(etx, period=period, as_of=as_of))
    frames_equal(lc.churn_rates(tx, period="Q"), lc.churn_rates(etx, period="Q"))
    for options in ({}, {"value": "amount", "period": "M"}, {"change": 0.1, "as_of": "2024-03-31"}):
        options = {"as_of": as_of, **options}
        left, right = lc.retention_scenarios(tx, **options), lc.retention_scenarios(etx, **options)
        assert left.inputs.keys() == right.inputs.keys()
        for key, expected in left.inputs.items():
            assert right.inputs[key] == (pytest.approx(expected, rel=1e-12, abs=1e-9)
                                         if isinstance(expected, float) else expected), key
        frames_equal(left.table, right.table)
        frames_equal(left.sensitivity, right.sensitivity)


def test_running_out_of_memory_while_cleaning_names_the_case_keys(tmp_path):
    import duckdb

    from workbench.engines import EngineMemoryError, load_data

    duckdb.sql(f"""COPY (SELECT 'customer-' || lpad(CAST(i AS VARCHAR), 9, '0') AS cid,
                        TIMESTAMP '2024-01-01' + INTERVAL (i % 300) DAY AS day, (i % 97) + 0.5 AS sales
                        FROM range(100000) t(i)) TO '{tmp_path / "big.parquet"}' (FORMAT parquet)""")
    (tmp_path / "big.yaml").write_text(textwrap.dedent("""\
        name: big
        language: en
        granularity: M
        start: 2024-01-01
        default_period: 2024-06
        engine: {name: duckdb, memory_limit: 8MB, threads: 1}
        sources:
          transactions: {path: big.parquet, columns: {customer_id: cid, date: day, amount: sales}}
        notebooks: [00_data_overview]
    """), encoding="utf-8")
    with pytest.raises(EngineMemoryError, match=r"out of memory in cleaning with memory_limit=7\.6 MiB, "
                                                r"temp_directory=.*threads=1\. In the case file, raise "
                                                r"engine\.memory_limit.*engine\.temp_directory.*engine\.threads"):
        load_data(tmp_path / "big.yaml", today=TODAY, output_dir=tmp_path / "report", progress=None)


def _small_engine_cases(tmp_path, tx: pd.DataFrame, customers_csv: str, tx_columns: str, customer_columns: str):
    """A pandas and a DuckDB case on the same small Parquet orders and CSV customer master."""
    (tmp_path / "cases").mkdir(exist_ok=True)
    tx.to_parquet(tmp_path / "tx.parquet", index=False)
    (tmp_path / "customers.csv").write_text(customers_csv, encoding="utf-8")
    paths = {}
    for engine in ("pandas", "duckdb"):
        body = f"""\
            name: ids_{engine}
            language: en
            granularity: M
            start: 2024-01-01
            end: 2024-12-31
            default_period: 2024-06
            engine: {engine}
            sources:
              transactions: {{path: ../tx.parquet, columns: {tx_columns}}}
              customers: {{path: ../customers.csv, columns: {customer_columns}}}
            notebooks: [00_data_overview]
        """
        paths[engine] = tmp_path / "cases" / f"ids_{engine}.yaml"
        paths[engine].write_text(textwrap.dedent(body), encoding="utf-8")
    return paths


def test_full_width_ids_are_normalised_alike_by_pandas_and_duckdb(tmp_path):
    """Ｋ1 (full-width letter, from a Chinese input method) and K1 are one customer on both
    paths: NFKC in pandas, NFKC through Arrow in DuckDB (which has NFC only)."""
    tx = pd.DataFrame({"cid": ["Ｋ1", "K1", "K２", "ｋ3", " Ｋ4 ", "客户5"],
                       "day": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-03-05", "2024-03-06",
                                              "2024-03-07", "2024-03-08"]),
                       "sales": [10.0, 20.0, 5.0, 1.0, 2.0, 3.0],
                       "order": ["Ｏ1", "O2", "O3", "O4", "O5", "O6"]})
    paths = _small_engine_cases(tmp_path, tx, "id,sector\nK1,retail\nＫ2,food\nk3,tech\nK4,food\n客户5,tech\n",
                                "{customer_id: cid, date: day, amount: sales, order_id: order}",
                                "{customer_id: id, industry: sector}")
    pandas_case = load_case(paths["pandas"]).load(today=TODAY)
    with load_case_tables(load_case(paths["duckdb"]), today=TODAY, progress=None) as engine_case:
        engine_ids = engine_case.transactions.customer_ids().tolist()
        engine_orders = sorted(engine_case.engine.con.sql(
            f"SELECT order_id FROM {engine_case.transactions.table}").df()["order_id"])
        engine_joins = quality.join_match_rates(engine_case)
        engine_customers = engine_case.customers["customer_id"].tolist()
    pandas_ids = sorted(pandas_case.transactions["customer_id"].unique())
    assert pandas_ids == engine_ids == ["K1", "K2", "K4", "k3", "客户5"]
    assert sorted(pandas_case.transactions["order_id"]) == engine_orders == ["O1", "O2", "O3", "O4", "O5", "O6"]
    assert pandas_case.customers["customer_id"].tolist() == engine_customers == ["K1", "K2", "K4", "k3", "客户5"]
    assert quality.join_match_rates(pandas_case)["match_rate"].tolist() == [1.0]
    assert engine_joins["match_rate"].tolist() == [1.0]


@pytest.mark.parametrize("repeated", ["customers", "transactions"])
def test_duckdb_refuses_a_repeated_header_as_pandas_does(tmp_path, repeated):
    """DuckDB names a repeated 'sector' sector_1 and would read the first without a word; the
    engine path raises the pandas path's error (CSV customers, Parquet transactions)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    customers = "id,sector,sector\nK1,retail,food\n" if repeated == "customers" else "id,sector\nK1,retail\n"
    paths = _small_engine_cases(tmp_path, pd.DataFrame({"cid": ["K1"]}), customers,
                                "{customer_id: cid, date: day, amount: sales}", "{customer_id: id, industry: sector}")
    names = ["cid", "day", "sales", "sales" if repeated == "transactions" else "note"]
    pq.write_table(pa.Table.from_arrays([pa.array(["K1"]), pa.array([pd.Timestamp("2024-01-05")]),
                                         pa.array([1.0]), pa.array([2.0])], names=names), tmp_path / "tx.parquet")
    file, text, where = (("customers.csv", "sector", "columns 2 (B) and 3 (C)") if repeated == "customers"
                         else ("tx.parquet", "sales", "columns 3 (C) and 4 (D)"))
    messages = []
    for engine in ("pandas", "duckdb"):
        with pytest.raises(ValueError) as err:
            if engine == "pandas":
                load_case(paths[engine]).load(today=TODAY)
            else:
                load_case_tables(load_case(paths[engine]), today=TODAY, progress=None).close()
        messages.append(str(err.value))
        for part in (file, f"'{text}' 2 times", where, "rename one"):
            assert part in messages[-1], (engine, part, messages[-1])
    assert messages[0] == messages[1]


def test_phone_number_ids_get_the_pandas_pseudonyms_in_the_engine(tmp_path, monkeypatch):
    """Ids that are mobile numbers become the same id- pseudonyms on both paths: in the
    engine's transactions, the customers table, the quarantine and its Parquet file (one
    key for both: without it the key derives from the case's name, which differs here)."""
    monkeypatch.setenv("WORKBENCH_PSEUDONYM_KEY", "one key for both cases")
    phones = ["13800138000", "13912345678", "15011112222"]
    tx = pd.DataFrame({"cid": [phones[0], phones[1], phones[1], phones[2]],
                       "day": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-03-05", "2024-03-06"]),
                       "sales": [10.0, 20.0, np.nan, 1e308]})
    paths = _small_engine_cases(tmp_path, tx, "id,sector\n" + "".join(f"{p},retail\n" for p in phones),
                                "{customer_id: cid, date: day, amount: sales}", "{customer_id: id, industry: sector}")
    pandas_case = load_case(paths["pandas"]).load(today=TODAY)
    with load_case_tables(load_case(paths["duckdb"]), today=TODAY, progress=None,
                          output_dir=tmp_path / "report") as engine_case:
        engine_ids = engine_case.transactions.customer_ids().tolist()
        totals = engine_case.transactions.customer_totals()
        engine_customers = engine_case.customers["customer_id"].tolist()
        joins = quality.join_match_rates(engine_case)
        notes = engine_case.notes
        engine_quarantine = engine_case.quarantine["transactions"]
        parquet = pd.read_parquet(engine_case.cleaning.quarantine_path)
        warnings = quality.validation_report(engine_case).warnings
    pandas_ids = sorted(pandas_case.transactions["customer_id"].unique())
    assert engine_ids == pandas_ids and all(i.startswith("id-") for i in engine_ids) and len(engine_ids) == 3
    assert sorted(totals["customer_id"]) == pandas_ids
    assert sorted(engine_customers) == sorted(pandas_case.customers["customer_id"]) == pandas_ids
    assert joins["match_rate"].tolist() == [1.0]
    for frame in (engine_quarantine, parquet):
        assert frame["cid"].tolist() == pandas_case.quarantine["transactions"]["customer_id"].tolist()
        assert not frame.astype(str).isin(phones).any().any()
    assert notes["transactions"]["personal_ids"] == notes["customers"]["personal_ids"] == "phone"
    assert warnings == quality.validation_report(pandas_case).warnings  # what validate says of them
    assert any("customer_id looks like personal data (phone)" in w for w in warnings)
    assert any("1 amount(s) of 1e+15 or more" in w and "row 5: '1e+308'" in w for w in warnings)
    assert notes["transactions"]["huge_amounts"] == {"rows": 1, "limit": 1e15, "examples": [(5, "1e+308")]}
    assert pandas_case.notes["transactions"]["huge_amounts"]["rows"] == 1


def test_the_engine_api_refuses_a_repeated_header_too(tmp_path):
    from workbench.engines import DuckDBEngine, Source

    (tmp_path / "customers.csv").write_text("id,sector,sector\nK1,retail,food\n", encoding="utf-8")
    with DuckDBEngine(progress=None, threads=1) as engine:
        with pytest.raises(ValueError, match=r"customers\.csv: the header has 'sector' 2 times, in columns 2 \(B\) "
                                             r"and 3 \(C\).*columns\.industry"):
            engine.customers(Source("csv", path=str(tmp_path / "customers.csv"),
                                    columns={"customer_id": "id", "industry": "sector"}))


# ----------------------------------------------------------------------------------
# churn rates and cohorts counted in the engine: equal to pandas on a hand-made case
# ----------------------------------------------------------------------------------


def gap_transactions() -> pd.DataFrame:
    """Two years of a small shop, made to hit every rule of the counts.

    a buys in January, February and April 2024 (a gap in March) and returns goods in
    May (a month with a return only); b returns goods in January, before its first
    purchase in February, then buys in March; c only returns goods (never acquired);
    d buys in January 2024 and again in October (reactivated after months away); e buys on a Sunday and the Monday after
    (two ISO weeks). Nobody has a row in August or September 2024 (empty periods in the
    middle), and e and f keep buying after them.
    """
    rows = [
        ("a", "2024-01-03 10:00", 30.0, False), ("a", "2024-01-20 18:30", 12.5, False),
        ("a", "2024-02-07 09:00", 20.0, False), ("a", "2024-04-11 12:00", 40.0, False),
        ("a", "2024-05-02 08:00", -15.0, False),
        ("b", "2024-01-15 11:00", -9.99, False), ("b", "2024-02-29 23:00", 55.0, False),
        ("b", "2024-03-01 00:30", 5.0, False), ("b", "2024-03-28 14:00", 7.25, False),
        ("c", "2024-02-10 10:00", -20.0, False), ("c", "2024-06-10 10:00", -5.0, False),
        ("d", "2024-01-31 16:00", 100.0, False), ("d", "2024-10-05 10:00", 60.0, False),
        ("d", "2024-10-06 10:00", 25.0, True),
        ("e", "2024-06-30 12:00", 11.0, False), ("e", "2024-07-01 12:00", 13.0, False),
        ("e", "2024-10-20 09:00", 0.1, False), ("e", "2024-12-30 09:00", 0.2, False),
        ("f", "2024-07-14 15:00", 70.0, False), ("f", "2024-11-01 10:00", 35.5, False),
        ("f", "2024-11-02 10:00", -35.5, False), ("f", "2025-01-05 10:00", 1.0, False),
    ]
    frame = pd.DataFrame([row[:3] for row in rows], columns=["cid", "day", "sales"])
    frame["day"] = pd.to_datetime(frame["day"])
    return frame


@pytest.fixture(scope="module")
def gap_cases(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("engine_gaps")
    gap_transactions().to_parquet(tmp_path / "tx.parquet", index=False)
    loaded = {}
    for engine in ("pandas", "duckdb"):
        path = tmp_path / f"gaps_{engine}.yaml"
        path.write_text(textwrap.dedent(f"""\
            name: gaps_{engine}
            language: en
            currency: USD
            granularity: M
            start: 2024-01-01
            end: 2025-01-31
            default_period: 2025-01
            engine: {engine}
            sources:
              transactions:
                path: tx.parquet
                columns: {{customer_id: cid, date: day, amount: sales}}
            notebooks: [04_lifecycle_churn]
        """), encoding="utf-8")
        case = load_case(path)
        loaded[engine] = (case.load(today=TODAY) if engine == "pandas" else
                          load_case_tables(case, today=TODAY, output_dir=tmp_path / "report", progress=None))
    yield loaded["pandas"], loaded["duckdb"]
    loaded["duckdb"].close()


def cohorts_equal(left, right):
    for part in ("values", "rates", "sizes"):
        pd.testing.assert_frame_equal(getattr(left, part), getattr(right, part), check_exact=False, rtol=1e-12,
                                      atol=1e-9)


@pytest.mark.parametrize("period", ["W", "M", "Q", "Y"])
@pytest.mark.parametrize("as_of", [None, "2024-10-15", "2024-02-29"])
def test_churn_rates_and_cohorts_counted_in_the_engine_equal_pandas(gap_cases, period, as_of):
    pandas_case, engine_case = gap_cases
    tx, etx = pandas_case.transactions, engine_case.transactions
    assert len(etx) == len(tx) == len(gap_transactions())  # nothing quarantined
    left, right = churn_rates(tx, as_of, period=period), churn_rates(etx, as_of, period=period)
    pd.testing.assert_frame_equal(left, right)  # counts exact, the rate the same division
    for metric in ("customers", "revenue"):
        cohorts_equal(cohort_table(tx, as_of, period=period, metric=metric),
                      cohort_table(etx, as_of, period=period, metric=metric))


def test_engine_counts_keep_the_empty_periods_gaps_and_returns(gap_cases):
    _, engine_case = gap_cases
    rates = churn_rates(engine_case.transactions, "2024-12-31", period="M").set_index("period")
    assert rates.loc["2024-03", ["active", "retained", "reactivated"]].tolist() == [1, 1, 0]  # b; a skips March
    assert rates.loc["2024-04", ["active", "retained", "reactivated", "churned"]].tolist() == [1, 0, 1, 1]  # a back
    assert rates.loc[["2024-08", "2024-09"], "active"].tolist() == [0, 0]  # no row at all: zeros, not missing
    assert np.isnan(rates.loc["2024-09", "churn_rate"])  # nobody active in August to churn
    assert rates.loc["2024-10", ["active", "new", "reactivated"]].tolist() == [2, 0, 2]  # d and e come back
    cohorts = cohort_table(engine_case.transactions, "2024-12-31", period="M")
    assert cohorts.sizes.set_index("cohort")["customers"].to_dict() == {  # c, who only returned, is nobody's
        "2024-01": 2, "2024-02": 1, "2024-06": 1, "2024-07": 1}
    revenue = cohort_table(engine_case.transactions, "2024-12-31", period="M", metric="revenue").values
    assert revenue.loc["2024-01", 4] == pytest.approx(-15.0)  # a's return in May: revenue of its cohort
    assert revenue.loc["2024-02", 0] == pytest.approx(55.0)  # b's January return is before its cohort


def test_churn_rates_and_cohorts_do_not_read_the_customer_period_cells(gap_cases, monkeypatch):
    from workbench.engines import EngineTransactions

    _, engine_case = gap_cases

    def refuse(*args, **kwargs):
        raise AssertionError("one row per customer and period was pulled into pandas")

    monkeypatch.setattr(EngineTransactions, "period_spend", refuse)
    monkeypatch.setattr(engine_case.transactions, "_memo", {})
    churn_rates(engine_case.transactions, period="Q")
    cohort_table(engine_case.transactions, period="W", metric="revenue")


def test_stages_read_coded_cells_and_equal_pandas(gap_cases):
    pandas_case, engine_case = gap_cases
    tx, etx = pandas_case.transactions, engine_case.transactions
    for period in ("M", "Q"):
        for as_of in ("2024-12-31", "2024-06-30"):
            frames_equal(lifecycle_stages(tx, as_of, period=period, churn_horizon=90),
                         lifecycle_stages(etx, as_of, period=period, churn_horizon=90))
    coded = etx.period_spend("2024-12-31", period="M", codes=True)
    cells = etx.period_spend("2024-12-31", period="M")
    assert coded.cells["customer"].dtype == np.int32
    assert coded.customer_ids.iloc[coded.cells["customer"]].tolist() == cells["customer_id"].tolist()
    frames_equal(coded.cells.drop(columns="customer"), cells.drop(columns=["customer_id", "period"]))


def test_engine_churn_rates_and_cohorts_refuse_as_pandas_does(gap_cases):
    pandas_case, engine_case = gap_cases
    for tx in (pandas_case.transactions, engine_case.transactions):
        with pytest.raises(ValueError, match="no transactions up to as_of=2023-12-31"):
            churn_rates(tx, "2023-12-31")
        with pytest.raises(ValueError, match="no transactions up to as_of=2023-12-31"):
            cohort_table(tx, "2023-12-31")
        with pytest.raises(ValueError, match="period='D' is not supported"):
            churn_rates(tx, period="D")


def _fresh_transactions(engine_case, store):
    """Another notebook's view of the same rows: a new memo, the same store folder."""
    from workbench.engines.case_tables import EngineTransactions

    return EngineTransactions(engine_case.engine, engine_case.case, lang="en", store=store)


def test_customer_features_are_stored_as_parquet_and_read_back_by_the_next_notebook(loaded, tmp_path,
                                                                                     monkeypatch):
    _, engine_case, _ = loaded
    store = tmp_path / "aggregates"
    store.mkdir()
    first = _fresh_transactions(engine_case, store)
    as_of = engine_case.as_of
    computed = customer_features(first, as_of)
    totals = first.customer_totals()
    files = sorted(store.iterdir())
    assert [f.suffix for f in files] == [".parquet", ".parquet"]
    # the next notebook reads the stored tables: the engine is not asked again
    second = _fresh_transactions(engine_case, store)
    monkeypatch.setattr(type(engine_case.engine), "customer_features",
                        lambda *a, **k: pytest.fail("computed again instead of read from the store"))
    monkeypatch.setattr(type(engine_case.engine), "_run",
                        lambda *a, **k: pytest.fail("queried again instead of read from the store"))
    again = customer_features(second, as_of)
    pd.testing.assert_frame_equal(again, computed, check_exact=True)
    assert list(again.dtypes) == list(computed.dtypes) and again["customer_id"].dtype == "str"
    pd.testing.assert_frame_equal(second.customer_totals(), totals, check_exact=True)
    assert sorted(store.iterdir()) == files
    monkeypatch.undo()
    # another argument (start, period or as_of) is another key: computed, and stored beside
    calls = []
    real = type(engine_case.engine).customer_features

    def counted(self, *args, **kwargs):
        calls.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(engine_case.engine), "customer_features", counted)
    third = _fresh_transactions(engine_case, store)
    quarterly = customer_features(third, as_of, period="Q")
    earlier = customer_features(third, as_of - pd.Timedelta(days=90))
    assert len(calls) == 2 and len(list(store.glob("*.parquet"))) == 4
    pd.testing.assert_frame_equal(quarterly, engine_case.engine.customer_features(as_of, period="Q"),
                                  check_exact=False, rtol=1e-12)
    assert not quarterly.equals(computed) and len(earlier) <= len(computed)


def test_without_a_cache_folder_nothing_is_stored(loaded, tmp_path, monkeypatch):
    from workbench import cache

    _, engine_case, _ = loaded
    monkeypatch.delenv(cache.ENV, raising=False)
    tx = _fresh_transactions(engine_case, None)
    customer_features(tx, engine_case.as_of)
    assert tx.store is None and engine_case.transactions.store is None
    assert cache.entry_folder(engine_case.case, engine_case.period, TODAY) is None
    assert not any(tmp_path.iterdir())


def test_frames_that_parquet_would_change_are_kept_as_pickles(tmp_path):
    from workbench.engines.case_tables import _read_stored, _write_stored

    plain = pd.DataFrame({"id": pd.Series(["007", None, "中文"], dtype="str"), "n": [1, 2, 3],
                          "x": [0.1, np.nan, -0.0], "flag": [True, False, True],
                          "day": pd.to_datetime(["2024-01-01", None, "2024-03-01"])})
    assert _write_stored(tmp_path / "plain", plain).suffix == ".parquet"
    back = _read_stored(tmp_path / "plain")
    pd.testing.assert_frame_equal(back, plain, check_exact=True)
    assert np.signbit(back["x"].iloc[2]) and list(back.dtypes) == list(plain.dtypes)
    others = {"periods": pd.DataFrame({"n": [1]}, index=pd.period_range("2024-01", periods=1, freq="M")),
              "objects": pd.DataFrame({"o": pd.Series([1, "a"], dtype=object)}),
              "categories": pd.DataFrame({"c": pd.Categorical(["a"])}),
              "named_index": pd.DataFrame({"n": [1]}).rename_axis("k")}
    for name, frame in others.items():
        assert _write_stored(tmp_path / name, frame).suffix == ".pkl", name
        pd.testing.assert_frame_equal(_read_stored(tmp_path / name), frame)
    assert _write_stored(tmp_path / "tuple", (1, "a")).suffix == ".pkl"
    assert _read_stored(tmp_path / "tuple") == (1, "a")


def _period_summaries_equal(pandas_tx, engine_tx):
    for granularity in ("D", "W", "M", "Q", "Y"):
        expected = overview.period_summary(pandas_tx, granularity=granularity)
        got = overview.period_summary(engine_tx, granularity=granularity)
        counts = ["period", "orders", "customers", "new_customers"]
        pd.testing.assert_frame_equal(got[counts], expected[counts], check_exact=True)  # counts: exact
        frames_equal(expected, got)


def test_period_totals_count_orders_and_customers_without_distinct_over_the_rows(loaded, gap_cases, monkeypatch):
    pandas_case, engine_case, _ = loaded
    assert not engine_case.transactions.row_order_ids  # the source has order ids: (period, order) pairs
    assert engine_case.transactions.scalar("SELECT COUNT(DISTINCT order_id) < COUNT(*) FROM {t}")  # multi-line
    _period_summaries_equal(pandas_case.transactions, engine_case.transactions)
    pandas_gaps, engine_gaps = gap_cases
    assert engine_gaps.transactions.row_order_ids and engine_gaps.cleaning.row_order_ids  # no order ids: rows
    _period_summaries_equal(pandas_gaps.transactions, engine_gaps.transactions)
    # the pairs give the same counts where rows are orders too, and no query counts DISTINCT
    from workbench.engines.case_tables import EngineTransactions

    queries = []
    con = type(engine_gaps.engine.con)
    real = con.sql
    monkeypatch.setattr(con, "sql", lambda self, q, *a, **k: queries.append(q) or real(self, q, *a, **k),
                        raising=False)
    pairs = EngineTransactions(engine_gaps.engine, engine_gaps.case, row_order_ids=False)
    _period_summaries_equal(pandas_gaps.transactions, pairs)
    monkeypatch.undo()
    assert queries and not any("DISTINCT" in q.upper() for q in queries)
