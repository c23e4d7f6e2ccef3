"""Model building behind `llm4retail models finetune|compress`: fine-tuning and distillation of sentiment models.

Each workflow reads contract data, trains within a wall-clock budget and returns the
fitted models with a JSON-ready report; `ReviewService.finetune` and `ReviewService.compress`
publish them as versions of `<data-dir>/models/reviews`. Splits follow `llm4retail reviews
eval`: 20% of the reviews by id hash are held out as test, 10% of the rest is validation
(early stopping, choices), the rest trains.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.errors import DataValidationError
from llm4retail.models.threads import DEFAULT_TORCH_THREADS
from llm4retail.models.training import TrainConfig
from llm4retail.reviews.base import SentimentModel, SentimentTask
from llm4retail.reviews.data import hash_split, sentiment_labels, validation_split
from llm4retail.reviews.neural import EncoderKind, FineTunedSentiment

logger = logging.getLogger(__name__)
DEFAULT_THREADS = DEFAULT_TORCH_THREADS


def _splits(frame: pd.DataFrame, task: SentimentTask):  # type: ignore[no-untyped-def]
    data = sentiment_labels(frame, task)
    window, test = hash_split(data)
    fit_part, validation = validation_split(window)
    return fit_part, validation, test


def finetune_sentiment(
    frame: pd.DataFrame,
    *,
    encoder: EncoderKind,
    encoder_dir: Path | None = None,
    task: SentimentTask = SentimentTask.BINARY,
    budget_seconds: float = 600.0,
    max_train: int | None = None,
    threads: int = DEFAULT_THREADS,
) -> tuple[FineTunedSentiment, dict[str, Any]]:
    """Fine-tunes a classifier on the training part; returns it and its report with the test scores.

    Args:
        frame: reviews.
        encoder: use, pretrained or scratch.
        encoder_dir: the saved `PretrainedEncoder` (for `pretrained`).
        task: binary or stars.
        budget_seconds: fine-tuning wall-clock limit.
        max_train: subsample the training part to this many reviews (first by hash order).
        threads: torch threads.
    """
    fit_part, validation, test = _splits(frame, task)
    if max_train is not None and max_train < len(fit_part):
        fit_part = fit_part.subset(slice_of(len(fit_part), max_train))
    model = FineTunedSentiment(encoder=encoder, encoder_dir=encoder_dir, train=TrainConfig(budget_seconds=budget_seconds), threads=threads)
    started = time.perf_counter()
    model.fit(fit_part.texts, fit_part.labels, validation=(validation.texts, validation.labels))
    seconds = time.perf_counter() - started
    scores = model.evaluate(test.texts, test.labels)
    report = {"model": f"finetuned_{encoder.value}", "task": task.value, "test": scores, "n_train": len(fit_part),
              "fit_seconds": seconds, "facts": {k: v for k, v in model.facts_.items() if k != "history"}}
    return model, report


def slice_of(total: int, count: int) -> list[int]:
    """`count` evenly spread positions out of `total` (a deterministic subsample)."""
    if count <= 0:
        raise DataValidationError(f"subsample size must be positive, got {count}")
    step = total / count
    return sorted({int(i * step) for i in range(count)})


@dataclass(frozen=True)
class Compressed:
    """The distilled student, its int8 twin, the trade-off table and the distillation facts."""

    student: FineTunedSentiment
    quantised: FineTunedSentiment
    table: dict[str, dict[str, float]]
    facts: dict[str, float]


def compress_sentiment(
    frame: pd.DataFrame,
    teacher: SentimentModel,
    *,
    task: SentimentTask = SentimentTask.BINARY,
    student: EncoderKind = EncoderKind.BAG,
    encoder_dir: Path | None = None,
    budget_seconds: float = 600.0,
    temperature: float = 2.0,
    alpha: float = 0.7,
    speed_reviews: int = 256,
    threads: int = DEFAULT_THREADS,
) -> Compressed:
    """Distils the teacher (a saved sentiment model) into a small student, quantises it, measures the table.

    Args:
        frame: reviews (same split as the teacher's training).
        teacher: the fitted sentiment model to distil.
        task: binary or stars.
        student: bag (hashed n-grams), pretrained (our MLM encoder) or scratch (same Transformer, random weights).
        encoder_dir: the saved `PretrainedEncoder` of a `pretrained` student.
        budget_seconds: distillation wall-clock limit.
        temperature: KD temperature tau.
        alpha: KD weight alpha.
        speed_reviews: test reviews timed per batch size.
        threads: torch threads.
    """
    from llm4retail.reviews.compress import distill, student_train_config, tradeoff_table
    from llm4retail.reviews.tfidf import TfidfFeatures, TfidfSentiment

    fit_part, validation, test = _splits(frame, task)
    result = distill(
        teacher, fit_part.texts, fit_part.labels, validation=(validation.texts, validation.labels), student=student,
        encoder_dir=encoder_dir, train=student_train_config(student, budget_seconds=budget_seconds, temperature=temperature, alpha=alpha),
    )
    baseline = TfidfSentiment(features=TfidfFeatures.BOTH).fit(fit_part.texts, fit_part.labels, validation=(validation.texts, validation.labels))
    speed_texts = test.texts[:speed_reviews]
    table = tradeoff_table(
        {"baseline_tfidf": baseline, "teacher": teacher, "student": result.student, "student_int8": result.quantised},
        test.texts, test.labels, speed_texts=speed_texts, threads=threads, reference="teacher",
    )
    return Compressed(result.student, result.quantised, table, result.facts)


def read_reviews(paths: Sequence[Path]) -> pd.DataFrame:
    """Reviews of one or more files or dataset folders, concatenated."""
    from llm4retail.data.importer import read_table

    frames = [read_table(Path(path), Table.REVIEWS)[0] for path in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
