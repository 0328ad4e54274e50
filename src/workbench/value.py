"""Customer value seen by the firm: ABC/Pareto, RFM, value matrix, key accounts, ratios.

Every function takes tidy frames with the canonical column names (a customer-features
frame from :func:`workbench.features.customer_features`, the canonical customers or
transactions frames) and returns tidy frames with stable English column names and
category codes; :mod:`workbench.labels` translates them for reports.

Conventions
-----------
* Ties are broken by ``customer_id`` (ascending) after a stable sort, so the same input
  always gives the same ranks, classes and scores.
* No row is ever dropped silently: customers with zero or negative value stay in the
  output (flagged), and inputs that make a method undefined raise a ``ValueError`` that
  says what was wrong and what would be right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.features import customer_features

__all__ = [
    "ABC_CLASSES",
    "EIGHT_CLASSES",
    "KEY_ACCOUNT_AHP",
    "KEY_ACCOUNT_CRITERIA",
    "MISSING_KEY",
    "QUADRANTS",
    "QUADRANT_STRATEGIES",
    "RANDOM_INDEX",
    "RFM_ACTIONS",
    "RFM_SEGMENTS",
    "RFM_SEGMENT_GRID",
    "AHPResult",
    "abc_classes",
    "abc_summary",
    "account_analysis",
    "ahp_weights",
    "clv_windows",
    "customer_ratios",
    "entropy_weights",
    "gini",
    "key_account_criteria",
    "key_account_scores",
    "lorenz_curve",
    "minmax_normalise",
    "pareto_metrics",
    "product_ratios",
    "rfm_eight_classes",
    "rfm_scores",
    "rfm_segment_summary",
    "top_share",
    "value_basis",
    "value_indicators",
    "value_matrix",
    "value_matrix_summary",
]

ABC_CLASSES = ("A", "B", "C")

#: Named RFM segments, best first.
RFM_SEGMENTS = (
    "champions",
    "loyal",
    "potential_loyalist",
    "recent_customers",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk_customers",
    "cant_lose_them",
    "hibernating",
    "lost",
)

#: Segment by R score (rows, 5 = most recent) and FM score (columns 1..5), the FM score
#: being the mean of the F and M scores rounded half up. See :func:`rfm_scores`.
RFM_SEGMENT_GRID = pd.DataFrame(
    [
        ["recent_customers", "potential_loyalist", "potential_loyalist", "champions", "champions"],
        ["promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"],
        ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
        ["hibernating", "hibernating", "at_risk_customers", "at_risk_customers", "cant_lose_them"],
        ["lost", "lost", "at_risk_customers", "at_risk_customers", "cant_lose_them"],
    ],
    index=pd.Index([5, 4, 3, 2, 1], name="r_score"),
    columns=pd.Index([1, 2, 3, 4, 5], name="fm_score"),
)

#: Chinese 8-class RFM scheme: code -> (R high, F high, M high). "R high" = recent.
EIGHT_CLASSES = {
    "important_value": (True, True, True),
    "important_development": (True, False, True),
    "important_retention": (False, True, True),
    "important_winback": (False, False, True),
    "general_value": (True, True, False),
    "general_development": (True, False, False),
    "general_retention": (False, True, False),
    "general_winback": (False, False, False),
}

#: Recommended action per segment (both RFM schemes), zh and en.
RFM_ACTIONS = {
    "champions": {
        "en": "Reward them; early access to new products; ask for reviews and referrals",
        "zh": "给予奖励与新品优先体验，邀请评价和转介绍",
    },
    "loyal": {
        "en": "Upsell higher-value products; loyalty programme; ask for reviews",
        "zh": "向上销售高价值产品，纳入会员忠诚计划",
    },
    "potential_loyalist": {
        "en": "Offer membership or loyalty programme; recommend related products",
        "zh": "推荐会员计划和相关产品，培养为忠诚客户",
    },
    "recent_customers": {
        "en": "Onboarding support; build the relationship early",
        "zh": "做好新客户引导与首购后服务，尽早建立关系",
    },
    "promising": {
        "en": "Create brand awareness; free trials",
        "zh": "加强品牌认知，提供试用",
    },
    "need_attention": {
        "en": "Limited-time offers; recommend based on past purchases",
        "zh": "限时优惠，根据历史购买推荐产品",
    },
    "about_to_sleep": {
        "en": "Share valuable resources; recommend popular products; reconnect",
        "zh": "推送热门产品和有价值的信息，重新建立联系",
    },
    "at_risk_customers": {
        "en": "Personalised e-mails or calls to reconnect; offer renewals",
        "zh": "个性化邮件或电话回访，提供续约优惠",
    },
    "cant_lose_them": {
        "en": "Win them back with new products; talk to them, do not lose them to a competitor",
        "zh": "主动沟通、推出新品挽回，防止流向竞争对手",
    },
    "hibernating": {
        "en": "Offer other relevant products and special discounts; recreate brand value",
        "zh": "推荐其他相关产品与专项折扣，重建品牌价值",
    },
    "lost": {
        "en": "Revive interest with an outreach campaign; otherwise spend little",
        "zh": "可尝试唤回活动，否则减少投入",
    },
    "important_value": {
        "en": "Keep them: dedicated service, priority resources",
        "zh": "重点维护：提供专属服务，倾斜优质资源",
    },
    "important_development": {
        "en": "Raise purchase frequency: cross-sell, regular contact",
        "zh": "重点发展：提高购买频次，交叉销售，定期联系",
    },
    "important_retention": {
        "en": "Bring them back: they bought often but not lately; contact proactively",
        "zh": "重点保持：购买频繁但近期未购，主动联系唤回",
    },
    "important_winback": {
        "en": "Win back: high value at risk of churning; find out why and act",
        "zh": "重点挽留：高价值但流失风险大，查明原因并挽回",
    },
    "general_value": {
        "en": "Raise spend per purchase: upsell, bundles",
        "zh": "提升客单价：向上销售、组合销售",
    },
    "general_development": {
        "en": "Nurture at low cost: promotions, automated contact",
        "zh": "低成本培育：促销活动与自动化营销",
    },
    "general_retention": {
        "en": "Low-cost reminders to keep them buying",
        "zh": "低成本提醒，维持购买",
    },
    "general_winback": {
        "en": "Minimise cost; include only in mass campaigns",
        "zh": "控制成本，仅纳入大众化营销",
    },
}

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

#: Saaty's random consistency index RI by matrix order n = 1..15: Saaty (1980) for
#: n <= 10 (RI = 1.41 for n = 8 reproduces the CR .169 of Saaty 1990); for 11..15 the
#: extension Saaty reprinted in later books (1.51, 1.48, 1.56, 1.57, 1.59; the dip at
#: n = 12 is as printed). Later simulations give slightly different values (e.g. 0.52
#: for n = 3), so a CR near 0.1 deserves a second look either way.
RANDOM_INDEX = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41,
    9: 1.45, 10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}

#: Key-account criteria built by :func:`key_account_criteria`: column -> direction.
KEY_ACCOUNT_CRITERIA = {
    "monetary_mean": "benefit",  # transaction size
    "frequency": "benefit",
    "size": "benefit",  # customer size
    "spend_trend": "benefit",  # growth of the customer
    "industry_growth": "benefit",
    "strategic_fit": "benefit",  # 1-5, judged by the firm
}

#: Default AHP judgements between the key-account criteria (Saaty 1-9 scale, row over
#: column): transaction size first, then frequency and strategic fit, customer size and
#: growth, industry growth last. CR = 0.004 for all six; any principal submatrix (the
#: criteria a case has) is reciprocal too. Cases override it with their own judgements.
KEY_ACCOUNT_AHP = pd.DataFrame(
    [
        [1, 2, 3, 3, 5, 2],
        [1 / 2, 1, 2, 2, 3, 1],
        [1 / 3, 1 / 2, 1, 1, 2, 1 / 2],
        [1 / 3, 1 / 2, 1, 1, 2, 1 / 2],
        [1 / 5, 1 / 3, 1 / 2, 1 / 2, 1, 1 / 3],
        [1 / 2, 1, 2, 2, 3, 1],
    ],
    index=list(KEY_ACCOUNT_CRITERIA),
    columns=list(KEY_ACCOUNT_CRITERIA),
)

_DIRECTIONS = {"benefit": 1, "max": 1, "+": 1, 1: 1, "cost": -1, "min": -1, "-": -1, -1: -1}


# ----------------------------------------------------------------------------------
# validation helpers
# ----------------------------------------------------------------------------------


def _check_frame(frame, columns: Sequence[str], where: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{where}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{where}: missing column(s) {missing}; columns present: {list(frame.columns)}. "
            "A customer-features frame comes from workbench.features.customer_features"
        )
    if len(frame) == 0:
        raise ValueError(f"{where}: the frame has no rows; there is nothing to classify")
    if "customer_id" in columns:
        ids = frame["customer_id"]
        if ids.isna().any():
            raise ValueError(f"{where}: column 'customer_id' has {int(ids.isna().sum())} missing value(s)")
        # duplicated ids are caught by _ids_order, which sorts them next to each other


def _numeric(frame: pd.DataFrame, column: str, where: str, *, allow_nan: bool = False) -> np.ndarray:
    series = frame[column]
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise TypeError(f"{where}: column {column!r} has dtype {series.dtype}, expected numbers")
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    if not allow_nan and np.isnan(values).any():
        raise ValueError(
            f"{where}: column {column!r} has {int(np.isnan(values).sum()):,} missing value(s) "
            f"out of {len(values):,}; fill or remove them explicitly first"
        )
    if np.isinf(values).any():
        raise ValueError(f"{where}: column {column!r} has {int(np.isinf(values).sum())} infinite value(s)")
    return values


def _choice(value, allowed, name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {list(allowed)}")


def _ids_order(frame: pd.DataFrame, where: str) -> np.ndarray:
    """Positions that sort the frame by customer_id as strings; raises on duplicated ids.

    Sorting a million string ids costs seconds in numpy (object comparisons), so the
    order comes from Arrow, and a frame already sorted by id (as customer_features
    returns it) is recognised in one vectorised comparison.
    """
    ids = frame["customer_id"]
    if not pd.api.types.is_string_dtype(ids.dtype) or ids.dtype == object:
        ids = ids.astype("str")
    arr = pa.array(ids.array) if hasattr(ids.array, "__arrow_array__") else pa.array(ids.to_numpy(dtype=object))
    if len(arr) < 2:
        return np.arange(len(arr))
    if pc.all(pc.greater_equal(arr[1:], arr[:-1])).as_py():
        order, ordered = np.arange(len(arr)), arr
    else:
        order = pc.sort_indices(arr).to_numpy()
        ordered = arr.take(order)
    same = pc.equal(ordered[1:], ordered[:-1])
    if pc.any(same).as_py():
        n_dup = pc.sum(same).as_py()
        example = ordered[int(pc.index(same, True).as_py())].as_py()
        raise ValueError(
            f"{where}: column 'customer_id' has {n_dup:,} duplicated id(s), e.g. {example!r}; "
            "expected one row per customer"
        )
    return order


def _in_id_order(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """The frame sorted by customer_id with a fresh index (no copy when already sorted)."""
    order = _ids_order(frame, where)
    if len(order) and (order[0] == 0 and (np.diff(order) == 1).all()):
        return frame.reset_index(drop=True)
    return frame.iloc[order].reset_index(drop=True)


def _rank_desc(values: np.ndarray, id_order: np.ndarray) -> np.ndarray:
    """1-based rank, largest value first, ties by id ascending (``id_order`` sorts by id)."""
    order = id_order[np.argsort(-values[id_order], kind="stable")]
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(1, len(values) + 1)
    return rank


# ----------------------------------------------------------------------------------
# ABC / Pareto
# ----------------------------------------------------------------------------------


def abc_classes(frame: pd.DataFrame, value: str = "monetary_total", cuts=(0.8, 0.95)) -> pd.DataFrame:
    """ABC (Pareto) class per customer from cumulative value shares.

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
    Shares are of the positive value: with :math:`v_i^+ = \\max(v_i, 0)`,
    ``value_share`` :math:`= v_i^+ / \\sum_j v_j^+` and ``cumulative_share`` is its running
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


def lorenz_curve(data, value: str = "monetary_total") -> pd.DataFrame:
    """Lorenz curve: cumulative value share against cumulative customer share.

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
    :math:`L(k/n) = \\sum_{i \\le k} x_{(i)} / \\sum_i x_i` with :math:`x_{(1)} \\le \\dots
    \\le x_{(n)}`. The Pareto chart is the same curve read from the top:
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


def gini(data, value: str = "monetary_total") -> float:
    """Gini coefficient of customer value (0 = all equal, (n-1)/n = one customer has all).

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
    With values sorted ascending, :math:`x_{(1)} \\le \\dots \\le x_{(n)}`,

    .. math:: G = \\frac{\\sum_{i=1}^n (2i - n - 1)\\, x_{(i)}}{n \\sum_i x_i},

    which equals one minus twice the trapezoidal area under the Lorenz curve of
    :func:`lorenz_curve`. Negative values raise (the coefficient is not bounded then).

    References
    ----------
    Gini, C. (1912). *Variabilità e mutabilità*. Closed forms checked in the tests:
    uniform on (0, 1) has G = 1/3, exponential G = 1/2, Pareto with shape
    :math:`\\alpha` has :math:`G = 1 / (2\\alpha - 1)`.

    Examples
    --------
    >>> gini([1.0, 2.0, 3.0, 4.0])
    0.25
    """
    v = np.sort(_nonnegative_values(data, value, "gini"), kind="stable")
    n = v.size
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * v).sum() / (n * v.sum()))


def top_share(data, value: str = "monetary_total", top: float = 0.2) -> float:
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
    curve = lorenz_curve(data, value)
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


# ----------------------------------------------------------------------------------
# RFM
# ----------------------------------------------------------------------------------


def _scores(values: np.ndarray, bins: int, method: str) -> np.ndarray:
    """Score 1..bins, larger value -> larger score; rows are in customer_id order."""
    n = values.size
    if method == "quintile":
        order = np.argsort(values, kind="stable")  # ascending value, ties by id
        below = np.empty(n, dtype=np.int64)
        below[order] = np.arange(n)
    else:  # "ties": customers with equal values share the lowest score of their group
        sorted_values = np.sort(values, kind="stable")
        below = np.searchsorted(sorted_values, values, side="left")
    return 1 + (bins * below) // n


def rfm_scores(
    features: pd.DataFrame,
    *,
    bins: int = 5,
    method: str = "quintile",
    monetary: str = "monetary_total",
) -> pd.DataFrame:
    """R, F and M scores (1..bins, recent = high), the RFM cell and the named segment.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer with ``customer_id``, ``recency_days``, ``frequency`` and
        the ``monetary`` column (see :func:`workbench.features.customer_features`).
    bins : int
        Number of score levels (2..9); 5 gives quintiles and the named segments.
    method : {"quintile", "ties"}
        How ranks become scores (see Notes).
    monetary : str
        ``"monetary_total"`` (default) or ``"monetary_mean"``.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``customer_id``: ``customer_id``, ``recency_days``, ``frequency``,
        ``monetary`` (the scored column's values), ``revenue`` (net revenue,
        ``monetary_total``; NaN when absent), ``r_score``, ``f_score``, ``m_score`` (int), ``rfm_cell`` (str, e.g.
        ``"545"``), ``fm_score`` (int, mean of F and M rounded half up) and, with
        ``bins=5``, ``segment`` (categorical over :data:`RFM_SEGMENTS`).

    Notes
    -----
    For each of R (on ``-recency_days``, so the most recent customers score highest),
    F and M, with :math:`b_i` the number of customers ranked below customer *i*,

    .. math:: s_i = 1 + \\lfloor \\text{bins} \\cdot b_i / n \\rfloor .

    * ``method="quintile"``: :math:`b_i` is the position in a stable sort by
      (value, ``customer_id``), i.e. ``rank(method="first")`` after sorting by id, so
      each score holds n/bins customers (equal-count quintiles) and equal values are
      split by id.
    * ``method="ties"``: :math:`b_i` is the number of customers with a strictly smaller
      value, so equal values always get the same score; score groups are then unequal
      (with CDNOW's many one-purchase buyers, F has few levels).

    A customer without a purchase in the window (returns only: NaN recency) gets the
    lowest R score. Segments come from :data:`RFM_SEGMENT_GRID`, R score by FM score
    :math:`= \\lfloor (F + M)/2 + 1/2 \\rfloor`; every one of the 125 cells maps to one
    segment.

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Probus (quintile scoring).
    The segment names and regions follow the widely used RFM segment grid by R and the
    average of F and M (Putler, "RFM Analysis For Successful Customer Segmentation";
    the same eleven names as ``rfm_segment`` in the R package rfm by A. Hebbali),
    with overlaps resolved so that the grid is a partition.
    """
    where = "rfm_scores"
    _check_frame(features, ["customer_id", "recency_days", "frequency", monetary], where)
    _choice(method, ("quintile", "ties"), "method")
    if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool) or not 2 <= bins <= 9:
        raise ValueError(f"bins={bins!r} must be an integer from 2 to 9 (5 = quintiles)")
    frame = _in_id_order(features, where)
    recency = _numeric(frame, "recency_days", where, allow_nan=True)
    recency = np.where(np.isnan(recency), np.inf, recency)
    frequency = _numeric(frame, "frequency", where)
    money = _numeric(frame, monetary, where)
    r = _scores(-recency, bins, method)
    f = _scores(frequency, bins, method)
    m = _scores(money, bins, method)
    out = pd.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "recency_days": frame["recency_days"].to_numpy(dtype=np.float64),
            "frequency": frequency,
            "monetary": money,
            "revenue": _revenue(frame, monetary, money, where),
            "r_score": r,
            "f_score": f,
            "m_score": m,
        }
    )
    out["rfm_cell"] = (100 * r + 10 * f + m).astype(str)  # scores are single digits
    out["fm_score"] = (f + m + 1) // 2
    if bins == 5:
        codes = np.array([[RFM_SEGMENTS.index(s) for s in row] for row in RFM_SEGMENT_GRID.to_numpy()])
        seg = codes[5 - r, out["fm_score"].to_numpy() - 1]
        out["segment"] = pd.Categorical.from_codes(seg, categories=RFM_SEGMENTS)
    return out


def rfm_eight_classes(
    features: pd.DataFrame, cut: str = "mean", *, monetary: str = "monetary_total"
) -> pd.DataFrame:
    """The Chinese 8-class RFM scheme (重要价值客户 ... 一般挽留客户).

    Parameters
    ----------
    features : pandas.DataFrame
        ``customer_id``, ``recency_days``, ``frequency`` and the ``monetary`` column.
    cut : {"mean", "median"}
        Where each of R, F and M is split into high and low.
    monetary : str
        ``"monetary_total"`` (default) or ``"monetary_mean"``.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``customer_id``: ``customer_id``, ``recency_days``, ``frequency``,
        ``monetary``, ``revenue`` (as in :func:`rfm_scores`), ``r_high``, ``f_high``,
        ``m_high`` (bool) and ``rfm_class``
        (categorical over the codes of :data:`EIGHT_CLASSES`). ``attrs["cuts"]`` holds
        the three cut values.

    Notes
    -----
    "R high" means *recent*: ``r_high = recency_days < cut(recency_days)``;
    ``f_high = frequency > cut(frequency)``, ``m_high = monetary > cut(monetary)``.
    A customer exactly at a cut is low, so identical customers are all
    ``general_winback`` and a median cut on a frequency whose median is 1 makes "high"
    mean "bought at least twice". Customers without a purchase (NaN recency) are not
    recent and do not enter the recency cut.

    ====================== ===== ===== ===== ==============
    code                   R     F     M     zh
    ====================== ===== ===== ===== ==============
    important_value        high  high  high  重要价值客户
    important_development  high  low   high  重要发展客户
    important_retention    low   high  high  重要保持客户
    important_winback      low   low   high  重要挽留客户
    general_value          high  high  low   一般价值客户
    general_development    high  low   low   一般发展客户
    general_retention      low   high  low   一般保持客户
    general_winback        low   low   low   一般挽留客户
    ====================== ===== ===== ===== ==============

    References
    ----------
    The 8-class RFM model as taught in Chinese CRM textbooks and theses (e.g. 客户关系管理
    教材 "RFM分析法"); Hughes (1994) for R, F and M.
    """
    where = "rfm_eight_classes"
    _check_frame(features, ["customer_id", "recency_days", "frequency", monetary], where)
    _choice(cut, ("mean", "median"), "cut")
    frame = _in_id_order(features, where)
    recency = _numeric(frame, "recency_days", where, allow_nan=True)
    frequency = _numeric(frame, "frequency", where)
    money = _numeric(frame, monetary, where)
    stat = np.nanmean if cut == "mean" else np.nanmedian
    cuts = {"recency_days": float(stat(recency)), "frequency": float(stat(frequency)),
            monetary: float(stat(money))}
    r_high = recency < cuts["recency_days"]  # NaN compares False: not recent
    f_high = frequency > cuts["frequency"]
    m_high = money > cuts[monetary]
    # EIGHT_CLASSES lists M high first, then R high, then F high: the code is binary
    codes = 4 * ~m_high + 2 * ~r_high + 1 * ~f_high
    out = pd.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "recency_days": recency,
            "frequency": frequency,
            "monetary": money,
            "revenue": _revenue(frame, monetary, money, where),
            "r_high": r_high,
            "f_high": f_high,
            "m_high": m_high,
            "rfm_class": pd.Categorical.from_codes(codes.astype(np.int8), categories=list(EIGHT_CLASSES)),
        }
    )
    out.attrs["cuts"] = cuts
    return out


def _revenue(frame: pd.DataFrame, monetary: str, money: np.ndarray, where: str) -> np.ndarray:
    """Net revenue per customer for segment summaries, whichever column M is scored on."""
    if monetary == "monetary_total":
        return money
    if "monetary_total" in frame.columns:
        return _numeric(frame, "monetary_total", where, allow_nan=True)
    return np.full(len(frame), np.nan)


def rfm_segment_summary(scores: pd.DataFrame, by: str | None = None, *, lang: str = "en") -> pd.DataFrame:
    """Count, share, revenue share, mean R/F/M and the recommended action per segment.

    Parameters
    ----------
    scores : pandas.DataFrame
        The result of :func:`rfm_scores` or :func:`rfm_eight_classes`.
    by : str, optional
        The segment column; default ``"segment"`` if present, else ``"rfm_class"``.
    lang : {"en", "zh"}
        Language of the ``action`` text.

    Returns
    -------
    pandas.DataFrame
        One row per segment (every category, empty ones with 0 customers), in the
        category order: the segment column, ``customers``, ``customer_share``,
        ``revenue``, ``revenue_share`` (net revenue: the scores' ``revenue`` column,
        i.e. ``monetary_total`` also when M was scored on ``monetary_mean``; NaN when the
        features had no ``monetary_total``),
        ``mean_recency_days``, ``mean_frequency``, ``mean_monetary``, ``action``.
        Shares are 0-1, recency in days, monetary and revenue in currency.

    Notes
    -----
    ``customer_share`` = n_s / n and ``revenue_share`` = revenue_s / total revenue; the
    actions come from :data:`RFM_ACTIONS`.

    References
    ----------
    The segment table of the RFM segment grid (see :func:`rfm_scores`) and of the
    8-class scheme (:func:`rfm_eight_classes`). The actions of the eleven named segments
    paraphrase the "actionable tips" of the Putler article cited in :func:`rfm_scores`;
    those of the eight classes the advice of the Chinese CRM textbooks. Checked on the
    hand-worked table in ``tests/test_value.py``.
    """
    if by is None:
        by = "segment" if isinstance(scores, pd.DataFrame) and "segment" in scores.columns else "rfm_class"
    _check_frame(scores, [by, "recency_days", "frequency", "monetary"], "rfm_segment_summary")
    _choice(lang, ("en", "zh"), "lang")
    # revenue is net revenue (monetary_total), also when M was scored on the mean spend
    revenue = "revenue" if "revenue" in scores.columns else "monetary"
    g = scores.groupby(by, observed=False, sort=True)
    total = scores[revenue].sum()
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g[revenue].sum(),
            "mean_recency_days": g["recency_days"].mean(),
            "mean_frequency": g["frequency"].mean(),
            "mean_monetary": g["monetary"].mean(),
        }
    )
    if scores[revenue].isna().all():  # no monetary_total in the features: revenue unknown
        out["revenue"] = np.nan
    out.insert(1, "customer_share", out["customers"] / len(scores))
    out.insert(3, "revenue_share", out["revenue"] / total if total != 0 else np.nan)
    out = out.reset_index()
    out["action"] = [RFM_ACTIONS.get(str(s), {}).get(lang, "") for s in out[by]]
    return out


# ----------------------------------------------------------------------------------
# value matrix
# ----------------------------------------------------------------------------------


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
    """
    if not 0 < calibration_share < 1:
        raise ValueError(f"calibration_share={calibration_share!r} must be in (0, 1)")
    if "date" not in getattr(transactions, "columns", ()):
        raise ValueError("clv_windows: transactions need a 'date' column")
    end = pd.Timestamp(as_of).normalize()
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
) -> pd.DataFrame:
    """Customer value matrix (客户价值矩阵): current value x growth potential, quadrant.

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
    pandas.DataFrame
        Sorted by ``customer_id``: ``customer_id``, the ``by`` column if given, every
        indicator used, ``current_score``, ``potential_score``, ``n_missing_indicators``,
        ``current_high``, ``potential_high`` and ``quadrant`` (categorical over
        :data:`QUADRANTS`: key 重要客户 invest, maintain 维持, develop 发展,
        minimise_cost 最小化成本) and ``strategy`` (the code of the quadrant's resource
        strategy, :data:`QUADRANT_STRATEGIES`; ``label(code, lang)`` reads it, e.g.
        "重点投入：..."). ``attrs`` hold the indicators and the cut values.

    Raises
    ------
    ValueError
        When an indicator column is absent everywhere or entirely missing, ``by`` is
        missing or has missing values, or the cuts are not two numbers.

    Notes
    -----
    Each indicator is normalised over all customers to its percentile rank
    :math:`p_{ij} \\in (0, 1]` (average ranks for ties), which is robust to the heavy
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
    out.attrs.update(current=current_cols, potential=potential_cols, by=by,
                     cuts=cuts if isinstance(cuts, str) else (cut_c, cut_p))
    return out


def value_matrix_summary(matrix: pd.DataFrame) -> pd.DataFrame:
    """Customers per quadrant (within each ``by`` group) with the quadrant's strategy.

    Parameters
    ----------
    matrix : pandas.DataFrame
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
    """
    _check_frame(matrix, ["quadrant"], "value_matrix_summary")
    by = matrix.attrs.get("by")
    keys = [*([by] if by else []), "quadrant"]
    out = matrix.groupby(keys, observed=False, sort=True).size().rename("customers").reset_index()
    group_size = out.groupby(by)["customers"].transform("sum") if by else out["customers"].sum()
    out["share"] = out["customers"] / group_size
    out["strategy"] = out["quadrant"].map(QUADRANT_STRATEGIES).astype(str)
    return out


# ----------------------------------------------------------------------------------
# key accounts: AHP, entropy weights, scores
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AHPResult:
    """Weights from an AHP pairwise-comparison matrix; see :func:`ahp_weights`."""

    weights: pd.Series
    lambda_max: float
    ci: float
    ri: float
    cr: float
    matrix: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The weights as a frame.

        Returns
        -------
        pandas.DataFrame
            ``criterion`` and ``criterion_weight`` (sums to 1), in the matrix's order.
        """
        return self.weights.rename("criterion_weight").rename_axis("criterion").reset_index()


def ahp_weights(matrix, labels: Sequence[str] | None = None, *, max_cr: float = 0.1) -> AHPResult:
    """AHP weights by the principal eigenvector, with Saaty's consistency ratio.

    Parameters
    ----------
    matrix : array-like or pandas.DataFrame
        Square pairwise-comparison matrix, :math:`a_{ij}` = importance of criterion *i*
        over *j* on Saaty's 1-9 scale, positive and reciprocal
        (:math:`a_{ji} = 1 / a_{ij}`, :math:`a_{ii} = 1`).
    labels : sequence of str, optional
        Criterion names (default: the frame's index, or "c1", "c2", ...).
    max_cr : float
        Largest acceptable consistency ratio (Saaty: 0.1).

    Returns
    -------
    AHPResult
        ``weights`` (Series summing to 1), ``lambda_max``, ``ci``, ``ri``, ``cr``, ``matrix``.

    Raises
    ------
    ValueError
        When the matrix is not square, has non-positive or missing entries, is not
        reciprocal (relative tolerance 1e-3, so 1/3 typed as 0.333 passes), has more
        than 15 criteria, or when ``cr >= max_cr`` (the message shows the matrix, CR,
        and the pair that deviates most from consistency).

    Notes
    -----
    :math:`A w = \\lambda_{max} w` with :math:`w` the principal (Perron) eigenvector
    scaled to sum 1; :math:`CI = (\\lambda_{max} - n)/(n - 1)`, :math:`CR = CI / RI_n`
    with Saaty's random index :data:`RANDOM_INDEX`. For n <= 2 every reciprocal
    matrix is consistent and CR = 0.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process.
    *European Journal of Operational Research* 48, 9-26: the house-buying example
    (yard space: w = (.674, .101, .226), lambda_max 3.086, CR .074; the 8 criteria:
    lambda_max 9.669, CI .238, CR .169) is reproduced in ``tests/test_value.py``.
    """
    if isinstance(matrix, pd.DataFrame):
        if labels is None:
            labels = [str(i) for i in matrix.index]
        a = matrix.to_numpy(dtype=np.float64)
    else:
        try:
            a = np.asarray(matrix, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError("ahp_weights: matrix must be numbers (a square array or DataFrame)") from exc
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"ahp_weights: the comparison matrix must be square; got shape {a.shape}")
    n = a.shape[0]
    if n == 0 or n > 15:
        raise ValueError(f"ahp_weights: {n} criteria; Saaty's random index covers 1 to 15")
    labels = [f"c{i + 1}" for i in range(n)] if labels is None else [str(x) for x in labels]
    if len(labels) != n:
        raise ValueError(f"ahp_weights: {len(labels)} labels for a {n}x{n} matrix")
    shown = pd.DataFrame(a, index=labels, columns=labels)
    if not np.isfinite(a).all() or (a <= 0).any():
        raise ValueError(f"ahp_weights: entries must be positive finite numbers:\n{shown.round(3)}")
    if not np.allclose(np.diag(a), 1.0):
        raise ValueError(f"ahp_weights: the diagonal must be 1 (a criterion equals itself):\n{shown.round(3)}")
    bad = ~np.isclose(a * a.T, 1.0, rtol=1e-3)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"ahp_weights: the matrix is not reciprocal: a[{labels[i]!r}, {labels[j]!r}] = {a[i, j]:.4g} "
            f"but a[{labels[j]!r}, {labels[i]!r}] = {a[j, i]:.4g} (should be {1 / a[i, j]:.4g}); "
            f"{int(bad.sum()) // 2} pair(s) differ:\n{shown.round(3)}"
        )
    eigval, eigvec = np.linalg.eig(a)
    k = int(np.argmax(eigval.real))
    lam = float(eigval[k].real)
    w = np.abs(eigvec[:, k].real)
    w = w / w.sum()
    ci = max((lam - n) / (n - 1), 0.0) if n > 2 else 0.0
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    if cr >= max_cr:
        dev = a * w[None, :] / w[:, None]  # a_ij w_j / w_i is 1 when consistent
        i, j = np.unravel_index(np.argmax(np.abs(np.log(dev))), dev.shape)
        raise ValueError(
            f"ahp_weights: the comparisons are inconsistent: CR = {cr:.3f} >= {max_cr} "
            f"(lambda_max = {lam:.3f}, CI = {ci:.3f}, RI = {ri}); revise the judgements, "
            f"starting with {labels[i]!r} vs {labels[j]!r} (given {a[i, j]:.3g}, consistent "
            f"with the other judgements: {w[i] / w[j]:.3g}):\n{shown.round(3)}"
        )
    return AHPResult(pd.Series(w, index=labels, name="criterion_weight"), lam, ci, ri, cr, shown)


def _directions(directions) -> dict[str, int]:
    if not isinstance(directions, Mapping) or not directions:
        raise TypeError('directions must be a non-empty dict column -> "benefit" or "cost"')
    out = {}
    for col, d in directions.items():
        key = d.lower() if isinstance(d, str) else d
        if key not in _DIRECTIONS:
            raise ValueError(f"direction {d!r} of {col!r} must be 'benefit' (larger is better) or 'cost'")
        out[col] = _DIRECTIONS[key]
    return out


def minmax_normalise(frame: pd.DataFrame, directions) -> pd.DataFrame:
    """Direction-aware min-max normalisation to [0, 1] (1 = best).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per alternative (customer), with the criterion columns.
    directions : dict
        Criterion column -> ``"benefit"`` (larger is better) or ``"cost"``.

    Returns
    -------
    pandas.DataFrame
        One column per criterion (in the order of ``directions``), values in [0, 1],
        on the index of ``frame``.

    Raises
    ------
    ValueError
        When a column is missing or has missing or infinite values, or a direction is
        unknown.
    TypeError
        When a column is not numeric or ``directions`` is not a non-empty dict.

    Notes
    -----
    Benefit: :math:`x' = (x - \\min) / (\\max - \\min)`; cost:
    :math:`x' = (\\max - x) / (\\max - \\min)`. A constant column carries no
    information and becomes 0 for every row.

    References
    ----------
    The range normalisation used before the entropy weight method and weighted
    scoring (see :func:`entropy_weights`); hand-worked in ``tests/test_value.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": [10.0, 10.0, 40.0]})
    >>> minmax_normalise(f, {"x": "benefit", "c": "cost"})
         x    c
    0  0.0  1.0
    1  0.5  1.0
    2  1.0  0.0
    """
    dirs = _directions(directions)
    _check_frame(frame, list(dirs), "minmax_normalise")
    out = {}
    for col, d in dirs.items():
        x = _numeric(frame, col, "minmax_normalise")
        lo, hi = x.min(), x.max()
        span = hi - lo
        out[col] = np.zeros_like(x) if span == 0 else ((x - lo) if d > 0 else (hi - x)) / span
    return pd.DataFrame(out, index=frame.index)


def entropy_weights(frame: pd.DataFrame, directions) -> pd.DataFrame:
    """Entropy weight method (熵权法): weights from the dispersion of each criterion.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per alternative (customer), one column per criterion.
    directions : dict
        Criterion column -> ``"benefit"`` (larger is better) or ``"cost"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by criterion: ``entropy`` e_j, ``divergence`` d_j = 1 - e_j and
        ``criterion_weight`` (sums to 1).

    Raises
    ------
    ValueError
        With fewer than two rows, missing values, or when every criterion is constant
        (no information to weight).

    Notes
    -----
    With :math:`x'_{ij}` from :func:`minmax_normalise`,
    :math:`p_{ij} = x'_{ij} / \\sum_i x'_{ij}`,
    :math:`e_j = -\\frac{1}{\\ln n} \\sum_i p_{ij} \\ln p_{ij}` (with 0 ln 0 = 0),
    :math:`w_j = (1 - e_j) / \\sum_k (1 - e_k)`. A constant criterion has
    :math:`e_j = 1` and weight 0. No shift is added to zeros.

    References
    ----------
    Shannon, C. E. (1948); the entropy weight method as in Zou, Yun & Sun (2006),
    "Entropy method for determination of weight of evaluating indicators in fuzzy
    synthetic evaluation", *J. Environmental Sciences* 18(5). Hand-worked example in the
    tests.
    """
    dirs = _directions(directions)
    if len(frame) < 2:
        raise ValueError(f"entropy_weights: {len(frame)} row(s); the entropy of a criterion needs at least 2")
    x = minmax_normalise(frame, dirs).to_numpy()
    n = x.shape[0]
    col_sum = x.sum(axis=0)
    p = np.divide(x, col_sum, out=np.zeros_like(x), where=col_sum > 0)
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = np.where(col_sum > 0, -plogp.sum(axis=0) / np.log(n), 1.0)
    d = 1.0 - e
    if not d.sum() > 0:
        raise ValueError(f"entropy_weights: every criterion {list(dirs)} is constant over the {n} rows; "
                         "there is no information to weight")
    return pd.DataFrame({"entropy": e, "divergence": d, "criterion_weight": d / d.sum()},
                        index=pd.Index(list(dirs), name="criterion"))


def key_account_criteria(features: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The key-account criteria the data have, one row per customer (by ``customer_id``).

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer, e.g. :func:`workbench.features.customer_features`.
    customers : pandas.DataFrame, optional
        Canonical customers; supplies ``size``, ``industry_growth`` and
        ``strategic_fit`` when ``features`` lacks them (merged on ``customer_id``).

    Returns
    -------
    pandas.DataFrame
        Sorted by ``customer_id``: ``customer_id`` and, where available with at least
        one value, ``monetary_mean`` (transaction size, currency per purchase; 0 for a
        returns-only customer), ``frequency`` (purchases), ``size`` (customer size),
        ``spend_trend`` (growth of the customer, currency per period per period; NaN
        with one active period is set to 0, no evidence of growth), ``industry_growth``
        and ``strategic_fit`` (1-5, judged by the firm). Use with
        :data:`KEY_ACCOUNT_CRITERIA`.

    References
    ----------
    The multi-criteria choice of key accounts (transaction size and frequency, customer
    size, customer and industry growth, strategic fit) of the Chinese CRM textbooks and
    the N company thesis; no published formula. Hand-worked in ``tests/test_value.py``.
    """
    _check_frame(features, ["customer_id"], "key_account_criteria")
    frame = _in_id_order(features, "key_account_criteria")
    if customers is not None:
        _check_frame(customers, ["customer_id"], "key_account_criteria (customers)")
        extra = [c for c in ("customer_id", "size", "industry_growth", "strategic_fit", "industry")
                 if c in customers.columns and (c == "customer_id" or c not in frame.columns)]
        frame = frame.merge(customers[extra], on="customer_id", how="left", validate="one_to_one")
    cols = [c for c in KEY_ACCOUNT_CRITERIA if c in frame.columns and frame[c].notna().any()]
    out = frame[["customer_id", *cols]].copy()
    if "spend_trend" in out.columns:
        out["spend_trend"] = out["spend_trend"].fillna(0.0)
    if "monetary_mean" in out.columns:
        out["monetary_mean"] = out["monetary_mean"].fillna(0.0)  # returns only: no transaction
    return out


def key_account_scores(
    frame: pd.DataFrame,
    criteria: Mapping[str, str],
    weights="entropy",
    top_n: int = 10,
) -> pd.DataFrame:
    """Weighted score of direction-normalised criteria, rank and the top-N key accounts.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer with ``customer_id`` and the criterion columns.
    criteria : dict
        Criterion column -> ``"benefit"`` or ``"cost"``.
    weights : "entropy", dict, pandas.Series or AHPResult
        Criterion weights (normalised to sum 1), or ``"entropy"`` for
        :func:`entropy_weights` on ``frame``.
    top_n : int
        How many customers are flagged as key accounts.

    Returns
    -------
    pandas.DataFrame
        Sorted by rank: ``customer_id``, one ``<criterion>_norm`` column per criterion,
        ``score`` (0-100), ``rank`` (1 = best, ties by ``customer_id``), ``key_account``
        (bool, rank <= top_n). ``attrs["weights"]`` holds the weights used.

    Notes
    -----
    :math:`S_i = 100 \\sum_j w_j x'_{ij}` with :math:`x'` from :func:`minmax_normalise`.

    References
    ----------
    Simple additive weighting (Hwang, C.-L., & Yoon, K. (1981). *Multiple Attribute
    Decision Making*. Springer) of normalised criteria, with weights from
    :func:`ahp_weights` (Saaty 1980) or :func:`entropy_weights`. Hand-worked scores in
    ``tests/test_value.py``.
    """
    where = "key_account_scores"
    dirs = _directions(criteria)
    _check_frame(frame, ["customer_id", *dirs], where)
    if not isinstance(top_n, (int, np.integer)) or top_n < 1:
        raise ValueError(f"top_n={top_n!r} must be a positive integer")
    if isinstance(weights, str):
        _choice(weights, ("entropy",), "weights")
        w = entropy_weights(frame, dirs)["criterion_weight"]
    elif isinstance(weights, AHPResult):
        w = weights.weights
    else:
        w = pd.Series(weights, dtype=np.float64)
    missing = [c for c in dirs if c not in w.index]
    extra = [c for c in w.index if c not in dirs]
    if missing or extra:
        raise ValueError(f"{where}: weights name {list(w.index)} but the criteria are {list(dirs)} "
                         f"(missing {missing}, unknown {extra})")
    w = w[list(dirs)]
    if (w < 0).any() or not w.sum() > 0:
        raise ValueError(f"{where}: weights must be non-negative with a positive sum; got {w.to_dict()}")
    w = w / w.sum()
    norm = minmax_normalise(frame, dirs)
    score = 100.0 * norm.to_numpy() @ w.to_numpy()
    rank = _rank_desc(score, _ids_order(frame, where))
    out = pd.DataFrame({"customer_id": frame["customer_id"].reset_index(drop=True)})
    for col in dirs:
        out[f"{col}_norm"] = norm[col].to_numpy()
    out["score"] = score
    out["rank"] = rank
    out["key_account"] = rank <= top_n
    out = out.sort_values("rank", kind="stable").reset_index(drop=True)
    out.attrs["weights"] = w.to_dict()
    return out


# ----------------------------------------------------------------------------------
# ratios and the account analysis table
# ----------------------------------------------------------------------------------


#: The group of rows without a product (or customer) id in the ratio tables.
MISSING_KEY = "(missing)"


def _ratios(transactions: pd.DataFrame, key: str, stock: pd.DataFrame | None, where: str,
            year: int | None = None) -> pd.DataFrame:
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(f"{where}: expected a pandas DataFrame, got {type(transactions).__name__}")
    for col in (key, "amount"):
        if col not in transactions.columns:
            raise ValueError(f"{where}: transactions lack column {col!r}; columns present: "
                             f"{list(transactions.columns)}")
    if year is not None:
        if "date" not in transactions.columns:
            raise ValueError(f"{where}: year={year} needs a 'date' column in transactions")
        transactions = transactions[transactions["date"].dt.year == int(year)]
        if stock is not None:
            _check_frame_cols(stock, ["year"], f"{where} (stock, year={year})")
            stock = stock.loc[stock["year"] == int(year)].drop(columns="year")
            if stock.empty:
                raise ValueError(f"{where}: the stock table has no rows for year {year}")
    amount = _numeric(transactions, "amount", where)
    if "gross_profit" in transactions.columns:
        profit = _numeric(transactions, "gross_profit", where, allow_nan=True)
    elif "cost" in transactions.columns:
        profit = amount - _numeric(transactions, "cost", where, allow_nan=True)
    else:
        profit = np.full_like(amount, np.nan)
    # rows without an id are a group of their own: their sales count in every share
    tx = pd.DataFrame({key: transactions[key].astype(object).where(transactions[key].notna(), MISSING_KEY)
                       .to_numpy(), "sales": amount, "gross_profit": profit})
    g = tx.groupby(key, sort=True)
    out = pd.DataFrame({"sales": g["sales"].sum(), "gross_profit": g["gross_profit"].sum(min_count=1)})
    # a group with any row lacking cost has unknown profit (min_count does not see NaN rows)
    unknown = tx["gross_profit"].isna().groupby(tx[key], sort=True).any()
    out.loc[unknown.to_numpy(), "gross_profit"] = np.nan
    out["cost"] = out["sales"] - out["gross_profit"]
    sales = out["sales"].to_numpy()
    out["gross_margin_rate"] = np.where(sales > 0, out["gross_profit"] / np.where(sales > 0, sales, 1), np.nan)
    total = sales[sales > 0].sum()
    out["sales_share"] = sales / total if total > 0 else np.nan
    if stock is not None:
        _check_frame_cols(stock, [key, "opening_stock", "closing_stock"], where)
        s = stock.set_index(key)
        if s.index.duplicated().any():
            raise ValueError(f"{where}: stock has duplicated {key!r} values; expected one row each")
        avg = (s["opening_stock"].astype(float) + s["closing_stock"].astype(float)) / 2
        avg = avg.reindex(out.index)
        out["average_stock"] = avg
        out["turnover"] = np.where(avg > 0, out["sales"] / avg.where(avg > 0), np.nan)
    else:
        out["average_stock"] = np.nan
        out["turnover"] = np.nan
    out["cross_ratio"] = out["gross_margin_rate"] * out["turnover"]
    out["contribution_ratio"] = out["cross_ratio"] * out["sales_share"]
    return out.reset_index()


def _check_frame_cols(frame, columns, where):
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{where}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing}; columns present: {list(frame.columns)}")


_RATIO_DOC = """

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions with ``amount`` and ``gross_profit`` or ``cost``.
    stock : pandas.DataFrame, optional
        ``{key}``, ``opening_stock``, ``closing_stock`` (at selling price, in the same
        currency as ``amount``) for the same period; with ``year``, also a ``year``
        column, one row per {key} and year.
    year : int, optional
        Restrict both to one calendar year: the transactions dated in it (``date``
        column) and the stock rows of that year, so turnover relates a year's sales to
        that year's stock.

    Returns
    -------
    pandas.DataFrame
        One row per {key} (sorted; rows without one form the group ``"(missing)"``, so
        no sales are dropped): ``sales`` (net of returns), ``gross_profit``,
        ``cost``, ``gross_margin_rate``, ``sales_share``, ``average_stock``, ``turnover``,
        ``cross_ratio``, ``contribution_ratio``. Without ``stock`` the last four are NaN.

    Notes
    -----
    gross margin rate = (sales - cost) / sales (NaN when sales <= 0);
    turnover = sales / ((opening + closing stock) / 2);
    cross ratio (交叉比率) = gross margin rate x turnover;
    contribution ratio (贡献比率) = cross ratio x sales share, with
    sales share = sales / total positive sales.

    References
    ----------
    The customer and product analysis ratios of Chinese CRM textbooks
    (客户分析: 商品毛利率, 商品周转率, 交叉比率, 贡献比率).
"""


def customer_ratios(transactions: pd.DataFrame, stock: pd.DataFrame | None = None, *,
                    year: int | None = None) -> pd.DataFrame:
    return _ratios(transactions, "customer_id", stock, "customer_ratios", year)


def product_ratios(transactions: pd.DataFrame, stock: pd.DataFrame | None = None, *,
                   year: int | None = None) -> pd.DataFrame:
    return _ratios(transactions, "product_id", stock, "product_ratios", year)


customer_ratios.__doc__ = "Gross margin, turnover, cross and contribution ratio per customer." + \
    _RATIO_DOC.format(key="customer_id")
product_ratios.__doc__ = "Gross margin, turnover, cross and contribution ratio per product." + \
    _RATIO_DOC.format(key="product_id")


def account_analysis(
    frame: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    by: str = "customer_type",
    value: str = "monetary_total",
) -> pd.DataFrame:
    """Account analysis table (客户分析表): sales by customer class with subtotals and shares.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer with ``customer_id`` and ``value``.
    customers : pandas.DataFrame, optional
        Supplies the ``by`` column when ``frame`` lacks it.
    by : str
        The class column (customer type: wholesale, retail, agent, ...).
    value : str
        The sales column.

    Returns
    -------
    pandas.DataFrame
        ``row_type`` ("customer", "subtotal", "total"), ``by``, ``customer_id`` (empty on
        subtotal and total rows), ``customers``, ``sales``, ``share_within_class``
        (sales / class subtotal) and ``share_of_total``. Classes in descending order of
        subtotal, customers within a class in descending order of sales (ties by id);
        each class ends with its subtotal row and the table with the total row. Sales
        in currency, shares 0-1.

    Notes
    -----
    ``share_within_class`` = sales_i / sales of the class; ``share_of_total`` =
    sales_i / total sales (net, negatives included).

    References
    ----------
    The account analysis table (客户分析表) of the Chinese CRM textbooks: customers
    classified by type, subtotals and totals, shares within class and of the total.
    Hand-worked in ``tests/test_value.py``.
    """
    where = "account_analysis"
    _check_frame(frame, ["customer_id", value], where)
    _ids_order(frame, where)  # one row per customer
    data = frame[["customer_id", value] + ([by] if by in frame.columns else [])]
    if by not in data.columns:
        if customers is None or by not in customers.columns:
            raise ValueError(f"{where}: no column {by!r} in the frame; pass customers=... holding it")
        data = data.merge(customers[["customer_id", by]], on="customer_id", how="left", validate="one_to_one")
    n_missing = int(data[by].isna().sum())
    if n_missing:
        raise ValueError(f"{where}: {n_missing} customer(s) have no {by!r}; fill it (e.g. 'unknown') first")
    sales = _numeric(data, value, where)
    data = pd.DataFrame({by: data[by].astype(str).to_numpy(), "customer_id": data["customer_id"].astype(str).to_numpy(),
                         "sales": sales})
    total = sales.sum()
    sub = data.groupby(by, sort=True)["sales"].agg(["sum", "size"])
    sub = sub.sort_values("sum", ascending=False, kind="stable")
    pieces = []
    for cls, row in sub.iterrows():  # one iteration per class, not per customer
        part = data[data[by] == cls].sort_values(["sales", "customer_id"], ascending=[False, True], kind="stable")
        part = part.assign(row_type="customer", customers=1,
                           share_within_class=part["sales"] / row["sum"] if row["sum"] != 0 else np.nan)
        subtotal = pd.DataFrame({"row_type": ["subtotal"], by: [cls], "customer_id": [""],
                                 "customers": [int(row["size"])], "sales": [row["sum"]],
                                 "share_within_class": [1.0]})
        pieces += [part, subtotal]
    pieces.append(pd.DataFrame({"row_type": ["total"], by: [""], "customer_id": [""],
                                "customers": [len(data)], "sales": [total], "share_within_class": [np.nan]}))
    out = pd.concat(pieces, ignore_index=True)
    out["share_of_total"] = out["sales"] / total if total != 0 else np.nan
    return out[["row_type", by, "customer_id", "customers", "sales", "share_within_class", "share_of_total"]]
