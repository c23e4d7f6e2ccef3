"""Assistant routes over the demo store: chat (JSON and server-sent events), conversations, hand-offs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from llm4retail.api.app import create_app
from llm4retail.assistant.classifier import FeatureSet
from llm4retail.config import get_settings
from llm4retail.data.schemas import Table
from tests.api.conftest import DEMO_AUTH, DEMO_KEY

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(demo_client: TestClient) -> TestClient:
    """The demo client with a quickly trained intent model (`assistant train --features tfidf`)."""
    services = demo_client.app.state.services
    services.search.train(semantic=False)
    services.assistant.train(features=FeatureSet.TFIDF)
    return demo_client


def test_before_training_chat_answers_503_naming_the_train_command(tmp_path: Path) -> None:
    settings = get_settings(data_dir=tmp_path / "data", api_keys=DEMO_KEY, models={"train_on_start": False})
    with TestClient(create_app(settings)) as untrained:
        response = untrained.post("/chat", headers=DEMO_AUTH, json={"customer_id": "c00001", "message": "hi"})
        assert response.status_code == 503 and "run `llm4retail assistant train`" in response.json()["error"]
        assert untrained.get("/handoffs", headers=DEMO_AUTH).json() == {"items": []}


@pytest.fixture(scope="module")
def order(client: TestClient) -> dict:
    orders = client.app.state.store.read_frame(Table.ORDERS)
    return orders[orders["currency"] == "USD"].iloc[0].to_dict()


def events(body: str) -> list[tuple[str, dict]]:
    parsed = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        parsed.append((lines["event"], json.loads(lines["data"])))
    return parsed


def test_chat_needs_the_api_key(client: TestClient) -> None:
    assert client.post("/chat", json={"customer_id": "c00001", "message": "hi"}).status_code == 401


def test_chat_answers_from_the_customers_order_and_keeps_the_conversation(client: TestClient, demo_auth, order) -> None:
    response = client.post("/chat", headers=demo_auth, json={"customer_id": order["customer_id"], "message": f"where is my order {order['order_id']}?"})
    assert response.status_code == 200
    body = response.json()
    assert body["intent"] == "order_status" and order["order_id"] in body["text"]
    assert body["sources"][0]["id"] == f"order:{order['order_id']}"
    conversation = client.get(f"/conversations/{body['conversation_id']}", headers=demo_auth).json()
    assert [m["role"] for m in conversation["messages"]] == ["user", "assistant"]
    assert conversation["state"]["order_id"] == order["order_id"] and conversation["customer_id"] == order["customer_id"]
    follow = client.post(f"/conversations/{body['conversation_id']}/messages", headers=demo_auth, json={"message": "thanks!"})
    assert follow.status_code == 200 and follow.json()["intent"] == "chit_chat"


def test_streaming_sends_meta_chunks_and_the_whole_answer(client: TestClient, demo_auth, order) -> None:
    with client.stream("POST", "/chat", headers=demo_auth, json={
        "customer_id": order["customer_id"], "message": f"订单{order['order_id']}到哪了", "stream": True,
    }) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        body = response.read().decode()
    parsed = events(body)
    assert parsed[0][0] == "meta" and parsed[-1][0] == "done" and {kind for kind, _ in parsed[1:-1]} == {"delta"}
    assert "".join(data["text"] for _, data in parsed[1:-1]) == parsed[-1][1]["text"]
    assert parsed[0][1]["language"] == "zh" and "text" not in parsed[0][1]


def test_a_refused_streamed_turn_gets_its_status_before_any_event(client: TestClient, demo_auth, order) -> None:
    started = client.post("/conversations", headers=demo_auth, json={"customer_id": order["customer_id"]}).json()
    other = "c00001" if order["customer_id"] != "c00001" else "c00002"
    with client.stream("POST", "/chat", headers=demo_auth, json={
        "customer_id": other, "message": "hi", "conversation_id": started["conversation_id"], "stream": True,
    }) as response:
        assert response.status_code == 403 and not response.headers["content-type"].startswith("text/event-stream")


def test_a_conversation_cannot_be_used_for_another_customer(client: TestClient, demo_auth, order) -> None:
    started = client.post("/conversations", headers=demo_auth, json={"customer_id": order["customer_id"]})
    assert started.status_code == 201
    conversation_id = started.json()["conversation_id"]
    other = "c00001" if order["customer_id"] != "c00001" else "c00002"
    assert client.post("/chat", headers=demo_auth, json={"customer_id": other, "message": "hi", "conversation_id": conversation_id}).status_code == 403
    assert client.get(f"/conversations/{conversation_id}", headers=demo_auth, params={"customer_id": other}).status_code == 403
    assert client.post("/conversations", headers=demo_auth, json={"customer_id": "nobody"}).status_code == 404
    assert client.get("/conversations/nope", headers=demo_auth).status_code == 404


def test_handoffs_are_listed_and_resolved(client: TestClient, demo_auth, order) -> None:
    body = client.post("/chat", headers=demo_auth, json={"customer_id": order["customer_id"], "message": "转人工"}).json()
    handoff = body["handoff"]
    assert handoff["reason"] == "explicit_request" and handoff["transcript"][0]["text"] == "转人工"
    listed = client.get("/handoffs", headers=demo_auth).json()["items"]
    assert handoff["handoff_id"] in [item["handoff_id"] for item in listed]
    resolved = client.post(f"/handoffs/{handoff['handoff_id']}/resolve", headers=demo_auth, json={"resolution": "called"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert handoff["handoff_id"] not in [i["handoff_id"] for i in client.get("/handoffs", headers=demo_auth).json()["items"]]
    done = client.get("/handoffs", headers=demo_auth, params={"status": "resolved"}).json()["items"]
    assert handoff["handoff_id"] in [item["handoff_id"] for item in done]
    assert client.post("/handoffs/nope/resolve", headers=demo_auth, json={}).status_code == 404
    assert client.get("/handoffs", headers=demo_auth, params={"status": "bogus"}).status_code == 422
