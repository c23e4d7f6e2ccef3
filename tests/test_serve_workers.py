"""`llm4retail serve --workers N`: N processes over one data dir, and one start-up trainer at a time."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from llm4retail.container import start_up_lock


def test_the_start_up_lock_lets_one_process_train_while_the_others_wait(tmp_path: Path) -> None:
    order: list[str] = []

    def trainer(name: str, hold: float) -> None:
        with start_up_lock(tmp_path / "models"):
            order.append(f"{name} in")
            time.sleep(hold)
            order.append(f"{name} out")

    first = threading.Thread(target=trainer, args=("first", 0.4))
    first.start()
    time.sleep(0.1)
    second = threading.Thread(target=trainer, args=("second", 0.0))
    second.start()
    first.join()
    second.join()

    assert order == ["first in", "first out", "second in", "second out"]


@pytest.mark.slow
@pytest.mark.integration
def test_serve_with_two_workers_answers_from_both(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = os.environ | {"LLM4RETAIL_MODELS__TRAIN_ON_START": "false", "LLM4RETAIL_API_KEYS": "workers-test-key-0123456"}
    command = [sys.executable, "-m", "llm4retail.cli", "--data-dir", str(tmp_path / "data"), "serve",
               "--port", str(port), "--workers", "2"]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        created = httpx.post(f"http://127.0.0.1:{port}/products", headers={"X-API-Key": "workers-test-key-0123456"},
                             json={"product_id": "p1", "title": "Oak table", "price": 120.0}, timeout=10)
        reads = [httpx.get(f"http://127.0.0.1:{port}/products/p1", timeout=10).status_code for _ in range(20)]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert len(children) >= 2, "uvicorn should run two worker processes"
    assert created.status_code == 201 and set(reads) == {200}, "every worker reads what one of them wrote"
