"""The customer lifecycle: stages, migration, cohorts, survival, churn and its reasons.

* :func:`lifecycle_stages` puts every customer in one of the textbook's stages as of an
  analysis date (考察期 exploration, 形成期 formation, 稳定期 stability, 退化期 decline,
  流失 churned) from tenure, active periods, the trend of per-period spend and recency
  against a churn horizon; :func:`stage_rules` is the rule table a report shows and
  :func:`stage_value_curve` the value by stage.
* :func:`migration_matrix`: stage (or segment) transitions between two analysis dates,
  and the valuable customers who moved to decline or churn.
* :func:`cohort_table` and :func:`churn_rates`: acquisition cohorts x periods since,
  retention and revenue retention; churn rate per period.
* :func:`survival_curves`: Kaplan-Meier curves (statsmodels ``SurvfuncRight``) by
  segment, with median survival.
* :func:`churn_reasons`: reasons mapped onto the lecture's three groups beside its
  reference shares.
* :func:`retention_inputs` and :func:`retention_economics`: the effect of a few
  percentage points of retention on CLV and profit (through
  :func:`workbench.clv.textbook_clv`).

All functions take canonical transactions (see :mod:`workbench.schema`) or the frames
the others return, and return tidy frames or small frozen dataclasses.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench.clv import retention_sensitivity, textbook_clv
from workbench.datasets import CHURN_REASON_GROUPS, CHURN_REASON_SHARES, NCOMPANY_SEGMENT_STAGES
from workbench.features import (
    _check_transactions,
    _day,
    _day_numbers,
    _is_return,
    _period_numbers,
    customer_features,
)

__all__ = [
    "CHURN_GROUPS",
    "STAGES",
    "ChurnReasons",
    "CohortTable",
    "Migration",
    "RetentionScenarios",
    "SurvivalCurves",
    "churn_rates",
    "churn_reasons",
    "cohort_table",
    "inter_purchase_horizon",
    "lifecycle_stages",
    "migration_matrix",
    "retention_economics",
    "retention_inputs",
    "retention_scenarios",
    "stage_rules",
    "stage_value_curve",
    "survival_curves",
    "stages_against_truth",
    "value_curve_shape",
]

#: The lifecycle stages in their textbook order (the ``stage`` categories).
STAGES = ("exploration", "formation", "stability", "decline", "churned")
#: The lecture's three groups of churn reasons, plus the row for reasons it does not know.
CHURN_GROUPS = ("customer_side", "firm_side", "third_party", "unmapped")

_PERIODS = ("W", "M", "Q", "Y")
#: Row/column of a migration matrix for customers present at only one of the two dates.
NEW, ABSENT = "(new)", "(absent)"


def _check_period(period: str) -> None:
    if period not in _PERIODS:
        raise ValueError(f"period={period!r} is not supported; use one of {list(_PERIODS)}")


def _period_index(numbers: np.ndarray, period: str) -> pd.PeriodIndex:
    """Period numbers of :func:`workbench.features._period_numbers` as a PeriodIndex."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if period == "W":  # week w starts on the Monday 7w - 3 days after 1970-01-01
        starts = (numbers * 7 - 3).astype("datetime64[D]")
        return pd.PeriodIndex(pd.DatetimeIndex(starts), freq="W")
    months = {"M": numbers, "Q": numbers * 3, "Y": numbers * 12}[period]
    freq = {"M": "M", "Q": "Q", "Y": "Y"}[period]
    return pd.PeriodIndex(pd.DatetimeIndex(months.astype("datetime64[M]")), freq=freq)


def _scalar_period(day: int, period: str) -> int:
    date = pd.Series(np.array([day], dtype="datetime64[D]").astype("datetime64[ns]"))
    return int(_period_numbers(date, np.array([day]), period)[0])


# ======================================================================================
# stages
# ======================================================================================


def inter_purchase_horizon(
    transactions: pd.DataFrame, as_of, *, quantile: float = 0.9, weighting: str = "customer"
) -> float:
    """The churn horizon in days: a high quantile of the observed inter-purchase times.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions; rows after ``as_of`` and returns are ignored.
    as_of : date-like
        Analysis date (included).
    quantile : float, default 0.9
        Quantile of the gaps between consecutive purchase days of the same customer,
        pooled over customers, in (0, 1].
    weighting : {"customer", "gap"}, default "customer"
        ``"customer"``: each customer's gaps together weigh as much as any other
        customer's (the quantile of a typical customer's silences); ``"gap"``: every gap
        weighs the same, so frequent buyers dominate and the horizon is shorter.

    Returns
    -------
    float
        Days. A customer silent for longer than this is unlikely to buy again:
        ``quantile`` of the gaps seen so far were shorter.

    Raises
    ------
    ValueError
        When no customer bought on two different days up to ``as_of`` (a single
        purchase day, or one purchase per customer): there is no gap to learn from,
        so the horizon must be given.

    Notes
    -----
    With purchase days :math:`d_{c,0} < d_{c,1} < \\dots` of customer *c* (same-day
    purchases are one purchase day), the gaps are :math:`g = d_{c,j} - d_{c,j-1}`, and
    the horizon is their ``quantile``. With ``weighting="gap"`` it is numpy's empirical
    quantile (linear interpolation); with ``"customer"`` each gap of customer *c* has
    weight :math:`1/n_c` (:math:`n_c` its number of gaps) and the horizon is the
    smallest gap :math:`g` with weighted share of gaps :math:`\\le g` at least
    ``quantile`` (no interpolation). Pooling gaps unweighted lets frequent buyers
    dominate (on CDNOW as of 1998-06-30, 90 %: 200 days unweighted, 311 days per
    customer), and a horizon set by them calls the ordinary occasional buyer churned.

    References
    ----------
    No external reference; a data-driven churn horizon for non-contractual customers
    (a customer is "gone" after a silence longer than most observed silences). The
    CDNOW horizons (311 and 200 days) are checked against an independent pandas
    computation in ``tests/test_lifecycle.py``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "c", "c"],
    ...                    "date": pd.to_datetime(["2024-01-10", "2024-02-05", "2024-04-01",
    ...                                            "2024-02-10", "2024-03-03"]),
    ...                    "amount": [10.0, 20.0, 5.0, 40.0, 15.0]})
    >>> inter_purchase_horizon(tx, "2024-04-30")  # gaps 26, 56 (a, weight 1/2 each), 22 (c)
    56.0
    >>> inter_purchase_horizon(tx, "2024-04-30", weighting="gap")  # 26 + 0.8 * (56 - 26)
    50.0
    """
    _check_transactions(transactions, "inter_purchase_horizon")
    if not 0 < quantile <= 1:
        raise ValueError(f"quantile={quantile!r} must lie in (0, 1], e.g. 0.9")
    if weighting not in ("customer", "gap"):
        raise ValueError(f"weighting={weighting!r} is not supported; use 'customer' or 'gap'")
    as_of_day = _day(as_of, "as_of")
    day = _day_numbers(transactions["date"])
    keep = (day <= as_of_day) & ~_is_return(transactions)
    codes = pd.factorize(transactions["customer_id"].to_numpy()[keep])[0].astype(np.int64)
    pairs = _unique_pairs(codes, day[keep])  # sorted by customer, day
    same = pairs[1:, 0] == pairs[:-1, 0]
    gaps = np.diff(pairs[:, 1])[same]
    owner = pairs[1:, 0][same]
    if gaps.size == 0:
        raise ValueError(
            f"inter_purchase_horizon: no customer bought on two different days up to {_iso(as_of_day)} "
            f"({int(keep.sum()):,} purchase rows), so inter-purchase times cannot give a churn "
            "horizon; pass churn_horizon=<days> (e.g. 365)"
        )
    if weighting == "gap":
        return float(np.quantile(gaps, quantile))
    weight = 1.0 / np.bincount(owner)[owner]
    order = np.argsort(gaps, kind="stable")
    share = np.cumsum(weight[order]) / weight.sum()
    return float(gaps[order][min(np.searchsorted(share, quantile - 1e-12), gaps.size - 1)])


def _unique_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distinct (a, b) rows of two non-negative-offset int arrays, sorted by a then b.

    One 1-D sort of ``a * span + (b - min b)``: several times faster than
    ``numpy.unique(..., axis=0)``, which sorts structured rows.
    """
    if a.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    lo = int(b.min())
    span = int(b.max()) - lo + 1
    key = np.unique(a.astype(np.int64) * span + (b.astype(np.int64) - lo))
    return np.column_stack([key // span, key % span + lo])


def _iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def lifecycle_stages(
    transactions: pd.DataFrame,
    as_of,
    *,
    period: str = "Q",
    churn_horizon: float | None = None,
    horizon_quantile: float = 0.9,
    horizon_weighting: str = "customer",
    min_periods_stable: int = 4,
    trend_threshold: float = 0.10,
    min_r2: float = 0.30,
    max_p_value: float | None = None,
    recent_periods: int = 2,
    p_alive_threshold: float | None = None,
) -> pd.DataFrame:
    """The lifecycle stage of every customer as of an analysis date, with the evidence.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (``customer_id``, ``date``, ``amount``; optional
        ``order_id``, ``is_return``, ``gross_profit`` or ``cost``).
    as_of : date-like
        Analysis date; later rows are ignored. Best the last day of a period, or the
        last (partial) period looks like a fall in spend.
    period : {"Q", "M", "Y", "W"}, default "Q"
        Calendar period of the spend series (ISO weeks for "W").
    churn_horizon : float, optional
        Days of silence after which a customer counts as churned. Default: derived
        from the data by :func:`inter_purchase_horizon` with ``horizon_quantile``.
    horizon_quantile : float, default 0.9
        Quantile of inter-purchase times used when ``churn_horizon`` is not given.
    horizon_weighting : {"customer", "gap"}, default "customer"
        How gaps are pooled for the horizon (see :func:`inter_purchase_horizon`).
    min_periods_stable : int, default 4
        Periods since the first purchase (the first included) a customer needs before
        counting as stable (4 quarters: a year of relationship).
    trend_threshold : float, default 0.10
        Smallest absolute normalised slope (change of spend per period as a share of
        the mean spend per period) that counts as a rising or falling trend.
    min_r2 : float, default 0.30
        Smallest R^2 of the linear trend for it to count (its strength): a slope that
        explains less of the period-to-period variation is noise.
    max_p_value : float, optional
        When given, a trend must also have a slope p-value (two-sided t-test, n - 2
        degrees of freedom) at most this; customers with fewer than 3 periods then
        have no trend.
    recent_periods : int, default 2
        Periods (the last ones up to ``as_of``) averaged for ``recent_spend``.
    p_alive_threshold : float, optional
        When given, a BG/NBD model (:class:`workbench.clv.BetaGeoModel`, weekly time
        unit) is fitted to the purchases up to ``as_of``, a ``p_alive`` column is added,
        and customers with P(alive) below this also count as churned.

    Returns
    -------
    pandas.DataFrame
        One row per customer with a purchase up to ``as_of``, sorted by ``customer_id``:

        ====================  ============================================================
        customer_id           str
        stage                 ordered categorical, :data:`STAGES`
        first_purchase        datetime64[ns]
        last_purchase         datetime64[ns]
        tenure_days           float, days since the first purchase
        recency_days          float, days since the last purchase
        frequency             int, purchases (orders)
        monetary_total        float, currency, net revenue up to ``as_of``
        gross_profit          float, currency (NaN without cost or gross-profit data)
        n_periods             int, periods from the first purchase's to ``as_of``'s
        active_periods        int, periods with a purchase
        spend_per_period      float, currency per period: monetary_total / n_periods
        recent_spend          float, currency per period, mean over the last
                              ``min(recent_periods, n_periods)`` periods
        slope                 float, currency per period per period (OLS, see Notes)
        slope_normalised      float, 1/period: slope / spend_per_period
        trend_r2              float, R^2 of the linear trend (NaN if spend is constant)
        trend_p_value         float, two-sided p of the slope (NaN with < 3 periods)
        churn_horizon_days    float, the horizon used (the same on every row)
        p_alive               float, BG/NBD P(alive) (only with ``p_alive_threshold``)
        ====================  ============================================================

        Customers whose rows up to ``as_of`` are all returns have no purchase and no
        stage; they are not in the frame (their number is ``len(customers) - len(result)``
        against :func:`workbench.features.customer_features`).

    Raises
    ------
    ValueError
        Missing columns or values, unknown ``period``, thresholds out of range, no
        purchase up to ``as_of`` (an analysis date before the first purchase), or no
        repeat purchase to derive the horizon from (pass ``churn_horizon``).

    Notes
    -----
    Spend series. For a customer first buying in period :math:`p_0`, :math:`y_k` is the
    net spend in period :math:`p_0 + k`, :math:`k = 0, \\dots, n-1`, up to the period of
    ``as_of`` (0 where nothing was bought; silent recent periods pull the trend down).
    The slope is OLS, :math:`\\hat\\beta = S_{ky}/S_{kk}` with
    :math:`S_{kk} = n(n^2-1)/12` (the ``spend_trend`` of
    :func:`workbench.features.customer_features`), normalised by
    :math:`\\bar y = \\sum_k y_k / n`; :math:`R^2 = \\hat\\beta^2 S_{kk} / S_{yy}`,
    :math:`t = \\hat\\beta \\sqrt{S_{kk}} / s`, :math:`s^2 = (S_{yy} - \\hat\\beta^2
    S_{kk})/(n-2)`.

    Rules, first match wins (:func:`stage_rules` prints them with the numbers):

    1. churned: ``recency_days > churn_horizon`` (or ``p_alive < p_alive_threshold``);
    2. exploration: fewer than 2 active periods (one purchase period: still trying);
    3. decline: falling trend (``slope_normalised <= -trend_threshold`` and
       ``trend_r2 >= min_r2`` [and ``p <= max_p_value``]);
    4. formation: rising trend, or ``n_periods < min_periods_stable`` (a young
       relationship with repeat purchases);
    5. stability: the rest (established, no clear trend).

    BG/NBD gives P(alive) = 1 to customers without a repeat purchase (drop-out happens
    only after a purchase in that model), so the horizon rule still decides for
    one-time buyers when the P(alive) rule is on.

    This operationalises the stage model of Dwyer, Schurr & Oh (1987) as the Chinese
    CRM textbooks teach it (考察期, 形成期, 稳定期, 退化期): value rises in formation, is
    highest in stability and falls in decline (:func:`stage_value_curve`).

    References
    ----------
    Dwyer, F. R., Schurr, P. H., & Oh, S. (1987). Developing buyer-seller relationships.
    Journal of Marketing, 51(2), 11-27. Checked on hand-worked customers (rising,
    stable, declining, silent past the horizon) in ``tests/test_lifecycle.py``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...                    "date": pd.to_datetime(["2024-01-10", "2024-04-10", "2024-07-10",
    ...                                            "2023-01-05"]),
    ...                    "amount": [10.0, 20.0, 30.0, 50.0]})
    >>> lifecycle_stages(tx, "2024-09-30", churn_horizon=365)[["customer_id", "stage"]]
      customer_id      stage
    0           a  formation
    1           b    churned
    """
    where = "lifecycle_stages"
    _check_transactions(transactions, where)
    _check_period(period)
    _check_thresholds(min_periods_stable=min_periods_stable, trend_threshold=trend_threshold,
                      min_r2=min_r2, max_p_value=max_p_value, recent_periods=recent_periods)
    features = customer_features(transactions, as_of, period=period)
    features = features[features["frequency"] > 0].reset_index(drop=True)
    if features.empty:
        raise ValueError(f"{where}: no purchases up to as_of={as_of!r}, only returns; "
                         "a stage needs at least one purchase")
    as_of_day = _day(as_of, "as_of")
    if churn_horizon is None:
        horizon = inter_purchase_horizon(
            transactions, as_of, quantile=horizon_quantile, weighting=horizon_weighting
        )
    else:
        horizon = float(churn_horizon)
        if not np.isfinite(horizon) or horizon <= 0:
            raise ValueError(f"{where}: churn_horizon={churn_horizon!r} must be a positive number of days")

    series = _spend_series(transactions, as_of_day, period, features["customer_id"], recent_periods)
    n = series["n_periods"]
    mean = series["sum_y"] / n
    sxx = n * (n**2 - 1.0) / 12.0
    slope = features["spend_trend"].to_numpy(dtype=float)  # S_ky / S_kk, NaN with < 2 active
    syy = np.maximum(series["sum_y2"] - n * mean**2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        has_slope = np.isfinite(slope)
        slope_norm = np.where(has_slope & (mean != 0), slope / np.abs(mean), np.nan)
        r2 = np.where(has_slope & (syy > 1e-12 * np.maximum(series["sum_y2"], 1.0)),
                      np.minimum(slope**2 * sxx / syy, 1.0), np.nan)
        dof = n - 2.0
        resid = np.maximum(syy - slope**2 * sxx, 0.0)
        se = np.sqrt(resid / np.where(dof > 0, dof, 1.0) / np.where(sxx > 0, sxx, 1.0))
        t = np.where(se > 0, slope / se, np.sign(slope) * np.inf)
        p = np.where(has_slope & (dof > 0), 2.0 * stats.t.sf(np.abs(t), np.where(dof > 0, dof, 1.0)), np.nan)

    gone = features["recency_days"].to_numpy() > horizon
    p_alive = None
    if p_alive_threshold is not None:
        if not 0 < p_alive_threshold < 1:
            raise ValueError(f"{where}: p_alive_threshold={p_alive_threshold!r} must lie in (0, 1), e.g. 0.3")
        p_alive = _bgnbd_p_alive(transactions, as_of, features["customer_id"])
        gone |= p_alive < p_alive_threshold
    strong = (r2 >= min_r2) & np.isfinite(slope_norm)
    if max_p_value is not None:
        strong &= p <= max_p_value
    active = features["active_periods"].to_numpy()
    code = np.select(
        [gone,
         active < 2,
         strong & (slope_norm <= -trend_threshold),
         (strong & (slope_norm >= trend_threshold)) | (n < min_periods_stable)],
        [4, 0, 3, 1],
        default=2,
    )
    result = pd.DataFrame(
        {
            "customer_id": features["customer_id"],
            "stage": pd.Categorical.from_codes(code, categories=list(STAGES), ordered=True),
            "first_purchase": features["first_purchase"],
            "last_purchase": features["last_purchase"],
            "tenure_days": features["tenure_days"],
            "recency_days": features["recency_days"],
            "frequency": features["frequency"],
            "monetary_total": features["monetary_total"],
            "gross_profit": features["gross_profit"],
            "n_periods": n.astype(np.int64),
            "active_periods": features["active_periods"],
            "spend_per_period": mean,
            "recent_spend": series["recent"],
            "slope": slope,
            "slope_normalised": slope_norm,
            "trend_r2": r2,
            "trend_p_value": p,
            "churn_horizon_days": horizon,
        }
    )
    if p_alive is not None:
        result["p_alive"] = p_alive
    return result


def _bgnbd_p_alive(transactions, as_of, customer_ids) -> np.ndarray:
    """BG/NBD P(alive) as of ``as_of`` for ``customer_ids`` (weeks, fitted on all of them)."""
    from workbench.clv import BetaGeoModel
    from workbench.features import bgnbd_summary

    summary = bgnbd_summary(transactions, as_of, time_unit="W")
    model = BetaGeoModel().fit(summary)
    p = pd.Series(model.probability_alive(summary), index=summary["customer_id"].astype(str))
    return p.reindex(pd.Index(customer_ids).astype(str)).to_numpy(dtype=float)


def _check_thresholds(*, min_periods_stable, trend_threshold, min_r2, max_p_value, recent_periods):
    if int(min_periods_stable) != min_periods_stable or min_periods_stable < 2:
        raise ValueError(f"min_periods_stable={min_periods_stable!r} must be a whole number >= 2")
    if not trend_threshold > 0:
        raise ValueError(f"trend_threshold={trend_threshold!r} must be > 0, e.g. 0.10 (10 % per period)")
    if not 0 <= min_r2 <= 1:
        raise ValueError(f"min_r2={min_r2!r} must lie in [0, 1], e.g. 0.3")
    if max_p_value is not None and not 0 < max_p_value <= 1:
        raise ValueError(f"max_p_value={max_p_value!r} must lie in (0, 1], e.g. 0.1, or be None")
    if int(recent_periods) != recent_periods or recent_periods < 1:
        raise ValueError(f"recent_periods={recent_periods!r} must be a whole number >= 1")


def _spend_series(transactions, as_of_day, period, customer_ids, recent_periods) -> dict:
    """Per customer (in ``customer_ids`` order): n, sum y, sum y^2 and recent mean spend."""
    day = _day_numbers(transactions["date"])
    window = day <= as_of_day
    tx = transactions.loc[window]
    day = day[window]
    pnum = _period_numbers(tx["date"], day, period)
    codes = pd.Index(customer_ids).get_indexer(tx["customer_id"].astype(str))
    n_cust = len(customer_ids)
    buy = ~_is_return(tx) & (codes >= 0)
    first = np.full(n_cust, np.iinfo(np.int64).max)
    np.minimum.at(first, codes[buy], pnum[buy])
    end = _scalar_period(as_of_day, period)
    known = codes >= 0
    codes, pnum = codes[known], pnum[known]
    amount = tx["amount"].to_numpy(dtype=np.float64)[known]
    k = pnum - first[codes]
    inside = k >= 0  # returns before the first purchase period are not in the series
    frame = pd.DataFrame({"c": codes[inside], "p": pnum[inside], "y": amount[inside]})
    per = frame.groupby(["c", "p"], sort=False)["y"].sum()
    c = per.index.get_level_values("c").to_numpy()
    p = per.index.get_level_values("p").to_numpy()
    y = per.to_numpy()
    n_periods = (end - first + 1).astype(np.float64)
    recent_start = end - np.minimum(recent_periods, n_periods) + 1
    is_recent = p >= recent_start[c]
    recent = np.bincount(c, weights=np.where(is_recent, y, 0.0), minlength=n_cust)
    return {
        "n_periods": n_periods,
        "sum_y": np.bincount(c, weights=y, minlength=n_cust),
        "sum_y2": np.bincount(c, weights=y * y, minlength=n_cust),
        "recent": recent / np.minimum(recent_periods, n_periods),
    }


_RULES = {
    "en": (
        ("churned", "recency > {h:g} days (churn horizon{hsrc})"),
        ("exploration", "fewer than 2 active {per}s (one purchase period: still trying)"),
        ("decline", "falling spend: normalised slope <= -{tt:g} per {per} and R2 >= {r2:g}{pv}"),
        ("formation", "rising spend (normalised slope >= {tt:g}, R2 >= {r2:g}{pv}) "
                      "or fewer than {mps} {per}s since the first purchase"),
        ("stability", "the rest: {mps}+ {per}s of relationship, no clear trend"),
    ),
    "zh": (
        ("churned", "最近一次购买距今超过 {h:g} 天（流失期限{hsrc}）"),
        ("exploration", "有购买的{per}少于 2 个（仅一个购买期，尚在试探）"),
        ("decline", "消费下降：标准化斜率 <= -{tt:g}/{per} 且 R2 >= {r2:g}{pv}"),
        ("formation", "消费上升（标准化斜率 >= {tt:g}，R2 >= {r2:g}{pv}）或首次购买以来不足 {mps} 个{per}"),
        ("stability", "其余：关系已持续 {mps} 个{per}以上，无明显趋势"),
    ),
}
_PERIOD_WORDS = {"en": {"W": "week", "M": "month", "Q": "quarter", "Y": "year"},
                 "zh": {"W": "周", "M": "月", "Q": "季度", "Y": "年"}}


def stage_rules(
    horizon_days: float,
    *,
    period: str = "Q",
    churn_horizon: float | None = None,
    horizon_quantile: float = 0.9,
    horizon_weighting: str = "customer",
    min_periods_stable: int = 4,
    trend_threshold: float = 0.10,
    min_r2: float = 0.30,
    max_p_value: float | None = None,
    recent_periods: int = 2,
    p_alive_threshold: float | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """The stage rules of :func:`lifecycle_stages` with their numbers, for a report.

    Parameters
    ----------
    horizon_days : float
        The horizon used, in days (the ``churn_horizon_days`` column of the stages frame).
    period, churn_horizon, horizon_quantile, horizon_weighting, min_periods_stable, \
trend_threshold, min_r2, max_p_value, recent_periods, p_alive_threshold
        The keywords passed to :func:`lifecycle_stages` (so the same options dict can be
        passed to both); ``churn_horizon`` given means the case set the horizon.
    lang : {"en", "zh"}

    Returns
    -------
    pandas.DataFrame
        ``order`` (1 = checked first), ``stage``, ``rule`` (text, horizon in days).

    References
    ----------
    The rules of :func:`lifecycle_stages` (Dwyer, Schurr & Oh 1987, as the Chinese CRM
    textbooks stage it), printed with the case's numbers; ``tests/test_lifecycle.py``
    checks that the numbers appear.
    """
    if lang not in _RULES:
        raise ValueError(f"lang={lang!r} is not supported; use one of {list(_RULES)}")
    _check_period(period)
    en = lang == "en"
    if churn_horizon is not None:
        hsrc = ", set by the case" if en else "，由案例设定"
    else:
        per_customer = horizon_weighting == "customer"
        hsrc = (f": {horizon_quantile:.0%} quantile of inter-purchase times"
                + (", customers weighted equally" if per_customer else "") if en
                else ("：各客户等权的" if per_customer else "：") + f"购买间隔 {horizon_quantile:.0%} 分位数")
    if p_alive_threshold is not None:
        hsrc += (f"; or BG/NBD P(alive) < {p_alive_threshold:g}" if en
                 else f"；或 BG/NBD 存活概率 P(alive) < {p_alive_threshold:g}")
    pv = "" if max_p_value is None else f", p <= {max_p_value:g}"
    fields = {"h": round(float(horizon_days), 1), "hsrc": hsrc, "per": _PERIOD_WORDS[lang][period],
              "tt": trend_threshold, "r2": min_r2, "pv": pv, "mps": min_periods_stable}
    rows = [(i + 1, stage, text.format(**fields)) for i, (stage, text) in enumerate(_RULES[lang])]
    return pd.DataFrame(rows, columns=["order", "stage", "rule"])


def stage_value_curve(
    stages: pd.DataFrame,
    values: Iterable[str] = ("spend_per_period", "recent_spend", "monetary_total"),
) -> pd.DataFrame:
    """Customers and mean value per lifecycle stage, in stage order.

    Parameters
    ----------
    stages : pandas.DataFrame
        The frame of :func:`lifecycle_stages` (or any frame with ``stage`` and the
        value columns, e.g. after merging a CLV column).
    values : iterable of str
        Numeric columns to average per stage.

    Returns
    -------
    pandas.DataFrame
        ``stage``, ``customers``, ``share`` (of all customers) and ``mean_<value>`` for
        each value column; every stage of :data:`STAGES` appears (0 customers, NaN means
        when empty).

    Notes
    -----
    The textbook's value curve: value per period rises through formation, peaks in
    stability and falls in decline (Dwyer, Schurr & Oh 1987); ``recent_spend`` is the
    customer's value now, ``spend_per_period`` over the whole relationship (both
    currency per period), ``monetary_total`` the value built up so far (currency).
    ``share`` = customers in the stage / all customers (0-1).
    :func:`value_curve_shape` reads whether the curve has that shape.

    References
    ----------
    Dwyer, F. R., Schurr, P. H., & Oh, S. (1987). Developing buyer-seller relationships.
    Journal of Marketing, 51(2), 11-27. Hand-worked in ``tests/test_lifecycle.py``.
    """
    values = list(values)
    missing = [c for c in ["stage", *values] if c not in stages.columns]
    if missing:
        raise ValueError(f"stage_value_curve: columns {missing} are missing; present: {list(stages.columns)}")
    unknown = ~stages["stage"].astype("object").isin(STAGES)
    if unknown.any():
        bad = sorted(set(stages["stage"][unknown].astype(str)))
        raise ValueError(f"stage_value_curve: {int(unknown.sum())} rows have unknown or missing stages "
                         f"{bad}; use {list(STAGES)}")
    stage = pd.Categorical(stages["stage"].astype("object"), categories=list(STAGES), ordered=True)
    grouped = stages[values].groupby(stage, observed=False)
    out = pd.DataFrame({"stage": list(STAGES)})
    counts = grouped.size().reindex(list(STAGES)).to_numpy()
    out["customers"] = counts.astype(np.int64)
    out["share"] = counts / max(len(stages), 1)
    means = grouped.mean().reindex(list(STAGES))
    for col in values:
        out[f"mean_{col}"] = means[col].to_numpy(dtype=float)
    return out


def stages_against_truth(stages: pd.DataFrame, truth: pd.DataFrame,
                         expected: Mapping[str, str] | None = None) -> tuple[float, pd.DataFrame]:
    """How well the stages match the stage each customer's known segment implies.

    Parameters
    ----------
    stages : pandas.DataFrame
        From :func:`lifecycle_stages` (``customer_id``, ``stage``).
    truth : pandas.DataFrame
        ``customer_id`` and ``segment`` (the ``truth_segments`` table of
        :func:`workbench.datasets.make_ncompany`).
    expected : mapping, optional
        True segment -> stage; default
        :data:`workbench.datasets.NCOMPANY_SEGMENT_STAGES`.

    Returns
    -------
    (float, pandas.DataFrame)
        The share of customers in their expected stage (0-1) and the cross-table of
        true segment (rows) by assigned stage (columns, in :data:`STAGES` order), counts.

    Raises
    ------
    ValueError
        When a customer has no true segment or a segment has no expected stage.

    References
    ----------
    No external reference: an agreement rate against the generator's construction.
    """
    expected = NCOMPANY_SEGMENT_STAGES if expected is None else expected
    true = truth.set_index("customer_id")["segment"].reindex(stages["customer_id"])
    if true.isna().any():
        raise ValueError(f"stages_against_truth: {int(true.isna().sum()):,} customer(s) have no true "
                         f"segment, e.g. {true.index[true.isna()][0]!r}")
    unknown = sorted(set(true) - set(expected))
    if unknown:
        raise ValueError(f"stages_against_truth: no expected stage for segment(s) {unknown}; "
                         f"expected covers {sorted(expected)}")
    stage = stages["stage"].astype(str).to_numpy()
    agreement = float((true.map(expected).to_numpy() == stage).mean())
    table = pd.crosstab(pd.Series(true.to_numpy(), name="truth"), pd.Series(stage, name="stage"))
    table = table.reindex(columns=[s for s in STAGES if s in table.columns])
    return agreement, table


def value_curve_shape(curve: pd.DataFrame, value: str = "mean_monetary_total") -> dict:
    """Whether a stage value curve has the textbook's rise-peak-fall shape.

    Parameters
    ----------
    curve : pandas.DataFrame
        The result of :func:`stage_value_curve`.
    value : str, default "mean_monetary_total"
        The column to read (currency per customer): the value a relationship has built
        up by its stage. ``mean_recent_spend`` reads the value per period now.

    Returns
    -------
    dict
        ``rise_peak_fall`` (bool): over the live stages with customers (exploration,
        formation, stability, decline, in that order) the value rises to a peak in
        stability and falls after it; ``peak`` (the stage with the highest value, or
        None) and ``stages`` (the live stages read).

    Notes
    -----
    Churned customers are left out: the curve describes relationships still running
    (Dwyer, Schurr & Oh 1987; 客户生命周期价值曲线 of the Chinese CRM textbooks). With
    one live stage there is no shape to read, so ``rise_peak_fall`` is False.

    References
    ----------
    Dwyer, F. R., Schurr, P. H., & Oh, S. (1987). Developing buyer-seller relationships.
    Journal of Marketing, 51(2), 11-27.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"stage": ["exploration", "formation", "stability", "decline", "churned"],
    ...                   "customers": [0, 5, 9, 3, 4], "mean_monetary_total": [None, 40, 90, 30, 5]})
    >>> value_curve_shape(c)
    {'rise_peak_fall': True, 'peak': 'stability', 'stages': ['formation', 'stability', 'decline']}
    """
    missing = [c for c in ("stage", "customers", value) if c not in curve.columns]
    if missing:
        raise ValueError(f"value_curve_shape: columns {missing} are missing; present: {list(curve.columns)}")
    live = curve[(curve["stage"].astype(str) != "churned") & (curve["customers"] > 0)
                 & curve[value].notna()]
    stages = live["stage"].astype(str).tolist()
    values = live[value].to_numpy(dtype=float)
    if not stages:
        return {"rise_peak_fall": False, "peak": None, "stages": []}
    top = int(np.argmax(values))
    rises, falls = np.diff(values[: top + 1]), np.diff(values[top:])
    holds = (len(stages) > 1 and stages[top] == "stability"
             and bool(np.all(rises > 0)) and bool(np.all(falls < 0)))
    return {"rise_peak_fall": holds, "peak": stages[top], "stages": stages}


# ======================================================================================
# migration
# ======================================================================================


@dataclass(frozen=True)
class Migration:
    """Transitions between two analysis dates; see :func:`migration_matrix`.

    Attributes
    ----------
    counts : DataFrame
        From class (rows, ``(new)`` last) x to class (columns, ``(absent)`` last).
    shares : DataFrame
        Row shares of ``counts`` (each row sums to 1; the ``(new)`` row over new ones).
    movers : DataFrame
        ``customer_id``, ``from``, ``to`` and the value column: valuable customers who
        moved to a watched class.
    """

    counts: pd.DataFrame
    shares: pd.DataFrame
    movers: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The three parts as flat frames (index written as a column).

        Returns
        -------
        dict of str to pandas.DataFrame
            ``migration_counts`` and ``migration_shares`` (the ``from`` index as a
            column) and ``migration_movers``.
        """
        return {"migration_counts": self.counts.reset_index(),
                "migration_shares": self.shares.reset_index(),
                "migration_movers": self.movers}


def migration_matrix(
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    column: str = "stage",
    value_column: str | None = None,
    valuable: Iterable | None = None,
    to: Iterable = ("decline", "churned"),
    categories: Iterable | None = None,
) -> Migration:
    """Counts and row shares of class transitions between two dates, and who fell.

    Parameters
    ----------
    before, after : pandas.DataFrame
        One row per customer (``customer_id`` unique) with the class ``column``, as of
        the first and second analysis date (e.g. two :func:`lifecycle_stages` frames or
        two segment assignments).
    column : str, default "stage"
        The class column in both frames.
    value_column : str, optional
        A column of ``before`` holding a value class (e.g. ABC class or RFM segment,
        merged onto the stages); default ``column`` itself.
    valuable : iterable, optional
        Values of ``value_column`` that count as valuable. Default: formation and
        stability when ``value_column`` is the stage, otherwise required.
    to : iterable, default ("decline", "churned")
        Classes of ``after`` that count as a fall (``"(absent)"`` may be added).
    categories : iterable, optional
        Row/column order; default: :data:`STAGES` for stages, else sorted classes.

    Returns
    -------
    Migration

    Raises
    ------
    ValueError
        Missing columns, duplicate customers, missing classes, or ``valuable`` not
        given for a value column other than the stage.

    Notes
    -----
    :math:`N_{ij}` = customers in class *i* at the first date and *j* at the second.
    Row *i* sums to the customers in class *i* at the first date (customers missing at
    the second date fall in ``(absent)``), so all class rows together sum to the
    customers present at the first date; customers first seen at the second date form
    the ``(new)`` row. Shares are :math:`N_{ij} / \\sum_j N_{ij}` (NaN for an empty row).

    References
    ----------
    The row shares are the maximum-likelihood transition probabilities of a Markov-chain
    customer migration model (Pfeifer, P. E., & Carraway, R. L. (2000). Modeling
    customer relationships as Markov chains. Journal of Interactive Marketing, 14(2),
    43-55). Hand-worked and checked for row sums in ``tests/test_lifecycle.py``.

    Examples
    --------
    >>> before = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...                        "stage": ["formation", "stability", "exploration"]})
    >>> after = pd.DataFrame({"customer_id": ["a", "b", "d"],
    ...                       "stage": ["stability", "churned", "exploration"]})
    >>> m = migration_matrix(before, after)
    >>> int(m.counts.loc["stability", "churned"]), int(m.counts.loc["(new)", "exploration"])
    (1, 1)
    >>> m.movers
      customer_id       from       to
    0           b  stability  churned
    """
    for name, frame in (("before", before), ("after", after)):
        missing = [c for c in ("customer_id", column) if c not in frame.columns]
        if missing:
            raise ValueError(f"migration_matrix: '{name}' lacks columns {missing}; present: {list(frame.columns)}")
        dup = int(frame["customer_id"].duplicated().sum())
        if dup:
            raise ValueError(f"migration_matrix: '{name}' has {dup} duplicated customer_id values; "
                             "pass one row per customer")
        n_na = int(frame[column].isna().sum())
        if n_na:
            raise ValueError(f"migration_matrix: '{name}' has {n_na} missing values in '{column}'; "
                             "every customer needs a class")
    value_column = column if value_column is None else value_column
    if value_column not in before.columns:
        raise ValueError(f"migration_matrix: value_column '{value_column}' is not a column of 'before'")
    if valuable is None:
        if value_column != "stage":
            raise ValueError(f"migration_matrix: say which values of '{value_column}' are valuable, "
                             "e.g. valuable=['A']")
        valuable = ("formation", "stability")
    valuable, to = list(valuable), list(to)

    a = before[["customer_id", column]].astype({column: "object"})
    b = after[["customer_id", column]].astype({column: "object"})
    merged = a.merge(b, on="customer_id", how="outer", suffixes=("_from", "_to"), sort=True)
    src = merged[f"{column}_from"].fillna(NEW)
    dst = merged[f"{column}_to"].fillna(ABSENT)
    if categories is None:
        seen = sorted(set(a[column].astype(str)) | set(b[column].astype(str)))
        categories = list(STAGES) if set(seen) <= set(STAGES) and column == "stage" else seen
    categories = [str(c) for c in categories]
    unknown = sorted((set(src.astype(str)) | set(dst.astype(str))) - set(categories) - {NEW, ABSENT})
    if unknown:
        raise ValueError(f"migration_matrix: classes {unknown} are not in categories {categories}")
    counts = pd.crosstab(pd.Categorical(src.astype(str), categories=[*categories, NEW]),
                         pd.Categorical(dst.astype(str), categories=[*categories, ABSENT]),
                         dropna=False)
    counts = counts.reindex(index=[*categories, NEW], columns=[*categories, ABSENT], fill_value=0)
    counts.index.name, counts.columns.name = "from", "to"
    counts = counts.astype(np.int64)
    totals = counts.sum(axis=1)
    shares = counts.div(totals.where(totals > 0), axis=0)

    movers = before[["customer_id", column] + ([value_column] if value_column != column else [])]
    movers = movers.merge(after[["customer_id", column]], on="customer_id", how="left",
                          suffixes=("_from", "_to"))
    movers[f"{column}_to"] = movers[f"{column}_to"].astype("object").fillna(ABSENT)
    vc = value_column if value_column != column else f"{column}_from"
    fell = movers[vc].isin(valuable) & movers[f"{column}_to"].astype(str).isin([str(t) for t in to])
    movers = movers.loc[fell].rename(columns={f"{column}_from": "from", f"{column}_to": "to"})
    movers = movers.astype({"from": "str", "to": "str"}).sort_values("customer_id", kind="stable")
    return Migration(counts=counts, shares=shares, movers=movers.reset_index(drop=True))


# ======================================================================================
# cohorts and churn rates
# ======================================================================================


@dataclass(frozen=True)
class CohortTable:
    """Acquisition cohorts x periods since acquisition; see :func:`cohort_table`.

    Attributes
    ----------
    values : DataFrame
        Index ``cohort`` (period labels), columns 0, 1, ... (periods since
        acquisition): active customers or net revenue. NaN where the period lies after
        the analysis date (not yet observed).
    rates : DataFrame
        ``values`` divided by the period-0 column: retention or revenue retention.
    sizes : DataFrame
        ``cohort``, ``customers`` (acquired), ``revenue_0`` (revenue in period 0).
    metric, period : str
    """

    values: pd.DataFrame
    rates: pd.DataFrame
    sizes: pd.DataFrame
    metric: str
    period: str

    def to_frame(self) -> pd.DataFrame:
        """The table in long form, observed cells only.

        Returns
        -------
        pandas.DataFrame
            ``cohort``, ``periods_since``, ``value`` (customers or currency) and
            ``rate`` (0-1).
        """
        long = self.values.stack().rename("value").reset_index()
        long.columns = ["cohort", "periods_since", "value"]
        long["rate"] = self.rates.stack().to_numpy()
        return long[long["value"].notna()].reset_index(drop=True)


def _purchase_periods(transactions, as_of, period, where):
    """Window up to ``as_of`` with integer customer codes and period numbers."""
    _check_transactions(transactions, where)
    _check_period(period)
    day = _day_numbers(transactions["date"])
    if day.size == 0:
        raise ValueError(f"{where}: transactions are empty")
    as_of_day = int(day.max()) if as_of is None else _day(as_of, "as_of")
    window = day <= as_of_day
    if not window.any():
        raise ValueError(f"{where}: no transactions up to as_of={_iso(as_of_day)} (the data start "
                         f"on {_iso(day.min())}); choose an analysis date inside the data")
    tx = transactions.loc[window]
    day = day[window]
    codes, ids = pd.factorize(tx["customer_id"], sort=True)
    pnum = _period_numbers(tx["date"], day, period)
    buy = ~_is_return(tx)
    return tx, codes.astype(np.int64), len(ids), pnum, buy, _scalar_period(as_of_day, period)


def cohort_table(
    transactions: pd.DataFrame,
    *,
    period: str = "M",
    metric: str = "customers",
    as_of=None,
) -> CohortTable:
    """Retention (or revenue retention) by acquisition cohort and periods since.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions.
    period : {"M", "Q", "Y", "W"}, default "M"
        Cohort and step length.
    metric : {"customers", "revenue"}, default "customers"
        ``customers``: cohort customers with a purchase in the period; ``revenue``:
        their net revenue in the period (returns included).
    as_of : date-like, optional
        Analysis date; default the last date in the data.

    Returns
    -------
    CohortTable

    Raises
    ------
    ValueError
        Missing columns/values, unknown ``period``/``metric``, no rows up to ``as_of``,
        or no purchase at all.

    Notes
    -----
    The cohort of a customer is the period :math:`p_0` of the first purchase (returns
    never acquire). For cohort :math:`c` and :math:`k \\ge 0`,
    :math:`v_{ck}` = number of its customers buying in :math:`p_0 + k` (or their net
    revenue), and the rate is :math:`v_{ck} / v_{c0}`; the customer rate at
    :math:`k = 0` is 1 by construction. Cells with :math:`p_0 + k` after the period of
    ``as_of`` are NaN (not yet observed), so the table is a triangle. Rows of customers
    who never bought (returns only) and returns dated before a customer's first
    purchase belong to no cohort; with ``metric="revenue"`` their amount is left out.

    References
    ----------
    Fader, P. S., & Hardie, B. G. S. (2010). Customer-base valuation in a contractual
    setting: The perils of ignoring heterogeneity. Marketing Science, 29(1), 85-93
    (cohort retention curves). Checked on a hand-worked table in tests/test_lifecycle.py
    and on CDNOW against a plain pandas groupby.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "c"],
    ...                    "date": pd.to_datetime(["2024-01-10", "2024-02-05", "2024-04-01",
    ...                                            "2024-01-20", "2024-02-10", "2024-03-03"]),
    ...                    "amount": [10.0, 20.0, 5.0, 30.0, 40.0, 15.0]})
    >>> rates = cohort_table(tx, as_of="2024-04-30").rates  # a, b join in January, c in February
    >>> rates.index.tolist()
    ['2024-01', '2024-02']
    >>> rates.to_numpy().tolist()  # k = 3 of the February cohort is May, after as_of: NaN
    [[1.0, 0.5, 0.0, 0.5], [1.0, 1.0, 0.0, nan]]
    """
    if metric not in ("customers", "revenue"):
        raise ValueError(f"metric={metric!r} is not supported; use 'customers' or 'revenue'")
    tx, codes, n, pnum, buy, end = _purchase_periods(transactions, as_of, period, "cohort_table")
    if not buy.any():
        raise ValueError("cohort_table: no purchases (all rows are returns); no customer is acquired")
    big = np.iinfo(np.int64).max
    first = np.full(n, big)
    np.minimum.at(first, codes[buy], pnum[buy])
    has = first[codes] != big
    k = np.where(has, pnum - np.where(has, first[codes], 0), -1)
    cohorts = np.unique(first[first != big])
    n_k = int(end - cohorts.min() + 1)
    row = np.searchsorted(cohorts, first[codes])
    if metric == "customers":
        use = buy & (k >= 0)
        cells = _unique_pairs(codes[use], k[use])  # customer, periods since
        cohort_row = np.searchsorted(cohorts, first[cells[:, 0]])
        grid = np.bincount(cohort_row * n_k + cells[:, 1], minlength=len(cohorts) * n_k)
        grid = grid.reshape(len(cohorts), n_k).astype(np.float64)
    else:
        use = has & (k >= 0)
        grid = np.bincount(row[use] * n_k + k[use], weights=tx["amount"].to_numpy(dtype=np.float64)[use],
                           minlength=len(cohorts) * n_k).reshape(len(cohorts), n_k)
    observed = (cohorts[:, None] + np.arange(n_k)[None, :]) <= end
    grid = np.where(observed, grid, np.nan)
    labels = _period_index(cohorts, period).astype(str)
    index = pd.Index(labels, name="cohort")
    columns = pd.RangeIndex(n_k, name="periods_since")
    values = pd.DataFrame(grid, index=index, columns=columns)
    with np.errstate(divide="ignore", invalid="ignore"):
        base = grid[:, :1]
        rates = pd.DataFrame(np.where(base != 0, grid / np.where(base != 0, base, 1.0), np.nan),
                             index=index, columns=columns)
    sizes_customers = np.bincount(np.searchsorted(cohorts, first[first != big]), minlength=len(cohorts))
    at0 = has & (k == 0)
    rev0 = np.bincount(row[at0], weights=tx["amount"].to_numpy(dtype=np.float64)[at0], minlength=len(cohorts))
    sizes = pd.DataFrame({"cohort": labels, "customers": sizes_customers.astype(np.int64), "revenue_0": rev0})
    return CohortTable(values=values, rates=rates, sizes=sizes, metric=metric, period=period)


def churn_rates(transactions: pd.DataFrame, *, period: str = "M", as_of=None) -> pd.DataFrame:
    """Active, retained, new and returning customers and the churn rate per period.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions.
    period : {"M", "Q", "Y", "W"}, default "M"
    as_of : date-like, optional
        Analysis date; default the last date in the data.

    Returns
    -------
    pandas.DataFrame
        One row per period from the first purchase's to ``as_of``'s: ``period`` (str),
        ``active`` (customers buying in it), ``new`` (first purchase in it),
        ``retained`` (also bought in the previous period), ``reactivated`` (the rest),
        ``churned`` (bought in the previous period, not in this one) and
        ``churn_rate`` = churned / active in the previous period (NaN for the first
        period or after a period without buyers).

    Notes
    -----
    In a non-contractual business a customer who skips a period is not necessarily
    gone; this is the period-to-period defection rate, :math:`1 - R_t / A_{t-1}`, the
    complement of the retention rate :math:`r` of the textbook CLV formula. Long
    periods (quarters, years) give rates closer to true churn.

    References
    ----------
    No external reference; per period, one minus the retention rate :math:`r` of
    :func:`workbench.clv.textbook_clv` (Gupta & Lehmann 2003), which
    :func:`retention_inputs` pools over periods. Hand-worked in ``tests/test_lifecycle.py``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "c"],
    ...                    "date": pd.to_datetime(["2024-01-10", "2024-02-05", "2024-04-01",
    ...                                            "2024-01-20", "2024-02-10", "2024-03-03"]),
    ...                    "amount": [10.0, 20.0, 5.0, 30.0, 40.0, 15.0]})
    >>> churn_rates(tx)[["period", "active", "retained", "churned", "churn_rate"]]
        period  active  retained  churned  churn_rate
    0  2024-01       2         0        0         NaN
    1  2024-02       2         1        1         0.5
    2  2024-03       1         1        1         0.5
    3  2024-04       1         0        1         1.0
    """
    tx, codes, n, pnum, buy, end = _purchase_periods(transactions, as_of, period, "churn_rates")
    if not buy.any():
        raise ValueError("churn_rates: no purchases (all rows are returns)")
    pairs = _unique_pairs(codes[buy], pnum[buy])  # customer, period
    start = int(pairs[:, 1].min())
    n_p = end - start + 1
    rel = pairs[:, 1] - start
    first_of_customer = np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]
    prev_same = np.r_[False, (pairs[1:, 0] == pairs[:-1, 0]) & (pairs[1:, 1] == pairs[:-1, 1] + 1)]
    active = np.bincount(rel, minlength=n_p)
    new = np.bincount(rel[first_of_customer], minlength=n_p)
    retained = np.bincount(rel[prev_same], minlength=n_p)
    prev_active = np.r_[0, active[:-1]]
    churned = np.where(np.arange(n_p) > 0, prev_active - retained, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(prev_active > 0, churned / np.where(prev_active > 0, prev_active, 1), np.nan)
    return pd.DataFrame({
        "period": _period_index(np.arange(start, end + 1), period).astype(str),
        "active": active.astype(np.int64),
        "new": new.astype(np.int64),
        "retained": retained.astype(np.int64),
        "reactivated": (active - new - retained).astype(np.int64),
        "churned": churned.astype(np.int64),
        "churn_rate": rate,
    })


# ======================================================================================
# survival
# ======================================================================================


@dataclass(frozen=True)
class SurvivalCurves:
    """Kaplan-Meier curves by segment; see :func:`survival_curves`.

    Attributes
    ----------
    curves : DataFrame
        ``segment``, ``days``, ``at_risk``, ``events``, ``survival``, ``ci_lower``,
        ``ci_upper`` (one row per event time, plus day 0 with survival 1 and the
        longest observed lifetime, so the step curve runs to the end of the data).
    summary : DataFrame
        ``segment``, ``customers``, ``churned``, ``median_days`` (NaN when the curve
        never falls to 0.5), ``median_ci_lower``, ``median_ci_upper``.
    """

    curves: pd.DataFrame
    summary: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The curves and the summary, by name.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``survival_curves`` and ``survival_summary``.
        """
        return {"survival_curves": self.curves, "survival_summary": self.summary}


def survival_curves(
    stages: pd.DataFrame,
    *,
    by: str | None = None,
    event_at: str = "last_purchase",
    alpha: float = 0.05,
) -> SurvivalCurves:
    """Kaplan-Meier survival of customer relationships, overall or by segment.

    Parameters
    ----------
    stages : pandas.DataFrame
        The frame of :func:`lifecycle_stages` (``stage``, ``first_purchase``,
        ``last_purchase``, ``tenure_days``), optionally with a segment column merged on.
    by : str, optional
        Column to split by (e.g. ``industry``, a value class); default one curve
        ``"all"``. Missing values form their own segment ``"(missing)"``.
    event_at : {"last_purchase", "horizon_end"}, default "last_purchase"
        When a churned customer's relationship ends: at the last purchase (the
        relationship's active span), or when the churn horizon ran out after it
        (``last_purchase + churn_horizon_days``, the day churn becomes visible).
    alpha : float, default 0.05
        1 - confidence level of the pointwise intervals and of the median's interval.

    Returns
    -------
    SurvivalCurves

    Notes
    -----
    Lifetime of a churned customer (stage ``churned``): days from first to last
    purchase (plus the horizon with ``event_at="horizon_end"``), an observed event; of
    any other customer: days from first purchase to the analysis date
    (``tenure_days``), right-censored. The Kaplan-Meier estimator is
    :math:`\\hat S(t) = \\prod_{t_i \\le t} (1 - d_i / n_i)` with Greenwood standard
    errors; intervals are statsmodels' log-log (``SurvfuncRight``) pointwise bands.
    With ``event_at="last_purchase"`` one-purchase customers who churned have lifetime
    0, so :math:`1 - \\hat S(0)` is the share of customers lost after their first
    purchase day, and the median can be 0 where most customers never return.

    References
    ----------
    Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete
    observations. JASA, 53(282), 457-481. Computed with statsmodels ``SurvfuncRight``
    (lifelines is not a dependency: it requires pandas < 3). Checked by hand, and on
    CDNOW as of 1998-06-30 (overall and by monthly cohort: survival, the band at 200
    days and the median) against lifelines 0.30.3 ``KaplanMeierFitter`` fitted in a
    separate environment (``tests/data/make_lifecycle_reference.py``), in
    ``tests/test_lifecycle.py``.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    if event_at not in ("last_purchase", "horizon_end"):
        raise ValueError(f"event_at={event_at!r} is not supported; use 'last_purchase' or 'horizon_end'")
    need = ["stage", "first_purchase", "last_purchase", "tenure_days"] + ([by] if by else [])
    if event_at == "horizon_end":
        need.append("churn_horizon_days")
    missing = [c for c in need if c not in stages.columns]
    if missing:
        raise ValueError(f"survival_curves: columns {missing} are missing; pass the frame of "
                         f"lifecycle_stages (present: {list(stages.columns)})")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r} must lie in (0, 1)")
    if len(stages) == 0:
        raise ValueError("survival_curves: no customers")
    event = (stages["stage"].astype(str) == "churned").to_numpy()
    span = (stages["last_purchase"] - stages["first_purchase"]).dt.days.to_numpy(dtype=float)
    if event_at == "horizon_end":
        span = span + stages["churn_horizon_days"].to_numpy(dtype=float)
    duration = np.where(event, span, stages["tenure_days"].to_numpy(dtype=float))
    if np.isnan(duration).any():
        raise ValueError(f"survival_curves: {int(np.isnan(duration).sum())} customers lack purchase dates")
    groups = (pd.Series("all", index=stages.index) if by is None
              else stages[by].astype("object").where(stages[by].notna(), "(missing)").astype(str))
    curves, summary = [], []
    for seg in sorted(groups.unique()):
        mask = (groups == seg).to_numpy()
        d, e = duration[mask], event[mask].astype(float)
        row = {"segment": seg, "customers": int(mask.sum()), "churned": int(e.sum()),
               "median_days": np.nan, "median_ci_lower": np.nan, "median_ci_upper": np.nan}
        if e.sum() == 0:  # nothing to estimate: survival stays 1
            curves.append(pd.DataFrame({"segment": [seg], "days": [0.0], "at_risk": [int(mask.sum())],
                                        "events": [0], "survival": [1.0], "ci_lower": [1.0],
                                        "ci_upper": [1.0]}))
            summary.append(row)
            continue
        sf = SurvfuncRight(d, e)
        lo, hi = _km_band(sf, alpha)
        frame = pd.DataFrame({"segment": seg, "days": sf.surv_times, "at_risk": sf.n_risk.astype(np.int64),
                              "events": sf.n_events.astype(np.int64), "survival": sf.surv_prob,
                              "ci_lower": lo, "ci_upper": hi})
        if frame["days"].iloc[0] > 0:
            frame = pd.concat([pd.DataFrame({"segment": [seg], "days": [0.0], "at_risk": [int(mask.sum())],
                                             "events": [0], "survival": [1.0], "ci_lower": [1.0],
                                             "ci_upper": [1.0]}), frame], ignore_index=True)
        if d.max() > frame["days"].iloc[-1]:  # flat to the longest censored relationship
            frame = pd.concat([frame, frame.iloc[[-1]].assign(days=float(d.max()), events=0,
                                                              at_risk=int((d >= d.max()).sum()))],
                              ignore_index=True)
        curves.append(frame)
        if sf.surv_prob.min() <= 0.5:
            row["median_days"] = float(sf.quantile(0.5))
            with np.errstate(divide="ignore", invalid="ignore"):  # log(-log 1) at S = 1
                ci = sf.quantile_ci(0.5, alpha=alpha)
            row["median_ci_lower"], row["median_ci_upper"] = (float(v) if v is not None else np.nan for v in ci)
        summary.append(row)
    return SurvivalCurves(curves=pd.concat(curves, ignore_index=True),
                          summary=pd.DataFrame(summary))


def _km_band(sf, alpha: float):
    """Pointwise log(-log) interval of the Kaplan-Meier curve (Greenwood variance)."""
    s = sf.surv_prob
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(s)
        se = sf.surv_prob_se / np.where(s > 0, s * np.abs(log_s), np.nan)  # se of log(-log S)
        ll = np.log(-log_s)
        lo = np.exp(-np.exp(ll + z * se))
        hi = np.exp(-np.exp(ll - z * se))
    lo = np.where(s >= 1, 1.0, np.where(s <= 0, 0.0, lo))
    hi = np.where(s >= 1, 1.0, np.where(s <= 0, 0.0, hi))
    return np.nan_to_num(lo, nan=0.0), np.nan_to_num(hi, nan=1.0)


# ======================================================================================
# churn reasons
# ======================================================================================


@dataclass(frozen=True)
class ChurnReasons:
    """Churn reasons beside the lecture's reference shares; see :func:`churn_reasons`.

    Attributes
    ----------
    reasons : DataFrame
        ``group``, ``reason``, ``customers``, ``share``, ``reference_share``.
    groups : DataFrame
        ``group``, ``customers``, ``share``, ``reference_share``.
    n_missing : int
        Customers without a reason (not churned, or the reason was not recorded).
    """

    reasons: pd.DataFrame
    groups: pd.DataFrame
    n_missing: int

    def tables(self) -> dict[str, pd.DataFrame]:
        """The reason and group tables, by name.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``churn_reasons`` and ``churn_reason_groups``.
        """
        return {"churn_reasons": self.reasons, "churn_reason_groups": self.groups}


def churn_reasons(
    customers: pd.DataFrame,
    reason_col: str = "churn_reason",
    *,
    mapping: Mapping[str, str] | None = None,
    reference: Mapping[str, float] | None = None,
) -> ChurnReasons:
    """Tabulate churn reasons in the lecture's three groups beside its reference shares.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer; ``reason_col`` holds the reason of churned customers and
        is missing for the others.
    reason_col : str, default "churn_reason"
    mapping : mapping of str to str, optional
        Reason -> group (one of ``customer_side``, ``firm_side``, ``third_party``).
        Default :data:`workbench.datasets.CHURN_REASON_GROUPS` (codes ``moved``,
        ``lost_contact``, ``price``, ``complaint_unresolved``, ``poor_communication``,
        ``competitor``, ``peer_influence``); pass your own for your own reason texts.
    reference : mapping of str to float, optional
        Reason -> reference share; default the lecture's
        (:data:`workbench.datasets.CHURN_REASON_SHARES`).

    Returns
    -------
    ChurnReasons
        Every mapped reason appears (0 customers if unseen); each reason not in
        ``mapping`` gets its own row in group ``unmapped`` (nothing is dropped).
        Shares are over customers with a reason.

    Notes
    -----
    The reference shares of the teaching material (after the classic survey of why
    customers leave): the customer's own reasons 1 % (moved) and 3 % (lost contact);
    the firm's: price 9 %, complaints not handled 10 %, poor communication or
    indifference 68 %; third parties: competitors 4 %, people around the customer 5 %.
    ``share`` = customers with the reason / customers with any reason (0-1).

    References
    ----------
    No published source is verified: the reference shares are the teaching material's
    table (:data:`workbench.datasets.CHURN_REASON_SHARES`), a variant of the widely
    quoted "68 % leave because of indifference" figures. Tabulation checked in
    ``tests/test_lifecycle.py``.
    """
    if reason_col not in customers.columns:
        raise ValueError(f"churn_reasons: column '{reason_col}' is missing; present: {list(customers.columns)}. "
                         "Pass reason_col=<your column>")
    mapping = dict(CHURN_REASON_GROUPS if mapping is None else mapping)
    bad = sorted({g for g in mapping.values() if g not in CHURN_GROUPS[:3]})
    if bad:
        raise ValueError(f"churn_reasons: mapping uses unknown groups {bad}; use {list(CHURN_GROUPS[:3])}")
    reference = dict(CHURN_REASON_SHARES if reference is None else reference)
    raw = customers[reason_col]
    n_missing = int(raw.isna().sum())
    given = raw[raw.notna()].astype(str).str.strip()
    counts = given.value_counts()
    known = list(mapping)
    unmapped = sorted(set(counts.index) - set(known))
    total = int(counts.sum())
    rows = pd.DataFrame({
        "group": [mapping[r] for r in known] + ["unmapped"] * len(unmapped),
        "reason": known + unmapped,
    })
    rows["customers"] = rows["reason"].map(counts).fillna(0).astype(np.int64)
    rows["share"] = rows["customers"] / total if total else np.nan
    rows["reference_share"] = rows["reason"].map(reference).astype(float)
    order = {g: i for i, g in enumerate(CHURN_GROUPS)}
    rows = rows.sort_values("group", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    groups = rows.groupby("group", sort=False).agg(customers=("customers", "sum"),
                                                   reference_share=("reference_share", lambda s: s.sum(min_count=1)))
    groups = groups.reindex([g for g in CHURN_GROUPS if g in groups.index or g != "unmapped"])
    groups["customers"] = groups["customers"].fillna(0).astype(np.int64)
    groups.insert(1, "share", groups["customers"] / total if total else np.nan)
    return ChurnReasons(reasons=rows, groups=groups.reset_index(), n_missing=n_missing)


# ======================================================================================
# retention economics
# ======================================================================================


def retention_inputs(transactions: pd.DataFrame, *, period: str = "Y", as_of=None,
                     value: str = "gross_profit") -> dict:
    """Observed retention rate and margin per customer per period, for the CLV formula.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions.
    period : {"Y", "Q", "M", "W"}, default "Y"
    as_of : date-like, optional
    value : {"gross_profit", "amount"}
        Margin per period from gross profit (or amount - cost); falls back to revenue
        (``"amount"``) when the data have neither.

    Returns
    -------
    dict
        ``retention`` (pooled retained / active in the previous period over all complete
        period pairs), ``margin`` (mean value per active customer-period),
        ``customers`` (active in the last period), ``value`` (the column used),
        ``period``.

    Notes
    -----
    :math:`r = \\sum_t R_t / \\sum_t A_{t-1}` with :math:`R_t` the customers buying in
    both *t - 1* and *t* (:func:`churn_rates`); the last period counts only when it is
    complete (``as_of`` on its last day), unless it is the only one after the first
    (then it counts, with a warning). :math:`m = \\sum` value / :math:`\\sum_t A_t`,
    currency per active customer per period.

    References
    ----------
    No external reference; the inputs *r* and *m* of :func:`workbench.clv.textbook_clv`
    (Gupta & Lehmann 2003), estimated from the data. Hand-worked in
    ``tests/test_lifecycle.py``.
    """
    rates = churn_rates(transactions, period=period, as_of=as_of)
    if len(rates) < 2:
        raise ValueError(f"retention_inputs: the data span one {period} period; a retention rate needs "
                         "two consecutive periods (use a shorter period)")
    tx, codes, n, pnum, buy, end = _purchase_periods(transactions, as_of, period, "retention_inputs")
    as_of_day = int(_day_numbers(tx["date"]).max()) if as_of is None else _day(as_of, "as_of")
    complete = _scalar_period(as_of_day + 1, period) != end
    use = rates.iloc[1:] if complete else rates.iloc[1:-1]
    if len(use) == 0:
        warnings.warn(f"retention_inputs: the only {period} period after the first is incomplete "
                      f"(as_of {_iso(as_of_day)}); the retention rate counts it and is biased low",
                      UserWarning, stacklevel=2)
        use = rates.iloc[1:]
    prev = rates["active"].shift(1).loc[use.index]
    retention = float(use["retained"].sum() / prev.sum())
    if value == "gross_profit" and "gross_profit" in tx.columns:
        vals = tx["gross_profit"].to_numpy(dtype=np.float64, na_value=np.nan)
    elif value == "gross_profit" and "cost" in tx.columns:
        vals = tx["amount"].to_numpy(dtype=np.float64) - tx["cost"].to_numpy(dtype=np.float64, na_value=np.nan)
    elif value in ("gross_profit", "amount"):
        value = "amount"
        vals = tx["amount"].to_numpy(dtype=np.float64)
    else:
        raise ValueError(f"value={value!r} is not supported; use 'gross_profit' or 'amount'")
    total = np.nansum(vals)
    customer_periods = int(rates["active"].sum())
    return {"retention": retention, "margin": float(total / customer_periods),
            "customers": int(rates["active"].iloc[-1]), "value": value, "period": period}


def retention_economics(
    margin: float,
    retention: float,
    *,
    discount: float = 0.10,
    periods: float = 10,
    change: float = 0.05,
    customers: int = 1,
    acquisition_cost: float = 0.0,
) -> pd.DataFrame:
    """CLV and the customer base's profit at the current retention rate and +/- a change.

    Parameters
    ----------
    margin : float
        Margin per retained customer per period (currency).
    retention : float
        Current retention rate per period, in [0, 1].
    discount : float, default 0.10
        Discount rate per period.
    periods : int or numpy.inf, default 10
        Horizon *T* of the CLV sum.
    change : float, default 0.05
        The retention change in absolute terms (0.05 = 5 percentage points).
    customers : int, default 1
        Customers in the base (the profit column is ``customers * clv``).
    acquisition_cost : float, default 0

    Returns
    -------
    pandas.DataFrame
        Rows ``minus`` (r - change), ``base`` (r), ``plus`` (r + change), rates clipped
        to [0, 1]: ``scenario``, ``retention``, ``clv``, ``clv_change_pct`` (vs base),
        ``profit`` (currency, discounted over *T*), ``profit_change``.

    Notes
    -----
    CLV is :func:`workbench.clv.textbook_clv`:
    :math:`CLV = \\sum_{t=1}^{T} m r^{t-1}/(1+d)^t - AC`. Because *r* compounds, a
    few points of retention move CLV by much more than a few percent (Reichheld &
    Sasser 1990: 5 points more retention, 25-85 % more profit).

    References
    ----------
    Reichheld, F. F., & Sasser, W. E. (1990). Zero defections: Quality comes to
    services. Harvard Business Review, 68(5), 105-111.
    """
    if not 0 <= retention <= 1:
        raise ValueError(f"retention={retention!r} must lie in [0, 1]")
    if not 0 < change < 1:
        raise ValueError(f"change={change!r} must lie in (0, 1); 0.05 is five percentage points")
    rates = np.clip([retention - change, retention, retention + change], 0.0, 1.0)
    clv = np.atleast_1d(textbook_clv(margin, rates, discount, periods, acquisition_cost))
    base = clv[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * (clv - base) / abs(base) if base != 0 else np.full(3, np.nan)
    profit = customers * clv
    return pd.DataFrame({"scenario": ["minus", "base", "plus"], "retention": rates, "clv": clv,
                         "clv_change_pct": pct, "profit": profit, "profit_change": profit - profit[1]})


@dataclass(frozen=True)
class RetentionScenarios:
    """Observed retention inputs and the CLV scenarios; see :func:`retention_scenarios`.

    Attributes
    ----------
    inputs : dict
        From :func:`retention_inputs`, plus ``discount`` (per period) and ``periods``.
    table : DataFrame
        From :func:`retention_economics`.
    sensitivity : DataFrame
        From :func:`workbench.clv.retention_sensitivity` on a grid of retention rates
        (0.30, 0.35, ..., 0.95 and the scenarios), with ``change_pct`` against the
        observed rate.
    """

    inputs: dict
    table: pd.DataFrame
    sensitivity: pd.DataFrame


_PER_YEAR = {"Y": 1, "Q": 4, "M": 12}


def retention_scenarios(
    transactions: pd.DataFrame,
    as_of=None,
    *,
    years: float = 5,
    yearly_discount: float = 0.10,
    change: float = 0.05,
    period: str | None = None,
    value: str = "gross_profit",
) -> RetentionScenarios:
    """What a change in retention is worth for this customer base, from its own data.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions.
    as_of : date-like, optional
        Analysis date; default the last date in the data.
    years : float, default 5
        CLV horizon in years.
    yearly_discount : float, default 0.10
        Discount rate per year; per period it is :math:`(1 + d)^{1/k} - 1` for *k*
        periods a year.
    change : float, default 0.05
        Retention change in absolute terms (five percentage points).
    period : {"Y", "Q", "M"}, optional
        Period of the retention rate; default "Y" when the data cover three years or
        more before ``as_of`` (two complete year-to-year transitions), else "Q".
    value : {"gross_profit", "amount"}
        As in :func:`retention_inputs`.

    Returns
    -------
    RetentionScenarios

    Notes
    -----
    :func:`retention_inputs` gives *r* and *m* per period; :func:`retention_economics`
    evaluates :math:`CLV = \\sum_{t=1}^{T} m r^{t-1}/(1+d)^t` at *r* and *r* +/- change
    with :math:`T = k \\cdot` ``years``.

    References
    ----------
    Reichheld & Sasser (1990), cited in :func:`retention_economics`; the wiring of the
    observed inputs into :func:`workbench.clv.textbook_clv` is checked in
    ``tests/test_lifecycle.py``.
    """
    tx, *_ = _purchase_periods(transactions, as_of, "Y", "retention_scenarios")
    end = tx["date"].max() if as_of is None else pd.Timestamp(as_of)
    if period is None:
        period = "Y" if end - tx["date"].min() >= pd.Timedelta(days=3 * 365) else "Q"
    if period not in _PER_YEAR:
        raise ValueError(f"period={period!r} is not supported; use one of {list(_PER_YEAR)}")
    k = _PER_YEAR[period]
    inputs = retention_inputs(transactions, period=period, as_of=as_of, value=value)
    discount = (1.0 + yearly_discount) ** (1.0 / k) - 1.0
    n_periods = int(round(years * k))
    table = retention_economics(inputs["margin"], inputs["retention"], discount=discount, periods=n_periods,
                                change=change, customers=inputs["customers"])
    grid = sorted({round(x / 100, 2) for x in range(30, 100, 5)} | set(np.round(table["retention"], 6)))
    sensitivity = retention_sensitivity(inputs["margin"], discount, n_periods, retentions=grid,
                                        base_retention=inputs["retention"])
    return RetentionScenarios(inputs={**inputs, "discount": discount, "periods": n_periods},
                              table=table, sensitivity=sensitivity)
