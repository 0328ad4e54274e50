"""An engine case's data for one period: cleaned in the engine, handed over per customer.

:func:`load_case_tables` is what :meth:`workbench.cases.Case.load` is for a case with
``engine: duckdb`` (or spark through the same SQL): the engine reads the transactions
source itself, cleans it with the pandas rules (:func:`workbench.engines.cleaning.clean_transactions`;
the quarantine is written as Parquet, rows in = kept + quarantined in the cleaning log),
keeps the rows up to the period's end, and leaves them in the engine. The result, an
:class:`EngineCase`, has the attributes of a :class:`~workbench.cases.LoadedCase`; its
``transactions`` is an :class:`EngineTransactions`, which the package's functions take
where they take a transactions frame:

* :func:`workbench.features.customer_features` and :func:`workbench.features.bgnbd_summary`
  run as one query in the engine (and so every analysis built on them: value
  indicators, ABC, RFM, the value matrix, key accounts, segmentation, the CLV models);
* :func:`workbench.overview.period_summary`, :func:`workbench.overview.customer_totals`,
  :func:`workbench.value.clv_windows`, :func:`workbench.clv.repeat_purchase_tracking`,
  the lifecycle stages, cohort tables and churn rates (:mod:`workbench.lifecycle`) and
  the join match rates read small aggregates (per period, per customer, per day);
* column reductions (``tx["amount"].sum()``, ``.min()``, ``.max()``, ``.nunique()``,
  ``.median()``, ``.mean()``) run in the engine;
* anything that needs the rows one by one raises a ``ValueError`` saying so in the case's
  language, which a report section (:meth:`workbench.recorder.Recorder.section`) shows
  as the reason it is left out.

Every result is computed once per set of arguments and kept (a notebook asks for the
same features several times).

:func:`load_data` is what the notebooks call for every case: a pandas case's
:meth:`~workbench.cases.Case.load`, or an engine case's :func:`load_case_tables`. During
a render (:mod:`workbench.cache`) the first notebook's engine writes the clean
transactions to Parquet in the cache folder and each aggregate it computes beside them;
the later notebooks open an engine on that Parquet file (no second read or cleaning of
the source) and take every aggregate already computed from there.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import os
import pickle
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench import cache, resources
from workbench.cases import (
    Case,
    LoadedCase,
    load_case,
    personal_ids,
    pseudonymise_quarantine_ids,
    source_missing_values,
)
from workbench.engines.base import Engine, Progress, Source, check_repeated_header
from workbench.engines.cleaning import EngineCleaning, clean_transactions
from workbench.labels import label

__all__ = ["EngineCase", "EngineColumn", "EngineTransactions", "load_case_tables", "load_data", "print_progress"]

#: The engine table of the kept transactions up to the analysis date.
ANALYSED = "analysed_transactions"


def print_progress(event: Progress) -> None:
    """The progress callback of an engine case: one line on the process's standard error.

    Written to ``sys.__stderr__``, the stream the process started with, so that a report
    rendered by papermill shows progress in the terminal and not in the HTML page.
    """
    stream = sys.__stderr__ or sys.stderr
    print(f"[workbench] {event}", file=stream, flush=True)


def _source(case: Case, name: str, spec: Mapping[str, Any]) -> Source:
    """A case file's source mapping as an engine :class:`Source` (paths against the case file)."""
    keys = {k: spec[k] for k in ("format", "path", "connection_env", "columns", "sep", "encoding", "header",
                                 "date_format") if spec.get(k) is not None}
    if "source_table" in spec:
        keys["table"] = spec["source_table"]
    if "header" in keys:  # the case file gives the header's 0-based row; a reader takes yes/no
        keys["header"] = True
    return Source.from_config(keys, base=case.root)


def load_case_tables(case: Case, period: str | None = None, *, today=None, output_dir: str | Path | None = None,
                     progress: Callable[[Progress], None] | None = print_progress,
                     engine: Engine | None = None, allow_empty: bool = False,
                     quarantine_in_memory: bool = True) -> EngineCase:
    """Read, clean and keep an engine case's transactions in the engine, for one period.

    Parameters
    ----------
    case : Case
        A case with ``engine: duckdb``, or ``engine: spark``: Spark reads the sources and
        cleans the transactions (:func:`~workbench.engines.cleaning.clean_transactions`),
        then hands the clean rows over to DuckDB, where the report's tables are computed.
    period : str, optional
        The report period; default the case's ``default_period``.
    today : date-like, optional
        The day of the run; later dates are quarantined as ``date_in_future``.
    output_dir : path-like, optional
        The report folder: the quarantine is written there as ``quarantine.parquet``
        (beside the report). Default: ``data/processed/<case>/quarantine.parquet`` next
        to the case file, where :func:`workbench.quality.write_quarantine` writes the
        quarantine table (``quarantine.csv``; ``workbench validate`` keeps the engine's
        own file in a scratch folder instead).
    progress : callable, optional
        Called with each :class:`~workbench.engines.base.Progress` event (rows read,
        stage); default :func:`print_progress` (standard error). None: silent.
    engine : Engine, optional
        An engine to use instead of one built from the case's ``engine:`` settings (it
        is not closed by :meth:`EngineCase.close`).
    allow_empty : bool
        Load a case that keeps no clean transaction up to the analysis date instead of
        refusing it: what ``workbench validate`` does, to report every source and exit
        non-zero as for a pandas case.
    quarantine_in_memory : bool
        Also read the transactions' quarantined rows into ``quarantine`` (a frame);
        False leaves them in the quarantine Parquet file only, which
        :meth:`EngineCase.quarantine_reasons` and :meth:`EngineCase.write_quarantine_table`
        read in the engine: what ``workbench validate`` does, whatever their number.

    Returns
    -------
    EngineCase
        The attributes of a :class:`~workbench.cases.LoadedCase` (``cleaning_log``,
        ``quarantine``, ``rows_after_period``, ``sources_table()``, ``customers``,
        ``params``, ``lang``), with ``transactions`` an :class:`EngineTransactions`.

    Raises
    ------
    CaseError
        A pandas case (use :meth:`Case.load`).
    ValueError
        From the engine: an unreadable source, an untyped date column, a missing column;
        no clean transaction on or before the analysis date (unless ``allow_empty``).
    workbench.engines.EngineMemoryError
        The engine ran out of memory; the message names the case's memory settings.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib, textwrap
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"cid": ["a", "a", "b", None],
    ...               "day": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-02-01", "2024-02-02"]),
    ...               "sales": [100.0, 50.0, 30.0, 9.0]}).to_parquet(folder / "tx.parquet")
    >>> _ = (folder / "shop.yaml").write_text(textwrap.dedent('''
    ...     name: shop
    ...     language: en
    ...     granularity: M
    ...     start: 2024-01-01
    ...     default_period: 2024-02
    ...     engine: duckdb
    ...     notebooks: [01_customer_value]
    ...     sources:
    ...       transactions: {path: tx.parquet, columns: {customer_id: cid, date: day, amount: sales}}
    ... '''))
    >>> from workbench.cases import load_case
    >>> data = load_case(folder / "shop.yaml")
    >>> tables = load_case_tables(data, today="2024-06-01", output_dir=folder / "report", progress=None)
    >>> tables.cleaning_log[["reason", "rows"]].to_dict("records")
    [{'reason': 'kept', 'rows': 3}, {'reason': 'customer_id_missing', 'rows': 1}]
    >>> from workbench.features import customer_features
    >>> customer_features(tables.transactions, "2024-02-29")[["customer_id", "frequency"]].to_dict("list")
    {'customer_id': ['a', 'b'], 'frequency': [2, 1]}
    >>> tables.close()
    """
    from workbench.cases import CaseError
    from workbench.engines import engine as make_engine

    if case.engine.name == "pandas":
        raise CaseError(f"{case.path}: the case runs on pandas (key 'engine'); load it with case.load(period)")
    started = time.perf_counter()
    as_of = case.as_of(period)
    reader, own_reader = None, False
    if case.engine.name == "spark":  # Spark reads and cleans; the report's tables run on DuckDB
        own_reader = engine is None
        reader = make_engine({"name": "spark", **case.engine.options()}, progress=progress) if own_reader else engine
        engine = None
    own = engine is None
    if engine is None:
        engine = make_engine({"name": "duckdb", **({} if reader else case.engine.options())}, progress=progress)
    try:
        return _load(case, period, as_of, today, output_dir, engine, own, started, allow_empty,
                     quarantine_in_memory, reader=reader)
    except BaseException:
        if own:
            engine.close()
        raise
    finally:
        if own_reader:
            reader.close()


def load_data(case: str | Path | Case, period: str | None = None, *, today=None,
              output_dir: str | Path | None = None,
              progress: Callable[[Progress], None] | None = print_progress) -> LoadedCase:
    """A case's data for one period, whichever engine it runs on: what every notebook loads.

    Parameters
    ----------
    case : str, path-like or Case
        A bundled case name, a case file, or a loaded :class:`~workbench.cases.Case`.
    period : str, optional
        The report period; default the case's ``default_period``.
    today : date-like, optional
        The day of the run; later dates are quarantined as ``date_in_future``.
    output_dir : path-like, optional
        The report folder (an engine case writes its ``quarantine.parquet`` there).
    progress : callable, optional
        For an engine case: called with each progress event (rows read, stage); default
        one line on standard error (:func:`print_progress`). None: silent.

    Returns
    -------
    LoadedCase
        For ``engine: pandas`` (the default) exactly :meth:`Case.load`; for ``engine:
        duckdb`` an :class:`EngineCase` from :func:`load_case_tables`, whose engine is
        closed when the process ends.

    Notes
    -----
    During a render (:mod:`workbench.cache`) an engine case is read and cleaned once:
    the first call writes the clean transactions up to the analysis date as Parquet
    (by the engine) into ``<cache>/<case>-<period>-<key>.engine/`` with the other
    tables of the load; a later call, in the next notebook's kernel, opens an engine on
    that file. Each aggregate (customer features, BG/NBD summary, per-period totals,
    ...) is computed once per arguments for the whole render and kept there as well.
    The key is :func:`workbench.cache.cache_key` (case file, input files' checksums,
    period, day, code); a case that reads a database table is not cached.

    Examples
    --------
    >>> data = load_data("cdnow", "1998-06", today="2024-01-01")  # a pandas case: Case.load
    >>> type(data).__name__, len(data.transactions)
    ('LoadedCase', 69659)
    """
    case = case if isinstance(case, Case) else load_case(case)
    if case.engine.name == "pandas":
        return case.load(period, today=today)
    entry = cache.entry_folder(case, period, today)
    if entry is not None and (entry / _FIELDS).is_file():
        loaded = _from_cache(case, entry, output_dir, progress)
    else:
        loaded = load_case_tables(case, period, today=today, output_dir=output_dir, progress=progress)
        if entry is not None:
            _to_cache(case, period, loaded, entry)
    atexit.register(loaded.close)  # the engine's spill folder goes with it
    return loaded


#: Files of an engine case's cache entry: its tables other than the transactions
#: (written last: the entry is complete when it exists), the clean transactions up to
#: the analysis date, the quarantine, and the aggregates computed from them.
_FIELDS, _ROWS, _QUARANTINE, _AGGREGATES = "tables.pkl", "transactions.parquet", "quarantine.parquet", "aggregates"


def _to_cache(case: Case, period, loaded: EngineCase, entry: Path) -> None:
    """Write ``loaded`` into the cache entry ``entry`` (a folder swapped in whole)."""
    partial = entry.with_name(f".{entry.name}.{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / _AGGREGATES).mkdir(parents=True)
    tx = loaded.transactions
    with loaded.engine.memory_guard("writing the clean transactions to the cache"):
        loaded.engine.con.execute(f"COPY (SELECT * FROM {tx.table}) TO '{partial / _ROWS}' (FORMAT parquet)")
    if loaded.cleaning is not None and loaded.cleaning.quarantine_path is not None:
        shutil.copyfile(loaded.cleaning.quarantine_path, partial / _QUARANTINE)
    fields = {f.name: getattr(loaded, f.name) for f in dataclasses.fields(LoadedCase) if f.name != "case"}
    fields["tables"] = {k: v for k, v in fields["tables"].items() if k != "transactions"}
    fields["cleaning"] = loaded.cleaning
    with (partial / _FIELDS).open("wb") as handle:
        pickle.dump(fields, handle, protocol=pickle.HIGHEST_PROTOCOL)
    shutil.rmtree(entry, ignore_errors=True)
    os.replace(partial, entry)
    cache.prune(case, period, entry)
    tx.store = entry / _AGGREGATES  # what this notebook computes, the next ones reuse


def _from_cache(case: Case, entry: Path, output_dir, progress) -> EngineCase:
    """An :class:`EngineCase` on a cache entry: an engine over its Parquet file of clean rows."""
    from workbench.engines import engine as make_engine

    started = time.perf_counter()
    with (entry / _FIELDS).open("rb") as handle:
        fields = pickle.load(handle)
    cleaning = fields.pop("cleaning")
    engine = make_engine({"name": "duckdb", **({} if case.engine.name == "spark" else case.engine.options())},
                         progress=progress)  # a Spark case's clean rows are read by DuckDB here
    try:
        rows = entry / _ROWS
        engine.con.execute(f"CREATE OR REPLACE TEMP VIEW {ANALYSED} AS SELECT * FROM read_parquet('{rows}')")
        engine.transactions(Source("parquet", path=str(rows)))
        fields["tables"]["transactions"] = EngineTransactions(
            engine, case, lang=case.language, store=entry / _AGGREGATES,
            row_order_ids=bool(getattr(cleaning, "row_order_ids", False)))
    except BaseException:
        engine.close()
        raise
    if output_dir is not None and (entry / _QUARANTINE).is_file():  # beside this report too
        target = Path(output_dir) / "quarantine.parquet"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry / _QUARANTINE, target)
    engine._emit("done", "load_data (cached)", rows=int(engine.stats_.rows), seconds=time.perf_counter() - started)
    return EngineCase(case=case, engine=engine, cleaning=cleaning, owns_engine=True, **fields)


def _load(case, period, as_of, today, output_dir, engine, own, started, allow_empty=False,
          quarantine_in_memory=True, reader: Engine | None = None) -> EngineCase:
    """Read and clean the sources (``reader``, Spark, when given; else ``engine``), then keep
    the clean rows in ``engine`` (DuckDB), where the report's tables are computed."""
    tables: dict[str, Any] = {}
    quarantine: dict[str, pd.DataFrame] = {}
    logs, files, notes = [], {}, {}
    after = 0
    cleaned = None
    folder = Path(output_dir) if output_dir is not None else resources.processed_dir(case.root) / case.name
    for name, spec in case.sources.items():
        kind = spec.get("table", name)
        source = _source(case, name, spec)
        files[name] = Path(source.paths()[0]) if source.paths() else Path(str(source.table))
        if kind == "transactions":
            header = spec.get("header", 0)
            first_row = 1 if header is None else header + 2
            with engine.memory_guard("cleaning"):
                cleaned = clean_transactions(
                    reader or engine, source, start=case.start, end=case.end, today=today,
                    duplicates=spec.get("duplicates") or "quarantine",
                    conflicts=spec.get("conflicts") or "quarantine",
                    missing_values=source_missing_values(spec), first_row=first_row,
                    quarantine_path=folder / "quarantine.parquet", lang=case.language, allow_empty=allow_empty)
                if reader is not None:
                    _hand_over(reader, engine, cleaned.table)
            if quarantine_in_memory:
                quarantine[name] = _read_quarantine(cleaned)
            logs.append(cleaned.log.assign(table=name)[["table", "reason", "rows", "share"]])
            limit = (as_of + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
            con = engine.con
            after = int(con.execute(f"SELECT COUNT(*) FROM {cleaned.table} "
                                    f"WHERE date >= TIMESTAMP '{limit}'").fetchall()[0][0])
            con.execute(f"CREATE OR REPLACE TEMP VIEW {ANALYSED} AS SELECT * FROM {cleaned.table} "
                        f"WHERE date < TIMESTAMP '{limit}'")
            if cleaned.kept - after == 0 and not allow_empty:
                raise ValueError(f"{case.path}: no clean transaction on or before {as_of.date()} (the "
                                 f"period {case.period(period)}); choose a later period")
            engine.transactions(Source("table", table=ANALYSED), allow_empty=allow_empty)
            notes[name] = {"file": files[name].name, "first_row": first_row, "unused": [], "personal_unused": {},
                           "pseudonymised": [], "quarantine_parquet": str(cleaned.quarantine_path),
                           "huge_amounts": _huge_amounts(con, cleaned.table, first_row)}
        else:  # customers: one row per customer, read by the engine, cleaned as in pandas
            tables[kind], quarantine[name], log, notes[name] = _customers(case, name, spec, source,
                                                                          reader or engine, today)
            logs.append(log.assign(table=name)[["table", "reason", "rows", "share"]])
    _pseudonymise_ids(case, engine, cleaned, tables, quarantine, notes)
    log = pd.concat(logs, ignore_index=True) if logs else pd.DataFrame(columns=["table", "reason", "rows", "share"])
    transactions = EngineTransactions(engine, case, lang=case.language, row_order_ids=cleaned.row_order_ids) \
        if cleaned is not None else None
    if transactions is not None:
        tables["transactions"] = transactions
    engine._emit("done", "load_case_tables", rows=None if cleaned is None else cleaned.kept - after,
                 seconds=time.perf_counter() - started)
    return EngineCase(case=case, period=str(case.period(period)), as_of=as_of, tables=tables,
                      quarantine=quarantine, cleaning_log=log, rows_after_period=after, files=files, notes=notes,
                      engine=engine, cleaning=cleaned, owns_engine=own)


def _hand_over(reader: Engine, engine: Engine, table: str) -> None:
    """Spark's clean rows into DuckDB as the table of the same name, dates as UTC wall time
    (Spark's timestamps carry the UTC zone of its session; DuckDB's clean rows have none).
    Collected to the driver as Arrow: the clean rows of the transactions' columns must fit
    its memory (about 25 bytes a row for the three required columns)."""
    rows = reader.spark.table(table).toArrow()
    engine.con.register("_spark_rows", rows)
    try:
        with engine.memory_guard("taking over Spark's clean rows"):
            engine.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * REPLACE "
                               "(CAST(date AS TIMESTAMP) AS date) FROM _spark_rows")
    finally:
        engine.con.unregister("_spark_rows")
    reader.spark.catalog.dropTempView(table)


#: The SQL function that replaces a customer id by its pseudonym (registered per case).
ID_PSEUDONYM = "workbench_id_pseudonym"


def _huge_amounts(con, table: str, first_row: int, n: int = 3) -> dict[str, Any]:
    """Kept rows whose amount is at least :data:`workbench.cases.HUGE_AMOUNT` (as the pandas
    path notes them): their number and the first ``n`` as (file row, value)."""
    from workbench.cases import HUGE_AMOUNT

    where = f"abs(amount) >= CAST({HUGE_AMOUNT!r} AS DOUBLE) AND NOT isinf(amount)"
    count = int(con.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}").fetchall()[0][0])
    rows = con.execute(f"SELECT pos, amount FROM {table} WHERE {where} ORDER BY pos LIMIT {int(n)}").fetchall() \
        if count else []
    return {"rows": count, "limit": HUGE_AMOUNT,
            "examples": [(int(pos) + first_row, repr(float(amount))) for pos, amount in rows]}


def _pseudonymise_ids(case: Case, engine: Engine, cleaned: EngineCleaning | None, tables: dict[str, Any],
                      quarantine: dict[str, pd.DataFrame], notes: dict[str, dict[str, Any]]) -> None:
    """Customer ids that are phone numbers or e-mail addresses become the pandas path's
    ``id-`` pseudonyms (:func:`workbench.cases.personal_ids`): in the engine's clean
    transactions (through a SQL function on the distinct ids), the customers table, the
    quarantine tables and the quarantine Parquet file, so joins hold and no output shows them."""
    import pyarrow as pa

    from workbench import privacy

    names = {spec.get("table", name): name for name, spec in case.sources.items()}
    ids: dict[str, pd.Series] = {}
    con = engine.con if cleaned is not None else None  # cleaned in the engine: DuckDB
    if cleaned is not None and "transactions" in names:
        sample = con.execute(f"SELECT DISTINCT customer_id FROM {cleaned.table} WHERE customer_id IS NOT NULL "
                             "LIMIT 5000").fetchall()
        ids[names["transactions"]] = pd.Series([row[0] for row in sample], dtype=object)
    if "customers" in tables and "customers" in names:
        ids[names["customers"]] = tables["customers"]["customer_id"]
    kinds = personal_ids(case, ids)
    if not kinds:
        return

    def pseudonyms(values):
        hidden = privacy.pseudonymise(pd.Series(values.to_pylist(), dtype=object), "id", context=case.name)
        return pa.array(hidden.tolist(), type=pa.string())

    if cleaned is not None and "transactions" in names:
        with contextlib.suppress(Exception):  # registered for an earlier case on this connection
            con.remove_function(ID_PSEUDONYM)
        con.create_function(ID_PSEUDONYM, pseudonyms, ["VARCHAR"], "VARCHAR", type="arrow")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {cleaned.table} AS SELECT * REPLACE "
                    f"({ID_PSEUDONYM}(customer_id) AS customer_id) FROM {cleaned.table}")
        name = names["transactions"]
        column = case.sources[name].get("columns", {}).get("customer_id", "customer_id")
        if cleaned.quarantine_path is not None and Path(cleaned.quarantine_path).is_file():
            frame = pseudonymise_quarantine_ids(case, pd.read_parquet(cleaned.quarantine_path), column)
            frame.to_parquet(cleaned.quarantine_path, index=False)
        if name in quarantine:
            quarantine[name] = pseudonymise_quarantine_ids(case, quarantine[name], column)
    if "customers" in tables and "customers" in names:
        customers = tables["customers"]
        tables["customers"] = customers.assign(customer_id=privacy.pseudonymise(customers["customer_id"], "id",
                                                                                context=case.name))
        name = names["customers"]
        quarantine[name] = pseudonymise_quarantine_ids(case, quarantine[name])
    for name, kind in kinds.items():
        notes.setdefault(name, {}).setdefault("pseudonymised", []).append("customer_id")
        notes[name]["personal_ids"] = kind


def _read_quarantine(cleaned: EngineCleaning) -> pd.DataFrame:
    """The quarantined rows for the report's quarantine table (the Parquet file stays the record)."""
    if cleaned.quarantine_path is None:
        return pd.DataFrame(columns=["source_row", "row", "reason", "detail"])
    import pyarrow.parquet as pq

    frame = pq.read_table(cleaned.quarantine_path).to_pandas()
    return frame


def _customers(case: Case, name: str, spec: Mapping[str, Any], source: Source, engine: Engine, today):
    """The customers source, read by the engine and cleaned by :func:`workbench.cleaning.clean_customers`
    (a table of one row per customer fits in memory)."""
    from workbench import cleaning, io, privacy

    check_repeated_header(engine, source, "customers", lang=case.language)  # DuckDB would rename one x_1
    raw = engine.read_arrow(source).to_pandas()  # the engine reads the source itself
    raw = raw.astype({c: "str" for c in raw.columns if raw[c].dtype == object})
    mapping = dict(spec.get("columns") or {})
    mapped = io.apply_mapping(raw, mapping, "customers", source=source.describe(), lang=case.language)
    keep_clear = spec.get("keep_personal_data")
    keep_clear = set(privacy.PERSONAL_COLUMNS) if keep_clear is True else {str(k) for k in keep_clear or ()}
    for column, what in privacy.PERSONAL_COLUMNS.items():
        if column in mapped.columns and column not in keep_clear:
            mapped[column] = privacy.pseudonymise(mapped[column], what, context=case.name)
    header = spec.get("header", 0)
    first_row = 1 if header is None else header + 2
    result = cleaning.clean_customers(mapped, date_format=spec.get("date_format"), today=today,
                                      first_row=first_row)
    note = {"file": Path(source.paths()[0]).name if source.paths() else str(source.table), "first_row": first_row,
            "unused": [], "personal_unused": {},
            "pseudonymised": [c for c in privacy.PERSONAL_COLUMNS if c in mapped.columns and c not in keep_clear]}
    return result.clean, result.quarantine, result.log, note


@dataclasses.dataclass(frozen=True)
class EngineCase(LoadedCase):
    """An engine case's data for one period: a :class:`~workbench.cases.LoadedCase` whose
    transactions stay in the engine (:class:`EngineTransactions`).

    Attributes
    ----------
    engine : Engine
        The open engine holding the clean transactions; :meth:`close` closes it.
    cleaning : EngineCleaning or None
        What cleaning in the engine did (counts, quarantine Parquet file).
    owns_engine : bool
        Whether :meth:`close` closes the engine.
    """

    engine: Engine | None = None
    cleaning: EngineCleaning | None = None
    owns_engine: bool = True

    @property
    def transactions(self) -> EngineTransactions:
        """The clean transactions up to the analysis date, kept in the engine."""
        return self._table("transactions")

    def close(self) -> None:
        """Close the engine (when this object made it)."""
        if self.owns_engine and self.engine is not None:
            self.engine.close()

    def __enter__(self) -> EngineCase:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def engine_source(self) -> str | None:
        """The name of the source cleaned in the engine (the transactions), or None."""
        if self.cleaning is None:
            return None
        return next((name for name, spec in self.case.sources.items()
                     if spec.get("table", name) == "transactions"), None)

    def _quarantine_relation(self) -> str | None:
        path = None if self.cleaning is None else self.cleaning.quarantine_path
        if path is None or not Path(path).is_file():
            return None
        return f"read_parquet({_lit(str(path))})"

    def quarantine_reasons(self, *, examples: int = 3, details: int = 20) -> pd.DataFrame:
        """The quarantined rows of the source cleaned in the engine, per reason, counted in the engine.

        Read from the quarantine Parquet file by the engine (it is never loaded whole):
        what :func:`workbench.quality.validation_report` shows for an engine case.

        Parameters
        ----------
        examples : int
            How many rows (the first in the file) to show per reason.
        details : int
            How many non-blank details (offending values) to keep per reason, for the
            advice of :func:`workbench.quality.next_step`.

        Returns
        -------
        pandas.DataFrame
            ``table`` (the source's name), ``reason``, ``rows``, ``examples`` (a list of
            ``(row, detail or None)``, row numbers as a spreadsheet shows them) and
            ``details`` (a list of text); reasons in the order of their first row, as
            the pandas quarantine lists them.

        Examples
        --------
        >>> import pandas as pd, tempfile, pathlib, textwrap
        >>> from workbench.cases import load_case
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> pd.DataFrame({"cid": ["a", None, "b", "c"],
        ...               "day": pd.to_datetime(["2024-01-05", "2024-01-06", "2030-01-01", "2024-01-07"]),
        ...               "sales": [1.0, 2.0, 3.0, 4.0]}).to_parquet(folder / "tx.parquet")
        >>> _ = (folder / "shop.yaml").write_text(textwrap.dedent('''
        ...     {name: shop, language: en, granularity: M, start: 2024-01-01, default_period: 2024-02,
        ...      engine: duckdb, notebooks: [00_data_overview], sources: {transactions: {path: tx.parquet,
        ...      columns: {customer_id: cid, date: day, amount: sales}}}}'''))
        >>> with load_case_tables(load_case(folder / "shop.yaml"), today="2024-06-01",
        ...                       output_dir=folder / "report", progress=None) as data:
        ...     reasons = data.quarantine_reasons()
        >>> for row in reasons.itertuples():
        ...     print(row.reason, row.rows, row.examples)
        customer_id_missing 1 [(3, None)]
        date_in_future 1 [(4, '2030-01-01')]
        """
        columns = ["table", "reason", "rows", "examples", "details"]
        relation, name = self._quarantine_relation(), self.engine_source
        if relation is None or name is None:
            return pd.DataFrame(columns=columns)
        rows = self.engine.con.execute(f"""
            WITH q AS (SELECT CAST(row AS BIGINT) AS row, reason, CAST(detail AS VARCHAR) AS detail,
                              row_number() OVER (PARTITION BY reason ORDER BY row) AS k,
                              row_number() OVER (PARTITION BY reason, detail IS NULL ORDER BY row) AS d
                       FROM {relation})
            SELECT reason, COUNT(*) AS n, MIN(row) AS first,
                   list(struct_pack(row := row, detail := detail) ORDER BY row) FILTER (WHERE k <= {int(examples)}),
                   list(detail ORDER BY row) FILTER (WHERE detail IS NOT NULL AND d <= {int(details)})
            FROM q GROUP BY reason ORDER BY first""").fetchall()
        return pd.DataFrame([{"table": name, "reason": reason, "rows": int(n),
                              "examples": [(int(e["row"]), e["detail"]) for e in shown or ()],
                              "details": list(texts or ())}
                             for reason, n, _first, shown, texts in rows], columns=columns)

    def write_quarantine_table(self, target: str | Path, *, others: pd.DataFrame | None = None,
                               file_format: str = "csv") -> int:
        """Write the quarantine table of :func:`workbench.quality.quarantine_table` by the engine.

        The rows of the source cleaned in the engine come from its quarantine Parquet
        file, with their cells as a JSON object keyed by the file's own column names
        (``values``); ``others`` (the rows of the sources cleaned in pandas, e.g. the
        customers) are added; sorted by source, then row.

        Parameters
        ----------
        target : path-like
            The file to write (replaced atomically).
        others : pandas.DataFrame, optional
            More rows with the columns ``source``, ``file``, ``row``, ``reason``,
            ``detail``, ``values``.
        file_format : {"csv", "parquet"}
            CSV is UTF-8 with BOM, as :func:`workbench.quality.write_quarantine` writes it.

        Returns
        -------
        int
            The rows written.
        """
        if file_format not in ("csv", "parquet"):
            raise ValueError(f"file_format={file_format!r}; use 'csv' or 'parquet'")
        con = self.engine.con
        target = Path(target)
        parts = []
        relation, name = self._quarantine_relation(), self.engine_source
        if relation is not None and name is not None:
            described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
            cells = [(column, str(kind).upper()) for column, kind, *_ in described
                     if column not in ("source_row", "row", "reason", "detail")]
            if {"source", "file", "values"} <= {column for column, _ in cells}:
                # the file is this table already (written over the engine's own quarantine.parquet)
                relation = f"(SELECT * FROM {relation} WHERE source = {_lit(name)})"
                values = 'CAST("values" AS VARCHAR)'
            else:
                # keys and values as json.dumps writes them (", " and ": "), keys in the file's order
                pairs = ", ".join(f"{_lit(_json_text(column) + ': ')} || "
                                  f"COALESCE(CAST(to_json({_json_cell(column, kind)}) AS VARCHAR), 'null')"
                                  for column, kind in cells)
                values = f"'{{' || concat_ws(', ', {pairs}) || '}}'"
            parts.append(f"SELECT {_lit(name)} AS source, {_lit(self.files[name].name)} AS file, "
                         f"CAST(row AS BIGINT) AS row, CAST(reason AS VARCHAR) AS reason, "
                         f"CAST(detail AS VARCHAR) AS detail, {values} AS \"values\" "
                         f"FROM {relation}")
        view = f"_quarantine_others_{os.getpid()}"
        columns = ["source", "file", "row", "reason", "detail", "values"]
        if others is not None and len(others):
            frame = others[columns].astype({"row": "int64"}).astype(
                {c: object for c in ("source", "file", "reason", "detail", "values")})
            frame = frame.where(frame.notna(), None)
            con.register(view, frame)
            parts.append(f"SELECT source, file, CAST(row AS BIGINT) AS row, CAST(reason AS VARCHAR) AS reason, "
                         f"CAST(detail AS VARCHAR) AS detail, CAST(\"values\" AS VARCHAR) AS \"values\" FROM {view}")
        if not parts:
            parts.append("SELECT " + ", ".join(f"CAST(NULL AS {'BIGINT' if c == 'row' else 'VARCHAR'}) AS {_q(c)}"
                                               for c in columns) + " WHERE false")
        query = f"SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY source, row"
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        try:
            if file_format == "parquet":
                con.execute(f"COPY ({query}) TO {_lit(str(partial))} (FORMAT parquet)").fetchall()
            else:
                body = partial.with_name(partial.name + ".body")
                con.execute(f"COPY ({query}) TO {_lit(str(body))} (FORMAT csv, HEADER true)").fetchall()
                with body.open("rb") as source, partial.open("wb") as sink:  # a BOM, as pandas writes it
                    sink.write("\ufeff".encode())
                    shutil.copyfileobj(source, sink, 1 << 20)
                body.unlink()
            written = int(con.execute(f"SELECT COUNT(*) FROM ({query})").fetchall()[0][0])
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
            partial.with_name(partial.name + ".body").unlink(missing_ok=True)
            if others is not None and len(others):
                con.unregister(view)
        return written


class EngineTransactions:
    """A case's clean transactions, kept in an engine: what the package's functions take
    in place of a transactions frame for an engine case.

    Parameters
    ----------
    engine : Engine
        An engine whose ``transactions`` view holds the rows (after
        :func:`load_case_tables`).
    case : Case
    lang : {"en", "zh"}
        Language of the messages that say a computation needs the rows.
    table : str
        The engine table of the rows.
    store : pathlib.Path, optional
        A folder where each computed aggregate is also kept, read back by another
        :class:`EngineTransactions` on the same rows (a render's cache entry,
        :func:`load_data`): per-customer frames as Parquet, anything else as a pickle.
    row_order_ids : bool
        Whether every row has an order id of its own (the source had no order id
        column: :attr:`~workbench.engines.cleaning.EngineCleaning.row_order_ids`); then
        :meth:`period_totals` counts rows for distinct orders.

    Attributes
    ----------
    columns : list of str
        The canonical columns the rows have.
    """

    def __init__(self, engine: Engine, case: Case, *, lang: str = "en", table: str = ANALYSED,
                 store: Path | None = None, row_order_ids: bool = False):
        self.engine, self.case, self.lang, self.table, self.store = engine, case, lang, table, store
        self.row_order_ids = row_order_ids
        described = engine.con.execute(f"DESCRIBE SELECT * FROM {table}").fetchall()
        self.columns = [row[0] for row in described if row[0] != "pos"]
        self._memo: dict[tuple, Any] = {}

    # -- what a frame is asked for ---------------------------------------------------
    def __len__(self) -> int:
        return int(self.engine.stats_.rows)

    @property
    def empty(self) -> bool:
        return len(self) == 0

    def __contains__(self, column) -> bool:
        return column in self.columns

    def __getitem__(self, column) -> EngineColumn:
        if not isinstance(column, str) or column not in self.columns:
            raise ValueError(self.needs_rows(f"transactions[{column!r}]"))
        return EngineColumn(self, column)

    def __iter__(self):
        raise ValueError(self.needs_rows("iterating over the transactions"))

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ValueError(self.needs_rows(f"transactions.{name}"))

    def __repr__(self) -> str:
        return f"<EngineTransactions of case {self.case.name!r}: {len(self):,} rows in {self.engine.name}>"

    def needs_rows(self, what: str) -> str:
        """The message that ``what`` needs the rows one by one, in the case's language."""
        return label("engine_needs_rows", self.lang).format(what=what, engine=self.engine.name)

    def _once(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per key: kept here and, with a ``store`` folder (a render's
        cache entry), in a file there that the render's other notebooks read.

        The file is named by the SHA-256 of the key (the aggregate's name, its arguments
        and ``as_of``). A frame of plain columns (text, whole numbers, floats, booleans,
        dates) on a default index, such as the customer features of millions of customers,
        is kept as Parquet (:func:`_write_frame`: written and read back by Arrow, with the
        same values and dtypes); anything else as a pickle.
        """
        if key not in self._memo:
            stem = None
            if self.store is not None:
                stem = self.store / hashlib.sha256(repr(key).encode()).hexdigest()[:32]
            value = _MISSING if stem is None else _read_stored(stem)
            if value is _MISSING:
                value = compute()
                if stem is not None:
                    _write_stored(stem, value)
            self._memo[key] = value
        value = self._memo[key]
        return value.copy() if isinstance(value, pd.DataFrame) else value

    def scalar(self, sql: str):
        """One value of a query on the rows (``{t}`` is the table)."""
        return self.engine.con.execute(sql.format(t=self.table)).fetchall()[0][0]

    # -- the aggregates the package asks for ---------------------------------------
    def customer_features(self, as_of, *, start=None, frequency: str = "orders", period: str = "M") -> pd.DataFrame:
        """:meth:`Engine.customer_features` on the rows, computed once per arguments."""
        key = ("customer_features", _key(as_of), _key(start), frequency, period)
        return self._once(key, lambda: self.engine.customer_features(as_of, start=start, frequency=frequency,
                                                                     period=period))

    def bgnbd_summary(self, calibration_end, observation_end=None, *, start=None, time_unit: str = "W"
                      ) -> pd.DataFrame:
        """:meth:`Engine.bgnbd_summary` on the rows, computed once per arguments."""
        key = ("bgnbd_summary", _key(calibration_end), _key(observation_end), _key(start), time_unit)
        return self._once(key, lambda: self.engine.bgnbd_summary(calibration_end, observation_end, start=start,
                                                                 time_unit=time_unit))

    def customer_ids(self) -> pd.Series:
        """The distinct customer ids, sorted (for join match rates)."""
        return self._once(("customer_ids",), lambda: pd.Series(
            self.engine.con.sql(f"SELECT DISTINCT customer_id FROM {self.table} ORDER BY 1").to_arrow_table()
            .column(0).to_pylist(), dtype="str", name="customer_id"))

    def id_matches(self, ids: pd.Series, *, examples: int = 3) -> dict[str, Any]:
        """How many distinct customer ids of the rows are among ``ids``, counted in the engine.

        The join match rate of :func:`workbench.quality.join_match_rates` for an engine
        case: ``ids`` (the customers table's, in memory) go to the engine, the rows'
        ids never come out. Ids are compared as text, as the pandas path compares them
        (both are NFKC-normalised and trimmed when cleaned).

        Parameters
        ----------
        ids : pandas.Series
            The other side's ids (missing ones are skipped).
        examples : int
            How many ids to show of each side that the other lacks.

        Returns
        -------
        dict
            ``keys`` (distinct ids of the rows), ``matched`` (of them among ``ids``),
            ``unmatched`` and ``other_side`` (the first ``examples`` ids, sorted, of the
            rows not among ``ids`` and of ``ids`` not in the rows), ``matched_without_zeros``
            (matched once leading zeros are dropped: ``'00001'`` is ``'1'``) and
            ``matched_ignoring_case`` (matched once blanks inside are dropped and letters
            lower-cased).
        """
        import pyarrow as pa

        con = self.engine.con
        master = pd.Series(ids, dtype=object).dropna().astype(str).drop_duplicates()
        view = f"_id_master_{os.getpid()}"
        con.register(view, pa.table({"id": pa.array(master.tolist(), type=pa.string())}))
        try:
            left = f"SELECT DISTINCT CAST(customer_id AS VARCHAR) AS id FROM {self.table} WHERE customer_id IS NOT NULL"

            def zeros(v):
                return f"CASE WHEN ltrim({v}, '0') = '' THEN '0' ELSE ltrim({v}, '0') END"

            def folded(v):  # Python's \s: the blanks NFKC leaves (U+3000 is a space already)
                return f"lower(regexp_replace({v}, '[\\s\\x{{0B}}\\x{{1C}}-\\x{{1F}}\\x{{85}}\\x{{A0}}\\x{{1680}}" \
                       f"\\x{{2000}}-\\x{{200A}}\\x{{2028}}\\x{{2029}}\\x{{202F}}\\x{{205F}}\\x{{3000}}]+', '', 'g'))"

            keys, matched, no_zeros, no_case = con.execute(f"""
                WITH l AS ({left}), m AS (SELECT id FROM {view})
                SELECT COUNT(*), COUNT(*) FILTER (WHERE id IN (SELECT id FROM m)),
                       COUNT(*) FILTER (WHERE {zeros('id')} IN (SELECT {zeros('id')} FROM m)),
                       COUNT(*) FILTER (WHERE {folded('id')} IN (SELECT {folded('id')} FROM m))
                FROM l""").fetchall()[0]
            unmatched = [r[0] for r in con.execute(
                f"WITH l AS ({left}) SELECT id FROM l WHERE id NOT IN (SELECT id FROM {view}) "
                f"ORDER BY id LIMIT {int(examples)}").fetchall()]
            other = [r[0] for r in con.execute(
                f"WITH l AS ({left}) SELECT id FROM {view} WHERE id NOT IN (SELECT id FROM l) "
                f"ORDER BY id LIMIT {int(examples)}").fetchall()]
        finally:
            con.unregister(view)
        return {"keys": int(keys), "matched": int(matched), "unmatched": unmatched, "other_side": other,
                "matched_without_zeros": int(no_zeros), "matched_ignoring_case": int(no_case)}

    def negative_net(self, *, examples: int = 3) -> tuple[int, list[tuple[str, float]]]:
        """Customers whose net revenue (sum of amounts, returns negative) is below zero.

        Returns
        -------
        count : int
            How many, counted in the engine.
        first : list of (str, float)
            The first ``examples`` of them by id, with their net revenue.
        """
        net = f"SELECT customer_id, fsum(amount) AS net FROM {self.table} GROUP BY customer_id HAVING fsum(amount) < 0"
        con = self.engine.con
        count = int(con.execute(f"SELECT COUNT(*) FROM ({net})").fetchall()[0][0])
        first = con.execute(f"SELECT customer_id, net FROM ({net}) ORDER BY customer_id LIMIT {int(examples)}"
                            ).fetchall() if count else []
        return count, [(str(c), float(v)) for c, v in first]

    def customer_totals(self) -> pd.DataFrame:
        """Orders (distinct order ids) and revenue (net) per customer, sorted by id, as
        :func:`workbench.overview.customer_totals`."""
        def compute():
            out = self.engine.con.sql(
                f"SELECT customer_id, COUNT(DISTINCT order_id) AS orders, fsum(amount) AS revenue "
                f"FROM {self.table} GROUP BY customer_id ORDER BY customer_id").to_arrow_table().to_pandas()
            return out.astype({"customer_id": "str", "orders": "int64", "revenue": "float64"})
        return self._once(("customer_totals",), compute)

    def period_totals(self, granularity: str) -> pd.DataFrame:
        """Revenue, distinct orders, customers and new customers per calendar period with rows.

        Returns
        -------
        pandas.DataFrame
            Indexed by a :class:`pandas.PeriodIndex` of ``granularity``: ``revenue``,
            ``orders``, ``customers``, ``new_customers`` (customers whose first row, of
            any kind, is in the period), as :func:`workbench.overview.period_summary`
            groups them before filling the periods without rows.
        """
        def compute():
            from workbench.engines.definitions import _period_sql

            def number(d):  # the calendar period of a DATE expression, as a number
                if granularity == "D":
                    return f"CAST(DATE_DIFF('day', DATE '1970-01-01', {d}) AS BIGINT)"
                return _period_sql(granularity, d)

            # No COUNT(DISTINCT ...) over the rows (three of them, over 100M order ids, took
            # about 10 minutes at 100M rows): customers and new customers are counted on the
            # distinct (customer, period) cells (a customer's first row is in the first
            # period of its cells: the period numbers grow with the date), and orders on
            # the distinct (period, order id) pairs, or as rows when every row is its own
            # order. The same counts as the distinct counts; revenue is the same sum.
            # (``NOT MATERIALIZED``: each use scans the table, none keeps a copy of its rows)
            if self.row_order_ids:
                money = "SELECT p, fsum(amount) AS revenue, COUNT(*) AS orders FROM r GROUP BY p"
                orders = ""
                counted = "money.orders"
            else:
                money = "SELECT p, fsum(amount) AS revenue FROM r GROUP BY p"
                orders = ("counted AS (SELECT p, COUNT(*) AS orders FROM (SELECT p, order_id FROM r "
                          "GROUP BY p, order_id) GROUP BY p),")
                counted = "counted.orders"
            sql = f"""
                WITH r AS NOT MATERIALIZED (
                    SELECT customer_id, order_id, amount, {number("CAST(date AS DATE)")} AS p FROM {self.table}),
                cells AS (SELECT customer_id, p FROM r GROUP BY customer_id, p),
                money AS NOT MATERIALIZED ({money}),
                {orders}
                active AS (SELECT p, COUNT(*) AS customers FROM cells GROUP BY p),
                firsts AS (SELECT MIN(p) AS p FROM cells GROUP BY customer_id),
                new AS (SELECT p, COUNT(*) AS new_customers FROM firsts GROUP BY p)
                SELECT p, money.revenue, {counted} AS orders, active.customers,
                       COALESCE(new.new_customers, 0) AS new_customers
                FROM money {"" if self.row_order_ids else "JOIN counted USING (p)"} JOIN active USING (p)
                     LEFT JOIN new USING (p)
                ORDER BY p"""
            out = self.engine.con.sql(sql).to_arrow_table().to_pandas()
            numbers = out.pop("p").to_numpy(dtype=np.int64)
            if granularity == "D":
                index = pd.PeriodIndex(pd.DatetimeIndex(numbers.astype("datetime64[D]")), freq="D")
            elif granularity == "W":
                index = pd.PeriodIndex(pd.DatetimeIndex((numbers * 7 - 3).astype("datetime64[D]")), freq="W")
            else:
                months = {"M": numbers, "Q": numbers * 3, "Y": numbers * 12}[granularity]
                index = pd.PeriodIndex(pd.DatetimeIndex(months.astype("datetime64[M]")), freq=granularity)
            out.index = index
            out.index.name = "period"
            return out.astype({"revenue": "float64", "orders": "int64", "customers": "int64",
                               "new_customers": "int64"})
        return self._once(("period_totals", granularity), compute)

    def period_spend(self, as_of=None, *, period: str = "M", codes: bool = False):
        """:meth:`Engine.period_spend` on the rows up to ``as_of``, computed once per arguments:
        one row per customer and calendar period with ``spend`` (net), ``purchases`` and
        ``returns`` (rows); with ``codes=True`` a
        :class:`~workbench.engines.base.PeriodSpend` (integer customer codes and their
        ids), what the lifecycle stages read."""
        key = ("period_spend", period, _key(as_of)) + (("codes",) if codes else ())
        return self._once(key, lambda: self.engine.period_spend(period=period, as_of=as_of, codes=codes))

    def churn_counts(self, as_of=None, *, period: str = "M") -> pd.DataFrame:
        """:meth:`Engine.churn_counts` on the rows up to ``as_of``, computed once per arguments:
        active, new and retained customers per period with a purchase, what
        :func:`workbench.lifecycle.churn_rates` reads."""
        key = ("churn_counts", period, _key(as_of))
        return self._once(key, lambda: self.engine.churn_counts(period=period, as_of=as_of))

    def cohort_counts(self, as_of=None, *, period: str = "M") -> pd.DataFrame:
        """:meth:`Engine.cohort_counts` on the rows up to ``as_of``, computed once per arguments:
        customers and net revenue per cohort and periods since, what
        :func:`workbench.lifecycle.cohort_table` reads (both metrics from one query)."""
        key = ("cohort_counts", period, _key(as_of))
        return self._once(key, lambda: self.engine.cohort_counts(period=period, as_of=as_of))

    def purchase_gaps(self, as_of) -> pd.DataFrame:
        """Days between a customer's consecutive purchase days up to ``as_of``, by length.

        For :func:`workbench.lifecycle.inter_purchase_horizon`: purchase days are the
        distinct days with a row that is not a return, per customer.

        Returns
        -------
        pandas.DataFrame
            ``gap`` (days, ascending), ``gaps`` (how many) and ``weight`` (the sum over
            those gaps of 1 / the number of gaps of their customer).
        """
        def compute():
            days = (f"SELECT DISTINCT customer_id, DATE_DIFF('day', DATE '1970-01-01', CAST(date AS DATE)) AS d "
                    f"FROM {self.table} WHERE NOT {self._returns()} AND CAST(date AS DATE) <= DATE '{_key(as_of)}'")
            sql = f"""
                WITH days AS ({days}),
                g AS (SELECT customer_id, d - LAG(d) OVER (PARTITION BY customer_id ORDER BY d) AS gap FROM days),
                w AS (SELECT gap, CAST(1 AS DOUBLE) / COUNT(*) OVER (PARTITION BY customer_id) AS w FROM g
                       WHERE gap IS NOT NULL)
                SELECT gap, COUNT(*) AS gaps, fsum(w) AS weight FROM w GROUP BY gap ORDER BY gap"""
            out = self.engine.con.sql(sql).to_arrow_table().to_pandas()
            return out.astype({"gap": "int64", "gaps": "int64", "weight": "float64"})
        return self._once(("purchase_gaps", _key(as_of)), compute)

    def value_total(self, value: str, as_of) -> float:
        """The total of ``gross_profit`` (its column, else ``amount - cost``) or of ``amount``
        over the rows up to ``as_of``, missing values skipped: what
        :func:`workbench.clv.retention_inputs` divides by the active customer-periods."""
        column = {"amount": "amount", "gross_profit": "gross_profit" if "gross_profit" in self.columns
                  else "amount - cost"}[value]
        sql = (f"SELECT COALESCE(fsum(x) FILTER (WHERE NOT isnan(x)), 0) FROM (SELECT CAST({column} AS DOUBLE) AS x "
               f"FROM {{t}} WHERE CAST(date AS DATE) <= DATE '{_key(as_of)}')")
        return self._once(("value_total", value, _key(as_of)), lambda: float(self.scalar(sql)))

    def _returns(self) -> str:
        """The SQL condition of a return row, as :func:`workbench.features.is_return`."""
        return "(amount < 0 OR is_return)" if "is_return" in self.columns else "(amount < 0)"

    def repeat_purchase_days(self, cal_day: int, obs_day: int, start_day: int | None):
        """Per-day counts for :func:`workbench.clv.repeat_purchase_tracking`.

        Purchase days (customer, day) up to ``obs_day`` (from ``start_day``) of the
        customers whose first purchase day is on or before ``cal_day``.

        Returns
        -------
        repeat : pandas.DataFrame
            ``d`` (day number) and ``n``: repeat purchase days (after the customer's
            first) on that day.
        births : pandas.DataFrame
            ``d`` and ``n``: customers whose first purchase day is ``d``.
        first_day : int or None
            The earliest purchase day of the cohort.
        """
        def compute():
            ret = self._returns()
            low = "" if start_day is None else f" AND CAST(date AS DATE) >= DATE '{_iso(start_day)}'"
            days = (f"SELECT DISTINCT customer_id, DATE_DIFF('day', DATE '1970-01-01', CAST(date AS DATE)) AS d "
                    f"FROM {self.table} WHERE NOT {ret} AND CAST(date AS DATE) <= DATE '{_iso(obs_day)}'{low}")
            base = (f"WITH days AS ({days}), firsts AS (SELECT customer_id, MIN(d) AS f FROM days "
                    f"GROUP BY customer_id HAVING MIN(d) <= {int(cal_day)})")
            con = self.engine.con
            repeat = con.sql(f"{base} SELECT d, COUNT(*) AS n FROM days JOIN firsts USING (customer_id) "
                             "WHERE d > f GROUP BY d ORDER BY d").to_arrow_table().to_pandas()
            births = con.sql(f"{base} SELECT f AS d, COUNT(*) AS n FROM firsts GROUP BY f ORDER BY f"
                             ).to_arrow_table().to_pandas()
            repeat, births = (t.astype({"d": "int64", "n": "int64"}) for t in (repeat, births))
            first = int(births["d"].min()) if len(births) else None
            return repeat, births, first
        return self._once(("repeat_purchase_days", cal_day, obs_day, start_day), compute)


class EngineColumn:
    """One column of :class:`EngineTransactions`: its reductions run in the engine.

    ``min``, ``max``, ``sum``, ``mean``, ``median`` (exact, interpolated as pandas) and
    ``nunique`` skip missing values as pandas does; anything else needs the rows and
    raises a ``ValueError`` that says so.
    """

    _SQL = {"min": "MIN({c})", "max": "MAX({c})", "sum": "fsum({c})", "mean": "fsum({c}) / COUNT({c})",
            "median": "quantile_cont({c}, 0.5)", "nunique": "COUNT(DISTINCT {c})"}

    def __init__(self, transactions: EngineTransactions, name: str):
        self._tx, self.name = transactions, name

    def _reduce(self, how: str):
        tx = self._tx
        column = f'"{self.name}"'
        expr = self._SQL[how].format(c=column)
        if how in ("sum", "mean") and self.name in ("is_return", "is_outlier", "is_duplicate"):  # exact counts
            expr = {"sum": "SUM({c})", "mean": "AVG({c})"}[how].format(c=f"CAST({column} AS BIGINT)")

        def compute():
            value = tx.scalar(f"SELECT {expr} FROM {{t}}")
            if how == "nunique" or (how == "sum" and self.name.startswith("is_")):
                return int(value or 0)
            if self.name == "date":
                return pd.NaT if value is None else pd.Timestamp(value)
            return np.nan if value is None else float(value)
        return tx._once(("reduce", self.name, how), compute)  # noqa: SLF001 - the column's own table

    def min(self):
        return self._reduce("min")

    def max(self):
        return self._reduce("max")

    def sum(self):
        return self._reduce("sum")

    def mean(self):
        return self._reduce("mean")

    def median(self):
        return self._reduce("median")

    def nunique(self):
        return self._reduce("nunique")

    def __getattr__(self, name):
        if name.startswith("_"):  # pandas and numpy probing what this is (``_typ``, ``__array__``...)
            raise AttributeError(name)
        raise ValueError(self._tx.needs_rows(f"transactions[{self.name!r}]"))  # its values, whatever asks

    def __array__(self, *args, **kwargs):
        raise ValueError(self._tx.needs_rows(f"transactions[{self.name!r}]"))

    def __iter__(self):
        raise ValueError(self._tx.needs_rows(f"transactions[{self.name!r}]"))

    def __len__(self) -> int:
        raise ValueError(self._tx.needs_rows(f"transactions[{self.name!r}]"))

    def _compare(self, other):
        raise ValueError(self._tx.needs_rows(f"transactions[{self.name!r}]"))

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _compare
    __add__ = __sub__ = __mul__ = __truediv__ = __radd__ = __rsub__ = __rmul__ = __rtruediv__ = _compare
    __hash__ = None


def _key(value):
    return None if value is None else str(pd.Timestamp(value).normalize().date())


def _iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _json_text(text: str) -> str:
    import json

    return json.dumps(str(text), ensure_ascii=False)


def _json_cell(column: str, kind: str) -> str:
    """A quarantine cell as the pandas path writes it into ``values``: NaN as null, a time
    in ISO form (``2024-01-05T00:00:00``)."""
    cell = _q(column)
    if kind in ("DOUBLE", "FLOAT", "REAL"):
        return f"CASE WHEN isnan({cell}) THEN NULL ELSE {cell} END"
    if kind.startswith("TIMESTAMP") and "TIME ZONE" not in kind:
        return (f"CASE WHEN microsecond({cell}) % 1000000 = 0 THEN strftime({cell}, '%Y-%m-%dT%H:%M:%S') "
                f"ELSE strftime({cell}, '%Y-%m-%dT%H:%M:%S.%f') END")
    if kind.startswith("TIMESTAMP"):
        return f"CAST({cell} AS VARCHAR)"
    return cell


_MISSING = object()

#: dtypes a stored frame keeps through Parquet exactly (kind codes of numpy dtypes, and str)
_PLAIN_KINDS = frozenset("biufM")


def _parquet_safe(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` comes back from Parquet with the same values, dtypes and index:
    a default :class:`pandas.RangeIndex`, unique string column names, and only text
    (``str``), bool, integer, float and timezone-naive datetime columns."""
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1 \
            or frame.index.name is not None:
        return False
    names = list(frame.columns)
    if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        return False
    for dtype in frame.dtypes:
        if isinstance(dtype, pd.StringDtype):
            if dtype != pd.StringDtype(storage="pyarrow", na_value=np.nan):  # pandas' default "str"
                return False
        elif not isinstance(dtype, np.dtype) or dtype.kind not in _PLAIN_KINDS:
            return False
    return True


def _write_stored(stem: Path, value: Any) -> Path:
    """Keep ``value`` as ``<stem>.parquet`` (a frame :func:`_parquet_safe` allows) or
    ``<stem>.pkl``; written beside and renamed, so a reader sees a whole file or none."""
    if isinstance(value, pd.DataFrame) and _parquet_safe(value):
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = stem.with_suffix(".parquet")
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        table = pa.Table.from_pandas(value, preserve_index=False)
        pq.write_table(table, partial, compression="snappy")
    else:
        path = stem.with_suffix(".pkl")
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        with partial.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)
    return path


def _read_stored(stem: Path) -> Any:
    """What :func:`_write_stored` kept under ``stem``, or :data:`_MISSING`."""
    path = stem.with_suffix(".parquet")
    if path.is_file():
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pandas()
    path = stem.with_suffix(".pkl")
    if path.is_file():
        with path.open("rb") as handle:
            return pickle.load(handle)
    return _MISSING
