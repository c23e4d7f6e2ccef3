"""Fixtures of the assistant tests: a small generated demo store, an intent model trained once, a
service container over them, an assistant, and a loopback OpenAI-compatible stub server."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import uvicorn
from fastapi import FastAPI

from llm4retail.assistant.assistant import Assistant
from llm4retail.assistant.classifier import FeatureSet, IntentClassifier
from llm4retail.assistant.training import SlotFillers, build_training_set
from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import SPECS, Table
from llm4retail.data.store import Store
from llm4retail.data.synthetic import generate_demo_store

FABRICATED_PRICE = "12345.67"


@pytest.fixture(scope="session")
def demo_tables() -> dict[Table, pd.DataFrame]:
    """A small deterministic demo store (bilingual catalog, customers, orders, policy documents)."""
    return generate_demo_store(seed=7, n_products=300, n_customers=80, n_days_sales=20, n_sales_products=1).tables


@pytest.fixture(scope="session")
def demo_store(demo_tables: dict[Table, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The small demo store in an embedded SQLite file."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('assistant-store') / 'demo.sqlite'}")
    store.create_schema()
    for table, frame in demo_tables.items():
        store.upsert(table, frame[[name for name in SPECS[table].names if name in frame.columns]])
    yield store
    store.close()


@pytest.fixture(scope="session")
def intent_model(demo_tables: dict[Table, pd.DataFrame]) -> IntentClassifier:
    """The assistant's classifier trained on the seed set and the demo store's utterances (TF-IDF: fast)."""
    fillers = SlotFillers.from_catalog(demo_tables[Table.PRODUCTS], demo_tables[Table.ORDERS])
    frame = build_training_set(demo_tables[Table.UTTERANCES], fillers=fillers)
    return IntentClassifier(features=FeatureSet.TFIDF).fit(frame["text"].tolist(), frame["intent"].tolist(), groups=frame["group"].tolist())


def store_clock(tables: dict[Table, pd.DataFrame]) -> dt.datetime:
    """The newest order: "today" for the tests (stable over the years)."""
    return tables[Table.ORDERS]["created_at"].max().to_pydatetime()


@pytest.fixture(scope="session")
def container(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Services:
    """The service container over the demo store, with search (lexical only, for speed) and the
    default recommendations trained; the assistant's intent model is not trained."""
    services = Services(get_settings(data_dir=tmp_path_factory.mktemp("assistant-data")), store=demo_store)
    services.search.train(semantic=False)
    services.recommend.train_on_start()
    return services


@pytest.fixture(scope="session")
def services(container: Services) -> tuple[Any, Any]:
    """The container's search and recommendation services."""
    return container.search, container.recommend


@pytest.fixture(scope="session")
def assistant(demo_store: Store, intent_model: IntentClassifier, services, demo_tables) -> Assistant:
    """An assistant answering from templates, with the store's clock."""
    search, recommend = services
    now = store_clock(demo_tables)
    return Assistant(demo_store, intent_model=intent_model, search=search, recommend=recommend, clock=lambda: now)


def _facts(system: str) -> list[str]:
    return re.findall(r"^\[\d+\] (.+)$", system, flags=re.MULTILINE)


def stub_server() -> FastAPI:
    """Speaks /v1/chat/completions. Model "grounded" restates the facts; "fabricating" invents a price;
    "broken" answers 500."""
    server = FastAPI()

    @server.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [{"id": "grounded", "object": "model"}]}

    @server.post("/v1/chat/completions")
    def complete(body: dict) -> dict:
        model = body.get("model")
        if model == "broken":
            raise RuntimeError("stub failure")
        facts = _facts("\n".join(message["content"] for message in body["messages"]))
        if model == "fabricating":
            content = f"It costs {FABRICATED_PRICE} and arrives tomorrow."
        else:
            restated = " ".join(f"{fact} [{index}]" for index, fact in enumerate(facts, start=1))
            content = f"Here is what I found: {restated}" if facts else "Sorry."
        return {"choices": [{"message": {"role": "assistant", "content": content}}]}

    return server


@pytest.fixture(scope="session")
def stub_endpoint() -> Iterator[str]:
    """Base URL (…/v1) of the stub server on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(stub_server(), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the stub LLM server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory."""
    return tmp_path / "data"
