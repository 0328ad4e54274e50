"""Acquisition cohorts by periods since acquisition: retention and revenue retention."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench._periods import _iso, _period_index
from workbench.features import in_engine
from workbench.lifecycle._common import _engine_window, _purchase_periods, _unique_pairs

__all__ = [
    "CohortTable",
    "cohort_table",
]


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

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c"],
    ...                    "date": pd.to_datetime(["2024-01-10", "2024-02-05", "2024-01-20", "2024-02-10"]),
    ...                    "amount": [10.0, 20.0, 30.0, 40.0]})
    >>> t = cohort_table(tx, as_of="2024-02-29")
    >>> t.values.to_numpy().tolist()  # active customers: January cohort 2 then 1, February 1
    [[2.0, 1.0], [1.0, nan]]
    >>> t.sizes[["cohort", "customers"]]
        cohort  customers
    0  2024-01          2
    1  2024-02          1
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


def cohort_table(
    transactions: pd.DataFrame,
    as_of=None,
    *,
    period: str = "M",
    metric: str = "customers",
) -> CohortTable:
    r"""Retention (or revenue retention) by acquisition cohort and periods since.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions.
    as_of : date-like, optional
        Analysis date; default the last date in the data.
    period : {"M", "Q", "Y", "W"}, default "M"
        Cohort and step length.
    metric : {"customers", "revenue"}, default "customers"
        ``customers``: cohort customers with a purchase in the period; ``revenue``:
        their net revenue in the period (returns included).

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
    never acquire). For cohort :math:`c` and :math:`k \ge 0`,
    :math:`v_{ck}` = number of its customers buying in :math:`p_0 + k` (or their net
    revenue), and the rate is :math:`v_{ck} / v_{c0}`; the customer rate at
    :math:`k = 0` is 1 by construction. Cells with :math:`p_0 + k` after the period of
    ``as_of`` are NaN (not yet observed), so the table is a triangle. Rows of customers
    who never bought (returns only) and returns dated before a customer's first
    purchase belong to no cohort; with ``metric="revenue"`` their amount is left out.
    An engine case counts customers and revenue per cohort and period in the engine
    (:func:`workbench.engines.definitions.cohort_counts_sql`: each customer's first
    purchase period as a window), so only the triangle's cells reach pandas.

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
    if in_engine(transactions):  # an engine case: counted per cohort and period in the engine
        cohorts, n_k, grid, sizes_customers, rev0, end = _engine_cohorts(transactions, as_of, period, metric)
    else:
        cohorts, n_k, grid, sizes_customers, rev0, end = _pandas_cohorts(transactions, as_of, period, metric)
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
    sizes = pd.DataFrame({"cohort": labels, "customers": sizes_customers.astype(np.int64), "revenue_0": rev0})
    return CohortTable(values=values, rates=rates, sizes=sizes, metric=metric, period=period)


def _pandas_cohorts(transactions, as_of, period, metric):
    """``(cohorts, n_k, grid, sizes, revenue_0, end)`` of a transactions frame: the cohort
    period numbers, the periods since acquisition, the cohort x k grid of ``metric``,
    the customers acquired and the revenue at k = 0 per cohort, the as-of period."""
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
    sizes = np.bincount(np.searchsorted(cohorts, first[first != big]), minlength=len(cohorts))
    at0 = has & (k == 0)
    rev0 = np.bincount(row[at0], weights=tx["amount"].to_numpy(dtype=np.float64)[at0], minlength=len(cohorts))
    return cohorts, n_k, grid, sizes, rev0, end


def _engine_cohorts(transactions, as_of, period, metric):
    """What :func:`_pandas_cohorts` returns, from an engine case's ``cohort_counts`` (one
    row per cohort and periods since; the customers at k = 0 are the cohort's size)."""
    as_of_day, end = _engine_window(transactions, as_of, period, "cohort_table")
    counts = transactions.cohort_counts(_iso(as_of_day), period=period)
    if counts.empty:
        raise ValueError("cohort_table: no purchases (all rows are returns); no customer is acquired")
    cohort = counts["cohort"].to_numpy(dtype=np.int64)
    k = counts["periods_since"].to_numpy(dtype=np.int64)
    cohorts = np.unique(cohort)
    n_k = int(end - cohorts.min() + 1)
    row = np.searchsorted(cohorts, cohort)
    customers = counts["customers"].to_numpy(dtype=np.int64)
    revenue = counts["revenue"].to_numpy(dtype=np.float64)
    grid = np.zeros((len(cohorts), n_k), dtype=np.float64)
    grid[row, k] = customers if metric == "customers" else revenue
    at0 = k == 0
    sizes = np.zeros(len(cohorts), dtype=np.int64)
    sizes[row[at0]] = customers[at0]
    rev0 = np.zeros(len(cohorts), dtype=np.float64)
    rev0[row[at0]] = revenue[at0]
    return cohorts, n_k, grid, sizes, rev0, end
