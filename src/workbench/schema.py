"""The canonical tables as pandera schemas, checked whenever a table is produced.

``transactions``: one row per purchase line.

==================  =============  ===================================================
column              type           meaning
==================  =============  ===================================================
customer_id         str            the customer's key, never empty
order_id            str            order key (the input row number when absent)
date                datetime64     purchase date (and time when known)
amount              float          revenue in the case's currency; < 0 is a return
quantity            float, opt.    units
cost                float, opt.    cost of goods sold
gross_profit        float, opt.    amount - cost (derived when only cost is given)
product_id          str, opt.
channel             str, opt.
sales_expense       float, opt.    sales expense attributed to the line
is_return           bool           amount < 0
is_outlier          bool           amount beyond the far-out fence (kept, flagged)
==================  =============  ===================================================

Amounts, quantities, costs, profits and sales expenses are finite (never inf).

``customers``: one row per customer, ``customer_id`` unique; optional descriptive
columns (``industry``, ``region``, ``size``, ``customer_type``, ``first_contact``,
``account_manager``, ``strategic_fit``, ``industry_growth``, ``share_of_wallet``). The
numeric ones are finite and lie in :data:`CUSTOMER_RANGES`:

===============  ==========  ==========================================================
column           range       meaning
===============  ==========  ==========================================================
size             >= 0        the customer's size, e.g. employees
strategic_fit    1 to 5      the account manager's rating on a 5-point scale
share_of_wallet  0 to 1      our share of the customer's spending in the category, a
                             fraction (0.48, not 48 %)
industry_growth  any         growth rate of the customer's industry, a fraction per year
===============  ==========  ==========================================================

:mod:`workbench.cleaning` quarantines rows outside these ranges before the schemas run,
so a failed schema check means a bug in the cleaning, not bad input.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

with warnings.catch_warnings():
    # pandera probes for pyspark when it is installed (the spark extra), and pyspark warns
    # about pandas 3 on import; the probe uses nothing of pyspark's pandas API, and the
    # warning would otherwise show in every report and command
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    import pandera.pandas as pa

__all__ = [
    "CUSTOMERS",
    "CUSTOMER_RANGES",
    "OPPORTUNITIES",
    "TRANSACTIONS",
    "validate_customers",
    "validate_opportunities",
    "validate_transactions",
]

#: Valid range of each numeric customers column, inclusive; ``None`` is an open end.
CUSTOMER_RANGES: dict[str, tuple[float | None, float | None]] = {
    "size": (0, None),
    "strategic_fit": (1, 5),
    "share_of_wallet": (0, 1),
    "industry_growth": (None, None),
}


def _finite() -> pa.Check:
    # missing values are allowed where the column is nullable; pandera skips them
    return pa.Check(np.isfinite, name="finite", error="must be finite, not inf")


def _in_range(column: str) -> list[pa.Check]:
    low, high = CUSTOMER_RANGES[column]
    checks = [_finite()]
    if low is not None:
        checks.append(pa.Check.ge(low))
    if high is not None:
        checks.append(pa.Check.le(high))
    return checks


TRANSACTIONS = pa.DataFrameSchema(
    {
        "customer_id": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
        "order_id": pa.Column(str, nullable=False, required=False),
        "date": pa.Column("datetime64[ns]", nullable=False),
        "amount": pa.Column(float, _finite(), nullable=False),
        "quantity": pa.Column(float, _finite(), nullable=True, required=False),
        "cost": pa.Column(float, _finite(), nullable=True, required=False),
        "gross_profit": pa.Column(float, _finite(), nullable=True, required=False),
        "product_id": pa.Column(str, nullable=True, required=False),
        "channel": pa.Column(str, nullable=True, required=False),
        "sales_expense": pa.Column(float, _finite(), nullable=True, required=False),
        "is_return": pa.Column(bool, nullable=False, required=False),
        "is_outlier": pa.Column(bool, nullable=False, required=False),
    },
    strict=False,
    coerce=True,
    name="transactions",
)

CUSTOMERS = pa.DataFrameSchema(
    {
        "customer_id": pa.Column(str, pa.Check.str_length(min_value=1), unique=True),
        "first_contact": pa.Column("datetime64[ns]", nullable=True, required=False),
        **{column: pa.Column(float, _in_range(column), nullable=True, required=False)
           for column in CUSTOMER_RANGES},
    },
    strict=False,
    coerce=True,
    name="customers",
)


def validate_transactions(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate (and coerce) a canonical transactions frame; raise with every failure.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        The validated frame with canonical dtypes.

    Raises
    ------
    pandera.errors.SchemaErrors
        Listing each failing column, check and example values.
    """
    return TRANSACTIONS.validate(frame, lazy=True)


def validate_customers(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate (and coerce) a canonical customers frame; raise with every failure.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer; ``customer_id`` required and unique, numeric columns
        within :data:`CUSTOMER_RANGES`.

    Returns
    -------
    pandas.DataFrame
        The validated frame with canonical dtypes (``first_contact`` datetime64[ns],
        ``size``, ``strategic_fit``, ``share_of_wallet``, ``industry_growth`` float).

    Raises
    ------
    pandera.errors.SchemaErrors
        Listing each failing column, check and example values.
    """
    return CUSTOMERS.validate(frame, lazy=True)


# --- opportunities (issue 15) ------------------------------------------------------------
#: The opportunities table: one row per stage an opportunity entered (a CRM's stage
#: history). ``opportunity_id``, ``stage``, ``stage_date`` and ``created`` are never
#: missing; money is finite and >= 0; MAN answers lie in 0-5 (0/1 yes-no or 1-5 ratings).
OPPORTUNITIES = pa.DataFrameSchema(
    {
        "opportunity_id": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
        "stage": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
        "stage_date": pa.Column("datetime64[ns]", nullable=False),
        "created": pa.Column("datetime64[ns]", nullable=False),
        "customer_id": pa.Column(str, nullable=True, required=False),
        "expected_value": pa.Column(float, [_finite(), pa.Check.ge(0)], nullable=True, required=False),
        "sales_expense": pa.Column(float, [_finite(), pa.Check.ge(0)], nullable=True, required=False),
        **{column: pa.Column(float, [pa.Check.ge(0), pa.Check.le(5)], nullable=True, required=False)
           for column in ("money", "authority", "need")},
        **{column: pa.Column(str, nullable=True, required=False)
           for column in ("owner", "industry", "channel", "lost_reason")},
    },
    strict=False,
    coerce=True,
    name="opportunities",
)


def validate_opportunities(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate (and coerce) a canonical opportunities frame; raise with every failure.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per stage an opportunity entered (:data:`OPPORTUNITIES`).

    Returns
    -------
    pandas.DataFrame
        The validated frame with canonical dtypes.

    Raises
    ------
    pandera.errors.SchemaErrors
        Listing each failing column, check and example values.
    """
    return OPPORTUNITIES.validate(frame, lazy=True)
