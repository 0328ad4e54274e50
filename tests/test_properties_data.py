"""Invariants of the path from a file to customer features, RFM and ABC classes.

Features do not depend on the order of the rows or on the file being cleaned in two
parts; RFM and ABC classes do not depend on the currency unit; a new customer does not
change another customer's recency or frequency.
"""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.cleaning import clean_transactions
from workbench.features import customer_features
from workbench.value import abc_classes, rfm_eight_classes, rfm_scores

AS_OF = pd.Timestamp("2024-12-31")


@st.composite
def raw_orders(draw, min_rows=1, max_rows=40):
    """Raw text rows with unique order ids: customers C0..C7, 2024 dates, cent amounts."""
    n = draw(st.integers(min_rows, max_rows))
    customers = draw(st.lists(st.integers(0, 7), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 365), min_size=n, max_size=n))
    cents = draw(st.lists(st.integers(-5_000, 500_000), min_size=n, max_size=n))
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    return pd.DataFrame({
        "customer_id": [f"C{c}" for c in customers],
        "order_id": [f"O{i}" for i in range(n)],
        "date": dates.strftime("%Y-%m-%d"),
        "amount": [f"{c / 100:.2f}" for c in cents],
    }, dtype=object)


def features_of(raw: pd.DataFrame) -> pd.DataFrame:
    clean = clean_transactions(raw, start="2024-01-01", end="2024-12-31", today="2025-01-01").clean
    return customer_features(clean, AS_OF)


@settings(max_examples=25, deadline=None)
@given(raw_orders(), st.randoms(use_true_random=False))
def test_features_do_not_depend_on_row_order(raw, random):
    order = list(range(len(raw)))
    random.shuffle(order)
    pd.testing.assert_frame_equal(features_of(raw), features_of(raw.iloc[order]))


@settings(max_examples=25, deadline=None)
@given(raw_orders(min_rows=2), st.data())
def test_features_are_the_same_when_the_file_is_cleaned_in_two_parts(raw, data):
    cut = data.draw(st.integers(1, len(raw) - 1))
    whole = clean_transactions(raw, today="2025-01-01").clean
    parts = pd.concat([clean_transactions(raw.iloc[:cut], today="2025-01-01").clean,
                       clean_transactions(raw.iloc[cut:], today="2025-01-01").clean],
                      ignore_index=True)
    # the outlier flag is a property of the whole file, not of a row
    pd.testing.assert_frame_equal(customer_features(whole, AS_OF), customer_features(parts, AS_OF))


def _classes(features: pd.DataFrame) -> pd.DataFrame:
    rfm = rfm_scores(features).set_index("customer_id")[["r_score", "f_score", "m_score", "segment"]]
    eight = rfm_eight_classes(features).customers.set_index("customer_id")["rfm_class"]
    positive = features[features["monetary_total"] > 0]
    abc = (abc_classes(positive).set_index("customer_id")["abc_class"] if len(positive)
           else pd.Series(dtype=object, name="abc_class"))
    return rfm.join(eight).join(abc).sort_index()


@settings(max_examples=25, deadline=None)
@given(raw_orders(min_rows=3), st.sampled_from([10, 100, 1000, 7]))
def test_rfm_and_abc_classes_do_not_change_with_the_currency_unit(raw, factor):
    features = features_of(raw)
    rescaled = raw.assign(amount=[f"{float(a) * factor:.2f}" for a in raw["amount"]])
    pd.testing.assert_frame_equal(_classes(features), _classes(features_of(rescaled)))


@settings(max_examples=25, deadline=None)
@given(raw_orders(), raw_orders())
def test_a_new_customer_never_changes_another_customers_recency_or_frequency(raw, extra):
    extra = extra.assign(customer_id="NEW", order_id=[f"N{i}" for i in range(len(extra))])
    before = features_of(raw).set_index("customer_id")[["recency_days", "frequency"]]
    after = features_of(pd.concat([raw, extra], ignore_index=True)).set_index("customer_id")
    pd.testing.assert_frame_equal(before, after.loc[before.index, ["recency_days", "frequency"]])
    assert np.isfinite(after.loc["NEW", "recency_days"]) or after.loc["NEW", "frequency"] == 0


def test_a_tie_in_money_stays_a_tie_in_another_currency_unit():
    """Found by the property above: 0.01 + 0.02 ties 0.03, but 0.1 + 0.2 is 0.30000000000000004
    and outranked 0.3, so ten times the amounts swapped the two customers' M scores."""
    for factor in (1, 10):
        features = pd.DataFrame({"customer_id": ["C0", "C1"], "recency_days": [1.0, 1.0], "frequency": [2, 1],
                                 "monetary_total": [0.01 * factor + 0.02 * factor, 0.03 * factor]})
        assert rfm_scores(features)["m_score"].tolist() == [1, 3], factor
