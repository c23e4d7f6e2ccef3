"""Matrix factorisation with alternating least squares (the `implicit` library)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import threadpoolctl
from implicit.cpu.als import AlternatingLeastSquares

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError
from llm4retail.recommend.base import Recommender
from llm4retail.recommend.data import Interactions


@register_model("als")
class ALS(Recommender):
    """Implicit-feedback ALS; a history is folded in by solving for its user vector.

    Args:
        factors: latent dimensions.
        regularisation: L2 penalty.
        iterations: ALS sweeps.
        alpha: confidence scale of an interaction.
        seed: random seed.
    """

    name = "als"

    def __init__(self, *, factors: int = 64, regularisation: float = 0.05, iterations: int = 15, alpha: float = 10.0, seed: int = 0) -> None:
        if factors <= 0 or iterations <= 0 or regularisation < 0 or alpha <= 0:
            raise DataValidationError("ALS needs factors > 0, iterations > 0, regularisation >= 0 and alpha > 0")
        self.params = {"factors": factors, "regularization": regularisation, "iterations": iterations, "alpha": alpha, "random_state": seed}
        self.arguments = {"factors": factors, "regularisation": regularisation, "iterations": iterations, "alpha": alpha, "seed": seed}
        self.model_: AlternatingLeastSquares | None = None
        self.n_items_ = 0

    def fit(self, interactions: Interactions, *, valid_histories=None, valid_targets=None) -> Self:  # noqa: ANN001
        matrix = interactions.matrix()
        with threadpoolctl.threadpool_limits(1, "blas"):  # implicit's own threads; threaded BLAS slows it ~10x
            model = AlternatingLeastSquares(**self.params, calculate_training_loss=False)
            model.fit(matrix, show_progress=False)
        self.model_ = model
        self.n_items_ = interactions.n_items
        return self

    def score(self, histories: Sequence[np.ndarray], *, customers: np.ndarray | None = None) -> np.ndarray:
        self._require_fitted(self.model_)
        matrix = Interactions(np.arange(len(histories)), np.arange(self.n_items_), list(histories)).matrix()
        with threadpoolctl.threadpool_limits(1, "blas"):
            users = self.model_.recalculate_user(np.arange(len(histories)), matrix)
        return np.asarray(users @ self.model_.item_factors.T, dtype=np.float32)

    def get_params(self) -> dict[str, Any]:
        return dict(self.arguments)

    def _state(self) -> ModelState:
        self._require_fitted(self.model_)
        return ModelState(arrays={"item_factors": np.asarray(self.model_.item_factors, dtype=np.float32)})

    def _restore(self, state: ModelState) -> None:
        item_factors = np.asarray(state.arrays["item_factors"], dtype=np.float32)
        with threadpoolctl.threadpool_limits(1, "blas"):  # implicit warns about threaded BLAS when built
            model = AlternatingLeastSquares(**self.params, calculate_training_loss=False)
        model.item_factors = item_factors
        model.user_factors = np.zeros((0, item_factors.shape[1]), dtype=np.float32)
        self.model_, self.n_items_ = model, item_factors.shape[0]
