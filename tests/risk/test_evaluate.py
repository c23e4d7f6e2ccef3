"""`llm4retail eval risk` on the real ULB card samples (time split), through the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llm4retail.cli import app
from llm4retail.data.importer import read_table
from llm4retail.data.schemas import Table
from llm4retail.errors import DataValidationError
from llm4retail.risk.evaluate import evaluate_risk

pytestmark = pytest.mark.integration
UNDERSAMPLED = "fraud_creditcard/creditcard_all_frauds_plus_1230_normals.csv.gz"
RANDOM = "fraud_creditcard/creditcard_random_5000.csv.gz"


def test_eval_risk_cli_on_the_undersampled_file(datasets: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "risk", "--payments", str(datasets / UNDERSAMPLED), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    detectors = report["detectors"]
    assert set(detectors) == {"supervised", "unsupervised", "rules"}
    assert set(detectors["supervised"]) == {"roc_auc", "pr_auc", "recall_at_1pct_fpr"}
    # Reference on this split: plain LightGBM on the raw columns 0.984, isolation forest 0.878.
    assert detectors["supervised"]["roc_auc"] >= 0.98
    assert detectors["supervised"]["recall_at_1pct_fpr"] >= 0.85
    assert detectors["unsupervised"]["roc_auc"] >= 0.8
    assert report["n_train"] == 1205 and report["n_test"] == 517
    assert "Time" in report["dropped_features"]  # the running clock is left out of a time split
    assert report["review_fpr_test"] <= 0.03  # the threshold chosen on validation holds on later payments


def test_eval_risk_without_enough_frauds_still_reports(datasets: Path) -> None:
    frame, _ = read_table(datasets / RANDOM, Table.PAYMENTS)
    report = evaluate_risk(frame, dataset="random").to_json_dict()
    assert report["detectors"]["supervised"]["roc_auc"] is None and "supervised" in report["skipped"]
    assert report["detectors"]["unsupervised"]["roc_auc"] is not None


def test_eval_risk_needs_labels(datasets: Path) -> None:
    frame, _ = read_table(datasets / UNDERSAMPLED, Table.PAYMENTS)
    with pytest.raises(DataValidationError, match="label"):
        evaluate_risk(frame.drop(columns=["label"]), dataset="x")
