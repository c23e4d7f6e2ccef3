"""Writes the store cannot take answer 507 (disk full) or 503 (read-only) with a JSON error; reads go on.

In process, over real faults: SQLite's page quota (SQLITE_FULL, as on a full disk) and a PostgreSQL
session in read-only transactions (as on a hot standby). tests/test_storage_faults.py does the same
over a full tmpfs and a read-only folder, against a server process.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from llm4retail.api.app import create_app
from llm4retail.config import ModelSettings, get_settings
from llm4retail.data.store import Store
from tests.api.conftest import DEMO_AUTH, DEMO_KEY
from tests.faults import sqlite_store_with_quota

pytestmark = pytest.mark.integration


def _client(store: Store, data_dir: Path) -> TestClient:
    settings = get_settings(data_dir=data_dir, api_keys=DEMO_KEY, models=ModelSettings(train_on_start=False))
    return TestClient(create_app(settings, store=store), headers=DEMO_AUTH)


def _events(prefix: str, count: int) -> list[dict[str, object]]:
    return [{"event_id": f"{prefix}{i}", "customer_id": "c1", "product_id": f"p{i}", "seq": i, "session_id": "s" * 100}
            for i in range(count)]  # fmt: skip


def test_a_write_on_a_full_disk_answers_507_and_earlier_writes_stay(tmp_path: Path) -> None:
    store = sqlite_store_with_quota(tmp_path / "llm4retail.sqlite", spare_pages=40)
    with _client(store, tmp_path) as client:
        first = client.post("/events", json=_events("a", 10))
        full = client.post("/events", json=_events("b", 5000))
        listed = client.get("/events")

    assert first.status_code == 200
    assert full.status_code == 507 and full.headers["content-type"] == "application/json"
    assert full.json()["error"].startswith("cannot write to the database sqlite:///")
    assert "the disk is full" in full.json()["error"]
    assert listed.status_code == 200 and listed.json()["total"] == 10


def test_a_write_on_a_read_only_database_answers_503_and_reads_go_on(tmp_path: Path, postgres_schema: str) -> None:
    Store(postgres_schema).create_schema()
    store = Store(postgres_schema + "%20-cdefault_transaction_read_only%3Don")
    with _client(store, tmp_path) as client:
        created = client.post("/products", json={"product_id": "p1", "title": "Oak table", "price": 120.0})
        events = client.post("/events", json=_events("a", 3))
        listed = client.get("/products")

    for response in (created, events):
        assert response.status_code == 503, response.text
        assert "read-only" in response.json()["error"]
    assert listed.status_code == 200 and listed.json()["total"] == 0


def test_a_file_the_server_writes_on_a_full_disk_answers_507_and_other_os_errors_stay_500(tmp_path: Path) -> None:
    client = _client(Store(f"sqlite:///{tmp_path / 'llm4retail.sqlite'}"), tmp_path)
    access = {"access": "anonymous"}

    @client.app.post("/test-full", openapi_extra=access)  # type: ignore[attr-defined]
    def write_to_a_full_device() -> None:
        Path("/dev/full").write_text("x", encoding="utf-8")  # the kernel answers ENOSPC

    @client.app.post("/test-missing", openapi_extra=access)  # type: ignore[attr-defined]
    def read_a_missing_file() -> None:
        (tmp_path / "missing").read_text(encoding="utf-8")

    with client, TestClient(client.app, raise_server_exceptions=False) as quiet:
        full = client.post("/test-full")
        missing = quiet.post("/test-missing")

    assert full.status_code == 507
    assert full.json()["error"].startswith(f"cannot write to a file under {tmp_path}: the disk is full (No space left")
    assert missing.status_code == 500
