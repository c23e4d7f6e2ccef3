"""What crosses the recommendation API: business rules and recommended products with their reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, Field


@dataclass(frozen=True)
class Rules:
    """Business rules applied to every surface.

    Attributes:
        exclude_purchased: leave out what the customer already bought.
        in_stock_only: leave out unavailable products.
        boost: category prefix or brand -> score multiplier (> 1 boosts, < 1 buries, 0 removes).
        diversify: at most `max_per_category` items of one leaf category.
        max_per_category: the cap used by `diversify`.
    """

    exclude_purchased: bool = True
    in_stock_only: bool = True
    boost: dict[str, float] = field(default_factory=dict)
    diversify: bool = False
    max_per_category: int = 2


class Recommendation(BaseModel):
    """One recommended product and why."""

    product_id: str
    score: float
    reason: str = Field(description="what produced it, e.g. 'because you viewed Grey Sofa'")
    title: str | None = None
    price: float | None = Field(None, description="catalog price, in `currency`; None when the catalog has none")
    currency: str | None = Field(None, description="ISO 4217 code of `price` (the store's default when unnamed)")


class RecommendationList(BaseModel):
    """The answer of every recommendation surface, best first."""

    items: list[Recommendation]


def apply_rules(
    scores: np.ndarray, rules: Rules, *, history: list[tuple[int, str]], available: np.ndarray, brands: np.ndarray,
    categories: np.ndarray,
) -> np.ndarray:
    """Scores with the business rules applied (removed items get -inf)."""
    scores = scores.copy()
    if rules.exclude_purchased:
        scores[[item for item, kind in history if kind == "purchase"]] = -np.inf
    if rules.in_stock_only:
        scores[~available] = -np.inf
    for key, factor in rules.boost.items():
        matches = (brands == key) | np.fromiter((str(c).startswith(key) for c in categories), dtype=bool, count=len(categories))
        scores[matches] = -np.inf if factor == 0 else scores[matches] * factor
    return scores


def capped_by_category(order: list[int], categories: np.ndarray, cap: int) -> list[int]:
    """`order` with items beyond `cap` per category moved to the end (their order kept)."""
    seen: Counter[str] = Counter()
    kept, rest = [], []
    for item in order:
        category = str(categories[item])
        (kept if seen[category] < cap else rest).append(item)
        seen[category] += 1
    return kept + rest
