"""GET /sections/{slug}: one article has it, several do (409), none does (404 + suggestions)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.models import Section
from tests.conftest import SEED_SLUG, TWIN_SLUG


def test_unique_slug_answers_the_section(client: TestClient) -> None:
    response = client.get("/sections/whats-the-status-of-iran-pakistan-ties")

    assert response.status_code == 200
    section = Section.model_validate_json(response.content)
    assert section.article_slug == SEED_SLUG
    assert section.url == f"/articles/{SEED_SLUG}/sections/whats-the-status-of-iran-pakistan-ties"
    assert "Raisi touched down in Islamabad" in section.body


def test_shared_slug_is_ambiguous(twin_client: TestClient) -> None:
    response = twin_client.get("/sections/whats-the-status-of-iran-pakistan-ties")

    assert response.status_code == 409
    assert response.json()["candidates"] == [
        f"/articles/{TWIN_SLUG}/sections/whats-the-status-of-iran-pakistan-ties",
        f"/articles/{SEED_SLUG}/sections/whats-the-status-of-iran-pakistan-ties",
    ]


def test_shared_slug_still_answers_at_each_canonical_url(twin_client: TestClient) -> None:
    for article in (SEED_SLUG, TWIN_SLUG):
        url = f"/articles/{article}/sections/whats-the-status-of-iran-pakistan-ties"
        section = Section.model_validate_json(twin_client.get(url).content)
        assert section.article_slug == article


def test_slug_unique_to_the_second_article(twin_client: TestClient) -> None:
    response = twin_client.get("/sections/where-do-the-two-countries-meet")

    assert response.status_code == 200
    assert response.json()["article_slug"] == TWIN_SLUG


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/sections/whats-the-status-of-iran-pakistan-tie", id="truncated"),
        pytest.param("/sections/whats-the-staus-of-iran-pakistan-ties", id="typo"),
        pytest.param("/sections/WHATS-THE-STATUS-OF-IRAN-PAKISTAN-TIES", id="upper-case"),
        pytest.param(
            f"/articles/{SEED_SLUG}/sections/whats-the-status-of-iran-pakistn-ties",
            id="in-article",
        ),
    ],
)
def test_unknown_slug_suggests_the_nearest(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["suggestions"][0] == "whats-the-status-of-iran-pakistan-ties"


def test_unrelated_slug_suggests_nothing(client: TestClient) -> None:
    response = client.get("/sections/zzzz-qqqq")

    assert response.status_code == 404
    assert response.json()["suggestions"] == []
