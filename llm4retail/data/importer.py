"""Import files and dataset folders into the store, and read them for evaluation.

`import_path` streams each file in chunks: read → (adapter transform) → validate
→ upsert in one transaction per chunk. Memory is bounded by the chunk size; keys
make a re-run idempotent, so an import killed half-way and run again ends with
exactly the rows of one complete import. Every rejected row is reported with its
file, line and reason (all of them in a CSV file, the first few in the report).

Example:
    >>> report = import_path(Path("../shared/datasets/reviews_zh"), store=store)
    >>> report.totals()
    {'reviews': {'accepted': 82525, 'rejected': 2}}
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from tqdm import tqdm

from llm4retail.data.adapters import FileTask, SkippedFile, plan
from llm4retail.data.schemas import SPECS, Table
from llm4retail.data.store import Store
from llm4retail.data.validate import check_columns, ignored_columns, validate_chunk
from llm4retail.errors import storage_faults

logger = logging.getLogger(__name__)
SAMPLE_REJECTIONS = 20


@dataclass
class Rejection:
    """One row that was not imported."""

    source: str
    line: int
    reason: str


@dataclass
class FileReport:
    """Outcome of one file."""

    source: str
    table: str | None
    accepted: int = 0
    rejected: int = 0
    skipped: str | None = None
    adapter: str | None = None
    new_rows: int = 0  # rows the table grew by; accepted - new_rows keys already existed (upserted)
    ignored_columns: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)  # the first SAMPLE_REJECTIONS

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "source": self.source,
            "table": self.table,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "adapter": self.adapter,
            "new_rows": self.new_rows,
            "ignored_columns": self.ignored_columns,
            "rejections": [{"line": r.line, "reason": r.reason} for r in self.rejections],
        }


@dataclass
class ImportReport:
    """Outcome of one `import_path` call."""

    files: list[FileReport]
    seconds: float
    rejections_file: str | None

    def totals(self) -> dict[str, dict[str, int]]:
        """Accepted and rejected rows per table."""
        totals: dict[str, dict[str, int]] = {}
        for report in self.files:
            if report.table is None or report.skipped:
                continue
            entry = totals.setdefault(report.table, {"accepted": 0, "rejected": 0})
            entry["accepted"] += report.accepted
            entry["rejected"] += report.rejected
        return totals

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "tables": self.totals(),
            "files": [report.as_dict() for report in self.files],
            "seconds": round(self.seconds, 3),
            "rejections_file": self.rejections_file,
        }


class RejectionLog:
    """Writes every rejection to a CSV file, opened on the first one."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._handle: IO[str] | None = None
        self._writer: Any = None

    def write(self, rejection: Rejection) -> None:
        """Append one rejection."""
        if self.path is None:
            return
        with storage_faults(self.path):
            if self._writer is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = open(self.path, "w", newline="", encoding="utf-8")
                self._writer = csv.writer(self._handle)
                self._writer.writerow(["source", "line", "reason"])
            self._writer.writerow([rejection.source, rejection.line, rejection.reason])

    @property
    def written(self) -> bool:
        """True once a rejection was written."""
        return self._writer is not None

    def close(self) -> None:
        """Flush and close the file."""
        if self._handle is not None:
            self._handle.close()


def default_rejections_path(data_dir: Path) -> Path:
    """`<data_dir>/imports/rejections-<UTC time>.csv`."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return data_dir / "imports" / f"rejections-{stamp}.csv"


def import_path(
    path: Path,
    *,
    store: Store,
    table: Table | None = None,
    chunk_rows: int = 50_000,
    progress: bool = False,
    rejections_path: Path | None = None,
    on_chunk: Callable[[FileReport], None] | None = None,
) -> ImportReport:
    """Import a contract file, a dataset file or a dataset folder into `store`.

    Args:
        path: file or folder.
        store: target store (its schema is created if needed).
        table: force the table of contract files.
        chunk_rows: rows per chunk and per transaction.
        progress: show a progress bar on stderr.
        rejections_path: CSV file receiving every rejected row (None: keep only the samples).
        on_chunk: called with the file's running report after each chunk is written (progress for a page).

    Raises:
        MissingColumnError: a file lacks a required column (nothing of that file is written).
        DataValidationError: the path is unreadable or holds nothing importable.
    """
    started = time.perf_counter()
    items = plan(path, table=table)
    log = RejectionLog(rejections_path)
    reports: list[FileReport] = []
    try:
        for item in items:
            if isinstance(item, SkippedFile):
                reports.append(FileReport(source=str(item.path), table=None, skipped=item.reason))
                continue
            reports.append(
                _import_file(item, store=store, chunk_rows=chunk_rows, progress=progress, log=log, on_chunk=on_chunk)
            )
    finally:
        log.close()
    return ImportReport(
        files=reports,
        seconds=time.perf_counter() - started,
        rejections_file=str(rejections_path) if log.written else None,
    )


def _check_task(task: FileTask) -> list[str]:
    spec = SPECS[task.table]
    columns = task.columns()
    check_columns(spec, columns, source=str(task.path))
    return ignored_columns(spec, columns)


def _import_file(
    task: FileTask, *, store: Store, chunk_rows: int, progress: bool, log: RejectionLog,
    on_chunk: Callable[[FileReport], None] | None = None,
) -> FileReport:  # fmt: skip
    report = FileReport(source=str(task.path), table=task.table.value, adapter=task.adapter)
    report.ignored_columns = _check_task(task)
    store.create_schema()
    before = store.count(task.table)

    def consume(frame: pd.DataFrame, rejections: list[tuple[int, str]]) -> None:
        store.upsert(task.table, frame)
        report.accepted += len(frame)
        _record_rejections(report, rejections, log)
        if on_chunk is not None:
            on_chunk(report)

    _stream(task, chunk_rows=chunk_rows, progress=progress, consume=consume)
    report.new_rows = store.count(task.table) - before
    logger.info("%s → %s: %d accepted, %d rejected", task.path, task.table.value, report.accepted, report.rejected)
    return report


def _record_rejections(report: FileReport, rejections: list[tuple[int, str]], log: RejectionLog) -> None:
    for line, reason in sorted(rejections):
        rejection = Rejection(report.source, line, reason)
        log.write(rejection)
        if len(report.rejections) < SAMPLE_REJECTIONS:
            report.rejections.append(rejection)
    report.rejected += len(rejections)


def _stream(
    task: FileTask,
    *,
    chunk_rows: int,
    progress: bool,
    consume: Callable[[pd.DataFrame, list[tuple[int, str]]], None],
) -> None:
    spec = SPECS[task.table]
    bar = tqdm(
        desc=f"{task.path.name} → {task.table.value}",
        unit=" rows",
        disable=not (progress and sys.stderr.isatty()),
        file=sys.stderr,
    )
    with bar:
        for chunk in task.chunks(chunk_rows):
            validated = validate_chunk(spec, chunk, source=str(task.path), key_prefix=task.key_prefix)
            consume(validated.frame, validated.rejections)
            bar.update(len(chunk.frame) + len(chunk.malformed))


def read_table(path: Path, table: Table, *, chunk_rows: int = 200_000) -> tuple[pd.DataFrame, list[Rejection]]:
    """Read and validate every file of `path` that holds `table`, in memory (for `eval` commands).

    Accepts contract files and dataset files or folders alike, through the same adapters as the import.

    Returns:
        The accepted rows (contract columns, typed) and the rejections.

    Raises:
        MissingColumnError: a file lacks a required column.
        DataValidationError: nothing in `path` holds `table`.
    """
    tasks = [item for item in plan(path, table=table) if isinstance(item, FileTask)]
    frames: list[pd.DataFrame] = []
    rejections: list[Rejection] = []
    for task in tasks:
        _check_task(task)

        def consume(frame: pd.DataFrame, rows: list[tuple[int, str]], source: str = str(task.path)) -> None:
            frames.append(frame)
            rejections.extend(Rejection(source, line, reason) for line, reason in rows)

        _stream(task, chunk_rows=chunk_rows, progress=False, consume=consume)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SPECS[table].names)
    return frame, rejections
