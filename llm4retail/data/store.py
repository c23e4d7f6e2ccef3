"""The store: one interface over the embedded SQLite file and PostgreSQL.

Both backends share one code path (SQLAlchemy Core); the only dialect-specific
piece is the upsert construct, which both dialects spell `INSERT ... ON CONFLICT
(key) DO UPDATE`. Writes of a batch happen in one transaction, so a rejected or
interrupted batch leaves nothing behind, and keys make re-imports idempotent.

Example:
    >>> store = Store.from_settings(get_settings())
    >>> store.upsert(Table.PRODUCTS, frame)
    >>> store.counts()
    {'products': 2000, ...}
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from llm4retail.config import Settings
from llm4retail.data import bounds
from llm4retail.data.schemas import SPECS, Kind, Table, TableSpec
from llm4retail.errors import ConflictError, NotFoundError, StorageError, StoreUnavailableError, storage_faults

logger = logging.getLogger(__name__)

_SQL_TYPES: dict[Kind, Any] = {
    Kind.STRING: sa.Text(),
    Kind.TEXT: sa.Text(),
    Kind.FLOAT: sa.Float(precision=53),
    Kind.INT: sa.BigInteger(),
    Kind.BOOL: sa.Boolean(),
    Kind.DATETIME: sa.DateTime(),
    Kind.DATE: sa.Date(),
    Kind.JSON_OBJECT: sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
    Kind.JSON_LIST: sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
}
# Secondary indexes for the look-ups the API and the models make.
_INDEXES: dict[Table, list[tuple[str, ...]]] = {
    Table.EVENTS: [("customer_id",), ("product_id",)],
    Table.ORDERS: [("customer_id",)],
    Table.PAYMENTS: [("customer_id",)],  # batch risk scoring reads a chunk of customers' payments
    Table.REVIEWS: [("product_id",)],
    Table.JUDGEMENTS: [("product_id",)],
}


def build_metadata() -> tuple[sa.MetaData, dict[Table, sa.Table]]:
    """SQL tables generated from the contract specs."""
    metadata = sa.MetaData()
    tables: dict[Table, sa.Table] = {}
    for table, spec in SPECS.items():
        columns = [
            sa.Column(
                column.name,
                _SQL_TYPES[column.kind],
                primary_key=column.name in spec.primary_key,
                nullable=column.name not in spec.primary_key and not column.required,
            )
            for column in spec.columns
        ]
        indexes = [sa.Index(f"ix_{table.value}_{'_'.join(cols)}", *cols) for cols in _INDEXES.get(table, [])]
        tables[table] = sa.Table(table.value, metadata, *columns, *indexes)
    return metadata, tables


def _python_value(value: Any, kind: Kind) -> Any:
    """A driver-friendly Python value (no numpy scalars, NaN or NaT)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if kind is Kind.DATETIME:
        return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    if kind is Kind.DATE:
        return value.date() if isinstance(value, (pd.Timestamp, dt.datetime)) else value
    if kind is Kind.FLOAT:
        return float(value)
    if kind is Kind.INT:
        return int(value)
    if kind is Kind.BOOL:
        return bool(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _column_values(series: pd.Series, kind: Kind) -> list[Any]:
    """Driver-friendly values of one column, vectorised for the common dtypes."""
    if kind is Kind.DATETIME and pd.api.types.is_datetime64_any_dtype(series):
        return [None if value is pd.NaT else value.to_pydatetime() for value in series.tolist()]
    if kind is Kind.FLOAT and pd.api.types.is_float_dtype(series):
        return series.astype(object).where(series.notna(), None).tolist()
    if kind is Kind.INT and isinstance(series.dtype, pd.Int64Dtype):
        return series.astype(object).where(series.notna(), None).tolist()
    missing = series.isna()
    if missing.all():
        return [None] * len(series)
    if kind in (Kind.STRING, Kind.TEXT) and series.dtype == object:
        return series.tolist() if not missing.any() else series.where(~missing, None).tolist()
    return [_python_value(value, kind) for value in series.tolist()]


def frame_to_records(spec: TableSpec, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of `frame` as dicts of plain Python values, in the spec's column order."""
    columns = [column for column in spec.columns if column.name in frame.columns]
    converted = {column.name: _column_values(frame[column.name], column.kind) for column in columns}
    names = list(converted)
    return [dict(zip(names, row)) for row in zip(*converted.values())]


class Store:
    """Tables of the data contract in a SQL database.

    Args:
        url: a SQLAlchemy URL (`sqlite:///...` or `postgresql+psycopg://...`).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        self.directory: Path | None = None  # the folder of the embedded file
        if self.dialect == "sqlite":
            path = Path(url.removeprefix("sqlite:///"))
            self.directory = path.parent
            with storage_faults(path.parent):
                path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = sa.create_engine(url, pool_pre_ping=True)
        if self.dialect == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        sa.event.listen(self.engine, "handle_error", self._storage_error)
        self.metadata, self.tables = build_metadata()
        self._schema_lock = threading.Lock()
        self._created: set[int] = set()  # ids of the metadata whose tables exist (created or checked)

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store the settings point at (PostgreSQL URL or the embedded file)."""
        return cls(settings.database_url_resolved)

    @property
    def description(self) -> str:
        """The backend and its location, without credentials."""
        return self.engine.url.render_as_string(hide_password=True)

    def create_schema(self) -> None:
        """Create missing tables and indexes (idempotent).

        Raises:
            StoreUnavailableError: the database cannot be reached.
            StorageReadOnlyError: the database (or the embedded file's folder) refuses writes.
            StorageFullError: the disk is full.
        """
        self.ensure_tables(self.metadata)

    def ensure_tables(self, metadata: sa.MetaData) -> None:
        """Create the missing tables of `metadata` once (the contract's, or a component's such as the
        conversations or API keys): concurrent first requests take turns under a lock, and a table
        another process created meanwhile is taken as created.

        Raises:
            StoreUnavailableError: the database cannot be reached.
        """
        if id(metadata) in self._created:
            return
        with self._schema_lock:
            if id(metadata) in self._created:
                return
            try:
                _create_all(metadata, self.engine)
            except OperationalError as error:
                raise StoreUnavailableError(f"cannot reach the database at {self.description}: {error.orig}") from error
            self._created.add(id(metadata))

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in one transaction: committed on success, rolled back on any error."""
        self.create_schema()
        with self.engine.begin() as connection:
            yield connection

    def _upsert_statement(self, table: Table) -> Any:
        sql_table = self.tables[table]
        spec = SPECS[table]
        dialect_insert = sqlite.insert if self.dialect == "sqlite" else postgresql.insert
        statement = dialect_insert(sql_table)
        updates = {c.name: statement.excluded[c.name] for c in sql_table.columns if c.name not in spec.primary_key}
        if not updates:
            return statement.on_conflict_do_nothing(index_elements=list(spec.primary_key))
        return statement.on_conflict_do_update(index_elements=list(spec.primary_key), set_=updates)

    def upsert_records(
        self, table: Table, records: Sequence[Mapping[str, Any]], *, connection: Connection | None = None
    ) -> int:
        """Insert or replace rows by primary key, all in one transaction.

        Rows repeating a key within `records` collapse to the last one (as sequential upserts would).

        Returns:
            The number of distinct keys written.
        """
        if not records:
            return 0
        spec = SPECS[table]
        unique = {tuple(record[name] for name in spec.primary_key): record for record in records}
        rows = list(unique.values())
        if any(len(row) != len(spec.columns) for row in rows):  # one statement needs the same keys in every row
            rows = [{name: row.get(name) for name in spec.names} for row in rows]
        statement = self._upsert_statement(table)
        if connection is not None:
            connection.execute(statement, rows)
        else:
            with self.transaction() as own:
                own.execute(statement, rows)
        return len(rows)

    def upsert(self, table: Table, frame: pd.DataFrame, *, connection: Connection | None = None) -> int:
        """Upsert a validated frame (columns named as in the contract)."""
        return self.upsert_records(table, frame_to_records(SPECS[table], frame), connection=connection)

    def insert_new(self, table: Table, record: Mapping[str, Any]) -> dict[str, Any]:
        """Insert one row whose key must not exist yet.

        Raises:
            ConflictError: a row with that key exists.
        """
        spec = SPECS[table]
        key = tuple(record[name] for name in spec.primary_key)
        try:
            with self.transaction() as connection:
                if self._get(connection, table, key) is not None:
                    raise ConflictError(table=table.value, key="/".join(map(str, key)))
                connection.execute(sa.insert(self.tables[table]), [dict(record)])
                return self._get(connection, table, key) or {}
        except IntegrityError as error:  # a concurrent insert of the same key won the race
            raise ConflictError(table=table.value, key="/".join(map(str, key))) from error

    def update(self, table: Table, key: Sequence[Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change some columns of an existing row.

        Raises:
            NotFoundError: no row has that key.
        """
        sql_table = self.tables[table]
        with self.transaction() as connection:
            if self._get(connection, table, key) is None:
                raise NotFoundError(table=table.value, key="/".join(map(str, key)))
            if changes:
                connection.execute(sa.update(sql_table).where(self._key_clause(table, key)).values(**changes))
            return self._get(connection, table, key) or {}

    def get(self, table: Table, key: Sequence[Any]) -> dict[str, Any]:
        """One row by primary key.

        Raises:
            NotFoundError: no row has that key.
        """
        with self.transaction() as connection:
            row = self._get(connection, table, key)
        if row is None:
            raise NotFoundError(table=table.value, key="/".join(map(str, key)))
        return row

    def delete(self, table: Table, key: Sequence[Any]) -> None:
        """Delete one row by primary key.

        Raises:
            NotFoundError: no row has that key.
        """
        with self.transaction() as connection:
            result = connection.execute(sa.delete(self.tables[table]).where(self._key_clause(table, key)))
        if result.rowcount == 0:
            raise NotFoundError(table=table.value, key="/".join(map(str, key)))

    def page(
        self, table: Table, *, limit: int = 50, offset: int = 0, equals: Mapping[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of rows ordered by primary key, and the total matching `equals`."""
        sql_table = self.tables[table]
        conditions = [sql_table.c[name] == value for name, value in (equals or {}).items() if value is not None]
        order = [sql_table.c[name] for name in SPECS[table].primary_key]
        query = sa.select(sql_table).where(*conditions).order_by(*order).limit(limit).offset(offset)
        count_query = sa.select(sa.func.count()).select_from(sql_table).where(*conditions)
        with self.transaction() as connection:
            rows = [dict(row._mapping) for row in connection.execute(query)]
            total = int(connection.execute(count_query).scalar_one())
        return rows, total

    def recent_product_ids(self, customer_id: str, *, limit: int = 20) -> list[str]:
        """Products of the customer's latest events, newest first (by timestamp, then seq)."""
        events = self.tables[Table.EVENTS]
        query = (
            sa.select(events.c.product_id)
            .where(events.c.customer_id == customer_id)
            .order_by(events.c.timestamp.desc().nulls_last(), events.c.seq.desc().nulls_last())
            .limit(limit)
        )
        with self.transaction() as connection:
            return [row[0] for row in connection.execute(query)]

    def count(self, table: Table) -> int:
        """Rows in `table`."""
        with self.transaction() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(self.tables[table])).scalar_one())

    def counts(self) -> dict[str, int]:
        """Rows in every table."""
        return {table.value: self.count(table) for table in Table}

    def read_frame(self, table: Table, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A whole table as a frame (for model training and evaluation)."""
        sql_table = self.tables[table]
        selected = [sql_table.c[name] for name in columns] if columns else [sql_table]
        with self.transaction() as connection:
            frame = pd.read_sql(sa.select(*selected), connection)
        return _drop_implausible_instants(table, frame)

    def distinct_values(self, table: Table, column: str) -> list[Any]:
        """The distinct non-null values of one column, sorted in Python (the same order on every backend,
        whatever the database's collation): the keys a batch job splits into chunks."""
        sql_column = self.tables[table].c[column]
        with self.transaction() as connection:
            values = [row[0] for row in connection.execute(sa.select(sql_column).where(sql_column.is_not(None)).distinct())]
        return sorted(values)

    def read_where(
        self, table: Table, column: str, values: Sequence[Any], *, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The rows whose `column` is one of `values` (a chunk of a batch job), in primary-key order; reads
        `IN` lists of at most 1,000 values at a time."""
        sql_table = self.tables[table]
        selected = [sql_table.c[name] for name in columns] if columns else [sql_table]
        order = [sql_table.c[name] for name in SPECS[table].primary_key if columns is None or name in columns]
        frames = []
        with self.transaction() as connection:
            for start in range(0, len(values), 1000):
                part = list(values[start : start + 1000])
                query = sa.select(*selected).where(sql_table.c[column].in_(part)).order_by(*order)
                frames.append(pd.read_sql(query, connection))
        if not frames:
            with self.transaction() as connection:
                frames.append(pd.read_sql(sa.select(*selected).where(sa.false()), connection))
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        return _drop_implausible_instants(table, frame)

    def ping(self) -> bool:
        """True when the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except (OperationalError, StorageError):
            return False
        return True

    def drop_all(self) -> None:
        """Drop every contract table (tests and `demo init --reset`)."""
        with self._schema_lock:
            self.metadata.drop_all(self.engine)
            self._created.discard(id(self.metadata))

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    def _storage_error(self, context: sa.engine.ExceptionContext) -> None:
        """Raises `StorageFullError` / `StorageReadOnlyError` in place of a driver error that reports a full
        disk or a read-only database (SQLAlchemy calls it for every failed statement and connection)."""
        if context.is_pre_ping:  # the pool is only testing a connection
            return
        error = StorageError.from_exception(
            context.original_exception, location=f"the database {self.description}", directory=self.directory
        )
        if error is not None:
            raise error from context.original_exception

    def _key_clause(self, table: Table, key: Sequence[Any]) -> sa.ColumnElement[bool]:
        spec = SPECS[table]
        sql_table = self.tables[table]
        return sa.and_(*[sql_table.c[name] == value for name, value in zip(spec.primary_key, key, strict=True)])

    def _get(self, connection: Connection, table: Table, key: Sequence[Any]) -> dict[str, Any] | None:
        row = connection.execute(sa.select(self.tables[table]).where(self._key_clause(table, key))).first()
        return dict(row._mapping) if row is not None else None


def _create_all(metadata: sa.MetaData, engine: Engine) -> None:
    """`create_all` that tolerates a table created by another process between its check and its CREATE
    (several workers starting at once): the loser checks again and finds it."""
    for attempt in range(3):
        try:
            metadata.create_all(engine, checkfirst=True)
            return
        except (OperationalError, DatabaseError) as error:
            message = str(error.orig)
            if not ("already exists" in message or "pg_type_typname_nsp_index" in message) or attempt == 2:
                raise
            logger.info("a table was created by another process meanwhile; checking again")


def _drop_implausible_instants(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows stored before the bounds of `bounds.py` were enforced (an order dated in year 0069) would break
    every analysis that reads the table (pandas datetimes span the years 1677..2262): a required instant out
    of bounds drops the row, an optional one becomes missing; each case is logged."""
    spec = SPECS[table]
    keep = pd.Series(True, index=frame.index)
    for column in spec.columns:
        if column.kind not in (Kind.DATETIME, Kind.DATE) or column.name not in frame.columns:
            continue
        values = frame[column.name]
        if pd.api.types.is_datetime64_any_dtype(values):
            plausible = values.isna() | ((values >= bounds.MIN_INSTANT) & (values <= bounds.MAX_INSTANT))
        else:  # dates, or instants pandas could not hold: the usual case is checked by the extremes only
            given = values.dropna()
            if given.empty or (bounds.instant_problem(given.min()) is None and bounds.instant_problem(given.max()) is None):
                continue
            plausible = values.map(lambda value: value is None or value != value or bounds.instant_problem(value) is None)
        plausible = plausible.astype(bool)
        if plausible.all():
            continue
        logger.warning(
            "%s: %d rows hold a %s outside %s .. %s; %s", table.value, int((~plausible).sum()), column.name,
            bounds.MIN_DATE, bounds.MAX_DATE, "they are left out" if column.required else "it is read as missing",
        )
        if column.required:
            keep &= plausible
        frame[column.name] = pd.to_datetime(values.where(plausible, None))
    return frame[keep].reset_index(drop=True) if not keep.all() else frame


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # first: a connection opened while another writes (or switches the file to WAL) waits instead of failing
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (the API) do not block the importer
    # WAL + NORMAL: a committed write survives a killed process (kill -9); only a power cut may lose the last ones
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
