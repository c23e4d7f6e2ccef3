"""Recommendation surfaces over a small store: reasons, rules, cold start, the feedback loop, training and versions."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from llm4retail.config import Settings, get_settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import (
    ArtifactFormatError,
    DataValidationError,
    NotFoundError,
    NotTrainedError,
)
from llm4retail.recommend.service import RecommendService, Rules

pytestmark = pytest.mark.integration

PRODUCTS = pd.DataFrame(
    {
        "product_id": ["tent", "stove", "lamp", "mug", "kettle", "sofa", "rug", "new"],
        "title": ["Dome Tent", "Camp Stove", "Head Lamp", "Enamel Mug", "Kettle", "Grey Sofa", "Wool Rug", "New Tent"],
        "brand": ["Trek", "Trek", "Glow", "Trek", "Home", "Casa", "Casa", "Trek"],
        "category": ["Outdoor > Tents", "Outdoor > Cooking", "Outdoor > Lights", "Outdoor > Cooking", "Home > Kitchen",
                     "Home > Furniture", "Home > Furniture", "Outdoor > Tents"],
        "available": [True, True, True, False, True, True, True, True],
    }
)  # fmt: skip


def _events() -> pd.DataFrame:
    rows = []
    for customer in range(30):  # campers: tent → stove → lamp (→ mug, out of stock)
        for seq, product in enumerate(["tent", "stove", "lamp", "mug"]):
            rows.append((f"camper{customer}", product, seq, "purchase", f"o-camp-{customer}"))
    for customer in range(30):  # home shoppers: sofa → rug → kettle
        for seq, product in enumerate(["sofa", "rug", "kettle"]):
            rows.append((f"home{customer}", product, seq, "view", None))
    frame = pd.DataFrame(rows, columns=["customer_id", "product_id", "seq", "event_type", "order_id"])
    frame["event_id"] = [f"e{i}" for i in range(len(frame))]
    return frame


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.upsert(Table.PRODUCTS, PRODUCTS)
    store.upsert(Table.EVENTS, _events())
    store.upsert(Table.CUSTOMERS, pd.DataFrame({"customer_id": ["stranger"]}))
    return store


def _settings(tmp_path: Path) -> Settings:
    return get_settings(data_dir=tmp_path / "data")


@pytest.fixture
def service(tmp_path: Path) -> RecommendService:
    """Serving the start-up default: item neighbours over every event, popularity filling the rest."""
    service = RecommendService(_settings(tmp_path), _store(tmp_path))
    service.train_on_start()
    return service


def _ids(items: list) -> list[str]:  # noqa: ANN001
    return [item.product_id for item in items]


def test_for_you_follows_history_with_reasons(service: RecommendService) -> None:
    items = service.for_session(["sofa"], top_k=2)
    assert set(_ids(items)) == {"rug", "kettle"}  # co-viewed by every sofa viewer
    assert all(item.reason == "because you viewed Grey Sofa" for item in items)


def test_rules_exclude_purchased_and_out_of_stock_and_bury(service: RecommendService) -> None:
    items = _ids(service.for_customer("camper1", top_k=10))
    assert not {"tent", "stove", "lamp", "mug"} & set(items)  # bought (tent, stove, lamp) or out of stock (mug)
    session = _ids(service.for_session(["tent"], top_k=3))
    assert "mug" not in session and set(session[:2]) == {"stove", "lamp"}
    buried = _ids(service.for_session(["tent"], top_k=3, rules=Rules(exclude_purchased=False, boost={"Trek": 0})))
    assert not {"stove", "tent", "new"} & set(buried)
    diverse = service.for_session(["sofa"], top_k=3, rules=Rules(exclude_purchased=False, diversify=True, max_per_category=1))
    categories = [service.categories_[service.index_[item.product_id]] for item in diverse]
    assert len(set(categories)) == len(categories)


def test_cold_start_customer_and_product(service: RecommendService) -> None:
    cold = service.for_customer("stranger", top_k=3)
    assert cold and all(item.reason.startswith("popular") for item in cold)
    similar = service.similar("new", top_k=3)  # no one has engaged with it yet
    assert similar[0].product_id == "tent" and similar[0].reason == "same brand as New Tent"
    assert service.for_session([], top_k=2)  # an empty history still gets popular items


def test_unknown_ids_are_not_found(service: RecommendService) -> None:
    with pytest.raises(NotFoundError, match="customers 'nobody' not found"):
        service.for_customer("nobody")
    with pytest.raises(NotFoundError, match="products 'ghost' not found"):
        service.similar("ghost")
    with pytest.raises(NotFoundError, match="products 'ghost' not found"):
        service.bought_together("ghost")


def test_bought_together_from_orders(service: RecommendService) -> None:
    items = service.bought_together("tent", top_k=3)
    assert set(_ids(items)) == {"stove", "lamp"}  # mug was in the orders too, but is out of stock
    assert items[0].reason.startswith("often bought with Dome Tent (30 orders)")


def test_new_events_change_the_next_recommendations(service: RecommendService) -> None:
    before = _ids(service.for_customer("stranger", top_k=2))
    service.events_recorded([{"customer_id": "stranger", "product_id": "sofa", "event_type": "view", "seq": 0}])
    after = service.for_customer("stranger", top_k=2)
    assert _ids(after) != before and set(_ids(after)) == {"rug", "kettle"}
    assert after[0].reason == "because you viewed Grey Sofa"
    service.products_changed([{"product_id": "rug", "title": "Wool Rug", "available": False}])
    assert "rug" not in _ids(service.for_customer("stranger", top_k=3))


def test_nothing_is_served_before_training_and_the_error_names_the_command(tmp_path: Path) -> None:
    service = RecommendService(_settings(tmp_path), _store(tmp_path))
    assert service.needs_training() and service.status().state == "not_trained"
    for ask in (lambda: service.for_customer("camper1"), lambda: service.for_session(["tent"]),
                lambda: service.similar("tent"), lambda: service.bought_together("tent")):  # fmt: skip
        with pytest.raises(NotTrainedError, match="llm4retail recommend train"):
            ask()
    service.events_recorded([{"customer_id": "x", "product_id": "sofa", "event_type": "view", "seq": 0}])  # ignored, no error
    report = service.train_on_start()
    assert report["default"] and report["model"] == "itemknn" and report["version"] == "v0001"
    assert service.model_name == "itemknn (default, v0001)" and not service.needs_training()
    assert _ids(service.for_session(["sofa"], top_k=2))


def test_concurrent_first_requests_load_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    RecommendService(_settings(tmp_path), _store(tmp_path)).train_on_start()
    service = RecommendService(_settings(tmp_path), Store(f"sqlite:///{tmp_path / 'store.sqlite'}"))
    loads = []
    original = service._load
    monkeypatch.setattr(service, "_load", lambda: (loads.append(1), original())[1])
    answers: list[list[str]] = []
    threads = [threading.Thread(target=lambda: answers.append(_ids(service.for_session(["sofa"], top_k=2)))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1 and len(answers) == 6 and all(set(answer) == {"rug", "kettle"} for answer in answers)


def test_trained_model_is_chosen_saved_and_served(tmp_path: Path) -> None:
    service = RecommendService(_settings(tmp_path), _store(tmp_path))
    result = service.train(models=["itemknn", "graph", "hybrid"])
    assert result["version"] == "v0001" and result["model"] in {"itemknn", "graph", "hybrid"} and not result["default"]
    assert result["candidates"][result["model"]] == max(result["candidates"].values())  # chosen by validation
    folder = tmp_path / "data" / "models" / "recommend" / "v0001"
    assert {"model", "neighbours", "product_ids.json", "report.json"} <= {path.name for path in folder.iterdir()}
    assert service.models.versions()[0].metrics["valid_ndcg@10"] == result["valid_ndcg_at_10"]
    assert service.model_name == f"{result['model']} (v0001)"
    # a second service (another process) loads the saved version on its first request
    service = RecommendService(_settings(tmp_path), service.store)
    # the saved model scores the live history, so a posted event changes the next list at once
    service.events_recorded([{"customer_id": "fresh", "product_id": "sofa", "event_type": "view", "seq": 0}])  # not loaded yet
    service.warm_up()
    service.events_recorded([{"customer_id": "fresh", "product_id": "sofa", "event_type": "view", "seq": 0}])
    first = service.for_customer("fresh", top_k=2)
    assert set(_ids(first)) == {"rug", "kettle"} and all(item.reason for item in first)
    service.events_recorded([{"customer_id": "fresh", "product_id": p, "event_type": "view", "seq": s} for s, p in ((1, "tent"), (2, "stove"))])
    second = _ids(service.for_customer("fresh", top_k=2))
    assert second != _ids(first) and second[0] == "lamp"


def test_a_product_added_after_training_is_still_served(tmp_path: Path) -> None:
    service = RecommendService(_settings(tmp_path), _store(tmp_path))
    service.train(models=["itemknn"])
    service.events_recorded([{"customer_id": "x", "product_id": "brand-new", "event_type": "view", "seq": 0}])
    assert _ids(service.for_customer("x", top_k=3))  # popularity fills in; nothing breaks
    assert service.for_session(["brand-new", "sofa"], top_k=1)[0].product_id in {"rug", "kettle"}


def test_training_an_empty_store_says_what_is_missing(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.create_schema()
    service = RecommendService(_settings(tmp_path), store)
    for train in (service.train, service.train_on_start):
        with pytest.raises(DataValidationError, match="no events"):
            train()


def test_a_version_saved_before_the_shared_format_asks_to_retrain(tmp_path: Path) -> None:
    """The layout `ModelVersions` wrote before issue 16: model/meta.json without a registered type."""
    version = tmp_path / "data" / "models" / "recommend" / "v0001"
    (version / "model").mkdir(parents=True)
    (version / "model" / "meta.json").write_text(json.dumps({"format": 1, "version": "0.1.0", "model": "itemknn",
                                                             "params": {}, "sparse": ["similarity_"]}))  # fmt: skip
    (version / "product_ids.json").write_text(json.dumps(["tent", "sofa"]))
    (version / "report.json").write_text("{}")
    (version.parent / "LATEST").write_text("v0001")
    service = RecommendService(_settings(tmp_path), _store(tmp_path))
    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail recommend train`"):
        service.for_customer("camper1")
