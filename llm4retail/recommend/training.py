"""What `llm4retail recommend train` fits: the validation-chosen model refitted on every event, and item neighbours.

The choice is the one `eval recommend` makes (leave-last-out, validation NDCG@10); the
chosen configuration — validation-chosen hyperparameters, SASRec's best epoch, the
hybrid's weights — is then refitted on every event (`refit`), so the newest interactions
are learned too. Beside it, item-to-item neighbours over every event are fitted: they
answer "similar items" and explain each recommendation ("because you viewed ..."), and,
in the cheap start-up default (`default_recommender`), they also score "for you", as the
service did before any training. `RecommendService.train` saves both as one version.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.artifacts import data_fingerprint
from llm4retail.errors import DataValidationError
from llm4retail.recommend.base import Recommender
from llm4retail.recommend.data import Interactions
from llm4retail.recommend.evaluate import select_model
from llm4retail.recommend.hybrid import Hybrid
from llm4retail.recommend.neighbours import ItemKNN

logger = logging.getLogger(__name__)
NEIGHBOURS = 100  # neighbours kept per item by the serving item-to-item model


@dataclass
class TrainedRecommender:
    """What one training run produced, ready to be saved as a version.

    Attributes:
        model: scores "for you" and session recommendations.
        neighbours: item neighbours over every event (similar items, reasons).
        product_ids: the vocabulary (item index -> product id) of both models.
        report: the training report (`report.json`); `default` is True for the start-up default.
        metrics: validation and held-out figures of the chosen model (empty for the default).
        data_hash: fingerprint of the interactions learned from.
    """

    model: Recommender
    neighbours: ItemKNN
    product_ids: np.ndarray
    report: dict[str, Any]
    metrics: dict[str, float] = field(default_factory=dict)
    data_hash: str = ""


def refit(model: Recommender, interactions: Interactions, *, products: pd.DataFrame | None = None) -> Recommender:
    """A new model with `model`'s configuration (validation choices included) fitted on `interactions`."""
    if isinstance(model, Hybrid):
        components = [refit(component, interactions, products=products) for component in model.components]
        return Hybrid(components, weights=model.weights_ or model.weights, prefitted=True).fit(interactions)
    params: dict[str, Any] = model.get_params()
    if "products" in inspect.signature(type(model)).parameters:
        params["products"] = products
    return type(model)(**params).fit(interactions)


def train_recommender(
    events: pd.DataFrame, products: pd.DataFrame, *, dataset: str, models: Sequence[str] | None = None,
    ray: str | None = None, sasrec_workers: int = 1,
) -> TrainedRecommender:
    """Select a model by validation on `events`, refit it on all of them, fit the item neighbours.

    Args:
        events: the store's events.
        products: the store's products (for the graph and content models).
        dataset: a name for the report.
        models: candidate model names (default: every model plus the hybrid).
        ray: fit the candidates as parallel Ray tasks (`local`, `auto` or an address); None: in this process.
        sasrec_workers: N > 1 trains SASRec (and its refit) data-parallel on N Ray Train workers.

    Raises:
        DataValidationError: there are no events, or too few for a leave-last-out choice.
    """
    started = time.perf_counter()
    _require_events(events)
    report, chosen, interactions = select_model(events, dataset=dataset, models=models, products=products, ray=ray,
                                               sasrec_workers=sasrec_workers)
    logger.info("recommend train: %s chosen (validation NDCG@10 %.4f); refitting on all events", report.best, report.metrics["valid_ndcg@10"])
    final = refit(chosen, interactions, products=products)
    summary = {**report.model_dump(mode="json"), "default": False, "train_seconds": time.perf_counter() - started}
    return TrainedRecommender(model=final, neighbours=ItemKNN(neighbours=NEIGHBOURS).fit(interactions),
                              product_ids=interactions.product_ids, report=summary,
                              metrics=dict(report.metrics), data_hash=fingerprint(interactions))  # fmt: skip


def default_recommender(events: pd.DataFrame, *, dataset: str) -> TrainedRecommender:
    """The cheap start-up default: item neighbours over every event, no model selection.

    They score "for you" as the service did before any training: neighbours of the
    history, popularity filling the rest (the service reads `report["default"]`).

    Raises:
        DataValidationError: there are no events.
    """
    started = time.perf_counter()
    _require_events(events)
    interactions = Interactions.from_events(events)
    neighbours = ItemKNN(neighbours=NEIGHBOURS).fit(interactions)
    report = {"capability": "recommend", "dataset": dataset, "best": neighbours.name, "default": True,
              "extra": {"customers": interactions.n_customers, "items": interactions.n_items},
              "train_seconds": time.perf_counter() - started}  # fmt: skip
    return TrainedRecommender(model=neighbours, neighbours=neighbours, product_ids=interactions.product_ids,
                              report=report, data_hash=fingerprint(interactions))  # fmt: skip


def fingerprint(interactions: Interactions) -> str:
    """`data_fingerprint` of the customers, items and ordered histories learned from."""
    lengths = np.array([len(history) for history in interactions.histories], dtype=np.int64)
    items = np.concatenate(interactions.histories) if interactions.histories else np.zeros(0, dtype=np.int64)
    return data_fingerprint(interactions.customer_ids, interactions.product_ids, lengths, items)


def _require_events(events: pd.DataFrame) -> None:
    if events.empty:
        raise DataValidationError("the store has no events to learn recommendations from; import or post events first")
