"""GET /healthz and GET /readyz on a working store."""

from __future__ import annotations

from pathlib import Path

import pytest
from anyio import to_thread
from fastapi.testclient import TestClient

from tests.conftest import make_settings, ready_client


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


@pytest.mark.parametrize("threads", [1, 3])
def test_blocking_routes_run_on_as_many_threads_as_set(data_dir: Path, threads: int) -> None:
    """ARTICLE_QA_THREADS bounds the threads that run searches and other blocking routes
    (anyio's default is 40, each holding a store connection and its cache)."""
    settings = make_settings(data_dir).model_copy(update={"threads": threads})
    with ready_client(settings) as client:
        assert client.get("/search", params={"q": "Pakistan"}).status_code == 200
        assert client.portal is not None  # the app's event loop, while the client is open
        limiter = client.portal.call(to_thread.current_default_thread_limiter)
        assert limiter.total_tokens == threads
