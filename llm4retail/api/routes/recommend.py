"""Recommendation routes: for you, session, similar items, bought together."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from llm4retail.api.deps import OwnerCaller, PublicAccess, ServicesDep
from llm4retail.recommend.rules import Recommendation, RecommendationList, Rules

router = APIRouter(tags=["recommendations"])
TopK = Annotated[int, Query(ge=1, le=100, description="how many recommendations")]


class SessionRequest(BaseModel):
    """An anonymous shopper's recent products, most recent last."""

    product_ids: list[str] = Field(min_length=1, max_length=200)
    top_k: int = Field(10, ge=1, le=100)


def _rules(
    exclude_purchased: bool, in_stock_only: bool, boost: list[str] | None, bury: list[str] | None, diversify: bool
) -> Rules:
    factors = {key: 1.5 for key in boost or []} | {key: 0.5 for key in bury or []}
    return Rules(exclude_purchased=exclude_purchased, in_stock_only=in_stock_only, boost=factors, diversify=diversify)


def _listing(items: list[Recommendation]) -> RecommendationList:
    return RecommendationList(items=items)


@router.get("/recommendations/{customer_id}", summary="For you")
def for_customer(
    customer_id: str,
    caller: OwnerCaller,
    services: ServicesDep,
    top_k: TopK = 10,
    exclude_purchased: bool = True,
    in_stock_only: bool = True,
    boost: Annotated[list[str] | None, Query(description="brand or category prefix to favour")] = None,
    bury: Annotated[list[str] | None, Query(description="brand or category prefix to push down")] = None,
    diversify: bool = False,
) -> RecommendationList:
    """Personal recommendations with a reason each; a customer without events gets popular items; 404 for an unknown id."""
    caller.require_owner(customer_id)  # a customer token: only its own (reasons reveal what was viewed)
    rules = _rules(exclude_purchased, in_stock_only, boost, bury, diversify)
    return _listing(services.recommend.for_customer(customer_id, top_k=top_k, rules=rules))


@router.post("/recommendations/session", summary="For an anonymous session", dependencies=[PublicAccess])
def for_session(body: Annotated[SessionRequest, Body()], services: ServicesDep) -> RecommendationList:
    """Recommendations from a list of recently viewed products (unknown ids are ignored)."""
    return _listing(services.recommend.for_session(body.product_ids, top_k=body.top_k))


@router.get("/products/{product_id}/similar", summary="Similar items", dependencies=[PublicAccess])
def similar(product_id: str, services: ServicesDep, top_k: TopK = 10) -> RecommendationList:
    """Products with overlapping audiences (then same category and brand); 404 for an unknown id."""
    return _listing(services.recommend.similar(product_id, top_k=top_k))


@router.get("/products/{product_id}/bought-together", summary="Frequently bought together", dependencies=[PublicAccess])
def bought_together(product_id: str, services: ServicesDep, top_k: TopK = 10) -> RecommendationList:
    """Products bought in the same orders or sessions; 404 for an unknown id."""
    return _listing(services.recommend.bought_together(product_id, top_k=top_k))
