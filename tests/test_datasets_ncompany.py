"""The N-company generator: schema, determinism, reconciliation, and recovery of its truth.

Each recovery test fits a plain, independent method (k-means, log-log OLS, PLS-PM,
piecewise regression) to the generated data and checks it finds what the generator put
in, so the truth the other modules test against is known to be recoverable.
"""

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.preprocessing import StandardScaler

from workbench import schema
from workbench.datasets import (
    CHURN_REASON_GROUPS,
    CHURN_REASON_SHARES,
    NCOMPANY_CONSTRUCTS,
    NCOMPANY_INDUSTRIES,
    NCOMPANY_SEGMENTS,
    NCompanyData,
    make_ncompany,
)

TRANSACTION_COLUMNS = ["customer_id", "order_id", "date", "amount", "cost", "gross_profit",
                       "product_id", "channel", "quantity", "is_return"]
CUSTOMER_COLUMNS = ["customer_id", "name", "industry", "region", "size", "customer_type",
                    "first_contact", "account_manager", "strategic_fit", "industry_growth",
                    "share_of_wallet", "churn_reason"]
EXPENSE_COLUMNS = ["customer_id", "year", "sales_expense", "visits", "revenue",
                   "gross_profit", "industry"]
ITEMS = {"IMAG": 4, "CUEX": 3, "PERQ": 4, "PERV": 3, "CUSA": 3, "CUSL": 3}


@pytest.fixture(scope="module")
def data() -> NCompanyData:
    return make_ncompany()


def digest(data: NCompanyData) -> dict[str, str]:
    return {name: hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
            for name, frame in data.tables(truth=True).items()}


# --- determinism and schema ------------------------------------------------------------

def test_same_arguments_give_byte_identical_tables(data):
    assert digest(make_ncompany()) == digest(data)


def test_another_seed_gives_other_data_and_survey_size_leaves_orders_alone(data):
    other = make_ncompany(seed=7)
    assert not other.transactions["amount"].equals(data.transactions["amount"])
    more = make_ncompany(n_respondents=50)
    pd.testing.assert_frame_equal(more.transactions, data.transactions)
    assert len(more.survey) == 50


def test_stock_table_chains_years_and_gives_the_product_turnover(data):
    from workbench.value import product_ratios

    stock = data.stock
    assert list(stock.columns) == ["product_id", "year", "opening_stock", "closing_stock"]
    assert len(stock) == 7 * 4 and (stock[["opening_stock", "closing_stock"]] > 0).all().all()
    by_product = stock.sort_values(["product_id", "year"]).groupby("product_id")
    for _, rows in by_product:  # a year opens with the previous year's closing stock
        np.testing.assert_array_equal(rows["opening_stock"].iloc[1:], rows["closing_stock"].iloc[:-1])
    year = data.transactions["date"].dt.year == 2024
    ratios = product_ratios(data.transactions[year], stock[stock["year"] == 2024].drop(columns="year"))
    turnover = ratios.set_index("product_id")["turnover"]
    # sales grow, so the average of last and this year-end stock is below this year's
    # level: turnover reads a little above the nominal one (MCB 8, SWITCHGEAR 2.5)
    assert 8.0 * 0.85 < turnover["MCB"] < 8.0 * 1.5
    assert 2.5 * 0.85 < turnover["SWITCHGEAR"] < 2.5 * 1.5
    assert turnover.idxmax() == "RELAY" and turnover.idxmin() == "SWITCHGEAR"


def test_schema_columns_and_dtypes(data):
    tx, cu, se = data.transactions, data.customers, data.sales_expense
    assert list(tx.columns) == TRANSACTION_COLUMNS
    assert list(cu.columns) == CUSTOMER_COLUMNS
    assert list(se.columns) == EXPENSE_COLUMNS
    assert str(tx["date"].dtype) == "datetime64[ns]"
    assert (tx["date"] == tx["date"].dt.normalize()).all()
    assert tx["is_return"].dtype == bool and tx["amount"].dtype == np.float64
    assert len(cu) == 600 and cu["customer_id"].is_unique
    assert cu["name"].iloc[0] == "客户0001" and cu["customer_id"].iloc[0] == "C0001"
    assert set(cu["industry"]) == set(NCOMPANY_INDUSTRIES)
    assert cu["strategic_fit"].between(1, 5).all()
    assert cu["size"].gt(0).all() and cu["size"].skew() > 1  # skewed, like firm sizes
    assert 0.45 < cu["share_of_wallet"].notna().mean() < 0.75
    assert cu["share_of_wallet"].dropna().between(0, 1).all()
    assert tx["date"].dt.year.between(2021, 2024).all()
    assert tx["customer_id"].isin(cu["customer_id"]).all()
    assert set(cu["customer_id"]) == set(tx["customer_id"])  # every customer bought
    # the project's own canonical schemas accept the frames
    schema.validate_transactions(tx)
    schema.validate_customers(cu)


def test_transactions_are_sorted_and_order_ids_unique(data):
    tx = data.transactions
    keyed = tx.sort_values(["customer_id", "date"], kind="stable")
    assert keyed.index.equals(tx.index)
    sales = tx[~tx["is_return"]]
    assert sales["order_id"].is_unique and sales["order_id"].str.match(r"^SO\d{7}$").all()


def test_amount_is_cost_plus_gross_profit_and_margins_plausible(data):
    tx = data.transactions
    np.testing.assert_allclose(tx["amount"], tx["cost"] + tx["gross_profit"], atol=0.011)
    margin = tx["gross_profit"].sum() / tx["amount"].sum()
    assert 0.15 < margin < 0.40


def test_returns_are_partial_negative_and_follow_their_order(data):
    tx = data.transactions
    returns = tx[tx["is_return"]]
    assert 0.005 < len(returns) / len(tx) < 0.03
    assert (returns["amount"] < 0).all() and (returns["quantity"] < 0).all()
    orders = tx[~tx["is_return"]].set_index("order_id")
    original = orders.loc[returns["order_id"].str.removesuffix("-R")]
    assert (original["customer_id"].to_numpy() == returns["customer_id"].to_numpy()).all()
    assert (original["date"].to_numpy() <= returns["date"].to_numpy()).all()
    assert (original["date"].dt.year.to_numpy() == returns["date"].dt.year.to_numpy()).all()
    assert (-returns["amount"].to_numpy() < original["amount"].to_numpy()).all()


def test_sales_expense_reconciles_with_transactions(data):
    tx = data.transactions
    sums = tx.groupby(["customer_id", tx["date"].dt.year.rename("year")])[
        ["amount", "gross_profit"]].sum()
    se = data.sales_expense.set_index(["customer_id", "year"]).sort_index()
    assert se.index.equals(sums.index)  # a row exactly for each customer-year with orders
    np.testing.assert_allclose(se["revenue"], sums["amount"], atol=0.006)
    np.testing.assert_allclose(se["gross_profit"], sums["gross_profit"], atol=0.006)
    assert (se["sales_expense"] > 0).all() and (se["gross_profit"] > 0).all()
    industry = data.customers.set_index("customer_id")["industry"]
    assert (se["industry"].to_numpy() == industry.reindex(
        se.index.get_level_values(0)).to_numpy()).all()


def test_tables_are_the_data_and_truth_tables_are_optional(data):
    assert list(data.tables()) == ["transactions", "customers", "sales_expense", "survey", "stock",
                                   "opportunities"]
    full = data.tables(truth=True)
    assert {"truth_segments", "truth_paths", "truth_response", "truth_funnel_conversion"} <= set(full)


# --- lifecycle and churn ---------------------------------------------------------------

def test_no_orders_on_or_after_the_churn_date(data):
    seg = data.truth.segments
    churned = seg[seg["churned"]]
    assert (churned["segment"] == "churned").all() and len(churned) == 90
    last = data.transactions.groupby("customer_id")["date"].max()
    assert (last.reindex(churned["customer_id"]).to_numpy()
            < churned["churn_date"].to_numpy()).all()
    assert seg.loc[~seg["churned"], "churn_date"].isna().all()
    # churned customers have been silent for at least 420 days at the end (clear)
    assert (pd.Timestamp("2024-12-31") - churned["churn_date"]).dt.days.min() >= 420


def test_churn_reason_only_for_churned_customers(data):
    cu = data.customers.merge(data.truth.segments[["customer_id", "churned"]])
    assert cu.loc[cu["churned"], "churn_reason"].isin(list(CHURN_REASON_SHARES)).all()
    assert cu.loc[~cu["churned"], "churn_reason"].isna().all()
    assert set(CHURN_REASON_GROUPS.values()) == {"customer_side", "firm_side", "third_party"}
    assert sum(CHURN_REASON_SHARES.values()) == pytest.approx(1.0)


def test_churn_reason_shares_match_the_lecture_table():
    """Shares from the lecture: moved 1%, lost contact 3%, price 9%, complaints 10%,
    poor communication 68%, competitors 4%, peers 5% (6,000 churned customers)."""
    big = make_ncompany(40_000, years=(2021, 2022, 2023), seed=3)
    observed = big.customers["churn_reason"].value_counts(normalize=True)
    for reason, share in CHURN_REASON_SHARES.items():
        sd = np.sqrt(share * (1 - share) / 6000)
        assert abs(observed.get(reason, 0.0) - share) < 4 * sd + 1e-3, reason


def test_customers_are_acquired_over_time(data):
    first_contact = data.customers["first_contact"].dt.year
    assert first_contact.nunique() >= 6
    first_order = data.transactions.groupby("customer_id")["date"].min()
    fc = data.customers.set_index("customer_id")["first_contact"]
    assert (fc.reindex(first_order.index) <= first_order).all()
    growing = data.truth.segments.query("segment == 'growing'")["customer_id"]
    assert (first_order.reindex(growing).dt.year > 2021).all()


# --- latent segments -------------------------------------------------------------------

def simple_features(data: NCompanyData) -> pd.DataFrame:
    """Recency (days), log1p frequency, log1p monetary and a normalised revenue trend."""
    tx = data.transactions
    end = pd.Timestamp(f"{data.truth.parameters['years'][-1]}-12-31")
    sales = tx[~tx["is_return"]].groupby("customer_id")
    revenue = data.sales_expense.pivot(index="customer_id", columns="year", values="revenue")
    values = revenue.to_numpy()
    first = np.isfinite(values).argmax(axis=1)
    values = np.nan_to_num(values)
    trend = []
    for row, start in zip(values, first, strict=True):
        y = row[start:]
        trend.append(np.polyfit(np.arange(len(y)), y, 1)[0] / y.mean() if len(y) > 1 else 0.0)
    features = pd.DataFrame({
        "recency": (end - sales["date"].max()).dt.days,
        "log_frequency": np.log1p(sales["order_id"].nunique()),
        "log_monetary": np.log1p(tx.groupby("customer_id")["amount"].sum().clip(lower=0)),
    })
    features["trend"] = pd.Series(trend, index=revenue.index)
    return features.reindex(data.truth.segments["customer_id"])


def kmeans_scan(features: pd.DataFrame, ks=range(2, 9)):
    x = StandardScaler().fit_transform(features)
    fits = {k: KMeans(k, n_init=10, random_state=0).fit(x).labels_ for k in ks}
    return x, fits


def test_kmeans_recovers_clear_segments_with_the_right_k(data):
    x, fits = kmeans_scan(simple_features(data))
    truth = data.truth.segments["segment_code"]
    assert adjusted_rand_score(truth, fits[5]) >= 0.9
    silhouette = {k: silhouette_score(x, labels) for k, labels in fits.items()}
    assert max(silhouette, key=silhouette.get) == 5


def test_weak_separation_overlaps():
    weak = make_ncompany(separation="weak")
    _, fits = kmeans_scan(simple_features(weak), ks=[5])
    assert adjusted_rand_score(weak.truth.segments["segment_code"], fits[5]) < 0.5


def test_segment_profiles_differ_as_documented(data):
    profile = simple_features(data).groupby(data.truth.segments["segment"].to_numpy()).mean()
    assert profile["log_monetary"].idxmax() == "key_account"
    assert profile["recency"].idxmax() == "churned"
    assert profile["trend"].idxmax() == "growing"
    assert profile.loc["declining", "trend"] < -0.3
    assert profile["log_monetary"].drop("churned").idxmin() == "stable_small"
    assert set(data.truth.segments["segment"]) == set(NCOMPANY_SEGMENTS)


# --- sales-expense response ------------------------------------------------------------

def response_frame(data):
    return (data.sales_expense
            .merge(data.truth.customer_years[["customer_id", "year", "active_fraction",
                                              "trajectory"]])
            .merge(data.truth.segments[["customer_id", "response_scale"]]))


def test_response_has_the_documented_form(data):
    """log(gp / (k m f)) = log a + b log E + noise: OLS recovers a and b per industry."""
    frame = response_frame(data)
    for industry, part in frame.groupby("industry"):
        y = np.log(part["gross_profit"] / (part["response_scale"] * part["trajectory"]
                                           * part["active_fraction"]))
        x = np.column_stack([np.ones(len(part)), np.log(part["sales_expense"])])
        (log_a, b), *_ = np.linalg.lstsq(x, y, rcond=None)
        true = data.truth.response.loc[industry]
        assert b == pytest.approx(true["b"], abs=0.03), industry
        assert np.exp(log_a) == pytest.approx(true["a"], rel=0.35), industry
        assert 0 < true["b"] < 1


def test_response_exponent_recovered_from_observables_alone():
    """Within-customer first differences of log gp on log expense (full years only):
    the customer's level and trajectory drop out and b is recovered per industry."""
    data = make_ncompany(1000, seed=11)
    frame = response_frame(data)
    frame = frame[frame["active_fraction"] == 1].sort_values(["customer_id", "year"])
    frame = frame.assign(ly=np.log(frame["gross_profit"]), lx=np.log(frame["sales_expense"]))
    diff = frame.groupby("customer_id")[["ly", "lx"]].diff()
    diff[["customer_id", "industry"]] = frame[["customer_id", "industry"]]
    diff = diff.dropna()
    diff = diff[diff.groupby("customer_id")["ly"].transform("size") >= 2]
    within = diff[["ly", "lx"]] - diff.groupby("customer_id")[["ly", "lx"]].transform("mean")
    for industry, part in within.groupby(diff["industry"]):
        b = (part["lx"] * part["ly"]).sum() / (part["lx"] ** 2).sum()
        assert b == pytest.approx(data.truth.response.loc[industry, "b"], abs=0.05), industry


def test_sales_expense_ignores_value_and_return_on_spend_falls(data):
    se = data.sales_expense
    by_year = se.groupby("year")[["sales_expense", "revenue", "gross_profit"]].sum()
    ratio = by_year["gross_profit"] / by_year["sales_expense"]
    # the thesis' setting: sales keep growing, the input/output ratio falls
    assert by_year["revenue"].is_monotonic_increasing
    assert ratio.iloc[-1] < 0.8 * ratio.iloc[0]
    seg = data.truth.segments.set_index("customer_id")["segment"]
    spend = se.groupby(seg.reindex(se["customer_id"]).to_numpy())["sales_expense"].mean()
    profit = se.groupby(seg.reindex(se["customer_id"]).to_numpy())["gross_profit"].mean()
    assert spend.max() / spend.min() < profit.max() / profit.min() / 10


def test_the_bundled_case_shows_the_thesis_problem_every_year():
    """cases/ncompany.yaml (1,000 customers, seed 20240101, a quarter of the stable small
    customers won over the years): revenue grows every year while gross profit per yuan of
    sales expense falls every year (9.28, 5.38, 5.15, 4.83; 8.79, 5.19, 4.89, 4.74 before
    the case won customers every year, as make_ncompany(1000) still gives)."""
    se = make_ncompany(1000, seed=20240101, n_respondents=10, acquired_share=0.25).sales_expense
    by_year = se.groupby("year")[["sales_expense", "revenue", "gross_profit"]].sum()
    ratio = by_year["gross_profit"] / by_year["sales_expense"]
    assert (np.diff(by_year["revenue"]) > 0).all()
    assert (np.diff(ratio) < 0).all()
    assert (np.diff(by_year["sales_expense"]) / by_year["sales_expense"].iloc[:-1].to_numpy()
            > np.diff(by_year["gross_profit"]) / by_year["gross_profit"].iloc[:-1].to_numpy()).all()
    np.testing.assert_allclose(ratio, [9.28, 5.38, 5.15, 4.83], atol=0.005)


# --- survey ----------------------------------------------------------------------------

def test_survey_items_scale_and_links(data):
    sv = data.survey
    items = [f"{c}{i}" for c, k in ITEMS.items() for i in range(1, k + 1)]
    assert list(sv.columns) == ["respondent_id", "customer_id", *items, "recommend"]
    assert len(sv) == 300 and sv["respondent_id"].is_unique
    assert sv[items].min().min() >= 1 and sv[items].max().max() <= 7
    assert sv["recommend"].between(0, 10).all()
    assert sv["customer_id"].isin(data.customers["customer_id"]).all()
    # the reverse-coded item runs against its block
    assert sv["CUSL3"].corr(sv["CUSL1"]) < -0.3 < 0.3 < sv["CUSL2"].corr(sv["CUSL1"])
    loadings = data.truth.loadings
    assert loadings.loc[loadings["reverse_coded"], "item"].tolist() == ["CUSL3"]
    assert loadings["loading"].between(0.7, 0.9).all()


def test_satisfaction_depends_on_the_segment_and_valuable_dissatisfied_exist():
    data = make_ncompany(1000, n_respondents=1000, seed=5)
    scores = data.truth.latent_scores.merge(data.truth.segments[["customer_id", "segment"]])
    mean = scores.groupby("segment")["CUSA"].mean()
    assert mean["growing"] > mean["key_account"] > mean["declining"] > mean["churned"]
    key = scores[scores["segment"] == "key_account"]
    assert (key["CUSA"] < -0.5).sum() >= 5
    assert scores[list(NCOMPANY_CONSTRUCTS)].std().between(0.9, 1.1).all()


def pls_paths(survey: pd.DataFrame) -> dict:
    from workbench.datasets import _pls_scores, _standardised_paths

    answers = survey.copy()
    answers["CUSL3"] = 8 - answers["CUSL3"]
    blocks = {c: answers[[f"{c}{i}" for i in range(1, k + 1)]].to_numpy(float)
              for c, k in ITEMS.items()}
    edges = list(zip(*[make_ncompany(10).truth.path_coefficients[c]
                       for c in ("source", "target")], strict=True))
    return _standardised_paths(_pls_scores(blocks, edges), edges)


@pytest.mark.parametrize("nonlinear", [True, False])
def test_pls_on_a_large_survey_recovers_the_stored_paths(nonlinear):
    data = make_ncompany(600, n_respondents=3000, seed=9, nonlinear_loyalty=nonlinear)
    estimate = pls_paths(data.survey)
    truth = data.truth.path_coefficients
    for row in truth.itertuples():
        assert estimate[(row.source, row.target)] == pytest.approx(row.coefficient, abs=0.05)
    structural = data.truth.structural_path_coefficients.set_index(["source", "target"])
    assert structural.loc[("IMAG", "CUEX"), "coefficient"] == 0.5
    # PLS is attenuated: the latent paths are larger than the recoverable ones
    assert (structural["coefficient"].to_numpy() >= truth["coefficient"].to_numpy() - 0.02).all()


def hinge_slopes(satisfaction: np.ndarray, loyalty: np.ndarray, knot: float):
    x = np.column_stack([np.ones_like(satisfaction), np.minimum(satisfaction - knot, 0),
                         np.maximum(satisfaction - knot, 0)])
    coef, *_ = np.linalg.lstsq(x, loyalty, rcond=None)
    return coef[1], coef[2]


def test_loyalty_collapses_below_the_satisfaction_threshold():
    nonlinear = make_ncompany(600, n_respondents=3000, seed=4)
    link = nonlinear.truth.loyalty_link
    assert link["kind"] == "hinge" and link["slope_below"] > 2 * link["slope_above"]
    latent = nonlinear.truth.latent_scores
    below, above = hinge_slopes(latent["CUSA"].to_numpy(), latent["CUSL"].to_numpy(),
                                link["threshold"])
    assert below > 2 * above
    # also visible in the answers: CUSL item mean against CUSA item mean
    sv = nonlinear.survey
    s = sv[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1).to_numpy()
    loyal = (sv["CUSL1"] + sv["CUSL2"] + 8 - sv["CUSL3"]).to_numpy() / 3
    below, above = hinge_slopes(s, loyal, np.quantile(s, 0.3))
    assert below > 1.5 * above


def test_linear_loyalty_has_no_hinge():
    linear = make_ncompany(600, n_respondents=3000, seed=4, nonlinear_loyalty=False)
    assert linear.truth.loyalty_link["kind"] == "linear"
    latent = linear.truth.latent_scores
    below, above = hinge_slopes(latent["CUSA"].to_numpy(), latent["CUSL"].to_numpy(), -0.5)
    assert below == pytest.approx(above, rel=0.25)


# --- arguments and invariants ----------------------------------------------------------

@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_customers": 5}, "at least 10"),
        ({"n_customers": 10.5}, "must be an int"),
        ({"years": (2021, 2023, 2024)}, "consecutive"),
        ({"years": (2023, 2024)}, "at least 3"),
        ({"separation": "strong"}, "use one of"),
        ({"n_respondents": 0}, "at least 1"),
        ({"return_rate": 1.5}, r"\[0, 1\)"),
        ({"acquired_share": 1.5}, r"acquired_share=1.5: must be in \[0, 1\]"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make_ncompany(**kwargs)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(10, 120), seed=st.integers(0, 2**32 - 1),
       separation=st.sampled_from(["clear", "weak"]), n_years=st.integers(3, 5),
       acquired_share=st.sampled_from([None, 0.0, 0.25, 1.0]))
def test_invariants_hold_for_any_size_and_seed(n, seed, separation, n_years, acquired_share):
    years = tuple(range(2020, 2020 + n_years))
    data = make_ncompany(n, years=years, seed=seed, separation=separation, acquired_share=acquired_share)
    tx, se = data.transactions, data.sales_expense
    assert len(data.customers) == n
    assert set(tx["customer_id"]) == set(data.customers["customer_id"])
    assert tx["date"].dt.year.isin(years).all()
    assert (tx["amount"] < 0).eq(tx["is_return"]).all()
    sums = tx.groupby(["customer_id", tx["date"].dt.year.rename("year")])["amount"].sum()
    np.testing.assert_allclose(se.set_index(["customer_id", "year"])["revenue"]
                               .sort_index(), sums, atol=0.006)
    churn = data.truth.segments.set_index("customer_id")["churn_date"]
    last = tx.groupby("customer_id")["date"].max()
    assert not (last >= churn.reindex(last.index)).any()
    assert (se["gross_profit"] > 0).all()
    # each customer won in the years has one win, before its first contact and first order
    opp = data.opportunities
    won = opp[opp["stage"] == "closed_won"].set_index("customer_id")["stage_date"]
    customers = data.customers.set_index("customer_id")
    acquired = customers.index[customers["first_contact"] >= f"{years[0]}-01-01"]
    assert won.index.is_unique and set(won.index) == set(acquired)
    assert (won < customers["first_contact"].reindex(won.index)).all()
    assert (won < tx.groupby("customer_id")["date"].min().reindex(won.index)).all()
    stages = opp.groupby("opportunity_id")["stage_date"]
    assert (stages.apply(lambda d: d.is_monotonic_increasing)).all()  # stage dates in order


def test_every_code_has_zh_and_en_labels(data):
    from workbench.labels import LABELS

    codes = set(NCOMPANY_INDUSTRIES) | set(NCOMPANY_SEGMENTS) | set(CHURN_REASON_SHARES)
    codes |= set(CHURN_REASON_GROUPS.values())
    for column in ["region", "customer_type"]:
        codes |= set(data.customers[column])
    for column in ["product_id", "channel"]:
        codes |= set(data.transactions[column])
    codes |= set(CUSTOMER_COLUMNS) | set(EXPENSE_COLUMNS) | set(TRANSACTION_COLUMNS)
    missing = sorted(c for c in codes if c not in LABELS or set(LABELS[c]) != {"zh", "en"})
    assert missing == []


def test_more_respondents_than_customers_means_several_contacts_per_customer():
    data = make_ncompany(20, n_respondents=60, seed=2)
    assert len(data.survey) == 60 and data.survey["respondent_id"].is_unique
    assert data.survey["customer_id"].value_counts().max() > 1
    assert data.truth.latent_scores["respondent_id"].equals(data.survey["respondent_id"])


def test_tables_survive_csv_and_the_cleaning_pipeline(data, tmp_path):
    """Cases materialise the generator to CSV and read it back through io and cleaning:
    every row must be kept."""
    from workbench import cleaning, io

    for name, frame in data.tables().items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False, encoding="utf-8")
    raw = io.read_table(tmp_path / "transactions.csv")
    result = cleaning.clean_transactions(raw, start=pd.Timestamp("2021-01-01"),
                                         end=pd.Timestamp("2024-12-31"))
    assert len(result.clean) == len(data.transactions) and len(result.quarantine) == 0
    assert result.clean["is_return"].sum() == data.transactions["is_return"].sum()
    customers = cleaning.clean_customers(io.read_table(tmp_path / "customers.csv"))
    assert len(customers.clean) == len(data.customers) and len(customers.quarantine) == 0


# plspm 0.5.7 (pandas 2.3, throwaway venv), ECSI model on mobi, CUSCO renamed CUSCO1,
# items z-scored per column, Config(path_matrix, scaled=False), Mode.A, Scheme.PATH;
# Plspm(...).path_coefficients(); they agree with the estimates Tenenhaus et al. (2005) print.
PLSPM_MOBI_PATHS = [
    ("IMAG", "CUEX", 0.5049138931),
    ("CUEX", "PERQ", 0.5567489745),
    ("CUEX", "PERV", 0.0499884248),
    ("PERQ", "PERV", 0.5583043831),
    ("IMAG", "CUSA", 0.1787394554),
    ("CUEX", "CUSA", 0.0625228473),
    ("PERQ", "CUSA", 0.5120239945),
    ("PERV", "CUSA", 0.1947650946),
    ("CUSA", "CUSCO", 0.5280662525),
    ("IMAG", "CUSL", 0.1957554222),
    ("CUSA", "CUSL", 0.4854775198),
    ("CUSCO", "CUSL", 0.0669260554),
]


def test_the_pls_behind_the_stored_paths_matches_plspm_on_mobi():
    """The compact PLS-PM that computes ``truth.path_coefficients`` reproduces R/Python
    plspm on the ECSI mobi survey (Tenenhaus et al. 2005) to plspm's tolerance."""
    from workbench.datasets import _pls_scores, _standardised_paths, load_mobi

    mobi = load_mobi().drop(columns="respondent_id")
    constructs = ["IMAG", "CUEX", "PERQ", "PERV", "CUSA", "CUSCO", "CUSL"]
    blocks = {c: mobi[[i for i in mobi.columns if i.startswith(c)]].to_numpy(float)
              for c in constructs}
    edges = [(s, t) for s, t, _ in PLSPM_MOBI_PATHS]
    paths = _standardised_paths(_pls_scores(blocks, edges), edges)
    for source, target, reference in PLSPM_MOBI_PATHS:
        assert paths[(source, target)] == pytest.approx(reference, abs=1e-6)


def test_the_bundled_case_uses_the_options_the_tests_call_the_bundled_case():
    """The tests that stand for cases/ncompany.yaml call make_ncompany(1000, seed=20240101,
    acquired_share=0.25); the case file must say the same."""
    from workbench.cases import load_case

    options = load_case("ncompany").sources["transactions"]["options"]
    assert {k: options[k] for k in ("n_customers", "seed", "acquired_share")} == {
        "n_customers": 1000, "seed": 20240101, "acquired_share": 0.25}
