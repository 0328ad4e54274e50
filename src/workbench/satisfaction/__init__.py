"""Satisfaction and loyalty: model specs, survey cleaning, measurement quality, the PLS
path model (ECSI/ACSI) with bootstrap, and the decision tables (index, IPMA, Jones &
Sasser matrix, non-linearity, NPS, valuable-but-dissatisfied customers)."""

from workbench.satisfaction.pls import PLSBootstrap, PLSPathModel, htmt_matrix, pls_path_model
from workbench.satisfaction.spec import ModelSpec, SpecError, item_matrix, list_specs, load_spec

__all__ = [
    "ModelSpec",
    "PLSBootstrap",
    "PLSPathModel",
    "SpecError",
    "htmt_matrix",
    "item_matrix",
    "list_specs",
    "load_spec",
    "pls_path_model",
]
