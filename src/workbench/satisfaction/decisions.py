"""From the path model to decisions: 0-100 index, IPMA, Jones & Sasser matrix,
non-linearity of loyalty, NPS, and the valuable-but-dissatisfied customers."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench.satisfaction.pls import PLSPathModel
from workbench.satisfaction.spec import item_matrix

__all__ = [
    "SatisfactionIndex",
    "satisfaction_index",
    "ipma",
    "jones_sasser",
    "NonlinearityResult",
    "loyalty_nonlinearity",
    "net_promoter_score",
    "satisfaction_by_segment",
    "valuable_dissatisfied",
]

JONES_SASSER_CLASSES = ("loyalist", "mercenary", "hostage", "defector")
IPMA_QUADRANTS = ("concentrate_here", "keep_up_the_good_work", "low_priority",
                  "possible_overkill")


@dataclass(frozen=True)
class SatisfactionIndex:
    """0-100 construct indices (see :func:`satisfaction_index`).

    Attributes
    ----------
    scores : DataFrame
        One row per respondent (survey index), one 0-100 column per construct, plus
        ``respondent_id`` / ``customer_id`` when the survey has them.
    summary : DataFrame
        ``construct``, ``index`` (mean), ``sd``, ``ci_lower``, ``ci_upper`` (95 %
        t interval of the mean), ``n``.
    item_weights : DataFrame
        ``construct``, ``item``, ``rescaled_weight`` (sums to 1 per construct).

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
    >>> index = satisfaction_index(survey, model)
    >>> index.summary.round(1)
      construct  index    sd  ci_lower  ci_upper  n
    0         X   51.9  36.4      13.7      90.2  6
    1         Y   58.3  34.7      21.9      94.7  6
    """

    scores: pd.DataFrame
    summary: pd.DataFrame
    item_weights: pd.DataFrame


def satisfaction_index(survey: pd.DataFrame, model: PLSPathModel) -> SatisfactionIndex:
    """ACSI-style 0-100 index of every construct, per respondent and overall.

    Parameters
    ----------
    survey : pandas.DataFrame
        The survey the model was fitted on (or another one with the same items).
    model : PLSPathModel
        Fitted.

    Returns
    -------
    SatisfactionIndex

    Notes
    -----
    Items (reverse-coded ones recoded) are rescaled to 0-100,
    r = (x - min) / (max - min) * 100. The PLS outer weights w (on standardised items)
    become weights on the original scale, w / sd(x), normalised to sum to 1 within a
    block (SDs of the survey the model was fitted on), so index = sum_p w~_p r_p lies
    on 0-100 whenever the weights are positive
    (mode A blocks with positive loadings). Fornell et al. (1996) compute the ACSI
    this way, and these are the latent performance scores of the IPMA (Ringle &
    Sarstedt 2016: rescaled indicators, unstandardised outer weights w / sd(x)
    rescaled to sum to 1), see :func:`ipma`.

    References
    ----------
    Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant, B. E. (1996). The
    American Customer Satisfaction Index. Journal of Marketing, 60(4), 7-18.
    Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results:
    The importance-performance map analysis. Industrial Management & Data Systems,
    116(9), 1865-1886.

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
    >>> index = satisfaction_index(survey, model)
    >>> index.scores.round(1)
           X      Y
    0    0.0    8.6
    1   36.6   33.9
    2   50.0   66.1
    3   86.6  100.0
    4  100.0   91.1
    5   38.4   50.0
    """
    spec = model.spec_
    x = item_matrix(survey, spec)
    lo, hi = spec.scale
    rescaled = (x - lo) / (hi - lo) * 100
    w = model.weights_.set_index("item")["weight"] / model.item_sd_
    w = w.loc[spec.items]
    weights, cols = [], {}
    for c, items in spec.constructs.items():
        wc = w.loc[list(items)]
        wc = wc / wc.sum()
        weights.append(pd.DataFrame({"construct": c, "item": list(items),
                                     "rescaled_weight": wc.to_numpy()}))
        cols[c] = rescaled[list(items)].to_numpy() @ wc.to_numpy()
    scores = pd.DataFrame(cols, index=survey.index)
    for key in ("customer_id", "respondent_id"):
        if key in survey:
            scores.insert(0, key, survey[key])
    summary = _mean_table(scores[spec.construct_names], "construct", "index")
    return SatisfactionIndex(scores=scores, summary=summary,
                             item_weights=pd.concat(weights, ignore_index=True))


def _mean_table(frame: pd.DataFrame, key: str, value: str) -> pd.DataFrame:
    n = frame.count()
    mean, sd = frame.mean(), frame.std()
    half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    return pd.DataFrame({key: frame.columns, value: mean.to_numpy(), "sd": sd.to_numpy(),
                         "ci_lower": (mean - half).to_numpy(), "ci_upper": (mean + half).to_numpy(),
                         "n": n.to_numpy()})


def ipma(model: PLSPathModel, index: SatisfactionIndex, *, target: str | None = None,
         standardised: bool = False) -> pd.DataFrame:
    """Importance-performance map analysis (IPMA) of the drivers of ``target``.

    Parameters
    ----------
    model : PLSPathModel
        Fitted.
    index : SatisfactionIndex
        From :func:`satisfaction_index` on the same model (its respondent scores are
        the 0-100 latent performance scores).
    target : str, optional
        Target construct; default the spec's ``roles.target``.
    standardised : bool, default False
        False (Ringle & Sarstedt 2016): importance is the unstandardised total effect
        on the 0-100 scores, in target points per driver point. True: the
        standardised total effect of the PLS model (``model.effects_``), in target
        SDs per driver SD, as some early IPMA applications report.

    Returns
    -------
    pandas.DataFrame
        One row per construct with a total effect on the target: ``construct``,
        ``importance``, ``performance`` (mean 0-100 score), ``quadrant`` (one of
        :data:`IPMA_QUADRANTS`), ``gain_if_100`` (importance x (100 - performance):
        with unstandardised importance, the rise of the target's 0-100 score if the
        driver's performance were raised to 100, other drivers held), ``priority``
        (1 = act first), sorted by priority.

    Raises
    ------
    ValueError
        Unknown target, a target no construct affects, or index scores that lack a
        construct or have missing values.

    Notes
    -----
    Performance: items rescaled to 0-100, r = (x - min) / (max - min) * 100,
    weighted by the unstandardised outer weights w_p / sd(x_p) rescaled to sum to 1
    per block (what :func:`satisfaction_index` computes); performance = mean score.
    Importance: unstandardised path coefficients B~ from OLS (with intercept) of each
    endogenous construct's 0-100 score on its predecessors' 0-100 scores; total
    effects T = (I - B~)^-1 - I (B~[s, t] for s -> t), the sum over all paths from a
    driver to the target of the products of the coefficients along them; importance
    = T[driver, target]. The map needs positive rescaled weights (otherwise a score is
    not on 0-100 and "raising performance" has no clear direction); a negative one
    gives a warning naming its items.

    Quadrants split at the mean importance and the mean performance of the drivers
    shown (Martilla & James leave the cross-hairs to judgement; the means are the
    usual choice): high importance and low performance is ``concentrate_here``; then
    ``keep_up_the_good_work`` (high, high), ``low_priority`` (low, low),
    ``possible_overkill`` (low importance, high performance). "High" means >= the
    mean. Priority orders the quadrants in that sequence and, within one, by
    ``gain_if_100``.

    References
    ----------
    Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results:
    The importance-performance map analysis. Industrial Management & Data Systems,
    116(9), 1865-1886. Martilla, J. A., & James, J. C. (1977). Importance-performance
    analysis. Journal of Marketing, 41(1), 77-79. The unstandardised total effects are
    checked in the tests against OLS slopes computed with numpy.linalg.lstsq.

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
    >>> from workbench.satisfaction import satisfaction_index
    >>> index = satisfaction_index(survey, model)
    >>> ipma(model, index)[["construct", "importance", "priority"]].round(3)
      construct  importance  priority
    0         X       0.916         1
    """
    spec = model.spec_
    target = target or spec.role("target")
    if target not in spec.constructs:
        raise ValueError(f"target {target!r} is not a construct; use one of "
                         f"{spec.construct_names}")
    names = spec.construct_names
    k = names.index(target)
    if standardised:
        total = np.zeros((len(names), len(names)))
        for src, tgt, value in model.effects_[["source", "target", "total_effect"]].itertuples(
                index=False):
            total[names.index(src), names.index(tgt)] = value
    else:
        total = _unstandardised_total_effects(index, spec)
    drivers = [j for j in range(len(names)) if abs(total[j, k]) > 0]
    if not drivers:
        raise ValueError(f"no construct has an effect on {target!r}")
    perf = index.summary.set_index("construct")["index"]
    out = pd.DataFrame({"construct": [names[j] for j in drivers],
                        "importance": total[drivers, k],
                        "performance": perf.loc[[names[j] for j in drivers]].to_numpy()})
    hi_imp = out["importance"] >= out["importance"].mean()
    hi_perf = out["performance"] >= out["performance"].mean()
    out["quadrant"] = np.select(
        [hi_imp & ~hi_perf, hi_imp & hi_perf, ~hi_imp & ~hi_perf],
        list(IPMA_QUADRANTS[:3]), IPMA_QUADRANTS[3])
    out["gain_if_100"] = out["importance"] * (100 - out["performance"])
    rank = out["quadrant"].map({q: i for i, q in enumerate(IPMA_QUADRANTS)})
    out = out.assign(_q=rank).sort_values(["_q", "gain_if_100"], ascending=[True, False],
                                          kind="stable").drop(columns="_q")
    out["priority"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def _unstandardised_total_effects(index: SatisfactionIndex, spec) -> np.ndarray:
    """T[s, t] = ((I - B~)^-1 - I)[s, t], B~ by OLS on the 0-100 construct scores."""
    names = spec.construct_names
    missing = [c for c in names if c not in index.scores]
    if missing:
        raise ValueError(f"index scores lack construct(s) {missing}; compute the index "
                         f"with satisfaction_index(survey, model) of spec {spec.name!r}")
    y = index.scores[names].to_numpy(dtype=float)
    bad = ~np.isfinite(y).all(axis=1)
    if bad.any():
        raise ValueError(f"{int(bad.sum())} of {len(y)} respondents have missing index "
                         "scores; clean the survey (clean_survey) before the index")
    negative = index.item_weights.loc[index.item_weights["rescaled_weight"] < 0, "item"]
    if len(negative):
        warnings.warn(f"items {negative.tolist()} have negative rescaled outer weights; "
                      "their constructs' scores are not on 0-100 and the IPMA of those "
                      "constructs is hard to read (Ringle & Sarstedt 2016)", stacklevel=3)
    b = np.zeros((len(names), len(names)))
    for t, c in enumerate(names):
        src = [names.index(s) for s in spec.sources(c)]
        if src:
            design = np.column_stack([np.ones(len(y)), y[:, src]])
            b[src, t] = np.linalg.lstsq(design, y[:, t], rcond=None)[0][1:]
    eye = np.eye(len(names))
    return np.linalg.inv(eye - b) - eye


def jones_sasser(scores: pd.DataFrame, *, satisfaction: str, loyalty: str,
                 cut="mean") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Jones & Sasser satisfaction-loyalty matrix per respondent, with shares.

    Parameters
    ----------
    scores : pandas.DataFrame
        Respondent scores, e.g. ``SatisfactionIndex.scores`` (0-100).
    satisfaction, loyalty : str
        Column names.
    cut : {"mean", "median"}, float or (float, float), default "mean"
        Where "high" starts on each axis: the sample mean or median of each column, or
        fixed values (e.g. 75 on a 0-100 index).

    Returns
    -------
    (classes, shares) : tuple of DataFrame
        ``classes``: ``scores`` with ``satisfaction``, ``loyalty`` and ``class``;
        ``shares``: ``class``, ``count``, ``share``, ``satisfaction_cut``,
        ``loyalty_cut`` for all four classes (zero counts included).

    Notes
    -----
    loyalist (apostle at the extreme): satisfaction and loyalty high; mercenary: high
    satisfaction, low loyalty; hostage: low satisfaction, high loyalty; defector: both
    low. "High" means >= the cut.

    References
    ----------
    Jones, T. O., & Sasser, W. E. (1995). Why satisfied customers defect. Harvard
    Business Review, 73(6), 88-99.

    Examples
    --------
    >>> scores = pd.DataFrame({"CUSA": [90.0, 80.0, 30.0, 20.0], "CUSL": [85.0, 20.0, 90.0, 10.0]})
    >>> per_respondent, shares = jones_sasser(scores, satisfaction="CUSA", loyalty="CUSL")
    >>> per_respondent["class"].tolist()  # cut at the means, 55 and 51.25
    ['loyalist', 'mercenary', 'hostage', 'defector']
    """
    for col in (satisfaction, loyalty):
        if col not in scores:
            raise ValueError(f"column {col!r} not in scores; columns are {list(scores.columns)}")
    s, lo = scores[satisfaction].astype(float), scores[loyalty].astype(float)
    if isinstance(cut, str):
        if cut not in ("mean", "median"):
            raise ValueError(f"cut={cut!r}; use 'mean', 'median', a number or a pair")
        cs, cl = getattr(s, cut)(), getattr(lo, cut)()
    elif np.ndim(cut) == 0:
        cs = cl = float(cut)
    else:
        cs, cl = map(float, cut)
    hs, hl = s >= cs, lo >= cl
    cls = np.select([hs & hl, hs & ~hl, ~hs & hl], list(JONES_SASSER_CLASSES[:3]),
                    JONES_SASSER_CLASSES[3])
    classes = scores.assign(**{"class": cls})
    counts = pd.Series(cls).value_counts().reindex(list(JONES_SASSER_CLASSES), fill_value=0)
    shares = pd.DataFrame({"class": list(JONES_SASSER_CLASSES), "count": counts.to_numpy(),
                           "share": counts.to_numpy() / len(scores),
                           "satisfaction_cut": cs, "loyalty_cut": cl})
    return classes, shares


@dataclass(frozen=True)
class NonlinearityResult:
    """Linear, quadratic and piecewise-linear fits of loyalty on satisfaction.

    Attributes
    ----------
    models : DataFrame
        ``model`` (linear, quadratic, piecewise), ``n_params``, ``r2``, ``adj_r2``,
        ``aic``, ``bic``, ``rss``.
    tests : DataFrame
        ``test``, ``statistic``, ``df1``, ``df2``, ``p_value``.
    threshold : float
        Best breakpoint of the piecewise fit (x units). Always computed; it is a
        threshold of loyalty only when ``nonlinear`` is True.
    slope_below, slope_above : float
        Piecewise slopes below and above the threshold.
    nonlinear : bool
        Whether the non-linear link is detected (see :func:`loyalty_nonlinearity`).
    curve : DataFrame
        ``x`` grid with the fitted ``linear``, ``quadratic``, ``piecewise`` values.
    data : DataFrame
        ``x``, ``y`` used.
    alpha : float
        Significance level of the quadratic-term test.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(0, 100, 400)
    >>> res = loyalty_nonlinearity(x, 50 + 0.5 * x + rng.normal(0, 3, 400))  # a straight line
    >>> res.nonlinear, res.metrics()["loyalty_threshold"]
    (False, None)
    >>> res.models["model"].tolist()
    ['linear', 'quadratic', 'piecewise']
    """

    models: pd.DataFrame
    tests: pd.DataFrame
    threshold: float
    slope_below: float
    slope_above: float
    nonlinear: bool
    curve: pd.DataFrame
    data: pd.DataFrame
    alpha: float = 0.05

    def verdict(self) -> str:
        """One sentence for a report: the finding and the evidence it rests on.

        Returns
        -------
        str
            With a non-linear link, the threshold and the slopes below and above it;
            otherwise why the link does not count as non-linear (the quadratic term's
            p-value and the two BICs), so that no threshold is read into the data.
        """
        p = float(self.tests.set_index("test").loc["quadratic_term", "p_value"])
        bic = self.models.set_index("model")["bic"]
        shown = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"  # no scientific notation on a report page
        evidence = (f"quadratic-term {shown}; BIC piecewise {bic['piecewise']:.1f} vs linear "
                    f"{bic['linear']:.1f}")
        if self.nonlinear:
            return (f"Non-linear link: below a satisfaction index of {self.threshold:.1f} loyalty "
                    f"changes {self.slope_below:.2f} points per point, above it "
                    f"{self.slope_above:.2f} ({evidence}).")
        return (f"Not counted as non-linear: that needs a quadratic-term p < {self.alpha:g} and a "
                f"piecewise BIC below the linear one ({evidence}). No threshold is reported.")

    def metrics(self) -> dict:
        """Key figures for a report's metrics: the threshold and slopes only when they are findings.

        Returns
        -------
        dict
            ``nonlinear_link``, ``loyalty_threshold``, ``slope_below_threshold``,
            ``slope_above_threshold`` (None for a linear link) and
            ``piecewise_best_breakpoint`` (always: the best breakpoint on the grid).
        """
        found = self.nonlinear
        return {"nonlinear_link": found,
                "loyalty_threshold": round(self.threshold, 2) if found else None,
                "slope_below_threshold": round(self.slope_below, 3) if found else None,
                "slope_above_threshold": round(self.slope_above, 3) if found else None,
                "piecewise_best_breakpoint": round(self.threshold, 2)}

    @property
    def collapses(self) -> bool:
        """Whether loyalty falls faster below the threshold than it rises above it.

        Returns
        -------
        bool
            True only when the link is non-linear (:attr:`nonlinear`) and the slope
            below the threshold exceeds the slope above it; for a linear link the
            breakpoint is just the best one on the grid, not a finding.
        """
        return bool(self.nonlinear and self.slope_below > self.slope_above)


def _ols(design: np.ndarray, y: np.ndarray):
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    rss = float(((y - design @ beta) ** 2).sum())
    return beta, rss


#: Quantiles of satisfaction tried as the breakpoint of the piecewise fit (read-only).
BREAKPOINT_QUANTILES = np.linspace(0.1, 0.9, 81)
BREAKPOINT_QUANTILES.flags.writeable = False


def loyalty_nonlinearity(x, y, *, alpha: float = 0.05, grid=BREAKPOINT_QUANTILES
                         ) -> NonlinearityResult:
    """Test whether loyalty responds to satisfaction non-linearly, and where it collapses.

    Parameters
    ----------
    x, y : array-like
        Satisfaction and loyalty per respondent (e.g. 0-100 indices or PLS scores).
    alpha : float, default 0.05
    grid : array-like
        Quantiles of ``x`` searched for the piecewise threshold.

    Returns
    -------
    NonlinearityResult

    Notes
    -----
    Models (OLS): linear y = a + b x; quadratic y = a + b x + c x^2; piecewise
    (segmented, continuous) y = a + b x + d min(x - tau, 0), slope b + d below tau and
    b above, tau chosen on the quantile grid by least squares.
    Tests: F test of c = 0 (quadratic vs linear, 1 and n - 3 df) and F test of d = 0
    at the chosen tau (piecewise vs linear). Because tau is searched, the second
    p-value is nominal (too small; the Davies problem), so the decision uses the
    quadratic F test and information criteria: ``nonlinear`` is True when the quadratic
    term is significant at ``alpha`` and the piecewise model (tau counted as a
    parameter) has a lower BIC than the linear one. AIC = n ln(RSS/n) + 2k, BIC = n
    ln(RSS/n) + k ln n, k counting the coefficients (and tau).

    References
    ----------
    Anderson, E. W., & Mittal, V. (2000). Strengthening the satisfaction-profit chain.
    Journal of Service Research, 3(2), 107-120. Hartley & Starkey (1996); Jones &
    Sasser (1995). Muggeo, V. M. R. (2003). Estimating regression models with unknown
    break-points. Statistics in Medicine, 22, 3055-3071.

    Examples
    --------
    A hinge at 40: loyalty rises by 1.0 per point below it and 0.2 above:

    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(0, 100, 400)
    >>> y = 50 + 0.2 * (x - 40) + 0.8 * np.minimum(x - 40, 0) + rng.normal(0, 3, 400)
    >>> res = loyalty_nonlinearity(x, y)
    >>> res.nonlinear, round(res.threshold), round(res.slope_below, 1), round(res.slope_above, 1)
    (True, 39, 1.0, 0.2)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-d of equal length, got {x.shape} and {y.shape}")
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.all():
        raise ValueError(f"{int((~ok).sum())} of {len(x)} pairs are missing or infinite; "
                         "drop or impute them first")
    n = len(x)
    if n < 10:
        raise ValueError(f"need at least 10 respondents, got {n}")
    one = np.ones(n)
    lin, rss_l = _ols(np.column_stack([one, x]), y)
    quad, rss_q = _ols(np.column_stack([one, x, x**2]), y)
    taus = np.unique(np.quantile(x, grid))
    fits = [(_ols(np.column_stack([one, x, np.minimum(x - t, 0)]), y), t) for t in taus]
    (pw, rss_p), tau = min(fits, key=lambda f: f[0][1])
    tss = float(((y - y.mean()) ** 2).sum())

    def row(name, k, rss, extra=0):
        kk = k + extra
        return (name, kk, 1 - rss / tss, 1 - (rss / (n - k)) / (tss / (n - 1)),
                n * np.log(rss / n) + 2 * kk, n * np.log(rss / n) + kk * np.log(n), rss)

    models = pd.DataFrame([row("linear", 2, rss_l), row("quadratic", 3, rss_q),
                           row("piecewise", 3, rss_p, extra=1)],
                          columns=["model", "n_params", "r2", "adj_r2", "aic", "bic", "rss"])
    f_q = (rss_l - rss_q) / (rss_q / (n - 3))
    f_p = (rss_l - rss_p) / (rss_p / (n - 3))
    tests = pd.DataFrame([
        ("quadratic_term", f_q, 1, n - 3, stats.f.sf(f_q, 1, n - 3)),
        ("piecewise_slope_change_nominal", f_p, 1, n - 3, stats.f.sf(f_p, 1, n - 3)),
    ], columns=["test", "statistic", "df1", "df2", "p_value"])
    bic = models.set_index("model")["bic"]
    nonlinear = bool(tests["p_value"].iloc[0] < alpha and bic["piecewise"] < bic["linear"])
    g = np.linspace(x.min(), x.max(), 101)
    curve = pd.DataFrame({"x": g, "linear": lin[0] + lin[1] * g,
                          "quadratic": quad[0] + quad[1] * g + quad[2] * g**2,
                          "piecewise": pw[0] + pw[1] * g + pw[2] * np.minimum(g - tau, 0)})
    return NonlinearityResult(models=models, tests=tests, threshold=float(tau),
                              slope_below=float(pw[1] + pw[2]), slope_above=float(pw[1]),
                              nonlinear=nonlinear, curve=curve,
                              data=pd.DataFrame({"x": x, "y": y}), alpha=float(alpha))


def net_promoter_score(values, *, scale=(0, 10)) -> pd.DataFrame:
    """Net Promoter Score from a recommend item.

    Parameters
    ----------
    values : array-like
        Answers to "how likely are you to recommend ...", missing values dropped
        (and counted in ``n_missing``).
    scale : (float, float), default (0, 10)
        Answer scale. Other scales are mapped linearly onto 0-10 first:
        r = (x - min) / (max - min) * 10. On mobi's 1-10 item CUSL3 this gives
        10 -> 10 (promoter), 9 -> 8.9 and 7 -> 6.7 (passive), 6 -> 5.6 (detractor).

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``n_missing``, ``promoters``, ``passives``, ``detractors``
        (shares), ``nps`` (percentage points, promoters - detractors, -100..100).

    Raises
    ------
    ValueError
        When an answer lies outside ``scale``.

    Notes
    -----
    Promoters answer 9-10, passives 7-8, detractors 0-6 on the 0-10 scale; after the
    linear map a rescaled answer counts as a promoter when r >= 9 and a detractor
    when r <= 6. NPS = 100 (share of promoters - share of detractors).

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business
    Review, 81(12), 46-54. Checked by hand in the tests (shares of a 6-answer list).

    Examples
    --------
    Promoters answer 9-10, detractors 0-6 on the 0-10 scale: (2 - 3) / 6 = -16.7 %:

    >>> net_promoter_score([10, 9, 8, 3, 6, 0, None])[["n", "n_missing", "nps"]].round(1)
       n  n_missing   nps
    0  6          1 -16.7
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    lo, hi = map(float, scale)
    miss = int(v.isna().sum())
    v = v.dropna()
    bad = (v < lo) | (v > hi)
    if bad.any():
        raise ValueError(f"{int(bad.sum())} of {len(v)} recommend answers lie outside the "
                         f"scale {lo:g}-{hi:g}, e.g. {v[bad].iloc[0]:g}; clean the survey first")
    r = (v - lo) / (hi - lo) * 10
    n = len(r)
    pro, det = float((r >= 9).mean()), float((r <= 6).mean())
    return pd.DataFrame([{"n": n, "n_missing": miss, "promoters": pro,
                          "passives": 1 - pro - det, "detractors": det,
                          "nps": 100 * (pro - det)}])


def satisfaction_by_segment(scores: pd.DataFrame, customers: pd.DataFrame, *,
                            segment: str, columns) -> pd.DataFrame:
    """Mean 0-100 indices per customer segment (survey linked by ``customer_id``).

    Parameters
    ----------
    scores : pandas.DataFrame
        Respondent scores with ``customer_id`` (e.g. ``SatisfactionIndex.scores``).
    customers : pandas.DataFrame
        ``customer_id`` and the ``segment`` column.
    segment : str
    columns : list of str
        Score columns to summarise.

    Returns
    -------
    pandas.DataFrame
        One row per value of ``segment`` (sorted): the segment, ``n`` respondents, and
        the mean of each column (0-100 for index scores); respondents whose customer is
        not in ``customers`` (or has no segment) form the group "unmatched".

    Raises
    ------
    ValueError
        A missing ``customer_id`` or ``segment`` column, or duplicated customers.

    Notes
    -----
    Respondents are the unit: a customer who answered twice counts twice. ACSI
    reports its 0-100 index as such means per firm and sector.

    References
    ----------
    Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant, B. E. (1996). The
    American Customer Satisfaction Index. Journal of Marketing, 60(4), 7-18.

    Examples
    --------
    >>> scores = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "d", "e"],
    ...                        "CUSA": [40.0, 60.0, 30.0, 90.0, 20.0, 80.0]})
    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"],
    ...                           "value_class": ["A", "A", "A", "C", "B"]})
    >>> satisfaction_by_segment(scores, customers, segment="value_class", columns=["CUSA"]).round(1)
      value_class  n  CUSA
    0           A  4  55.0
    1           B  1  80.0
    2           C  1  20.0
    """
    linked = _link(scores, customers, segment)
    linked[segment] = linked[segment].astype("object").where(linked[segment].notna(), "unmatched")
    out = linked.groupby(segment, sort=True)[list(columns)].mean()
    out.insert(0, "n", linked.groupby(segment, sort=True).size())
    return out.reset_index()


def _link(scores, customers, column):
    for frame, name, cols in ((scores, "scores", ["customer_id"]),
                              (customers, "customers", ["customer_id", column])):
        missing = [c for c in cols if c not in frame]
        if missing:
            raise ValueError(f"{name} lacks column(s) {missing}; it has {list(frame.columns)}")
    dup = customers["customer_id"].duplicated()
    if dup.any():
        raise ValueError(f"customers: {int(dup.sum())} duplicated customer_id values, e.g. "
                         f"{customers.loc[dup, 'customer_id'].iloc[0]!r}; one row per customer")
    return scores.merge(customers[["customer_id", column]], on="customer_id", how="left",
                        validate="many_to_one")


def valuable_dissatisfied(scores: pd.DataFrame, customers: pd.DataFrame, *, value_class: str,
                          valuable, satisfaction: str, threshold=None) -> pd.DataFrame:
    """Customers in a valuable class whose satisfaction is low: the ones to act on first.

    Parameters
    ----------
    scores : pandas.DataFrame
        Respondent scores with ``customer_id`` and the ``satisfaction`` column.
    customers : pandas.DataFrame
        ``customer_id`` and the ``value_class`` column (e.g. ABC class, value matrix
        cell).
    value_class : str
        Column of ``customers`` holding the class.
    valuable : iterable
        Class values counted as valuable (e.g. ``["A"]``).
    satisfaction : str
        Score column.
    threshold : float, optional
        Satisfaction below this is "dissatisfied"; default the mean over all
        respondents.

    Returns
    -------
    pandas.DataFrame
        One row per such customer: ``customer_id``, the class, ``n_respondents``,
        ``satisfaction`` (mean over the customer's respondents, score units, e.g.
        0-100), ``gap`` (threshold - satisfaction), sorted by satisfaction ascending
        (worst first).

    Raises
    ------
    ValueError
        Missing columns, duplicated customers, or ``valuable`` classes that do not
        occur in ``customers``.

    Notes
    -----
    The customer is the unit here (unlike :func:`satisfaction_by_segment`): a
    customer's satisfaction is the mean over its respondents, and the default
    threshold is the mean over all respondents. Valuable customers with low
    satisfaction are the ones at risk whose loss costs most: profitability and
    attitudes are different axes and need to be read together.

    References
    ----------
    Reinartz, W., & Kumar, V. (2002). The mismanagement of customer loyalty. Harvard
    Business Review, 80(7), 86-94. Jones, T. O., & Sasser, W. E. (1995). Why
    satisfied customers defect. Harvard Business Review, 73(6), 88-99.

    Examples
    --------
    The mean over respondents is 53.3: a (50) and b (30) are class A and below it; d is C:

    >>> scores = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "d", "e"],
    ...                        "CUSA": [40.0, 60.0, 30.0, 90.0, 20.0, 80.0]})
    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"],
    ...                           "value_class": ["A", "A", "A", "C", "B"]})
    >>> out = valuable_dissatisfied(scores, customers, value_class="value_class", valuable=["A"],
    ...                             satisfaction="CUSA")
    >>> out[["customer_id", "n_respondents", "gap"]].round(1)
      customer_id  n_respondents   gap
    0           b              1  23.3
    1           a              2   3.3
    """
    valuable = list(valuable)
    linked = _link(scores, customers, value_class)
    known = set(customers[value_class].dropna().unique())
    unknown = [v for v in valuable if v not in known]
    if unknown:
        raise ValueError(f"valuable classes {unknown} do not occur in customers[{value_class!r}]; "
                         f"it holds {sorted(map(str, known))}")
    thr = float(linked[satisfaction].mean()) if threshold is None else float(threshold)
    per = linked.groupby("customer_id", sort=True).agg(
        **{value_class: (value_class, "first"), "n_respondents": (satisfaction, "size"),
           "satisfaction": (satisfaction, "mean")}).reset_index()
    out = per[per[value_class].isin(valuable) & (per["satisfaction"] < thr)]
    out = out.assign(gap=thr - out["satisfaction"])
    return out.sort_values(["satisfaction", "customer_id"], kind="stable").reset_index(drop=True)
