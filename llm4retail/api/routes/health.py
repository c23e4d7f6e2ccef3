"""Liveness and readiness."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from llm4retail import __version__
from llm4retail.api.deps import StoreDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness")
def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok", "version": __version__}


@router.get("/ready", summary="Readiness", response_model=None)
def ready(store: StoreDep) -> Any:
    """The store answers; 503 otherwise."""
    if not store.ping():
        return JSONResponse({"status": "unavailable", "store": store.description}, status_code=503)
    return {"status": "ready", "store": store.description}
