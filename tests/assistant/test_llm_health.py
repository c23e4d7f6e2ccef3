"""An LLM endpoint that cannot be reached is never silent: a warning, `/ready`, and `"llm"` in each reply."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from llm4retail.assistant.assistant import Assistant
from llm4retail.config import LLMSettings
from llm4retail.data.schemas import Table
from llm4retail.llm.backends import EndpointBackend
from llm4retail.llm.health import EndpointMonitor, EndpointState, probe


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"  # closed again: nothing listens


def test_probe_tells_reachable_unreachable_and_not_configured(stub_endpoint: str) -> None:
    assert probe(LLMSettings()).state is EndpointState.NOT_CONFIGURED
    assert probe(LLMSettings(base_url=stub_endpoint)).state is EndpointState.REACHABLE
    down = probe(LLMSettings(base_url=closed_url()))
    assert down.state is EndpointState.UNREACHABLE and down.detail


def test_the_monitor_warns_once_at_start_up(caplog: pytest.LogCaptureFixture) -> None:
    monitor = EndpointMonitor(LLMSettings(base_url=closed_url()))
    assert monitor.status().state is EndpointState.CHECKING
    with caplog.at_level(logging.WARNING, logger="llm4retail.llm.health"):
        monitor.start()
        deadline = time.monotonic() + 10
        while monitor.status().state is EndpointState.CHECKING and time.monotonic() < deadline:
            time.sleep(0.02)
    assert monitor.status().state is EndpointState.UNREACHABLE
    assert any("does not answer" in record.getMessage() for record in caplog.records)


@pytest.mark.integration
def test_each_reply_says_how_the_llm_served_it(assistant: Assistant, demo_tables, stub_endpoint: str) -> None:
    orders = demo_tables[Table.ORDERS]
    order = orders[orders["currency"] == "USD"].iloc[0]
    question = f"where is my order {order['order_id']}?"
    original = assistant.backend
    uses = {}
    try:
        for name, backend in [("none", None), ("up", EndpointBackend(LLMSettings(base_url=stub_endpoint, model="grounded"))),
                              ("down", EndpointBackend(LLMSettings(base_url=closed_url(), model="x")))]:
            assistant.backend = backend
            conversation = assistant.start(customer_id=order["customer_id"])
            uses[name] = assistant.reply(conversation.conversation_id, question).llm
    finally:
        assistant.backend = original
    assert uses == {"none": "off", "up": "model", "down": "fallback"}
