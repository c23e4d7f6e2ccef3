"""The FastAPI application factory.

Example:
    >>> app = create_app(get_settings())
    >>> # uvicorn.run(app)  -- or: llm4retail serve
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from llm4retail import __version__
from llm4retail.access import Level
from llm4retail.api.access_table import openapi_with_access, route_levels
from llm4retail.api.deps import CpuSlots
from llm4retail.api.inputs import reject_unstorable_input
from llm4retail.api.logs import mask_personal_data_in_logs
from llm4retail.api.routes import assistant as assistant_routes
from llm4retail.api.routes import auth as auth_routes
from llm4retail.api.routes import catalog as catalog_routes
from llm4retail.api.routes import events, health, recommend, records, search
from llm4retail.api.routes import forecast as forecast_routes
from llm4retail.api.routes import generate as generate_routes
from llm4retail.api.routes import inventory as inventory_routes
from llm4retail.api.routes import marketing as marketing_routes
from llm4retail.api.routes import pricing as pricing_routes
from llm4retail.api.routes import reviews as reviews_routes
from llm4retail.api.routes import risk as risk_routes
from llm4retail.api.routes import voice as voice_routes
from llm4retail.api.safeguards import add_safeguards
from llm4retail.api.web import add_web
from llm4retail.api.web.console_data import UPLOAD_PATH
from llm4retail.config import Settings, get_settings
from llm4retail.container import Services
from llm4retail.data.currency import currency_rates, with_currency
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import (
    AuthenticationError,
    ConflictError,
    DataValidationError,
    Llm4RetailError,
    MissingExtraError,
    NotFoundError,
    NotTrainedError,
    PayloadTooLargeError,
    PermissionDeniedError,
    StorageError,
    StorageFullError,
    StorageReadOnlyError,
    StoreUnavailableError,
)

logger = logging.getLogger(__name__)

_STATUS: list[tuple[type[Llm4RetailError], int]] = [
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (NotTrainedError, 503),
    (ConflictError, 409),
    (PayloadTooLargeError, 413),
    (MissingExtraError, 503),  # an optional feature this server was installed without (pip install ...[extra])
    (DataValidationError, 422),
    (StoreUnavailableError, 503),
    (StorageFullError, 507),  # Insufficient Storage: the write may succeed once space is freed
    (StorageReadOnlyError, 503),
    (Llm4RetailError, 500),
]


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """Build the API over `store` (default: the store `settings` point at).

    Args:
        settings: configuration (API keys, limits, database).
        store: an existing store, e.g. shared with a test.
    """
    store = store or Store.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        mask_personal_data_in_logs()  # uvicorn has set up its handlers by now
        services.llm_endpoint.start()  # a configured LLM endpoint that does not answer is logged, and shown in /ready
        services.start_change_feed()  # server mode: the other workers' product and event writes reach this one
        try:
            store.create_schema()
        except (StoreUnavailableError, StorageError) as error:  # /ready reports it; /health still answers
            logger.error("%s", error)
        else:
            # trains what is missing (unless models.train_on_start is off), then loads every trained
            # model and index, in the background: progress in /ready; requests never train or wait
            services.train_missing(background=True, train=settings.models.train_on_start)
        yield
        services.close()  # services save what changed (the search index), then the store closes
        if app.state.rate_limiter is not None:
            app.state.rate_limiter.close()

    app = FastAPI(
        title="LLMforRetail",
        version=__version__,
        description="Retail search, recommendations, assistant and analytics over one data model.",
        lifespan=lifespan,
        docs_url=None,  # served by llm4retail.api.web with the package's own assets (offline)
        redoc_url=None,
        dependencies=[Depends(reject_unstorable_input)],  # NUL, surrogates, NaN: 422 before any route's code
    )
    app.state.settings = settings
    app.state.store = store
    app.state.services = services = Services(settings, store=store)
    app.state.cpu_slots = CpuSlots(settings.api.cpu_slots or os.cpu_count() or 1)

    app.add_middleware(BodySizeLimit, max_bytes=settings.api.max_request_bytes,
                       uploads={UPLOAD_PATH: settings.api.max_upload_bytes})  # fmt: skip
    add_safeguards(app, settings)  # rate limits, CORS, security headers: outside the size limit
    _add_error_handlers(app, settings)
    app.include_router(health.router)
    app.include_router(auth_routes.router)
    pages = settings.api.page_size_limit
    app.include_router(
        records.record_router(
            Table.PRODUCTS,
            filters=("category", "brand", "available"),
            on_write=services.products_changed,
            on_delete=services.products_deleted,
            present=partial(with_currency, rates=currency_rates(settings)),
            page_size_limit=pages,
        )
    )
    for table, filters in ((Table.CUSTOMERS, ("segment", "country")), (Table.ORDERS, ("customer_id", "status"))):
        app.include_router(
            records.record_router(table, filters=filters, read=Level.OWNER, owner_column="customer_id", page_size_limit=pages)
        )
    app.include_router(events.event_router(page_size_limit=pages))
    app.include_router(search.router)
    app.include_router(recommend.router)
    app.include_router(risk_routes.router)
    app.include_router(marketing_routes.router)
    app.include_router(forecast_routes.router)  # forecasting, inventory, pricing
    app.include_router(inventory_routes.router)
    app.include_router(pricing_routes.router)
    app.include_router(assistant_routes.router)  # the customer-service assistant
    app.include_router(reviews_routes.router)  # reviews, aspects, summaries
    app.include_router(reviews_routes.staff_router)  # the store's review analytics
    app.include_router(catalog_routes.router)  # attribute extraction
    app.include_router(generate_routes.router)  # grounded product copy and campaign messages (staff)
    app.include_router(voice_routes.router)  # voice search and voice requests
    add_web(app)  # the storefront pages, /docs and /redoc
    route_levels(app)  # every route declares its access level (raises otherwise)
    app.openapi = lambda: openapi_with_access(app)  # type: ignore[method-assign]
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker of `llm4retail serve --workers N` (settings from the environment and config file)."""
    return create_app(get_settings())


def _error(status_code: int, message: str, *, headers: Mapping[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status_code, headers=headers)


def _add_error_handlers(app: FastAPI, settings: Settings) -> None:
    @app.exception_handler(Llm4RetailError)
    async def domain_error(_request: Request, error: Llm4RetailError) -> JSONResponse:
        code = next(code for kind, code in _STATUS if isinstance(error, kind))
        if code == 500:
            logger.exception("unhandled domain error", exc_info=error)
        elif isinstance(error, StorageError):  # the operator must act: say it in the server log too
            logger.error("%s", error)
        response = _error(code, str(error))
        if code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="llm4retail", charset="UTF-8"'
        return response

    @app.exception_handler(OSError)
    async def os_error(request: Request, error: OSError) -> JSONResponse:
        # a file the server writes beside the store (a model, an index, the token key) on a full or
        # read-only disk; any other OSError is a bug and goes on to the 500 handler with its traceback
        storage = StorageError.from_exception(error, location=str(error.filename or f"a file under {settings.data_dir}"))
        if storage is None:
            raise error
        return await domain_error(request, storage)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]} for item in error.errors()
        ]
        summary = "; ".join(f"{item['field']}: {item['message']}" for item in fields[:5])
        return _error(422, f"invalid request: {summary}", fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = dict(error.headers or {})
        if error.status_code == 405:  # Starlette names the methods of the first route of the path only
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return _error(error.status_code, str(error.detail), headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of the request's path answers."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):  # included routers' routes, with their full paths
        if isinstance(route.original_route, APIRoute) and compile_path(route.path)[0].match(request.url.path):
            methods |= route.methods
    return sorted(methods)


class _BodyTooLarge(StarletteHTTPException):
    """Raised while reading a streamed body; FastAPI passes HTTP exceptions through to the handlers."""


class BodySizeLimit:
    """ASGI middleware: 413 for a body over `max_bytes` (or, for an upload path, its own limit), by header or
    while streaming (chunked)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, uploads: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.uploads = uploads or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.uploads.get(scope.get("path", ""), self.max_bytes)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _BodyTooLarge(413, f"request body larger than {limit} bytes")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._reject(scope, receive, send, limit)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = _error(413, f"request body larger than {limit} bytes")
        await response(scope, receive, send)
