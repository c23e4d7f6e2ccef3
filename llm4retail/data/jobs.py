"""Imports started from a web page: the uploaded file is kept under `<data-dir>/imports/jobs/<id>/`,
imported in a background thread (`import_path`, chunk by chunk), and the job's progress and report are
written to `job.json` beside it after every chunk, so any server worker can show them.

Example:
    >>> jobs = ImportJobs(settings.data_dir, store)
    >>> job_id, target = jobs.create("orders.csv")
    >>> target.write_bytes(data); jobs.start(job_id)
    >>> jobs.get(job_id).state
    'running'
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from llm4retail.data.importer import FileReport, ImportReport, import_path
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, NotFoundError, storage_faults

logger = logging.getLogger(__name__)

_JOB_ID = re.compile(r"^[0-9a-f]{16}$")
_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass
class ImportJob:
    """One import from an upload: where it stands and, once done, its report.

    Attributes:
        state: `running`, `done` or `failed` (with `error`).
        rows: rows read so far (accepted + rejected), over every file of the upload.
        current: the file being imported (a folder archive may hold several).
        report: `ImportReport.as_dict()` once done.
    """

    job_id: str
    filename: str
    table: str | None
    state: str
    started_at: str
    finished_at: str | None = None
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    current: str | None = None
    report: dict[str, Any] | None = None
    error: str | None = None
    pid: int | None = None  # the process importing it


INTERRUPTED = (
    "the server stopped during this import; import the file again (imports write by key: rows already written are "
    "not duplicated)"
)


class ImportJobs:
    """Imports running in this process, with their state on disk for every worker.

    Args:
        data_dir: the store's data folder (jobs live in `<data_dir>/imports/jobs`).
        store: where the rows go.
        on_done: called with the report after a successful import (e.g. to tell services what changed).
    """

    def __init__(self, data_dir: Path, store: Store, *, on_done: Callable[[ImportReport], None] | None = None) -> None:
        self.root = data_dir / "imports" / "jobs"
        self.store = store
        self.on_done = on_done
        self._lock = threading.Lock()

    def create(self, filename: str) -> tuple[str, Path]:
        """A new job id and the path its uploaded file is to be written to (the name keeps its extension,
        which tells the importer the format).

        Raises:
            DataValidationError: no usable file name.
        """
        name = _UNSAFE.sub("_", Path(filename.replace("\\", "/")).name).strip("._")
        if not name:
            raise DataValidationError(f"'{filename}' is not a usable file name")
        job_id = secrets.token_hex(8)
        folder = self.root / job_id
        with storage_faults(folder):
            folder.mkdir(parents=True)
        return job_id, folder / name

    def start(self, job_id: str, *, table: Table | None = None) -> ImportJob:
        """Starts importing the job's uploaded file in a daemon thread; its state is `running` at once.

        Raises:
            NotFoundError: no such job, or nothing was uploaded for it.
        """
        files = [path for path in self._folder(job_id).iterdir() if path.name not in {"job.json", "rejections.csv"}]
        if len(files) != 1 or files[0].stat().st_size == 0:
            raise NotFoundError(table="import job upload", key=job_id)
        job = ImportJob(job_id=job_id, filename=files[0].name, table=table.value if table else None, state="running",
                        started_at=_now(), pid=os.getpid())  # fmt: skip
        self._write(job)
        threading.Thread(target=self._run, args=(job, files[0], table), name=f"import-{job_id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> ImportJob:
        """The job as last written.

        Raises:
            NotFoundError: no such job.
        """
        path = self._folder(job_id) / "job.json"
        if not path.is_file():
            raise NotFoundError(table="import job", key=job_id)
        return _read(path)

    def recent(self, *, limit: int = 10) -> list[ImportJob]:
        """The latest jobs, newest first."""
        if not self.root.is_dir():
            return []
        paths = sorted(self.root.glob("*/job.json"), key=lambda path: path.stat().st_mtime, reverse=True)
        return [_read(path) for path in paths[:limit]]

    def rejections_file(self, job_id: str) -> Path:
        """The CSV of every rejected row of the job (source, line, reason).

        Raises:
            NotFoundError: no such job, or it rejected nothing.
        """
        path = self._folder(job_id) / "rejections.csv"
        if not path.is_file():
            raise NotFoundError(table="import rejections", key=job_id)
        return path

    def _folder(self, job_id: str) -> Path:
        if not _JOB_ID.match(job_id) or not (self.root / job_id).is_dir():
            raise NotFoundError(table="import job", key=job_id)
        return self.root / job_id

    def _run(self, job: ImportJob, path: Path, table: Table | None) -> None:
        finished: dict[str, int] = {"accepted": 0, "rejected": 0}  # totals of the files already done

        def progress(report: FileReport) -> None:
            if report.source != job.current:  # a new file of the upload: add up the one before
                finished["accepted"], finished["rejected"] = job.accepted, job.rejected
                job.current = report.source
            job.accepted = finished["accepted"] + report.accepted
            job.rejected = finished["rejected"] + report.rejected
            job.rows = job.accepted + job.rejected
            self._write(job)

        try:
            report = import_path(path, store=self.store, table=table, on_chunk=progress,
                                 rejections_path=path.parent / "rejections.csv")  # fmt: skip
        except Exception as error:  # the page shows it; the server goes on
            logger.warning("import %s of %s failed: %s", job.job_id, job.filename, error)
            job.state, job.error, job.finished_at = "failed", str(error), _now()
            self._write(job)
            return
        totals = report.totals().values()
        job.accepted = sum(entry["accepted"] for entry in totals)
        job.rejected = sum(entry["rejected"] for entry in totals)
        job.rows, job.report, job.current = job.accepted + job.rejected, report.as_dict(), None
        job.state, job.finished_at = "done", _now()
        self._write(job)
        logger.info("import %s of %s: %d accepted, %d rejected", job.job_id, job.filename, job.accepted, job.rejected)
        if self.on_done is not None:
            try:
                self.on_done(report)
            except Exception:  # the rows are stored; a service that could not follow says so in the log
                logger.exception("after import %s", job.job_id)

    def _write(self, job: ImportJob) -> None:
        """Replaces the job's file in one step (readers never see half of it)."""
        target = self.root / job.job_id / "job.json"
        temporary = target.with_suffix(".tmp")
        with self._lock, storage_faults(target):
            temporary.write_text(json.dumps(asdict(job), ensure_ascii=False, default=str), encoding="utf-8")
            os.replace(temporary, target)


def _read(path: Path) -> ImportJob:
    """A job as written; a running one whose process is gone is shown as failed (interrupted)."""
    job = ImportJob(**json.loads(path.read_text(encoding="utf-8")))
    if job.state == "running" and job.pid is not None and not _alive(job.pid):
        job.state, job.error = "failed", INTERRUPTED
    return job


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
