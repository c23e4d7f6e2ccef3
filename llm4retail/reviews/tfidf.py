"""The classical baseline: TF-IDF over jieba words and/or character n-grams + logistic regression."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.reviews.base import SentimentModel, best_logistic_regression, check_training_data
from llm4retail.text.tokenize import words

logger = logging.getLogger(__name__)
C_GRID = (1.0, 4.0, 16.0)
DEFAULT_C = 4.0
MAX_FEATURES = 400_000


class TfidfFeatures(StrEnum):
    """Which n-grams the TF-IDF model reads."""

    WORDS = "words"  # jieba words (Chinese) / letter runs, unigrams and bigrams
    CHARS = "chars"  # character 1-4-grams inside whitespace-separated tokens
    BOTH = "both"


def make_vectorizers(features: TfidfFeatures) -> dict[str, TfidfVectorizer]:
    made: dict[str, TfidfVectorizer] = {}
    common = {"sublinear_tf": True, "min_df": 2, "max_features": MAX_FEATURES, "dtype": np.float32}
    if features in (TfidfFeatures.WORDS, TfidfFeatures.BOTH):
        made["words"] = TfidfVectorizer(
            tokenizer=words, token_pattern=None, lowercase=False, ngram_range=(1, 2), **common
        )
    if features in (TfidfFeatures.CHARS, TfidfFeatures.BOTH):
        made["chars"] = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), lowercase=True, **common)
    return made


def vectorizer_state(vectorizers: dict[str, TfidfVectorizer]) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """Each fitted vectoriser's idf weights (arrays) and terms in column order (JSON facts, which stay
    small on disk where fixed-width unicode arrays of 400k n-grams would not)."""
    arrays: dict[str, np.ndarray] = {}
    terms: dict[str, list[str]] = {}
    for name, vectorizer in vectorizers.items():
        ordered = [""] * len(vectorizer.vocabulary_)
        for term, column in vectorizer.vocabulary_.items():
            ordered[column] = str(term)
        terms[f"{name}_terms"] = ordered
        arrays[f"{name}_idf"] = vectorizer.idf_.astype(np.float32)
    return arrays, terms


def vectorizers_from_state(
    features: TfidfFeatures, arrays: dict[str, np.ndarray], facts: dict[str, Any]
) -> dict[str, TfidfVectorizer]:
    """Fitted vectorisers rebuilt from `vectorizer_state` output."""
    vectorizers = make_vectorizers(features)
    for name, vectorizer in vectorizers.items():
        vectorizer.vocabulary_ = {str(term): index for index, term in enumerate(facts[f"{name}_terms"])}
        vectorizer.idf_ = arrays[f"{name}_idf"]
    return vectorizers


def tfidf_matrix(vectorizers: dict[str, TfidfVectorizer], texts: Sequence[str], *, fit: bool = False) -> sp.csr_matrix:
    """The stacked TF-IDF features of `texts` (fitting the vectorisers first when `fit`)."""
    parts = [v.fit_transform(texts) if fit else v.transform(texts) for v in vectorizers.values()]
    return sp.hstack(parts).tocsr()


@register_model("tfidf")
class TfidfSentiment(SentimentModel):
    """TF-IDF n-grams and a logistic regression whose C is chosen on validation.

    Args:
        features: words, chars or both.
        c_grid: inverse regularisation strengths tried on the validation set (the
            first is kept without one).

    Example:
        >>> model = TfidfSentiment(features=TfidfFeatures.BOTH).fit(texts, labels)
        >>> model.predict(["质量很好"])
    """

    def __init__(self, *, features: TfidfFeatures = TfidfFeatures.BOTH, c_grid: Sequence[float] = C_GRID) -> None:
        if not c_grid or min(c_grid) <= 0:
            raise DataValidationError(f"c_grid must hold positive values, got {list(c_grid)}")
        self.features = TfidfFeatures(features)
        self.c_grid = tuple(float(c) for c in c_grid)
        self.vectorizers_: dict[str, TfidfVectorizer] | None = None
        self.classifier_: LogisticRegression | None = None
        self.c_: float | None = None

    def fit(
        self,
        texts: Sequence[str],
        labels: np.ndarray,
        *,
        validation: tuple[Sequence[str], np.ndarray] | None = None,
    ) -> Self:
        """Fits the vectorisers and the classifier; chooses C on `validation` when given."""
        self.classes_ = check_training_data(texts, labels)
        self.vectorizers_ = make_vectorizers(self.features)
        matrix = tfidf_matrix(self.vectorizers_, texts, fit=True)
        candidates = self.c_grid if validation is not None else (DEFAULT_C if DEFAULT_C in self.c_grid else self.c_grid[0],)
        held = self._matrix(validation[0]) if validation is not None else None
        self.c_, self.classifier_ = best_logistic_regression(
            matrix, labels, held, None if validation is None else validation[1], candidates,
            max_iter=2000, name=f"tfidf {self.features.value}")
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities in the order of `classes_`."""
        self._fitted_classes()
        assert self.classifier_ is not None
        return self.classifier_.predict_proba(self._matrix(texts))

    def _matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.vectorizers_ is None:
            raise NotFittedError("TfidfSentiment is not fitted; call fit(texts, labels) first")
        return tfidf_matrix(self.vectorizers_, texts)

    def get_params(self) -> dict[str, Any]:
        return {"features": self.features.value, "c_grid": list(self.c_grid)}

    def _state(self) -> ModelState:
        classes = self._fitted_classes()
        if self.vectorizers_ is None or self.classifier_ is None:
            raise NotFittedError("TfidfSentiment is not fitted; call fit(texts, labels) first")
        arrays, terms = vectorizer_state(self.vectorizers_)
        arrays.update(coef=self.classifier_.coef_, intercept=self.classifier_.intercept_, classes=classes)
        return ModelState(arrays=arrays, facts={"c": self.c_, **terms})

    def _restore(self, state: ModelState) -> None:
        arrays, facts = state.arrays, state.facts
        self.vectorizers_ = vectorizers_from_state(self.features, arrays, facts)
        classifier = LogisticRegression(C=facts["c"])
        classifier.coef_ = arrays["coef"]
        classifier.intercept_ = arrays["intercept"]
        classifier.classes_ = arrays["classes"]
        self.classifier_, self.c_, self.classes_ = classifier, facts["c"], arrays["classes"]
