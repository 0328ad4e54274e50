"""Figures of the segmentation notebook: choice of k, profiles and shares (migration:
:func:`workbench.plotting.lifecycle.plot_migration`).

Every function takes a result of :mod:`workbench.segmentation` (the ``k_selection_``, the
``profile_`` table, a migration) and draws it; nothing is recomputed here.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from workbench._validation import _require_columns, _require_result
from workbench.labels import label, segment_label
from workbench.plotting.base import count_axis, new_figure, share_axis, use_cjk_font

_HINT_SEGMENTATION = "pass the table from workbench.segmentation"

__all__ = [
    "plot_k_selection",
    "stability_band",
    "plot_profile_heatmap",
    "plot_segment_shares",
    "plot_snake",
]

_CHOSEN = dict(color="#C44E52", ls="--", lw=1)


def plot_k_selection(selection, *, lang: str = "en", axes=None):
    """The criteria per k in four panels: inertia and elbow, silhouette against the
    null, bootstrap stability, Calinski-Harabasz and Davies-Bouldin.

    Parameters
    ----------
    selection : workbench.segmentation.KSelection
        ``CustomerSegmenter.k_selection_`` (or :func:`workbench.segmentation.select_k`;
        the chosen k is marked when its table has the ``chosen`` column, else the
        recommended one).
    lang : {"zh", "en"}
    axes : array of 4 matplotlib Axes, optional

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        Shape (2, 2), the chosen k marked by a dashed line.

    References
    ----------
    Draws ``CustomerSegmenter.k_selection_`` (:class:`workbench.segmentation.CustomerSegmenter`,
    which cites the sources): the elbow (Kneedle, Satopaa et al. 2011), silhouette
    (Rousseeuw 1987) against the Gaussian null, bootstrap ARI stability (Lange et al.
    2004), Calinski-Harabasz (1974) and Davies-Bouldin (1979).
    """
    result = _require_result(selection, "table", "plot_k_selection", "workbench.segmentation.select_k")
    selection = result.table
    if "chosen" not in selection.columns:
        selection = selection.assign(chosen=selection["k"] == result.recommended_k)
    _require_columns(selection, ["k", "inertia", "silhouette", "null_silhouette", "stability_mean",
                                 "calinski_harabasz", "davies_bouldin", "knee"], "plot_k_selection",
                     hint=_HINT_SEGMENTATION)
    use_cjk_font()
    if axes is None:
        _, axes = plt.subplots(2, 2, figsize=(10, 6.5), layout="constrained", sharex=True)
    axes = np.asarray(axes).reshape(2, 2)
    k = selection["k"].to_numpy()
    chosen = selection.loc[selection["chosen"], "k"]
    ax = axes[0, 0]
    ax.plot(k, selection["inertia"], marker="o", color="#4C72B0")
    knee = selection.loc[selection["knee"]]
    if len(knee):
        ax.plot(knee["k"], knee["inertia"], "o", ms=12, mfc="none", mec="#C44E52", label=label("knee", lang))
        ax.legend(frameon=False)
    ax.set_ylabel(label("inertia", lang))
    count_axis(ax.yaxis)
    ax = axes[0, 1]
    ax.plot(k, selection["silhouette"], marker="o", color="#4C72B0", label=label("silhouette", lang))
    ax.plot(k, selection["null_silhouette"], marker=".", ls=":", color="grey",
            label=label("null_silhouette", lang))
    ax.set_ylabel(label("silhouette", lang))
    ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax = axes[1, 0]
    if selection["stability_mean"].notna().any():
        low, high = stability_band(selection["stability_mean"], selection["stability_sd"])
        mean = np.clip(selection["stability_mean"].to_numpy(dtype=float), -1.0, 1.0)
        ax.errorbar(k, mean, yerr=[mean - low, high - mean], marker="o", capsize=3, color="#55A868",
                    label=label("stability_band", lang))
        ax.legend(frameon=False, loc="lower left")
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel(label("stability_mean", lang))
    ax = axes[1, 1]
    ax.plot(k, selection["calinski_harabasz"], marker="o", color="#8172B3", label=label("calinski_harabasz", lang))
    ax.set_ylabel(label("calinski_harabasz", lang))
    count_axis(ax.yaxis)
    twin = ax.twinx()
    twin.plot(k, selection["davies_bouldin"], marker="s", color="#DD8452", label=label("davies_bouldin", lang))
    twin.set_ylabel(label("davies_bouldin", lang))
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    # above the panel: CH and DB move in opposite directions, so any corner inside holds a line
    ax.legend(handles, [h.get_label() for h in handles], frameon=False, loc="lower center",
              bbox_to_anchor=(0.5, 1.0), ncol=2)
    for ax in axes.ravel():
        for c in chosen:
            ax.axvline(c, **_CHOSEN)
        ax.set_xticks(k)
    for ax in axes[1]:
        ax.set_xlabel(label("k", lang))
    return axes


def stability_band(mean: pd.Series, sd: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The band drawn around a bootstrap stability: mean ± SD, cut to the index's range.

    An adjusted Rand index of two partitions is at most 1 (identical partitions) and at
    least -1, so a bar beyond 1 shows a value no resample can take. The band is the mean
    ± one standard deviation of the resamples' indices, clipped to [-1, 1]; a missing SD
    gives no band.

    Parameters
    ----------
    mean, sd : pandas.Series
        ``stability_mean`` and ``stability_sd`` of ``CustomerSegmenter.selection_``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper ends, both within [-1, 1], the lower at most and the upper at
        least the mean.

    References
    ----------
    Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of Classification,
    2(1), 193-218 (the adjusted Rand index, maximum 1).

    Examples
    --------
    >>> low, high = stability_band(pd.Series([0.95, 0.5]), pd.Series([0.12, None]))
    >>> low.round(2).tolist(), high.round(2).tolist()
    ([0.83, 0.5], [1.0, 0.5])
    """
    m = np.clip(pd.to_numeric(mean, errors="coerce").to_numpy(dtype=float), -1.0, 1.0)
    s = np.abs(pd.to_numeric(sd, errors="coerce").fillna(0).to_numpy(dtype=float))
    return np.clip(m - s, -1.0, m), np.clip(m + s, m, 1.0)


def _z_table(profile: pd.DataFrame, columns, lang: str):
    _require_columns(profile, ["name", "n_customers"], "profile", hint=_HINT_SEGMENTATION)
    feats = columns or [c[:-5] for c in profile.columns if c.endswith("_mean")]
    body = profile[profile["segment"].notna()]
    overall = profile[profile["segment"].isna()].iloc[0]
    means = pd.DataFrame({c: body[f"{c}_mean"].to_numpy() for c in feats})
    sd = np.array([overall[f"{c}_sd"] for c in feats], dtype=float)
    centre = np.array([overall[f"{c}_mean"] for c in feats], dtype=float)
    z = (means.to_numpy() - centre) / np.where(sd > 0, sd, np.nan)
    rows = [f"{segment_label(n, lang)} (n={c:,})" for n, c in zip(body["name"], body["n_customers"], strict=True)]
    cols = [label(c, lang) for c in feats]
    return pd.DataFrame(z, index=rows, columns=cols), pd.DataFrame(means.to_numpy(), index=rows, columns=cols)


def _short_number(v: float) -> str:
    if not np.isfinite(v):
        return ""
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.1f}" if abs(v) >= 10 else f"{v:.3g}"


def plot_profile_heatmap(profile: pd.DataFrame, *, columns=None, lang: str = "en", ax=None, **kwargs):
    r"""Segment means against the overall mean, in overall-SD units, annotated with the means.

    Parameters
    ----------
    profile : pandas.DataFrame
        ``CustomerSegmenter.profile_`` or :func:`workbench.segmentation.segment_profile`.
    columns : list of str, optional
        Features to show (default all profiled ones).
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to :func:`seaborn.heatmap`.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Cell colour :math:`z = (\bar x_{segment} - \bar x) / s_x` with the overall mean and
    SD of the feature in its own units; the text is the segment mean.

    References
    ----------
    No external reference; draws :func:`workbench.segmentation.segment_profile` (the
    SPSS-style profile table) as a diverging heat map.
    """
    z, means = _z_table(profile, columns, lang)
    _, ax = new_figure(ax, figsize=(1.4 * z.shape[1] + 3, max(3.5, 0.55 * z.shape[0] + 1.8)))
    annot = means.map(_short_number)
    lim = float(np.nanmax(np.abs(z.to_numpy()))) if np.isfinite(z.to_numpy()).any() else 1.0
    options = dict(cmap="RdBu_r", center=0, vmin=-lim, vmax=lim, annot=annot, fmt="",
                   cbar_kws={"label": label("centroid_vs_overall", lang)}, linewidths=0.5)
    options.update(kwargs)
    sns.heatmap(z, ax=ax, **options)
    ax.set_ylabel("")
    ax.tick_params(axis="x", rotation=30)
    return ax


def plot_snake(profile: pd.DataFrame, *, columns=None, lang: str = "en", ax=None):
    r"""Snake plot: each segment's standardised mean per feature, one line per segment.

    Parameters
    ----------
    profile : pandas.DataFrame
        ``CustomerSegmenter.profile_``.
    columns : list of str, optional
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Values are :math:`z = (\bar x_{segment} - \bar x) / s_x` as in
    :func:`plot_profile_heatmap`, so features in different units share one axis.

    References
    ----------
    No external reference; the snake plot of segment profiles common in marketing
    segmentation practice, drawn from :func:`workbench.segmentation.segment_profile`.
    """
    z, _ = _z_table(profile, columns, lang)
    _, ax = new_figure(ax, figsize=(9, 4.5))
    x = np.arange(z.shape[1])
    for name, row in z.iterrows():
        ax.plot(x, row.to_numpy(), marker="o", label=name)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(x, z.columns, rotation=30, ha="right")
    ax.set_ylabel(label("centroid_vs_overall", lang))
    ax.legend(frameon=False, fontsize="small", bbox_to_anchor=(1.01, 1), loc="upper left")
    return ax


def plot_segment_shares(profile: pd.DataFrame, *, lang: str = "en", ax=None):
    """Share of customers next to share of revenue (and gross profit) per segment.

    Parameters
    ----------
    profile : pandas.DataFrame
        ``CustomerSegmenter.profile_``.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    No external reference; draws the ``share_*`` columns of
    :func:`workbench.segmentation.segment_profile` in percent (the 80/20 comparison of
    customer share with revenue share).
    """
    _require_columns(profile, ["name", "share_customers"], "profile", hint=_HINT_SEGMENTATION)
    body = profile[profile["segment"].notna()]
    keys = [c for c in ("share_customers", "share_revenue", "share_gross_profit")
            if c in body.columns and body[c].notna().any()]
    _, ax = new_figure(ax, figsize=(9, 4))
    x = np.arange(len(body))
    width = 0.8 / len(keys)
    colours = {"share_customers": "#8C8C8C", "share_revenue": "#4C72B0", "share_gross_profit": "#C44E52"}
    for i, key in enumerate(keys):
        ax.bar(x + (i - (len(keys) - 1) / 2) * width, body[key].to_numpy(), width, label=label(key, lang),
               color=colours[key])
    ax.set_xticks(x, [segment_label(n, lang) for n in body["name"]], rotation=20, ha="right")
    ax.set_ylabel(label("share", lang))
    share_axis(ax.yaxis)
    ax.legend(frameon=False)
    return ax
