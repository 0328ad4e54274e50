"""The generated N-company opportunities: consistent with the customers, and the funnel
recovers the conversion truth within its intervals; a user's own CRM file through a case."""

import hashlib
import textwrap

import numpy as np
import pandas as pd
import pytest

from workbench import datasets
from workbench import funnel as fn
from workbench.cases import CaseError, load_case
from workbench.cleaning import clean_opportunities
from workbench.datasets import make_ncompany

PARAMS = fn.FunnelParameters()


@pytest.fixture(scope="module")
def data():
    return make_ncompany(1000, n_respondents=20, seed=20240101, acquired_share=0.25)  # the bundled case's


@pytest.fixture(scope="module")
def summary(data):
    summary = fn.opportunity_summary(data.opportunities, PARAMS, as_of="2024-12-31")
    return fn.man_scores(summary, PARAMS)


def test_a_years_wins_are_that_years_new_customers(data):
    """Every year of the case has new customers, each won in the funnel in the year of its
    first order (issue 15: all wins were dated 2021-22, so a 2024 report showed 200 deals
    won beside no new customer)."""
    opp, tx = data.opportunities, data.transactions
    wins = opp.loc[opp["stage"] == "closed_won", "stage_date"].dt.year.value_counts().sort_index()
    first_order = tx.groupby("customer_id")["date"].min().dt.year.value_counts().sort_index()
    assert list(wins.index) == [2021, 2022, 2023, 2024]
    assert (wins.loc[2022:] == first_order.loc[2022:]).all(), (wins, first_order)  # 2021 opens the data
    assert (wins.loc[[2021, 2023, 2024]] >= 10).all()
    won = opp[opp["stage"] == "closed_won"].set_index("customer_id")["stage_date"]
    assert (won.dt.year == tx.groupby("customer_id")["date"].min().reindex(won.index).dt.year).all()


def test_won_opportunities_are_the_customers_acquired_before_their_first_order(data):
    opp, customers, tx = data.opportunities, data.customers, data.transactions
    won = opp[opp["stage"] == "closed_won"].set_index("customer_id")["stage_date"]
    acquired = customers.loc[customers["first_contact"] >= "2021-01-01", "customer_id"]
    assert won.index.is_unique and set(won.index) == set(acquired)  # one win per customer acquired
    first_order = tx.groupby("customer_id")["date"].min()
    assert (won < first_order.reindex(won.index)).all()
    assert (won < customers.set_index("customer_id")["first_contact"].reindex(won.index)).all()
    owners = customers.set_index("customer_id")["account_manager"]
    assert (opp.loc[opp["stage"] == "closed_won"].set_index("customer_id")["owner"] == owners.reindex(won.index)).all()
    prospects = opp.loc[~opp["customer_id"].isin(customers["customer_id"]), "customer_id"]
    assert prospects.str.startswith("P").all() and len(prospects.unique()) > 3000
    assert not opp.loc[opp["customer_id"].isin(prospects), "stage"].eq("closed_won").any()
    assert opp["stage_date"].max() <= pd.Timestamp("2024-12-31")


def test_the_generated_table_passes_its_own_cleaning(data):
    raw = data.opportunities.astype(str).replace({"nan": "", "<NA>": ""})  # as read from the CSV
    result = clean_opportunities(raw, stages=PARAMS.stages, orders=data.transactions, end="2024-12-31")
    assert result.quarantine.empty and len(result.clean) == len(raw)
    summary = fn.opportunity_summary(result.clean, PARAMS)
    assert set(summary["outcome"]) == {"deal_won", "deal_lost", "deal_open"}
    assert (summary["outcome"] == "deal_open").sum() > 100  # a pipeline is open at the end


def test_the_funnel_stream_leaves_every_other_table_as_it_was(monkeypatch):
    def digest(d):
        return {name: hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
                for name, frame in d.tables(truth=True).items() if "funnel" not in name and name != "opportunities"}

    with_funnel = digest(make_ncompany(120, seed=7))
    monkeypatch.setattr(datasets.ncompany, "_draw_opportunities", lambda *args: None)
    without = digest(make_ncompany(120, seed=7))
    assert with_funnel == without


def test_stage_conversion_recovers_the_truth_within_its_intervals(data, summary):
    """Stage conversion by MAN class (12 rates) and each industry's chance that a new lead
    is won (4): every truth lies in its interval at a family-wise 95 % (Bonferroni)."""
    level = 1 - 0.05 / 16
    params = fn.FunnelParameters(level=level)
    by_class = fn.stage_conversion(summary, params, by="man_class")
    check = fn.conversion_against_truth(by_class, data.truth.funnel.conversion, on=["man_class", "funnel_stage"])
    assert len(check) == 12 and check["covered"].all(), check
    by_industry = fn.stage_conversion(summary, params, by="industry").drop_duplicates("industry")
    truth = data.truth.funnel.industries.drop_duplicates("industry")
    check = fn.conversion_against_truth(by_industry, truth, on=["industry"], estimate="p_win",
                                        truth_col="p_win_industry", lower="p_win_ci_lower", upper="p_win_ci_upper")
    assert len(check) == 4 and check["covered"].all(), check
    # and the estimates are close, not only covered by wide intervals
    assert (by_class.set_index(["man_class", "funnel_stage"])["conversion"]
            - data.truth.funnel.conversion.set_index(["man_class", "funnel_stage"])["conversion"]).abs().max() < 0.05


def test_time_in_stage_recovers_the_gamma_truth(data):
    """Whole days in stage are ceil(Gamma(2)), so the true median of what is recorded is
    the ceiling of the Gamma median; over 12 seeds the Kaplan-Meier share still in a stage
    after twice its Gamma scale is off by 0.000-0.005 on average (SD 0.01-0.02).

    Each median's interval (family-wise 95 %, Bonferroni over the four stages) covers the
    truth. The check was 'within 2 days', but over seeds 1-10 the medians are off by
    -0.7 to +0.5 days on average with an SD of up to 1.9 days (negotiation, about 900
    spells), so 2 days failed one seed in five by chance (the bundled seed's negotiation
    median is 41 days against 38, interval 38-43 at 95 %); 4 days is still a check that
    a biased generator or estimator would fail."""
    params = fn.FunnelParameters(level=1 - 0.05 / 4)
    result = fn.time_in_stage(data.opportunities, params, as_of="2024-12-31").summary.set_index("funnel_stage")
    truth = np.ceil(data.truth.funnel.stages.set_index("funnel_stage")["median_days"])
    assert ((result["median_ci_lower"] <= truth) & (truth <= result["median_ci_upper"])).all(), result
    assert (result["median_days_in_stage"] - truth).abs().max() <= 4, result
    assert (result["still_open"] > 0).all() and (result["left"] > 0.9 * result["entered"]).all()


def test_man_class_goes_with_winning_and_lost_reasons_follow_the_lecture(data, summary):
    man = fn.man_win_rates(summary, PARAMS)
    rates = man.table.set_index("man_class")["win_rate"]
    assert rates["man_high"] > rates["man_medium"] > rates["man_low"] and man.test["p_value"] < 1e-6
    lost = fn.lost_reasons(summary, PARAMS).groups.set_index("group")
    np.testing.assert_allclose(lost["share"], lost["reference_share"], atol=0.03)


def test_acquisition_cost_is_about_five_times_retention(data, summary):
    acquisition = fn.acquisition_cost(summary)
    retention = fn.retention_cost(data.sales_expense, customers=data.customers)
    ratio = fn.acquisition_vs_retention(acquisition, retention)["cost_ratio"].iloc[0]
    assert 3 < ratio < 8
    # realised cost per customer won against the long-run truth (open deals' expense is
    # already spent, their wins are still to come)
    truth = data.truth.funnel.industries.drop_duplicates("industry").set_index("industry")
    by_industry = fn.acquisition_cost(summary, by="industry").set_index("industry")["acquisition_cost"]
    assert ((by_industry / truth["acquisition_cost"]).between(0.8, 1.5)).all()


CASE = """\
    name: crm
    language: zh
    granularity: Y
    start: 2024-01-01
    end: 2024-12-31
    default_period: "2024"
    sources:
      transactions:
        path: ../orders.csv
        columns: {customer_id: 客户, date: 日期, amount: 金额}
      opportunities:
        path: ../商机.csv
        columns: {opportunity_id: 商机编号, customer_id: 客户, stage: 阶段, stage_date: 日期, money: 购买力}
    notebooks: []
    parameters:
      funnel: {stages: [线索, 报价], won_stage: 赢单, lost_stage: 输单}
"""


def write_crm(tmp_path, body=CASE):
    (tmp_path / "cases").mkdir(parents=True)
    (tmp_path / "orders.csv").write_text("客户,日期,金额\nC1,2024-03-01,100\nC2,2024-01-02,50\n", encoding="utf-8")
    (tmp_path / "商机.csv").write_text(textwrap.dedent("""\
        商机编号,客户,阶段,日期,购买力
        S1,C1,线索,2024-01-05,是
        S1,C1,报价,2024-01-20,是
        S1,C1,赢单,2024-02-10,是
        S2,P1,线索,2024-02-01,否
        S2,P1,输单,2024-02-15,否
        S3,C2,线索,2023-11-01,是
        S3,C2,赢单,2024-01-01,是
        S3,C2,赢单,2024-01-03,是
        S4,P2,线索,2024-03-01,
        S4,P2,谈判,2024-03-05,
        """), encoding="gbk")
    path = tmp_path / "cases" / "crm.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_a_crm_file_with_its_own_names_loads_through_the_case(tmp_path):
    loaded = load_case(write_crm(tmp_path)).load()
    clean = loaded.opportunities
    assert sorted(clean["opportunity_id"].unique()) == ["S1", "S2"]
    assert clean.loc[clean["opportunity_id"] == "S1", "money"].tolist() == [1.0, 1.0, 1.0]
    quarantine = loaded.quarantine["opportunities"].set_index("source_row")["reason"].to_dict()
    assert quarantine == {5: "closed_twice", 6: "closed_twice", 7: "closed_twice",
                          9: "stage_unknown", 8: "opportunity_has_bad_row"}
    log = loaded.cleaning_log.query("table == 'opportunities'").set_index("reason")["rows"]
    assert log["kept"] == 5 and log.sum() == 10
    summary = fn.opportunity_summary(clean, fn.FunnelParameters.from_mapping(loaded.params["funnel"]))
    assert summary.set_index("opportunity_id")["outcome"].to_dict() == {"S1": "deal_won", "S2": "deal_lost"}


def test_opportunities_are_cut_at_the_analysis_date(tmp_path):
    body = CASE.replace('granularity: Y', 'granularity: M').replace('default_period: "2024"', "default_period: 2024-01")
    loaded = load_case(write_crm(tmp_path, body)).load()
    assert loaded.opportunities["stage"].tolist() == ["线索", "报价"]  # S1 won in February, S2 not yet created


def test_bad_funnel_parameters_and_table_names_fail_with_the_file_and_key(tmp_path):
    with pytest.raises(CaseError, match=r"crm\.yaml: key 'parameters\.funnel\.interval' is 'wald'"):
        load_case(write_crm(tmp_path, CASE.replace("lost_stage: 输单}", "lost_stage: 输单, interval: wald}"))).load()
    with pytest.raises(CaseError, match="did you mean 'opportunities'"):
        load_case(write_crm(tmp_path / "b", CASE.replace("      opportunities:", "      deals:")))
