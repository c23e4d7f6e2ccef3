"""The assistant's sentence embeddings: the shared encoder (`llm4retail.text.encoder`) on two threads.

Vectors are 512-d and L2-normalised.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from llm4retail.text import encoder

DIMENSION = encoder.DIMENSION
THREADS = 2  # the machines this runs on have two cores shared with other work


def encode(texts: Sequence[str], *, batch_size: int = 256) -> np.ndarray:
    """`llm4retail.text.encoder.encode` on the assistant's two threads: one `(len(texts), 512)` row per text."""
    return encoder.encode(texts, threads=THREADS, batch_size=batch_size)


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
