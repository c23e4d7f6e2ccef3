"""Model-contract case of the assistant's intent classifier: TF-IDF n-grams and (hashed stand-in)
embeddings on a tiny bilingual set."""

from __future__ import annotations

import hashlib

import numpy as np

from llm4retail.assistant.classifier import FeatureSet, IntentClassifier
from tests.contract import ContractCase

WORDS = {"order_status": ["parcel", "package", "tracking", "包裹"], "refund": ["refund", "money back", "退款"],
         "payment": ["card", "paypal", "支付"]}  # fmt: skip
FILLERS = ["please help", "hi", "where is", "can you check", "我想问", "thanks"]
PROBES = ["where is my package", "paypal card", "退款", "我的包裹", "hello there"]


def hashed_embedder(texts: list[str]) -> np.ndarray:
    """A deterministic stand-in for sentence embeddings: hashed words, unit norm."""
    vectors = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def toy_set(copies: int = 12) -> tuple[list[str], list[str]]:
    """`copies` utterances of each of three intents, in English and Chinese."""
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for _ in range(copies):
        for intent, words in WORDS.items():
            texts.append(f"{FILLERS[rng.integers(len(FILLERS))]} {words[rng.integers(len(words))]} {rng.integers(1000)}")
            labels.append(intent)
    return texts, labels


def _fit() -> IntentClassifier:
    return IntentClassifier(features=FeatureSet.COMBINED, embedder=hashed_embedder).fit(*toy_set())


def _predict(model: IntentClassifier) -> dict[str, object]:
    model.embedder = hashed_embedder  # the embedder is a runtime dependency, not saved state
    return {"probabilities": model.predict_proba(PROBES), "classes": model.classes_,
            "temperature": model.temperature_, "known": [model.known_share(text) for text in PROBES]}


CASES = [ContractCase("assistant.intent_classifier", _fit, _predict)]  # type: ignore[arg-type]
