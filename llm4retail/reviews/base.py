"""The sentiment capability: one abstract model that every candidate implements."""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

from llm4retail import __version__
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.eval import classification_metrics

logger = logging.getLogger(__name__)
META_FILE = "meta.json"
ARRAYS_FILE = "arrays.npz"


class SentimentTask(StrEnum):
    """What a sentiment model predicts."""

    BINARY = "binary"  # 0 = negative, 1 = positive
    STARS = "stars"  # 1-5


class SentimentModel(ABC):
    """A review sentiment classifier over raw texts.

    Subclasses set `kind`, implement `fit`, `predict_proba`, `_arrays`/`_params` and
    `_from_saved`; `predict`, `evaluate`, `save` and `load` are shared.
    """

    kind: ClassVar[str]
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

    @abstractmethod
    def _arrays(self) -> dict[str, np.ndarray]:
        """The fitted state as numpy arrays (saved to `arrays.npz`)."""

    @abstractmethod
    def _params(self) -> dict[str, Any]:
        """Constructor parameters and JSON-able fitted facts (saved to `meta.json`)."""

    @classmethod
    @abstractmethod
    def _from_saved(cls, params: dict[str, Any], arrays: dict[str, np.ndarray], directory: Path) -> Self:
        """Rebuilds a fitted model from what `save` wrote."""

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

    def save(self, directory: Path) -> Path:
        """Writes `arrays.npz` (no pickle) and `meta.json` into `directory` and returns it."""
        classes = self._fitted_classes()
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {**self._arrays(), "classes": classes}
        np.savez_compressed(directory / ARRAYS_FILE, **arrays)  # vocabularies are fixed-width UTF-32 strings
        meta = {"kind": self.kind, "version": __version__, "params": self._params()}
        (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        logger.info("saved %s sentiment model to %s", self.kind, directory)
        return directory

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Reads a model written by `save`.

        Raises:
            DataValidationError: the directory holds no model of this kind.
        """
        meta_path = directory / META_FILE
        if not meta_path.is_file():
            raise DataValidationError(f"{directory} holds no saved model ({META_FILE} is missing)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("kind") != cls.kind:
            raise DataValidationError(f"{directory} holds a '{meta.get('kind')}' model, not '{cls.kind}'")
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
        model = cls._from_saved(meta["params"], arrays, directory)
        model.classes_ = arrays["classes"]
        return model

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
