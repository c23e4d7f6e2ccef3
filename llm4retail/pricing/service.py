"""Price advice for the store's products (API and CLI), fitted once per state of the sales table."""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.errors import ConfigError
from llm4retail.forecast.service import ForecastService
from llm4retail.pricing.elasticity import ShrunkElasticityModel
from llm4retail.pricing.optimise import PriceConstraints, recommend_price

COST_KEYS = ("unit_cost", "cost")  # product attributes read as the unit cost
DEFAULT_COST_RATIO = 0.6  # assumed cost / current price when no cost is known (stated in every such advice)


class PricingService:
    """Elasticities and price advice over a store's sales and products.

    Args:
        forecast: the store's forecast service (shares its sales panel).
        cost_ratio: assumed unit cost as a share of the current price when neither the request
            nor the product's attributes give a cost.
    """

    def __init__(self, forecast: ForecastService, *, cost_ratio: float = DEFAULT_COST_RATIO) -> None:
        if not 0 < cost_ratio < 1:
            raise ConfigError(f"cost_ratio must be in (0, 1), got {cost_ratio}")
        self.forecast = forecast
        self.cost_ratio = cost_ratio
        self._lock = threading.RLock()
        self._model: tuple[str, ShrunkElasticityModel, pd.DataFrame] | None = None

    def model(self) -> tuple[ShrunkElasticityModel, pd.DataFrame]:
        """The fitted elasticities and the products frame (product_id, category, attributes)."""
        with self._lock:
            fingerprint, panel = self.forecast.panel()
            if self._model is None or self._model[0] != fingerprint:
                products = self.forecast.store.read_frame(Table.PRODUCTS, columns=["product_id", "category", "attributes"])
                categories = {str(row.product_id): str(row.category or "") for row in products.itertuples()}
                model = ShrunkElasticityModel().fit(panel, categories=categories)
                self._model = (fingerprint, model, products.set_index("product_id"))
            return self._model[1], self._model[2]

    def elasticities(self) -> list[dict[str, Any]]:
        """Every series' shrunk elasticity with its 90% interval."""
        model, _ = self.model()
        return [model.table.row(index) for index in range(len(model.table.keys))]

    def price_advice(
        self, product_id: str, *, store_id: str | None = None, unit_cost: float | None = None,
        constraints: PriceConstraints | None = None,
    ) -> dict[str, Any]:
        """Recommended price of one product with expected revenue/profit change and their uncertainty.

        Raises:
            NotFoundError: If the product has no sales.
            DataValidationError: If no allowed price meets the margin.
        """
        index = self.forecast.index_of(product_id, store_id)
        model, products = self.model()
        cost, source = self._cost(str(product_id), unit_cost, float(model.table.current_price[index]), products)
        advice = recommend_price(model, index, unit_cost=cost, constraints=constraints or PriceConstraints())
        return {**advice, "cost_source": source}

    def _cost(self, product_id: str, given: float | None, current: float, products: pd.DataFrame) -> tuple[float, str]:
        if given is not None:
            return given, "request"
        if product_id in products.index:
            attributes = products.loc[product_id, "attributes"]
            if isinstance(attributes, dict):
                for key in COST_KEYS:
                    value = pd.to_numeric(attributes.get(key), errors="coerce")
                    if value is not None and value == value and value > 0:
                        return float(value), f"product attribute '{key}'"
        return round(self.cost_ratio * current, 2), f"assumed {self.cost_ratio:.0%} of the current price (no cost known)"
