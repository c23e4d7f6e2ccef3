"""Review analytics routes over the demo store, after `reviews train`'s quick start-up model; 503 before."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from llm4retail.api.app import create_app
from llm4retail.config import get_settings
from llm4retail.data.schemas import Table
from tests.api.conftest import DEMO_AUTH, DEMO_KEY

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", autouse=True)
def _trained(demo_client: TestClient) -> None:
    demo_client.app.state.services.reviews.train_on_start()


def test_analyze_returns_sentiment_and_aspects(demo_client: TestClient) -> None:
    response = demo_client.post("/reviews/analyze", json={"texts": ["质量很好，但是物流太慢", "Terrible quality, it broke."]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"].startswith("reviews/v")  # the TF-IDF model trained on the demo reviews
    first, second = body["results"]
    assert first["language"] == "zh" and {a["aspect"] for a in first["aspects"]} == {"quality", "shipping"}
    assert 0.0 <= first["positive_probability"] <= 1.0
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


def test_without_a_trained_model_the_answer_is_503_naming_the_train_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM4RETAIL_MODELS__TRAIN_ON_START", "false")
    with TestClient(create_app(get_settings(data_dir=tmp_path / "empty", api_keys=DEMO_KEY))) as client:
        response = client.post("/reviews/analyze", json={"texts": ["质量很好"]})
        assert response.status_code == 503 and "llm4retail reviews train" in response.json()["error"]
        response = client.post("/products/extract-attributes", json={"products": [{"title": "Acme cable"}]}, headers=DEMO_AUTH)
        assert response.status_code == 503 and "llm4retail catalog train" in response.json()["error"]
