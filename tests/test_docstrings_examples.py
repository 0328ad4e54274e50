"""Every public function and result class of the analysis code shows an Examples doctest.

Issue 10, item 8: "an Examples section (a doctest from the hand-worked fixtures) in every
public function of the analysis code". The doctests themselves run with the suite
(``--doctest-modules`` over ``src/workbench``); this test makes sure none is missing: it
walks ``__all__`` of each analysis package and fails for a function or class whose
docstring has no numpydoc ``Examples`` section. Constants in ``__all__`` (tuples, dicts,
strings, frames) are data, not callables, and are not checked.
"""

import importlib
import inspect

import pytest

PACKAGES = [
    "workbench.allocation", "workbench.clv", "workbench.features", "workbench.funnel",
    "workbench.lifecycle", "workbench.overview", "workbench.quality", "workbench.satisfaction",
    "workbench.segmentation", "workbench.value",
]

#: Public names that have no Examples section yet, by package ("workbench.value": {"abc_summary"}).
#: TO BE EMPTIED: an entry is work outstanding, not an exemption; remove a name when its
#: docstring gains an example (the test below fails while a listed name already has one, so
#: the list cannot go stale). Empty since main's value and segmentation examples (ed1869c)
#: were merged: every public function and class of the ten packages has one, the
#: exception SpecError and the warning WeakSegmentationWarning included.
NOT_YET: dict[str, set[str]] = {}


def _public_callables(package: str):
    module = importlib.import_module(package)
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            yield name, obj


def _has_examples(obj) -> bool:
    return "Examples\n--------" in (inspect.getdoc(obj) or "")


@pytest.mark.parametrize("package", PACKAGES)
def test_public_functions_and_classes_have_an_examples_section(package):
    allowed = NOT_YET.get(package, set())
    missing = sorted(name for name, obj in _public_callables(package)
                     if not _has_examples(obj) and name not in allowed)
    assert not missing, (f"{package}: {missing} have no 'Examples' section; add a short doctest "
                         "(a tiny hand-made input, the call, a short rounded result)")


def test_the_list_of_missing_examples_is_current():
    for package, names in NOT_YET.items():
        assert package in PACKAGES, f"NOT_YET names {package}, which is not an analysis package here"
        public = dict(_public_callables(package))
        unknown = sorted(names - set(public))
        assert not unknown, f"{package}: NOT_YET lists {unknown}, which are not public callables of it"
        done = sorted(name for name in names if _has_examples(public[name]))
        assert not done, f"{package}: {done} have an Examples section now; remove them from NOT_YET"


def test_the_check_finds_a_missing_section():
    def documented():
        """Do nothing.

        Examples
        --------
        >>> documented()
        """

    def undocumented():
        """Do nothing."""

    assert _has_examples(documented) and not _has_examples(undocumented)
