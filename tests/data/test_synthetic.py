"""Tests of the synthetic demo store: contract shape, determinism and known ground truth."""

from __future__ import annotations

import json
import re
import time
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from llm4retail.data.schemas import SPECS, Kind, Table
from llm4retail.data.synthetic import DemoStore, generate_demo_store
from llm4retail.errors import ConfigError

CJK = re.compile(r"[\u4e00-\u9fff]")
SMALL_SIZES = {"n_products": 300, "n_customers": 120, "n_days_sales": 200, "n_sales_products": 6}


@pytest.fixture(scope="module")
def timed_default_store() -> tuple[DemoStore, float]:
    started = time.perf_counter()
    store = generate_demo_store()
    return store, time.perf_counter() - started


@pytest.fixture(scope="module")
def store(timed_default_store: tuple[DemoStore, float]) -> DemoStore:
    return timed_default_store[0]


@pytest.fixture(scope="module")
def small_store() -> DemoStore:
    return generate_demo_store(seed=7, **SMALL_SIZES)


def language_of_products(store: DemoStore) -> pd.Series:
    products = store.tables[Table.PRODUCTS].set_index("product_id")
    return products["attributes"].map(lambda attributes: attributes["language"])


def has_kind(value: object, kind: Kind) -> bool:
    expected = {
        Kind.STRING: str,
        Kind.TEXT: str,
        Kind.JSON_OBJECT: dict,
        Kind.JSON_LIST: list,
    }[kind]
    return value is None or isinstance(value, expected)


# --- contract shape -------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize("table", list(Table))
def test_frames_have_exactly_the_spec_columns_and_unique_keys(store: DemoStore, table: Table) -> None:
    frame = store.tables[table]
    spec = SPECS[table]
    assert list(frame.columns) == spec.names
    assert len(frame) > 0
    assert not frame.duplicated(subset=list(spec.primary_key)).any()
    for column in spec.columns:
        if column.required:
            assert frame[column.name].notna().all(), f"{table.value}.{column.name} has nulls"


@pytest.mark.unit
@pytest.mark.parametrize("table", list(Table))
def test_columns_use_the_documented_representations(store: DemoStore, table: Table) -> None:
    frame = store.tables[table]
    for column in SPECS[table].columns:
        series = frame[column.name]
        if column.kind in (Kind.STRING, Kind.TEXT, Kind.JSON_OBJECT, Kind.JSON_LIST):
            assert all(has_kind(value, column.kind) for value in series), f"{table.value}.{column.name}"
        elif column.kind == Kind.FLOAT:
            assert series.dtype == np.float64, f"{table.value}.{column.name}"
        elif column.kind == Kind.INT:
            assert str(series.dtype) in ("int64", "Int64"), f"{table.value}.{column.name}"
        elif column.kind == Kind.BOOL:
            assert series.dtype == bool, f"{table.value}.{column.name}"
        elif column.kind == Kind.DATETIME:
            assert str(series.dtype) == "datetime64[ns]", f"{table.value}.{column.name}"
        elif column.kind == Kind.DATE:
            assert str(series.dtype) == "datetime64[ns]" and (series == series.dt.normalize()).all()
        minimum, maximum = getattr(column, "minimum", None), getattr(column, "maximum", None)
        values = pd.to_numeric(series.dropna(), errors="coerce") if minimum is not None or maximum is not None else None
        if values is not None:
            assert values.notna().all(), f"{table.value}.{column.name} is not numeric"
            assert minimum is None or (values >= minimum).all(), f"{table.value}.{column.name} below {minimum}"
            assert maximum is None or (values <= maximum).all(), f"{table.value}.{column.name} above {maximum}"


@pytest.mark.unit
def test_truth_is_json_serialisable(store: DemoStore) -> None:
    assert json.loads(json.dumps(store.truth)) == store.truth


@pytest.mark.unit
def test_invalid_sizes_are_refused() -> None:
    with pytest.raises(ConfigError, match="n_products must be an integer >= 20"):
        generate_demo_store(n_products=3)
    with pytest.raises(ConfigError, match="seed"):
        generate_demo_store(seed=-1)


# --- determinism and speed ---------------------------------------------------


@pytest.mark.unit
def test_same_seed_gives_identical_store(small_store: DemoStore) -> None:
    again = generate_demo_store(seed=7, **SMALL_SIZES)
    for table in Table:
        pd.testing.assert_frame_equal(small_store.tables[table], again.tables[table])
    assert again.truth == small_store.truth


@pytest.mark.unit
def test_different_seed_gives_different_store(small_store: DemoStore) -> None:
    other = generate_demo_store(seed=8, **SMALL_SIZES)
    for table in (Table.PRODUCTS, Table.EVENTS, Table.SALES, Table.REVIEWS, Table.PAYMENTS, Table.UTTERANCES):
        assert not small_store.tables[table].equals(other.tables[table]), table


@pytest.mark.unit
def test_generation_at_defaults_is_fast(timed_default_store: tuple[DemoStore, float]) -> None:
    assert timed_default_store[1] < 15.0


# --- catalog, customers, behaviour -------------------------------------------


@pytest.mark.unit
def test_products_are_bilingual_with_consistent_currency_and_attributes(store: DemoStore) -> None:
    products = store.tables[Table.PRODUCTS]
    chinese = products["attributes"].map(lambda attributes: attributes["language"] == "zh")
    assert 0.3 < chinese.mean() < 0.5
    assert products.loc[chinese, "title"].map(lambda title: bool(CJK.search(title))).all()
    assert not products.loc[~chinese, "title"].map(lambda title: bool(CJK.search(title))).any()
    assert (products["currency"] == np.where(chinese, "CNY", "USD")).all()
    assert 0.9 < products["available"].mean() < 0.99
    assert products["category"].str.count(" > ").eq(2).all()
    top_category = products["category"].str.split(" > ").str[0]
    described = products["attributes"].map(lambda attributes: tuple(sorted(set(attributes) - {"stock"})))
    keys = described.groupby(top_category).agg(set)
    assert keys.map(len).eq(1).all()
    stocked = set(products.loc[products["attributes"].map(lambda attributes: "stock" in attributes), "product_id"])
    assert stocked == set(store.tables[Table.SALES]["product_id"])  # every sales product has a stock level
    assert products["category"].str.split(" > ").str[0].nunique() == 8


@pytest.mark.unit
def test_events_follow_the_funnel_and_are_ordered(store: DemoStore) -> None:
    events = store.tables[Table.EVENTS]
    assert 60_000 <= len(events) <= 100_000
    counts = events["event_type"].value_counts()
    assert 0.08 < counts["add_to_cart"] / counts["view"] < 0.18
    assert 0.2 < counts["purchase"] / counts["add_to_cart"] < 0.45
    ordered = events.sort_values(["customer_id", "seq"])
    assert (ordered.groupby("customer_id")["seq"].diff().dropna() == 1).all()
    assert (ordered.groupby("customer_id")["timestamp"].diff().dropna() > pd.Timedelta(0)).all()
    assert events["timestamp"].max() < pd.Timestamp("2026-11-01")
    assert (events["order_id"].notna() == (events["event_type"] == "purchase")).all()


@pytest.mark.unit
def test_views_follow_customer_tastes(store: DemoStore) -> None:
    events = store.tables[Table.EVENTS]
    top_of_product = store.tables[Table.PRODUCTS].set_index("product_id")["category"].str.split(" > ").str[0]
    favourite = {customer: taste["top_category"] for customer, taste in store.truth["customer_tastes"].items()}
    views = events[events["event_type"] == "view"]
    in_favourite = views["product_id"].map(top_of_product) == views["customer_id"].map(favourite)
    assert in_favourite.mean() > 0.4  # eight categories: 0.125 without tastes


@pytest.mark.unit
def test_order_totals_and_lines_match_purchase_events(store: DemoStore) -> None:
    orders = store.tables[Table.ORDERS]
    events = store.tables[Table.EVENTS]
    line_totals = orders["lines"].map(lambda lines: sum(line["quantity"] * line["unit_price"] for line in lines))
    assert np.allclose(orders["total"], line_totals, atol=0.01)
    from_lines = Counter(
        (order_id, line["product_id"], float(line["quantity"]), line["unit_price"])
        for order_id, lines in zip(orders["order_id"], orders["lines"])
        for line in lines
    )
    purchases = events[events["event_type"] == "purchase"]
    from_events = Counter(
        zip(purchases["order_id"], purchases["product_id"], purchases["quantity"], purchases["price"])
    )
    assert from_lines == from_events
    buyer = dict(zip(orders["order_id"], orders["customer_id"]))
    assert (purchases["order_id"].map(buyer) == purchases["customer_id"]).all()


@pytest.mark.unit
def test_order_status_and_tracking_follow_age_and_currency(store: DemoStore) -> None:
    orders = store.tables[Table.ORDERS]
    old = orders["created_at"] < pd.Timestamp("2026-10-01")
    assert orders.loc[old, "status"].isin(["delivered", "returned", "cancelled"]).all()
    assert (orders.loc[old, "status"] == "delivered").mean() > 0.8
    shipped = orders["status"].isin(["shipped", "delivered", "returned"])
    assert (orders["tracking_code"].notna() == shipped).all()
    codes = orders[shipped]
    assert (codes["tracking_code"].str.startswith("SF") == (codes["currency"] == "CNY")).all()


# --- reviews --------------------------------------------------------------


@pytest.mark.unit
def test_review_text_agrees_with_rating_and_language(store: DemoStore) -> None:
    reviews = store.tables[Table.REVIEWS]
    assert len(reviews) >= 1500
    positive = reviews[reviews["label"] == 1]
    negative = reviews[reviews["label"] == 0]
    assert positive["rating"].mean() > negative["rating"].mean()
    assert (reviews["label"].isna() == (reviews["rating"] == 3)).all()
    has_cjk = reviews["text"].map(lambda text: bool(CJK.search(text)))
    assert not has_cjk[reviews["language"] == "en"].any()
    assert has_cjk[reviews["language"] == "zh"].all()
    product_language = language_of_products(store)
    assert (reviews["product_id"].map(product_language) == reviews["language"]).all()


@pytest.mark.unit
def test_reviews_by_customers_follow_their_orders(store: DemoStore) -> None:
    reviews = store.tables[Table.REVIEWS].dropna(subset=["customer_id"])
    assert len(reviews) > 0
    orders = store.tables[Table.ORDERS]
    first_bought: dict[tuple[str, str], pd.Timestamp] = {}
    for customer, created, lines in zip(orders["customer_id"], orders["created_at"], orders["lines"]):
        for line in lines:
            key = (customer, line["product_id"])
            first_bought[key] = min(created, first_bought.get(key, created))
    for customer, product, created in zip(reviews["customer_id"], reviews["product_id"], reviews["created_at"]):
        assert created > first_bought[(customer, product)]


@pytest.mark.unit
def test_review_ratings_follow_product_quality(store: DemoStore) -> None:
    reviews = store.tables[Table.REVIEWS]
    quality = reviews["product_id"].map(store.truth["product_quality"])
    assert np.corrcoef(quality, reviews["rating"])[0, 1] > 0.3


# --- documents, sales, payments --------------------------------------------


@pytest.mark.unit
def test_documents_state_the_policy_numbers_in_both_languages(store: DemoStore) -> None:
    documents = store.tables[Table.DOCUMENTS].set_index("doc_id")
    assert 20 <= len(documents) <= 30
    assert set(documents["language"]) == {"en", "zh"}
    for key, value in store.truth["policies"].items():
        topic = store.truth["policy_topics"][key]
        for language in ("en", "zh"):
            assert str(value) in documents.loc[f"kb-{topic}-{language}", "text"], f"{key} in {topic}-{language}"


@pytest.mark.unit
def test_sales_regression_recovers_the_price_elasticity(store: DemoStore) -> None:
    sales = store.tables[Table.SALES]
    truth = store.truth["price_elasticity"]
    assert sales["product_id"].nunique() == 60 == len(truth)
    assert sales.groupby("product_id").size().eq(730).all()
    assert sales["date"].max() == pd.Timestamp("2026-10-31")
    regular = sales[sales["open"] & ~sales["on_promotion"]]
    estimates, true_values = [], []
    for product_id, series in regular.groupby("product_id"):
        design = np.column_stack([np.ones(len(series)), np.log(series["price"])])
        coefficients = np.linalg.lstsq(design, np.log(series["quantity"] + 1.0), rcond=None)[0]
        estimates.append(coefficients[1])
        true_values.append(truth[product_id])
    estimates_array, truth_array = np.array(estimates), np.array(true_values)
    assert (estimates_array < 0).mean() >= 0.9
    assert abs(estimates_array.mean() - truth_array.mean()) < 0.35
    assert np.corrcoef(estimates_array, truth_array)[0, 1] > 0.5


@pytest.mark.unit
def test_sales_promotions_closures_and_weekly_peak(store: DemoStore) -> None:
    sales = store.tables[Table.SALES]
    assert 0.04 < sales["on_promotion"].mean() < 0.12
    closed = sales[~sales["open"]]
    assert len(closed) > 0 and (closed["quantity"] == 0).all()
    open_days = sales[sales["open"]]
    weekend = open_days["date"].dt.dayofweek >= 5
    assert open_days.loc[weekend, "quantity"].mean() > open_days.loc[~weekend, "quantity"].mean()
    promoted = open_days.groupby("on_promotion")["quantity"].mean()
    assert promoted[True] > promoted[False]


@pytest.mark.unit
def test_payments_fraud_rate_and_night_pattern(store: DemoStore) -> None:
    payments = store.tables[Table.PAYMENTS]
    orders = store.tables[Table.ORDERS]
    rate = payments["label"].mean()
    assert 0.01 <= rate <= 0.05
    assert store.truth["fraud_rate"] == pytest.approx(rate, abs=1e-4)
    assert payments["order_id"].dropna().is_unique and set(payments["order_id"].dropna()) == set(orders["order_id"])
    features = pd.DataFrame(payments["features"].tolist())
    night = features["hour"] < 6
    assert payments.loc[night, "label"].mean() > 2 * payments.loc[~night, "label"].mean()
    assert features.groupby(payments["label"])["new_device"].mean()[1] > 0.5
    assert features.map(lambda value: isinstance(value, (int, float))).all().all()


# --- evaluation sets ---------------------------------------------------------


@pytest.mark.unit
def test_queries_have_graded_judgements_in_their_language(store: DemoStore) -> None:
    queries = store.tables[Table.QUERIES]
    judgements = store.tables[Table.JUDGEMENTS]
    assert 180 <= len(queries) <= 220
    per_query = judgements.groupby("query_id")
    assert per_query.size().between(5, 30).all()
    assert per_query["grade"].max().eq(2).all()
    assert set(judgements["query_id"]) == set(queries["query_id"])
    product_language = language_of_products(store)
    query_language = queries.set_index("query_id")["language"]
    assert (judgements["product_id"].map(product_language) == judgements["query_id"].map(query_language)).all()
    assert queries.loc[queries["language"] == "zh", "query"].map(lambda text: bool(CJK.search(text))).all()


@pytest.mark.unit
def test_utterances_cover_every_intent_in_both_languages(store: DemoStore) -> None:
    utterances = store.tables[Table.UTTERANCES]
    assert len(utterances) == 600
    assert utterances["intent"].nunique() == 12
    assert 0.35 < (utterances["language"] == "zh").mean() < 0.65
    has_cjk = utterances["text"].map(lambda text: bool(CJK.search(text)))
    assert not has_cjk[utterances["language"] == "en"].any()
    mentioned = set(utterances["text"].str.findall(r"o\d{6}").sum())
    assert mentioned and mentioned <= set(store.tables[Table.ORDERS]["order_id"])
    assert utterances["text"].nunique() > 0.9 * len(utterances)
