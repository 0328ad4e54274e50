"""Lifecycle stages: the churn horizon, the stage of each customer, its rules and value curve."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import stats

from workbench._periods import _check_period, _day, _day_numbers, _iso, _period_numbers, _scalar_period
from workbench._validation import _check_transactions
from workbench.features import customer_features, in_engine, is_return
from workbench.lifecycle._common import _unique_pairs

__all__ = [
    "NCOMPANY_SEGMENT_STAGES",
    "STAGES",
    "inter_purchase_horizon",
    "lifecycle_stages",
    "stage_rules",
    "stage_value_curve",
    "stages_against_truth",
    "value_curve_shape",
]


#: The lifecycle stages in their textbook order (the ``stage`` categories).
STAGES = ("exploration", "formation", "stability", "decline", "churned")
#: The lifecycle stage (:data:`STAGES`) each latent segment of the N-company generator
#: (:func:`workbench.datasets.make_ncompany`) is in by
#: construction at the end of the data: growing customers are acquired in the second
#: year and still rising, key accounts and stable small customers are established with
#: no trend (key 1.05 a year), declining ones halve every year, churned ones stopped.
NCOMPANY_SEGMENT_STAGES = {
    "key_account": "stability",
    "growing": "formation",
    "stable_small": "stability",
    "declining": "decline",
    "churned": "churned",
}


# ======================================================================================
# stages
# ======================================================================================


def inter_purchase_horizon(
    transactions: pd.DataFrame, as_of, *, quantile: float = 0.9, weighting: str = "customer"
) -> float:
    r"""The churn horizon in days: a high quantile of the observed inter-purchase times.

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
    With purchase days :math:`d_{c,0} < d_{c,1} < \dots` of customer *c* (same-day
    purchases are one purchase day), the gaps are :math:`g = d_{c,j} - d_{c,j-1}`, and
    the horizon is their ``quantile``. With ``weighting="gap"`` it is numpy's empirical
    quantile (linear interpolation); with ``"customer"`` each gap of customer *c* has
    weight :math:`1/n_c` (:math:`n_c` its number of gaps) and the horizon is the
    smallest gap :math:`g` with weighted share of gaps :math:`\le g` at least
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
    if not in_engine(transactions):
        _check_transactions(transactions, "inter_purchase_horizon")
    if not 0 < quantile <= 1:
        raise ValueError(f"quantile={quantile!r} must lie in (0, 1], e.g. 0.9")
    if weighting not in ("customer", "gap"):
        raise ValueError(f"weighting={weighting!r} is not supported; use 'customer' or 'gap'")
    as_of_day = _day(as_of, "as_of")
    if in_engine(transactions):  # an engine case: the gaps counted by length in the engine
        return _horizon_from_gaps(transactions.purchase_gaps(_iso(as_of_day)), as_of_day, quantile, weighting)
    day = _day_numbers(transactions["date"])
    keep = (day <= as_of_day) & ~is_return(transactions)
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


def _horizon_from_gaps(gaps: pd.DataFrame, as_of_day: int, quantile: float, weighting: str) -> float:
    """:func:`inter_purchase_horizon` from the gaps grouped by length (``gap``, ``gaps``,
    ``weight``, ascending): the same quantile as of the gaps one by one."""
    if gaps.empty:
        raise ValueError(
            f"inter_purchase_horizon: no customer bought on two different days up to {_iso(as_of_day)}, so "
            "inter-purchase times cannot give a churn horizon; pass churn_horizon=<days> (e.g. 365)")
    value = gaps["gap"].to_numpy(dtype=np.int64)
    if weighting == "gap":  # numpy's linear quantile of the sorted gaps, the two around it looked up
        ends = np.cumsum(gaps["gaps"].to_numpy())
        position = (ends[-1] - 1) * quantile
        low = int(np.floor(position))
        pair = value[np.searchsorted(ends, [low, min(low + 1, ends[-1] - 1)], side="right")]
        return float(np.quantile(pair, position - low))
    share = np.cumsum(gaps["weight"].to_numpy(dtype=np.float64))
    share /= share[-1]
    return float(value[min(np.searchsorted(share, quantile - 1e-12), value.size - 1)])


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
    r"""The lifecycle stage of every customer as of an analysis date, with the evidence.

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
    net spend in period :math:`p_0 + k`, :math:`k = 0, \dots, n-1`, up to the period of
    ``as_of`` (0 where nothing was bought; silent recent periods pull the trend down).
    The slope is OLS, :math:`\hat\beta = S_{ky}/S_{kk}` with
    :math:`S_{kk} = n(n^2-1)/12` (the ``spend_trend`` of
    :func:`workbench.features.customer_features`), normalised by
    :math:`\bar y = \sum_k y_k / n`; :math:`R^2 = \hat\beta^2 S_{kk} / S_{yy}`,
    :math:`t = \hat\beta \sqrt{S_{kk}} / s`, :math:`s^2 = (S_{yy} - \hat\beta^2
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
    if not in_engine(transactions):  # an engine case: customer features and spend per period from the engine
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


def _arrow_text(values) -> pa.Array:
    """Values as an Arrow string array (without Python string objects when already Arrow)."""
    values = pd.Series(values)
    if not pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        values = values.astype("str")
    return pa.array(values.array) if hasattr(values.array, "__arrow_array__") else pa.array(
        values.to_numpy(dtype=object))


def _positions(ids, values) -> np.ndarray:
    """``pd.Index(ids).get_indexer(values.astype(str))`` for unique ids, by Arrow's hash lookup.

    The same positions (-1 where a value is not among ``ids``) without an index of Python
    strings: an engine case of 10M customers has 38M (customer, month) rows, which took
    over 14 GB and minutes through ``Index.get_indexer``.
    """
    keys = _arrow_text(ids)
    if pc.count_distinct(keys).as_py() != len(keys):  # as get_indexer, which refuses repeated ids
        raise ValueError("customer ids must be unique")
    found = pc.index_in(_arrow_text(values), value_set=keys)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _spend_series(transactions, as_of_day, period, customer_ids, recent_periods) -> dict:
    """Per customer (in ``customer_ids`` order): n, sum y, sum y^2 and recent mean spend.

    An engine case's rows stay in the engine: its spend per customer and period (a
    purchase period when a row is not a return) gives the same sums. Those cells come
    with integer customer codes and the ids once (:class:`~workbench.engines.base.PeriodSpend`),
    so only the distinct ids are matched with ``customer_ids``, and being one per
    (customer, period) already they are not grouped again.
    """
    summed = in_engine(transactions)
    if summed:
        coded = transactions.period_spend(_iso(as_of_day), period=period, codes=True)
        cells = coded.cells
        codes = _positions(customer_ids, coded.customer_ids)[cells["customer"].to_numpy()]
        pnum = cells["period_number"].to_numpy(dtype=np.int64)
        amount = cells["spend"].to_numpy(dtype=np.float64)
        buy = (cells["purchases"].to_numpy() > 0) & (codes >= 0)
    else:
        day = _day_numbers(transactions["date"])
        window = day <= as_of_day
        tx = transactions.loc[window]
        day = day[window]
        pnum = _period_numbers(tx["date"], day, period)
        codes = pd.Index(customer_ids).get_indexer(tx["customer_id"].astype(str))
        buy = ~is_return(tx) & (codes >= 0)
        amount = tx["amount"].to_numpy(dtype=np.float64)
    n_cust = len(customer_ids)
    first = np.full(n_cust, np.iinfo(np.int64).max)
    np.minimum.at(first, codes[buy], pnum[buy])
    end = _scalar_period(as_of_day, period)
    known = codes >= 0
    codes, pnum, amount = codes[known], pnum[known], amount[known]
    k = pnum - first[codes]
    inside = k >= 0  # returns before the first purchase period are not in the series
    if summed:  # one cell per (customer, period), in order: the sums per cell already
        c, p, y = codes[inside], pnum[inside], amount[inside]
    else:
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


#: The rules of :func:`lifecycle_stages` in the order they are checked; the sentences are
#: English, and :data:`workbench.labels.TEXT_PATTERNS` reads them in the report's language.
_RULES = (
    ("churned", "recency > {h:g} days (churn horizon{hsrc})"),
    ("exploration", "fewer than 2 active {per}s (one purchase period: still trying)"),
    ("decline", "falling spend: normalised slope <= -{tt:g} per {per} and R2 >= {r2:g}{pv}"),
    ("formation", "rising spend (normalised slope >= {tt:g}, R2 >= {r2:g}{pv}) "
                  "or fewer than {mps} {per}s since the first purchase"),
    ("stability", "the rest: {mps}+ {per}s of relationship, no clear trend"),
)
_PERIOD_WORDS = {"W": "week", "M": "month", "Q": "quarter", "Y": "year"}


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
) -> pd.DataFrame:
    r"""The stage rules of :func:`lifecycle_stages` with their numbers, for a report.

    Parameters
    ----------
    horizon_days : float
        The horizon used, in days (the ``churn_horizon_days`` column of the stages frame).
    period, churn_horizon, horizon_quantile, horizon_weighting, min_periods_stable
        The keywords passed to :func:`lifecycle_stages` (so the same options dict can be
        passed to both); ``churn_horizon`` given means the case set the horizon.
    trend_threshold, min_r2, max_p_value, recent_periods, p_alive_threshold
        The other keywords of :func:`lifecycle_stages`, as passed to it.

    Returns
    -------
    pandas.DataFrame
        ``order`` (1 = checked first), ``stage``, ``rule`` (an English sentence, horizon
        in days; :func:`workbench.labels.translate_text` shows it in the report's language).

    References
    ----------
    The rules of :func:`lifecycle_stages` (Dwyer, Schurr & Oh 1987, as the Chinese CRM
    textbooks stage it), printed with the case's numbers; ``tests/test_lifecycle.py``
    checks that the numbers appear.

    Examples
    --------
    >>> rules = stage_rules(200.0, period="Q")
    >>> rules["stage"].tolist()  # the order in which the rules are checked
    ['churned', 'exploration', 'decline', 'formation', 'stability']
    >>> rules.loc[0, "rule"]
    'recency > 200 days (churn horizon: 90% quantile of inter-purchase times, customers weighted equally)'
    """
    _check_period(period)
    if churn_horizon is not None:
        hsrc = ", set by the case"
    else:
        hsrc = f": {horizon_quantile:.0%} quantile of inter-purchase times" + (
            ", customers weighted equally" if horizon_weighting == "customer" else "")
    if p_alive_threshold is not None:
        hsrc += f"; or BG/NBD P(alive) < {p_alive_threshold:g}"
    pv = "" if max_p_value is None else f", p <= {max_p_value:g}"
    fields = {"h": round(float(horizon_days), 1), "hsrc": hsrc, "per": _PERIOD_WORDS[period],
              "tt": trend_threshold, "r2": min_r2, "pv": pv, "mps": min_periods_stable}
    rows = [(i + 1, stage, text.format(**fields)) for i, (stage, text) in enumerate(_RULES)]
    return pd.DataFrame(rows, columns=["order", "stage", "rule"])


def stage_value_curve(
    stages: pd.DataFrame,
    *,
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

    Examples
    --------
    >>> stages = pd.DataFrame({"stage": ["formation", "formation", "stability", "decline", "churned"],
    ...                        "recent_spend": [30.0, 50.0, 95.0, 15.0, 0.0]})
    >>> stage_value_curve(stages, values=["recent_spend"])
             stage  customers  share  mean_recent_spend
    0  exploration          0    0.0                NaN
    1    formation          2    0.4               40.0
    2    stability          1    0.2               95.0
    3      decline          1    0.2               15.0
    4      churned          1    0.2                0.0
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
                         *, expected: Mapping[str, str] | None = None) -> tuple[float, pd.DataFrame]:
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
        :data:`NCOMPANY_SEGMENT_STAGES`.

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

    Examples
    --------
    >>> stages = pd.DataFrame({"customer_id": ["a", "b", "c"], "stage": ["stability", "decline", "churned"]})
    >>> truth = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment": ["key_account", "growing", "churned"]})
    >>> agreement, table = stages_against_truth(stages, truth)
    >>> round(agreement, 3)  # growing is expected in formation, found in decline
    0.667
    >>> table.loc["growing"].to_dict()  # true segment (rows) x assigned stage (columns), counts
    {'stability': 0, 'decline': 1, 'churned': 0}
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


def value_curve_shape(curve: pd.DataFrame, *, value: str = "mean_monetary_total") -> dict:
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
