"""Model-contract cases of the sentiment models: each fitted on a few dozen tiny reviews."""

from __future__ import annotations

from functools import cache

import numpy as np

from llm4retail.models.training import TrainConfig
from llm4retail.models.transformer import TransformerConfig
from llm4retail.reviews.base import SentimentModel
from llm4retail.reviews.blend import BlendSentiment
from llm4retail.reviews.frozen import FrozenEmbeddingSentiment
from llm4retail.reviews.nbsvm import NbTfidfSentiment
from llm4retail.reviews.neural import EncoderKind, FineTunedSentiment
from llm4retail.reviews.tfidf import TfidfFeatures, TfidfSentiment
from tests.contract import ContractCase
from tests.reviews.conftest import NEGATIVE, POSITIVE, tiny_texts

TINY_SHAPE = TransformerConfig(vocab_size=1, dim=16, layers=1, heads=2, feed_forward=32, max_positions=24)
PROBE = POSITIVE + NEGATIVE


@cache
def _data() -> tuple[list[str], np.ndarray, tuple[list[str], np.ndarray]]:
    texts, labels = tiny_texts(repeats=2)
    return texts, labels, tiny_texts(repeats=1, seed=1)


def _fit(model: SentimentModel) -> SentimentModel:
    texts, labels, validation = _data()
    return model.fit(texts, labels, validation=validation)


def _fit_finetuned() -> SentimentModel:
    train = TrainConfig(budget_seconds=10, max_epochs=2, batch_size=16, learning_rate=3e-3, head_learning_rate=3e-3)
    return _fit(FineTunedSentiment(encoder=EncoderKind.SCRATCH, scratch_config=TINY_SHAPE, max_tokens=24, train=train))


def _fit_blend() -> BlendSentiment:
    members = {"tfidf": _fit(TfidfSentiment(features=TfidfFeatures.CHARS)),
               "nb_tfidf": _fit(NbTfidfSentiment(features=TfidfFeatures.WORDS))}
    return BlendSentiment(members, [0.6, 0.4])


def _predict(model: SentimentModel) -> dict[str, object]:
    return {"probabilities": model.predict_proba(PROBE), "classes": model._fitted_classes()}


CASES = [
    ContractCase("reviews.tfidf", lambda: _fit(TfidfSentiment(features=TfidfFeatures.BOTH)), _predict),  # type: ignore[arg-type]
    ContractCase("reviews.nb_tfidf", lambda: _fit(NbTfidfSentiment(features=TfidfFeatures.BOTH)), _predict),  # type: ignore[arg-type]
    ContractCase("reviews.use_frozen", lambda: _fit(FrozenEmbeddingSentiment(c_grid=(10.0,))), _predict),  # type: ignore[arg-type]
    ContractCase("reviews.finetuned", _fit_finetuned, _predict),  # type: ignore[arg-type]
    ContractCase("reviews.blend", _fit_blend, _predict),  # type: ignore[arg-type]
]
