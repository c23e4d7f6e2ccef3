"""Velocity features: a known answer, batch/stream parity, feature choice and input checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic import generate_demo_store
from llm4retail.errors import DataValidationError
from llm4retail.risk.features import HISTORY_FEATURES, FeatureSpec, history_features, payment_table, unix_seconds
from llm4retail.risk.model import time_ordered
from llm4retail.risk.state import CustomerState

pytestmark = pytest.mark.unit


def _frame(rows: list[tuple[str | None, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "amount", "currency"]).assign(
        timestamp=lambda frame: pd.to_datetime(frame["timestamp"]))


def test_history_features_known_answer() -> None:
    frame = _frame([
        ("a", "2025-01-01 10:00:00", 10.0, "EUR"),
        ("b", "2025-01-01 10:10:00", 50.0, "EUR"),
        ("a", "2025-01-01 10:30:00", 30.0, "EUR"),
        ("a", "2025-01-01 12:00:00", 100.0, "USD"),
        ("a", "2025-01-03 12:00:00", 5.0, "USD"),
        (None, "2025-01-03 12:00:00", 5.0, "USD"),
    ])
    table = history_features(frame)
    assert table["customer_payments_before"].tolist()[:5] == [0, 0, 1, 2, 3]
    assert table.loc[3, "amount_vs_customer_mean"] == pytest.approx(100.0 / 20.0)
    assert table.loc[2, "customer_count_1h"] == 1 and table.loc[3, "customer_count_1h"] == 0
    assert table.loc[3, "customer_count_24h"] == 2 and table.loc[4, "customer_count_24h"] == 0
    assert table.loc[3, "customer_amount_24h"] == pytest.approx(40.0)
    assert table.loc[2, "seconds_since_previous"] == 1800
    assert table.loc[3, "new_currency"] == 1 and table.loc[4, "new_currency"] == 0
    assert math.isnan(table.loc[0, "new_currency"])
    assert table.loc[5].isna().all()  # no customer: no history


def test_batch_features_equal_streamed_state() -> None:
    payments = time_ordered(generate_demo_store(seed=7).tables[Table.PAYMENTS])
    batch = history_features(payments)
    states: dict[str, CustomerState] = {}
    streamed = []
    for customer, seconds, amount, currency in zip(
        payments["customer_id"], unix_seconds(payments["timestamp"]), payments["amount"], payments["currency"]
    ):
        features, states[customer] = (states.get(customer) or CustomerState()).observe(
            seconds=seconds, amount=amount, currency=currency)
        streamed.append(features)
    streamed_frame = pd.DataFrame(streamed)
    for name in HISTORY_FEATURES:
        np.testing.assert_allclose(batch[name], streamed_frame[name], equal_nan=True, err_msg=name)
    assert batch["customer_count_1h"].max() >= 3  # the card-testing bursts show up


def test_feature_spec_drops_clock_and_constant_columns() -> None:
    rng = np.random.default_rng(0)
    stamps = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 10**6, 200)), unit="s")
    frame = pd.DataFrame({
        "amount": rng.uniform(1, 100, 200), "timestamp": stamps,
        "features": [{"clock": float(index), "useful": float(value), "flat": 1.0}
                     for index, value in enumerate(rng.normal(size=200))],
    })
    table = payment_table(frame)
    spec = FeatureSpec.fit(table, seconds=unix_seconds(frame["timestamp"]))
    assert "useful" in spec.columns and "amount" in spec.columns and "hour" in spec.columns
    assert "clock" not in spec.columns and "tracks time" in spec.dropped["clock"]
    assert "flat" not in spec.columns and "customer_count_1h" not in spec.columns
    assert spec.matrix(table).shape == (200, len(spec.columns))
    assert np.isnan(spec.vector({"amount": 5.0})).sum() == len(spec.columns) - 1


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"amount": [1.0]}), "missing"),
        (pd.DataFrame({"amount": [-1.0], "timestamp": [pd.Timestamp("2025-01-01")]}), "negative"),
        (pd.DataFrame({"amount": [float("inf")], "timestamp": [pd.Timestamp("2025-01-01")]}), "finite"),
    ],
)
def test_bad_payments_are_refused(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(DataValidationError, match=message):
        payment_table(frame)
