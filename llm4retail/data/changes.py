"""The change feed of server mode: every API worker (and machine) serving one store hears of the writes
the others took, at once, over Redis publish/subscribe.

A worker that writes products or events updates its own loaded search index and recommenders, then
publishes the kind of change and the keys written (never the rows). Every other worker's listener thread
reads those rows from the shared store and applies the same update to its own loaded state. Without a
Redis URL there is no feed (one worker, the embedded default). A Redis that does not answer never fails
a write: the publisher logs a warning (at most once a minute) and the listener reconnects with back-off.

Example:
    >>> feed = ChangeFeed("redis://127.0.0.1:6379/0", on_change=apply)   # apply(kind, keys)
    >>> feed.start(); feed.publish("products_changed", ["p1"])
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence

import redis

logger = logging.getLogger(__name__)

KINDS = ("products_changed", "products_deleted", "events_recorded")
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)  # back-off between attempts to listen again
WARN_EVERY_SECONDS = 60.0


class ChangeFeed:
    """Publishes this process's writes and applies the other processes' (see the module docstring).

    Args:
        redis_url: the Redis of server mode.
        on_change: called with (kind, keys) for each change another process published, in the listener thread.
        channel: the pub/sub channel (one per store: its prefix separates stores sharing one Redis).
    """

    def __init__(self, redis_url: str, *, on_change: Callable[[str, list[str]], None], channel: str = "llm4retail:changes") -> None:
        self.redis_url = redis_url
        self.channel = channel
        self.on_change = on_change
        self.origin = uuid.uuid4().hex  # this process: its own messages are not applied twice
        self._client = redis.Redis.from_url(redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._subscribed = threading.Event()
        self._warned_at = 0.0
        self.applied = 0  # changes of other processes applied here (for /ready and tests)

    def start(self) -> None:
        """Starts listening in a daemon thread; returns once subscribed (or after 2 s if Redis does not answer)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._listen, name="change-feed", daemon=True)
        self._thread.start()
        self._subscribed.wait(timeout=2.0)

    @property
    def listening(self) -> bool:
        """True while subscribed to the channel."""
        return self._subscribed.is_set()

    def publish(self, kind: str, keys: Sequence[str]) -> None:
        """Tells the other processes that `keys` of `kind` were written (after the write committed)."""
        if kind not in KINDS:
            raise ValueError(f"unknown change kind '{kind}'")
        if not keys:
            return
        message = json.dumps({"origin": self.origin, "kind": kind, "keys": [str(key) for key in keys]})
        try:
            self._client.publish(self.channel, message)
        except redis.RedisError as error:
            now = time.monotonic()
            if now - self._warned_at > WARN_EVERY_SECONDS:
                self._warned_at = now
                logger.warning("change feed: cannot publish to Redis (%s); other workers miss this %s until they "
                               "reload", error, kind)  # fmt: skip

    def _listen(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                self._subscribed.set()
                attempt = 0
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None:
                        self._handle(message.get("data"))
            except redis.RedisError as error:
                self._subscribed.clear()
                logger.warning("change feed: Redis connection lost (%s); listening again shortly", error)
                self._stop.wait(RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)])
                attempt += 1
            finally:
                pubsub.close()

    def _handle(self, data: bytes | str | None) -> None:
        try:
            message = json.loads(data or "")
            kind, keys, origin = message["kind"], message["keys"], message["origin"]
        except (ValueError, KeyError, TypeError):
            logger.warning("change feed: ignored a malformed message")
            return
        if origin == self.origin or kind not in KINDS:
            return
        try:
            self.on_change(kind, [str(key) for key in keys])
            self.applied += 1
        except Exception:  # a failure to apply one change must not stop the feed
            logger.exception("change feed: applying %s of %d keys failed", kind, len(keys))

    def close(self) -> None:
        """Stops listening and closes the connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3.0)
        self._client.close()
