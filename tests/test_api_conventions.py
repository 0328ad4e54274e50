"""The analysis API reads the same everywhere (CONTRIBUTING.md, "Adding an analysis"): the
data first, then ``as_of``, then options keyword-only after ``*``, so that a bare number
can never be read as the wrong option (issue 10, item 8)."""

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

ANALYSIS = ["value", "lifecycle", "segmentation", "satisfaction", "allocation", "funnel", "clv", "features",
            "overview"]

#: optional arguments that are data, not options, and may be passed by position
DATA_ARGUMENTS = {
    "as_of",  # the analysis date, right after the data
    "observation_end",  # bgnbd_summary(transactions, calibration_end, observation_end): the holdout's end
    "customers", "classes", "stock", "params",  # optional second tables and the topic's parameters
    "y", "input_features",  # scikit-learn's fit(X, y=None), get_feature_names_out(input_features=None)
    "recency", "T", "monetary_value",  # BG/NBD and Gamma-Gamma take frequency, recency, T as arrays
    "labels",  # ahp_weights(matrix, labels): the criteria's names
    "weights",  # key_account_scores(frame, criteria, weights): the method's third input
    "bootstrap",  # htmt_table(model, bootstrap): a bootstrap result
    "acquisition_cost",  # textbook_clv(margin, retention, discount, periods, acquisition_cost): the formula
    "n_clusters",  # SegmentKMeans(n_clusters, *, ...), as scikit-learn's KMeans
}


def _public_callables():
    seen = {}
    for package in ANALYSIS:
        module = importlib.import_module(f"workbench.{package}")
        modules = [module]
        if hasattr(module, "__path__"):
            modules += [importlib.import_module(m.name)
                        for m in pkgutil.walk_packages(module.__path__, module.__name__ + ".")]
        for mod in modules:
            for name, obj in vars(mod).items():
                if name.startswith("_") or getattr(obj, "__module__", "") != mod.__name__:
                    continue
                if inspect.isfunction(obj):
                    seen[f"{mod.__name__}.{name}"] = obj
                elif inspect.isclass(obj):
                    for attr, member in vars(obj).items():
                        generated = attr == "__init__" and dataclasses.is_dataclass(obj)  # a result's fields
                        public = not attr.startswith("_") or attr == "__init__"
                        if inspect.isfunction(member) and public and not generated:
                            seen[f"{mod.__name__}.{name}.{attr}"] = member
    return seen


def test_options_are_keyword_only():
    offenders = {}
    for name, function in _public_callables().items():
        positional = [p.name for p in inspect.signature(function).parameters.values()
                      if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is not p.empty
                      and p.name not in DATA_ARGUMENTS]
        if positional:
            offenders[name] = positional
    assert not offenders, f"options to make keyword-only (after *): {offenders}"


@pytest.mark.parametrize("name", ["as_of"])
def test_the_analysis_date_is_as_of_right_after_the_data(name):
    for qualname, function in _public_callables().items():
        parameters = list(inspect.signature(function).parameters.values())
        names = [p.name for p in parameters if p.name != "self"]
        assert "analysis_date" not in names and "today" not in names, qualname
        if name in names:
            at = names.index(name)
            assert parameters[[p.name for p in parameters].index(name)].kind is not inspect.Parameter.KEYWORD_ONLY, \
                f"{qualname}: as_of is keyword-only; put it right after the data"
            before = names[:at]
            assert before and all(p not in ("period", "metric", "value", "lang") for p in before), (qualname, before)


def test_analysis_emits_codes_and_takes_no_language():
    """Issue 10, item 5: analysis returns codes; ``workbench.labels`` (and the presentation
    layer that calls it: plotting, formatting, quality) turns them into the case's language."""
    speaking = {name: [p for p in inspect.signature(function).parameters if p in ("lang", "language")]
                for name, function in _public_callables().items()}
    speaking = {name: found for name, found in speaking.items() if found}
    assert not speaking, f"analysis functions that take a language (emit codes instead): {speaking}"
