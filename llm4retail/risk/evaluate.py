"""`llm4retail risk eval`: a time split of labelled payments, every detector scored on the later part."""

from __future__ import annotations

import pandas as pd

from llm4retail.errors import DataValidationError
from llm4retail.eval import EvalReport, Timer
from llm4retail.risk.base import DetectorKind
from llm4retail.risk.model import MIN_FRAUDS, RiskModel, labels_of, time_ordered

TRAIN_SHARE = 0.7


def evaluate_risk(payments: pd.DataFrame, *, dataset: str, train_share: float = TRAIN_SHARE, seed: int = 0) -> EvalReport:
    """Fits on the earlier `train_share` of the payments (by timestamp) and scores the rest.

    Every choice (features, LightGBM size and trees, thresholds) is made inside the
    training window; the test payments are only scored. The report's `detectors` hold
    `roc_auc`, `pr_auc` and `recall_at_1pct_fpr` of the supervised, unsupervised and
    rules detectors; its metrics give the sizes and how the review threshold chosen on
    validation (for a 1% false-positive rate) fares on the test payments.

    Args:
        payments: payments with a 0/1 `label` on every row.
        dataset: name for the report.
        train_share: share of the payments (earliest first) used for training.
        seed: random seed of the models.

    Raises:
        DataValidationError: labels are missing, or a window lacks frauds or legitimate payments.
    """
    if not 0.0 < train_share < 1.0:
        raise DataValidationError(f"train_share must lie in (0, 1), got {train_share}")
    labels = labels_of(payments)
    if labels is None:
        raise DataValidationError("eval risk needs a 0/1 label on every payment (the `label` column)")
    ordered = time_ordered(payments)
    cut = int(round(len(ordered) * train_share))
    train, test = ordered.iloc[:cut], ordered.iloc[cut:].reset_index(drop=True)
    test_labels = labels_of(test)
    if test_labels is None or test_labels.min() == test_labels.max():
        raise DataValidationError("the test window (latest 30%) needs both frauds and legitimate payments")
    with Timer() as timer:
        model = RiskModel(seed=seed).fit(train)
        detectors = model.evaluate(test, history=train)
        skipped = {kind.value: f"needs at least {MIN_FRAUDS} labelled frauds and {MIN_FRAUDS} legitimate payments "
                   f"in the training window (got {int(labels_of(train).sum())} frauds)"  # type: ignore[union-attr]
                   for kind in DetectorKind if kind.value not in detectors}
        detectors.update({name: dict.fromkeys(("roc_auc", "pr_auc", "recall_at_1pct_fpr"), float("nan"))
                          for name in skipped})
        detectors = {kind.value: detectors[kind.value] for kind in DetectorKind}
        combined = pd.concat([train, test], ignore_index=True)
        active_scores = model.predict(combined)[cut:]
    flagged = active_scores >= model.thresholds_.review
    metrics = {
        "n_train": float(len(train)),
        "n_test": float(len(test)),
        "frauds_test": float(test_labels.sum()),
        "review_fpr_test": float(flagged[test_labels == 0].mean()),
        "review_recall_test": float(flagged[test_labels == 1].mean()),
    }
    supervised = model.detectors_.get(DetectorKind.SUPERVISED)
    extra = {
        "detectors": detectors,
        "skipped": skipped,
        "active": model.active_.value,
        "features": model.spec_.columns,
        "dropped_features": model.spec_.dropped,
        "supervised_selection": None if supervised is None else supervised.selection_,  # type: ignore[attr-defined]
        "thresholds": {"review": model.thresholds_.review, "decline": model.thresholds_.decline,
                       "policy": model.thresholds_.policy.value, "target": model.thresholds_.target},
    }
    return EvalReport(
        capability="risk", dataset=dataset, n=len(ordered), seconds=timer.seconds, metrics=metrics,
        models={name: values for name, values in detectors.items()}, extra=extra,
    )

