"""The embedding channel: the packaged multilingual encoder and both index paths (exact and HNSW)."""

from __future__ import annotations

import numpy as np
import pytest

from llm4retail.search.dense import DenseIndex
from llm4retail.text.encoder import encode

pytestmark = pytest.mark.unit


def test_encoder_matches_across_languages() -> None:
    vectors = encode(["grey fabric sofa", "灰色布艺沙发", "bluetooth headphones", "蓝牙耳机"])
    assert vectors.shape == (4, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 3] and similarity[2, 3] > similarity[2, 1]


@pytest.mark.parametrize("threshold", [1_000, 10])  # exact scan, then the HNSW graph
def test_index_search_respects_tombstones_and_masks(threshold: int) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = DenseIndex(hnsw_threshold=threshold)
    index.add(vectors[:200])
    index.add(vectors[200:])
    slots, scores = index.search(vectors[5], top_k=3)
    assert slots[0] == 5 and scores[0] == pytest.approx(1.0, abs=1e-4)
    index.remove(5)
    assert 5 not in index.search(vectors[5], top_k=3)[0]
    allowed = np.zeros(300, dtype=bool)
    allowed[250:] = True
    slots, _ = index.search(vectors[260], top_k=5, allowed=allowed)
    assert slots[0] == 260 and all(slot >= 250 for slot in slots)
