"""The hot GET routes the edge answers itself (app/api/edge.py HotRoute) answer exactly as
FastAPI's routing of the same request does: status, headers, body, access-log route."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.testclient import TestClient
from httpx2 import Response as ClientResponse
from starlette.responses import Response
from starlette.routing import Mount

from app.api import create_app
from app.api.app import HOT_ENDPOINTS, hot_routes
from app.api.deps import get_store
from app.api.edge import HotRoute
from app.api.observability import access_logger
from app.api.routes import articles, changes, health, metrics, root, search, sections, write
from tests.conftest import (
    SEED_SECTIONS,
    SEED_SLUG,
    TWIN_FILE_NAME,
    TWIN_TEXT,
    make_settings,
    ready_client,
    seeded_data_dir,
)

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECTION = SEED_SECTIONS[1]
MARKDOWN = "# Returns\n\n## Can I get my money back?\n\nYes, within 30 days.\n"
# Headers that differ between any two answers
PER_REQUEST = {"x-request-id", "date"}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.routes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.routes.append(json.loads(record.getMessage())["route"])


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app with a write token on the seed, a second article sharing one of its section
    slugs, an article whose section heading was reworded (301) and one deleted (410)."""
    data_dir = seeded_data_dir(tmp_path)
    (data_dir / "articles" / TWIN_FILE_NAME).write_text(TWIN_TEXT, encoding="utf-8")
    settings = make_settings(data_dir, watch=False, write_token=TOKEN, log_level="info")
    with ready_client(settings) as test_client:
        markdown = {"Content-Type": "text/markdown", **AUTH}
        for slug in ("returns", "shipping"):
            response = test_client.put(f"/articles/{slug}", content=MARKDOWN, headers=markdown)
            assert response.status_code == 201
        reworded = MARKDOWN.replace("Can I get my money back", "Can I get a refund")
        assert test_client.put("/articles/returns", content=reworded, headers=markdown).is_success
        assert test_client.delete("/articles/shipping", headers=AUTH).status_code == 204
        yield test_client


def answer(client: TestClient, method: str, path: str, headers: dict[str, str]) -> Any:
    lines = Lines()
    access_logger.addHandler(lines)
    try:
        # One id for both answers: problem bodies carry it
        headers = {"X-Request-ID": "same-for-both", **headers}
        response = client.request(method, path, headers=headers, follow_redirects=False)
    finally:
        access_logger.removeHandler(lines)
    return shape(response), lines.routes


def shape(response: ClientResponse) -> tuple[int, list[tuple[str, str]], bytes]:
    kept = [(name, value) for name, value in response.headers.multi_items()]
    return (
        response.status_code,
        [(name, value) for name, value in kept if name not in PER_REQUEST],
        response.content,
    )


LONG = "a" * 200
TOO_LONG = "a" * 201
PATHS = [
    f"/articles/{SEED_SLUG}",
    f"/articles/{SEED_SLUG}/sections",
    f"/articles/{SEED_SLUG}/sections/{SECTION}",
    f"/sections/{SEED_SECTIONS[0]}",
    f"/sections/{SECTION}",  # two articles have it: 409
    "/sections/where-do-the-two-countries-meet",
    f"/articles/{SEED_SLUG}?unknown=1",
    f"/articles/{SEED_SLUG[:-2]}",  # 404 with suggestions
    f"/articles/{SEED_SLUG}/sections/whats-the-status-of-iran-pakistan-tie",
    "/sections/whats-the-status-of-iran-pakistan-tie",
    "/sections/no-such-thing-at-all",
    f"/articles/{LONG}",
    f"/articles/{TOO_LONG}",  # 422
    f"/sections/{TOO_LONG}",
    f"/articles/{SEED_SLUG}/sections/{TOO_LONG}",
    "/articles/caf%C3%A9/sections",
    "/sections/%3Cscript%3E",
    "/articles/returns/sections/can-i-get-my-money-back",  # 301
    "/sections/can-i-get-my-money-back",  # 301
    "/articles/shipping",  # 410
    "/articles/shipping/sections/can-i-get-my-money-back",  # 410
    f"/articles/{SEED_SLUG}/",  # not a hot path: the same redirect either way
]
VARIANTS = [
    ("GET", {}),
    ("HEAD", {}),
    ("GET", {"Accept-Encoding": "gzip"}),
    ("HEAD", {"Accept-Encoding": "gzip"}),
    ("GET", {"Accept-Encoding": "identity"}),
]


@pytest.mark.parametrize("path", PATHS)
def test_hot_routes_answer_as_fastapi_does(client: TestClient, path: str) -> None:
    app: Any = client.app
    for method, headers in VARIANTS:
        hot = answer(client, method, path, headers)
        # Any dependency override turns the hot routes off: FastAPI answers, from the start
        app.dependency_overrides[get_store] = get_store
        try:
            routed = answer(client, method, path, headers)
        finally:
            app.dependency_overrides.clear()
        assert hot == routed, (method, headers)


@pytest.mark.parametrize("path", PATHS[:4])
def test_conditional_gets_of_hot_routes_answer_as_fastapi_does(
    client: TestClient, path: str
) -> None:
    app: Any = client.app
    etag = client.get(path).headers["etag"]
    gzip_etag = client.get(path, headers={"Accept-Encoding": "gzip"}).headers["etag"]
    for condition in (etag, gzip_etag, f'W/{etag}, "other"', '"other"', "*"):
        for encoding in ("gzip", "identity"):
            headers = {"If-None-Match": condition, "Accept-Encoding": encoding}
            hot = answer(client, "GET", path, headers)
            app.dependency_overrides[get_store] = get_store
            try:
                routed = answer(client, "GET", path, headers)
            finally:
                app.dependency_overrides.clear()
            assert hot == routed, headers


def test_every_hot_endpoint_is_served_at_its_route() -> None:
    found = {route.endpoint for route in hot_routes()}

    assert found == set(HOT_ENDPOINTS)


def test_no_other_route_matches_a_hot_route_path(tmp_path: Path) -> None:
    """A hot route must be the one FastAPI picks for every path it matches: no other GET
    route may answer any of those paths (say GET /articles/feed beside /articles/{slug})."""
    app = create_app(make_settings(tmp_path, ingest_on_start=False))
    routes = [route for route in app.routes if not hasattr(route, "original_router")]
    for module in (root, articles, sections, search, changes, health, metrics, write):
        routes += module.router.routes
    gets = {
        concrete(getattr(route, "path", "")) + ("/x" if isinstance(route, Mount) else "")
        for route in routes
        if getattr(route, "endpoint", None) not in HOT_ENDPOINTS
        and "GET" in (getattr(route, "methods", None) or {"GET"})
    }
    for hot in hot_routes():
        assert not [path for path in gets if hot.pattern.match(path)], hot.template


def concrete(template: str) -> str:
    """A path the template matches: every parameter `x` (a whole path: `x/y`)."""
    return re.sub(r"\{[^}:]+(:path)?[^}]*\}", lambda m: "x/y" if m.group(1) else "x", template)


async def served(request: Request, slug: Annotated[str, PathParam(max_length=9)]) -> Response:
    return Response(f"{request.method} {slug}")


async def needs(item: str) -> str:
    return item


async def depending(
    slug: Annotated[str, PathParam()], x: Annotated[str, Depends(needs)]
) -> Response:
    return Response(f"{slug} {x}")


def test_hot_routes_take_only_what_the_edge_provides() -> None:
    assert HotRoute.of("/things/{slug}", served).lengths == {"slug": (0, 9)}

    async def queried(slug: str, q: Annotated[str, Query()]) -> Response:
        return Response(f"{slug} {q}")

    async def patterned(
        slug: Annotated[str, PathParam(pattern="^[a-z]+$")],
    ) -> Response:
        return Response(slug)

    async def numbered(slug: Annotated[int, PathParam()]) -> Response:
        return Response(str(slug))

    def synchronous(slug: Annotated[str, PathParam()]) -> Response:
        return Response(slug)

    for endpoint in (queried, patterned, numbered, depending, synchronous):
        with pytest.raises(TypeError):
            HotRoute.of("/things/{slug}", endpoint)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        HotRoute.of("/things/{slug:int}", served)
    with pytest.raises(TypeError):
        HotRoute.of("/things/{slug}/{other}", served)
