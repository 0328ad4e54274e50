"""Helpers the lifecycle modules share: distinct (customer, period) pairs, purchases by period,
an engine case's analysis window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench._periods import _check_period, _day, _iso, _period_numbers, _scalar_period, _window
from workbench.features import is_return


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


def _engine_window(transactions, as_of, period, where):
    """An engine case's analysis day and its period, checked as :func:`_window` checks rows.

    Returns ``(as_of_day, as_of_period)``; raises when ``period`` is unknown or no row
    is dated on or before ``as_of`` (default the last day of the rows).
    """
    _check_period(period)
    as_of_day = _day(transactions["date"].max() if as_of is None else as_of, "as_of")
    first_day = _day(transactions["date"].min(), "the first date")
    if as_of_day < first_day:
        raise ValueError(f"{where}: no transactions up to as_of={_iso(as_of_day)} (the data start on "
                         f"{_iso(first_day)}); choose an analysis date inside the data")
    return as_of_day, _scalar_period(as_of_day, period)


def _purchase_periods(transactions, as_of, period, where):
    """Window up to ``as_of`` with integer customer codes and period numbers.

    Returns ``(rows, codes, n_customers, period_numbers, is_purchase, as_of_period)``;
    ``rows`` has at least ``amount``. For a transactions frame; an engine case counts
    in the engine instead (:func:`_engine_window` and the case's ``churn_counts`` and
    ``cohort_counts``).
    """
    tx, day, as_of_day = _window(transactions, as_of, period, where)
    codes, ids = pd.factorize(tx["customer_id"], sort=True)
    pnum = _period_numbers(tx["date"], day, period)
    buy = ~is_return(tx)
    return tx, codes.astype(np.int64), len(ids), pnum, buy, _scalar_period(as_of_day, period)
