"""Decision thresholds: for a target false-positive rate or for a cost ratio.

Thresholds are chosen on scores the model did not train on (the validation part of
the training window), so that the rates hold on new payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from llm4retail.errors import DataValidationError


class ThresholdPolicy(str, Enum):
    """How the review threshold is chosen."""

    TARGET_FPR = "target_fpr"  # flag at most this share of legitimate payments
    COST_RATIO = "cost_ratio"  # minimise false alarms + cost_ratio × missed frauds


class Decision(str, Enum):
    """What to do with a payment."""

    APPROVE = "approve"
    REVIEW = "review"
    DECLINE = "decline"


SEVERITY = {Decision.APPROVE: 0, Decision.REVIEW: 1, Decision.DECLINE: 2}  # the stricter of two decisions wins


@dataclass(frozen=True)
class Thresholds:
    """Scores at or above `review` go to review, at or above `decline` are declined."""

    review: float
    decline: float
    policy: ThresholdPolicy
    target: float

    def decide(self, score: float) -> Decision:
        """The decision for one score."""
        if score >= self.decline:
            return Decision.DECLINE
        if score >= self.review:
            return Decision.REVIEW
        return Decision.APPROVE


def threshold_for_fpr(scores: np.ndarray, labels: np.ndarray | None, *, target_fpr: float) -> float:
    """The lowest threshold whose false-positive rate on these scores is at most `target_fpr`.

    Without labels every payment counts as legitimate (fraud is rare), so the threshold
    flags at most `target_fpr` of all payments.

    Raises:
        DataValidationError: `target_fpr` outside (0, 1) or no legitimate payment.
    """
    if not 0.0 < target_fpr < 1.0:
        raise DataValidationError(f"target_fpr must lie in (0, 1), got {target_fpr}")
    scores = np.asarray(scores, dtype=float)
    negatives = scores if labels is None else scores[np.asarray(labels) == 0]
    if negatives.size == 0:
        raise DataValidationError("cannot choose a threshold for a false-positive rate without legitimate payments")
    ordered = np.sort(negatives)[::-1]
    allowed = int(np.floor(target_fpr * ordered.size))  # false positives the budget allows
    if allowed >= ordered.size:
        return float(ordered[-1])
    # Flag strictly above the (allowed+1)-th highest legitimate score.
    return float(np.nextafter(ordered[allowed], np.inf))


def threshold_for_cost(scores: np.ndarray, labels: np.ndarray, *, cost_ratio: float) -> float:
    """The threshold minimising false positives + `cost_ratio` × false negatives.

    Args:
        scores: scores of labelled payments.
        labels: 1 = fraud.
        cost_ratio: cost of a missed fraud over the cost of a false alarm (e.g. 20).

    Raises:
        DataValidationError: a non-positive ratio or labels of a single class.
    """
    if cost_ratio <= 0:
        raise DataValidationError(f"cost_ratio must be greater than 0, got {cost_ratio}")
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=int)
    if labels.min() == labels.max():
        raise DataValidationError("cannot choose a cost threshold from payments of a single class")
    candidates = np.unique(scores)
    order = np.argsort(scores)
    sorted_scores, sorted_labels = scores[order], labels[order]
    # Flagging at threshold t: everything with score >= t.
    first = np.searchsorted(sorted_scores, candidates, side="left")
    frauds_below = np.r_[0, np.cumsum(sorted_labels)][first]
    legit_below = first - frauds_below
    false_positives = (labels == 0).sum() - legit_below
    cost = false_positives + cost_ratio * frauds_below
    return float(candidates[int(np.argmin(cost))])


def choose_thresholds(
    scores: np.ndarray,
    labels: np.ndarray | None,
    *,
    policy: ThresholdPolicy = ThresholdPolicy.TARGET_FPR,
    target: float = 0.01,
) -> Thresholds:
    """Review and decline thresholds for a policy.

    The review threshold follows the policy; the decline threshold is the one for a ten
    times smaller false-positive rate (or a ten times smaller cost ratio), never below review.

    Args:
        scores: validation scores.
        labels: validation labels (None for unlabelled payments: only TARGET_FPR applies).
        policy: how to choose.
        target: the false-positive rate (TARGET_FPR) or the cost ratio (COST_RATIO).
    """
    if policy is ThresholdPolicy.COST_RATIO:
        if labels is None:
            raise DataValidationError("the cost_ratio policy needs labelled payments; use target_fpr")
        review = threshold_for_cost(scores, labels, cost_ratio=target)
        decline = threshold_for_cost(scores, labels, cost_ratio=target / 10.0)
    else:
        review = threshold_for_fpr(scores, labels, target_fpr=target)
        decline = threshold_for_fpr(scores, labels, target_fpr=target / 10.0)
    return Thresholds(review=review, decline=max(review, decline), policy=policy, target=target)
