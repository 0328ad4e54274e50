"""Survey cleaning and measurement quality: reliability, validity, KMO/Bartlett, CFA."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.satisfaction.pls import PLSPathModel, htmt_matrix
from workbench.satisfaction.spec import item_matrix, load_spec

__all__ = [
    "CFAResult",
    "SurveyCleaning",
    "clean_survey",
    "cronbach_alpha",
    "composite_reliability",
    "item_statistics",
    "reliability_table",
    "fornell_larcker",
    "htmt_table",
    "kmo_bartlett",
    "cfa_fit",
]

_MISSING_RULES = ("listwise", "mean")
_REASONS = ("non_numeric_answer", "out_of_scale", "not_on_scale_step", "straight_lining",
            "too_many_missing", "missing_answers")


@dataclass(frozen=True)
class SurveyCleaning:
    """Result of :func:`clean_survey`.

    Attributes
    ----------
    data : DataFrame
        Kept respondents, items as floats (answers as given; reverse coding is applied
        by the analyses), missing answers handled by the stated rule.
    quarantine : DataFrame
        Quarantined respondents: the original row plus ``reason`` and ``detail``.
    log : DataFrame
        ``step``, ``rows`` / ``answers`` counts and the rule applied.

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> cleaned = clean_survey(survey.assign(respondent_id=list("abcdef")), spec)
    >>> cleaned.log[["step", "count"]].head(3)
                     step  count
    0             rows_in      6
    1  non_numeric_answer      0
    2        out_of_scale      0
    """

    data: pd.DataFrame
    quarantine: pd.DataFrame
    log: pd.DataFrame


def clean_survey(survey: pd.DataFrame, spec, *, missing: str = "listwise",
                 max_missing_share: float = 0.5, straightlining: bool = True) -> SurveyCleaning:
    """Validate survey answers against a model spec.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per respondent with the spec's item columns.
    spec : ModelSpec or spec name/path
    missing : {"listwise", "mean"}, default "listwise"
        ``"listwise"``: respondents with any missing item go to quarantine
        (``missing_answers``); ``"mean"``: a missing answer is replaced by the item's
        mean over the kept respondents (count per item in the log).
    max_missing_share : float, default 0.5
        Respondents who left more than this share of the spec's items unanswered are
        quarantined (``too_many_missing``) under either rule, so mean replacement never
        invents most of a respondent (one who answered nothing would otherwise enter
        as the all-means respondent). With 24 items and 0.5: 12 missing answers are
        kept (and mean-replaced), 13 are not. Hair et al. (2017, ch. 2) remove
        questionnaires with more than 15 % missing; pass 0.15 to follow them.
    straightlining : bool, default True
        Quarantine respondents who give the same answer to every item of the spec
        (``straight_lining``; answers compared before reverse coding, so a
        straight-liner contradicts any reverse-coded item).

    Returns
    -------
    SurveyCleaning
        ``data``, ``quarantine`` and ``log`` (one count per reason, then the mean
        replacements, rows kept and quarantined).

    Raises
    ------
    ValueError
        Unknown ``missing`` rule, or ``max_missing_share`` outside [0, 1].

    Notes
    -----
    Reasons, checked in this order (one reason per respondent, the first that applies):

    * ``non_numeric_answer``: an answer that is not a number;
    * ``out_of_scale``: a number outside [min, max] of the spec's scale;
    * ``not_on_scale_step``: a number between the scale points, e.g. 3.5 on an integer
      1-5 scale (answers must equal min + k * step; the spec's ``scale.step`` is 1
      unless it says otherwise, and ``step: null`` declares a continuous scale, which
      skips this check). Such values come from averaged or mis-keyed answers, and an
      integer scale has no answer "3.5";
    * ``straight_lining``;
    * ``too_many_missing``: more than ``max_missing_share`` of the items unanswered;
    * ``missing_answers``: any item unanswered (listwise only).

    Rows in = rows kept + rows quarantined; ``detail`` lists the offending items.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2017). A Primer on
    Partial Least Squares Structural Equation Modeling (PLS-SEM), 2nd ed. Sage, ch. 2
    (missing data, straight lining, mean replacement).

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> messy = survey.assign(respondent_id=list("abcdef"), x2=[1, 7, 3, 5, 5, 2])  # b answered 7 on 1-5
    >>> cleaned = clean_survey(messy, spec)
    >>> cleaned.quarantine[["respondent_id", "reason", "detail"]]
      respondent_id        reason detail
    1             b  out_of_scale     x2
    >>> len(cleaned.data)
    5
    """
    if missing not in _MISSING_RULES:
        raise ValueError(f"missing={missing!r}; use one of {_MISSING_RULES}")
    if isinstance(max_missing_share, bool) or not 0 <= max_missing_share <= 1:
        raise ValueError(f"max_missing_share={max_missing_share!r}; use a share between 0 "
                         "and 1 (0.5: quarantine respondents missing more than half the items)")
    spec = load_spec(spec, columns=survey.columns)
    items = spec.items
    raw = survey[items]
    num = raw.apply(pd.to_numeric, errors="coerce").astype(float)
    given = raw.notna() & raw.astype(str).apply(lambda s: s.str.strip() != "")
    non_numeric = given & num.isna()
    lo, hi = spec.scale
    step = spec.scale_step
    out_of_scale = num.notna() & ((num < lo) | (num > hi))
    if step is None:
        off_step = pd.DataFrame(False, index=num.index, columns=items)
    else:
        k = (num - lo) / step
        off_step = num.notna() & ((k - k.round()).abs() > 1e-9)
    answered = num.notna().sum(axis=1)
    straight = (num.nunique(axis=1) == 1) & (answered == len(items)) if straightlining \
        else pd.Series(False, index=survey.index)
    unanswered = ~given
    too_many = unanswered.sum(axis=1) > max_missing_share * len(items)
    reason = pd.Series(pd.NA, index=survey.index, dtype="str")
    detail = pd.Series(pd.NA, index=survey.index, dtype="str")

    def flag(mask, code, frame=None):
        new = mask & reason.isna()
        reason[new] = code
        if frame is not None and new.any():
            cols = np.asarray(frame.columns)
            detail[new] = [", ".join(cols[row]) for row in frame[new].to_numpy()]

    flag(non_numeric.any(axis=1), "non_numeric_answer", non_numeric)
    flag(out_of_scale.any(axis=1), "out_of_scale", out_of_scale)
    flag(off_step.any(axis=1), "not_on_scale_step", off_step)
    flag(straight, "straight_lining")
    flag(too_many, "too_many_missing", unanswered)
    if missing == "listwise":
        flag(unanswered.any(axis=1), "missing_answers", unanswered)
    bad = reason.notna()
    quarantine = survey[bad].assign(reason=reason[bad], detail=detail[bad])
    data = survey[~bad].copy()
    data[items] = num[~bad]
    count = (reason.value_counts()).reindex(_REASONS, fill_value=0).astype(int)
    log = [("rows_in", len(survey), ""),
           ("non_numeric_answer", count["non_numeric_answer"], ""),
           ("out_of_scale", count["out_of_scale"], f"scale {lo:g}-{hi:g}"),
           ("not_on_scale_step", count["not_on_scale_step"],
            "continuous scale: not checked" if step is None
            else f"answers {lo:g}, {lo + step:g}, ..., {hi:g}"),
           ("straight_lining", count["straight_lining"],
            "same answer to all items" if straightlining else "not checked"),
           ("too_many_missing", count["too_many_missing"],
            f"more than {max_missing_share:.0%} of {len(items)} items unanswered"),
           ("missing_answers", count["missing_answers"],
            "listwise deletion" if missing == "listwise" else "kept: mean replacement")]
    if missing == "mean":
        counts = data[items].isna().sum()
        data[items] = data[items].fillna(data[items].mean())
        log.append(("answers_mean_replaced", int(counts.sum()),
                    ", ".join(f"{k}: {v}" for k, v in counts[counts > 0].items())))
    log += [("rows_kept", len(data), ""), ("rows_quarantined", len(quarantine), "")]
    return SurveyCleaning(data=data, quarantine=quarantine,
                          log=pd.DataFrame(log, columns=["step", "count", "detail"]))


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of a block of items.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item (already reverse-coded), no missing values.

    Returns
    -------
    float

    Notes
    -----
    alpha = k / (k - 1) * (1 - sum_i var(x_i) / var(sum_i x_i)), variances with ddof=1.
    1.0 for a single item (by convention, as seminr reports it).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16, 297-334. Equal to ``pingouin.cronbach_alpha`` (tested).

    Examples
    --------
    Items a, b have variance 1, their total [2, 4, 6] variance 4: alpha = 2 (1 - 2/4) = 1; adding
    c: 3/2 (1 - 3/7) = 6/7:

    >>> items = pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3], "c": [1, 3, 2]})
    >>> round(float(cronbach_alpha(items[["a", "b"]])), 3), round(float(cronbach_alpha(items)), 3)
    (1.0, 0.857)
    """
    x = np.asarray(items, dtype=float)
    k = x.shape[1]
    if k < 2:
        return 1.0
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def composite_reliability(loadings) -> float:
    """Composite reliability rho_c (Joreskog's rho) of a block's standardised loadings.

    Parameters
    ----------
    loadings : array-like of float
        Standardised outer loadings of one block (correlations of each item with the
        construct score, unitless, typically 0-1).

    Returns
    -------
    float
        rho_c, between 0 and 1 for loadings in [-1, 1] with a positive sum; 0.7 or more
        is the usual bar.

    Notes
    -----
    rho_c = (sum l)^2 / ((sum l)^2 + sum (1 - l^2)), the error variance of a
    standardised item being 1 - l^2.

    References
    ----------
    Werts, C. E., Linn, R. L., & Joreskog, K. G. (1974). Intraclass reliability
    estimates: Testing structural assumptions. Educational and Psychological
    Measurement, 34(1), 25-33. Equal to seminr 0.2.1 ``rhoC`` on mobi to 1e-6
    (tests/data/pls_reference_mobi.json, through :func:`reliability_table`).

    Examples
    --------
    Loadings 0.8 and 0.6: 1.4**2 / (1.4**2 + 0.36 + 0.64) = 1.96 / 2.96:

    >>> round(composite_reliability([0.8, 0.6]), 4)
    0.6622
    """
    lam = np.asarray(loadings, dtype=float)
    s = lam.sum() ** 2
    return float(s / (s + (1 - lam**2).sum()))


def item_statistics(survey: pd.DataFrame, spec) -> pd.DataFrame:
    """Per-item table: mean, SD, corrected item-total correlation, alpha if deleted.

    Parameters
    ----------
    survey : pandas.DataFrame
    spec : ModelSpec or spec name/path

    Returns
    -------
    pandas.DataFrame
        ``construct``, ``item``, ``reverse_coded``, ``mean``, ``sd``,
        ``item_total_r`` (correlation of the item with the sum of the other items of
        its block, i.e. corrected item-total correlation, NaN for single items),
        ``alpha_if_deleted`` (raw-item alpha of the block without the item; NaN for
        blocks of one or two items).

    Notes
    -----
    Reverse-coded items enter recoded (min + max - x); means and SDs (ddof=1) are on
    the recoded answer scale. SPSS "Item-Total Statistics" reports the same two columns.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16, 297-334. Nunnally, J. C., & Bernstein, I. H. (1994).
    Psychometric Theory, 3rd ed. McGraw-Hill (corrected item-total correlation).

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> item_statistics(survey, spec)[["item", "mean", "item_total_r"]].round(3)  # y3 reverse-coded: 6 - answer
      item   mean  item_total_r
    0   x1  3.000         0.883
    1   x2  3.167         0.883
    2   y1  3.500         0.932
    3   y2  3.167         0.863
    4   y3  3.333         0.980
    """
    spec = load_spec(spec, columns=survey.columns)
    x = item_matrix(survey, spec)
    rows = []
    for c, items in spec.constructs.items():
        block = x[list(items)]
        for i in items:
            rest = block.drop(columns=i)
            r = np.corrcoef(block[i], rest.sum(axis=1))[0, 1] if len(items) > 1 else np.nan
            a = cronbach_alpha(rest) if len(items) > 2 else np.nan
            rows.append((c, i, i in spec.reverse, block[i].mean(), block[i].std(), r, a))
    return pd.DataFrame(rows, columns=["construct", "item", "reverse_coded", "mean", "sd",
                                       "item_total_r", "alpha_if_deleted"])


def reliability_table(model: PLSPathModel) -> pd.DataFrame:
    """Construct reliability and convergent validity of a fitted PLS model.

    Parameters
    ----------
    model : PLSPathModel
        Fitted.

    Returns
    -------
    pandas.DataFrame
        ``construct``, ``n_items``, ``cronbach_alpha`` (raw items, as SPSS and pingouin
        report it), ``cronbach_alpha_std`` (standardised items, as seminr reports it),
        ``rho_a``, ``rho_c``, ``ave``, ``sqrt_ave``.

    Notes
    -----
    With standardised loadings l and mode A weights w of a block (scaled so that the
    score has unit variance), S the block's item correlation matrix:
    rho_c = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)); AVE = mean(l^2);
    rho_A = (w'w)^2 * w'(S - diag S)w / w'(ww' - diag(ww'))w (Dijkstra & Henseler 2015).
    Standardised alpha = k / (k - 1) * (1 - k / sum(S)). Single-item constructs get 1.

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path
    modeling. MIS Quarterly, 39(2), 297-316. Fornell, C., & Larcker, D. F. (1981).
    Journal of Marketing Research, 18(1), 39-50. Checked against seminr 0.2.1
    ``reliability_table`` on mobi (tests/data/pls_reference_mobi.json).

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> model = pls_path_model(survey, spec)
    >>> reliability_table(model)[["construct", "cronbach_alpha", "rho_c", "ave"]].round(3)
      construct  cronbach_alpha  rho_c    ave
    0         X           0.934  0.970  0.941
    1         Y           0.960  0.976  0.931
    """
    spec = model.spec_
    s = model.item_correlations_
    raw = pd.DataFrame(model._xc, columns=s.columns)
    rows = []
    for c, items in spec.constructs.items():
        items = list(items)
        lam = model.loadings_.set_index("item").loc[items, "loading"].to_numpy()
        w = model.weights_.set_index("item").loc[items, "weight"].to_numpy()
        sb = s.loc[items, items].to_numpy()
        k = len(items)
        if k == 1:
            alpha = alpha_std = rho_a = rho_c = ave = 1.0
        else:
            alpha = cronbach_alpha(raw[items])
            alpha_std = k / (k - 1) * (1 - k / sb.sum())
            ww = np.outer(w, w)
            rho_a = (w @ w) ** 2 * (w @ (sb - np.diag(np.diag(sb))) @ w) / \
                (w @ (ww - np.diag(np.diag(ww))) @ w)
            rho_c = composite_reliability(lam)
            ave = float((lam**2).mean())
        rows.append((c, k, alpha, alpha_std, rho_a, rho_c, ave, np.sqrt(ave)))
    return pd.DataFrame(rows, columns=["construct", "n_items", "cronbach_alpha",
                                       "cronbach_alpha_std", "rho_a",
                                       "rho_c", "ave", "sqrt_ave"])


def fornell_larcker(model: PLSPathModel) -> pd.DataFrame:
    """Fornell-Larcker table: sqrt(AVE) on the diagonal, construct correlations below.

    Parameters
    ----------
    model : PLSPathModel
        Fitted.

    Returns
    -------
    pandas.DataFrame
        Constructs x constructs (causal order); diagonal sqrt(AVE), lower triangle the
        correlations of the construct scores, upper triangle NaN. Discriminant validity
        holds for a construct when its diagonal exceeds every correlation in its row
        and column.

    Notes
    -----
    AVE = mean of the squared standardised loadings of the block (1 for a single
    item), see :func:`reliability_table`.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research,
    18(1), 39-50. AVE equal to seminr 0.2.1 on mobi to 1e-6.

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> model = pls_path_model(survey, spec)
    >>> fornell_larcker(model).round(3)
           X      Y
    X  0.970    NaN
    Y  0.962  0.965
    """
    r = model.construct_correlations_.copy()
    ave = reliability_table(model).set_index("construct")["sqrt_ave"]
    vals = r.to_numpy().copy()
    vals[np.triu_indices_from(vals, 1)] = np.nan
    np.fill_diagonal(vals, ave.loc[r.index].to_numpy())
    return pd.DataFrame(vals, index=r.index, columns=r.columns)


def htmt_table(model: PLSPathModel, bootstrap=None) -> pd.DataFrame:
    """HTMT ratios per construct pair, with bootstrap intervals when given.

    Parameters
    ----------
    model : PLSPathModel
        Fitted.
    bootstrap : PLSBootstrap, optional
        From ``model.bootstrap``; adds ``ci_lower``/``ci_upper`` (percentile).

    Returns
    -------
    pandas.DataFrame
        ``construct_1``, ``construct_2``, ``htmt`` (and the interval), ``below_0_85``,
        ``below_0_90``.

    Notes
    -----
    See :func:`workbench.satisfaction.pls.htmt_matrix` for the formula. Discriminant
    validity is supported when HTMT (or, with a bootstrap, the upper bound of its
    percentile interval) is below 0.85 (strict) or 0.90 (liberal).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of
    the Academy of Marketing Science, 43(1), 115-135. Point estimates equal to seminr
    0.2.1 ``htmt`` on mobi to 1e-9.

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> model = pls_path_model(survey, spec)
    >>> htmt_table(model).round(3)
      construct_1 construct_2   htmt  below_0_85  below_0_90
    0           X           Y  1.013       False       False
    """
    names = model.spec_.construct_names
    h = htmt_matrix(model.item_correlations_.to_numpy()[None], model.design_.mask)[0]
    rows = [(names[i], names[j], h[i, j]) for i in range(len(names))
            for j in range(i + 1, len(names))]
    out = pd.DataFrame(rows, columns=["construct_1", "construct_2", "htmt"])
    if bootstrap is not None:
        b = bootstrap.htmt
        out = out.merge(b[["construct_1", "construct_2", "ci_lower", "ci_upper"]],
                        on=["construct_1", "construct_2"], how="left")
    test = out["ci_upper"] if "ci_upper" in out else out["htmt"]
    out["below_0_85"] = test < 0.85
    out["below_0_90"] = test < 0.90
    return out


def kmo_bartlett(survey: pd.DataFrame, spec) -> pd.DataFrame:
    """Kaiser-Meyer-Olkin measure and Bartlett's sphericity test, overall and per block.

    Parameters
    ----------
    survey : pandas.DataFrame
        Cleaned survey (numeric items, no missing answers).
    spec : ModelSpec or spec name/path
        Reverse-coded items are recoded first (this does not change |r|, so KMO and
        Bartlett's statistic are the same either way).

    Returns
    -------
    pandas.DataFrame
        ``block`` ("all" then each construct with 2+ items), ``n_items``, ``kmo``
        (0-1), ``bartlett_chi2``, ``bartlett_df``, ``bartlett_p``.

    Notes
    -----
    KMO = sum r_ij^2 / (sum r_ij^2 + sum a_ij^2) over i != j, a the partial
    correlations; Bartlett: chi2 = -(n - 1 - (2p + 5)/6) ln|R|, df = p(p-1)/2.
    KMO >= 0.6 and p < 0.05 support factoring. A block of two items has KMO = 0.5 by
    construction.

    References
    ----------
    Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika, 39(1),
    31-36. Bartlett, M. S. (1950). Tests of significance in factor analysis. British
    Journal of Psychology, Statistical Section, 3(2), 77-85. Computed by
    ``factor_analyzer`` (``calculate_kmo``, ``calculate_bartlett_sphericity``), the
    implementation these numbers come from.

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> kmo_bartlett(survey, spec).round(3)
      block  n_items    kmo  bartlett_chi2  bartlett_df  bartlett_p
    0   all        5  0.725         24.437           10       0.007
    1     X        2  0.500          5.287            1       0.021
    2     Y        3  0.580         15.921            3       0.001
    """
    from factor_analyzer.factor_analyzer import calculate_bartlett_sphericity, calculate_kmo

    spec = load_spec(spec, columns=survey.columns)
    x = item_matrix(survey, spec)
    rows = []
    for name, items in [("all", spec.items), *spec.constructs.items()]:
        items = list(items)
        if len(items) < 2:
            continue
        block = x[items]
        _, kmo = calculate_kmo(block)
        chi2, p = calculate_bartlett_sphericity(block)
        k = len(items)
        rows.append((name, k, float(kmo), float(chi2), k * (k - 1) // 2, float(p)))
    return pd.DataFrame(rows, columns=["block", "n_items", "kmo", "bartlett_chi2",
                                       "bartlett_df", "bartlett_p"])


@dataclass(frozen=True)
class CFAResult:
    """Confirmatory factor analysis fit (see :func:`cfa_fit`).

    Attributes
    ----------
    fit : DataFrame
        One row of fit indices.
    loadings : DataFrame
        ``construct``, ``item``, ``std_loading``, ``p_value``.
    description : str
        The semopy (lavaan-style) model description that was fitted.

    Examples
    --------
    Made by :func:`cfa_fit` (whose example fits one, about 2 s with semopy); the fields:

    >>> result = CFAResult(fit=pd.DataFrame({"n": [6], "cfi": [0.99]}),
    ...                    loadings=pd.DataFrame({"construct": ["X"], "item": ["x1"], "std_loading": [0.97],
    ...                                           "p_value": [None]}),
    ...                    description="X =~ x1 + x2")
    >>> result.description
    'X =~ x1 + x2'
    """

    fit: pd.DataFrame
    loadings: pd.DataFrame
    description: str


def cfa_fit(survey: pd.DataFrame, spec) -> CFAResult:
    """Covariance-based CFA of the measurement model (semopy, maximum likelihood).

    Parameters
    ----------
    survey : pandas.DataFrame
    spec : ModelSpec or spec name/path

    Returns
    -------
    CFAResult
        ``fit``: one row with ``n``, ``chi2``, ``df``, ``chi2_df``, ``p_value``,
        ``rmsea``, ``cfi``, ``tli``, ``srmr``, ``gfi``, ``aic``, ``bic``;
        ``loadings``: ``construct``, ``item``, ``std_loading``, ``p_value``.

    Notes
    -----
    Constructs with one item are left out (a single indicator is not identified
    without fixing its error variance); all factors correlate freely. SRMR =
    sqrt(mean over i <= j of ((s_ij - sigma_ij) / sqrt(s_ii s_jj))^2) from the sample
    and model-implied covariance matrices (semopy does not report it). Cut-offs in
    common use (Hu & Bentler 1999): chi2/df < 3, RMSEA < 0.08, CFI and TLI > 0.90,
    SRMR < 0.08.

    References
    ----------
    Igolkina, A. A., & Meshcheryakov, G. (2020). semopy: A Python package for
    structural equation modeling. SEM, 27(6), 952-963.

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> cfa = cfa_fit(survey, spec)
    >>> cfa.fit.columns.tolist()[:5]
    ['n', 'chi2', 'df', 'chi2_df', 'p_value']
    >>> cfa.loadings[["construct", "item", "std_loading"]].round(1)
      construct item  std_loading
    0         X   x1          1.0
    1         X   x2          0.9
    2         Y   y1          1.0
    3         Y   y2          0.9
    4         Y   y3          1.0
    """
    import semopy

    spec = load_spec(spec, columns=survey.columns)
    x = item_matrix(survey, spec)
    blocks = {c: list(i) for c, i in spec.constructs.items() if len(i) > 1}
    # semopy needs names that differ from item names
    lv = {c: f"F_{c}" for c in blocks}
    desc = "\n".join(f"{lv[c]} =~ " + " + ".join(items) for c, items in blocks.items())
    cols = [i for items in blocks.values() for i in items]
    data = x[cols]
    model = semopy.Model(desc)
    model.fit(data)
    st = semopy.calc_stats(model).T.iloc[:, 0]
    sigma = model.calc_sigma()[0]
    obs = model.vars["observed"]
    s = data[obs].cov(ddof=0).to_numpy()
    d = np.sqrt(np.diag(s))
    resid = (s - sigma) / np.outer(d, d)
    srmr = float(np.sqrt(np.mean(resid[np.tril_indices_from(resid)] ** 2)))
    chi2, df = float(st["chi2"]), float(st["DoF"])
    fit = pd.DataFrame([{
        "n": len(data), "chi2": chi2, "df": df, "chi2_df": chi2 / df,
        "p_value": float(st["chi2 p-value"]), "rmsea": float(st["RMSEA"]),
        "cfi": float(st["CFI"]), "tli": float(st["TLI"]), "srmr": srmr,
        "gfi": float(st["GFI"]), "aic": float(st["AIC"]), "bic": float(st["BIC"]),
    }])
    est = model.inspect(std_est=True)
    est = est[est["op"] == "~"]
    back = {v: k for k, v in lv.items()}
    est = est[est["rval"].isin(list(back))]
    loadings = pd.DataFrame({
        "construct": est["rval"].map(back).to_numpy(),
        "item": est["lval"].to_numpy(),
        "std_loading": est["Est. Std"].astype(float).to_numpy(),
        "p_value": pd.to_numeric(est["p-value"], errors="coerce").to_numpy(),
    })
    return CFAResult(fit=fit, loadings=loadings, description=desc)
