"""The intent classifier: contract on a tiny set with a known answer, calibration, persistence,
and the `eval intent` procedure on real Bitext utterances."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.assistant.classifier import FeatureSet, IntentClassifier, expected_calibration_error, fit_temperature
from llm4retail.assistant.evaluate import evaluate_intents, stratified_split
from llm4retail.data.importer import read_table
from llm4retail.data.schemas import Table
from llm4retail.errors import DataValidationError, NotFittedError

WORDS = {"order_status": ["parcel", "package", "tracking", "包裹"], "refund": ["refund", "money back", "退款"], "payment": ["card", "paypal", "支付"]}


def hashed_embedder(texts: list[str]) -> np.ndarray:
    """A deterministic stand-in for sentence embeddings: hashed words, unit norm."""
    vectors = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def toy_set(copies: int = 12) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(0)
    texts, labels = [], []
    fillers = ["please help", "hi", "where is", "can you check", "我想问", "thanks"]
    for _ in range(copies):
        for intent, words in WORDS.items():
            texts.append(f"{fillers[rng.integers(len(fillers))]} {words[rng.integers(len(words))]} {rng.integers(1000)}")
            labels.append(intent)
    return texts, labels


@pytest.mark.unit
@pytest.mark.parametrize("features", list(FeatureSet))
def test_every_feature_set_learns_the_toy_intents(features: FeatureSet) -> None:
    texts, labels = toy_set()
    model = IntentClassifier(features=features, embedder=hashed_embedder).fit(texts, labels)
    assert model.predict(["my parcel tracking please", "I want my money back", "can I pay by paypal"]) == [
        "order_status", "refund", "payment"
    ]
    probabilities = model.predict_proba(["退款"])
    assert probabilities.shape == (1, 3) and np.isclose(probabilities.sum(), 1.0)
    assert model.temperature_ > 0


@pytest.mark.unit
def test_save_and_load_give_identical_probabilities(tmp_path: Path) -> None:
    texts, labels = toy_set()
    model = IntentClassifier(features=FeatureSet.COMBINED, embedder=hashed_embedder).fit(texts, labels)
    model.save(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["meta.json", "model.npz"]
    loaded = IntentClassifier.load(tmp_path / "model", embedder=hashed_embedder)
    probe = ["where is my package", "paypal card", "退款"]
    np.testing.assert_allclose(loaded.predict_proba(probe), model.predict_proba(probe), rtol=1e-6)
    assert loaded.temperature_ == pytest.approx(model.temperature_)


@pytest.mark.unit
def test_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        IntentClassifier(features=FeatureSet.TFIDF).predict_proba(["hi"])
    with pytest.raises(NotFittedError, match="train one first"):
        IntentClassifier.load(tmp_path / "missing")
    with pytest.raises(DataValidationError, match="at least two intents"):
        IntentClassifier(features=FeatureSet.TFIDF).fit(["a", "b"], ["x", "x"])
    with pytest.raises(DataValidationError, match="calibration_fraction"):
        IntentClassifier(calibration_fraction=0.7)


@pytest.mark.unit
def test_temperature_scaling_softens_overconfident_logits() -> None:
    rng = np.random.default_rng(1)
    targets = rng.integers(0, 3, size=400)
    logits = rng.normal(size=(400, 3))
    logits[np.arange(400), targets] += 1.0  # right 60-70% of the time
    temperature = fit_temperature(logits * 10, targets)  # the same logits, made 10x too sharp
    assert 5 < temperature < 20
    sharp = np.exp(logits * 10) / np.exp(logits * 10).sum(axis=1, keepdims=True)
    calibrated = np.exp(logits * 10 / temperature) / np.exp(logits * 10 / temperature).sum(axis=1, keepdims=True)
    correct = sharp.argmax(axis=1) == targets
    assert expected_calibration_error(calibrated, correct) < expected_calibration_error(sharp, correct) / 2


@pytest.mark.unit
def test_known_share_flags_gibberish() -> None:
    texts = ["where is my parcel", "parcel tracking", "refund my money", "money back please", "退款多久", "包裹到哪了"]
    model = IntentClassifier(features=FeatureSet.TFIDF, calibration_fraction=0).fit(texts, ["a", "a", "b", "b", "b", "a"])
    assert model.known_share("where is my parcel") == 1.0
    assert model.known_share("我的包裹") == pytest.approx(1 / 3)  # 我的 and 的包 unseen, 包裹 seen
    assert model.known_share("blorf zibble wobbles") == 0.0


@pytest.mark.integration
def test_eval_intent_procedure_on_bitext(datasets: Path) -> None:
    frame, _ = read_table(datasets / "intents_bitext" / "bitext_customer_support_20k.csv.gz", Table.UTTERANCES)
    sample = frame.groupby("intent").head(20).reset_index(drop=True)  # 27 intents x 20: fast, still real
    report = evaluate_intents(sample, dataset="bitext-sample")
    metrics = report.to_json_dict()
    assert metrics["n"] == 108 and metrics["n_intents"] == 27
    assert metrics["accuracy"] >= 0.9 and metrics["macro_f1"] >= 0.9
    assert metrics["best"] in ("tfidf", "embedding", "combined") and metrics["train_seconds"] > 0


@pytest.mark.unit
def test_stratified_split_keeps_single_examples_for_training() -> None:
    frame = pd.DataFrame({"text": [f"t{i}" for i in range(21)], "intent": ["a"] * 10 + ["b"] * 10 + ["c"]})
    train, test = stratified_split(frame, fraction=0.2)
    assert "c" in set(train["intent"]) and "c" not in set(test["intent"])
    assert len(test) == 4 and set(train["text"]).isdisjoint(test["text"])
