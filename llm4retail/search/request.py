"""One way to turn a shopper's request (query, filters, customer) into a search: used by the CLI,
`GET /search` and the assistant's product tool."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from llm4retail.search.results import SearchFilters, SearchResponse

if TYPE_CHECKING:
    from llm4retail.data.store import Store
    from llm4retail.search.engine import SearchEngine


def build_filters(
    *,
    category: str | None = None,
    brands: Sequence[str] | None = None,
    price_min: float | None = None,
    price_max: float | None = None,
    available: bool | None = None,
) -> SearchFilters:
    """Hard filters from request fields; None (or no brands) means no constraint.

    Args:
        category: a category path prefix, e.g. "Home > Furniture".
        brands: any of these brands (case-insensitive); None or empty for all.
        price_min: lowest price, inclusive.
        price_max: highest price, inclusive.
        available: only available (True) or unavailable (False) products; None for both.

    Returns:
        The filters the engine applies.
    """
    return SearchFilters(
        category=category, brands=tuple(brands or ()), price_min=price_min, price_max=price_max, available=available
    )


def search_products(
    engine: SearchEngine,
    query: str,
    *,
    store: Store,
    filters: SearchFilters | None = None,
    customer_id: str | None = None,
    top_k: int = 10,
    offset: int = 0,
    explain: bool = False,
    diversify: bool = False,
) -> SearchResponse:
    """One page of results, personalised with `customer_id`'s recent products when given.

    Args:
        engine: the search engine (e.g. `SearchService.engine()`).
        query: what the shopper typed; a price in it becomes a filter unless `filters` set one.
        store: the store holding the customer's events.
        filters: hard filters (`build_filters`).
        customer_id: boost products like this shopper's recent ones.
        top_k: results per page.
        offset: results skipped (page - 1) * page size.
        explain: include each hit's ranking features.
        diversify: spread the first results over brands and categories.

    Returns:
        The hits, facet counts over the whole result set, and how the query was understood.
    """
    recent = store.recent_product_ids(customer_id) if customer_id else []
    return engine.search(
        query, filters=filters, top_k=top_k, offset=offset, recent_product_ids=recent, explain=explain,
        diversify_results=diversify,
    )
