"""`reviews train`: the candidates are fitted on all labelled reviews and the best by validation is published."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

from llm4retail.reviews.evaluate import Candidate
from llm4retail.reviews.training import DEFAULT_CANDIDATES, START_CANDIDATES, train_sentiment

pytestmark = pytest.mark.unit


def test_lexical_candidates_are_compared_and_the_best_is_returned(tiny_reviews: pd.DataFrame) -> None:
    trained = train_sentiment(tiny_reviews, candidates=(Candidate.TFIDF, Candidate.NB_TFIDF, Candidate.BLEND))
    report = trained.report
    # Without an embedding model there is nothing to blend: only the two lexical models are fitted.
    assert set(report["validation_accuracy"]) == {"tfidf", "nb_tfidf"}
    assert report["model"] in report["validation_accuracy"]
    assert report["n_train"] + report["n_validation"] == len(tiny_reviews)
    assert trained.metrics == {"validation_accuracy": report["validation_accuracy"][report["model"]]}
    assert list(trained.model.predict(["质量很好，很满意", "terrible quality, broke quickly"])) == [1, 0]
    again = train_sentiment(tiny_reviews, candidates=(Candidate.TFIDF,))
    assert again.data_hash == trained.data_hash


def test_the_default_candidates_include_the_nb_weighted_model() -> None:
    default = inspect.signature(train_sentiment).parameters["candidates"].default
    assert default == DEFAULT_CANDIDATES and Candidate.NB_TFIDF in default and Candidate.BLEND in default
    assert START_CANDIDATES == (Candidate.TFIDF,)


def test_the_cli_fine_tuning_cap_matches_the_library_default() -> None:
    from llm4retail.cli.reviews import FINETUNE_CAP_SECONDS
    from llm4retail.reviews.evaluate import DEFAULT_BUDGET_SECONDS

    assert FINETUNE_CAP_SECONDS == DEFAULT_BUDGET_SECONDS
