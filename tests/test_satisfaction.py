"""Tests of workbench.satisfaction: specs, cleaning, measurement, PLS-PM, decisions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.datasets import load_mobi, make_ncompany
from workbench.satisfaction import (
    SpecError,
    clean_survey,
    composite_reliability,
    cronbach_alpha,
    fornell_larcker,
    htmt_table,
    ipma,
    item_statistics,
    jones_sasser,
    kmo_bartlett,
    list_specs,
    load_spec,
    loyalty_nonlinearity,
    net_promoter_score,
    pls_path_model,
    reliability_table,
    satisfaction_by_segment,
    satisfaction_index,
    valuable_dissatisfied,
)

REFERENCE = json.loads((Path(__file__).parent / "data" / "pls_reference_mobi.json").read_text())

TINY_SPEC = {
    "name": "tiny",
    "scale": {"min": 1, "max": 5},
    "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"],
                                                        "reverse": ["y3"]}},
    "paths": [["X", "Y"]],
    "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"},
}


@pytest.fixture(scope="module")
def mobi():
    return load_mobi()


@pytest.fixture(scope="module")
def mobi_model(mobi):
    return pls_path_model(mobi, "ecsi_mobi", tol=1e-10)


@pytest.fixture(scope="module")
def mobi_boot(mobi_model):
    return mobi_model.bootstrap(500, random_state=1)


# --- specs ------------------------------------------------------------------------------

def test_shipped_specs_load_and_match_their_data(mobi):
    assert {"ecsi_mobi", "acsi", "ncompany_ecsi"} <= set(list_specs())
    spec = load_spec("ecsi_mobi", columns=mobi.columns)
    assert len(spec.items) == 24 and spec.scale == (1.0, 10.0)
    assert spec.construct_names[0] == "IMAG" and spec.construct_names[-1] == "CUSL"
    acsi = load_spec("acsi", columns=mobi.columns)
    assert "IMAG" not in acsi.constructs and ("CUSA", "CUSCO") in acsi.paths
    nc = load_spec("ncompany_ecsi", columns=make_ncompany(40, seed=3).survey.columns)
    assert nc.reverse == ("CUSL3",) and nc.scale == (1.0, 7.0)


@pytest.mark.parametrize("change, message", [
    ({"constructs": {"X": {"items": ["x1"]}, "Y": {"items": []}}}, "has no items"),
    ({"paths": [["X", "Z"]]}, "unknown construct"),
    ({"paths": [["X", "Y"], ["Y", "X"]]}, "cyclic"),
    ({"paths": [["X", "X"]]}, "self-loop"),
    ({"scale": {"min": 5, "max": 1}}, "below max"),
    ({"constructs": {"X": {"items": ["x1"], "mode": "C"}, "Y": {"items": ["y1"]}}}, "mode"),
    ({"constructs": {"X": {"items": ["x1"]}, "Y": {"items": ["x1"]}}}, "both"),
])
def test_bad_specs_are_clear_errors(change, message):
    with pytest.raises(SpecError, match=message):
        load_spec({**TINY_SPEC, **change})


def test_unknown_item_names_the_item_and_the_columns():
    with pytest.raises(SpecError, match=r"not in the survey: \['y3'\]"):
        load_spec(TINY_SPEC, columns=["x1", "x2", "y1", "y2"])


# --- cleaning ---------------------------------------------------------------------------

def test_clean_survey_quarantines_with_reasons_and_keeps_counts():
    survey = pd.DataFrame({
        "respondent_id": list("abcdef"),
        "x1": [1, 2, "n/a", 3, 4, 2], "x2": [2, 7, 3, 3, 4, 3],
        "y1": [3, 2, 3, 3, 4, np.nan], "y2": [4, 2, 3, 3, 4, 2], "y3": [2, 2, 3, 3, 4, 4],
    })
    out = clean_survey(survey, TINY_SPEC)
    reasons = dict(zip(out.quarantine["respondent_id"], out.quarantine["reason"]))
    assert reasons == {"b": "out_of_scale", "c": "non_numeric_answer", "d": "straight_lining",
                       "e": "straight_lining", "f": "missing_answers"}
    assert out.quarantine.loc[out.quarantine.respondent_id == "b", "detail"].item() == "x2"
    assert len(out.data) + len(out.quarantine) == len(survey)
    mean_rule = clean_survey(survey, TINY_SPEC, missing="mean")
    assert list(mean_rule.data["respondent_id"]) == ["a", "f"]
    assert mean_rule.data.loc[5, "y1"] == 3.0  # mean of the kept y1 answers (a: 3)
    log = mean_rule.log.set_index("step")["count"]
    assert log["answers_mean_replaced"] == 1 and log["rows_in"] == 6
    with pytest.raises(ValueError, match="missing="):
        clean_survey(survey, TINY_SPEC, missing="drop")


def test_mobi_has_one_straight_liner(mobi):
    out = clean_survey(mobi, "ecsi_mobi")
    assert out.quarantine["respondent_id"].tolist() == ["R137"]
    assert len(out.data) == 249


# --- measurement: hand-worked -----------------------------------------------------------

def test_alpha_and_composite_reliability_by_hand():
    # items a, b: variances 1 and 1 (ddof=1), total a+b = [2, 4, 6] has variance 4:
    # alpha = 2/1 * (1 - 2/4) = 1.0; with c = [1, 3, 2]: var 1, total [3, 7, 8] var 7:
    # alpha = 3/2 * (1 - 3/7) = 6/7
    items = pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3], "c": [1, 3, 2]})
    assert cronbach_alpha(items[["a", "b"]]) == pytest.approx(1.0)
    assert cronbach_alpha(items) == pytest.approx(6 / 7)
    # loadings 0.8, 0.6: (1.4)^2 / (1.96 + 0.36 + 0.64) = 1.96 / 2.96
    assert composite_reliability([0.8, 0.6]) == pytest.approx(1.96 / 2.96)


def test_alpha_equals_pingouin(mobi):
    pingouin = pytest.importorskip("pingouin")
    block = mobi[["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"]]
    assert cronbach_alpha(block) == pytest.approx(pingouin.cronbach_alpha(block)[0], abs=1e-12)


def test_item_statistics_reverse_codes_and_drops_one_item():
    survey = pd.DataFrame({"x1": [1, 2, 3, 4], "x2": [2, 2, 4, 5], "y1": [1, 2, 4, 5],
                           "y2": [1, 3, 3, 5], "y3": [5, 4, 2, 1]})
    tab = item_statistics(survey, TINY_SPEC).set_index("item")
    assert tab.loc["y3", "mean"] == pytest.approx(6 - survey["y3"].mean())
    recoded = survey.assign(y3=6 - survey["y3"])
    assert tab.loc["y1", "alpha_if_deleted"] == pytest.approx(cronbach_alpha(recoded[["y2", "y3"]]))
    expected = np.corrcoef(recoded["y1"], recoded["y2"] + recoded["y3"])[0, 1]
    assert tab.loc["y1", "item_total_r"] == pytest.approx(expected)
    assert np.isnan(tab.loc["x1", "alpha_if_deleted"])


# --- PLS against seminr and plspm -------------------------------------------------------

@pytest.mark.parametrize("tool", ["seminr", "plspm"])
def test_pls_matches_reference_implementations_on_mobi(mobi_model, tool):
    """ECSI on mobi against seminr 0.2.1 (composite mode_A) and plspm 0.5.7 (Mode.A,
    Scheme.PATH), numbers made by tests/data/make_pls_reference.py; Tenenhaus et al.
    (2005) print the same paths to 3 decimals (e.g. IMAG->CUEX 0.505, CUSA->CUSL 0.485)."""
    ref = REFERENCE[tool]
    paths = {f"{s}->{t}": v for s, t, v in mobi_model.paths_[["source", "target", "coefficient"]]
             .itertuples(index=False)}
    assert paths.keys() == ref["paths"].keys()
    for k, v in ref["paths"].items():
        assert paths[k] == pytest.approx(v, abs=1e-6)
    load = dict(zip(mobi_model.loadings_["item"], mobi_model.loadings_["loading"]))
    for k, v in ref["loadings"].items():
        assert load[k] == pytest.approx(v, abs=1e-6)
    r2 = dict(zip(mobi_model.r2_["construct"], mobi_model.r2_["r2"]))
    for k, v in ref["r2"].items():
        assert r2[k] == pytest.approx(v, abs=1e-6)
    assert paths["IMAG->CUEX"] == pytest.approx(0.505, abs=5e-4)


def test_weights_reliability_and_htmt_match_seminr(mobi_model):
    ref = REFERENCE["seminr"]
    w = dict(zip(mobi_model.weights_["item"], mobi_model.weights_["weight"]))
    for k, v in ref["weights"].items():
        assert w[k] == pytest.approx(v, abs=1e-6)
    rel = reliability_table(mobi_model).set_index("construct")
    for c, vals in ref["reliability"].items():
        assert rel.loc[c, "cronbach_alpha_std"] == pytest.approx(vals["alpha"], abs=1e-9)
        assert rel.loc[c, "rho_a"] == pytest.approx(vals["rhoA"], abs=1e-6)
        assert rel.loc[c, "rho_c"] == pytest.approx(vals["rhoC"], abs=1e-6)
        assert rel.loc[c, "ave"] == pytest.approx(vals["AVE"], abs=1e-6)
    ht = htmt_table(mobi_model)
    got = {f"{a}|{b}": v for a, b, v in ht[["construct_1", "construct_2", "htmt"]]
           .itertuples(index=False)}
    for k, v in ref["htmt"].items():
        assert got[k] == pytest.approx(v, abs=1e-9)


def test_pls_structure_of_results(mobi_model):
    eff = mobi_model.effects_.set_index(["source", "target"])
    # IMAG -> CUSL: direct 0.196 plus indirect paths through CUSA (and CUEX, PERQ, PERV)
    assert eff.loc[("IMAG", "CUSL"), "total"] == pytest.approx(
        eff.loc[("IMAG", "CUSL"), "direct"] + eff.loc[("IMAG", "CUSL"), "indirect"])
    assert eff.loc[("CUSA", "CUSL"), "indirect"] == pytest.approx(0.528066 * 0.066926, abs=1e-5)
    scores = mobi_model.scores_
    assert np.allclose(scores.mean(), 0, atol=1e-12) and np.allclose(scores.std(), 1)
    # f2 by hand: refit CUSL without CUSCO
    r = mobi_model.construct_correlations_
    src = ["IMAG", "CUSA"]
    beta = np.linalg.solve(r.loc[src, src], r.loc[src, "CUSL"])
    r2_without = beta @ r.loc[src, "CUSL"]
    r2 = mobi_model.r2_.set_index("construct").loc["CUSL", "r2"]
    f2 = mobi_model.paths_.set_index(["source", "target"]).loc[("CUSCO", "CUSL"), "f2"]
    assert f2 == pytest.approx((r2 - r2_without) / (1 - r2))
    fl = fornell_larcker(mobi_model)
    assert fl.loc["CUSA", "CUSA"] == pytest.approx(np.sqrt(0.6930950564417859), abs=1e-6)
    assert np.isnan(fl.loc["IMAG", "CUSL"])


def test_missing_answers_are_an_error_not_a_silent_drop(mobi):
    broken = mobi.copy()
    broken.loc[3, "CUSA2"] = np.nan
    with pytest.raises(ValueError, match="1 missing answers"):
        pls_path_model(broken, "ecsi_mobi")


def test_reverse_coded_item_gives_the_same_model_as_recoded_data():
    data = make_ncompany(300, seed=11, nonlinear_loyalty=False).survey
    fitted = pls_path_model(data, "ncompany_ecsi")
    recoded = data.assign(CUSL3=8 - data["CUSL3"])
    spec = load_spec("ncompany_ecsi")
    plain = {**{k: v for k, v in spec.__dict__.items()}, "reverse": ()}
    from workbench.satisfaction.spec import ModelSpec
    other = pls_path_model(recoded, ModelSpec(**plain))
    assert np.allclose(fitted.paths_["coefficient"], other.paths_["coefficient"])
    assert (fitted.loadings_["loading"] > 0).all()


# --- bootstrap --------------------------------------------------------------------------

def test_bootstrap_is_deterministic_and_independent_of_batch_size(mobi_model, mobi_boot):
    other = mobi_model.bootstrap(500, random_state=1, batch_size=128)
    pd.testing.assert_frame_equal(mobi_boot.paths, other.paths)
    assert mobi_boot.n_resamples == 500 and mobi_boot.n_failed == 0


def test_bootstrap_intervals_make_sense(mobi_boot):
    p = mobi_boot.paths.set_index(["source", "target"])
    assert (p["ci_lower"] <= p["original"]).all() and (p["original"] <= p["ci_upper"]).all()
    assert (p["bca_lower"] < p["bca_upper"]).all()
    # strong paths significant, the weak CUEX -> PERV (0.05) not (Tenenhaus et al. 2005)
    assert p.loc[("IMAG", "CUEX"), "p_value"] < 1e-6
    assert p.loc[("CUEX", "PERV"), "p_value"] > 0.05
    # SE of IMAG -> CUEX about 0.06 (seminr bootstrap on mobi gives 0.05-0.06)
    assert 0.03 < p.loc[("IMAG", "CUEX"), "std_error"] < 0.09
    paths = mobi_boot.paths
    assert (paths["t"] == paths["original"] / paths["std_error"]).all()
    assert set(mobi_boot.tables()) == {"bootstrap_paths", "bootstrap_loadings", "bootstrap_weights",
                                       "bootstrap_r2", "bootstrap_total_effects", "bootstrap_htmt"}


def test_bootstrap_rejects_bad_arguments(mobi_model):
    with pytest.raises(ValueError, match="sign_change"):
        mobi_model.bootstrap(10, sign_change="item")
    with pytest.raises(ValueError, match="at least 2"):
        mobi_model.bootstrap(1)


# --- recovery on generated data ---------------------------------------------------------

def test_paths_recover_the_ncompany_truth():
    """make_ncompany's truth.path_coefficients are what PLS-PM converges to on 200,000
    respondents; 4,000 respondents should land within 0.05 of every one."""
    data = make_ncompany(1000, seed=5, n_respondents=4000, nonlinear_loyalty=False)
    model = pls_path_model(data.survey, "ncompany_ecsi")
    merged = model.paths_.merge(data.truth.path_coefficients, on=["source", "target"])
    assert len(merged) == len(data.truth.path_coefficients) == 10
    assert (merged["coefficient_x"] - merged["coefficient_y"]).abs().max() < 0.05


@pytest.mark.parametrize("nonlinear", [True, False])
def test_nonlinear_loyalty_detected_only_when_present(nonlinear):
    data = make_ncompany(1000, seed=8, n_respondents=2000, nonlinear_loyalty=nonlinear)
    model = pls_path_model(data.survey, "ncompany_ecsi")
    scores = satisfaction_index(data.survey, model).scores
    result = loyalty_nonlinearity(scores["CUSA"], scores["CUSL"])
    assert result.nonlinear is nonlinear
    if nonlinear:
        assert result.collapses and result.slope_below > 2 * result.slope_above
        # the hinge sits at -0.5 latent SD: on the 0-100 index, below the median
        assert result.threshold < scores["CUSA"].median()


def test_nonlinearity_on_a_known_hinge():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 100, 2000)
    y = 50 + 0.2 * (x - 40) + 0.8 * np.minimum(x - 40, 0) + rng.normal(0, 3, 2000)
    res = loyalty_nonlinearity(x, y)
    assert res.nonlinear and res.threshold == pytest.approx(40, abs=2)
    assert res.slope_below == pytest.approx(1.0, abs=0.05)
    assert res.slope_above == pytest.approx(0.2, abs=0.05)
    assert list(res.models["model"]) == ["linear", "quadratic", "piecewise"]
    with pytest.raises(ValueError, match="missing"):
        loyalty_nonlinearity([1.0, np.nan] * 10, [1.0] * 20)


# --- decisions --------------------------------------------------------------------------

def test_index_by_hand_on_tiny_survey():
    survey = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 3], "x2": [1, 3, 3, 5, 5, 2],
                           "y1": [2, 2, 4, 5, 5, 3], "y2": [1, 3, 3, 5, 4, 3],
                           "y3": [5, 4, 2, 1, 1, 3]})
    model = pls_path_model(survey, TINY_SPEC)
    ix = satisfaction_index(survey, model)
    w = ix.item_weights.set_index("item")["rescaled_weight"]
    assert w.loc[["x1", "x2"]].sum() == pytest.approx(1)
    expected = (w["x1"] * (survey["x1"] - 1) + w["x2"] * (survey["x2"] - 1)) / 4 * 100
    assert np.allclose(ix.scores["X"], expected)
    assert ix.scores["Y"].between(0, 100).all()
    # everybody at the top of the scale (y3 reversed: answer 1) scores 100
    top = pd.DataFrame({"x1": [5], "x2": [5], "y1": [5], "y2": [5], "y3": [1]})
    assert satisfaction_index(top, model).scores[["X", "Y"]].to_numpy() == pytest.approx(100)


def test_ipma_and_jones_sasser_on_mobi(mobi, mobi_model):
    ix = satisfaction_index(mobi, mobi_model)
    cusa = ix.summary.set_index("construct").loc["CUSA", "index"]
    assert 70 < cusa < 75  # Tenenhaus et al. (2005): CUSA about 72 on a 0-100 scale
    table = ipma(mobi_model, ix)
    assert set(table["construct"]) == {"IMAG", "CUEX", "PERQ", "PERV", "CUSA", "CUSCO"}
    assert table["priority"].tolist() == list(range(1, 7))
    cusa_row = table.set_index("construct").loc["CUSA"]
    assert cusa_row["importance"] == pytest.approx(0.485478 + 0.528066 * 0.066926, abs=1e-5)
    classes, shares = jones_sasser(ix.scores, satisfaction="CUSA", loyalty="CUSL")
    assert shares["count"].sum() == len(mobi) and shares["share"].sum() == pytest.approx(1)
    high = classes["CUSA"] >= classes["CUSA"].mean()
    assert (classes.loc[high, "class"].isin(["loyalist", "mercenary"])).all()
    _, fixed = jones_sasser(ix.scores, satisfaction="CUSA", loyalty="CUSL", cut=(101, 0))
    assert fixed.set_index("class").loc["hostage", "count"] == len(mobi)


def test_nps_by_hand_and_mobi_mapping(mobi):
    # 0-10: promoters 9, 10; detractors 0..6 -> (2 - 3) / 6 = -16.7
    out = net_promoter_score([10, 9, 8, 7, 6, 0])
    assert out.loc[0, "nps"] == pytest.approx(100 * (2 - 2) / 6)
    out = net_promoter_score([10, 9, 8, 3, 6, 0, None])
    assert out.loc[0, "nps"] == pytest.approx(100 * (2 - 3) / 6) and out.loc[0, "n_missing"] == 1
    mobi_nps = net_promoter_score(mobi["CUSL3"], scale=(1, 10)).loc[0]
    assert mobi_nps["promoters"] == pytest.approx((mobi["CUSL3"] == 10).mean())
    assert mobi_nps["detractors"] == pytest.approx((mobi["CUSL3"] <= 6).mean())
    with pytest.raises(ValueError, match="outside the scale"):
        net_promoter_score([11, 3])


def test_valuable_dissatisfied_and_segments():
    scores = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "d", "e"],
                           "CUSA": [40.0, 60.0, 30.0, 90.0, 20.0, 80.0]})
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"],
                              "value_class": ["A", "A", "A", "C", "B"]})
    out = valuable_dissatisfied(scores, customers, value_class="value_class", valuable=["A"],
                                satisfaction="CUSA")
    # mean over respondents 53.3: a (50) and b (30) are A and below; d is C
    assert out["customer_id"].tolist() == ["b", "a"]
    assert out["n_respondents"].tolist() == [1, 2]
    assert out["gap"].iloc[0] == pytest.approx(320 / 6 - 30)
    seg = satisfaction_by_segment(scores, customers, segment="value_class", columns=["CUSA"])
    assert seg.set_index("value_class").loc["A", "n"] == 4
    with pytest.raises(ValueError, match="do not occur"):
        valuable_dissatisfied(scores, customers, value_class="value_class", valuable=["Z"],
                              satisfaction="CUSA")
    with pytest.raises(ValueError, match="duplicated"):
        valuable_dissatisfied(scores, pd.concat([customers, customers]), value_class="value_class",
                              valuable=["A"], satisfaction="CUSA")


def test_kmo_bartlett_table(mobi):
    tab = kmo_bartlett(mobi, "ecsi_mobi").set_index("block")
    assert "CUSCO" not in tab.index  # single item
    assert tab.loc["all", "n_items"] == 24 and tab.loc["all", "bartlett_df"] == 276
    assert 0.9 < tab.loc["all", "kmo"] < 0.95 and tab.loc["all", "bartlett_p"] < 1e-10
    assert tab.loc["PERV", "kmo"] == pytest.approx(0.5)  # two items: KMO is 0.5 by construction


# --- properties -------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.5, 5.0), shift=st.floats(-3, 3))
def test_pls_is_invariant_to_linear_rescaling_of_items(seed, scale, shift):
    rng = np.random.default_rng(seed)
    n = 60
    latent = rng.standard_normal(n)
    survey = pd.DataFrame({f"{c}{i}": latent * (1 if c == "x" else 0.6) + rng.standard_normal(n)
                           for c in "xy" for i in (1, 2, 3)})
    spec = {"name": "p", "scale": {"min": -100, "max": 100},
            "constructs": {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]},
            "paths": [["X", "Y"]]}
    a = pls_path_model(survey, spec)
    b = pls_path_model(survey * scale + shift, spec)
    assert np.allclose(a.paths_["coefficient"], b.paths_["coefficient"], atol=1e-8)
    assert abs(a.paths_["coefficient"].iloc[0]) <= 1 + 1e-12
    assert a.r2_["r2"].iloc[0] == pytest.approx(a.paths_["coefficient"].iloc[0] ** 2)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
def test_nps_shares_add_up(values):
    out = net_promoter_score(values).loc[0]
    assert out["promoters"] + out["passives"] + out["detractors"] == pytest.approx(1)
    assert -100 <= out["nps"] <= 100


def test_cfa_cross_check_on_mobi(mobi, mobi_model):
    """semopy ML CFA of the six multi-item blocks: fit indices in the usual ranges
    (chi2/df about 2.4, RMSEA about 0.076 on mobi) and standardised loadings close to
    the PLS loadings (PLS loadings are larger: they absorb item error)."""
    from workbench.satisfaction import cfa_fit

    res = cfa_fit(mobi, "ecsi_mobi")
    fit = res.fit.iloc[0]
    # 23 items: 276 moments - (23 loadings - 6 fixed + 23 errors + 6 + 15 factor (co)variances)
    assert fit["df"] == 276 - (17 + 23 + 6 + 15)
    assert fit["chi2_df"] == pytest.approx(fit["chi2"] / fit["df"])
    assert 0 < fit["rmsea"] < 0.1 and 0.8 < fit["cfi"] <= 1 and 0 < fit["srmr"] < 0.1
    assert "CUSCO" not in set(res.loadings["construct"])
    pls = mobi_model.loadings_.set_index("item")["loading"]
    cfa = res.loadings.set_index("item")["std_loading"]
    assert ((pls.loc[cfa.index] - cfa) > -0.05).all()


def test_plots_draw_in_both_languages(mobi, mobi_model, mobi_boot):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workbench.plotting.satisfaction import (
        plot_ipma,
        plot_jones_sasser,
        plot_nonlinearity,
        plot_path_model,
    )

    ix = satisfaction_index(mobi, mobi_model)
    classes, shares = jones_sasser(ix.scores, satisfaction="CUSA", loyalty="CUSL")
    result = loyalty_nonlinearity(ix.scores["CUSA"], ix.scores["CUSL"])
    for lang in ("zh", "en"):
        axes = [plot_path_model(mobi_model, bootstrap=mobi_boot, lang=lang),
                plot_ipma(ipma(mobi_model, ix), lang=lang),
                plot_jones_sasser(classes, shares, satisfaction="CUSA", loyalty="CUSL", lang=lang),
                plot_nonlinearity(result, lang=lang)]
        for ax in axes:
            ax.figure.canvas.draw()  # a missing CJK glyph fails here (pytest filterwarnings)
        texts = " ".join(t.get_text() for t in axes[0].texts)
        assert ("顾客满意度" in texts) == (lang == "zh")
        assert "0.49***" in texts  # CUSA -> CUSL
        plt.close("all")
