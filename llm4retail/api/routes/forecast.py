"""Forecast routes: a product's demand forecast with a plot-ready history and interval."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Query

from llm4retail.api.deps import ServicesDep, StaffAccess
from llm4retail.forecast.service import DEFAULT_HORIZON

router = APIRouter(tags=["forecasting"], dependencies=[StaffAccess])


@router.get("/products/{product_id}/forecast", summary="Demand forecast")
def product_forecast(
    product_id: str,
    services: ServicesDep,
    store_id: Annotated[str | None, Query(description="the store, when the product sells in several")] = None,
    horizon: Annotated[
        int | None, Query(ge=1, le=366, description=f"steps to forecast (default and most: the trained horizon, "
                                                     f"{DEFAULT_HORIZON} unless trained otherwise)")
    ] = None,
    history: Annotated[int, Query(ge=0, le=3660, description="recent history steps to include")] = 90,
) -> dict[str, Any]:
    """History and forecast (mean, 80/90/95% intervals, assumed open days) of one product; 404 when it has no sales.

    Served from the latest forecaster trained by `llm4retail forecast train` (model chosen by backtest); nothing
    is fitted on a request.
    """
    return services.forecast.product_forecast(product_id, store_id=store_id, horizon=horizon, history_steps=history)
