"""Model-contract cases of the risk models: each fitted on a few hundred synthetic payments."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from llm4retail.risk.base import DetectorKind
from llm4retail.risk.model import RiskModel
from llm4retail.risk.rules import RuleSet
from llm4retail.risk.supervised import GradientBoostingDetector
from llm4retail.risk.unsupervised import IsolationForestDetector
from tests.contract import ContractCase
from tests.risk.conftest import labelled_payments


@cache
def _payments() -> pd.DataFrame:
    return labelled_payments(400, seed=1)


@cache
def _matrix() -> tuple[np.ndarray, np.ndarray, list[str]]:
    model = RiskModel(seed=0).fit(_payments().drop(columns=["label"]))  # unsupervised only: quick
    matrix, _ = model.matrices(_payments())
    return matrix, _payments()["label"].to_numpy(), model.spec_.columns


def _fit_model() -> RiskModel:
    return RiskModel(seed=0).fit(_payments())


def _predict_model(model: RiskModel) -> dict[str, object]:
    scores = model.scores(_payments())
    return {"scores": {kind.value: values for kind, values in scores.items()},
            "thresholds": [model.thresholds_.review, model.thresholds_.decline], "active": model.active_.value}


def _fit_supervised() -> GradientBoostingDetector:
    matrix, labels, names = _matrix()
    return GradientBoostingDetector(n_models=2).fit(matrix, labels, feature_names=names)


def _fit_unsupervised() -> IsolationForestDetector:
    matrix, _, names = _matrix()
    return IsolationForestDetector(n_trees=20).fit(matrix, feature_names=names)


def _fit_rules() -> RuleSet:
    matrix, _, names = _matrix()
    return RuleSet().fit(matrix, feature_names=names)


def _predict_detector(detector: object) -> dict[str, object]:
    matrix = _matrix()[0]
    score, reasons = detector.explain(matrix[3], top_k=3)  # type: ignore[attr-defined]
    return {"scores": detector.score(matrix), "explained": score,  # type: ignore[attr-defined]
            "reasons": [reason.feature for reason in reasons]}


CASES = [
    ContractCase("risk.model", _fit_model, _predict_model),  # type: ignore[arg-type]
    ContractCase("risk.supervised", _fit_supervised, _predict_detector),
    ContractCase("risk.unsupervised", _fit_unsupervised, _predict_detector),
    ContractCase("risk.rules", _fit_rules, _predict_detector),
]
assert {case.model_type.split(".")[1] for case in CASES[1:]} == {kind.value for kind in DetectorKind}
