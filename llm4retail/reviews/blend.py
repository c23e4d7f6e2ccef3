"""A weighted average of fitted sentiment models' probabilities, weights chosen on validation."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Self

import numpy as np

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError
from llm4retail.reviews.base import SentimentModel, class_indices, validation_key

WEIGHT_STEP = 0.1


def choose_weights(probabilities: Sequence[np.ndarray], targets: np.ndarray) -> tuple[np.ndarray, float]:
    """The convex weights (grid step 0.1) maximising validation accuracy, ties to lower log-loss.

    Args:
        probabilities: each member's (n, n_classes) validation probabilities.
        targets: class indices.

    Returns:
        (weights, validation accuracy).
    """
    steps = int(round(1 / WEIGHT_STEP))
    best: tuple[tuple[float, float], np.ndarray] | None = None
    for combo in itertools.product(range(steps + 1), repeat=len(probabilities)):
        if sum(combo) != steps:
            continue
        weights = np.array(combo, dtype=float) / steps
        mixed = sum(w * p for w, p in zip(weights, probabilities, strict=True))
        key = validation_key(mixed, targets)
        if best is None or key > best[0]:
            best = (key, weights)
    assert best is not None
    return best[1], best[0][0]


@register_model("blend")
class BlendSentiment(SentimentModel):
    """Weighted mean of member probabilities (members are fitted already).

    The members are saved as parts of the composite (`parts/<member name>/`).

    Args:
        members: name -> fitted model; all must share the same classes.
        weights: one weight per member, summing to 1.
    """

    def __init__(self, members: dict[str, SentimentModel], weights: Sequence[float]) -> None:
        if len(members) != len(weights) or not members:
            raise DataValidationError(f"need one weight per member: {len(members)} members, {len(weights)} weights")
        if abs(sum(weights) - 1.0) > 1e-6 or min(weights) < 0:
            raise DataValidationError(f"weights must be non-negative and sum to 1, got {list(weights)}")
        self.members = dict(members)
        self.weights = np.asarray(weights, dtype=float)
        classes = [member._fitted_classes() for member in self.members.values()]
        if any(not np.array_equal(classes[0], other) for other in classes[1:]):
            raise DataValidationError("blended models must share their classes")
        self.classes_ = classes[0]

    @classmethod
    def from_validation(
        cls, members: dict[str, SentimentModel], probabilities: dict[str, np.ndarray], labels: np.ndarray
    ) -> tuple[Self, float]:
        """A blend with weights chosen on validation probabilities; returns it and its validation accuracy."""
        names = list(members)
        first = members[names[0]]._fitted_classes()
        weights, accuracy = choose_weights([probabilities[name] for name in names], class_indices(labels, first))
        kept = {name: members[name] for name, weight in zip(names, weights, strict=True) if weight > 0}
        return cls(kept, [w for w in weights if w > 0]), accuracy

    def fit(self, texts: Sequence[str], labels: np.ndarray, *, validation: Any = None) -> Self:
        """Blends are built from fitted members with `from_validation`; fitting one directly is refused."""
        raise DataValidationError("BlendSentiment is built from fitted members with BlendSentiment.from_validation")

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """The weighted mean of the members' probabilities."""
        return self.combine({name: member.predict_proba(texts) for name, member in self.members.items()})

    def combine(self, probabilities: dict[str, np.ndarray]) -> np.ndarray:
        """The blend of member probabilities computed elsewhere (keyed by member name)."""
        return sum(w * probabilities[name] for w, name in zip(self.weights, self.members, strict=True))

    def _state(self) -> ModelState:
        return ModelState(arrays={"weights": self.weights}, facts={"members": list(self.members)},
                          parts=dict(self.members))  # fmt: skip

    @classmethod
    def _from_state(cls, params: dict[str, Any], state: ModelState) -> Self:
        members = {name: state.parts[name] for name in state.facts["members"]}
        return cls(members, state.arrays["weights"].tolist())  # type: ignore[arg-type]
