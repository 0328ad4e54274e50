"""Lifecycle at scale: workbench vs pandas written the obvious way.

Usage::

    .venv/bin/python benchmarks/bench_lifecycle.py                   # 100k and 1M rows
    .venv/bin/python benchmarks/bench_lifecycle.py --rows 100000     # quick look

Synthetic CDNOW-like transactions (rows/10 customers with string ids, first purchases
spread over 1997, exponential gaps, lognormal amounts) as of 1998-12-31. Three tasks,
each done by the workbench and by the pandas code an analyst would write first:

* stages: the per-customer quarterly spend trend (slope, R^2) that
  :func:`workbench.lifecycle.lifecycle_stages` needs, plus the stage itself; the pandas
  way groups by customer and quarter, then fits ``numpy.polyfit`` per customer with
  ``groupby.apply`` (run at the smallest size only: it is minutes at 1M rows).
* cohorts: the monthly retention triangle; pandas: first month per customer, merge,
  ``pivot_table(aggfunc="nunique")``.
* churn rates: quarterly active/retained/churned; pandas: sets of customers per quarter.

Each timing is the median of ``--repeats`` runs in one process; results are checked
equal before timing. Timings vary with the load of a shared machine: compare the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from workbench import lifecycle as lc

AS_OF = "1998-12-31"


def make_data(n_rows: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_cust = max(1, n_rows // 10)
    first = rng.integers(0, 365, n_cust)
    per = rng.poisson(9, n_cust) + 1
    cust = np.repeat(np.arange(n_cust), per)[:n_rows]
    offs = np.concatenate([np.cumsum(rng.exponential(60, k)) - 0 for k in per])[:n_rows]
    day = np.minimum(first[cust] + offs.astype(int), 729)
    date = np.datetime64("1997-01-01") + day.astype("timedelta64[D]")
    return pd.DataFrame({
        "customer_id": pd.array(np.char.add("C", cust.astype(str)), dtype="str"),
        "date": date.astype("datetime64[ns]"),
        "amount": np.round(rng.lognormal(3, 1, len(cust)), 2),
    })


def pandas_trend(tx: pd.DataFrame) -> pd.DataFrame:
    """Quarterly spend per customer, zero-padded to the analysis quarter, np.polyfit per customer."""
    end = pd.Period(AS_OF, "Q")
    per = tx.assign(q=tx["date"].dt.to_period("Q")).groupby(["customer_id", "q"])["amount"].sum()

    def fit(s):
        s = s.droplevel(0)
        idx = pd.period_range(s.index.min(), end, freq="Q")
        y = s.reindex(idx, fill_value=0.0).to_numpy()
        if (s > 0).sum() < 2:
            return pd.Series({"slope": np.nan, "r2": np.nan})
        k = np.arange(len(y))
        slope, icpt = np.polyfit(k, y, 1)
        resid = y - (slope * k + icpt)
        syy = ((y - y.mean()) ** 2).sum()
        return pd.Series({"slope": slope, "r2": 1 - (resid**2).sum() / syy if syy > 0 else np.nan})

    out = per.groupby(level=0).apply(fit)
    return out.unstack() if isinstance(out, pd.Series) else out


def pandas_cohorts(tx: pd.DataFrame) -> pd.DataFrame:
    month = tx["date"].dt.to_period("M")
    first = month.groupby(tx["customer_id"]).transform("min")
    since = (month - first).apply(lambda d: d.n)
    frame = pd.DataFrame({"cohort": first.astype(str), "k": since, "customer_id": tx["customer_id"]})
    counts = frame.pivot_table(index="cohort", columns="k", values="customer_id", aggfunc="nunique")
    return counts.div(counts[0], axis=0)


def pandas_churn(tx: pd.DataFrame) -> pd.Series:
    q = tx["date"].dt.to_period("Q")
    sets = tx.groupby(q)["customer_id"].agg(set)
    rates = [np.nan] + [len(prev - cur) / len(prev) for prev, cur in zip(sets.iloc[:-1], sets.iloc[1:], strict=True)]
    return pd.Series(rates, index=sets.index.astype(str))


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_size(n: int, repeats: int, apply_max_rows: int) -> None:
    """Check equal results, then time every task at ``n`` rows and print table rows."""
    tx = make_data(n)
    # equal results first
    stages = lc.lifecycle_stages(tx, AS_OF, churn_horizon=180)
    ours_cohort = lc.cohort_table(tx, period="M", as_of=AS_OF).rates
    theirs_cohort = pandas_cohorts(tx)
    # pandas leaves empty cells NaN; the workbench has 0 there and NaN only for unobserved cells
    theirs = theirs_cohort.reindex(index=ours_cohort.index, columns=ours_cohort.columns).fillna(0.0)
    np.testing.assert_allclose(ours_cohort.fillna(0.0).to_numpy(), theirs.to_numpy())
    ours_churn = lc.churn_rates(tx, period="Q", as_of=AS_OF).set_index("period")["churn_rate"]
    np.testing.assert_allclose(ours_churn.to_numpy(), pandas_churn(tx).reindex(ours_churn.index).to_numpy(),
                               equal_nan=True)
    rows = []
    t_ours = timed(lambda: lc.lifecycle_stages(tx, AS_OF, churn_horizon=180), repeats)
    if n <= apply_max_rows:
        trend = pandas_trend(tx)
        np.testing.assert_allclose(stages.set_index("customer_id")["slope"].reindex(trend.index),
                                   trend["slope"], rtol=1e-6, atol=1e-6, equal_nan=True)
        t_pd = timed(lambda: pandas_trend(tx), 1)
    else:
        t_pd = np.nan
    rows.append(("stages (trend, R2, stage)", t_ours, t_pd))
    rows.append(("cohort retention (monthly)",
                 timed(lambda: lc.cohort_table(tx, period="M", as_of=AS_OF), repeats),
                 timed(lambda: pandas_cohorts(tx), repeats)))
    rows.append(("churn rates (quarterly)",
                 timed(lambda: lc.churn_rates(tx, period="Q", as_of=AS_OF), repeats),
                 timed(lambda: pandas_churn(tx), repeats)))
    rows.append(("horizon (90 % of gaps)",
                 timed(lambda: lc.inter_purchase_horizon(tx, AS_OF), repeats), np.nan))
    for task, ours, theirs in rows:
        ratio = f"{theirs / ours:.1f}x" if np.isfinite(theirs) else "-"
        theirs_text = f"{theirs:.3f}" if np.isfinite(theirs) else "not run"
        print(f"| {n:,} | {task} | {ours:.3f} | {theirs_text} | {ratio} |", flush=True)



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--apply-max-rows", type=int, default=100_000,
                        help="largest size at which the groupby.apply trend fit is timed")
    args = parser.parse_args()

    print("| rows | task | workbench (s) | pandas, obvious (s) | ratio |")
    print("|---|---|---|---|---|")
    for n in args.rows:
        bench_size(n, args.repeats, args.apply_max_rows)

if __name__ == "__main__":
    main()
