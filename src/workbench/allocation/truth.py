"""Checks against a known response (a generated case such as N company)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench._validation import _require_columns
from workbench.allocation.optimise import AllocationPlan, optimal_allocation
from workbench.allocation.response import ResponseCurves, ResponseEstimate
from workbench.parameters import AllocationParameters

__all__ = ["against_truth", "elasticities_against_truth", "true_curves"]


def elasticities_against_truth(estimate: ResponseEstimate, truth_response: pd.DataFrame) -> pd.DataFrame:
    """Each group's estimated elasticity and interval beside the true one.

    Parameters
    ----------
    estimate : ResponseEstimate
        A ``power`` estimate.
    truth_response : pandas.DataFrame
        One row per group: the estimate's ``by`` column (e.g. ``industry``) and ``b``
        (the N company's ``truth_response`` table).

    Returns
    -------
    pandas.DataFrame
        ``segment``, ``elasticity``, ``ci_low``, ``ci_high``, ``truth``, ``error``
        (estimate - truth), ``covered`` (truth inside the interval), ``source``.

    Raises
    ------
    ValueError
        A log-form estimate, missing columns, or a group without a true value.

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
    >>> table = elasticities_against_truth(estimate, pd.DataFrame({"industry": ["oem"], "b": [0.5]}))
    >>> table[["segment", "elasticity", "truth", "covered"]].round(3)
      segment  elasticity  truth  covered
    0     oem         0.5    0.5     True
    """
    if estimate.form != "power":
        raise ValueError("elasticities_against_truth: the truth is an elasticity b; fit form='power'")
    _require_columns(truth_response, [estimate.by, "b"], "truth_response")
    truth = truth_response.assign(**{estimate.by: truth_response[estimate.by].astype(str)}).set_index(estimate.by)["b"]
    rows = estimate.estimates[estimate.estimates["segment"] != "all"]
    missing = sorted(set(rows["segment"]) - set(truth.index))
    if missing:
        raise ValueError(f"truth_response: no true b for group(s) {missing}")
    out = rows[["segment", "elasticity", "ci_low", "ci_high", "source"]].reset_index(drop=True)
    out.insert(4, "truth", truth.reindex(out["segment"]).to_numpy(dtype=float))
    out.insert(5, "error", out["elasticity"] - out["truth"])
    out.insert(6, "covered", (out["ci_low"] <= out["truth"]) & (out["truth"] <= out["ci_high"]))
    return out


def true_curves(
    curves: ResponseCurves,
    truth_response: pd.DataFrame,
    truth_segments: pd.DataFrame,
    truth_customer_years: pd.DataFrame,
) -> ResponseCurves:
    """The planned customers' true expected response, from the generator's truth.

    Parameters
    ----------
    curves : ResponseCurves
        The estimated curves (their customers, segments, current spend and further
        columns are kept).
    truth_response : pandas.DataFrame
        Per industry: ``industry``, ``a``, ``b`` and ``sigma`` (SD of the log-normal noise).
    truth_segments : pandas.DataFrame
        Per customer: ``customer_id``, ``industry``, ``response_scale`` (k_c).
    truth_customer_years : pandas.DataFrame
        Per customer and year: ``customer_id``, ``year``, ``trajectory`` (m_cy) and
        ``active_fraction`` (f_cy).

    Returns
    -------
    ResponseCurves
        ``power`` curves with ``elasticity`` = b of the customer's industry and
        ``response_level`` = a k_c m_cT f_cT exp(sigma**2 / 2) for the plan year T, so
        ``expected_gp(E)`` is the generator's expected gross profit at spend E;
        ``source`` is ``truth``.

    Raises
    ------
    ValueError
        Missing columns, or a planned customer without a truth row for the plan year.

    Notes
    -----
    :func:`workbench.datasets.make_ncompany` draws gp_cy = a_ind k_c m_cy f_cy E**b_ind
    exp(eps), eps ~ N(0, sigma**2), whose expectation is the scale above times E**b.

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
    >>> response = pd.DataFrame({"industry": ["oem"], "a": [1.0], "b": [0.5], "sigma": [0.0]})
    >>> segments = pd.DataFrame({"customer_id": ["C1", "C2"], "industry": "oem", "response_scale": [1.0, 3.0]})
    >>> years = pd.DataFrame({"customer_id": ["C1", "C2"], "year": 2024, "trajectory": 1.1, "active_fraction": 1.0})
    >>> truth = true_curves(curves, response, segments, years)  # the generator's truth is the fitted curve here
    >>> truth.frame[["customer_id", "elasticity", "response_level"]].round(3)
      customer_id  elasticity  response_level
    0          C1         0.5             1.1
    1          C2         0.5             3.3
    """
    _require_columns(truth_response, ["industry", "a", "b", "sigma"], "truth_response")
    _require_columns(truth_segments, ["customer_id", "industry", "response_scale"], "truth_segments")
    _require_columns(truth_customer_years, ["customer_id", "year", "trajectory", "active_fraction"],
                     "truth_customer_years")
    ids = curves.frame["customer_id"].astype(str)
    segments = truth_segments.assign(customer_id=truth_segments["customer_id"].astype(str)).set_index("customer_id")
    years = truth_customer_years[truth_customer_years["year"] == curves.plan_year]
    years = years.assign(customer_id=years["customer_id"].astype(str)).set_index("customer_id")
    lost = sorted(set(ids) - set(segments.index) | set(ids) - set(years.index))
    if lost:
        raise ValueError(f"truth: {len(lost)} planned customer(s) have no truth row for {curves.plan_year}, "
                         f"e.g. {lost[:3]}")
    response = truth_response.assign(industry=truth_response["industry"].astype(str)).set_index("industry")
    industry = segments.loc[ids, "industry"].astype(str).to_numpy()
    a, b = response.loc[industry, "a"].to_numpy(float), response.loc[industry, "b"].to_numpy(float)
    sigma = response.loc[industry, "sigma"].to_numpy(float)
    scale = (a * segments.loc[ids, "response_scale"].to_numpy(float) * years.loc[ids, "trajectory"].to_numpy(float)
             * years.loc[ids, "active_fraction"].to_numpy(float) * np.exp(sigma**2 / 2))
    frame = curves.frame.copy()
    frame["elasticity"], frame["response_level"], frame["source"] = b, scale, "truth"
    return ResponseCurves(form="power", frame=frame, plan_year=curves.plan_year, notes=curves.notes)


def against_truth(plan: AllocationPlan, truth: ResponseCurves,
                  params: AllocationParameters | None = None) -> pd.DataFrame:
    """The estimated plan scored with the true response, beside the true optimum.

    Parameters
    ----------
    plan : AllocationPlan
        The plan made from the estimated curves.
    truth : ResponseCurves
        The same customers' true curves (:func:`true_curves`).
    params : AllocationParameters, optional
        The constraints the plan was made under (the true optimum gets the same, and
        the plan's budget).

    Returns
    -------
    pandas.DataFrame
        One row per plan, ``current``, ``estimated_optimum`` and ``true_optimum``:
        ``plan``, ``spend``, ``true_gp`` (true expected gross profit), ``uplift``
        (over the current plan) and ``share_of_true_uplift`` (uplift / the true
        optimum's uplift: 1 = the estimate lost nothing).

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
    >>> table = against_truth(plan, curves, AllocationParameters(budget=2500))
    >>> table.round(1)
                    plan   spend  true_gp  uplift  share_of_true_uplift
    0            current  2500.0    165.0     0.0                   0.0
    1  estimated_optimum  2500.0    173.9     8.9                   1.0
    2       true_optimum  2500.0    173.9     8.9                   1.0
    """
    params = AllocationParameters() if params is None else params
    if not (truth.frame["customer_id"].to_numpy() == plan.frame["customer_id"].to_numpy()).all():
        raise ValueError("against_truth: the true curves are for other customers than the plan")
    best = optimal_allocation(truth, params.replace(budget=plan.budget))
    spends = {"current": plan.frame["current_spend"].to_numpy(), "estimated_optimum": plan.spend,
              "true_optimum": best.spend}
    gp = {name: float(truth.expected_gp(x).sum()) for name, x in spends.items()}
    best_uplift = gp["true_optimum"] - gp["current"]
    return pd.DataFrame([
        {"plan": name, "spend": float(x.sum()), "true_gp": gp[name], "uplift": gp[name] - gp["current"],
         "share_of_true_uplift": (gp[name] - gp["current"]) / best_uplift if best_uplift else np.nan}
        for name, x in spends.items()
    ])
