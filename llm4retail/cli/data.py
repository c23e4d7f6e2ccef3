"""`llm4retail demo init`, `llm4retail data import|stats`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from llm4retail.cli.common import JsonOption, capability, echo_json, services, settings, store
from llm4retail.container import SERVICE_CLASSES
from llm4retail.data.schemas import Table

demo_app = capability("demo")
data_app = capability("data")
commands = typer.Typer()
commands.add_typer(demo_app)
commands.add_typer(data_app)


@demo_app.command("init")
def demo_init(
    context: typer.Context,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same store.")] = 42,
    reset: Annotated[bool, typer.Option(help="Drop all tables first.")] = False,
    scale: Annotated[int, typer.Option(min=1, max=1000, help=(
        "Store size in demo stores: N > 1 writes N blocks of the demo's size (100: 200k products, 100k customers, "
        "~8.4M events, 10k sales series), one block at a time in bounded memory."))] = 1,
    train: Annotated[
        bool, typer.Option(help="Train every capability's default model and index, so `serve` starts warm.")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Generate the deterministic bilingual demo store into the configured store (and train its models)."""
    from llm4retail.data.demo import init_demo_store

    target = store(context)
    written = init_demo_store(target, data_dir=settings(context).data_dir, seed=seed, reset=reset, scale=scale)
    if not train:
        _print_counts(f"demo store ready in {target.description}", target.description, written, as_json=as_json)
        return
    container = services(context)
    for name in SERVICE_CLASSES:  # what `serve` would train at start-up, here, with progress
        service = container.get(name)
        if service.needs_training():
            service.run_training(on_start=True)  # its steps show on the progress line
    states = {status.capability: status.state for status in container.status()}
    if as_json:
        echo_json({"store": target.description, "tables": written, "models": states})
        return
    _print_counts(f"demo store ready in {target.description}", target.description, written, as_json=False)
    typer.echo("  models: " + ", ".join(f"{name} {state}" for name, state in states.items()))


@data_app.command("import")
def data_import(
    context: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or dataset folders (CSV, CSV.gz, JSONL(.gz), Parquet).")],
    table: Annotated[Table | None, typer.Option(help="Table of contract files (default: from name/columns).")] = None,
    chunk_rows: Annotated[int | None, typer.Option(min=1, help="Rows per chunk and transaction.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Import files or public dataset folders; prints accepted/rejected rows per table."""
    from llm4retail.data.importer import default_rejections_path, import_path

    config, target = settings(context), store(context)
    rejections = default_rejections_path(config.data_dir)
    reports = [
        import_path(path, store=target, table=table, chunk_rows=chunk_rows or config.import_chunk_rows,
                    progress=not as_json, rejections_path=rejections)
        for path in paths
    ]
    if as_json:
        merged = [report.as_dict() for report in reports]
        echo_json(merged[0] if len(merged) == 1 else {"imports": merged})
        return
    for report in reports:
        _print_import(report)


def _print_import(report: Any) -> None:
    for file in report.files:
        if file.skipped:
            typer.echo(f"skipped  {file.source}: {file.skipped}")
            continue
        typer.echo(f"imported {file.source} → {file.table}: {file.accepted:,} accepted, {file.rejected:,} rejected")
        if file.ignored_columns:
            typer.echo(f"  ignored columns: {', '.join(file.ignored_columns)}")
        for rejection in file.rejections:
            typer.echo(f"  rejected {rejection.source}:{rejection.line}: {rejection.reason}")
        if file.rejected > len(file.rejections):
            typer.echo(f"  ... {file.rejected - len(file.rejections):,} more in {report.rejections_file}")
    typer.echo("table         accepted   rejected")
    for name, totals in report.totals().items():
        typer.echo(f"{name:<12} {totals['accepted']:>9,} {totals['rejected']:>10,}")
    if report.rejections_file:
        typer.echo(f"all rejected rows: {report.rejections_file}")


@data_app.command("stats")
def data_stats(context: typer.Context, as_json: JsonOption = False) -> None:
    """Row counts of every table in the configured store."""
    target = store(context)
    _print_counts(f"store: {target.description}", target.description, target.counts(), as_json=as_json)


def _print_counts(heading: str, description: str, counts: dict[str, int], *, as_json: bool) -> None:
    if as_json:
        echo_json({"store": description, "tables": counts})
        return
    typer.echo(heading)
    for table, rows in counts.items():
        typer.echo(f"  {table:<12} {rows:>10,}")
