"""The risk model end to end: fit, evaluate, save/load, and the unlabelled fallback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.errors import (
    ArtifactFormatError,
    DataValidationError,
    NotFittedError,
    NotTrainedError,
)
from llm4retail.risk.base import DetectorKind
from llm4retail.risk.model import RiskModel
from llm4retail.risk.thresholds import ThresholdPolicy

pytestmark = pytest.mark.unit


def test_fit_evaluate_save_load(payments: pd.DataFrame, tmp_path: Path) -> None:
    train, test = payments.iloc[:900], payments.iloc[900:].reset_index(drop=True)
    model = RiskModel().fit(train)
    assert model.active_ is DetectorKind.SUPERVISED
    assert {"signal", "amount", "customer_count_24h", "amount_vs_customer_mean"} <= set(model.spec_.columns)
    metrics = model.evaluate(test, history=train)
    assert set(metrics) == {"supervised", "unsupervised", "rules"}
    assert metrics["supervised"]["roc_auc"] > 0.95
    assert metrics["supervised"]["roc_auc"] > metrics["rules"]["roc_auc"]
    model.save(tmp_path / "risk")
    loaded = RiskModel.load(tmp_path / "risk")
    np.testing.assert_array_equal(loaded.predict(test), model.predict(test))
    assert loaded.thresholds_ == model.thresholds_ and loaded.summary() == model.summary()
    assert list(loaded.detectors_) == list(model.detectors_)


def test_without_labels_the_isolation_forest_decides(payments: pd.DataFrame) -> None:
    model = RiskModel().fit(payments.drop(columns=["label"]))
    assert model.active_ is DetectorKind.UNSUPERVISED and DetectorKind.SUPERVISED not in model.detectors_
    flagged = (model.predict(payments) >= model.thresholds_.review).mean()
    assert 0.0 < flagged <= 0.02  # about the 1% target on the training payments


def test_cost_policy_and_errors(payments: pd.DataFrame, tmp_path: Path) -> None:
    model = RiskModel(policy=ThresholdPolicy.COST_RATIO, target=20.0).fit(payments)
    assert model.thresholds_.policy is ThresholdPolicy.COST_RATIO
    with pytest.raises(NotFittedError):
        RiskModel().predict(payments)
    with pytest.raises(DataValidationError, match="at least 10"):
        RiskModel().fit(payments.iloc[:5])
    with pytest.raises(DataValidationError, match="label"):
        model.evaluate(payments.drop(columns=["label"]))
    with pytest.raises(NotTrainedError, match="llm4retail risk train"):
        RiskModel.load(tmp_path / "missing")


def test_a_folder_saved_before_the_shared_format_is_refused(tmp_path: Path) -> None:
    """The hand-written `meta.json` of earlier versions (no `type`) asks for a retrain."""
    old = tmp_path / "risk"
    (old / "supervised").mkdir(parents=True)
    (old / "meta.json").write_text('{"version": "0.1.0", "active": "supervised", "detectors": ["supervised"], '
                                   '"params": {"seed": 0, "threads": 1}}', encoding="utf-8")
    with pytest.raises(ArtifactFormatError, match="retrain with `llm4retail risk train`"):
        RiskModel.load(old)
