"""Case studies: one YAML file per case maps the user's data onto the canonical tables.

A case file says where the data are, how their columns map onto the canonical names,
which window and period granularity apply, in which language the report speaks, and
the analysis parameters. Example (``cases/cdnow.yaml``)::

    name: cdnow
    title: {en: CDNOW music CD buyers, zh: CDNOW 音乐 CD 客户}
    language: en
    currency: USD
    granularity: M
    start: 1997-01-01
    end: 1998-06-30
    default_period: 1998-06
    sources:
      transactions:
        path: ../data/raw/cdnow/CDNOW_master.txt
        sep: whitespace
        columns: {amount: dollar_value, quantity: number_of_cds}
    notebooks: [00_data_overview]
    parameters: {}

Relative paths are relative to the case file. A source may instead be produced by a
generator (``generator: ncompany`` with ``options``); its tables are written to
``data/processed/<case>/`` (see :func:`workbench.resources.processed_dir`) and then read
like any file, so they take the same path through :mod:`workbench.io` and
:mod:`workbench.cleaning` and get checksums. Generators are found by name among the
``workbench.generators`` entry points (``pyproject.toml`` declares
``ncompany = "workbench.datasets:make_ncompany"``) and imported only when a case uses
one: a generator may build on the analysis code (the N company's churn reasons come
from the lifecycle module), which this module, below the analysis layer, never imports.
Another package can register generators of its own the same way.

The ``parameters`` section is validated when the case loads, into typed objects with
their defaults (:mod:`workbench.parameters`): ``case.params.value.abc_cuts``.

A source named ``transactions``, ``customers``, ``survey`` or ``opportunities`` (or with
``table:`` one of those) is mapped and cleaned; any other is an auxiliary table read as it is
(``sales_expense``, the generator's ``truth_*`` tables), so a name close to a table's
(``orders``, ``customer``) is rejected as a probable typo. A case needs transactions or
a survey.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import inspect
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from workbench import cleaning, io, privacy, resources
from workbench._periods import _zone
from workbench.labels import LANGUAGES, label
from workbench.parameters import TOPICS, CaseParameters, EngineParameters, ParameterError, parse_parameters

__all__ = [
    "CASES_DIR",
    "HUGE_AMOUNT",
    "Case",
    "CaseError",
    "LoadedCase",
    "generators",
    "list_cases",
    "load_case",
    "personal_ids",
    "pseudonymise_quarantine_ids",
    "source_missing_values",
]

#: Bundled case files: ``cases/`` of the source checkout, or the installed package's copy.
CASES_DIR = resources.bundled("cases")
#: Entry-point group of the source generators (``generator:`` in a case file).
GENERATORS_GROUP = "workbench.generators"

_TOP_KEYS = {
    "name": "the case's short name (letters, digits, '-', '_'); equals the file name",
    "title": "a mapping {zh: ..., en: ...} or a string",
    "description": "free text",
    "language": f"report language, one of {list(LANGUAGES)}",
    "currency": "3-letter ISO 4217 code shown with amounts, e.g. CNY or USD",
    "granularity": "period granularity: D, W, M, Q or Y",
    "start": "first date of the data window (YYYY-MM-DD)",
    "end": "last date of the data window (YYYY-MM-DD), optional; not before start",
    "default_period": "the period rendered when none is given, e.g. 1998-06; it must "
                      "end within start..end",
    "sources": "mapping of table name -> source (path or generator)",
    "notebooks": "list of notebook names in notebooks/ to render, in order",
    "parameters": f"analysis parameters by topic ({', '.join(TOPICS)}); see workbench.parameters",
    "engine": "pandas (default), duckdb or spark, or a mapping {name: duckdb, memory_limit: 6GB, ...}; "
              "see workbench.parameters.EngineParameters",
}
_REQUIRED_KEYS = ("name", "language", "granularity", "start", "default_period", "sources",
                  "notebooks")
_SOURCE_KEYS = {"path", "sheet", "sep", "encoding", "header", "columns", "date_format",
                "duplicates", "table", "generator", "options",
                # how values are read (see workbench.io, workbench.cleaning, workbench.privacy)
                "missing_values", "not_missing", "missing_codes", "time_zone", "conflicts",
                "keep_personal_data",
                # engine cases only (engine: duckdb or spark): how the engine reads the source
                "format", "source_table", "connection_env"}
#: Source keys only an engine case takes (see :func:`workbench.engines.load_case_tables`).
_ENGINE_SOURCE_KEYS = ("format", "source_table", "connection_env")
_GRANULARITIES = ("D", "W", "M", "Q", "Y")
_CANONICAL = tuple(io.CANONICAL_COLUMNS)
_DUPLICATES = ("quarantine", "keep")
#: Names people give the canonical tables. A source so named (or a near miss of a
#: canonical name) without ``table:`` is almost surely meant as that table, not as an
#: auxiliary one, which would be read without mapping or cleaning.
_TABLE_ALIASES = {
    "orders": "transactions", "sales": "transactions", "purchases": "transactions",
    "invoices": "transactions", "clients": "customers", "accounts": "customers",
    "responses": "survey", "questionnaire": "survey",
    "deals": "opportunities", "pipeline": "opportunities", "leads": "opportunities",
}
#: The token that asks for respondent ids made from row numbers (R0001...).
ROW_NUMBER = "@row"
#: ``table: auxiliary`` declares a source an auxiliary table (read as is, not cleaned).
AUXILIARY = "auxiliary"


def _kind(name: str, spec: Mapping[str, Any]) -> str | None:
    """The canonical table a source gives (its name or its ``table``), None if auxiliary."""
    table = spec.get("table", name if name in _CANONICAL else None)
    return None if table == AUXILIARY else table


def generators() -> dict[str, Any]:
    """The registered source generators, name -> entry point (not yet imported).

    Returns
    -------
    dict of str to importlib.metadata.EntryPoint
        From the ``workbench.generators`` entry points of the installed distributions;
        ``ep.load()`` imports the generator, a callable taking the case file's
        ``options`` as keywords and returning an object whose ``tables(truth=True)``
        gives table name -> DataFrame.
    """
    return {ep.name: ep for ep in entry_points(group=GENERATORS_GROUP)}


def _generator(path: Path, name: str) -> Callable[..., Any]:
    registered = generators()
    if name not in registered:
        raise _fail(path, f"generator {name!r} is not registered; registered: {sorted(registered)}. "
                          f"A generator is declared under [project.entry-points.\"{GENERATORS_GROUP}\"] "
                          "in pyproject.toml; reinstall the package (pip install -e .) after adding one")
    return registered[name].load()


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), for short names."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


class CaseError(ValueError):
    """A case file is invalid; the message names the file, the key and what is allowed."""


class _CaseLoader(yaml.SafeLoader):
    """YAML's safe loader, but dates stay text.

    YAML's own date constructor fails on ``2024-13-01`` with a bare "month must be in
    1..12" that names neither the file nor the key; as text, the date is checked by
    :func:`_as_date`, whose message names both.
    """


_CaseLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Case:
    """A validated case file. Build it with :func:`load_case`."""

    name: str
    path: Path
    language: str
    granularity: str
    start: pd.Timestamp
    default_period: str
    sources: Mapping[str, Mapping[str, Any]]
    notebooks: tuple[str, ...]
    params: CaseParameters = field(default_factory=CaseParameters)
    engine: EngineParameters = field(default_factory=EngineParameters)
    title: str = ""
    description: str = ""
    currency: str = ""
    end: pd.Timestamp | None = None

    @property
    def root(self) -> Path:
        """The folder relative paths in the case file are resolved against."""
        return self.path.parent

    def period(self, period: str | None = None) -> pd.Period:
        """The report period as a :class:`pandas.Period` of the case's granularity.

        Parameters
        ----------
        period : str, optional
            Written at the case's grain: ``"2024-01-31"`` (D, or W: the week that
            contains the day), ``"2024-W05"`` (W: an ISO week, Monday to Sunday),
            ``"2024-01"`` (M), ``"2024Q1"`` (Q), ``"2024"`` (Y).
            Default: the case's ``default_period``.

        Returns
        -------
        pandas.Period

        Raises
        ------
        CaseError
            When the text is not a period of the case's grain (a month such as
            ``2024-03`` for a case of weeks), or the period ends before the case's
            ``start`` or after its ``end``.
        """
        text = str(period or self.default_period)
        examples = {"D": "2024-01-31", "W": "2024-01-31", "M": "2024-01",
                    "Q": "2024Q1", "Y": "2024"}
        problem = CaseError(
            f"{self.path}: period {text!r} is not a {self.granularity} period; "
            f"write it like {examples[self.granularity]!r}"
        )
        if self.granularity == "W":
            # pandas reads '2024-03' as the week of 2024-03-01: a week is an ISO week or a day
            week = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text)
            if not (week or re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text)):
                raise CaseError(f"{self.path}: " + label("message_period_not_week", self.language).format(text=text))
            if week:
                try:
                    text = dt.date.fromisocalendar(int(week[1]), int(week[2]), 1).isoformat()
                except ValueError as exc:  # week 54, week 0
                    raise CaseError(f"{self.path}: " + label("message_period_not_week", self.language).format(
                        text=week[0])) from exc
        try:
            parsed = pd.Period(text, freq=_period_freq(self.granularity))
        except (ValueError, TypeError) as exc:
            raise problem from exc
        # pandas accepts '2024Q1' as a month; a period must be written at its own grain
        if self.granularity != "W" and str(parsed) != text:
            raise problem
        last = parsed.end_time.normalize()
        window = f"{self.start.date()}..{self.end.date() if self.end is not None else ''}"
        if last < self.start or (self.end is not None and last > self.end):
            which = "before the case's start" if last < self.start else "after the case's end"
            raise CaseError(
                f"{self.path}: period {text!r} ends on {last.date()}, {which}; a period "
                f"must end within the data window {window} (keys 'start' and 'end')"
            )
        return parsed

    def resolve(self, path: str | Path) -> Path:
        """A path written in the case file, relative to the case file's folder.

        Parameters
        ----------
        path : str or path-like
            Absolute, or relative to the folder of the case file (as source paths are).

        Returns
        -------
        pathlib.Path
        """
        return (self.root / path).resolve()

    def as_of(self, period: str | None = None) -> pd.Timestamp:
        """The last day of ``period``: the date as of which the report analyses.

        Parameters
        ----------
        period : str, optional
            As in :meth:`period`; default the case's ``default_period``.

        Returns
        -------
        pandas.Timestamp
            Midnight of the period's last day (``1998-06`` gives 1998-06-30); the
            transactions of that whole day are included.
        """
        return self.period(period).end_time.normalize()

    def source_files(self) -> dict[str, Path]:
        """Table name -> file, generating generator sources into data/processed first.

        An engine case's source may be a glob, a folder of Parquet files or a list: each
        file is one entry, ``<name>/<file name>`` when there are several; a table of a
        database has no file and no entry.
        """
        files = {}
        for name, spec in self.sources.items():
            if self.engine.name != "pandas":
                files.update(_engine_files(self, name, spec))
            elif "generator" in spec:
                folder = _materialise(self, spec)
                table = _kind(name, spec) or name  # what the generator calls the table
                files[name] = folder / f"{table}.csv"
                if not files[name].is_file():
                    have = sorted(p.stem for p in folder.glob("*.csv"))
                    raise CaseError(f"{self.path}: source '{name}': generator "
                                    f"'{spec['generator']}' writes no table '{table}'; it writes {have}")
            else:
                files[name] = self.resolve(spec["path"])
        return files

    def load(self, period: str | None = None, *,
             today: str | pd.Timestamp | None = None) -> LoadedCase:
        """Read, map and clean every source; keep transactions up to the period's end.

        Parameters
        ----------
        period : str, optional
            Default: the case's ``default_period``.
        today : date-like, optional
            The day of the run, after which dates are quarantined as in the future
            (``date_in_future``). Default: today.

        Returns
        -------
        LoadedCase

        Notes
        -----
        During a render the result is cached for the render's other notebooks
        (:mod:`workbench.cache`); outside one, every call reads the files.
        """
        if self.engine.name != "pandas":
            raise CaseError(f"{self.path}: the case runs on engine {self.engine.name} (key 'engine'), whose "
                            "sources are read by the engine, never into pandas: load its data with "
                            "workbench.engines.load_data(case, period), as the notebooks do")
        from workbench import cache

        cached = cache.lookup(self, period, today)
        if cached is not None:
            return cached
        as_of = self.as_of(period)
        files = self.source_files()
        for name, spec in self.sources.items():
            if _kind(name, spec) == "transactions":
                check_fits_in_memory(self.path, name, files[name], self.engine.memory_share)
        tables: dict[str, pd.DataFrame] = {}
        quarantine: dict[str, pd.DataFrame] = {}
        notes: dict[str, dict[str, Any]] = {}
        logs = []
        # opportunities last: a won opportunity is checked against the clean orders
        for name, spec in sorted(self.sources.items(), key=lambda s: _kind(*s) == "opportunities"):
            kind = _kind(name, spec)
            path = files[name]
            keep_clear = _keep_personal(spec)
            if kind is None:  # auxiliary table: read with pandas' own typing, no mapping
                table = pd.read_csv(path) if path.suffix == ".csv" else io.read_table(path)
                personal = privacy.detect_personal_columns(table, skip=["customer_id"])
                for column, what in personal.items():
                    if column not in keep_clear and what not in keep_clear:
                        table[column] = privacy.pseudonymise(table[column], what, context=self.name)
                tables[name] = table
                notes[name] = {"file": path.name, "personal": personal}
                continue
            raw = io.read_table(path, sheet=spec.get("sheet"), sep=spec.get("sep"),
                                encoding=spec.get("encoding"), header=spec.get("header", 0),
                                missing_values=source_missing_values(spec),
                                missing_codes=spec.get("missing_codes") or (), lang=self.language)
            header = spec.get("header", 0)
            first_row = 1 if header is None else header + 2
            mapping = dict(spec.get("columns") or {})
            if kind == "survey" and mapping.get("respondent_id") == ROW_NUMBER:
                width = len(str(len(raw)))
                raw.insert(0, "respondent_id", [f"R{i:0{width}d}" for i in range(1, len(raw) + 1)])
                mapping.pop("respondent_id")
            try:
                mapped = io.apply_mapping(raw, mapping, kind, source=path.name, lang=self.language)
            except io.ColumnMappingError as exc:
                raise io.ColumnMappingError(f"{exc}{_mapping_hint(path, spec, raw, self.language)}") from None
            if kind == "survey":
                mapped = mapped[self._survey_columns(name, mapping, mapped, path, raw)]
            used = set(mapped.columns) | {mapping.get(c, c) for c in mapped.columns}
            unused = [c for c in raw.columns if c not in used]
            personal = privacy.detect_personal_columns(raw[unused]) if unused else {}
            for column, what in privacy.PERSONAL_COLUMNS.items():
                if column in mapped.columns and column not in keep_clear:
                    mapped[column] = privacy.pseudonymise(mapped[column], what, context=self.name)
            notes[name] = {"file": path.name, "first_row": first_row, "unused": unused,
                           "personal_unused": personal,
                           "pseudonymised": [c for c in privacy.PERSONAL_COLUMNS
                                             if c in mapped.columns and c not in keep_clear]}
            if kind == "transactions":
                result = cleaning.clean_transactions(
                    mapped, start=self.start, end=self.end, date_format=spec.get("date_format"),
                    duplicates=spec.get("duplicates") or "quarantine",
                    conflicts=spec.get("conflicts") or "quarantine",
                    time_zone=spec.get("time_zone"), today=today, first_row=first_row)
                notes[name]["huge_amounts"] = _huge_amounts(mapped, result, first_row)
            elif kind == "customers":
                result = cleaning.clean_customers(mapped, date_format=spec.get("date_format"),
                                                  today=today, first_row=first_row)
            elif kind == "opportunities":
                funnel = self.params.funnel
                result = cleaning.clean_opportunities(
                    mapped, stages=funnel.stages, won_stage=funnel.won_stage,
                    lost_stage=funnel.lost_stage, orders=tables.get("transactions"),
                    order_grace_days=funnel.order_grace_days, end=self.end,
                    date_format=spec.get("date_format"))
            else:  # ids only; the answers are checked against the model spec by `satisfaction`
                result = cleaning.clean_respondents(mapped, first_row=first_row)
            # under its canonical name, so a source called e.g. 'orders' with
            # 'table: transactions' is the case's transactions
            tables[kind] = result.clean
            quarantine[name] = result.quarantine
            logs.append(result.log.assign(table=name)[["table", "reason", "rows", "share"]])
        _pseudonymise_ids(self, tables, quarantine, notes)
        transactions = tables.get("transactions")
        after = 0
        if transactions is not None:
            later = transactions["date"] >= as_of + pd.Timedelta(days=1)
            after = int(later.sum())
            tables["transactions"] = transactions[~later].reset_index(drop=True)
        if "opportunities" in tables:  # as of the analysis date: later stages are not known yet
            opportunities = tables["opportunities"]
            known = opportunities["stage_date"] < as_of + pd.Timedelta(days=1)
            tables["opportunities"] = opportunities[known].reset_index(drop=True)
        log = pd.concat(logs, ignore_index=True) if logs else pd.DataFrame(
            columns=["table", "reason", "rows", "share"])
        loaded = LoadedCase(
            case=self,
            period=str(self.period(period)),
            as_of=as_of,
            tables=tables,
            quarantine=quarantine,
            cleaning_log=log,
            rows_after_period=after,
            files=files,
            notes=notes,
        )
        cache.store(self, period, today, loaded)
        return loaded

    def survey_spec(self):
        """The survey's model spec named under ``parameters.satisfaction.spec``.

        Returns
        -------
        workbench.satisfaction.ModelSpec
            A shipped spec by name, or a YAML file relative to the case file; without
            the key, the default of :class:`workbench.parameters.SatisfactionParameters`.

        Raises
        ------
        CaseError
            When the spec cannot be read (the message names the key).
        """
        from workbench.satisfaction.spec import SpecError, load_spec

        name = self.params.satisfaction.spec  # resolved against the case file when a path
        try:
            return load_spec(name)
        except SpecError as exc:
            raise _fail(self.path, f"key 'parameters.satisfaction.spec': {exc}") from None

    def _survey_columns(self, name: str, mapping: Mapping[str, str], mapped: pd.DataFrame,
                        path: Path, raw: pd.DataFrame) -> list[str]:
        """The survey's id columns and its items: mapped item columns and the spec's.

        Other columns (a phone number, a free-text remark, a column no spec names) are
        not answers and are left out, so they never reach a table or the workbook. A spec
        item read from the column of its name (not mapped) that the header has twice is
        an error, as a mapped one is (:func:`workbench.io.apply_mapping`).
        """
        known = set(io.CANONICAL_COLUMNS["survey"]["required"]) | set(
            io.CANONICAL_COLUMNS["survey"]["optional"])
        ids = [c for c in mapped.columns if c in known]
        items = [item for item in mapping if item not in known]
        spec = self.survey_spec()
        if spec is not None:
            wanted = [*spec.items, *([spec.recommend["item"]] if spec.recommend else [])]
            for item in wanted:
                if item not in items and len(positions := io.header_positions(raw, item)) > 1:
                    raise ValueError(io.repeated_header_message(path.name, item, item, positions,
                                                                how="spec_item", lang=self.language))
            items += [i for i in wanted if i not in items]
        if not any(i in mapped.columns for i in items):
            raise _fail(self.path, f"source '{name}' ({path.name}): which columns are the "
                                   "answers? Name a model spec under 'parameters.satisfaction."
                                   "spec' (its items are the answer columns) or map item columns "
                                   f"under 'sources.{name}.columns'; the file has columns "
                                   f"{[c for c in mapped.columns if c not in known]}")
        present = [i for i in items if i in mapped.columns]
        return ids + [c for c in mapped.columns if c in present]


@dataclass(frozen=True)
class LoadedCase:
    """A case's data for one period, cleaned.

    Attributes
    ----------
    case : Case
    period : str
        The report period, e.g. ``"1998-06"``.
    as_of : pandas.Timestamp
        The period's last day (:meth:`Case.as_of`).
    tables : dict of str to DataFrame
        Clean tables: canonical ones under their canonical name (``transactions``,
        ``customers``, ``survey``, whatever the source is called), auxiliary ones under
        their source name; ``transactions`` holds rows up to the analysis date only
        (later rows are counted in ``rows_after_period``), ``opportunities`` the stages
        entered up to it (an opportunity won later is open as of the period).
    quarantine : dict of str to DataFrame
        Rejected rows with reasons, per table.
    cleaning_log : DataFrame
        ``table``, ``reason``, ``rows``, ``share`` (``kept`` first).
    rows_after_period : int
        Clean transaction rows dated after the analysis date; counted as kept in the
        log but not in ``tables["transactions"]``.
    files : dict of str to Path
        The files read, for checksums in the manifest.
    notes : dict of str to dict
        Per source: ``file`` (its name), ``first_row`` (the file's row number of the
        first data row), ``unused`` (columns of the file not read), ``personal_unused``
        (those of them that look like personal data), ``pseudonymised`` (mapped
        personal columns replaced by pseudonyms, ``customer_id`` when the ids are
        personal data), ``personal_ids`` (``"phone"`` or ``"email"``: the ids are, see
        :func:`personal_ids`); transactions: ``huge_amounts`` (kept rows whose amount
        is at least :data:`HUGE_AMOUNT`: ``rows``, ``limit`` and ``examples``, pairs of
        file row and value as written); auxiliary tables: ``personal``.
    """

    case: Case
    period: str
    as_of: pd.Timestamp
    tables: dict[str, pd.DataFrame]
    quarantine: dict[str, pd.DataFrame]
    cleaning_log: pd.DataFrame
    rows_after_period: int
    files: dict[str, Path]
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        """Report language of the case, ``"zh"`` or ``"en"``."""
        return self.case.language

    @property
    def transactions(self) -> pd.DataFrame:
        """Clean transactions up to the analysis date.

        Returns
        -------
        pandas.DataFrame
            The canonical transactions table (see :mod:`workbench.schema`); amounts in
            the case's currency.

        Raises
        ------
        KeyError
            When the case has no transactions source.
        """
        return self._table("transactions")

    @property
    def customers(self) -> pd.DataFrame | None:
        """The clean customers table (one row per customer), or None without one."""
        return self.tables.get("customers")

    @property
    def survey(self) -> pd.DataFrame | None:
        """The survey, one row per respondent with a unique ``respondent_id`` and the
        items as read, or None without one."""
        return self.tables.get("survey")

    @property
    def opportunities(self) -> pd.DataFrame | None:
        """The clean opportunities (one row per stage entered, stages up to the analysis
        date only; see :func:`workbench.cleaning.clean_opportunities`), or None."""
        return self.tables.get("opportunities")

    @property
    def params(self) -> CaseParameters:
        """The case's validated parameters, one typed object per topic (``params.value``);
        see :mod:`workbench.parameters`."""
        return self.case.params

    def sources_table(self) -> pd.DataFrame:
        """One row per source and what became of its rows.

        Returns
        -------
        pandas.DataFrame
            ``table``, ``file``, ``rows_in``, ``kept``, ``quarantined``
            (``rows_in = kept + quarantined``), ``after_period`` (kept transactions
            dated after the analysis date, left for later periods) and ``analysed``
            (``kept - after_period``: the rows the report uses). Auxiliary tables are
            not cleaned: all their rows count as kept.
        """
        rows = []
        for name, path in self.files.items():
            log = self.cleaning_log[self.cleaning_log["table"] == name]
            rows_in = int(log["rows"].sum()) if len(log) else len(self.tables.get(name, ()))
            kept = int(log.loc[log["reason"] == "kept", "rows"].sum()) if len(log) else rows_in
            after = self.rows_after_period if _kind(name, self.case.sources[name]) == "transactions" else 0
            rows.append({"table": name, "file": path.name, "rows_in": rows_in, "kept": kept,
                         "quarantined": rows_in - kept, "after_period": after,
                         "analysed": kept - after})
        return pd.DataFrame(rows, columns=["table", "file", "rows_in", "kept", "quarantined",
                                           "after_period", "analysed"])

    def _table(self, name: str) -> pd.DataFrame:
        if name not in self.tables:
            raise KeyError(
                f"case '{self.case.name}' has no '{name}' source; it has {sorted(self.tables)}"
            )
        return self.tables[name]


#: Peak memory of reading and cleaning in pandas, per byte of a text file and per cell
#: of a Parquet file: measured on 500,000 CDNOW-like rows of 5 columns (io.read_table +
#: cleaning.clean_transactions: 9.7x the CSV's size, 124 bytes a cell from Parquet).
TEXT_MEMORY_FACTOR = 10.0
PARQUET_BYTES_PER_CELL = 125.0


def available_memory() -> int:
    """Bytes of memory available to a new process (``MemAvailable`` on Linux, else the RAM)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os

    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def estimate_memory(path: str | Path) -> tuple[int | None, int]:
    """Rows and bytes that reading and cleaning a file in pandas would take, before reading it.

    Parameters
    ----------
    path : path-like
        A transactions file (Parquet, CSV or text; Excel files hold at most about a
        million rows and are not estimated).

    Returns
    -------
    rows : int or None
        From the Parquet footer; None for text files (not counted: that is a pass).
    bytes : int
        Parquet: rows x columns x :data:`PARQUET_BYTES_PER_CELL`; text: the file size x
        :data:`TEXT_MEMORY_FACTOR`; Excel: 0.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            meta = pq.read_metadata(path)
        except Exception:  # noqa: BLE001 - unreadable: io.read_table says so with the file's name
            return None, 0
        return meta.num_rows, int(meta.num_rows * meta.num_columns * PARQUET_BYTES_PER_CELL)
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        return None, 0
    return None, int(path.stat().st_size * TEXT_MEMORY_FACTOR)


def check_fits_in_memory(case_path: Path, name: str, path: Path, share: float,
                         available: int | None = None) -> None:
    """Refuse, before reading, a source that would not fit in memory in pandas.

    Raises
    ------
    CaseError
        When :func:`estimate_memory` exceeds ``share`` of :func:`available_memory`,
        naming the file, the estimate and the advice to set ``engine: duckdb``.
    """
    rows, need = estimate_memory(path)
    available = available_memory() if available is None else available
    if need > share * available:
        counted = f"{rows:,} rows, " if rows is not None else ""
        raise _fail(case_path, f"source '{name}' ({path.name}: {counted}about {need / 2**30:.1f} GB once read "
                               f"and cleaned in pandas) is too large for the {available / 2**30:.1f} GB of "
                               f"memory available (at most {share:.0%} of it, key 'engine.memory_share'). "
                               "Set 'engine: duckdb' in the case file: DuckDB reads, cleans and aggregates "
                               "the file out of core and spills to disk")


def source_missing_values(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """The missing markers of one source of a case file: the defaults
    (:data:`workbench.io.MISSING_VALUES`), plus its ``missing_values``, less ``not_missing``."""
    extra = [str(v) for v in spec.get("missing_values") or ()]
    exempt = {io.marker_key(str(v)) for v in spec.get("not_missing") or ()}
    return tuple(m for m in (*io.MISSING_VALUES, *extra) if io.marker_key(m) not in exempt)


#: An amount at least this large (in absolute value) is absurd rather than an outlier: no
#: sale is 10^15 of a currency, and at that size float64 has no digits left for the cents.
HUGE_AMOUNT = 1e15


def _huge_amounts(mapped: pd.DataFrame, result, first_row: int, n: int = 3) -> dict[str, Any]:
    """The kept rows whose amount is at least :data:`HUGE_AMOUNT` in absolute value: their
    number and the first ``n`` as (file row, value as written), for ``validate``."""
    kept = result.clean["amount"].abs()
    if not len(kept) or not (kept[np.isfinite(kept)] >= HUGE_AMOUNT).any():
        return {"rows": 0, "limit": HUGE_AMOUNT, "examples": []}
    amount = cleaning.parse_amounts(mapped["amount"]).abs()
    huge = (amount >= HUGE_AMOUNT) & np.isfinite(amount)
    dropped = set(result.quarantine["source_row"].astype(int)) if len(result.quarantine) else set()
    rows = [i for i in np.flatnonzero(huge.to_numpy()) if int(mapped.index[i]) not in dropped]
    return {"rows": len(rows), "limit": HUGE_AMOUNT,
            "examples": [(int(mapped.index[i]) + first_row, str(mapped["amount"].iloc[i])) for i in rows[:n]]}


def personal_ids(case: Case, ids: Mapping[str, pd.Series]) -> dict[str, str]:
    """Which sources' customer ids are personal data to pseudonymise, and of what kind.

    Parameters
    ----------
    case : Case
    ids : mapping of str to pandas.Series
        Source name -> its customer ids (all, or a sample of the distinct ones).

    Returns
    -------
    dict of str to str
        Source name -> ``"phone"`` or ``"email"`` for every source given, when the ids of
        at least one look like mobile numbers or e-mail addresses
        (:func:`workbench.privacy.detect_personal_columns`: half of them or more), unless
        every source keeps them in clear (``keep_personal_data``: true, ``customer_id``
        or the kind found); else empty. All or none: the same id must be the same
        pseudonym in every table for the joins to hold.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> case = SimpleNamespace(sources={"transactions": {}, "customers": {}})
    >>> personal_ids(case, {"transactions": pd.Series(["13800138000", "13912345678"]),
    ...                     "customers": pd.Series(["C1", "C2"])})
    {'transactions': 'phone', 'customers': 'phone'}
    >>> personal_ids(case, {"transactions": pd.Series(["C1"]), "customers": pd.Series(["C1"])})
    {}
    """
    found = {}
    for name, values in ids.items():
        kind = privacy.detect_personal_columns(values.astype(object).to_frame("customer_id")).get("customer_id")
        if kind in ("phone", "email"):
            found[name] = kind
    if not found:
        return {}
    first = next(iter(found.values()))
    if all({"customer_id", first} & _keep_personal(case.sources.get(name, {})) for name in ids):
        return {}
    return {name: found.get(name, first) for name in ids}


def pseudonymise_quarantine_ids(case: Case, frame: pd.DataFrame, column: str = "customer_id") -> pd.DataFrame:
    """A quarantine table with its customer ids replaced by the ``id-`` pseudonyms of the
    clean tables (:func:`personal_ids`): the id column, and the details that are ids
    (``customer_id_duplicate``, the ids of a ``customer_id_conflict``).

    Parameters
    ----------
    case : Case
        Its name keys the pseudonyms when ``WORKBENCH_PSEUDONYM_KEY`` is not set.
    frame : pandas.DataFrame
        Quarantined rows: ``reason``, ``detail`` and the columns as read.
    column : str
        The column of raw customer ids (the canonical name, or the file's own).

    Returns
    -------
    pandas.DataFrame
        A copy.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> frame = pd.DataFrame({"customer_id": ["13800138000", "13800138000"],
    ...                       "reason": ["amount_missing", "customer_id_duplicate"],
    ...                       "detail": [None, "13800138000"]})
    >>> out = pseudonymise_quarantine_ids(SimpleNamespace(name="doc"), frame)
    >>> out["customer_id"].nunique(), out.loc[1, "detail"] == out.loc[1, "customer_id"]
    (1, True)
    """
    def hide(values: pd.Series) -> pd.Series:
        return privacy.pseudonymise(values, "id", context=case.name)

    out = frame.copy()
    if column in out.columns:
        out[column] = hide(out[column]).to_numpy()
    if {"reason", "detail"} <= set(out.columns) and len(out):
        duplicate = (out["reason"] == "customer_id_duplicate").to_numpy()
        conflict = (out["reason"] == "customer_id_conflict").to_numpy()  # "C1, C2": the ids
        detail = out["detail"].astype(object).to_numpy(copy=True)
        detail[duplicate] = hide(pd.Series(detail[duplicate], dtype=object)).to_numpy()
        detail[conflict] = [", ".join(hide(pd.Series(str(d).split(", "))).tolist()) for d in detail[conflict]]
        out["detail"] = detail
    return out


def _pseudonymise_ids(case: Case, tables: dict[str, pd.DataFrame], quarantine: dict[str, pd.DataFrame],
                      notes: dict[str, dict[str, Any]]) -> None:
    """Replace customer ids that are phone numbers or e-mail addresses by ``id-`` pseudonyms
    (:func:`personal_ids`), in every table and quarantine alike, so joins hold."""
    holders = {}  # source name -> its table's key in ``tables``
    for name, spec in case.sources.items():
        key = _kind(name, spec) or name
        if key in tables and "customer_id" in tables[key].columns:
            holders[name] = key
    kinds = personal_ids(case, {name: tables[key]["customer_id"] for name, key in holders.items()})
    if not kinds:
        return
    for name, key in holders.items():
        tables[key] = tables[key].assign(customer_id=privacy.pseudonymise(tables[key]["customer_id"], "id",
                                                                          context=case.name))
        notes.setdefault(name, {}).setdefault("pseudonymised", []).append("customer_id")
        notes[name]["personal_ids"] = kinds[name]
    for name, frame in quarantine.items():
        quarantine[name] = pseudonymise_quarantine_ids(case, frame)


def _keep_personal(spec: Mapping[str, Any]) -> set[str]:
    """Columns (or kinds: name, phone, email) a source keeps in clear."""
    keep = spec.get("keep_personal_data")
    if keep is True:
        return set(privacy.PERSONAL_COLUMNS)
    return {str(k) for k in (keep or ())}


def _mapping_hint(path: Path, spec: Mapping[str, Any], raw: pd.DataFrame, lang: str = "en") -> str:
    """Advice for a column mapping that failed: a header in another row, another sheet, a
    delimiter that was not found (the rows read as one column)."""
    hints = []
    if raw.shape[1] == 1 and path.suffix.lower() in {".csv", ".txt", ".tsv"}:
        hints.append(label("message_one_column", lang).format(header=repr(str(raw.columns[0]))))
    if any(str(c).startswith("Unnamed:") for c in raw.columns):
        hints.append("some headers are empty ('Unnamed: ...'): the header may be in another "
                     "row (a title row or a two-row header); give its 0-based row number with "
                     "the key 'header', e.g. header: 1")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            sheets = pd.ExcelFile(path, engine="openpyxl").sheet_names
        except Exception:  # the sheet was read a moment ago; this is only advice  # noqa: BLE001
            sheets = []
        if len(sheets) > 1:
            hints.append(f"the workbook has sheets {sheets}; choose one with the key 'sheet' "
                         f"(now {spec.get('sheet', sheets[0])!r})")
    return "".join(f"; {h}" for h in hints)


def _engine_files(case: Case, name: str, spec: Mapping[str, Any]) -> dict[str, Path]:
    """The files an engine case's source reads (its path: a file, a glob, a folder or a list)."""
    import glob

    patterns = [] if "path" not in spec else [spec["path"]] if isinstance(spec["path"], str) else spec["path"]
    found: list[Path] = []
    for pattern in patterns:
        if "://" in pattern:  # object storage: read by the engine, not checksummed here
            continue
        target = case.resolve(pattern)
        if target.is_dir():
            found += sorted(p for p in target.rglob("*") if p.is_file() and p.suffix in (".parquet", ".pq"))
        elif any(c in pattern for c in "*?["):
            found += sorted(Path(p) for p in glob.glob(str(case.root / pattern), recursive=True))
        else:
            found.append(target)
    if len(found) == 1:
        return {name: found[0]}
    return {f"{name}/{os.path.relpath(path, case.root)}": path for path in found}


def _period_freq(granularity: str) -> str:
    return {"D": "D", "W": "W", "M": "M", "Q": "Q", "Y": "Y"}[granularity]


def _materialise(case: Case, spec: Mapping[str, Any]) -> Path:
    """Write a generator's tables to ``data/processed/<case>/``; regenerate on new options.

    Regenerates when the options or the generator's code changed (both are in
    ``options.yaml`` there). Returns the folder; each table is ``<folder>/<table>.csv``, the truth tables
    (``truth_segments``, ...) included, so a case can list them as auxiliary sources.
    """
    options = dict(spec.get("options") or {})
    target = resources.processed_dir(case.root) / case.name
    stamp = target / "options.yaml"
    generator = _generator(case.path, spec["generator"])
    # the generator's own code is part of the stamp: a changed generator (a new table,
    # another distribution) regenerates even when the options did not change
    code = hashlib.sha256(Path(inspect.getfile(generator)).read_bytes()).hexdigest()[:16]
    wanted = yaml.safe_dump({"generator": spec["generator"], "options": options,
                             "generator_code": code}, sort_keys=True)
    if not (stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted):
        try:
            data = generator(**options)
        except TypeError as exc:  # an option the generator does not take
            raise _fail(case.path, f"generator {spec['generator']!r}: {exc}; check its 'options' "
                                   f"against {inspect.signature(generator)}") from exc
        # written beside the target and renamed into place, so no one reads half a file;
        # two processes generating at once write identical files, and the loser of the
        # final rename drops its copy
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = io.scratch_dir(target.parent, prefix=f".{case.name}-")
        for table, frame in data.tables(truth=True).items():
            frame.to_csv(scratch / f"{table}.csv", index=False, encoding="utf-8")
        (scratch / stamp.name).write_text(wanted, encoding="utf-8")
        try:
            io.replace_dir(scratch, target)
        except OSError:  # another process put its identical copy in place first
            shutil.rmtree(scratch, ignore_errors=True)
    return target


def _fail(path: Path, message: str) -> CaseError:
    return CaseError(f"{path}: {message}")


def _as_date(path: Path, key: str, value: Any) -> pd.Timestamp:
    problem = _fail(path, f"key '{key}': {value!r} is not a date; write YYYY-MM-DD, "
                          "e.g. 2024-01-31")
    if isinstance(value, (dt.date, dt.datetime)):
        return pd.Timestamp(value)
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
        raise problem
    try:
        return pd.Timestamp(value.strip())
    except ValueError as exc:  # 2024-13-01, 2024-02-30
        raise problem from exc


def _check_date_format(fmt: str) -> bool:
    """Whether ``fmt`` is a strptime format with a year, a month and a day."""
    directives = set(re.findall(r"%(.)", fmt.replace("%%", "")))
    if not ({"Y", "y"} & directives and {"m", "b", "B"} & directives and "d" in directives):
        return False
    sample = dt.datetime(2024, 1, 31, 13, 5, 9)
    try:  # an unknown directive (%Q) fails the round trip
        return dt.datetime.strptime(sample.strftime(fmt), fmt).date() == sample.date()
    except ValueError:
        return False


def _check_source(path: Path, name: str, spec: Any, engine: str = "pandas") -> dict[str, Any]:
    where = f"sources.{name}"
    if not isinstance(spec, Mapping):
        raise _fail(path, f"'{where}' must be a mapping with 'path' or 'generator'")
    unknown = sorted(set(spec) - _SOURCE_KEYS)
    if unknown:
        raise _fail(path, f"'{where}' has unknown key(s) {unknown}; allowed: {sorted(_SOURCE_KEYS)}")
    engine_keys = [k for k in _ENGINE_SOURCE_KEYS if k in spec]
    if engine != "pandas":
        return _check_engine_source(path, name, spec)
    if engine_keys:
        raise _fail(path, f"'{where}' has {engine_keys}, which only an engine reads; set 'engine: duckdb' "
                          "(or spark) or remove them")
    if ("path" in spec) == ("generator" in spec):
        raise _fail(path, f"'{where}' needs exactly one of 'path' or 'generator'")
    if "generator" in spec and spec["generator"] not in generators():
        raise _fail(path, f"'{where}.generator' is {spec['generator']!r}; allowed: "
                          f"{sorted(generators())} (the registered {GENERATORS_GROUP} entry points)")
    if "path" in spec and not (path.parent / spec["path"]).is_file():
        target = (path.parent / spec["path"]).resolve()
        if target.is_dir():
            raise _fail(path, f"'{where}.path': {target} is a folder, not a file; give the path "
                              "of the file inside it")
        raise _fail(path, f"'{where}.path': file {target} does not exist (paths are relative to "
                          "the case file)")
    if "table" in spec and spec["table"] not in (*_CANONICAL, AUXILIARY):
        raise _fail(path, f"'{where}.table' is {spec['table']!r}; allowed: {[*_CANONICAL, AUXILIARY]}")
    kind = _kind(name, spec)
    if kind is None and "table" not in spec:
        # a typo of a table name ('transaction', 'custmers') or a common synonym ('orders')
        lowered = str(name).lower()
        near = next((c for c in _CANONICAL if _edit_distance(lowered, c) <= 2), None)
        meant = near or _TABLE_ALIASES.get(lowered)
        if meant:
            raise _fail(path, f"source name '{name}' is not one of the tables {list(_CANONICAL)}, "
                              f"so it would be read as an auxiliary table without mapping or "
                              f"cleaning; did you mean '{meant}'? Rename it '{meant}', add "
                              f"'table: {meant}' under '{where}', or 'table: {AUXILIARY}' if it is "
                              "an auxiliary table on purpose")
    _check_reading_options(path, where, spec, kind)
    columns = spec.get("columns") or {}
    if not isinstance(columns, Mapping):
        raise _fail(path, f"'{where}.columns' must map canonical names to your column names")
    if kind in ("transactions", "customers", "opportunities"):
        known = set(io.CANONICAL_COLUMNS[kind]["required"]) | set(io.CANONICAL_COLUMNS[kind]["optional"])
        bad = sorted(set(columns) - known)
        if bad:
            raise _fail(path, f"'{where}.columns' maps unknown canonical column(s) {bad}; "
                              f"allowed: {sorted(known)}")
    return dict(spec)


_ENGINE_FORMATS = ("parquet", "csv", "table", "database")


def _check_engine_source(path: Path, name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A source of an engine case: files (a path, a glob or a folder of Parquet files), a
    table of the engine's catalog (``source_table``) or of a database whose connection
    string is in the environment variable ``connection_env``."""
    where = f"sources.{name}"
    fmt = spec.get("format")
    if fmt is not None and fmt not in _ENGINE_FORMATS:
        raise _fail(path, f"'{where}.format' is {fmt!r}; allowed: {list(_ENGINE_FORMATS)}")
    if "generator" in spec:
        raise _fail(path, f"'{where}.generator': an engine case reads files or tables; generate the data "
                          "first (e.g. with the pandas engine) and point 'path' at the files")
    if ("path" in spec) == ("source_table" in spec):
        raise _fail(path, f"'{where}' needs exactly one of 'path' (files) or 'source_table' (a table)")
    env = spec.get("connection_env")
    if env is not None and not (isinstance(env, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env)):
        raise _fail(path, f"'{where}.connection_env' must be the NAME of an environment variable holding the "
                          "connection string (e.g. CRM_WAREHOUSE_URL), never the string itself")
    if "path" in spec:
        files = [spec["path"]] if isinstance(spec["path"], str) else spec["path"]
        if not (isinstance(files, list) and files and all(isinstance(f, str) for f in files)):
            raise _fail(path, f"'{where}.path' must be a file, a glob or a list of them")
        for pattern in files:
            target = Path(pattern) if Path(pattern).is_absolute() else path.parent / pattern
            if "://" not in pattern and not any(c in pattern for c in "*?[") and not target.exists():
                raise _fail(path, f"'{where}.path': {target.resolve()} does not exist (paths are relative "
                                  "to the case file)")
    if "table" in spec and spec["table"] not in (*_CANONICAL, AUXILIARY):
        raise _fail(path, f"'{where}.table' is {spec['table']!r}; allowed: {[*_CANONICAL, AUXILIARY]}")
    kind = _kind(name, spec)
    if kind not in ("transactions", "customers"):
        raise _fail(path, f"source '{name}': an engine case reads transactions and customers; "
                          f"{kind or 'auxiliary tables'} are not read by the engine yet")
    columns = spec.get("columns") or {}
    if not isinstance(columns, Mapping):
        raise _fail(path, f"'{where}.columns' must map canonical names to your column names")
    return dict(spec)


def _check_reading_options(path: Path, where: str, spec: Mapping[str, Any],
                           kind: str | None) -> None:
    """The keys that say how a file is read; each message names the key and what is allowed.

    A key that is absent or null takes its default (see :func:`workbench.io.read_table`).
    """
    spec = {key: value for key, value in spec.items() if value is not None or key == "header"}
    if "sep" in spec and not (isinstance(spec["sep"], str) and spec["sep"]):
        raise _fail(path, f"'{where}.sep' is {spec['sep']!r}; write the delimiter as a quoted "
                          "string (',', ';', '\\t', '|') or 'whitespace' for runs of blanks")
    header = spec.get("header", 0)
    if header is not None and (isinstance(header, bool) or not isinstance(header, int)
                               or header < 0):
        raise _fail(path, f"'{where}.header' is {header!r}; allowed: the 0-based row number "
                          "of the header (an integer >= 0, default 0) or null for no header")
    if "sheet" in spec and (isinstance(spec["sheet"], bool)
                            or not isinstance(spec["sheet"], (str, int))
                            or (isinstance(spec["sheet"], int) and spec["sheet"] < 0)):
        raise _fail(path, f"'{where}.sheet' is {spec['sheet']!r}; allowed: a sheet name or its "
                          "0-based position")
    if "encoding" in spec:
        encoding = spec["encoding"]
        try:
            codecs.lookup(encoding if isinstance(encoding, str) else "")
        except (LookupError, ValueError) as exc:
            raise _fail(path, f"'{where}.encoding' is {encoding!r}, which Python does not know; "
                              "allowed: a codec name such as utf-8, utf-8-sig, gb18030 or "
                              "latin-1, or leave it out to detect UTF-8/GB18030") from exc
    if "date_format" in spec and not (isinstance(spec["date_format"], str)
                                      and _check_date_format(spec["date_format"])):
        raise _fail(path, f"'{where}.date_format' is {spec['date_format']!r}; allowed: a strptime "
                          "format with year (%Y), month (%m) and day (%d) directives, e.g. "
                          "'%d/%m/%Y'; see the table in Python's datetime documentation")
    for key in ("missing_values", "not_missing", "missing_codes"):
        if key in spec and not (isinstance(spec[key], list) and all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in spec[key])):
            raise _fail(path, f"'{where}.{key}' is {spec[key]!r}; allowed: a list of values, e.g. "
                              + ("[-99, 999]" if key == "missing_codes" else "['未知', '?']"))
    if "time_zone" in spec:
        try:
            _zone(spec["time_zone"])
        except ValueError as exc:
            raise _fail(path, f"'{where}.time_zone': {exc}") from None
    if "conflicts" in spec:
        if kind != "transactions":
            raise _fail(path, f"'{where}.conflicts': only a transactions source takes this key "
                              "(what to do with rows of one order id that disagree)")
        if spec["conflicts"] not in cleaning.CONFLICT_RULES:
            raise _fail(path, f"'{where}.conflicts' is {spec['conflicts']!r}; allowed: "
                              f"{list(cleaning.CONFLICT_RULES)}")
    if "keep_personal_data" in spec:
        keep = spec["keep_personal_data"]
        if not (keep is True or keep is False or (isinstance(keep, list)
                                                 and all(isinstance(k, str) for k in keep))):
            raise _fail(path, f"'{where}.keep_personal_data' is {keep!r}; allowed: a list of "
                              f"columns or kinds to keep in clear ({list(privacy.PERSONAL_COLUMNS)}"
                              ", or column names), or true for all")
    if "duplicates" in spec:
        if kind != "transactions":
            raise _fail(path, f"'{where}.duplicates': only a transactions source takes this key "
                              "(what to do with exact copies of a row)")
        if spec["duplicates"] not in _DUPLICATES:
            raise _fail(path, f"'{where}.duplicates' is {spec['duplicates']!r}; allowed: "
                              f"{list(_DUPLICATES)} ('keep' flags copies as is_duplicate)")


def load_case(name_or_path: str | Path) -> Case:
    """Read and validate a case file.

    Parameters
    ----------
    name_or_path : str or path-like
        A bundled case's name (``"cdnow"``, looked up in ``cases/``) or a YAML path.

    Returns
    -------
    Case

    Raises
    ------
    CaseError
        Naming the file, the offending key and what is allowed (a folder given instead
        of a case file is named as such).
    """
    path = Path(name_or_path)
    if path.is_dir():
        files = sorted(p.name for p in path.glob("*.y*ml") if p.suffix in {".yaml", ".yml"})
        inside = label("message_case_folder_has", "en").format(files=", ".join(files)) if files else ""
        raise CaseError(label("message_case_is_folder", "en").format(path=path, inside=inside))
    if path.suffix not in {".yaml", ".yml"}:
        path = CASES_DIR / f"{name_or_path}.yaml"
        if not path.is_file():
            raise CaseError(f"no case named {str(name_or_path)!r}; bundled cases: {list_cases()}")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_CaseLoader)  # noqa: S506
    except (yaml.YAMLError, ValueError) as exc:
        raise _fail(path, f"not valid YAML: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise _fail(path, "a case file is a mapping of keys; see cases/cdnow.yaml")
    unknown = sorted(set(raw) - set(_TOP_KEYS))
    if unknown:
        allowed = "; ".join(f"{k}: {v}" for k, v in _TOP_KEYS.items())
        raise _fail(path, f"unknown key(s) {unknown}. Allowed keys - {allowed}")
    missing = [k for k in _REQUIRED_KEYS if k not in raw]
    if missing:
        raise _fail(path, f"missing required key(s) {missing} ({_TOP_KEYS[missing[0]]})")
    if raw["name"] != path.stem:
        raise _fail(path, f"key 'name' is {raw['name']!r} but the file is {path.name}; make them equal")
    if raw["language"] not in LANGUAGES:
        raise _fail(path, f"key 'language' is {raw['language']!r}; allowed: {list(LANGUAGES)}")
    if raw["granularity"] not in _GRANULARITIES:
        raise _fail(path, f"key 'granularity' is {raw['granularity']!r}; allowed: "
                          f"{list(_GRANULARITIES)}")
    if not isinstance(raw["sources"], Mapping) or not raw["sources"]:
        raise _fail(path, "key 'sources' must map table names (transactions, customers, "
                          "survey, ...) to sources")
    try:
        engine = EngineParameters.parse(raw.get("engine"), file=path)
    except ParameterError as exc:
        raise CaseError(str(exc)) from None
    sources = {name: _check_source(path, name, spec, engine.name) for name, spec in raw["sources"].items()}
    kinds = {_kind(name, spec) for name, spec in sources.items()}
    for kind in _CANONICAL:
        feeding = [name for name, spec in sources.items() if _kind(name, spec) == kind]
        if len(feeding) > 1:
            raise _fail(path, f"key 'sources': {feeding} all give the canonical table '{kind}'; "
                              "give one source per table (combine the files first)")
    if not kinds & {"transactions", "survey"}:
        raise _fail(path, f"key 'sources' has {sorted(sources)} but neither 'transactions' nor "
                          "'survey'; every analysis needs one of them")
    notebooks = raw["notebooks"]
    if not isinstance(notebooks, list) or not all(isinstance(n, str) for n in notebooks):
        raise _fail(path, "key 'notebooks' must be a list of notebook names")
    # a case beside a notebooks/ folder of its own uses those, else the bundled ones
    nb_dirs = [path.resolve().parent.parent / "notebooks", resources.bundled("notebooks")]
    absent = [n for n in notebooks if not any((d / f"{n}.ipynb").is_file() for d in nb_dirs)]
    if absent:
        have = sorted({p.stem for d in nb_dirs for p in d.glob("*.ipynb")})
        raise _fail(path, f"key 'notebooks' names {absent}, which are not in "
                          f"{[str(d) for d in dict.fromkeys(nb_dirs)]}; available: {have}")
    try:
        params = parse_parameters(raw.get("parameters"), file=path, base=path.resolve().parent)
    except ParameterError as exc:
        raise CaseError(str(exc)) from None
    title = raw.get("title", "")
    if isinstance(title, Mapping):
        title = title.get(raw["language"], next(iter(title.values()), ""))
    currency = raw.get("currency")
    if currency is not None and not (isinstance(currency, str)
                                     and re.fullmatch(r"[A-Z]{3}", currency)):
        raise _fail(path, f"key 'currency' is {currency!r}; allowed: a 3-letter upper-case ISO "
                          "4217 code such as CNY, USD or EUR, or leave it out")
    start = _as_date(path, "start", raw["start"])
    end = _as_date(path, "end", raw["end"]) if raw.get("end") is not None else None
    if end is not None and end < start:
        raise _fail(path, f"key 'end' ({end.date()}) is before key 'start' ({start.date()}); "
                          "end must be on or after start")
    case = Case(
        name=raw["name"],
        path=path.resolve(),
        language=raw["language"],
        granularity=raw["granularity"],
        start=start,
        end=end,
        default_period=str(raw["default_period"]),
        sources=sources,
        notebooks=tuple(notebooks),
        params=params,
        engine=engine,
        title=str(title),
        description=str(raw.get("description", "")),
        currency=currency or "",
    )
    try:  # default_period: at the case's grain, ending within start..end
        case.period()
    except CaseError as exc:
        reason = str(exc).removeprefix(f"{case.path}: ")
        raise _fail(path, f"key 'default_period': {reason}") from None
    return case


def list_cases(directory: str | Path = CASES_DIR) -> list[str]:
    """Names of the case files in a folder.

    Parameters
    ----------
    directory : path-like
        Default: the bundled cases, :data:`CASES_DIR`.

    Returns
    -------
    list of str
        File names without ``.yaml``, sorted; each can be passed to :func:`load_case`.
    """
    return sorted(p.stem for p in Path(directory).glob("*.yaml"))
