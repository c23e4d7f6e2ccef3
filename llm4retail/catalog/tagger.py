"""A learned sequence tagger for text attributes, trained by distant supervision from the catalog.

Training labels come for free: where a product's known value (e.g. colour
"Black", connector "RJ-45") occurs in its title or description, those tokens are
tagged B/I for that attribute, every other token O. One logistic-regression
tagger per attribute (an attribute's span may overlap another's) reads sparse
features of each token and its neighbours (word, affixes, shape, position,
neighbouring words), so it learns contexts such as "after the brand", "before
`connector`", and generalises to values never seen in training.
"""

from __future__ import annotations

import logging
from typing import Any, Self

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import SGDClassifier

from llm4retail.artifacts import ModelState, register_model
from llm4retail.catalog.base import AttributeExtractor, Extraction, check_inputs
from llm4retail.catalog.values import AttributeSpec, normalise, tokens

logger = logging.getLogger(__name__)
MAX_TOKENS = 64
OUTSIDE, BEGIN, INSIDE = 0, 1, 2
MIN_FEATURE_COUNT = 2


def _shape(token: str) -> str:
    shape = "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c for c in token)
    compressed = [shape[0]] if shape else []
    for character in shape[1:]:
        if character != compressed[-1]:
            compressed.append(character)
    return "".join(compressed)[:6]


def token_features(words: list[str]) -> list[dict[str, float]]:
    """Sparse features of each token and its two neighbours on each side."""
    lowered = [word.lower() for word in words]
    title_end = words.index(".") if "." in words else len(words)
    features = []
    for i, word in enumerate(lowered):
        item = {
            f"w={word}": 1.0, f"p3={word[:3]}": 1.0, f"s3={word[-3:]}": 1.0, f"shape={_shape(words[i])}": 1.0,
            f"pos={min(i, 8)}": 1.0, "in_title": float(i < title_end), "bias": 1.0,
        }
        for offset in (-2, -1, 1, 2):
            j = i + offset
            item[f"w[{offset}]={lowered[j] if 0 <= j < len(words) else '<none>'}"] = 1.0
        item[f"w[-1..0]={lowered[i - 1] if i else '<s>'}|{word}"] = 1.0
        features.append(item)
    return features


def distant_labels(words: list[str], value: Any) -> np.ndarray | None:
    """B/I/O labels marking the first occurrence of `value`'s tokens in `words` (None when absent)."""
    target = [normalise(token) for token, _, _ in tokens(str(value))]
    target = [token for token in target if token]
    lowered = [normalise(word) for word in words]
    if not target:
        return None
    for start in range(len(words) - len(target) + 1):
        if lowered[start : start + len(target)] == target:
            labels = np.zeros(len(words), dtype=np.int64)
            labels[start] = BEGIN
            labels[start + 1 : start + len(target)] = INSIDE
            return labels
    return None


@register_model("tagger")
class TaggerExtractor(AttributeExtractor):
    """One B/I/O token classifier per text attribute over shared sparse features.

    Args:
        alpha: L2 strength of the SGD logistic regressions.
        epochs: passes of SGD.
        seed: random seed.
    """

    def __init__(self, *, alpha: float = 1e-5, epochs: int = 15, seed: int = 0) -> None:
        self.alpha = alpha
        self.epochs = epochs
        self.seed = seed
        self.vectorizer_: DictVectorizer | None = None
        self.weights_: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # attribute -> (coef (3, F), intercept (3,))

    def fit(self, texts: list[str], truth: pd.DataFrame, specs: list[AttributeSpec]) -> Self:
        """Builds distant labels and trains one tagger per text attribute."""
        check_inputs(texts, truth, specs)
        self.specs_ = list(specs)
        words = [[token for token, _, _ in tokens(text)][:MAX_TOKENS] for text in texts]
        features = [token_features(product) for product in words]
        counts: dict[str, int] = {}
        for product in features:
            for item in product:
                for name in item:
                    counts[name] = counts.get(name, 0) + 1
        self.vectorizer_ = DictVectorizer(dtype=np.float32).fit(
            [{name: 1.0 for name, count in counts.items() if count >= MIN_FEATURE_COUNT}]
        )
        matrices = [self.vectorizer_.transform(product) if product else None for product in features]
        for spec in specs:
            if spec.numeric:
                continue
            rows, labels = [], []
            for index in np.flatnonzero(truth[spec.key].notna().to_numpy()):
                if matrices[index] is None:
                    continue
                found = distant_labels(words[index], truth[spec.key].iloc[index])
                rows.append(matrices[index])
                labels.append(found if found is not None else np.zeros(len(words[index]), dtype=np.int64))
            target = np.concatenate(labels) if labels else np.zeros(0, dtype=np.int64)
            if len(np.unique(target)) < 2:
                logger.info("tagger: no span of %s found in the texts; skipped", spec.key)
                continue
            model = SGDClassifier(loss="log_loss", alpha=self.alpha, max_iter=self.epochs, tol=None, random_state=self.seed)
            model.fit(sp.vstack(rows).tocsr(), target)
            coef = np.zeros((3, model.coef_.shape[1]), dtype=np.float32)
            intercept = np.full(3, -1e4, dtype=np.float32)  # a class never seen is never predicted
            for position, label in enumerate(model.classes_):
                row = position if len(model.classes_) > 2 else None
                coef[label] = model.coef_[row] if row is not None else (model.coef_[0] if label else -model.coef_[0])
                intercept[label] = model.intercept_[row] if row is not None else (model.intercept_[0] if label else -model.intercept_[0])
            self.weights_[spec.key] = (coef, intercept)
        return self

    def extract(self, texts: list[str]) -> list[Extraction]:
        """The most confident tagged span of each attribute in each text (its original characters)."""
        self._fitted_specs()
        assert self.vectorizer_ is not None
        out: list[Extraction] = []
        for text in texts:
            spans = tokens(text)[:MAX_TOKENS]
            found: Extraction = {}
            if spans:
                matrix = self.vectorizer_.transform(token_features([token for token, _, _ in spans]))
                for key, (coef, intercept) in self.weights_.items():
                    value = _decode(np.asarray(matrix @ coef.T) + intercept, spans, text)
                    if value is not None:
                        found[key] = value
            out.append(found)
        return out

    def get_params(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "epochs": self.epochs, "seed": self.seed}

    def _state(self) -> ModelState:
        self._fitted_specs()
        assert self.vectorizer_ is not None
        arrays: dict[str, np.ndarray] = {}
        for key, (coef, intercept) in self.weights_.items():
            arrays[f"coef/{key}"], arrays[f"intercept/{key}"] = coef, intercept
        facts = {"specs": self.spec_facts(), "features": list(self.vectorizer_.feature_names_),
                 "attributes": list(self.weights_)}
        return ModelState(arrays=arrays, facts=facts)  # type: ignore[arg-type]

    def _restore(self, state: ModelState) -> None:
        self.specs_ = self.specs_from_facts(state.facts)
        names = list(state.facts["features"])
        vectorizer = DictVectorizer(dtype=np.float32)
        vectorizer.feature_names_ = names
        vectorizer.vocabulary_ = {name: index for index, name in enumerate(names)}
        self.vectorizer_ = vectorizer
        arrays = state.arrays
        self.weights_ = {key: (arrays[f"coef/{key}"], arrays[f"intercept/{key}"]) for key in state.facts["attributes"]}  # type: ignore[misc]


def _decode(scores: np.ndarray, spans: list[tuple[str, int, int]], text: str) -> str | None:
    """The span starting at the most confident B token, extended over following I tokens."""
    predicted = scores.argmax(axis=1)
    starts = np.flatnonzero(predicted == BEGIN)
    if not len(starts):
        return None
    margin = scores[starts, BEGIN] - scores[starts, OUTSIDE]
    start = int(starts[np.argmax(margin)])
    end = start
    while end + 1 < len(spans) and predicted[end + 1] == INSIDE:
        end += 1
    return text[spans[start][1] : spans[end][2]]
