"""`GET /search`: hybrid product search with filters, facets, personalisation and explanations."""

# No `from __future__ import annotations`: FastAPI reads the parameter annotations at import time.
import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from llm4retail.api.deps import StoreDep
from llm4retail.search.request import build_filters, search_products

router = APIRouter(tags=["search"])


@router.get("/search", summary="Search products")
def search(
    request: Request,
    store: StoreDep,
    q: Annotated[str, Query(max_length=512, description='what the shopper typed, e.g. "red velvet sofa under 500"')] = "",
    category: Annotated[str | None, Query(description='category path prefix, e.g. "Home > Furniture"')] = None,
    brand: Annotated[list[str] | None, Query(description="one or more brands")] = None,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    available: Annotated[bool | None, Query(description="only in-stock (true) or out-of-stock (false)")] = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 10,
    customer_id: Annotated[str | None, Query(description="boost products like this shopper's recent ones")] = None,
    explain: Annotated[bool, Query(description="include each hit's ranking features")] = False,
    diversify: Annotated[bool, Query(description="spread the first results over brands and categories")] = False,
) -> dict[str, Any]:
    """Results, facet counts over the whole result set, and how the query was understood.

    A price in the query ("under 500", "500元以下") becomes a filter unless `price_min`/`price_max` are given.
    """
    filters = build_filters(category=category, brands=brand, price_min=price_min, price_max=price_max, available=available)
    response = search_products(
        request.app.state.search.engine(), q, store=store, filters=filters, customer_id=customer_id, top_k=page_size,
        offset=(page - 1) * page_size, explain=explain, diversify=diversify,
    )
    return {**dataclasses.asdict(response), "page": page, "page_size": page_size}
