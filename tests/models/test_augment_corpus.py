"""Augmentation operations and the pre-training corpus."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llm4retail.data.schemas import Table
from llm4retail.data.splits import hash_buckets
from llm4retail.errors import DataValidationError
from llm4retail.models.augment import Augmentation, Augmenter, random_delete, random_swap, synonym_replace
from llm4retail.models.corpus import corpus_from_frames
from llm4retail.reviews.data import TEST_PERCENT

pytestmark = pytest.mark.unit


def test_eda_operations_change_words_but_keep_the_vocabulary() -> None:
    rng = np.random.default_rng(0)
    tokens = ["质量", "很", "好", "物流", "快"]
    replaced = synonym_replace(tokens, rng, rate=0.5)
    assert replaced != tokens and len(replaced) == len(tokens)
    assert sorted(random_swap(tokens, rng)) == sorted(tokens)
    assert set(random_delete(tokens, rng, rate=0.5)) <= set(tokens)
    assert len(random_delete(tokens, rng, rate=1.0)) == 1  # never empty


def test_augmenter_adds_labelled_variants_in_the_same_language() -> None:
    texts, labels = ["质量很好，物流很快", "great quality, fast delivery"], [1, 0]
    out_texts, out_labels = Augmenter(copies=3, seed=1).augment(texts, labels)
    assert out_texts[:2] == texts and len(out_texts) == 8
    assert out_labels == [1, 0, 1, 1, 1, 0, 0, 0]
    assert all(any("\u4e00" <= c <= "\u9fff" for c in text) for text in out_texts[2:5])
    template = Augmenter(operations=[Augmentation.TEMPLATE], copies=1).augment(["great quality"], [1])[0][1]
    assert "great quality" in template and template != "great quality"


def test_llm_augmentation_needs_a_paraphraser() -> None:
    with pytest.raises(DataValidationError, match="paraphrase"):
        Augmenter(operations=[Augmentation.LLM])
    augmented = Augmenter(operations=[Augmentation.LLM], copies=1, paraphrase=str.upper).augment(["good"], [1])
    assert augmented[0] == ["good", "GOOD"]


def test_corpus_leaves_out_test_bucket_reviews() -> None:
    ids = [f"r{i}" for i in range(200)]
    frames = {Table.REVIEWS: pd.DataFrame({"review_id": ids, "text": ids}),
              Table.PRODUCTS: pd.DataFrame({"title": ["a title"], "description": [None]})}
    texts = corpus_from_frames(frames)
    held = {i for i, bucket in zip(ids, hash_buckets(np.array(ids))) if bucket < TEST_PERCENT}
    assert held and not held & set(texts) and "a title" in texts
    assert len(corpus_from_frames(frames, exclude_test=False)) == 201
