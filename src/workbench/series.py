"""Periodic series: render period after period, and say what changed since the last one.

A monthly (or quarterly, yearly) report is most useful next to the one before it. Each
rendered period keeps ``tables/customer_assignments.csv``: one row per customer with the
classes the notebooks gave it (ABC class, RFM segment and eight-class code, value-matrix
quadrant, k-means segment, lifecycle stage, key-account flag), taken from the tables the
notebooks recorded. When the previous period's report exists beside it
(``reports/<case>/<previous>/``), the period also gets

* ``changes_migration_<class>.csv``: for each classification (the key-account flag
  has its own table below), how many customers moved
  from each class of the previous period (rows) to each class now (columns); customers
  new this period come from ``(new)``, those gone leave to ``(absent)``;
* ``changes_key_metrics.csv``: every numeric key figure of both ``metrics.json`` with its
  previous and current value, the change and the relative change;
* ``changes_key_accounts.csv``: the customers who became key accounts and those who
  stopped being one, with their scores and ranks then and now.

:func:`render_series` renders a range of periods in order (``1997-06..1998-06``), so
each period finds the one before it; ``workbench report --case X --periods A..B`` calls
it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import lifecycle
from workbench.cases import Case, CaseError, load_case

__all__ = ["ASSIGNMENTS", "assignments", "compare_periods", "parse_periods", "previous_period",
           "render_series", "write_series_tables"]

#: assignment column -> (table it comes from, column in that table); every table optional
ASSIGNMENTS: dict[str, tuple[str, str]] = {
    "abc_class": ("abc_classes", "abc_class"),
    "rfm_segment": ("rfm_scores", "segment"),
    "rfm_class": ("rfm_eight_classes", "rfm_class"),
    "quadrant": ("value_matrix", "quadrant"),
    "segment": ("segment_assignments", "name"),
    "stage": ("customer_stages", "stage"),
    "key_account": ("key_account_scores", "key_account"),
}

#: a customer without a row in the previous period's assignments, and one without a row
#: in this period's (left the data): the tokens of :func:`workbench.lifecycle.migration_matrix`
NEW, ABSENT = lifecycle.NEW, lifecycle.ABSENT
#: a class left empty in a period's assignments (e.g. no stage for a customer without history)
UNCLASSED = "—"


def parse_periods(case: Case, text: str) -> list[str]:
    """The periods of ``A..B`` (both included) or of ``A,B,C``, validated and in order.

    Parameters
    ----------
    case : Case
    text : str
        ``"1997-06..1998-06"`` (every period from the first to the last, at the case's
        grain) or a comma-separated list.

    Returns
    -------
    list of str
        Period labels, ascending, without repeats.

    Raises
    ------
    CaseError
        A period is not of the case's grain or lies outside its window, or the range
        ends before it starts.
    """
    text = str(text).strip()
    if ".." in text:
        first, _, last = (s.strip() for s in text.partition(".."))
        start, end = case.period(first), case.period(last)
        if end < start:
            raise CaseError(f"--periods {text}: the range ends ({last}) before it starts ({first}); "
                            f"write it as {last}..{first}")
        periods = pd.period_range(start, end, freq=start.freq)
    else:
        periods = sorted({case.period(p.strip()) for p in text.split(",") if p.strip()})
    if not len(periods):
        raise CaseError(f"--periods {text!r} names no period; write e.g. "
                        f"{case.default_period}..{case.default_period} or a comma-separated list")
    return [str(case.period(str(p))) for p in periods]


def previous_period(case: Case, period: str) -> str | None:
    """The period before ``period`` at the case's grain, or None before the case's start."""
    before = case.period(period) - 1
    try:
        return str(case.period(str(before)))
    except CaseError:
        return None


def _read(folder: Path, table: str) -> pd.DataFrame | None:
    path = folder / "tables" / f"{table}.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"customer_id": str},
                       keep_default_na=False, na_values=[""])


def assignments(folder: str | Path) -> pd.DataFrame | None:
    """Per customer, the classes a rendered period gave it.

    Parameters
    ----------
    folder : path-like
        A report folder (or a scratch render) with ``tables/*.csv``.

    Returns
    -------
    pandas.DataFrame or None
        ``customer_id`` and one column per entry of :data:`ASSIGNMENTS` whose table
        exists (a case without notebook 04 has no ``stage``), sorted by id; None when
        none of the tables exists.
    """
    folder = Path(folder)
    merged = None
    for column, (table, source) in ASSIGNMENTS.items():
        frame = _read(folder, table)
        if frame is None or source not in frame or "customer_id" not in frame:
            continue
        part = frame[["customer_id", source]].drop_duplicates("customer_id").rename(
            columns={source: column})
        merged = part if merged is None else merged.merge(part, on="customer_id", how="outer")
    if merged is None:
        return None
    return merged.sort_values("customer_id", kind="stable").reset_index(drop=True)


def _migration(before: pd.DataFrame, now: pd.DataFrame, column: str) -> pd.DataFrame:
    """Customers per class before (rows, ``(new)`` last) and now (columns, ``(absent)`` last)."""
    parts = [frame[["customer_id", column]].astype({column: object}).fillna({column: UNCLASSED})
             for frame in (before, now)]
    counts = lifecycle.migration_matrix(*parts, column=column).counts
    return counts.rename_axis(index="class_before", columns=None).reset_index()


def _numbers(metrics: dict[str, Any]) -> dict[tuple[str, str], float]:
    out = {}
    for notebook, values in metrics.items():
        for name, value in (values or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                out[(notebook, name)] = float(value)
    return out


def compare_periods(previous: str | Path, current: str | Path) -> dict[str, pd.DataFrame]:
    """What changed from one rendered period to the next.

    Parameters
    ----------
    previous, current : path-like
        Report folders of two consecutive periods of one case (``current`` may be a
        render in progress).

    Returns
    -------
    dict of str to pandas.DataFrame
        Table name -> table: ``changes_migration_<class>`` for every classification both
        periods have (``previous`` class as rows, current classes as columns, customer
        counts; index column ``class_before``), ``changes_key_metrics`` (``notebook``,
        ``metric``, ``value_before``, ``value_now``, ``difference``,
        ``relative_difference``; empty when the value before is 0),
        ``changes_key_accounts`` (``customer_id``, ``key_account_change``
        ``new_key_account`` or ``lost_key_account``, ``rank_before``, ``rank_now``,
        ``score_before``, ``score_now``).
    """
    previous, current = Path(previous), Path(current)
    tables: dict[str, pd.DataFrame] = {}
    before, now = assignments(previous), assignments(current)
    if before is not None and now is not None:
        for column in ASSIGNMENTS:
            if column != "key_account" and column in before and column in now:
                tables[f"changes_migration_{column}"] = _migration(before, now, column)
    metrics = [json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}
               for p in (previous / "metrics.json", current / "metrics.json")]
    old, new = (_numbers(m) for m in metrics)
    rows = []
    for key in sorted(set(old) & set(new)):
        change = new[key] - old[key]
        rows.append({"notebook": key[0], "metric": key[1], "value_before": old[key], "value_now": new[key],
                     "difference": change,
                     "relative_difference": change / old[key] if old[key] else math.nan})
    if rows:
        tables["changes_key_metrics"] = pd.DataFrame(rows)
    scores = [_read(previous, "key_account_scores"), _read(current, "key_account_scores")]
    if all(s is not None and {"customer_id", "key_account"} <= set(s) for s in scores):
        def _flag(frame):
            return frame["key_account"].astype(str).str.lower().eq("true")

        keep = ["customer_id", "rank", "score"]
        joined = scores[0].loc[:, keep].merge(scores[1].loc[:, keep], on="customer_id", how="outer",
                                              suffixes=("_before", "_now"))
        was = joined["customer_id"].isin(scores[0].loc[_flag(scores[0]), "customer_id"])
        is_now = joined["customer_id"].isin(scores[1].loc[_flag(scores[1]), "customer_id"])
        joined["key_account_change"] = pd.Series(pd.NA, index=joined.index, dtype=object)
        joined.loc[is_now & ~was, "key_account_change"] = "new_key_account"
        joined.loc[was & ~is_now, "key_account_change"] = "lost_key_account"
        changed = joined[joined["key_account_change"].notna()]
        tables["changes_key_accounts"] = changed[[
            "customer_id", "key_account_change", "rank_before", "rank_now", "score_before",
            "score_now"]].sort_values(["key_account_change", "rank_now", "customer_id"],
                                      kind="stable").reset_index(drop=True)
    return tables


def write_series_tables(folder: str | Path, previous: str | Path | None) -> list[str]:
    """Write a period's assignments and, given the previous period, its changes.

    Parameters
    ----------
    folder : path-like
        The period's (scratch) report folder, after its notebooks ran.
    previous : path-like, optional
        The previous period's report folder; skipped when None or not rendered.

    Returns
    -------
    list of str
        Names of the tables written into ``<folder>/tables/``.
    """
    folder = Path(folder)
    written = []
    table = assignments(folder)
    if table is None:
        return written
    table.to_csv(folder / "tables" / "customer_assignments.csv", index=False, encoding="utf-8-sig",
                 lineterminator="\n")
    written.append("customer_assignments")
    if previous is not None and (Path(previous) / "manifest.json").is_file():
        for name, frame in compare_periods(previous, folder).items():
            frame.to_csv(folder / "tables" / f"{name}.csv", index=False, encoding="utf-8-sig",
                         lineterminator="\n")
            written.append(name)
    return written


def render_series(case: str | Case, periods: str | Sequence[str], *,
                  log: Callable[[str], None] = print, **options: Any) -> list[Path]:
    """Render several periods of one case in order, each compared with the one before.

    Parameters
    ----------
    case : str or Case
    periods : str or sequence of str
        ``"1997-06..1998-06"``, ``"1997-06,1997-12"`` or a list of period labels.
    log : callable
        Receives one line per step.
    **options
        Passed to :func:`workbench.reports.render_report` (``force``, ``reports_dir``,
        ``notebooks``, ``progress``, ``wait``).

    Returns
    -------
    list of pathlib.Path
        The report folders, in period order.

    Raises
    ------
    workbench.reports.ReportExistsError, workbench.reports.ReportError
        As :func:`~workbench.reports.render_report`; the periods before the failing one
        stay rendered.

    Notes
    -----
    Without ``force``, a period rendered before (it has a ``manifest.json``) is kept
    and skipped, so rerunning the same range after a new month renders only what is
    missing; a folder without a manifest still stops the series
    (:class:`~workbench.reports.ReportExistsError`).
    """
    from workbench.reports import render_report

    case = case if isinstance(case, Case) else load_case(case)
    labels = parse_periods(case, periods) if isinstance(periods, str) else parse_periods(
        case, ",".join(periods))
    from workbench import resources

    reports_dir = Path(options.get("reports_dir") or resources.workspace() / "reports")
    folders = []
    for i, period in enumerate(labels, 1):
        folder = reports_dir / case.name / period
        if not options.get("force") and (folder / "manifest.json").is_file():
            log(f"series {case.name}: period {period} ({i}/{len(labels)}) was rendered before; "
                "kept (--force renders it again)")
            folders.append(folder)
            continue
        log(f"series {case.name}: period {period} ({i}/{len(labels)})")
        folders.append(render_report(case, period, log=log, **options))
    return folders
