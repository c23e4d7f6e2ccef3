"""Thresholds for a false-positive budget and for a cost ratio."""

from __future__ import annotations

import numpy as np
import pytest

from llm4retail.errors import DataValidationError
from llm4retail.risk.thresholds import (
    Decision,
    ThresholdPolicy,
    choose_thresholds,
    threshold_for_cost,
    threshold_for_fpr,
)

pytestmark = pytest.mark.unit


def test_fpr_threshold_keeps_the_budget() -> None:
    negatives = np.arange(100, dtype=float)  # 0..99
    scores = np.r_[negatives, [200.0, 150.0]]
    labels = np.r_[np.zeros(100), [1, 1]]
    threshold = threshold_for_fpr(scores, labels, target_fpr=0.05)
    flagged_negatives = (negatives >= threshold).sum()
    assert flagged_negatives == 5 and (scores[100:] >= threshold).all()
    rng = np.random.default_rng(0)
    unlabelled = rng.random(1000)
    share = (unlabelled >= threshold_for_fpr(unlabelled, None, target_fpr=0.01)).mean()
    assert share == pytest.approx(0.01, abs=1e-9)


def test_cost_threshold_minimises_cost() -> None:
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.9])
    labels = np.array([0, 0, 0, 1, 0, 1, 1])
    # ratio 10: missing the fraud at 0.4 costs more than flagging the legitimate 0.6
    assert threshold_for_cost(scores, labels, cost_ratio=10) == 0.4
    # ratio 0.5: a false alarm costs more than a miss; flag only above every legitimate score
    assert threshold_for_cost(scores, labels, cost_ratio=0.5) == 0.7


def test_choose_thresholds_orders_review_and_decline() -> None:
    rng = np.random.default_rng(1)
    scores = np.r_[rng.random(1000) * 0.8, 0.7 + 0.3 * rng.random(50)]
    labels = np.r_[np.zeros(1000), np.ones(50)]
    thresholds = choose_thresholds(scores, labels, policy=ThresholdPolicy.TARGET_FPR, target=0.02)
    assert thresholds.decline >= thresholds.review
    assert thresholds.decide(thresholds.decline) is Decision.DECLINE
    assert thresholds.decide(thresholds.review) is Decision.REVIEW
    assert thresholds.decide(0.0) is Decision.APPROVE
    with pytest.raises(DataValidationError, match="labelled"):
        choose_thresholds(scores, None, policy=ThresholdPolicy.COST_RATIO, target=10)
    with pytest.raises(DataValidationError, match="target_fpr"):
        threshold_for_fpr(scores, labels, target_fpr=1.5)
