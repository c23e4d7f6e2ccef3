"""NB-weighted TF-IDF + logistic regression (the NBSVM idea of Wang and Manning, 2012).

Each n-gram's TF-IDF value is scaled by its naive-Bayes log-count ratio
log(p(f|class) / p(f|rest)) before a logistic regression, so features that
separate the classes start out large; for sentiment this is a strong linear
baseline. With more than two classes (stars) one model per class is fitted on
its own ratios (one-vs-rest) and the probabilities are normalised.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.reviews.base import SentimentModel, check_training_data, class_indices, validation_key
from llm4retail.reviews.tfidf import (
    TfidfFeatures,
    make_vectorizers,
    tfidf_matrix,
    vectorizer_state,
    vectorizers_from_state,
)

logger = logging.getLogger(__name__)
C_GRID = (1.0, 4.0)
SMOOTHING = 1.0


def log_count_ratio(matrix: sp.csr_matrix, positive: np.ndarray) -> np.ndarray:
    """log((count of f in positive rows + 1) / total) - log((count in the other rows + 1) / total), per feature."""
    present = (matrix > 0).astype(np.float32)
    inside = np.asarray(present[positive].sum(axis=0)).ravel() + SMOOTHING
    outside = np.asarray(present[~positive].sum(axis=0)).ravel() + SMOOTHING
    return (np.log(inside / inside.sum()) - np.log(outside / outside.sum())).astype(np.float32)


@register_model("nb_tfidf")
class NbTfidfSentiment(SentimentModel):
    """TF-IDF words + characters scaled by NB log-count ratios, then logistic regression (C on validation).

    Args:
        features: words, chars or both.
        c_grid: inverse regularisation strengths tried on the validation set.
    """

    def __init__(self, *, features: TfidfFeatures = TfidfFeatures.BOTH, c_grid: Sequence[float] = C_GRID) -> None:
        if not c_grid or min(c_grid) <= 0:
            raise DataValidationError(f"c_grid must hold positive values, got {list(c_grid)}")
        self.features = TfidfFeatures(features)
        self.c_grid = tuple(float(c) for c in c_grid)
        self.vectorizers_: dict[str, TfidfVectorizer] | None = None
        self.ratios_: np.ndarray | None = None  # (n_models, n_features)
        self.coef_: np.ndarray | None = None  # (n_models, n_features)
        self.intercept_: np.ndarray | None = None  # (n_models,)
        self.c_: float | None = None

    def _targets(self, labels: np.ndarray) -> list[np.ndarray]:
        """One boolean target per model: the positive class (binary) or each class (one-vs-rest)."""
        assert self.classes_ is not None
        index = class_indices(np.asarray(labels), self.classes_)
        if len(self.classes_) == 2:
            return [index == 1]
        return [index == k for k in range(len(self.classes_))]

    def fit(
        self,
        texts: Sequence[str],
        labels: np.ndarray,
        *,
        validation: tuple[Sequence[str], np.ndarray] | None = None,
    ) -> Self:
        """Fits vectorisers, ratios and classifiers; chooses C by validation accuracy when given."""
        self.classes_ = check_training_data(texts, labels)
        self.vectorizers_ = make_vectorizers(self.features)
        matrix = tfidf_matrix(self.vectorizers_, texts, fit=True)
        targets = self._targets(labels)
        self.ratios_ = np.stack([log_count_ratio(matrix, target) for target in targets])
        held = tfidf_matrix(self.vectorizers_, validation[0]) if validation is not None else None
        candidates = self.c_grid if validation is not None else self.c_grid[:1]
        best: tuple[tuple[float, float], float, np.ndarray, np.ndarray] | None = None
        for c in candidates:
            coef, intercept = [], []
            for ratio, target in zip(self.ratios_, targets, strict=True):
                model = LogisticRegression(C=c, max_iter=3000).fit(matrix.multiply(ratio).tocsr(), target)
                coef.append(model.coef_[0])
                intercept.append(model.intercept_[0])
            self.coef_, self.intercept_ = np.stack(coef).astype(np.float32), np.asarray(intercept, dtype=np.float32)
            key = (0.0, 0.0)
            if held is not None:
                key = validation_key(self._probabilities(held), class_indices(np.asarray(validation[1]), self.classes_))
            logger.info("nb_tfidf C=%g validation accuracy %.4f, log-loss %.4f", c, key[0], -key[1])
            if best is None or key > best[0]:
                best = (key, c, self.coef_, self.intercept_)
        assert best is not None
        _, self.c_, self.coef_, self.intercept_ = best
        return self

    def _probabilities(self, matrix: sp.csr_matrix) -> np.ndarray:
        assert self.ratios_ is not None and self.coef_ is not None and self.intercept_ is not None
        scores = np.column_stack([
            matrix.multiply(ratio).tocsr() @ coef + intercept
            for ratio, coef, intercept in zip(self.ratios_, self.coef_, self.intercept_, strict=True)
        ])
        positive = 1.0 / (1.0 + np.exp(-scores))
        if positive.shape[1] == 1:
            return np.column_stack([1.0 - positive[:, 0], positive[:, 0]])
        return positive / positive.sum(axis=1, keepdims=True)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities in the order of `classes_`."""
        self._fitted_classes()
        if self.vectorizers_ is None:
            raise NotFittedError("NbTfidfSentiment is not fitted")
        return self._probabilities(tfidf_matrix(self.vectorizers_, texts))

    def get_params(self) -> dict[str, Any]:
        return {"features": self.features.value, "c_grid": list(self.c_grid)}

    def _state(self) -> ModelState:
        classes = self._fitted_classes()
        if self.vectorizers_ is None or self.ratios_ is None or self.coef_ is None or self.intercept_ is None:
            raise NotFittedError("NbTfidfSentiment is not fitted")
        arrays, terms = vectorizer_state(self.vectorizers_)
        arrays.update(ratios=self.ratios_, coef=self.coef_, intercept=self.intercept_, classes=classes)
        return ModelState(arrays=arrays, facts={"c": self.c_, **terms})

    def _restore(self, state: ModelState) -> None:
        arrays = state.arrays
        self.vectorizers_ = vectorizers_from_state(self.features, arrays, state.facts)
        self.ratios_, self.coef_, self.intercept_ = arrays["ratios"], arrays["coef"], arrays["intercept"]
        self.c_, self.classes_ = state.facts["c"], arrays["classes"]
