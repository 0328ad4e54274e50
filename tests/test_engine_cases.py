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
    with pytest.raises(CaseError, match=r"runs on engine duckdb .*load_case_tables"):
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
