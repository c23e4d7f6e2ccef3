"""Synthetic browsing sessions: view -> add_to_cart -> purchase events that follow customer tastes.

Each session belongs to one storefront (Chinese/CNY or English/USD, mostly the
customer's preferred one) and focuses on one top-level category drawn from the
customer's preferences. Views draw products with probability proportional to
Zipf-like popularity x brand affinity x price fit; about one view in eight is
added to the cart and about one cart in three is bought at the end of the session.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llm4retail.data.synthetic.catalog import AVAILABLE_SHARE, Catalog
from llm4retail.data.synthetic.common import SECONDS_PER_DAY, positions_in_groups, reference_seconds, sample_rows
from llm4retail.data.synthetic.customers import Customers

WINDOW_DAYS = 180
EXTRA_SESSIONS_BY_SEGMENT = np.array([2.0, 9.0, 24.0])  # Poisson mean beyond the first session
MEAN_VIEWS_PER_SESSION = 7.0
MAX_VIEWS_PER_SESSION = 40
OWN_STOREFRONT_SHARE = 0.9
FOCUS_SHARE = 0.8
CART_RATE = 1.0 / 8.0
PURCHASE_RATE_BY_SEGMENT = np.array([0.25, 0.33, 0.45])
# Share of sessions starting in each UTC hour: quiet at night, peak in the evening.
HOUR_WEIGHTS = np.array([3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 6, 6, 6, 6, 7, 8, 10, 11, 11, 9, 6], dtype=float)
VIEW, CART, PURCHASE = 0, 1, 2
PURCHASE_KEY_OFFSET = 1_000_000  # purchases sort after every view/cart of their session
CUSTOMER_TIME_OFFSET = 10**10  # larger than any timestamp in seconds


@dataclass
class Sessions:
    """Sessions sorted by customer, then start time."""

    customer: np.ndarray
    start: np.ndarray
    is_chinese: np.ndarray
    focus: np.ndarray


@dataclass
class EventArrays:
    """Events sorted by customer and time, as parallel arrays."""

    session: np.ndarray
    customer: np.ndarray
    product: np.ndarray
    kind: np.ndarray
    quantity: np.ndarray
    seconds: np.ndarray
    position: np.ndarray


def draw_category(*, preference: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per row of a (n, n_categories) preference matrix."""
    cumulative = preference.cumsum(axis=1)
    cumulative /= cumulative[:, -1:]
    return sample_rows(cumulative=cumulative, rows=np.arange(preference.shape[0]), rng=rng)


def draw_sessions(*, customers: Customers, rng: np.random.Generator) -> Sessions:
    """Session counts by segment, start times in the last 180 days, storefront and focus category."""
    n_sessions = 1 + rng.poisson(EXTRA_SESSIONS_BY_SEGMENT[customers.segment])
    customer = np.repeat(np.arange(n_sessions.size), n_sessions)
    end = reference_seconds() - 3600
    window_start = np.maximum(end - WINDOW_DAYS * SECONDS_PER_DAY, customers.created_seconds[customer] + 3600)
    moment = window_start + (rng.random(customer.size) * (end - window_start)).astype(np.int64)
    hour = rng.choice(24, size=customer.size, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    start = moment - moment % SECONDS_PER_DAY + hour * 3600 + rng.integers(0, 3600, size=customer.size)
    start = np.where(start < window_start, start + SECONDS_PER_DAY, start)
    start = np.where(start > end, moment, start)
    order = np.lexsort((start, customer))
    customer, start = customer[order], start[order]
    own_storefront = rng.random(customer.size) < OWN_STOREFRONT_SHARE
    is_chinese = customers.prefers_chinese[customer] == own_storefront
    focus = draw_category(preference=customers.category_preference[customer], rng=rng)
    return Sessions(customer=customer, start=start, is_chinese=is_chinese, focus=focus)


def sample_products(
    *, customer: np.ndarray, is_chinese: np.ndarray, top: np.ndarray, customers: Customers, catalog: Catalog,
    rng: np.random.Generator,
) -> np.ndarray:
    """A product per view from the storefront and category of the view, weighted by taste."""
    products = np.zeros(customer.size, dtype=np.int64)
    log_relative_price = np.log(catalog.relative_price)
    # Price-insensitive customers lean to premium items, sensitive ones to cheap items.
    price_exponent = 0.5 - 2.0 * customers.price_sensitivity
    for chinese in (False, True):
        for top_index in np.unique(top):
            mask = (is_chinese == chinese) & (top == top_index)
            if not mask.any():
                continue
            pool = np.flatnonzero((catalog.is_chinese == chinese) & (catalog.top == top_index))
            if pool.size == 0:
                pool = np.flatnonzero(catalog.is_chinese == chinese)
            if pool.size == 0:
                pool = np.arange(catalog.price.size)
            group_customers, rows = np.unique(customer[mask], return_inverse=True)
            weights = (
                catalog.popularity[pool][None, :]
                * customers.brand_affinity[np.ix_(group_customers, catalog.brand[pool])]
                * np.exp(price_exponent[group_customers][:, None] * log_relative_price[pool][None, :])
            )
            cumulative = weights.cumsum(axis=1)
            cumulative /= cumulative[:, -1:]
            products[mask] = pool[sample_rows(cumulative=cumulative, rows=rows, rng=rng)]
    return products


def draw_views(
    *, sessions: Sessions, customers: Customers, catalog: Catalog, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Viewed products: mostly from the session's focus category.

    Returns:
        The session of each view and the viewed product, in session order.
    """
    n_views = rng.geometric(1.0 / MEAN_VIEWS_PER_SESSION, size=sessions.customer.size)
    n_views = np.minimum(n_views, MAX_VIEWS_PER_SESSION)
    session = np.repeat(np.arange(n_views.size), n_views)
    customer = sessions.customer[session]
    other_top = draw_category(preference=customers.category_preference[customer], rng=rng)
    top = np.where(rng.random(session.size) < FOCUS_SHARE, sessions.focus[session], other_top)
    product = sample_products(
        customer=customer, is_chinese=sessions.is_chinese[session], top=top, customers=customers, catalog=catalog,
        rng=rng,
    )
    return session, product


def draw_funnel(
    *, session: np.ndarray, product: np.ndarray, sessions: Sessions, customers: Customers, catalog: Catalog,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which views are added to the cart and which carts are bought.

    Returns:
        Cart mask, purchase mask (one purchase per product and session) and quantities.
    """
    appeal = np.exp(0.3 * catalog.quality)
    cart_probability = CART_RATE / AVAILABLE_SHARE * catalog.available * appeal / appeal.mean()
    carted = rng.random(product.size) < np.minimum(cart_probability[product], 0.9)
    segment = customers.segment[sessions.customer[session]]
    purchased = carted & (rng.random(product.size) < PURCHASE_RATE_BY_SEGMENT[segment])
    purchased_rows = np.flatnonzero(purchased)
    _, first_rows = np.unique(session[purchased_rows] * catalog.price.size + product[purchased_rows], return_index=True)
    purchased[:] = False
    purchased[purchased_rows[first_rows]] = True
    draws = rng.random(product.size)
    quantity = 1.0 + (draws < 0.12) + (draws < 0.04)
    return carted, purchased, quantity


def gaps_between(*, kind: np.ndarray, first_in_session: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Seconds since the previous event of the session (0 for the first)."""
    n_events = kind.size
    gaps = np.select(
        [kind == VIEW, kind == CART],
        [5 + rng.exponential(40.0, size=n_events), 3 + rng.exponential(20.0, size=n_events)],
        default=1 + rng.exponential(2.0, size=n_events),
    )
    previous_kind = np.r_[VIEW, kind[:-1]]
    checkout = (kind == PURCHASE) & (previous_kind != PURCHASE)
    gaps = np.where(checkout, 30 + rng.exponential(90.0, size=n_events), gaps)
    return np.where(first_in_session, 0.0, gaps)


def assemble_events(
    *, sessions: Sessions, session: np.ndarray, product: np.ndarray, funnel: tuple[np.ndarray, np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> EventArrays:
    """Interleave views, carts and end-of-session purchases and give them timestamps.

    Timestamps are strictly increasing per customer: each event follows the previous
    one of the session, and a session that would overlap the customer's previous one
    is pushed after it.
    """
    carted, purchased, quantity = funnel
    view_position = positions_in_groups(session)
    purchase_rows = np.flatnonzero(purchased)
    rows = np.concatenate([np.arange(session.size), np.flatnonzero(carted), purchase_rows])
    kind = np.concatenate([
        np.full(session.size, VIEW), np.full(int(carted.sum()), CART), np.full(purchase_rows.size, PURCHASE)
    ])
    key = np.concatenate([
        2 * view_position, 2 * view_position[carted] + 1, PURCHASE_KEY_OFFSET + view_position[purchase_rows]
    ])
    event_session = session[rows]
    order = np.lexsort((key, event_session))
    rows, kind, event_session = rows[order], kind[order], event_session[order]
    first_in_session = np.r_[True, event_session[1:] != event_session[:-1]]
    gaps = gaps_between(kind=kind, first_in_session=first_in_session, rng=rng)
    cumulative = np.cumsum(gaps)
    session_base = np.maximum.accumulate(np.where(first_in_session, cumulative, 0.0))
    seconds = sessions.start[event_session] + (cumulative - session_base).astype(np.int64)
    customer = sessions.customer[event_session]
    position = positions_in_groups(customer)
    shifted = customer * CUSTOMER_TIME_OFFSET + seconds - position
    seconds = np.maximum.accumulate(shifted) - customer * CUSTOMER_TIME_OFFSET + position
    return EventArrays(
        session=event_session,
        customer=customer,
        product=product[rows],
        kind=kind,
        quantity=np.where(kind == VIEW, 1.0, quantity[rows]),
        seconds=seconds,
        position=position,
    )


def generate_event_arrays(
    *, customers: Customers, catalog: Catalog, rng: np.random.Generator
) -> tuple[Sessions, EventArrays]:
    """Draw sessions and their events.

    Args:
        customers: customers with tastes.
        catalog: the catalog.
        rng: random generator of the behaviour stream.

    Returns:
        The sessions and the events sorted by customer and time.
    """
    sessions = draw_sessions(customers=customers, rng=rng)
    session, product = draw_views(sessions=sessions, customers=customers, catalog=catalog, rng=rng)
    funnel = draw_funnel(
        session=session, product=product, sessions=sessions, customers=customers, catalog=catalog, rng=rng
    )
    events = assemble_events(sessions=sessions, session=session, product=product, funnel=funnel, rng=rng)
    return sessions, events
