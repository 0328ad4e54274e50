"""Customer-level features as of an analysis date, and the BG/NBD summary.

Both functions take canonical transactions (see :mod:`workbench.schema`) and return one
row per customer, sorted by ``customer_id``. Neither has a Python loop per customer, so
the same code is right on a 6-row table and fast on 10 million rows:
:func:`customer_features` works on integer codes with :func:`numpy.bincount`, sorts and
ufunc reductions; :func:`bgnbd_summary` makes one pass over rows sorted by customer and
date (the order cleaning returns) and otherwise runs two hash aggregations in DuckDB,
the fastest engine measured for unsorted rows (``benchmarks/bench_features.py``).

Conventions shared by both functions
------------------------------------
* Time is counted in whole days: a timestamp's time of day is ignored, and the window
  ``start <= date <= as_of`` includes both end days.
* A *purchase* is a row that is not a return (``is_return`` False and ``amount >= 0``).
  Returns (negative amounts) are netted into monetary values but never count as
  purchases, so a customer's purchase count does not rise when they send goods back.
* A customer whose only rows in the window are returns is kept (never silently dropped)
  by :func:`customer_features` with ``frequency = 0`` and NaT/NaN purchase dates; the
  BG/NBD summary has no such customer, because its customers are the cohort whose first
  purchase falls in the calibration window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench._periods import _PERIODS, _day, _day_numbers, _iso, _period_numbers, _scalar_period
from workbench._validation import _check_choice, _check_transactions

__all__ = [
    "FEATURE_COLUMNS",
    "SUMMARY_COLUMNS",
    "TIME_UNIT_DAYS",
    "bgnbd_summary",
    "customer_features",
    "in_engine",
    "is_return",
    "split_calibration_holdout",
]

#: Columns of :func:`customer_features`, in order.
FEATURE_COLUMNS = (
    "customer_id",
    "first_purchase",
    "last_purchase",
    "recency_days",
    "tenure_days",
    "frequency",
    "monetary_total",
    "monetary_mean",
    "gross_profit",
    "margin_rate",
    "active_periods",
    "spend_trend",
    "n_returns",
)

#: Columns of :func:`bgnbd_summary` (the last two only with an ``observation_end``).
SUMMARY_COLUMNS = (
    "customer_id",
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "frequency_holdout",
    "duration_holdout",
)

#: Length of a BG/NBD time unit in days. Weeks are days / 7, never rounded, which is
#: the convention of Fader, Hardie & Lee (2005) (CDNOW: T = 38.86 weeks for a customer
#: whose first purchase was on 1997-01-01).
TIME_UNIT_DAYS = {"D": 1.0, "W": 7.0}

_FREQUENCIES = ("orders", "days")


# ----------------------------------------------------------------------------------
# validation and small vectorised helpers
# ----------------------------------------------------------------------------------


def is_return(tx: pd.DataFrame) -> np.ndarray:
    """Which transaction rows are returns: a negative amount, or flagged ``is_return``.

    Parameters
    ----------
    tx : pandas.DataFrame
        Canonical transactions (``amount``; ``is_return`` optional, boolean).

    Returns
    -------
    numpy.ndarray of bool
        One entry per row, True for a return. The features, the BG/NBD summary and the
        lifecycle code count purchases as the rows that are not returns.

    Examples
    --------
    >>> import pandas as pd
    >>> is_return(pd.DataFrame({"amount": [5.0, -2.0, 3.0], "is_return": [False, False, True]}))
    array([False,  True,  True])
    """
    ret = tx["amount"].to_numpy(dtype=np.float64) < 0
    if "is_return" in tx.columns:
        ret |= tx["is_return"].to_numpy(dtype=bool)
    return ret


def _group_min(codes: np.ndarray, values: np.ndarray, n: int, fill) -> np.ndarray:
    out = np.full(n, fill, dtype=values.dtype)
    np.minimum.at(out, codes, values)
    return out


def _group_max(codes: np.ndarray, values: np.ndarray, n: int, fill) -> np.ndarray:
    out = np.full(n, fill, dtype=values.dtype)
    np.maximum.at(out, codes, values)
    return out


def _count_distinct(codes: np.ndarray, keys: np.ndarray, n: int) -> np.ndarray:
    """Number of distinct ``keys`` per group; ``keys`` are non-negative int64.

    The pair (code, key) is packed into one int64 and deduplicated by sorting: numpy's
    vectorised sort of 10M int64 takes about a seventh of the time of hashing them
    (``pd.unique``) on this machine.
    """
    if codes.size == 0:
        return np.zeros(n, dtype=np.int64)
    width = int(keys.max()) + 1
    packed = np.sort(codes.astype(np.int64) * width + keys)
    first = np.empty(packed.size, dtype=bool)
    first[0] = True
    np.not_equal(packed[1:], packed[:-1], out=first[1:])
    return np.bincount(packed[first] // width, minlength=n)


def _factorize_customers(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False), pd.Index(uniques)


# ----------------------------------------------------------------------------------
# customer features
# ----------------------------------------------------------------------------------


def in_engine(transactions) -> bool:
    """Whether ``transactions`` are an engine case's, kept in the engine
    (:class:`workbench.engines.case_tables.EngineTransactions`), rather than a frame.

    Examples
    --------
    >>> import pandas as pd
    >>> in_engine(pd.DataFrame({"customer_id": []}))
    False
    """
    if isinstance(transactions, pd.DataFrame):
        return False
    from workbench.engines.case_tables import EngineTransactions

    return isinstance(transactions, EngineTransactions)


def customer_features(
    transactions: pd.DataFrame,
    as_of,
    *,
    start=None,
    frequency: str = "orders",
    period: str = "M",
) -> pd.DataFrame:
    r"""Recency, frequency, monetary value, tenure, margin, activity and trend per customer.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions: ``customer_id``, ``date``, ``amount``; optional
        ``order_id``, ``is_return``, ``gross_profit`` or ``cost``.
    as_of : date-like
        Analysis date; rows dated after it are ignored (the day itself is included).
    start : date-like, optional
        First day of the window (included). Default: all history up to ``as_of``.
    frequency : {"orders", "days"}
        What a purchase is: a distinct ``order_id`` (each row is an order when the
        column is absent) or a distinct purchase day. Return rows never count.
    period : {"M", "Q", "Y", "W"}
        Calendar period for ``active_periods`` and ``spend_trend`` (ISO weeks for "W").

    Returns
    -------
    pandas.DataFrame
        One row per customer with at least one row in the window, sorted by
        ``customer_id``:

        ==================  ================================================================
        customer_id         str
        first_purchase      datetime64[ns]: day of the first purchase in the window
        last_purchase       datetime64[ns]: day of the last purchase in the window
        recency_days        float, days: ``as_of - last_purchase``
        tenure_days         float, days: ``as_of - first_purchase``
        frequency           int: number of purchases (orders or days, see above)
        monetary_total      float, currency: net revenue in the window, returns included
        monetary_mean       float, currency per purchase: ``monetary_total / frequency``
        gross_profit        float, currency: sum of ``gross_profit`` (or ``amount - cost``);
                            NaN when neither column exists or a row of the customer lacks it
        margin_rate         float, share: ``gross_profit / monetary_total``; NaN when
                            ``monetary_total <= 0``
        active_periods      int: number of calendar periods with a purchase
        spend_trend         float, currency per period per period: least-squares slope of
                            net spend per period (see Notes); NaN with < 2 active periods
        n_returns           int: number of return rows (negative amounts) in the window
        ==================  ================================================================

        A customer whose window holds only returns appears with ``frequency = 0``,
        NaT purchase dates and NaN recency, tenure, mean and trend.

    Raises
    ------
    ValueError
        When a required column is missing or has missing values, when ``start`` is
        after ``as_of``, when an option is unknown, or when no row falls in the window.

    Notes
    -----
    ``spend_trend`` is the ordinary least-squares slope :math:`\hat\beta` of
    :math:`y_k = \beta_0 + \beta k` over the customer's periods
    :math:`k = 0, \dots, n-1` from the period of the first purchase to the period of
    ``as_of``, with :math:`y_k` the net spend in period *k* (0 where nothing was bought):

    .. math:: \hat\beta = \frac{\sum_k (k - \bar k)\, y_k}{n (n^2 - 1) / 12},
              \quad \bar k = (n - 1) / 2.

    Counting the silent periods up to ``as_of`` makes a customer who stopped buying
    trend downwards. With a single active period (e.g. a one-purchase customer) there
    is no spending pattern to fit, so the trend is NaN rather than a slope produced by
    the zero padding alone. Because only non-zero :math:`y_k` contribute to the
    numerator, the slope is a weighted sum over rows (no per-customer loop).

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Probus (recency, frequency,
    monetary value). Checked against hand-worked tables in ``tests/test_features.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-02-01"]),
    ...                    "amount": [100.0, 50.0, 30.0]})
    >>> customer_features(tx, "2024-02-29")[["customer_id", "recency_days", "frequency"]]
      customer_id  recency_days  frequency
    0           a          19.0          2
    1           b          28.0          1
    """
    where = "customer_features"
    if in_engine(transactions):  # an engine case: one query in the engine
        return transactions.customer_features(as_of, start=start, frequency=frequency, period=period)
    _check_transactions(transactions, where)
    _check_choice(frequency, _FREQUENCIES, "frequency")
    _check_choice(period, _PERIODS, "period")
    as_of_day = _day(as_of, "as_of")
    start_day = None if start is None else _day(start, "start")
    if start_day is not None and start_day > as_of_day:
        raise ValueError(f"{where}: start={start!r} is after as_of={as_of!r}; the window would be empty")

    if getattr(transactions["date"].dtype, "tz", None) is not None:  # days in UTC
        transactions = transactions.assign(date=transactions["date"].dt.tz_convert("UTC").dt.tz_localize(None))
    day = _day_numbers(transactions["date"])
    window = day <= as_of_day
    if start_day is not None:
        window &= day >= start_day
    n_in = int(window.sum())
    if n_in == 0:
        span = "" if day.size == 0 else f" (the data run from {_iso(day.min())} to {_iso(day.max())})"
        raise ValueError(
            f"{where}: no transactions between start={start!r} and as_of={as_of!r}{span}; "
            "choose an analysis date inside the data"
        )
    tx = transactions.loc[window] if n_in < len(transactions) else transactions
    day = day[window] if n_in < len(window) else day

    codes, ids = _factorize_customers(tx["customer_id"])
    n = len(ids)
    amount = tx["amount"].to_numpy(dtype=np.float64)
    ret = is_return(tx)
    buy = ~ret
    bcodes, bday = codes[buy], day[buy]

    big = np.iinfo(np.int64).max
    first = _group_min(bcodes, bday, n, big)
    last = _group_max(bcodes, bday, n, -big)
    has_buy = first != big

    if frequency == "days":
        freq = _count_distinct(bcodes, bday - bday.min(initial=0), n) if bcodes.size else np.zeros(n, np.int64)
    elif "order_id" in tx.columns:
        order_codes = pd.factorize(tx["order_id"].to_numpy()[buy])[0].astype(np.int64)
        freq = _count_distinct(bcodes, order_codes, n)
    else:
        freq = np.bincount(bcodes, minlength=n)

    total = np.bincount(codes, weights=amount, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(freq > 0, total / np.where(freq > 0, freq, 1), np.nan)

    if "gross_profit" in tx.columns:
        gp_rows = tx["gross_profit"].to_numpy(dtype=np.float64, na_value=np.nan)
    elif "cost" in tx.columns:
        gp_rows = amount - tx["cost"].to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        gp_rows = None
    gp = np.full(n, np.nan) if gp_rows is None else np.bincount(codes, weights=gp_rows, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(total > 0, gp / np.where(total > 0, total, 1.0), np.nan)

    pnum = _period_numbers(tx["date"], day, period)
    asof_period = _scalar_period(as_of_day, period)
    bp = pnum[buy]
    active = _count_distinct(bcodes, bp - bp.min(initial=0), n) if bcodes.size else np.zeros(n, np.int64)
    first_period = _group_min(bcodes, bp, n, big)
    trend = _spend_trend(codes, pnum, amount, first_period, asof_period, active)

    recency = np.where(has_buy, (as_of_day - last).astype(np.float64), np.nan)
    tenure = np.where(has_buy, (as_of_day - first).astype(np.float64), np.nan)
    first_date = np.where(has_buy, first, 0).astype("datetime64[D]").astype("datetime64[ns]")
    last_date = np.where(has_buy, last, 0).astype("datetime64[D]").astype("datetime64[ns]")
    first_date[~has_buy] = np.datetime64("NaT")
    last_date[~has_buy] = np.datetime64("NaT")

    return pd.DataFrame(
        {
            "customer_id": pd.array(ids.astype(str), dtype="str"),
            "first_purchase": first_date,
            "last_purchase": last_date,
            "recency_days": recency,
            "tenure_days": tenure,
            "frequency": freq.astype(np.int64),
            "monetary_total": total,
            "monetary_mean": mean,
            "gross_profit": gp,
            "margin_rate": margin,
            "active_periods": active.astype(np.int64),
            "spend_trend": trend,
            "n_returns": np.bincount(codes, weights=ret, minlength=n).astype(np.int64),
        }
    )


def _spend_trend(codes, pnum, amount, first_period, asof_period, active) -> np.ndarray:
    """OLS slope of zero-padded per-period spend (see :func:`customer_features` Notes)."""
    has = active >= 2
    safe_first = np.where(has, first_period, asof_period)
    n_per = (asof_period - safe_first + 1).astype(np.float64)
    k = (pnum - safe_first[codes]).astype(np.float64)
    kbar = (n_per - 1.0) / 2.0
    # rows before the first purchase period (returns only) do not enter the fit
    weights = np.where(k >= 0, (k - kbar[codes]) * amount, 0.0)
    sxy = np.bincount(codes, weights=weights, minlength=len(active))
    sxx = n_per * (n_per**2 - 1.0) / 12.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(has & (sxx > 0), sxy / np.where(sxx > 0, sxx, 1.0), np.nan)


# ----------------------------------------------------------------------------------
# BG/NBD summary
# ----------------------------------------------------------------------------------


def split_calibration_holdout(
    transactions: pd.DataFrame, calibration_end, observation_end, *, start=None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split transactions into a calibration and a holdout window by date.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions.
    calibration_end : date-like
        Last day of the calibration window (included).
    observation_end : date-like
        Last day of the holdout window (included); must be after ``calibration_end``.
    start : date-like, optional
        First day of the calibration window (included).

    Returns
    -------
    (calibration, holdout) : tuple of pandas.DataFrame
        ``start <= date <= calibration_end`` and
        ``calibration_end < date <= observation_end``; rows outside both windows are
        in neither (their count is ``len(transactions) - len(calibration) - len(holdout)``).
        The holdout keeps every customer, including those first seen in the holdout;
        :func:`bgnbd_summary` restricts it to the calibration cohort.

    Raises
    ------
    ValueError
        When a required column is missing or has missing values, or
        ``observation_end`` is not after ``calibration_end``.
    TypeError
        When ``date`` is not datetime64 or ``amount`` is not numeric.

    References
    ----------
    The calibration/holdout split of Fader, Hardie & Lee (2005a) (CDNOW: 39 weeks to
    1997-09-30, then 39 weeks to 1998-06-30), by date as lifetimes'
    ``calibration_and_holdout_data`` splits it; hand-worked in ``tests/test_features.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-03-01"]),
    ...                    "amount": [100.0, 50.0, 30.0]})
    >>> cal, hold = split_calibration_holdout(tx, "2024-01-31", "2024-03-31")
    >>> len(cal), len(hold)
    (1, 2)
    """
    _check_transactions(transactions, "split_calibration_holdout")
    cal_day = _day(calibration_end, "calibration_end")
    obs_day = _day(observation_end, "observation_end")
    if obs_day <= cal_day:
        raise ValueError(
            f"observation_end={observation_end!r} must be after calibration_end={calibration_end!r}"
        )
    day = _day_numbers(transactions["date"])
    cal = day <= cal_day
    if start is not None:
        cal &= day >= _day(start, "start")
    hold = (day > cal_day) & (day <= obs_day)
    return transactions.loc[cal].copy(), transactions.loc[hold].copy()


def bgnbd_summary(
    transactions: pd.DataFrame,
    calibration_end,
    observation_end=None,
    *,
    start=None,
    time_unit: str = "W",
) -> pd.DataFrame:
    r"""Repeat frequency, recency, age and mean repeat spend for BG/NBD and Gamma-Gamma.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (``customer_id``, ``date``, ``amount``; optional
        ``is_return``).
    calibration_end : date-like
        Last day of the calibration window (included).
    observation_end : date-like, optional
        Last day of the holdout window (included). When given, the holdout columns are
        added.
    start : date-like, optional
        First day of the calibration window (included); default: the data's first day.
    time_unit : {"W", "D"}
        Unit of ``recency``, ``T`` and ``duration_holdout``: weeks (days / 7, not
        rounded) or days.

    Returns
    -------
    pandas.DataFrame
        One row per customer whose first purchase is in the calibration window, sorted
        by ``customer_id``:

        =================  =================================================================
        customer_id        str
        frequency          float: repeat purchase days in the calibration window, x
                           (purchase days minus one; same-day purchases are one purchase)
        recency            float, time unit: first to last purchase day, t_x
        T                  float, time unit: first purchase day to ``calibration_end``
        monetary_value     float, currency per repeat purchase: net calibration spend after
                           the first purchase day / x (the mean of repeat-day totals);
                           0 when x = 0
        frequency_holdout  float: purchase days in (calibration_end, observation_end]
        duration_holdout   float, time unit: ``observation_end - calibration_end``
        =================  =================================================================

    Raises
    ------
    ValueError
        Missing columns or values, an unknown time unit, ``observation_end`` not after
        ``calibration_end``, or no purchase in the calibration window.

    Notes
    -----
    With purchase days :math:`d_0 < d_1 < \dots < d_x` of a customer up to
    :math:`c` = ``calibration_end`` and :math:`u` days per time unit:
    :math:`x`, :math:`t_x = (d_x - d_0)/u`, :math:`T = (c - d_0)/u`, and
    :math:`\bar m = \sum_{j \ge 1} s(d_j) / x` with :math:`s(d)` the net amount of
    day *d*. This is the convention of Fader, Hardie & Lee (2005a, 2005b) for CDNOW
    (fractional weeks). It equals ``lifetimes.utils.summary_data_from_transaction_data(
    ..., freq="D", freq_multiplier=7, monetary_value_col="amount")`` (and
    ``calibration_and_holdout_data`` with the same arguments) to 1e-9 when there are no
    returns; lifetimes' ``freq="W"`` floors dates to week periods and gives other
    numbers. Return rows do not make a purchase day; their amounts are netted into the
    day they fall on (a return after the first purchase day lowers ``monetary_value``).

    Engine: rows sorted by customer and date (as cleaned transactions are), returns or
    not, take one pass of neighbour comparisons and :func:`numpy.add.reduceat`; other
    data two hash aggregations in DuckDB. A property test holds both to the same
    result (``tests/test_features.py``).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using iso-value
    curves for customer base analysis. Journal of Marketing Research, 42(4), 415-430.
    Davidson-Pilon, C. lifetimes 0.11.3, ``lifetimes/utils.py`` (reference implementation).

    Examples
    --------
    a buys twice on 2024-01-05 (one purchase day) and on 2024-03-10; b returns 10 of 30:

    >>> tx = pd.DataFrame({"customer_id": ["a", "b", "a", "b", "a"],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-05",
    ...                                            "2024-02-15", "2024-03-10"]),
    ...                    "amount": [100.0, 30.0, 20.0, -10.0, 50.0]})
    >>> bgnbd_summary(tx, "2024-03-31", time_unit="D")  # a's first day (120) is not a repeat
      customer_id  frequency  recency     T  monetary_value
    0           a        1.0     65.0  86.0            50.0
    1           b        0.0      0.0  59.0             0.0
    """
    where = "bgnbd_summary"
    if in_engine(transactions):  # an engine case: one query in the engine
        return transactions.bgnbd_summary(calibration_end, observation_end, start=start, time_unit=time_unit)
    _check_transactions(transactions, where)
    _check_choice(time_unit, tuple(TIME_UNIT_DAYS), "time_unit")
    unit = TIME_UNIT_DAYS[time_unit]
    cal_day = _day(calibration_end, "calibration_end")
    obs_day = None if observation_end is None else _day(observation_end, "observation_end")
    if obs_day is not None and obs_day <= cal_day:
        raise ValueError(
            f"{where}: observation_end={observation_end!r} must be after "
            f"calibration_end={calibration_end!r}"
        )
    start_day = None if start is None else _day(start, "start")
    if start_day is not None and start_day > cal_day:
        raise ValueError(f"{where}: start={start!r} is after calibration_end={calibration_end!r}")

    result = _summary_sorted(transactions, cal_day, obs_day, start_day, unit)
    if result is None:
        result = _summary_sql(transactions, cal_day, obs_day, start_day, unit)
    if result.empty:
        raise ValueError(
            f"{where}: no purchases between start={start!r} and calibration_end={calibration_end!r} "
            f"({len(transactions):,} rows in total); choose a calibration window inside the data"
        )
    return result


def _looks_sorted(tx: pd.DataFrame, rows: int = 4096) -> bool:
    """Whether the first rows are in (customer, date) order: a cheap test before the full one,
    so that a transaction log in date order goes to DuckDB at once."""
    head = tx.iloc[:rows]
    ids = head["customer_id"].to_numpy(dtype=object)
    try:
        up = ids[1:] >= ids[:-1]
    except TypeError:  # ids that do not compare (mixed types): not this path
        return False
    same = ids[1:] == ids[:-1]
    dates = head["date"].to_numpy()
    return bool(up.all() and (~same | (dates[1:] >= dates[:-1])).all())


def _sorted_runs(ids, day: np.ndarray) -> np.ndarray | None:
    """Where a new customer starts (bool per row), if rows are sorted by id then day.

    Adjacent ids are compared as Arrow strings (no hashing). Returns None when the rows
    are not in that order (:func:`_looks_sorted` has already turned most such data away
    from a sample).
    """
    import pyarrow.compute as pc

    head, tail = ids.slice(0, len(day) - 1), ids.slice(1)
    if pc.any(pc.less(tail, head)).as_py():
        return None
    new = np.empty(len(day), dtype=bool)
    new[0] = True
    new[1:] = pc.not_equal(tail, head).to_numpy(zero_copy_only=False)
    if np.any(~new[1:] & (day[1:] < day[:-1])):
        return None
    return new


def _summary_sorted(tx: pd.DataFrame, cal_day: int, obs_day, start_day, unit: float) -> pd.DataFrame | None:
    """The BG/NBD summary in one pass over rows sorted by customer and date, or None.

    :func:`workbench.cleaning.clean_transactions` returns transactions in that order, so
    the workbench's own frames take this path: customer and day boundaries come from
    comparing neighbours, sums from :func:`numpy.add.reduceat`, with no hash table.
    A day is a purchase day when one of its rows is not a return; its net total counts
    towards the repeat spend when it lies after the first purchase day (as in the DuckDB
    plan). Unsorted data and ids that are not strings take the DuckDB path.
    """
    import pyarrow as pa

    if len(tx) < 2 or not _looks_sorted(tx):
        return None
    try:
        ids = pa.chunked_array(pa.array(tx["customer_id"]))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if not (pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type)):
        return None
    amount = tx["amount"].to_numpy(dtype=np.float64)
    buy = ~is_return(tx)
    day = _day_numbers(tx["date"])
    end_day = cal_day if obs_day is None else obs_day
    keep = (day <= end_day) if day.max() > end_day else None
    if start_day is not None and day.min() < start_day:
        keep = (day >= start_day) if keep is None else keep & (day >= start_day)
    if keep is not None:
        if not keep.any():
            return pd.DataFrame(columns=["customer_id", "frequency", "recency", "T", "monetary_value",
                                         *(["frequency_holdout", "duration_holdout"] if obs_day else [])])
        ids, day, amount, buy = ids.filter(pa.array(keep)), day[keep], amount[keep], buy[keep]
    new_customer = _sorted_runs(ids, day)
    if new_customer is None:
        return None
    new_day = new_customer.copy()
    new_day[1:] |= day[1:] != day[:-1]
    pair = np.flatnonzero(new_day)                       # first row of each (customer, day)
    spend = np.add.reduceat(amount, pair)                # the day's net total
    bought = np.maximum.reduceat(buy.view(np.uint8), pair).astype(bool)
    pday = day[pair]
    cust = np.cumsum(new_customer[pair]) - 1             # customer number of each pair
    k = int(cust[-1]) + 1
    f = _group_min(cust[bought], pday[bought], k, np.iinfo(np.int64).max)  # first purchase day
    in_cal = pday <= cal_day
    counted = bought & in_cal
    x = np.bincount(cust, weights=counted, minlength=k) - 1.0
    last = _group_max(cust[counted], pday[counted], k, np.iinfo(np.int64).min)
    later = in_cal & (pday > f[cust])
    repeat = np.bincount(cust, weights=np.where(later, spend, 0.0), minlength=k)
    alive = f <= cal_day                                 # a purchase in the calibration window
    rows = np.flatnonzero(new_customer)[alive]
    out = pd.DataFrame({
        "customer_id": ids.take(pa.array(rows)).to_pandas().astype("str"),
        "frequency": x[alive],
        "recency": (last[alive] - f[alive]) / unit,
        "T": (cal_day - f[alive]) / unit,
        "monetary_value": np.divide(repeat[alive], x[alive], out=np.zeros(int(alive.sum())),
                                    where=x[alive] > 0),
    })
    if obs_day is not None:
        out["frequency_holdout"] = np.bincount(cust, weights=bought & ~in_cal, minlength=k)[alive]
        out["duration_holdout"] = (obs_day - cal_day) / unit
    return out


def _summary_sql(tx: pd.DataFrame, cal_day: int, obs_day, start_day, unit: float) -> pd.DataFrame:
    """The BG/NBD summary as two hash aggregations in DuckDB.

    DuckDB is the engine because hashing ten million string keys dominates the work and
    its multi-threaded hash aggregation beats pandas/numpy factorisation several times
    (benchmarks/bench_features.py). First (customer, day) totals, then per customer:
    purchase days, first and last day, and the first day's total via ``arg_min``. When
    return rows exist, a return-only day is not a purchase day, so the first purchase
    day is found first and joined back (slower, exact).
    """
    import duckdb  # imported here: a 6-row call should not pay for it at import time

    if getattr(tx["date"].dtype, "tz", None) is not None:
        tx = tx.assign(date=tx["date"].dt.tz_convert("UTC").dt.tz_localize(None))
    amount_neg = bool((tx["amount"].to_numpy(dtype=np.float64) < 0).any())
    flagged = "is_return" in tx.columns and bool(tx["is_return"].to_numpy(dtype=bool).any())
    ret = "(amount < 0 OR is_return)" if "is_return" in tx.columns else "(amount < 0)"
    end_day = cal_day if obs_day is None else obs_day

    def lit(day: int) -> str:
        return f"DATE '{_iso(day)}'"

    # a filter costs a pass over every row: skip the bounds the data already respect
    dates = tx["date"].to_numpy()
    lo, hi = (int(v) for v in dates[[dates.argmin(), dates.argmax()]].astype("datetime64[D]").astype(np.int64))
    where = []
    if hi > end_day:
        where.append(f"date < CAST({lit(end_day + 1)} AS TIMESTAMP_NS)")
    if start_day is not None and lo < start_day:
        where.append(f"date >= CAST({lit(start_day)} AS TIMESTAMP_NS)")
    cal = lit(cal_day)
    # without a holdout every row is in the calibration window: no FILTER clauses needed
    in_cal = "" if obs_day is None else f" AND d <= {cal}"
    if not (amount_neg or flagged) and obs_day is None:
        per = """
        per AS (
            SELECT customer_id, MIN(d) AS f, MAX(d) AS l, COUNT(*) - 1 AS x,
                   SUM(s) - arg_min(s, d) AS rs, 0 AS xh
            FROM days GROUP BY customer_id
        )"""
        days = "SELECT customer_id, CAST(date AS DATE) AS d, SUM(amount) AS s FROM tx"
        group = "GROUP BY customer_id, d"
    elif not (amount_neg or flagged):
        per = f"""
        per AS (
            SELECT customer_id,
                   MIN(d) AS f,
                   MAX(d) FILTER (WHERE d <= {cal}) AS l,
                   COUNT(*) FILTER (WHERE d <= {cal}) - 1 AS x,
                   SUM(s) FILTER (WHERE d <= {cal}) - arg_min(s, d) AS rs,
                   COUNT(*) FILTER (WHERE d > {cal}) AS xh
            FROM days GROUP BY customer_id
        )"""
        days = "SELECT customer_id, CAST(date AS DATE) AS d, SUM(amount) AS s FROM tx"
        group = "GROUP BY customer_id, d"
    else:
        per = f"""
        firsts AS (
            SELECT customer_id, MIN(d) AS f FROM days WHERE buy GROUP BY customer_id
            HAVING MIN(d) <= {cal}
        ),
        per AS (
            SELECT customer_id, any_value(f) AS f,
                   MAX(d) FILTER (WHERE buy{in_cal}) AS l,
                   COUNT(*) FILTER (WHERE buy{in_cal}) - 1 AS x,
                   COALESCE(SUM(s) FILTER (WHERE d > f{in_cal}), 0) AS rs,
                   COUNT(*) FILTER (WHERE buy AND d > {cal}) AS xh
            FROM days JOIN firsts USING (customer_id) GROUP BY customer_id
        )"""
        days = (f"SELECT customer_id, CAST(date AS DATE) AS d, SUM(amount) AS s, "
                f"bool_or(NOT {ret}) AS buy FROM tx")
        group = "GROUP BY customer_id, d"
    # without a holdout the row filter already ends at calibration_end: no holdout
    # columns to build and drop, and no customer can start after it
    holdout = "" if obs_day is None else (
        f", CAST(xh AS DOUBLE) AS frequency_holdout, {(obs_day - cal_day) / unit} AS duration_holdout")
    late = "" if obs_day is None else f"WHERE f <= {cal}"
    query = f"""
        WITH days AS ({days} {"WHERE " + " AND ".join(where) if where else ""} {group}),
        {per}
        SELECT CAST(customer_id AS VARCHAR) AS customer_id,
               CAST(x AS DOUBLE) AS frequency,
               (l - f) / {unit} AS recency,
               ({cal} - f) / {unit} AS T,
               CASE WHEN x > 0 THEN rs / x ELSE 0.0 END AS monetary_value{holdout}
        FROM per {late}
        ORDER BY customer_id
    """
    # the final ORDER BY fixes the row order, so DuckDB need not preserve it on the way
    con = duckdb.connect(config={"preserve_insertion_order": False})
    try:
        try:  # no progress bar on long queries; inside Jupyter without ipywidgets
            con.execute("SET enable_progress_bar = false")  # DuckDB refuses to touch it
        except duckdb.Error:
            pass
        con.register("tx", tx[[c for c in ("customer_id", "date", "amount", "is_return") if c in tx.columns]])
        # through Arrow: the ids stay Arrow strings (pandas' str dtype) instead of
        # becoming a million Python objects and being converted back (5-8 % of the time)
        out = con.sql(query).to_arrow_table().to_pandas()
    finally:
        con.close()
    out["customer_id"] = out["customer_id"].astype("str")
    for col in out.columns[1:]:
        out[col] = out[col].astype(np.float64)  # a no-op for DOUBLE columns (lazy copy)
    return out
