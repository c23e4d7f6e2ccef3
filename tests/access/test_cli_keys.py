"""`llm4retail keys ...` end to end: a key made on the command line opens the API, and stops when revoked."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from llm4retail.api.app import create_app
from llm4retail.cli import app
from llm4retail.config import ModelSettings, get_settings

runner = CliRunner()


def _keys(data_dir: Path, *args: str) -> dict:
    result = runner.invoke(app, ["--data-dir", str(data_dir), "keys", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_create_list_rotate_revoke_through_the_cli(tmp_path: Path) -> None:
    created = _keys(tmp_path, "create", "--name", "support desk", "--role", "staff", "--expires-in", "30d")
    settings = get_settings(data_dir=tmp_path, models=ModelSettings(train_on_start=False), auth={"key_cache_seconds": 0})

    with TestClient(create_app(settings)) as client:
        reach = client.get("/handoffs", headers={"X-API-Key": created["key"]}).status_code
        assert reach == 200
        assert client.post("/products", json={}, headers={"X-API-Key": created["key"]}).status_code == 403

        listed = _keys(tmp_path, "list")["keys"]
        assert [row["key_id"] for row in listed] == [created["key_id"]] and "key" not in listed[0]

        rotated = _keys(tmp_path, "rotate", created["key_id"])
        assert client.get("/handoffs", headers={"X-API-Key": created["key"]}).status_code == 401
        assert client.get("/handoffs", headers={"X-API-Key": rotated["key"]}).status_code == 200

        _keys(tmp_path, "revoke", rotated["key_id"])
        assert client.get("/handoffs", headers={"X-API-Key": rotated["key"]}).status_code == 401
    assert _keys(tmp_path, "list")["keys"] == []


def test_bad_options_exit_2_with_the_reason(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "keys", "create", "--name", "x", "--expires-in", "soon"])

    assert result.exit_code == 2 and "duration" in result.output
    missing = runner.invoke(app, ["--data-dir", str(tmp_path), "keys", "revoke", "nope"])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_routes_prints_the_access_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "keys", "routes"])

    assert result.exit_code == 0 and "| GET | `/customers` | owner |" in result.output
