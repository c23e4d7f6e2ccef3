"""The search engine on small catalogs with known answers, and on the real Icecat catalog."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.data.importer import read_table
from llm4retail.data.schemas import Table
from llm4retail.errors import DataValidationError, NotFittedError, NotTrainedError
from llm4retail.search.engine import SearchEngine
from llm4retail.search.features import FEATURES
from llm4retail.search.rerank import Reranker
from llm4retail.search.results import SearchFilters

CATALOG = pd.DataFrame(
    [
        ("p1", "Nordic Grey Fabric Sofa 3-seat", "Casa", "Home > Furniture > Sofas", 499.0, True, {"colour": "grey"}),
        ("p2", "Red Velvet Sofa 2-seat", "Velora", "Home > Furniture > Sofas", 450.0, True, {"colour": "red"}),
        ("p3", "Red Velvet Sofa 3-seat", "Velora", "Home > Furniture > Sofas", 899.0, True, {"colour": "red"}),
        ("p4", "Wireless Bluetooth Headphones over-ear", "Voltix", "Electronics > Audio > Headphones", 79.0, True, {}),
        ("p5", "HP Laptop 15 inch 16 GB RAM 512 GB SSD", "HP", "Electronics > Computers > Laptops", 899.0, True, {}),
        ("p6", "Lenovo Laptop 14 inch 8 GB RAM", "Lenovo", "Electronics > Computers > Laptops", 599.0, False, {}),
        ("p7", "儿童防水雨靴 黄色", "Little Ark", "Fashion > Kids > Boots", 89.0, True, {"colour": "yellow"}),
        ("p8", "北欧风灰色布艺沙发 三人位", "Casa", "Home > Furniture > Sofas", 2999.0, True, {"colour": "grey"}),
        ("p9", "LED Light Bulb 60 W warm white", "Lumo", "Home > Lighting > Bulbs", 5.0, True, {}),
        ("p10", "Bluetooth Speaker portable", "Voltix", "Electronics > Audio > Speakers", 49.0, True, {}),
    ],
    columns=["product_id", "title", "brand", "category", "price", "available", "attributes"],
).assign(currency=["USD"] * 6 + ["CNY", "CNY"] + ["USD"] * 2)  # the Chinese listings are priced in yuan


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    return SearchEngine().fit(CATALOG)


def _ids(engine: SearchEngine, query: str, **options: object) -> list[str]:
    return [hit.product_id for hit in engine.search(query, **options).hits]


@pytest.mark.unit
def test_typos_are_corrected_against_the_catalog(engine: SearchEngine) -> None:
    response = engine.search("bluetooht headphnes")
    assert response.hits[0].product_id == "p4"
    assert "bluetooht → bluetooth" in response.understood["corrections"]


@pytest.mark.unit
def test_price_in_the_query_becomes_a_filter(engine: SearchEngine) -> None:
    response = engine.search("red velvet sofa under 500")
    assert response.understood["price"] == {"min": None, "max": 500.0, "currency": None}
    assert _ids(engine, "red velvet sofa under 500")[0] == "p2"
    assert all(hit.price <= 500 and hit.currency == "USD" for hit in response.hits)


@pytest.mark.unit
def test_chinese_query_with_price_constraint(engine: SearchEngine) -> None:
    response = engine.search("儿童防水雨靴 100元以内")
    assert response.hits[0].product_id == "p7" and response.hits[0].currency == "CNY"
    assert response.understood["language"] == "zh"


@pytest.mark.unit
def test_units_meet_whatever_the_spelling(engine: SearchEngine) -> None:
    assert _ids(engine, "hp laptop 16gb")[0] == "p5"
    assert _ids(engine, "lightbulb 60 watt")[0] == "p9"


@pytest.mark.unit
def test_filters_and_facets(engine: SearchEngine) -> None:
    response = engine.search("sofa", filters=SearchFilters(brands=("velora",)), top_k=10)
    assert {hit.product_id for hit in response.hits} == {"p2", "p3"}
    assert response.facets["brand"] == [{"value": "Velora", "count": 2}]
    assert {"value": "Home > Furniture", "count": 2} in response.facets["category"]
    laptops = engine.search("laptop", filters=SearchFilters(available=True))
    assert [hit.product_id for hit in laptops.hits] == ["p5"]
    priced = engine.search("sofa", filters=SearchFilters(price_min=800, category="Home > Furniture"))
    assert {hit.product_id for hit in priced.hits} <= {"p3", "p8"}


@pytest.mark.unit
def test_empty_and_too_long_queries(engine: SearchEngine) -> None:
    assert engine.search("   ").total == 0
    with pytest.raises(DataValidationError, match="512"):
        engine.search("sofa " * 200)
    with pytest.raises(DataValidationError, match="top_k"):
        engine.search("sofa", top_k=0)


@pytest.mark.unit
def test_explain_personalise_and_diversify(engine: SearchEngine) -> None:
    explained = engine.search("sofa", explain=True).hits[0].features
    assert set(explained) == set(FEATURES) and explained["bm25"] > 0
    personal = engine.search("sofa", recent_product_ids=["p8"], explain=True).hits
    assert personal[0].features["personal"] > 0
    plain = [hit.brand for hit in engine.search("sofa", top_k=3).hits]
    spread = [hit.brand for hit in engine.search("sofa", top_k=3, diversify_results=True).hits]
    assert len(set(spread)) >= len(set(plain))


@pytest.mark.unit
def test_index_follows_catalog_changes(tmp_path: Path) -> None:
    engine = SearchEngine(semantic=False).fit(CATALOG)
    engine.upsert(pd.DataFrame([{"product_id": "p11", "title": "Zanzibar quantum teapot", "price": 12.0}]))
    assert _ids(engine, "zanzibar teapot")[0] == "p11"
    engine.upsert(pd.DataFrame([{"product_id": "p11", "title": "Zanzibar quantum teapot", "available": False}]))
    assert "p11" not in _ids(engine, "zanzibar teapot", filters=SearchFilters(available=True))
    assert engine.delete(["p11", "nope"]) == 1
    assert "p11" not in _ids(engine, "zanzibar teapot")
    engine.save(tmp_path / "model")
    loaded = SearchEngine.load(tmp_path / "model")
    assert loaded.size == engine.size == len(CATALOG)
    assert _ids(loaded, "red velvet sofa") == _ids(engine, "red velvet sofa")
    changes = loaded.sync(CATALOG.iloc[:-1].assign(title=lambda f: f["title"].where(f["product_id"] != "p1", "Blue Sofa")))
    assert changes == {"added_or_changed": 1, "removed": 1, "size": len(CATALOG) - 1}
    assert _ids(loaded, "blue sofa")[0] == "p1"


@pytest.mark.unit
def test_unfitted_and_missing_index_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError, match="fit"):
        SearchEngine().search("sofa")
    with pytest.raises(NotFittedError, match="fit"):
        SearchEngine().save(tmp_path / "model")
    with pytest.raises(NotTrainedError, match="llm4retail search train"):
        SearchEngine.load(tmp_path)
    with pytest.raises(DataValidationError, match="'title'"):
        SearchEngine().fit(pd.DataFrame({"product_id": ["a"]}))


@pytest.mark.unit
def test_reranker_learns_a_known_signal() -> None:
    rng = np.random.default_rng(0)
    features, grades = [], []
    for _ in range(60):
        matrix = rng.random((20, len(FEATURES))).astype(np.float32)
        grades.append((matrix[:, FEATURES.index("coverage")] > 0.7).astype(int) * 2)
        features.append(matrix)
    reranker = Reranker(n_estimators=100).fit(features, grades)
    test = rng.random((50, len(FEATURES))).astype(np.float32)
    scores = reranker.predict(test)
    relevant = test[:, FEATURES.index("coverage")] > 0.7
    assert scores[relevant].mean() > scores[~relevant].mean()
    assert max(reranker.importance(), key=reranker.importance().get) == "coverage"


@pytest.mark.integration
def test_real_catalog_queries(datasets: Path) -> None:
    products, _ = read_table(datasets / "catalog_icecat", Table.PRODUCTS)
    engine = SearchEngine(semantic=False).fit(products)
    laptops = engine.search("hp laptop 16gb under 1000", top_k=10)
    assert laptops.understood["brands"] == ["HP"] and laptops.understood["price"]["max"] == 1000
    assert all(hit.price is None or hit.price <= 1000 for hit in laptops.hits)
    assert sum(hit.brand == "HP" for hit in laptops.hits) >= 8
    ink = engine.search("epson ink cartridge black", top_k=10)
    assert sum(hit.brand == "Epson" for hit in ink.hits) >= 8
    typo = engine.search("startech usb cabel", top_k=5)
    assert "cabel → cable" in typo.understood["corrections"]
    assert all("cable" in hit.title.lower() for hit in typo.hits)


@pytest.mark.integration
def test_real_chinese_queries(datasets: Path) -> None:
    folder = datasets / "faq_zh_atec"
    documents, _ = read_table(folder / "documents.csv.gz", Table.DOCUMENTS)
    queries, _ = read_table(folder / "queries.csv.gz", Table.QUERIES)
    qrels, _ = read_table(folder / "qrels.csv.gz", Table.JUDGEMENTS)
    positives = qrels[qrels["grade"] > 0].head(300)
    wanted = set(positives["product_id"])
    catalog = documents[documents["doc_id"].isin(wanted) | (documents.index < 3000)]
    engine = SearchEngine(semantic=False).fit(catalog.rename(columns={"doc_id": "product_id"}))
    text = dict(zip(queries["query_id"], queries["query"]))
    found = 0
    for query_id, product_id in positives[["query_id", "product_id"]].itertuples(index=False):
        response = engine.search(text[query_id], top_k=10)
        assert response.understood["language"] == "zh"
        found += product_id in [hit.product_id for hit in response.hits]
    assert found / len(positives) >= 0.45  # 0.53 measured: the paraphrase is in the top 10
    assert engine.search("花呗 500元以下怎么还款").understood["price"] == {"min": None, "max": 500.0, "currency": "CNY"}


@pytest.mark.unit
def test_another_rankings_products_are_fused_within_the_filters(engine: SearchEngine) -> None:
    plain = _ids(engine, "red velvet sofa under 500", top_k=10)
    assert "p9" not in plain and "p8" not in plain
    # another retriever (voice search's phonetic match) ranks the bulb and the yuan-priced sofa first
    fused = _ids(engine, "red velvet sofa under 500", top_k=10, fuse=["p9", "p8", "p2"])
    assert "p9" in fused  # joins the candidates: $5 is within the filter
    assert "p8" not in fused  # ¥2,999 is not: the fused ranking never bypasses a filter
    assert fused[0] == "p2"  # first in both rankings
    assert _ids(engine, "red velvet sofa under 500", top_k=10, fuse=["unknown-id"]) == plain
