"""The search service: nothing served before `train()`, versions in the model store, live updates saved by `close()`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.errors import DataValidationError, NotTrainedError
from llm4retail.search.engine import SearchEngine
from llm4retail.search.request import SearchRequest
from llm4retail.search.service import SearchService
from tests.search.contract import CATALOG, EVENTS

pytestmark = pytest.mark.unit


@pytest.fixture
def services(tmp_path: Path) -> Services:
    services = Services(get_settings(data_dir=tmp_path / "data"))
    services.store.create_schema()
    services.store.upsert(Table.PRODUCTS, CATALOG)
    return services


def _service(services: Services) -> SearchService:
    """The lexical-only service (fast), as the container would build it."""
    return SearchService(services.settings, services.store, services=services, semantic=False)


def _ids(service: SearchService, query: str) -> list[str]:
    return [hit.product_id for hit in service.search(SearchRequest(query=query, top_k=5)).hits]


def test_serving_waits_for_train_and_old_index_folders_are_ignored(services: Services) -> None:
    old = services.settings.data_dir / "search"  # where indexes lived before the model store
    old.mkdir(parents=True)
    (old / "meta.json").write_text(json.dumps({"format": 1, "products": 3}), encoding="utf-8")
    service = services.search
    assert isinstance(service, SearchService) and service.needs_training()
    assert service.status().state == "not_trained"
    with pytest.raises(NotTrainedError, match="llm4retail search train"):
        service.engine()
    with pytest.raises(NotTrainedError, match="llm4retail search train"):
        service.search(SearchRequest(query="sofa"))


def test_train_saves_a_version_and_serves_it(services: Services) -> None:
    service = _service(services)
    report = service.train()
    assert report["version"] == "v0001" and report["products"] == len(CATALOG)
    assert report["semantic"] is False and report["reranker"] is False  # no queries and judgements in this store
    assert {**service.models.report(), "version": "v0001"} == report
    saved = service.models.versions()[0]
    assert saved.model_type == "search.engine" and saved.latest and saved.data_hash
    assert _ids(service, "red velvet sofa")[:2] == ["p2", "p3"]
    response = service.search(SearchRequest(query="sofa", brands=["velora"], price_max=500, explain=True))
    assert [hit.product_id for hit in response.hits] == ["p2"] and response.hits[0].features
    fresh = _service(services)  # another process: loads LATEST
    assert _ids(fresh, "red velvet sofa") == _ids(service, "red velvet sofa")
    assert service.train()["version"] == "v0002" and service.status().version == "v0002"


def test_popularity_comes_from_the_store_events(services: Services) -> None:
    services.store.upsert(Table.EVENTS, EVENTS.assign(event_id=[f"e{i}" for i in range(len(EVENTS))],
                                                      customer_id="c1", seq=range(len(EVENTS))))  # fmt: skip
    service = _service(services)
    assert service.train()["events"] == len(EVENTS)
    assert service.engine().popularity_["p2"] == 4.0  # a purchase (3) and a view (1)


def test_reranker_is_required_only_when_asked(services: Services) -> None:
    with pytest.raises(DataValidationError, match="queries"):
        _service(services).train(reranker=True)
    assert _service(services).train(reranker=None)["reranker"] is False


def test_close_publishes_only_after_a_change(services: Services) -> None:
    service = _service(services)
    service.train()
    service.close()
    assert service.models.latest() == "v0001"
    service.products_changed([{"product_id": "zz1", "title": "Zanzibar quantum teapot", "price": 9.5}])
    assert _ids(service, "zanzibar teapot")[0] == "zz1"
    service.products_deleted(["p1"])
    service.events_recorded([{"product_id": "p3", "event_type": "purchase"}])
    service.close()
    assert service.models.latest() == "v0002"
    assert service.models.report()["updated_from"] == "v0001" and service.models.report()["products"] == len(CATALOG)
    service.close()
    assert service.models.latest() == "v0002"
    reloaded = _service(services).engine()  # the live updates were saved (and the store has no zz1: synced away)
    assert reloaded.popularity_["p3"] == 3.0 and "zz1" not in reloaded.slots_.slot_of and "p1" in reloaded.slots_.slot_of


def test_loading_syncs_with_the_store_catalog(services: Services) -> None:
    _service(services).train()
    services.store.upsert(Table.PRODUCTS, pd.DataFrame([{"product_id": "zz2", "title": "Quokka espresso grinder"}]))
    service = _service(services)
    assert _ids(service, "quokka grinder") == ["zz2"]
    service.close()  # the synced index is saved: the next load needs no sync
    assert service.models.latest() == "v0002"
    assert isinstance(service.models.load(expected=SearchEngine), SearchEngine)


@pytest.mark.integration
def test_the_store_reranker_is_trained_saved_and_used(tmp_path: Path) -> None:
    from llm4retail.data.demo import init_demo_store

    services = Services(get_settings(data_dir=tmp_path / "data"))
    init_demo_store(services.store, data_dir=services.settings.data_dir, seed=2)
    service = _service(services)
    assert service.train_on_start()["reranker"] is False  # the start-up default: the index alone
    report = service.train()
    assert report["version"] == "v0002" and report["reranker"] is True and abs(sum(report["reranker_importance"].values()) - 1) < 1e-3
    assert (service.models.path() / "model" / "parts" / "reranker" / "booster.txt").is_file()
    reloaded = _service(services).engine()
    assert reloaded.reranker is not None
    assert reloaded.search("sofa", top_k=3).hits
