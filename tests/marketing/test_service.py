"""The marketing service: nothing served before `train()`, then the saved models applied to the store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.data.synthetic import generate_demo_store
from llm4retail.errors import NotTrainedError
from llm4retail.marketing.model import CustomerModels
from llm4retail.marketing.service import MarketingService, activity_data, customer_table

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def demo() -> dict[Table, pd.DataFrame]:
    return generate_demo_store(seed=42).tables


def test_serving_waits_for_train_then_matches_a_fresh_fit(demo: dict[Table, pd.DataFrame], tmp_path: Path) -> None:
    services = Services(get_settings(data_dir=tmp_path / "data"))
    services.store.create_schema()
    for table in (Table.PRODUCTS, Table.CUSTOMERS, Table.ORDERS, Table.EVENTS):
        services.store.upsert(table, demo[table])
    service = services.marketing
    assert isinstance(service, MarketingService) and service.needs_training()
    with pytest.raises(NotTrainedError, match="llm4retail segments train"):
        service.segments()
    with pytest.raises(NotTrainedError, match="llm4retail segments train"):
        service.profile("c00001")
    report = service.train()
    assert report["version"] == "v0001" and report["purchase"] is not None
    saved = service.models.versions()[0]
    assert saved.model_type == "marketing.model" and saved.data_hash and saved.metrics["customers"] > 0
    served = service.table()
    store = services.store
    orders, events, products = (store.read_frame(table) for table in (Table.ORDERS, Table.EVENTS, Table.PRODUCTS))
    fitted = CustomerModels().fit(activity_data(orders, events=events, products=products))
    expected = customer_table(orders, models=fitted, events=events, products=products,
                              customers=store.read_frame(Table.CUSTOMERS, columns=["customer_id"]))
    pd.testing.assert_frame_equal(served, expected)
    fresh = MarketingService(services.settings, services.store)  # another process: loads LATEST
    assert fresh.segments() == service.segments()
    assert fresh.profile(served.index[0])["purchase_horizon_days"] == 30
