"""Recommenders and the leave-last-out evaluation on synthetic logs with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.recommend.als import ALS
from llm4retail.recommend.data import Interactions, leave_last_out
from llm4retail.recommend.evaluate import evaluate_recommenders
from llm4retail.recommend.neighbours import EASE, ItemKNN, Popularity, UserKNN

pytestmark = pytest.mark.unit


def _paired_log(n_customers: int = 400, seed: int = 0) -> pd.DataFrame:
    """Items come in pairs (2k, 2k+1): whoever takes one takes its partner next."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(n_customers):
        pairs = rng.choice(20, size=3, replace=False)
        sequence = [int(item) for pair in pairs for item in (2 * pair, 2 * pair + 1)]
        rows += [(f"c{customer}", f"p{item:02d}", position) for position, item in enumerate(sequence)]
    return pd.DataFrame(rows, columns=["customer_id", "product_id", "seq"])


def test_histories_follow_time_then_seq_order() -> None:
    events = pd.DataFrame(
        {"customer_id": ["b", "a", "a", "a"], "product_id": ["x", "z", "x", "y"], "seq": [0, 2, 0, 1]}
    )
    interactions = Interactions.from_events(events)
    assert list(interactions.customer_ids) == ["a", "b"]
    assert [list(interactions.product_ids[h]) for h in interactions.histories] == [["x", "y", "z"], ["x"]]
    split = leave_last_out(interactions)
    assert list(split.customers) == [0] and interactions.product_ids[split.test_targets[0]] == "z"
    with pytest.raises(DataValidationError, match="timestamp' or 'seq"):
        Interactions.from_events(events.drop(columns="seq"))


@pytest.mark.parametrize("model", [ItemKNN(), UserKNN(), EASE(regularisation=10.0), ALS(factors=16, iterations=10)])
def test_models_learn_the_pairs(model) -> None:  # noqa: ANN001
    interactions = Interactions.from_events(_paired_log())
    model.fit(interactions)
    index = {product: i for i, product in enumerate(interactions.product_ids)}
    histories = [np.array([index["p04"]]), np.array([index["p10"]])]
    scores = model.score(histories)
    assert scores.shape == (2, interactions.n_items)
    assert int(np.argmax(np.where(np.arange(40) == index["p04"], -np.inf, scores[0]))) == index["p05"]
    assert int(np.argmax(np.where(np.arange(40) == index["p10"], -np.inf, scores[1]))) == index["p11"]


def test_unfitted_and_bad_parameters() -> None:
    with pytest.raises(NotFittedError, match="itemknn is not fitted"):
        ItemKNN().score([np.array([0])])
    with pytest.raises(DataValidationError, match="regularisation"):
        EASE(regularisation=0)
    with pytest.raises(DataValidationError, match="decay"):
        Popularity(decay=0)


def test_eval_chooses_by_validation_and_reports_every_metric() -> None:
    report = evaluate_recommenders(_paired_log(), dataset="pairs", models=["popularity", "itemknn"])
    assert set(report.models) == {"popularity", "itemknn"}
    for metrics in report.models.values():
        assert {"hr@5", "hr@10", "hr@20", "ndcg@5", "ndcg@10", "ndcg@20", "mrr", "coverage@10", "train_seconds"} <= set(metrics)
    assert report.best == "itemknn"
    assert report.models["itemknn"]["hr@5"] > 0.9 > report.models["popularity"]["hr@5"]
    with pytest.raises(DataValidationError, match="unknown model"):
        evaluate_recommenders(_paired_log(), dataset="pairs", models=["nope"])


def test_popularity_decays_with_real_time() -> None:
    day = 86_400
    events = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "product_id": ["old", "old", "old", "new", "new"],
            "timestamp": pd.to_datetime([0, 1, 2, 60 * day, 60 * day + 1], unit="s"),
        }
    )
    interactions = Interactions.from_events(events)
    assert interactions.times is not None
    counts = Popularity(half_life_days=7).fit(interactions).counts_
    index = {product: i for i, product in enumerate(interactions.product_ids)}
    assert counts[index["new"]] > counts[index["old"]]  # two recent beat three from two months ago
    undecayed = Popularity(half_life_days=1e6).fit(interactions).counts_
    assert undecayed[index["old"]] > undecayed[index["new"]]
