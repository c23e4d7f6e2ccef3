"""The generate routes: staff only, 404 for an unknown product, 422 for a bad language, copy and campaign bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from llm4retail.access import KeyRole
from llm4retail.api.app import create_app
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.text.language import detect_language
from tests.generate.conftest import ADMIN_KEY

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, store=services.store)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def staff(client: TestClient) -> dict[str, str]:
    _, secret = client.app.state.services.access.keys.create(name="generate tests", role=KeyRole.STAFF)
    return {"X-API-Key": secret}


def _product_id(client: TestClient) -> str:
    return str(client.app.state.services.store.read_frame(Table.PRODUCTS, columns=["product_id"])["product_id"].iloc[0])


def test_copy_in_chinese(client: TestClient, staff: dict[str, str]) -> None:
    response = client.post(
        f"/products/{_product_id(client)}/copy", json={"language": "zh", "tone": "friendly"}, headers=staff
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["language"] == "zh" and detect_language(body["description"]) == "zh" and 3 <= len(body["bullets"]) <= 5


def test_copy_errors(client: TestClient, staff: dict[str, str]) -> None:
    assert client.post("/products/no-such-product/copy", json={}, headers=staff).status_code == 404
    response = client.post(f"/products/{_product_id(client)}/copy", json={"language": "fr"}, headers=staff)
    assert response.status_code == 422 and "language" in response.text


@pytest.mark.parametrize("path", ["/products/{id}/copy", "/campaigns/messages"])
def test_only_staff_and_admin(client: TestClient, path: str) -> None:
    url = path.replace("{id}", _product_id(client))
    token = client.app.state.services.access.customer_token("c00001").token

    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert client.post(url, json={}, headers={"X-API-Key": ADMIN_KEY}).status_code == 200


def test_campaign_messages(client: TestClient, staff: dict[str, str]) -> None:
    response = client.post("/campaigns/messages", json={"channel": "sms", "limit": 5, "segments": None}, headers=staff)

    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    assert len(messages) == 10 and {m["variant"] for m in messages} == {"A", "B"}
    assert all(m["prices"][0] in m["body"] for m in messages)
    assert client.post("/campaigns/messages", json={"channel": "fax"}, headers=staff).status_code == 422
