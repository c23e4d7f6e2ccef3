"""Schema migrations (Alembic) on both real backends: a store made by the previous schema upgrades in
place without losing rows, the migrated schema is exactly the tables the code defines, and a store
without a version stamp is adopted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from llm4retail.access import keys
from llm4retail.assistant import state
from llm4retail.batch import tables as batch_tables
from llm4retail.data import impressions
from llm4retail.data.migrate import current_revision, head_revision, revisions, upgrade
from llm4retail.data.schemas import SPECS
from llm4retail.data.store import Store, build_metadata, frame_to_records
from llm4retail.data.synthetic import generate_demo_store

SIZES = {"n_products": 120, "n_customers": 40, "n_days_sales": 30, "n_sales_products": 2}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A database with no table at all, on each backend."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}" if request.param == "sqlite" else request.getfixturevalue("postgres_schema")
    store = Store(url)
    yield store
    store.close()


def _every_table() -> sa.MetaData:
    """The tables this version's code creates: the contract's and every component's."""
    metadata, _ = build_metadata()
    for component in (keys.METADATA, state.METADATA, impressions.METADATA, batch_tables.METADATA,
                      batch_tables.RECOMMENDATIONS.metadata):
        for table in component.tables.values():
            table.to_metadata(metadata)
    return metadata


def _fill_previous_schema(store: Store) -> dict[str, int]:
    """Rows written the way the previous version wrote them (plain inserts, no table created on the way)."""
    _, tables = build_metadata()
    demo = generate_demo_store(seed=5, **SIZES)
    with store.engine.begin() as connection:
        for table, frame in demo.tables.items():
            connection.execute(tables[table].insert(), frame_to_records(SPECS[table], frame))
    return {table.value: len(frame) for table, frame in demo.tables.items()}


@pytest.mark.parametrize("stamped", [True, False], ids=["stamped", "unversioned"])
def test_a_store_of_the_previous_schema_upgrades_in_place(empty_store: Store, stamped: bool) -> None:
    upgrade(empty_store, "0001")
    written = _fill_previous_schema(empty_store)
    if not stamped:  # made before migrations existed: tables, no version stamp
        with empty_store.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE alembic_version"))
    assert "batch_runs" not in sa.inspect(empty_store.engine).get_table_names()

    report = upgrade(empty_store)

    assert report["before"] == ("0001" if stamped else None) and report["after"] == head_revision() == "0003"
    assert report["applied"] == (["0002", "0003"] if stamped else ["0001", "0002", "0003"]) and report["adopted"] is not stamped
    assert report["rows_before"] == report["rows_after"]
    assert {name: report["rows_after"][name] for name in written} == written
    inspector = sa.inspect(empty_store.engine)
    assert {"batch_runs", "batch_chunks", "batch_recommendations", "batch_product_embeddings"} <= set(inspector.get_table_names())
    assert "ix_payments_customer_id" in {index["name"] for index in inspector.get_indexes("payments")}
    assert current_revision(empty_store) == "0003"
    assert upgrade(empty_store)["applied"] == []  # a second run changes nothing


def test_the_migrated_schema_is_the_schema_of_the_code(empty_store: Store) -> None:
    upgrade(empty_store)
    with empty_store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), _every_table())
    assert differences == [], "a table or index changed without a migration: add a revision under data/migrations"


def test_a_store_created_by_this_version_is_adopted_unchanged(empty_store: Store) -> None:
    empty_store.create_schema()
    for component in (keys.METADATA, state.METADATA, impressions.METADATA, batch_tables.METADATA,
                      batch_tables.RECOMMENDATIONS.metadata):
        empty_store.ensure_tables(component)
    report = upgrade(empty_store)
    assert report["adopted"] and report["after"] == "0003"
    with empty_store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), _every_table()) == []


def test_cli_reports_and_upgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    store = Store(url)
    upgrade(store, "0001")
    cli = [sys.executable, "-m", "llm4retail.cli", "--database-url", url, "db"]
    before = json.loads(subprocess.run([*cli, "current", "--json"], capture_output=True, text=True, check=True).stdout)  # noqa: S603
    assert before == {"current": "0001", "head": "0003", "up_to_date": False}
    upgraded = subprocess.run([*cli, "upgrade"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert "0001 -> 0003 (applied 0002, 0003)" in upgraded
    listed = subprocess.run([*cli, "history"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert [line.split()[0] for line in listed.splitlines()] == [item["revision"] for item in revisions()] == ["0001", "0002", "0003"]
