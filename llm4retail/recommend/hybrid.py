"""Hybrid: a weighted blend of fitted recommenders, the weights chosen on validation data.

Each component's scores are standardised per history (zero mean, unit variance over
the catalogue) so that cosine similarities, walk probabilities and Transformer logits
can be added; the blend weights are the point of a simplex grid (step 0.1 over at most
`max_components` models) with the highest validation NDCG@10. Validation only: test
data plays no part in the choice.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from typing import Any, Self

import numpy as np

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError
from llm4retail.eval.ranking import rank_of_targets
from llm4retail.recommend.base import Recommender
from llm4retail.recommend.data import Interactions

logger = logging.getLogger(__name__)
GRID_STEP = 10  # weights are multiples of 1/GRID_STEP
SEARCH_CUSTOMERS = 8000
SEARCH_BATCH = 512


def standardised(scores: np.ndarray) -> np.ndarray:
    """Scores with each row shifted to mean 0 and scaled to unit standard deviation."""
    scores = np.asarray(scores, dtype=np.float32)
    mean = scores.mean(axis=1, keepdims=True)
    spread = scores.std(axis=1, keepdims=True)
    return (scores - mean) / np.where(spread > 0, spread, 1.0)


def simplex_grid(n_components: int, *, step: int = GRID_STEP) -> list[tuple[float, ...]]:
    """All weight vectors of `n_components` non-negative multiples of 1/step that sum to one."""
    return [
        tuple(part / step for part in parts)
        for parts in itertools.product(range(step + 1), repeat=n_components)
        if sum(parts) == step
    ]


@register_model("hybrid")
class Hybrid(Recommender):
    """A weighted sum of standardised component scores.

    Args:
        components: the recommenders to blend (fitted by `fit` unless `prefitted`).
        weights: one weight per component; None chooses them on validation data.
        prefitted: the components are already fitted on the same interactions.

    Raises:
        DataValidationError: no components, or weights that do not match them.

    Example:
        >>> hybrid = Hybrid([graph, sasrec], prefitted=True).fit(train, valid_histories=h, valid_targets=t)
        >>> hybrid.weights_  # e.g. (0.4, 0.6)
    """

    name = "hybrid"

    def __init__(self, components: Sequence[Recommender], *, weights: Sequence[float] | None = None, prefitted: bool = False) -> None:
        if not components:
            raise DataValidationError("a hybrid needs at least one component model")
        if weights is not None and (len(weights) != len(components) or any(w < 0 for w in weights) or sum(weights) <= 0):
            raise DataValidationError(f"need one non-negative weight per component ({len(components)}), not all zero; got {list(weights)}")
        self.components = list(components)
        self.weights = None if weights is None else tuple(float(w) for w in weights)
        self.prefitted = prefitted
        self.weights_: tuple[float, ...] | None = None

    @property
    def description(self) -> str:
        """The blend, e.g. "0.4·graph + 0.6·sasrec"."""
        weights = self.weights_ or self.weights or ()
        return " + ".join(f"{w:g}·{m.name}" for w, m in zip(weights, self.components) if w > 0)

    def fit(self, interactions: Interactions, *, valid_histories=None, valid_targets=None) -> Self:  # noqa: ANN001
        if not self.prefitted:
            for component in self.components:
                component.fit(interactions, valid_histories=valid_histories, valid_targets=valid_targets)
        if self.weights is not None:
            self.weights_ = self.weights
        elif valid_histories is not None and valid_targets is not None and len(self.components) > 1:
            self.weights_ = self._choose_weights(list(valid_histories), np.asarray(valid_targets))
        else:
            self.weights_ = tuple(1.0 / len(self.components) for _ in self.components)
        logger.info("hybrid: %s", self.description)
        return self

    def score(self, histories: Sequence[np.ndarray], *, customers: np.ndarray | None = None) -> np.ndarray:
        self._require_fitted(self.weights_)
        total: np.ndarray | None = None
        for weight, component in zip(self.weights_, self.components):
            if weight <= 0:
                continue
            part = weight * standardised(component.score(histories, customers=customers))
            total = part if total is None else total + part
        assert total is not None  # weights are not all zero
        return total

    def _choose_weights(self, histories: list[np.ndarray], targets: np.ndarray) -> tuple[float, ...]:
        """The simplex-grid point with the best validation NDCG@10 (on a fixed sample of customers)."""
        if len(targets) > SEARCH_CUSTOMERS:
            keep = np.sort(np.random.default_rng(0).choice(len(targets), size=SEARCH_CUSTOMERS, replace=False))
            histories, targets = [histories[i] for i in keep], targets[keep]
        grid = simplex_grid(len(self.components))
        gains = np.zeros(len(grid))
        for start in range(0, len(targets), SEARCH_BATCH):
            batch = histories[start : start + SEARCH_BATCH]
            parts = [standardised(c.score(batch)) for c in self.components]
            for index, weights in enumerate(grid):
                blended = sum(w * p for w, p in zip(weights, parts) if w > 0)
                ranks = rank_of_targets(blended, targets[start : start + SEARCH_BATCH], exclude=batch)
                gains[index] += np.where(ranks <= 10, 1.0 / np.log2(ranks + 1), 0.0).sum()
        best = int(np.argmax(gains))
        logger.info("hybrid: validation NDCG@10 %.5f at %s (single best component %.5f)", gains[best] / len(targets), grid[best],
                    max(gains[i] for i, w in enumerate(grid) if max(w) == 1.0) / len(targets))  # fmt: skip
        return grid[best]

    def get_params(self) -> dict[str, Any]:
        return {"weights": list(self.weights_ or self.weights or [])}

    def _state(self) -> ModelState:
        """The components as parts `component-<i>` (in blend order); the weights are parameters."""
        self._require_fitted(self.weights_)
        return ModelState(parts={f"component-{index}": component for index, component in enumerate(self.components)})

    @classmethod
    def _from_state(cls, params: dict[str, Any], state: ModelState) -> Self:
        components = [state.parts[f"component-{index}"] for index in range(len(state.parts))]
        hybrid = cls(components, weights=params["weights"], prefitted=True)  # type: ignore[arg-type]
        hybrid.weights_ = hybrid.weights
        return hybrid
