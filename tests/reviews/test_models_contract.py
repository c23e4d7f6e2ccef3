"""Every sentiment model passes the same checks on tiny data with a known answer (P9 contract test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.models.bag import BagConfig
from llm4retail.models.training import TrainConfig
from llm4retail.models.transformer import TransformerConfig
from llm4retail.reviews.base import SentimentModel, best_logistic_regression, validation_key
from llm4retail.reviews.blend import BlendSentiment
from llm4retail.reviews.frozen import FrozenEmbeddingSentiment
from llm4retail.reviews.nbsvm import NbTfidfSentiment
from llm4retail.reviews.neural import EncoderKind, FineTunedSentiment
from llm4retail.reviews.tfidf import TfidfFeatures, TfidfSentiment

from .conftest import NEGATIVE, POSITIVE, tiny_texts

pytestmark = pytest.mark.unit
TINY_SHAPE = TransformerConfig(vocab_size=1, dim=32, layers=1, heads=2, feed_forward=64, max_positions=32)


def _models() -> dict[str, SentimentModel]:
    return {
        "tfidf_words": TfidfSentiment(features=TfidfFeatures.WORDS),
        "tfidf_both": TfidfSentiment(features=TfidfFeatures.BOTH),
        "nb_tfidf": NbTfidfSentiment(features=TfidfFeatures.CHARS),
        "use_frozen": FrozenEmbeddingSentiment(),
        "bag": FineTunedSentiment(
            encoder=EncoderKind.BAG, bag_config=BagConfig(buckets=4096, dim=16),
            train=TrainConfig(budget_seconds=20, max_epochs=30, batch_size=16, learning_rate=2e-2, head_learning_rate=2e-2),
        ),
        "scratch": FineTunedSentiment(
            encoder=EncoderKind.SCRATCH, scratch_config=TINY_SHAPE, max_tokens=32,
            train=TrainConfig(budget_seconds=20, max_epochs=25, batch_size=16, learning_rate=3e-3, head_learning_rate=3e-3),
        ),
    }


@pytest.mark.parametrize("name", list(_models()))
def test_model_learns_known_answer_and_round_trips(name: str, tmp_path: Path) -> None:
    texts, labels = tiny_texts(repeats=4)
    model = _models()[name].fit(texts, labels, validation=tiny_texts(repeats=1, seed=1))
    assert model.evaluate(POSITIVE + NEGATIVE, np.array([1] * 8 + [0] * 8))["accuracy"] >= 0.9
    probabilities = model.predict_proba(POSITIVE[:2])
    assert probabilities.shape == (2, 2)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    loaded = SentimentModel.load(model.save(tmp_path / name))
    assert type(loaded) is type(model)
    np.testing.assert_allclose(loaded.predict_proba(POSITIVE[:2]), probabilities, atol=1e-5)


@pytest.mark.parametrize("name", list(_models()))
def test_unfitted_model_refuses_to_predict(name: str) -> None:
    with pytest.raises(NotFittedError, match="fit"):
        _models()[name].predict(["好"])


def test_single_class_training_data_is_refused() -> None:
    with pytest.raises(DataValidationError, match="single class"):
        TfidfSentiment().fit(["好", "很好"], np.array([1, 1]))


def test_blend_weights_follow_validation(tmp_path: Path) -> None:
    texts, labels = tiny_texts(repeats=4)
    validation = tiny_texts(repeats=1, seed=1)
    good = TfidfSentiment(features=TfidfFeatures.CHARS).fit(texts, labels)
    flipped = TfidfSentiment(features=TfidfFeatures.CHARS).fit(texts, 1 - labels)
    members = {"good": good, "flipped": flipped}
    probabilities = {name: model.predict_proba(validation[0]) for name, model in members.items()}
    blend, accuracy = BlendSentiment.from_validation(members, probabilities, validation[1])
    assert accuracy == 1.0 and list(blend.members) == ["good"]
    loaded = SentimentModel.load(blend.save(tmp_path / "blend"))
    np.testing.assert_allclose(loaded.predict_proba(POSITIVE), blend.predict_proba(POSITIVE), atol=1e-6)


def test_quantised_fine_tuned_model_keeps_predictions(tmp_path: Path) -> None:
    texts, labels = tiny_texts(repeats=4)
    model = _models()["scratch"].fit(texts, labels, validation=tiny_texts(repeats=1, seed=1))
    quantised = model.quantized()
    assert (quantised.predict(POSITIVE + NEGATIVE) == model.predict(POSITIVE + NEGATIVE)).mean() >= 0.9
    loaded = SentimentModel.load(quantised.save(tmp_path / "int8"))
    assert isinstance(loaded, FineTunedSentiment) and loaded.quantised_
    np.testing.assert_allclose(loaded.predict_proba(POSITIVE), quantised.predict_proba(POSITIVE), atol=0.02)
    arrays = np.load(tmp_path / "int8" / "arrays.npz")
    assert any(arrays[key].dtype == np.int8 for key in arrays.files)


def test_nb_tfidf_handles_star_ratings() -> None:
    texts, labels = tiny_texts(repeats=4)
    stars = np.where(labels == 1, 5, 1)
    stars[::7] = 3
    model = NbTfidfSentiment(features=TfidfFeatures.CHARS).fit(texts, stars)
    assert model.classes_.tolist() == [1, 3, 5]
    probabilities = model.predict_proba(texts)
    assert probabilities.shape == (len(texts), 3) and np.allclose(probabilities.sum(axis=1), 1.0)
    assert (model.predict(texts) == stars).mean() > 0.8


def test_validation_key_ranks_accuracy_then_log_loss() -> None:
    targets = np.array([0, 1, 1])
    confident = np.array([[0.9, 0.1], [0.1, 0.9], [0.2, 0.8]])
    hesitant = np.array([[0.6, 0.4], [0.4, 0.6], [0.45, 0.55]])
    wrong = np.array([[0.9, 0.1], [0.1, 0.9], [0.9, 0.1]])
    assert validation_key(confident, targets)[0] == validation_key(hesitant, targets)[0] == 1.0
    assert validation_key(confident, targets) > validation_key(hesitant, targets) > validation_key(wrong, targets)


def test_c_choice_breaks_accuracy_ties_by_log_loss() -> None:
    # Separable data: every C classifies the held-out points perfectly, and the weakest regularisation
    # is the most confident, so the tie must go to it whatever its place in the grid.
    rng = np.random.default_rng(0)
    features = np.vstack([rng.normal(-3, 0.5, (40, 2)), rng.normal(3, 0.5, (40, 2))])
    labels = np.repeat([0, 1], 40)
    held = np.array([[-3.0, -3.0], [3.0, 3.0]])
    c, _ = best_logistic_regression(features, labels, held, np.array([0, 1]), (0.001, 100.0, 0.01), max_iter=500, name="t")
    assert c == 100.0
