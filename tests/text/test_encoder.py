"""The shared sentence encoder: one BLAS thread for small calls, wide calls restore it, and the query cache."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from llm4retail.text import encoder

pytestmark = pytest.mark.unit


def _blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_small_calls_run_on_one_blas_thread_and_wide_calls_restore_it() -> None:
    encoder.sentence_encoder()
    assert _blas_threads() == {1}  # set once at load, for the whole process
    seen: list[set[int]] = []
    original = encoder._STATE["model"].encode

    def spy(texts: list[str]) -> np.ndarray:
        seen.append(_blas_threads())
        return original(texts)

    encoder._STATE["model"].encode = spy
    try:
        encoder.embed(["one query"], threads=4)
        encoder.embed([f"product {number}" for number in range(encoder.SMALL_CALL + 1)], threads=2)
    finally:
        del encoder._STATE["model"].encode  # back to the class's method
    assert seen[0] == {1} and seen[1] == {2}
    assert _blas_threads() == {1}


def test_encode_query_is_encode_and_remembers_the_last_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = encoder._QueryCache(2)
    monkeypatch.setattr(encoder, "_QUERIES", cache)
    first = encoder.encode_query("grey fabric sofa")
    assert np.allclose(first, encoder.encode(["grey fabric sofa"])[0], atol=1e-6)
    assert encoder.encode_query("grey fabric sofa") is first  # from the cache
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 1.0  # shared between requests: nobody may change it
    encoder.encode_query("蓝牙耳机")
    encoder.encode_query("red dress")
    assert list(cache.vectors) == ["蓝牙耳机", "red dress"]  # least recently used went first


def test_concurrent_queries_give_the_same_vectors_as_one_at_a_time() -> None:
    texts = [f"cordless drill {number} volt" for number in range(12)]
    expected = encoder.encode(texts)
    results: dict[int, np.ndarray] = {}

    def work(number: int) -> None:
        results[number] = encoder.encode([texts[number]])[0]

    threads = [threading.Thread(target=work, args=(number,)) for number in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert np.allclose(np.vstack([results[number] for number in range(len(texts))]), expected, atol=1e-5)
