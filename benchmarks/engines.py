"""Engines at scale: the BG/NBD summary per engine from Parquet, side by side, one table.

Usage (from the repository root)::

    python -m benchmarks                          # 1M and 10M rows (make bench)
    python -m benchmarks --sizes 1e6 --repeats 1  # a quick look
    python -m benchmarks --sizes 1e6,1e7,1e8 --customers 1e7

Data: CDNOW-like transactions (rows/10 customers with zero-padded string ids, a first
purchase in the first 12 weeks of 1997, exponential gaps, lognormal amounts, dates to
1998-06-30, no returns), written once per size to ``--data-dir`` as Parquet in chunks
of ``--chunk`` rows, so that generating 100M rows needs no more memory than one chunk.
Rows are in generation order (not sorted): the engines hash-aggregate either way.

Tools, each in its own subprocess (time from the Parquet file to one pandas row per
customer, imports and Spark's start excluded; peak memory = ``ru_maxrss`` of the
process plus the JVM's high-water mark for Spark):

* ``duckdb_engine``: :class:`workbench.engines.DuckDBEngine` (read + count/validate +
  the BG/NBD summary) with ``--memory-limit`` and a spill directory;
* ``duckdb_hand``: the best hand-written DuckDB query (day totals, then ``arg_min``;
  ../shared/BENCHMARKS.md) on ``read_parquet``, same settings: the yardstick;
* ``duckdb_clean``: the same, after cleaning in the engine
  (:func:`workbench.engines.cleaning.clean_transactions`: every quarantine rule, the
  window of the case, exact duplicates flagged and kept as in cases/cdnow.yaml, the
  quarantine written as Parquet): read, clean,
  aggregate, end to end;
* ``duckdb_features``: the engine's 13 customer features (another output, for scale);
* ``spark_engine``: :class:`workbench.engines.SparkEngine` in local mode (``local[2]``, the session
  it starts itself, with its local settings); ``spark_clean``: the same after cleaning on
  Spark, as ``duckdb_clean``;
* ``pandas_workbench``: ``pandas.read_parquet`` + :func:`workbench.features.bgnbd_summary`;
* ``lifetimes``: ``pandas.read_parquet`` + lifetimes 0.11.3
  ``summary_data_from_transaction_data`` from its own venv (``--lifetimes-python``; made
  as benchmarks/lifetimes_reference.py says, plus ``pip install "pyarrow<16"``, the last
  pyarrow for numpy 1), only at the sizes of ``--lifetimes-sizes``.

Customer level (``--customers``): BG/NBD and Gamma-Gamma fits, P(alive), conditional
expected purchases and CLV (``workbench.clv``) for that many customers (rows sampled
from the largest summary computed), and ``CustomerSegmenter().fit`` on as many
synthetic customers (benchmarks/bench_segmentation.py's generator) with
``--segmentation``.

Rounds: each tool runs once per round in rotating order (``--repeats`` rounds, one at
the largest size above 1e7), median reported, with time / ``duckdb_hand`` and the cost
per row (ns) and its slope between consecutive sizes. Every summary is compared with
the hand query's (max abs diff, ids equal).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
END = "1998-06-30"
COLUMNS = ("frequency", "recency", "T", "monetary_value")
TOOLS = ("duckdb_hand", "duckdb_engine", "duckdb_clean", "duckdb_features", "spark_engine", "spark_clean",
         "pandas_workbench",
         "lifetimes")

HAND_SQL = """
WITH days AS (
    SELECT customer_id, CAST(date AS DATE) AS d, SUM(amount) AS s
    FROM read_parquet('{path}') WHERE date <= DATE '{end}' GROUP BY ALL
), per AS (
    SELECT customer_id, COUNT(*) - 1 AS x, MIN(d) AS f, MAX(d) AS l,
           SUM(s) - arg_min(s, d) AS repeat_spend
    FROM days GROUP BY customer_id
)
SELECT customer_id, x::DOUBLE AS frequency, (l - f) / 7.0 AS recency,
       (DATE '{end}' - f) / 7.0 AS T,
       CASE WHEN x > 0 THEN repeat_spend / x ELSE 0 END AS monetary_value
FROM per ORDER BY customer_id
"""


# ----------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------


PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE / 2**20


class Peak:
    """Wall time (``seconds``), resident memory before (``before``) and at its highest
    (``peak``, MB, sampled every 20 ms from ``/proc/self/statm``) of this process while the
    block runs, and the peak of Python allocations (``traced``) when tracemalloc runs."""

    def __enter__(self):
        self.peak, self.before, self._stop = rss_mb(), rss_mb(), threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        if tracemalloc.is_tracing():
            tracemalloc.reset_peak()
        self.start = time.perf_counter()
        return self

    def _watch(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())
        self.traced = tracemalloc.get_traced_memory()[1] / 2**20 if tracemalloc.is_tracing() else None

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())
        self.traced = tracemalloc.get_traced_memory()[1] / 2**20 if tracemalloc.is_tracing() else None


def case_arguments(description: str):
    """The command line of the scripts that render an engine case of :func:`make_data`:
    ``--rows``, ``--data-dir``, ``--memory-limit`` and ``--threads`` (add their own after)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=lambda s: int(float(s)), default=10_000_000)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument("--memory-limit", default="6GB")
    parser.add_argument("--threads", type=int, default=2)
    return parser


def synth_case(folder: Path, data: Path, *, memory_limit: str, threads: int, notebook: str) -> Path:
    """Write ``folder/synth.yaml``: a DuckDB case over the Parquet file of :func:`make_data`
    (the generator's window and columns, spilling into ``folder/spill``) for one notebook."""
    import textwrap

    (folder / "spill").mkdir(exist_ok=True)
    path = folder / "synth.yaml"
    path.write_text(textwrap.dedent(f"""\
        name: synth
        language: en
        currency: USD
        granularity: M
        start: 1997-01-01
        end: 1998-06-30
        default_period: 1998-06
        engine: {{name: duckdb, memory_limit: {memory_limit}, temp_directory: {folder / 'spill'},
                 threads: {threads}}}
        sources:
          transactions:
            path: {data}
            duplicates: keep
            columns: {{customer_id: customer_id, date: date, amount: amount}}
        notebooks: [{notebook}]
        """), encoding="utf-8")
    return path


def make_data(n_rows: int, directory: Path, seed: int = 1, chunk: int = 4_000_000) -> Path:
    """Write (once) and return a Parquet file of ``n_rows`` CDNOW-like transactions.

    Generated and written ``chunk`` rows at a time (bounded memory at any size):
    ``customer_id`` (string), ``date`` (date32), ``amount`` (double, two decimals).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = directory / f"cdnow_like_{n_rows}_{seed}.parquet"
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_customers = max(n_rows // 10, 1)
    first = rng.integers(0, 84, n_customers).astype(np.int32)
    width = len(str(n_customers - 1))
    schema = pa.schema([("customer_id", pa.string()), ("date", pa.date32()), ("amount", pa.float64())])
    partial = path.with_suffix(".partial")
    with pq.ParquetWriter(partial, schema) as writer:
        for start in range(0, n_rows, chunk):
            m = min(chunk, n_rows - start)
            customer = rng.integers(0, n_customers, m)
            day = np.minimum(first[customer] + rng.exponential(120, m).astype(np.int32), 545)
            ids = pc.utf8_lpad(pa.array(customer).cast(pa.string()), width, "0")
            dates = pa.array(np.datetime64("1997-01-01", "D") + day.astype("timedelta64[D]"), pa.date32())
            amount = pa.array(np.round(rng.lognormal(3.0, 0.8, m), 2))
            writer.write_table(pa.table([ids, dates, amount], schema=schema))
    partial.rename(path)
    return path


# ----------------------------------------------------------------------------------
# the tools (inside a worker subprocess)
# ----------------------------------------------------------------------------------


def _duckdb_settings(args) -> dict:
    return {"memory_limit": args.memory_limit, "temp_directory": str(args.data_dir / "duckdb-spill"),
            "threads": args.threads}


def run_duckdb_hand(path: Path, args):
    import duckdb

    with duckdb.connect(config={"preserve_insertion_order": False}) as con:
        s = _duckdb_settings(args)
        con.execute(f"SET memory_limit = '{s['memory_limit']}'")
        con.execute(f"SET temp_directory = '{s['temp_directory']}'")
        con.execute(f"SET threads = {s['threads']}")
        con.execute("SET enable_progress_bar = false")
        return con.sql(HAND_SQL.format(path=path, end=END)).to_arrow_table().to_pandas()


def _engine_run(engine, path: Path, what: str, spill: Path | None = None):
    from workbench.engines import Source

    source = Source("parquet", path=str(path))
    if what == "clean":  # read, clean (the quarantine rules, in the engine), then the summary
        from workbench.engines.cleaning import clean_transactions

        clean_transactions(engine, source, start="1997-01-01", end=END, duplicates="keep",
                           quarantine_path=spill / "quarantine.parquet")
        return engine.bgnbd_summary(END)
    engine.transactions(source)
    if what == "features":
        engine.customer_features(END, frequency="days")
        return None
    return engine.bgnbd_summary(END)


def run_duckdb_engine(path: Path, args, what: str = "summary"):
    from workbench.engines import DuckDBEngine

    with DuckDBEngine(**_duckdb_settings(args), progress=None) as engine:
        return _engine_run(engine, path, what, Path(_duckdb_settings(args)["temp_directory"]))


def run_spark_engine(path: Path, args, engine, what: str = "summary"):
    return _engine_run(engine, path, what, args.data_dir / "spark-spill")


def _spark_engine(args):
    """The engine with the session it starts itself in local mode (its local settings,
    :data:`workbench.engines.spark_engine.LOCAL_DEFAULTS`, included), started and warmed
    up before the clock."""
    from workbench.engines import SparkEngine

    engine = SparkEngine(master=f"local[{args.threads}]", app_name="workbench-bench", progress=None,
                         config={"spark.driver.memory": args.spark_memory,
                                 "spark.sql.shuffle.partitions": args.spark_partitions,
                                 "spark.ui.enabled": "false"})
    engine.spark.sparkContext.setLogLevel("ERROR")
    engine.spark.range(1).count()  # start the executors before the clock
    return engine


def _read_frame(path: Path):
    """The file as a pandas frame with datetime64[ns] dates (date32 would become objects)."""
    import pyarrow.parquet as pq

    tx = pq.read_table(path).to_pandas(date_as_object=False)
    tx["date"] = tx["date"].astype("datetime64[ns]")
    return tx


def run_pandas_workbench(path: Path, args):
    from workbench.features import bgnbd_summary

    tx = _read_frame(path)
    return bgnbd_summary(tx, END)


def run_lifetimes(path: Path, args):
    from lifetimes.utils import summary_data_from_transaction_data

    tx = _read_frame(path)
    out = summary_data_from_transaction_data(tx, "customer_id", "date", monetary_value_col="amount",
                                             observation_period_end=END, freq="D", freq_multiplier=7)
    return out.reset_index()


def _descendant_peak_kb() -> int:
    """Peak resident memory (VmHWM) of the live child processes (Spark's JVM), in KiB."""
    me, total = os.getpid(), 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != me:
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total


def worker(args) -> None:
    """Run one tool once on one file; write its time, peak memory and result."""
    import pandas as pd  # noqa: F401 - imported before the clock, as the tools' libraries

    tool, path = args.worker, args.data
    spark = None
    if tool in ("duckdb_engine", "duckdb_clean", "duckdb_features"):
        import workbench.engines  # noqa: F401
    elif tool == "duckdb_hand":
        import duckdb  # noqa: F401
    elif tool in ("spark_engine", "spark_clean"):
        spark = _spark_engine(args)
    elif tool == "pandas_workbench":
        import workbench.features  # noqa: F401
    elif tool == "lifetimes":
        import lifetimes.utils  # noqa: F401
    start = time.perf_counter()
    if tool == "duckdb_hand":
        result = run_duckdb_hand(path, args)
    elif tool == "duckdb_engine":
        result = run_duckdb_engine(path, args)
    elif tool == "duckdb_clean":
        result = run_duckdb_engine(path, args, "clean")
    elif tool == "duckdb_features":
        result = run_duckdb_engine(path, args, "features")
    elif tool == "spark_engine":
        result = run_spark_engine(path, args, spark)
    elif tool == "spark_clean":
        result = run_spark_engine(path, args, spark, "clean")
    elif tool == "pandas_workbench":
        result = run_pandas_workbench(path, args)
    else:
        result = run_lifetimes(path, args)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + _descendant_peak_kb()
    if result is not None:
        result = result[["customer_id", *COLUMNS]].sort_values("customer_id", kind="stable")
        result.to_parquet(args.out.with_suffix(".parquet"), index=False)
    if spark is not None:
        spark.close()
    args.out.write_text(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024}))


def customer_worker(args) -> None:
    """P(alive), expected purchases and CLV for ``--customers`` customers; or segmentation."""
    import numpy as np
    import pandas as pd

    n = int(args.customers)
    times = {}
    if args.worker == "segmentation":
        import warnings

        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_segmentation import synthetic_features

        from workbench.segmentation import CustomerSegmenter, WeakSegmentationWarning

        warnings.simplefilter("ignore", WeakSegmentationWarning)
        feats, _ = synthetic_features(n)
        t = time.perf_counter()
        seg = CustomerSegmenter().fit(feats)
        times[f"segmentation: CustomerSegmenter().fit ({seg.algorithm_}, k={seg.k_})"] = time.perf_counter() - t
    else:
        from workbench.clv import BetaGeoModel, GammaGammaModel, customer_lifetime_value

        source = pd.read_parquet(args.data)
        rows = np.random.default_rng(0).integers(0, len(source), n)
        summary = source.iloc[rows].reset_index(drop=True)
        summary["customer_id"] = pd.array(np.char.mod("%08d", np.arange(n)), dtype="str")
        steps = [
            ("BG/NBD fit", lambda: BetaGeoModel().fit(summary)),
            ("P(alive)", lambda: bg.probability_alive(summary)),
            ("expected purchases, 39 weeks", lambda: bg.expected_purchases(39, summary)),
            ("Gamma-Gamma fit", lambda: GammaGammaModel().fit(summary[summary["frequency"] > 0])),
            ("CLV, 12 months (P(alive), spend, discounting)",
             lambda: customer_lifetime_value(bg, gg, summary)),
        ]
        bg = gg = None
        for name, step in steps:
            t = time.perf_counter()
            out = step()
            times[f"clv: {name}"] = time.perf_counter() - t
            if name == "BG/NBD fit":
                bg = out
            elif name == "Gamma-Gamma fit":
                gg = out
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    args.out.write_text(json.dumps({"times": times, "peak_mb": peak}))


# ----------------------------------------------------------------------------------
# driver
# ----------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s.strip()]


def _spawn(args, tool: str, data: Path, python: str, extra=()) -> dict | None:
    out = args.data_dir / f"result_{tool}_{data.stem}.json"
    out.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    cmd = [python, "-m", "benchmarks", "--worker", tool, "--data", str(data), "--out", str(out),
           "--data-dir", str(args.data_dir), "--memory-limit", args.memory_limit, "--threads", str(args.threads),
           "--spark-memory", args.spark_memory, "--spark-partitions", str(args.spark_partitions), *extra]
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        print(f"  {tool}: failed\n{proc.stderr[-3000:]}", file=sys.stderr)
        return None
    info = json.loads(out.read_text())
    table = out.with_suffix(".parquet")
    if table.exists():
        info["result_path"] = table
    return info


def _diff(a_path: Path, b_path: Path) -> str:
    import numpy as np
    import pandas as pd

    a, b = pd.read_parquet(a_path), pd.read_parquet(b_path)
    ids_a, ids_b = a["customer_id"].astype(str).to_numpy(), b["customer_id"].astype(str).to_numpy()
    if len(a) != len(b) or not (ids_a == ids_b).all():
        return "customers differ"
    return f"{float(np.max(np.abs(a[list(COLUMNS)].to_numpy() - b[list(COLUMNS)].to_numpy()))):.1e}"


def machine() -> str:
    load = os.getloadavg()
    mem = next((ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), "?")
    import duckdb
    import numpy as np
    import pandas as pd

    versions = f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, " \
               f"duckdb {duckdb.__version__}"
    try:
        import pyspark

        versions += f", pyspark {pyspark.__version__}"
    except ImportError:
        pass
    return (f"{os.cpu_count()} cores, {int(mem) / 2**20:.0f} GB, {versions}; load average at the end "
            f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=_sizes("1e6,1e7"), help="rows, e.g. 1e6,1e7,1e8")
    parser.add_argument("--tools", type=lambda s: s.split(","), default=list(TOOLS),
                        help=f"comma-separated subset of {','.join(TOOLS)}")
    parser.add_argument("--spark-sizes", type=_sizes, default=_sizes("1e6,1e7"))
    parser.add_argument("--lifetimes-sizes", type=_sizes, default=_sizes("1e6,1e7"))
    parser.add_argument("--pandas-sizes", type=_sizes, default=_sizes("1e6,1e7"))
    parser.add_argument("--features-sizes", type=_sizes, default=_sizes("1e6,1e7"),
                        help="sizes for duckdb_features (13 columns, for scale only)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds (one above 1e7 rows)")
    parser.add_argument("--customers", type=lambda s: int(float(s)), default=0,
                        help="customers for the CLV step (rows sampled from the largest summary); 0: skip")
    parser.add_argument("--segmentation", action="store_true", help="also CustomerSegmenter at --customers")
    parser.add_argument("--memory-limit", default="6GB", help="DuckDB memory_limit for the DuckDB tools")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--spark-memory", default="6g", help="spark.driver.memory")
    parser.add_argument("--spark-partitions", type=int, default=8, help="spark.sql.shuffle.partitions")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument("--chunk", type=int, default=4_000_000, help="rows generated and written at a time")
    parser.add_argument("--lifetimes-python", default="/tmp/bench-venv/bin/python")
    parser.add_argument("--delete-data", action="store_true", help="remove each generated file after its size")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker in ("clv", "segmentation"):
        customer_worker(args)
        return
    if args.worker:
        worker(args)
        return
    unknown = sorted(set(args.tools) - set(TOOLS) - {"clv", "segmentation"})
    if unknown:
        parser.error(f"unknown tool(s) {unknown}; use {list(TOOLS)}")

    rows_out = []  # (size, tool, seconds, peak, ratio, ns/row, slope, check)
    per_tool: dict[str, list[tuple[int, float]]] = {}
    largest_summary = None
    for n in sorted(args.sizes):
        t0 = time.perf_counter()
        data = make_data(n, args.data_dir, chunk=args.chunk)
        print(f"{n:,} rows: {data} ({data.stat().st_size / 2**20:.0f} MB, "
              f"{time.perf_counter() - t0:.0f} s to make or find)", file=sys.stderr)
        tools = [t for t in args.tools if t in TOOLS
                 and (not t.startswith("spark_") or n in args.spark_sizes)
                 and (t != "lifetimes" or (n in args.lifetimes_sizes and Path(args.lifetimes_python).exists()))
                 and (t != "pandas_workbench" or n in args.pandas_sizes)
                 and (t != "duckdb_features" or n in args.features_sizes)]
        rounds = args.repeats if n <= 10_000_000 else 1
        infos: dict[str, dict] = {}
        for r in range(rounds):
            for tool in tools[r % len(tools):] + tools[:r % len(tools)]:
                python = args.lifetimes_python if tool == "lifetimes" else sys.executable
                info = _spawn(args, tool, data, python)
                if info is None:
                    continue
                slot = infos.setdefault(tool, {"times": [], "peak_mb": 0.0})
                slot["times"].append(info["seconds"])
                slot["peak_mb"] = max(slot["peak_mb"], info["peak_mb"])
                if "result_path" in info:
                    slot["result_path"] = info["result_path"]
                print(f"  round {r + 1} {tool}: {info['seconds']:.2f} s, {info['peak_mb']:.0f} MB", file=sys.stderr)
        base = infos.get("duckdb_hand")
        base_med = statistics.median(base["times"]) if base else None
        for tool in tools:
            info = infos.get(tool)
            if info is None:
                rows_out.append((n, tool, None, None, None, None, None, "failed"))
                continue
            med = statistics.median(info["times"])
            check = "n/a (other columns)" if "result_path" not in info else (
                _diff(info["result_path"], base["result_path"]) if base and tool != "duckdb_hand" else "-")
            history = per_tool.setdefault(tool, [])
            slope = None
            if history:
                (n0, t_0) = history[-1]
                slope = (med - t_0) / (n - n0) * 1e9
            history.append((n, med))
            rows_out.append((n, tool, med, info["peak_mb"], med / base_med if base_med else None,
                             med / n * 1e9, slope, check))
            if tool == "duckdb_engine":
                largest_summary = info["result_path"]
        if args.delete_data:
            data.unlink()

    custom = []
    if args.customers and (largest_summary or args.segmentation):
        for tool in (["clv"] if largest_summary else []) + (["segmentation"] if args.segmentation else []):
            out = _spawn(args, tool, largest_summary or args.data_dir, sys.executable,
                         ["--customers", str(args.customers)])
            if out:
                for name, seconds in out["times"].items():
                    custom.append((args.customers, name, seconds, out["peak_mb"]))

    def fmt(v, spec):
        return "-" if v is None else format(v, spec)

    lines = ["| rows | tool | median s | peak MB | time / duckdb_hand | ns per row | slope ns/row | "
             "max abs diff vs duckdb_hand |", "|---|---|---|---|---|---|---|---|"]
    for n, tool, med, peak, ratio, ns, slope, check in rows_out:
        lines.append(f"| {n:,} | {tool} | {fmt(med, '.2f')} | {fmt(peak, '.0f')} | {fmt(ratio, '.2f')} | "
                     f"{fmt(ns, '.0f')} | {fmt(slope, '.0f')} | {check} |")
    if custom:
        lines += ["", "| customers | step | seconds | peak MB (process) |", "|---|---|---|---|"]
        lines += [f"| {n:,} | {name} | {s:.2f} | {p:.0f} |" for n, name, s, p in custom]
    lines += ["", f"Machine: {machine()}; DuckDB memory_limit {args.memory_limit}, {args.threads} threads; "
                  f"Spark local[{args.threads}], driver memory {args.spark_memory}, "
                  f"{args.spark_partitions} shuffle partitions."]
    print("\n".join(lines))
