"""The one-call segmenter: preprocessing, choice of k, k-means, names, profiles, verdict.

:class:`CustomerSegmenter` chains the pieces of :mod:`workbench.segmentation` and
records every choice; :func:`segment_by` fits one per group (e.g. industry).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.decomposition import PCA
from sklearn.utils.validation import check_is_fitted

from workbench.segmentation import clustering
from workbench.segmentation._checks import OVERALL, check_frame
from workbench.segmentation.clustering import SegmentKMeans, _check_n_threads, _nearest, _threads
from workbench.segmentation.naming import _check_rules, name_segments
from workbench.segmentation.preprocessing import SegmentationPreprocessor
from workbench.segmentation.profiling import segment_anova, segment_profile
from workbench.segmentation.selection import _draw_seeds, _select_k

__all__ = ["CustomerSegmenter", "GroupedSegmentation", "WeakSegmentationWarning", "segment_by"]


class WeakSegmentationWarning(UserWarning):
    """The data show no convincing cluster structure at the chosen k.

    Raised (as a warning) by :meth:`CustomerSegmenter.fit` when the chosen k is weak
    (``weak_``): silhouette barely above the Gaussian null or unstable segments.

    Examples
    --------
    >>> import warnings
    >>> rng = np.random.default_rng(0)
    >>> blob = pd.DataFrame({"x": rng.normal(size=60), "y": rng.normal(size=60)})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     seg = CustomerSegmenter(columns=["x", "y"], n_bootstrap=2).fit(blob)
    >>> seg.weak_, caught[0].category.__name__
    (True, 'WeakSegmentationWarning')
    """


def _check_not_columns(y) -> None:
    """``fit(features, y)``: a list of column names in ``y`` is the old call form."""
    if isinstance(y, str) or (isinstance(y, Sequence) and len(y) and all(isinstance(v, str) for v in y)):
        raise TypeError(f"CustomerSegmenter.fit: the second argument is y (ignored), got {y!r}; the columns "
                        "to cluster are a setting: CustomerSegmenter(columns=[...]).fit(features)")


class CustomerSegmenter(ClusterMixin, BaseEstimator):
    r"""k-means customer segmentation with recorded transforms, choice of k and stability.

    The one-call form of the package's pieces: :class:`SegmentationPreprocessor`
    (columns, fills, winsorising, transforms, scaling), optional PCA, :func:`select_k`
    (criteria per k and the recommendation), :class:`SegmentKMeans` (the clusterer,
    segments numbered by size), :func:`name_segments` and :func:`segment_profile` /
    :func:`segment_anova`. Each can be used alone; this class records every step.

    Parameters
    ----------
    columns : sequence of str, optional
        Numeric columns to cluster; an unusable named column is an error. Default: the
        :data:`DEFAULT_COLUMNS` that are present and usable (the others recorded in
        ``excluded_``).
    k : "auto" or int, default "auto"
        Number of segments; "auto" takes the recommended k (see Notes). An int (from
        the case file) overrides the recommendation; the selection table is still
        computed over ``k_range``.
    k_range : (int, int), default (2, 10)
        Smallest and largest k compared, both included.
    transforms : "auto" or dict, default "auto"
        Per-column transform, one of "none", "log1p", "asinh"; a dict names some
        columns and leaves the rest to the automatic rule (Notes).
    scaler : {"standard", "robust"}, default "standard"
        z-scores, or (x - median) / IQR.
    winsorize : float or (float, float), optional
        Clip each column at these lower/upper quantiles before transforming (0.01 means
        1 % and 99 %). The bounds are learned in ``fit`` and reused by ``predict``.
    pca : int or float, optional
        Cluster on this many principal components (int) or on the components that
        explain this share of variance (float in (0, 1)).
    n_bootstrap : int, default 20
        Bootstrap resamples per k for the stability ARI; 0 skips stability.
    stability_sample : int, default 5_000
        Size of each bootstrap resample and of the fixed reference subsample on which
        labels are compared (all customers when fewer).
    minibatch_threshold : int, default 200_000
        Above this many customers the full-data fits use MiniBatchKMeans (batches of
        16,384 customers; above 500,000 customers the centres are fitted on a seeded
        sample of 500,000 and every customer is assigned to the nearest,
        :data:`~workbench.segmentation.clustering.FIT_SAMPLE`).
    silhouette_sample : int, default 5_000
        Silhouette is computed on a random sample of this size (seeded) when there are
        more customers.
    n_init : "auto" or int, default "auto"
        k-means++ restarts: 10 up to 5,000 customers, 3 above; bootstrap refits use at
        most 3.
    names : None, mapping or list of rules, optional
        None: RFM 8-class names. A mapping {segment: name} names segments directly; a
        list of rules ``{"name": ..., "when": {column: "high" | "low"}}`` names the
        first matching segments (high = the segment's mean above the overall mean of
        that column, both in original units as in ``profile_``, so a high
        ``recency_days`` is *long ago*); unmatched segments keep their RFM name. Repeated names are numbered
        ``_1, _2`` in segment order.
    rfm : (str, str, str), default ("recency_days", "frequency", "monetary_total")
        The clustered columns read as R, F and M for the default names.
    min_silhouette, min_stability, min_gain : float, default 0.25, 0.6 and 0.05
        Below any at the chosen k the segmentation is called weak (``min_gain`` bounds
        the silhouette's excess over a structureless Gaussian reference, see Notes).
    n_threads : int or None, default 1
        OpenMP/BLAS threads for the k-means fits and distances (None: the libraries'
        default). One is the default because scikit-learn's OpenMP k-means spends more
        time synchronising threads than computing on small fits and on a busy machine
        (measured 12x slower with 2 threads on 20,000 customers while other jobs ran).
    random_state : int, RandomState or None, default 0
        Seeds every random step (k-means++, resamples, silhouette sample).

    Attributes
    ----------
    preprocessor_ : SegmentationPreprocessor
        The fitted preprocessing (its ``transform`` gives the scaled matrix).
    clusterer_ : SegmentKMeans
        The fitted k-means of the chosen k (centres in the clustering space).
    k_selection_ : KSelection
        The criteria per k (``table``, with the ``chosen`` column), the recommendation and
        the sampling settings and seeds.
    columns_ : list of str
        Clustered columns.
    excluded_ : dict
        Column -> reason it was not clustered.
    transforms_ : pandas.DataFrame
        One row per clustered column: ``transform``, ``reason``, ``skewness``,
        ``n_filled``, ``fill_value``, ``clip_low``, ``clip_high``, ``center``, ``scale``.
    k_ : int
    inertia_ : float
        Within-segment sum of squares :math:`W_k` of the chosen fit (clustering space).
    pca_ : sklearn.decomposition.PCA or None
    notes_ : list of str
        Choices made on the data's behalf (e.g. k skipped for too few distinct customers).
    recommendation_ : dict
        ``k`` (recommended) and ``reason`` (text).
    labels_ : numpy.ndarray
        Segment 0..k-1 per customer; segments are numbered by size (0 = largest).
    centers_scaled_ : pandas.DataFrame
        Centroids in the transformed, scaled space (before PCA).
    centers_ : pandas.DataFrame
        Centroids back in original units (inverse scaling and transforms, so a log1p
        column shows the back-transformed mean of its logs).
    profile_, anova_ : pandas.DataFrame
        :func:`segment_profile` and :func:`segment_anova` of the clustered columns.
    names_ : dict
        Segment -> name code.
    weak_ : bool
    quality_ : str
        The verdict in one sentence.
    algorithm_ : str
        "KMeans" or "MiniBatchKMeans", with ``algorithm_reason_``.

    Notes
    -----
    Automatic transforms: durations (``recency_days``, ``tenure_days``) stay linear; any
    other non-negative column with sample skewness > 1 gets
    :math:`\log(1 + x)`; a column with negative values and \|skewness\| > 1 or
    excess kurtosis > 3 gets :math:`\operatorname{asinh}(x)` (log-like in both
    tails); otherwise none.

    Criteria per k: inertia :math:`W_k = \sum_i \lVert x_i - c_{l_i} \rVert^2`;
    silhouette :math:`s = \operatorname{mean}_i (b_i - a_i)/\max(a_i, b_i)`
    (Rousseeuw 1987); Calinski-Harabasz :math:`\frac{B_k/(k-1)}{W_k/(n-k)}`;
    Davies-Bouldin (lower is better). The elbow is the k whose scaled :math:`W_k` lies
    farthest below the chord from the first to the last k, which is the Kneedle knee
    (Satopaa et al. 2011) without its significance threshold.

    Null reference: ``null_silhouette`` is the silhouette of k-means on 2,000 draws
    from one Gaussian with the data's mean and covariance (in the clustering space), a
    structureless sample with the same spread and correlations (the idea of the gap
    statistic, Tibshirani et al. 2001). k-means always finds clusters, and on a single
    blob in 2 dimensions its silhouette is about 0.33, above the usual 0.25 cut, so the
    verdict also asks for ``silhouette_gain = silhouette - null_silhouette`` of at
    least ``min_gain``.

    Stability: each of ``n_bootstrap`` replicates draws ``m = min(n,
    stability_sample)`` customers with replacement, refits k-means on them and
    *predicts* the segments of a fixed reference set (all customers, or a seeded
    subsample of m); the adjusted Rand index (Hubert & Arabie 1985) against the
    full-data fit's labels on that set is averaged (Lange et al. 2004). Predicting on
    a fixed set rather than comparing on the overlap of two resamples keeps every
    replicate's ARI on the same customers.

    Recommended k: the highest silhouette among the k whose mean stability ARI is at
    least ``min_stability`` (all k when stability is skipped or none is stable). The
    verdict is weak when the chosen k has silhouette < ``min_silhouette``, a silhouette
    gain over the null < ``min_gain`` or
    stability < ``min_stability``; then a :class:`WeakSegmentationWarning` is issued.

    References
    ----------
    Tibshirani, R., Walther, G., & Hastie, T. (2001). Estimating the number of clusters
    in a data set via the gap statistic. JRSS B, 63(2), 411-423.
    Rousseeuw, P. J. (1987). Silhouettes. J. Comput. Appl. Math., 20, 53-65.
    Calinski, T., & Harabasz, J. (1974). Commun. Stat., 3(1), 1-27.
    Davies, D. L., & Bouldin, D. W. (1979). IEEE TPAMI, 1(2), 224-227.
    Satopaa, V. et al. (2011). Finding a "Kneedle" in a haystack. ICDCS workshops.
    Lange, T., Roth, V., Braun, M. L., & Buhmann, J. M. (2004). Stability-based
    validation of clustering solutions. Neural Computation, 16(6), 1299-1323.
    Hennig, C. (2007). Cluster-wise assessment of cluster stability. CSDA 52, 258-271.
    Criteria are scikit-learn's; the knee agrees with ``kneed.KneeLocator`` and
    recovery of known segments (adjusted Rand index >= 0.9) is tested on
    :func:`workbench.datasets.make_ncompany` in ``tests/test_segmentation.py``.

    Examples
    --------
    >>> from workbench.datasets import make_ncompany
    >>> from workbench.features import customer_features
    >>> data = make_ncompany(600)
    >>> feats = customer_features(data.transactions, "2024-12-31")
    >>> seg = CustomerSegmenter(n_bootstrap=5).fit(feats)
    >>> seg.k_
    5
    >>> CustomerSegmenter(columns=["frequency", "monetary_total"], k=3)
    CustomerSegmenter(columns=['frequency', 'monetary_total'], k=3)
    """


    def __init__(
        self,
        *,
        columns=None,
        k="auto",
        k_range=(2, 10),
        transforms="auto",
        scaler="standard",
        winsorize=None,
        pca=None,
        n_bootstrap=20,
        stability_sample=5_000,
        minibatch_threshold=200_000,
        silhouette_sample=5_000,
        n_init="auto",
        names=None,
        rfm=("recency_days", "frequency", "monetary_total"),
        min_silhouette=0.25,
        min_stability=0.6,
        min_gain=0.05,
        n_threads=1,
        random_state=0,
    ):
        self.columns = columns
        self.k = k
        self.k_range = k_range
        self.transforms = transforms
        self.scaler = scaler
        self.winsorize = winsorize
        self.pca = pca
        self.n_bootstrap = n_bootstrap
        self.stability_sample = stability_sample
        self.minibatch_threshold = minibatch_threshold
        self.silhouette_sample = silhouette_sample
        self.n_init = n_init
        self.names = names
        self.rfm = rfm
        self.min_silhouette = min_silhouette
        self.min_stability = min_stability
        self.min_gain = min_gain
        self.n_threads = n_threads
        self.random_state = random_state

    # -- parameters -------------------------------------------------------------------

    def _check_params(self, preprocessor: SegmentationPreprocessor) -> list[int]:
        lo_hi = self.k_range
        if (not isinstance(lo_hi, Sequence) or len(lo_hi) != 2
                or not all(isinstance(v, (int, np.integer)) for v in lo_hi) or not 2 <= lo_hi[0] <= lo_hi[1]):
            raise ValueError(f"k_range={lo_hi!r}; give (smallest, largest) k with 2 <= smallest <= largest")
        ks = list(range(int(lo_hi[0]), int(lo_hi[1]) + 1))
        if self.k != "auto":
            if not isinstance(self.k, (int, np.integer)) or isinstance(self.k, bool) or self.k < 2:
                raise ValueError(f"k={self.k!r}; use 'auto' or an integer >= 2")
            ks = sorted(set(ks) | {int(self.k)})
        preprocessor._check_params()  # transforms, scaler, winsorize
        for name in ("n_bootstrap",):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"{name}={v!r}; use a non-negative integer")
        for name in ("stability_sample", "minibatch_threshold", "silhouette_sample"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < 2:
                raise ValueError(f"{name}={v!r}; use an integer >= 2")
        if self.n_init != "auto" and (not isinstance(self.n_init, (int, np.integer)) or self.n_init < 1):
            raise ValueError(f"n_init={self.n_init!r}; use 'auto' or a positive integer")
        return ks

    # -- fit ----------------------------------------------------------------------------

    def fit(self, X: pd.DataFrame, y=None) -> CustomerSegmenter:
        """Transform, compare k, fit the chosen k, profile and name the segments.

        Parameters
        ----------
        X : pandas.DataFrame
            One row per customer (e.g. :func:`workbench.features.customer_features`);
            the clustered columns are the ``columns`` setting.
        y : ignored
            Accepted for scikit-learn's API; a list of column names here is an error
            that points to ``CustomerSegmenter(columns=...)``.

        Returns
        -------
        CustomerSegmenter
            self, fitted.

        Raises
        ------
        ValueError
            Fewer than three customers, fewer distinct customers than k, constant,
            missing or infinite values in named columns, bad parameters.
        TypeError
            Non-numeric columns, features not a DataFrame, column names passed as ``y``.
        """
        _check_not_columns(y)
        _check_n_threads(self.n_threads)
        with _threads(self.n_threads):
            self._fit(X)
        if self.weak_:
            warnings.warn(self.quality_, WeakSegmentationWarning, stacklevel=2)
        return self

    def _fit(self, features: pd.DataFrame) -> None:
        where = "CustomerSegmenter.fit"
        pre = SegmentationPreprocessor(columns=self.columns, transforms=self.transforms, scaler=self.scaler,
                                       winsorize=self.winsorize)
        ks = self._check_params(pre)
        check_frame(features, where)
        n = len(features)
        if n < 3:
            raise ValueError(f"{where}: only {n} customer(s); segmentation needs at least 3 customers "
                             "(2 segments and a comparison)")
        seeds = _draw_seeds(self.random_state)
        seed_fit = seeds[0]

        Z = pre._fit(features, where)
        self.preprocessor_ = pre
        self.columns_, self.excluded_, self.transforms_ = pre.columns_, pre.excluded_, pre.transforms_
        _check_rules(self.names, self.columns_)
        if self.rfm is not None and len(self.rfm) != 3:
            raise ValueError(f"rfm={self.rfm!r}; give the (recency, frequency, monetary) column names")
        self.pca_ = None
        if self.pca is not None:
            if not (isinstance(self.pca, (int, np.integer)) and 1 <= self.pca <= Z.shape[1]) and not (
                    isinstance(self.pca, float) and 0 < self.pca < 1):
                raise ValueError(f"pca={self.pca!r}; use an int in 1..{Z.shape[1]} (components) or a float "
                                 "in (0, 1) (share of variance)")
            self.pca_ = PCA(n_components=self.pca, random_state=seed_fit).fit(Z)
        Y = self._space(Z)

        n_distinct = len(pd.DataFrame(Y).drop_duplicates()) if n <= 2_000_000 else n
        if self.k != "auto" and int(self.k) > n_distinct:
            raise ValueError(f"{where}: k={self.k} but only {n_distinct:,} distinct customers (of {n:,}) "
                             f"in columns {self.columns_}; k can be at most {n_distinct}")
        usable = [k for k in ks if k < n_distinct or (self.k != "auto" and k == int(self.k))]
        if self.k == "auto" and not usable:
            raise ValueError(f"{where}: only {n_distinct:,} distinct customers (of {n:,}) in columns "
                             f"{self.columns_}; comparing k = {ks[0]}..{ks[-1]} needs at least {ks[0] + 1}")
        self.notes_ = []
        if len(usable) < len(ks):
            self.notes_.append(f"k > {n_distinct - 1} skipped: only {n_distinct} distinct customers")

        big = n > self.minibatch_threshold
        self.algorithm_ = "MiniBatchKMeans" if big else "KMeans"
        self.algorithm_reason_ = (f"{n:,} customers {'>' if big else '<='} minibatch_threshold "
                                  f"{self.minibatch_threshold:,}")
        if big and n > clustering.FIT_SAMPLE:
            self.algorithm_reason_ += (f"; centres fitted on a seeded sample of {clustering.FIT_SAMPLE:,} customers, "
                                       "every customer assigned to the nearest")
        selection = _select_k(Y, usable, seeds=seeds, n_bootstrap=int(self.n_bootstrap),
                              stability_sample=self.stability_sample, silhouette_sample=self.silhouette_sample,
                              minibatch_threshold=self.minibatch_threshold, n_init=self.n_init,
                              min_stability=self.min_stability)
        rec_k, reason = selection.recommended_k, selection.reason
        self.k_ = rec_k if self.k == "auto" else int(self.k)
        if self.k != "auto":
            reason = f"k={self.k_} set by the user (case file); the criteria recommend {rec_k}: {reason}"
        self.recommendation_ = {"k": rec_k, "reason": reason}
        table = selection.table.copy()
        table["chosen"] = table["k"] == self.k_
        self.k_selection_ = dataclasses.replace(selection, table=table)

        clusterer = SegmentKMeans(self.k_, n_init=self.n_init, minibatch_threshold=self.minibatch_threshold,
                                  n_threads=self.n_threads, random_state=seed_fit)
        clusterer._set_fit(selection.fits[self.k_], n_rows=n)
        self.clusterer_ = clusterer
        self._finish(features)

    def _space(self, Z: np.ndarray) -> np.ndarray:
        return Z if self.pca_ is None else self.pca_.transform(Z)

    def _finish(self, features: pd.DataFrame) -> None:
        k = self.k_
        self.labels_ = self.clusterer_.labels_
        self.inertia_ = self.clusterer_.inertia_
        centers = self.clusterer_.cluster_centers_
        centers_z = centers if self.pca_ is None else self.pca_.inverse_transform(centers)
        index = pd.RangeIndex(k, name="segment")
        self.centers_scaled_ = pd.DataFrame(centers_z, index=index, columns=self.columns_)
        self.centers_ = pd.DataFrame(self.preprocessor_.inverse_transform(centers_z), index=index,
                                     columns=self.columns_)

        # high/low of each segment's mean against the overall mean, read off the profile
        # table (original units, missing values skipped): the mean cut of the 8-class
        # scheme. (In the log-scaled clustering space the overall mean is a geometric mean,
        # so a segment spending half the average could read "M high".)
        profile = segment_profile(features, self.labels_, columns=self.columns_)
        means = [f"{c}_mean" for c in self.columns_]
        by_segment = profile.iloc[:-1].set_index("segment")[means].reindex(range(k))
        high = pd.DataFrame(by_segment.to_numpy(float) > profile.iloc[-1][means].to_numpy(float),
                            index=pd.RangeIndex(k, name="segment"), columns=self.columns_)
        overall = profile.iloc[-1]
        spread = overall[[f"{c}_sd" for c in self.columns_]].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):  # a constant column: no trait
            z = (by_segment.to_numpy(float) - overall[means].to_numpy(float)) / np.where(spread > 0, spread, np.nan)
        standardized = pd.DataFrame(z, index=high.index, columns=self.columns_).dropna(axis=1)
        self.names_ = name_segments(high, names=self.names, rfm=self.rfm, standardized=standardized)

        profile["name"] = [*(self.names_[int(s)] for s in profile["segment"].iloc[:-1]), OVERALL]
        self.profile_ = profile
        self.anova_ = segment_anova(features, self.labels_, columns=self.columns_)
        row = self.k_selection_.table.set_index("k").loc[k]
        problems = []
        if not row["silhouette"] >= self.min_silhouette:
            problems.append(f"silhouette {row['silhouette']:.3f} < {self.min_silhouette:g}")
        if not row["silhouette_gain"] >= self.min_gain:
            problems.append(f"silhouette only {row['silhouette_gain']:+.3f} above a single Gaussian's "
                            f"({row['null_silhouette']:.3f}; needed +{self.min_gain:g})")
        if self.n_bootstrap and not row["stability_mean"] >= self.min_stability:
            problems.append(f"bootstrap ARI {row['stability_mean']:.3f} < {self.min_stability:g}")
        self.weak_ = bool(problems)
        if self.weak_:
            self.quality_ = (f"weak segmentation at k={k}: {' and '.join(problems)}; the segments are "
                             "not well separated or not reproducible, read them as a partition of a "
                             "continuum rather than distinct customer types")
        else:
            stab = "" if not self.n_bootstrap else f", bootstrap ARI {row['stability_mean']:.3f}"
            self.quality_ = f"clear segmentation at k={k}: silhouette {row['silhouette']:.3f}{stab}"

    # -- use ----------------------------------------------------------------------------

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Assign customers (e.g. next period's) to this fit's segments.

        The recorded fills, clip bounds, transforms, scaling and PCA of ``fit`` are
        applied, then each customer goes to the nearest centroid.

        Parameters
        ----------
        X : pandas.DataFrame
            With the clustered columns ``columns_``.

        Returns
        -------
        numpy.ndarray of int
            Segment per row, in this fit's numbering (see ``names_``).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self, "clusterer_")
        where = "CustomerSegmenter.predict"
        check_frame(X, where)
        with _threads(self.n_threads):
            Y = self._space(self.preprocessor_._transform(X, where))
            return _nearest(Y, self.clusterer_.cluster_centers_)

    def assign(self, features: pd.DataFrame) -> pd.DataFrame:
        """Segment number and name per customer, as a tidy frame.

        Parameters
        ----------
        features : pandas.DataFrame
            With ``customer_id`` and the clustered columns.

        Returns
        -------
        pandas.DataFrame
            ``customer_id``, ``segment`` and ``name`` (the code;
            :func:`workbench.labels.segment_label` gives its display text).
        """
        check_is_fitted(self, "clusterer_")
        if "customer_id" not in features.columns:
            raise ValueError("assign: features need a 'customer_id' column")
        seg = self.predict(features)
        out = pd.DataFrame({"customer_id": features["customer_id"].to_numpy(), "segment": seg,
                            "name": [self.names_[s] for s in seg]})
        return out


# ----------------------------------------------------------------------------------
# segmentation within groups (e.g. per industry)
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupedSegmentation:
    """Segmentations fitted separately within each group (e.g. industry).

    Attributes
    ----------
    by : str
        The grouping column.
    models : dict
        Group -> fitted :class:`CustomerSegmenter`.
    assignments : pandas.DataFrame
        ``customer_id`` (when present), ``<by>``, ``segment``, ``name``; one row per
        customer in the input order.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> features = pd.DataFrame({"customer_id": [f"c{i:02d}" for i in range(40)], "industry": ["food", "steel"] * 20,
    ...                          "frequency": np.r_[rng.poisson(2, 20), rng.poisson(12, 20)] + 1,
    ...                          "monetary_total": np.r_[rng.gamma(2, 50, 20), rng.gamma(2, 500, 20)]})
    >>> grouped = segment_by(features, "industry", columns=["frequency", "monetary_total"], k=2, n_bootstrap=2)
    >>> grouped.tables()["summary"][["industry", "n_customers", "k"]]
      industry  n_customers  k
    0     food           20  2
    1    steel           20  2
    """

    by: str
    models: dict
    assignments: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Selection, profile and ANOVA tables of every group, stacked with a ``by`` column.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``selection``, ``profile``, ``anova`` (each with the ``by`` column) and
            ``summary`` (per group: ``n_customers``, ``k``, ``weak``, ``quality``).
        """
        out = {}
        parts = {"selection": lambda m: m.k_selection_.table, "profile": lambda m: m.profile_,
                 "anova": lambda m: m.anova_}
        for key, part in parts.items():
            out[key] = pd.concat([part(m).assign(**{self.by: g}) for g, m in self.models.items()],
                                 ignore_index=True)
        out["summary"] = pd.DataFrame([{self.by: g, "n_customers": len(m.labels_), "k": m.k_,
                                        "weak": m.weak_, "quality": m.quality_}
                                       for g, m in self.models.items()])
        return out


def segment_by(features: pd.DataFrame, by: str, *, columns: Sequence[str] | None = None,
               **params) -> GroupedSegmentation:
    """Fit a :class:`CustomerSegmenter` within each group of ``by`` (the thesis' per-industry view).

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer with the grouping column (merge the customers table's
        ``industry`` first).
    by : str
        Grouping column; missing values are an error (never silently dropped).
    columns : sequence of str, optional
        As in :meth:`CustomerSegmenter.fit`.
    **params
        Parameters of :class:`CustomerSegmenter`, shared by every group.

    Returns
    -------
    GroupedSegmentation

    Raises
    ------
    ValueError
        When ``by`` is absent or missing for some customer, or a group has fewer than
        3 customers.

    Notes
    -----
    Each group is segmented on its own transforms, scaling and k, as the N company
    thesis classifies customers within each industry segment; segment numbers and names
    are therefore per group.

    References
    ----------
    As :class:`CustomerSegmenter`, within groups; ``tests/test_segmentation.py``
    checks that every customer is assigned once, in input order.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> features = pd.DataFrame({"customer_id": [f"c{i:02d}" for i in range(40)], "industry": ["food", "steel"] * 20,
    ...                          "frequency": np.r_[rng.poisson(2, 20), rng.poisson(12, 20)] + 1,
    ...                          "monetary_total": np.r_[rng.gamma(2, 50, 20), rng.gamma(2, 500, 20)]})
    >>> grouped = segment_by(features, "industry", columns=["frequency", "monetary_total"], k=2, n_bootstrap=2)
    >>> grouped.assignments.groupby("industry")["segment"].nunique().to_dict()
    {'food': 2, 'steel': 2}
    """
    where = "segment_by"
    check_frame(features, where)
    if by not in features.columns:
        raise ValueError(f"{where}: grouping column {by!r} not in features; present: {list(features.columns)}; "
                         "merge it from the customers table first")
    groups = features[by]
    if groups.isna().any():
        raise ValueError(f"{where}: column {by!r} is missing for {int(groups.isna().sum()):,} customer(s); "
                         "fill it (e.g. 'unknown') so no customer is dropped")
    models = {}
    seg = np.empty(len(features), dtype=np.int64)
    name = np.empty(len(features), dtype=object)
    for g in sorted(groups.unique(), key=str):
        mask = (groups == g).to_numpy()
        if mask.sum() < 3:
            raise ValueError(f"{where}: group {by}={g!r} has {int(mask.sum())} customer(s); at least 3 are "
                             "needed to segment it; merge small groups first")
        model = CustomerSegmenter(columns=columns, **params).fit(features.loc[mask])
        models[g] = model
        seg[mask] = model.labels_
        name[mask] = [model.names_[s] for s in model.labels_]
    assignments = pd.DataFrame({by: groups.to_numpy(), "segment": seg, "name": name.astype(str)})
    if "customer_id" in features.columns:
        assignments.insert(0, "customer_id", features["customer_id"].to_numpy())
    return GroupedSegmentation(by=by, models=models, assignments=assignments)
