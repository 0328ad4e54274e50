"""Model specs of satisfaction surveys: constructs, items, modes, scale and paths.

A spec is a small YAML file (shipped ones live in ``workbench/specs/``)::

    name: ecsi_mobi
    scale: {min: 1, max: 10}                          # step: 1 (default), or null
    constructs:
      IMAG: {items: [IMAG1, IMAG2], mode: A}          # A = reflective, B = formative
      CUSL: {items: [CUSL1, CUSL2], mode: A, reverse: [CUSL2]}
    paths:
      - [IMAG, CUSL]                                  # source, target
    roles: {satisfaction: CUSA, loyalty: CUSL, target: CUSL}   # optional
    recommend: {item: CUSL3, scale: {min: 1, max: 10}}         # optional, for NPS

Validation happens once, here, so every analysis can trust the spec: unknown keys,
values of the wrong type and constructs outside the path model are errors that name
the spec, the key and what is allowed.
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

_MODES = ("A", "B")
_TOP_KEYS = ("name", "title", "scale", "constructs", "paths", "roles", "recommend",
             "reverse_coded")
_BLOCK_KEYS = ("items", "mode", "reverse")
_SCALE_KEYS = ("min", "max", "step")
_RECOMMEND_KEYS = ("item", "scale")
_ROLES = ("satisfaction", "loyalty", "target")
_TITLE_KEYS = ("zh", "en")


class SpecError(ValueError):
    """A model spec that cannot describe a path model (says what and where).

    Examples
    --------
    >>> try:
    ...     load_spec({"name": "bad", "scale": {"min": 1, "max": 5}, "constructs": {"X": ["x1"]}, "paths": []})
    ... except SpecError as error:
    ...     print(error)
    spec 'bad': 'paths' is empty; a path model needs at least one [source, target]
    """


@dataclass(frozen=True)
class ModelSpec:
    """A validated path-model spec (made by :func:`load_spec`).

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
    scale_step : float or None, default 1.0
        Distance between neighbouring answers (1 for an integer Likert scale); answers
        must be ``min + k * scale_step``. None declares a continuous scale.

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> from workbench.satisfaction import load_spec
    >>> model_spec = load_spec(spec)
    >>> model_spec.construct_names, model_spec.paths, model_spec.scale
    (['X', 'Y'], (('X', 'Y'),), (1.0, 5.0))
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
    scale_step: float | None = 1.0

    @property
    def items(self) -> list[str]:
        """All item columns, block by block (constructs in causal order).

        Returns
        -------
        list of str
        """
        return [i for items in self.constructs.values() for i in items]

    @property
    def construct_names(self) -> list[str]:
        """Construct names in causal (topological) order, sources before targets.

        Returns
        -------
        list of str
            The order of the rows and columns of every construct-by-construct matrix
            (:meth:`adjacency`, latent correlations, total effects).
        """
        return list(self.constructs)

    @property
    def endogenous(self) -> list[str]:
        """Constructs with at least one incoming path, in causal order.

        Returns
        -------
        list of str
        """
        targets = {t for _, t in self.paths}
        return [c for c in self.constructs if c in targets]

    def sources(self, target: str) -> list[str]:
        """Predecessors of ``target``, in causal order.

        Parameters
        ----------
        target : str
            A construct name.

        Returns
        -------
        list of str
            Constructs with a path to ``target`` (empty for an exogenous construct).
        """
        src = {s for s, t in self.paths if t == target}
        return [c for c in self.constructs if c in src]

    def item_construct(self) -> dict[str, str]:
        """Item -> the construct it measures.

        Returns
        -------
        dict
            Item column -> construct name, items in :attr:`items` order (each item
            belongs to exactly one block; :func:`load_spec` enforces it).
        """
        return {i: c for c, items in self.constructs.items() for i in items}

    def role(self, name: str) -> str:
        """The construct playing a role in the decision tables.

        Parameters
        ----------
        name : {"satisfaction", "loyalty", "target"}

        Returns
        -------
        str
            The construct named under ``roles`` in the spec.

        Raises
        ------
        SpecError
            When the spec names no construct for ``name``.
        """
        if name not in self.roles:
            raise SpecError(f"spec {self.name!r} names no {name!r} construct; add "
                            f"roles: {{{name}: <construct>}} (constructs: {self.construct_names})")
        return self.roles[name]

    def adjacency(self) -> np.ndarray:
        """The path matrix of the inner model.

        Returns
        -------
        numpy.ndarray
            (J, J) with ``D[s, t] = 1`` for a path s -> t and 0 elsewhere, constructs
            in :attr:`construct_names` order (so D is strictly upper triangular).
        """
        k = {c: i for i, c in enumerate(self.constructs)}
        d = np.zeros((len(k), len(k)))
        for s, t in self.paths:
            d[k[s], k[t]] = 1.0
        return d

    def to_frame(self) -> pd.DataFrame:
        """The measurement model as a table.

        Returns
        -------
        pandas.DataFrame
            One row per item: ``construct``, ``item``, ``mode``, ``reverse_coded``.
        """
        return pd.DataFrame(
            [(c, i, self.modes[c], i in self.reverse)
             for c, items in self.constructs.items() for i in items],
            columns=["construct", "item", "mode", "reverse_coded"],
        )


def _specs_dir():
    return files("workbench").joinpath("specs")


def list_specs() -> list[str]:
    """Names of the specs shipped with the package.

    Returns
    -------
    list of str
        Stems of ``workbench/specs/*.yaml``, sorted.

    Examples
    --------
    >>> {"acsi", "ecsi_mobi", "ncompany_ecsi"} <= set(list_specs())
    True
    """
    return sorted(p.name[:-5] for p in _specs_dir().iterdir() if p.name.endswith(".yaml"))


def load_spec(spec: str | Path | Mapping | ModelSpec, *, columns=None) -> ModelSpec:
    """Read and validate a model spec.

    Parameters
    ----------
    spec : str, path, mapping or ModelSpec
        A shipped spec name (``"ecsi_mobi"``, ``"acsi"``, ``"ncompany_ecsi"``), a YAML
        file path, or the parsed mapping.
    columns : iterable of str, optional
        Survey columns; when given, every item and the ``recommend`` item must be one
        of them.

    Returns
    -------
    ModelSpec

    Raises
    ------
    SpecError
        Naming the spec (file or name), the key and what is allowed, for: an unknown
        key (top level: name, title, scale, constructs, paths, roles, recommend,
        reverse_coded; in a construct: items, mode, reverse; in a scale: min, max,
        step; in recommend: item, scale; roles: satisfaction, loyalty, target); a value
        of the wrong type (a construct or its ``items`` that are not a list of column
        names, a scale bound that is not a number); a scale with min >= max, a step
        that is not positive or does not divide max - min; a mode other than A or B;
        a construct without items or with an item twice; an item in two blocks; a
        reverse-coded item outside its block; a path that is not [source, target],
        names an unknown construct, is a self-loop or closes a cycle; a construct in
        no path; a role naming an unknown construct; ``recommend`` without ``item``;
        an item or the recommend item not among ``columns`` (when given).

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> model_spec = load_spec(spec, columns=survey.columns)
    >>> model_spec.items, model_spec.reverse
    (['x1', 'x2', 'y1', 'y2', 'y3'], ('y3',))
    """
    if isinstance(spec, ModelSpec):
        out = spec
    else:
        if isinstance(spec, Mapping):
            raw = dict(spec)
            where = f"spec {str(raw.get('name', 'model'))!r}"
        else:
            path = Path(spec)
            if not path.suffix and str(spec) in list_specs():
                text = _specs_dir().joinpath(f"{spec}.yaml").read_text(encoding="utf-8")
                where = f"shipped spec {spec!r}"
            elif path.is_file():
                text = path.read_text(encoding="utf-8")
                where = f"spec file {path}"
            else:
                raise SpecError(f"no spec {str(spec)!r}: not a file and not one of the "
                                f"shipped specs {list_specs()}")
            raw = yaml.safe_load(text)
            if not isinstance(raw, Mapping):
                raise SpecError(f"{where}: expected a mapping at the top level (name, "
                                f"scale, constructs, paths, ...), got {type(raw).__name__}")
        out = _parse(raw, where)
    if columns is not None:
        cols = set(columns)
        missing = [i for i in out.items if i not in cols]
        if missing:
            raise SpecError(f"spec {out.name!r}: {len(missing)} item(s) not in the survey: "
                            f"{missing}; survey columns are {sorted(map(str, cols))}")
        if out.recommend is not None and out.recommend["item"] not in cols:
            raise SpecError(f"spec {out.name!r}: recommend item {out.recommend['item']!r} is "
                            f"not in the survey; name one of the survey columns "
                            f"{sorted(map(str, cols))} or drop 'recommend'")
    return out


def _keys(mapping: Mapping, allowed, where: str, what: str) -> None:
    unknown = [str(k) for k in mapping if k not in allowed]
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {unknown} in {what}; allowed keys are "
                        f"{list(allowed)}")


def _number(value, where: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise SpecError(f"{where}: {key} must be a finite number, got {value!r}")
    return float(value)


def _names(value, where: str, key: str) -> list[str]:
    """A list of column (or construct) names; a bare string is an error, not split."""
    example = f"[{value}]" if isinstance(value, str) else "[x1, x2]"
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise SpecError(f"{where}: {key} must be a list of column names, e.g. "
                        f"{key.split('.')[-1]}: {example}; got {value!r}")
    return list(value)


def _scale(scale, where: str, key: str, *, with_step: bool = True):
    """(min, max, step) of a scale mapping; step 1 unless given, None = continuous."""
    allowed = _SCALE_KEYS if with_step else ("min", "max")
    if not isinstance(scale, Mapping) or not {"min", "max"} <= set(scale):
        raise SpecError(f"{where}: {key!r} must be a mapping with min and max, e.g. "
                        f"{key}: {{min: 1, max: 7}}; got {scale!r}")
    _keys(scale, allowed, where, repr(key))
    lo = _number(scale["min"], where, f"{key}.min")
    hi = _number(scale["max"], where, f"{key}.max")
    if not lo < hi:
        raise SpecError(f"{where}: {key} min ({lo:g}) must be below max ({hi:g})")
    if not with_step:
        return lo, hi, None
    step = scale.get("step", 1.0)
    if step is not None:
        step = _number(step, where, f"{key}.step")
        n_steps = (hi - lo) / step if step > 0 else np.nan
        if not np.isclose(n_steps, np.round(n_steps), rtol=0, atol=1e-9) or n_steps < 1:
            raise SpecError(f"{where}: {key}.step ({step:g}) must be positive and divide "
                            f"max - min ({hi - lo:g}) into whole steps; use step: null for a "
                            "continuous scale")
    return lo, hi, step


def _parse(raw: Mapping[str, Any], where: str) -> ModelSpec:
    _keys(raw, _TOP_KEYS, where, "the spec")
    name = raw.get("name", "model")
    if not isinstance(name, str):
        raise SpecError(f"{where}: 'name' must be a string, got {name!r}")
    lo, hi, step = _scale(raw.get("scale"), where, "scale")
    blocks = raw.get("constructs")
    if not isinstance(blocks, Mapping) or not blocks:
        raise SpecError(f"{where}: 'constructs' must map construct names to their items, "
                        "e.g. constructs: {CUSA: {items: [CUSA1, CUSA2], mode: A}}")
    constructs: dict[str, tuple[str, ...]] = {}
    modes: dict[str, str] = {}
    reverse: list[str] = []
    seen: dict[str, str] = {}
    for c, block in blocks.items():
        c = str(c)
        if isinstance(block, list | tuple):
            block = {"items": block}
        elif block is None:
            block = {}
        elif not isinstance(block, Mapping):
            raise SpecError(f"{where}: construct {c!r} must be a list of items or a mapping "
                            f"with keys {list(_BLOCK_KEYS)}, e.g. {c}: {{items: [{c}1, {c}2], "
                            f"mode: A}}; got {block!r}")
        _keys(block, _BLOCK_KEYS, where, f"construct {c!r}")
        items = _names(block.get("items") or [], where, f"constructs.{c}.items")
        if not items:
            raise SpecError(f"{where}: construct {c!r} has no items; give it "
                            "items: [<column>, ...]")
        twice = sorted({i for i in items if items.count(i) > 1})
        if twice:
            raise SpecError(f"{where}: construct {c!r} lists item(s) {twice} more than once")
        for i in items:
            if i in seen:
                raise SpecError(f"{where}: item {i!r} is in both {seen[i]!r} and {c!r}")
            seen[i] = c
        mode = block.get("mode", "A")
        if mode not in _MODES:
            raise SpecError(f"{where}: construct {c!r} has mode {mode!r}; use A (reflective, "
                            "correlation weights) or B (formative, regression weights)")
        rev = _names(block.get("reverse") or [], where, f"constructs.{c}.reverse")
        bad = [i for i in rev if i not in items]
        if bad:
            raise SpecError(f"{where}: reverse-coded item(s) {bad} of {c!r} are not "
                            f"among its items {items}")
        constructs[c], modes[c] = tuple(items), mode
        reverse += rev
    for i in _names(raw.get("reverse_coded") or [], where, "reverse_coded"):
        if i not in seen:
            raise SpecError(f"{where}: reverse-coded item {i!r} is in no construct; items "
                            f"are {list(seen)}")
        reverse.append(i)
    paths = _paths(raw.get("paths"), constructs, where)
    order = _causal_order(list(constructs), paths, where)
    return ModelSpec(
        name=name,
        constructs={c: constructs[c] for c in order},
        modes={c: modes[c] for c in order},
        reverse=tuple(dict.fromkeys(reverse)),
        scale=(lo, hi),
        paths=tuple(paths),
        roles=_roles(raw.get("roles"), constructs, where),
        recommend=_recommend(raw.get("recommend"), (lo, hi), where),
        title=_title(raw.get("title"), where),
        scale_step=step,
    )


def _paths(raw, constructs, where: str) -> list[tuple[str, str]]:
    if raw is not None and not isinstance(raw, list | tuple):
        raise SpecError(f"{where}: 'paths' must be a list of [source, target] pairs, "
                        f"got {raw!r}")
    paths: list[tuple[str, str]] = []
    for p in raw or []:
        if not isinstance(p, list | tuple) or len(p) != 2 or \
                not all(isinstance(x, str) for x in p):
            raise SpecError(f"{where}: each path is [source, target] (two construct "
                            f"names); got {p!r}")
        s, t = p
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
    linked = {c for p in paths for c in p}
    isolated = [c for c in constructs if c not in linked]
    if isolated:
        # PLS estimates a block from its neighbours' scores: with none, its inner
        # proxy is zero and the weights are undefined
        raise SpecError(f"{where}: construct(s) {isolated} appear in no path; give each "
                        "construct at least one path [source, target] or remove it "
                        "from 'constructs'")
    return paths


def _roles(raw, constructs, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where}: 'roles' must be a mapping role -> construct with roles "
                        f"{list(_ROLES)}, e.g. roles: {{satisfaction: CUSA, loyalty: CUSL, "
                        f"target: CUSL}}; got {raw!r}")
    _keys(raw, _ROLES, where, "'roles'")
    for role, c in raw.items():
        if not isinstance(c, str) or c not in constructs:
            raise SpecError(f"{where}: role {role!r} names unknown construct {c!r}; "
                            f"constructs are {list(constructs)}")
    return dict(raw)


def _recommend(raw, scale, where: str) -> dict | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = {"item": raw}
    if not isinstance(raw, Mapping) or "item" not in raw:
        raise SpecError(f"{where}: 'recommend' must name its item, e.g. recommend: "
                        f"{{item: CUSL3, scale: {{min: 1, max: 10}}}}; got {raw!r}")
    _keys(raw, _RECOMMEND_KEYS, where, "'recommend'")
    item = raw["item"]
    if not isinstance(item, str):
        raise SpecError(f"{where}: recommend.item must be a column name, got {item!r}")
    if raw.get("scale") is None:
        lo, hi = scale
    else:
        lo, hi, _ = _scale(raw["scale"], where, "recommend.scale", with_step=False)
    return {"item": item, "scale": (lo, hi)}


def _title(raw, where: str) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where}: 'title' must be a mapping with keys {list(_TITLE_KEYS)}, "
                        f"got {raw!r}")
    _keys(raw, _TITLE_KEYS, where, "'title'")
    return {str(k): str(v) for k, v in raw.items()}


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
    spec : ModelSpec or spec name/path/mapping

    Returns
    -------
    pandas.DataFrame
        Items in spec order (block by block), same index as ``survey``.

    Raises
    ------
    TypeError
        When an item column holds values that are not numbers.

    Examples
    --------
    The two-construct spec and six-respondent survey of ``tests/test_satisfaction.py`` (y3 reverse-coded):

    >>> import pandas as pd
    >>> from workbench.satisfaction import pls_path_model
    >>> spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
    ...         "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"], "reverse": ["y3"]}},
    ...         "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    >>> survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
    ...                        "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
    ...                        "y3": [5, 4, 2, 1, 1, 3]})
    >>> from workbench.satisfaction import load_spec
    >>> item_matrix(survey, load_spec(spec)).head(2)  # y3 reverse-coded
        x1   x2   y1   y2   y3
    0  1.0  1.0  2.0  1.0  1.0
    1  2.0  3.0  2.0  3.0  2.0
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
