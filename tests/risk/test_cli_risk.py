"""`llm4retail risk train|score|score-file` over a demo store in a temporary data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from llm4retail.cli import app

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("risk-cli")
    result = runner.invoke(app, ["--data-dir", str(directory), "demo", "init", "--no-train", "--json"])
    assert result.exit_code == 0, result.output
    return directory


def test_train_score_and_score_file(data_dir: Path, tmp_path: Path) -> None:
    untrained = runner.invoke(app, ["--data-dir", str(data_dir), "risk", "score", '{"amount": 1, "currency": "USD"}'])
    assert untrained.exit_code == 1 and "llm4retail risk train" in untrained.output
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"name": "huge", "feature": "amount", "operator": ">=", "value": 1000,
                                  "action": "decline"}]), encoding="utf-8")
    trained = runner.invoke(app, ["--data-dir", str(data_dir), "risk", "train", "--rules", str(rules), "--json"])
    assert trained.exit_code == 0, trained.output
    summary = json.loads(trained.stdout)
    assert summary["active"] == "supervised" and summary["version"] == "v0001"
    assert (data_dir / "models" / "risk" / "LATEST").read_text() == "v0001"
    payment = json.dumps({"amount": 25.0, "currency": "USD", "customer_id": "c00010"})
    scored = runner.invoke(app, ["--data-dir", str(data_dir), "risk", "score", payment, "--json"])
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.stdout)["decision"] in {"approve", "review", "decline"}
    huge = runner.invoke(app, ["--data-dir", str(data_dir), "risk", "score", "--what-if", "--json",
                               json.dumps({"amount": 5000.0, "currency": "USD"})])
    assert json.loads(huge.stdout)["decision"] == "decline" and json.loads(huge.stdout)["rules"] == ["huge"]
    bad = runner.invoke(app, ["--data-dir", str(data_dir), "risk", "score", '{"amount": -1, "currency": "USD"}'])
    assert bad.exit_code == 2 and "greater than or equal to 0" in bad.output
    payments = tmp_path / "payments.csv"
    pd.DataFrame({"payment_id": ["a", "b"], "amount": [10.0, 5000.0], "currency": ["USD", "USD"],
                  "timestamp": ["2026-10-01T10:00:00", "2026-10-01T03:00:00"]}).to_csv(payments, index=False)
    out = tmp_path / "scores.csv"
    batch = runner.invoke(app, ["--data-dir", str(data_dir), "risk", "score-file", str(payments), "--out", str(out)])
    assert batch.exit_code == 0, batch.output
    assert list(pd.read_csv(out).columns) == ["payment_id", "score", "decision"]


def test_models_list_and_prune(data_dir: Path, tmp_path: Path) -> None:
    for _ in range(2):
        assert runner.invoke(app, ["--data-dir", str(data_dir), "risk", "train", "--json"]).exit_code == 0
    listed = runner.invoke(app, ["--data-dir", str(data_dir), "models", "list", "--capability", "risk", "--json"])
    assert listed.exit_code == 0, listed.output
    versions = json.loads(listed.stdout)["versions"]
    assert len(versions) >= 2 and {row["capability"] for row in versions} == {"risk"}
    assert [row["latest"] for row in versions].count(True) == 1 and versions[-1]["latest"]
    assert versions[-1]["model_type"] == "risk.model" and versions[-1]["size_bytes"] > 0
    table = runner.invoke(app, ["--data-dir", str(data_dir), "models", "list"])
    assert table.exit_code == 0 and versions[-1]["version"] in table.output
    pruned = runner.invoke(app, ["--data-dir", str(data_dir), "models", "prune", "--keep", "1"])
    assert pruned.exit_code == 0, pruned.output
    assert json.loads(pruned.stdout)["removed"]["risk"] == [row["version"] for row in versions[:-1]]
    left = json.loads(runner.invoke(app, ["--data-dir", str(data_dir), "models", "list", "--json"]).stdout)["versions"]
    assert [row["version"] for row in left if row["capability"] == "risk"] == [versions[-1]["version"]]
    assert runner.invoke(app, ["--data-dir", str(data_dir), "models", "prune", "--keep", "0"]).exit_code == 2
    empty = runner.invoke(app, ["--data-dir", str(tmp_path / "none"), "models", "list"])
    assert empty.exit_code == 0 and "no trained models" in empty.output


def test_queue_lists_flagged_payments_and_label_changes_one(data_dir: Path) -> None:
    trained = runner.invoke(app, ["--data-dir", str(data_dir), "risk", "train", "--json"])
    assert trained.exit_code == 0, trained.output
    listed = runner.invoke(app, ["--data-dir", str(data_dir), "risk", "queue", "--limit", "5", "--json"])
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.stdout)["items"]
    assert 0 < len(items) <= 5 and [item["score"] for item in items] == sorted(
        (i["score"] for i in items), reverse=True
    )
    first = items[0]["payment_id"]
    marked = runner.invoke(app, ["--data-dir", str(data_dir), "risk", "label", first, "--legitimate"])
    assert marked.exit_code == 0 and "legitimate" in marked.output
    again = json.loads(
        runner.invoke(app, ["--data-dir", str(data_dir), "risk", "queue", "--limit", "5", "--json"]).stdout
    )
    assert {item["payment_id"]: item["label"] for item in again["items"]}[first] == 0
    unknown = runner.invoke(app, ["--data-dir", str(data_dir), "risk", "label", "no-such-payment", "--fraud"])
    assert unknown.exit_code != 0 and "not found" in unknown.output
