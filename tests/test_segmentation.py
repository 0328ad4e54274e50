"""Tests for workbench.segmentation: hand-worked tables first, then properties, then recovery.

Reference numbers: the 6-customer profile and ANOVA are worked on paper below and
checked against scipy.stats.f_oneway / kruskal and statsmodels' anova_lm; recovery uses
make_ncompany's known latent segments.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score

from workbench.datasets import make_ncompany
from workbench.features import customer_features
from workbench.labels import label, segment_label
from workbench.lifecycle import migration_matrix
from workbench.segmentation import (
    RFM_CLASSES,
    CustomerSegmenter,
    WeakSegmentationWarning,
    knee,
    profile_table,
    rfm_class,
    segment_anova,
    segment_by,
    segment_profile,
)
from workbench.segmentation.naming import _disambiguate

# --- hand-worked 6-customer table ---------------------------------------------------------


@pytest.fixture
def six():
    return pd.DataFrame({
        "customer_id": list("abcdef"),
        "recency_days": [10.0, 20.0, 30.0, 100.0, 200.0, 300.0],
        "frequency": [5, 4, 6, 1, 2, 1],
        "monetary_total": [100.0, 200.0, 300.0, 10.0, 20.0, 30.0],
        "gross_profit": [10.0, 20.0, 30.0, 1.0, 2.0, 3.0],
    })


def test_profile_by_hand(six):
    profile = segment_profile(six, [0, 0, 0, 1, 1, 1], columns=["recency_days", "frequency"],
                              names={0: "important_value", 1: "general_winback"})
    assert list(profile["name"]) == ["important_value", "general_winback", "overall"]
    assert profile["segment"].isna().tolist() == [False, False, True]
    assert list(profile["n_customers"]) == [3, 3, 6]
    assert profile["share_customers"].tolist() == [0.5, 0.5, 1.0]
    # revenue 600 and 60 of 660; gross profit 60 and 6 of 66
    assert profile["revenue"].tolist() == [600.0, 60.0, 660.0]
    np.testing.assert_allclose(profile["share_revenue"], [600 / 660, 60 / 660, 1.0])
    np.testing.assert_allclose(profile["share_gross_profit"], [60 / 66, 6 / 66, 1.0])
    # recency: means 20 and 200, SDs 10 and 100; overall mean 110, SD sqrt(68800 / 5)
    np.testing.assert_allclose(profile["recency_days_mean"], [20.0, 200.0, 110.0])
    np.testing.assert_allclose(profile["recency_days_sd"], [10.0, 100.0, np.sqrt(68800 / 5)])
    np.testing.assert_allclose(profile["frequency_mean"], [5.0, 4 / 3, 19 / 6])
    text = profile_table(profile, decimals=1)
    assert text.loc[0, "recency_days"] == "20.0 ± 10.0"
    assert text.loc[2, "share_revenue"] == "100.0%"
    assert text.loc[0, "name"] == "important_value"  # a code: labels translate it
    assert segment_label(text.loc[0, "name"], "zh") == "重要价值客户"
    # by default the decimals follow each feature's overall mean: 110 days -> 1, 3.17 purchases -> 2
    shown = profile_table(profile)
    assert shown.loc[2, "recency_days"] == f"110.0 ± {np.sqrt(68800 / 5):.1f}"
    assert shown.loc[2, "frequency"].startswith("3.17 ± ")


def test_anova_by_hand(six):
    """SS_B = 3(20-110)^2 + 3(200-110)^2 = 48,600; SS_W = 200 + 20,000 = 20,200;
    F = 48,600 / (20,200 / 4) = 9.6238; eta^2 = 48,600 / 68,800 = 0.70640."""
    labels = [0, 0, 0, 1, 1, 1]
    table = segment_anova(six, labels, columns=["recency_days"]).iloc[0]
    assert table["F"] == pytest.approx(48600 / 5050)
    assert table["eta_squared"] == pytest.approx(48600 / 68800)
    assert (table["df_between"], table["df_within"]) == (1, 4)
    f, p = stats.f_oneway([10, 20, 30], [100, 200, 300])
    assert table["F"] == pytest.approx(f) and table["p_anova"] == pytest.approx(p)
    h, ph = stats.kruskal([10, 20, 30], [100, 200, 300])
    assert table["H"] == pytest.approx(h) and table["p_kruskal"] == pytest.approx(ph)


def test_anova_matches_statsmodels():
    import statsmodels.api as sm
    from statsmodels.formula.api import ols

    rng = np.random.default_rng(3)
    labels = np.repeat([0, 1, 2, 3], [7, 11, 5, 9])
    y = rng.normal(size=len(labels)) + labels * 0.4
    frame = pd.DataFrame({"y": y, "g": labels.astype(str)})
    ref = sm.stats.anova_lm(ols("y ~ C(g)", data=frame).fit(), typ=2)
    ours = segment_anova(frame[["y"]], labels).iloc[0]
    assert ours["F"] == pytest.approx(ref.loc["C(g)", "F"], rel=1e-10)
    assert ours["p_anova"] == pytest.approx(ref.loc["C(g)", "PR(>F)"], rel=1e-8)
    ss_b, ss_w = ref.loc["C(g)", "sum_sq"], ref.loc["Residual", "sum_sq"]
    assert ours["eta_squared"] == pytest.approx(ss_b / (ss_b + ss_w), rel=1e-10)
    assert ours["df_within"] == ref.loc["Residual", "df"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(-1e3, 1e3, allow_nan=False)), min_size=6, max_size=60))
def test_profile_and_anova_invariants(rows):
    labels = np.array([r[0] for r in rows])
    frame = pd.DataFrame({"x": [r[1] for r in rows], "monetary_total": np.abs([r[1] for r in rows])})
    profile = segment_profile(frame, labels, columns=["x"])
    body = profile.iloc[:-1]
    assert body["n_customers"].sum() == len(rows)
    assert body["share_customers"].sum() == pytest.approx(1.0)
    assert profile.iloc[-1]["x_mean"] == pytest.approx(frame["x"].mean(), abs=1e-6)
    if len(set(labels)) > 1:
        row = segment_anova(frame, labels, columns=["x"]).iloc[0]
        if np.isfinite(row["F"]):
            assert 0 <= row["eta_squared"] <= 1
            # eta^2 = F df_b / (F df_b + df_w)
            fdb = row["F"] * row["df_between"]
            assert row["eta_squared"] == pytest.approx(fdb / (fdb + row["df_within"]), rel=1e-6, abs=1e-9)


# --- names -----------------------------------------------------------------------------------


def test_rfm_codes_are_the_value_modules():
    from workbench.value import EIGHT_CLASSES

    assert set(RFM_CLASSES.values()) == set(EIGHT_CLASSES)
    assert rfm_class(True, True, True) == "important_value"
    assert rfm_class(False, False, True) == "important_winback"
    assert rfm_class(True, False, False) == "general_development"


def test_duplicate_names_are_numbered_in_segment_order():
    assert _disambiguate({0: "a", 1: "b", 2: "a", 3: "a"}) == {0: "a_1", 1: "b", 2: "a_2", 3: "a_3"}


def test_duplicate_names_are_told_apart_by_the_trait_that_separates_them():
    """Worked by hand on the three "general development" segments of the ncompany case
    (z = (segment mean - overall mean) / overall sd, rounded from its profile table)."""
    names = {0: "general_development", 1: "general_value", 2: "general_development", 3: "general_development"}
    z = pd.DataFrame({"monetary_total": [-0.37, 0.0, -0.08, -0.38],
                      "tenure_days": [0.39, 0.6, -1.20, -2.54],
                      "spend_trend": [-0.28, -0.5, 0.56, -0.36]})
    # segment 0: gaps to the mean of 2 and 3 are -0.14, +2.26, +0.18 -> higher tenure;
    # segment 2: +0.005, -0.275, +0.88 -> higher spend trend; segment 3: -0.155, -2.135, -0.22
    assert _disambiguate(names, z) == {0: "general_development_higher_tenure_days", 1: "general_value",
                                       2: "general_development_higher_spend_trend",
                                       3: "general_development_lower_tenure_days"}
    assert [segment_label(n, "zh") for n in _disambiguate(names, z).values()] == [
        "一般发展客户（客户关系时长较长）", "一般价值客户", "一般发展客户（消费趋势较高）",
        "一般发展客户（客户关系时长较短）"]
    assert segment_label("general_development_higher_tenure_days", "en") == "General development (higher tenure)"
    assert segment_label("vip_lower_frequency", "zh") == "vip（购买次数较少）"  # a name of the case's rules
    # two namesakes whose traits coincide are numbered, as without the means
    # (0 and 1 both lie furthest above the others in tenure: gaps +2.45 and +2.6)
    same = pd.DataFrame({"tenure_days": [2.0, 2.1, -3.0], "spend_trend": [0.0, 0.1, 0.0]})
    assert _disambiguate({0: "a", 1: "a", 2: "a"}, same) == {0: "a_1", 1: "a_2", 2: "a_3"}
    # a column without a mean for one of them is no trait; none left: numbered
    gap = pd.DataFrame({"tenure_days": [1.0, float("nan")], "spend_trend": [0.5, -0.5]})
    assert _disambiguate({0: "a", 1: "a"}, gap) == {0: "a_higher_spend_trend", 1: "a_lower_spend_trend"}
    assert _disambiguate({0: "a", 1: "a"}, gap[["tenure_days"]]) == {0: "a_1", 1: "a_2"}
    assert segment_label("important_value_2", "zh") == "重要价值客户 (2)"
    assert segment_label("important_value", "en") == "Important value"
    assert segment_label("my_rule_name", "zh") == "my_rule_name"


def two_groups(n=200, seed=0):
    """Recent, frequent big spenders and lapsed, rare small ones: two obvious segments."""
    rng = np.random.default_rng(seed)
    half = n // 2
    return pd.DataFrame({
        "customer_id": [f"c{i:04d}" for i in range(n)],
        "recency_days": np.r_[rng.uniform(1, 30, half), rng.uniform(300, 400, n - half)],
        "frequency": np.r_[rng.integers(8, 15, half), rng.integers(1, 3, n - half)].astype(float),
        "monetary_total": np.r_[rng.uniform(800, 1200, half), rng.uniform(20, 60, n - half)],
    })


def test_rfm_names_and_rules():
    frame = two_groups()
    cols = ["recency_days", "frequency", "monetary_total"]
    seg = CustomerSegmenter(columns=cols, k=2, n_bootstrap=0).fit(frame)
    first = seg.labels_[0]
    assert seg.names_[first] == "important_value"
    assert seg.names_[1 - first] == "general_winback"
    rules = [{"name": "vip", "when": {"monetary_total": "high", "recency_days": "low"}}]
    ruled = CustomerSegmenter(columns=cols, k=2, n_bootstrap=0, names=rules).fit(frame)
    assert ruled.names_[first] == "vip" and ruled.names_[1 - first] == "general_winback"
    explicit = CustomerSegmenter(columns=cols, k=2, n_bootstrap=0, names={0: "x", 1: "x"}).fit(frame)
    # one name given twice: told apart by the column that separates them most (here the
    # recency gap, the largest in standard deviations), the recent half "lower recency"
    assert explicit.names_[first] == "x_lower_recency_days"
    assert explicit.names_[1 - first] == "x_higher_recency_days"
    with pytest.raises(ValueError, match="not clustered"):
        CustomerSegmenter(columns=cols, k=2, names=[{"name": "v", "when": {"size": "high"}}]).fit(frame)
    with pytest.raises(ValueError, match="'high' or 'low'"):
        CustomerSegmenter(columns=cols, k=2, names=[{"name": "v", "when": {"frequency": "up"}}]).fit(frame)


def test_names_agree_with_the_profile_table():
    """The name's high/low R, F, M are the profile's segment means against its overall row."""
    from workbench.segmentation import rfm_class

    frame = make_ncompany(300, n_respondents=10).transactions
    features = customer_features(frame, "2024-12-31")
    seg = CustomerSegmenter(n_bootstrap=0, k=4).fit(features)
    profile = seg.profile_.set_index("name")
    overall = profile.loc["overall"]
    for name, row in profile.drop(index="overall").iterrows():
        expected = rfm_class(row["recency_days_mean"] < overall["recency_days_mean"],
                             row["frequency_mean"] > overall["frequency_mean"],
                             row["monetary_total_mean"] > overall["monetary_total_mean"])
        assert re.sub(r"_(higher|lower)_[a-z_]+$|_\d+$", "", name) == expected  # qualified or numbered


# --- bad input gives clear errors -----------------------------------------------------------


def test_single_customer():
    with pytest.raises(ValueError, match="only 1 customer"):
        CustomerSegmenter().fit(two_groups().iloc[:1])
    with pytest.raises(ValueError, match=r"only 2 customer\(s\); segmentation needs at least 3"):
        CustomerSegmenter().fit(two_groups().iloc[:2])


def test_fewer_distinct_points_than_k():
    frame = pd.DataFrame({"x": [1.0, 1.0, 2.0, 2.0, 3.0, 3.0], "y": [0.0, 0.0, 1.0, 1.0, 5.0, 5.0]})
    with pytest.raises(ValueError, match="k=4 but only 3 distinct customers"):
        CustomerSegmenter(columns=["x", "y"], k=4).fit(frame)
    two = frame.iloc[:4]
    with pytest.raises(ValueError, match="only 2 distinct customers .* needs at least 3"):
        CustomerSegmenter(columns=["x", "y"]).fit(two)
    seg = CustomerSegmenter(columns=["x", "y"], n_bootstrap=2, k_range=(2, 5)).fit(frame)
    assert seg.k_selection_.table["k"].tolist() == [2]
    assert "skipped" in seg.notes_[0]


def test_constant_missing_and_non_numeric_columns():
    frame = two_groups()
    frame["flat"] = 7.0
    with pytest.raises(ValueError, match="'flat' is constant"):
        CustomerSegmenter(columns=["recency_days", "flat"]).fit(frame)
    frame["gaps"] = np.where(np.arange(len(frame)) % 10 == 0, np.nan, 1.0 * np.arange(len(frame)))
    with pytest.raises(ValueError, match="'gaps' has 20 missing value"):
        CustomerSegmenter(columns=["recency_days", "gaps"]).fit(frame)
    frame["city"] = "x"
    with pytest.raises(TypeError, match="'city' has dtype"):
        CustomerSegmenter(columns=["recency_days", "city"]).fit(frame)
    with pytest.raises(ValueError, match=r"\['nope'\] not in features"):
        CustomerSegmenter(columns=["nope"]).fit(frame)
    flat = pd.DataFrame({"recency_days": [1.0] * 5, "frequency": [2.0] * 5})
    with pytest.raises(ValueError, match="none of the default columns"):
        CustomerSegmenter().fit(flat)
    with pytest.raises(ValueError, match="duplicated"):
        CustomerSegmenter().fit(pd.concat([frame, frame.iloc[:2]]))
    with pytest.raises(ValueError, match="k_range"):
        CustomerSegmenter(k_range=(1, 4)).fit(frame)
    with pytest.raises(ValueError, match="scaler='minmax' is not supported"):
        CustomerSegmenter(scaler="minmax").fit(frame)
    with pytest.raises(ValueError, match="log1p is undefined"):
        CustomerSegmenter(columns=["x", "y"], transforms={"x": "log1p"}, n_bootstrap=0).fit(
            pd.DataFrame({"x": [-5.0, 1, 2, 3, 4, 5], "y": [1.0, 2, 3, 4, 5, 7]}))


def test_default_columns_are_excluded_with_reasons():
    frame = two_groups()
    frame["tenure_days"] = 400.0
    frame["monetary_mean"] = np.where(np.arange(len(frame)) < 3, np.nan, 5.0 + np.arange(len(frame)))
    frame["spend_trend"] = np.where(np.arange(len(frame)) % 2 == 0, np.nan, np.linspace(-5, 5, len(frame)))
    seg = CustomerSegmenter(k=2, n_bootstrap=0).fit(frame)
    assert seg.excluded_ == {"monetary_mean": "3 of 200 values missing", "tenure_days": "constant (400)"}
    assert seg.columns_ == ["recency_days", "frequency", "monetary_total", "spend_trend"]
    trend = seg.transforms_.set_index("column").loc["spend_trend"]
    assert trend["n_filled"] == 100 and trend["fill_value"] == 0.0
    assert seg.transforms_.set_index("column").loc["recency_days", "transform"] == "none"


# --- the pipeline --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ncompany():
    data = make_ncompany(600)
    feats = customer_features(data.transactions, "2024-12-31")
    truth = data.truth.segments.set_index("customer_id").loc[feats["customer_id"], "segment_code"]
    return data, feats, truth.to_numpy()


@pytest.fixture(scope="module")
def fitted(ncompany):
    _, feats, _ = ncompany
    with warnings.catch_warnings():
        warnings.simplefilter("error", WeakSegmentationWarning)
        return CustomerSegmenter(n_bootstrap=10).fit(feats)


def test_recovers_clear_ncompany_segments(ncompany, fitted):
    """make_ncompany(separation="clear") has 5 latent segments (key accounts, growing,
    stable small, declining, churned); the default pipeline recommends k = 5 and finds
    them with adjusted Rand index >= 0.9 (0.976 when written)."""
    _, _, truth = ncompany
    assert fitted.k_ == 5 and fitted.recommendation_["k"] == 5
    assert adjusted_rand_score(truth, fitted.labels_) >= 0.9
    assert not fitted.weak_ and fitted.quality_.startswith("clear")
    sel = fitted.k_selection_.table.set_index("k")
    assert sel.loc[5, "stability_mean"] >= 0.9
    assert sel["recommended"].sum() == 1 and sel.loc[5, "chosen"]
    assert fitted.k_selection_.silhouette_sample == 600 and fitted.k_selection_.algorithm == "KMeans"
    assert "k=5: highest silhouette" in fitted.recommendation_["reason"]
    # churned customers are the segment named as lapsed: not recent, low frequency
    churned = pd.Series(fitted.labels_[truth == 4]).mode()[0]
    assert fitted.names_[churned].endswith("winback")


def test_fitted_attributes_are_consistent(ncompany, fitted):
    _, feats, _ = ncompany
    k = fitted.k_
    counts = np.bincount(fitted.labels_, minlength=k)
    assert (np.diff(counts) <= 0).all()  # numbered by size
    assert fitted.centers_.shape == (k, len(fitted.columns_))
    assert list(fitted.profile_["n_customers"].iloc[:-1]) == list(counts)
    assert list(fitted.anova_["feature"]) == fitted.columns_
    np.testing.assert_array_equal(fitted.predict(feats), fitted.labels_)
    # centroids back in original units: a log1p column's centre is expm1 of its mean log
    mt = np.log1p(feats["monetary_total"].to_numpy())[fitted.labels_ == 0].mean()
    assert fitted.centers_.loc[0, "monetary_total"] == pytest.approx(np.expm1(mt), rel=1e-6)
    assigned = fitted.assign(feats.iloc[:5])
    assert list(assigned.columns) == ["customer_id", "segment", "name"]  # codes; labels translate them
    from workbench.formatting import code_labels
    shown = code_labels("name", assigned["name"], "zh")
    assert shown.tolist() == [segment_label(n, "zh") for n in assigned["name"]]
    assert shown.str.contains(r"[\u4e00-\u9fff]").all()


def test_same_random_state_gives_identical_results(ncompany, fitted):
    _, feats, _ = ncompany
    again = CustomerSegmenter(n_bootstrap=10).fit(feats)
    np.testing.assert_array_equal(again.labels_, fitted.labels_)
    pd.testing.assert_frame_equal(again.k_selection_.table, fitted.k_selection_.table)
    assert again.names_ == fitted.names_


def test_predict_maps_next_period_and_migration(ncompany, fitted):
    data, feats, _ = ncompany
    earlier = customer_features(data.transactions, "2023-12-31")
    before = fitted.assign(earlier)
    after = fitted.assign(feats)
    migration = migration_matrix(before, after, column="name")
    table = migration.counts
    assert table.to_numpy().sum() == len(set(before["customer_id"]) | set(after["customer_id"]))
    assert table.loc["(new)"].sum() == len(set(after["customer_id"]) - set(before["customer_id"]))
    assert table.index[-1] == "(new)" and table.columns[-1] == "(absent)"
    assert set(table.index[:-1]) == set(before["name"]) | set(after["name"])
    np.testing.assert_allclose(migration.shares.iloc[:-1].sum(axis=1), 1.0)
    pd.testing.assert_frame_equal(migration.shares, table.div(table.sum(axis=1), axis=0))
    assert migration.movers.empty  # no value class asked about


def test_single_gaussian_blob_is_called_weak():
    """k-means splits a single 2-D Gaussian with silhouette about 0.33 (above the usual
    0.25); the null-reference gain and the bootstrap tell it is no real structure."""
    X = np.random.default_rng(1).normal(size=(500, 2))
    blob = pd.DataFrame(X, columns=["a", "b"])
    with pytest.warns(WeakSegmentationWarning, match="weak segmentation"):
        seg = CustomerSegmenter(columns=["a", "b"], n_bootstrap=10).fit(blob)
    assert seg.weak_
    assert seg.k_selection_.table["silhouette_gain"].abs().max() < 0.05


def test_one_correlated_customer_population_is_called_weak():
    """RFM-like features of a single population (log-normal, correlated, no segments),
    through the default transforms: k-means still splits it, the report must not
    present that as customer types."""
    rng = np.random.default_rng(3)
    z = rng.multivariate_normal(np.zeros(4), [[1, .5, .4, 0], [.5, 1, .6, 0], [.4, .6, 1, 0], [0, 0, 0, 1]],
                                size=1500)
    features = pd.DataFrame({"customer_id": [f"C{i:04d}" for i in range(1500)],
                             "recency_days": np.exp(3.5 + 0.8 * z[:, 0]),
                             "frequency": np.ceil(np.exp(1.2 + 0.7 * z[:, 1])),
                             "monetary_total": np.exp(7 + 0.9 * z[:, 2]),
                             "tenure_days": 400 + 60 * z[:, 3]})
    with pytest.warns(WeakSegmentationWarning, match="above a single Gaussian"):
        seg = CustomerSegmenter(n_bootstrap=10).fit(features)
    assert seg.weak_ and "log1p" in set(seg.transforms_["transform"])


def test_minibatch_switch_pca_and_winsorising_are_recorded():
    frame = two_groups(400)
    seg = CustomerSegmenter(columns=["recency_days", "frequency", "monetary_total"], k=2, n_bootstrap=3,
                            minibatch_threshold=100, pca=2, winsorize=0.05).fit(frame)
    assert seg.algorithm_ == "MiniBatchKMeans" and "400 customers > minibatch_threshold 100" in seg.algorithm_reason_
    assert seg.pca_.n_components_ == 2 and seg.centers_scaled_.shape == (2, 3)
    tr = seg.transforms_.set_index("column")
    assert tr.loc["monetary_total", "clip_high"] == pytest.approx(frame["monetary_total"].quantile(0.95))
    # the fit's bounds are reused: an extreme new customer is clipped, not re-scaled
    extreme = frame.iloc[:1].assign(monetary_total=1e9)
    assert seg.predict(extreme)[0] == seg.labels_[0]
    assert adjusted_rand_score(np.repeat([0, 1], 200), seg.labels_) == 1.0


def test_segment_by_industry(ncompany):
    data, feats, _ = ncompany
    merged = feats.merge(data.customers[["customer_id", "industry"]], on="customer_id", validate="1:1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakSegmentationWarning)
        grouped = segment_by(merged, "industry", k_range=(2, 6), n_bootstrap=3)
    assert sorted(grouped.models) == sorted(merged["industry"].unique())
    assert len(grouped.assignments) == len(merged)
    assert (grouped.assignments["customer_id"].to_numpy() == merged["customer_id"].to_numpy()).all()
    tables = grouped.tables()
    assert set(tables["selection"]["industry"]) == set(grouped.models)
    assert tables["summary"]["n_customers"].sum() == len(merged)
    merged.loc[0, "industry"] = None
    with pytest.raises(ValueError, match="missing for 1 customer"):
        segment_by(merged, "industry")


@pytest.mark.parametrize("curve", [
    [100, 60, 40, 30, 25, 22, 20, 19, 18],
    [1000, 500, 300, 250, 230, 220, 215],
    [50, 45, 20, 18, 16, 15, 14.5, 14],
])
def test_knee_agrees_with_kneed(curve):
    from kneed import KneeLocator

    ks = np.arange(2, 2 + len(curve))
    ref = KneeLocator(ks, curve, curve="convex", direction="decreasing").knee
    assert knee(ks, np.asarray(curve, float)) == ref


# --- figures --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_draw_the_results(ncompany, fitted, lang):
    import matplotlib.pyplot as plt

    from workbench.plotting.lifecycle import plot_migration
    from workbench.plotting.segmentation import (
        plot_k_selection,
        plot_profile_heatmap,
        plot_segment_shares,
        plot_snake,
    )

    data, feats, _ = ncompany
    axes = plot_k_selection(fitted.k_selection_, lang=lang)
    assert axes.shape == (2, 2)
    assert axes[0, 0].lines[0].get_ydata().tolist() == fitted.k_selection_.table["inertia"].tolist()
    with pytest.raises(TypeError, match="pass the result of workbench.segmentation.select_k"):
        plot_k_selection(fitted.k_selection_.table)
    heat = plot_profile_heatmap(fitted.profile_, lang=lang)
    assert len(heat.get_yticklabels()) == fitted.k_
    snake = plot_snake(fitted.profile_, lang=lang)
    assert len(snake.get_legend().get_texts()) == fitted.k_
    bars = plot_segment_shares(fitted.profile_, lang=lang)
    assert len(bars.patches) == 3 * fitted.k_
    before = fitted.assign(customer_features(data.transactions, "2023-12-31"))
    mig = plot_migration(migration_matrix(before, fitted.assign(feats), column="name"), lang=lang)
    assert mig.get_xlabel() == label("to", lang)
    ticks = [t.get_text() for t in mig.get_yticklabels()]
    assert segment_label(fitted.names_[0], lang) in ticks
    plt.close("all")


def test_user_k_overrides_the_recommendation(ncompany, fitted):
    _, feats, _ = ncompany
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakSegmentationWarning)
        seg = CustomerSegmenter(k=3, k_range=(2, 6), n_bootstrap=3).fit(feats)
    assert seg.k_ == 3 and len(np.unique(seg.labels_)) == 3
    sel = seg.k_selection_.table.set_index("k")
    assert sel.loc[3, "chosen"] and sel["chosen"].sum() == 1
    assert seg.recommendation_["reason"].startswith("k=3 set by the user (case file); the criteria recommend")


def test_above_the_fit_sample_centres_come_from_a_sample_and_every_customer_is_assigned(monkeypatch):
    from workbench.segmentation import clustering

    monkeypatch.setattr(clustering, "FIT_SAMPLE", 150)
    frame = two_groups(400)
    cols = ["recency_days", "frequency", "monetary_total"]
    seg = CustomerSegmenter(columns=cols, k=2, n_bootstrap=3, minibatch_threshold=100).fit(frame)
    assert "centres fitted on a seeded sample of 150 customers" in seg.algorithm_reason_
    assert len(seg.labels_) == 400 and adjusted_rand_score(np.repeat([0, 1], 200), seg.labels_) == 1.0
    Y = np.random.default_rng(0).normal(size=(400, 2)) + np.repeat([[0.0, 0.0], [6.0, 6.0]], 200, axis=0)
    fit = clustering._fit_kmeans(Y, 2, seed=3, n_init=3, minibatch_threshold=100)
    rows = clustering._fit_rows(400, 3)
    assert len(rows) == 150 and len(np.unique(rows)) == 150  # a sample without repeats
    # labels: every row's nearest centre; inertia: of every row, not of the sample
    np.testing.assert_array_equal(fit.labels, clustering._nearest(Y, fit.centers))
    assert fit.inertia == pytest.approx(((Y - fit.centers[fit.labels]) ** 2).sum(), rel=1e-12)
    again = clustering._fit_kmeans(Y, 2, seed=3, n_init=3, minibatch_threshold=100)
    np.testing.assert_array_equal(fit.centers, again.centers)  # seeded


def test_minibatch_path_is_deterministic():
    frame = two_groups(300, seed=4)
    cols = ["recency_days", "frequency", "monetary_total"]
    runs = [CustomerSegmenter(columns=cols, k_range=(2, 4), n_bootstrap=3, minibatch_threshold=50,
                              random_state=7).fit(frame)
            for _ in range(2)]
    np.testing.assert_array_equal(runs[0].labels_, runs[1].labels_)
    pd.testing.assert_frame_equal(runs[0].k_selection_.table, runs[1].k_selection_.table)


def test_unfitted_and_wrong_features_for_predict(fitted):
    with pytest.raises(NotFittedError, match="not fitted"):
        CustomerSegmenter().predict(two_groups())
    with pytest.raises(ValueError, match="used in fit are not in these features"):
        fitted.predict(two_groups())


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(12, 80), st.integers(2, 4))
def test_fit_invariants_on_random_data(seed, n, k):
    """Segments are numbered by size, predict reproduces the fit's labels, the profile
    counts every customer once and the selection table has one row per usable k."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.exponential(size=n) * 100})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakSegmentationWarning)
        seg = CustomerSegmenter(columns=["a", "b"], k=k, k_range=(2, 4), n_bootstrap=2,
                                random_state=seed).fit(frame)
    counts = np.bincount(seg.labels_, minlength=k)
    assert len(counts) == k and (np.diff(counts) <= 0).all()
    np.testing.assert_array_equal(seg.predict(frame), seg.labels_)
    assert seg.profile_["n_customers"].iloc[-1] == n == counts.sum()
    assert seg.k_selection_.table["k"].tolist() == [2, 3, 4]
    assert set(seg.names_) == set(range(k)) and len(set(seg.names_.values())) == k


def test_sampled_silhouette_is_close_to_the_full_one(ncompany, fitted):
    """The silhouette on a seeded sample of 300 of the 600 customers stays within 0.03 of
    scikit-learn's full silhouette for every k (sampling is what makes 1M customers cheap)."""
    _, feats, _ = ncompany
    sampled = CustomerSegmenter(n_bootstrap=0, silhouette_sample=300).fit(feats)
    full = fitted.k_selection_.table.set_index("k")["silhouette"]
    diff = (sampled.k_selection_.table.set_index("k")["silhouette"] - full).abs()
    assert diff.max() < 0.03
    assert sampled.k_selection_.silhouette_sample == 300


def test_segments_against_truth_by_hand():
    from workbench.segmentation import segments_against_truth

    assigned = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "name": ["x", "x", "y", "y"]})
    truth = pd.DataFrame({"customer_id": ["d", "c", "b", "a"], "segment": ["s2", "s2", "s1", "s1"]})
    ari, table = segments_against_truth(assigned, truth)
    assert ari == 1.0 and table.loc["s1", "x"] == 2 and table.loc["s1", "y"] == 0
    truth.loc[0, "segment"] = "s1"  # d now belongs with a and b: no longer the same partition
    assert segments_against_truth(assigned, truth)[0] < 1.0
    with pytest.raises(ValueError, match="1 customer\\(s\\) have no true segment, e.g. 'd'"):
        segments_against_truth(assigned, truth.iloc[1:])


# --- the pieces on scikit-learn's base (issue 10, item 3) -----------------------------------


def test_the_pieces_in_a_pipeline_reproduce_the_segmenter(ncompany, fitted):
    """Preprocessor -> SegmentKMeans in an sklearn Pipeline gives the segmenter's segments,
    and select_k on the preprocessor's matrix gives its selection table, number for number."""
    from sklearn.pipeline import make_pipeline

    from workbench.segmentation import SegmentationPreprocessor, SegmentKMeans, select_k

    _, feats, _ = ncompany
    pipe = make_pipeline(SegmentationPreprocessor(),
                         SegmentKMeans(fitted.k_, random_state=fitted.clusterer_.random_state)).fit(feats)
    np.testing.assert_array_equal(pipe[-1].labels_, fitted.labels_)
    np.testing.assert_array_equal(pipe.predict(feats), fitted.predict(feats))
    np.testing.assert_array_equal(pipe.fit_predict(feats), fitted.labels_)
    assert pipe[0].get_feature_names_out().tolist() == fitted.columns_
    pd.testing.assert_frame_equal(pipe[0].transforms_, fitted.transforms_)
    np.testing.assert_allclose(pipe[0].transform(feats), fitted.preprocessor_.transform(feats))
    np.testing.assert_allclose(pipe[0].inverse_transform(pipe[-1].cluster_centers_), fitted.centers_.to_numpy())
    chosen = select_k(pipe[0].transform(feats), fitted.k_selection_.table["k"], n_bootstrap=10, random_state=0)
    pd.testing.assert_frame_equal(chosen.table, fitted.k_selection_.table.drop(columns="chosen"))
    assert chosen.recommended_k == fitted.recommendation_["k"] and chosen.reason == fitted.recommendation_["reason"]


def test_estimators_use_sklearns_plumbing(fitted):
    from sklearn.base import clone

    from workbench.segmentation import SegmentationPreprocessor, SegmentKMeans

    seg = CustomerSegmenter(columns=["frequency", "monetary_total"], k=3, n_bootstrap=0)
    assert repr(seg) == "CustomerSegmenter(columns=['frequency', 'monetary_total'], k=3, n_bootstrap=0)"
    assert clone(seg).get_params() == seg.get_params() and seg.set_params(k=4).k == 4
    assert clone(fitted).get_params() == fitted.get_params() and not hasattr(clone(fitted), "labels_")
    with pytest.raises(ValueError, match="Invalid parameter 'kk'"):
        seg.set_params(kk=2)
    with pytest.raises(TypeError, match="positional"):
        CustomerSegmenter(3)
    for unfitted, call in ((SegmentationPreprocessor(), "transform"), (SegmentKMeans(), "predict"),
                           (CustomerSegmenter(), "assign")):
        with pytest.raises(NotFittedError, match="not fitted"):
            getattr(unfitted, call)(two_groups())
    with pytest.raises(TypeError, match=r"columns to cluster are a setting: CustomerSegmenter\(columns="):
        CustomerSegmenter().fit(two_groups(), ["frequency", "monetary_total"])


def test_segment_kmeans_numbers_segments_by_size_and_checks_its_input():
    from workbench.segmentation import SegmentKMeans

    rng = np.random.default_rng(3)
    Y = np.vstack([rng.normal(5, 0.2, (10, 2)), rng.normal(0, 0.2, (40, 2)), rng.normal(-5, 0.2, (25, 2))])
    km = SegmentKMeans(3).fit(Y)
    assert np.bincount(km.labels_).tolist() == [40, 25, 10] and km.algorithm_ == "KMeans"
    np.testing.assert_array_equal(km.predict(Y), km.labels_)
    with pytest.raises(ValueError, match="n_clusters=1; use an integer >= 2"):
        SegmentKMeans(1).fit(Y)
    with pytest.raises(ValueError, match="missing or infinite"):
        SegmentKMeans(2).fit(np.where(Y > 5.3, np.nan, Y))
    with pytest.raises(ValueError, match="X has 3 column"):
        km.predict(np.zeros((2, 3)))


def test_select_k_checks_its_input():
    from workbench.segmentation import KSelection, select_k

    Y = np.random.default_rng(0).normal(size=(30, 2))
    result = select_k(Y, [2, 3], n_bootstrap=2)
    assert isinstance(result, KSelection) and result.table["k"].tolist() == [2, 3]
    assert result.settings()["silhouette_sample"] == 30 and set(result.tables()) == {"k_selection",
                                                                                     "k_selection_settings"}
    with pytest.raises(ValueError, match="2 <= k < 30"):
        select_k(Y, [2, 30])
    with pytest.raises(ValueError, match="n_bootstrap=-1"):
        select_k(Y, [2], n_bootstrap=-1)
