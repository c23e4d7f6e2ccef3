"""`llm4retail reviews train`: fit the candidates on all labelled reviews, keep the best by validation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from llm4retail.models.registry import ModelRegistry
from llm4retail.reviews.base import SentimentTask
from llm4retail.reviews.data import sentiment_labels, validation_split
from llm4retail.reviews.evaluate import DEFAULT_BUDGET_SECONDS, Candidate, fit_candidates, validation_accuracy

logger = logging.getLogger(__name__)


def train_sentiment(
    frame: pd.DataFrame,
    *,
    data_dir: Path,
    task: SentimentTask = SentimentTask.BINARY,
    candidates: Sequence[Candidate] = (Candidate.TFIDF, Candidate.NB_TFIDF, Candidate.USE_FINETUNED, Candidate.BLEND),
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
) -> dict[str, Any]:
    """Fits the candidates (10% of the reviews by hash validate), saves the best as a new LATEST version.

    Returns:
        The saved version, the chosen model and every candidate's validation accuracy.
    """
    data = sentiment_labels(frame, task)
    fit_part, validation = validation_split(data)
    models, probabilities, seconds = fit_candidates(fit_part, validation, candidates, budget_seconds=budget_seconds)
    accuracy = {name: validation_accuracy(probabilities[name], model, validation) for name, model in models.items()}
    best = max(accuracy, key=accuracy.__getitem__)
    registry = ModelRegistry(data_dir, "sentiment")
    directory = registry.new_version()
    models[best].save(directory)
    report = {"model": best, "task": task.value, "validation_accuracy": accuracy, "fit_seconds": seconds,
              "n_train": len(fit_part), "n_validation": len(validation)}
    report["version"] = registry.publish(directory, report=report)
    return report
