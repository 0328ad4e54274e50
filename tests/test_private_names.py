"""No private name crosses a module boundary, except out of the package's private modules.

A leading underscore says "this may change without notice". Inside one top-level module
or package (``workbench.value.abc`` using ``workbench.value._frames._check_frame``) that
is a promise kept by the people who change the package; across top-level modules it is
a hidden coupling: ``clv`` used to import ``features._day``, so a change to features'
internals broke the CLV code. Helpers several modules need live in the private
modules ``workbench._validation`` (frames, columns, choices, transactions) and
``workbench._periods`` (dates, day numbers, calendar periods), whose names may be
imported anywhere; a module's own helper that another module needs becomes public.

Both ways of reaching a name count: ``from workbench.features import _day`` and
``features._day(...)`` after ``from workbench import features``.
"""

import ast
from pathlib import Path

import pytest

#: (importer, imported module, name) crossings left to another change, to be removed, not
#: added to. Empty today: ``workbench.segmentation`` (being rebuilt on scikit-learn's base
#: in issue 10, item 3) imports no private name across a boundary; list a crossing here
#: only with the issue that will remove it.
ALLOWED: set[tuple[str, str, str]] = set()


def module_name(path: Path, src: Path) -> tuple[str, bool]:
    parts = path.relative_to(src).with_suffix("").parts
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def top(module: str) -> str:
    """``workbench.value.abc`` -> ``workbench.value``: the boundary a name may not cross."""
    return ".".join(module.split(".")[:2])


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_crossings(source: str, module: str, is_package: bool, known: set[str]) -> list[tuple[str, str, int]]:
    """(imported module, private name, line) for each private name the source takes from
    another top-level workbench module that is not itself private (``workbench._x``)."""
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # local name -> workbench module it is bound to
    found = []

    def crosses(target: str) -> bool:
        return (target.startswith("workbench.") and top(target) != top(module)
                and not top(target).split(".")[1].startswith("_"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("workbench."):
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:  # ``from workbench import io`` binds a module
                    aliases[alias.asname or alias.name] = sub
                elif is_private(alias.name) and crosses(target):
                    found.append((target, alias.name, node.lineno))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            chain, value = [node.attr], node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in aliases:
                target = aliases[value.id]
                if crosses(target):
                    found.append((target, node.attr, node.lineno))
    return found


def package_sources(root: Path) -> dict[str, tuple[str, bool]]:
    src = root / "src"
    out = {}
    for path in sorted((src / "workbench").rglob("*.py")):
        name, is_package = module_name(path, src)
        out[name] = (path.read_text(encoding="utf-8"), is_package)
    return out


def all_crossings(sources: dict[str, tuple[str, bool]]) -> set[tuple[str, str, str, int]]:
    known = set(sources)
    return {(module, target, name, line) for module, (source, is_package) in sources.items()
            for target, name, line in private_crossings(source, module, is_package, known)}


def test_no_private_name_crosses_a_module_boundary(root):
    found = all_crossings(package_sources(root))
    new = sorted(c for c in found if c[:3] not in ALLOWED)
    assert not new, ("private names used across modules (make the helper public in its module, or move "
                     "it to workbench._validation / workbench._periods):\n"
                     + "\n".join(f"{m} line {line}: {t}.{n}" for m, t, n, line in new))
    stale = ALLOWED - {c[:3] for c in found}
    assert not stale, f"{sorted(stale)} no longer cross: remove them from ALLOWED"


def test_the_private_modules_are_in_the_foundation_layer():
    from test_layers import layer_of

    assert layer_of("workbench._validation") == layer_of("workbench._periods") == "foundation"


KNOWN = {"workbench.features", "workbench.io", "workbench._periods", "workbench.value._frames",
         "workbench.value.abc", "workbench.clv", "workbench.cases"}


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("workbench.clv", "from workbench.features import TIME_UNIT_DAYS, _day", [("workbench.features", "_day", 1)]),
        ("workbench.cases", "from workbench import io\n\ndef f(v):\n    return io._marker_key(v)\n",
         [("workbench.io", "_marker_key", 4)]),
        ("workbench.cases", "import workbench.features as f\nf._day('2024-01-01', 'x')",
         [("workbench.features", "_day", 2)]),
        ("workbench.lifecycle.stages", "def g():\n    from ..features import _is_return\n",
         [("workbench.features", "_is_return", 2)]),
        # allowed: the private modules, the same package, dunders, public names
        ("workbench.clv", "from workbench._periods import _day\nfrom workbench import _periods\n_periods._iso(1)",
         []),
        ("workbench.value.abc", "from workbench.value._frames import _check_frame\nfrom ._frames import _numeric",
         []),
        ("workbench.clv", "from workbench.features import customer_features\nimport workbench.io as io\nio.__name__",
         []),
    ],
)
def test_the_scan_finds_crossings_and_only_crossings(module, source, expected):
    assert private_crossings(source, module, False, KNOWN) == expected


def test_no_data_travels_in_dataframe_attrs():
    """Issue 10, item 4: ``DataFrame.attrs`` is experimental in pandas and dropped by merge
    and concat; results are frozen objects and readers return what they found."""
    import re
    from pathlib import Path

    source = Path(__file__).resolve().parents[1] / "src" / "workbench"
    uses = [f"{path.relative_to(source)}:{n}" for path in sorted(source.rglob("*.py"))
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r"\.attrs\s*[\[.=]", line) and not line.lstrip().startswith("#")]
    assert not uses, f"DataFrame.attrs used at {uses}"
