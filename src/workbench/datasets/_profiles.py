"""The N-company's segments and industries and their profiles, shared by the generator's parts."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "NCOMPANY_INDUSTRIES",
    "NCOMPANY_SEGMENTS",
]


# ======================================================================================
# The N-company generator: a B2B low-voltage electrical equipment maker with known truth
# ======================================================================================

#: Latent behavioural segments, in the order of their integer codes in the truth.
NCOMPANY_SEGMENTS = ("key_account", "growing", "stable_small", "declining", "churned")

#: Industry segments of the thesis company (codes; zh/en labels in :mod:`workbench.labels`).
NCOMPANY_INDUSTRIES = ("power", "construction", "oem", "distributor")

# Segment profiles under separation="clear". Money in CNY (yuan) per customer-year at the
# reference sales expense; rates are orders per year; trajectory is the yearly factor of
# gross profit (and, to the power 0.6, of the order rate) after the first active year.
_SEGMENT_PROFILE = pd.DataFrame(
    {
        "share": [0.10, 0.20, 0.35, 0.20, 0.15],
        "size_median": [3000.0, 600.0, 80.0, 400.0, 200.0],
        "order_rate": [24.0, 8.0, 4.0, 14.0, 5.0],
        "gp_level": [900_000.0, 100_000.0, 12_000.0, 150_000.0, 25_000.0],
        "trajectory": [1.05, 1.6, 1.0, 0.5, 0.85],
        "satisfaction_effect": [0.0, 0.5, 0.2, -0.8, -1.0],
        "strategic_fit_mean": [4.5, 3.8, 2.2, 3.0, 2.0],
        "share_of_wallet_mean": [0.65, 0.25, 0.45, 0.30, 0.20],
    },
    index=pd.Index(NCOMPANY_SEGMENTS, name="segment"),
)

# Per-industry concave response gp = a * k * m * f * E**b (see make_ncompany's Notes);
# `expense_base` is the typical yearly sales expense per customer in CNY.
_INDUSTRY_PROFILE = pd.DataFrame(
    {
        "share": [0.25, 0.30, 0.25, 0.20],
        "b": [0.45, 0.30, 0.38, 0.22],
        "expense_base": [30_000.0, 18_000.0, 22_000.0, 12_000.0],
        "level": [1.2, 0.9, 1.0, 0.8],
        "growth": [0.08, -0.02, 0.05, 0.03],
    },
    index=pd.Index(NCOMPANY_INDUSTRIES, name="industry"),
)


def _numbered(prefix: str, numbers: np.ndarray, width: int, suffix: str = "") -> pd.Series:
    """``prefix`` + zero-padded ``numbers`` + ``suffix`` as strings (fast for millions)."""
    digits = pd.Series(numbers).astype(str).str.zfill(width)
    return prefix + digits + suffix
