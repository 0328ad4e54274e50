"""The whole report on an engine case at scale: time per notebook and peak memory of the render.

Usage (from the repository root)::

    nice -n 19 .venv/bin/python benchmarks/bench_report.py --rows 1e7     # the rehearsal
    nice -n 19 .venv/bin/python benchmarks/bench_report.py --rows 1e8     # issue 14, item 4

The Parquet file of ``benchmarks/engines.py`` ``make_data`` (seed 1: rows/10 customers)
becomes an ``engine: duckdb`` case (``--memory-limit``, a spill folder, ``--threads``,
``duplicates: keep``) with the notebooks that need transactions only (00, 01, 02, 04: the
others need a survey, sales expense or a funnel this data has not). ``workbench report``
renders it in a subprocess into a temporary reports folder; its process tree (the command
and its Jupyter kernels) is sampled with psutil every ``--every`` seconds for the peak of
the sum of resident sets. Printed as JSON lines: the manifest's time per notebook and
step, the wall time, the peak memory and the free disk left by the spill folder; the
report folder is kept (its path printed) so its pages can be looked at.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.engines import case_arguments, make_data, synth_case  # noqa: E402

NOTEBOOKS = "00_data_overview, 01_customer_value, 02_segmentation, 04_lifecycle_churn"


def tree_rss_mb(process) -> float:
    """Resident memory of ``process`` and its descendants, MB (0 for those that ended)."""
    import psutil

    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def main(argv=None) -> None:
    parser = case_arguments(__doc__.splitlines()[0])
    parser.add_argument("--notebooks", default=NOTEBOOKS)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between memory samples")
    args = parser.parse_args(argv)

    import psutil

    started = time.perf_counter()
    data = make_data(args.rows, args.data_dir, seed=1)
    print(json.dumps({"step": "data", "rows": args.rows, "seconds": round(time.perf_counter() - started, 1),
                      "mb_on_disk": round(data.stat().st_size / 2**20)}), flush=True)
    folder = Path(tempfile.mkdtemp(prefix="bench_report_"))
    case = synth_case(folder, data, memory_limit=args.memory_limit, threads=args.threads,
                      notebook=args.notebooks)
    reports = folder / "reports"
    command = [str(Path(sys.executable).parent / "workbench"), "report", "--case", str(case),
               "--reports-dir", str(reports), "--force", "--quiet"]
    started = time.perf_counter()
    render = subprocess.Popen(command, env={**os.environ, "MPLBACKEND": "Agg"})
    watched, peak, spill_free = psutil.Process(render.pid), 0.0, shutil.disk_usage(folder).free
    while render.poll() is None:
        peak = max(peak, tree_rss_mb(watched))
        spill_free = min(spill_free, shutil.disk_usage(folder).free)
        time.sleep(args.every)
    wall = time.perf_counter() - started
    manifests = sorted(reports.glob("**/manifest.json"))
    timings = json.loads(manifests[0].read_text(encoding="utf-8"))["timings_seconds"] if manifests else {}
    print(json.dumps({"step": "render", "exit": render.returncode, "wall_s": round(wall, 1),
                      "peak_mb": round(peak), "disk_free_min_gb": round(spill_free / 2**30, 1),
                      "timings_s": timings, "reports": str(reports)}), flush=True)
    sys.exit(render.returncode)


if __name__ == "__main__":
    main()
