"""One zh/en label table for figures and tables.

Reports switch between Chinese and English by the case's ``language`` without touching
analysis code: analysis modules produce stable English column names and category codes,
and notebooks and plots translate them here.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["LANGUAGES", "LABELS", "label", "translate_columns"]

LANGUAGES = ("zh", "en")

#: key -> {"zh": ..., "en": ...}. Each module adds its keys in its own block.
LABELS: dict[str, dict[str, str]] = {
    # --- canonical columns -------------------------------------------------------
    "customer_id": {"zh": "客户编号", "en": "Customer ID"},
    "order_id": {"zh": "订单编号", "en": "Order ID"},
    "date": {"zh": "日期", "en": "Date"},
    "amount": {"zh": "销售额", "en": "Revenue"},
    "quantity": {"zh": "数量", "en": "Quantity"},
    "cost": {"zh": "成本", "en": "Cost"},
    "gross_profit": {"zh": "毛利", "en": "Gross profit"},
    "sales_expense": {"zh": "销售费用", "en": "Sales expense"},
    "industry": {"zh": "行业", "en": "Industry"},
    "region": {"zh": "地区", "en": "Region"},
    "size": {"zh": "客户规模", "en": "Customer size"},
    "customer_type": {"zh": "客户类型", "en": "Customer type"},
    "account_manager": {"zh": "客户经理", "en": "Account manager"},
    "first_contact": {"zh": "首次接触日期", "en": "First contact"},
    # --- data overview (00) ------------------------------------------------------
    "period": {"zh": "期间", "en": "Period"},
    "revenue": {"zh": "销售额", "en": "Revenue"},
    "customers": {"zh": "客户数", "en": "Customers"},
    "orders": {"zh": "订单数", "en": "Orders"},
    "new_customers": {"zh": "新客户数", "en": "New customers"},
    "reason": {"zh": "原因", "en": "Reason"},
    "rows": {"zh": "行数", "en": "Rows"},
    "order_value": {"zh": "订单金额", "en": "Order value"},
    "orders_per_customer": {"zh": "每客户订单数", "en": "Orders per customer"},
    "count": {"zh": "计数", "en": "Count"},
    "share": {"zh": "占比", "en": "Share"},
    "mean": {"zh": "均值", "en": "Mean"},
}


def label(key: str, lang: str = "en") -> str:
    """The display label of ``key`` in ``lang``; unknown keys are returned unchanged.

    Parameters
    ----------
    key : str
        A column name or category code produced by the analysis modules.
    lang : {"zh", "en"}
        Report language.

    Returns
    -------
    str
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not supported; use one of {LANGUAGES}")
    entry = LABELS.get(key)
    return entry[lang] if entry else key


def translate_columns(frame: pd.DataFrame, lang: str, keep: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of ``frame`` with its column names (and index name) translated.

    Parameters
    ----------
    frame : pandas.DataFrame
    lang : {"zh", "en"}
    keep : iterable of str
        Columns whose names stay as they are.

    Returns
    -------
    pandas.DataFrame
    """
    keep = set(keep)
    out = frame.rename(columns={c: c if c in keep else label(str(c), lang) for c in frame.columns})
    if out.index.name is not None:
        out.index.name = label(str(out.index.name), lang)
    return out
