"""One way to turn a shopper's request (query, filters, customer) into a search: `SearchRequest`, served
by `SearchService.search` for the CLI and `GET /search`; `build_filters` is shared with the assistant's
product tool."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from llm4retail.data.currency import check_currency
from llm4retail.search.results import SearchFilters, SearchResponse

MAX_QUERY_LENGTH = 512
MAX_PAGE_SIZE = 100

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
    currency: str | None = None,
) -> SearchFilters:
    """Hard filters from request fields; None (or no brands) means no constraint.

    Args:
        category: a category path prefix, e.g. "Home > Furniture".
        brands: any of these brands (case-insensitive); None or empty for all.
        price_min: lowest price, inclusive.
        price_max: highest price, inclusive.
        available: only available (True) or unavailable (False) products; None for both.
        currency: ISO code of `price_min`/`price_max` ("usd" is read as USD); None: the query's currency.

    Returns:
        The filters the engine applies.

    Raises:
        DataValidationError: `currency` is not an ISO 4217 code.
    """
    return SearchFilters(
        category=category, brands=tuple(brands or ()), price_min=price_min, price_max=price_max, available=available,
        currency=None if currency is None else check_currency(currency),
    )


class SearchRequest(BaseModel):
    """One search: what the shopper typed, hard filters, the page and options.

    Example:
        >>> services.search.search(SearchRequest(query="red sofa under 500", top_k=5, available=True))
    """

    query: str = Field("", max_length=MAX_QUERY_LENGTH, description='what the shopper typed, e.g. "red sofa under 500"')
    category: str | None = Field(None, description='category path prefix, e.g. "Home > Furniture"')
    brands: list[str] | None = Field(None, description="any of these brands (case-insensitive)")
    price_min: float | None = Field(None, ge=0, description="lowest price, inclusive")
    price_max: float | None = Field(None, ge=0, description="highest price, inclusive")
    available: bool | None = Field(None, description="only available (true) or unavailable (false) products")
    currency: str | None = Field(
        None, min_length=3, max_length=3, description="ISO code of price_min/price_max (e.g. CNY); default: the query's"
    )
    customer_id: str | None = Field(None, description="boost products like this shopper's recent ones")
    top_k: int = Field(10, ge=1, le=MAX_PAGE_SIZE, description="results per page")
    offset: int = Field(0, ge=0, description="results skipped: (page - 1) * page size")
    explain: bool = Field(False, description="include each hit's ranking features")
    diversify: bool = Field(False, description="spread the first results over brands and categories")

    def filters(self) -> SearchFilters:
        """The hard filters of this request (`build_filters`)."""
        return build_filters(category=self.category, brands=self.brands, price_min=self.price_min,
                             price_max=self.price_max, available=self.available, currency=self.currency)  # fmt: skip


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
    fuse: Sequence[str] = (),
) -> SearchResponse:
    """One page of results, personalised with `customer_id`'s recent products when given.

    Args:
        engine: the search engine (`SearchService.engine()`; `SearchService.search` calls this).
        query: what the shopper typed; a price in it becomes a filter unless `filters` set one.
        store: the store holding the customer's events.
        filters: hard filters (`build_filters`).
        customer_id: boost products like this shopper's recent ones.
        top_k: results per page.
        offset: results skipped (page - 1) * page size.
        explain: include each hit's ranking features.
        diversify: spread the first results over brands and categories.
        fuse: another retriever's ranked product ids, fused with the engine's ranking (voice search).

    Returns:
        The hits, facet counts over the whole result set, and how the query was understood.
    """
    recent = store.recent_product_ids(customer_id) if customer_id else []
    return engine.search(
        query, filters=filters, top_k=top_k, offset=offset, recent_product_ids=recent, explain=explain,
        diversify_results=diversify, fuse=fuse,
    )
