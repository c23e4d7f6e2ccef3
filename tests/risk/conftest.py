"""Fixtures of the risk tests: small payment frames with a known answer, and the real Redis server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from llm4retail.errors import ConfigError, StoreUnavailableError
from llm4retail.risk.state import RedisStateStore

REDIS_URL = os.environ.get("LLM4RETAIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def labelled_payments(n_rows: int = 1200, *, seed: int = 0) -> pd.DataFrame:
    """Payments over 10 days where fraud is a large `signal` feature and large amounts (known answer)."""
    rng = np.random.default_rng(seed)
    label = (rng.random(n_rows) < 0.1).astype(int)
    signal = rng.normal(size=n_rows) + 3.0 * label
    amount = np.round(np.exp(rng.normal(3.0, 0.5, size=n_rows) + 1.0 * label), 2)
    seconds = np.sort(rng.integers(0, 10 * 86_400, size=n_rows))
    return pd.DataFrame({
        "payment_id": [f"p{index}" for index in range(n_rows)],
        "amount": amount,
        "timestamp": pd.Timestamp("2025-01-01") + pd.to_timedelta(seconds, unit="s"),
        "customer_id": [f"c{index}" for index in rng.integers(0, 150, size=n_rows)],
        "currency": "EUR",
        "features": [{"signal": float(value), "noise": float(noise)} for value, noise in
                     zip(signal, rng.normal(size=n_rows))],
        "label": label,
    })


@pytest.fixture
def payments() -> pd.DataFrame:
    """1,200 labelled payments, ~10% fraud, fraud driven by `signal`."""
    return labelled_payments()


@pytest.fixture
def redis_state() -> Iterator[RedisStateStore]:
    """A Redis state store on the real server under a fresh key prefix, cleared afterwards."""
    try:
        store = RedisStateStore(REDIS_URL, prefix=f"llm4retail:test:{uuid.uuid4().hex[:12]}:")
    except (StoreUnavailableError, ConfigError) as error:
        pytest.fail(f"Redis is required by the server-mode risk tests but is not reachable at {REDIS_URL} ({error}). "
                    "Start redis-server or set LLM4RETAIL_TEST_REDIS_URL.", pytrace=False)
    yield store
    store.clear()
