"""Contrastive fine-tuning of a sentence encoder on a few labelled texts (SetFit-style).

SetFit (Tunstall et al., 2022) fine-tunes a pre-trained sentence encoder on pairs of
labelled texts, pulling the cosine of two texts of one class towards 1 and of two
classes towards 0, then fits a logistic-regression head on the tuned embeddings. With
a handful of examples per class this beats both a frozen encoder and n-gram models,
because the pairs multiply the training signal (n texts give n^2 pairs).

Here the pairs are formed inside each batch rather than drawn one by one: a batch holds
`classes_per_batch` classes with `per_class` texts each, and every pair in it is a
training pair (same class: target 1; different classes: target 0), the positive and
negative pairs weighted equally as in SetFit's balanced sampling. One batch of 64 texts
so yields ~2,000 pairs for the cost of encoding 64 texts once. The budget is a number
of optimiser steps (never time), so a seed gives the same encoder on an idle or a busy
machine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from llm4retail.errors import DataValidationError
from llm4retail.models.threads import DEFAULT_TORCH_THREADS, torch_threads
from llm4retail.models.training import length_batches
from llm4retail.models.use_encoder import UseEncoder, UseTokenizer, pad_batch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContrastiveConfig:
    """Settings of the contrastive fine-tuning.

    Args:
        steps: optimiser steps (the whole budget; the learning rate warms up over the first
            tenth and decays linearly to zero).
        classes_per_batch: classes drawn for each batch (all of them when there are fewer).
        per_class: texts drawn per class and batch (with replacement only for classes smaller than that).
        learning_rate: AdamW peak rate.
        weight_decay: AdamW decay.
        max_tokens: input length limit.
        seed: seed of the batch draws and of torch.
        threads: torch threads (see `llm4retail.models.threads`).
    """

    steps: int = 150
    classes_per_batch: int = 16
    per_class: int = 4
    learning_rate: float = 1e-4
    weight_decay: float = 0.01
    max_tokens: int = 64
    seed: int = 0
    threads: int = DEFAULT_TORCH_THREADS

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain values (saved with a model)."""
        return asdict(self)


def class_batches(labels: np.ndarray, *, steps: int, classes_per_batch: int, per_class: int,
                  rng: np.random.Generator) -> list[np.ndarray]:
    """`steps` batches of row positions: `classes_per_batch` classes × `per_class` rows each.

    Classes are visited in shuffled rounds so that each is drawn about equally often, and a
    class's rows are drawn without replacement until they run out.

    Raises:
        DataValidationError: fewer than two classes (no negative pair can be formed).
    """
    classes, inverse = np.unique(labels, return_inverse=True)
    if len(classes) < 2:
        raise DataValidationError(f"contrastive fine-tuning needs at least two classes, got {len(classes)}")
    members = [np.flatnonzero(inverse == index) for index in range(len(classes))]
    width = min(classes_per_batch, len(classes))
    queue: list[int] = []
    batches = []
    for _ in range(steps):
        if len(queue) < width:
            queue += rng.permutation(len(classes)).tolist()
        chosen, queue = queue[:width], queue[width:]
        rows = [rng.choice(members[c], size=per_class, replace=len(members[c]) < per_class) for c in chosen]
        batches.append(np.concatenate(rows))
    return batches


def pair_loss(vectors: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """SetFit's cosine-similarity loss over every pair of the batch: mean squared error between the
    cosine of two vectors and 1 (same class) or 0 (different classes), positive and negative pairs
    weighted half each. A batch without positive pairs counts its negatives alone."""
    unit = functional.normalize(vectors, dim=1)
    cosine = unit @ unit.T
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    off_diagonal = ~torch.eye(len(labels), dtype=torch.bool)
    positive, negative = same & off_diagonal, ~same
    negative_loss = (cosine[negative] ** 2).mean()
    if not positive.any():
        return negative_loss
    return 0.5 * ((cosine[positive] - 1.0) ** 2).mean() + 0.5 * negative_loss


def fine_tune(encoder: nn.Module, sequences: list[list[int]], labels: Sequence[Any],
              config: ContrastiveConfig) -> dict[str, Any]:
    """Tunes `encoder` in place on the labelled token sequences.

    Args:
        encoder: a module mapping (ids, mask) to sentence vectors.
        sequences: token ids per text.
        labels: class per text.
        config: budget and rates.

    Returns:
        `steps`, `seconds`, `first_loss` (mean of the first tenth of steps) and `last_loss` (of the last tenth).

    Raises:
        DataValidationError: misaligned inputs or a budget below one step.
    """
    if len(sequences) != len(labels) or not sequences:
        raise DataValidationError(f"sequences and labels must be non-empty and aligned, got {len(sequences)} and {len(labels)}")
    if config.steps < 1:
        raise DataValidationError(f"steps must be at least 1, got {config.steps}")
    targets = np.unique(np.asarray([str(label) for label in labels]), return_inverse=True)[1]
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    batches = class_batches(targets, steps=config.steps, classes_per_batch=config.classes_per_batch,
                            per_class=config.per_class, rng=rng)
    trainable = [parameter for parameter in encoder.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=config.weight_decay)
    warmup = max(1, config.steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (config.steps - step) / max(1, config.steps - warmup)))
    )
    losses = []
    started = time.perf_counter()
    encoder.train()
    with torch_threads(config.threads):
        for rows in batches:
            ids, mask = pad_batch([sequences[row][: config.max_tokens] for row in rows])
            loss = pair_loss(encoder(ids, mask), torch.as_tensor(targets[rows]))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
    encoder.eval()
    tenth = max(1, len(losses) // 10)
    facts = {"steps": len(losses), "seconds": round(time.perf_counter() - started, 2),
             "first_loss": float(np.mean(losses[:tenth])), "last_loss": float(np.mean(losses[-tenth:]))}
    logger.info("contrastive fine-tuning: %s", facts)
    return facts


class UseEmbedder:
    """Texts -> L2-normalised vectors of a (tuned) `UseEncoder`, for a logistic-regression head.

    Args:
        encoder: the encoder (the package's weights when None).
        max_tokens: input length limit.
        threads: torch threads for inference.
    """

    def __init__(self, encoder: UseEncoder | None = None, *, max_tokens: int = 64,
                 threads: int = DEFAULT_TORCH_THREADS) -> None:
        self.encoder = encoder if encoder is not None else UseEncoder.from_package()
        self.tokenizer = UseTokenizer(max_tokens=max_tokens)
        self.threads = threads

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids per text."""
        return self.tokenizer.encode(list(texts))

    def fit(self, texts: Sequence[str], labels: Sequence[Any], config: ContrastiveConfig) -> dict[str, Any]:
        """Contrastive fine-tuning of the encoder on the labelled texts (see `fine_tune`)."""
        return fine_tune(self.encoder, self.tokenize(texts), labels, config)

    @torch.inference_mode()
    def __call__(self, texts: Sequence[str], *, batch_size: int = 128) -> np.ndarray:
        sequences = self.tokenize(texts)
        out = np.zeros((len(sequences), self.encoder.output_dim), dtype=np.float32)
        self.encoder.eval()
        with torch_threads(self.threads):
            for rows in length_batches(sequences, batch_size):
                ids, mask = pad_batch([sequences[row] for row in rows])
                out[rows] = functional.normalize(self.encoder(ids, mask), dim=1).numpy()
        return out
