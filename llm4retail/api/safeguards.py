"""Safeguards around every request: rate limits, CORS and security headers (docs/server.md).

`add_safeguards(app, settings)` installs them outside the body size limit, so that, from the outside in,
a request meets: security headers (on every answer, 413 and 429 included) › CORS (a preflight is
answered here; a 429 still carries CORS headers, so a page can read it) › the rate limit › the body
size limit › the routes.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
from collections.abc import Iterable

from anyio import to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from llm4retail.api.limits import Bucket, Decision, Limit, RateLimiter, build_rate_limiter
from llm4retail.config import RateLimitSettings, Settings

logger = logging.getLogger(__name__)

UNLIMITED_PATHS = frozenset({"/health", "/ready"})
"""Probes of load balancers and orchestrators: never rate limited."""

RATE_LIMIT_HEADERS = ("Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def add_safeguards(app: FastAPI, settings: Settings) -> None:
    """Install the rate limit, CORS and security headers on `app` (call after the body size limit).

    The limiter is kept in `app.state.rate_limiter` (None when rate limits are off).
    """
    api = settings.api
    limiter = build_rate_limiter(api.rate_limit) if api.rate_limit.enabled else None
    app.state.rate_limiter = limiter
    if limiter is not None:
        app.add_middleware(RateLimit, limiter=limiter, settings=api.rate_limit, trusted_proxies=api.trusted_proxies)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=api.cors.allow_origins,
        allow_methods=api.cors.allow_methods,
        allow_headers=api.cors.allow_headers,
        allow_credentials=api.cors.allow_credentials,
        expose_headers=list(RATE_LIMIT_HEADERS),
        max_age=api.cors.max_age_seconds,
    )
    app.add_middleware(SecurityHeaders, content_security_policy=api.content_security_policy)


def client_address(scope: Scope, trusted_proxies: Iterable[Network]) -> str:
    """The client's IP address: the peer, or, when the peer is a trusted proxy, the nearest address in
    `X-Forwarded-For` that is not one (right to left: only trusted proxies' additions are believed)."""
    peer = _peer(scope)
    proxies = tuple(trusted_proxies)
    if not proxies or not _is_in(peer, proxies):
        return peer
    forwarded = [
        hop.strip()
        for name, value in scope.get("headers", [])
        if name == b"x-forwarded-for"
        for hop in value.decode("latin-1").split(",")
    ]
    for hop in reversed([hop for hop in forwarded if hop]):
        if not _is_in(hop, proxies):
            return hop[:64]
    return peer


def _peer(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def _is_in(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _credential(scope: Scope) -> str | None:
    """A hash of the request's API key or bearer token (not checked here: the access model does that)."""
    values = [value for name, value in scope.get("headers", []) if name in (b"x-api-key", b"authorization")]
    values = [value.strip() for value in values if value.strip()]
    if not values:
        return None
    return hashlib.sha256(b"\n".join(sorted(values))).hexdigest()[:32]


class RateLimit:
    """ASGI middleware: 429 with `Retry-After` for a caller over its limit (see `RateLimitSettings`).

    A request without credentials takes a token from its client IP's bucket. One with credentials
    takes a token from the credential's bucket (its hash: they are checked later, by the access
    model) and is refused while its IP's bucket is empty; if it is answered 401 (credentials not
    valid) it then takes a token from its IP's bucket too. Made-up credentials therefore spend the
    IP's budget, while a shop's backend with valid keys is never held back by its IP. Answers carry
    `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds).
    """

    def __init__(
        self, app: ASGIApp, *, limiter: RateLimiter, settings: RateLimitSettings, trusted_proxies: list[str]
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.anonymous = Limit(settings.anonymous_per_second, settings.anonymous_burst)
        self.credentialed = Limit(settings.credential_per_second, settings.credential_burst)
        self.trusted_proxies = tuple(ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies)
        self._warned_forwarded = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        buckets = self.buckets(scope)
        decision = await self._hit(buckets)
        if not decision.allowed:
            await _too_many(decision)(scope, receive, send)
            return
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).update(_headers(decision))
            await send(message)

        await self.app(scope, receive, send_with_headers)
        if status == 401 and len(buckets) > 1:  # credentials that are not valid: the IP pays
            await self._hit([Bucket(bucket.key, bucket.limit) for bucket in buckets if not bucket.consume])

    async def _hit(self, buckets: list[Bucket]) -> Decision:
        if self.limiter.blocking:
            return await to_thread.run_sync(self.limiter.hit, buckets)
        return self.limiter.hit(buckets)

    def buckets(self, scope: Scope) -> list[Bucket]:
        """The buckets a request meets: its IP's, and its credential's if it has one."""
        address = client_address(scope, self.trusted_proxies)
        self._warn_about_untrusted_forwarding(scope, _peer(scope))
        ip_bucket = Bucket(f"ip:{address}", self.anonymous)
        credential = _credential(scope)
        if credential is None:
            return [ip_bucket]
        return [Bucket(f"key:{credential}", self.credentialed), Bucket(ip_bucket.key, ip_bucket.limit, consume=False)]

    def _warn_about_untrusted_forwarding(self, scope: Scope, address: str) -> None:
        """Once per process: a proxy in front that is not trusted makes every shopper one caller."""
        if self._warned_forwarded or not any(name == b"x-forwarded-for" for name, _ in scope.get("headers", [])):
            return
        if not _is_in(address, self.trusted_proxies):
            self._warned_forwarded = True
            logger.warning(
                "requests carry X-Forwarded-For but come from %s, which is not a trusted proxy: rate limits count "
                "them all as %s. If it is your proxy, set LLM4RETAIL_API__TRUSTED_PROXIES (docs/server.md).",
                address, address,
            )


def _headers(decision: Decision) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(math.ceil(decision.reset_after)),
    }


def _too_many(decision: Decision) -> JSONResponse:
    wait = max(1, math.ceil(decision.retry_after))
    message = f"too many requests: over the limit of {decision.limit} at once; retry in {wait} s"
    return JSONResponse({"error": message}, status_code=429, headers={"Retry-After": str(wait), **_headers(decision)})


class SecurityHeaders:
    """ASGI middleware: security headers on every answer, unless the route set them itself.

    `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer` and the
    configured `Content-Security-Policy` (the web pages of `/docs` and `/redoc` set a wider one of their own).
    """

    def __init__(self, app: ASGIApp, *, content_security_policy: str) -> None:
        self.app = app
        self.content_security_policy = content_security_policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.content_security_policy

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
