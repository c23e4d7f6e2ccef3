"""The `llm4retail` command line: a thin layer over the library (parse, call one function, print).

`llm4retail [--config FILE] [--data-dir DIR] [--database-url URL] [-v] CAPABILITY VERB ...`, where the
verbs are `train`, `eval` and the capability's serving verb (`search query`, `recommend show`,
`forecast predict`, ...). Each capability's commands live in their own module and are imported only
when used (see `common.COMMANDS`).

Exit codes: 0 success, 1 other domain error, 2 bad input data or option value, 3 bad configuration,
4 database unreachable, 5 disk full, 6 data directory or database read-only.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from llm4retail.cli.common import EXIT_CODES, CliState, RootGroup

__all__ = ["EXIT_CODES", "app", "main"]

app = typer.Typer(
    help="LLMforRetail: retail search, recommendations, assistant and analytics.", no_args_is_help=True, cls=RootGroup
)


@app.callback()
def main_options(
    context: typer.Context,
    config: Annotated[Path | None, typer.Option(help="TOML config file (else LLM4RETAIL_CONFIG).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Data directory (else LLM4RETAIL_DATA_DIR).")] = None,
    database_url: Annotated[
        str | None, typer.Option(help="postgresql://... (else LLM4RETAIL_DATABASE_URL; unset = embedded)")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step to stderr.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no warnings on stderr (errors only).")] = False,
) -> None:
    """Global options apply to every command."""
    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)  # the progress line may lower llm4retail's level; the log stays at this one
    if quiet:
        os.environ["TQDM_DISABLE"] = "1"
    # progress lines (cli/progress.py) are shown by each capability group; -v logs every step instead
    context.obj = CliState(config=config, data_dir=data_dir, database_url=database_url, quiet=quiet or verbose)


def main() -> None:
    """Console-script entry point."""
    app()
