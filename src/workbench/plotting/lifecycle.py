"""Figures of the customer lifecycle: stages, value curve, migration, cohorts, survival, churn.

Each function draws a result of :mod:`workbench.lifecycle`; none recomputes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns

from workbench._validation import _require_columns
from workbench.labels import label, segment_label
from workbench.plotting.base import count_axis, money_axis, new_figure, share_axis

__all__ = [
    "plot_churn_rates",
    "plot_churn_reasons",
    "plot_cohort_heatmap",
    "plot_migration",
    "plot_retention_economics",
    "plot_stage_value_curve",
    "plot_survival",
]

_STAGE_COLOURS = {"exploration": "#8172B3", "formation": "#55A868", "stability": "#4C72B0",
                  "decline": "#DD8452", "churned": "#C44E52"}
_BLUE, _ORANGE, _GREY = "#4C72B0", "#DD8452", "#8C8C8C"


def _class_label(value, lang: str) -> str:
    """Stage codes read as stages, everything else (segment names too) through the label table."""
    text = str(value)
    key = f"stage_{text}"
    return label(key, lang) if label(key, lang) != key else segment_label(text, lang)


def plot_stage_value_curve(curve: pd.DataFrame, *, value: str = "mean_recent_spend", lang: str = "en", ax=None):
    """Customers per stage (bars) and mean value per stage (line): the lifecycle value curve.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`workbench.lifecycle.stage_value_curve`.
    value : str
        The value column to draw, e.g. ``mean_recent_spend`` or ``mean_spend_per_period``.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws the result of :func:`workbench.lifecycle.stage_value_curve`: the lifecycle
    value curve (value rising through formation, highest in stability, falling in
    decline) of Dwyer, Schurr & Oh (1987) as the Chinese CRM textbooks draw it.
    """
    _require_columns(curve, ["stage", "customers", value], "plot_stage_value_curve")
    _, ax = new_figure(ax)
    x = np.arange(len(curve))
    colours = [_STAGE_COLOURS.get(str(s), _GREY) for s in curve["stage"]]
    ax.bar(x, curve["customers"], color=colours, alpha=0.55)
    ax.set_ylabel(label("customers", lang))
    count_axis(ax.yaxis)
    ax.set_xticks(x, [_class_label(s, lang) for s in curve["stage"]])
    ax.set_xlabel(label("stage", lang))
    twin = ax.twinx()
    twin.plot(x, curve[value], color="black", marker="o")
    twin.set_ylabel(label(value, lang))
    money_axis(twin.yaxis, lang)
    twin.set_ylim(bottom=0)
    ax.set_title(label("value_curve", lang))
    return ax


def plot_migration(migration, *, shares: bool = True, lang: str = "en", ax=None):
    """Heatmap of a transition matrix: row shares annotated with counts.

    Parameters
    ----------
    migration : workbench.lifecycle.Migration
    shares : bool, default True
        Colour by row share (else by count).
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws the result of :func:`workbench.lifecycle.migration_matrix`: the transition
    matrix of a Markov-chain migration model (Pfeifer & Carraway 2000), row shares
    0-1, annotated with customer counts; empty rows and columns are left out.
    """
    counts = migration.counts
    keep_rows = counts.sum(axis=1) > 0
    keep_cols = counts.sum(axis=0) > 0
    counts = counts.loc[keep_rows, keep_cols]
    colour = migration.shares.loc[counts.index, counts.columns] if shares else counts
    _, ax = new_figure(ax, figsize=(7, 5))
    annot = np.array([[f"{c:,}" for c in row] for row in counts.to_numpy()])
    sns.heatmap(colour.astype(float), annot=annot, fmt="", cmap="Blues", cbar=True, ax=ax,
                vmin=0, vmax=1 if shares else None, linewidths=0.5, linecolor="white",
                cbar_kws={"label": label("row_share" if shares else "customers", lang)})
    (share_axis if shares else count_axis)(ax.collections[0].colorbar.ax.yaxis)
    ax.set_yticklabels([_class_label(v, lang) for v in counts.index], rotation=0)
    ax.set_xticklabels([_class_label(v, lang) for v in counts.columns], rotation=30, ha="right")
    ax.set_ylabel(label("from", lang))
    ax.set_xlabel(label("to", lang))
    ax.set_title(label("migration", lang))
    return ax


def plot_cohort_heatmap(cohorts, *, lang: str = "en", ax=None, max_cohorts: int = 36):
    """Heatmap of retention (or revenue retention): cohorts down, periods since across.

    Parameters
    ----------
    cohorts : workbench.lifecycle.CohortTable
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional
    max_cohorts : int, default 36
        Show at most the latest this many cohorts.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Colours run from 0 to the largest rate after period 0 (period 0 is 100 % by
    construction); cells are annotated in percent when there are at most 150.

    References
    ----------
    Draws the ``rates`` of :func:`workbench.lifecycle.cohort_table`: the cohort
    retention triangle (acquisition cohort x periods since acquisition); see that
    function for the reference.
    """
    rates = cohorts.rates.iloc[-max_cohorts:]
    rates = rates.loc[:, rates.notna().any(axis=0)]
    _, ax = new_figure(ax, figsize=(max(6, 0.45 * rates.shape[1] + 2), max(3, 0.3 * len(rates) + 1.5)))
    small = rates.size <= 150
    # period 0 is 100 % by construction: scale the colours to the later periods
    later = rates.iloc[:, 1:].to_numpy(dtype=float)
    vmax = float(np.nanmax(later)) if later.size and np.isfinite(later).any() else 1.0
    sns.heatmap(rates, annot=small, fmt=".0%", cmap="YlGnBu", vmin=0, vmax=max(vmax, 1e-9), ax=ax,
                cbar=True, annot_kws={"fontsize": 7})
    share_axis(ax.collections[0].colorbar.ax.yaxis)
    ax.set_xlabel(label("periods_since", lang))
    ax.set_ylabel(label("cohort", lang))
    ax.set_title(label("customer_retention" if cohorts.metric == "customers" else "revenue_retention", lang))
    ax.tick_params(axis="y", rotation=0)
    return ax


def plot_churn_rates(rates: pd.DataFrame, *, lang: str = "en", ax=None):
    """Active customers (bars) and the churn rate (line) per period.

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`workbench.lifecycle.churn_rates`.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    No external reference; draws the result of :func:`workbench.lifecycle.churn_rates`
    (churn rate on a percent axis, 0-100 %).
    """
    _require_columns(rates, ["period", "active", "churn_rate"], "plot_churn_rates")
    _, ax = new_figure(ax, figsize=(9, 4))
    x = np.arange(len(rates))
    ax.bar(x, rates["active"], color=_BLUE, alpha=0.6)
    ax.set_ylabel(label("active", lang))
    count_axis(ax.yaxis)
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], rates["period"].iloc[::step], rotation=45, ha="right")
    ax.set_xlabel(label("period", lang))
    twin = ax.twinx()
    twin.plot(x, rates["churn_rate"], color=_ORANGE, marker="o", ms=3)
    twin.set_ylabel(label("churn_rate", lang))
    twin.set_ylim(0, 1)
    share_axis(twin.yaxis)
    return ax


def plot_survival(survival, *, lang: str = "en", ax=None, bands: bool = True):
    """Kaplan-Meier step curves by segment, with pointwise bands.

    Parameters
    ----------
    survival : workbench.lifecycle.SurvivalCurves
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional
    bands : bool, default True

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws the result of :func:`workbench.lifecycle.survival_curves`: Kaplan-Meier step
    curves (Kaplan & Meier 1958) over days since the first purchase, with the
    pointwise log(-log) bands.
    """
    _, ax = new_figure(ax)
    palette = sns.color_palette("deep", n_colors=max(1, survival.summary.shape[0]))
    for colour, (segment, curve) in zip(palette, survival.curves.groupby("segment", sort=True), strict=False):
        n = int(survival.summary.set_index("segment").loc[segment, "customers"])
        name = label("all", lang) if segment == "all" else _class_label(segment, lang)
        ax.step(curve["days"], curve["survival"], where="post", color=colour, label=f"{name} (n={n:,})")
        if bands:
            ax.fill_between(curve["days"], curve["ci_lower"], curve["ci_upper"], step="post",
                            color=colour, alpha=0.15, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(label("days", lang))
    ax.set_ylabel(label("survival", lang))
    share_axis(ax.yaxis)
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_churn_reasons(reasons, *, lang: str = "en", ax=None):
    """Observed share of each churn reason beside the lecture's reference share.

    Parameters
    ----------
    reasons : workbench.lifecycle.ChurnReasons
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws the ``reasons`` of :func:`workbench.lifecycle.churn_reasons`: observed shares
    (0-1) beside the teaching material's reference shares
    (:data:`workbench.datasets.CHURN_REASON_SHARES`).
    """
    table = reasons.reasons
    _, ax = new_figure(ax, figsize=(8, 4.5))
    y = np.arange(len(table))
    ax.barh(y - 0.2, table["share"], height=0.4, color=_BLUE, label=label("share", lang))
    ax.barh(y + 0.2, table["reference_share"].fillna(0), height=0.4, color=_GREY,
            label=label("reference_share", lang))
    ax.set_yticks(y, [f"{label(r, lang)} · {label(g, lang)}" for r, g in zip(table["reason"], table["group"],
                                                                          strict=True)])
    ax.invert_yaxis()
    share_axis(ax.xaxis)
    ax.set_xlabel(label("share", lang))
    ax.legend(frameon=False, loc="lower right")
    ax.set_title(label("churn_reason", lang))
    return ax


def plot_retention_economics(table: pd.DataFrame, *, sensitivity: pd.DataFrame | None = None,
                             lang: str = "en", ax=None):
    """CLV at the current retention rate and the changed ones, on the CLV-retention curve.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.clv.retention_economics`.
    sensitivity : pandas.DataFrame, optional
        From :func:`workbench.clv.retention_sensitivity` (``retention``, ``clv``), drawn
        as the curve behind the scenarios.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws the result of :func:`workbench.clv.retention_economics` on the curve of
    :func:`workbench.clv.retention_sensitivity`: the retention-economics argument of
    Reichheld & Sasser (1990); scenario labels give the CLV change in percent.
    """
    _require_columns(table, ["scenario", "retention", "clv", "clv_change_pct"], "plot_retention_economics")
    _, ax = new_figure(ax)
    if sensitivity is not None:
        _require_columns(sensitivity, ["retention", "clv"], "plot_retention_economics (sensitivity)")
        ax.plot(sensitivity["retention"], sensitivity["clv"], color=_GREY, lw=1.5)
    colours = {"minus": _ORANGE, "base": "black", "plus": "#55A868"}
    # the scenarios sit close together on the curve: named in the legend, not beside the points
    for _, row in table.iterrows():
        text = f"{label(row['scenario'], lang)}: {row['retention']:.0%}"
        if row["scenario"] != "base":
            text += f", CLV {row['clv_change_pct']:+.1f}%"
        ax.scatter(row["retention"], row["clv"], color=colours.get(row["scenario"], _BLUE), zorder=3, s=50,
                   label=text)
    ax.legend(loc="upper left", frameon=False, fontsize=9)
    ax.set_xlabel(label("retention", lang))
    ax.set_ylabel(label("clv", lang))
    share_axis(ax.xaxis)
    money_axis(ax.yaxis, lang)
    ax.grid(alpha=0.3)
    return ax
