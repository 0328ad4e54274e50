"""Customer value seen by the firm: ABC/Pareto, RFM, value matrix, key accounts, ratios.

Every function takes tidy frames with the canonical column names (a customer-features
frame from :func:`workbench.features.customer_features`, the canonical customers or
transactions frames) and returns tidy frames with stable English column names and
category codes; :mod:`workbench.labels` translates them for reports.

Conventions
-----------
* Ties are broken by ``customer_id`` (ascending) after a stable sort, so the same input
  always gives the same ranks, classes and scores.
* No row is ever dropped silently: customers with zero or negative value stay in the
  output (flagged), and inputs that make a method undefined raise a ``ValueError`` that
  says what was wrong and what would be right.

Modules
-------
* :mod:`workbench.value.abc`: ABC (Pareto) classes, Lorenz curve, Gini, top shares.
* :mod:`workbench.value.rfm`: RFM quintile scores and segments, the eight RFM classes.
* :mod:`workbench.value.matrix`: the value matrix (current x potential value).
* :mod:`workbench.value.key_accounts`: key-account criteria, AHP and entropy weights.
* :mod:`workbench.value.ratios`: margin, turnover, cross and contribution ratios.

Every public name is importable from :mod:`workbench.value` itself.
"""

from __future__ import annotations

from workbench.value.abc import (
    ABC_CLASSES,
    abc_classes,
    abc_summary,
    gini,
    lorenz_curve,
    pareto_metrics,
    top_share,
)
from workbench.value.key_accounts import (
    KEY_ACCOUNT_AHP,
    KEY_ACCOUNT_CRITERIA,
    RANDOM_INDEX,
    AHPResult,
    KeyAccountScores,
    ahp_weights,
    entropy_weights,
    key_account_criteria,
    key_account_scores,
    minmax_normalise,
)
from workbench.value.matrix import (
    QUADRANT_STRATEGIES,
    QUADRANTS,
    ValueMatrix,
    clv_windows,
    value_basis,
    value_indicators,
    value_matrix,
    value_matrix_summary,
)
from workbench.value.ratios import (
    MISSING_KEY,
    account_analysis,
    customer_ratios,
    product_ratios,
)
from workbench.value.rfm import (
    EIGHT_CLASSES,
    RFM_ACTIONS,
    RFM_SEGMENT_GRID,
    RFM_SEGMENTS,
    EightClasses,
    rfm_eight_classes,
    rfm_scores,
    rfm_segment_summary,
)

__all__ = [
    "ABC_CLASSES",
    "EIGHT_CLASSES",
    "KEY_ACCOUNT_AHP",
    "KEY_ACCOUNT_CRITERIA",
    "MISSING_KEY",
    "QUADRANTS",
    "QUADRANT_STRATEGIES",
    "RANDOM_INDEX",
    "RFM_ACTIONS",
    "RFM_SEGMENTS",
    "RFM_SEGMENT_GRID",
    "AHPResult",
    "EightClasses",
    "KeyAccountScores",
    "ValueMatrix",
    "abc_classes",
    "abc_summary",
    "account_analysis",
    "ahp_weights",
    "clv_windows",
    "customer_ratios",
    "entropy_weights",
    "gini",
    "key_account_criteria",
    "key_account_scores",
    "lorenz_curve",
    "minmax_normalise",
    "pareto_metrics",
    "product_ratios",
    "rfm_eight_classes",
    "rfm_scores",
    "rfm_segment_summary",
    "top_share",
    "value_basis",
    "value_indicators",
    "value_matrix",
    "value_matrix_summary",
]
