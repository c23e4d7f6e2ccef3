"""LLM query rewriting against a real OpenAI-compatible HTTP server on loopback, and its fallbacks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pandas as pd
import pytest
import uvicorn
from fastapi import FastAPI

from llm4retail.config import LLMSettings
from llm4retail.errors import LLMUnavailableError
from llm4retail.llm.client import ChatClient
from llm4retail.search.engine import SearchEngine
from llm4retail.search.rewrite import QueryRewriter

pytestmark = pytest.mark.integration
REWRITES = {"somewhere to sit for three people": "3-seat sofa"}


def _chat_server() -> FastAPI:
    server = FastAPI()

    @server.post("/v1/chat/completions")
    def complete(body: dict) -> dict:
        query = body["messages"][-1]["content"]
        return {"choices": [{"message": {"role": "assistant", "content": REWRITES.get(query, query)}}]}

    return server


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_chat_server(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(timeout=5)


def test_zero_result_query_is_rescued_by_the_rewrite(endpoint: str) -> None:
    catalog = pd.DataFrame({"product_id": ["a", "b"], "title": ["Grey Fabric Sofa 3-seat", "Oak Dining Table"]})
    engine = SearchEngine(semantic=False).fit(catalog)
    assert engine.search("somewhere to sit for three people").total == 0
    engine.rewriter = QueryRewriter(ChatClient(LLMSettings(base_url=endpoint)))
    response = engine.search("somewhere to sit for three people")
    assert response.understood["rewritten"] == "3-seat sofa"
    assert response.hits[0].product_id == "a"


def test_unreachable_endpoint_falls_back_quietly() -> None:
    client = ChatClient(LLMSettings(base_url="http://127.0.0.1:9/v1", timeout_seconds=2))
    with pytest.raises(LLMUnavailableError, match="failed"):
        client.complete([{"role": "user", "content": "hi"}])
    assert QueryRewriter(client)("anything") is None
    with pytest.raises(LLMUnavailableError, match="LLM4RETAIL_LLM__BASE_URL"):
        ChatClient(LLMSettings())
