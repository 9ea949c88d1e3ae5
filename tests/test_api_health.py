"""GET /healthz and GET /readyz on a working store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_readyz(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/healthz", 200, id="health"),
        pytest.param("/sections/whats-the-status-of-iran-pakistan-ties", 200, id="section"),
        pytest.param("/no-such-route", 404, id="unknown-route"),
    ],
)
def test_head_answers_like_get_without_a_body(client: TestClient, path: str, status: int) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code == status
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]
