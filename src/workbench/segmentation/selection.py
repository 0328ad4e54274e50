"""Choice of the number of segments k: inertia and its elbow, silhouette against a null,
Calinski-Harabasz, Davies-Bouldin and bootstrap stability.

:func:`select_k` works on any matrix in a clustering space (e.g. the output of
:class:`~workbench.segmentation.SegmentationPreprocessor`) and returns a frozen
:class:`KSelection`; :class:`~workbench.segmentation.CustomerSegmenter` calls it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.utils import check_random_state

from workbench.segmentation.clustering import _auto_n_init, _check_n_threads, _fit_kmeans, _threads

__all__ = ["KSelection", "knee", "select_k"]

_NULL_SAMPLE = 2_000  # customers drawn from the Gaussian null reference


def knee(ks: np.ndarray, inertia: np.ndarray) -> int | None:
    """Elbow of the inertia curve: the k farthest below the chord from first to last k.

    Both axes are scaled to [0, 1]; on a decreasing convex curve the point with the
    largest vertical gap to the chord is the Kneedle knee (Satopaa et al. 2011) without
    its online threshold, and the tests check the two agree (``kneed.KneeLocator``).

    Parameters
    ----------
    ks : numpy.ndarray
        The k compared, increasing.
    inertia : numpy.ndarray
        Within-segment sum of squares per k.

    Returns
    -------
    int or None
        The elbow k; None for fewer than 3 k or a curve without a knee.

    Examples
    --------
    >>> knee(np.arange(2, 8), np.array([100.0, 40.0, 30.0, 25.0, 22.0, 20.0]))
    3
    """
    if len(ks) < 3 or not np.all(np.isfinite(inertia)):
        return None
    span = inertia[0] - inertia[-1]
    if span <= 0:
        return None
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    y = (inertia - inertia[-1]) / span
    gap = (1 - x) - y  # chord from (0, 1) to (1, 0) minus the curve
    return int(ks[int(np.argmax(gap))]) if gap.max() > 0 else None


def _draw_seeds(random_state) -> tuple[int, int, int, int]:
    """The four seeds of a segmentation (fit, silhouette, reference, bootstrap)."""
    rs = check_random_state(random_state)
    return tuple(int(s) for s in rs.randint(0, 2**31 - 1, size=4))


def _null_sample(Y: np.ndarray, seed: int) -> np.ndarray:
    """A structureless reference: one Gaussian with the data's mean and covariance."""
    rng = np.random.default_rng(seed)
    size = min(len(Y), _NULL_SAMPLE)
    cov = np.atleast_2d(np.cov(Y, rowvar=False))
    return rng.multivariate_normal(Y.mean(axis=0), cov, size=size, method="eigh")


def _null_silhouette(null: np.ndarray, k: int, seed: int, n_init: int) -> float:
    if k >= len(null):
        return np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = KMeans(k, n_init=n_init, random_state=seed).fit_predict(null)
    return float(silhouette_score(null, labels)) if len(np.unique(labels)) > 1 else np.nan


def _stability(Y, k, ref_labels, ref_idx, m, seeds, n_init) -> np.ndarray:
    Yref = Y[ref_idx]
    aris = np.empty(len(seeds))
    for b, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, len(Y), size=m)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = KMeans(k, n_init=n_init, random_state=int(seed) % (2**31)).fit(Y[idx])
        aris[b] = adjusted_rand_score(ref_labels, model.predict(Yref))
    return aris


@dataclass(frozen=True)
class KSelection:
    """The criteria per k and the recommendation, with the settings that produced them.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per k: ``k``, ``inertia``, ``silhouette``, ``null_silhouette``,
        ``silhouette_gain``, ``calinski_harabasz``, ``davies_bouldin``,
        ``stability_mean``, ``stability_sd``, ``knee``, ``recommended`` (and ``chosen``
        in a :class:`~workbench.segmentation.CustomerSegmenter`'s ``k_selection_``).
    recommended_k : int
    reason : str
        Why ``recommended_k`` (text).
    silhouette_sample, silhouette_seed : int
        Customers the silhouette was computed on, and the seed drawing them.
    n_bootstrap, stability_sample : int
        Bootstrap resamples per k and customers per resample.
    algorithm : str
        "KMeans" or "MiniBatchKMeans".
    n_init : int
        k-means++ restarts of the full-data fits.
    null_sample : int
        Draws from the Gaussian null reference.
    fits : dict
        k -> the k-means fit on all customers (centres, labels, inertia; not in
        :meth:`tables`), reused by :class:`~workbench.segmentation.CustomerSegmenter`.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> Y = np.vstack([rng.normal(0, 0.3, (50, 2)), rng.normal(3, 0.3, (50, 2))])
    >>> selection = select_k(Y, [2, 3], n_bootstrap=3)
    >>> selection.table[["k", "silhouette", "recommended"]].round(2)
       k  silhouette  recommended
    0  2        0.89         True
    1  3        0.64        False
    >>> list(selection.tables())
    ['k_selection', 'k_selection_settings']
    """

    table: pd.DataFrame
    recommended_k: int
    reason: str
    silhouette_sample: int
    silhouette_seed: int
    n_bootstrap: int
    stability_sample: int
    algorithm: str
    n_init: int
    null_sample: int
    fits: dict = field(repr=False, compare=False)

    def settings(self) -> dict:
        """The sampling settings and seeds, by name (for a manifest or metrics file)."""
        return {"silhouette_sample": self.silhouette_sample, "silhouette_seed": self.silhouette_seed,
                "n_bootstrap": self.n_bootstrap, "stability_sample": self.stability_sample,
                "algorithm": self.algorithm, "n_init": self.n_init, "null_sample": self.null_sample}

    def tables(self) -> dict[str, pd.DataFrame]:
        """The criteria table and the settings as a one-row frame.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``k_selection`` and ``k_selection_settings``.
        """
        return {"k_selection": self.table, "k_selection_settings": pd.DataFrame([self.settings()])}


def _recommend(sel: pd.DataFrame, elbow, n_bootstrap: int, min_stability: float) -> tuple[int, str]:
    stable = sel[sel["stability_mean"] >= min_stability]
    pool = stable if len(stable) else sel
    if pool["silhouette"].notna().any():
        best = pool.loc[pool["silhouette"].idxmax()]
    else:
        best = pool.iloc[0]
    k = int(best["k"])
    if n_bootstrap == 0:
        why = f"highest silhouette ({best['silhouette']:.3f}); stability not computed"
    elif len(stable):
        why = (f"highest silhouette ({best['silhouette']:.3f}) among the stable k "
               f"(bootstrap ARI >= {min_stability:g}: {', '.join(map(str, stable['k']))})")
    else:
        why = (f"highest silhouette ({best['silhouette']:.3f}); no k is stable "
               f"(bootstrap ARI < {min_stability:g} for all)")
    extra = []
    if elbow is not None:
        extra.append(f"elbow of inertia at k={elbow}")
    if sel["calinski_harabasz"].notna().any():
        extra.append(f"Calinski-Harabasz highest at k={int(sel.loc[sel['calinski_harabasz'].idxmax(), 'k'])}")
    if sel["davies_bouldin"].notna().any():
        extra.append(f"Davies-Bouldin lowest at k={int(sel.loc[sel['davies_bouldin'].idxmin(), 'k'])}")
    return k, f"k={k}: {why}" + ("; " + "; ".join(extra) if extra else "")


def select_k(
    Y,
    k_values: Sequence[int],
    *,
    n_bootstrap: int = 20,
    stability_sample: int = 5_000,
    silhouette_sample: int = 5_000,
    minibatch_threshold: int = 200_000,
    n_init="auto",
    min_stability: float = 0.6,
    n_threads: int | None = 1,
    random_state=0,
) -> KSelection:
    """Compare k-means solutions over ``k_values`` and recommend one.

    Parameters
    ----------
    Y : array-like
        Customers x dimensions in the clustering space (scaled, optionally PCA).
    k_values : sequence of int
        The k to compare, each >= 2 and below the number of distinct rows.
    n_bootstrap, stability_sample, silhouette_sample, minibatch_threshold, n_init, min_stability, n_threads
        As in :class:`~workbench.segmentation.CustomerSegmenter`.
    random_state : int, RandomState or None, default 0
        Seeds every random step (k-means++, the null reference, resamples, silhouette
        sample); four seeds are drawn from it as :class:`CustomerSegmenter` draws them,
        so ``select_k`` on its scaled matrix gives its ``k_selection_``.

    Returns
    -------
    KSelection

    Notes
    -----
    The criteria, the Gaussian null, the bootstrap stability and the rule for the
    recommended k are those of :class:`~workbench.segmentation.CustomerSegmenter`
    (see its Notes and References).

    References
    ----------
    Rousseeuw (1987), Calinski & Harabasz (1974), Davies & Bouldin (1979), Satopaa et
    al. (2011), Tibshirani et al. (2001), Lange et al. (2004), as cited in
    :class:`~workbench.segmentation.CustomerSegmenter`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> Y = np.vstack([rng.normal(0, 0.3, (50, 2)), rng.normal(3, 0.3, (50, 2))])
    >>> select_k(Y, [2, 3, 4], n_bootstrap=3).recommended_k
    2
    """
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2 or len(Y) < 3 or not np.all(np.isfinite(Y)):
        raise ValueError(f"select_k: Y must be a finite 2-d matrix of at least 3 rows, got shape {Y.shape}"
                         + ("" if Y.ndim != 2 or np.all(np.isfinite(Y)) else " with missing or infinite values"))
    ks = [int(k) for k in k_values]
    if not ks or min(ks) < 2 or max(ks) >= len(Y):
        raise ValueError(f"select_k: k_values={list(k_values)!r}; give one or more k with 2 <= k < {len(Y)} "
                         "(the number of rows)")
    for name, v, low in (("n_bootstrap", n_bootstrap, 0), ("stability_sample", stability_sample, 2),
                         ("silhouette_sample", silhouette_sample, 2), ("minibatch_threshold", minibatch_threshold, 2)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < low:
            raise ValueError(f"select_k: {name}={v!r}; use an integer >= {low}")
    if n_init != "auto" and (not isinstance(n_init, (int, np.integer)) or n_init < 1):
        raise ValueError(f"select_k: n_init={n_init!r}; use 'auto' or a positive integer")
    _check_n_threads(n_threads)
    with _threads(n_threads):
        return _select_k(Y, ks, seeds=_draw_seeds(random_state), n_bootstrap=n_bootstrap,
                         stability_sample=stability_sample, silhouette_sample=silhouette_sample,
                         minibatch_threshold=minibatch_threshold, n_init=n_init, min_stability=min_stability)


def _select_k(Y: np.ndarray, ks: list[int], *, seeds: tuple[int, int, int, int], n_bootstrap: int,
              stability_sample: int, silhouette_sample: int, minibatch_threshold: int, n_init,
              min_stability: float) -> KSelection:
    """:func:`select_k` on checked inputs, with the four seeds given."""
    n = len(Y)
    seed_fit, seed_sil, seed_ref, seed_boot = seeds
    n_init = _auto_n_init(n_init, n)
    n_init_boot = min(n_init, 3)
    m = min(n, stability_sample)
    ref_idx = (np.arange(n) if m == n
               else np.sort(np.random.default_rng(seed_ref).choice(n, size=m, replace=False)))
    boot_seeds = np.random.SeedSequence(seed_boot).generate_state(max(n_bootstrap, 1))
    sil_n = min(n, silhouette_sample)
    null = _null_sample(Y, seed_ref)

    fits, rows = {}, []
    for k in ks:
        fit = _fit_kmeans(Y, k, seed=seed_fit, n_init=n_init, minibatch_threshold=minibatch_threshold)
        fits[k] = fit
        n_found = len(np.unique(fit.labels))
        if n_found < 2:
            sil = ch = db = np.nan
        else:
            sil = float(silhouette_score(Y, fit.labels, sample_size=sil_n if sil_n < n else None,
                                         random_state=seed_sil))
            ch = float(calinski_harabasz_score(Y, fit.labels))
            db = float(davies_bouldin_score(Y, fit.labels))
        if n_bootstrap:
            aris = _stability(Y, k, fit.labels[ref_idx], ref_idx, m, boot_seeds, n_init_boot)
            st_mean, st_sd = float(aris.mean()), float(aris.std(ddof=1)) if len(aris) > 1 else np.nan
        else:
            st_mean = st_sd = np.nan
        null_sil = _null_silhouette(null, k, seed_sil, n_init_boot)
        rows.append({"k": k, "inertia": fit.inertia, "silhouette": sil, "null_silhouette": null_sil,
                     "silhouette_gain": sil - null_sil, "calinski_harabasz": ch,
                     "davies_bouldin": db, "stability_mean": st_mean, "stability_sd": st_sd})
    sel = pd.DataFrame(rows)
    elbow = knee(sel["k"].to_numpy(), sel["inertia"].to_numpy())
    sel["knee"] = sel["k"] == elbow
    rec_k, reason = _recommend(sel, elbow, n_bootstrap, min_stability)
    sel["recommended"] = sel["k"] == rec_k
    return KSelection(
        table=sel, recommended_k=rec_k, reason=reason, silhouette_sample=sil_n, silhouette_seed=seed_sil,
        n_bootstrap=int(n_bootstrap), stability_sample=m,
        algorithm="MiniBatchKMeans" if n > minibatch_threshold else "KMeans", n_init=n_init,
        null_sample=len(null), fits=fits,
    )
