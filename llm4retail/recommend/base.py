"""The interface every recommender implements; saving and loading come from the shared `Artifact` contract.

A saved recommender is an `Artifact` folder (see `llm4retail.artifacts.model`): the constructor
parameters that reproduce it (validation-chosen values included) in `meta.json`, dense state in
`arrays.npz`, sparse matrices in `<name>.sparse.npz` — no pickle. `Recommender.load(folder)`
rebuilds whichever registered recommender the folder holds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Self

import numpy as np

from llm4retail.artifacts import Artifact
from llm4retail.errors import NotFittedError
from llm4retail.recommend.data import Interactions


class Recommender(Artifact, ABC):
    """Fit on interaction histories; score every item for given histories.

    Subclasses set `name` (the name reports and `eval recommend` use, also the registered
    type `recommend.<name>`) and implement `fit`, `score`, `get_params` and, to be saved,
    `_state`/`_restore`. Scores are float32, higher is better, one row per history;
    callers exclude seen items.
    """

    capability: ClassVar[str] = "recommend"
    train_command: ClassVar[str] = "llm4retail recommend train"
    name: ClassVar[str] = "base"

    @abstractmethod
    def fit(
        self,
        interactions: Interactions,
        *,
        valid_histories: Sequence[np.ndarray] | None = None,
        valid_targets: np.ndarray | None = None,
    ) -> Self:
        """Learn from `interactions.histories` (validation data only for early stopping and choices)."""

    @abstractmethod
    def score(self, histories: Sequence[np.ndarray], *, customers: np.ndarray | None = None) -> np.ndarray:
        """Scores (len(histories) × n_items); `customers` are indices into the fitted customers."""

    @abstractmethod
    def get_params(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this configuration, including values chosen on validation,
        so that `type(model)(**model.get_params()).fit(all_data)` refits it without validation data."""

    def _require_fitted(self, fitted: object) -> None:
        """Raises NotFittedError naming the model (`itemknn is not fitted`) when `fitted` is None."""
        if fitted is None:
            raise NotFittedError(f"{self.name} is not fitted: call fit(interactions) first")
