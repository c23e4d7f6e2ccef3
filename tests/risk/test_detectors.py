"""Contract test run by every detector on data with a known answer, plus exactness of the fast paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.risk.base import RiskDetector
from llm4retail.risk.rules import Operator, Rule, RuleSet
from llm4retail.risk.supervised import GradientBoostingDetector
from llm4retail.risk.unsupervised import IsolationForestDetector

pytestmark = pytest.mark.unit
NAMES = ["signal", "noise_a", "noise_b"]


def known_answer(n_rows: int = 1500, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Fraud (5%) sits far out on `signal`; the other columns are noise; a few values are missing."""
    rng = np.random.default_rng(seed)
    labels = (rng.random(n_rows) < 0.05).astype(int)
    matrix = rng.normal(size=(n_rows, 3))
    matrix[:, 0] += 6.0 * labels
    matrix[rng.random(matrix.shape) < 0.02] = np.nan
    matrix[labels == 1, 0] = np.abs(matrix[labels == 1, 0]) + 6.0  # keep every fraud's signal present
    return matrix, labels


DETECTORS = {
    "supervised": lambda: GradientBoostingDetector(n_models=2),
    "unsupervised": lambda: IsolationForestDetector(n_trees=50),
    "rules": lambda: RuleSet([Rule(name="far", feature="signal", operator=Operator.GE, quantile=0.95),
                              Rule(name="odd", feature="noise_a", operator=Operator.GE, value=10.0)]),
}


@pytest.mark.parametrize("name", list(DETECTORS))
def test_detector_contract(name: str, tmp_path: Path) -> None:
    matrix, labels = known_answer()
    detector: RiskDetector = DETECTORS[name]()
    with pytest.raises(NotFittedError):
        detector.score(matrix)
    detector.fit(matrix[:1000], labels[:1000], feature_names=NAMES)
    scores = detector.score(matrix[1000:])
    assert scores.shape == (500,) and np.all((scores >= 0) & (scores <= 1))
    metrics = detector.evaluate(matrix[1000:], labels[1000:])
    assert metrics["roc_auc"] > 0.9, metrics
    fraud_row = matrix[1000:][labels[1000:] == 1][0]
    _, reasons = detector.explain(fraud_row)
    assert reasons and reasons[0].feature == "signal"
    detector.save(tmp_path / name)
    loaded = type(detector).load(tmp_path / name)
    np.testing.assert_allclose(loaded.score(matrix[1000:]), scores)
    with pytest.raises(DataValidationError, match="feature columns"):
        detector.score(matrix[:, :2])


def test_tree_contributions_sum_to_the_booster_score() -> None:
    matrix, labels = known_answer()
    detector = GradientBoostingDetector(n_models=3).fit(matrix, labels, feature_names=NAMES)
    expected = detector.score(matrix[:50])
    for row, probability in zip(matrix[:50], expected):
        score, contributions = detector.raw_contributions(row)
        assert score == pytest.approx(probability, abs=1e-12)
        assert contributions.shape == (3,)


def test_isolation_forest_arrays_match_scikit_learn() -> None:
    matrix, _ = known_answer()
    detector = IsolationForestDetector(n_trees=30, seed=3).fit(matrix, feature_names=NAMES)
    filled = np.where(np.isnan(matrix), detector.medians_, matrix)
    forest = IsolationForest(n_estimators=30, max_samples=256, random_state=3).fit(filled)
    np.testing.assert_allclose(detector.score(matrix), -forest.score_samples(filled), atol=1e-12)


def test_supervised_refuses_missing_or_single_class_labels() -> None:
    matrix, labels = known_answer()
    with pytest.raises(DataValidationError, match="labels"):
        GradientBoostingDetector().fit(matrix, None, feature_names=NAMES)
    with pytest.raises(DataValidationError, match="both frauds"):
        GradientBoostingDetector().fit(matrix, np.zeros_like(labels), feature_names=NAMES)
