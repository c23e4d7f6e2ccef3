"""Console pages about the store's data and how its models do: rows per table and file imports with their
progress (`/console/data`), the recorded `eval` reports (`/console/evaluation`) and online evaluation from
live storefront traffic (`/console/online`). Signed in as on every console page (`console.signed_in_staff`).
"""

# No `from __future__ import annotations`: FastAPI reads the parameter annotations at import time.
from dataclasses import asdict
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Path, Query
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from llm4retail.api.deps import PublicAccess, ServicesDep
from llm4retail.api.web.console import ConsoleCaller, signed_in_staff
from llm4retail.api.web.render import render
from llm4retail.api.web.session import require_same_origin
from llm4retail.data.schemas import Table
from llm4retail.errors import Llm4RetailError, NotFoundError, storage_faults
from llm4retail.eval.history import latest_reports

router = APIRouter(prefix="/console", include_in_schema=False, tags=["session:console"],
                   dependencies=[PublicAccess, Depends(signed_in_staff)])  # fmt: skip


UPLOAD_ROUTE = "/data/import"
UPLOAD_PATH = "/console" + UPLOAD_ROUTE  # its body may be as large as `api.max_upload_bytes`
UPLOAD_CHUNK_WRITES = 1 << 20  # bytes gathered before one write to disk


@router.get("/data", summary="Console: data", response_model=None)
def data_page(
    request: Request, services: ServicesDep, caller: ConsoleCaller, job: Annotated[str | None, Query(max_length=32)] = None
) -> Response:
    """Rows in each table, a file import with its progress and rejection report, and the latest imports."""
    context: dict[str, Any] = {"caller": caller, "section": "data", "error": None, "counts": {}, "job": None,
                               "recent": [], "tables": [table.value for table in Table]}  # fmt: skip
    try:
        context["counts"] = services.store.counts()
        context["recent"] = [asdict(item) for item in services.imports.recent(limit=10)]
        if job:
            context["job"] = asdict(services.imports.get(job))
    except NotFoundError:
        context["error"] = f"no import job {job}"
    except Llm4RetailError as error:
        context["error"] = str(error)
    return render(request, "console/data.html", **context)


@router.get("/data/imports/{job_id}", summary="Console: an import's progress", response_model=None)
def import_progress(request: Request, services: ServicesDep, job_id: Annotated[str, Path(max_length=32)]) -> Response:
    """The job's progress and, once done, its report (the fragment the data page polls)."""
    try:
        job = asdict(services.imports.get(job_id))
    except NotFoundError:
        return render(request, "not_found.html", status_code=404, what=job_id)
    return render(request, "console/_import.html", job=job)


@router.get("/data/imports/{job_id}/rejections.csv", summary="Console: an import's rejected rows", response_model=None)
def import_rejections(services: ServicesDep, job_id: Annotated[str, Path(max_length=32)]) -> Response:
    """Every rejected row of the import (source, line, reason) as CSV."""
    try:
        path = services.imports.rejections_file(job_id)
    except NotFoundError:
        return Response("no rejected rows\n", status_code=404, media_type="text/plain")
    return FileResponse(path, media_type="text/csv", filename=f"rejections-{job_id}.csv")


@router.post(UPLOAD_ROUTE, summary="Console: upload a file to import", response_model=None)
async def upload(
    request: Request, services: ServicesDep,
    filename: Annotated[str, Query(min_length=1, max_length=200)],
    table: Annotated[Table | None, Query(description="the table of a contract file; none: recognised by its columns")] = None,
) -> Response:
    """The request body is the file itself (streamed to disk, up to `api.max_upload_bytes`); the import then
    runs in the background. Answers 202 with the job id and the page that follows it."""
    require_same_origin(request)
    job_id, target = services.imports.create(filename)
    written = 0
    with storage_faults(target), target.open("wb") as out:
        pending = bytearray()
        async for chunk in request.stream():
            pending += chunk
            if len(pending) >= UPLOAD_CHUNK_WRITES:
                await to_thread.run_sync(out.write, bytes(pending))
                written, pending = written + len(pending), bytearray()
        if pending:
            await to_thread.run_sync(out.write, bytes(pending))
            written += len(pending)
    if written == 0:
        return JSONResponse({"error": "the file is empty"}, status_code=422)
    services.imports.start(job_id, table=table)
    return JSONResponse({"job_id": job_id, "url": f"/console/data?job={job_id}"}, status_code=202)


_REPORT_HEADER = {"capability", "dataset", "n", "seconds", "models", "best", "recorded_at"}


@router.get("/evaluation", summary="Console: evaluation results", response_model=None)
def evaluation_page(request: Request, services: ServicesDep, caller: ConsoleCaller) -> Response:
    """The latest `llm4retail … eval` report of each capability (recorded in `<data-dir>/evals/`): its metrics,
    the compared models with the best one marked and charted, and the runs before it."""
    reports = latest_reports(services.settings.data_dir / "evals")
    sections = [_evaluation_view(capability, runs) for capability, runs in reports.items()]
    return render(request, "console/evaluation.html", caller=caller, section="evaluation", sections=sections)


def _evaluation_view(capability: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """What the page shows of one capability's reports (newest first)."""

    def figures(report: dict[str, Any]) -> dict[str, float]:
        return {key: value for key, value in report.items() if key not in _REPORT_HEADER
                and isinstance(value, int | float) and not isinstance(value, bool)}  # fmt: skip

    latest = runs[0]
    models: dict[str, dict[str, Any]] = latest.get("models") or {}
    columns = list(dict.fromkeys(name for row in models.values() for name in row))[:8]
    main = next(iter(figures(latest)), None)
    chart = None
    if models and columns:
        values = [models[name].get(columns[0]) for name in models]
        chart = {"metric": columns[0], "labels": list(models), "values": values, "best": latest.get("best")}
    return {
        "capability": capability, "latest": latest, "metrics": figures(latest), "models": models, "columns": columns,
        "chart": chart, "main": main,
        "history": [{"recorded_at": run.get("recorded_at"), "dataset": run.get("dataset"), "n": run.get("n"),
                     "value": figures(run).get(main) if main else None} for run in runs[1:]],
    }  # fmt: skip


@router.get("/online", summary="Console: online evaluation", response_model=None)
def online_page(
    request: Request, services: ServicesDep, caller: ConsoleCaller, days: Annotated[int, Query(ge=1, le=365)] = 14
) -> Response:
    """Click-through (with its 90% interval) and add-to-cart rates of what the storefront showed, per surface,
    model version and day, from live traffic."""
    context: dict[str, Any] = {"caller": caller, "section": "online", "days": days, "rows": [], "error": None}
    try:
        context["rows"] = services.online_evaluation(days=days)
    except Llm4RetailError as error:
        context["error"] = str(error)
    return render(request, "console/online.html", **context)
