"""Graph, content and hybrid recommenders, saving and loading every model, and refitting a chosen one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.artifacts import load_model
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.recommend.als import ALS
from llm4retail.recommend.content import ContentKNN
from llm4retail.recommend.data import Interactions, leave_last_out
from llm4retail.recommend.evaluate import select_model
from llm4retail.recommend.features import ItemFacts
from llm4retail.recommend.graph import KnowledgeGraph
from llm4retail.recommend.hybrid import Hybrid, simplex_grid, standardised
from llm4retail.recommend.neighbours import EASE, ItemKNN, Popularity, UserKNN
from llm4retail.recommend.training import refit

pytestmark = pytest.mark.unit
N_BRANDS = 10


def _brand_log(n_customers: int = 300, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """40 products in 10 brands of 4; a customer stays within one brand, in random order.

    Co-engagement and the brand attribute tell the same story; product "p40" (brand 0)
    has no events at all: a cold-start item only the catalogue knows about.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(n_customers):
        brand = customer % N_BRANDS
        items = rng.permutation(4) + 4 * brand
        rows += [(f"c{customer}", f"p{item:02d}", position) for position, item in enumerate(items)]
    events = pd.DataFrame(rows, columns=["customer_id", "product_id", "seq"])
    products = pd.DataFrame(
        {
            "product_id": [f"p{item:02d}" for item in range(41)],
            "title": [f"{['Trail', 'Camp', 'Home', 'Glow', 'Luxe', 'Urban', 'Nordic', 'Sport', 'Kid', 'Eco'][min(i // 4, 9)]} "
                      f"{['boots', 'tent', 'lamp', 'mug'][i % 4]} model {i}" for i in range(41)],
            "brand": [f"brand{min(item // 4, 9) if item < 40 else 0}" for item in range(41)],
            "category": ["Outdoor > Gear"] * 41,
            "attributes": [{"colour": ["red", "blue"][item % 2]} for item in range(41)],
        }
    )  # fmt: skip
    return events, products


def _same_brand_rate(model, interactions: Interactions) -> float:  # noqa: ANN001
    """Share of top-2 recommendations (the two seen items excluded) from the history's brand of four."""
    histories = [h[:2] for h in interactions.histories]
    scores = model.score(histories)
    hits = 0
    for row, history in enumerate(histories):
        scores[row, history] = -np.inf
        top = np.argsort(-scores[row])[:2]
        brand = int(interactions.product_ids[history[0]][1:]) // 4
        hits += sum(int(interactions.product_ids[i][1:]) // 4 == brand for i in top)
    return hits / (2 * len(histories))


def test_item_facts_expand_categories_and_list_attributes() -> None:
    products = pd.DataFrame(
        {"product_id": ["a", "b", "c"], "brand": ["X", "X", None], "category": ["A > B", "A > C", "A > B"],
         "attributes": [{"ids": [1, 2]}, {"ids": [2]}, '{"ids": [1]}']}  # fmt: skip
    )
    facts = ItemFacts.from_products(products, np.array(["a", "b", "c", "unknown"]), max_share=1.0)
    names = set(facts.node_names)
    assert {"brand=x", "category=a > b", "ids=1", "ids=2"} <= names
    assert "category=a > c" not in names  # one product only: links nothing
    assert facts.nodes.shape == (4, len(names)) and facts.nodes[3].nnz == 0


def test_templated_titles_are_not_text() -> None:
    ids = np.array(["a", "b", "c"])
    templated = pd.DataFrame({"product_id": ids, "title": ["Beauty item 1", "Beauty item 2", "Beauty item 3"]})
    real = pd.DataFrame({"product_id": ids, "title": ["Red wool scarf", "Steel water bottle", "Cotton beach towel"]})
    assert not ItemFacts.from_products(templated, ids).has_text
    assert ItemFacts.from_products(real, ids).has_text


@pytest.mark.parametrize("with_products", [True, False])
def test_graph_recommends_within_the_brand(with_products: bool) -> None:
    events, products = _brand_log()
    interactions = Interactions.from_events(events)
    split = leave_last_out(interactions)
    model = KnowledgeGraph(products=products if with_products else None)
    model.fit(interactions, valid_histories=split.valid_histories(), valid_targets=split.valid_targets)
    assert _same_brand_rate(model, interactions) > 0.9
    assert set(model.chosen_) == {"beta", "attribute_weight", "next_weight"}
    if not with_products:
        assert model.chosen_["attribute_weight"] == 0.0


def test_content_model_reaches_a_cold_start_item() -> None:
    events, products = _brand_log()
    interactions = Interactions.from_events(events.assign(product_id=events["product_id"]))
    # the vocabulary must know the cold item: give it one event by a customer of its own
    cold = pd.DataFrame({"customer_id": ["lonely"], "product_id": ["p40"], "seq": [0]})
    interactions = Interactions.from_events(pd.concat([events, cold]))
    model = ContentKNN(products=products, text_weight=0.0).fit(interactions)
    index = {p: i for i, p in enumerate(interactions.product_ids)}
    scores = model.score([np.array([index["p00"]])])[0]
    assert scores[index["p40"]] > 0  # same brand, never co-engaged
    assert _same_brand_rate(model, interactions) > 0.9
    with pytest.raises(DataValidationError, match="needs product facts"):
        ContentKNN(products=None).fit(interactions)


def test_content_model_uses_text_embeddings() -> None:
    events, products = _brand_log()
    interactions = Interactions.from_events(events)
    text_only = ContentKNN(products=products[["product_id", "title"]], text_weight=1.0).fit(interactions)
    assert text_only.similarity_.nnz > 0
    index = {p: i for i, p in enumerate(interactions.product_ids)}
    row = text_only.similarity_.getrow(index["p00"]).toarray().ravel()
    assert row[index["p01"]] > row[index["p39"]]  # "Trail boots" nearer "Trail tent" than "Eco mug"


def test_hybrid_weights_come_from_validation() -> None:
    events, products = _brand_log()
    interactions = Interactions.from_events(events)
    split = leave_last_out(interactions)
    train = Interactions(interactions.customer_ids, interactions.product_ids, split.train)
    good = ItemKNN().fit(train)
    useless = Popularity().fit(train)
    hybrid = Hybrid([useless, good], prefitted=True).fit(train, valid_histories=split.valid_histories(), valid_targets=split.valid_targets)
    assert hybrid.weights_[1] > hybrid.weights_[0]
    assert "itemknn" in hybrid.description
    assert len(simplex_grid(3)) == 66 and all(abs(sum(w) - 1) < 1e-9 for w in simplex_grid(3))
    rows = standardised(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]))
    assert np.allclose(rows[0].mean(), 0) and np.allclose(rows[0].std(), 1) and np.all(rows[1] == 0)
    with pytest.raises(DataValidationError, match="one non-negative weight per component"):
        Hybrid([good], weights=[0.5, 0.5])
    with pytest.raises(NotFittedError):
        Hybrid([good]).score([np.array([0])])


@pytest.mark.parametrize(
    "make",
    [Popularity, ItemKNN, UserKNN, lambda: EASE(regularisation=10.0), lambda: ALS(factors=8, iterations=5),
     lambda: KnowledgeGraph(products=_brand_log()[1]), lambda: ContentKNN(products=_brand_log()[1], text_weight=0.0)],  # fmt: skip
)
def test_every_model_saves_and_loads_identically(make, tmp_path: Path) -> None:  # noqa: ANN001
    events, _ = _brand_log()
    interactions = Interactions.from_events(events)
    model = make().fit(interactions)
    model.save(tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    histories = [h[:2] for h in interactions.histories[:20]]
    assert type(loaded) is type(model)
    np.testing.assert_allclose(loaded.score(histories), model.score(histories), rtol=1e-5, atol=1e-6)
    assert not list(tmp_path.rglob("*.pkl"))


def test_a_saved_hybrid_keeps_its_components_as_parts(tmp_path: Path) -> None:
    events, _ = _brand_log()
    interactions = Interactions.from_events(events)
    hybrid = Hybrid([ItemKNN().fit(interactions), Popularity().fit(interactions)], weights=[0.7, 0.3], prefitted=True)
    hybrid.fit(interactions).save(tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    assert isinstance(loaded, Hybrid) and loaded.description == "0.7·itemknn + 0.3·popularity"
    assert sorted(p.name for p in (tmp_path / "model" / "parts").iterdir()) == ["component-0", "component-1"]
    histories = [h[:2] for h in interactions.histories[:20]]
    np.testing.assert_array_equal(loaded.score(histories), hybrid.score(histories))


def test_select_and_refit_keep_the_validation_choices() -> None:
    events, products = _brand_log()
    report, chosen, interactions = select_model(events, dataset="brands", models=["itemknn", "graph", "hybrid"], products=products)
    assert set(report.models) == {"itemknn", "graph", "hybrid"} and report.best in report.models
    assert report.models["hybrid"]["valid_ndcg@10"] >= max(report.models[m]["valid_ndcg@10"] for m in ("itemknn", "graph")) - 1e-9
    refitted = refit(chosen, interactions, products=products)
    assert type(refitted) is type(chosen) and refitted.get_params() == chosen.get_params()


def test_default_models_skip_what_cannot_run_and_name_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from llm4retail.recommend import evaluate

    events, products = _brand_log()
    assert "content" not in evaluate.default_models(None) and "content" in evaluate.default_models(products)
    assert {"sasrec", "graph", "hybrid"} <= set(evaluate.default_models(None))
    small = {"itemknn": lambda products: ItemKNN(), "ease": lambda products: EASE(max_items=10)}  # 40 items > 10
    monkeypatch.setattr(evaluate, "model_factories", lambda **options: small)
    monkeypatch.setattr(evaluate, "default_models", lambda products: ["itemknn", "ease", "hybrid"])
    report = evaluate.evaluate_recommenders(events, dataset="brands")
    assert set(report.models) == {"itemknn"} and "max_items" in report.extra["skipped"]["ease"]
    with pytest.raises(DataValidationError, match="max_items"):
        evaluate.evaluate_recommenders(events, dataset="brands", models=["ease"])
