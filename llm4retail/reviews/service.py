"""Review analytics over a store: train sentiment models into the model store, then analyse and summarise.

Training is explicit (`llm4retail reviews train`, or `serve` at start-up when no version is
saved, which fits the quick TF-IDF model); serving loads the `LATEST` version of
`<data-dir>/models/reviews` once and never trains: without a saved model it raises
`NotTrainedError` naming the train command. Every path that saves a sentiment model
(`reviews train`, `reviews eval --save`, `models finetune`, `models compress`) ends in
`ReviewService.publish`. The pre-trained encoders of `llm4retail models pretrain` are versioned
beside them in `<data-dir>/models/encoders`.

Example:
    >>> service = Services(get_settings(data_dir="store")).reviews
    >>> service.train()["model"]
    'use_finetuned'
    >>> service.analyze(["质量很好，但是物流太慢"])["results"][0]["sentiment"]
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from llm4retail.artifacts import ModelStore, data_fingerprint
from llm4retail.artifacts.model import META_FILE
from llm4retail.artifacts.store import MODEL_FOLDER
from llm4retail.capability import CapabilityService
from llm4retail.config import Settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import ArtifactFormatError, DataValidationError
from llm4retail.eval import EvalReport
from llm4retail.models.pretrain import PretrainConfig, PretrainedEncoder
from llm4retail.models.transformer import TransformerConfig
from llm4retail.reviews.analytics import review_analytics
from llm4retail.reviews.aspects import analyze_aspects
from llm4retail.reviews.base import SentimentModel, SentimentTask
from llm4retail.reviews.evaluate import DEFAULT_BUDGET_SECONDS, Candidate, evaluate_sentiment
from llm4retail.reviews.neural import EncoderKind
from llm4retail.reviews.summary import ProductSummary, summarize_reviews
from llm4retail.reviews.text import language
from llm4retail.reviews.training import DEFAULT_CANDIDATES, START_CANDIDATES, train_sentiment
from llm4retail.reviews.workflows import DEFAULT_THREADS, compress_sentiment, finetune_sentiment

if TYPE_CHECKING:
    from llm4retail.container import Services

logger = logging.getLogger(__name__)
MAX_REVIEWS_PER_SUMMARY = 2000
ENCODERS = "encoders"  # the capability folder of the pre-trained encoders
OLD_SENTIMENT_FOLDER = "sentiment"  # where sentiment models lived before the shared model store


class ReviewService(CapabilityService):
    """Trains, versions and serves the sentiment model of one store: analysis, aspects, summaries.

    Args:
        settings: the one `Settings` (`settings.llm` configures the summaries' synthesis).
        store: the store whose `reviews` table trains the model and whose products are summarised.
        services: the container (unused; the shared constructor).
    """

    capability = "reviews"
    train_command = "llm4retail reviews train"

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        super().__init__(settings, store, services=services)
        self._model: SentimentModel | None = None
        self._version: str | None = None
        self._analytics: tuple[tuple[str, str], dict[str, Any]] | None = None  # (model, reviews fingerprint), report

    @property
    def encoders(self) -> ModelStore:
        """The versioned pre-trained encoders (`llm4retail models pretrain`)."""
        return ModelStore(self.settings.models_dir, ENCODERS, train_command=PretrainedEncoder.train_command,
                          keep=self.settings.models.keep_versions)  # fmt: skip

    def store_reviews(self) -> pd.DataFrame:
        """The store's reviews table."""
        return self.store.read_frame(Table.REVIEWS)

    # -- training: every saved sentiment model goes through publish --------------------------------
    def publish(
        self, model: SentimentModel, report: dict[str, Any], *, data_hash: str | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> str:  # fmt: skip
        """Saves `model` with its report as a new version, serves it from now on; returns the version.

        `train`, `evaluate(save=True)`, `finetune` and `compress` end here; a benchmark may publish
        a model it fitted itself.
        """
        version = self.models.save(model, report=report, data_hash=data_hash, metrics=metrics)
        with self.lock:
            self._model, self._version = None, None  # the next request loads the new LATEST
        logger.info("published sentiment model %s (%s)", version, report.get("model", type(model).__name__))
        return version

    def train(
        self,
        reviews: pd.DataFrame | None = None,
        *,
        task: SentimentTask = SentimentTask.BINARY,
        candidates: Sequence[Candidate] = DEFAULT_CANDIDATES,
        budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    ) -> dict[str, Any]:
        """Fits the candidates on all labelled reviews (10% validate), publishes the best; returns the report.

        Args:
            reviews: labelled reviews (default: the store's `reviews` table).
            task: binary or stars.
            candidates: models to compare.
            budget_seconds: wall-clock cap of each fine-tuning run.

        Raises:
            DataValidationError: there are no reviews, or none carries a usable label or rating.
        """
        frame = self.store_reviews() if reviews is None else reviews
        if frame.empty:
            raise DataValidationError(
                "no reviews to train the sentiment model on: import a reviews file (llm4retail data import) "
                "or pass --train"
            )
        trained = train_sentiment(frame, task=task, candidates=candidates, budget_seconds=budget_seconds)
        report = dict(trained.report)
        report["version"] = self.publish(trained.model, trained.report, data_hash=trained.data_hash,
                                         metrics=trained.metrics)  # fmt: skip
        return report

    def train_on_start(self) -> dict[str, Any]:
        """The quick default `serve` trains when nothing is saved: TF-IDF on the store's reviews (seconds)."""
        return self.train(candidates=START_CANDIDATES)

    def evaluate(
        self,
        train: pd.DataFrame,
        test: pd.DataFrame | None = None,
        *,
        task: SentimentTask = SentimentTask.BINARY,
        dataset: str,
        candidates: Sequence[Candidate] = tuple(Candidate),
        budget_seconds: float = DEFAULT_BUDGET_SECONDS,
        save: bool = False,
    ) -> EvalReport:
        """`llm4retail reviews eval` (see `evaluate_sentiment`); with `save`, the best model is published."""
        return evaluate_sentiment(train, test, task=task, dataset=dataset, candidates=candidates,
                                  budget_seconds=budget_seconds, publish=self.publish if save else None)  # fmt: skip

    def pretrain(
        self,
        texts: list[str],
        *,
        shape: TransformerConfig,
        budget_seconds: float,
        vocabulary_size: int = 12_000,
        threads: int = DEFAULT_THREADS,
        dropout: float = 0.0,
        unigram_bias: bool = True,
    ) -> dict[str, Any]:
        """MLM pre-training of a small encoder on `texts`, saved as a version of `models/encoders`.

        Args:
            texts: unlabelled corpus (see `llm4retail.models.corpus`).
            shape: encoder shape (vocab_size is replaced by the built vocabulary's).
            budget_seconds: wall-clock limit of the training loop.
            vocabulary_size: most frequent tokens kept.
            threads: torch threads.
            dropout: dropout while pre-training (the saved encoder keeps `shape.dropout` for fine-tuning).
            unigram_bias: start the MLM output bias at the corpus' log unigram frequencies.
        """
        config = PretrainConfig(budget_seconds=budget_seconds, threads=threads, dropout=dropout, unigram_bias=unigram_bias)
        encoder = PretrainedEncoder(shape, vocabulary_size=vocabulary_size, pretraining=config).fit(texts)
        report = {"config": encoder.config.as_dict(), **encoder.facts_}
        version = self.encoders.save(encoder, report=report, data_hash=data_fingerprint(texts))
        return {"version": version, "directory": str(self.encoders.path(version)), **report}

    def finetune(
        self,
        reviews: pd.DataFrame,
        *,
        encoder: EncoderKind,
        task: SentimentTask = SentimentTask.BINARY,
        encoder_version: str | None = None,
        budget_seconds: float = 600.0,
        max_train: int | None = None,
        threads: int = DEFAULT_THREADS,
    ) -> dict[str, Any]:
        """`llm4retail models finetune`: fine-tunes an encoder + head (see `finetune_sentiment`) and publishes it."""
        encoder_dir = self.encoder_folder(encoder_version) if encoder is EncoderKind.PRETRAINED else None
        model, report = finetune_sentiment(reviews, encoder=encoder, encoder_dir=encoder_dir, task=task,
                                           budget_seconds=budget_seconds, max_train=max_train, threads=threads)  # fmt: skip
        report["version"] = self.publish(model, dict(report), metrics=report["test"])
        return report

    def compress(
        self,
        reviews: pd.DataFrame,
        *,
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
        """`llm4retail models compress`: distils a saved model (default LATEST) into a student and its int8 twin.

        Both are published (the int8 one last, so it becomes LATEST); the report holds the trade-off table.

        Raises:
            NotTrainedError: no teacher is saved (the message names the train command).
        """
        self._refuse_old_folders()
        teacher_name = teacher_version or self.models.latest()
        teacher = self.models.load(teacher_name, expected=SentimentModel)
        encoder_dir = self.encoder_folder(student_encoder_version) if student is EncoderKind.PRETRAINED else None
        result = compress_sentiment(
            reviews, teacher, task=task, student=student, encoder_dir=encoder_dir, budget_seconds=budget_seconds,
            temperature=temperature, alpha=alpha, speed_reviews=speed_reviews, threads=threads,
        )
        versions = {
            name: self.publish(model, {"model": name, "teacher": teacher_name, **result.table[name]})
            for name, model in (("student", result.student), ("student_int8", result.quantised))
        }
        return {"teacher": teacher_name, "student": student.value, "student_encoder": str(encoder_dir) if encoder_dir else None,
                "versions": versions, "table": result.table, **result.facts}  # fmt: skip

    def encoder_folder(self, version: str | None = None) -> Path:
        """The saved `PretrainedEncoder` of `version` (default LATEST) of `models/encoders`.

        Raises:
            NotTrainedError: none is saved (run `llm4retail models pretrain`).
            ArtifactFormatError: the version was written before the shared model format.
        """
        folder = self.encoders.path(version)
        if not (folder / MODEL_FOLDER).is_dir() and (folder / META_FILE).is_file():
            raise ArtifactFormatError(
                f"{folder} holds an encoder saved by an earlier llm4retail, before the shared model format; "
                f"retrain with `{PretrainedEncoder.train_command}`"
            )
        return folder / MODEL_FOLDER

    # -- serving: loads LATEST once, never trains ------------------------------------------------------
    def warm_up(self) -> None:
        """Loads the LATEST model now rather than on the first request (never trains)."""
        self.model()

    def model(self) -> SentimentModel:
        """The served sentiment model: the `LATEST` version, loaded once.

        Raises:
            NotTrainedError: no version is saved (run `llm4retail reviews train`).
            ArtifactFormatError: only models of an earlier llm4retail are saved (retrain).
        """
        with self.lock:
            if self._model is None:
                self._refuse_old_folders()
                version = self.models.latest()
                self._model = self.models.load(version, expected=SentimentModel)
                self._version = version
            return self._model

    def model_name(self) -> str:
        """`reviews/<version>` of the served model (loads it)."""
        with self.lock:
            self.model()
            return f"{self.capability}/{self._version}"

    def _refuse_old_folders(self) -> None:
        old = self.settings.models_dir / OLD_SENTIMENT_FOLDER
        if self.models.latest() is None and old.is_dir():
            raise ArtifactFormatError(
                f"{old} holds sentiment models of an earlier llm4retail, which are no longer read "
                f"(versions now live in {self.models.root}); retrain with `{self.train_command}`"
            )

    def positive_probability(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) per text from the served model (stars are mapped linearly onto [0, 1]).

        Raises:
            NotTrainedError: no version is saved (run `llm4retail reviews train`).
        """
        model = self.model()
        if len(texts) == 0:
            return np.zeros(0)
        classes = model._fitted_classes()
        probabilities = model.predict_proba(list(texts))
        if set(classes.tolist()) == {0, 1}:
            return probabilities[:, list(classes).index(1)]
        return probabilities @ ((classes - classes.min()) / max(1, classes.max() - classes.min()))  # stars -> [0, 1]

    def analyze(self, texts: Sequence[str]) -> dict[str, Any]:
        """Sentiment and aspect mentions of each text.

        Raises:
            DataValidationError: no text given.
            NotTrainedError: no version is saved (run `llm4retail reviews train`).
        """
        if not texts:
            raise DataValidationError("give at least one review text")
        name = self.model_name()
        positive = self.positive_probability(texts)
        mentions = self.aspects(texts)
        results = [
            {
                "text": text, "language": language(text), "positive_probability": float(p),
                "sentiment": "positive" if p >= 0.5 else "negative",
                "aspects": [mention.as_dict() for mention in found],
            }
            for text, p, found in zip(texts, positive, mentions, strict=True)
        ]
        return {"model": name, "results": results}

    def aspects(self, texts: Sequence[str]) -> list[list[Any]]:
        """Aspect mentions of each text, each clause scored by the served model.

        Raises:
            NotTrainedError: no version is saved (run `llm4retail reviews train`).
        """
        return analyze_aspects(texts, scorer=self.positive_probability) if texts else []

    def analytics(self) -> dict[str, Any]:
        """Sentiment and aspects of every review of the store, overall, by top-level category and by month
        (`reviews.analytics.review_analytics`), with the served model's name. Computed once per model version
        and reviews table (a changed review, or a new version, computes it again).

        Raises:
            NotTrainedError: no version is saved (run `llm4retail reviews train`).
        """
        name = self.model_name()
        reviews = self.store.read_frame(Table.REVIEWS)
        key = (name, data_fingerprint(reviews.reindex(columns=["review_id", "product_id", "text", "created_at"]).astype(str)))
        with self.lock:
            if self._analytics is not None and self._analytics[0] == key:
                return self._analytics[1]
        texts = reviews["text"].fillna("").astype(str).tolist() if "text" in reviews.columns else []
        products = self.store.read_frame(Table.PRODUCTS, columns=["product_id", "category"])
        categories = dict(zip(products["product_id"].astype(str), products["category"], strict=True))
        report = review_analytics(
            reviews, categories=categories, positive=self.positive_probability(texts), mentions=self.aspects(texts)
        )
        report["model"] = name
        with self.lock:
            self._analytics = (key, report)
        return report

    def generator(self) -> Any:
        """The configured LLM endpoint as a text generator, or None (extractive synthesis)."""
        if not self.settings.llm.base_url:
            return None
        from llm4retail.llm.backends import EndpointBackend

        return EndpointBackend(self.settings.llm)

    def summary(self, product_id: str, *, generator: Any = None) -> ProductSummary:
        """The review summary of a product; the synthesis uses `generator`, else the configured endpoint.

        Raises:
            NotFoundError: the product does not exist.
            NotTrainedError: no version is saved (run `llm4retail reviews train`).
        """
        self.store.get(Table.PRODUCTS, (product_id,))
        name = self.model_name()
        rows, _ = self.store.page(Table.REVIEWS, limit=MAX_REVIEWS_PER_SUMMARY, equals={"product_id": product_id})
        texts = [str(row["text"]) for row in rows if row.get("text")]
        positive = self.positive_probability(texts) if texts else np.zeros(0)
        mentions = self.aspects(texts)
        ratings = [row.get("rating") for row in rows if row.get("text")]
        generator = generator if generator is not None else self.generator()
        summary = summarize_reviews(product_id, texts, positive, mentions, ratings=ratings, generator=generator)
        summary.extra["model"] = name
        return summary
