"""Model-contract cases of the recommenders: each fits on a tiny brand-structured log in well under a second."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from llm4retail.recommend.als import ALS
from llm4retail.recommend.base import Recommender
from llm4retail.recommend.content import ContentKNN
from llm4retail.recommend.data import Interactions, leave_last_out
from llm4retail.recommend.graph import KnowledgeGraph
from llm4retail.recommend.hybrid import Hybrid
from llm4retail.recommend.neighbours import EASE, ItemKNN, Popularity, UserKNN
from llm4retail.recommend.sasrec import SASRec
from tests.contract import ContractCase


def _log() -> tuple[Interactions, pd.DataFrame]:
    """12 products in 3 brands of 4 (6 colours of 2); each of 60 customers views the 4 products of one brand."""
    rng = np.random.default_rng(0)
    rows = [(f"c{customer:02d}", f"p{item:02d}", position)
            for customer in range(60) for position, item in enumerate(rng.permutation(4) + 4 * (customer % 3))]  # fmt: skip
    events = pd.DataFrame(rows, columns=["customer_id", "product_id", "seq"])
    products = pd.DataFrame({"product_id": [f"p{item:02d}" for item in range(12)],
                             "brand": [f"brand{item // 4}" for item in range(12)],
                             "category": ["Outdoor > Gear"] * 12,
                             "attributes": [{"colour": ["red", "blue", "green", "black", "white", "grey"][item % 6]}
                                            for item in range(12)]})  # fmt: skip
    return Interactions.from_events(events), products


INTERACTIONS, PRODUCTS = _log()
HISTORIES = [history[:2] for history in INTERACTIONS.histories[:10]] + [np.array([], dtype=np.int64)]


def _fit(model: Recommender) -> Recommender:
    return model.fit(INTERACTIONS)


def _hybrid() -> Recommender:
    split = leave_last_out(INTERACTIONS)
    train = Interactions(INTERACTIONS.customer_ids, INTERACTIONS.product_ids, split.train)
    components = [ItemKNN().fit(train), Popularity().fit(train)]
    return Hybrid(components, prefitted=True).fit(train, valid_histories=split.valid_histories(), valid_targets=split.valid_targets)


def _scores(model: Any) -> np.ndarray:
    return model.score(HISTORIES)


TINY_SASREC = {"hidden_size": 8, "n_layers": 1, "n_heads": 1, "max_epochs": 2, "batch_size": 32, "threads": 1}

CASES = [
    ContractCase("recommend.popularity", lambda: _fit(Popularity()), _scores),
    ContractCase("recommend.itemknn", lambda: _fit(ItemKNN()), _scores),
    ContractCase("recommend.userknn", lambda: _fit(UserKNN()), _scores),
    ContractCase("recommend.ease", lambda: _fit(EASE(regularisation=10.0)), _scores),
    ContractCase("recommend.als", lambda: _fit(ALS(factors=4, iterations=2)), _scores),
    ContractCase("recommend.graph", lambda: _fit(KnowledgeGraph(products=PRODUCTS, beta=0.5, attribute_weight=0.3, next_weight=0.1)), _scores),
    ContractCase("recommend.content", lambda: _fit(ContentKNN(products=PRODUCTS, text_weight=0.0)), _scores),
    ContractCase("recommend.sasrec", lambda: _fit(SASRec(**TINY_SASREC)), _scores),
    ContractCase("recommend.hybrid", _hybrid, _scores),
]
