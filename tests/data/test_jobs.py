"""Imports started from a page: the upload imported in the background, progress and report on disk."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from llm4retail.data.jobs import INTERRUPTED, ImportJobs
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, NotFoundError

pytestmark = pytest.mark.unit


def _wait(jobs: ImportJobs, job_id: str) -> object:
    deadline = time.monotonic() + 60
    while (job := jobs.get(job_id)).state == "running":
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.05)
    return job


def test_an_upload_is_imported_in_the_background_with_its_rejections(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.create_schema()
    seen: list[int] = []
    jobs = ImportJobs(tmp_path, store, on_done=lambda report: seen.append(report.totals()["orders"]["accepted"]))
    job_id, target = jobs.create("../../etc/my orders.csv")
    assert target.parent == tmp_path / "imports" / "jobs" / job_id and target.name == "my_orders.csv"
    lines = ["order_id,customer_id,created_at,status,total"]
    lines += [f"o{i},c{i % 7},2025-01-0{1 + i % 9}T10:00:00,delivered,{i}.5" for i in range(250)]
    lines.append("o-bad,c1,not a date,delivered,3")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = jobs.start(job_id, table=Table.ORDERS)
    assert started.state == "running" and started.filename == "my_orders.csv"
    job = _wait(jobs, job_id)
    assert job.state == "done" and (job.accepted, job.rejected, job.rows) == (250, 1, 251)
    assert store.count(Table.ORDERS) == 250 and seen == [250]
    assert job.report["files"][0]["rejections"][0]["line"] == 252
    assert jobs.rejections_file(job_id).read_text(encoding="utf-8").count("\n") == 2
    assert [item.job_id for item in jobs.recent()] == [job_id]


def test_bad_names_unknown_jobs_and_interrupted_imports(tmp_path: Path) -> None:
    jobs = ImportJobs(tmp_path, Store(f"sqlite:///{tmp_path / 'store.sqlite'}"))
    with pytest.raises(DataValidationError):
        jobs.create("../..")
    for unknown in ("0123456789abcdef", "../../secrets", "x"):
        with pytest.raises(NotFoundError):
            jobs.get(unknown)
    job_id, _target = jobs.create("empty.csv")
    with pytest.raises(NotFoundError):  # nothing uploaded
        jobs.start(job_id)
    job_file = tmp_path / "imports" / "jobs" / job_id / "job.json"
    job_file.write_text(json.dumps({"job_id": job_id, "filename": "empty.csv", "table": None, "state": "running",
                                    "started_at": "2026-01-01T00:00:00+00:00", "pid": 2**22 + 12345}))  # fmt: skip
    job = jobs.get(job_id)  # its process is gone: shown as interrupted, not running forever
    assert job.state == "failed" and job.error == INTERRUPTED
    with pytest.raises(NotFoundError):
        jobs.rejections_file(job_id)
