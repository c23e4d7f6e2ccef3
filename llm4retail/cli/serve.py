"""`llm4retail serve`: the REST API."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from llm4retail.cli.common import COMMANDS, CliState, settings

commands = typer.Typer()


@commands.command("serve", help=COMMANDS["serve"].help)
def serve(
    context: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (one trains at start-up, all serve).")] = 1,
) -> None:
    """Run the REST API (OpenAPI docs at /docs)."""
    import uvicorn

    from llm4retail.api.app import create_app

    app_settings = settings(context)
    # uvicorn believes X-Forwarded-For from the proxies the app trusts, and no others (its own default is loopback).
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info",
                               "forwarded_allow_ips": app_settings.api.trusted_proxies}
    if workers == 1:
        uvicorn.run(create_app(app_settings), **options)
        return
    # Worker processes build their app from the environment: pass the global options on through it.
    state: CliState = context.find_object(CliState) or CliState()
    os.environ["LLM4RETAIL_DATA_DIR"] = str(app_settings.data_dir)
    if state.database_url:
        os.environ["LLM4RETAIL_DATABASE_URL"] = state.database_url
    if state.config:
        os.environ["LLM4RETAIL_CONFIG"] = str(state.config)
    if app_settings.api.cpu_slots is None:  # each worker's share of the cores, not all of them each
        os.environ["LLM4RETAIL_API__CPU_SLOTS"] = str(worker_cpu_slots(workers))
    # A worker loading a large store's models can hold the GIL long enough to miss the supervisor's 5 s liveness
    # ping, which then kills and restarts it before it ever serves.
    uvicorn.run("llm4retail.api.app:app_from_environment", factory=True, workers=workers,
                timeout_worker_healthcheck=app_settings.api.worker_healthcheck_seconds, **options)


def worker_cpu_slots(workers: int) -> int:
    """Searches one of `workers` processes computes at once by default: its share of the CPUs (at least one).

    Every worker defaulting to all the CPUs puts workers x CPUs searches on the cores at once; the extra ones
    only contend for the cores and, within a worker, for the GIL with its query encoder's thread.
    """
    return max(1, (os.cpu_count() or 1) // workers)
