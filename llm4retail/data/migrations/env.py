"""Alembic's environment: migrations run on the connection `llm4retail.data.migrate` hands over (no URL or
logging configuration of its own)."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
