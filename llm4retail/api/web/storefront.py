"""The shoppers' pages: search with facets and understood-query chips (`/`), and product pages (`/item/{id}`).

Pages call the same services as the JSON API (`services.search.search`, `services.recommend.similar` …);
this module only turns a request into those calls and their answers into template context.
"""

# No `from __future__ import annotations`: FastAPI reads the parameter annotations at import time.
import dataclasses
import math
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from anyio import to_thread
from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse

from llm4retail.api.deps import CpuSlotsDep, PublicAccess, ServicesDep
from llm4retail.api.web.render import render
from llm4retail.api.web.tracking import clicked, model_label, remember_visitor, shown
from llm4retail.data.impressions import Surface
from llm4retail.data.schemas import Table
from llm4retail.errors import Llm4RetailError, NotFoundError, NotTrainedError
from llm4retail.search.request import MAX_QUERY_LENGTH, SearchRequest

router = APIRouter(include_in_schema=False, dependencies=[PublicAccess])
PAGE_SIZE = 12
FILTER_PARAMS = ("category", "brand", "price_min", "price_max", "available")


@router.get("/", summary="Storefront: search")
async def search_page(
    request: Request,
    services: ServicesDep,
    cpu_slots: CpuSlotsDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
    category: Annotated[str | None, Query(max_length=300)] = None,
    brand: Annotated[list[str] | None, Query(max_length=20)] = None,
    price_min: Annotated[float | None, Query(ge=0, le=1e12)] = None,
    price_max: Annotated[float | None, Query(ge=0, le=1e12)] = None,
    available: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    spoken: Annotated[bool, Query(description="q is a transcript (the voice button): fused with the phonetic match")] = False,
) -> HTMLResponse:
    """The search page; with `HX-Request` (htmx, as the shopper types) only the results block. A spoken query
    (`spoken=1`, set by the voice button) is searched as `POST /voice` searches: fused with the products whose
    titles sound like it."""
    search = SearchRequest(
        query=q, category=category, brands=brand, price_min=price_min, price_max=price_max, available=available,
        top_k=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
    )  # fmt: skip
    context: dict[str, Any] = {"q": q, "page": page, "filters": _active_filters(request), "links": _Links(request)}
    try:
        # the same admission control as GET /search: searches are CPU work, computed a few at a time
        await services.search.encode_ahead(q)
        fuse = await to_thread.run_sync(services.voice.phonetic_match, q, limiter=cpu_slots) if spoken else []
        response = await to_thread.run_sync(partial(services.search.search, search, fuse=fuse), limiter=cpu_slots)
    except NotTrainedError as error:
        context |= {"unavailable": str(error), "response": None}
    else:
        context |= {"response": dataclasses.asdict(response), "pages": max(1, math.ceil(response.total / PAGE_SIZE))}
        shown_hits = response.hits
        if response.total == 0 and (context["filters"] or response.understood.get("price")):
            relaxed = SearchRequest(query=response.understood.get("text") or q, top_k=PAGE_SIZE)
            nearest = await to_thread.run_sync(services.search.search, relaxed, limiter=cpu_slots)
            context["nearest"], shown_hits = [dataclasses.asdict(hit) for hit in nearest.hits], nearest.hits
        context["impression"] = await to_thread.run_sync(partial(
            shown, request, services, surface=Surface.SEARCH, product_ids=[hit.product_id for hit in shown_hits],
            model=model_label("search", services.search.served_version), query=q,
        ))  # fmt: skip
    template = "_results.html" if request.headers.get("hx-request") else "search.html"
    return remember_visitor(request, render(request, template, **context))


@router.get("/item/{product_id}", summary="Storefront: product page")
def product_page(request: Request, product_id: Annotated[str, Path(max_length=200)], services: ServicesDep) -> HTMLResponse:
    """Title, attributes, price and stock, the review summary, similar items and bought-together, with reasons."""
    try:
        product = services.store.get(Table.PRODUCTS, [product_id])
    except NotFoundError:
        return render(request, "not_found.html", status_code=404, what=product_id)
    clicked(request, services, product_id)  # opened from a recorded list: the click, and a signed-in shopper's view
    sections = {
        "similar": lambda: [item.model_dump() for item in services.recommend.similar(product_id, top_k=6)],
        "bought_together": lambda: [item.model_dump() for item in services.recommend.bought_together(product_id, top_k=6)],
        "reviews": lambda: services.reviews.summary(product_id).as_dict(),
    }
    context: dict[str, Any] = {"product": product, "attributes": _attributes(product), "unavailable": {},
                               "impressions": {}}  # fmt: skip
    for name, load in sections.items():
        try:
            context[name] = load()
        except Llm4RetailError as error:  # a section without its model (or data) says so; the page stands
            context[name], context["unavailable"][name] = None, str(error)
    model = model_label("recommend", services.recommend.version_)
    for name, surface in (("similar", Surface.SIMILAR), ("bought_together", Surface.BOUGHT_TOGETHER)):
        items = context.get(name) or []
        context["impressions"][name] = shown(request, services, surface=surface, model=model,
                                             product_ids=[item["product_id"] for item in items])  # fmt: skip
    return remember_visitor(request, render(request, "product.html", **context))


def _attributes(product: dict[str, Any]) -> list[tuple[str, str]]:
    shown = {key: product.get(key) for key in ("brand", "category", "currency")}
    extra = product.get("attributes") or {}
    if isinstance(extra, dict):
        shown |= {str(key): value for key, value in extra.items()}
    return [(key, str(value)) for key, value in shown.items() if value not in (None, "", [], {})]


def _active_filters(request: Request) -> list[tuple[str, str, str]]:
    """(param, value, URL without it) for each explicit filter of the request, for the removable chips."""
    chips = []
    for key, value in request.query_params.multi_items():
        if key in FILTER_PARAMS:
            kept = [(k, v) for k, v in request.query_params.multi_items() if (k, v) != (key, value) and k != "page"]
            chips.append((key, value, "/?" + urlencode(kept)))
    return chips


class _Links:
    """URLs of this search with one thing changed (facet clicks, chip removals, pages), for the templates."""

    def __init__(self, request: Request) -> None:
        self.items = [(k, v) for k, v in request.query_params.multi_items() if k not in {"lang"}]

    def with_(self, **changes: Any) -> str:
        """This search with parameters replaced (None removes one); a new filter goes back to page 1."""
        kept = [(k, v) for k, v in self.items if k not in changes and (k != "page" or "page" in changes)]
        kept += [(k, str(v)) for k, v in changes.items() if v is not None]
        return "/?" + urlencode(kept)

    def add(self, key: str, value: str) -> str:
        """This search with one more value of a repeatable filter (brand)."""
        kept = [(k, v) for k, v in self.items if k != "page"]
        return "/?" + urlencode([*kept, (key, value)] if (key, value) not in kept else kept)

    def facet(self, name: str, value: str, query: str) -> str:
        """The URL a facet value links to."""
        if name == "price":
            low, _, high = value.rstrip("+").partition("-")
            return self.with_(price_min=low, price_max=high or None)
        if name == "brand":
            return self.add("brand", value)
        if name == "colour":
            return self.with_(q=f"{query} {value}".strip())
        return self.with_(**{name: value})

    def without_word(self, query: str, word: str) -> str:
        """This search with `word` taken out of the query (removing an understood colour or brand)."""
        kept = " ".join(token for token in query.split() if token.lower() != word.lower())
        return self.with_(q=kept)
