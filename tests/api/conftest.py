"""An API client over a freshly generated demo store, shared by the search and recommendation route tests."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from llm4retail.api.app import create_app
from llm4retail.config import ModelSettings, get_settings
from llm4retail.data.demo import init_demo_store
from llm4retail.data.store import Store

DEMO_KEY = "demo-store-test-key-0123456789"
DEMO_AUTH = {"X-API-Key": DEMO_KEY}


@pytest.fixture
def demo_auth() -> dict[str, str]:
    """Headers that authorise writes on `demo_client`."""
    return dict(DEMO_AUTH)


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client whose store holds the demo store (seed 42), whose writes accept `DEMO_AUTH`; nothing trained."""
    data_dir = tmp_path_factory.mktemp("demo-api")
    # Each test module trains what it serves; start-up training of every capability (about a minute of
    # CPU on the demo store) is covered once, in tests/api/test_startup_training.py.
    settings = get_settings(data_dir=data_dir, api_keys=DEMO_KEY, models=ModelSettings(train_on_start=False))
    store = Store.from_settings(settings)
    init_demo_store(store, data_dir=data_dir)
    with TestClient(create_app(settings, store=store)) as client:
        yield client


def as_staff(client: TestClient) -> TestClient:
    """`client` sending a new staff key with every request (for the modules of operators' read routes)."""
    from llm4retail.access import KeyRole

    _, secret = client.app.state.services.access.keys.create(name="api tests (staff)", role=KeyRole.STAFF)
    client.headers["X-API-Key"] = secret
    return client


def wait_for_search(client: TestClient, *, timeout: float = 300.0) -> None:
    """Waits for the start-up training of search (the first capability `serve` trains); trains it here
    when no start-up training will (disabled, or it failed)."""
    services = client.app.state.services
    deadline = time.monotonic() + timeout
    while services.search.needs_training() and services.training and services.search.status().state != "failed":
        if time.monotonic() > deadline:
            raise TimeoutError("the start-up training of search did not finish")
        time.sleep(0.1)
    if services.search.needs_training():
        services.search.train()
