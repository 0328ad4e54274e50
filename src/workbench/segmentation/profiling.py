"""Profiles of segments: the SPSS-style means table, ANOVA, recovery of known segments, migration.

Plain functions of features and labels from any clustering, not only
:class:`~workbench.segmentation.CustomerSegmenter`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from workbench.segmentation._checks import (
    OVERALL,
    SKEW_LIMIT,
    check_frame,
    check_labels,
    numeric_column,
)

__all__ = ["profile_table", "segment_anova", "segment_profile", "segments_against_truth"]


def segment_profile(
    features: pd.DataFrame,
    labels,
    *,
    columns: Sequence[str] | None = None,
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

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": list("abcdef"),
    ...                          "recency_days": [10.0, 30.0, 20.0, 200.0, 100.0, 300.0],
    ...                          "frequency": [6, 4, 8, 1, 2, 1],
    ...                          "monetary_total": [900.0, 500.0, 1000.0, 50.0, 100.0, 30.0]})
    >>> labels = [0, 0, 0, 1, 1, 1]
    >>> profile = segment_profile(features, labels, columns=["recency_days", "frequency"],
    ...                           names={0: "loyal", 1: "lapsed"})
    >>> profile[["segment", "name", "n_customers", "share_revenue", "frequency_mean"]].round(3)
       segment     name  n_customers  share_revenue  frequency_mean
    0        0    loyal            3           0.93           6.000
    1        1   lapsed            3           0.07           1.333
    2     <NA>  overall            6           1.00           3.667
    """
    where = "segment_profile"
    check_frame(features, where)
    labels = check_labels(labels, len(features), where)
    if columns is None:
        columns = [c for c in features.columns
                   if c not in (revenue, gross_profit, "customer_id")
                   and pd.api.types.is_numeric_dtype(features[c])
                   and not pd.api.types.is_bool_dtype(features[c])]
    missing = [c for c in columns if c not in features.columns]
    if missing:
        raise ValueError(f"{where}: column(s) {missing} not in features; present: {list(features.columns)}")
    frame = pd.DataFrame({c: numeric_column(features, c, where) for c in columns}, index=features.index)
    # a money column that is entirely missing (no cost data, e.g. CDNOW) is left out
    money = [c for c in (revenue, gross_profit) if c in features.columns and features[c].notna().any()]
    for c in money:
        frame[c] = numeric_column(features, c, where)
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
    row = pd.DataFrame([{"segment": pd.NA, "name": OVERALL, **overall}])
    row["segment"] = row["segment"].astype(out["segment"].dtype)
    return pd.concat([out, row[out.columns]], ignore_index=True)


def profile_table(profile: pd.DataFrame, *, decimals: int | None = None) -> pd.DataFrame:
    """The profile as display text: "mean ± SD" per feature, shares in percent.

    Parameters
    ----------
    profile : pandas.DataFrame
        From :func:`segment_profile` (or ``CustomerSegmenter.profile_``).
    decimals : int, optional
        Decimals of means and SDs. Default: per feature by the size of its overall mean,
        0 from 1,000 (amounts: ``197,517 ± 114,272``), 1 from 10, else 2.

    Returns
    -------
    pandas.DataFrame
        One row per segment and the overall row, string cells: ``name`` (the code;
        :func:`workbench.labels.segment_label` reads it), ``n_customers``, the shares as
        percent (e.g. ``"41.2%"``) and one "mean ± SD" column per feature in its own
        units; English column names (:func:`workbench.labels.translate_columns`).

    References
    ----------
    No external reference; the display form of :func:`segment_profile` (the SPSS
    *Means* table researchers expect).

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": list("abcdef"),
    ...                          "recency_days": [10.0, 30.0, 20.0, 200.0, 100.0, 300.0],
    ...                          "frequency": [6, 4, 8, 1, 2, 1],
    ...                          "monetary_total": [900.0, 500.0, 1000.0, 50.0, 100.0, 30.0]})
    >>> labels = [0, 0, 0, 1, 1, 1]
    >>> table = profile_table(segment_profile(features, labels, columns=["frequency"]), decimals=1)
    >>> table[["name", "n_customers", "frequency"]]
          name n_customers  frequency
    0        0           3  6.0 ± 2.0
    1        1           3  1.3 ± 0.6
    2  overall           6  3.7 ± 2.9
    """
    features = [c[:-5] for c in profile.columns if c.endswith("_mean")]
    out = pd.DataFrame({"name": profile["name"].to_numpy()})
    out["n_customers"] = profile["n_customers"].map("{:,.0f}".format).to_numpy()
    for key in ("share_customers", "share_revenue", "share_gross_profit"):
        if key in profile.columns:
            out[key] = profile[key].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%").to_numpy()
    for c in features:
        m, s = profile[f"{c}_mean"].to_numpy(), profile[f"{c}_sd"].to_numpy()
        d = decimals if decimals is not None else _decimals(m)
        out[c] = [f"{a:,.{d}f}" + ("" if np.isnan(b) else f" ± {b:,.{d}f}")
                  for a, b in zip(m, s, strict=True)]
    return out


def _decimals(means: np.ndarray) -> int:
    """Decimals for a feature's "mean ± SD" by the size of its overall (last) mean."""
    typical = abs(float(means[-1])) if len(means) and np.isfinite(means[-1]) else 0.0
    return 0 if typical >= 1000 else 1 if typical >= 10 else 2


def segment_anova(features: pd.DataFrame, labels, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
    r"""One-way ANOVA and Kruskal-Wallis test of each feature across segments.

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
        ``skewness`` and ``suggested_test`` ("kruskal" when \|skewness\| > 1, else
        "anova"). Customers with a missing value are left out of that feature's test
        only (``n`` says how many took part).

    Notes
    -----
    With g segments, n customers, segment sizes n_j, means :math:`\bar y_j` and grand
    mean :math:`\bar y`: :math:`SS_B = \sum_j n_j (\bar y_j - \bar y)^2`,
    :math:`SS_W = \sum_j \sum_i (y_{ij} - \bar y_j)^2`,
    :math:`F = \frac{SS_B / (g - 1)}{SS_W / (n - g)}`,
    :math:`\eta^2 = SS_B / (SS_B + SS_W)`.
    Kruskal-Wallis H is tie-corrected (:func:`scipy.stats.kruskal`);
    :math:`\varepsilon^2 = (H - g + 1) / (n - g)` (Tomczak & Tomczak 2014).
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

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": list("abcdef"),
    ...                          "recency_days": [10.0, 30.0, 20.0, 200.0, 100.0, 300.0],
    ...                          "frequency": [6, 4, 8, 1, 2, 1],
    ...                          "monetary_total": [900.0, 500.0, 1000.0, 50.0, 100.0, 30.0]})
    >>> labels = [0, 0, 0, 1, 1, 1]
    >>> anova = segment_anova(features, labels, columns=["frequency"])
    >>> anova[["feature", "F", "df_between", "df_within", "eta_squared"]].round(3)
         feature       F  df_between  df_within  eta_squared
    0  frequency  15.077           1          4         0.79
    """
    where = "segment_anova"
    check_frame(features, where)
    labels = check_labels(labels, len(features), where)
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
        y = numeric_column(features, c, where)
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
            "suggested_test": "kruskal" if abs(skew) > SKEW_LIMIT else "anova",
        })
    return pd.DataFrame(rows)


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

    Examples
    --------
    >>> found = pd.DataFrame({"customer_id": list("abcd"), "name": ["x", "x", "y", "y"]})
    >>> truth = pd.DataFrame({"customer_id": list("abcd"), "segment": ["loyal", "loyal", "lapsed", "lapsed"]})
    >>> ari, table = segments_against_truth(found, truth)
    >>> ari
    1.0
    >>> table.loc["loyal"].tolist(), table.loc["lapsed"].tolist()
    ([2, 0], [0, 2])
    """
    true = truth.set_index("customer_id")["segment"].reindex(assignments["customer_id"])
    if true.isna().any():
        raise ValueError(f"segments_against_truth: {int(true.isna().sum()):,} customer(s) have no true "
                         f"segment, e.g. {true.index[true.isna()][0]!r}")
    found = assignments[segment].to_numpy()
    table = pd.crosstab(pd.Series(true.to_numpy(), name="truth"), pd.Series(found, name="found"))
    return float(adjusted_rand_score(true.to_numpy(), found)), table


