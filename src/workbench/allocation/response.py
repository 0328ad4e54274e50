"""The response of gross profit to sales expense: estimated per group, then per customer.

:func:`estimate_response` fits the concave response per group (industry by default) from
the customer-year panel with customer fixed effects (the within estimator) and
cluster-robust standard errors; :func:`response_curves` turns the estimate into one
response curve per planned customer, anchored at the customer's current point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench.allocation.panel import check_panel
from workbench.parameters import FORMS

__all__ = ["CURVE_SOURCES", "POOLED", "ResponseCurves", "ResponseEstimate", "estimate_response", "response_curves"]

#: The ``segment`` of the pooled estimate (all groups, common coefficient).
POOLED = "all"

_ESTIMATE_COLUMNS = ["segment", "elasticity", "std_error", "ci_low", "ci_high", "customers", "rows",
                     "within_r2", "r2", "curvature", "curvature_p", "source", "reason", "own_elasticity"]


@dataclass(frozen=True)
class ResponseEstimate:
    """The fitted response per group; made by :func:`estimate_response`.

    Attributes
    ----------
    form : {"power", "log"}
        ``power``: ln gp = alpha_c + tau_y + b ln E; ``log``: gp = alpha_c + tau_y +
        beta ln E. ``elasticity`` holds b or beta.
    by : str
        The group column.
    estimates : pandas.DataFrame
        One row per group and a last row ``segment == "all"`` (the pooled fit):
        ``segment``, ``elasticity`` (the coefficient used: the group's own, or the
        pooled one where ``source == "pooled_estimate"``), ``std_error`` (cluster-robust, by
        customer), ``ci_low``/``ci_high`` (t interval with G - 1 degrees of freedom, G
        customers), ``customers`` and ``rows`` in the group's own fit, ``within_r2``
        (R² of the demeaned regression), ``r2`` (of ln gp, or gp, with the customer
        effects), ``curvature`` and ``curvature_p`` (coefficient and p-value of the
        centred square of ln E added to the fit: a small p says the constant-
        coefficient form bends), ``source`` (``group_estimate`` or
        ``pooled_estimate``), ``reason``
        (why the pooled coefficient is used: ``segment_one_year``,
        ``too_few_customers``, ``elasticity_out_of_range``; missing otherwise) and
        ``own_elasticity`` (the group's own estimate where there was one).
    residuals : pandas.DataFrame
        ``customer_id``, ``year``, ``segment``, ``fitted`` and ``residual`` (on the
        fitted scale: ln gp for ``power``) of the rows in the group fits.
    excluded : pandas.DataFrame
        Panel rows left out of the fits: ``customer_id``, ``year``, ``segment``,
        ``reason`` (``expense_zero``, ``gross_profit_not_positive``,
        ``customer_too_few_years``). Rows in = fitted + excluded.
    level : float
        Interval level.
    customer_trends : bool
        Whether a linear trend per customer was removed too.

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
    >>> estimate.form, estimate.by
    ('power', 'industry')
    >>> estimate.estimates[["segment", "elasticity", "source"]].round(6)
      segment  elasticity           source
    0     oem         0.5   group_estimate
    1     all         0.5  pooled_estimate
    """

    form: str
    by: str
    estimates: pd.DataFrame
    residuals: pd.DataFrame
    excluded: pd.DataFrame
    level: float
    customer_trends: bool

    def coefficients(self) -> pd.DataFrame:
        """The coefficient used per group with its standard error (pooled fallbacks included).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``segment`` (the pooled row ``all`` last): ``elasticity``,
            ``std_error``, ``source``.
        """
        return self.estimates.set_index("segment")[["elasticity", "std_error", "source"]]

    def fallbacks(self) -> pd.DataFrame:
        """The groups that use the pooled coefficient, and why.

        Returns
        -------
        pandas.DataFrame
            ``segment``, ``reason``, ``own_elasticity``; empty when every group has its
            own estimate.
        """
        rows = self.estimates[(self.estimates["source"] == "pooled_estimate") & (self.estimates["segment"] != POOLED)]
        return rows[["segment", "reason", "own_elasticity"]].reset_index(drop=True)


def _group_sums(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Column sums per group, (n_groups, k): one ``reduceat`` over rows sorted by group
    (the panel arrives sorted by customer, so usually no sort is needed)."""
    if len(codes) == 0:
        return np.zeros((n_groups, values.shape[1]))
    if not (codes[1:] >= codes[:-1]).all():
        order = np.argsort(codes, kind="stable")
        codes, values = codes[order], values[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sums = np.zeros((n_groups, values.shape[1]))
    sums[codes[starts]] = np.add.reduceat(values, starts, axis=0)
    return sums


def _within(values: np.ndarray, codes: np.ndarray, n_groups: int, t: np.ndarray | None) -> np.ndarray:
    """Demean columns by group (and remove a per-group linear trend in ``t`` if given)."""
    count = np.bincount(codes, minlength=n_groups).astype(float)
    out = values - (_group_sums(values, codes, n_groups) / count[:, None])[codes]
    if t is not None:
        tc = t - (np.bincount(codes, t, minlength=n_groups) / count)[codes]
        tss = np.bincount(codes, tc * tc, minlength=n_groups)
        slope = _group_sums(out * tc[:, None], codes, n_groups) / tss[:, None]
        out -= slope[codes] * tc[:, None]
    return out


def _year_dummies(years: np.ndarray, drop: int, labels: np.ndarray | None = None) -> np.ndarray:
    """Year (or label x year) indicator columns, the first ``drop`` years of each label left out."""
    if labels is None:
        labels = np.zeros(len(years), dtype=np.int64)
    labels, years = np.asarray(labels, dtype=np.int64), np.asarray(years, dtype=np.int64)
    span = int(years.max() - years.min()) + 1
    keys, cell = np.unique(labels * span + (years - years.min()), return_inverse=True)  # 1-D: fast
    pair_labels = keys // span
    # rank of each (label, year) among its label's years; the first `drop` get no column
    rank = np.concatenate([np.arange((pair_labels == lab).sum()) for lab in np.unique(pair_labels)])
    column = np.full(len(keys), -1)
    kept = rank >= drop
    column[kept] = np.arange(kept.sum())
    out = np.zeros((len(years), int(kept.sum())))
    rows = np.flatnonzero(column[cell.ravel()] >= 0)
    out[rows, column[cell.ravel()][rows]] = 1.0
    return out


def _cluster_ols(y: np.ndarray, x: np.ndarray, codes: np.ndarray, n_groups: int):
    """OLS with the cluster-robust (CR1) covariance: statsmodels' ``cov_type="cluster"``.

    V = c (X'X)^-1 (sum_g s_g s_g') (X'X)^-1 with s_g = sum_{i in g} x_i e_i and
    c = G/(G-1) (N-1)/(N-K); equal to ``sm.OLS(y, x).fit(cov_type="cluster",
    cov_kwds={"groups": codes})`` (a test holds them together), without its rank checks
    on the whole design, which cost most of the time at 100,000 customers.
    """
    xtx = x.T @ x
    bread = np.linalg.pinv(xtx)
    params = bread @ (x.T @ y)
    resid = y - x @ params
    sums = _group_sums(x * resid[:, None], codes, n_groups)
    n, k = x.shape
    factor = n_groups / (n_groups - 1) * (n - 1) / (n - k) if n_groups > 1 and n > k else np.nan
    cov = factor * bread @ (sums.T @ sums) @ bread
    return params, cov, resid


def _fit(y: np.ndarray, x: np.ndarray, years: np.ndarray, customers: np.ndarray, level: float,
         trends: bool, labels: np.ndarray | None = None) -> dict:
    """Within-estimator OLS of y on x and year effects with customer-clustered errors."""
    codes, uniques = pd.factorize(customers)
    g = len(uniques)
    t = years.astype(float) if trends else None
    dummies = _year_dummies(years, 2 if trends else 1, labels)
    raw = np.column_stack([y, x, dummies])
    demeaned = _within(raw, codes, g, t)
    yd, xd = demeaned[:, 0], demeaned[:, 1:]
    keep = np.r_[True, np.abs(xd[:, 1:]).max(axis=0) > 1e-12] if xd.shape[1] > 1 else np.array([True])
    xd = xd[:, keep]
    params, cov, resid = _cluster_ols(yd, xd, codes, g)
    crit = stats.t.ppf(1 - (1 - level) / 2, g - 1)
    b, se = float(params[0]), float(np.sqrt(cov[0, 0]))
    ssr = float(resid @ resid)
    out = {
        "elasticity": b, "std_error": se, "ci_low": b - crit * se, "ci_high": b + crit * se,
        "customers": g, "rows": len(y),
        "within_r2": 1 - ssr / float(yd @ yd) if float(yd @ yd) > 0 else np.nan,
        "r2": 1 - ssr / float(((y - y.mean()) ** 2).sum()) if len(y) > 1 else np.nan,
        "residual": resid, "fitted": y - resid,
    }
    # the centred square of x, within-transformed like the rest: does the coefficient bend?
    square = _within(((x - x.mean()) ** 2)[:, None], codes, g, t)
    if np.abs(square).max() > 1e-12:
        bent, bent_cov, _ = _cluster_ols(yd, np.column_stack([xd, square]), codes, g)
        z = bent[-1] / np.sqrt(bent_cov[-1, -1])
        out["curvature"], out["curvature_p"] = float(bent[-1]), float(2 * stats.t.sf(abs(z), g - 1))
    else:
        out["curvature"], out["curvature_p"] = np.nan, np.nan
    return out


def estimate_response(
    panel: pd.DataFrame,
    *,
    by: str = "industry",
    form: str = "power",
    customer_trends: bool = False,
    min_customers: int = 10,
    level: float = 0.95,
) -> ResponseEstimate:
    """Fit the response of gross profit to sales expense per group (customer fixed effects).

    Parameters
    ----------
    panel : pandas.DataFrame
        Customer-year panel (:func:`workbench.allocation.check_panel`) with the ``by``
        column (a customer's group must not change between years).
    by : str, default "industry"
        Group column; each group gets its own coefficient and year effects.
    form : {"power", "log"}, default "power"
        ``power``: ln gp_cy = alpha_c + tau_y + b ln E_cy + e_cy (constant elasticity
        b; rows with gp <= 0 cannot enter); ``log``: gp_cy = alpha_c + tau_y + beta ln
        E_cy + e_cy (beta: gross profit per unit of ln E).
    customer_trends : bool, default False
        Remove a linear trend per customer too (alpha_c + delta_c * year), so spend that
        follows a customer's own growth path does not bias the coefficient; needs three
        usable years per customer.
    min_customers : int, default 10
        Fewest customers with enough usable years for a group's own estimate.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    ResponseEstimate

    Raises
    ------
    ValueError
        Bad panel (see :func:`check_panel`), an unknown form, a customer whose group
        changes, or no usable data at all (then not even the pooled fit exists).

    Notes
    -----
    The within estimator (Wooldridge 2010, ch. 10) demeans every variable by customer,
    so each customer's level (its size, its value segment: everything constant about
    it) drops out; year effects per group absorb what moves every customer of the group
    alike (price levels, a company-wide budget drift). Standard errors are clustered by
    customer (statsmodels' ``cov_type="cluster"``, computed here without its rank checks
    and held equal to it by a test; the small-sample factor
    G/(G-1) (N-1)/(N-K); the fixed effects are nested in the clusters, so they need no
    degrees-of-freedom correction, Cameron & Miller 2015, sec. III.B) and intervals use
    t(G - 1). Rows with zero expense (and, for ``power``, gp <= 0) cannot enter the
    logs; customers with one usable year (two with ``customer_trends``) carry no
    within-customer variation. Both are listed in ``excluded`` with a reason. A group
    without an own estimate (one year of data, fewer than ``min_customers`` customers,
    or a coefficient outside (0, 1) for ``power`` / <= 0 for ``log``, which is no
    diminishing-returns response) takes the pooled fit over all groups (group-by-year
    effects, one coefficient); ``source`` (``pooled_estimate``) and ``reason`` say so.

    Endogeneity: firms spend more on customers they expect to grow. Customer effects
    remove spend that follows a customer's permanent level, and ``customer_trends``
    spend that follows its own linear growth; spend that reacts to this year's
    expected shocks still biases b upwards. The estimate then supports reallocations of
    the size seen in the data (within-customer changes of spend), not a causal effect
    of spend far outside that range.

    References
    ----------
    Wooldridge, J. M. (2010). Econometric Analysis of Cross Section and Panel Data (2nd
    ed.), ch. 10 (fixed effects) and 11.7 (random trend model). MIT Press.
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust
    inference. Journal of Human Resources, 50(2), 317-372.

    Examples
    --------
    Two customers, gp = k_c * E**0.5 exactly, with a year effect of 1.1 in 2024:

    >>> import numpy as np, pandas as pd
    >>> e = np.array([100.0, 400.0, 900.0, 100.0, 400.0, 1600.0])
    >>> k = np.array([1.0, 1.0, 1.0, 3.0, 3.0, 3.0])
    >>> year = np.array([2022, 2023, 2024, 2022, 2023, 2024])
    >>> panel = pd.DataFrame({"customer_id": ["C1"] * 3 + ["C2"] * 3, "year": year,
    ...                       "sales_expense": e, "gross_profit": k * e**0.5 * np.where(year == 2024, 1.1, 1.0),
    ...                       "industry": "oem"})
    >>> fit = estimate_response(panel, min_customers=2)
    >>> round(float(fit.estimates.loc[0, "elasticity"]), 6)
    0.5
    """
    if form not in FORMS:
        raise ValueError(f"form {form!r} is not one of {FORMS}")
    if not 0 < level < 1:
        raise ValueError(f"level {level!r} must lie in (0, 1)")
    frame = check_panel(panel, columns=[by])
    frame[by] = frame[by].astype(str)
    changing = frame.groupby("customer_id")[by].nunique()
    if (changing > 1).any():
        raise ValueError(f"panel: column '{by}': {int((changing > 1).sum())} customer(s) change group "
                         f"between years, e.g. {changing[changing > 1].index[0]}; give each customer one {by}")
    need = 3 if customer_trends else 2
    reason = pd.Series(pd.NA, index=frame.index, dtype="object")
    reason[frame["sales_expense"] <= 0] = "expense_zero"
    if form == "power":
        reason[reason.isna() & (frame["gross_profit"] <= 0)] = "gross_profit_not_positive"
    usable = reason.isna()
    years_per_customer = usable.groupby(frame["customer_id"]).transform("sum")
    reason[usable & (years_per_customer < need)] = "customer_too_few_years"
    used = frame[reason.isna()]
    excluded = frame.loc[reason.notna(), ["customer_id", "year", by]].rename(columns={by: "segment"})
    excluded = excluded.assign(reason=reason[reason.notna()].astype(str)).reset_index(drop=True)

    def arrays(part):
        x = np.log(part["sales_expense"].to_numpy())
        y = np.log(part["gross_profit"].to_numpy()) if form == "power" else part["gross_profit"].to_numpy()
        return y, x, part["year"].to_numpy(), part["customer_id"].to_numpy()

    def in_range(b):
        return 0 < b < 1 if form == "power" else b > 0

    rows, residuals = [], []
    segments = sorted(frame[by].unique())
    for segment in segments:
        part = used[used[by] == segment]
        all_years = frame.loc[(frame[by] == segment) & usable, "year"].nunique()
        row = {"segment": segment, "source": "group_estimate", "reason": pd.NA, "own_elasticity": np.nan}
        if all_years < 2 or part.empty:
            row.update(source="pooled_estimate", reason="segment_one_year")
        elif part["customer_id"].nunique() < min_customers:
            row.update(source="pooled_estimate", reason="too_few_customers")
        else:
            fit = _fit(*arrays(part), level, customer_trends)
            residuals.append(pd.DataFrame({"customer_id": part["customer_id"].to_numpy(),
                                           "year": part["year"].to_numpy(), "segment": segment,
                                           "fitted": fit.pop("fitted"), "residual": fit.pop("residual")}))
            row.update(fit, own_elasticity=fit["elasticity"])
            if not in_range(fit["elasticity"]):
                row.update(source="pooled_estimate", reason="elasticity_out_of_range")
        rows.append(row)
    if used.empty or used["year"].nunique() < 2:
        raise ValueError(f"panel: no customer has {need} usable years (sales expense > 0"
                         f"{' and gross profit > 0' if form == 'power' else ''}); the response cannot "
                         "be estimated from one year of data")
    pooled = _fit(*arrays(used), level, customer_trends, labels=pd.factorize(used[by])[0])
    pooled.pop("fitted"), pooled.pop("residual")
    if not in_range(pooled["elasticity"]):
        raise ValueError(f"panel: the pooled {form} response has coefficient {pooled['elasticity']:.3f}, "
                         f"not {'in (0, 1)' if form == 'power' else '> 0'}: the data show no diminishing "
                         "returns to sales expense, so no allocation can be derived from them")
    pooled_row = {"segment": POOLED, **pooled, "source": "pooled_estimate", "reason": pd.NA,
                  "own_elasticity": pooled["elasticity"]}
    for row in rows:
        if row["source"] == "pooled_estimate":
            for key in ("elasticity", "std_error", "ci_low", "ci_high"):
                row[key] = pooled[key]
    estimates = pd.DataFrame([*rows, pooled_row]).reindex(columns=_ESTIMATE_COLUMNS)
    estimates["reason"] = estimates["reason"].astype("object")
    for column in ("customers", "rows"):
        estimates[column] = estimates[column].astype("Int64")
    residual_frame = (pd.concat(residuals, ignore_index=True) if residuals else
                      pd.DataFrame(columns=["customer_id", "year", "segment", "fitted", "residual"]))
    return ResponseEstimate(form=form, by=by, estimates=estimates, residuals=residual_frame,
                            excluded=excluded, level=float(level), customer_trends=bool(customer_trends))


# --------------------------------------------------------------------------------------
# per-customer curves
# --------------------------------------------------------------------------------------

#: How a customer's curve was anchored (``ResponseCurves.frame["source"]``).
CURVE_SOURCES = ("own_point", "no_expense_history", "not_active_in_plan_year", "no_usable_point")


@dataclass(frozen=True)
class ResponseCurves:
    """One response curve per planned customer; made by :func:`response_curves`.

    Attributes
    ----------
    form : {"power", "log"}
    frame : pandas.DataFrame
        One row per planned customer, in the order given: ``customer_id``,
        ``segment``, ``current_spend`` and ``current_gp`` (the plan year's; 0 and
        missing without a row), ``elasticity`` (b or beta of the segment),
        ``response_level`` (A of gp = A E**b, or alpha of gp = alpha + beta ln E), ``source``
        (``own_point``: the curve passes through the customer's plan-year point; else the
        reason it takes its segment's median scale: ``no_expense_history``,
        ``not_active_in_plan_year``, ``no_usable_point``), then every further column of
        the customers frame (``quadrant``, ``key_account``...).
    plan_year : int
    notes : pandas.DataFrame
        ``code`` and ``customers``: counts of fallback customers per reason and
        ``active_not_planned`` (panel customers of the plan year not in the plan).

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
    >>> curves.plan_year, curves.size
    (2024, 2)
    >>> curves.frame[["customer_id", "current_spend", "elasticity", "response_level"]].round(3)
      customer_id  current_spend  elasticity  response_level
    0          C1          900.0         0.5             1.1
    1          C2         1600.0         0.5             3.3
    """

    form: str
    frame: pd.DataFrame
    plan_year: int
    notes: pd.DataFrame

    @property
    def size(self) -> int:
        """Number of planned customers."""
        return len(self.frame)

    def expected_gp(self, spend) -> np.ndarray:
        """Expected yearly gross profit of each customer at ``spend``.

        Parameters
        ----------
        spend : array-like of float
            One spend per customer, in ``frame`` order (currency, >= 0).

        Returns
        -------
        numpy.ndarray
            ``A E**b`` (power) or ``alpha + beta ln E`` (log; minus infinity at 0).
        """
        return _gp(self.form, self.frame["response_level"].to_numpy(), self.frame["elasticity"].to_numpy(),
                   np.asarray(spend, dtype=float))

    def marginal_return(self, spend) -> np.ndarray:
        """Gross profit of one more yuan for each customer at ``spend`` (d gp / d E).

        Parameters
        ----------
        spend : array-like of float
            One spend per customer, in ``frame`` order.

        Returns
        -------
        numpy.ndarray
            ``b A E**(b-1)`` (power) or ``beta / E`` (log); infinite at 0.
        """
        scale, b = self.frame["response_level"].to_numpy(), self.frame["elasticity"].to_numpy()
        spend = np.asarray(spend, dtype=float)
        with np.errstate(divide="ignore"):
            return b * scale * spend ** (b - 1) if self.form == "power" else b / spend

    def with_elasticities(self, elasticities: Mapping[str, float]) -> ResponseCurves:
        """The same customers with other segment coefficients, re-anchored.

        Each ``own_point`` curve still passes through the customer's current point; fallback
        customers take the new segment median. Used by the parametric bootstrap.

        Parameters
        ----------
        elasticities : mapping of str to float
            Segment -> coefficient; segments not given keep theirs.

        Returns
        -------
        ResponseCurves
        """
        frame = self.frame.copy()
        new = frame["segment"].map(dict(elasticities))
        frame["elasticity"] = new.where(new.notna(), frame["elasticity"]).astype(float)
        frame["response_level"] = _anchored_scale(self.form, frame)
        return ResponseCurves(form=self.form, frame=frame, plan_year=self.plan_year, notes=self.notes)


def _gp(form, scale, b, spend):
    if form == "power":
        return scale * spend ** b
    with np.errstate(divide="ignore"):
        return scale + b * np.log(spend)


def _anchored_scale(form: str, frame: pd.DataFrame) -> np.ndarray:
    """Scale through each customer's current point; segment median for the others."""
    codes, _ = pd.factorize(frame["segment"])
    return _anchor(form, frame["elasticity"].to_numpy(), frame["current_spend"].to_numpy(),
                   frame["current_gp"].to_numpy(), (frame["source"] == "own_point").to_numpy(), codes)


def _anchor(form, b, spend, gp, own, codes) -> np.ndarray:
    """Array version of :func:`_anchored_scale`."""
    if form == "power":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.exp(_log_scale(b, np.log(spend), np.log(gp), own, codes))
    scale = np.full(len(b), np.nan)
    scale[own] = gp[own] - b[own] * np.log(spend[own])
    return _fill_fallbacks(scale, own, codes)


def _log_scale(b, log_spend, log_gp, own, codes) -> np.ndarray:
    """ln A of the power curves through each customer's current point (the bootstrap's
    inner loop: logs of spend and gp are computed once)."""
    if own.all():
        return log_gp - b * log_spend
    out = np.full(len(b), np.nan)
    out[own] = log_gp[own] - b[own] * log_spend[own]
    return _fill_fallbacks(out, own, codes)


def _fill_fallbacks(values, own, codes) -> np.ndarray:
    """Customers without a usable point get their segment's median (else the overall median)."""
    if own.all():
        return values
    if not own.any():
        raise ValueError("no planned customer has a usable current point (spend > 0 and gross "
                         "profit > 0 in the plan year): no curve can be anchored")
    medians = pd.Series(values[own]).groupby(codes[own]).median()
    fill = pd.Series(codes[~own]).map(medians).to_numpy(dtype=float)
    values[~own] = np.where(np.isnan(fill), np.median(values[own]), fill)
    return values


def response_curves(
    estimate: ResponseEstimate,
    panel: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    plan_year: int | None = None,
) -> ResponseCurves:
    """Each planned customer's response curve, anchored at its current point.

    Parameters
    ----------
    estimate : ResponseEstimate
        From :func:`estimate_response`.
    panel : pandas.DataFrame
        The customer-year panel the estimate was fitted on.
    customers : pandas.DataFrame
        The customers to plan for, one row each: ``customer_id``, the estimate's ``by``
        column and any columns the plan uses (``key_account`` bool for floors, the
        columns of caps, ``quadrant`` for summaries); they are carried along.
    plan_year : int, optional
        The year whose spend is the current plan; default the panel's last year.

    Returns
    -------
    ResponseCurves

    Raises
    ------
    ValueError
        Missing columns, repeated customers, a group with no estimate, or no customer
        with a usable current point.

    Notes
    -----
    ``power``: A_c = gp_cT / E_cT**b_s, so gp_c(E) = gp_cT (E / E_cT)**b_s: at its
    current spend the customer is expected to bring what it brought in the plan year
    T, and the segment's elasticity says how that changes with spend. (The customer
    effect of the fit would average over years and miss a growing or declining
    customer's present level.) ``log``: alpha_c = gp_cT - beta_s ln E_cT. A planned
    customer without a usable plan-year point (no expense history, no row in T, zero
    spend or, for ``power``, gp <= 0 in T) gets the median scale of its segment's
    anchored customers (for ``power`` the median of ln A): the segment's typical
    response; ``source`` names the reason.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.allocation.response import ResponseEstimate
    >>> est = ResponseEstimate("power", "industry", pd.DataFrame({"segment": ["oem", "all"],
    ...     "elasticity": [0.5, 0.5], "std_error": [0.1, 0.1], "source": ["group_estimate", "pooled_estimate"]}),
    ...     pd.DataFrame(), pd.DataFrame(), 0.95, False)
    >>> panel = pd.DataFrame({"customer_id": ["C1", "C2", "C4"], "year": 2024, "industry": "oem",
    ...                       "sales_expense": [100.0, 400.0, 100.0], "gross_profit": [50.0, 40.0, 30.0]})
    >>> planned = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"], "industry": "oem"})
    >>> curves = response_curves(est, panel, planned)
    >>> curves.frame[["customer_id", "current_spend", "response_level", "source"]].round(6)
      customer_id  current_spend  response_level              source
    0          C1          100.0             5.0           own_point
    1          C2          400.0             2.0           own_point
    2          C3            0.0             3.0  no_expense_history
    3          C4          100.0             3.0           own_point
    """
    by = estimate.by
    if not isinstance(customers, pd.DataFrame):
        raise TypeError(f"customers: expected a DataFrame, got {type(customers).__name__}")
    missing = [c for c in ("customer_id", by) if c not in customers.columns]
    if missing:
        raise ValueError(f"customers: missing column(s) {missing}; columns present: {list(customers.columns)}")
    if customers["customer_id"].duplicated().any():
        dup = customers.loc[customers["customer_id"].duplicated(), "customer_id"].iloc[0]
        raise ValueError(f"customers: customer_id {dup!r} repeats; give one row per planned customer")
    frame = check_panel(panel)
    year = int(frame["year"].max()) if plan_year is None else int(plan_year)
    if year not in set(frame["year"]):
        raise ValueError(f"plan_year {year} is not a year of the panel {sorted(set(frame['year']))}")
    coef = estimate.coefficients()
    segments = customers[by].astype(str)
    unknown = sorted(set(segments.unique()) - set(coef.index))
    if unknown:
        raise ValueError(f"customers: column '{by}': group(s) {unknown} have no response estimate; "
                         f"estimated groups: {sorted(set(coef.index) - {POOLED})}")
    ids = customers["customer_id"].astype(str)
    now = frame[frame["year"] == year].set_index("customer_id")
    spend = now["sales_expense"].reindex(ids).to_numpy()
    gp = now["gross_profit"].reindex(ids).to_numpy()
    # Index lookups, not Series.isin: pandas' isin on Arrow strings loops in Python
    history = pd.Index(frame["customer_id"].unique()).get_indexer(ids) >= 0
    source = np.where(~history, "no_expense_history",
                      np.where(np.isnan(spend), "not_active_in_plan_year", "own_point")).astype(object)
    usable = ~np.isnan(spend) & (spend > 0) & ((gp > 0) if estimate.form == "power" else True)
    source[(source == "own_point") & ~usable] = "no_usable_point"
    out = pd.DataFrame({
        "customer_id": ids.to_numpy(),
        "segment": segments.to_numpy(),
        "current_spend": np.nan_to_num(spend, nan=0.0),
        "current_gp": gp,
        "elasticity": coef["elasticity"].reindex(segments).to_numpy(dtype=float),
        "response_level": np.nan,
        "source": source,
    })
    out["response_level"] = _anchored_scale(estimate.form, out)
    extra = customers.drop(columns="customer_id").reset_index(drop=True)
    out = pd.concat([out, extra[[c for c in extra.columns if c not in out.columns]]], axis=1)
    counts = pd.Series(source).value_counts()
    not_planned = len(now.index.difference(pd.Index(ids)))
    notes = pd.DataFrame({"code": [*CURVE_SOURCES[1:], "active_not_planned"],
                          "customers": [int(counts.get(c, 0)) for c in CURVE_SOURCES[1:]] + [not_planned]})
    return ResponseCurves(form=estimate.form, frame=out, plan_year=year, notes=notes)
