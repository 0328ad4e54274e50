"""Tests for workbench.value: hand-worked 6-customer tables, properties, published numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import value as wv
from workbench.labels import label

# ----------------------------------------------------------------------------------
# the hand-worked fixture: 6 customers, totals sum to 10,000
# ----------------------------------------------------------------------------------


@pytest.fixture
def features() -> pd.DataFrame:
    # rows deliberately not sorted by id: functions must sort themselves
    return pd.DataFrame(
        {
            "customer_id": ["f", "b", "a", "d", "c", "e"],
            "recency_days": [300.0, 20.0, 5.0, 250.0, 150.0, 30.0],
            "frequency": [1, 2, 10, 1, 8, 1],
            "monetary_total": [100.0, 2500.0, 5000.0, 800.0, 1200.0, 400.0],
            "monetary_mean": [100.0, 1250.0, 500.0, 800.0, 150.0, 400.0],
            "gross_profit": [20.0, 700.0, 1500.0, 200.0, 300.0, 100.0],
            "spend_trend": [np.nan, 50.0, 10.0, -5.0, -20.0, 30.0],
        }
    )


@pytest.fixture
def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "industry": ["x", "x", "x", "y", "y", "y"],
            "customer_type": ["wholesale", "retail", "wholesale", "retail", "retail", "agent"],
            "size": [500.0, 50.0, 200.0, 20.0, 80.0, 10.0],
            "industry_growth": [0.05, 0.05, 0.05, 0.10, 0.10, 0.10],
            "strategic_fit": [5, 3, 4, 2, 3, 1],
        }
    )


def by_id(frame: pd.DataFrame, column: str) -> dict:
    return dict(zip(frame["customer_id"], frame[column], strict=True))


# ----------------------------------------------------------------------------------
# ABC, Lorenz, Gini
# ----------------------------------------------------------------------------------


def test_abc_hand_worked(features):
    """Shares .50 .25 .12 .08 .04 .01: c crosses 80 % and is A; d closes exactly at 95 %
    and is B; e starts at 95 % and is C."""
    abc = wv.abc_classes(features)
    assert list(abc["customer_id"]) == list("abcdef")
    assert list(abc["rank"]) == [1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(abc["value_share"], [0.5, 0.25, 0.12, 0.08, 0.04, 0.01])
    np.testing.assert_allclose(abc["cumulative_share"], [0.5, 0.75, 0.87, 0.95, 0.99, 1.0])
    assert list(abc["abc_class"]) == ["A", "A", "A", "B", "C", "C"]
    summary = wv.abc_summary(abc)
    assert list(summary["abc_class"]) == ["A", "B", "C"]
    assert list(summary["customers"]) == [3, 1, 2]
    np.testing.assert_allclose(summary["value_share"], [0.87, 0.08, 0.05])
    np.testing.assert_allclose(summary["customer_share"], [0.5, 1 / 6, 1 / 3])


def test_abc_by_gross_profit_and_custom_cuts(features):
    # profit 1500 700 300 200 100 20 of 2820; with cuts (0.5, 0.9): a (before 0) A,
    # b (before .532) B, c (before .780) B, d (before .887) B, e (before .957) C
    abc = wv.abc_classes(features, value="gross_profit", cuts=(0.5, 0.9))
    assert by_id(abc, "abc_class") == dict(a="A", b="B", c="B", d="B", e="C", f="C")


def test_abc_nonpositive_totals_go_to_c_and_are_flagged():
    frame = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "monetary_total": [90.0, 10.0, 0.0, -5.0]})
    abc = wv.abc_classes(frame)
    assert by_id(abc, "abc_class") == dict(a="A", b="B", c="C", d="C")
    assert by_id(abc, "nonpositive") == dict(a=False, b=False, c=True, d=True)
    np.testing.assert_allclose(abc["value_share"].sum(), 1.0)
    summary = wv.abc_summary(abc)
    assert summary.set_index("abc_class").loc["C", "nonpositive"] == 2
    assert summary["value"].sum() == 95.0


def test_abc_ties_broken_by_id_and_empty_classes_kept():
    frame = pd.DataFrame({"customer_id": ["z", "y", "x"], "monetary_total": [10.0, 10.0, 10.0]})
    abc = wv.abc_classes(frame)
    assert list(abc["customer_id"]) == ["x", "y", "z"]
    # before-shares 0, 1/3, 2/3 are all below 80 %: everyone is A
    assert list(abc["abc_class"]) == ["A", "A", "A"]
    assert list(wv.abc_summary(abc)["customers"]) == [3, 0, 0]


def test_abc_single_customer_is_a():
    abc = wv.abc_classes(pd.DataFrame({"customer_id": ["a"], "monetary_total": [3.0]}))
    assert list(abc["abc_class"]) == ["A"]


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (pd.DataFrame({"customer_id": ["a"], "monetary_total": [-1.0]}), {}, "no customer has a positive"),
        (pd.DataFrame({"customer_id": ["a", "a"], "monetary_total": [1.0, 2.0]}), {}, "duplicated"),
        (pd.DataFrame({"customer_id": ["a"], "revenue": [1.0]}), {}, "missing column"),
        (pd.DataFrame({"customer_id": ["a", "b"], "monetary_total": [1.0, np.nan]}), {}, "1 missing value"),
        (pd.DataFrame({"customer_id": ["a"], "monetary_total": [1.0]}), {"cuts": (0.95, 0.8)}, "0 < A cut"),
        (pd.DataFrame(columns=["customer_id", "monetary_total"]), {}, "no rows"),
    ],
)
def test_abc_bad_input(frame, kwargs, message):
    with pytest.raises(ValueError, match=message):
        wv.abc_classes(frame, **kwargs)


def test_gini_hand_worked(features):
    # ascending 100 400 800 1200 2500 5000, weights 2i-7 = -5 -3 -1 1 3 5:
    # (-500 - 1200 - 800 + 1200 + 7500 + 25000) / (6 * 10000) = 0.52
    assert wv.gini(features) == pytest.approx(0.52)
    assert wv.gini([1.0, 2.0, 3.0, 4.0]) == pytest.approx(0.25)
    assert wv.gini([5.0, 5.0, 5.0]) == 0.0
    assert wv.gini([0.0, 0.0, 0.0, 7.0]) == pytest.approx(0.75)  # (n - 1) / n
    assert wv.gini([3.0]) == 0.0


def test_gini_equals_one_minus_twice_lorenz_area(features):
    curve = wv.lorenz_curve(features)
    x, y = curve["customer_share"].to_numpy(), curve["value_share"].to_numpy()
    area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))
    assert wv.gini(features) == pytest.approx(1 - 2 * area)
    assert (x[0], y[0], x[-1], y[-1]) == (0.0, 0.0, 1.0, 1.0)
    np.testing.assert_allclose(y, [0, 0.01, 0.05, 0.13, 0.25, 0.5, 1.0])


@pytest.mark.parametrize(
    ("draw", "expected"),
    [
        (lambda rng, n: rng.uniform(0, 1, n), 1 / 3),
        (lambda rng, n: rng.exponential(1.0, n), 1 / 2),
        (lambda rng, n: rng.pareto(3.0, n) + 1.0, 1 / (2 * 3.0 - 1)),  # Pareto(alpha=3)
    ],
)
def test_gini_closed_forms(draw, expected):
    """Population Gini: uniform 1/3, exponential 1/2, Pareto 1/(2 alpha - 1)."""
    rng = np.random.default_rng(7)
    assert wv.gini(draw(rng, 400_000)) == pytest.approx(expected, abs=0.005)


def test_top_share(features):
    # L(4/6) = .25, L(5/6) = .5; L(0.8) = .25 + 0.8 * .25 = .45, top 20 % hold .55
    assert wv.top_share(features) == pytest.approx(0.55)
    assert wv.top_share(np.arange(1.0, 11.0)) == pytest.approx((9 + 10) / 55)


def test_lorenz_and_gini_bad_input():
    with pytest.raises(ValueError, match="1 of 3 values are negative"):
        wv.gini([1.0, -2.0, 3.0])
    with pytest.raises(ValueError, match="all 2 values are zero"):
        wv.lorenz_curve([0.0, 0.0])
    with pytest.raises(ValueError, match="top=0"):
        wv.top_share([1.0, 2.0], top=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-100, 1e6, allow_nan=False), min_size=1, max_size=40))
def test_abc_properties(values):
    frame = pd.DataFrame({"customer_id": [f"c{i:02d}" for i in range(len(values))], "monetary_total": values})
    if not np.clip(values, 0, None).sum() > 0:
        with pytest.raises(ValueError):
            wv.abc_classes(frame)
        return
    abc = wv.abc_classes(frame)
    assert len(abc) == len(values)
    assert abc["value_share"].sum() == pytest.approx(1.0)
    assert abc["cumulative_share"].is_monotonic_increasing
    # classes are monotone in value: a larger value never gets a worse class
    codes = abc["abc_class"].cat.codes.to_numpy()
    assert (np.diff(codes) >= 0).all()
    assert abc["abc_class"].iloc[0] == "A"
    assert (abc.loc[abc["value"] <= 0, "abc_class"] == "C").all()
    x = np.clip(values, 0, None)
    g = wv.gini(x)
    assert -1e-12 <= g <= (len(values) - 1) / len(values) + 1e-12
    # the mean-absolute-difference definition (as in pysal's inequality.gini)
    assert g == pytest.approx(np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean()), abs=1e-9)


# ----------------------------------------------------------------------------------
# RFM
# ----------------------------------------------------------------------------------


def test_rfm_scores_hand_worked(features):
    """n = 6, bins = 5: positions 0..5 give 1 + floor(5 b / 6) = 1 1 2 3 4 5.
    R order (oldest first) f d c e b a; F order (freq, id) d e f b c a; M order f e d c b a."""
    rfm = wv.rfm_scores(features)
    assert list(rfm["customer_id"]) == list("abcdef")
    assert by_id(rfm, "rfm_cell") == dict(a="555", b="434", c="243", d="112", e="311", f="121")
    assert by_id(rfm, "fm_score") == dict(a=5, b=4, c=4, d=2, e=1, f=2)
    assert by_id(rfm, "segment") == dict(
        a="champions", b="loyal", c="at_risk_customers", d="lost", e="about_to_sleep", f="lost"
    )


def test_rfm_ties_method_gives_equal_values_equal_scores(features):
    rfm = wv.rfm_scores(features, method="ties")
    # d, e, f all bought once: F = 1 for all three (f was 2 under "quintile")
    assert by_id(rfm, "f_score") == dict(a=5, b=3, c=4, d=1, e=1, f=1)
    same = pd.DataFrame({"customer_id": list("vwxyz"), "recency_days": [3.0] * 5,
                         "frequency": [1] * 5, "monetary_total": [9.0] * 5})
    assert set(wv.rfm_scores(same, method="ties")["rfm_cell"]) == {"111"}
    # quintile splits identical customers by id, one per score
    assert list(wv.rfm_scores(same)["r_score"]) == [1, 2, 3, 4, 5]


def test_rfm_monetary_mean_and_other_bins(features):
    rfm = wv.rfm_scores(features, monetary="monetary_mean", bins=3)
    # mean spend ascending: f100 c150 e400 a500 d800 b1250 -> 1 + floor(3 b / 6): 1 1 2 2 3 3
    assert by_id(rfm, "m_score") == dict(f=1, c=1, e=2, a=2, d=3, b=3)
    assert "segment" not in rfm.columns
    # revenue shares stay shares of net revenue, not sums of mean spends
    eight = wv.rfm_eight_classes(features, monetary="monetary_mean")
    summary = wv.rfm_segment_summary(eight)
    assert summary["revenue"].sum() == pytest.approx(features["monetary_total"].sum())
    assert (summary.loc[summary["customers"] == 0, "revenue"] == 0).all()  # empty classes: 0, not NaN
    for cls, group in eight.customers.groupby("rfm_class", observed=True):
        expected = features.set_index("customer_id").loc[group["customer_id"], "monetary_total"].sum()
        assert summary.set_index("rfm_class").at[cls, "revenue"] == pytest.approx(expected)


def test_rfm_customer_without_purchase_is_least_recent(features):
    frame = pd.concat([features, pd.DataFrame({"customer_id": ["g"], "recency_days": [np.nan],
                                                "frequency": [0], "monetary_total": [-50.0],
                                                "monetary_mean": [np.nan]})], ignore_index=True)
    rfm = wv.rfm_scores(frame, method="ties")
    assert by_id(rfm, "r_score")["g"] == 1
    assert by_id(rfm, "segment")["g"] == "lost"


def test_segment_grid_is_a_partition():
    grid = wv.RFM_SEGMENT_GRID
    assert grid.shape == (5, 5)
    assert set(grid.to_numpy().ravel()) == set(wv.RFM_SEGMENTS)
    assert set(wv.RFM_SEGMENTS) <= set(wv.RFM_ACTIONS)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.integers(1, 30), st.floats(0, 1e5, allow_nan=False)),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["quintile", "ties"]),
)
def test_rfm_properties(rows, method):
    frame = pd.DataFrame(rows, columns=["recency_days", "frequency", "monetary_total"])
    frame.insert(0, "customer_id", [f"c{i:03d}" for i in range(len(rows))])
    rfm = wv.rfm_scores(frame, method=method)
    for col in ("r_score", "f_score", "m_score", "fm_score"):
        assert rfm[col].between(1, 5).all()
    assert rfm["segment"].notna().all()
    # strictly more recent never scores lower on R; strictly larger frequency never
    # lower on F (equal values may be split by id under "quintile")
    r = rfm.groupby("recency_days")["r_score"].agg(["min", "max"])
    assert (r["min"].to_numpy()[:-1] >= r["max"].to_numpy()[1:]).all()
    f = rfm.groupby("frequency")["f_score"].agg(["min", "max"])
    assert (f["max"].to_numpy()[:-1] <= f["min"].to_numpy()[1:]).all()
    if method == "ties":
        assert (r["min"] == r["max"]).all() and (f["min"] == f["max"]).all()
    if method == "quintile" and len(rows) % 5 == 0:
        assert (rfm["r_score"].value_counts() == len(rows) // 5).all()
    eight = wv.rfm_eight_classes(frame, cut="median").customers
    assert eight["rfm_class"].notna().all() and len(eight) == len(rows)


def test_eight_classes_mean_cut(features):
    """Means: recency 755/6 = 125.8 days, frequency 23/6 = 3.83, monetary 1666.7."""
    eight = wv.rfm_eight_classes(features)
    assert by_id(eight.customers, "rfm_class") == dict(
        a="important_value", b="important_development", c="general_retention",
        d="general_winback", e="general_development", f="general_winback",
    )
    assert eight.cuts["recency_days"] == pytest.approx(755 / 6)
    assert eight.cuts["frequency"] == pytest.approx(23 / 6)
    tables = eight.tables()
    assert list(tables) == ["rfm_eight_classes", "rfm_eight_class_summary", "rfm_eight_class_cuts"]
    assert tables["rfm_eight_class_cuts"]["cut"].tolist() == pytest.approx([755 / 6, 23 / 6, 10000 / 6])
    # a merge keeps every number: nothing rides on DataFrame.attrs any more
    merged = eight.customers.merge(features[["customer_id"]], on="customer_id")
    pd.testing.assert_frame_equal(wv.rfm_segment_summary(merged, by="rfm_class"), eight.summary())


def test_eight_classes_median_cut(features):
    # medians: recency (30 + 150)/2 = 90, frequency (1 + 2)/2 = 1.5, monetary 1000
    eight = wv.rfm_eight_classes(features, cut="median").customers
    assert by_id(eight, "rfm_class") == dict(
        a="important_value", b="important_value", c="important_retention",
        d="general_winback", e="general_development", f="general_winback",
    )


def test_eight_classes_identical_customers_are_all_low():
    same = pd.DataFrame({"customer_id": list("abc"), "recency_days": [3.0] * 3,
                         "frequency": [2] * 3, "monetary_total": [9.0] * 3})
    assert set(wv.rfm_eight_classes(same).customers["rfm_class"]) == {"general_winback"}
    one = same.iloc[:1]
    assert list(wv.rfm_eight_classes(one).customers["rfm_class"]) == ["general_winback"]
    assert list(wv.rfm_scores(one)["rfm_cell"]) == ["111"]


def test_segment_summary(features):
    rfm = wv.rfm_scores(features)
    summary = wv.rfm_segment_summary(rfm)
    assert len(summary) == len(wv.RFM_SEGMENTS)
    assert summary["customers"].sum() == 6
    lost = summary.set_index("segment").loc["lost"]
    assert lost["customers"] == 2
    assert lost["revenue_share"] == pytest.approx((800 + 100) / 10000)
    assert lost["mean_recency_days"] == pytest.approx(275.0)
    assert lost["action"] == wv.RFM_ACTIONS["lost"] == "rfm_action_lost"  # a code; labels hold the text
    assert label(lost["action"], "zh") == "可尝试唤回活动，否则减少投入"
    assert all(label(code, "en") != code for code in wv.RFM_ACTIONS.values())
    eight = wv.rfm_segment_summary(wv.rfm_eight_classes(features))
    assert list(eight["rfm_class"]) == list(wv.EIGHT_CLASSES)
    assert eight["customer_share"].sum() == pytest.approx(1.0)


def test_rfm_bad_input(features):
    with pytest.raises(ValueError, match="method='deciles' is not one of"):
        wv.rfm_scores(features, method="deciles")
    with pytest.raises(ValueError, match="bins=1"):
        wv.rfm_scores(features, bins=1)
    with pytest.raises(ValueError, match="missing column"):
        wv.rfm_scores(features.drop(columns="frequency"))
    with pytest.raises(ValueError, match="cut='mode'"):
        wv.rfm_eight_classes(features, cut="mode")


# ----------------------------------------------------------------------------------
# value matrix
# ----------------------------------------------------------------------------------


def test_value_matrix_hand_worked(features):
    """Current = percentile rank of profit: f 1/6 .. a 6/6, median 7/12 -> a, b, c high.
    Potential = percentile rank of spend trend among the 5 known (c .2, d .4, a .6,
    e .8, b 1) and .5 for f (no trend); median .55 -> a, b, e high."""
    vm = wv.value_matrix(features, potential="spend_trend").customers
    np.testing.assert_allclose(vm["potential_score"], [0.6, 1.0, 0.2, 0.4, 0.8, 0.5])
    assert by_id(vm, "quadrant") == dict(
        a="key", b="key", c="maintain", d="minimise_cost", e="develop", f="minimise_cost"
    )
    assert by_id(vm, "n_missing_indicators")["f"] == 1


def test_value_matrix_within_industry(features, customers):
    """Scores over all customers, medians per industry: x {a, b, c}: current median 5/6,
    potential .6; y {d, e, f}: current 2/6, potential .5."""
    matrix = wv.value_matrix(features, customers, potential="spend_trend", by="industry")
    vm = matrix.customers
    assert matrix.by == "industry" and matrix.cuts == "median"
    assert by_id(vm, "quadrant") == dict(
        a="maintain", b="develop", c="minimise_cost", d="maintain", e="develop", f="minimise_cost"
    )
    assert list(vm.columns[:2]) == ["customer_id", "industry"]
    # every customer carries its quadrant's strategy (a code the label table reads)
    assert by_id(vm, "strategy")["b"] == "strategy_develop"
    assert label("strategy_maintain", "zh").startswith("维持")
    summary = wv.value_matrix_summary(matrix)
    pd.testing.assert_frame_equal(summary, matrix.tables()["value_matrix_quadrants"])
    with pytest.raises(TypeError, match="the ValueMatrix that value_matrix"):
        wv.value_matrix_summary(vm)  # a bare frame has lost the split: refused, not summarised over all
    assert len(summary) == 2 * 4 and summary["customers"].sum() == 6  # every quadrant, per industry
    assert summary.groupby("industry")["share"].sum().tolist() == [1.0, 1.0]
    assert summary.loc[(summary["industry"] == "x") & (summary["quadrant"] == "key"), "customers"].item() == 0


def test_value_matrix_auto_potential_and_given_cuts(features, customers):
    matrix = wv.value_matrix(features, customers, cuts=(0.5, 0.5))
    assert matrix.potential == ("spend_trend", "size", "industry_growth") and matrix.cuts == (0.5, 0.5)
    vm = matrix.customers
    # a: trend .6, size 1, growth (a, b, c tie at 2/6) -> mean of .6, 1, 1/3
    assert by_id(vm, "potential_score")["a"] == pytest.approx((0.6 + 1.0 + 2 / 6) / 3)
    assert set(vm["quadrant"]) <= set(wv.QUADRANTS)


def test_value_matrix_bad_input(features, customers):
    with pytest.raises(ValueError, match="use current='monetary_total'"):
        wv.value_matrix(features.assign(gross_profit=np.nan), potential="spend_trend")
    with pytest.raises(ValueError, match="by='industry' is not a column"):
        wv.value_matrix(features, potential="spend_trend", by="industry")
    with pytest.raises(ValueError, match="indicator 'loyalty' is not a column"):
        wv.value_matrix(features, potential="loyalty")


def test_value_matrix_identical_customers_are_low_low():
    same = pd.DataFrame({"customer_id": list("abc"), "gross_profit": [5.0] * 3, "spend_trend": [1.0] * 3})
    assert set(wv.value_matrix(same).customers["quadrant"]) == {"minimise_cost"}


# ----------------------------------------------------------------------------------
# AHP, entropy weights, key accounts
# ----------------------------------------------------------------------------------

SAATY_HOUSE = np.array(
    [
        [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
        [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
        [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
        [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
        [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
        [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
        [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
        [4, 7, 5, 8, 6, 6, 2, 1],
    ]
)


@pytest.mark.parametrize(
    ("matrix", "weights", "lambda_max", "ci", "cr"),
    [
        ([[1, 5, 4], [1 / 5, 1, 1 / 3], [1 / 4, 3, 1]], [0.674, 0.101, 0.226], 3.086, 0.043, 0.074),
        ([[1, 1 / 7, 1 / 5], [7, 1, 3], [5, 1 / 3, 1]], [0.072, 0.649, 0.279], 3.065, 0.032, 0.056),
        ([[1, 1 / 2, 1 / 2], [2, 1, 1], [2, 1, 1]], [0.2, 0.4, 0.4], 3.0, 0.0, 0.0),
    ],
    ids=["yard_space", "financing", "general_condition"],
)
def test_ahp_saaty_1990_house_example(matrix, weights, lambda_max, ci, cr):
    """Saaty (1990), EJOR 48, 9-26, the house example: printed priority vectors,
    lambda_max, C.I. and C.R. of the pairwise comparisons of houses A, B, C."""
    res = wv.ahp_weights(matrix, ["A", "B", "C"])
    np.testing.assert_allclose(res.weights.to_numpy(), weights, atol=5e-4)
    assert res.weights.sum() == pytest.approx(1.0)
    assert res.lambda_max == pytest.approx(lambda_max, abs=5e-4)
    assert res.ci == pytest.approx(ci, abs=5e-4)
    assert res.cr == pytest.approx(cr, abs=5e-4)
    assert list(res.to_frame()["criterion"]) == ["A", "B", "C"]


def test_ahp_saaty_criteria_matrix_is_inconsistent():
    """Saaty (1990): the 8 house criteria, weights .173 .054 .188 .018 .031 .036 .167
    .333, lambda_max 9.669, C.I. .238, C.R. .169 (above 0.1: an error by default)."""
    labels = ["size", "transport", "neighbourhood", "age", "yard", "facilities", "condition", "financing"]
    with pytest.raises(ValueError, match=r"CR = 0\.169 >= 0\.1.*lambda_max = 9\.669") as err:
        wv.ahp_weights(SAATY_HOUSE, labels)
    assert "financing" in str(err.value)  # the matrix is shown
    res = wv.ahp_weights(SAATY_HOUSE, labels, max_cr=0.2)
    np.testing.assert_allclose(res.weights, [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333], atol=5e-4)
    assert res.ci == pytest.approx(0.238, abs=5e-4)
    assert res.ri == 1.41


def test_ahp_consistent_matrix_recovers_weights():
    w = np.array([0.5, 0.3, 0.15, 0.05])
    res = wv.ahp_weights(pd.DataFrame(w[:, None] / w[None, :], index=list("pqrs"), columns=list("pqrs")))
    np.testing.assert_allclose(res.weights, w)
    assert res.cr == pytest.approx(0.0, abs=1e-12)
    assert list(res.weights.index) == list("pqrs")
    assert wv.ahp_weights([[1.0]]).weights.tolist() == [1.0]


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 2, 3], [0.5, 1, 2]], "must be square; got shape"),
        ([[1, 2], [2, 1]], "not reciprocal"),
        ([[1, -2], [-0.5, 1]], "positive finite"),
        ([[2, 2], [0.5, 2]], "diagonal must be 1"),
        (np.ones((16, 16)), "1 to 15"),
    ],
)
def test_ahp_bad_matrices(matrix, message):
    with pytest.raises(ValueError, match=message):
        wv.ahp_weights(matrix)


def test_ahp_accepts_rounded_reciprocals():
    res = wv.ahp_weights([[1, 3, 5], [0.333, 1, 2], [0.2, 0.5, 1]])
    assert res.cr < 0.1


def test_entropy_weights_hand_worked():
    """x1 benefit 1 2 3 -> 0 .5 1 -> p 0 1/3 2/3, e1 = (ln 3 - 2/3 ln 2)/ln 3;
    x2 cost 10 10 40 -> 1 1 0 -> p .5 .5 0, e2 = ln 2 / ln 3; x3 constant -> weight 0."""
    frame = pd.DataFrame({"x1": [1.0, 2.0, 3.0], "x2": [10.0, 10.0, 40.0], "x3": [7.0, 7.0, 7.0]})
    out = wv.entropy_weights(frame, {"x1": "benefit", "x2": "cost", "x3": "benefit"})
    e1 = (np.log(3) - 2 / 3 * np.log(2)) / np.log(3)
    e2 = np.log(2) / np.log(3)
    np.testing.assert_allclose(out["entropy"], [e1, e2, 1.0])
    d = np.array([1 - e1, 1 - e2, 0.0])
    np.testing.assert_allclose(out["criterion_weight"], d / d.sum())
    assert out["criterion_weight"].round(4).tolist() == [0.5326, 0.4674, 0.0]


def test_entropy_weights_bad_input():
    with pytest.raises(ValueError, match="every criterion"):
        wv.entropy_weights(pd.DataFrame({"x": [1.0, 1.0]}), {"x": "benefit"})
    with pytest.raises(ValueError, match="at least 2"):
        wv.entropy_weights(pd.DataFrame({"x": [1.0]}), {"x": "benefit"})
    with pytest.raises(ValueError, match="direction 'up'"):
        wv.entropy_weights(pd.DataFrame({"x": [1.0, 2.0]}), {"x": "up"})
    with pytest.raises(ValueError, match="missing value"):
        wv.entropy_weights(pd.DataFrame({"x": [1.0, np.nan]}), {"x": "benefit"})


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e4), st.floats(-50, 50)), min_size=2, max_size=30))
def test_entropy_weights_properties(rows):
    frame = pd.DataFrame(rows, columns=["a", "b"])
    if frame.nunique().max() < 2:
        return
    out = wv.entropy_weights(frame, {"a": "benefit", "b": "cost"})
    assert out["criterion_weight"].sum() == pytest.approx(1.0)
    assert (out["criterion_weight"] >= 0).all()
    assert ((out["entropy"] >= -1e-12) & (out["entropy"] <= 1 + 1e-12)).all()


def test_key_account_scores_hand_worked(features, customers):
    crit = wv.key_account_criteria(features, customers)
    assert list(crit.columns) == ["customer_id", *wv.KEY_ACCOUNT_CRITERIA]
    assert by_id(crit, "spend_trend")["f"] == 0.0  # no trend -> no evidence of growth
    ka = wv.key_account_scores(crit, {"frequency": "benefit", "strategic_fit": "benefit"},
                               weights={"frequency": 3, "strategic_fit": 1}, top_n=2)
    weights, ka = ka.weights, ka.customers
    # frequency 10 2 8 1 1 1 -> (f - 1)/9; fit 5 3 4 2 3 1 -> (s - 1)/4; weights .75 .25
    expected = {c: 100 * (0.75 * (f - 1) / 9 + 0.25 * (s - 1) / 4)
                for c, f, s in zip("abcdef", [10, 2, 8, 1, 1, 1], [5, 3, 4, 2, 3, 1], strict=True)}
    got = by_id(ka, "score")
    assert got == pytest.approx(expected)
    assert list(ka["customer_id"]) == ["a", "c", "b", "e", "d", "f"]
    assert list(ka["key_account"]) == [True, True, False, False, False, False]
    assert weights.to_dict() == {"frequency": 0.75, "strategic_fit": 0.25}


def test_key_account_scores_with_ahp_and_entropy(features, customers):
    crit = wv.key_account_criteria(features, customers)
    ahp = wv.ahp_weights([[1, 3], [1 / 3, 1]], ["monetary_mean", "size"])
    result = wv.key_account_scores(crit, {"monetary_mean": "benefit", "size": "benefit"}, ahp, top_n=1)
    ka = result.customers
    assert result.key_accounts["customer_id"].tolist() == ["b"] and result.top_n == 1
    assert result.tables()["key_account_score_weights"]["criterion_weight"].tolist() == pytest.approx([0.75, 0.25])
    assert ka["score"].between(0, 100).all()
    # b: 75 * 1 + 25 * 40/490 = 77.0 beats a: 75 * 400/1150 + 25 * 1 = 51.1
    assert ka.loc[0, "customer_id"] == "b"
    assert ka.loc[0, "score"] == pytest.approx(75 + 25 * 40 / 490)
    ent = wv.key_account_scores(crit, wv.KEY_ACCOUNT_CRITERIA, top_n=3)
    assert ent.weights.sum() == pytest.approx(1.0)
    assert ent.customers["key_account"].sum() == 3
    with pytest.raises(ValueError, match="missing \\['size'\\]"):
        wv.key_account_scores(crit, {"monetary_mean": "benefit", "size": "benefit"}, {"monetary_mean": 1})


# ----------------------------------------------------------------------------------
# ratios and the account analysis table
# ----------------------------------------------------------------------------------


@pytest.fixture
def transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b", "c"],
            "product_id": ["p", "q", "p", "p", "q"],
            "amount": [100.0, 300.0, 200.0, -50.0, 450.0],
            "cost": [60.0, 240.0, 120.0, -30.0, 270.0],
        }
    )


def test_product_ratios_hand_worked(transactions):
    """p: sales 250, cost 150, margin .4, average stock (100 + 150)/2 = 125, turnover 2,
    cross .8, share 250/1000, contribution .2; q: sales 750, cost 510, margin .32,
    stock 250, turnover 3, cross .96, contribution .72."""
    stock = pd.DataFrame({"product_id": ["p", "q"], "opening_stock": [100.0, 200.0],
                          "closing_stock": [150.0, 300.0]})
    out = wv.product_ratios(transactions, stock).set_index("product_id")
    np.testing.assert_allclose(out["gross_margin_rate"], [0.4, 0.32])
    np.testing.assert_allclose(out["turnover"], [2.0, 3.0])
    np.testing.assert_allclose(out["cross_ratio"], [0.8, 0.96])
    np.testing.assert_allclose(out["contribution_ratio"], [0.2, 0.72])


def test_product_ratios_for_one_year_and_lines_without_a_product(transactions):
    """year= takes that year's sales and stock; a line without a product is its own group."""
    dated = transactions.assign(date=pd.to_datetime(["2023-05-01", "2024-02-01", "2024-03-01",
                                                     "2024-04-01", "2024-06-01"]))
    stock = pd.DataFrame({"product_id": ["p", "q", "p", "q"], "year": [2023, 2023, 2024, 2024],
                          "opening_stock": [1.0, 1.0, 100.0, 200.0], "closing_stock": [1.0, 1.0, 50.0, 300.0]})
    out = wv.product_ratios(dated, stock, year=2024).set_index("product_id")
    # 2024: p sells 200 - 50 = 150 on an average stock of 75 -> turnover 2; q 750 / 250 = 3
    np.testing.assert_allclose(out["sales"], [150.0, 750.0])
    np.testing.assert_allclose(out["turnover"], [2.0, 3.0])
    with pytest.raises(ValueError, match="no rows for year 2025"):
        wv.product_ratios(dated, stock, year=2025)
    blank = transactions.assign(product_id=["p", None, "p", "p", "q"])
    groups = wv.product_ratios(blank).set_index("product_id")
    assert groups.loc[wv.MISSING_KEY, "sales"] == 300.0
    assert groups["sales"].sum() == transactions["amount"].sum()  # nothing dropped


def test_customer_ratios_without_stock(transactions):
    out = wv.customer_ratios(transactions).set_index("customer_id")
    np.testing.assert_allclose(out["sales"], [400.0, 150.0, 450.0])
    np.testing.assert_allclose(out["gross_margin_rate"], [0.25, 0.4, 0.4])
    np.testing.assert_allclose(out["sales_share"], [0.4, 0.15, 0.45])
    assert out["turnover"].isna().all() and out["contribution_ratio"].isna().all()
    partial = transactions.assign(cost=[60.0, np.nan, 120.0, -30.0, 270.0])
    assert np.isnan(wv.customer_ratios(partial).set_index("customer_id").loc["a", "gross_margin_rate"])
    with pytest.raises(ValueError, match="lack column 'product_id'"):
        wv.product_ratios(transactions.drop(columns="product_id"))


def test_account_analysis(features, customers):
    """wholesale a 5000 + c 1200 = 6200; retail b 2500 + d 800 + e 400 = 3700; agent f 100."""
    table = wv.account_analysis(features, customers)
    assert list(table["row_type"]) == ["customer"] * 2 + ["subtotal"] + ["customer"] * 3 + ["subtotal"] + \
        ["customer", "subtotal", "total"]
    subtotal = table[table["row_type"] == "subtotal"]
    assert list(subtotal["customer_type"]) == ["wholesale", "retail", "agent"]
    np.testing.assert_allclose(subtotal["sales"], [6200.0, 3700.0, 100.0])
    np.testing.assert_allclose(subtotal["share_of_total"], [0.62, 0.37, 0.01])
    first = table.iloc[0]
    assert (first["customer_id"], first["share_within_class"]) == ("a", pytest.approx(5000 / 6200))
    assert table.iloc[-1]["sales"] == 10000.0
    with pytest.raises(ValueError, match="pass customers"):
        wv.account_analysis(features)


# ----------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------


def test_value_figures_draw_the_results(features, customers):
    import matplotlib.pyplot as plt

    from workbench.plotting import value as pv

    abc = wv.abc_classes(features)
    ax = pv.plot_lorenz(abc, gini=wv.gini(features), lang="zh")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0, 0.5, 0.75, 0.87, 0.95, 0.99, 1.0])
    assert "基尼系数" in ax.get_legend().get_texts()[0].get_text()
    ax = pv.plot_abc_summary(wv.abc_summary(abc))
    assert len(ax.patches) == 6
    ax = pv.plot_rfm_segments(wv.rfm_segment_summary(wv.rfm_scores(features)), lang="zh")
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "冠军客户"
    ax = pv.plot_eight_classes(wv.rfm_segment_summary(wv.rfm_eight_classes(features)))
    assert len(ax.get_yticklabels()) == 8
    vm = wv.value_matrix(features, potential="spend_trend")
    ax = pv.plot_value_matrix(vm)
    assert sum(len(c.get_offsets()) for c in ax.collections) == 6
    assert len(ax.lines) == 2  # the two quadrant lines
    many = wv.value_matrix(pd.concat([features] * 1000, ignore_index=True).assign(
        customer_id=lambda f: [f"c{i}" for i in range(len(f))]), potential="spend_trend")
    texts = [t.get_text() for t in pv.plot_value_matrix(many).get_legend().get_texts()]
    assert texts[0].endswith("(2,000)"), texts  # counts with thousands separators
    plt.close("all")
    split = wv.value_matrix(features, customers, potential="spend_trend", by="industry")
    assert len(pv.plot_value_matrix(split).lines) == 0  # cuts per industry: no common lines to draw
    merged = split.customers.merge(customers[["customer_id"]], on="customer_id")
    with pytest.raises(TypeError, match="pass the result of workbench.value.value_matrix"):
        pv.plot_value_matrix(merged)  # a merged frame no longer knows its split: refused, not drawn wrong
    crit = wv.key_account_criteria(features, customers)
    ka = wv.key_account_scores(crit, {"frequency": "benefit", "size": "benefit"}, {"frequency": 1, "size": 1})
    ax = pv.plot_key_accounts(ka, top_n=3)
    widths = np.array([p.get_width() for p in ax.patches]).reshape(2, 3).sum(axis=0)
    np.testing.assert_allclose(widths, ka.customers["score"].head(3))
    with pytest.raises(TypeError, match="pass the result object, not its table"):
        pv.plot_key_accounts(ka.customers)
    with pytest.raises(ValueError, match="missing column"):
        pv.plot_lorenz(features)
    plt.close("all")


# ----------------------------------------------------------------------------------
# report helpers: pareto metrics, value indicators, CLV windows
# ----------------------------------------------------------------------------------


def test_pareto_metrics(features):
    m = wv.pareto_metrics(wv.abc_classes(features))
    assert m == {"customers": 6, "gini": pytest.approx(0.52), "top20_share": pytest.approx(0.55),
                 "class_a_customer_share": 0.5, "class_a_value_share": pytest.approx(0.87),
                 "nonpositive_customers": 0}


@pytest.fixture
def small_transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b", "c"],
            "date": pd.to_datetime(["2023-03-01", "2023-11-15", "2024-05-01", "2023-02-01",
                                    "2023-04-01", "2024-06-30"]),
            "amount": [100.0, 200.0, 300.0, 50.0, 60.0, 40.0],
            "cost": [60.0, 100.0, 200.0, 30.0, 30.0, 10.0],
            "is_return": [False] * 6,
        }
    )


def test_value_indicators_recent_window(small_transactions, customers):
    """As of 2024-06-30 with 12 months: window from 2023-07-01. a: 200 + 300, profit
    100 + 100; b: nothing recent (0, not missing); c: 40, profit 30."""
    vi = wv.value_indicators(small_transactions, "2024-06-30", customers)
    assert list(vi["customer_id"]) == ["a", "b", "c"]
    assert by_id(vi, "recent_revenue") == {"a": 500.0, "b": 0.0, "c": 40.0}
    assert by_id(vi, "recent_gross_profit") == {"a": 200.0, "b": 0.0, "c": 30.0}
    assert by_id(vi, "monetary_total") == {"a": 600.0, "b": 110.0, "c": 40.0}
    assert by_id(vi, "industry") == {"a": "x", "b": "x", "c": "x"}
    vm = wv.value_matrix(vi, current="recent_gross_profit", potential="size").customers
    assert by_id(vm, "quadrant")["a"] == "key"
    no_cost = small_transactions.drop(columns="cost")
    assert wv.value_indicators(no_cost, "2024-06-30")["recent_gross_profit"].isna().all()


def test_value_indicators_empty_windows(small_transactions):
    with pytest.raises(ValueError, match="no transactions in the last 3 months"):
        wv.value_indicators(small_transactions[small_transactions["customer_id"] == "b"], "2024-06-30",
                            recent_months=3)
    with pytest.raises(ValueError, match="no transactions"):
        wv.value_indicators(small_transactions, "2020-01-01")


def test_clv_windows_reproduce_the_cdnow_split():
    """CDNOW runs 1997-01-01 to 1998-06-30 (546 days): halves give the 39-week
    calibration period ending 1997-09-30 of Fader, Hardie & Lee (2005)."""
    tx = pd.DataFrame({"date": pd.to_datetime(["1997-01-01", "1997-05-05", "1998-06-30"])})
    w = wv.clv_windows(tx, "1998-06-30")
    assert w == {"start": pd.Timestamp("1997-01-01"), "calibration_end": pd.Timestamp("1997-09-30"),
                 "observation_end": pd.Timestamp("1998-06-30")}
    with pytest.raises(ValueError, match="calibration_share=1"):
        wv.clv_windows(tx, "1998-06-30", calibration_share=1)
    with pytest.raises(ValueError, match="cannot be split"):
        wv.clv_windows(tx, "1997-01-01")


# ----------------------------------------------------------------------------------
# CDNOW: the public benchmark data, cross-checked with the usual pandas recipes
# ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow_features() -> pd.DataFrame:
    from workbench.datasets import load_cdnow
    from workbench.features import customer_features

    return customer_features(load_cdnow("master"), "1998-06-30")


def test_cdnow_rfm_equals_the_qcut_recipe(cdnow_features):
    """The common pandas recipe, ``pd.qcut(x.rank(method="first"), 5, labels=1..5)`` after
    sorting by id (recency negated), gives the same quintile scores on all 23,570 CDNOW
    customers."""
    rfm = wv.rfm_scores(cdnow_features)
    f = cdnow_features.sort_values("customer_id", kind="stable")
    labels = [1, 2, 3, 4, 5]
    for col, score in (("recency_days", "r_score"), ("frequency", "f_score"), ("monetary_total", "m_score")):
        x = -f[col] if col == "recency_days" else f[col]
        expected = pd.qcut(x.rank(method="first"), 5, labels=labels).astype(int).to_numpy()
        np.testing.assert_array_equal(rfm[score].to_numpy(), expected)
    assert (rfm["r_score"].value_counts() == 23570 // 5).all()


def test_cdnow_pareto_figures(cdnow_features):
    """ABC on CDNOW revenue to 1998-06-30, cross-checked with a plain pandas cumsum; the
    fixed numbers guard against regressions (68 customers have zero spend)."""
    abc = wv.abc_classes(cdnow_features)
    v = cdnow_features.sort_values(["monetary_total", "customer_id"], ascending=[False, True], kind="stable")
    cum = v["monetary_total"].clip(lower=0).cumsum() / v["monetary_total"].clip(lower=0).sum()
    before = cum.shift(fill_value=0.0).to_numpy()
    expected = np.where(before < 0.8, "A", np.where(before < 0.95, "B", "C"))
    expected[v["monetary_total"].to_numpy() <= 0] = "C"
    np.testing.assert_array_equal(abc["abc_class"].astype(str).to_numpy(), expected)
    m = wv.pareto_metrics(abc)
    assert m["customers"] == 23570 and m["nonpositive_customers"] == 68
    assert m["gini"] == pytest.approx(0.6346, abs=1e-4)
    assert m["top20_share"] == pytest.approx(0.6778, abs=1e-4)
    assert m["class_a_customer_share"] == pytest.approx(7695 / 23570)


def test_default_key_account_judgements_are_consistent():
    res = wv.ahp_weights(wv.KEY_ACCOUNT_AHP)
    assert res.cr < 0.01
    assert res.weights.idxmax() == "monetary_mean"
    cols = ["monetary_mean", "frequency", "spend_trend"]  # what CDNOW has
    assert wv.ahp_weights(wv.KEY_ACCOUNT_AHP.loc[cols, cols]).cr < 0.1


def test_one_customer_with_one_purchase_gets_defined_results():
    one = pd.DataFrame({"customer_id": ["a"], "recency_days": [10.0], "frequency": [1],
                        "monetary_total": [50.0], "monetary_mean": [50.0], "gross_profit": [5.0],
                        "spend_trend": [np.nan]})
    assert list(wv.abc_classes(one)["abc_class"]) == ["A"]
    assert list(wv.rfm_scores(one)["segment"]) == ["lost"]  # n = 1: every score is 1
    assert list(wv.rfm_eight_classes(one).customers["rfm_class"]) == ["general_winback"]
    with pytest.raises(ValueError, match="'spend_trend' is missing for all 1 customers"):
        wv.value_matrix(one, potential="spend_trend")  # no trend from one purchase: no potential
    vm = wv.value_matrix(one, potential="monetary_mean").customers
    assert list(vm["quadrant"]) == ["minimise_cost"] and vm["potential_score"].iloc[0] == 1.0
    ka = wv.key_account_scores(one, {"frequency": "benefit"}, {"frequency": 1.0}, top_n=1).customers
    assert ka["score"].iloc[0] == 0.0 and bool(ka["key_account"].iloc[0])
    with pytest.raises(ValueError, match="at least 2"):
        wv.key_account_scores(one, {"frequency": "benefit"})  # entropy weights need 2 rows


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e3, 1e5), st.one_of(st.none(), st.floats(-50, 50)),
                          st.sampled_from("xyz")), min_size=1, max_size=30))
def test_value_matrix_and_key_account_properties(rows):
    frame = pd.DataFrame(rows, columns=["gross_profit", "spend_trend", "industry"])
    frame.insert(0, "customer_id", [f"c{i:02d}" for i in range(len(rows))])
    frame["spend_trend"] = frame["spend_trend"].astype(float)
    if frame["spend_trend"].isna().all():
        frame.loc[0, "spend_trend"] = 0.0
    for by in (None, "industry"):
        vm = wv.value_matrix(frame, potential="spend_trend", by=by).customers
        assert vm["quadrant"].notna().all() and len(vm) == len(rows)
        assert vm["current_score"].between(0, 1).all() and vm["potential_score"].between(0, 1).all()
        # within a group, a strictly higher current score is never "low" when a lower one is "high"
        for _, g in vm.groupby(by if by else np.zeros(len(vm))):
            hi, lo = g.loc[g["current_high"], "current_score"], g.loc[~g["current_high"], "current_score"]
            assert hi.empty or lo.empty or hi.min() > lo.max()
    ka = wv.key_account_scores(frame.fillna({"spend_trend": 0.0}), {"gross_profit": "benefit", "spend_trend": "cost"},
                               {"gross_profit": 2, "spend_trend": 1}, top_n=3).customers
    assert sorted(ka["rank"]) == list(range(1, len(rows) + 1))
    assert ka["score"].is_monotonic_decreasing and ka["score"].between(0, 100).all()
    assert ka["key_account"].sum() == min(3, len(rows))


def test_value_basis_is_gross_profit_only_when_every_customer_has_one(features):
    assert wv.value_basis(features) == "gross_profit"
    assert wv.value_basis(features.assign(gross_profit=[1.0, None, 2.0, 3.0, 4.0, 5.0])) == "monetary_total"
    assert wv.value_basis(features.drop(columns="gross_profit")) == "monetary_total"
