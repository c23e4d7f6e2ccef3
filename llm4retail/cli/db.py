"""`llm4retail db upgrade|current|history`: the store's schema revision and its migrations (Alembic)."""

from __future__ import annotations

from typing import Annotated

import typer

from llm4retail.cli.common import JsonOption, capability, echo_json, store

db_app = capability("db")
commands = typer.Typer()
commands.add_typer(db_app)


@db_app.command("upgrade")
def upgrade(
    context: typer.Context,
    revision: Annotated[str, typer.Option(help="Target revision (see `llm4retail db history`).")] = "head",
    as_json: JsonOption = False,
) -> None:
    """Migrate the store's schema in place to this version's (or `--revision`), keeping every row. A store
    made before migrations existed is adopted."""
    from llm4retail.data.migrate import upgrade as run_upgrade

    target = store(context)
    report = run_upgrade(target, revision)
    if as_json:
        echo_json(report)
        return
    if not report["applied"]:
        typer.echo(f"{target.description}: schema already at {report['after']}")
        return
    typer.echo(f"{target.description}: schema {report['before'] or 'unversioned'} -> {report['after']} "
               f"(applied {', '.join(report['applied'])}); rows kept: "
               f"{sum(report['rows_after'].values()):,} in {len(report['rows_after'])} tables")  # fmt: skip


@db_app.command("current")
def current(context: typer.Context, as_json: JsonOption = False) -> None:
    """The store's schema revision and this version's."""
    from llm4retail.data.migrate import current_revision, head_revision

    result = {"current": current_revision(store(context)), "head": head_revision()}
    result["up_to_date"] = result["current"] == result["head"]
    if as_json:
        echo_json(result)
        return
    note = "up to date" if result["up_to_date"] else "run `llm4retail db upgrade`"
    typer.echo(f"schema {result['current'] or 'unversioned'}; this version's is {result['head']} ({note})")


@db_app.command("history")
def history(as_json: JsonOption = False) -> None:
    """Every schema revision, oldest first."""
    from llm4retail.data.migrate import revisions

    listed = revisions()
    if as_json:
        echo_json(listed)
        return
    for item in listed:
        typer.echo(f"{item['revision']}  {item['description']}")
