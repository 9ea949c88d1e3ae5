"""Request ids, the JSON access log and Prometheus /metrics, in process and on real servers."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.api import create_app
from app.api.observability import RequestIdFilter, access_logger
from tests.conftest import (
    SEED_SLUG,
    free_port,
    http_get,
    make_settings,
    running_server,
    seeded_data_dir,
)

SECTION = "/sections/whats-the-status-of-iran-pakistan-ties"
OTHER_SECTION = "/sections/why-is-the-pakistan-iran-relationship-vital"
UUID_HEX = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def seeded_dir(tmp_path: Path) -> Path:
    return seeded_data_dir(tmp_path)


@pytest.fixture
def client(seeded_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(seeded_dir, ingest_on_start=False, log_level="info")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def captured(logger: logging.Logger) -> Iterator[Records]:
    handler = Records()
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def access_lines(handler: Records) -> list[dict[str, Any]]:
    return [json.loads(record.getMessage()) for record in handler.records]


# --- Request ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("req-42", True),
        ("a.b_c:d-E9", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("has space", False),
        ('quote"d', False),
        ("ünicode", False),
        ("", False),
        (None, False),
    ],
)
def test_a_well_formed_request_id_is_kept_else_one_is_made(
    client: TestClient, sent: str | None, kept: bool
) -> None:
    headers = {b"X-Request-ID": sent.encode()} if sent is not None else {}

    response = client.get(SECTION, headers=headers)

    assert response.status_code == 200
    if kept:
        assert response.headers["x-request-id"] == sent
    else:
        assert UUID_HEX.fullmatch(response.headers["x-request-id"])


def test_every_request_gets_its_own_id(client: TestClient) -> None:
    ids = {client.get("/healthz").headers["x-request-id"] for _ in range(5)}

    assert len(ids) == 5


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/sections/no-such-section", 404),
        ("GET", "/search", 422),
        ("POST", "/articles", 405),
        ("GET", f"/articles/{SEED_SLUG}x", 404),
    ],
)
def test_problem_bodies_carry_the_request_id(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path, headers={"X-Request-ID": "trace-7"})

    assert response.status_code == status
    assert response.headers["x-request-id"] == "trace-7"
    assert response.json()["request_id"] == "trace-7"


def test_log_records_carry_the_request_id(seeded_dir: Path) -> None:
    app = create_app(make_settings(seeded_dir, ingest_on_start=False))

    def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/test-only/explode", explode)
    with (
        captured(logging.getLogger("app.api")) as handler,
        TestClient(app, raise_server_exceptions=False) as test_client,
    ):
        response = test_client.get("/test-only/explode")

    [record] = [r for r in handler.records if r.getMessage().startswith("unhandled error")]
    assert getattr(record, "request_id", None) == response.headers["x-request-id"]


# --- Access log --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "route", "status"),
    [
        ("GET", SECTION, "/sections/{section_slug}", 200),
        ("HEAD", SECTION, "/sections/{section_slug}", 200),
        ("GET", f"/articles/{SEED_SLUG}/sections", "/articles/{article_slug}/sections", 200),
        ("GET", "/sections/no-such-section", "/sections/{section_slug}", 404),
        ("GET", "/search?q=gas", "/search", 200),
        ("GET", "/openapi.json", "/openapi.json", 200),
        ("GET", "/static-offline-docs/favicon.png", "/static-offline-docs/{path}", 200),
        ("GET", "/", "/", 200),
        ("GET", "/no/such/route", "<unmatched>", 404),
        ("POST", "/articles", "/articles", 405),
    ],
)
def test_one_json_access_line_per_request(
    client: TestClient, method: str, path: str, route: str, status: int
) -> None:
    with captured(access_logger) as handler:
        response = client.request(method, path, headers={"X-Request-ID": "line-1"})

    [line] = access_lines(handler)
    assert response.status_code == status
    assert line["method"] == method
    assert line["route"] == route
    assert line["status"] == status
    assert line["request_id"] == "line-1"
    assert isinstance(line["latency_ms"], float) and 0 <= line["latency_ms"] < 10_000


def test_the_access_log_names_the_template_not_the_path(client: TestClient) -> None:
    with captured(access_logger) as handler:
        client.get(SECTION)
        client.get(OTHER_SECTION)

    routes = [line["route"] for line in access_lines(handler)]
    assert routes == ["/sections/{section_slug}"] * 2
    assert "iran" not in json.dumps(access_lines(handler))


def test_the_access_log_is_off_above_info(seeded_dir: Path) -> None:
    settings = make_settings(seeded_dir, ingest_on_start=False, log_level="warning")
    with TestClient(create_app(settings)) as test_client, captured(access_logger) as handler:
        test_client.get(SECTION)

    assert handler.records == []


# --- Metrics -----------------------------------------------------------------------------


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def requests_total(text: str, method: str, route: str, status: str) -> float:
    labels = (("method", method), ("route", route), ("status", status))
    return samples(text).get(("article_qa_http_requests_total", labels), 0.0)


def test_metrics_count_requests_by_route_template_and_status_class(client: TestClient) -> None:
    before = client.get("/metrics").text
    client.get(SECTION)
    client.get(OTHER_SECTION)
    client.get("/sections/no-such-section")
    client.get(f"/no/such/{SEED_SLUG}")
    client.request("BREW", "/articles")
    after = client.get("/metrics")

    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    assert after.headers["cache-control"] == "no-store"
    for method, route, status, added in [
        ("GET", "/sections/{section_slug}", "2xx", 2),
        ("GET", "/sections/{section_slug}", "4xx", 1),
        ("GET", "<unmatched>", "4xx", 1),
        ("other", "/articles", "4xx", 1),
    ]:
        delta = requests_total(after.text, method, route, status) - requests_total(
            before, method, route, status
        )
        assert delta == added, (method, route, status)
    assert "iran-pakistan" not in after.text  # never a raw path
    labels = (("method", "GET"), ("route", "/sections/{section_slug}"), ("status", "2xx"))
    histogram = ("article_qa_http_request_duration_seconds_count", labels)
    assert samples(after.text)[histogram] >= 2
    assert samples(after.text)[("article_qa_articles", ())] == 1


def test_metrics_speak_openmetrics_when_asked(client: TestClient) -> None:
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})

    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


def test_each_app_counts_its_own_requests(seeded_dir: Path) -> None:
    settings = make_settings(seeded_dir, ingest_on_start=False)
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        first.get(SECTION)
        text = second.get("/metrics").text

    assert requests_total(text, "GET", "/sections/{section_slug}", "2xx") == 0


def test_metrics_add_up_across_worker_processes(
    tmp_path: Path, seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two server processes sharing PROMETHEUS_MULTIPROC_DIR: either one's /metrics counts
    the requests both answered (prometheus-client's multiprocess mode)."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    with ExitStack() as stack:
        servers = []
        for _ in range(2):
            port = free_port()
            args = ["-m", "app", "serve", "--port", str(port), "--data-dir", str(seeded_dir)]
            flags = ["--no-sync", "--no-watch", "--log-level", "warning"]
            servers.append(stack.enter_context(running_server([*args, *flags], port=port)))
        for server, count in zip(servers, (3, 4), strict=True):
            for _ in range(count):
                assert http_get(f"{server}{SECTION}")[0] == 200
        texts = [http_get(f"{server}/metrics")[2].decode() for server in servers]

    for text in texts:
        assert requests_total(text, "GET", "/sections/{section_slug}", "2xx") == 7
    assert any(metrics_dir.iterdir())
