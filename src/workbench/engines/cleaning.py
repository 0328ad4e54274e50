"""Cleaning in the engine: the rules and reason codes of :func:`workbench.cleaning.clean_transactions`
for typed sources, as SQL, with the quarantine written as Parquet.

One sequence of statements runs on DuckDB (temporary tables) and on Spark (temporary
views of stored frames); a small runner per engine says how a table is made and spells
the few functions the two name differently (bytes of a text, an infinite value, quartiles,
a day as text, an anti join). Both are tested against the pandas path on a fixture with
every reason (tests/test_engine_cases.py, tests/test_engines_spark.py).

A typed source (Parquet, a database table, a CSV whose columns DuckDB types) has ids as
text or integers, dates as DATE/TIMESTAMP and amounts as numbers, so parsing is the
engine's reader's; what is left are the row rules, checked in the pandas order (a row
gets the first reason that applies; :data:`workbench.cleaning.TRANSACTION_REASONS`):

=========================  =========================================================
``blank_row``              every column read is blank
``customer_id_missing``    a blank id: NULL, only blanks, or a missing marker (``NULL``,
                           ``无``, ...: :data:`workbench.io.MISSING_VALUES`, the case's
                           ``missing_values``), compared trimmed and lower-cased
``date_missing``           NULL date
``date_unparseable``       a text date (a CSV whose dates DuckDB could not all read with
                           the source's ``date_format``) that the format does not read
``amount_missing``         NULL or NaN amount
``amount_not_finite``      an infinite amount
``<col>_not_finite``       quantity, cost, gross_profit infinite (blank stays missing)
``date_in_future``         a date after ``today``
``date_out_of_window``     before ``start`` or after ``end`` (the whole day included)
``duplicate_row``          a copy of an earlier row (all columns, blanks equal), first kept
``order_id_conflict``      rows of one order with another customer or day, or of one
                           order line (order id and product) with any other value
=========================  =========================================================

Text ids (customer, order, product) are NFKC-normalised and trimmed as in pandas, so a
full-width ``Ｋ1`` is ``K1`` on both paths. Returns (negative amounts) are kept and
flagged ``is_return``, as in pandas. Rows in =
kept + quarantined, counted in the engine. Row order ("an earlier row", ``source_row``)
is the order in the files: Parquet files by name, then row number in the file; tables
and CSV files in the order the engine reads them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench import io
from workbench.cleaning import CONFLICT_RULES
from workbench.engines.base import CANONICAL_COLUMNS, Engine, Source, check_repeated_header, mapped_columns

__all__ = ["NFKC", "EngineCleaning", "clean_transactions"]

_NUMERIC_OPTIONAL = ("quantity", "cost", "gross_profit")
_TEXT = ("customer_id", "order_id", "product_id")
_READ = ("customer_id", "date", "amount", "order_id", "product_id", *_NUMERIC_OPTIONAL)


@dataclass(frozen=True)
class EngineCleaning:
    """What cleaning in the engine did.

    Attributes
    ----------
    rows_in, kept, quarantined : int
        Counted in the engine; ``rows_in == kept + quarantined``.
    log : pandas.DataFrame
        ``reason``, ``rows``, ``share`` (``kept`` first), as
        :attr:`workbench.cleaning.CleaningResult.log`.
    quarantine_path : pathlib.Path or None
        The Parquet file of quarantined rows: ``source_row`` (0-based), ``row``
        (``source_row + first_row``), the columns read, ``reason``, ``detail``.
    table : str
        The engine table holding the kept rows (``clean_transactions``).
    row_order_ids : bool
        Whether every kept row has an order id of its own: the source has no order id
        column, so each row's order id is its row number (as the pandas path numbers
        them). Then distinct orders are rows, and counting them needs no ``DISTINCT``.
    """

    rows_in: int
    kept: int
    quarantined: int
    log: pd.DataFrame
    quarantine_path: Path | None
    table: str = "clean_transactions"
    row_order_ids: bool = False


#: The SQL function :func:`clean_transactions` registers: NFKC normalisation of text, as
#: :func:`workbench.cleaning.clean_transactions` applies to ids (DuckDB has only NFC).
NFKC = "workbench_nfkc"


def _register_nfkc(con) -> None:
    """Register :data:`NFKC` on a DuckDB connection (an Arrow function, once per connection)."""
    import duckdb
    import pyarrow.compute as pc

    try:
        con.create_function(NFKC, lambda values: pc.utf8_normalize(values, "NFKC"), ["VARCHAR"], "VARCHAR",
                            type="arrow")
    except duckdb.Error as exc:  # registered already on this connection
        if "already" not in str(exc).lower():
            raise


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _day(value) -> str:
    return f"TIMESTAMP {_lit(pd.Timestamp(value).strftime('%Y-%m-%d %H:%M:%S'))}"


class _DuckDB:
    """How the cleaning's statements run on DuckDB: temporary tables on the connection."""

    text = "VARCHAR"

    def __init__(self, engine):
        self.engine, self.con = engine, engine.con
        _register_nfkc(self.con)

    q, lit = staticmethod(_q), staticmethod(_lit)

    def create(self, name: str, sql: str) -> None:
        with self.engine.memory_guard("cleaning"):
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def rows(self, sql: str) -> list[tuple]:
        with self.engine.memory_guard("cleaning"):
            return self.con.execute(sql).fetchall()

    def drop(self, *names: str) -> None:
        for name in names:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def finish(self) -> None:
        pass

    def describe(self, relation: str) -> dict[str, str]:
        described = self.con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        return {row[0]: str(row[1]).upper() for row in described}

    def normalised(self, cast: str, index: int) -> str:
        """NFKC of a text: the Arrow function on the values that are not plain ASCII (whose
        bytes outnumber their characters; ASCII is its own NFKC form)."""
        return f"CASE WHEN strlen({cast}) = length({cast}) THEN {cast} ELSE {NFKC}({cast}) END"

    def joins(self) -> str:
        return ""

    @staticmethod
    def infinity_text(x: str) -> str:  # an infinite value as pandas writes it
        return f"CAST({x} AS VARCHAR)"

    @staticmethod
    def infinite(x: str) -> str:
        return f"isinf({x})"

    @staticmethod
    def quartiles(x: str) -> str:
        return f"quantile_cont({x}, 0.25), quantile_cont({x}, 0.75)"

    @staticmethod
    def day_text(x: str) -> str:
        return f"strftime({x}, '%Y-%m-%d')"

    @staticmethod
    def without(table: str, other: str) -> str:
        return f"{table} ANTI JOIN {other} USING (pos)"

    def source(self, source: Source) -> tuple[str, str, dict[str, str], list[str]]:
        """The rows of ``source`` with their position: (relation, position, types, columns)."""
        relation = self.engine._relation(source)  # noqa: SLF001 - the engine reads the source itself
        ordered = source.format == "parquet"
        if ordered:  # file name and row number: the order of the rows in the files
            relation = relation[:-1] + ", filename = true, file_row_number = true)"
        types = self.describe(relation)
        present = [c for c in types if not (ordered and c in ("filename", "file_row_number"))]
        if not ordered:
            return relation, "row_number() OVER () - 1", types, present
        # a row's position in the files (by name, then row number): the rows of the files
        # before its own plus its row number in its file, one row per file joined, rather
        # than a window sorting every row with its columns (10M rows: 11 s against 182 s
        # on the loaded machine; at 100M rows the sort spills for over half an hour)
        self.create("_file_offsets", f"SELECT filename AS _offset_file, CAST(SUM(n) OVER (ORDER BY filename) - n "
                                     f"AS BIGINT) AS _offset_start FROM (SELECT filename, COUNT(*) AS n FROM "
                                     f"{relation} GROUP BY filename)")
        return f"{relation} JOIN _file_offsets ON _offset_file = filename", "_offset_start + file_row_number", \
            types, present

    def write_parquet(self, sql: str, path: Path) -> None:
        with self.engine.memory_guard("writing the quarantine"):
            self.con.execute(f"COPY ({sql}) TO {_lit(str(path))} (FORMAT parquet)")


class _Spark:
    """How the cleaning's statements run on Spark: temporary views of cached frames (each
    computed once), the SQL above in Spark's spelling (backquoted names, backslash-escaped
    literals)."""

    text = "STRING"

    def __init__(self, engine):
        self.engine, self.spark, self.frames, self.stale, self._joins = engine, engine.spark, {}, [], []

    @staticmethod
    def q(name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    @staticmethod
    def lit(text: str) -> str:
        return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"

    def create(self, name: str, sql: str) -> None:
        # computed once here and stored, cut from the statements before it: a cached frame
        # keeps its whole lineage, and every later statement's plan (planned against every
        # cache) grows with it (seconds per statement on a few rows; the driver's heap ran
        # out on the second cleaning of one session). A checkpoint keeps the partitioning
        # of the plan it cuts, which Spark 4.3 then fails to map in a UNION (key not
        # found); the rows rebuilt as a frame of their own do not
        from pyspark.sql import DataFrame

        frame = self.spark.sql(sql)
        jvm = getattr(self.spark, "_jsparkSession", None)
        if jvm is None:  # Spark Connect: no JVM here; a cache (the plans grow, the rows stay)
            frame = frame.cache()
            frame.count()
        else:
            stored = frame.localCheckpoint(eager=True)._jdf
            frame = DataFrame(jvm.createDataFrame(stored.rdd(), stored.schema()), self.spark)
        self.drop(name)
        frame.createOrReplaceTempView(name)
        self.frames[name] = frame

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(row) for row in self.spark.sql(sql).collect()]

    def drop(self, *names: str) -> None:
        for name in names:
            self.spark.catalog.dropTempView(name)
            frame = self.frames.pop(name, None)
            if frame is not None:
                self.stale.append(frame)

    def finish(self) -> None:
        """Release the caches left (the source's rows; the tables made by :meth:`create`
        are stored checkpoints, freed when no frame refers to them)."""
        for frame in self.stale:
            frame.unpersist()
        self.stale.clear()

    def normalised(self, cast: str, index: int) -> str:
        """NFKC of a text without Python on the executors: the distinct values that are not
        plain ASCII are collected, normalised here and joined back (few, against the rows)."""
        import unicodedata

        values = [row[0] for row in self.spark.sql(
            f"SELECT DISTINCT {cast} FROM _source_rows WHERE octet_length({cast}) != length({cast})").collect()]
        table, value, norm = f"_nfkc_{index}", f"_nfkc_value_{index}", f"_nfkc_text_{index}"
        frame = self.spark.createDataFrame([(v, unicodedata.normalize("NFKC", v)) for v in values],
                                           f"{value} string, {norm} string")
        frame.createOrReplaceTempView(table)
        self.frames[table] = frame
        self._joins.append(f" LEFT JOIN {table} ON {table}.{value} = {cast}")
        return f"CASE WHEN octet_length({cast}) = length({cast}) THEN {cast} ELSE {table}.{norm} END"

    def joins(self) -> str:
        return "".join(self._joins)

    @staticmethod
    def infinity_text(x: str) -> str:  # Spark writes Infinity; pandas (and DuckDB) inf
        return f"CASE WHEN {x} > 0 THEN 'inf' ELSE '-inf' END"

    @staticmethod
    def infinite(x: str) -> str:
        return f"(abs({x}) = CAST('Infinity' AS DOUBLE))"

    @staticmethod
    def quartiles(x: str) -> str:
        return f"percentile({x}, 0.25), percentile({x}, 0.75)"

    @staticmethod
    def day_text(x: str) -> str:
        return f"date_format({x}, 'yyyy-MM-dd')"

    @staticmethod
    def without(table: str, other: str) -> str:
        return f"{table} LEFT ANTI JOIN {other} USING (pos)"

    def source(self, source: Source) -> tuple[str, str, dict[str, str], list[str]]:
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        try:
            frame = self.engine._frame(source)  # noqa: SLF001 - the engine reads the source itself
        except ValueError:
            raise
        except Exception as exc:  # noqa: BLE001 - Spark's AnalysisException and friends
            raise ValueError(f"transactions ({source.describe()}): Spark cannot read it: "
                             f"{str(exc).splitlines()[0]}") from None
        names = {T.StringType: "VARCHAR", T.DateType: "DATE", T.TimestampNTZType: "TIMESTAMP",
                 T.TimestampType: "TIMESTAMP WITH TIME ZONE", T.DoubleType: "DOUBLE", T.FloatType: "FLOAT",
                 T.LongType: "BIGINT", T.IntegerType: "INTEGER", T.ShortType: "SMALLINT", T.BooleanType: "BOOLEAN"}
        types = {f.name: names.get(type(f.dataType), f.dataType.simpleString().upper()) for f in frame.schema.fields}
        present = list(types)
        if source.format == "parquet":  # the order of the rows in the files: by path, then row
            frame = frame.select("*", F.col("_metadata.file_path").alias("_file"),
                                 F.col("_metadata.row_index").alias("_row"))
        else:  # the order Spark reads them: partition by partition
            frame = frame.select("*", F.spark_partition_id().alias("_file"),
                                 (F.monotonically_increasing_id()
                                  - F.shiftleft(F.spark_partition_id().cast("bigint"), 33)).alias("_row"))
        frame = frame.cache()  # the positions fixed once
        frame.count()
        frame.createOrReplaceTempView("_source_rows")
        self.frames["_source_rows"] = frame
        self.create("_file_offsets", "SELECT _file AS _offset_file, CAST(SUM(n) OVER (ORDER BY _file) - n AS BIGINT) "
                                     "AS _offset_start FROM (SELECT _file, COUNT(*) AS n FROM _source_rows "
                                     "GROUP BY _file)")
        return "_source_rows JOIN _file_offsets ON _offset_file = _file", "_offset_start + _row", types, present

    def write_parquet(self, sql: str, path: Path) -> None:
        import pyarrow.parquet as pq

        pq.write_table(self.spark.sql(sql).toArrow(), path)


def clean_transactions(engine: Engine, source: Source, *, start=None, end=None, today=None,
                       duplicates: str = "quarantine", conflicts: str = "quarantine",
                       missing_values: Iterable[str] = io.MISSING_VALUES, first_row: int = 2,
                       quarantine_path: str | Path | None = None, lang: str = "en",
                       allow_empty: bool = False) -> EngineCleaning:
    """Clean a typed transactions source in the engine; the kept rows become its transactions.

    Parameters
    ----------
    engine : DuckDBEngine or SparkEngine
        The engine that reads ``source``; afterwards its ``transactions`` are the kept
        rows (``engine.stats_`` counts them) and the aggregates run on them. On Spark
        the statements are the same, in Spark's spelling, each table computed once and
        stored; the distinct ids that are not plain ASCII are NFKC-normalised on the driver
        and joined back, and the quarantine is collected to the driver to be written.
    source : Source
        Parquet files, a table or typed CSV files with the canonical columns
        ``customer_id``, ``date``, ``amount`` (mapped by ``source.columns``) and any of
        ``order_id``, ``product_id``, ``quantity``, ``cost``, ``gross_profit``.
    start, end : date-like, optional
        The case's window (both days included).
    today : date-like, optional
        The day of the run; later dates are ``date_in_future``. Default: today.
    duplicates : {"quarantine", "keep"}
    conflicts : {"quarantine", "keep_first", "keep_last"}
        As in :func:`workbench.cleaning.clean_transactions`.
    missing_values : iterable of str
        Markers that make a text cell blank.
    first_row : int
        The row number of the first data row, for ``row`` in the quarantine.
    quarantine_path : path-like, optional
        Where to write the quarantined rows as Parquet; None: not written.
    lang : {"en", "zh"}
        Language of the message about a column the header has twice.
    allow_empty : bool
        Keep no row without refusing (the engine's transactions are then empty): what
        ``workbench validate`` needs to report a source whose every row is quarantined.

    Returns
    -------
    EngineCleaning

    Raises
    ------
    ValueError
        A source that is not typed (a date column of text; on Spark also a CSV date
        column that its ``date_format`` did not read), unknown options, a column read whose
        header text a file has twice (:func:`~workbench.engines.base.check_repeated_header`).
    """
    if duplicates not in ("quarantine", "keep"):
        raise ValueError(f"duplicates={duplicates!r}; use 'quarantine' or 'keep'")
    if conflicts not in CONFLICT_RULES:
        raise ValueError(f"conflicts={conflicts!r}; use one of {list(CONFLICT_RULES)}")
    if engine.name not in ("duckdb", "spark"):
        raise ValueError(f"cleaning in the engine runs on DuckDB or Spark, not on engine {engine.name!r}")
    started = time.perf_counter()
    run = _DuckDB(engine) if engine.name == "duckdb" else _Spark(engine)
    q, lit = run.q, run.lit
    check_repeated_header(engine, source, "transactions", lang=lang)
    rows, pos, types, present = run.source(source)
    mapping = mapped_columns(source, present, "transactions", {c: CANONICAL_COLUMNS[c] for c in _READ})
    date_type = types[mapping["date"]]
    date_format = source.options.get("date_format")
    # text dates (a CSV whose dates DuckDB could not all read with date_format) are parsed
    # with that format, row by row: what it does not read is date_unparseable, as in pandas
    text_dates = date_format is not None and date_type == "VARCHAR" and engine.name == "duckdb"
    if not (date_type.startswith("DATE") or date_type.startswith("TIMESTAMP") or text_dates):
        run.drop("_file_offsets", "_source_rows")
        raise ValueError(f"transactions ({source.describe()}): column {mapping['date']!r} (mapped to date) has "
                         f"type {date_type}; cleaning in the engine takes typed sources (DATE or TIMESTAMP "
                         "dates): for CSV give date_format (on Spark every date must then read), or clean text "
                         "files with engine: pandas")
    markers = sorted({io.marker_key(str(m)) for m in missing_values})
    marker_list = ", ".join(lit(m) for m in markers)

    normalised = {}  # DuckDB has nfc_normalize only, and NFC leaves full-width 'Ｋ1' as it is

    def text(col):  # NFKC-normalised, trimmed text, blanks (NULL, markers) as NULL
        cast = f"CAST({q(mapping[col])} AS {run.text})"
        if col not in normalised:
            normalised[col] = run.normalised(cast, len(normalised))
        src = f"TRIM({normalised[col]})"
        return f"CASE WHEN lower({src}) IN ({marker_list}) THEN NULL ELSE {src} END"

    def number(col):  # NaN is blank, as pandas reads it
        src = f"CAST({q(mapping[col])} AS DOUBLE)"
        return f"CASE WHEN isnan({src}) THEN NULL ELSE {src} END"

    cols = [c for c in _READ if c in mapping]
    select = [f"{text(c)} AS {c}" if c in _TEXT else
              (f"try_strptime({text(c)}, {lit(date_format)}) AS date, {text(c)} AS date_text" if text_dates
               else f"CAST({q(mapping[c])} AS TIMESTAMP) AS date") if c == "date" else
              f"{number(c)} AS {c}" for c in cols]
    raw_select = [f"{q(mapping[c])} AS {q('raw_' + c)}" for c in cols]
    run.create("raw_transactions", f"SELECT {pos} AS pos, {', '.join(select)}, {', '.join(raw_select)} "
                                   f"FROM {rows}{run.joins()}")
    run.drop("_file_offsets", "_source_rows", *(f"_nfkc_{i}" for i in range(len(normalised))))

    today_ts = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today).normalize()
    blank = ["date_text" if c == "date" and text_dates else c for c in cols]
    as_text = run.text
    reasons = [
        (" AND ".join(f"{c} IS NULL" for c in blank), "blank_row", "NULL"),
        ("customer_id IS NULL", "customer_id_missing", "NULL"),
        (f"{'date_text' if text_dates else 'date'} IS NULL", "date_missing", "NULL"),
        *([("date IS NULL", "date_unparseable", f"CAST(raw_date AS {as_text})")] if text_dates else []),
        ("amount IS NULL", "amount_missing", "NULL"),
        (run.infinite("amount"), "amount_not_finite", run.infinity_text("raw_amount")),
        *[(run.infinite(c), f"{c}_not_finite", run.infinity_text(f"raw_{c}")) for c in _NUMERIC_OPTIONAL
          if c in cols],
        (f"date >= {_day(today_ts + pd.Timedelta(days=1))}", "date_in_future", f"CAST(raw_date AS {as_text})"),
    ]
    if start is not None:
        reasons.append((f"date < {_day(start)}", "date_out_of_window", f"CAST(raw_date AS {as_text})"))
    if end is not None:
        limit = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
        reasons.append((f"date >= {_day(limit)}", "date_out_of_window", f"CAST(raw_date AS {as_text})"))
    every = ", ".join(cols)
    # exact duplicates: the groups of equal rows (a hash aggregate, small when few rows repeat),
    # then the rows after each group's first; not a window partitioned by every column, which
    # carries every row with all its columns through a sort (10M rows: 1.6 s against 6.5 s)
    run.create("_repeated_groups", f"SELECT {every}, MIN(pos) AS _first FROM raw_transactions GROUP BY ALL "
                                   "HAVING COUNT(*) > 1")
    same = " AND ".join(f"r.{c} IS NOT DISTINCT FROM g.{c}" for c in cols)
    run.create("_repeated", f"SELECT r.pos, true AS _repeat FROM raw_transactions r JOIN _repeated_groups g "
                            f"ON {same} WHERE r.pos > g._first")
    run.drop("_repeated_groups")
    marked = "raw_transactions LEFT JOIN _repeated USING (pos)"  # _repeat: a copy of an earlier row
    repeated = "_repeat IS NOT NULL"
    if duplicates == "quarantine":
        reasons.append((repeated, "duplicate_row", "NULL"))
    case_reason = "CASE " + " ".join(f"WHEN {cond} THEN {lit(name)}" for cond, name, _ in reasons) + " END"
    case_detail = "CASE " + " ".join(f"WHEN {cond} THEN {detail}" for cond, _, detail in reasons) + " END"
    # only the quarantined rows get a table of their own (their position, reason and detail);
    # the kept rows are the others, so no second copy of every row is made along the way
    run.create("_quarantined", f"SELECT pos, reason, detail FROM (SELECT pos, {case_reason} AS reason, "
                               f"{case_detail} AS detail FROM {marked}) AS t WHERE reason IS NOT NULL")
    if date_type.startswith("TIMESTAMP") and "TIME ZONE" not in date_type:
        # the pandas detail is the dates of one check as text, a day alone when none of them
        # has a time of day: the same here, per reason (and side of the window)
        def side(date):  # before the window's start, or after its end (or today)
            return f"{date} < {_day(start)}" if start is not None else "false"

        midnight = "CAST(CAST(t.raw_date AS DATE) AS TIMESTAMP) = t.raw_date"
        run.create("_day_details", f"""
            SELECT q.pos, q.reason, CASE WHEN g.g_reason IS NULL THEN q.detail
                                         ELSE {run.day_text('r.raw_date')} END AS detail
            FROM _quarantined q JOIN raw_transactions r ON r.pos = q.pos
            LEFT JOIN (SELECT q.reason AS g_reason, {side('t.date')} AS g_side
                       FROM _quarantined q JOIN raw_transactions t ON t.pos = q.pos
                       WHERE q.reason IN ('date_in_future', 'date_out_of_window') GROUP BY ALL
                       HAVING bool_and({midnight})) g
              ON q.reason = g.g_reason AND ({side('r.date')}) = g.g_side""")
        run.create("_quarantined", "SELECT * FROM _day_details")
        run.drop("_day_details")
    rows_in = int(run.rows("SELECT COUNT(*) FROM raw_transactions")[0][0])
    engine._emit("read", "cleaning", rows=rows_in, seconds=time.perf_counter() - started)
    if "order_id" in cols:
        _order_conflicts(run, cols, conflicts, first_row, run.without("raw_transactions", "_quarantined"))
    alive = run.without(marked if duplicates == "keep" else "raw_transactions", "_quarantined")

    # the kept rows, in the canonical form of the pandas path
    order_id = (f"COALESCE(order_id, 'line-' || CAST(pos + 1 AS {as_text}))" if "order_id" in cols
                else f"CAST(pos + 1 AS {as_text})")
    kept_cols = ["customer_id", f"{order_id} AS order_id", "date", "amount",
                 *[c for c in _NUMERIC_OPTIONAL if c in cols],
                 *(["product_id"] if "product_id" in cols else [])]
    if "cost" in cols and "gross_profit" not in cols:
        kept_cols.append("amount - cost AS gross_profit")
    kept_cols.append("amount < 0 AS is_return")
    if duplicates == "keep":
        kept_cols.append(f"{repeated} AS is_duplicate")
    fence = run.rows(f"SELECT {run.quartiles('amount')} FROM {alive} WHERE amount > 0")[0]
    # the fences as DOUBLE literals: a bare 33.535000000000003 is a DECIMAL that overflows
    q1, q3 = (None, None) if fence[0] is None else (f"CAST({float(fence[0])!r} AS DOUBLE)",
                                                    f"CAST({float(fence[1])!r} AS DOUBLE)")
    outlier = "false" if q1 is None else f"amount > {q3} + CAST(3.0 AS DOUBLE) * ({q3} - {q1})"
    run.create("clean_transactions", f"SELECT {', '.join(kept_cols)}, {outlier} AS is_outlier, pos FROM {alive}")
    by_reason = {r: int(n) for r, n in run.rows("SELECT reason, COUNT(*) FROM _quarantined GROUP BY reason")}
    kept = int(run.rows("SELECT COUNT(*) FROM clean_transactions")[0][0])
    quarantined = sum(by_reason.values())
    if kept + quarantined != rows_in:  # pragma: no cover - a check of the SQL above
        raise AssertionError(f"rows in ({rows_in:,}) != kept ({kept:,}) + quarantined ({quarantined:,})")
    log_rows = [("kept", kept)] + sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    log = pd.DataFrame(log_rows, columns=["reason", "rows"])
    log["share"] = log["rows"] / rows_in if rows_in else float("nan")
    path = None
    if quarantine_path is not None:
        path = Path(quarantine_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        raw_cols = ", ".join(f"{q('raw_' + c)} AS {q(mapping[c])}" for c in cols)
        run.write_parquet(f"SELECT pos AS source_row, pos + {int(first_row)} AS row, {raw_cols}, reason, detail "
                          f"FROM _quarantined JOIN raw_transactions USING (pos) ORDER BY pos", path)
    run.drop("raw_transactions", "_quarantined", "_repeated")
    run.finish()
    engine.transactions(Source("table", table="clean_transactions"), allow_empty=allow_empty)
    engine._emit("done", "cleaning", rows=kept, seconds=time.perf_counter() - started)
    return EngineCleaning(rows_in=rows_in, kept=kept, quarantined=quarantined, log=log, quarantine_path=path,
                          row_order_ids="order_id" not in cols)


def _order_conflicts(run, cols: list[str], rule: str, first_row: int, alive: str) -> None:
    """``order_id_conflict`` as :func:`workbench.cleaning._order_conflicts`: among rows still
    in play with an order id, a row differing from its order's reference row (first, or
    last under keep_last) in customer or day, or from its line's reference row in any
    column; under ``quarantine`` the reference rows of a conflict too. The detail is the
    pandas path's, word for word: the other row, the fields that differ, the row kept."""
    pick = "DESC" if rule == "keep_last" else "ASC"
    line = "order_id, COALESCE(product_id, '')" if "product_id" in cols else "order_id"
    same = " AND ".join(f"a.{c} IS NOT DISTINCT FROM l.{c}" for c in cols)
    others = [c for c in cols if c not in ("customer_id", "date")]
    line_flags = "".join(f", a.{c} IS DISTINCT FROM l.{c} AS l_{c}" for c in cols)
    # the fields named, in the pandas order: the order's customer and day (or, when they agree,
    # the line's customer and date: another time of the same day), then the line's other values
    fields = ", ".join([
        "CASE WHEN h_customer_id OR (NOT header_diff AND l_customer_id) THEN 'customer_id' END",
        "CASE WHEN h_date OR (NOT header_diff AND l_date) THEN 'date' END",
        *[f"CASE WHEN l_{c} THEN {run.lit(c)} END" for c in others]])
    run.create("_conflicts", f"""
        WITH alive AS (SELECT * FROM {alive} WHERE order_id IS NOT NULL),
        refs AS (SELECT *,
                        first_value(pos) OVER (PARTITION BY order_id ORDER BY pos {pick}) AS order_ref,
                        first_value(pos) OVER (PARTITION BY {line} ORDER BY pos {pick}) AS line_ref
                 FROM alive),
        flagged AS (
            SELECT a.pos, a.order_id, a.order_ref, a.line_ref,
                   a.customer_id IS DISTINCT FROM o.customer_id AS h_customer_id,
                   CAST(a.date AS DATE) IS DISTINCT FROM CAST(o.date AS DATE) AS h_date,
                   NOT ({same}) AS line_diff{line_flags}
            FROM refs a JOIN alive o ON o.pos = a.order_ref JOIN alive l ON l.pos = a.line_ref),
        checked AS (SELECT *, h_customer_id OR h_date AS header_diff FROM flagged)
        SELECT pos, order_id, CASE WHEN header_diff THEN order_ref ELSE line_ref END AS other,
               concat_ws(', ', {fields}) AS fields
        FROM checked WHERE header_diff OR line_diff""")
    if rule == "quarantine":  # the reference rows of a disagreement are quarantined with it
        run.create("_conflict_refs", """
            SELECT other AS pos, order_id, pos AS other, fields FROM (
                SELECT c.*, row_number() OVER (PARTITION BY c.other ORDER BY c.pos) AS k FROM _conflicts c
                WHERE c.other NOT IN (SELECT pos FROM _conflicts)) AS refs
            WHERE k = 1""")
        run.create("_conflicts_all", "SELECT pos, order_id, other, fields FROM _conflicts UNION ALL "
                                     "SELECT pos, order_id, other, fields FROM _conflict_refs")
        run.drop("_conflicts", "_conflict_refs")
        table = "_conflicts_all"
    else:
        table = "_conflicts"
    kept = "" if rule == "quarantine" else (
        f" || '; row ' || CAST(c.other + {int(first_row)} AS {run.text}) || ' is kept ({rule})'")
    run.create("_quarantined_all", f"""
        SELECT pos, reason, detail FROM _quarantined
        UNION ALL
        SELECT c.pos, 'order_id_conflict',
               'order ' || chr(39) || c.order_id || chr(39) || ' is also on row '
               || CAST(c.other + {int(first_row)} AS {run.text}) || ' with another ' || c.fields{kept}
        FROM (SELECT pos, any_value(order_id) AS order_id, min(other) AS other, any_value(fields) AS fields
              FROM {table} GROUP BY pos) AS c""")
    run.create("_quarantined", "SELECT * FROM _quarantined_all")
    run.drop(table, "_quarantined_all")
