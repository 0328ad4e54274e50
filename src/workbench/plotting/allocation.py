"""Figures of the sales-resource allocation (notebook 05).

Each function draws a result of :mod:`workbench.allocation`; none recomputes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench._validation import _require_columns
from workbench.labels import label
from workbench.plotting.base import compact_money, money_axis, new_figure, share_axis

_HINT_ALLOCATION = "pass the matching workbench.allocation result"

__all__ = [
    "plot_budget_curve",
    "plot_elasticities",
    "plot_input_output",
    "plot_plan_gp",
    "plot_plan_shares",
    "plot_residuals",
    "plot_share_gap",
    "plot_spend_shift",
]

_PLAN_COLOURS = {"current": "#8C8C8C", "optimal": "#C44E52", "uniform": "#4C72B0"}
_GROUP_COLOURS = {"key": "#C44E52", "maintain": "#4C72B0", "develop": "#55A868", "minimise_cost": "#8C8C8C",
                  "A": "#C44E52", "B": "#DD8452", "C": "#8C8C8C"}
_PALETTE = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C"]
_ORDER = ["key", "maintain", "develop", "minimise_cost", "A", "B", "C", "power", "construction", "oem",
          "distributor"]


def _ordered(groups) -> list[str]:
    groups = [str(g) for g in pd.unique(pd.Series(list(groups)))]
    return sorted(groups, key=lambda g: (_ORDER.index(g) if g in _ORDER else len(_ORDER), g))


def _colour(group: str, i: int) -> str:
    return _GROUP_COLOURS.get(group, _PALETTE[i % len(_PALETTE)])


def plot_input_output(io: pd.DataFrame, *, dimension: str = "overall", value: str = "gp_per_expense",
                      lang: str = "en", ax=None):
    """The input/output ratio by year, one line per group of a dimension.

    Parameters
    ----------
    io : pandas.DataFrame
        From :func:`workbench.allocation.input_output`.
    dimension : str, default "overall"
        Which dimension's groups to draw (``overall``, ``industry``, ``quadrant``...).
    value : {"gp_per_expense", "revenue_per_expense"}
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.allocation.input_output`: the thesis' input/output ratio of
    sales expense (销售费用投入产出比) per year; each point is labelled with its value.
    """
    _require_columns(io, ["dimension", "group", "year", value], "plot_input_output", hint=_HINT_ALLOCATION)
    part = io[io["dimension"] == dimension]
    if part.empty:
        raise ValueError(f"plot_input_output: no dimension {dimension!r}; have {sorted(set(io['dimension']))}")
    _, ax = new_figure(ax)
    for i, group in enumerate(_ordered(part["group"])):
        line = part[part["group"] == group].sort_values("year")
        name = label("overall", lang) if dimension == "overall" else label(group, lang)
        ax.plot(line["year"], line[value], marker="o", color=_colour(group, i) if dimension != "overall"
                else "#C44E52", label=name)
        if dimension == "overall" or part["group"].nunique() <= 2:
            for x, y in zip(line["year"], line[value], strict=True):
                ax.annotate(f"{y:.2f}", (x, y), textcoords="offset points", xytext=(0, 7), ha="center",
                            fontsize=8)
    ax.set_xticks(sorted(part["year"].unique()))
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(label(value, lang))
    ax.set_ylim(bottom=0)
    ax.set_title(f"{label(value, lang)} · {label(dimension, lang)}")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_share_gap(io: pd.DataFrame, *, dimension: str = "quadrant", year: int | None = None,
                   lang: str = "en", ax=None):
    """Each group's share of sales expense against its share of gross profit in one year.

    Parameters
    ----------
    io : pandas.DataFrame
        From :func:`workbench.allocation.input_output`.
    dimension : str, default "quadrant"
    year : int, optional
        Default: the last year.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.allocation.input_output`; spend that follows value puts the
    two bars of every group at the same height.
    """
    _require_columns(io, ["dimension", "group", "year", "expense_share", "gp_share"], "plot_share_gap",
                     hint=_HINT_ALLOCATION)
    part = io[io["dimension"] == dimension]
    if part.empty:
        raise ValueError(f"plot_share_gap: no dimension {dimension!r}; have {sorted(set(io['dimension']))}")
    year = int(part["year"].max()) if year is None else int(year)
    part = part[part["year"] == year].set_index("group").reindex(_ordered(part["group"]))
    _, ax = new_figure(ax)
    pos = np.arange(len(part))
    ax.barh(pos - 0.2, part["expense_share"], height=0.4, color="#8C8C8C", label=label("expense_share", lang))
    ax.barh(pos + 0.2, part["gp_share"], height=0.4, color="#C44E52", label=label("gp_share", lang))
    for p, (e, g) in enumerate(zip(part["expense_share"], part["gp_share"], strict=True)):
        ax.annotate(f"{e:.0%}", (e, p - 0.2), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        ax.annotate(f"{g:.0%}", (g, p + 0.2), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(pos, [label(g, lang) for g in part.index])
    ax.invert_yaxis()
    share_axis(ax.xaxis)
    ax.set_xlim(0, max(1e-9, float(np.nanmax(part[["expense_share", "gp_share"]].to_numpy()))) * 1.18)
    ax.set_xlabel(label("share", lang))
    ax.set_title(f"{label(dimension, lang)} · {year}")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3, axis="x")
    return ax


def plot_elasticities(table: pd.DataFrame, *, lang: str = "en", ax=None):
    """Estimated response coefficient per group with its interval (and the truth if known).

    Parameters
    ----------
    table : pandas.DataFrame
        ``ResponseEstimate.estimates`` or the result of
        :func:`workbench.allocation.elasticities_against_truth` (adds ``truth``).
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.allocation.estimate_response` (within estimator, cluster-robust
    t intervals); hollow markers are groups on the pooled estimate.
    """
    _require_columns(table, ["segment", "elasticity", "ci_low", "ci_high"], "plot_elasticities", hint=_HINT_ALLOCATION)
    part = table[table["segment"] != "all"].set_index("segment")
    part = part.reindex(_ordered(part.index))
    _, ax = new_figure(ax, figsize=(7.0, 0.6 * len(part) + 2.0))
    pos = np.arange(len(part))
    pooled = part["source"].eq("pooled_estimate").to_numpy() if "source" in part else np.zeros(len(part), bool)
    ax.errorbar(part["elasticity"], pos, fmt="none", ecolor="#4C72B0", capsize=4,
                xerr=[part["elasticity"] - part["ci_low"], part["ci_high"] - part["elasticity"]])
    ax.scatter(part["elasticity"][~pooled], pos[~pooled], color="#4C72B0", zorder=3, label=label("estimate", lang))
    if pooled.any():
        ax.scatter(part["elasticity"][pooled], pos[pooled], facecolor="white", edgecolor="#4C72B0", zorder=3,
                   label=label("pooled_estimate", lang))
    if "truth" in part:
        ax.scatter(part["truth"], pos, marker="x", color="#C44E52", s=60, zorder=4, label=label("truth", lang))
    for p, (b, lo, hi) in enumerate(zip(part["elasticity"], part["ci_low"], part["ci_high"], strict=True)):
        ax.annotate(f"{b:.2f} [{lo:.2f}, {hi:.2f}]", (hi, p), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(pos, [label(g, lang) for g in part.index])
    ax.invert_yaxis()
    ax.set_xlim(min(0.0, float(part["ci_low"].min())), float(part["ci_high"].max()) * 1.45)
    ax.set_xlabel(label("elasticity", lang))
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3, axis="x")
    return ax


def plot_residuals(estimate, *, lang: str = "en", ax=None, max_points: int = 5000):
    """Residuals of the response fit against fitted values, one colour per group.

    Parameters
    ----------
    estimate : ResponseEstimate
        From :func:`workbench.allocation.estimate_response`.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional
    max_points : int, default 5000
        At most this many points (an evenly spaced subset of the rows, so the figure
        stays readable and deterministic).

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    The residual-versus-fitted plot of regression diagnostics (e.g. Wooldridge 2010);
    structure (a curve, a funnel) says the form or the constant variance fails.
    """
    frame = estimate.residuals
    _require_columns(frame, ["segment", "fitted", "residual"], "plot_residuals", hint=_HINT_ALLOCATION)
    if len(frame) > max_points:
        frame = frame.iloc[np.linspace(0, len(frame) - 1, max_points).astype(int)]
    _, ax = new_figure(ax)
    for i, group in enumerate(_ordered(frame["segment"])):
        part = frame[frame["segment"] == group]
        ax.scatter(part["fitted"], part["residual"], s=6, alpha=0.5, color=_colour(group, i), label=label(group, lang))
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel(label("fitted_log_gp" if estimate.form == "power" else "fitted_gp", lang))
    ax.set_ylabel(label("residual", lang))
    ax.legend(fontsize=8, markerscale=2)
    ax.grid(alpha=0.3)
    return ax


def plot_plan_gp(comparison, *, lang: str = "en", ax=None):
    """Expected gross profit of the current, optimal and uniform plans, with intervals.

    Parameters
    ----------
    comparison : PlanComparison
        From :func:`workbench.allocation.compare_plans`.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.allocation.compare_plans`; error bars are the parametric
    bootstrap percentile intervals, labels the input/output ratio of each plan.
    """
    summary = comparison.summary
    _require_columns(summary, ["plan", "expected_gp", "gp_low", "gp_high", "gp_per_expense"], "plot_plan_gp",
                     hint=_HINT_ALLOCATION)
    _, ax = new_figure(ax)
    pos = np.arange(len(summary))
    colours = [_PLAN_COLOURS.get(p, "#4C72B0") for p in summary["plan"]]
    ax.bar(pos, summary["expected_gp"], color=colours, width=0.6)
    if summary["gp_low"].notna().any():
        ax.errorbar(pos, summary["expected_gp"], yerr=[summary["expected_gp"] - summary["gp_low"],
                                                        summary["gp_high"] - summary["expected_gp"]],
                    fmt="none", ecolor="black", capsize=5)
    for p, row in zip(pos, summary.itertuples(), strict=True):
        text = f"{compact_money(row.expected_gp, lang)}\n{label('gp_per_expense_short', lang)} {row.gp_per_expense:.2f}"
        top = row.gp_high if np.isfinite(row.gp_high) else row.expected_gp
        ax.annotate(text, (p, top), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(pos, [label(p, lang) for p in summary["plan"]])
    ax.set_ylabel(label("expected_gp", lang))
    money_axis(ax.yaxis, lang)
    ax.set_ylim(0, float(np.nanmax(summary[["expected_gp", "gp_high"]].to_numpy())) * 1.2)
    ax.grid(alpha=0.3, axis="y")
    return ax


def plot_plan_shares(comparison, *, lang: str = "en", ax=None):
    """Each group's share of the budget under the three plans (interval: re-optimised draws).

    Parameters
    ----------
    comparison : PlanComparison
        From :func:`workbench.allocation.compare_plans`.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws :func:`workbench.allocation.compare_plans` (``by_group`` and ``movement``):
    the error bar on the optimal plan is the range of its share over the plans
    re-optimised under each bootstrap draw of the response.
    """
    by_group, movement = comparison.by_group, comparison.movement
    _require_columns(by_group, ["plan", "group", "spend_share"], "plot_plan_shares", hint=_HINT_ALLOCATION)
    groups = _ordered(by_group["group"])
    plans = list(pd.unique(by_group["plan"]))
    _, ax = new_figure(ax)
    width = 0.8 / len(plans)
    pos = np.arange(len(groups))
    for i, plan in enumerate(plans):
        share = by_group[by_group["plan"] == plan].set_index("group")["spend_share"].reindex(groups)
        x = pos - 0.4 + width * (i + 0.5)
        ax.bar(x, share, width=width, color=_PLAN_COLOURS.get(plan, _PALETTE[i]), label=label(plan, lang))
        if plan == "optimal" and movement["share_low"].notna().any():
            m = movement.set_index("group").reindex(groups)
            ax.errorbar(x, share, yerr=[share - m["share_low"], m["share_high"] - share], fmt="none",
                        ecolor="black", capsize=3)
        for xi, s in zip(x, share, strict=True):
            ax.annotate(f"{s:.0%}", (xi, s), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7)
    ax.set_xticks(pos, [label(g, lang) for g in groups], fontsize=8)
    share_axis(ax.yaxis)
    ax.set_ylabel(label("spend_share", lang))
    ax.set_title(label(comparison.by, lang))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    return ax


def plot_budget_curve(curve: pd.DataFrame, *, current: tuple[float, float] | None = None,
                      lang: str = "en", ax=None):
    """Expected gross profit of the optimal plan against the budget, and the last yuan's return.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`workbench.allocation.budget_curve`.
    current : (float, float), optional
        The current plan's (spend, expected gross profit), drawn as a point.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The main Axes (gross profit); the marginal return is on a twin y axis.

    References
    ----------
    Draws :func:`workbench.allocation.budget_curve`; by the envelope theorem the slope of
    the gross-profit curve is the marginal return lambda (dashed line: lambda = 1).
    """
    _require_columns(curve, ["budget", "feasible", "expected_gp", "marginal_return", "gp_after_expense"],
                     "plot_budget_curve", hint=_HINT_ALLOCATION)
    part = curve[curve["feasible"].astype(bool)]
    _, ax = new_figure(ax)
    ax.plot(part["budget"], part["expected_gp"], marker="o", color="#C44E52", label=label("expected_gp", lang))
    ax.plot(part["budget"], part["gp_after_expense"], marker="s", color="#55A868",
            label=label("gp_after_expense", lang))
    if current is not None:
        ax.scatter([current[0]], [current[1]], color="black", zorder=4, label=label("current", lang))
    ax.set_xlabel(label("budget", lang))
    ax.set_ylabel(label("expected_gp", lang))
    money_axis(ax.xaxis, lang)
    money_axis(ax.yaxis, lang)
    ax.set_ylim(bottom=0)
    twin = ax.twinx()
    twin.plot(part["budget"], part["marginal_return"], ls=":", marker=".", color="#4C72B0",
              label=label("marginal_return", lang))
    twin.axhline(1.0, color="#4C72B0", ls="--", lw=0.8)
    twin.set_ylabel(label("marginal_return", lang), color="#4C72B0")
    twin.set_ylim(bottom=0)
    lines = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    ax.grid(alpha=0.3)
    return ax


def plot_spend_shift(plan, *, by: str = "quadrant", lang: str = "en", ax=None):
    """Each customer's planned against current spend (log scales), coloured by group.

    Parameters
    ----------
    plan : AllocationPlan
        From :func:`workbench.allocation.optimal_allocation`.
    by : str, default "quadrant"
        Column of the plan's frame for the colours.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Draws the plan of :func:`workbench.allocation.optimal_allocation`: points above the
    diagonal gain spend, below it lose; customers with no current spend are left out
    of the log scale (counted in the title).
    """
    frame = plan.frame
    _require_columns(frame, ["current_spend", "planned_spend", by], "plot_spend_shift", hint=_HINT_ALLOCATION)
    shown = frame[frame["current_spend"] > 0]
    _, ax = new_figure(ax)
    for i, group in enumerate(_ordered(shown[by].astype(str))):
        part = shown[shown[by].astype(str) == group]
        ax.scatter(part["current_spend"], part["planned_spend"], s=8, alpha=0.6, color=_colour(group, i),
                   label=label(group, lang))
    low = float(min(shown["current_spend"].min(), shown["planned_spend"].min()))
    high = float(max(shown["current_spend"].max(), shown["planned_spend"].max()))
    ax.plot([low, high], [low, high], color="black", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(label("current_spend", lang))
    ax.set_ylabel(label("planned_spend", lang))
    left_out = len(frame) - len(shown)
    if left_out:
        ax.set_title(label("no_current_spend_left_out", lang).format(n=left_out), fontsize=9)
    ax.legend(fontsize=8, markerscale=2)
    ax.grid(alpha=0.3, which="both")
    return ax
