"""Model-contract cases of the search models: the index (with a reranker part and popularity) and the reranker."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from llm4retail.search.engine import SearchEngine
from llm4retail.search.features import FEATURES
from llm4retail.search.rerank import Reranker
from tests.contract import ContractCase

CATALOG = pd.DataFrame(
    [
        ("p1", "Nordic Grey Fabric Sofa 3-seat", "Casa", "Home > Furniture > Sofas", 499.0, True, {"colour": "grey"}),
        ("p2", "Red Velvet Sofa 2-seat", "Velora", "Home > Furniture > Sofas", 450.0, True, {"colour": "red"}),
        ("p3", "Red Velvet Sofa 3-seat", "Velora", "Home > Furniture > Sofas", 899.0, True, {"colour": "red"}),
        ("p4", "Wireless Bluetooth Headphones over-ear", "Voltix", "Electronics > Audio > Headphones", 79.0, True, {}),
        ("p5", "HP Laptop 15 inch 16 GB RAM 512 GB SSD", "HP", "Electronics > Computers > Laptops", 899.0, True, {}),
        ("p6", "Lenovo Laptop 14 inch 8 GB RAM", "Lenovo", "Electronics > Computers > Laptops", 599.0, False, {}),
        ("p7", "北欧风灰色布艺沙发 三人位", "Casa", "Home > Furniture > Sofas", 2999.0, True, {"colour": "grey"}),
        ("p8", "Bluetooth Speaker portable", "Voltix", "Electronics > Audio > Speakers", 49.0, True, {}),
    ],
    columns=["product_id", "title", "brand", "category", "price", "available", "attributes"],
)
EVENTS = pd.DataFrame({"product_id": ["p2", "p2", "p8", "p5"], "event_type": ["purchase", "view", "add_to_cart", "view"]})
QUERIES = ("red velvet sofa", "bluetooth", "灰色沙发", "laptop under 700", "grey couch")


@cache
def _grades() -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(0)
    features = [rng.random((20, len(FEATURES))).astype(np.float32) for _ in range(30)]
    grades = [(matrix[:, FEATURES.index("coverage")] > 0.7).astype(int) * 2 for matrix in features]
    return features, grades


def _fit_reranker() -> Reranker:
    return Reranker(n_estimators=20).fit(*_grades())


def _predict_reranker(reranker: Reranker) -> dict[str, object]:
    test = np.random.default_rng(1).random((40, len(FEATURES))).astype(np.float32)
    return {"scores": reranker.predict(test), "importance": reranker.importance()}


def _fit_engine() -> SearchEngine:
    engine = SearchEngine(synonyms={"couch": ["sofa"]}).fit(CATALOG, events=EVENTS)
    engine.reranker = _fit_reranker()
    return engine


def _predict_engine(engine: SearchEngine) -> dict[str, object]:
    answers: dict[str, object] = {}
    for query in QUERIES:
        for reranked in (True, False):
            response = engine.search(query, top_k=5, explain=True, use_reranker=reranked)
            answers[f"{query} {reranked}"] = {
                "ids": [hit.product_id for hit in response.hits], "scores": [hit.score for hit in response.hits],
                "features": [hit.features for hit in response.hits], "total": response.total,
            }  # fmt: skip
    return answers


CASES = [
    ContractCase("search.engine", _fit_engine, _predict_engine),  # type: ignore[arg-type]
    ContractCase("search.reranker", _fit_reranker, _predict_reranker),  # type: ignore[arg-type]
]
