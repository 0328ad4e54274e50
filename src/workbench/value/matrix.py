"""The value matrix: current value against potential value, its quadrants and their strategies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.features import customer_features, in_engine
from workbench.value._frames import _check_frame, _choice, _in_id_order, _numeric

__all__ = [
    "QUADRANTS",
    "QUADRANT_STRATEGIES",
    "ValueMatrix",
    "clv_windows",
    "value_basis",
    "value_indicators",
    "value_matrix",
    "value_matrix_summary",
]


#: Value-matrix quadrants: code -> (current high, potential high).
QUADRANTS = {
    "key": (True, True),
    "maintain": (True, False),
    "develop": (False, True),
    "minimise_cost": (False, False),
}
#: The resource strategy of each value-matrix quadrant (the thesis' reallocation of
#: sales resources to customer value), as codes; their texts are in the label table.
QUADRANT_STRATEGIES = {q: f"strategy_{q}" for q in QUADRANTS}


# ----------------------------------------------------------------------------------
# value matrix
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueMatrix:
    """The customer value matrix; see :func:`value_matrix`.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per customer, sorted by ``customer_id``: the ``by`` column if any, the
        indicators, ``current_score``, ``potential_score`` (percentile scores in (0, 1]),
        ``n_missing_indicators``, ``current_high``, ``potential_high``, ``quadrant`` and
        ``strategy`` (codes).
    current, potential : tuple of str
        The indicators of current value and of growth potential.
    by : str or None
        The column the matrix is split by (cuts within each group), or None.
    cuts : "median" or (float, float)
        ``"median"`` (median score within each group) or the two fixed cuts.

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "gross_profit": [1500.0, 700.0, 300.0, 20.0],
    ...                          "spend_trend": [10.0, 50.0, -20.0, -5.0]})
    >>> matrix = value_matrix(features, potential="spend_trend")
    >>> matrix.potential, matrix.by, list(matrix.tables())
    (('spend_trend',), None, ['value_matrix', 'value_matrix_quadrants'])
    """

    customers: pd.DataFrame
    current: tuple[str, ...]
    potential: tuple[str, ...]
    by: str | None
    cuts: str | tuple[float, float]

    def summary(self) -> pd.DataFrame:
        """Customers per quadrant; see :func:`value_matrix_summary`."""
        return value_matrix_summary(self)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The matrix as flat tables.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``value_matrix`` (:attr:`customers`) and ``value_matrix_quadrants``
            (:meth:`summary`).
        """
        return {"value_matrix": self.customers, "value_matrix_quadrants": self.summary()}


def value_basis(indicators: pd.DataFrame) -> str:
    """The value column a case is ranked by: gross profit where cost is known, else revenue.

    Parameters
    ----------
    indicators : pandas.DataFrame
        From :func:`value_indicators` (``gross_profit`` and ``monetary_total``).

    Returns
    -------
    str
        ``"gross_profit"`` when every customer has one, else ``"monetary_total"``.

    References
    ----------
    The thesis ranks N company's customers by gross profit; without cost data revenue
    is the only value measure (as for CDNOW).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [100.0, 50.0, 80.0], "cost": [60.0, 30.0, 50.0],
    ...                    "date": pd.to_datetime(["2023-03-01", "2024-05-01", "2024-06-01"])})
    >>> value_basis(value_indicators(tx, "2024-06-30"))
    'gross_profit'
    >>> value_basis(value_indicators(tx.drop(columns="cost"), "2024-06-30"))
    'monetary_total'
    """
    _check_frame(indicators, ["monetary_total"], "value_basis")
    has_profit = "gross_profit" in indicators.columns and indicators["gross_profit"].notna().all()
    return "gross_profit" if has_profit else "monetary_total"


def value_indicators(
    transactions: pd.DataFrame,
    as_of,
    customers: pd.DataFrame | None = None,
    *,
    recent_months: int = 12,
    start=None,
) -> pd.DataFrame:
    """Customer features plus recent revenue and gross profit: the value-matrix inputs.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions.
    as_of : date-like
        Analysis date (included).
    customers : pandas.DataFrame, optional
        Canonical customers; its columns (``industry``, ``size``, ``industry_growth``,
        ``share_of_wallet``, ``strategic_fit``, ...) are joined on ``customer_id``.
    recent_months : int
        Length of the "current" window ending on ``as_of``.
    start : date-like, optional
        First day of the full history (default: all rows up to ``as_of``).

    Returns
    -------
    pandas.DataFrame
        :func:`workbench.features.customer_features` over the full history (one row per
        customer, sorted by ``customer_id``) with ``recent_revenue`` and
        ``recent_gross_profit``: net revenue and gross profit in the last
        ``recent_months`` months (0 for a customer without rows there; gross profit NaN
        when cost is unknown), and the customers' columns.

    Raises
    ------
    ValueError
        When no transaction falls in the full window or in the recent window.

    Notes
    -----
    Current value (当前价值) is what the customer brings *now*, so it is measured over a
    recent window; potential indicators such as ``spend_trend`` use the whole history.
    The recent window is ``(as_of - recent_months months, as_of]`` in calendar days.

    References
    ----------
    No external reference; supplies the current-value and potential indicators of
    :func:`value_matrix`. Checked on a hand-worked example in ``tests/test_value.py``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [100.0, 50.0, 80.0], "cost": [60.0, 30.0, 50.0],
    ...                    "date": pd.to_datetime(["2023-03-01", "2024-05-01", "2024-06-01"])})
    >>> value_indicators(tx, "2024-06-30", recent_months=12)[["customer_id", "monetary_total", "recent_revenue",
    ...                                                      "recent_gross_profit"]]
      customer_id  monetary_total  recent_revenue  recent_gross_profit
    0           a           150.0            50.0                 20.0
    1           b            80.0            80.0                 30.0
    """
    if not isinstance(recent_months, (int, np.integer)) or recent_months < 1:
        raise ValueError(f"recent_months={recent_months!r} must be a positive whole number of months")
    full = customer_features(transactions, as_of, start=start)
    recent_start = pd.Timestamp(as_of).normalize() - pd.DateOffset(months=int(recent_months)) + pd.Timedelta(days=1)
    try:
        recent = customer_features(transactions, as_of, start=recent_start)
    except ValueError as exc:
        raise ValueError(
            f"value_indicators: no transactions in the last {recent_months} months before "
            f"{pd.Timestamp(as_of).date()} (from {recent_start.date()}); current value is undefined. "
            "Choose a later analysis date or a longer recent_months"
        ) from exc
    recent = recent[["customer_id", "monetary_total", "gross_profit"]].rename(
        columns={"monetary_total": "recent_revenue", "gross_profit": "recent_gross_profit"}
    )
    out = full.merge(recent, on="customer_id", how="left", validate="one_to_one")
    out["recent_revenue"] = out["recent_revenue"].fillna(0.0)
    known_cost = out["gross_profit"].notna()
    out.loc[known_cost, "recent_gross_profit"] = out.loc[known_cost, "recent_gross_profit"].fillna(0.0)
    if customers is not None:
        _check_frame(customers, ["customer_id"], "value_indicators (customers)")
        extra = [c for c in customers.columns if c == "customer_id" or c not in out.columns]
        out = out.merge(customers[extra], on="customer_id", how="left", validate="one_to_one")
    return out


def clv_windows(transactions: pd.DataFrame, as_of, *, calibration_share: float = 0.5) -> dict[str, pd.Timestamp]:
    """Calibration and holdout windows for BG/NBD validation: split the history in two.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (``date``).
    as_of : date-like
        End of the holdout window.
    calibration_share : float
        Share of the days from the first transaction to ``as_of`` that calibrate.

    Returns
    -------
    dict
        ``start`` (first day with a transaction), ``calibration_end`` and
        ``observation_end`` (= ``as_of``), as Timestamps.

    Notes
    -----
    ``calibration_end = start + floor(share x days) - 1`` with ``days`` counting both end
    days. For CDNOW (1997-01-01 to 1998-06-30, 546 days) the default gives 1997-09-30,
    the 39-week calibration period of Fader, Hardie & Lee (2005).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers" the
    easy way. Marketing Science, 24(2), 275-284 (39-week calibration, 39-week holdout
    on CDNOW); reproduced in ``tests/test_value.py``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [100.0, 50.0, 80.0], "cost": [60.0, 30.0, 50.0],
    ...                    "date": pd.to_datetime(["2023-03-01", "2024-05-01", "2024-06-01"])})
    >>> {k: str(v.date()) for k, v in clv_windows(tx, "2024-06-30").items()}
    {'start': '2023-03-01', 'calibration_end': '2023-10-30', 'observation_end': '2024-06-30'}
    """
    if not 0 < calibration_share < 1:
        raise ValueError(f"calibration_share={calibration_share!r} must be in (0, 1)")
    if "date" not in getattr(transactions, "columns", ()):
        raise ValueError("clv_windows: transactions need a 'date' column")
    end = pd.Timestamp(as_of).normalize()
    if in_engine(transactions):  # an engine case: the first date from the engine
        first = transactions.scalar(f"SELECT MIN(date) FROM {{t}} WHERE CAST(date AS DATE) <= DATE '{end.date()}'")
        if first is None:
            raise ValueError(f"clv_windows: no transactions on or before {end.date()}")
        start = pd.Timestamp(first).normalize()
    else:
        dates = transactions["date"]
        dates = dates[dates <= end]
        if dates.empty:
            raise ValueError(f"clv_windows: no transactions on or before {end.date()}")
        start = dates.min().normalize()
    days = (end - start).days + 1
    cal_days = int(np.floor(calibration_share * days))
    if cal_days < 1 or cal_days >= days:
        raise ValueError(f"clv_windows: {days} day(s) of history cannot be split into calibration and holdout")
    return {"start": start, "calibration_end": start + pd.Timedelta(days=cal_days - 1), "observation_end": end}


def _percentile_scores(values: np.ndarray) -> np.ndarray:
    """Percentile rank in (0, 1] (average ranks for ties); NaN stays NaN."""
    return pd.Series(values).rank(method="average", pct=True).to_numpy()


def value_matrix(
    features: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    current: str | Sequence[str] = "gross_profit",
    potential: str | Sequence[str] = "auto",
    by: str | None = None,
    cuts="median",
) -> ValueMatrix:
    r"""Customer value matrix (客户价值矩阵): current value x growth potential, quadrant.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer (``customer_id`` and the indicator columns).
    customers : pandas.DataFrame, optional
        Canonical customers frame; merged on ``customer_id`` to supply ``size``,
        ``industry``, ``industry_growth``, ``share_of_wallet``. Customers missing from
        it get missing indicators (scored neutral, see Notes).
    current : str or sequence of str
        Current-value indicators, larger = more valuable; default ``gross_profit``
        (use ``"monetary_total"`` when cost is unknown, as for CDNOW).
    potential : "auto", str or sequence of str
        Growth-potential indicators, larger = more potential. ``"auto"`` uses those of
        ``spend_trend``, ``size``, ``industry_growth`` and ``share_of_wallet_gap``
        (``1 - share_of_wallet``) that the data have.
    by : str, optional
        Column (e.g. ``"industry"``) within which the matrix is split; ``None`` splits
        over all customers.
    cuts : "median" or (float, float)
        Split points of the current and the potential score (scores are in (0, 1]).

    Returns
    -------
    ValueMatrix
        ``customers`` sorted by ``customer_id``: ``customer_id``, the ``by`` column if
        given, every indicator used, ``current_score``, ``potential_score``,
        ``n_missing_indicators``, ``current_high``, ``potential_high`` and ``quadrant``
        (categorical over :data:`QUADRANTS`: key 重要客户 invest, maintain 维持, develop
        发展, minimise_cost 最小化成本) and ``strategy`` (the code of the quadrant's
        resource strategy, :data:`QUADRANT_STRATEGIES`; ``label(code, lang)`` reads it,
        e.g. "重点投入：..."); with the indicators, the ``by`` column and the cuts.

    Raises
    ------
    ValueError
        When an indicator column is absent everywhere or entirely missing, ``by`` is
        missing or has missing values, or the cuts are not two numbers.

    Notes
    -----
    Each indicator is normalised over all customers to its percentile rank
    :math:`p_{ij} \in (0, 1]` (average ranks for ties), which is robust to the heavy
    tails of money and growth figures. A score is the mean of its indicators'
    percentile ranks; an indicator missing for a customer (e.g. no spend trend with a
    single active period) counts as neutral, 0.5, and is counted in
    ``n_missing_indicators``. "High" means strictly above the cut; with
    ``cuts="median"`` the cut is the median score within each ``by`` group, as the
    thesis classifies customers within each industry (normalising over all customers
    keeps industry growth informative while the split is per industry).

    References
    ----------
    The customer value matrix of current value and growth potential (客户价值细分矩阵),
    as taught in Chinese CRM textbooks and used in the N company thesis; potential
    indicators after Verhoef & Donkers (2001), "Predicting customer potential value",
    *Decision Support Systems* 32(2).

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "gross_profit": [1500.0, 700.0, 300.0, 20.0],
    ...                          "spend_trend": [10.0, 50.0, -20.0, -5.0]})
    >>> matrix = value_matrix(features, potential="spend_trend")
    >>> matrix.customers[["customer_id", "current_score", "potential_score", "quadrant"]]
      customer_id  current_score  potential_score       quadrant
    0           a           1.00             0.75            key
    1           b           0.75             1.00            key
    2           c           0.50             0.25  minimise_cost
    3           d           0.25             0.50  minimise_cost
    """
    where = "value_matrix"
    _check_frame(features, ["customer_id"], where)
    frame = _in_id_order(features, where)
    if customers is not None:
        _check_frame(customers, ["customer_id"], f"{where} (customers)")
        extra = [c for c in customers.columns if c not in frame.columns or c == "customer_id"]
        frame = frame.merge(customers[extra], on="customer_id", how="left", validate="one_to_one")
    if "share_of_wallet" in frame.columns and "share_of_wallet_gap" not in frame.columns:
        frame["share_of_wallet_gap"] = 1.0 - frame["share_of_wallet"]

    current_cols = [current] if isinstance(current, str) else list(current)
    if potential == "auto":
        candidates = ("spend_trend", "size", "industry_growth", "share_of_wallet_gap")
        potential_cols = [c for c in candidates if c in frame.columns and frame[c].notna().any()]
        if not potential_cols:
            raise ValueError(
                f"{where}: potential='auto' found none of {list(candidates)} with values; "
                "pass customers=... or name potential indicator columns"
            )
    else:
        potential_cols = [potential] if isinstance(potential, str) else list(potential)
    for col in current_cols + potential_cols:
        if col not in frame.columns:
            raise ValueError(f"{where}: indicator {col!r} is not a column; columns present: {list(frame.columns)}")
        if frame[col].isna().all():
            hint = " (no cost data: use current='monetary_total')" if col == "gross_profit" else ""
            raise ValueError(f"{where}: indicator {col!r} is missing for all {len(frame):,} customers{hint}")

    def score(cols):
        p = np.column_stack([_percentile_scores(_numeric(frame, c, where, allow_nan=True)) for c in cols])
        missing = np.isnan(p)
        return np.where(missing, 0.5, p).mean(axis=1), missing.sum(axis=1)

    cur, miss_c = score(current_cols)
    pot, miss_p = score(potential_cols)
    if by is not None:
        if by not in frame.columns:
            raise ValueError(f"{where}: by={by!r} is not a column (pass customers=... with it); "
                             f"columns present: {list(frame.columns)}")
        if frame[by].isna().any():
            raise ValueError(f"{where}: column {by!r} is missing for {int(frame[by].isna().sum())} "
                             "customer(s); fill it (e.g. 'unknown') before splitting by it")
        groups = frame[by].astype(str).to_numpy()
    else:
        groups = np.zeros(len(frame), dtype=np.int64)
    if isinstance(cuts, str):
        _choice(cuts, ("median",), "cuts")
        key = pd.Series(groups)
        cut_c = pd.Series(cur).groupby(key).transform("median").to_numpy()
        cut_p = pd.Series(pot).groupby(key).transform("median").to_numpy()
    else:
        try:
            cut_c, cut_p = (float(c) for c in cuts)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"cuts={cuts!r} must be 'median' or two numbers in (0, 1)") from exc
    cur_high = cur > cut_c
    pot_high = pot > cut_p
    quadrant = 2 * ~cur_high + 1 * ~pot_high  # QUADRANTS order: key, maintain, develop, minimise_cost
    cols = ["customer_id"] + ([by] if by is not None else []) + list(dict.fromkeys(current_cols + potential_cols))
    out = frame[cols].copy()
    out["current_score"] = cur
    out["potential_score"] = pot
    out["n_missing_indicators"] = miss_c + miss_p
    out["current_high"] = cur_high
    out["potential_high"] = pot_high
    out["quadrant"] = pd.Categorical.from_codes(quadrant.astype(np.int8), categories=list(QUADRANTS))
    out["strategy"] = pd.Categorical.from_codes(quadrant.astype(np.int8),
                                                categories=list(QUADRANT_STRATEGIES.values()))
    return ValueMatrix(customers=out, current=tuple(current_cols), potential=tuple(potential_cols), by=by,
                       cuts=cuts if isinstance(cuts, str) else (cut_c, cut_p))


def value_matrix_summary(matrix: ValueMatrix) -> pd.DataFrame:
    """Customers per quadrant (within each ``by`` group) with the quadrant's strategy.

    Parameters
    ----------
    matrix : ValueMatrix
        The result of :func:`value_matrix`.

    Returns
    -------
    pandas.DataFrame
        The ``by`` column when the matrix was split by one, ``quadrant`` (every
        quadrant, empty ones with 0), ``customers``, ``share`` (of the group's
        customers) and ``strategy`` (code, see :data:`QUADRANT_STRATEGIES`).

    References
    ----------
    Summarises :func:`value_matrix` (the customer value matrix, 客户价值细分矩阵).

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "gross_profit": [1500.0, 700.0, 300.0, 20.0],
    ...                          "spend_trend": [10.0, 50.0, -20.0, -5.0]})
    >>> value_matrix_summary(value_matrix(features, potential="spend_trend"))[["quadrant", "customers", "share"]]
            quadrant  customers  share
    0            key          2    0.5
    1       maintain          0    0.0
    2        develop          0    0.0
    3  minimise_cost          2    0.5
    """
    if not isinstance(matrix, ValueMatrix):
        raise TypeError(f"value_matrix_summary: matrix must be the ValueMatrix that value_matrix() returns, "
                        f"got {type(matrix).__name__}")
    by = matrix.by
    keys = [*([by] if by else []), "quadrant"]
    out = matrix.customers.groupby(keys, observed=False, sort=True).size().rename("customers").reset_index()
    group_size = out.groupby(by)["customers"].transform("sum") if by else out["customers"].sum()
    out["share"] = out["customers"] / group_size
    out["strategy"] = out["quadrant"].map(QUADRANT_STRATEGIES).astype(str)
    return out
