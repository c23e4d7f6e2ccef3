"""`/docs` (Swagger UI) and `/redoc` (ReDoc) from the assets this package serves itself: they work offline.

Both pages start their viewer from a static script (no inline script), so the API's Content-Security-Policy
holds except for inline styles (both viewers style elements at run time) and ReDoc's search worker (blob:).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse

from llm4retail.api.deps import PublicAccess
from llm4retail.api.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[PublicAccess])

DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


@router.get("/docs", summary="API documentation (Swagger UI)")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over `/openapi.json`, served with its pinned assets."""
    response = render(request, "docs.html", title="LLMforRetail API")
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response


@router.get("/redoc", summary="API documentation (ReDoc)")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over `/openapi.json`, served with its pinned assets."""
    response = render(request, "redoc.html", title="LLMforRetail API")
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response
