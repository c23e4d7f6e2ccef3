"""Schema migrations of the store with Alembic: `llm4retail db upgrade` brings a store made by an older
version to this version's schema in place, without losing rows.

The revisions live in `llm4retail/data/migrations/versions/`. Revision 0001 is the schema of the versions
made before migrations existed; every revision creates or changes only what is missing, so a store
without a version stamp (made by such a version, its tables created on first use) is adopted by running
all revisions over it. The embedded store and PostgreSQL migrate the same way (SQLite in Alembic's batch
mode where a table must be rebuilt).

Example:
    >>> upgrade(Store.from_settings(settings))
    {'before': None, 'after': '0002', 'applied': ['0001', '0002'], 'adopted': True, ...}
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from llm4retail.data.store import Store
from llm4retail.errors import StoreUnavailableError

logger = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The revision of this version's schema."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def revisions() -> list[dict[str, Any]]:
    """Every revision, oldest first: id and what it does (the first line of its docstring)."""
    walked = list(_scripts().walk_revisions())
    return [{"revision": script.revision, "description": (script.doc or "").strip().splitlines()[0]} for script in reversed(walked)]


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def current_revision(store: Store) -> str | None:
    """The store's schema revision; None for a store never migrated (new, or made before migrations).

    Raises:
        StoreUnavailableError: the database cannot be reached.
    """
    try:
        with store.engine.connect() as connection:
            return _current(connection)
    except OperationalError as error:
        raise StoreUnavailableError(f"cannot reach the database at {store.description}: {error.orig}") from error


def upgrade(store: Store, revision: str = "head") -> dict[str, Any]:
    """Migrates the store to `revision` (default: this version's schema) in one transaction.

    Returns:
        `before` and `after` revisions, the revisions `applied`, `adopted` (the store had tables but no
        revision stamp), and `rows` per table before and after (equal: a migration never drops rows).

    Raises:
        StoreUnavailableError: the database cannot be reached.
    """
    try:
        with store.engine.begin() as connection:
            before = _current(connection)
            tables = set(sa.inspect(connection).get_table_names()) - {VERSION_TABLE}
            rows_before = _row_counts(connection, tables)
            command.upgrade(_config(connection), revision)
            after = _current(connection)
            rows_after = _row_counts(connection, tables)
    except OperationalError as error:
        raise StoreUnavailableError(f"cannot reach the database at {store.description}: {error.orig}") from error
    scripts = _scripts()
    applied = [script.revision for script in reversed(list(scripts.iterate_revisions(after, before)))] if after != before else []
    logger.info("store schema: %s -> %s", before or "unversioned", after)
    return {"before": before, "after": after, "applied": applied, "adopted": before is None and bool(tables),
            "rows_before": rows_before, "rows_after": rows_after}  # fmt: skip


def _row_counts(connection: Connection, tables: set[str]) -> dict[str, int]:
    counts = {}
    for name in sorted(tables):
        counts[name] = int(connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one())
    return counts
