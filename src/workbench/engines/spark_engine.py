"""Spark: the same aggregates on a cluster (or in local mode), transpiled from DuckDB SQL.

Needs the optional extra: ``pip install -e '.[spark]'`` (pyspark 4, Java 17 or 21).
Where the session comes from, in order: a session passed in; a Spark Connect address
in the environment variable named by ``remote_env`` (``sc://host:15002``, tokens
included, so only ever from the environment); a master URL given as ``master``
(``local[2]``, ``spark://host:7077``, ``yarn``, ``k8s://...``) or in the variable named
by ``master_env``; else ``local[*]``. Sources are read by Spark (Parquet, CSV, a
warehouse/metastore table with ``Source("table", table="db.orders")``, or JDBC with
the URL in an environment variable), never through pandas.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Mapping

from workbench.engines.base import CANONICAL_COLUMNS, Engine, EngineMemoryError, Source, log_progress, mapped_columns

__all__ = ["LOCAL_DEFAULTS", "SparkEngine"]

_STRFTIME_TO_JAVA = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss", "%y": "yy"}
#: Settings of a session the engine starts in local mode (one machine; the settings given
#: in ``config`` win). The shuffles of local mode go to the local disk, where Spark's
#: partial aggregation before each shuffle costs more than it saves when the groups are
#: nearly unique (a customer's days): skipping it took the BG/NBD summary of 10M rows
#: from 22-24 s to 16-18 s here (Spark 4.3; earlier versions ignore the setting). On a
#: cluster, where the partial aggregation saves network traffic, Spark's default stays.
LOCAL_DEFAULTS = {"spark.sql.execution.bypassPartialAggregation": "true"}
_MEMORY_HINTS = ("OutOfMemoryError", "SparkOutOfMemoryError", "Java heap space", "GC overhead limit exceeded",
                 "Not enough memory to build and broadcast")


def _java_pattern(fmt: str) -> str:
    out = fmt
    for code, java in _STRFTIME_TO_JAVA.items():
        out = out.replace(code, java)
    if "%" in out:
        raise ValueError(f"date_format={fmt!r}: Spark reads only %Y %m %d %H %M %S %y")
    return out


class SparkEngine(Engine):
    """The aggregates on Spark; the SQL is :mod:`workbench.engines.definitions` transpiled.

    Parameters
    ----------
    session : pyspark.sql.SparkSession, optional
        Use this session (it is not stopped by :meth:`close`).
    master : str, optional
        A master URL (``local[2]``, ``spark://host:7077``, ``yarn``).
    master_env, remote_env : str, optional
        Names of environment variables holding a master URL or a Spark Connect address
        (``sc://...``); an unset variable is an error that names it.
    config : mapping, optional
        Spark settings for a new session, e.g. ``{"spark.driver.memory": "8g",
        "spark.sql.shuffle.partitions": 64}``. ``spark.sql.session.timeZone`` is UTC
        (days of timestamps in UTC, as in pandas and DuckDB); in local mode
        :data:`LOCAL_DEFAULTS` apply unless set here.
    app_name : str
    progress, progress_interval
        See :class:`~workbench.engines.base.Engine`; while a query runs, the share of
        tasks done in its active stages.
    """

    name = "spark"
    dialect = "spark"

    def __init__(self, session=None, *, master: str | None = None, master_env: str | None = None,
                 remote_env: str | None = None, config: Mapping | None = None, app_name: str = "workbench",
                 progress=log_progress, progress_interval: float = 2.0):
        super().__init__(progress=progress, progress_interval=progress_interval)
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise ImportError("SparkEngine needs pyspark: pip install -e '.[spark]' (and Java 17 or 21)") from None
        self._own_session = session is None
        if session is None:
            builder = SparkSession.builder.appName(app_name)
            url = ""
            if remote_env:
                builder = builder.remote(self._env(remote_env, "Spark Connect address"))
            else:
                url = master or (self._env(master_env, "Spark master URL") if master_env else None) or "local[*]"
                builder = builder.master(url)
            # the engine reports progress itself: no console bar unless asked for
            settings = {"spark.ui.showConsoleProgress": "false",
                        **(LOCAL_DEFAULTS if url.startswith("local") else {}),
                        **dict(config or {}), "spark.sql.session.timeZone": "UTC"}
            for key, value in settings.items():
                builder = builder.config(key, str(value))
            session = builder.getOrCreate()
        else:
            session.conf.set("spark.sql.session.timeZone", "UTC")
        self.spark = session

    @staticmethod
    def _env(name: str, what: str) -> str:
        value = os.environ.get(name)
        if not value:
            raise ValueError(f"SparkEngine: the environment variable {name!r} ({what}) is not set")
        return value

    def close(self) -> None:
        if self._own_session and getattr(self, "spark", None) is not None:
            self.spark.stop()
        self.spark = None

    # -- reading -----------------------------------------------------------------------
    def read_arrow(self, source: Source):
        """Every row and column of ``source`` as Spark reads it, collected to the driver as a
        :class:`pyarrow.Table` (for tables of one row per customer, such as the customers source)."""
        return self._frame(source).toArrow()

    def _frame(self, source: Source):
        read = self.spark.read
        if source.format == "parquet":
            return read.parquet(*source.paths())
        if source.format == "csv":
            opts = {"header": str(bool(source.options.get("header", True))).lower(), "inferSchema": "true"}
            if "delimiter" in source.options:
                opts["sep"] = source.options["delimiter"]
            if "encoding" in source.options:
                opts["encoding"] = source.options["encoding"]
            if "date_format" in source.options:
                opts["dateFormat"] = opts["timestampFormat"] = _java_pattern(source.options["date_format"])
            return read.options(**opts).csv(source.paths())
        if source.format == "table":
            return self.spark.table(source.table)
        url = source.connection_string()
        try:  # JDBC: the driver jar must be on the session's classpath (spark.jars.packages)
            return read.format("jdbc").option("url", url).option("dbtable", source.table).load()
        except Exception as exc:  # noqa: BLE001 - the message may quote the URL: never show it
            message = str(exc).replace(url, f"${source.connection_env}").splitlines()[0]
            raise ValueError(f"{source.describe()}: Spark could not read it over JDBC: {message}") from None

    def _register(self, view: str, source: Source, wanted) -> list[str]:
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        try:
            frame = self._frame(source)
        except ValueError:
            raise
        except Exception as exc:  # noqa: BLE001 - Spark's AnalysisException and friends
            raise ValueError(f"{view} ({source.describe()}): Spark cannot read it: {str(exc).splitlines()[0]}") \
                from None
        present = frame.columns
        if wanted is None:
            rename = {src: canon for canon, src in source.columns.items()}
            mapped_columns(source, present, view, {"customer_id": None})
            cols = [F.col(f"`{c}`").cast("string").alias("customer_id") if rename.get(c, c) == "customer_id"
                    else F.col(f"`{c}`").alias(rename.get(c, c)) for c in present]
        else:
            mapping = mapped_columns(source, present, view, wanted)
            types = {f.name: f.dataType for f in frame.schema.fields}
            cols = []
            for canon, src in mapping.items():
                col = F.col(f"`{src}`")
                if canon == "date":
                    dated = isinstance(types[src], (T.DateType, T.TimestampType, T.TimestampNTZType))
                    if not dated and "date_format" in source.options:  # CSV inference read 20240105 as int
                        fmt = source.options["date_format"]
                        parse = F.to_timestamp if any(c in fmt for c in ("%H", "%M", "%S")) else F.to_date
                        cols.append(parse(col.cast("string"), _java_pattern(fmt)).alias("date"))
                        continue
                    if not dated:
                        raise ValueError(
                            f"{view} ({source.describe()}): column {src!r} (mapped to date) has type "
                            f"{types[src].simpleString()}, expected a date or timestamp; for CSV give options "
                            "date_format (e.g. '%Y%m%d')")
                    cols.append(col.alias("date"))
                else:
                    spark_type = {"VARCHAR": "string", "DOUBLE": "double", "BOOLEAN": "boolean"}[wanted[canon]]
                    cols.append(col.cast(spark_type).alias(canon))
        frame = frame.select(*cols)
        frame.createOrReplaceTempView(view)
        return list(frame.columns)

    def _quick_stats(self, source: Source) -> dict | None:
        """The row count, missing values, date range and returns from the Parquet footers,
        for Parquet files on this machine, as :class:`~workbench.engines.DuckDBEngine` reads
        them (milliseconds; Spark would scan every row for them: 3 s of a 26 s summary at
        10M rows here). Files on a cluster's storage (``hdfs://``, ``s3a://``, ...), other
        formats, and footers without the statistics: None, and Spark counts the rows. Both
        engines read the days of timestamps in UTC."""
        if source.format != "parquet" or any("://" in str(p) for p in source.paths()):
            return None
        from workbench.engines.duckdb_engine import DuckDBEngine

        try:
            with DuckDBEngine(threads=1, progress=None) as footers:
                footers._register("transactions", source, CANONICAL_COLUMNS)  # noqa: SLF001 - same package
                return footers._quick_stats(source)  # noqa: SLF001
        except Exception:  # noqa: BLE001 - any doubt: Spark counts the rows
            return None

    # -- running -----------------------------------------------------------------------
    def _arrow(self, sql: str, aggregate: str):
        stop = threading.Event()
        started = time.perf_counter()
        tracker = None
        try:
            tracker = self.spark.sparkContext.statusTracker()
        except Exception:  # noqa: BLE001 - Spark Connect has no SparkContext: no task counts
            pass

        def poll():
            while not stop.wait(self.progress_interval):
                done = total = 0
                for stage in tracker.getActiveStageIds():
                    info = tracker.getStageInfo(stage)
                    if info is not None:
                        done, total = done + info.numCompletedTasks, total + info.numTasks
                if total:
                    self._emit("aggregate", aggregate, fraction=done / total, seconds=time.perf_counter() - started)

        watcher = None
        if self.progress is not None and tracker is not None and aggregate != "read":
            watcher = threading.Thread(target=poll, daemon=True)
            watcher.start()
        try:
            return self.spark.sql(sql).toArrow()
        except Exception as exc:
            text = str(exc)
            if any(hint in text for hint in _MEMORY_HINTS):
                conf = self.spark.conf
                raise EngineMemoryError(
                    f"Spark ran out of memory in {aggregate} (spark.driver.memory="
                    f"{conf.get('spark.driver.memory', '1g')}, spark.executor.memory="
                    f"{conf.get('spark.executor.memory', '1g')}, spark.sql.shuffle.partitions="
                    f"{conf.get('spark.sql.shuffle.partitions', '200')}). Raise spark.driver.memory (local mode: "
                    "the driver does all the work; it must be set before the session starts, e.g. engine config "
                    "{spark.driver.memory: 8g}) or spark.executor.memory on a cluster, or raise "
                    "spark.sql.shuffle.partitions so that each task holds less. Spark said: "
                    f"{next((ln for ln in text.splitlines() if re.search('Memory|memory|heap', ln)), '')[:300]}"
                ) from None
            raise
        finally:
            stop.set()
            if watcher is not None:
                watcher.join()
