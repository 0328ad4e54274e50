"""Tests for workbench.clv: textbook CLV by hand, BG/NBD and Gamma-Gamma on CDNOW.

Published numbers: Fader, Hardie & Lee (2005a), Marketing Science 24(2) 275-284, CDNOW
sample (2,357 customers, 39-week calibration from 1997-01-01): r = 0.243,
alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4. Fader, Hardie & Lee (2005b), JMR
42(4) 415-430 and Fader & Hardie (2013) note 025: p = 6.25, q = 3.74, gamma = 15.44.
Predictions: lifetimes 0.11.3, printed by benchmarks/lifetimes_reference.py.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from sklearn.exceptions import NotFittedError

from workbench.clv import (
    BetaGeoModel,
    GammaGammaModel,
    _bgnbd_neg_ll_and_grad,
    _gg_neg_ll_and_grad,
    customer_lifetime_value,
    holdout_validation,
    repeat_purchase_tracking,
    retention_sensitivity,
    spend_frequency_correlation,
    textbook_clv,
)
from workbench.datasets import load_cdnow
from workbench.features import bgnbd_summary

# lifetimes 0.11.3 on the same summary (benchmarks/lifetimes_reference.py)
LIFETIMES = {
    "ids": ["1", "10", "100", "1000", "18", "1516"],
    "bg": [0.2425945434210672, 4.413602716077373, 0.7929218333478786, 2.4259057287217636],
    "bg_se": [0.012557, 0.378224, 0.185734, 0.705414],
    "gg": [6.249572277633809, 3.7442246747586414, 15.443521018369282],
    "gg_se": [1.190055, 0.290133, 4.159423],
    "expected_39": [1.2259944296717171, 0.1947936422126466, 0.6268530191592037,
                    2.352579133557165, 0.2977240188889255, 20.748903903930053],
    "p_alive": [0.726620297788255, 1.0, 0.6469924176400712, 0.680267704051665,
                0.3108557358708424, 0.9688544473027224],
    "population": [0.0531842876928268, 0.4317586685918229, 1.195009974479027, 1.8579583170093243],
    "spend": [24.653918713236024, 35.170371330453975, 28.950974468658693,
              18.130569769398075, 17.673139467167466, 39.89028680019739],
    "clv_12m_1pct": [36.27397745116166, 8.344480971584218, 21.887743694202154,
                     50.69278638080142, 6.34819222149555, 972.045413838157],
    "holdout_predicted_total": 1653.4087241799066,
}


@pytest.fixture(scope="module")
def cdnow():
    tx = load_cdnow("sample")
    summary = bgnbd_summary(tx, "1997-09-30", "1998-06-30")
    return tx, summary


@pytest.fixture(scope="module")
def fitted(cdnow):
    _, summary = cdnow
    return BetaGeoModel().fit(summary), GammaGammaModel().fit(summary)


@pytest.fixture(scope="module")
def six(cdnow):
    _, summary = cdnow
    return summary.set_index("customer_id").loc[LIFETIMES["ids"]].reset_index()


# ----------------------------------------------------------------------------------
# textbook CLV
# ----------------------------------------------------------------------------------


def test_textbook_clv_by_hand():
    # 100/1.1 + 80/1.1^2 + 64/1.1^3 = 90.909 + 66.116 + 48.084
    assert textbook_clv(100, 0.8, 0.1, 3) == pytest.approx(205.10894064613, rel=1e-12)
    assert textbook_clv(100, 0.8, 0.1, 3, acquisition_cost=50) == pytest.approx(155.10894064613)
    assert textbook_clv(100, 1.0, 0.0, 5) == pytest.approx(500.0)  # q = 1: T undiscounted margins
    assert textbook_clv(100, 0.8, 0.1, np.inf) == pytest.approx(100 / (1.1 - 0.8))  # perpetuity
    assert textbook_clv(100, 0.0, 0.1, 10) == pytest.approx(100 / 1.1)  # only the first period


def test_textbook_clv_vectorised_over_customers():
    margins = np.array([100.0, 50.0, 0.0])
    out = textbook_clv(margins, np.array([0.8, 0.9, 0.5]), 0.1, np.array([3, 2, 4]))
    assert out.shape == (3,)
    np.testing.assert_allclose(out, [205.10894064613, 50 / 1.1 + 45 / 1.21, 0.0])


@settings(max_examples=80, deadline=None)
@given(
    st.floats(-1e4, 1e4), st.floats(0, 1), st.floats(0, 0.5), st.integers(1, 60), st.floats(0, 1e3)
)
def test_textbook_clv_equals_explicit_sum(m, r, d, T, ac):
    explicit = sum(m * r ** (t - 1) / (1 + d) ** t for t in range(1, T + 1)) - ac
    assert textbook_clv(m, r, d, T, ac) == pytest.approx(explicit, rel=1e-9, abs=1e-7)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((100, 1.2, 0.1, 3), "retention must lie in"),
        ((100, 0.8, -0.1, 3), "discount must be >= 0"),
        ((100, 0.8, 0.1, 0), "periods must be whole numbers"),
        ((100, 0.8, 0.1, 2.5), "periods must be whole numbers"),
        ((100, 1.0, 0.0, np.inf), "diverges"),
        ((np.nan, 0.8, 0.1, 3), "margin: 1 value"),
    ],
)
def test_textbook_clv_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        textbook_clv(*args)


def test_retention_sensitivity_table():
    table = retention_sensitivity(100, 0.1, 10, base_retention=0.8)
    assert table["retention"].tolist() == pytest.approx(np.arange(0.5, 0.951, 0.05))
    assert table["clv"].is_monotonic_increasing
    assert np.all(np.diff(table["clv"], 2) > 0)  # convex in r: the retention-economics argument
    assert table.loc[np.isclose(table["retention"], 0.8), "change_pct"].item() == pytest.approx(0.0)
    assert "change_pct" not in retention_sensitivity(100, 0.1, 10).columns


# ----------------------------------------------------------------------------------
# BG/NBD
# ----------------------------------------------------------------------------------


def test_bgnbd_reproduces_fader_hardie_lee_2005(fitted):
    bg, _ = fitted
    assert round(bg.r_, 3) == 0.243
    assert round(bg.alpha_, 3) == 4.414
    assert round(bg.a_, 3) == 0.793
    assert round(bg.b_, 3) == 2.426
    assert round(bg.log_likelihood_, 1) == -9582.4
    assert bg.n_customers_ == 2357 and bg.converged_
    np.testing.assert_allclose(bg.params_, LIFETIMES["bg"], rtol=1e-5)
    np.testing.assert_allclose(bg.standard_errors_, LIFETIMES["bg_se"], rtol=1e-4)
    assert list(bg.summary().index) == ["r", "alpha", "a", "b"]


def test_bgnbd_predictions_equal_lifetimes(fitted, six):
    bg, _ = fitted
    np.testing.assert_allclose(bg.expected_purchases(39, six), LIFETIMES["expected_39"], rtol=1e-5)
    np.testing.assert_allclose(bg.probability_alive(six), LIFETIMES["p_alive"], rtol=1e-5)
    np.testing.assert_allclose(bg.expected_purchases_population([1.0, 10, 39, 78]),
                               LIFETIMES["population"], rtol=1e-5)
    assert bg.expected_purchases(0.0, six) == pytest.approx(np.zeros(6), abs=1e-12)
    ll = bg.log_likelihood(six["frequency"], six["recency"], six["T"])
    assert ll.shape == (6,) and np.all(ll < 0)


@pytest.mark.parametrize("params", [[0.24, 4.4, 0.79, 2.4], [2.0, 0.5, 3.0, 0.7], [0.05, 30.0, 1.5, 9.0]])
def test_bgnbd_gradient_is_the_derivative_of_the_likelihood(cdnow, params):
    _, s = cdnow
    x, tx, T = (s[c].to_numpy() for c in ("frequency", "recency", "T"))
    w = np.ones_like(x)

    def f(p):
        return _bgnbd_neg_ll_and_grad(p, x, tx, T, w)[0]

    def g(p):
        return _bgnbd_neg_ll_and_grad(p, x, tx, T, w)[1]

    numeric = optimize.approx_fprime(np.array(params), f, 1e-7)
    np.testing.assert_allclose(g(np.array(params)), numeric, rtol=1e-4, atol=1e-3)


def test_gamma_gamma_gradient_is_the_derivative_of_the_likelihood(cdnow):
    _, s = cdnow
    r = s[s["frequency"] > 0]
    x, m, w = r["frequency"].to_numpy(), r["monetary_value"].to_numpy(), np.ones(len(r))
    p0 = np.array([5.0, 3.0, 12.0])
    numeric = optimize.approx_fprime(p0, lambda p: _gg_neg_ll_and_grad(p, x, m, w)[0], 1e-7)
    np.testing.assert_allclose(_gg_neg_ll_and_grad(p0, x, m, w)[1], numeric, rtol=1e-4, atol=1e-3)


def test_bgnbd_one_purchase_customer_is_alive_and_defined(fitted):
    bg, _ = fitted
    # first seen on the last calibration day: T = 0 is a valid observation (L = 1)
    assert bg.log_likelihood([0.0], [0.0], [0.0]) == pytest.approx([0.0], abs=1e-12)
    # a customer with no repeat purchase: P(alive) = 1 by the model's assumption
    assert bg.probability_alive([0.0], [0.0], [30.0]) == pytest.approx([1.0])
    e = bg.expected_purchases([10.0, 20.0], [0.0, 0.0], [0.0, 0.0], [30.0, 30.0])
    assert 0 < e[0] < e[1]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 30), st.floats(0, 1), st.floats(0.5, 80), st.floats(0.1, 100))
def test_bgnbd_prediction_properties(x, frac, T, t):
    bg = BetaGeoModel()
    bg.params_ = pd.Series(LIFETIMES["bg"], index=["r", "alpha", "a", "b"])
    tx = 0.0 if x == 0 else frac * T
    p = bg.probability_alive([x], [tx], [T])[0]
    assert 0 < p <= 1
    e1, e2 = bg.expected_purchases(np.array([t, 2 * t]), [x, x], [tx, tx], [T, T])
    assert 0 <= e1 <= e2


def test_bgnbd_bad_input():
    with pytest.raises(ValueError, match="none of the 3 customers made a repeat purchase"):
        BetaGeoModel().fit([0, 0, 0], [0, 0, 0], [5, 6, 7])
    with pytest.raises(ValueError, match="all 4 customers have the same"):
        BetaGeoModel().fit([2] * 4, [3.0] * 4, [9.0] * 4)
    with pytest.raises(ValueError, match="recency must not exceed T: 1 customer"):
        BetaGeoModel().fit([1, 2], [3.0, 9.0], [5.0, 6.0])
    with pytest.raises(ValueError, match="T must be >= 0"):
        BetaGeoModel().fit([1, 0], [0.5, 0.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="column 'recency' is missing"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1.0], "T": [2.0]}))
    with pytest.raises(NotFittedError, match="not fitted"):
        BetaGeoModel().probability_alive([1], [1], [2])


# ----------------------------------------------------------------------------------
# Gamma-Gamma
# ----------------------------------------------------------------------------------


def test_gamma_gamma_reproduces_fader_hardie_lee_2005(fitted, six):
    _, gg = fitted
    assert (round(gg.p_, 2), round(gg.q_, 2), round(gg.gamma_, 2)) == (6.25, 3.74, 15.44)
    assert gg.n_customers_ == 946
    assert gg.n_excluded_ == {"no_repeat_purchase": 1411, "non_positive_spend": 0}
    np.testing.assert_allclose(gg.params_, LIFETIMES["gg"], rtol=1e-5)
    np.testing.assert_allclose(gg.standard_errors_, LIFETIMES["gg_se"], rtol=1e-4)
    # the density of the 946 mean spends at the estimate (no published LL to compare)
    assert gg.log_likelihood_ == pytest.approx(-4055.92, abs=0.01)
    np.testing.assert_allclose(gg.expected_spend(six), LIFETIMES["spend"], rtol=1e-5)
    assert gg.at_bound_ == () and fitted[0].at_bound_ == ()


def test_spend_frequency_correlation_on_cdnow(cdnow):
    """The independence check of the Gamma-Gamma model: 0.11 on the CDNOW sample
    (Fader, Hardie & Lee 2005b; lifetimes' documentation prints 0.113884)."""
    _, summary = cdnow
    assert round(spend_frequency_correlation(summary), 3) == 0.114
    assert np.isnan(spend_frequency_correlation([0, 1, 0], [0.0, 5.0, 0.0]))


def test_gamma_gamma_excludes_non_positive_spend_with_a_count():
    x = np.array([1, 2, 3, 1, 4, 2, 0], dtype=float)
    m = np.array([10.0, 12.0, 30.0, -5.0, 22.0, 0.0, 0.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gg = GammaGammaModel().fit(x, m)
    messages = {w.category: str(w.message) for w in caught}
    assert "2 customer(s) with repeat purchases have a mean spend <= 0" in messages[UserWarning]
    # four customers cannot pin down the spend heterogeneity: said, not hidden
    assert "reached its bound" in messages[RuntimeWarning]
    assert gg.at_bound_  # the parameters left at the edge are named
    assert gg.n_excluded_ == {"no_repeat_purchase": 1, "non_positive_spend": 2}
    assert gg.n_customers_ == 4


def test_gamma_gamma_bad_input():
    with pytest.raises(ValueError, match="at least 2 customers"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GammaGammaModel().fit([1, 2, 0], [-3.0, 0.0, 5.0])
    with pytest.raises(ValueError, match="all customers have the same"):
        GammaGammaModel().fit([2, 2, 2], [10.0, 10.0, 10.0])
    with pytest.raises(ValueError, match="differ in length"):
        GammaGammaModel().fit([1, 2], [3.0])


# ----------------------------------------------------------------------------------
# CLV, holdout validation, tracking
# ----------------------------------------------------------------------------------


def test_predictions_once_per_distinct_customer_equal_per_customer(fitted, cdnow, monkeypatch):
    """Above _DISTINCT_ABOVE customers P(alive), E[Y(t)] and CLV are evaluated once per
    distinct (x, t_x, T) (the hypergeometric term once per (x, T)) and looked up: the
    numbers equal the per-customer evaluation exactly, whatever the row order."""
    from workbench import clv as clv_module

    bg, gg = fitted
    _, summary = cdnow
    rows = np.random.default_rng(3).integers(0, len(summary), 3 * len(summary))
    many = summary.iloc[rows].reset_index(drop=True)  # repeated customers, shuffled
    per_customer = (bg.probability_alive(many), bg.expected_purchases(39, many),
                    customer_lifetime_value(bg, gg, many))
    monkeypatch.setattr(clv_module, "_DISTINCT_ABOVE", 100)
    (ux, utx, uT), inverse = clv_module._distinct(*(many[c].to_numpy() for c in ("frequency", "recency", "T")))
    assert len(ux) < len(summary) < len(many)
    np.testing.assert_array_equal(ux[inverse], many["frequency"])
    np.testing.assert_array_equal(uT[inverse], many["T"])
    np.testing.assert_array_equal(bg.probability_alive(many), per_customer[0])
    np.testing.assert_array_equal(bg.expected_purchases(39, many), per_customer[1])
    distinct = customer_lifetime_value(bg, gg, many)
    pd.testing.assert_frame_equal(distinct, per_customer[2], check_exact=True)


def test_customer_lifetime_value_equals_lifetimes(fitted, six):
    bg, gg = fitted
    clv = customer_lifetime_value(bg, gg, six, horizon=12, monthly_discount=0.01, time_unit="W")
    assert clv["customer_id"].tolist() == LIFETIMES["ids"]
    np.testing.assert_allclose(clv["clv"], LIFETIMES["clv_12m_1pct"], rtol=1e-5)
    half = customer_lifetime_value(bg, gg, six, horizon=12, monthly_discount=0.01, margin=0.5)
    np.testing.assert_allclose(half["clv"], 0.5 * clv["clv"])
    longer = customer_lifetime_value(bg, gg, six, horizon=24, monthly_discount=0.01)
    assert np.all(longer["clv"] > clv["clv"])
    with pytest.raises(ValueError, match="time_unit='M'"):
        customer_lifetime_value(bg, gg, six, time_unit="M")
    with pytest.raises(ValueError, match="horizon must be"):
        customer_lifetime_value(bg, gg, six, horizon=0)
    with pytest.raises(ValueError, match="monthly_discount must be >= 0 .a rate per month"):
        customer_lifetime_value(bg, gg, six, monthly_discount=-0.01)
    with pytest.raises(TypeError):  # options are keyword-only: a bare 12 could be weeks or months
        customer_lifetime_value(bg, gg, six, 12)


def test_holdout_validation_on_cdnow(fitted, cdnow):
    bg, _ = fitted
    _, summary = cdnow
    v = holdout_validation(bg, summary)
    assert v.metrics["actual_total"] == 1882.0
    assert v.metrics["predicted_total"] == pytest.approx(LIFETIMES["holdout_predicted_total"], rel=1e-6)
    assert v.metrics["total_error_pct"] == pytest.approx(100 * (1653.4087 / 1882 - 1), abs=1e-3)
    assert v.reliable() and not v.reliable(tolerance_pct=10)  # 12.1 % low: within a quarter, not a tenth
    assert v.by_frequency["frequency"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert v.by_frequency["customers"].tolist() == [1411, 439, 214, 100, 62, 38, 29, 64]
    # bin means weighted by bin sizes give back the totals
    weighted = (v.by_frequency["customers"] * v.by_frequency["actual"]).sum()
    assert weighted == pytest.approx(1882.0)
    assert v.metrics["bias"] == pytest.approx((1653.4087241799066 - 1882) / 2357, rel=1e-6)
    assert set(v.tables()) == {"holdout_customers", "holdout_by_frequency", "holdout_metrics"}


def test_repeat_purchase_tracking_on_cdnow(fitted, cdnow):
    bg, _ = fitted
    tx, _ = cdnow
    result = repeat_purchase_tracking(bg, tx, "1997-09-30", "1998-06-30")
    assert result.time_unit == "W" and set(result.tables()) == {"holdout_tracking"}
    tr = result.table
    assert len(tr) == 78 and tr["calibration"].sum() == 39
    assert tr.loc[38, "end"] == pd.Timestamp("1997-09-30")
    assert tr.loc[38, "actual"] == 2457 and tr.loc[77, "actual"] == 2457 + 1882
    assert tr["actual"].is_monotonic_increasing and tr["predicted"].is_monotonic_increasing
    # the model tracks the calibration period closely (FHL 2005a, Figure 2)
    assert abs(tr.loc[38, "predicted"] / 2457 - 1) < 0.03


# ----------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_clv_figures_draw_results(fitted, cdnow, six, lang):
    import matplotlib.pyplot as plt

    from workbench.labels import label
    from workbench.plotting.clv import (
        plot_conditional_expectations,
        plot_probability_alive,
        plot_repeat_purchase_tracking,
        plot_retention_sensitivity,
    )

    bg, gg = fitted
    tx, summary = cdnow
    fig, axes = plt.subplots(2, 2)
    try:
        ax = plot_retention_sensitivity(retention_sensitivity(100, 0.1, 10), lang=lang, ax=axes[0, 0])
        assert ax is axes[0, 0] and ax.get_ylabel() == label("clv", lang)
        tr = repeat_purchase_tracking(bg, tx, "1997-09-30", "1998-06-30")
        ax = plot_repeat_purchase_tracking(tr, lang=lang, ax=axes[0, 1])
        assert len(ax.get_lines()) == 3  # actual, predicted, calibration end
        np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), tr.table["actual"])
        assert ax.get_xlabel() == label("week", lang)
        with pytest.raises(TypeError, match="RepeatPurchaseTracking"):
            plot_repeat_purchase_tracking(tr.table)
        ax = plot_conditional_expectations(holdout_validation(bg, summary), lang=lang, ax=axes[1, 0])
        assert [t.get_text() for t in ax.get_xticklabels()][-1] == "7+"
        clv = customer_lifetime_value(bg, gg, six)
        ax = plot_probability_alive(clv, lang=lang, ax=axes[1, 1])
        assert sum(p.get_height() for p in ax.patches) == len(six)
        with pytest.raises(ValueError, match="needs column"):
            plot_retention_sensitivity(pd.DataFrame({"r": [0.5]}))
        fig.canvas.draw()  # a missing CJK glyph would fail here (pyproject filterwarnings)
    finally:
        plt.close("all")


def test_gamma_gamma_names_the_unidentified_limit_on_the_n_company():
    """make_ncompany splits each customer-year's revenue over its orders, so mean spend
    barely varies within customers: the likelihood is maximal as p -> infinity."""
    from workbench.datasets import make_ncompany
    from workbench.value import clv_windows

    tx = make_ncompany(1000, n_respondents=10).transactions
    windows = clv_windows(tx, pd.Timestamp("2024-12-31"))
    summary = bgnbd_summary(tx, windows["calibration_end"], windows["observation_end"],
                            start=windows["start"])
    with pytest.warns(RuntimeWarning, match="only q and p\\*gamma are identified|reached its bound"):
        gg = GammaGammaModel().fit(summary)
    assert gg.at_bound_ == ("p", "gamma")
    assert gg.log_likelihood_ - gg.limit_log_likelihood_ < 0.01
    # in that limit the expected spend of a repeat buyer is her own mean spend
    repeat = summary[summary["frequency"] > 0]
    np.testing.assert_allclose(gg.expected_spend(repeat), repeat["monetary_value"], rtol=1e-3)
    # CDNOW is far from the limit: the three-parameter model is 20.9 log-likelihood units better
    cdnow = GammaGammaModel().fit(bgnbd_summary(load_cdnow("sample"), "1997-09-30", "1998-06-30"))
    assert cdnow.log_likelihood_ - cdnow.limit_log_likelihood_ == pytest.approx(20.87, abs=0.01)


# ----------------------------------------------------------------------------------
# estimator plumbing, time unit, models from published parameters
# ----------------------------------------------------------------------------------

# Fader, Hardie & Lee (2005a), CDNOW, weeks; Fader & Hardie (2013) note 025
PUBLISHED_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "v": 15.44}


def test_models_are_scikit_learn_estimators(fitted):
    from sklearn.base import clone

    bg, gg = fitted
    assert bg.get_params() == {"time_unit": "W", "max_iter": 500, "tol": 1e-12}
    assert gg.get_params() == {"max_iter": 500, "tol": 1e-12}
    fresh = clone(bg)
    assert fresh.get_params() == bg.get_params() and not hasattr(fresh, "params_")
    assert clone(BetaGeoModel(time_unit="D", max_iter=7)).get_params()["time_unit"] == "D"
    assert BetaGeoModel().set_params(max_iter=9).max_iter == 9
    assert repr(BetaGeoModel(time_unit="D")) == "BetaGeoModel(time_unit='D')"
    for model, call in [(BetaGeoModel(), lambda m: m.probability_alive([1], [1], [2])),
                        (GammaGammaModel(), lambda m: m.expected_spend([1], [2.0])),
                        (BetaGeoModel(), lambda m: m.summary())]:
        with pytest.raises(NotFittedError, match="not fitted"):
            call(model)
    with pytest.raises(NotFittedError):
        customer_lifetime_value(BetaGeoModel(), gg, pd.DataFrame())


def test_bgnbd_records_its_time_unit(cdnow):
    tx, _ = cdnow
    days = bgnbd_summary(tx, "1997-09-30", "1998-06-30", time_unit="D")
    bg_d = BetaGeoModel(time_unit="D").fit(days)
    assert bg_d.time_unit_ == "D"
    assert repeat_purchase_tracking(bg_d, tx, "1997-09-30", "1998-06-30").time_unit == "D"
    with pytest.raises(ValueError, match="fitted in 'D'"):
        customer_lifetime_value(bg_d, GammaGammaModel().fit(days), days.head(), time_unit="W")
    with pytest.raises(ValueError, match="time_unit='M'"):
        BetaGeoModel(time_unit="M").fit(days)


def test_models_from_published_parameters_predict_as_lifetimes(fitted, six):
    """The published (rounded) estimates give lifetimes' predictions within the rounding."""
    bg_fit, gg_fit = fitted
    bg = BetaGeoModel.from_params(**PUBLISHED_BG, time_unit="W")
    gg = GammaGammaModel.from_params(**PUBLISHED_GG)
    assert bg.time_unit_ == "W" and bg.at_bound_ == () and gg.at_bound_ == ()
    assert bg.params_.to_dict() == PUBLISHED_BG and gg.gamma_ == 15.44
    assert bg.summary()["std_error"].isna().all()
    np.testing.assert_allclose(bg.expected_purchases_population([1.0, 10, 39, 78]),
                               LIFETIMES["population"], rtol=2e-3)
    np.testing.assert_allclose(bg.probability_alive(six), LIFETIMES["p_alive"], rtol=2e-3)
    np.testing.assert_allclose(bg.expected_purchases(39, six), LIFETIMES["expected_39"], rtol=3e-3)
    np.testing.assert_allclose(gg.expected_spend(six), LIFETIMES["spend"], rtol=2e-3)
    np.testing.assert_allclose(customer_lifetime_value(bg, gg, six)["clv"], LIFETIMES["clv_12m_1pct"], rtol=5e-3)
    # built from the fitted estimates, the predictions are the fitted model's exactly
    exact = BetaGeoModel.from_params(**bg_fit.params_.to_dict())
    np.testing.assert_array_equal(exact.expected_purchases(39, six), bg_fit.expected_purchases(39, six))
    p, q, g = gg_fit.params_
    np.testing.assert_array_equal(GammaGammaModel.from_params(p=p, q=q, v=g).expected_spend(six),
                                  gg_fit.expected_spend(six))


@pytest.mark.parametrize("bad, message", [
    ({"r": 0.0}, "r must be a finite number > 0"),
    ({"alpha": np.nan}, "alpha must be a finite number > 0"),
    ({"b": "x"}, "b must be a number"),
    ({"time_unit": "M"}, "time_unit='M'"),
])
def test_from_params_bad_input(bad, message):
    with pytest.raises((ValueError, TypeError), match=message):
        BetaGeoModel.from_params(**{**PUBLISHED_BG, **bad})
    with pytest.raises(ValueError, match="q must be a finite number > 0"):
        GammaGammaModel.from_params(p=1.0, q=-1.0, v=1.0)


def test_clv_says_why_when_the_bgnbd_formula_overflows():
    """The fit of 300,000 uniform orders of 30,000 customers (issue 13): r and alpha run
    off together (one common purchase rate), and the conditional expectation overflows.
    The CLV section must name that cause, not pass NaN on to the Lorenz curve."""
    bg = BetaGeoModel.from_params(r=1.506449e5, alpha=1.582399e6, a=6.332768e-07, b=3.981062e3)
    gg = GammaGammaModel.from_params(p=3.09, q=8.67e4, v=2.9e6)
    summary = pd.DataFrame({"customer_id": ["U1", "U2"], "frequency": [9, 10], "recency": [100.0, 101.0],
                            "T": [104.0, 104.0], "monetary_value": [100.0, 110.0]})
    with pytest.raises(ValueError, match=r"not finite for 2 of 2 customers.*common rate"):
        customer_lifetime_value(bg, gg, summary, horizon=12, monthly_discount=0.01)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([0.0, 0.5, 1 / 7, 2.0, 1e-9]),
                          st.sampled_from([0.0, 3.0, 1e6, 2 / 7])), min_size=1, max_size=40))
def test_the_fits_distinct_rows_and_weights_equal_numpys_row_sort(rows):
    from workbench.clv import _unique_rows

    x, tx, T = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    keys, counts = _unique_rows(x, tx, T)
    want_keys, want_counts = np.unique(np.column_stack([x, tx, T]), axis=0, return_counts=True)
    np.testing.assert_array_equal(keys, want_keys)
    np.testing.assert_array_equal(counts, want_counts)
