"""Helpers the lifecycle modules share: distinct (customer, period) pairs, purchases by period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench._periods import _period_numbers, _scalar_period, _window
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


def _purchase_periods(transactions, as_of, period, where):
    """Window up to ``as_of`` with integer customer codes and period numbers."""
    tx, day, as_of_day = _window(transactions, as_of, period, where)
    codes, ids = pd.factorize(tx["customer_id"], sort=True)
    pnum = _period_numbers(tx["date"], day, period)
    buy = ~is_return(tx)
    return tx, codes.astype(np.int64), len(ids), pnum, buy, _scalar_period(as_of_day, period)
