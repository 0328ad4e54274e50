"""The funnel's settings: one frozen dataclass, validated when it is made.

A case file sets them under ``parameters: funnel:``; every key is optional::

    parameters:
      funnel:
        stages: [线索, 需求确认, 方案报价, 商务谈判]   # the open stages, in order
        won_stage: 赢单
        lost_stage: 输单
        man_weights: {money: 2, authority: 1, need: 1}
        man_cutoffs: [0.75, 0.5]
        interval: exact
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["MAN_CRITERIA", "FunnelParameters"]

#: The three MAN criteria, as canonical column names of the opportunities table.
MAN_CRITERIA = ("money", "authority", "need")
_SCALES = ("auto", "binary", "rating")
_INTERVALS = ("wilson", "exact")


def _equal_weights() -> dict[str, float]:
    return dict.fromkeys(MAN_CRITERIA, 1 / 3)


@dataclass(frozen=True)
class FunnelParameters:
    """Settings of the funnel analysis (notebook 06 and :mod:`workbench.funnel`).

    Parameters
    ----------
    stages : tuple of str, default ("lead", "qualified", "proposal", "negotiation")
        The open stages in the order an opportunity passes them; at least two, unique.
    won_stage, lost_stage : str, default "closed_won", "closed_lost"
        The stage values that close an opportunity as won or lost.
    man_weights : mapping of str to float, default 1/3 each
        Weights of ``money``, ``authority`` and ``need`` in the MAN score; >= 0, not all
        zero; rescaled to sum to 1.
    man_cutoffs : (float, float), default (0.75, 0.5)
        MAN score at or above which a prospect is ``man_high``, resp. ``man_medium``
        (else ``man_low``); 0 <= medium < high <= 1. With equal weights and yes/no
        answers 0.75 means all three criteria met, 0.5 two of three; with 1-5 ratings
        a mean rating of 4, resp. 3.
    man_scale : {"auto", "binary", "rating"}, default "auto"
        How MAN answers are read: yes/no (0/1) or 1-5 ratings. ``"auto"``: binary when
        a column holds only 0 and 1, otherwise ratings.
    man_met_at : float, default 4
        The rating (1-5) from which a criterion counts as met in the MAN pattern.
    interval : {"wilson", "exact"}, default "wilson"
        Confidence interval of proportions: Wilson score or Clopper-Pearson exact.
    level : float, default 0.95
        Confidence level of every interval, in (0.5, 1).
    order_grace_days : int, default 90
        A won opportunity must be followed by an order of its customer, unless it was
        won within this many days before the last order in the data (its first order
        may still be coming).
    rule_of_thumb : float, default 5
        The acquisition / retention cost ratio the lecture quotes.
    lost_reason_groups : mapping of str to str, optional
        Lost reason -> ``customer_side``, ``firm_side`` or ``third_party``, for your own
        reason texts; default :data:`workbench.funnel.LOST_REASON_GROUPS`.

    Raises
    ------
    ValueError
        Naming the key and what is allowed.

    Examples
    --------
    >>> FunnelParameters(man_weights={"money": 2, "authority": 1, "need": 1}).man_weights
    {'money': 0.5, 'authority': 0.25, 'need': 0.25}
    >>> FunnelParameters.from_mapping({"level": 1.5})
    Traceback (most recent call last):
    ...
    ValueError: parameters.funnel.level is 1.5; allowed: a confidence level between 0.5 and 1, e.g. 0.95
    """

    stages: tuple[str, ...] = ("lead", "qualified", "proposal", "negotiation")
    won_stage: str = "closed_won"
    lost_stage: str = "closed_lost"
    man_weights: Mapping[str, float] = field(default_factory=_equal_weights)
    man_cutoffs: tuple[float, float] = (0.75, 0.5)
    man_scale: str = "auto"
    man_met_at: float = 4.0
    interval: str = "wilson"
    level: float = 0.95
    order_grace_days: int = 90
    rule_of_thumb: float = 5.0
    lost_reason_groups: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        where = "parameters.funnel"

        def fail(key: str, value: Any, allowed: str) -> ValueError:
            return ValueError(f"{where}.{key} is {value!r}; allowed: {allowed}")

        stages = self.stages
        if isinstance(stages, str) or not all(isinstance(s, str) and s.strip() for s in stages):
            raise fail("stages", stages, "a list of at least two stage names, e.g. "
                       "[lead, qualified, proposal, negotiation]")
        stages = tuple(s.strip() for s in stages)
        if len(stages) < 2 or len(set(stages)) != len(stages):
            raise fail("stages", list(stages), "at least two distinct stage names, in order")
        object.__setattr__(self, "stages", stages)
        for key in ("won_stage", "lost_stage"):
            value = getattr(self, key)
            if not isinstance(value, str) or not value.strip():
                raise fail(key, value, "a stage name (text)")
            object.__setattr__(self, key, value.strip())
        if self.won_stage == self.lost_stage or {self.won_stage, self.lost_stage} & set(stages):
            raise fail("won_stage", self.won_stage, f"a name different from lost_stage "
                       f"({self.lost_stage!r}) and from the open stages {list(stages)}")
        weights = self.man_weights
        if not isinstance(weights, Mapping) or set(weights) - set(MAN_CRITERIA):
            raise fail("man_weights", weights, f"a mapping with keys among {list(MAN_CRITERIA)} "
                       "and weights >= 0, e.g. {money: 2, authority: 1, need: 1}")
        values = {c: weights.get(c, 0.0) for c in MAN_CRITERIA}
        if not all(_number(v) and v >= 0 for v in values.values()) or sum(values.values()) <= 0:
            raise fail("man_weights", dict(weights), "weights >= 0 (numbers), not all zero")
        total = float(sum(values.values()))
        object.__setattr__(self, "man_weights", {c: float(v) / total for c, v in values.items()})
        cutoffs = self.man_cutoffs
        if (isinstance(cutoffs, str) or len(cutoffs) != 2 or not all(_number(c) for c in cutoffs)
                or not 0 <= cutoffs[1] < cutoffs[0] <= 1):
            raise fail("man_cutoffs", cutoffs, "two scores [high, medium] with "
                       "0 <= medium < high <= 1, e.g. [0.75, 0.5]")
        object.__setattr__(self, "man_cutoffs", (float(cutoffs[0]), float(cutoffs[1])))
        if self.man_scale not in _SCALES:
            raise fail("man_scale", self.man_scale, f"one of {list(_SCALES)}")
        if not _number(self.man_met_at) or not 1 <= self.man_met_at <= 5:
            raise fail("man_met_at", self.man_met_at, "a rating from 1 to 5, e.g. 4")
        if self.interval not in _INTERVALS:
            raise fail("interval", self.interval, f"one of {list(_INTERVALS)} (Wilson score or "
                       "Clopper-Pearson)")
        if not _number(self.level) or not 0.5 < self.level < 1:
            raise fail("level", self.level, "a confidence level between 0.5 and 1, e.g. 0.95")
        if isinstance(self.order_grace_days, bool) or not isinstance(self.order_grace_days, int) \
                or self.order_grace_days < 0:
            raise fail("order_grace_days", self.order_grace_days, "a whole number of days >= 0")
        if not _number(self.rule_of_thumb) or self.rule_of_thumb <= 0:
            raise fail("rule_of_thumb", self.rule_of_thumb, "a positive number, e.g. 5")
        groups = self.lost_reason_groups
        allowed = ("customer_side", "firm_side", "third_party")
        if groups is not None and (not isinstance(groups, Mapping)
                                   or not set(groups.values()) <= set(allowed)):
            raise fail("lost_reason_groups", groups, f"a mapping reason -> group, groups {list(allowed)}")

    @property
    def alpha(self) -> float:
        """1 - ``level``: the error rate of the intervals."""
        return 1.0 - self.level

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> FunnelParameters:
        """Settings from a case file's ``parameters.funnel`` section.

        Parameters
        ----------
        mapping : mapping or None
            Keys as the dataclass fields; absent keys keep their defaults; lists become
            tuples.

        Returns
        -------
        FunnelParameters

        Raises
        ------
        ValueError
            For an unknown key (listing the allowed ones) or a bad value.
        """
        mapping = dict(mapping or {})
        allowed = [f.name for f in fields(cls)]
        unknown = sorted(set(mapping) - set(allowed))
        if unknown:
            raise ValueError(f"parameters.funnel has unknown key(s) {unknown}; allowed: {allowed}")
        for key in ("stages", "man_cutoffs"):
            if isinstance(mapping.get(key), list):
                mapping[key] = tuple(mapping[key])
        return cls(**mapping)

    @property
    def rank(self) -> dict[str, int]:
        """Stage -> position: open stages 0..K-1, the won and lost stages K."""
        rank = {stage: i for i, stage in enumerate(self.stages)}
        rank[self.won_stage] = rank[self.lost_stage] = len(self.stages)
        return rank


def _number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))
