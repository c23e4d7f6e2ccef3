"""Inventory advice for the store's products (API and CLI), read off the trained demand forecast.

Inventory has no model of its own: safety stocks come from the served forecaster's validation
errors, so what trains it is `llm4retail forecast train` (`train()` here delegates to it).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from llm4retail.capability import CapabilityService
from llm4retail.config import Settings
from llm4retail.data.schemas import Table
from llm4retail.data.stock import stock_on_hand
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError
from llm4retail.forecast.service import ForecastService
from llm4retail.inventory.advice import advise
from llm4retail.inventory.base import InventorySettings

if TYPE_CHECKING:
    from llm4retail.container import Services


class InventoryService(CapabilityService):
    """Replenishment advice from the store's served forecast.

    Example:
        >>> services = Services(settings)
        >>> services.forecast.train()
        >>> services.inventory.advice(InventorySettings(lead_time=3), product_id="p00005", on_hand=12)
    """

    capability = "inventory"
    train_command = None  # it reads the forecast: `llm4retail forecast train` trains what it uses

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        super().__init__(settings, store, services=services)
        self._own_forecast: ForecastService | None = None

    @property
    def forecast(self) -> ForecastService:
        """The forecast service it reads (the container's, else one of its own over the same store)."""
        if self.services is not None:
            return self.services.forecast
        with self.lock:
            if self._own_forecast is None:
                self._own_forecast = ForecastService(self.settings, self.store)
            return self._own_forecast

    def train(self, **options: Any) -> dict[str, Any]:
        """Trains the demand forecast this advice reads (see `ForecastService.train`)."""
        return self.forecast.train(**options)

    def stock_by_series(self) -> dict[int, float]:
        """Units on hand per series of the served forecaster, from the products' stock attribute
        (`llm4retail.data.stock`); a product sold in several stores has no per-store stock, so it is left out."""
        history = self.forecast.forecaster().history_
        assert history is not None
        keys = history.keys.reset_index(drop=True)
        single = keys.groupby("product_id")["store_id"].transform("size") == 1
        products = self.store.read_frame(Table.PRODUCTS, columns=["product_id", "attributes"])
        stock = {str(product): stock_on_hand(attributes) for product, attributes in
                 zip(products["product_id"], products["attributes"], strict=True)}  # fmt: skip
        found = {}
        for index, product in enumerate(keys["product_id"].astype(str)):
            units = stock.get(product)
            if units is not None and bool(single.iloc[index]):
                found[index] = units
        return found

    def advice(
        self,
        settings: InventorySettings,
        *,
        product_id: str | None = None,
        store_id: str | None = None,
        on_hand: float | None = None,
    ) -> dict[str, Any]:
        """Advice for every series, or for one product with its current stock.

        Args:
            settings: lead time, review period, service level, costs.
            product_id: only this product.
            store_id: its store, when it sells in several.
            on_hand: current stock of that product (gives a concrete order quantity).

        Returns:
            `settings`, `forecast_model` and `items` (one advice per series).

        Raises:
            NotTrainedError: No forecast is trained yet (the message names `llm4retail forecast train`).
            NotFoundError: If the product has no sales.
            DataValidationError: If `on_hand` is given without a product, or lead time + review period
                exceeds the trained horizon.
        """
        if on_hand is not None and product_id is None:
            raise DataValidationError("on_hand needs a product_id: it is the stock of one product")
        auto = self.forecast.forecaster()
        index = self.forecast.index_of(product_id, store_id) if product_id is not None else None
        stock = self.stock_by_series()
        if index is not None and on_hand is not None:
            stock[index] = on_hand  # the caller's figure wins over the catalog's
        items = advise(auto, settings, on_hand=stock)
        if index is not None:
            items = [items[index]]
        return {
            "settings": {**asdict(settings), "target_service_level": settings.target_service_level},
            "forecast_model": auto.chosen_.value if auto.chosen_ else None,
            "items": [asdict(item) for item in items],
        }
