"""The N-company sales funnel: opportunities drawn from known stage conversions (part of the generator)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.datasets._profiles import NCOMPANY_INDUSTRIES, _numbered

__all__ = [
    "LOST_REASON_SHARES",
    "NCOMPANY_FUNNEL_STAGES",
    "NCOMPANY_LOST_STAGE",
    "NCOMPANY_MAN_CLASSES",
    "NCOMPANY_WON_STAGE",
    "NCompanyFunnelTruth",
]


# ======================================================================================
# The N company's sales funnel (issue 15): opportunities consistent with its customers
# ======================================================================================

#: Open stages of the generated funnel, in order (线索, 需求确认/MAN 合格, 方案报价, 商务谈判),
#: and the stages that close an opportunity.
NCOMPANY_FUNNEL_STAGES = ("lead", "qualified", "proposal", "negotiation")
NCOMPANY_WON_STAGE, NCOMPANY_LOST_STAGE = "closed_won", "closed_lost"
#: MAN classes in the order of the rows of the conversion truth.
NCOMPANY_MAN_CLASSES = ("man_high", "man_medium", "man_low")

#: Why deals are lost, with shares whose groups (:data:`workbench.funnel.LOST_REASON_GROUPS`)
#: are the lecture's churn table (the customer's own 4 %, the firm's 87 %, third parties 9 %).
LOST_REASON_SHARES = {
    "no_budget": 0.02,
    "project_cancelled": 0.02,
    "price": 0.14,
    "slow_response": 0.05,
    "poor_communication": 0.60,
    "product_fit": 0.08,
    "competitor": 0.06,
    "peer_influence": 0.03,
}

# P(an opportunity passes the stage | MAN class): rows NCOMPANY_MAN_CLASSES, columns
# NCOMPANY_FUNNEL_STAGES (the last column is negotiation -> won). With the industries'
# class mix about 100 leads give 45 proposals and 8 wins (the lecture: 100 - 50 - 5).
_FUNNEL_PASS = np.array([[0.85, 0.75, 0.60, 0.45],
                         [0.70, 0.60, 0.45, 0.30],
                         [0.45, 0.40, 0.30, 0.20]])
_FUNNEL_MEAN_DAYS = np.array([30.0, 45.0, 60.0, 45.0])  # Gamma(2) days in each stage
_FUNNEL_DAYS_SHAPE = 2.0
_FUNNEL_STAGE_COST = np.array([1_500.0, 4_000.0, 8_000.0, 11_000.0])  # CNY on entering
_FUNNEL_COST_SD = 0.4  # log-normal noise of the expense per stage
# MAN ratings 1-5: clip(round(3 + shift + 1.1 z)); shifts (money, authority, need): utilities
# can pay but decide by committee, distributors decide fast on thin budgets
_MAN_SHIFT = {"power": (0.7, -0.3, 0.4), "construction": (-0.1, 0.2, 0.2),
              "oem": (0.2, 0.3, 0.5), "distributor": (-0.4, 0.5, -0.3)}
_MAN_RATING_SD = 1.1
_DEAL_MEDIAN = {"power": 600_000.0, "construction": 250_000.0, "oem": 350_000.0,
                "distributor": 150_000.0}  # CNY, expected value of a deal; log SD 0.8
_DEAL_SD = 0.8
_LOST_REASON_UNRECORDED = 0.08  # lost deals whose reason nobody entered
_WON_LEAD_DAYS = 21  # a win falls 1-21 days before the customer's first contact date


def _year_start(days: np.ndarray) -> np.ndarray:
    """Day number (since 1970-01-01) of 1 January of each day number's year."""
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return dates.astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


@dataclass(frozen=True)
class NCompanyFunnelTruth:
    """How :func:`make_ncompany` generated the opportunities (see its Notes).

    Attributes
    ----------
    conversion : DataFrame
        ``man_class``, ``funnel_stage``, ``conversion``: P(passing the stage | class);
        the last stage's is P(won | negotiation).
    industries : DataFrame
        ``industry``, ``man_class``, ``share`` (of the industry's opportunities),
        ``p_win`` (of a new lead), and per industry ``p_win_industry``,
        ``cost_per_opportunity`` (expected sales expense, CNY) and
        ``acquisition_cost`` (= cost_per_opportunity / p_win_industry, CNY per customer).
    stages : DataFrame
        ``funnel_stage``, ``mean_days`` and ``median_days`` of the Gamma(2) time in stage
        (the table records whole days, its ceiling, so P(recorded > t) = P(Gamma > t) for
        whole t), ``mean_cost`` (CNY).
    lost_reason_shares, lost_reason_groups : dict
    """

    conversion: pd.DataFrame
    industries: pd.DataFrame
    stages: pd.DataFrame
    lost_reason_shares: dict
    lost_reason_groups: dict

    def tables(self) -> dict[str, pd.DataFrame]:
        """``truth_funnel_conversion``, ``truth_funnel_industries``, ``truth_funnel_stages``.

        Returns
        -------
        dict of str to pandas.DataFrame
        """
        return {"truth_funnel_conversion": self.conversion,
                "truth_funnel_industries": self.industries,
                "truth_funnel_stages": self.stages}


def _man_class_codes(ratings: np.ndarray) -> np.ndarray:
    """0/1/2 = high/medium/low: FunnelParameters' defaults (equal weights, cut-offs 0.75
    and 0.5 on the mean of (rating - 1) / 4) are rating sums >= 12 and >= 9."""
    total = ratings.sum(axis=1)
    return np.where(total >= 12, 0, np.where(total >= 9, 1, 2))


def _rating_probabilities(shift: float) -> np.ndarray:
    """P(rating = 1..5) of clip(round(3 + shift + sd z), 1, 5)."""
    from math import erf, sqrt

    cdf = [0.5 * (1 + erf((edge - 3 - shift) / (_MAN_RATING_SD * sqrt(2)))) for edge in (1.5, 2.5, 3.5, 4.5)]
    return np.diff([0.0, *cdf, 1.0])


def _funnel_truth() -> NCompanyFunnelTruth:
    from scipy import stats

    # here, not at the top: workbench.funnel imports workbench.lifecycle, which imports this
    # module's churn table (until that table moves into the lifecycle code)
    from workbench.funnel import LOST_REASON_GROUPS

    combos = np.array(np.meshgrid(*[np.arange(1, 6)] * 3, indexing="ij")).reshape(3, -1).T
    classes = _man_class_codes(combos)
    p_win_class = _FUNNEL_PASS.prod(axis=1)
    # P(entering stage k | class) and the expected expense of an opportunity of each class
    enter = np.hstack([np.ones((3, 1)), np.cumprod(_FUNNEL_PASS[:, :-1], axis=1)])
    cost_class = enter @ (_FUNNEL_STAGE_COST * np.exp(_FUNNEL_COST_SD**2 / 2))
    rows = []
    for industry in NCOMPANY_INDUSTRIES:
        p = [_rating_probabilities(s) for s in _MAN_SHIFT[industry]]
        weight = p[0][combos[:, 0] - 1] * p[1][combos[:, 1] - 1] * p[2][combos[:, 2] - 1]
        share = np.bincount(classes, weight, minlength=3)
        p_win = float(share @ p_win_class)
        cost = float(share @ cost_class)
        for c, name in enumerate(NCOMPANY_MAN_CLASSES):
            rows.append({"industry": industry, "man_class": name, "share": share[c],
                         "p_win": p_win_class[c], "p_win_industry": p_win,
                         "cost_per_opportunity": cost, "acquisition_cost": cost / p_win})
    conversion = pd.DataFrame(
        [{"man_class": name, "funnel_stage": stage, "conversion": _FUNNEL_PASS[c, k]}
         for c, name in enumerate(NCOMPANY_MAN_CLASSES) for k, stage in enumerate(NCOMPANY_FUNNEL_STAGES)])
    scale = _FUNNEL_MEAN_DAYS / _FUNNEL_DAYS_SHAPE
    stages = pd.DataFrame({
        "funnel_stage": list(NCOMPANY_FUNNEL_STAGES), "mean_days": _FUNNEL_MEAN_DAYS,
        "median_days": stats.gamma.ppf(0.5, _FUNNEL_DAYS_SHAPE, scale=scale),
        "mean_cost": _FUNNEL_STAGE_COST * np.exp(_FUNNEL_COST_SD**2 / 2)})
    return NCompanyFunnelTruth(conversion=conversion, industries=pd.DataFrame(rows), stages=stages,
                               lost_reason_shares=dict(LOST_REASON_SHARES),
                               lost_reason_groups=dict(LOST_REASON_GROUPS))


def _funnel_trials(rng, n: int, industry: str, first_day: int, last_day: int) -> dict:
    """``n`` opportunities of one industry created uniformly over the days, worked to the end."""
    created = first_day + rng.integers(0, last_day - first_day + 1, n)
    ratings = np.clip(np.rint(3 + np.array(_MAN_SHIFT[industry])
                              + _MAN_RATING_SD * rng.standard_normal((n, 3))), 1, 5).astype(np.int64)
    man = _man_class_codes(ratings)
    passes = rng.random((n, len(NCOMPANY_FUNNEL_STAGES))) < _FUNNEL_PASS[man]
    won = passes.all(axis=1)
    entered = np.where(won, passes.shape[1], np.argmin(passes, axis=1) + 1)  # stages entered
    days = np.ceil(rng.gamma(_FUNNEL_DAYS_SHAPE, _FUNNEL_MEAN_DAYS / _FUNNEL_DAYS_SHAPE,
                             (n, passes.shape[1]))).astype(np.int64)
    cost = np.round(_FUNNEL_STAGE_COST * np.exp(rng.normal(0.0, _FUNNEL_COST_SD, days.shape)))
    value = np.round(_DEAL_MEDIAN[industry] * np.exp(rng.normal(0.0, _DEAL_SD, n)), -2)
    reasons = np.array(list(LOST_REASON_SHARES), dtype=object)
    reason = reasons[rng.choice(len(reasons), n, p=np.array(list(LOST_REASON_SHARES.values())))]
    reason[rng.random(n) < _LOST_REASON_UNRECORDED] = None
    entry = created[:, None] + np.hstack([np.zeros((n, 1), np.int64), np.cumsum(days[:, :-1], axis=1)])
    last = entered - 1
    close = entry[np.arange(n), last] + days[np.arange(n), last]
    return {"created": created, "ratings": ratings, "won": won, "entered": entered, "days": days,
            "entry": entry, "close": close, "cost": cost, "value": value, "reason": reason,
            "industry": np.full(n, industry, dtype=object)}


def _draw_opportunities(rng, customers: pd.DataFrame, years: tuple[int, ...], truth: NCompanyFunnelTruth):
    """The opportunities table: every customer acquired in the years won one; prospects the rest.

    Per industry, opportunities are drawn until one more than the number of customers it
    acquired in the years have been won by the end (inverse sampling); the wins become those
    customers (re-dated to end 1-21 days before their first contact, in the same calendar
    year, which precedes their first order; the customers' first contacts are spread over
    the years by the customer generator, so are these wins), the last win is dropped with
    everything after it, and what was still open at the end is cut there (later stages
    are not in the table). A win re-dated early in the first year may have entered its
    first stages before the years: a CRM's history may begin before the orders.
    """
    day = np.datetime64("1970-01-01", "D")
    first_day = int((np.datetime64(f"{years[0]}-01-01", "D") - day).astype(np.int64))
    last_day = int((np.datetime64(f"{years[-1]}-12-31", "D") - day).astype(np.int64))
    contact = (customers["first_contact"].to_numpy().astype("datetime64[D]") - day).astype(np.int64)
    acquired = (contact >= first_day) & (contact <= last_day)
    p_win = truth.industries.drop_duplicates("industry").set_index("industry")["p_win_industry"]
    parts = []
    for industry in NCOMPANY_INDUSTRIES:
        who = np.flatnonzero(acquired & (customers["industry"].to_numpy() == industry))
        batch = int(1.5 * (len(who) + 1) / p_win[industry]) + 50
        drawn, wins = [], 0
        while wins <= len(who):
            trials = _funnel_trials(rng, batch, industry, first_day, last_day)
            drawn.append(trials)
            wins += int((trials["won"] & (trials["close"] <= last_day)).sum())
        trials = {key: np.concatenate([t[key] for t in drawn]) for key in drawn[0]}
        closed_win = np.flatnonzero(trials["won"] & (trials["close"] <= last_day))
        trials = {key: value[: closed_win[len(who)]] for key, value in trials.items()}
        # the wins become the customers acquired, re-dated to close before first contact
        is_customer = np.zeros(len(trials["won"]), dtype=bool)
        is_customer[closed_win[: len(who)]] = True
        # 1-21 days before first contact and within its calendar year (unless the contact
        # is on 1 January), so a year's wins are that year's new customers
        into_year = contact[who] - _year_start(contact[who])
        lead = np.clip(into_year, 1, _WON_LEAD_DAYS)
        won_day = contact[who] - rng.integers(1, lead, endpoint=True)
        rows = closed_win[: len(who)]
        trials["close"][rows] = won_day
        trials["entry"][rows] = won_day[:, None] - np.cumsum(trials["days"][rows][:, ::-1], axis=1)[:, ::-1]
        trials["created"][rows] = trials["entry"][rows, 0]
        trials["customer"] = np.full(len(is_customer), -1)
        trials["customer"][rows] = who
        parts.append(trials)
    trials = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    n = len(trials["won"])
    order = np.lexsort((np.arange(n), trials["created"]))
    trials = {key: value[order] for key, value in trials.items()}
    is_customer = trials["customer"] >= 0
    width = max(5, len(str(n)))
    opportunity_id = _numbered("OP", np.arange(1, n + 1), width).to_numpy()
    prospect = _numbered("P", np.cumsum(~is_customer), width).to_numpy()
    customer_ids = customers["customer_id"].to_numpy()
    managers = np.array(sorted(customers["account_manager"].dropna().unique()), dtype=object)
    owner = managers[rng.integers(0, len(managers), n)]
    owner[is_customer] = customers["account_manager"].to_numpy()[trials["customer"][is_customer]]
    who = np.where(is_customer, customer_ids[np.maximum(trials["customer"], 0)], prospect)

    # one row per stage entered by the end, then the closing row if it closed by then
    k = len(NCOMPANY_FUNNEL_STAGES)
    opp, stage = np.repeat(np.arange(n), k), np.tile(np.arange(k), n)
    keep = (stage < trials["entered"][opp]) & (trials["entry"].ravel() <= last_day)
    opp, stage = opp[keep], stage[keep]
    dates = trials["entry"].ravel()[keep]
    expense = trials["cost"].ravel()[keep]
    closed = np.flatnonzero(trials["close"] <= last_day)
    opp = np.concatenate([opp, closed])
    stage = np.concatenate([stage, np.where(trials["won"][closed], k, k + 1)])
    dates = np.concatenate([dates, trials["close"][closed]])
    expense = np.concatenate([expense, np.full(len(closed), np.nan)])
    rows = np.lexsort((stage, opp))
    opp, stage, dates, expense = opp[rows], stage[rows], dates[rows], expense[rows]
    names = np.array([*NCOMPANY_FUNNEL_STAGES, NCOMPANY_WON_STAGE, NCOMPANY_LOST_STAGE], dtype=object)
    lost_row = stage == k + 1
    ratings = trials["ratings"][opp]
    frame = pd.DataFrame({
        "opportunity_id": pd.array(opportunity_id[opp], dtype="str"),
        "customer_id": pd.array(who[opp], dtype="str"),
        "stage": pd.array(names[stage], dtype="str"),
        "stage_date": (dates.astype("datetime64[D]")).astype("datetime64[ns]"),
        "expected_value": trials["value"][opp],
        "sales_expense": expense,
        "owner": pd.array(owner[opp], dtype="str"),
        "industry": pd.array(trials["industry"][opp], dtype="str"),
        "money": ratings[:, 0], "authority": ratings[:, 1], "need": ratings[:, 2],
        "lost_reason": pd.array(np.where(lost_row, trials["reason"][opp], None), dtype="str"),
    })
    return frame
