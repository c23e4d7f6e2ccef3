"""README truth: its tables name every command and route, and every example runs as written on the demo store."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from llm4retail.api.access_table import route_levels
from llm4retail.api.app import create_app
from llm4retail.cli.common import COMMANDS
from llm4retail.config import ModelSettings, get_settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SET_UP_BLOCKS = 2  # the two first commands (install and serve, install and test): CI runs them itself


def _commands() -> list[str]:
    """Every visible `group verb` (or single command) of the CLI."""
    names = []
    for name, entry in COMMANDS.items():
        if entry.hidden:
            continue
        group = get_command(importlib.import_module(entry.module).commands)
        command = getattr(group, "commands", {}).get(name, group)
        verbs = [verb for verb, sub in getattr(command, "commands", {}).items() if not sub.hidden]
        names += [f"{name} {verb}" for verb in verbs] or [name]
    return names


def _mentioned(command: str) -> bool:
    """`group verb`, or `group a|verb|b`, or a row of the group naming the verb after a `|`."""
    group, _, verb = command.partition(" ")
    if not verb:
        return f"llm4retail {group}" in README
    listed = re.findall(rf"{re.escape(group)} ([\w|\-\\\\]+)", README)
    return any(verb in re.split(r"\\?\|", words) for words in listed)


def test_every_command_is_in_the_readme() -> None:
    missing = [command for command in _commands() if not _mentioned(command)]
    assert not missing, f"README.md does not mention: {missing}"


def test_every_route_is_in_the_readme(tmp_path: Path) -> None:
    app = create_app(get_settings(data_dir=tmp_path, models=ModelSettings(train_on_start=False)))
    generic = re.sub(r"\{[^}]*\}", "{}", README)
    missing = sorted({row.path for row in route_levels(app) if re.sub(r"\{[^}]*\}", "{}", row.path) not in generic})
    assert not missing, f"README.md does not mention: {missing}"


def _blocks() -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)[SET_UP_BLOCKS:]


@pytest.mark.slow
@pytest.mark.integration
def test_every_example_runs_as_written_on_the_demo_store(tmp_path: Path) -> None:
    """The README's blocks, in order, in a working directory beside a copy of ../shared (as in a checkout),
    with the demo store made by the README's first command (`demo init`, which trains its models)."""
    work = tmp_path / "checkout"
    work.mkdir()
    (tmp_path / "shared").symlink_to(ROOT.parent / "shared")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    bin_dir = Path(sys.executable).parent
    env = os.environ | {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "LLM4RETAIL_DATA_DIR": str(tmp_path / "demo")}
    assert shutil.which("llm4retail", path=env["PATH"]) and shutil.which("curl"), "needs the console script and curl"
    init = subprocess.run(["llm4retail", "-q", "demo", "init"], cwd=work, env=env, capture_output=True, text=True, check=False)
    assert init.returncode == 0, init.stderr
    for block in _blocks():
        script = "set -euo pipefail\n" + block.replace("--port 8000", f"--port {port}").replace(":8000/", f":{port}/")
        result = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True,
                                timeout=600, check=False)  # fmt: skip
        assert result.returncode == 0, f"{block}\n--- stdout\n{result.stdout[-2000:]}\n--- stderr\n{result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr and '"error"' not in result.stdout, block
