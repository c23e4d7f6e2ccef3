"""`llm4retail search train|query` (and the old `train-search`) over a demo store in a temporary data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llm4retail.cli import app

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("search-cli")
    result = runner.invoke(app, ["--data-dir", str(directory), "demo", "init", "--no-train", "--json"])
    assert result.exit_code == 0, result.output
    return directory


def test_query_needs_train_then_serves_the_saved_index(data_dir: Path) -> None:
    untrained = runner.invoke(app, ["--data-dir", str(data_dir), "search", "query", "sofa"])
    assert untrained.exit_code == 1 and "llm4retail search train" in untrained.output
    trained = runner.invoke(app, ["--data-dir", str(data_dir), "search", "train", "--no-semantic", "--json"])
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout)
    assert report["version"] == "v0001" and report["semantic"] is False and report["reranker"] is True
    assert (data_dir / "models" / "search" / "LATEST").read_text() == "v0001"
    found = runner.invoke(app, ["--data-dir", str(data_dir), "search", "grey sofa under 2000", "--top-k", "3",
                                "--in-stock", "--json"])  # fmt: skip
    assert found.exit_code == 0, found.output
    body = json.loads(found.stdout)
    assert len(body["hits"]) == 3 and all(hit["price"] <= 2000 and hit["available"] for hit in body["hits"])
    shown = runner.invoke(app, ["--data-dir", str(data_dir), "search", "query", "sofa", "--explain"])
    assert shown.exit_code == 0 and "results for 'sofa'" in shown.output and "bm25=" in shown.output
    old = runner.invoke(app, ["--data-dir", str(data_dir), "train-search", "--no-semantic"])
    assert old.exit_code == 0, old.output
    assert "search index v0002 trained" in old.output and "reranker feature importance" in old.output
