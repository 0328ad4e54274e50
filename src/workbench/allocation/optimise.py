"""The allocation: the spend per customer that maximises expected gross profit under constraints.

Expected gross profit is a sum of concave curves, one per customer, so the optimum
equalises marginal returns (Karush-Kuhn-Tucker): every customer between its bounds
brings the same gross profit from its last yuan, the multiplier lambda of the budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from workbench.allocation.response import ResponseCurves
from workbench.parameters import AllocationParameters

__all__ = ["AllocationPlan", "optimal_allocation", "spend_bounds", "uniform_spend"]


@dataclass(frozen=True)
class AllocationPlan:
    """An optimal plan; made by :func:`optimal_allocation`.

    Attributes
    ----------
    frame : pandas.DataFrame
        The curves' frame (:class:`~workbench.allocation.ResponseCurves`) with
        ``spend_lower`` and ``spend_upper`` (the customer's bounds), ``planned_spend``,
        ``change`` (planned - current), ``expected_gp_current`` and
        ``expected_gp_planned`` (under the estimated curve), ``marginal_return`` (gross
        profit of the next yuan at the planned spend) and ``bound`` (``at_lower``,
        ``at_upper`` or ``interior``).
    budget : float
        The budget allocated.
    spent : float
        The planned total; below ``budget`` only when the upper bounds or caps leave
        no use for the rest.
    multiplier : float
        lambda: gross profit of the last yuan of budget (0 when budget is left over).
    cap_multipliers : dict
        ``(column, group) -> mu``, the extra return of one yuan more of cap for each cap
        (0 where the cap does not bind).
    method : {"kkt", "scipy"}

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
    >>> plan.frame[["customer_id", "current_spend", "planned_spend"]].round(1)  # 1 : 9 = (1 : 3)**2
      customer_id  current_spend  planned_spend
    0          C1          900.0          250.0
    1          C2         1600.0         2250.0
    >>> plan.budget, round(plan.multiplier, 4)
    (2500.0, 0.0348)
    """

    frame: pd.DataFrame
    budget: float
    spent: float
    multiplier: float
    cap_multipliers: dict
    method: str

    @property
    def spend(self) -> np.ndarray:
        """Planned spend per customer, in the curves' order."""
        return self.frame["planned_spend"].to_numpy()


def spend_bounds(curves: ResponseCurves, params: AllocationParameters) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper spend of each customer under the parameters.

    Parameters
    ----------
    curves : ResponseCurves
    params : AllocationParameters
        ``min_spend`` and ``key_account_floor`` (times current spend, for
        ``key_account`` customers) and ``max_decrease`` (current spend divided by it:
        the plan stays within the range of spend the response was estimated on) make
        the lower bound; ``max_spend`` and ``max_increase`` (times current spend,
        customers with current spend; never below ``min_spend``, which keeps the
        customer) the upper.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``lower`` and ``upper`` (``inf`` where unbounded), in the curves' order.

    Raises
    ------
    ValueError
        ``key_account_floor`` is set but the curves have no ``key_account`` column, or a
        customer's lower bound exceeds its upper bound (the message names them).

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
    >>> lower, upper = spend_bounds(curves, AllocationParameters(min_spend=50.0, max_increase=1.5))
    >>> lower.tolist(), upper.tolist()  # upper: 1.5 x current spend (900, 1600)
    ([50.0, 50.0], [1350.0, 2400.0])
    >>> spend_bounds(curves, AllocationParameters(min_spend=50.0, max_decrease=4))[0].tolist()  # current / 4
    [225.0, 400.0]
    """
    frame = curves.frame
    current = frame["current_spend"].to_numpy()
    lower = np.full(len(frame), params.min_spend)
    if params.key_account_floor is not None:
        if "key_account" not in frame:
            raise ValueError("allocation.key_account_floor is set but the planned customers have no "
                             "'key_account' column (bool); add it to the customers frame of response_curves")
        key = frame["key_account"].fillna(False).astype(bool).to_numpy()
        lower = np.where(key, np.maximum(lower, params.key_account_floor * current), lower)
    if params.max_decrease is not None:
        lower = np.maximum(lower, current / params.max_decrease)
    upper = np.full(len(frame), np.inf if params.max_spend is None else params.max_spend)
    if params.max_increase is not None:
        # the minimum spend keeps the customer: it wins over the growth limit
        upper = np.where(current > 0, np.minimum(upper, np.maximum(params.max_increase * current,
                                                                     params.min_spend)), upper)
    bad = lower > upper * (1 + 1e-12)
    if bad.any():
        ids = frame.loc[bad, "customer_id"].head(3).tolist()
        raise ValueError(f"{int(bad.sum())} customer(s), e.g. {ids}, have a lower bound (min_spend, "
                         "key-account floor or current spend / max_decrease) above their upper bound (max_spend "
                         "or max_increase x current spend); lower allocation.key_account_floor/min_spend, raise "
                         "max_decrease or raise max_spend/max_increase")
    return lower, np.maximum(upper, lower)


def uniform_spend(curves: ResponseCurves, budget: float) -> np.ndarray:
    """The uniform plan (一刀切): the budget split equally over the planned customers.

    Parameters
    ----------
    curves : ResponseCurves
    budget : float
        Total spend (currency).

    Returns
    -------
    numpy.ndarray
        ``budget / n`` for each of the n customers (floors and caps are ignored: it is
        the benchmark the thesis argues against).

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
    >>> uniform_spend(curves, 2500.0).tolist()
    [1250.0, 1250.0]
    """
    return np.full(curves.size, float(budget) / max(curves.size, 1))


# --------------------------------------------------------------------------------------
# the closed form: clipped inverse marginal return, bisection on lambda
# --------------------------------------------------------------------------------------

def _demand(form, log_ba, inv, beta, price):
    """Unclipped spend at which each customer's marginal return equals ``price``."""
    with np.errstate(over="ignore", divide="ignore"):
        if form == "power":
            return np.exp((log_ba - np.log(price)) * inv)
        return beta / price


def _prep(form, scale, b):
    if form == "power":
        if ((b <= 0) | (b >= 1)).any():
            raise ValueError("power response: every elasticity must lie in (0, 1) for a concave, "
                             "increasing response")
        if (scale <= 0).any():
            raise ValueError("power response: every scale A must be > 0")
        return np.log(b * scale), 1.0 / (1.0 - b), b
    if (b <= 0).any():
        raise ValueError("log response: every slope beta must be > 0")
    return None, None, b


def _kkt(form, log_ba, inv, beta, lower, upper, budget, start=None):
    """Spend and lambda for one budget over the given customers (no caps); ``start``, a
    guess of ln lambda (the bootstrap passes the point estimate's), narrows the bracket."""
    if len(lower) == 0:
        return np.empty(0), 0.0
    if upper.sum() <= budget:
        return upper.copy(), 0.0
    if lower.sum() >= budget:
        return lower.copy(), np.inf

    def spend(log_price):
        return np.clip(_demand(form, log_ba, inv, beta, np.exp(log_price)), lower, upper)

    def gap(log_price):
        return spend(log_price).sum() / budget - 1.0

    # bracket ln(lambda) around the price at which the mean customer takes its share
    share = budget / len(lower)
    if start is not None and np.isfinite(start):
        centre = float(start)
    elif form == "power":
        centre = float(np.mean(log_ba - np.log(share) / inv))
    else:
        centre = float(np.log(np.mean(beta) / share))
    log_price = _newton(form, log_ba, inv, beta, lower, upper, budget, centre)
    if log_price is None:  # Newton left its bracket or stalled: bracket and brentq
        lo, hi, step = centre - 1.0, centre + 1.0, 2.0
        while gap(lo) < 0:
            lo -= step
            step *= 2
        step = 2.0
        while gap(hi) > 0:
            hi += step
            step *= 2
        log_price = optimize.brentq(gap, lo, hi, xtol=1e-13, rtol=1e-13, maxiter=500)
    x = spend(log_price)
    # spend exactly the budget: the residual goes to interior customers in proportion
    interior = (x > lower) & (x < upper)
    if interior.any():
        x[interior] *= 1 + (budget - x.sum()) / x[interior].sum()
    return x, float(np.exp(log_price))


def _newton(form, log_ba, inv, beta, lower, upper, budget, u, max_iter=30):
    """Newton's method on S(u) = budget, u = ln lambda, safeguarded by bisection.

    dS/du = -sum over interior customers of x_c / (1 - b_c) (power) or x_c (log); the
    clipped customers do not move. Returns u, or None when it does not converge (the
    caller then brackets and uses ``brentq``).
    """
    lo, hi = -np.inf, np.inf
    for _ in range(max_iter):
        free = _demand(form, log_ba, inv, beta, np.exp(u))
        x = np.clip(free, lower, upper)
        excess = x.sum() - budget
        if abs(excess) <= 1e-12 * budget:
            return u
        if excess > 0:
            lo = u
        else:
            hi = u
        interior = (free > lower) & (free < upper)
        slope = -((x * inv)[interior].sum() if form == "power" else x[interior].sum())
        step = u - excess / slope if slope < 0 else np.nan
        if np.isfinite(step) and lo < step < hi:
            u = step
        elif np.isfinite(lo) and np.isfinite(hi):
            u = (lo + hi) / 2
        else:
            return None
    return None


def _kkt_with_caps(form, log_ba, inv, beta, lower, upper, budget, groups, caps):
    """Water-filling with caps on disjoint groups: cap the groups over their cap, re-solve."""
    capped = np.zeros(len(caps), dtype=bool)
    x = np.empty(len(lower))
    while True:
        free = ~capped[groups]
        rest = budget - caps[capped].sum()
        sub = (None if log_ba is None else log_ba[free], None if inv is None else inv[free], beta[free])
        x_free, lam = _kkt(form, *sub, lower[free], upper[free], rest)
        spent = np.bincount(groups[free], x_free, minlength=len(caps))
        over = ~capped & (spent > caps * (1 + 1e-12))
        if not over.any():
            x[free] = x_free
            break
        capped |= over
    mu = np.zeros(len(caps))
    for g in np.flatnonzero(capped):
        mine = groups == g
        sub = (None if log_ba is None else log_ba[mine], None if inv is None else inv[mine], beta[mine])
        x[mine], lam_g = _kkt(form, *sub, lower[mine], upper[mine], caps[g])
        mu[g] = max(lam_g - lam, 0.0)
    return x, lam, mu


# --------------------------------------------------------------------------------------
# scipy: the Lagrange dual over lambda and the cap multipliers, for caps on several columns
# --------------------------------------------------------------------------------------

def _dual(form, scale, b, log_ba, inv, lower, upper, budget, members, caps):
    """Minimise the dual over (lambda, mu) >= 0 with L-BFGS-B; members: list of bool masks.

    The multipliers are scaled by the marginal return at an even split, not taken as
    ln lambda: in ln lambda the gradient lambda (B - sum x) vanishes as lambda -> 0, and
    the solver could stop there with the budget overspent."""
    k = len(caps)
    incidence = np.array(members, dtype=float).reshape(k, len(lower))
    share = budget / len(lower)
    start_x = np.full(len(lower), share)
    marginal = b * scale * start_x ** (b - 1) if form == "power" else b / start_x
    unit = float(np.median(marginal))

    def primal(v):
        price = unit * (v[0] + (v[1:] @ incidence if k else 0.0))
        return np.clip(_demand(form, log_ba, inv, b, price), lower, upper), price

    def gp(x):
        if form == "power":
            return scale * x ** b
        return scale + b * np.log(x)

    def dual(v):
        x, price = primal(v)
        value = (gp(x) - price * x).sum() + unit * (v[0] * budget + v[1:] @ caps)
        grad = unit * np.r_[budget - x.sum(), caps - incidence @ x]
        return value / (unit * budget), grad / (unit * budget)

    # lambda may be 0 (the budget does not bind) only where every customer has a finite upper bound
    floor = 0.0 if np.isfinite(upper).all() else 1e-12
    res = optimize.minimize(dual, np.r_[1.0, np.zeros(k)], jac=True, method="L-BFGS-B",
                            bounds=[(floor, None)] + [(0.0, None)] * k,
                            options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-12})
    x, _ = primal(res.x)
    return x, float(unit * res.x[0]), unit * res.x[1:]


def optimal_allocation(curves: ResponseCurves, params: AllocationParameters | None = None, *,
                       method: str = "auto") -> AllocationPlan:
    """The spend per customer that maximises expected gross profit within the constraints.

    Parameters
    ----------
    curves : ResponseCurves
        From :func:`workbench.allocation.response_curves`.
    params : AllocationParameters, optional
        Budget (default: the current total), per-customer bounds (:func:`spend_bounds`)
        and caps per group (``caps``: share of the budget per group of a column of the
        curves' frame).
    method : {"auto", "kkt", "scipy"}
        ``kkt``: closed form by equalising marginal returns (no caps, or caps on one
        column); ``scipy``: the Lagrange dual minimised by ``scipy.optimize`` (any caps);
        ``auto`` takes ``kkt`` where it applies.

    Returns
    -------
    AllocationPlan

    Raises
    ------
    ValueError
        The budget is below the sum of the lower bounds (minimum spends and
        key-account floors), a cap is below its group's lower bounds, a cap names a
        column the curves lack, or ``method="kkt"`` with caps on several columns.

    Notes
    -----
    maximise sum_c gp_c(E_c) subject to sum_c E_c <= B, l_c <= E_c <= u_c and
    sum_{c in g} E_c <= s_g B for each capped group g. With gp_c = A_c E**b_c
    concave and increasing, the KKT conditions give

        E_c(lambda) = clip(((b_c A_c) / (lambda + mu_g(c))) ** (1 / (1 - b_c)), l_c, u_c)

    (``log``: clip(beta_c / (lambda + mu_g), l_c, u_c)); sum_c E_c(lambda) falls with
    lambda, so Newton's method on ln lambda (safeguarded by bisection, ``brentq`` as the
    fallback) finds the lambda that spends B. Caps on the groups
    of one column are met by water-filling: groups over their cap are fixed at it and
    solved alone, the rest re-solved with what is left, until no group is over (lambda
    only falls, so a capped group stays capped; mu_g = lambda_g - lambda). Caps on
    several columns overlap; then the dual D(lambda, mu) = sum_c max_E [gp_c(E) -
    (lambda + sum_g mu_g) E] + lambda B + sum_g mu_g s_g B, convex and differentiable,
    is minimised by L-BFGS-B (Boyd & Vandenberghe 2004, ch. 5).

    References
    ----------
    Boyd, S., & Vandenberghe, L. (2004). Convex Optimization, sec. 5.5.3 (KKT) and
    exercise 5.2's water-filling. Cambridge University Press.

    Examples
    --------
    Two customers with gp = 4 sqrt(E) and 2 sqrt(E) share 100: marginal returns are equal
    where E_1 / E_2 = (4 / 2)**2, so 80 and 20:

    >>> import pandas as pd
    >>> from workbench.allocation import ResponseCurves, AllocationParameters
    >>> curves = ResponseCurves("power", pd.DataFrame({"customer_id": ["C1", "C2"], "segment": "oem",
    ...     "current_spend": [50.0, 50.0], "current_gp": [0.0, 0.0], "elasticity": [0.5, 0.5],
    ...     "response_level": [4.0, 2.0], "source": "own_point"}), 2024, pd.DataFrame())
    >>> plan = optimal_allocation(curves, AllocationParameters(budget=100))
    >>> plan.spend.round(6).tolist(), round(plan.multiplier, 6)
    ([80.0, 20.0], 0.223607)
    """
    params = AllocationParameters() if params is None else params
    budget, lower, upper, caps = _constraints(curves, params)
    method = _method(method, caps)
    scale, b = curves.frame["response_level"].to_numpy(), curves.frame["elasticity"].to_numpy()
    x, lam, mu = _solve(curves.form, scale, b, lower, upper, budget, caps, method)
    out = curves.frame.copy()
    out["spend_lower"], out["spend_upper"], out["planned_spend"] = lower, upper, x
    out["change"] = x - out["current_spend"].to_numpy()
    out["expected_gp_current"] = curves.expected_gp(out["current_spend"].to_numpy())
    out["expected_gp_planned"] = curves.expected_gp(x)
    out["marginal_return"] = curves.marginal_return(x)
    tol = 1e-9 * np.maximum(1.0, x)
    out["bound"] = np.where(x <= lower + tol, "at_lower", np.where(x >= upper - tol, "at_upper", "interior"))
    return AllocationPlan(frame=out, budget=budget, spent=float(x.sum()),
                          multiplier=float(lam) if np.isfinite(lam) else float(out["marginal_return"].min()),
                          cap_multipliers={(c[0], c[1]): float(m) for c, m in zip(caps, mu, strict=True)},
                          method=method)


def _method(method: str, caps) -> str:
    if method not in ("auto", "kkt", "scipy"):
        raise ValueError(f"method {method!r} is not one of ('auto', 'kkt', 'scipy')")
    columns = sorted({c[0] for c in caps})
    if method == "auto":
        return "kkt" if len(columns) <= 1 else "scipy"
    if method == "kkt" and len(columns) > 1:
        raise ValueError(f"method 'kkt' solves caps on one column; caps are on {columns}: use method='scipy'")
    return method


def _constraints(curves: ResponseCurves, params: AllocationParameters):
    """Budget, bounds and caps ``[(column, group, mask, amount)]``, checked for feasibility."""
    frame = curves.frame
    budget = float(frame["current_spend"].sum()) if params.budget is None else params.budget
    if budget <= 0:
        raise ValueError("the planned customers spent nothing in the plan year, so the default budget "
                         "(their current total) is 0; set allocation.budget")
    lower, upper = spend_bounds(curves, params)
    if lower.sum() > budget * (1 + 1e-12):
        raise ValueError(f"budget {budget:,.0f} is below the sum of the minimum spends {lower.sum():,.0f} "
                         f"({len(lower):,} customers at min_spend {params.min_spend:,.0f}"
                         f"{' or their key-account floor' if params.key_account_floor is not None else ''}); "
                         "raise allocation.budget or lower min_spend/key_account_floor")
    missing = [c for c in params.caps if c not in frame]
    if missing:
        raise ValueError(f"allocation.caps: column(s) {missing} are not in the planned customers' frame "
                         f"(columns: {list(frame.columns)})")
    caps = []
    for column, groups in params.caps.items():
        values = frame[column].astype(str).to_numpy()
        for group, share in groups.items():
            mine = values == group
            if not mine.any():
                raise ValueError(f"allocation.caps.{column}.{group}: no planned customer is in group "
                                 f"{group!r}; groups: {sorted(set(values))}")
            if lower[mine].sum() > share * budget * (1 + 1e-12):
                raise ValueError(f"allocation.caps.{column}.{group}: the cap {share:.0%} of the budget "
                                 f"({share * budget:,.0f}) is below the group's minimum spends "
                                 f"{lower[mine].sum():,.0f}")
            caps.append((column, group, mine, share * budget))
    return budget, lower, upper, caps


def _solve(form, scale, b, lower, upper, budget, caps, method, log_scale=None, start=None):
    """Spend, lambda and the cap multipliers for one set of curves (arrays); ``log_scale``
    (ln A, power form) saves a logarithm when the caller has it, ``start`` (ln lambda)
    a wider search."""
    if log_scale is not None:
        log_ba, inv = np.log(b) + log_scale, 1.0 / (1.0 - b)
    else:
        log_ba, inv, b = _prep(form, scale, b)
    amounts = np.array([c[3] for c in caps])
    if not caps:
        x, lam = _kkt(form, log_ba, inv, b, lower, upper, budget, start=start)
        return x, lam, np.zeros(0)
    if method == "kkt":
        groups = np.full(len(lower), len(caps))  # customers of no capped group: a last, uncapped one
        for i, cap in enumerate(caps):
            groups[cap[2]] = i
        x, lam, mu = _kkt_with_caps(form, log_ba, inv, b, lower, upper, budget, groups, np.r_[amounts, np.inf])
        return x, lam, mu[:-1]
    if lower.sum() >= budget:
        return lower.copy(), np.inf, np.zeros(len(caps))
    if scale is None:
        scale = np.exp(log_scale)
    return _dual(form, scale, b, log_ba, inv, lower, upper, budget, [c[2] for c in caps], amounts)
