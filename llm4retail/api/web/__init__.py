"""The web faces of the server: the storefront (`/`, `/item/{id}`) and the offline API docs (`/docs`, `/redoc`).

Pages are rendered on the server (Jinja2) with htmx for as-you-type updates; every asset is served from
`llm4retail/api/web/static/` (vendored from the npm registry at pinned versions by `scripts/vendor_web_assets.py`).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from llm4retail.api.web import docs, storefront
from llm4retail.api.web.render import STATIC_DIR


def add_web(app: FastAPI) -> None:
    """Mounts the static assets and the page routes on `app` (whose `/docs` and `/redoc` must be off)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(docs.router)
    app.include_router(storefront.router)


__all__ = ["add_web"]
