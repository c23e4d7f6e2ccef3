"""Pricing routes: a product's profit-maximising price within business rules, with its uncertainty."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Query

from llm4retail.api.deps import ServicesDep, StaffAccess
from llm4retail.pricing.optimise import PriceConstraints, PriceEnding

router = APIRouter(tags=["pricing"], dependencies=[StaffAccess])


@router.get("/products/{product_id}/price-advice", summary="Price advice")
def price_advice(
    product_id: str,
    services: ServicesDep,
    store_id: Annotated[str | None, Query(description="the store, when the product sells in several")] = None,
    unit_cost: Annotated[
        float | None, Query(gt=0, description="unit cost (else the product's cost attribute, else assumed)")
    ] = None,
    min_margin: Annotated[float, Query(ge=0, lt=1, description="least (price - cost) / price")] = 0.1,
    max_change: Annotated[float, Query(gt=0, lt=1, description="largest relative price change")] = 0.1,
    ending: Annotated[PriceEnding, Query(description="price ending")] = PriceEnding.ANY,
    horizon_days: Annotated[int, Query(ge=1, le=365, description="days of the reported revenue/profit change")] = 28,
) -> dict[str, Any]:
    """Elasticity (shrunk toward the category, 90% interval), recommended price, expected revenue and profit
    change with 90% intervals and the probability that profit rises; 404 when the product has no sales.
    Served from the elasticities trained by `llm4retail pricing train`."""
    constraints = PriceConstraints(min_margin=min_margin, max_change=max_change, ending=ending, horizon_days=horizon_days)
    return services.pricing.price_advice(product_id, store_id=store_id, unit_cost=unit_cost, constraints=constraints)
