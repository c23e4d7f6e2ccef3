"""The interface every recommender implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Self

import numpy as np

from llm4retail.errors import NotFittedError
from llm4retail.recommend.data import Interactions


class Recommender(ABC):
    """Fit on interaction histories; score every item for given histories.

    Subclasses set `name` and implement `fit` and `score`. Scores are float32,
    higher is better, one row per history; callers exclude seen items.
    """

    name: str = "base"

    @abstractmethod
    def fit(
        self,
        interactions: Interactions,
        *,
        valid_histories: Sequence[np.ndarray] | None = None,
        valid_targets: np.ndarray | None = None,
    ) -> Self:
        """Learn from `interactions.histories` (validation data only for early stopping)."""

    @abstractmethod
    def score(self, histories: Sequence[np.ndarray], *, customers: np.ndarray | None = None) -> np.ndarray:
        """Scores (len(histories) × n_items); `customers` are indices into the fitted customers."""

    def _require_fitted(self, fitted: object) -> None:
        if fitted is None:
            raise NotFittedError(f"{self.name} is not fitted: call fit(interactions) first")
