"""What to import from a path: dataset adapters and table inference for contract files.

A `DatasetAdapter` names a public dataset folder and maps each of its files to a
contract table with an optional column `transform`; files that hold no contract
table (or repeat another file) are listed as skipped with the reason. Any other
file is a contract file whose table comes from `--table`, its name or its columns.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from llm4retail.data.readers import RawChunk, detect_format, iter_chunks, read_header
from llm4retail.data.schemas import Table
from llm4retail.errors import DataValidationError, UnsupportedFormatError

Transform = Callable[[pd.DataFrame], pd.DataFrame]
Reader = Callable[[Path, int], Iterable[RawChunk]]


@dataclass(frozen=True)
class FileTask:
    """One file to load into one table.

    Attributes:
        path: the file.
        table: the contract table it fills.
        transform: maps a raw chunk (input column names) to contract column names; must keep the rows and index.
        reader: custom chunk reader for a non-tabular file (default: by extension).
        adapter: name of the dataset adapter that planned it, if any.
    """

    path: Path
    table: Table
    transform: Transform | None = None
    reader: Reader | None = None
    adapter: str | None = None

    @property
    def key_prefix(self) -> str:
        """Prefix of keys generated for rows without one: the file name without extensions."""
        return self.path.name.split(".")[0]

    def chunks(self, chunk_rows: int) -> Iterable[RawChunk]:
        """Raw chunks of the file, transformed to contract column names."""
        reader = self.reader or (lambda path, rows: iter_chunks(path, chunk_rows=rows))
        for chunk in reader(self.path, chunk_rows):
            if self.transform is not None:
                frame = self.transform(chunk.frame)
                chunk = RawChunk(frame=frame, lines=chunk.lines, malformed=chunk.malformed)
            yield chunk

    def columns(self) -> list[str]:
        """Contract column names the file provides (read from its header only)."""
        if self.reader is not None:
            first = next(iter(self.chunks(1)), None)
            return list(first.frame.columns) if first is not None else []
        header = read_header(self.path)
        if self.transform is None:
            return header
        return list(self.transform(pd.DataFrame(columns=header, dtype=object)).columns)


@dataclass(frozen=True)
class SkippedFile:
    """A file the import leaves out, and why."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Rule:
    """Files matching `pattern` go to `table` through `transform`."""

    pattern: str
    table: Table
    transform: Transform | None = None
    reader: Reader | None = None


@dataclass(frozen=True)
class DatasetAdapter:
    """Maps the files of one public dataset folder onto the contract.

    Attributes:
        name: the folder name in `shared/datasets`.
        rules: file patterns and their tables, first match wins.
        skips: (pattern, reason) for files that are deliberately not imported.
    """

    name: str
    rules: tuple[Rule, ...]
    skips: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def plan_file(self, path: Path) -> FileTask | SkippedFile:
        """The task for one file of this dataset."""
        for rule in self.rules:
            if fnmatch.fnmatch(path.name, rule.pattern):
                return FileTask(path, rule.table, rule.transform, rule.reader, adapter=self.name)
        for pattern, reason in self.skips:
            if fnmatch.fnmatch(path.name, pattern):
                return SkippedFile(path, reason)
        return SkippedFile(path, f"not part of the {self.name} adapter")


ADAPTERS: dict[str, DatasetAdapter] = {}


def register(adapter: DatasetAdapter) -> DatasetAdapter:
    """Add an adapter to the registry, keyed by its folder name."""
    ADAPTERS[adapter.name] = adapter
    return adapter


_NAME_HINTS: tuple[tuple[str, Table], ...] = (
    ("qrel", Table.JUDGEMENTS),
    ("judg", Table.JUDGEMENTS),
    ("quer", Table.QUERIES),
    ("utterance", Table.UTTERANCES),
    ("intent", Table.UTTERANCES),
    ("review", Table.REVIEWS),
    ("event", Table.EVENTS),
    ("interaction", Table.EVENTS),
    ("payment", Table.PAYMENTS),
    ("order", Table.ORDERS),
    ("sale", Table.SALES),
    ("document", Table.DOCUMENTS),
    ("knowledge", Table.DOCUMENTS),
    ("customer", Table.CUSTOMERS),
    ("product", Table.PRODUCTS),
    ("catalog", Table.PRODUCTS),
)
_COLUMN_HINTS: tuple[tuple[frozenset[str], Table], ...] = (
    (frozenset({"query_id", "grade"}), Table.JUDGEMENTS),
    (frozenset({"query_id", "query"}), Table.QUERIES),
    (frozenset({"text", "intent"}), Table.UTTERANCES),
    (frozenset({"review_id", "text"}), Table.REVIEWS),
    (frozenset({"doc_id", "text"}), Table.DOCUMENTS),
    (frozenset({"payment_id", "amount"}), Table.PAYMENTS),
    (frozenset({"order_id", "status"}), Table.ORDERS),
    (frozenset({"date", "quantity", "product_id"}), Table.SALES),
    (frozenset({"customer_id", "product_id"}), Table.EVENTS),
    (frozenset({"product_id", "title"}), Table.PRODUCTS),
    (frozenset({"customer_id"}), Table.CUSTOMERS),
)


def infer_table(path: Path) -> Table:
    """The table a contract file holds, from its name, else from its columns.

    Raises:
        DataValidationError: neither tells.
    """
    stem = path.name.split(".")[0].lower()
    for hint, table in _NAME_HINTS:
        if hint in stem:
            return table
    columns = set(read_header(path))
    for needed, table in _COLUMN_HINTS:
        if needed <= columns:
            return table
    raise DataValidationError(
        f"{path}: cannot tell which table this file holds from its name or columns; "
        f"pass --table (one of: {', '.join(t.value for t in Table)})"
    )


def _is_data_file(path: Path) -> bool:
    try:
        detect_format(path)
    except UnsupportedFormatError:
        return False
    return True


def plan(path: Path, *, table: Table | None = None) -> list[FileTask | SkippedFile]:
    """Resolve a file or folder into import tasks.

    A folder named like a registered dataset uses that adapter for all its files; a
    file inside such a folder uses it too; anything else is read as a contract file.
    `table` forces the table of contract files and filters adapter tasks.

    Raises:
        DataValidationError: the path does not exist or holds nothing importable.
    """
    if not path.exists():
        raise DataValidationError(f"{path}: no such file or folder")
    folder = path if path.is_dir() else path.parent
    adapter = ADAPTERS.get(folder.name)
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    items: list[FileTask | SkippedFile] = []
    for file in files:
        if adapter is not None:
            item = adapter.plan_file(file)
        elif file.name.lower().endswith(".md") or not _is_data_file(file):
            item = SkippedFile(file, "not a data file (.csv, .csv.gz, .tsv, .jsonl, .jsonl.gz, .parquet)")
        else:
            item = FileTask(file, table or infer_table(file))
        if isinstance(item, FileTask) and table is not None and item.table is not table:
            if adapter is None:
                item = FileTask(file, table)
            else:
                item = SkippedFile(file, f"holds {item.table.value}, not {table.value}")
        if not (isinstance(item, SkippedFile) and file.name.lower().endswith(".md")):
            items.append(item)
    if not any(isinstance(item, FileTask) for item in items):
        raise DataValidationError(f"{path}: nothing to import (no data file for a contract table)")
    return items

