"""Model specs of satisfaction surveys: constructs, items, modes, scale and paths.

A spec is a small YAML file (shipped ones live in ``workbench/specs/``)::

    name: ecsi_mobi
    scale: {min: 1, max: 10}
    constructs:
      IMAG: {items: [IMAG1, IMAG2], mode: A}          # A = reflective, B = formative
      CUSL: {items: [CUSL1, CUSL2], mode: A, reverse: [CUSL2]}
    paths:
      - [IMAG, CUSL]                                  # source, target
    roles: {satisfaction: CUSA, loyalty: CUSL, target: CUSL}   # optional
    recommend: {item: CUSL3, scale: {min: 1, max: 10}}         # optional, for NPS

Validation happens once, here, so every analysis can trust the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

__all__ = ["ModelSpec", "SpecError", "list_specs", "load_spec", "item_matrix"]

_MODES = {"A": "A", "reflective": "A", "B": "B", "formative": "B"}


class SpecError(ValueError):
    """A model spec that cannot describe a path model (says what and where)."""


@dataclass(frozen=True)
class ModelSpec:
    """A validated path-model spec.

    Attributes
    ----------
    name : str
    constructs : dict
        Construct -> tuple of item columns, in causal (topological) order.
    modes : dict
        Construct -> "A" (reflective, correlation weights) or "B" (formative,
        regression weights).
    reverse : tuple of str
        Reverse-coded items; analyses use ``min + max - x`` for them.
    scale : tuple of float
        (min, max) of the answer scale.
    paths : tuple of (str, str)
        Structural paths (source, target).
    roles : dict
        Optional ``satisfaction``, ``loyalty``, ``target`` construct names.
    recommend : dict or None
        ``{"item": column, "scale": (min, max)}`` of a recommend item for NPS.
    title : dict
        zh/en titles.
    """

    name: str
    constructs: dict[str, tuple[str, ...]]
    modes: dict[str, str]
    reverse: tuple[str, ...]
    scale: tuple[float, float]
    paths: tuple[tuple[str, str], ...]
    roles: dict[str, str] = field(default_factory=dict)
    recommend: dict | None = None
    title: dict = field(default_factory=dict)

    @property
    def items(self) -> list[str]:
        """All item columns, block by block."""
        return [i for items in self.constructs.values() for i in items]

    @property
    def construct_names(self) -> list[str]:
        return list(self.constructs)

    @property
    def endogenous(self) -> list[str]:
        """Constructs with at least one incoming path, in causal order."""
        targets = {t for _, t in self.paths}
        return [c for c in self.constructs if c in targets]

    def sources(self, target: str) -> list[str]:
        """Predecessors of ``target``, in causal order."""
        src = {s for s, t in self.paths if t == target}
        return [c for c in self.constructs if c in src]

    def item_construct(self) -> dict[str, str]:
        return {i: c for c, items in self.constructs.items() for i in items}

    def role(self, name: str) -> str:
        """The construct playing ``name`` ("satisfaction", "loyalty", "target")."""
        if name not in self.roles:
            raise SpecError(f"spec {self.name!r} names no {name!r} construct; add "
                            f"roles: {{{name}: <construct>}} (constructs: {self.construct_names})")
        return self.roles[name]

    def adjacency(self) -> np.ndarray:
        """``D[s, t] = 1`` for a path s -> t, constructs in spec order."""
        k = {c: i for i, c in enumerate(self.constructs)}
        d = np.zeros((len(k), len(k)))
        for s, t in self.paths:
            d[k[s], k[t]] = 1.0
        return d

    def to_frame(self) -> pd.DataFrame:
        """One row per item: construct, item, mode, reverse_coded."""
        return pd.DataFrame(
            [(c, i, self.modes[c], i in self.reverse)
             for c, items in self.constructs.items() for i in items],
            columns=["construct", "item", "mode", "reverse_coded"],
        )


def _specs_dir():
    return files("workbench").joinpath("specs")


def list_specs() -> list[str]:
    """Names of the specs shipped with the package (``workbench/specs/*.yaml``)."""
    return sorted(p.name[:-5] for p in _specs_dir().iterdir() if p.name.endswith(".yaml"))


def load_spec(spec: str | Path | Mapping | ModelSpec, *, columns=None) -> ModelSpec:
    """Read and validate a model spec.

    Parameters
    ----------
    spec : str, path, mapping or ModelSpec
        A shipped spec name (``"ecsi_mobi"``, ``"acsi"``, ``"ncompany_ecsi"``), a YAML
        file path, or the parsed mapping.
    columns : iterable of str, optional
        Survey columns; when given, every item must be one of them.

    Returns
    -------
    ModelSpec

    Raises
    ------
    SpecError
        Unknown mode, construct without items, item in two blocks, path naming an
        unknown construct, self-loop or cyclic paths, bad scale, unknown item (when
        ``columns`` is given), reverse item outside its block.
    """
    if isinstance(spec, ModelSpec):
        out = spec
    else:
        where = "spec"
        if isinstance(spec, Mapping):
            raw = dict(spec)
        else:
            path = Path(spec)
            if not path.suffix and str(spec) in list_specs():
                text = _specs_dir().joinpath(f"{spec}.yaml").read_text(encoding="utf-8")
                where = f"shipped spec {spec!r}"
            elif path.is_file():
                text = path.read_text(encoding="utf-8")
                where = str(path)
            else:
                raise SpecError(f"no spec {str(spec)!r}: not a file and not one of the "
                                f"shipped specs {list_specs()}")
            raw = yaml.safe_load(text)
            if not isinstance(raw, Mapping):
                raise SpecError(f"{where}: expected a mapping at the top level")
        out = _parse(raw, where)
    if columns is not None:
        cols = set(columns)
        missing = [i for i in out.items if i not in cols]
        if missing:
            raise SpecError(f"spec {out.name!r}: {len(missing)} item(s) not in the survey: "
                            f"{missing}; survey columns are {sorted(map(str, cols))}")
    return out


def _parse(raw: Mapping[str, Any], where: str) -> ModelSpec:
    name = str(raw.get("name", "model"))
    scale = raw.get("scale")
    if not isinstance(scale, Mapping) or not {"min", "max"} <= set(scale):
        raise SpecError(f"{where}: 'scale' must be a mapping with min and max, e.g. "
                        "scale: {min: 1, max: 7}")
    lo, hi = float(scale["min"]), float(scale["max"])
    if not lo < hi:
        raise SpecError(f"{where}: scale min ({lo}) must be below max ({hi})")
    blocks = raw.get("constructs")
    if not isinstance(blocks, Mapping) or not blocks:
        raise SpecError(f"{where}: 'constructs' must map construct names to their items")
    constructs: dict[str, tuple[str, ...]] = {}
    modes: dict[str, str] = {}
    reverse: list[str] = []
    seen: dict[str, str] = {}
    for c, block in blocks.items():
        c = str(c)
        block = {"items": block} if isinstance(block, list) else dict(block or {})
        items = [str(i) for i in block.get("items") or []]
        if not items:
            raise SpecError(f"{where}: construct {c!r} has no items; give it "
                            "items: [<column>, ...]")
        for i in items:
            if i in seen:
                raise SpecError(f"{where}: item {i!r} is in both {seen[i]!r} and {c!r}")
            seen[i] = c
        mode = str(block.get("mode", "A"))
        if mode not in _MODES:
            raise SpecError(f"{where}: construct {c!r} has mode {mode!r}; use one of "
                            f"{sorted(_MODES)}")
        rev = [str(i) for i in block.get("reverse") or []]
        bad = [i for i in rev if i not in items]
        if bad:
            raise SpecError(f"{where}: reverse-coded item(s) {bad} of {c!r} are not "
                            f"among its items {items}")
        constructs[c], modes[c] = tuple(items), _MODES[mode]
        reverse += rev
    for i in raw.get("reverse_coded") or []:  # a top-level list is also accepted
        if str(i) not in seen:
            raise SpecError(f"{where}: reverse-coded item {i!r} is in no construct")
        reverse.append(str(i))
    paths = []
    for p in raw.get("paths") or []:
        if not isinstance(p, list | tuple) or len(p) != 2:
            raise SpecError(f"{where}: each path is [source, target]; got {p!r}")
        s, t = str(p[0]), str(p[1])
        unknown = [x for x in (s, t) if x not in constructs]
        if unknown:
            raise SpecError(f"{where}: path {s} -> {t} names unknown construct(s) "
                            f"{unknown}; constructs are {list(constructs)}")
        if s == t:
            raise SpecError(f"{where}: path {s} -> {t} is a self-loop")
        if (s, t) not in paths:
            paths.append((s, t))
    if not paths:
        raise SpecError(f"{where}: 'paths' is empty; a path model needs at least one "
                        "[source, target]")
    order = _causal_order(list(constructs), paths, where)
    roles = {str(k): str(v) for k, v in (raw.get("roles") or {}).items()}
    for role, c in roles.items():
        if c not in constructs:
            raise SpecError(f"{where}: role {role!r} names unknown construct {c!r}")
    rec = raw.get("recommend")
    if rec is not None:
        if isinstance(rec, str):
            rec = {"item": rec}
        rscale = rec.get("scale") or {"min": lo, "max": hi}
        rec = {"item": str(rec["item"]), "scale": (float(rscale["min"]), float(rscale["max"]))}
    return ModelSpec(
        name=name,
        constructs={c: constructs[c] for c in order},
        modes={c: modes[c] for c in order},
        reverse=tuple(dict.fromkeys(reverse)),
        scale=(lo, hi),
        paths=tuple(paths),
        roles=roles,
        recommend=rec,
        title=dict(raw.get("title") or {}),
    )


def _causal_order(nodes: list[str], paths, where: str) -> list[str]:
    """Topological order (Kahn), stable in spec order; a cycle is an error."""
    indeg = {c: 0 for c in nodes}
    for _, t in paths:
        indeg[t] += 1
    order, ready = [], [c for c in nodes if indeg[c] == 0]
    while ready:
        c = ready.pop(0)
        order.append(c)
        for s, t in paths:
            if s == c:
                indeg[t] -= 1
                if indeg[t] == 0:
                    ready.append(t)
        ready.sort(key=nodes.index)
    if len(order) < len(nodes):
        cyc = [c for c in nodes if c not in order]
        raise SpecError(f"{where}: the paths are cyclic among {cyc}; PLS path models "
                        "here are recursive (no feedback loops)")
    return order


def item_matrix(survey: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    """The spec's items as floats, reverse-coded items recoded as ``min + max - x``.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey frame holding every item of ``spec``.
    spec : ModelSpec

    Returns
    -------
    pandas.DataFrame
        Items in spec order (block by block), same index as ``survey``.
    """
    spec = load_spec(spec, columns=survey.columns)
    try:
        x = survey[spec.items].astype(float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"spec {spec.name!r}: items must be numeric; run "
                        f"clean_survey first to quarantine non-numeric answers ({exc})") from exc
    lo, hi = spec.scale
    for i in spec.reverse:
        x[i] = lo + hi - x[i]
    return x
