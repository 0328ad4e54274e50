"""The customer lifecycle: stages, migration, cohorts, survival, churn and its reasons.

* :func:`lifecycle_stages` puts every customer in one of the textbook's stages as of an
  analysis date (考察期 exploration, 形成期 formation, 稳定期 stability, 退化期 decline,
  流失 churned) from tenure, active periods, the trend of per-period spend and recency
  against a churn horizon; :func:`stage_rules` is the rule table a report shows and
  :func:`stage_value_curve` the value by stage.
* :func:`migration_matrix`: stage (or segment) transitions between two analysis dates,
  and the valuable customers who moved to decline or churn.
* :func:`cohort_table` and :func:`churn_rates`: acquisition cohorts x periods since,
  retention and revenue retention; churn rate per period.
* :func:`survival_curves`: Kaplan-Meier curves (statsmodels ``SurvfuncRight``) by
  segment, with median survival.
* :func:`churn_reasons`: reasons mapped onto the lecture's three groups beside its
  reference shares.
All functions take canonical transactions (see :mod:`workbench.schema`) or the frames
the others return, and return tidy frames or small frozen dataclasses.

Modules
-------
* :mod:`workbench.lifecycle.stages`: stages, their rules, value curve, agreement with a truth.
* :mod:`workbench.lifecycle.migration`: stage transitions between two dates.
* :mod:`workbench.lifecycle.cohorts`: acquisition cohorts.
* :mod:`workbench.lifecycle.survival`: churn rates and Kaplan-Meier curves.
* :mod:`workbench.lifecycle.reasons`: the lecture's churn-reason table and the tabulation.

Retention economics (:func:`workbench.clv.retention_inputs`,
:func:`workbench.clv.retention_economics`, :func:`workbench.clv.retention_scenarios`)
live with the CLV code; they are importable from here too, for the notebooks.
"""

from __future__ import annotations

# retention economics moved to workbench.clv (issue 10); the notebooks still import them
# from here, so they stay importable without being part of this package's names
from workbench.clv import RetentionScenarios as RetentionScenarios
from workbench.clv import retention_economics as retention_economics
from workbench.clv import retention_inputs as retention_inputs
from workbench.clv import retention_scenarios as retention_scenarios
from workbench.lifecycle.cohorts import (
    CohortTable,
    cohort_table,
)
from workbench.lifecycle.migration import (
    ABSENT,
    NEW,
    Migration,
    migration_matrix,
)
from workbench.lifecycle.reasons import (
    CHURN_GROUPS,
    CHURN_REASON_GROUPS,
    CHURN_REASON_SHARES,
    ChurnReasons,
    churn_reasons,
)
from workbench.lifecycle.stages import (
    NCOMPANY_SEGMENT_STAGES,
    STAGES,
    inter_purchase_horizon,
    lifecycle_stages,
    stage_rules,
    stage_value_curve,
    stages_against_truth,
    value_curve_shape,
)
from workbench.lifecycle.survival import (
    SurvivalCurves,
    churn_rates,
    survival_curves,
)

__all__ = [
    "ABSENT",
    "CHURN_GROUPS",
    "CHURN_REASON_GROUPS",
    "CHURN_REASON_SHARES",
    "NCOMPANY_SEGMENT_STAGES",
    "STAGES",
    "ChurnReasons",
    "CohortTable",
    "Migration",
    "NEW",
    "SurvivalCurves",
    "churn_rates",
    "churn_reasons",
    "cohort_table",
    "inter_purchase_horizon",
    "lifecycle_stages",
    "migration_matrix",
    "stage_rules",
    "stage_value_curve",
    "survival_curves",
    "stages_against_truth",
    "value_curve_shape",
]
