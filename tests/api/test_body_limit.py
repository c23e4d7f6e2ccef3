"""Tests of the request body size limit (`api.max_request_bytes`), by header and while streaming."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from llm4retail.api.app import create_app
from llm4retail.config import Settings

pytestmark = pytest.mark.unit

API_KEY = "abcdefghij0123456789"
LIMIT = 1000
JSON_AUTH = {"X-API-Key": API_KEY, "Content-Type": "application/json"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", api_keys=[API_KEY], api={"max_request_bytes": LIMIT})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _product_body(title_length: int) -> bytes:
    return json.dumps({"product_id": "p1", "title": "x" * title_length}).encode()


def _chunks(body: bytes, size: int = 200) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _total(client: TestClient) -> int:
    return client.get("/products").json()["total"]


def test_declared_content_length_over_the_limit_is_413(client: TestClient) -> None:
    body = _product_body(2 * LIMIT)

    response = client.post("/products", content=body, headers=JSON_AUTH)

    assert response.request.headers["content-length"] == str(len(body))
    assert response.status_code == 413
    assert str(LIMIT) in response.json()["error"]
    assert _total(client) == 0


def test_streamed_body_over_the_limit_is_413(client: TestClient) -> None:
    response = client.post("/products", content=_chunks(_product_body(3 * LIMIT)), headers=JSON_AUTH)

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert str(LIMIT) in response.json()["error"]
    assert _total(client) == 0


def test_streamed_bulk_over_the_limit_writes_nothing(client: TestClient) -> None:
    rows = [{"product_id": f"p{i}", "title": f"Product {i}"} for i in range(60)]
    body = json.dumps(rows).encode()
    assert len(body) > LIMIT

    response = client.post("/products/bulk", content=_chunks(body), headers=JSON_AUTH)

    assert response.status_code == 413
    assert _total(client) == 0


@pytest.mark.parametrize("streamed", [False, True])
def test_body_under_the_limit_passes(client: TestClient, streamed: bool) -> None:
    body = _product_body(100)
    assert len(body) < LIMIT

    response = client.post("/products", content=_chunks(body) if streamed else body, headers=JSON_AUTH)

    assert response.status_code == 201
    assert response.json()["title"] == "x" * 100
    assert _total(client) == 1


def test_body_of_exactly_the_limit_passes(client: TestClient) -> None:
    overhead = len(_product_body(0))
    body = _product_body(LIMIT - overhead)
    assert len(body) == LIMIT

    response = client.post("/products", content=body, headers=JSON_AUTH)

    assert response.status_code == 201


def test_reads_are_not_affected(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    assert client.get("/products", params={"limit": 10}).status_code == 200


def test_the_console_upload_has_its_own_larger_limit(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", api_keys=[API_KEY],
                        api={"max_request_bytes": LIMIT, "max_upload_bytes": 10 * LIMIT})  # fmt: skip
    with TestClient(create_app(settings)) as client:
        signed_in = client.post("/console/signin", data={"api_key": API_KEY}, follow_redirects=False)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console"
        rows = "product_id,title\n" + "".join(f"p{i},Product number {i}\n" for i in range(150))
        assert LIMIT < len(rows) < 10 * LIMIT
        accepted = client.post("/console/data/import", params={"filename": "p.csv", "table": "products"},
                               content=_chunks(rows.encode()))  # fmt: skip
        assert accepted.status_code == 202, accepted.text
        too_large = client.post("/console/data/import", params={"filename": "q.csv"}, content=_chunks(b"x" * 11 * LIMIT))
        assert too_large.status_code == 413 and str(10 * LIMIT) in too_large.json()["error"]
        empty = client.post("/console/data/import", params={"filename": "e.csv"}, content=b"")
        assert empty.status_code == 422
