"""Render a case study: run its notebooks with papermill into ``reports/<case>/<period>/``.

The folder receives, per notebook, the executed ``.ipynb`` and an HTML export without
code cells (the management version); the notebooks' ``figures/`` and ``tables/``; one
XLSX workbook of all tables; ``metrics.json`` (key figures by notebook) and
``manifest.json`` (parameters, versions, input checksums, timings). A period that was
rendered completely is not overwritten without ``force``. When a notebook fails, the
executed notebook is kept for inspection, no manifest is written, and
:class:`ReportError` names the notebook and the failing cell.
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

import nbformat
import pandas as pd
import papermill
from nbconvert import HTMLExporter

from workbench import __version__
from workbench.cases import Case, load_case
from workbench.io import file_sha256

__all__ = [
    "NOTEBOOKS_DIR",
    "REPORTS_DIR",
    "ReportError",
    "ReportExistsError",
    "render_report",
]

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"
_VERSIONS = ("numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "matplotlib",
             "papermill")


class ReportError(RuntimeError):
    """A notebook failed; the message names the notebook, the cell and the error."""


class ReportExistsError(FileExistsError):
    """The period was rendered before and ``force`` was not given."""


def _html_without_code(notebook: Path, target: Path) -> None:
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    target.write_text(body, encoding="utf-8")


def _tables_workbook(folder: Path) -> Path | None:
    """All ``tables/*.csv`` as sheets of ``tables/tables.xlsx`` (sheet names <= 31 chars)."""
    csvs = sorted((folder / "tables").glob("*.csv"))
    if not csvs:
        return None
    target = folder / "tables" / "tables.xlsx"
    used: set[str] = set()
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for csv in csvs:
            sheet = csv.stem[:31]
            n = 1
            while sheet in used:
                n += 1
                sheet = f"{csv.stem[:28]}~{n}"
            used.add(sheet)
            pd.read_csv(csv, encoding="utf-8-sig").to_excel(writer, sheet_name=sheet, index=False)
    return target


def _merge_metrics(folder: Path, notebooks: Sequence[str]) -> dict:
    merged = {}
    for name in notebooks:
        path = folder / "metrics" / f"{name}.json"
        if path.is_file():
            merged[name] = json.loads(path.read_text(encoding="utf-8"))
    (folder / "metrics.json").write_text(
        json.dumps(merged, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return merged


def _failed_cell(exc: papermill.PapermillExecutionError) -> str:
    source = (exc.source or "").strip().splitlines()
    first = source[0] if source else ""
    return (f"cell {exc.cell_index} (execution count {exc.exec_count}, starting "
            f"{first[:80]!r}): {exc.ename}: {exc.evalue}")


def render_report(
    case: str | Case,
    period: str | None = None,
    *,
    force: bool = False,
    notebooks: Sequence[str] | None = None,
    reports_dir: str | Path = REPORTS_DIR,
    notebooks_dir: str | Path = NOTEBOOKS_DIR,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> Path:
    """Render one case and period.

    Parameters
    ----------
    case : str or Case
        A bundled case name, a case file path, or a loaded :class:`~workbench.cases.Case`.
    period : str, optional
        Default: the case's ``default_period``.
    force : bool
        Overwrite a period that was rendered completely before.
    notebooks : sequence of str, optional
        Notebook names to run; default the case's ``notebooks``.
    reports_dir, notebooks_dir : path-like
        Where reports go and where notebooks are read from.
    progress : bool
        Show papermill's per-cell progress bar.
    log : callable
        Receives one line per step.

    Returns
    -------
    pathlib.Path
        The report folder.

    Raises
    ------
    ReportExistsError
        The period has a ``manifest.json`` and ``force`` is false.
    ReportError
        A notebook failed; its executed copy stays in the folder.
    """
    case = case if isinstance(case, Case) else load_case(case)
    period_label = str(case.period(period))
    folder = Path(reports_dir) / case.name / period_label
    if (folder / "manifest.json").is_file() and not force:
        raise ReportExistsError(
            f"{folder} was rendered already (it has a manifest.json); pass --force to "
            "render it again"
        )
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    names = list(notebooks or case.notebooks)
    started = time.perf_counter()
    inputs = {name: {"path": str(path), "sha256": file_sha256(path)}
              for name, path in sorted(case.source_files().items())}
    timings = {}
    for i, name in enumerate(names, 1):
        # a case kept beside its own notebooks/ folder uses those; otherwise the bundled ones
        candidates = [case.root.parent / "notebooks" / f"{name}.ipynb",
                      Path(notebooks_dir) / f"{name}.ipynb"]
        source = next((c for c in candidates if c.is_file()), None)
        if source is None:
            raise ReportError(f"notebook {name}.ipynb not found in {[str(c.parent) for c in candidates]}")
        target = folder / f"{name}.ipynb"
        log(f"[{i}/{len(names)}] {case.name} {period_label}: {name}")
        t0 = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(source), str(target),
                parameters={"case": str(case.path), "period": period_label,
                            "output_dir": str(folder.resolve())},
                kernel_name="python3", cwd=str(folder), progress_bar=progress,
                language="python",
            )
        except papermill.PapermillExecutionError as exc:
            raise ReportError(
                f"notebook {name} failed in {_failed_cell(exc)}. The executed notebook is "
                f"kept for inspection: {target}"
            ) from exc
        timings[name] = round(time.perf_counter() - t0, 2)
        _html_without_code(target, folder / f"{name}.html")
    _tables_workbook(folder)
    _merge_metrics(folder, names)
    manifest = {
        "case": case.name,
        "case_file": str(case.path),
        "period": period_label,
        "analysis_date": str(case.analysis_date(period).date()),
        "notebooks": names,
        "parameters": dict(case.parameters),
        "inputs": inputs,
        "workbench_version": __version__,
        "python": platform.python_version(),
        "packages": {name: version(name) for name in _VERSIONS},
        "timings_seconds": {**timings, "total": round(time.perf_counter() - started, 2)},
        "command": " ".join(sys.argv),
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    log(f"done: {folder} in {manifest['timings_seconds']['total']:.1f} s")
    return folder
