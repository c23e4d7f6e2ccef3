"""A small bilingual demo store with recommendations and customer value trained, shared by the generate tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from llm4retail.config import ModelSettings, get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import SPECS
from llm4retail.data.store import Store
from llm4retail.data.synthetic import generate_demo_store

ADMIN_KEY = "generate-tests-admin-key-0123456789"


@pytest.fixture(scope="session")
def generate_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data dir of the store: demo tables (300 products, 80 customers), recommender and customer models."""
    data_dir = tmp_path_factory.mktemp("generate-store")
    settings = get_settings(data_dir=data_dir)
    store = Store.from_settings(settings)
    store.create_schema()
    tables = generate_demo_store(seed=11, n_products=300, n_customers=80, n_days_sales=20, n_sales_products=1).tables
    for table, frame in tables.items():
        store.upsert(table, frame[[name for name in SPECS[table].names if name in frame.columns]])
    services = Services(settings, store=store)
    services.recommend.train_on_start()
    services.marketing.train()
    services.close()
    return data_dir


@pytest.fixture(scope="session")
def services(generate_data_dir: Path) -> Iterator[Services]:
    """The service container over the store (nothing trained on start)."""
    settings = get_settings(data_dir=generate_data_dir, api_keys=ADMIN_KEY, models=ModelSettings(train_on_start=False))
    container = Services(settings)
    yield container
    container.close()
