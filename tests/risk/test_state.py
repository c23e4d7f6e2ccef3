"""Customer state: in-process and on the real Redis server, including concurrent updates."""

from __future__ import annotations

import threading

import pytest

from llm4retail.errors import ConfigError, StoreUnavailableError
from llm4retail.risk.state import CustomerState, MemoryStateStore, RedisStateStore, StateStore


def _observe(amount: float, seconds: float = 0.0):  # noqa: ANN202
    return lambda state: state.observe(seconds=seconds, amount=amount, currency="EUR", device_id="d1", country="DE")


def _contract(store: StateStore) -> None:
    first = store.transact("c1", _observe(10.0))
    assert first["customer_payments_before"] == 0
    second = store.transact("c1", _observe(30.0, seconds=60.0))
    assert second["customer_payments_before"] == 1 and second["amount_vs_customer_mean"] == pytest.approx(3.0)
    assert second["new_device"] == 0 and second["new_country"] == 0
    assert store.get("c1").n_payments == 2 and store.get("unknown").n_payments == 0
    store.put_many({"c2": CustomerState(n_payments=5, amount_sum=50.0)})
    assert store.get("c2").n_payments == 5
    assert store.claim("marker") is True and store.claim("marker") is False
    store.clear()
    assert store.get("c1").n_payments == 0 and store.claim("marker") is True


@pytest.mark.unit
def test_memory_state_contract() -> None:
    _contract(MemoryStateStore())


@pytest.mark.integration
def test_redis_state_contract(redis_state: RedisStateStore) -> None:
    _contract(redis_state)


@pytest.mark.integration
def test_redis_concurrent_updates_lose_nothing(redis_state: RedisStateStore) -> None:
    def worker() -> None:
        for _ in range(25):
            redis_state.transact("shared", _observe(1.0))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = redis_state.get("shared")
    assert state.n_payments == 100 and state.amount_sum == pytest.approx(100.0)


@pytest.mark.unit
def test_state_json_round_trip_and_window() -> None:
    state = CustomerState()
    for seconds in (0.0, 5000.0, 90_000.0):
        _, state = state.observe(seconds=seconds, amount=2.0, currency=None, device_id=None)
    assert [time for time, _ in state.recent] == [5000.0, 90_000.0]  # older than 24 h dropped
    assert CustomerState.from_json(state.to_json()) == state


@pytest.mark.unit
def test_redis_errors_are_explicit() -> None:
    with pytest.raises(ConfigError, match="Redis URL"):
        RedisStateStore("http://nowhere")
    with pytest.raises(StoreUnavailableError, match="cannot reach"):
        RedisStateStore("redis://127.0.0.1:1/0")
