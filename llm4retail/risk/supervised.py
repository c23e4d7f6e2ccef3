"""The supervised detector: LightGBM on payment features, tuned on the end of the training window.

The training payments (in time order) are split once more: the model is fitted on the
earlier 80% and each candidate setting is compared on the later 20% by average precision,
with early stopping choosing the number of trees. The winner is refitted on the whole
training window as a bag of models with different seeds (bagging and feature sampling
differ), whose log-odds are averaged: on a few hundred frauds this removes much of one
model's seed-to-seed variance. Nothing here looks at the test payments.

Example:
    >>> detector = GradientBoostingDetector().fit(train_matrix, train_labels, feature_names=spec.columns)
    >>> detector.score(test_matrix)
"""

from __future__ import annotations

import logging
import math
from typing import Any, Self

import lightgbm as lgb
import numpy as np
from sklearn.metrics import average_precision_score

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError
from llm4retail.risk.base import DetectorKind, Reason, RiskDetector
from llm4retail.risk.trees import TreeArrays

logger = logging.getLogger(__name__)
VALIDATION_SHARE = 0.2
MIN_CLASS_ROWS = 5  # per class in the validation part, else no tuning
MAX_ROUNDS = 1000
EARLY_STOPPING_ROUNDS = 50
# Small, general grid: tree size and leaf size (regularisation matters on few frauds).
CANDIDATES: tuple[dict[str, Any], ...] = (
    {"num_leaves": 7, "min_child_samples": 20},
    {"num_leaves": 15, "min_child_samples": 10},
    {"num_leaves": 31, "min_child_samples": 20},
)
BASE_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "feature_fraction": 0.5,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "deterministic": True,
    "force_col_wise": True,
}


@register_model("supervised")
class GradientBoostingDetector(RiskDetector):
    """LightGBM fraud classifier with validation-chosen size and reason codes.

    Args:
        seed: random seed of bagging and feature sampling (model i uses seed + i).
        n_models: models in the final bag.
        threads: LightGBM threads (keep 1–2 on a shared machine).
    """

    kind = DetectorKind.SUPERVISED

    def __init__(self, *, seed: int = 0, n_models: int = 5, threads: int = 1) -> None:
        if threads < 1 or n_models < 1:
            raise DataValidationError(f"threads and n_models must be at least 1, got {threads} and {n_models}")
        self.seed = seed
        self.n_models = n_models
        self.threads = threads

    def _params(self, candidate: dict[str, Any], *, offset: int = 0) -> dict[str, Any]:
        return {**BASE_PARAMS, **candidate, "seed": self.seed + offset, "num_threads": self.threads}

    def fit(self, features: np.ndarray, labels: np.ndarray | None = None, *, feature_names: list[str]) -> Self:
        """Chooses the setting on the last 20% of the (time-ordered) rows, then refits on all.

        Raises:
            DataValidationError: labels are missing, misaligned or of a single class.
        """
        matrix = np.asarray(features, dtype=float)
        if labels is None:
            raise DataValidationError("the supervised detector needs fraud labels; use the unsupervised detector")
        target = np.asarray(labels, dtype=int)
        if target.shape[0] != matrix.shape[0] or target.min() == target.max():
            raise DataValidationError("the supervised detector needs aligned labels with both frauds and legitimate payments")
        self.feature_names_ = list(feature_names)
        self.selection_ = self._select(matrix, target)
        rounds = self.selection_["rounds"]
        data = lgb.Dataset(matrix, target, feature_name=_safe_names(self.feature_names_), free_raw_data=False)
        self.boosters_ = [
            lgb.train(self._params(self.selection_["params"], offset=index), data, num_boost_round=rounds)
            for index in range(self.n_models)
        ]
        self.trees_ = self._tree_arrays()
        return self

    def _tree_arrays(self) -> TreeArrays:
        """All trees of the bag in one set of arrays, leaf values divided by the bag size."""
        dumps = [booster.dump_model() for booster in self.boosters_]
        merged = {"tree_info": [tree for dump in dumps for tree in dump["tree_info"]],
                  "max_feature_idx": len(self.feature_names_) - 1}
        return TreeArrays.from_dump(merged, scale=1.0 / len(self.boosters_))

    def _select(self, matrix: np.ndarray, target: np.ndarray) -> dict[str, Any]:
        """Validation choice of the candidate and of the number of trees (scaled to the full window)."""
        cut = int(round(matrix.shape[0] * (1.0 - VALIDATION_SHARE)))
        valid = target[cut:]
        if min((valid == 1).sum(), (valid == 0).sum(), (target[:cut] == 1).sum()) < MIN_CLASS_ROWS:
            logger.warning("too few frauds to tune on a validation window; using the middle setting with 200 trees")
            self.validation_ = None
            return {"params": CANDIDATES[1], "rounds": 200, "validation_pr_auc": None, "candidates": []}
        tried = []
        for candidate in CANDIDATES:
            names = _safe_names(self.feature_names_)
            train = lgb.Dataset(matrix[:cut], target[:cut], feature_name=names)
            check = lgb.Dataset(matrix[cut:], valid, reference=train)
            booster = lgb.train(
                {**self._params(candidate), "metric": "binary_logloss"}, train, num_boost_round=MAX_ROUNDS,
                valid_sets=[check], callbacks=[lgb.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False)],
            )
            best = max(booster.best_iteration, 1)
            predicted = booster.predict(matrix[cut:], num_iteration=best)
            pr_auc = float(average_precision_score(valid, predicted))
            tried.append({"params": candidate, "rounds": best, "validation_pr_auc": pr_auc, "scores": predicted})
        chosen = max(tried, key=lambda item: (item["validation_pr_auc"], -item["rounds"]))
        # Out-of-sample scores of the chosen setting, for choosing decision thresholds.
        self.validation_ = (np.asarray(chosen["scores"], dtype=float), valid)
        scaled = int(math.ceil(chosen["rounds"] / (1.0 - VALIDATION_SHARE)))
        tried = [{key: value for key, value in item.items() if key != "scores"} for item in tried]
        return {"params": chosen["params"], "rounds": scaled, "validation_pr_auc": chosen["validation_pr_auc"],
                "candidates": tried}

    def score(self, features: np.ndarray) -> np.ndarray:
        matrix = self._check_matrix(features)
        raw = np.mean([booster.predict(matrix, raw_score=True, num_threads=self.threads) for booster in self.boosters_],
                      axis=0)
        return 1.0 / (1.0 + np.exp(-raw))

    def raw_contributions(self, row: np.ndarray) -> tuple[float, np.ndarray]:
        """Probability and per-feature log-odds contributions of one payment."""
        raw, contributions = self.trees_.contributions(self._check_matrix(row)[0])
        return 1.0 / (1.0 + math.exp(-raw)), contributions

    def explain(self, row: np.ndarray, *, top_k: int = 3) -> tuple[float, list[Reason]]:
        matrix = self._check_matrix(row)
        probability, contributions = self.raw_contributions(matrix)
        order = np.argsort(-contributions)[:top_k]
        reasons = [
            Reason(
                feature=self.feature_names_[index],
                value=None if np.isnan(matrix[0, index]) else float(matrix[0, index]),
                contribution=float(contributions[index]),
                description=f"{self.feature_names_[index]} = {_show(matrix[0, index])} raised the fraud log-odds by "
                f"{contributions[index]:.2f}",
            )
            for index in order
            if contributions[index] > 0
        ]
        return probability, reasons

    def get_params(self) -> dict[str, Any]:
        return {"seed": self.seed, "n_models": self.n_models, "threads": self.threads}

    def _state(self) -> ModelState:
        """Each booster of the bag as its LightGBM text dump; the feature names and the tuning record."""
        self._check_fitted()
        return ModelState(
            texts={f"lightgbm_{index}": booster.model_to_string() for index, booster in enumerate(self.boosters_)},
            facts={"feature_names": self.feature_names_, "selection": self.selection_},
        )

    def _restore(self, state: ModelState) -> None:
        self.feature_names_ = list(state.facts["feature_names"])
        self.selection_ = state.facts["selection"]
        self.boosters_ = [lgb.Booster(model_str=state.texts[f"lightgbm_{index}"]) for index in range(self.n_models)]
        self.trees_ = self._tree_arrays()


def _safe_names(names: list[str]) -> list[str]:
    """LightGBM refuses some characters in feature names; positions keep the mapping."""
    return [f"f{index}" for index in range(len(names))]


def _show(value: float) -> str:
    return "missing" if np.isnan(value) else f"{value:g}"
