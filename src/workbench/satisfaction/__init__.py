"""Satisfaction and loyalty: model specs, survey cleaning, measurement quality, the PLS
path model (ECSI/ACSI) with bootstrap, and the decision tables (index, IPMA, Jones &
Sasser matrix, non-linearity, NPS, valuable-but-dissatisfied customers).

Modules: :mod:`.spec` (YAML specs), :mod:`.measurement` (cleaning, reliability,
validity, CFA), :mod:`.pls` (PLS-PM and bootstrap), :mod:`.decisions`.
"""

from workbench.satisfaction.decisions import (
    IPMA_QUADRANTS,
    JONES_SASSER_CLASSES,
    NonlinearityResult,
    SatisfactionIndex,
    ipma,
    jones_sasser,
    loyalty_nonlinearity,
    net_promoter_score,
    satisfaction_by_segment,
    satisfaction_index,
    valuable_dissatisfied,
)
from workbench.satisfaction.measurement import (
    CFAResult,
    SurveyCleaning,
    cfa_fit,
    clean_survey,
    composite_reliability,
    cronbach_alpha,
    fornell_larcker,
    htmt_table,
    item_statistics,
    kmo_bartlett,
    reliability_table,
)
from workbench.satisfaction.pls import PLSBootstrap, PLSPathModel, htmt_matrix, pls_path_model
from workbench.satisfaction.spec import ModelSpec, SpecError, item_matrix, list_specs, load_spec

__all__ = [
    "CFAResult",
    "IPMA_QUADRANTS",
    "JONES_SASSER_CLASSES",
    "ModelSpec",
    "NonlinearityResult",
    "PLSBootstrap",
    "PLSPathModel",
    "SatisfactionIndex",
    "SpecError",
    "SurveyCleaning",
    "cfa_fit",
    "clean_survey",
    "composite_reliability",
    "cronbach_alpha",
    "fornell_larcker",
    "htmt_matrix",
    "htmt_table",
    "ipma",
    "item_matrix",
    "item_statistics",
    "jones_sasser",
    "kmo_bartlett",
    "list_specs",
    "load_spec",
    "loyalty_nonlinearity",
    "net_promoter_score",
    "pls_path_model",
    "reliability_table",
    "satisfaction_by_segment",
    "satisfaction_index",
    "valuable_dissatisfied",
]
