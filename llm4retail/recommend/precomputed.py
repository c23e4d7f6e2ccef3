"""Precomputed "for you" lists: what `llm4retail batch run recommend` writes for every customer, and how the
service reads them back for a request.

A precomputed list costs one indexed read instead of scoring the whole catalog, which matters for costly
models (the sequential Transformer) and large catalogs. The service serves it only when it was computed by
the model it serves now, and re-ranks it with what happened since (see `RecommendService.for_customer`).

In server mode (`LLM4RETAIL_REDIS_URL`) Redis caches the lists in front of the store, so that a request of
any API worker costs one GET: the batch job writes each chunk's lists to Redis as soon as the chunk is
committed to the store (write-through), a customer missing from Redis is read from the store once and
cached (an empty list too, so that customers without one do not query the store on every request), and
each entry expires after `CACHE_SECONDS` (entries are keyed by model version, so those of replaced models
go by themselves). The store stays the record: a Redis that does not answer only costs the store's read.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import redis
import sqlalchemy as sa

from llm4retail.data.store import Store

logger = logging.getLogger(__name__)

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
CACHE_SECONDS = 7 * 24 * 3600  # how long Redis keeps a list (the batch job is usually run daily or weekly)
WARN_EVERY_SECONDS = 60.0
Row = tuple[str, float, str | None]  # product_id, score, reason


class PrecomputedLists:
    """Reads a customer's precomputed list: from Redis in server mode, else (and on a miss) from the store.

    Args:
        store: the store the batch job wrote to.
        redis_url: server mode's Redis (None: the store only).
        prefix: the store's key prefix in Redis (`LLM4RETAIL_REDIS_PREFIX`).
        cache_seconds: how long a cached list lives in Redis.
    """

    def __init__(self, store: Store, *, redis_url: str | None = None, prefix: str = "llm4retail:",
                 cache_seconds: int = CACHE_SECONDS) -> None:  # fmt: skip
        self.store = store
        self._exists = False
        self._checked = -RECHECK_SECONDS
        self._lock = threading.Lock()
        self.prefix = f"{prefix}foryou:"
        self.cache_seconds = cache_seconds
        self.redis = (redis.Redis.from_url(redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)
                      if redis_url else None)  # fmt: skip
        self._warned_at = 0.0
        self.cache_hits = 0  # lists served from Redis (for tests and /ready)

    def key(self, customer_id: str, model: str) -> str:
        """The Redis key of a customer's list from `model` (a model name and version)."""
        return f"{self.prefix}{model}:{customer_id}"

    def _table_exists(self) -> bool:
        with self._lock:
            if not self._exists and time.monotonic() - self._checked >= RECHECK_SECONDS:
                self._checked = time.monotonic()
                self._exists = sa.inspect(self.store.engine).has_table(RECOMMENDATIONS.name)
            return self._exists

    def get(self, customer_id: str, *, model: str) -> list[Row]:
        """(product_id, score, reason) best first, from `model`; empty when there is none."""
        if self.redis is not None:
            try:
                cached = self.redis.get(self.key(customer_id, model))
            except redis.RedisError as error:
                self._warn("read", error)
            else:
                if cached is not None:
                    self.cache_hits += 1
                    return [(str(product), float(score), reason) for product, score, reason in json.loads(cached)]
        rows = self._from_store(customer_id, model)
        if self.redis is not None:
            # only where the key is still absent: a batch chunk written meanwhile is newer than this read
            self.put(model, {customer_id: rows}, replace=False)
        return rows

    def put(self, model: str, lists: Mapping[str, Sequence[Row]], *, replace: bool = True) -> None:
        """Caches customers' lists from `model` in Redis (nothing without Redis; a Redis error is logged).
        `replace=False` leaves a key that exists already as it is."""
        if self.redis is None or not lists:
            return
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                for customer_id, rows in lists.items():
                    pipe.set(self.key(customer_id, model), json.dumps([list(row) for row in rows]),
                             ex=self.cache_seconds, nx=not replace)  # fmt: skip
                pipe.execute()
        except redis.RedisError as error:
            self._warn("write", error)

    def forget(self, model: str, customers: Iterable[str]) -> None:
        """Drops customers' cached lists from `model` (their rows left the store)."""
        keys = [self.key(customer_id, model) for customer_id in customers]
        if self.redis is None or not keys:
            return
        try:
            self.redis.delete(*keys)
        except redis.RedisError as error:
            self._warn("delete", error)

    def close(self) -> None:
        if self.redis is not None:
            self.redis.close()

    def _warn(self, action: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > WARN_EVERY_SECONDS:
            self._warned_at = now
            logger.warning("precomputed lists: cannot %s Redis (%s); reading them from the store", action, error)

    def _from_store(self, customer_id: str, model: str) -> list[Row]:
        if not self._table_exists():
            return []
        query = (
            sa.select(RECOMMENDATIONS.c.product_id, RECOMMENDATIONS.c.score, RECOMMENDATIONS.c.reason)
            .where(RECOMMENDATIONS.c.customer_id == customer_id, RECOMMENDATIONS.c.model == model)
            .order_by(RECOMMENDATIONS.c.rank)
        )
        with self.store.engine.connect() as connection:
            return [(str(product), float(score), reason) for product, score, reason in connection.execute(query)]


def lists_of(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Row]]:
    """Output rows of the batch job (customer_id, rank, product_id, score, reason) as lists per customer."""
    lists: dict[str, list[tuple[int, Row]]] = {}
    for row in rows:
        lists.setdefault(str(row["customer_id"]), []).append(
            (int(row["rank"]), (str(row["product_id"]), float(row["score"]), row.get("reason")))
        )
    return {customer: [item for _, item in sorted(items)] for customer, items in lists.items()}
