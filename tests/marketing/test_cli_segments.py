"""`llm4retail segments list|profile|export` over a demo store in a temporary data directory."""

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
    directory = tmp_path_factory.mktemp("segments-cli")
    result = runner.invoke(app, ["--data-dir", str(directory), "demo", "init", "--no-train", "--json"])
    assert result.exit_code == 0, result.output
    return directory


def test_list_profile_export(data_dir: Path, tmp_path: Path) -> None:
    untrained = runner.invoke(app, ["--data-dir", str(data_dir), "segments", "list"])
    assert untrained.exit_code == 1 and "llm4retail segments train" in untrained.output
    trained = runner.invoke(app, ["--data-dir", str(data_dir), "segments", "train", "--json"])
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout)
    assert report["version"] == "v0001" and report["purchase"]["horizon_days"] == 30
    assert (data_dir / "models" / "marketing" / "LATEST").read_text() == "v0001"
    listed = runner.invoke(app, ["--data-dir", str(data_dir), "segments", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)["segments"]
    loyal = next(row for row in rows if row["segment"] == "loyal_customers")
    out = tmp_path / "loyal.csv"
    exported = runner.invoke(app, ["--data-dir", str(data_dir), "segments", "export", "loyal_customers",
                                   "--out", str(out), "--json"])
    assert exported.exit_code == 0, exported.output
    summary = json.loads(exported.stdout)
    assert summary["customers"] == loyal["customers"]
    assert summary["expected_value"] == pytest.approx(loyal["expected_value"])
    frame = pd.read_csv(out, dtype={"customer_id": str})
    assert len(frame) == loyal["customers"] and (frame["segment"] == "loyal_customers").all()
    unknown = runner.invoke(app, ["--data-dir", str(data_dir), "segments", "export", "whales"])
    assert unknown.exit_code == 2 and "'whales' is not one of" in unknown.output and "loyal_customers" in unknown.output
    missing = runner.invoke(app, ["--data-dir", str(data_dir), "segments", "profile", "nobody"])
    assert missing.exit_code == 1 and "not found" in missing.output
