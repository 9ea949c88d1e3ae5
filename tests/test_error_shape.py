"""Every error path answers the same RFC 9457 problem+json shape (datasette's habit)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api import create_app
from app.api.deps import get_store
from app.config import Settings
from app.models import Problem
from app.store import open_store
from tests.conftest import (
    SEED_FILE,
    SEED_SECTIONS,
    SEED_SLUG,
    StoreFactory,
    make_settings,
    ready_client,
)

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
SECRET = "internal-secret-do-not-leak"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The one shape: status line and body agree, media type is problem+json, core members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    problem = Problem.model_validate(body)
    assert problem.status == status
    assert problem.title
    assert problem.detail
    assert problem.instance == response.request.url.path
    assert problem.type == "about:blank" or problem.type.startswith("tag:article-qa,")
    assert "Traceback" not in response.text
    return body


@pytest.fixture(scope="module")
def backend_client(
    module_store_factory: StoreFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The real app, seeded by its sync, on a store of each backend in turn."""
    data_dir = tmp_path_factory.mktemp("errors") / "data"
    (data_dir / "articles").mkdir(parents=True)
    shutil.copy(SEED_FILE, data_dir / "articles" / SEED_FILE.name)
    settings = make_settings(data_dir, db=module_store_factory.location)
    with ready_client(settings) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("method", "path", "status", "extra"),
    [
        pytest.param("GET", "/no/such/route", 404, set(), id="unknown-route"),
        pytest.param(
            "GET", "/static-offline-docs/missing.js", 404, set(), id="unknown-static-file"
        ),
        pytest.param("POST", "/articles", 405, set(), id="post-not-allowed"),
        pytest.param("DELETE", f"/articles/{SEED_SLUG}", 405, set(), id="delete-not-allowed"),
        pytest.param("GET", "/articles?limit=0", 422, {"errors"}, id="limit-zero"),
        pytest.param("GET", "/articles?offset=-1", 422, {"errors"}, id="negative-offset"),
        pytest.param(
            "GET", "/articles?offset=9223372036854775808", 422, {"errors"}, id="huge-offset"
        ),
        pytest.param("GET", "/search?q=x&limit=101", 422, {"errors"}, id="search-limit-too-big"),
        pytest.param("GET", "/search?q=x&limit=ten", 422, {"errors"}, id="search-limit-not-int"),
        pytest.param("GET", "/search", 422, {"errors"}, id="search-without-q"),
        pytest.param("GET", "/search?q=x&is_question=perhaps", 422, {"errors"}, id="bad-bool"),
        pytest.param("GET", "/search?q=x&cursor=bogus!", 422, {"errors"}, id="bad-cursor"),
        pytest.param("GET", "/articles/no-such-article", 404, {"suggestions"}, id="no-article"),
        pytest.param(
            "GET", "/articles/no-such-article/sections", 404, {"suggestions"}, id="no-article-list"
        ),
        pytest.param(
            "GET",
            f"/articles/{SEED_SLUG}/sections/no-such-section",
            404,
            {"suggestions"},
            id="no-section-in-article",
        ),
        pytest.param("GET", "/sections/no-such-section", 404, {"suggestions"}, id="no-section"),
    ],
)
def test_error_paths(
    backend_client: TestClient, method: str, path: str, status: int, extra: set[str]
) -> None:
    body = assert_problem(backend_client.request(method, path), status)

    assert extra <= body.keys()


def test_405_names_the_allowed_methods(client: TestClient) -> None:
    response = client.post("/articles")

    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD"


def test_422_lists_each_invalid_param(client: TestClient) -> None:
    body = assert_problem(client.get("/search?limit=0&offset=-3"), 422)

    names = {(error["in"], error["name"]) for error in body["errors"]}
    assert names == {("query", "q"), ("query", "limit"), ("query", "offset")}
    assert all(error["reason"] for error in body["errors"])


def test_unknown_section_suggests_nearest_slug(client: TestClient) -> None:
    typo = "whats-the-status-of-iran-pakistan-tie"
    for path in (f"/sections/{typo}", f"/articles/{SEED_SLUG}/sections/{typo}"):
        body = assert_problem(client.get(path), 404)
        assert body["suggestions"][0] == SEED_SECTIONS[1]
        assert body["type"].endswith(":section-not-found")


def test_unknown_article_suggests_nearest_slug(client: TestClient) -> None:
    body = assert_problem(client.get(f"/articles/{SEED_SLUG[:-2]}"), 404)

    assert body["suggestions"] == [SEED_SLUG]


def test_ambiguous_slug_lists_candidates(twin_client: TestClient) -> None:
    body = assert_problem(twin_client.get(f"/sections/{SEED_SECTIONS[1]}"), 409)

    assert len(body["candidates"]) == 2
    assert all(url.endswith(f"/sections/{SEED_SECTIONS[1]}") for url in body["candidates"])


@pytest.fixture
def broken_store_app(settings: Settings) -> Iterator[FastAPI]:
    """The app, answering from a real SQLite store that has been closed under it."""
    app = create_app(settings)
    closed = open_store(settings.db_location)
    closed.close()
    app.dependency_overrides[get_store] = lambda: closed
    yield app


def test_readyz_fails_when_the_store_is_unreachable(broken_store_app: FastAPI) -> None:
    with TestClient(broken_store_app, raise_server_exceptions=False) as client:
        response = client.get("/readyz")

    body = assert_problem(response, 503)
    assert body["type"].endswith(":store-unavailable")
    assert response.headers["retry-after"] == "5"


def test_broken_store_never_leaks_internals(broken_store_app: FastAPI) -> None:
    with TestClient(broken_store_app, raise_server_exceptions=False) as client:
        response = client.get(f"/articles/{SEED_SLUG}")

    # Whether the store reports itself unavailable (503) or fails outright (500), the client
    # gets a problem, never a traceback or a database message.
    assert response.status_code in {500, 503}
    body = assert_problem(response, response.status_code)
    assert "sqlite" not in body["detail"].lower()


def test_unexpected_exception_is_a_generic_500(data_dir: Any) -> None:
    app = create_app(make_settings(data_dir))

    def explode() -> None:
        raise RuntimeError(SECRET)

    # A test-only route: the one way to reach the last-resort handler without breaking a part
    app.add_api_route("/test-only/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/test-only/explode")

    body = assert_problem(response, 500)
    assert body["type"] == "about:blank"
    assert body["title"] == "Internal Server Error"
    assert SECRET not in response.text


@pytest.mark.parametrize(
    "path",
    [f"/articles/{SEED_SLUG}", f"/articles/{SEED_SLUG}/sections/{SEED_SECTIONS[0]}", "/search?q=x"],
)
def test_a_store_that_cannot_answer_is_a_503_on_every_backend(
    data_dir: Any, store_factory: StoreFactory, path: str
) -> None:
    """A database missing its tables (another program dropped them) is a 503 problem that
    names no database, whichever backend says so."""
    settings = make_settings(data_dir, db=store_factory.location)
    with ready_client(settings, raise_server_exceptions=False) as client:
        store_factory.execute("DROP TABLE sections")
        response = client.get(path)

    body = assert_problem(response, 503)
    assert body["type"].endswith(":store-unavailable")
    for word in ("sqlite", "psycopg", "postgres", "table", "relation"):
        assert word not in body["detail"].lower()
