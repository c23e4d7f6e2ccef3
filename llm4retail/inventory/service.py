"""Inventory advice for the store's products (API and CLI)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from llm4retail.forecast.service import ForecastService
from llm4retail.inventory.advice import advise
from llm4retail.inventory.base import InventorySettings


def inventory_advice(
    service: ForecastService,
    settings: InventorySettings,
    *,
    product_id: str | None = None,
    store_id: str | None = None,
    on_hand: float | None = None,
) -> dict[str, Any]:
    """Advice for every series, or for one product with its current stock.

    Args:
        service: the store's forecasts.
        settings: lead time, review period, service level, costs.
        product_id: only this product.
        store_id: its store, when it sells in several.
        on_hand: current stock of that product (gives a concrete order quantity).

    Returns:
        `settings`, `forecast_model` and `items` (one advice per series).

    Raises:
        NotFoundError: If the product has no sales.
        DataValidationError: If `on_hand` is given without a product, or lead time + review period exceeds the horizon.
    """
    from llm4retail.errors import DataValidationError

    if on_hand is not None and product_id is None:
        raise DataValidationError("on_hand needs a product_id: it is the stock of one product")
    index = service.index_of(product_id, store_id) if product_id is not None else None
    auto = service.forecaster()
    stock = {index: on_hand} if index is not None and on_hand is not None else None
    items = advise(auto, settings, on_hand=stock)
    if index is not None:
        items = [items[index]]
    return {
        "settings": {**asdict(settings), "target_service_level": settings.target_service_level},
        "forecast_model": auto.chosen_.value if auto.chosen_ else None,
        "items": [asdict(item) for item in items],
    }
