"""The unsupervised detector for shops without fraud labels: an isolation forest.

scikit-learn grows the forest; the fitted trees are then kept as flat arrays, which
saves without pickle and scores one payment in microseconds (all trees walked together,
one depth level per numpy step). The score is the forest's anomaly score
2^(-E[path length] / c(n)) of Liu, Ting & Zhou (2008), in (0, 1], about 0.5 for ordinary
payments. Reason codes are the features furthest from the training median in robust
standard deviations (median absolute deviation × 1.4826).
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from sklearn.ensemble import IsolationForest

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError
from llm4retail.risk.base import DetectorKind, Reason, RiskDetector

MAD_TO_SD = 1.4826


def average_path_length(n_samples: np.ndarray) -> np.ndarray:
    """c(n): the average path length of an unsuccessful search in a binary search tree of n points."""
    n = np.asarray(n_samples, dtype=float)
    out = np.zeros_like(n)
    out[n == 2] = 1.0
    large = n > 2
    out[large] = 2.0 * (np.log(n[large] - 1.0) + np.euler_gamma) - 2.0 * (n[large] - 1.0) / n[large]
    return out


@register_model("unsupervised")
class IsolationForestDetector(RiskDetector):
    """Isolation forest over payment features (missing values filled with training medians).

    Args:
        n_trees: trees in the forest.
        max_samples: rows drawn for each tree (the paper's 256).
        seed: random seed.
    """

    kind = DetectorKind.UNSUPERVISED

    def __init__(self, *, n_trees: int = 200, max_samples: int = 256, seed: int = 0) -> None:
        if n_trees < 1 or max_samples < 2:
            raise DataValidationError(f"n_trees must be >= 1 and max_samples >= 2, got {n_trees} and {max_samples}")
        self.n_trees = n_trees
        self.max_samples = max_samples
        self.seed = seed

    def fit(self, features: np.ndarray, labels: np.ndarray | None = None, *, feature_names: list[str]) -> Self:
        """Grows the forest on all training payments (labels are ignored)."""
        matrix = np.asarray(features, dtype=float)
        if matrix.ndim != 2 or matrix.shape[0] < 2:
            raise DataValidationError(f"need at least 2 payments to fit an isolation forest, got shape {matrix.shape}")
        self.feature_names_ = list(feature_names)
        medians = np.nanmedian(np.where(np.isnan(matrix).all(axis=0), 0.0, matrix), axis=0)
        self.medians_ = np.where(np.isnan(medians), 0.0, medians)
        filled = self._fill(matrix)
        deviation = np.median(np.abs(filled - self.medians_), axis=0) * MAD_TO_SD
        spread = np.std(filled, axis=0)
        self.scales_ = np.where(deviation > 0, deviation, np.where(spread > 0, spread, 1.0))
        forest = IsolationForest(
            n_estimators=self.n_trees, max_samples=min(self.max_samples, filled.shape[0]), random_state=self.seed
        ).fit(filled)
        self._export(forest)
        return self

    def _fill(self, matrix: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(matrix), self.medians_, matrix)

    def _export(self, forest: IsolationForest) -> None:
        """Flattens the fitted trees; a leaf stores its depth plus c(its sample count)."""
        parts: dict[str, list[np.ndarray]] = {"feature": [], "threshold": [], "left": [], "right": [], "leaf": []}
        roots, offset, max_depth = [], 0, 0
        for tree, features in zip(forest.estimators_, forest.estimators_features_):
            structure = tree.tree_
            n_nodes = structure.node_count
            is_leaf = structure.children_left < 0
            depth = _node_depths(structure.children_left, structure.children_right)
            max_depth = max(max_depth, int(depth.max()))
            local = np.arange(n_nodes)
            parts["feature"].append(np.where(is_leaf, -1, np.asarray(features)[np.maximum(structure.feature, 0)]))
            parts["threshold"].append(structure.threshold.astype(float))
            parts["left"].append(np.where(is_leaf, local, structure.children_left) + offset)
            parts["right"].append(np.where(is_leaf, local, structure.children_right) + offset)
            samples = structure.n_node_samples.astype(float)
            parts["leaf"].append(np.where(is_leaf, depth + average_path_length(samples), 0.0))
            roots.append(offset)
            offset += n_nodes
        self.arrays_ = {name: np.concatenate(values) for name, values in parts.items()}
        self.arrays_["roots"] = np.asarray(roots, dtype=np.int64)
        self.max_depth_ = max_depth
        self.normaliser_ = float(average_path_length(np.array([forest.max_samples_]))[0])

    def _path_lengths(self, matrix: np.ndarray) -> np.ndarray:
        """Mean path length of every row over the trees."""
        arrays = self.arrays_
        # scikit-learn trees compare float32 inputs; do the same to follow the same paths.
        values = matrix.astype(np.float32).astype(float)
        node = np.broadcast_to(arrays["roots"], (matrix.shape[0], arrays["roots"].size)).copy()
        rows = np.arange(matrix.shape[0])[:, None]
        for _ in range(self.max_depth_):
            feature = arrays["feature"][node]
            inner = feature >= 0
            if not inner.any():
                break
            go_left = values[rows, np.maximum(feature, 0)] <= arrays["threshold"][node]
            node = np.where(inner, np.where(go_left, arrays["left"][node], arrays["right"][node]), node)
        return arrays["leaf"][node].mean(axis=1)

    def score(self, features: np.ndarray) -> np.ndarray:
        matrix = self._fill(self._check_matrix(features))
        return np.power(2.0, -self._path_lengths(matrix) / self.normaliser_)

    def explain(self, row: np.ndarray, *, top_k: int = 3) -> tuple[float, list[Reason]]:
        matrix = self._check_matrix(row)
        z_scores = (self._fill(matrix)[0] - self.medians_) / self.scales_
        order = np.argsort(-np.abs(z_scores))[:top_k]
        reasons = [
            Reason(
                feature=self.feature_names_[index],
                value=None if np.isnan(matrix[0, index]) else float(matrix[0, index]),
                contribution=float(abs(z_scores[index])),
                description=f"{self.feature_names_[index]} is {abs(z_scores[index]):.1f} robust SDs "
                f"{'above' if z_scores[index] > 0 else 'below'} the usual {self.medians_[index]:g}",
            )
            for index in order
            if abs(z_scores[index]) > 0
        ]
        return float(self.score(matrix)[0]), reasons

    def get_params(self) -> dict[str, Any]:
        return {"n_trees": self.n_trees, "max_samples": self.max_samples, "seed": self.seed}

    def _state(self) -> ModelState:
        """The flat trees, the training medians and scales; no scikit-learn object is kept."""
        self._check_fitted()
        return ModelState(
            arrays={"medians": self.medians_, "scales": self.scales_, **self.arrays_},
            facts={"feature_names": self.feature_names_, "max_depth": self.max_depth_, "normaliser": self.normaliser_},
        )

    def _restore(self, state: ModelState) -> None:
        arrays = dict(state.arrays)
        self.medians_ = arrays.pop("medians")
        self.scales_ = arrays.pop("scales")
        self.arrays_ = arrays
        self.feature_names_ = list(state.facts["feature_names"])
        self.max_depth_ = int(state.facts["max_depth"])
        self.normaliser_ = float(state.facts["normaliser"])


def _node_depths(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Depth (edges from the root) of every node; children always follow their parent."""
    depth = np.zeros(left.size)
    for node in range(left.size):
        if left[node] >= 0:
            depth[left[node]] = depth[node] + 1
            depth[right[node]] = depth[node] + 1
    return depth
