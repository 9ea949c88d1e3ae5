"""/docs and /redoc work offline: same-origin assets only, and Swagger UI and ReDoc really
render, under the app's Content-Security-Policy, with no violation of it.

The rendering tests drive headless Debian Chromium (tests/browser.py) against the real server;
they are skipped (with the reason) where Chromium is absent. .ci/run installs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.browser import csp_violations, render, require_chromium
from tests.conftest import http_get, serving_seed

ASSET_REFERENCE = re.compile(
    r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)"""
)
OPENAPI_REFERENCE = re.compile(r"""url:\s*['"]([^'"]+)['"]""")


def asset_urls(html: str) -> list[str]:
    return [a or b for a, b in ASSET_REFERENCE.findall(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_reference_only_same_origin_assets(client: TestClient, page: str) -> None:
    response = client.get(page)
    html = response.text

    assert response.status_code == 200
    urls = asset_urls(html) + OPENAPI_REFERENCE.findall(html)
    assert urls, "the page should load its scripts and styles"
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), f"off-origin asset: {url}"
        assert client.get(url).status_code == 200, f"{url} is not served"
    assert "fonts.googleapis.com" not in html
    assert "cdn." not in html


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with serving_seed(tmp_path_factory.mktemp("served")) as base_url:
        yield base_url


def test_the_harness_sees_csp_violations(tmp_path: Path) -> None:
    """Without this, a Chromium that stopped logging its console would pass every test."""
    require_chromium()
    policy = "script-src 'none'"
    page = f"data:text/html,<meta http-equiv='Content-Security-Policy' content=\"{policy}\">"
    rendered = render(page + "<script>document.title='ran'</script>", tmp_path / "profile")

    assert csp_violations(rendered, "http://127.0.0.1")
    assert "<title>ran</title>" not in rendered.dom


def test_swagger_ui_renders_every_operation(server: str, tmp_path: Path) -> None:
    page = render(f"{server}/docs", tmp_path / "profile")
    dom = page.dom

    assert "frame-ancestors 'none'" in http_get(f"{server}/docs")[1]["content-security-policy"]
    assert csp_violations(page, server) == []
    assert 'class="swagger-ui' in dom
    for operation_id in (
        "list_articles",
        "get_article",
        "list_article_sections",
        "get_article_section",
        "get_section",
        "search_sections",
        "check_liveness",
        "check_readiness",
        "get_index",
    ):
        assert operation_id in dom, f"{operation_id} missing from the rendered /docs"
    assert "/sections/{section_slug}" in dom


def test_redoc_renders_every_operation(server: str, tmp_path: Path) -> None:
    page = render(f"{server}/redoc", tmp_path / "profile")
    dom = page.dom

    assert "frame-ancestors 'none'" in http_get(f"{server}/redoc")[1]["content-security-policy"]
    assert csp_violations(page, server) == []
    assert "redoc-wrap" in dom or "api-content" in dom
    for summary in (
        "Get a section by its slug alone",
        "Liveness: the process answers",
        "The API's name, version and links",
    ):
        assert summary in dom, f"{summary!r} missing from the rendered /redoc"
    assert "/sections/{section_slug}" in dom
