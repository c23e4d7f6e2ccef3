"""Known-answer tests of the classification metrics."""

from __future__ import annotations

import math

import pytest

from llm4retail.errors import DataValidationError
from llm4retail.eval.classification import binary_scores, classification_metrics, recall_at_fpr

pytestmark = pytest.mark.unit

Y_TRUE = ["a", "a", "a", "b", "b", "c"]
Y_PRED = ["a", "a", "b", "b", "c", "c"]


def test_classification_metrics_match_a_hand_count() -> None:
    # a: tp 2, fp 0, fn 1 -> f1 0.8; b: tp 1, fp 1, fn 1 -> 0.5; c: tp 1, fp 1, fn 0 -> 2/3.
    metrics = classification_metrics(Y_TRUE, Y_PRED)

    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert metrics["weighted_f1"] == pytest.approx((3 * 0.8 + 2 * 0.5 + 1 * 2 / 3) / 6)
    assert metrics["per_class"]["a"] == pytest.approx({"precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3})
    assert metrics["per_class"]["c"]["precision"] == pytest.approx(0.5)


def test_explicit_labels_include_absent_classes() -> None:
    metrics = classification_metrics(Y_TRUE, Y_PRED, labels=["a", "b", "c", "d"])

    assert metrics["per_class"]["d"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert metrics["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 4)


def test_classification_metrics_rejects_misaligned_input() -> None:
    with pytest.raises(DataValidationError, match="equal length"):
        classification_metrics(["a", "b"], ["a"])
    with pytest.raises(DataValidationError, match="labels is empty"):
        classification_metrics(["a"], ["a"], labels=[])


def test_binary_scores_by_hand() -> None:
    scores = binary_scores([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])

    assert scores["roc_auc"] == pytest.approx(0.75)
    assert scores["pr_auc"] == pytest.approx((1 / 2) * 1 + (1 / 2) * (2 / 3))
    assert scores["recall@fpr=0.01"] == pytest.approx(0.5)


def test_recall_at_fpr_uses_real_thresholds() -> None:
    assert recall_at_fpr([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], fpr=0.5) == pytest.approx(1.0)
    assert recall_at_fpr([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], fpr=0.49) == pytest.approx(0.5)


def test_single_class_gives_nan() -> None:
    scores = binary_scores([1, 1], [0.2, 0.3])

    assert all(math.isnan(value) for value in scores.values())


def test_binary_scores_rejects_bad_input() -> None:
    with pytest.raises(DataValidationError, match="0/1 labels"):
        binary_scores([0, 2], [0.1, 0.2])
    with pytest.raises(DataValidationError, match="NaN"):
        binary_scores([0, 1], [0.1, float("nan")])
    with pytest.raises(DataValidationError, match=r"fpr must lie in \[0, 1\]"):
        recall_at_fpr([0, 1], [0.1, 0.2], fpr=1.5)
