"""Reference numbers from lifetimes 0.11.3 for tests/test_features.py and tests/test_clv.py.

lifetimes pins pandas<3, so this runs in a throwaway venv, never the project's:

    python -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install "pandas<3" "numpy<2" scipy lifetimes==0.11.3 duckdb
    /tmp/bench-venv/bin/python benchmarks/lifetimes_reference.py

It writes tests/data/lifetimes_cdnow_sample_summary.csv (the calibration/holdout summary
of the CDNOW sample, 39 + 39 weeks, fractional weeks) and prints the fitted parameters
and predictions that tests/test_clv.py holds as literals.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import calibration_and_holdout_data

ROOT = Path(__file__).resolve().parents[1]

raw = pd.read_csv(ROOT / "data/raw/cdnow/CDNOW_sample.txt", sep=r"\s+", header=None,
                  names=["master_id", "customer_id", "date", "quantity", "amount"],
                  dtype={"customer_id": str})
raw["customer_id"] = raw["customer_id"].str.lstrip("0")
raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
# freq="D" with freq_multiplier=7 gives the papers' fractional weeks; freq="W" floors
summary = calibration_and_holdout_data(
    raw, "customer_id", "date", calibration_period_end="1997-09-30",
    observation_period_end="1998-06-30", freq="D", freq_multiplier=7,
    monetary_value_col="amount",
).sort_index()
summary.to_csv(ROOT / "tests/data/lifetimes_cdnow_sample_summary.csv", float_format="%.17g")

bg = BetaGeoFitter().fit(summary["frequency_cal"], summary["recency_cal"], summary["T_cal"])
repeat = summary[summary["frequency_cal"] > 0]
gg = GammaGammaFitter().fit(repeat["frequency_cal"], repeat["monetary_value_cal"])
ids = ["1", "10", "100", "1000", "18", "1516"]
sub = summary.loc[ids]
args = (sub["frequency_cal"], sub["recency_cal"], sub["T_cal"])
print(json.dumps({
    "ids": ids,
    "bg_params": dict(bg.params_),
    "gg_params": dict(gg.params_),
    "expected_39": bg.conditional_expected_number_of_purchases_up_to_time(39, *args).tolist(),
    "p_alive": bg.conditional_probability_alive(*args).tolist(),
    "population": bg.expected_number_of_purchases_up_to_time(np.array([1.0, 10, 39, 78])).tolist(),
    "spend": gg.conditional_expected_average_profit(sub["frequency_cal"], sub["monetary_value_cal"]).tolist(),
    "clv_12m_1pct_weeks": gg.customer_lifetime_value(
        bg, *args, sub["monetary_value_cal"], time=12, discount_rate=0.01, freq="W").tolist(),
}, indent=1))
