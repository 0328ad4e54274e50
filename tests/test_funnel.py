"""The funnel on a dozen opportunities worked out by hand, then invariants and errors.

The fixture (stages lead -> qualified -> proposal, as of 2024-03-31):

====  ==========================================  ===========  ============
opp   history (days in stage)                      outcome      MAN (M A N)
====  ==========================================  ===========  ============
O01   lead 10, qualified 20, proposal 20, won      won (C1)     yes yes yes
O02   lead 20, qualified 20, proposal 20, won      won (C2)     yes yes yes
O03   lead 10, qualified 20, proposal 10, lost     price        yes yes no
O04   lead 20, qualified 10, lost                  competitor   yes no  no
O05   lead 10, lost                                no_budget    no  no  no
O06   lead 20, lost                                price        yes no  yes
O07   lead 20, qualified 20, proposal (open)       open         yes yes yes
O08   lead 30, qualified (open)                    open         no  yes yes
O09   lead 11, qualified 10, proposal 19, won      won (C3)     yes yes yes
O10   lead 12, lost                                poor_comm.   no  no  yes
O11   lead (open, 6 days)                          open         no  yes no
O12   lead 9, qualified 10, lost                   (none)       no  yes yes
====  ==========================================  ===========  ============

Lead: 12 entered, 3 lost, 1 open, 8 moved on (8/11); qualified: 8 entered, 2 lost,
1 open (5/7); proposal: 5 entered, 1 lost, 1 open, 3 won (3/4). A new lead is won with
8/11 * 5/7 * 3/4 = 30/77; of the 9 closed deals 3 were won.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import funnel as fn
from workbench.plotting import funnel as plots

PARAMS = fn.FunnelParameters(stages=("lead", "qualified", "proposal"))
AS_OF = pd.Timestamp("2024-03-31")
HISTORY = {  # opportunity: (customer, [(stage, date)], value, lost reason, MAN yes/no)
    "O01": ("C1", [("lead", "01-01"), ("qualified", "01-11"), ("proposal", "01-31"), ("closed_won", "02-20")],
            1000, None, "111"),
    "O02": ("C2", [("lead", "01-01"), ("qualified", "01-21"), ("proposal", "02-10"), ("closed_won", "03-01")],
            2000, None, "111"),
    "O03": ("P3", [("lead", "01-05"), ("qualified", "01-15"), ("proposal", "02-04"), ("closed_lost", "02-14")],
            800, "price", "110"),
    "O04": ("P4", [("lead", "01-05"), ("qualified", "01-25"), ("closed_lost", "02-04")], 700, "competitor", "100"),
    "O05": ("P5", [("lead", "01-10"), ("closed_lost", "01-20")], 600, "no_budget", "000"),
    "O06": ("P6", [("lead", "01-10"), ("closed_lost", "01-30")], 600, "price", "101"),
    "O07": ("P7", [("lead", "01-15"), ("qualified", "02-04"), ("proposal", "02-24")], 500, None, "111"),
    "O08": ("P8", [("lead", "01-15"), ("qualified", "02-14")], 400, None, "011"),
    "O09": ("C3", [("lead", "02-01"), ("qualified", "02-12"), ("proposal", "02-22"), ("closed_won", "03-12")],
            900, None, "111"),
    "O10": ("P10", [("lead", "02-01"), ("closed_lost", "02-13")], 650, "poor_communication", "001"),
    "O11": ("P11", [("lead", "03-25")], 300, None, "010"),
    "O12": ("P12", [("lead", "02-25"), ("qualified", "03-05"), ("closed_lost", "03-15")], 550, None, "011"),
}
EXPENSE = {"lead": 10.0, "qualified": 20.0, "proposal": 30.0}


def dozen() -> pd.DataFrame:
    rows = []
    for opp, (customer, stages, value, reason, man) in HISTORY.items():
        for stage, day in stages:
            rows.append({"opportunity_id": opp, "customer_id": customer, "stage": stage,
                         "stage_date": pd.Timestamp(f"2024-{day}"), "expected_value": float(value),
                         "sales_expense": EXPENSE.get(stage, np.nan), "owner": "S1" if opp <= "O06" else "S2",
                         "industry": "power" if int(opp[1:]) % 2 else "oem",
                         "money": float(man[0]), "authority": float(man[1]), "need": float(man[2]),
                         "lost_reason": reason if stage == "closed_lost" else None})
    return pd.DataFrame(rows)


@pytest.fixture
def summary():
    return fn.man_scores(fn.opportunity_summary(dozen(), PARAMS, as_of=AS_OF), PARAMS)


def wilson(k, n, z=1.959963984540054):
    """Wilson (1927) score interval, written out."""
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def test_summary_outcomes_and_stages(summary):
    s = summary.set_index("opportunity_id")
    assert s["outcome"].value_counts().to_dict() == {"deal_lost": 6, "deal_won": 3, "deal_open": 3}
    assert s.loc["O07", "stage_reached"] == "proposal" and s.loc["O11", "stage_reached"] == "lead"
    assert s.loc["O01", "closed_date"] == pd.Timestamp("2024-02-20")
    assert s.loc["O11", "age_days"] == 6 and s.loc["O01", "age_days"] == 50
    assert s.loc["O03", "lost_reason"] == "price" and pd.isna(s.loc["O12", "lost_reason"])
    assert s.loc["O01", "sales_expense"] == 60.0 and s.loc["O05", "sales_expense"] == 10.0


def test_stage_conversion_by_hand(summary):
    table = fn.stage_conversion(summary, PARAMS).set_index("funnel_stage")
    assert table["entered"].tolist() == [12, 8, 5]
    assert table["advanced"].tolist() == [8, 5, 3]
    assert table["deals_lost"].tolist() == [3, 2, 1]
    assert table["deals_open"].tolist() == [1, 1, 1]
    np.testing.assert_allclose(table["conversion"], [8 / 11, 5 / 7, 3 / 4])
    np.testing.assert_allclose(table["share_of_first"], [1, 8 / 12, 5 / 12])
    np.testing.assert_allclose(table["p_reach"], [1, 8 / 11, 8 / 11 * 5 / 7])
    np.testing.assert_allclose(table["p_win"], [30 / 77, 15 / 28, 3 / 4])
    lo, hi = wilson(8, 11)
    assert table.loc["lead", "ci_lower"] == pytest.approx(lo) and table.loc["lead", "ci_upper"] == pytest.approx(hi)
    # delta method on the log scale: se^2 = sum (1 - c) / (n c)
    se = np.sqrt((3 / 11) / (11 * 8 / 11) + (2 / 7) / (7 * 5 / 7) + (1 / 4) / (4 * 3 / 4))
    assert table.loc["lead", "p_win_ci_lower"] == pytest.approx(30 / 77 * np.exp(-1.959963984540054 * se))


def test_stage_conversion_by_owner_by_hand(summary):
    """S1 owns O01-O06, S2 O07-O12 (the table above).

    S1: lead 6 entered, O05 and O06 lost, 4 on (4/6); qualified 4, O04 lost, 3 on (3/4);
    proposal 3, O03 lost, O01 and O02 won (2/3): a new lead is won with 1/3.
    S2: lead 6, O10 lost, O11 open, 4 on (4/5); qualified 4, O12 lost, O08 open, 2 on
    (2/3); proposal 2, O07 open, O09 won (1/1): 8/15. The two add up to the funnel."""
    table = fn.stage_conversion(summary, PARAMS, by="owner")
    assert list(table.columns[:2]) == ["owner", "funnel_stage"]
    assert table["owner"].tolist() == ["S1"] * 3 + ["S2"] * 3
    s1, s2 = (table[table["owner"] == owner].set_index("funnel_stage") for owner in ("S1", "S2"))
    assert s1["entered"].tolist() == [6, 4, 3] and s2["entered"].tolist() == [6, 4, 2]
    assert s1["advanced"].tolist() == [4, 3, 2] and s2["advanced"].tolist() == [4, 2, 1]
    assert s1["deals_lost"].tolist() == [2, 1, 1] and s2["deals_lost"].tolist() == [1, 1, 0]
    assert s1["deals_open"].tolist() == [0, 0, 0] and s2["deals_open"].tolist() == [1, 1, 1]
    np.testing.assert_allclose(s1["conversion"], [4 / 6, 3 / 4, 2 / 3])
    np.testing.assert_allclose(s2["conversion"], [4 / 5, 2 / 3, 1.0])
    np.testing.assert_allclose(s1["share_of_first"], [1, 4 / 6, 3 / 6])
    np.testing.assert_allclose(s1["p_win"], [1 / 3, 1 / 2, 2 / 3])
    np.testing.assert_allclose(s2["p_win"], [8 / 15, 2 / 3, 1.0])
    lo, hi = wilson(4, 5)
    assert (s2.loc["lead", "ci_lower"], s2.loc["lead", "ci_upper"]) == pytest.approx((lo, hi))
    # proposal of S2: one of one won; Wilson's interval still has width, the log-scale se is 0
    assert s2.loc["proposal", "ci_upper"] == pytest.approx(1.0) and s2.loc["proposal", "ci_lower"] < 0.3
    se = np.sqrt((1 / 5) / (5 * 4 / 5) + (1 / 3) / (3 * 2 / 3))
    assert s2.loc["lead", "p_win_ci_lower"] == pytest.approx(8 / 15 * np.exp(-1.959963984540054 * se))
    overall = fn.stage_conversion(summary, PARAMS).set_index("funnel_stage")
    for column in ("entered", "advanced", "deals_lost", "deals_open"):
        assert (s1[column] + s2[column]).tolist() == overall[column].tolist()


def test_win_rates_with_wilson_and_exact_intervals(summary):
    overall = fn.win_rates(summary, PARAMS).iloc[0]
    assert (overall["deals_won"], overall["deals_lost"], overall["deals_open"], overall["deals_closed"]) == (3, 6, 3, 9)
    assert overall["win_rate"] == pytest.approx(1 / 3)
    assert (overall["ci_lower"], overall["ci_upper"]) == pytest.approx(wilson(3, 9))
    exact = fn.win_rates(summary, fn.FunnelParameters(stages=PARAMS.stages, interval="exact")).iloc[0]
    from scipy import stats
    assert exact["ci_lower"] == pytest.approx(stats.beta.ppf(0.025, 3, 7))  # Clopper-Pearson
    assert exact["ci_upper"] == pytest.approx(stats.beta.ppf(0.975, 4, 6))
    by_owner = fn.win_rates(summary, PARAMS, by="owner").set_index("owner")
    assert by_owner.loc["S1", "deals_won"] == 2 and by_owner.loc["S1", "deals_closed"] == 6
    assert by_owner.loc["S2", "deals_won"] == 1 and by_owner.loc["S2", "deals_closed"] == 3


def test_time_in_stage_by_hand():
    result = fn.time_in_stage(dozen(), PARAMS, as_of=AS_OF)
    lead = result.summary.set_index("funnel_stage").loc["lead"]
    assert (lead["entered"], lead["left"], lead["still_open"]) == (12, 11, 1)
    # 11 spells 9, 10, 10, 10, 11, 12, 20 x 4, 30 and one open for 6 days:
    # S = 10/11 after 9 days, 7/11 after 10, 6/11 after 11, 5/11 after 12
    assert lead["median_days_in_stage"] == 12
    curve = result.curves[result.curves["funnel_stage"] == "lead"].set_index("days")["remaining"]
    np.testing.assert_allclose(curve.loc[[9.0, 10.0, 11.0, 12.0]], [10 / 11, 7 / 11, 6 / 11, 5 / 11])
    qualified = result.summary.set_index("funnel_stage").loc["qualified"]
    assert (qualified["entered"], qualified["left"], qualified["still_open"]) == (8, 7, 1)


def test_pipeline_value_by_hand(summary):
    conversion = fn.stage_conversion(summary, PARAMS)
    result = fn.pipeline_value(summary, conversion, PARAMS)
    # open: O07 (proposal, 500), O08 (qualified, 400), O11 (lead, 300)
    expected = 500 * 3 / 4 + 400 * 15 / 28 + 300 * 30 / 77
    assert result.total["weighted_value"] == pytest.approx(expected)
    assert result.total["expected_value"] == 1200 and result.total["deals_open"] == 3
    assert result.total["ci_lower"] < expected < result.total["ci_upper"]
    p = np.array([3 / 4, 15 / 28, 30 / 77])
    assert result.total["outcome_sd"] == pytest.approx(np.sqrt(np.sum(np.array([500, 400, 300]) ** 2 * p * (1 - p))))
    assert result.by_stage["deals_open"].tolist() == [1, 1, 1]


def test_man_classes_and_test(summary):
    s = summary.set_index("opportunity_id")
    assert s.loc["O01", "man_pattern"] == "MAN" and s.loc["O03", "man_pattern"] == "MAn"
    assert s.loc["O05", "man_pattern"] == "man" and s.loc["O05", "man_score"] == 0
    assert s["man_class"].value_counts().to_dict() == {"man_high": 4, "man_medium": 4, "man_low": 4}
    result = fn.man_win_rates(summary, PARAMS)
    assert result.table["man_class"].tolist() == ["man_high", "man_medium", "man_low"]
    high = result.table.set_index("man_class").loc["man_high"]
    assert (high["deals_won"], high["deals_closed"]) == (3, 3)  # every closed MAN deal was won
    assert result.test["test"] == "chi2" and result.test["dof"] == 2
    from scipy import stats
    expected = stats.chi2_contingency([[3, 0], [0, 3], [0, 3]], correction=False)
    assert result.test["p_value"] == pytest.approx(expected[1])


def test_man_weights_and_ratings():
    frame = pd.DataFrame({"money": [5, 1, 3], "authority": [1, 5, 3], "need": [1, 1, 3]})
    money_first = fn.FunnelParameters(man_weights={"money": 1, "authority": 0, "need": 0})
    scored = fn.man_scores(frame, money_first)
    assert scored["man_score"].tolist() == [1.0, 0.0, 0.5]
    assert scored["man_class"].tolist() == ["man_high", "man_low", "man_medium"]
    assert scored["man_pattern"].tolist() == ["Man", "mAn", "man"]  # met from a rating of 4
    with pytest.raises(ValueError, match="man_scale"):
        fn.man_scores(frame.assign(money=[0, 1, 3]), fn.FunnelParameters())
    with pytest.raises(ValueError, match="missing"):
        fn.man_scores(frame.drop(columns="need"))


def test_acquisition_cost_and_lost_reasons(summary):
    acquisition = fn.acquisition_cost(summary).iloc[0]
    # lead 12 x 10 + qualified 8 x 20 + proposal 5 x 30 = 430 for customers C1, C2, C3
    assert acquisition["prospect_expense"] == 430 and acquisition["customers_won"] == 3
    assert acquisition["acquisition_cost"] == pytest.approx(430 / 3)
    by_industry = fn.acquisition_cost(summary, by="industry").set_index("industry")
    assert by_industry.loc["power", "customers_won"] == 2  # O01, O09
    lost = fn.lost_reasons(summary, PARAMS)
    groups = lost.groups.set_index("group")
    assert groups["opportunities"].to_dict() == {"customer_side": 1, "firm_side": 3, "third_party": 1}
    assert groups["reference_share"].to_dict() == pytest.approx({"customer_side": 0.04, "firm_side": 0.87,
                                                                 "third_party": 0.09})
    assert lost.n_missing == 1
    custom = fn.lost_reasons(summary.assign(lost_reason=summary["lost_reason"].replace({"price": "太贵"})),
                             mapping={"太贵": "firm_side"})
    assert set(custom.reasons.loc[custom.reasons["group"] == "unmapped", "reason"]) == {
        "competitor", "no_budget", "poor_communication"}


def test_retention_ratio_and_clv_link(summary):
    expense = pd.DataFrame({"customer_id": ["C1", "C1", "C2", "C3"], "year": [2023, 2024, 2024, 2024],
                            "sales_expense": [5.0, 30.0, 50.0, 100.0]})
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"],
                              "first_contact": pd.to_datetime(["2022-01-01", "2023-06-01", "2024-03-01"]),
                              "industry": ["power", "oem", "power"]})
    retention = fn.retention_cost(expense, customers=customers).iloc[0]
    assert retention["customer_years"] == 3  # C3 was won in 2024: acquisition, not retention
    assert retention["retention_cost"] == pytest.approx(85 / 3)
    ratio = fn.acquisition_vs_retention(fn.acquisition_cost(summary), fn.retention_cost(expense, customers=customers))
    assert ratio["cost_ratio"].iloc[0] == pytest.approx((430 / 3) / (85 / 3))
    clv = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "clv": [500.0, 100.0, 300.0]})
    won = summary[summary["outcome"] == "deal_won"]
    net = fn.clv_net_of_acquisition(clv, fn.acquisition_cost(summary, by="industry"), customers=won, by="industry")
    power = net.set_index("industry").loc["power"]
    # power: O01, O03, O07, O09 (60 each), O05, O11 (10 each) for C1 and C3
    assert power["mean_clv"] == 400 and power["clv_minus_acquisition"] == pytest.approx(400 - 260 / 2)


def test_clv_net_of_acquisition_by_hand(summary):
    """Acquisition cost from the dozen: power (odd numbers) spent 60 + 60 + 10 + 60 + 60 + 10
    = 260 on O01, O03, O05, O07, O09, O11 and won C1 and C3: 130 each; oem spent 60 + 30 +
    10 + 30 + 10 + 30 = 170 and won C2: 170; all 430 for 3 customers."""
    clv = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C9"], "clv": [500.0, 100.0, 300.0, 1000.0]})
    won = summary[summary["outcome"] == "deal_won"]
    by_industry = fn.acquisition_cost(summary, by="industry")
    net = fn.clv_net_of_acquisition(clv, by_industry, customers=won, by="industry")
    assert list(net.columns) == ["industry", "customers", "mean_clv", "acquisition_cost",
                                 "clv_minus_acquisition", "clv_to_acquisition"]
    net = net.set_index("industry")
    assert net["customers"].to_dict() == {"oem": 1, "power": 2}  # C9 was not won: not averaged
    np.testing.assert_allclose(net["mean_clv"], [100, 400])
    np.testing.assert_allclose(net["acquisition_cost"], [170, 130])
    np.testing.assert_allclose(net["clv_minus_acquisition"], [-70, 270])  # oem does not earn it back
    np.testing.assert_allclose(net["clv_to_acquisition"], [100 / 170, 400 / 130])
    overall = fn.clv_net_of_acquisition(clv, fn.acquisition_cost(summary), customers=won, by=None).iloc[0]
    assert overall["group"] == "all" and overall["customers"] == 3
    assert overall["clv_minus_acquisition"] == pytest.approx(300 - 430 / 3)
    # a won customer without a CLV (no purchase yet) is left out; other CLV columns by name
    partial = fn.clv_net_of_acquisition(clv.iloc[[0, 2]].rename(columns={"clv": "clv_24m"}), by_industry,
                                        customers=won, by="industry", value="clv_24m")
    assert partial["industry"].tolist() == ["power"]
    with pytest.raises(ValueError, match="acquisition_cost.by='industry'"):
        fn.clv_net_of_acquisition(clv, fn.acquisition_cost(summary), customers=won, by="industry")


def test_as_of_turns_later_wins_into_open_deals():
    early = fn.opportunity_summary(dozen(), PARAMS, as_of="2024-02-25").set_index("opportunity_id")
    assert early.loc["O02", "outcome"] == "deal_open" and early.loc["O02", "stage_reached"] == "proposal"
    assert "O11" not in early.index  # created after the date
    assert early.loc["O01", "outcome"] == "deal_won"


def test_errors_name_what_is_wrong():
    with pytest.raises(ValueError, match=r"stage\(s\) \['negotiation'\] are not among"):
        fn.opportunity_summary(dozen().replace({"stage": {"proposal": "negotiation"}}), PARAMS)
    with pytest.raises(ValueError, match="opportunity_id"):
        fn.opportunity_summary(dozen().drop(columns="opportunity_id"), PARAMS)
    with pytest.raises(TypeError, match="FunnelParameters"):
        fn.opportunity_summary(dozen(), {"stages": ["lead"]})
    summary = fn.opportunity_summary(dozen(), PARAMS)
    with pytest.raises(ValueError, match="by='region' is not a column"):
        fn.win_rates(summary, PARAMS, by="region")
    with pytest.raises(ValueError, match="without by"):
        fn.pipeline_value(summary, fn.stage_conversion(summary, PARAMS, by="owner"), PARAMS)
    with pytest.raises(ValueError, match="sales_expense"):
        fn.acquisition_cost(summary.drop(columns="sales_expense"))


@pytest.mark.parametrize(("mapping", "key"), [
    ({"stages": ["lead"]}, "stages"),
    ({"stages": ["lead", "lead"]}, "stages"),
    ({"won_stage": "lead"}, "won_stage"),
    ({"man_weights": {"money": -1}}, "man_weights"),
    ({"man_weights": {"budget": 1}}, "man_weights"),
    ({"man_cutoffs": [0.4, 0.6]}, "man_cutoffs"),
    ({"man_scale": "stars"}, "man_scale"),
    ({"interval": "wald"}, "interval"),
    ({"level": 95}, "level"),
    ({"order_grace_days": -1}, "order_grace_days"),
    ({"rule_of_thumb": 0}, "rule_of_thumb"),
    ({"lost_reason_groups": {"price": "firm"}}, "lost_reason_groups"),
    ({"colour": "red"}, "unknown key"),
])
def test_parameters_are_validated_with_the_key_named(mapping, key):
    with pytest.raises(ValueError, match=key):
        fn.FunnelParameters.from_mapping(mapping)


def test_parameters_defaults_and_yaml_lists():
    params = fn.FunnelParameters.from_mapping({"stages": ["线索", "报价"], "won_stage": "赢单",
                                               "man_cutoffs": [0.8, 0.4]})
    assert params.stages == ("线索", "报价") and params.man_cutoffs == (0.8, 0.4)
    assert params.rank == {"线索": 0, "报价": 1, "赢单": 2, "closed_lost": 2}
    assert fn.FunnelParameters().man_weights == pytest.approx(dict.fromkeys(fn.MAN_CRITERIA, 1 / 3))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["deal_won", "deal_lost", "deal_open"])),
                min_size=1, max_size=40))
def test_funnel_invariants(rows):
    summary = pd.DataFrame(rows, columns=["stage_rank", "outcome"])
    summary.loc[summary["outcome"] == "deal_won", "stage_rank"] = 2  # won passed every stage
    table = fn.stage_conversion(summary, PARAMS)
    assert (np.diff(table["entered"]) <= 0).all()
    assert (table["advanced"] + table["deals_lost"] + table["deals_open"] == table["entered"]).all()
    assert table["advanced"].iloc[-1] == (summary["outcome"] == "deal_won").sum()
    p = table["p_win"].dropna()
    assert ((p >= 0) & (p <= 1)).all()
    known = table.dropna(subset=["conversion"])
    assert (known["ci_lower"] <= known["conversion"] + 1e-12).all()
    assert (known["conversion"] <= known["ci_upper"] + 1e-12).all()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_draw_in_both_languages(summary, lang):
    import matplotlib.pyplot as plt

    conversion = fn.stage_conversion(summary, PARAMS)
    axes = [
        plots.plot_funnel(conversion, lang=lang),
        plots.plot_time_in_stage(fn.time_in_stage(dozen(), PARAMS, as_of=AS_OF), lang=lang),
        plots.plot_win_rates(fn.win_rates(summary, PARAMS, by="industry"), by="industry", reference=0.3, lang=lang),
        plots.plot_pipeline(fn.pipeline_value(summary, conversion, PARAMS), lang=lang),
        plots.plot_acquisition_vs_retention(pd.DataFrame({"group": ["all", "power"], "cost_ratio": [5.5, 3.0],
                                                          "rule_of_thumb": [5.0, 5.0]}), lang=lang),
        plots.plot_lost_reasons(fn.lost_reasons(summary, PARAMS), lang=lang),
    ]
    for ax in axes:
        ax.figure.canvas.draw()  # a missing glyph fails here (the suite turns the warning into an error)
        assert ax.get_title()
    assert axes[0].get_yticklabels()[0].get_text() == ("线索（潜在客户）" if lang == "zh" else "Lead")
    plt.close("all")
