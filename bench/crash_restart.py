"""Restart time of the server after a crash (`kill -9`) that follows live catalog changes.

On a copy of a store (made by `llm4retail --data-dir D demo init`), the script starts `llm4retail serve`,
waits for the search index, rewrites the titles of `--changed` products through `POST /products/bulk`
(the live index re-indexes them), waits for the search checkpoint (when enabled), kills the server
with SIGKILL, starts it again and measures how long the first search takes to answer. With
`--checkpoint-seconds 0` (checkpoints off: the index is saved only on a clean shutdown) the restart
re-indexes every changed product; with checkpoints on it loads the checkpoint.

Usage:
    python bench/crash_restart.py --data-dir D --checkpoint-seconds 0
    python bench/crash_restart.py --data-dir D --checkpoint-seconds 5

Prints one JSON object: seconds to `/health` (process up) and to the first search after the restart,
whether it came from a checkpoint, and whether the changed titles are found.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from llm4retail.config import get_settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store

logger = logging.getLogger("bench.crash_restart")
KEY = "bench-crash-restart-key-0123456789"
MARK = "Relabelled"  # appended to every changed title


def _start(data_dir: Path, *, port: int, checkpoint_seconds: float, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LLM4RETAIL_API_KEYS": KEY, "LLM4RETAIL_API__RATE_LIMIT__ENABLED": "false",
           "LLM4RETAIL_MODELS__TRAIN_ON_START": "false",
           "LLM4RETAIL_MODELS__CHECKPOINT_SECONDS": str(checkpoint_seconds)}  # fmt: skip
    command = [sys.executable, "-m", "llm4retail.cli", "--data-dir", str(data_dir), "--verbose", "serve", "--port", str(port)]
    with log.open("ab") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603


def _wait(url: str, *, params: dict[str, Any] | None = None, timeout: float = 600.0) -> float:
    """Seconds until `url` answers 200."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if httpx.get(url, params=params, timeout=120).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer 200 within {timeout} s")


def _change_titles(base: str, data_dir: Path, *, count: int) -> float:
    """Rewrites the titles of `count` products through the API; returns the seconds it took."""
    store = Store.from_settings(get_settings(data_dir=data_dir))
    products = store.read_frame(Table.PRODUCTS).head(count)
    store.close()
    products["title"] = products["title"] + f" {MARK}"
    rows = json.loads(products.to_json(orient="records", date_format="iso"))
    started = time.perf_counter()
    for start in range(0, len(rows), 250):
        response = httpx.post(f"{base}/products/bulk", json=rows[start : start + 250], headers={"X-API-Key": KEY}, timeout=600)
        response.raise_for_status()
    return time.perf_counter() - started


def _wait_for_checkpoint(data_dir: Path, *, after: float, timeout: float) -> bool:
    pointer = data_dir / "models" / "search" / "CHECKPOINT"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pointer.is_file() and pointer.stat().st_mtime > after:
            return True
        time.sleep(0.1)
    return False


def run(data_dir: Path, *, checkpoint_seconds: float, changed: int, port: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="crash-restart-"))
    copy = work / "store"
    shutil.copytree(data_dir, copy)
    base, log = f"http://127.0.0.1:{port}", work / "server.log"
    server = _start(copy, port=port, checkpoint_seconds=checkpoint_seconds, log=log)
    try:
        first_search = _wait(f"{base}/search", params={"q": "sofa"})
        write_seconds = _change_titles(base, copy, count=changed)
        written_at = time.time()
        checkpointed = checkpoint_seconds > 0 and _wait_for_checkpoint(copy, after=written_at - 1, timeout=checkpoint_seconds + 300)
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # the crash: no shutdown, nothing saved by close()
        server.wait()
    started = time.perf_counter()
    server = _start(copy, port=port, checkpoint_seconds=checkpoint_seconds, log=log)
    try:
        up = _wait(f"{base}/health")
        _wait(f"{base}/search", params={"q": "sofa"})
        restart = time.perf_counter() - started
        hits = httpx.get(f"{base}/search", params={"q": MARK.lower(), "top_k": 5}, timeout=60).json()["hits"]
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    text = log.read_text(encoding="utf-8", errors="replace")
    result = {
        "checkpoint_seconds": checkpoint_seconds, "changed_products": changed,
        "first_start_search_s": round(first_search, 2), "bulk_write_s": round(write_seconds, 2),
        "checkpoint_written_before_kill": checkpointed, "restart_health_s": round(up, 2),
        "restart_first_search_s": round(restart, 2), "loaded_from_checkpoint": "from its checkpoint" in text,
        "changed_titles_found": bool(hits) and all(MARK in hit["title"] for hit in hits),
        "top_titles": [hit["title"] for hit in hits[:3]],
    }  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a store made by `llm4retail demo init` (copied, not changed)")
    parser.add_argument("--checkpoint-seconds", type=float, default=5.0, help="models.checkpoint_seconds (0: checkpoints off)")
    parser.add_argument("--changed", type=int, default=2000, help="products whose titles change before the crash")
    parser.add_argument("--port", type=int, default=8765)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    result = run(arguments.data_dir, checkpoint_seconds=arguments.checkpoint_seconds, changed=arguments.changed, port=arguments.port)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
