"""Descriptive tables for a data overview: activity per period, quarantine, surveys."""

from __future__ import annotations

import pandas as pd

from workbench.features import in_engine

__all__ = ["customer_totals", "period_summary", "quarantine_summary", "survey_overview"]


def period_summary(transactions: pd.DataFrame, *, granularity: str = "M") -> pd.DataFrame:
    """Revenue, orders, active and new customers per calendar period.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (``customer_id``, ``date``, ``amount``, ``order_id``).
    granularity : {"D", "W", "M", "Q", "Y"}
        Period length.

    Returns
    -------
    pandas.DataFrame
        One row per period from the first to the last (periods without purchases
        included as zeros): ``period`` (str), ``revenue`` (sum of amount, returns
        netted, currency units), ``orders`` (distinct order ids), ``customers``
        (distinct buyers), ``new_customers`` (first purchase in the period),
        ``revenue_per_customer``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "order_id": ["1", "2", "3", "4"],
    ...                    "date": pd.to_datetime(["2024-01-10", "2024-03-05", "2024-01-20", "2024-03-03"]),
    ...                    "amount": [10.0, 20.0, 30.0, -5.0]})  # b's March line is a return
    >>> period_summary(tx)[["period", "revenue", "orders", "customers", "new_customers"]]  # February: zeros
        period  revenue  orders  customers  new_customers
    0  2024-01     40.0       2          2              2
    1  2024-02      0.0       0          0              0
    2  2024-03     15.0       2          2              0
    """
    if granularity not in {"D", "W", "M", "Q", "Y"}:
        raise ValueError(f"granularity {granularity!r}: use one of D, W, M, Q, Y")
    if transactions.empty:
        raise ValueError("no transactions in the window: nothing to summarise")
    if in_engine(transactions):  # an engine case: one aggregation per period in the engine
        out = transactions.period_totals(granularity)
    else:
        period = transactions["date"].dt.to_period(granularity)
        first = transactions.groupby("customer_id", sort=False)["date"].transform("min")
        frame = transactions.assign(period=period, is_new_line=first.dt.to_period(granularity) == period)
        grouped = frame.groupby("period", sort=True)
        out = pd.DataFrame({
            "revenue": grouped["amount"].sum(),
            "orders": grouped["order_id"].nunique(),
            "customers": grouped["customer_id"].nunique(),
            "new_customers": frame[frame["is_new_line"]].groupby("period")["customer_id"].nunique(),
        })
    full = pd.period_range(out.index.min(), out.index.max(), freq=out.index.freq)
    out = out.reindex(full, fill_value=0).fillna(0)
    out["new_customers"] = out["new_customers"].astype("int64")
    out["revenue_per_customer"] = (out["revenue"] / out["customers"]).where(out["customers"] > 0)
    out.index = out.index.astype(str)
    out.index.name = "period"
    return out.reset_index()


def customer_totals(transactions: pd.DataFrame) -> pd.DataFrame:
    """Orders and revenue per customer, for distribution plots.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (``customer_id``, ``order_id``, ``amount``).

    Returns
    -------
    pandas.DataFrame
        One row per customer, sorted by ``customer_id``: ``orders`` (distinct order
        ids) and ``revenue`` (sum of amount, returns netted, in the case's currency).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["b", "a", "a"], "order_id": ["3", "1", "1"],
    ...                    "amount": [30.0, 10.0, 5.0]})  # a's order 1 has two lines
    >>> customer_totals(tx)
      customer_id  orders  revenue
    0           a       1     15.0
    1           b       1     30.0
    """
    if in_engine(transactions):  # an engine case: aggregated in the engine
        return transactions.customer_totals()
    grouped = transactions.groupby("customer_id", sort=True)
    return pd.DataFrame({
        "orders": grouped["order_id"].nunique(),
        "revenue": grouped["amount"].sum(),
    }).reset_index()


def quarantine_summary(quarantine: dict[str, pd.DataFrame], *, examples: int = 3) -> pd.DataFrame:
    """Quarantined rows per table and reason, with a few example values.

    Parameters
    ----------
    quarantine : dict of str to DataFrame
        As in :attr:`workbench.cases.LoadedCase.quarantine`.
    examples : int
        How many distinct offending values to show per reason.

    Returns
    -------
    pandas.DataFrame
        ``table``, ``reason`` (the code), ``rows``, ``examples``; sorted by table, then rows
        descending. :func:`workbench.quality.quarantine_advice` adds what to do, in the
        case's language.

    Examples
    --------
    >>> quarantine = {"transactions": pd.DataFrame({"reason": ["bad_date", "bad_date", "no_customer"],
    ...                                             "detail": ["2024-13-01", "yesterday", "row 7"]})}
    >>> quarantine_summary(quarantine, examples=2)
              table       reason  rows               examples
    0  transactions     bad_date     2  2024-13-01, yesterday
    1  transactions  no_customer     1                  row 7
    """
    rows = []
    for table, frame in sorted(quarantine.items()):
        for reason, group in frame.groupby("reason", sort=True):
            shown = group["detail"].dropna().astype(str).unique()[:examples]
            rows.append({"table": table, "reason": reason, "rows": len(group),
                         "examples": ", ".join(shown)})
    out = pd.DataFrame(rows, columns=["table", "reason", "rows", "examples"])
    return out.sort_values(["table", "rows", "reason"], ascending=[True, False, True],
                           kind="stable").reset_index(drop=True)


def survey_overview(survey: pd.DataFrame, *, id_columns=("respondent_id", "customer_id")) -> pd.DataFrame:
    """Per item: answers, missing, mean, SD, min, max (the usual descriptive table).

    Parameters
    ----------
    survey : pandas.DataFrame
        Respondents x items; id columns are skipped.
    id_columns : tuple of str

    Returns
    -------
    pandas.DataFrame
        ``item``, ``n``, ``missing``, ``mean``, ``sd`` (n-1), ``min``, ``max``.

    Examples
    --------
    >>> survey = pd.DataFrame({"respondent_id": [1, 2, 3], "q1": [4, 5, None], "q2": [1, 3, 5]})
    >>> survey_overview(survey).round(3)
      item  n  missing  mean     sd  min  max
    0   q1  2        1   4.5  0.707  4.0  5.0
    1   q2  3        0   3.0  2.000  1.0  5.0
    """
    items = survey.drop(columns=[c for c in id_columns if c in survey.columns])
    values = items.apply(pd.to_numeric, errors="coerce")
    return pd.DataFrame({
        "item": values.columns,
        "n": values.notna().sum().to_numpy(),
        "missing": values.isna().sum().to_numpy(),
        "mean": values.mean().to_numpy(),
        "sd": values.std(ddof=1).to_numpy(),
        "min": values.min().to_numpy(),
        "max": values.max().to_numpy(),
    })
