"""Figures of the data overview notebook."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.labels import label
from workbench.plotting.base import count_axis, money_axis, new_figure

__all__ = ["plot_distribution", "plot_item_means", "plot_period_activity"]


def plot_period_activity(summary: pd.DataFrame, *, lang: str = "en", ax=None):
    """Revenue bars with active customers on a second axis, per period.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`workbench.overview.period_summary`.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    No external reference; draws :func:`workbench.overview.period_summary` (revenue in
    currency, active customers).
    """
    fig, ax = new_figure(ax, figsize=(9, 4))
    x = np.arange(len(summary))
    ax.bar(x, summary["revenue"], color="#4C72B0", label=label("revenue", lang))
    ax.set_ylabel(label("revenue", lang))
    money_axis(ax.yaxis, lang)
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], summary["period"].iloc[::step], rotation=45, ha="right")
    ax.set_xlabel(label("period", lang))
    twin = ax.twinx()
    twin.plot(x, summary["customers"], color="#DD8452", marker="o", ms=3,
              label=label("customers", lang))
    twin.set_ylabel(label("customers", lang))
    count_axis(twin.yaxis)
    twin.set_ylim(bottom=0)  # counts from zero, so a small change does not look like a collapse
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    # above the axes, clear of the bars and the line
    twin.legend(handles, [h.get_label() for h in handles], loc="lower left", bbox_to_anchor=(0, 1.01), ncol=2,
                frameon=False)
    return ax


def plot_distribution(values: pd.Series, *, key: str, lang: str = "en", log: bool = True, money: bool = False,
                      ax=None):
    """Histogram of a positive, skewed quantity (log-spaced bins by default).

    Parameters
    ----------
    values : pandas.Series
    key : str
        Label key of the quantity (e.g. ``"order_value"``).
    lang : {"zh", "en"}
    log : bool
        Log-spaced bins and a log x axis; non-positive values are counted in the title.
    money : bool
        The values are amounts: x ticks as :func:`~workbench.plotting.base.compact_money`
        (otherwise plain numbers with thousands separators).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    No external reference; a histogram with 40 bins (log-spaced by default, for
    money and counts that span orders of magnitude).
    """
    fig, ax = new_figure(ax, figsize=(6, 4))
    values = pd.Series(values, dtype=float).dropna()
    title = label(key, lang)
    if log:
        positive = values[values > 0]
        dropped = len(values) - len(positive)
        if len(positive):
            bins = np.geomspace(positive.min(), positive.max() * 1.0001, 40)
            ax.hist(positive, bins=bins, color="#55A868")
            ax.set_xscale("log")
        if dropped:
            title += label("non_positive_not_shown", lang).format(n=dropped)
    else:
        ax.hist(values, bins=40, color="#55A868")
    if money:
        money_axis(ax.xaxis, lang)
    else:
        count_axis(ax.xaxis)
    count_axis(ax.yaxis)
    ax.set_title(title)
    ax.set_ylabel(label("count", lang))
    return ax


def plot_item_means(items: pd.DataFrame, *, lang: str = "en", ax=None):
    """Horizontal bars of item means with ±1 SD, in questionnaire order.

    Parameters
    ----------
    items : pandas.DataFrame
        From :func:`workbench.overview.survey_overview` (``item``, ``mean``, ``sd``).
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    No external reference; draws :func:`workbench.overview.survey_overview` (item means
    and SDs on the items' own Likert scale).
    """
    fig, ax = new_figure(ax, figsize=(6, max(3.0, 0.28 * len(items))))
    y = np.arange(len(items))
    ax.barh(y, items["mean"], xerr=items["sd"], color="#8172B3", ecolor="#555555", capsize=2)
    ax.set_yticks(y, items["item"])
    ax.invert_yaxis()
    ax.set_xlabel(label("mean", lang))
    return ax
