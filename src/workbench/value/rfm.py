"""RFM quintile scores, their segments and actions, and the Chinese textbook's eight RFM classes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.value._frames import _check_frame, _choice, _in_id_order, _numeric

__all__ = [
    "EIGHT_CLASSES",
    "RFM_ACTIONS",
    "RFM_SEGMENTS",
    "RFM_SEGMENT_GRID",
    "EightClasses",
    "rfm_eight_classes",
    "rfm_scores",
    "rfm_segment_summary",
]


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

#: Recommended action per segment (both RFM schemes): segment -> action code; the texts
#: are the ``rfm_action_<segment>`` entries of the label table (``label(code, lang)``).
RFM_ACTIONS = {segment: f"rfm_action_{segment}" for segment in (*RFM_SEGMENTS, *EIGHT_CLASSES)}


# ----------------------------------------------------------------------------------
# RFM
# ----------------------------------------------------------------------------------


def _tie_key(values: np.ndarray) -> np.ndarray:
    """``values`` rounded to 12 significant digits, the key the scores rank by: sums of money
    differ in the last bit by the order of addition (0.1 + 0.2 != 0.3), and a tie must stay
    a tie whatever the currency unit."""
    key = np.asarray(values, dtype=np.float64).copy()
    # below 1e-280 the scale 10**(11 - exponent) overflows; such amounts are kept as they are
    finite = np.isfinite(key) & (np.abs(key) > 1e-280)
    scale = 10.0 ** (11 - np.floor(np.log10(np.abs(key[finite]))))
    key[finite] = np.round(key[finite] * scale) / scale
    return key


def _scores(values: np.ndarray, bins: int, method: str) -> np.ndarray:
    """Score 1..bins, larger value -> larger score; rows are in customer_id order."""
    values = _tie_key(values)
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
    r"""R, F and M scores (1..bins, recent = high), the RFM cell and the named segment.

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

    .. math:: s_i = 1 + \lfloor \text{bins} \cdot b_i / n \rfloor .

    * ``method="quintile"``: :math:`b_i` is the position in a stable sort by
      (value, ``customer_id``), i.e. ``rank(method="first")`` after sorting by id, so
      each score holds n/bins customers (equal-count quintiles) and equal values are
      split by id.
    * ``method="ties"``: :math:`b_i` is the number of customers with a strictly smaller
      value, so equal values always get the same score; score groups are then unequal
      (with CDNOW's many one-purchase buyers, F has few levels).

    A customer without a purchase in the window (returns only: NaN recency) gets the
    lowest R score. Segments come from :data:`RFM_SEGMENT_GRID`, R score by FM score
    :math:`= \lfloor (F + M)/2 + 1/2 \rfloor`; every one of the 125 cells maps to one
    segment.

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Probus (quintile scoring).
    The segment names and regions follow the widely used RFM segment grid by R and the
    average of F and M (Putler, "RFM Analysis For Successful Customer Segmentation";
    the same eleven names as ``rfm_segment`` in the R package rfm by A. Hebbali),
    with overlaps resolved so that the grid is a partition.

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "recency_days": [5.0, 20.0, 150.0, 300.0],
    ...                          "frequency": [10, 2, 8, 1], "monetary_total": [5000.0, 2500.0, 1200.0, 100.0]})
    >>> rfm_scores(features, bins=2)[["customer_id", "r_score", "f_score", "m_score", "rfm_cell"]]
      customer_id  r_score  f_score  m_score rfm_cell
    0           a        2        2        2      222
    1           b        2        1        2      212
    2           c        1        2        1      121
    3           d        1        1        1      111
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


@dataclass(frozen=True)
class EightClasses:
    """The Chinese 8-class RFM scheme; see :func:`rfm_eight_classes`.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per customer, sorted by ``customer_id``: ``customer_id``,
        ``recency_days``, ``frequency``, ``monetary``, ``revenue``, ``r_high``,
        ``f_high``, ``m_high`` and ``rfm_class`` (codes of :data:`EIGHT_CLASSES`).
    cut : {"mean", "median"}
        The statistic the cuts are.
    cuts : dict of str to float
        ``recency_days`` (days), ``frequency`` (purchases) and the monetary column
        (currency) -> the cut value.

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "recency_days": [5.0, 20.0, 150.0, 300.0],
    ...                          "frequency": [10, 2, 8, 1], "monetary_total": [5000.0, 2500.0, 1200.0, 100.0]})
    >>> summary = rfm_eight_classes(features).summary()
    >>> summary.loc[summary["customers"] > 0, ["rfm_class", "customers", "action"]]
                   rfm_class  customers                            action
    0        important_value          1        rfm_action_important_value
    1  important_development          1  rfm_action_important_development
    6      general_retention          1      rfm_action_general_retention
    7        general_winback          1        rfm_action_general_winback
    """

    customers: pd.DataFrame
    cut: str
    cuts: dict

    def summary(self) -> pd.DataFrame:
        """Customers, revenue and action per class; see :func:`rfm_segment_summary`."""
        return rfm_segment_summary(self.customers, by="rfm_class")

    def tables(self) -> dict[str, pd.DataFrame]:
        """The classes as flat tables.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``rfm_eight_classes`` (:attr:`customers`), ``rfm_eight_class_summary``
            (:meth:`summary`) and ``rfm_eight_class_cuts`` (``indicator``, ``cut``).
        """
        cuts = pd.DataFrame({"indicator": list(self.cuts), "cut": list(self.cuts.values())})
        return {"rfm_eight_classes": self.customers, "rfm_eight_class_summary": self.summary(),
                "rfm_eight_class_cuts": cuts}


def rfm_eight_classes(
    features: pd.DataFrame, *, cut: str = "mean", monetary: str = "monetary_total"
) -> EightClasses:
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
    EightClasses
        ``customers`` sorted by ``customer_id``: ``customer_id``, ``recency_days``,
        ``frequency``, ``monetary``, ``revenue`` (as in :func:`rfm_scores`), ``r_high``,
        ``f_high``, ``m_high`` (bool) and ``rfm_class`` (categorical over the codes of
        :data:`EIGHT_CLASSES`); ``cuts`` the three cut values.

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

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "recency_days": [5.0, 20.0, 150.0, 300.0],
    ...                          "frequency": [10, 2, 8, 1], "monetary_total": [5000.0, 2500.0, 1200.0, 100.0]})
    >>> eight = rfm_eight_classes(features)
    >>> eight.cuts
    {'recency_days': 118.75, 'frequency': 5.25, 'monetary_total': 2200.0}
    >>> eight.customers[["customer_id", "rfm_class"]]
      customer_id              rfm_class
    0           a        important_value
    1           b  important_development
    2           c      general_retention
    3           d        general_winback
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
    return EightClasses(customers=out, cut=cut, cuts=cuts)


def _revenue(frame: pd.DataFrame, monetary: str, money: np.ndarray, where: str) -> np.ndarray:
    """Net revenue per customer for segment summaries, whichever column M is scored on."""
    if monetary == "monetary_total":
        return money
    if "monetary_total" in frame.columns:
        return _numeric(frame, "monetary_total", where, allow_nan=True)
    return np.full(len(frame), np.nan)


def rfm_segment_summary(scores: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Count, share, revenue share, mean R/F/M and the recommended action per segment.

    Parameters
    ----------
    scores : pandas.DataFrame or EightClasses
        The result of :func:`rfm_scores` or of :func:`rfm_eight_classes`.
    by : str, optional
        The segment column; default ``"segment"`` if present, else ``"rfm_class"``.

    Returns
    -------
    pandas.DataFrame
        One row per segment (every category, empty ones with 0 customers), in the
        category order: the segment column, ``customers``, ``customer_share``,
        ``revenue``, ``revenue_share`` (net revenue: the scores' ``revenue`` column,
        i.e. ``monetary_total`` also when M was scored on ``monetary_mean``; NaN when the
        features had no ``monetary_total``),
        ``mean_recency_days``, ``mean_frequency``, ``mean_monetary``, ``action`` (the
        code of :data:`RFM_ACTIONS`; ``label(code, lang)`` gives its text). Shares are
        0-1, recency in days, monetary and revenue in currency.

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

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "recency_days": [5.0, 20.0, 150.0, 300.0],
    ...                          "frequency": [10, 2, 8, 1], "monetary_total": [5000.0, 2500.0, 1200.0, 100.0]})
    >>> summary = rfm_segment_summary(rfm_scores(features, bins=2).assign(segment=["best", "best", "rest", "rest"]))
    >>> summary[["segment", "customers", "customer_share", "revenue_share"]]
      segment  customers  customer_share  revenue_share
    0    best          2             0.5       0.852273
    1    rest          2             0.5       0.147727
    """
    if isinstance(scores, EightClasses):
        scores = scores.customers
    if by is None:
        by = "segment" if isinstance(scores, pd.DataFrame) and "segment" in scores.columns else "rfm_class"
    _check_frame(scores, [by, "recency_days", "frequency", "monetary"], "rfm_segment_summary")
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
    out["action"] = [RFM_ACTIONS.get(str(s), "") for s in out[by]]
    return out
