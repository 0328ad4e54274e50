"""ABC (Pareto) classes, their summary, the Lorenz curve, the Gini coefficient and top shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.value._frames import _check_frame, _ids_order, _numeric, _rank_desc

__all__ = [
    "ABC_CLASSES",
    "abc_classes",
    "abc_summary",
    "gini",
    "lorenz_curve",
    "pareto_metrics",
    "top_share",
]


ABC_CLASSES = ("A", "B", "C")


# ----------------------------------------------------------------------------------
# ABC / Pareto
# ----------------------------------------------------------------------------------


def abc_classes(frame: pd.DataFrame, *, value: str = "monetary_total", cuts=(0.8, 0.95)) -> pd.DataFrame:
    r"""ABC (Pareto) class per customer from cumulative value shares.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer with ``customer_id`` and the ``value`` column.
    value : str
        The value to rank by, e.g. ``"monetary_total"`` (revenue) or ``"gross_profit"``.
    cuts : tuple of float
        Cumulative value shares closing class A and class B, ``0 < a < b <= 1``.

    Returns
    -------
    pandas.DataFrame
        One row per customer in Pareto order (largest value first, ties by
        ``customer_id``): ``customer_id``, ``value``, ``rank`` (1 = largest),
        ``value_share``, ``cumulative_share``, ``customer_share`` (rank / n),
        ``abc_class`` (ordered categorical A < B < C) and ``nonpositive`` (bool).

    Raises
    ------
    ValueError
        When a column is missing, has missing values, ids repeat, the cuts are not
        increasing in (0, 1], or no customer has a positive value.

    Notes
    -----
    Shares are of the positive value: with :math:`v_i^+ = \max(v_i, 0)`,
    ``value_share`` :math:`= v_i^+ / \sum_j v_j^+` and ``cumulative_share`` is its running
    sum in Pareto order, so shares sum to 1 and the last positive customer closes at 1.

    Boundary rule: a customer is in A when the cumulative share *before* it is below
    the first cut, i.e. the customer that crosses 80 % is still A; B likewise for the
    second cut; C otherwise. Customers with zero or negative value (e.g. net returns)
    contribute nothing, are always C, and are flagged ``nonpositive``.

    References
    ----------
    Juran, J. M. (1951). *Quality Control Handbook* (the Pareto principle); the ABC
    method as taught in Chinese CRM textbooks (ABC分类法). Checked against the
    hand-worked 6-customer table in ``tests/test_value.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"customer_id": list("abcd"), "monetary_total": [70., 20., 6., 4.]})
    >>> abc_classes(f)[["customer_id", "cumulative_share", "abc_class"]]
      customer_id  cumulative_share abc_class
    0           a              0.70         A
    1           b              0.90         A
    2           c              0.96         B
    3           d              1.00         C
    """
    where = "abc_classes"
    _check_frame(frame, ["customer_id", value], where)
    a, b = _check_cuts(cuts)
    v = _numeric(frame, value, where)
    positive = np.clip(v, 0.0, None)
    total = positive.sum()
    if not total > 0:
        raise ValueError(
            f"{where}: no customer has a positive {value!r} ({len(v):,} customers, all <= 0); "
            "ABC shares are undefined"
        )
    rank = _rank_desc(v, _ids_order(frame, where))
    order = np.empty_like(rank)
    order[rank - 1] = np.arange(len(rank))
    share = positive[order] / total
    cum = np.minimum(np.cumsum(share), 1.0)
    cum[int((v > 0).sum()) - 1:] = 1.0  # the last positive customer closes at exactly 1
    before = cum - share
    eps = 1e-12  # a running sum that is 0.8 on paper may be 0.7999999999999999
    cls = np.where(before < a - eps, 0, np.where(before < b - eps, 1, 2))
    cls[v[order] <= 0] = 2
    n = len(v)
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"].iloc[order].reset_index(drop=True),
            "value": v[order],
            "rank": np.arange(1, n + 1),
            "value_share": share,
            "cumulative_share": cum,
            "customer_share": np.arange(1, n + 1) / n,
            "abc_class": pd.Categorical.from_codes(cls, categories=ABC_CLASSES, ordered=True),
            "nonpositive": v[order] <= 0,
        }
    )


def _check_cuts(cuts) -> tuple[float, float]:
    try:
        a, b = (float(c) for c in cuts)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cuts={cuts!r} must be two numbers, e.g. (0.8, 0.95)") from exc
    if not 0 < a < b <= 1:
        raise ValueError(f"cuts={cuts!r} must satisfy 0 < A cut < B cut <= 1, e.g. (0.8, 0.95)")
    return a, b


def abc_summary(abc: pd.DataFrame) -> pd.DataFrame:
    """Customer share and value share per ABC class.

    Parameters
    ----------
    abc : pandas.DataFrame
        The result of :func:`abc_classes`.

    Returns
    -------
    pandas.DataFrame
        One row per class A, B, C (all three, even if empty): ``abc_class``,
        ``customers``, ``customer_share``, ``value`` (sum, negatives included),
        ``value_share`` (share of the positive value), ``min_value``, ``max_value``,
        ``nonpositive`` (customers with value <= 0).

    Notes
    -----
    ``customer_share`` = customers in the class / all customers; ``value_share`` is the
    sum of the class's ``value_share`` column of :func:`abc_classes`; each share column
    sums to 1 over the three classes. Values are in the currency of the ranked column.

    References
    ----------
    The customer-share vs value-share table of the ABC method (see :func:`abc_classes`).
    Checked against the hand-worked 6-customer table in ``tests/test_value.py``.

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...                          "monetary_total": [500.0, 300.0, 150.0, 50.0]})
    >>> abc_summary(abc_classes(features))[["abc_class", "customers", "value_share"]]
      abc_class  customers  value_share
    0         A          2         0.80
    1         B          1         0.15
    2         C          1         0.05
    """
    _check_frame(abc, ["abc_class", "value", "value_share", "nonpositive"], "abc_summary")
    g = abc.groupby("abc_class", observed=False, sort=True)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "value": g["value"].sum(),
            "value_share": g["value_share"].sum(),
            "min_value": g["value"].min(),
            "max_value": g["value"].max(),
            "nonpositive": g["nonpositive"].sum().astype(np.int64),
        }
    )
    out.insert(1, "customer_share", out["customers"] / len(abc))
    return out.reset_index()


def _nonnegative_values(data, value: str, where: str) -> np.ndarray:
    if isinstance(data, pd.DataFrame):
        _check_frame(data, [value], where)
        v = _numeric(data, value, where)
    else:
        v = np.asarray(data, dtype=np.float64).ravel()
        if v.size == 0:
            raise ValueError(f"{where}: no values given")
        if not np.isfinite(v).all():
            raise ValueError(f"{where}: {int((~np.isfinite(v)).sum())} value(s) are missing or infinite")
    neg = v < 0
    if neg.any():
        raise ValueError(
            f"{where}: {int(neg.sum()):,} of {v.size:,} values are negative (e.g. {v[neg][0]:.2f}); "
            "the Lorenz curve and Gini need non-negative values. Clip them explicitly "
            "(e.g. np.clip(values, 0, None)) or rank positive values only with abc_classes"
        )
    if not v.sum() > 0:
        raise ValueError(f"{where}: all {v.size:,} values are zero; the value shares are undefined")
    return v


def lorenz_curve(data, *, value: str = "monetary_total") -> pd.DataFrame:
    r"""Lorenz curve: cumulative value share against cumulative customer share.

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        A frame with the ``value`` column, or the values themselves (non-negative).
    value : str
        Column used when ``data`` is a frame.

    Returns
    -------
    pandas.DataFrame
        ``n + 1`` rows from (0, 0) to (1, 1): ``customer_share`` (k / n) and
        ``value_share`` (share of the k smallest values), customers in ascending
        order of value.

    Notes
    -----
    :math:`L(k/n) = \sum_{i \le k} x_{(i)} / \sum_i x_i` with :math:`x_{(1)} \le \dots
    \le x_{(n)}`. The Pareto chart is the same curve read from the top:
    the top share of customers *p* holds :math:`1 - L(1 - p)` of the value.

    References
    ----------
    Lorenz, M. O. (1905). Methods of measuring the concentration of wealth.
    *Publications of the American Statistical Association*, 9(70), 209-219. Checked in
    ``tests/test_value.py`` on the hand-worked table and as one minus twice the area
    under the curve equals :func:`gini`.

    Examples
    --------
    >>> lorenz_curve([1.0, 2.0, 3.0, 4.0])["value_share"].tolist()
    [0.0, 0.1, 0.3, 0.6, 1.0]
    """
    v = np.sort(_nonnegative_values(data, value, "lorenz_curve"), kind="stable")
    n = v.size
    cum = np.concatenate([[0.0], np.cumsum(v) / v.sum()])
    cum[-1] = 1.0
    return pd.DataFrame({"customer_share": np.arange(n + 1) / n, "value_share": cum})


def gini(data, *, value: str = "monetary_total") -> float:
    r"""Gini coefficient of customer value (0 = all equal, (n-1)/n = one customer has all).

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        A frame with the ``value`` column, or non-negative values.
    value : str
        Column used when ``data`` is a frame.

    Returns
    -------
    float

    Notes
    -----
    With values sorted ascending, :math:`x_{(1)} \le \dots \le x_{(n)}`,

    .. math:: G = \frac{\sum_{i=1}^n (2i - n - 1)\, x_{(i)}}{n \sum_i x_i},

    which equals one minus twice the trapezoidal area under the Lorenz curve of
    :func:`lorenz_curve`. Negative values raise (the coefficient is not bounded then).

    References
    ----------
    Gini, C. (1912). *Variabilità e mutabilità*. Closed forms checked in the tests:
    uniform on (0, 1) has G = 1/3, exponential G = 1/2, Pareto with shape
    :math:`\alpha` has :math:`G = 1 / (2\alpha - 1)`.

    Examples
    --------
    >>> gini([1.0, 2.0, 3.0, 4.0])
    0.25
    """
    v = np.sort(_nonnegative_values(data, value, "gini"), kind="stable")
    n = v.size
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * v).sum() / (n * v.sum()))


def top_share(data, *, value: str = "monetary_total", top: float = 0.2) -> float:
    """Share of value held by the top ``top`` fraction of customers (default the top 20 %).

    Parameters
    ----------
    data : pandas.DataFrame or array-like
        A frame with the ``value`` column, or the non-negative values themselves.
    value : str
        Column used when ``data`` is a frame.
    top : float
        Share of customers, in (0, 1]; 0.2 = the largest 20 %.

    Returns
    -------
    float
        Share of the total value (0-1).

    Raises
    ------
    ValueError
        When ``top`` is not in (0, 1], or the values are negative, missing or all zero.

    Notes
    -----
    :math:`1 - L(1 - p)`, the Lorenz curve linearly interpolated between customers, so
    for n divisible by 5 it is exactly the value share of the n/5 largest customers.
    Values must be non-negative (see :func:`gini`).

    References
    ----------
    The "top 20 % of customers" figure of the Pareto principle (二八定律), read from
    the Lorenz curve (:func:`lorenz_curve`). Hand-worked values in ``tests/test_value.py``.

    Examples
    --------
    >>> round(top_share([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]), 4)  # (9 + 10) / 55
    0.3455
    """
    if not 0 < top <= 1:
        raise ValueError(f"top={top!r} must be a fraction in (0, 1], e.g. 0.2 for the top 20 %")
    curve = lorenz_curve(data, value=value)
    return float(1.0 - np.interp(1.0 - top, curve["customer_share"], curve["value_share"]))


def pareto_metrics(abc: pd.DataFrame) -> dict[str, float]:
    """Key figures of an ABC table, for a report's metrics.

    Parameters
    ----------
    abc : pandas.DataFrame
        The result of :func:`abc_classes`.

    Returns
    -------
    dict
        ``customers``, ``gini`` and ``top20_share`` (of the positive values, see
        :func:`gini` and :func:`top_share`), ``class_a_customer_share``,
        ``class_a_value_share`` (shares 0-1) and ``nonpositive_customers``.

    References
    ----------
    No external reference; gathers :func:`gini`, :func:`top_share` and the class-A row
    of :func:`abc_summary`. Checked on the hand-worked table and on CDNOW (classes
    against a plain pandas cumsum; Gini 0.6346 and top-20 % share 0.6778 kept as
    regression guards) in ``tests/test_value.py``.

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...                          "monetary_total": [500.0, 300.0, 150.0, 50.0]})
    >>> metrics = pareto_metrics(abc_classes(features))
    >>> metrics["gini"], metrics["class_a_customer_share"], metrics["class_a_value_share"]
    (0.375, 0.5, 0.8)
    """
    _check_frame(abc, ["value", "value_share", "abc_class", "nonpositive"], "pareto_metrics")
    positive = np.clip(abc["value"].to_numpy(dtype=np.float64), 0.0, None)
    is_a = (abc["abc_class"] == "A").to_numpy()
    return {
        "customers": int(len(abc)),
        "gini": gini(positive),
        "top20_share": top_share(positive),
        "class_a_customer_share": float(is_a.mean()),
        "class_a_value_share": float(abc.loc[is_a, "value_share"].sum()),
        "nonpositive_customers": int(abc["nonpositive"].sum()),
    }
