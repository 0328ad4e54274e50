"""The N-company survey: ECSI answers drawn from a known path model (part of the generator)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from workbench.datasets._profiles import _SEGMENT_PROFILE, _numbered

__all__ = [
    "NCOMPANY_CONSTRUCTS",
]


# --- survey: the ECSI-style structural model (Tenenhaus et al. 2005, without CUSCO) -------
NCOMPANY_CONSTRUCTS = ("IMAG", "CUEX", "PERQ", "PERV", "CUSA", "CUSL")
_PATHS = (  # source, target, standardised coefficient
    ("IMAG", "CUEX", 0.50),
    ("IMAG", "CUSA", 0.20),
    ("IMAG", "CUSL", 0.20),
    ("CUEX", "PERQ", 0.55),
    ("CUEX", "PERV", 0.20),
    ("CUEX", "CUSA", 0.10),
    ("PERQ", "PERV", 0.55),
    ("PERQ", "CUSA", 0.35),
    ("PERV", "CUSA", 0.25),
    ("CUSA", "CUSL", 0.55),
)
_LOADINGS = {
    "IMAG": (0.80, 0.75, 0.85, 0.75),
    "CUEX": (0.80, 0.85, 0.75),
    "PERQ": (0.85, 0.80, 0.75, 0.80),
    "PERV": (0.90, 0.85, 0.80),
    "CUSA": (0.90, 0.85, 0.85),
    "CUSL": (0.85, 0.80, 0.80),
}
_REVERSE_ITEMS = ("CUSL3",)  # "I would consider switching supplier": stored as 8 - answer
_SCALE = (1, 7)
_ITEM_CENTRE, _ITEM_SPREAD = 4.6, 1.3  # answer = clip(round(centre + spread * x*), 1, 7)
# CUSA -> CUSL when nonlinear_loyalty=True: a hinge at `threshold` (latent SD units),
# steep below (loyalty collapses), flat above.
_LOYALTY_HINGE = {"threshold": -0.5, "slope_below": 1.20, "slope_above": 0.35}
_SATISFACTION_SEGMENT_WEIGHT = 0.6  # the segment explains 0.6**2 = 36 % of Var(zeta_CUSA)
_AUX_RESPONDENTS = 200_000
_AUX_SEED = 19_930_101


def _loadings_table() -> pd.DataFrame:
    rows = [(c, f"{c}{i}", lam, f"{c}{i}" in _REVERSE_ITEMS)
            for c, lams in _LOADINGS.items() for i, lam in enumerate(lams, start=1)]
    return pd.DataFrame(rows, columns=["construct", "item", "loading", "reverse_coded"])


def _implied_disturbance_variances() -> dict[str, float]:
    """Var(zeta_j) = 1 - b' Sigma b for each endogenous construct, in causal order."""
    k = {c: i for i, c in enumerate(NCOMPANY_CONSTRUCTS)}
    beta = np.zeros((6, 6))  # beta[target, source]
    for s, t, coef in _PATHS:
        beta[k[t], k[s]] = coef
    sigma = np.zeros((6, 6))
    psi = {}
    for j, c in enumerate(NCOMPANY_CONSTRUCTS):  # constructs are listed in causal order
        bj = beta[j, :j]
        psi[c] = 1.0 - float(bj @ sigma[:j, :j] @ bj) if j else 1.0
        sigma[j, :j] = sigma[:j, :j] @ bj
        sigma[:j, j] = sigma[j, :j]
        sigma[j, j] = 1.0
    return psi


def _standardised_segment_effect(effects: np.ndarray, shares: np.ndarray) -> np.ndarray:
    mean = float(shares @ effects)
    sd = float(np.sqrt(shares @ (effects - mean) ** 2))
    return (effects - mean) / sd


def _hinge(x: np.ndarray) -> np.ndarray:
    h = _LOYALTY_HINGE
    d = x - h["threshold"]
    return np.where(d < 0, h["slope_below"] * d, h["slope_above"] * d)


def _latent_scores(rng, seg_effect, nonlinear, cusl=None):
    """Standardised latent scores (n x 6) from the structural model.

    ``cusl`` = (mean, scale, disturbance SD) of the hinge version; None for linear.
    """
    n = len(seg_effect)
    psi = _implied_disturbance_variances()
    eta = {}
    w = _SATISFACTION_SEGMENT_WEIGHT
    for c in NCOMPANY_CONSTRUCTS:
        z = rng.standard_normal(n)
        if c == "CUSA":
            z = w * seg_effect + np.sqrt(1 - w**2) * z
        systematic = sum(coef * eta[s] for s, t, coef in _PATHS if t == c)
        if c == "CUSL" and nonlinear:
            mean, scale, zsd = cusl
            others = sum(coef * eta[s] for s, t, coef in _PATHS if t == c and s != "CUSA")
            eta[c] = (others + _hinge(eta["CUSA"]) - mean + zsd * z) / scale
        else:
            eta[c] = systematic + np.sqrt(psi[c]) * z
    return np.column_stack([eta[c] for c in NCOMPANY_CONSTRUCTS])


def _answers(rng, eta) -> dict[str, np.ndarray]:
    """1-7 answers of every item; reverse-coded items stored reversed."""
    lo, hi = _SCALE
    out = {}
    for j, (c, lams) in enumerate(_LOADINGS.items()):
        for i, lam in enumerate(lams, start=1):
            x = lam * eta[:, j] + np.sqrt(1 - lam**2) * rng.standard_normal(len(eta))
            answer = np.clip(np.rint(_ITEM_CENTRE + _ITEM_SPREAD * x), lo, hi).astype(np.int64)
            name = f"{c}{i}"
            out[name] = lo + hi - answer if name in _REVERSE_ITEMS else answer
    return out


@functools.lru_cache(maxsize=2)
def _survey_calibration(nonlinear: bool) -> dict:
    """Scale of the hinge link and the paths a linear model recovers, on a huge sample.

    Uses a fixed seed of its own, so the truth does not depend on the caller's seed.
    """
    rng = np.random.default_rng(_AUX_SEED)
    shares = _SEGMENT_PROFILE["share"].to_numpy()
    effects = _standardised_segment_effect(
        _SEGMENT_PROFILE["satisfaction_effect"].to_numpy(), shares)
    seg = rng.choice(len(shares), _AUX_RESPONDENTS, p=shares)
    psi = _implied_disturbance_variances()
    link = {"kind": "linear", "threshold": None, "slope_below": None, "slope_above": None,
            "scale": 1.0}
    cusl = None
    if nonlinear:
        # systematic part on the sample, then a disturbance keeping the linear R^2
        eta = _latent_scores(rng, effects[seg], False)
        k = {c: i for i, c in enumerate(NCOMPANY_CONSTRUCTS)}
        others = sum(coef * eta[:, k[s]] for s, t, coef in _PATHS if t == "CUSL" and s != "CUSA")
        systematic = others + _hinge(eta[:, k["CUSA"]])
        var_sys = float(systematic.var())
        r2 = 1.0 - psi["CUSL"]
        zsd = float(np.sqrt(var_sys * (1 - r2) / r2))
        cusl = (float(systematic.mean()), float(np.sqrt(var_sys + zsd**2)), zsd)
        link = {"kind": "hinge", **_LOYALTY_HINGE, "scale": cusl[1]}
    eta = _latent_scores(rng, effects[seg], nonlinear, cusl)
    answers = _answers(rng, eta)
    for item in _REVERSE_ITEMS:
        answers[item] = _SCALE[0] + _SCALE[1] - answers[item]
    blocks = {c: np.column_stack([answers[f"{c}{i}"] for i in range(1, len(lams) + 1)])
              for c, lams in _LOADINGS.items()}
    edges = [(s, t) for s, t, _ in _PATHS]
    latent = {c: eta[:, i] for i, c in enumerate(NCOMPANY_CONSTRUCTS)}
    latent_paths = _standardised_paths(latent, edges)
    structural = {(s, t): coef for s, t, coef in _PATHS}
    if nonlinear:  # the hinge's best linear projection replaces the CUSL paths
        structural.update({e: latent_paths[e] for e in edges if e[1] == "CUSL"})
    pls = _standardised_paths(_pls_scores(blocks, edges), edges)
    frame = lambda d: pd.DataFrame(  # noqa: E731
        [(s, t, round(float(d[(s, t)]), 4)) for s, t in edges],
        columns=["source", "target", "coefficient"])
    return {"paths": frame(structural), "pls_paths": frame(pls), "loyalty_link": link,
            "cusl": cusl}


def _standardised_paths(scores: dict[str, np.ndarray], edges) -> dict:
    """OLS of each target on its sources, all standardised."""
    z = {c: (x - x.mean()) / x.std() for c, x in scores.items()}
    out = {}
    for target in dict.fromkeys(t for _, t in edges):
        sources = [s for s, t in edges if t == target]
        coef = np.linalg.lstsq(np.column_stack([z[s] for s in sources]), z[target], rcond=None)[0]
        out.update({(s, target): c for s, c in zip(sources, coef, strict=True)})
    return out


def _pls_scores(blocks: dict[str, np.ndarray], edges, tol=1e-10, max_iter=500):
    """Latent scores of PLS-PM, mode A, path weighting scheme (Lohmoller 1989).

    Inner weights: regression coefficients on a construct's predecessors and
    correlations with its successors, as in R plspm's ``get_path_scheme``.
    """
    x = {c: (b - b.mean(0)) / b.std(0) for c, b in blocks.items()}
    n = len(next(iter(x.values())))
    w = {c: np.ones(b.shape[1]) for c, b in x.items()}
    pred = {c: [s for s, t in edges if t == c] for c in x}
    succ = {c: [t for s, t in edges if s == c] for c in x}

    def scores(weights):
        out = {}
        for c in x:
            y = x[c] @ weights[c]
            out[c] = (y - y.mean()) / y.std()
        return out

    for _ in range(max_iter):
        y = scores(w)
        new = {}
        for c in x:
            inner = np.zeros(n)
            if pred[c]:
                p = np.column_stack([y[s] for s in pred[c]])
                inner += p @ np.linalg.lstsq(p, y[c], rcond=None)[0]
            for t in succ[c]:
                inner += (y[c] @ y[t] / n) * y[t]
            wc = x[c].T @ inner / n
            new[c] = wc / (x[c] @ wc).std()
        change = max(float(np.abs(new[c] - w[c]).max()) for c in x)
        w = new
        if change < tol:
            break
    return scores(w)


def _draw_survey(rng, latent, n_resp, nonlinear):
    n = len(latent)
    chosen = np.sort(rng.choice(n, n_resp, replace=n_resp > n))
    shares = _SEGMENT_PROFILE["share"].to_numpy()
    effects = _standardised_segment_effect(
        _SEGMENT_PROFILE["satisfaction_effect"].to_numpy(), shares)
    seg = latent["segment_code"].to_numpy()[chosen]
    cusl = _survey_calibration(True)["cusl"] if nonlinear else None
    eta = _latent_scores(rng, effects[seg], nonlinear, cusl)
    answers = _answers(rng, eta)
    k = NCOMPANY_CONSTRUCTS.index("CUSL")
    recommend = np.clip(np.rint(7.0 + 2.2 * (0.85 * eta[:, k]
                                             + np.sqrt(1 - 0.85**2) * rng.standard_normal(n_resp))),
                        0, 10).astype(np.int64)
    width = max(5, len(str(n_resp)))
    respondent = _numbered("S", np.arange(1, n_resp + 1), width).array
    customer = pd.array(latent["customer_id"].to_numpy()[chosen], dtype="str")
    survey = pd.DataFrame({"respondent_id": respondent, "customer_id": customer, **answers,
                           "recommend": recommend})
    scores = pd.DataFrame(eta, columns=list(NCOMPANY_CONSTRUCTS))
    scores.insert(0, "customer_id", customer)
    scores.insert(0, "respondent_id", respondent)
    return survey, scores
