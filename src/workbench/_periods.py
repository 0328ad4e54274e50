"""Dates as day numbers and calendar periods: the one place the package converts them.

Private to the package (the leading underscore): every module that turns a date into a
day number (days since 1970-01-01) or a day into a week, month, quarter or year number
imports it from here, so the conventions are written once:

* a date-like scalar becomes an integer day (:func:`_day`), time zones converted to UTC;
* week *w* is the ISO week (Monday to Sunday) holding days ``7w - 3 .. 7w + 3``
  (1970-01-01 was a Thursday); month, quarter and year numbers count from 1970-01.
"""

from __future__ import annotations

import zoneinfo

import numpy as np
import pandas as pd

from workbench._validation import _check_transactions

#: The calendar periods the lifecycle, cohort and feature code understands.
_PERIODS = ("W", "M", "Q", "Y")
_EPOCH_DAY = np.datetime64("1970-01-01", "D")


def _check_period(period: str) -> None:
    """Raise unless ``period`` is one of :data:`_PERIODS`."""
    if period not in _PERIODS:
        raise ValueError(f"period={period!r} is not supported; use one of {list(_PERIODS)}")


def _day(value, name: str) -> int:
    """A date-like scalar as an integer day number (days since 1970-01-01)."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}={value!r} is not a date; pass e.g. '1997-09-30'") from exc
    if ts is pd.NaT:
        raise ValueError(f"{name} is missing (NaT); pass a date such as '1997-09-30'")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return int((np.datetime64(ts.normalize().to_datetime64(), "D") - _EPOCH_DAY).astype(np.int64))


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Day numbers of a datetime column (tz-aware columns converted to UTC first)."""
    values = dates.to_numpy()
    if values.dtype.kind != "M":  # tz-aware: convert to naive UTC first
        values = dates.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    return values.astype("datetime64[D]").astype(np.int64)


def _iso(day_number) -> str:
    """A day number as an ISO date string, e.g. ``'1997-09-30'``."""
    return str(np.datetime64(int(day_number), "D"))


def _period_numbers(dates: pd.Series, day: np.ndarray, period: str) -> np.ndarray:
    """Period number of each date (``day`` its day numbers) for one of :data:`_PERIODS`."""
    if period == "W":  # ISO weeks start on Monday; 1970-01-01 was a Thursday
        return (day + 3) // 7
    months = dates.to_numpy().astype("datetime64[M]").astype(np.int64)
    return {"M": months, "Q": months // 3, "Y": months // 12}[period]


def _scalar_period(day: int, period: str) -> int:
    """The period number of one day number."""
    date = pd.Series(np.array([day], dtype="datetime64[D]").astype("datetime64[ns]"))
    return int(_period_numbers(date, np.array([day]), period)[0])


def _period_index(numbers: np.ndarray, period: str) -> pd.PeriodIndex:
    """Period numbers of :func:`_period_numbers` as a PeriodIndex."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if period == "W":  # week w starts on the Monday 7w - 3 days after 1970-01-01
        starts = (numbers * 7 - 3).astype("datetime64[D]")
        return pd.PeriodIndex(pd.DatetimeIndex(starts), freq="W")
    months = {"M": numbers, "Q": numbers * 3, "Y": numbers * 12}[period]
    freq = {"M": "M", "Q": "Q", "Y": "Y"}[period]
    return pd.PeriodIndex(pd.DatetimeIndex(months.astype("datetime64[M]")), freq=freq)


def _window(transactions: pd.DataFrame, as_of, period: str, where: str):
    """Canonical transactions up to ``as_of`` (default their last day), checked.

    Returns ``(rows, day, as_of_day)``: the rows dated on or before ``as_of``, their day
    numbers and the analysis day. Raises when the frame is not canonical, ``period`` is
    not one of :data:`_PERIODS`, there are no rows, or none up to ``as_of``.
    """
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
    return transactions.loc[window], day[window], as_of_day


def _zone(time_zone: str | None) -> zoneinfo.ZoneInfo | None:
    """The IANA time zone of a name (None for None); a ValueError names the bad one."""
    if time_zone is None:
        return None
    try:
        return zoneinfo.ZoneInfo(str(time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"time_zone {time_zone!r} is not an IANA time zone; use a name such "
                         "as 'Asia/Shanghai', 'Europe/Berlin' or 'UTC'") from exc
