"""The route × role table, read from the routes' own `Access` dependencies.

Every route declares exactly one access level; `route_levels(app)` reads them back, so the table in
docs/access.md (`llm4retail serve --access-table` prints it), the OpenAPI security of each operation
and the role tests all come from the code that enforces them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from llm4retail.access import Level, Role
from llm4retail.api.deps import Access
from llm4retail.api.safeguards import UNLIMITED_PATHS
from llm4retail.data.schemas import Table
from llm4retail.errors import ConfigError

# Which roles a level admits: reads / writes (a customer only its own data; staff reads on OWNER routes).
ROLES_OF_LEVEL: dict[Level, tuple[str, str]] = {
    Level.PUBLIC: ("everyone", "everyone"),
    Level.OWNER: ("own customer, staff, admin", "own customer, admin"),
    Level.STAFF: ("staff, admin", "staff, admin"),
    Level.ADMIN: ("admin", "admin"),
}
LOWEST_ROLE: dict[Level, Role] = {
    Level.PUBLIC: Role.ANONYMOUS, Level.OWNER: Role.CUSTOMER, Level.STAFF: Role.STAFF, Level.ADMIN: Role.ADMIN,
}
# Pages behind a sign-in cookie declare it with a router tag `session:<name>` (llm4retail/api/web/session.py);
# without the cookie they send the browser to sign in (303), whatever API credentials come with the request.
PAGE_SESSIONS = {
    "console": "staff, admin signed in to the console (session cookie); others are sent to sign in",
    "shopper": "the signed-in customer (session cookie); others are sent to sign in",
}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}  # may answer 507 when the disk is full


@dataclass(frozen=True)
class RouteAccess:
    """One operation and the level it requires."""

    method: str
    path: str
    level: Level
    summary: str
    scoped: bool = False  # the handler checks which customer the caller may act for (403 possible)
    page: bool = False  # a web page (HTML), not an operation of the JSON API's OpenAPI document
    session: str | None = None  # a page behind a sign-in cookie (`PAGE_SESSIONS`), not behind API credentials

    @property
    def write(self) -> bool:
        """Whether the operation changes something (anything but GET)."""
        return self.method != "GET"

    @property
    def who(self) -> str:
        """The roles admitted, in words."""
        if self.session is not None:
            return PAGE_SESSIONS[self.session]
        reads, writes = ROLES_OF_LEVEL[self.level]
        who = writes if self.write else reads
        return f"{who} (a customer's data only with its token or a key)" if self.scoped else who


def _levels(dependant: Dependant) -> Iterator[tuple[Level, bool]]:
    """Each declared level, and whether the handler scopes a public route by the caller."""
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, Access):
            yield dependency.call.level, dependency.call.scoped
        yield from _levels(dependency)


def route_levels(app: FastAPI) -> list[RouteAccess]:
    """Every API operation with its access level, in path order.

    Raises:
        ConfigError: a route declares no level or more than one (a route without a declared level
            must not slip through as public).
    """
    table = []
    for route in iter_route_contexts(app.routes):  # included routers, with their router-level dependencies
        if not isinstance(route.original_route, APIRoute):
            continue
        found = list(_levels(route.dependant))
        levels = {level for level, _ in found}
        if len(levels) != 1:
            raise ConfigError(f"route {route.path} must declare exactly one access level, got {sorted(levels) or 'none'}")
        (level,) = levels
        scoped = any(named for _, named in found)
        for method in sorted(route.methods - {"HEAD"}):
            page = not route.original_route.include_in_schema
            sessions = [str(tag).removeprefix("session:") for tag in route.original_route.tags if str(tag).startswith("session:")]
            table.append(RouteAccess(method, route.path, level, route.summary or route.name, scoped, page,
                                     sessions[0] if sessions else None))  # fmt: skip
    return sorted(table, key=lambda row: (row.path, row.method))


def markdown_table(app: FastAPI) -> str:
    """The route × role table as Markdown (what docs/access.md shows)."""
    lines = ["| method | path | level | who may call it |", "|---|---|---|---|"]
    lines += [f"| {row.method} | `{row.path}` | {row.level.value} | {row.who} |" for row in route_levels(app)]
    return "\n".join(lines) + "\n"


NOT_FOUND_WITHOUT_PATH_PARAMETERS = frozenset({
    ("POST", "/auth/customer-tokens"), ("POST", "/auth/demo-login"), ("POST", "/conversations"),
})  # fmt: skip
"""Operations that name a customer in their body and answer 404 when it does not exist."""
ALWAYS_ANSWERS = frozenset({"/health"})
"""Operations that need neither the store nor a model (never 503)."""


def _document_outcomes(row: RouteAccess, operation: dict[str, Any]) -> None:
    """Every status an operation can answer besides success and access: 404, 409, 413, 422, 503."""
    responses = operation["responses"]
    has_path = any(parameter.get("in") == "path" for parameter in operation.get("parameters", []))
    if has_path or (row.method, row.path) in NOT_FOUND_WITHOUT_PATH_PARAMETERS:
        responses.setdefault("404", {"description": "No such resource (or not the caller's)", **_ERROR})
    if row.method == "POST" and row.path.strip("/") in {table.value for table in Table}:  # create a row
        responses.setdefault("409", {"description": "A row with this key exists already", **_ERROR})
    if "requestBody" in operation:
        responses.setdefault("400", {"description": "The body cannot be read as JSON text (not UTF-8)", **_ERROR})
        responses.setdefault("413", {"description": "The body is larger than api.max_request_bytes", **_ERROR})
    # Every operation checks its parameters (and any query string) for text the store cannot hold.
    responses["422"] = {"description": "Invalid input; `fields` names each bad field", **_ERROR}
    if row.path not in ALWAYS_ANSWERS:
        responses.setdefault("503", {
            "description": "The store does not answer, or the capability has no trained model yet (the error names "
            "the command to run)", **_ERROR,
        })


def openapi_with_access(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with each operation's true security: credentials optional on public routes,
    an API key on staff and admin routes, a key or a customer token on owner routes; 401 and 403 documented."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object", "required": ["error"], "title": "Error",
        "properties": {"error": {"type": "string"}, "fields": {"type": "array", "items": {"type": "object"}}},
    }  # fmt: skip
    key, token = {"APIKeyHeader": []}, {"HTTPBearer": []}
    security = {Level.PUBLIC: [{}, key, token], Level.OWNER: [key, token], Level.STAFF: [key], Level.ADMIN: [key]}
    for row in route_levels(app):
        if row.page:
            continue
        operation = spec["paths"][row.path][row.method.lower()]
        operation["security"] = security[row.level]
        operation["x-access-level"] = row.level.value
        responses = operation.setdefault("responses", {})
        responses.setdefault("401", {"description": "Credentials were sent and are not valid", **_ERROR})
        if row.level is not Level.PUBLIC:
            responses["401"]["description"] = "No valid credentials"
        if row.level is not Level.PUBLIC or row.scoped:
            responses.setdefault("403", {"description": f"The caller may not do this ({row.who})", **_ERROR})
        _document_outcomes(row, operation)
        if row.method.upper() in _WRITE_METHODS:
            responses.setdefault("507", {"description": "The disk is full: nothing was written", **_ERROR})
        if row.path not in UNLIMITED_PATHS:
            responses.setdefault("429", {
                "description": "Too many requests from this caller; retry after `Retry-After` seconds", **_ERROR,
                "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}},
            })
    app.openapi_schema = spec
    return spec
