"""The reviews service: nothing served before training, every saved model a version of models/reviews."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llm4retail.artifacts import ModelStore
from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.errors import ArtifactFormatError, NotTrainedError
from llm4retail.models.transformer import TransformerConfig
from llm4retail.reviews.base import SentimentModel
from llm4retail.reviews.evaluate import Candidate
from llm4retail.reviews.neural import EncoderKind, FineTunedSentiment
from llm4retail.reviews.service import ReviewService
from llm4retail.reviews.tfidf import TfidfSentiment

pytestmark = pytest.mark.unit
LEXICAL = (Candidate.TFIDF, Candidate.NB_TFIDF)


@pytest.fixture
def services(tmp_path: Path) -> Services:
    services = Services(get_settings(data_dir=tmp_path / "data"))
    services.store.create_schema()
    return services


def test_serving_waits_for_train_then_serves_the_latest_version(services: Services, tiny_reviews: pd.DataFrame) -> None:
    service = services.reviews
    assert isinstance(service, ReviewService) and service.needs_training()
    with pytest.raises(NotTrainedError, match="llm4retail reviews train"):
        service.analyze(["质量很好"])
    assert service.status().state == "not_trained"
    report = service.train(tiny_reviews, candidates=LEXICAL)
    assert report["version"] == "v0001" and report["model"] in {"tfidf", "nb_tfidf"}
    assert {**service.models.report(), "version": "v0001"} == report
    saved = service.models.versions()[0]
    assert saved.model_type == f"reviews.{report['model']}" and saved.data_hash
    assert saved.metrics == {"validation_accuracy": report["validation_accuracy"][report["model"]]}
    analysed = service.analyze(["质量很好，很满意", "terrible quality, broke quickly"])
    assert analysed["model"] == "reviews/v0001"
    assert [row["sentiment"] for row in analysed["results"]] == ["positive", "negative"]
    fresh = ReviewService(services.settings, services.store)  # another process: loads LATEST
    assert fresh.analyze(["质量很好"]) == service.analyze(["质量很好"])
    assert service.train(tiny_reviews, candidates=(Candidate.TFIDF,))["version"] == "v0002"
    assert service.analyze(["质量很好"])["model"] == "reviews/v0002" and service.status().version == "v0002"


def test_train_on_start_fits_the_quick_model_on_the_store_reviews(services: Services, tiny_reviews: pd.DataFrame) -> None:
    services.store.upsert(Table.REVIEWS, tiny_reviews)
    report = services.reviews.run_training(on_start=True)
    assert report is not None and report["model"] == "tfidf" and set(report["validation_accuracy"]) == {"tfidf"}
    assert isinstance(services.reviews.model(), TfidfSentiment)


def test_every_saving_path_publishes_a_version(services: Services, tiny_reviews: pd.DataFrame) -> None:
    service = services.reviews
    report = service.evaluate(tiny_reviews, dataset="tiny", candidates=[Candidate.TFIDF_CHARS], save=True)
    assert report.extra["saved_version"] == "v0001" and service.models.report()["model"] == "tfidf_chars"
    encoder = service.pretrain(list(tiny_reviews["text"]), shape=TransformerConfig(vocab_size=1, dim=16, layers=1, heads=2,
                               feed_forward=32, max_positions=24), budget_seconds=1, threads=1)  # fmt: skip
    assert encoder["version"] == "v0001" and service.encoders.versions()[0].model_type == "encoders.mlm"
    tuned = service.finetune(tiny_reviews, encoder=EncoderKind.PRETRAINED, budget_seconds=2, threads=1)
    assert tuned["version"] == "v0002" and isinstance(service.model(), FineTunedSentiment)
    assert service.model().encoder_dir == service.encoder_folder()


def test_old_sentiment_folders_are_refused_with_the_retrain_command(services: Services) -> None:
    service = services.reviews
    old = services.settings.models_dir / "sentiment" / "v0001"
    old.mkdir(parents=True)
    (old / "meta.json").write_text('{"kind": "tfidf", "version": "0.1.0", "params": {}}', encoding="utf-8")
    (old.parent / "LATEST").write_text("v0001", encoding="utf-8")
    with pytest.raises(ArtifactFormatError, match=r"models/sentiment.*retrain with `llm4retail reviews train`"):
        service.analyze(["质量很好"])
    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail reviews train`"):
        service.compress(pd.DataFrame())


def test_a_version_of_the_old_format_is_refused_with_the_retrain_command(services: Services) -> None:
    models = services.reviews.models
    with models.stage(report={}) as folder:
        (folder / "model").mkdir()
        (folder / "model" / "meta.json").write_text('{"kind": "tfidf", "version": "0.1.0"}', encoding="utf-8")
    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail reviews train`"):
        services.reviews.model()
    encoders = services.reviews.encoders
    with encoders.stage(report={}) as folder:
        (folder / "meta.json").write_text('{"kind": "mlm_encoder"}', encoding="utf-8")
    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail models pretrain`"):
        services.reviews.encoder_folder()


def test_the_stores_are_the_shared_model_store(services: Services) -> None:
    service = services.reviews
    assert isinstance(service.models, ModelStore) and service.models.root == services.settings.models_dir / "reviews"
    assert service.encoders.root == services.settings.models_dir / "encoders"
    assert issubclass(FineTunedSentiment, SentimentModel) and SentimentModel.train_command == ReviewService.train_command


def test_analytics_scores_the_store_reviews_once_per_model_and_table(services: Services, tiny_reviews: pd.DataFrame) -> None:
    reviews = tiny_reviews.assign(product_id="p1", created_at=pd.Timestamp("2025-03-01"))
    services.store.upsert(Table.PRODUCTS, pd.DataFrame({"product_id": ["p1"], "title": ["Sofa"], "category": ["Home > Sofas"]}))
    services.store.upsert(Table.REVIEWS, reviews)
    with pytest.raises(NotTrainedError):
        services.reviews.analytics()
    services.reviews.train(tiny_reviews, candidates=LEXICAL)
    report = services.reviews.analytics()
    assert report["reviews"] == len(reviews) and report["model"] == "reviews/v0001"
    assert [row["category"] for row in report["categories"]] == ["Home"] and report["months"][0]["month"] == "2025-03"
    positive = services.reviews.positive_probability(list(reviews["text"])) >= 0.5
    assert report["positive_share"] == pytest.approx(positive.mean())
    assert services.reviews.analytics() is report  # the same table and model: not computed again
    services.store.update(Table.REVIEWS, ["r0"], {"text": "terrible, broke at once, awful quality"})
    changed = services.reviews.analytics()
    assert changed is not report and changed["reviews"] == len(reviews)
