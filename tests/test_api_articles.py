"""GET /articles and the sections addressed through their article, on the real seed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.models import Article, ArticlePage, Section, SectionList
from tests.conftest import SEED_SECTIONS, SEED_SLUG


def test_list_articles_holds_the_seed(client: TestClient) -> None:
    response = client.get("/articles")

    assert response.status_code == 200
    page = ArticlePage.model_validate_json(response.content)
    assert page.total == 1
    assert (page.limit, page.offset) == (20, 0)
    [summary] = page.items
    assert summary.slug == SEED_SLUG
    assert summary.title == "Why is Iran’s President Ebrahim Raisi visiting Pakistan in 2024?"
    assert summary.language == "en"
    assert summary.section_count == len(SEED_SECTIONS)
    assert summary.url == f"/articles/{SEED_SLUG}"


def test_list_articles_pages(twin_client: TestClient) -> None:
    first = ArticlePage.model_validate_json(twin_client.get("/articles?limit=1").content)
    second = ArticlePage.model_validate_json(twin_client.get("/articles?limit=1&offset=1").content)

    assert first.total == second.total == 2
    assert len(first.items) == len(second.items) == 1
    assert first.items[0].slug != second.items[0].slug


def test_get_article(client: TestClient) -> None:
    response = client.get(f"/articles/{SEED_SLUG}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    article = Article.model_validate_json(response.content)
    assert article.slug == SEED_SLUG
    assert article.source == "raisi-visit-pakistan.txt"
    assert tuple(section.slug for section in article.sections) == SEED_SECTIONS
    assert article.lead.startswith("The recent meeting between Iranian President")


def test_list_article_sections(client: TestClient) -> None:
    response = client.get(f"/articles/{SEED_SLUG}/sections")

    assert response.status_code == 200
    sections = SectionList.model_validate_json(response.content)
    assert tuple(section.slug for section in sections.items) == SEED_SECTIONS
    assert [section.position for section in sections.items] == [1, 2, 3, 4]


@pytest.mark.parametrize("section_slug", SEED_SECTIONS)
def test_get_article_section(client: TestClient, section_slug: str) -> None:
    response = client.get(f"/articles/{SEED_SLUG}/sections/{section_slug}")

    assert response.status_code == 200
    section = Section.model_validate_json(response.content)
    assert section.slug == section_slug
    assert section.article_slug == SEED_SLUG
    assert section.is_question
    assert section.url == f"/articles/{SEED_SLUG}/sections/{section_slug}"


def test_section_body_is_the_answer(client: TestClient) -> None:
    url = f"/articles/{SEED_SLUG}/sections/whats-the-status-of-iran-pakistan-ties"
    section = Section.model_validate_json(client.get(url).content)

    assert section.heading == "What’s the status of Iran-Pakistan ties?"
    assert section.body.startswith("Raisi touched down in Islamabad on Monday")


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/articles", id="list"),
        pytest.param(f"/articles/{SEED_SLUG}", id="article"),
        pytest.param(f"/articles/{SEED_SLUG}/sections", id="sections"),
        pytest.param(f"/articles/{SEED_SLUG}/sections/{SEED_SECTIONS[0]}", id="section"),
        pytest.param(f"/sections/{SEED_SECTIONS[0]}", id="section-by-slug"),
        pytest.param("/search?q=Kashmir", id="search"),
    ],
)
def test_etag_and_not_modified(client: TestClient, path: str) -> None:
    first = client.get(path)
    etag = first.headers["etag"]

    again = client.get(path, headers={"If-None-Match": etag})
    weak = client.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
    other = client.get(path, headers={"If-None-Match": '"not-it"'})

    assert first.headers["cache-control"] == "public, max-age=60"
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == etag
    assert weak.status_code == 304
    assert other.status_code == 200
    assert other.content == first.content
