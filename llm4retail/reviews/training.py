"""Model selection behind `llm4retail reviews train`: fit the candidates on all labelled reviews, keep the best."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from llm4retail.artifacts import data_fingerprint
from llm4retail.reviews.base import SentimentModel, SentimentTask
from llm4retail.reviews.data import sentiment_labels, validation_split
from llm4retail.reviews.evaluate import DEFAULT_BUDGET_SECONDS, Candidate, fit_candidates, validation_accuracy

logger = logging.getLogger(__name__)
DEFAULT_CANDIDATES = (Candidate.TFIDF, Candidate.NB_TFIDF, Candidate.USE_FINETUNED, Candidate.BLEND)
# What `serve` trains when no sentiment model is saved: the TF-IDF model fits a store's reviews in
# seconds, where fine-tuning USE takes many minutes.
START_CANDIDATES = (Candidate.TFIDF,)


@dataclass(frozen=True)
class TrainedSentiment:
    """The chosen model with its report and the hash of the labelled reviews it was chosen on."""

    model: SentimentModel
    report: dict[str, Any]
    data_hash: str

    @property
    def metrics(self) -> dict[str, float]:
        """The chosen model's validation accuracy."""
        return {"validation_accuracy": self.report["validation_accuracy"][self.report["model"]]}


def train_sentiment(
    frame: pd.DataFrame,
    *,
    task: SentimentTask = SentimentTask.BINARY,
    candidates: Sequence[Candidate] = DEFAULT_CANDIDATES,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
) -> TrainedSentiment:
    """Fits the candidates (10% of the reviews by hash validate) and returns the best by validation accuracy.

    Raises:
        DataValidationError: the reviews carry no usable label or rating for `task`.
    """
    data = sentiment_labels(frame, task)
    fit_part, validation = validation_split(data)
    models, probabilities, seconds = fit_candidates(fit_part, validation, candidates, budget_seconds=budget_seconds)
    accuracy = {name: validation_accuracy(probabilities[name], model, validation) for name, model in models.items()}
    best = max(accuracy, key=accuracy.__getitem__)
    report = {"model": best, "task": task.value, "validation_accuracy": accuracy, "fit_seconds": seconds,
              "n_train": len(fit_part), "n_validation": len(validation)}
    return TrainedSentiment(models[best], report, data_fingerprint(list(data.texts), data.labels))
