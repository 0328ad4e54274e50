"""The input/output diagnosis: what each yuan of sales expense brings back, by year and group."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.allocation.panel import check_panel, with_classes

__all__ = ["input_output", "ratio_by_year"]

_MONEY = ["sales_expense", "revenue", "gross_profit"]


def input_output(
    panel: pd.DataFrame,
    classes: pd.DataFrame | None = None,
    *,
    by: Sequence[str] = ("industry", "quadrant", "abc_class"),
) -> pd.DataFrame:
    """Input/output ratios (投入产出比) per year, overall and per group, with shares.

    Parameters
    ----------
    panel : pandas.DataFrame
        Customer-year panel (:func:`workbench.allocation.check_panel`): ``customer_id``,
        ``year``, ``sales_expense``, ``gross_profit``, optional ``revenue``.
    classes : pandas.DataFrame, optional
        One row per customer with ``customer_id`` and the ``by`` columns the panel lacks
        (value-matrix ``quadrant``, ``abc_class``...). A customer's class is the one
        given (as of the analysis date) in every year.
    by : sequence of str
        Group columns (dimensions), each analysed separately.

    Returns
    -------
    pandas.DataFrame
        One row per dimension, group and year: ``dimension`` (``overall`` or the
        column), ``group`` (``all`` for overall), ``year``, ``customers``,
        ``sales_expense``, ``revenue`` (missing without a revenue column),
        ``gross_profit``, ``gp_per_expense`` and ``revenue_per_expense`` (the ratios,
        missing when the group spent nothing), ``expense_share`` and ``gp_share``
        (the group's share of the year's total) and ``share_gap`` =
        ``gp_share - expense_share`` (positive: the group brings more profit than the
        expense it gets). Sorted by dimension (as given), group and year.

    Notes
    -----
    ratio_gy = sum_c gp_cy / sum_c E_cy over the customers c of group g in year y, a
    ratio of sums (the firm's view), not a mean of customer ratios. Spend that follows
    value has ``share_gap`` near 0 in every group.

    References
    ----------
    The input/output ratio of sales expense (销售费用投入产出比) as the thesis uses it
    (DOMAIN.md, "Sales resource allocation").

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"customer_id": ["C1", "C2", "C1", "C2"], "year": [2023, 2023, 2024, 2024],
    ...                       "sales_expense": [10.0, 10.0, 20.0, 20.0], "gross_profit": [90.0, 10.0, 100.0, 20.0],
    ...                       "industry": ["oem", "power", "oem", "power"]})
    >>> io = input_output(panel, by=["industry"])
    >>> io[["dimension", "group", "year", "gp_per_expense", "expense_share", "gp_share"]]
      dimension  group  year  gp_per_expense  expense_share  gp_share
    0   overall    all  2023             5.0            1.0  1.000000
    1   overall    all  2024             3.0            1.0  1.000000
    2  industry    oem  2023             9.0            0.5  0.900000
    3  industry    oem  2024             5.0            0.5  0.833333
    4  industry  power  2023             1.0            0.5  0.100000
    5  industry  power  2024             1.0            0.5  0.166667
    """
    by = list(by)
    frame = check_panel(panel)
    frame = with_classes(frame, classes, by)
    if "revenue" not in frame:
        frame = frame.assign(revenue=np.nan)
    totals = frame.groupby("year", sort=True)[_MONEY].sum(min_count=1)
    parts = [_grouped(frame.assign(_all="all"), "_all", totals).assign(dimension="overall")]
    for column in by:
        parts.append(_grouped(frame, column, totals).assign(dimension=column))
    out = pd.concat(parts, ignore_index=True)
    out["dimension"] = pd.Categorical(out["dimension"], categories=["overall", *by])
    out = out.sort_values(["dimension", "group", "year"], kind="stable").reset_index(drop=True)
    out["dimension"] = out["dimension"].astype(str)
    return out[["dimension", "group", "year", "customers", *_MONEY, "gp_per_expense",
                "revenue_per_expense", "expense_share", "gp_share", "share_gap"]]


def ratio_by_year(io: pd.DataFrame, *, value: str = "gp_per_expense") -> pd.DataFrame:
    """One ratio of :func:`input_output` per group and year, years across: the trend table.

    Parameters
    ----------
    io : pandas.DataFrame
        From :func:`input_output`.
    value : str, default "gp_per_expense"
        The column to spread (``revenue_per_expense``, a share, ...).

    Returns
    -------
    pandas.DataFrame
        ``dimension``, ``group`` and one column per year (named as the year, text), the
        groups in the order of ``io`` (the overall rows left out: they are the
        overall table).

    References
    ----------
    No external reference; the input/output ratio by year of the thesis' diagnosis
    (销售费用投入产出比), per group.

    Examples
    --------
    >>> io = pd.DataFrame({"year": [2023, 2024, 2023, 2024], "dimension": ["overall"] * 2 + ["industry"] * 2,
    ...                    "group": ["all", "all", "oem", "oem"], "gp_per_expense": [5.0, 4.0, 6.0, 4.5]})
    >>> ratio_by_year(io)
      dimension group  2023  2024
    0  industry   oem   6.0   4.5
    """
    if not {"year", "dimension", "group", value} <= set(io.columns):
        raise ValueError(f"ratio_by_year: io needs year, dimension, group and {value!r} "
                         "(the result of input_output)")
    groups = io[io["dimension"] != "overall"]
    wide = groups.pivot_table(index=["dimension", "group"], columns="year", values=value, sort=False)
    wide.columns = [str(year) for year in wide.columns]
    return wide.reset_index()


def _grouped(frame: pd.DataFrame, column: str, totals: pd.DataFrame) -> pd.DataFrame:
    grouped = frame.groupby([column, "year"], sort=True)
    out = grouped[_MONEY].sum(min_count=1)
    out["customers"] = grouped["customer_id"].nunique()
    out = out.reset_index().rename(columns={column: "group"})
    out["group"] = out["group"].astype(str)
    spend = out["sales_expense"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["gp_per_expense"] = np.where(spend > 0, out["gross_profit"] / np.where(spend > 0, spend, 1), np.nan)
        out["revenue_per_expense"] = np.where(spend > 0, out["revenue"] / np.where(spend > 0, spend, 1), np.nan)
    year_totals = totals.reindex(out["year"].to_numpy())
    out["expense_share"] = out["sales_expense"].to_numpy() / year_totals["sales_expense"].to_numpy()
    out["gp_share"] = out["gross_profit"].to_numpy() / year_totals["gross_profit"].to_numpy()
    out["share_gap"] = out["gp_share"] - out["expense_share"]
    return out
