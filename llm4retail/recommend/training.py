"""`llm4retail recommend train`: choose a model on the store's events by validation, refit it on all, save a version.

The choice is the one `eval recommend` makes (leave-last-out, validation NDCG@10);
the chosen configuration — validation-chosen hyperparameters, SASRec's best epoch,
the hybrid's weights — is then refitted on every event, so the newest interactions
are learned too, and saved as a new version that `RecommendService` loads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError
from llm4retail.recommend.evaluate import select_model
from llm4retail.recommend.persist import ModelVersions, refit

logger = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """What a training run chose and saved."""

    version: str
    model: str
    valid_ndcg_at_10: float
    test_ndcg_at_10: float
    seconds: float
    candidates: dict[str, float]


def train_recommender(store: Store, *, data_dir: Path, models: Sequence[str] | None = None, keep: int = 3) -> TrainResult:
    """Select, refit and save the store's recommender.

    Args:
        store: the store whose events and products are learned from.
        data_dir: where versions are kept (`<data_dir>/models/recommend`).
        models: candidate model names (default: every model plus the hybrid).
        keep: versions kept on disk.

    Raises:
        DataValidationError: the store has too few events for a leave-last-out choice.
    """
    started = time.perf_counter()
    events = store.read_frame(Table.EVENTS)
    if events.empty:
        raise DataValidationError("the store has no events to learn recommendations from; import or post events first")
    products = store.read_frame(Table.PRODUCTS)
    report, chosen, interactions = select_model(events, dataset=store.description, models=models, products=products)
    logger.info("recommend train: %s chosen (validation NDCG@10 %.4f); refitting on all events", report.best, report.metrics["valid_ndcg@10"])
    final = refit(chosen, interactions, products=products)
    summary = report.model_dump(mode="json")
    version = ModelVersions(data_dir, keep=keep).save(final, interactions.product_ids, summary)
    return TrainResult(
        version=version,
        model=str(report.best),
        valid_ndcg_at_10=float(report.metrics["valid_ndcg@10"]),
        test_ndcg_at_10=float(report.metrics["ndcg@10"]),
        seconds=time.perf_counter() - started,
        candidates={name: float(metrics["valid_ndcg@10"]) for name, metrics in (report.models or {}).items()},
    )
