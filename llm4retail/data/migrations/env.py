"""Alembic's environment: migrations run on the connection `llm4retail.data.migrate` hands over (no URL or
logging configuration of its own). Imported outside Alembic (a package walk), it does nothing."""

from __future__ import annotations

from alembic import context


def _run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=None, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):  # only while Alembic runs this environment
    _run()
