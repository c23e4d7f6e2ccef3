"""Domain errors. Adapters (API, CLI) map these to HTTP status codes and exit codes."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Llm4RetailError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(Llm4RetailError):
    """A setting is missing, malformed or unsafe."""


class DataValidationError(Llm4RetailError):
    """Input data breaks the data contract (missing column, bad value, unknown table)."""


class PayloadTooLargeError(DataValidationError):
    """An upload exceeds a size or duration limit (HTTP 413)."""


class MissingColumnError(DataValidationError):
    """A required column is absent from an input file."""

    def __init__(self, *, table: str, column: str, source: str, found: list[str]) -> None:
        self.table = table
        self.column = column
        self.source = source
        self.found = found
        super().__init__(
            f"{source}: required column '{column}' for table '{table}' is missing "
            f"(found columns: {', '.join(found) or 'none'}); rename or add it, or use a dataset adapter"
        )


class UnsupportedFormatError(DataValidationError):
    """A file extension the readers do not know."""


class NotFoundError(Llm4RetailError):
    """A record asked for by key does not exist."""

    def __init__(self, *, table: str, key: str) -> None:
        self.table = table
        self.key = key
        super().__init__(f"{table} '{key}' not found")


class ConflictError(Llm4RetailError):
    """A create would overwrite an existing record."""

    def __init__(self, *, table: str, key: str) -> None:
        self.table = table
        self.key = key
        super().__init__(f"{table} '{key}' already exists; use PATCH to update it")


class AuthenticationError(Llm4RetailError):
    """Credentials are missing, unknown, expired or revoked (HTTP 401)."""


class PermissionDeniedError(Llm4RetailError):
    """The caller is known but may not do this (HTTP 403)."""


class StoreUnavailableError(Llm4RetailError):
    """The configured database cannot be reached."""


class NotFittedError(Llm4RetailError):
    """A model was used before `fit`."""


class NotTrainedError(NotFittedError):
    """A capability has no trained model yet; the message names the command that trains one."""


class ArtifactFormatError(NotTrainedError):
    """A saved model is of another kind or format than the code reads; the message says how to retrain."""


class MissingExtraError(Llm4RetailError):
    """An optional dependency is not installed; the message says what to pip install."""


class LLMUnavailableError(Llm4RetailError):
    """The configured LLM endpoint is unset, unreachable or answered nonsense; use the offline path."""


class StorageError(Llm4RetailError):
    """The data directory or the database cannot take a write: the disk is full, or it is read-only.

    `from_exception` turns the operating system's or the database driver's report into one of the two
    subclasses, naming what could not be written and how to fix it.
    """

    @staticmethod
    def kind_of(error: BaseException, *, directory: Path | None = None) -> type[StorageError] | None:
        """`StorageFullError`, `StorageReadOnlyError`, or None when `error` is no storage fault.

        Args:
            error: an `OSError`, a DBAPI error (sqlite3, psycopg) or an error wrapping one in `orig`.
            directory: the folder of an embedded database, checked when SQLite only says it cannot
                open the file (it gives that answer for a read-only folder as for a missing one).
        """
        error = getattr(error, "orig", None) or error
        if isinstance(error, OSError) and error.errno is not None:
            return _ERRNO_KINDS.get(error.errno)
        sqlite_code = getattr(error, "sqlite_errorcode", None)
        if isinstance(sqlite_code, int):
            primary = sqlite_code & 0xFF  # extended codes keep the primary one in the low byte
            if primary == _SQLITE_CANTOPEN and directory is not None and not _writable(directory):
                return StorageReadOnlyError
            return _SQLITE_KINDS.get(primary)
        sqlstate = getattr(error, "sqlstate", None)
        return _SQLSTATE_KINDS.get(sqlstate) if isinstance(sqlstate, str) else None

    @classmethod
    def from_exception(cls, error: BaseException, *, location: str, directory: Path | None = None) -> StorageError | None:
        """The storage error `error` reports while writing `location`, or None when it reports another fault."""
        kind = cls.kind_of(error, directory=directory)
        if kind is None:
            return None
        reason = getattr(error, "orig", None) or error
        detail = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason).splitlines()[0]
        if getattr(reason, "sqlite_errorcode", None) == _SQLITE_CANTOPEN:
            detail += "; the embedded store writes beside its file even to read it"
        return kind(location=location, detail=detail)


class StorageFullError(StorageError):
    """The disk (or the database's quota) is full (HTTP 507, exit code 5)."""

    def __init__(self, *, location: str, detail: str) -> None:
        self.location = location
        super().__init__(
            f"cannot write to {location}: the disk is full ({detail}); free some space, or point "
            "--data-dir / LLM4RETAIL_DATA_DIR (or the database) at a disk with room, and run it again"
        )


class StorageReadOnlyError(StorageError):
    """The data directory or the database refuses writes: read-only or not writable by this user
    (HTTP 503, exit code 6)."""

    def __init__(self, *, location: str, detail: str) -> None:
        self.location = location
        super().__init__(
            f"cannot write to {location}: it is read-only or not writable by this user ({detail}); make it "
            "writable, or point --data-dir / LLM4RETAIL_DATA_DIR (or the database) at a writable place"
        )


@contextmanager
def storage_faults(location: Path | str) -> Iterator[None]:
    """Turns an `OSError` inside the block that reports a full disk or a read-only folder into a
    `StorageFullError` / `StorageReadOnlyError` naming `location`; any other error passes unchanged.

    Example:
        >>> with storage_faults(report_path):
        ...     report_path.write_text(text)
    """
    try:
        yield
    except OSError as error:
        storage = StorageError.from_exception(error, location=str(location))
        if storage is None:
            raise
        raise storage from error


def _writable(directory: Path) -> bool:
    """False when `directory` (or, if it does not exist yet, the nearest folder above it) refuses writes."""
    for folder in (directory, *directory.parents):
        if folder.exists():
            return os.access(folder, os.W_OK)
    return True


_ERRNO_KINDS: dict[int, type[StorageError]] = {
    errno.ENOSPC: StorageFullError,
    errno.EDQUOT: StorageFullError,
    errno.EROFS: StorageReadOnlyError,
    errno.EACCES: StorageReadOnlyError,
    errno.EPERM: StorageReadOnlyError,
}
_SQLITE_CANTOPEN = 14
_SQLITE_KINDS: dict[int, type[StorageError]] = {13: StorageFullError, 8: StorageReadOnlyError}  # SQLITE_FULL, SQLITE_READONLY
# PostgreSQL: disk_full; read_only_sql_transaction (a standby, or default_transaction_read_only)
_SQLSTATE_KINDS: dict[str, type[StorageError]] = {"53100": StorageFullError, "25006": StorageReadOnlyError}
