"""BG/NBD summary at scale: workbench vs lifetimes, pandas and hand-written DuckDB SQL.

Usage::

    .venv/bin/python benchmarks/bench_features.py                # 1M and 10M rows
    .venv/bin/python benchmarks/bench_features.py --rows 100000  # quick look

Synthetic CDNOW-like transactions (rows/10 customers with string ids, a first purchase
in the first 12 weeks of 1997, exponential gaps, lognormal amounts, rows in date order
as a transaction log is) are written once to Parquet under /tmp/workbench-bench, and
once more sorted by customer and date, the order in which cleaning hands every case's
transactions to the analyses (``--orders``; both by default). Each
tool then runs in its own subprocess (so peak memory, ``ru_maxrss``, is its own and
includes Python, the libraries and the input frame): it loads the frame, computes the
summary (frequency, recency, T in fractional weeks, mean repeat spend) once. There are
``--repeats`` rounds, each running every tool once in a rotating order, and the table
reports the median over rounds (imports are done before the clock starts). Results are compared with lifetimes'
``summary_data_from_transaction_data(freq="D", freq_multiplier=7)``.

lifetimes pins pandas<3, so it runs from a separate venv (``--lifetimes-python``,
default /tmp/bench-venv/bin/python; see benchmarks/lifetimes_reference.py for how to
make it). Timings vary with the load of a shared machine: compare tools within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

CACHE = Path("/tmp/workbench-bench")
END = "1998-06-30"  # observation end: every generated row is used
TOOLS = ("workbench", "lifetimes", "pandas", "duckdb_window", "duckdb_argmin", "customer_features")
COLUMNS = ("frequency", "recency", "T", "monetary_value")


def make_data(n_rows: int, seed: int = 1, order: str = "date") -> Path:
    """Write (once) and return the Parquet file of ``n_rows`` synthetic transactions.

    ``order="date"``: a transaction log in date order. ``order="customer"``: the same
    rows sorted by customer and date, as :func:`workbench.cleaning.clean_transactions`
    returns every case's transactions.
    """
    path = CACHE / f"cdnow_like_{n_rows}_{seed}{'' if order == 'date' else '_by_customer'}.parquet"
    if path.exists():
        return path
    if order == "customer":
        tx = pd.read_parquet(make_data(n_rows, seed))
        tx.sort_values(["customer_id", "date"], kind="stable", ignore_index=True).to_parquet(path)
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_customers = max(n_rows // 10, 1)
    customer = rng.integers(0, n_customers, n_rows)
    first = rng.integers(0, 84, n_customers)
    day = np.minimum(first[customer] + rng.exponential(120, n_rows).astype(np.int64), 545)
    tx = pd.DataFrame({
        "customer_id": pd.Series(customer).map("{:07d}".format).astype(str),
        "date": (np.datetime64("1997-01-01") + day.astype("timedelta64[D]")).astype("datetime64[ns]"),
        "amount": np.round(rng.lognormal(3.0, 0.8, n_rows), 2),
    }).sort_values("date", kind="stable", ignore_index=True)
    tx.to_parquet(path)
    return path


# ----------------------------------------------------------------------------------
# the tools (run inside the worker subprocess)
# ----------------------------------------------------------------------------------


def run_workbench(tx):
    from workbench.features import bgnbd_summary

    return bgnbd_summary(tx, END, time_unit="W").set_index("customer_id")


def run_customer_features(tx):
    """Not the summary: the 13 RFM-style features of workbench.features, for scale only."""
    from workbench.features import customer_features

    customer_features(tx, END, frequency="days")
    return None


def run_lifetimes(tx):
    from lifetimes.utils import summary_data_from_transaction_data

    return summary_data_from_transaction_data(
        tx, "customer_id", "date", monetary_value_col="amount", observation_period_end=END,
        freq="D", freq_multiplier=7,
    )


def run_pandas(tx):
    """Written the obvious way: day totals, then per-customer aggregates."""
    tx = tx[tx["date"] <= END]
    days = (tx.assign(day=tx["date"].dt.normalize())
              .groupby(["customer_id", "day"], sort=True)["amount"].sum().reset_index())
    g = days.groupby("customer_id", sort=True)
    first, last = g["day"].min(), g["day"].max()
    x = g.size() - 1
    repeat = g["amount"].sum() - g["amount"].first()
    week = pd.Timedelta(days=7)
    return pd.DataFrame({
        "frequency": x.astype(float),
        "recency": (last - first) / week,
        "T": (pd.Timestamp(END) - first) / week,
        "monetary_value": (repeat / x.where(x > 0)).fillna(0.0),
    })


_SQL_WINDOW = f"""
WITH days AS (
    SELECT customer_id, CAST(date AS DATE) AS d, SUM(amount) AS s
    FROM tx WHERE date <= TIMESTAMP '{END}' GROUP BY ALL
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY d) AS k FROM days
)
SELECT customer_id, (COUNT(*) - 1)::DOUBLE AS frequency,
       (MAX(d) - MIN(d)) / 7.0 AS recency, (DATE '{END}' - MIN(d)) / 7.0 AS T,
       COALESCE(SUM(s) FILTER (WHERE k > 1) / NULLIF(COUNT(*) - 1, 0), 0) AS monetary_value
FROM ranked GROUP BY customer_id ORDER BY customer_id
"""

_SQL_ARGMIN = f"""
WITH days AS (
    SELECT customer_id, CAST(date AS DATE) AS d, SUM(amount) AS s
    FROM tx WHERE date <= TIMESTAMP '{END}' GROUP BY ALL
), per AS (
    SELECT customer_id, COUNT(*) - 1 AS x, MIN(d) AS f, MAX(d) AS l,
           SUM(s) - arg_min(s, d) AS repeat_spend
    FROM days GROUP BY customer_id
)
SELECT customer_id, x::DOUBLE AS frequency, (l - f) / 7.0 AS recency,
       (DATE '{END}' - f) / 7.0 AS T,
       CASE WHEN x > 0 THEN repeat_spend / x ELSE 0 END AS monetary_value
FROM per ORDER BY customer_id
"""


def _duckdb(sql):
    def run(tx):
        import duckdb

        con = duckdb.connect()
        con.execute("SET threads = 2")
        con.execute("SET enable_progress_bar = false")
        con.register("tx", tx)
        return con.execute(sql).df().set_index("customer_id")

    return run


RUNNERS = {
    "workbench": run_workbench,
    "lifetimes": run_lifetimes,
    "pandas": run_pandas,
    "duckdb_window": _duckdb(_SQL_WINDOW),
    "duckdb_argmin": _duckdb(_SQL_ARGMIN),
    "customer_features": run_customer_features,
}


_IMPORTS = {"workbench": "workbench.features", "customer_features": "workbench.features",
            "lifetimes": "lifetimes.utils", "duckdb_window": "duckdb", "duckdb_argmin": "duckdb"}


def worker(tool: str, data: Path, repeats: int, out: Path) -> None:
    if tool in _IMPORTS:  # import time is not what is measured
        __import__(_IMPORTS[tool])
        if tool in ("workbench", "customer_features", "duckdb_window", "duckdb_argmin"):
            __import__("duckdb")
    tx = pd.read_parquet(data)
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = RUNNERS[tool](tx)
        times.append(time.perf_counter() - start)
    if result is not None:
        result = result.sort_index()[list(COLUMNS)]
        result.index = result.index.astype(str)
        result.to_parquet(out.with_suffix(".parquet"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    out.write_text(json.dumps({"times": times, "peak_mb": peak_mb}))


# ----------------------------------------------------------------------------------
# driver
# ----------------------------------------------------------------------------------


def run_tool(tool, data, repeats, python) -> dict | None:
    out = CACHE / f"result_{tool}_{data.stem}.json"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    cmd = [python, __file__, "--worker", tool, "--data", str(data), "--repeats", str(repeats),
           "--out", str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"  {tool}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    info = json.loads(out.read_text())
    table = out.with_suffix(".parquet")
    info["result"] = pd.read_parquet(table) if tool != "customer_features" else None
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--orders", nargs="+", default=["date", "customer"], choices=["date", "customer"],
                        help="input row order: a date-ordered log, or sorted by customer as cleaned")
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--lifetimes-python", default="/tmp/bench-venv/bin/python")
    parser.add_argument("--worker", choices=TOOLS)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.repeats, args.out)
        return

    lines = ["| rows | input order | tool | median s | peak MB | time / DuckDB arg_min | max abs diff vs lifetimes |",
             "|---|---|---|---|---|---|---|"]
    for n, order in ((n, order) for n in args.rows for order in args.orders):
        data = make_data(n, order=order)
        print(f"{n:,} rows: {data}", file=sys.stderr)
        infos = {}
        # rounds of one run per tool, in rotating order, so that a change in the load
        # of the shared machine hits every tool alike; median over rounds, peak = max
        tools = [t for t in args.tools if t != "lifetimes" or Path(args.lifetimes_python).exists()]
        if len(tools) < len(args.tools):
            print(f"  lifetimes skipped: {args.lifetimes_python} not found", file=sys.stderr)
        for round_ in range(args.repeats):
            for tool in tools[round_ % len(tools):] + tools[: round_ % len(tools)]:
                python = args.lifetimes_python if tool == "lifetimes" else sys.executable
                info = run_tool(tool, data, 1, python)
                if info is None:
                    infos[tool] = None
                    continue
                if infos.get(tool) is None:
                    infos[tool] = {"times": [], "peak_mb": 0.0, "result": info["result"]}
                infos[tool]["times"] += info["times"]
                infos[tool]["peak_mb"] = max(infos[tool]["peak_mb"], info["peak_mb"])
                print(f"  round {round_ + 1} {tool}: {info['times'][0]:.2f} s", file=sys.stderr)
        ref = infos.get("lifetimes")
        base = infos.get("duckdb_argmin")
        for tool, info in infos.items():
            if info is None:
                continue
            med = statistics.median(info["times"])
            ratio = f"{med / statistics.median(base['times']):.2f}" if base else "-"
            if info["result"] is None:
                diff_text = "n/a (other columns)"
            elif ref is not None:
                a, b = info["result"], ref["result"]
                same = a.index.equals(b.index)
                diff = float(np.max(np.abs(a.to_numpy() - b.to_numpy()))) if same else float("nan")
                diff_text = f"{diff:.1e}" if same else "customers differ"
            else:
                diff_text = "-"
            lines.append(f"| {n:,} | {order} | {tool} | {med:.2f} | {info['peak_mb']:.0f} | {ratio} "
                         f"| {diff_text} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
