"""Bounds the app enforces itself: URL and header sizes (414, 431) and the optional
per-client rate limit (429), all as problem+json."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.api.limits import MAX_HEADER_BYTES, MAX_URL_BYTES
from tests.conftest import SEED_SLUG, make_settings, ready_client, serving_seed


def test_a_url_over_the_bound_is_414(client: TestClient) -> None:
    response = client.get("/search", params={"q": "x" * (MAX_URL_BYTES + 1)})

    assert response.status_code == 414
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(":uri-too-long")
    assert len(response.content) < 1000  # the URL is not echoed


def test_headers_over_the_bound_are_431(client: TestClient) -> None:
    headers = {f"x-filler-{n}": "y" * 1000 for n in range(MAX_HEADER_BYTES // 1000 + 1)}

    response = client.get(f"/articles/{SEED_SLUG}", headers=headers)

    assert response.status_code == 431
    assert response.json()["type"].endswith(":headers-too-large")


def test_urls_and_headers_within_the_bounds_are_served(client: TestClient) -> None:
    response = client.get(
        "/search", params={"q": "pipeline " * 50}, headers={"x-filler": "y" * 8000}
    )

    assert response.status_code == 200


@pytest.fixture
def limited(data_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(data_dir, rate_limit_per_minute=60, rate_limit_burst=3)
    with ready_client(settings) as client:
        yield client


def test_the_rate_limit_answers_429_with_retry_after(limited: TestClient) -> None:
    statuses = [limited.get(f"/articles/{SEED_SLUG}").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = limited.get("/articles")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["type"].endswith(":rate-limited")
    assert limited.get("/healthz").status_code == 200  # probes are never limited


def test_there_is_no_rate_limit_by_default(client: TestClient) -> None:
    assert {client.get("/articles").status_code for _ in range(100)} == {200}


def test_a_real_server_answers_a_100_kb_url_with_414(tmp_path: Path) -> None:
    with serving_seed(tmp_path) as base:
        port = int(base.rsplit(":", 1)[1])
        request = (
            f"GET /search?q={'a' * 100_000} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(request)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414")
    assert b"content-type: application/problem+json" in head.lower()
    assert json.loads(body)["status"] == 414


def test_the_app_checks_bounds_without_a_store(tmp_path: Path) -> None:
    # No lifespan: the bounds sit outside the routes and need nothing from the store.
    app = create_app(make_settings(tmp_path, ingest_on_start=False, watch=False))
    response = TestClient(app).get("/" + "a" * (MAX_URL_BYTES + 10))
    assert response.status_code == 414
