"""Concurrency: bursts of first requests to a cold server, catalog writes interleaved with searches and
recommendations, concurrent event writes: every answer is the expected one, never a 500.

The apps run over one trained demo store and get their requests from threads. They are used without
their lifespan (no background warm-up): the cold-start test's app has every service cold when the burst
arrives (nothing loaded, no table checked); the others load search and recommendations first.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from llm4retail.api.app import create_app
from llm4retail.assistant.classifier import FeatureSet
from llm4retail.config import ApiSettings, ModelSettings, RateLimitSettings, Settings, get_settings
from llm4retail.container import Services
from llm4retail.data.demo import init_demo_store
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from tests.api.conftest import DEMO_AUTH, DEMO_KEY

pytestmark = pytest.mark.integration

THREADS = 12
Call = Callable[[TestClient], httpx.Response]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a demo store with search, recommendations and the intent model trained (quick variants)."""
    data_dir = tmp_path_factory.mktemp("concurrency")
    settings = get_settings(
        data_dir=data_dir, api_keys=DEMO_KEY, models=ModelSettings(train_on_start=False, checkpoint_seconds=0),
        api=ApiSettings(rate_limit=RateLimitSettings(enabled=False)),  # bursts from one client are the point here
    )  # fmt: skip
    store = Store.from_settings(settings)
    init_demo_store(store, data_dir=data_dir)
    services = Services(settings, store=store)
    services.search.train(semantic=False, reranker=False)
    services.recommend.train_on_start()
    services.assistant.train(features=FeatureSet.TFIDF)
    store.close()
    return settings


@pytest.fixture
def cold(trained: Settings) -> Iterator[TestClient]:
    """A new app over the trained store, every service cold (the lifespan's warm-up is not run)."""
    app = create_app(trained)
    yield TestClient(app, headers=DEMO_AUTH)
    app.state.services.close()


@pytest.fixture(scope="module")
def warm(trained: Settings) -> Iterator[TestClient]:
    """One app for the write tests, its search index and recommenders loaded here (deterministically,
    not by the lifespan's background warm-up)."""
    app = create_app(trained)
    app.state.services.search.warm_up()
    app.state.services.recommend.warm_up()
    yield TestClient(app, headers=DEMO_AUTH)
    app.state.services.close()


@pytest.fixture(scope="module")
def ids(trained: Settings) -> dict[str, list[str]]:
    store = Store.from_settings(trained)
    events = store.read_frame(Table.EVENTS, columns=["customer_id", "product_id"])
    store.close()
    customers = events["customer_id"].value_counts().index[:6].tolist()
    products = events["product_id"].value_counts().index[:6].tolist()
    return {"customers": [str(c) for c in customers], "products": [str(p) for p in products]}


def _burst(client: TestClient, calls: list[Call], *, threads: int = THREADS) -> list[httpx.Response]:
    """Runs `calls` on `threads` threads; the first `threads` calls are released together."""
    go = threading.Event()

    def run(call: Call) -> httpx.Response:
        go.wait()
        return call(client)

    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(run, call) for call in calls]
        go.set()
        return [future.result() for future in futures]


def _statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(response.status_code for response in responses)


def _event(customer_id: str, product_id: str, event_id: str) -> dict[str, str]:
    return {"event_id": event_id, "customer_id": customer_id, "product_id": product_id, "event_type": "view"}


def test_a_burst_of_first_requests_to_a_cold_server(cold: TestClient, ids, caplog: pytest.LogCaptureFixture) -> None:
    customers, products = ids["customers"], ids["products"]
    calls: list[Call] = []
    for i in range(4):
        customer, product = customers[i % len(customers)], products[i % len(products)]
        calls += [
            lambda c, i=i: c.get("/search", params={"q": ["sofa", "red dress", "laptop under 700", "耳机"][i]}),
            lambda c, customer=customer: c.get(f"/recommendations/{customer}"),
            lambda c, product=product: c.get(f"/products/{product}/similar"),
            lambda c, product=product: c.get(f"/products/{product}/bought-together"),
            lambda c, products=products: c.post("/recommendations/session", json={"product_ids": products[:3]}),
            lambda c, customer=customer: c.post("/chat", json={"customer_id": customer, "message": "hello, any sofas?"}),
            lambda c, customer=customer, i=i: c.post("/events", json=[_event(customer, products[0], f"cold-{i}")]),
        ]
    with caplog.at_level(logging.INFO):
        responses = _burst(cold, calls)
    assert _statuses(responses) == Counter({200: len(calls)}), [r.text for r in responses if r.status_code != 200][:3]
    loads = [r.getMessage() for r in caplog.records if r.getMessage().startswith(("search index v", "recommenders loaded"))]
    assert len(loads) == 2, loads  # each loaded once, however many first requests raced


def test_catalog_writes_interleaved_with_searches_and_recommendations(warm: TestClient, ids) -> None:
    customers, products = ids["customers"], ids["products"]
    reads: list[Call] = [
        lambda c: c.get("/search", params={"q": "new arrival lamp", "price_max": 5000}),
        lambda c: c.get("/search", params={"q": "sofa", "available": "true"}),
        lambda c: c.get(f"/recommendations/{customers[0]}"),
        lambda c: c.get(f"/products/{products[0]}/similar"),
        lambda c: c.post("/recommendations/session", json={"product_ids": products[:2]}),
    ]
    writes: list[Call] = []
    for i in range(16):  # new products, changed prices and availability of the ones being recommended
        product = products[i % len(products)]
        writes += [
            lambda c, i=i: c.post("/products", json={"product_id": f"new{i}", "title": f"New arrival lamp {i}", "price": 10.0 + i,
                                                     "brand": "Lumo", "category": "Home > Lighting"}),  # fmt: skip
            lambda c, product=product, i=i: c.patch(f"/products/{product}", json={"price": 20.0 + i, "available": i % 3 != 0}),
        ]
    calls = [call for pair in zip(writes, reads * len(writes)) for call in pair]  # reads and writes alternate
    responses = _burst(warm, calls)
    assert set(_statuses(responses)) <= {200, 201}, [r.text for r in responses if r.status_code >= 300][:3]
    hits = warm.get("/search", params={"q": "new arrival lamp 15", "top_k": 50}).json()["hits"]
    assert "new15" in [hit["product_id"] for hit in hits]  # every write reached the served index
    assert warm.app.state.services.search.engine().size == warm.app.state.store.count(Table.PRODUCTS)


def test_concurrent_event_writes_are_all_kept_once(warm: TestClient, ids) -> None:
    customers, products = ids["customers"], ids["products"]
    store = warm.app.state.store
    before = store.count(Table.EVENTS)
    batches = [[_event(customers[b % 6], products[(b + k) % 6], f"burst-{b}-{k}") for k in range(5)] for b in range(24)]
    calls: list[Call] = [lambda c, batch=batch: c.post("/events", json=batch) for batch in batches]
    calls += [lambda c: c.get(f"/recommendations/{customers[0]}"), lambda c: c.get("/search", params={"q": "sofa"})] * 4
    responses = _burst(warm, calls + calls[:8])  # a retry of 8 batches is idempotent
    assert _statuses(responses) == Counter({200: len(responses)}), [r.text for r in responses if r.status_code != 200][:3]
    assert store.count(Table.EVENTS) == before + 5 * len(batches)


def test_concurrent_creates_of_one_key_give_one_201_and_409s(warm: TestClient) -> None:
    calls: list[Call] = [lambda c: c.post("/products", json={"product_id": "same", "title": "Raced teapot"})] * THREADS
    assert _statuses(_burst(warm, calls)) == Counter({201: 1, 409: THREADS - 1})


def test_an_embedded_store_takes_writers_of_several_stores_at_once(trained: Settings, tmp_path: Path) -> None:
    """Several `Store` objects (as several workers have) writing one SQLite file at once: WAL and the busy
    timeout make them take turns; nothing is lost or refused."""
    stores = [Store.from_settings(trained) for _ in range(4)]

    def write(index: int) -> None:
        store = stores[index % len(stores)]
        for k in range(10):
            store.upsert_records(Table.EVENTS, [_event("c-w", "p-w", f"writer-{index}-{k}")])
            store.update(Table.PRODUCTS, (store.page(Table.PRODUCTS, limit=1)[0][0]["product_id"],), {"price": float(k)})

    before = stores[0].count(Table.EVENTS)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    assert stores[0].count(Table.EVENTS) == before + 80
    for store in stores:
        store.close()
