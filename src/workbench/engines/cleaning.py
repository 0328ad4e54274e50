"""Cleaning in the engine: the rules and reason codes of :func:`workbench.cleaning.clean_transactions`
for typed sources, as SQL, with the quarantine written as Parquet.

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


def clean_transactions(engine: Engine, source: Source, *, start=None, end=None, today=None,
                       duplicates: str = "quarantine", conflicts: str = "quarantine",
                       missing_values: Iterable[str] = io.MISSING_VALUES, first_row: int = 2,
                       quarantine_path: str | Path | None = None, lang: str = "en",
                       allow_empty: bool = False) -> EngineCleaning:
    """Clean a typed transactions source in the engine; the kept rows become its transactions.

    Parameters
    ----------
    engine : DuckDBEngine
        The engine that reads ``source``; afterwards its ``transactions`` are the kept
        rows (``engine.stats_`` counts them) and the aggregates run on them.
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
        A source that is not typed (a date column of text), unknown options, a column
        read whose header text a file has twice (:func:`~workbench.engines.base.check_repeated_header`).
    """
    if duplicates not in ("quarantine", "keep"):
        raise ValueError(f"duplicates={duplicates!r}; use 'quarantine' or 'keep'")
    if conflicts not in CONFLICT_RULES:
        raise ValueError(f"conflicts={conflicts!r}; use one of {list(CONFLICT_RULES)}")
    if engine.name != "duckdb":
        raise ValueError(f"cleaning in the engine runs on DuckDB; engine {engine.name!r} reads sources "
                         "already cleaned (clean them with engine: duckdb first, or write them with the "
                         "pandas path)")
    started = time.perf_counter()
    con = engine.con
    check_repeated_header(engine, source, "transactions", lang=lang)
    relation = engine._relation(source)
    ordered = source.format == "parquet"
    if ordered:  # file name and row number: the order of the rows in the files
        relation = relation[:-1] + ", filename = true, file_row_number = true)"
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    types = {row[0]: str(row[1]).upper() for row in described}
    present = [c for c in types if not (ordered and c in ("filename", "file_row_number"))]
    mapping = mapped_columns(source, present, "transactions", {c: CANONICAL_COLUMNS[c] for c in _READ})
    date_type = types[mapping["date"]]
    date_format = source.options.get("date_format")
    # text dates (a CSV whose dates DuckDB could not all read with date_format) are parsed
    # with that format, row by row: what it does not read is date_unparseable, as in pandas
    text_dates = date_format is not None and date_type == "VARCHAR"
    if not (date_type.startswith("DATE") or date_type.startswith("TIMESTAMP") or text_dates):
        raise ValueError(f"transactions ({source.describe()}): column {mapping['date']!r} (mapped to date) has "
                         f"type {date_type}; cleaning in the engine takes typed sources (DATE or TIMESTAMP "
                         "dates): for CSV give date_format, or clean text files with engine: pandas")
    markers = sorted({io.marker_key(str(m)) for m in missing_values})
    marker_list = ", ".join(_lit(m) for m in markers)

    _register_nfkc(con)

    def text(col):  # NFKC-normalised, trimmed text, blanks (NULL, markers) as NULL
        cast = f"CAST({_q(mapping[col])} AS VARCHAR)"
        # DuckDB has nfc_normalize only, and NFC leaves full-width 'Ｋ1' as it is: NFKC
        # through Arrow, called only on the values that are not plain ASCII (whose bytes
        # outnumber their characters; ASCII is its own NFKC form)
        src = f"TRIM(CASE WHEN strlen({cast}) = length({cast}) THEN {cast} ELSE {NFKC}({cast}) END)"
        return f"CASE WHEN lower({src}) IN ({marker_list}) THEN NULL ELSE {src} END"

    def number(col):  # NaN is blank, as pandas reads it
        src = f"CAST({_q(mapping[col])} AS DOUBLE)"
        return f"CASE WHEN isnan({src}) THEN NULL ELSE {src} END"

    cols = [c for c in _READ if c in mapping]
    select = [f"{text(c)} AS {c}" if c in _TEXT else
              (f"try_strptime({text(c)}, {_lit(date_format)}) AS date, {text(c)} AS date_text" if text_dates
               else f"CAST({_q(mapping[c])} AS TIMESTAMP) AS date") if c == "date" else
              f"{number(c)} AS {c}" for c in cols]
    raw_select = [f"{_q(mapping[c])} AS {_q('raw_' + c)}" for c in cols]
    rows = relation
    pos = "row_number() OVER () - 1"
    if ordered:
        # a row's position in the files (by name, then row number): the rows of the files
        # before its own plus its row number in its file, one row per file joined, rather
        # than a window sorting every row with its columns (10M rows: 11 s against 182 s
        # on the loaded machine; at 100M rows the sort spills for over half an hour)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _file_offsets AS SELECT filename AS _offset_file, "
                    f"CAST(SUM(n) OVER (ORDER BY filename) - n AS BIGINT) AS _offset_start "
                    f"FROM (SELECT filename, COUNT(*) AS n FROM {relation} GROUP BY filename)")
        rows = f"{relation} JOIN _file_offsets ON _offset_file = filename"
        pos = "_offset_start + file_row_number"
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw_transactions AS SELECT {pos} AS pos, "
                f"{', '.join(select)}, {', '.join(raw_select)} FROM {rows}")
    if ordered:
        con.execute("DROP TABLE _file_offsets")

    today_ts = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today).normalize()
    blank = ["date_text" if c == "date" and text_dates else c for c in cols]
    reasons = [
        (" AND ".join(f"{c} IS NULL" for c in blank), "blank_row", "NULL"),
        ("customer_id IS NULL", "customer_id_missing", "NULL"),
        (f"{'date_text' if text_dates else 'date'} IS NULL", "date_missing", "NULL"),
        *([("date IS NULL", "date_unparseable", "CAST(raw_date AS VARCHAR)")] if text_dates else []),
        ("amount IS NULL", "amount_missing", "NULL"),
        ("isinf(amount)", "amount_not_finite", "CAST(raw_amount AS VARCHAR)"),
        *[(f"isinf({c})", f"{c}_not_finite", f"CAST(raw_{c} AS VARCHAR)") for c in _NUMERIC_OPTIONAL if c in cols],
        (f"date >= {_day(today_ts + pd.Timedelta(days=1))}", "date_in_future", "CAST(raw_date AS VARCHAR)"),
    ]
    if start is not None:
        reasons.append((f"date < {_day(start)}", "date_out_of_window", "CAST(raw_date AS VARCHAR)"))
    if end is not None:
        limit = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
        reasons.append((f"date >= {_day(limit)}", "date_out_of_window", "CAST(raw_date AS VARCHAR)"))
    every = ", ".join(cols)
    # exact duplicates: the groups of equal rows (a hash aggregate, small when few rows repeat),
    # then the rows after each group's first; not a window partitioned by every column, which
    # carries every row with all its columns through a sort (10M rows: 1.6 s against 6.5 s)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _repeated_groups AS SELECT {every}, MIN(pos) AS _first "
                f"FROM raw_transactions GROUP BY ALL HAVING COUNT(*) > 1")
    same = " AND ".join(f"r.{c} IS NOT DISTINCT FROM g.{c}" for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _repeated AS SELECT r.pos FROM raw_transactions r "
                f"JOIN _repeated_groups g ON {same} WHERE r.pos > g._first")
    con.execute("DROP TABLE _repeated_groups")
    repeated = "pos IN (SELECT pos FROM _repeated)"
    if duplicates == "quarantine":
        reasons.append((repeated, "duplicate_row", "NULL"))
    case_reason = "CASE " + " ".join(f"WHEN {cond} THEN {_lit(name)}" for cond, name, _ in reasons) + " END"
    case_detail = "CASE " + " ".join(f"WHEN {cond} THEN {detail}" for cond, _, detail in reasons) + " END"
    # only the quarantined rows get a table of their own (their position, reason and detail);
    # the kept rows are the others, so no second copy of every row is made along the way
    con.execute(f"CREATE OR REPLACE TEMP TABLE _quarantined AS SELECT pos, reason, detail FROM "
                f"(SELECT pos, {case_reason} AS reason, {case_detail} AS detail FROM raw_transactions) "
                f"WHERE reason IS NOT NULL")
    if date_type.startswith("TIMESTAMP") and "TIME ZONE" not in date_type:
        # the pandas detail is the dates of one check as text, a day alone when none of them
        # has a time of day: the same here, per reason (and side of the window)
        def side(date):  # before the window's start, or after its end (or today)
            return f"{date} < {_day(start)}" if start is not None else "false"

        con.execute(f"""
            UPDATE _quarantined SET detail = strftime(r.raw_date, '%Y-%m-%d')
            FROM raw_transactions r,
                 (SELECT q.reason AS g_reason, {side('t.date')} AS g_side
                  FROM _quarantined q JOIN raw_transactions t USING (pos)
                  WHERE q.reason IN ('date_in_future', 'date_out_of_window') GROUP BY ALL
                  HAVING bool_and(CAST(t.raw_date AS TIME) = TIME '00:00:00')) g
            WHERE r.pos = _quarantined.pos AND _quarantined.reason = g.g_reason
              AND ({side('r.date')}) = g.g_side""").fetchall()
    rows_in = int(con.execute("SELECT COUNT(*) FROM raw_transactions").fetchone()[0])
    engine._emit("read", "cleaning", rows=rows_in, seconds=time.perf_counter() - started)
    alive = "raw_transactions ANTI JOIN _quarantined USING (pos)"
    if "order_id" in cols:
        _order_conflicts(con, cols, conflicts, first_row, alive)

    # the kept rows, in the canonical form of the pandas path
    order_id = ("COALESCE(order_id, 'line-' || CAST(pos + 1 AS VARCHAR))" if "order_id" in cols
                else "CAST(pos + 1 AS VARCHAR)")
    kept_cols = ["customer_id", f"{order_id} AS order_id", "date", "amount",
                 *[c for c in _NUMERIC_OPTIONAL if c in cols],
                 *(["product_id"] if "product_id" in cols else [])]
    if "cost" in cols and "gross_profit" not in cols:
        kept_cols.append("amount - cost AS gross_profit")
    kept_cols.append("amount < 0 AS is_return")
    if duplicates == "keep":
        kept_cols.append(f"{repeated} AS is_duplicate")
    fence = con.execute(f"SELECT quantile_cont(amount, 0.25), quantile_cont(amount, 0.75) FROM {alive} "
                        "WHERE amount > 0").fetchone()
    # the fences as DOUBLE literals: a bare 33.535000000000003 is a DECIMAL that overflows
    q1, q3 = (None, None) if fence[0] is None else (f"CAST({float(fence[0])!r} AS DOUBLE)",
                                                    f"CAST({float(fence[1])!r} AS DOUBLE)")
    outlier = "false" if q1 is None else f"amount > {q3} + CAST(3.0 AS DOUBLE) * ({q3} - {q1})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE clean_transactions AS SELECT {', '.join(kept_cols)}, "
                f"{outlier} AS is_outlier, pos FROM {alive}")
    counts = con.execute("SELECT reason, COUNT(*) FROM _quarantined GROUP BY reason").fetchall()
    by_reason = {r: int(n) for r, n in counts}
    kept = int(con.execute("SELECT COUNT(*) FROM clean_transactions").fetchone()[0])
    quarantined = sum(by_reason.values())
    if kept + quarantined != rows_in:  # pragma: no cover - a check of the SQL above
        raise AssertionError(f"rows in ({rows_in:,}) != kept ({kept:,}) + quarantined ({quarantined:,})")
    rows = [("kept", kept)] + sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    log = pd.DataFrame(rows, columns=["reason", "rows"])
    log["share"] = log["rows"] / rows_in if rows_in else float("nan")
    path = None
    if quarantine_path is not None:
        path = Path(quarantine_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        raw_cols = ", ".join(f"{_q('raw_' + c)} AS {_q(mapping[c])}" for c in cols)
        con.execute(f"COPY (SELECT pos AS source_row, pos + {int(first_row)} AS row, {raw_cols}, reason, detail "
                    f"FROM _quarantined JOIN raw_transactions USING (pos) ORDER BY pos) TO {_lit(str(path))} "
                    "(FORMAT parquet)")
    for table in ("raw_transactions", "_quarantined", "_repeated"):
        con.execute(f"DROP TABLE {table}")
    engine.transactions(Source("table", table="clean_transactions"), allow_empty=allow_empty)
    engine._emit("done", "cleaning", rows=kept, seconds=time.perf_counter() - started)
    return EngineCleaning(rows_in=rows_in, kept=kept, quarantined=quarantined, log=log, quarantine_path=path,
                          row_order_ids="order_id" not in cols)


def _order_conflicts(con, cols: list[str], rule: str, first_row: int, alive: str) -> None:
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
        *[f"CASE WHEN l_{c} THEN {_lit(c)} END" for c in others]])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE conflicts AS
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
        con.execute("""
            INSERT INTO conflicts
            SELECT other, order_id, pos, fields FROM (
                SELECT c.*, row_number() OVER (PARTITION BY c.other ORDER BY c.pos) AS k FROM conflicts c
                WHERE c.other NOT IN (SELECT pos FROM conflicts))
            WHERE k = 1""")
    kept = "" if rule == "quarantine" else (
        f" || '; row ' || CAST(c.other + {int(first_row)} AS VARCHAR) || ' is kept ({rule})'")
    con.execute(f"""
        INSERT INTO _quarantined
        SELECT c.pos, 'order_id_conflict',
               'order ' || chr(39) || c.order_id || chr(39) || ' is also on row '
               || CAST(c.other + {int(first_row)} AS VARCHAR) || ' with another ' || c.fields{kept}
        FROM (SELECT pos, any_value(order_id) AS order_id, min(other) AS other, any_value(fields) AS fields
              FROM conflicts GROUP BY pos) c""")
    con.execute("DROP TABLE conflicts")
