"""The forecast service over a real store (SQLite and PostgreSQL): fit once, refit when sales change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, NotFoundError
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.service import ForecastService

pytestmark = pytest.mark.integration


def test_service_forecasts_from_the_store_and_notices_new_sales(
    store: Store, make_sales: Callable[..., pd.DataFrame], tmp_path: Path
) -> None:
    sales = make_sales(n_series=2, n_days=120)
    sales["date"] = sales["date"].dt.date
    with pytest.raises(DataValidationError, match="no sales"):
        ForecastService(store, models=[ForecastModel.SEASONAL_NAIVE]).forecaster()
    store.upsert(Table.SALES, sales[sales["date"] < pd.Timestamp("2024-04-20").date()])
    service = ForecastService(store, data_dir=tmp_path, horizon=7, models=[ForecastModel.SEASONAL_NAIVE])

    first = service.product_forecast("p1", horizon=7, history_steps=10)
    assert service.forecaster() is service.forecaster()  # cached while the sales do not change
    store.upsert(Table.SALES, sales)
    later = service.product_forecast("p1", horizon=7)

    assert first["forecast"][0]["date"] == "2024-04-20" and later["forecast"][0]["date"] == "2024-04-30"
    assert len(first["history"]) == 10 and first["model"] == "seasonal_naive"
    assert len(list((tmp_path / "forecast").iterdir())) == 2
    with pytest.raises(NotFoundError):
        service.product_forecast("nope")
    with pytest.raises(DataValidationError, match="horizon"):
        service.product_forecast("p1", horizon=8)
