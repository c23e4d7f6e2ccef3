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


def test_half_precision_scan_equals_exact_search_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fp16 scan plus float32 rescoring returns the exact top k, over many blocks (merged once there are
    more than MAX_BLOCKS), tombstones and masks; a copy changes without disturbing the original."""
    from llm4retail.search import dense

    monkeypatch.setattr(dense, "SMALL_CATALOG", 0)  # always scan (the default scores small catalogs directly)
    monkeypatch.setattr(dense, "SMALL_SUBSET", 0)
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(2_000, 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = DenseIndex()
    for chunk in np.array_split(vectors, 11):  # 11 adds: the blocks are merged once
        index.add(chunk)
    assert len(index._blocks) < 11
    dead = rng.choice(2_000, size=300, replace=False)
    for slot in dead:
        index.remove(int(slot))
    allowed = rng.random(2_000) < 0.5
    for query_slot in (3, 777, 1_999):
        query = vectors[query_slot] + 0.3 * rng.normal(size=512).astype(np.float32)
        query /= np.linalg.norm(query)
        for mask in (None, allowed):
            live = index.alive if mask is None else index.alive & mask
            exact = np.flatnonzero(live)[np.argsort(-(vectors[live] @ query))[:20]]
            slots, scores = index.search(query, top_k=20, allowed=mask)
            assert slots.tolist() == exact.tolist()
            assert np.allclose(scores, vectors[slots] @ query, atol=1e-6)
    clone = index.copy()
    clone.add(vectors[:5])
    clone.remove(0)
    assert len(index.vectors) == 2_000 and len(clone.vectors) == 2_005 and index.alive[0] == (0 not in dead)
