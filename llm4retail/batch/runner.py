"""Run a batch job in this process or on Ray, chunk by chunk, resumable after a crash.

A run plans its chunks once and keeps them in the ledger (`batch_runs`, `batch_chunks`). Chunks are
computed here or as Ray tasks (each Ray worker builds its own `Services` from the same settings, once, and
loads the same served models); every result comes back to this process, which writes a chunk's output
rows and marks the chunk done in one transaction. A run that is killed leaves each chunk complete or
untouched: running the job again with the same parameters and model resumes the unfinished run and
computes only its pending chunks. When the last chunk is written the run is done, and output rows of
earlier runs that this one did not replace (keys that no longer exist) are deleted.

Example:
    >>> report = run_batch(Services(settings), "recommend", params={"top_k": 20}, ray="local")
    >>> report.rows, report.mode
    (20000, 'ray')
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from llm4retail.batch.jobs import BatchJob, get_job, job_params
from llm4retail.batch.tables import CHUNKS, METADATA, RUNS
from llm4retail.config import Settings
from llm4retail.container import Services
from llm4retail.data.store import Store
from llm4retail.errors import ConflictError, DataValidationError
from llm4retail.models.parallel import ray_session

logger = logging.getLogger(__name__)

IN_FLIGHT_PER_CPU = 2  # Ray tasks queued per CPU of the cluster: workers never wait for the next chunk
DELETE_BATCH = 1000


@dataclass
class BatchReport:
    """What one call of `run_batch` did.

    Attributes:
        mode: `in-process` or `ray`.
        resumed: an unfinished run of the same job, parameters and model was continued.
        chunks: chunks of the run in all; `computed` of them now, `already_done` before this call.
        rows: output rows written now.
        state: `done`, or `running` when `max_chunks` stopped the call before the end.
        chunk_seconds: mean and largest compute time of the chunks computed now (on the worker that ran
            them), from which `bench/scale.py` projects the time on N machines.
    """

    job: str
    run_id: str
    model: str
    params: dict[str, Any]
    mode: str
    resumed: bool
    keys: int
    chunks: int
    computed: int
    already_done: int
    rows: int
    state: str
    seconds: float
    chunk_seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _chunks(keys: Sequence[str], size: int) -> list[list[str]]:
    return [list(keys[start : start + size]) for start in range(0, len(keys), size)]


# -- the ledger --------------------------------------------------------------------------------------------
def _open_run(store: Store, job: BatchJob, params: dict[str, Any], model: str, keys: list[str], chunk_size: int,
              *, restart: bool) -> tuple[str, bool]:  # fmt: skip
    """The run to work on: the unfinished run of this job, parameters and model, else a new one (planned now).
    Unfinished runs of the job that are not resumed are marked abandoned."""
    with store.transaction() as connection:
        unfinished = connection.execute(
            sa.select(RUNS.c.run_id, RUNS.c.params, RUNS.c.model)
            .where(RUNS.c.job == job.name, RUNS.c.state == "running")
            .order_by(RUNS.c.created_at.desc())
        ).all()
        for run_id, run_params, run_model in unfinished:
            if not restart and run_params == params and run_model == model:
                return run_id, True
        if unfinished:
            connection.execute(
                RUNS.update().where(RUNS.c.run_id.in_([row[0] for row in unfinished])).values(state="abandoned")
            )
            logger.info("batch %s: %d unfinished run(s) abandoned (%s)", job.name, len(unfinished),
                        "restart" if restart else "other parameters or model")  # fmt: skip
        run_id = f"{job.name}-{_now():%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
        planned = _chunks(keys, chunk_size)
        connection.execute(RUNS.insert().values(run_id=run_id, job=job.name, params=params, model=model,
                                                state="running", chunks=len(planned), key_count=len(keys),
                                                created_at=_now()))  # fmt: skip
        if planned:
            connection.execute(
                CHUNKS.insert(),
                [{"run_id": run_id, "chunk": i, "key_list": part, "state": "pending"} for i, part in enumerate(planned)],
            )
    return run_id, False


def _pending(store: Store, run_id: str) -> tuple[list[tuple[int, list[str]]], int, int]:
    """(chunk, keys) of the run's pending chunks in order, the number already done, and the run's key count."""
    with store.transaction() as connection:
        rows = connection.execute(
            sa.select(CHUNKS.c.chunk, CHUNKS.c.key_list, CHUNKS.c.state).where(CHUNKS.c.run_id == run_id).order_by(CHUNKS.c.chunk)
        ).all()
    pending = [(int(chunk), list(keys)) for chunk, keys, state in rows if state == "pending"]
    return pending, len(rows) - len(pending), sum(len(keys) for _, keys, _ in rows)


def _commit(store: Store, job: BatchJob, run_id: str, model: str, chunk: int, keys: Sequence[str],
            rows: list[dict[str, Any]], seconds: float) -> bool:  # fmt: skip
    """Writes one chunk's rows (replacing its keys' earlier rows) and marks it done, in one transaction.
    False when the chunk was done already (another runner of the same run got there first): nothing written."""
    output = job.output
    with store.transaction() as connection:
        claimed = connection.execute(
            CHUNKS.update()
            .where(CHUNKS.c.run_id == run_id, CHUNKS.c.chunk == chunk, CHUNKS.c.state == "pending")
            .values(state="done", rows=len(rows), seconds=seconds, finished_at=_now())
        ).rowcount
        if claimed != 1:
            return False
        for start in range(0, len(keys), DELETE_BATCH):
            connection.execute(output.delete().where(output.c[job.output_key].in_(list(keys[start : start + DELETE_BATCH]))))
        if rows:
            connection.execute(output.insert(), [{**row, "model": model, "run_id": run_id} for row in rows])
    return True


def _finish(store: Store, job: BatchJob, run_id: str) -> dict[str, list[str]]:
    """Marks the run done and deletes the output rows no chunk of it wrote (keys gone since earlier runs);
    returns those keys by the model that wrote them (read only for a job with a `deleted` hook)."""
    output = job.output
    stale = output.c.run_id != run_id
    with store.transaction() as connection:
        gone = (connection.execute(sa.select(output.c.model, output.c[job.output_key]).where(stale).distinct()).all()
                if job.deleted is not None else [])  # fmt: skip
        connection.execute(output.delete().where(stale))
        connection.execute(RUNS.update().where(RUNS.c.run_id == run_id).values(state="done", finished_at=_now()))
    by_model: dict[str, list[str]] = {}
    for model, key in gone:
        by_model.setdefault(str(model), []).append(str(key))
    return by_model


# -- executors ------------------------------------------------------------------------------------------
ChunkResult = tuple[list[dict[str, Any]], str, float]  # rows, the model that computed them, seconds


def _compute(services: Services, name: str, params: Mapping[str, Any], keys: Sequence[str]) -> ChunkResult:
    job = get_job(name)
    started = time.perf_counter()
    rows = job.compute(services, params, keys)
    return rows, job.model(services), time.perf_counter() - started


_WORKER_SERVICES: dict[str, Services] = {}


def _compute_on_worker(settings: Settings, name: str, params: Mapping[str, Any], keys: Sequence[str]) -> ChunkResult:
    """A Ray task: one chunk, with this worker process's `Services` for these settings (built once)."""
    key = settings.model_dump_json()
    if key not in _WORKER_SERVICES:
        _WORKER_SERVICES.clear()
        _WORKER_SERVICES[key] = Services(settings)
    return _compute(_WORKER_SERVICES[key], name, params, keys)


def _run_in_process(services: Services, name: str, params: Mapping[str, Any],
                    pending: list[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str], ChunkResult]]:  # fmt: skip
    for chunk, keys in pending:
        yield chunk, keys, _compute(services, name, params, keys)


def _run_on_ray(ray: Any, settings: Settings, name: str, params: Mapping[str, Any],
                pending: list[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str], ChunkResult]]:  # fmt: skip
    remote = ray.remote(num_cpus=1, max_retries=2)(_compute_on_worker)
    settings_ref = ray.put(settings)
    limit = max(1, int(ray.cluster_resources().get("CPU", 1)) * IN_FLIGHT_PER_CPU)
    waiting = list(reversed(pending))
    in_flight: dict[Any, tuple[int, list[str]]] = {}
    try:
        while waiting or in_flight:
            while waiting and len(in_flight) < limit:
                chunk, keys = waiting.pop()
                in_flight[remote.remote(settings_ref, name, params, keys)] = (chunk, keys)
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            chunk, keys = in_flight.pop(ready[0])
            yield chunk, keys, ray.get(ready[0])
    finally:
        for ref in in_flight:  # the caller stopped early (max_chunks, an error): drop the rest
            ray.cancel(ref)


# -- the entry point ----------------------------------------------------------------------------------
def run_batch(
    services: Services,
    name: str,
    *,
    params: Mapping[str, Any] | None = None,
    chunk_size: int | None = None,
    ray: str | None = None,
    restart: bool = False,
    max_chunks: int | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> BatchReport:
    """Runs (or resumes) the batch job `name` to the end, or for at most `max_chunks` chunks.

    Args:
        services: the container whose store receives the output and whose models compute it in-process.
        name: a job of `llm4retail.batch.jobs.JOBS`.
        params: the job's parameters (its defaults otherwise).
        chunk_size: keys per chunk of a new run (a resumed run keeps its plan).
        ray: None to compute in this process; `local`, `auto` or a cluster address for Ray tasks.
        restart: abandon an unfinished run instead of resuming it.
        max_chunks: stop after computing this many chunks (the run stays resumable).
        on_chunk: called with (chunks done, chunks in all) after each chunk is written.

    Raises:
        DataValidationError: unknown job or parameter, or a chunk size below 1.
        ConfigError: the Ray cluster cannot be reached.
        NotTrainedError: the job's model is not trained (names the command that trains it).
        ConflictError: the served model changed during the run (run the job again).
        MissingExtraError: `ray` is set and Ray is not installed.
    """
    job = get_job(name)
    params = job_params(job, params)
    size = job.chunk_size if chunk_size is None else chunk_size
    if size < 1:
        raise DataValidationError(f"chunk size must be at least 1, got {size}")
    started = time.perf_counter()
    store = services.store
    store.ensure_tables(METADATA)
    store.ensure_tables(job.output.metadata)  # an output table may belong to its capability (recommendations)
    model = job.model(services)  # NotTrainedError before any work
    keys = job.keys(services)
    run_id, resumed = _open_run(store, job, params, model, keys, size, restart=restart)
    pending, already_done, n_keys = _pending(store, run_id)
    total = len(pending) + already_done
    logger.info("batch %s: run %s, %d of %d chunks to compute (%s)", name, run_id, len(pending), total,
                f"Ray {ray}" if ray else "in this process")  # fmt: skip
    todo = pending if max_chunks is None else pending[:max_chunks]
    computed, rows_written, seconds = 0, 0, []
    with ray_session(ray) if ray else _no_ray() as ray_module:
        results = (
            _run_on_ray(ray_module, services.settings, name, params, todo) if ray_module is not None
            else _run_in_process(services, name, params, todo)
        )  # fmt: skip
        for chunk, chunk_keys, (rows, chunk_model, chunk_seconds) in results:
            if chunk_model != model:
                raise ConflictError(
                    f"the served model changed during batch run {run_id} ({model} -> {chunk_model}); "
                    f"run `llm4retail batch run {name}` again to start a run on the new model"
                )
            if _commit(store, job, run_id, model, chunk, chunk_keys, rows, chunk_seconds):
                if job.written is not None:
                    job.written(services, model, rows)
                computed += 1
                rows_written += len(rows)
                seconds.append(chunk_seconds)
            done = already_done + computed
            logger.info("batch %s: chunk %d/%d written (%d rows)", name, done, total, len(rows))
            if on_chunk is not None:
                on_chunk(done, total)
    remaining, _, _ = _pending(store, run_id)
    state = "running" if remaining else "done"
    if not remaining:
        for gone_model, gone_keys in _finish(store, job, run_id).items():
            job.deleted(services, gone_model, gone_keys)  # type: ignore[misc]  # only returned with a hook
    return BatchReport(
        job=name, run_id=run_id, model=model, params=params, mode="ray" if ray else "in-process", resumed=resumed,
        keys=n_keys, chunks=total, computed=computed, already_done=already_done, rows=rows_written, state=state,
        seconds=round(time.perf_counter() - started, 3),
        chunk_seconds={"mean": round(statistics.fmean(seconds), 4), "max": round(max(seconds), 4)} if seconds else {},
    )  # fmt: skip


@contextmanager
def _no_ray() -> Iterator[None]:
    yield None


def batch_runs(store: Store, *, job: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The latest runs (of one job, or all), newest first, with how many chunks are done."""
    store.ensure_tables(METADATA)
    done = sa.func.sum(sa.case((CHUNKS.c.state == "done", 1), else_=0))
    query = (
        sa.select(RUNS.c.run_id, RUNS.c.job, RUNS.c.state, RUNS.c.model, RUNS.c.params, RUNS.c.key_count, RUNS.c.chunks,
                  sa.func.coalesce(done, 0).label("chunks_done"), sa.func.coalesce(sa.func.sum(CHUNKS.c.rows), 0).label("rows"),
                  RUNS.c.created_at, RUNS.c.finished_at)  # fmt: skip
        .select_from(RUNS.outerjoin(CHUNKS, CHUNKS.c.run_id == RUNS.c.run_id))
        .group_by(RUNS.c.run_id)
        .order_by(RUNS.c.created_at.desc())
        .limit(limit)
    )
    if job is not None:
        get_job(job)
        query = query.where(RUNS.c.job == job)
    with store.transaction() as connection:
        rows = [dict(row._mapping) for row in connection.execute(query)]
    for row in rows:
        for key in ("created_at", "finished_at"):
            row[key] = row[key].isoformat() + "Z" if row[key] is not None else None
        row["chunks_done"], row["rows"] = int(row["chunks_done"]), int(row["rows"])
    return rows
