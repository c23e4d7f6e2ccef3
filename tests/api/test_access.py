"""The route × role table made executable: every route of the demo app, called by an anonymous
caller, a customer (with its own ids and with another customer's), a staff key and an admin key.

A call is "let through" when its status is neither 401 nor 403 (a 404, 422 or 503 means the access
check passed and something else answered). Admin writes use ids that do not exist, so the shared
demo store is never changed by this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from llm4retail.access import KeyRole, Level
from llm4retail.api.access_table import markdown_table, route_levels
from llm4retail.data.schemas import Table
from tests.api.conftest import DEMO_AUTH

pytestmark = pytest.mark.integration
DOCS = Path(__file__).resolve().parents[2] / "docs" / "access.md"
DENIED = {401, 403}


class Callers:
    """Headers of each role over one demo store, and ids owned by two customers."""

    def __init__(self, client: TestClient) -> None:
        services = client.app.state.services
        store = services.store
        orders = store.read_frame(Table.ORDERS, columns=["order_id", "customer_id"])
        events = store.read_frame(Table.EVENTS, columns=["event_id", "customer_id"]).dropna()
        owners = [c for c in orders["customer_id"].drop_duplicates() if c in set(events["customer_id"])][:2]
        self.me, self.other = owners
        self.ids = {
            who: {
                "customer_id": customer, "key_customer": customer,
                "key_order": orders.loc[orders["customer_id"] == customer, "order_id"].iloc[0],
                "key_event": events.loc[events["customer_id"] == customer, "event_id"].iloc[0],
            }
            for who, customer in (("me", self.me), ("other", self.other))
        }
        self.product = store.read_frame(Table.PRODUCTS, columns=["product_id"])["product_id"].iloc[0]
        _, staff_key = services.access.keys.create(name="role test staff", role=KeyRole.STAFF)
        token = services.access.customer_token(self.me).token
        self.headers = {
            "anonymous": {}, "customer": {"Authorization": f"Bearer {token}"},
            "staff": {"X-API-Key": staff_key}, "admin": dict(DEMO_AUTH),
        }

    def path(self, template: str, *, owner: str = "me", missing: bool = False) -> str:
        """`template` with ids of `owner` (or ids that exist nowhere, for admin writes)."""
        ids = self.ids[owner]

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if missing:
                return "no-such-id"
            if name == "key":
                table = template.strip("/").split("/")[0]
                return {"customers": ids["key_customer"], "orders": ids["key_order"], "events": ids["key_event"]}.get(table, self.product)
            if name == "customer_id":
                return ids["customer_id"]
            if name == "segment":
                return "champions"
            return self.product if name == "product_id" else "no-such-id"

        return re.sub(r"\{(\w+)\}", fill, template)


@pytest.fixture(scope="module")
def callers(demo_client: TestClient) -> Callers:
    return Callers(demo_client)


def _call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    body: Any = [] if path.endswith(("/bulk", "/events")) and method == "POST" else {}
    return client.request(method, path, headers=headers, json=body if method != "GET" else None).status_code


def _expected_through(level: Level, role: str, *, write: bool) -> bool:
    if level is Level.PUBLIC or role == "admin":
        return True
    if role == "anonymous":
        return False
    if level is Level.OWNER:
        return role == "customer" or not write
    return role == "staff" and level is Level.STAFF


def _rows(client: TestClient) -> Iterator[Any]:
    yield from route_levels(client.app)


def test_the_access_table_in_the_docs_is_the_code(demo_client: TestClient) -> None:
    table = markdown_table(demo_client.app)

    assert table in DOCS.read_text(encoding="utf-8"), f"docs/access.md is out of date; its table is now:\n{table}"


@pytest.mark.parametrize("role", ["anonymous", "customer", "staff", "admin"])
def test_each_role_reaches_exactly_the_routes_of_the_table(demo_client: TestClient, callers: Callers, role: str) -> None:
    wrong = []
    for row in _rows(demo_client):
        path = callers.path(row.path, missing=row.write and role == "admin")
        status = _call(demo_client, row.method, path, callers.headers[role])
        expected = _expected_through(row.level, role, write=row.write)
        if (status not in DENIED) != expected or status >= 500 and status != 503:  # 503: not trained here
            wrong.append(f"{row.method} {path}: {status} (level {row.level.value}, expected {'through' if expected else '401/403'})")
        if not expected and role == "anonymous" and status != 401:
            wrong.append(f"{row.method} {path}: anonymous got {status}, expected 401")
    assert not wrong, "\n".join(wrong)


def test_a_customer_reaches_nothing_of_another_customer(demo_client: TestClient, callers: Callers) -> None:
    headers = callers.headers["customer"]
    other = callers.ids["other"]
    attempts = [
        *(callers.path(row.path, owner="other") for row in _rows(demo_client)
          if row.level is Level.OWNER and row.method == "GET" and "{" in row.path),
        f"/orders?customer_id={other['customer_id']}", f"/events?customer_id={other['customer_id']}",
        f"/customers?customer_id={other['customer_id']}", f"/search?q=sofa&customer_id={other['customer_id']}",
    ]
    leaks = []
    for path in attempts:
        response = demo_client.get(path, headers=headers)
        shown = response.status_code == 200 and other["customer_id"] in response.text  # (errors echo the asked id)
        if response.status_code not in (200, 403, 404) or shown:
            leaks.append(f"GET {path}: {response.status_code} {response.text[:120]}")
    for path in ("/chat", "/conversations"):
        response = demo_client.post(path, json={"customer_id": other["customer_id"], "message": "where is my order?"}, headers=headers)
        if response.status_code != 403:
            leaks.append(f"POST {path} as another customer: {response.status_code}")
    assert not leaks, "\n".join(leaks)
    assert len(attempts) >= 8


def test_listings_of_a_customer_hold_only_its_own_rows(demo_client: TestClient, callers: Callers) -> None:
    headers = callers.headers["customer"]
    for path in ("/orders", "/events", "/customers"):
        page = demo_client.get(path, params={"limit": 1000}, headers=headers).json()
        assert page["total"] >= 1 and {row["customer_id"] for row in page["items"]} == {callers.me}, path
    assert demo_client.get("/customers", params={"limit": 1000}, headers=callers.headers["staff"]).json()["total"] > 100


def test_a_customer_posts_events_only_as_itself(demo_client: TestClient, callers: Callers) -> None:
    headers = callers.headers["customer"]
    event = {"event_id": "role-test-e1", "product_id": callers.product, "event_type": "view", "timestamp": "2024-05-01T10:00:00Z"}

    refused = demo_client.post("/events", json=[event | {"customer_id": callers.other}], headers=headers)
    accepted = demo_client.post("/events", json=[event | {"customer_id": callers.me}], headers=headers)

    assert refused.status_code == 403
    assert accepted.status_code == 200, accepted.text
    assert demo_client.get("/events/role-test-e1", headers=headers).json()["customer_id"] == callers.me


def test_anonymous_callers_see_no_personal_data(demo_client: TestClient, callers: Callers) -> None:
    customer = demo_client.get(f"/customers/{callers.me}", headers=DEMO_AUTH).json()
    personal = [str(customer[name]) for name in ("name", "email") if customer.get(name)]
    for row in _rows(demo_client):
        if row.level is not Level.PUBLIC or row.method != "GET":
            continue
        text = demo_client.get(callers.path(row.path)).text
        assert not any(value in text for value in personal), row.path


def test_tokens_for_shoppers_come_from_the_backend_or_the_demo_login(demo_client: TestClient, callers: Callers) -> None:
    issued = demo_client.post("/auth/customer-tokens", json={"customer_id": callers.me}, headers=DEMO_AUTH)
    refused = demo_client.post("/auth/customer-tokens", json={"customer_id": callers.me}, headers=callers.headers["staff"])
    unknown = demo_client.post("/auth/customer-tokens", json={"customer_id": "nobody"}, headers=DEMO_AUTH)
    demo = demo_client.post("/auth/demo-login", json={"customer_id": callers.me})

    assert issued.status_code == 200 and refused.status_code == 403 and unknown.status_code == 404
    assert demo.status_code == 200, "the demo store allows demo login"
    me = demo_client.get("/auth/me", headers={"Authorization": f"Bearer {demo.json()['token']}"}).json()
    assert me == {"role": "customer", "customer_id": callers.me, "key_id": None}
    bad = demo_client.get("/auth/me", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and "WWW-Authenticate" in bad.headers


def test_demo_login_is_off_for_a_real_store(tmp_path: Path) -> None:
    from llm4retail.api.app import create_app
    from llm4retail.config import ModelSettings, get_settings

    settings = get_settings(data_dir=tmp_path, models=ModelSettings(train_on_start=False))
    with TestClient(create_app(settings)) as client:
        response = client.post("/auth/demo-login", json={"customer_id": "c1"})
    assert response.status_code == 403 and "demo" in response.json()["error"]


def test_a_revoked_staff_key_is_refused_by_the_api(demo_client: TestClient) -> None:
    keys = demo_client.app.state.services.access.keys
    key, secret = keys.create(name="short-lived", role=KeyRole.STAFF)
    assert demo_client.get("/segments", headers={"X-API-Key": secret}).status_code != 401

    keys.revoke(key.key_id)

    assert demo_client.get("/segments", headers={"X-API-Key": secret}).status_code == 401


def test_the_openapi_document_tells_each_operations_security_and_statuses(demo_client: TestClient) -> None:
    spec = demo_client.get("/openapi.json").json()
    for row in route_levels(demo_client.app):
        if row.page:
            assert row.path not in spec["paths"]  # HTML pages are not API operations
            continue
        operation = spec["paths"][row.path][row.method.lower()]
        assert operation["x-access-level"] == row.level.value
        assert ({} in operation["security"]) == (row.level is Level.PUBLIC), row.path
        assert ("403" in operation["responses"]) == (row.level is not Level.PUBLIC or row.scoped), row.path
        assert ("413" in operation["responses"]) == ("requestBody" in operation), row.path
        assert ("429" in operation["responses"]) == (row.path not in ("/health", "/ready")), row.path
