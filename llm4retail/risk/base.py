"""The payment-risk detector interface shared by the supervised, unsupervised and rule detectors.

Detectors see only float matrices (rows = payments, columns = `FeatureSpec.columns`,
NaN = missing); `llm4retail.risk.model.RiskModel` turns payment frames into those.
Scores lie in [0, 1], higher meaning riskier. Every risk model saves and loads through the
shared model contract (`llm4retail.artifacts.Artifact`): `RiskArtifact` names the capability
and the command that retrains it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum
from typing import Self

import numpy as np

from llm4retail.artifacts import Artifact
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.eval import binary_scores

FPR_BUDGET = 0.01


class DetectorKind(str, Enum):
    """The three detectors of `llm4retail risk eval`."""

    SUPERVISED = "supervised"
    UNSUPERVISED = "unsupervised"
    RULES = "rules"


@dataclass(frozen=True)
class Reason:
    """One contributing feature of a score (a reason code).

    Attributes:
        feature: the feature name.
        value: its value for this payment (None when missing).
        contribution: how much it raised the score, in the detector's own unit
            (log-odds for the supervised model, robust z-score for the unsupervised one,
            rule weight for rules).
        description: one readable line.
    """

    feature: str
    value: float | None
    contribution: float
    description: str


class RiskArtifact(Artifact):
    """Base of every saved risk model: the detectors and the composite `RiskModel`."""

    capability = "risk"
    train_command = "llm4retail risk train"


class RiskDetector(RiskArtifact, ABC):
    """A fitted payment-risk scorer over feature matrices (saved with `save(directory)`, read with `load`)."""

    kind: DetectorKind
    feature_names_: list[str]

    @abstractmethod
    def fit(self, features: np.ndarray, labels: np.ndarray | None = None, *, feature_names: list[str]) -> Self:
        """Learns from the training payments (labels: 1 = fraud; unsupervised detectors ignore them)."""

    @abstractmethod
    def score(self, features: np.ndarray) -> np.ndarray:
        """Risk scores in [0, 1] of every row."""

    @abstractmethod
    def explain(self, row: np.ndarray, *, top_k: int = 3) -> tuple[float, list[Reason]]:
        """The score of one payment and its `top_k` reason codes, largest contribution first."""

    def evaluate(self, features: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        """`roc_auc`, `pr_auc` and `recall_at_1pct_fpr` on labelled payments."""
        scores = binary_scores(np.asarray(labels, dtype=int), self.score(features), fpr=FPR_BUDGET)
        return {
            "roc_auc": scores["roc_auc"],
            "pr_auc": scores["pr_auc"],
            "recall_at_1pct_fpr": scores[f"recall@fpr={FPR_BUDGET:g}"],
        }

    def _check_fitted(self) -> None:
        if not hasattr(self, "feature_names_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit() or load() first")

    def _check_matrix(self, features: np.ndarray) -> np.ndarray:
        self._check_fitted()
        matrix = np.asarray(features, dtype=float)
        if matrix.ndim == 1:
            matrix = matrix[None, :]
        if matrix.ndim != 2 or matrix.shape[1] != len(self.feature_names_):
            raise DataValidationError(
                f"expected a matrix with {len(self.feature_names_)} feature columns, got shape {matrix.shape}"
            )
        return matrix
