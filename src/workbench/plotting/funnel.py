"""Figures of the sales funnel: the funnel, time in stage, win rates, pipeline, costs, lost deals.

Each function draws a result of :mod:`workbench.funnel`; none recomputes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench._validation import _require_columns
from workbench.labels import label
from workbench.plotting.base import compact_money, money_axis, new_figure, share_axis

__all__ = [
    "plot_acquisition_vs_retention",
    "plot_funnel",
    "plot_lost_reasons",
    "plot_pipeline",
    "plot_time_in_stage",
    "plot_win_rates",
]

_BLUE, _ORANGE, _GREY, _RED = "#4C72B0", "#DD8452", "#8C8C8C", "#C44E52"
_STAGE_COLOURS = ("#8172B3", "#4C72B0", "#64B5CD", "#8C8C8C", "#CCB974", "#DD8452")
_WON = "#2E7D32"


def plot_funnel(conversion: pd.DataFrame, *, won_stage: str = "closed_won", lang: str = "en", ax=None):
    """The sales funnel: opportunities entering each stage, and won, as centred bars.

    Parameters
    ----------
    conversion : pandas.DataFrame
        From :func:`workbench.funnel.stage_conversion` without ``by``.
    won_stage : str, default "closed_won"
        Code (label key) of the bar of won deals.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Each bar is labelled with its count and share of the first stage; between two bars
    stands the stage's conversion with open deals left out (``conversion``), which is
    higher than the ratio of the bars while many deals are still open.

    References
    ----------
    Draws :func:`workbench.funnel.stage_conversion`; the funnel of the CRM lecture
    (of 100 prospects perhaps 50 reach talks and 5 close).
    """
    _require_columns(conversion, ["funnel_stage", "entered", "advanced", "conversion"], "plot_funnel")
    stages = [*conversion["funnel_stage"].astype(str), won_stage]
    counts = np.array([*conversion["entered"], conversion["advanced"].iloc[-1]], dtype=float)
    fig, ax = new_figure(ax, figsize=(7.5, 0.75 * len(stages) + 1.2))
    y = np.arange(len(stages))[::-1]
    widest = counts.max() if counts.max() > 0 else 1.0
    colours = [_STAGE_COLOURS[i % len(_STAGE_COLOURS)] for i in range(len(stages) - 1)] + [_WON]
    ax.barh(y, counts, left=-counts / 2, color=colours, height=0.7)
    for yi, n in zip(y, counts, strict=True):
        share = n / counts[0] if counts[0] else np.nan
        inside = n > 0.25 * widest
        ax.text(0 if inside else n / 2 + widest * 0.02, yi, f"{n:,.0f}  ({share:.0%})",
                ha="center" if inside else "left", va="center", color="white" if inside else "black", fontsize=10)
    for i, c in enumerate(conversion["conversion"]):
        if np.isfinite(c):  # between the bar of the stage and the next one
            ax.text(0, y[i] - 0.5, f"↓ {c:.0%}", ha="center", va="center", color="#333333", fontsize=9)
    ax.set_yticks(y, [label(s, lang) for s in stages])
    ax.set_xlim(-widest * 0.55, widest * 0.55)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(label("funnel_chart", lang))
    ax.set_xlabel(label("funnel_chart_note", lang), fontsize=8, color=_GREY)
    return ax


def plot_time_in_stage(time, *, lang: str = "en", ax=None):
    """Share of opportunities still in each stage after so many days (Kaplan-Meier).

    Parameters
    ----------
    time : workbench.funnel.TimeInStage
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.funnel.time_in_stage` (Kaplan & Meier 1958).
    """
    curves = time.curves
    _require_columns(curves, ["funnel_stage", "days", "remaining", "ci_lower", "ci_upper"], "plot_time_in_stage")
    _, ax = new_figure(ax)
    for i, (stage, part) in enumerate(curves.groupby("funnel_stage", sort=False)):
        colour = _STAGE_COLOURS[i % len(_STAGE_COLOURS)]
        ax.step(part["days"], part["remaining"], where="post", color=colour, label=label(str(stage), lang))
        ax.fill_between(part["days"], part["ci_lower"], part["ci_upper"], step="post", color=colour, alpha=0.15)
    ax.axhline(0.5, color=_GREY, linewidth=0.8, linestyle=":")
    ax.set_xlabel(label("days", lang))
    ax.set_ylabel(label("remaining", lang))
    ax.set_ylim(0, 1.02)
    ax.legend(title=label("funnel_stage", lang))
    ax.set_title(label("time_in_stage", lang))
    return ax


def plot_win_rates(table: pd.DataFrame, *, by: str, lang: str = "en", rate: str = "win_rate",
                   lower: str = "ci_lower", upper: str = "ci_upper", reference: float | None = None, ax=None):
    """Win rate per group with its confidence interval, as points with error bars.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.funnel.win_rates` (or ``man_win_rates().table``) by ``by``.
    by : str
        The group column.
    lang : {"zh", "en"}
    rate, lower, upper : str
        Columns of the rate and its interval (``p_win`` and ``p_win_ci_lower`` /
        ``p_win_ci_upper`` for the censoring-aware chance of a new lead).
    reference : float, optional
        The rate of all opportunities, drawn as a dashed line to compare groups with.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.funnel.win_rates`; intervals by Wilson (1927) or
    Clopper-Pearson (1934).
    """
    _require_columns(table, [by, rate, lower, upper], "plot_win_rates")
    data = table.dropna(subset=[rate]).reset_index(drop=True)
    _, ax = new_figure(ax, figsize=(7.0, 0.45 * len(data) + 1.5))
    y = np.arange(len(data))[::-1]
    ax.errorbar(data[rate], y, xerr=[data[rate] - data[lower], data[upper] - data[rate]], fmt="o",
                color=_BLUE, ecolor=_GREY, capsize=3)
    if reference is not None and np.isfinite(reference):
        ax.axvline(reference, color=_RED, linestyle="--", linewidth=1, label=label("all_deals", lang))
        ax.legend(loc="lower right")
    ax.set_yticks(y, [label(str(g), lang) for g in data[by]])
    share_axis(ax.xaxis)
    ax.set_xlim(left=0)
    ax.set_xlabel(label(rate, lang))
    ax.set_ylabel(label(by, lang))
    ax.set_title(f"{label(rate, lang)} · {label(by, lang)}")
    return ax


def plot_pipeline(pipeline, *, lang: str = "en", ax=None):
    """Open pipeline per stage: the deals' expected value and the value weighted by p(win).

    Parameters
    ----------
    pipeline : workbench.funnel.PipelineValue
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.funnel.pipeline_value`.
    """
    by_stage = pipeline.by_stage
    _require_columns(by_stage, ["funnel_stage", "expected_value", "weighted_value"], "plot_pipeline")
    _, ax = new_figure(ax)
    x = np.arange(len(by_stage))
    ax.bar(x - 0.2, by_stage["expected_value"], width=0.4, color=_GREY, alpha=0.6,
           label=label("expected_value", lang))
    ax.bar(x + 0.2, by_stage["weighted_value"], width=0.4, color=_BLUE, label=label("weighted_value", lang))
    ax.set_xticks(x, [label(str(s), lang) for s in by_stage["funnel_stage"]])
    money_axis(ax.yaxis, lang)
    ax.legend()
    total = pipeline.total
    ax.set_title(f"{label('pipeline_value', lang)}: {compact_money(total['weighted_value'], lang)} "
                 f"({compact_money(total['ci_lower'], lang)} - {compact_money(total['ci_upper'], lang)})")
    return ax


def plot_acquisition_vs_retention(table: pd.DataFrame, *, by: str = "group", lang: str = "en", ax=None):
    """Acquisition cost per customer won over retention cost per customer-year, per group.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.funnel.acquisition_vs_retention` (``cost_ratio``,
        ``rule_of_thumb``).
    by : str, default "group"
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.funnel.acquisition_vs_retention`; the lecture's "about five
    times" as a dashed line.
    """
    _require_columns(table, [by, "cost_ratio", "rule_of_thumb"], "plot_acquisition_vs_retention")
    data = table.dropna(subset=["cost_ratio"]).reset_index(drop=True)
    _, ax = new_figure(ax)
    x = np.arange(len(data))
    rule = float(data["rule_of_thumb"].iloc[0]) if len(data) else 5.0
    colours = [_ORANGE if r > rule else _BLUE for r in data["cost_ratio"]]
    ax.bar(x, data["cost_ratio"], color=colours)
    for xi, r in zip(x, data["cost_ratio"], strict=True):
        ax.text(xi, r, f"{r:.1f}×", ha="center", va="bottom", fontsize=9)
    ax.axhline(rule, color=_RED, linestyle="--", linewidth=1, label=label("rule_of_thumb", lang))
    ax.set_xticks(x, [label(str(g), lang) for g in data[by]])
    ax.set_ylabel(label("cost_ratio", lang))
    ax.legend()
    ax.set_title(label("acquisition_vs_retention", lang))
    return ax


def plot_lost_reasons(lost, *, lang: str = "en", ax=None):
    """Lost deals by group of reason beside the lecture's churn-reason shares.

    Parameters
    ----------
    lost : workbench.funnel.LostReasons
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.funnel.lost_reasons`; reference shares of the lecture's
    churn table (customer 4 %, firm 87 %, third parties 9 %).
    """
    groups = lost.groups
    _require_columns(groups, ["group", "share", "reference_share"], "plot_lost_reasons")
    _, ax = new_figure(ax)
    x = np.arange(len(groups))
    ax.bar(x - 0.2, groups["share"], width=0.4, color=_BLUE, label=label("lost_deal_share", lang))
    ax.bar(x + 0.2, groups["reference_share"].fillna(0), width=0.4, color=_GREY, alpha=0.6,
           label=label("reference_share", lang))
    ax.set_xticks(x, [label(str(g), lang) for g in groups["group"]])
    share_axis(ax.yaxis)
    ax.legend()
    ax.set_title(label("lost_reasons", lang))
    return ax
