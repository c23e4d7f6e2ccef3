"""Liveness and readiness."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from llm4retail import __version__
from llm4retail.api.deps import PublicAccess, ServicesDep, StoreDep
from llm4retail.data.migrate import current_revision, head_revision

router = APIRouter(tags=["health"], dependencies=[PublicAccess])


@router.get("/health", summary="Liveness")
def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok", "version": __version__}


@router.get("/ready", summary="Readiness", response_model=None)
def ready(store: StoreDep, services: ServicesDep) -> Any:
    """The store answers (503 otherwise), with each capability's model state.

    `models` lists every capability: `ready` (serving version), `training` (start-up training in
    progress), `not_trained` (the detail names the command), `failed` (the error) or `no_model`.
    A capability without a model answers 503 with the command to run; the others serve meanwhile.
    `schema` is the store's schema revision and this version's (`llm4retail db upgrade` when they differ;
    `null` for a store never migrated, such as a new embedded one). `change_feed` (server mode, `redis_url`
    set; else null): whether this worker hears the other workers' writes, and how many it applied. `llm` is the configured LLM endpoint's state (`not_configured` for the offline default,
    `reachable`, `unreachable` with the reason: the assistant answers from templates meanwhile).
    """
    if not store.ping():
        return JSONResponse({"status": "unavailable", "store": store.description}, status_code=503)
    models = [status.model_dump() for status in services.status()]
    return {
        "status": "ready", "store": store.description, "training": services.training, "models": models,
        "schema": {"revision": current_revision(store), "head": head_revision()},
        "change_feed": None if services.changes is None else
        {"listening": services.changes.listening, "applied": services.changes.applied},
        "llm": services.llm_endpoint.status().model_dump(mode="json"),
    }
