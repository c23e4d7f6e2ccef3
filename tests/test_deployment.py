"""The deployment files: compose.yaml wires the API, PostgreSQL, Redis and Ray with health checks and
configuration the settings accept; the Dockerfile builds a CPU-only, non-root image that serves."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from llm4retail.cli import app
from llm4retail.config import clear_settings_cache, get_settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")


def _interpolate(text: str, values: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}`, with `values` set."""
    return VARIABLE.sub(lambda match: values.get(match.group(1), match.group(2) or ""), text)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(_interpolate(COMPOSE.read_text(encoding="utf-8"), {"POSTGRES_PASSWORD": "pw-for-the-test"}))


def test_compose_runs_every_part_with_health_checks(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "api", "ray-head", "ray-worker"}
    for name in ("postgres", "redis", "api", "ray-head"):
        assert services[name]["healthcheck"]["test"], f"{name} has no health check"
    assert "/ready" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["llm4retail", "db", "upgrade"]
    assert services["ray-worker"]["command"][:2] == ["ray", "start"] and "--address=ray-head:6379" in services["ray-worker"]["command"]
    volumes = {service: [volume.split(":")[0] for volume in spec.get("volumes", [])] for service, spec in services.items()}
    assert all("data" in volumes[name] for name in ("api", "ray-head", "ray-worker", "migrate"))  # one models folder


def test_compose_configuration_is_valid_settings(compose: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    environment = compose["services"]["api"]["environment"]
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    clear_settings_cache()
    settings = get_settings()
    assert settings.database_url_resolved.startswith("postgresql+psycopg://llm4retail:pw-for-the-test@postgres:5432/")
    assert settings.api.rate_limit.redis_url == "redis://redis:6379/0"
    assert settings.risk.redis_url == "redis://redis:6379/1"
    assert settings.batch.ray_address == "ray-head:6379"
    assert settings.redis_url == "redis://redis:6379/2"  # the change feed between the API workers
    known = {f"LLM4RETAIL_{name.upper()}" for name in type(settings).model_fields}
    for name in environment:  # a misspelt variable would be ignored silently by the settings
        assert any(name == field or name.startswith(field + "__") for field in known), name


def test_compose_requires_a_database_password() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert "${POSTGRES_PASSWORD:?" in text and "POSTGRES_PASSWORD:-" not in text


def test_api_command_is_a_real_serve_invocation(compose: dict) -> None:
    from typer.testing import CliRunner

    command = compose["services"]["api"]["command"]
    assert command[:2] == ["llm4retail", "serve"]
    help_text = CliRunner().invoke(app, ["serve", "--help"]).output
    for option in (part for part in command[2:] if part.startswith("--")):
        assert option in help_text, option


def test_dockerfile_builds_a_cpu_only_non_root_server_image() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    instructions = [line.split()[0] for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert instructions[0] == "FROM" and "python:3.11" in text.splitlines()[3]
    assert "download.pytorch.org/whl/cpu torch==2.13.0" in text  # never the CUDA build
    assert re.search(r"^USER app$", text, re.MULTILINE) and "HEALTHCHECK" in instructions and "EXPOSE 8000" in text
    assert '"llm4retail", "serve", "--host", "0.0.0.0"' in text
    pinned = re.search(r'"torch==([\d.]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pinned and f"torch=={pinned.group(1)}" in text


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,  # noqa: S607
    reason="Docker Compose is not installed here (the file is checked by the tests above)",
)
def test_docker_compose_accepts_the_file() -> None:
    result = subprocess.run(  # noqa: S603
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],  # noqa: S607
        capture_output=True, text=True, env={"POSTGRES_PASSWORD": "pw", "PATH": "/usr/bin:/usr/local/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None,
                    reason="docker-compose (v1, Debian's package) is not installed here")  # fmt: skip
def test_docker_compose_v1_validates_the_services(tmp_path: Path) -> None:
    """Compose v1 (`apt-get install docker-compose`, no Docker daemon needed) checks every service against the
    Compose schema; it predates the top-level `name`, which is left out of its copy."""
    text = COMPOSE.read_text(encoding="utf-8")
    assert re.search(r"^name: ", text, re.MULTILINE)
    copy = tmp_path / "compose.yaml"
    copy.write_text(re.sub(r"^name: .*\n", "", text, flags=re.MULTILINE), encoding="utf-8")
    for name in ("Dockerfile", "pyproject.toml"):  # the build context the file names
        shutil.copy(ROOT / name, tmp_path / name)
    result = subprocess.run(  # noqa: S603
        ["docker-compose", "-f", str(copy), "config", "--quiet"],  # noqa: S607
        capture_output=True, text=True, cwd=tmp_path, env={"POSTGRES_PASSWORD": "pw", "PATH": "/usr/bin:/usr/local/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(copy.read_text(encoding="utf-8").replace("healthcheck:", "health_check:", 1), encoding="utf-8")
    refused = subprocess.run(  # noqa: S603
        ["docker-compose", "-f", str(broken), "config", "--quiet"],  # noqa: S607
        capture_output=True, text=True, cwd=tmp_path, env={"POSTGRES_PASSWORD": "pw", "PATH": "/usr/bin:/usr/local/bin"},
    )  # fmt: skip
    assert refused.returncode != 0  # the check does catch a wrong key
