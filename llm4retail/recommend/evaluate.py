"""`llm4retail recommend eval`: leave-last-out, full ranking over all items, model chosen by validation.

For every customer with three or more events the last item is the test target and the
one before the validation target; models are fitted on the rest. Each model ranks ALL
items for each customer (no sampled negatives), the customer's earlier items excluded;
`best` is the model with the highest validation NDCG@10 — test figures play no part.
The hybrid blends the three models with the best validation NDCG@10, its weights
chosen on validation too. Models that need a catalogue (content) run when products
are given; a model that cannot run on the data (e.g. EASE over a huge catalogue) is
reported as skipped with the reason, unless it was asked for by name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.errors import DataValidationError
from llm4retail.eval import EvalReport, metrics_from_ranks, rank_of_targets
from llm4retail.models.parallel import parallel_map
from llm4retail.recommend.base import Recommender
from llm4retail.recommend.data import Interactions, LeaveLastOut, leave_last_out
from llm4retail.recommend.hybrid import Hybrid

logger = logging.getLogger(__name__)
CUTOFFS = (5, 10, 20)
SCORE_BATCH = 2048


HYBRID = "hybrid"
HYBRID_COMPONENTS = 3
Factory = Callable[[pd.DataFrame | None], Recommender]


def model_factories(*, sasrec_workers: int = 1, ray: str | None = None) -> dict[str, Factory]:
    """Every single model `eval recommend` knows, by name, with its default hyperparameters.

    Each factory takes the products frame (or None); only the catalogue models use it. `sasrec_workers` > 1
    trains SASRec data-parallel on that many Ray Train workers (on `ray`, else a local Ray).
    """
    from llm4retail.recommend.als import ALS
    from llm4retail.recommend.content import ContentKNN
    from llm4retail.recommend.graph import KnowledgeGraph
    from llm4retail.recommend.neighbours import EASE, ItemKNN, Popularity, UserKNN

    factories: dict[str, Factory] = {
        "popularity": lambda products: Popularity(),
        "itemknn": lambda products: ItemKNN(),
        "userknn": lambda products: UserKNN(),
        "ease": lambda products: EASE(),
        "als": lambda products: ALS(),
        "graph": lambda products: KnowledgeGraph(products=products),
        "content": lambda products: ContentKNN(products=products),
    }
    try:
        from llm4retail.recommend.sasrec import SASRec

        factories["sasrec"] = lambda products: SASRec(workers=sasrec_workers, ray=ray)
    except ImportError as error:  # torch is optional for the rest
        logger.warning("sasrec unavailable: %s", error)
    return factories


def default_models(products: pd.DataFrame | None) -> list[str]:
    """The models a run without `--models` evaluates: all, the content model only with a catalogue."""
    return [name for name in model_factories() if name != "content" or products is not None] + [HYBRID]


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
        depth = min(10, scores.shape[1]) - 1
        # a copy: rows of the full argpartition would keep each batch's n × n_items index array alive
        top10.extend(np.argpartition(-scores, depth, axis=1)[:, : depth + 1].copy())
    return ranks, top10


def evaluate_model(model: Recommender, interactions: Interactions, split: LeaveLastOut) -> dict[str, float]:
    """Fit `model` on the training histories, then its validation and test metrics."""
    train = Interactions(interactions.customer_ids, interactions.product_ids, split.train, split.train_times)
    started = time.perf_counter()
    model.fit(train, valid_histories=split.valid_histories(), valid_targets=split.valid_targets)
    metrics = measure(model, interactions, split, train_seconds=time.perf_counter() - started)
    training = getattr(model, "training_", None)
    if training:  # a model trained in epochs: how many it ran
        metrics["train_epochs"] = float(training["epochs"])
    return metrics


def measure(model: Recommender, interactions: Interactions, split: LeaveLastOut, *, train_seconds: float) -> dict[str, float]:
    """Validation and test metrics of a fitted model."""
    valid_ranks, _ = ranks_for(model, split.valid_histories(), split.valid_targets, split.customers)
    test_ranks, top10 = ranks_for(model, split.test_histories(), split.test_targets, split.customers)
    test = metrics_from_ranks(test_ranks, cutoffs=CUTOFFS)
    valid = metrics_from_ranks(valid_ranks, cutoffs=(10,))
    covered = len(np.unique(np.concatenate(top10))) / interactions.n_items if top10 else 0.0
    return {
        **{key: float(value) for key, value in test.items()},
        "coverage@10": covered,
        "valid_ndcg@10": float(valid["ndcg@10"]),
        "train_seconds": train_seconds,
    }


def evaluate_recommenders(
    events: pd.DataFrame, *, dataset: str, models: Sequence[str] | None = None, products: pd.DataFrame | None = None,
    ray: str | None = None, sasrec_workers: int = 1,
) -> EvalReport:
    """Fit and score each model (and the hybrid of the best three); `best` by validation NDCG@10.

    Args:
        ray: None to fit the candidates one after the other here; `local`, `auto` or a cluster address to fit
            them as parallel Ray tasks (the same models and metrics; `train_seconds` are each task's own).
        sasrec_workers: 1 trains SASRec in one process (a task of its own on Ray); N > 1 trains it data-parallel
            on N Ray Train workers (after the other candidates; the same steps, see `recommend/distributed.py`).

    Raises:
        DataValidationError: an unknown model name, a named model that cannot run on the data, or too few events.
    """
    return select_model(events, dataset=dataset, models=models, products=products, ray=ray,
                        sasrec_workers=sasrec_workers)[0]


def select_model(
    events: pd.DataFrame, *, dataset: str, models: Sequence[str] | None = None, products: pd.DataFrame | None = None,
    ray: str | None = None, sasrec_workers: int = 1,
) -> tuple[EvalReport, Recommender, Interactions]:
    """`evaluate_recommenders`, also returning the best model (fitted on the training split) and all interactions."""
    started = time.perf_counter()
    factories = model_factories()
    names = list(models) if models else default_models(products)
    unknown = [name for name in names if name not in factories and name != HYBRID]
    if unknown:
        raise DataValidationError(f"unknown model(s) {unknown}; choose from {sorted([*factories, HYBRID])}")
    interactions = Interactions.from_events(events)
    split = leave_last_out(interactions)
    results: dict[str, dict[str, float]] = {}
    skipped: dict[str, str] = {}
    fitted: dict[str, Recommender] = {}
    candidates = [n for n in names if n != HYBRID]
    # data-parallel SASRec takes the cluster's CPUs for its workers: it runs after the other candidates' tasks
    apart = [n for n in candidates if n == "sasrec" and sasrec_workers > 1]
    tasks = [n for n in candidates if n not in apart]
    options = {"sasrec_workers": sasrec_workers, "ray": ray}
    outcomes = parallel_map(_fit_candidate, tasks, shared=(products, interactions, split, options), ray=ray, label="candidate")
    outcomes += [_fit_candidate(name, (products, interactions, split, options)) for name in apart]
    for name, (model, metrics, error) in zip(tasks + apart, outcomes, strict=True):
        if error is not None:
            if models:  # asked for by name: say why it cannot run
                raise DataValidationError(error)
            skipped[name] = error
            logger.warning("%s skipped: %s", name, error)
            continue
        results[name], fitted[name] = metrics, model
    blend = ""
    if HYBRID in names and len(fitted) >= 2:
        results[HYBRID], fitted[HYBRID] = _evaluate_hybrid(fitted, results, interactions, split)
        blend = fitted[HYBRID].description  # type: ignore[attr-defined]
    if not results:
        raise DataValidationError(f"no model could run on these events: {skipped}")
    best = max(results, key=lambda name: results[name]["valid_ndcg@10"])
    report = EvalReport(
        capability="recommend",
        dataset=dataset,
        n=len(split.customers),
        seconds=time.perf_counter() - started,
        metrics={key: value for key, value in results[best].items()},
        models=results,
        best=best,
        extra={"customers": interactions.n_customers, "items": interactions.n_items, "skipped": skipped, "hybrid": blend,
               # epochs, best epoch and why training ended ("epochs", "patience", or "time": a safety stop)
               "training": {name: model.training_ for name, model in fitted.items() if getattr(model, "training_", None)}},
    )
    return report, fitted[best], interactions


def _fit_candidate(
    name: str, shared: tuple[pd.DataFrame | None, Interactions, LeaveLastOut, dict[str, Any]]
) -> tuple[Recommender | None, dict[str, float] | None, str | None]:
    """Fits and measures one candidate (in this process or as a Ray task): (model, metrics, None), or
    (None, None, why) when it cannot run on the data. `shared` ends with `model_factories`' options."""
    products, interactions, split, options = shared
    logger.info("fitting %s", name)
    try:
        model = model_factories(**options)[name](products)
        return model, evaluate_model(model, interactions, split), None
    except DataValidationError as error:
        return None, None, str(error)


def _evaluate_hybrid(
    fitted: dict[str, Recommender], results: dict[str, dict[str, float]], interactions: Interactions, split: LeaveLastOut
) -> tuple[dict[str, float], Recommender]:
    """The hybrid of the best (by validation) fitted models: its metrics and the fitted hybrid."""
    chosen = sorted(fitted, key=lambda name: results[name]["valid_ndcg@10"], reverse=True)[:HYBRID_COMPONENTS]
    train = Interactions(interactions.customer_ids, interactions.product_ids, split.train, split.train_times)
    started = time.perf_counter()
    hybrid = Hybrid([fitted[name] for name in chosen], prefitted=True)
    hybrid.fit(train, valid_histories=split.valid_histories(), valid_targets=split.valid_targets)
    blend_seconds = time.perf_counter() - started
    metrics = measure(hybrid, interactions, split, train_seconds=blend_seconds + sum(results[n]["train_seconds"] for n in chosen))
    return metrics, hybrid
