"""Capability interfaces of the assistant: the intent model and the answer backend."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import numpy as np


class IntentModel(ABC):
    """A text classifier over intents with calibrated probabilities.

    Fitted state lives in attributes ending in `_` (`classes_` among them).
    """

    classes_: list[str]

    @abstractmethod
    def fit(self, texts: Sequence[str], labels: Sequence[str], *, sample_weight: np.ndarray | None = None) -> Self:
        """Learn from labelled texts."""

    @abstractmethod
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities, one row per text, columns in `classes_` order."""

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most probable intent of each text."""
        probabilities = self.predict_proba(texts)
        return [self.classes_[index] for index in probabilities.argmax(axis=1)]

    @abstractmethod
    def save(self, directory: Path) -> None:
        """Write the model as `.npz` arrays plus `meta.json` (no pickle)."""

    @classmethod
    @abstractmethod
    def load(cls, directory: Path) -> Self:
        """Read a model written by `save`."""

    @abstractmethod
    def evaluate(self, texts: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
        """Accuracy, macro-F1 and calibration error on labelled texts."""
