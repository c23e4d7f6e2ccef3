"""What the storefront showed and what shoppers clicked: the live traffic of the feedback loop and of
online evaluation (`llm4retail.eval.online`).

An impression is one list of products shown on one page (a search result page, "similar items",
"bought together", "for you") with the model version that ranked it; a click names the impression and
the position it came from (the storefront's links carry both). Both live in the store's database, in
tables of their own (`storefront_impressions`, `storefront_clicks`), beside the contract tables.

Example:
    >>> log = ImpressionLog(store)
    >>> shown = log.record(surface="search", model="search/v0001", product_ids=["p1", "p2"], session_id="s1")
    >>> log.click(shown, product_id="p2", position=2)
    True
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from enum import StrEnum

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
METADATA = sa.MetaData()
IMPRESSIONS = sa.Table(
    "storefront_impressions", METADATA,
    sa.Column("impression_id", sa.Text, primary_key=True),
    sa.Column("shown_at", sa.DateTime, nullable=False, index=True),
    sa.Column("surface", sa.Text, nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("session_id", sa.Text, nullable=False),
    sa.Column("customer_id", sa.Text, index=True),
    sa.Column("query", sa.Text),
    sa.Column("product_ids", _JSON, nullable=False),
)  # fmt: skip
CLICKS = sa.Table(
    "storefront_clicks", METADATA,
    sa.Column("click_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("impression_id", sa.Text, sa.ForeignKey("storefront_impressions.impression_id"), nullable=False, index=True),
    sa.Column("product_id", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("clicked_at", sa.DateTime, nullable=False),
)  # fmt: skip
MAX_SHOWN = 100  # products kept per impression
CART_EVENTS = ("add_to_cart", "purchase")  # a shopper acting on what was shown


class Surface(StrEnum):
    """Where on the storefront a list was shown."""

    SEARCH = "search"
    SIMILAR = "similar"
    BOUGHT_TOGETHER = "bought_together"
    FOR_YOU = "for_you"


class ImpressionLog:
    """Records impressions and clicks in the store's database (tables created on first use).

    Args:
        store: the store whose engine holds the tables.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def _begin(self) -> sa.engine.Connection:
        self.store.ensure_tables(METADATA)  # once, under the store's lock
        return self.store.engine.begin()  # type: ignore[return-value]

    def record(
        self, *, surface: Surface | str, model: str, product_ids: Sequence[str], session_id: str,
        customer_id: str | None = None, query: str | None = None,
    ) -> str | None:  # fmt: skip
        """Stores one shown list; its id (for the links of the page), or None when nothing was shown."""
        if not product_ids:
            return None
        impression_id = uuid.uuid4().hex
        row = {
            "impression_id": impression_id, "shown_at": _now(), "surface": Surface(surface).value, "model": model,
            "session_id": session_id, "customer_id": customer_id, "query": (query or None) and query[:512],
            "product_ids": [str(product) for product in product_ids[:MAX_SHOWN]],
        }  # fmt: skip
        with self._begin() as connection:
            connection.execute(sa.insert(IMPRESSIONS), [row])
        return impression_id

    def click(self, impression_id: str, *, product_id: str, position: int) -> bool:
        """Stores a click on the product at `position` (1-based) of an impression; False (nothing stored) when the
        impression does not exist or did not show that product there (a stale or hand-made link)."""
        with self._begin() as connection:
            shown = connection.execute(
                sa.select(IMPRESSIONS.c.product_ids).where(IMPRESSIONS.c.impression_id == impression_id)
            ).scalar()
            if not shown or not 1 <= position <= len(shown) or shown[position - 1] != product_id:
                return False
            connection.execute(sa.insert(CLICKS), [{"impression_id": impression_id, "product_id": product_id,
                                                    "position": position, "clicked_at": _now()}])  # fmt: skip
        return True

    def frames(self, *, since: dt.datetime | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Impressions (shown since `since`) and their clicks, as frames for `llm4retail.eval.online`."""
        impressions = sa.select(IMPRESSIONS)
        if since is not None:
            impressions = impressions.where(IMPRESSIONS.c.shown_at >= since)
        clicks = sa.select(CLICKS).where(CLICKS.c.impression_id.in_(impressions.with_only_columns(IMPRESSIONS.c.impression_id)))
        with self._begin() as connection:
            shown = pd.DataFrame(connection.execute(impressions).mappings().all(), columns=[c.name for c in IMPRESSIONS.c])
            clicked = pd.DataFrame(connection.execute(clicks).mappings().all(), columns=[c.name for c in CLICKS.c])
        return shown, clicked


def cart_events(store: Store, *, since: dt.datetime | None = None) -> pd.DataFrame:
    """The store's `add_to_cart` and `purchase` events (since `since`): what online evaluation counts as a
    shopper acting on a list."""
    events = store.tables[Table.EVENTS]
    query = sa.select(events.c.customer_id, events.c.product_id, events.c.event_type, events.c.timestamp).where(
        events.c.event_type.in_(CART_EVENTS)
    )
    if since is not None:
        query = query.where(events.c.timestamp >= since)
    with store.engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return pd.DataFrame(rows, columns=["customer_id", "product_id", "event_type", "timestamp"])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # naive UTC, as the store keeps times
