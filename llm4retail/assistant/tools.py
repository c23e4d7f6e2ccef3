"""The assistant's tools over the store: the signed-in customer's orders, return eligibility,
product facts, product search and recommendations.

Every order look-up is scoped to the conversation's customer: an order of someone else reads
exactly like an order that does not exist, so not even its existence leaks.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import Llm4RetailError, NotFoundError
from llm4retail.recommend.service import RecommendService, Rules
from llm4retail.search.lexicon import COLOURS
from llm4retail.search.request import build_filters
from llm4retail.search.service import SearchService

logger = logging.getLogger(__name__)
MAX_ORDERS = 200
CURRENCY_BY_LANGUAGE = {"en": "USD", "zh": "CNY"}
_COLOUR_WORDS = sorted(COLOURS, key=len, reverse=True)


class ReturnVerdict(StrEnum):
    """What return eligibility the order's status and dates allow."""

    ELIGIBLE = "eligible"
    EXPIRED = "expired"
    DEPENDS_ON_DELIVERY = "depends_on_delivery"  # past the window from the order date, within it from a late delivery
    NOT_DELIVERED = "not_delivered"
    ALREADY_RETURNED = "already_returned"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Eligibility:
    """Return or exchange eligibility of one order."""

    verdict: ReturnVerdict
    window_days: int
    days_since_order: int
    deadline: dt.date  # last day counted from the order date (delivery is later, never earlier)


class OrderTool:
    """Orders of the signed-in customer only."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def orders_of(self, customer_id: str) -> list[dict[str, Any]]:
        """The customer's orders, newest first."""
        rows, _ = self.store.page(Table.ORDERS, limit=MAX_ORDERS, equals={"customer_id": customer_id})
        return sorted(rows, key=lambda row: row["created_at"] or dt.datetime.min, reverse=True)

    def lookup(self, customer_id: str, order_id: str) -> dict[str, Any] | None:
        """The order if it exists and belongs to `customer_id`, else None (the two are indistinguishable)."""
        for key in dict.fromkeys((order_id, order_id.lower(), order_id.upper())):
            try:
                row = self.store.get(Table.ORDERS, [key])
            except NotFoundError:
                continue
            return row if str(row["customer_id"]) == str(customer_id) else None
        return None

    def by_tracking(self, customer_id: str, tracking_code: str) -> dict[str, Any] | None:
        """The customer's order with this tracking code."""
        return next((row for row in self.orders_of(customer_id) if row.get("tracking_code") == tracking_code), None)


def return_eligibility(order: dict[str, Any], *, window_days: int, as_of: dt.datetime, max_delivery_days: int = 0) -> Eligibility:
    """Eligibility for a return (or exchange) within `window_days` of delivery.

    The store keeps the order date, not the delivery date; delivery is never earlier than the
    order, so an order younger than the window is certainly eligible, and one older than the
    window plus the longest delivery time certainly is not.

    Args:
        order: an order row (`status`, `created_at`).
        window_days: the policy's window, counted from delivery.
        as_of: today.
        max_delivery_days: longest delivery time (0 when unknown).
    """
    created = order["created_at"]
    days = max((as_of - created).days, 0)
    deadline = (created + dt.timedelta(days=window_days)).date()
    status = str(order.get("status", "")).lower()
    if status == "returned":
        verdict = ReturnVerdict.ALREADY_RETURNED
    elif status == "cancelled":
        verdict = ReturnVerdict.CANCELLED
    elif status in ("pending", "paid", "shipped", "processing"):
        verdict = ReturnVerdict.NOT_DELIVERED
    elif days <= window_days:
        verdict = ReturnVerdict.ELIGIBLE
    elif days <= window_days + max_delivery_days:
        verdict = ReturnVerdict.DEPENDS_ON_DELIVERY
    else:
        verdict = ReturnVerdict.EXPIRED
    return Eligibility(verdict=verdict, window_days=window_days, days_since_order=days, deadline=deadline)


def name_stem(title: str) -> str:
    """A title without colour words and trailing size: variants of one product share it."""
    text = f" {title.lower()} "
    for word in _COLOUR_WORDS:
        if word.isascii():
            text = re.sub(rf"(?<![a-z]){re.escape(word)}(?![a-z])", " ", text)
        else:
            text = text.replace(word, " ")
    return " ".join(text.split())


class CatalogTool:
    """Product facts, variants, search and recommendations.

    Args:
        store: the store.
        search: the store's search service (product search).
        recommend: the store's recommendation service.
    """

    def __init__(self, store: Store, *, search: SearchService, recommend: RecommendService) -> None:
        self.store = store
        self.search_service = search
        self.recommend_service = recommend
        self._products: pd.DataFrame | None = None

    @property
    def products(self) -> pd.DataFrame:
        """The catalog, read once (refresh with `refresh`)."""
        if self._products is None:
            frame = self.store.read_frame(Table.PRODUCTS)
            frame["stem"] = [name_stem(str(title)) for title in frame["title"]]
            self._products = frame.set_index("product_id", drop=False)
        return self._products

    def refresh(self) -> None:
        """Forget the cached catalog (after product writes)."""
        self._products = None

    def product(self, product_id: str) -> dict[str, Any] | None:
        """One product row as a dict."""
        products = self.products
        if product_id not in products.index:
            return None
        return _plain(products.loc[product_id].to_dict())

    def variants(self, product_id: str) -> list[dict[str, Any]]:
        """Products with the same name apart from colour (the product itself included)."""
        product = self.product(product_id)
        if product is None:
            return []
        products = self.products  # one frame for the whole mask (a `refresh` meanwhile builds a new one)
        same = products[(products["stem"] == product["stem"]) & (products["brand"].astype(str) == str(product["brand"]))]
        return [_plain(row) for row in same.to_dict("records")]

    def search(self, query: str, *, price_max: float | None, currency: str | None, top_k: int = 3) -> list[dict[str, Any]]:
        """Available products for a shopper's query, in the conversation's currency when the catalog has it."""
        filters = build_filters(price_max=price_max, available=True)
        try:
            response = self.search_service.engine().search(query, filters=filters, top_k=top_k * 5)
        except Llm4RetailError as error:
            logger.warning("product search failed: %s", error)
            return []
        rows = [self.product(hit.product_id) for hit in response.hits]
        return _in_currency([row for row in rows if row], currency)[:top_k]

    def recommend(self, customer_id: str, *, price_max: float | None, currency: str | None, top_k: int = 3) -> list[dict[str, Any]]:
        """Personal recommendations within a price limit, in the conversation's currency when possible.

        The customer's best `RECOMMEND_DEPTHS[0]` are filtered first; a budget that none of them meets (a
        gift "under 200" for a customer who browses sofas) looks deeper into the same ranking."""
        rows: list[dict[str, Any]] = []
        for depth in RECOMMEND_DEPTHS:
            try:
                items = self.recommend_service.for_customer(customer_id, top_k=depth, rules=Rules(in_stock_only=True))
            except Llm4RetailError as error:
                logger.warning("recommendations failed: %s", error)
                return []
            rows = [self.product(item.product_id) for item in items]
            rows = [row for row in rows if row and (price_max is None or _within(row, price_max, currency))]
            if price_max is None or rows:  # _within kept only rows in the budget's currency
                break
        return _in_currency(rows, currency)[:top_k]


RECOMMEND_DEPTHS = (100, 2000)


def _within(row: dict[str, Any], price_max: float, currency: str | None) -> bool:
    """The row's price is at most `price_max`, a limit in `currency` (never compared with other currencies)."""
    if currency is not None and row.get("currency") not in (currency, None):
        return False
    return (row.get("price") or 0) <= price_max


def _in_currency(rows: list[dict[str, Any]], currency: str | None) -> list[dict[str, Any]]:
    """Rows priced in `currency` first; the others only when none is."""
    if currency is None:
        return rows
    matching = [row for row in rows if row.get("currency") in (currency, None)]
    return matching or rows


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {key: (None if isinstance(value, float) and value != value else value) for key, value in row.items()}
