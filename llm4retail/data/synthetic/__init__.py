"""A deterministic, realistic synthetic retail store with known ground truth.

Every table of the data contract is generated from one seed: a bilingual catalog,
customers with latent tastes, browsing sessions and the orders they lead to,
reviews, a knowledge base, daily sales with known price elasticities, payments
with labelled fraud, and evaluation sets for search and intent detection.

Example:
    >>> from llm4retail.data.schemas import Table
    >>> from llm4retail.data.synthetic import generate_demo_store
    >>> store = generate_demo_store(seed=7, n_products=300, n_customers=100, n_days_sales=120, n_sales_products=5)
    >>> len(store.tables) == len(Table)
    True
    >>> store.tables[Table.ORDERS].columns[0]
    'order_id'
    >>> store.truth["policies"]["return_days"]
    30
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic.behaviour import generate_event_arrays
from llm4retail.data.synthetic.catalog import Catalog, generate_catalog
from llm4retail.data.synthetic.common import CURRENCY_BY_LANGUAGE, REFERENCE_DATE, Stream, derive_rng
from llm4retail.data.synthetic.customers import Customers, generate_customers
from llm4retail.data.synthetic.knowledge import POLICIES, POLICY_TOPICS, generate_documents
from llm4retail.data.synthetic.orders import build_events_frame, build_orders
from llm4retail.data.synthetic.payments import generate_payments
from llm4retail.data.synthetic.queries import generate_queries
from llm4retail.data.synthetic.reviews import generate_reviews
from llm4retail.data.synthetic.sales import SalesTruth, generate_sales
from llm4retail.data.synthetic.utterances import generate_utterances
from llm4retail.errors import ConfigError

__all__ = ["DemoStore", "generate_demo_store", "generate_scaled_blocks"]

logger = logging.getLogger(__name__)

MINIMUM_SIZES = {"n_products": 20, "n_customers": 5, "n_days_sales": 14, "n_sales_products": 1}


@dataclass
class DemoStore:
    """A generated store.

    Attributes:
        tables: one frame per contract table, with exactly the spec's columns.
        truth: JSON-serialisable ground truth (policies, elasticities, fraud rate, tastes, ...).
    """

    tables: dict[Table, pd.DataFrame]
    truth: dict[str, Any]


def validate_sizes(sizes: dict[str, int]) -> None:
    """Refuse seeds and sizes the generator cannot honour.

    Raises:
        ConfigError: a negative seed or a size below its minimum.
    """
    for name, value in sizes.items():
        minimum = 0 if name == "seed" else MINIMUM_SIZES[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise ConfigError(f"{name} must be an integer >= {minimum}. Currently, {name} is {value!r}")


def collect_truth(
    *, seed: int, catalog: Catalog, customers: Customers, sales_truth: SalesTruth, fraud_rate: float
) -> dict[str, Any]:
    """The JSON-serialisable ground truth of a generated store."""
    return {
        "seed": seed,
        "reference_date": REFERENCE_DATE.isoformat(),
        "currencies": dict(CURRENCY_BY_LANGUAGE),
        "policies": dict(POLICIES),
        "policy_topics": dict(POLICY_TOPICS),
        "price_elasticity": sales_truth.elasticity,
        "reference_prices": sales_truth.reference_prices,
        "sales_base_levels": sales_truth.base_levels,
        "closure_dates": sales_truth.closure_dates,
        "fraud_rate": round(fraud_rate, 5),
        "product_quality": {str(pid): round(float(value), 3) for pid, value in zip(catalog.ids, catalog.quality)},
        "customer_tastes": customers.taste_summary(brands=catalog.brands),
    }


def with_stock(products: pd.DataFrame, sales: pd.DataFrame, *, rng: np.random.Generator) -> None:
    """Gives every product with a sales series a stock level (`attributes.stock`, in place): its mean daily sales
    of the last 28 days times a cover of days drawn log-normally around two weeks, so that a few products
    are about to run out (about 6% have under 3 days of cover, a quarter under a week)."""
    last = sales["date"].max()
    recent = sales[pd.to_datetime(sales["date"]) > pd.to_datetime(last) - pd.Timedelta(days=28)]
    rate = recent.groupby("product_id")["quantity"].mean().sort_index()
    cover = rng.lognormal(mean=np.log(14.0), sigma=1.0, size=len(rate))
    stock = dict(zip(rate.index, np.round(rate.to_numpy() * cover), strict=True))
    rows = products["product_id"].isin(stock)
    products.loc[rows, "attributes"] = [
        {**(attributes or {}), "stock": int(stock[product])}
        for product, attributes in zip(products.loc[rows, "product_id"], products.loc[rows, "attributes"], strict=True)
    ]


def generate_tables(
    *, seed: int, n_products: int, n_customers: int, n_days_sales: int, n_sales_products: int
) -> tuple[dict[Table, pd.DataFrame], dict[str, Any]]:
    """Every table of the store and the ground truth the generators know."""
    catalog = generate_catalog(n_products=n_products, rng=derive_rng(seed=seed, stream=Stream.CATALOG))
    customers = generate_customers(
        n_customers=n_customers, catalog=catalog, rng=derive_rng(seed=seed, stream=Stream.CUSTOMERS)
    )
    behaviour_rng = derive_rng(seed=seed, stream=Stream.BEHAVIOUR)
    sessions, events = generate_event_arrays(customers=customers, catalog=catalog, rng=behaviour_rng)
    orders_frame, orders, event_order = build_orders(
        sessions=sessions, events=events, catalog=catalog, customers=customers, rng=behaviour_rng
    )
    sales_frame, sales_truth = generate_sales(
        catalog=catalog, n_days=n_days_sales, n_sales_products=n_sales_products,
        rng=derive_rng(seed=seed, stream=Stream.SALES),
    )
    with_stock(catalog.frame, sales_frame, rng=derive_rng(seed=seed, stream=Stream.STOCK))
    payments_frame, fraud_rate = generate_payments(
        orders=orders, customers=customers, rng=derive_rng(seed=seed, stream=Stream.PAYMENTS)
    )
    queries_frame, judgements_frame = generate_queries(
        catalog=catalog, rng=derive_rng(seed=seed, stream=Stream.QUERIES)
    )
    tables = {
        Table.PRODUCTS: catalog.frame,
        Table.CUSTOMERS: customers.frame,
        Table.EVENTS: build_events_frame(
            events=events, event_order=event_order, order_ids=orders.ids, catalog=catalog, customers=customers,
            sessions=sessions,
        ),
        Table.ORDERS: orders_frame,
        Table.SALES: sales_frame,
        Table.REVIEWS: generate_reviews(
            catalog=catalog, customers=customers, orders=orders, rng=derive_rng(seed=seed, stream=Stream.REVIEWS)
        ),
        Table.DOCUMENTS: generate_documents(),
        Table.PAYMENTS: payments_frame,
        Table.QUERIES: queries_frame,
        Table.JUDGEMENTS: judgements_frame,
        Table.UTTERANCES: generate_utterances(
            catalog=catalog, orders=orders_frame, rng=derive_rng(seed=seed, stream=Stream.UTTERANCES)
        ),
    }
    truth = collect_truth(
        seed=seed, catalog=catalog, customers=customers, sales_truth=sales_truth, fraud_rate=fraud_rate
    )
    return tables, truth


def generate_demo_store(
    *,
    seed: int = 42,
    n_products: int = 2000,
    n_customers: int = 1000,
    n_days_sales: int = 730,
    n_sales_products: int = 60,
) -> DemoStore:
    """Generate the synthetic store; the same arguments always give identical frames.

    Args:
        seed: random seed (non-negative).
        n_products: catalog size (about 40% Chinese-titled, sold in CNY; the rest in USD).
        n_customers: number of customers; events and orders scale with it.
        n_days_sales: length of every daily sales series, ending on 2026-10-31.
        n_sales_products: number of sales series (the most popular products).

    Returns:
        The store: one frame per `Table` and the known ground truth.

    Raises:
        ConfigError: a negative seed or a size below its minimum.
    """
    sizes = {
        "n_products": n_products, "n_customers": n_customers,
        "n_days_sales": n_days_sales, "n_sales_products": n_sales_products,
    }
    validate_sizes({"seed": seed, **sizes})
    started = time.perf_counter()
    tables, truth = generate_tables(seed=seed, **sizes)
    sizes_text = ", ".join(f"{table.value}={len(frame)}" for table, frame in tables.items())
    logger.info("generated synthetic store (seed %d) in %.2f s: %s", seed, time.perf_counter() - started, sizes_text)
    return DemoStore(tables=tables, truth=truth)


# -- larger stores: blocks of the demo's size --------------------------------------------------------------
BLOCK_SIZES = {"n_products": 2000, "n_customers": 1000, "n_days_sales": 730, "n_sales_products": 100}
SHARED_TABLES = (Table.DOCUMENTS, Table.QUERIES, Table.JUDGEMENTS, Table.UTTERANCES)  # written once, by block 0
_PREFIXED: dict[Table, tuple[str, ...]] = {
    Table.PRODUCTS: ("product_id",),
    Table.CUSTOMERS: ("customer_id",),
    Table.EVENTS: ("event_id", "customer_id", "product_id", "session_id", "order_id"),
    Table.ORDERS: ("order_id", "customer_id"),
    Table.SALES: ("product_id",),
    Table.REVIEWS: ("review_id", "product_id", "customer_id"),
    Table.PAYMENTS: ("payment_id", "customer_id", "order_id"),
}


def block_seed(seed: int, block: int) -> int:
    """The seed of block `block` of a scaled store (block 0 is the demo store's own seed)."""
    return seed + block * 1_000_003


def _prefixed(tables: dict[Table, pd.DataFrame], prefix: str) -> dict[Table, pd.DataFrame]:
    """The block's tables with every id it owns prefixed (ids stay unique across blocks; shared tables dropped)."""
    renamed = {}
    for table, columns in _PREFIXED.items():
        frame = tables[table].copy()
        for column in columns:
            values = frame[column]
            frame[column] = values.where(values.isna(), prefix + values.astype(str))
        if table is Table.ORDERS:
            frame["lines"] = [
                [{**line, "product_id": prefix + str(line["product_id"])} for line in lines] if lines else lines
                for lines in frame["lines"]
            ]
        renamed[table] = frame
    return renamed


def generate_scaled_blocks(*, seed: int = 42, scale: int) -> Iterator[tuple[int, dict[Table, pd.DataFrame], dict[str, Any]]]:
    """A store `scale` times the demo's size, one block at a time (bounded memory: a block is about 170k rows).

    Each block is a store of the demo's size (2,000 products, 1,000 customers and their sessions, orders,
    reviews and payments, 100 daily sales series of two years) from its own seed, with its ids prefixed
    `b<block>-` (block 0 keeps the demo's ids): a 100x store has 200,000 products, 100,000 customers, about
    8.4M events and 10,000 sales series. A block's customers shop in that block's catalog (regional
    assortments); the knowledge base, the judged queries and the utterances come once, from block 0.

    Yields:
        (block, tables, truth) for blocks 0 .. scale - 1.

    Raises:
        ConfigError: a negative seed or a scale below 1.
    """
    validate_sizes({"seed": seed})
    if not isinstance(scale, int) or isinstance(scale, bool) or scale < 1:
        raise ConfigError(f"scale must be an integer >= 1. Currently, scale is {scale!r}")
    for block in range(scale):
        tables, truth = generate_tables(seed=block_seed(seed, block), **BLOCK_SIZES)
        if block > 0:
            tables = _prefixed(tables, f"b{block}-")
        yield block, tables, truth
        del tables, truth  # the caller has written the block: never hold two while the next one is generated
