"""Key accounts: criteria, AHP and entropy weights, min-max normalisation and the weighted score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.value._frames import _check_frame, _choice, _ids_order, _in_id_order, _numeric, _rank_desc

__all__ = [
    "KEY_ACCOUNT_AHP",
    "KEY_ACCOUNT_CRITERIA",
    "RANDOM_INDEX",
    "AHPResult",
    "KeyAccountScores",
    "ahp_weights",
    "entropy_weights",
    "key_account_criteria",
    "key_account_scores",
    "minmax_normalise",
]


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
# key accounts: AHP, entropy weights, scores
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AHPResult:
    r"""Weights from an AHP pairwise-comparison matrix; see :func:`ahp_weights`.

    Attributes
    ----------
    weights : pandas.Series
        Criterion -> weight (principal eigenvector, sums to 1).
    lambda_max, ci, ri, cr : float
        Principal eigenvalue, consistency index :math:`(\lambda_{max} - n) / (n - 1)`,
        Saaty's random index for the order n, and the consistency ratio CI / RI.
    matrix : pandas.DataFrame
        The pairwise-comparison matrix, labelled.

    Examples
    --------
    >>> ahp_weights([[1, 3], [1 / 3, 1]], ["frequency", "strategic_fit"]).to_frame()
           criterion  criterion_weight
    0      frequency              0.75
    1  strategic_fit              0.25
    """

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
    r"""AHP weights by the principal eigenvector, with Saaty's consistency ratio.

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
    :math:`A w = \lambda_{max} w` with :math:`w` the principal (Perron) eigenvector
    scaled to sum 1; :math:`CI = (\lambda_{max} - n)/(n - 1)`, :math:`CR = CI / RI_n`
    with Saaty's random index :data:`RANDOM_INDEX`. For n <= 2 every reciprocal
    matrix is consistent and CR = 0.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process.
    *European Journal of Operational Research* 48, 9-26: the house-buying example
    (yard space: w = (.674, .101, .226), lambda_max 3.086, CR .074; the 8 criteria:
    lambda_max 9.669, CI .238, CR .169) is reproduced in ``tests/test_value.py``.

    Examples
    --------
    >>> ahp = ahp_weights([[1, 3], [1 / 3, 1]], ["frequency", "strategic_fit"])
    >>> ahp.weights.round(3).tolist(), ahp.cr
    ([0.75, 0.25], 0.0)
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
    r"""Direction-aware min-max normalisation to [0, 1] (1 = best).

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
    Benefit: :math:`x' = (x - \min) / (\max - \min)`; cost:
    :math:`x' = (\max - x) / (\max - \min)`. A constant column carries no
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
    r"""Entropy weight method (熵权法): weights from the dispersion of each criterion.

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
    :math:`p_{ij} = x'_{ij} / \sum_i x'_{ij}`,
    :math:`e_j = -\frac{1}{\ln n} \sum_i p_{ij} \ln p_{ij}` (with 0 ln 0 = 0),
    :math:`w_j = (1 - e_j) / \sum_k (1 - e_k)`. A constant criterion has
    :math:`e_j = 1` and weight 0. No shift is added to zeros.

    References
    ----------
    Shannon, C. E. (1948); the entropy weight method as in Zou, Yun & Sun (2006),
    "Entropy method for determination of weight of evaluating indicators in fuzzy
    synthetic evaluation", *J. Environmental Sciences* 18(5). Hand-worked example in the
    tests.

    Examples
    --------
    >>> criteria = pd.DataFrame({"customer_id": ["a", "b", "c"], "frequency": [10, 2, 8], "strategic_fit": [5, 3, 1]})
    >>> entropy_weights(criteria, {"frequency": "benefit", "strategic_fit": "benefit"}).round(3).reset_index()
           criterion  entropy  divergence  criterion_weight
    0      frequency    0.622       0.378             0.474
    1  strategic_fit    0.579       0.421             0.526
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

    Examples
    --------
    >>> features = pd.DataFrame({"customer_id": ["b", "a"], "monetary_mean": [120.0, 80.0], "frequency": [2, 6],
    ...                          "spend_trend": [np.nan, 5.0]})
    >>> key_account_criteria(features, pd.DataFrame({"customer_id": ["a", "b"], "strategic_fit": [4, 2]}))
      customer_id  monetary_mean  frequency  spend_trend  strategic_fit
    0           a           80.0          6          5.0              4
    1           b          120.0          2          0.0              2
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


@dataclass(frozen=True)
class KeyAccountScores:
    """Weighted key-account scores; see :func:`key_account_scores`.

    Attributes
    ----------
    customers : pandas.DataFrame
        Sorted by rank: ``customer_id``, ``<criterion>_norm`` (0-1), ``score`` (0-100),
        ``rank`` and ``key_account`` (bool).
    weights : pandas.Series
        Criterion -> weight used (sums to 1), in the criteria's order.
    top_n : int
        Customers flagged as key accounts.

    Examples
    --------
    >>> criteria = pd.DataFrame({"customer_id": ["a", "b", "c"], "frequency": [10, 2, 8], "strategic_fit": [5, 3, 1]})
    >>> scores = key_account_scores(criteria, {"frequency": "benefit", "strategic_fit": "benefit"}, top_n=2)
    >>> scores.key_accounts["customer_id"].tolist(), scores.weights.round(3).to_dict()
    (['a', 'c'], {'frequency': 0.474, 'strategic_fit': 0.526})
    """

    customers: pd.DataFrame
    weights: pd.Series
    top_n: int

    @property
    def key_accounts(self) -> pd.DataFrame:
        """The ``top_n`` key accounts (rows of :attr:`customers`)."""
        return self.customers[self.customers["key_account"]]

    def tables(self) -> dict[str, pd.DataFrame]:
        """The scores as flat tables.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``key_account_scores`` (:attr:`customers`) and ``key_account_score_weights``
            (``criterion``, ``criterion_weight``).
        """
        return {"key_account_scores": self.customers,
                "key_account_score_weights": self.weights.rename_axis("criterion").reset_index()}


def key_account_scores(
    frame: pd.DataFrame,
    criteria: Mapping[str, str],
    weights="entropy",
    *,
    top_n: int = 10,
) -> KeyAccountScores:
    r"""Weighted score of direction-normalised criteria, rank and the top-N key accounts.

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
    KeyAccountScores
        ``customers`` sorted by rank: ``customer_id``, one ``<criterion>_norm`` column
        per criterion, ``score`` (0-100), ``rank`` (1 = best, ties by ``customer_id``),
        ``key_account`` (bool, rank <= top_n); ``weights`` the weights used.

    Notes
    -----
    :math:`S_i = 100 \sum_j w_j x'_{ij}` with :math:`x'` from :func:`minmax_normalise`.

    References
    ----------
    Simple additive weighting (Hwang, C.-L., & Yoon, K. (1981). *Multiple Attribute
    Decision Making*. Springer) of normalised criteria, with weights from
    :func:`ahp_weights` (Saaty 1980) or :func:`entropy_weights`. Hand-worked scores in
    ``tests/test_value.py``.

    Examples
    --------
    >>> criteria = pd.DataFrame({"customer_id": ["a", "b", "c"], "frequency": [10, 2, 8], "strategic_fit": [5, 3, 1]})
    >>> scores = key_account_scores(criteria, {"frequency": "benefit", "strategic_fit": "benefit"},
    ...                             {"frequency": 3, "strategic_fit": 1}, top_n=1)
    >>> scores.customers[["customer_id", "score", "rank", "key_account"]].round(1)
      customer_id  score  rank  key_account
    0           a  100.0     1         True
    1           c   56.2     2        False
    2           b   12.5     3        False
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
    return KeyAccountScores(customers=out, weights=w.rename("criterion_weight"), top_n=int(top_n))
