"""Recommendation surfaces over a small store: reasons, rules, cold start, and the feedback loop."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import NotFoundError
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


@pytest.fixture
def service(tmp_path: Path) -> RecommendService:
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.upsert(Table.PRODUCTS, PRODUCTS)
    store.upsert(Table.EVENTS, _events())
    store.upsert(Table.CUSTOMERS, pd.DataFrame({"customer_id": ["stranger"]}))
    service = RecommendService(store)
    service.build()
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
    service.record_events([{"customer_id": "stranger", "product_id": "sofa", "event_type": "view", "seq": 0}])
    after = service.for_customer("stranger", top_k=2)
    assert _ids(after) != before and set(_ids(after)) == {"rug", "kettle"}
    assert after[0].reason == "because you viewed Grey Sofa"
    service.products_changed([{"product_id": "rug", "title": "Wool Rug", "available": False}])
    assert "rug" not in _ids(service.for_customer("stranger", top_k=3))


def test_trained_model_is_chosen_saved_and_served(tmp_path: Path) -> None:
    from llm4retail.recommend.training import train_recommender

    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.upsert(Table.PRODUCTS, PRODUCTS)
    store.upsert(Table.EVENTS, _events())
    data_dir = tmp_path / "data"
    result = train_recommender(store, data_dir=data_dir, models=["itemknn", "graph", "hybrid"])
    assert result.version == "v0001" and result.model in {"itemknn", "graph", "hybrid"}
    assert result.candidates[result.model] == max(result.candidates.values())  # chosen by validation
    assert (data_dir / "models" / "recommend" / "v0001" / "report.json").is_file()
    service = RecommendService(store, data_dir=data_dir)
    service.build()
    assert service.model_name == f"{result.model} (v0001)"
    # the saved model scores the live history, so a posted event changes the next list at once
    service.record_events([{"customer_id": "fresh", "product_id": "sofa", "event_type": "view", "seq": 0}])
    first = service.for_customer("fresh", top_k=2)
    assert set(_ids(first)) == {"rug", "kettle"} and all(item.reason for item in first)
    service.record_events([{"customer_id": "fresh", "product_id": p, "event_type": "view", "seq": s} for s, p in ((1, "tent"), (2, "stove"))])
    second = _ids(service.for_customer("fresh", top_k=2))
    assert second != _ids(first) and second[0] == "lamp"


def test_a_product_added_after_training_is_still_served(tmp_path: Path) -> None:
    from llm4retail.recommend.training import train_recommender

    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.upsert(Table.PRODUCTS, PRODUCTS)
    store.upsert(Table.EVENTS, _events())
    train_recommender(store, data_dir=tmp_path / "data", models=["itemknn"])
    service = RecommendService(store, data_dir=tmp_path / "data")
    service.build()
    service.record_events([{"customer_id": "x", "product_id": "brand-new", "event_type": "view", "seq": 0}])
    assert _ids(service.for_customer("x", top_k=3))  # popularity fills in; nothing breaks
    assert service.for_session(["brand-new", "sofa"], top_k=1)[0].product_id in {"rug", "kettle"}


def test_training_an_empty_store_says_what_is_missing(tmp_path: Path) -> None:
    from llm4retail.errors import DataValidationError
    from llm4retail.recommend.training import train_recommender

    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.create_schema()
    with pytest.raises(DataValidationError, match="no events"):
        train_recommender(store, data_dir=tmp_path / "data")
