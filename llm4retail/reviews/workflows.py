"""End-to-end model building behind `llm4retail models pretrain|finetune|compress` and `catalog train`.

Each workflow reads contract data, trains within a wall-clock budget, saves a
new version under `<data_dir>/models/<family>/` and returns a JSON-ready report.
Splits follow `eval sentiment`: 20% of the reviews by id hash are held out as
test, 10% of the rest is validation (early stopping, choices), the rest trains.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.errors import DataValidationError
from llm4retail.models.registry import ModelRegistry
from llm4retail.models.threads import DEFAULT_TORCH_THREADS
from llm4retail.models.training import TrainConfig
from llm4retail.models.transformer import TransformerConfig
from llm4retail.models.vocab import Vocabulary
from llm4retail.reviews.base import SentimentTask
from llm4retail.reviews.blend import load_sentiment_model
from llm4retail.reviews.data import hash_split, sentiment_labels, validation_split
from llm4retail.reviews.neural import EncoderKind, FineTunedSentiment, save_pretrained_encoder

logger = logging.getLogger(__name__)
DEFAULT_THREADS = DEFAULT_TORCH_THREADS


def pretrain_encoder(
    texts: list[str],
    *,
    data_dir: Path,
    shape: TransformerConfig,
    budget_seconds: float,
    vocabulary_size: int = 12_000,
    threads: int = DEFAULT_THREADS,
    dropout: float = 0.0,
    unigram_bias: bool = True,
) -> dict[str, Any]:
    """MLM pre-training on `texts`; saves a version of `models/encoders`.

    Args:
        texts: unlabelled corpus (see `llm4retail.models.corpus`).
        data_dir: data directory.
        shape: encoder shape (vocab_size is replaced by the built vocabulary's).
        budget_seconds: wall-clock limit of the training loop.
        vocabulary_size: most frequent tokens kept.
        threads: torch threads.
        dropout: dropout while pre-training (the saved encoder keeps `shape.dropout` for fine-tuning).
        unigram_bias: start the MLM output bias at the corpus' log unigram frequencies.
    """
    from llm4retail.models.pretrain import PretrainConfig, pretrain_mlm

    vocabulary = Vocabulary.build(texts, max_size=vocabulary_size, max_tokens=shape.max_positions)
    config = TransformerConfig(**{**shape.as_dict(), "vocab_size": len(vocabulary)})
    encoder, facts = pretrain_mlm(texts, vocabulary=vocabulary, model_config=config, config=PretrainConfig(
        budget_seconds=budget_seconds, threads=threads, dropout=dropout, unigram_bias=unigram_bias))
    registry = ModelRegistry(data_dir, "encoders")
    directory = registry.new_version()
    facts = {**facts, "corpus_texts": len(texts), "vocabulary": len(vocabulary), "pretraining_dropout": dropout,
             "unigram_bias": unigram_bias}
    save_pretrained_encoder(directory, encoder, vocabulary, facts)
    version = registry.publish(directory, report={"config": config.as_dict(), **facts})
    return {"version": version, "directory": str(directory), "config": config.as_dict(), **facts}


def _splits(frame: pd.DataFrame, task: SentimentTask):  # type: ignore[no-untyped-def]
    data = sentiment_labels(frame, task)
    window, test = hash_split(data)
    fit_part, validation = validation_split(window)
    return fit_part, validation, test


def finetune_sentiment(
    frame: pd.DataFrame,
    *,
    data_dir: Path,
    encoder: EncoderKind,
    task: SentimentTask = SentimentTask.BINARY,
    encoder_version: str | None = None,
    budget_seconds: float = 600.0,
    max_train: int | None = None,
    threads: int = DEFAULT_THREADS,
) -> dict[str, Any]:
    """Fine-tunes a classifier on the training part; saves it to `models/sentiment`; reports test scores.

    Args:
        frame: reviews.
        data_dir: data directory (the pre-trained encoder is read from `models/encoders`).
        encoder: use, pretrained or scratch.
        task: binary or stars.
        encoder_version: which pre-trained encoder (default LATEST).
        budget_seconds: fine-tuning wall-clock limit.
        max_train: subsample the training part to this many reviews (first by hash order).
        threads: torch threads.
    """
    fit_part, validation, test = _splits(frame, task)
    if max_train is not None and max_train < len(fit_part):
        fit_part = fit_part.subset(slice_of(len(fit_part), max_train))
    encoder_dir = ModelRegistry(data_dir, "encoders").resolve(encoder_version) if encoder is EncoderKind.PRETRAINED else None
    model = FineTunedSentiment(encoder=encoder, encoder_dir=encoder_dir, train=TrainConfig(budget_seconds=budget_seconds), threads=threads)
    started = time.perf_counter()
    model.fit(fit_part.texts, fit_part.labels, validation=(validation.texts, validation.labels))
    seconds = time.perf_counter() - started
    scores = model.evaluate(test.texts, test.labels)
    registry = ModelRegistry(data_dir, "sentiment")
    directory = registry.new_version()
    model.save(directory)
    report = {"model": f"finetuned_{encoder.value}", "task": task.value, "test": scores, "n_train": len(fit_part),
              "fit_seconds": seconds, "facts": {k: v for k, v in model.facts_.items() if k != "history"}}
    report["version"] = registry.publish(directory, report=report)
    return report


def slice_of(total: int, count: int) -> list[int]:
    """`count` evenly spread positions out of `total` (a deterministic subsample)."""
    if count <= 0:
        raise DataValidationError(f"subsample size must be positive, got {count}")
    step = total / count
    return sorted({int(i * step) for i in range(count)})


def compress_sentiment(
    frame: pd.DataFrame,
    *,
    data_dir: Path,
    task: SentimentTask = SentimentTask.BINARY,
    teacher_version: str | None = None,
    student: EncoderKind = EncoderKind.BAG,
    student_encoder_version: str | None = None,
    budget_seconds: float = 600.0,
    temperature: float = 2.0,
    alpha: float = 0.7,
    speed_reviews: int = 256,
    threads: int = DEFAULT_THREADS,
) -> dict[str, Any]:
    """Distils the teacher (a saved sentiment model) into a small student, quantises it, measures the table.

    Saves the student and the int8 student as new versions of `models/sentiment` (the int8 one LATEST).

    Args:
        frame: reviews (same split as the teacher's training).
        data_dir: data directory.
        task: binary or stars.
        teacher_version: saved sentiment model to distil (default LATEST).
        student: bag (hashed n-grams), pretrained (our MLM encoder) or scratch (same Transformer, random weights).
        student_encoder_version: pre-trained encoder of a `pretrained` student (default LATEST).
        budget_seconds: distillation wall-clock limit.
        temperature: KD temperature tau.
        alpha: KD weight alpha.
        speed_reviews: test reviews timed per batch size.
        threads: torch threads.
    """
    from llm4retail.reviews.compress import distill, student_train_config, tradeoff_table

    fit_part, validation, test = _splits(frame, task)
    sentiment = ModelRegistry(data_dir, "sentiment")
    teacher_dir = sentiment.resolve(teacher_version)
    teacher = load_sentiment_model(teacher_dir)
    encoder_dir = ModelRegistry(data_dir, "encoders").resolve(student_encoder_version) if student is EncoderKind.PRETRAINED else None
    result = distill(
        teacher, fit_part.texts, fit_part.labels, validation=(validation.texts, validation.labels), student=student,
        encoder_dir=encoder_dir, train=student_train_config(student, budget_seconds=budget_seconds, temperature=temperature, alpha=alpha),
    )
    from llm4retail.reviews.tfidf import TfidfFeatures, TfidfSentiment

    baseline = TfidfSentiment(features=TfidfFeatures.BOTH).fit(fit_part.texts, fit_part.labels, validation=(validation.texts, validation.labels))
    speed_texts = test.texts[:speed_reviews]
    table = tradeoff_table(
        {"baseline_tfidf": baseline, "teacher": teacher, "student": result.student, "student_int8": result.quantised},
        test.texts, test.labels, speed_texts=speed_texts, threads=threads, reference="teacher",
    )
    versions = {}
    for name, model in (("student", result.student), ("student_int8", result.quantised)):
        directory = sentiment.new_version()
        model.save(directory)
        versions[name] = sentiment.publish(directory, report={"model": name, "teacher": teacher_dir.name, **table[name]})
    return {"teacher": teacher_dir.name, "student": student.value, "student_encoder": str(encoder_dir) if encoder_dir else None,
            "versions": versions, "table": table, **result.facts}


def read_reviews(paths: Sequence[Path]) -> pd.DataFrame:
    """Reviews of one or more files or dataset folders, concatenated."""
    from llm4retail.data.importer import read_table

    frames = [read_table(Path(path), Table.REVIEWS)[0] for path in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
