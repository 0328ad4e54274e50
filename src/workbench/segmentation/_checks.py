"""Checks and tokens shared by the segmentation modules (not part of the public API)."""

from __future__ import annotations

import numpy as np
import pandas as pd

OVERALL = "overall"
NEW, ABSENT = "(new)", "(absent)"  # migration tokens shared with workbench.lifecycle
SKEW_LIMIT = 1.0  # |sample skewness| above this counts as skewed


def check_frame(features, where: str) -> None:
    """Raise unless ``features`` is a non-empty DataFrame with unique ``customer_id``."""
    if not isinstance(features, pd.DataFrame):
        raise TypeError(f"{where}: features must be a pandas DataFrame (one row per customer), "
                        f"got {type(features).__name__}")
    if len(features) == 0:
        raise ValueError(f"{where}: features has no rows; segmentation needs customers")
    if "customer_id" in features.columns:
        dup = features["customer_id"].duplicated()
        if dup.any():
            raise ValueError(
                f"{where}: column 'customer_id' has {int(dup.sum()):,} duplicated value(s), e.g. "
                f"{features.loc[dup, 'customer_id'].iloc[0]!r}; features must have one row per customer"
            )


def numeric_column(features: pd.DataFrame, col: str, where: str) -> np.ndarray:
    """Column ``col`` as finite-or-NaN float64; non-numeric dtypes and infinities raise."""
    series = features[col]
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise TypeError(f"{where}: column {col!r} has dtype {series.dtype}; only numeric columns "
                        "can be clustered (encode categories first, or leave the column out)")
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    inf = np.isinf(values)
    if inf.any():
        raise ValueError(f"{where}: column {col!r} has {int(inf.sum()):,} infinite value(s); "
                         "features must be finite numbers")
    return values


def check_labels(labels, n: int, where: str) -> np.ndarray:
    """``labels`` as a 1-d array of ``n`` non-missing segments."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"{where}: labels must be one value per customer ({n:,}), got shape {labels.shape}")
    if pd.isna(labels).any():
        raise ValueError(f"{where}: labels have {int(pd.isna(labels).sum()):,} missing value(s)")
    return labels
