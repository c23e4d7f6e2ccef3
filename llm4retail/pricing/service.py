"""Price advice for the store's products (API and CLI): elasticities trained explicitly, served from the store.

`train()` fits the shrunk elasticities on every sales row and the products' categories and saves
them under `<models_dir>/pricing/` (`llm4retail pricing train`). Serving loads the latest version
once; a product's unit cost is read from the store per request, so cost changes apply at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from llm4retail.capability import CapabilityService
from llm4retail.config import Settings
from llm4retail.data.currency import catalog_currency, currency_rates
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import NotFoundError
from llm4retail.forecast.panel import panel_from_sales
from llm4retail.forecast.service import read_sales, sales_fingerprint, series_index
from llm4retail.pricing.base import TRAIN_COMMAND
from llm4retail.pricing.elasticity import ShrunkElasticityModel
from llm4retail.pricing.optimise import PriceConstraints, recommend_price

if TYPE_CHECKING:
    from llm4retail.container import Services

logger = logging.getLogger(__name__)

COST_KEYS = ("unit_cost", "cost")  # product attributes read as the unit cost
DEFAULT_COST_RATIO = 0.6  # assumed cost / current price when no cost is known (stated in every such advice)


class PricingService(CapabilityService):
    """Elasticities and price advice over a store's sales and products.

    Attributes:
        cost_ratio: assumed unit cost as a share of the current price when neither the request
            nor the product's attributes give a cost.

    Example:
        >>> services = Services(settings)
        >>> services.pricing.train()                                   # `llm4retail pricing train`
        >>> services.pricing.price_advice("p00005")["recommended_price"]  # doctest: +SKIP
    """

    capability = "pricing"
    train_command = TRAIN_COMMAND
    cost_ratio: ClassVar[float] = DEFAULT_COST_RATIO

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        super().__init__(settings, store, services=services)
        self._model: ShrunkElasticityModel | None = None

    def train(self) -> dict[str, Any]:
        """Fits every series' elasticity on the store's sales, saves a version and serves it.

        Returns:
            The training report: `version`, `n_series`, `n_estimated` (series whose price changed), `groups`.

        Raises:
            DataValidationError: If the store has no sales, the sales have no prices, or no price ever changed.
        """
        sales = read_sales(self.store)
        products = self.store.read_frame(Table.PRODUCTS, columns=["product_id", "category"])
        categories = {str(row.product_id): str(row.category or "") for row in products.itertuples()}
        model = ShrunkElasticityModel().fit(panel_from_sales(sales), categories=categories)
        table = model.table
        report = {
            "capability": self.capability, "n_series": len(table.keys),
            "n_estimated": int(np.isfinite(table.raw).sum()), "groups": sorted(table.group_mean),
        }
        version = self.models.save(model, report=report, data_hash=sales_fingerprint(sales, sorted(categories.items())),
                                   metrics={"n_estimated": report["n_estimated"]})
        with self.lock:
            self._model = model
        logger.info("pricing: trained version %s (%d of %d series estimated)", version, report["n_estimated"],
                    report["n_series"])
        return {**report, "version": version}

    def warm_up(self) -> None:
        """Loads the LATEST model now rather than on the first request (never trains)."""
        self.model()

    def model(self) -> ShrunkElasticityModel:
        """The fitted elasticities of the latest trained version (loaded on first use, never fitted here).

        Raises:
            NotTrainedError: Nothing is trained yet (the message names `llm4retail pricing train`).
        """
        with self.lock:
            if self._model is None:
                self._model = self.models.load(expected=ShrunkElasticityModel)
            return self._model

    def elasticities(self) -> list[dict[str, Any]]:
        """Every series' shrunk elasticity with its 90% interval."""
        model = self.model()
        return [model.table.row(index) for index in range(len(model.table.keys))]

    def price_advice(
        self, product_id: str, *, store_id: str | None = None, unit_cost: float | None = None,
        constraints: PriceConstraints | None = None,
    ) -> dict[str, Any]:
        """Recommended price of one product with expected revenue/profit change and their uncertainty.

        The advice starts from the product's catalog price (`current_price`, `price_source` "catalog") in its
        currency (`currency`: the catalog's, else `currency.default`); a product without a catalog price
        starts from its latest regular sales price (`price_source` "sales"). `sales_price` is that sales price.

        Raises:
            NotTrainedError: Nothing is trained yet.
            NotFoundError: If the product has no sales.
            DataValidationError: If no allowed price meets the margin.
        """
        model = self.model()
        index = series_index(model.table.keys, product_id, store_id)
        product = self._product(str(product_id))
        catalog_price = _positive(product.get("price"))
        current = catalog_price if catalog_price is not None else float(model.table.current_price[index])
        cost, source = self._cost(product, unit_cost, current)
        advice = recommend_price(model, index, unit_cost=cost, constraints=constraints or PriceConstraints(),
                                 current_price=catalog_price)  # fmt: skip
        currency = currency_rates(self.settings).resolve(catalog_currency(product.get("currency")))
        return {**advice, "currency": currency, "cost_source": source}

    def _product(self, product_id: str) -> dict[str, Any]:
        """The product's catalog row; empty when the catalog does not list it (sales alone can name a product)."""
        try:
            return self.store.get(Table.PRODUCTS, [product_id])
        except NotFoundError:
            return {}

    def _cost(self, product: dict[str, Any], given: float | None, current: float) -> tuple[float, str]:
        if given is not None:
            return given, "request"
        attributes = product.get("attributes")
        if isinstance(attributes, dict):
            for key in COST_KEYS:
                value = _positive(attributes.get(key))
                if value is not None:
                    return value, f"product attribute '{key}'"
        return round(self.cost_ratio * current, 2), f"assumed {self.cost_ratio:.0%} of the current price (no cost known)"


def _positive(value: Any) -> float | None:
    """A positive finite number, else None."""
    number = pd.to_numeric(value, errors="coerce")
    return float(number) if number is not None and np.isfinite(number) and number > 0 else None
