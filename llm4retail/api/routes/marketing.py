"""Customer value routes: a customer's profile, the segments and campaign audiences."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from llm4retail.access import Level
from llm4retail.api.deps import OwnerCaller, ServicesDep, StaffAccess
from llm4retail.container import Services
from llm4retail.marketing.rfm import Segment
from llm4retail.marketing.service import MarketingService

router = APIRouter(tags=["marketing"])
Refresh = Annotated[bool, Query(description="recompute from the store first (after new orders or events)")]


def _service(services: Services, refresh: bool) -> MarketingService:
    """The marketing service; before `llm4retail segments train` its methods raise NotTrainedError."""
    service = services.marketing
    if refresh:
        service.refresh()
    return service


@router.get("/customers/{customer_id}/profile", summary="Customer profile")
def profile(customer_id: str, caller: OwnerCaller, services: ServicesDep, refresh: Refresh = False) -> dict[str, Any]:
    """Segment, RFM scores, CLV, churn probability and purchase probability; 404 for an unknown customer.
    A customer token reads only its own profile; `refresh` (a recomputation over the store) needs staff."""
    caller.require_owner(customer_id)
    if refresh:
        caller.require(Level.STAFF)
    return _service(services, refresh).profile(customer_id)


@router.get("/segments", summary="Customer segments", dependencies=[StaffAccess])
def segments(services: ServicesDep, refresh: Refresh = False) -> dict[str, Any]:
    """Every segment with its size, share and expected value (summed 12-month CLV)."""
    service = _service(services, refresh)
    return {"as_of": service.table().attrs["as_of"], "segments": service.segments()}


@router.get(
    "/segments/{segment}/audience", summary="Campaign audience (CSV)", dependencies=[StaffAccess], response_class=Response,
    responses={200: {"description": "One row per customer", "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def segment_audience(
    segment: Segment,
    services: ServicesDep,
    min_clv: Annotated[float | None, Query(ge=0)] = None,
    min_purchase_probability: Annotated[float | None, Query(ge=0, le=1)] = None,
) -> Response:
    """The segment's customers as CSV, highest CLV first."""
    frame = services.marketing.audience(
        [segment], min_clv=min_clv, min_purchase_probability=min_purchase_probability)
    return Response(frame.to_csv(index=False), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{segment.value}.csv"'})
