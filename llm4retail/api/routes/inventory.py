"""Inventory routes: safety stock, reorder point and order quantity per product."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Query

from llm4retail.api.deps import ServicesDep, StaffAccess
from llm4retail.inventory.base import InventorySettings

router = APIRouter(tags=["inventory"], dependencies=[StaffAccess])


@router.get("/inventory/advice", summary="Replenishment advice")
def advice(
    services: ServicesDep,
    lead_time: Annotated[int, Query(ge=1, le=180, description="days from order to arrival")] = 3,
    review_period: Annotated[int, Query(ge=1, le=180, description="days between orders")] = 7,
    service_level: Annotated[
        float, Query(ge=0.5, lt=1, description="cycle service level (probability that stock covers demand)")
    ] = 0.95,
    holding_cost: Annotated[float, Query(gt=0, description="cost of one unit held one day")] = 0.01,
    stockout_cost: Annotated[float, Query(gt=0, description="cost of one unit of lost demand")] = 1.0,
    product_id: Annotated[str | None, Query(description="only this product")] = None,
    store_id: Annotated[str | None, Query(description="its store, when it sells in several")] = None,
    on_hand: Annotated[float | None, Query(ge=0, description="current stock of product_id")] = None,
) -> dict[str, Any]:
    """Safety stock, reorder point, order-up-to level and order quantity from the trained demand forecast and its
    errors (`llm4retail forecast train`)."""
    settings = InventorySettings(
        lead_time=lead_time, review_period=review_period, service_level=service_level,
        holding_cost=holding_cost, stockout_cost=stockout_cost,
    )
    return services.inventory.advice(settings, product_id=product_id, store_id=store_id, on_hand=on_hand)
