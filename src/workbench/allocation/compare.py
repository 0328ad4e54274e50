"""Plans compared: optimal against current and uniform spending, with intervals; the budget
curve; the plan per value-matrix quadrant beside the quadrant strategies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from workbench.allocation.optimise import (
    AllocationPlan,
    _constraints,
    _method,
    _solve,
    uniform_spend,
)
from workbench.allocation.response import POOLED, ResponseCurves, ResponseEstimate, _anchor, _gp, _log_scale
from workbench.parameters import AllocationParameters

__all__ = ["PLANS", "QUADRANT_DIRECTIONS", "PlanComparison", "budget_curve", "budget_for_return", "compare_plans",
           "strategy_summary"]

#: The plans compared, in display order.
PLANS = ("current", "optimal", "uniform")

#: Which way each value-matrix quadrant's spend should move under the thesis' strategies:
#: key customers 重点投入 (invest: more), maintain 维持 (keep, no extra: hold), develop 发展
#: (selective investment: more), minimise cost 最小化成本 (less).
QUADRANT_DIRECTIONS = {"key": "increase", "maintain": "hold", "develop": "increase",
                       "minimise_cost": "decrease"}


@dataclass(frozen=True)
class PlanComparison:
    """Current, optimal and uniform plans side by side; made by :func:`compare_plans`.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per plan (:data:`PLANS`): ``plan``, ``spend``, ``expected_gp``,
        ``gp_low``/``gp_high`` (bootstrap interval), ``gp_per_expense`` (the
        input/output ratio) with ``ratio_low``/``ratio_high``, ``uplift`` (expected gp
        minus the current plan's) with ``uplift_low``/``uplift_high`` and
        ``uplift_pct``, ``customers_more`` and ``customers_less`` (customers whose
        spend rises or falls by more than 1 % against the current plan).
    by_group : pandas.DataFrame
        One row per plan and group of ``by``: ``plan``, ``group``, ``customers``,
        ``spend``, ``spend_share``, ``expected_gp``, ``gp_low``, ``gp_high``,
        ``gp_share``, ``gp_per_expense``.
    movement : pandas.DataFrame
        How the optimal plan moves with the response uncertainty, per group:
        ``group``, ``current_share`` and ``planned_share`` of spend, and
        ``share_low``/``share_high``, the interval of the share over the plans
        re-optimised under each bootstrap draw.
    draws : pandas.DataFrame
        ``draw``, ``plan`` and ``expected_gp`` per bootstrap draw (empty without
        draws).
    p_better : float
        Share of draws in which the optimal plan beats the current one (NaN without
        draws).
    clipped : int
        Draws of a coefficient outside its allowed range, set to the nearest allowed
        value (power: 0.001 or 0.999).
    by : str
    level : float
    n_bootstrap : int

    Examples
    --------
    Two customers with gp = k E**0.5 (k = 1 and 3) and a year effect of 1.1 in 2024:

    >>> import numpy as np, pandas as pd
    >>> from workbench.allocation import AllocationParameters, estimate_response, optimal_allocation, response_curves
    >>> e = np.array([100.0, 400.0, 900.0, 100.0, 400.0, 1600.0])
    >>> k = np.array([1.0, 1.0, 1.0, 3.0, 3.0, 3.0])
    >>> year = np.array([2022, 2023, 2024, 2022, 2023, 2024])
    >>> panel = pd.DataFrame({"customer_id": ["C1"] * 3 + ["C2"] * 3, "year": year,
    ...                       "sales_expense": e, "gross_profit": k * e**0.5 * np.where(year == 2024, 1.1, 1.0),
    ...                       "industry": "oem"})
    >>> estimate = estimate_response(panel, min_customers=2)
    >>> curves = response_curves(estimate, panel, pd.DataFrame({"customer_id": ["C1", "C2"], "industry": "oem"}))
    >>> plan = optimal_allocation(curves, AllocationParameters(budget=2500))
    >>> params = AllocationParameters(budget=2500, n_bootstrap=20, seed=1)
    >>> comparison = compare_plans(curves, estimate, plan, params, by="segment")
    >>> comparison.by_group[["plan", "group", "spend_share"]].round(2)
          plan group  spend_share
    0  current   oem          1.0
    1  optimal   oem          1.0
    2  uniform   oem          1.0
    """

    summary: pd.DataFrame
    by_group: pd.DataFrame
    movement: pd.DataFrame
    draws: pd.DataFrame
    p_better: float
    clipped: int
    by: str
    level: float
    n_bootstrap: int


def _draw_elasticities(estimate: ResponseEstimate, segments: np.ndarray, n: int, rng, form: str):
    """n x groups coefficients and each customer's group: each group's own estimate drawn
    from N(b, se^2), the groups on the pooled estimate sharing one draw of it."""
    coef = estimate.coefficients()
    names = [s for s in coef.index if s != POOLED]
    pooled_draw = coef.loc[POOLED, "elasticity"] + coef.loc[POOLED, "std_error"] * rng.standard_normal(n)
    draws = {}
    for name in names:  # sorted group order, so the same seed gives the same draws
        if coef.loc[name, "source"] == "pooled_estimate":
            draws[name] = pooled_draw
        else:
            draws[name] = coef.loc[name, "elasticity"] + coef.loc[name, "std_error"] * rng.standard_normal(n)
    table = np.column_stack([draws[name] for name in names])
    low, high = (1e-3, 1 - 1e-3) if form == "power" else (1e-9 * max(1.0, np.abs(table).max()), np.inf)
    clipped = int(((table < low) | (table > high)).sum())
    table = np.clip(table, low, high)
    return table, pd.Index(names).get_indexer(segments), clipped


def compare_plans(
    curves: ResponseCurves,
    estimate: ResponseEstimate,
    plan: AllocationPlan,
    params: AllocationParameters | None = None,
    *,
    by: str = "quadrant",
) -> PlanComparison:
    """Expected gross profit of the optimal, current and uniform plans, with intervals.

    Parameters
    ----------
    curves : ResponseCurves
        The curves the plan was made with.
    estimate : ResponseEstimate
        Their estimate (coefficients and standard errors for the bootstrap).
    plan : AllocationPlan
        From :func:`workbench.allocation.optimal_allocation` with ``params``.
    params : AllocationParameters, optional
        ``n_bootstrap``, ``seed``, ``level`` and the constraints (to re-optimise under
        each draw).
    by : str, default "quadrant"
        Column of the curves' frame to break the plans down by.

    Returns
    -------
    PlanComparison

    Raises
    ------
    ValueError
        ``by`` is not a column of the curves' frame, or the plan is not for these
        curves.

    Notes
    -----
    Parametric bootstrap (Efron & Tibshirani 1993, ch. 6): draw each group's coefficient
    from N(b_hat, se^2) (cluster-robust se; groups on the pooled estimate share its
    draw), re-anchor every curve at its customer's current point, and for each draw r
    score the three fixed plans (the intervals of expected gp and of the uplift) and
    re-optimise (how the optimal plan moves). The current plan's expected gp is the
    observed plan-year gp for anchored customers in every draw; the intervals are
    percentile intervals at ``level``. They cover the uncertainty of the response
    coefficients, not the year-to-year noise of gross profit nor a bias of the
    estimate (see :func:`workbench.allocation.estimate_response` on endogeneity).

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman &
    Hall, ch. 6 (parametric bootstrap) and 13 (percentile intervals).

    Examples
    --------
    Two customers with gp = k E**0.5 (k = 1 and 3) and a year effect of 1.1 in 2024:

    >>> import numpy as np, pandas as pd
    >>> from workbench.allocation import AllocationParameters, estimate_response, optimal_allocation, response_curves
    >>> e = np.array([100.0, 400.0, 900.0, 100.0, 400.0, 1600.0])
    >>> k = np.array([1.0, 1.0, 1.0, 3.0, 3.0, 3.0])
    >>> year = np.array([2022, 2023, 2024, 2022, 2023, 2024])
    >>> panel = pd.DataFrame({"customer_id": ["C1"] * 3 + ["C2"] * 3, "year": year,
    ...                       "sales_expense": e, "gross_profit": k * e**0.5 * np.where(year == 2024, 1.1, 1.0),
    ...                       "industry": "oem"})
    >>> estimate = estimate_response(panel, min_customers=2)
    >>> curves = response_curves(estimate, panel, pd.DataFrame({"customer_id": ["C1", "C2"], "industry": "oem"}))
    >>> plan = optimal_allocation(curves, AllocationParameters(budget=2500))
    >>> params = AllocationParameters(budget=2500, n_bootstrap=50, seed=1)
    >>> comparison = compare_plans(curves, estimate, plan, params, by="segment")
    >>> comparison.summary[["plan", "spend", "expected_gp"]].round(1)
          plan   spend  expected_gp
    0  current  2500.0        165.0
    1  optimal  2500.0        173.9
    2  uniform  2500.0        155.6
    """
    params = AllocationParameters() if params is None else params
    frame = curves.frame
    if by not in frame:
        raise ValueError(f"compare_plans: by={by!r} is not a column of the planned customers' frame "
                         f"(columns: {list(frame.columns)})")
    if len(plan.frame) != len(frame) or not (plan.frame["customer_id"].to_numpy()
                                             == frame["customer_id"].to_numpy()).all():
        raise ValueError("compare_plans: the plan was made for other curves (customers differ)")
    spends = {"current": frame["current_spend"].to_numpy(), "optimal": plan.spend,
              "uniform": uniform_spend(curves, plan.budget)}
    groups = frame[by].astype(str).to_numpy()
    names = sorted(set(groups))
    codes = pd.Index(names).get_indexer(groups)
    point = {name: curves.expected_gp(x) for name, x in spends.items()}

    n = params.n_bootstrap
    alpha = (1 - params.level) / 2
    draws_gp = {name: np.full(n, np.nan) for name in spends}
    draws_group = {name: np.full((n, len(names)), np.nan) for name in spends}
    shares = np.full((n, len(names)), np.nan)
    clipped = 0
    if n:
        rng = np.random.default_rng(params.seed)
        table, group_of, clipped = _draw_elasticities(estimate, frame["segment"].to_numpy(), n, rng, curves.form)
        budget, lower, upper, caps = _constraints(curves, params.replace(budget=plan.budget))
        method = _method(plan.method, caps)
        own = (frame["source"] == "own_point").to_numpy()
        seg_codes, _ = pd.factorize(frame["segment"])
        spend_now, gp_now = frame["current_spend"].to_numpy(), frame["current_gp"].to_numpy()
        power = curves.form == "power"
        with np.errstate(divide="ignore", invalid="ignore"):
            log_now = (np.log(spend_now), np.log(gp_now))
            log_x = {name: np.log(x) for name, x in spends.items()}
        # every curve passes through its customer's current point, so the current plan's gp
        # is the same in every draw unless some customers are on a fallback curve
        fixed_current = point["current"] if own.all() else None
        start = np.log(plan.multiplier) if plan.multiplier > 0 and np.isfinite(plan.multiplier) else None
        for r in range(n):
            b = table[r][group_of]
            if power:  # in logs: one exp per plan and draw instead of a power
                log_scale = _log_scale(b, *log_now, own, seg_codes)
                with np.errstate(under="ignore"):
                    gps = {name: fixed_current if name == "current" and fixed_current is not None
                           else np.exp(log_scale + b * lx) for name, lx in log_x.items()}
                x_r, _, _ = _solve(curves.form, None, b, lower, upper, budget, caps, method, log_scale=log_scale,
                                   start=start)
            else:
                scale = _anchor(curves.form, b, spend_now, gp_now, own, seg_codes)
                gps = {name: _gp(curves.form, scale, b, x) for name, x in spends.items()}
                x_r, _, _ = _solve(curves.form, scale, b, lower, upper, budget, caps, method)
            for name, gp in gps.items():
                draws_gp[name][r] = gp.sum()
                draws_group[name][r] = np.bincount(codes, gp, minlength=len(names))
            shares[r] = np.bincount(codes, x_r, minlength=len(names)) / x_r.sum()

    def interval(values):
        if not n:
            return np.nan, np.nan
        return tuple(np.quantile(values, [alpha, 1 - alpha], axis=0))

    rows = []
    current_gp = point["current"].sum()
    for name in PLANS:
        x, gp = spends[name], point[name].sum()
        gp_low, gp_high = interval(draws_gp[name])
        ratio_low, ratio_high = interval(draws_gp[name] / x.sum())
        up_low, up_high = interval(draws_gp[name] - draws_gp["current"])
        change = x - spends["current"]
        moved = np.abs(change) > 0.01 * np.maximum(spends["current"], 1e-9)
        rows.append({"plan": name, "spend": x.sum(), "expected_gp": gp, "gp_low": gp_low, "gp_high": gp_high,
                     "gp_per_expense": gp / x.sum(), "ratio_low": ratio_low, "ratio_high": ratio_high,
                     "uplift": gp - current_gp, "uplift_low": up_low, "uplift_high": up_high,
                     "uplift_pct": (gp - current_gp) / current_gp if current_gp else np.nan,
                     "customers_more": int((moved & (change > 0)).sum()),
                     "customers_less": int((moved & (change < 0)).sum())})
    summary = pd.DataFrame(rows)

    group_rows = []
    for name in PLANS:
        x, gp = spends[name], point[name]
        spend_g = np.bincount(codes, x, minlength=len(names))
        gp_g = np.bincount(codes, gp, minlength=len(names))
        low, high = interval(draws_group[name])
        for i, group in enumerate(names):
            group_rows.append({"plan": name, "group": group, "customers": int((codes == i).sum()),
                               "spend": spend_g[i], "spend_share": spend_g[i] / x.sum(),
                               "expected_gp": gp_g[i],
                               "gp_low": low[i] if n else np.nan, "gp_high": high[i] if n else np.nan,
                               "gp_share": gp_g[i] / gp.sum(),
                               "gp_per_expense": gp_g[i] / spend_g[i] if spend_g[i] > 0 else np.nan})
    by_group = pd.DataFrame(group_rows)
    share_low, share_high = interval(shares)
    current_share = np.bincount(codes, spends["current"], minlength=len(names)) / spends["current"].sum()
    planned_share = np.bincount(codes, plan.spend, minlength=len(names)) / plan.spend.sum()
    movement = pd.DataFrame({"group": names, "current_share": current_share, "planned_share": planned_share,
                             "share_low": share_low if n else np.nan, "share_high": share_high if n else np.nan})
    draws = pd.DataFrame({"draw": np.tile(np.arange(n), len(PLANS)), "plan": np.repeat(PLANS, n),
                          "expected_gp": np.concatenate([draws_gp[p] for p in PLANS])})
    p_better = float(np.mean(draws_gp["optimal"] > draws_gp["current"])) if n else np.nan
    return PlanComparison(summary=summary, by_group=by_group, movement=movement, draws=draws,
                          p_better=p_better, clipped=clipped, by=by, level=params.level, n_bootstrap=n)


def budget_curve(curves: ResponseCurves, params: AllocationParameters | None = None) -> pd.DataFrame:
    """Expected gross profit of the optimal plan against the budget, and the last yuan's return.

    Parameters
    ----------
    curves : ResponseCurves
    params : AllocationParameters, optional
        ``budget_multiples`` times the budget (default: the current total) give the
        budgets; the other constraints stay (caps are shares of each budget).

    Returns
    -------
    pandas.DataFrame
        One row per budget: ``budget_multiple``, ``budget``, ``feasible`` (False
        below the sum of the minimum spends: no plan, the other columns missing),
        ``spend``, ``expected_gp``, ``marginal_return`` (lambda: gross profit of the
        last yuan), ``gp_after_expense`` (expected gp minus spend).

    Notes
    -----
    By the envelope theorem d gp*(B) / dB = lambda(B): the curve's slope is the
    marginal return, which falls as the budget grows (concave responses). While lambda
    > 1 a yuan more of sales expense brings more than a yuan of gross profit, so
    ``gp_after_expense`` still rises; it peaks where lambda = 1.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.allocation import ResponseCurves, AllocationParameters
    >>> curves = ResponseCurves("power", pd.DataFrame({"customer_id": ["C1", "C2"], "segment": "oem",
    ...     "current_spend": [50.0, 50.0], "current_gp": [0.0, 0.0], "elasticity": [0.5, 0.5],
    ...     "response_level": [4.0, 2.0], "source": "own_point"}), 2024, pd.DataFrame())
    >>> curve = budget_curve(curves, AllocationParameters(budget_multiples=(1, 4)))
    >>> curve[["budget", "expected_gp", "marginal_return"]]
       budget  expected_gp  marginal_return
    0   100.0    44.721360         0.223607
    1   400.0    89.442719         0.111803
    """
    params = AllocationParameters() if params is None else params
    base = float(curves.frame["current_spend"].sum()) if params.budget is None else params.budget
    scale, b = curves.frame["response_level"].to_numpy(), curves.frame["elasticity"].to_numpy()
    rows = []
    for multiple in params.budget_multiples:
        budget = multiple * base
        row = {"budget_multiple": multiple, "budget": budget, "feasible": True}
        try:
            budget, lower, upper, caps = _constraints(curves, params.replace(budget=budget))
        except ValueError:
            rows.append({**row, "feasible": False})
            continue
        x, lam, _ = _solve(curves.form, scale, b, lower, upper, budget, caps, _method("auto", caps))
        gp = float(_gp(curves.form, scale, b, x).sum())
        rows.append({**row, "spend": x.sum(), "expected_gp": gp, "marginal_return": lam,
                     "gp_after_expense": gp - x.sum()})
    return pd.DataFrame(rows, columns=["budget_multiple", "budget", "feasible", "spend", "expected_gp",
                                       "marginal_return", "gp_after_expense"])


def strategy_summary(plan: AllocationPlan, *, by: str = "quadrant", tolerance: float = 0.05) -> pd.DataFrame:
    """The plan per value-matrix quadrant beside the direction the quadrant's strategy implies.

    Parameters
    ----------
    plan : AllocationPlan
    by : str, default "quadrant"
        Group column of the plan's frame; a ``strategy`` column, if present, is carried.
    tolerance : float, default 0.05
        A group whose total spend changes by less than this fraction is ``hold``.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group``, ``strategy`` (code, if the frame has one),
        ``customers``, ``current_spend``, ``planned_spend``, ``spend_change``,
        ``current_share`` and ``planned_share`` of spend, ``gp_share_current`` and
        ``gp_share_planned`` (expected), ``direction`` (``increase``, ``hold``,
        ``decrease``), ``thesis_direction`` (:data:`QUADRANT_DIRECTIONS`; missing for
        other groups) and ``agrees`` (direction == thesis direction; missing where no
        thesis direction).

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.allocation import AllocationPlan
    >>> frame = pd.DataFrame({"quadrant": ["key", "minimise_cost"], "current_spend": [50.0, 50.0],
    ...     "planned_spend": [80.0, 20.0], "expected_gp_current": [28.3, 14.1], "expected_gp_planned": [35.8, 8.9]})
    >>> plan = AllocationPlan(frame, 100.0, 100.0, 0.22, {}, "kkt")
    >>> strategy_summary(plan)[["group", "spend_change", "direction", "thesis_direction", "agrees"]]
               group  spend_change direction thesis_direction agrees
    0            key           0.6  increase         increase   True
    1  minimise_cost          -0.6  decrease         decrease   True
    """
    frame = plan.frame
    if by not in frame:
        raise ValueError(f"strategy_summary: by={by!r} is not a column of the plan (columns: {list(frame.columns)})")
    grouped = frame.groupby(frame[by].astype(str), sort=True)
    out = pd.DataFrame({
        "customers": grouped.size(),
        "current_spend": grouped["current_spend"].sum(),
        "planned_spend": grouped["planned_spend"].sum(),
        "gp_current": grouped["expected_gp_current"].sum(),
        "gp_planned": grouped["expected_gp_planned"].sum(),
    })
    out.index.name = "group"
    out = out.reset_index()
    if "strategy" in frame:
        out.insert(1, "strategy", grouped["strategy"].first().astype(str).to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["spend_change"] = out["planned_spend"] / out["current_spend"] - 1
    out["current_share"] = out["current_spend"] / out["current_spend"].sum()
    out["planned_share"] = out["planned_spend"] / out["planned_spend"].sum()
    out["gp_share_current"] = out["gp_current"] / out["gp_current"].sum()
    out["gp_share_planned"] = out["gp_planned"] / out["gp_planned"].sum()
    change = out["spend_change"].to_numpy()
    out["direction"] = np.where(change > tolerance, "increase", np.where(change < -tolerance, "decrease", "hold"))
    out["thesis_direction"] = out["group"].map(QUADRANT_DIRECTIONS).astype("object")
    agrees = (out["direction"] == out["thesis_direction"]).astype("object")
    out["agrees"] = agrees.where(out["thesis_direction"].notna(), pd.NA)
    columns = ["group", *(["strategy"] if "strategy" in out else []), "customers", "current_spend",
               "planned_spend", "spend_change", "current_share", "planned_share", "gp_share_current",
               "gp_share_planned", "direction", "thesis_direction", "agrees"]
    return out[columns]


def budget_for_return(curves: ResponseCurves, params: AllocationParameters | None = None,
                      *, target: float = 1.0) -> float:
    """The budget at which the optimal plan's last yuan returns ``target`` yuan of gross profit.

    Parameters
    ----------
    curves : ResponseCurves
    params : AllocationParameters, optional
        The constraints (the budget itself is what is solved for).
    target : float, default 1.0
        Marginal return wanted; at 1 the plan maximises gross profit after sales expense.

    Returns
    -------
    float
        The budget (currency); NaN when no budget reaches ``target`` (already below it
        at the sum of the minimum spends, or above it when every customer is at its
        upper bound).

    Notes
    -----
    lambda(B) falls as the budget B grows (concave responses), so ``brentq`` on ln B
    between the sum of the lower bounds and the sum of the upper bounds (or 1000 x
    the current budget) finds lambda(B) = target.

    Examples
    --------
    Two customers with gp = k E**0.5 (k = 1 and 3) and a year effect of 1.1 in 2024:

    >>> import numpy as np, pandas as pd
    >>> from workbench.allocation import AllocationParameters, estimate_response, optimal_allocation, response_curves
    >>> e = np.array([100.0, 400.0, 900.0, 100.0, 400.0, 1600.0])
    >>> k = np.array([1.0, 1.0, 1.0, 3.0, 3.0, 3.0])
    >>> year = np.array([2022, 2023, 2024, 2022, 2023, 2024])
    >>> panel = pd.DataFrame({"customer_id": ["C1"] * 3 + ["C2"] * 3, "year": year,
    ...                       "sales_expense": e, "gross_profit": k * e**0.5 * np.where(year == 2024, 1.1, 1.0),
    ...                       "industry": "oem"})
    >>> estimate = estimate_response(panel, min_customers=2)
    >>> curves = response_curves(estimate, panel, pd.DataFrame({"customer_id": ["C1", "C2"], "industry": "oem"}))

    >>> round(budget_for_return(curves, AllocationParameters(), target=1.0), 3)
    3.025
    """
    params = AllocationParameters() if params is None else params
    _, lower, upper, _ = _constraints(curves, params.replace(budget=None) if params.budget is None else params)
    scale, b = curves.frame["response_level"].to_numpy(), curves.frame["elasticity"].to_numpy()
    base = float(curves.frame["current_spend"].sum()) if params.budget is None else params.budget

    def excess(log_budget):
        budget = float(np.exp(log_budget))
        caps = _constraints(curves, params.replace(budget=budget))[3]
        _, lam, _ = _solve(curves.form, scale, b, lower, upper, budget, caps, _method("auto", caps))
        return np.log(min(lam, 1e300)) - np.log(target) if lam > 0 else -np.inf

    low = np.log(max(lower.sum(), 1e-9 * base) * (1 + 1e-9))
    high = np.log(min(upper.sum(), 1000 * base) * (1 - 1e-9))
    try:
        f_low, f_high = excess(low), excess(high)
    except ValueError:
        return np.nan
    if not (f_low > 0 > f_high):
        return np.nan
    return float(np.exp(optimize.brentq(excess, low, high, xtol=1e-12)))
