"""The payment-risk model: features, the three detectors and the decision thresholds, fitted on payments.

`RiskModel.fit(payments)` chooses the feature columns, fits the rules, the isolation
forest and (when the payments carry enough fraud labels) LightGBM, and chooses the
review/decline thresholds on scores the models did not train on. The supervised
detector is the active one when it exists; otherwise the unsupervised one.

Example:
    >>> model = RiskModel().fit(train_payments)
    >>> model.predict(test_payments)            # active detector's scores
    >>> model.evaluate(test_payments)           # {"supervised": {...}, "unsupervised": {...}, "rules": {...}}
    >>> model.save(folder)                      # the shared model contract; RiskModel.load(folder)

The detectors are saved as parts of the composite (`parts/rules`, `parts/unsupervised`,
`parts/supervised`); a service keeps versions in `ModelStore(..., "risk")`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Self

import numpy as np
import pandas as pd

from llm4retail.artifacts import ModelState, data_fingerprint, register_model
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.eval import binary_scores
from llm4retail.risk.base import FPR_BUDGET, DetectorKind, RiskArtifact, RiskDetector
from llm4retail.risk.features import (
    BASE_FEATURES,
    HISTORY_FEATURES,
    STATE_ONLY_FEATURES,
    FeatureSpec,
    payment_table,
    unix_seconds,
)
from llm4retail.risk.rules import Rule, RuleSet
from llm4retail.risk.supervised import GradientBoostingDetector
from llm4retail.risk.thresholds import ThresholdPolicy, Thresholds, choose_thresholds
from llm4retail.risk.unsupervised import IsolationForestDetector

logger = logging.getLogger(__name__)
MIN_FRAUDS = 10  # labelled frauds needed (in the training window) for the supervised detector
HASHED_COLUMNS = ("payment_id", "amount", "timestamp", "label")  # what identifies the training payments


def time_ordered(payments: pd.DataFrame) -> pd.DataFrame:
    """Payments sorted by timestamp (stable: ties keep their input order), with a fresh index."""
    return payments.sort_values("timestamp", kind="stable").reset_index(drop=True)


def labels_of(payments: pd.DataFrame) -> np.ndarray | None:
    """The 0/1 fraud labels, or None when any payment lacks one."""
    if "label" not in payments.columns or payments["label"].isna().any():
        return None
    return payments["label"].astype(int).to_numpy()


def labelled_rows(payments: pd.DataFrame) -> np.ndarray:
    """Mask of the payments that carry a 0/1 label (confirmed fraud, or reviewed and legitimate)."""
    if "label" not in payments.columns:
        return np.zeros(len(payments), dtype=bool)
    return payments["label"].notna().to_numpy()


@register_model("model")
class RiskModel(RiskArtifact):
    """Features, detectors and thresholds of payment-risk scoring.

    Args:
        rules: the rules (default `rules.DEFAULT_RULES`).
        policy: how thresholds are chosen.
        target: the false-positive rate (TARGET_FPR) or the cost ratio (COST_RATIO).
        seed: random seed of the models.
        threads: LightGBM threads.
    """

    def __init__(
        self,
        *,
        rules: list[Rule] | None = None,
        policy: ThresholdPolicy = ThresholdPolicy.TARGET_FPR,
        target: float = 0.01,
        seed: int = 0,
        threads: int = 1,
    ) -> None:
        if target <= 0:
            raise DataValidationError(f"target must be greater than 0, got {target}")
        self.rules = rules
        self.policy = policy
        self.target = target
        self.seed = seed
        self.threads = threads

    def fit(self, payments: pd.DataFrame) -> Self:
        """Fits every detector the payments allow, in time order.

        Raises:
            DataValidationError: the payments break the contract or are fewer than 10.
        """
        if len(payments) < 10:
            raise DataValidationError(f"need at least 10 payments to fit a risk model, got {len(payments)}")
        ordered = time_ordered(payments)
        table = payment_table(ordered)
        self.spec_ = FeatureSpec.fit(table, seconds=unix_seconds(ordered["timestamp"]))
        self.rule_columns_ = list(dict.fromkeys([*self.spec_.columns, *BASE_FEATURES, *HISTORY_FEATURES,
                                                 *STATE_ONLY_FEATURES]))
        matrix = self.spec_.matrix(table)
        # Labels arrive late and partly (chargebacks, an analyst's review): the supervised detector and
        # cost thresholds learn from the labelled payments; features still see every payment's history.
        labelled = labelled_rows(ordered)
        labels = ordered.loc[labelled, "label"].astype(int).to_numpy() if labelled.any() else None
        self.detectors_: dict[DetectorKind, RiskDetector] = {
            DetectorKind.RULES: RuleSet(self.rules).fit(table.reindex(columns=self.rule_columns_).to_numpy(float),
                                                        feature_names=self.rule_columns_),
            DetectorKind.UNSUPERVISED: IsolationForestDetector(seed=self.seed).fit(
                matrix, feature_names=self.spec_.columns),
        }
        validation: tuple[np.ndarray, np.ndarray] | None = None
        if labels is not None and MIN_FRAUDS <= labels.sum() <= labels.size - MIN_FRAUDS:
            supervised = GradientBoostingDetector(seed=self.seed, threads=self.threads)
            self.detectors_[DetectorKind.SUPERVISED] = supervised.fit(
                matrix[labelled], labels, feature_names=self.spec_.columns
            )
            validation = supervised.validation_
        else:
            logger.info("no supervised risk detector: needs labels with at least %d frauds", MIN_FRAUDS)
        self.active_ = DetectorKind.SUPERVISED if DetectorKind.SUPERVISED in self.detectors_ else DetectorKind.UNSUPERVISED
        self.thresholds_ = self._thresholds(matrix, labels, validation, labelled=labelled)
        self.training_ = {
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "n_payments": int(len(ordered)),
            "n_labelled": int(labelled.sum()),
            "n_frauds": None if labels is None else int(labels.sum()),
            "data_hash": data_fingerprint(ordered.reindex(columns=[name for name in HASHED_COLUMNS
                                                                   if name in ordered.columns])),
        }
        return self

    def summary(self) -> dict[str, Any]:
        """What `llm4retail risk train` reports: the active detector, features, thresholds and training data."""
        self._check_fitted()
        return {"active": self.active_.value, "detectors": [kind.value for kind in self.detectors_],
                "features": self.spec_.columns, "thresholds": {"review": self.thresholds_.review,
                                                               "decline": self.thresholds_.decline},
                **self.training_}

    def _thresholds(
        self,
        matrix: np.ndarray,
        labels: np.ndarray | None,
        validation: tuple[np.ndarray, np.ndarray] | None,
        *,
        labelled: np.ndarray,
    ) -> Thresholds:
        if self.active_ is DetectorKind.SUPERVISED and validation is not None:
            return choose_thresholds(validation[0], validation[1], policy=self.policy, target=self.target)
        scores = self.detectors_[self.active_].score(matrix)
        if self.policy is ThresholdPolicy.COST_RATIO and labels is not None and labels.min() != labels.max():
            return choose_thresholds(scores[labelled], labels, policy=self.policy, target=self.target)
        # Unlabelled (or too few frauds to validate): flag the target share of the training payments.
        target = self.target if self.policy is ThresholdPolicy.TARGET_FPR else 0.01
        return choose_thresholds(scores, None, policy=ThresholdPolicy.TARGET_FPR, target=target)

    def _check_fitted(self) -> None:
        if not hasattr(self, "detectors_"):
            raise NotFittedError("RiskModel is not fitted; call fit() or load() first")

    @property
    def active(self) -> RiskDetector:
        """The detector whose score drives decisions."""
        self._check_fitted()
        return self.detectors_[self.active_]

    def matrices(self, payments: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Model and rule matrices of payments (history features computed within `payments`)."""
        self._check_fitted()
        table = payment_table(payments)
        return self.spec_.matrix(table), table.reindex(columns=self.rule_columns_).to_numpy(float)

    def scores(self, payments: pd.DataFrame) -> dict[DetectorKind, np.ndarray]:
        """Every detector's scores, aligned with `payments` (rows in their given order)."""
        matrix, rule_matrix = self.matrices(payments)
        return {
            kind: detector.score(rule_matrix if kind is DetectorKind.RULES else matrix)
            for kind, detector in self.detectors_.items()
        }

    def predict(self, payments: pd.DataFrame) -> np.ndarray:
        """The active detector's scores."""
        return self.scores(payments)[self.active_]

    def evaluate(self, payments: pd.DataFrame, *, history: pd.DataFrame | None = None) -> dict[str, dict[str, float]]:
        """`roc_auc`, `pr_auc`, `recall_at_1pct_fpr` of each detector on labelled payments.

        Args:
            payments: labelled test payments.
            history: earlier payments (the training window), so that velocity features of
                the test payments see the customers' earlier history.

        Raises:
            DataValidationError: a payment has no label.
        """
        labels = labels_of(payments)
        if labels is None:
            raise DataValidationError("evaluation needs a 0/1 label on every payment")
        combined = payments if history is None else pd.concat([history, payments], ignore_index=True)
        scores = self.scores(combined)
        test = slice(len(combined) - len(payments), None)
        results = {}
        for kind in DetectorKind:
            if kind in self.detectors_:
                results[kind.value] = _binary_metrics(labels, scores[kind][test])
        return results

    def get_params(self) -> dict[str, Any]:
        return {"rules": None if self.rules is None else [rule.model_dump(mode="json") for rule in self.rules],
                "policy": self.policy.value, "target": self.target, "seed": self.seed, "threads": self.threads}

    def _state(self) -> ModelState:
        """The detectors as parts; features, thresholds and the training record as facts."""
        self._check_fitted()
        return ModelState(
            parts={kind.value: detector for kind, detector in self.detectors_.items()},
            facts={
                "active": self.active_.value,
                "detectors": [kind.value for kind in self.detectors_],  # fitting order, kept on load
                "features": self.spec_.as_dict(),
                "rule_columns": self.rule_columns_,
                "thresholds": {"review": self.thresholds_.review, "decline": self.thresholds_.decline,
                               "policy": self.thresholds_.policy.value, "target": self.thresholds_.target},
                "training": self.training_,
            },
        )

    @classmethod
    def _from_state(cls, params: dict[str, Any], state: ModelState) -> Self:
        rules = None if params["rules"] is None else [Rule.model_validate(item) for item in params["rules"]]
        model = cls(rules=rules, policy=ThresholdPolicy(params["policy"]), target=params["target"],
                    seed=params["seed"], threads=params["threads"])
        facts = state.facts
        model.spec_ = FeatureSpec(columns=facts["features"]["columns"], dropped=facts["features"]["dropped"])
        model.rule_columns_ = list(facts["rule_columns"])
        model.detectors_ = {DetectorKind(kind): state.parts[kind] for kind in facts["detectors"]}  # type: ignore[misc]
        model.active_ = DetectorKind(facts["active"])
        thresholds = facts["thresholds"]
        model.thresholds_ = Thresholds(review=thresholds["review"], decline=thresholds["decline"],
                                       policy=ThresholdPolicy(thresholds["policy"]), target=thresholds["target"])
        model.training_ = dict(facts["training"])
        return model


def _binary_metrics(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    values = binary_scores(labels, scores, fpr=FPR_BUDGET)
    return {"roc_auc": values["roc_auc"], "pr_auc": values["pr_auc"],
            "recall_at_1pct_fpr": values[f"recall@fpr={FPR_BUDGET:g}"]}
