"""Synthetic product reviews whose rating and text follow the buyer's satisfaction.

Satisfaction = latent product quality + the customer's bias + noise, lowered for
expensive items bought by price-sensitive customers and for returned orders. The
star rating cuts satisfaction at fixed thresholds (a J-shaped distribution); the
text is an opener for that rating plus aspect sentences that are positive with a
probability rising with the rating, in the product's language.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from llm4retail.data.synthetic.customers import Customers
from llm4retail.data.synthetic.orders import OrderFacts
from llm4retail.data.synthetic.review_phrases import ASPECTS, OPENERS, PHRASES, POSITIVE_PROBABILITY

REVIEW_RATE = 0.05  # share of delivered order lines that get a review
REVIEWS_PER_PRODUCT = 0.8  # total reviews aimed for, per product; the rest come from marketplace buyers
RATING_THRESHOLDS = np.array([-1.65, -1.2, -0.7, 0.15])
ASPECTS_BY_CATEGORY = {
    "Home": ("quality", "value", "shipping", "service", "size", "appearance"),
    "Fashion": ("quality", "value", "shipping", "service", "size", "appearance"),
    "Toys & Kids": ("quality", "value", "shipping", "service", "size", "appearance"),
    "Food & Grocery": ("quality", "value", "shipping", "service"),
}


@dataclass
class ReviewDraft:
    """Reviews before text: who, what, when and how satisfied."""

    product: np.ndarray
    customer: np.ndarray  # -1 for marketplace buyers without an account
    seconds: np.ndarray
    satisfaction: np.ndarray


def reviews_from_orders(
    *, catalog: Catalog, customers: Customers, orders: OrderFacts, rng: np.random.Generator
) -> ReviewDraft:
    """Reviews of about 5% of the lines of delivered or returned orders, written days after the order."""
    order_status = orders.status[orders.line_order]
    received = (order_status == "delivered") | (order_status == "returned")
    delay = (rng.uniform(4, 30, size=received.size) * SECONDS_PER_DAY).astype(np.int64)
    seconds = orders.seconds[orders.line_order] + delay
    chosen = received & (rng.random(received.size) < REVIEW_RATE) & (seconds < reference_seconds())
    product = orders.line_product[chosen]
    customer = orders.customer[orders.line_order[chosen]]
    satisfaction = (
        catalog.quality[product]
        + customers.satisfaction_bias[customer]
        + rng.normal(0.0, 0.9, size=product.size)
        - 0.4 * customers.price_sensitivity[customer] * np.log(catalog.relative_price[product])
        - 1.5 * (order_status[chosen] == "returned")
    )
    return ReviewDraft(product=product, customer=customer, seconds=seconds[chosen], satisfaction=satisfaction)


def marketplace_reviews(*, catalog: Catalog, count: int, rng: np.random.Generator) -> ReviewDraft:
    """Reviews by buyers without an account, on products drawn by popularity."""
    weights = np.sqrt(catalog.popularity)
    product = rng.choice(catalog.price.size, size=count, p=weights / weights.sum())
    created = catalog.frame["created_at"].to_numpy().astype("datetime64[s]").astype(np.int64)[product]
    seconds = created + (rng.random(count) * (reference_seconds() - created)).astype(np.int64)
    satisfaction = catalog.quality[product] + rng.normal(0.0, 1.0, size=count)
    return ReviewDraft(product=product, customer=np.full(count, -1), seconds=seconds, satisfaction=satisfaction)


def compose_review(
    *, rating: int, item: str, aspects: tuple[str, ...], chinese: bool, rng: np.random.Generator
) -> tuple[str, dict[str, str]]:
    """Opener for the rating plus one to three aspect sentences of matching polarity.

    Returns:
        The text and the polarity ("positive"/"negative") of each aspect it mentions.
    """
    language = "zh" if chinese else "en"
    openers = OPENERS[language][rating - 1]
    sentences = [openers[int(rng.integers(len(openers)))].format(item=item)]
    polarity: dict[str, str] = {}
    n_aspects = int(rng.integers(1, 4))
    for aspect in rng.choice(aspects, size=min(n_aspects, len(aspects)), replace=False):
        positive, negative = PHRASES[language][str(aspect)]
        is_positive = bool(rng.random() < POSITIVE_PROBABILITY[rating - 1])
        variants = positive if is_positive else negative
        sentences.append(variants[int(rng.integers(len(variants)))])
        polarity[str(aspect)] = "positive" if is_positive else "negative"
    return ("" if chinese else " ").join(sentences), polarity


def generate_reviews(
    *, catalog: Catalog, customers: Customers, orders: OrderFacts, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw the reviews frame.

    Args:
        catalog: the catalog.
        customers: the customers.
        orders: the orders and their lines.
        rng: random generator of the reviews stream.

    Returns:
        Reviews in time order; `label` is 1 for 4-5 stars, 0 for 1-2 stars and missing for 3.
    """
    from_orders = reviews_from_orders(catalog=catalog, customers=customers, orders=orders, rng=rng)
    n_extra = max(0, round(REVIEWS_PER_PRODUCT * catalog.price.size) - from_orders.product.size)
    extra = marketplace_reviews(catalog=catalog, count=n_extra, rng=rng)
    product = np.concatenate([from_orders.product, extra.product])
    customer = np.concatenate([from_orders.customer, extra.customer])
    seconds = np.concatenate([from_orders.seconds, extra.seconds])
    rating = 1 + np.searchsorted(RATING_THRESHOLDS, np.concatenate([from_orders.satisfaction, extra.satisfaction]))
    order = np.lexsort((product, seconds))
    product, customer, seconds, rating = product[order], customer[order], seconds[order], rating[order]
    texts, attributes = [], []
    for index in range(product.size):
        chinese = bool(catalog.is_chinese[product[index]])
        aspects = ASPECTS_BY_CATEGORY.get(catalog.top_category(int(product[index])).name, ASPECTS)
        item = catalog.type_name(int(product[index]), chinese=chinese)
        text, polarity = compose_review(rating=int(rating[index]), item=item, aspects=aspects, chinese=chinese, rng=rng)
        texts.append(text)
        attributes.append({"verified_purchase": bool(customer[index] >= 0), "aspects": polarity})
    customer_ids = customers.ids
    label = pd.array(np.where(rating >= 4, 1, 0), dtype="Int64")
    label[rating == 3] = pd.NA
    return build_frame(Table.REVIEWS, {
        "review_id": format_ids(prefix="r", count=product.size, width=6),
        "text": object_column(texts),
        "product_id": catalog.ids[product],
        "customer_id": object_column(customer_ids[value] if value >= 0 else None for value in customer),
        "rating": rating.astype(np.int64),
        "label": label,
        "created_at": seconds_to_datetimes(seconds),
        "language": object_column("zh" if catalog.is_chinese[value] else "en" for value in product),
    }, extras={"attributes": object_column(attributes)})
