"""The catalog service: nothing extracted before training, versions in models/catalog, old folders refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llm4retail.catalog.extractor import CatalogExtractor
from llm4retail.catalog.service import CatalogService
from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.errors import ArtifactFormatError, DataValidationError, NotTrainedError
from tests.catalog.conftest import catalog

pytestmark = pytest.mark.unit


def _products(n: int = 200) -> pd.DataFrame:
    texts, truth = catalog(n, seed=8)
    attributes = truth.drop(columns=["brand"]).to_dict("records")
    return pd.DataFrame({"product_id": [f"p{i}" for i in range(n)], "title": texts, "brand": truth["brand"],
                         "attributes": attributes})


@pytest.fixture
def services(tmp_path: Path) -> Services:
    services = Services(get_settings(data_dir=tmp_path / "data"))
    services.store.create_schema()
    return services


def test_extraction_waits_for_train_then_serves_the_latest_version(services: Services) -> None:
    service = services.catalog
    assert isinstance(service, CatalogService) and service.needs_training()
    with pytest.raises(NotTrainedError, match="llm4retail catalog train"):
        service.extract([("Acme HDMI cable 2 m Black connector", None)])
    report = service.train(_products())
    assert report["version"] == "v0001" and set(report["attributes"]) == {"brand", "colour", "connector", "cable_length"}
    saved = service.models.versions()[0]
    assert saved.model_type == "catalog.extractor" and saved.data_hash
    found = service.extract([("Acme HDMI cable 1.8 m Black connector", None)])
    assert found["model"] == "catalog/v0001"
    assert found["results"][0] == {"brand": "Acme", "connector": "HDMI", "cable_length": 1.8, "colour": "Black"}
    fresh = CatalogService(services.settings, services.store)
    assert isinstance(fresh.model(), CatalogExtractor)
    with pytest.raises(DataValidationError, match="at least one"):
        service.extract([])


def test_train_on_start_uses_the_store_products(services: Services) -> None:
    services.store.upsert(Table.PRODUCTS, _products())
    report = services.catalog.run_training(on_start=True)
    assert report is not None and report["products"] == 200 and services.catalog.status().state == "ready"


def test_evaluate_reads_the_store_products(services: Services) -> None:
    services.store.upsert(Table.PRODUCTS, _products(300))
    report = services.catalog.evaluate(top=4)
    assert report.best == "extractor" and report.metrics["macro_f1"] > 0.5
    assert services.catalog.models.latest() is None  # evaluation saves nothing


def test_an_old_extractor_folder_is_refused_with_the_retrain_command(services: Services) -> None:
    root = services.settings.models_dir / "catalog"
    (root / "v0001").mkdir(parents=True)
    (root / "v0001" / "meta.json").write_text('{"kind": "catalog", "version": "0.1.0"}', encoding="utf-8")
    (root / "LATEST").write_text("v0001", encoding="utf-8")
    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail catalog train`"):
        services.catalog.extract([("Acme HDMI cable", None)])
