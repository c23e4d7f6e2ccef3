"""Long CLI work is visible on stderr, silenced by -q, and never mixed into --json output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "llm4retail.cli", "--data-dir", str(data_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def test_training_shows_its_steps_on_stderr_and_keeps_json_clean(tmp_path: Path) -> None:
    init = _run(tmp_path, "--verbose", "demo", "init", "--no-train", "--json")
    assert init.returncode == 0, init.stderr

    shown = _run(tmp_path, "search", "train", "--no-semantic", "--json")
    quiet = _run(tmp_path, "-q", "search", "train", "--no-semantic", "--json")

    assert shown.returncode == 0 and quiet.returncode == 0, shown.stderr + quiet.stderr
    assert json.loads(shown.stdout)["version"] and json.loads(quiet.stdout)["version"]
    assert "published search model" in shown.stderr and "s]" in shown.stderr
    assert quiet.stderr == ""
