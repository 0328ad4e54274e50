"""Engines: the transaction-to-customer aggregates defined once, run on DuckDB or Spark.

pandas (:mod:`workbench.features`, :mod:`workbench.value`, :mod:`workbench.lifecycle`)
stays the path for data that fit in memory; an engine reads the sources itself and
returns the customer-level tables those modules and the models take::

    from workbench.engines import DuckDBEngine, Source

    with DuckDBEngine(memory_limit="6GB") as engine:
        engine.transactions(Source("parquet", path="orders/*.parquet",
                                   columns={"customer_id": "客户编号", "date": "下单日期", "amount": "销售额"}))
        summary = engine.bgnbd_summary("1997-09-30", "1998-06-30")   # one row per customer, pandas

:func:`engine` builds one from a case file's ``engine:`` mapping;
:func:`~workbench.engines.case_tables.load_case_tables` loads an engine case for a
report (cleaned in the engine, handed over per customer), and
:func:`~workbench.engines.case_tables.load_data` is what the notebooks load for every
case (``Case.load`` for pandas, once per render for an engine case). Every aggregate is one
SQL text (:mod:`workbench.engines.definitions`) that DuckDB runs as written and sqlglot
transpiles for Spark; results equal the pandas functions' (tests/test_engines.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.engines.base import CANONICAL_COLUMNS, Engine, EngineMemoryError, Progress, Source, log_progress
from workbench.engines.definitions import AGGREGATES, TransactionStats, to_dialect
from workbench.engines.duckdb_engine import DuckDBEngine

__all__ = [
    "AGGREGATES",
    "CANONICAL_COLUMNS",
    "ENGINES",
    "DuckDBEngine",
    "Engine",
    "EngineCase",
    "EngineMemoryError",
    "EngineTransactions",
    "Progress",
    "Source",
    "SparkEngine",
    "TransactionStats",
    "engine",
    "load_case_tables",
    "load_data",
    "log_progress",
    "to_dialect",
]

#: Engine names a case file may give (``engine: duckdb`` or ``engine: {name: spark, ...}``).
ENGINES = ("pandas", "duckdb", "spark")


def __getattr__(name):  # pyspark is an optional extra: import it only when asked for
    if name == "SparkEngine":
        from workbench.engines.spark_engine import SparkEngine

        return SparkEngine
    if name in ("load_case_tables", "load_data", "EngineCase", "EngineTransactions"):  # these import workbench.cases
        from workbench.engines import case_tables

        return getattr(case_tables, name)
    raise AttributeError(f"module 'workbench.engines' has no attribute {name!r}")


def engine(config: str | Mapping[str, Any], **overrides) -> Engine | None:
    """An engine from a case file's ``engine:`` value; None for ``pandas``.

    Parameters
    ----------
    config : str or mapping
        ``"duckdb"``, ``"spark"``, ``"pandas"``, or a mapping with ``name`` and the
        engine's options: for duckdb ``memory_limit``, ``temp_directory``, ``threads``,
        ``database``; for spark ``master`` (a literal such as ``local[2]``),
        ``master_env`` or ``remote_env`` (names of environment variables holding a
        master URL or a Spark Connect address) and ``config`` (Spark settings).
    **overrides
        Keyword arguments for the engine (e.g. ``progress=``).

    Examples
    --------
    >>> e = engine({"name": "duckdb", "memory_limit": "1GB", "threads": 1}, progress=None)
    >>> e.setting("memory_limit"), e.setting("threads")
    ('953.6 MiB', '1')
    >>> e.close()
    >>> engine("pandas") is None
    True
    """
    options = {"name": config} if isinstance(config, str) else dict(config)
    name = options.pop("name", None)
    if name not in ENGINES:
        raise ValueError(f"engine: name={name!r} is not supported; use one of {list(ENGINES)}")
    if name == "pandas":
        if options:
            raise ValueError(f"engine: pandas takes no options, got {sorted(options)}")
        return None
    allowed = {"duckdb": {"memory_limit", "temp_directory", "threads", "database"},
               "spark": {"master", "master_env", "remote_env", "config", "app_name"}}[name]
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ValueError(f"engine {name}: unknown option(s) {unknown}; known: {sorted(allowed)}")
    if name == "duckdb":
        return DuckDBEngine(**options, **overrides)
    from workbench.engines.spark_engine import SparkEngine

    return SparkEngine(**options, **overrides)
