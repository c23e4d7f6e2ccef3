"""Hand-made bad input at the boundary (issue 17, item 2): each gets a 422 naming the field, never a 500.

Every case runs on both real backends (embedded SQLite and PostgreSQL): a NUL byte is harmless to one
and fatal to the other, and 64-bit limits differ in the drivers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from llm4retail.api.app import create_app
from llm4retail.config import ModelSettings, get_settings
from llm4retail.data.bounds import INT64_MAX
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from tests.api.conftest import DEMO_AUTH, DEMO_KEY

pytestmark = pytest.mark.integration


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    """An admin-keyed client over an empty store on each backend, holding one product."""
    settings = get_settings(data_dir=tmp_path / "data", api_keys=DEMO_KEY, models=ModelSettings(train_on_start=False))
    with TestClient(create_app(settings, store=store), headers=DEMO_AUTH) as client:
        assert client.post("/products", json={"product_id": "p1", "title": "Mug"}).status_code == 201
        yield client


def _invalid(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert field in [item["field"] for item in response.json()["fields"]], response.json()


def _order(**changes: Any) -> dict[str, Any]:
    return {"order_id": "o1", "customer_id": "c1", "created_at": "2024-05-01T10:00:00", "status": "paid", **changes}


@pytest.mark.parametrize("created_at", ["0069-01-01T00:00:00", "1969-12-31T23:59:59", "2100-01-01T00:00:00"])
def test_an_implausible_date_is_refused_naming_the_field(client: TestClient, created_at: str) -> None:
    response = client.post("/orders", json=_order(created_at=created_at))

    _invalid(response, "body.created_at")
    assert "1970-01-01" in response.json()["error"]
    assert client.get("/orders").json()["total"] == 0


def test_dates_at_the_bounds_are_accepted_and_answered_in_utc(client: TestClient) -> None:
    first = client.post("/orders", json=_order(order_id="o1", created_at="1970-01-01T00:00:00"))
    last = client.post("/orders", json=_order(order_id="o2", created_at="2099-12-31T23:59:59+00:00"))

    assert (first.status_code, last.status_code) == (201, 201)
    assert first.json()["created_at"] == "1970-01-01T00:00:00Z"
    assert client.get("/orders/o2").json()["created_at"] == "2099-12-31T23:59:59Z"


def test_an_offset_past_64_bits_is_refused_and_the_largest_one_answers(client: TestClient) -> None:
    _invalid(client.get("/products", params={"offset": 2**63}), "query.offset")

    largest = client.get("/products", params={"offset": INT64_MAX})

    assert largest.status_code == 200
    assert largest.json()["items"] == []


def test_an_event_seq_of_ten_to_the_thirty_is_refused(client: TestClient) -> None:
    _invalid(client.post("/events", json=[{"customer_id": "c1", "product_id": "p1", "seq": 10**30}]), "body.0.seq")

    assert client.post("/events", json=[{"customer_id": "c1", "product_id": "p1", "seq": INT64_MAX}]).status_code == 200


def test_a_nul_byte_anywhere_is_refused(client: TestClient) -> None:
    _invalid(client.post("/products", json={"product_id": "p\x00x", "title": "Mug"}), "body.product_id")
    _invalid(client.patch("/products/p1", json={"attributes": {"colour": "re\x00d"}}), "body.attributes.colour")
    _invalid(client.get("/products/p%00x"), "path.key")
    _invalid(client.get("/products", params={"brand": "a\x00b"}), "query.brand")
    _invalid(client.post("/recommendations/session", json={"product_ids": ["p\x00"]}), "body.product_ids.0")

    assert client.get("/products/p1").json()["attributes"] is None  # nothing was written


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(client: TestClient, constant: str) -> None:
    body = f'{{"product_id": "p2", "title": "Mug", "price": {constant}}}'

    _invalid(client.post("/products", content=body, headers={"Content-Type": "application/json"}), "body.price")
    event = f'[{{"customer_id": "c1", "product_id": "p1", "seq": 1, "quantity": {constant}}}]'
    _invalid(client.post("/events", content=event, headers={"Content-Type": "application/json"}), "body.0.quantity")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product_id": "p2", "title": "Mug", "price": True}, "body.price"),
        ({"product_id": "p2", "title": "Mug", "available": 1}, "body.available"),
        ({"product_id": "p2", "title": "Mug", "price": 1e300}, "body.price"),
    ],
)
def test_booleans_as_numbers_and_numbers_as_booleans_are_refused(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    _invalid(client.post("/products", json=body), field)


def test_a_payment_amount_of_true_is_refused(client: TestClient) -> None:
    _invalid(client.post("/payments/score", json={"amount": True, "currency": "EUR"}), "body.amount")


def test_a_method_not_allowed_says_which_are(client: TestClient) -> None:
    response = client.put("/products")

    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_a_stored_row_with_year_0069_no_longer_breaks_reads(
    client: TestClient, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A row stored before the bounds existed: listings still answer, analyses leave it out and say so."""
    store.upsert_records(Table.ORDERS, [
        {"order_id": "old", "customer_id": "c1", "created_at": dt.datetime(69, 1, 1), "status": "paid"},
        {"order_id": "new", "customer_id": "c1", "created_at": dt.datetime(2024, 1, 1), "status": "paid"},
    ])  # fmt: skip

    with caplog.at_level(logging.WARNING, logger="llm4retail.data.store"):
        orders = store.read_frame(Table.ORDERS)

    assert orders["order_id"].tolist() == ["new"]
    assert "outside 1970-01-01" in caplog.text
    listing = client.get("/orders")
    assert listing.status_code == 200
    assert {row["order_id"] for row in listing.json()["items"]} == {"old", "new"}
