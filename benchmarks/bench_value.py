"""Customer-value methods at scale against the pandas code an analyst would write first.

Run: ``python benchmarks/bench_value.py [--customers 1000000]``

Synthetic customer features (log-normal spend, geometric frequency, uniform recency with
many ties, string ids), once sorted by id (as ``customer_features`` returns them) and once
shuffled. Each task is first checked equal to the obvious pandas version,
then both are timed (median of 3) and a markdown table is printed:

* ABC classes: ``sort_values`` + ``cumsum`` + ``np.select`` on the share before each customer.
* RFM quintile scores + segment: the common tutorial recipe, ``pd.qcut(x.rank(method="first"),
  5)`` per score, the 3-digit cell by string concatenation, the segment by a dict lookup
  per row on (R, FM).
* 8-class RFM: three comparisons against the means and a row-wise ``apply`` naming the class.
* Entropy weights: the textbook loop over columns with pandas operations.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from workbench import value as wv  # noqa: E402


def make_features(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    freq = rng.geometric(0.35, n)
    return pd.DataFrame({
        "customer_id": pd.Series([f"C{i:08d}" for i in rng.permutation(n)], dtype="str"),
        "recency_days": rng.integers(0, 540, n).astype(float),
        "frequency": freq,
        "monetary_total": np.round(rng.lognormal(3.5, 1.1, n) * freq, 2),
        "size": rng.lognormal(4, 1, n),
        "strategic_fit": rng.integers(1, 6, n),
    })


# ---------------------------------------------------------------------------- pandas


def abc_pandas(f: pd.DataFrame) -> pd.Series:
    d = f.sort_values(["monetary_total", "customer_id"], ascending=[False, True])
    share = d["monetary_total"].clip(lower=0) / d["monetary_total"].clip(lower=0).sum()
    before = share.cumsum() - share
    cls = np.select([before < 0.8, before < 0.95], ["A", "B"], "C")
    cls = np.where(d["monetary_total"] > 0, cls, "C")
    return pd.Series(cls, index=d["customer_id"].to_numpy()).sort_index()


def rfm_pandas(f: pd.DataFrame) -> pd.DataFrame:
    d = f.sort_values("customer_id").reset_index(drop=True)
    labels = [1, 2, 3, 4, 5]
    r = pd.qcut((-d["recency_days"]).rank(method="first"), 5, labels=labels).astype(int)
    fs = pd.qcut(d["frequency"].rank(method="first"), 5, labels=labels).astype(int)
    m = pd.qcut(d["monetary_total"].rank(method="first"), 5, labels=labels).astype(int)
    cell = r.astype(str) + fs.astype(str) + m.astype(str)
    fm = (fs + m + 1) // 2
    grid = {(ri, fi): wv.RFM_SEGMENT_GRID.loc[ri, fi] for ri in labels for fi in labels}
    segment = [grid[(a, b)] for a, b in zip(r, fm, strict=True)]
    return pd.DataFrame({"customer_id": d["customer_id"], "rfm_cell": cell, "segment": segment})


def eight_pandas(f: pd.DataFrame) -> pd.Series:
    d = f.sort_values("customer_id").reset_index(drop=True)
    flags = pd.DataFrame({
        "r": d["recency_days"] < d["recency_days"].mean(),
        "f": d["frequency"] > d["frequency"].mean(),
        "m": d["monetary_total"] > d["monetary_total"].mean(),
    })
    lookup = {v: k for k, v in wv.EIGHT_CLASSES.items()}
    return flags.apply(lambda row: lookup[(row["r"], row["f"], row["m"])], axis=1)


def entropy_pandas(f: pd.DataFrame, directions: dict) -> pd.Series:
    e = {}
    for col, d in directions.items():
        x = f[col].astype(float)
        x = (x - x.min()) / (x.max() - x.min()) if d == "benefit" else (x.max() - x) / (x.max() - x.min())
        p = x / x.sum()
        e[col] = -(p[p > 0] * np.log(p[p > 0])).sum() / np.log(len(f))
    e = pd.Series(e)
    return (1 - e) / (1 - e).sum()


# ---------------------------------------------------------------------------- timing


def median_time(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    directions = {"monetary_total": "benefit", "frequency": "benefit", "size": "benefit",
                  "strategic_fit": "benefit"}
    rows = []
    for n, shuffled in [(n, s) for n in args.customers for s in (False, True)]:
        f = make_features(n)
        if not shuffled:  # the order customer_features returns
            f = f.sort_values("customer_id", ignore_index=True)
        # equal results first
        ours = wv.abc_classes(f).set_index("customer_id")["abc_class"].astype(str).sort_index()
        assert (ours.to_numpy() == abc_pandas(f).to_numpy()).all(), "ABC differs from pandas"
        ours_rfm = wv.rfm_scores(f)
        ref = rfm_pandas(f)
        assert (ours_rfm["rfm_cell"].to_numpy() == ref["rfm_cell"].to_numpy()).all(), "RFM cells differ"
        assert (ours_rfm["segment"].astype(str).to_numpy() == np.asarray(ref["segment"])).all()
        slow_eight = n <= 200_000  # the row-wise apply takes minutes beyond that
        if slow_eight:
            ours8 = wv.rfm_eight_classes(f).customers["rfm_class"].astype(str).to_numpy()
            assert (ours8 == eight_pandas(f).to_numpy()).all(), "8 classes differ"
        np.testing.assert_allclose(wv.entropy_weights(f, directions)["criterion_weight"].to_numpy(),
                                   entropy_pandas(f, directions).to_numpy(), rtol=1e-9)
        tasks = [
            ("ABC classes", lambda f=f: wv.abc_classes(f), lambda f=f: abc_pandas(f)),
            ("RFM scores + segment", lambda f=f: wv.rfm_scores(f), lambda f=f: rfm_pandas(f)),
            ("8-class RFM", lambda f=f: wv.rfm_eight_classes(f), (lambda f=f: eight_pandas(f)) if slow_eight else None),
            ("entropy weights (4 criteria)", lambda f=f: wv.entropy_weights(f, directions),
             lambda f=f: entropy_pandas(f, directions)),
        ]
        for name, ours_fn, pandas_fn in tasks:
            t_ours = median_time(ours_fn)
            t_pd = median_time(pandas_fn) if pandas_fn is not None else float("nan")
            order = "shuffled" if shuffled else "sorted by id"
            rows.append((n, order, name, t_ours, t_pd))
            print(f"  {n:,} {order} {name}: {t_ours:.3f} s vs {t_pd:.3f} s", file=sys.stderr)
    print("| customers | input order | task | workbench (s) | pandas, obvious (s) | ratio |")
    print("|---|---|---|---|---|---|")
    for n, order, name, a, b in rows:
        ratio = f"{b / a:.1f}x" if b == b else "n/a"
        pd_cell = f"{b:.3f}" if b == b else "not run (row-wise apply)"
        print(f"| {n:,} | {order} | {name} | {a:.3f} | {pd_cell} | {ratio} |")


if __name__ == "__main__":
    main()
