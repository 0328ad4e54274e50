"""The sales funnel: opportunities per stage, conversion, time in stage, pipeline value.

Everything starts from :func:`opportunity_summary`, one row per opportunity with the
furthest open stage it reached and its outcome (``deal_won``, ``deal_lost``,
``deal_open``) as of a date. Open opportunities have not finished their current stage:
they are *censored*. Conversion from a stage is therefore estimated among the
opportunities that left it (went on or were lost), and time in stage by Kaplan-Meier,
so a young pipeline does not look like a poor one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench._validation import _require_columns
from workbench.parameters import MAN_CRITERIA, FunnelParameters

__all__ = [
    "OUTCOMES",
    "PipelineValue",
    "TimeInStage",
    "conversion_against_truth",
    "opportunity_summary",
    "pipeline_value",
    "proportion_interval",
    "stage_conversion",
    "time_in_stage",
    "win_rates",
]

#: Outcome codes of an opportunity as of a date.
OUTCOMES = ("deal_won", "deal_lost", "deal_open")
#: MAN classes, best first; ``man_unknown`` when an answer is missing.
MAN_CLASSES = ("man_high", "man_medium", "man_low", "man_unknown")
_ATTRIBUTES = ("customer_id", "owner", "industry", "channel", "expected_value", *MAN_CRITERIA,
               "lost_reason")
_MISSING = "(missing)"


def _params(params: FunnelParameters | None) -> FunnelParameters:
    if params is None:
        return FunnelParameters()
    if not isinstance(params, FunnelParameters):
        raise TypeError(f"params must be a FunnelParameters, got {type(params).__name__}; build it "
                        "with FunnelParameters.from_mapping(case.parameters.get('funnel', {}))")
    return params


def proportion_interval(successes, trials, *, level: float = 0.95,
                        method: str = "wilson") -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval of a binomial proportion, NaN where there are no trials.

    Parameters
    ----------
    successes, trials : array-like of int
    level : float, default 0.95
    method : {"wilson", "exact"}
        Wilson score interval or Clopper-Pearson (``"beta"`` in statsmodels).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper bounds, in [0, 1].

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA, 22(158), 209-212. Clopper, C. J., & Pearson, E. S. (1934). The use
    of confidence or fiducial limits illustrated in the case of the binomial.
    Biometrika, 26(4), 404-413. Computed by statsmodels ``proportion_confint``.

    Examples
    --------
    >>> lo, hi = proportion_interval([3], [12])
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.0889, 0.5323)
    """
    from statsmodels.stats.proportion import proportion_confint

    if method not in ("wilson", "exact"):
        raise ValueError(f"method={method!r}; use 'wilson' or 'exact'")
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    lo, hi = np.full(k.shape, np.nan), np.full(k.shape, np.nan)
    some = n > 0
    if some.any():
        lo[some], hi[some] = proportion_confint(k[some], n[some], alpha=1 - level,
                                                method="wilson" if method == "wilson" else "beta")
    return np.clip(lo, 0, 1), np.clip(hi, 0, 1)


def opportunity_summary(opportunities: pd.DataFrame, params: FunnelParameters | None = None,
                        as_of=None) -> pd.DataFrame:
    """One row per opportunity: the furthest stage it reached and its outcome as of a date.

    Parameters
    ----------
    opportunities : pandas.DataFrame
        The clean opportunities table (:func:`workbench.cleaning.clean_opportunities`):
        one row per stage entered, ``opportunity_id``, ``stage``, ``stage_date``.
    params : FunnelParameters, optional
        Stage order and closing stages; default :class:`FunnelParameters`.
    as_of : date-like, optional
        Stages entered after this day are ignored; default the latest stage date.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``opportunity_id``: ``opportunity_id``, ``created`` (first stage date,
        or the ``created`` column when earlier), ``stage_reached`` (the furthest open
        stage entered), ``stage_rank`` (its position, 0 = first stage), ``outcome``
        (``deal_won``, ``deal_lost``, ``deal_open``), ``closed_date`` (NaT when open),
        ``age_days`` (created to closed date, or to ``as_of`` when open), then each of
        ``customer_id``, ``owner``, ``industry``, ``channel``, ``expected_value``,
        ``money``, ``authority``, ``need``, ``lost_reason`` present in the input (the
        latest non-missing value), and ``sales_expense`` (summed over the rows, in the
        input's currency).

    Raises
    ------
    ValueError
        When a stage is not one of ``params``' stages (listing them), or required
        columns are missing.

    Examples
    --------
    >>> rows = pd.DataFrame({"opportunity_id": ["O1", "O1", "O2"],
    ...                      "stage": ["lead", "closed_won", "lead"],
    ...                      "stage_date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-01"])})
    >>> opportunity_summary(rows, FunnelParameters(stages=("lead", "proposal")),
    ...                     as_of="2024-03-31")[["opportunity_id", "outcome", "age_days"]]
      opportunity_id    outcome  age_days
    0             O1   deal_won        56
    1             O2  deal_open        59
    """
    params = _params(params)
    _require_columns(opportunities, ["opportunity_id", "stage", "stage_date"], "opportunity_summary",
             "pass the clean opportunities table (one row per stage entered)")
    rank = params.rank
    unknown = sorted(set(opportunities["stage"].dropna().astype(str)) - set(rank))
    if unknown:
        raise ValueError(f"opportunity_summary: stage(s) {unknown} are not among the stages "
                         f"{list(params.stages)} nor {params.won_stage!r}/{params.lost_stage!r}; "
                         "set parameters.funnel.stages, won_stage and lost_stage to your CRM's names")
    rows = opportunities.copy()
    rows["stage_date"] = pd.to_datetime(rows["stage_date"])
    as_of = rows["stage_date"].max() if as_of is None else pd.Timestamp(as_of)
    rows = rows[rows["stage_date"] < as_of.normalize() + pd.Timedelta(days=1)]
    rows["_rank"] = rows["stage"].astype(str).map(rank)
    rows = rows.sort_values(["opportunity_id", "stage_date", "_rank"], kind="stable")
    groups = rows.groupby("opportunity_id", sort=True)
    out = pd.DataFrame({"created": groups["stage_date"].min()})
    if "created" in rows:
        out["created"] = np.minimum(out["created"], groups["created"].min().fillna(out["created"]))
    open_rows = rows[rows["_rank"] < len(params.stages)]
    reached = open_rows.groupby("opportunity_id")["_rank"].max().reindex(out.index)
    is_won = rows["stage"].astype(str) == params.won_stage
    is_lost = rows["stage"].astype(str) == params.lost_stage
    won = rows[is_won].groupby("opportunity_id")["stage_date"].min().reindex(out.index)
    lost = rows[is_lost].groupby("opportunity_id")["stage_date"].min().reindex(out.index)
    # an opportunity closed without an open-stage row reached at least the first stage
    reached = reached.fillna(0).astype(np.int64)
    # won means it passed every stage, whatever rows were skipped
    reached[won.notna()] = len(params.stages) - 1
    out["stage_reached"] = pd.array(np.array(params.stages, dtype=object)[reached.to_numpy()], dtype="str")
    out["stage_rank"] = reached
    out["outcome"] = np.where(won.notna(), "deal_won", np.where(lost.notna(), "deal_lost", "deal_open"))
    out["closed_date"] = won.fillna(lost).astype("datetime64[ns]")
    out["age_days"] = (out["closed_date"].fillna(as_of) - out["created"]).dt.days.astype(np.int64)
    for col in _ATTRIBUTES:
        if col in rows:
            out[col] = groups[col].last()  # the latest non-missing value
    if "sales_expense" in rows:
        out["sales_expense"] = groups["sales_expense"].sum(min_count=1)
    return out.reset_index()


def _group_keys(summary: pd.DataFrame, by: str | None, everyone: str = "all_deals") -> pd.Series:
    if by is None:
        return pd.Series(everyone, index=summary.index)
    if by not in summary.columns:
        raise ValueError(f"by={by!r} is not a column of the summary; present: {list(summary.columns)}")
    return summary[by].astype("object").where(summary[by].notna(), _MISSING).astype(str)


def _ordered(keys: pd.Series) -> list[str]:
    """Group names in display order: MAN classes best first, anything else sorted."""
    names = set(keys.unique())
    if names <= set(MAN_CLASSES):
        return [c for c in MAN_CLASSES if c in names]
    return sorted(names)


def stage_conversion(summary: pd.DataFrame, params: FunnelParameters | None = None, *,
                     by: str | None = None) -> pd.DataFrame:
    r"""Opportunities per stage and conversion to the next, open ones treated as censored.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`opportunity_summary` (``stage_rank``, ``outcome``).
    params : FunnelParameters, optional
        Stages, interval method and level.
    by : str, optional
        A column of ``summary`` to split by (``industry``, ``owner``, ``man_class``);
        missing values form the group ``(missing)``.

    Returns
    -------
    pandas.DataFrame
        One row per group and stage (``by``'s name as first column, then
        ``funnel_stage``): ``entered``, ``advanced`` (to the next stage, or won from the
        last), ``deals_lost`` (at this stage), ``deals_open`` (still in it), ``share_of_first``
        (entered / entered the first stage), ``conversion`` = advanced / (advanced +
        lost) with ``ci_lower``/``ci_upper``, ``p_reach`` (probability that a new
        opportunity reaches the stage, the product of the conversions before it) and
        ``p_win`` (probability that one in this stage is won, the product of the
        conversions from it on) with ``p_win_ci_lower``/``p_win_ci_upper``.

    Notes
    -----
    With :math:`a_k` opportunities advanced from stage k and :math:`l_k` lost there,
    :math:`\hat c_k = a_k / (a_k + l_k)`; open opportunities in stage k have not left it
    and are not counted (censoring, as in a life table: their fate is assumed to be that
    of those who left the stage, which holds when how long a stage takes does not
    depend on how it ends). :math:`\hat p_{win,k} = \prod_{j \ge k} \hat c_j`, with
    the interval :math:`\exp(\log \hat p \pm z\,se)`,
    :math:`se^2 = \sum_{j \ge k} (1 - \hat c_j) / (n_j \hat c_j)` (delta method on the
    log scale, Greenwood's form); ``share_of_first`` is the plain funnel a CRM shows,
    which understates conversion while many opportunities are open.

    References
    ----------
    Greenwood, M. (1926). The natural duration of cancer. Reports on Public Health and
    Medical Subjects, 33. Conversion intervals: :func:`proportion_interval`.

    Examples
    --------
    >>> summary = pd.DataFrame({"stage_rank": [1, 1, 1, 0, 0, 1],
    ...                         "outcome": ["deal_won", "deal_won", "deal_lost", "deal_lost",
    ...                                     "deal_open", "deal_open"]})
    >>> table = stage_conversion(summary, FunnelParameters(stages=("lead", "proposal")))
    >>> table[["funnel_stage", "entered", "advanced", "deals_lost", "deals_open", "conversion", "p_win"]]
      funnel_stage  entered  advanced  deals_lost  deals_open  conversion     p_win
    0         lead        6         4           1           1    0.800000  0.533333
    1     proposal        4         2           1           1    0.666667  0.666667
    """
    params = _params(params)
    _require_columns(summary, ["stage_rank", "outcome"], "stage_conversion", "pass opportunity_summary()")
    keys = _group_keys(summary, by)
    k_stages = len(params.stages)
    rank = summary["stage_rank"].to_numpy()
    outcome = summary["outcome"].to_numpy()
    z = stats.norm.ppf(1 - params.alpha / 2)
    frames = []
    for key in _ordered(keys):
        mask = (keys == key).to_numpy()
        r, o = rank[mask], outcome[mask]
        stage = np.arange(k_stages)
        entered = np.array([(r >= k).sum() for k in stage])
        lost = np.array([((r == k) & (o == "deal_lost")).sum() for k in stage])
        still = np.array([((r == k) & (o == "deal_open")).sum() for k in stage])
        advanced = entered - lost - still
        left = advanced + lost
        with np.errstate(divide="ignore", invalid="ignore"):
            conversion = np.where(left > 0, advanced / left, np.nan)
            var_log = np.where(left > 0, (1 - conversion) / (left * conversion), np.nan)
        lo, hi = proportion_interval(advanced, left, level=params.level, method=params.interval)
        p_win = np.cumprod(conversion[::-1])[::-1]
        se = np.sqrt(np.cumsum(var_log[::-1])[::-1])
        p_reach = np.concatenate([[1.0], np.cumprod(conversion)[:-1]])
        with np.errstate(invalid="ignore", over="ignore"):  # a stage nobody passed: p_win 0, se inf
            p_lo = np.where(p_win > 0, p_win * np.exp(-z * se), np.where(p_win == 0, 0.0, np.nan))
            p_hi = np.where(p_win > 0, np.minimum(1.0, p_win * np.exp(z * se)), np.nan)
        frame = pd.DataFrame({
            "funnel_stage": list(params.stages), "entered": entered, "advanced": advanced,
            "deals_lost": lost, "deals_open": still,
            "share_of_first": entered / entered[0] if entered[0] else np.nan,
            "conversion": conversion, "ci_lower": lo, "ci_upper": hi, "p_reach": p_reach,
            "p_win": p_win,
            "p_win_ci_lower": p_lo, "p_win_ci_upper": p_hi,
        })
        if by is not None:
            frame.insert(0, by, key)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def win_rates(summary: pd.DataFrame, params: FunnelParameters | None = None, *,
              by: str | None = None) -> pd.DataFrame:
    """Won / closed opportunities with a confidence interval, overall or by group.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`opportunity_summary`.
    params : FunnelParameters, optional
        Interval method and level.
    by : str, optional
        Column to split by; missing values form ``(missing)``.

    Returns
    -------
    pandas.DataFrame
        ``by`` (or ``group`` = ``all_deals``), ``opportunities``, ``deals_won``,
        ``deals_lost``, ``deals_open``, ``deals_closed``, ``win_rate`` = won / closed,
        ``ci_lower``, ``ci_upper``.

    Notes
    -----
    The win rate of closed deals is what CRM systems report. Lost deals often close
    sooner than won ones, so while many are open it understates the chance of a new
    lead; :func:`stage_conversion`'s ``p_win`` of the first stage corrects for that.

    Examples
    --------
    >>> summary = pd.DataFrame({"outcome": ["deal_won", "deal_lost", "deal_lost", "deal_open"]})
    >>> win_rates(summary)[["opportunities", "deals_closed", "deals_won", "win_rate"]]
       opportunities  deals_closed  deals_won  win_rate
    0              4             3          1  0.333333
    """
    params = _params(params)
    _require_columns(summary, ["outcome"], "win_rates", "pass opportunity_summary()")
    keys = _group_keys(summary, by)
    counts = pd.crosstab(keys, summary["outcome"]).reindex(index=_ordered(keys), columns=list(OUTCOMES),
                                                           fill_value=0)
    table = pd.DataFrame({
        "opportunities": counts.sum(axis=1), "deals_won": counts["deal_won"],
        "deals_lost": counts["deal_lost"], "deals_open": counts["deal_open"]})
    table["deals_closed"] = table["deals_won"] + table["deals_lost"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["win_rate"] = np.where(table["deals_closed"] > 0, table["deals_won"] / table["deals_closed"], np.nan)
    table["ci_lower"], table["ci_upper"] = proportion_interval(
        table["deals_won"], table["deals_closed"], level=params.level, method=params.interval)
    table.index.name = by or "group"
    counts = ("opportunities", "deals_won", "deals_lost", "deals_open", "deals_closed")
    return table.reset_index().astype(dict.fromkeys(counts, np.int64))


@dataclass(frozen=True)
class PipelineValue:
    """The open pipeline weighted by the chance each deal is won; see :func:`pipeline_value`.

    Attributes
    ----------
    opportunities : DataFrame
        One row per open opportunity: ``opportunity_id``, ``funnel_stage``,
        ``expected_value``, ``p_win``, ``weighted_value``.
    by_stage : DataFrame
        ``funnel_stage``, ``deals_open``, ``without_value`` (open deals lacking an expected
        value), ``expected_value``, ``p_win``, ``weighted_value``.
    total : dict
        ``deals_open``, ``expected_value``, ``weighted_value``, ``ci_lower``, ``ci_upper``
        (from the uncertainty of the stage probabilities) and ``outcome_sd`` (the spread
        of the value actually won if the probabilities were exact), money in the
        input's currency.

    Examples
    --------
    >>> summary = pd.DataFrame({"opportunity_id": ["A", "B"], "stage_rank": [0, 1],
    ...                         "outcome": ["deal_open", "deal_open"], "expected_value": [100.0, 200.0]})
    >>> conversion = pd.DataFrame({"funnel_stage": ["lead", "proposal"], "conversion": [0.5, 0.4],
    ...                            "advanced": [5, 2], "deals_lost": [5, 3], "p_win": [0.2, 0.4]})
    >>> pv = pipeline_value(summary, conversion, FunnelParameters(stages=("lead", "proposal")))
    >>> pv.opportunities[["opportunity_id", "p_win", "weighted_value"]]  # 0.2 * 100, 0.4 * 200
      opportunity_id  p_win  weighted_value
    0              A    0.2            20.0
    1              B    0.4            80.0
    >>> sorted(pv.tables())
    ['pipeline_by_stage', 'pipeline_opportunities']
    """

    opportunities: pd.DataFrame
    by_stage: pd.DataFrame
    total: dict

    def tables(self) -> dict[str, pd.DataFrame]:
        """``pipeline_by_stage`` and ``pipeline_opportunities``.

        Returns
        -------
        dict of str to pandas.DataFrame
        """
        return {"pipeline_by_stage": self.by_stage, "pipeline_opportunities": self.opportunities}


def pipeline_value(summary: pd.DataFrame, conversion: pd.DataFrame,
                   params: FunnelParameters | None = None) -> PipelineValue:
    r"""Expected value of the open pipeline, each deal weighted by its stage's win probability.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`opportunity_summary`, with ``expected_value``.
    conversion : pandas.DataFrame
        From :func:`stage_conversion` without ``by``: the stage probabilities estimated
        from history (never typed in).
    params : FunnelParameters, optional
        Level of the interval.

    Returns
    -------
    PipelineValue

    Notes
    -----
    :math:`W = \sum_k V_k p_k` with :math:`V_k` the expected value of the deals open in
    stage k and :math:`p_k = \prod_{j \ge k} c_j` (:func:`stage_conversion`). Its
    interval is :math:`W \pm z\,se`,
    :math:`se^2 = \sum_j (\sum_{k \le j} V_k p_k)^2 (1 - \hat c_j)/(n_j \hat c_j)`
    (delta method in :math:`\log c_j`). ``outcome_sd`` =
    :math:`\sqrt{\sum_i v_i^2 p_i (1 - p_i)}`: even with exact probabilities, the value
    won varies by this much.

    Examples
    --------
    >>> summary = pd.DataFrame({"opportunity_id": ["A", "B", "C"], "stage_rank": [0, 1, 1],
    ...                         "outcome": ["deal_open", "deal_open", "deal_won"],
    ...                         "expected_value": [100.0, 200.0, 50.0]})
    >>> conversion = pd.DataFrame({"funnel_stage": ["lead", "proposal"], "conversion": [0.5, 0.4],
    ...                            "advanced": [5, 2], "deals_lost": [5, 3], "p_win": [0.2, 0.4]})
    >>> pipeline_value(summary, conversion, FunnelParameters(stages=("lead", "proposal"))).total["weighted_value"]
    100.0
    """
    params = _params(params)
    _require_columns(summary, ["opportunity_id", "stage_rank", "outcome", "expected_value"], "pipeline_value",
             "pass opportunity_summary() of a table with expected_value")
    _require_columns(conversion, ["funnel_stage", "conversion", "advanced", "deals_lost", "p_win"], "pipeline_value",
             "pass stage_conversion() without by")
    if len(conversion) != len(params.stages) or list(conversion["funnel_stage"]) != list(params.stages):
        raise ValueError("pipeline_value: conversion must have one row per stage "
                         f"{list(params.stages)}: pass stage_conversion(summary) without by")
    p = conversion["p_win"].to_numpy(dtype=float)
    is_open = (summary["outcome"] == "deal_open").to_numpy()
    deals = summary.loc[is_open, ["opportunity_id", "stage_rank", "expected_value"]].copy()
    deals["funnel_stage"] = np.array(params.stages, dtype=object)[deals["stage_rank"].to_numpy()]
    deals["p_win"] = p[deals["stage_rank"].to_numpy()]
    deals["weighted_value"] = deals["expected_value"] * deals["p_win"]
    deals = deals[["opportunity_id", "funnel_stage", "expected_value", "p_win", "weighted_value"]]
    k = np.arange(len(params.stages))
    rank = summary.loc[is_open, "stage_rank"].to_numpy()
    value = deals["expected_value"].to_numpy(dtype=float)
    has = ~np.isnan(value)
    v = np.array([value[has & (rank == j)].sum() for j in k])
    by_stage = pd.DataFrame({
        "funnel_stage": list(params.stages), "deals_open": [(rank == j).sum() for j in k],
        "without_value": [(~has & (rank == j)).sum() for j in k], "expected_value": v, "p_win": p,
        "weighted_value": v * p})
    c = conversion["conversion"].to_numpy(dtype=float)
    n = (conversion["advanced"] + conversion["deals_lost"]).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        var_log = np.where((n > 0) & (c > 0), (1 - c) / (n * c), 0.0)
    weighted = np.nan_to_num(v * p)
    gradient = np.cumsum(weighted)  # d W / d log c_j = sum over stages k <= j of V_k p_k
    se = float(np.sqrt(np.sum(gradient**2 * var_log)))
    z = stats.norm.ppf(1 - params.alpha / 2)
    total_weighted = float(weighted.sum())
    pi = deals["p_win"].to_numpy(dtype=float)[has]
    total = {"deals_open": int(is_open.sum()), "expected_value": float(v.sum()), "weighted_value": total_weighted,
             "ci_lower": max(0.0, total_weighted - z * se), "ci_upper": total_weighted + z * se,
             "outcome_sd": float(np.sqrt(np.nansum(value[has] ** 2 * pi * (1 - pi))))}
    return PipelineValue(opportunities=deals.reset_index(drop=True), by_stage=by_stage, total=total)


@dataclass(frozen=True)
class TimeInStage:
    """Days spent in each stage, Kaplan-Meier; see :func:`time_in_stage`.

    Attributes
    ----------
    curves : DataFrame
        ``funnel_stage``, ``days``, ``in_stage`` (still in the stage just before),
        ``left_stage`` (left it that day), ``remaining`` (share still in the stage after
        that many days), ``ci_lower``, ``ci_upper``.
    summary : DataFrame
        ``funnel_stage``, ``entered``, ``left``, ``still_open``, ``median_days_in_stage`` with
        ``median_ci_lower``/``median_ci_upper``, ``q25_days``, ``q75_days`` (NaN when
        the curve does not fall that far).

    Examples
    --------
    >>> rows = pd.DataFrame({"opportunity_id": ["A", "A", "B", "B"],
    ...                      "stage": ["lead", "proposal", "lead", "proposal"],
    ...                      "stage_date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-01", "2024-01-21"])})
    >>> result = time_in_stage(rows, FunnelParameters(stages=("lead", "proposal")), as_of="2024-01-31")
    >>> result.summary[["funnel_stage", "entered", "left", "median_days_in_stage"]]
      funnel_stage  entered  left  median_days_in_stage
    0         lead        2     2                  20.0
    1     proposal        2     0                   NaN
    >>> sorted(result.tables())
    ['time_in_stage', 'time_in_stage_curves']
    """

    curves: pd.DataFrame
    summary: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """``time_in_stage`` (the summary) and ``time_in_stage_curves``.

        Returns
        -------
        dict of str to pandas.DataFrame
        """
        return {"time_in_stage": self.summary, "time_in_stage_curves": self.curves}


def time_in_stage(opportunities: pd.DataFrame, params: FunnelParameters | None = None,
                  as_of=None) -> TimeInStage:
    r"""How long opportunities stay in each stage; open ones are censored at ``as_of``.

    Parameters
    ----------
    opportunities : pandas.DataFrame
        The clean opportunities table (one row per stage entered).
    params : FunnelParameters, optional
        Stage order and the level of the intervals.
    as_of : date-like, optional
        Default the latest stage date.

    Returns
    -------
    TimeInStage

    Notes
    -----
    An opportunity's time in stage k runs from the day it entered k to the day of its
    next row (the next stage, or won/lost): an event. Still in k at ``as_of``: censored
    at ``as_of`` - entry. A stage skipped (no row) gives no observation. The
    Kaplan-Meier estimate :math:`\hat S(t) = \prod_{t_i \le t} (1 - d_i / n_i)` is the
    share still in the stage after t days; median and quartiles are its quantiles
    (statsmodels: the first day on which :math:`\hat S` falls below 1 - p), intervals
    the log(-log) Greenwood bands and statsmodels' median interval.

    References
    ----------
    Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete
    observations. JASA, 53(282), 457-481. Computed with statsmodels ``SurvfuncRight``,
    as :func:`workbench.lifecycle.survival_curves`.

    Examples
    --------
    Lead spells of 10, 20 and 15 days and one of 5 days still open: S = 2/3 after 10
    days, 1/3 after 15, so the median is 15 days.

    >>> rows = pd.DataFrame({"opportunity_id": ["A", "A", "B", "B", "C", "D", "D"],
    ...                      "stage": ["lead", "proposal", "lead", "closed_lost", "lead", "lead", "proposal"],
    ...                      "stage_date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-01",
    ...                                                    "2024-01-21", "2024-01-26", "2024-01-01",
    ...                                                    "2024-01-16"])})
    >>> result = time_in_stage(rows, FunnelParameters(stages=("lead", "proposal")), as_of="2024-01-31")
    >>> result.summary[["funnel_stage", "entered", "left", "still_open", "median_days_in_stage"]]
      funnel_stage  entered  left  still_open  median_days_in_stage
    0         lead        4     3           1                  15.0
    1     proposal        2     0           2                   NaN
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    params = _params(params)
    _require_columns(opportunities, ["opportunity_id", "stage", "stage_date"], "time_in_stage",
             "pass the clean opportunities table (one row per stage entered)")
    rank = params.rank
    rows = opportunities[["opportunity_id", "stage", "stage_date"]].copy()
    rows["stage_date"] = pd.to_datetime(rows["stage_date"])
    as_of = rows["stage_date"].max() if as_of is None else pd.Timestamp(as_of)
    rows = rows[rows["stage_date"] < as_of.normalize() + pd.Timedelta(days=1)]
    rows["_rank"] = rows["stage"].astype(str).map(rank)
    if rows["_rank"].isna().any():
        raise ValueError(f"time_in_stage: stage(s) {sorted(set(rows.loc[rows['_rank'].isna(), 'stage']))} "
                         f"are not among {list(rank)}")
    rows = rows.sort_values(["opportunity_id", "stage_date", "_rank"], kind="stable")
    following = rows.groupby("opportunity_id")["stage_date"].shift(-1)
    spells = rows[rows["_rank"] < len(params.stages)].assign(exit=following)
    event = spells["exit"].notna().to_numpy()
    days = (spells["exit"].fillna(as_of) - spells["stage_date"]).dt.days.to_numpy(dtype=float)
    z = stats.norm.ppf(1 - params.alpha / 2)
    curves, summary = [], []
    for k, stage in enumerate(params.stages):
        mask = (spells["_rank"] == k).to_numpy()
        d, e = days[mask], event[mask].astype(float)
        row = {"funnel_stage": stage, "entered": int(mask.sum()), "left": int(e.sum()),
               "still_open": int(mask.sum() - e.sum()), "median_days_in_stage": np.nan, "median_ci_lower": np.nan,
               "median_ci_upper": np.nan, "q25_days": np.nan, "q75_days": np.nan}
        if e.sum() == 0:
            summary.append(row)
            continue
        sf = SurvfuncRight(d, e)
        s = sf.surv_prob
        with np.errstate(divide="ignore", invalid="ignore"):
            se = sf.surv_prob_se / np.where(s > 0, s * np.abs(np.log(s)), np.nan)
            ll = np.log(-np.log(s))
            lo, hi = np.exp(-np.exp(ll + z * se)), np.exp(-np.exp(ll - z * se))
        lo = np.nan_to_num(np.where(s >= 1, 1.0, np.where(s <= 0, 0.0, lo)), nan=0.0)
        hi = np.nan_to_num(np.where(s >= 1, 1.0, np.where(s <= 0, 0.0, hi)), nan=1.0)
        curves.append(pd.DataFrame({"funnel_stage": stage, "days": np.concatenate([[0.0], sf.surv_times]),
                                    "in_stage": np.concatenate([[mask.sum()], sf.n_risk]).astype(np.int64),
                                    "left_stage": np.concatenate([[0], sf.n_events]).astype(np.int64),
                                    "remaining": np.concatenate([[1.0], s]),
                                    "ci_lower": np.concatenate([[1.0], lo]),
                                    "ci_upper": np.concatenate([[1.0], hi])}))
        for q, key in ((0.25, "q75_days"), (0.5, "median_days_in_stage"), (0.75, "q25_days")):
            if s.min() <= q:  # S falls to q: the (1 - q) quantile of time in stage
                row[key] = float(sf.quantile(1 - q))
        if s.min() <= 0.5:
            with np.errstate(divide="ignore", invalid="ignore"):
                ci = sf.quantile_ci(0.5, alpha=params.alpha)
            row["median_ci_lower"], row["median_ci_upper"] = (float(v) if v is not None else np.nan for v in ci)
        summary.append(row)
    curves_frame = (pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(
        columns=["funnel_stage", "days", "in_stage", "left_stage", "remaining", "ci_lower", "ci_upper"]))
    return TimeInStage(curves=curves_frame, summary=pd.DataFrame(summary))


def conversion_against_truth(conversion: pd.DataFrame, truth: pd.DataFrame, *,
                             on: list[str] | tuple[str, ...] = ("funnel_stage",),
                             estimate: str = "conversion", truth_col: str = "conversion",
                             lower: str = "ci_lower", upper: str = "ci_upper") -> pd.DataFrame:
    """Estimated rates beside the true ones of a generator, and whether each interval covers it.

    Parameters
    ----------
    conversion : pandas.DataFrame
        Estimates with their intervals, e.g. :func:`stage_conversion` by ``man_class``.
    truth : pandas.DataFrame
        The true rates, e.g. ``truth_funnel_conversion`` of
        :func:`workbench.datasets.make_ncompany`.
    on : sequence of str
        Key columns present in both.
    estimate, truth_col, lower, upper : str
        Column names of the estimate, the truth and the interval.

    Returns
    -------
    pandas.DataFrame
        ``on`` columns, ``estimate``, ``lower``, ``upper``, ``truth``, ``covered`` (bool).

    Examples
    --------
    >>> est = pd.DataFrame({"funnel_stage": ["lead"], "conversion": [0.5], "ci_lower": [0.4], "ci_upper": [0.6]})
    >>> truth = pd.DataFrame({"funnel_stage": ["lead"], "conversion": [0.55]})
    >>> conversion_against_truth(est, truth)["covered"].tolist()
    [True]
    """
    on = list(on)
    _require_columns(conversion, [*on, estimate, lower, upper], "conversion_against_truth",
                     "pass estimates with intervals")
    _require_columns(truth, [*on, truth_col], "conversion_against_truth", "pass the generator's truth table")
    merged = conversion[[*on, estimate, lower, upper]].rename(
        columns={estimate: "estimate", lower: "lower", upper: "upper"}).merge(
        truth[[*on, truth_col]].rename(columns={truth_col: "truth"}), on=on, how="inner", validate="one_to_one")
    merged["covered"] = (merged["lower"] <= merged["truth"]) & (merged["truth"] <= merged["upper"])
    return merged
