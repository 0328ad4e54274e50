"""Kaplan-Meier reference numbers for tests/test_lifecycle.py, from lifelines on CDNOW.

lifelines pins pandas < 3, so this runs in a throwaway venv, never in the project's::

    python3 -m venv /tmp/lcref-venv
    /tmp/lcref-venv/bin/pip install "pandas<3" lifelines        # lifelines 0.30.3
    /tmp/lcref-venv/bin/python tests/data/make_lifecycle_reference.py

Durations are built here from the raw CDNOW master file with plain pandas (independent of
the workbench): as of 1998-06-30 with a 311-day churn horizon (the workbench's derived
horizon, checked separately), a customer silent for more than 311 days churned at the
last purchase (event, duration = last - first purchase day); everyone else is censored
at 1998-06-30 (duration = as_of - first purchase day).
"""

import json
from pathlib import Path

import lifelines
import pandas as pd
from lifelines import KaplanMeierFitter

ROOT = Path(__file__).resolve().parents[2]
AS_OF, HORIZON = pd.Timestamp("1998-06-30"), 311
TIMES = [0, 1, 30, 100, 200, 230, 400, 545]

raw = pd.read_csv(ROOT / "data/raw/cdnow/CDNOW_master.txt", sep=r"\s+", header=0,
                  names=["customer_id", "date", "cds", "dollars"], dtype={"customer_id": str})
raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
per = raw.groupby("customer_id")["date"].agg(["min", "max"])
churned = (AS_OF - per["max"]).dt.days > HORIZON
duration = ((per["max"] - per["min"]).dt.days).where(churned, (AS_OF - per["min"]).dt.days)
cohort = per["min"].dt.to_period("M").astype(str)

out = {"lifelines_version": lifelines.__version__, "as_of": str(AS_OF.date()), "horizon": HORIZON,
       "customers": int(len(per)), "churned": int(churned.sum()), "times": TIMES, "groups": {}}
for name, mask in [("all", slice(None))] + [(c, cohort == c) for c in sorted(cohort.unique())]:
    kmf = KaplanMeierFitter().fit(duration[mask], churned[mask], alpha=0.05)
    ci = kmf.confidence_interval_survival_function_
    out["groups"][name] = {
        "n": int(duration[mask].size),
        "survival": [float(kmf.survival_function_at_times(t).iloc[0]) for t in TIMES],
        "ci_lower_at_200": float(ci.iloc[:, 0].asof(200)),
        "ci_upper_at_200": float(ci.iloc[:, 1].asof(200)),
        "median": float(kmf.median_survival_time_),
    }
target = Path(__file__).with_name("lifecycle_lifelines_reference.json")
target.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
print(json.dumps(out, indent=2))
