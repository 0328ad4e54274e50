"""What every engine shares: sources, progress events, memory errors and the aggregates.

An :class:`Engine` reads a :class:`Source` into a view with the canonical columns
(:meth:`Engine.transactions`, :meth:`Engine.customers`), counts it once (rows, missing
required values, date range, returns: :class:`~workbench.engines.definitions.TransactionStats`),
and runs the aggregates of :mod:`workbench.engines.definitions` on it, returning one
pandas row per customer (or per customer and period, or per class) through Arrow. The
backends (:mod:`workbench.engines.duckdb_engine`, :mod:`workbench.engines.spark_engine`)
supply only reading, running a query and naming their memory settings.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.engines import definitions as defs

__all__ = ["CANONICAL_COLUMNS", "Engine", "EngineMemoryError", "PeriodSpend", "Progress", "Source",
           "check_repeated_header", "log_progress"]

log = logging.getLogger("workbench.engines")

#: Canonical transaction columns an engine reads (required first) and their SQL types.
CANONICAL_COLUMNS = {
    "customer_id": "VARCHAR",
    "date": None,  # DATE or TIMESTAMP as stored
    "amount": "DOUBLE",
    "is_return": "BOOLEAN",
    "order_id": "VARCHAR",
    "product_id": "VARCHAR",
    "gross_profit": "DOUBLE",
    "cost": "DOUBLE",
    "quantity": "DOUBLE",
}
REQUIRED = ("customer_id", "date", "amount")
FORMATS = ("parquet", "csv", "table", "database")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class EngineMemoryError(MemoryError):
    """An engine ran out of memory; the message names the setting that would help."""


@dataclass(frozen=True)
class Progress:
    """One progress event of a long engine run.

    Attributes
    ----------
    engine : str
        ``"duckdb"`` or ``"spark"``.
    stage : str
        ``"read"`` (a source was registered and counted), ``"aggregate"`` (a query
        started or is running), ``"done"`` (its result is in pandas).
    aggregate : str or None
        Which aggregate (``"bgnbd_summary"``, ...), or the source's role when reading.
    rows : int or None
        Rows read (``"read"``) or returned (``"done"``).
    fraction : float or None
        Share of the running query done, 0-1, when the engine reports it.
    seconds : float
        Time since the stage started.
    """

    engine: str
    stage: str
    aggregate: str | None = None
    rows: int | None = None
    fraction: float | None = None
    seconds: float = 0.0

    def __str__(self) -> str:
        parts = [f"{self.engine}: {self.stage}"]
        if self.aggregate:
            parts.append(self.aggregate)
        if self.rows is not None:
            parts.append(f"{self.rows:,} rows")
        if self.fraction is not None:
            parts.append(f"{100 * self.fraction:.0f} %")
        parts.append(f"{self.seconds:.1f} s")
        return ", ".join(parts)


def log_progress(event: Progress) -> None:
    """The default progress callback: one INFO line on the ``workbench.engines`` logger."""
    log.info("%s", event)


@dataclass(frozen=True)
class Source:
    """Where an engine reads a table from, and how its columns map onto canonical names.

    Parameters
    ----------
    format : {"parquet", "csv", "table", "database"}
        ``parquet``/``csv``: files (a path, a glob such as ``orders/*.parquet``, or a
        list of them); ``table``: a table of the engine's own catalog (a Spark warehouse
        or metastore table, a table of the DuckDB database file); ``database``: a table
        of an external database whose connection string is in the environment variable
        ``connection_env``.
    path : str or list of str, optional
        Files for ``parquet`` and ``csv``.
    table : str, optional
        Table name for ``table`` and ``database`` (``schema.table`` allowed).
    connection_env : str, optional
        Name of the environment variable that holds the connection string (with its
        credentials) for ``database``. Never the string itself: case files and rendered
        reports would carry it.
    columns : mapping, optional
        Canonical name -> the source's column name (as in a case file's ``columns``);
        canonical columns not mapped are taken by their own name when present.
    options : mapping, optional
        Reader options: for ``csv`` ``delimiter``, ``header`` (default true),
        ``date_format`` (e.g. ``"%Y%m%d"``) and ``encoding``.

    Examples
    --------
    >>> Source("parquet", path="orders/*.parquet", columns={"customer_id": "客户编号"}).format
    'parquet'
    >>> Source("database", table="sales.orders", connection_env="CRM_WAREHOUSE_URL").connection_env
    'CRM_WAREHOUSE_URL'
    """

    format: str
    path: str | tuple[str, ...] | None = None
    table: str | None = None
    connection_env: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.format not in FORMATS:
            raise ValueError(f"Source: format={self.format!r} is not supported; use one of {list(FORMATS)}")
        if isinstance(self.path, (list, tuple)):
            object.__setattr__(self, "path", tuple(str(p) for p in self.path))
        elif self.path is not None:
            object.__setattr__(self, "path", str(self.path))
        if self.format in ("parquet", "csv") and not self.path:
            raise ValueError(f"Source: format={self.format!r} needs path= (a file, a glob or a list of files)")
        if self.format in ("table", "database") and not self.table:
            raise ValueError(f"Source: format={self.format!r} needs table= (a table name)")
        if self.format == "database":
            env = self.connection_env
            if not env:
                raise ValueError("Source: format='database' needs connection_env=, the NAME of the environment "
                                 "variable holding the connection string (e.g. 'CRM_WAREHOUSE_URL')")
            if not _ENV_NAME.match(env):
                raise ValueError("Source: connection_env must be the name of an environment variable (letters, "
                                 "digits, underscores), not a connection string: put the string into an "
                                 "environment variable and name that variable here")
        if not isinstance(self.columns, Mapping):
            raise TypeError("Source: columns must map canonical names to the source's column names")
        object.__setattr__(self, "columns", dict(self.columns))
        object.__setattr__(self, "options", dict(self.options))

    @classmethod
    def from_config(cls, spec: Mapping[str, Any], base: str | Path | None = None) -> Source:
        """A source from a case file's mapping (``path``/``table``, ``format``, ``columns``, ...).

        ``format`` defaults from the file extension (``.parquet``/``.pq`` or ``.csv``)
        or to ``table`` when only ``table`` is given; relative paths are resolved
        against ``base`` (the case file's folder).

        Examples
        --------
        >>> Source.from_config({"path": "tx.parquet", "columns": {"amount": "sales"}}, base="/data").path
        '/data/tx.parquet'
        """
        spec = dict(spec)
        known = {"format", "path", "table", "connection_env", "columns", "options", "sep", "encoding",
                 "header", "date_format"}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise ValueError(f"Source: unknown key(s) {unknown}; known: {sorted(known)}")
        options = dict(spec.pop("options", None) or {})
        for key, name in (("sep", "delimiter"), ("encoding", "encoding"), ("header", "header"),
                          ("date_format", "date_format")):
            if key in spec:
                options[name] = spec.pop(key)
        path = spec.get("path")
        if path is not None and base is not None:
            paths = [path] if isinstance(path, str) else list(path)
            paths = [p if Path(p).is_absolute() or "://" in p else str(Path(base) / p) for p in paths]
            spec["path"] = paths[0] if isinstance(path, str) else paths
        fmt = spec.pop("format", None)
        if fmt is None:
            first = spec.get("path")
            first = first if isinstance(first, str) or first is None else first[0]
            if first is None:
                fmt = "database" if spec.get("connection_env") else "table"
            elif first.lower().endswith((".parquet", ".pq")) or Path(first).is_dir():
                fmt = "parquet"
            elif first.lower().endswith((".csv", ".txt", ".csv.gz")):
                fmt = "csv"
            else:
                raise ValueError(f"Source: cannot tell the format of {first!r}; give format: parquet or csv")
        return cls(format=fmt, options=options, **spec)

    def connection_string(self) -> str:
        """The connection string from the environment (never shown in messages)."""
        value = os.environ.get(self.connection_env or "")
        if not value:
            raise ValueError(f"Source {self.table!r}: the environment variable {self.connection_env!r} is not set; "
                             "set it to the database's connection string before running")
        return value

    def paths(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path or ())

    def describe(self) -> str:
        """The source for messages: files or table, never a connection string."""
        if self.format in ("parquet", "csv"):
            paths = self.paths()
            return paths[0] if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more)"
        if self.format == "database":
            return f"table {self.table!r} of the database in ${self.connection_env}"
        return f"table {self.table!r}"


def mapped_columns(source: Source, present: list[str], role: str, wanted: Mapping[str, str | None]) -> dict:
    """Canonical name -> source column, checked against the columns present.

    Raises a ValueError naming the source, the missing columns and those present.
    """
    unknown = sorted(set(source.columns) - set(wanted)) if role == "transactions" else []
    if unknown:
        raise ValueError(f"{role} ({source.describe()}): columns maps unknown canonical name(s) {unknown}; "
                         f"known: {list(wanted)}")
    out = {}
    for canon in wanted:
        col = source.columns.get(canon, canon)
        if col in present:
            out[canon] = col
        elif canon in source.columns:
            raise ValueError(f"{role} ({source.describe()}): column {col!r} (mapped to {canon}) is not in the "
                             f"source; columns present: {present}")
    missing = [c for c in (REQUIRED if role == "transactions" else ("customer_id",)) if c not in out]
    if missing:
        raise ValueError(f"{role} ({source.describe()}): no column for {missing}; map them in columns= "
                         f"(canonical name: your column), columns present: {present}")
    return out


def check_repeated_header(engine: Engine, source: Source, table: str, *, lang: str = "en") -> None:
    """Refuse a column the engine would read whose header text the file has more than once.

    DuckDB renames a repeated ``amount`` to ``amount_1`` (CSV and Parquet alike), so the
    first would be read and the other ignored without a word; the pandas path refuses to
    choose (:func:`workbench.io.apply_mapping`), and so does this, with the same message.

    Parameters
    ----------
    engine : Engine
        Reads each file's header as written (:meth:`Engine.header_as_written`).
    source : Source
    table : {"transactions", "customers"}
        Its canonical columns, under their own name or the name ``source.columns``
        maps them to, are the ones checked.
    lang : {"en", "zh"}

    Returns
    -------
    None

    Raises
    ------
    ValueError
        Naming the file, the header text, both positions with their spreadsheet letters
        and the key.
    """
    from workbench import io

    spec = io.CANONICAL_COLUMNS[table]
    for name, header in engine.header_as_written(source):
        frame = pd.DataFrame(columns=io.header_names(header))
        for canonical in (*spec["required"], *spec["optional"]):
            user = source.columns.get(canonical, canonical)
            if len(positions := io.header_positions(frame, user)) > 1:
                how = "mapped" if canonical in source.columns else "canonical"
                raise ValueError(io.repeated_header_message(name, canonical, user, positions, how=how, lang=lang))


def _check_date_order(where: str, start_day, end_day, start, end, end_name="as_of"):
    if start_day is not None and end_day is not None and start_day > end_day:
        raise ValueError(f"{where}: start={start!r} is after {end_name}={end!r}; the window would be empty")


class Engine:
    """The aggregates of :mod:`workbench.engines.definitions` on one engine.

    Subclasses implement ``_register(view, source, wanted)`` (create the view, return
    the canonical columns it has), ``_arrow(sql, aggregate)`` (run a query in this
    engine's dialect and return a :class:`pyarrow.Table`) and ``close()``.

    Parameters
    ----------
    progress : callable, optional
        Called with a :class:`Progress` at each stage of a run and, while a query runs,
        every ``progress_interval`` seconds with the share done. Default:
        :func:`log_progress` (INFO lines on the ``workbench.engines`` logger).
    progress_interval : float
        Seconds between two progress events of a running query.
    """

    name = "engine"
    dialect = "duckdb"

    def __init__(self, *, progress: Callable[[Progress], None] | None = log_progress,
                 progress_interval: float = 2.0):
        self.progress = progress
        self.progress_interval = float(progress_interval)
        self.stats_: defs.TransactionStats | None = None
        self._customer_columns: tuple[str, ...] | None = None

    def header_as_written(self, source: Source) -> list[tuple[str, list[str]]]:
        """Each file's header as written: (file name, header texts); empty when not known.

        The backends that read files say it (:class:`~workbench.engines.DuckDBEngine`);
        this base has no files to look at.
        """
        return []

    # -- context manager -------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:  # pragma: no cover - overridden
        pass

    def _emit(self, stage, aggregate=None, rows=None, fraction=None, seconds=0.0):
        if self.progress is not None:
            self.progress(Progress(self.name, stage, aggregate, rows, fraction, seconds))

    # -- sources ---------------------------------------------------------------------
    def transactions(self, source: Source, *, validate: bool = True,
                     allow_empty: bool = False) -> defs.TransactionStats:
        """Read transactions into the view ``transactions`` and count them once.

        Parameters
        ----------
        source : Source
            The canonical columns ``customer_id``, ``date``, ``amount`` (mapped by
            ``source.columns``) and any of ``is_return``, ``order_id``, ``product_id``,
            ``gross_profit``, ``cost``, ``quantity``.
        validate : bool
            Refuse missing required values (as :mod:`workbench.features` does); the
            engine's cleaning step, which quarantines them instead, passes False.
        allow_empty : bool
            Accept a source without rows (``stats_.rows`` is 0) instead of refusing it:
            for ``workbench validate`` on a case whose cleaning keeps nothing.

        Returns
        -------
        TransactionStats
            Also kept as ``stats_``; the aggregates choose their plan from it.

        Raises
        ------
        ValueError
            A missing column, missing values in ``customer_id``, ``date`` or ``amount``,
            a ``date`` that is not a date type, or no rows.
        """
        start = time.perf_counter()
        columns = tuple(self._register("transactions", source, CANONICAL_COLUMNS))
        row = self._quick_stats(source)
        if row is None:  # one pass over the rows
            row = self._arrow(defs.to_dialect(defs.stats_sql(columns), self.dialect), "read").to_pylist()[0]
        n = int(row["n_rows"])
        if validate:
            for col in REQUIRED:
                bad = int(row[f"missing_{col}"])
                if bad:
                    raise ValueError(
                        f"transactions ({source.describe()}): column {source.columns.get(col, col)!r} "
                        f"(mapped to {col}) has {bad:,} missing value(s) out of {n:,} rows; clean them "
                        "first (the engine's cleaning quarantines them)")
        if n == 0 and not allow_empty:
            raise ValueError(f"transactions ({source.describe()}): the source has no rows")

        def day(value):
            return None if value is None else int((np.datetime64(value, "D") - np.datetime64(0, "D")).astype(int))

        self.stats_ = defs.TransactionStats(rows=n, first_day=day(row["first_day"]), last_day=day(row["last_day"]),
                                            has_returns=bool(row["has_returns"]), columns=columns)
        self._emit("read", "transactions", rows=n, seconds=time.perf_counter() - start)
        return self.stats_

    def _quick_stats(self, source: Source) -> dict | None:
        """The counts of :func:`~workbench.engines.definitions.stats_sql` without reading the
        rows (e.g. from Parquet statistics), or None; backends may override."""
        return None

    def customers(self, source: Source) -> tuple[str, ...]:
        """Read customer attributes into the view ``customers`` (``customer_id`` and any
        other columns, canonical names by ``source.columns``); returns its columns."""
        self._customer_columns = tuple(self._register("customers", source, None))
        return self._customer_columns

    def _stats(self, where: str) -> defs.TransactionStats:
        if self.stats_ is None:
            raise ValueError(f"{where}: no transactions yet; call engine.transactions(Source(...)) first")
        return self.stats_

    # -- running ---------------------------------------------------------------------
    def sql(self, aggregate: str, **params) -> str:
        """The query an aggregate runs on this engine, in its dialect (for reading or
        running elsewhere); ``params`` as the aggregate's method takes them."""
        defs._check_choice(aggregate, defs.AGGREGATES, "aggregate")
        return defs.to_dialect(getattr(self, f"_{aggregate}_sql")(**params), self.dialect)

    def _run(self, aggregate: str, sql: str) -> pd.DataFrame:
        start = time.perf_counter()
        self._emit("aggregate", aggregate, fraction=0.0)
        table = self._arrow(defs.to_dialect(sql, self.dialect), aggregate)
        frame = _to_pandas(table)
        self._emit("done", aggregate, rows=len(frame), seconds=time.perf_counter() - start)
        return frame

    # -- the aggregates --------------------------------------------------------------
    def _bgnbd_summary_sql(self, calibration_end, observation_end=None, *, start=None, time_unit="W"):
        where = "bgnbd_summary"
        stats = self._stats(where)
        defs._check_choice(time_unit, ("W", "D"), "time_unit")
        cal_day = defs.day_number(calibration_end, "calibration_end")
        obs_day = None if observation_end is None else defs.day_number(observation_end, "observation_end")
        if obs_day is not None and obs_day <= cal_day:
            raise ValueError(f"{where}: observation_end={observation_end!r} must be after "
                             f"calibration_end={calibration_end!r}")
        start_day = None if start is None else defs.day_number(start, "start")
        _check_date_order(where, start_day, cal_day, start, calibration_end, "calibration_end")
        return defs.bgnbd_summary_sql(stats, cal_day, obs_day, start_day, {"W": 7.0, "D": 1.0}[time_unit])

    def bgnbd_summary(self, calibration_end, observation_end=None, *, start=None, time_unit: str = "W"
                      ) -> pd.DataFrame:
        """The BG/NBD summary of :func:`workbench.features.bgnbd_summary`, in the engine.

        Same parameters, columns, rules and order (see there and
        :func:`workbench.engines.definitions.bgnbd_summary_sql`): ``frequency``,
        ``recency``, ``T``, ``monetary_value`` and with ``observation_end`` the holdout
        columns, one row per customer whose first purchase is in the calibration window.

        Raises
        ------
        ValueError
            As :func:`workbench.features.bgnbd_summary`, or before any transactions.
        """
        sql = self._bgnbd_summary_sql(calibration_end, observation_end, start=start, time_unit=time_unit)
        out = self._run("bgnbd_summary", sql)
        if out.empty:
            raise ValueError(f"bgnbd_summary: no purchases between start={start!r} and calibration_end="
                             f"{calibration_end!r} ({self.stats_.rows:,} rows in total); choose a "
                             "calibration window inside the data")
        return out

    def _customer_features_sql(self, as_of, *, start=None, frequency="orders", period="M"):
        where = "customer_features"
        stats = self._stats(where)
        as_of_day = defs.day_number(as_of, "as_of")
        start_day = None if start is None else defs.day_number(start, "start")
        _check_date_order(where, start_day, as_of_day, start, as_of)
        return defs.customer_features_sql(stats, as_of_day, start_day, frequency, period)

    def customer_features(self, as_of, *, start=None, frequency: str = "orders", period: str = "M") -> pd.DataFrame:
        """The 13 customer features of :func:`workbench.features.customer_features`, in the engine.

        Same parameters, columns (``FEATURE_COLUMNS``), dtypes and order.

        Raises
        ------
        ValueError
            As :func:`workbench.features.customer_features`.
        """
        sql = self._customer_features_sql(as_of, start=start, frequency=frequency, period=period)
        out = self._run("customer_features", sql)
        if out.empty:
            s = self.stats_
            raise ValueError(f"customer_features: no transactions between start={start!r} and as_of={as_of!r} "
                             f"(the data run from {defs.iso(s.first_day)} to {defs.iso(s.last_day)}); "
                             "choose an analysis date inside the data")
        for col in ("first_purchase", "last_purchase"):
            out[col] = out[col].astype("datetime64[ns]")
        return out

    def _per_period_sql(self, name: str, as_of=None, *, period="M", start=None) -> str:
        """The SQL of the per-period aggregate ``name`` (``period_spend``, ``churn_counts``,
        ``cohort_counts``: ``<name>_sql`` of :mod:`.definitions`) from ``start`` to ``as_of``."""
        stats = self._stats(name)
        end_day = None if as_of is None else defs.day_number(as_of, "as_of")
        start_day = None if start is None else defs.day_number(start, "start")
        _check_date_order(name, start_day, end_day, start, as_of)
        return getattr(defs, f"{name}_sql")(stats, start_day, end_day, period)

    def _period_spend_sql(self, as_of=None, *, period="M", start=None):
        return self._per_period_sql("period_spend", as_of, period=period, start=start)

    def _churn_counts_sql(self, as_of=None, *, period="M", start=None):
        return self._per_period_sql("churn_counts", as_of, period=period, start=start)

    def _cohort_counts_sql(self, as_of=None, *, period="M", start=None):
        return self._per_period_sql("cohort_counts", as_of, period=period, start=start)

    def period_spend(self, as_of=None, *, period: str = "M", start=None, codes: bool = False):
        """Net spend, purchase rows and return rows per customer and calendar period.

        Parameters
        ----------
        as_of, start : date-like, optional
            The window (both days included); default all rows.
        period : {"M", "Q", "Y", "W"}
            Calendar months, quarters, years or ISO weeks.
        codes : bool, default False
            Hand back integer customer codes with their id lookup (a :class:`PeriodSpend`)
            instead of one string id per row: what the lifecycle stages read for an
            engine case, where the cells are several per customer (38M for 10M
            customers) and their labels and repeated ids are most of the memory.

        Returns
        -------
        pandas.DataFrame or PeriodSpend
            One row per (customer, period) with a row in it, sorted by both:
            ``customer_id``, ``period`` (label as pandas writes a Period: ``2024-01``,
            ``2024Q1``, ``2024``, ``2024-01-01/2024-01-07``), ``period_number``
            (:func:`workbench.engines.definitions.period_number`), ``spend`` (currency,
            returns netted), ``purchases`` and ``returns`` (rows). This is what
            lifecycle stages (spend per period from the first purchase period), cohorts
            (first period with ``purchases > 0``, revenue per period) and churn rates
            (periods with ``purchases > 0``) read from transactions. With ``codes=True``
            the same rows without the labels, ``customer`` (int32, the position of the
            id in ``customer_ids``) in place of ``customer_id``.

        Examples
        --------
        >>> import duckdb
        >>> from workbench.engines import DuckDBEngine, Source
        >>> with DuckDBEngine(progress=None) as e:
        ...     _ = e.con.execute("CREATE TABLE tx AS SELECT * FROM (VALUES ('b', DATE '2024-01-05', 1.0), "
        ...                       "('a', DATE '2024-02-05', 2.0), ('b', DATE '2024-02-01', -3.0)) "
        ...                       "t(customer_id, date, amount)")
        ...     _ = e.transactions(Source("table", table="tx"))
        ...     cells = e.period_spend(period="M")
        ...     coded = e.period_spend(period="M", codes=True)
        >>> cells[["customer_id", "period", "spend"]].to_dict("list")
        {'customer_id': ['a', 'b', 'b'], 'period': ['2024-02', '2024-01', '2024-02'], 'spend': [2.0, 1.0, -3.0]}
        >>> coded.cells["customer"].tolist(), coded.customer_ids.tolist()
        ([0, 1, 1], ['a', 'b'])
        """
        sql = self._period_spend_sql(as_of, period=period, start=start)
        if codes:
            return self._period_spend_codes(sql)
        out = self._run("period_spend", sql)
        labels = period_labels(out["period_number"].to_numpy(), period)
        out.insert(1, "period", labels)
        return out

    def _period_spend_codes(self, sql: str) -> PeriodSpend:
        """The cells of ``sql`` (sorted by customer id) with codes from neighbouring ids,
        counted in Arrow: the ids never become one pandas string per cell."""
        import pyarrow as pa
        import pyarrow.compute as pc

        started = time.perf_counter()
        self._emit("aggregate", "period_spend", fraction=0.0)
        table = self._arrow(defs.to_dialect(sql, self.dialect), "period_spend")
        ids = table.column("customer_id")
        n = len(ids)
        change = np.ones(n, dtype=bool)
        if n > 1:
            change[1:] = pc.not_equal(ids.slice(1), ids.slice(0, n - 1)).to_numpy(zero_copy_only=False)
        lookup = pc.filter(ids, pa.array(change)).to_pandas()
        code = np.cumsum(change, dtype=np.int64) - 1
        del ids, change
        cells = _to_pandas(table.drop_columns(["customer_id"]))
        del table
        cells.insert(0, "customer", code.astype(np.int32 if len(lookup) < 2**31 else np.int64))
        self._emit("done", "period_spend", rows=n, seconds=time.perf_counter() - started)
        return PeriodSpend(cells=cells, customer_ids=lookup.astype("str").rename("customer_id"))

    def churn_counts(self, as_of=None, *, period: str = "M", start=None) -> pd.DataFrame:
        """Active, new and retained customers per calendar period, counted in the engine.

        Parameters
        ----------
        as_of, start : date-like, optional
            The window (both days included); default all rows.
        period : {"M", "Q", "Y", "W"}

        Returns
        -------
        pandas.DataFrame
            ``period_number``, ``active`` (customers with a purchase in the period),
            ``new`` (their first), ``retained`` (also a purchase in the previous
            period); one row per period with a purchase, in order
            (:func:`workbench.engines.definitions.churn_counts_sql`). What
            :func:`workbench.lifecycle.churn_rates` reads for an engine case.

        Examples
        --------
        >>> from workbench.engines import DuckDBEngine, Source
        >>> with DuckDBEngine(progress=None) as e:
        ...     _ = e.con.execute("CREATE TABLE tx AS SELECT * FROM (VALUES ('a', DATE '2024-01-05', 1.0), "
        ...                       "('a', DATE '2024-02-05', 2.0), ('b', DATE '2024-02-01', 3.0)) "
        ...                       "t(customer_id, date, amount)")
        ...     _ = e.transactions(Source("table", table="tx"))
        ...     e.churn_counts(period="M")[["active", "new", "retained"]].to_dict("list")
        {'active': [1, 2], 'new': [1, 1], 'retained': [0, 1]}
        """
        return self._run("churn_counts", self._churn_counts_sql(as_of, period=period, start=start))

    def cohort_counts(self, as_of=None, *, period: str = "M", start=None) -> pd.DataFrame:
        """Customers and net revenue per acquisition cohort and periods since, in the engine.

        Parameters
        ----------
        as_of, start : date-like, optional
            The window (both days included); default all rows.
        period : {"M", "Q", "Y", "W"}

        Returns
        -------
        pandas.DataFrame
            ``cohort`` (period number of the first purchase), ``periods_since``,
            ``customers`` (with a purchase in the period) and ``revenue`` (their net
            spend in it, currency); one row per observed cell of the triangle
            (:func:`workbench.engines.definitions.cohort_counts_sql`). What
            :func:`workbench.lifecycle.cohort_table` reads for an engine case.

        Examples
        --------
        >>> from workbench.engines import DuckDBEngine, Source
        >>> with DuckDBEngine(progress=None) as e:
        ...     _ = e.con.execute("CREATE TABLE tx AS SELECT * FROM (VALUES ('a', DATE '2024-01-05', 1.0), "
        ...                       "('a', DATE '2024-02-05', 2.0), ('b', DATE '2024-02-01', 3.0)) "
        ...                       "t(customer_id, date, amount)")
        ...     _ = e.transactions(Source("table", table="tx"))
        ...     e.cohort_counts(period="M")[["periods_since", "customers", "revenue"]].to_dict("list")
        {'periods_since': [0, 1, 0], 'customers': [1, 1, 1], 'revenue': [1.0, 2.0, 3.0]}
        """
        return self._run("cohort_counts", self._cohort_counts_sql(as_of, period=period, start=start))

    def _abc_totals_sql(self, *, by="customer_id", start=None, end=None):
        stats = self._stats("abc_totals")
        start_day = None if start is None else defs.day_number(start, "start")
        end_day = None if end is None else defs.day_number(end, "end")
        _check_date_order("abc_totals", start_day, end_day, start, end, "end")
        return defs.abc_totals_sql(stats, by, start_day, end_day)

    def abc_totals(self, *, by: str = "customer_id", start=None, end=None) -> pd.DataFrame:
        """Net sales and gross profit per customer or product: the inputs of ABC analysis.

        Parameters
        ----------
        by : {"customer_id", "product_id"}
        start, end : date-like, optional
            The window (both days included); default all rows.

        Returns
        -------
        pandas.DataFrame
            ``by``, ``sales``, ``gross_profit`` (NaN where unknown), ``rows``; as the
            ``sales`` and ``gross_profit`` columns of :func:`workbench.value.customer_ratios`
            (``product_ratios``), sorted by key, rows without a key in ``"(missing)"``.
            Pass it to :func:`workbench.value.abc_classes` with ``value="sales"``.
        """
        return self._run("abc_totals", self._abc_totals_sql(by=by, start=start, end=end))

    def _account_totals_sql(self, *, by="industry", start=None, end=None):
        stats = self._stats("account_totals")
        if self._customer_columns is None:
            raise ValueError("account_totals: no customers yet; call engine.customers(Source(...)) first")
        if by not in self._customer_columns or by == "customer_id":
            raise ValueError(f"account_totals: the customers have no column {by!r}; columns: "
                             f"{[c for c in self._customer_columns if c != 'customer_id']}")
        start_day = None if start is None else defs.day_number(start, "start")
        end_day = None if end is None else defs.day_number(end, "end")
        _check_date_order("account_totals", start_day, end_day, start, end, "end")
        return defs.account_totals_sql(stats, f'"{by}"', start_day, end_day)

    def account_totals(self, *, by: str = "industry", start=None, end=None) -> pd.DataFrame:
        """Customers and net sales per customer class: the subtotals of the account table.

        Parameters
        ----------
        by : str
            A column of the ``customers`` source (industry, customer type, region, ...).
        start, end : date-like, optional
            The window of the transactions (both days included).

        Returns
        -------
        pandas.DataFrame
            ``by``, ``customers``, ``sales`` (currency, net) and ``share_of_total``
            (0-1): the subtotal rows of :func:`workbench.value.account_analysis`, in its
            order (descending sales, ties by class).

        Raises
        ------
        ValueError
            When buying customers have no class (as ``account_analysis``), or without
            customers.
        """
        out = self._run("account_totals", self._account_totals_sql(by=by, start=start, end=end))
        missing = out["cls"].isna()
        if missing.any():
            n = int(out.loc[missing, "customers"].sum())
            raise ValueError(f"account_totals: {n:,} customer(s) with transactions have no {by!r} in the "
                             "customers source; fill it (e.g. 'unknown') first")
        out = out.rename(columns={"cls": by})
        total = out["sales"].sum()
        out["share_of_total"] = out["sales"] / total if total != 0 else np.nan
        return out


@dataclass(frozen=True)
class PeriodSpend:
    """Spend per customer and period with integer customer codes; see :meth:`Engine.period_spend`.

    Attributes
    ----------
    cells : pandas.DataFrame
        ``customer`` (int32 code), ``period_number``, ``spend``, ``purchases``,
        ``returns``; one row per (customer, period) with a row, sorted by both.
    customer_ids : pandas.Series
        The ids (str, sorted): ``customer_ids.iloc[code]`` is a cell's customer.

    Examples
    --------
    >>> cells = pd.DataFrame({"customer": [0, 1, 1], "period_number": [649, 648, 649]})
    >>> ps = PeriodSpend(cells=cells, customer_ids=pd.Series(["a", "b"], dtype="str"))
    >>> ps.customer_ids.iloc[ps.cells["customer"]].tolist()
    ['a', 'b', 'b']
    """

    cells: pd.DataFrame
    customer_ids: pd.Series


def period_labels(numbers: np.ndarray, period: str) -> pd.Series:
    """pandas Period labels of period numbers (computed once per distinct period)."""
    uniq, inverse = np.unique(np.asarray(numbers, dtype=np.int64), return_inverse=True)
    if period == "W":  # week w starts on the Monday 7w - 3 days after 1970-01-01
        index = pd.PeriodIndex(pd.DatetimeIndex((uniq * 7 - 3).astype("datetime64[D]")), freq="W")
    else:
        months = {"M": uniq, "Q": uniq * 3, "Y": uniq * 12}[period]
        index = pd.PeriodIndex(pd.DatetimeIndex(months.astype("datetime64[M]")), freq=period)
    return pd.Series(np.asarray(index.astype(str), dtype=object)[inverse], dtype="str")


def _to_pandas(table) -> pd.DataFrame:
    """Arrow -> pandas with the workbench's dtypes: str ids, float64, int64, datetime64[ns].

    One ``Table.to_pandas`` (as a hand-written query's result would be converted), then
    only the columns whose dtype differs are cast: a column-by-column conversion cost
    40 MB more at a million customers.
    """
    import pyarrow as pa

    for name, col in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_integer(col.type) and col.null_count:
            raise ValueError(f"engine result column {name!r} has missing counts")
    frame = table.to_pandas(date_as_object=False)
    for name, col in zip(table.column_names, table.columns, strict=True):
        t = col.type
        if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            if frame[name].dtype != "str":
                frame[name] = frame[name].astype("str")
        elif pa.types.is_date(t) or pa.types.is_timestamp(t):
            frame[name] = frame[name].astype("datetime64[ns]")
        elif pa.types.is_floating(t) or pa.types.is_decimal(t):
            frame[name] = frame[name].astype(np.float64)  # lazy: no copy when already float64
        elif pa.types.is_integer(t):
            frame[name] = frame[name].astype(np.int64)
    return frame
