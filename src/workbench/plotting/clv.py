"""Figures of customer lifetime value: retention sensitivity, BG/NBD validation, P(alive).

Each function draws a result computed by :mod:`workbench.clv`; none recomputes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench._validation import _require_columns
from workbench.clv import RepeatPurchaseTracking
from workbench.labels import label
from workbench.plotting.base import count_axis, money_axis, new_figure, share_axis

__all__ = [
    "plot_conditional_expectations",
    "plot_probability_alive",
    "plot_repeat_purchase_tracking",
    "plot_retention_sensitivity",
]

_ACTUAL, _PREDICTED = "#4C72B0", "#DD8452"


def plot_retention_sensitivity(table: pd.DataFrame, *, lang: str = "en", ax=None):
    """CLV against the retention rate (the retention-economics curve).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.clv.retention_sensitivity` (``retention``, ``clv``).
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws the result of :func:`workbench.clv.retention_sensitivity`: CLV (currency)
    against the retention rate (percent axis), the retention-economics curve of
    Reichheld & Sasser (1990).
    """
    _require_columns(table, ["retention", "clv"], "plot_retention_sensitivity")
    _, ax = new_figure(ax)
    ax.plot(table["retention"], table["clv"], marker="o", color=_ACTUAL)
    ax.set_xlabel(label("retention", lang))
    ax.set_ylabel(label("clv", lang))
    share_axis(ax.xaxis)
    money_axis(ax.yaxis, lang)
    ax.grid(alpha=0.3)
    return ax


def plot_repeat_purchase_tracking(tracking, *, lang: str = "en", ax=None):
    """Cumulative repeat purchases, actual against the BG/NBD prediction, by period.

    Parameters
    ----------
    tracking : workbench.clv.RepeatPurchaseTracking
        From :func:`workbench.clv.repeat_purchase_tracking` (its table and time unit).
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    A dotted vertical line marks the end of the calibration period. The x axis is
    labelled in weeks, the unit of the published CDNOW analysis.

    References
    ----------
    Draws the result of :func:`workbench.clv.repeat_purchase_tracking`: the cumulative
    tracking plot of Fader, Hardie & Lee (2005a), as BTYD's ``bgnbd.PlotTrackingCum``
    draws it.
    """
    if not isinstance(tracking, RepeatPurchaseTracking):
        raise TypeError(
            "plot_repeat_purchase_tracking takes the RepeatPurchaseTracking result of "
            f"workbench.clv.repeat_purchase_tracking (table and time unit); got {type(tracking).__name__}"
        )
    unit = tracking.time_unit
    tracking = tracking.table
    _require_columns(tracking, ["period", "actual", "predicted", "calibration"], "plot_repeat_purchase_tracking")
    _, ax = new_figure(ax)
    ax.plot(tracking["period"], tracking["actual"], color=_ACTUAL, label=label("actual", lang))
    ax.plot(tracking["period"], tracking["predicted"], color=_PREDICTED, ls="--", label=label("predicted", lang))
    if tracking["calibration"].any():
        end = tracking.loc[tracking["calibration"], "period"].max()
        ax.axvline(end, color="grey", lw=1, ls=":")
        ax.annotate(label("calibration_end", lang), (end, 0), xytext=(4, 4), textcoords="offset points",
                    color="grey", fontsize=9)
    ax.set_xlabel(label({"W": "week", "D": "day"}[unit], lang))
    ax.set_ylabel(label("cumulative_repeat_purchases", lang))
    count_axis(ax.yaxis)
    ax.legend(frameon=False)
    return ax


def plot_conditional_expectations(by_frequency: pd.DataFrame, *, lang: str = "en", ax=None):
    """Mean holdout purchases by calibration frequency, actual and predicted.

    Parameters
    ----------
    by_frequency : pandas.DataFrame or HoldoutValidation
        ``by_frequency`` of :func:`workbench.clv.holdout_validation` (or the result).
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws ``by_frequency`` of :func:`workbench.clv.holdout_validation`: the
    conditional-expectations plot of Fader, Hardie & Lee (2005a), as BTYD's
    ``bgnbd.PlotFreqVsConditionalExpectedFrequency`` draws it (last bin "7+").
    """
    by_frequency = getattr(by_frequency, "by_frequency", by_frequency)
    _require_columns(by_frequency, ["frequency", "actual", "predicted"], "plot_conditional_expectations")
    _, ax = new_figure(ax)
    x = np.arange(len(by_frequency))
    ax.plot(x, by_frequency["actual"], marker="o", color=_ACTUAL, label=label("actual", lang))
    ax.plot(x, by_frequency["predicted"], marker="s", ls="--", color=_PREDICTED, label=label("predicted", lang))
    ax.set_xticks(x, by_frequency["frequency"].astype(str))
    ax.set_xlabel(label("calibration_frequency", lang))
    ax.set_ylabel(label("holdout_mean_purchases", lang))
    ax.legend(frameon=False)
    return ax


def plot_probability_alive(p_alive, *, lang: str = "en", bins: int = 20, ax=None):
    """Histogram of P(alive) across customers.

    Parameters
    ----------
    p_alive : array-like or pandas.DataFrame
        Probabilities, or a frame with a ``p_alive`` column (e.g. from
        :func:`workbench.clv.customer_lifetime_value`).
    lang : {"zh", "en"}
    bins : int
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :meth:`workbench.clv.BetaGeoModel.probability_alive` (as the ``p_alive``
    column of :func:`workbench.clv.customer_lifetime_value`): customers per P(alive)
    bin of width 1 / ``bins``.
    """
    if isinstance(p_alive, pd.DataFrame):
        _require_columns(p_alive, ["p_alive"], "plot_probability_alive")
        p_alive = p_alive["p_alive"]
    values = np.asarray(p_alive, dtype=float)
    if values.size and (np.nanmin(values) < 0 or np.nanmax(values) > 1):
        raise ValueError("plot_probability_alive: values must be probabilities in [0, 1]")
    _, ax = new_figure(ax)
    ax.hist(values, bins=np.linspace(0, 1, bins + 1), color=_ACTUAL, edgecolor="white")
    ax.set_xlabel(label("p_alive", lang))
    ax.set_ylabel(label("customers", lang))
    share_axis(ax.xaxis)
    count_axis(ax.yaxis)
    return ax
