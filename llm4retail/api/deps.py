"""Request dependencies: the store, the settings, the services and the caller's access (docs/access.md)."""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Annotated, Any

import orjson
from anyio import CapacityLimiter
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from llm4retail.access import Level, Principal
from llm4retail.config import Settings
from llm4retail.container import Services
from llm4retail.data.store import Store

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key (staff or admin; `llm4retail keys create`)."
)
bearer_scheme = HTTPBearer(
    auto_error=False, bearerFormat="JWT", description="A customer token (POST /auth/customer-tokens, or demo login)."
)


# The dependencies are coroutines where they do no I/O: FastAPI runs a plain function in the thread
# pool, and each of those hops costs a thread hand-off and an event-loop wake-up per request.
async def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    """The app's store."""
    return request.app.state.store


async def get_services(request: Request) -> Services:
    """The app's service container (every capability service is reached through it)."""
    return request.app.state.services


class CpuSlots:
    """At most `total` CPU-heavy requests computed at once, the rest waiting in arrival order.

    One anyio limiter per event loop: a limiter's waiters are woken through their own loop, so sharing one
    between loops (the test client runs each request of a thread in a loop of its own) can leave a waiter
    asleep forever. A server has one loop per worker, hence one limiter.
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def limiter(self) -> CapacityLimiter:
        """The limiter of the running event loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if loop not in self._limiters:
                self._limiters[loop] = CapacityLimiter(self.total)
            return self._limiters[loop]


async def get_cpu_slots(request: Request) -> CapacityLimiter:
    """The limiter of CPU-heavy work (`settings.api.cpu_slots` at once; the rest wait in arrival order)."""
    return request.app.state.cpu_slots.limiter()


async def get_principal(
    services: Annotated[Services, Depends(get_services)],
    api_key: Annotated[str | None, Depends(api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The caller of the request (anonymous without credentials; 401 for credentials that are not valid)."""
    token = bearer.credentials if bearer is not None else None
    if api_key is None and token is None:
        return services.access.authenticate(api_key=None, bearer=None)  # anonymous: no lookup
    return await run_in_threadpool(services.access.authenticate, api_key=api_key, bearer=token)  # may read keys


class Access:
    """A route dependency: the caller must meet `level` (401 without credentials, 403 with too few rights).

    Routes declare it once (`dependencies=[Depends(Access(Level.STAFF))]` or as a parameter to get the
    caller); `access_table(app)` reads the levels back, which is how docs/access.md is made and checked.
    """

    def __init__(self, level: Level, *, scoped: bool = False) -> None:
        self.level = level
        self.scoped = scoped  # public, but the handler checks which customer the caller may act for

    async def __call__(self, request: Request, principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        principal.require(self.level, write=request.method not in ("GET", "HEAD", "OPTIONS"))
        request.state.principal = principal
        return principal


PUBLIC = Access(Level.PUBLIC)
SCOPED = Access(Level.PUBLIC, scoped=True)
OWNER = Access(Level.OWNER)
STAFF = Access(Level.STAFF)
ADMIN = Access(Level.ADMIN)

StoreDep = Annotated[Store, Depends(get_store)]
ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CpuSlotsDep = Annotated[CapacityLimiter, Depends(get_cpu_slots)]
PublicCaller = Annotated[Principal, Depends(PUBLIC)]
ScopedCaller = Annotated[Principal, Depends(SCOPED)]
OwnerCaller = Annotated[Principal, Depends(OWNER)]
PublicAccess = Depends(PUBLIC)
StaffAccess = Depends(STAFF)
AdminAccess = Depends(ADMIN)


def json_response(payload: Any, *, status_code: int = 200) -> Response:
    """`payload` as JSON written by orjson: dataclasses and numpy values as they are, NaN as null.

    For hot routes (search): a route returning this skips FastAPI's validation and encoding of its
    return value (its return annotation still documents the answer in OpenAPI)."""
    body = orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    return Response(body, status_code=status_code, media_type="application/json")
