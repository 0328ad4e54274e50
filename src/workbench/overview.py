"""Descriptive tables for a data overview: activity per period, quarantine, surveys."""

from __future__ import annotations

import pandas as pd

from workbench.features import in_engine

__all__ = ["customer_totals", "period_summary", "quarantine_summary", "survey_overview"]


def period_summary(transactions: pd.DataFrame, granularity: str = "M") -> pd.DataFrame:
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
    """
    if in_engine(transactions):  # an engine case: aggregated in the engine
        return transactions.customer_totals()
    grouped = transactions.groupby("customer_id", sort=True)
    return pd.DataFrame({
        "orders": grouped["order_id"].nunique(),
        "revenue": grouped["amount"].sum(),
    }).reset_index()


def quarantine_summary(quarantine: dict[str, pd.DataFrame], examples: int = 3,
                       lang: str | None = None) -> pd.DataFrame:
    """Quarantined rows per table and reason, with a few example values.

    Parameters
    ----------
    quarantine : dict of str to DataFrame
        As in :attr:`workbench.cases.LoadedCase.quarantine`.
    examples : int
        How many distinct offending values to show per reason.
    lang : {"en", "zh"}, optional
        When given, a ``next_step`` column says what to do, in that language
        (:func:`workbench.quality.next_step`).

    Returns
    -------
    pandas.DataFrame
        ``table``, ``reason``, ``rows``, ``examples`` (sorted by table, then rows desc),
        and ``next_step`` when ``lang`` is given.
    """
    from workbench.quality import next_step

    rows = []
    for table, frame in sorted(quarantine.items()):
        for reason, group in frame.groupby("reason", sort=True):
            shown = group["detail"].dropna().astype(str).unique()[:examples]
            row = {"table": table, "reason": reason, "rows": len(group),
                   "examples": ", ".join(shown)}
            if lang is not None:
                row["next_step"] = next_step(reason, lang, group["detail"].dropna().astype(str)[:20])
            rows.append(row)
    columns = ["table", "reason", "rows", "examples"] + (["next_step"] if lang is not None else [])
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["table", "rows", "reason"], ascending=[True, False, True],
                           kind="stable").reset_index(drop=True)


def survey_overview(survey: pd.DataFrame, id_columns=("respondent_id", "customer_id")) -> pd.DataFrame:
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
