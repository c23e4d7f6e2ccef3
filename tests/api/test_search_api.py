"""GET /search over the demo store, and the index following product writes through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import DEMO_AUTH, wait_for_search

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(demo_client: TestClient) -> TestClient:
    """The demo client once start-up training has trained search (what `serve` does when nothing is saved)."""
    wait_for_search(demo_client)
    return demo_client


def test_before_training_the_answer_is_503_naming_the_train_command(tmp_path: Path) -> None:
    from llm4retail.api.app import create_app
    from llm4retail.config import get_settings

    settings = get_settings(data_dir=tmp_path / "data", models={"train_on_start": False})
    with TestClient(create_app(settings)) as untrained:
        response = untrained.get("/search", params={"q": "sofa"})
    assert response.status_code == 503
    assert "run `llm4retail search train`" in response.json()["error"]


def test_search_understands_and_filters(client: TestClient) -> None:
    response = client.get("/search", params={"q": "grey sofa under 2000", "page_size": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["understood"]["price"] == {"min": None, "max": 2000.0, "currency": None}
    assert body["understood"]["colours"] == ["grey"]
    assert body["hits"] and all(hit["price"] <= 2000 and hit["currency"] == "USD" for hit in body["hits"])
    assert "sofa" in body["hits"][0]["title"].lower()
    assert {"category", "brand", "price", "available", "colour"} <= set(body["facets"])


def test_results_show_the_currency_and_price_filters_say_which(client: TestClient) -> None:
    """The demo store prices its Chinese listings in CNY and its English ones in USD; no rate is configured."""
    body = client.get("/search", params={"q": "沙发 5000元以下", "page_size": 20}).json()
    price = body["understood"]["price_filter"]
    assert (price["max"], price["currency"], price["currency_source"], price["converted"]) == (5000.0, "CNY", "query", False)
    assert price["excluded_currencies"] == ["USD"] and "no exchange rate" in price["note"]
    assert body["hits"] and all(hit["currency"] == "CNY" and hit["price"] <= 5000 for hit in body["hits"])
    assert {facet["currency"] for facet in body["facets"]["price"]} == {"CNY"}

    dollars = client.get("/search", params={"q": "sofa", "price_max": 700, "currency": "usd", "page_size": 20}).json()
    assert dollars["hits"] and {hit["currency"] for hit in dollars["hits"]} == {"USD"}
    assert dollars["understood"]["price_filter"]["currency_source"] == "request"
    mixed = client.get("/search", params={"q": "沙发 sofa", "page_size": 50}).json()
    assert {hit["currency"] for hit in mixed["hits"]} == {"USD", "CNY"}  # no price filter: both, each labelled
    assert client.get("/search", params={"q": "sofa", "price_max": 5, "currency": "ZZZ"}).status_code == 422



def test_chinese_query_and_paging(client: TestClient) -> None:
    first = client.get("/search", params={"q": "沙发", "page_size": 3}).json()
    second = client.get("/search", params={"q": "沙发", "page_size": 3, "page": 2}).json()
    assert first["hits"] and "沙发" in first["hits"][0]["title"]
    assert not {h["product_id"] for h in first["hits"]} & {h["product_id"] for h in second["hits"]}


def test_bad_queries_are_clear_errors_not_500(client: TestClient) -> None:
    assert client.get("/search", params={"q": "x" * 600}).status_code == 422
    assert client.get("/search", params={"q": "sofa", "page_size": 0}).status_code == 422
    assert client.get("/search", params={"q": "sofa", "price_min": -1}).status_code == 422
    empty = client.get("/search", params={"q": ""})
    assert empty.status_code == 200 and empty.json()["total"] == 0


def test_explain_and_personalisation(client: TestClient) -> None:
    body = client.get("/search", params={"q": "sofa", "explain": "true", "customer_id": "c00001"}, headers=DEMO_AUTH).json()
    assert "bm25" in body["hits"][0]["features"]


def test_index_follows_product_writes(client: TestClient, demo_auth: dict[str, str]) -> None:
    created = client.post("/products", json={"product_id": "zz1", "title": "Zanzibar quantum teapot", "price": 9.5}, headers=demo_auth)
    assert created.status_code == 201
    hits = client.get("/search", params={"q": "zanzibar teapot"}).json()["hits"]
    assert hits[0]["product_id"] == "zz1"
    client.patch("/products/zz1", json={"available": False}, headers=demo_auth)
    in_stock = client.get("/search", params={"q": "zanzibar teapot", "available": "true"}).json()["hits"]
    assert "zz1" not in [hit["product_id"] for hit in in_stock]
    assert client.delete("/products/zz1", headers=demo_auth).status_code == 204
    after = client.get("/search", params={"q": "zanzibar teapot"}).json()["hits"]
    assert "zz1" not in [hit["product_id"] for hit in after]


def test_live_changes_are_saved_as_a_new_version_on_close(client: TestClient, demo_auth: dict[str, str]) -> None:
    service = client.app.state.services.search
    service.close()  # what shutdown does: publishes the changes of the tests above, if any
    before = service.models.latest()
    service.close()
    assert service.models.latest() == before  # nothing changed since
    client.post("/products", json={"product_id": "zz2", "title": "Quokka espresso grinder"}, headers=demo_auth)
    service.close()
    assert service.models.latest() != before
    assert (service.models.path() / "model" / "arrays.npz").is_file()  # the embeddings
    assert service.models.report()["updated_from"] == before
