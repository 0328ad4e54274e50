r'''Case parameters: one typed, validated object per analysis topic, with its defaults.

A case file's ``parameters`` section sets analysis options by topic::

    parameters:
      value: {abc_cuts: [0.8, 0.95], rfm_cut: median, key_accounts: 20}
      segmentation: {k: 5, by: industry}
      satisfaction: {spec: ncompany_ecsi}
      lifecycle: {churn_horizon: 365}

:func:`parse_parameters` turns the section into :class:`CaseParameters`: one frozen
dataclass per topic (:class:`ValueParameters`, :class:`SegmentationParameters`,
:class:`SatisfactionParameters`, :class:`LifecycleParameters`), every topic present,
a topic or key the file leaves out at its default. An unknown topic, an unknown key, a
value of the wrong type or out of range is a :class:`ParameterError` naming the file,
the key, what is allowed and the default; ``abc_cuts: '0.8,0.95'`` (a string, not a
list) is such an error, not two cuts read out of its characters.

The defaults written here are the reports' defaults, the one place they live: the
notebooks read ``data.params.value.abc_cuts`` and write no default of their own.
Where an analysis function has a default of its own for the same setting, the tests
check that the two agree.

Adding a topic
--------------
One class, here; subclassing :class:`Parameters` with ``topic=`` registers it, so case
files accept the topic, ``case.params.<topic>`` returns it and the manifest records it::

    @dataclass(frozen=True)
    class FunnelParameters(Parameters, topic="funnel"):
        """Sales funnel (notebook 06_funnel)."""

        stages: tuple[str, ...] = setting(
            ("lead", "qualified", "won"), Strings(min_length=2),
            "the funnel's stages, first to last")

Each field is a :func:`setting`: its default, a check (what is allowed, which also
converts YAML's lists to tuples and integers to floats where a number is asked for)
and a one-line meaning, shown in error messages and by :meth:`Parameters.describe`. The
checks (:class:`Integer`, :class:`Number`, :class:`Choice`, :class:`Text`,
:class:`Strings`, :class:`Numbers`, :class:`Nullable`, :class:`AnyOf`, ...) are small
classes; a new kind of value is one more :class:`Check`.
'''

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from workbench import resources

__all__ = [
    "TOPICS",
    "FORMS",
    "AllocationParameters",
    "AnyOf",
    "CaseParameters",
    "Check",
    "ENGINE_NAMES",
    "EngineParameters",
    "Choice",
    "Integer",
    "Flag",
    "FrozenMapping",
    "FunnelParameters",
    "Groups",
    "LifecycleParameters",
    "MAN_CRITERIA",
    "Nullable",
    "Number",
    "Numbers",
    "ParameterError",
    "Parameters",
    "Positives",
    "SatisfactionParameters",
    "SegmentationParameters",
    "Shares",
    "Strings",
    "Text",
    "ValueParameters",
    "Weights",
    "parse_parameters",
    "setting",
]


class ParameterError(ValueError):
    """A parameter is unknown, of the wrong type or out of range; the message names the
    file, the key, what is allowed and the default."""


class _Rejected(Exception):
    """Raised by a check; ``reason`` (optional) says what is wrong beyond 'not allowed'."""

    def __init__(self, reason: str = ""):
        super().__init__(reason)
        self.reason = reason


# ----------------------------------------------------------------------------------
# checks: each says what it allows and converts an accepted YAML value
# ----------------------------------------------------------------------------------


class Check:
    """What a setting allows. ``check(value, base)`` returns the value, converted."""

    allowed = "any value"

    def __call__(self, value: Any, base: Path) -> Any:
        return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _interval(low, high, open_low, open_high) -> str:
    if low is not None and high is not None:
        return f"in {'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
    if low is not None:
        return f"{'>' if open_low else '>='} {low:g}"
    return f"{'<' if open_high else '<='} {high:g}" if high is not None else ""


class Integer(Check):
    """A whole number (not a boolean) within ``[low, high]``."""

    def __init__(self, low: int | None = None, high: int | None = None):
        self.low, self.high = low, high
        self.range = _interval(low, high, False, False)
        self.allowed = f"an integer {self.range}".rstrip()

    def __call__(self, value, base):
        if not _is_int(value) or (self.low is not None and value < self.low) or (
                self.high is not None and value > self.high):
            raise _Rejected()
        return int(value)


class Number(Check):
    """A finite number within the interval; returned as float."""

    def __init__(self, low: float | None = None, high: float | None = None, *,
                 open_low: bool = False, open_high: bool = False):
        self.low, self.high, self.open_low, self.open_high = low, high, open_low, open_high
        self.range = _interval(low, high, open_low, open_high)
        self.allowed = f"a number {self.range}".rstrip()

    def inside(self, value: float) -> bool:
        low_ok = self.low is None or (value > self.low if self.open_low else value >= self.low)
        high_ok = self.high is None or (value < self.high if self.open_high else value <= self.high)
        return low_ok and high_ok

    def __call__(self, value, base):
        if not _is_number(value) or not self.inside(value):
            raise _Rejected()
        return float(value)


class Choice(Check):
    """One of a few fixed values."""

    def __init__(self, *options: Any):
        self.options = options
        self.allowed = f"one of {list(options)}"

    def __call__(self, value, base):
        if isinstance(value, bool) or value not in self.options:
            raise _Rejected()
        return value


class Text(Check):
    """A non-empty string."""

    allowed = "a non-empty string"

    def __call__(self, value, base):
        if not isinstance(value, str) or not value.strip():
            raise _Rejected()
        return value


class Nullable(Check):
    """``null`` (None) or what ``check`` allows."""

    def __init__(self, check: Check):
        self.check = check
        self.allowed = f"{check.allowed}, or null"

    def __call__(self, value, base):
        return None if value is None else self.check(value, base)


class AnyOf(Check):
    """What the first accepting check allows."""

    def __init__(self, *checks: Check):
        self.checks = checks
        self.allowed = " or ".join(c.allowed for c in checks)

    def __call__(self, value, base):
        for check in self.checks:
            try:
                return check(value, base)
            except _Rejected:
                continue
        raise _Rejected()


class Strings(Check):
    """A list of distinct non-empty strings; returned as a tuple."""

    def __init__(self, *, length: int | None = None, min_length: int = 1):
        self.length, self.min_length = length, min_length
        size = f"{length}" if length is not None else f"{min_length} or more"
        self.allowed = f"a list of {size} distinct names"

    def __call__(self, value, base):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise _Rejected("a string, not a list" if isinstance(value, str) else "")
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise _Rejected("every entry must be a non-empty string")
        if len(set(value)) != len(value):
            raise _Rejected("a name appears twice")
        if (self.length is not None and len(value) != self.length) or len(value) < self.min_length:
            raise _Rejected(f"it has {len(value)} entries")
        return tuple(value)


class Numbers(Check):
    """A list of ``length`` numbers, each as ``item`` allows; ``increasing`` strictly or
    ``ordered`` (non-decreasing). Returned as a tuple."""

    def __init__(self, item: Integer | Number, length: int, *, increasing: bool = False,
                 ordered: bool = False, example: str = ""):
        self.item, self.length, self.increasing, self.ordered = item, length, increasing, ordered
        order = " increasing" if increasing else " non-decreasing" if ordered else ""
        noun = "integers" if isinstance(item, Integer) else "numbers"
        self.allowed = (f"a list of {length}{order} {noun} {item.range}".rstrip()
                        + (f", e.g. {example}" if example else ""))

    def __call__(self, value, base):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise _Rejected("a string, not a list" if isinstance(value, str) else "")
        if len(value) != self.length:
            raise _Rejected(f"it has {len(value)} entries")
        items = tuple(self.item(v, base) for v in value)
        pairs = list(zip(items, items[1:], strict=False))
        if self.increasing and not all(a < b for a, b in pairs):
            raise _Rejected("the entries do not increase")
        if self.ordered and not all(a <= b for a, b in pairs):
            raise _Rejected("the entries decrease")
        return items


class ColumnChoices(Check):
    """A mapping ``{column: one of options}``; returned as a dict."""

    def __init__(self, options: Sequence[str]):
        self.options = tuple(options)
        self.allowed = f"a mapping {{column: one of {list(options)}}}"

    def __call__(self, value, base):
        if not isinstance(value, Mapping):
            raise _Rejected()
        bad = {k: v for k, v in value.items() if not isinstance(k, str) or v not in self.options}
        if bad:
            raise _Rejected(f"{bad} not allowed")
        return dict(value)


class SegmentNames(Check):
    """Segment names: a mapping {segment number: name} or a list of naming rules."""

    allowed = ("a mapping {segment number: name}, or a list of rules "
               "{name: ..., when: {column: high | low}}")

    def __call__(self, value, base):
        if isinstance(value, Mapping):
            if not all(_is_int(k) and isinstance(v, str) for k, v in value.items()):
                raise _Rejected("keys must be segment numbers and values names")
            return dict(value)
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise _Rejected()
        for i, rule in enumerate(value):
            if not (isinstance(rule, Mapping) and set(rule) == {"name", "when"}
                    and isinstance(rule["name"], str) and isinstance(rule["when"], Mapping)
                    and all(v in ("high", "low") for v in rule["when"].values())):
                raise _Rejected(f"rule {i} is {rule!r}")
        return tuple({"name": r["name"], "when": dict(r["when"])} for r in value)


class AHPJudgements(Check):
    """A pairwise-comparison matrix with its labels: ``{labels: [...], matrix: [[...]]}``."""

    allowed = ("a mapping {labels: [criterion, ...], matrix: [[a11, a12, ...], ...]}: "
               "a square matrix of positive numbers, one row and column per label")

    def __call__(self, value, base):
        if not isinstance(value, Mapping) or set(value) != {"labels", "matrix"}:
            raise _Rejected("it needs exactly the keys 'labels' and 'matrix'"
                            if isinstance(value, Mapping) else "")
        labels = Strings(min_length=2)(value["labels"], base)
        matrix = value["matrix"]
        n = len(labels)
        if (isinstance(matrix, str) or not isinstance(matrix, Sequence) or len(matrix) != n
                or not all(isinstance(r, Sequence) and not isinstance(r, str) and len(r) == n
                           for r in matrix)):
            raise _Rejected(f"the matrix must be {n} x {n}, one row and column per label")
        if not all(_is_number(a) and a > 0 for row in matrix for a in row):
            raise _Rejected("every entry must be a positive number")
        return {"labels": labels, "matrix": tuple(tuple(float(a) for a in row) for row in matrix)}


class SpecSource(Check):
    """A bundled survey-model spec name, or a YAML file (relative to the case file)."""

    @property
    def allowed(self) -> str:
        return (f"a bundled spec name, one of {resources.spec_names()}, or the path of a "
                "spec YAML file (.yaml or .yml, relative to the case file)")

    def __call__(self, value, base):
        if isinstance(value, Path) or (isinstance(value, str) and value.endswith((".yaml", ".yml"))):
            path = (base / value).resolve()
            if not path.is_file():
                raise _Rejected(f"file {path} does not exist")
            return path
        if value not in resources.spec_names():
            raise _Rejected()
        return value


class FrozenMapping(Mapping):
    """A read-only, hashable mapping: what a mapping-valued setting holds.

    A frozen dataclass may not default to a dict (it is mutable); settings such as the
    MAN weights default to one of these and compare equal to the dict they copy.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] = ()):
        object.__setattr__(self, "_items", dict(items))

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __setattr__(self, name, value):
        raise AttributeError("a parameter mapping is read-only")

    def __reduce__(self):  # pickle and copy rebuild it from its items (__setattr__ refuses)
        return (FrozenMapping, (self._items,))

    def __repr__(self) -> str:
        return repr(self._items)


class Weights(Check):
    """A mapping of some of ``keys`` to weights >= 0, not all zero; returned normalised
    to sum to 1 over every key (a key left out weighs 0)."""

    def __init__(self, keys: Sequence[str], example: str):
        self.keys = tuple(keys)
        self.allowed = f"a mapping with keys among {list(self.keys)} and weights >= 0, not all zero, e.g. {example}"

    def __call__(self, value, base):
        if not isinstance(value, Mapping):
            raise _Rejected("not a mapping")
        unknown = [k for k in value if k not in self.keys]
        if unknown:
            raise _Rejected(f"unknown key(s) {unknown}")
        weights = {k: value.get(k, 0.0) for k in self.keys}
        if not all(_is_number(w) and w >= 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise _Rejected("weights must be numbers >= 0, not all zero")
        total = float(sum(weights.values()))
        return FrozenMapping({k: float(w) / total for k, w in weights.items()})


class Groups(Check):
    """A mapping of text -> one of ``groups``."""

    def __init__(self, groups: Sequence[str]):
        self.groups = tuple(groups)
        self.allowed = f"a mapping of reason -> group, groups {list(self.groups)}"

    def __call__(self, value, base):
        if not isinstance(value, Mapping):
            raise _Rejected("not a mapping")
        bad = sorted({str(g) for g in value.values() if g not in self.groups})
        if bad or not all(isinstance(k, str) and k.strip() for k in value):
            raise _Rejected(f"unknown group(s) {bad}" if bad else "every reason must be a non-empty text")
        return FrozenMapping(value)


class Flag(Check):
    """``true`` or ``false`` (not 1 or "yes")."""

    allowed = "true or false"

    def __call__(self, value, base):
        if not isinstance(value, bool):
            raise _Rejected()
        return value


class Positives(Check):
    """A non-empty list of numbers > 0; returned sorted, without repeats, as a tuple."""

    def __init__(self, example: str):
        self.allowed = f"a non-empty list of numbers > 0, e.g. {example}"

    def __call__(self, value, base):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise _Rejected("a string, not a list" if isinstance(value, str) else "")
        if not value or not all(_is_number(v) and v > 0 for v in value):
            raise _Rejected()
        return tuple(sorted({float(v) for v in value}))


class Shares(Check):
    """``{column: {group: share}}`` with shares in (0, 1]; returned read-only."""

    allowed = "a mapping column -> {group: share of the budget in (0, 1]}, e.g. {quadrant: {minimise_cost: 0.1}}"

    def __call__(self, value, base):
        if not isinstance(value, Mapping):
            raise _Rejected("not a mapping")
        out = {}
        for column, groups in value.items():
            if not isinstance(column, str) or not isinstance(groups, Mapping) or not groups:
                raise _Rejected(f"'{column}' must map groups to shares")
            for group, share in groups.items():
                if not _is_number(share) or not 0 < share <= 1:
                    raise _Rejected(f"{column}.{group} is {share!r}, not a share in (0, 1]")
            out[column] = FrozenMapping({str(g): float(v) for g, v in groups.items()})
        return FrozenMapping(out)


def setting(default: Any, check: Check, meaning: str) -> Any:
    """A field of a :class:`Parameters` class: its default, what is allowed, what it means.

    Parameters
    ----------
    default : any
        The report's default; immutable (a tuple, not a list).
    check : Check
        What is allowed; converts an accepted value (lists to tuples, ints to floats).
    meaning : str
        One line, shown with errors and by ``workbench validate``.

    Returns
    -------
    dataclasses.Field
    """
    return dataclasses.field(default=default, metadata={"check": check, "meaning": meaning})


#: Topic name -> parameter class; filled by subclassing :class:`Parameters`.
TOPICS: dict[str, type[Parameters]] = {}


@dataclass(frozen=True)
class Parameters(Mapping):
    """Base of the topics' parameter classes: a frozen dataclass, read like a mapping.

    Subclass it with ``topic="name"`` to register a topic (see the module docstring).
    Values are validated and converted when the object is made, so a parameter object
    built in Python (``ValueParameters(abc_cuts=(0.7, 0.9))``) is as checked as one
    read from a case file. Being a :class:`~collections.abc.Mapping` of setting names
    to values, it unpacks into keywords: ``lifecycle_stages(tx, as_of, **params)``.
    """

    topic: ClassVar[str] = ""
    #: The key its settings sit under in a case file; default ``parameters.<topic>``.
    section: ClassVar[str] = ""

    def __init_subclass__(cls, topic: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        if topic:
            if topic in TOPICS:
                raise TypeError(f"parameter topic {topic!r} is defined twice: "
                                f"{TOPICS[topic].__name__} and {cls.__name__}")
            cls.topic = topic
            TOPICS[topic] = cls

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            try:
                converted = f.metadata["check"](value, Path.cwd())
            except _Rejected as exc:
                raise ParameterError(f"{type(self).__name__}: {_problem(f.name, f, value, exc)}") from None
            object.__setattr__(self, f.name, converted)

    # -- a read-only mapping of setting -> value ----------------------------------------

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))  # the settings, not ClassVars

    # -- reading a case file ---------------------------------------------------------------

    @classmethod
    def from_mapping(cls, raw: Any, *, file: str | Path | None = None, base: Path | None = None):
        """Validate a topic's section of a case file.

        Parameters
        ----------
        raw : mapping or None
            The topic's settings (None or empty: every setting at its default).
        file : path-like, optional
            The case file, named in messages.
        base : path-like, optional
            Folder that relative file names resolve against (the case file's folder);
            default the current directory.

        Returns
        -------
        Parameters
            An instance of ``cls``.

        Raises
        ------
        ParameterError
            An unknown key (with the closest allowed one), a wrong type or a value out of
            range, naming the file, the key (``parameters.<topic>.<key>``), what is
            allowed and the default.
        """
        where = f"{file}: " if file is not None else ""
        section = cls.section or f"parameters.{cls.topic}"
        base = Path.cwd() if base is None else Path(base)
        raw = {} if raw is None else raw
        fields = {f.name: f for f in dataclasses.fields(cls)}
        if not isinstance(raw, Mapping):
            raise ParameterError(f"{where}key '{section}' is {raw!r}; it must be a mapping of "
                                 f"settings, allowed keys: {list(fields)}")
        unknown = [k for k in raw if k not in fields]
        if unknown:
            near = difflib.get_close_matches(str(unknown[0]), list(fields), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else "."
            allowed = "; ".join(f"{name} ({f.metadata['meaning']})" for name, f in fields.items())
            raise ParameterError(f"{where}key '{section}' has unknown key(s) {unknown}{hint} "
                                 f"Allowed keys: {allowed}")
        values = {}
        for name, value in raw.items():
            try:
                values[name] = fields[name].metadata["check"](value, base)
            except _Rejected as exc:
                raise ParameterError(
                    f"{where}{_problem(f'{section}.{name}', fields[name], value, exc)}") from None
        try:
            return cls(**values)
        except ParameterError as exc:  # a check across settings (see a topic's _check)
            raise ParameterError(f"{where}{exc}") from None

    # -- reading it back -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Every setting, JSON-ready (tuples as lists, paths as text), for the manifest."""
        return {name: _plain(getattr(self, name)) for name in self}

    def changed(self) -> dict[str, Any]:
        """The settings that differ from their defaults (what the case file set)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) != f.default}

    @classmethod
    def describe(cls) -> pd.DataFrame:
        """The topic's settings: ``key``, ``default``, ``allowed``, ``meaning``."""
        return pd.DataFrame(
            [{"key": f.name, "default": f.default, "allowed": f.metadata["check"].allowed,
              "meaning": f.metadata["meaning"]} for f in dataclasses.fields(cls)],
            columns=["key", "default", "allowed", "meaning"])


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return str(value) if isinstance(value, Path) else value


def _problem(key: str, f: dataclasses.Field, value: Any, exc: _Rejected) -> str:
    reason = f": {exc.reason}" if exc.reason else ""
    return (f"key '{key}' is {value!r}{reason}; allowed: {f.metadata['check'].allowed} "
            f"(default {_plain(f.default)!r}: {f.metadata['meaning']})")


# ----------------------------------------------------------------------------------
# the topics
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueParameters(Parameters, topic="value"):
    """Customer value: ABC, RFM, key accounts (notebook 01; ``abc_cuts`` also in 03)."""

    recent_months: int = setting(
        12, Integer(low=1),
        "months up to the analysis date counted as recent (recent revenue and gross profit)")
    abc_cuts: tuple[float, float] = setting(
        (0.8, 0.95), Numbers(Number(0, 1, open_low=True), 2, increasing=True, example="[0.8, 0.95]"),
        "cumulative value shares closing ABC classes A and B")
    rfm_method: str = setting(
        "quintile", Choice("quintile", "ties"),
        "RFM scores: equal-count quintiles, or equal values sharing the lower score")
    rfm_cut: str = setting(
        "mean", Choice("mean", "median"),
        "where the 8-class RFM scheme splits R, F and M into high and low")
    key_accounts: int = setting(
        20, Integer(low=1), "how many of the top-scored customers are key accounts")
    ahp: Mapping[str, Any] | None = setting(
        None, Nullable(AHPJudgements()),
        "AHP judgements of the key-account criteria; null: the textbook's "
        "(workbench.value.KEY_ACCOUNT_AHP)")

    def ahp_frame(self) -> pd.DataFrame | None:
        """The ``ahp`` judgements as a labelled square frame, or None when not set."""
        if self.ahp is None:
            return None
        labels = list(self.ahp["labels"])
        return pd.DataFrame(self.ahp["matrix"], index=labels, columns=labels)


_TRANSFORMS = ("none", "log1p", "asinh", "auto")


@dataclass(frozen=True)
class SegmentationParameters(Parameters, topic="segmentation"):
    """k-means segmentation (notebook 02). Apart from ``columns`` and ``by``, each is the
    :class:`workbench.segmentation.CustomerSegmenter` setting of that name."""

    columns: tuple[str, ...] | None = setting(
        None, Nullable(Strings()), "feature columns to cluster; null: the segmenter's default set")
    by: str | None = setting(
        None, Nullable(Text()),
        "a customer column (e.g. industry) within each of whose groups customers are also "
        "segmented; null: no grouped segmentation")
    k: str | int = setting(
        "auto", AnyOf(Choice("auto"), Integer(low=2)),
        "number of segments; auto: the recommended k")
    k_range: tuple[int, int] = setting(
        (2, 10), Numbers(Integer(low=2), 2, ordered=True, example="[2, 10]"),
        "smallest and largest k compared")
    transforms: str | Mapping[str, str] = setting(
        "auto", AnyOf(Choice("auto"), ColumnChoices(_TRANSFORMS)),
        "transform per column before scaling; auto: chosen from each column's skewness")
    scaler: str = setting("standard", Choice("standard", "robust"),
                          "z-scores, or (x - median) / IQR")
    winsorize: float | tuple[float, float] | None = setting(
        None, Nullable(AnyOf(Number(0, 0.5, open_high=True),
                             Numbers(Number(0, 1), 2, increasing=True, example="[0.01, 0.99]"))),
        "clip each column at these quantiles (0.01: 1 % and 99 %) before transforming")
    pca: int | float | None = setting(
        None, Nullable(AnyOf(Integer(low=1), Number(0, 1, open_low=True, open_high=True))),
        "cluster on this many principal components (integer) or on those explaining this "
        "share of variance")
    n_bootstrap: int = setting(20, Integer(low=0),
                               "bootstrap resamples per k for stability; 0 skips stability")
    stability_sample: int = setting(5_000, Integer(low=2),
                                    "customers per bootstrap resample and in the reference sample")
    minibatch_threshold: int = setting(200_000, Integer(low=2),
                                       "above this many customers, MiniBatchKMeans fits")
    silhouette_sample: int = setting(5_000, Integer(low=2),
                                     "customers sampled (seeded) for the silhouette")
    n_init: str | int = setting("auto", AnyOf(Choice("auto"), Integer(low=1)),
                                "k-means++ restarts; auto: 10 up to 5,000 customers, else 3")
    names: Any = setting(None, Nullable(SegmentNames()),
                         "segment names; null: the RFM 8-class names")
    rfm: tuple[str, str, str] = setting(
        ("recency_days", "frequency", "monetary_total"), Strings(length=3),
        "the clustered columns read as R, F and M for the default names")
    min_silhouette: float = setting(0.25, Number(-1, 1),
                                    "below this silhouette the segmentation is called weak")
    min_stability: float = setting(0.6, Number(-1, 1),
                                   "below this bootstrap ARI the segmentation is called weak")
    min_gain: float = setting(0.05, Number(),
                              "below this silhouette gain over a structureless reference it is "
                              "called weak")
    n_threads: int | None = setting(1, Nullable(Integer(low=1)),
                                    "threads for the k-means fits; null: the libraries' default")
    random_state: int | None = setting(0, Nullable(Integer(low=0)),
                                       "seed of every random step; null: unseeded (not reproducible)")

    def segmenter_options(self) -> dict[str, Any]:
        """The :class:`~workbench.segmentation.CustomerSegmenter` settings (all but
        ``columns`` and ``by``)."""
        return {name: value for name, value in self.items() if name not in ("columns", "by")}


@dataclass(frozen=True)
class SatisfactionParameters(Parameters, topic="satisfaction"):
    """Satisfaction and loyalty (notebook 03)."""

    spec: str | Path = setting(
        "ecsi_mobi", SpecSource(),
        "the survey's model spec: constructs, items, paths (a file is resolved against the "
        "case file's folder)")
    n_bootstrap: int = setting(5000, Integer(low=2),
                               "bootstrap resamples for the PLS model's standard errors and intervals")


@dataclass(frozen=True)
class LifecycleParameters(Parameters, topic="lifecycle"):
    """Lifecycle and churn (notebook 04). Apart from ``cohort_period``, each is the
    :func:`workbench.lifecycle.lifecycle_stages` keyword of that name."""

    period: str = setting("Q", Choice("W", "M", "Q", "Y"),
                          "calendar period of each customer's spend series")
    churn_horizon: float | None = setting(
        None, Nullable(Number(0, open_low=True)),
        "days of silence after which a customer is churned; null: derived from the data "
        "(horizon_quantile of the inter-purchase times)")
    horizon_quantile: float = setting(0.9, Number(0, 1, open_low=True, open_high=True),
                                      "quantile of inter-purchase times that sets the derived horizon")
    horizon_weighting: str = setting("customer", Choice("customer", "gap"),
                                     "pool gaps per customer equally, or every gap equally")
    min_periods_stable: int = setting(4, Integer(low=2),
                                      "periods since the first purchase before a customer can be stable")
    trend_threshold: float = setting(0.10, Number(0, open_low=True),
                                     "smallest normalised slope (share of mean spend per period) "
                                     "that is a rising or falling trend")
    min_r2: float = setting(0.30, Number(0, 1), "smallest R^2 for a trend to count")
    max_p_value: float | None = setting(None, Nullable(Number(0, 1, open_low=True)),
                                        "a trend's slope must also have p at most this; null: no test")
    recent_periods: int = setting(2, Integer(low=1), "last periods averaged for recent spend")
    p_alive_threshold: float | None = setting(
        None, Nullable(Number(0, 1, open_low=True, open_high=True)),
        "customers with BG/NBD P(alive) below this are churned too; null: not used")
    cohort_period: str | None = setting(
        None, Nullable(Choice("W", "M", "Q", "Y")),
        "cohort and step length of the retention tables; null: M when the data cover at "
        "most two years, else Q")

    def stage_options(self) -> dict[str, Any]:
        """The :func:`~workbench.lifecycle.lifecycle_stages` keywords (all but ``cohort_period``)."""
        return {name: value for name, value in self.items() if name != "cohort_period"}


# ----------------------------------------------------------------------------------
# a case's parameters
# ----------------------------------------------------------------------------------


#: Response forms of the allocation: gross profit as a function of a customer's sales
#: expense E. ``power``: gp = A * E**b (constant elasticity b, fitted log-log);
#: ``log``: gp = alpha + beta * ln E (fitted in levels on ln E).
FORMS = ("power", "log")


@dataclass(frozen=True)
class AllocationParameters(Parameters, topic="allocation"):
    """Sales-resource allocation: budget, constraints, response (notebook 05).

    Examples
    --------
    >>> AllocationParameters(min_spend=2000, key_account_floor=1.0).min_spend
    2000.0
    >>> AllocationParameters.from_mapping({"caps": {"quadrant": {"key": 0.5}}}).caps["quadrant"]["key"]
    0.5
    >>> AllocationParameters(form="linear")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.parameters.ParameterError: AllocationParameters: key 'form' is 'linear'; allowed: ...
    """

    budget: float | None = setting(
        None, Nullable(Number(0, open_low=True)),
        "total sales expense to allocate, in the case's currency; null: the current total")
    min_spend: float = setting(0.0, Number(0), "minimum yearly spend on every planned customer")
    max_spend: float | None = setting(
        None, Nullable(Number(0)), "maximum yearly spend on one customer (>= min_spend); null: none")
    max_increase: float | None = setting(
        None, Nullable(Number(1)), "plan spend at most this multiple of the current spend; null: none")
    max_decrease: float | None = setting(
        None, Nullable(Number(1)), "plan spend at least the current spend divided by this; null: none")
    key_account_floor: float | None = setting(
        None, Nullable(Number(0)), "key accounts get at least this multiple of their current spend; null: none")
    caps: Mapping[str, Mapping[str, float]] = setting(
        FrozenMapping(), Shares(), "the most a group may get, as a share of the budget, per column")
    form: str = setting("power", Choice(*FORMS), "response form: power (log-log) or log")
    by: str = setting("industry", Text(), "column whose groups get their own response")
    customer_trends: bool = setting(
        False, Flag(), "also remove a linear trend per customer before fitting (three years each)")
    min_customers: int = setting(
        10, Integer(low=2), "fewest customers with two usable years for a group's own estimate")
    level: float = setting(0.95, Number(0, 1, open_low=True, open_high=True),
                           "level of confidence and bootstrap intervals")
    n_bootstrap: int = setting(200, Integer(low=0), "parametric bootstrap draws (0: no intervals)")
    seed: int = setting(0, Integer(low=0), "seed of the bootstrap")
    plan_year: int | None = setting(
        None, Nullable(Integer()), "the year whose spend is the current plan; null: the last year")
    budget_multiples: tuple[float, ...] = setting(
        (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0), Positives("[0.5, 1, 2]"),
        "budgets of the sensitivity curve, as multiples of the budget")
    hold_tolerance: float = setting(
        0.05, Number(0, 1, open_high=True), "a quadrant's spend changing by less than this counts as held")

    def __post_init__(self):
        super().__post_init__()
        if self.max_spend is not None and self.max_spend < self.min_spend:
            raise ParameterError(
                f"AllocationParameters: key 'parameters.allocation.max_spend' is {self.max_spend:g}, "
                f"below min_spend {self.min_spend:g}; allowed: a number >= min_spend, or null")

    def replace(self, **changes: Any) -> AllocationParameters:
        """A copy with some settings changed, validated again."""
        return dataclasses.replace(self, **changes)


#: The three MAN criteria (Money, Authority, Need), as canonical columns of the
#: opportunities table.
MAN_CRITERIA = ("money", "authority", "need")


@dataclass(frozen=True)
class FunnelParameters(Parameters, topic="funnel"):
    """Prospects and the sales funnel: MAN qualification, stages (notebook 06).

    Examples
    --------
    >>> FunnelParameters(man_weights={"money": 2, "authority": 1, "need": 1}).man_weights
    {'money': 0.5, 'authority': 0.25, 'need': 0.25}
    >>> FunnelParameters(level=1.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.parameters.ParameterError: FunnelParameters: key 'level' is 1.5; allowed: a number in (0.5, 1)...
    """

    stages: tuple[str, ...] = setting(
        ("lead", "qualified", "proposal", "negotiation"), Strings(min_length=2),
        "the open stages, in the order an opportunity passes them")
    won_stage: str = setting("closed_won", Text(), "the stage that closes an opportunity as won")
    lost_stage: str = setting("closed_lost", Text(), "the stage that closes an opportunity as lost")
    man_weights: Mapping[str, float] = setting(
        FrozenMapping(dict.fromkeys(MAN_CRITERIA, 1 / 3)),
        Weights(MAN_CRITERIA, "{money: 2, authority: 1, need: 1}"),
        "weights of money, authority and need in the MAN score (rescaled to sum to 1)")
    man_cutoffs: tuple[float, float] = setting(
        (0.75, 0.5), Numbers(Number(0, 1), 2, example="[0.75, 0.5]"),
        "MAN score at or above which a prospect is high, resp. medium (high > medium)")
    man_scale: str = setting(
        "auto", Choice("auto", "binary", "rating"),
        "MAN answers as yes/no or 1-5 ratings; auto: binary when a column holds only 0 and 1")
    man_met_at: float = setting(4.0, Number(1, 5), "the rating (1-5) from which a criterion counts as met")
    interval: str = setting(
        "wilson", Choice("wilson", "exact"), "interval of proportions: Wilson score or Clopper-Pearson")
    level: float = setting(0.95, Number(0.5, 1, open_low=True, open_high=True),
                           "confidence level of every interval")
    order_grace_days: int = setting(
        90, Integer(low=0), "days before the last order within which a win need not be followed by one")
    rule_of_thumb: float = setting(5.0, Number(0, open_low=True),
                                   "the acquisition / retention cost ratio the lecture quotes")
    lost_reason_groups: Mapping[str, str] | None = setting(
        None, Nullable(Groups(("customer_side", "firm_side", "third_party"))),
        "lost reason -> customer_side, firm_side or third_party; null: the lecture's grouping")

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "stages", tuple(s.strip() for s in self.stages))
        object.__setattr__(self, "won_stage", self.won_stage.strip())
        object.__setattr__(self, "lost_stage", self.lost_stage.strip())
        if self.won_stage == self.lost_stage or {self.won_stage, self.lost_stage} & set(self.stages):
            raise ParameterError(
                f"FunnelParameters: key 'parameters.funnel.won_stage' is {self.won_stage!r}; allowed: a "
                f"name different from lost_stage ({self.lost_stage!r}) and from the open stages "
                f"{list(self.stages)}")
        high, medium = self.man_cutoffs
        if not medium < high:
            raise ParameterError(
                f"FunnelParameters: key 'parameters.funnel.man_cutoffs' is {list(self.man_cutoffs)}; "
                "allowed: two scores [high, medium] with 0 <= medium < high <= 1, e.g. [0.75, 0.5]")

    @property
    def alpha(self) -> float:
        """1 - ``level``: the error rate of the intervals."""
        return 1.0 - self.level

    @property
    def rank(self) -> dict[str, int]:
        """Stage -> position: open stages 0..K-1, the won and lost stages K."""
        rank = {stage: i for i, stage in enumerate(self.stages)}
        rank[self.won_stage] = rank[self.lost_stage] = len(self.stages)
        return rank


#: Engines a case may run on (the ``engine:`` key of a case file).
ENGINE_NAMES = ("pandas", "duckdb", "spark")
_ENGINE_OPTIONS = {"duckdb": ("memory_limit", "temp_directory", "threads", "database"),
                   "spark": ("master", "master_env", "remote_env", "config", "app_name"),
                   "pandas": ("memory_share",)}


class SparkSettings(Check):
    """A mapping of Spark setting names to text, numbers or booleans."""

    allowed = "a mapping of Spark settings, e.g. {spark.sql.shuffle.partitions: 8}"

    def __call__(self, value, base):
        if not isinstance(value, Mapping) or not all(
                isinstance(k, str) and isinstance(v, (str, int, float, bool)) for k, v in value.items()):
            raise _Rejected()
        return FrozenMapping(value)


@dataclass(frozen=True)
class EngineParameters(Parameters):
    """Which engine reads, cleans and aggregates a case's transactions (``engine:``).

    ``engine: duckdb`` (a name) or a mapping with ``name`` and the engine's options::

        engine: {name: duckdb, memory_limit: 6GB, temp_directory: /scratch/duckdb}
        engine: {name: spark, master_env: SPARK_MASTER_URL}
        engine: {name: pandas, memory_share: 0.3}

    pandas (the default) loads every table into memory and refuses, before reading, a
    transactions source whose estimated size in memory exceeds ``memory_share`` of the
    memory available, with the advice to set ``engine: duckdb``. Options of another
    engine than the one named are an error (they would be ignored).

    Examples
    --------
    >>> EngineParameters.from_mapping({"name": "duckdb", "memory_limit": "2GB"}).options()
    {'memory_limit': '2GB'}
    >>> EngineParameters.from_mapping({"name": "duckd"})  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    workbench.parameters.ParameterError: key 'engine.name' is 'duckd'; allowed: one of
    ['pandas', 'duckdb', 'spark'] ...
    """

    section: ClassVar[str] = "engine"

    name: str = setting("pandas", Choice(*ENGINE_NAMES),
                        "pandas (in memory), duckdb (out of core, spills to disk) or spark (a cluster)")
    memory_share: float = setting(
        0.5, Number(0, 1, open_low=True),
        "pandas: the largest share of the available memory the loaded transactions may take")
    memory_limit: str | None = setting(None, Nullable(Text()), "duckdb: memory_limit, e.g. 6GB (spills past it)")
    temp_directory: str | None = setting(None, Nullable(Text()), "duckdb: where it spills (default a temporary folder)")
    threads: int | None = setting(None, Nullable(Integer(low=1)), "duckdb: worker threads (default: the cores)")
    database: str | None = setting(None, Nullable(Text()), "duckdb: a database file whose tables sources name")
    master: str | None = setting(None, Nullable(Text()), "spark: master URL written out, e.g. local[2]")
    master_env: str | None = setting(None, Nullable(Text()), "spark: environment variable holding the master URL")
    remote_env: str | None = setting(
        None, Nullable(Text()), "spark: environment variable holding a Spark Connect address")
    config: Mapping[str, Any] = setting(FrozenMapping(), SparkSettings(), "spark: Spark settings")
    app_name: str | None = setting(None, Nullable(Text()), "spark: the application's name")

    def __post_init__(self):
        super().__post_init__()
        defaults = {f.name: f.default for f in dataclasses.fields(self)}
        foreign = [key for engine, keys in _ENGINE_OPTIONS.items() if engine != self.name
                   for key in keys if getattr(self, key) != defaults[key]]
        if foreign:
            raise ParameterError(
                f"key 'engine' names {self.name} but sets {foreign}, option(s) of another engine; "
                f"allowed with {self.name}: {list(_ENGINE_OPTIONS[self.name])}")

    @classmethod
    def parse(cls, raw: Any, *, file: str | Path | None = None) -> EngineParameters:
        """The ``engine:`` value of a case file: absent, a name or a mapping.

        Raises
        ------
        ParameterError
            An unknown name or option, naming the file, the key and what is allowed.
        """
        if raw is None:
            return cls()
        if isinstance(raw, str):
            raw = {"name": raw}
        return cls.from_mapping(raw, file=file)

    def options(self) -> dict[str, Any]:
        """The engine's own options that the case file sets (for :func:`workbench.engines.engine`)."""
        changed = self.changed()
        out = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in changed.items()
               if k in _ENGINE_OPTIONS.get(self.name, ()) and self.name != "pandas"}
        return out


class CaseParameters(Mapping):
    """A case's parameters: topic -> parameter object, every registered topic present.

    Read a topic as an attribute (``params.value.abc_cuts``) or by name
    (``params["value"]``). Build it with :func:`parse_parameters`.
    """

    __slots__ = ("_topics",)

    def __init__(self, topics: Mapping[str, Parameters] | None = None):
        given = dict(topics or {})
        object.__setattr__(self, "_topics", {t: given.get(t, cls()) for t, cls in TOPICS.items()})

    def __getattr__(self, name: str) -> Parameters:
        if name.startswith("_"):  # not a topic; and copy/pickle probe before _topics exists
            raise AttributeError(name)
        try:
            return self._topics[name]
        except KeyError:
            raise AttributeError(f"no parameter topic {name!r}; topics: {list(TOPICS)}") from None

    def __setattr__(self, name, value):
        raise AttributeError("case parameters are read-only")

    def __getitem__(self, topic: str) -> Parameters:
        return self._topics[topic]

    def __iter__(self) -> Iterator[str]:
        return iter(self._topics)

    def __len__(self) -> int:
        return len(self._topics)

    def __repr__(self) -> str:
        changed = {t: p.changed() for t, p in self._topics.items() if p.changed()}
        return f"CaseParameters({changed or 'all defaults'})"

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Every topic's every setting, JSON-ready, for the manifest."""
        return {topic: params.to_dict() for topic, params in self._topics.items()}


def parse_parameters(raw: Any, *, file: str | Path | None = None,
                     base: Path | None = None) -> CaseParameters:
    """Validate a case file's ``parameters`` section.

    Parameters
    ----------
    raw : mapping or None
        Topic -> settings, as read from YAML; None or empty: all defaults.
    file : path-like, optional
        The case file, named in messages.
    base : path-like, optional
        Folder that file names in the parameters resolve against (the case file's);
        default the current directory.

    Returns
    -------
    CaseParameters

    Raises
    ------
    ParameterError
        An unknown topic (the allowed ones listed), or a topic's error
        (see :meth:`Parameters.from_mapping`).

    Examples
    --------
    >>> params = parse_parameters({"value": {"abc_cuts": [0.7, 0.9]}})
    >>> params.value.abc_cuts, params.value.key_accounts, params.lifecycle.churn_horizon
    ((0.7, 0.9), 20, None)
    >>> def problem(raw):
    ...     try:
    ...         parse_parameters(raw)
    ...     except ParameterError as exc:
    ...         print(exc)
    >>> problem({"value": {"abc_cut": [0.7, 0.9]}})  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    key 'parameters.value' has unknown key(s) ['abc_cut']; did you mean 'abc_cuts'?
    Allowed keys: recent_months (...
    >>> problem({"value": {"abc_cuts": "0.8,0.95"}})  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    key 'parameters.value.abc_cuts' is '0.8,0.95': a string, not a list; allowed: a list
    of 2 increasing numbers in (0, 1], e.g. [0.8, 0.95] (default [0.8, 0.95]: cumulative
    value shares closing ABC classes A and B)
    """
    where = f"{file}: " if file is not None else ""
    raw = {} if raw is None else raw
    if not isinstance(raw, Mapping):
        raise ParameterError(f"{where}key 'parameters' must be a mapping of topic -> settings; "
                             f"topics: {list(TOPICS)}")
    unknown = [t for t in raw if t not in TOPICS]
    if unknown:
        near = difflib.get_close_matches(str(unknown[0]), list(TOPICS), n=1)
        hint = f"; did you mean '{near[0]}'?" if near else "."
        raise ParameterError(f"{where}key 'parameters' has unknown topic(s) {unknown}{hint} "
                             "Allowed topics: " + "; ".join(
                                 f"{t} ({(c.__doc__ or '').splitlines()[0]})" for t, c in TOPICS.items()))
    return CaseParameters({topic: TOPICS[topic].from_mapping(settings, file=file, base=base)
                           for topic, settings in raw.items()})
