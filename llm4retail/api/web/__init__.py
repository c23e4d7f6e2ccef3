"""The web faces of the server: the storefront (`/`, `/item/{id}`, `/signin`, `/for-you`, the chat widget),
the operator console (`/console`) and the offline API docs (`/docs`, `/redoc`).

Pages are rendered on the server (Jinja2) with htmx for as-you-type updates; every asset is served from
`llm4retail/api/web/static/` (vendored from the npm registry at pinned versions by `scripts/vendor_web_assets.py`).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from llm4retail.api.web import account, console, console_data, docs, storefront
from llm4retail.api.web.render import STATIC_DIR


def add_web(app: FastAPI) -> None:
    """Mounts the static assets and the page routes on `app` (whose `/docs` and `/redoc` must be off)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(docs.router)
    app.include_router(storefront.router)
    app.include_router(account.router)
    app.add_exception_handler(console.SignInRequired, console.sign_in_first)  # a console page without a session
    app.include_router(console.signin_router)
    app.include_router(console.router)
    app.include_router(console_data.router)


__all__ = ["add_web"]
