"""Learning to rank: LightGBM lambdarank over the candidate features.

Trained from relevance judgements (grades) or from events turned into grades; a
slice of the training queries is held back for early stopping, so the number of
trees is chosen by validation, never by the test queries. Saved through the model
contract as LightGBM's text model (no pickle); the engine saves it as its `reranker` part.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lightgbm as lgb
import numpy as np

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.search.base import SearchModel
from llm4retail.search.features import FEATURES


@register_model("reranker")
class Reranker(SearchModel):
    """A lambdarank model over `FEATURES`.

    Args:
        n_estimators: upper bound on trees (early stopping picks the number).
        learning_rate: shrinkage.
        num_leaves: leaves per tree.
        validation_share: share of training queries held back for early stopping.
        seed: random seed.
    """

    def __init__(
        self,
        *,
        n_estimators: int = 500,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        validation_share: float = 0.15,
        seed: int = 0,
    ) -> None:
        if not 0 < validation_share < 1:
            raise DataValidationError(f"validation_share must be in (0, 1), got {validation_share}")
        self.params = {
            "objective": "lambdarank",
            "n_estimators": n_estimators,
            "learning_rate": learning_rate,
            "num_leaves": num_leaves,
            "min_child_samples": 20,
            "subsample": 0.8,
            "subsample_freq": 1,
            "colsample_bytree": 0.8,
            "random_state": seed,
            "n_jobs": 2,
            "verbose": -1,
        }
        self.validation_share = validation_share
        self.seed = seed
        self.booster_: lgb.Booster | None = None

    def fit(self, features: Sequence[np.ndarray], grades: Sequence[np.ndarray]) -> Reranker:
        """Train on one feature matrix and one grade vector per query.

        Raises:
            DataValidationError: fewer than 10 queries with a relevant candidate.
        """
        usable = [i for i, g in enumerate(grades) if len(g) > 1 and np.max(g) > 0]
        if len(usable) < 10:
            raise DataValidationError(f"the reranker needs at least 10 queries with a relevant candidate, got {len(usable)}")
        order = np.random.default_rng(self.seed).permutation(usable)
        cut = max(1, int(len(order) * self.validation_share))
        valid, train = order[:cut], order[cut:]
        model = lgb.LGBMRanker(**self.params)
        model.fit(
            np.vstack([features[i] for i in train]),
            np.concatenate([grades[i] for i in train]).astype(int),
            group=[len(grades[i]) for i in train],
            eval_X=(np.vstack([features[i] for i in valid]),),
            eval_y=(np.concatenate([grades[i] for i in valid]).astype(int),),
            eval_group=[[len(grades[i]) for i in valid]],
            eval_at=[10],
            callbacks=[lgb.early_stopping(30, verbose=False)],
        )
        self.booster_ = model.booster_
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Scores of one query's candidates (higher is better)."""
        if self.booster_ is None:
            raise NotFittedError("the reranker is not trained: call fit first")
        return self.booster_.predict(features, num_iteration=self.booster_.best_iteration or None)

    def importance(self) -> dict[str, float]:
        """Gain importance per feature, normalised to sum 1."""
        if self.booster_ is None:
            raise NotFittedError("the reranker is not trained: call fit first")
        gains = self.booster_.feature_importance(importance_type="gain")
        total = float(gains.sum()) or 1.0
        return {name: round(float(gain) / total, 4) for name, gain in zip(FEATURES, gains)}

    def get_params(self) -> dict[str, Any]:
        return {
            "n_estimators": self.params["n_estimators"],
            "learning_rate": self.params["learning_rate"],
            "num_leaves": self.params["num_leaves"],
            "validation_share": self.validation_share,
            "seed": self.seed,
        }

    def _state(self) -> ModelState:
        if self.booster_ is None:
            raise NotFittedError("the reranker is not trained: call fit first")
        # The text dump holds the trees up to the best iteration (what `predict` uses).
        return ModelState(texts={"booster": self.booster_.model_to_string()})

    def _restore(self, state: ModelState) -> None:
        self.booster_ = lgb.Booster(model_str=state.texts["booster"])
