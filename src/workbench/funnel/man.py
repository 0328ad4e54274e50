"""MAN qualification: Money, Authority, Need, and how it relates to winning.

A target customer (目标客户) in the lecture is a "MAN" customer: it can afford the
purchase (Money, 购买力), the contact decides it (Authority, 决策权) and it needs the
product (Need, 需求). Each criterion is a yes/no answer or a 1-5 rating; the weighted
score gives a class (``man_high``, ``man_medium``, ``man_low``, ``man_unknown`` when an
answer is missing) and the pattern of criteria met is written as in the sales
literature: capitals for met, small letters for not (``MAN``, ``MAn``, ..., ``man``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench.funnel.stages import MAN_CLASSES, _params, stage_conversion, win_rates
from workbench.parameters import MAN_CRITERIA, FunnelParameters

__all__ = ["MAN_CLASSES", "ManWinRates", "man_scores", "man_win_rates"]


def _scale(values: pd.Series, criterion: str, params: FunnelParameters) -> str:
    given = values.dropna()
    if params.man_scale != "auto":
        scale = params.man_scale
    else:
        scale = "binary" if given.isin([0, 1]).all() else "rating"
    if scale == "binary" and not given.isin([0, 1]).all():
        raise ValueError(f"man_scores: column '{criterion}' holds {sorted(set(given) - {0, 1})[:5]}, "
                         "not only yes/no (0/1); set parameters.funnel.man_scale to 'rating' or 'auto'")
    if scale == "rating" and not given.between(1, 5).all():
        raise ValueError(f"man_scores: column '{criterion}' mixes {sorted(set(given[~given.between(1, 5)]))[:5]} "
                         "with ratings 1-5; ratings run from 1 to 5 (set parameters.funnel.man_scale "
                         "to 'binary' for yes/no answers)")
    return scale


def man_scores(summary: pd.DataFrame, params: FunnelParameters | None = None) -> pd.DataFrame:
    r"""The MAN score, pattern and class of each opportunity (prospect).

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per opportunity (:func:`workbench.funnel.opportunity_summary`) with the
        answers ``money``, ``authority`` and ``need``: 0/1 (no/yes) or ratings 1-5.
    params : FunnelParameters, optional
        Weights, class cut-offs, scale and the rating at which a criterion is met.

    Returns
    -------
    pandas.DataFrame
        ``summary`` with ``money_score``, ``authority_score``, ``need_score`` (0-1),
        ``man_score`` (0-1), ``man_pattern`` (e.g. ``MAn``: money and authority met,
        need not) and ``man_class``; rows with a missing answer get score and pattern
        missing and class ``man_unknown``.

    Notes
    -----
    Criterion score :math:`x_j` = the answer (yes 1, no 0) or :math:`(r_j - 1)/4` for a
    rating :math:`r_j`; :math:`\text{MAN score} = \sum_j w_j x_j` with the weights
    summing to 1. Class ``man_high`` when the score >= the first cut-off, ``man_medium``
    when >= the second, else ``man_low``. A criterion is met (capital letter) when the
    answer is yes or the rating >= ``man_met_at``.

    References
    ----------
    The MAN rule (Money, Authority, Need) of prospect qualification as taught in the
    CRM lecture (DOMAIN.md, "Prospects and the funnel"); no reference implementation.

    Examples
    --------
    >>> summary = pd.DataFrame({"opportunity_id": ["A", "B", "C"], "money": [5, 4, 2],
    ...                         "authority": [4, 2, 1], "need": [5, 3, None]})
    >>> man_scores(summary)[["man_score", "man_pattern", "man_class"]]
       man_score man_pattern    man_class
    0   0.916667         MAN     man_high
    1   0.500000         Man   man_medium
    2        NaN         NaN  man_unknown
    """
    params = _params(params)
    missing = [c for c in MAN_CRITERIA if c not in summary.columns]
    if missing:
        raise ValueError(f"man_scores: MAN answer column(s) {missing} missing; map them in the case "
                         f"file (columns: money, authority, need) (present: {list(summary.columns)})")
    out = summary.copy()
    scores, met = {}, {}
    for criterion in MAN_CRITERIA:
        values = pd.to_numeric(out[criterion], errors="coerce").astype(float)
        if (values.isna() & out[criterion].notna()).any():
            bad = out.loc[values.isna() & out[criterion].notna(), criterion].iloc[0]
            raise ValueError(f"man_scores: column '{criterion}' holds {bad!r}, not a number; pass the "
                             "clean opportunities (yes/no become 1/0 in cleaning)")
        if _scale(values, criterion, params) == "binary":
            scores[criterion], met[criterion] = values, values == 1
        else:
            scores[criterion], met[criterion] = (values - 1) / 4, values >= params.man_met_at
        out[f"{criterion}_score"] = scores[criterion]
    complete = pd.concat(scores, axis=1).notna().all(axis=1)
    # rounded so that 0.75 from 1/3-weights is not 0.7499999999999999
    score = sum(params.man_weights[c] * scores[c] for c in MAN_CRITERIA).round(12)
    out["man_score"] = score.where(complete)
    letters = [np.where(met[c], c[0].upper(), c[0]) for c in MAN_CRITERIA]
    pattern = pd.Series(np.char.add(np.char.add(letters[0], letters[1]), letters[2]), index=out.index)
    out["man_pattern"] = pattern.where(complete).astype("str")
    high, medium = params.man_cutoffs
    out["man_class"] = np.where(~complete, "man_unknown", np.where(
        score >= high, "man_high", np.where(score >= medium, "man_medium", "man_low")))
    return out


@dataclass(frozen=True)
class ManWinRates:
    """Win rate by MAN class and a test that it differs; see :func:`man_win_rates`.

    Attributes
    ----------
    table : DataFrame
        One row per class present (best first): the columns of
        :func:`workbench.funnel.win_rates` by ``man_class``, plus ``p_win`` (of a new
        lead, open deals censored) with ``p_win_ci_lower``/``p_win_ci_upper``.
    test : dict
        ``test`` (``chi2`` of classes x won/lost, or ``fisher`` exact for two classes
        with an expected count below 5), ``statistic``, ``dof``, ``p_value``,
        ``min_expected``, ``classes`` (those tested: known classes with a closed deal).

    Examples
    --------
    >>> summary = pd.DataFrame({"man_class": ["man_high"] * 2 + ["man_low"] * 2,
    ...                         "outcome": ["deal_won", "deal_lost", "deal_lost", "deal_lost"],
    ...                         "stage_rank": [3, 1, 0, 1]})
    >>> result = man_win_rates(summary)
    >>> result.table[["man_class", "deals_won", "win_rate"]]
      man_class  deals_won  win_rate
    0  man_high          1       0.5
    1   man_low          0       0.0
    >>> result.test["test"]
    'fisher'
    """

    table: pd.DataFrame
    test: dict


def man_win_rates(summary: pd.DataFrame, params: FunnelParameters | None = None) -> ManWinRates:
    """Win rate per MAN class with intervals, and a test that qualification matters.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`man_scores` (``man_class``, ``outcome``, ``stage_rank``).
    params : FunnelParameters, optional
        Interval method and level.

    Returns
    -------
    ManWinRates

    Notes
    -----
    H0: the share of closed deals won is the same in every known MAN class. Pearson's
    chi-square test of the classes x (won, lost) table (scipy ``chi2_contingency``,
    without continuity correction); with two classes and an expected count below 5,
    Fisher's exact test instead. ``man_unknown`` is shown but not tested.

    References
    ----------
    Agresti, A. (2013). Categorical Data Analysis (3rd ed.), ch. 3. Wiley.

    Examples
    --------
    >>> summary = pd.DataFrame({"man_class": ["man_high"] * 4 + ["man_low"] * 4,
    ...                         "outcome": ["deal_won"] * 3 + ["deal_lost"] + ["deal_won"] + ["deal_lost"] * 3,
    ...                         "stage_rank": [3, 3, 3, 1, 3, 0, 0, 1]})
    >>> result = man_win_rates(summary)
    >>> result.table[["man_class", "deals_closed", "deals_won", "win_rate"]]
      man_class  deals_closed  deals_won  win_rate
    0  man_high             4          3      0.75
    1   man_low             4          1      0.25
    >>> result.test["test"], round(result.test["p_value"], 4)
    ('fisher', 0.4857)
    """
    params = _params(params)
    if "man_class" not in summary.columns:
        raise ValueError("man_win_rates: no 'man_class' column; pass man_scores(summary) first")
    table = win_rates(summary, params, by="man_class")
    p_win = stage_conversion(summary, params, by="man_class").groupby("man_class").first()
    table = table.merge(p_win[["p_win", "p_win_ci_lower", "p_win_ci_upper"]], left_on="man_class",
                        right_index=True, how="left")
    known = table[(table["man_class"] != "man_unknown") & (table["deals_closed"] > 0)]
    counts = known[["deals_won", "deals_lost"]].to_numpy()
    test = {"test": None, "statistic": np.nan, "dof": 0, "p_value": np.nan, "min_expected": np.nan,
            "classes": known["man_class"].tolist()}
    if len(known) >= 2 and counts.sum(axis=0).min() > 0:
        chi2, p, dof, expected = stats.chi2_contingency(counts, correction=False)
        test.update(test="chi2", statistic=float(chi2), dof=int(dof), p_value=float(p),
                    min_expected=float(expected.min()))
        if len(known) == 2 and expected.min() < 5:
            odds, p = stats.fisher_exact(counts)
            test.update(test="fisher", statistic=float(odds), p_value=float(p))
    return ManWinRates(table=table, test=test)
