"""A full disk or a read-only data directory: one clear error line and exit code 5 / 6 from the CLI,
507 / 503 with a JSON error from the API, never a traceback; what was acknowledged before stays.

The faults are real: each command runs in a mount namespace of its own (tests/faults.py) over a
tmpfs of a few hundred KiB, or over a folder bound read-only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pandas as pd
import pytest

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from tests.faults import (
    ADMIN,
    CLI,
    free_port,
    in_sandbox,
    read_only,
    running_server,
    serve_command,
    server_env,
    tiny_disk,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _run(setup: str, arguments: list[str]) -> subprocess.CompletedProcess[str]:
    command = in_sandbox(setup, [*CLI, *arguments])
    return subprocess.run(command, env=server_env(), capture_output=True, text=True, timeout=300)


def _assert_one_clear_error(result: subprocess.CompletedProcess[str], *, code: int, says: str) -> None:
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == code, result.stderr[-3000:]
    assert len(errors) == 1 and says in errors[0], result.stderr[-3000:]


def _events_file(path: Path, rows: int) -> Path:
    frame = pd.DataFrame({"customer_id": [f"c{i % 60}" for i in range(rows)],
                          "product_id": [f"p{(i * 7) % 40}" for i in range(rows)], "seq": range(rows)})  # fmt: skip
    frame.to_csv(path, index=False)
    return path


def _store_with_events(data_dir: Path, rows: int) -> None:
    store = Store(f"sqlite:///{data_dir / 'llm4retail.sqlite'}")
    store.upsert_records(Table.EVENTS, [{"event_id": f"e{i}", "customer_id": f"c{i % 60}",
                                         "product_id": f"p{(i * 7) % 40}", "seq": i} for i in range(rows)])  # fmt: skip
    store.close()  # a clean close folds the write-ahead log back: the folder holds the database file alone


def test_demo_init_on_a_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = _run(tiny_disk(data_dir, size_kib=1024), ["--data-dir", str(data_dir), "demo", "init", "--no-train"])
    _assert_one_clear_error(result, code=5, says="the disk is full")


def test_import_into_a_read_only_data_dir_says_it_is_read_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _store_with_events(data_dir, 10)
    events = _events_file(tmp_path / "events.csv", 100)
    result = _run(read_only(data_dir), ["--data-dir", str(data_dir), "data", "import", str(events)])
    _assert_one_clear_error(result, code=6, says="read-only")


def test_training_into_a_read_only_models_dir_says_it_is_read_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _store_with_events(data_dir, 3000)
    (data_dir / "models").mkdir()
    arguments = ["--data-dir", str(data_dir), "recommend", "train", "--models", "popularity"]
    result = _run(read_only(data_dir / "models"), arguments)
    _assert_one_clear_error(result, code=6, says="models/recommend")
    assert "read-only" in result.stderr


def test_api_writes_on_a_full_disk_answer_507_and_keep_what_was_acknowledged(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    command = in_sandbox(tiny_disk(data_dir, size_kib=1024), serve_command(data_dir, port))
    acknowledged = 0
    with running_server(command, server_env(), port) as (_server, url), httpx.Client(base_url=url, headers=ADMIN, timeout=60) as client:
        for batch in range(200):
            events = [{"event_id": f"b{batch}-{i}", "customer_id": f"c{i % 50}", "product_id": f"p{i}", "seq": i,
                       "session_id": "s" * 200} for i in range(500)]  # fmt: skip
            response = client.post("/events", json=events)
            if response.status_code != 200:
                break
            acknowledged += len(events)
        stored = client.get("/events", params={"limit": 1}).json()
        health = client.get("/health").status_code

    assert response.status_code == 507, response.text
    assert response.headers["content-type"] == "application/json"
    assert "the disk is full" in response.json()["error"]
    assert acknowledged > 0, "the disk should fill after some batches, not before the first"
    assert stored["total"] == acknowledged and health == 200


def test_api_writes_on_a_read_only_data_dir_answer_503(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    _store_with_events(data_dir, 10)
    command = in_sandbox(read_only(data_dir), serve_command(data_dir, port))
    with running_server(command, server_env(), port) as (_server, url), httpx.Client(base_url=url, headers=ADMIN, timeout=60) as client:
        written = client.post("/events", json=[{"event_id": "new", "customer_id": "c1", "product_id": "p1", "seq": 1}])
        created = client.post("/products", json={"product_id": "p1", "title": "Oak table", "price": 120.0})
        health = client.get("/health").status_code

    for response in (written, created):
        assert response.status_code == 503, response.text
        assert "read-only" in response.json()["error"]
    assert health == 200


def test_start_up_training_into_a_read_only_data_dir_logs_one_clear_line(tmp_path: Path) -> None:
    data_dir, database = tmp_path / "data", tmp_path / "db" / "llm4retail.sqlite"
    data_dir.mkdir()
    script = (
        "import logging; logging.basicConfig(level=logging.ERROR)\n"
        "from llm4retail.config import get_settings\n"
        "from llm4retail.container import Services\n"
        f"settings = get_settings(data_dir={str(data_dir)!r}, database_url={f'sqlite:///{database}'!r})\n"
        "Services(settings).train_missing(background=False)\n"
    )
    command = in_sandbox(read_only(data_dir), [sys.executable, "-c", script])
    result = subprocess.run(command, env=server_env(), capture_output=True, text=True, timeout=300)

    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "start-up training stopped: cannot write to" in result.stderr and "read-only" in result.stderr
