"""GET /search?facets=: counts per language, article and question-ness over every match."""

from __future__ import annotations

from fastapi.testclient import TestClient


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
