"""DuckDB: the embedded engine for inputs larger than memory.

DuckDB reads Parquet and CSV files itself (column by column, in parallel, never through
pandas), aggregates with hash tables that spill to ``temp_directory`` when they outgrow
``memory_limit``, and returns the customer-level result as Arrow. 100 million rows of
transactions aggregate here with a 6 GB limit (benchmarks/README.md).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import time
from pathlib import Path

from workbench.engines.base import (
    Engine,
    EngineMemoryError,
    Source,
    check_repeated_header,
    log_progress,
    mapped_columns,
)

__all__ = ["DuckDBEngine"]

_DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE")


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _table_ident(name: str) -> str:
    return ".".join(_ident(part) for part in str(name).split("."))


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


class DuckDBEngine(Engine):
    """The aggregates on DuckDB, reading Parquet, CSV or database tables itself.

    Parameters
    ----------
    memory_limit : str, optional
        DuckDB's ``memory_limit``, e.g. ``"6GB"``; default DuckDB's (80 % of the RAM).
        Past it, aggregations spill to ``temp_directory``.
    temp_directory : str or path, optional
        Where DuckDB spills. Default: a fresh folder under the system's temporary
        directory, removed by :meth:`close`. ``""`` disables spilling.
    threads : int, optional
        Worker threads; default DuckDB's (the number of cores).
    database : str or path, optional
        A DuckDB database file whose tables ``Source("table", table=...)`` reads
        (opened read-only); default an in-memory database.
    progress, progress_interval
        See :class:`~workbench.engines.base.Engine`.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tx.parquet"
    >>> pd.DataFrame({"cid": ["a", "a", "b"], "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-02-01"]),
    ...               "amount": [100.0, 50.0, 30.0]}).to_parquet(path)
    >>> with DuckDBEngine(progress=None) as engine:
    ...     stats = engine.transactions(Source("parquet", path=str(path), columns={"customer_id": "cid"}))
    ...     features = engine.customer_features("2024-02-29")
    >>> features[["customer_id", "recency_days", "frequency"]]
      customer_id  recency_days  frequency
    0           a          19.0          2
    1           b          28.0          1
    """

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, *, memory_limit: str | None = None, temp_directory: str | Path | None = None,
                 threads: int | None = None, database: str | Path | None = None,
                 progress=log_progress, progress_interval: float = 2.0):
        super().__init__(progress=progress, progress_interval=progress_interval)
        import duckdb

        self._own_temp = temp_directory is None
        self.temp_directory = tempfile.mkdtemp(prefix="workbench-duckdb-") if self._own_temp else str(temp_directory)
        config = {"preserve_insertion_order": False}  # every query ends in ORDER BY
        if database is not None:
            config["access_mode"] = "READ_ONLY"
        self.con = duckdb.connect(str(database) if database is not None else ":memory:", config=config)
        self._attached = 0
        try:
            for key, value in (("memory_limit", memory_limit), ("threads", threads)):
                if value is not None:
                    self.con.execute(f"SET {key} = {_literal(value) if key == 'memory_limit' else int(value)}")
            self.con.execute(f"SET temp_directory = {_literal(self.temp_directory)}")
            self.con.execute("SET TimeZone = 'UTC'")  # days of time-zone-aware timestamps, in UTC
        except duckdb.Error as exc:
            self.close()
            raise ValueError(f"DuckDBEngine: {exc}") from None
        try:
            self.con.execute("SET enable_progress_bar_print = false")
            self.con.execute("SET enable_progress_bar = true")  # tracked for query_progress()
        except duckdb.Error:  # in a Jupyter kernel DuckDB wants ipywidgets for it: progress without a share
            pass

    def setting(self, name: str) -> str:
        """A DuckDB setting as DuckDB reports it (``memory_limit``, ``temp_directory``, ...)."""
        return str(self.con.execute(f"SELECT current_setting({_literal(name)})").fetchone()[0])

    def close(self) -> None:
        con = getattr(self, "con", None)
        if con is not None:
            con.close()
            self.con = None
        if getattr(self, "_own_temp", False):
            shutil.rmtree(self.temp_directory, ignore_errors=True)

    # -- reading -----------------------------------------------------------------------
    def read_arrow(self, source: Source):
        """Every row and column of ``source`` as the engine reads it, as a :class:`pyarrow.Table`
        (for tables of one row per customer, such as the customers source)."""
        return self.con.sql(f"SELECT * FROM {self._relation(source)}").to_arrow_table()

    def _relation(self, source: Source) -> str:
        import duckdb

        if source.format == "parquet":
            paths = [str(Path(p) / "**" / "*.parquet") if Path(p).is_dir() else p for p in source.paths()]
            return f"read_parquet([{', '.join(_literal(p) for p in paths)}], union_by_name = true)"
        if source.format == "csv":
            opts = {"header": source.options.get("header", True)}
            if "delimiter" in source.options:
                opts["delim"] = source.options["delimiter"]
            if "encoding" in source.options:
                opts["encoding"] = source.options["encoding"]
            if "date_format" in source.options:
                opts["dateformat"] = source.options["date_format"]
                opts["timestampformat"] = source.options["date_format"]
            text = ", ".join(f"{k} = {_literal(v) if isinstance(v, str) else str(bool(v)).lower()}"
                             for k, v in opts.items())
            return f"read_csv([{', '.join(_literal(p) for p in source.paths())}], {text})"
        if source.format == "table":
            return _table_ident(source.table)
        # an external database: attached read-only under a name of our own
        url = source.connection_string()
        alias = f"src{self._attached}"
        self._attached += 1
        kind = next((t for prefix, t in (("postgres://", "postgres"), ("postgresql://", "postgres"),
                                         ("mysql://", "mysql"), ("sqlite:", "sqlite")) if url.startswith(prefix)),
                    None)
        target = url.removeprefix("sqlite:///").removeprefix("sqlite:").removeprefix("duckdb:///")
        options = f"(TYPE {kind}, READ_ONLY)" if kind else "(READ_ONLY)"
        try:
            self.con.execute(f"ATTACH {_literal(target)} AS {alias} {options}")
        except duckdb.Error as exc:  # the message may quote the connection string: never show it
            message = str(exc).replace(url, f"${source.connection_env}").replace(target, f"${source.connection_env}")
            raise ValueError(f"{source.describe()}: DuckDB could not attach the database: {message}") from None
        return f"{alias}.{_table_ident(source.table)}"

    def header_as_written(self, source: Source) -> list[tuple[str, list[str]]]:
        """Each file's header as written, before DuckDB makes repeated names unique.

        Parameters
        ----------
        source : Source
            Parquet files (a file, a glob, a folder) or CSV files with a header; tables,
            databases and object storage give nothing.

        Returns
        -------
        list of (str, list of str)
            The file's name and its column names in file order: a Parquet file's schema
            (its footer only), a CSV file's first line as DuckDB splits it.
        """
        import glob

        if source.format not in ("parquet", "csv") or (source.format == "csv"
                                                       and not source.options.get("header", True)):
            return []
        files: list[Path] = []
        for pattern in source.paths():
            if "://" in str(pattern):
                continue
            if Path(pattern).is_dir():
                files += sorted(p for p in Path(pattern).rglob("*.parquet"))
            elif any(c in str(pattern) for c in "*?["):
                files += sorted(Path(p) for p in glob.glob(str(pattern), recursive=True))
            else:
                files.append(Path(pattern))
        out = []
        for path in files:
            if source.format == "parquet":
                out.append((path.name, self._parquet_columns(path)))
                continue
            opts = {"header": "false", "all_varchar": "true"}
            for key, option in (("delimiter", "delim"), ("encoding", "encoding")):
                if key in source.options:
                    opts[option] = _literal(source.options[key])
            text = ", ".join(f"{k} = {v}" for k, v in opts.items())
            rows = self.con.execute(f"SELECT * FROM read_csv({_literal(str(path))}, {text}) LIMIT 1").fetchall()
            out.append((path.name, ["" if v is None else str(v) for v in (rows[0] if rows else ())]))
        return out

    def _parquet_columns(self, path: Path) -> list[str]:
        """A Parquet file's top-level column names as written (repeats kept), from its footer.

        DuckDB's ``parquet_schema`` lists the schema's elements depth first (the root, then
        each column followed by its nested fields, ``num_children`` of them); the columns
        are the root's children. Read here rather than through pyarrow.parquet, whose import
        and reader cost 11 MB of a million-row run's peak memory.
        """
        rows = self.con.execute("SELECT name, num_children FROM parquet_schema(?)", [str(path)]).fetchall()

        def after(i: int) -> int:  # the index past element i and its nested fields
            end = i + 1
            for _ in range(rows[i][1] or 0):
                end = after(end)
            return end

        names, i = [], 1
        while i < len(rows):
            names.append(rows[i][0])
            i = after(i)
        return names

    def _register(self, view: str, source: Source, wanted) -> list[str]:
        import duckdb

        relation = self._relation(source)
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        except duckdb.Error as exc:
            raise ValueError(f"{view} ({source.describe()}): DuckDB cannot read it: {exc}") from None
        # DuckDB names a repeated header text x_1: refuse to guess, as the pandas path does
        check_repeated_header(self, source, "customers" if wanted is None else "transactions")
        types = {row[0]: str(row[1]) for row in described}
        present = list(types)
        if wanted is None:  # customers: every column, the mapped ones renamed
            rename = {src: canon for canon, src in source.columns.items()}
            mapped_columns(source, present, view, {"customer_id": None})
            select = [f"CAST({_ident(c)} AS VARCHAR) AS customer_id" if rename.get(c, c) == "customer_id"
                      else f"{_ident(c)} AS {_ident(rename.get(c, c))}" for c in present]
            names = [rename.get(c, c) for c in present]
        else:
            mapping = mapped_columns(source, present, view, wanted)
            self._mapping = (source, mapping, types)
            select, names = [], []
            for canon, src in mapping.items():
                sql_type = wanted[canon]
                if canon == "date":
                    if types[src].upper() not in _DATE_TYPES:
                        raise ValueError(
                            f"{view} ({source.describe()}): column {src!r} (mapped to date) has type {types[src]}, "
                            "expected a DATE or TIMESTAMP; for CSV give options date_format (e.g. '%Y%m%d')")
                    select.append(f"{_ident(src)} AS date")
                else:
                    select.append(f"CAST({_ident(src)} AS {sql_type}) AS {canon}")
                names.append(canon)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {', '.join(select)} FROM {relation}")
        return names

    def _quick_stats(self, source: Source) -> dict | None:
        """Rows, nulls, the date range and returns from the Parquet footers' statistics.

        Reading the footers takes milliseconds where a pass over 100M rows takes seconds.
        Used only when every row group carries the statistics needed and the columns are
        stored with their canonical types; otherwise (and for CSV and tables) None, and the
        rows are counted. Parquet statistics count nulls, not NaN: a NaN amount reaches
        the aggregates as NaN (visible in the result, never dropped).
        """
        kept, mapping, types = getattr(self, "_mapping", (None, None, None))
        if source.format != "parquet" or kept is not source:
            return None
        numeric = ("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT", "DECIMAL")
        if types[mapping["customer_id"]] != "VARCHAR" or not types[mapping["amount"]].startswith(numeric):
            return None
        cols = {canon: _literal(src) for canon, src in mapping.items()
                if canon in ("customer_id", "date", "amount", "is_return")}
        paths = [str(Path(p) / "**" / "*.parquet") if Path(p).is_dir() else p for p in source.paths()]
        flag = cols.get("is_return")
        cid, date, amount = cols["customer_id"], cols["date"], cols["amount"]

        def on(col, expr):
            return f"{expr} FILTER (WHERE path_in_schema = {col})"

        unparsed = [f"(path_in_schema = {date} AND TRY_CAST(stats_min AS TIMESTAMP) IS NULL)",
                    f"(path_in_schema = {amount} AND TRY_CAST(stats_min AS DOUBLE) IS NULL)"]
        if flag:
            unparsed.append(f"(path_in_schema = {flag} AND TRY_CAST(stats_max AS BOOLEAN) IS NULL)")
        sql = f"""
            SELECT {on(cid, "SUM(row_group_num_rows)")} AS n_rows,
                   {on(cid, "SUM(stats_null_count)")} AS missing_customer_id,
                   {on(date, "SUM(stats_null_count)")} AS missing_date,
                   {on(amount, "SUM(stats_null_count)")} AS missing_amount,
                   CAST({on(date, "MIN(TRY_CAST(stats_min AS TIMESTAMP))")} AS DATE) AS first_day,
                   CAST({on(date, "MAX(TRY_CAST(stats_max AS TIMESTAMP))")} AS DATE) AS last_day,
                   {on(amount, "MIN(TRY_CAST(stats_min AS DOUBLE))")} AS min_amount,
                   {on(flag, "MAX(TRY_CAST(stats_max AS BOOLEAN))") if flag else "false"} AS any_flag,
                   COUNT(*) FILTER (WHERE path_in_schema IN ({", ".join(cols.values())})
                                    AND stats_null_count IS NULL) AS no_counts,
                   COUNT(*) FILTER (WHERE {" OR ".join(unparsed)}) AS no_range
            FROM parquet_metadata([{", ".join(_literal(p) for p in paths)}])"""
        try:
            row = self.con.execute(sql).fetchall()
            names = [d[0] for d in self.con.description]
        except Exception:  # noqa: BLE001 - any doubt: count the rows instead
            return None
        row = dict(zip(names, row[0], strict=True))
        if row["n_rows"] is None or row["no_counts"] or row["no_range"] or row["min_amount"] is None:
            return None
        if row["first_day"] is None or row["last_day"] is None:
            return None
        has_returns = bool(row["min_amount"] < 0 or row["any_flag"])
        return {**row, "has_returns": has_returns}

    # -- running -----------------------------------------------------------------------
    def _arrow(self, sql: str, aggregate: str):
        import duckdb

        stop = threading.Event()
        started = time.perf_counter()

        def poll():  # DuckDB reports the share done of the running query on its connection
            while not stop.wait(self.progress_interval):
                try:
                    share = self.con.query_progress()
                except duckdb.Error:
                    return
                fraction = min(share / 100.0, 1.0) if share is not None and share >= 0 else None
                self._emit("aggregate", aggregate, fraction=fraction, seconds=time.perf_counter() - started)

        watcher = None
        if self.progress is not None and aggregate != "read":
            watcher = threading.Thread(target=poll, daemon=True)
            watcher.start()
        try:
            with self.memory_guard(aggregate):
                return self.con.sql(sql).to_arrow_table()
        finally:
            stop.set()
            if watcher is not None:
                watcher.join()

    @contextlib.contextmanager
    def memory_guard(self, stage: str):
        """Turn DuckDB's out-of-memory error inside the block into an :class:`EngineMemoryError`
        that names the case file's settings (``engine.memory_limit``, ``engine.temp_directory``,
        ``engine.threads``) with their values in this run.

        Parameters
        ----------
        stage : str
            What was running (``"cleaning"``, ``"customer_features"``, ...), for the message.
        """
        import duckdb

        try:
            yield
        except duckdb.OutOfMemoryException as exc:
            spill = self.setting("temp_directory") or "none (spilling disabled)"
            raise EngineMemoryError(
                f"DuckDB ran out of memory in {stage} with memory_limit={self.setting('memory_limit')}, "
                f"temp_directory={spill} and threads={self.setting('threads')}. In the case file, raise "
                "engine.memory_limit (e.g. engine: {name: duckdb, memory_limit: 12GB}), point "
                "engine.temp_directory at a folder on a disk with free space so that DuckDB can spill "
                "there, or lower engine.threads (each thread holds its own buffers). "
                f"DuckDB said: {str(exc).splitlines()[0]}") from None
