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

``customers``: one row per customer, ``customer_id`` unique; optional descriptive
columns (``industry``, ``region``, ``size``, ``customer_type``, ``first_contact``,
``account_manager``, ``strategic_fit`` 1-5, ``industry_growth``, ``share_of_wallet``).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

__all__ = ["CUSTOMERS", "TRANSACTIONS", "validate_customers", "validate_transactions"]

TRANSACTIONS = pa.DataFrameSchema(
    {
        "customer_id": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
        "order_id": pa.Column(str, nullable=False, required=False),
        "date": pa.Column("datetime64[ns]", nullable=False),
        "amount": pa.Column(float, nullable=False),
        "quantity": pa.Column(float, nullable=True, required=False),
        "cost": pa.Column(float, nullable=True, required=False),
        "gross_profit": pa.Column(float, nullable=True, required=False),
        "product_id": pa.Column(str, nullable=True, required=False),
        "channel": pa.Column(str, nullable=True, required=False),
        "sales_expense": pa.Column(float, nullable=True, required=False),
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
        "size": pa.Column(float, nullable=True, required=False),
        "strategic_fit": pa.Column(
            float, pa.Check.in_range(1, 5), nullable=True, required=False
        ),
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
    """Validate (and coerce) a canonical customers frame; see :func:`validate_transactions`."""
    return CUSTOMERS.validate(frame, lazy=True)
