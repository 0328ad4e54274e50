"""Churn reasons in the lecture's three groups beside its reference shares (domain knowledge)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "CHURN_GROUPS",
    "CHURN_REASON_GROUPS",
    "CHURN_REASON_SHARES",
    "ChurnReasons",
    "churn_reasons",
]


#: Churn reasons and their shares in the lecture's table, grouped as the lecture does.
CHURN_REASON_SHARES = {
    "moved": 0.01,
    "lost_contact": 0.03,
    "price": 0.09,
    "complaint_unresolved": 0.10,
    "poor_communication": 0.68,
    "competitor": 0.04,
    "peer_influence": 0.05,
}
CHURN_REASON_GROUPS = {
    "moved": "customer_side",
    "lost_contact": "customer_side",
    "price": "firm_side",
    "complaint_unresolved": "firm_side",
    "poor_communication": "firm_side",
    "competitor": "third_party",
    "peer_influence": "third_party",
}

#: The lecture's three groups of churn reasons, plus the row for reasons it does not know.
CHURN_GROUPS = ("customer_side", "firm_side", "third_party", "unmapped")


# ======================================================================================
# churn reasons
# ======================================================================================


@dataclass(frozen=True)
class ChurnReasons:
    """Churn reasons beside the lecture's reference shares; see :func:`churn_reasons`.

    Attributes
    ----------
    reasons : DataFrame
        ``group``, ``reason``, ``customers``, ``share``, ``reference_share``.
    groups : DataFrame
        ``group``, ``customers``, ``share``, ``reference_share``.
    n_missing : int
        Customers without a reason (not churned, or the reason was not recorded).

    Examples
    --------
    >>> r = churn_reasons(pd.DataFrame({"churn_reason": ["price", "price", "moved", None]}))
    >>> sorted(r.tables())
    ['churn_reason_groups', 'churn_reasons']
    >>> r.reasons.loc[r.reasons["customers"] > 0, ["reason", "customers", "share"]].round(3)
      reason  customers  share
    0  moved          1  0.333
    2  price          2  0.667
    """

    reasons: pd.DataFrame
    groups: pd.DataFrame
    n_missing: int

    def tables(self) -> dict[str, pd.DataFrame]:
        """The reason and group tables, by name.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``churn_reasons`` and ``churn_reason_groups``.
        """
        return {"churn_reasons": self.reasons, "churn_reason_groups": self.groups}


def churn_reasons(
    customers: pd.DataFrame,
    *,
    reason_col: str = "churn_reason",
    mapping: Mapping[str, str] | None = None,
    reference: Mapping[str, float] | None = None,
) -> ChurnReasons:
    """Tabulate churn reasons in the lecture's three groups beside its reference shares.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer; ``reason_col`` holds the reason of churned customers and
        is missing for the others.
    reason_col : str, default "churn_reason"
    mapping : mapping of str to str, optional
        Reason -> group (one of ``customer_side``, ``firm_side``, ``third_party``).
        Default :data:`CHURN_REASON_GROUPS` (codes ``moved``,
        ``lost_contact``, ``price``, ``complaint_unresolved``, ``poor_communication``,
        ``competitor``, ``peer_influence``); pass your own for your own reason texts.
    reference : mapping of str to float, optional
        Reason -> reference share; default the lecture's
        (:data:`CHURN_REASON_SHARES`).

    Returns
    -------
    ChurnReasons
        Every mapped reason appears (0 customers if unseen); each reason not in
        ``mapping`` gets its own row in group ``unmapped`` (nothing is dropped).
        Shares are over customers with a reason.

    Notes
    -----
    The reference shares of the teaching material (after the classic survey of why
    customers leave): the customer's own reasons 1 % (moved) and 3 % (lost contact);
    the firm's: price 9 %, complaints not handled 10 %, poor communication or
    indifference 68 %; third parties: competitors 4 %, people around the customer 5 %.
    ``share`` = customers with the reason / customers with any reason (0-1).

    References
    ----------
    No published source is verified: the reference shares are the teaching material's
    table (:data:`CHURN_REASON_SHARES`), a variant of the widely
    quoted "68 % leave because of indifference" figures. Tabulation checked in
    ``tests/test_lifecycle.py``.

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": list("abcdefg"),
    ...                           "churn_reason": ["price", "price", "poor_communication", "competitor",
    ...                                            "bankrupt", None, "moved"]})
    >>> r = churn_reasons(customers)  # 'bankrupt' is no lecture reason: its own row, group unmapped
    >>> r.groups[["group", "customers", "reference_share"]]
               group  customers  reference_share
    0  customer_side          1             0.04
    1      firm_side          3             0.87
    2    third_party          1             0.09
    3       unmapped          1              NaN
    >>> r.n_missing
    1
    """
    if reason_col not in customers.columns:
        raise ValueError(f"churn_reasons: column '{reason_col}' is missing; present: {list(customers.columns)}. "
                         "Pass reason_col=<your column>")
    mapping = dict(CHURN_REASON_GROUPS if mapping is None else mapping)
    bad = sorted({g for g in mapping.values() if g not in CHURN_GROUPS[:3]})
    if bad:
        raise ValueError(f"churn_reasons: mapping uses unknown groups {bad}; use {list(CHURN_GROUPS[:3])}")
    reference = dict(CHURN_REASON_SHARES if reference is None else reference)
    raw = customers[reason_col]
    n_missing = int(raw.isna().sum())
    given = raw[raw.notna()].astype(str).str.strip()
    counts = given.value_counts()
    known = list(mapping)
    unmapped = sorted(set(counts.index) - set(known))
    total = int(counts.sum())
    rows = pd.DataFrame({
        "group": [mapping[r] for r in known] + ["unmapped"] * len(unmapped),
        "reason": known + unmapped,
    })
    rows["customers"] = rows["reason"].map(counts).fillna(0).astype(np.int64)
    rows["share"] = rows["customers"] / total if total else np.nan
    rows["reference_share"] = rows["reason"].map(reference).astype(float)
    order = {g: i for i, g in enumerate(CHURN_GROUPS)}
    rows = rows.sort_values("group", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    groups = rows.groupby("group", sort=False).agg(customers=("customers", "sum"),
                                                   reference_share=("reference_share", lambda s: s.sum(min_count=1)))
    groups = groups.reindex([g for g in CHURN_GROUPS if g in groups.index or g != "unmapped"])
    groups["customers"] = groups["customers"].fillna(0).astype(np.int64)
    groups.insert(1, "share", groups["customers"] / total if total else np.nan)
    return ChurnReasons(reasons=rows, groups=groups.reset_index(), n_missing=n_missing)
