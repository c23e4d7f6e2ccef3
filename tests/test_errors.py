"""Storage faults reported by the OS and the database drivers become `StorageFullError` / `StorageReadOnlyError`;
every other error passes unchanged. The faults are real: /dev/full, a SQLite page quota, a read-only SQLite handle."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from llm4retail.errors import StorageError, StorageFullError, StorageReadOnlyError, storage_faults

pytestmark = pytest.mark.unit


def _sqlite_error(connection: sqlite3.Connection, statement: str) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as caught:
        connection.execute(statement)
        connection.commit()
    return caught.value


def test_a_write_to_a_full_device_is_a_storage_full_error() -> None:
    with pytest.raises(StorageFullError, match=r"cannot write to /dev/full: the disk is full \(No space left on device\)"):
        with storage_faults("/dev/full"), open("/dev/full", "w", encoding="utf-8") as device:
            device.write("x")


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_a_read_only_or_forbidden_folder_is_a_storage_read_only_error(code: int) -> None:
    with pytest.raises(StorageReadOnlyError, match="cannot write to /srv/data: it is read-only"):
        with storage_faults("/srv/data"):
            raise OSError(code, "refused", "/srv/data/x")


def test_other_os_errors_pass_unchanged(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), storage_faults(tmp_path):
        (tmp_path / "missing" / "file").read_text()


def test_sqlite_full_and_read_only_are_told_apart(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    writer = sqlite3.connect(path)
    writer.execute("CREATE TABLE t (x TEXT)")
    writer.execute("PRAGMA max_page_count = 2")  # SQLite's own quota: SQLITE_FULL as on a full disk
    full = _sqlite_error(writer, f"INSERT INTO t VALUES ('{'x' * 20_000}')")
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    read_only = _sqlite_error(reader, "INSERT INTO t VALUES ('y')")

    assert StorageError.kind_of(full) is StorageFullError
    assert StorageError.kind_of(read_only) is StorageReadOnlyError


def test_sqlite_cannot_open_is_read_only_only_when_the_folder_refuses_writes(tmp_path: Path) -> None:
    cannot_open = _sqlite_error(sqlite3.connect(":memory:"), f"ATTACH DATABASE '{tmp_path / 'no' / 'x.sqlite'}' AS x")

    assert cannot_open.sqlite_errorname == "SQLITE_CANTOPEN"  # type: ignore[attr-defined]
    assert StorageError.kind_of(cannot_open, directory=tmp_path / "no") is None  # a missing folder, not a read-only one
    assert StorageError.kind_of(ValueError("no storage fault")) is None


def test_postgresql_disk_full_and_read_only_transactions_by_sqlstate() -> None:
    import psycopg.errors

    assert StorageError.kind_of(psycopg.errors.DiskFull("could not extend file")) is StorageFullError  # 53100
    assert StorageError.kind_of(psycopg.errors.ReadOnlySqlTransaction("read-only")) is StorageReadOnlyError  # 25006
    assert StorageError.kind_of(psycopg.errors.UniqueViolation("duplicate key")) is None
