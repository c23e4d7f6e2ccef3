"""Pricing routes: a product's profit-maximising price within business rules, with its uncertainty."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from llm4retail.api.routes.forecast import forecast_service
from llm4retail.pricing.optimise import PriceConstraints, PriceEnding
from llm4retail.pricing.service import PricingService

router = APIRouter(tags=["pricing"])
_LOCK = threading.Lock()


def pricing_service(request: Request) -> PricingService:
    """The app's pricing service, created on first use."""
    with _LOCK:
        service = getattr(request.app.state, "pricing", None)
        if service is None:
            service = request.app.state.pricing = PricingService(forecast_service(request))
        return service


@router.get("/products/{product_id}/price-advice", summary="Price advice")
def price_advice(
    product_id: str,
    request: Request,
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
    change with 90% intervals and the probability that profit rises; 404 when the product has no sales."""
    constraints = PriceConstraints(min_margin=min_margin, max_change=max_change, ending=ending, horizon_days=horizon_days)
    return pricing_service(request).price_advice(product_id, store_id=store_id, unit_cost=unit_cost,
                                                 constraints=constraints)
