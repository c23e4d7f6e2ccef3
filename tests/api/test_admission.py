"""Admission control of CPU-heavy routes: at most `api.cpu_slots` searches are computed at once."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from llm4retail.api.app import create_app
from llm4retail.config import ApiSettings, ModelSettings, get_settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store

pytestmark = pytest.mark.unit

PRODUCTS = pd.DataFrame({
    "product_id": [f"p{number}" for number in range(6)],
    "title": ["red velvet sofa", "grey fabric sofa", "oak dining table", "bluetooth headphones", "蓝牙耳机", "red dress"],
})  # fmt: skip


def _app(tmp_path: Path, *, slots: int) -> Any:
    """An app with `slots` CPU slots over a small catalog, its search index trained."""
    settings = get_settings(data_dir=tmp_path, api=ApiSettings(cpu_slots=slots), models=ModelSettings(train_on_start=False))
    store = Store.from_settings(settings)
    store.create_schema()
    store.upsert(Table.PRODUCTS, PRODUCTS)
    app = create_app(settings, store=store)
    app.state.services.search.train(reranker=False)
    return app


async def _searches(app: Any, count: int) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await asyncio.gather(*(client.get("/search", params={"q": f"sofa {number}"}) for number in range(count)))


@pytest.mark.parametrize("slots", [1, 3])
def test_searches_beyond_the_slots_wait_their_turn(tmp_path: Path, slots: int) -> None:
    app = _app(tmp_path, slots=slots)
    service = app.state.services.search
    search = service.search
    lock, running, most = threading.Lock(), [0], [0]

    def counted(request: Any) -> Any:  # the real search, timed to overlap, counting how many run at once
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.05)
            return search(request)
        finally:
            with lock:
                running[0] -= 1

    service.search = counted
    responses = asyncio.run(_searches(app, 8))
    assert [response.status_code for response in responses] == [200] * 8
    assert responses[0].json()["hits"][0]["title"].endswith("sofa")
    assert most[0] == slots  # never more at once, and the slots are used


def test_slots_are_shared_safely_by_requests_from_several_event_loops(tmp_path: Path) -> None:
    """Threads of the test client each run their requests in an event loop of their own: waiting for a slot
    in one loop while another loop frees it must not hang (it did with one limiter for all loops)."""
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    app = _app(tmp_path, slots=1)
    service = app.state.services.search
    search = service.search

    def slow(request: Any) -> Any:
        time.sleep(0.02)  # long enough for the others to queue
        return search(request)

    service.search = slow
    client = TestClient(app)
    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(client.get, "/search", params={"q": f"sofa {number}"}) for number in range(24)]
        statuses = [future.result(timeout=60).status_code for future in futures]
    assert statuses == [200] * 24
