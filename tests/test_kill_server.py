"""`kill -9` of the server during a burst of event writes: every acknowledged event is stored, exactly once.

Eight threads post batches of events to a real `llm4retail serve` (one process, or two workers writing
one SQLite file) until it is killed with SIGKILL mid-burst; the store is then opened directly (SQLite recovers its write-ahead log, PostgreSQL
its own) and must hold every event of every batch answered 2xx, each once. Half the batches carry
their own `event_id`; the others get one from the server, so a marker per event (`session_id`) is
what the duplicates are counted by. Killed imports are tested in tests/data/test_importer.py.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from tests.faults import ADMIN, free_port, running_server, serve_command, server_env, stop

pytestmark = [pytest.mark.integration, pytest.mark.slow]

THREADS = 8
BATCH = 10
ACKNOWLEDGED_BEFORE_KILL = 1000  # events; the kill comes while the threads keep posting


class Burst:
    """Threads posting event batches; what was acknowledged, and how the requests after the kill failed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.acknowledged: list[str] = []
        self.refused: list[int] = []  # non-2xx answers (there should be none)
        self.cut: list[str] = []  # requests the dead server never answered
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._post, args=(number,), daemon=True) for number in range(THREADS)]

    def __enter__(self) -> Burst:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        for thread in self.threads:
            thread.join(timeout=60)

    def wait_for(self, count: int, *, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} events acknowledged in {timeout} s"
            assert not self.refused, f"the server refused event batches: {self.refused[:5]}"
            time.sleep(0.01)

    def _post(self, number: int) -> None:
        with httpx.Client(base_url=self.url, headers=ADMIN, timeout=30) as client:
            for batch in range(100_000):
                events = [_event(number, batch, index) for index in range(BATCH)]
                try:
                    response = client.post("/events", json=events)
                except httpx.HTTPError as error:  # the server is gone: this thread's burst ends
                    with self.lock:
                        self.cut.append(type(error).__name__)
                    return
                with self.lock:
                    if response.is_success:
                        self.acknowledged.extend(event["session_id"] for event in events)
                    else:
                        self.refused.append(response.status_code)


def _event(thread: int, batch: int, index: int) -> dict[str, Any]:
    marker = f"t{thread}-b{batch}-e{index}"
    event: dict[str, Any] = {
        "customer_id": f"c{thread}", "product_id": f"p{index}", "seq": batch * BATCH + index,
        "event_type": "view", "session_id": marker,
    }  # fmt: skip
    if batch % 2 == 0:  # the other half take the server's random event_id
        event["event_id"] = f"kill-{marker}"
    return event


@pytest.mark.parametrize(("backend", "workers"), [("sqlite", 1), ("sqlite", 2), ("postgresql", 1)])
def test_kill_9_mid_burst_loses_no_acknowledged_event_and_duplicates_none(
    backend: str, workers: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    data_dir = tmp_path / "data"
    if backend == "sqlite":
        url, env = f"sqlite:///{data_dir / 'llm4retail.sqlite'}", server_env()
    else:
        url = request.getfixturevalue("postgres_schema")
        env = server_env(LLM4RETAIL_DATABASE_URL=url.replace("postgresql+psycopg://", "postgresql://"))
    port = free_port()

    command = [*serve_command(data_dir, port), "--workers", str(workers)]
    with running_server(command, env, port) as (server, base_url), Burst(base_url) as burst:
        burst.wait_for(ACKNOWLEDGED_BEFORE_KILL)
        stop(server)  # SIGKILL to the server and its workers while every thread is still posting

    assert not burst.refused, f"the server refused event batches: {burst.refused[:5]}"
    assert len(burst.cut) == THREADS, "every thread should still have been posting when the server was killed"
    store = Store(url)
    stored = Counter(store.read_frame(Table.EVENTS, columns=["session_id"])["session_id"])
    store.close()
    missing = [marker for marker in burst.acknowledged if stored[marker] == 0]
    duplicated = {marker: count for marker, count in stored.items() if count > 1}
    assert not missing, f"{len(missing)} of {len(burst.acknowledged)} acknowledged events lost, e.g. {missing[:5]}"
    assert not duplicated, f"events stored more than once: {list(duplicated.items())[:5]}"
    assert len(stored) >= len(burst.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
