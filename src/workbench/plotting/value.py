"""Figures of the customer-value methods (notebook 01); each draws a result of
:mod:`workbench.value` and never recomputes it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench._validation import _require_columns, _require_result
from workbench.labels import label
from workbench.plotting.base import new_figure, share_axis

_HINT_VALUE = "pass the result of the matching workbench.value function"

__all__ = [
    "plot_abc_summary",
    "plot_eight_classes",
    "plot_key_accounts",
    "plot_lorenz",
    "plot_rfm_segments",
    "plot_value_matrix",
]

_CLASS_COLOURS = {"A": "#C44E52", "B": "#DD8452", "C": "#8C8C8C"}
_QUADRANT_COLOURS = {"key": "#C44E52", "maintain": "#4C72B0", "develop": "#55A868", "minimise_cost": "#8C8C8C"}


def plot_lorenz(abc: pd.DataFrame, *, cuts=(0.8, 0.95), gini: float | None = None, lang: str = "en", ax=None):
    """Pareto chart: cumulative value share against customer share, largest customers first.

    Parameters
    ----------
    abc : pandas.DataFrame
        From :func:`workbench.value.abc_classes`.
    cuts : tuple of float
        The ABC cuts, drawn as horizontal guides.
    gini : float, optional
        Shown in the legend when given.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The curve is the Lorenz curve (Lorenz 1905, :func:`workbench.value.lorenz_curve`)
    read from the top: :math:`(p, 1 - L(1 - p))`. Dotted vertical lines mark where
    classes A and B end, horizontal guides the cuts.

    References
    ----------
    Draws the result of :func:`workbench.value.abc_classes`: the Pareto (ABC) chart of
    the Chinese CRM textbooks' ABC分类法.
    """
    _require_columns(abc, ["customer_share", "cumulative_share", "abc_class"], "plot_lorenz", hint=_HINT_VALUE)
    fig, ax = new_figure(ax, figsize=(6, 5))
    x = np.concatenate([[0.0], abc["customer_share"].to_numpy()])
    y = np.concatenate([[0.0], abc["cumulative_share"].to_numpy()])
    name = label("cumulative_share", lang)
    if gini is not None:
        name += f" ({label('gini', lang)} = {gini:.3f})"
    ax.plot(x, y, color="#4C72B0", lw=2, label=name)
    ax.plot([0, 1], [0, 1], color="#999999", ls="--", lw=1, label=label("equality_line", lang))
    for cls in ("A", "B"):
        part = abc[abc["abc_class"] == cls]
        if len(part):
            ax.axvline(part["customer_share"].iloc[-1], color=_CLASS_COLOURS[cls], ls=":", lw=1)
    for cut in cuts:
        ax.axhline(cut, color="#BBBBBB", lw=0.8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    share_axis(ax.xaxis)
    share_axis(ax.yaxis)
    ax.set_xlabel(label("customer_share", lang))
    ax.set_ylabel(label("cumulative_share", lang))
    ax.legend(loc="lower right", frameon=False)
    return ax


def plot_abc_summary(summary: pd.DataFrame, *, lang: str = "en", ax=None):
    """Customer share and value share side by side per ABC class.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`workbench.value.abc_summary`.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws the result of :func:`workbench.value.abc_summary`; bars are labelled in
    percent.
    """
    _require_columns(summary, ["abc_class", "customer_share", "value_share"], "plot_abc_summary", hint=_HINT_VALUE)
    fig, ax = new_figure(ax, figsize=(6, 4))
    x = np.arange(len(summary))
    ax.bar(x - 0.2, summary["customer_share"], width=0.4, color="#8C8C8C", label=label("customer_share", lang))
    ax.bar(x + 0.2, summary["value_share"], width=0.4,
           color=[_CLASS_COLOURS.get(str(c), "#4C72B0") for c in summary["abc_class"]],
           label=label("value_share", lang))
    for xi, cs, vs in zip(x, summary["customer_share"], summary["value_share"], strict=True):
        ax.text(xi - 0.2, cs, f"{cs:.0%}", ha="center", va="bottom", fontsize=8)
        ax.text(xi + 0.2, vs, f"{vs:.0%}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [label(str(c), lang) for c in summary["abc_class"]])
    ax.set_xlabel(label("abc_class", lang))
    ax.set_ylabel(label("share", lang))
    share_axis(ax.yaxis)
    ax.legend(frameon=False)
    return ax


def _share_bars(summary: pd.DataFrame, by: str, lang: str, ax, title_key: str):
    fig, ax = new_figure(ax, figsize=(7, max(3.0, 0.4 * len(summary) + 1)))
    y = np.arange(len(summary))
    ax.barh(y - 0.2, summary["customer_share"], height=0.4, color="#8C8C8C", label=label("customer_share", lang))
    ax.barh(y + 0.2, summary["revenue_share"], height=0.4, color="#4C72B0", label=label("revenue_share", lang))
    ax.set_yticks(y, [label(str(s), lang) for s in summary[by]])
    ax.invert_yaxis()
    ax.set_xlabel(label("share", lang))
    share_axis(ax.xaxis)
    ax.set_title(label(title_key, lang))
    # below the axes: inside, the legend would sit on the longest bar of the last rows
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    return ax


def plot_rfm_segments(summary: pd.DataFrame, *, lang: str = "en", ax=None):
    """Customer share and revenue share per named RFM segment (horizontal bars).

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`workbench.value.rfm_segment_summary` on :func:`~workbench.value.rfm_scores`.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.value.rfm_segment_summary`: the named segments of the RFM
    segment grid (Putler; see :func:`workbench.value.rfm_scores`).
    """
    _require_columns(summary, ["segment", "customer_share", "revenue_share"], "plot_rfm_segments", hint=_HINT_VALUE)
    return _share_bars(summary, "segment", lang, ax, "segment")


def plot_eight_classes(summary: pd.DataFrame, *, lang: str = "en", ax=None):
    """Customer share and revenue share per class of the 8-class RFM scheme.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`workbench.value.rfm_segment_summary` on
        :func:`~workbench.value.rfm_eight_classes`.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.value.rfm_segment_summary`: the Chinese 8-class RFM scheme
    (see :func:`workbench.value.rfm_eight_classes`).
    """
    _require_columns(summary, ["rfm_class", "customer_share", "revenue_share"], "plot_eight_classes", hint=_HINT_VALUE)
    return _share_bars(summary, "rfm_class", lang, ax, "rfm_class")


def plot_value_matrix(matrix, *, lang: str = "en", ax=None, max_points: int = 5000):
    """Current-value score against growth-potential score, coloured by quadrant.

    Quadrant lines are drawn only when the matrix was not split by group
    (``matrix.by`` is None), midway between the highest "low" and the lowest "high"
    score; with a ``by`` split the colours carry the quadrants.

    Parameters
    ----------
    matrix : workbench.value.ValueMatrix
        From :func:`workbench.value.value_matrix`.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional
    max_points : int
        Larger matrices are drawn from a fixed, evenly spaced subset of rows (the
        legend gives the total counts).

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws the result of :func:`workbench.value.value_matrix`: the customer value
    matrix (客户价值细分矩阵) of current value against growth potential.
    """
    by = _require_result(matrix, "customers", "plot_value_matrix", "workbench.value.value_matrix").by
    matrix = matrix.customers
    _require_columns(matrix, ["current_score", "potential_score", "quadrant", "current_high", "potential_high"],
                   "plot_value_matrix", hint=_HINT_VALUE)
    fig, ax = new_figure(ax, figsize=(6, 5.5))
    data = matrix
    if len(data) > max_points:
        data = data.iloc[np.linspace(0, len(data) - 1, max_points).astype(int)]
    counts = matrix["quadrant"].value_counts()
    for code, colour in _QUADRANT_COLOURS.items():
        part = data[data["quadrant"] == code]
        ax.scatter(part["current_score"], part["potential_score"], s=10, alpha=0.6, color=colour,
                   label=f"{label(code, lang)} ({int(counts.get(code, 0)):,})")
    if by is None:
        low_c = matrix.loc[~matrix["current_high"], "current_score"]
        high_c = matrix.loc[matrix["current_high"], "current_score"]
        low_p = matrix.loc[~matrix["potential_high"], "potential_score"]
        high_p = matrix.loc[matrix["potential_high"], "potential_score"]
        if len(low_c) and len(high_c):
            ax.axvline((low_c.max() + high_c.min()) / 2, color="#555555", lw=1, ls="--")
        if len(low_p) and len(high_p):
            ax.axhline((low_p.max() + high_p.min()) / 2, color="#555555", lw=1, ls="--")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(label("current_score", lang))
    ax.set_ylabel(label("potential_score", lang))
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def plot_key_accounts(scores, *, top_n: int = 20, lang: str = "en", ax=None):
    r"""Stacked bars of the weighted criterion contributions of the top customers.

    Parameters
    ----------
    scores : workbench.value.KeyAccountScores
        From :func:`workbench.value.key_account_scores` (its ``weights`` split each
        score into criterion contributions).
    top_n : int
        Number of customers shown.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Bar segments are :math:`100\, w_j x'_{ij}`, so each bar's length is the score
    :math:`S_i` (0-100).

    References
    ----------
    Draws the result of :func:`workbench.value.key_account_scores` (weighted scoring
    with AHP or entropy weights).
    """
    weights = _require_result(scores, "weights", "plot_key_accounts", "workbench.value.key_account_scores").weights
    scores = scores.customers
    _require_columns(scores, ["customer_id", "score", "rank"], "plot_key_accounts", hint=_HINT_VALUE)
    top = scores.sort_values("rank", kind="stable").head(top_n)
    fig, ax = new_figure(ax, figsize=(7, max(3.0, 0.3 * len(top) + 1)))
    y = np.arange(len(top))
    left = np.zeros(len(top))
    palette = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3"]
    if all(f"{c}_norm" in top.columns for c in weights.index):
        for i, (crit, w) in enumerate(weights.items()):
            part = 100.0 * w * top[f"{crit}_norm"].to_numpy()
            ax.barh(y, part, left=left, color=palette[i % len(palette)], label=label(crit, lang))
            left += part
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    else:
        ax.barh(y, top["score"], color="#4C72B0")
    ax.set_yticks(y, top["customer_id"].astype(str))
    ax.invert_yaxis()
    ax.set_xlabel(label("score", lang))
    return ax
