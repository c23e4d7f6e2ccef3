"""`llm4retail serve`: the REST API."""

from __future__ import annotations

from typing import Annotated

import typer

from llm4retail.cli.common import COMMANDS, settings

commands = typer.Typer()


@commands.command("serve", help=COMMANDS["serve"].help)
def serve(
    context: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Run the REST API (OpenAPI docs at /docs)."""
    import uvicorn

    from llm4retail.api.app import create_app

    app_settings = settings(context)
    # uvicorn believes X-Forwarded-For from the proxies the app trusts, and no others (its own default is loopback).
    uvicorn.run(
        create_app(app_settings), host=host, port=port, log_level="info",
        forwarded_allow_ips=app_settings.api.trusted_proxies,
    )
