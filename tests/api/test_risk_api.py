"""POST /payments/score over the demo store: scores with reasons, 422 for bad input, 401 without a key.

The model is trained once for the module through the app's service container (`risk train`).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration

GOOD = {"payment_id": "t1", "amount": 59.9, "currency": "USD", "customer_id": "c00042",
        "timestamp": "2026-10-30T03:00:00Z", "device_id": "phone-1", "country": "us",
        "features": {"new_device": 1, "country_mismatch": 1}}


@pytest.fixture(scope="module", autouse=True)
def _trained(demo_client: TestClient) -> None:
    demo_client.app.state.services.risk.train()


def test_score_payment(demo_client: TestClient, demo_auth: dict[str, str]) -> None:
    response = demo_client.post("/payments/score", json=GOOD, headers=demo_auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["payment_id"] == "t1" and 0.0 <= body["score"] <= 1.0
    assert body["decision"] in {"approve", "review", "decline"} and body["detector"] == "supervised"
    assert body["reasons"] and {"feature", "value", "contribution", "description"} <= set(body["reasons"][0])
    assert body["features"]["customer_payments_before"] >= 1  # state seeded from the store's payments


def test_velocity_raises_the_risk(demo_client: TestClient, demo_auth: dict[str, str]) -> None:
    results = []
    for index in range(6):
        payment = {"amount": 1.5, "currency": "USD", "customer_id": "c00077", "device_id": f"new-{index}",
                   "timestamp": f"2026-10-31T02:0{index}:00"}
        results.append(demo_client.post("/payments/score", json=payment, headers=demo_auth).json())
    assert results[-1]["features"]["customer_count_1h"] == 5
    assert "burst_1h" in results[-1]["rules"] and results[-1]["decision"] != "approve"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "ABC"}, "currency"),
        ({"amount": -5}, "amount"),
        ({"amount": None}, "amount"),
        ({"currency": None}, "currency"),
        ({"features": {"x": "high"}}, "features"),
        ({"timestamp": "yesterday"}, "timestamp"),
    ],
)
def test_bad_input_gets_422(demo_client: TestClient, demo_auth: dict[str, str], change: dict, field: str) -> None:
    payment = {**GOOD, **change}
    payment = {key: value for key, value in payment.items() if value is not None}
    response = demo_client.post("/payments/score", json=payment, headers=demo_auth)
    assert response.status_code == 422, response.text
    body = response.json()
    assert "score" not in body and any(item["field"].endswith(field) or field in item["field"]
                                       for item in body["fields"])


def test_missing_body_and_auth(demo_client: TestClient, demo_auth: dict[str, str]) -> None:
    assert demo_client.post("/payments/score", json={}, headers=demo_auth).status_code == 422
    assert demo_client.post("/payments/score", json=GOOD).status_code == 401
    unknown = demo_client.post("/payments/score", json={**GOOD, "currency": "XYZ"}, headers=demo_auth).json()
    assert "unknown currency 'XYZ'" in unknown["error"]


def test_server_mode_keeps_state_in_redis(demo_client: TestClient, demo_auth: dict[str, str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import uuid

    from llm4retail.api.app import create_app
    from llm4retail.config import get_settings
    from llm4retail.risk.state import RedisStateStore

    prefix = f"llm4retail:test-api:{uuid.uuid4().hex[:10]}:"
    monkeypatch.setenv("LLM4RETAIL_RISK__REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("LLM4RETAIL_RISK__REDIS_PREFIX", prefix)
    redis_state = RedisStateStore("redis://127.0.0.1:6379/0", prefix=prefix)
    try:
        shared = demo_client.app.state.settings  # the LLM4RETAIL_RISK__* variables reach Settings.risk
        settings = get_settings(data_dir=shared.data_dir, api_keys=",".join(shared.api_keys))
        assert settings.risk.redis_url == "redis://127.0.0.1:6379/0" and settings.risk.redis_prefix == prefix
        app = create_app(settings, store=demo_client.app.state.store)
        with TestClient(app) as client:  # a second worker would see the same state
            payment = {"amount": 12.0, "currency": "USD", "customer_id": "c00500", "timestamp": "2026-10-31T10:00:00"}
            first = client.post("/payments/score", json=payment, headers=demo_auth).json()
            second = client.post("/payments/score", json=payment, headers=demo_auth).json()
        assert second["features"]["customer_payments_before"] == first["features"]["customer_payments_before"] + 1
        assert redis_state.get("c00500").n_payments == second["features"]["customer_payments_before"] + 1
    finally:
        redis_state.clear()
