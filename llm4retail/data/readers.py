"""Streaming readers for CSV, CSV.gz, JSONL, JSONL.gz and Parquet.

Every reader yields `RawChunk`s: a frame of raw values (strings for CSV, JSON
values for JSONL, Arrow values for Parquet) plus the source line of each row, so
that a rejected row can be reported as `file:line`. Memory is bounded by
`chunk_rows`, whatever the file size.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from llm4retail.errors import DataValidationError, UnsupportedFormatError

csv.field_size_limit(64 * 1024 * 1024)  # long product descriptions and review texts


class FileFormat(str, Enum):
    """Input formats, detected from the extension."""

    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


@dataclass
class RawChunk:
    """Rows as read, before validation.

    Attributes:
        frame: one column per input column; missing fields are None.
        lines: 1-based line of each row in the file (row number + 1 for Parquet).
        malformed: (line, reason) of rows that could not even be parsed.
    """

    frame: pd.DataFrame
    lines: np.ndarray
    malformed: list[tuple[int, str]]


_SUFFIXES = {
    ".csv": FileFormat.CSV,
    ".tsv": FileFormat.CSV,
    ".jsonl": FileFormat.JSONL,
    ".ndjson": FileFormat.JSONL,
    ".parquet": FileFormat.PARQUET,
    ".pq": FileFormat.PARQUET,
}


def detect_format(path: Path) -> FileFormat:
    """The format of `path` from its extension (`.gz` allowed for CSV and JSONL).

    Raises:
        UnsupportedFormatError: for any other extension.
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    file_format = _SUFFIXES.get(suffixes[-1]) if suffixes else None
    if file_format is None or (file_format is FileFormat.PARQUET and path.suffix.lower() == ".gz"):
        raise UnsupportedFormatError(
            f"{path}: unsupported file type; expected .csv, .csv.gz, .tsv, .jsonl, .jsonl.gz or .parquet"
        )
    return file_format


def _open_text(path: Path) -> IO[str]:
    if path.suffix.lower() == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_header(path: Path) -> list[str]:
    """Column names of a file without reading its body (JSONL: keys of the first object)."""
    file_format = detect_format(path)
    if file_format is FileFormat.PARQUET:
        return list(pq.ParquetFile(path).schema_arrow.names)
    with _open_text(path) as handle:
        if file_format is FileFormat.CSV:
            delimiter = "\t" if ".tsv" in [s.lower() for s in path.suffixes] else ","
            return [name.strip() for name in next(csv.reader(handle, delimiter=delimiter), [])]
        for line in handle:
            if line.strip():
                record = json.loads(line)
                return list(record) if isinstance(record, dict) else []
    return []


def iter_chunks(path: Path, *, chunk_rows: int = 50_000) -> Iterator[RawChunk]:
    """Read `path` in chunks of at most `chunk_rows` rows.

    Raises:
        UnsupportedFormatError: unknown extension.
        DataValidationError: the file is not valid UTF-8 or cannot be opened.
    """
    if chunk_rows <= 0:
        raise DataValidationError(f"chunk_rows must be greater than 0, got {chunk_rows}")
    file_format = detect_format(path)
    try:
        if file_format is FileFormat.CSV:
            yield from _iter_csv(path, chunk_rows)
        elif file_format is FileFormat.JSONL:
            yield from _iter_jsonl(path, chunk_rows)
        else:
            yield from _iter_parquet(path, chunk_rows)
    except UnicodeDecodeError as error:
        raise DataValidationError(f"{path}: not valid UTF-8 ({error.reason}); re-encode the file as UTF-8") from error
    except (OSError, EOFError) as error:
        raise DataValidationError(f"{path}: cannot be read: {error}") from error


def _iter_csv(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    delimiter = "\t" if ".tsv" in [s.lower() for s in path.suffixes] else ","
    with _open_text(path) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = [name.strip() for name in next(reader, [])]
        width = len(header)
        rows: list[list[str | None]] = []
        lines: list[int] = []
        malformed: list[tuple[int, str]] = []
        start_line = reader.line_num + 1
        for row in reader:
            if len(row) != width:
                if row:  # a blank line is not a row
                    malformed.append((start_line, f"expected {width} fields, found {len(row)}"))
            else:
                rows.append([value if value != "" else None for value in row])
                lines.append(start_line)
            start_line = reader.line_num + 1
            if len(rows) >= chunk_rows:
                yield RawChunk(pd.DataFrame(rows, columns=header, dtype=object), np.asarray(lines), malformed)
                rows, lines, malformed = [], [], []
        if rows or malformed:
            yield RawChunk(pd.DataFrame(rows, columns=header, dtype=object), np.asarray(lines), malformed)


def _iter_jsonl(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    with _open_text(path) as handle:
        records: list[dict[str, object]] = []
        lines: list[int] = []
        malformed: list[tuple[int, str]] = []
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                malformed.append((line_number, f"invalid JSON: {error.msg}"))
                continue
            if not isinstance(record, dict):
                malformed.append((line_number, f"expected a JSON object, found {type(record).__name__}"))
                continue
            records.append(record)
            lines.append(line_number)
            if len(records) >= chunk_rows:
                yield RawChunk(pd.DataFrame.from_records(records), np.asarray(lines), malformed)
                records, lines, malformed = [], [], []
        if records or malformed:
            yield RawChunk(pd.DataFrame.from_records(records), np.asarray(lines), malformed)


def _iter_parquet(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    parquet = pq.ParquetFile(path)
    offset = 0
    for batch in parquet.iter_batches(batch_size=chunk_rows):
        frame = batch.to_pandas(types_mapper=None).astype(object)
        frame = frame.where(frame.notna(), None)
        lines = np.arange(offset + 1, offset + len(frame) + 1)  # Parquet has no lines: 1-based row number
        offset += len(frame)
        yield RawChunk(frame, lines, [])
