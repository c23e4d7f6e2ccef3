"""`GET /search`: hybrid product search with filters, facets, personalisation and explanations."""

# No `from __future__ import annotations`: FastAPI reads the parameter annotations at import time.
import dataclasses
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Query

from llm4retail.api.deps import CpuSlotsDep, ScopedCaller, ServicesDep, json_response
from llm4retail.search.request import MAX_PAGE_SIZE, MAX_QUERY_LENGTH, SearchRequest

router = APIRouter(tags=["search"])


@router.get("/search", summary="Search products")
async def search(
    caller: ScopedCaller,
    services: ServicesDep,
    cpu_slots: CpuSlotsDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH, description='what the shopper typed, e.g. "red velvet sofa under 500"')] = "",
    category: Annotated[str | None, Query(description='category path prefix, e.g. "Home > Furniture"')] = None,
    brand: Annotated[list[str] | None, Query(description="one or more brands")] = None,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    available: Annotated[bool | None, Query(description="only in-stock (true) or out-of-stock (false)")] = None,
    currency: Annotated[
        str | None,
        Query(min_length=3, max_length=3, description="ISO code of price_min/price_max, e.g. CNY; default: the query's"),
    ] = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
    customer_id: Annotated[str | None, Query(description="boost products like this shopper's recent ones")] = None,
    explain: Annotated[bool, Query(description="include each hit's ranking features")] = False,
    diversify: Annotated[bool, Query(description="spread the first results over brands and categories")] = False,
) -> dict[str, Any]:
    """Results, facet counts over the whole result set, and how the query was understood.

    A price in the query ("under 500", "500元以下") becomes a filter unless `price_min`/`price_max` are given.
    Every hit carries its `currency`; the filter compares prices in its currency (`currency`, else the one the query
    names or implies) and converts others only at configured rates: `understood.price_filter` says which.
    `customer_id` needs that customer's token (or a staff or admin key). Without a trained index the answer is 503 naming `llm4retail search train`.
    """
    if customer_id is not None:
        caller.require_owner(customer_id)  # personalising by a customer's history is theirs (or staff's) to ask
    request = SearchRequest(
        query=q, category=category, brands=brand, price_min=price_min, price_max=price_max, available=available,
        currency=currency,
        customer_id=customer_id, top_k=page_size, offset=(page - 1) * page_size, explain=explain, diversify=diversify,
    )  # fmt: skip
    # The query's vector is encoded first, batched with those of the other requests waiting (cheaper
    # per query the more there are). Then admission control: a search is CPU work; at most
    # `api.cpu_slots` run at once (on worker threads) and the rest wait in arrival order holding no
    # thread, so a burst queues instead of every request slowing down together, and CPU per search
    # stays flat as concurrency grows.
    await services.search.encode_ahead(q)
    response = await to_thread.run_sync(services.search.search, request, limiter=cpu_slots)
    # orjson writes the nested dataclasses itself (a deep `asdict` and a validation pass cost ~0.5 ms)
    fields = {field.name: getattr(response, field.name) for field in dataclasses.fields(response)}
    return json_response({**fields, "page": page, "page_size": page_size})
