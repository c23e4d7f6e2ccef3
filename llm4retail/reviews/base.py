"""The sentiment capability: one abstract model that every candidate implements.

Every sentiment model is an `Artifact` of capability `reviews`: saved versions live in
`<data-dir>/models/reviews/vNNNN` (`llm4retail reviews train`, `reviews eval --save`,
`models finetune`, `models compress`), and `SentimentModel.load(folder)` rebuilds whichever
registered class a folder holds.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Self

import numpy as np

from llm4retail.artifacts import Artifact
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.eval import classification_metrics

logger = logging.getLogger(__name__)


class SentimentTask(StrEnum):
    """What a sentiment model predicts."""

    BINARY = "binary"  # 0 = negative, 1 = positive
    STARS = "stars"  # 1-5


class SentimentModel(Artifact, ABC):
    """A review sentiment classifier over raw texts.

    Subclasses register with `@register_model`, implement `fit`, `predict_proba` and the
    `Artifact` hooks (`get_params`, `_state`, `_restore` or `_from_state`); `predict` and
    `evaluate` are shared. The fitted `classes_` are saved by every subclass as the array `classes`.
    """

    capability = "reviews"
    train_command = "llm4retail reviews train"
    classes_: np.ndarray | None = None

    @abstractmethod
    def fit(
        self,
        texts: Sequence[str],
        labels: np.ndarray,
        *,
        validation: tuple[Sequence[str], np.ndarray] | None = None,
    ) -> Self:
        """Trains on texts and labels; `validation` (held out from training) may choose hyperparameters."""

    @abstractmethod
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, (n_texts, n_classes), columns in the order of `classes_`."""

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The most probable label of each text."""
        classes = self._fitted_classes()
        if len(texts) == 0:
            return classes[:0]
        return classes[np.argmax(self.predict_proba(texts), axis=1)]

    def evaluate(self, texts: Sequence[str], labels: np.ndarray) -> dict[str, float]:
        """`accuracy` and `macro_f1` on labelled texts."""
        metrics = classification_metrics(np.asarray(labels), self.predict(texts), labels=list(self._fitted_classes()))
        return {"accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"]}

    def _fitted_classes(self) -> np.ndarray:
        if self.classes_ is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit(texts, labels) first")
        return self.classes_


def check_training_data(texts: Sequence[str], labels: np.ndarray) -> np.ndarray:
    """Validates aligned texts and labels with at least two classes; returns the sorted classes.

    Raises:
        DataValidationError: misaligned, empty or single-class input.
    """
    labels = np.asarray(labels)
    if len(texts) != len(labels) or len(texts) == 0:
        raise DataValidationError(f"texts and labels must be non-empty and aligned, got {len(texts)} and {len(labels)}")
    classes = np.unique(labels)
    if len(classes) < 2:
        raise DataValidationError(f"training labels hold a single class ({classes.tolist()}); need at least two")
    return classes


def class_indices(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Positions of `labels` in `classes`.

    Raises:
        DataValidationError: a label is not among the classes.
    """
    positions = np.searchsorted(classes, labels)
    positions = np.clip(positions, 0, len(classes) - 1)
    if not np.array_equal(classes[positions], np.asarray(labels)):
        raise DataValidationError(f"labels outside the fitted classes {classes.tolist()}")
    return positions


def validation_key(probabilities: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """(accuracy, -log-loss) of class probabilities against class indices: the order in which the C of
    the linear sentiment models and the blend weights are ranked on validation (accuracy first; equal
    accuracies go to the better-calibrated, more confident-when-right choice).
    """
    targets = np.asarray(targets)
    accuracy = float((probabilities.argmax(axis=1) == targets).mean())
    log_loss = float(-np.log(np.clip(probabilities[np.arange(len(targets)), targets], 1e-9, None)).mean())
    return accuracy, -log_loss


def best_logistic_regression(
    features: Any,
    labels: np.ndarray,
    held: Any | None,
    held_labels: np.ndarray | None,
    candidates: Sequence[float],
    *,
    max_iter: int,
    name: str,
) -> tuple[float, Any]:
    """Fits one logistic regression per C; returns (C, classifier) best by `validation_key`.

    Without validation (`held` is None) the first candidate is kept.
    """
    from sklearn.linear_model import LogisticRegression

    best: tuple[tuple[float, float], float, Any] | None = None
    for c in candidates:
        classifier = LogisticRegression(C=c, max_iter=max_iter).fit(features, labels)
        key = (0.0, 0.0)
        if held is not None:
            key = validation_key(classifier.predict_proba(held), class_indices(np.asarray(held_labels), classifier.classes_))
        logger.info("%s C=%g validation accuracy %.4f, log-loss %.4f", name, c, key[0], -key[1])
        if best is None or key > best[0]:
            best = (key, c, classifier)
    if best is None:
        raise DataValidationError("no C candidate to fit")
    return best[1], best[2]
