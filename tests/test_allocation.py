"""Sales-resource allocation: hand-worked fixtures, invariants, and the N company's truth.

Order: parameters and panel checks; the diagnosis on a table worked on paper; the
response fit on noiseless panels (exact recovery), its clustered errors against
statsmodels and its fallbacks; curves; the optimiser on two- and three-customer cases,
KKT against scipy, and KKT conditions as properties; comparison, budget curve and
strategy table; then the truth-recovery tests on the bundled N company.
"""

import dataclasses
import inspect
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize

from workbench import allocation as al
from workbench.allocation.response import _cluster_ols
from workbench.plotting import allocation as plots


def curves_of(scale, b, current=None, form="power", **columns):
    """ResponseCurves straight from scales and coefficients (no fit)."""
    n = len(scale)
    current = np.full(n, 10.0) if current is None else np.asarray(current, float)
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(n)], "segment": columns.pop("segment", "oem"),
                          "current_spend": current, "current_gp": np.nan, "elasticity": np.asarray(b, float),
                          "response_level": np.asarray(scale, float), "source": "own_point", **columns})
    return al.ResponseCurves(form, frame, 2024, pd.DataFrame({"code": [], "customers": []}))


def noiseless_panel(b=0.4, n=30, years=(2021, 2022, 2023, 2024), seed=0, trend_spend=0.0, form="power"):
    """gp = k_c * tau_y * E**b exactly (power) or alpha_c + tau_y + beta ln E (log)."""
    rng = np.random.default_rng(seed)
    rows = []
    tau = {y: 1.0 + 0.1 * j for j, y in enumerate(years)}
    for c in range(n):
        k = np.exp(rng.normal(0, 1))
        for j, year in enumerate(years):
            e = np.exp(rng.normal(9, 0.6) + trend_spend * j * (c % 3))
            gp = k * tau[year] * e**b if form == "power" else 100 * k + 50 * tau[year] + b * np.log(e)
            rows.append({"customer_id": f"C{c:03d}", "year": year, "sales_expense": e, "gross_profit": gp,
                         "industry": "oem" if c % 2 else "power"})
    return pd.DataFrame(rows)


# --- parameters --------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"budget": -1}, r"key 'budget' is -1; allowed: a number > 0, or null"),
    ({"min_spend": -5}, r"key 'min_spend' is -5"),
    ({"min_spend": 10, "max_spend": 5}, r"max_spend' is 5, below min_spend 10"),
    ({"max_increase": 0.5}, r"key 'max_increase' is 0\.5"),
    ({"key_account_floor": -1}, r"key 'key_account_floor' is -1"),
    ({"caps": {"quadrant": {"key": 1.5}}}, r"key 'caps' .*: quadrant\.key is 1\.5, not a share in \(0, 1\]"),
    ({"caps": ["key"]}, r"key 'caps' is \['key'\]: not a mapping"),
    ({"form": "linear"}, r"key 'form' is 'linear'; allowed: one of \['power', 'log'\]"),
    ({"n_bootstrap": -1}, r"key 'n_bootstrap' is -1"),
    ({"level": 1.0}, r"key 'level' is 1\.0"),
    ({"budget": float("nan")}, r"key 'budget' is nan"),
    ({"budget_multiples": []}, r"key 'budget_multiples' is \[\]"),
    ({"customer_trends": "yes"}, r"key 'customer_trends' is 'yes'; allowed: true or false"),
])
def test_parameters_name_the_key_and_what_is_allowed(kwargs, message):
    with pytest.raises(ValueError, match=message):
        al.AllocationParameters(**kwargs)


def test_parameters_from_a_case_mapping():
    params = al.AllocationParameters.from_mapping({"min_spend": 5000, "budget_multiples": [2, 1, 1]})
    assert params.min_spend == 5000.0 and params.budget_multiples == (1.0, 2.0)
    assert al.AllocationParameters.from_mapping(None) == al.AllocationParameters()
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['min_spnd'\]; did you mean 'min_spend'"):
        al.AllocationParameters.from_mapping({"min_spnd": 1})
    changed = params.replace(budget=10.0)
    assert changed.budget == 10.0 and changed.min_spend == 5000.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.min_spend = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        params.caps["quadrant"] = {}  # read-only mapping


# --- the panel and the diagnosis ---------------------------------------------------------

PANEL = pd.DataFrame({"customer_id": ["C1", "C2", "C1", "C2"], "year": [2023, 2023, 2024, 2024],
                      "sales_expense": [10.0, 30.0, 20.0, 20.0], "gross_profit": [90.0, 10.0, 100.0, 20.0],
                      "revenue": [300.0, 50.0, 320.0, 60.0]})


@pytest.mark.parametrize("change, message", [
    (lambda p: p.drop(columns="gross_profit"), r"missing column\(s\) \['gross_profit'\]"),
    (lambda p: p.assign(sales_expense=[10.0, -3.0, 20.0, 20.0]),
     r"'sales_expense': 1 of 4 rows are negative, e.g. C2 2023: -3\.0"),
    (lambda p: p.assign(sales_expense=[10.0, np.nan, 20.0, 20.0]), r"'sales_expense': 1 of 4 rows are missing"),
    (lambda p: p.assign(gross_profit=["90", "x", "100", "20"]), r"'gross_profit': 1 of 4 values are not finite"),
    (lambda p: p.assign(year=[2023, 2023, 2023, 2024]), r"2 rows repeat a \(customer_id, year\)"),
    (lambda p: p.assign(year=[2023.5, 2023, 2024, 2024]), r"whole years"),
])
def test_bad_panels_are_clear_errors(change, message):
    with pytest.raises(ValueError, match=message):
        al.check_panel(change(PANEL))


def test_input_output_worked_by_hand():
    classes = pd.DataFrame({"customer_id": ["C1"], "quadrant": ["key"]})  # C2 is not classified
    io = al.input_output(PANEL, classes, by=["quadrant"]).set_index(["dimension", "group", "year"])
    # 2023: gp 100 / expense 40 = 2.5, revenue 350 / 40; C1 gets 25 % of expense, brings 90 % of gp
    assert io.loc[("overall", "all", 2023), "gp_per_expense"] == 2.5
    assert io.loc[("overall", "all", 2023), "revenue_per_expense"] == 350 / 40
    key = io.loc[("quadrant", "key", 2023)]
    assert (key["expense_share"], key["gp_share"], key["share_gap"]) == pytest.approx((0.25, 0.9, 0.65))
    assert io.loc[("quadrant", "unclassified", 2024), "gp_per_expense"] == 1.0  # kept, not dropped
    # a ratio of sums, not the mean of the customers' ratios (which would be (5 + 1) / 2 = 3)
    assert io.loc[("overall", "all", 2024), "gp_per_expense"] == 120 / 40
    shares = io.reset_index().groupby(["dimension", "year"])[["expense_share", "gp_share"]].sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0)


def test_input_output_without_spend_or_revenue():
    panel = PANEL.drop(columns="revenue").assign(sales_expense=[0.0, 30.0, 20.0, 20.0])
    io = al.input_output(panel, by=[]).set_index("year")
    assert io["revenue"].isna().all() and io["revenue_per_expense"].isna().all()
    one = al.input_output(panel.assign(industry=["a", "b", "a", "b"]), by=["industry"])
    zero = one[(one["group"] == "a") & (one["year"] == 2023)].iloc[0]
    assert np.isnan(zero["gp_per_expense"]) and zero["expense_share"] == 0.0
    with pytest.raises(ValueError, match=r"column\(s\) \['quadrant'\] are in neither the panel"):
        al.input_output(PANEL, by=["quadrant"])


# --- the response fit -----------------------------------------------------------------------

@pytest.mark.parametrize("form, b", [("power", 0.4), ("log", 25.0)])
def test_noiseless_response_is_recovered_exactly(form, b):
    fit = al.estimate_response(noiseless_panel(b=b, form=form), form=form, min_customers=5)
    rows = fit.estimates.set_index("segment")
    np.testing.assert_allclose(rows["elasticity"], b, rtol=1e-9)
    assert (rows["source"].iloc[:-1] == "group_estimate").all() and rows.index[-1] == "all"
    assert rows["std_error"].max() < 1e-6 * b
    assert fit.excluded.empty and len(fit.residuals) == 120
    np.testing.assert_allclose(fit.residuals["residual"], 0, atol=1e-9)


def test_customer_trends_remove_spend_that_follows_growth():
    """Spend that rises with a customer's own growth path biases the plain within estimate
    upwards; customer-specific trends remove it (Wooldridge 2010, 11.7)."""
    rows = []
    rng = np.random.default_rng(3)
    for c in range(40):
        growth = 0.3 * (c % 4)  # the customer's own yearly growth of log gp
        for j, year in enumerate(range(2020, 2025)):
            log_e = 9 + rng.normal(0, 0.5) + growth * j  # the firm follows the growth with spend
            rows.append({"customer_id": f"C{c}", "year": year, "industry": "oem", "sales_expense": np.exp(log_e),
                         "gross_profit": np.exp(1 + 0.3 * log_e + growth * j)})
    panel = pd.DataFrame(rows)
    plain = al.estimate_response(panel).estimates.iloc[0]["elasticity"]
    trends = al.estimate_response(panel, customer_trends=True).estimates.iloc[0]["elasticity"]
    assert plain > 0.5  # upward bias
    assert trends == pytest.approx(0.3, abs=1e-9)


def test_clustered_errors_equal_statsmodels():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3))
    groups = rng.integers(0, 40, 200)
    y = x @ [0.5, -1.0, 2.0] + rng.normal(size=200) + rng.normal(size=40)[groups]
    params, cov, _ = _cluster_ols(y, x, groups, 40)
    reference = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})
    np.testing.assert_allclose(params, reference.params, rtol=1e-12)
    np.testing.assert_allclose(cov, reference.cov_params(), rtol=1e-10)


def test_within_fit_matches_statsmodels_with_customer_dummies():
    """The within estimator equals OLS with one dummy per customer (same b)."""
    panel = noiseless_panel(b=0.4, n=12).assign(gross_profit=lambda p: p["gross_profit"] * np.exp(
        np.random.default_rng(2).normal(0, 0.2, len(p))))
    part = panel[panel["industry"] == "oem"]
    fit = al.estimate_response(part, min_customers=2).estimates.iloc[0]
    dummies = pd.get_dummies(part[["customer_id", "year"]].astype(str), drop_first=False, dtype=float)
    dummies = dummies.drop(columns="year_2021")
    design = pd.concat([np.log(part["sales_expense"]).rename("lx"), dummies], axis=1)
    reference = sm.OLS(np.log(part["gross_profit"]), design).fit()
    assert fit["elasticity"] == pytest.approx(reference.params["lx"], rel=1e-10)


def test_fallbacks_are_named_and_rows_reconcile():
    panel = noiseless_panel(b=0.4, n=40)
    one_year = pd.DataFrame({"customer_id": ["D1", "D2"], "year": [2024, 2024], "sales_expense": [10.0, 20.0],
                             "gross_profit": [30.0, 40.0], "industry": "distributor"})
    small = panel[panel["customer_id"].isin(["C000", "C002"])].assign(industry="construction",
                                                                        customer_id=lambda p: "S" + p["customer_id"])
    bad = panel.iloc[:3].assign(customer_id="Z1", sales_expense=[0.0, 10.0, 10.0], gross_profit=[5.0, -1.0, 9.0])
    full = pd.concat([panel, one_year, small, bad.assign(industry="oem")], ignore_index=True)
    fit = al.estimate_response(full, min_customers=5)
    reasons = fit.fallbacks().set_index("segment")["reason"].to_dict()
    assert reasons == {"construction": "too_few_customers", "distributor": "segment_one_year"}
    pooled = fit.estimates.set_index("segment").loc["all", "elasticity"]
    assert fit.coefficients().loc["distributor", "elasticity"] == pooled
    assert sorted(fit.excluded["reason"]) == ["customer_too_few_years", "customer_too_few_years",
                                              "customer_too_few_years", "expense_zero", "gross_profit_not_positive"]
    assert len(fit.residuals) + len(fit.excluded) == len(full) - len(small)  # small group: pooled only


def test_an_elasticity_outside_zero_one_falls_back_and_no_data_is_an_error():
    convex = noiseless_panel(b=1.3, n=20).assign(industry="oem", customer_id=lambda p: "X" + p["customer_id"])
    fit = al.estimate_response(pd.concat([noiseless_panel(b=0.4, n=40).assign(industry="power"), convex]))
    row = fit.estimates.set_index("segment").loc["oem"]
    assert row["reason"] == "elasticity_out_of_range" and row["own_elasticity"] == pytest.approx(1.3)
    with pytest.raises(ValueError, match="show no diminishing returns"):
        al.estimate_response(convex)
    with pytest.raises(ValueError, match="cannot be estimated from one year of data"):
        al.estimate_response(PANEL.assign(industry="oem", customer_id=["C1", "C2", "C3", "C4"], year=2024))
    moving = noiseless_panel(n=4)
    moving.loc[0, "industry"] = "oem" if moving.loc[0, "industry"] == "power" else "power"
    with pytest.raises(ValueError, match="change group between years"):
        al.estimate_response(moving)


# --- curves ---------------------------------------------------------------------------------

def test_curves_pass_through_the_current_point_and_fall_back_with_a_reason():
    panel = noiseless_panel(b=0.5, n=10)
    fit = al.estimate_response(panel, min_customers=3)
    last = panel[panel["year"] == 2024].copy()
    planned = pd.DataFrame({"customer_id": [*last["customer_id"].iloc[:8], "NEW", "C009"],
                            "industry": [*last["industry"].iloc[:8], "oem", last["industry"].iloc[9]]})
    panel.loc[(panel["customer_id"] == "C009") & (panel["year"] == 2024), "sales_expense"] = 0.0
    panel = panel[~((panel["customer_id"] == "C007") & (panel["year"] == 2024))]
    curves = al.response_curves(fit, panel, planned)
    frame = curves.frame.set_index("customer_id")
    assert frame.loc["NEW", "source"] == "no_expense_history" and frame.loc["NEW", "current_spend"] == 0
    assert frame.loc["C007", "source"] == "not_active_in_plan_year"
    assert frame.loc["C009", "source"] == "no_usable_point"
    own = frame[frame["source"] == "own_point"]
    np.testing.assert_allclose(curves.expected_gp(curves.frame["current_spend"])[:7], own["current_gp"].iloc[:7])
    oem_own = own[own["industry"] == "oem"]
    assert frame.loc["NEW", "response_level"] == pytest.approx(np.exp(np.median(np.log(oem_own["response_level"]))))
    notes = curves.notes.set_index("code")["customers"]
    assert notes.to_dict() == {"no_expense_history": 1, "not_active_in_plan_year": 1, "no_usable_point": 1,
                               "active_not_planned": 1}  # C008 spent on in 2024 but not planned
    with pytest.raises(ValueError, match=r"group\(s\) \['retail'\] have no response estimate"):
        al.response_curves(fit, panel, planned.assign(industry="retail"))
    with pytest.raises(ValueError, match="plan_year 2030 is not a year of the panel"):
        al.response_curves(fit, panel, planned, plan_year=2030)


def test_imperfect_data_reaches_the_report_checks_with_its_counts():
    """Issue 12, item 7: a zero-expense row, a one-year segment and a customer without
    expense history go through estimate, curves and plan, and the checks table counts each
    with what was done (left out of the fit, pooled estimate, segment median)."""
    panel = noiseless_panel(b=0.5, n=12)
    one_year = pd.DataFrame({"customer_id": ["D1", "D2"], "year": [2024, 2024], "sales_expense": [10.0, 20.0],
                             "gross_profit": [30.0, 40.0], "industry": "distributor"})
    full = pd.concat([panel, one_year], ignore_index=True)
    first = full.index[full["customer_id"] == "C000"][0]
    full.loc[first, "sales_expense"] = 0.0
    fit = al.estimate_response(full, min_customers=3)
    last = full[full["year"] == 2024]
    planned = pd.concat([last[["customer_id", "industry"]],
                         pd.DataFrame({"customer_id": ["NEW"], "industry": ["distributor"]})], ignore_index=True)
    curves = al.response_curves(fit, full, planned)
    plan = al.optimal_allocation(curves, al.AllocationParameters(budget=float(last["sales_expense"].sum())))
    checks = al.allocation_checks(fit, curves, plan).set_index("check")
    found = checks.loc[checks["applies"], ["count", "consequence"]].to_dict("index")
    assert found == {"expense_zero": {"count": 1, "consequence": "left_out_of_fit"},
                     "customer_too_few_years": {"count": 2, "consequence": "left_out_of_fit"},
                     "segment_one_year": {"count": 1, "consequence": "uses_pooled_estimate"},
                     "no_expense_history": {"count": 1, "consequence": "uses_segment_median"}}
    frame = curves.frame.set_index("customer_id")
    assert frame.loc["NEW", "source"] == "no_expense_history"
    assert fit.coefficients().loc["distributor", "elasticity"] == fit.estimates.set_index("segment").loc["all",
                                                                                                     "elasticity"]
    assert plan.spend.sum() == pytest.approx(last["sales_expense"].sum())


# --- the optimiser: hand-worked -------------------------------------------------------------

def test_two_customers_share_by_equal_marginal_returns():
    """gp = 4 sqrt(E) and 2 sqrt(E), budget 100: 2 / sqrt(E1) = 1 / sqrt(E2) -> E1 = 4 E2 = 80."""
    plan = al.optimal_allocation(curves_of([4.0, 2.0], [0.5, 0.5]), al.AllocationParameters(budget=100))
    np.testing.assert_allclose(plan.spend, [80.0, 20.0], rtol=1e-10)
    assert plan.multiplier == pytest.approx(2 / np.sqrt(80))
    np.testing.assert_allclose(plan.frame["marginal_return"], plan.multiplier, rtol=1e-9)
    assert (plan.frame["bound"] == "interior").all() and plan.spent == pytest.approx(100)


def test_bounds_floors_and_the_log_form():
    curves = curves_of([4.0, 2.0, 1.0], [0.5, 0.5, 0.5], current=[10.0, 10.0, 40.0],
                       key_account=[False, False, True])
    params = al.AllocationParameters(budget=100, min_spend=15, max_increase=5, key_account_floor=1.0)
    plan = al.optimal_allocation(curves, params)
    # C2 (A = 1) would want 100/21 but is a key account with 40 now; C0 capped at 5 x 10
    np.testing.assert_allclose(plan.frame["spend_lower"], [15, 15, 40])
    np.testing.assert_allclose(plan.frame["spend_upper"], [50, 50, 200])
    np.testing.assert_allclose(plan.spend, [45.0, 15.0, 40.0], rtol=1e-9)  # 45 = 100 - 15 - 40
    assert plan.frame["bound"].tolist() == ["interior", "at_lower", "at_lower"]
    # the minimum spend keeps a customer: it wins over the growth limit (1 x 5 < 15)
    tiny = al.optimal_allocation(curves_of([4.0, 1.0], [0.5, 0.5], current=[10.0, 1.0]), params.replace(
        key_account_floor=None))
    np.testing.assert_allclose(tiny.frame["spend_upper"], [50, 15])
    np.testing.assert_allclose(tiny.spend, [50, 15])
    log = al.optimal_allocation(curves_of([0.0, 0.0], [3.0, 1.0], form="log"), al.AllocationParameters(budget=100))
    np.testing.assert_allclose(log.spend, [75.0, 25.0])  # beta / E equal: E proportional to beta


def test_infeasible_budgets_and_bounds_are_clear_errors():
    curves = curves_of([4.0, 2.0], [0.5, 0.5], key_account=[True, False])
    with pytest.raises(ValueError, match=r"budget 100 is below the sum of the minimum spends 120 \(2 customers "
                                         r"at min_spend 60\)"):
        al.optimal_allocation(curves, al.AllocationParameters(budget=100, min_spend=60))
    with pytest.raises(ValueError, match=r"lower bound .* above their upper bound"):
        al.optimal_allocation(curves, al.AllocationParameters(key_account_floor=3, max_increase=2))
    with pytest.raises(ValueError, match="no 'key_account' column"):
        al.optimal_allocation(curves_of([1.0], [0.5]), al.AllocationParameters(key_account_floor=1))
    with pytest.raises(ValueError, match=r"caps\.quadrant\.key: the cap 10% of the budget \(2\) is below"):
        al.optimal_allocation(curves_of([1.0, 1.0], [0.5, 0.5], quadrant=["key", "other"]),
                              al.AllocationParameters(budget=20, min_spend=5, caps={"quadrant": {"key": 0.1}}))
    with pytest.raises(ValueError, match="method 'kkt' solves caps on one column"):
        al.optimal_allocation(curves_of([1.0, 1.0], [0.5, 0.5], quadrant=["key", "x"], industry=["a", "b"]),
                              al.AllocationParameters(caps={"quadrant": {"key": 0.6}, "industry": {"a": 0.6}}),
                              method="kkt")


def test_budget_beyond_the_upper_bounds_is_left_over_and_reported():
    curves = curves_of([4.0, 2.0], [0.5, 0.5])
    plan = al.optimal_allocation(curves, al.AllocationParameters(budget=100, max_spend=30))
    np.testing.assert_allclose(plan.spend, [30, 30])
    assert plan.spent == 60 and plan.multiplier == 0
    fit = al.estimate_response(noiseless_panel(), min_customers=2)
    checks = al.allocation_checks(fit, curves, plan).set_index("check")
    assert checks.loc["budget_left_over", "count"] == 40 and checks.loc["budget_left_over", "applies"]
    assert not checks.drop(index="budget_left_over")["applies"].any()
    assert list(checks.index) == list(al.CHECKS)


def test_a_cap_on_one_column_by_water_filling():
    """Caps: group a (A = 4, 2) at most 50 % of 100. Unconstrained a would take 80 + 20 of
    4 sqrt, 2 sqrt, 1 sqrt -> capped at 50 (split 40 / 10), b takes the other 50."""
    curves = curves_of([4.0, 2.0, 1.0], [0.5, 0.5, 0.5], group=["a", "a", "b"])
    plan = al.optimal_allocation(curves, al.AllocationParameters(budget=100, caps={"group": {"a": 0.5}}))
    np.testing.assert_allclose(plan.spend, [40.0, 10.0, 50.0], rtol=1e-9)
    lam_a, lam = 2 / np.sqrt(40), 0.5 / np.sqrt(50)
    assert plan.multiplier == pytest.approx(lam)
    assert plan.cap_multipliers[("group", "a")] == pytest.approx(lam_a - lam)
    scipy_plan = al.optimal_allocation(curves, al.AllocationParameters(budget=100, caps={"group": {"a": 0.5}}),
                                       method="scipy")
    np.testing.assert_allclose(scipy_plan.spend, plan.spend, rtol=1e-6)


def _slsqp(curves, lower, upper, budget, caps):
    """Reference: the primal problem solved directly by SLSQP."""
    scale, b = curves.frame["response_level"].to_numpy(), curves.frame["elasticity"].to_numpy()
    cons = [{"type": "ineq", "fun": lambda x: budget - x.sum(), "jac": lambda x: -np.ones_like(x)}]
    for mask, amount in caps:
        cons.append({"type": "ineq", "fun": lambda x, m=mask, a=amount: a - x[m].sum(),
                     "jac": lambda x, m=mask: -m.astype(float)})
    start = np.minimum(np.maximum(lower, budget / len(b) / 2), upper)
    res = optimize.minimize(lambda x: -(scale * x**b).sum() / budget, start,
                            jac=lambda x: -(b * scale * x ** (b - 1)) / budget,
                            bounds=list(zip(lower, upper, strict=True)), constraints=cons, method="SLSQP",
                            options={"ftol": 1e-14, "maxiter": 1000})
    return res.x


def test_scipy_agrees_with_a_direct_primal_solver_on_overlapping_caps():
    rng = np.random.default_rng(5)
    n = 30
    curves = curves_of(np.exp(rng.normal(3, 1, n)), rng.uniform(0.2, 0.7, n), current=rng.uniform(5, 20, n),
                       quadrant=rng.choice(["key", "develop"], n), industry=rng.choice(["a", "b", "c"], n))
    params = al.AllocationParameters(budget=500, min_spend=2, max_increase=4,
                                     caps={"quadrant": {"key": 0.5}, "industry": {"a": 0.3, "b": 0.4}})
    plan = al.optimal_allocation(curves, params)
    assert plan.method == "scipy"
    masks = [(curves.frame["quadrant"].to_numpy() == "key", 250), (curves.frame["industry"].to_numpy() == "a", 150),
             (curves.frame["industry"].to_numpy() == "b", 200)]
    reference = _slsqp(curves, plan.frame["spend_lower"].to_numpy(), plan.frame["spend_upper"].to_numpy(), 500, masks)
    gp = curves.expected_gp
    assert gp(plan.spend).sum() >= gp(reference).sum() * (1 - 1e-7)
    np.testing.assert_allclose(plan.spend, reference, atol=1e-3 * 500 / n)
    assert plan.spend.sum() <= 500 * (1 + 1e-7)
    for mask, amount in masks:
        assert plan.spend[mask].sum() <= amount * (1 + 1e-6)


# --- the optimiser: properties --------------------------------------------------------------

@st.composite
def problems(draw):
    n = draw(st.integers(2, 25))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    scale = np.exp(rng.normal(2, 1.5, n))
    b = rng.uniform(0.05, 0.9, n)
    current = rng.uniform(1, 100, n)
    min_spend = draw(st.sampled_from([0.0, 1.0, 5.0]))
    budget = float(current.sum() * draw(st.floats(0.3, 3.0)))
    budget = max(budget, min_spend * n * 1.01 + 1)
    increase = draw(st.sampled_from([None, 2.0, 10.0]))
    groups = rng.choice(["a", "b", "c"], n)
    cap = draw(st.sampled_from([None, 0.3, 0.6]))
    return curves_of(scale, b, current=current, group=groups), al.AllocationParameters(
        budget=budget, min_spend=min_spend, max_increase=increase,
        caps={"group": {"a": cap}} if cap and (groups == "a").any() and min_spend * (groups == "a").sum()
        <= cap * budget else {})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_the_plan_is_feasible_and_meets_the_kkt_conditions(problem):
    curves, params = problem
    plan = al.optimal_allocation(curves, params)
    x, lower, upper = plan.spend, plan.frame["spend_lower"].to_numpy(), plan.frame["spend_upper"].to_numpy()
    assert (x >= lower * (1 - 1e-9)).all() and (x <= upper * (1 + 1e-9)).all()
    assert x.sum() <= params.budget * (1 + 1e-9)
    in_a = (curves.frame["group"] == "a").to_numpy()
    usable = upper.sum() if not params.caps else upper[~in_a].sum() + min(upper[in_a].sum(),
                                                                             params.caps["group"]["a"] * params.budget)
    assert x.sum() == pytest.approx(min(usable, params.budget), rel=1e-9)
    price = plan.multiplier + np.array([plan.cap_multipliers.get(("group", g), 0.0)
                                        for g in curves.frame["group"]])
    marginal = plan.frame["marginal_return"].to_numpy()
    interior = (plan.frame["bound"] == "interior").to_numpy()
    np.testing.assert_allclose(marginal[interior], price[interior], rtol=1e-6)
    free = upper > lower * (1 + 1e-9)  # a customer whose bounds meet has no condition to meet
    at_lower = (plan.frame["bound"] == "at_lower").to_numpy() & free
    at_upper = (plan.frame["bound"] == "at_upper").to_numpy() & free
    assert (marginal[at_lower] <= price[at_lower] * (1 + 1e-6)).all()
    assert (marginal[at_upper] >= price[at_upper] * (1 - 1e-6)).all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_kkt_and_scipy_agree_and_beat_any_feasible_move(problem):
    curves, params = problem
    plan = al.optimal_allocation(curves, params, method="kkt")
    other = al.optimal_allocation(curves, params, method="scipy")
    gp = curves.expected_gp
    assert gp(other.spend).sum() == pytest.approx(gp(plan.spend).sum(), rel=1e-6)
    # moving a little spend from any customer to any other (within bounds and caps) cannot help
    x, lower, upper = plan.spend, plan.frame["spend_lower"].to_numpy(), plan.frame["spend_upper"].to_numpy()
    group = curves.frame["group"].to_numpy()
    best = gp(x).sum()
    for i in range(min(len(x), 5)):
        for j in range(len(x)):
            step = min(0.01 * x[i], x[i] - lower[i], upper[j] - x[j])
            if i == j or step <= 0 or (params.caps and group[j] == "a" and group[i] != "a"):
                continue
            y = x.copy()
            y[i] -= step
            y[j] += step
            assert gp(y).sum() <= best * (1 + 1e-9)


# --- comparison, budget curve, strategy ----------------------------------------------------

@pytest.fixture(scope="module")
def small_case():
    panel = noiseless_panel(b=0.4, n=40).assign(gross_profit=lambda p: p["gross_profit"] * np.exp(
        np.random.default_rng(4).normal(0, 0.1, len(p))))
    fit = al.estimate_response(panel, min_customers=5)
    planned = panel[panel["year"] == 2024][["customer_id", "industry"]].assign(
        quadrant=lambda t: np.where(t.index % 3 == 0, "key", "minimise_cost"), key_account=False)
    curves = al.response_curves(fit, panel, planned)
    params = al.AllocationParameters(min_spend=100, n_bootstrap=50, seed=7)
    return fit, curves, params, al.optimal_allocation(curves, params)


def test_comparison_is_deterministic_and_orders_the_plans(small_case):
    fit, curves, params, plan = small_case
    first = al.compare_plans(curves, fit, plan, params)
    again = al.compare_plans(curves, fit, plan, params)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    pd.testing.assert_frame_equal(first.draws, again.draws)
    summary = first.summary.set_index("plan")
    assert summary.loc["current", "expected_gp"] == pytest.approx(curves.frame["current_gp"].sum())
    assert summary.loc["optimal", "expected_gp"] > summary.loc["current", "expected_gp"]
    optimal = summary.loc["optimal"]
    assert optimal["gp_low"] <= optimal["expected_gp"] <= optimal["gp_high"]
    assert summary.loc["current", "gp_low"] == pytest.approx(summary.loc["current", "gp_high"])  # anchored
    np.testing.assert_allclose(summary["spend"], plan.budget)
    by = first.by_group
    np.testing.assert_allclose(by.groupby("plan")["spend_share"].sum(), 1.0)
    assert set(first.movement["group"]) == {"key", "minimise_cost"} and len(first.draws) == 150
    none = al.compare_plans(curves, fit, plan, params.replace(n_bootstrap=0))
    assert none.summary["gp_low"].isna().all() and np.isnan(none.p_better)
    with pytest.raises(ValueError, match="by='region' is not a column"):
        al.compare_plans(curves, fit, plan, params, by="region")


def test_budget_curve_rises_with_falling_marginal_return_and_its_slope_is_lambda(small_case):
    _, curves, params, plan = small_case
    curve = al.budget_curve(curves, params.replace(budget_multiples=(0.0001, 0.9, 1.0, 1.001, 1.5)))
    assert not curve["feasible"].iloc[0] and curve["expected_gp"].iloc[:1].isna().all()
    ok = curve[curve["feasible"]]
    assert ok["expected_gp"].is_monotonic_increasing and ok["marginal_return"].is_monotonic_decreasing
    slope = np.diff(ok["expected_gp"].to_numpy()[1:3]) / np.diff(ok["budget"].to_numpy()[1:3])
    assert slope[0] == pytest.approx(ok["marginal_return"].iloc[1], rel=1e-3)  # envelope theorem
    assert ok.set_index("budget_multiple").loc[1.0, "expected_gp"] == pytest.approx(
        curves.expected_gp(plan.spend).sum())
    target = al.optimal_allocation(curves, params.replace(budget=1.3 * plan.budget)).multiplier
    assert al.budget_for_return(curves, params, target=target) == pytest.approx(1.3 * plan.budget, rel=1e-8)
    assert np.isnan(al.budget_for_return(curves, params, target=1e6))  # not even at the minimum spends


def test_strategy_summary_reads_directions_with_the_tolerance():
    frame = pd.DataFrame({"quadrant": ["key", "maintain", "develop", "minimise_cost", "other"],
                          "strategy": ["strategy_key", "strategy_maintain", "strategy_develop",
                                       "strategy_minimise_cost", "strategy_x"],
                          "current_spend": [100.0, 100.0, 100.0, 100.0, 100.0],
                          "planned_spend": [150.0, 103.0, 90.0, 50.0, 107.0],
                          "expected_gp_current": 1.0, "expected_gp_planned": 1.0})
    table = al.strategy_summary(al.AllocationPlan(frame, 500.0, 500.0, 1.0, {}, "kkt"), tolerance=0.05)
    table = table.set_index("group")
    assert table["direction"].to_dict() == {"develop": "decrease", "key": "increase", "maintain": "hold",
                                            "minimise_cost": "decrease", "other": "increase"}
    assert table["thesis_direction"].drop("other").to_dict() == al.QUADRANT_DIRECTIONS
    assert al.QUADRANT_DIRECTIONS == {"key": "increase", "maintain": "hold", "develop": "increase",
                                      "minimise_cost": "decrease"}  # the thesis' strategies per quadrant
    assert table["agrees"].drop("other").to_dict() == {"develop": False, "key": True, "maintain": True,
                                                       "minimise_cost": True}
    assert pd.isna(table.loc["other", "agrees"]) and pd.isna(table.loc["other", "thesis_direction"])
    assert table.loc["key", "strategy"] == "strategy_key"
    assert table["planned_share"].sum() == pytest.approx(1.0)


# --- figures --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_draw_the_results(small_case, lang):
    fit, curves, params, plan = small_case
    panel = noiseless_panel(b=0.4, n=40)
    classes = panel[["customer_id"]].drop_duplicates().assign(quadrant="key", abc_class="A")
    io = al.input_output(panel, classes, by=["industry", "quadrant", "abc_class"])
    comparison = al.compare_plans(curves, fit, plan, params)
    truth = al.elasticities_against_truth(fit, pd.DataFrame({"industry": ["oem", "power"], "b": [0.4, 0.4]}))
    axes = [
        plots.plot_input_output(io, lang=lang), plots.plot_input_output(io, dimension="industry", lang=lang),
        plots.plot_share_gap(io, dimension="quadrant", lang=lang), plots.plot_elasticities(truth, lang=lang),
        plots.plot_residuals(fit, lang=lang), plots.plot_plan_gp(comparison, lang=lang),
        plots.plot_plan_shares(comparison, lang=lang),
        plots.plot_budget_curve(al.budget_curve(curves, params), current=(plan.budget, 1.0), lang=lang),
        plots.plot_spend_shift(plan, lang=lang),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for ax in axes:
            ax.figure.canvas.draw()
    assert len(axes[0].lines) == 1 and len(axes[1].lines) == 2
    assert len(axes[5].patches) == 3 and len(axes[6].patches) == 3 * 2
    assert axes[3].get_xlabel() == ("弹性系数 b" if lang == "zh" else "Elasticity b")
    with pytest.raises(ValueError, match="no dimension 'region'"):
        plots.plot_share_gap(io, dimension="region")
    plt.close("all")


# --- docstrings --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in al.__all__ if callable(getattr(al, n))
                                  and not inspect.isclass(getattr(al, n))])
def test_public_functions_document_parameters_and_returns(name):
    func = getattr(al, name)
    doc = inspect.getdoc(func) or ""
    assert "Returns\n-------" in doc, name
    for param in inspect.signature(func).parameters:
        assert re.search(rf"^{param}\b", doc, re.M), f"{name}: {param} undocumented"


# --- the N company: the truth recovered -------------------------------------------------------

@pytest.fixture(scope="module")
def ncompany():
    from workbench.datasets import make_ncompany
    return make_ncompany(1000, seed=20240101, n_respondents=10, acquired_share=0.25)  # the bundled case's data


def test_ncompany_elasticities_lie_within_their_intervals(ncompany):
    fit = al.estimate_response(ncompany.sales_expense)
    table = al.elasticities_against_truth(fit, ncompany.truth.response.reset_index())
    assert table["covered"].all(), table
    assert (table["source"] == "group_estimate").all()
    # and with customer trends, whose intervals are half as wide
    trends = al.elasticities_against_truth(al.estimate_response(ncompany.sales_expense, customer_trends=True),
                                           ncompany.truth.response.reset_index())
    assert trends["covered"].all(), trends


def test_ncompany_estimated_plan_gains_within_ten_percent_of_the_true_optimum(ncompany):
    """Scored with the generator's true response, the plan made from the estimated response
    gains at least 90 % of what the true optimum gains over the current plan, under the
    constraints of cases/ncompany.yaml (and without them)."""
    fit = al.estimate_response(ncompany.sales_expense)
    segments = ncompany.truth.segments.set_index("customer_id")
    planned = ncompany.sales_expense.loc[ncompany.sales_expense["year"] == 2024, ["customer_id", "industry"]]
    planned = planned.assign(key_account=segments.loc[planned["customer_id"], "segment"].eq("key_account").to_numpy())
    curves = al.response_curves(fit, ncompany.sales_expense, planned)
    truth = al.true_curves(curves, ncompany.truth.response.reset_index(), ncompany.truth.segments,
                           ncompany.truth.customer_years)
    for params in (al.AllocationParameters(min_spend=5000, max_increase=3, key_account_floor=1.0),
                   al.AllocationParameters()):
        plan = al.optimal_allocation(curves, params)
        scored = al.against_truth(plan, truth, params).set_index("plan")
        assert scored.loc["true_optimum", "uplift"] > 0.2 * scored.loc["current", "true_gp"]  # much to gain
        assert scored.loc["estimated_optimum", "share_of_true_uplift"] >= 0.9, scored
    # the uniform plan (一刀切) loses against the current one under the truth too
    uniform = truth.expected_gp(al.uniform_spend(curves, plan.budget)).sum()
    assert uniform < truth.expected_gp(curves.frame["current_spend"]).sum()


def test_ncompany_diagnosis_shows_the_thesis_problem(ncompany):
    classes = ncompany.truth.segments[["customer_id", "segment"]]
    io = al.input_output(ncompany.sales_expense, classes, by=["segment"])
    ratio = io[io["dimension"] == "overall"]["gp_per_expense"].to_numpy()
    assert (np.diff(ratio) < 0).all()
    last = io[(io["dimension"] == "segment") & (io["year"] == 2024)].set_index("group")
    # expense does not follow value: key accounts bring far more of the profit than they get of the spend
    assert last.loc["key_account", "gp_share"] > 2 * last.loc["key_account", "expense_share"]
    assert last.loc["stable_small", "gp_share"] < 0.5 * last.loc["stable_small", "expense_share"]


def test_ratio_by_year_spreads_each_groups_ratio_over_the_years():
    """The trend table of the diagnosis: per group gp / expense of each year, by hand."""
    panel = pd.DataFrame({"customer_id": ["A", "A", "B", "B"], "year": [2023, 2024, 2023, 2024],
                          "sales_expense": [10.0, 20.0, 10.0, 10.0], "gross_profit": [50.0, 60.0, 30.0, 40.0]})
    classes = pd.DataFrame({"customer_id": ["A", "B"], "industry": ["oem", "power"]})
    table = al.ratio_by_year(al.input_output(panel, classes, by=["industry"]))
    assert list(table.columns) == ["dimension", "group", "2023", "2024"]
    assert table.set_index("group")[["2023", "2024"]].to_dict("index") == {
        "oem": {"2023": 5.0, "2024": 3.0}, "power": {"2023": 3.0, "2024": 4.0}}
    with pytest.raises(ValueError, match="result of input_output"):
        al.ratio_by_year(panel)
