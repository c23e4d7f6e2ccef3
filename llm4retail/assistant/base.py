"""Capability interfaces of the assistant: the intent model.

Every trained assistant model saves and loads through the shared model contract
(`llm4retail.artifacts.Artifact`); `AssistantArtifact` names the capability and the command
that retrains it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Self

import numpy as np

from llm4retail.artifacts import Artifact


class AssistantArtifact(Artifact):
    """Base of every saved assistant model (`<data-dir>/models/assistant/vNNNN`)."""

    capability = "assistant"
    train_command = "llm4retail assistant train"


class IntentModel(AssistantArtifact, ABC):
    """A text classifier over intents with calibrated probabilities.

    Fitted state lives in attributes ending in `_` (`classes_` among them); `save(directory)` and
    `load(directory)` come from `Artifact`.
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
    def evaluate(self, texts: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
        """Accuracy, macro-F1 and calibration error on labelled texts."""
