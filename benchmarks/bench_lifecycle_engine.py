"""Lifecycle on an engine case: churn rates, cohort tables and stages from DuckDB.

Usage::

    nice -n 19 .venv/bin/python benchmarks/bench_lifecycle_engine.py --rows 1e7

Synthetic CDNOW-like transactions from ``benchmarks/engines.py`` ``make_data`` (seed 1,
rows/10 customers, string ids, 1997-01-01 to 1998-06-30) as Parquet, read by a case with
``engine: duckdb`` (``memory_limit``, a spill folder, 2 threads; ``duplicates: keep``)
through :func:`workbench.engines.load_case_tables`. Then, in one process, each step with
every aggregate computed afresh (the case's memo is emptied between steps): the wall
time and the peak resident memory of the process during the step (``/proc/self/statm``
sampled every 20 ms), beside the resident memory before it; DuckDB's buffers (up to its
``memory_limit``) are part of that memory. ``--trace`` adds the peak of what Python and
numpy allocate during the step (``tracemalloc``: the pandas side, without DuckDB's and
Arrow's buffers; times are slower then). Run it with another source tree on
``PYTHONPATH`` to measure that code on the same data.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.engines import Peak, case_arguments, make_data, synth_case  # noqa: E402


def main(argv=None) -> None:
    parser = case_arguments(__doc__.splitlines()[0])
    parser.add_argument("--steps", default="churn_M,churn_Q,cohort_M,stages_Q")
    parser.add_argument("--trace", action="store_true", help="also the peak of Python and numpy allocations")
    parser.add_argument("--out", type=Path, help="append the rows as JSON lines")
    parser.add_argument("--save", type=Path, help="a folder: each step's result as a pickle (to compare trees)")
    args = parser.parse_args(argv)

    import workbench
    from workbench import lifecycle as lc
    from workbench.cases import load_case
    from workbench.engines import load_case_tables

    data = make_data(args.rows, args.data_dir, seed=1)
    folder = Path(tempfile.mkdtemp(prefix="bench_lifecycle_engine_"))
    synth_case(folder, data, memory_limit=args.memory_limit, threads=args.threads, notebook="04_lifecycle_churn")
    code = Path(workbench.__file__).parent
    rows = []

    def report(step, p, note=""):
        row = {"rows": args.rows, "step": step, "seconds": round(p.seconds, 2), "rss_before_mb": round(p.before),
               "peak_mb": round(p.peak), "python_peak_mb": None if p.traced is None else round(p.traced),
               "code": str(code), "note": note}
        rows.append(row)
        print(json.dumps(row), flush=True)

    with Peak() as p:
        case = load_case_tables(load_case(folder / "synth.yaml"), today="2024-01-01", progress=None)
    report("load_case_tables (read, clean)", p)
    tx, as_of = case.transactions, case.as_of
    if args.trace:
        tracemalloc.start()
    steps = {
        "churn_M": lambda: lc.churn_rates(tx, period="M", as_of=as_of),
        "churn_Q": lambda: lc.churn_rates(tx, period="Q", as_of=as_of),
        "cohort_M": lambda: (lc.cohort_table(tx, period="M", as_of=as_of),
                             lc.cohort_table(tx, period="M", metric="revenue", as_of=as_of)),
        "stages_Q": lambda: lc.lifecycle_stages(tx, as_of, period="Q", churn_horizon=365),
    }
    for name in args.steps.split(","):
        tx._memo.clear()  # noqa: SLF001 - every step computes its aggregates afresh
        gc.collect()
        with Peak() as p:
            out = steps[name]()
        first = out[0] if isinstance(out, tuple) else out
        shape = getattr(first, "shape", None) or first.values.shape
        report(name, p, note=f"result {shape}")
        if args.save is not None:
            import pickle

            args.save.mkdir(parents=True, exist_ok=True)
            with (args.save / f"{name}.pkl").open("wb") as handle:
                pickle.dump(out, handle, protocol=pickle.HIGHEST_PROTOCOL)
        del out, first
    case.close()
    shutil.rmtree(folder, ignore_errors=True)  # the case file and the spill folder
    if args.out is not None:
        with args.out.open("a") as handle:
            for row in rows:
                handle.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
