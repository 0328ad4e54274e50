"""Render a case study: run its notebooks with papermill into ``reports/<case>/<period>/``.

The folder receives, per notebook, the executed ``.ipynb`` and an HTML page without
code cells (the management version, :mod:`workbench.navigation`); ``summary.html``, the
period's key figures, main charts and action lists (:mod:`workbench.summary`);
``index.html``, the period's contents; the notebooks' ``figures/`` and ``tables/``; one
XLSX workbook of all tables (:mod:`workbench.workbook`); the per-customer assignments and,
when the previous period was rendered, what changed since (:mod:`workbench.series`);
``metrics.json`` (key figures by notebook) and
``manifest.json`` (every parameter with its effective value, the version of every
runtime dependency, input checksums, timings). ``reports/<case>/index.html`` lists the
case's rendered periods.

Reports go into ``reports/`` of the workspace: the source checkout when running from
one, else the current directory (:func:`workbench.resources.workspace`).

A render goes into a hidden scratch folder beside the target and replaces the target
only when every notebook has run, so a report folder is always complete. A period that
was rendered before is not replaced without ``force``, and neither is a folder without
a ``manifest.json`` (left by hand or by an older, interrupted render). A notebook that
fails does not stop the others: every notebook runs and every page is written (the
failed notebook's page says that it stopped and why, the index and the summary name
it). The render is then kept as ``reports/<case>/<period>.failed/`` for inspection, the
previous report stays untouched, and :class:`ReportError` names every failed notebook,
the failing cell (counted as in the notebook file) and where the executed notebook is.
A later successful render removes that ``.failed`` folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path
from typing import Any

import nbformat
import papermill
import zmq
from jupyter_client.manager import KernelManager
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config

from workbench import __version__, cache, navigation, resources, summary
from workbench.cases import Case, load_case
from workbench.io import file_sha256, replace_dir, scratch_dir
from workbench.labels import label
from workbench.lock import clean_stale_scratch, render_lock
from workbench.series import previous_period, write_series_tables
from workbench.workbook import write_workbook

__all__ = [
    "NOTEBOOKS_DIR",
    "ReportError",
    "ReportExistsError",
    "package_versions",
    "render_report",
]

#: The bundled notebooks: ``notebooks/`` of the source checkout, or the installed copy.
NOTEBOOKS_DIR = resources.bundled("notebooks")


class ReportError(RuntimeError):
    """A notebook failed; the message names the notebook, the cell and the error."""


class ReportExistsError(FileExistsError):
    """The period's folder exists (rendered before, or left over) and ``force`` was not given."""


# papermill adds these cells to the executed notebook; the user's file has none of them
_INJECTED_TAG = "injected-parameters"
_ERROR_TAG = "papermill-error-cell-tag"


def _engine_options() -> dict[str, Any]:
    """Kernel-manager settings for papermill: CurveZMQ transport encryption when possible.

    ipykernel 7 warns "Kernel is running over TCP without encryption" on every start
    unless the kernel manager provisions CurveZMQ keys, which jupyter_client (8.10 and
    later) does with ``transport_encryption="auto"`` when libzmq has CURVE and the
    kernelspec declares support. Encrypting is the fix the warning asks for; hiding
    kernel logs would also hide real kernel errors. Older stacks neither warn nor know
    the setting, and then get none.
    """
    if "transport_encryption" in KernelManager.class_trait_names() and zmq.has("curve"):
        return {"config": Config({"KernelManager": {"transport_encryption": "auto"}})}
    return {}


#: the backend a Jupyter kernel uses when nothing else is set, as in JupyterLab
_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


@contextlib.contextmanager
def _inline_backend():
    """Start kernels with matplotlib's inline backend, whatever ``MPLBACKEND`` says.

    ``make report`` sets ``MPLBACKEND=Agg`` for the command itself; a kernel inheriting
    it shows no figure at all (``<Figure size ...>`` instead). Recorded figures are
    displayed by :meth:`workbench.recorder.Recorder.figure` either way; the inline
    backend makes a rendered notebook behave as it does in JupyterLab.
    """
    before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = _INLINE_BACKEND
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = before


def package_versions() -> dict[str, str]:
    """The installed version of every runtime dependency of the workbench.

    Every declared dependency can shape a result (numpy, pandas, scipy, scikit-learn,
    statsmodels, duckdb, pyarrow, pandera the numbers; matplotlib, seaborn, mplfonts the
    figures; papermill, nbconvert, openpyxl the files), so the manifest records them all,
    read from the package's own metadata rather than a list kept by hand.

    Returns
    -------
    dict of str to str
        Distribution name as declared -> installed version, sorted by name; empty when
        the package runs from a source tree without being installed (no metadata).
    """
    try:
        declared = requires(resources.DISTRIBUTION) or []
    except PackageNotFoundError:
        return {}
    names = [re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r).group() for r in declared
             if "extra ==" not in r]
    return {name: version(name) for name in sorted(names, key=str.lower)}


def _write_pages(folder: Path, case: Case, period: str, as_of: str, names: Sequence[str],
                 failures: Sequence[str], metrics: dict) -> None:
    """Every page of a period: the notebooks' HTML, the summary and the period's index."""
    lang, title = case.language, case.title or case.name
    for name in names:
        executed = folder / f"{name}.ipynb"
        if not executed.is_file():  # the kernel died before papermill wrote anything
            continue
        nav = navigation.nav_bar(notebooks=names, current=name, lang=lang, case_title=title,
                                 period=period, failed=failures)
        navigation.notebook_page(executed, folder / f"{name}.html", lang=lang, nav=nav,
                                 title=navigation.page_title(title, period, label(f"nb_{name}", lang)))
    summary.write_summary(folder, case=case, period=period, as_of=as_of,
                          notebooks=names, failed=failures, metrics=metrics)
    navigation.period_index(folder, notebooks=names, lang=lang, case_title=title, period=period,
                            as_of=as_of, failed=failures)


def _case_index(case_folder: Path, case: Case) -> None:
    navigation.case_index(case_folder, lang=case.language, case_title=case.title or case.name)


def _merge_metrics(folder: Path, notebooks: Sequence[str]) -> dict:
    merged = {}
    for name in notebooks:
        path = folder / "metrics" / f"{name}.json"
        if path.is_file():
            merged[name] = json.loads(path.read_text(encoding="utf-8"))
    (folder / "metrics.json").write_text(
        json.dumps(merged, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return merged


def _read_notebook(name: str, path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, unreadable: all the same to the user
        raise ReportError(
            f"notebook {name} failed: {path} cannot be read as a Jupyter notebook "
            f"({type(exc).__name__}: {str(exc)[:300]}); open it in Jupyter or restore it "
            "from git"
        ) from exc


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _failed_cell(executed: Path, source: Path, index: int | None) -> str:
    """Where a notebook failed, counted as in the user's notebook file.

    ``index`` is papermill's 0-based position in the executed notebook, which has the
    injected parameters cell (and, after an error, two marker cells) that the file
    lacks; ``None`` (a dead kernel) means the last cell papermill started.
    """
    try:
        cells = [c for c in nbformat.read(executed, as_version=4).cells
                 if _ERROR_TAG not in _tags(c)]
    except Exception:  # the kernel died before papermill wrote anything
        return "an unknown cell"
    if index is None:
        started = [i for i, c in enumerate(cells)
                   if c.metadata.get("papermill", {}).get("start_time")]
        if not started:
            return "an unknown cell"
        index = started[-1]
    if index >= len(cells) or _INJECTED_TAG in _tags(cells[index]):
        return f"cell {index + 1} of the executed notebook"
    own = [c for c in cells if _INJECTED_TAG not in _tags(c)]
    position = sum(_INJECTED_TAG not in _tags(c) for c in cells[:index]) + 1
    lines = cells[index].source.strip().splitlines()
    count = cells[index].get("execution_count")
    shown = f"; In [{count}] in the executed copy" if count else ""
    return (f"cell {position} of {len(own)} of {source} (counting every cell from 1, "
            f"markdown included{shown}), which starts {(lines[0] if lines else '')[:80]!r}")


def render_report(
    case: str | Case,
    period: str | None = None,
    *,
    force: bool = False,
    notebooks: Sequence[str] | None = None,
    reports_dir: str | Path | None = None,
    notebooks_dir: str | Path = NOTEBOOKS_DIR,
    progress: bool = True,
    log: Callable[[str], None] = print,
    wait: float = 0,
) -> Path:
    """Render one case and period.

    Parameters
    ----------
    case : str or Case
        A bundled case name, a case file path, or a loaded :class:`~workbench.cases.Case`.
    period : str, optional
        Default: the case's ``default_period``.
    force : bool
        Replace the period's existing folder (once the new render has succeeded).
    notebooks : sequence of str, optional
        Notebook names to run; default the case's ``notebooks``.
    reports_dir : path-like, optional
        Where reports go; default ``reports/`` of the workspace (the source checkout, or
        the current directory when installed).
    notebooks_dir : path-like
        Where notebooks are read from when the case has no ``notebooks/`` folder beside
        it; default the bundled ones.
    progress : bool
        Show papermill's per-cell progress bar.
    log : callable
        Receives one line per step.
    wait : float
        Seconds to wait when another process is rendering the same case and period
        (:func:`workbench.lock.render_lock`); 0 refuses at once, ``math.inf`` waits.

    Returns
    -------
    pathlib.Path
        The report folder, ``<reports_dir>/<case>/<period>/``.

    Raises
    ------
    ReportExistsError
        The period's folder exists and ``force`` is false.
    ReportError
        A notebook cannot be found or read, or failed (an error in a cell, a dead
        kernel); the executed copies are kept in ``<period>.failed/`` and the previous
        report, if any, is unchanged.
    workbench.lock.RenderLockedError
        Another process is rendering the same case and period (after ``wait`` seconds).

    Notes
    -----
    Scratch folders that killed renders of the case left behind are removed first
    (:func:`workbench.lock.clean_stale_scratch`). The notebooks share one load of the
    raw data through ``<reports_dir>/.cache/`` (:mod:`workbench.cache`).
    """
    case = case if isinstance(case, Case) else load_case(case)
    period_label = str(case.period(period))
    if reports_dir is None:
        reports_dir = resources.workspace() / "reports"
    folder = Path(reports_dir) / case.name / period_label
    with render_lock(folder, wait=wait):
        clean_stale_scratch(folder.parent, held=period_label)
        with _load_cache(Path(reports_dir) / ".cache"):
            return _render(case, period, folder, force=force, notebooks=notebooks,
                           notebooks_dir=notebooks_dir, progress=progress, log=log)


@contextlib.contextmanager
def _load_cache(folder: Path) -> Iterator[None]:
    """Point the notebooks' kernels at one load cache (:mod:`workbench.cache`) meanwhile."""
    before = os.environ.get(cache.ENV)
    os.environ[cache.ENV] = str(folder.resolve())
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(cache.ENV, None)
        else:
            os.environ[cache.ENV] = before


def _render(case: Case, period: str | None, folder: Path, *, force: bool,
            notebooks: Sequence[str] | None, notebooks_dir: str | Path, progress: bool,
            log: Callable[[str], None]) -> Path:
    """:func:`render_report` once it holds the period's lock."""
    period_label = folder.name
    failed = folder.with_name(f"{period_label}.failed")
    if folder.exists() and not force:
        if (folder / "manifest.json").is_file():
            raise ReportExistsError(
                f"{folder} was rendered already (it has a manifest.json); pass --force to "
                "render it again (the old report is replaced only if the new one succeeds)"
            )
        held = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
        raise ReportExistsError(
            f"{folder} exists but has no manifest.json, so it is not a complete report (an "
            f"interrupted earlier render, or files put there by hand); it holds "
            f"{', '.join(held[:8]) + (', ...' if len(held) > 8 else '') or 'nothing'}. "
            "Pass --force to replace it, or move it away"
        )
    names = list(notebooks or case.notebooks)
    sources = {}
    for name in names:
        # a case kept beside its own notebooks/ folder uses those; otherwise the bundled ones
        candidates = [case.root.parent / "notebooks" / f"{name}.ipynb",
                      Path(notebooks_dir) / f"{name}.ipynb"]
        sources[name] = next((c for c in candidates if c.is_file()), None)
        if sources[name] is None:
            raise ReportError(f"notebook {name}.ipynb not found in "
                              f"{[str(c.parent) for c in candidates]}")
        _read_notebook(name, sources[name])  # fail before starting any kernel
    started = time.perf_counter()
    inputs = {name: {"path": str(path), "sha256": file_sha256(path)}
              for name, path in sorted(case.source_files().items())}
    folder.parent.mkdir(parents=True, exist_ok=True)
    # beside the target, so the swap is a rename and a notebook that reads the previous
    # period's report (../<previous>/) finds it from here too
    scratch = scratch_dir(folder.parent, prefix=f".{period_label}.rendering-")
    try:
        timings, failures = {}, {}
        for i, name in enumerate(names, 1):
            log(f"[{i}/{len(names)}] {case.name} {period_label}: {name}")
            t0 = time.perf_counter()
            try:
                _execute(name, sources[name], scratch, kept=failed / f"{name}.ipynb",
                         parameters={"case": str(case.path), "period": period_label,
                                     "output_dir": "."},
                         progress=progress)
            except ReportError as exc:  # the other notebooks still run; the render fails at the end
                failures[name] = str(exc)
                log(f"  {exc}")
            timings[name] = round(time.perf_counter() - t0, 2)
        metrics = _merge_metrics(scratch, names)
        previous = previous_period(case, period_label)
        write_series_tables(scratch, folder.with_name(previous) if previous else None)
        # the scratch folder's name is not the report's: title the workbook by case and period
        write_workbook(scratch, lang=case.language, currency=case.currency, notebooks=names, log=log,
                       title=f"{case.title or case.name} · {period_label}")
        as_of = str(case.as_of(period).date())
        _write_pages(scratch, case, period_label, as_of, names, sorted(failures), metrics)
        manifest = {
            "case": case.name,
            "case_file": str(case.path),
            "period": period_label,
            "as_of": as_of,
            "notebooks": names,
            "failed_notebooks": sorted(failures),
            "parameters": case.params.to_dict(),
            "inputs": inputs,
            "workbench_version": __version__,
            "python": platform.python_version(),
            "packages": package_versions(),
            "timings_seconds": {**timings, "total": round(time.perf_counter() - started, 2)},
            "command": " ".join(sys.argv),
        }
        (scratch / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8")
        if failures:
            raise ReportError(
                f"{len(failures)} of {len(names)} notebooks failed "
                f"({', '.join(sorted(failures))}); the others ran and every page of this "
                f"render is in {failed}/index.html; the previous report, if any, is unchanged. "
                + " ".join(failures[n] for n in names if n in failures))
        replace_dir(scratch, folder)
    except BaseException:  # an interrupt too: keep what ran, leave the old report alone
        if scratch.exists():
            shutil.rmtree(failed, ignore_errors=True)
            scratch.rename(failed)
            _case_index(folder.parent, case)
        raise
    shutil.rmtree(failed, ignore_errors=True)  # an earlier failure's evidence is stale now
    _case_index(folder.parent, case)
    log(f"done: {folder} in {manifest['timings_seconds']['total']:.1f} s")
    return folder


def _execute(name: str, source: Path, scratch: Path, *, kept: Path,
             parameters: dict[str, str], progress: bool) -> None:
    """Run one notebook into ``scratch``; any failure becomes a :class:`ReportError`."""
    target = scratch / f"{name}.ipynb"
    evidence = f"The executed notebook is kept for inspection: {kept}"
    try:
        with _inline_backend():
            papermill.execute_notebook(
                str(source), str(target), parameters=parameters, kernel_name="python3",
                cwd=str(scratch), progress_bar=progress, language="python", **_engine_options())
    except papermill.PapermillExecutionError as exc:
        raise ReportError(
            f"notebook {name} failed in {_failed_cell(target, source, exc.cell_index)}: "
            f"{exc.ename}: {exc.evalue}. {evidence}"
        ) from exc
    except DeadKernelError as exc:
        raise ReportError(
            f"notebook {name} failed: the kernel died while running "
            f"{_failed_cell(target, source, None)} (running out of memory and crashes in "
            f"compiled code are the usual causes). {evidence}"
        ) from exc
    except Exception as exc:  # the kernel did not start, a cell timed out, ...
        raise ReportError(
            f"notebook {name} failed: {type(exc).__name__}: {exc}. {evidence}") from exc
