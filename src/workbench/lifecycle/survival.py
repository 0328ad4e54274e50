"""Churn rates per period and Kaplan-Meier survival curves by segment."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench._periods import _iso, _period_index
from workbench.features import in_engine
from workbench.lifecycle._common import _engine_window, _purchase_periods, _unique_pairs

__all__ = [
    "SurvivalCurves",
    "churn_rates",
    "survival_curves",
]


def churn_rates(transactions: pd.DataFrame, as_of=None, *, period: str = "M") -> pd.DataFrame:
    """Active, retained, new and returning customers and the churn rate per period.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions.
    as_of : date-like, optional
        Analysis date; default the last date in the data.
    period : {"M", "Q", "Y", "W"}, default "M"

    Returns
    -------
    pandas.DataFrame
        One row per period from the first purchase's to ``as_of``'s: ``period`` (str),
        ``active`` (customers buying in it), ``new`` (first purchase in it),
        ``retained`` (also bought in the previous period), ``reactivated`` (the rest),
        ``churned`` (bought in the previous period, not in this one) and
        ``churn_rate`` = churned / active in the previous period (NaN for the first
        period or after a period without buyers).

    Notes
    -----
    In a non-contractual business a customer who skips a period is not necessarily
    gone; this is the period-to-period defection rate, :math:`1 - R_t / A_{t-1}`, the
    complement of the retention rate :math:`r` of the textbook CLV formula. Long
    periods (quarters, years) give rates closer to true churn. An engine case counts
    active, new and retained customers per period in the engine
    (:func:`workbench.engines.definitions.churn_counts_sql`: the lag of each customer's
    purchase periods), so only one row per period reaches pandas.

    References
    ----------
    No external reference; per period, one minus the retention rate :math:`r` of
    :func:`workbench.clv.textbook_clv` (Gupta & Lehmann 2003), which
    :func:`retention_inputs` pools over periods. Hand-worked in ``tests/test_lifecycle.py``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "c"],
    ...                    "date": pd.to_datetime(["2024-01-10", "2024-02-05", "2024-04-01",
    ...                                            "2024-01-20", "2024-02-10", "2024-03-03"]),
    ...                    "amount": [10.0, 20.0, 5.0, 30.0, 40.0, 15.0]})
    >>> churn_rates(tx)[["period", "active", "retained", "churned", "churn_rate"]]
        period  active  retained  churned  churn_rate
    0  2024-01       2         0        0         NaN
    1  2024-02       2         1        1         0.5
    2  2024-03       1         1        1         0.5
    3  2024-04       1         0        1         1.0
    """
    if in_engine(transactions):  # an engine case: counted per period in the engine
        start, end, active, new, retained = _engine_counts(transactions, as_of, period)
        n_p = end - start + 1
    else:
        tx, codes, n, pnum, buy, end = _purchase_periods(transactions, as_of, period, "churn_rates")
        if not buy.any():
            raise ValueError("churn_rates: no purchases (all rows are returns)")
        pairs = _unique_pairs(codes[buy], pnum[buy])  # customer, period
        start = int(pairs[:, 1].min())
        n_p = end - start + 1
        rel = pairs[:, 1] - start
        first_of_customer = np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]
        prev_same = np.r_[False, (pairs[1:, 0] == pairs[:-1, 0]) & (pairs[1:, 1] == pairs[:-1, 1] + 1)]
        active = np.bincount(rel, minlength=n_p)
        new = np.bincount(rel[first_of_customer], minlength=n_p)
        retained = np.bincount(rel[prev_same], minlength=n_p)
    prev_active = np.r_[0, active[:-1]]
    churned = np.where(np.arange(n_p) > 0, prev_active - retained, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(prev_active > 0, churned / np.where(prev_active > 0, prev_active, 1), np.nan)
    return pd.DataFrame({
        "period": _period_index(np.arange(start, end + 1), period).astype(str),
        "active": active.astype(np.int64),
        "new": new.astype(np.int64),
        "retained": retained.astype(np.int64),
        "reactivated": (active - new - retained).astype(np.int64),
        "churned": churned.astype(np.int64),
        "churn_rate": rate,
    })


def _engine_counts(transactions, as_of, period):
    """``(start, end, active, new, retained)`` of an engine case: the per-period counts of
    its ``churn_counts`` (periods with a purchase) spread over every period from the
    first purchase's (``start``) to ``as_of``'s (``end``), zeros where nobody bought."""
    as_of_day, end = _engine_window(transactions, as_of, period, "churn_rates")
    counts = transactions.churn_counts(_iso(as_of_day), period=period)
    if counts.empty:
        raise ValueError("churn_rates: no purchases (all rows are returns)")
    numbers = counts["period_number"].to_numpy(dtype=np.int64)
    start = int(numbers.min())
    columns = []
    for name in ("active", "new", "retained"):
        full = np.zeros(end - start + 1, dtype=np.int64)
        full[numbers - start] = counts[name].to_numpy(dtype=np.int64)
        columns.append(full)
    return (start, end, *columns)


# ======================================================================================
# survival
# ======================================================================================


@dataclass(frozen=True)
class SurvivalCurves:
    """Kaplan-Meier curves by segment; see :func:`survival_curves`.

    Attributes
    ----------
    curves : DataFrame
        ``segment``, ``days``, ``at_risk``, ``events``, ``survival``, ``ci_lower``,
        ``ci_upper`` (one row per event time, plus day 0 with survival 1 and the
        longest observed lifetime, so the step curve runs to the end of the data).
    summary : DataFrame
        ``segment``, ``customers``, ``churned``, ``median_days`` (NaN when the curve
        never falls to 0.5), ``median_ci_lower``, ``median_ci_upper``.

    Examples
    --------
    >>> stages = pd.DataFrame({"stage": ["churned", "stability"],
    ...                        "first_purchase": pd.to_datetime(["2024-01-01", "2024-01-01"]),
    ...                        "last_purchase": pd.to_datetime(["2024-01-11", "2024-01-01"]),
    ...                        "tenure_days": [50.0, 50.0]})
    >>> sv = survival_curves(stages)
    >>> sorted(sv.tables())
    ['survival_curves', 'survival_summary']
    >>> sv.curves["survival"].tolist()
    [1.0, 0.5, 0.5]
    """

    curves: pd.DataFrame
    summary: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The curves and the summary, by name.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``survival_curves`` and ``survival_summary``.
        """
        return {"survival_curves": self.curves, "survival_summary": self.summary}


def survival_curves(
    stages: pd.DataFrame,
    *,
    by: str | None = None,
    event_at: str = "last_purchase",
    alpha: float = 0.05,
) -> SurvivalCurves:
    r"""Kaplan-Meier survival of customer relationships, overall or by segment.

    Parameters
    ----------
    stages : pandas.DataFrame
        The frame of :func:`lifecycle_stages` (``stage``, ``first_purchase``,
        ``last_purchase``, ``tenure_days``), optionally with a segment column merged on.
    by : str, optional
        Column to split by (e.g. ``industry``, a value class); default one curve
        ``"all"``. Missing values form their own segment ``"(missing)"``.
    event_at : {"last_purchase", "horizon_end"}, default "last_purchase"
        When a churned customer's relationship ends: at the last purchase (the
        relationship's active span), or when the churn horizon ran out after it
        (``last_purchase + churn_horizon_days``, the day churn becomes visible).
    alpha : float, default 0.05
        1 - confidence level of the pointwise intervals and of the median's interval.

    Returns
    -------
    SurvivalCurves

    Notes
    -----
    Lifetime of a churned customer (stage ``churned``): days from first to last
    purchase (plus the horizon with ``event_at="horizon_end"``), an observed event; of
    any other customer: days from first purchase to the analysis date
    (``tenure_days``), right-censored. The Kaplan-Meier estimator is
    :math:`\hat S(t) = \prod_{t_i \le t} (1 - d_i / n_i)` with Greenwood standard
    errors; intervals are statsmodels' log-log (``SurvfuncRight``) pointwise bands.
    With ``event_at="last_purchase"`` one-purchase customers who churned have lifetime
    0, so :math:`1 - \hat S(0)` is the share of customers lost after their first
    purchase day, and the median can be 0 where most customers never return.

    References
    ----------
    Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete
    observations. JASA, 53(282), 457-481. Computed with statsmodels ``SurvfuncRight``
    (lifelines is not a dependency: it requires pandas < 3). Checked by hand, and on
    CDNOW as of 1998-06-30 (overall and by monthly cohort: survival, the band at 200
    days and the median) against lifelines 0.30.3 ``KaplanMeierFitter`` fitted in a
    separate environment (``tests/data/make_lifecycle_reference.py``), in
    ``tests/test_lifecycle.py``.

    Examples
    --------
    >>> first = pd.Timestamp("2024-01-01")
    >>> stages = pd.DataFrame({  # churned after 10, 20, 20 days; two still active at 15 and 30 days
    ...     "stage": ["churned", "stability", "churned", "churned", "stability"],
    ...     "first_purchase": first,
    ...     "last_purchase": first + pd.to_timedelta([10, 0, 20, 20, 0], unit="D"),
    ...     "tenure_days": [99.0, 15.0, 99.0, 99.0, 30.0]})
    >>> sv = survival_curves(stages)
    >>> sv.curves[["days", "at_risk", "events", "survival"]].round(3)
       days  at_risk  events  survival
    0   0.0        5       0     1.000
    1  10.0        5       1     0.800
    2  20.0        3       2     0.267
    3  30.0        1       0     0.267
    >>> sv.summary[["customers", "churned", "median_days"]]
       customers  churned  median_days
    0          5        3         20.0
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    if event_at not in ("last_purchase", "horizon_end"):
        raise ValueError(f"event_at={event_at!r} is not supported; use 'last_purchase' or 'horizon_end'")
    need = ["stage", "first_purchase", "last_purchase", "tenure_days"] + ([by] if by else [])
    if event_at == "horizon_end":
        need.append("churn_horizon_days")
    missing = [c for c in need if c not in stages.columns]
    if missing:
        raise ValueError(f"survival_curves: columns {missing} are missing; pass the frame of "
                         f"lifecycle_stages (present: {list(stages.columns)})")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r} must lie in (0, 1)")
    if len(stages) == 0:
        raise ValueError("survival_curves: no customers")
    event = (stages["stage"].astype(str) == "churned").to_numpy()
    span = (stages["last_purchase"] - stages["first_purchase"]).dt.days.to_numpy(dtype=float)
    if event_at == "horizon_end":
        span = span + stages["churn_horizon_days"].to_numpy(dtype=float)
    duration = np.where(event, span, stages["tenure_days"].to_numpy(dtype=float))
    if np.isnan(duration).any():
        raise ValueError(f"survival_curves: {int(np.isnan(duration).sum())} customers lack purchase dates")
    groups = (pd.Series("all", index=stages.index) if by is None
              else stages[by].astype("object").where(stages[by].notna(), "(missing)").astype(str))
    curves, summary = [], []
    for seg in sorted(groups.unique()):
        mask = (groups == seg).to_numpy()
        d, e = duration[mask], event[mask].astype(float)
        row = {"segment": seg, "customers": int(mask.sum()), "churned": int(e.sum()),
               "median_days": np.nan, "median_ci_lower": np.nan, "median_ci_upper": np.nan}
        if e.sum() == 0:  # nothing to estimate: survival stays 1
            curves.append(pd.DataFrame({"segment": [seg], "days": [0.0], "at_risk": [int(mask.sum())],
                                        "events": [0], "survival": [1.0], "ci_lower": [1.0],
                                        "ci_upper": [1.0]}))
            summary.append(row)
            continue
        sf = SurvfuncRight(d, e)
        lo, hi = _km_band(sf, alpha)
        frame = pd.DataFrame({"segment": seg, "days": sf.surv_times, "at_risk": sf.n_risk.astype(np.int64),
                              "events": sf.n_events.astype(np.int64), "survival": sf.surv_prob,
                              "ci_lower": lo, "ci_upper": hi})
        if frame["days"].iloc[0] > 0:
            frame = pd.concat([pd.DataFrame({"segment": [seg], "days": [0.0], "at_risk": [int(mask.sum())],
                                             "events": [0], "survival": [1.0], "ci_lower": [1.0],
                                             "ci_upper": [1.0]}), frame], ignore_index=True)
        if d.max() > frame["days"].iloc[-1]:  # flat to the longest censored relationship
            frame = pd.concat([frame, frame.iloc[[-1]].assign(days=float(d.max()), events=0,
                                                              at_risk=int((d >= d.max()).sum()))],
                              ignore_index=True)
        curves.append(frame)
        if sf.surv_prob.min() <= 0.5:
            row["median_days"] = float(sf.quantile(0.5))
            with np.errstate(divide="ignore", invalid="ignore"):  # log(-log 1) at S = 1
                ci = sf.quantile_ci(0.5, alpha=alpha)
            row["median_ci_lower"], row["median_ci_upper"] = (float(v) if v is not None else np.nan for v in ci)
        summary.append(row)
    return SurvivalCurves(curves=pd.concat(curves, ignore_index=True),
                          summary=pd.DataFrame(summary))


def _km_band(sf, alpha: float):
    """Pointwise log(-log) interval of the Kaplan-Meier curve (Greenwood variance)."""
    s = sf.surv_prob
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(s)
        se = sf.surv_prob_se / np.where(s > 0, s * np.abs(log_s), np.nan)  # se of log(-log S)
        ll = np.log(-log_s)
        lo = np.exp(-np.exp(ll + z * se))
        hi = np.exp(-np.exp(ll - z * se))
    lo = np.where(s >= 1, 1.0, np.where(s <= 0, 0.0, lo))
    hi = np.where(s >= 1, 1.0, np.where(s <= 0, 0.0, hi))
    return np.nan_to_num(lo, nan=0.0), np.nan_to_num(hi, nan=1.0)
