"""`reviews train`: the candidates are fitted on all labelled reviews and the best by validation is published."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llm4retail.models.registry import ModelRegistry
from llm4retail.reviews.blend import load_sentiment_model
from llm4retail.reviews.evaluate import Candidate
from llm4retail.reviews.training import train_sentiment

pytestmark = pytest.mark.unit


def test_lexical_candidates_are_compared_and_the_best_becomes_latest(tiny_reviews: pd.DataFrame, tmp_path: Path) -> None:
    report = train_sentiment(tiny_reviews, data_dir=tmp_path, candidates=(Candidate.TFIDF, Candidate.NB_TFIDF, Candidate.BLEND))
    # Without an embedding model there is nothing to blend: only the two lexical models are fitted.
    assert set(report["validation_accuracy"]) == {"tfidf", "nb_tfidf"}
    assert report["model"] in report["validation_accuracy"]
    assert report["n_train"] + report["n_validation"] == len(tiny_reviews)
    model = load_sentiment_model(ModelRegistry(tmp_path, "sentiment").resolve())
    assert list(model.predict(["质量很好，很满意", "terrible quality, broke quickly"])) == [1, 0]


def test_the_default_candidates_include_the_nb_weighted_model() -> None:
    import inspect

    default = inspect.signature(train_sentiment).parameters["candidates"].default
    assert Candidate.NB_TFIDF in default and Candidate.BLEND in default


def test_the_cli_fine_tuning_cap_matches_the_library_default() -> None:
    from llm4retail.cli.reviews import FINETUNE_CAP_SECONDS
    from llm4retail.reviews.evaluate import DEFAULT_BUDGET_SECONDS

    assert FINETUNE_CAP_SECONDS == DEFAULT_BUDGET_SECONDS
