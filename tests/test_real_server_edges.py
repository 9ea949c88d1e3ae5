"""The hardening a client meets, checked on the real `article-qa serve` process: request
ids, security headers, the index, metrics, bounds, and a damaged store's answer."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.api.limits import MAX_HEADER_BYTES
from tests.conftest import SEED_SLUG, free_port, http_get, running_server, serving_seed
from tests.test_store_integrity import build_store, scribble


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_seed(tmp_path_factory.mktemp("edges")) as base_url:
        yield base_url


def test_request_ids_are_kept_or_made_and_reach_problems(server: str) -> None:
    _, headers, _ = http_get(f"{server}/articles/{SEED_SLUG}", {"X-Request-ID": "trace-42"})
    assert headers["x-request-id"] == "trace-42"
    status, headers, body = http_get(f"{server}/articles/nope", {"X-Request-ID": "<bad id>"})
    assert status == 404
    made = headers["x-request-id"]
    assert made != "<bad id>" and json.loads(body)["request_id"] == made


def test_security_headers_and_no_banner(server: str) -> None:
    _, headers, _ = http_get(f"{server}/articles")
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert "server" not in headers


def test_the_index_and_the_metrics(server: str) -> None:
    status, _, body = http_get(f"{server}/")
    assert status == 200 and "/docs" in json.dumps(json.loads(body))
    http_get(f"{server}/articles/{SEED_SLUG}")
    _, _, metrics = http_get(f"{server}/metrics")
    text = metrics.decode()
    assert 'route="/articles/{article_slug}"' in text
    assert f"/articles/{SEED_SLUG}" not in text  # labels are route templates, never paths


def test_headers_over_the_bound_are_431(server: str) -> None:
    filler = {f"X-Filler-{n}": "y" * 1000 for n in range(MAX_HEADER_BYTES // 1000 + 2)}

    status, headers, _ = http_get(f"{server}/articles", filler)

    assert status == 431
    assert headers["content-type"] == "application/problem+json"


def test_a_damaged_store_answers_500_store_damaged(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "articles").mkdir(parents=True)
    db = data_dir / "article-qa.db"
    build_store(db)
    scribble(db, at=0.5)
    port = free_port()
    args = ["-m", "app", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    with running_server(
        [*args, "--no-sync", "--no-watch"], port=port, ready_path="/healthz"
    ) as base:
        for _ in range(100):
            status, _, body = http_get(f"{base}/readyz")
            if status == 500:
                break
            assert http_get(f"{base}/healthz")[0] == 200  # alive throughout
            time.sleep(0.1)
        assert status == 500
        assert json.loads(body)["type"].endswith(":store-damaged")
        status, headers, body = http_get(f"{base}/search?q=step")
        assert status == 500 and "rebuild" in json.loads(body)["detail"]
        assert "retry-after" not in headers


def test_an_idle_keep_alive_connection_is_closed(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert response.status == 200 and response.read()
        assert connection.sock is not None
        started = time.monotonic()
        # The server closes it after 5 idle seconds: recv answers b"" then.
        assert connection.sock.recv(65536) == b""
        assert 4.0 < time.monotonic() - started < 15.0
    finally:
        connection.close()
