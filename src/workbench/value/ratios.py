"""Gross margin, turnover, cross and contribution ratios per customer and product, and the account analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench._validation import _check_dataframe, _require_columns
from workbench.value._frames import _check_frame, _ids_order, _numeric

__all__ = [
    "MISSING_KEY",
    "account_analysis",
    "customer_ratios",
    "product_ratios",
]


# ----------------------------------------------------------------------------------
# ratios and the account analysis table
# ----------------------------------------------------------------------------------


#: The group of rows without a product (or customer) id in the ratio tables.
MISSING_KEY = "(missing)"


def _ratios(transactions: pd.DataFrame, key: str, stock: pd.DataFrame | None, where: str,
            year: int | None = None) -> pd.DataFrame:
    _check_dataframe(transactions, where)
    for col in (key, "amount"):
        if col not in transactions.columns:
            raise ValueError(f"{where}: transactions lack column {col!r}; columns present: "
                             f"{list(transactions.columns)}")
    if year is not None:
        if "date" not in transactions.columns:
            raise ValueError(f"{where}: year={year} needs a 'date' column in transactions")
        transactions = transactions[transactions["date"].dt.year == int(year)]
        if stock is not None:
            _require_columns(stock, ["year"], f"{where} (stock, year={year})")
            stock = stock.loc[stock["year"] == int(year)].drop(columns="year")
            if stock.empty:
                raise ValueError(f"{where}: the stock table has no rows for year {year}")
    amount = _numeric(transactions, "amount", where)
    if "gross_profit" in transactions.columns:
        profit = _numeric(transactions, "gross_profit", where, allow_nan=True)
    elif "cost" in transactions.columns:
        profit = amount - _numeric(transactions, "cost", where, allow_nan=True)
    else:
        profit = np.full_like(amount, np.nan)
    # rows without an id are a group of their own: their sales count in every share
    tx = pd.DataFrame({key: transactions[key].astype(object).where(transactions[key].notna(), MISSING_KEY)
                       .to_numpy(), "sales": amount, "gross_profit": profit})
    g = tx.groupby(key, sort=True)
    out = pd.DataFrame({"sales": g["sales"].sum(), "gross_profit": g["gross_profit"].sum(min_count=1)})
    # a group with any row lacking cost has unknown profit (min_count does not see NaN rows)
    unknown = tx["gross_profit"].isna().groupby(tx[key], sort=True).any()
    out.loc[unknown.to_numpy(), "gross_profit"] = np.nan
    out["cost"] = out["sales"] - out["gross_profit"]
    sales = out["sales"].to_numpy()
    out["gross_margin_rate"] = np.where(sales > 0, out["gross_profit"] / np.where(sales > 0, sales, 1), np.nan)
    total = sales[sales > 0].sum()
    out["sales_share"] = sales / total if total > 0 else np.nan
    if stock is not None:
        _require_columns(stock, [key, "opening_stock", "closing_stock"], where)
        s = stock.set_index(key)
        if s.index.duplicated().any():
            raise ValueError(f"{where}: stock has duplicated {key!r} values; expected one row each")
        avg = (s["opening_stock"].astype(float) + s["closing_stock"].astype(float)) / 2
        avg = avg.reindex(out.index)
        out["average_stock"] = avg
        out["turnover"] = np.where(avg > 0, out["sales"] / avg.where(avg > 0), np.nan)
    else:
        out["average_stock"] = np.nan
        out["turnover"] = np.nan
    out["cross_ratio"] = out["gross_margin_rate"] * out["turnover"]
    out["contribution_ratio"] = out["cross_ratio"] * out["sales_share"]
    return out.reset_index()


_RATIO_DOC = """

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions with ``amount`` and ``gross_profit`` or ``cost``.
    stock : pandas.DataFrame, optional
        ``{key}``, ``opening_stock``, ``closing_stock`` (at selling price, in the same
        currency as ``amount``) for the same period; with ``year``, also a ``year``
        column, one row per {key} and year.
    year : int, optional
        Restrict both to one calendar year: the transactions dated in it (``date``
        column) and the stock rows of that year, so turnover relates a year's sales to
        that year's stock.

    Returns
    -------
    pandas.DataFrame
        One row per {key} (sorted; rows without one form the group ``"(missing)"``, so
        no sales are dropped): ``sales`` (net of returns), ``gross_profit``,
        ``cost``, ``gross_margin_rate``, ``sales_share``, ``average_stock``, ``turnover``,
        ``cross_ratio``, ``contribution_ratio``. Without ``stock`` the last four are NaN.

    Notes
    -----
    gross margin rate = (sales - cost) / sales (NaN when sales <= 0);
    turnover = sales / ((opening + closing stock) / 2);
    cross ratio (交叉比率) = gross margin rate x turnover;
    contribution ratio (贡献比率) = cross ratio x sales share, with
    sales share = sales / total positive sales.

    References
    ----------
    The customer and product analysis ratios of Chinese CRM textbooks
    (客户分析: 商品毛利率, 商品周转率, 交叉比率, 贡献比率).
"""


def customer_ratios(transactions: pd.DataFrame, stock: pd.DataFrame | None = None, *,
                    year: int | None = None) -> pd.DataFrame:
    return _ratios(transactions, "customer_id", stock, "customer_ratios", year)


def product_ratios(transactions: pd.DataFrame, stock: pd.DataFrame | None = None, *,
                   year: int | None = None) -> pd.DataFrame:
    return _ratios(transactions, "product_id", stock, "product_ratios", year)


_RATIO_EXAMPLE = """
    Examples
    --------
    >>> tx = pd.DataFrame({{"customer_id": ["a", "a", "b"], "product_id": ["p", "q", "p"],
    ...                    "amount": [100.0, 50.0, 80.0], "cost": [60.0, 30.0, 50.0]}})
{lines}
"""
customer_ratios.__doc__ = "Gross margin, turnover, cross and contribution ratio per customer." + \
    _RATIO_DOC.format(key="customer_id") + _RATIO_EXAMPLE.format(lines="""\
    >>> customer_ratios(tx)[["customer_id", "sales", "gross_margin_rate", "sales_share"]].round(3)
      customer_id  sales  gross_margin_rate  sales_share
    0           a  150.0              0.400        0.652
    1           b   80.0              0.375        0.348""")
product_ratios.__doc__ = "Gross margin, turnover, cross and contribution ratio per product." + \
    _RATIO_DOC.format(key="product_id") + _RATIO_EXAMPLE.format(lines="""\
    >>> stock = pd.DataFrame({"product_id": ["p", "q"], "opening_stock": [40.0, 30.0],
    ...                       "closing_stock": [50.0, 20.0]})
    >>> product_ratios(tx, stock)[["product_id", "sales", "gross_margin_rate", "turnover", "cross_ratio"]].round(3)
      product_id  sales  gross_margin_rate  turnover  cross_ratio
    0          p  180.0              0.389       4.0        1.556
    1          q   50.0              0.400       2.0        0.800""")


def account_analysis(
    frame: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    by: str = "customer_type",
    value: str = "monetary_total",
) -> pd.DataFrame:
    """Account analysis table (客户分析表): sales by customer class with subtotals and shares.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer with ``customer_id`` and ``value``.
    customers : pandas.DataFrame, optional
        Supplies the ``by`` column when ``frame`` lacks it.
    by : str
        The class column (customer type: wholesale, retail, agent, ...).
    value : str
        The sales column.

    Returns
    -------
    pandas.DataFrame
        ``row_type`` ("customer", "subtotal", "total"), ``by``, ``customer_id`` (empty on
        subtotal and total rows), ``customers``, ``sales``, ``share_within_class``
        (sales / class subtotal) and ``share_of_total``. Classes in descending order of
        subtotal, customers within a class in descending order of sales (ties by id);
        each class ends with its subtotal row and the table with the total row. Sales
        in currency, shares 0-1.

    Notes
    -----
    ``share_within_class`` = sales_i / sales of the class; ``share_of_total`` =
    sales_i / total sales (net, negatives included).

    References
    ----------
    The account analysis table (客户分析表) of the Chinese CRM textbooks: customers
    classified by type, subtotals and totals, shares within class and of the total.
    Hand-worked in ``tests/test_value.py``.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "customer_type": ["retail", "wholesale", "retail"],
    ...                       "monetary_total": [300.0, 500.0, 200.0]})
    >>> account_analysis(frame)[["row_type", "customer_type", "customer_id", "sales", "share_of_total"]]
       row_type customer_type customer_id   sales  share_of_total
    0  customer        retail           a   300.0             0.3
    1  customer        retail           c   200.0             0.2
    2  subtotal        retail               500.0             0.5
    3  customer     wholesale           b   500.0             0.5
    4  subtotal     wholesale               500.0             0.5
    5     total                            1000.0             1.0
    """
    where = "account_analysis"
    _check_frame(frame, ["customer_id", value], where)
    _ids_order(frame, where)  # one row per customer
    data = frame[["customer_id", value] + ([by] if by in frame.columns else [])]
    if by not in data.columns:
        if customers is None or by not in customers.columns:
            raise ValueError(f"{where}: no column {by!r} in the frame; pass customers=... holding it")
        data = data.merge(customers[["customer_id", by]], on="customer_id", how="left", validate="one_to_one")
    n_missing = int(data[by].isna().sum())
    if n_missing:
        raise ValueError(f"{where}: {n_missing} customer(s) have no {by!r}; fill it (e.g. 'unknown') first")
    sales = _numeric(data, value, where)
    data = pd.DataFrame({by: data[by].astype(str).to_numpy(), "customer_id": data["customer_id"].astype(str).to_numpy(),
                         "sales": sales})
    total = sales.sum()
    sub = data.groupby(by, sort=True)["sales"].agg(["sum", "size"])
    sub = sub.sort_values("sum", ascending=False, kind="stable")
    pieces = []
    for cls, row in sub.iterrows():  # one iteration per class, not per customer
        part = data[data[by] == cls].sort_values(["sales", "customer_id"], ascending=[False, True], kind="stable")
        part = part.assign(row_type="customer", customers=1,
                           share_within_class=part["sales"] / row["sum"] if row["sum"] != 0 else np.nan)
        subtotal = pd.DataFrame({"row_type": ["subtotal"], by: [cls], "customer_id": [""],
                                 "customers": [int(row["size"])], "sales": [row["sum"]],
                                 "share_within_class": [1.0]})
        pieces += [part, subtotal]
    pieces.append(pd.DataFrame({"row_type": ["total"], by: [""], "customer_id": [""],
                                "customers": [len(data)], "sales": [total], "share_within_class": [np.nan]}))
    out = pd.concat(pieces, ignore_index=True)
    out["share_of_total"] = out["sales"] / total if total != 0 else np.nan
    return out[["row_type", by, "customer_id", "customers", "sales", "share_within_class", "share_of_total"]]
