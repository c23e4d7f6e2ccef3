"""Supervised fine-tuning with a wall-clock budget, early stopping and optional knowledge distillation.

The loss is cross-entropy on the labels, or, with soft teacher probabilities,
the distillation loss of Hinton et al. (2015):
`alpha * tau^2 * KL(teacher_tau || student_tau) + (1 - alpha) * CE(student, labels)`,
where `_tau` means softmax at temperature tau (the tau^2 keeps the gradient
scale independent of tau).
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from llm4retail.errors import DataValidationError

logger = logging.getLogger(__name__)
Encode = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
MAX_VALIDATION_CHECK = 2000


class SequenceClassifier(nn.Module):
    """An encoder (ids, mask) -> vector, dropout and a linear head."""

    def __init__(self, encoder: nn.Module, n_classes: int, *, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(int(encoder.output_dim), n_classes)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Class logits, (batch, n_classes)."""
        encode = getattr(self.encoder, "sentence", self.encoder)
        return self.head(self.dropout(encode(ids, mask)))


def pad(sequences: list[list[int]], *, pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pads id lists into (ids, bool mask)."""
    length = max(1, max((len(sequence) for sequence in sequences), default=1))
    ids = torch.full((len(sequences), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), length), dtype=torch.bool)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = torch.tensor(sequence, dtype=torch.long)
        mask[row, : len(sequence)] = True
    return ids, mask


def length_batches(sequences: list[list[int]], batch_size: int, *, rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """Batches of positions of similar length (little padding), in random order when `rng` is given."""
    order = np.argsort([len(sequence) for sequence in sequences], kind="stable")
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


@torch.inference_mode()
def predict_logits(model: nn.Module, sequences: list[list[int]], *, batch_size: int = 64, pad_id: int = 0) -> np.ndarray:
    """Logits of `model` for every sequence, in input order."""
    model.eval()
    out: np.ndarray | None = None
    for batch in length_batches(sequences, batch_size):
        ids, mask = pad([sequences[i] for i in batch], pad_id=pad_id)
        logits = model(ids, mask).float().numpy()
        if out is None:
            out = np.zeros((len(sequences), logits.shape[1]), dtype=np.float32)
        out[batch] = logits
    if out is None:
        raise DataValidationError("nothing to predict: no sequences")
    return out


@dataclass
class TrainConfig:
    """Fine-tuning settings.

    Attributes:
        budget_seconds: a safety stop on the wall-clock time of the training loop (evaluation included); a run
            it ends reports `stopped == "time"` and depends on the machine's load. The budget proper is
            work: max_epochs and max_steps.
        max_epochs: passes over the data at most.
        max_steps: optimiser steps at most (None: max_epochs decides). The learning rate decays over
            min(max_epochs passes, max_steps) steps, whatever the time: the same seed gives the same model.
        batch_size: sequences per step.
        learning_rate: peak AdamW rate of the encoder (warm-up then linear decay over the planned steps).
        head_learning_rate: rate of the new head.
        weight_decay: AdamW decay.
        evaluate_every: steps between validation checks (also at each epoch end).
        patience: validation checks without improvement before stopping.
        temperature: distillation temperature tau.
        alpha: weight of the distillation term (1 - alpha on the hard labels).
        seed: random seed.
    """

    budget_seconds: float = 600.0
    max_epochs: int = 10
    max_steps: int | None = None
    batch_size: int = 32
    learning_rate: float = 1e-4
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    evaluate_every: int = 200
    patience: int = 4
    temperature: float = 2.0
    alpha: float = 0.7
    seed: int = 0
    history: list[dict[str, float]] = field(default_factory=list)


def stop_reason(
    step: int, *, max_steps: int | None, out_of_time: bool, patience: bool, budget_seconds: float, what: str
) -> str:
    """Why a training loop ended: "time" at the wall-clock safety stop (logged: such a result depends on the
    machine's load), "patience" on early stopping, "steps" at `max_steps`, else "epochs"."""
    if out_of_time:
        logger.warning("%s: safety stop after %d steps (budget_seconds=%s); the result depends on this machine's "
                       "load", what, step, budget_seconds)  # fmt: skip
        return "time"
    if patience:
        return "patience"
    return "steps" if max_steps is not None and step >= max_steps else "epochs"


def distillation_loss(
    logits: torch.Tensor, targets: torch.Tensor, teacher_probs: torch.Tensor | None, *, temperature: float, alpha: float
) -> torch.Tensor:
    """Cross-entropy, or the temperature-scaled KD loss when teacher probabilities are given."""
    hard = nn.functional.cross_entropy(logits, targets)
    if teacher_probs is None:
        return hard
    soft_teacher = nn.functional.softmax(torch.log(teacher_probs.clamp(min=1e-8)) / temperature, dim=-1)
    soft = nn.functional.kl_div(
        nn.functional.log_softmax(logits / temperature, dim=-1), soft_teacher, reduction="batchmean"
    )
    return alpha * temperature**2 * soft + (1.0 - alpha) * hard


def train_classifier(
    model: SequenceClassifier,
    sequences: list[list[int]],
    targets: np.ndarray,
    *,
    validation: tuple[list[list[int]], np.ndarray] | None,
    config: TrainConfig,
    teacher_probs: np.ndarray | None = None,
    pad_id: int = 0,
) -> dict[str, Any]:
    """Trains `model` in place and restores its best validation state.

    Args:
        model: classifier to train.
        sequences: token ids per example.
        targets: class index per example.
        validation: (sequences, class indices) for early stopping; None trains to the budget or epoch limit.
        config: the settings.
        teacher_probs: (n, n_classes) teacher probabilities for distillation, or None.
        pad_id: id of padding.

    Returns:
        `steps`, `epochs`, `seconds`, `best_validation_accuracy` (NaN without validation) and `stopped`: "steps"
        or "epochs" when the budget was spent, "patience" on early stopping, "time" at the safety stop.
    """
    if len(sequences) != len(targets) or not sequences:
        raise DataValidationError(f"sequences and targets must be non-empty and aligned: {len(sequences)} vs {len(targets)}")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    optimizer = torch.optim.AdamW(
        [
            {"params": list(model.encoder.parameters()), "lr": config.learning_rate},
            {"params": list(model.head.parameters()), "lr": config.head_learning_rate},
        ],
        weight_decay=config.weight_decay,
    )
    planned = config.max_epochs * int(np.ceil(len(sequences) / config.batch_size))
    if config.max_steps is not None:
        if config.max_steps < 1:
            raise DataValidationError(f"max_steps must be at least 1, got {config.max_steps}")
        planned = min(planned, config.max_steps)
    warmup = max(1, min(200, planned // 10))
    base_rates = [group["lr"] for group in optimizer.param_groups]
    for group, rate in zip(optimizer.param_groups, base_rates, strict=True):
        group["lr"] = rate / warmup
    if validation is not None and len(validation[0]) > MAX_VALIDATION_CHECK:
        # Early-stopping checks read an even subsample: scoring thousands of texts every few hundred steps
        # would eat the budget on a 2-core machine.
        keep = np.linspace(0, len(validation[0]) - 1, MAX_VALIDATION_CHECK).astype(int)
        validation = ([validation[0][i] for i in keep], np.asarray(validation[1])[keep])
    labels = torch.as_tensor(np.asarray(targets), dtype=torch.long)
    soft = None if teacher_probs is None else torch.as_tensor(teacher_probs, dtype=torch.float32)
    started, step, epoch = time.perf_counter(), 0, 0
    best_score, best_state, stale = -1.0, None, 0

    def check() -> bool:
        nonlocal best_score, best_state, stale
        if validation is None:
            return False
        logits = predict_logits(model, validation[0], pad_id=pad_id)
        score = float((logits.argmax(axis=1) == validation[1]).mean())
        config.history.append({"step": step, "seconds": time.perf_counter() - started, "validation_accuracy": score})
        logger.info("step %d (%.0fs): validation accuracy %.4f", step, time.perf_counter() - started, score)
        if score > best_score:
            best_score, best_state, stale = score, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
        model.train()
        return stale >= config.patience

    out_of_time = stop = finished = False
    while epoch < config.max_epochs and not (out_of_time or stop):
        model.train()
        for batch in length_batches(sequences, config.batch_size, rng=rng):
            ids, mask = pad([sequences[i] for i in batch], pad_id=pad_id)
            logits = model(ids, mask)
            index = torch.as_tensor(batch)
            loss = distillation_loss(
                logits, labels[index], None if soft is None else soft[index],
                temperature=config.temperature, alpha=config.alpha,
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            step += 1
            elapsed = time.perf_counter() - started
            # Warm-up, then linear decay to 5% over the planned steps (never over time: a busy machine must not
            # change the schedule).
            factor = min(step / warmup, max(0.05, 1.0 - step / planned))
            for group, rate in zip(optimizer.param_groups, base_rates, strict=True):
                group["lr"] = rate * factor
            out_of_time = elapsed > config.budget_seconds
            finished = step >= planned
            if out_of_time or finished or (step % config.evaluate_every == 0 and (stop := check())):
                break
        epoch += 1
        if finished and not stop:
            stop = True
            check()
        elif not (out_of_time or stop):
            stop = check()
    if out_of_time and not finished:
        check()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    stopped = stop_reason(step, max_steps=config.max_steps, out_of_time=out_of_time and not finished,
                          patience=stop and not finished, budget_seconds=config.budget_seconds, what="training")
    return {
        "steps": float(step),
        "epochs": float(epoch),
        "seconds": time.perf_counter() - started,
        "best_validation_accuracy": best_score if validation is not None else float("nan"),
        "stopped": stopped,
    }
