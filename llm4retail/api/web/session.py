"""Who is signed in on the web pages: a shopper's customer token or a staff console session, each in an
HttpOnly cookie, and the same-origin check that every page form and page `fetch` passes.

Cookies are `HttpOnly` (page scripts never see them), `SameSite` (`Lax` for the shopper, `Strict` for the
console) and `Secure` when the request came over HTTPS. A state-changing page request must also come
from this origin: a browser names the page's origin in `Origin` on every POST, and a request whose
`Origin` is another site's (a forged form elsewhere) is refused before anything runs.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from llm4retail.access.roles import Principal, Role
from llm4retail.container import Services
from llm4retail.errors import AuthenticationError, DataValidationError, PermissionDeniedError

SHOPPER_COOKIE = "l4r_shopper"
VISITOR_COOKIE = "l4r_visitor"  # a random id per browser: the session of the storefront's impressions and clicks
MAX_FORM_BYTES = 4096
CONSOLE_COOKIE = "l4r_console"


def require_same_origin(request: Request) -> None:
    """Raises PermissionDeniedError for a request that another site's page sent (its `Origin` is not ours)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        if origin == "null":
            raise PermissionDeniedError("this page action must come from this site's own pages")
        return  # not a browser's cross-site request (curl, tests); cookies are SameSite anyway
    if urlsplit(origin).netloc != request.headers.get("host", ""):
        raise PermissionDeniedError("this page action must come from this site's own pages")


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int, strict: bool) -> None:
    """A session cookie the page's scripts cannot read."""
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="strict" if strict else "lax",
        secure=request.url.scheme == "https", path="/",
    )  # fmt: skip


def shopper(request: Request, services: Services) -> Principal | None:
    """The signed-in customer of this page request, or None (no cookie, or one that expired)."""
    token = request.cookies.get(SHOPPER_COOKIE)
    if not token:
        return None
    try:
        principal = services.access.tokens.authenticate(token)
    except AuthenticationError:
        return None
    return principal if principal.role is Role.CUSTOMER else None


def console_caller(request: Request, services: Services) -> Principal | None:
    """The staff or admin member signed in to the console, or None."""
    session = request.cookies.get(CONSOLE_COOKIE)
    if not session:
        return None
    try:
        return services.access.console_caller(session)
    except AuthenticationError:
        return None


async def form_fields(request: Request) -> dict[str, str]:
    """The fields of a small url-encoded page form (first value of each)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise DataValidationError(f"a page form holds at most {MAX_FORM_BYTES} bytes")
    return {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items() if values}


_VISITOR = re.compile(r"^[0-9a-f]{32}$")


def visitor(request: Request) -> tuple[str, bool]:
    """The browser's visitor id (the session of its impressions and clicks) and whether it is new (then the
    page sets it with `keep_visitor`)."""
    known = request.cookies.get(VISITOR_COOKIE, "")
    if _VISITOR.match(known):
        return known, False
    return secrets.token_hex(16), True


def keep_visitor(request: Request, response: Response, visitor_id: str) -> None:
    """Sets the visitor cookie (a year; HttpOnly, SameSite=Lax): no personal data, only a random id."""
    response.set_cookie(VISITOR_COOKIE, visitor_id, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")  # fmt: skip
