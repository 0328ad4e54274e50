"""The package's layers: a module imports only from its own layer or the ones below.

    foundation (io, schema, labels, resources, private helpers)
      <- cleaning, cases, parameters
      <- features
      <- analysis (value, clv, segmentation, lifecycle, satisfaction, overview, ...)
      <- datasets (the generators build on the analysis code)
      <- plotting, recorder
      <- reports
      <- cli

Layers are given by module-name prefixes, so a module split into a package
(``workbench.value`` -> ``workbench.value.abc``) keeps its layer. Every import statement
counts, also one inside a function. Cases reach the generators, two layers up, without
importing them: a generator is a ``workbench.generators`` entry point (pyproject.toml),
loaded by name when a case file uses it, as papermill loads its engines.
"""

import ast
from pathlib import Path

import pytest

#: lowest first; a module belongs to the layer of its longest matching prefix
# (future modules are placed already: allocation and funnel are planned analyses)
LAYERS = {
    "foundation": ("workbench", "workbench.io", "workbench.schema", "workbench.labels",
                   "workbench.resources", "workbench.privacy", "workbench._validation",
                   "workbench._periods", "workbench._xlsx", "workbench.lock",
                   "workbench.interactive"),
    # a survey's model spec says which columns are answer items, so loading a case reads it
    "cases": ("workbench.cleaning", "workbench.cases", "workbench.parameters",
              "workbench.satisfaction.spec", "workbench.cache"),
    # the engines compute the transaction-to-customer aggregates in DuckDB or Spark, beside
    # the pandas features
    "features": ("workbench.features", "workbench.engines"),
    "analysis": ("workbench.value", "workbench.clv", "workbench.segmentation", "workbench.lifecycle",
                 "workbench.satisfaction", "workbench.overview", "workbench.allocation",
                 "workbench.funnel"),
    "datasets": ("workbench.datasets",),
    # quality is the validate command's report: problems and advice in the case's language
    "presentation": ("workbench.plotting", "workbench.recorder", "workbench.formatting",
                     "workbench.workbook", "workbench.quality"),
    "reports": ("workbench.reports", "workbench.navigation", "workbench.summary",
                "workbench.series"),
    "cli": ("workbench.cli",),
}
RANK = {layer: i for i, layer in enumerate(LAYERS)}

#: (importer, imported) pairs known to point upwards, to be removed, not added to. Empty:
#: the churn-reason table moved from the N-company generator into workbench.lifecycle
#: (issue 10), which the generator now imports, downwards.
KNOWN_UPWARD: set[tuple[str, str]] = set()


def layer_of(module: str) -> str | None:
    """The layer of a module name, by its longest matching prefix; None if it has none.

    ``workbench`` itself (its ``__init__``) is a name, not a prefix: a new module must be
    placed, not fall into the foundation."""
    matches = [(len(prefix), layer) for layer, prefixes in LAYERS.items() for prefix in prefixes
               if module == prefix or (prefix != "workbench" and module.startswith(prefix + "."))]
    return max(matches)[1] if matches else None


def module_name(path: Path, src: Path) -> str:
    parts = path.relative_to(src).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, module: str, is_package: bool, known: set[str]) -> list[tuple[str, int]]:
    """The workbench modules a module's source imports, with line numbers.

    ``from workbench import io`` imports the module ``workbench.io`` when there is one (in
    ``known``), else a name of ``workbench`` itself; relative imports are resolved.
    """
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in known else target, node.lineno))
    return [(name, line) for name, line in found if name == "workbench" or name.startswith("workbench.")]


def upward_imports(sources: dict[str, tuple[str, bool]]) -> tuple[list[str], set[tuple[str, str]], list[str]]:
    """Check module name -> (source, is_package).

    Returns the upward imports not known, the known ones seen, and modules in no layer.
    """
    known = set(sources)
    problems, seen, unplaced = [], set(), []
    for module, (source, is_package) in sorted(sources.items()):
        own = layer_of(module)
        if own is None:
            unplaced.append(module)
            continue
        for target, line in imports(source, module, is_package, known):
            theirs = layer_of(target)
            if theirs is None or RANK[theirs] <= RANK[own]:
                continue
            pair = (_top(module), _top(target))
            if pair in KNOWN_UPWARD:
                seen.add(pair)
            else:
                problems.append(f"{module} (layer {own}) imports {target} (layer {theirs}) on line {line}")
    return problems, seen, unplaced


def _top(module: str) -> str:
    return ".".join(module.split(".")[:2])


def package_sources(root: Path) -> dict[str, tuple[str, bool]]:
    src = root / "src"
    return {module_name(p, src): (p.read_text(encoding="utf-8"), p.name == "__init__.py")
            for p in sorted((src / "workbench").rglob("*.py"))}


def test_no_module_imports_upwards(root):
    problems, seen, unplaced = upward_imports(package_sources(root))
    assert not unplaced, f"modules in no layer: {unplaced}; add their prefix to LAYERS in tests/test_layers.py"
    assert not problems, "upward imports (move the code down, or pass a callable up):\n" + "\n".join(problems)
    stale = KNOWN_UPWARD - seen
    assert not stale, f"{sorted(stale)} no longer import upwards: remove them from KNOWN_UPWARD"


def test_cases_reach_the_generators_without_importing_them(root):
    source, _ = package_sources(root)["workbench.cases"]
    assert "workbench.datasets" not in {t for t, _ in imports(source, "workbench.cases", False, set())}


@pytest.mark.parametrize(
    ("module", "source", "problem"),
    [
        ("workbench.io", "from workbench.reports import render_report",
         "workbench.io (layer foundation) imports workbench.reports (layer reports) on line 1"),
        ("workbench.cases", "def f():\n    from workbench import value\n",
         "workbench.cases (layer cases) imports workbench.value (layer analysis) on line 2"),
        ("workbench.value.abc", "from ..plotting import value",
         "workbench.value.abc (layer analysis) imports workbench.plotting.value (layer presentation)"),
        ("workbench.features", "import workbench.segmentation.kmeans as km",
         "workbench.features (layer features) imports workbench.segmentation.kmeans (layer analysis)"),
    ],
)
def test_the_check_finds_upward_imports_and_names_them(module, source, problem):
    known = {"workbench.value", "workbench.plotting.value", module}
    sources = {module: (source, False)} | {m: ("", False) for m in known - {module}}
    problems, _, _ = upward_imports(sources)
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_downward_and_same_layer_imports_pass_and_unknown_modules_are_reported():
    sources = {"workbench.segmentation": ("from workbench.value import EIGHT_CLASSES\nfrom workbench import io", False),
               "workbench.value": ("", False), "workbench.io": ("", False), "workbench.pricing": ("", False)}
    problems, _, unplaced = upward_imports(sources)
    assert problems == [] and unplaced == ["workbench.pricing"]
