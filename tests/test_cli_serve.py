"""Tests of `llm4retail serve`: what it hands to uvicorn (the server itself is tested in tests/api)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from llm4retail.cli import app

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("configured", "trusted"), [(None, []), ("10.1.2.3/8,127.0.0.1", ["10.0.0.0/8", "127.0.0.1/32"])])
def test_uvicorn_trusts_forwarded_headers_only_from_the_configured_proxies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, configured: str | None, trusted: list[str]
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: calls.append(options))
    if configured is not None:
        monkeypatch.setenv("LLM4RETAIL_API__TRUSTED_PROXIES", configured)

    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), "serve", "--port", "8123"])

    assert result.exit_code == 0, result.output
    assert calls[0]["port"] == 8123
    assert calls[0]["forwarded_allow_ips"] == trusted  # never uvicorn's own default (loopback)


@pytest.mark.parametrize(("configured", "expected"), [(None, "1"), ("3", None)])
def test_workers_share_the_cpus_for_search_unless_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, configured: str | None, expected: str | None
) -> None:
    """`serve --workers N` gives each worker cpu_count // N search slots (at least 1); a configured value stays."""
    import os

    monkeypatch.setattr(uvicorn, "run", lambda application, **options: None)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.delenv("LLM4RETAIL_API__CPU_SLOTS", raising=False)
    if configured is not None:
        monkeypatch.setenv("LLM4RETAIL_API__CPU_SLOTS", configured)
    for variable in ("LLM4RETAIL_DATA_DIR", "LLM4RETAIL_DATABASE_URL", "LLM4RETAIL_CONFIG"):
        monkeypatch.delenv(variable, raising=False)  # serve sets them for its workers; restored after the test

    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), "serve", "--workers", "4"])

    assert result.exit_code == 0, result.output
    assert os.environ["LLM4RETAIL_API__CPU_SLOTS"] == (expected or configured)


@pytest.mark.parametrize(("configured", "expected"), [(None, 120), ("900", 900)])
def test_workers_get_time_to_load_before_the_supervisor_kills_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, configured: str | None, expected: int
) -> None:
    """uvicorn's supervisor kills a worker that leaves its liveness ping unanswered for 5 s by default; loading a
    100x store's index held a worker longer, so both workers were killed and restarted before serving."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: calls.append(options))
    monkeypatch.delenv("LLM4RETAIL_API__WORKER_HEALTHCHECK_SECONDS", raising=False)
    if configured is not None:
        monkeypatch.setenv("LLM4RETAIL_API__WORKER_HEALTHCHECK_SECONDS", configured)
    for variable in ("LLM4RETAIL_DATA_DIR", "LLM4RETAIL_DATABASE_URL", "LLM4RETAIL_CONFIG", "LLM4RETAIL_API__CPU_SLOTS"):
        monkeypatch.delenv(variable, raising=False)

    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), "serve", "--workers", "2"])

    assert result.exit_code == 0, result.output
    assert calls[0]["timeout_worker_healthcheck"] == expected and calls[0]["workers"] == 2
