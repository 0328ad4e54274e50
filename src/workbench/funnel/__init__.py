"""Prospects and the sales funnel: MAN qualification, stage conversion, acquisition cost.

The lecture opens a market in three steps: find target customers, close deals, keep a
long relationship. Target customers are "MAN" customers (Money, Authority, Need); of
100 prospects perhaps 50 reach talks and 5 or fewer close, and winning a customer costs
about five times what keeping one costs. This package reads that from a CRM's
opportunities table (:func:`workbench.cleaning.clean_opportunities`, one row per stage
entered):

* :func:`opportunity_summary`: one row per opportunity, its furthest stage and outcome;
* :func:`stage_conversion`, :func:`win_rates`, :func:`time_in_stage`,
  :func:`pipeline_value`: the funnel, open opportunities treated as censored;
* :func:`man_scores`, :func:`man_win_rates`: MAN score and class, and whether
  qualification relates to winning;
* :func:`acquisition_cost`, :func:`retention_cost`, :func:`acquisition_vs_retention`,
  :func:`clv_net_of_acquisition`: the five-times rule and CLV net of acquisition;
* :func:`lost_reasons`: lost deals grouped like churn reasons.

Settings are one :class:`FunnelParameters` (a case file's ``parameters.funnel``).
"""

from workbench.funnel.costs import (
    LOST_REASON_GROUPS,
    LostReasons,
    acquisition_cost,
    acquisition_vs_retention,
    clv_net_of_acquisition,
    customer_clv,
    lost_reasons,
    retention_cost,
)
from workbench.funnel.man import MAN_CLASSES, ManWinRates, man_scores, man_win_rates
from workbench.funnel.stages import (
    OUTCOMES,
    PipelineValue,
    TimeInStage,
    conversion_against_truth,
    opportunity_summary,
    pipeline_value,
    proportion_interval,
    stage_conversion,
    time_in_stage,
    win_rates,
)
from workbench.parameters import MAN_CRITERIA, FunnelParameters

__all__ = [
    "LOST_REASON_GROUPS",
    "MAN_CLASSES",
    "MAN_CRITERIA",
    "OUTCOMES",
    "FunnelParameters",
    "LostReasons",
    "ManWinRates",
    "PipelineValue",
    "TimeInStage",
    "acquisition_cost",
    "acquisition_vs_retention",
    "clv_net_of_acquisition",
    "conversion_against_truth",
    "customer_clv",
    "lost_reasons",
    "man_scores",
    "man_win_rates",
    "opportunity_summary",
    "pipeline_value",
    "proportion_interval",
    "retention_cost",
    "stage_conversion",
    "time_in_stage",
    "win_rates",
]
