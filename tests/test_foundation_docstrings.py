"""The foundation's public callables document their parameters and results (numpydoc)."""

import inspect

import pytest

from workbench import cases, io, overview, parameters, recorder, resources, schema

DOCUMENTED = [
    io.file_sha256, schema.validate_customers, schema.validate_transactions, cases.list_cases,
    cases.Case.period, cases.Case.as_of, cases.generators, cases.LoadedCase.sources_table,
    parameters.parse_parameters, parameters.Parameters.from_mapping, parameters.setting,
    resources.bundled, resources.workspace, resources.processed_dir, resources.source_checkout,
    recorder.Recorder.table, recorder.Recorder.figure, recorder.Recorder.metric,
    recorder.Recorder.metrics, overview.customer_totals,
]
PROPERTIES = ["lang", "transactions", "customers", "survey", "params"]


@pytest.mark.parametrize("func", DOCUMENTED, ids=lambda f: f.__qualname__)
def test_functions_have_parameters_and_returns_sections(func):
    doc = inspect.getdoc(func) or ""
    takes = [p for p in inspect.signature(func).parameters if p != "self"]
    if takes:
        assert "Parameters\n----------" in doc, f"{func.__qualname__}: no Parameters section"
        for name in takes:
            assert name in doc, f"{func.__qualname__}: parameter {name!r} undocumented"
    assert "Returns\n-------" in doc, f"{func.__qualname__}: no Returns section"


@pytest.mark.parametrize("name", PROPERTIES)
def test_loaded_case_properties_say_what_they_hold(name):
    doc = inspect.getdoc(getattr(cases.LoadedCase, name)) or ""
    assert len(doc) > 20, f"LoadedCase.{name} has no docstring"
