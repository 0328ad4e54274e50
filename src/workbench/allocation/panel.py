"""The customer-year panel every allocation step reads, checked at the boundary."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench._validation import _require_columns

__all__ = ["PANEL_COLUMNS", "UNCLASSIFIED", "check_panel", "with_classes"]

#: Required columns of the panel: one row per customer and year (the N company's
#: ``sales_expense`` table). Money in the case's currency.
PANEL_COLUMNS = ("customer_id", "year", "sales_expense", "gross_profit")

#: The group of a panel customer absent from the classes frame (never dropped).
UNCLASSIFIED = "unclassified"


def _examples(frame: pd.DataFrame, mask: np.ndarray, column: str, k: int = 3) -> str:
    rows = frame.loc[mask, ["customer_id", "year", column]].head(k)
    return ", ".join(f"{r.customer_id} {r.year}: {getattr(r, column)!r}" for r in rows.itertuples())


def check_panel(panel: pd.DataFrame, *, columns: Sequence[str] = (), where: str = "panel") -> pd.DataFrame:
    """Check the customer-year panel and return it sorted by customer and year.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per customer and year: ``customer_id`` (str), ``year`` (int),
        ``sales_expense`` and ``gross_profit`` (currency per customer-year); optional
        ``revenue`` and group columns.
    columns : sequence of str
        Further columns that must be present without missing values (e.g. ``industry``).
    where : str
        How messages name the frame.

    Returns
    -------
    pandas.DataFrame
        A copy sorted by ``customer_id`` and ``year`` (stable), ``year`` as int64 and the
        money columns as float64.

    Raises
    ------
    ValueError
        A missing column, a repeated (customer, year), a year or amount that is not a
        number, a missing value, or a negative sales expense; the message counts the
        rows and shows examples. Zero expense is allowed (the response fit leaves such
        rows out with a reason, see :func:`workbench.allocation.estimate_response`).

    Examples
    --------
    >>> import pandas as pd
    >>> check_panel(pd.DataFrame({"customer_id": ["C2", "C1"], "year": [2024, 2024],
    ...                           "sales_expense": [10, 20], "gross_profit": [50, 70]}))
      customer_id  year  sales_expense  gross_profit
    1          C1  2024           20.0          70.0
    0          C2  2024           10.0          50.0
    """
    needed = [*PANEL_COLUMNS, *[c for c in columns if c not in PANEL_COLUMNS]]
    _require_columns(panel, needed, where, "the panel has one row per customer and year (e.g. the N "
                     "company's sales_expense table)")
    out = panel.copy()
    n = len(out)
    for column in needed:
        if out[column].isna().any():
            mask = out[column].isna().to_numpy()
            raise ValueError(f"{where}: column '{column}': {int(mask.sum()):,} of {n:,} rows are missing, "
                             f"e.g. {_examples(out, mask, 'customer_id')}; fill them (0 where no "
                             "expense was spent) or remove the rows")
    for column in ("year", "sales_expense", "gross_profit", *(["revenue"] if "revenue" in out else [])):
        values = pd.to_numeric(out[column], errors="coerce")
        bad = (values.isna() & out[column].notna()).to_numpy() | ~np.isfinite(values.fillna(0).to_numpy())
        if bad.any():
            raise ValueError(f"{where}: column '{column}': {int(bad.sum()):,} of {n:,} values are not "
                             f"finite numbers, e.g. {_examples(out, bad, column)}")
        out[column] = values.astype(np.float64)
    year = out["year"].to_numpy()
    if (year != np.round(year)).any():
        raise ValueError(f"{where}: column 'year' must hold whole years, e.g. 2024")
    out["year"] = year.astype(np.int64)
    out["customer_id"] = out["customer_id"].astype(str)
    negative = (out["sales_expense"] < 0).to_numpy()
    if negative.any():
        raise ValueError(f"{where}: column 'sales_expense': {int(negative.sum()):,} of {n:,} rows are "
                         f"negative, e.g. {_examples(out, negative, 'sales_expense')}; sales expense "
                         "cannot be below 0: correct these rows (a reversal belongs to the year it "
                         "reverses) or remove them")
    dup = out.duplicated(["customer_id", "year"], keep=False).to_numpy()
    if dup.any():
        raise ValueError(f"{where}: {int(dup.sum()):,} rows repeat a (customer_id, year), e.g. "
                         f"{_examples(out, dup, 'sales_expense')}; sum them into one row per customer "
                         "and year")
    return out.sort_values(["customer_id", "year"], kind="stable")


def with_classes(panel: pd.DataFrame, classes: pd.DataFrame | None, columns: Sequence[str]) -> pd.DataFrame:
    """The panel with each customer's class columns joined (``unclassified`` if absent).

    Parameters
    ----------
    panel : pandas.DataFrame
        The checked panel (:func:`check_panel`).
    classes : pandas.DataFrame or None
        One row per customer: ``customer_id`` and class columns (``quadrant``,
        ``abc_class``, ``industry``...). A column the panel has already is kept from
        the panel.
    columns : sequence of str
        The class columns wanted.

    Returns
    -------
    pandas.DataFrame
        The panel with ``columns`` as text; a panel customer missing from ``classes``
        gets :data:`UNCLASSIFIED`, so no row is dropped.

    Raises
    ------
    ValueError
        ``classes`` lacks ``customer_id`` or a wanted column the panel lacks too, or
        repeats a customer.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "year": 2024,
    ...                       "sales_expense": [10.0, 20.0, 30.0], "gross_profit": [5.0, 8.0, 9.0]})
    >>> classes = pd.DataFrame({"customer_id": ["C1", "C2"], "quadrant": ["key", "develop"]})
    >>> with_classes(panel, classes, ["quadrant"])[["customer_id", "quadrant"]]  # C3 is not dropped
      customer_id      quadrant
    0          C1           key
    1          C2       develop
    2          C3  unclassified
    """
    wanted = [c for c in columns if c not in panel.columns]
    if not wanted:
        return panel
    if classes is None:
        raise ValueError(f"column(s) {wanted} are in neither the panel nor a classes frame; "
                         "pass classes with customer_id and those columns")
    missing = [c for c in ["customer_id", *wanted] if c not in classes.columns]
    if missing:
        raise ValueError(f"classes: missing column(s) {missing}; columns present: {list(classes.columns)}")
    if classes["customer_id"].duplicated().any():
        raise ValueError("classes: customer_id repeats; give one row per customer")
    table = classes[["customer_id", *wanted]].astype({"customer_id": str})
    out = panel.merge(table, on="customer_id", how="left", validate="many_to_one")
    for column in wanted:
        out[column] = out[column].astype(object).where(out[column].notna(), UNCLASSIFIED).astype(str)
    return out
