"""Figures of the satisfaction and loyalty notebook (03)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.labels import label
from workbench.plotting.base import new_figure

__all__ = ["plot_path_model", "plot_ipma", "plot_jones_sasser", "plot_nonlinearity"]

_QUADRANT_COLOURS = {"concentrate_here": "#C44E52", "keep_up_the_good_work": "#55A868",
                     "low_priority": "#8C8C8C", "possible_overkill": "#DD8452"}
_CLASS_COLOURS = {"loyalist": "#55A868", "mercenary": "#DD8452", "hostage": "#4C72B0",
                  "defector": "#C44E52"}


def plot_path_model(model, *, bootstrap=None, lang: str = "en", ax=None):
    """Path diagram: constructs in causal layers, arrows labelled with coefficients.

    Parameters
    ----------
    model : PLSPathModel
        Fitted.
    bootstrap : PLSBootstrap, optional
        Adds significance stars (p < 0.05 *, 0.01 **, 0.001 ***).
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    fig, ax = new_figure(ax, figsize=(9, 5))
    spec = model.spec_
    layer = {}
    for c in spec.construct_names:  # causal order: a source is placed before its targets
        layer[c] = 1 + max((layer[s] for s in spec.sources(c)), default=-1)
    pos = {}
    for lv in sorted(set(layer.values())):
        members = [c for c in spec.construct_names if layer[c] == lv]
        # a long causal chain zigzags, so arrows that skip a layer do not overlap
        zig = 0.6 * (1 if lv % 2 else -1) if len(members) == 1 else 0.0
        for k, c in enumerate(members):
            pos[c] = (lv, (len(members) - 1) / 2 - k + zig)
    r2 = model.r2_.set_index("construct")["r2"]
    stars = {}
    if bootstrap is not None:
        for s, t, p in bootstrap.paths[["source", "target", "p_value"]].itertuples(index=False):
            stars[(s, t)] = "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    to_screen, to_data = ax.transData, ax.transData.inverted()
    for s, t, coef in model.paths_[["source", "target", "coefficient"]].itertuples(index=False):
        (x0, y0), (x1, y1) = pos[s], pos[t]
        rad = 0.25 if x1 - x0 > 1 else 0.0
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "->", "color": "#555555", "shrinkA": 22,
                                "shrinkB": 22, "connectionstyle": f"arc3,rad={rad}",
                                "lw": 0.6 + 3 * abs(coef)})
        # label at the middle of the (possibly curved) arrow: arc3 bends in screen space, its
        # control point rad x the chord off the chord's middle, so the curve's middle is half that
        (a, b), (c, d) = to_screen.transform([(x0, y0), (x1, y1)])
        mx, my = to_data.transform(((a + c) / 2 + rad * (d - b) / 2, (b + d) / 2 - rad * (c - a) / 2))
        ax.text(mx, my, f"{coef:.2f}{stars.get((s, t), '')}", ha="center", va="center",
                fontsize=8, color="#333333", bbox={"fc": "white", "ec": "none", "pad": 0.5})
    for c, (x, y) in pos.items():
        text = label(c, lang) + (f"\nR²={r2[c]:.2f}" if c in r2 else "")
        ax.text(x, y, text, ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round", "fc": "#EAF0F8", "ec": "#4C72B0"})
    ax.set_axis_off()
    return ax


def plot_ipma(table: pd.DataFrame, *, lang: str = "en", ax=None):
    """Importance-performance map from :func:`workbench.satisfaction.ipma`.

    Parameters
    ----------
    table : pandas.DataFrame
        The IPMA table (``construct``, ``importance``, ``performance``, ``quadrant``);
        the dashed cross-hairs sit at the mean importance and mean performance, where
        :func:`~workbench.satisfaction.ipma` splits the quadrants.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    fig, ax = new_figure(ax, figsize=(6.5, 5))
    for q, part in table.groupby("quadrant", sort=False):
        ax.scatter(part["importance"], part["performance"], s=80,
                   color=_QUADRANT_COLOURS.get(q, "#4C72B0"), label=label(q, lang))
    for c, x, y in table[["construct", "importance", "performance"]].itertuples(index=False):
        ax.annotate(label(c, lang), (x, y), xytext=(5, 5), textcoords="offset points", fontsize=9)
    ax.axvline(table["importance"].mean(), color="#999999", ls="--", lw=0.8)
    ax.axhline(table["performance"].mean(), color="#999999", ls="--", lw=0.8)
    ax.set_xlabel(label("importance", lang))
    ax.set_ylabel(label("performance", lang))
    ax.legend(frameon=False, fontsize=8, loc="best")
    return ax


def plot_jones_sasser(classes: pd.DataFrame, shares: pd.DataFrame, *, satisfaction: str,
                      loyalty: str, lang: str = "en", ax=None):
    """Satisfaction-loyalty scatter with the Jones & Sasser quadrants and their shares.

    Parameters
    ----------
    classes, shares : DataFrame
        The two results of :func:`workbench.satisfaction.jones_sasser`.
    satisfaction, loyalty : str
        Score columns plotted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    fig, ax = new_figure(ax, figsize=(6, 5.5))
    for cls, part in classes.groupby("class", sort=False):
        ax.scatter(part[satisfaction], part[loyalty], s=14, alpha=0.7,
                   color=_CLASS_COLOURS.get(cls, "#4C72B0"))
    cs, cl = shares["satisfaction_cut"].iloc[0], shares["loyalty_cut"].iloc[0]
    ax.axvline(cs, color="#555555", lw=0.8)
    ax.axhline(cl, color="#555555", lw=0.8)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    where = {"loyalist": (x1, y1, "right", "top"), "mercenary": (x1, y0, "right", "bottom"),
             "hostage": (x0, y1, "left", "top"), "defector": (x0, y0, "left", "bottom")}
    for cls, share in shares[["class", "share"]].itertuples(index=False):
        x, y, ha, va = where[cls]
        ax.text(x, y, f"{label(cls, lang)} {share:.0%}", ha=ha, va=va, fontsize=9,
                color=_CLASS_COLOURS[cls], fontweight="bold")
    ax.set_xlabel(label(satisfaction, lang))
    ax.set_ylabel(label(loyalty, lang))
    return ax


def plot_nonlinearity(result, *, x_label: str = "CUSA", y_label: str = "CUSL",
                      lang: str = "en", ax=None):
    """Loyalty against satisfaction with the linear, quadratic and piecewise fits.

    Parameters
    ----------
    result : NonlinearityResult
    x_label, y_label : str
        Label keys of the axes.
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The threshold is marked only when ``result.nonlinear`` is True; for a linear
        link the piecewise fit's breakpoint is not a finding and is not labelled.
    """
    fig, ax = new_figure(ax, figsize=(7, 4.5))
    ax.scatter(result.data["x"], result.data["y"], s=8, alpha=0.35, color="#8C8C8C")
    styles = {"linear": ("#4C72B0", "-"), "quadratic": ("#55A868", "--"),
              "piecewise": ("#C44E52", "-")}
    for name, (colour, ls) in styles.items():
        ax.plot(result.curve["x"], result.curve[name], color=colour, ls=ls, lw=2,
                label=label(name, lang))
    if result.nonlinear:
        ax.axvline(result.threshold, color="#C44E52", ls=":", lw=1)
        ax.annotate(f"{label('threshold', lang)} {result.threshold:.1f}",
                    (result.threshold, np.nanmax(result.data["y"])), xytext=(4, -12),
                    textcoords="offset points", fontsize=9, color="#C44E52")
    ax.set_xlabel(label(x_label, lang))
    ax.set_ylabel(label(y_label, lang))
    ax.legend(frameon=False, fontsize=8)
    return ax
