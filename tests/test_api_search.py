"""GET /search: hits from the real index, paging by offset and cursor, filters, any query."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models import SearchResults
from tests.conftest import SEED_SLUG, TWIN_SLUG


def search(client: TestClient, **params: str | int) -> SearchResults:
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    return SearchResults.model_validate_json(response.content)


def test_search_finds_the_section(client: TestClient) -> None:
    results = search(client, q="Kashmir")

    assert results.query == "Kashmir"
    assert results.total >= 1
    top = results.hits[0]
    assert top.article_slug == SEED_SLUG
    assert top.section_slug == "whats-the-ebrahim-raisi-agenda-of-the-trip"
    assert top.url == f"/articles/{SEED_SLUG}/sections/{top.section_slug}"
    assert "<mark>" in top.snippet


def test_next_page_by_link_header_and_cursor(client: TestClient) -> None:
    first = client.get("/search", params={"q": "Pakistan Iran", "limit": 1})
    results = SearchResults.model_validate_json(first.content)
    assert results.total > 1, "the seed mentions Pakistan and Iran in every section"
    assert results.next_cursor is not None

    link = first.headers["link"]
    assert link.endswith('>; rel="next"')
    next_url = link.removeprefix("<").removesuffix('>; rel="next"')
    query = parse_qs(urlsplit(next_url).query)
    assert query["cursor"] == [results.next_cursor]
    assert query["q"] == ["Pakistan Iran"]

    second = SearchResults.model_validate_json(client.get(next_url).content)
    assert second.offset == 1
    assert second.hits[0].url != results.hits[0].url


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"q": "Kashmir"}, id="other-query"),
        pytest.param({"is_question": "true"}, id="other-filter"),
    ],
)
def test_cursor_is_only_valid_for_its_own_query(client: TestClient, change: dict[str, str]) -> None:
    first = search(client, q="Pakistan Iran", limit=1)
    assert first.next_cursor is not None

    params = {"q": "Pakistan Iran", "limit": "1", "cursor": first.next_cursor, **change}
    response = client.get("/search", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["name"] for error in response.json()["errors"]] == ["cursor"]


def test_last_page_has_no_next(client: TestClient) -> None:
    response = client.get("/search", params={"q": "Kashmir", "limit": 100})

    assert "link" not in response.headers
    assert response.json()["next_cursor"] is None


def test_filter_by_article(twin_client: TestClient) -> None:
    everywhere = search(twin_client, q="Pakistan")
    only_twin = search(twin_client, q="Pakistan", article=TWIN_SLUG)

    assert {hit.article_slug for hit in everywhere.hits} == {SEED_SLUG, TWIN_SLUG}
    assert {hit.article_slug for hit in only_twin.hits} == {TWIN_SLUG}


def test_filter_by_question(client: TestClient) -> None:
    questions = search(client, q="Pakistan", is_question="true", limit=100)

    assert questions.hits
    assert all(hit.is_question for hit in questions.hits)


def test_filter_by_language(client: TestClient) -> None:
    assert search(client, q="Pakistan", language="en").total >= 1
    assert search(client, q="Pakistan", language="fr").total == 0


def test_empty_query_matches_nothing(client: TestClient) -> None:
    results = search(client, q="")

    assert (results.total, results.hits) == (0, [])


@pytest.mark.parametrize(
    "query",
    [
        pytest.param('"unbalanced', id="open-quote"),
        pytest.param("Kashmir AND OR NOT", id="fts-operators"),
        pytest.param("title:* NEAR(a b)", id="fts-syntax"),
        pytest.param("'; DROP TABLE articles; --", id="sql"),
        pytest.param("\x00\x01", id="control-chars"),
        pytest.param("巴基斯坦 伊朗", id="cjk"),
        pytest.param("🙂" * 50, id="emoji"),
        pytest.param("pakistan " * 800, id="7-kb-query"),
        pytest.param("a-" * 3_000, id="long-hyphen-chain"),
    ],
)
def test_hostile_queries_answer_200(client: TestClient, query: str) -> None:
    search(client, q=query)


def test_a_query_too_long_for_a_url_is_414(client: TestClient) -> None:
    response = client.get("/search", params={"q": "pakistan " * 5_000})

    assert response.status_code == 414


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=60))
def test_every_string_is_a_valid_query(client: TestClient, query: str) -> None:
    results = search(client, q=query)

    assert results.query == query


def test_only_what_is_searched_is_echoed(client: TestClient) -> None:
    query = "pakistan " * 800  # 7,200 characters (URLs stop at 8 KiB); 500 are searched

    response = client.get("/search", params={"q": query, "limit": 1})

    assert response.status_code == 200
    assert response.json()["query"] == query[:500]
    assert len(response.headers.get("link", "")) < 1200
    next_page = response.headers["link"].split(">", 1)[0].lstrip("<")
    assert client.get(next_page).status_code == 200


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("x" * 5000, id="long"),
        pytest.param("not a cursor!", id="bad-characters"),
    ],
)
def test_a_cursor_of_the_wrong_shape_is_a_422(client: TestClient, cursor: str) -> None:
    response = client.get("/search", params={"q": "pakistan", "cursor": cursor})

    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "cursor"
