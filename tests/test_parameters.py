"""Case parameters: typed topics with their defaults in one place, checked when made."""

import dataclasses
import inspect
import json
from importlib.resources import files

import pytest

from workbench import lifecycle, parameters, segmentation, value
from workbench.cli import main
from workbench.parameters import (
    TOPICS,
    CaseParameters,
    LifecycleParameters,
    ParameterError,
    Parameters,
    SegmentationParameters,
    Strings,
    ValueParameters,
    parse_parameters,
    setting,
)
from workbench.satisfaction import PLSPathModel, list_specs


def _default(func, name):
    return inspect.signature(func).parameters[name].default


def test_report_defaults_agree_with_the_analysis_functions_defaults():
    """Where an analysis function has its own default for a setting, the two are the same, so a
    researcher calling the function gets what the report computes."""
    v = ValueParameters()
    assert v.recent_months == _default(value.value_indicators, "recent_months")
    assert v.abc_cuts == _default(value.abc_classes, "cuts")
    assert v.rfm_method == _default(value.rfm_scores, "method")
    assert v.rfm_cut == _default(value.rfm_eight_classes, "cut")
    # the report shows the top 20 key accounts; the function's own default is 10
    assert v.key_accounts == 20 != _default(value.key_account_scores, "top_n")
    for f in dataclasses.fields(SegmentationParameters):
        if f.name not in ("columns", "by"):
            assert f.default == _default(segmentation.CustomerSegmenter, f.name), f.name
    for f in dataclasses.fields(LifecycleParameters):
        if f.name != "cohort_period":
            assert f.default == _default(lifecycle.lifecycle_stages, f.name), f.name
            assert f.default == _default(lifecycle.stage_rules, f.name), f.name
    assert parameters.SatisfactionParameters().n_bootstrap == _default(PLSPathModel.bootstrap, "n_resamples")


def test_the_spec_names_are_the_bundled_specs():
    assert parameters.resources.spec_names() == sorted(list_specs())


def test_objects_made_in_python_are_checked_too():
    assert ValueParameters(abc_cuts=[0.7, 0.9]).abc_cuts == (0.7, 0.9)  # converted to a tuple
    with pytest.raises(ParameterError, match=r"ValueParameters: key 'abc_cuts' is \(0.9, 0.8\): the entries do not"):
        ValueParameters(abc_cuts=(0.9, 0.8))
    with pytest.raises(ParameterError, match=r"key 'churn_horizon' is inf; allowed: a number > 0, or null"):
        LifecycleParameters(churn_horizon=float("inf"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        ValueParameters().abc_cuts = (0.5, 0.6)


def test_a_topic_reads_as_a_mapping_and_records_as_json():
    lc = LifecycleParameters(churn_horizon=365)
    assert list(lc) == [f.name for f in dataclasses.fields(lc)] and "topic" not in lc
    assert dict(lc)["churn_horizon"] == 365.0 and lc.get("nope", "absent") == "absent"
    assert lc.stage_options() == {k: v for k, v in lc.items() if k != "cohort_period"}
    assert lc.changed() == {"churn_horizon": 365.0}
    seg = SegmentationParameters(columns=["frequency", "recency_days"], by="industry")
    assert set(seg.segmenter_options()) == set(seg) - {"columns", "by"}
    segmentation.CustomerSegmenter(**seg.segmenter_options())  # every option is a constructor keyword
    params = parse_parameters({"value": {"ahp": {"labels": ["a", "b"], "matrix": [[1, 3], [1 / 3, 1]]}}})
    assert params.value.ahp_frame().loc["a", "b"] == 3.0 and ValueParameters().ahp_frame() is None
    recorded = json.loads(json.dumps(params.to_dict()))
    assert set(recorded) == set(TOPICS)
    assert recorded["value"]["abc_cuts"] == [0.8, 0.95] and recorded["value"]["ahp"]["labels"] == ["a", "b"]
    table = ValueParameters.describe()
    assert list(table["key"]) == list(ValueParameters()) and table["meaning"].str.len().min() > 10


def test_every_topic_is_present_and_an_unknown_one_says_which_exist():
    params = CaseParameters()
    assert list(params) == list(TOPICS) == ["value", "segmentation", "satisfaction", "lifecycle",
                                            "allocation", "funnel"]
    assert params["value"] == params.value == ValueParameters()
    with pytest.raises(AttributeError, match=r"no parameter topic 'valeu'; topics: \['value'"):
        params.valeu  # noqa: B018
    with pytest.raises(AttributeError, match="read-only"):
        params.value = ValueParameters()


def test_adding_a_topic_is_one_class(monkeypatch):
    monkeypatch.setattr(parameters, "TOPICS", dict(TOPICS))

    @dataclasses.dataclass(frozen=True)
    class PricingParameters(Parameters, topic="pricing"):
        """Price tiers."""

        stages: tuple[str, ...] = setting(("lead", "won"), Strings(min_length=2), "the stages, first to last")

    params = parse_parameters({"pricing": {"stages": ["lead", "qualified", "won"]}})
    assert params.pricing.stages == ("lead", "qualified", "won")
    assert parse_parameters({}).pricing == PricingParameters()
    with pytest.raises(ParameterError, match=r"'parameters.pricing.stages' is \['lead'\]: it has 1 entries"):
        parse_parameters({"pricing": {"stages": ["lead"]}})
    with pytest.raises(TypeError, match="parameter topic 'pricing' is defined twice"):
        type("Again", (Parameters,), {}, topic="pricing")


def test_validate_checks_parameters_and_the_survey_spec(tmp_path, capsys):
    assert main(["validate", "--case", "mobi"]) == 0
    out = capsys.readouterr().out
    assert "parameters.satisfaction: defaults" in out
    assert "survey model spec ecsi_mobi: 7 constructs, 24 items; every item is a survey column" in out
    # a spec (a file of the case's own) whose items the survey lacks: the case file's key is named
    (tmp_path / "cases").mkdir()
    spec = (files("workbench") / "specs" / "acsi.yaml").read_text(encoding="utf-8")
    (tmp_path / "cases" / "other.yaml").write_text(spec.replace("CUSL3]", "CUSL4]"), encoding="utf-8")
    mobi = parameters.resources.bundled("cases", "mobi.yaml").read_text(encoding="utf-8")
    raw = parameters.resources.bundled("data", "raw", "mobi", "mobi.csv")
    case = tmp_path / "cases" / "mobi.yaml"
    case.write_text(mobi.replace("../data/raw/mobi/mobi.csv", str(raw)).replace("spec: ecsi_mobi", "spec: other.yaml"),
                    encoding="utf-8")
    assert main(["validate", "--case", str(case)]) == 1
    err = capsys.readouterr().err
    assert f"{case}: key 'parameters.satisfaction.spec' ({tmp_path / 'cases' / 'other.yaml'}): " in err
    assert "CUSL4" in err
    case.write_text(mobi.replace("../data/raw/mobi/mobi.csv", str(raw)).replace("spec: ecsi_mobi", "spek: acsi"),
                    encoding="utf-8")
    assert main(["validate", "--case", str(case)]) == 1
    assert "did you mean 'spec'?" in capsys.readouterr().err


def test_parameters_survive_pickle_and_copy():
    """Parameters travel to worker processes and get copied: their read-only mappings too."""
    import copy
    import pickle

    from workbench.parameters import AllocationParameters, FunnelParameters

    for params in (AllocationParameters(caps={"group": {"a": 0.3}}), FunnelParameters(man_weights={"money": 2})):
        for twin in (pickle.loads(pickle.dumps(params)), copy.deepcopy(params)):
            assert twin == params and type(twin) is type(params)
