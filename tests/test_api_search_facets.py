"""GET /search?facets=: counts per language, article and question-ness over every match."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from tests.conftest import make_settings, seeded_data_dir


def test_facets_count_every_match_not_only_the_page(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "pakistan", "limit": 1, "facets": "language"})
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["hits"]) == 1
    assert body["facets"] == {"language": {"en": body["total"]}}


def test_every_facet_at_once(client: TestClient) -> None:
    body = client.get(
        "/search", params={"q": "iran", "facets": "is_question,article,language"}
    ).json()
    assert list(body["facets"]) == ["is_question", "article", "language"]
    assert sum(body["facets"]["is_question"].values()) == body["total"]
    assert sum(body["facets"]["article"].values()) == body["total"]
    slugs = {hit["article_slug"] for hit in body["hits"]}
    assert slugs <= set(body["facets"]["article"])


def test_no_facets_asked_none_returned(client: TestClient) -> None:
    assert client.get("/search", params={"q": "iran"}).json()["facets"] == {}


def test_an_unknown_facet_is_a_422_that_does_not_echo_it(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "iran", "facets": "language,<script>"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "<script>" not in answer.text
    assert answer.json()["errors"][0]["name"] == "facets"


def test_sort_by_update_puts_the_newest_article_first(tmp_path: Path) -> None:
    """Two articles match; the one written last comes first with sort=updated, and a
    cursor of one sort does not page the other."""
    token = "sort-test-token"
    settings = make_settings(
        seeded_data_dir(tmp_path), ingest_on_start=False, watch=False, write_token=token
    )
    with TestClient(create_app(settings)) as client:
        # One passing mention in a long answer: a weak match by relevance.
        filler = " ".join(["Grain, cotton and textiles moved along the old routes."] * 12)
        page = f"# Regional trade notes\n\n## What was traded?\n\n{filler} Pakistan too.\n"
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/markdown"}
        written = client.put(
            "/articles/regional-trade-notes", content=page.encode(), headers=headers
        )
        assert written.status_code == 201, written.text
        by_relevance = client.get("/search", params={"q": "pakistan", "limit": 1}).json()
        by_update = client.get(
            "/search", params={"q": "pakistan", "limit": 1, "sort": "updated"}
        ).json()
        assert by_relevance["hits"][0]["article_slug"] != "regional-trade-notes"
        assert by_update["hits"][0]["article_slug"] == "regional-trade-notes"
        assert by_update["total"] == by_relevance["total"]
        following = {"q": "pakistan", "cursor": by_update["next_cursor"]}
        assert client.get("/search", params=following).status_code == 422


def test_an_unknown_sort_is_a_422(client: TestClient) -> None:
    assert client.get("/search", params={"q": "iran", "sort": "newest"}).status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/search?q=iran&limt=5",
        "/articles?limit=1&ofset=2",
        "/changes?since=0&x=1",
    ],
)
def test_an_unknown_query_parameter_is_a_422_naming_it(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    (error,) = answer.json()["errors"]
    assert error["in"] == "query"
    assert error["name"] in ("limt", "ofset", "x")
    assert "unknown parameter" in error["reason"]


def test_permalinks_ignore_a_query_string(client: TestClient) -> None:
    """Shared links carry tracking parameters; an article or section URL still answers."""
    slug = "why-is-irans-president-ebrahim-raisi-visiting-pakistan-in-2024"
    assert client.get(f"/articles/{slug}?utm_source=newsletter").status_code == 200


def test_a_strange_unknown_parameter_is_not_echoed(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "iran", "<script>": "1"})
    assert answer.status_code == 422
    assert "<script>" not in answer.text
