"""Migration between stages (or segments) from one analysis date to another."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.lifecycle.stages import STAGES

__all__ = [
    "Migration",
    "migration_matrix",
]


#: Row/column of a migration matrix for customers present at only one of the two dates.
NEW, ABSENT = "(new)", "(absent)"


# ======================================================================================
# migration
# ======================================================================================


@dataclass(frozen=True)
class Migration:
    """Transitions between two analysis dates; see :func:`migration_matrix`.

    Attributes
    ----------
    counts : DataFrame
        From class (rows, ``(new)`` last) x to class (columns, ``(absent)`` last):
        customers.
    shares : DataFrame
        Row shares of ``counts`` (0-1, each row sums to 1; the ``(new)`` row over new
        ones).
    movers : DataFrame
        ``customer_id``, ``from``, ``to`` and the value column: valuable customers who
        moved to a watched class (no rows when no value was asked about).

    Examples
    --------
    >>> before = pd.DataFrame({"customer_id": ["a", "b"], "stage": ["formation", "stability"]})
    >>> after = pd.DataFrame({"customer_id": ["a", "b"], "stage": ["stability", "stability"]})
    >>> m = migration_matrix(before, after)
    >>> sorted(m.tables())
    ['migration_counts', 'migration_movers', 'migration_shares']
    >>> float(m.shares.loc["formation", "stability"])
    1.0
    """

    counts: pd.DataFrame
    shares: pd.DataFrame
    movers: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The three parts as flat frames (index written as a column).

        Returns
        -------
        dict of str to pandas.DataFrame
            ``migration_counts`` and ``migration_shares`` (the ``from`` index as a
            column) and ``migration_movers``.
        """
        return {"migration_counts": self.counts.reset_index(),
                "migration_shares": self.shares.reset_index(),
                "migration_movers": self.movers}


def migration_matrix(
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    column: str = "stage",
    value_column: str | None = None,
    valuable: Iterable | None = None,
    to: Iterable = ("decline", "churned"),
    categories: Iterable | None = None,
) -> Migration:
    r"""Counts and row shares of class transitions between two dates, and who fell.

    Parameters
    ----------
    before, after : pandas.DataFrame
        One row per customer (``customer_id`` unique) with the class ``column``, as of
        the first and second analysis date (e.g. two :func:`lifecycle_stages` frames or
        two segment assignments).
    column : str, default "stage"
        The class column in both frames.
    value_column : str, optional
        A column of ``before`` holding a value class (e.g. ABC class or RFM segment,
        merged onto the stages); default ``column`` itself.
    valuable : iterable, optional
        Values of ``value_column`` that count as valuable. Default: formation and
        stability for stages; required when a ``value_column`` is given; for other
        classes without one (e.g. segments), ``movers`` is empty.
    to : iterable, default ("decline", "churned")
        Classes of ``after`` that count as a fall (``"(absent)"`` may be added).
    categories : iterable, optional
        Row/column order; default: :data:`STAGES` for stages, else the classes in
        natural order ("segment_2" before "segment_10").

    Returns
    -------
    Migration

    Raises
    ------
    ValueError
        Missing columns, duplicate customers, missing classes, or ``valuable`` not
        given for a value column other than the stage.

    Notes
    -----
    :math:`N_{ij}` = customers in class *i* at the first date and *j* at the second.
    Row *i* sums to the customers in class *i* at the first date (customers missing at
    the second date fall in ``(absent)``), so all class rows together sum to the
    customers present at the first date; customers first seen at the second date form
    the ``(new)`` row. Shares are :math:`N_{ij} / \sum_j N_{ij}` (NaN for an empty row).

    References
    ----------
    The row shares are the maximum-likelihood transition probabilities of a Markov-chain
    customer migration model (Pfeifer, P. E., & Carraway, R. L. (2000). Modeling
    customer relationships as Markov chains. Journal of Interactive Marketing, 14(2),
    43-55). Hand-worked and checked for row sums in ``tests/test_lifecycle.py``.

    Examples
    --------
    >>> before = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...                        "stage": ["formation", "stability", "exploration"]})
    >>> after = pd.DataFrame({"customer_id": ["a", "b", "d"],
    ...                       "stage": ["stability", "churned", "exploration"]})
    >>> m = migration_matrix(before, after)
    >>> int(m.counts.loc["stability", "churned"]), int(m.counts.loc["(new)", "exploration"])
    (1, 1)
    >>> m.movers
      customer_id       from       to
    0           b  stability  churned
    """
    for name, frame in (("before", before), ("after", after)):
        missing = [c for c in ("customer_id", column) if c not in frame.columns]
        if missing:
            raise ValueError(f"migration_matrix: '{name}' lacks columns {missing}; present: {list(frame.columns)}")
        dup = int(frame["customer_id"].duplicated().sum())
        if dup:
            raise ValueError(f"migration_matrix: '{name}' has {dup} duplicated customer_id values; "
                             "pass one row per customer")
        n_na = int(frame[column].isna().sum())
        if n_na:
            raise ValueError(f"migration_matrix: '{name}' has {n_na} missing values in '{column}'; "
                             "every customer needs a class")
    asked = value_column is not None
    value_column = column if value_column is None else value_column
    if value_column not in before.columns:
        raise ValueError(f"migration_matrix: value_column '{value_column}' is not a column of 'before'")
    if valuable is None:
        if asked and value_column != "stage":
            raise ValueError(f"migration_matrix: say which values of '{value_column}' are valuable, "
                             "e.g. valuable=['A']")
        valuable = ("formation", "stability") if value_column == "stage" else ()
    valuable, to = list(valuable), list(to)

    a = before[["customer_id", column]].astype({column: "object"})
    b = after[["customer_id", column]].astype({column: "object"})
    merged = a.merge(b, on="customer_id", how="outer", suffixes=("_from", "_to"), sort=True)
    src = merged[f"{column}_from"].fillna(NEW)
    dst = merged[f"{column}_to"].fillna(ABSENT)
    if categories is None:
        seen = sorted(set(a[column].astype(str)) | set(b[column].astype(str)), key=_natural)
        categories = list(STAGES) if set(seen) <= set(STAGES) and column == "stage" else seen
    categories = [str(c) for c in categories]
    unknown = sorted((set(src.astype(str)) | set(dst.astype(str))) - set(categories) - {NEW, ABSENT})
    if unknown:
        raise ValueError(f"migration_matrix: classes {unknown} are not in categories {categories}")
    counts = pd.crosstab(pd.Categorical(src.astype(str), categories=[*categories, NEW]),
                         pd.Categorical(dst.astype(str), categories=[*categories, ABSENT]),
                         dropna=False)
    counts = counts.reindex(index=[*categories, NEW], columns=[*categories, ABSENT], fill_value=0)
    counts.index.name, counts.columns.name = "from", "to"
    counts = counts.astype(np.int64)
    totals = counts.sum(axis=1)
    shares = counts.div(totals.where(totals > 0), axis=0)

    movers = before[["customer_id", column] + ([value_column] if value_column != column else [])]
    movers = movers.merge(after[["customer_id", column]], on="customer_id", how="left",
                          suffixes=("_from", "_to"))
    movers[f"{column}_to"] = movers[f"{column}_to"].astype("object").fillna(ABSENT)
    vc = value_column if value_column != column else f"{column}_from"
    fell = movers[vc].isin(valuable) & movers[f"{column}_to"].astype(str).isin([str(t) for t in to])
    movers = movers.loc[fell].rename(columns={f"{column}_from": "from", f"{column}_to": "to"})
    movers = movers.astype({"from": "str", "to": "str"}).sort_values("customer_id", kind="stable")
    return Migration(counts=counts, shares=shares, movers=movers.reset_index(drop=True))


def _natural(text: str) -> list:
    """Sort key reading digit runs as numbers: "segment_2" before "segment_10"."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", text)]
