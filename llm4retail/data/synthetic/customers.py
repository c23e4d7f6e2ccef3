"""Synthetic customers and their latent tastes.

A customer's taste is a preference vector over top-level categories, an affinity
per brand (with a couple of favourite brands) and a price sensitivity; the
behaviour model draws sessions from these and the tastes are never written to a
table, only summarised in the store's ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic.catalog import Catalog
from llm4retail.data.synthetic.common import (
    SECONDS_PER_DAY,
    build_frame,
    format_ids,
    object_column,
    reference_seconds,
    seconds_to_datetimes,
)
from llm4retail.data.synthetic.vocabulary import CATEGORY_TREE

SEGMENTS = ("new", "regular", "vip")
SEGMENT_SHARES = (0.3, 0.55, 0.15)
# Account age range in days per segment: new accounts are recent, VIPs are old.
SEGMENT_AGE_DAYS = ((5, 120), (120, 1100), (365, 1500))
COUNTRIES = {
    "zh": (("CN", 0.85), ("TW", 0.05), ("HK", 0.05), ("SG", 0.05)),
    "en": (("US", 0.5), ("GB", 0.15), ("CA", 0.1), ("AU", 0.1), ("DE", 0.1), ("SG", 0.05)),
}
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")
CHINESE_SHARE = 0.4


@dataclass
class Customers:
    """The customers frame plus each customer's latent taste.

    Arrays are indexed by customer position (row of `frame`).
    """

    frame: pd.DataFrame
    segment: np.ndarray
    prefers_chinese: np.ndarray
    created_seconds: np.ndarray
    category_preference: np.ndarray
    brand_affinity: np.ndarray
    price_sensitivity: np.ndarray
    satisfaction_bias: np.ndarray

    @property
    def ids(self) -> np.ndarray:
        """Customer identifiers as an object array."""
        return self.frame["customer_id"].to_numpy(dtype=object)

    def taste_summary(self, *, brands: list[str]) -> dict[str, dict[str, Any]]:
        """JSON-ready summary of each customer's taste: top category, favourite brand, price sensitivity."""
        top_category = self.category_preference.argmax(axis=1)
        favourite_brand = self.brand_affinity.argmax(axis=1)
        return {
            str(customer_id): {
                "top_category": CATEGORY_TREE[int(top_category[index])].name,
                "favourite_brand": brands[int(favourite_brand[index])],
                "price_sensitivity": round(float(self.price_sensitivity[index]), 3),
            }
            for index, customer_id in enumerate(self.ids)
        }


def draw_countries(*, prefers_chinese: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A country per customer consistent with the preferred language."""
    countries = np.empty(prefers_chinese.size, dtype=object)
    for language, mask in (("zh", prefers_chinese), ("en", ~prefers_chinese)):
        names = [name for name, _ in COUNTRIES[language]]
        shares = np.array([share for _, share in COUNTRIES[language]])
        countries[mask] = rng.choice(names, size=int(mask.sum()), p=shares / shares.sum())
    return countries


def draw_tastes(
    *, n_customers: int, catalog: Catalog, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Category preferences, brand affinities and price sensitivities.

    Returns:
        (n_customers, n_top) preferences summing to 1, (n_customers, n_brands) positive
        affinities, and sensitivities in [0, 1].
    """
    category_preference = rng.dirichlet(np.full(len(CATEGORY_TREE), 0.4), size=n_customers)
    n_brands = len(catalog.brands)
    brand_affinity = np.exp(rng.normal(0.0, 0.4, size=(n_customers, n_brands)))
    brand_top = np.array([
        next(top_index for top_index, top in enumerate(CATEGORY_TREE) if name in top.brands) for name in catalog.brands
    ])
    # Two favourite brands, drawn from the categories the customer likes.
    for _ in range(2):
        liked_top = (rng.random(n_customers)[:, None] > category_preference.cumsum(axis=1)).sum(axis=1)
        liked_top = np.minimum(liked_top, len(CATEGORY_TREE) - 1)
        for customer, top_index in enumerate(liked_top):
            candidates = np.flatnonzero(brand_top == top_index)
            brand_affinity[customer, candidates[int(rng.integers(candidates.size))]] *= 4.0
    price_sensitivity = rng.beta(2.0, 2.0, size=n_customers)
    return category_preference, brand_affinity, price_sensitivity


def generate_customers(*, n_customers: int, catalog: Catalog, rng: np.random.Generator) -> Customers:
    """Draw customers, their profile columns and their latent tastes.

    Args:
        n_customers: number of customers.
        catalog: the catalog (for brands).
        rng: random generator of the customers stream.

    Returns:
        The customers.
    """
    segment = rng.choice(len(SEGMENTS), size=n_customers, p=SEGMENT_SHARES)
    prefers_chinese = rng.random(n_customers) < CHINESE_SHARE
    age_bounds = np.array(SEGMENT_AGE_DAYS)[segment]
    age_days = rng.uniform(age_bounds[:, 0], age_bounds[:, 1])
    created_seconds = reference_seconds() - (age_days * SECONDS_PER_DAY).astype(np.int64)
    category_preference, brand_affinity, price_sensitivity = draw_tastes(
        n_customers=n_customers, catalog=catalog, rng=rng
    )
    age_band = rng.choice(len(AGE_BANDS), size=n_customers, p=(0.15, 0.35, 0.25, 0.15, 0.1))
    newsletter = rng.random(n_customers) < 0.45
    attributes = [
        {
            "preferred_language": "zh" if chinese else "en",
            "age_band": AGE_BANDS[int(band)],
            "newsletter": bool(subscribed),
        }
        for chinese, band, subscribed in zip(prefers_chinese, age_band, newsletter)
    ]
    frame = build_frame(Table.CUSTOMERS, {
        "customer_id": format_ids(prefix="c", count=n_customers, width=5),
        "attributes": object_column(attributes),
        "created_at": seconds_to_datetimes(created_seconds),
        "country": draw_countries(prefers_chinese=prefers_chinese, rng=rng),
        "segment": object_column(SEGMENTS[int(index)] for index in segment),
    })
    return Customers(
        frame=frame,
        segment=segment,
        prefers_chinese=prefers_chinese,
        created_seconds=created_seconds,
        category_preference=category_preference,
        brand_affinity=brand_affinity,
        price_sensitivity=price_sensitivity,
        satisfaction_bias=rng.normal(0.0, 0.4, size=n_customers),
    )
