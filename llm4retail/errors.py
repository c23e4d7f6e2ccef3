"""Domain errors. Adapters (API, CLI) map these to HTTP status codes and exit codes."""

from __future__ import annotations


class Llm4RetailError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(Llm4RetailError):
    """A setting is missing, malformed or unsafe."""


class DataValidationError(Llm4RetailError):
    """Input data breaks the data contract (missing column, bad value, unknown table)."""


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
