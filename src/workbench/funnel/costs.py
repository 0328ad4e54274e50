"""What winning a customer costs against what keeping one costs, and why deals are lost.

The lecture's needs analysis: winning a new customer costs several times, about five
times, what keeping one costs, so growing by new customers alone is uneconomic. Here
the acquisition cost is the sales expense spent on opportunities per customer won, the
retention cost the sales expense per existing customer and year; their ratio sits
beside the rule of thumb, and the acquisition cost is set against what a customer is
worth (CLV). Lost deals are grouped like churned customers (the customer's own
reasons, the firm's, third parties).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench._validation import _require_columns
from workbench.funnel.stages import _group_keys, _params
from workbench.lifecycle import CHURN_REASON_GROUPS, CHURN_REASON_SHARES
from workbench.parameters import FunnelParameters

#: Lost-deal reason code -> group, the groups of the lecture's churn-reason table (the
#: customer's own, the firm's, third parties); codes of the N company's CRM.
LOST_REASON_GROUPS = {
    "no_budget": "customer_side",
    "project_cancelled": "customer_side",
    "price": "firm_side",
    "slow_response": "firm_side",
    "poor_communication": "firm_side",
    "product_fit": "firm_side",
    "competitor": "third_party",
    "peer_influence": "third_party",
}

__all__ = [
    "LostReasons",
    "acquisition_cost",
    "acquisition_vs_retention",
    "clv_net_of_acquisition",
    "customer_clv",
    "lost_reasons",
    "retention_cost",
]

_GROUPS = ("customer_side", "firm_side", "third_party")


def acquisition_cost(summary: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Sales expense on opportunities per customer won, overall or by group.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`workbench.funnel.opportunity_summary`, with ``sales_expense``
        (summed per opportunity) and, to count customers rather than deals,
        ``customer_id``.
    by : str, optional
        Column to split by, e.g. ``industry`` or ``channel``.

    Returns
    -------
    pandas.DataFrame
        ``by`` (or ``group`` = ``all``), ``opportunities``, ``prospect_expense`` (all
        opportunities', won, lost and open: the money spent on acquisition),
        ``customers_won`` (distinct customers with a won deal), ``acquisition_cost`` =
        prospect_expense / customers_won (NaN without a win), money in the input's
        currency.

    Examples
    --------
    >>> summary = pd.DataFrame({"customer_id": ["C1", "P1", "P2", "C2"],
    ...                         "outcome": ["deal_won", "deal_lost", "deal_open", "deal_won"],
    ...                         "sales_expense": [30.0, 10.0, 20.0, 40.0]})
    >>> acquisition_cost(summary)[["prospect_expense", "customers_won", "acquisition_cost"]]
       prospect_expense  customers_won  acquisition_cost
    0             100.0              2              50.0
    """
    _require_columns(summary, ["outcome", "sales_expense"], "acquisition_cost",
             "the opportunities need a sales_expense column (the expense spent on each)")
    keys = _group_keys(summary, by, everyone="all")
    won = summary["outcome"] == "deal_won"
    who = summary["customer_id"] if "customer_id" in summary else pd.Series(summary.index, index=summary.index)
    rows = []
    for key in sorted(keys.unique()):
        mask = keys == key
        expense = float(summary.loc[mask, "sales_expense"].sum())
        customers = int(who[mask & won].nunique())
        rows.append({by or "group": key, "opportunities": int(mask.sum()), "prospect_expense": expense,
                     "customers_won": customers,
                     "acquisition_cost": expense / customers if customers else np.nan})
    return pd.DataFrame(rows)


def retention_cost(expense: pd.DataFrame, *, customers: pd.DataFrame | None = None,
                   transactions: pd.DataFrame | None = None, by: str | None = None) -> pd.DataFrame:
    """Sales expense per existing customer and year: the cost of keeping a customer.

    Parameters
    ----------
    expense : pandas.DataFrame
        One row per customer and year: ``customer_id``, ``year`` (int), ``sales_expense``
        (e.g. the N company's ``sales_expense`` table).
    customers : pandas.DataFrame, optional
        With ``first_contact``: a customer is existing in year y when first contacted
        before 1 January of y. Also the source of ``by`` when ``expense`` lacks it.
    transactions : pandas.DataFrame, optional
        Without ``first_contact``, the first purchase date decides (customers whose
        first purchase opens the data are then existing only from the next year).
    by : str, optional
        Column of ``expense`` or ``customers`` to split by.

    Returns
    -------
    pandas.DataFrame
        ``by`` (or ``group``), ``customer_years`` (existing customers x years),
        ``customers``, ``sales_expense``, ``retention_cost`` = sales_expense /
        customer_years (currency per customer and year).

    Notes
    -----
    The year in which a customer is won is acquisition, not retention, so it is left
    out; so is every customer-year for which neither source tells when the customer
    was won.

    Examples
    --------
    >>> expense = pd.DataFrame({"customer_id": ["C1", "C1", "C2"], "year": [2023, 2024, 2024],
    ...                         "sales_expense": [10.0, 12.0, 30.0]})
    >>> customers = pd.DataFrame({"customer_id": ["C1", "C2"],
    ...                           "first_contact": pd.to_datetime(["2020-05-01", "2024-02-01"])})
    >>> retention_cost(expense, customers=customers)[["customer_years", "retention_cost"]]
       customer_years  retention_cost
    0               2            11.0
    """
    _require_columns(expense, ["customer_id", "year", "sales_expense"], "retention_cost",
             "pass one row per customer and year with its sales expense")
    frame = expense.copy()
    if by is not None and by not in frame:
        if customers is None or by not in customers:
            raise ValueError(f"retention_cost: by={by!r} is neither in the expense table nor in customers")
        frame = frame.merge(customers[["customer_id", by]], on="customer_id", how="left")
    if customers is not None and "first_contact" in customers:
        won = customers.set_index("customer_id")["first_contact"]
    elif transactions is not None:
        won = transactions.groupby("customer_id")["date"].min()
    else:
        raise ValueError("retention_cost: pass customers with first_contact, or transactions, to tell "
                         "existing customers from those won in the year")
    year_start = pd.to_datetime(frame["year"].astype(int).astype(str) + "-01-01")
    frame = frame[(frame["customer_id"].map(won) < year_start).to_numpy()]
    keys = _group_keys(frame, by, everyone="all")
    rows = []
    for key in sorted(keys.unique()) if len(frame) else ["all"]:
        part = frame[keys == key]
        total = float(part["sales_expense"].sum())
        rows.append({by or "group": key, "customer_years": len(part), "customers": int(part["customer_id"].nunique()),
                     "sales_expense": total, "retention_cost": total / len(part) if len(part) else np.nan})
    return pd.DataFrame(rows)


def acquisition_vs_retention(acquisition: pd.DataFrame, retention: pd.DataFrame, *,
                             by: str | None = None, rule_of_thumb: float = 5.0) -> pd.DataFrame:
    """Acquisition cost per customer won over retention cost per customer-year.

    Parameters
    ----------
    acquisition : pandas.DataFrame
        From :func:`acquisition_cost` (same ``by``).
    retention : pandas.DataFrame
        From :func:`retention_cost` (same ``by``).
    by : str, optional
        The grouping both were computed with.
    rule_of_thumb : float, default 5
        The lecture's "about five times".

    Returns
    -------
    pandas.DataFrame
        ``by`` (or ``group``), ``acquisition_cost``, ``retention_cost``, ``cost_ratio``
        = acquisition / retention, ``rule_of_thumb``, ``ratio_to_rule`` = cost_ratio /
        rule_of_thumb (above 1: winning a customer costs more than the rule says).

    Examples
    --------
    >>> acq = pd.DataFrame({"group": ["all"], "acquisition_cost": [200.0]})
    >>> ret = pd.DataFrame({"group": ["all"], "retention_cost": [40.0]})
    >>> acquisition_vs_retention(acq, ret)[["cost_ratio", "ratio_to_rule"]]
       cost_ratio  ratio_to_rule
    0         5.0            1.0
    """
    key = by or "group"
    _require_columns(acquisition, [key, "acquisition_cost"], "acquisition_vs_retention", "pass acquisition_cost()")
    _require_columns(retention, [key, "retention_cost"], "acquisition_vs_retention", "pass retention_cost()")
    if not rule_of_thumb > 0:
        raise ValueError(f"rule_of_thumb={rule_of_thumb!r} must be positive")
    table = acquisition[[key, "acquisition_cost"]].merge(retention[[key, "retention_cost"]], on=key, how="outer")
    with np.errstate(divide="ignore", invalid="ignore"):
        table["cost_ratio"] = table["acquisition_cost"] / table["retention_cost"]
    table["rule_of_thumb"] = float(rule_of_thumb)
    table["ratio_to_rule"] = table["cost_ratio"] / rule_of_thumb
    return table.sort_values(key, kind="stable").reset_index(drop=True)


def clv_net_of_acquisition(clv: pd.DataFrame, acquisition: pd.DataFrame, *, customers: pd.DataFrame,
                           by: str | None = "industry", value: str = "clv") -> pd.DataFrame:
    r"""A customer's lifetime value minus what it costs to win one, per group.

    Parameters
    ----------
    clv : pandas.DataFrame
        One row per customer: ``customer_id`` and ``value`` (e.g. the 12-month CLV of
        :func:`workbench.clv.customer_lifetime_value`, in the case's currency).
    acquisition : pandas.DataFrame
        From :func:`acquisition_cost` with the same ``by`` (``group`` = ``all`` without).
    customers : pandas.DataFrame
        ``customer_id`` and ``by``: which customers' CLV to average (e.g. those won
        through the funnel: the won rows of :func:`workbench.funnel.opportunity_summary`)
        and their group.
    by : str or None, default "industry"
        The grouping (``industry``, ``channel``, ...); None: one row for all customers,
        for opportunities without an industry.
    value : str, default "clv"
        The CLV column of ``clv``.

    Returns
    -------
    pandas.DataFrame
        One row per group with a customer that has a CLV, sorted: ``by`` (or ``group``),
        ``customers`` (with a CLV), ``mean_clv``, ``acquisition_cost`` (NaN for a group
        that won no customer), ``clv_minus_acquisition`` (negative: a new customer does
        not earn back what winning it cost within the CLV's horizon),
        ``clv_to_acquisition``; money in the inputs' currency.

    Notes
    -----
    For group g with the customers :math:`C_g` that have a CLV,
    :math:`\overline{CLV}_g = \frac{1}{|C_g|} \sum_{c \in C_g} CLV_c`, and with the
    acquisition cost :math:`AC_g` (the sales expense on all of g's opportunities, won,
    lost and open, per customer won: :func:`acquisition_cost`),
    ``clv_minus_acquisition`` = :math:`\overline{CLV}_g - AC_g` and
    ``clv_to_acquisition`` = :math:`\overline{CLV}_g / AC_g`. A won customer without a
    CLV (no purchase by the analysis date) is not counted.

    References
    ----------
    No external reference: the lecture's comparison of what a customer is worth with
    what winning one costs. Hand-checked in ``tests/test_funnel.py``
    (``test_clv_net_of_acquisition_by_hand``).

    Examples
    --------
    >>> clv = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "clv": [300.0, 100.0, 80.0]})
    >>> who = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "industry": ["a", "a", "b"]})
    >>> acq = pd.DataFrame({"industry": ["a", "b"], "acquisition_cost": [150.0, 100.0]})
    >>> clv_net_of_acquisition(clv, acq, customers=who)[["industry", "mean_clv", "clv_minus_acquisition"]]
      industry  mean_clv  clv_minus_acquisition
    0        a     200.0                   50.0
    1        b      80.0                  -20.0

    Without an industry, one row for every customer won:

    >>> overall = pd.DataFrame({"group": ["all"], "acquisition_cost": [120.0]})
    >>> clv_net_of_acquisition(clv, overall, customers=who, by=None)[["group", "customers", "clv_minus_acquisition"]]
      group  customers  clv_minus_acquisition
    0   all          3                   40.0
    """
    key = by or "group"
    _require_columns(clv, ["customer_id", value], "clv_net_of_acquisition", "pass one CLV per customer")
    _require_columns(customers, ["customer_id", *([by] if by else [])], "clv_net_of_acquisition",
                     f"customers need '{by}'")
    _require_columns(acquisition, [key, "acquisition_cost"], "clv_net_of_acquisition",
                     f"pass acquisition_cost(by={by!r})")
    linked = customers[["customer_id", *([by] if by else [])]].drop_duplicates("customer_id").merge(
        clv[["customer_id", value]], on="customer_id", how="inner")
    linked[key] = _group_keys(linked, by, everyone="all")
    table = linked.groupby(key, sort=True).agg(customers=(value, "size"), mean_clv=(value, "mean")).reset_index()
    table = table.merge(acquisition[[key, "acquisition_cost"]].astype({key: str}), on=key, how="left")
    table["clv_minus_acquisition"] = table["mean_clv"] - table["acquisition_cost"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["clv_to_acquisition"] = table["mean_clv"] / table["acquisition_cost"]
    return table.astype({"customers": np.int64})


def customer_clv(transactions: pd.DataFrame, as_of, *, horizon: int = 12,
                 monthly_discount: float = 0.01) -> pd.DataFrame:
    """Each customer's CLV over the next months, as notebook 01 computes it.

    For a report without notebook 01 (whose ``customer_lifetime_value`` table is used
    when present): BG/NBD and Gamma-Gamma fitted on the whole history up to ``as_of``,
    gross-profit margin = gross profit / revenue of that history (1 without a
    ``gross_profit`` column).

    Parameters
    ----------
    transactions : pandas.DataFrame
        Clean transactions (``customer_id``, ``date``, ``amount``, optional
        ``gross_profit``).
    as_of : date-like
        The analysis date.
    horizon : int, default 12
        Months ahead.
    monthly_discount : float, default 0.01
        Discount rate per month.

    Returns
    -------
    pandas.DataFrame
        :func:`workbench.clv.customer_lifetime_value` (``customer_id``, ``clv`` in the
        transactions' currency, ...).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: using iso-value
    curves for customer base analysis. Journal of Marketing Research, 42(4), 415-430.

    Examples
    --------
    The CDNOW sample of Fader, Hardie & Lee (2005), fitted on its first nine months:

    >>> from workbench.datasets import load_cdnow
    >>> clv = customer_clv(load_cdnow("sample"), "1997-09-30", horizon=12)
    >>> len(clv)
    2357
    >>> clv[["customer_id", "p_alive", "clv"]].head(3).round(1)
      customer_id  p_alive   clv
    0           1      0.7  36.3
    1          10      1.0   8.3
    2         100      0.6  21.9
    """
    from workbench import clv
    from workbench.features import bgnbd_summary

    tx = transactions[transactions["date"] < pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)]
    summary = bgnbd_summary(tx, as_of, start=tx["date"].min())
    bgnbd = clv.BetaGeoModel().fit(summary)
    gamma = clv.GammaGammaModel().fit(summary)
    margin = float(tx["gross_profit"].sum() / tx["amount"].sum()) if "gross_profit" in tx else 1.0
    return clv.customer_lifetime_value(bgnbd, gamma, summary, horizon=horizon,
                                       monthly_discount=monthly_discount, margin=margin)


@dataclass(frozen=True)
class LostReasons:
    """Lost deals by reason and group; see :func:`lost_reasons`.

    Attributes
    ----------
    reasons : DataFrame
        ``group``, ``reason``, ``opportunities``, ``share``.
    groups : DataFrame
        ``group``, ``opportunities``, ``share``, ``reference_share`` (the lecture's
        churn table: the customer's own 4 %, the firm's 87 %, third parties 9 %).
    n_missing : int
        Lost deals without a recorded reason.

    Examples
    --------
    >>> summary = pd.DataFrame({"outcome": ["deal_lost", "deal_lost", "deal_won"],
    ...                         "lost_reason": ["price", None, None]})
    >>> r = lost_reasons(summary)
    >>> r.n_missing, sorted(r.tables())
    (1, ['lost_reason_groups', 'lost_reasons'])
    >>> r.reasons.loc[r.reasons["opportunities"] > 0, ["group", "reason", "share"]]
           group reason  share
    2  firm_side  price    1.0
    """

    reasons: pd.DataFrame
    groups: pd.DataFrame
    n_missing: int

    def tables(self) -> dict[str, pd.DataFrame]:
        """``lost_reasons`` and ``lost_reason_groups``.

        Returns
        -------
        dict of str to pandas.DataFrame
        """
        return {"lost_reasons": self.reasons, "lost_reason_groups": self.groups}


def lost_reasons(summary: pd.DataFrame, params: FunnelParameters | None = None, *,
                 mapping: Mapping[str, str] | None = None) -> LostReasons:
    """Why deals were lost, in the lecture's three groups beside its churn-reason shares.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`workbench.funnel.opportunity_summary`, with ``lost_reason``.
    params : FunnelParameters, optional
        Its ``lost_reason_groups`` is the default mapping.
    mapping : mapping of str to str, optional
        Reason -> ``customer_side``, ``firm_side`` or ``third_party``; default
        ``params.lost_reason_groups`` or else
        :data:`LOST_REASON_GROUPS` (the N company's codes: no_budget,
        project_cancelled, price, slow_response, poor_communication, product_fit,
        competitor, peer_influence).

    Returns
    -------
    LostReasons
        Shares are over lost deals with a reason; reasons outside the mapping are in
        group ``unmapped``, never dropped.

    Notes
    -----
    Computed by :func:`workbench.lifecycle.churn_reasons` on the lost deals, so lost
    deals and lost customers are grouped the same way. The reference is the lecture's
    churn table aggregated to its groups (:data:`workbench.lifecycle.CHURN_REASON_SHARES`).

    Examples
    --------
    >>> summary = pd.DataFrame({"outcome": ["deal_lost"] * 4 + ["deal_won"],
    ...                         "lost_reason": ["price", "competitor", "price", None, None]})
    >>> lost_reasons(summary).groups[["group", "opportunities", "share"]].round(3)
               group  opportunities  share
    0  customer_side              0  0.000
    1      firm_side              2  0.667
    2    third_party              1  0.333
    """
    from workbench.lifecycle import churn_reasons

    params = _params(params)
    _require_columns(summary, ["outcome", "lost_reason"], "lost_reasons", "the opportunities need a lost_reason column")
    if mapping is None:
        mapping = params.lost_reason_groups or LOST_REASON_GROUPS
    lost = summary[summary["outcome"] == "deal_lost"]
    result = churn_reasons(lost, reason_col="lost_reason", mapping=mapping, reference={})
    reference = pd.Series(CHURN_REASON_SHARES).groupby(pd.Series(CHURN_REASON_GROUPS)).sum()
    reasons = result.reasons.drop(columns="reference_share").rename(columns={"customers": "opportunities"})
    groups = result.groups.rename(columns={"customers": "opportunities"})
    groups["reference_share"] = groups["group"].map(reference).astype(float)
    if "unmapped" not in set(reasons["group"]):
        groups = groups[groups["group"] != "unmapped"]
    return LostReasons(reasons=reasons.reset_index(drop=True), groups=groups.reset_index(drop=True),
                       n_missing=result.n_missing)
