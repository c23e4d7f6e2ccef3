"""Forecast routes: a product's demand forecast with a plot-ready history and interval."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from llm4retail.forecast.service import DEFAULT_HORIZON, ForecastService

router = APIRouter(tags=["forecasting"])
_LOCK = threading.Lock()


def forecast_service(request: Request) -> ForecastService:
    """The app's forecast service, created on first use over the app's store."""
    with _LOCK:
        service = getattr(request.app.state, "forecast", None)
        if service is None:
            service = ForecastService(request.app.state.store, data_dir=request.app.state.settings.data_dir)
            request.app.state.forecast = service
        return service


@router.get("/products/{product_id}/forecast", summary="Demand forecast")
def product_forecast(
    product_id: str,
    request: Request,
    store_id: Annotated[str | None, Query(description="the store, when the product sells in several")] = None,
    horizon: Annotated[int, Query(ge=1, le=DEFAULT_HORIZON, description="steps to forecast")] = DEFAULT_HORIZON,
    history: Annotated[int, Query(ge=0, le=3660, description="recent history steps to include")] = 90,
) -> dict[str, Any]:
    """History and forecast (mean, 80/90/95% intervals, assumed open days) of one product; 404 when it has no sales.

    The first call fits the forecaster on the store's sales (model chosen by backtest); later calls reuse it
    until the sales change.
    """
    return forecast_service(request).product_forecast(product_id, store_id=store_id, horizon=horizon,
                                                      history_steps=history)
