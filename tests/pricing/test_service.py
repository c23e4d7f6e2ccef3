"""The pricing service: elasticities trained explicitly into the model store, advice served from them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.config import get_settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import ArtifactFormatError, NotFoundError, NotTrainedError
from llm4retail.pricing.service import PricingService

pytestmark = pytest.mark.integration


def _sales() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    dates = pd.date_range("2024-01-01", periods=120, freq="D").date
    frames = []
    for index in range(4):
        price = 10.0 * rng.uniform(0.8, 1.2, size=6).repeat(20)
        frames.append(pd.DataFrame({"product_id": f"p{index}", "store_id": "s1", "date": dates,
                                    "price": price.round(2), "quantity": rng.poisson(30.0 * (price / 10.0) ** -2.0)}))
    return pd.concat(frames, ignore_index=True)


def test_advice_needs_training_then_serves_the_saved_elasticities(store: Store, tmp_path: Path) -> None:
    store.upsert(Table.SALES, _sales())
    settings = get_settings(data_dir=tmp_path)
    service = PricingService(settings, store)
    with pytest.raises(NotTrainedError, match="`llm4retail pricing train`"):
        service.price_advice("p0")  # nothing is fitted on a serving path

    report = service.train()
    advice = PricingService(settings, store).price_advice("p0", unit_cost=4.0)  # a new process loads LATEST

    assert report["version"] == "v0001" and report["n_estimated"] == 4
    assert advice["elasticity"] == pytest.approx(service.model().table.elasticity[0])
    assert advice["cost_source"] == "request" and -3.0 < advice["elasticity"] < -1.0
    assert "assumed" in service.price_advice("p1")["cost_source"]
    with pytest.raises(NotFoundError):
        service.price_advice("nope")


def test_elasticities_saved_before_the_shared_format_ask_to_retrain(store: Store, tmp_path: Path) -> None:
    service = PricingService(get_settings(data_dir=tmp_path), store)
    old = service.models.root / "v0001" / "model"
    old.mkdir(parents=True)
    (old / "meta.json").write_text(json.dumps({"model": "ShrunkElasticityModel", "version": "0.1", "group_mean": {}}))
    (service.models.root / "LATEST").write_text("v0001")

    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail pricing train`"):
        service.elasticities()


def test_advice_starts_from_the_catalog_price_in_its_currency(store: Store, tmp_path: Path) -> None:
    store.upsert(Table.SALES, _sales())
    store.upsert(Table.PRODUCTS, pd.DataFrame([
        {"product_id": "p0", "title": "Teapot", "price": 12.5, "currency": "CNY"},
        {"product_id": "p1", "title": "Kettle", "price": 11.0},  # no currency: the configured default
    ]))  # fmt: skip
    settings = get_settings(data_dir=tmp_path, currency={"default": "EUR"})
    service = PricingService(settings, store)
    service.train()
    sales_price = float(service.model().table.current_price[0])

    advice = service.price_advice("p0", unit_cost=4.0)
    assert (advice["current_price"], advice["currency"], advice["price_source"]) == (12.5, "CNY", "catalog")
    assert advice["sales_price"] == sales_price != 12.5
    assert 12.5 * 0.9 - 0.01 <= advice["recommended_price"] <= 12.5 * 1.1 + 0.01  # a step from the catalog price
    assert "assumed" in (assumed := service.price_advice("p1"))["cost_source"]
    assert (assumed["currency"], assumed["unit_cost"]) == ("EUR", round(0.6 * 11.0, 2))  # cost from the catalog price
    unlisted = service.price_advice("p2")  # sold but not in the catalog: starts from its sales price
    assert (unlisted["price_source"], unlisted["currency"]) == ("sales", "EUR")
    assert unlisted["current_price"] == unlisted["sales_price"]
