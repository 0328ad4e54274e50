"""The settings of a sales-resource allocation, as one validated frozen dataclass."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

__all__ = ["FORMS", "AllocationParameters"]

#: Response forms: gross profit as a function of a customer's sales expense E.
#: ``power``: gp = A * E**b (constant elasticity b, fitted log-log);
#: ``log``: gp = alpha + beta * ln E (fitted in levels on ln E).
FORMS = ("power", "log")

_TOPIC = "allocation"


def _number(name: str, value: Any, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        allowed = "a finite number or null" if allow_none else "a finite number"
        raise ValueError(f"{_TOPIC}.{name}: {value!r} is not {allowed}")
    return float(value)


@dataclass(frozen=True)
class AllocationParameters:
    """What a sales-resource allocation may do, validated when made.

    Parameters
    ----------
    budget : float, optional
        Total sales expense to allocate over the planned customers, in the case's
        currency (CNY for N company). Default: their current total (the plan year's
        spend), so the plans compare at equal cost.
    min_spend : float, default 0
        Minimum yearly spend on every planned customer (the cost of keeping the
        relationship), >= 0.
    max_spend : float, optional
        Maximum yearly spend on one customer (account-team capacity); none by default.
    max_increase : float, optional
        A customer's plan spend is at most ``max_increase`` times its current spend
        (customers with current spend only), >= 1; none by default.
    key_account_floor : float, optional
        Key accounts (``key_account`` true in the plan's customer frame) get at least
        this multiple of their current spend, >= 0; none by default.
    caps : mapping, optional
        ``{column: {group: share}}``: the customers of a group (e.g. ``{"quadrant":
        {"minimise_cost": 0.1}}``) get at most that share (0-1] of the budget. Caps on
        one column are solved in closed form, caps on several by scipy.
    form : {"power", "log"}, default "power"
        Response form (:data:`FORMS`).
    by : str, default "industry"
        Column whose groups get their own response (the thesis: per industry).
    customer_trends : bool, default False
        Also remove a linear trend per customer before fitting (needs three years per
        customer); guards against spend that follows a customer's own growth.
    min_customers : int, default 10
        Fewest customers with two usable years for a group's own estimate (three with
        ``customer_trends``); smaller groups use the pooled estimate.
    level : float, default 0.95
        Level of confidence and bootstrap intervals, in (0, 1).
    n_bootstrap : int, default 200
        Parametric bootstrap draws of the elasticities (0 = no intervals).
    seed : int, default 0
        Seed of the bootstrap (:func:`numpy.random.default_rng`).
    plan_year : int, optional
        The year whose spend is the current plan; default the panel's last year.
    budget_multiples : tuple of float, default (0.5, 0.75, ..., 2.0)
        Budgets of the sensitivity curve, as multiples of ``budget``; each > 0.
    hold_tolerance : float, default 0.05
        A quadrant's spend changing by less than this fraction counts as held.

    Raises
    ------
    ValueError
        A value of the wrong kind or range; the message names the key
        (``allocation.<key>``) and what is allowed.

    Examples
    --------
    >>> AllocationParameters(min_spend=2000, key_account_floor=1.0).min_spend
    2000.0
    >>> AllocationParameters.from_mapping({"caps": {"quadrant": {"key": 0.5}}}).caps["quadrant"]["key"]
    0.5
    >>> AllocationParameters(form="linear")
    Traceback (most recent call last):
    ...
    ValueError: allocation.form: 'linear' is not one of ('power', 'log')
    """

    budget: float | None = None
    min_spend: float = 0.0
    max_spend: float | None = None
    max_increase: float | None = None
    key_account_floor: float | None = None
    caps: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    form: str = "power"
    by: str = "industry"
    customer_trends: bool = False
    min_customers: int = 10
    level: float = 0.95
    n_bootstrap: int = 200
    seed: int = 0
    plan_year: int | None = None
    budget_multiples: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
    hold_tolerance: float = 0.05

    def __post_init__(self) -> None:
        put = object.__setattr__
        budget = _number("budget", self.budget, allow_none=True)
        if budget is not None and budget <= 0:
            raise ValueError(f"{_TOPIC}.budget: {self.budget!r} must be > 0 (or null for the current total)")
        put(self, "budget", budget)
        min_spend = _number("min_spend", self.min_spend)
        if min_spend < 0:
            raise ValueError(f"{_TOPIC}.min_spend: {self.min_spend!r} must be >= 0")
        put(self, "min_spend", min_spend)
        max_spend = _number("max_spend", self.max_spend, allow_none=True)
        if max_spend is not None and max_spend < min_spend:
            raise ValueError(f"{_TOPIC}.max_spend: {self.max_spend!r} is below min_spend {min_spend:g}; "
                             "allowed: a number >= min_spend or null")
        put(self, "max_spend", max_spend)
        increase = _number("max_increase", self.max_increase, allow_none=True)
        if increase is not None and increase < 1:
            raise ValueError(f"{_TOPIC}.max_increase: {self.max_increase!r} must be >= 1 "
                             "(a multiple of the current spend) or null")
        put(self, "max_increase", increase)
        floor = _number("key_account_floor", self.key_account_floor, allow_none=True)
        if floor is not None and floor < 0:
            raise ValueError(f"{_TOPIC}.key_account_floor: {self.key_account_floor!r} must be >= 0 "
                             "(a multiple of the current spend) or null")
        put(self, "key_account_floor", floor)
        put(self, "caps", _check_caps(self.caps))
        if self.form not in FORMS:
            raise ValueError(f"{_TOPIC}.form: {self.form!r} is not one of {FORMS}")
        if not isinstance(self.by, str) or not self.by:
            raise ValueError(f"{_TOPIC}.by: {self.by!r} must be a column name, e.g. 'industry'")
        if not isinstance(self.customer_trends, bool):
            raise ValueError(f"{_TOPIC}.customer_trends: {self.customer_trends!r} must be true or false")
        for name, low in (("min_customers", 2), ("n_bootstrap", 0), ("seed", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{_TOPIC}.{name}: {value!r} must be an integer >= {low}")
        level = _number("level", self.level)
        if not 0 < level < 1:
            raise ValueError(f"{_TOPIC}.level: {self.level!r} must lie in (0, 1), e.g. 0.95")
        put(self, "level", level)
        if self.plan_year is not None and (isinstance(self.plan_year, bool)
                                           or not isinstance(self.plan_year, int)):
            raise ValueError(f"{_TOPIC}.plan_year: {self.plan_year!r} must be a year (integer) or null")
        multiples = self.budget_multiples
        if isinstance(multiples, (str, bytes)) or not hasattr(multiples, "__iter__"):
            raise ValueError(f"{_TOPIC}.budget_multiples: {multiples!r} must be a list of numbers > 0")
        multiples = tuple(_number("budget_multiples", m) for m in multiples)
        if not multiples or min(multiples) <= 0:
            raise ValueError(f"{_TOPIC}.budget_multiples: {self.budget_multiples!r} must be a "
                             "non-empty list of numbers > 0")
        put(self, "budget_multiples", tuple(sorted(set(multiples))))
        tolerance = _number("hold_tolerance", self.hold_tolerance)
        if not 0 <= tolerance < 1:
            raise ValueError(f"{_TOPIC}.hold_tolerance: {self.hold_tolerance!r} must lie in [0, 1)")
        put(self, "hold_tolerance", tolerance)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> AllocationParameters:
        """Parameters from a case file's ``parameters.allocation`` section.

        Parameters
        ----------
        mapping : mapping or None
            Key -> value as written in YAML (lists for tuples); None or ``{}`` gives
            the defaults.

        Returns
        -------
        AllocationParameters

        Raises
        ------
        ValueError
            An unknown key (the message lists the allowed ones) or a bad value.
        """
        mapping = dict(mapping or {})
        allowed = [f.name for f in fields(cls)]
        unknown = sorted(set(mapping) - set(allowed))
        if unknown:
            raise ValueError(f"{_TOPIC}: unknown key(s) {unknown}; allowed: {allowed}")
        if "budget_multiples" in mapping and isinstance(mapping["budget_multiples"], list):
            mapping["budget_multiples"] = tuple(mapping["budget_multiples"])
        return cls(**mapping)

    def replace(self, **changes: Any) -> AllocationParameters:
        """A copy with some fields changed (validated again).

        Parameters
        ----------
        **changes
            Field name -> new value.

        Returns
        -------
        AllocationParameters
        """
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current["caps"] = {k: dict(v) for k, v in self.caps.items()}
        return type(self)(**{**current, **changes})


def _check_caps(caps: Any) -> Mapping[str, Mapping[str, float]]:
    if caps is None:
        caps = {}
    if not isinstance(caps, Mapping):
        raise ValueError(f"{_TOPIC}.caps: {caps!r} must map a column to {{group: share of the budget}}, "
                         "e.g. {quadrant: {minimise_cost: 0.1}}")
    out = {}
    for column, groups in caps.items():
        if not isinstance(column, str) or not isinstance(groups, Mapping) or not groups:
            raise ValueError(f"{_TOPIC}.caps.{column}: must map groups to shares of the budget, "
                             "e.g. {minimise_cost: 0.1}")
        shares = {}
        for group, share in groups.items():
            value = _number(f"caps.{column}.{group}", share)
            if not 0 < value <= 1:
                raise ValueError(f"{_TOPIC}.caps.{column}.{group}: {share!r} must be a share of the "
                                 "budget in (0, 1]")
            shares[str(group)] = value
        out[column] = MappingProxyType(shares)
    return MappingProxyType(out)
