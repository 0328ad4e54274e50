"""Names of segments: the Chinese RFM 8-class codes and the case file's rules.

A segment is named from whether its mean of each clustered column lies above the
overall mean (original units); the codes are translated for display by
:func:`workbench.labels.segment_label`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from workbench.value import EIGHT_CLASSES

__all__ = ["RFM_CLASSES", "name_segments", "rfm_class"]

#: (R high, F high, M high) -> class code of the Chinese RFM 8-class scheme, the codes
#: of :data:`workbench.value.EIGHT_CLASSES` (重要价值客户 important_value, 重要发展客户
#: important_development, ... 一般挽留客户 general_winback). "R high" means *recent*,
#: i.e. recency in days below the mean.
RFM_CLASSES = {pattern: code for code, pattern in EIGHT_CLASSES.items()}


def rfm_class(recent: bool, frequent: bool, monetary: bool) -> str:
    """The 8-class RFM code of a high/low pattern (see :data:`RFM_CLASSES`).

    Parameters
    ----------
    recent : bool
        R high: bought more recently than average (recency in days below the mean).
    frequent : bool
        F high: more purchases than average.
    monetary : bool
        M high: more spend than average.

    Returns
    -------
    str
        e.g. ``"important_value"`` (重要价值客户), as in :data:`workbench.value.EIGHT_CLASSES`.

    References
    ----------
    The Chinese 8-class RFM scheme of :func:`workbench.value.rfm_eight_classes`;
    ``tests/test_segmentation.py`` checks that the codes are the value module's.

    Examples
    --------
    >>> rfm_class(recent=True, frequent=False, monetary=True)  # 重要发展客户
    'important_development'
    """
    return RFM_CLASSES[(bool(recent), bool(frequent), bool(monetary))]


def _rfm_names(high: pd.DataFrame, rfm: Sequence[str]) -> dict[int, str] | None:
    """RFM class per cluster from a cluster x column frame of 'above the mean' flags."""
    r, f, m = rfm
    if not all(c in high.columns for c in rfm):
        return None
    return {int(s): rfm_class(not high.at[s, r], high.at[s, f], high.at[s, m]) for s in high.index}


def _apply_rules(high: pd.DataFrame, rules, defaults: dict[int, str] | None) -> dict[int, str]:
    names = {}
    for s in high.index:
        chosen = None
        for rule in rules:
            when = rule["when"]
            if all(bool(high.at[s, c]) == (v == "high") for c, v in when.items()):
                chosen = str(rule["name"])
                break
        names[int(s)] = chosen or (defaults[int(s)] if defaults else f"segment_{int(s) + 1}")
    return names


def _disambiguate(names: dict[int, str], standardized: pd.DataFrame | None = None) -> dict[int, str]:
    """Tell repeated names apart: by the trait that sets each segment apart from its
    namesakes, else by number in segment order (segments are numbered by size).

    With ``standardized`` (segment x column means in overall standard deviations), each
    segment of a repeated name gets ``<name>_higher_<column>`` or ``<name>_lower_<column>``
    for the column where its mean lies furthest from the mean of its namesakes' means
    (the first such column on a tie; columns without a mean for one of them are skipped).
    When two namesakes would get the same qualified name, or no column is left, that
    name's segments are numbered ``_1, _2, ...`` instead.
    """
    counts = pd.Series(names).value_counts()
    out = {s: n for s, n in names.items() if counts[n] == 1}
    for name in sorted(n for n in counts.index if counts[n] > 1):
        group = sorted(s for s in names if names[s] == name)
        qualified = None
        if standardized is not None:
            z = standardized.loc[group].dropna(axis=1)  # a column without a mean for one of them: not a trait
            if len(z.columns):
                qualified = {}
                for s in group:
                    gap = z.loc[s] - z.drop(index=s).mean()
                    column = gap.abs().idxmax()
                    qualified[s] = f"{name}_{'higher' if gap[column] > 0 else 'lower'}_{column}"
                if len(set(qualified.values())) < len(group):
                    qualified = None
        out.update(qualified or {s: f"{name}_{i}" for i, s in enumerate(group, start=1)})
    return {s: out[s] for s in sorted(names)}


def _check_rules(names, columns: Sequence[str]):
    if names is None or isinstance(names, Mapping):
        return
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError("names must be None (RFM 8-class names), a mapping {segment: name} or a list "
                        "of rules like {'name': 'vip', 'when': {'monetary_total': 'high'}}")
    for i, rule in enumerate(names):
        if not isinstance(rule, Mapping) or set(rule) != {"name", "when"}:
            raise ValueError(f"names rule {i}: {rule!r}; a rule is {{'name': ..., 'when': {{column: "
                             "'high' | 'low'}}}")
        for c, v in rule["when"].items():
            if c not in columns:
                raise ValueError(f"names rule {i} ({rule['name']!r}): column {c!r} is not clustered; "
                                 f"use one of {list(columns)}")
            if v not in ("high", "low"):
                raise ValueError(f"names rule {i} ({rule['name']!r}): {c}={v!r}; use 'high' or 'low'")


def name_segments(high: pd.DataFrame, *, names=None, rfm: Sequence[str] | None = ("recency_days", "frequency",
                                                                               "monetary_total"),
                  standardized: pd.DataFrame | None = None) -> dict[int, str]:
    """Name code per segment from its high/low pattern.

    Parameters
    ----------
    high : pandas.DataFrame
        Segment (index 0..k-1) x clustered column: True where the segment's mean is
        above the overall mean, in original units.
    names : None, mapping or list of rules
        As ``CustomerSegmenter(names=...)``: None for RFM 8-class names, a mapping
        {segment: name}, or rules ``{"name": ..., "when": {column: "high" | "low"}}``.
    rfm : (str, str, str) or None
        The columns read as R, F and M for the default names.
    standardized : pandas.DataFrame, optional
        Segment x clustered column: the segment's mean minus the overall mean, in overall
        standard deviations. Tells repeated names apart by the trait that sets each
        segment apart from its namesakes (``general_development_higher_tenure_days``,
        read 一般发展客户（客户关系时长较长）); without it they are numbered.

    Returns
    -------
    dict of int to str
        Segment -> name code; a repeated name qualified by its segment's distinguishing
        column (with ``standardized``) or numbered ``_1, _2`` in segment order.

    Raises
    ------
    ValueError
        When a mapping names segments outside 0..k-1, or a rule is malformed.

    References
    ----------
    The 8-class scheme of :func:`workbench.value.rfm_eight_classes` with mean cuts;
    ``tests/test_segmentation.py`` checks names against the profile table.

    Examples
    --------
    >>> high = pd.DataFrame({"recency_days": [False, True], "frequency": [True, False],
    ...                      "monetary_total": [True, False]})
    >>> name_segments(high)
    {0: 'important_value', 1: 'general_winback'}
    >>> twins = pd.DataFrame({"recency_days": [True, True], "frequency": [False, False],
    ...                       "monetary_total": [False, False], "tenure_days": [True, False]})
    >>> z = pd.DataFrame({"recency_days": [0.5, 0.6], "frequency": [-0.4, -0.5],
    ...                   "monetary_total": [-0.3, -0.2], "tenure_days": [0.9, -1.4]})
    >>> name_segments(twins, standardized=z)
    {0: 'general_winback_higher_tenure_days', 1: 'general_winback_lower_tenure_days'}
    >>> name_segments(twins)
    {0: 'general_winback_1', 1: 'general_winback_2'}
    """
    _check_rules(names, list(high.columns))
    k = len(high)
    defaults = _rfm_names(high, rfm) if rfm is not None else None
    if isinstance(names, Mapping):
        unknown = [s for s in names if s not in range(k)]
        if unknown:
            raise ValueError(f"names has segment(s) {unknown}; segments are 0..{k - 1} (numbered by size)")
        chosen = {s: str(names.get(s, defaults[s] if defaults else f"segment_{s + 1}")) for s in range(k)}
    else:
        chosen = _apply_rules(high, names or [], defaults)
    if standardized is not None:
        standardized = standardized.reindex(index=range(k))[[c for c in standardized.columns if c in high.columns]]
    return _disambiguate(chosen, standardized)
