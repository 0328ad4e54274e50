"""Load and clean a case's raw data once per render, not once per notebook.

Every notebook of a render starts with ``load_case(case).load(period)``: reading,
mapping and cleaning the same raw files (1.5 s for CDNOW, 5 s for the N company, for
each of up to seven notebooks). During a render, :func:`workbench.reports.render_report`
points the environment variable :data:`ENV` at a cache folder; the first notebook's
:meth:`~workbench.cases.Case.load` stores its result there and every later one reads it
back.

An entry is keyed by everything the result depends on: the case file's bytes (its
sources, mappings, window and parameters), the SHA-256 of every input file (generated
sources included), the period, the day of the run (dates after it are quarantined) and
the workbench's own code (a changed cleaning rule is a new key). Change any of them and
the entry is not used; a case and period keep only their newest entry. Without the
variable nothing is cached, so interactive sessions and library use see no change.

An engine case (``engine: duckdb``) keeps a folder instead of a pickle
(:func:`entry_folder`): its clean transactions as Parquet, written by the engine, and the
customer-level tables computed from them, so that the render's notebooks clean the
source once and compute each aggregate once (:func:`workbench.engines.load_data`).

Entries are pickles written by this package into the report tree; do not point
:data:`ENV` at a folder others can write to.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.io import file_sha256

if TYPE_CHECKING:
    from workbench.cases import Case, LoadedCase

__all__ = ["ENV", "cache_key", "entry_folder", "lookup", "prune", "store"]

#: Environment variable naming the cache folder; unset (the default) caches nothing.
ENV = "WORKBENCH_LOAD_CACHE"

_FORMAT = 1  # bump when the stored layout changes


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """SHA-256 over the workbench package's Python files (names and bytes)."""
    import workbench

    root = Path(next(iter(workbench.__path__))).resolve()
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(case: Case, period: str | None, today: Any = None) -> str:
    """The key of one load: case file, input files, period, day and code.

    Parameters
    ----------
    case : Case
    period : str, optional
        As given to :meth:`Case.load`; the case's default period when None.
    today : date-like, optional
        As given to :meth:`Case.load`; None means today.

    Returns
    -------
    str
        64 hex digits.
    """
    day = pd.Timestamp.today() if today is None else pd.Timestamp(today)
    digest = hashlib.sha256()
    for part in (f"format {_FORMAT}", case.path.read_bytes(), str(case.period(period)),
                 str(day.date()), _code_fingerprint()):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    for name, path in sorted(case.source_files().items()):
        digest.update(f"{name}={file_sha256(path)}\0".encode())
    return digest.hexdigest()


def _folder() -> Path | None:
    value = os.environ.get(ENV)
    return Path(value) if value else None


def _entry(folder: Path, case: Case, period: str | None, key: str) -> Path:
    return folder / f"{case.name}-{case.period(period)}-{key[:24]}.pkl"


def lookup(case: Case, period: str | None = None, today: Any = None) -> LoadedCase | None:
    """The cached load of ``case`` and ``period``, or None (no cache, or no valid entry).

    Parameters
    ----------
    case : Case
    period : str, optional
    today : date-like, optional
        As for :meth:`Case.load`.

    Returns
    -------
    LoadedCase or None
        A fresh object around the stored tables, tied to ``case``.
    """
    folder = _folder()
    if folder is None:
        return None
    entry = _entry(folder, case, period, cache_key(case, period, today))
    try:
        with entry.open("rb") as handle:
            fields = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    from workbench.cases import LoadedCase

    return LoadedCase(case=case, **fields)


def store(case: Case, period: str | None, today: Any, loaded: LoadedCase) -> Path | None:
    """Keep ``loaded`` for the next notebook of the render; replace older entries.

    Parameters
    ----------
    case : Case
    period : str, optional
    today : date-like, optional
        As for :meth:`Case.load`.
    loaded : LoadedCase
        The result of the load.

    Returns
    -------
    pathlib.Path or None
        The entry written; None when no cache folder is set.
    """
    folder = _folder()
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    entry = _entry(folder, case, period, cache_key(case, period, today))
    fields = {f.name: getattr(loaded, f.name) for f in dataclasses.fields(loaded) if f.name != "case"}
    partial = entry.with_name(f".{entry.name}.{os.getpid()}")
    with partial.open("wb") as handle:
        pickle.dump(fields, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, entry)  # atomic: a reader sees the old entry or the whole new one
    prune(case, period, entry)
    return entry


def entry_folder(case: Case, period: str | None = None, today: Any = None) -> Path | None:
    """The folder of an engine case's cached load, or None when nothing is cached.

    Parameters
    ----------
    case : Case
    period : str, optional
    today : date-like, optional
        As for :meth:`Case.load`.

    Returns
    -------
    pathlib.Path or None
        ``<cache>/<case>-<period>-<key>.engine`` under the same key as :func:`lookup`
        (the folder may not exist yet); None without a cache folder, or when a source
        is a table rather than files (its rows cannot be checksummed, so a stored load
        could be stale).
    """
    folder = _folder()
    if folder is None or any("path" not in spec for spec in case.sources.values()):
        return None
    return _entry(folder, case, period, cache_key(case, period, today)).with_suffix(".engine")


def prune(case: Case, period: str | None, keep: Path) -> None:
    """Remove the entries of ``case`` and ``period`` other than ``keep`` (files and folders).

    Parameters
    ----------
    case : Case
    period : str, optional
    keep : pathlib.Path
        The newest entry.
    """
    import shutil

    for old in keep.parent.glob(f"{case.name}-{case.period(period)}-*"):
        if old == keep:
            continue
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
