"""Server mode: two workers over one PostgreSQL store and one Redis see each other's writes at once (the
change feed), in the library and through `llm4retail serve --workers 2`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.changes import ChangeFeed
from llm4retail.data.schemas import SPECS, Table
from llm4retail.data.synthetic import generate_demo_store
from llm4retail.errors import NotFoundError
from llm4retail.search.request import SearchRequest

REDIS_URL = os.environ.get("LLM4RETAIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SIZES = {"n_products": 200, "n_customers": 60, "n_days_sales": 30, "n_sales_products": 2}


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is required by the server-mode tests but is not reachable at {REDIS_URL} ({error})", pytrace=False)
    return REDIS_URL


def _eventually(check: Callable[[], bool], *, timeout: float = 5.0) -> float:
    """Seconds until `check()` holds (fails after `timeout`)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, "the other worker did not see the write"
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.fixture
def two_workers(postgres_schema: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[Services, Services]]:
    """Two containers over one PostgreSQL store and one data dir, as two API workers, each with its change feed."""
    settings = get_settings(data_dir=tmp_path / "data", database_url=postgres_schema, redis_url=redis_url,
                            redis_prefix=f"test-{uuid.uuid4().hex[:8]}:")  # fmt: skip
    first, second = Services(settings), Services(settings)
    demo = generate_demo_store(seed=3, **SIZES)
    for table, frame in demo.tables.items():
        first.store.upsert(table, frame[[name for name in SPECS[table].names if name in frame.columns]])
    first.search.train(semantic=False, reranker=False)
    first.recommend.train(models=["ease"])
    for services in (first, second):
        services.search.warm_up()
        services.recommend.warm_up()
        assert services.start_change_feed()
    yield first, second
    first.close()
    second.close()


def _found(services: Services, query: str, product_id: str) -> bool:
    hits = services.search.search(SearchRequest(query=query, top_k=5)).hits
    return any(hit.product_id == product_id for hit in hits)


def test_a_product_written_by_one_worker_is_searchable_in_the_other_at_once(two_workers: tuple[Services, Services]) -> None:
    first, second = two_workers
    row = {"product_id": "p-feed-1", "title": "Zyzzyva walnut lamp", "category": "Home > Lighting", "price": 40.0,
           "currency": "USD", "available": True}  # fmt: skip
    first.store.upsert_records(Table.PRODUCTS, [row])
    first.products_changed([row])  # what the API's product routes do after the write

    assert _found(first, "zyzzyva lamp", "p-feed-1")
    assert _eventually(lambda: _found(second, "zyzzyva lamp", "p-feed-1")) < 2.0

    first.store.delete(Table.PRODUCTS, ("p-feed-1",))
    first.products_deleted(["p-feed-1"])
    _eventually(lambda: not _found(second, "zyzzyva lamp", "p-feed-1"))
    assert second.changes is not None and second.changes.applied >= 2


def test_events_posted_to_one_worker_feed_the_other_workers_recommendations(two_workers: tuple[Services, Services]) -> None:
    first, second = two_workers
    product = str(first.store.read_frame(Table.PRODUCTS, columns=["product_id"])["product_id"].iloc[0])
    with pytest.raises(NotFoundError):  # an unknown customer with no events
        second.recommend.for_customer("c-feed-new")
    event = {"event_id": "e-feed-1", "customer_id": "c-feed-new", "product_id": product, "event_type": "purchase",
             "timestamp": None, "seq": 1}  # fmt: skip
    first.store.upsert_records(Table.EVENTS, [event])
    first.events_recorded([event])

    def recommends() -> bool:
        try:
            return len(second.recommend.for_customer("c-feed-new", top_k=5)) > 0
        except NotFoundError:
            return False

    assert _eventually(recommends) < 2.0
    assert product not in {item.product_id for item in second.recommend.for_customer("c-feed-new", top_k=50)}


def test_a_feed_without_redis_never_fails_a_write(caplog: pytest.LogCaptureFixture) -> None:
    feed = ChangeFeed("redis://127.0.0.1:1/0", on_change=lambda kind, keys: None)
    feed.publish("products_changed", ["p1"])  # nothing listens on port 1: logged, not raised
    assert "cannot publish" in caplog.text
    with pytest.raises(ValueError, match="unknown change kind"):
        feed.publish("everything", ["p1"])
    feed.close()


@pytest.mark.slow
def test_two_served_workers_answer_the_same_after_a_write(postgres_schema: str, redis_url: str, tmp_path: Path) -> None:
    """`serve --workers 2` over PostgreSQL and Redis: a product written through one worker is found by
    searches answered by both (fresh connections spread over the workers)."""
    data_dir = tmp_path / "data"
    settings = get_settings(data_dir=data_dir, database_url=postgres_schema)
    services = Services(settings)
    demo = generate_demo_store(seed=3, **SIZES)
    for table, frame in demo.tables.items():
        services.store.upsert(table, frame[[name for name in SPECS[table].names if name in frame.columns]])
    services.search.train(semantic=False, reranker=False)
    services.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key = "feed-workers-test-key-0123456"
    env = os.environ | {"LLM4RETAIL_MODELS__TRAIN_ON_START": "false", "LLM4RETAIL_API_KEYS": key,
                        "LLM4RETAIL_REDIS_URL": redis_url, "LLM4RETAIL_REDIS_PREFIX": f"test-{uuid.uuid4().hex[:8]}:",
                        "LLM4RETAIL_API__RATE_LIMIT__ENABLED": "false"}  # fmt: skip
    command = [sys.executable, "-m", "llm4retail.cli", "--data-dir", str(data_dir), "--database-url", postgres_schema,
               "serve", "--port", str(port), "--workers", "2"]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        warmed = 0
        while warmed < 12:  # both workers up, each with its index loaded (a search answers 200)
            try:
                warmed += httpx.get(f"{base}/search", params={"q": "lamp"}, timeout=5).status_code == 200
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        created = httpx.post(f"{base}/products", headers={"X-API-Key": key}, timeout=10,
                             json={"product_id": "p-served-1", "title": "Quokka velvet ottoman", "price": 99.0})  # fmt: skip
        time.sleep(0.5)
        found = []
        for _ in range(24):
            with httpx.Client() as client:  # a new connection each time: uvicorn's workers share the socket
                items = client.get(f"{base}/search", params={"q": "quokka ottoman"}, timeout=10).json()["hits"]
            found.append(any(item["product_id"] == "p-served-1" for item in items))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert len(children) >= 2, "uvicorn should run two worker processes"
    assert created.status_code == 201 and all(found), f"found by {sum(found)} of {len(found)} searches"
