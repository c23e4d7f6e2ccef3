"""Tests of the safeguards around every request: rate limits (429), CORS, security headers and size limits."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from llm4retail.api.app import create_app
from llm4retail.assistant.schemas import MAX_MESSAGE_CHARS
from llm4retail.config import Settings
from llm4retail.search.request import MAX_QUERY_LENGTH

pytestmark = pytest.mark.unit

API_KEY = "abcdefghij0123456789"
OTHER_KEY = "klmnopqrst0123456789"
AUTH = {"X-API-Key": API_KEY}
REDIS_URL = os.environ.get("LLM4RETAIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SHOPPER = ("203.0.113.7", 50000)
SHOP = "https://shop.example"
MakeApp = Callable[..., FastAPI]


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[MakeApp]:
    """Apps over one empty store; keyword arguments are `api` settings (rate limits off unless given)."""
    started: list[TestClient] = []

    def make(**api: Any) -> FastAPI:
        api.setdefault("rate_limit", {"enabled": False})
        settings = Settings(data_dir=tmp_path / "data", api_keys=[API_KEY, OTHER_KEY], models={"train_on_start": False}, api=api)
        app = create_app(settings)
        client = TestClient(app)
        client.__enter__()  # runs the lifespan (schema, then closing) once per app
        started.append(client)
        return app

    yield make
    for client in started:
        client.__exit__(None, None, None)


def _client(app: FastAPI, address: tuple[str, int] = SHOPPER) -> TestClient:
    return TestClient(app, client=address)


def _limited(make_app: MakeApp, *, burst: int = 3, credential_burst: int = 2, **api: Any) -> FastAPI:
    """An app whose limits are tiny: `burst` anonymous requests per IP and `credential_burst` per
    credential, with (almost) no refill during a test."""
    rate_limit = {"anonymous_per_second": 0.01, "anonymous_burst": burst,
                  "credential_per_second": 0.01, "credential_burst": credential_burst} | api.pop("rate_limit", {})
    return make_app(rate_limit=rate_limit, **api)


def _statuses(client: TestClient, count: int, path: str = "/products", **kwargs: Any) -> list[int]:
    return [client.get(path, **kwargs).status_code for _ in range(count)]


# --- rate limits ------------------------------------------------------------------------------------


def test_one_ip_over_its_burst_gets_429_with_retry_after(make_app: MakeApp) -> None:
    app = _limited(make_app)
    client = _client(app)
    assert _statuses(client, 3) == [200, 200, 200]

    refused = client.get("/products")

    assert refused.status_code == 429
    assert refused.json()["error"].startswith("too many requests")
    assert refused.headers["Retry-After"] == "100"  # one token at 0.01 per second, in whole seconds
    assert refused.headers["RateLimit-Limit"] == "3" and refused.headers["RateLimit-Remaining"] == "0"
    assert _client(app, ("198.51.100.2", 1)).get("/products").status_code == 200  # another IP: its own bucket


def test_allowed_answers_carry_the_remaining_budget(make_app: MakeApp) -> None:
    client = _client(_limited(make_app, burst=5))

    headers = [client.get("/products").headers for _ in range(2)]

    assert [h["RateLimit-Remaining"] for h in headers] == ["4", "3"]
    assert all(h["RateLimit-Limit"] == "5" and int(h["RateLimit-Reset"]) > 0 for h in headers)


def test_health_and_ready_are_never_limited(make_app: MakeApp) -> None:
    client = _client(_limited(make_app, burst=1))
    client.get("/products")

    assert _statuses(client, 20, "/health") == [200] * 20
    assert _statuses(client, 2, "/ready") == [200] * 2


def test_each_credential_has_its_own_bucket(make_app: MakeApp) -> None:
    client = _client(_limited(make_app, burst=3, credential_burst=2))

    first = _statuses(client, 3, headers={"X-API-Key": API_KEY})
    second = _statuses(client, 1, headers={"X-API-Key": OTHER_KEY})
    anonymous = _statuses(client, 4)

    assert first == [200, 200, 429]
    assert second == [200]
    assert anonymous == [200, 200, 200, 429]  # valid credentials' requests took nothing from the IP


@pytest.mark.parametrize("header", ["X-API-Key", "Authorization"])
def test_credentials_that_are_not_valid_spend_the_ip_budget(make_app: MakeApp, header: str) -> None:
    client = _client(_limited(make_app, burst=3, credential_burst=100))

    def made_up_credential() -> dict[str, str]:
        value = uuid.uuid4().hex
        return {header: value if header == "X-API-Key" else f"Bearer {value}"}

    made_up = [
        client.post("/products", json={"product_id": "p1", "title": "t"}, headers=made_up_credential())
        for _ in range(4)
    ]

    assert [response.status_code for response in made_up] == [401, 401, 401, 429]
    assert client.get("/products").status_code == 429  # the IP's own budget is spent too


def test_tokens_come_back_after_the_window(make_app: MakeApp) -> None:
    client = _client(make_app(rate_limit={"anonymous_per_second": 1.0, "anonymous_burst": 1}))
    assert _statuses(client, 2) == [200, 429]

    time.sleep(1.05)  # one token: a second (shorter windows make the test depend on the machine's load)

    assert client.get("/products").status_code == 200


def test_rate_limits_can_be_turned_off(make_app: MakeApp) -> None:
    app = make_app(rate_limit={"enabled": False, "anonymous_burst": 1})
    client = _client(app)

    responses = [client.get("/products") for _ in range(10)]

    assert app.state.rate_limiter is None
    assert [r.status_code for r in responses] == [200] * 10 and "RateLimit-Limit" not in responses[0].headers


def test_default_limits_let_a_page_load_through(make_app: MakeApp) -> None:
    client = _client(make_app(rate_limit={}))

    assert set(_statuses(client, 150)) == {200}


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(
    make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    app = _limited(make_app, burst=2)
    client = _client(app, ("127.0.0.1", 40000))

    with caplog.at_level(logging.WARNING, logger="llm4retail.api.safeguards"):
        spoofed = [client.get("/products", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(4)]

    assert spoofed == [200, 200, 429, 429]
    assert sum("not a trusted proxy" in record.getMessage() for record in caplog.records) == 1


def test_a_trusted_proxy_names_the_client(make_app: MakeApp) -> None:
    app = _limited(make_app, burst=2, trusted_proxies=["10.0.0.0/8"])
    proxy = _client(app, ("10.1.2.3", 40000))

    def through_proxy(forwarded_for: str) -> list[int]:
        return _statuses(proxy, 3, headers={"X-Forwarded-For": forwarded_for})

    assert through_proxy("203.0.113.20") == [200, 200, 429]
    assert through_proxy("203.0.113.21") == [200, 200, 429]
    # A client's own X-Forwarded-For is not believed: the nearest untrusted hop is the client.
    assert through_proxy("192.0.2.1, 203.0.113.20, 10.9.9.9") == [429, 429, 429]


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A fresh key prefix in the real Redis server; its keys are deleted afterwards."""
    prefix = f"llm4retail:test:rate:{uuid.uuid4().hex[:12]}:"
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is required by the server-mode rate-limit tests but is not reachable at {REDIS_URL} "
                    f"({error}). Start redis-server or set LLM4RETAIL_TEST_REDIS_URL.", pytrace=False)
    yield prefix
    keys = list(server.scan_iter(match=prefix + "*"))
    if keys:
        server.delete(*keys)
    server.close()


def test_server_mode_shares_the_limits_between_workers(make_app: MakeApp, redis_prefix: str) -> None:
    redis_settings = {"rate_limit": {"redis_url": REDIS_URL, "redis_prefix": redis_prefix}}
    first, second = (_client(_limited(make_app, burst=3, **redis_settings)) for _ in range(2))

    statuses = _statuses(first, 2) + _statuses(second, 1)

    assert statuses == [200, 200, 200]
    assert second.get("/products").status_code == 429 and first.get("/products").status_code == 429
    assert first.app.state.rate_limiter is not second.app.state.rate_limiter  # two workers, one Redis


def test_server_mode_without_redis_answers_and_warns(make_app: MakeApp, caplog: pytest.LogCaptureFixture) -> None:
    client = _client(_limited(make_app, burst=3, rate_limit={"redis_url": "redis://127.0.0.1:1/0"}))

    with caplog.at_level(logging.WARNING, logger="llm4retail.api.limits"):
        statuses = _statuses(client, 4)

    assert statuses == [200, 200, 200, 429]  # this worker's own limits meanwhile, never a 500
    assert any("does not answer" in record.getMessage() for record in caplog.records)


# --- CORS ---------------------------------------------------------------------------------------------


def _preflight(client: TestClient, origin: str, method: str = "POST", headers: str = "content-type") -> Any:
    return client.options("/products", headers={
        "Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers,
    })


def test_no_cross_origin_access_by_default(make_app: MakeApp) -> None:
    client = _client(make_app())

    preflight = _preflight(client, SHOP)
    read = client.get("/products", headers={"Origin": SHOP})

    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers


def test_configured_origins_may_call_the_api(make_app: MakeApp) -> None:
    client = _client(make_app(cors={"allow_origins": [SHOP]}))

    preflight = _preflight(client, SHOP, headers="authorization, content-type")
    read = client.get("/products", headers={"Origin": SHOP})

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == SHOP
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    assert read.headers["access-control-allow-origin"] == SHOP
    assert "Retry-After" in read.headers["access-control-expose-headers"]


def test_other_origins_methods_and_headers_are_refused(make_app: MakeApp) -> None:
    client = _client(make_app(cors={"allow_origins": [SHOP]}))

    other_origin = _preflight(client, "https://evil.example")
    api_key_header = _preflight(client, SHOP, headers="x-api-key")
    put = _preflight(client, SHOP, method="PUT")

    assert [r.status_code for r in (other_origin, api_key_header, put)] == [400, 400, 400]
    assert "access-control-allow-origin" not in other_origin.headers


def test_a_refused_cross_origin_request_can_read_its_429(make_app: MakeApp) -> None:
    client = _client(_limited(make_app, burst=1, cors={"allow_origins": [SHOP]}))
    client.get("/products", headers={"Origin": SHOP})

    refused = client.get("/products", headers={"Origin": SHOP})

    assert refused.status_code == 429 and refused.headers["access-control-allow-origin"] == SHOP


# --- security headers -------------------------------------------------------------------------------


def _assert_security_headers(response: Any, policy_part: str = "default-src 'self'") -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert policy_part in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_security_headers_on_every_kind_of_answer(make_app: MakeApp) -> None:
    client = _client(_limited(make_app, burst=5, max_request_bytes=100))  # the 413 has credentials
    responses = {
        "ok": client.get("/products"),
        "not found": client.get("/products/nope"),
        "unauthorised": client.post("/products", json={}),
        "invalid": client.get("/products", params={"limit": 0}),
        "too large": client.post("/products", content=b"x" * 200, headers=AUTH),
        "openapi": client.get("/openapi.json"),
    }
    responses["too many"] = client.get("/products")

    assert [r.status_code for r in responses.values()] == [200, 404, 401, 422, 413, 200, 429]
    for response in responses.values():
        _assert_security_headers(response)
    assert "script-src 'self'" in responses["ok"].headers["Content-Security-Policy"]


def test_documentation_pages_load_only_this_servers_scripts_and_may_not_be_framed(make_app: MakeApp) -> None:
    client = _client(make_app())
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        policy = page.headers["Content-Security-Policy"]
        assert page.status_code == 200 and "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
        assert "http" not in policy and "unsafe-eval" not in policy
        assert page.headers["X-Frame-Options"] == "DENY"


def test_a_route_keeps_the_policy_it_sets_and_the_policy_is_configurable(make_app: MakeApp) -> None:
    app = make_app(content_security_policy="default-src 'none'; frame-ancestors 'none'")

    @app.get("/page", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse("<p>hi</p>", headers={"Content-Security-Policy": "default-src 'self'; img-src *"})

    client = _client(app)

    assert client.get("/page").headers["Content-Security-Policy"] == "default-src 'self'; img-src *"
    assert client.get("/products").headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


# --- size limits ------------------------------------------------------------------------------------


def _routes_with_bodies(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route that reads a body, path parameters filled in."""
    found = []
    for route in iter_route_contexts(app.routes):  # included routers too
        if isinstance(route.original_route, APIRoute) and route.dependant.body_params:
            path = route.path.replace("{", "").replace("}", "")  # /products/{key} -> /products/key
            found += [(method, path) for method in sorted(route.methods)]
    return found


@pytest.mark.parametrize("streamed", [False, True])
def test_every_route_with_a_body_refuses_one_over_the_limit(make_app: MakeApp, streamed: bool) -> None:
    limit = 2000
    client = _client(make_app(max_request_bytes=limit))
    routes = _routes_with_bodies(client.app)
    body = b'{"text": "' + b"x" * limit + b'"}'

    def send() -> Iterator[bytes]:
        yield from (body[start : start + 500] for start in range(0, len(body), 500))

    answers = {
        (method, path): client.request(method, path, content=send() if streamed else body,
                                       headers=AUTH | {"Content-Type": "application/json"}).status_code
        for method, path in routes
    }  # fmt: skip

    assert len(routes) >= 15, routes  # every write, chat, analysis and scoring route
    assert {route: status for route, status in answers.items() if status != 413} == {}


def test_chat_messages_and_other_free_text_have_a_maximum_length(make_app: MakeApp) -> None:
    client = _client(make_app())
    too_long = "x" * (MAX_MESSAGE_CHARS + 1)
    requests = {
        "/chat": {"customer_id": "c1", "message": too_long},
        "/conversations/c-1/messages": {"message": too_long},
        "/handoffs/h-1/resolve": {"resolution": too_long},
        "/reviews/analyze": {"texts": ["x" * 20_001]},
        "/products/extract-attributes": {"products": [{"title": "x" * 2_001}]},
    }

    answers = {path: client.post(path, json=body, headers=AUTH) for path, body in requests.items()}
    search = client.get("/search", params={"q": "x" * (MAX_QUERY_LENGTH + 1)})

    assert {path: response.status_code for path, response in answers.items()} == dict.fromkeys(requests, 422)
    assert "message" in answers["/chat"].json()["error"] and str(MAX_MESSAGE_CHARS) in answers["/chat"].json()["error"]
    assert search.status_code == 422
