"""Search inputs and outputs: filters, hits, facets, and diversification."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

PRICE_BUCKETS = (0, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)


@dataclass(frozen=True)
class SearchFilters:
    """Hard filters; None means no constraint.

    Attributes:
        category: a category path prefix ("Home > Furniture" matches "Home > Furniture > Sofas").
        brands: any of these brands (case-insensitive).
        price_min: lowest price, inclusive.
        price_max: highest price, inclusive.
        available: only available (True) or unavailable (False) products.
        attributes: attribute name -> accepted values (case-insensitive).
        currency: ISO code of `price_min`/`price_max`; None: the query's currency (`search/prices.py`).
    """

    category: str | None = None
    brands: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    available: bool | None = None
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    currency: str | None = None


@dataclass
class Hit:
    """One result."""

    product_id: str
    score: float
    title: str
    brand: str | None
    category: str | None
    price: float | None
    currency: str
    available: bool
    features: dict[str, float] | None = None


@dataclass
class SearchResponse:
    """A page of hits, the facets of the whole result set, and what the query was understood as."""

    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[dict[str, Any]]]
    understood: dict[str, Any]


def facet_counts(
    *, categories: Sequence[str | None], brands: Sequence[str | None], prices: np.ndarray, currencies: Sequence[str],
    available: np.ndarray, colours: Sequence[set[str]], top: int = 20,
) -> dict[str, list[dict[str, Any]]]:
    """Counts of the result set by category (every level of the path), brand, currency and price bucket,
    availability, colour."""
    # one Counter over a flattened iterable counts in C (an `update` per result costs ~1 µs each)
    category_counts = Counter(chain.from_iterable(_category_levels(str(path)) for path in categories if path))
    brand_counts = Counter(str(brand) for brand in brands if brand)
    colour_counts = Counter(chain.from_iterable(colours))
    return {
        "category": _as_list(category_counts, top),
        "brand": _as_list(brand_counts, top),
        "price": price_facets(prices, currencies),
        "available": _as_list(Counter("true" if flag else "false" for flag in available), top),
        "colour": _as_list(colour_counts, top),
    }


@functools.lru_cache(maxsize=8192)
def _category_levels(path: str) -> tuple[str, ...]:
    """Every level of a category path: "A > B" -> ("A", "A > B") (catalogs repeat few paths)."""
    parts = [part.strip() for part in path.split(">")]
    return tuple(" > ".join(parts[: level + 1]) for level in range(len(parts)))


def price_facets(prices: np.ndarray, currencies: Sequence[str]) -> list[dict[str, Any]]:
    """Counts of priced results by currency and price bucket: `{"value": "50-100", "currency": "USD", "count": 3}`."""
    prices = np.asarray(prices, dtype=np.float64)
    priced = ~np.isnan(prices)
    buckets = np.searchsorted(PRICE_BUCKETS, prices[priced], side="right") - 1
    codes = np.asarray(currencies, dtype=object)[priced] if len(currencies) else np.zeros(0, dtype=object)
    counts: Counter[tuple[str, int]] = Counter(zip(codes.tolist(), buckets.tolist(), strict=True))
    facets = []
    for (currency, index), count in sorted(counts.items()):
        low = PRICE_BUCKETS[index]
        high = PRICE_BUCKETS[index + 1] if index + 1 < len(PRICE_BUCKETS) else None
        facets.append({"value": f"{low}-{high}" if high is not None else f"{low}+", "currency": currency, "count": count})
    return facets


def _as_list(counts: Counter[str], top: int) -> list[dict[str, Any]]:
    """The `top` most frequent values; ties by value, so every worker process (each with its own string
    hashing, hence its own set order) lists them alike."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [{"value": value, "count": count} for value, count in ranked]


def diversify(
    order: np.ndarray, scores: np.ndarray, *, brands: Sequence[str | None], categories: Sequence[str | None],
    trade_off: float = 0.7, depth: int = 50,
) -> np.ndarray:
    """Maximal marginal relevance over brand and category: re-order the first `depth` positions.

    Args:
        order: candidate positions, best first.
        scores: relevance of each position (same indexing as `order`'s values).
        brands: brand per position.
        categories: category per position.
        trade_off: 1.0 = pure relevance, 0.0 = pure novelty.
        depth: how many leading results to re-order.
    """
    head, tail = list(order[:depth]), list(order[depth:])
    if len(head) < 3:
        return order
    relevance = scores[head]
    spread = float(relevance.max() - relevance.min()) or 1.0
    normalised = dict(zip(head, (relevance - relevance.min()) / spread))
    chosen: list[int] = []
    remaining = head.copy()
    while remaining:
        def marginal(position: int) -> float:
            similarity = max(
                (0.5 * (brands[position] is not None and brands[position] == brands[other])
                 + 0.5 * (categories[position] is not None and categories[position] == categories[other])
                 for other in chosen),
                default=0.0,
            )
            return trade_off * normalised[position] - (1 - trade_off) * similarity

        best = max(remaining, key=marginal)
        chosen.append(best)
        remaining.remove(best)
    return np.asarray(chosen + tail, dtype=order.dtype)
