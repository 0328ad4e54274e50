"""Customer segmentation by k-means, as a researcher would defend it and an analyst rerun it.

The pipeline of :class:`CustomerSegmenter`:

1. **Columns.** Behavioural features from :func:`workbench.features.customer_features`
   (by default :data:`DEFAULT_COLUMNS`, those present) or any numeric columns named by
   the user. A default column that is absent, entirely missing, constant or partly
   missing without a documented fill is excluded and the reason recorded in
   ``excluded_``; a column the user named explicitly gets an error instead.
2. **Transforms**, per column and recorded in ``transforms_``: optional winsorising at
   quantiles, then ``log1p`` for skewed non-negative columns (money, counts), ``asinh``
   for heavy-tailed signed ones (spend trend), then standard or robust scaling and
   optional PCA.
3. **Choice of k** over ``k_range`` (2..10 by default): inertia with its knee (Kneedle),
   silhouette (sampled above ``silhouette_sample`` customers, with a recorded seed),
   Calinski-Harabasz, Davies-Bouldin and bootstrap stability (adjusted Rand index).
   The recommended k is the one with the highest silhouette among the stable ones.
4. **Profiles and tests**: size, shares of customers, revenue and gross profit, feature
   means and SDs against the overall ones (the SPSS-style table); one-way ANOVA (F, p,
   eta squared) with a Kruskal-Wallis alternative per feature.
5. **Names** from each segment's high/low recency, frequency and monetary value against
   the overall means in original units (the Chinese RFM 8-class scheme with mean cuts, as
   the profile table shows them), overridable by rules from the case file.
6. **Quality verdict**: a low silhouette or an unstable k gives ``weak_ = True`` and a
   :class:`WeakSegmentationWarning` instead of confidently invented clusters.

Large data: above ``minibatch_threshold`` customers the k-means fits use
:class:`sklearn.cluster.MiniBatchKMeans` (recorded in ``algorithm_``); silhouette is
computed on a sample and the bootstrap refits on subsamples, so one million customers
take well under a minute on two cores (``benchmarks/bench_segmentation.py``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from workbench.labels import label
from workbench.value import EIGHT_CLASSES

__all__ = [
    "DEFAULT_COLUMNS",
    "FILL_VALUES",
    "RFM_CLASSES",
    "CustomerSegmenter",
    "GroupedSegmentation",
    "WeakSegmentationWarning",
    "profile_table",
    "rfm_class",
    "segment_anova",
    "segment_by",
    "segment_label",
    "segment_migration",
    "segment_profile",
    "segments_against_truth",
]

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

#: (R high, F high, M high) -> class code of the Chinese RFM 8-class scheme, the codes
#: of :data:`workbench.value.EIGHT_CLASSES` (重要价值客户 important_value, 重要发展客户
#: important_development, ... 一般挽留客户 general_winback). "R high" means *recent*,
#: i.e. recency in days below the mean.
RFM_CLASSES = {pattern: code for code, pattern in EIGHT_CLASSES.items()}

_TRANSFORMS = ("none", "log1p", "asinh")
#: Durations stay linear under "auto": the gap between 40 and 400 silent days is the
#: churn signal, and a log would stretch the recent end instead.
_LINEAR_COLUMNS = ("recency_days", "tenure_days")
_SCALERS = ("standard", "robust")
_SKEW_LIMIT = 1.0  # |sample skewness| above this counts as skewed
_KURTOSIS_LIMIT = 3.0  # excess kurtosis above this counts as heavy-tailed (signed columns)
_OVERALL = "overall"
_NEW, _ABSENT = "(new)", "(absent)"  # migration tokens shared with workbench.lifecycle
_NULL_SAMPLE = 2_000  # customers drawn from the Gaussian null reference
# MiniBatchKMeans batch: at 1M customers x 5 features, 16,384 converged in a third of the
# time of 4,096 (fewer Python-level steps) with equal inertia (benchmarks/README.md)
_MINIBATCH_SIZE = 16_384


class WeakSegmentationWarning(UserWarning):
    """The data show no convincing cluster structure at the chosen k."""


# ----------------------------------------------------------------------------------
# validation helpers
# ----------------------------------------------------------------------------------


def _check_frame(features, where: str) -> None:
    if not isinstance(features, pd.DataFrame):
        raise TypeError(f"{where}: features must be a pandas DataFrame (one row per customer), "
                        f"got {type(features).__name__}")
    if len(features) == 0:
        raise ValueError(f"{where}: features has no rows; segmentation needs customers")
    if "customer_id" in features.columns:
        dup = features["customer_id"].duplicated()
        if dup.any():
            raise ValueError(
                f"{where}: column 'customer_id' has {int(dup.sum()):,} duplicated value(s), e.g. "
                f"{features.loc[dup, 'customer_id'].iloc[0]!r}; features must have one row per customer"
            )


def _numeric_column(features: pd.DataFrame, col: str, where: str) -> np.ndarray:
    series = features[col]
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise TypeError(f"{where}: column {col!r} has dtype {series.dtype}; only numeric columns "
                        "can be clustered (encode categories first, or leave the column out)")
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    inf = np.isinf(values)
    if inf.any():
        raise ValueError(f"{where}: column {col!r} has {int(inf.sum()):,} infinite value(s); "
                         "features must be finite numbers")
    return values


def _check_labels(labels, n: int, where: str) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"{where}: labels must be one value per customer ({n:,}), got shape {labels.shape}")
    if pd.isna(labels).any():
        raise ValueError(f"{where}: labels have {int(pd.isna(labels).sum()):,} missing value(s)")
    return labels


def _check_choice(value, allowed, name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not supported; use one of {list(allowed)}")


# ----------------------------------------------------------------------------------
# profile, ANOVA, names, migration (plain functions)
# ----------------------------------------------------------------------------------


def segment_profile(
    features: pd.DataFrame,
    labels,
    columns: Sequence[str] | None = None,
    *,
    names: Mapping | None = None,
    revenue: str = "monetary_total",
    gross_profit: str = "gross_profit",
) -> pd.DataFrame:
    """Size, value and feature means ± SD per segment, with the overall row (SPSS style).

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    labels : array-like
        Segment of each customer (same order as ``features``).
    columns : sequence of str, optional
        Features to profile. Default: every numeric column except ``revenue`` and
        ``gross_profit`` (which get their own sums).
    names : mapping, optional
        Segment -> name; the ``name`` column is the segment as text otherwise.
    revenue, gross_profit : str
        Columns summed per segment (currency); skipped when absent.

    Returns
    -------
    pandas.DataFrame
        One row per segment (sorted by segment) and a last row ``name == "overall"``
        (``segment`` missing): ``segment``, ``name``, ``n_customers``,
        ``share_customers``, ``revenue``, ``share_revenue``, ``gross_profit``,
        ``share_gross_profit`` (when the columns exist and are not all missing), then ``<col>_mean`` and
        ``<col>_sd`` per feature.

    Notes
    -----
    ``share_x = x_segment / x_all``; means are arithmetic in the column's own units
    and SDs are sample SDs (ddof = 1; NaN for a one-customer segment), as in SPSS
    "Compare Means". Missing values are skipped per column.

    References
    ----------
    IBM SPSS Statistics, *Means* procedure (the table researchers expect). Checked
    against a hand-worked 6-customer table in ``tests/test_segmentation.py``.
    """
    where = "segment_profile"
    _check_frame(features, where)
    labels = _check_labels(labels, len(features), where)
    if columns is None:
        columns = [c for c in features.columns
                   if c not in (revenue, gross_profit, "customer_id")
                   and pd.api.types.is_numeric_dtype(features[c])
                   and not pd.api.types.is_bool_dtype(features[c])]
    missing = [c for c in columns if c not in features.columns]
    if missing:
        raise ValueError(f"{where}: column(s) {missing} not in features; present: {list(features.columns)}")
    frame = pd.DataFrame({c: _numeric_column(features, c, where) for c in columns}, index=features.index)
    # a money column that is entirely missing (no cost data, e.g. CDNOW) is left out
    money = [c for c in (revenue, gross_profit) if c in features.columns and features[c].notna().any()]
    for c in money:
        frame[c] = _numeric_column(features, c, where)
    frame["_segment"] = labels
    grouped = frame.groupby("_segment", sort=True)

    out = pd.DataFrame({"n_customers": grouped.size()})
    out["share_customers"] = out["n_customers"] / len(frame)
    for c, key in zip((revenue, gross_profit), ("revenue", "gross_profit"), strict=True):
        if c in money:
            out[key] = grouped[c].sum(min_count=1)
            total = frame[c].sum(min_count=1)
            out[f"share_{key}"] = out[key] / total if total else np.nan
    overall = {"n_customers": len(frame), "share_customers": 1.0}
    for key in ("revenue", "gross_profit"):
        if key in out.columns:
            overall[key] = out[key].sum(min_count=1)
            overall[f"share_{key}"] = 1.0
    for c in columns:
        out[f"{c}_mean"] = grouped[c].mean()
        out[f"{c}_sd"] = grouped[c].std(ddof=1)
        overall[f"{c}_mean"] = frame[c].mean()
        overall[f"{c}_sd"] = frame[c].std(ddof=1)
    segs = out.index.to_numpy()
    out = out.reset_index(drop=True)
    out.insert(0, "name", [str(names[s]) if names is not None else str(s) for s in segs])
    out.insert(0, "segment", pd.array(segs) if segs.dtype.kind not in "iu" else pd.array(segs, dtype="Int64"))
    row = pd.DataFrame([{"segment": pd.NA, "name": _OVERALL, **overall}])
    row["segment"] = row["segment"].astype(out["segment"].dtype)
    return pd.concat([out, row[out.columns]], ignore_index=True)


def profile_table(profile: pd.DataFrame, *, decimals: int = 2, lang: str | None = None) -> pd.DataFrame:
    """The profile as display text: "mean ± SD" per feature, shares in percent.

    Parameters
    ----------
    profile : pandas.DataFrame
        From :func:`segment_profile` (or ``CustomerSegmenter.profile_``).
    decimals : int
        Decimals of means and SDs.
    lang : {"zh", "en"}, optional
        Translate column names and segment names with :func:`segment_label`.

    Returns
    -------
    pandas.DataFrame
        One row per segment and the overall row, string cells: ``name``,
        ``n_customers``, the shares as percent (e.g. ``"41.2%"``) and one "mean ± SD"
        column per feature in its own units.

    References
    ----------
    No external reference; the display form of :func:`segment_profile` (the SPSS
    *Means* table researchers expect).
    """
    features = [c[:-5] for c in profile.columns if c.endswith("_mean")]
    out = pd.DataFrame({"name": profile["name"].to_numpy()})
    if lang is not None:
        out["name"] = [segment_label(n, lang) for n in out["name"]]
    out["n_customers"] = profile["n_customers"].map("{:,.0f}".format).to_numpy()
    for key in ("share_customers", "share_revenue", "share_gross_profit"):
        if key in profile.columns:
            out[key] = profile[key].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%").to_numpy()
    for c in features:
        m, s = profile[f"{c}_mean"].to_numpy(), profile[f"{c}_sd"].to_numpy()
        out[c] = [f"{a:,.{decimals}f}" + ("" if np.isnan(b) else f" ± {b:,.{decimals}f}")
                  for a, b in zip(m, s, strict=True)]
    if lang is not None:
        out = out.rename(columns={c: label("segment_name" if c == "name" else c, lang) for c in out.columns})
    return out


def segment_anova(features: pd.DataFrame, labels, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One-way ANOVA and Kruskal-Wallis test of each feature across segments.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    labels : array-like
        Segment of each customer.
    columns : sequence of str, optional
        Features to test; default every numeric column except ``customer_id``.

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``feature``, ``F``, ``df_between``, ``df_within``,
        ``p_anova``, ``eta_squared``, ``H``, ``p_kruskal``, ``epsilon_squared``,
        ``skewness`` and ``suggested_test`` ("kruskal" when \\|skewness\\| > 1, else
        "anova"). Customers with a missing value are left out of that feature's test
        only (``n`` says how many took part).

    Notes
    -----
    With g segments, n customers, segment sizes n_j, means :math:`\\bar y_j` and grand
    mean :math:`\\bar y`: :math:`SS_B = \\sum_j n_j (\\bar y_j - \\bar y)^2`,
    :math:`SS_W = \\sum_j \\sum_i (y_{ij} - \\bar y_j)^2`,
    :math:`F = \\frac{SS_B / (g - 1)}{SS_W / (n - g)}`,
    :math:`\\eta^2 = SS_B / (SS_B + SS_W)`.
    Kruskal-Wallis H is tie-corrected (:func:`scipy.stats.kruskal`);
    :math:`\\varepsilon^2 = (H - g + 1) / (n - g)` (Tomczak & Tomczak 2014).
    Tests run on the features in their own units, as SPSS users do; segments found by
    k-means on the same features differ by construction, so p-values describe the
    profile, not a confirmatory test.

    References
    ----------
    F and p checked against :func:`scipy.stats.f_oneway` and ``statsmodels``
    ``anova_lm`` (type II), H against :func:`scipy.stats.kruskal`, in
    ``tests/test_segmentation.py``.
    Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates
    revisited. Trends in Sport Sciences, 21(1), 19-25.
    """
    where = "segment_anova"
    _check_frame(features, where)
    labels = _check_labels(labels, len(features), where)
    if columns is None:
        columns = [c for c in features.columns if c != "customer_id"
                   and pd.api.types.is_numeric_dtype(features[c])
                   and not pd.api.types.is_bool_dtype(features[c])]
    codes, uniques = pd.factorize(labels, sort=True)
    g = len(uniques)
    if g < 2:
        raise ValueError(f"{where}: labels hold {g} segment; ANOVA needs at least 2")
    rows = []
    for c in columns:
        if c not in features.columns:
            raise ValueError(f"{where}: column {c!r} not in features; present: {list(features.columns)}")
        y = _numeric_column(features, c, where)
        ok = ~np.isnan(y)
        yc, cc = y[ok], codes[ok]
        n = len(yc)
        counts = np.bincount(cc, minlength=g)
        sums = np.bincount(cc, weights=yc, minlength=g)
        present = counts > 0
        means = np.divide(sums, counts, out=np.zeros(g), where=present)
        grand = yc.mean() if n else np.nan
        ss_between = float(np.sum(counts * (means - grand) ** 2))
        ss_within = float(np.sum((yc - means[cc]) ** 2))
        g_eff = int(present.sum())
        df_b, df_w = g_eff - 1, n - g_eff
        if df_b < 1 or df_w < 1 or ss_within + ss_between == 0:
            f_stat = p_f = eta = h = p_h = eps = np.nan
        else:
            f_stat = (ss_between / df_b) / (ss_within / df_w) if ss_within > 0 else np.inf
            p_f = float(stats.f.sf(f_stat, df_b, df_w))
            eta = ss_between / (ss_between + ss_within)
            groups = [yc[cc == j] for j in np.flatnonzero(present)]
            h, p_h = stats.kruskal(*groups)
            eps = (h - g_eff + 1) / (n - g_eff)
        skew = float(stats.skew(yc, bias=False)) if n > 2 and np.ptp(yc) > 0 else np.nan
        rows.append({
            "feature": c, "n": n, "F": f_stat, "df_between": df_b, "df_within": df_w,
            "p_anova": p_f, "eta_squared": eta, "H": float(h), "p_kruskal": float(p_h),
            "epsilon_squared": eps, "skewness": skew,
            "suggested_test": "kruskal" if abs(skew) > _SKEW_LIMIT else "anova",
        })
    return pd.DataFrame(rows)


def rfm_class(recent: bool, frequent: bool, monetary: bool) -> str:
    """The 8-class RFM code of a high/low pattern (see :data:`RFM_CLASSES`).

    Parameters
    ----------
    recent : bool
        R high: bought more recently than average (recency in days below the mean).
    frequent : bool
        F high: more purchases than average.
    monetary : bool
        M high: more spend than average.

    Returns
    -------
    str
        e.g. ``"important_value"`` (重要价值客户), as in :data:`workbench.value.EIGHT_CLASSES`.

    References
    ----------
    The Chinese 8-class RFM scheme of :func:`workbench.value.rfm_eight_classes`;
    ``tests/test_segmentation.py`` checks that the codes are the value module's.

    Examples
    --------
    >>> rfm_class(recent=True, frequent=False, monetary=True)  # 重要发展客户
    'important_development'
    """
    return RFM_CLASSES[(bool(recent), bool(frequent), bool(monetary))]


_SUFFIX = re.compile(r"^(.*)_(\d+)$")


def segment_label(name: str, lang: str = "en") -> str:
    """Display label of a segment name, with its disambiguating number.

    ``"important_value_2"`` (the second segment that profiles as important value) reads
    "Important value (2)" / "重要价值客户 (2)"; unknown names pass through.

    Parameters
    ----------
    name : str
        A segment name code, e.g. from ``CustomerSegmenter.names_``.
    lang : {"zh", "en"}

    Returns
    -------
    str

    References
    ----------
    No external reference; reads the zh/en label table of :mod:`workbench.labels`.

    Examples
    --------
    >>> segment_label("important_value_2", "zh")
    '重要价值客户 (2)'
    """
    name = str(name)
    text = label(name, lang)
    if text != name:
        return text
    match = _SUFFIX.match(name)
    if match and label(match.group(1), lang) != match.group(1):
        return f"{label(match.group(1), lang)} ({match.group(2)})"
    return name


def segments_against_truth(assignments: pd.DataFrame, truth: pd.DataFrame, *,
                           segment: str = "name") -> tuple[float, pd.DataFrame]:
    """How well the segments recover known segments (generated data).

    Parameters
    ----------
    assignments : pandas.DataFrame
        ``customer_id`` and the ``segment`` column (e.g. :meth:`CustomerSegmenter.assign`).
    truth : pandas.DataFrame
        ``customer_id`` and ``segment``, one row per customer (the ``truth_segments``
        table of :func:`workbench.datasets.make_ncompany`).
    segment : str, default "name"
        The column of ``assignments`` to compare.

    Returns
    -------
    (float, pandas.DataFrame)
        The adjusted Rand index (1 = the same partition, about 0 = chance) and the
        cross-table of true segment (rows) by found segment (columns), counts.

    Raises
    ------
    ValueError
        When a customer of ``assignments`` has no true segment.

    References
    ----------
    Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of Classification,
    2(1), 193-218 (adjusted Rand index; :func:`sklearn.metrics.adjusted_rand_score`).
    """
    true = truth.set_index("customer_id")["segment"].reindex(assignments["customer_id"])
    if true.isna().any():
        raise ValueError(f"segments_against_truth: {int(true.isna().sum()):,} customer(s) have no true "
                         f"segment, e.g. {true.index[true.isna()][0]!r}")
    found = assignments[segment].to_numpy()
    table = pd.crosstab(pd.Series(true.to_numpy(), name="truth"), pd.Series(found, name="found"))
    return float(adjusted_rand_score(true.to_numpy(), found)), table


def segment_migration(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    *,
    on: str = "customer_id",
    segment: str = "name",
    normalize: bool = False,
) -> pd.DataFrame:
    """Migration matrix of customers between two periods' segments.

    Parameters
    ----------
    previous, current : pandas.DataFrame
        Assignments with columns ``on`` and ``segment`` (e.g. from
        :meth:`CustomerSegmenter.assign`), one row per customer.
    on : str
        Customer key.
    segment : str
        Column holding the segment (name or number).
    normalize : bool
        Row shares (each previous segment sums to 1) instead of counts.

    Returns
    -------
    pandas.DataFrame
        Rows: previous segments and ``"(new)"`` (customers only in ``current``);
        columns: current segments and ``"(absent)"`` (customers only in ``previous``),
        the tokens of :func:`workbench.lifecycle.migration_matrix`.
        Every customer of either frame is counted exactly once.

    Notes
    -----
    :math:`N_{ij}` = customers in segment *i* before and *j* now; with ``normalize``
    the row shares :math:`N_{ij} / \\sum_j N_{ij}` (0-1), the transition
    probabilities of a Markov-chain migration model.

    References
    ----------
    Pfeifer, P. E., & Carraway, R. L. (2000). Modeling customer relationships as Markov
    chains. Journal of Interactive Marketing, 14(2), 43-55. ``tests/test_segmentation.py``
    checks that every customer is counted once and new customers form the ``(new)`` row.

    Examples
    --------
    >>> prev = pd.DataFrame({"customer_id": ["a", "b", "c"], "name": ["x", "x", "y"]})
    >>> cur = pd.DataFrame({"customer_id": ["a", "b", "d"], "name": ["x", "y", "y"]})
    >>> table = segment_migration(prev, cur)
    >>> table.columns.tolist(), table.loc["x"].tolist(), table.loc["(new)"].tolist()
    (['x', 'y', '(absent)'], [1, 1, 0], [0, 1, 0])
    """
    where = "segment_migration"
    for frame, which in ((previous, "previous"), (current, "current")):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{where}: {which} must be a DataFrame, got {type(frame).__name__}")
        missing = [c for c in (on, segment) if c not in frame.columns]
        if missing:
            raise ValueError(f"{where}: {which} lacks column(s) {missing}; present: {list(frame.columns)}")
        if frame[on].duplicated().any():
            raise ValueError(f"{where}: {which} has {int(frame[on].duplicated().sum()):,} duplicated "
                             f"'{on}' value(s); one row per customer is needed")
    prev = previous.set_index(on)[segment].astype(str)
    cur = current.set_index(on)[segment].astype(str)
    ids = prev.index.union(cur.index)
    before = prev.reindex(ids).fillna(_NEW).to_numpy()
    after = cur.reindex(ids).fillna(_ABSENT).to_numpy()
    rows = [*sorted(set(prev.to_numpy()), key=_natural), _NEW]
    cols = [*sorted(set(cur.to_numpy()), key=_natural), _ABSENT]
    table = pd.crosstab(pd.Series(before, name="previous"), pd.Series(after, name="current"))
    table = table.reindex(index=rows, columns=cols, fill_value=0)
    if normalize:
        sums = table.sum(axis=1).replace(0, np.nan)
        table = table.div(sums, axis=0)
    return table


def _natural(text: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _rfm_names(high: pd.DataFrame, rfm: Sequence[str]) -> dict[int, str] | None:
    """RFM class per cluster from a cluster x column frame of 'above the mean' flags."""
    r, f, m = rfm
    if not all(c in high.columns for c in rfm):
        return None
    return {int(s): rfm_class(not high.at[s, r], high.at[s, f], high.at[s, m]) for s in high.index}


def _apply_rules(high: pd.DataFrame, rules, defaults: dict[int, str] | None) -> dict[int, str]:
    names = {}
    for s in high.index:
        chosen = None
        for rule in rules:
            when = rule["when"]
            if all(bool(high.at[s, c]) == (v == "high") for c, v in when.items()):
                chosen = str(rule["name"])
                break
        names[int(s)] = chosen or (defaults[int(s)] if defaults else f"segment_{int(s) + 1}")
    return names


def _disambiguate(names: dict[int, str]) -> dict[int, str]:
    """Number repeated names in cluster order (clusters are numbered by size)."""
    counts = pd.Series(names).value_counts()
    seen: dict[str, int] = {}
    out = {}
    for s in sorted(names):
        n = names[s]
        if counts[n] > 1:
            seen[n] = seen.get(n, 0) + 1
            out[s] = f"{n}_{seen[n]}"
        else:
            out[s] = n
    return out


def _check_rules(names, columns: Sequence[str]):
    if names is None or isinstance(names, Mapping):
        return
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError("names must be None (RFM 8-class names), a mapping {segment: name} or a list "
                        "of rules like {'name': 'vip', 'when': {'monetary_total': 'high'}}")
    for i, rule in enumerate(names):
        if not isinstance(rule, Mapping) or set(rule) != {"name", "when"}:
            raise ValueError(f"names rule {i}: {rule!r}; a rule is {{'name': ..., 'when': {{column: "
                             "'high' | 'low'}}}")
        for c, v in rule["when"].items():
            if c not in columns:
                raise ValueError(f"names rule {i} ({rule['name']!r}): column {c!r} is not clustered; "
                                 f"use one of {list(columns)}")
            if v not in ("high", "low"):
                raise ValueError(f"names rule {i} ({rule['name']!r}): {c}={v!r}; use 'high' or 'low'")


# ----------------------------------------------------------------------------------
# the estimator
# ----------------------------------------------------------------------------------


def _threads(n_threads):
    return nullcontext() if n_threads is None else threadpool_limits(limits=int(n_threads))


def _knee(ks: np.ndarray, inertia: np.ndarray) -> int | None:
    """Elbow of the inertia curve: the k farthest below the chord from first to last k.

    Both axes are scaled to [0, 1]; on a decreasing convex curve the point with the
    largest vertical gap to the chord is the Kneedle knee (Satopaa et al. 2011) without
    its online threshold, and the tests check the two agree (``kneed.KneeLocator``).
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


@dataclass(frozen=True)
class _Fit:
    k: int
    centers: np.ndarray
    labels: np.ndarray
    inertia: float


class CustomerSegmenter:
    """k-means customer segmentation with recorded transforms, choice of k and stability.

    Parameters
    ----------
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
        16,384 customers).
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
    columns_ : list of str
        Clustered columns.
    excluded_ : dict
        Column -> reason it was not clustered.
    transforms_ : pandas.DataFrame
        One row per clustered column: ``transform``, ``reason``, ``skewness``,
        ``n_filled``, ``fill_value``, ``clip_low``, ``clip_high``, ``center``, ``scale``.
    selection_ : pandas.DataFrame
        One row per k: ``k``, ``inertia``, ``silhouette``, ``null_silhouette``,
        ``silhouette_gain``, ``calinski_harabasz``, ``davies_bouldin``,
        ``stability_mean``, ``stability_sd``, ``knee``, ``recommended``, ``chosen``;
        ``attrs`` record the silhouette sample and seed.
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
    :math:`\\log(1 + x)`; a column with negative values and \\|skewness\\| > 1 or
    excess kurtosis > 3 gets :math:`\\operatorname{asinh}(x)` (log-like in both
    tails); otherwise none.

    Criteria per k: inertia :math:`W_k = \\sum_i \\lVert x_i - c_{l_i} \\rVert^2`;
    silhouette :math:`s = \\operatorname{mean}_i (b_i - a_i)/\\max(a_i, b_i)`
    (Rousseeuw 1987); Calinski-Harabasz :math:`\\frac{B_k/(k-1)}{W_k/(n-k)}`;
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
    """

    def __init__(
        self,
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

    def _check_params(self) -> list[int]:
        lo_hi = self.k_range
        if (not isinstance(lo_hi, Sequence) or len(lo_hi) != 2
                or not all(isinstance(v, (int, np.integer)) for v in lo_hi) or not 2 <= lo_hi[0] <= lo_hi[1]):
            raise ValueError(f"k_range={lo_hi!r}; give (smallest, largest) k with 2 <= smallest <= largest")
        ks = list(range(int(lo_hi[0]), int(lo_hi[1]) + 1))
        if self.k != "auto":
            if not isinstance(self.k, (int, np.integer)) or isinstance(self.k, bool) or self.k < 2:
                raise ValueError(f"k={self.k!r}; use 'auto' or an integer >= 2")
            ks = sorted(set(ks) | {int(self.k)})
        if self.transforms != "auto" and not isinstance(self.transforms, Mapping):
            raise TypeError(f"transforms={self.transforms!r}; use 'auto' or a dict column -> one of {_TRANSFORMS}")
        if isinstance(self.transforms, Mapping):
            for c, t in self.transforms.items():
                _check_choice(t, (*_TRANSFORMS, "auto"), f"transforms[{c!r}]")
        _check_choice(self.scaler, _SCALERS, "scaler")
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

    def _winsor_bounds(self) -> tuple[float, float] | None:
        w = self.winsorize
        if w is None:
            return None
        lo, hi = (w, 1 - w) if np.isscalar(w) else tuple(w)
        if not 0 <= lo < hi <= 1:
            raise ValueError(f"winsorize={w!r}; give a quantile in [0, 0.5) or (lower, upper) with "
                             "0 <= lower < upper <= 1")
        return float(lo), float(hi)

    # -- columns and transforms ---------------------------------------------------------

    def _select(self, features: pd.DataFrame, columns) -> tuple[list[str], dict[str, str]]:
        where = "CustomerSegmenter.fit"
        excluded: dict[str, str] = {}
        if columns is not None:
            columns = [columns] if isinstance(columns, str) else list(columns)
            missing = [c for c in columns if c not in features.columns]
            if missing:
                raise ValueError(f"{where}: column(s) {missing} not in features; present: "
                                 f"{list(features.columns)}")
            for c in columns:
                v = _numeric_column(features, c, where)
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
            v = _numeric_column(features, c, where)
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
            raise ValueError(f"CustomerSegmenter.fit: none of the default columns {list(DEFAULT_COLUMNS)} "
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
            v = _numeric_column(features, c, where)
            nan = np.isnan(v)
            if nan.any():
                if c not in FILL_VALUES:
                    raise ValueError(f"{where}: column {c!r} has {int(nan.sum()):,} missing value(s); "
                                     "fill or filter them first")
                v = np.where(nan, FILL_VALUES[c], v)
                n_filled[j] = int(nan.sum())
            X[:, j] = v
        return X, n_filled

    def _transform_raw(self, X: np.ndarray, where: str) -> np.ndarray:
        X = np.clip(X, self._clip_low, self._clip_high)
        out = np.empty_like(X)
        for j, (c, t) in enumerate(zip(self.columns_, self._transform_list, strict=True)):
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
            if c in _LINEAR_COLUMNS:
                t, why = "none", "duration in days, kept linear"
            elif x.min() >= 0:
                t, why = ("log1p", f"skewness {skew:.2f} > {_SKEW_LIMIT:g}") if skew > _SKEW_LIMIT else (
                    "none", f"skewness {skew:.2f} <= {_SKEW_LIMIT:g}")
            else:
                kurt = float(stats.kurtosis(x))
                if abs(skew) > _SKEW_LIMIT or kurt > _KURTOSIS_LIMIT:
                    t, why = "asinh", f"signed, skewness {skew:.2f}, excess kurtosis {kurt:.1f}"
                else:
                    t, why = "none", f"signed, skewness {skew:.2f}, excess kurtosis {kurt:.1f}"
            out.append((t, why, skew))
        return out

    def _scaled(self, features: pd.DataFrame, where: str) -> np.ndarray:
        X, _ = self._raw_matrix(features, where)
        return self._scaler.transform(self._transform_raw(X, where))

    def _space(self, Z: np.ndarray) -> np.ndarray:
        return Z if self.pca_ is None else self.pca_.transform(Z)

    # -- k-means ------------------------------------------------------------------------

    def _kmeans(self, k: int, n: int, seed: int, n_init: int):
        if n > self.minibatch_threshold:
            return MiniBatchKMeans(k, init="k-means++", n_init=n_init, batch_size=_MINIBATCH_SIZE,
                                   random_state=seed)
        return KMeans(k, init="k-means++", n_init=n_init, random_state=seed)

    def _fit_k(self, Y: np.ndarray, k: int, seed: int, n_init: int) -> _Fit:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = self._kmeans(k, len(Y), seed, n_init).fit(Y)
        labels = model.labels_ if isinstance(model, KMeans) else model.predict(Y)
        return _Fit(k, model.cluster_centers_, np.asarray(labels), float(model.inertia_))

    @staticmethod
    def _null_sample(Y: np.ndarray, seed: int) -> np.ndarray:
        """A structureless reference: one Gaussian with the data's mean and covariance."""
        rng = np.random.default_rng(seed)
        size = min(len(Y), _NULL_SAMPLE)
        cov = np.atleast_2d(np.cov(Y, rowvar=False))
        return rng.multivariate_normal(Y.mean(axis=0), cov, size=size, method="eigh")

    @staticmethod
    def _null_silhouette(null: np.ndarray, k: int, seed: int, n_init: int) -> float:
        if k >= len(null):
            return np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            labels = KMeans(k, n_init=n_init, random_state=seed).fit_predict(null)
        return float(silhouette_score(null, labels)) if len(np.unique(labels)) > 1 else np.nan

    def _stability(self, Y, k, ref_labels, ref_idx, m, seeds, n_init) -> np.ndarray:
        rng_seeds = seeds
        Yref = Y[ref_idx]
        aris = np.empty(len(rng_seeds))
        for b, seed in enumerate(rng_seeds):
            rng = np.random.default_rng(seed)
            idx = rng.integers(0, len(Y), size=m)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model = KMeans(k, n_init=n_init, random_state=int(seed) % (2**31)).fit(Y[idx])
            aris[b] = adjusted_rand_score(ref_labels, model.predict(Yref))
        return aris

    # -- fit ----------------------------------------------------------------------------

    def fit(self, features: pd.DataFrame, columns: Sequence[str] | None = None, y=None):
        """Transform, compare k, fit the chosen k, profile and name the segments.

        Parameters
        ----------
        features : pandas.DataFrame
            One row per customer (e.g. :func:`workbench.features.customer_features`).
        columns : sequence of str, optional
            Numeric columns to cluster; default :data:`DEFAULT_COLUMNS` that are usable.
        y : ignored

        Returns
        -------
        CustomerSegmenter
            self, fitted.

        Raises
        ------
        ValueError
            Fewer than two customers, fewer distinct customers than k, constant,
            missing or infinite values in named columns, bad parameters.
        TypeError
            Non-numeric columns, features not a DataFrame.
        """
        if self.n_threads is not None and (not isinstance(self.n_threads, (int, np.integer)) or self.n_threads < 1):
            raise ValueError(f"n_threads={self.n_threads!r}; use a positive integer or None")
        with _threads(self.n_threads):
            return self._fit(features, columns)

    def _fit(self, features, columns):
        where = "CustomerSegmenter.fit"
        ks = self._check_params()
        bounds = self._winsor_bounds()
        _check_frame(features, where)
        n = len(features)
        if n < 3:
            raise ValueError(f"{where}: only {n} customer(s); segmentation needs at least 3 customers "
                             "(2 segments and a comparison)")
        rs = check_random_state(self.random_state)
        seed_fit, seed_sil, seed_ref, seed_boot = (int(s) for s in rs.randint(0, 2**31 - 1, size=4))

        self.columns_, self.excluded_ = self._select(features, columns)
        _check_rules(self.names, self.columns_)
        if self.rfm is not None and len(self.rfm) != 3:
            raise ValueError(f"rfm={self.rfm!r}; give the (recency, frequency, monetary) column names")
        X, n_filled = self._raw_matrix(features, where)
        if bounds is None:
            self._clip_low = np.full(X.shape[1], -np.inf)
            self._clip_high = np.full(X.shape[1], np.inf)
        else:
            self._clip_low, self._clip_high = np.quantile(X, bounds, axis=0)
        chosen = self._choose_transforms(np.clip(X, self._clip_low, self._clip_high))
        self._transform_list = [t for t, _, _ in chosen]
        T = self._transform_raw(X, where)
        self._scaler = (StandardScaler() if self.scaler == "standard" else RobustScaler()).fit(T)
        Z = self._scaler.transform(T)
        if not np.all(np.isfinite(Z)):
            bad = [c for c, ok in zip(self.columns_, np.isfinite(Z).all(axis=0), strict=True) if not ok]
            raise ValueError(f"{where}: column(s) {bad} have zero spread after {self.scaler} scaling "
                             "(e.g. an IQR of 0); use scaler='standard' or leave them out")
        center = self._scaler.mean_ if self.scaler == "standard" else self._scaler.center_
        self.transforms_ = pd.DataFrame({
            "column": self.columns_,
            "transform": self._transform_list,
            "reason": [why for _, why, _ in chosen],
            "skewness": [s for _, _, s in chosen],
            "n_filled": n_filled,
            "fill_value": [FILL_VALUES.get(c, np.nan) if f else np.nan
                           for c, f in zip(self.columns_, n_filled, strict=True)],
            "clip_low": self._clip_low,
            "clip_high": self._clip_high,
            "center": center,
            "scale": self._scaler.scale_,
        })
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
        ks = usable

        big = n > self.minibatch_threshold
        self.algorithm_ = "MiniBatchKMeans" if big else "KMeans"
        self.algorithm_reason_ = (f"{n:,} customers {'>' if big else '<='} minibatch_threshold "
                                  f"{self.minibatch_threshold:,}")
        n_init = (10 if n <= 5_000 else 3) if self.n_init == "auto" else int(self.n_init)
        n_init_boot = min(n_init, 3)
        m = min(n, self.stability_sample)
        ref_idx = (np.arange(n) if m == n
                   else np.sort(np.random.default_rng(seed_ref).choice(n, size=m, replace=False)))
        boot_seeds = np.random.SeedSequence(seed_boot).generate_state(max(self.n_bootstrap, 1))
        sil_n = min(n, self.silhouette_sample)
        null = self._null_sample(Y, seed_ref)

        fits, rows = {}, []
        for k in ks:
            fit = self._fit_k(Y, k, seed_fit, n_init)
            fits[k] = fit
            n_found = len(np.unique(fit.labels))
            if n_found < 2:
                sil = ch = db = np.nan
            else:
                sil = float(silhouette_score(Y, fit.labels, sample_size=sil_n if sil_n < n else None,
                                             random_state=seed_sil))
                ch = float(calinski_harabasz_score(Y, fit.labels))
                db = float(davies_bouldin_score(Y, fit.labels))
            if self.n_bootstrap:
                aris = self._stability(Y, k, fit.labels[ref_idx], ref_idx, m, boot_seeds, n_init_boot)
                st_mean, st_sd = float(aris.mean()), float(aris.std(ddof=1)) if len(aris) > 1 else np.nan
            else:
                st_mean = st_sd = np.nan
            null_sil = self._null_silhouette(null, k, seed_sil, n_init_boot)
            rows.append({"k": k, "inertia": fit.inertia, "silhouette": sil, "null_silhouette": null_sil,
                         "silhouette_gain": sil - null_sil, "calinski_harabasz": ch,
                         "davies_bouldin": db, "stability_mean": st_mean, "stability_sd": st_sd})
        sel = pd.DataFrame(rows)
        knee = _knee(sel["k"].to_numpy(), sel["inertia"].to_numpy())
        sel["knee"] = sel["k"] == knee
        rec_k, reason = self._recommend(sel, knee)
        self.k_ = rec_k if self.k == "auto" else int(self.k)
        if self.k != "auto":
            reason = f"k={self.k_} set by the user (case file); the criteria recommend {rec_k}: {reason}"
        self.recommendation_ = {"k": rec_k, "reason": reason}
        sel["recommended"] = sel["k"] == rec_k
        sel["chosen"] = sel["k"] == self.k_
        sel.attrs.update({"silhouette_sample": sil_n, "silhouette_seed": seed_sil,
                          "n_bootstrap": int(self.n_bootstrap), "stability_sample": m,
                          "algorithm": self.algorithm_, "n_init": n_init,
                          "null_sample": len(null)})
        self.selection_ = sel

        self._finish(features, fits[self.k_])
        return self

    def _recommend(self, sel: pd.DataFrame, knee) -> tuple[int, str]:
        stable = sel[sel["stability_mean"] >= self.min_stability]
        pool = stable if len(stable) else sel
        if pool["silhouette"].notna().any():
            best = pool.loc[pool["silhouette"].idxmax()]
        else:
            best = pool.iloc[0]
        k = int(best["k"])
        if self.n_bootstrap == 0:
            why = f"highest silhouette ({best['silhouette']:.3f}); stability not computed"
        elif len(stable):
            why = (f"highest silhouette ({best['silhouette']:.3f}) among the stable k "
                   f"(bootstrap ARI >= {self.min_stability:g}: {', '.join(map(str, stable['k']))})")
        else:
            why = (f"highest silhouette ({best['silhouette']:.3f}); no k is stable "
                   f"(bootstrap ARI < {self.min_stability:g} for all)")
        extra = []
        if knee is not None:
            extra.append(f"elbow of inertia at k={knee}")
        if sel["calinski_harabasz"].notna().any():
            extra.append(f"Calinski-Harabasz highest at k={int(sel.loc[sel['calinski_harabasz'].idxmax(), 'k'])}")
        if sel["davies_bouldin"].notna().any():
            extra.append(f"Davies-Bouldin lowest at k={int(sel.loc[sel['davies_bouldin'].idxmin(), 'k'])}")
        return k, f"k={k}: {why}" + ("; " + "; ".join(extra) if extra else "")

    def _finish(self, features, fit: _Fit) -> None:
        k = fit.k
        counts = np.bincount(fit.labels, minlength=k)
        # segments numbered by size (largest first), ties by the centroid's coordinates
        order = sorted(range(k), key=lambda j: (-counts[j], *np.round(fit.centers[j], 12)))
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(k)
        self._centers = fit.centers[order]
        self.labels_ = rank[fit.labels]
        self.inertia_ = fit.inertia
        centers_z = self._centers if self.pca_ is None else self.pca_.inverse_transform(self._centers)
        index = pd.RangeIndex(k, name="segment")
        self.centers_scaled_ = pd.DataFrame(centers_z, index=index, columns=self.columns_)
        back = self._scaler.inverse_transform(centers_z)
        for j, t in enumerate(self._transform_list):
            if t == "log1p":
                back[:, j] = np.expm1(back[:, j])
            elif t == "asinh":
                back[:, j] = np.sinh(back[:, j])
        self.centers_ = pd.DataFrame(back, index=index, columns=self.columns_)

        # high/low of each segment's mean against the overall mean, read off the profile
        # table (original units, missing values skipped): the mean cut of the 8-class
        # scheme. (In the log-scaled clustering space the overall mean is a geometric mean,
        # so a segment spending half the average could read "M high".)
        profile = segment_profile(features, self.labels_, self.columns_)
        means = [f"{c}_mean" for c in self.columns_]
        by_segment = profile.iloc[:-1].set_index("segment")[means].reindex(range(k))
        high = pd.DataFrame(by_segment.to_numpy(float) > profile.iloc[-1][means].to_numpy(float),
                            index=pd.RangeIndex(k, name="segment"), columns=self.columns_)
        defaults = _rfm_names(high, self.rfm) if self.rfm is not None else None
        if isinstance(self.names, Mapping):
            unknown = [s for s in self.names if s not in range(k)]
            if unknown:
                raise ValueError(f"names has segment(s) {unknown}; segments are 0..{k - 1} (numbered by size)")
            names = {s: str(self.names.get(s, defaults[s] if defaults else f"segment_{s + 1}"))
                     for s in range(k)}
        else:
            names = _apply_rules(high, self.names or [], defaults)
        self.names_ = _disambiguate(names)

        profile["name"] = [*(self.names_[int(s)] for s in profile["segment"].iloc[:-1]), _OVERALL]
        self.profile_ = profile
        self.anova_ = segment_anova(features, self.labels_, self.columns_)
        row = self.selection_.set_index("k").loc[k]
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
            warnings.warn(self.quality_, WeakSegmentationWarning, stacklevel=3)
        else:
            stab = "" if not self.n_bootstrap else f", bootstrap ARI {row['stability_mean']:.3f}"
            self.quality_ = f"clear segmentation at k={k}: silhouette {row['silhouette']:.3f}{stab}"

    # -- use ----------------------------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "labels_"):
            raise RuntimeError("this CustomerSegmenter is not fitted yet; call fit(features) first")

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Assign customers (e.g. next period's) to this fit's segments.

        The recorded fills, clip bounds, transforms, scaling and PCA of ``fit`` are
        applied, then each customer goes to the nearest centroid.

        Parameters
        ----------
        features : pandas.DataFrame
            With the clustered columns ``columns_``.

        Returns
        -------
        numpy.ndarray of int
            Segment per row, in this fit's numbering (see ``names_``).
        """
        self._check_fitted()
        where = "CustomerSegmenter.predict"
        _check_frame(features, where)
        with _threads(self.n_threads):
            return self._nearest(self._space(self._scaled(features, where)))

    def _nearest(self, Y: np.ndarray) -> np.ndarray:
        d = ((Y[:, None, :] - self._centers[None, :, :]) ** 2).sum(axis=2) if len(Y) < 100_000 else None
        if d is None:
            from sklearn.metrics import pairwise_distances_argmin

            return pairwise_distances_argmin(Y, self._centers).astype(np.int64)
        return d.argmin(axis=1).astype(np.int64)

    def assign(self, features: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
        """Segment number and name per customer, as a tidy frame.

        Parameters
        ----------
        features : pandas.DataFrame
            With ``customer_id`` and the clustered columns.
        lang : {"zh", "en"}, optional
            Add a ``label`` column with the display name.

        Returns
        -------
        pandas.DataFrame
            ``customer_id``, ``segment``, ``name`` (and ``label``).
        """
        if "customer_id" not in features.columns:
            raise ValueError("assign: features need a 'customer_id' column")
        seg = self.predict(features)
        out = pd.DataFrame({"customer_id": features["customer_id"].to_numpy(), "segment": seg,
                            "name": [self.names_[s] for s in seg]})
        if lang is not None:
            out["label"] = [segment_label(n, lang) for n in out["name"]]
        return out

    def fit_predict(self, features: pd.DataFrame, columns: Sequence[str] | None = None, y=None) -> np.ndarray:
        """Fit and return the segments: ``fit(features, columns).labels_``.

        Parameters
        ----------
        features, columns, y
            As in :meth:`fit`.

        Returns
        -------
        numpy.ndarray of int
            Segment 0..k-1 per customer (0 = largest).
        """
        return self.fit(features, columns).labels_

    def get_params(self, deep: bool = True) -> dict:
        """Constructor parameters, as scikit-learn's ``BaseEstimator.get_params``.

        Parameters
        ----------
        deep : bool
            Accepted for compatibility; there are no nested estimators.

        Returns
        -------
        dict
            Parameter name -> value.
        """
        return {name: getattr(self, name) for name in (
            "k", "k_range", "transforms", "scaler", "winsorize", "pca", "n_bootstrap",
            "stability_sample", "minibatch_threshold", "silhouette_sample", "n_init", "names",
            "rfm", "min_silhouette", "min_stability", "min_gain", "n_threads", "random_state")}

    def set_params(self, **params) -> CustomerSegmenter:
        """Set constructor parameters, as scikit-learn's ``BaseEstimator.set_params``.

        Parameters
        ----------
        **params
            Parameter name -> new value (names from :meth:`get_params`).

        Returns
        -------
        CustomerSegmenter
            self (refit to use the new values).

        Raises
        ------
        ValueError
            For an unknown parameter name.
        """
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"unknown parameter {key!r}; valid: {sorted(valid)}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items()
                   if not _same(v, CustomerSegmenter().get_params()[k])}
        return f"CustomerSegmenter({', '.join(f'{k}={v!r}' for k, v in changed.items())})"


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - arrays and the like: treat as changed
        return False


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
        for key in ("selection_", "profile_", "anova_"):
            frames = [getattr(m, key).assign(**{self.by: g}) for g, m in self.models.items()]
            out[key.rstrip("_")] = pd.concat(frames, ignore_index=True)
        out["summary"] = pd.DataFrame([{self.by: g, "n_customers": len(m.labels_), "k": m.k_,
                                        "weak": m.weak_, "quality": m.quality_}
                                       for g, m in self.models.items()])
        return out


def segment_by(features: pd.DataFrame, by: str, columns: Sequence[str] | None = None,
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
    """
    where = "segment_by"
    _check_frame(features, where)
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
        model = CustomerSegmenter(**params).fit(features.loc[mask], columns)
        models[g] = model
        seg[mask] = model.labels_
        name[mask] = [model.names_[s] for s in model.labels_]
    assignments = pd.DataFrame({by: groups.to_numpy(), "segment": seg, "name": name.astype(str)})
    if "customer_id" in features.columns:
        assignments.insert(0, "customer_id", features["customer_id"].to_numpy())
    return GroupedSegmentation(by=by, models=models, assignments=assignments)
