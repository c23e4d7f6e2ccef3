"""Forecast, inventory and price-advice routes over the demo store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from llm4retail.forecast.base import ForecastModel
from tests.api.conftest import as_staff

pytestmark = pytest.mark.integration

PRODUCT = "p00005"


@pytest.fixture(scope="module")
def client(demo_client: TestClient) -> TestClient:
    """The demo client with a forecaster trained on two fast models (the default tries all) and elasticities."""
    services = demo_client.app.state.services
    services.forecast.train(models=[ForecastModel.SEASONAL_NAIVE, ForecastModel.LIGHTGBM])
    services.pricing.train()
    return as_staff(demo_client)  # forecasts, inventory and price advice are for staff


def test_forecast_has_a_plot_ready_history_and_ordered_intervals(client: TestClient) -> None:
    response = client.get(f"/products/{PRODUCT}/forecast", params={"horizon": 14, "history": 30})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["product_id"] == PRODUCT and body["model"] in {"seasonal_naive", "lightgbm"}
    assert len(body["forecast"]) == 14 and len(body["history"]) == 30
    assert body["history"][-1]["date"] < body["forecast"][0]["date"]
    for point in body["forecast"]:
        assert point["lower_95"] <= point["lower_90"] <= point["mean"] <= point["upper_90"] <= point["upper_95"]


def test_forecast_errors_map_to_404_and_422(client: TestClient) -> None:
    assert client.get("/products/no-such-product/forecast").status_code == 404
    assert client.get(f"/products/{PRODUCT}/forecast", params={"horizon": 400}).status_code == 422


def test_inventory_advice_for_all_products_and_for_one_with_stock(client: TestClient) -> None:
    everything = client.get("/inventory/advice")
    one = client.get("/inventory/advice", params={"product_id": PRODUCT, "on_hand": 25, "lead_time": 5})

    assert everything.status_code == 200 and len(everything.json()["items"]) == 60
    item = one.json()["items"][0]
    assert item["product_id"] == PRODUCT and item["on_hand"] == 25
    assert item["order_quantity"] == pytest.approx(max(0, item["order_up_to"] - 25), abs=1)
    assert client.get("/inventory/advice", params={"on_hand": 5}).status_code == 422
    assert client.get("/inventory/advice", params={"lead_time": 30}).status_code == 422


def test_price_advice_respects_the_rules_and_reports_uncertainty(client: TestClient) -> None:
    response = client.get(f"/products/{PRODUCT}/price-advice", params={"ending": ".99", "max_change": 0.05})

    assert response.status_code == 200, response.text
    advice = response.json()
    assert f"{advice['recommended_price']:.2f}".endswith("99") or advice["recommended_price"] == advice["current_price"]
    assert abs(advice["change"]) <= 0.05 + 1e-6
    assert advice["elasticity_lower_90"] < advice["elasticity"] < advice["elasticity_upper_90"] < 0
    assert advice["profit_change_lower_90"] <= advice["expected_profit_change"] <= advice["profit_change_upper_90"]
    assert "assumed" in advice["cost_source"]
    assert client.get("/products/no-such-product/price-advice").status_code == 404
