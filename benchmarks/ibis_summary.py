"""The BG/NBD summary as one Ibis expression, against the hand-written DuckDB query.

The measurement behind the choice of SQL + sqlglot over Ibis (benchmarks/README.md,
"Engines"). Ibis is not a dependency of the workbench, so this runs from a throwaway
venv on files that ``python -m benchmarks`` generated::

    python -m venv /tmp/ibis-venv && /tmp/ibis-venv/bin/pip install "ibis-framework[duckdb]"
    /tmp/ibis-venv/bin/python benchmarks/ibis_summary.py benchmarks/.data/cdnow_like_1000000_1.parquet [--sql]

Prints, per file, the median of 3 alternating runs of each, their ratio, whether the
results agree, and the dtypes Ibis hands to pandas.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import duckdb
import ibis
import numpy as np
import pandas as pd

END = "1998-06-30"
COLUMNS = ["frequency", "recency", "T", "monetary_value"]
HAND = (Path(__file__).parent / "engines.py").read_text().split('HAND_SQL = """')[1].split('"""')[0]


def ibis_summary(path: str, show_sql: bool = False) -> pd.DataFrame:
    con = ibis.duckdb.connect(threads=2, memory_limit="6GB")
    t = con.read_parquet(path)
    days = t.group_by(customer_id=t.customer_id, d=t.date.cast("date")).aggregate(s=t.amount.sum())
    per = days.group_by("customer_id").aggregate(f=days.d.min(), l=days.d.max(), x=days.count() - 1,
                                                 rs=days.s.sum() - days.s.argmin(days.d))
    end = ibis.date(END)
    out = per.select("customer_id", frequency=per.x.cast("float64"),
                     recency=per.l.delta(per.f, unit="day").cast("float64") / 7.0,
                     T=end.delta(per.f, unit="day").cast("float64") / 7.0,
                     monetary_value=ibis.ifelse(per.x > 0, per.rs / per.x, 0.0)).order_by("customer_id")
    if show_sql:
        print(ibis.to_sql(out))
    return out.to_pyarrow().to_pandas()


def hand(path: str) -> pd.DataFrame:
    with duckdb.connect(config={"preserve_insertion_order": False}) as con:
        con.execute("SET threads = 2")
        con.execute("SET memory_limit = '6GB'")
        return con.sql(HAND.format(path=path, end=END)).to_arrow_table().to_pandas()


def main() -> None:
    show_sql = "--sql" in sys.argv
    for path in (a for a in sys.argv[1:] if not a.startswith("--")):
        times: dict[str, list[float]] = {"ibis": [], "hand": []}
        results = {}
        for r in range(3):
            first = show_sql and r == 0
            order = [("ibis", lambda p, first=first: ibis_summary(p, first)), ("hand", hand)]
            for name, run in order[:: 1 if r % 2 else -1]:
                start = time.perf_counter()
                results[name] = run(path)
                times[name].append(time.perf_counter() - start)
        a, b = results["ibis"], results["hand"]
        diff = float(np.max(np.abs(a[COLUMNS].to_numpy() - b[COLUMNS].to_numpy())))
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{path}: ibis {med['ibis']:.3f} s, hand {med['hand']:.3f} s, ratio {med['ibis'] / med['hand']:.2f}; "
              f"ids equal {bool((a['customer_id'].to_numpy() == b['customer_id'].to_numpy()).all())}, "
              f"max abs diff {diff:.1e}; dtypes {dict(a.dtypes.astype(str))}; ibis {ibis.__version__}, "
              f"pandas {pd.__version__}")


if __name__ == "__main__":
    main()
