"""Fine-tuning loop, distillation loss, MLM pre-training and int8 quantisation on tiny inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from llm4retail.errors import DataValidationError
from llm4retail.models.pretrain import PretrainConfig, log_unigram, mask_tokens, pretrain_mlm
from llm4retail.models.quantize import float_state, int8_state, quantize_dynamic
from llm4retail.models.training import (
    SequenceClassifier,
    TrainConfig,
    distillation_loss,
    predict_logits,
    train_classifier,
)
from llm4retail.models.transformer import TransformerConfig, TransformerEncoder
from llm4retail.models.vocab import SPECIALS, Vocabulary

pytestmark = pytest.mark.unit
SHAPE = dict(dim=32, layers=1, heads=2, feed_forward=64, max_positions=32)


def test_distillation_loss_reduces_to_cross_entropy_and_matches_the_teacher() -> None:
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.2]])
    targets = torch.tensor([0, 1])
    plain = torch.nn.functional.cross_entropy(logits, targets)
    teacher = torch.softmax(logits, dim=-1)
    assert torch.isclose(distillation_loss(logits, targets, None, temperature=2.0, alpha=0.7), plain)
    assert torch.isclose(distillation_loss(logits, targets, teacher, temperature=2.0, alpha=0.0), plain)
    # A student equal to the teacher has zero KL: only the hard term remains.
    assert torch.isclose(distillation_loss(logits, targets, teacher, temperature=1.0, alpha=0.5), 0.5 * plain, atol=1e-6)


def test_mask_tokens_never_masks_specials_or_padding() -> None:
    vocabulary = Vocabulary([*SPECIALS, *"abcdefghij"])
    ids = torch.tensor([[2] + [5 + i % 10 for i in range(60)] + [3, 0, 0]])
    mask = ids != 0
    corrupted, targets = mask_tokens(ids, mask, vocabulary=vocabulary, generator=torch.Generator().manual_seed(0))
    chosen = targets != -100
    assert 0 < chosen.sum() < 30
    assert not chosen[0, 0] and not chosen[0, -3:].any()
    assert (corrupted[chosen] == vocabulary.mask_id).float().mean() > 0.5
    assert torch.equal(corrupted[~chosen], ids[~chosen])


def test_mlm_pretraining_lowers_the_loss() -> None:
    texts = ["质量很好物流很快", "物流很快质量很好", "很好很快质量物流"] * 16
    vocabulary = Vocabulary.build(texts, min_count=1, max_tokens=16)
    config = TransformerConfig(vocab_size=len(vocabulary), **SHAPE)
    encoder, facts = pretrain_mlm(texts, vocabulary=vocabulary, model_config=config,
                                  config=PretrainConfig(budget_seconds=120, max_epochs=40, batch_size=16, warmup_steps=10))
    assert facts["steps"] == 120 and facts["stopped"] == "epochs"  # the epoch limit, not the clock, ends this run
    assert facts["last_loss"] < facts["first_loss"] - 0.5
    assert not encoder.training


def test_unigram_bias_starts_mlm_at_the_unigram_loss_and_dropout_is_restored() -> None:
    texts = ["质量很好物流很快", "好好好好好", "物流慢", "很好很好"] * 8
    vocabulary = Vocabulary.build(texts, min_count=1, max_tokens=16)
    bias = log_unigram(vocabulary.encode(texts), len(vocabulary))
    assert np.isclose(np.exp(bias).sum(), 1.0, atol=1e-5)
    assert bias[vocabulary.index["好"]] == bias[len(SPECIALS):].max()  # the most frequent token
    assert bias[vocabulary.mask_id] == bias.min()
    config = TransformerConfig(vocab_size=len(vocabulary), **{**SHAPE, "dropout": 0.2})
    first = {}
    for unigram in (True, False):
        encoder, facts = pretrain_mlm(texts, vocabulary=vocabulary, model_config=config, config=PretrainConfig(
            budget_seconds=60, max_epochs=1, batch_size=32, warmup_steps=1, unigram_bias=unigram))
        first[unigram] = facts["first_loss"]
        assert encoder.config.dropout == 0.2
        assert all(m.p == 0.2 for m in encoder.modules() if isinstance(m, torch.nn.Dropout))
    # The unigram start is already near the corpus entropy; the zero start is near log(vocabulary size).
    assert first[True] < first[False] - 0.3
    assert first[False] > np.log(len(vocabulary)) - 0.5


def test_train_classifier_learns_and_restores_the_best_state() -> None:
    rng = np.random.default_rng(0)
    sequences = [[2, int(rng.integers(5, 10)), 3] if label else [2, int(rng.integers(10, 15)), 3] for label in rng.integers(0, 2, 80)]
    labels = np.array([1 if s[1] < 10 else 0 for s in sequences])
    torch.manual_seed(0)
    model = SequenceClassifier(TransformerEncoder(TransformerConfig(vocab_size=16, **SHAPE)), 2)
    config = TrainConfig(budget_seconds=20, max_epochs=20, batch_size=16, learning_rate=3e-3, head_learning_rate=3e-3, evaluate_every=10)
    facts = train_classifier(model, sequences, labels, validation=(sequences[:20], labels[:20]), config=config)
    assert facts["best_validation_accuracy"] == 1.0
    assert (predict_logits(model, sequences).argmax(axis=1) == labels).mean() == 1.0
    assert config.history and max(h["validation_accuracy"] for h in config.history) == 1.0


def test_max_steps_ends_training_and_the_result_does_not_depend_on_the_clock() -> None:
    rng = np.random.default_rng(1)
    sequences = [[2, int(rng.integers(5, 15)), 3] for _ in range(64)]
    labels = np.array([1 if s[1] < 10 else 0 for s in sequences])
    states = []
    for budget in (30.0, 60.0):  # two budgets, both longer than the steps need
        torch.manual_seed(0)
        model = SequenceClassifier(TransformerEncoder(TransformerConfig(vocab_size=16, **SHAPE)), 2)
        config = TrainConfig(budget_seconds=budget, max_epochs=50, max_steps=12, batch_size=16, evaluate_every=5)
        facts = train_classifier(model, sequences, labels, validation=(sequences[:16], labels[:16]), config=config)
        assert facts["steps"] == 12 and facts["epochs"] == 3 and facts["stopped"] == "steps"
        states.append(model.state_dict())
    for key, value in states[0].items():
        torch.testing.assert_close(value, states[1][key])
    with pytest.raises(DataValidationError):
        train_classifier(model, sequences, labels, validation=None, config=TrainConfig(max_steps=0))


def test_the_time_limit_is_only_a_reported_safety_stop() -> None:
    rng = np.random.default_rng(2)
    sequences = [[2, int(rng.integers(5, 15)), 3] for _ in range(64)]
    labels = np.array([1 if s[1] < 10 else 0 for s in sequences])
    model = SequenceClassifier(TransformerEncoder(TransformerConfig(vocab_size=16, **SHAPE)), 2)
    config = TrainConfig(budget_seconds=1e-9, max_epochs=50, batch_size=16)
    facts = train_classifier(model, sequences, labels, validation=(sequences[:16], labels[:16]), config=config)
    assert facts["stopped"] == "time" and facts["steps"] == 1
    texts = ["质量很好物流很快", "物流很快质量很好"] * 16
    vocabulary = Vocabulary.build(texts, min_count=1, max_tokens=16)
    _, mlm = pretrain_mlm(texts, vocabulary=vocabulary, model_config=TransformerConfig(vocab_size=len(vocabulary), **SHAPE),
                          config=PretrainConfig(budget_seconds=1e-9, max_epochs=5, batch_size=8))
    assert mlm["stopped"] == "time" and mlm["steps"] == 1
    _, mlm = pretrain_mlm(texts, vocabulary=vocabulary, model_config=TransformerConfig(vocab_size=len(vocabulary), **SHAPE),
                          config=PretrainConfig(max_epochs=5, max_steps=7, batch_size=8))
    assert mlm["stopped"] == "steps" and mlm["steps"] == 7


def test_int8_state_round_trip_and_dynamic_quantisation_stay_close() -> None:
    torch.manual_seed(0)
    model = SequenceClassifier(TransformerEncoder(TransformerConfig(vocab_size=16, **SHAPE)), 2).eval()
    arrays = int8_state(model)
    assert arrays["head.weight#int8"].dtype == np.int8
    restored = SequenceClassifier(TransformerEncoder(TransformerConfig(vocab_size=16, **SHAPE)), 2).eval()
    restored.load_state_dict(float_state(arrays))
    ids = torch.tensor([[2, 5, 6, 7, 3]])
    mask = ids != 0
    with torch.no_grad():
        reference = model(ids, mask)
        torch.testing.assert_close(restored(ids, mask), reference, atol=2e-2, rtol=0.1)
        quantised = quantize_dynamic(model)
        torch.testing.assert_close(quantised(ids, mask), reference, atol=5e-2, rtol=0.2)
    assert "DynamicQuantizedLinear" in repr(quantised)
