"""Group-commit batching of query encodes: queries pending together share one encoder call."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from llm4retail.text.batching import QueryBatcher
from llm4retail.text.encoder import encode, encode_query, encode_query_async


class GatedEncoder:
    """Encodes each text as [len, sum of code points]; the first call waits for `gate` (the encoder busy)."""

    def __init__(self) -> None:
        self.gate, self.entered = threading.Event(), threading.Event()
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            self.entered.set()
            assert self.gate.wait(10)
        if any(text == "boom" for text in texts):
            raise ValueError("cannot encode boom")
        return np.array([[len(text), sum(map(ord, text))] for text in texts], dtype=np.float32)


def test_queries_pending_while_the_encoder_is_busy_share_its_next_call() -> None:
    encoder = GatedEncoder()
    batcher = QueryBatcher(encoder, max_batch=4)
    first = batcher.submit("first")
    assert encoder.entered.wait(10)  # the encoder thread is busy with "first" alone
    waiting = [batcher.submit(text) for text in ("a", "bb", "ccc", "bb", "dddd", "eeeee")]
    encoder.gate.set()
    assert first.result(10).tolist() == [5, sum(map(ord, "first"))]
    for future, text in zip(waiting, ("a", "bb", "ccc", "bb", "dddd", "eeeee"), strict=True):
        assert future.result(10).tolist() == [len(text), sum(map(ord, text))]
    # then at most max_batch (4) pending submissions per call, a text twice in one call encoded once
    assert encoder.calls == [["first"], ["a", "bb", "ccc"], ["dddd", "eeeee"]]
    assert (batcher.calls, batcher.texts) == (3, 6)


def test_an_error_reaches_every_waiter_of_its_batch_and_the_thread_goes_on() -> None:
    encoder = GatedEncoder()
    batcher = QueryBatcher(encoder)
    first = batcher.submit("first")
    assert encoder.entered.wait(10)
    same_batch = [batcher.submit("boom"), batcher.submit("fine")]
    encoder.gate.set()
    first.result(10)
    for future in same_batch:
        with pytest.raises(ValueError, match="cannot encode boom"):
            future.result(10)
    assert batcher.encode("later").tolist() == [5, sum(map(ord, "later"))]


def test_a_cancelled_submission_is_not_encoded() -> None:
    encoder = GatedEncoder()
    batcher = QueryBatcher(encoder)
    batcher.submit("first")
    assert encoder.entered.wait(10)
    cancelled, kept = batcher.submit("gone"), batcher.submit("kept")
    assert cancelled.cancel()
    encoder.gate.set()
    assert kept.result(10).tolist() == [4, sum(map(ord, "kept"))]
    assert encoder.calls[1] == ["kept"]


def test_rows_are_their_own_arrays() -> None:
    batcher = QueryBatcher(lambda texts: np.ones((len(texts), 3), dtype=np.float32))
    row = batcher.encode("x")
    assert row.base is None  # a kept row does not keep its batch alive


def test_batched_query_vectors_equal_one_by_one_encodes() -> None:
    queries = [f"cordless drill {number} volt" for number in range(12)] + ["红色沙发", "红色沙发"]
    expected = encode(queries, threads=1)
    with ThreadPoolExecutor(8) as pool:  # many at once: the encoder thread batches some of them
        vectors = list(pool.map(encode_query, queries))
    for vector, row in zip(vectors, expected, strict=True):
        np.testing.assert_allclose(vector, row, atol=1e-5)
        assert not vector.flags.writeable

    async def concurrently() -> list[np.ndarray]:
        return await asyncio.gather(*(encode_query_async(f"garden hose {number} ft") for number in range(6)))

    expected = encode([f"garden hose {number} ft" for number in range(6)], threads=1)
    with ThreadPoolExecutor(1) as pool:  # a loop of its own (Playwright's sync API may run one in this thread)
        vectors = pool.submit(asyncio.run, concurrently()).result()
    for vector, row in zip(vectors, expected, strict=True):
        np.testing.assert_allclose(vector, row, atol=1e-5)
