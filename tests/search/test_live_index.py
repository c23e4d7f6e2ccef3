"""The live search index: catalog writes swap a changed copy (copy-on-write), checkpoints survive a crash."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from llm4retail.config import ModelSettings, get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.search.engine import SearchEngine
from llm4retail.search.request import SearchRequest
from llm4retail.search.service import SearchService
from tests.search.contract import CATALOG

pytestmark = pytest.mark.unit

TEAPOT = {"product_id": "zz1", "title": "Zanzibar quantum teapot", "brand": "Quokka", "price": 9.5}


def _services(tmp_path: Path, *, checkpoint_seconds: float = 0.0) -> Services:
    settings = get_settings(data_dir=tmp_path / "data", models=ModelSettings(checkpoint_seconds=checkpoint_seconds))
    services = Services(settings)
    services.store.create_schema()
    services.store.upsert(Table.PRODUCTS, CATALOG)
    return services


def _service(services: Services) -> SearchService:
    """A new lexical-only service over the same data dir: what a restarted server builds."""
    return SearchService(services.settings, services.store, services=services, semantic=False)


def _ids(engine: SearchEngine, query: str) -> list[str]:
    return [hit.product_id for hit in engine.search(query, top_k=5).hits]


def test_a_changed_copy_leaves_the_served_index_untouched() -> None:
    served = SearchEngine(semantic=False).fit(CATALOG).pack()
    before = (served.size, served.slots_.n, served.lexical_.fields["title"].n_slots, _ids(served, "red sofa"))
    updated = served.copy()
    updated.upsert(pd.DataFrame([TEAPOT, {**CATALOG.iloc[1].to_dict(), "title": "Blue Velvet Sofa 2-seat"}]))
    updated.delete(["p3"])
    updated.pack()
    assert (served.size, served.slots_.n, served.lexical_.fields["title"].n_slots, _ids(served, "red sofa")) == before
    assert _ids(served, "zanzibar teapot") == [] and "p3" in _ids(served, "red sofa")
    assert _ids(updated, "zanzibar teapot") == ["zz1"] and "p3" not in _ids(updated, "red sofa")
    assert updated.size == served.size and updated.slots_.n == served.slots_.n + 2  # two new slots, two tombstones


def test_searches_never_see_a_half_updated_index(tmp_path: Path) -> None:
    services = _services(tmp_path)
    service = _service(services)
    service.train()
    errors: list[BaseException] = []
    stop = threading.Event()

    def search() -> None:
        while not stop.is_set():
            try:
                for query in ("red velvet sofa", "laptop under 700", "bluetooth", "teapot 1"):
                    service.search(SearchRequest(query=query, top_k=5, price_max=1000))
            except BaseException as error:  # noqa: BLE001 (collected and reported below)
                errors.append(error)
                return

    readers = [threading.Thread(target=search) for _ in range(4)]
    for reader in readers:
        reader.start()
    taken = service.engine()
    try:
        for i in range(60):  # new products, changed prices and availability, deletions, events
            service.products_changed([{**TEAPOT, "product_id": f"t{i}", "title": f"teapot {i} extra{i}"},
                                      {**CATALOG.iloc[i % 8].to_dict(), "price": 100.0 + i, "available": i % 2 == 0}])  # fmt: skip
            service.products_deleted([f"t{i - 3}"])
            service.events_recorded([{"product_id": "p2", "event_type": "view"}])
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert service.engine() is not taken and taken.size == len(CATALOG)  # the reference taken earlier is unchanged
    assert service.engine().size == len(CATALOG) + 3  # t57, t58, t59


def test_a_checkpoint_is_loaded_after_a_crash(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    services = _services(tmp_path)
    service = _service(services)
    service.train()
    services.store.upsert(Table.PRODUCTS, pd.DataFrame([TEAPOT]))
    service.products_changed([TEAPOT])
    service.events_recorded([{"product_id": "p8", "event_type": "purchase"}])
    folder = service.checkpoint()
    assert folder is not None and service.checkpoint() is None  # nothing new since
    assert service.models.latest() == "v0001"  # a checkpoint is not a version
    # a crash: no close(); the next process loads the checkpoint, with nothing left to re-index
    with caplog.at_level(logging.INFO, logger="llm4retail.search.service"):
        restarted = _service(services).engine()
    assert "v0001 loaded from its checkpoint" in caplog.text and "'added_or_changed': 0" in caplog.text
    assert _ids(restarted, "zanzibar teapot") == ["zz1"] and restarted.popularity_["p8"] == 3.0
    # a newer version (training) wins over the checkpoint of an older one
    _service(services).train()
    assert _service(services).models.checkpoint(base="v0002") is None
    assert "p8" not in _service(services).engine().popularity_  # the store has no events: trained without


def test_checkpoints_follow_changes_by_themselves(tmp_path: Path) -> None:
    services = _services(tmp_path, checkpoint_seconds=0.2)
    service = _service(services)
    service.train()
    services.store.upsert(Table.PRODUCTS, pd.DataFrame([TEAPOT]))
    service.products_changed([TEAPOT])
    deadline = time.monotonic() + 20
    while service.models.checkpoint(base="v0001") is None:
        assert time.monotonic() < deadline, "no checkpoint within 20 s of a change"
        time.sleep(0.05)
    assert _ids(SearchEngine.load(service.models.checkpoint(base="v0001")), "zanzibar teapot") == ["zz1"]
    assert not list(service.models.root.glob(".staging-*"))  # written aside, then renamed into place
    service.close()  # shutdown saves a version; the checkpoint, now part of it, goes
    assert service.models.latest() == "v0002" and service.models.checkpoint(base="v0001") is None
    assert not list(service.models.root.glob("checkpoint-*"))
