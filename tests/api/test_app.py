"""Tests of the REST API built by `create_app`: health, CRUD, listing, auth, validation, bulk and events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from llm4retail.api.app import create_app
from llm4retail.config import get_settings

pytestmark = pytest.mark.unit

API_KEY = "abcdefghij0123456789"
AUTH = {"X-API-Key": API_KEY}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(get_settings(data_dir=tmp_path / "data", api_keys=API_KEY))
    with TestClient(app) as test_client:
        yield test_client


def _product(product_id: str, **fields: Any) -> dict[str, Any]:
    return {"product_id": product_id, "title": f"Product {product_id}", **fields}


def _total(client: TestClient, path: str = "/products") -> int:
    headers = {} if path == "/products" else AUTH  # customers, orders and events are not public
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.json()["total"]


# --- health -----------------------------------------------------------------------------------------


def test_health_and_ready_answer(client: TestClient) -> None:
    health = client.get("/health")
    ready = client.get("/ready")

    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert "sqlite" in ready.json()["store"]
    assert ready.json()["schema"] == {"revision": None, "head": "0003"}  # a new embedded store: never migrated


def test_ready_shows_the_schema_revision_after_an_upgrade(tmp_path: Path) -> None:
    from llm4retail.data.migrate import upgrade
    from llm4retail.data.store import Store

    settings = get_settings(data_dir=tmp_path / "data", models={"train_on_start": False})
    upgrade(Store.from_settings(settings))
    with TestClient(create_app(settings)) as client:
        assert client.get("/ready").json()["schema"] == {"revision": "0003", "head": "0003"}


# --- products CRUD ----------------------------------------------------------------------------------


def test_create_then_get_returns_the_same_fields(client: TestClient) -> None:
    body = _product(
        "p1",
        description="A red mug",
        category="Home > Kitchen > Mugs",
        brand="Acme",
        price=9.5,
        currency="EUR",
        attributes={"colour": "red", "size_ml": 300},
        available=False,
        created_at="2024-03-01T12:30:00",
    )

    created = client.post("/products", json=body, headers=AUTH)
    fetched = client.get("/products/p1")

    assert created.status_code == 201
    assert fetched.status_code == 200
    assert created.json() == fetched.json()
    expected = body | {"created_at": "2024-03-01T12:30:00Z"}  # instants are answered in UTC with their offset
    for name, value in expected.items():
        assert fetched.json()[name] == value, name


def test_create_fills_contract_defaults(client: TestClient) -> None:
    created = client.post("/products", json=_product("p1"), headers=AUTH)

    assert created.status_code == 201
    assert created.json()["available"] is True
    assert created.json()["price"] is None
    assert created.json()["currency"] == "USD"  # every product shows a currency: its own, else currency.default


def test_products_show_their_currency_or_the_configured_default(tmp_path: Path) -> None:
    settings = get_settings(data_dir=tmp_path / "data", api_keys=API_KEY, currency={"default": "CNY"})
    with TestClient(create_app(settings)) as shop:
        shop.post("/products/bulk", json=[_product("p1", price=5.0), _product("p2", price=2.0, currency="eur")], headers=AUTH)
        listed = {row["product_id"]: row["currency"] for row in shop.get("/products").json()["items"]}
        assert listed == {"p1": "CNY", "p2": "EUR"} and shop.get("/products/p1").json()["currency"] == "CNY"


def test_duplicate_create_is_409_and_keeps_the_first(client: TestClient) -> None:
    client.post("/products", json=_product("p1", price=1.0), headers=AUTH)

    duplicate = client.post("/products", json=_product("p1", price=2.0), headers=AUTH)

    assert duplicate.status_code == 409
    assert "p1" in duplicate.json()["error"]
    assert "already exists" in duplicate.json()["error"]
    assert client.get("/products/p1").json()["price"] == 1.0


def test_patch_changes_only_the_given_fields(client: TestClient) -> None:
    client.post("/products", json=_product("p1", brand="Acme", price=10.0, category="Mugs"), headers=AUTH)

    patched = client.patch("/products/p1", json={"price": 12.5}, headers=AUTH)

    assert patched.status_code == 200
    fetched = client.get("/products/p1").json()
    assert fetched["price"] == 12.5
    assert fetched["brand"] == "Acme"
    assert fetched["category"] == "Mugs"
    assert fetched["title"] == "Product p1"
    assert patched.json() == fetched


def test_patch_cannot_change_the_key(client: TestClient) -> None:
    client.post("/products", json=_product("p1"), headers=AUTH)

    response = client.patch("/products/p1", json={"product_id": "p2"}, headers=AUTH)

    assert response.status_code == 422
    assert "product_id" in response.json()["error"]
    assert client.get("/products/p2").status_code == 404


@pytest.mark.parametrize(
    ("method", "body"),
    [("get", None), ("patch", {"price": 1.0}), ("delete", None)],
)
def test_missing_id_is_404(client: TestClient, method: str, body: dict[str, Any] | None) -> None:
    kwargs: dict[str, Any] = {"headers": AUTH}
    if body is not None:
        kwargs["json"] = body

    response = client.request(method.upper(), "/products/nope", **kwargs)

    assert response.status_code == 404
    assert "nope" in response.json()["error"]
    assert "not found" in response.json()["error"]


def test_delete_then_get_is_404(client: TestClient) -> None:
    client.post("/products", json=_product("p1"), headers=AUTH)

    deleted = client.delete("/products/p1", headers=AUTH)

    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.get("/products/p1").status_code == 404
    assert client.delete("/products/p1", headers=AUTH).status_code == 404


# --- listing ----------------------------------------------------------------------------------------


@pytest.fixture
def catalog(client: TestClient) -> TestClient:
    rows = [
        _product("p1", brand="Acme", category="Mugs", available=True),
        _product("p2", brand="Acme", category="Plates", available=False),
        _product("p3", brand="Bolt", category="Mugs", available=True),
        _product("p4", brand="Bolt", category="Mugs", available=False),
        _product("p5", brand="Core", category="Plates", available=True),
    ]
    response = client.post("/products/bulk", json=rows, headers=AUTH)
    assert response.status_code == 200
    return client


def test_listing_pages_in_key_order_with_total(catalog: TestClient) -> None:
    first = catalog.get("/products", params={"limit": 2, "offset": 0}).json()
    second = catalog.get("/products", params={"limit": 2, "offset": 2}).json()
    last = catalog.get("/products", params={"limit": 2, "offset": 4}).json()
    beyond = catalog.get("/products", params={"limit": 2, "offset": 10}).json()

    assert [item["product_id"] for item in first["items"]] == ["p1", "p2"]
    assert [item["product_id"] for item in second["items"]] == ["p3", "p4"]
    assert [item["product_id"] for item in last["items"]] == ["p5"]
    assert beyond["items"] == []
    assert {page["total"] for page in (first, second, last, beyond)} == {5}
    assert (second["limit"], second["offset"]) == (2, 2)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"brand": "Acme"}, ["p1", "p2"]),
        ({"category": "Mugs"}, ["p1", "p3", "p4"]),
        ({"available": "false"}, ["p2", "p4"]),
        ({"available": "true", "category": "Mugs"}, ["p1", "p3"]),
        ({"brand": "Nobody"}, []),
    ],
)
def test_listing_filters(catalog: TestClient, params: dict[str, str], expected: list[str]) -> None:
    page = catalog.get("/products", params=params).json()

    assert [item["product_id"] for item in page["items"]] == expected
    assert page["total"] == len(expected)


def test_filtered_total_counts_all_pages(catalog: TestClient) -> None:
    page = catalog.get("/products", params={"category": "Mugs", "limit": 1}).json()

    assert len(page["items"]) == 1
    assert page["total"] == 3


@pytest.mark.parametrize("params", [{"limit": 1001}, {"limit": 0}, {"offset": -1}, {"available": "maybe"}])
def test_listing_rejects_bad_paging_and_filters(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get("/products", params=params)

    assert response.status_code == 422
    assert next(iter(params)) in response.json()["error"]


def test_limit_above_page_size_limit_message_names_the_limit(client: TestClient) -> None:
    response = client.get("/products", params={"limit": 5000})

    assert response.status_code == 422
    assert "1000" in response.json()["error"]
    assert client.get("/products", params={"limit": 1000}).status_code == 200


# --- authentication ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "needs credentials"), ({"X-API-Key": "wrong-key-0123456789"}, "invalid, revoked or expired API key")],
)
def test_writes_need_the_right_key(client: TestClient, headers: dict[str, str], message: str) -> None:
    client.post("/products", json=_product("p1"), headers=AUTH)

    attempts = [
        client.post("/products", json=_product("p2"), headers=headers),
        client.post("/products/bulk", json=[_product("p3")], headers=headers),
        client.patch("/products/p1", json={"price": 5.0}, headers=headers),
        client.delete("/products/p1", headers=headers),
        client.post("/events", json=[{"customer_id": "c1", "product_id": "p1"}], headers=headers),
    ]

    for response in attempts:
        assert response.status_code == 401, response.request.url
        assert message in response.json()["error"]
    assert _total(client) == 1
    assert client.get("/products/p1").json()["price"] is None
    assert _total(client, "/events") == 0


def test_reads_need_no_key(client: TestClient) -> None:
    client.post("/products", json=_product("p1"), headers=AUTH)

    assert client.get("/products").status_code == 200
    assert client.get("/products/p1").status_code == 200


def test_no_configured_key_refuses_writes(tmp_path: Path) -> None:
    app = create_app(get_settings(data_dir=tmp_path / "data"))

    with TestClient(app) as client:
        response = client.post("/products", json=_product("p1"), headers=AUTH)
        total = _total(client)

    assert response.status_code == 401
    assert "LLM4RETAIL_API_KEYS" in response.json()["error"]
    assert total == 0


# --- payload validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_product("p9", price="abc"), "price"),
        (_product("p9", colour="red"), "colour"),
        ({"product_id": "p9", "price": 1.0}, "title"),
        ({"title": "No key"}, "product_id"),
        (_product("p9", available="perhaps"), "available"),
        (_product("p9", attributes=["not", "an", "object"]), "attributes"),
        (_product("p9", created_at="yesterday"), "created_at"),
    ],
)
def test_malformed_create_is_422_naming_the_field_and_writes_nothing(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    client.post("/products", json=_product("p1"), headers=AUTH)
    before = _total(client)

    response = client.post("/products", json=body, headers=AUTH)

    assert response.status_code == 422
    assert field in response.json()["error"]
    assert any(item["field"].endswith(field) for item in response.json()["fields"])
    assert _total(client) == before == 1


def test_body_that_is_not_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/products", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert _total(client) == 0


def test_malformed_patch_is_422_and_changes_nothing(client: TestClient) -> None:
    client.post("/products", json=_product("p1", price=3.0), headers=AUTH)

    response = client.patch("/products/p1", json={"price": "abc"}, headers=AUTH)

    assert response.status_code == 422
    assert "price" in response.json()["error"]
    assert client.get("/products/p1").json()["price"] == 3.0


# --- bulk -------------------------------------------------------------------------------------------


def test_bulk_with_one_bad_row_writes_nothing_then_fixed_batch_writes_all(client: TestClient) -> None:
    batch = [_product("b1", price=1.0), _product("b2", price="abc"), _product("b3", price=3.0)]

    rejected = client.post("/products/bulk", json=batch, headers=AUTH)

    assert rejected.status_code == 422
    assert "body.1.price" in rejected.json()["error"]  # names the row and the field
    assert _total(client) == 0

    batch[1]["price"] = 2.0
    accepted = client.post("/products/bulk", json=batch, headers=AUTH)

    assert accepted.status_code == 200
    assert accepted.json() == {"written": 3}
    assert _total(client) == 3
    assert client.get("/products/b2").json()["price"] == 2.0


def test_bulk_repost_upserts(client: TestClient) -> None:
    batch = [_product("b1", price=1.0), _product("b2", price=2.0)]
    client.post("/products/bulk", json=batch, headers=AUTH)

    batch[0]["price"] = 10.0
    again = client.post("/products/bulk", json=batch, headers=AUTH)

    assert again.status_code == 200
    assert _total(client) == 2
    assert client.get("/products/b1").json()["price"] == 10.0


def test_bulk_repeated_key_in_one_batch_keeps_the_last(client: TestClient) -> None:
    batch = [_product("b1", price=1.0), _product("b1", price=5.0)]

    response = client.post("/products/bulk", json=batch, headers=AUTH)

    assert response.json() == {"written": 1}
    assert client.get("/products/b1").json()["price"] == 5.0


def test_empty_bulk_is_422(client: TestClient) -> None:
    response = client.post("/products/bulk", json=[], headers=AUTH)

    assert response.status_code == 422
    assert "empty" in response.json()["error"]


# --- customers and orders ---------------------------------------------------------------------------


def test_customers_create_get_and_filter(client: TestClient) -> None:
    for customer_id, segment, country in [("c1", "vip", "FR"), ("c2", "new", "FR"), ("c3", "vip", "CN")]:
        body = {"customer_id": customer_id, "segment": segment, "country": country, "attributes": {"age": 30}}
        assert client.post("/customers", json=body, headers=AUTH).status_code == 201

    fetched = client.get("/customers/c1", headers=AUTH)
    vip = client.get("/customers", params={"segment": "vip"}, headers=AUTH).json()
    french_vip = client.get("/customers", params={"segment": "vip", "country": "FR"}, headers=AUTH).json()

    assert fetched.status_code == 200
    assert fetched.json()["attributes"] == {"age": 30}
    assert [item["customer_id"] for item in vip["items"]] == ["c1", "c3"]
    assert [item["customer_id"] for item in french_vip["items"]] == ["c1"]
    assert client.get("/customers/c9", headers=AUTH).status_code == 404


def _order(order_id: str, customer_id: str, status: str) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "created_at": "2024-02-01T09:00:00",
        "status": status,
        "lines": [{"product_id": "p1", "quantity": 2, "unit_price": 4.5}],
        "total": 9.0,
    }


def test_orders_create_get_and_filter(client: TestClient) -> None:
    for order_id, customer_id, status in [("o1", "c1", "shipped"), ("o2", "c1", "paid"), ("o3", "c2", "shipped")]:
        assert client.post("/orders", json=_order(order_id, customer_id, status), headers=AUTH).status_code == 201

    fetched = client.get("/orders/o1", headers=AUTH).json()
    by_customer = client.get("/orders", params={"customer_id": "c1"}, headers=AUTH).json()
    shipped = client.get("/orders", params={"status": "shipped"}, headers=AUTH).json()
    both = client.get("/orders", params={"customer_id": "c1", "status": "shipped"}, headers=AUTH).json()

    assert fetched["lines"] == [{"product_id": "p1", "quantity": 2, "unit_price": 4.5}]
    assert fetched["created_at"] == "2024-02-01T09:00:00Z"
    assert [item["order_id"] for item in by_customer["items"]] == ["o1", "o2"]
    assert by_customer["total"] == 2
    assert [item["order_id"] for item in shipped["items"]] == ["o1", "o3"]
    assert [item["order_id"] for item in both["items"]] == ["o1"]


def test_order_without_required_status_is_422(client: TestClient) -> None:
    body = _order("o1", "c1", "paid")
    del body["status"]

    response = client.post("/orders", json=body, headers=AUTH)

    assert response.status_code == 422
    assert "status" in response.json()["error"]
    assert _total(client, "/orders") == 0


# --- events -----------------------------------------------------------------------------------------


def _events(client: TestClient, **params: str) -> list[dict[str, Any]]:
    response = client.get("/events", params=params, headers=AUTH)
    assert response.status_code == 200
    return response.json()["items"]


def test_event_batch_is_accepted_with_written_count(client: TestClient) -> None:
    batch = [
        {"event_id": "e1", "customer_id": "c1", "product_id": "p1", "event_type": "view", "timestamp": "2024-01-01T10:00:00"},
        {"event_id": "e2", "customer_id": "c1", "product_id": "p2", "timestamp": "2024-01-01T10:05:00"},
        {"event_id": "e3", "customer_id": "c2", "product_id": "p1", "seq": 4},
    ]

    response = client.post("/events", json=batch, headers=AUTH)

    assert response.status_code == 200
    assert response.json() == {"written": 3}
    assert [event["event_id"] for event in _events(client, customer_id="c1")] == ["e1", "e2"]
    assert [event["event_id"] for event in _events(client, customer_id="c2")] == ["e3"]
    assert [event["event_id"] for event in _events(client, event_type="view")] == ["e1"]
    assert client.get("/events/e2", headers=AUTH).json()["event_type"] == "purchase"  # the contract default
    assert client.get("/events/e3", headers=AUTH).json()["timestamp"] is None  # a seq is enough


def test_events_without_timestamp_get_the_receipt_time_and_an_id(client: TestClient) -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    response = client.post("/events", json=[{"customer_id": "c1", "product_id": "p1"}] * 2, headers=AUTH)

    after = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=1)
    events = _events(client, customer_id="c1")
    assert response.json() == {"written": 2}
    assert len(events) == 2
    assert len({event["event_id"] for event in events}) == 2
    for event in events:
        stamp = dt.datetime.fromisoformat(event["timestamp"])
        assert stamp.utcoffset() == dt.timedelta(0)  # stored naive UTC, answered with its offset
        assert before <= stamp.replace(tzinfo=None) <= after


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2024-01-01T10:00:00+08:00", "2024-01-01T02:00:00Z"),
        ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"),
        ("2024-01-01T01:00:00-05:00", "2024-01-01T06:00:00Z"),
        ("2024-01-01T10:00:00", "2024-01-01T10:00:00Z"),
    ],
)
def test_event_timestamp_is_stored_as_utc(client: TestClient, given: str, stored: str) -> None:
    client.post("/events", json=[{"event_id": "e1", "customer_id": "c1", "product_id": "p1", "timestamp": given}], headers=AUTH)

    assert client.get("/events/e1", headers=AUTH).json()["timestamp"] == stored


def test_reposting_the_same_event_id_does_not_duplicate(client: TestClient) -> None:
    batch = [
        {"event_id": "e1", "customer_id": "c1", "product_id": "p1", "timestamp": "2024-01-01T10:00:00"},
        {"event_id": "e2", "customer_id": "c1", "product_id": "p2", "timestamp": "2024-01-01T11:00:00"},
    ]
    client.post("/events", json=batch, headers=AUTH)

    again = client.post("/events", json=batch + [batch[0]], headers=AUTH)

    assert again.status_code == 200
    assert _total(client, "/events") == 2


def test_event_batch_with_one_bad_event_writes_nothing(client: TestClient) -> None:
    batch = [
        {"event_id": "e1", "customer_id": "c1", "product_id": "p1"},
        {"event_id": "e2", "product_id": "p2"},
    ]

    response = client.post("/events", json=batch, headers=AUTH)

    assert response.status_code == 422
    assert "customer_id" in response.json()["error"]
    assert _total(client, "/events") == 0


def test_empty_event_batch_is_422(client: TestClient) -> None:
    response = client.post("/events", json=[], headers=AUTH)

    assert response.status_code == 422
    assert "empty" in response.json()["error"]


def test_events_are_read_only_per_id(client: TestClient) -> None:
    assert client.delete("/events/e1", headers=AUTH).status_code == 405
    assert client.patch("/events/e1", json={"seq": 1}, headers=AUTH).status_code == 405


# --- docs -------------------------------------------------------------------------------------------


def test_docs_and_openapi_describe_auth_and_filters(client: TestClient) -> None:
    docs = client.get("/docs")
    openapi = client.get("/openapi.json")

    assert docs.status_code == 200
    assert openapi.status_code == 200
    spec = openapi.json()
    schemes = spec["components"]["securitySchemes"].values()
    assert {"type": "apiKey", "in": "header", "name": "X-API-Key"}.items() <= next(iter(schemes)).items()
    listing = spec["paths"]["/products"]["get"]
    assert {"category", "brand", "available", "limit", "offset"} <= {p["name"] for p in listing["parameters"]}
    create = spec["paths"]["/products"]["post"]
    assert create.get("security"), "writes must declare the API key"
    assert {} in listing["security"], "public reads declare that credentials are optional"
    assert {} not in spec["paths"]["/customers"]["get"]["security"]
    order_filters = {p["name"] for p in spec["paths"]["/orders"]["get"]["parameters"]}
    assert {"customer_id", "status"} <= order_filters


# --- contract checks and normalisation shared with the importer ---------------------------------------


def test_patch_null_required_field_is_422(client: TestClient) -> None:
    client.post("/products", json=_product("p1"), headers=AUTH)

    response = client.patch("/products/p1", json={"title": None}, headers=AUTH)

    assert response.status_code == 422
    assert "title" in response.json()["error"]


def test_product_created_at_is_stored_as_utc(client: TestClient) -> None:
    response = client.post("/products", json=_product("p1", created_at="2024-01-01T10:00:00+08:00"), headers=AUTH)

    assert response.status_code == 201
    assert client.get("/products/p1").json()["created_at"] == "2024-01-01T02:00:00Z"


@pytest.mark.parametrize(("body", "field"), [(_product("p1", price=-5.0), "price"), (_product("p1", title="   "), "title")])
def test_create_applies_the_contract_checks_of_the_importer(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/products", json=body, headers=AUTH)

    assert response.status_code == 422
    assert field in response.json()["error"]


def test_ready_shows_an_unreachable_llm_endpoint(tmp_path: Path) -> None:
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"  # nothing listens
    settings = get_settings(data_dir=tmp_path / "data", llm={"base_url": url}, models={"train_on_start": False})
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 10
        llm = client.get("/ready").json()["llm"]
        while llm["state"] == "checking" and time.monotonic() < deadline:
            time.sleep(0.05)
            llm = client.get("/ready").json()["llm"]
    assert llm["state"] == "unreachable" and llm["base_url"] == url and llm["detail"]


def test_ready_says_no_llm_is_configured_by_default(client: TestClient) -> None:
    assert client.get("/ready").json()["llm"]["state"] == "not_configured"
