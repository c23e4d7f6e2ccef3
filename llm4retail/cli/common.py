"""What every command shares: global options, the one error wrapper, groups, JSON output, the store."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import click
import typer
from typer.core import TyperGroup

from llm4retail.config import Settings, get_settings
from llm4retail.errors import (
    ConfigError,
    DataValidationError,
    Llm4RetailError,
    StorageError,
    StorageFullError,
    StorageReadOnlyError,
    StoreUnavailableError,
)

if TYPE_CHECKING:
    from llm4retail.eval.report import EvalReport

EXIT_CODES: list[tuple[type[Llm4RetailError], int]] = [
    (DataValidationError, 2),
    (ConfigError, 3),
    (StoreUnavailableError, 4),
    (StorageFullError, 5),
    (StorageReadOnlyError, 6),
    (Llm4RetailError, 1),
]

JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON object.")]
RayOption = Annotated[str | None, typer.Option(
    help="Run the candidates' fits as parallel Ray tasks: 'local' (this machine), 'auto' (the running cluster) or "
         "an address (ray://host:10001); default: one after the other in this process.")]  # fmt: skip

SasrecWorkersOption = Annotated[int, typer.Option(
    min=1, help="Train SASRec data-parallel on N Ray Train workers (CPU, gloo; on --ray's cluster, else a local "
                "Ray): each computes 1/N of every batch, with the same steps and quality as one process.")]  # fmt: skip

ChoiceEnum = TypeVar("ChoiceEnum", bound=Enum)


@dataclass
class CliState:
    """Global options, turned into settings on first use."""

    config: Path | None = None
    data_dir: Path | None = None
    database_url: str | None = None
    quiet: bool = False  # no progress line (-q, or -v which logs every step instead)

    def settings(self) -> Settings:
        """Settings with the global flags as the highest-precedence source."""
        return get_settings(config_file=self.config, data_dir=self.data_dir, database_url=self.database_url)


def fail(error: Llm4RetailError) -> NoReturn:
    """Print the error and exit with its code from `EXIT_CODES`."""
    code = next(code for kind, code in EXIT_CODES if isinstance(error, kind))
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(code)


def echo_json(payload: Any) -> None:
    """One JSON object on stdout."""
    typer.echo(json.dumps(payload, ensure_ascii=False, default=str))


def settings(context: typer.Context) -> Settings:
    """The settings of this invocation (global options over environment over config file)."""
    state: CliState = context.find_object(CliState) or CliState()
    return state.settings()


def store(context: typer.Context) -> Any:
    """The configured store (embedded SQLite or Postgres)."""
    from llm4retail.data.store import Store

    return Store.from_settings(settings(context))


def services(context: typer.Context) -> Any:
    """The service container over the configured store (the same `Services` the API uses)."""
    from llm4retail.container import Services

    return Services(settings(context), store=store(context))


def emit_report(context: typer.Context, report: EvalReport, *, as_json: bool) -> None:
    """Prints an eval report (JSON or a table) and records it in `<data-dir>/evals/` for the console."""
    from llm4retail.eval import emit
    from llm4retail.eval.history import save_report

    save_report(report, settings(context).data_dir / "evals")
    emit(report, as_json=as_json)


def stdin_lines() -> Iterator[str]:
    """Lines typed at a `you> ` prompt, until an empty line or end of input."""
    while True:
        try:
            line = input("you> ")
        except EOFError:
            return
        if not line.strip():
            return
        yield line


def parse_choices(
    text: str | None, choices: type[ChoiceEnum], *, option: str = "--models", noun: str = "model"
) -> list[ChoiceEnum] | None:
    """A comma-separated list of enum values, e.g. `--models a,b` (None when not given).

    Raises:
        DataValidationError: a name is not one of `choices` (exit code 2).
    """
    if not text:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = {member.value: member for member in choices}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise DataValidationError(
            f"unknown {noun} {', '.join(map(repr, unknown))} in {option} {text!r}; choose from {', '.join(known)}"
        )
    return [known[name] for name in names]


def parse_names(text: str | None) -> list[str] | None:
    """A comma-separated list of names (None when not given); the library checks the names."""
    if not text:
        return None
    return [name.strip() for name in text.split(",") if name.strip()]


class DefaultCommandGroup(TyperGroup):
    """A group that runs `default_command` when the first token is not one of its commands.

    So `llm4retail search "red sofa"` is `llm4retail search query "red sofa"`; `--help` alone still shows
    the group's help.
    """

    default_command: str = ""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def default_to(command: str) -> type[DefaultCommandGroup]:
    """A `DefaultCommandGroup` class whose default is `command` (for `typer.Typer(cls=...)`)."""
    return type(f"DefaultTo{command.title()}", (DefaultCommandGroup,), {"default_command": command})


@dataclass(frozen=True)
class LazyCommand:
    """A top-level command defined in `module`'s `commands` Typer, imported only when it is used."""

    module: str
    help: str = ""
    hidden: bool = False


def _entry(module: str, help: str = "", *, hidden: bool = False) -> LazyCommand:
    return LazyCommand(module=f"llm4retail.cli.{module}", help=help, hidden=hidden)


# Every top-level command, in help order; hidden ones are the old names, kept for one release.
COMMANDS: dict[str, LazyCommand] = {
    "demo": _entry("data", "The bundled demo store."),
    "data": _entry("data", "Import data and inspect the store."),
    "search": _entry("search", "Product search: query, train the reranker, evaluate."),
    "recommend": _entry("recommend", "Recommendations: show, train, evaluate."),
    "risk": _entry("risk", "Payment risk: train the detectors, score payments, evaluate."),
    "segments": _entry("segments", "Customer value: RFM segments, CLV, churn, audiences, evaluation."),
    "forecast": _entry("forecast", "Demand forecast of a product, and its backtest."),
    "inventory": _entry("forecast", "Inventory advice from the demand forecast, and its replay."),
    "pricing": _entry("forecast", "Price elasticities and profit-maximising price advice."),
    "assistant": _entry("assistant", "The customer-service assistant: train, evaluate, chat, hand-offs."),
    "reviews": _entry("reviews", "Review sentiment, aspects and product summaries."),
    "catalog": _entry("catalog", "Product attribute extraction from titles and descriptions."),
    "generate": _entry("generate", "Grounded generated content: product copy and campaign messages (A/B), and their evaluation."),
    "models": _entry("models", "Trained models: list and prune saved versions; pre-train, fine-tune, compress (distil + int8) encoders."),
    "keys": _entry("keys", "API keys (create, list, rotate, revoke), customer tokens and the route × role table."),
    "db": _entry("db", "The store's schema: upgrade it in place (Alembic migrations), show its revision."),
    "voice": _entry("voice", "Voice search and voice requests: transcribe a clip and act on it; spoken-query evaluation."),
    "batch": _entry("batch", "Batch jobs over the whole store, in this process or on Ray: run, resume, status."),
    "serve": _entry("serve", "Run the REST API (OpenAPI docs at /docs)."),
    "eval": _entry("evaluate", "Evaluate a capability (old names of `<capability> eval`).", hidden=True),
    "train-search": _entry("search", hidden=True),
    "train-recommend": _entry("recommend", hidden=True),
    "chat": _entry("assistant", hidden=True),
}


def capability(name: str, *, default: str | None = None) -> typer.Typer:
    """The Typer group of one top-level command in `COMMANDS`; with `default`, a first token that is no
    sub-command runs that sub-command. Each of its commands shows a progress line on stderr while it runs."""
    group = typer.Typer(
        name=name, help=COMMANDS[name].help, no_args_is_help=True, cls=default_to(default) if default else TyperGroup
    )

    @group.callback()
    def show_progress(context: typer.Context) -> None:
        from llm4retail.cli.progress import INTERACTIVE, activity

        state: CliState = context.find_object(CliState) or CliState()
        verb = context.invoked_subcommand or ""
        context.with_resource(activity(f"llm4retail {name} {verb}", quiet=state.quiet or verb in INTERACTIVE))

    return group


class RootGroup(TyperGroup):
    """The top-level group: loads each command's module on use, and maps library errors to exit codes.

    Loading on use keeps `llm4retail search` from importing torch; the error wrapper here is the only
    one, so every command (old aliases included) exits with the code `EXIT_CODES` gives its error.
    """

    lazy: dict[str, LazyCommand] = COMMANDS

    def list_commands(self, ctx: click.Context) -> list[str]:
        visible = [name for name, entry in self.lazy.items() if not entry.hidden]
        return [*super().list_commands(ctx), *(name for name in visible if name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.lazy.get(cmd_name)
        if entry is not None and cmd_name not in self.commands:
            commands = importlib.import_module(entry.module).commands
            self.commands[cmd_name] = typer.main.get_group(commands).commands[cmd_name]
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The listing needs only names and one-line help; importing every capability (torch included)
        # just to print them would make `llm4retail --help` take seconds.
        for name, entry in self.lazy.items():
            if not entry.hidden and name not in self.commands:
                self.commands[name] = click.Command(name, help=entry.help)
        super().format_help(ctx, formatter)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Llm4RetailError as error:
            fail(error)
        except OSError as error:  # a file written outside the library's guarded writers, on a full or read-only disk
            state: CliState = ctx.find_object(CliState) or CliState()
            location = error.filename or f"a file under {state.data_dir or 'the data directory'}"
            storage = StorageError.from_exception(error, location=str(location))
            if storage is None:
                raise
            fail(storage)

