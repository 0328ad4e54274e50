"""Preprocessing for customer segmentation: column choice, winsorising, log/asinh, scaling.

:class:`SegmentationPreprocessor` is a scikit-learn transformer: it takes a frame of
customer features, learns per column the fill, clip bounds, transform and scale, and
returns the scaled matrix, so it can stand first in a :class:`sklearn.pipeline.Pipeline`
(before PCA, k-means or any other clusterer).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils.validation import check_is_fitted

from workbench._validation import _check_choice as check_choice
from workbench.segmentation._checks import SKEW_LIMIT, check_frame, numeric_column

__all__ = ["DEFAULT_COLUMNS", "FILL_VALUES", "SegmentationPreprocessor"]

#: Behavioural columns of :func:`workbench.features.customer_features` clustered by
#: default (those present and usable).
DEFAULT_COLUMNS = (
    "recency_days",
    "frequency",
    "monetary_total",
    "monetary_mean",
    "tenure_days",
    "spend_trend",
)

#: Documented fills for missing values of default columns: a customer with fewer than
#: two active periods has no spending pattern to fit (NaN trend), counted as flat.
FILL_VALUES = {"spend_trend": 0.0}

TRANSFORMS = ("none", "log1p", "asinh")
#: Durations stay linear under "auto": the gap between 40 and 400 silent days is the
#: churn signal, and a log would stretch the recent end instead.
LINEAR_COLUMNS = ("recency_days", "tenure_days")
SCALERS = ("standard", "robust")
_KURTOSIS_LIMIT = 3.0  # excess kurtosis above this counts as heavy-tailed (signed columns)


class SegmentationPreprocessor(TransformerMixin, BaseEstimator):
    r"""Columns, fills, winsorising, per-column transforms and scaling, learned in ``fit``.

    Parameters
    ----------
    columns : sequence of str, optional
        Numeric columns to use; an unusable named column (absent, non-numeric, constant,
        missing values without a documented fill) is an error. Default: the
        :data:`DEFAULT_COLUMNS` that are present and usable, the others recorded in
        ``excluded_``.
    transforms : "auto" or dict, default "auto"
        Per-column transform, one of "none", "log1p", "asinh"; a dict names some
        columns and leaves the rest to the automatic rule (Notes).
    scaler : {"standard", "robust"}, default "standard"
        z-scores, or (x - median) / IQR.
    winsorize : float or (float, float), optional
        Clip each column at these lower/upper quantiles before transforming (0.01 means
        1 % and 99 %); the bounds are learned in ``fit``.

    Attributes
    ----------
    columns_ : list of str
        The columns used, in output order.
    excluded_ : dict
        Default column -> reason it was not used.
    transforms_ : pandas.DataFrame
        One row per column: ``column``, ``transform``, ``reason``, ``skewness``,
        ``n_filled``, ``fill_value``, ``clip_low``, ``clip_high``, ``center``, ``scale``.
    scaler_ : sklearn.preprocessing.StandardScaler or RobustScaler
        Fitted on the transformed columns.
    n_features_in_ : int
        Columns of the frame seen in ``fit``.
    feature_names_in_ : numpy.ndarray of str
        Their names.

    Notes
    -----
    Automatic transforms: durations (``recency_days``, ``tenure_days``) stay linear; any
    other non-negative column with sample skewness > 1 gets :math:`\log(1 + x)`; a
    column with negative values and \|skewness\| > 1 or excess kurtosis > 3 gets
    :math:`\operatorname{asinh}(x)` (log-like in both tails); otherwise none. The
    skewness is measured after winsorising.

    References
    ----------
    The transforms and scalers are numpy's and scikit-learn's; that the segmenter's
    numbers are unchanged by this class is checked by ``tests/test_segmentation.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.pipeline import make_pipeline
    >>> feats = pd.DataFrame({"frequency": [1, 2, 3, 40, 50, 60], "recency_days": [5, 6, 7, 300, 310, 320]})
    >>> pipe = make_pipeline(SegmentationPreprocessor(columns=["frequency", "recency_days"]),
    ...                      KMeans(2, n_init=10, random_state=0)).fit(feats)
    >>> pipe[0].get_feature_names_out().tolist()
    ['frequency', 'recency_days']
    >>> sorted(pipe.predict(feats).tolist())
    [0, 0, 0, 1, 1, 1]
    """

    def __init__(self, *, columns=None, transforms="auto", scaler="standard", winsorize=None):
        self.columns = columns
        self.transforms = transforms
        self.scaler = scaler
        self.winsorize = winsorize

    # -- parameters ---------------------------------------------------------------------

    def _check_params(self) -> tuple[float, float] | None:
        if self.transforms != "auto" and not isinstance(self.transforms, Mapping):
            raise TypeError(f"transforms={self.transforms!r}; use 'auto' or a dict column -> one of {TRANSFORMS}")
        if isinstance(self.transforms, Mapping):
            for c, t in self.transforms.items():
                check_choice(t, (*TRANSFORMS, "auto"), f"transforms[{c!r}]")
        check_choice(self.scaler, SCALERS, "scaler")
        w = self.winsorize
        if w is None:
            return None
        lo, hi = (w, 1 - w) if np.isscalar(w) else tuple(w)
        if not 0 <= lo < hi <= 1:
            raise ValueError(f"winsorize={w!r}; give a quantile in [0, 0.5) or (lower, upper) with "
                             "0 <= lower < upper <= 1")
        return float(lo), float(hi)

    # -- columns ------------------------------------------------------------------------

    def _select(self, features: pd.DataFrame, where: str) -> tuple[list[str], dict[str, str]]:
        excluded: dict[str, str] = {}
        columns = self.columns
        if columns is not None:
            columns = [columns] if isinstance(columns, str) else list(columns)
            missing = [c for c in columns if c not in features.columns]
            if missing:
                raise ValueError(f"{where}: column(s) {missing} not in features; present: "
                                 f"{list(features.columns)}")
            for c in columns:
                v = numeric_column(features, c, where)
                n_nan = int(np.isnan(v).sum())
                if n_nan and c not in FILL_VALUES:
                    raise ValueError(
                        f"{where}: column {c!r} has {n_nan:,} missing value(s) of {len(v):,}; "
                        "fill or filter them first (k-means needs a value for every customer)")
                v = np.where(np.isnan(v), FILL_VALUES.get(c, np.nan), v)
                if np.ptp(v) == 0:
                    raise ValueError(f"{where}: column {c!r} is constant ({v[0]!r} for all {len(v):,} "
                                     "customers); it cannot separate segments, leave it out")
            if not columns:
                raise ValueError(f"{where}: columns is empty; name at least one numeric column")
            return columns, excluded
        chosen = []
        for c in DEFAULT_COLUMNS:
            if c not in features.columns:
                excluded[c] = "absent from the features"
                continue
            v = numeric_column(features, c, where)
            n_nan = int(np.isnan(v).sum())
            if n_nan == len(v):
                excluded[c] = "all values missing"
                continue
            if n_nan and c not in FILL_VALUES:
                excluded[c] = f"{n_nan:,} of {len(v):,} values missing"
                continue
            v = np.where(np.isnan(v), FILL_VALUES.get(c, np.nan), v)
            if np.ptp(v) == 0:
                excluded[c] = f"constant ({v[0]:g})"
                continue
            chosen.append(c)
        if not chosen:
            raise ValueError(f"{where}: none of the default columns {list(DEFAULT_COLUMNS)} "
                             f"is usable ({excluded}); name numeric columns with columns=[...]")
        return chosen, excluded

    def _raw_matrix(self, features: pd.DataFrame, where: str) -> tuple[np.ndarray, np.ndarray]:
        missing = [c for c in self.columns_ if c not in features.columns]
        if missing:
            raise ValueError(f"{where}: column(s) {missing} used in fit are not in these features; "
                             f"present: {list(features.columns)}")
        X = np.empty((len(features), len(self.columns_)))
        n_filled = np.zeros(len(self.columns_), dtype=np.int64)
        for j, c in enumerate(self.columns_):
            v = numeric_column(features, c, where)
            nan = np.isnan(v)
            if nan.any():
                if c not in FILL_VALUES:
                    raise ValueError(f"{where}: column {c!r} has {int(nan.sum()):,} missing value(s); "
                                     "fill or filter them first")
                v = np.where(nan, FILL_VALUES[c], v)
                n_filled[j] = int(nan.sum())
            X[:, j] = v
        return X, n_filled

    # -- transforms ---------------------------------------------------------------------

    def _transform_raw(self, X: np.ndarray, where: str) -> np.ndarray:
        X = np.clip(X, self.transforms_["clip_low"].to_numpy(), self.transforms_["clip_high"].to_numpy())
        out = np.empty_like(X)
        for j, (c, t) in enumerate(zip(self.columns_, self.transforms_["transform"], strict=True)):
            if t == "log1p":
                if (X[:, j] <= -1).any():
                    raise ValueError(f"{where}: column {c!r} has {int((X[:, j] <= -1).sum()):,} value(s) "
                                     "<= -1, where log1p is undefined; use transforms={c!r: 'asinh'}")
                out[:, j] = np.log1p(X[:, j])
            elif t == "asinh":
                out[:, j] = np.arcsinh(X[:, j])
            else:
                out[:, j] = X[:, j]
        return out

    def _choose_transforms(self, X: np.ndarray) -> list[tuple[str, str, float]]:
        given = self.transforms if isinstance(self.transforms, Mapping) else {}
        unknown = [c for c in given if c not in self.columns_]
        if unknown:
            raise ValueError(f"transforms name column(s) {unknown} that are not clustered; "
                             f"clustered: {self.columns_}")
        out = []
        for j, c in enumerate(self.columns_):
            x = X[:, j]
            skew = float(stats.skew(x)) if np.ptp(x) > 0 else 0.0
            t = given.get(c, "auto")
            if t != "auto":
                out.append((t, "set by the user", skew))
                continue
            if c in LINEAR_COLUMNS:
                t, why = "none", "duration in days, kept linear"
            elif x.min() >= 0:
                t, why = ("log1p", f"skewness {skew:.2f} > {SKEW_LIMIT:g}") if skew > SKEW_LIMIT else (
                    "none", f"skewness {skew:.2f} <= {SKEW_LIMIT:g}")
            else:
                kurt = float(stats.kurtosis(x))
                if abs(skew) > SKEW_LIMIT or kurt > _KURTOSIS_LIMIT:
                    t, why = "asinh", f"signed, skewness {skew:.2f}, excess kurtosis {kurt:.1f}"
                else:
                    t, why = "none", f"signed, skewness {skew:.2f}, excess kurtosis {kurt:.1f}"
            out.append((t, why, skew))
        return out

    # -- fit / transform ----------------------------------------------------------------

    def fit(self, X: pd.DataFrame, y=None) -> SegmentationPreprocessor:
        """Choose the columns and learn fills, clip bounds, transforms and scaling.

        Parameters
        ----------
        X : pandas.DataFrame
            One row per customer (e.g. :func:`workbench.features.customer_features`).
        y : ignored

        Returns
        -------
        SegmentationPreprocessor
            self, fitted.

        Raises
        ------
        ValueError
            Named columns absent, constant, missing or infinite; no usable default
            column; a column of zero spread after robust scaling; bad parameters.
        TypeError
            Non-numeric columns, ``X`` not a DataFrame.
        """
        self._fit(X, f"{type(self).__name__}.fit")
        return self

    def fit_transform(self, X: pd.DataFrame, y=None) -> np.ndarray:
        """Fit, then return the scaled matrix of ``X`` (as ``fit(X).transform(X)``).

        Parameters
        ----------
        X : pandas.DataFrame
            One row per customer.
        y : ignored

        Returns
        -------
        numpy.ndarray
            Shape (customers, ``len(columns_)``), in the scaled space (unitless).
        """
        return self._fit(X, f"{type(self).__name__}.fit_transform")

    def _fit(self, X: pd.DataFrame, where: str) -> np.ndarray:
        """Fit and return the scaled matrix; ``where`` starts every error message."""
        bounds = self._check_params()
        check_frame(X, where)
        columns, excluded = self._select(X, where)
        self.columns_, self.excluded_ = columns, excluded
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        raw, n_filled = self._raw_matrix(X, where)
        if bounds is None:
            low, high = np.full(raw.shape[1], -np.inf), np.full(raw.shape[1], np.inf)
        else:
            low, high = np.quantile(raw, bounds, axis=0)
        chosen = self._choose_transforms(np.clip(raw, low, high))
        self.transforms_ = pd.DataFrame({
            "column": self.columns_,
            "transform": [t for t, _, _ in chosen],
            "reason": [why for _, why, _ in chosen],
            "skewness": [s for _, _, s in chosen],
            "n_filled": n_filled,
            "fill_value": [FILL_VALUES.get(c, np.nan) if f else np.nan
                           for c, f in zip(self.columns_, n_filled, strict=True)],
            "clip_low": low,
            "clip_high": high,
        })
        T = self._transform_raw(raw, where)
        scaler = (StandardScaler() if self.scaler == "standard" else RobustScaler()).fit(T)
        Z = scaler.transform(T)
        if not np.all(np.isfinite(Z)):
            bad = [c for c, ok in zip(self.columns_, np.isfinite(Z).all(axis=0), strict=True) if not ok]
            raise ValueError(f"{where}: column(s) {bad} have zero spread after {self.scaler} scaling "
                             "(e.g. an IQR of 0); use scaler='standard' or leave them out")
        self.scaler_ = scaler
        self.transforms_["center"] = scaler.mean_ if self.scaler == "standard" else scaler.center_
        self.transforms_["scale"] = scaler.scale_
        return Z

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """The scaled matrix: fills, clip bounds, transforms and scaling of ``fit``.

        Parameters
        ----------
        X : pandas.DataFrame
            With the columns ``columns_``.

        Returns
        -------
        numpy.ndarray
            Shape (customers, ``len(columns_)``), in the scaled space (unitless).
        """
        return self._transform(X, f"{type(self).__name__}.transform")

    def _transform(self, X: pd.DataFrame, where: str) -> np.ndarray:
        check_is_fitted(self, "scaler_")
        check_frame(X, where)
        raw, _ = self._raw_matrix(X, where)
        return self.scaler_.transform(self._transform_raw(raw, where))

    def inverse_transform(self, Z) -> np.ndarray:
        """Scaled values back to original units (undoing scaling and log1p/asinh).

        Parameters
        ----------
        Z : array-like
            Shape (n, ``len(columns_)``) in the scaled space, e.g. centroids.

        Returns
        -------
        numpy.ndarray
            Same shape, in the columns' own units (clipping is not undone).
        """
        check_is_fitted(self, "scaler_")
        back = self.scaler_.inverse_transform(np.asarray(Z, dtype=float))
        for j, t in enumerate(self.transforms_["transform"]):
            if t == "log1p":
                back[:, j] = np.expm1(back[:, j])
            elif t == "asinh":
                back[:, j] = np.sinh(back[:, j])
        return back

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the output columns: ``columns_``.

        Parameters
        ----------
        input_features : ignored
            Accepted for scikit-learn's API; the output columns are the chosen ones.

        Returns
        -------
        numpy.ndarray of str
        """
        check_is_fitted(self, "columns_")
        return np.asarray(self.columns_, dtype=object)
