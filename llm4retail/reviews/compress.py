"""Distillation of a teacher into a small student, int8 quantisation, and the speed/size/accuracy table.

`distill` labels the training texts (and optional unlabelled transfer texts)
with the teacher's probabilities and trains a small Transformer student on the
KD loss (temperature tau, weight alpha; see `llm4retail.models.training`).
`tradeoff_table` measures every model on the same test set and the same
texts: accuracy, macro-F1, milliseconds per review at batch 1 and 64
(tokenisation included), reviews per second and size on disk.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from llm4retail.errors import DataValidationError
from llm4retail.models.quantize import directory_bytes
from llm4retail.models.threads import DEFAULT_TORCH_THREADS
from llm4retail.models.training import TrainConfig
from llm4retail.models.transformer import TransformerConfig
from llm4retail.models.use_encoder import package_resources
from llm4retail.reviews.base import SentimentModel, class_indices
from llm4retail.reviews.neural import EncoderKind, FineTunedSentiment

logger = logging.getLogger(__name__)
STUDENT_SHAPE = TransformerConfig(vocab_size=1, dim=128, layers=2, heads=2, feed_forward=512, max_positions=128)
SPEED_BATCHES = (1, 64)


@dataclass(frozen=True)
class DistillResult:
    """The student, its int8 twin and the training facts."""

    student: FineTunedSentiment
    quantised: FineTunedSentiment
    facts: dict[str, float]


def teacher_probabilities(teacher: SentimentModel, texts: Sequence[str], *, batch_size: int = 2048) -> np.ndarray:
    """The teacher's class probabilities over `texts`, in chunks."""
    parts = [teacher.predict_proba(list(texts[start : start + batch_size])) for start in range(0, len(texts), batch_size)]
    return np.concatenate(parts) if parts else np.zeros((0, len(teacher._fitted_classes())))


def distill(
    teacher: SentimentModel,
    texts: Sequence[str],
    labels: np.ndarray,
    *,
    validation: tuple[Sequence[str], np.ndarray],
    student: EncoderKind = EncoderKind.BAG,
    encoder_dir: Path | None = None,
    shape: TransformerConfig = STUDENT_SHAPE,
    train: TrainConfig | None = None,
    transfer_texts: Sequence[str] = (),
) -> DistillResult:
    """Trains a student on the teacher's soft labels, then quantises it.

    Args:
        teacher: fitted model whose probabilities are the soft targets.
        texts: labelled training texts.
        labels: their labels (the hard-label term of the KD loss).
        validation: texts and labels for early stopping.
        student: `bag` (hashed n-grams), `pretrained` (our MLM encoder in `encoder_dir`) or `scratch` (`shape`).
        encoder_dir: the pre-trained small encoder, for `pretrained`.
        shape: the Transformer student's shape for `scratch`.
        train: budget, rates, tau and alpha (default: the student kind's `student_train_config`).
        transfer_texts: unlabelled texts the teacher labels too (their hard label is the teacher's argmax).
    """
    if student is EncoderKind.USE:
        raise DataValidationError("the USE encoder is the teacher's size; distil into bag, pretrained or scratch")
    classes = teacher._fitted_classes()
    all_texts = list(texts) + list(transfer_texts)
    probabilities = teacher_probabilities(teacher, all_texts)
    hard = np.concatenate([np.asarray(labels), classes[probabilities[len(texts):].argmax(axis=1)]]) if transfer_texts else np.asarray(labels)
    model = FineTunedSentiment(
        encoder=student, encoder_dir=encoder_dir, scratch_config=shape, train=train or student_train_config(student)
    )
    if not np.array_equal(np.unique(hard), classes):
        raise DataValidationError(f"the teacher's classes {classes.tolist()} differ from the labels' {np.unique(hard).tolist()}")
    class_indices(hard, classes)
    started = time.perf_counter()
    model.fit(all_texts, hard, validation=validation, teacher_probs=probabilities)
    facts = {"distill_seconds": time.perf_counter() - started, "transfer_texts": float(len(transfer_texts)),
             "student_steps": model.facts_["steps"], "student_best_validation_accuracy": model.facts_["best_validation_accuracy"]}
    return DistillResult(model, model.quantized(), facts)


def student_train_config(student: EncoderKind, *, budget_seconds: float = 600.0, temperature: float = 2.0, alpha: float = 0.7) -> TrainConfig:
    """Rates suited to each student: the n-gram bag learns fast with large steps, a Transformer needs smaller ones."""
    if student is EncoderKind.BAG:
        return TrainConfig(budget_seconds=budget_seconds, max_epochs=8, batch_size=64, learning_rate=5e-3, head_learning_rate=5e-3,
                           evaluate_every=300, temperature=temperature, alpha=alpha)
    return TrainConfig(budget_seconds=budget_seconds, learning_rate=5e-4, head_learning_rate=2e-3, evaluate_every=300,
                       temperature=temperature, alpha=alpha)


def size_on_disk(model: SentimentModel) -> int:
    """Bytes of the saved model, plus the package weights a USE-based model references."""
    with tempfile.TemporaryDirectory() as folder:
        model.save(Path(folder) / "model")
        size = directory_bytes(Path(folder) / "model")
    if _uses_package_weights(model):
        size += package_resources()[0].stat().st_size
    return size


def _uses_package_weights(model: SentimentModel) -> bool:
    members = getattr(model, "members", None)
    if members:
        return any(_uses_package_weights(member) for member in members.values())
    return model.model_type == "reviews.use_frozen" or getattr(model, "encoder", None) is EncoderKind.USE


def milliseconds_per_review(model: SentimentModel, texts: Sequence[str], *, batch_size: int, repeats: int = 1) -> float:
    """Wall-clock milliseconds per review of `predict_proba` over `texts` in batches (tokenisation included)."""
    model.predict_proba(list(texts[: min(len(texts), batch_size)]))  # warm-up: lazy loads, allocator
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for start in range(0, len(texts), batch_size):
            model.predict_proba(list(texts[start : start + batch_size]))
        best = min(best, (time.perf_counter() - started) / len(texts) * 1000.0)
    return best


def tradeoff_table(
    models: dict[str, SentimentModel],
    test_texts: Sequence[str],
    test_labels: np.ndarray,
    *,
    speed_texts: Sequence[str],
    threads: int = DEFAULT_TORCH_THREADS,
    reference: str | None = None,
) -> dict[str, dict[str, float]]:
    """Accuracy, macro-F1, ms/review at batch 1 and 64, reviews/s (batch 64), MB on disk, per model.

    Speeds are measured one model after another on the same `speed_texts`, with
    `threads` torch threads; `speedup_vs_<reference>` divides the reference's
    batch-1 time by each model's (a ratio is robust to the shared machine's load).
    """
    table: dict[str, dict[str, float]] = {}
    for name, model in models.items():
        if isinstance(model, FineTunedSentiment):
            model.threads = threads
        scores = model.evaluate(list(test_texts), test_labels)
        row = {"accuracy": scores["accuracy"], "macro_f1": scores["macro_f1"]}
        for batch in SPEED_BATCHES:
            row[f"ms_per_review_batch{batch}"] = milliseconds_per_review(model, speed_texts, batch_size=batch, repeats=2)
        row["reviews_per_second"] = 1000.0 / row["ms_per_review_batch64"]
        row["size_mb"] = size_on_disk(model) / 1e6
        table[name] = row
        logger.info("%s: %s", name, row)
    if reference is not None and reference in table:
        base = table[reference]["ms_per_review_batch1"]
        for row in table.values():
            row[f"speedup_vs_{reference}"] = base / row["ms_per_review_batch1"]
    return table
