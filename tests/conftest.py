"""Shared fixtures: a store on each real backend (embedded SQLite and PostgreSQL) and dataset paths.

The PostgreSQL tests use the server at LLM4RETAIL_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test), each in a schema of its own that is
dropped afterwards. If the server is absent they fail with a clear message; they
are never skipped silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from llm4retail.config import clear_settings_cache
from llm4retail.data.store import Store

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
POSTGRES_URL = os.environ.get("LLM4RETAIL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_engine_url() -> str:
    """The test server as a SQLAlchemy URL."""
    return "postgresql+psycopg://" + POSTGRES_URL.removeprefix("postgresql://")


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No LLM4RETAIL_* variable, `.env` or `./llm4retail.toml` of the caller leaks into a test:
    each test starts in an empty working directory with the settings cache cleared."""
    for name in list(os.environ):
        if name.startswith("LLM4RETAIL_") and not name.startswith("LLM4RETAIL_TEST_"):
            monkeypatch.delenv(name)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    clear_settings_cache()
    yield
    clear_settings_cache()


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema; yields a URL whose connections use it."""
    engine = sa.create_engine(postgres_engine_url())
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is required by the server-mode tests but is not reachable at {POSTGRES_URL} ({error.orig}). "
            "Start it (pg_ctlcluster <version> main start) or set LLM4RETAIL_TEST_POSTGRES_URL.",
            pytrace=False,
        )
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{postgres_engine_url()}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store on each backend, empty."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_schema")
    store = Store(url)
    store.create_schema()
    yield store
    store.close()


@pytest.fixture(scope="session")
def datasets() -> Path:
    """`../shared/datasets`; fails clearly when absent."""
    if not DATASETS.is_dir():
        pytest.fail(f"the public datasets are expected at {DATASETS} (../shared beside the repo)", pytrace=False)
    return DATASETS
