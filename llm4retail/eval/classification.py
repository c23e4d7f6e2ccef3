"""Classification metrics (sentiment, intent, fraud), built on scikit-learn."""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from typing import TypedDict

import numpy as np
import numpy.typing as npt
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)
from sklearn.utils.multiclass import unique_labels

from llm4retail.errors import DataValidationError

logger = logging.getLogger(__name__)

DEFAULT_FPR = 0.01


class ClassificationMetrics(TypedDict):
    """The result of `classification_metrics`."""

    accuracy: float
    macro_f1: float
    weighted_f1: float
    per_class: dict[str, dict[str, float]]


def classification_metrics(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, *, labels: Sequence[Hashable] | None = None
) -> ClassificationMetrics:
    """Computes accuracy, macro and weighted F1, and per-class scores.

    A class that is never predicted (or never true) gets precision (or recall)
    0 rather than a warning; it still counts in the macro average.

    Args:
        y_true: The true labels.
        y_pred: The predicted labels, aligned with `y_true`.
        labels: The classes to report and average over, in this order; by default
            the sorted union of the labels in `y_true` and `y_pred`.

    Returns:
        `accuracy`, `macro_f1`, `weighted_f1` (averaged with weights equal to the
        support), and `per_class`: str(label) -> {precision, recall, f1, support}.

    Raises:
        DataValidationError: If the inputs are empty, misaligned or `labels` is empty.

    Example:
        >>> classification_metrics(["a", "b"], ["a", "a"])["accuracy"]
        0.5
    """
    truth, predicted = _aligned(y_true, y_pred, names=("y_true", "y_pred"))
    if labels is not None and len(labels) == 0:
        raise DataValidationError("labels is empty; pass the classes to report or None to infer them")
    classes = list(labels) if labels is not None else unique_labels(truth, predicted).tolist()
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=classes, average=None, zero_division=0
    )
    total_support = support.sum()
    per_class = {
        str(label): {
            "precision": float(precision[index]),
            "recall": float(recall[index]),
            "f1": float(f1[index]),
            "support": int(support[index]),
        }
        for index, label in enumerate(classes)
    }
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1.mean()),
        "weighted_f1": float((f1 * support).sum() / total_support) if total_support else float("nan"),
        "per_class": per_class,
    }


def binary_scores(y_true: npt.ArrayLike, score: npt.ArrayLike, *, fpr: float = DEFAULT_FPR) -> dict[str, float]:
    """Computes threshold-free scores of a binary classifier (e.g. fraud).

    `pr_auc` is the average precision (the step-wise area under the
    precision-recall curve, which does not interpolate optimistically). When
    `y_true` holds a single class, every score is undefined and returned as NaN.

    Args:
        y_true: True labels, 1 (or True) for the positive class, 0 otherwise.
        score: Scores, higher meaning more likely positive.
        fpr: The false positive rate budget of the `recall@fpr=...` key.

    Returns:
        `roc_auc`, `pr_auc` and `recall@fpr={fpr:g}` (e.g. `recall@fpr=0.01`).

    Raises:
        DataValidationError: If the inputs are empty, misaligned, labels are not 0/1 or a score is NaN.
    """
    truth, scores = _binary_inputs(y_true, score)
    key = f"recall@fpr={fpr:g}"
    if truth.min() == truth.max():
        logger.warning("y_true holds only the class %d; ROC AUC, PR AUC and recall are undefined", truth[0])
        return {"roc_auc": float("nan"), "pr_auc": float("nan"), key: float("nan")}
    return {
        "roc_auc": float(roc_auc_score(truth, scores)),
        "pr_auc": float(average_precision_score(truth, scores)),
        key: recall_at_fpr(truth, scores, fpr=fpr),
    }


def recall_at_fpr(y_true: npt.ArrayLike, score: npt.ArrayLike, *, fpr: float = DEFAULT_FPR) -> float:
    """Computes the highest recall reachable by a score threshold whose false positive rate is at most `fpr`.

    Only real thresholds count (no interpolation between ROC points), so this is
    a recall an operator could actually get, e.g. at 1% of legitimate payments flagged.

    Args:
        y_true: True labels, 1 (or True) for the positive class, 0 otherwise.
        score: Scores, higher meaning more likely positive.
        fpr: The false positive rate budget, in [0, 1].

    Returns:
        The recall (true positive rate), or NaN when `y_true` holds a single class.

    Raises:
        DataValidationError: If `fpr` is outside [0, 1] or the inputs are invalid.
    """
    if not 0.0 <= fpr <= 1.0:
        raise DataValidationError(f"fpr must lie in [0, 1], got {fpr}")
    truth, scores = _binary_inputs(y_true, score)
    if truth.min() == truth.max():
        return float("nan")
    false_positive_rate, true_positive_rate, _ = roc_curve(truth, scores, drop_intermediate=False)
    return float(true_positive_rate[false_positive_rate <= fpr].max())


def _binary_inputs(y_true: npt.ArrayLike, score: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Validates binary labels and scores and returns them as int and float arrays."""
    truth, scores = _aligned(y_true, score, names=("y_true", "score"))
    if not np.isin(truth, [0, 1]).all():
        raise DataValidationError(f"y_true must hold 0/1 labels, got values {np.unique(truth)[:5].tolist()}")
    try:
        scores = scores.astype(float)
    except (TypeError, ValueError) as error:
        raise DataValidationError(f"score must be numeric, got dtype {scores.dtype}") from error
    if np.isnan(scores).any():
        raise DataValidationError("score contains NaN; score every row or drop the unscored ones")
    return truth.astype(np.int64), scores


def _aligned(first: npt.ArrayLike, second: npt.ArrayLike, *, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Returns two non-empty 1-D arrays of the same length."""
    left, right = np.asarray(first), np.asarray(second)
    if left.ndim != 1 or right.ndim != 1:
        raise DataValidationError(f"{names[0]} and {names[1]} must be 1-D, got shapes {left.shape} and {right.shape}")
    if left.size == 0 or left.size != right.size:
        raise DataValidationError(
            f"{names[0]} and {names[1]} must be non-empty and of equal length, got {left.size} and {right.size}"
        )
    return left, right
