"""Value-based sales-resource allocation (销售资源配置): the thesis' decision.

Where should the sales budget go? The package answers in the thesis' steps, each a
function on plain frames with documented columns:

* :func:`input_output`: the input/output diagnosis, gross profit (and revenue) per
  yuan of sales expense by year, overall and per industry, value-matrix quadrant and
  ABC class, with each group's share of expense against its share of gross profit;
  :func:`ratio_by_year`: one ratio per group with the years across.
* :func:`estimate_response`: the concave response of gross profit to sales expense per
  industry from the customer-year panel (log-log with customer fixed effects,
  cluster-robust errors, fit checks, fallbacks named);
  :func:`response_curves`: one curve per planned customer, through its current point.
* :func:`optimal_allocation`: the budget split that maximises expected gross profit
  under a total budget, minimum and maximum spends, key-account floors and caps per
  group (equal marginal returns, KKT; scipy where caps overlap).
* :func:`compare_plans`: optimal against current and uniform spending (一刀切), with
  intervals from a parametric bootstrap of the estimates; :func:`budget_curve`:
  expected gross profit against the budget and the return of the last yuan
  (:func:`budget_for_return`: the budget at which it is one yuan);
  :func:`strategy_summary`: the plan per quadrant beside the quadrant strategies.
* :func:`allocation_checks`: one line per data check and what was done (fallbacks).
* :func:`elasticities_against_truth`, :func:`true_curves` and :func:`against_truth`:
  the check on a generated case whose response is known (N company).

All settings are one validated :class:`AllocationParameters`.
"""

from workbench.allocation.checks import CHECKS, allocation_checks
from workbench.allocation.compare import (
    QUADRANT_DIRECTIONS,
    PlanComparison,
    budget_curve,
    budget_for_return,
    compare_plans,
    strategy_summary,
)
from workbench.allocation.diagnosis import input_output, ratio_by_year
from workbench.allocation.optimise import AllocationPlan, optimal_allocation, spend_bounds, uniform_spend
from workbench.allocation.panel import PANEL_COLUMNS, UNCLASSIFIED, check_panel, with_classes
from workbench.allocation.response import (
    CURVE_SOURCES,
    POOLED,
    ResponseCurves,
    ResponseEstimate,
    estimate_response,
    response_curves,
)
from workbench.allocation.truth import against_truth, elasticities_against_truth, true_curves
from workbench.parameters import FORMS, AllocationParameters

__all__ = [
    "CHECKS",
    "CURVE_SOURCES",
    "FORMS",
    "PANEL_COLUMNS",
    "POOLED",
    "QUADRANT_DIRECTIONS",
    "UNCLASSIFIED",
    "AllocationParameters",
    "AllocationPlan",
    "PlanComparison",
    "ResponseCurves",
    "ResponseEstimate",
    "against_truth",
    "allocation_checks",
    "budget_curve",
    "budget_for_return",
    "check_panel",
    "compare_plans",
    "elasticities_against_truth",
    "estimate_response",
    "input_output",
    "ratio_by_year",
    "optimal_allocation",
    "response_curves",
    "spend_bounds",
    "strategy_summary",
    "true_curves",
    "uniform_spend",
    "with_classes",
]
