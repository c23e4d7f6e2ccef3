"""Attribute extraction route over the demo store, after `catalog train` on its products."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from llm4retail.data.schemas import Table
from tests.api.conftest import as_staff

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def trained(demo_client: TestClient) -> dict:
    as_staff(demo_client)  # attribute extraction is a merchandising tool (staff)
    return demo_client.app.state.services.catalog.train()


def test_extract_attributes_with_the_trained_extractor(demo_client: TestClient, trained: dict) -> None:
    store = demo_client.app.state.store
    rows, _ = store.page(Table.PRODUCTS, limit=2)
    response = demo_client.post("/products/extract-attributes", json={"products": [
        {"title": row["title"], "description": row.get("description")} for row in rows]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"].startswith("catalog/v") and len(body["results"]) == 2
    assert set(body["results"][0]) <= set(trained["attributes"]) and body["results"][0]


def test_extract_attributes_validates_input(demo_client: TestClient) -> None:
    assert demo_client.post("/products/extract-attributes", json={"products": []}).status_code == 422
