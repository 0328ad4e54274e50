"""Bundled real data (CDNOW, the ECSI mobi survey) and deterministic generators.

The raw files live in ``data/raw/`` with their provenance in ``data/raw/README.md``.
Loaders return frames in the canonical schema (see :mod:`workbench.schema`), so they can
be passed straight to the analysis modules.

Modules
-------
* :mod:`workbench.datasets.bundled`: :func:`load_cdnow`, :func:`load_mobi` (real data).
* :mod:`workbench.datasets.ncompany`: :func:`make_ncompany`, the synthetic B2B case, with
  its survey (:mod:`~workbench.datasets.ncompany_survey`) and sales funnel
  (:mod:`~workbench.datasets.ncompany_funnel`).

The churn-reason table and the stage each N-company segment is built to be in are
lifecycle knowledge (:mod:`workbench.lifecycle`); the generator imports them from there
and they stay importable from here.
"""

from __future__ import annotations

from workbench.datasets._profiles import (
    NCOMPANY_INDUSTRIES,
    NCOMPANY_SEGMENTS,
)
from workbench.datasets.bundled import (
    RAW_DIR,
    load_cdnow,
    load_mobi,
    raw_path,
)
from workbench.datasets.ncompany import (
    NCompanyData,
    NCompanyTruth,
    make_ncompany,
)
from workbench.datasets.ncompany_funnel import (
    LOST_REASON_SHARES,
    NCOMPANY_FUNNEL_STAGES,
    NCOMPANY_LOST_STAGE,
    NCOMPANY_MAN_CLASSES,
    NCOMPANY_WON_STAGE,
    NCompanyFunnelTruth,
)
from workbench.datasets.ncompany_survey import (
    NCOMPANY_CONSTRUCTS,
)

# the survey's path estimator, used by the tests that check the generator's calibration
from workbench.datasets.ncompany_survey import _pls_scores as _pls_scores
from workbench.datasets.ncompany_survey import _standardised_paths as _standardised_paths

# lifecycle knowledge the generator draws from, importable from here as before
from workbench.lifecycle import CHURN_REASON_GROUPS, CHURN_REASON_SHARES, NCOMPANY_SEGMENT_STAGES

__all__ = [
    "RAW_DIR",
    "load_cdnow",
    "load_mobi",
    "raw_path",
    "CHURN_REASON_GROUPS",
    "CHURN_REASON_SHARES",
    "LOST_REASON_SHARES",
    "NCOMPANY_FUNNEL_STAGES",
    "NCOMPANY_LOST_STAGE",
    "NCOMPANY_MAN_CLASSES",
    "NCOMPANY_WON_STAGE",
    "NCompanyFunnelTruth",
    "NCOMPANY_CONSTRUCTS",
    "NCOMPANY_INDUSTRIES",
    "NCOMPANY_SEGMENTS",
    "NCOMPANY_SEGMENT_STAGES",
    "NCompanyData",
    "NCompanyTruth",
    "make_ncompany",
]
