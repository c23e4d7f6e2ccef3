"""Review analytics and attribute extraction routes over the demo store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from llm4retail.data.schemas import Table

pytestmark = pytest.mark.integration


def test_analyze_returns_sentiment_and_aspects(demo_client: TestClient) -> None:
    response = demo_client.post("/reviews/analyze", json={"texts": ["质量很好，但是物流太慢", "Terrible quality, it broke."]})
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "lexicon"  # no trained model in this data directory
    first, second = body["results"]
    assert first["language"] == "zh" and {a["aspect"] for a in first["aspects"]} == {"quality", "shipping"}
    assert second["sentiment"] == "negative" and second["aspects"][0]["evidence"].startswith("Terrible quality")


def test_analyze_validates_input(demo_client: TestClient) -> None:
    assert demo_client.post("/reviews/analyze", json={"texts": []}).status_code == 422


def test_product_review_summary_and_unknown_product(demo_client: TestClient) -> None:
    reviews = demo_client.app.state.store.read_frame(Table.REVIEWS, columns=["product_id"])
    product_id = reviews["product_id"].value_counts().index[0]
    response = demo_client.get(f"/products/{product_id}/reviews/summary")
    assert response.status_code == 200
    body = response.json()
    assert body["n_reviews"] == int((reviews["product_id"] == product_id).sum()) > 0
    assert body["synthesis_source"] == "extractive" and body["synthesis"]
    assert body["aspects"] and {"aspect", "mentions", "positive_share"} <= set(body["aspects"][0])
    assert demo_client.get("/products/no-such-product/reviews/summary").status_code == 404


def test_extract_attributes_without_a_trained_model_uses_rules(demo_client: TestClient) -> None:
    response = demo_client.post("/products/extract-attributes", json={"products": [
        {"title": "Kingston 64GB USB flash drive, black aluminium"}, {"title": "红色纯棉T恤", "description": "尺码 L"}]})
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first == {"colour": "Black", "material": "Aluminium", "capacity": "64 gb"}
    assert second["colour"] == "Red" and second["material"] == "Cotton"
