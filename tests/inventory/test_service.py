"""The inventory service: no model of its own, advice read off the trained forecast."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, NotTrainedError
from llm4retail.forecast.base import ForecastModel
from llm4retail.inventory.base import InventorySettings

pytestmark = pytest.mark.integration


def _sales() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    dates = pd.date_range("2024-01-01", periods=100, freq="D").date
    return pd.concat([pd.DataFrame({"product_id": f"p{index}", "store_id": "s1", "date": dates,
                                    "quantity": rng.poisson(10.0 * (index + 1), size=100)}) for index in range(3)])


def test_advice_needs_the_forecast_trained_and_train_delegates_to_it(store: Store, tmp_path: Path) -> None:
    store.upsert(Table.SALES, _sales())
    services = Services(get_settings(data_dir=tmp_path), store=store)
    inventory = services.inventory
    with pytest.raises(NotTrainedError, match="`llm4retail forecast train`"):
        inventory.advice(InventorySettings())
    assert not inventory.needs_training() and inventory.status().state == "no_model"

    report = inventory.train(horizon=14, models=[ForecastModel.SEASONAL_NAIVE])
    everything = inventory.advice(InventorySettings())
    one = inventory.advice(InventorySettings(lead_time=2), product_id="p1", on_hand=5.0)

    assert report["version"] == services.forecast.models.latest() == "v0001"
    assert len(everything["items"]) == 3 and everything["forecast_model"] == "seasonal_naive"
    assert one["items"][0]["product_id"] == "p1" and one["items"][0]["on_hand"] == 5.0
    with pytest.raises(DataValidationError, match="on_hand needs a product_id"):
        inventory.advice(InventorySettings(), on_hand=3.0)
    with pytest.raises(DataValidationError, match="covers 14"):
        inventory.advice(InventorySettings(lead_time=10, review_period=7))


def test_stock_in_product_attributes_gives_stockout_risks(store: Store, tmp_path: Path) -> None:
    store.upsert(Table.SALES, _sales())  # p0 sells ~10 a day, p1 ~20, p2 ~30
    store.upsert(Table.PRODUCTS, pd.DataFrame({
        "product_id": ["p0", "p1", "p2"], "title": ["Zero", "One", "Two"],
        "attributes": [{"stock": 400}, {"on_hand": "25"}, {"colour": "red"}],  # plenty, two days' worth, unknown
    }))  # fmt: skip
    services = Services(get_settings(data_dir=tmp_path), store=store)
    services.inventory.train(horizon=14, models=[ForecastModel.SEASONAL_NAIVE])
    items = {item["product_id"]: item for item in services.inventory.advice(InventorySettings(lead_time=3))["items"]}
    assert items["p0"]["on_hand"] == 400 and items["p0"]["stockout_risk"] < 0.05 and items["p0"]["days_of_cover"] > 20
    assert items["p1"]["on_hand"] == 25 and items["p1"]["stockout_risk"] > 0.95 and items["p1"]["days_of_cover"] < 2
    assert items["p2"]["on_hand"] is None and items["p2"]["stockout_risk"] is None
    assert items["p1"]["order_quantity"] == np.ceil(items["p1"]["order_up_to"] - 25)  # a concrete order
    given = services.inventory.advice(InventorySettings(lead_time=3), product_id="p1", on_hand=500.0)["items"][0]
    assert given["on_hand"] == 500.0 and given["stockout_risk"] < 0.05  # the caller's figure wins
