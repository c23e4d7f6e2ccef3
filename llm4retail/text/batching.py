"""Group-commit batching of query encodes: the queries that arrive while the encoder is busy are
encoded together in its next call.

The sentence encoder's cost for a short query is mostly streaming its weights through the CPU, which
one forward pass over several sentences does once for all of them: on the 2-core machine one query
costs 1.9 ms of CPU alone, 1.3 ms each in twos, 0.8 ms in fours and 0.6 ms in eights. A server under
load has many searches waiting at once, so one encoder thread per process takes every query pending
when it becomes free (up to `max_batch`) and encodes them in one call. A lone query is encoded at
once (no waiting for company), so latency at low load is unchanged and the batches grow with the load.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import numpy as np

logger = logging.getLogger(__name__)

EncodeMany = Callable[[Sequence[str]], np.ndarray]


class QueryBatcher:
    """Encodes submitted texts on one daemon thread, every text pending at each call together.

    Example:
        >>> batcher = QueryBatcher(lambda texts: encode(texts))
        >>> batcher.submit("red sofa").result().shape
        (512,)
    """

    def __init__(self, encode_many: EncodeMany, *, max_batch: int = 32, name: str = "query-encoder") -> None:
        """
        Args:
            encode_many: texts -> one row per text (thread-safe to call from the batcher's thread).
            max_batch: most texts in one call.
            name: the thread's name (in stack dumps and profiles).
        """
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}")
        self.encode_many, self.max_batch, self.name = encode_many, max_batch, name
        self._queue: queue.SimpleQueue[tuple[str, Future[np.ndarray]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.calls = 0  # encoder calls made, and texts encoded in them (batching at work: texts / calls)
        self.texts = 0

    def submit(self, text: str) -> Future[np.ndarray]:
        """The future row of `text` (`.result()` waits; `asyncio.wrap_future` awaits it)."""
        future: Future[np.ndarray] = Future()
        self._queue.put((text, future))
        self._ensure_thread()
        return future

    def encode(self, text: str) -> np.ndarray:
        """The row of `text`, encoded with whatever else is pending (blocks the calling thread)."""
        return self.submit(text).result()

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]  # sleeps until there is work
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._encode(batch)

    def _encode(self, batch: list[tuple[str, Future[np.ndarray]]]) -> None:
        live = [(text, future) for text, future in batch if future.set_running_or_notify_cancel()]
        if not live:
            return
        texts = list(dict.fromkeys(text for text, _ in live))  # a query twice in one batch is encoded once
        try:
            rows = self.encode_many(texts)
        except BaseException as error:  # noqa: BLE001 - handed to every waiter, who raises it
            for _, future in live:
                future.set_exception(error)
            return
        self.calls += 1
        self.texts += len(texts)
        # each row its own array: a kept row must not keep its whole batch alive
        by_text = {text: np.array(row) for text, row in zip(texts, rows, strict=True)}
        for text, future in live:
            future.set_result(by_text[text])
