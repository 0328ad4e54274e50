"""k-means segmentation pipeline at scale against a plain scikit-learn loop, one run.

    python benchmarks/bench_segmentation.py [--sizes 20000 1000000] [--baseline-sizes 10000 20000]

Workbench: ``CustomerSegmenter().fit(features)`` with its defaults, i.e. the whole
pipeline: transforms, k = 2..10, inertia, sampled silhouette (5,000) and its
single-Gaussian null, Calinski-Harabasz, Davies-Bouldin, 20 bootstrap resamples per k
(stability), the final profile, ANOVA and names. MiniBatchKMeans above 200,000
customers.

Baseline: what an analyst writes first, a loop over k = 2..10 of
``KMeans(n_clusters=k, random_state=0).fit(X)`` on the standardised log features with
``silhouette_score(X, labels)`` on all customers (no stability at all), with the
libraries' default threads and again with one thread. Full silhouette
is O(n^2) in time, so the baseline is timed at small n and its silhouette part
extrapolated quadratically (k-means part linearly) to the largest size.

Features: synthetic customers from 5 latent segments (recency, frequency, total and
mean spend, tenure), deterministic. Median of 3 runs; prints a markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import adjusted_rand_score, silhouette_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from workbench.segmentation import CustomerSegmenter, WeakSegmentationWarning  # noqa: E402

COLUMNS = ["recency_days", "frequency", "monetary_total", "monetary_mean", "tenure_days"]


def synthetic_features(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers of 5 latent segments with RFM-like marginals; returns (features, truth)."""
    rng = np.random.default_rng(seed)
    seg = rng.choice(5, size=n, p=[0.1, 0.2, 0.35, 0.2, 0.15])
    recency_mu = np.array([15.0, 30.0, 60.0, 120.0, 500.0])[seg]
    freq_mu = np.array([3.0, 2.0, 1.0, 2.2, 0.7])[seg]
    spend_mu = np.array([6.0, 4.5, 3.5, 5.0, 3.8])[seg]
    tenure_mu = np.array([1400.0, 500.0, 1200.0, 1300.0, 1100.0])[seg]
    frequency = np.round(np.exp(freq_mu + 0.25 * rng.normal(size=n))) + 1
    mean = np.exp(spend_mu + 0.25 * rng.normal(size=n))
    feats = pd.DataFrame({
        "customer_id": pd.array([f"C{i:07d}" for i in range(n)], dtype="str"),
        "recency_days": np.round(recency_mu * np.exp(0.2 * rng.normal(size=n))),
        "frequency": frequency,
        "monetary_total": frequency * mean,
        "monetary_mean": mean,
        "tenure_days": np.round(tenure_mu + 60 * rng.normal(size=n)).clip(1),
    })
    return feats, seg


def baseline(feats: pd.DataFrame, ks=range(2, 11)) -> tuple[float, float, int]:
    """Plain loop: (k-means seconds, silhouette seconds, best k by silhouette)."""
    X = feats[COLUMNS].to_numpy(float, copy=True)
    X[:, 1:4] = np.log1p(X[:, 1:4])
    X = StandardScaler().fit_transform(X)
    t_fit = t_sil = 0.0
    best = (-1.0, 0)
    for k in ks:
        t = time.perf_counter()
        labels = KMeans(n_clusters=k, random_state=0).fit(X).labels_
        t_fit += time.perf_counter() - t
        t = time.perf_counter()
        s = silhouette_score(X, labels)
        t_sil += time.perf_counter() - t
        best = max(best, (s, k))
    return t_fit, t_sil, best[1]


def median(values):
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 1_000_000])
    parser.add_argument("--baseline-sizes", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", default="1", help="n_threads of the workbench: an int or 'none'")
    args = parser.parse_args()
    n_threads = None if args.threads.lower() == "none" else int(args.threads)
    warnings.simplefilter("ignore", WeakSegmentationWarning)

    rows = []
    base = {}
    for n in args.baseline_sizes:
        feats, _ = synthetic_features(n)
        for threads in (None, 1):  # the library default (2 OpenMP threads here), then 1
            with threadpool_limits(threads):
                runs = [baseline(feats) for _ in range(args.repeat)]
            fit, sil = median([r[0] for r in runs]), median([r[1] for r in runs])
            if threads is None:
                base[n] = (fit, sil)
            name = "sklearn loop, full silhouette" + (", 1 thread" if threads == 1 else "")
            rows.append((name, n, fit + sil, f"k={runs[0][2]}", "measured"))
    for n in args.sizes:
        feats, truth = synthetic_features(n)
        times, seg = [], None
        for _ in range(args.repeat):
            t = time.perf_counter()
            seg = CustomerSegmenter(n_threads=n_threads).fit(feats)
            times.append(time.perf_counter() - t)
        ari = adjusted_rand_score(truth, seg.labels_)
        rows.append((f"workbench ({seg.algorithm_}, stability x20)", n, median(times),
                     f"k={seg.k_}, ARI {ari:.3f}, {'weak' if seg.weak_ else 'clear'}", "measured"))
        if n not in base:
            n0 = max(base)
            fit0, sil0 = base[n0]
            est = fit0 * n / n0 + sil0 * (n / n0) ** 2
            rows.append(("sklearn loop, full silhouette", n, est, "", f"extrapolated from {n0:,}"))

    print(f"\nk = 2..10, median of {args.repeat}, workbench n_threads={n_threads}\n")
    print("| pipeline | customers | seconds | result | note |")
    print("|---|---|---|---|---|")
    for name, n, secs, result, note in rows:
        print(f"| {name} | {n:,} | {secs:,.1f} | {result} | {note} |")
    wb = {n: s for name, n, s, _, _ in rows if name.startswith("workbench")}
    bl = {n: s for name, n, s, _, _ in rows if name == "sklearn loop, full silhouette"}
    print()
    for n in sorted(set(wb) & set(bl)):
        print(f"- {n:,} customers: baseline / workbench = {bl[n] / wb[n]:,.1f}x")


if __name__ == "__main__":
    main()
