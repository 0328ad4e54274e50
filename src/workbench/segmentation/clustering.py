"""The clusterer: k-means++ with segments numbered by size and nearest-centroid prediction.

:class:`SegmentKMeans` is a scikit-learn clusterer on a matrix in a clustering space
(the output of :class:`~workbench.segmentation.SegmentationPreprocessor`, optionally
followed by PCA), so ``make_pipeline(SegmentationPreprocessor(), SegmentKMeans(4))``
segments a customer-features frame. It differs from :class:`sklearn.cluster.KMeans`
in two recorded choices: above ``minibatch_threshold`` rows it fits
:class:`sklearn.cluster.MiniBatchKMeans` (on a seeded sample of :data:`FIT_SAMPLE` rows
above that many, every row then assigned to its nearest centre), and segment 0 is the
largest.
"""

from __future__ import annotations

import warnings
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

__all__ = ["SegmentKMeans"]

# MiniBatchKMeans batch: at 1M customers x 5 features, 16,384 converged in a third of the
# time of 4,096 (fewer Python-level steps) with equal inertia (benchmarks/README.md)
_MINIBATCH_SIZE = 16_384

#: Above this many rows MiniBatchKMeans fits the centres on a seeded uniform sample of
#: this size and every row is then assigned to its nearest centre (the sampling idea of
#: CLARA, Kaufman & Rousseeuw 1990, ch. 3). scikit-learn 1.7+ draws each mini-batch with
#: ``RandomState.choice(n, p=weights)``, which costs O(n) per batch (0.12 s per batch at 10M
#: rows, about 2 minutes per k); on 500,000 rows the centres' sampling error is far below
#: the segments' spread.
FIT_SAMPLE = 500_000


def _threads(n_threads):
    """A context limiting OpenMP/BLAS threads to ``n_threads`` (None: no limit)."""
    return nullcontext() if n_threads is None else threadpool_limits(limits=int(n_threads))


def _check_n_threads(n_threads) -> None:
    if n_threads is not None and (not isinstance(n_threads, (int, np.integer)) or isinstance(n_threads, bool)
                                  or n_threads < 1):
        raise ValueError(f"n_threads={n_threads!r}; use a positive integer or None")


def _auto_n_init(n_init, n: int) -> int:
    """k-means++ restarts: 10 up to 5,000 rows, 3 above, unless given."""
    return (10 if n <= 5_000 else 3) if n_init == "auto" else int(n_init)


@dataclass(frozen=True)
class _KMeansFit:
    """One k-means fit: ``k``, ``centers`` (k x dims), ``labels`` and ``inertia``."""

    k: int
    centers: np.ndarray
    labels: np.ndarray
    inertia: float


def _fit_rows(n: int, seed: int) -> np.ndarray | None:
    """The rows the centres are fitted on: all up to :data:`FIT_SAMPLE`, else a seeded sample."""
    if n <= FIT_SAMPLE:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, size=FIT_SAMPLE, replace=False))


def _fit_kmeans(Y: np.ndarray, k: int, *, seed: int, n_init: int, minibatch_threshold: int) -> _KMeansFit:
    """k-means++ on ``Y`` (MiniBatchKMeans above ``minibatch_threshold`` rows, its centres
    fitted on a seeded sample of :data:`FIT_SAMPLE` rows above that many; labels and
    inertia always of every row)."""
    rows = None
    if len(Y) > minibatch_threshold:
        model = MiniBatchKMeans(k, init="k-means++", n_init=n_init, batch_size=_MINIBATCH_SIZE, random_state=seed)
        rows = _fit_rows(len(Y), seed)
    else:
        model = KMeans(k, init="k-means++", n_init=n_init, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = model.fit(Y if rows is None else Y[rows])
    if isinstance(model, KMeans):
        return _KMeansFit(k, model.cluster_centers_, np.asarray(model.labels_), float(model.inertia_))
    labels = np.asarray(model.predict(Y))
    inertia = float(model.inertia_) if rows is None else -float(model.score(Y))  # of every row
    return _KMeansFit(k, model.cluster_centers_, labels, inertia)


def _nearest(Y: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest centre (squared Euclidean distance) per row."""
    if len(Y) < 100_000:
        d = ((Y[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        return d.argmin(axis=1).astype(np.int64)
    return pairwise_distances_argmin(Y, centers).astype(np.int64)


class SegmentKMeans(ClusterMixin, BaseEstimator):
    r"""k-means++ with segments numbered by size (0 = largest), for customer segmentation.

    Parameters
    ----------
    n_clusters : int, default 4
        Number of segments k (>= 2).
    n_init : "auto" or int, default "auto"
        k-means++ restarts: 10 up to 5,000 rows, 3 above.
    minibatch_threshold : int, default 200_000
        Above this many rows the fit uses MiniBatchKMeans (batches of 16,384 rows; above
        :data:`FIT_SAMPLE` rows, its centres are fitted on a seeded sample of that size
        and every row is assigned to the nearest).
    n_threads : int or None, default 1
        OpenMP/BLAS threads (None: the libraries' default); see
        :class:`~workbench.segmentation.CustomerSegmenter`.
    random_state : int, default 0
        Seed of k-means++.

    Attributes
    ----------
    cluster_centers_ : numpy.ndarray
        k x dimensions, row j the centre of segment j.
    labels_ : numpy.ndarray of int
        Segment per row of the fitted matrix.
    inertia_ : float
        Within-segment sum of squares :math:`W_k = \sum_i \lVert x_i - c_{l_i} \rVert^2`.
    algorithm_ : str
        "KMeans" or "MiniBatchKMeans".
    n_features_in_ : int

    Notes
    -----
    Segments are renumbered by size, largest first, ties broken by the centre's
    coordinates (rounded to 12 decimals), so the numbering does not depend on the order
    k-means happened to find them. :meth:`predict` assigns each row to the nearest
    centre, which for k-means is the fitted assignment.

    References
    ----------
    Arthur, D., & Vassilvitskii, S. (2007). k-means++: The advantages of careful
    seeding. SODA, 1027-1035 (scikit-learn's implementation). That a pipeline of this
    class reproduces :class:`~workbench.segmentation.CustomerSegmenter` is checked in
    ``tests/test_segmentation.py``.

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[0.0, 0.1], [0.1, 0.0], [5.0, 5.1], [0.0, 0.0], [5.1, 5.0]])
    >>> SegmentKMeans(2).fit(Y).labels_.tolist()  # the three points near 0 are segment 0
    [0, 0, 1, 0, 1]
    """

    def __init__(self, n_clusters=4, *, n_init="auto", minibatch_threshold=200_000, n_threads=1, random_state=0):
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.minibatch_threshold = minibatch_threshold
        self.n_threads = n_threads
        self.random_state = random_state

    def _check_params(self, n: int) -> None:
        k = self.n_clusters
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 2:
            raise ValueError(f"SegmentKMeans: n_clusters={k!r}; use an integer >= 2")
        if k > n:
            raise ValueError(f"SegmentKMeans.fit: n_clusters={k} but only {n:,} row(s); k can be at most {n}")
        if self.n_init != "auto" and (not isinstance(self.n_init, (int, np.integer)) or self.n_init < 1):
            raise ValueError(f"n_init={self.n_init!r}; use 'auto' or a positive integer")
        if not isinstance(self.minibatch_threshold, (int, np.integer)) or self.minibatch_threshold < 2:
            raise ValueError(f"minibatch_threshold={self.minibatch_threshold!r}; use an integer >= 2")
        _check_n_threads(self.n_threads)

    def fit(self, X, y=None) -> SegmentKMeans:
        """Fit k-means++ and number the segments by size.

        Parameters
        ----------
        X : array-like
            Rows x dimensions in the clustering space (finite numbers).
        y : ignored

        Returns
        -------
        SegmentKMeans
            self, fitted.
        """
        Y = self._matrix(X, "SegmentKMeans.fit")
        self._check_params(len(Y))
        with _threads(self.n_threads):
            fit = _fit_kmeans(Y, int(self.n_clusters), seed=self.random_state,
                              n_init=_auto_n_init(self.n_init, len(Y)),
                              minibatch_threshold=self.minibatch_threshold)
        self._set_fit(fit, n_rows=len(Y))
        return self

    def _set_fit(self, fit: _KMeansFit, *, n_rows: int) -> None:
        """Take a fit (e.g. one of :func:`select_k`'s) and renumber its segments by size."""
        k = fit.k
        counts = np.bincount(fit.labels, minlength=k)
        # segments numbered by size (largest first), ties by the centroid's coordinates
        order = sorted(range(k), key=lambda j: (-counts[j], *np.round(fit.centers[j], 12)))
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(k)
        self.cluster_centers_ = fit.centers[order]
        self.labels_ = rank[fit.labels]
        self.inertia_ = fit.inertia
        self.algorithm_ = "MiniBatchKMeans" if n_rows > self.minibatch_threshold else "KMeans"
        self.n_features_in_ = fit.centers.shape[1]

    @staticmethod
    def _matrix(X, where: str) -> np.ndarray:
        Y = np.asarray(X, dtype=np.float64)
        if Y.ndim != 2 or len(Y) == 0:
            raise ValueError(f"{where}: X must be a non-empty 2-d matrix (rows x dimensions), got shape {Y.shape}")
        if not np.all(np.isfinite(Y)):
            raise ValueError(f"{where}: X has {int((~np.isfinite(Y)).sum()):,} missing or infinite value(s)")
        return Y

    def predict(self, X) -> np.ndarray:
        """Segment of each row: the nearest centre.

        Parameters
        ----------
        X : array-like
            Rows x ``n_features_in_`` in the fitted clustering space.

        Returns
        -------
        numpy.ndarray of int
            Segment 0..k-1 per row.
        """
        check_is_fitted(self, "cluster_centers_")
        Y = self._matrix(X, "SegmentKMeans.predict")
        if Y.shape[1] != self.n_features_in_:
            raise ValueError(f"SegmentKMeans.predict: X has {Y.shape[1]} column(s); the fit had "
                             f"{self.n_features_in_}")
        with _threads(self.n_threads):
            return _nearest(Y, self.cluster_centers_)
