"""Fault injection for the fault tests: `llm4retail serve` as a real process, a mount sandbox, a SQLite quota.

The sandbox runs a shell script in a new user and mount namespace (`unshare --user --map-root-user
--mount`), where it may mount a tiny tmpfs (a disk that fills up) or bind a folder read-only; chmod
alone cannot make a folder read-only for root, which is who runs the tests in CI containers.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest
import sqlalchemy as sa

from llm4retail.data.store import Store

ADMIN_KEY = "faults-test-admin-key-0123456789"
ADMIN = {"X-API-Key": ADMIN_KEY}
CLI = [sys.executable, "-m", "llm4retail.cli"]


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a test server: one admin key, no start-up training, no rate limit."""
    return os.environ | {
        "LLM4RETAIL_API_KEYS": ADMIN_KEY,
        "LLM4RETAIL_MODELS__TRAIN_ON_START": "false",
        "LLM4RETAIL_API__RATE_LIMIT__ENABLED": "false",
        **extra,
    }


def serve_command(data_dir: Path, port: int) -> list[str]:
    """The command line of a one-process server over `data_dir`."""
    return [*CLI, "--data-dir", str(data_dir), "-q", "serve", "--host", "127.0.0.1", "--port", str(port)]


def wait_until_up(server: subprocess.Popen[bytes], url: str, *, log: IO[bytes], timeout: float = 120.0) -> None:
    """Returns once `url`/health answers 200; fails with the server's output (`log`) if it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            stop(server)
            log.seek(0)
            output = log.read().decode(errors="replace")
            pytest.fail(f"the server did not start (exit code {server.returncode}):\n{output[-3000:]}")
        time.sleep(0.2)


def stop(server: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGKILL) -> None:
    """Sends `sig` to the server's process group (it runs in a session of its own) and reaps it."""
    if server.poll() is None:
        os.killpg(server.pid, sig)
    server.wait(timeout=60)


@contextmanager
def running_server(command: Sequence[str], env: Mapping[str, str], port: int) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A started server and its base URL; killed (SIGKILL) on the way out if it still runs. Its output goes
    to a temporary file (a pipe nobody reads would fill up with access-log lines and stall it)."""
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(list(command), env=dict(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(server, url, log=log)
            yield server, url
        finally:
            stop(server)


def sandbox_available() -> bool:
    """True when this machine lets an unprivileged process mount in a namespace of its own."""
    try:
        probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def in_sandbox(setup: str, command: Sequence[str]) -> list[str]:
    """A command line that runs the shell `setup` (mounts) in a new user and mount namespace, then execs `command`.

    Skips the calling test (with the reason) where namespaces are not allowed (some container runtimes).
    """
    if not sandbox_available():
        pytest.skip("needs `unshare --user --mount` to mount a tiny or read-only file system; this machine forbids it")
    script = f"set -e; {setup}; exec {shlex.join(command)}"
    return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script]


def tiny_disk(folder: Path, *, size_kib: int) -> str:
    """Sandbox setup: a tmpfs of `size_kib` KiB mounted on `folder` (a disk that fills up)."""
    return f"mkdir -p {shlex.quote(str(folder))}; mount -t tmpfs -o size={size_kib}k tmpfs {shlex.quote(str(folder))}"


def read_only(folder: Path) -> str:
    """Sandbox setup: `folder` bound onto itself read-only."""
    quoted = shlex.quote(str(folder))
    return f"mount --bind {quoted} {quoted}; mount -o remount,ro,bind {quoted}"


def sqlite_store_with_quota(path: Path, *, spare_pages: int) -> Store:
    """An embedded store (schema created) whose file may grow by `spare_pages` pages of 4 KiB: beyond that
    SQLite answers SQLITE_FULL, as it does on a full disk (its `max_page_count` quota, set on every connection)."""
    store = Store(f"sqlite:///{path}")
    store.create_schema()
    with store.engine.connect() as connection:
        pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one()) + spare_pages
    sa.event.listen(store.engine, "connect", lambda dbapi, _record: dbapi.execute(f"PRAGMA max_page_count = {pages}"))
    store.engine.dispose()  # the pooled connections have no quota yet
    return store
