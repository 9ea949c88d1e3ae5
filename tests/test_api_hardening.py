"""Hardening at the edge of the app: security headers, gzip with correct ETags, CORS from an
allow-list, trusted Host names and proxies, links that never echo the Host, and GET /."""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.api import create_app
from app.api.security import API_CSP
from app.config import Settings
from tests.conftest import (
    SEED_SLUG,
    http_get,
    make_settings,
    seeded_data_dir,
    serving_seed,
)

TOKEN = "s3cret-token"
ARTICLE = f"/articles/{SEED_SLUG}"
SECTION = "/sections/whats-the-status-of-iran-pakistan-ties"
HELP_SITE = "https://help.example"
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture
def seeded_dir(tmp_path: Path) -> Path:
    return seeded_data_dir(tmp_path)


def app_client(data_dir: Path, **settings: Any) -> TestClient:
    values: dict[str, Any] = {"ingest_on_start": False, "watch": False, **settings}
    return TestClient(create_app(make_settings(data_dir, **values)), **client_options(values))


def client_options(values: dict[str, Any]) -> dict[str, Any]:
    return {"client": values.pop("peer")} if "peer" in values else {}


@pytest.fixture
def client(seeded_dir: Path) -> Iterator[TestClient]:
    with app_client(seeded_dir) as test_client:
        yield test_client


# --- Security headers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", ARTICLE, 200),
        ("HEAD", ARTICLE, 200),
        ("GET", SECTION, 200),
        ("GET", "/search?q=pipeline", 200),
        ("GET", "/healthz", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/metrics", 200),
        ("GET", "/static-offline-docs/swagger-ui.css", 200),
        ("GET", "/no/such/route", 404),
        ("POST", "/articles", 405),
        ("GET", "/search", 422),
        ("GET", "/articles/", 307),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path, follow_redirects=False)

    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"] == API_CSP
    assert "frame-ancestors 'none'" in API_CSP and "default-src 'none'" in API_CSP
    assert "server" not in response.headers


def test_an_unexpected_500_carries_the_headers_and_the_request_id(seeded_dir: Path) -> None:
    app = create_app(make_settings(seeded_dir, ingest_on_start=False))

    def explode() -> None:
        raise RuntimeError("internal")

    app.add_api_route("/test-only/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/test-only/explode", headers={"X-Request-ID": "boom-1"})

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["content-security-policy"] == API_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-request-id"] == "boom-1"
    assert response.json()["request_id"] == "boom-1"


def csp_directives(policy: str) -> dict[str, list[str]]:
    directives = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def inline_hashes(html: str, tag: str) -> set[str]:
    blocks = re.findall(rf"<{tag}(?![^>]*\bsrc=)[^>]*>(.*?)</{tag}>", html, re.DOTALL)
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in blocks
    }


@pytest.mark.parametrize(
    ("page", "style_sources", "worker_sources"),
    [
        ("/docs", {"'self'"}, None),
        ("/docs/oauth2-redirect", {"'self'"}, None),
        # ReDoc's styled-components adds <style> elements as it runs; its search is a worker
        ("/redoc", {"'self'", "'unsafe-inline'"}, {"blob:"}),
    ],
)
def test_docs_pages_get_the_narrowest_policy_they_run_under(
    client: TestClient, page: str, style_sources: set[str], worker_sources: set[str] | None
) -> None:
    response = client.get(page, headers=GZIP)
    policy = csp_directives(response.headers["content-security-policy"])

    assert response.status_code == 200
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    # Scripts: this origin and the page's own inline blocks by hash, never 'unsafe-inline'
    assert set(policy["script-src"]) == {"'self'"} | inline_hashes(response.text, "script")
    assert set(policy["style-src"]) - inline_hashes(response.text, "style") == style_sources
    assert policy["connect-src"] == ["'self'"]
    assert set(policy.get("worker-src", [])) == (worker_sources or set())
    assert response.headers["x-content-type-options"] == "nosniff"


# --- gzip and ETags ----------------------------------------------------------------------


def test_a_large_article_is_gzipped_with_its_own_etag(client: TestClient) -> None:
    identity = client.get(ARTICLE, headers=IDENTITY)
    gzipped = client.get(ARTICLE, headers=GZIP)

    assert len(identity.content) > 1024
    assert "content-encoding" not in identity.headers
    assert gzipped.headers["content-encoding"] == "gzip"
    assert int(gzipped.headers["content-length"]) < len(identity.content) / 2
    assert gzipped.content == identity.content  # httpx decodes; the bytes are the same JSON
    assert gzipped.headers["etag"] != identity.headers["etag"]
    assert gzipped.headers["etag"] == identity.headers["etag"][:-1] + '-gzip"'
    for response in (identity, gzipped):
        assert "Accept-Encoding" in response.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "sent", "answered"),
    [
        pytest.param(GZIP, "gzip", "gzip", id="gzip-tag-while-accepting-gzip"),
        pytest.param(IDENTITY, "identity", "identity", id="identity-tag-without-gzip"),
        pytest.param(GZIP, "identity", "identity", id="identity-tag-while-accepting-gzip"),
        pytest.param(IDENTITY, "gzip", "gzip", id="gzip-tag-without-gzip"),
    ],
)
def test_if_none_match_with_either_form_gives_304(
    client: TestClient, accept: dict[str, str], sent: str, answered: str
) -> None:
    tags = {
        "identity": client.get(ARTICLE, headers=IDENTITY).headers["etag"],
        "gzip": client.get(ARTICLE, headers=GZIP).headers["etag"],
    }

    response = client.get(ARTICLE, headers={**accept, "If-None-Match": tags[sent]})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == tags[answered]
    assert "Accept-Encoding" in response.headers["vary"]


def test_a_weak_or_listed_gzip_tag_matches_too(client: TestClient) -> None:
    tag = client.get(ARTICLE, headers=GZIP).headers["etag"]

    for header in (f"W/{tag}", f'"other", {tag}'):
        assert client.get(ARTICLE, headers={**GZIP, "If-None-Match": header}).status_code == 304
    assert client.get(ARTICLE, headers={**GZIP, "If-None-Match": '"x-gzip"'}).status_code == 200


def test_head_announces_what_get_sends(client: TestClient) -> None:
    get = client.get(ARTICLE, headers=GZIP)
    head = client.head(ARTICLE, headers=GZIP)

    assert head.content == b""
    for name in ("etag", "content-encoding", "content-length", "vary"):
        assert head.headers[name] == get.headers[name], name


def test_small_answers_are_not_compressed(client: TestClient) -> None:
    response = client.get("/healthz", headers=GZIP)

    assert "content-encoding" not in response.headers


def test_if_match_with_the_gzip_tag_guards_a_write(seeded_dir: Path) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/markdown"}
    body = ("# Returns\n\n## Can I get my money back?\n\n" + "Yes, within 30 days. " * 80).encode()
    with app_client(seeded_dir, write_token=TOKEN) as writer:
        assert writer.put("/articles/returns", content=body, headers=auth).status_code == 201
        tag = writer.get("/articles/returns", headers=GZIP).headers["etag"]
        assert tag.endswith('-gzip"')

        fresh = writer.put(
            "/articles/returns", content=body + b"\nMore.", headers={**auth, "If-Match": tag}
        )
        stale = writer.put("/articles/returns", content=body, headers={**auth, "If-Match": tag})

    assert fresh.status_code == 200
    assert stale.status_code == 412


# --- CORS --------------------------------------------------------------------------------

EXPOSED = {"etag", "link", "x-request-id", "location", "retry-after"}


def preflight(client: TestClient, method: str, origin: str = HELP_SITE, **extra: str) -> Any:
    headers = {"Origin": origin, "Access-Control-Request-Method": method, **extra}
    return client.options("/articles", headers=headers)


def test_without_origins_there_is_no_cors(client: TestClient) -> None:
    response = client.get("/articles", headers={"Origin": HELP_SITE})

    assert "access-control-allow-origin" not in response.headers
    assert preflight(client, "GET").status_code == 405


@pytest.mark.parametrize(
    ("token", "method", "headers", "refused"),
    [
        (None, "GET", None, None),
        (None, "HEAD", "If-None-Match, X-Request-ID", None),
        (None, "PUT", None, "method"),
        (None, "GET", "Authorization", "headers"),
        (TOKEN, "PUT", "Authorization, Content-Type, If-Match", None),
        (TOKEN, "DELETE", "Authorization", None),
        (TOKEN, "POST", None, "method"),
    ],
)
def test_preflight_follows_the_allow_list(
    seeded_dir: Path, token: str | None, method: str, headers: str | None, refused: str | None
) -> None:
    extra = {"Access-Control-Request-Headers": headers} if headers else {}
    with app_client(seeded_dir, cors_origins=[HELP_SITE], write_token=token) as test_client:
        response = preflight(test_client, method, **extra)

    if refused is None:
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == HELP_SITE
        assert method in response.headers["access-control-allow-methods"].split(", ")
    else:
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["type"].endswith(":cors-preflight-refused")
        assert f"({refused})" in body["detail"]
        assert method not in response.headers["access-control-allow-methods"] or headers


def test_an_allowed_origin_reads_the_api_and_its_headers(seeded_dir: Path) -> None:
    with app_client(seeded_dir, cors_origins=[HELP_SITE, "https://other.example"]) as test_client:
        allowed = test_client.get(ARTICLE, headers={"Origin": HELP_SITE})
        refused = test_client.get(ARTICLE, headers={"Origin": "https://evil.example"})
        refused_preflight = preflight(test_client, "GET", origin="https://evil.example")

    assert allowed.headers["access-control-allow-origin"] == HELP_SITE
    exposed = {
        h.strip().lower() for h in allowed.headers["access-control-expose-headers"].split(",")
    }
    assert exposed == EXPOSED
    assert "Origin" in allowed.headers["vary"]
    assert "access-control-allow-origin" not in refused.headers
    assert refused_preflight.status_code == 400


# --- Trusted hosts, proxies and links ----------------------------------------------------


@pytest.mark.parametrize(
    ("allowed_hosts", "host", "status"),
    [
        (None, "localhost:8000", 200),
        (None, "127.0.0.1:8000", 200),
        (None, "[::1]:8000", 200),
        (None, "LOCALHOST", 200),
        (None, "evil.example", 400),
        (None, "localhost.evil.example", 400),
        (None, "localhost:abc", 400),
        (["api.example.com"], "api.example.com", 200),
        (["api.example.com"], "localhost", 400),
        (["*.example.com"], "docs.example.com:443", 200),
        (["*.example.com"], "example.com.evil", 400),
        (["*"], "evil.example", 200),
    ],
)
def test_only_allowed_host_names_are_answered(
    seeded_dir: Path, allowed_hosts: list[str] | None, host: str, status: int
) -> None:
    with app_client(seeded_dir, allowed_hosts=allowed_hosts) as test_client:
        response = test_client.get("/healthz", headers={"Host": host})

    assert response.status_code == status
    if status == 400:
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["type"].endswith(":invalid-host")
        assert "evil" not in response.text  # the Host is never echoed
        assert "x-request-id" in response.headers


def test_the_configured_host_is_allowed_by_default(seeded_dir: Path) -> None:
    with app_client(seeded_dir, host="qa.internal") as test_client:
        assert test_client.get("/healthz", headers={"Host": "qa.internal:8000"}).status_code == 200


@pytest.mark.parametrize(
    ("settings", "location"),
    [
        pytest.param({"allowed_hosts": ["*"]}, "/articles", id="any-host-relative"),
        pytest.param(
            {"allowed_hosts": ["*"], "public_base_url": "https://api.example.com/qa/"},
            "https://api.example.com/qa/articles",
            id="public-base-url",
        ),
    ],
)
def test_a_redirect_never_reflects_the_host(
    seeded_dir: Path, settings: dict[str, Any], location: str
) -> None:
    with app_client(seeded_dir, **settings) as test_client:
        response = test_client.get(
            "/articles/?limit=5", headers={"Host": "evil.example"}, follow_redirects=False
        )

    assert response.status_code == 307
    assert response.headers["location"] == location + "?limit=5"
    assert "evil" not in response.headers["location"]


def test_the_public_base_url_makes_locations_and_links_absolute(seeded_dir: Path) -> None:
    base = "https://api.example.com"
    body = b"# Returns\n\n## Can I get my money back?\n\nYes.\n"
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/markdown"}
    with app_client(seeded_dir, public_base_url=base, write_token=TOKEN) as test_client:
        created = test_client.put("/articles/returns", content=body, headers=auth)
        searched = test_client.get("/search?q=pakistan&limit=1")

    assert created.headers["location"] == f"{base}/articles/returns"
    assert searched.headers["link"].startswith(f"<{base}/search?")


def peer_route(client: TestClient) -> None:
    def peer(request: Request) -> dict[str, str]:
        assert request.client is not None
        return {"client": request.client.host, "scheme": request.url.scheme}

    app = client.app
    assert hasattr(app, "add_api_route")
    app.add_api_route("/test-only/peer", peer)


@pytest.mark.parametrize(
    ("proxies", "peer", "expected"),
    [
        ([], "10.0.0.2", {"client": "10.0.0.2", "scheme": "http"}),
        (["10.0.0.0/8"], "10.0.0.2", {"client": "203.0.113.9", "scheme": "https"}),
        (["10.0.0.1"], "10.0.0.2", {"client": "10.0.0.2", "scheme": "http"}),
        (["*"], "192.0.2.1", {"client": "203.0.113.9", "scheme": "https"}),
    ],
)
def test_forwarded_headers_are_believed_only_from_trusted_proxies(
    seeded_dir: Path, proxies: list[str], peer: str, expected: dict[str, str]
) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    with app_client(seeded_dir, forwarded_allow_ips=proxies, peer=(peer, 4000)) as test_client:
        peer_route(test_client)
        assert test_client.get("/test-only/peer", headers=forwarded).json() == expected


# --- Settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "field", "parsed"),
    [
        ("CORS_ORIGINS", '["https://a.example", "https://b.example/"]', "cors_origins",
         ["https://a.example", "https://b.example"]),
        ("CORS_ORIGINS", "https://a.example, https://b.example", "cors_origins",
         ["https://a.example", "https://b.example"]),
        ("CORS_ORIGINS", "*", "cors_origins", ["*"]),
        ("ALLOWED_HOSTS", "api.example.com,*.example.org,[::1]", "allowed_hosts",
         ["api.example.com", "*.example.org", "::1"]),
        ("ALLOWED_HOSTS", '["*"]', "allowed_hosts", ["*"]),
        ("ALLOWED_HOSTS", "", "allowed_hosts", None),
        ("FORWARDED_ALLOW_IPS", "10.0.0.0/8, 127.0.0.1", "forwarded_allow_ips",
         ["10.0.0.0/8", "127.0.0.1"]),
        ("PUBLIC_BASE_URL", "https://api.example.com/", "public_base_url",
         "https://api.example.com"),
    ],
)  # fmt: skip
def test_list_settings_read_json_or_commas(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str, parsed: object
) -> None:
    monkeypatch.setenv(f"ARTICLE_QA_{variable}", value)

    assert getattr(Settings(), field) == parsed


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CORS_ORIGINS", "help.example"),
        ("CORS_ORIGINS", "https://help.example/path"),
        ("ALLOWED_HOSTS", "api.example.com:8000"),
        ("ALLOWED_HOSTS", "api.*.com"),
        ("FORWARDED_ALLOW_IPS", "proxy.internal"),
        ("PUBLIC_BASE_URL", "api.example.com"),
        ("PUBLIC_BASE_URL", "https://api.example.com/?x=1"),
    ],
)
def test_bad_edge_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(f"ARTICLE_QA_{variable}", value)

    with pytest.raises(ValidationError):
        Settings()


def test_edge_defaults() -> None:
    settings = Settings(host="0.0.0.0")

    assert settings.cors_origins == []
    assert settings.forwarded_allow_ips == []
    assert settings.public_base_url is None
    assert {"localhost", "127.0.0.1", "::1", "0.0.0.0"} <= set(settings.trusted_hosts)


# --- GET / -------------------------------------------------------------------------------


def test_the_root_is_a_small_cacheable_index(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    index = response.json()
    assert index["name"] == "article-qa"
    assert index["version"]
    assert index["links"] == {
        "docs": "/docs",
        "redoc": "/redoc",
        "openapi": "/openapi.json",
        "articles": "/articles",
        "search": "/search",
        "changes": "/changes",
        "ui": "/ui",
    }
    for link in index["links"].values():
        assert client.get(link, params={"q": "x"} if link == "/search" else None).is_success
    assert response.headers["cache-control"].startswith("public, max-age=")
    head = client.head("/")
    assert head.content == b"" and head.headers["etag"] == response.headers["etag"]
    assert client.get("/", headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_the_root_is_documented_and_metrics_are_not(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    operation = schema["paths"]["/"]["get"]
    assert operation["operationId"] == "get_index"
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert reference == "#/components/schemas/ApiIndex"
    assert "/metrics" not in schema["paths"]


# --- A real server -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_seed(tmp_path_factory.mktemp("served")) as base_url:
        yield base_url


def raw_get(base_url: str, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    """A GET whose Host header is ours to choose (urllib would set it from the URL)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_real_server_refuses_an_unknown_host_and_never_reflects_it(server: str) -> None:
    refused = raw_get(server, "/articles/", {"Host": "evil.example"})
    redirect = raw_get(server, "/articles/", {"Host": urlsplit(server).netloc})

    assert refused.status == 400
    assert refused.getheader("content-type") == "application/problem+json"
    assert redirect.status == 307
    assert redirect.getheader("location") == "/articles"


def test_real_server_gzips_with_etags_that_validate(server: str) -> None:
    status, headers, body = http_get(f"{server}{ARTICLE}", GZIP)

    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(body))["slug"] == SEED_SLUG
    assert headers["etag"].endswith('-gzip"')
    assert http_get(f"{server}{ARTICLE}", {**GZIP, "If-None-Match": headers["etag"]})[0] == 304


def test_real_server_sends_no_server_banner(server: str) -> None:
    status, headers, _ = http_get(f"{server}/healthz")

    assert status == 200
    assert "server" not in headers
    assert headers["x-content-type-options"] == "nosniff"
