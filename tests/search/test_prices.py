"""Currency-aware price filters and facets on a catalog priced in dollars, yuan and euros."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llm4retail.data.currency import RateTable
from llm4retail.search.engine import SearchEngine
from llm4retail.search.prices import CurrencyColumn, CurrencySource, resolve_price_filter
from llm4retail.search.query import QueryParser
from llm4retail.search.results import SearchFilters

pytestmark = pytest.mark.unit

# The same kinds of product in three currencies; 45 USD is about 320 CNY at 0.14 USD per yuan.
MIXED = pd.DataFrame(
    [
        ("u1", "Desk Lamp LED", 45.0, "USD"),
        ("u2", "Desk Lamp Brass", 120.0, "USD"),
        ("u3", "Power Bank 10000mAh", 30.0, "USD"),
        ("c1", "LED 台灯 护眼", 320.0, "CNY"),
        ("c2", "黄铜 台灯", 880.0, "CNY"),
        ("c3", "充电宝 10000毫安", 99.0, "CNY"),
        ("c4", "充电宝 20000毫安 快充", 499.0, "CNY"),
        ("c5", "充电宝 无线 磁吸", 599.0, "CNY"),
        ("e1", "Desk Lamp Nordic", 40.0, "EUR"),
        ("n1", "Desk Lamp Basic", 20.0, None),  # no currency: the store default
    ],
    columns=["product_id", "title", "price", "currency"],
)
RATES = RateTable(default="USD", base="USD", rates={"CNY": 0.14})  # no EUR rate configured


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    return SearchEngine(semantic=False).fit(MIXED)


def _search(engine: SearchEngine, query: str, rates: RateTable | None = None, **filters: object) -> tuple[set[str], dict]:
    engine.rates = rates or RateTable()
    try:
        response = engine.search(query, top_k=20, filters=SearchFilters(**filters) if filters else None)
    finally:
        engine.rates = RateTable()
    return {hit.product_id for hit in response.hits}, response.understood["price_filter"]


def test_yuan_query_filters_yuan_prices_and_says_so(engine: SearchEngine) -> None:
    found, price = _search(engine, "充电宝 500元以下")
    assert found == {"c3", "c4"}  # 599 CNY is over; the 30 USD power bank is not compared with yuan
    assert price["currency"] == "CNY" and price["currency_source"] == "query" and not price["converted"]
    assert set(price["excluded_currencies"]) == {"USD", "EUR"} and "no exchange rate" in price["note"]


def test_dollar_query_filters_dollar_prices_including_products_in_the_default(engine: SearchEngine) -> None:
    found, price = _search(engine, "desk lamp under $50")
    assert found == {"u1", "n1"}  # 40 EUR and 320 CNY are not dollars and no rate is configured
    assert (price["max"], price["currency"], price["currency_source"]) == (50.0, "USD", "query")


def test_configured_rates_convert_and_the_response_names_them(engine: SearchEngine) -> None:
    found, price = _search(engine, "lamp 台灯 under $50", RATES)
    assert found == {"u1", "n1", "c1"}  # 320 CNY = 44.8 USD; 880 CNY = 123 USD
    assert price["converted"] and price["rates"] == {"CNY": pytest.approx(0.14)}
    assert price["excluded_currencies"] == ["EUR"] and "EUR" in price["note"]
    found, price = _search(engine, "lamp 台灯 400元以下", RATES)
    assert found == {"c1", "u1", "n1"}  # 45 USD = 321 CNY and 20 USD = 143 CNY; 120 USD = 857 CNY is over
    assert price["currency"] == "CNY" and price["rates"] == {"USD": pytest.approx(1 / 0.14)}


def test_language_and_request_choose_the_currency_when_the_query_names_none(engine: SearchEngine) -> None:
    assert _search(engine, "充电宝 500以下")[1]["currency_source"] == "language"  # Chinese, catalog has CNY
    found, price = _search(engine, "desk lamp", price_max=45, currency="EUR")
    assert found == {"e1"} and (price["currency"], price["currency_source"]) == ("EUR", "request")
    assert _search(engine, "desk lamp under 50")[1]["currency_source"] == "default"


def test_hits_and_price_facets_carry_the_currency(engine: SearchEngine) -> None:
    response = engine.search("desk lamp 台灯", top_k=20)
    assert {hit.product_id: hit.currency for hit in response.hits if hit.product_id in {"u1", "c1", "e1", "n1"}} == {
        "u1": "USD", "c1": "CNY", "e1": "EUR", "n1": "USD",
    }  # fmt: skip
    facets = {(facet["currency"], facet["value"]): facet["count"] for facet in response.facets["price"]}
    assert facets[("CNY", "250-500")] == 1 and facets[("USD", "25-50")] == 1 and facets[("EUR", "25-50")] == 1


def test_resolution_without_an_index() -> None:
    column = CurrencyColumn().appended(["GBP", "GBP", None])
    assert column.appended(["EUR"]).names == ("GBP", None, "EUR") and len(column.ids) == 3  # the old one unchanged
    parsed = QueryParser().parse("kettle under 30")
    alive = np.array([True, True, False])
    only_pounds = resolve_price_filter(None, parsed, column=column, alive=alive, rates=RateTable())
    assert only_pounds is not None and (only_pounds.currency, only_pounds.source) == ("GBP", CurrencySource.CATALOG)
    assert resolve_price_filter(None, QueryParser().parse("kettle"), column=column, alive=alive, rates=RateTable()) is None
    mask = only_pounds.mask(np.array([25.0, 35.0, 25.0]), column, rates=RateTable())
    assert mask.tolist() == [True, False, False]  # the third is in the default currency (USD): no rate to GBP
