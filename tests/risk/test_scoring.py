"""Real-time scoring: velocity state, reasons, rules, decisions and refused input."""

from __future__ import annotations

import pandas as pd
import pytest

from llm4retail.errors import DataValidationError
from llm4retail.risk.model import RiskModel
from llm4retail.risk.scoring import RiskScorer
from llm4retail.risk.state import MemoryStateStore, RedisStateStore, StateStore
from llm4retail.risk.thresholds import Decision


@pytest.fixture(scope="module")
def model() -> RiskModel:
    from tests.risk.conftest import labelled_payments

    return RiskModel().fit(labelled_payments())


def _burst(scorer: RiskScorer, customer: str) -> list:
    start = pd.Timestamp("2025-02-01T03:00:00")
    return [
        scorer.score({"amount": 2.0, "currency": "EUR", "customer_id": customer, "device_id": f"dev{index}",
                      "timestamp": (start + pd.Timedelta(seconds=30 * index)).isoformat(),
                      "features": {"signal": 0.0, "noise": 0.0}})
        for index in range(7)
    ]


def _check_velocity(state: StateStore, model: RiskModel) -> None:
    scorer = RiskScorer(model, state=state)
    results = _burst(scorer, "burst-customer")
    last = results[-1]
    assert last.features["customer_count_1h"] == 6 and last.features["new_device"] == 1
    assert {"burst_1h", "rapid_repeat", "new_device"} <= set(last.rules)
    assert last.decision in (Decision.REVIEW, Decision.DECLINE)
    assert results[0].rules == [] or "burst_1h" not in results[0].rules
    what_if = scorer.score({"amount": 2.0, "currency": "EUR", "customer_id": "burst-customer",
                            "timestamp": "2025-02-01T03:05:00"}, record=False)
    assert what_if.features["customer_payments_before"] == 7
    assert state.get("burst-customer").n_payments == 7  # the what-if score changed nothing


@pytest.mark.unit
def test_velocity_in_process(model: RiskModel) -> None:
    _check_velocity(MemoryStateStore(), model)


@pytest.mark.integration
def test_velocity_in_redis(model: RiskModel, redis_state: RedisStateStore) -> None:
    _check_velocity(redis_state, model)


@pytest.mark.unit
def test_fraud_like_payment_gets_its_reason(model: RiskModel) -> None:
    scorer = RiskScorer(model)
    risky = scorer.score({"amount": 40.0, "currency": "EUR", "features": {"signal": 6.0, "noise": 0.0}})
    calm = scorer.score({"amount": 20.0, "currency": "EUR", "features": {"signal": -1.0, "noise": 0.0}})
    assert risky.score > calm.score
    assert risky.reasons[0].feature == "signal" and risky.decision is not Decision.APPROVE
    assert calm.decision is Decision.APPROVE
    payload = risky.as_dict()
    assert payload["decision"] in {"review", "decline"} and payload["reasons"][0]["feature"] == "signal"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("payment", "message"),
    [
        ({"amount": 10.0, "currency": "XYZ"}, "unknown currency"),
        ({"amount": -1.0, "currency": "EUR"}, "greater than or equal to 0"),
        ({"currency": "EUR"}, "amount: Field required"),
        ({"amount": 10.0}, "currency: Field required"),
        ({"amount": 10.0, "currency": "EUR", "colour": "red"}, "Extra inputs"),
        ({"amount": 10.0, "currency": "EUR", "country": "Germany"}, "country"),
    ],
)
def test_bad_payments_never_get_a_score(model: RiskModel, payment: dict, message: str) -> None:
    with pytest.raises(DataValidationError, match=message):
        RiskScorer(model).score(payment)


@pytest.mark.unit
def test_replay_seeds_history(model: RiskModel, payments: pd.DataFrame) -> None:
    scorer = RiskScorer(model)
    assert scorer.replay(payments) == payments["customer_id"].nunique()
    seen = payments[payments["customer_id"] == "c0"]
    assert scorer.state.get("c0").n_payments == len(seen)
