"""`serve` on a store without models: every capability is trained in the background, `/ready` shows it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from llm4retail.api.app import create_app
from llm4retail.config import get_settings
from llm4retail.container import SERVICE_CLASSES
from llm4retail.data.demo import init_demo_store
from llm4retail.data.store import Store

pytestmark = pytest.mark.integration


def test_start_up_trains_every_capability_in_the_background(tmp_path: Path) -> None:
    settings = get_settings(data_dir=tmp_path)
    assert settings.models.train_on_start
    store = Store.from_settings(settings)
    init_demo_store(store, data_dir=tmp_path)
    with TestClient(create_app(settings, store=store)) as client:
        first = client.get("/ready").json()
        assert first["status"] == "ready"  # the server answers while it trains
        assert {row["capability"] for row in first["models"]} == set(SERVICE_CLASSES)
        deadline = time.monotonic() + 600
        while client.get("/ready").json()["training"] and time.monotonic() < deadline:
            time.sleep(1)
        states = {row["capability"]: row for row in client.get("/ready").json()["models"]}
    failed = {name: row for name, row in states.items() if row["state"] not in {"ready", "no_model"}}
    assert not failed, failed
    trained = [name for name, row in states.items() if row["state"] == "ready"]
    assert all((tmp_path / "models" / name / "LATEST").is_file() for name in trained)
    assert {"recommend", "risk", "forecast", "reviews", "catalog"} <= set(trained)
