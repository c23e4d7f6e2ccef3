"""`llm4retail eval recommend`: leave-last-out, full ranking over all items, model chosen by validation.

For every customer with three or more events the last item is the test target and the
one before the validation target; models are fitted on the rest. Each model ranks ALL
items for each customer (no sampled negatives), the customer's earlier items excluded;
`best` is the model with the highest validation NDCG@10 — test figures play no part.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from llm4retail.errors import DataValidationError
from llm4retail.eval import EvalReport, metrics_from_ranks, rank_of_targets
from llm4retail.recommend.base import Recommender
from llm4retail.recommend.data import Interactions, LeaveLastOut, leave_last_out

logger = logging.getLogger(__name__)
CUTOFFS = (5, 10, 20)
SCORE_BATCH = 2048


def model_factories() -> dict[str, Callable[[], Recommender]]:
    """Every model `eval recommend` knows, by name, with its default hyperparameters."""
    from llm4retail.recommend.als import ALS
    from llm4retail.recommend.neighbours import EASE, ItemKNN, Popularity

    factories: dict[str, Callable[[], Recommender]] = {
        "popularity": Popularity,
        "itemknn": ItemKNN,
        "ease": EASE,
        "als": ALS,
    }
    try:
        from llm4retail.recommend.sasrec import SASRec

        factories["sasrec"] = SASRec
    except ImportError as error:  # torch is optional for the rest
        logger.warning("sasrec unavailable: %s", error)
    return factories


def ranks_for(model: Recommender, histories: Sequence[np.ndarray], targets: np.ndarray, customers: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Full-ranking rank of each target (earlier items excluded) and each customer's top 10."""
    ranks = np.empty(len(targets), dtype=np.int64)
    top10: list[np.ndarray] = []
    for start in range(0, len(targets), SCORE_BATCH):
        stop = start + SCORE_BATCH
        batch = list(histories[start:stop])
        scores = model.score(batch, customers=customers[start:stop])
        ranks[start:stop] = rank_of_targets(scores, targets[start:stop], exclude=batch)
        for row, history in enumerate(batch):
            scores[row, history] = -np.inf
        top10.extend(np.argpartition(-scores, 10, axis=1)[:, :10])
    return ranks, top10


def evaluate_model(model: Recommender, interactions: Interactions, split: LeaveLastOut) -> dict[str, float]:
    """Validation and test metrics of one model."""
    train = Interactions(interactions.customer_ids, interactions.product_ids, split.train, split.train_times)
    started = time.perf_counter()
    valid_histories = split.valid_histories()
    model.fit(train, valid_histories=valid_histories, valid_targets=split.valid_targets)
    seconds = time.perf_counter() - started
    valid_ranks, _ = ranks_for(model, valid_histories, split.valid_targets, split.customers)
    test_ranks, top10 = ranks_for(model, split.test_histories(), split.test_targets, split.customers)
    test = metrics_from_ranks(test_ranks, cutoffs=CUTOFFS)
    valid = metrics_from_ranks(valid_ranks, cutoffs=(10,))
    covered = len(np.unique(np.concatenate(top10))) / interactions.n_items if top10 else 0.0
    return {
        **{key: float(value) for key, value in test.items()},
        "coverage@10": covered,
        "valid_ndcg@10": float(valid["ndcg@10"]),
        "train_seconds": seconds,
    }


def evaluate_recommenders(events: pd.DataFrame, *, dataset: str, models: Sequence[str] | None = None) -> EvalReport:
    """Fit and score each model; `best` by validation NDCG@10.

    Raises:
        DataValidationError: an unknown model name, or too few events.
    """
    started = time.perf_counter()
    factories = model_factories()
    names = list(models) if models else list(factories)
    unknown = [name for name in names if name not in factories]
    if unknown:
        raise DataValidationError(f"unknown model(s) {unknown}; choose from {sorted(factories)}")
    interactions = Interactions.from_events(events)
    split = leave_last_out(interactions)
    results = {}
    for name in names:
        logger.info("fitting %s", name)
        results[name] = evaluate_model(factories[name](), interactions, split)
    best = max(results, key=lambda name: results[name]["valid_ndcg@10"])
    return EvalReport(
        capability="recommend",
        dataset=dataset,
        n=len(split.customers),
        seconds=time.perf_counter() - started,
        metrics={key: value for key, value in results[best].items()},
        models=results,
        best=best,
        extra={"customers": interactions.n_customers, "items": interactions.n_items},
    )
