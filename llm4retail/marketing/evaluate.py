"""`llm4retail segments eval-purchase`: purchase-in-the-next-N-days model against the RFM-only baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from llm4retail.errors import DataValidationError
from llm4retail.eval import EvalReport, Timer
from llm4retail.marketing.purchase import ActivityData, PurchasePredictor, events_with_categories, purchase_labels
from llm4retail.marketing.transactions import purchase_days


def probability_metrics(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """`roc_auc`, `pr_auc`, `log_loss` and `brier` of predicted probabilities."""
    clipped = np.clip(scores, 1e-6, 1 - 1e-6)
    return {
        "roc_auc": float(roc_auc_score(labels, scores)),
        "pr_auc": float(average_precision_score(labels, scores)),
        "log_loss": float(log_loss(labels, clipped, labels=[0, 1])),
        "brier": float(brier_score_loss(labels, clipped)),
    }


def evaluate_purchase(
    orders: pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    products: pd.DataFrame | None = None,
    horizon_days: int = 30,
    dataset: str,
) -> EvalReport:
    """Tests on the last `horizon_days` of the data; trains on the window before them.

    The test cut-off is the last activity day − N: features at it, labels = a purchase in the
    N days after. The model (and its number of trees) learns only from data up to that cut-off.

    Raises:
        DataValidationError: too little history or a window of a single class.
    """
    with Timer() as timer:
        data = ActivityData(purchase_days(orders),
                            None if events is None else events_with_categories(events, products))
        cutoff = data.last_day() - pd.Timedelta(days=horizon_days)
        predictor = PurchasePredictor(horizon_days=horizon_days).fit(data, cutoff=cutoff)
        model_scores = predictor.predict_proba(data, cutoff=cutoff)
        baseline_scores = predictor.baseline_proba(data, cutoff=cutoff).reindex(model_scores.index)
        labels = purchase_labels(data.days, cutoff=cutoff, horizon_days=horizon_days)
        truth = labels.reindex(model_scores.index).fillna(0.0).to_numpy(dtype=int)
        if truth.min() == truth.max():
            raise DataValidationError(f"the test window (last {horizon_days} days) has only one class")
        models = {
            "model": probability_metrics(truth, model_scores.to_numpy()),
            "rfm_baseline": probability_metrics(truth, baseline_scores.to_numpy()),
        }
    return EvalReport(
        capability="purchase", dataset=dataset, n=len(truth), seconds=timer.seconds,
        metrics={"horizon_days": float(horizon_days), "positive_rate": float(truth.mean())},
        models=models,
        extra={"cutoff": cutoff.date().isoformat(), "features": predictor.columns_, "trees": predictor.rounds_},
    )
