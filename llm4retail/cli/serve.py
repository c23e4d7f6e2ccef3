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

    uvicorn.run(create_app(settings(context)), host=host, port=port, log_level="info")
