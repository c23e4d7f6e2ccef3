"""The forecast service over a real store (SQLite and PostgreSQL): trained explicitly, served from the model store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from llm4retail.artifacts import read_meta
from llm4retail.config import get_settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import (
    ArtifactFormatError,
    DataValidationError,
    NotFoundError,
    NotTrainedError,
)
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.service import ForecastService

pytestmark = pytest.mark.integration
NAIVE = [ForecastModel.SEASONAL_NAIVE]


def test_service_serves_only_what_train_saved_and_sees_new_sales_after_retraining(
    store: Store, make_sales: Callable[..., pd.DataFrame], tmp_path: Path
) -> None:
    sales = make_sales(n_series=2, n_days=120)
    sales["date"] = sales["date"].dt.date
    settings = get_settings(data_dir=tmp_path)
    service = ForecastService(settings, store)
    with pytest.raises(DataValidationError, match="no sales"):
        service.train(horizon=7, models=NAIVE)
    store.upsert(Table.SALES, sales[sales["date"] < pd.Timestamp("2024-04-20").date()])
    with pytest.raises(NotTrainedError, match="`llm4retail forecast train`"):
        service.product_forecast("p1")  # nothing is fitted on a serving path

    report = service.train(horizon=7, models=NAIVE)
    first = service.product_forecast("p1", horizon=7, history_steps=10)
    store.upsert(Table.SALES, sales)
    unchanged = ForecastService(settings, store).product_forecast("p1")  # a new process loads LATEST
    service.train(horizon=7, models=NAIVE)
    later = service.product_forecast("p1", horizon=7)

    assert report["version"] == "v0001" and report["chosen"] == "seasonal_naive"
    assert first["forecast"][0]["date"] == unchanged["forecast"][0]["date"] == "2024-04-20"
    assert later["forecast"][0]["date"] == "2024-04-30"
    assert len(first["history"]) == 10 and first["model"] == "seasonal_naive"
    assert [version.version for version in service.models.versions()] == ["v0001", "v0002"]
    assert read_meta(service.models.path() / "model").data_hash is not None
    with pytest.raises(NotFoundError):
        service.product_forecast("nope")
    with pytest.raises(DataValidationError, match="horizon"):
        service.product_forecast("p1", horizon=8)


def test_a_version_saved_before_the_shared_format_asks_to_retrain(store: Store, tmp_path: Path) -> None:
    service = ForecastService(get_settings(data_dir=tmp_path), store)
    old = service.models.root / "v0001" / "model"
    old.mkdir(parents=True)
    (old / "auto.json").write_text(json.dumps({"horizon": 28, "chosen": "seasonal_naive"}))
    (old / "meta.json").write_text(json.dumps({"model": "seasonal_naive", "version": "0.1", "n_series": 2}))
    (service.models.root / "LATEST").write_text("v0001")

    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail forecast train`"):
        service.forecaster()
