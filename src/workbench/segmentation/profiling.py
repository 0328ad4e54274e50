"""Profiles of segments: the SPSS-style means table, ANOVA, recovery of known segments, migration.

Plain functions of features and labels from any clustering, not only
:class:`~workbench.segmentation.CustomerSegmenter`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from workbench.labels import label
from workbench.segmentation._checks import (
    ABSENT,
    NEW,
    OVERALL,
    SKEW_LIMIT,
    check_frame,
    check_labels,
    numeric_column,
)
from workbench.segmentation.naming import segment_label

__all__ = ["profile_table", "segment_anova", "segment_migration", "segment_profile", "segments_against_truth"]


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
    before = prev.reindex(ids).fillna(NEW).to_numpy()
    after = cur.reindex(ids).fillna(ABSENT).to_numpy()
    rows = [*sorted(set(prev.to_numpy()), key=_natural), NEW]
    cols = [*sorted(set(cur.to_numpy()), key=_natural), ABSENT]
    table = pd.crosstab(pd.Series(before, name="previous"), pd.Series(after, name="current"))
    table = table.reindex(index=rows, columns=cols, fill_value=0)
    if normalize:
        sums = table.sum(axis=1).replace(0, np.nan)
        table = table.div(sums, axis=0)
    return table


def _natural(text: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]

