"""Customer lifetime value: the textbook formula, BG/NBD and Gamma-Gamma.

* :func:`textbook_clv` and :func:`retention_sensitivity`: margin per period, retention
  rate and discount rate (the retention-economics argument of the CRM textbooks).
* :class:`BetaGeoModel` (Fader, Hardie & Lee 2005a) for repeat purchases and P(alive),
  :class:`GammaGammaModel` (Fader, Hardie & Lee 2005b) for spend per purchase, fitted by
  maximum likelihood with analytic gradients (log-parameters, L-BFGS-B).
* :func:`customer_lifetime_value`: discounted expected purchases x expected spend x margin.
* :func:`holdout_validation` and :func:`repeat_purchase_tracking`: predictions against
  the holdout window, by calibration frequency and week by week.

The models take the columns of :func:`workbench.features.bgnbd_summary`
(``frequency``, ``recency``, ``T``, ``monetary_value``), in its time unit (weeks for
the published CDNOW numbers).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from workbench._periods import _day, _day_numbers, _iso, _scalar_period, _window
from workbench._validation import _check_choice, _check_transactions
from workbench.features import TIME_UNIT_DAYS, in_engine

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "HoldoutValidation",
    "RepeatPurchaseTracking",
    "customer_lifetime_value",
    "holdout_validation",
    "repeat_purchase_tracking",
    "retention_sensitivity",
    "spend_frequency_correlation",
    "textbook_clv",
]

#: Model time units per month, as lifetimes' ``customer_lifetime_value`` uses them.
_UNITS_PER_MONTH = {"W": 4.345, "D": 30.0}
#: Above this many customers, predictions are evaluated once per distinct (x, t_x, T)
#: (:func:`_distinct`) and looked up per customer; below, per customer as written.
_DISTINCT_ABOVE = 100_000


# ======================================================================================
# textbook CLV
# ======================================================================================


def textbook_clv(margin, retention, discount, periods, acquisition_cost=0.0):
    r"""Discounted margin of a retained customer over a fixed number of periods.

    Parameters
    ----------
    margin : float or array-like
        Margin per period *m* (currency per period), one per customer or a scalar.
    retention : float or array-like
        Retention rate per period *r*, in [0, 1].
    discount : float or array-like
        Discount rate per period *d*, >= 0.
    periods : int, float or array-like
        Number of periods *T* >= 1 (whole numbers; ``numpy.inf`` for no end, which needs
        ``r < 1 + d``).
    acquisition_cost : float or array-like
        Acquisition cost *AC* (currency), subtracted once.

    Returns
    -------
    float or numpy.ndarray
        CLV in currency, broadcast over the inputs (a float when all are scalars).

    Notes
    -----
    .. math:: CLV = \sum_{t=1}^{T} \frac{m\, r^{t-1}}{(1+d)^t} - AC
              = \frac{m}{1+d}\,\frac{1 - q^T}{1 - q} - AC, \quad q = \frac{r}{1+d}

    (the first margin is earned at the end of period 1; :math:`T` terms when
    :math:`q = 1`).

    References
    ----------
    Gupta, S., & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive
    Marketing, 17(1), 9-24. Berger, P. D., & Nasr, N. I. (1998). Customer lifetime
    value: Marketing models and applications. Journal of Interactive Marketing, 12(1),
    17-30. Checked against the explicit sum in ``tests/test_clv.py``.

    Examples
    --------
    >>> round(textbook_clv(100, 0.8, 0.1, 3), 2)  # 100/1.1 + 80/1.1**2 + 64/1.1**3
    205.11
    """
    m, r, d, T, ac = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in
                                           (margin, retention, discount, periods, acquisition_cost)))
    _check_finite(m, "margin")
    _check_finite(ac, "acquisition_cost")
    if np.any(np.isnan(r)) or np.any((r < 0) | (r > 1)):
        raise ValueError(f"retention must lie in [0, 1]; got {np.unique(r[(r < 0) | (r > 1) | np.isnan(r)])[:5]}")
    if np.any(np.isnan(d)) or np.any(d < 0):
        raise ValueError(f"discount must be >= 0 per period; got {np.unique(d[(d < 0) | np.isnan(d)])[:5]}")
    finite_T = np.isfinite(T)
    if np.any(np.isnan(T)) or np.any(T < 1) or np.any(T[finite_T] != np.round(T[finite_T])):
        raise ValueError("periods must be whole numbers >= 1 (or numpy.inf)")
    q = r / (1.0 + d)
    if np.any(~finite_T & (q >= 1)):
        raise ValueError("periods=inf needs retention < 1 + discount, or the sum diverges")
    one = np.isclose(q, 1.0, rtol=0, atol=1e-12)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q_T = np.where(finite_T, q ** np.where(finite_T, T, 1.0), 0.0)
        annuity = np.where(one, T, (1.0 - q_T) / np.where(one, 1.0, 1.0 - q))
    clv = m / (1.0 + d) * annuity - ac
    return float(clv) if clv.ndim == 0 else clv


def retention_sensitivity(
    margin: float,
    discount: float,
    periods,
    *,
    retentions=None,
    acquisition_cost: float = 0.0,
    base_retention: float | None = None,
) -> pd.DataFrame:
    """Textbook CLV over a grid of retention rates.

    Parameters
    ----------
    margin, discount, periods, acquisition_cost
        As in :func:`textbook_clv` (scalars).
    retentions : array-like, optional
        Retention rates; default 0.50, 0.55, ..., 0.95.
    base_retention : float, optional
        When given, ``change_pct`` compares each CLV with the CLV at this rate.

    Returns
    -------
    pandas.DataFrame
        ``retention``, ``clv`` (currency) and, with a base, ``change_pct`` (percent).

    Notes
    -----
    The table behind the retention-economics argument (Reichheld & Sasser 1990): the
    CLV of :func:`textbook_clv` rises convexly in *r*;
    ``change_pct = 100 (CLV(r) - CLV(r_0)) / |CLV(r_0)|``.

    References
    ----------
    Reichheld, F. F., & Sasser, W. E. (1990). Zero defections: Quality comes to
    services. Harvard Business Review, 68(5), 105-111; the formula of
    :func:`textbook_clv` (Gupta & Lehmann 2003). ``tests/test_clv.py`` checks the grid,
    monotonicity, convexity and the zero change at the base rate.

    Examples
    --------
    >>> retention_sensitivity(100, 0.1, 3, retentions=[0.5, 0.8]).round(2)
       retention     clv
    0        0.5  151.01
    1        0.8  205.11
    """
    grid = np.round(np.arange(0.50, 0.951, 0.05), 2) if retentions is None else np.asarray(retentions, float)
    table = pd.DataFrame({"retention": grid,
                          "clv": np.atleast_1d(textbook_clv(margin, grid, discount, periods, acquisition_cost))})
    if base_retention is not None:
        base = textbook_clv(margin, base_retention, discount, periods, acquisition_cost)
        if base == 0:
            raise ValueError(f"CLV at base_retention={base_retention} is 0; a percent change is undefined")
        table["change_pct"] = 100.0 * (table["clv"] - base) / abs(base)
    return table


def _check_finite(values: np.ndarray, name: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"{name}: {int(bad.sum())} value(s) are not finite numbers")


def _distinct(*columns: np.ndarray) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """The distinct rows of equal-length 1-D columns and where each row is among them.

    Parameters
    ----------
    *columns : numpy.ndarray
        1-D float arrays of one length *n* (finite values; ``0.0`` and ``-0.0`` are one).

    Returns
    -------
    distinct : tuple of numpy.ndarray
        One array per column, the *k* distinct rows in order of first appearance.
    inverse : numpy.ndarray
        int64 of length *n*: row *i* equals distinct row ``inverse[i]``, so
        ``distinct[j][inverse] == columns[j]``.

    Notes
    -----
    The same as ``np.unique(np.column_stack(columns), axis=0, return_inverse=True)``
    up to the order of the distinct rows, by hashing (``pandas.factorize``, one column
    at a time, the codes so far combined with the next column's) instead of sorting rows
    of several columns: about 0.3 s per column for 10M customers where the row sort took
    seconds. A function of a customer's (x, t_x, T) evaluated on the distinct rows and
    indexed by ``inverse`` gives every customer exactly the value a per-customer
    evaluation would (the same operations on the same numbers).
    """
    inverse = np.zeros(len(columns[0]), dtype=np.int64)
    size = 1
    for column in columns:
        codes, uniques = pd.factorize(column)
        inverse, combined = pd.factorize(inverse * len(uniques) + codes)
        size = len(combined)
    first = np.empty(size, dtype=np.int64)
    first[inverse] = np.arange(len(inverse))  # any row of a group: its values are the group's
    return tuple(np.asarray(c)[first] for c in columns), inverse.astype(np.int64, copy=False)


def _unique_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(np.column_stack(columns), axis=0, return_counts=True)``, by hashing.

    The distinct rows come from :func:`_distinct` (``pandas.factorize``) and only they
    are sorted (lexicographically, first column first, as ``np.unique`` orders them), so
    the result is the same array and counts, for 10M customers in a fraction of the
    row sort's time (16 s there).
    """
    distinct, inverse = _distinct(*columns)
    order = np.lexsort(distinct[::-1])
    counts = np.bincount(inverse, minlength=len(distinct[0]))[order]
    return np.column_stack([d[order] for d in distinct]), counts


# ======================================================================================
# shared machinery for the maximum-likelihood models
# ======================================================================================


def _column(data, name):
    if isinstance(data, pd.DataFrame):
        if name not in data.columns:
            raise ValueError(f"column '{name}' is missing; columns present: {list(data.columns)} "
                             "(build them with workbench.features.bgnbd_summary)")
        data = data[name]
    return np.asarray(data, dtype=float)


@functools.cache
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _fit_log_params(neg_ll_and_grad, start: np.ndarray, n: int, max_iter: int, tol: float):
    """Minimise the mean negative log-likelihood over log-parameters with L-BFGS-B.

    Returns the estimates, scipy's result and the standard errors.

    L-BFGS-B calls BLAS on vectors of length 3-4; with OpenBLAS threads on a busy
    machine those calls wait for each other and a fit takes 5-10 times longer, so BLAS
    runs on one thread here.
    """
    with _blas_controller().limit(limits=1, user_api="blas"):
        params, res = _minimise(neg_ll_and_grad, start, n, max_iter, tol)
        return params, res, _standard_errors(neg_ll_and_grad, params)


_LOG_BOUND = 15.0


def _at_bound(params: np.ndarray, names) -> tuple[str, ...]:
    """Names of the parameters the optimiser left at a bound of its log-parameter box."""
    return tuple(n for n, edge in zip(names, _on_edge(np.log(params)), strict=True) if edge)


def _on_edge(theta: np.ndarray) -> np.ndarray:
    """Which log-parameters sit at the edge of the search box [-15, 15]."""
    return np.abs(theta) >= _LOG_BOUND - 1e-6


def _minimise(neg_ll_and_grad, start, n, max_iter, tol):

    def objective(theta):
        value, grad = neg_ll_and_grad(np.exp(theta))
        # chain rule d/d(log p) = p d/dp; the mean keeps L-BFGS-B's scale near 1
        return value / n, grad * np.exp(theta) / n

    res = optimize.minimize(objective, start, jac=True, method="L-BFGS-B",
                            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * len(start),
                            options={"maxiter": max_iter, "ftol": tol, "gtol": tol * 1e2})
    if not np.all(np.isfinite(res.x)) or not np.isfinite(res.fun):
        raise RuntimeError(f"the likelihood could not be maximised: {res.message}")
    if _on_edge(res.x).any():
        warnings.warn(
            f"a parameter reached its bound (estimates {np.exp(res.x)}): the likelihood has no "
            "interior maximum for these data, so the estimates and standard errors are not reliable",
            RuntimeWarning, stacklevel=4,
        )
    elif not res.success and not _stationary(res):
        warnings.warn(f"the optimiser stopped early: {res.message}", RuntimeWarning, stacklevel=4)
    return np.exp(res.x), res


def _stationary(res) -> bool:
    """Whether L-BFGS-B, though it reports failure, stopped at a stationary point.

    With tol = 1e-12 its line search can give up ("ABNORMAL") at the maximum itself,
    where the gradient of the mean log-likelihood (in log-parameters) is ~0; that is a
    converged fit, not one to warn about.
    """
    return bool(np.all(np.isfinite(res.jac)) and np.max(np.abs(res.jac)) < 1e-6)


def _standard_errors(neg_ll_and_grad, params: np.ndarray) -> np.ndarray:
    """Square roots of the diagonal of the inverse Hessian of -LL (natural parameters).

    The Hessian is the central difference of the analytic gradient.
    """
    k = len(params)
    hess = np.empty((k, k))
    for j in range(k):
        h = 1e-5 * params[j]
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        hess[:, j] = (neg_ll_and_grad(up)[1] - neg_ll_and_grad(down)[1]) / (2 * h)
    hess = (hess + hess.T) / 2
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    diag = np.diag(cov)
    return np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)


def _positive_params(cls_name: str, values: dict) -> np.ndarray:
    """The parameters as floats, each checked finite and > 0 (an error names the first bad one)."""
    out = []
    for name, v in values.items():
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise TypeError(f"{cls_name}.from_params: {name} must be a number; got {v!r}") from None
        if not np.isfinite(f) or f <= 0:
            raise ValueError(f"{cls_name}.from_params: {name} must be a finite number > 0; got {v!r}")
        out.append(f)
    return np.array(out)


def _check_time_unit(time_unit, where: str) -> str:
    if time_unit not in _UNITS_PER_MONTH:
        raise ValueError(f"{where}: time_unit={time_unit!r} is not supported; use one of {list(_UNITS_PER_MONTH)}")
    return time_unit


class _FittedModel(BaseEstimator):
    """Shared plumbing: scikit-learn's parameters, ``repr`` and not-fitted check."""

    _param_names: tuple[str, ...] = ()

    def _check_fitted(self):
        check_is_fitted(self, "params_")

    def _store_params(self, params: np.ndarray, se: np.ndarray) -> None:
        self.params_ = pd.Series(params, index=list(self._param_names), name="estimate")
        for name, v in zip(self._param_names, params, strict=True):
            setattr(self, f"{name}_", float(v))
        self.standard_errors_ = pd.Series(se, index=list(self._param_names), name="std_error")

    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors and 95% Wald intervals, one row each."""
        self._check_fitted()
        est = self.params_.to_numpy()
        se = self.standard_errors_.to_numpy()
        return pd.DataFrame(
            {"estimate": est, "std_error": se, "lower_95": est - 1.96 * se, "upper_95": est + 1.96 * se},
            index=pd.Index(self._param_names, name="parameter"),
        )


# ======================================================================================
# BG/NBD
# ======================================================================================


def _by_x(f, x, by_x):
    """``f(x)``, or, with ``by_x = (distinct x, index per row)``, ``f`` once per distinct x
    gathered per row: the same numbers (the same function of the same values), a few
    hundred special-function calls instead of one per row."""
    if by_x is None:
        return f(x)
    values, index = by_x
    return f(values)[index]


def _bgnbd_terms(params, x, tx, T, by_x=None):
    r, alpha, a, b = params
    log_beta_ab = special.betaln(a, b)
    # betaln(., b + x - 1) at x >= 1 keeps it finite where the term is unused
    a1 = _by_x(lambda v: special.gammaln(r + v), x, by_x) - special.gammaln(r) + r * np.log(alpha)
    a2 = _by_x(lambda v: special.betaln(a, b + v), x, by_x) - log_beta_ab - (r + x) * np.log(alpha + T)
    a3 = np.where(x > 0, _by_x(lambda v: special.betaln(a + 1, b + np.maximum(v, 1.0) - 1), x, by_x)
                  - log_beta_ab - (r + x) * np.log(alpha + tx), -np.inf)
    return a1, a2, a3


def _bgnbd_neg_ll_and_grad(params, x, tx, T, w, by_x=None):
    r, alpha, a, b = params
    a1, a2, a3 = _bgnbd_terms(params, x, tx, T, by_x)
    mix = np.logaddexp(a2, a3)
    ll = a1 + mix
    w2 = np.exp(a2 - mix)
    w3 = np.exp(a3 - mix)  # 0 where x = 0
    dg = special.digamma
    psi_ab = dg(a + b)
    psi_r, psi_abx, psi_bx, psi_bx1 = (_by_x(f, x, by_x) for f in (
        lambda v: dg(r + v), lambda v: dg(a + b + v), lambda v: dg(b + v), lambda v: dg(b + np.maximum(v, 1.0) - 1)))
    d_r = psi_r - dg(r) + np.log(alpha) - w2 * np.log(alpha + T) - w3 * np.log(alpha + tx)
    d_alpha = r / alpha - (r + x) * (w2 / (alpha + T) + w3 / (alpha + tx))
    d_a = w2 * (psi_ab - psi_abx) + w3 * (1.0 / a + psi_ab - psi_abx)
    d_b = w2 * (psi_bx - psi_abx - dg(b) + psi_ab) + w3 * (psi_bx1 - psi_abx - dg(b) + psi_ab)
    grad = np.array([np.dot(w, d) for d in (d_r, d_alpha, d_a, d_b)])
    return -np.dot(w, ll), -grad


class BetaGeoModel(_FittedModel):
    r"""BG/NBD model of repeat purchasing in a non-contractual setting.

    Parameters
    ----------
    time_unit : {"W", "D"}
        The time unit of ``recency`` and ``T`` in the data (weeks or days, as
        :func:`workbench.features.bgnbd_summary` was called); ``alpha`` and every
        horizon are in this unit. Recorded as ``time_unit_`` when fitted.
    max_iter : int
        Iterations of L-BFGS-B.
    tol : float
        Relative tolerance on the mean log-likelihood.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha``, ``a``, ``b``.
    r_, alpha_, a_, b_ : float
        The same, one by one.
    time_unit_ : str
        ``"W"`` or ``"D"``: the unit the parameters are in.
    log_likelihood_ : float
        Maximised log-likelihood (a sum over customers, in the data's time unit: the
        paper's weekly scale for CDNOW).
    standard_errors_ : pandas.Series
        From the inverse Hessian of the log-likelihood at the estimate.
    n_customers_ : int
    converged_ : bool
        Whether L-BFGS-B reported convergence.
    at_bound_ : tuple of str
        Parameters left at the edge of the search box (log-parameters in [-15, 15]);
        empty for an interior maximum.

    A model built by :meth:`from_params` has ``params_``, the one-by-one values,
    ``time_unit_``, ``at_bound_ == ()`` and NaN ``standard_errors_``, but no
    ``log_likelihood_``, ``n_customers_`` or ``converged_`` (nothing was estimated).

    Notes
    -----
    A customer with *x* repeat purchases, last at :math:`t_x`, observed for *T*:

    .. math::
        L = \frac{B(a, b+x)}{B(a, b)} \frac{\Gamma(r+x)\alpha^r}{\Gamma(r)(\alpha+T)^{r+x}}
          + \delta_{x>0} \frac{B(a+1, b+x-1)}{B(a, b)}
            \frac{\Gamma(r+x)\alpha^r}{\Gamma(r)(\alpha+t_x)^{r+x}}

    (Fader, Hardie & Lee 2005a, eq. 6), evaluated with ``gammaln``/``betaln`` and
    ``logaddexp`` so that no power overflows ("#NUM!" note, Fader & Hardie 2013).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.
    CDNOW sample, 39 weeks: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
    LL = -9582.4; lifetimes 0.11.3 ``BetaGeoFitter`` gives the same (tests/test_clv.py).

    Examples
    --------
    The CDNOW estimates of Fader, Hardie & Lee (2005a), weeks; a customer with 2 repeat
    purchases, the last at week 30.43, observed for 38.86 weeks:

    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(float(bg.probability_alive([2], [30.43], [38.86])[0]), 3)
    0.727
    >>> round(float(bg.expected_purchases(39, [2], [30.43], [38.86])[0]), 3)  # in the next 39 weeks
    1.226
    """

    _param_names = ("r", "alpha", "a", "b")

    def __init__(self, *, time_unit: str = "W", max_iter: int = 500, tol: float = 1e-12):
        self.time_unit = time_unit
        self.max_iter = max_iter
        self.tol = tol

    @classmethod
    def from_params(cls, *, r: float, alpha: float, a: float, b: float, time_unit: str = "W") -> BetaGeoModel:
        """A fitted model from known parameters (published estimates, scenarios).

        Parameters
        ----------
        r, alpha : float
            Shape and scale of the gamma heterogeneity in the purchase rate, > 0;
            ``alpha`` is in ``time_unit``.
        a, b : float
            Beta heterogeneity in the drop-out probability after a purchase, > 0.
        time_unit : {"W", "D"}
            The unit ``alpha`` and the predictions' horizons are in.

        Returns
        -------
        BetaGeoModel
            Ready for :meth:`probability_alive`, :meth:`expected_purchases` and the
            other predictions; ``standard_errors_`` are NaN.

        Raises
        ------
        ValueError
            When a parameter is not finite and > 0 or ``time_unit`` is unknown.

        References
        ----------
        Fader, Hardie & Lee (2005a), cited in the class: the CDNOW estimates in weeks,
        ``BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)``.

        Examples
        --------
        >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="W")
        >>> round(float(bg.expected_purchases_population(39)), 3)  # the fit to 4 decimals gives 1.195
        1.197
        """
        params = _positive_params(cls.__name__, {"r": r, "alpha": alpha, "a": a, "b": b})
        model = cls(time_unit=_check_time_unit(time_unit, f"{cls.__name__}.from_params"))
        model._store_params(params, np.full(len(params), np.nan))
        model.time_unit_ = time_unit
        model.at_bound_ = ()
        return model

    def fit(self, frequency, recency=None, T=None):
        r"""Fit by maximum likelihood.

        Parameters
        ----------
        frequency : array-like or pandas.DataFrame
            Repeat purchases *x*, or a :func:`~workbench.features.bgnbd_summary` frame
            (then ``recency`` and ``T`` are taken from it).
        recency, T : array-like
            :math:`t_x` and *T* in one time unit, :math:`0 \le t_x \le T` (*T* = 0 for a
            customer first seen on the last calibration day).

        Returns
        -------
        self
        """
        _check_time_unit(self.time_unit, "BetaGeoModel")
        x, tx, T = _bgnbd_data(frequency, recency, T)
        # identical (x, t_x, T) rows have identical likelihoods: fit on the unique rows
        keys, weights = _unique_rows(x, tx, T)
        if not np.any(x > 0):
            raise ValueError(
                f"BetaGeoModel: none of the {len(x):,} customers made a repeat purchase "
                "(frequency is 0 for all); the purchase and drop-out rates cannot be estimated. "
                "Use a longer calibration window"
            )
        if len(keys) == 1:
            raise ValueError(
                f"BetaGeoModel: all {len(x):,} customers have the same frequency, recency and T; "
                "the heterogeneity parameters cannot be estimated from identical customers"
            )
        ux, utx, uT = keys.T
        w = weights.astype(float)
        xs, x_index = np.unique(ux, return_inverse=True)  # a few hundred distinct x: the special functions

        def nll(p):
            return _bgnbd_neg_ll_and_grad(p, ux, utx, uT, w, (xs, x_index))

        start = np.log([1.0, max(np.mean(T), 1e-3), 1.0, 1.0])
        params, res, se = _fit_log_params(nll, start, len(x), self.max_iter, self.tol)
        self._store_params(params, se)
        self.time_unit_ = self.time_unit
        self.log_likelihood_ = float(-nll(params)[0])
        self.n_customers_ = len(x)
        self.converged_ = bool(res.success or _stationary(res))
        self.at_bound_ = _at_bound(params, self._param_names)
        return self

    def log_likelihood(self, frequency, recency=None, T=None) -> np.ndarray:
        r"""Per-customer log-likelihood at the fitted parameters.

        Parameters
        ----------
        frequency, recency, T : array-like or pandas.DataFrame
            As in :meth:`fit`: *x*, :math:`t_x` and *T* in the fit's time unit, or one
            :func:`~workbench.features.bgnbd_summary` frame.

        Returns
        -------
        numpy.ndarray
            :math:`\log L_i` per customer (the class Notes' *L*); their sum over the
            fitting data is ``log_likelihood_``.
        """
        self._check_fitted()
        x, tx, T = _bgnbd_data(frequency, recency, T)
        a1, a2, a3 = _bgnbd_terms(self.params_.to_numpy(), x, tx, T)
        return a1 + np.logaddexp(a2, a3)

    def _log_alive_odds(self, x, tx, T):
        """log of (a / (b + x - 1)) ((alpha + T) / (alpha + t_x))^(r + x) for x > 0."""
        r, alpha, a, b = self.params_.to_numpy()
        xs = np.maximum(x, 1.0)
        return np.where(x > 0, np.log(a / (b + xs - 1)) + (r + x) * np.log((alpha + T) / (alpha + tx)), -np.inf)

    def probability_alive(self, frequency, recency=None, T=None) -> np.ndarray:
        r"""P(alive | x, t_x, T): the probability that the customer has not dropped out.

        Parameters
        ----------
        frequency, recency, T : array-like or pandas.DataFrame
            As in :meth:`fit`, in the fit's time unit.

        Returns
        -------
        numpy.ndarray
            Probabilities in (0, 1], one per customer.

        Notes
        -----
        :math:`P = 1 / \left(1 + \delta_{x>0} \frac{a}{b+x-1}
        \left(\frac{\alpha+T}{\alpha+t_x}\right)^{r+x}\right)` (Fader, Hardie &
        Lee, "Computing P(alive) using the BG/NBD model", http://brucehardie.com/notes/021/,
        the source lifetimes cites); customers without repeat purchases are alive with
        P = 1 by the model's assumption that drop-out happens only after a purchase.
        Equals lifetimes 0.11.3 ``conditional_probability_alive`` for six CDNOW
        customers (``tests/test_clv.py``).
        """
        self._check_fitted()
        x, tx, T = _bgnbd_data(frequency, recency, T)
        return self._p_alive(x, tx, T)

    def _p_alive(self, x, tx, T):
        """P(alive) per customer, evaluated once per distinct (x, t_x, T) above 100k customers."""
        if x.ndim != 1 or x.size <= _DISTINCT_ABOVE:
            return special.expit(-self._log_alive_odds(x, tx, T))
        (ux, utx, uT), inverse = _distinct(x, tx, T)
        if len(ux) > 0.5 * len(x):  # hardly any repeats: the lookup would cost more than it saves
            return special.expit(-self._log_alive_odds(x, tx, T))
        return special.expit(-self._log_alive_odds(ux, utx, uT))[inverse]

    def _purchase_terms(self, t, x, T):
        """The numerator of E[Y(t) | x, t_x, T] (it does not depend on t_x):
        (a+b+x-1)/(a-1) (1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t)))."""
        r, alpha, a, b = self.params_.to_numpy()
        z = t / (alpha + T + t)
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        return (a + b + x - 1) / (a - 1) * (1.0 - np.exp((r + x) * np.log1p(-z)) * hyp)

    def _expected_purchases_at(self, horizons: np.ndarray, x, tx, T) -> tuple[np.ndarray, np.ndarray | None]:
        """E[Y(t) | x, t_x, T] for 1-D customers at each of the horizons.

        Returns ``(values, inverse)``: ``values`` has one row per distinct (x, t_x, T)
        and one column per horizon, ``inverse`` the row of each customer (above 100k
        customers; below, ``values`` has a row per customer and ``inverse`` is None).

        The Gauss hypergeometric term depends on (x, T) only, P(alive) on (x, t_x, T):
        each is evaluated once per distinct pair or triple and looked up per customer,
        with the same operations per customer as :meth:`expected_purchases`' formula, so
        the numbers are the same to the last bit.
        """
        horizons = np.asarray(horizons, dtype=float)
        if x.size <= _DISTINCT_ABOVE:
            first = self._purchase_terms(horizons[None, :], x[:, None], T[:, None])
            return first * special.expit(-self._log_alive_odds(x, tx, T))[:, None], None
        (ux, utx, uT), inverse = _distinct(x, tx, T)  # the distinct customers ...
        (vx, vT), pair = _distinct(ux, uT)  # ... and their distinct (x, T)
        first = self._purchase_terms(horizons[None, :], vx[:, None], vT[:, None])[pair]
        alive = special.expit(-self._log_alive_odds(ux, utx, uT))
        return first * alive[:, None], inverse

    def expected_purchases(self, t, frequency, recency=None, T=None) -> np.ndarray:
        r"""Expected purchases in the next *t* time units given the customer's history.

        Parameters
        ----------
        t : float or array-like
            Horizon(s) in the data's time unit, >= 0; broadcast against the customers.
        frequency, recency, T : array-like or pandas.DataFrame
            As in :meth:`fit`, in the fit's time unit.

        Returns
        -------
        numpy.ndarray
            :math:`E[Y(t) | x, t_x, T]`, expected repeat purchases in :math:`(T, T + t]`
            per customer (broadcast shape of ``t`` and the customers).

        Notes
        -----
        .. math::
            E[Y(t) | x, t_x, T] = \frac{a+b+x-1}{a-1}
            \frac{1 - \left(\frac{\alpha+T}{\alpha+T+t}\right)^{r+x}
            {}_2F_1\left(r+x, b+x; a+b+x-1; \frac{t}{\alpha+T+t}\right)}
            {1 + \delta_{x>0} \frac{a}{b+x-1}\left(\frac{\alpha+T}{\alpha+t_x}\right)^{r+x}}

        (Fader, Hardie & Lee 2005a, eq. 10). Equals lifetimes 0.11.3
        ``conditional_expected_number_of_purchases_up_to_time`` for six CDNOW customers
        (``tests/test_clv.py``).
        """
        self._check_fitted()
        x, tx, T = _bgnbd_data(frequency, recency, T)
        t = np.asarray(t, dtype=float)
        if np.any(t < 0):
            raise ValueError("t must be >= 0 (a horizon in the data's time unit)")
        if t.ndim == 0 and x.ndim == 1 and x.size > _DISTINCT_ABOVE:
            values, inverse = self._expected_purchases_at(t[None], x, tx, T)
            return values[:, 0][inverse]
        return self._purchase_terms(t, x, T) * special.expit(-self._log_alive_odds(x, tx, T))

    def expected_purchases_population(self, t) -> np.ndarray:
        r"""Expected repeat purchases of a new customer in (0, t].

        Parameters
        ----------
        t : float or array-like
            Time since the first purchase, in the fit's time unit (weeks for CDNOW).

        Returns
        -------
        numpy.ndarray
            :math:`E[X(t)]`, same shape as ``t``.

        Notes
        -----
        :math:`E[X(t)] = \frac{a+b-1}{a-1}\left[1 - \left(\frac{\alpha}{\alpha+t}\right)^r
        {}_2F_1\left(r, b; a+b-1; \frac{t}{\alpha+t}\right)\right]` (Fader, Hardie &
        Lee 2005a, eq. 9). Equals lifetimes 0.11.3
        ``expected_number_of_purchases_up_to_time`` at t = 1, 10, 39, 78 weeks
        (``tests/test_clv.py``).
        """
        self._check_fitted()
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self.params_.to_numpy()
        z = t / (alpha + t)
        return (a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, z))


def _bgnbd_data(frequency, recency, T):
    if isinstance(frequency, pd.DataFrame) and recency is None and T is None:
        frame = frequency
        frequency, recency, T = (_column(frame, c) for c in ("frequency", "recency", "T"))
    if recency is None or T is None:
        raise TypeError("pass frequency, recency and T, or one bgnbd_summary DataFrame")
    x, tx, T = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    if not (x.shape == tx.shape == T.shape):
        raise ValueError(f"frequency, recency and T differ in length: {x.shape}, {tx.shape}, {T.shape}")
    if x.size == 0:
        raise ValueError("no customers: the summary is empty")
    for name, v in (("frequency", x), ("recency", tx), ("T", T)):
        _check_finite(v, name)
    checks = [
        ((x < 0) | (x != np.round(x)), "frequency must be whole numbers >= 0"),
        (T < 0, "T must be >= 0"),
        (tx < 0, "recency must be >= 0"),
        (tx > T + 1e-9, "recency must not exceed T"),
        ((x == 0) & (tx != 0), "recency must be 0 when frequency is 0"),
    ]
    for bad, message in checks:
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{message}: {int(bad.sum())} customer(s), e.g. position {first} "
                             f"(frequency={x[first]}, recency={tx[first]}, T={T[first]})")
    return x, tx, T


# ======================================================================================
# Gamma-Gamma
# ======================================================================================


def _gg_neg_ll_and_grad(params, x, m, w, by_x=None, log_m=None):
    p, q, g = params
    px = p * x
    log_gxm = np.log(g + m * x)
    log_m = np.log(m) if log_m is None else log_m  # the same every evaluation: given by the fit
    gl_pxq, gl_px, psi_pxq, psi_px, log_x = (_by_x(f, x, by_x) for f in (
        lambda v: special.gammaln(p * v + q), lambda v: special.gammaln(p * v),
        lambda v: special.digamma(p * v + q), lambda v: special.digamma(p * v), np.log))
    ll = (gl_pxq - gl_px - special.gammaln(q) + q * np.log(g)
          + (px - 1) * log_m + px * log_x - (px + q) * log_gxm)
    d_p = x * (psi_pxq - psi_px + log_m + log_x - log_gxm)
    d_q = psi_pxq - special.digamma(q) + np.log(g) - log_gxm
    d_g = q / g - (px + q) / (g + m * x)
    grad = np.array([np.dot(w, d) for d in (d_p, d_q, d_g)])
    return -np.dot(w, ll), -grad


class GammaGammaModel(_FittedModel):
    r"""Gamma-Gamma model of the mean spend per repeat purchase.

    Parameters
    ----------
    max_iter : int
    tol : float

    Attributes
    ----------
    params_ : pandas.Series
        ``p``, ``q``, ``gamma``.
    p_, q_, gamma_ : float
        The same, one by one (``gamma`` in currency, as the spend).
    log_likelihood_ : float
        Sum over the customers used, of the density of their mean spend
        :math:`\bar z` (see Notes).
    standard_errors_ : pandas.Series
    n_customers_ : int
        Customers used in the fit.
    converged_ : bool
        Whether L-BFGS-B reported convergence.
    at_bound_ : tuple of str
        Parameters left at the edge of the search box (log-parameters in [-15, 15]),
        or ``("p", "gamma")`` when the limit p -> infinity fits as well (within 0.01
        of log-likelihood); empty for an interior maximum. See Notes.
    limit_log_likelihood_ : float
        Log-likelihood of that limit (customers' mean spends inverse-gamma).
    n_excluded_ : dict
        ``{"no_repeat_purchase": ..., "non_positive_spend": ...}``: customers left out,
        counted (those with x = 0 have no repeat spend; the model needs positive spend).

    A model built by :meth:`from_params` has ``params_``, the one-by-one values,
    ``at_bound_ == ()`` and NaN ``standard_errors_`` only.

    Notes
    -----
    With *x* repeat purchases of mean value :math:`\bar z`:

    .. math::
        f(\bar z | p, q, \gamma, x) = \frac{\Gamma(px+q)}{\Gamma(px)\Gamma(q)}
        \frac{\gamma^q \bar z^{px-1} x^{px}}{(\gamma + x\bar z)^{px+q}}

    (Fader, Hardie & Lee 2005b; Fader & Hardie 2013, eq. 4). The expected mean spend is
    :math:`E[Z | x, \bar z] = \frac{p(\gamma + x\bar z)}{px + q - 1}`, a weighted
    mean of the population mean :math:`p\gamma/(q-1)` and :math:`\bar z`.

    When spend per purchase varies within customers much less than the model's gamma
    shape allows (e.g. order values drawn around a fixed customer level), the likelihood
    rises towards its supremum along :math:`p \to \infty` with :math:`p\gamma` fixed,
    where the mean spends are inverse-gamma distributed with shape q and scale
    :math:`p\gamma` whatever x is. When that limit fits as well as the estimate (or
    ``p`` runs to its bound) ``at_bound_ == ("p", "gamma")`` and a warning says so. Only
    ``q`` and :math:`p\gamma` are then identified, and the expected spend tends to
    each customer's own :math:`\bar z`, so it remains usable while ``p`` and ``gamma``
    are not to be reported. The model also assumes spend independent of frequency;
    :func:`spend_frequency_correlation` is the usual check.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using iso-value
    curves for customer base analysis. Journal of Marketing Research, 42(4), 415-430.
    Fader, P. S., & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
    http://brucehardie.com/notes/025/. CDNOW sample (946 repeat customers): p = 6.25,
    q = 3.74, gamma = 15.44; lifetimes 0.11.3 ``GammaGammaFitter`` gives the same.

    Examples
    --------
    The CDNOW estimates of Fader, Hardie & Lee (2005b); the prediction shrinks a customer's
    mean spend towards the population's, the less so the more purchases:

    >>> gg = GammaGammaModel.from_params(p=6.25, q=3.74, v=15.44)
    >>> gg.expected_spend([1, 10], [60.0, 60.0]).round(2).tolist()
    [52.45, 58.96]
    """

    _param_names = ("p", "q", "gamma")

    def __init__(self, *, max_iter: int = 500, tol: float = 1e-12):
        self.max_iter = max_iter
        self.tol = tol

    @classmethod
    def from_params(cls, *, p: float, q: float, v: float) -> GammaGammaModel:
        """A fitted model from known parameters (published estimates, scenarios).

        Parameters
        ----------
        p : float
            Shape of the gamma distribution of a purchase's spend, > 0.
        q, v : float
            Shape and scale (currency) of the gamma heterogeneity in its rate, > 0;
            ``v`` is the papers' name for what ``params_`` calls ``gamma``.

        Returns
        -------
        GammaGammaModel
            Ready for :meth:`expected_spend`; ``standard_errors_`` are NaN.

        Raises
        ------
        ValueError
            When a parameter is not finite and > 0.

        References
        ----------
        Fader & Hardie (2013), cited in the class: the CDNOW estimates,
        ``GammaGammaModel.from_params(p=6.25, q=3.74, v=15.44)``.

        Examples
        --------
        >>> gg = GammaGammaModel.from_params(p=6.25, q=3.74, v=15.44)
        >>> round(float(gg.expected_spend([2], [30.0])[0]), 2)  # 6.25 (15.44 + 60) / (12.5 + 2.74)
        30.94
        """
        params = _positive_params(cls.__name__, {"p": p, "q": q, "v": v})
        model = cls()
        model._store_params(params, np.full(len(params), np.nan))
        model.at_bound_ = ()
        return model

    def fit(self, frequency, monetary_value=None):
        r"""Fit on customers with at least one repeat purchase and positive mean spend.

        Parameters
        ----------
        frequency : array-like or pandas.DataFrame
            Repeat purchases *x*, or a :func:`~workbench.features.bgnbd_summary` frame.
        monetary_value : array-like
            Mean spend per repeat purchase :math:`\bar z` (currency).

        Returns
        -------
        self

        Warns
        -----
        UserWarning
            When customers with repeat purchases but a net mean spend <= 0 (returns)
            are excluded; the count is in ``n_excluded_``.
        """
        x, m = _gg_data(frequency, monetary_value)
        repeat = x > 0
        positive = repeat & (m > 0)
        self.n_excluded_ = {"no_repeat_purchase": int((~repeat).sum()),
                            "non_positive_spend": int((repeat & ~positive).sum())}
        if self.n_excluded_["non_positive_spend"]:
            warnings.warn(
                f"GammaGammaModel: {self.n_excluded_['non_positive_spend']:,} customer(s) with repeat "
                "purchases have a mean spend <= 0 after returns and are left out of the fit",
                UserWarning, stacklevel=2,
            )
        if positive.sum() < 2:
            raise ValueError(
                f"GammaGammaModel needs at least 2 customers with repeat purchases and positive spend; "
                f"got {int(positive.sum())} of {len(x):,}"
            )
        x, m = x[positive], m[positive]
        if np.ptp(m) == 0 and np.ptp(x) == 0:
            raise ValueError(
                "GammaGammaModel: all customers have the same frequency and mean spend; the spend "
                "heterogeneity (q, gamma) cannot be estimated"
            )
        keys, counts = _unique_rows(x, m)
        ux, um = keys.T
        w = counts.astype(float)

        xs, x_index = np.unique(ux, return_inverse=True)  # the special functions once per distinct x
        log_um = np.log(um)

        def nll(params):
            return _gg_neg_ll_and_grad(params, ux, um, w, (xs, x_index), log_um)

        start = np.log([1.0, 1.0, max(float(np.mean(m)), 1e-3)])
        params, res, se = _fit_log_params(nll, start, len(x), self.max_iter, self.tol)
        self._store_params(params, se)
        self.log_likelihood_ = float(-nll(params)[0])
        self.n_customers_ = int(len(x))
        self.converged_ = bool(res.success or _stationary(res))
        self.at_bound_ = _at_bound(params, self._param_names)
        self.limit_log_likelihood_ = _gg_limit_log_likelihood(m)
        on_ridge = self.log_likelihood_ - self.limit_log_likelihood_ < 0.01
        if on_ridge or self.p_ >= np.exp(_LOG_BOUND) * (1 - 1e-6):
            # on the ridge towards p -> infinity only p * gamma is identified, so gamma is
            # as arbitrary as p wherever the optimiser stopped
            self.at_bound_ = tuple(sorted({*self.at_bound_, "p", "gamma"}, key=self._param_names.index))
        if on_ridge:
            warnings.warn(
                f"GammaGammaModel: the limit p -> infinity (customers' mean spends inverse-gamma "
                f"distributed, log-likelihood {self.limit_log_likelihood_:.3f}) fits as well as the "
                f"estimate (p = {self.p_:.4g}, log-likelihood {self.log_likelihood_:.3f}): only q and "
                "p*gamma are identified", RuntimeWarning, stacklevel=2)
        return self

    def expected_spend(self, frequency, monetary_value=None) -> np.ndarray:
        r"""Expected mean spend per future purchase, E[Z | x, z̄] (currency).

        Parameters
        ----------
        frequency : array-like or pandas.DataFrame
            Repeat purchases *x*, or a :func:`~workbench.features.bgnbd_summary` frame.
        monetary_value : array-like, optional
            Mean spend per repeat purchase :math:`\bar z` (currency), when
            ``frequency`` is an array.

        Returns
        -------
        numpy.ndarray
            :math:`E[Z | x, \bar z] = p(\gamma + x\bar z)/(px + q - 1)`, currency per
            purchase. Customers with x = 0 get the population mean
            :math:`p\gamma / (q - 1)`.

        Raises
        ------
        ValueError
            When the fitted ``q <= 1`` (the expected spend is infinite).

        Notes
        -----
        Equals lifetimes 0.11.3 ``conditional_expected_average_profit`` for six CDNOW
        customers (``tests/test_clv.py``).
        """
        self._check_fitted()
        x, m = _gg_data(frequency, monetary_value)
        p, q, g = self.params_.to_numpy()
        if q <= 1:
            raise ValueError(f"q = {q:.4g} <= 1: the expected spend is infinite under the fitted model")
        m = np.where(x > 0, m, 0.0)
        return p * (g + x * m) / (p * x + q - 1)


def _gg_limit_log_likelihood(m: np.ndarray) -> float:
    """Log-likelihood of the Gamma-Gamma model's limit p -> infinity, p*gamma fixed.

    Then each customer's mean spend is exactly p / nu with nu ~ Gamma(q, gamma), i.e.
    inverse-gamma with shape q and scale p*gamma whatever x is; its maximum likelihood
    is that of a gamma distribution fitted to 1 / z-bar, moved back to z-bar.
    """
    q, _, scale = stats.gamma.fit(1.0 / m, floc=0)
    return float(stats.invgamma.logpdf(m, q, scale=1.0 / scale).sum())


def spend_frequency_correlation(frequency, monetary_value=None) -> float:
    """Pearson correlation of repeat frequency and mean repeat spend, over repeat buyers.

    The Gamma-Gamma model assumes that how much a customer spends per purchase does not
    depend on how often she buys; a correlation near 0 supports it.

    Parameters
    ----------
    frequency : array-like or pandas.DataFrame
        Repeat purchases *x*, or a :func:`~workbench.features.bgnbd_summary` frame.
    monetary_value : array-like, optional
        Mean spend per repeat purchase (currency), when ``frequency`` is an array.

    Returns
    -------
    float
        Correlation over customers with x > 0 (NaN with fewer than 2 of them or no
        spread).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b), cited in
    :class:`GammaGammaModel`: on the CDNOW sample the correlation is 0.11 (the lifetimes
    documentation prints 0.113884 for the same 946 repeat customers), which they judge
    small enough for the model.

    Examples
    --------
    Repeat buyers only (frequency 0 is left out): spend rises with frequency here.

    >>> summary = pd.DataFrame({"frequency": [0, 1, 2, 3, 4], "monetary_value": [0.0, 10.0, 12.0, 15.0, 20.0]})
    >>> round(spend_frequency_correlation(summary), 3)
    0.98
    """
    x, m = _gg_data(frequency, monetary_value)
    repeat = x > 0
    if repeat.sum() < 2 or np.ptp(x[repeat]) == 0 or np.ptp(m[repeat]) == 0:
        return float("nan")
    return float(np.corrcoef(x[repeat], m[repeat])[0, 1])


def _gg_data(frequency, monetary_value):
    if isinstance(frequency, pd.DataFrame) and monetary_value is None:
        frame = frequency
        frequency, monetary_value = _column(frame, "frequency"), _column(frame, "monetary_value")
    if monetary_value is None:
        raise TypeError("pass frequency and monetary_value, or one bgnbd_summary DataFrame")
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary_value, dtype=float)
    if x.shape != m.shape:
        raise ValueError(f"frequency and monetary_value differ in length: {x.shape}, {m.shape}")
    _check_finite(x, "frequency")
    _check_finite(m, "monetary_value")
    if np.any(x < 0):
        raise ValueError(f"frequency must be >= 0: {int((x < 0).sum())} negative value(s)")
    return x, m


# ======================================================================================
# CLV from the two models
# ======================================================================================


def _model_time_unit(model: BetaGeoModel, time_unit: str | None, where: str) -> str:
    """``time_unit`` if given and the model's, else the model's; a mismatch is an error."""
    fitted = model.time_unit_
    if time_unit is not None and time_unit != fitted:
        raise ValueError(
            f"{where}: time_unit={time_unit!r} but the BG/NBD model was fitted in {fitted!r}; "
            f"pass time_unit={fitted!r} (or omit it), or fit BetaGeoModel(time_unit={time_unit!r}) "
            "on a summary in that unit"
        )
    return fitted


def customer_lifetime_value(
    bgnbd: BetaGeoModel,
    gg: GammaGammaModel,
    summary: pd.DataFrame,
    *,
    horizon: int = 12,
    monthly_discount: float = 0.01,
    margin: float = 1.0,
    time_unit: str | None = None,
) -> pd.DataFrame:
    r"""Discounted expected margin per customer over the next months.

    Parameters
    ----------
    bgnbd, gg : fitted :class:`BetaGeoModel` and :class:`GammaGammaModel`
    summary : pandas.DataFrame
        :func:`workbench.features.bgnbd_summary` output (``customer_id``, ``frequency``,
        ``recency``, ``T``, ``monetary_value``), in ``time_unit``.
    horizon : int
        Months ahead.
    monthly_discount : float
        Discount rate per month (0.01 = 1% a month).
    margin : float or array-like
        Profit margin as a share of revenue (1.0 gives revenue-based CLV, as lifetimes).
    time_unit : {"W", "D"}, optional
        The summary's time unit; a month is 4.345 weeks or 30 days (lifetimes' factors).
        Defaults to the unit the BG/NBD model was fitted in (``bgnbd.time_unit_``); a
        different value is an error.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``expected_purchases`` (in the horizon), ``expected_spend``
        (currency per purchase), ``p_alive``, ``clv`` (currency, discounted).

    Notes
    -----
    .. math:: CLV = \text{margin} \cdot E[Z|x,\bar z] \sum_{i=1}^{H}
              \frac{E[Y(i u)|\cdot] - E[Y((i-1) u)|\cdot]}{(1+d)^i}

    with *u* time units per month: each month's expected purchases are discounted at
    that month's end, as lifetimes' ``GammaGammaFitter.customer_lifetime_value`` does.

    Raises
    ------
    ValueError
        When the BG/NBD expected purchases are not finite (a fit near the limit of no
        heterogeneity in purchase rates, where the formula overflows).

    References
    ----------
    Fader, Hardie & Lee (2005b) value a customer as expected spend x discounted
    expected transactions (with the Pareto/NBD and continuous discounting); this
    function is the monthly-discounted BG/NBD version of lifetimes 0.11.3
    ``lifetimes/utils.py::_customer_lifetime_value`` (same numbers, tests/test_clv.py).

    Examples
    --------
    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="W")
    >>> gg = GammaGammaModel.from_params(p=6.25, q=3.74, v=15.44)
    >>> summary = pd.DataFrame({"customer_id": ["a", "b", "c"], "frequency": [0.0, 2.0, 6.0],
    ...                         "recency": [0.0, 30.43, 35.0], "T": [38.86, 38.86, 38.86],
    ...                         "monetary_value": [0.0, 30.0, 45.0]})
    >>> clv = customer_lifetime_value(bg, gg, summary, horizon=12, monthly_discount=0.01, margin=0.3)
    >>> clv[["customer_id", "p_alive", "clv"]].round(2)
      customer_id  p_alive    clv
    0           a     1.00   2.51
    1           b     0.73  13.66
    2           c     0.84  59.84
    """
    if time_unit is not None and time_unit not in _UNITS_PER_MONTH:
        raise ValueError(f"time_unit={time_unit!r} is not supported; use one of {list(_UNITS_PER_MONTH)}")
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a whole number of months >= 1; got {horizon!r}")
    if monthly_discount < 0:
        raise ValueError(f"customer_lifetime_value: monthly_discount must be >= 0 (a rate per month, "
                         f"0.01 = 1 %); got {monthly_discount}")
    bgnbd._check_fitted()
    gg._check_fitted()
    time_unit = _model_time_unit(bgnbd, time_unit, "customer_lifetime_value")
    x, tx, T = _bgnbd_data(summary, None, None)
    spend = gg.expected_spend(summary)
    u = _UNITS_PER_MONTH[time_unit]
    months = np.arange(0, int(horizon) + 1)
    # the expected purchases at each month end, per distinct (x, t_x, T) above 100k customers
    cum, inverse = bgnbd._expected_purchases_at(months * u, x, tx, T)
    per_month = np.diff(cum, axis=1)
    factors = (1.0 + monthly_discount) ** -months[1:]
    # a row-wise sum, not ``per_month @ factors``: BLAS's dot product may sum in another order
    # for another number of rows (or threads), and a customer's CLV must not depend on the batch
    discounted, purchases = (per_month * factors).sum(axis=1), cum[:, -1]
    if inverse is not None:
        discounted, purchases = discounted[inverse], purchases[inverse]
    bad = ~np.isfinite(purchases)
    if bad.any():  # say why, rather than hand NaN on to every table and figure
        r, alpha = bgnbd.params_["r"], bgnbd.params_["alpha"]
        raise ValueError(
            f"customer_lifetime_value: the BG/NBD expected purchases are not finite for {int(bad.sum()):,} of "
            f"{len(bad):,} customers. The fit (r = {r:,.4g}, alpha = {alpha:,.4g}) is close to the limit in which "
            "every customer buys at one common rate (r and alpha without bound), where the model's formula "
            "overflows: these data show too little difference between customers' purchase rates for the "
            "BG/NBD model, so its CLV is not available (the textbook CLV does not depend on it)")
    clv = np.asarray(margin, dtype=float) * spend * discounted
    ids = summary["customer_id"].to_numpy() if "customer_id" in summary.columns else np.arange(len(x))
    return pd.DataFrame({
        "customer_id": ids,
        "expected_purchases": purchases,
        "expected_spend": spend,
        "p_alive": bgnbd._p_alive(x, tx, T),
        "clv": clv,
    })


# ======================================================================================
# holdout validation
# ======================================================================================


@dataclass(frozen=True)
class HoldoutValidation:
    """Predicted against actual repeat purchases in the holdout window.

    Attributes
    ----------
    customers : pandas.DataFrame
        ``customer_id``, ``frequency`` (calibration), ``actual``, ``predicted``.
    by_frequency : pandas.DataFrame
        One row per calibration frequency 0, 1, ..., ``max_frequency``+ (label
        ``"7+"``): ``customers``, ``actual`` and ``predicted`` mean holdout purchases.
    metrics : dict
        ``actual_total``, ``predicted_total``, ``total_error_pct`` (100 x (predicted -
        actual) / actual), ``mae`` and ``bias`` (per customer, mean of |pred - act| and
        pred - act), ``rmse``, ``bin_mae`` (mean absolute error of the bin means).

    Examples
    --------
    >>> from workbench.features import bgnbd_summary
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-02-05", "2024-04-08",
    ...                                            "2024-01-15", "2024-03-11", "2024-02-01"]),
    ...                    "amount": [20.0, 30.0, 25.0, 50.0, 40.0, 10.0]})
    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="W")
    >>> hv = holdout_validation(bg, bgnbd_summary(tx, "2024-02-29", "2024-04-30"))
    >>> sorted(hv.tables())
    ['holdout_by_frequency', 'holdout_customers', 'holdout_metrics']
    """

    customers: pd.DataFrame
    by_frequency: pd.DataFrame
    metrics: dict

    def tables(self) -> dict[str, pd.DataFrame]:
        """The two tables and the metrics as a one-row frame, by name.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``holdout_customers``, ``holdout_by_frequency`` and ``holdout_metrics``.
        """
        return {"holdout_customers": self.customers, "holdout_by_frequency": self.by_frequency,
                "holdout_metrics": pd.DataFrame([self.metrics])}

    def reliable(self, *, tolerance_pct: float = 25.0) -> bool:
        """Whether the model forecast the holdout's total repeat purchases within ``tolerance_pct``.

        Parameters
        ----------
        tolerance_pct : float
            Largest accepted ``|total_error_pct|``, percent of the actual total.

        Returns
        -------
        bool
            False also when the holdout has no repeat purchase (no error to judge by).

        Notes
        -----
        A rule of thumb of this workbench, not a published test: on the CDNOW sample the
        BG/NBD of Fader, Hardie & Lee (2005a) forecasts the 39-week holdout 12.1 % low
        (``tests/test_clv.py``), and a forecast off by more than a quarter of the actual
        total should not carry P(alive) and CLV figures into decisions.

        Examples
        --------
        >>> HoldoutValidation(pd.DataFrame(), pd.DataFrame(), {"total_error_pct": -12.1}).reliable()
        True
        >>> HoldoutValidation(pd.DataFrame(), pd.DataFrame(), {"total_error_pct": 286.5}).reliable()
        False
        """
        error = self.metrics.get("total_error_pct")
        return bool(error is not None and np.isfinite(error) and abs(error) <= tolerance_pct)


def holdout_validation(model: BetaGeoModel, summary: pd.DataFrame, *, max_frequency: int = 7) -> HoldoutValidation:
    """Compare the model's conditional expectations with the holdout purchases.

    Parameters
    ----------
    model : BetaGeoModel
        Fitted on the calibration columns of ``summary``.
    summary : pandas.DataFrame
        :func:`workbench.features.bgnbd_summary` with an ``observation_end`` (it has
        ``frequency_holdout`` and ``duration_holdout``).
    max_frequency : int
        The last frequency bin collects this many repeat purchases or more ("7+").

    Returns
    -------
    HoldoutValidation

    Notes
    -----
    Each customer's prediction is :math:`E[Y(t^*) | x, t_x, T]` with :math:`t^*` the
    holdout length (:meth:`BetaGeoModel.expected_purchases`); the by-frequency table is
    the conditional-expectations comparison of Fader, Hardie & Lee (2005a): mean holdout
    purchases by calibration frequency, actual against predicted.
    ``total_error_pct = 100 (sum predicted - sum actual) / sum actual``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a), cited in
    :class:`BetaGeoModel`. On the CDNOW sample (39 + 39 weeks) the predicted total,
    1,653.4 against 1,882 actual, equals lifetimes 0.11.3 (``tests/test_clv.py``).

    Examples
    --------
    >>> from workbench.features import bgnbd_summary
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-02-05", "2024-04-08",
    ...                                            "2024-01-15", "2024-03-11", "2024-02-01"]),
    ...                    "amount": [20.0, 30.0, 25.0, 50.0, 40.0, 10.0]})
    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="W")
    >>> summary = bgnbd_summary(tx, "2024-02-29", "2024-04-30")
    >>> hv = holdout_validation(bg, summary)
    >>> hv.customers[["customer_id", "frequency", "actual"]]
      customer_id  frequency  actual
    0           a        1.0     1.0
    1           b        0.0     1.0
    2           c        0.0     0.0
    >>> hv.metrics["actual_total"]
    2.0
    """
    for col in ("frequency_holdout", "duration_holdout"):
        _column(summary, col)
    actual = summary["frequency_holdout"].to_numpy(dtype=float)
    x = summary["frequency"].to_numpy(dtype=float)
    predicted = model.expected_purchases(summary["duration_holdout"].to_numpy(dtype=float), summary)
    ids = summary["customer_id"].to_numpy() if "customer_id" in summary.columns else np.arange(len(x))
    customers = pd.DataFrame({"customer_id": ids, "frequency": x, "actual": actual, "predicted": predicted})
    bins = np.minimum(x, max_frequency).astype(int)
    labels = [str(k) for k in range(max_frequency)] + [f"{max_frequency}+"]
    grouped = customers.assign(bin=bins).groupby("bin", sort=True)
    by_freq = pd.DataFrame({
        "customers": grouped.size(),
        "actual": grouped["actual"].mean(),
        "predicted": grouped["predicted"].mean(),
    }).reindex(range(max_frequency + 1))
    by_freq.insert(0, "frequency", [labels[k] for k in by_freq.index])
    by_freq["customers"] = by_freq["customers"].fillna(0).astype(int)
    by_freq = by_freq.reset_index(drop=True)
    err = predicted - actual
    total_actual, total_pred = float(actual.sum()), float(predicted.sum())
    metrics = {
        "actual_total": total_actual,
        "predicted_total": total_pred,
        "total_error_pct": 100.0 * (total_pred - total_actual) / total_actual if total_actual else np.nan,
        "mae": float(np.mean(np.abs(err))),
        "bias": float(np.mean(err)),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "bin_mae": float(np.nanmean(np.abs(by_freq["predicted"] - by_freq["actual"]))),
    }
    return HoldoutValidation(customers, by_freq, metrics)


@dataclass(frozen=True)
class RepeatPurchaseTracking:
    """Cumulative repeat purchases of the calibration cohort, actual and predicted.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per time unit: ``period``, ``end``, ``actual``, ``predicted``,
        ``calibration`` (see :func:`repeat_purchase_tracking`).
    time_unit : str
        ``"W"`` or ``"D"``: the length of a period.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-02-05", "2024-04-08",
    ...                                            "2024-01-15", "2024-03-11", "2024-02-01"]),
    ...                    "amount": [20.0, 30.0, 25.0, 50.0, 40.0, 10.0]})
    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="W")
    >>> tracking = repeat_purchase_tracking(bg, tx, "2024-02-29", "2024-04-30")
    >>> list(tracking.tables()), list(tracking.table.columns)
    (['holdout_tracking'], ['period', 'end', 'actual', 'predicted', 'calibration'])
    """

    table: pd.DataFrame
    time_unit: str

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tracking table by name.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``holdout_tracking``: :attr:`table`.
        """
        return {"holdout_tracking": self.table}


def repeat_purchase_tracking(
    model: BetaGeoModel,
    transactions: pd.DataFrame,
    calibration_end,
    observation_end,
    *,
    start=None,
    time_unit: str | None = None,
) -> RepeatPurchaseTracking:
    r"""Cumulative repeat purchases of the calibration cohort, actual and predicted.

    Parameters
    ----------
    model : BetaGeoModel
        Fitted (its ``time_unit_`` is the period length).
    transactions : pandas.DataFrame
        Canonical transactions (the same rows the summary was built from).
    calibration_end, observation_end : date-like
    start : date-like, optional
        First day of the calibration window.
    time_unit : {"W", "D"}, optional
        The period length; defaults to the model's ``time_unit_`` (a different value is
        an error).

    Returns
    -------
    RepeatPurchaseTracking
        ``table``: one row per time unit since ``start``: ``period`` (1, 2, ...), ``end``
        (date), ``actual`` and ``predicted`` cumulative repeat purchases (purchase days
        after the first), ``calibration`` (bool, the period ends on or before
        calibration_end); ``time_unit``: the period length.

    Notes
    -----
    :math:`\hat N(t) = \sum_i E[X(t - s_i)]` over the cohort, with :math:`s_i` the
    customer's first purchase time and :meth:`BetaGeoModel.expected_purchases_population`
    for *E[X]*: the cumulative tracking plot of Fader, Hardie & Lee (2005a), as BTYD's
    ``bgnbd.PlotTrackingCum`` draws it.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a), cited in
    :class:`BetaGeoModel`. On the CDNOW sample ``tests/test_clv.py`` checks the actual
    counts (2,457 repeat purchases in the 39 calibration weeks, 1,882 in the holdout)
    and that the prediction is within 3 % at the end of calibration.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-02-05", "2024-04-08",
    ...                                            "2024-01-15", "2024-03-11", "2024-02-01"]),
    ...                    "amount": [20.0, 30.0, 25.0, 50.0, 40.0, 10.0]})
    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="W")
    >>> tracking = repeat_purchase_tracking(bg, tx, "2024-02-29", "2024-04-30")
    >>> float(tracking.table["actual"].iloc[-1])  # repeats: a on 2024-02-05 and 2024-04-08, b on 2024-03-11
    3.0
    >>> len(tracking.table), tracking.time_unit
    (18, 'W')
    """
    engine_rows = in_engine(transactions)
    if not engine_rows:
        _check_transactions(transactions, "repeat_purchase_tracking")
    if time_unit is not None and time_unit not in TIME_UNIT_DAYS:
        raise ValueError(f"time_unit={time_unit!r} is not supported; use one of {list(TIME_UNIT_DAYS)}")
    model._check_fitted()
    time_unit = _model_time_unit(model, time_unit, "repeat_purchase_tracking")
    unit = TIME_UNIT_DAYS[time_unit]
    cal_day, obs_day = _day(calibration_end, "calibration_end"), _day(observation_end, "observation_end")
    if obs_day <= cal_day:
        raise ValueError("observation_end must be after calibration_end")
    start_day = None if start is None else _day(start, "start")
    if engine_rows:  # an engine case: purchase days counted per day in the engine
        repeat, born, first_day = transactions.repeat_purchase_days(cal_day, obs_day, start_day)
        if first_day is None:
            raise ValueError("repeat_purchase_tracking: no purchases in the calibration window")
        repeat_days, repeat_counts = repeat["d"].to_numpy(), repeat["n"].to_numpy()
        births, counts = born["d"].to_numpy(), born["n"].to_numpy()
    else:
        day = _day_numbers(transactions["date"])
        buy = transactions["amount"].to_numpy(dtype=float) >= 0
        if "is_return" in transactions.columns:
            buy &= ~transactions["is_return"].to_numpy(dtype=bool)
        keep = buy & (day <= obs_day)
        if start_day is not None:
            keep &= day >= start_day
        if not (keep & (day <= cal_day)).any():
            raise ValueError("repeat_purchase_tracking: no purchases in the calibration window")
        days = pd.DataFrame({"c": transactions["customer_id"].to_numpy()[keep], "d": day[keep]}).drop_duplicates()
        first = days.groupby("c")["d"].transform("min")
        cohort = first <= cal_day
        days, first = days[cohort], first[cohort]
        first_day = int(days["d"].min())
        repeat_days = np.sort(days.loc[days["d"] > first, "d"].to_numpy())
        repeat_counts = None
        births, counts = np.unique(first.groupby(days["c"]).first().to_numpy(), return_counts=True)
    d0 = first_day if start_day is None else start_day
    n_periods = int(np.ceil((obs_day - d0 + 1) / unit))
    ends = np.minimum(d0 - 1 + np.arange(1, n_periods + 1) * int(unit), obs_day)
    if repeat_counts is None:
        actual = np.searchsorted(repeat_days, ends, side="right")
    else:  # repeat purchase days per day: the same count up to each period's end
        actual = np.concatenate([[0], np.cumsum(repeat_counts)])[np.searchsorted(repeat_days, ends, side="right")]
    # time since the first purchase at the end of each period's last day, measured as
    # T is (calibration_end - first purchase day), so the last calibration period ends at T
    age = (ends[:, None] - births[None, :]) / unit
    expected = np.where(age > 0, model.expected_purchases_population(np.clip(age, 0, None)), 0.0)
    out = pd.DataFrame({
        "period": np.arange(1, n_periods + 1),
        "end": (ends.astype("datetime64[D]")).astype("datetime64[ns]"),
        "actual": actual.astype(float),
        "predicted": expected @ counts,
        "calibration": ends <= cal_day,
    })
    return RepeatPurchaseTracking(out, time_unit)


# ======================================================================================
# retention economics (observed retention from workbench.lifecycle.churn_rates)
# ======================================================================================


def retention_inputs(transactions: pd.DataFrame, as_of=None, *, period: str = "Y",
                     value: str = "gross_profit") -> dict:
    r"""Observed retention rate and margin per customer per period, for the CLV formula.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions.
    as_of : date-like, optional
    period : {"Y", "Q", "M", "W"}, default "Y"
    value : {"gross_profit", "amount"}
        Margin per period from gross profit (or amount - cost); falls back to revenue
        (``"amount"``) when the data have neither.

    Returns
    -------
    dict
        ``retention`` (pooled retained / active in the previous period over all complete
        period pairs), ``margin`` (mean value per active customer-period),
        ``customers`` (active in the last period), ``value`` (the column used),
        ``period``.

    Notes
    -----
    :math:`r = \sum_t R_t / \sum_t A_{t-1}` with :math:`R_t` the customers buying in
    both *t - 1* and *t* (:func:`workbench.lifecycle.churn_rates`); the last period counts only when it is
    complete (``as_of`` on its last day), unless it is the only one after the first
    (then it counts, with a warning). :math:`m = \sum` value / :math:`\sum_t A_t`,
    currency per active customer per period.

    References
    ----------
    No external reference; the inputs *r* and *m* of :func:`textbook_clv`
    (Gupta & Lehmann 2003), estimated from the data. Hand-worked in
    ``tests/test_lifecycle.py``.

    Examples
    --------
    >>> tiny = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "c", "c"],
    ...                      "date": pd.to_datetime(["2024-01-10", "2024-02-05", "2024-04-01", "2024-01-20",
    ...                                              "2024-02-10", "2024-02-20", "2024-03-03"]),
    ...                      "amount": [10.0, 20.0, 5.0, 30.0, 40.0, -10.0, 15.0],
    ...                      "is_return": [False, False, False, False, False, True, False]})
    >>> ri = retention_inputs(tiny, period="M", value="amount", as_of="2024-04-30")
    >>> round(ri["retention"], 3), round(ri["margin"], 3)  # retained 2 of 5; 110 / 6 active months
    (0.4, 18.333)
    """
    from workbench.lifecycle.survival import churn_rates  # lifecycle re-exports this module's names

    rates = churn_rates(transactions, period=period, as_of=as_of)
    if len(rates) < 2:
        raise ValueError(f"retention_inputs: the data span one {period} period; a retention rate needs "
                         "two consecutive periods (use a shorter period)")
    if in_engine(transactions):  # an engine case: the rows stay in the engine
        tx = transactions
        as_of_day = _day(transactions["date"].max() if as_of is None else as_of, "as_of")
    else:
        tx, _, as_of_day = _window(transactions, as_of, period, "retention_inputs")
    end = _scalar_period(as_of_day, period)
    complete = _scalar_period(as_of_day + 1, period) != end
    use = rates.iloc[1:] if complete else rates.iloc[1:-1]
    if len(use) == 0:
        warnings.warn(f"retention_inputs: the only {period} period after the first is incomplete "
                      f"(as_of {_iso(as_of_day)}); the retention rate counts it and is biased low",
                      UserWarning, stacklevel=2)
        use = rates.iloc[1:]
    prev = rates["active"].shift(1).loc[use.index]
    retention = float(use["retained"].sum() / prev.sum())
    if value not in ("gross_profit", "amount"):
        raise ValueError(f"value={value!r} is not supported; use 'gross_profit' or 'amount'")
    if value == "gross_profit" and "gross_profit" not in tx.columns and "cost" not in tx.columns:
        value = "amount"
    if in_engine(transactions):
        total = transactions.value_total(value, _iso(as_of_day))
    elif value == "gross_profit" and "gross_profit" in tx.columns:
        total = np.nansum(tx["gross_profit"].to_numpy(dtype=np.float64, na_value=np.nan))
    elif value == "gross_profit":
        total = np.nansum(tx["amount"].to_numpy(dtype=np.float64)
                          - tx["cost"].to_numpy(dtype=np.float64, na_value=np.nan))
    else:
        total = np.nansum(tx["amount"].to_numpy(dtype=np.float64))
    customer_periods = int(rates["active"].sum())
    return {"retention": retention, "margin": float(total / customer_periods),
            "customers": int(rates["active"].iloc[-1]), "value": value, "period": period}


def retention_economics(
    margin: float,
    retention: float,
    *,
    discount: float = 0.10,
    periods: float = 10,
    change: float = 0.05,
    customers: int = 1,
    acquisition_cost: float = 0.0,
) -> pd.DataFrame:
    r"""CLV and the customer base's profit at the current retention rate and +/- a change.

    Parameters
    ----------
    margin : float
        Margin per retained customer per period (currency).
    retention : float
        Current retention rate per period, in [0, 1].
    discount : float, default 0.10
        Discount rate per period.
    periods : int or numpy.inf, default 10
        Horizon *T* of the CLV sum.
    change : float, default 0.05
        The retention change in absolute terms (0.05 = 5 percentage points).
    customers : int, default 1
        Customers in the base (the profit column is ``customers * clv``).
    acquisition_cost : float, default 0

    Returns
    -------
    pandas.DataFrame
        Rows ``minus`` (r - change), ``base`` (r), ``plus`` (r + change), rates clipped
        to [0, 1]: ``scenario``, ``retention``, ``clv``, ``clv_change_pct`` (vs base),
        ``profit`` (currency, discounted over *T*), ``profit_change``.

    Notes
    -----
    CLV is :func:`textbook_clv`:
    :math:`CLV = \sum_{t=1}^{T} m r^{t-1}/(1+d)^t - AC`. Because *r* compounds, a
    few points of retention move CLV by much more than a few percent (Reichheld &
    Sasser 1990: 5 points more retention, 25-85 % more profit).

    References
    ----------
    Reichheld, F. F., & Sasser, W. E. (1990). Zero defections: Quality comes to
    services. Harvard Business Review, 68(5), 105-111.

    Examples
    --------
    Margin 100 per period, 80 % retained, three periods at 10 %, ten customers:

    >>> t = retention_economics(100.0, 0.8, discount=0.1, periods=3, change=0.05, customers=10)
    >>> t[["scenario", "retention", "clv"]].round(2)
      scenario  retention     clv
    0    minus       0.75  195.15
    1     base       0.80  205.11
    2     plus       0.85  215.44
    """
    if not 0 <= retention <= 1:
        raise ValueError(f"retention={retention!r} must lie in [0, 1]")
    if not 0 < change < 1:
        raise ValueError(f"change={change!r} must lie in (0, 1); 0.05 is five percentage points")
    rates = np.clip([retention - change, retention, retention + change], 0.0, 1.0)
    clv = np.atleast_1d(textbook_clv(margin, rates, discount, periods, acquisition_cost))
    base = clv[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * (clv - base) / abs(base) if base != 0 else np.full(3, np.nan)
    profit = customers * clv
    return pd.DataFrame({"scenario": ["minus", "base", "plus"], "retention": rates, "clv": clv,
                         "clv_change_pct": pct, "profit": profit, "profit_change": profit - profit[1]})


@dataclass(frozen=True)
class RetentionScenarios:
    """Observed retention inputs and the CLV scenarios; see :func:`retention_scenarios`.

    Attributes
    ----------
    inputs : dict
        From :func:`retention_inputs`, plus ``discount`` (per period) and ``periods``.
    table : DataFrame
        From :func:`retention_economics`.
    sensitivity : DataFrame
        From :func:`retention_sensitivity` on a grid of retention rates
        (0.30, 0.35, ..., 0.95 and the scenarios), with ``change_pct`` against the
        observed rate.

    Examples
    --------
    >>> tiny = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "c", "c"],
    ...                      "date": pd.to_datetime(["2024-01-10", "2024-02-05", "2024-04-01", "2024-01-20",
    ...                                              "2024-02-10", "2024-02-20", "2024-03-03"]),
    ...                      "amount": [10.0, 20.0, 5.0, 30.0, 40.0, -10.0, 15.0],
    ...                      "is_return": [False, False, False, False, False, True, False]})
    >>> rs = retention_scenarios(tiny, "2024-04-30", years=1, period="M", value="amount")
    >>> round(rs.inputs["retention"], 3), rs.table["scenario"].tolist()
    (0.4, ['minus', 'base', 'plus'])
    >>> list(rs.sensitivity.columns)[:3]
    ['retention', 'clv', 'change_pct']
    """

    inputs: dict
    table: pd.DataFrame
    sensitivity: pd.DataFrame


_PER_YEAR = {"Y": 1, "Q": 4, "M": 12}


def retention_scenarios(
    transactions: pd.DataFrame,
    as_of=None,
    *,
    years: float = 5,
    yearly_discount: float = 0.10,
    change: float = 0.05,
    period: str | None = None,
    value: str = "gross_profit",
) -> RetentionScenarios:
    r"""What a change in retention is worth for this customer base, from its own data.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions.
    as_of : date-like, optional
        Analysis date; default the last date in the data.
    years : float, default 5
        CLV horizon in years.
    yearly_discount : float, default 0.10
        Discount rate per year; per period it is :math:`(1 + d)^{1/k} - 1` for *k*
        periods a year.
    change : float, default 0.05
        Retention change in absolute terms (five percentage points).
    period : {"Y", "Q", "M"}, optional
        Period of the retention rate; default "Y" when the data cover three years or
        more before ``as_of`` (two complete year-to-year transitions), else "Q".
    value : {"gross_profit", "amount"}
        As in :func:`retention_inputs`.

    Returns
    -------
    RetentionScenarios

    Notes
    -----
    :func:`retention_inputs` gives *r* and *m* per period; :func:`retention_economics`
    evaluates :math:`CLV = \sum_{t=1}^{T} m r^{t-1}/(1+d)^t` at *r* and *r* +/- change
    with :math:`T = k \cdot` ``years``.

    References
    ----------
    Reichheld & Sasser (1990), cited in :func:`retention_economics`; the wiring of the
    observed inputs into :func:`textbook_clv` is checked in
    ``tests/test_lifecycle.py``.

    Examples
    --------
    >>> tiny = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "c", "c"],
    ...                      "date": pd.to_datetime(["2024-01-10", "2024-02-05", "2024-04-01", "2024-01-20",
    ...                                              "2024-02-10", "2024-02-20", "2024-03-03"]),
    ...                      "amount": [10.0, 20.0, 5.0, 30.0, 40.0, -10.0, 15.0],
    ...                      "is_return": [False, False, False, False, False, True, False]})
    >>> rs = retention_scenarios(tiny, "2024-04-30", years=1, period="M", value="amount")
    >>> rs.table[["scenario", "retention"]].round(2)
      scenario  retention
    0    minus       0.35
    1     base       0.40
    2     plus       0.45
    >>> rs.inputs["periods"]
    12
    """
    tx = transactions if in_engine(transactions) else _window(transactions, as_of, "Y", "retention_scenarios")[0]
    end = tx["date"].max() if as_of is None else pd.Timestamp(as_of)
    if period is None:
        period = "Y" if end - tx["date"].min() >= pd.Timedelta(days=3 * 365) else "Q"
    _check_choice(period, tuple(_PER_YEAR), "period")
    k = _PER_YEAR[period]
    inputs = retention_inputs(transactions, period=period, as_of=as_of, value=value)
    discount = (1.0 + yearly_discount) ** (1.0 / k) - 1.0
    n_periods = int(round(years * k))
    table = retention_economics(inputs["margin"], inputs["retention"], discount=discount, periods=n_periods,
                                change=change, customers=inputs["customers"])
    grid = sorted({round(x / 100, 2) for x in range(30, 100, 5)} | set(np.round(table["retention"], 6)))
    sensitivity = retention_sensitivity(inputs["margin"], discount, n_periods, retentions=grid,
                                        base_retention=inputs["retention"])
    return RetentionScenarios(inputs={**inputs, "discount": discount, "periods": n_periods},
                              table=table, sensitivity=sensitivity)


__all__ += ["RetentionScenarios", "retention_economics", "retention_inputs", "retention_scenarios"]
