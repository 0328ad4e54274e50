"""The N-company generator: a B2B case (customers, orders, returns, stock, sales expense) with a known truth."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.datasets._profiles import (
    _INDUSTRY_PROFILE,
    _SEGMENT_PROFILE,
    NCOMPANY_INDUSTRIES,
    NCOMPANY_SEGMENTS,
    _numbered,
)
from workbench.datasets.ncompany_funnel import NCompanyFunnelTruth, _draw_opportunities, _funnel_truth
from workbench.datasets.ncompany_survey import _draw_survey, _loadings_table, _survey_calibration

# the lecture's churn-reason table is lifecycle knowledge: the generator draws from it
from workbench.lifecycle import CHURN_REASON_GROUPS, CHURN_REASON_SHARES

__all__ = [
    "NCompanyData",
    "NCompanyTruth",
    "make_ncompany",
]


_EXPENSE_REF = 20_000.0  # CNY; gp_level is the segment's yearly gross profit at this spend
_EXPENSE_DRIFT = 1.45  # yearly growth of sales expense: input grows faster than output
_EXPENSE_SD = 0.7  # SD of log expense given industry, size and year: spend ignores value
_RESPONSE_SD = 0.1  # SD of the log-normal noise of the gross-profit response

_REGIONS = ("east", "north", "south", "central", "southwest", "northeast", "northwest")
_REGION_P = (0.32, 0.18, 0.17, 0.12, 0.10, 0.06, 0.05)

# Products: code -> (gross margin, list price in CNY, product-mix weight per industry in
# the order of NCOMPANY_INDUSTRIES).
_PRODUCTS = pd.DataFrame(
    {
        "margin": [0.32, 0.28, 0.24, 0.30, 0.35, 0.18, 0.22],
        "list_price": [60.0, 900.0, 25_000.0, 400.0, 150.0, 80_000.0, 6_000.0],
        "power": [0.10, 0.15, 0.25, 0.05, 0.05, 0.35, 0.05],
        "construction": [0.40, 0.25, 0.05, 0.10, 0.05, 0.10, 0.05],
        "oem": [0.10, 0.10, 0.02, 0.35, 0.20, 0.01, 0.22],
        "distributor": [0.40, 0.20, 0.02, 0.20, 0.15, 0.01, 0.02],
    },
    index=pd.Index(["MCB", "MCCB", "ACB", "CONTACTOR", "RELAY", "SWITCHGEAR", "VFD"],
                   name="product_id"),
)
#: Stock turnover per product (yearly sales / average stock, both in CNY at sales value):
#: breakers and relays turn fast, switchgear is built to order and turns slowly.
_STOCK_TURNOVER = {"MCB": 8.0, "MCCB": 6.0, "ACB": 3.0, "CONTACTOR": 7.0, "RELAY": 9.0,
                   "SWITCHGEAR": 2.5, "VFD": 4.0}
_STOCK_SD = 0.1  # SD of log year-end stock around sales / turnover
_CHANNELS = ("direct", "distribution", "online")
_CHANNEL_P = {  # per industry
    "power": (0.90, 0.10, 0.00),
    "construction": (0.55, 0.40, 0.05),
    "oem": (0.80, 0.15, 0.05),
    "distributor": (0.20, 0.60, 0.20),
}
_CUSTOMER_TYPES = {
    "power": ("end_user",),
    "construction": ("contractor",),
    "oem": ("machine_builder",),
    "distributor": ("wholesaler", "retailer"),
}

_SEPARATION = {  # shrinkage of segment profiles towards the pooled profile, customer noise
    "clear": {"contrast": 1.0, "noise": 0.2, "churn_gap_days": 420,
              "growing_acquired_spread": False, "stable_acquired_share": 0.0},
    "weak": {"contrast": 0.35, "noise": 0.65, "churn_gap_days": 45,
             "growing_acquired_spread": True, "stable_acquired_share": 0.5},
}


@dataclass(frozen=True)
class NCompanyTruth:
    """What :func:`make_ncompany` put into the data, for checking that methods recover it.

    Attributes
    ----------
    segments : DataFrame
        One row per customer (sorted by ``customer_id``): ``segment`` (one of
        :data:`NCOMPANY_SEGMENTS`), ``segment_code`` (0-4), ``industry``, ``churned``
        (bool), ``churn_date`` (NaT unless churned; no order or return on or after it),
        ``churn_reason`` (code or missing), ``response_scale`` (k_c below),
        ``order_rate`` (orders per year at trajectory 1), ``satisfaction_effect``.
    segment_definitions : DataFrame
        One row per segment: the generating profile (shares, median size, order rate,
        gross-profit level in CNY/year at 20,000 CNY expense, yearly trajectory factor,
        satisfaction effect, ...), after the ``separation`` shrinkage, with
        ``acquired`` (when its customers are acquired) and ``churns`` (bool).
    response : DataFrame
        One row per industry: ``a``, ``b`` of gp = a * k * m * f * E**b, ``sigma`` of the
        log-normal noise, ``expense_base`` (CNY), ``level``, ``growth``.
    customer_years : DataFrame
        One row per active customer-year: ``active_fraction`` f, ``trajectory`` m,
        ``sales_expense`` E, ``expected_gross_profit`` (the response without noise).
    path_coefficients : DataFrame
        ``source``, ``target``, ``coefficient``: the paths PLS-PM (mode A, path
        weighting, standardised items, reverse item re-reversed) recovers from the 1-7
        answers on a very large sample (200,000 simulated respondents, fixed seed, Monte
        Carlo error about 0.003). This is what a PLS estimate on a large survey should
        approach; PLS under-estimates the latent paths (finite items, discrete answers).
    structural_path_coefficients : DataFrame
        The same paths among the latent variables themselves: the standardised
        structural coefficients; with a non-linear CUSA -> CUSL link the two CUSL paths
        are its best linear projection on the large sample. Consistent PLS (PLSc) or
        covariance-based SEM on continuous indicators would approach these.
    loadings : DataFrame
        ``construct``, ``item``, ``loading`` (of the continuous answer on its latent
        variable, before discretisation), ``reverse_coded``.
    loyalty_link : dict
        ``kind`` ("hinge" or "linear"), ``threshold``, ``slope_below``, ``slope_above``
        (latent SD units, before CUSL is rescaled to unit variance), ``scale``.
    latent_scores : DataFrame
        ``respondent_id``, ``customer_id`` and the six standardised latent scores.
    churn_reason_shares, churn_reason_groups : dict
        The lecture's shares and groups the reasons were drawn from.
    parameters : dict
        The arguments of the call.
    """

    segments: pd.DataFrame
    segment_definitions: pd.DataFrame
    response: pd.DataFrame
    customer_years: pd.DataFrame
    path_coefficients: pd.DataFrame
    structural_path_coefficients: pd.DataFrame
    loadings: pd.DataFrame
    loyalty_link: dict
    latent_scores: pd.DataFrame
    churn_reason_shares: dict
    churn_reason_groups: dict
    parameters: dict
    funnel: NCompanyFunnelTruth | None = None  # the opportunities' truth (issue 15)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The truth as tables, named ``truth_<part>``, for writing to disk.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``truth_segments``, ``truth_segment_definitions``, ``truth_response``,
            ``truth_customer_years``, ``truth_paths`` (PLS and structural coefficient
            side by side), ``truth_loadings`` and ``truth_latent_scores``; the dict
            parts (loyalty link, churn reasons, parameters) are not included.
        """
        return {
            "truth_segments": self.segments,
            "truth_segment_definitions": self.segment_definitions.reset_index(),
            "truth_response": self.response.reset_index(),
            "truth_customer_years": self.customer_years,
            "truth_paths": self.path_coefficients.merge(
                self.structural_path_coefficients.rename(
                    columns={"coefficient": "structural_coefficient"}),
                on=["source", "target"],
            ),
            "truth_loadings": self.loadings,
            "truth_latent_scores": self.latent_scores,
        } | (self.funnel.tables() if self.funnel is not None else {})


@dataclass(frozen=True)
class NCompanyData:
    """The generated N-company case; see :func:`make_ncompany` for every column."""

    transactions: pd.DataFrame
    customers: pd.DataFrame
    sales_expense: pd.DataFrame
    survey: pd.DataFrame
    stock: pd.DataFrame
    truth: NCompanyTruth
    opportunities: pd.DataFrame | None = None

    def tables(self, truth: bool = False) -> dict[str, pd.DataFrame]:
        """Table name -> frame for writing to disk.

        Parameters
        ----------
        truth : bool, default False
            Also return the generator's truth (:meth:`NCompanyTruth.tables`).

        Returns
        -------
        dict of str to pandas.DataFrame
            ``transactions``, ``customers``, ``sales_expense``, ``survey``, ``stock``
            and, with ``truth=True``, the ``truth_*`` tables.
        """
        out = {
            "transactions": self.transactions,
            "customers": self.customers,
            "sales_expense": self.sales_expense,
            "survey": self.survey,
            "stock": self.stock,
        } | ({"opportunities": self.opportunities} if self.opportunities is not None else {})
        if truth:
            out.update(self.truth.tables())
        return out


def make_ncompany(
    n_customers: int = 600,
    *,
    years: tuple[int, ...] = (2021, 2022, 2023, 2024),
    seed: int = 20240101,
    separation: str = "clear",
    nonlinear_loyalty: bool = True,
    n_respondents: int | None = None,
    return_rate: float = 0.015,
    acquired_share: float | None = None,
) -> NCompanyData:
    """A deterministic B2B case like the thesis' "N company", with the truth that made it.

    N company makes low-voltage electrical equipment (circuit breakers, contactors,
    relays, switchgear, drives) and sells to four industry segments: power utilities
    (电力), construction (建筑), OEM machinery makers (机械OEM) and distributors (分销商).
    Its sales grow while the return on sales expense falls, because spend is not matched
    to customer value: the expense drawn here ignores the latent value segment.

    Parameters
    ----------
    n_customers : int, default 600
        Number of customers (at least 10; 50,000 generate in a few seconds).
    years : tuple of int, default (2021, 2022, 2023, 2024)
        Consecutive calendar years of orders (at least 3).
    seed : int, default 20240101
        Seed of :func:`numpy.random.default_rng`; the same arguments give byte-identical
        frames. Customers, orders and survey draw from independent child streams, so
        ``n_respondents`` does not change the transactions.
    separation : {"clear", "weak"}, default "clear"
        ``"clear"``: the five behavioural segments have distinct recency, frequency,
        monetary and trend profiles (k-means on log1p-standardised RFM plus trend
        recovers them). ``"weak"``: profiles shrunk to 35 % of their log-distance from
        the pooled profile, customer noise 0.65 instead of 0.2 and churn as late as 45
        days before the end, so segments overlap.
    nonlinear_loyalty : bool, default True
        Whether CUSA -> CUSL is a hinge (loyalty collapses below a satisfaction
        threshold) or linear.
    n_respondents : int, optional
        Survey size; default half the customers. Larger than ``n_customers`` means
        several contacts per customer (customers drawn with replacement).
    return_rate : float, default 0.015
        Probability that an order is partly returned.
    acquired_share : float, optional
        Share of the stable small customers won during the years (their first contact
        uniform over the years, so every year has new customers and the funnel's wins
        that brought them; the bundled case sets 0.25). Default: none under ``"clear"``
        (the growing customers, all won in the second year, are the only new ones, and
        k-means on RFM sees exactly five segments: customers won in the last two years
        have a short tenure and form an RFM group of their own, at 5 % of the stable
        ones already for two of three seeds with 600 customers), half under ``"weak"``.

    Returns
    -------
    NCompanyData
        Frozen dataclass with the four frames below, ``truth``
        (:class:`NCompanyTruth`) and ``tables()``. Money is in CNY (yuan), dates are
        ``datetime64[ns]`` at day resolution, codes are English (zh/en labels in
        :mod:`workbench.labels`).

        ``transactions`` (one row per order line, sorted by customer_id, date):
        ``customer_id`` (str, "C0001"...), ``order_id`` (str, "SO0000001"...; a return
        carries its order's id plus "-R"), ``date``, ``amount`` (revenue, CNY, 2
        decimals; negative for returns), ``cost`` and ``gross_profit`` (CNY, amount =
        cost + gross_profit), ``product_id`` (MCB, MCCB, ACB, CONTACTOR, RELAY,
        SWITCHGEAR, VFD), ``channel`` (direct, distribution, online), ``quantity``
        (units, float, negative for returns), ``is_return`` (bool).

        ``customers`` (one row per customer): ``customer_id``, ``name`` (fake,
        "客户0001"), ``industry`` (power, construction, oem, distributor), ``region``
        (east, north, south, central, southwest, northeast, northwest), ``size``
        (employees, log-normal, float), ``customer_type`` (end_user, contractor,
        machine_builder, wholesaler, retailer), ``first_contact`` (may precede the
        first year: established customers), ``account_manager`` ("AM01"...),
        ``strategic_fit`` (int 1-5),
        ``industry_growth`` (yearly growth rate of the customer's industry, fraction),
        ``share_of_wallet`` (fraction, missing for about 40 % where unknown),
        ``churn_reason`` (code of :data:`CHURN_REASON_SHARES` for churned customers,
        missing otherwise).

        ``sales_expense`` (one row per customer and active year): ``customer_id``,
        ``year`` (int), ``sales_expense`` (CNY), ``visits`` (sales visits),
        ``revenue`` and ``gross_profit`` (CNY, exactly the sums of that customer's
        transactions in that year, returns included), ``industry``.

        ``survey`` (one row per respondent): ``respondent_id`` ("S00001"...),
        ``customer_id``, items IMAG1-4, CUEX1-3, PERQ1-4, PERV1-3, CUSA1-3, CUSL1-3
        (int, 1-7; CUSL3 is reverse-coded: 8 minus the answer consistent with the
        others) and ``recommend`` (int, 0-10, for NPS).

        ``stock`` (one row per product and year): ``product_id``, ``year``,
        ``opening_stock`` and ``closing_stock`` (CNY at sales value; a year opens with
        the previous year's closing stock). Year-end stock is the year's net sales
        divided by the product's turnover (MCB 8, MCCB 6, ACB 3, CONTACTOR 7, RELAY 9,
        SWITCHGEAR 2.5, VFD 4 times a year) with log-normal noise (SD 0.1), so the
        turnover, cross ratio and contribution ratio of
        :func:`workbench.value.product_ratios` can be computed.

    Notes
    -----
    Segments. Each customer gets one latent segment s (key_account 10 %, growing 20 %,
    stable_small 35 %, declining 20 %, churned 15 %), independent of industry. Key
    accounts, declining and churned customers are established before the first year
    (first_contact up to 8 years earlier); growing customers are acquired during the
    second year (weak: years 2..Y-1); stable small ones are established (weak: half of
    them acquired over the years; ``acquired_share`` sets that share, drawn after
    every other customer draw, so 0 gives the customers of the default ``"clear"``).
    Churned customers stop at a churn date between one year after the start and 420
    days (weak: 45) before the end; nothing is dated on or after it. Churn reasons are
    drawn with the lecture's shares. Each customer first contacted during the years won
    one opportunity 1-21 days before (within that calendar year unless the contact is on
    1 January), so a year's wins are its new customers.

    Orders. In year y a customer is active for the fraction f_cy of the year. With
    t = years since its first active year and trajectory m_cy = r_s ** t (r: key 1.05,
    growing 1.6, stable 1.0, declining 0.5, churned 0.85), the number of orders is
    max(1, Poisson(lambda_s * u_c * m_cy**0.6 * f_cy)), u_c ~ logN(0, noise**2), dated
    uniformly over the active days.

    Sales expense and gross profit. Yearly expense
    E_cy = e0_ind * (size_c / 500)**0.25 * 1.45**j * exp(N(0, 0.7**2)) (j = year
    index), independent of the segment: spread by industry and size alone (一刀切), not
    by value, and raised 45 % a year for every customer alike. The drift 1.45 is set so
    that the input grows faster than the gross profit it buys (with b < 1 a yuan more
    buys ever less) and the yearly ratio of gross profit to expense falls every year, as
    in the thesis, although growing customers' profit rises 60 % a year (with 1,000
    customers and the default seed: 8.79, 5.19, 4.89, 4.74 for 2021-2024; at the earlier
    drift 1.30 it was 8.79, 5.56, 5.68, 5.82). The drift scales every customer's expense
    in a year alike, so it changes no random draw and lies in the year effects of a
    log-log fit. Gross profit responds concavely:

        gp_cy = a_ind * k_c * m_cy * f_cy * E_cy ** b_ind * exp(eps),  eps ~ N(0, 0.1**2)

    with a_ind = level_ind / 20000**b_ind, b = 0.45 (power), 0.30 (construction), 0.38
    (oem), 0.22 (distributor), and customer scale k_c = gp_level_s *
    (size_c / size_median_s)**0.5 * v_c, v_c ~ logN(0, noise**2) (``truth.response``,
    ``truth.segments.response_scale``). Given size and year, log E is independent of
    every other factor, so log-log OLS of gp on E with log size and year effects is
    consistent for b, but noisy (segment levels and trajectories stay in the error);
    within-customer first differences over full years remove k_c and m_cy and recover
    b to about 0.02 with 1,000 customers. The customer-year's gross profit is split over its
    orders with Gamma(2) weights; each order's margin is its product's margin times a
    customer factor, and revenue is gp over the weighted margin, so sums reconcile
    exactly (before a few partial returns, 5-50 % of an order, dated within the year).

    Survey. Standardised latent variables follow the recursive ECSI-style model
    (Tenenhaus et al. 2005, without complaints): eta_j = sum_i beta_ij eta_i + zeta_j
    with Var(zeta_j) = 1 - Var(systematic part), so Var(eta_j) = 1. CUSA's
    disturbance is 0.6 * (standardised segment effect) + 0.8 * noise (growing and
    stable customers more satisfied, declining and churned less, key accounts neutral,
    so valuable-but-dissatisfied key accounts exist); the segment is independent of
    the predictors, so the paths are unchanged. With ``nonlinear_loyalty``, CUSL =
    (0.2 IMAG + h(CUSA) + zeta) / scale, h a hinge at -0.5 SD with slopes 1.2 below and
    0.35 above, zeta sized to keep the linear model's R^2. Answers are
    clip(round(4.6 + 1.3 x), 1, 7), x = lambda eta + sqrt(1 - lambda^2) e, loadings
    0.75-0.90; recommend = clip(round(7 + 2.2 (0.85 CUSL + 0.53 e)), 0, 10).
    ``truth.path_coefficients`` holds what PLS-PM recovers from the
    discrete answers on a very large sample (compare PLS estimates with these);
    ``truth.structural_path_coefficients`` the latent values (the hinge's best linear
    projection for CUSL).

    References
    ----------
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path
    modeling. Computational Statistics & Data Analysis, 48(1), 159-205.
    Jones, T. O., & Sasser, W. E. (1995). Why satisfied customers defect. Harvard
    Business Review, 73(6), 88-99.
    The N-company setting follows the MBA thesis on sales-resource allocation at a
    low-voltage electrical equipment maker described in the project's DOMAIN.md.

    Examples
    --------
    >>> data = make_ncompany(200, seed=1)
    >>> sorted(data.tables())
    ['customers', 'opportunities', 'sales_expense', 'stock', 'survey', 'transactions']
    """
    n = _check_ncompany_args(n_customers, years, separation, n_respondents, return_rate)
    if acquired_share is not None and not 0 <= acquired_share <= 1:
        raise ValueError(f"acquired_share={acquired_share}: must be in [0, 1] (a share of the "
                         "stable small customers)")
    years = tuple(int(y) for y in years)
    # a fifth stream for the stock leaves the first four (and their tables) as they were
    rng_customers, rng_orders, rng_survey, rng_returns, rng_stock = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(5)
    )
    setting = _SEPARATION[separation]
    if acquired_share is not None:
        setting = {**setting, "stable_acquired_share": float(acquired_share), "late_draws": True}
    profile = _shrink_profile(_SEGMENT_PROFILE, setting["contrast"])
    profile["acquired"] = pd.array([
        "before_start",
        "years_2_to_last_but_one" if setting["growing_acquired_spread"] else "second_year",
        "before_start" if not setting["stable_acquired_share"] else
        "half_over_the_years" if setting["stable_acquired_share"] == 0.5 else "share_over_the_years",
        "before_start",
        "before_start",
    ], dtype="str")
    profile["churns"] = profile.index == "churned"
    customers, latent = _draw_customers(rng_customers, n, years, profile, setting)
    orders, customer_years = _draw_orders(rng_orders, latent, years, profile)
    transactions, line_customer_year = _add_returns(rng_returns, orders, return_rate,
                                                    latent["customer_id"].array)
    sales_expense = _sales_expense_table(transactions, line_customer_year, customer_years, latent)
    stock = _stock_table(rng_stock, transactions, years)
    customer_years = customer_years.iloc[np.lexsort((customer_years["year"].to_numpy(),
                                                     customer_years["customer"].to_numpy()))]
    n_resp = max(1, round(n / 2)) if n_respondents is None else int(n_respondents)
    survey, latent_scores = _draw_survey(rng_survey, latent, n_resp, nonlinear_loyalty)

    calibration = _survey_calibration(bool(nonlinear_loyalty))
    response = _INDUSTRY_PROFILE.assign(
        a=_INDUSTRY_PROFILE["level"] / _EXPENSE_REF ** _INDUSTRY_PROFILE["b"], sigma=_RESPONSE_SD
    )[["a", "b", "sigma", "expense_base", "level", "growth", "share"]]
    truth = NCompanyTruth(
        segments=latent[
            ["customer_id", "segment", "segment_code", "industry", "churned", "churn_date",
             "churn_reason", "response_scale", "order_rate", "satisfaction_effect"]
        ].reset_index(drop=True),
        segment_definitions=profile,
        response=response,
        customer_years=customer_years[
            ["customer_id", "year", "active_fraction", "trajectory", "sales_expense",
             "expected_gross_profit"]
        ].reset_index(drop=True),
        path_coefficients=calibration["pls_paths"],
        structural_path_coefficients=calibration["paths"],
        loadings=_loadings_table(),
        loyalty_link=dict(calibration["loyalty_link"]),
        latent_scores=latent_scores,
        churn_reason_shares=dict(CHURN_REASON_SHARES),
        churn_reason_groups=dict(CHURN_REASON_GROUPS),
        parameters={"n_customers": n, "years": years, "seed": seed,
                    "separation": separation, "nonlinear_loyalty": bool(nonlinear_loyalty),
                    "n_respondents": n_resp, "return_rate": float(return_rate),
                    "acquired_share": setting["stable_acquired_share"]},
    )
    # the funnel draws from a stream of its own, so every table above stays as it was
    funnel = _funnel_truth()
    opportunities = _draw_opportunities(np.random.default_rng([seed, 15]), customers, years, funnel)
    truth = dataclasses.replace(truth, funnel=funnel)
    return NCompanyData(transactions=transactions, customers=customers,
                        sales_expense=sales_expense, survey=survey, stock=stock, truth=truth,
                        opportunities=opportunities)


def _stock_table(rng, transactions, years):
    """Opening and closing stock per product and year, from each year's net sales.

    Year-end stock is that year's sales / turnover, times log-normal noise; a year opens
    with the previous year's closing stock (the first year with its own level).
    """
    year = transactions["date"].dt.year.to_numpy()
    sales = (transactions.assign(year=year).groupby(["product_id", "year"])["amount"].sum()
             .unstack("year").reindex(index=list(_PRODUCTS.index), columns=list(years)).fillna(0.0))
    turnover = np.array([_STOCK_TURNOVER[p] for p in sales.index])[:, None]
    level = sales.to_numpy() / turnover
    closing = np.round(level * np.exp(rng.normal(0.0, _STOCK_SD, level.shape)), 2)
    first = np.round(level[:, :1] * np.exp(rng.normal(0.0, _STOCK_SD, (len(level), 1))), 2)
    opening = np.concatenate([first, closing[:, :-1]], axis=1)
    return pd.DataFrame({
        "product_id": pd.array(np.repeat(sales.index.to_numpy(), len(years)), dtype="str"),
        "year": np.tile(np.asarray(years, dtype=np.int64), len(sales.index)),
        "opening_stock": opening.ravel(),
        "closing_stock": closing.ravel(),
    })


def _check_ncompany_args(n_customers, years, separation, n_respondents, return_rate) -> int:
    if isinstance(n_customers, bool) or not isinstance(n_customers, (int, np.integer)):
        raise TypeError(f"n_customers must be an int, got {type(n_customers).__name__}")
    if n_customers < 10:
        raise ValueError(f"n_customers={n_customers}: need at least 10 customers "
                         "(two per latent segment)")
    years = tuple(years)
    if len(years) < 3 or any(int(b) - int(a) != 1 for a, b in zip(years, years[1:], strict=False)):
        raise ValueError(f"years={years!r}: need at least 3 consecutive years, "
                         "e.g. (2021, 2022, 2023, 2024)")
    if separation not in _SEPARATION:
        raise ValueError(f"separation={separation!r}; use one of {sorted(_SEPARATION)}")
    if n_respondents is not None and int(n_respondents) < 1:
        raise ValueError(f"n_respondents={n_respondents}: need at least 1 respondent")
    if not 0 <= return_rate < 1:
        raise ValueError(f"return_rate={return_rate}: must be in [0, 1)")
    return int(n_customers)


def _shrink_profile(profile: pd.DataFrame, contrast: float) -> pd.DataFrame:
    """Pull each segment's profile towards the share-weighted pooled one (log scale)."""
    out = profile.copy()
    w = profile["share"].to_numpy()
    for col in ["size_median", "order_rate", "gp_level", "trajectory"]:
        logs = np.log(profile[col].to_numpy())
        pooled = float(w @ logs)
        out[col] = np.exp(pooled + contrast * (logs - pooled))
    for col in ["strategic_fit_mean", "share_of_wallet_mean"]:
        x = profile[col].to_numpy()
        out[col] = float(w @ x) + contrast * (x - float(w @ x))
    return out


def _largest_remainder(n: int, shares: np.ndarray) -> np.ndarray:
    raw = n * shares / shares.sum()
    counts = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of ``probs`` (rows sum to 1), vectorised."""
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(probs))
    return (u[:, None] > cum).sum(axis=1)


def _draw_customers(rng, n, years, profile, setting):
    """The customers frame and a per-customer frame of latent quantities."""
    noise = setting["noise"]
    start = np.datetime64(f"{years[0]}-01-01", "D")
    end = np.datetime64(f"{years[-1]}-12-31", "D")
    n_years = len(years)

    counts = _largest_remainder(n, profile["share"].to_numpy())
    seg = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    ind = rng.choice(4, size=n, p=_INDUSTRY_PROFILE["share"].to_numpy())
    size = np.maximum(5.0, np.round(profile["size_median"].to_numpy()[seg]
                                    * np.exp(rng.normal(0.0, 0.5, n))))
    u = np.exp(rng.normal(0.0, noise, n))  # order-rate heterogeneity
    v = np.exp(rng.normal(0.0, noise, n))  # gross-profit heterogeneity
    relative_size = size / profile["size_median"].to_numpy()[seg]
    scale = profile["gp_level"].to_numpy()[seg] * relative_size**0.5 * v

    # acquisition year index: -1 = established before the first year
    acq = np.full(n, -1)
    growing = seg == 1
    # clear: all growing customers start in the second year, so tenure does not blur them
    last_growing_year = n_years - 2 if setting["growing_acquired_spread"] else 1
    acq[growing] = rng.integers(1, last_growing_year, growing.sum(), endpoint=True)
    late_draws = setting.get("late_draws", False)  # acquired_share given: drawn at the end
    late = (seg == 2) & (rng.random(n) < (0.0 if late_draws else setting["stable_acquired_share"]))
    acq[late] = rng.integers(0, n_years, late.sum())
    year_start = np.array([np.datetime64(f"{y}-01-01", "D") for y in years])
    day_in_year = rng.integers(0, 365, n)
    before = start - rng.integers(30, 8 * 365, n)
    first_contact = np.where(acq < 0, before, year_start[np.maximum(acq, 0)] + day_in_year)
    active_start = np.maximum(first_contact, start)

    churned = seg == 4
    lo = np.maximum(start + 365, active_start + 90)
    hi = end - setting["churn_gap_days"]
    churn_day = lo + (rng.random(n) * ((hi - lo).astype(np.int64) + 1)).astype(np.int64)
    churn_date = np.where(churned, churn_day, np.datetime64("NaT"))
    active_end = np.where(churned, churn_day - 1, end)

    reasons = np.array(list(CHURN_REASON_SHARES))
    reason_p = np.array(list(CHURN_REASON_SHARES.values()))
    drawn = reasons[rng.choice(len(reasons), n, p=reason_p / reason_p.sum())]
    reason = np.where(churned, drawn, None)

    width = max(4, len(str(n)))
    ids = np.array([f"C{i:0{width}d}" for i in range(1, n + 1)], dtype=object)
    industry = np.array(NCOMPANY_INDUSTRIES, dtype=object)[ind]
    region = np.array(_REGIONS, dtype=object)[rng.choice(len(_REGIONS), n, p=_REGION_P)]
    ctype = np.array([_CUSTOMER_TYPES[i][0] for i in NCOMPANY_INDUSTRIES], dtype=object)[ind]
    retail = (ind == 3) & (rng.random(n) < 0.4)
    ctype[retail] = "retailer"
    n_managers = max(2, -(-n // 40))
    managers = np.array([f"AM{i:02d}" for i in range(1, n_managers + 1)], dtype=object)
    fit_mean = profile["strategic_fit_mean"].to_numpy()[seg]
    fit = np.clip(np.rint(fit_mean + rng.normal(0, 0.7, n)), 1, 5)
    sow_mean = profile["share_of_wallet_mean"].to_numpy()[seg]
    sow = rng.beta(8 * sow_mean, 8 * (1 - sow_mean))
    sow_known = rng.random(n) < 0.6
    if late_draws:  # acquired_share: stable small customers won over the years, drawn last
        won = (seg == 2) & (rng.random(n) < setting["stable_acquired_share"])
        acq[won] = rng.integers(0, n_years, n)[won]
        # day 1-364 after 1 January: not on New Year's Day, so the won opportunity that
        # precedes the first contact closes in the same year
        first_contact = np.where(won, year_start[np.maximum(acq, 0)] + rng.integers(1, 365, n), first_contact)
        active_start = np.maximum(first_contact, start)

    customers = pd.DataFrame(
        {
            "customer_id": pd.array(ids, dtype="str"),
            "name": pd.array([f"客户{i:0{width}d}" for i in range(1, n + 1)], dtype="str"),
            "industry": pd.array(industry, dtype="str"),
            "region": pd.array(region, dtype="str"),
            "size": size,
            "customer_type": pd.array(ctype, dtype="str"),
            "first_contact": first_contact.astype("datetime64[ns]"),
            "account_manager": pd.array(managers[rng.integers(0, n_managers, n)], dtype="str"),
            "strategic_fit": fit.astype(np.int64),
            "industry_growth": _INDUSTRY_PROFILE["growth"].to_numpy()[ind],
            "share_of_wallet": np.where(sow_known, np.round(sow, 3), np.nan),
            "churn_reason": pd.array(reason, dtype="str"),
        }
    )
    effect = profile["satisfaction_effect"].to_numpy()
    latent = pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "segment": pd.array(np.array(NCOMPANY_SEGMENTS, dtype=object)[seg], dtype="str"),
            "segment_code": seg.astype(np.int64),
            "industry": customers["industry"],
            "industry_code": ind,
            "size": size,
            "churned": churned,
            "churn_date": churn_date.astype("datetime64[ns]"),
            "churn_reason": customers["churn_reason"],
            "response_scale": scale,
            "order_rate": profile["order_rate"].to_numpy()[seg] * u,
            "satisfaction_effect": effect[seg],
            "active_start": active_start,
            "active_end": active_end,
            "first_year": np.maximum(acq, 0),
            "margin_factor": np.exp(rng.normal(0.0, 0.05, n)),
        }
    )
    return customers, latent


def _draw_orders(rng, latent, years, profile):
    """Order lines (before returns) and the per customer-year truth; one loop per year."""
    n = len(latent)
    ind = latent["industry_code"].to_numpy()
    seg = latent["segment_code"].to_numpy()
    size = latent["size"].to_numpy()
    active_start = latent["active_start"].to_numpy().astype("datetime64[D]")
    active_end = latent["active_end"].to_numpy().astype("datetime64[D]")
    b = _INDUSTRY_PROFILE["b"].to_numpy()[ind]
    a = _INDUSTRY_PROFILE["level"].to_numpy()[ind] / _EXPENSE_REF**b
    expense_base = _INDUSTRY_PROFILE["expense_base"].to_numpy()[ind]
    trajectory_rate = profile["trajectory"].to_numpy()[seg]
    mix = _PRODUCTS[list(NCOMPANY_INDUSTRIES)].to_numpy().T  # industry x product
    mix = mix / mix.sum(axis=1, keepdims=True)
    channel_p = np.array([_CHANNEL_P[i] for i in NCOMPANY_INDUSTRIES])
    product_margin = _PRODUCTS["margin"].to_numpy()
    list_price = _PRODUCTS["list_price"].to_numpy()

    lines, cys = [], []
    for j, year in enumerate(years):
        y0 = np.datetime64(f"{year}-01-01", "D")
        y1 = np.datetime64(f"{year}-12-31", "D")
        days_in_year = int((y1 - y0).astype(np.int64)) + 1
        lo = np.maximum(active_start, y0)
        hi = np.minimum(active_end, y1)
        active = lo <= hi
        frac = np.where(active, ((hi - lo).astype(np.int64) + 1) / days_in_year, 0.0)
        t = np.maximum(j - latent["first_year"].to_numpy(), 0)
        m = trajectory_rate ** t
        expense = np.round(expense_base * (size / 500.0) ** 0.25 * _EXPENSE_DRIFT ** j
                           * np.exp(rng.normal(0.0, _EXPENSE_SD, n)))
        expected_gp = a * latent["response_scale"].to_numpy() * m * frac * expense ** b
        gp = expected_gp * np.exp(rng.normal(0.0, _RESPONSE_SD, n))
        rate = latent["order_rate"].to_numpy() * m ** 0.6 * frac
        count = np.where(active, np.maximum(1, rng.poisson(rate)), 0)
        visits = rng.poisson(expense / 1500.0)

        idx = np.flatnonzero(active)
        cys.append(pd.DataFrame({
            "customer": idx, "year": year, "active_fraction": frac[idx], "trajectory": m[idx],
            "sales_expense": expense[idx], "visits": visits[idx],
            "expected_gross_profit": expected_gp[idx], "target_gross_profit": gp[idx],
        }))
        # order lines of the year, vectorised
        cust = np.repeat(idx, count[idx])
        group = np.repeat(np.arange(len(idx)), count[idx])
        span = (hi[cust] - lo[cust]).astype(np.int64) + 1
        date = lo[cust] + (rng.random(len(cust)) * span).astype(np.int64)
        weight = rng.gamma(2.0, 1.0, len(cust))
        product = _categorical(rng, mix[ind[cust]])
        channel = _categorical(rng, channel_p[ind[cust]])
        margin = (product_margin[product] * latent["margin_factor"].to_numpy()[cust]
                  * np.exp(rng.normal(0.0, 0.03, len(cust))))
        w_sum = np.bincount(group, weight, minlength=len(idx))
        wm_sum = np.bincount(group, weight * margin, minlength=len(idx))
        revenue = gp[idx] / (wm_sum / w_sum)
        amount = revenue[group] * weight / w_sum[group]
        line_gp = np.round(amount * margin, 2)
        amount = np.round(amount, 2)
        quantity = np.maximum(1.0, np.round(amount / list_price[product]
                                            * np.exp(rng.normal(0.0, 0.1, len(cust)))))
        lines.append({
            "customer": cust, "day": date.astype(np.int64), "amount": amount,
            "gross_profit": line_gp, "product": product, "channel": channel,
            "quantity": quantity, "last_day": hi[cust].astype(np.int64),
            "customer_year": group + sum(len(c) for c in cys[:-1]),
        })
    orders = {key: np.concatenate([part[key] for part in lines]) for key in lines[0]}
    customer_years = pd.concat(cys, ignore_index=True)
    customer_years.insert(
        0, "customer_id", latent["customer_id"].array.take(customer_years["customer"]))
    return orders, customer_years


def _add_returns(rng, orders, return_rate, customer_ids):
    """Order numbers, a few partial returns and the canonical transactions frame.

    Order numbers follow the calendar, as an ERP would number them; a return is dated
    3-45 days after its order but within the same customer-year.
    """
    n = len(orders["day"])
    calendar = np.lexsort((orders["customer"], orders["day"]))
    number = np.empty(n, dtype=np.int64)
    number[calendar] = np.arange(1, n + 1)

    chosen = np.flatnonzero(rng.random(n) < return_rate)
    frac = rng.uniform(0.05, 0.5, len(chosen))
    delay = rng.integers(3, 46, len(chosen))
    returns = {
        "customer": orders["customer"][chosen],
        "day": np.minimum(orders["day"][chosen] + delay, orders["last_day"][chosen]),
        "amount": -np.round(orders["amount"][chosen] * frac, 2),
        "gross_profit": -np.round(orders["gross_profit"][chosen] * frac, 2),
        "product": orders["product"][chosen],
        "channel": orders["channel"][chosen],
        "quantity": -np.maximum(1.0, np.round(orders["quantity"][chosen] * frac)),
        "customer_year": orders["customer_year"][chosen],
    }
    both = {key: np.concatenate([orders[key], returns[key]]) for key in returns}
    number = np.concatenate([number, number[chosen]])
    is_return = np.repeat([False, True], [n, len(chosen)])
    order = np.lexsort((number, is_return, both["day"], both["customer"]))
    both = {key: value[order] for key, value in both.items()}
    number, is_return = number[order], is_return[order]
    order_id = _numbered("SO", number, 7)
    order_id = order_id.where(~is_return, order_id + "-R")
    products = pd.array(list(_PRODUCTS.index), dtype="str")
    channels = pd.array(list(_CHANNELS), dtype="str")
    transactions = pd.DataFrame({
        "customer_id": customer_ids.take(both["customer"]),
        "order_id": order_id.array,
        "date": both["day"].astype("datetime64[D]").astype("datetime64[ns]"),
        "amount": both["amount"],
        "cost": np.round(both["amount"] - both["gross_profit"], 2),
        "gross_profit": both["gross_profit"],
        "product_id": products.take(both["product"]),
        "channel": channels.take(both["channel"]),
        "quantity": both["quantity"],
        "is_return": is_return,
    })
    return transactions, both["customer_year"]


def _sales_expense_table(transactions, line_customer_year, customer_years, latent):
    """Yearly expense per customer with revenue and gross profit summed from its lines."""
    rows = len(customer_years)
    table = customer_years[["customer_id", "year", "sales_expense", "visits"]].copy()
    table["revenue"] = np.round(np.bincount(line_customer_year, transactions["amount"].to_numpy(),
                                            minlength=rows), 2)
    table["gross_profit"] = np.round(np.bincount(
        line_customer_year, transactions["gross_profit"].to_numpy(), minlength=rows), 2)
    table["industry"] = latent["industry"].array.take(customer_years["customer"].to_numpy())
    table["year"] = table["year"].astype(np.int64)
    table["visits"] = table["visits"].astype(np.int64)
    order = np.lexsort((table["year"].to_numpy(), customer_years["customer"].to_numpy()))
    return table.iloc[order].reset_index(drop=True)
