"""PLS path modelling (Wold / Lohmoller), vectorised across bootstrap resamples.

The whole algorithm runs on the item correlation matrix: with standardised items Z and
block-diagonal outer weights W, the latent scores are Y = Z W, so every quantity the
iteration needs (latent correlations W'SW, inner proxies, covariances of items with
proxies S W E) is a product of S = corr(Z) with small matrices. A bootstrap resample is
then just another S, and thousands of resamples run as one batched array computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from workbench.satisfaction.spec import ModelSpec, item_matrix, load_spec

__all__ = ["PLSPathModel", "PLSBootstrap", "pls_path_model", "htmt_matrix"]

#: bootstrap sign rules: compare with the original loadings, or only make each block's
#: loadings sum positive (the rule of the fit itself)
_SIGN_CHANGES = ("construct", "positive_loadings")


@dataclass(frozen=True)
class _Design:
    """Index arrays of a spec: item -> block, block masks, path adjacency."""

    mask: np.ndarray          # (p, J) 1 where item p belongs to construct j
    block: np.ndarray         # (p,) construct index of each item
    adjacency: np.ndarray     # (J, J) D[s, t] = 1 for s -> t
    sources: list             # per construct: array of source indices
    mode_b: list              # construct indices estimated in mode B


def _design(spec: ModelSpec) -> _Design:
    names = spec.construct_names
    block = np.array([names.index(c) for c in spec.item_construct().values()])
    mask = np.zeros((len(block), len(names)))
    mask[np.arange(len(block)), block] = 1.0
    d = spec.adjacency()
    sources = [np.flatnonzero(d[:, j]) for j in range(len(names))]
    mode_b = [j for j, c in enumerate(names) if spec.modes[c] == "B"]
    return _Design(mask, block, d, sources, mode_b)


def _weighted_corr(xc: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Correlation matrices (b, p, p) of ``xc`` (n, p) under frequency weights (b, n)."""
    m = counts.sum(axis=1)[:, None]
    mu = counts @ xc / m
    second = np.matmul((counts[:, :, None] * xc).transpose(0, 2, 1), xc)
    cov = (second - m[:, :, None] * mu[:, :, None] * mu[:, None, :]) / (m[:, :, None] - 1)
    sd = np.sqrt(np.einsum("bpp->bp", cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / sd[:, :, None] / sd[:, None, :]


def _normalise(s: np.ndarray, wm: np.ndarray) -> np.ndarray:
    """Scale each construct's weights so its score has unit variance."""
    var = np.einsum("bpj,bpq,bqj->bj", wm, s, wm)
    with np.errstate(invalid="ignore", divide="ignore"):
        return wm / np.sqrt(var)[:, None, :]


def _solve_paths(r: np.ndarray, design: _Design) -> np.ndarray:
    """B[b, s, t]: OLS coefficients of each construct on its sources, from LV correlations."""
    b = np.zeros_like(r)
    for t, src in enumerate(design.sources):
        if len(src):
            b[:, src, t] = np.linalg.solve(r[:, src[:, None], src[None, :]],
                                           r[:, src, t][..., None])[..., 0]
    return b


def _pls_weights(s: np.ndarray, design: _Design, tol: float, max_iter: int):
    """Outer weights (b, p, J) of PLS-PM, path weighting scheme, for a batch of corr matrices.

    Returns the weights (normalised, scores of unit variance), the number of iterations
    and a bool array of converged resamples.
    """
    nb = s.shape[0]
    mask = design.mask
    wm = _normalise(s, np.broadcast_to(mask, (nb, *mask.shape)).copy())
    converged = np.zeros(nb, dtype=bool)
    d = design.adjacency
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is reported after the loop)
        sw = s @ wm                                   # cov(items, scores)
        r = wm.transpose(0, 2, 1) @ sw                # LV correlations
        # path weighting: regression weights for predecessors, correlations for successors
        e = _solve_paths(r, design) + r * d.T[None]
        c = sw @ e                                    # cov(items, inner proxies)
        new = c * mask
        for j in design.mode_b:
            idx = np.flatnonzero(mask[:, j])
            new[:, idx, j] = np.linalg.solve(s[:, idx[:, None], idx[None, :]],
                                             c[:, idx, j][..., None])[..., 0]
        new = _normalise(s, new)
        with np.errstate(invalid="ignore"):
            change = np.abs(new - wm).max(axis=(1, 2))
        wm = new
        converged = change < tol
        if converged.all():
            break
    return wm, it, converged


def _estimates(s: np.ndarray, wm: np.ndarray, design: _Design) -> dict[str, np.ndarray]:
    """Loadings, LV correlations, paths, R2 and total effects from corr matrices and weights."""
    sw = s @ wm
    r = wm.transpose(0, 2, 1) @ sw
    b = _solve_paths(r, design)
    j = r.shape[-1]
    total = np.linalg.inv(np.eye(j)[None] - b.transpose(0, 2, 1)).transpose(0, 2, 1) - np.eye(j)
    r2 = np.einsum("bst,bst->bt", b, r)
    return {"weights": (wm * design.mask).sum(-1), "loadings": (sw * design.mask).sum(-1),
            "cross_loadings": sw, "lv_corr": r, "paths": b, "r2": r2, "total": total}


def _sign_fix(s, wm, design, reference=None):
    """Flip constructs whose loadings point the wrong way.

    Without ``reference``: make the sum of each block's loadings positive. With a
    reference loading vector (the original estimate): flip a construct when its
    loadings are closer to minus the reference than to the reference (construct-level
    sign change, Tenenhaus et al. 2005, section 3.3).
    """
    load = ((s @ wm) * design.mask)                  # (b, p, J)
    if reference is None:
        flip = load.sum(axis=1) < 0
    else:
        ref = reference[None, :, None] * design.mask
        flip = np.abs(load - ref).sum(axis=1) > np.abs(load + ref).sum(axis=1)
    return wm * np.where(flip, -1.0, 1.0)[:, None, :]


def htmt_matrix(s: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Heterotrait-monotrait ratios of correlation for a batch of item correlation matrices.

    Parameters
    ----------
    s : numpy.ndarray
        (b, p, p) item correlation matrices (one per bootstrap resample, or b = 1).
    mask : numpy.ndarray
        (p, J) block membership: 1 where item p measures construct j, else 0.

    Returns
    -------
    numpy.ndarray
        (b, J, J) symmetric HTMT ratios (unitless), diagonal 1.

    Notes
    -----
    HTMT_ij = mean(|r| between items of i and j) /
    sqrt(mean(|r| among items of i, off-diagonal) * mean(|r| among items of j)),
    with absolute correlations as seminr and SmartPLS compute it; the monotrait mean
    of a single-item construct counts as 1 (seminr's convention).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of
    the Academy of Marketing Science, 43(1), 115-135. Equal to seminr 0.2.1 ``htmt``
    on mobi to 1e-9 (tests/data/pls_reference_mobi.json).

    Examples
    --------
    Items 0, 1 measure construct A, items 2, 3 construct B; within-block correlations 0.8 and
    0.5, between-block 0.4: HTMT = 0.4 / sqrt(0.8 * 0.5):

    >>> s = np.array([[1.0, 0.8, 0.4, 0.4], [0.8, 1.0, 0.4, 0.4], [0.4, 0.4, 1.0, 0.5], [0.4, 0.4, 0.5, 1.0]])
    >>> mask = np.array([[1, 0], [1, 0], [0, 1], [0, 1]])
    >>> htmt_matrix(s[None], mask)[0].round(4).tolist()
    [[1.0, 0.6325], [0.6325, 1.0]]
    """
    k = mask.sum(axis=0)
    sums = mask.T[None] @ np.abs(s) @ mask[None]         # block sums of |correlations|
    hetero = sums / (k[:, None] * k[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        mono = np.where(k > 1, (np.einsum("bjj->bj", sums) - k) / (k * (k - 1)), 1.0)
    out = hetero / np.sqrt(mono[:, :, None] * mono[:, None, :])
    idx = np.arange(len(k))
    out[:, idx, idx] = 1.0
    return out


class PLSPathModel(BaseEstimator):
    """Partial least squares path model (PLS-PM, Lohmoller's algorithm).

    Parameters
    ----------
    spec : ModelSpec, str, path or mapping
        Constructs, items, modes, scale, paths (see :func:`load_spec`).
    tol : float, default 1e-7
        Convergence: largest absolute change of an outer weight between iterations.
    max_iter : int, default 300

    Attributes
    ----------
    spec_ : ModelSpec
    n_obs_ : int
    weights_ : DataFrame
        ``construct``, ``item``, ``weight`` (on standardised items).
    loadings_ : DataFrame
        ``construct``, ``item``, ``loading`` (correlation of the item with its score).
    cross_loadings_ : DataFrame
        Items x constructs correlations.
    paths_ : DataFrame
        ``source``, ``target``, ``coefficient``, ``f2``.
    r2_ : DataFrame
        ``construct``, ``r2``, ``r2_adj`` for endogenous constructs.
    effects_ : DataFrame
        ``source``, ``target``, ``direct_effect``, ``indirect_effect`` (total minus
        direct) and ``total_effect`` for every pair with a non-zero total effect.
    scores_ : DataFrame
        Standardised latent scores (mean 0, SD 1 with ddof=1), survey index.
    construct_correlations_ : DataFrame
    item_correlations_ : DataFrame
    item_sd_ : Series
        SD (ddof=1) of each item (after reverse coding) in the fitted survey.
    n_iter_ : int

    Notes
    -----
    Items are standardised (z-scores, ddof=1); reverse-coded items are recoded
    ``min + max - x`` first. Starting from unit weights, each iteration computes
    scores Y_j = Z_j w_j (unit variance), inner proxies with the path weighting scheme
    (for a construct j: sum of beta_ij Y_i over its predecessors i, beta from OLS of
    Y_j on them, plus sum of cor(Y_j, Y_k) Y_k over its successors k), then outer
    weights w_j = cov(Z_j, proxy_j) (mode A) or the OLS coefficients of the proxy on
    Z_j (mode B), rescaled so that Var(Z_j w_j) = 1, until max |change| < ``tol``.
    Paths are OLS on the standardised scores; R^2 = beta' r; f^2 of source s on t =
    (R^2 - R^2 without s) / (1 - R^2); total effects = (I - B)^-1 - I, indirect =
    total - direct. Signs: a construct whose loadings sum to a negative number is
    flipped (scores, weights and loadings change sign), so blocks point the way their
    items do. Mode B weights are OLS coefficients and may be negative (a formative
    item can be redundant given the others); loadings are still correlations.

    References
    ----------
    Lohmoller, J.-B. (1989). Latent Variable Path Modeling with Partial Least Squares.
    Physica. Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS
    path modeling. Computational Statistics & Data Analysis, 48(1), 159-205.
    Checked against R plspm's Python port plspm 0.5.7 (Mode.A / Mode.B, Scheme.PATH)
    and the seminr 0.2.1 Python port (``composite(weights=mode_A)`` /
    ``composite(weights=mode_B)``, path weighting) on mobi, all-mode-A ECSI and ACSI
    and ECSI with IMAG and PERQ in mode B: paths, weights, loadings and R^2 agree with
    seminr to 5e-12 and with plspm to 1.2e-8 (tests/data/pls_reference_mobi.json; plspm
    scales scores with divisor n, so its weights are compared times sqrt((n - 1) / n)).

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
    >>> model.n_obs_
    6
    >>> model.loadings_.round(3)
      construct item  loading
    0         X   x1    0.971
    1         X   x2    0.970
    2         Y   y1    0.967
    3         Y   y2    0.936
    4         Y   y3    0.991
    """

    def __init__(self, spec, *, tol: float = 1e-7, max_iter: int = 300):
        self.spec = spec
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, survey: pd.DataFrame) -> PLSPathModel:
        """Estimate the model on ``survey`` (items numeric, no missing answers).

        Parameters
        ----------
        survey : pandas.DataFrame
            One row per respondent with every item of the spec (see
            :func:`~workbench.satisfaction.clean_survey`).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Missing answers, an item without variance or fewer than 3 respondents.
        RuntimeError
            When the weights do not converge in ``max_iter`` iterations.
        """
        spec = load_spec(self.spec, columns=survey.columns)
        x = item_matrix(survey, spec)
        n_missing = x.isna().sum()
        if n_missing.any():
            bad = n_missing[n_missing > 0]
            raise ValueError(f"{int(bad.sum())} missing answers in items {bad.to_dict()}; "
                             "apply a missing-answer rule first: clean_survey(..., "
                             "missing='listwise' or 'mean')")
        sd = x.std()
        if (sd == 0).any() or len(x) < 3:
            raise ValueError(f"items without variance {sd.index[sd == 0].tolist()} or fewer "
                             f"than 3 respondents ({len(x)}); PLS needs varying answers")
        self.spec_, self.design_ = spec, _design(spec)
        self.item_sd_ = sd
        xv = x.to_numpy()
        self._xc = xv - xv.mean(axis=0)
        s = _weighted_corr(self._xc, np.ones((1, len(x))))
        wm, self.n_iter_, conv = _pls_weights(s, self.design_, self.tol, self.max_iter)
        if not conv[0]:
            raise RuntimeError(f"PLS did not converge in {self.max_iter} iterations "
                               f"(tol {self.tol}); raise max_iter")
        self._wm = _sign_fix(s, wm, self.design_)
        est = _estimates(s, self._wm, self.design_)
        self._est = {k: v[0] for k, v in est.items()}
        self._tables(x, est, s[0])
        return self

    def _tables(self, x: pd.DataFrame, est, s) -> None:
        spec, names = self.spec_, self.spec_.construct_names
        items = spec.item_construct()
        e = self._est
        self.n_obs_ = len(x)
        base = pd.DataFrame({"construct": list(items.values()), "item": list(items)})
        self.weights_ = base.assign(weight=e["weights"])
        self.loadings_ = base.assign(loading=e["loadings"])
        self.cross_loadings_ = pd.DataFrame(e["cross_loadings"], index=list(items), columns=names)
        z = (x - x.mean()) / x.std()
        self.scores_ = pd.DataFrame(z.to_numpy() @ self._wm[0], index=x.index, columns=names)
        self.construct_correlations_ = pd.DataFrame(e["lv_corr"], index=names, columns=names)
        k = {c: i for i, c in enumerate(names)}
        r = e["lv_corr"]
        rows = []
        for src, tgt in spec.paths:
            t = k[tgt]
            others = [i for i in self.design_.sources[t] if i != k[src]]
            r2_without = 0.0
            if others:
                o = np.array(others)
                beta = np.linalg.solve(r[np.ix_(o, o)], r[o, t])
                r2_without = float(beta @ r[o, t])
            f2 = (e["r2"][t] - r2_without) / (1 - e["r2"][t])
            rows.append((src, tgt, e["paths"][k[src], t], f2))
        self.paths_ = pd.DataFrame(rows, columns=["source", "target", "coefficient", "f2"])
        n = len(x)
        r2 = [(c, e["r2"][k[c]], len(self.design_.sources[k[c]])) for c in spec.endogenous]
        self.r2_ = pd.DataFrame(r2, columns=["construct", "r2", "n_predictors"])
        self.r2_["r2_adj"] = 1 - (1 - self.r2_["r2"]) * (n - 1) / (n - self.r2_["n_predictors"] - 1)
        eff = [(a, b, e["paths"][i, j], e["total"][i, j] - e["paths"][i, j], e["total"][i, j])
               for i, a in enumerate(names) for j, b in enumerate(names)
               if abs(e["total"][i, j]) > 0]
        self.effects_ = pd.DataFrame(eff, columns=["source", "target", "direct_effect",
                                                   "indirect_effect", "total_effect"])
        self.item_correlations_ = pd.DataFrame(s, index=list(items), columns=list(items))

    def bootstrap(self, *, n_resamples: int = 5000, random_state=0, confidence: float = 0.95,
                  sign_change: str = "construct", bca: bool = True,
                  batch_size: int = 500) -> PLSBootstrap:
        """Bootstrap the fitted model: standard errors, t and p values, intervals.

        Parameters
        ----------
        n_resamples : int, default 5000
        random_state : int or numpy.random.Generator, default 0
            Seeds :func:`numpy.random.default_rng`; the result does not depend on
            ``batch_size``.
        confidence : float, default 0.95
        sign_change : {"construct", "positive_loadings"}, default "construct"
            How the arbitrary sign of each construct is fixed in a resample.
            ``"construct"``: flip a construct whose loadings are closer to minus the
            original loadings than to them (sum of absolute differences; construct-level
            sign change, Tenenhaus et al. 2005, 3.3). ``"positive_loadings"``: flip a
            construct whose loadings sum to a negative number, the rule the fit itself
            applies, without looking at the original estimate. Either way some rule is
            applied: with no rule at all a resample's signs would be whatever the
            iteration lands on.
        bca : bool, default True
            Also compute bias-corrected and accelerated intervals (n jackknife fits).
        batch_size : int, default 500
            Resamples estimated at once (memory ~ batch_size * n * p * 8 bytes).

        Returns
        -------
        PLSBootstrap

        Raises
        ------
        ValueError
            Unknown ``sign_change`` or fewer than 2 resamples.
        sklearn.exceptions.NotFittedError
            When the model is not fitted.

        Notes
        -----
        Each resample draws n respondents with replacement; its item correlation
        matrix comes from the counts, and the PLS algorithm runs on all resamples of a
        batch at once. SE = SD of the B valid resample estimates (ddof=1); t =
        original / SE. p: two-sided, 2 P(T > |t|) with T Student's t on B - 1 degrees
        of freedom (a choice: the t statistic is referred to the t distribution of
        its B resamples); it differs from the normal approximation 2 (1 - Phi(|t|))
        by less than 1e-4 at B = 5000 and less than 7e-4 at B = 500. seminr
        0.2.1 prints a different p, twice the smaller share of resamples on either
        side of zero. Percentile interval: the (1 -/+ confidence)/2 quantiles of the
        resamples. BCa: z0 = Phi^-1(share of resamples below the original, ties
        counted half), acceleration from the leave-one-out jackknife,
        a = sum (m - t_i)^3 / (6 (sum (m - t_i)^2)^1.5), m the jackknife mean; the
        bounds are the Phi(z0 + (z0 + z) / (1 - a (z0 + z))) quantiles of the
        resamples, z = Phi^-1((1 -/+ confidence)/2). Resamples that do not converge or
        have an item without variance are dropped and counted in ``n_failed``.

        References
        ----------
        Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
        Chapman & Hall, ch. 13 (percentile interval) and ch. 14 (BCa).
        Efron, B. (1987). Better bootstrap confidence intervals. Journal of the
        American Statistical Association, 82(397), 171-185. Tenenhaus, M., Esposito
        Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path modeling.
        Computational Statistics & Data Analysis, 48(1), 159-205 (sign changes).
        """
        if sign_change not in _SIGN_CHANGES:
            raise ValueError(f"sign_change={sign_change!r}; use 'construct' (compare with "
                             "the original loadings) or 'positive_loadings' (make each "
                             "block's loadings sum positive)")
        check_is_fitted(self, "weights_")
        if int(n_resamples) < 2:
            raise ValueError(f"n_resamples must be at least 2, got {n_resamples}")
        rng = random_state if isinstance(random_state, np.random.Generator) \
            else np.random.default_rng(random_state)
        n = self.n_obs_
        draws = []
        for start in range(0, int(n_resamples), batch_size):
            nb = min(batch_size, int(n_resamples) - start)
            idx = rng.integers(0, n, size=(nb, n))
            counts = np.bincount((np.arange(nb)[:, None] * n + idx).ravel(),
                                 minlength=nb * n).reshape(nb, n).astype(float)
            draws.append(self._batch(counts, sign_change))
        boot = {k: np.concatenate([d[k] for d in draws]) for k in draws[0]}
        jack = None
        if bca:
            counts = 1.0 - np.eye(n)
            jack = {k: np.concatenate([self._batch(counts[i:i + batch_size], sign_change)[k]
                                       for i in range(0, n, batch_size)]) for k in boot}
        return PLSBootstrap._from_draws(self, boot, jack, confidence)

    def _batch(self, counts: np.ndarray, sign_change: str) -> dict[str, np.ndarray]:
        s = _weighted_corr(self._xc, counts)
        ok = np.isfinite(s).all(axis=(1, 2))
        s = np.where(ok[:, None, None], s, np.eye(s.shape[-1]))
        wm, _, conv = _pls_weights(s, self.design_, self.tol, self.max_iter)
        ref = None if sign_change == "positive_loadings" else self._est["loadings"]
        wm = _sign_fix(s, wm, self.design_, ref)
        est = _estimates(s, wm, self.design_)
        est["htmt"] = htmt_matrix(s, self.design_.mask)
        est["valid"] = ok & conv
        return est


@dataclass(frozen=True)
class PLSBootstrap:
    """Bootstrap results of a :class:`PLSPathModel`.

    Attributes
    ----------
    paths, loadings, weights, r2, total_effects, htmt : DataFrame
        One row per parameter: key columns, ``original``, ``boot_mean``, ``std_error``,
        ``t``, ``p_value``, ``ci_lower``, ``ci_upper`` (percentile) and, with BCa,
        ``bca_lower``, ``bca_upper``.
    n_resamples, n_failed : int
        Valid resamples used, and resamples dropped (not converged or an item without
        variance).
    confidence : float
    draws : dict
        ``"paths"``: (n_resamples, n_paths) resample estimates, paths in spec order.

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
    >>> boot = model.bootstrap(n_resamples=50, random_state=1)
    >>> sorted(boot.tables())[:3]
    ['bootstrap_htmt', 'bootstrap_loadings', 'bootstrap_paths']
    """

    paths: pd.DataFrame
    loadings: pd.DataFrame
    weights: pd.DataFrame
    r2: pd.DataFrame
    total_effects: pd.DataFrame
    htmt: pd.DataFrame
    n_resamples: int
    n_failed: int
    confidence: float
    draws: dict

    def tables(self) -> dict[str, pd.DataFrame]:
        """All summary tables, for a recorder.

        Returns
        -------
        dict
            ``"bootstrap_paths"``, ``"bootstrap_loadings"``, ``"bootstrap_weights"``,
            ``"bootstrap_r2"``, ``"bootstrap_total_effects"``, ``"bootstrap_htmt"`` ->
            the tables described in the class docstring.
        """
        return {f"bootstrap_{k}": getattr(self, k)
                for k in ("paths", "loadings", "weights", "r2", "total_effects", "htmt")}

    @classmethod
    def _from_draws(cls, model: PLSPathModel, boot, jack, confidence) -> PLSBootstrap:
        valid = boot["valid"]
        names = model.spec_.construct_names
        k = {c: i for i, c in enumerate(names)}
        items = model.spec_.item_construct()
        orig = model._est
        s0 = model.item_correlations_.to_numpy()[None]
        orig_htmt = htmt_matrix(s0, model.design_.mask)[0]

        def table(keys, key_cols, original, pick):
            b = pick(boot)[valid]
            jk = pick(jack)[jack["valid"]] if jack is not None else None
            frame = pd.DataFrame(keys, columns=key_cols)
            return pd.concat([frame, _summary(original, b, jk, confidence)], axis=1)

        path_idx = [(k[s], k[t]) for s, t in model.spec_.paths]
        pi, pj = np.array(path_idx).T
        pairs = [(i, j) for i in range(len(names)) for j in range(len(names))
                 if abs(orig["total"][i, j]) > 0]
        ti, tj = np.array(pairs).T
        endo = np.array([k[c] for c in model.spec_.endogenous])
        hp = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
        hi, hj = np.array(hp).T
        item_keys = [(c, i) for i, c in items.items()]
        return cls(
            paths=table(list(model.spec_.paths), ["source", "target"], orig["paths"][pi, pj],
                        lambda d: d["paths"][:, pi, pj]),
            loadings=table(item_keys, ["construct", "item"], orig["loadings"],
                           lambda d: d["loadings"]),
            weights=table(item_keys, ["construct", "item"], orig["weights"],
                          lambda d: d["weights"]),
            r2=table([names[j] for j in endo], ["construct"], orig["r2"][endo],
                     lambda d: d["r2"][:, endo]),
            total_effects=table([(names[i], names[j]) for i, j in pairs], ["source", "target"],
                                orig["total"][ti, tj], lambda d: d["total"][:, ti, tj]),
            htmt=table([(names[i], names[j]) for i, j in hp], ["construct_1", "construct_2"],
                       orig_htmt[hi, hj], lambda d: d["htmt"][:, hi, hj]),
            n_resamples=int(valid.sum()),
            n_failed=int((~valid).sum()),
            confidence=confidence,
            draws={"paths": boot["paths"][valid][:, pi, pj]},
        )


def _summary(original, boot, jack, confidence) -> pd.DataFrame:
    """Bootstrap summary columns for parameters (columns of ``boot``)."""
    nb = len(boot)
    alpha = (1 - confidence) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        se = boot.std(axis=0, ddof=1)
        t = original / se
    out = pd.DataFrame({
        "original": original,
        "boot_mean": boot.mean(axis=0),
        "std_error": se,
        "t": t,
        "p_value": 2 * stats.t.sf(np.abs(t), df=nb - 1),
        "ci_lower": np.quantile(boot, alpha, axis=0),
        "ci_upper": np.quantile(boot, 1 - alpha, axis=0),
    })
    if jack is not None:
        below = (boot < original).mean(axis=0) + 0.5 * (boot == original).mean(axis=0)
        z0 = stats.norm.ppf(np.clip(below, 1 / (nb + 1), nb / (nb + 1)))
        d = jack.mean(axis=0) - jack
        with np.errstate(invalid="ignore", divide="ignore"):
            acc = (d**3).sum(axis=0) / (6 * ((d**2).sum(axis=0)) ** 1.5)
        acc = np.nan_to_num(acc)
        lo, hi = [], []
        for za, store in ((stats.norm.ppf(alpha), lo), (stats.norm.ppf(1 - alpha), hi)):
            q = stats.norm.cdf(z0 + (z0 + za) / (1 - acc * (z0 + za)))
            store.extend(np.quantile(boot[:, m], q[m]) if np.isfinite(q[m]) else np.nan
                         for m in range(boot.shape[1]))
        out["bca_lower"], out["bca_upper"] = lo, hi
    return out


def pls_path_model(survey: pd.DataFrame, spec, **kwargs) -> PLSPathModel:
    """Fit a :class:`PLSPathModel` (convenience: ``PLSPathModel(spec, **kwargs).fit(survey)``).

    Parameters
    ----------
    survey : pandas.DataFrame
    spec : ModelSpec, str, path or mapping
    **kwargs
        ``tol``, ``max_iter``.

    Returns
    -------
    PLSPathModel
        Fitted.

    References
    ----------
    See :class:`PLSPathModel` (Lohmoller 1989; Tenenhaus et al. 2005; checked against
    seminr 0.2.1 and plspm 0.5.7).

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
    >>> model.paths_.round(3)
      source target  coefficient      f2
    0      X      Y        0.962  12.495
    """
    return PLSPathModel(spec, **kwargs).fit(survey)
