"""What the allocation did with imperfect data: one line per check, for the report."""

from __future__ import annotations

import pandas as pd

from workbench.allocation.optimise import AllocationPlan
from workbench.allocation.response import ResponseCurves, ResponseEstimate

__all__ = ["CHECKS", "allocation_checks"]

#: check code -> what the package does when the count is not 0 (a consequence code;
#: both read through :mod:`workbench.labels`).
CHECKS = {
    "expense_missing_or_negative": "stops_with_error",
    "expense_zero": "left_out_of_fit",
    "gross_profit_not_positive": "left_out_of_fit",
    "customer_too_few_years": "left_out_of_fit",
    "segment_one_year": "uses_pooled_estimate",
    "too_few_customers": "uses_pooled_estimate",
    "elasticity_out_of_range": "uses_pooled_estimate",
    "no_expense_history": "uses_segment_median",
    "not_active_in_plan_year": "uses_segment_median",
    "no_usable_point": "uses_segment_median",
    "active_not_planned": "not_planned",
    "budget_below_minimum_spends": "stops_with_error",
    "budget_left_over": "budget_not_spent",
    "bootstrap_draws_clipped": "draw_clipped",
}


def allocation_checks(estimate: ResponseEstimate, curves: ResponseCurves, plan: AllocationPlan,
                      *, clipped: int = 0) -> pd.DataFrame:
    """One row per data check: how many rows, groups or customers it concerns and what was done.

    Parameters
    ----------
    estimate : ResponseEstimate
    curves : ResponseCurves
    plan : AllocationPlan
    clipped : int, default 0
        ``PlanComparison.clipped``.

    Returns
    -------
    pandas.DataFrame
        ``check`` (code, see :data:`CHECKS`), ``count`` (rows for the fit checks,
        groups for the estimate checks, customers for the curve checks, currency for
        ``budget_left_over``, draws for the bootstrap), ``consequence`` (code) and
        ``applies`` (count > 0). Every check is listed, also when it found nothing, so
        the report says that it was made.

    Notes
    -----
    Missing or negative sales expense and a budget below the sum of the minimum spends
    stop the analysis earlier with an error naming the rows or amounts
    (:func:`workbench.allocation.check_panel`, :func:`workbench.allocation.optimal_allocation`);
    reaching this table means both passed, so their counts are 0.

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
    >>> checks = allocation_checks(estimate, curves, plan)
    >>> list(checks.columns)
    ['check', 'count', 'consequence', 'applies']
    """
    excluded = estimate.excluded["reason"].value_counts() if len(estimate.excluded) else pd.Series(dtype=int)
    fallbacks = estimate.fallbacks()["reason"].value_counts()
    notes = curves.notes.set_index("code")["customers"] if len(curves.notes) else pd.Series(dtype=int)
    counts = {
        "expense_missing_or_negative": 0,
        "budget_below_minimum_spends": 0,
        "budget_left_over": round(plan.budget - plan.spent) if plan.budget - plan.spent > 1e-6 * plan.budget else 0,
        "bootstrap_draws_clipped": int(clipped),
    }
    for code in ("expense_zero", "gross_profit_not_positive", "customer_too_few_years"):
        counts[code] = int(excluded.get(code, 0))
    for code in ("segment_one_year", "too_few_customers", "elasticity_out_of_range"):
        counts[code] = int(fallbacks.get(code, 0))
    for code in ("no_expense_history", "not_active_in_plan_year", "no_usable_point", "active_not_planned"):
        counts[code] = int(notes.get(code, 0))
    out = pd.DataFrame({"check": list(CHECKS), "count": [int(counts[c]) for c in CHECKS],
                        "consequence": list(CHECKS.values())})
    out["applies"] = out["count"] > 0
    return out
