"""The catalog as the search index sees it: documents and per-slot metadata for filters and facets."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.data.currency import RateTable, catalog_currency
from llm4retail.data.stock import STOCK_KEYS
from llm4retail.errors import DataValidationError
from llm4retail.search.features import FEATURES, QueryContext
from llm4retail.search.prices import CurrencyColumn, PriceFilter
from llm4retail.search.query import QueryParser
from llm4retail.search.results import Hit, SearchFilters, facet_counts

_COLOUR_READER = QueryParser(max_length=100_000)
_COLOUR_KEYS = ("colour", "color", "attr_t_product_colour", "colour_name")


@dataclass(frozen=True)
class ProductDocument:
    """The searchable view of one product."""

    product_id: str
    title: str
    brand: str | None = None
    category: str | None = None
    description: str | None = None
    price: float | None = None
    available: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)
    currency: str | None = None  # ISO code; None: the store's default currency (`currency.default`)

    def field(self, name: str) -> str | None:
        """Text of a BM25 field."""
        if name == "attributes":
            return " ".join(str(value) for key, value in self.attributes.items()
                            if isinstance(value, (str, int, float)) and key not in STOCK_KEYS)  # fmt: skip
        if name == "category":
            return self.category.replace(">", " ") if self.category else None
        return getattr(self, name)

    @property
    def semantic_text(self) -> str:
        """What the embedding model reads: title, brand and the leaf category."""
        leaf = self.category.split(">")[-1].strip() if self.category else ""
        return " ".join(part for part in (self.title, self.brand or "", leaf) if part)

    @property
    def colours(self) -> set[str]:
        """Canonical colours from the attributes and the title."""
        found = set(_COLOUR_READER.colours(self.title[:2000]))
        for key in _COLOUR_KEYS:
            value = self.attributes.get(key)
            if isinstance(value, str):
                found.update(_COLOUR_READER.colours(value[:200]) or {value.lower()})
        return found


def documents_from_frame(products: pd.DataFrame) -> list[ProductDocument]:
    """Documents from a contract `products` frame.

    Raises:
        DataValidationError: `product_id` or `title` is missing.
    """
    for column in ("product_id", "title"):
        if column not in products.columns:
            raise DataValidationError(f"products need a '{column}' column to be searched; found {list(products.columns)}")
    columns = {name: products[name].tolist() if name in products.columns else [None] * len(products)
               for name in ("product_id", "title", "brand", "category", "description", "price", "available",
                            "attributes", "currency")}  # fmt: skip
    return [
        ProductDocument(
            product_id=str(product_id),
            title=str(title or ""),
            brand=_text(brand),
            category=_text(category),
            description=_text(description),
            price=float(price) if price is not None and not _is_nan(price) else None,
            available=True if available is None or _is_nan(available) else bool(available),
            attributes=attributes if isinstance(attributes, dict) else {},
            currency=catalog_currency(currency),
        )
        for product_id, title, brand, category, description, price, available, attributes, currency in zip(
            *columns.values(), strict=True
        )
    ]


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value) or value is pd.NA


def _text(value: Any) -> str | None:
    return None if value is None or _is_nan(value) or str(value).strip() == "" else str(value)


class CatalogSlots:
    """Per-slot metadata, append-only with tombstones (slots line up with the indexes)."""

    def __init__(self) -> None:
        self.documents: list[ProductDocument] = []
        self.title_terms: list[list[str]] = []
        self.title_text: list[str] = []
        self.colours: list[set[str]] = []
        self.slot_of: dict[str, int] = {}
        self.alive = np.zeros(0, dtype=bool)
        self.prices = np.zeros(0, dtype=np.float64)
        self.available = np.zeros(0, dtype=bool)
        self.brands = np.zeros(0, dtype=object)
        self.categories = np.zeros(0, dtype=object)
        self.popularity = np.zeros(0, dtype=np.float32)
        self.currency = CurrencyColumn()

    @property
    def n(self) -> int:
        """Slots ever written."""
        return len(self.documents)

    def copy(self) -> CatalogSlots:
        """An independent copy to change while readers keep this one (copy-on-write of the search index):
        lists and dicts are copied, arrays that `remove` writes into are copied, the others are shared
        (`append` replaces them)."""
        clone = CatalogSlots()
        clone.documents, clone.title_terms = list(self.documents), list(self.title_terms)
        clone.title_text, clone.colours = list(self.title_text), list(self.colours)
        clone.slot_of, clone.alive = dict(self.slot_of), self.alive.copy()
        clone.prices, clone.available, clone.brands = self.prices, self.available, self.brands
        clone.categories, clone.popularity, clone.currency = self.categories, self.popularity, self.currency
        return clone

    def append(
        self, documents: Sequence[ProductDocument], *, title_terms: Sequence[list[str]], title_text: Sequence[str]
    ) -> None:
        """Add documents to new slots (with their analysed and normalised titles)."""
        start = self.n
        self.documents.extend(documents)
        self.title_terms.extend(title_terms)
        self.title_text.extend(title_text)
        self.colours.extend(document.colours for document in documents)
        self.slot_of.update({document.product_id: start + i for i, document in enumerate(documents)})
        self.alive = np.concatenate([self.alive, np.ones(len(documents), dtype=bool)])
        prices = [np.nan if document.price is None else document.price for document in documents]
        self.prices = np.concatenate([self.prices, np.asarray(prices, dtype=np.float64)])
        self.available = np.concatenate([self.available, [document.available for document in documents]]).astype(bool)
        self.brands = np.concatenate([self.brands, np.asarray([d.brand for d in documents], dtype=object)])
        self.categories = np.concatenate([self.categories, np.asarray([d.category for d in documents], dtype=object)])
        self.popularity = np.concatenate([self.popularity, np.zeros(len(documents), dtype=np.float32)])
        self.currency = self.currency.appended([document.currency for document in documents])

    def remove(self, slot: int) -> None:
        """Tombstone a slot."""
        self.alive[slot] = False
        self.slot_of.pop(self.documents[slot].product_id, None)

    def brand_names(self) -> set[str]:
        """Distinct brands of live products."""
        return {str(brand) for brand in self.brands[self.alive] if brand}

    def set_popularity(self, counts: Mapping[str, float]) -> None:
        """Popularity feature in [0, 1]: log counts over the maximum (a new array: readers of the old one
        are never disturbed)."""
        if not counts:
            return
        scale = math.log1p(max(counts.values()))
        popularity = self.popularity.copy()
        for product_id, count in counts.items():
            slot = self.slot_of.get(product_id)
            if slot is not None:
                popularity[slot] = math.log1p(count) / scale if scale else 0.0
        self.popularity = popularity

    def filter_mask(self, filters: SearchFilters | None, *, price: PriceFilter | None, rates: RateTable) -> np.ndarray:
        """Live slots that pass the filters; `price` is the resolved price filter (`prices.resolve_price_filter`)."""
        mask = self.alive.copy()
        filters = filters or SearchFilters()
        if price is not None:
            mask &= price.mask(self.prices, self.currency, rates=rates)
        if filters.available is not None:
            mask &= self.available == filters.available
        if filters.brands:
            wanted = {brand.lower() for brand in filters.brands}
            mask &= np.fromiter((str(b).lower() in wanted for b in self.brands), dtype=bool, count=self.n)
        if filters.category:
            prefix = filters.category.strip().lower()
            mask &= np.fromiter((str(c).lower().startswith(prefix) for c in self.categories), dtype=bool, count=self.n)
        for name, values in filters.attributes.items():
            wanted = {str(value).lower() for value in values}
            mask &= np.fromiter(
                (str(d.attributes.get(name, "")).lower() in wanted for d in self.documents), dtype=bool, count=self.n
            )
        return mask

    def affinity(self, slots: np.ndarray, recent_product_ids: Sequence[str]) -> np.ndarray:
        """Share of brand and category with the shopper's recent products (0..1)."""
        recent = [self.slot_of[p] for p in recent_product_ids if p in self.slot_of]
        if not recent or len(slots) == 0:
            return np.zeros(len(slots), dtype=np.float32)
        brands = {b for b in self.brands[recent] if b}
        categories = {c for c in self.categories[recent] if c}
        same_brand = np.fromiter((b in brands for b in self.brands[slots]), dtype=bool, count=len(slots))
        same_category = np.fromiter((c in categories for c in self.categories[slots]), dtype=bool, count=len(slots))
        return (0.5 * same_brand + 0.5 * same_category).astype(np.float32)

    def hit(self, slot: int, score: float, features: np.ndarray | None, *, rates: RateTable) -> Hit:
        """The public view of a slot (its price in its currency)."""
        document = self.documents[slot]
        explained = None if features is None else {name: round(float(v), 5) for name, v in zip(FEATURES, features)}
        return Hit(document.product_id, round(score, 6), document.title, document.brand, document.category,
                   document.price, rates.resolve(document.currency), document.available, explained)  # fmt: skip

    def facets(self, slots: np.ndarray, *, rates: RateTable) -> dict[str, list[dict[str, Any]]]:
        """Facet counts over the result set (prices per currency)."""
        return facet_counts(
            categories=list(self.categories[slots]),
            brands=list(self.brands[slots]),
            prices=self.prices[slots],
            currencies=self.currency.resolved(slots, rates),
            available=self.available[slots],
            colours=[self.colours[slot] for slot in slots],
        )

    @staticmethod
    def understood(context: QueryContext, *, rates: RateTable) -> dict[str, Any]:
        """What the query was read as (shown to the shopper and in `explain`): `price` as read from the query
        (with the currency it named, or None), `price_filter` as applied (currency, conversions, exclusions)."""
        parsed = context.parsed
        price = parsed.price
        return {
            "text": parsed.text,
            "corrections": context.corrections,
            "synonyms": context.expansions,
            "price": None if price is None else {"min": price.minimum, "max": price.maximum, "currency": price.currency},
            "price_filter": None if context.price_filter is None else context.price_filter.describe(rates),
            "brands": list(parsed.brands),
            "colours": list(parsed.colours),
            "sizes": list(parsed.sizes),
            "quantities": [{"value": value, "unit": unit} for value, unit in parsed.quantities],
            "language": str(parsed.language),
        }
