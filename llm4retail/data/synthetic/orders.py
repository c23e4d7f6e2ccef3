"""Orders from purchasing sessions, and the events and orders frames.

One order per session with a purchase; its lines are exactly the session's
purchase events and its status follows its age (old orders are mostly delivered).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic.behaviour import PURCHASE, EventArrays, Sessions
from llm4retail.data.synthetic.catalog import Catalog
from llm4retail.data.synthetic.common import (
    CURRENCY_BY_LANGUAGE,
    SECONDS_PER_DAY,
    build_frame,
    format_ids,
    object_column,
    reference_seconds,
    seconds_to_datetimes,
)
from llm4retail.data.synthetic.customers import Customers

EVENT_TYPES = np.array(["view", "add_to_cart", "purchase"], dtype=object)
SHIPPING_STATUS = {
    "pending": "not_shipped",
    "paid": "processing",
    "shipped": "in_transit",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "returned": "returned",
}
CANCEL_RATE = 0.03
RETURN_RATE = 0.06
TRACKING_ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPRSTUVWXYZ"))


@dataclass
class OrderFacts:
    """Per-order and per-line arrays the reviews and payments need.

    Order arrays are indexed by order number - 1; line arrays by purchase event.
    """

    ids: np.ndarray
    customer: np.ndarray
    seconds: np.ndarray
    is_chinese: np.ndarray
    total: np.ndarray
    status: np.ndarray
    line_order: np.ndarray
    line_product: np.ndarray
    line_quantity: np.ndarray
    line_price: np.ndarray


def number_orders(*, events: EventArrays, n_sessions: int) -> tuple[np.ndarray, np.ndarray]:
    """Order number of every purchasing session, by checkout time.

    Returns:
        Order index (0-based, -1 for sessions without purchase) per session, and the
        checkout time of each order.
    """
    purchase_rows = np.flatnonzero(events.kind == PURCHASE)
    purchase_sessions, first = np.unique(events.session[purchase_rows], return_index=True)
    checkout = events.seconds[purchase_rows[first]]
    order = np.lexsort((purchase_sessions, checkout))
    order_of_session = np.full(n_sessions, -1, dtype=np.int64)
    order_of_session[purchase_sessions[order]] = np.arange(order.size)
    return order_of_session, checkout[order]


def draw_status(*, age_days: np.ndarray, mean_quality: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Order status consistent with the order's age; poor products are returned more often."""
    draws = rng.random(age_days.size)
    status = np.select(
        [age_days < 0.5, age_days < 2, age_days < 6],
        [
            np.where(draws < 0.4, "pending", "paid"),
            np.where(draws < 0.3, "paid", "shipped"),
            np.where(draws < 0.6, "shipped", "delivered"),
        ],
        default="delivered",
    ).astype(object)
    return_probability = np.minimum(RETURN_RATE * np.exp(-0.7 * mean_quality), 0.3)
    returned = (status == "delivered") & (age_days > 7) & (rng.random(age_days.size) < return_probability)
    status[returned] = "returned"
    status[(age_days >= 0.5) & (rng.random(age_days.size) < CANCEL_RATE)] = "cancelled"
    return status


def tracking_codes(*, status: np.ndarray, is_chinese: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """SF Express codes for CNY orders, UPS-style codes for USD orders, once the parcel has shipped."""
    digits = rng.integers(0, 10, size=(status.size, 10))
    letters = TRACKING_ALPHABET[rng.integers(0, TRACKING_ALPHABET.size, size=(status.size, 16))]
    codes = np.empty(status.size, dtype=object)
    for index, current in enumerate(status):
        if current not in ("shipped", "delivered", "returned"):
            codes[index] = None
        elif is_chinese[index]:
            codes[index] = "SF" + "".join(map(str, digits[index]))
        else:
            codes[index] = "1Z" + "".join(letters[index])
    return codes


def order_lines(
    *, line_order: np.ndarray, products: np.ndarray, quantity: np.ndarray, price: np.ndarray, n_orders: int
) -> tuple[list[list[dict[str, object]]], np.ndarray]:
    """The JSON lines of every order and its total."""
    lines: list[list[dict[str, object]]] = [[] for _ in range(n_orders)]
    for order_index, product_id, count, unit_price in zip(line_order, products, quantity, price):
        lines[order_index].append({"product_id": product_id, "quantity": int(count), "unit_price": float(unit_price)})
    totals = np.round(np.bincount(line_order, weights=quantity * price, minlength=n_orders), 2)
    return lines, totals


def build_orders(
    *, sessions: Sessions, events: EventArrays, catalog: Catalog, customers: Customers, rng: np.random.Generator
) -> tuple[pd.DataFrame, OrderFacts, np.ndarray]:
    """The orders frame and facts, plus the order index of every event (-1 when none).

    Args:
        sessions: the sessions.
        events: the events.
        catalog: the catalog.
        customers: the customers.
        rng: random generator of the behaviour stream.
    """
    order_of_session, checkout = number_orders(events=events, n_sessions=sessions.customer.size)
    n_orders = checkout.size
    order_sessions = np.empty(n_orders, dtype=np.int64)
    purchasing = order_of_session >= 0
    order_sessions[order_of_session[purchasing]] = np.flatnonzero(purchasing)
    line_rows = np.flatnonzero(events.kind == PURCHASE)
    line_order = order_of_session[events.session[line_rows]]
    line_order_sort = np.argsort(line_order, kind="stable")
    line_rows, line_order = line_rows[line_order_sort], line_order[line_order_sort]
    line_product = events.product[line_rows]
    line_price = catalog.price[line_product]
    lines, totals = order_lines(
        line_order=line_order, products=catalog.ids[line_product], quantity=events.quantity[line_rows],
        price=line_price, n_orders=n_orders,
    )
    quality_sum = np.bincount(line_order, weights=catalog.quality[line_product], minlength=n_orders)
    mean_quality = quality_sum / np.maximum(np.bincount(line_order, minlength=n_orders), 1)
    age_days = (reference_seconds() - checkout) / SECONDS_PER_DAY
    status = draw_status(age_days=age_days, mean_quality=mean_quality, rng=rng)
    is_chinese = sessions.is_chinese[order_sessions]
    ids = format_ids(prefix="o", count=n_orders, width=6)
    customer = sessions.customer[order_sessions]
    frame = build_frame(Table.ORDERS, {
        "order_id": ids,
        "customer_id": customers.ids[customer],
        "created_at": seconds_to_datetimes(checkout),
        "status": status,
        "lines": object_column(lines),
        "total": totals.astype(float),
        "currency": object_column(CURRENCY_BY_LANGUAGE["zh" if chinese else "en"] for chinese in is_chinese),
        "shipping_status": object_column(SHIPPING_STATUS[current] for current in status),
        "tracking_code": tracking_codes(status=status, is_chinese=is_chinese, rng=rng),
    })
    facts = OrderFacts(
        ids=ids, customer=customer, seconds=checkout, is_chinese=is_chinese, total=totals, status=status,
        line_order=line_order, line_product=line_product, line_quantity=events.quantity[line_rows],
        line_price=line_price,
    )
    event_order = np.where(events.kind == PURCHASE, order_of_session[events.session], -1)
    return frame, facts, event_order


def build_events_frame(
    *, events: EventArrays, event_order: np.ndarray, order_ids: np.ndarray, catalog: Catalog, customers: Customers,
    sessions: Sessions,
) -> pd.DataFrame:
    """The events frame, in time order with sequential ids.

    `seq` is the 0-based position of the event in its customer's history.
    """
    order = np.lexsort((events.position, events.customer, events.seconds))
    session_rank = np.empty(sessions.start.size, dtype=np.int64)
    session_rank[np.lexsort((np.arange(sessions.start.size), sessions.start))] = np.arange(sessions.start.size)
    session_ids = format_ids(prefix="s", count=sessions.start.size, width=6)
    order_column = np.empty(order.size, dtype=object)
    has_order = event_order[order] >= 0
    order_column[has_order] = order_ids[event_order[order][has_order]]
    product = events.product[order]
    return build_frame(Table.EVENTS, {
        "event_id": format_ids(prefix="e", count=order.size, width=7),
        "customer_id": customers.ids[events.customer[order]],
        "product_id": catalog.ids[product],
        "timestamp": seconds_to_datetimes(events.seconds[order]),
        "seq": events.position[order].astype(np.int64),
        "event_type": EVENT_TYPES[events.kind[order]],
        "session_id": session_ids[session_rank[events.session[order]]],
        "quantity": events.quantity[order].astype(float),
        "price": catalog.price[product].astype(float),
        "order_id": order_column,
        "store_id": np.full(order.size, None, dtype=object),
    })
