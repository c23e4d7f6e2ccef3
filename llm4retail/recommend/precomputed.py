"""Precomputed "for you" lists: what `llm4retail batch run recommend` writes for every customer, and how the
service reads them back for a request.

A precomputed list costs one indexed read instead of scoring the whole catalog, which matters for costly
models (the sequential Transformer) and large catalogs. The service serves it only when it was computed by
the model it serves now, and re-ranks it with what happened since (see `RecommendService.for_customer`).
"""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from llm4retail.data.store import Store

METADATA = sa.MetaData()
RECOMMENDATIONS = sa.Table(
    "batch_recommendations", METADATA,
    sa.Column("customer_id", sa.Text, primary_key=True),
    sa.Column("rank", sa.Integer, primary_key=True),
    sa.Column("product_id", sa.Text, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("run_id", sa.Text, nullable=False, index=True),
)  # fmt: skip
RECHECK_SECONDS = 30.0  # how often a store without the table is asked again (a batch run may create it)


class PrecomputedLists:
    """Reads a customer's precomputed list from the store.

    Args:
        store: the store the batch job wrote to.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._exists = False
        self._checked = -RECHECK_SECONDS
        self._lock = threading.Lock()

    def _table_exists(self) -> bool:
        with self._lock:
            if not self._exists and time.monotonic() - self._checked >= RECHECK_SECONDS:
                self._checked = time.monotonic()
                self._exists = sa.inspect(self.store.engine).has_table(RECOMMENDATIONS.name)
            return self._exists

    def get(self, customer_id: str, *, model: str) -> list[tuple[str, float, str | None]]:
        """(product_id, score, reason) best first, from `model`; empty when there is none."""
        if not self._table_exists():
            return []
        query = (
            sa.select(RECOMMENDATIONS.c.product_id, RECOMMENDATIONS.c.score, RECOMMENDATIONS.c.reason)
            .where(RECOMMENDATIONS.c.customer_id == customer_id, RECOMMENDATIONS.c.model == model)
            .order_by(RECOMMENDATIONS.c.rank)
        )
        with self.store.engine.connect() as connection:
            return [(str(product), float(score), reason) for product, score, reason in connection.execute(query)]
