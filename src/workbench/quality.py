"""What is wrong with a case's data, where, and what to do: the data part of ``validate``.

:func:`validation_report` takes a loaded case (:meth:`workbench.cases.Case.load`) and
says, per source, how many rows were read, kept and quarantined; per reason code a few
examples with their row numbers and values and the next step (:func:`next_step`); the
match rate of every join between tables (:func:`join_match_rates`), with examples from
both sides when it is low; the survey's answers checked against the model spec; and
warnings that are not row errors (columns not read, personal data, returns larger than
the purchases, an item nobody answered). :func:`quarantine_table` is every quarantined
row in one file: source, file name, row number, reason, detail and the raw values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench import resources
from workbench.features import in_engine
from workbench.io import scratch_dir
from workbench.labels import LABELS, label, translate_columns, translate_text

__all__ = [
    "JOIN_THRESHOLD",
    "QUARANTINE_CSV_ROWS",
    "ValidationReport",
    "join_match_rates",
    "next_step",
    "quarantine_advice",
    "quarantine_table",
    "validation_report",
    "write_quarantine",
]

#: A join whose match rate is below this share is a warning.
JOIN_THRESHOLD = 0.9

#: An engine case's quarantine with more rows than this is written as Parquet, not CSV:
#: a spreadsheet opens 1,048,576 rows, the header one of them.
QUARANTINE_CSV_ROWS = 1_048_575

_DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%y",
                 "%m/%d/%y", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%Y/%d/%m", "%d %b %Y",
                 "%b %d, %Y", "%d-%b-%Y", "%d-%b-%y")


def next_step(reason: str, lang: str = "en", examples=()) -> str:
    """The advice for a reason code, specific to the examples where that helps.

    Parameters
    ----------
    reason : str
        A reason code (see :mod:`workbench.cleaning` and
        :func:`workbench.satisfaction.clean_survey`).
    lang : {"en", "zh"}
        Language of the advice: the label ``next_step_<reason>`` of
        :data:`workbench.labels.LABELS` (a ``<column>_<reason>`` code by its suffix).
    examples : iterable of str
        Offending values; for unreadable dates the first format among common day- and
        month-first ones that reads all of them is suggested.

    Returns
    -------
    str
        Empty for a code without advice.

    Examples
    --------
    >>> next_step("date_unparseable", examples=["16/05/2024", "31/12/2024"])
    "set date_format: '%d/%m/%Y' (it reads 16/05/2024, 31/12/2024)"
    """
    if reason in ("date_unparseable", "first_contact_unparseable"):
        values = [str(v) for v in examples if str(v).strip()]
        for fmt in _DATE_FORMATS if values else ():
            if pd.to_datetime(pd.Series(values), format=fmt, errors="coerce").notna().all():
                return label("next_step_date_format", lang).format(format=fmt, examples=", ".join(values[:3]))
    key = reason if f"next_step_{reason}" in LABELS else next(
        (suffix for suffix in ("not_numeric", "not_finite", "out_of_range")
         if reason.endswith(suffix)), None)
    return "" if key is None else label(f"next_step_{key}", lang)


def quarantine_advice(quarantine: dict[str, pd.DataFrame], *, lang: str, examples: int = 3) -> pd.DataFrame:
    """The quarantine per table and reason with what to do, for a report page.

    :func:`workbench.overview.quarantine_summary` (codes and counts) with a ``next_step``
    column: the advice of :func:`next_step` in the report's language, specific to up to 20
    offending values of each reason.

    Parameters
    ----------
    quarantine : dict of str to DataFrame
        As in :attr:`workbench.cases.LoadedCase.quarantine`.
    lang : {"en", "zh"}
        Language of the advice.
    examples : int
        How many distinct offending values to show per reason.

    Returns
    -------
    pandas.DataFrame
        ``table``, ``reason``, ``rows``, ``examples``, ``next_step`` (empty where a reason
        has no advice).

    Examples
    --------
    >>> quarantine = {"transactions": pd.DataFrame({"reason": ["date_unparseable", "weird"],
    ...                                             "detail": ["16/05/2024", "x"]})}
    >>> for row in quarantine_advice(quarantine, lang="en").itertuples():
    ...     print(f"{row.reason}: {row.next_step or '(no advice)'}")
    date_unparseable: set date_format: '%d/%m/%Y' (it reads 16/05/2024)
    weird: (no advice)
    """
    from workbench.overview import quarantine_summary

    out = quarantine_summary(quarantine, examples=examples)
    details = {(table, reason): group["detail"].dropna().astype(str)[:20]
               for table, frame in quarantine.items() for reason, group in frame.groupby("reason", sort=True)}
    out["next_step"] = [next_step(reason, lang, details[(table, reason)])
                        for table, reason in zip(out["table"], out["reason"], strict=True)]
    return out


def _user_columns(loaded, name: str) -> dict[str, str]:
    """Canonical -> the user's column name for a source, to show values as in the file."""
    spec = loaded.case.sources.get(name, {})
    return {canonical: str(user) for canonical, user in (spec.get("columns") or {}).items()}


def quarantine_table(loaded) -> pd.DataFrame:
    r"""Every quarantined row of a loaded case, as one table to look rows up in the files.

    Parameters
    ----------
    loaded : workbench.cases.LoadedCase

    Returns
    -------
    pandas.DataFrame
        One row per quarantined input row: ``source`` (the case's source name),
        ``file`` (the file's name, no folders), ``row`` (its row number in the file as a
        spreadsheet shows it: the header is row 1 unless ``header`` says otherwise),
        ``reason`` (the code), ``detail`` (the offending value, or the other row of a
        conflict) and ``values`` (the row's cells as read, a JSON object keyed by the
        file's own column names; personal data already pseudonymised). Respondents whose
        answers fail the survey's model spec follow as source ``"survey_answers"``: the
        respondent's row, the reason, the offending items with their answers as
        ``detail`` (``S1='3.5'``) and the respondent id and answers as ``values``. Sorted
        by source, then row.

    Examples
    --------
    A three-row case whose second row has a day-first date and third no amount:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from workbench.cases import load_case
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = Path(tmp.name)
    >>> _ = (folder / "orders.csv").write_text("order,cust,day,value\nO1,A,2024-01-05,10\n"
    ...                                        "O2,B,16/01/2024,5\nO3,C,2024-02-01,N/A\n")
    >>> _ = (folder / "shop.yaml").write_text(
    ...     "{name: shop, language: en, granularity: M, start: 2024-01-01, default_period: 2024-03,"
    ...     " notebooks: [00_data_overview], sources: {transactions: {path: orders.csv,"
    ...     " columns: {customer_id: cust, date: day, amount: value, order_id: order}}}}")
    >>> loaded = load_case(folder / "shop.yaml").load()
    >>> quarantine_table(loaded)[["file", "row", "reason", "detail"]]  # rows as a spreadsheet numbers them
             file  row            reason      detail
    0  orders.csv    3  date_unparseable  16/01/2024
    1  orders.csv    4    amount_missing        <NA>
    >>> quarantine_table(loaded).loc[0, "values"]
    '{"cust": "B", "day": "16/01/2024", "value": "5", "order": "O2"}'
    >>> tmp.cleanup()
    """
    return _quarantine_rows(loaded)


def _quarantine_rows(loaded, skip: str | None = None) -> pd.DataFrame:
    """:func:`quarantine_table` without the source ``skip`` (written by the engine)."""
    parts = []
    for name, frame in loaded.quarantine.items():
        if frame.empty or name == skip:
            continue
        renames = _user_columns(loaded, name)
        cells = frame.drop(columns=["source_row", "row", "reason", "detail"])
        values = [json.dumps({renames.get(c, str(c)): _cell(v) for c, v in row.items()},
                             ensure_ascii=False)
                  for row in cells.to_dict("records")]
        parts.append(pd.DataFrame({
            "source": name, "file": loaded.files[name].name, "row": frame["row"].astype(int),
            "reason": frame["reason"].astype(str), "detail": frame["detail"], "values": values,
        }))
    parts.append(_answer_quarantine(loaded))
    parts = [part for part in parts if part is not None]
    columns = ["source", "file", "row", "reason", "detail", "values"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns].sort_values(
        ["source", "row"], kind="stable").reset_index(drop=True)


def _answer_quarantine(loaded) -> pd.DataFrame | None:
    """The respondents whose answers fail the model spec, as rows of :func:`quarantine_table`
    (None without a survey or a spec; :func:`validation_report` says what is wrong with them)."""
    from workbench.satisfaction import clean_survey
    from workbench.satisfaction.spec import SpecError

    survey = loaded.tables.get("survey")
    name = next((n for n, s in loaded.case.sources.items() if s.get("table", n) == "survey"), None)
    if survey is None or not len(survey) or name not in loaded.files:
        return None
    try:
        spec = loaded.case.survey_spec()
        failed = None if spec is None else clean_survey(survey, spec).quarantine
    except (SpecError, ValueError):
        return None
    if failed is None or failed.empty:
        return None
    # the kept respondents are the file's rows that the id checks did not quarantine, in order
    dropped = loaded.quarantine.get(name)
    dropped = set() if dropped is None else set(dropped["source_row"].astype(int))
    positions = [i for i in range(len(survey) + len(dropped)) if i not in dropped]
    first_row = loaded.notes.get(name, {}).get("first_row", 2)
    renames = _user_columns(loaded, name)
    cells = failed.drop(columns=["reason", "detail"])
    details = [None if pd.isna(items) else "; ".join(f"{i}={row[i]!r}" for i in str(items).split(", "))
               for items, row in zip(failed["detail"], cells.to_dict("records"), strict=True)]
    return pd.DataFrame({
        "source": "survey_answers", "file": loaded.files[name].name,
        "row": [positions[i] + first_row for i in survey.index.get_indexer(failed.index)],
        "reason": failed["reason"].astype(str).to_numpy(), "detail": details,
        "values": [json.dumps({renames.get(c, str(c)): _cell(v) for c, v in row.items()}, ensure_ascii=False)
                   for row in cells.to_dict("records")],
    })


def _cell(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, (int, float, bool, str)):
        return value
    return str(value)


def write_quarantine(loaded, folder: str | Path | None = None, *,
                     csv_rows: int = QUARANTINE_CSV_ROWS) -> Path:
    r"""Write :func:`quarantine_table` to ``<folder>/quarantine.csv`` (UTF-8 with BOM).

    For an engine case (``engine: duckdb``) the engine writes the file from its
    quarantine Parquet file, the rows never loaded into pandas
    (:meth:`workbench.engines.EngineCase.write_quarantine_table`), with the same
    columns; more than ``csv_rows`` rows go to ``quarantine.parquet`` instead, and the
    file of the other form is removed, so a stale one never outlives its fix.

    Parameters
    ----------
    loaded : workbench.cases.LoadedCase
    folder : path-like, optional
        Default ``data/processed/<case>/`` (see :func:`workbench.resources.processed_dir`:
        beside the case's ``cases/`` folder in a clone, in the working directory for
        the bundled cases of an installed package).
    csv_rows : int
        An engine case's quarantine with more rows is written as Parquet (default
        :data:`QUARANTINE_CSV_ROWS`, the rows a spreadsheet opens).

    Returns
    -------
    pathlib.Path
        The file written (replaced atomically, so a reader never sees half of it).

    Examples
    --------
    A three-row case whose second row has a day-first date and third no amount:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from workbench.cases import load_case
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = Path(tmp.name)
    >>> _ = (folder / "orders.csv").write_text("order,cust,day,value\nO1,A,2024-01-05,10\n"
    ...                                        "O2,B,16/01/2024,5\nO3,C,2024-02-01,N/A\n")
    >>> _ = (folder / "shop.yaml").write_text(
    ...     "{name: shop, language: en, granularity: M, start: 2024-01-01, default_period: 2024-03,"
    ...     " notebooks: [00_data_overview], sources: {transactions: {path: orders.csv,"
    ...     " columns: {customer_id: cust, date: day, amount: value, order_id: order}}}}")
    >>> loaded = load_case(folder / "shop.yaml").load()
    >>> written = write_quarantine(loaded, folder / "processed")
    >>> written.name
    'quarantine.csv'
    >>> written.read_text(encoding="utf-8-sig").splitlines()[0]
    'source,file,row,reason,detail,values'
    >>> tmp.cleanup()
    """
    case = loaded.case
    folder = Path(folder) if folder is not None else resources.processed_dir(case.root) / case.name
    folder.mkdir(parents=True, exist_ok=True)
    engine_source = _engine_source(loaded)
    if engine_source is not None:
        others = _quarantine_rows(loaded, skip=engine_source)
        total = int(loaded.cleaning.quarantined) + len(others)
        file_format = "parquet" if total > csv_rows else "csv"
        target = folder / f"quarantine.{file_format}"
        loaded.write_quarantine_table(target, others=others, file_format=file_format)
        stale = folder / ("quarantine.csv" if file_format == "parquet" else "quarantine.parquet")
        own = loaded.cleaning.quarantine_path
        if stale.is_file() and (own is None or stale.resolve() != Path(own).resolve()):
            stale.unlink()  # the engine's own quarantine, when it is here, stays: the case reads it
        return target
    target = folder / "quarantine.csv"
    scratch = scratch_dir(folder, ".quarantine-")
    quarantine_table(loaded).to_csv(scratch / "quarantine.csv", index=False, encoding="utf-8-sig")
    (scratch / "quarantine.csv").replace(target)
    scratch.rmdir()
    return target


def _keys(values: pd.Series) -> pd.Series:
    return values.dropna().astype(str).drop_duplicates()


def _join(left_name: str, left: pd.Series, right_name: str, right: pd.Series,
          threshold: float) -> dict:
    lkeys, rkeys = _keys(left), _keys(right)
    matched = lkeys.isin(set(rkeys))
    rate = float(matched.mean()) if len(lkeys) else float("nan")
    row = {"join": f"{left_name} -> {right_name}", "keys": len(lkeys), "matched": int(matched.sum()),
           "match_rate": round(rate, 4) if len(lkeys) else None,
           "unmatched_examples": ", ".join(lkeys[~matched].sort_values().head(3)),
           "other_side_examples": "", "hint": ""}
    if len(lkeys) and rate < threshold:
        unused = rkeys[~rkeys.isin(set(lkeys))].sort_values()
        row["other_side_examples"] = ", ".join(unused.head(3))
        row["hint"] = _join_hint(lkeys, rkeys)
    return row


def _engine_join(left_name: str, transactions, right_name: str, right: pd.Series, threshold: float) -> dict:
    """:func:`_join` of an engine case's transactions against a table in memory, counted in
    the engine (:meth:`workbench.engines.EngineTransactions.id_matches`)."""
    counts = transactions.id_matches(right)
    keys, matched = counts["keys"], counts["matched"]
    rate = matched / keys if keys else float("nan")
    row = {"join": f"{left_name} -> {right_name}", "keys": keys, "matched": matched,
           "match_rate": round(rate, 4) if keys else None,
           "unmatched_examples": ", ".join(counts["unmatched"]), "other_side_examples": "", "hint": ""}
    if keys and rate < threshold:
        row["other_side_examples"] = ", ".join(counts["other_side"])
        row["hint"] = _hint(matched, counts["matched_without_zeros"], counts["matched_ignoring_case"])
    return row


def _join_hint(left: pd.Series, right: pd.Series) -> str:
    def matches(f):
        return int(left.map(f).isin(set(right.map(f))).sum())

    return _hint(matches(lambda v: v), matches(lambda v: v.lstrip("0") or "0"),
                 matches(lambda v: re.sub(r"\s+", "", v).casefold()))


def _hint(matched: int, without_zeros: int, ignoring_case: int) -> str:
    """What a low match rate suggests, from the left keys matched as they are, once leading
    zeros are dropped and once blanks and case are ignored."""
    if without_zeros > matched:
        return ("ids differ in leading zeros (e.g. '1' vs '00001'): Excel may have turned "
                "text ids into numbers; format the id column as text, or export it as CSV")
    if ignoring_case > matched:
        return "ids differ in upper/lower case or blanks inside them"
    return "the two files share few ids: check that both use the same customer ids"


def join_match_rates(loaded, threshold: float = JOIN_THRESHOLD) -> pd.DataFrame:
    """How many keys of one table are found in the other, for every join the report makes.

    Parameters
    ----------
    loaded : workbench.cases.LoadedCase
    threshold : float
        Below this match rate a join gets examples from both sides and a ``hint``.

    Returns
    -------
    pandas.DataFrame
        One row per join: ``join`` (``"transactions -> customers"``), ``keys`` (distinct
        ids on the left), ``matched``, ``match_rate`` (matched / keys), and below the
        threshold ``unmatched_examples`` (left ids not found), ``other_side_examples``
        (right ids no left row uses) and ``hint`` (leading zeros lost, case or blanks).
        Joins: transactions, survey and each auxiliary table with a ``customer_id``
        column against the customers table; without one, the survey and auxiliary
        tables against the transactions' customers. An engine case's transactions are
        counted in the engine (:meth:`workbench.engines.EngineTransactions.id_matches`):
        the customers' ids go to it, the transactions' ids stay there.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> tx = pd.DataFrame({"customer_id": ["1", "2", "3"]})
    >>> master = pd.DataFrame({"customer_id": ["00001", "00002", "00003"]})
    >>> out = join_match_rates(SimpleNamespace(tables={"transactions": tx, "customers": master}))
    >>> out[["join", "keys", "matched", "match_rate"]].to_dict("records")
    [{'join': 'transactions -> customers', 'keys': 3, 'matched': 0, 'match_rate': 0.0}]
    >>> out["hint"][0][:28]
    'ids differ in leading zeros '
    """
    tables = dict(loaded.tables)
    rows = []
    customers = tables.get("customers")
    transactions = tables.get("transactions")
    if customers is not None:
        master, master_name = customers["customer_id"], "customers"
    elif transactions is not None:
        master, master_name = (transactions.customer_ids() if in_engine(transactions)
                               else transactions["customer_id"]), "transactions"
    else:
        master, master_name = None, None
    for name, table in tables.items():
        if name == master_name or master is None or "customer_id" not in table.columns:
            continue
        if in_engine(table):  # an engine case's transactions: counted where the rows are
            rows.append(_engine_join(name, table, master_name, master, threshold))
        else:
            rows.append(_join(name, table["customer_id"], master_name, master, threshold))
    columns = ["join", "keys", "matched", "match_rate", "unmatched_examples",
               "other_side_examples", "hint"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class ValidationReport:
    r"""The outcome of :func:`validation_report`.

    Attributes
    ----------
    sources : DataFrame
        Per source: ``table``, ``file``, ``rows_in``, ``kept``, ``quarantined``,
        ``after_period``, ``analysed`` (:meth:`workbench.cases.LoadedCase.sources_table`).
    problems : DataFrame
        Per source and reason: ``table``, ``reason``, ``rows``, ``examples`` (row
        number and value, e.g. ``row 7: 'N/A'``) and ``next_step``.
    joins : DataFrame
        :func:`join_match_rates`.
    warnings : list of str
        Problems that are not rows: a source that keeps nothing, a join below the
        threshold, columns not read that hold personal data, customer ids that are
        personal data (pseudonymised), amounts too large to be sales (at least
        :data:`workbench.cases.HUGE_AMOUNT`, with row numbers), returns larger than the
        purchases, an item nobody answered, survey answers that fail the spec.
    answers_kept : int or None
        Respondents that pass the survey's answer checks (None: no survey, no spec or
        no respondent to check); 0 makes the report not ``ok``.
    lang : {"en", "zh"}
        The language of the warnings, next steps and :meth:`to_text`.

    Examples
    --------
    A three-row case whose second row has a day-first date and third no amount:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from workbench.cases import load_case
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = Path(tmp.name)
    >>> _ = (folder / "orders.csv").write_text("order,cust,day,value\nO1,A,2024-01-05,10\n"
    ...                                        "O2,B,16/01/2024,5\nO3,C,2024-02-01,N/A\n")
    >>> _ = (folder / "shop.yaml").write_text(
    ...     "{name: shop, language: en, granularity: M, start: 2024-01-01, default_period: 2024-03,"
    ...     " notebooks: [00_data_overview], sources: {transactions: {path: orders.csv,"
    ...     " columns: {customer_id: cust, date: day, amount: value, order_id: order}}}}")
    >>> loaded = load_case(folder / "shop.yaml").load()
    >>> report = validation_report(loaded)
    >>> report.ok, report.empty_sources, report.warnings
    (True, [], [])
    >>> print(report.to_text().splitlines()[-2])
      transactions: amount_missing: 1 row(s), e.g. row 4
    >>> tmp.cleanup()
    """

    sources: pd.DataFrame
    problems: pd.DataFrame
    joins: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    answers_kept: int | None = None
    lang: str = "en"

    @property
    def empty_sources(self) -> list[str]:
        """Cleaned sources that keep no row (the command exits non-zero on them)."""
        cleaned = self.sources[self.sources["table"].isin(self.problems["table"].unique())
                               | (self.sources["rows_in"] == 0)]
        return cleaned.loc[cleaned["kept"] == 0, "table"].tolist()

    @property
    def ok(self) -> bool:
        """True when every source keeps at least one row and, for a survey checked against
        its model spec, at least one respondent passes the answer checks."""
        return not self.empty_sources and self.answers_kept != 0

    def to_text(self) -> str:
        """The report as the ``validate`` command prints it, in the report's language (reason
        codes stay codes: the README's "Data problems" page lists them)."""
        lang = self.lang
        sources = self.sources if lang == "en" else translate_columns(self.sources, lang)
        lines = [label("validate_sources", lang), sources.to_string(index=False)]
        if len(self.problems):
            lines.append(label("validate_problems", lang))
            for row in self.problems.itertuples(index=False):
                lines.append(label("validate_problem", lang).format(table=row.table, reason=row.reason,
                                                                    rows=row.rows, examples=row.examples))
                if row.next_step:
                    lines.append(label("validate_next_step", lang).format(advice=row.next_step))
        if len(self.joins):
            lines.append(label("validate_joins", lang))
            for row in self.joins.itertuples(index=False):
                rate = "n/a" if row.match_rate is None or pd.isna(row.match_rate) \
                    else f"{row.match_rate:.1%}"
                lines.append(label("validate_join", lang).format(join=row.join, matched=row.matched,
                                                                 keys=row.keys, rate=rate))
        if self.warnings:
            lines.append(label("validate_warnings", lang))
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


def _engine_source(loaded) -> str | None:
    """The source an engine case cleaned in the engine (its transactions), or None."""
    if not in_engine(loaded.tables.get("transactions")):
        return None
    return getattr(loaded, "engine_source", None)


def _examples(pairs, lang: str = "en") -> str:
    """``row 3: '16/01/2024'; row 4`` for (row number, detail or None) pairs."""
    return "; ".join(label("validate_row", lang).format(row=int(row)) if detail is None or pd.isna(detail)
                     else label("message_row_value", lang).format(row=int(row), value=repr(detail))
                     for row, detail in pairs)


def validation_report(loaded, *, lang: str = "en",
                      threshold: float = JOIN_THRESHOLD) -> ValidationReport:
    r"""Check a loaded case's data and say what is wrong, where and what to do.

    Parameters
    ----------
    loaded : workbench.cases.LoadedCase
    lang : {"en", "zh"}
        Language of the next steps.
    threshold : float
        Join match rate below which a warning is given.

    Returns
    -------
    ValidationReport

    Notes
    -----
    An engine case (:class:`workbench.engines.EngineCase`, ``engine: duckdb``) gives the
    same report: the rows in, kept and quarantined come from the engine's cleaning log,
    the reasons with their examples from its quarantine Parquet file
    (:meth:`workbench.engines.EngineCase.quarantine_reasons`), the join match rates and
    the customers with negative net revenue from queries on the rows in the engine; the
    warnings of the cleaning (personal ids, absurd amounts) from the case's notes.

    Examples
    --------
    A three-row case whose second row has a day-first date and third no amount:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from workbench.cases import load_case
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = Path(tmp.name)
    >>> _ = (folder / "orders.csv").write_text("order,cust,day,value\nO1,A,2024-01-05,10\n"
    ...                                        "O2,B,16/01/2024,5\nO3,C,2024-02-01,N/A\n")
    >>> _ = (folder / "shop.yaml").write_text(
    ...     "{name: shop, language: en, granularity: M, start: 2024-01-01, default_period: 2024-03,"
    ...     " notebooks: [00_data_overview], sources: {transactions: {path: orders.csv,"
    ...     " columns: {customer_id: cust, date: day, amount: value, order_id: order}}}}")
    >>> loaded = load_case(folder / "shop.yaml").load()
    >>> report = validation_report(loaded)
    >>> report.sources[["table", "rows_in", "kept", "quarantined"]]
              table  rows_in  kept  quarantined
    0  transactions        3     1            2
    >>> report.problems[["reason", "rows", "examples"]]
                 reason  rows             examples
    0  date_unparseable     1  row 3: '16/01/2024'
    1    amount_missing     1                row 4
    >>> report.ok  # every source keeps a row
    True
    >>> tmp.cleanup()
    """
    sources = loaded.sources_table()
    problems = []
    engine_source = _engine_source(loaded)
    if engine_source is not None:  # counted in the engine, from its quarantine file
        for row in loaded.quarantine_reasons().itertuples(index=False):
            problems.append({"table": row.table, "reason": row.reason, "rows": row.rows,
                             "examples": _examples(row.examples, lang),
                             "next_step": next_step(row.reason, lang, row.details)})
    for name, frame in loaded.quarantine.items():
        if name == engine_source:
            continue
        for reason, group in frame.groupby("reason", sort=False):
            details = group["detail"].dropna().astype(str).tolist()
            first = group[["row", "detail"]].head(3).itertuples(index=False, name=None)
            problems.append({"table": name, "reason": reason, "rows": len(group),
                             "examples": _examples(first, lang),
                             "next_step": next_step(reason, lang, details[:20])})
    warnings: list[str] = []
    survey = loaded.tables.get("survey")
    answers_kept = None
    if survey is not None:
        answers, answers_kept = _survey_problems(loaded, survey, lang, warnings)
        problems += answers
    problems = pd.DataFrame(problems, columns=["table", "reason", "rows", "examples", "next_step"])
    joins = join_match_rates(loaded, threshold)
    for row in joins.itertuples(index=False):
        if row.keys and row.match_rate is not None and row.match_rate < threshold:
            warnings.append(label("validate_join_low", lang).format(
                join=row.join, matched=row.matched, keys=row.keys, rate=row.match_rate,
                unmatched=row.unmatched_examples, other=row.other_side_examples,
                hint=translate_text(row.hint, lang)).rstrip())
    for name, note in loaded.notes.items():
        for column, kind in {**note.get("personal_unused", {}), **note.get("personal", {})}.items():
            where = label("validate_not_read" if column in note.get("personal_unused", {})
                          else "validate_pseudonymised", lang)
            warnings.append(label("validate_personal_column", lang).format(
                source=f"{name} ({note['file']})", column=column, kind=kind, where=where))
        if note.get("personal_ids"):
            warnings.append(label("message_personal_ids", lang).format(
                source=f"{name} ({note['file']})", kind=note["personal_ids"]))
        huge = note.get("huge_amounts") or {}
        if huge.get("rows"):
            shown = "; ".join(label("message_row_value", lang).format(row=row, value=repr(value))
                              for row, value in huge["examples"])
            warnings.append(label("message_huge_amounts", lang).format(
                source=f"{name} ({note['file']})", n=f"{huge['rows']:,}", limit=f"{huge['limit']:.0e}",
                examples=shown))
    transactions = loaded.tables.get("transactions")
    if transactions is not None and len(transactions):
        if in_engine(transactions):
            negatives, first = transactions.negative_net()
        else:
            net = transactions.groupby("customer_id", sort=True)["amount"].sum()
            negatives, first = int((net < 0).sum()), list(net[net < 0].head(3).items())
        if negatives:
            shown = ", ".join(f"{c} ({v:,.2f})" for c, v in first)
            warnings.append(label("validate_negative_net", lang).format(n=negatives, examples=shown))
    report = ValidationReport(sources=sources, problems=problems, joins=joins, warnings=warnings,
                              answers_kept=answers_kept, lang=lang)
    for name in report.empty_sources:
        warnings.insert(0, label("validate_keeps_no_row", lang).format(name=name))
    return report


def _survey_problems(loaded, survey: pd.DataFrame, lang: str,
                     warnings: list[str]) -> tuple[list[dict], int | None]:
    """The survey's answers against the case's model spec: reasons, warnings and the
    respondents kept (None when nothing was checked)."""
    from workbench.satisfaction import clean_survey
    from workbench.satisfaction.spec import SpecError

    try:
        spec = loaded.case.survey_spec()
    except ValueError as exc:
        warnings.append(str(exc))
        return [], None
    if spec is None:
        return [], None
    items = [i for i in spec.items if i in survey.columns]
    for item in items:
        if survey[item].isna().all() or survey[item].astype(str).str.strip().eq("").all():
            warnings.append(label("validate_item_unanswered", lang).format(item=item))
    try:
        cleaned = clean_survey(survey, spec)
    except (SpecError, ValueError) as exc:
        warnings.append(f"survey: {exc}")
        return [], None
    out = []
    quarantine = cleaned.quarantine
    for reason, group in quarantine.groupby("reason", sort=False):
        shown = "; ".join(f"{rid}: {detail}" for rid, detail in
                          zip(group["respondent_id"].head(3), group["detail"].head(3).fillna(""),
                              strict=True))
        out.append({"table": "survey_answers", "reason": reason, "rows": len(group),
                    "examples": shown, "next_step": next_step(reason, lang)})
    if len(survey) and quarantine.shape[0] == len(survey):
        warnings.append(label("validate_no_respondent", lang))
    return out, (len(survey) - quarantine.shape[0] if len(survey) else None)
