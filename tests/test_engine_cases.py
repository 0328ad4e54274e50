"""Case files that run on an engine (``engine:``): validation, the pandas size check, and
(tests further down) a case read, cleaned and aggregated by DuckDB equal to the pandas path."""

import textwrap

import numpy as np
import pandas as pd
import pytest

from workbench import cases
from workbench.cases import CaseError, load_case


def write_case(tmp_path, engine: str, path: str = "../data.csv", extra: str = "", name: str = "mine"):
    (tmp_path / "notebooks").mkdir(exist_ok=True)
    (tmp_path / "notebooks" / "00_data_overview.ipynb").write_text("{}")
    (tmp_path / "cases").mkdir(exist_ok=True)
    if not (tmp_path / "data.csv").exists():
        (tmp_path / "data.csv").write_text(
            "客户,日期,金额\nC1,2024-01-05,10\nC1,2024-02-05,20\nC2,2024-03-01,5\n", encoding="utf-8")
    body = f"""\
        name: {name}
        language: zh
        granularity: M
        start: 2024-01-01
        end: 2024-12-31
        default_period: 2024-02
        {engine}
        sources:
          transactions:
            path: {path}
            columns: {{customer_id: 客户, date: 日期, amount: 金额}}
            {extra}
        notebooks: [00_data_overview]
    """
    file = tmp_path / "cases" / f"{name}.yaml"
    file.write_text(textwrap.dedent(body), encoding="utf-8")
    return file


@pytest.mark.parametrize("engine, name, options", [
    ("", "pandas", {}),
    ("engine: pandas", "pandas", {}),
    ("engine: duckdb", "duckdb", {}),
    ("engine: {name: duckdb, memory_limit: 2GB, threads: 1}", "duckdb", {"memory_limit": "2GB", "threads": 1}),
    ("engine: {name: spark, master_env: SPARK_MASTER_URL}", "spark", {"master_env": "SPARK_MASTER_URL"}),
])
def test_engine_key_names_the_engine_and_its_options(tmp_path, engine, name, options):
    case = load_case(write_case(tmp_path, engine))
    assert case.engine.name == name
    assert case.engine.options() == options


@pytest.mark.parametrize("engine, message", [
    ("engine: duckd", r"mine\.yaml: key 'engine\.name' is 'duckd'; allowed: one of \['pandas', 'duckdb', 'spark'\]"),
    ("engine: {name: duckdb, memroy_limit: 2GB}", r"mine\.yaml: key 'engine' has unknown key\(s\) \['memroy_limit'\]; "
                                                 r"did you mean 'memory_limit'\?"),
    ("engine: {name: duckdb, threads: 0}", r"key 'engine\.threads' is 0; allowed: an integer >= 1"),
    ("engine: {name: pandas, memory_limit: 2GB}", r"key 'engine' names pandas but sets \['memory_limit'\]"),
    ("engine: {name: duckdb, memory_share: 0.2}", r"key 'engine' names duckdb but sets \['memory_share'\]"),
    ("engine: [duckdb]", r"key 'engine' is \['duckdb'\]; it must be a mapping"),
])
def test_a_bad_engine_value_names_the_file_key_and_allowed_values(tmp_path, engine, message):
    with pytest.raises(CaseError, match=message):
        load_case(write_case(tmp_path, engine))


def test_engine_source_keys_need_an_engine(tmp_path):
    with pytest.raises(CaseError, match=r"'sources\.transactions' has \['format'\], which only an engine reads"):
        load_case(write_case(tmp_path, "", extra="format: csv"))
    with pytest.raises(CaseError, match=r"'sources\.transactions\.format' is 'xls'; allowed"):
        load_case(write_case(tmp_path, "engine: duckdb", extra="format: xls"))
    with pytest.raises(CaseError, match="NAME of an environment variable"):
        load_case(write_case(tmp_path, "engine: duckdb", extra="connection_env: 'postgres://u:pw@host/db'"))


def test_an_engine_case_is_not_loaded_into_pandas(tmp_path):
    case = load_case(write_case(tmp_path, "engine: duckdb"))
    with pytest.raises(CaseError, match=r"runs on engine duckdb .*workbench\.engines\.load_data"):
        case.load()


def test_pandas_refuses_an_input_too_large_before_reading_it(tmp_path, monkeypatch):
    frame = pd.DataFrame({"客户": np.char.mod("C%05d", np.arange(1000) % 97),
                          "日期": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(1000) % 300, "D"),
                          "金额": np.linspace(1, 100, 1000)})
    frame.to_parquet(tmp_path / "big.parquet")
    rows, need = cases.estimate_memory(tmp_path / "big.parquet")
    assert rows == 1000 and need == 1000 * 3 * cases.PARQUET_BYTES_PER_CELL
    case = load_case(write_case(tmp_path, "engine: {name: pandas, memory_share: 0.5}", path="../big.parquet"))
    assert case.load().sources_table()["kept"].tolist() == [1000]  # fits in the memory this machine has
    read = []
    monkeypatch.setattr(cases, "available_memory", lambda: 2 * need - 1)  # the estimate is just over half
    monkeypatch.setattr(cases.io, "read_table", lambda *a, **k: read.append(a))
    with pytest.raises(CaseError, match=r"source 'transactions' \(big\.parquet: 1,000 rows, about 0\.0 GB .*"
                                        r"at most 50% of it, key 'engine\.memory_share'\)\. Set 'engine: duckdb'"):
        case.load()
    assert read == []  # failed before reading
    roomy = load_case(write_case(tmp_path, "engine: {name: pandas, memory_share: 1.0}", path="../big.parquet"))
    cases.check_fits_in_memory(roomy.path, "transactions", tmp_path / "big.parquet", 1.0)  # below the limit
    _, text_need = cases.estimate_memory(tmp_path / "data.csv")
    assert text_need == (tmp_path / "data.csv").stat().st_size * cases.TEXT_MEMORY_FACTOR


# ----------------------------------------------------------------------------------
# cleaning in the engine = the pandas path on the same messy typed file
# ----------------------------------------------------------------------------------


def messy_transactions() -> pd.DataFrame:
    """Every reason a typed source can give, and rows that look suspicious but are kept."""
    day = pd.Timestamp
    rows = [
        # customer, order, date, amount, product
        ("C1", "O1", day("2024-01-05"), 10.0, "P1"),
        ("C1", "O1", day("2024-01-05"), 5.0, "P2"),            # another line of the order: kept
        ("C1", "O1", day("2024-01-05"), 10.0, "P1"),           # an exact copy: duplicate_row
        (" C2 ", "O2", day("2024-01-07"), -3.0, "P1"),         # a return, id with blanks: kept
        (None, "O3", day("2024-01-08"), 4.0, "P1"),            # customer_id_missing
        ("NULL", "O4", day("2024-01-08"), 4.0, "P1"),          # a missing marker
        ("无", "O5", day("2024-01-08"), 4.0, "P1"),
        ("  ", "O6", day("2024-01-08"), 4.0, "P1"),
        ("C3", "O7", pd.NaT, 4.0, "P1"),                       # date_missing
        ("C3", "O8", day("2024-01-09"), np.nan, "P1"),         # amount_missing (NaN)
        ("C3", "O9", day("2024-01-09"), None, "P1"),           # amount_missing (null)
        ("C3", "O10", day("2024-01-09"), np.inf, "P1"),        # amount_not_finite
        ("C3", "O11", day("2023-12-31"), 4.0, "P1"),           # date_out_of_window (before start)
        ("C3", "O12", day("2025-01-01"), 4.0, "P1"),           # after end
        ("C3", "O13", day("2024-11-02"), 4.0, "P1"),           # after today: date_in_future
        ("C4", "O14", day("2024-02-01"), 0.0, "P1"),           # zero amount: kept
        ("C4", "O15", day("2024-02-01"), 7.0, "P1"),
        ("Ｃ４", "O19", day("2024-02-06"), 6.0, "P1"),           # full-width: NFKC makes it C4
        ("C5", "O15", day("2024-02-01"), 7.0, "P3"),           # order of another customer: conflict
        ("C6", "O16", day("2024-02-03"), 8.0, "P1"),
        ("C6", "O16", day("2024-02-03"), 9.0, "P1"),           # same line, other amount: conflict
        ("C8", "O18", day("2024-02-05 10:00"), 3.0, "P1"),
        ("C8", "O18", day("2024-02-05 11:00"), 3.0, "P1"),     # same line, another time of day: conflict
        ("C6", None, day("2024-02-04"), 2.0, "P1"),            # no order id: its own order
        ("C6", "", day("2024-02-04"), 2.5, None),
        (None, None, pd.NaT, None, None),                      # blank_row
        ("C7", "O17", day("2024-03-01 15:30"), 1000.0, "P1"),  # an outlier: kept, flagged
    ]
    frame = pd.DataFrame(rows, columns=["cid", "order", "when", "sales", "sku"])
    frame["sales"] = frame["sales"].astype(float)
    return frame


COLUMNS = {"customer_id": "cid", "order_id": "order", "date": "when", "amount": "sales", "product_id": "sku"}


@pytest.mark.parametrize("duplicates, conflicts", [("quarantine", "quarantine"), ("keep", "keep_first"),
                                                   ("quarantine", "keep_last")])
def test_cleaning_in_duckdb_equals_the_pandas_path(tmp_path, duplicates, conflicts):
    from workbench import cleaning, io
    from workbench.engines import DuckDBEngine, Source
    from workbench.engines.cleaning import clean_transactions

    path = tmp_path / "messy.parquet"
    messy_transactions().to_parquet(path)
    window = {"start": "2024-01-01", "end": "2024-12-31", "today": "2024-11-01"}
    raw = io.apply_mapping(io.read_table(path), COLUMNS, "transactions", source=path.name)
    expected = cleaning.clean_transactions(raw, duplicates=duplicates, conflicts=conflicts, **window)
    with DuckDBEngine(progress=None, threads=1) as engine:
        result = clean_transactions(engine, Source("parquet", path=str(path), columns=COLUMNS),
                                    duplicates=duplicates, conflicts=conflicts,
                                    quarantine_path=tmp_path / "q.parquet", **window)
        kept = engine.con.execute("SELECT * EXCLUDE (pos) FROM clean_transactions "
                                  "ORDER BY customer_id, date, pos").df()
        stats = engine.stats_
    assert result.rows_in == len(raw) == result.kept + result.quarantined
    assert stats.rows == result.kept == len(expected.clean)
    pd.testing.assert_frame_equal(result.log, expected.log)
    quarantine = pd.read_parquet(result.quarantine_path)
    assert quarantine[["source_row", "row", "reason"]].values.tolist() == \
        expected.quarantine[["source_row", "row", "reason"]].values.tolist()
    conflict = quarantine["reason"] == "order_id_conflict"  # the detail names the other row and the field
    assert conflict.any() and quarantine.loc[conflict, "detail"].tolist() == \
        expected.quarantine.loc[(expected.quarantine["reason"] == "order_id_conflict").to_numpy(), "detail"].tolist()
    assert quarantine["detail"].fillna("").tolist() == expected.quarantine["detail"].fillna("").tolist()  # every reason
    want = expected.clean
    for col in ["customer_id", "order_id", "product_id"]:
        assert kept[col].astype(object).where(kept[col].notna(), None).tolist() == \
            want[col].astype(object).where(want[col].notna(), None).tolist(), col
    np.testing.assert_array_equal(kept["date"].to_numpy("datetime64[ns]"), want["date"].to_numpy("datetime64[ns]"))
    np.testing.assert_array_equal(kept["amount"].to_numpy(float), want["amount"].to_numpy(float))
    for flag in ["is_return", "is_outlier", *(["is_duplicate"] if duplicates == "keep" else [])]:
        assert kept[flag].tolist() == want[flag].tolist(), flag
