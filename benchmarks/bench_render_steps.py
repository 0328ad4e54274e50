"""The 100M render's remaining costs, measured on an engine case: features across notebooks,
period totals, writing customer tables.

Usage::

    PYTHONPATH=<source tree>/src nice -n 19 .venv/bin/python benchmarks/bench_render_steps.py --rows 1e7

The Parquet file of ``benchmarks/engines.py`` ``make_data`` (seed 1) is read and cleaned
by an ``engine: duckdb`` case (``memory_limit``, a spill folder, 2 threads, ``duplicates:
keep``) through :func:`workbench.engines.load_data` with a render's cache folder set
(:data:`workbench.cache.ENV`), as the first notebook of a render does. Then, timed (wall
seconds; memory: the process's resident set, peak during the step):

* ``customer_features``: computed in the first notebook (and stored in the cache entry),
  then read by a second :func:`load_data` on the same cache entry, as the next notebook
  of the render does;
* ``period_totals`` (notebook 00's :func:`workbench.overview.period_summary`), monthly;
* :meth:`workbench.recorder.Recorder.table` of the customer features (one row per
  customer, 13 columns), written as CSV (``csv``); and of the spend per customer and
  month (``period_spend``, millions of rows, 6 columns: ``csv_cells``, not in the
  default steps).

Run it with another source tree on ``PYTHONPATH`` to measure that code on the same data.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.engines import Peak, case_arguments, make_data, synth_case  # noqa: E402


def main(argv=None) -> None:
    parser = case_arguments(__doc__.splitlines()[0])
    parser.add_argument("--steps", default="features,period_totals,csv")
    args = parser.parse_args(argv)

    import workbench
    from workbench import cache
    from workbench.cases import load_case
    from workbench.engines import load_data
    from workbench.features import customer_features
    from workbench.overview import period_summary
    from workbench.recorder import Recorder

    data = make_data(args.rows, args.data_dir, seed=1)
    folder = Path(tempfile.mkdtemp(prefix="bench_render_steps_"))
    os.environ[cache.ENV] = str(folder / "cache")
    synth_case(folder, data, memory_limit=args.memory_limit, threads=args.threads, notebook="00_data_overview")
    code = Path(workbench.__file__).parent

    def report(step, p, note=""):
        row = {"rows": args.rows, "step": step, "seconds": round(p.seconds, 2), "peak_mb": round(p.peak),
               "code": str(code), "note": note}
        print(json.dumps(row), flush=True)

    def same_as_pandas(frame, path):
        """Whether ``path`` holds the bytes pandas' to_csv writes, and pandas' time for them."""
        start = time.perf_counter()
        reference = folder / "pandas.csv"
        frame.to_csv(reference, index=False, encoding="utf-8-sig", lineterminator="\n")
        seconds = time.perf_counter() - start
        same = reference.read_bytes() == path.read_bytes()
        reference.unlink()
        return f"bytes equal to pandas' to_csv: {same} (to_csv here: {seconds:.2f} s)"

    try:
        case = load_case(folder / "synth.yaml")
        with Peak() as p:
            first = load_data(case, today="2024-01-01", progress=None)
        report("load_data (read, clean, write the cache entry)", p)
        steps = args.steps.split(",")
        features = None
        if "features" in steps or "csv" in steps:
            with Peak() as p:
                features = customer_features(first.transactions, first.as_of)
            report("customer_features, first notebook (computed, stored)", p, f"{features.shape}")
        if "features" in steps:
            with Peak() as p:
                second = load_data(case, today="2024-01-01", progress=None)
            report("load_data, next notebook (from the cache)", p)
            with Peak() as p:
                again = customer_features(second.transactions, second.as_of)
            same = again.equals(features) and list(again.dtypes) == list(features.dtypes)
            report("customer_features, next notebook (read back)", p, f"equal to the first: {same}")
            stored = sorted((folder / "cache").rglob("aggregates/*"))
            print(json.dumps({"stored": [(f.name, f.stat().st_size) for f in stored]}), flush=True)
            second.close()
        if "period_totals" in steps:
            first.transactions._memo.clear()  # noqa: SLF001 - computed afresh
            with Peak() as p:
                totals = period_summary(first.transactions, granularity="M")
            digest = hashlib.sha256(totals.to_csv().encode()).hexdigest()[:16]
            report("period_totals, monthly (notebook 00)", p, f"{totals.shape}, sha256 of its CSV {digest}")
        if "csv" in steps:
            rec = Recorder(folder / "report", notebook="bench", lang="en")
            with Peak() as p:
                rec.table("customer_features", features)
            path = folder / "report" / "tables" / "customer_features.csv"
            report("Recorder.table: customer_features as CSV", p,
                   f"{len(features):,} rows, {path.stat().st_size / 2**20:.0f} MB, {same_as_pandas(features, path)}")
        if "csv_cells" in steps:  # a table of millions of rows: spend per customer and month
            cells = first.transactions.period_spend(first.as_of, period="M")
            rec = Recorder(folder / "report", notebook="bench", lang="en")
            with Peak() as p:
                rec.table("customer_months", cells)
            path = folder / "report" / "tables" / "customer_months.csv"
            report("Recorder.table: spend per customer and month as CSV", p,
                   f"{len(cells):,} rows x {cells.shape[1]}, {path.stat().st_size / 2**20:.0f} MB, "
                   f"{same_as_pandas(cells, path)}")
        first.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
