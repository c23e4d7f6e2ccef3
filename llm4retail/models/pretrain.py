"""Masked-language-model pre-training of the small Transformer encoder, within a wall-clock budget.

BERT's recipe (Devlin et al., 2019): 15% of the non-special tokens are chosen;
80% of those become [MASK], 10% a random token, 10% stay; the model predicts the
original tokens at the chosen positions only.

Two changes make this work at a CPU budget of minutes rather than GPU-days:

- The output bias starts at the log unigram frequencies of the corpus, so the
  first loss is already the unigram entropy and every gradient goes to using the
  context. Started from zeros, a small model spends its budget learning the
  unigram distribution and stalls there: its states collapse towards one
  "average token" vector whatever the input, a worse start for fine-tuning than
  random weights (measured: see docs/reviews.md).
- No dropout while pre-training (as in Geiping and Goldstein's "Cramming", 2022:
  with less than one pass over the data there is nothing to regularise); the
  saved encoder keeps its configured dropout for fine-tuning.

`PretrainedEncoder` is the saved form (capability `encoders`, versions in
`<data-dir>/models/encoders/vNNNN`, trained by `llm4retail models pretrain`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, replace
from typing import Any, Self

import numpy as np
import torch
from torch import nn

from llm4retail.artifacts import Artifact, ModelState, register_model
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.models.quantize import float_state
from llm4retail.models.threads import DEFAULT_TORCH_THREADS, torch_threads
from llm4retail.models.training import length_batches, pad, stop_reason
from llm4retail.models.transformer import MaskedLanguageModelHead, TransformerConfig, TransformerEncoder
from llm4retail.models.vocab import SPECIALS, Vocabulary

logger = logging.getLogger(__name__)
MASK_RATE = 0.15


@dataclass
class PretrainConfig:
    """MLM settings.

    Attributes:
        budget_seconds: a safety stop on the wall-clock time of the training loop; a run it ends reports
            `stopped == "time"` and depends on the machine's load. The budget proper is work: max_epochs, max_steps.
        max_epochs: passes over the corpus at most.
        max_steps: optimiser steps at most (None: max_epochs decides).
        batch_size: sequences per step.
        learning_rate: peak AdamW rate (warm-up, then linear decay to 10% over the planned steps).
        warmup_steps: linear warm-up steps.
        dropout: dropout rate while pre-training (the encoder keeps its own rate afterwards).
        unigram_bias: start the output bias at the log unigram frequencies of the corpus.
        seed: random seed.
        threads: torch threads (see `llm4retail.models.threads`).
    """

    budget_seconds: float = 600.0
    max_epochs: int = 20
    max_steps: int | None = 3000
    batch_size: int = 64
    # 3e-3 with a short warm-up: on the 2-core machine a 200 s run reached a masked-token loss of 5.65,
    # where 1e-3 with 200 warm-up steps was still at 5.90 after 800 s (both with the zero output-bias start).
    learning_rate: float = 3e-3
    warmup_steps: int = 100
    dropout: float = 0.0
    unigram_bias: bool = True
    seed: int = 0
    threads: int = DEFAULT_TORCH_THREADS


def mask_tokens(ids: torch.Tensor, mask: torch.Tensor, *, vocabulary: Vocabulary, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Returns (corrupted ids, targets) where targets are -100 except at the chosen positions."""
    candidates = mask & (ids >= len(SPECIALS))
    chosen = candidates & (torch.rand(ids.shape, generator=generator) < MASK_RATE)
    targets = torch.where(chosen, ids, torch.full_like(ids, -100))
    draw = torch.rand(ids.shape, generator=generator)
    corrupted = ids.clone()
    corrupted[chosen & (draw < 0.8)] = vocabulary.mask_id
    random_tokens = torch.randint(len(SPECIALS), len(vocabulary), ids.shape, generator=generator)
    swap = chosen & (draw >= 0.8) & (draw < 0.9)
    corrupted[swap] = random_tokens[swap]
    return corrupted, targets


def log_unigram(sequences: list[list[int]], vocabulary_size: int) -> np.ndarray:
    """Log relative frequencies of the maskable tokens (add-one smoothed; special tokens get the floor)."""
    counts = np.bincount(np.fromiter((i for s in sequences for i in s), dtype=np.int64), minlength=vocabulary_size)
    counts = counts[:vocabulary_size].astype(np.float64) + 1.0
    counts[: len(SPECIALS)] = 1.0
    return np.log(counts / counts.sum()).astype(np.float32)


def pretrain_mlm(
    texts: list[str],
    *,
    vocabulary: Vocabulary,
    model_config: TransformerConfig,
    config: PretrainConfig,
) -> tuple[TransformerEncoder, dict[str, Any]]:
    """Pre-trains a fresh encoder on `texts` with the masked-language-model objective.

    Args:
        texts: unlabelled corpus.
        vocabulary: token ids (its size must equal `model_config.vocab_size`).
        model_config: encoder shape.
        config: budget and optimiser settings.

    Returns:
        The encoder (eval mode) and facts: steps, epochs, seconds, tokens seen, first and last
        mean masked-token loss (over the first and last 10% of steps) and `stopped` ("steps" or "epochs" when
        the budget was spent, "time" at the safety stop).

    Raises:
        DataValidationError: empty corpus or vocabulary/model mismatch.
    """
    if not texts:
        raise DataValidationError("the pre-training corpus is empty")
    with torch_threads(config.threads):
        return _pretrain(texts, vocabulary=vocabulary, model_config=model_config, config=config)


def _pretrain(
    texts: list[str], *, vocabulary: Vocabulary, model_config: TransformerConfig, config: PretrainConfig
) -> tuple[TransformerEncoder, dict[str, Any]]:
    if len(vocabulary) != model_config.vocab_size:
        raise DataValidationError(f"vocabulary has {len(vocabulary)} tokens but vocab_size is {model_config.vocab_size}")
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    sequences = [sequence for sequence in vocabulary.encode(texts) if len(sequence) > 3]
    if not sequences:
        raise DataValidationError("no pre-training text has two or more tokens")
    if not 0.0 <= config.dropout < 1.0:
        raise DataValidationError(f"pre-training dropout must lie in [0, 1), got {config.dropout}")
    encoder = TransformerEncoder(replace(model_config, dropout=config.dropout))
    head = MaskedLanguageModelHead(encoder)
    if config.unigram_bias:
        with torch.no_grad():
            head.bias.copy_(torch.from_numpy(log_unigram(sequences, len(vocabulary))))
    parameters = list(encoder.parameters()) + [p for n, p in head.named_parameters() if not n.startswith("embedding")]
    optimizer = torch.optim.AdamW(parameters, lr=config.learning_rate, weight_decay=0.01)
    losses: list[float] = []
    epoch_steps = -(-len(sequences) // config.batch_size)
    planned = epoch_steps * config.max_epochs
    if config.max_steps is not None:
        if config.max_steps < 1:
            raise DataValidationError(f"max_steps must be at least 1, got {config.max_steps}")
        planned = min(planned, config.max_steps)
    started, step, epoch, tokens = time.perf_counter(), 0, 0, 0
    out_of_time = False
    encoder.train()
    while epoch < config.max_epochs and step < planned and not out_of_time:
        for batch in length_batches(sequences, config.batch_size, rng=rng):
            ids, mask = pad([sequences[i] for i in batch], pad_id=vocabulary.pad_id)
            corrupted, targets = mask_tokens(ids, mask, vocabulary=vocabulary, generator=generator)
            chosen = targets != -100
            if not chosen.any():
                continue
            hidden = encoder(corrupted, mask)[chosen]
            loss = nn.functional.cross_entropy(head(hidden), targets[chosen])
            elapsed = time.perf_counter() - started
            rate = min((step + 1) / config.warmup_steps, max(0.1, 1.0 - step / planned))  # steps, never time
            for group in optimizer.param_groups:
                group["lr"] = config.learning_rate * rate
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(parameters, 1.0)
            optimizer.step()
            losses.append(float(loss.detach()))
            step += 1
            tokens += int(mask.sum())
            if step % 200 == 0:
                logger.info("mlm step %d (%.0fs): loss %.3f", step, elapsed, np.mean(losses[-200:]))
            if step >= planned:
                break
            if elapsed > config.budget_seconds:
                out_of_time = True
                break
        epoch += 1
    encoder.set_dropout(model_config.dropout)
    encoder.eval()
    tenth = max(1, len(losses) // 10)
    facts = {
        "steps": float(step),
        "epochs": float(epoch),
        "seconds": time.perf_counter() - started,
        "tokens": float(tokens),
        "stopped": stop_reason(step, max_steps=config.max_steps, out_of_time=out_of_time, patience=False,
                               budget_seconds=config.budget_seconds, what="mlm"),
        "first_loss": float(np.mean(losses[:tenth])) if losses else float("nan"),
        "last_loss": float(np.mean(losses[-tenth:])) if losses else float("nan"),
    }
    return encoder, facts


@register_model("mlm")
class PretrainedEncoder(Artifact):
    """A small Transformer encoder and its vocabulary, pre-trained with the masked-language-model objective.

    Args:
        shape: encoder shape (its `vocab_size` is replaced by the built vocabulary's).
        vocabulary_size: most frequent tokens kept.
        pretraining: budget and optimiser settings (`dropout` applies while pre-training only).

    Example:
        >>> encoder = PretrainedEncoder(TransformerConfig(vocab_size=1, dim=128, layers=2, heads=2)).fit(texts)
        >>> encoder.encoder_, encoder.vocabulary_   # what `FineTunedSentiment(encoder=pretrained)` starts from
    """

    capability = "encoders"
    train_command = "llm4retail models pretrain"

    def __init__(
        self, shape: TransformerConfig, *, vocabulary_size: int = 12_000, pretraining: PretrainConfig | None = None
    ) -> None:
        self.shape = shape
        self.vocabulary_size = vocabulary_size
        self.pretraining = pretraining or PretrainConfig()
        self.encoder_: TransformerEncoder | None = None
        self.vocabulary_: Vocabulary | None = None
        self.facts_: dict[str, Any] = {}

    def fit(self, texts: list[str]) -> Self:
        """Builds the vocabulary of `texts` and pre-trains a fresh encoder on them.

        Raises:
            DataValidationError: empty corpus.
        """
        vocabulary = Vocabulary.build(texts, max_size=self.vocabulary_size, max_tokens=self.shape.max_positions)
        config = TransformerConfig(**{**self.shape.as_dict(), "vocab_size": len(vocabulary)})
        encoder, facts = pretrain_mlm(texts, vocabulary=vocabulary, model_config=config, config=self.pretraining)
        self.encoder_, self.vocabulary_ = encoder, vocabulary
        self.facts_ = {**facts, "corpus_texts": len(texts), "vocabulary": len(vocabulary),
                       "pretraining_dropout": self.pretraining.dropout, "unigram_bias": self.pretraining.unigram_bias}
        return self

    @property
    def config(self) -> TransformerConfig:
        """The fitted encoder's shape."""
        if self.encoder_ is None:
            raise NotFittedError("PretrainedEncoder is not fitted; call fit(texts) first")
        return self.encoder_.config

    def get_params(self) -> dict[str, Any]:
        return {"shape": self.shape.as_dict(), "vocabulary_size": self.vocabulary_size,
                "pretraining": asdict(self.pretraining)}

    def _state(self) -> ModelState:
        if self.encoder_ is None or self.vocabulary_ is None:
            raise NotFittedError("PretrainedEncoder is not fitted; call fit(texts) first")
        arrays = {key: value.detach().numpy() for key, value in self.encoder_.state_dict().items()}
        facts = {"config": self.encoder_.config.as_dict(), "pretraining": self.facts_,
                 "vocabulary": {"tokens": self.vocabulary_.tokens, "max_tokens": self.vocabulary_.max_tokens}}
        return ModelState(arrays=arrays, facts=facts)  # type: ignore[arg-type]

    @classmethod
    def _from_state(cls, params: dict[str, Any], state: ModelState) -> Self:
        model = cls(TransformerConfig(**params["shape"]), vocabulary_size=params["vocabulary_size"],
                    pretraining=PretrainConfig(**params["pretraining"]))
        facts = state.facts
        encoder = TransformerEncoder(TransformerConfig(**facts["config"]))
        encoder.load_state_dict(float_state(state.arrays))  # type: ignore[arg-type]
        model.encoder_ = encoder.eval()
        model.vocabulary_ = Vocabulary(facts["vocabulary"]["tokens"], max_tokens=int(facts["vocabulary"]["max_tokens"]))
        model.facts_ = dict(facts["pretraining"])
        return model
