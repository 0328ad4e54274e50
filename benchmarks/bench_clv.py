"""BG/NBD and Gamma-Gamma fits on the CDNOW sample: workbench vs lifetimes 0.11.3.

Usage::

    .venv/bin/python benchmarks/bench_clv.py [--rounds 5 --repeats 3]

Both fit the calibration summary of tests/data/lifetimes_cdnow_sample_summary.csv
(2,357 customers, 39 weeks; 946 repeat customers for Gamma-Gamma). lifetimes runs in
its own venv (``--lifetimes-python``, default /tmp/bench-venv/bin/python; it pins
pandas<3). The log-likelihood is compared on the paper's scale (a sum over customers in
weeks): lifetimes reports a mean over customers on rescaled time, so its estimates are
plugged into the workbench likelihood. Fit times include the standard errors. Timings
vary with the load of a shared machine; compare within one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from workbench.clv import (  # noqa: E402
    BetaGeoModel,
    GammaGammaModel,
    _bgnbd_neg_ll_and_grad,
    _gg_neg_ll_and_grad,
)

SUMMARY = ROOT / "tests" / "data" / "lifetimes_cdnow_sample_summary.csv"

_LIFETIMES_SCRIPT = """
import json, statistics, sys, time, warnings
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
warnings.simplefilter("ignore")
s = pd.read_csv(sys.argv[1], dtype={"customer_id": str})
r = s[s["frequency_cal"] > 0]
out = {}
for name, fit in [
    ("bgnbd", lambda: BetaGeoFitter().fit(s["frequency_cal"], s["recency_cal"], s["T_cal"])),
    ("gg", lambda: GammaGammaFitter().fit(r["frequency_cal"], r["monetary_value_cal"])),
]:
    fit()  # warm-up, untimed
    times = []
    for _ in range(int(sys.argv[2])):
        t = time.perf_counter(); model = fit(); times.append(time.perf_counter() - t)
    out[name] = {"times": times, "params": list(model.params_.values)}
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="fits per tool and round")
    parser.add_argument("--lifetimes-python", default="/tmp/bench-venv/bin/python")
    args = parser.parse_args()

    s = pd.read_csv(SUMMARY, dtype={"customer_id": str})
    summary = pd.DataFrame({"frequency": s["frequency_cal"], "recency": s["recency_cal"], "T": s["T_cal"],
                            "monetary_value": s["monetary_value_cal"]})
    # rounds alternate the two tools so that load changes on the shared machine hit
    # both alike; lifetimes fits once untimed per process (first-call warm-up)
    ours = {name: {"times": []} for name in ("bgnbd", "gg")}
    theirs = None
    have_lifetimes = Path(args.lifetimes_python).exists()
    if not have_lifetimes:
        print(f"lifetimes skipped: {args.lifetimes_python} not found", file=sys.stderr)
    for _ in range(args.rounds):
        for name, model in [("bgnbd", BetaGeoModel), ("gg", GammaGammaModel)]:
            for _ in range(args.repeats):
                start = time.perf_counter()
                fitted = model().fit(summary)
                ours[name]["times"].append(time.perf_counter() - start)
            ours[name].update(params=list(fitted.params_), ll=fitted.log_likelihood_)
        if have_lifetimes:
            proc = subprocess.run([args.lifetimes_python, "-c", _LIFETIMES_SCRIPT, str(SUMMARY),
                                   str(args.repeats)], capture_output=True, text=True, check=True)
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            if theirs is None:
                theirs = got
            else:
                for name in got:
                    theirs[name]["times"] += got[name]["times"]
    if theirs is not None:
        x, tx, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
        theirs["bgnbd"]["ll"] = -_bgnbd_neg_ll_and_grad(np.array(theirs["bgnbd"]["params"]), x, tx, T,
                                                        np.ones_like(x))[0]
        rep = summary[summary["frequency"] > 0]
        xr, m = rep["frequency"].to_numpy(), rep["monetary_value"].to_numpy()
        theirs["gg"]["ll"] = -_gg_neg_ll_and_grad(np.array(theirs["gg"]["params"]), xr, m, np.ones_like(xr))[0]

    lines = ["| model | tool | median s | log-likelihood | parameters | time / lifetimes |",
             "|---|---|---|---|---|---|"]
    for name, title in [("bgnbd", "BG/NBD (r, alpha, a, b)"), ("gg", "Gamma-Gamma (p, q, gamma)")]:
        rows = [("workbench", ours[name])] + ([("lifetimes 0.11.3", theirs[name])] if theirs else [])
        base = statistics.median(theirs[name]["times"]) if theirs else None
        for tool, info in rows:
            med = statistics.median(info["times"])
            params = ", ".join(f"{p:.4f}" for p in info["params"])
            ratio = f"{med / base:.2f}" if base else "-"
            lines.append(f"| {title} | {tool} | {med:.4f} | {info['ll']:.3f} | {params} | {ratio} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
